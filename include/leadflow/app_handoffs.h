/*
 * app_handoffs.h — the sales queue: handoffs with their deadline and the SLA time left
 * (application layer; src/app/app_handoffs.c). What `GET /v1/handoffs` of SPEC §8 and
 * the dashboard's queue show.
 *
 * The handoffs come from the report dataset (leadflow/app_dataset.h: pending leads are
 * replayed in memory, so the queue never shows rows without their derived state), the
 * deadline from the SLA of the configuration (SPEC §3: the first instant at which the
 * SLA-clock time since mql_at reaches sla.accept_within), the time left on that clock.
 *
 * Order: oldest deadline first, then mql_at, then lead id (a total order, so a cursor
 * names a position). A handoff without a deadline (the workspace has no SLA) sorts
 * after every one with a deadline.
 *
 * Ownership: *out and every lead_id in it are owned by the caller, released with
 * lf_app_handoffs_free.
 */
#ifndef LEADFLOW_APP_HANDOFFS_H
#define LEADFLOW_APP_HANDOFFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "leadflow/app.h"
#include "leadflow/config.h"
#include "leadflow/error.h"
#include "leadflow/time.h"

typedef struct lf_app_handoff {
    const char *lead_id;
    lf_time mql_at, deadline, decided_at; /* deadline LF_TIME_NONE without an SLA;
                                             decided_at LF_TIME_NONE while pending */
    uint8_t outcome;                      /* lf_outcome */
    bool overdue;                         /* pending and its deadline is before now */
    int64_t left_usec; /* SLA-clock time left, negative when overdue */
} lf_app_handoff;

/* The handoffs of status ("pending", "accepted", "rejected", "all"; NULL = "pending")
 * -- of those only the overdue ones when overdue_only -- in the order above, after the
 * position `after` names (a cursor returned earlier; NULL or "" = from the start), at
 * most limit (1..1000; 0 = 100) into *out / *n. next_cursor is the cursor of the last
 * one returned when more follow, else "". The decision state and the time left are
 * taken at `now` (a decision after now is still pending). LF_EUSAGE for an unknown
 * status, a limit above 1000 or a cursor that is not one of ours; LF_ESTORE /
 * LF_ENOMEM / LF_ECONFIG as the workspace reports them. */
lf_status lf_app_handoffs(lf_workspace *ws, const char *status, bool overdue_only, size_t limit,
                          const char *after, lf_time now, lf_app_handoff **out, size_t *n,
                          char next_cursor[64], lf_error *err);
/* The same, every one at once (the CLI's export, the overdue pass of `deliver`): one
 * load of the dataset and one pass over the lead ids, which paging by cursor would
 * repeat for every page. */
lf_status lf_app_handoffs_all(lf_workspace *ws, const char *status, bool overdue_only,
                              lf_time now, lf_app_handoff **out, size_t *n, lf_error *err);
/* How many handoffs are pending at now (opened by now, not decided by now) and how
 * many of those are overdue (for /metrics). */
lf_status lf_app_handoff_counts(lf_workspace *ws, lf_time now, int64_t *open, int64_t *overdue,
                                lf_error *err);

/* The deadline of a handoff opened at mql_at under cfg's SLA (SPEC §3), LF_TIME_NONE
 * without an SLA (or when the business clock has no working time). */
lf_time lf_app_sla_deadline(const lf_config *cfg, lf_time mql_at);

/* Frees what lf_app_handoffs returned (NULL is fine). */
void lf_app_handoffs_free(lf_app_handoff *h, size_t n);

#endif
