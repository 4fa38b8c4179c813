/*
 * store.h — the store interface: the event log (leads, events, spend, traffic,
 * rejects) and the derived lead state the lifecycle engine writes.
 *
 * The embedded implementation is SQLite (src/store/store_sqlite.c): WAL mode,
 * prepared statements only, a schema_version table. The shared one is PostgreSQL
 * (src/store/store_pg.c): writers of different leads run at once, writers of one lead
 * take turns on its row lock. SQL lives only in store modules.
 *
 * Durability (SPEC §1): a write transaction that appends rows also marks the leads
 * whose derived state they make stale as *pending* (lf_store_pending_mark), and the
 * derived write of a lead clears its mark in the transaction that writes it. So after
 * any interruption the pending set names exactly the leads whose derived state may
 * not match their events: writers replay them (lf_replay_pending) and readers replay
 * them in memory while loading the dataset. Writers wait for each other up to
 * LEADFLOW_LOCK_TIMEOUT seconds (default 30); readers never wait and never write
 * (except the one-time creation or upgrade of a store's schema).
 * The event log is append-only and idempotent: an event's identity is its `id`
 * ("i:<id>") or, without one, its content ("c:<lead>|<ts>|<type>|..."), and a
 * second append of the same identity is a no-op reported as a duplicate. Derived
 * state (stage history, handoffs, ignored events) is replaced per lead.
 *
 * Ownership: strings passed in are borrowed for the call; strings handed to
 * callbacks are valid only during the callback.
 */
#ifndef LEADFLOW_STORE_H
#define LEADFLOW_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "leadflow/error.h"
#include "leadflow/lifecycle.h"
#include "leadflow/time.h"

typedef struct lf_store lf_store;

/* A lead as imported. attrs_json is a JSON object of the remaining CSV columns. */
typedef struct lf_lead_row {
    int64_t rowid;          /* set by the store */
    const char *id;
    const char *email;      /* NULL = none */
    lf_time created_at;
    const char *source;     /* raw source, NULL = empty */
    const char *channel;
    const char *origin;     /* "marketing" or "sales" */
    const char *persona;
    const char *attrs_json;
    const char *origin_given;  /* the origin column as imported (lower case), NULL = empty */
    const char *persona_given; /* the persona column as imported, NULL = empty */
} lf_lead_row;

/* An event to append. lead is the lead's rowid. */
typedef struct lf_event_row {
    int64_t lead;
    int64_t file;           /* lf_store_file_id of the input, 0 = unknown */
    long line;              /* line in that input, 0 = unknown */
    const char *ident;      /* identity key (see above) */
    const char *ext_id;     /* NULL = none */
    lf_time ts;
    uint8_t kind;           /* lf_event_kind */
    const char *type;       /* lower case */
    const char *detail, *reason; /* NULL = empty */
    double amount;
    bool has_amount;
} lf_event_row;

typedef enum lf_upsert {
    LF_UPSERT_SAME = 0,     /* identical row existed: nothing changed */
    LF_UPSERT_NEW,
    LF_UPSERT_UPDATED
} lf_upsert;

/* Opens (creating if needed, mode 0600) the store at url: a SQLite file path, or a
 * "postgresql://" / "postgres://" URL of a PostgreSQL database (its schema created in
 * it if missing). An existing store is only read, unless its schema is older (then it
 * is upgraded once, marking every lead pending). */
lf_status lf_store_open(lf_store **out, const char *url, lf_error *err);
/* Whether a store URL names a local file (a SQLite path) rather than a server: the
 * one rule deciding which backend a URL opens (a cache may sit beside a file store). */
bool lf_store_url_is_file(const char *url);
void lf_store_close(lf_store *st);

/* A write transaction: waits for other writers up to the lock timeout, then fails
 * with LF_ESTORE ("... is busy ..."). Commit bumps the generation (every committed
 * change may be visible to reports). Rollback is a no-op outside a transaction. */
lf_status lf_store_begin(lf_store *st, lf_error *err);
lf_status lf_store_commit(lf_store *st, lf_error *err);
lf_status lf_store_rollback(lf_store *st, lf_error *err);
/* Durable commits (the server's writer): with durable, a committed write transaction
 * survives power loss, not only the end of the process (SQLite: synchronous=FULL, the
 * WAL synced at every commit); without, the default, it survives a crash of the
 * process. */
lf_status lf_store_set_durable(lf_store *st, bool durable, lf_error *err);
/* Makes every transaction committed so far, by any connection to the store, durable
 * (as if committed with durable set). Group commit with the sync off the writer's
 * path: a writer commits without durability, and a second connection, in another
 * thread, syncs and only then are the commits acknowledged (the server). */
lf_status lf_store_sync_log(lf_store *st, lf_error *err);
/* The log's upkeep (SQLite: moving the WAL's pages into the database file so that the
 * WAL can start over). By default a committing connection does it when the log has
 * grown, inside its commit; with auto off this connection never does, and
 * lf_store_checkpoint on another connection, in another thread, does it without
 * blocking writers or readers (the server's writer keeps checkpoints off its path).
 * A backend without such upkeep does nothing. */
lf_status lf_store_set_auto_checkpoint(lf_store *st, bool on, lf_error *err);
/* This connection commits many small groups, each durably (the server's writer): the
 * SQLite store then puts a new event's lead-index entry in the index's small part, so a
 * commit writes few pages (store_sqlite.c, sq_log_merge); by default (imports, copy:
 * large transactions, pages written once each) the entry goes straight to the large
 * part, one write instead of two; and the connection keeps a smaller page cache (a
 * commit's end costs SQLite a walk of the whole cache). Readers see the same events
 * either way. A backend without such parts does nothing. */
lf_status lf_store_set_frequent_commits(lf_store *st, bool on, lf_error *err);
lf_status lf_store_checkpoint(lf_store *st, lf_error *err);
/* A read transaction: every read until lf_store_read_end sees one committed state. */
lf_status lf_store_read_begin(lf_store *st, lf_error *err);
void lf_store_read_end(lf_store *st);

/* The id of an input name (a file name, "-" for stdin, "api"), created if new (in a
 * write transaction). */
lf_status lf_store_file_id(lf_store *st, const char *name, int64_t *id, lf_error *err);

/* Marks leads[0..n) pending (their derived state is stale), in the caller's write
 * transaction. */
lf_status lf_store_pending_mark(lf_store *st, const int64_t *leads, size_t n, lf_error *err);
/* The pending leads in rowid order (*leads is malloc'ed, the caller frees it; NULL
 * when *n == 0). */
lf_status lf_store_pending_list(lf_store *st, int64_t **leads, size_t *n, lf_error *err);

/* Inserts or updates a lead by id; sets row->rowid and *result. */
lf_status lf_store_lead_upsert(lf_store *st, lf_lead_row *row, lf_upsert *result,
                               lf_error *err);

/* Upserts rows[0..n) in order, as n calls of lf_store_lead_upsert would: sets each
 * rows[i].rowid and results[i]. One or two round trips for a server store. */
lf_status lf_store_lead_upsert_batch(lf_store *st, lf_lead_row *rows, size_t n,
                                     lf_upsert *results, lf_error *err);

/* Calls fn for every lead (rowid order) with its id and rowid. */
typedef lf_status (*lf_lead_id_fn)(void *ctx, const char *id, size_t idlen, int64_t rowid);
lf_status lf_store_lead_ids(lf_store *st, lf_lead_id_fn fn, void *ctx, lf_error *err);

/* How many leads the store holds (leads are never deleted: their largest rowid). */
lf_status lf_store_lead_count(lf_store *st, int64_t *n, lf_error *err);

/* Looks a lead up by id; *found = false if unknown. The strings in *row stay valid
 * until the next store call. */
lf_status lf_store_lead_get(lf_store *st, const char *id, lf_lead_row *row, bool *found,
                            lf_error *err);

/* Only the rowid of the lead with that id (the event importer's lookup). */
lf_status lf_store_lead_rowid(lf_store *st, const char *id, int64_t *rowid, bool *found,
                              lf_error *err);

/* Appends an event; *seq is its import-order number, or 0 when the identity was
 * already in the log (a duplicate: nothing is written). */
lf_status lf_store_event_append(lf_store *st, const lf_event_row *ev, int64_t *seq,
                                lf_error *err);

/* Appends ev[0..n) in order, as n calls of lf_store_event_append would (a later event
 * with the identity of an earlier one of the batch is a duplicate); seqs[i] is the
 * *seq of ev[i]. One round trip for a server store (the importer's batches). */
lf_status lf_store_event_append_batch(lf_store *st, const lf_event_row *ev, size_t n,
                                      int64_t *seqs, lf_error *err);

/* One lead's replay input, handed to an lf_lead_events_fn. seqs[i] is the seq of
 * events[i]. */
typedef struct lf_lead_events {
    int64_t lead;
    lf_lead_input input;
    const int64_t *seqs;
    const lf_lead_row *row; /* the lead's columns (valid during the callback) */
} lf_lead_events;
typedef lf_status (*lf_lead_events_fn)(void *ctx, const lf_lead_events *le, lf_error *err);

/* Calls fn for each lead in leads[0..n) (sorted rowids), in rowid order, with its
 * events sorted by (ts, seq). Leads without events are included. */
lf_status lf_store_scan_events(lf_store *st, const int64_t *leads, size_t n,
                               lf_lead_events_fn fn, void *ctx, lf_error *err);
/* The same for every lead with lo <= rowid <= hi, in one ordered pass. */
lf_status lf_store_scan_range(lf_store *st, int64_t lo, int64_t hi, lf_lead_events_fn fn,
                              void *ctx, lf_error *err);

/* Calls fn for every handoff with its lead and mql_at, in (lead, mql_at) order. */
typedef lf_status (*lf_handoff_time_fn)(void *ctx, int64_t lead, lf_time mql_at);
lf_status lf_store_handoff_times(lf_store *st, lf_handoff_time_fn fn, void *ctx, lf_error *err);
/* Sets a lead's derived classification (rescore: sources and personas rules). */
lf_status lf_store_lead_classify(lf_store *st, int64_t lead, const char *channel,
                                 const char *origin, const char *persona, lf_error *err);
/* Replaces the derived state of a lead and clears its pending mark. le is the replay
 * input the state was computed from (its seqs map event indices to event seqs; its
 * events give the reasons of ignored ones). */
lf_status lf_store_derived_write(lf_store *st, const lf_lead_events *le, const lf_lead_state *ls,
                                 lf_error *err);

/* Ignored events with seq >= min_seq (the ones an import just added) by reason, most
 * frequent first: fn(ctx, reason, count). */
typedef lf_status (*lf_reason_count_fn)(void *ctx, const char *reason, int64_t count);
lf_status lf_store_ignored_counts(lf_store *st, int64_t min_seq, lf_reason_count_fn fn,
                                  void *ctx, lf_error *err);
/* Every ignored event, in (file, line, seq) order. Strings are valid during the call. */
typedef struct lf_ignored_row {
    int64_t seq;
    const char *file;   /* NULL when unknown (imported before files were recorded) */
    long line;          /* 0 when unknown */
    const char *lead_id, *type, *reason;
    lf_time ts;
} lf_ignored_row;
typedef lf_status (*lf_ignored_fn)(void *ctx, const lf_ignored_row *r);
lf_status lf_store_ignored_scan(lf_store *st, lf_ignored_fn fn, void *ctx, lf_error *err);

/* Records a rejected row once per (kind, file, line, raw). */
lf_status lf_store_reject_add(lf_store *st, const char *kind, const char *file, long line,
                              const char *reason, const char *raw, size_t rawlen,
                              lf_error *err);
typedef struct lf_reject {
    int64_t id;
    const char *kind, *file, *reason, *raw;
    long line;
} lf_reject;
typedef lf_status (*lf_reject_fn)(void *ctx, const lf_reject *r);
lf_status lf_store_rejects_scan(lf_store *st, lf_reject_fn fn, void *ctx, lf_error *err);

/* Sets the amount for (date, channel) in "costs" (amount) or "traffic" (visitors),
 * replacing an earlier value; *changed = false when that value was already stored.
 * date is "YYYY-MM" or "YYYY-MM-DD". */
typedef enum lf_series { LF_SERIES_COSTS = 0, LF_SERIES_TRAFFIC = 1 } lf_series;
lf_status lf_store_series_set(lf_store *st, lf_series s, const char *date,
                              const char *channel, double amount, bool *changed,
                              lf_error *err);

/* Detail for `leadflow lead`: the lead's stored events, transitions, handoffs,
 * ignored seqs. Callbacks receive rows in order. */
typedef struct lf_stored_event {
    int64_t seq;
    lf_event ev;
    const char *ext_id;
} lf_stored_event;
typedef lf_status (*lf_stored_event_fn)(void *ctx, const lf_stored_event *e);
lf_status lf_store_lead_events(lf_store *st, int64_t lead, lf_stored_event_fn fn, void *ctx,
                               lf_error *err);

/* The event log as appended, for copying a store (`leadflow copy`): the events with
 * after_seq < seq, in seq order, at most limit of them, each with everything it was
 * appended with. row.lead is the lead's rowid in this store, row.file is 0 and `file`
 * the input's name (NULL when unknown). */
typedef struct lf_log_event {
    int64_t seq;
    lf_event_row row;
    const char *file;
} lf_log_event;
typedef lf_status (*lf_log_event_fn)(void *ctx, const lf_log_event *e, lf_error *err);
lf_status lf_store_log_scan(lf_store *st, int64_t after_seq, size_t limit, lf_log_event_fn fn,
                            void *ctx, lf_error *err);

/* The store's generation: a number every committed write transaction increases, so
 * caches of the dataset know when they are stale. It grows by a random step (1 to
 * 2^20), not by one: a store restored from an older backup climbs again along other
 * values, so a cache written before the restore is not taken for current when the
 * count of commits since the backup happens to be the same. */
lf_status lf_store_generation(lf_store *st, int64_t *generation, lf_error *err);
/* The location the store was opened with (a SQLite file path, or the PostgreSQL URL
 * without its password). */
const char *lf_store_location(const lf_store *st);

/* ---- rows for the report dataset (assembled above the store: leadflow/dataset_build.h)
 * Call these inside one read transaction (lf_store_read_begin) for one consistent
 * state. */

typedef struct lf_state_trans {
    lf_time ts;
    uint8_t from;            /* LF_STAGE_NONE for the creation */
    uint8_t to;
} lf_state_trans;

typedef struct lf_state_handoff {
    lf_time mql_at, decided_at, first_contact_at; /* LF_TIME_NONE when not yet */
    uint8_t outcome;         /* lf_outcome */
    double score;
    const char *reason;      /* the closing event's reason, NULL = none */
} lf_state_handoff;

/* A lead with its stored derived state. When `stale` (the lead is pending, or was never
 * replayed) the state fields are unset and trans/handoffs empty: the caller replays the
 * lead from its events. Pointers are valid during the callback. */
typedef struct lf_state_row {
    int64_t lead;
    lf_time created_at;
    const char *channel, *persona, *origin;
    bool stale;
    uint8_t stage;
    lf_time won_at;
    double revenue;
    const lf_state_trans *trans;
    size_t ntrans;
    const lf_state_handoff *handoffs;
    size_t nhandoffs;
} lf_state_row;
typedef lf_status (*lf_state_fn)(void *ctx, const lf_state_row *row, lf_error *err);

/* Calls fn for every lead in rowid order with its stored derived state. */
lf_status lf_store_scan_state(lf_store *st, lf_state_fn fn, void *ctx, lf_error *err);

/* Calls fn for every spend (LF_SERIES_COSTS) or traffic row in (date, channel) order;
 * date is "YYYY-MM" or "YYYY-MM-DD". */
typedef lf_status (*lf_amount_fn)(void *ctx, const char *date, const char *channel,
                                  double amount, lf_error *err);
lf_status lf_store_scan_series(lf_store *st, lf_series series, lf_amount_fn fn, void *ctx,
                               lf_error *err);

/* Each lead's value of one attribute, for the `segment` report (SPEC §9): fn(ctx, lead
 * rowid, value, length) for every lead in rowid order (the order of lf_store_scan_state),
 * value NULL when the lead has none (an empty cell is never stored, so it is none too).
 * `name` is one of the lead's columns -- id, email, source (as imported), channel, origin,
 * persona (as classified: what the channel and persona reports group by) -- or else the
 * key of an attribute kept from the leads file (lower-case header, matched exactly).
 * The value is valid during the call. */
typedef lf_status (*lf_attr_value_fn)(void *ctx, int64_t lead, const char *value, size_t len,
                                      lf_error *err);
lf_status lf_store_scan_lead_attr(lf_store *st, const char *name, lf_attr_value_fn fn, void *ctx,
                                  lf_error *err);

/* ---- the outbox of alerts (webhook deliveries) ---------------------------------------
 * A delivery is written in the write transaction of the change that caused it, so a
 * change is never stored without its deliveries, nor a delivery without its change.
 * Deliveries are keyed by lead first (lead 0 holds the workspace's own alerts, such as
 * pacing.behind) and numbered per lead in the order they were added; (lead, type,
 * subject, endpoint) is unique, so a repeated or concurrent add is a no-op. */

typedef enum lf_outbox_status {
    LF_OUTBOX_PENDING = 0,   /* waiting for its first or next attempt */
    LF_OUTBOX_SENT = 1,      /* a 2xx answer */
    LF_OUTBOX_FAILED = 2     /* given up on (lf_store_outbox_requeue sends it again) */
} lf_outbox_status;

typedef struct lf_outbox_row {
    int64_t lead;            /* lead rowid; 0 = a workspace alert */
    int64_t n;               /* number within the lead (set by lf_store_outbox_add) */
    const char *type;        /* "handoff.opened", ... */
    const char *endpoint;    /* the webhook URL */
    int64_t subject;         /* what the alert is about, unique with type and endpoint:
                                a handoff's mql_at; a local day for pacing.behind */
    lf_time created_at;      /* when the change happened or fell due */
    lf_time next_at;         /* the next attempt is due at */
    lf_time first_at;        /* the first attempt, LF_TIME_NONE before it */
    int status;              /* lf_outbox_status */
    int attempts;
    const char *body;        /* the request body, NULL until the first attempt */
    const char *last_error;  /* why the last attempt failed, NULL = none */
    const char *lead_id;     /* scans only: the lead's id (NULL for lead 0) */
} lf_outbox_row;
typedef lf_status (*lf_outbox_fn)(void *ctx, const lf_outbox_row *row, lf_error *err);

/* Adds a pending delivery (in the caller's write transaction) with lead, type,
 * endpoint, subject, created_at and next_at from *row; sets row->n. *added = false (and
 * nothing is written) when (lead, type, subject, endpoint) is already in the outbox. */
lf_status lf_store_outbox_add(lf_store *st, lf_outbox_row *row, bool *added, lf_error *err);
/* The pending deliveries due at now (next_at <= now) that are the oldest pending one of
 * their (lead, endpoint) -- a lead's deliveries to one endpoint go out in order -- in
 * (next_at, lead, n) order, at most limit of them. */
lf_status lf_store_outbox_due(lf_store *st, lf_time now, size_t limit, lf_outbox_fn fn,
                              void *ctx, lf_error *err);
/* Every delivery whose status bit (1 << status) is in `statuses`, in (lead, n) order. */
lf_status lf_store_outbox_scan(lf_store *st, unsigned statuses, lf_outbox_fn fn, void *ctx,
                               lf_error *err);
/* Claims a pending delivery for an attempt (in a write transaction): only if its next_at
 * is still `expect` (nobody else claimed it meanwhile) it moves next_at to `lease` (when
 * it is due again should the attempt never report), counts the attempt, sets first_at
 * to now if unset and body if unset. *claimed says whether it did. */
lf_status lf_store_outbox_claim(lf_store *st, int64_t lead, int64_t n, lf_time expect,
                                lf_time lease, lf_time now, const char *body, bool *claimed,
                                lf_error *err);
/* Records an attempt's outcome: the new status, the next attempt (pending) and the
 * error (NULL = none). */
lf_status lf_store_outbox_result(lf_store *st, int64_t lead, int64_t n, int status,
                                 lf_time next_at, const char *error, lf_error *err);
/* Every failed delivery pending again, due at now, with a new 24-hour window
 * (attempts 0, first_at unset); *count = how many. */
lf_status lf_store_outbox_requeue(lf_store *st, lf_time now, int64_t *count, lf_error *err);

/* Writes a delivery as it is in another store (`leadflow copy`: every field of *row
 * but lead_id, n included), in a write transaction; nothing when its (lead, n) or
 * (lead, type, subject, endpoint) is there already. */
lf_status lf_store_outbox_put(lf_store *st, const lf_outbox_row *row, lf_error *err);

/* The stored handoffs of one lead in mql_at order (its derived state as written last;
 * `reason` is NULL). For alerts: what a replay changed. */
typedef lf_status (*lf_handoff_row_fn)(void *ctx, const lf_state_handoff *h, lf_error *err);
lf_status lf_store_lead_handoffs(lf_store *st, int64_t lead, lf_handoff_row_fn fn, void *ctx,
                                 lf_error *err);

#endif
