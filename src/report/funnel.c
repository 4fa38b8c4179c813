/*
 * funnel.c — the `funnel` report (SPEC §5): one row per stage, path stages first
 * (lead, mql, sql, opportunity, customer), then recycled, disqualified, lost; no total
 * (JSON "total": null).
 *
 * One pass over every lead's transitions (time order, creation first) computes:
 *  - balance: the stage at instant c = just before the range's end, or as-of if that
 *    is earlier: the `to` of the last transition with ts < start(to) and ts <= as-of
 *    (a lead not created by then is in no stage);
 *  - in_flow / out_flow: transitions into / out of the stage in the range (the creation
 *    is an entry into `lead`);
 *  - reached: of the leads created in the range, those that entered the stage or a
 *    later path stage by as-of (off-path rows: entered that stage); a skip enters
 *    every stage after mql at one instant, so "or a later path stage" matters only
 *    for `mql`, which a skip (lead -> sql) passes by;
 *  - median_hours_in_stage: over exits in the range, exit ts minus the ts of the
 *    transition that entered the stage (the lead's previous transition, since each
 *    transition starts where the previous one ended).
 * conversion_from_previous = reached / reached of the previous path stage (null for
 * lead and off-path rows); conversion_from_lead = reached / leads created in the range
 * (null for off-path rows).
 */
#include <string.h>

#include "report/report_util.h"

enum { C_STAGE, C_BALANCE, C_IN, C_OUT, C_REACHED, C_CONV_PREV, C_CONV_LEAD, C_MEDIAN, C_N };

const lf_col_spec rep_cols_funnel[C_N + 1] = {
    {"stage", LF_COL_TEXT,
     "Lifecycle stage: the path lead, mql, sql, opportunity, customer first, then off the path "
     "recycled, disqualified, lost."},
    {"balance", LF_COL_COUNT,
     "Leads in the stage just before the end of the range (or at as-of if earlier): a "
     "snapshot, neither flow nor cohort."},
    {"in_flow", LF_COL_COUNT,
     "Flow: entries into the stage in the range (a lead's creation is its entry into lead)."},
    {"out_flow", LF_COL_COUNT, "Flow: exits from the stage in the range."},
    {"reached", LF_COL_COUNT,
     "Cohort by created_at: leads created in the range that entered this stage or a later path "
     "stage by as-of (off-path rows: that entered this stage)."},
    {"conversion_from_previous", LF_COL_RATE,
     "reached / reached of the previous path stage (cohort by created_at); empty for lead and "
     "the off-path stages."},
    {"conversion_from_lead", LF_COL_RATE,
     "reached / leads created in the range (cohort by created_at); empty for the off-path "
     "stages."},
    {"median_hours_in_stage", LF_COL_HOURS,
     "Median calendar hours from entering the stage to leaving it, over the exits in the range "
     "(flow)."},
    {NULL, 0, NULL},
};

typedef struct funnel_counts {
    int64_t balance[LF_STAGE_COUNT];
    int64_t in[LF_STAGE_COUNT];
    int64_t out[LF_STAGE_COUNT];
    int64_t reached[LF_STAGE_COUNT];
    int64_t created; /* leads created in the range */
} funnel_counts;

static bool is_path(unsigned s)
{
    return s <= LF_STAGE_CUSTOMER;
}

/* Adds one lead's transitions to the counts and exits to the samples. */
static lf_status scan_lead(const rep_ctx *c, const lf_ds_lead *l, funnel_counts *k,
                           rep_samples *hours)
{
    const lf_ds_transition *tr = c->ds->trans + l->trans;
    bool created_in = rep_bucket(c, l->created_at) >= 0;
    int balance = -1, max_path = -1;
    unsigned entered = 0; /* off-path stages entered by as-of */
    for (uint32_t i = 0; i < l->ntrans; i++) {
        const lf_ds_transition *t = &tr[i];
        if (t->ts > c->as_of)
            break; /* nothing after as-of exists; transitions are in time order */
        if (t->to >= LF_STAGE_COUNT)
            continue;
        if (t->ts < c->r1)
            balance = t->to;
        if (created_in) {
            if (is_path(t->to))
                max_path = t->to > max_path ? t->to : max_path;
            else
                entered |= 1u << t->to;
        }
        if (t->ts < c->r0 || t->ts >= c->r1)
            continue;
        k->in[t->to]++;
        if (t->from < LF_STAGE_COUNT) {
            k->out[t->from]++;
            if (i > 0 && rep_samples_add(hours, t->from, rep_hours(t->ts - tr[i - 1].ts)))
                return LF_ENOMEM;
        }
    }
    if (balance >= 0)
        k->balance[balance]++;
    if (created_in) {
        k->created++;
        for (int s = 0; s <= max_path; s++)
            k->reached[s]++;
        for (unsigned s = LF_STAGE_RECYCLED; s < LF_STAGE_COUNT; s++)
            if (entered & (1u << s))
                k->reached[s]++;
    }
    return LF_OK;
}

static lf_status fill(const funnel_counts *k, const rep_samples *hours, lf_table *t)
{
    for (unsigned s = 0; s < LF_STAGE_COUNT; s++) {
        long row = lf_table_add_row(t);
        if (row < 0 ||
            lf_cell_set_text(lf_table_cell(t, row, C_STAGE), lf_stage_name((lf_stage)s)) != LF_OK)
            return LF_ENOMEM;
        lf_cell_set_num(lf_table_cell(t, row, C_BALANCE), (double)k->balance[s]);
        lf_cell_set_num(lf_table_cell(t, row, C_IN), (double)k->in[s]);
        lf_cell_set_num(lf_table_cell(t, row, C_OUT), (double)k->out[s]);
        lf_cell_set_num(lf_table_cell(t, row, C_REACHED), (double)k->reached[s]);
        if (is_path(s) && s > LF_STAGE_LEAD)
            lf_cell_set_ratio(lf_table_cell(t, row, C_CONV_PREV), (double)k->reached[s],
                              (double)k->reached[s - 1]);
        if (is_path(s))
            lf_cell_set_ratio(lf_table_cell(t, row, C_CONV_LEAD), (double)k->reached[s],
                              (double)k->created);
        const double *v;
        size_t n = rep_samples_get(hours, s, &v);
        rep_set_median(lf_table_cell(t, row, C_MEDIAN), v, n);
    }
    return LF_OK;
}

lf_status lf_report_funnel(const lf_report_args *a, lf_table **out, lf_error *err)
{
    *out = NULL;
    rep_ctx c;
    lf_status s = rep_begin(&c, a, err);
    if (s != LF_OK)
        return s;
    funnel_counts k;
    memset(&k, 0, sizeof k);
    rep_samples hours;
    rep_samples_init(&hours);
    for (size_t i = 0; i < c.ds->nleads && s == LF_OK; i++)
        s = scan_lead(&c, &c.ds->leads[i], &k, &hours);
    if (s == LF_OK)
        s = rep_samples_sort(&hours, LF_STAGE_COUNT);
    if (s != LF_OK)
        s = lf_errorf(err, LF_ENOMEM, "out of memory");
    lf_table *t = NULL;
    if (s == LF_OK)
        s = rep_table(&c, "funnel", false, rep_cols_funnel, C_N, &t, err);
    if (s == LF_OK && fill(&k, &hours, t) != LF_OK)
        s = lf_errorf(err, LF_ENOMEM, "out of memory");
    rep_samples_release(&hours);
    rep_end(&c);
    return rep_finish(s, t, out);
}
