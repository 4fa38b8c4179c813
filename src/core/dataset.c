/*
 * dataset.c — the in-memory report dataset (see leadflow/dataset.h): its lifetime and
 * its name table.
 *
 * The store fills the arrays; reports only read them. Names (channels, personas,
 * rejection reasons) are interned so that a lead or handoff carries a 32-bit id
 * instead of a string: `names[id]` is a NUL-terminated copy owned by the dataset,
 * and the private intern table (an lf_idmap, string -> id) finds an existing id in
 * O(1). Invariants: names[0] is "" whenever nnames > 0, and every id handed out is
 * < nnames; the empty string (or NULL) always interns to 0 without touching the map.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "leadflow/dataset.h"
#include "leadflow/idmap.h"

typedef struct ds_names {
    lf_idmap map; /* name -> id */
    size_t cap;   /* capacity of ds->names */
} ds_names;

/* Makes sure the name table exists with names[0] = "". */
static bool ensure_names(lf_dataset *ds)
{
    if (ds->intern)
        return true;
    ds_names *t = calloc(1, sizeof *t);
    char **names = malloc(16 * sizeof *names);
    char *empty = calloc(1, 1);
    if (!t || !names || !empty) {
        free(t);
        free(names);
        free(empty);
        return false;
    }
    lf_idmap_init(&t->map);
    t->cap = 16;
    names[0] = empty;
    ds->names = names;
    ds->nnames = 1;
    ds->intern = t;
    return true;
}

void lf_dataset_init(lf_dataset *ds)
{
    memset(ds, 0, sizeof *ds);
    /* Best effort: if this fails the first lf_dataset_intern tries again. */
    ensure_names(ds);
}

void lf_dataset_release(lf_dataset *ds)
{
    if (!ds)
        return;
    if (ds->map) {
        munmap(ds->map, ds->map_len); /* the arrays live in the snapshot mapping */
    } else {
        free(ds->leads);
        free(ds->trans);
        free(ds->handoffs);
        free(ds->costs);
        free(ds->traffic);
    }
    free(ds->segment); /* heap even when the arrays are mapped */
    free(ds->segment_attr);
    for (size_t i = 0; i < ds->nnames; i++)
        free(ds->names[i]);
    free(ds->names);
    ds_names *t = ds->intern;
    if (t) {
        lf_idmap_release(&t->map);
        free(t);
    }
    memset(ds, 0, sizeof *ds);
}

uint32_t lf_dataset_intern(lf_dataset *ds, const char *s, size_t n)
{
    if (!ensure_names(ds))
        return UINT32_MAX;
    if (!s || n == 0)
        return 0;
    ds_names *t = ds->intern;
    int64_t id;
    if (lf_idmap_get(&t->map, s, n, &id))
        return (uint32_t)id;
    if (ds->nnames >= UINT32_MAX - 1)
        return UINT32_MAX;
    if (ds->nnames == t->cap) {
        size_t cap = t->cap * 2;
        char **p = realloc(ds->names, cap * sizeof *p);
        if (!p)
            return UINT32_MAX;
        ds->names = p;
        t->cap = cap;
    }
    char *copy = malloc(n + 1);
    if (!copy)
        return UINT32_MAX;
    memcpy(copy, s, n);
    copy[n] = '\0';
    uint32_t nid = (uint32_t)ds->nnames;
    if (lf_idmap_put(&t->map, s, n, nid) != LF_OK) {
        free(copy);
        return UINT32_MAX;
    }
    ds->names[ds->nnames++] = copy;
    return nid;
}

uint32_t lf_dataset_name_id(const lf_dataset *ds, const char *s)
{
    if (!s || !*s)
        return 0;
    const ds_names *t = ds->intern;
    int64_t id;
    if (!t || !lf_idmap_get(&t->map, s, strlen(s), &id))
        return UINT32_MAX;
    return (uint32_t)id;
}
