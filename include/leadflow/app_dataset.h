/*
 * app_dataset.h — the report dataset of a workspace with its cache policy
 * (application layer; src/app/app_dataset.c).
 *
 * The dataset is loaded from the snapshot cache (leadflow/snapshot.h) when the
 * snapshot holds the store's current generation, else built from the store's rows
 * (leadflow/dataset_build.h) and the snapshot rewritten. The cache never changes a
 * result: a missing, stale or unwritable snapshot only costs time.
 */
#ifndef LEADFLOW_APP_DATASET_H
#define LEADFLOW_APP_DATASET_H

#include "leadflow/app.h"
#include "leadflow/dataset.h"
#include "leadflow/error.h"

/* Opens the workspace (lf_workspace_open) and loads its dataset into ds, as above.
 * ds is initialised here; after LF_OK the caller releases it (lf_dataset_release),
 * after a failure it holds nothing. */
lf_status lf_app_load_dataset(lf_workspace *ws, lf_dataset *ds, lf_error *err);

/* As lf_app_load_dataset, and also each lead's value of lead attribute `attribute`
 * (lower-cased here, as header names are) into ds->segment and the name into
 * ds->segment_attr (leadflow/dataset.h), read at the same state of the store as the
 * dataset (lf_store_scan_lead_attr; the dataset is loaded again if an import committed
 * in between). Same ownership as lf_app_load_dataset. */
lf_status lf_app_load_segment(lf_workspace *ws, const char *attribute, lf_dataset *ds,
                              lf_error *err);

/* A dataset shared by the threads of one process (the server): built once per store
 * generation, whoever asks first, while the others asking for that generation wait
 * for it; kept in memory (the snapshot file is read when it is current, never written:
 * a server whose store changes all the time would rewrite it at every request). A
 * request sees at least the generation the store had when it asked, so a report read
 * after an acknowledged write includes that write. */
typedef struct lf_app_dataset_cache lf_app_dataset_cache;
lf_app_dataset_cache *lf_app_dataset_cache_new(void); /* NULL: out of memory */
void lf_app_dataset_cache_free(lf_app_dataset_cache *c);
/* *ds = the dataset of ws's store, current when the call began (ws is the calling
 * thread's own). Read-only; hold it until lf_app_dataset_cache_put(c, *ds). */
lf_status lf_app_dataset_cache_get(lf_app_dataset_cache *c, lf_workspace *ws,
                                   const lf_dataset **ds, lf_error *err);
void lf_app_dataset_cache_put(lf_app_dataset_cache *c, const lf_dataset *ds);

/* The snapshot file of ws's store at `location` (lf_store_location), newly allocated
 * (NULL when out of memory): "<location>.snapshot" beside a store that is a file, and
 * "<workspace>/leadflow-<hash>.snapshot" for a store named by a URL ("scheme://..."),
 * the hash (16 hex digits, FNV-1a 64) being that of the whole location. */
char *lf_app_snapshot_path(const lf_workspace *ws, const char *location);

#endif
