/*
 * deliver_pacing.h — pacing.behind (private to src/app; deliver_pacing.c): the month's
 * pacing as the `bizday` report computes it, and the alert when it is behind.
 */
#ifndef LEADFLOW_APP_DELIVER_PACING_H
#define LEADFLOW_APP_DELIVER_PACING_H

#include <jansson.h>
#include <stdint.h>

#include "leadflow/app.h"
#include "leadflow/error.h"
#include "leadflow/time.h"

/* The pacing object of the `bizday` report as of `at` (goal, mtd, bdays_elapsed,
 * bdays_left, projected, required_per_bday) with "month": "YYYY-MM", into *out (a new
 * reference; json null when the month has no pacing). */
lf_status lf_deliver_pacing_data(lf_workspace *ws, lf_time at, json_t **out, lf_error *err);
/* On a business day whose projection (as of now) is below the month's goal, adds one
 * pacing.behind per listening webhook for that day (lead 0, subject = the local day),
 * in a write transaction of its own; *added counts them. */
lf_status lf_deliver_pacing_enqueue(lf_workspace *ws, lf_time now, int64_t *added,
                                    lf_error *err);

#endif
