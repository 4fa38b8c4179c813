/*
 * store_impl.h — what a store backend implements (private to src/store).
 *
 * A store is chosen by its URL in lf_store_open (store.c), as SQLite chooses a VFS:
 * each backend fills one lf_store_ops table and embeds `lf_store` as the first member
 * of its own handle. Every public lf_store_* function (leadflow/store.h) dispatches
 * through the table; the contracts are those of store.h, method for method, and the
 * conformance suite (tests/unit/test_store.c) holds every backend to them.
 */
#ifndef LEADFLOW_STORE_IMPL_H
#define LEADFLOW_STORE_IMPL_H

#include "leadflow/store.h"

typedef struct lf_store_ops {
    void (*close)(lf_store *st);
    const char *(*location)(const lf_store *st);
    /* transactions */
    lf_status (*begin)(lf_store *st, lf_error *err);
    lf_status (*commit)(lf_store *st, lf_error *err);
    lf_status (*rollback)(lf_store *st, lf_error *err);
    lf_status (*read_begin)(lf_store *st, lf_error *err);
    void (*read_end)(lf_store *st);
    lf_status (*generation)(lf_store *st, int64_t *generation, lf_error *err);
    lf_status (*set_durable)(lf_store *st, bool durable, lf_error *err);
    lf_status (*sync_log)(lf_store *st, lf_error *err);
    lf_status (*set_auto_checkpoint)(lf_store *st, bool on, lf_error *err);
    lf_status (*set_frequent_commits)(lf_store *st, bool on, lf_error *err);
    lf_status (*checkpoint)(lf_store *st, lf_error *err);
    /* the event log */
    lf_status (*file_id)(lf_store *st, const char *name, int64_t *id, lf_error *err);
    lf_status (*lead_upsert)(lf_store *st, lf_lead_row *row, lf_upsert *result, lf_error *err);
    lf_status (*lead_upsert_batch)(lf_store *st, lf_lead_row *rows, size_t n,
                                   lf_upsert *results, lf_error *err);
    lf_status (*lead_ids)(lf_store *st, lf_lead_id_fn fn, void *ctx, lf_error *err);
    lf_status (*lead_count)(lf_store *st, int64_t *n, lf_error *err);
    lf_status (*lead_get)(lf_store *st, const char *id, lf_lead_row *row, bool *found,
                          lf_error *err);
    lf_status (*lead_rowid)(lf_store *st, const char *id, int64_t *rowid, bool *found,
                            lf_error *err);
    lf_status (*lead_classify)(lf_store *st, int64_t lead, const char *channel,
                               const char *origin, const char *persona, lf_error *err);
    lf_status (*event_append)(lf_store *st, const lf_event_row *ev, int64_t *seq,
                              lf_error *err);
    lf_status (*event_append_batch)(lf_store *st, const lf_event_row *ev, size_t n,
                                    int64_t *seqs, lf_error *err);
    lf_status (*reject_add)(lf_store *st, const char *kind, const char *file, long line,
                            const char *reason, const char *raw, size_t rawlen, lf_error *err);
    lf_status (*rejects_scan)(lf_store *st, lf_reject_fn fn, void *ctx, lf_error *err);
    lf_status (*series_set)(lf_store *st, lf_series s, const char *date, const char *channel,
                            double amount, bool *changed, lf_error *err);
    /* reading leads' events for replays */
    lf_status (*scan_events)(lf_store *st, const int64_t *leads, size_t n, lf_lead_events_fn fn,
                             void *ctx, lf_error *err);
    lf_status (*scan_range)(lf_store *st, int64_t lo, int64_t hi, lf_lead_events_fn fn,
                            void *ctx, lf_error *err);
    lf_status (*lead_events)(lf_store *st, int64_t lead, lf_stored_event_fn fn, void *ctx,
                             lf_error *err);
    lf_status (*log_scan)(lf_store *st, int64_t after_seq, size_t limit, lf_log_event_fn fn,
                          void *ctx, lf_error *err);
    /* derived state */
    lf_status (*pending_mark)(lf_store *st, const int64_t *leads, size_t n, lf_error *err);
    lf_status (*pending_list)(lf_store *st, int64_t **leads, size_t *n, lf_error *err);
    lf_status (*derived_write)(lf_store *st, const lf_lead_events *le, const lf_lead_state *ls,
                               lf_error *err);
    lf_status (*handoff_times)(lf_store *st, lf_handoff_time_fn fn, void *ctx, lf_error *err);
    lf_status (*ignored_counts)(lf_store *st, int64_t min_seq, lf_reason_count_fn fn, void *ctx,
                                lf_error *err);
    lf_status (*ignored_scan)(lf_store *st, lf_ignored_fn fn, void *ctx, lf_error *err);
    /* rows for the report dataset */
    lf_status (*scan_state)(lf_store *st, lf_state_fn fn, void *ctx, lf_error *err);
    lf_status (*scan_series)(lf_store *st, lf_series series, lf_amount_fn fn, void *ctx,
                             lf_error *err);
    lf_status (*scan_lead_attr)(lf_store *st, const char *name, lf_attr_value_fn fn, void *ctx,
                                lf_error *err);
} lf_store_ops;

/* The outbox of alerts and what alerts read (store.h "the outbox"), a table of its own
 * so a backend's outbox can live in its own file. */
typedef struct lf_store_outbox_ops {
    lf_status (*add)(lf_store *st, lf_outbox_row *row, bool *added, lf_error *err);
    lf_status (*due)(lf_store *st, lf_time now, size_t limit, lf_outbox_fn fn, void *ctx,
                     lf_error *err);
    lf_status (*scan)(lf_store *st, unsigned statuses, lf_outbox_fn fn, void *ctx,
                      lf_error *err);
    lf_status (*claim)(lf_store *st, int64_t lead, int64_t n, lf_time expect, lf_time lease,
                       lf_time now, const char *body, bool *claimed, lf_error *err);
    lf_status (*result)(lf_store *st, int64_t lead, int64_t n, int status, lf_time next_at,
                        const char *error, lf_error *err);
    lf_status (*requeue)(lf_store *st, lf_time now, int64_t *count, lf_error *err);
    lf_status (*put)(lf_store *st, const lf_outbox_row *row, lf_error *err);
    lf_status (*lead_handoffs)(lf_store *st, int64_t lead, lf_handoff_row_fn fn, void *ctx,
                               lf_error *err);
} lf_store_outbox_ops;

struct lf_store {
    const lf_store_ops *ops;
    const lf_store_outbox_ops *outbox;
};

/* Backends. */
lf_status lf_store_sqlite_open(lf_store **out, const char *path, lf_error *err);
/* A "postgresql://" or "postgres://" URL (libpq's connection URI). */
lf_status lf_store_pg_open(lf_store **out, const char *url, lf_error *err);

/* LEADFLOW_LOCK_TIMEOUT for a backend being opened: whole seconds 0..86400 a writer
 * waits for another; unset or empty = 30; anything else is refused (LF_ECONFIG: a typo
 * must not silently mean 30 s). */
lf_status lf_store_lock_timeout(int *seconds, lf_error *err);

#endif
