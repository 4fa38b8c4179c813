/*
 * import_source.h — the pieces a file import needs around lf_import, shared by the
 * imports of files and maps (app_import.c) and of presets (app_preset.c): the file
 * descriptor it reads, the zone of --timezone, the result copied from the importer's
 * counts. Private to src/app.
 */
#ifndef LEADFLOW_APP_IMPORT_SOURCE_H
#define LEADFLOW_APP_IMPORT_SOURCE_H

#include <stdbool.h>
#include <stddef.h>

#include "leadflow/app_import.h"
#include "leadflow/error.h"
#include "leadflow/import.h"
#include "leadflow/time.h"

/* A file read with read(2): retried after a signal unless cb's cancel says the import
 * is being stopped, so a Ctrl-C interrupts a blocked read (standard input from a pipe). */
typedef struct import_fd {
    int fd;
    bool is_stdin;              /* fd is standard input: not closed */
    bool failed;                /* a read failed (not a cancel) */
    const lf_app_import_cb *cb; /* the front end's callbacks (may be NULL): not owned */
} import_fd;

/* Opens file ("-" = standard input) into src (its cb kept, failed cleared); LF_EINPUT
 * "cannot open 'FILE': REASON" when it cannot. */
lf_status import_fd_open(import_fd *src, const char *file, lf_error *err);
/* Closes what import_fd_open opened (standard input stays open). */
void import_fd_close(import_fd *src);
/* Whether the front end is stopping the import (its cancel callback). */
bool import_fd_cancelled(const import_fd *src);
/* An lf_csv_read_fn over an import_fd (ctx): the bytes read, (size_t)-1 on a failed
 * or cancelled read (src->failed tells which). */
size_t import_fd_read(void *ctx, char *buf, size_t n);

/* Loads the zone tz_name into *tz (NULL name: none, *tz stays NULL; the caller frees
 * it with lf_tz_free). A zone that does not load is the zone's error after `prefix`
 * ("--timezone: "; "" for the error as it is). */
lf_status import_load_zone(const char *tz_name, const char *prefix, lf_tz **tz, lf_error *err);

/* Copies the importer's counts and read_failed into res (its name left as it is). */
void import_result_fill(lf_app_import_result *res, const lf_import_stats *stats, bool read_failed);

#endif
