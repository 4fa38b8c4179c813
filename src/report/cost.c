/*
 * cost.c — the `cost` report (SPEC §5): what leads, MQLs and SQLs cost, with the lag
 * between spend and result taken into account. One row per bucket, then `total`.
 *
 * Spend. Every spend row of the dataset covers local days [day_from, day_to) (a month
 * row its calendar days, a day row one day) and is spread evenly over them, so a day
 * holds amount / (day_to - day_from) of it. A day's spend exists only when the day
 * began before as-of (lf_day_start(day) < as_of): with as-of at local midnight the
 * day that starts then has no spend yet. Every channel counts, `all` (unattributed)
 * included. cost = the spend on the bucket's days.
 *
 * Flow counts (SPEC §5 "in the range": in the bucket and not after as-of): leads =
 * leads created, mqls = handoffs opened, sqls = transitions into sql (skips included).
 * cost_per_lead / cost_per_mql / cost_per_sql = cost / count, null on 0.
 *
 * Lag. Spend precedes the results it buys, so the spend that produced a bucket's
 * SQLs is mostly older than the bucket. lag_days is `cost.lag_days`, or with `auto`
 * one value for the whole report: the mean calendar days from a lead's created_at to
 * its entry into sql, over the entries into sql in the range, rounded half up (0 when
 * there are none); the mean is computed in exact integer microseconds so 2.5 days
 * rounds to 3 however it is reached. lagged_cost = the spend on the bucket's days
 * shifted lag_days earlier (a shifted day counts when it began before as-of, as
 * above); lagged_cost_per_sql = lagged_cost / sqls. lag_days is the same in every row
 * and in the total.
 *
 * The total row covers the whole range: its money is the sum of the buckets (the
 * buckets tile the range), its ratios are recomputed from its own sums.
 *
 * Cost: each spend row is placed in the buckets it overlaps (rep_spread_buckets), so
 * the report is linear in transitions plus spend rows x buckets they touch.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "report/report_util.h"

enum {
    C_PERIOD,
    C_COST,
    C_LEADS,
    C_MQLS,
    C_SQLS,
    C_PER_LEAD,
    C_PER_MQL,
    C_PER_SQL,
    C_LAG,
    C_LAGGED,
    C_LAGGED_PER_SQL,
    C_N
};

const lf_col_spec rep_cols_cost[C_N + 1] = {
    {"period", LF_COL_TEXT, REP_DEF_PERIOD},
    {"cost", LF_COL_MONEY,
     "Spend on the period's days, every channel and unattributed spend included; a spend row is "
     "spread evenly over its days, and a day counts once it began before as-of."},
    {"leads", LF_COL_COUNT, REP_DEF_LEADS_FLOW},
    {"mqls", LF_COL_COUNT, REP_DEF_MQLS_FLOW},
    {"sqls", LF_COL_COUNT, REP_DEF_SQLS_FLOW},
    {"cost_per_lead", LF_COL_MONEY, "cost / leads."},
    {"cost_per_mql", LF_COL_MONEY, "cost / mqls."},
    {"cost_per_sql", LF_COL_MONEY, "cost / sqls: the period's spend per SQL of the same period."},
    {"lag_days", LF_COL_COUNT,
     "Days from spend to result: cost.lag_days, or with auto the mean calendar days from "
     "created_at to sql entry over the sql entries in the range, rounded half up (0 if none)."},
    {"lagged_cost", LF_COL_MONEY,
     "Spend on the period's days shifted lag_days earlier: the spend that could have produced "
     "the period's SQLs."},
    {"lagged_cost_per_sql", LF_COL_MONEY, "lagged_cost / sqls."},
    {NULL, 0, NULL},
};

typedef struct cost_row {
    double cost, lagged;
    int64_t leads, mqls, sqls;
} cost_row;

/* lag_days with `auto`: the mean of (sql entry - created_at) over the entries into sql
 * in the range, in days, rounded half up; 0 when there are none. Exact: the sum is
 * kept as whole days plus a remainder in microseconds, so no rounding error can move
 * a mean of exactly k + 0.5 below the half. *n_out = the number of entries. */
static int32_t auto_lag(const rep_ctx *c, size_t *n_out, double *mean_out)
{
    const lf_dataset *ds = c->ds;
    const uint64_t day = (uint64_t)LF_USEC_PER_DAY;
    uint64_t whole = 0, rem = 0, n = 0;
    for (size_t i = 0; i < ds->ntrans; i++) {
        const lf_ds_transition *tr = &ds->trans[i];
        if (tr->to != LF_STAGE_SQL || tr->lead >= ds->nleads || rep_bucket(c, tr->ts) < 0)
            continue;
        lf_time created = ds->leads[tr->lead].created_at;
        /* the lifecycle never enters sql before created_at; clamp to be safe */
        uint64_t d = tr->ts > created ? (uint64_t)tr->ts - (uint64_t)created : 0;
        whole += d / day;
        rem += d % day;
        if (rem >= day) {
            whole++;
            rem -= day;
        }
        n++;
    }
    *n_out = (size_t)n;
    if (n == 0) {
        *mean_out = 0;
        return 0;
    }
    /* mean = q + (r x day + rem) / (n x day) with whole = q x n + r, 0 <= r < n */
    uint64_t q = whole / n, r = whole % n;
    uint64_t frac_num = r * day + rem, frac_den = n * day;
    *mean_out = (double)q + (double)frac_num / (double)frac_den;
    uint64_t lag = q + (2 * frac_num >= frac_den ? 1 : 0);
    return lag > INT32_MAX / 2 ? INT32_MAX / 2 : (int32_t)lag;
}

static void set_row(lf_table *t, long row, const cost_row *r, int32_t lag)
{
    lf_cell_set_num(lf_table_cell(t, row, C_COST), r->cost);
    lf_cell_set_num(lf_table_cell(t, row, C_LEADS), (double)r->leads);
    lf_cell_set_num(lf_table_cell(t, row, C_MQLS), (double)r->mqls);
    lf_cell_set_num(lf_table_cell(t, row, C_SQLS), (double)r->sqls);
    lf_cell_set_ratio(lf_table_cell(t, row, C_PER_LEAD), r->cost, (double)r->leads);
    lf_cell_set_ratio(lf_table_cell(t, row, C_PER_MQL), r->cost, (double)r->mqls);
    lf_cell_set_ratio(lf_table_cell(t, row, C_PER_SQL), r->cost, (double)r->sqls);
    lf_cell_set_num(lf_table_cell(t, row, C_LAG), (double)lag);
    lf_cell_set_num(lf_table_cell(t, row, C_LAGGED), r->lagged);
    lf_cell_set_ratio(lf_table_cell(t, row, C_LAGGED_PER_SQL), r->lagged, (double)r->sqls);
}

static lf_status add_notes(const rep_ctx *c, lf_table *t, int32_t lag, size_t nsql, double mean)
{
    lf_status s;
    if (c->cfg->lag_auto)
        s = lf_table_add_note(t,
                              "lag_days %d (auto): the mean of %.2f calendar days from lead "
                              "creation to SQL over %zu SQL entr%s in the range, rounded half up",
                              (int)lag, mean, nsql, nsql == 1 ? "y" : "ies");
    else
        s = lf_table_add_note(t, "lag_days %d: cost.lag_days in the configuration", (int)lag);
    if (s == LF_OK)
        s = lf_table_add_note(t, "lagged_cost: the spend of each period's days shifted lag_days "
                                 "earlier, set against the period's SQLs: spend precedes "
                                 "results (leads and SQLs arrive days to months after the "
                                 "money is spent), so same-period cost per SQL overstates it "
                                 "while spend grows and understates it while spend shrinks");
    if (s == LF_OK)
        s = lf_table_add_note(t, "spend counts on days that began before as-of; a month's "
                                 "amount is spread evenly over its calendar days");
    return s;
}

lf_status lf_report_cost(const lf_report_args *a, lf_table **out, lf_error *err)
{
    *out = NULL;
    rep_ctx c;
    lf_status s = rep_begin(&c, a, err);
    if (s != LF_OK)
        return s;
    const lf_dataset *ds = c.ds;
    size_t nb = c.per.n;
    cost_row *r = calloc(nb, sizeof *r);
    double *acc = calloc(2 * nb, sizeof *acc); /* cost, then lagged cost, per bucket */
    lf_table *t = NULL;
    if (!r || !acc)
        s = lf_errorf(err, LF_ENOMEM, "out of memory");

    size_t nsql = 0;
    double mean = 0;
    int32_t lag = 0;
    if (s == LF_OK)
        lag = c.cfg->lag_auto ? auto_lag(&c, &nsql, &mean)
                              : (c.cfg->lag_days > 0 ? c.cfg->lag_days : 0);
    if (s == LF_OK) {
        int32_t cut = rep_first_uncounted_day(&c);
        for (size_t i = 0; i < ds->ncosts; i++) {
            rep_spread_buckets(&c, &ds->costs[i], 0, cut, acc);
            rep_spread_buckets(&c, &ds->costs[i], lag, cut, acc + nb);
        }
        for (size_t i = 0; i < ds->nleads; i++) {
            long b = rep_bucket(&c, ds->leads[i].created_at);
            if (b >= 0)
                r[b].leads++;
        }
        for (size_t i = 0; i < ds->nhandoffs; i++) {
            long b = rep_bucket(&c, ds->handoffs[i].mql_at);
            if (b >= 0)
                r[b].mqls++;
        }
        for (size_t i = 0; i < ds->ntrans; i++) {
            if (ds->trans[i].to != LF_STAGE_SQL)
                continue;
            long b = rep_bucket(&c, ds->trans[i].ts);
            if (b >= 0)
                r[b].sqls++;
        }
        s = rep_table(&c, "cost", true, rep_cols_cost, C_N, &t, err);
    }
    if (s == LF_OK) {
        cost_row tot = {0, 0, 0, 0, 0};
        for (size_t b = 0; b < nb; b++) {
            r[b].cost = acc[b];
            r[b].lagged = acc[nb + b];
            set_row(t, (long)b, &r[b], lag);
            tot.cost += r[b].cost;
            tot.lagged += r[b].lagged;
            tot.leads += r[b].leads;
            tot.mqls += r[b].mqls;
            tot.sqls += r[b].sqls;
        }
        set_row(t, -1, &tot, lag);
        if (add_notes(&c, t, lag, nsql, mean) != LF_OK)
            s = lf_errorf(err, LF_ENOMEM, "out of memory");
    }
    if (s == LF_OK && lf_report_mark_missing(a->ds, t) != LF_OK)
        s = lf_errorf(err, LF_ENOMEM, "out of memory");
    free(r);
    free(acc);
    rep_end(&c);
    return rep_finish(s, t, out);
}
