/*
 * idmap.h — string key -> int64 value hash map (open addressing, linear probing).
 *
 * Keys are copied into the map (a short one into its entry, a longer one into an
 * arena). Used to resolve lead ids to rowids while importing millions of events. Not
 * thread-safe.
 */
#ifndef LEADFLOW_IDMAP_H
#define LEADFLOW_IDMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "leadflow/error.h"

/* A key of at most LF_IDMAP_INLINE bytes lives in its entry, so a lookup that finds
 * it reads two cache lines (its slot, its entry); a longer one lives in the arena. */
#define LF_IDMAP_INLINE 20

typedef struct lf_idmap {
    /* 0 = empty, else (the hash's high 32 bits << 32) | (entry index + 1): a probe
     * that meets another key's slot rarely reads that key's entry */
    uint64_t *slots;
    size_t nslots; /* power of two */
    struct lf_idmap_entry { /* 32 bytes: never across two cache lines */
        int64_t value;
        uint32_t key_len;
        /* the key when key_len <= LF_IDMAP_INLINE, else its offset in arena (a
         * uint64_t, copied in and out) */
        char key[LF_IDMAP_INLINE];
    } *entries;
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
