/*
 * report_util.h — private helpers shared by the report functions (src/report/).
 *
 * rep_ctx holds what every report derives from its arguments once: the zone, the
 * buckets, the range as UTC instants and as-of. rep_bucket places an instant in a
 * bucket (binary search, no zone conversion) and applies SPEC §5's "in the range":
 * inside [from, to) and not after as-of. rep_samples collects (group, value) pairs for
 * medians and p90 and sorts them all in O(n) (radix sort); rep_tally counts names per
 * group for object cells (mqls_by_channel, rejected_by_reason). Not part of the
 * public API.
 */
#ifndef LEADFLOW_REPORT_UTIL_H
#define LEADFLOW_REPORT_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "leadflow/report.h"

typedef struct rep_ctx {
    const lf_report_args *a;
    const lf_config *cfg;
    const lf_dataset *ds;
    const lf_tz *tz; /* the workspace zone (never NULL) */
    lf_periods per;  /* buckets of the range */
    lf_time r0, r1;  /* the range as instants [r0, r1) */
    lf_time as_of;
} rep_ctx;

/* Fills c from a (computes the buckets). Release with rep_end. */
lf_status rep_begin(rep_ctx *c, const lf_report_args *a, lf_error *err);
void rep_end(rep_ctx *c);

/* Bucket of t if t is in the range and not after as-of, else -1 (also for NONE). */
static inline long rep_bucket(const rep_ctx *c, lf_time t)
{
    if (t == LF_TIME_NONE || t > c->as_of || t < c->r0 || t >= c->r1)
        return -1;
    return lf_periods_find(&c->per, t);
}

/* Whether t happened by as-of (NONE never does). */
static inline bool rep_by_as_of(const rep_ctx *c, lf_time t)
{
    return t != LF_TIME_NONE && t <= c->as_of;
}

static inline double rep_hours(int64_t usec)
{
    return (double)usec / (double)LF_USEC_PER_HOUR;
}

static inline double rep_days(int64_t usec)
{
    return (double)usec / (double)LF_USEC_PER_DAY;
}

/* The name of id (the empty string for unknown ids). */
const char *rep_name(const lf_dataset *ds, uint32_t id);

/* ---- tables ---------------------------------------------------------------------- */

/* A new table for `report` with the given columns (cols[0] is the dimension, TEXT),
 * their definitions included. With `periods`: one row per bucket labelled with the
 * period (row i = bucket i) and a total row labelled "total". Without: no rows, no
 * total, `by` NULL. */
lf_status rep_table(const rep_ctx *c, const char *report, bool periods, const lf_col_spec *cols,
                    size_t ncols, lf_table **out, lf_error *err);

/* The columns of every report with their definitions (table.h: lf_col_spec), each
 * ended by {NULL}: defined beside the code that computes them (funnel.c, handoff.c,
 * velocity.c, cost.c, bizday.c, contribution.c, bands.c), built into the tables by
 * rep_table and listed by the presentations (registry.c: lf_present.cols). */
extern const lf_col_spec rep_cols_funnel[], rep_cols_mql[], rep_cols_sql[], rep_cols_velocity[],
    rep_cols_speed[], rep_cols_cost[], rep_cols_bizday[], rep_cols_persona[], rep_cols_channel[],
    rep_cols_segment[], rep_cols_customers[], rep_cols_scoring[];

/* Definitions several reports share word for word (the same column name means the
 * same formula in every report). */
#define REP_DEF_PERIOD                                                                         \
    "The row's period (--by: day, week from its Monday, month, quarter, year; the first "     \
    "and last cut to the range); total covers the whole range."
#define REP_DEF_LEADS_FLOW "Flow: leads created in the period."
#define REP_DEF_MQLS_FLOW                                                                      \
    "Flow: MQLs, i.e. handoffs to sales opened (mql_at) in the period; a lead that "          \
    "re-qualifies counts again."
#define REP_DEF_SQLS_FLOW                                                                      \
    "Flow: entries into sql in the period by any route (accepted handoffs and skips, such as " \
    "sales-sourced leads)."
#define REP_DEF_HANDOFFS                                                                       \
    "Cohort by mql_at: handoffs (MQLs handed to sales) opened in the period, followed up to "   \
    "as-of."
#define REP_DEF_ACCEPTANCE                                                                     \
    "accepted / (accepted + rejected): the share of the handoffs sales decided on that it "    \
    "accepted (cohort by mql_at)."
#define REP_DEF_L2C                                                                            \
    "Cohort by created_at: leads created in the period that are customers by as-of / leads " \
    "created in the period (benchmark: 2-5%)."

/* The end of a report function: with s == LF_OK hands t to the caller (*out = t),
 * else frees t (NULL is fine) and leaves *out as it was. Returns s. */
lf_status rep_finish(lf_status s, lf_table *t, lf_table **out);

/* Statistics over sorted values; they leave the cell null when n == 0. Median of an
 * even count = mean of the two middle values. rep_set_p90: see report_util.c. */
void rep_set_mean(lf_cell *cell, const double *v, size_t n);
void rep_set_median(lf_cell *cell, const double *v, size_t n);
void rep_set_p90(lf_cell *cell, const double *v, size_t n);
double rep_median(const double *v, size_t n);
double rep_quantile(const double *v, size_t n, double q);

/* ---- samples for medians ----------------------------------------------------------- */

typedef struct rep_item {
    uint64_t key;
    uint32_t group;
} rep_item;

typedef struct rep_samples {
    rep_item *items; /* collected pairs; freed by rep_samples_sort */
    size_t n, cap;
    size_t ngroups;
    double *all; /* after sort: every value, ascending */
    double *v;   /* after sort: values grouped, each group ascending */
    size_t *off; /* after sort: group g is v[off[g] .. off[g + 1]) */
} rep_samples;

void rep_samples_init(rep_samples *s);
void rep_samples_release(rep_samples *s);
lf_status rep_samples_add(rep_samples *s, uint32_t group, double v);
/* Sorts; groups are 0 .. ngroups-1 (pairs with a larger group are dropped). */
lf_status rep_samples_sort(rep_samples *s, size_t ngroups);
/* Values of group g (ascending); g == ngroups gives every value. Returns the count. */
size_t rep_samples_get(const rep_samples *s, size_t g, const double **v);

/* ---- name tallies for object cells --------------------------------------------------- */

typedef enum rep_order {
    REP_ORDER_NAME = 0, /* keys by name (byte order) */
    REP_ORDER_COUNT     /* by count descending, then name */
} rep_order;

typedef struct rep_tally {
    rep_item *items; /* key = group << 32 | name id */
    size_t n, cap;
} rep_tally;

void rep_tally_init(rep_tally *t);
void rep_tally_release(rep_tally *t);
lf_status rep_tally_add(rep_tally *t, uint32_t group, uint32_t name);
/* Writes column `col` of rows 0 .. ngroups-1 (row g = group g) and of the total row
 * (every group) as objects name -> count (LF_COL_COUNT) in `order`. Name id 0 is shown
 * as `empty_key`; equal keys are merged. A row with nothing gets an empty object. */
lf_status rep_tally_fill(rep_tally *t, const lf_dataset *ds, const char *empty_key, rep_order order,
                         lf_table *tab, int col, size_t ngroups, lf_error *err);

/* ---- spend and visitors spread over days ------------------------------------------- */

/* A spend or traffic row covers local days [day_from, day_to) (a month row its calendar
 * days, a day row one day) and is spread evenly over them. A day counts once it has
 * begun before as-of: days before rep_first_uncounted_day(c) count. */
int32_t rep_first_uncounted_day(const rep_ctx *c);
/* The share of a's amount on local days [d0, d1): amount x days / span (multiplied
 * before dividing, so whole amounts per day stay exact); 0 when they do not meet. */
double rep_share(const lf_ds_amount *a, int32_t d0, int32_t d1);
/* Adds to acc[b], for each bucket b, the share of a on bucket b's days shifted `shift`
 * days earlier (the row moved `shift` days later lands on the bucket), counting only
 * the row's days before `cut`. Linear in the buckets the row touches. */
void rep_spread_buckets(const rep_ctx *c, const lf_ds_amount *a, int32_t shift, int32_t cut,
                        double *acc);

/* ---- the SLA clock -------------------------------------------------------------------- */

/* Whether the SLA is on the business clock. */
bool rep_sla_business(const lf_config *cfg);
/* Hours from a to b on the SLA clock (the calendar clock when no SLA is configured). */
double rep_sla_hours(const lf_config *cfg, lf_time a, lf_time b);
/* "2bd on the business clock" (the duration as written, else derived from usec). */
void rep_duration_text(const lf_duration *d, char *buf, size_t size);

#endif
