/*
 * app_export.c — `leadflow export handoffs` (leadflow/app_export.h).
 *
 * Place in the flow: the sales queue (app_handoffs.c: handoffs with deadlines, pending
 * leads replayed in memory) -> each lead explained (lead_explain.c: email, persona,
 * channel, the score and grade at the MQL) -> a typed table -> the CSV renderer (RFC
 * 4180, text that looks like a formula quoted). So the export shows exactly what
 * `leadflow lead` and `GET /v1/handoffs` show.
 *
 * Status mapping (docs/alerts.md): pending and never contacted / pending and contacted /
 * accepted / rejected ->
 *   csv        pending, pending, accepted, rejected
 *   hubspot    Lead Status New, In Progress, Open Deal, Unqualified; Lifecycle Stage
 *              marketingqualifiedlead, marketingqualifiedlead, salesqualifiedlead,
 *              (empty: HubSpot does not move a stage backwards, an empty cell changes
 *              nothing)
 *   salesforce Open - Not Contacted, Working - Contacted, Working - Contacted,
 *              Closed - Not Converted
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "leadflow/app_export.h"
#include "leadflow/app_handoffs.h"
#include "leadflow/app_range.h"
#include "leadflow/lead_explain.h"
#include "leadflow/table.h"

enum { ST_NEW, ST_CONTACTED, ST_ACCEPTED, ST_REJECTED, ST_COUNT };

/* The values a row can hold; a layout lists the ones it writes, in its order. */
enum { V_EMAIL, V_LEAD_ID, V_MQL_AT, V_DEADLINE, V_SCORE, V_GRADE, V_PERSONA, V_CHANNEL,
       V_STATUS, V_STAGE, V_END };

typedef struct layout {
    const char *name;
    const char *cols[11];         /* column names, NULL-terminated */
    int vals[11];                 /* the value of each column */
    const char *status[ST_COUNT]; /* the status column's words */
    const char *stage[ST_COUNT];  /* hubspot: Lifecycle Stage ("" = leave as is) */
    bool utc;                     /* instants as "YYYY-MM-DD HH:MM:SS" UTC */
} layout;

static const layout layouts[] = {
    {"csv",
     {"email", "lead_id", "mql_at", "deadline", "score", "grade", "persona", "channel",
      "status", NULL},
     {V_EMAIL, V_LEAD_ID, V_MQL_AT, V_DEADLINE, V_SCORE, V_GRADE, V_PERSONA, V_CHANNEL,
      V_STATUS, V_END},
     {"pending", "pending", "accepted", "rejected"},
     {NULL},
     false},
    {"hubspot",
     {"Email", "Lifecycle Stage", "Lead Status", "leadflow Lead ID", "MQL Date",
      "SLA Deadline", "Lead Score", "Lead Grade", "leadflow Persona", "leadflow Channel",
      NULL},
     {V_EMAIL, V_STAGE, V_STATUS, V_LEAD_ID, V_MQL_AT, V_DEADLINE, V_SCORE, V_GRADE,
      V_PERSONA, V_CHANNEL, V_END},
     {"New", "In Progress", "Open Deal", "Unqualified"},
     {"marketingqualifiedlead", "marketingqualifiedlead", "salesqualifiedlead", ""},
     true},
    {"salesforce",
     {"Email", "Lead Status", "leadflow Lead ID", "MQL Date", "SLA Deadline", "Lead Score",
      "Lead Grade", "leadflow Persona", "leadflow Channel", NULL},
     {V_EMAIL, V_STATUS, V_LEAD_ID, V_MQL_AT, V_DEADLINE, V_SCORE, V_GRADE, V_PERSONA,
      V_CHANNEL, V_END},
     {"Open - Not Contacted", "Working - Contacted", "Working - Contacted",
      "Closed - Not Converted"},
     {NULL},
     true},
};

typedef struct export_ctx {
    lf_workspace *ws;
    const layout *lay;
    lf_table *t;
    lf_time as_of, since;
    bool all;
} export_ctx;

static lf_status oom(lf_error *err)
{
    return lf_errorf(err, LF_ENOMEM, "out of memory");
}

static lf_status set_text(export_ctx *x, long row, int col, const char *s)
{
    return lf_cell_set_text(lf_table_cell(x->t, row, col), s ? s : "");
}

static lf_status set_time(export_ctx *x, long row, int col, lf_time t)
{
    char buf[48] = "";
    if (t != LF_TIME_NONE && x->lay->utc) {
        lf_civil c;
        lf_time_to_local(lf_tz_utc(), t, &c);
        snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d:%02d", c.year, c.month, c.day,
                 c.hour, c.min, c.sec);
    } else if (t != LF_TIME_NONE) {
        lf_time_format_local(x->ws->cfg.tz, t, buf, sizeof buf);
    }
    return set_text(x, row, col, buf);
}

/* The handoff's status class at as-of. */
static int status_of(const lf_lx_handoff *h, lf_time as_of)
{
    if (h->decided_at != LF_TIME_NONE && h->decided_at <= as_of)
        return h->outcome == LF_OUTCOME_ACCEPTED ? ST_ACCEPTED : ST_REJECTED;
    bool contacted = h->first_contact_at != LF_TIME_NONE && h->first_contact_at <= as_of;
    return contacted ? ST_CONTACTED : ST_NEW;
}

/* The cells of one row, in the layout's order. */
static lf_status fill_row(export_ctx *x, long row, const lf_lead_explain *lx, size_t k,
                          const lf_app_handoff *q)
{
    const lf_lx_handoff *h = &lx->handoffs[k];
    int st = status_of(h, x->as_of);
    bool scored = lx->has_scoring && k < lx->scoring.nmqls;
    char grade[2] = {scored ? lx->scoring.mqls[k].grade : '\0', '\0'};
    lf_status r = LF_OK;
    for (int c = 0; r == LF_OK && x->lay->vals[c] != V_END; c++) {
        int v = x->lay->vals[c];
        if (v == V_MQL_AT || v == V_DEADLINE)
            r = set_time(x, row, c, v == V_MQL_AT ? q->mql_at : q->deadline);
        else if (v == V_SCORE && scored)
            lf_cell_set_num(lf_table_cell(x->t, row, c), lx->scoring.mqls[k].total);
        else if (v != V_SCORE)
            r = set_text(x, row, c,
                         v == V_EMAIL ? lx->email : v == V_LEAD_ID ? lx->id
                         : v == V_GRADE ? grade : v == V_PERSONA ? lx->persona
                         : v == V_CHANNEL ? lx->channel : v == V_STATUS ? x->lay->status[st]
                         : x->lay->stage[st]);
    }
    return r;
}

/* One handoff of the queue: explained, then a row. */
static lf_status export_one(export_ctx *x, const lf_app_handoff *q, lf_error *err)
{
    if (x->since != LF_TIME_NONE && q->mql_at < x->since)
        return LF_OK;
    lf_lead_explain lx;
    lf_status r = lf_lead_explain_run(x->ws, q->lead_id, x->as_of, &lx, err);
    if (r != LF_OK)
        return r;
    size_t k = 0;
    while (k < lx.nhandoffs && lx.handoffs[k].mql_at != q->mql_at)
        k++;
    if (k < lx.nhandoffs) {
        long row = lf_table_add_row(x->t);
        r = row < 0 ? oom(err) : fill_row(x, row, &lx, k, q);
        if (r != LF_OK && r != LF_ENOMEM)
            r = oom(err);
    }
    lf_lead_explain_release(&lx);
    return r;
}

static lf_status export_all(export_ctx *x, lf_error *err)
{
    lf_app_handoff *hs = NULL;
    size_t n = 0;
    lf_status r = lf_app_handoffs_all(x->ws, x->all ? "all" : "pending", false, x->as_of, &hs,
                                      &n, err);
    for (size_t i = 0; r == LF_OK && i < n; i++)
        r = export_one(x, &hs[i], err);
    lf_app_handoffs_free(hs, n);
    return r;
}

static lf_status parse_req(lf_workspace *ws, const lf_app_export_req *req, export_ctx *x,
                           lf_error *err)
{
    for (size_t i = 0; i < sizeof layouts / sizeof layouts[0]; i++)
        if (req->format && !strcmp(req->format, layouts[i].name))
            x->lay = &layouts[i];
    if (!x->lay)
        return lf_errorf(err, LF_EUSAGE, "--format must be csv, hubspot or salesforce, not '%s'",
                         req->format ? req->format : "");
    if (req->status && strcmp(req->status, "pending") && strcmp(req->status, "all"))
        return lf_errorf(err, LF_EUSAGE, "--status must be pending or all, not '%s'",
                         req->status);
    x->all = req->status && !strcmp(req->status, "all");
    lf_status r = lf_workspace_open(ws, err);
    if (r == LF_OK)
        r = lf_app_as_of(ws->cfg.tz, req->as_of, &x->as_of, err);
    x->since = LF_TIME_NONE;
    lf_error perr;
    if (r == LF_OK && req->since &&
        lf_time_parse(req->since, strlen(req->since), ws->cfg.tz, &x->since, NULL, &perr))
        return lf_errorf(err, LF_EUSAGE, "--since: %s", perr.msg);
    return r;
}

lf_status lf_app_export_handoffs(lf_workspace *ws, const lf_app_export_req *req, lf_buf *out,
                                 lf_error *err)
{
    export_ctx x = {.ws = ws};
    lf_status r = parse_req(ws, req, &x, err);
    if (r != LF_OK)
        return r;
    x.t = lf_table_new("handoffs", 0, 0, NULL, x.as_of, ws->cfg.timezone);
    if (!x.t)
        return oom(err);
    for (int c = 0; r == LF_OK && x.lay->vals[c] != V_END; c++)
        if (lf_table_add_col(x.t, x.lay->cols[c],
                             x.lay->vals[c] == V_SCORE ? LF_COL_NUMBER : LF_COL_TEXT) < 0)
            r = oom(err);
    if (r == LF_OK)
        r = export_all(&x, err);
    if (r == LF_OK)
        r = lf_render_csv(x.t, out, err);
    lf_table_free(x.t);
    return r;
}
