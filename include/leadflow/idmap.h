/*
 * idmap.h — string key -> int64 value hash map (open addressing, linear probing).
 *
 * Keys are copied into an arena owned by the map. Used to resolve lead ids to
 * rowids while importing millions of events. Not thread-safe.
 */
#ifndef LEADFLOW_IDMAP_H
#define LEADFLOW_IDMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "leadflow/error.h"

typedef struct lf_idmap {
    uint32_t *slots;   /* 0 = empty, else entry index + 1 */
    size_t nslots;     /* power of two */
    struct lf_idmap_entry { uint64_t hash; size_t key_off; uint32_t key_len; int64_t value; }
        *entries;
    size_t n, cap;
    char *arena;
    size_t arena_len, arena_cap;
} lf_idmap;

void lf_idmap_init(lf_idmap *m);
void lf_idmap_release(lf_idmap *m);
/* Inserts or overwrites key -> value. */
lf_status lf_idmap_put(lf_idmap *m, const char *key, size_t len, int64_t value);
/* Looks key up; returns false if absent. */
bool lf_idmap_get(const lf_idmap *m, const char *key, size_t len, int64_t *value);

#endif
