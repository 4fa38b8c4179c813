/*
 * app_demo.h — synthetic data and the demo workspace (application layer;
 * src/app/app_demo.c): what `leadflow generate` and `leadflow demo` do, as values.
 */
#ifndef LEADFLOW_APP_DEMO_H
#define LEADFLOW_APP_DEMO_H

#include <stddef.h>

#include "leadflow/app.h"
#include "leadflow/buf.h"
#include "leadflow/error.h"
#include "leadflow/generate.h"
#include "leadflow/time.h"

/* Creates opts->out_dir and its parents (LF_ESTORE "cannot create directory 'DIR':
 * REASON" when it cannot), then writes the synthetic files into it (lf_generate,
 * leadflow/generate.h; progress through opts->progress, nothing printed). */
lf_status lf_app_generate(const lf_generate_opts *opts, lf_error *err);

/* A generated file the demo imports: its import kind (an lf_import_kind,
 * leadflow/import.h) and its name in the generated directory. */
typedef struct lf_app_demo_file {
    int kind;
    const char *name;
} lf_app_demo_file;

/* The generated files in import order (leads, events, costs, traffic); *n set. */
const lf_app_demo_file *lf_app_demo_files(size_t *n);

/* Points ws (released first) at dir with its default store DIR/leadflow.db, which is
 * removed first (with its -wal and -shm files) so the demo can run again on the same
 * directory, and opens the workspace (dir is borrowed for ws's life). */
lf_status lf_app_demo_open(lf_workspace *ws, const char *dir, lf_error *err);

/* The demo's reports over the open workspace: every report over the 12 months to now
 * (an instant), run once, as the terminal headline (text lines, each ending in a
 * newline; appended to headline, data text escaped for a terminal) and as the page of
 * `report all --format html` (appended to page). Loads the dataset first
 * (lf_app_load_dataset). After a failure headline may hold the headline made. */
lf_status lf_app_demo_report(lf_workspace *ws, lf_time now, lf_buf *headline, lf_buf *page,
                             lf_error *err);

#endif
