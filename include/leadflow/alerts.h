/*
 * alerts.h — the alerts a replay causes (ingest; src/ingest/alerts.c): handoff.opened
 * and handoff.decided deliveries added to the store's outbox in the write transaction
 * that writes the lead's new derived state, so the change and its deliveries commit
 * together or not at all.
 *
 * What changed is found by comparing the lead's stored handoffs before the write
 * (lf_alerts_before) with the replayed ones (lf_alerts_after): a handoff whose mql_at
 * was not stored before opened; a decided handoff that was stored undecided (or not
 * at all) was decided. Each webhook listening to the type gets one delivery, unless
 * the change is older than its max_age at `now` (importing history fires nothing);
 * a change after now is due when it happens. The outbox's unique key (lead, type,
 * mql_at, endpoint) makes a repeated replay add nothing.
 */
#ifndef LEADFLOW_ALERTS_H
#define LEADFLOW_ALERTS_H

#include <stdbool.h>
#include <stdint.h>

#include "leadflow/config.h"
#include "leadflow/error.h"
#include "leadflow/lifecycle.h"
#include "leadflow/store.h"

typedef struct lf_alerts lf_alerts;

/* A comparer for cfg at now, or *out = NULL when no webhook listens to handoff.opened
 * or handoff.decided (then nothing needs comparing). Free with lf_alerts_free. */
lf_status lf_alerts_new(const lf_config *cfg, lf_time now, lf_alerts **out, lf_error *err);
void lf_alerts_free(lf_alerts *a);
/* Reads the stored handoffs of lead (before its derived state is replaced). */
lf_status lf_alerts_before(lf_alerts *a, lf_store *st, int64_t lead, lf_error *err);
/* Adds the deliveries of what changed from the handoffs read by lf_alerts_before to
 * ls's, in the caller's write transaction. */
lf_status lf_alerts_after(lf_alerts *a, lf_store *st, int64_t lead, const lf_lead_state *ls,
                          lf_error *err);

/* One delivery per webhook of cfg listening to `bit`, about subject (a handoff's
 * mql_at, a day) of lead, for a change at `at`: skipped for a webhook whose max_age
 * `at` is older than at now; due at max(now, at). *added counts the deliveries added
 * (may be NULL). In the caller's write transaction. */
lf_status lf_alerts_enqueue(lf_store *st, const lf_config *cfg, unsigned bit, int64_t lead,
                            int64_t subject, lf_time at, lf_time now, int64_t *added,
                            lf_error *err);

#endif
