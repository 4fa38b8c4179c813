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
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "leadflow/app_dataset.h"
#include "leadflow/buf.h"
#include "leadflow/dataset_build.h"
#include "leadflow/snapshot.h"
#include "leadflow/store.h"
#include "leadflow/text.h"

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

/* lf_app_load_dataset, also giving the generation the dataset holds; the snapshot is
 * rewritten after a build when `write`. */
static lf_status load_at(lf_workspace *ws, lf_dataset *ds, int64_t *gen, bool write,
                         lf_error *err)
{
    lf_status s = lf_workspace_open(ws, err);
    if (s != LF_OK)
        return s; /* before lf_dataset_init: nothing to release */
    lf_dataset_init(ds);
    char *path = NULL;
    if ((s = lf_store_generation(ws->store, gen, err)) == LF_OK &&
        !(path = lf_app_snapshot_path(ws, lf_store_location(ws->store))))
        s = lf_errorf(err, LF_ENOMEM, "out of memory");
    if (s != LF_OK) {
        lf_dataset_release(ds); /* its empty name table; leaves ds zeroed */
        return s;
    }
    if (lf_snapshot_load(path, *gen, ds, NULL) == LF_OK) {
        free(path);
        return LF_OK;
    }
    /* leads an interrupted (or running) import left pending are replayed in memory */
    s = lf_dataset_build(ws->store, &ws->cfg, ds, gen, err);
    if (s != LF_OK) {
        free(path);
        lf_dataset_release(ds); /* what was loaded before the failure; ds zeroed */
        return s;
    }
    if (write)
        lf_snapshot_write(path, ds, *gen, NULL); /* a cache: see above */
    free(path);
    return LF_OK;
}

lf_status lf_app_load_dataset(lf_workspace *ws, lf_dataset *ds, lf_error *err)
{
    int64_t gen;
    return load_at(ws, ds, &gen, true, err);
}

/* ---- the segment of each lead (the `segment` report) ---------------------------------
 * The store's rows come in rowid order, which is the order of the dataset's leads (the
 * builder gives every lead its slot in that order, the snapshot keeps it), so the i-th
 * row is lead i. That holds only for the same state of the store: the rows are read in
 * one read transaction that must see the generation the dataset holds; if an import
 * committed in between, the dataset is loaded again (a few times at most). */

typedef struct seg_fill {
    lf_dataset *ds;
    size_t n; /* rows seen */
} seg_fill;

static lf_status seg_row(void *ctx, int64_t lead, const char *value, size_t len, lf_error *err)
{
    (void)lead;
    seg_fill *f = ctx;
    if (f->n >= f->ds->nleads) {
        f->n++; /* more rows than leads: another state, counted as a mismatch */
        return LF_OK;
    }
    uint32_t id = lf_dataset_intern(f->ds, value, len);
    if (id == UINT32_MAX)
        return lf_errorf(err, LF_ENOMEM, "out of memory");
    f->ds->segment[f->n++] = id;
    return LF_OK;
}

/* Fills ds->segment at generation gen; *same = false when the store moved on. */
static lf_status seg_read(lf_store *st, const char *attr, int64_t gen, lf_dataset *ds, bool *same,
                          lf_error *err)
{
    lf_status s = lf_store_read_begin(st, err);
    if (s != LF_OK)
        return s;
    int64_t now;
    seg_fill f = {ds, 0};
    s = lf_store_generation(st, &now, err);
    *same = s == LF_OK && now == gen;
    if (s == LF_OK && *same)
        s = lf_store_scan_lead_attr(st, attr, seg_row, &f, err);
    lf_store_read_end(st);
    *same = *same && f.n == ds->nleads;
    return s;
}

lf_status lf_app_load_segment(lf_workspace *ws, const char *attribute, lf_dataset *ds,
                              lf_error *err)
{
    char *attr = strdup(attribute ? attribute : "");
    if (!attr)
        return lf_errorf(err, LF_ENOMEM, "out of memory");
    lf_ascii_lower(attr, strlen(attr)); /* header names are kept lower-cased */
    lf_status s = LF_OK;
    bool same = false;
    for (int tries = 0; s == LF_OK && !same && tries < 5; tries++) {
        int64_t gen;
        if ((s = load_at(ws, ds, &gen, true, err)) != LF_OK)
            break;
        ds->segment = calloc(ds->nleads ? ds->nleads : 1, sizeof *ds->segment);
        if (!ds->segment)
            s = lf_errorf(err, LF_ENOMEM, "out of memory");
        if (s == LF_OK)
            s = seg_read(ws->store, attr, gen, ds, &same, err);
        if (s != LF_OK || !same)
            lf_dataset_release(ds); /* zeroed: holds nothing */
    }
    if (s == LF_OK && !same)
        s = lf_errorf(err, LF_ESTORE, "the store kept changing while the report was read; "
                                      "run it again");
    if (s != LF_OK) {
        free(attr);
        return s;
    }
    ds->segment_attr = attr;
    return LF_OK;
}

/* ---- the dataset shared by threads ---------------------------------------------------- */

typedef struct shared_ds {
    lf_dataset ds; /* first: a put gives back &ds */
    int64_t gen;
    int refs;      /* holders, plus one while it is the cache's current dataset */
} shared_ds;

struct lf_app_dataset_cache {
    pthread_mutex_t mu;
    pthread_cond_t built;
    shared_ds *cur;
    bool building;
};

lf_app_dataset_cache *lf_app_dataset_cache_new(void)
{
    lf_app_dataset_cache *c = calloc(1, sizeof *c);
    if (c) {
        pthread_mutex_init(&c->mu, NULL);
        pthread_cond_init(&c->built, NULL);
    }
    return c;
}

static void shared_unref(shared_ds *d) /* lock held */
{
    if (d && --d->refs == 0) {
        lf_dataset_release(&d->ds);
        free(d);
    }
}

void lf_app_dataset_cache_free(lf_app_dataset_cache *c)
{
    if (!c)
        return;
    shared_unref(c->cur); /* every holder has put it back */
    pthread_mutex_destroy(&c->mu);
    pthread_cond_destroy(&c->built);
    free(c);
}

/* Builds the dataset of generation >= want (the caller set c->building). */
static lf_status cache_build(lf_app_dataset_cache *c, lf_workspace *ws, shared_ds **out,
                             lf_error *err)
{
    shared_ds *d = calloc(1, sizeof *d);
    lf_status s = d ? load_at(ws, &d->ds, &d->gen, false, err)
                    : lf_errorf(err, LF_ENOMEM, "out of memory");
    pthread_mutex_lock(&c->mu);
    c->building = false;
    pthread_cond_broadcast(&c->built);
    if (s != LF_OK) {
        free(d);
        return s; /* lock held */
    }
    d->refs = 2; /* the cache's and the caller's */
    shared_unref(c->cur);
    c->cur = d;
    *out = d;
    return LF_OK; /* lock held */
}

lf_status lf_app_dataset_cache_get(lf_app_dataset_cache *c, lf_workspace *ws,
                                   const lf_dataset **ds, lf_error *err)
{
    int64_t want;
    lf_status s = lf_workspace_open(ws, err);
    if (s == LF_OK)
        s = lf_store_generation(ws->store, &want, err);
    if (s != LF_OK)
        return s;
    pthread_mutex_lock(&c->mu);
    shared_ds *d = NULL;
    for (int round = 0; !d && s == LF_OK; round++) {
        if (c->cur && c->cur->gen >= want) {
            d = c->cur;
            d->refs++;
        } else if (c->building && round < 1000) {
            pthread_cond_wait(&c->built, &c->mu); /* another thread builds: one build */
        } else {
            c->building = true; /* bounded: a waiter that saw 1000 builds builds its own */
            pthread_mutex_unlock(&c->mu);
            s = cache_build(c, ws, &d, err);
        }
    }
    pthread_mutex_unlock(&c->mu);
    if (d)
        *ds = &d->ds;
    return s;
}

void lf_app_dataset_cache_put(lf_app_dataset_cache *c, const lf_dataset *ds)
{
    if (!ds)
        return;
    pthread_mutex_lock(&c->mu);
    shared_unref((shared_ds *)(void *)ds); /* ds is the first member */
    pthread_mutex_unlock(&c->mu);
}
