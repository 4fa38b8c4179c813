/*
 * lead_explain_json.c — a lead explained (leadflow/lead_explain.h) as the JSON object
 * of `GET /v1/leads/{id}`: what the API answers and what a webhook delivery carries as
 * its data, built in one place so the two never differ.
 *
 * Instants are in the workspace zone with their offset; a missing one is null.
 */
#include <jansson.h>

#include "leadflow/lead_explain.h"

json_t *lf_json_local_time(const lf_tz *tz, lf_time t)
{
    if (t == LF_TIME_NONE)
        return json_null();
    char buf[48];
    lf_time_format_local(tz, t, buf, sizeof buf);
    return json_string(buf);
}

static json_t *jstr_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *lead_transitions(const lf_tz *tz, const lf_lead_explain *x)
{
    json_t *a = json_array();
    for (size_t i = 0; i < x->ntrans; i++) {
        const lf_lx_transition *t = &x->trans[i];
        json_t *from = t->from == LF_STAGE_NONE ? json_null()
                                                 : json_string(lf_stage_name((lf_stage)t->from));
        json_array_append_new(a, json_pack("{s:o,s:o,s:s}", "ts", lf_json_local_time(tz, t->ts), "from", from,
                                           "to", lf_stage_name((lf_stage)t->to)));
    }
    return a;
}

json_t *lf_lead_explain_handoff_json(const lf_tz *tz, const lf_lead_explain *x, size_t i)
{
    const lf_lx_handoff *h = &x->handoffs[i];
    const char *oc = lf_outcome_name(h->outcome);
    return json_pack("{s:o,s:o,s:s,s:o,s:o,s:b}", "mql_at", lf_json_local_time(tz, h->mql_at), "deadline",
                         lf_json_local_time(tz, x->has_sla ? h->deadline : LF_TIME_NONE), "outcome", oc,
                         "decided_at", lf_json_local_time(tz, h->decided_at), "first_contact_at",
                         lf_json_local_time(tz, h->first_contact_at), "overdue", x->has_sla && h->overdue);
}

static json_t *lead_handoffs(const lf_tz *tz, const lf_lead_explain *x)
{
    json_t *a = json_array();
    for (size_t i = 0; i < x->nhandoffs; i++)
        json_array_append_new(a, lf_lead_explain_handoff_json(tz, x, i));
    return a;
}

static json_t *lead_score(const lf_lead_explain *x)
{
    if (!x->has_scoring)
        return json_null();
    const lf_lx_scoring *s = &x->scoring;
    char grade[2] = {s->grade, '\0'};
    return json_pack("{s:f,s:f,s:f,s:o}", "fit", s->fit, "engagement", s->engagement, "total",
                     s->total, "grade", s->grade ? json_string(grade) : json_null());
}

json_t *lf_lead_explain_json(const lf_tz *tz, const lf_lead_explain *x)
{
    return json_pack("{s:s,s:o,s:o,s:o,s:o,s:o,s:s,s:o,s:o,s:o,s:o}", "id", x->id ? x->id : "",
                     "email", jstr_or_null(x->email), "created_at", lf_json_local_time(tz, x->created_at),
                     "channel", jstr_or_null(x->channel), "origin", jstr_or_null(x->origin),
                     "persona", jstr_or_null(x->persona), "stage",
                     lf_stage_name((lf_stage)x->stage), "stage_since",
                     lf_json_local_time(tz, x->stage_since), "transitions", lead_transitions(tz, x),
                     "handoffs", lead_handoffs(tz, x), "score", lead_score(x));
}
