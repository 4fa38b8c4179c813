/*
 * store.h — the store interface: the event log (leads, events, spend, traffic,
 * rejects) and the derived lead state the lifecycle engine writes.
 *
 * The embedded implementation is SQLite (src/store/store_sqlite.c): WAL mode,
 * prepared statements only, a schema_version table. SQL lives only in store modules.
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

#include "leadflow/dataset.h"
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

/* Opens (creating if needed) the store at url: a SQLite file path. A
 * "postgresql://" URL is refused with LF_ESTORE for now. */
lf_status lf_store_open(lf_store **out, const char *url, lf_error *err);
void lf_store_close(lf_store *st);

lf_status lf_store_begin(lf_store *st, lf_error *err);
lf_status lf_store_commit(lf_store *st, lf_error *err);
lf_status lf_store_rollback(lf_store *st, lf_error *err);

/* Inserts or updates a lead by id; sets row->rowid and *result. */
lf_status lf_store_lead_upsert(lf_store *st, lf_lead_row *row, lf_upsert *result,
                               lf_error *err);

/* Calls fn for every lead (rowid order) with its id and rowid. */
typedef lf_status (*lf_lead_id_fn)(void *ctx, const char *id, size_t idlen, int64_t rowid);
lf_status lf_store_lead_ids(lf_store *st, lf_lead_id_fn fn, void *ctx, lf_error *err);

/* How many leads the store holds (leads are never deleted: their largest rowid). */
lf_status lf_store_lead_count(lf_store *st, int64_t *n, lf_error *err);

/* Looks a lead up by id; *found = false if unknown. The strings in *row stay valid
 * until the next store call. */
lf_status lf_store_lead_get(lf_store *st, const char *id, lf_lead_row *row, bool *found,
                            lf_error *err);

/* Appends an event; *seq is its import-order number, or 0 when the identity was
 * already in the log (a duplicate: nothing is written). */
lf_status lf_store_event_append(lf_store *st, const lf_event_row *ev, int64_t *seq,
                                lf_error *err);

/* One lead's replay input, handed to an lf_lead_events_fn. seqs[i] is the seq of
 * events[i]. */
typedef struct lf_lead_events {
    int64_t lead;
    lf_lead_input input;
    const int64_t *seqs;
    const lf_lead_row *row; /* the lead's columns (valid during the callback) */
} lf_lead_events;
typedef lf_status (*lf_lead_events_fn)(void *ctx, const lf_lead_events *le, lf_error *err);

/* Calls fn for each lead in leads[0..n) (or every lead when leads is NULL), in rowid
 * order, with its events sorted by (ts, seq). Leads without events are included. */
lf_status lf_store_scan_events(lf_store *st, const int64_t *leads, size_t n,
                               lf_lead_events_fn fn, void *ctx, lf_error *err);

/* Calls fn for every handoff with its lead and mql_at, in (lead, mql_at) order. */
typedef lf_status (*lf_handoff_time_fn)(void *ctx, int64_t lead, lf_time mql_at);
lf_status lf_store_handoff_times(lf_store *st, lf_handoff_time_fn fn, void *ctx, lf_error *err);
/* Sets a lead's derived classification (rescore: sources and personas rules). */
lf_status lf_store_lead_classify(lf_store *st, int64_t lead, const char *channel,
                                 const char *origin, const char *persona, lf_error *err);
/* Replaces the derived state of a lead. seqs maps the replay input's event indices to
 * event seqs (as handed to the scan callback). */
lf_status lf_store_derived_write(lf_store *st, int64_t lead, const lf_lead_state *ls,
                                 const int64_t *seqs, lf_error *err);

/* Counts ignored events with seq >= min_seq (the ones an import just added). */
lf_status lf_store_ignored_count(lf_store *st, int64_t min_seq, int64_t *count,
                                 lf_error *err);

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

/* Leads per current stage, and handoffs by outcome (pending, accepted, rejected). */
lf_status lf_store_stage_counts(lf_store *st, int64_t stages[LF_STAGE_COUNT],
                                int64_t outcomes[3], lf_error *err);

/* The store's generation: a counter bumped by every change of derived state, spend or
 * traffic (imports, replays), so caches of the dataset know when they are stale. */
lf_status lf_store_generation(lf_store *st, int64_t *generation, lf_error *err);
lf_status lf_store_bump_generation(lf_store *st, lf_error *err);
/* The location the store was opened with (a SQLite file path). */
const char *lf_store_location(const lf_store *st);

/* Loads the derived state of every lead, spend and traffic into ds (initialised by
 * the caller with lf_dataset_init). */
lf_status lf_store_load_dataset(lf_store *st, lf_dataset *ds, lf_error *err);

#endif
