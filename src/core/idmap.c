/*
 * idmap.c — string -> int64 hash map (see leadflow/idmap.h).
 * Invariant: load factor <= 1/2; slots index into entries and carry a tag of the key's
 * hash; short keys live in their entry, longer ones in one arena.
 * Hash: FNV-1a 64 followed by a final avalanche mix (keys are short CRM ids).
 */
#include <stdlib.h>
#include <string.h>

#include "leadflow/idmap.h"

static uint64_t hash_key(const char *k, size_t n)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)k[i];
        h *= 1099511628211ULL;
    }
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    return h;
}

void lf_idmap_init(lf_idmap *m)
{
    memset(m, 0, sizeof *m);
}

void lf_idmap_release(lf_idmap *m)
{
    free(m->slots);
    free(m->entries);
    free(m->arena);
    lf_idmap_init(m);
}

static const char *entry_key(const lf_idmap *m, const struct lf_idmap_entry *e)
{
    if (e->key_len <= LF_IDMAP_INLINE)
        return e->key;
    uint64_t off;
    memcpy(&off, e->key, sizeof off);
    return m->arena + off;
}

static uint64_t slot_tag(uint64_t h)
{
    return h & 0xffffffff00000000ULL;
}

/* The entry a non-empty slot points to. */
static struct lf_idmap_entry *slot_entry(const lf_idmap *m, uint64_t s)
{
    return &m->entries[(uint32_t)s - 1];
}

/* The slot of key (hit) or the empty slot where it would go. */
static size_t find_slot(const lf_idmap *m, uint64_t h, const char *k, size_t n, bool *hit)
{
    size_t mask = m->nslots - 1;
    uint64_t tag = slot_tag(h);
    for (size_t i = (size_t)h & mask;; i = (i + 1) & mask) {
        uint64_t s = m->slots[i];
        if (!s) {
            *hit = false;
            return i;
        }
        if (slot_tag(s) != tag)
            continue;
        const struct lf_idmap_entry *e = slot_entry(m, s);
        if (e->key_len == n && memcmp(entry_key(m, e), k, n) == 0) {
            *hit = true;
            return i;
        }
    }
}

/* Entries keep no hash: a rehash (rare, amortized) hashes every key again. */
static lf_status rehash(lf_idmap *m, size_t nslots)
{
    uint64_t *slots = calloc(nslots, sizeof *slots);
    if (!slots)
        return LF_ENOMEM;
    free(m->slots);
    m->slots = slots;
    m->nslots = nslots;
    for (size_t e = 0; e < m->n; e++) {
        const struct lf_idmap_entry *en = &m->entries[e];
        uint64_t h = hash_key(entry_key(m, en), en->key_len);
        size_t i = (size_t)h & (nslots - 1);
        while (slots[i])
            i = (i + 1) & (nslots - 1);
        slots[i] = slot_tag(h) | (uint64_t)(e + 1);
    }
    return LF_OK;
}

/* Doubles the entries' room. On a cache line's boundary (realloc gives 16 bytes), so
 * that no 32-byte entry straddles two lines; cap * 32 is a multiple of 64. */
static lf_status grow_entries(lf_idmap *m)
{
    size_t cap = m->cap ? m->cap * 2 : 64;
    if (cap > SIZE_MAX / sizeof *m->entries)
        return LF_ENOMEM;
    struct lf_idmap_entry *p = aligned_alloc(64, cap * sizeof *p);
    if (!p)
        return LF_ENOMEM;
    if (m->n)
        memcpy(p, m->entries, m->n * sizeof *p);
    free(m->entries);
    m->entries = p;
    m->cap = cap;
    return LF_OK;
}

/* Copies a long key into the arena and its offset into e. */
static lf_status arena_add(lf_idmap *m, const char *key, size_t len, struct lf_idmap_entry *e)
{
    if (m->arena_len + len > m->arena_cap) {
        size_t cap = m->arena_cap ? m->arena_cap : 4096;
        while (cap < m->arena_len + len)
            cap *= 2;
        char *p = realloc(m->arena, cap);
        if (!p)
            return LF_ENOMEM;
        m->arena = p;
        m->arena_cap = cap;
    }
    memcpy(m->arena + m->arena_len, key, len);
    uint64_t off = m->arena_len;
    memcpy(e->key, &off, sizeof off);
    m->arena_len += len;
    return LF_OK;
}

lf_status lf_idmap_put(lf_idmap *m, const char *key, size_t len, int64_t value)
{
    if (len > UINT32_MAX || m->n >= UINT32_MAX - 1)
        return LF_ENOMEM;
    if ((m->n + 1) * 2 > m->nslots && rehash(m, m->nslots ? m->nslots * 2 : 64) != LF_OK)
        return LF_ENOMEM;
    uint64_t h = hash_key(key, len);
    bool hit;
    size_t slot = find_slot(m, h, key, len, &hit);
    if (hit) {
        slot_entry(m, m->slots[slot])->value = value;
        return LF_OK;
    }
    if (m->n == m->cap && grow_entries(m) != LF_OK)
        return LF_ENOMEM;
    struct lf_idmap_entry *e = &m->entries[m->n];
    *e = (struct lf_idmap_entry){.value = value, .key_len = (uint32_t)len};
    if (len <= LF_IDMAP_INLINE) {
        if (len)
            memcpy(e->key, key, len);
    } else if (arena_add(m, key, len, e) != LF_OK) {
        return LF_ENOMEM;
    }
    m->slots[slot] = slot_tag(h) | (uint64_t)(++m->n);
    return LF_OK;
}

bool lf_idmap_get(const lf_idmap *m, const char *key, size_t len, int64_t *value)
{
    if (!m->nslots)
        return false;
    bool hit;
    size_t slot = find_slot(m, hash_key(key, len), key, len, &hit);
    if (hit)
        *value = slot_entry(m, m->slots[slot])->value;
    return hit;
}

_Static_assert(sizeof(struct lf_idmap_entry) == 32, "an entry is half a cache line");
_Static_assert(LF_IDMAP_INLINE >= sizeof(uint64_t), "a long key's offset fits the key");
