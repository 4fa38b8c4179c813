/*
 * app_deliver.h — alerts and their delivery (application layer; src/app/app_deliver.c,
 * webhook.c): what `leadflow deliver` runs once and `leadflow serve` runs in a loop.
 *
 * handoff.opened and handoff.decided are added to the store's outbox by the replay
 * that makes the change (leadflow/alerts.h). Alerts that fall due with time are added
 * here: handoff.overdue once per handoff whose SLA deadline has passed while it is
 * still pending, pacing.behind at most once per business day while the month's
 * projected MQLs (the `bizday` report's pacing) are below the goal.
 *
 * A delivery is `POST url` with the body {"id", "type", "created_at", "data"} and the
 * headers Leadflow-Delivery: ID and Leadflow-Signature: t=UNIX,v1=HEX, HEX the
 * HMAC-SHA256 of "UNIX.BODY" under the secret in the environment variable the webhook
 * names. A 2xx answer delivers it; a timeout, a connection error or another status is
 * retried with exponential backoff and jitter until 24 hours after the first attempt,
 * then it is failed. The body is built at the first attempt and kept, so every retry
 * sends the same bytes under the same id. docs/alerts.md has the details.
 */
#ifndef LEADFLOW_APP_DELIVER_H
#define LEADFLOW_APP_DELIVER_H

#include <stdbool.h>
#include <stdint.h>

#include "leadflow/app.h"
#include "leadflow/error.h"
#include "leadflow/time.h"

typedef struct lf_app_deliver_stats {
    int64_t due;        /* alerts that fell due and were added (overdue, pacing) */
    int64_t sent;       /* deliveries answered 2xx */
    int64_t retrying;   /* attempts that failed and will be retried */
    int64_t failed;     /* deliveries given up on (24 hours of attempts) */
} lf_app_deliver_stats;

/* Adds every alert that is due at now (lf_time_now() when LF_TIME_NONE): pending
 * replays are finished first, so the handoffs are those of the events. */
lf_status lf_app_deliver_enqueue(lf_workspace *ws, lf_time now, lf_app_deliver_stats *stats,
                                 lf_error *err);
/* Sends every delivery due now once, in order per lead and endpoint. `stop` (may be
 * NULL) is asked between deliveries; when it returns true the pass ends early (what
 * was not attempted stays due). Counts go to *stats (zeroed by the caller). */
lf_status lf_app_deliver_send(lf_workspace *ws, bool (*stop)(void *ctx), void *stop_ctx,
                              lf_app_deliver_stats *stats, lf_error *err);
/* lf_app_deliver_enqueue, then lf_app_deliver_send: `leadflow deliver`. */
lf_status lf_app_deliver_run(lf_workspace *ws, bool (*stop)(void *ctx), void *stop_ctx,
                             lf_app_deliver_stats *stats, lf_error *err);

/* One delivery for `deliver --list`; strings valid during the callback. */
typedef struct lf_app_delivery {
    char id[48];            /* the delivery id (Leadflow-Delivery) */
    const char *type, *endpoint;
    const char *lead_id;    /* NULL for a workspace alert */
    const char *status;     /* "pending", "sent" or "failed" */
    int attempts;
    lf_time created_at, next_at;
    const char *last_error; /* NULL = none */
} lf_app_delivery;
typedef lf_status (*lf_app_delivery_fn)(void *ctx, const lf_app_delivery *d);
/* The pending and failed deliveries, in (lead, order added) order. */
lf_status lf_app_deliver_list(lf_workspace *ws, lf_app_delivery_fn fn, void *ctx, lf_error *err);
/* Makes every failed delivery pending again, due now; *count = how many. */
lf_status lf_app_deliver_retry_failed(lf_workspace *ws, int64_t *count, lf_error *err);

#endif
