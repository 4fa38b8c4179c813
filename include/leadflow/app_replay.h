/*
 * app_replay.h — replaying history under a configuration, for the front ends:
 * `rescore` (every lead under the workspace's leadflow.yaml, derived state rewritten)
 * and `whatif` (every lead under the current and another configuration, in memory,
 * the store untouched) (SPEC §3, §4). Nothing here prints: changed leads come through
 * callbacks, figures as values.
 *
 * Ownership: strings and arrays handed to callbacks are valid only during the callback.
 */
#ifndef LEADFLOW_APP_REPLAY_H
#define LEADFLOW_APP_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "leadflow/app.h"
#include "leadflow/app_range.h"
#include "leadflow/error.h"
#include "leadflow/time.h"

/* ---- rescore ------------------------------------------------------------------------ */

typedef struct lf_app_rescore {
    int64_t leads;           /* leads replayed */
    int64_t reclassified;    /* leads whose channel, origin or persona changed */
    int64_t mqls_before, mqls_after; /* handoffs */
    int64_t added, removed;  /* handoffs whose mql_at is new / gone */
    int64_t leads_changed;   /* leads with an added or removed handoff */
    int64_t events;          /* events replayed */
    int64_t replay_usec;     /* scoring and replay time, events in memory, one core */
    /* Set before the call (may be NULL): each lead whose MQL times changed, with the
     * times before and after (ascending). */
    void (*on_change)(void *ctx, const char *lead_id, const lf_time *before, size_t nbefore,
                      const lf_time *after, size_t nafter);
    void *ctx;
} lf_app_rescore;

/* Replays every lead of the workspace (opened if needed) under its configuration and
 * rewrites the derived state (the event log is untouched), after finishing pending
 * replays. Set r->on_change and r->ctx; the figures are filled in. */
lf_status lf_app_rescore_run(lf_workspace *ws, lf_app_rescore *r, lf_error *err);

/* ---- whatif ------------------------------------------------------------------------- */

/* What a lead actually did by as-of (its real history), the first that applies. */
#define LF_APP_DID_COUNT 5
/* "won", "accepted", "rejected", "contacted", "never contacted" (did < LF_APP_DID_COUNT). */
const char *lf_app_did_name(int did);

/* One side of the comparison, over handoffs opened in the range by as-of. */
typedef struct lf_app_whatif_side {
    int64_t mqls;            /* handoffs opened */
    int64_t mql_leads;       /* leads with at least one */
    int64_t accepted;        /* of those handoffs, accepted by as-of */
    int64_t rejected;        /* rejected by as-of */
    int64_t customers;       /* leads with a handoff in the range, customers by as-of */
} lf_app_whatif_side;

typedef struct lf_app_whatif {
    /* set before the call (borrowed text, as the front end received it) */
    const char *other;       /* path of the other configuration file */
    const char *from, *to, *as_of; /* the range and as-of (leadflow/app_range.h) */
    /* Each lead the other rules add (added = true) or drop, with what it did (may be
     * NULL). */
    void (*on_lead)(void *ctx, bool added, const char *lead_id, int did);
    void *ctx;
    /* filled in */
    lf_app_range range;                     /* local days [from, to) and as-of */
    lf_app_whatif_side side[2];             /* 0 = current configuration, 1 = other */
    int64_t added[LF_APP_DID_COUNT];        /* leads the other rules add, by what they did */
    int64_t dropped[LF_APP_DID_COUNT];
    int64_t leads, events;                  /* replayed */
} lf_app_whatif;

/* Compares the workspace's configuration with the one in w->other over the range
 * (opening the workspace if needed); the store is only read. LF_EUSAGE for a refused
 * range or as-of (checked after the workspace is opened), LF_ECONFIG when the other
 * configuration cannot be loaded. */
lf_status lf_app_whatif_run(lf_workspace *ws, lf_app_whatif *w, lf_error *err);

#endif
