/*
 * app_plan.h — the reverse-funnel plan (SPEC §6) for the front ends: from the values a
 * user typed (a revenue goal, optional deal size and rates, months, as-of, a format)
 * to the plan rendered as bytes (a terminal table or JSON). Validation of those values
 * lives here so every front end refuses the same inputs with the same messages.
 *
 * The workspace is optional: its leadflow.yaml, when present, gives the zone (for
 * as-of and the month of as-of) and the business calendar (for months); without one,
 * UTC and the default calendar are used. The store is opened only when history must
 * supply a value that was not given.
 */
#ifndef LEADFLOW_APP_PLAN_H
#define LEADFLOW_APP_PLAN_H

#include <stdbool.h>

#include "leadflow/app.h"
#include "leadflow/buf.h"
#include "leadflow/error.h"

/* The values of a plan's steps, in step order: deal size, close rate (SQL ->
 * customer), MQL-to-SQL, lead-to-MQL, visit rate (visitor -> lead); on the command
 * line --deal-size, --close-rate, --sql-rate, --mql-rate, --visit-rate. */
#define LF_APP_PLAN_NVALUES 5

typedef struct lf_app_plan_args {
    const char *revenue;                      /* the revenue goal (required) */
    const char *value[LF_APP_PLAN_NVALUES];   /* as typed; NULL = not given */
    const char *months;                       /* NULL = no per-period figures */
    const char *as_of;                        /* NULL = now */
    const char *format;                       /* "table" (NULL) or "json" */
    bool from_history;                        /* values not given come from history */
} lf_app_plan_args;

/* Validates the arguments, runs the planner and appends the plan in a->format to out
 * (borrowed; the caller owns it). Returns LF_OK; LF_EUSAGE for an invalid argument
 * (err = "--close-rate must be ...", nothing appended); LF_ECONFIG / LF_ESTORE /
 * LF_ENOMEM when the workspace's configuration or store fails; LF_EINPUT when history
 * cannot give a value asked of it (the steps computed before it are appended, err =
 * "cannot compute leads: ..."). */
lf_status lf_app_plan(lf_workspace *ws, const lf_app_plan_args *a, lf_buf *out, lf_error *err);

#endif
