/*
 * store_pg.h — what the PostgreSQL backend's files share (private to src/store): the
 * connection, statement execution with text parameters and the mapping of a failed
 * statement to an lf_error (store_pg.c), and the outbox's method table
 * (store_pg_outbox.c).
 *
 * Every statement is a constant prepared by name on its connection; values travel only
 * as parameters (text format), never inside SQL. Every PGresult is checked and cleared
 * by the function that got it.
 */
#ifndef LEADFLOW_STORE_PG_H
#define LEADFLOW_STORE_PG_H

#include <libpq-fe.h>

#include "leadflow/buf.h"
#include "store_impl.h"

#define PG_MAX_PARAMS 24

/* The parameters of one statement: text values (NULL = SQL NULL), numbers formatted
 * into the struct's own buffers. */
typedef struct pg_params {
    const char *v[PG_MAX_PARAMS];
    char num[PG_MAX_PARAMS][32];
    int n;
} pg_params;

void lf_pg_text(pg_params *p, const char *s);
void lf_pg_int(pg_params *p, int64_t x);
void lf_pg_time(pg_params *p, lf_time t); /* LF_TIME_NONE = NULL */
void lf_pg_double(pg_params *p, double x);

/* Runs prepared statement `name` (prepared on this connection on first use from `sql`)
 * with p; the result (rows or none) or NULL with *err set: "busy" when it waited for a
 * lock past the lock timeout, else "store 'LOCATION': WHAT: server message". The caller
 * PQclear()s the result. */
PGresult *lf_pg_exec(lf_store *st, const char *name, const char *sql, const pg_params *p,
                     lf_error *err, const char *what);

/* Column helpers: NULL for SQL NULL; numbers parsed from text. */
const char *lf_pg_str(const PGresult *r, int row, int col);
int64_t lf_pg_int64(const PGresult *r, int row, int col);
lf_time lf_pg_timecol(const PGresult *r, int row, int col); /* NULL = LF_TIME_NONE */
double lf_pg_dbl(const PGresult *r, int row, int col);

/* Array parameters ("{1,NULL,3}", '{"a","b\\"c"}'): array k built in b as a NUL-ended
 * literal at off[k], elements appended by the lf_pg_arr_* calls (s = the first failed
 * append). */
typedef struct pg_arrays {
    lf_buf *b;
    size_t off[PG_MAX_PARAMS];
    size_t n[PG_MAX_PARAMS];
    lf_status s;
} pg_arrays;
void lf_pg_arr_int(pg_arrays *a, int k, bool null, int64_t v);
void lf_pg_arr_dbl(pg_arrays *a, int k, double v);
void lf_pg_arr_text(pg_arrays *a, int k, const char *v); /* NULL = NULL */
/* Array k of the elements `add` appends for i < n. */
#define PG_ARRAY(a, k, n, add)                                                             \
    do {                                                                                   \
        (a)->off[k] = (a)->b->len;                                                         \
        if ((a)->s == LF_OK)                                                               \
            (a)->s = lf_buf_addc((a)->b, '{');                                             \
        for (size_t i = 0; (a)->s == LF_OK && i < (n); i++) {                              \
            add;                                                                           \
        }                                                                                  \
        if ((a)->s == LF_OK)                                                               \
            (a)->s = lf_buf_add((a)->b, "}", 2);                                           \
    } while (0)

/* Rows for COPY ... FROM STDIN in text format (tab between fields, \N = NULL), built
 * in b: the field calls append a row's fields in the table's column order,
 * lf_pg_copy_eol ends the row; s = the first failed append. Text rather than binary:
 * the server reads it faster (1,000 event rows in ~1.2 ms against ~1.7 ms binary,
 * PostgreSQL 15), for the cost of escaping four bytes of a value (backslash, tab,
 * newline, CR: then "\N" or "\." in hostile input are text like any other). */
typedef struct pg_copy {
    lf_buf *b;
    lf_status s;
    bool mid; /* a field of the row written */
} pg_copy;
void lf_pg_copy_init(pg_copy *c, lf_buf *b);
void lf_pg_copy_int(pg_copy *c, bool null, int64_t v);
void lf_pg_copy_dbl(pg_copy *c, bool null, double v); /* as %.17g: read back exactly */
void lf_pg_copy_text(pg_copy *c, const char *v);     /* NULL = NULL */
void lf_pg_copy_eol(pg_copy *c);

/* Takes the lead's row lock (lead > 0) or the workspace's advisory lock (lead 0) for
 * the rest of the write transaction. */
lf_status lf_pg_lock_lead(lf_store *st, int64_t lead, lf_error *err);

extern const lf_store_outbox_ops lf_pg_outbox_ops;

#define PG_MAX_PREPARED 96

enum { PG_TXN_NONE = 0, PG_TXN_WRITE, PG_TXN_READ };
enum { PG_STAGE_LEADS, PG_STAGE_EVENTS, PG_STAGE__COUNT }; /* lf_pg_stage's tables */

typedef struct pg_store {
    lf_store base;          /* first: the method table (store_impl.h) */
    PGconn *conn;
    char *location;         /* the URL without its password (messages, cache names) */
    int lock_timeout;       /* seconds */
    int txn;                /* PG_TXN_*: what lf_store_begin/read_begin opened */
    PGresult *held;         /* the row of the last lead_get, cleared by the next call */
    const char *prepared[PG_MAX_PREPARED]; /* names prepared on conn (static strings) */
    size_t nprepared;
    /* scratch of scans: one lead's events and derived state, and array parameters */
    lf_event *ev;
    int64_t *seqs;
    size_t ev_cap;
    lf_state_trans *trans;
    size_t trans_cap;
    lf_state_handoff *hand;
    size_t hand_cap;
    lf_buf arr;
    /* statements sent in pipeline mode whose results are not read yet (lf_pg_send) */
    int piped;
    /* staging tables (lf_pg_stage): the last ord used, COPY bytes each table holds */
    int64_t stage_ord;
    size_t stage_bytes[PG_STAGE__COUNT];
    /* the last lead looked up by id (lf_pg_lead_rowid): consecutive events of one lead
     * ask once; forgotten at rollback (the lead may have been new in it) */
    char *last_id;
    int64_t last_rowid;
} pg_store;

lf_status lf_pg_result_error(pg_store *st, const PGresult *r, lf_error *err, const char *what);
lf_status lf_pg_run(pg_store *st, const char *name, const char *sql, const pg_params *p,
                    int64_t *changed, lf_error *err, const char *what);
lf_status lf_pg_simple(pg_store *st, const char *sql, lf_error *err, const char *what);
/* Sends a prepared statement without waiting for its result (libpq's pipeline mode):
 * for writes whose outcome is only needed by the commit. Its error, if any, is that of
 * the next statement run on the connection (the transaction fails as a whole). */
lf_status lf_pg_send(pg_store *st, const char *name, const char *sql, const pg_params *p,
                     lf_error *err, const char *what);
/* A staging table of the session for bulk writes (store_pg_leads.c, store_pg_log.c):
 * TEMP (no other session sees it, its rows never reach the WAL), filled by COPY and
 * read by one statement. Its first column, ord bigint, numbers the rows from the
 * session's stage_ord, which only grows: the statement reads its batch as the rows
 * with ord > its parameter $1, the stage_ord the batch started from, whatever rows of
 * older batches (or of a rolled-back TRUNCATE) the table still holds. Emptied once it
 * holds PG_STAGE_BYTES, not at every batch: a TRUNCATE costs more than reading past a
 * few old rows. */
typedef struct pg_stage {
    int slot;           /* PG_STAGE_* */
    const char *create; /* CREATE TEMP TABLE IF NOT EXISTS t(...): run before each COPY
                           (again after a rollback took the creation away) */
    const char *empty;  /* TRUNCATE t */
    const char *copy;   /* COPY t FROM STDIN */
} pg_stage;
#define PG_STAGE_BYTES ((size_t)2 << 20) /* well within temp_buffers' default 8 MB */
/* Copies `rows` (n rows built by lf_pg_copy_*, numbered from st->stage_ord + 1 on entry)
 * into the staging table t, advances st->stage_ord by n, and runs prepared statement
 * `name` (prepared from sql on first use; rows expected) on them, all in two round
 * trips (the COPY's and the statement's, sent after it in one query string). Its
 * result, or NULL with *err set; the caller PQclear()s it. COPY cannot be a prepared
 * statement nor run in pipeline mode (the pipeline is drained first). */
PGresult *lf_pg_stage(pg_store *st, const pg_stage *t, const lf_buf *rows, size_t n,
                      const char *name, const char *sql, lf_error *err, const char *what);
/* Creates or upgrades the schema (store_pg_schema.c). */
lf_status lf_pg_schema(pg_store *st, lf_error *err);

extern const lf_store_ops lf_pg_ops;

/* The methods of store_pg_log.c (the event log) and store_pg_scan.c (scans, derived
 * state), with the contracts of store.h. */
lf_status lf_pg_file_id(lf_store *st, const char *name, int64_t *id, lf_error *err);
lf_status lf_pg_pending_mark(lf_store *st, const int64_t *leads, size_t n, lf_error *err);
lf_status lf_pg_pending_list(lf_store *st, int64_t **leads, size_t *n, lf_error *err);
lf_status lf_pg_lead_upsert(lf_store *st, lf_lead_row *row, lf_upsert *result, lf_error *err);
lf_status lf_pg_lead_upsert_batch(lf_store *st, lf_lead_row *rows, size_t n,
                                  lf_upsert *results, lf_error *err);
lf_status lf_pg_lead_ids(lf_store *st, lf_lead_id_fn fn, void *ctx, lf_error *err);
lf_status lf_pg_lead_count(lf_store *st, int64_t *n, lf_error *err);
lf_status lf_pg_lead_get(lf_store *st, const char *id, lf_lead_row *row, bool *found,
                         lf_error *err);
lf_status lf_pg_lead_rowid(lf_store *st, const char *id, int64_t *rowid, bool *found,
                           lf_error *err);
lf_status lf_pg_lead_classify(lf_store *st, int64_t lead, const char *channel,
                              const char *origin, const char *persona, lf_error *err);
lf_status lf_pg_event_append(lf_store *st, const lf_event_row *ev, int64_t *seq,
                             lf_error *err);
lf_status lf_pg_event_append_batch(lf_store *st, const lf_event_row *ev, size_t n,
                                   int64_t *seqs, lf_error *err);
lf_status lf_pg_reject_add(lf_store *st, const char *kind, const char *file, long line,
                           const char *reason, const char *raw, size_t rawlen, lf_error *err);
lf_status lf_pg_rejects_scan(lf_store *st, lf_reject_fn fn, void *ctx, lf_error *err);
lf_status lf_pg_series_set(lf_store *st, lf_series s, const char *date, const char *channel,
                           double amount, bool *changed, lf_error *err);
lf_status lf_pg_scan_events(lf_store *st, const int64_t *leads, size_t n,
                            lf_lead_events_fn fn, void *ctx, lf_error *err);
lf_status lf_pg_scan_range(lf_store *st, int64_t lo, int64_t hi, lf_lead_events_fn fn,
                           void *ctx, lf_error *err);
lf_status lf_pg_lead_events(lf_store *st, int64_t lead, lf_stored_event_fn fn, void *ctx,
                            lf_error *err);
lf_status lf_pg_log_scan(lf_store *st, int64_t after_seq, size_t limit, lf_log_event_fn fn,
                         void *ctx, lf_error *err);
lf_status lf_pg_handoff_times(lf_store *st, lf_handoff_time_fn fn, void *ctx, lf_error *err);
lf_status lf_pg_derived_write(lf_store *st, const lf_lead_events *le, const lf_lead_state *ls,
                              lf_error *err);
lf_status lf_pg_ignored_counts(lf_store *st, int64_t min_seq, lf_reason_count_fn fn,
                               void *ctx, lf_error *err);
lf_status lf_pg_ignored_scan(lf_store *st, lf_ignored_fn fn, void *ctx, lf_error *err);
lf_status lf_pg_scan_state(lf_store *st, lf_state_fn fn, void *ctx, lf_error *err);
lf_status lf_pg_scan_series(lf_store *st, lf_series series, lf_amount_fn fn, void *ctx,
                            lf_error *err);
lf_status lf_pg_scan_lead_attr(lf_store *st, const char *name, lf_attr_value_fn fn, void *ctx,
                               lf_error *err);

#endif
