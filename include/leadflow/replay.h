/*
 * replay.h — lifecycle replay of stored leads (SPEC §3, §4): after an import, for
 * `rescore` (every lead under the current configuration, derived state rewritten)
 * and for `whatif` (every lead under two configurations, in memory, the store
 * untouched).
 *
 * A replayed lead is scored with the attributes rules see (leadflow/leadinfo.h):
 * after an import with its stored channel, origin and persona; in rescore and whatif
 * with those the configuration's sources and personas rules derive again.
 */
#ifndef LEADFLOW_REPLAY_H
#define LEADFLOW_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "leadflow/config.h"
#include "leadflow/error.h"
#include "leadflow/leadinfo.h"
#include "leadflow/store.h"

/* A stored lead's rule attributes: the CSV attributes parsed back from attrs_json
 * (f.extra points into root). */
typedef struct lf_row_attrs {
    struct json_t *root;
    lf_attr *extra;      /* owned */
    lf_lead_facts f;
} lf_row_attrs;

/* Fills ra->f from a stored lead. With `classify`, channel, origin and persona are
 * derived again from cfg's rules (rescore, whatif); otherwise the stored ones are
 * used. Release with lf_row_attrs_release (also after an error). */
lf_status lf_row_attrs_load(lf_row_attrs *ra, const lf_config *cfg, const lf_lead_row *row,
                            bool classify, lf_error *err);
void lf_row_attrs_release(lf_row_attrs *ra);

/* Replays leads[0..n) (sorted rowids) and writes their derived state, clearing their
 * pending marks, in write transactions of a bounded number of leads. */
lf_status lf_replay_leads(lf_store *st, const lf_config *cfg, const int64_t *leads, size_t n,
                          lf_error *err);
/* Replays every pending lead (SPEC §1: derived state matches the events again after
 * an interruption); *replayed (may be NULL) = how many. */
lf_status lf_replay_pending(lf_store *st, const lf_config *cfg, int64_t *replayed,
                            lf_error *err);
/* The same inside the caller's open write transaction (the server's writer: the rows
 * and their replay in one commit): every pending lead and the leads of touched[0..n)
 * (rowids in any order, repeats allowed: the leads the caller's import just wrote
 * without marks, lf_import_opts.touched); *replayed = how many leads. seen (may be
 * NULL) is called with each replayed lead's events as read, before its replay, in
 * rowid order (the server finds the handoffs a request opened in the same read); an
 * error from it fails the replay. The caller commits, or rolls back on failure. */
lf_status lf_replay_in_txn(lf_store *st, const lf_config *cfg, const int64_t *touched, size_t n,
                           lf_lead_events_fn seen, void *seen_ctx, int64_t *replayed,
                           lf_error *err);

/* Replay in memory for readers: derives the state of a lead (a pending one, while
 * the dataset is built) under cfg without writing anything. */
typedef struct lf_memreplay lf_memreplay;
lf_status lf_memreplay_new(const lf_config *cfg, lf_memreplay **out, lf_error *err);
/* Replays one scanned lead; *out points at its state until the next call. */
lf_status lf_memreplay_lead(lf_memreplay *m, const lf_lead_events *le, const lf_lead_state **out,
                            lf_error *err);
void lf_memreplay_free(lf_memreplay *m);

/* What `rescore` changed. on_change (may be NULL) is called for each lead whose MQL
 * times changed, with the times before and after (ascending). */
typedef struct lf_rescore_stats {
    int64_t leads;          /* leads replayed */
    int64_t reclassified;   /* leads whose channel, origin or persona changed */
    int64_t mqls_before, mqls_after; /* handoffs */
    int64_t added, removed; /* handoffs whose mql_at is new / gone */
    int64_t leads_changed;  /* leads with an added or removed handoff */
    int64_t events;         /* events replayed */
    int64_t replay_usec;    /* time spent scoring and replaying (events in memory: the
                               store's reads and writes excluded), one core */
    void (*on_change)(void *ctx, const char *lead_id, const lf_time *before, size_t nbefore,
                      const lf_time *after, size_t nafter);
    void *ctx;
} lf_rescore_stats;

/* Replays every lead under cfg (classification, scores, MQLs; the event log is
 * untouched) and rewrites the derived state, after finishing pending replays. Set stats->on_change/ctx and zero the
 * rest before the call. */
lf_status lf_rescore(lf_store *st, const lf_config *cfg, lf_rescore_stats *stats, lf_error *err);

/* ---- whatif ------------------------------------------------------------------------- */

/* What a lead actually did by as-of (its real history, under the current
 * configuration), the first that applies: won, accepted (entered sql), rejected (a
 * handoff rejected or the lead disqualified), contacted, never contacted. */
typedef enum lf_did {
    LF_DID_WON = 0,
    LF_DID_ACCEPTED,
    LF_DID_REJECTED,
    LF_DID_CONTACTED,
    LF_DID_NOTHING,
    LF_DID_COUNT
} lf_did;

const char *lf_did_name(lf_did d); /* "won", "accepted", "rejected", "contacted",
                                      "never contacted" */

/* One side of the comparison, over handoffs opened in [from, to) by as-of. */
typedef struct lf_whatif_side {
    int64_t mqls;       /* handoffs opened */
    int64_t mql_leads;  /* leads with at least one */
    int64_t accepted;   /* of those handoffs, accepted by as-of */
    int64_t rejected;   /* rejected by as-of */
    int64_t customers;  /* leads with a handoff in the range that are customers by as-of */
} lf_whatif_side;

typedef struct lf_whatif {
    lf_time from, to, as_of;  /* the range as instants, and as-of */
    lf_whatif_side side[2];   /* 0 = current configuration, 1 = the other */
    int64_t added[LF_DID_COUNT], dropped[LF_DID_COUNT]; /* leads, by what they did */
    int64_t leads, events;    /* replayed */
    /* Called for each lead the other rules add (added = true) or drop, with what it
     * did (may be NULL). */
    void (*on_lead)(void *ctx, bool added, const char *lead_id, lf_did did);
    void *ctx;
} lf_whatif;

/* Replays every lead under cur and under other, in memory. Fill w->from, to, as_of,
 * on_lead and ctx and zero the rest before the call. */
lf_status lf_whatif_run(lf_store *st, const lf_config *cur, const lf_config *other, lf_whatif *w,
                        lf_error *err);

#endif
