/*
 * lead_explain.c — one lead explained as data (leadflow/lead_explain.h).
 *
 * Place in the flow: store (the lead's row and events) -> the pure lifecycle engine and
 * scorer, replayed here with explanations on -> an lf_lead_explain value that front ends
 * render (the CLI as text, the server as JSON). Nothing here prints.
 *
 * Invariants: the replay is the one the importer runs (same engine, the lead's stored
 * classification and attributes), so the explanation matches the derived state in the
 * store. Events are handed out in replay order and every index in the result
 * (transitions, handoffs, awards) points into that order. Engagement at an instant is
 * recomputed from the recorded awards (those at or before it, of the epoch that counts
 * then, decayed to it), so it can be asked for as-of and for any earlier instant.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "leadflow/buf.h"
#include "leadflow/calendar.h"
#include "leadflow/lead_explain.h"
#include "leadflow/replay.h"
#include "leadflow/scoring.h"
#include "leadflow/store.h"

/* What one explanation holds while it is computed. */
typedef struct job {
    char *given[2];          /* origin and persona columns as imported */
    int64_t rowid;
    lf_lx_event *ev;         /* the stored events, in store order, until reordered */
    size_t n, cap;
    bool oom;                /* the collector ran out of memory */
    lf_event *in;            /* the replay input (borrows the strings of ev) */
    lf_scoring_model *model; /* NULL without a scoring section */
    lf_score_state *ss;
    lf_scorer scorer;
    lf_lead_state st;
    int32_t *pos;            /* pos[store index] = replay position */
} job;

static lf_status oom(lf_error *err)
{
    return lf_errorf(err, LF_ENOMEM, "out of memory");
}

/* A copy of s (NULL stays NULL); *ok turns false when out of memory. */
static char *dup_or_null(const char *s, bool *ok)
{
    char *d = s ? strdup(s) : NULL;
    if (s && !d)
        *ok = false;
    return d;
}

static void event_release(lf_lx_event *e)
{
    free(e->type);
    free(e->detail);
    free(e->reason);
    free(e->ext_id);
    free(e->ignored_reason);
}

/* The lead's columns, copied (the store's strings live only until its next call). */
static lf_status load_lead(lf_workspace *ws, const char *id, lf_lead_explain *x, job *j,
                           lf_error *err)
{
    lf_lead_row r;
    bool found, ok = true;
    lf_status s = lf_store_lead_get(ws->store, id, &r, &found, err);
    if (s != LF_OK)
        return s;
    if (!found)
        return lf_errorf(err, LF_EINPUT, "unknown lead '%s'", id);
    x->id = dup_or_null(r.id, &ok);
    x->email = dup_or_null(r.email, &ok);
    x->source = dup_or_null(r.source, &ok);
    x->channel = dup_or_null(r.channel, &ok);
    x->origin = dup_or_null(r.origin, &ok);
    x->persona = dup_or_null(r.persona, &ok);
    x->attrs_json = dup_or_null(r.attrs_json, &ok);
    j->given[0] = dup_or_null(r.origin_given, &ok);
    j->given[1] = dup_or_null(r.persona_given, &ok);
    x->created_at = r.created_at;
    x->has_email = r.email && *r.email;
    j->rowid = r.rowid;
    return ok ? LF_OK : oom(err);
}

static lf_status collect(void *ctx, const lf_stored_event *e)
{
    job *j = ctx;
    if (!lf_grow(&j->ev, &j->cap, j->n + 1, sizeof *j->ev)) {
        j->oom = true;
        return LF_ENOMEM;
    }
    lf_lx_event *d = &j->ev[j->n++];
    bool ok = true;
    memset(d, 0, sizeof *d);
    d->seq = e->ev.seq;
    d->ts = e->ev.ts;
    d->kind = e->ev.kind;
    d->amount = e->ev.amount;
    d->has_amount = e->ev.has_amount;
    d->type = dup_or_null(e->ev.type, &ok);
    d->detail = dup_or_null(e->ev.detail, &ok);
    d->reason = dup_or_null(e->ev.reason, &ok);
    d->ext_id = dup_or_null(e->ext_id, &ok);
    j->oom = !ok;
    return ok ? LF_OK : LF_ENOMEM;
}

/* The stored events and the replay input that borrows them. */
static lf_status load_events(lf_workspace *ws, job *j, lf_error *err)
{
    lf_status s = lf_store_lead_events(ws->store, j->rowid, collect, j, err);
    if (j->oom)
        return oom(err);
    if (s != LF_OK)
        return s;
    if (j->n && !(j->in = calloc(j->n, sizeof *j->in)))
        return oom(err);
    for (size_t i = 0; i < j->n; i++) {
        const lf_lx_event *e = &j->ev[i];
        j->in[i] = (lf_event){.ts = e->ts, .seq = e->seq, .kind = e->kind, .type = e->type,
                              .detail = e->detail, .reason = e->reason, .amount = e->amount,
                              .has_amount = e->has_amount};
    }
    return LF_OK;
}

/* The scorer with explanations on, fed the lead's attributes as stored. No model (no
 * scoring section) leaves j->ss NULL. */
static lf_status start_scoring(const lf_config *cfg, const lf_lead_explain *x, job *j,
                               lf_error *err)
{
    lf_status s = lf_scoring_model_new(cfg, &j->model, err);
    if (s != LF_OK || !j->model)
        return s;
    if (!(j->ss = lf_score_state_new(j->model)))
        return oom(err);
    lf_lead_row row = {.rowid = j->rowid, .id = x->id, .email = x->email,
                       .created_at = x->created_at, .source = x->source,
                       .channel = x->channel, .origin = x->origin, .persona = x->persona,
                       .attrs_json = x->attrs_json, .origin_given = j->given[0],
                       .persona_given = j->given[1]};
    lf_row_attrs ra;
    s = lf_row_attrs_load(&ra, cfg, &row, false, err);
    if (s == LF_OK) {
        lf_attrs at = lf_lead_facts_attrs(&ra.f);
        lf_score_state_lead(j->ss, &at, true);
        lf_score_state_scorer(j->ss, &j->scorer);
    }
    lf_row_attrs_release(&ra);
    return s;
}

/* Moves the events into x in replay order and records where each one went. */
static lf_status reorder_events(lf_lead_explain *x, job *j, lf_error *err)
{
    if (!j->n)
        return LF_OK;
    x->events = calloc(j->n, sizeof *x->events);
    j->pos = calloc(j->n, sizeof *j->pos);
    if (!x->events || !j->pos)
        return oom(err);
    for (size_t k = 0; k < j->n; k++) {
        int32_t idx = j->st.order[k];
        x->events[k] = j->ev[idx];
        j->pos[idx] = (int32_t)k;
    }
    x->nevents = j->n;
    free(j->ev); /* the strings now belong to x->events */
    j->ev = NULL;
    j->n = j->cap = 0;
    return LF_OK;
}

static int32_t remap(const job *j, int32_t idx)
{
    return idx >= 0 ? j->pos[idx] : -1;
}

/* Why each ignored event did not apply (SPEC §7). */
static lf_status mark_ignored(lf_lead_explain *x, const job *j, lf_error *err)
{
    for (size_t g = 0; g < j->st.nignored; g++) {
        int32_t idx = j->st.ignored[g];
        lf_lx_event *e = &x->events[j->pos[idx]];
        char why[256];
        e->ignored = true;
        e->ignored_stage = j->st.ignored_stage[g];
        lf_ignored_reason(&j->in[idx], e->ignored_stage, x->created_at, x->has_email, why,
                          sizeof why);
        if (!(e->ignored_reason = strdup(why)))
            return oom(err);
    }
    return LF_OK;
}

static lf_status fill_transitions(lf_lead_explain *x, const job *j, lf_error *err)
{
    x->stage = j->st.stage;
    x->stage_since = j->st.stage_since;
    if (j->st.ntrans && !(x->trans = calloc(j->st.ntrans, sizeof *x->trans)))
        return oom(err);
    x->ntrans = j->st.ntrans;
    for (size_t i = 0; i < j->st.ntrans; i++) {
        const lf_transition *t = &j->st.trans[i];
        x->trans[i] = (lf_lx_transition){.ts = t->ts, .from = t->from, .to = t->to,
                                         .cause = t->cause, .event = remap(j, t->event)};
    }
    return LF_OK;
}

/* A handoff with its figures on the SLA clock (when the workspace has an SLA). */
static void fill_handoff(const lf_config *cfg, lf_time as_of, const job *j, const lf_handoff *h,
                         lf_lx_handoff *o)
{
    *o = (lf_lx_handoff){.mql_at = h->mql_at, .decided_at = h->decided_at,
                         .first_contact_at = h->first_contact_at, .outcome = h->outcome,
                         .cause = h->cause, .open_event = remap(j, h->open_event),
                         .close_event = remap(j, h->close_event),
                         .contact_event = remap(j, h->contact_event), .score = h->score,
                         .deadline = LF_TIME_NONE};
    if (h->first_contact_at != LF_TIME_NONE)
        o->contact_usec = h->first_contact_at - h->mql_at;
    if (!cfg->has_sla)
        return;
    bool biz = cfg->sla.clock == LF_CLOCK_BUSINESS;
    o->deadline = lf_sla_deadline(cfg, h->mql_at);
    if (h->decided_at != LF_TIME_NONE) {
        o->response_usec = biz ? lf_bclock_between(&cfg->calendar, h->mql_at, h->decided_at)
                               : h->decided_at - h->mql_at;
        o->within_sla = h->decided_at <= o->deadline;
    } else {
        o->overdue = o->deadline != LF_TIME_NONE && o->deadline < as_of;
    }
}

static lf_status fill_handoffs(const lf_config *cfg, lf_lead_explain *x, const job *j,
                               lf_error *err)
{
    x->has_sla = cfg->has_sla;
    x->sla_business = cfg->sla.clock == LF_CLOCK_BUSINESS;
    x->sla_text = cfg->sla.text;
    x->speed_target_text = cfg->speed_target.text;
    if (j->st.nhandoffs && !(x->handoffs = calloc(j->st.nhandoffs, sizeof *x->handoffs)))
        return oom(err);
    x->nhandoffs = j->st.nhandoffs;
    for (size_t i = 0; i < j->st.nhandoffs; i++)
        fill_handoff(cfg, x->as_of, j, &j->st.handoffs[i], &x->handoffs[i]);
    return LF_OK;
}

/* Restarts (handoffs rejected by a `rejected` event: mql -> recycled) at or before t:
 * the epoch of the awards that count at t. */
static uint32_t epoch_at(const lf_lead_state *st, lf_time t)
{
    uint32_t e = 0;
    for (size_t i = 0; i < st->ntrans; i++)
        if (st->trans[i].from == LF_STAGE_MQL && st->trans[i].to == LF_STAGE_RECYCLED &&
            st->trans[i].ts <= t)
            e++;
    return e;
}

/* An award's value at t: decayed from its instant (no decay without a half-life). */
static double decayed(const lf_scoring *sc, const lf_award *a, lf_time t)
{
    double w = a->awarded;
    if (sc->half_life_usec > 0)
        w *= exp2(-(double)(t - a->ts) / (double)sc->half_life_usec);
    return w;
}

/* Engagement at t from the recorded awards: those at or before t since the last
 * restart before t, decayed to t. */
static double engagement_at(const lf_scoring *sc, const lf_lead_state *st, const lf_award *aw,
                            size_t n, lf_time t)
{
    uint32_t e = epoch_at(st, t);
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        if (aw[i].ts <= t && aw[i].epoch == e)
            sum += decayed(sc, &aw[i], t);
    return sum;
}

static void fill_awards(const lf_scoring *sc, const job *j, lf_time as_of, const lf_award *aw,
                        lf_lx_scoring *o)
{
    uint32_t now_epoch = epoch_at(&j->st, as_of);
    for (size_t i = 0; i < o->nawards; i++) {
        const lf_award *w = &aw[i];
        lf_lx_award *a = &o->awards[i];
        *a = (lf_lx_award){.event = remap(j, w->event), .ts = w->ts, .rule = w->rule,
                           .line = sc->engagement[w->rule].line, .points = w->points,
                           .awarded = w->awarded};
        if (w->ts > as_of)
            a->status = LF_LX_AWARD_AFTER;
        else if (w->epoch != now_epoch)
            a->status = LF_LX_AWARD_VOID;
        else
            a->worth = decayed(sc, w, as_of);
    }
}

/* v reaches the threshold th (the tolerance of scoring.h). */
static bool reaches(double v, double th)
{
    return v >= th - LF_SCORE_EPSILON * fmax(1, fabs(th));
}

/* The stage at as-of and, in lead or recycled, the parts of the MQL rule that fail. */
static void fill_why_not(const lf_lead_explain *x, const job *j, lf_lx_scoring *o)
{
    const lf_mql_rule *r = o->rule;
    o->stage_at_as_of = LF_STAGE_NONE;
    for (size_t i = 0; i < j->st.ntrans && j->st.trans[i].ts <= x->as_of; i++)
        o->stage_at_as_of = j->st.trans[i].to;
    o->qualifiable = o->stage_at_as_of == LF_STAGE_LEAD || o->stage_at_as_of == LF_STAGE_RECYCLED;
    if (!o->qualifiable)
        return;
    unsigned w = 0;
    if (!x->has_email)
        w |= LF_LX_WHY_NO_EMAIL;
    if (!lf_score_state_has_required(j->ss))
        w |= LF_LX_WHY_REQUIRED;
    if (r->has_fit && !reaches(o->fit, r->fit_at_least))
        w |= LF_LX_WHY_FIT;
    if (r->has_engagement && !reaches(o->engagement, r->engagement_at_least))
        w |= LF_LX_WHY_ENGAGEMENT;
    if (r->has_total && !reaches(o->total, r->total_at_least))
        w |= LF_LX_WHY_TOTAL;
    if (r->has_grade && o->grade > r->grade_at_least)
        w |= LF_LX_WHY_GRADE;
    o->why_not = w;
}

static lf_status fill_scoring(const lf_config *cfg, lf_lead_explain *x, const job *j,
                              lf_error *err)
{
    const lf_scoring *sc = &cfg->scoring;
    lf_lx_scoring *o = &x->scoring;
    size_t nhits, naw;
    const lf_fit_hit *hits = lf_score_state_fit_hits(j->ss, &nhits);
    const lf_award *aw = lf_score_state_awards(j->ss, &naw);
    x->has_scoring = true;
    o->fit = lf_score_state_fit(j->ss);
    o->grade = lf_score_state_grade(j->ss);
    o->engagement = engagement_at(sc, &j->st, aw, naw, x->as_of);
    o->total = o->fit + o->engagement;
    o->decays = sc->half_life_usec > 0;
    o->rule = &sc->mql;
    if ((nhits && !(o->hits = calloc(nhits, sizeof *o->hits))) ||
        (naw && !(o->awards = calloc(naw, sizeof *o->awards))) ||
        (x->nhandoffs && !(o->mqls = calloc(x->nhandoffs, sizeof *o->mqls))))
        return oom(err);
    o->nhits = nhits;
    o->nawards = naw;
    o->nmqls = x->nhandoffs;
    for (size_t i = 0; i < nhits; i++)
        o->hits[i] = (lf_lx_fit_hit){.rule = hits[i].rule, .line = sc->fit[hits[i].rule].line,
                                     .points = hits[i].points};
    fill_awards(sc, j, x->as_of, aw, o);
    for (size_t i = 0; i < x->nhandoffs; i++) {
        const lf_lx_handoff *h = &x->handoffs[i];
        o->mqls[i] = (lf_lx_mql){.mql_at = h->mql_at, .total = h->score, .fit = o->fit,
                                 .engagement = h->score - o->fit,
                                 .grade = lf_scoring_grade(sc, o->fit),
                                 .after_as_of = h->mql_at > x->as_of};
    }
    fill_why_not(x, j, o);
    return LF_OK;
}

/* Replays the lead (scored when there is a model) and fills x from the result. */
static lf_status replay(const lf_config *cfg, lf_lead_explain *x, job *j, lf_error *err)
{
    lf_lead_input in = {.created_at = x->created_at, .has_email = x->has_email,
                        .events = j->in, .nevents = j->n};
    lf_status s = start_scoring(cfg, x, j, err);
    if (s == LF_OK)
        s = lf_lifecycle_replay(&in, j->ss ? &j->scorer : NULL, &j->st, err);
    if (s == LF_OK)
        s = reorder_events(x, j, err);
    if (s == LF_OK)
        s = mark_ignored(x, j, err);
    if (s == LF_OK)
        s = fill_transitions(x, j, err);
    if (s == LF_OK)
        s = fill_handoffs(cfg, x, j, err);
    if (s == LF_OK && j->ss)
        s = fill_scoring(cfg, x, j, err);
    return s;
}

static void job_release(job *j)
{
    for (size_t i = 0; i < j->n; i++)
        event_release(&j->ev[i]);
    free(j->ev);
    free(j->in);
    free(j->pos);
    free(j->given[0]);
    free(j->given[1]);
    lf_lead_state_release(&j->st);
    lf_score_state_free(j->ss);
    lf_scoring_model_free(j->model);
}

lf_status lf_lead_explain_run(lf_workspace *ws, const char *id, lf_time as_of,
                              lf_lead_explain *out, lf_error *err)
{
    memset(out, 0, sizeof *out);
    out->as_of = as_of;
    lf_status s = lf_workspace_open(ws, err);
    if (s != LF_OK)
        return s;
    job j;
    memset(&j, 0, sizeof j);
    lf_lead_state_init(&j.st);
    s = load_lead(ws, id, out, &j, err);
    if (s == LF_OK)
        s = load_events(ws, &j, err);
    if (s == LF_OK)
        s = replay(&ws->cfg, out, &j, err);
    job_release(&j);
    if (s != LF_OK)
        lf_lead_explain_release(out);
    return s;
}

void lf_lead_explain_release(lf_lead_explain *x)
{
    char *cols[] = {x->id, x->email, x->source, x->channel, x->origin, x->persona,
                    x->attrs_json};
    for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++)
        free(cols[i]);
    for (size_t i = 0; i < x->nevents; i++)
        event_release(&x->events[i]);
    free(x->events);
    free(x->trans);
    free(x->handoffs);
    free(x->scoring.hits);
    free(x->scoring.awards);
    free(x->scoring.mqls);
    memset(x, 0, sizeof *x);
}
