/*
 * app_dataset.c — a workspace's report dataset with its cache policy
 * (leadflow/app_dataset.h).
 *
 * Place in the flow: store rows -> dataset builder (dataset_build.c) -> [cache
 * policy] -> reports, plan. The snapshot (snapshot.c) is keyed by the store's
 * location and its generation (lf_store_url_is_file decides what is a file):
 *   - the generation is in the file's header: a snapshot of another generation is
 *     stale and rebuilt (every committed write bumps the generation);
 *   - the location picks the file. A store that is a file (a SQLite path) keeps its snapshot beside it, "<store>.snapshot", so the cache
 *     goes where the data is and with it. A store named by a URL ("postgresql://...")
 *     has no file to sit beside: its snapshot goes into the workspace directory as
 *     "leadflow-<hash>.snapshot", the hash being that of the whole location, so two
 *     stores used from one workspace never read each other's cache.
 * The snapshot is a cache: when it cannot be written (a read-only workspace) reports
 * still work, only slower; a failed load falls back to the store silently.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "leadflow/app_dataset.h"
#include "leadflow/buf.h"
#include "leadflow/dataset_build.h"
#include "leadflow/snapshot.h"
#include "leadflow/store.h"

/* FNV-1a, 64 bits: a stable name for a location, the same on every build. */
static uint64_t fnv1a64(const char *s)
{
    uint64_t h = UINT64_C(14695981039346656037);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        h ^= *p;
        h *= UINT64_C(1099511628211);
    }
    return h;
}

char *lf_app_snapshot_path(const lf_workspace *ws, const char *loc)
{
    if (lf_store_url_is_file(loc)) {
        lf_buf path;
        lf_buf_init(&path, 0);
        if (lf_buf_adds(&path, loc) != LF_OK || lf_buf_adds(&path, ".snapshot") != LF_OK) {
            lf_buf_release(&path);
            return NULL;
        }
        return lf_buf_detach(&path);
    }
    char name[64];
    snprintf(name, sizeof name, "leadflow-%016llx.snapshot", (unsigned long long)fnv1a64(loc));
    return lf_workspace_path(ws, name);
}

lf_status lf_app_load_dataset(lf_workspace *ws, lf_dataset *ds, lf_error *err)
{
    lf_status s = lf_workspace_open(ws, err);
    if (s != LF_OK)
        return s; /* before lf_dataset_init: nothing to release */
    lf_dataset_init(ds);
    int64_t gen;
    if ((s = lf_store_generation(ws->store, &gen, err)) != LF_OK)
        return s;
    char *path = lf_app_snapshot_path(ws, lf_store_location(ws->store));
    if (!path)
        return lf_errorf(err, LF_ENOMEM, "out of memory");
    if (lf_snapshot_load(path, gen, ds, NULL) == LF_OK) {
        free(path);
        return LF_OK;
    }
    /* leads an interrupted (or running) import left pending are replayed in memory */
    s = lf_dataset_build(ws->store, &ws->cfg, ds, &gen, err);
    if (s != LF_OK) {
        free(path);
        lf_dataset_release(ds); /* what was loaded before the failure */
        lf_dataset_init(ds);
        return s;
    }
    lf_snapshot_write(path, ds, gen, NULL); /* a cache: see above */
    free(path);
    return LF_OK;
}
