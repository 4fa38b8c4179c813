/*
 * app_import.h — the event log through the application layer: importing one CSV file
 * (SPEC §2; as it is, with a zone, or through an import map, SPEC §9) with progress,
 * reject, ignored and cancel callbacks, and reading back what imports rejected and
 * which events did not apply (SPEC §7). Nothing here prints: a front end shows the
 * callbacks' arguments and the results as it likes.
 *
 * Ownership: strings handed to callbacks are valid only during the callback.
 */
#ifndef LEADFLOW_APP_IMPORT_H
#define LEADFLOW_APP_IMPORT_H

#include <stdbool.h>
#include <stdint.h>

#include "leadflow/app.h"
#include "leadflow/error.h"
#include "leadflow/time.h"

/* Parses an import kind ("leads", "events", "costs", "traffic") into *kind (the value
 * lf_app_import_file takes); false when unknown. */
bool lf_app_import_kind(const char *name, int *kind);
/* The name of an import kind ("unknown" outside them). */
const char *lf_app_import_kind_name(int kind);

/* Callbacks of one import; each may be NULL, all get ctx. */
typedef struct lf_app_import_cb {
    /* A row failed validation: NAME:LINE: REASON (the reason quotes the data). */
    void (*on_reject)(void *ctx, const char *name, long line, const char *reason);
    /* Every ~64k rows, and once at the end with done = true. */
    void (*on_progress)(void *ctx, const char *name, int64_t rows, uint64_t bytes, bool done);
    /* Once per reason of the events this import added that did not apply, most
     * frequent first. */
    void (*on_ignored)(void *ctx, const char *reason, int64_t count);
    /* Asked before each record and after a read cut short: true stops the import there
     * (Ctrl-C, SIGTERM); what was read is committed and replayed. */
    bool (*cancel)(void *ctx);
    void *ctx;
} lf_app_import_cb;

typedef struct lf_app_import_result {
    const char *name;     /* the input in messages: the file, or "<stdin>" for "-"
                             (borrowed from the file argument, or static) */
    int64_t read;         /* data rows read */
    int64_t imported;     /* rows that changed the store */
    int64_t duplicates;   /* rows already in the store */
    int64_t rejected;     /* rows that failed validation */
    int64_t ignored;      /* imported events that did not apply */
    bool cancelled;       /* stopped by cb->cancel: the rows read are committed */
    bool read_failed;     /* the input could not be read to its end (not a cancel) */
    int64_t skipped;      /* rows an events map skipped: no ts, so no event (not in read) */
} lf_app_import_result;

/* Imports one file ("-" = standard input) of an import kind into the workspace (opened
 * if needed). tz_name: the zone of timestamps without an offset (--timezone), NULL =
 * the workspace's. Returns LF_OK (also when cancelled), LF_EINPUT when rows were
 * rejected (res->rejected > 0, the good rows imported) or the file is unusable
 * (rejected == 0: "cannot open 'F': ...", a bad header), LF_ECONFIG for an unknown
 * zone, LF_ESTORE / LF_ENOMEM otherwise; err says why. *res is filled in every case. */
lf_status lf_app_import_file(lf_workspace *ws, int kind, const char *file, const char *tz_name,
                             const lf_app_import_cb *cb, lf_app_import_result *res,
                             lf_error *err);

/* Imports one file ("-" = standard input) through the import map at map_path (SPEC §9,
 * docs/maps.md), which gives the kind. tz_name (--timezone, may be NULL) is the zone
 * of timestamps without an offset when the map has no `timezone` of its own (the
 * map's wins); else the workspace's. Returns what lf_app_import_file returns, and
 * LF_ECONFIG for a map error ("MAP:LINE: key 'K': ...", also a column the file lacks,
 * found at its header; nothing is imported then). res->name is the file. */
lf_status lf_app_import_map(lf_workspace *ws, const char *map_path, const char *file,
                            const char *tz_name, const lf_app_import_cb *cb,
                            lf_app_import_result *res, lf_error *err);

/* Loads and checks an import map without importing (LF_OK, or the map's LF_ECONFIG
 * error): a front end checks every map before it imports with the first. */
lf_status lf_app_check_map(const char *map_path, lf_error *err);

/* A row an import rejected (strings valid during the callback; raw may be NULL). */
typedef struct lf_app_reject {
    const char *kind, *file, *reason, *raw;
    long line;
} lf_app_reject;
typedef lf_status (*lf_app_reject_fn)(void *ctx, const lf_app_reject *r);
/* Calls fn for every rejected row, in the store's order; stops at fn's first error. */
lf_status lf_app_rejects(lf_workspace *ws, lf_app_reject_fn fn, void *ctx, lf_error *err);

/* An imported event that did not apply (strings valid during the callback). */
typedef struct lf_app_ignored {
    int64_t seq;          /* import order */
    const char *file;     /* NULL when unknown (imported before files were kept) */
    long line;            /* 0 when unknown */
    const char *lead_id, *type, *reason;
    lf_time ts;
} lf_app_ignored;
typedef lf_status (*lf_app_ignored_fn)(void *ctx, const lf_app_ignored *g);
/* Calls fn for every ignored event in (file, line, seq) order, after finishing the
 * replays an interrupted import left pending (the reasons are derived state). */
lf_status lf_app_ignored_events(lf_workspace *ws, lf_app_ignored_fn fn, void *ctx,
                                lf_error *err);

#endif
