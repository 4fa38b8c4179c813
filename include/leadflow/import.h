/*
 * import.h — CSV import into the store (SPEC §2) and lifecycle replay.
 *
 * lf_import reads one CSV (any byte source), validates each row, appends good rows
 * to the store, records bad rows in the rejects table (once each), and replays the
 * lifecycle of the leads the import touched (and of any lead an earlier, interrupted
 * writer left pending). Rows are grouped into batched transactions; no transaction is
 * open while the input is read. Importing the same file twice changes nothing and
 * returns the same status.
 */
#ifndef LEADFLOW_IMPORT_H
#define LEADFLOW_IMPORT_H

#include <stdbool.h>
#include <stdint.h>

#include "leadflow/config.h"
#include "leadflow/csv.h"
#include "leadflow/error.h"
#include "leadflow/replay.h"
#include "leadflow/store.h"
#include "leadflow/time.h"

typedef enum lf_import_kind {
    LF_IMPORT_LEADS = 0,
    LF_IMPORT_EVENTS,
    LF_IMPORT_COSTS,
    LF_IMPORT_TRAFFIC
} lf_import_kind;

typedef struct lf_import_stats {
    int64_t read;        /* data rows read (header excluded) */
    int64_t committed;   /* of those, rows in committed batches */
    int64_t imported;    /* rows that changed the store */
    int64_t duplicates;  /* rows already in the store (skipped) */
    int64_t rejected;    /* rows that failed validation */
    int64_t ignored;     /* imported events that did not apply in their lead's stage */
    uint64_t bytes;      /* input bytes read */
    bool cancelled;      /* stopped by opts->cancel: the rows read were committed */
    int64_t first_seq;   /* the seq of the first event this import appended, 0 = none */
    /* Set before the call (kept by it): called once per reason of the ignored events
     * of this import, most frequent first (may be NULL). */
    void (*on_ignored)(void *ctx, const char *reason, int64_t count);
    void *ctx;
} lf_import_stats;

/* A source of records already in leadflow's column layout for the kind (the header
 * first), as a map or a preset makes them from another file's rows: next has the
 * contract of lf_csv_next (lines and raw bytes are those of the input file). */
typedef struct lf_record_source {
    lf_status (*next)(void *ctx, lf_csv_record *rec, lf_error *err);
    void *ctx;
} lf_record_source;

/* A growing list of lead rowids (lf_import_opts.touched). */
typedef struct lf_lead_list {
    int64_t *ids;
    size_t n, cap;
} lf_lead_list;

typedef struct lf_import_opts {
    lf_import_kind kind;
    const char *name;        /* file name for messages and the rejects table */
    lf_csv_read_fn read;     /* byte source (when source is NULL) */
    void *read_ctx;
    const lf_record_source *source; /* NULL: the CSV read from `read` */
    const lf_tz *tz;         /* zone of timestamps without an offset; NULL = the
                                workspace's (SPEC §1; --timezone, a map's timezone) */
    /* Called for each rejected row (may be NULL). */
    void (*on_reject)(void *ctx, const char *name, long line, const char *reason);
    /* Called every ~64k rows and once at the end with done = true (may be NULL). */
    void (*on_progress)(void *ctx, const char *name, int64_t rows, uint64_t bytes, bool done);
    /* Asked before each record and after a failed read (may be NULL): true stops the
     * import there (Ctrl-C, SIGTERM); what was read is committed and replayed. */
    bool (*cancel)(void *ctx);
    void *ctx;
    /* false (the CLI): the importer writes its batches in write transactions of its own
     * and replays the pending leads after the last one. true: the caller has begun a
     * write transaction (lf_store_begin) and the importer writes every batch, with its
     * pending marks, into it without committing, replaying nothing and leaving
     * stats->ignored at 0: the caller commits (or rolls back after any error but
     * LF_EINPUT), then replays the pending leads (lf_replay_pending) and counts the
     * ignored events from stats->first_seq (lf_store_ignored_counts). */
    bool in_txn;
    /* With in_txn only, may be NULL: the leads the import touched are appended here
     * (each batch's sorted and distinct; free ids) INSTEAD of being marked pending.
     * For a caller that replays them in the same transaction (lf_replay_in_txn): a
     * mark would be written and cleared in one commit. */
    lf_lead_list *touched;
} lf_import_opts;

/* The columns of an import kind (SPEC §2), in the importer's order: the one list that
 * the importer, maps and the help text read. */
typedef enum lf_field_time {
    LF_FIELD_TEXT = 0,  /* text, a number, an amount */
    LF_FIELD_INSTANT,   /* a timestamp (ISO 8601; local time in the zone without an offset) */
    LF_FIELD_DATE       /* a date YYYY-MM-DD or a month YYYY-MM */
} lf_field_time;
typedef struct lf_import_column {
    const char *name;
    bool required;
    uint8_t time;     /* lf_field_time */
} lf_import_column;
typedef struct lf_import_kind_spec {
    const char *name;                 /* "leads", "events", "costs", "traffic" */
    const lf_import_column *cols;
    size_t ncols;
} lf_import_kind_spec;
/* The name and columns of kind, or NULL for a value outside lf_import_kind. */
const lf_import_kind_spec *lf_import_kind_spec_of(lf_import_kind kind);

/* Parses "leads", "events", "costs", "traffic". */
bool lf_import_kind_parse(const char *s, lf_import_kind *kind);

/* Imports one file. Returns LF_OK (also when cancelled: see stats->cancelled), LF_EINPUT
 * if any row was rejected or the file itself is unusable (err set; the good rows are
 * imported), LF_ESTORE/LF_ENOMEM (err says how many rows were committed before). Set
 * stats->on_ignored/ctx (or zero them) before the call. */
lf_status lf_import(lf_store *st, const lf_config *cfg, const lf_import_opts *opts,
                    lf_import_stats *stats, lf_error *err);

#endif
