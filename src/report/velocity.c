/*
 * velocity.c — the `velocity` and `speed` reports (SPEC §5): how fast sales answers
 * marketing's handoffs, and how fast leads move between stages. One row per bucket,
 * then a `total` row whose ratios, means, medians and p90 are recomputed over every
 * item of the range (never averaged over rows).
 *
 * velocity, cohort by mql_at (handoffs opened in the bucket, followed up to as-of):
 *  - decided: decided_at <= as-of; response time = SLA-clock hours from mql_at to
 *    decided_at (business clock when sla.accept_within is in bh/bd, else calendar;
 *    calendar when no SLA is configured); mean, median and p90 over decided handoffs;
 *  - deadline = the first instant the SLA time is used up (lf_bclock_add on the
 *    business clock, mql_at + SLA on the calendar clock); within_sla = decided at or
 *    before the deadline (SPEC §5); overdue_pending = not decided by as-of and deadline
 *    < as-of; breaches = (decided - within_sla) + overdue_pending. Without an SLA these
 *    four columns are null. The SLA clock is consulted only for handoffs in the range.
 *  - stage-to-stage medians in calendar days, flow by the instant of the move:
 *    lead_to_mql_days = created_at -> the lead's first mql_at, for leads whose first
 *    mql_at is in the bucket; mql_to_sql_days, sql_to_opportunity_days,
 *    opportunity_to_customer_days = for transitions X -> Y in the bucket, ts minus the
 *    ts of the transition that entered X (a skipped stage was entered at the same
 *    instant, so it counts 0 days).
 *
 * speed, cohort by mql_at: contacted = first contact by as-of; contact_median_h =
 * calendar hours mql_at -> first contact over contacted handoffs; within_target =
 * contacted within speed_to_lead.target; within_target_rate = within_target / handoffs.
 */
#include <stdlib.h>
#include <string.h>

#include "report/report_util.h"

/* ---- velocity -------------------------------------------------------------------- */

enum {
    V_PERIOD,
    V_HANDOFFS,
    V_DECIDED,
    V_MEAN,
    V_MEDIAN,
    V_P90,
    V_WITHIN,
    V_WITHIN_RATE,
    V_OVERDUE,
    V_BREACHES,
    V_L2M,
    V_M2S,
    V_S2O,
    V_O2C,
    V_N
};

/* the clock of the response times */
#define SLA_CLOCK "on the SLA clock (business hours for a bh or bd SLA, else calendar hours)"

const lf_col_spec rep_cols_velocity[V_N + 1] = {
    {"period", LF_COL_TEXT, REP_DEF_PERIOD},
    {"handoffs", LF_COL_COUNT, REP_DEF_HANDOFFS},
    {"decided", LF_COL_COUNT, "Cohort by mql_at: of those handoffs, accepted or rejected by as-of."},
    {"response_mean_h", LF_COL_HOURS,
     "Mean response time of the decided handoffs (cohort by mql_at): hours from mql_at to the "
     "decision, " SLA_CLOCK "."},
    {"response_median_h", LF_COL_HOURS,
     "Median response time of the decided handoffs (cohort by mql_at): hours from mql_at to "
     "the decision, " SLA_CLOCK "."},
    {"response_p90_h", LF_COL_HOURS,
     "90th percentile of the response time of the decided handoffs (cohort by mql_at), "
     SLA_CLOCK "; linear interpolation between ranks."},
    {"within_sla", LF_COL_COUNT,
     "Cohort by mql_at: handoffs decided at or before their SLA deadline; empty without an "
     "SLA."},
    {"within_sla_rate", LF_COL_RATE,
     "within_sla / decided (cohort by mql_at); empty without an SLA."},
    {"overdue_pending", LF_COL_COUNT,
     "Cohort by mql_at: handoffs still pending at as-of whose SLA deadline is before as-of; "
     "empty without an SLA."},
    {"breaches", LF_COL_COUNT,
     "Handoffs decided late (decided - within_sla) + overdue_pending (cohort by mql_at); empty "
     "without an SLA."},
    {"lead_to_mql_days", LF_COL_DAYS,
     "Median calendar days from created_at to the lead's first mql_at, over the first MQLs in "
     "the period (flow by that mql_at)."},
    {"mql_to_sql_days", LF_COL_DAYS,
     "Median calendar days spent in mql, over the moves from mql to sql in the period (flow by "
     "the move)."},
    {"sql_to_opportunity_days", LF_COL_DAYS,
     "Median calendar days spent in sql, over the moves from sql to opportunity in the period "
     "(flow by the move; a skipped sql counts 0 days)."},
    {"opportunity_to_customer_days", LF_COL_DAYS,
     "Median calendar days spent in opportunity, over the moves from opportunity to customer "
     "in the period (flow by the move; a skipped opportunity counts 0 days)."},
    {NULL, 0, NULL},
};

/* Sample sets: response hours, then the four stage-to-stage day columns. */
enum { VS_RESPONSE, VS_L2M, VS_M2S, VS_S2O, VS_O2C, VS_N };

typedef struct vel_row {
    int64_t handoffs, decided, within, overdue;
} vel_row;

typedef struct vel_state {
    rep_ctx c;
    vel_row *rows;
    rep_samples smp[VS_N];
} vel_state;

static lf_status vel_handoffs(vel_state *v)
{
    const rep_ctx *c = &v->c;
    const lf_config *cfg = c->cfg;
    for (size_t i = 0; i < c->ds->nhandoffs; i++) {
        const lf_ds_handoff *h = &c->ds->handoffs[i];
        long b = rep_bucket(c, h->mql_at);
        if (b < 0)
            continue;
        vel_row *r = &v->rows[b];
        r->handoffs++;
        lf_time deadline = cfg->has_sla ? lf_sla_deadline(cfg, h->mql_at) : LF_TIME_NONE;
        if (rep_by_as_of(c, h->decided_at)) {
            r->decided++;
            if (rep_samples_add(&v->smp[VS_RESPONSE], (uint32_t)b,
                                rep_sla_hours(cfg, h->mql_at, h->decided_at)) != LF_OK)
                return LF_ENOMEM;
            /* no deadline: the SLA can never be used up (no business time at all) */
            if (cfg->has_sla && (deadline == LF_TIME_NONE || h->decided_at <= deadline))
                r->within++;
        } else if (cfg->has_sla && deadline != LF_TIME_NONE && deadline < c->as_of) {
            r->overdue++;
        }
    }
    return LF_OK;
}

/* Sample set of a stage-to-stage move, or -1 if the move is not one of them. */
static int move_set(unsigned from, unsigned to)
{
    if (from == LF_STAGE_MQL && to == LF_STAGE_SQL)
        return VS_M2S;
    if (from == LF_STAGE_SQL && to == LF_STAGE_OPPORTUNITY)
        return VS_S2O;
    if (from == LF_STAGE_OPPORTUNITY && to == LF_STAGE_CUSTOMER)
        return VS_O2C;
    return -1;
}

static lf_status vel_leads(vel_state *v)
{
    const rep_ctx *c = &v->c;
    const lf_dataset *ds = c->ds;
    for (size_t i = 0; i < ds->nleads; i++) {
        const lf_ds_lead *l = &ds->leads[i];
        if (l->nhandoffs && l->handoffs < ds->nhandoffs) {
            lf_time first = ds->handoffs[l->handoffs].mql_at;
            long b = rep_bucket(c, first);
            if (b >= 0 && rep_samples_add(&v->smp[VS_L2M], (uint32_t)b,
                                          rep_days(first - l->created_at)) != LF_OK)
                return LF_ENOMEM;
        }
        const lf_ds_transition *tr = ds->trans + l->trans;
        for (uint32_t k = 1; k < l->ntrans; k++) {
            if (tr[k].ts > c->as_of)
                break;
            int set = move_set(tr[k].from, tr[k].to);
            if (set < 0)
                continue;
            long b = rep_bucket(c, tr[k].ts);
            if (b >= 0 && rep_samples_add(&v->smp[set], (uint32_t)b,
                                          rep_days(tr[k].ts - tr[k - 1].ts)) != LF_OK)
                return LF_ENOMEM;
        }
    }
    return LF_OK;
}

static void vel_set_row(const vel_state *v, lf_table *t, long row, const vel_row *r, size_t g)
{
    bool sla = v->c.cfg->has_sla;
    const double *x;
    size_t n;
    lf_cell_set_num(lf_table_cell(t, row, V_HANDOFFS), (double)r->handoffs);
    lf_cell_set_num(lf_table_cell(t, row, V_DECIDED), (double)r->decided);
    n = rep_samples_get(&v->smp[VS_RESPONSE], g, &x);
    rep_set_mean(lf_table_cell(t, row, V_MEAN), x, n);
    rep_set_median(lf_table_cell(t, row, V_MEDIAN), x, n);
    rep_set_p90(lf_table_cell(t, row, V_P90), x, n);
    if (sla) {
        lf_cell_set_num(lf_table_cell(t, row, V_WITHIN), (double)r->within);
        lf_cell_set_ratio(lf_table_cell(t, row, V_WITHIN_RATE), (double)r->within,
                          (double)r->decided);
        lf_cell_set_num(lf_table_cell(t, row, V_OVERDUE), (double)r->overdue);
        lf_cell_set_num(lf_table_cell(t, row, V_BREACHES),
                        (double)(r->decided - r->within + r->overdue));
    }
    static const int day_cols[] = {V_L2M, V_M2S, V_S2O, V_O2C};
    for (int k = 0; k < 4; k++) {
        n = rep_samples_get(&v->smp[VS_L2M + k], g, &x);
        rep_set_median(lf_table_cell(t, row, day_cols[k]), x, n);
    }
}

static lf_status vel_notes(const lf_config *cfg, lf_table *t)
{
    char d[64];
    if (!cfg->has_sla)
        return lf_table_add_note(t, "no SLA configured (sla.accept_within): response times on "
                                    "the calendar clock; within_sla, overdue_pending and "
                                    "breaches not computed");
    rep_duration_text(&cfg->sla, d, sizeof d);
    return lf_table_add_note(t,
                             "SLA %s: response times on that clock; within_sla = decided "
                             "at or before the deadline",
                             d);
}

lf_status lf_report_velocity(const lf_report_args *a, lf_table **out, lf_error *err)
{
    *out = NULL;
    vel_state v;
    memset(&v, 0, sizeof v);
    lf_status s = rep_begin(&v.c, a, err);
    if (s != LF_OK)
        return s;
    for (int k = 0; k < VS_N; k++)
        rep_samples_init(&v.smp[k]);
    lf_table *t = NULL;
    v.rows = calloc(v.c.per.n, sizeof *v.rows);
    s = v.rows ? vel_handoffs(&v) : LF_ENOMEM;
    if (s == LF_OK)
        s = vel_leads(&v);
    for (int k = 0; k < VS_N && s == LF_OK; k++)
        s = rep_samples_sort(&v.smp[k], v.c.per.n);
    if (s != LF_OK)
        s = lf_errorf(err, LF_ENOMEM, "out of memory");
    if (s == LF_OK)
        s = rep_table(&v.c, "velocity", true, rep_cols_velocity, V_N, &t, err);
    if (s == LF_OK) {
        vel_row tot = {0, 0, 0, 0};
        for (size_t b = 0; b < v.c.per.n; b++) {
            vel_set_row(&v, t, (long)b, &v.rows[b], b);
            tot.handoffs += v.rows[b].handoffs;
            tot.decided += v.rows[b].decided;
            tot.within += v.rows[b].within;
            tot.overdue += v.rows[b].overdue;
        }
        vel_set_row(&v, t, -1, &tot, v.c.per.n);
        if (vel_notes(a->cfg, t) != LF_OK)
            s = lf_errorf(err, LF_ENOMEM, "out of memory");
    }
    for (int k = 0; k < VS_N; k++)
        rep_samples_release(&v.smp[k]);
    free(v.rows);
    rep_end(&v.c);
    return rep_finish(s, t, out);
}

/* ---- speed ----------------------------------------------------------------------- */

enum { P_PERIOD, P_HANDOFFS, P_CONTACTED, P_MEDIAN, P_WITHIN, P_RATE, P_N };

const lf_col_spec rep_cols_speed[P_N + 1] = {
    {"period", LF_COL_TEXT, REP_DEF_PERIOD},
    {"handoffs", LF_COL_COUNT, REP_DEF_HANDOFFS},
    {"contacted", LF_COL_COUNT,
     "Cohort by mql_at: of those handoffs, the ones with a first sales contact by as-of."},
    {"contact_median_h", LF_COL_HOURS,
     "Median calendar hours from mql_at to the first contact, over the contacted handoffs "
     "(cohort by mql_at)."},
    {"within_target", LF_COL_COUNT,
     "Cohort by mql_at: handoffs first contacted by as-of at most speed_to_lead.target "
     "(calendar time, default 1h) after mql_at."},
    {"within_target_rate", LF_COL_RATE,
     "within_target / handoffs, uncontacted handoffs included (cohort by mql_at); benchmark: "
     "contact within 1 hour, which only 37% of companies manage."},
    {NULL, 0, NULL},
};

typedef struct speed_row {
    int64_t handoffs, contacted, within;
} speed_row;

static void speed_set_row(lf_table *t, long row, const speed_row *r, const rep_samples *smp,
                          size_t g)
{
    const double *x;
    size_t n = rep_samples_get(smp, g, &x);
    lf_cell_set_num(lf_table_cell(t, row, P_HANDOFFS), (double)r->handoffs);
    lf_cell_set_num(lf_table_cell(t, row, P_CONTACTED), (double)r->contacted);
    rep_set_median(lf_table_cell(t, row, P_MEDIAN), x, n);
    lf_cell_set_num(lf_table_cell(t, row, P_WITHIN), (double)r->within);
    lf_cell_set_ratio(lf_table_cell(t, row, P_RATE), (double)r->within, (double)r->handoffs);
}

static lf_status speed_notes(const lf_config *cfg, lf_table *t)
{
    char d[64];
    rep_duration_text(&cfg->speed_target, d, sizeof d);
    lf_status s = lf_table_add_note(t,
                                    "speed-to-lead target %s: first contact at most that "
                                    "long after mql_at",
                                    d);
    if (s == LF_OK)
        s = lf_table_add_note(t, "benchmark: only 37%% of companies respond within 1 hour; "
                                 "those that do are about 7x likelier to reach a decision "
                                 "maker");
    return s;
}

lf_status lf_report_speed(const lf_report_args *a, lf_table **out, lf_error *err)
{
    *out = NULL;
    rep_ctx c;
    lf_status s = rep_begin(&c, a, err);
    if (s != LF_OK)
        return s;
    const lf_dataset *ds = c.ds;
    int64_t target = a->cfg->speed_target.usec;
    speed_row *r = calloc(c.per.n, sizeof *r);
    rep_samples smp;
    rep_samples_init(&smp);
    lf_table *t = NULL;
    if (!r)
        s = LF_ENOMEM;
    for (size_t i = 0; s == LF_OK && i < ds->nhandoffs; i++) {
        const lf_ds_handoff *h = &ds->handoffs[i];
        long b = rep_bucket(&c, h->mql_at);
        if (b < 0)
            continue;
        r[b].handoffs++;
        if (!rep_by_as_of(&c, h->first_contact_at))
            continue;
        int64_t d = h->first_contact_at - h->mql_at;
        r[b].contacted++;
        if (d <= target)
            r[b].within++;
        s = rep_samples_add(&smp, (uint32_t)b, rep_hours(d));
    }
    if (s == LF_OK)
        s = rep_samples_sort(&smp, c.per.n);
    if (s != LF_OK)
        s = lf_errorf(err, LF_ENOMEM, "out of memory");
    if (s == LF_OK)
        s = rep_table(&c, "speed", true, rep_cols_speed, P_N, &t, err);
    if (s == LF_OK) {
        speed_row tot = {0, 0, 0};
        for (size_t b = 0; b < c.per.n; b++) {
            speed_set_row(t, (long)b, &r[b], &smp, b);
            tot.handoffs += r[b].handoffs;
            tot.contacted += r[b].contacted;
            tot.within += r[b].within;
        }
        speed_set_row(t, -1, &tot, &smp, c.per.n);
        if (speed_notes(a->cfg, t) != LF_OK)
            s = lf_errorf(err, LF_ENOMEM, "out of memory");
    }
    if (s == LF_OK && lf_report_mark_missing(a->ds, t) != LF_OK)
        s = lf_errorf(err, LF_ENOMEM, "out of memory");
    free(r);
    rep_samples_release(&smp);
    rep_end(&c);
    return rep_finish(s, t, out);
}
