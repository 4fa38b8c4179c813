/*
 * plan.h — the reverse-funnel planner (SPEC §6): from a revenue goal back to the
 * deals, SQLs, MQLs, leads and visitors needed, rounding up at every step.
 *
 *   deals    = ceil(revenue / deal_size)
 *   sqls     = ceil(deals / close_rate)      close rate: SQL -> customer
 *   mqls     = ceil(sqls / sql_rate)         MQL -> SQL
 *   leads    = ceil(mqls / mql_rate)         lead -> MQL
 *   visitors = ceil(leads / visit_rate)      visitor -> lead
 *
 * Every input is an exact fraction (lf_plan_value: num / den, e.g. "0.25" = 25/100,
 * a history rate = 3 customers / 7 SQL entries), and each step is computed as one
 * exact integer ceiling of a fraction, so ceil(10000000 / 50000) is 200, never 201
 * from a floating-point error. A value neither given nor computable from history
 * stops the plan at that step: the steps before it are kept.
 *
 * The planner is pure: lf_plan_history reads a dataset, lf_plan_run does arithmetic.
 * Nothing here allocates; the structs are plain values owned by the caller.
 */
#ifndef LEADFLOW_PLAN_H
#define LEADFLOW_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "leadflow/config.h"
#include "leadflow/dataset.h"
#include "leadflow/error.h"
#include "leadflow/time.h"

typedef enum lf_plan_step {
    LF_PLAN_DEALS = 0, /* value: deal size (money) */
    LF_PLAN_SQLS,      /* value: close rate, SQL -> customer */
    LF_PLAN_MQLS,      /* value: MQL -> SQL */
    LF_PLAN_LEADS,     /* value: lead -> MQL */
    LF_PLAN_VISITORS,  /* value: visitor -> lead */
    LF_PLAN_NSTEPS
} lf_plan_step;

typedef enum lf_plan_source {
    LF_PLAN_NONE = 0, /* not computed */
    LF_PLAN_GIVEN,    /* from the command line */
    LF_PLAN_HISTORY   /* from the history window */
} lf_plan_source;

/* An exact non-negative fraction num / den (den > 0 when set). */
typedef struct lf_plan_value {
    uint64_t num, den;
} lf_plan_value;

typedef struct lf_plan_input {
    lf_plan_value revenue;                 /* > 0 */
    lf_plan_value value[LF_PLAN_NSTEPS];   /* deal size (> 0), then rates in (0, 1] */
    bool given[LF_PLAN_NSTEPS];
    bool from_history;                     /* take values not given from history */
    int months;                            /* > 0: also per month and business day */
} lf_plan_input;

/* What the history window says, as counts: value[k] = num[k] / den[k].
 *   deals:    num = revenue of the customers won (cents), den = customers won x 100
 *   sqls:     num = customers won, den = entries into sql
 *   mqls:     num = handoffs accepted by as-of, den = handoffs opened
 *   leads:    num = leads created that have a handoff by as-of, den = leads created
 *   visitors: num = leads created, den = visitors (spread like spend) */
typedef struct lf_plan_history {
    int32_t from_day, to_day;              /* the window: local days [from, to) */
    char label[40];                        /* "2025-04..2026-03" */
    bool negative_revenue;                 /* the customers' revenue sums below 0 */
    uint64_t num[LF_PLAN_NSTEPS];
    uint64_t den[LF_PLAN_NSTEPS];
} lf_plan_history;

typedef struct lf_plan {
    size_t nsteps;                         /* steps computed; LF_PLAN_NSTEPS = complete */
    uint64_t count[LF_PLAN_NSTEPS];
    double value[LF_PLAN_NSTEPS];          /* the deal size / rate used */
    lf_plan_value frac[LF_PLAN_NSTEPS];    /* the same as an exact fraction */
    lf_plan_source source[LF_PLAN_NSTEPS];
    char history[40];                      /* window label, "" when history not used */
    int months;                            /* 0: no per-period figures */
    int32_t months_from_day, months_to_day;/* the M calendar months from as-of's month */
    int32_t business_days;                 /* business days in them */
    double per_month[LF_PLAN_NSTEPS];      /* count / months */
    double per_bday[LF_PLAN_NSTEPS];       /* count / business_days (0 when none) */
    char stop[256];                        /* why the plan stopped ("" when complete) */
} lf_plan;

/* The history window of SPEC §6: the 12 calendar months before the month of as-of
 * (local, in cfg's zone), with the counts above; everything after as-of is ignored. */
void lf_plan_history_compute(const lf_dataset *ds, const lf_config *cfg, lf_time as_of,
                             lf_plan_history *h);

/* Runs the planner. hist may be NULL (no history loaded). cfg gives the zone and the
 * business calendar for --months. A plan stops at the first step whose value is
 * neither given nor taken from history; out->nsteps steps are valid and out->stop says
 * why ("no lead-to-MQL rate given: pass --mql-rate or --from-history"). Returns LF_OK
 * when every step was computed or the plan stopped at a value the caller did not ask
 * for (neither given nor --from-history: the plan is as long as asked); LF_EINPUT
 * when history was asked for and cannot give the value (err = "cannot compute leads:
 * " + out->stop); LF_EUSAGE for an invalid input (a rate outside (0, 1], a zero
 * revenue). */
lf_status lf_plan_run(const lf_plan_input *in, const lf_plan_history *hist, const lf_config *cfg,
                      lf_time as_of, lf_plan *out, lf_error *err);

/* "deals", "sqls", "mqls", "leads", "visitors". */
const char *lf_plan_step_name(lf_plan_step s);
/* The command-line flag that gives a step's value ("--deal-size", "--close-rate",
 * "--sql-rate", "--mql-rate", "--visit-rate"). */
const char *lf_plan_flag(lf_plan_step s);
/* What a step's value is called in messages ("deal size", "close rate", ...). */
const char *lf_plan_value_name(lf_plan_step s);

/* Parses a plain non-negative decimal ("10000000", "0.25", ".5", "12.50": digits with
 * at most one '.', no sign, exponent or separators; at most 18 significant digits)
 * into an exact fraction. Returns false when s is not such a number. */
bool lf_plan_parse_value(const char *s, lf_plan_value *out);

/* ceil(a x b / (c x d)) computed exactly in 128-bit arithmetic; false when c x d is
 * 0 or the result does not fit in 64 bits. Exposed for tests. */
bool lf_plan_ceil_fraction(uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t *out);

#endif
