/*
 * app_ingest.h — items pushed over the API (SPEC §8 "Ingest") imported with exactly the
 * semantics of CSV import (application layer; src/app/app_ingest.c).
 *
 * A request body (one JSON object, a JSON array of objects, or NDJSON) is parsed into
 * an lf_app_ingest on the caller's thread (lf_app_ingest_parse): each object becomes one
 * record of the kind's CSV layout, whose header is the union of the objects' keys (lower
 * case, in first-seen order, then any required column no object had, so each item
 * lacking it is rejected on its own). A group of parsed requests is then written by one
 * writer in ONE write transaction through the importer (lf_import with in_txn; the
 * rejects table records the file `api` and the item's 0-based index as the line),
 * with the replay of the leads they touched, committed once (lf_app_ingest_group), and
 * made durable by a sync (lf_app_ingest_sync). Each request gets its own counts,
 * rejects and the handoffs its events opened.
 *
 * Ownership: an lf_app_ingest owns everything in it (lf_app_ingest_release).
 */
#ifndef LEADFLOW_APP_INGEST_H
#define LEADFLOW_APP_INGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "leadflow/app.h"
#include "leadflow/buf.h"
#include "leadflow/error.h"
#include "leadflow/time.h"

#define LF_APP_INGEST_MAX_DEPTH 32 /* nesting of arrays and objects (SPEC §8) */
#define LF_APP_INGEST_MAX_ITEMS 1000000

typedef struct lf_app_ingest_reject {
    size_t index;   /* the item's 0-based index in the request */
    char *reason;   /* owned */
} lf_app_ingest_reject;

typedef struct lf_app_ingest_handoff {
    char *lead_id;  /* owned */
    lf_time mql_at;
    lf_time deadline; /* LF_TIME_NONE when the workspace has no SLA */
} lf_app_ingest_handoff;

typedef struct lf_app_ingest {
    int kind;                 /* an import kind (lf_app_import_kind) */
    /* results, set by lf_app_ingest_group */
    int64_t read, imported, duplicates, rejected, ignored;
    lf_app_ingest_reject *rejects;  /* in index order */
    size_t nrejects, rejects_cap;
    lf_app_ingest_handoff *handoffs;
    size_t nhandoffs, handoffs_cap;
    lf_status status;         /* of the group's write: LF_OK when committed */
    lf_error err;             /* why, when status != LF_OK */
    void *priv;               /* the parsed items */
} lf_app_ingest;

/* Parses a request body of an import kind into *in (initialised here; release it in
 * every case). ndjson: one JSON value a line (blank lines skipped), else one object
 * or an array of objects. LF_EINPUT (err says why: the front end answers 400) for
 * invalid UTF-8, nesting deeper than LF_APP_INGEST_MAX_DEPTH, malformed JSON, a
 * duplicate key, a top-level value that is neither an object nor an array, or more
 * than LF_APP_INGEST_MAX_ITEMS items; LF_ENOMEM. An item that is not an object, or
 * has a value other than a string or a number, or two keys naming one column (case
 * apart), is kept and rejected with a reason by the import. */
lf_status lf_app_ingest_parse(lf_app_ingest *in, int kind, const char *body, size_t len,
                              bool ndjson, lf_error *err);
/* The number of items parsed. */
size_t lf_app_ingest_items(const lf_app_ingest *in);
void lf_app_ingest_release(lf_app_ingest *in);

/* Opens ws (lf_workspace_open) as the writer of lf_app_ingest_group. Its commits
 * survive a crash of the process; they survive power loss once lf_app_ingest_sync
 * returned on another workspace of the same store (opened with lf_workspace_open),
 * so the writer goes on with the next group while the previous one is synced. */
lf_status lf_app_ingest_open_writer(lf_workspace *ws, lf_error *err);
/* LEADFLOW_INGEST_TIMING is set (not "0"): the writer prints a line of microseconds a
 * group, a sync and a checkpoint on stderr (bench/serve.sh). */
bool lf_app_ingest_timing(void);
/* Makes every group committed so far durable (lf_store_sync_log). */
lf_status lf_app_ingest_sync(lf_workspace *ws, lf_error *err);
/* The writer leaves the log's upkeep to this, called on a third workspace of the store
 * from time to time (lf_store_checkpoint): commits never wait for it. */
lf_status lf_app_ingest_checkpoint(lf_workspace *ws, lf_error *err);

/* Imports reqs[0..n) in order in one write transaction of ws's store (opened if
 * needed), replays the pending leads in it, commits it once, and fills each request's
 * results. LF_OK: every request is committed (its status LF_OK); otherwise nothing of
 * the group is (the transaction rolled back), every request's status and err say why,
 * and so does the return. When the replay fails, the rows are committed without it
 * (the leads stay pending, readers replay them in memory): LF_OK. */
lf_status lf_app_ingest_group(lf_workspace *ws, lf_app_ingest *const *reqs, size_t n,
                              lf_error *err);

#endif
