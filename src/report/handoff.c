/*
 * handoff.c — the `mql` and `sql` reports (SPEC §5): what marketing hands to sales
 * and what sales does with it. One row per bucket, then a `total` row over the range.
 *
 * mql (flow): leads = leads created in the bucket; mqls = handoffs opened (mql_at) in
 * the bucket; goal = the monthly goal prorated by business days: every month m that
 * overlaps the bucket contributes goal(m) x business days of m inside the bucket /
 * business days of m (a month with a goal but no business day contributes 0), null
 * when no overlapping month has a goal; goal_attainment = mqls / goal;
 * mqls_by_channel = the bucket's handoffs by the lead's channel, sorted by name. The
 * total row's goal is the sum of the buckets' goals. The goal ignores as-of: it is the
 * bucket's whole goal (pacing within a month is the `bizday` report's job).
 *
 * sql: cohort by mql_at: handoffs opened in the bucket, and of them accepted /
 * rejected by as-of (a decision after as-of is pending), pending = the rest;
 * acceptance_rate = accepted / (accepted + rejected); mql_to_sql = accepted /
 * handoffs; rejected_by_reason = the cohort's rejected handoffs by reason (an empty
 * reason is "unspecified"), by count descending then name. Flow: sqls = transitions
 * into sql in the bucket, skips included.
 *
 * Ratios of the total row are recomputed from its counts, never averaged over rows.
 */
#include <stdlib.h>
#include <string.h>

#include "report/report_util.h"

/* ---- mql ------------------------------------------------------------------------- */

enum { M_PERIOD, M_LEADS, M_MQLS, M_GOAL, M_ATTAIN, M_BY_CHANNEL, M_N };

const lf_col_spec rep_cols_mql[M_N + 1] = {
    {"period", LF_COL_TEXT, REP_DEF_PERIOD},
    {"leads", LF_COL_COUNT, REP_DEF_LEADS_FLOW},
    {"mqls", LF_COL_COUNT, REP_DEF_MQLS_FLOW},
    {"goal", LF_COL_NUMBER,
     "The monthly MQL goal prorated to the period by business days: each month's goal x its "
     "business days in the period / its business days; empty without a goal."},
    {"goal_attainment", LF_COL_RATE, "mqls / goal."},
    {"mqls_by_channel", LF_COL_OBJECT,
     "Flow: the period's MQLs by the lead's channel, channels by name."},
    {NULL, 0, NULL},
};

/* The prorated goal of local days [d0, d1); false if no overlapping month has one. */
static bool bucket_goal(const lf_config *cfg, int32_t d0, int32_t d1, double *goal)
{
    int y, m, d;
    lf_civil_from_days(d0, &y, &m, &d);
    bool any = false;
    double sum = 0;
    for (int32_t ms = lf_days_from_civil(y, m, 1); ms < d1;) {
        int32_t me = ms + lf_days_in_month(y, m);
        double g;
        if (lf_config_goal(cfg, y, m, &g)) {
            any = true;
            int32_t all = lf_calendar_business_days(&cfg->calendar, ms, me);
            int32_t in =
                lf_calendar_business_days(&cfg->calendar, ms > d0 ? ms : d0, me < d1 ? me : d1);
            if (all > 0)
                sum += g * (double)in / (double)all;
        }
        ms = me;
        if (++m > 12) {
            m = 1;
            y++;
        }
    }
    *goal = sum;
    return any;
}

typedef struct mql_row {
    int64_t leads, mqls;
} mql_row;

static lf_status mql_fill(const rep_ctx *c, const mql_row *r, rep_tally *chan, lf_table *t,
                          lf_error *err)
{
    mql_row tot = {0, 0};
    double tot_goal = 0;
    bool any_goal = false;
    for (size_t b = 0; b < c->per.n; b++) {
        long row = (long)b;
        lf_cell_set_num(lf_table_cell(t, row, M_LEADS), (double)r[b].leads);
        lf_cell_set_num(lf_table_cell(t, row, M_MQLS), (double)r[b].mqls);
        double g;
        if (bucket_goal(c->cfg, c->per.day[b], c->per.day[b + 1], &g)) {
            lf_cell_set_num(lf_table_cell(t, row, M_GOAL), g);
            lf_cell_set_ratio(lf_table_cell(t, row, M_ATTAIN), (double)r[b].mqls, g);
            tot_goal += g;
            any_goal = true;
        }
        tot.leads += r[b].leads;
        tot.mqls += r[b].mqls;
    }
    lf_cell_set_num(lf_table_cell(t, -1, M_LEADS), (double)tot.leads);
    lf_cell_set_num(lf_table_cell(t, -1, M_MQLS), (double)tot.mqls);
    if (any_goal) {
        lf_cell_set_num(lf_table_cell(t, -1, M_GOAL), tot_goal);
        lf_cell_set_ratio(lf_table_cell(t, -1, M_ATTAIN), (double)tot.mqls, tot_goal);
    }
    return rep_tally_fill(chan, c->ds, "unknown", REP_ORDER_NAME, t, M_BY_CHANNEL, c->per.n, err);
}

lf_status lf_report_mql(const lf_report_args *a, lf_table **out, lf_error *err)
{
    *out = NULL;
    rep_ctx c;
    lf_status s = rep_begin(&c, a, err);
    if (s != LF_OK)
        return s;
    const lf_dataset *ds = c.ds;
    mql_row *r = calloc(c.per.n, sizeof *r);
    rep_tally chan;
    rep_tally_init(&chan);
    lf_table *t = NULL;
    if (!r)
        s = LF_ENOMEM;
    for (size_t i = 0; s == LF_OK && i < ds->nleads; i++) {
        long b = rep_bucket(&c, ds->leads[i].created_at);
        if (b >= 0)
            r[b].leads++;
    }
    for (size_t i = 0; s == LF_OK && i < ds->nhandoffs; i++) {
        const lf_ds_handoff *h = &ds->handoffs[i];
        long b = rep_bucket(&c, h->mql_at);
        if (b < 0 || h->lead >= ds->nleads)
            continue;
        r[b].mqls++;
        s = rep_tally_add(&chan, (uint32_t)b, ds->leads[h->lead].channel);
    }
    if (s != LF_OK)
        s = lf_errorf(err, LF_ENOMEM, "out of memory");
    if (s == LF_OK)
        s = rep_table(&c, "mql", true, rep_cols_mql, M_N, &t, err);
    if (s == LF_OK)
        s = mql_fill(&c, r, &chan, t, err);
    if (s == LF_OK && (a->cfg->goal_default >= 0 || a->cfg->ngoals) &&
        lf_table_add_note(t, "goal: the monthly MQL goal prorated to each period by business "
                             "days") != LF_OK)
        s = lf_errorf(err, LF_ENOMEM, "out of memory");
    free(r);
    rep_tally_release(&chan);
    rep_end(&c);
    return rep_finish(s, t, out);
}

/* ---- sql ------------------------------------------------------------------------- */

enum {
    S_PERIOD,
    S_HANDOFFS,
    S_ACCEPTED,
    S_REJECTED,
    S_PENDING,
    S_ACC_RATE,
    S_MQL_TO_SQL,
    S_SQLS,
    S_BY_REASON,
    S_N
};

const lf_col_spec rep_cols_sql[S_N + 1] = {
    {"period", LF_COL_TEXT, REP_DEF_PERIOD},
    {"handoffs", LF_COL_COUNT, REP_DEF_HANDOFFS},
    {"accepted", LF_COL_COUNT, "Cohort by mql_at: of those handoffs, accepted by sales by as-of."},
    {"rejected", LF_COL_COUNT,
     "Cohort by mql_at: of those handoffs, rejected by sales (or the lead disqualified) by "
     "as-of."},
    {"pending", LF_COL_COUNT,
     "Cohort by mql_at: of those handoffs, neither accepted nor rejected by as-of."},
    {"acceptance_rate", LF_COL_RATE, REP_DEF_ACCEPTANCE},
    {"mql_to_sql", LF_COL_RATE,
     "accepted / handoffs: the share of all handoffs accepted, pending ones included (cohort by "
     "mql_at)."},
    {"sqls", LF_COL_COUNT, REP_DEF_SQLS_FLOW},
    {"rejected_by_reason", LF_COL_OBJECT,
     "Cohort by mql_at: the rejected handoffs by reason (unspecified when none was given), most "
     "frequent first."},
    {NULL, 0, NULL},
};

typedef struct sql_row {
    int64_t handoffs, accepted, rejected, sqls;
} sql_row;

static void sql_set_row(lf_table *t, long row, const sql_row *r)
{
    lf_cell_set_num(lf_table_cell(t, row, S_HANDOFFS), (double)r->handoffs);
    lf_cell_set_num(lf_table_cell(t, row, S_ACCEPTED), (double)r->accepted);
    lf_cell_set_num(lf_table_cell(t, row, S_REJECTED), (double)r->rejected);
    lf_cell_set_num(lf_table_cell(t, row, S_PENDING),
                    (double)(r->handoffs - r->accepted - r->rejected));
    lf_cell_set_ratio(lf_table_cell(t, row, S_ACC_RATE), (double)r->accepted,
                      (double)(r->accepted + r->rejected));
    lf_cell_set_ratio(lf_table_cell(t, row, S_MQL_TO_SQL), (double)r->accepted,
                      (double)r->handoffs);
    lf_cell_set_num(lf_table_cell(t, row, S_SQLS), (double)r->sqls);
}

lf_status lf_report_sql(const lf_report_args *a, lf_table **out, lf_error *err)
{
    *out = NULL;
    rep_ctx c;
    lf_status s = rep_begin(&c, a, err);
    if (s != LF_OK)
        return s;
    const lf_dataset *ds = c.ds;
    sql_row *r = calloc(c.per.n, sizeof *r);
    rep_tally why;
    rep_tally_init(&why);
    lf_table *t = NULL;
    if (!r)
        s = LF_ENOMEM;
    for (size_t i = 0; s == LF_OK && i < ds->nhandoffs; i++) {
        const lf_ds_handoff *h = &ds->handoffs[i];
        long b = rep_bucket(&c, h->mql_at);
        if (b < 0)
            continue;
        r[b].handoffs++;
        if (!rep_by_as_of(&c, h->decided_at))
            continue;
        if (h->outcome == LF_OUTCOME_ACCEPTED) {
            r[b].accepted++;
        } else if (h->outcome == LF_OUTCOME_REJECTED) {
            r[b].rejected++;
            s = rep_tally_add(&why, (uint32_t)b, h->reason);
        }
    }
    for (size_t i = 0; s == LF_OK && i < ds->ntrans; i++) {
        if (ds->trans[i].to != LF_STAGE_SQL)
            continue;
        long b = rep_bucket(&c, ds->trans[i].ts);
        if (b >= 0)
            r[b].sqls++;
    }
    if (s != LF_OK)
        s = lf_errorf(err, LF_ENOMEM, "out of memory");
    if (s == LF_OK)
        s = rep_table(&c, "sql", true, rep_cols_sql, S_N, &t, err);
    if (s == LF_OK) {
        sql_row tot = {0, 0, 0, 0};
        for (size_t b = 0; b < c.per.n; b++) {
            sql_set_row(t, (long)b, &r[b]);
            tot.handoffs += r[b].handoffs;
            tot.accepted += r[b].accepted;
            tot.rejected += r[b].rejected;
            tot.sqls += r[b].sqls;
        }
        sql_set_row(t, -1, &tot);
        s = rep_tally_fill(&why, ds, "unspecified", REP_ORDER_COUNT, t, S_BY_REASON, c.per.n, err);
    }
    free(r);
    rep_tally_release(&why);
    rep_end(&c);
    return rep_finish(s, t, out);
}
