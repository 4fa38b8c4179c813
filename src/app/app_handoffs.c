/*
 * app_handoffs.c — the sales queue (SPEC §8 `GET /v1/handoffs`, the dashboard's queue).
 *
 * Place in the flow: store -> dataset (pending leads replayed in memory, the snapshot
 * cache) -> [the handoffs that match, their deadline and SLA time left at `now`,
 * sorted, one page after a cursor] -> front end.
 *
 * The order is total: (deadline, mql_at, lead), a missing deadline last, the lead by
 * its position in the store (leads are never deleted and new ones come last, so a
 * cursor keeps naming the same position while leads are added). The cursor is that
 * key as 40 hex digits. Lead ids are read only for the handoffs returned.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "leadflow/app_dataset.h"
#include "leadflow/app_handoffs.h"
#include "leadflow/buf.h"
#include "leadflow/calendar.h"
#include "leadflow/lifecycle.h"
#include "leadflow/store.h"

#define LIMIT_DEFAULT 100
#define LIMIT_MAX 1000

typedef struct hkey {
    int64_t deadline; /* INT64_MAX: none */
    int64_t mql_at;
    uint32_t lead;
    uint32_t h;       /* index into ds.handoffs */
} hkey;

lf_time lf_app_sla_deadline(const lf_config *cfg, lf_time mql_at)
{
    return lf_sla_deadline(cfg, mql_at);
}

/* SLA-clock time from a to b (negative when b is before a). */
static int64_t sla_between(const lf_config *cfg, lf_time a, lf_time b)
{
    if (cfg->sla.clock != LF_CLOCK_BUSINESS)
        return b - a;
    return b >= a ? lf_bclock_between(&cfg->calendar, a, b)
                  : -lf_bclock_between(&cfg->calendar, b, a);
}

static int cmp_key(const hkey *a, const hkey *b)
{
    if (a->deadline != b->deadline)
        return a->deadline < b->deadline ? -1 : 1;
    if (a->mql_at != b->mql_at)
        return a->mql_at < b->mql_at ? -1 : 1;
    return (a->lead > b->lead) - (a->lead < b->lead);
}

static int cmp_hkey(const void *a, const void *b)
{
    return cmp_key(a, b);
}

static bool parse_cursor(const char *s, hkey *k)
{
    if (strlen(s) != 40 || strspn(s, "0123456789abcdef") != 40)
        return false;
    char part[17];
    memcpy(part, s, 16);
    part[16] = '\0';
    k->deadline = (int64_t)(strtoull(part, NULL, 16) ^ (1ull << 63));
    memcpy(part, s + 16, 16);
    k->mql_at = (int64_t)(strtoull(part, NULL, 16) ^ (1ull << 63));
    memcpy(part, s + 32, 8);
    part[8] = '\0';
    k->lead = (uint32_t)strtoul(part, NULL, 16);
    return true;
}

static void make_cursor(const hkey *k, char out[64])
{
    snprintf(out, 64, "%016" PRIx64 "%016" PRIx64 "%08" PRIx32,
             (uint64_t)k->deadline ^ (UINT64_C(1) << 63), (uint64_t)k->mql_at ^ (UINT64_C(1) << 63),
             k->lead);
}

typedef enum { ST_PENDING, ST_ACCEPTED, ST_REJECTED, ST_ALL } status_filter;

static bool parse_status(const char *s, status_filter *f)
{
    static const char *const names[] = {"pending", "accepted", "rejected", "all"};
    for (int i = 0; i < 4; i++)
        if (strcmp(s ? s : "pending", names[i]) == 0) {
            *f = (status_filter)i;
            return true;
        }
    return false;
}

/* The matching handoffs' keys, sorted. */
static lf_status collect(const lf_config *cfg, const lf_dataset *ds, status_filter f,
                         bool overdue_only, lf_time now, hkey **out, size_t *n)
{
    size_t cap = 0;
    *out = NULL;
    *n = 0;
    for (size_t i = 0; i < ds->nhandoffs; i++) {
        const lf_ds_handoff *h = &ds->handoffs[i];
        if (h->mql_at > now)
            continue;
        bool decided = h->decided_at != LF_TIME_NONE && h->decided_at <= now;
        uint8_t outcome = decided ? h->outcome : LF_OUTCOME_PENDING;
        if ((f == ST_PENDING && outcome != LF_OUTCOME_PENDING) ||
            (f == ST_ACCEPTED && outcome != LF_OUTCOME_ACCEPTED) ||
            (f == ST_REJECTED && outcome != LF_OUTCOME_REJECTED))
            continue;
        lf_time dl = lf_app_sla_deadline(cfg, h->mql_at);
        bool overdue = !decided && dl != LF_TIME_NONE && dl < now;
        if (overdue_only && !overdue)
            continue;
        if (!lf_grow(out, &cap, *n + 1, sizeof **out))
            return LF_ENOMEM;
        (*out)[(*n)++] = (hkey){.deadline = dl == LF_TIME_NONE ? INT64_MAX : dl,
                                .mql_at = h->mql_at, .lead = h->lead, .h = (uint32_t)i};
    }
    if (*n)
        qsort(*out, *n, sizeof **out, cmp_hkey);
    return LF_OK;
}

/* Fills the ids of the returned handoffs in one pass over the leads in rowid order,
 * walking the handoffs in lead order beside it (by_lead). */
typedef struct lead_slot {
    uint32_t lead; /* the lead's position */
    uint32_t i;    /* the handoff's index in out */
} lead_slot;

typedef struct id_pass {
    lf_app_handoff *out;
    const lead_slot *by_lead;
    size_t n, pos;
    uint32_t index; /* the lead position the callback is at */
    bool oom;
} id_pass;

static lf_status id_cb(void *ctx, const char *id, size_t len, int64_t rowid)
{
    (void)rowid;
    id_pass *p = ctx;
    for (; p->pos < p->n && p->by_lead[p->pos].lead == p->index; p->pos++) {
        char *s = strndup(id, len);
        p->oom |= !s;
        p->out[p->by_lead[p->pos].i].lead_id = s;
    }
    p->index++;
    return LF_OK;
}

static int cmp_slot(const void *a, const void *b)
{
    const lead_slot *x = a, *y = b;
    if (x->lead != y->lead)
        return x->lead < y->lead ? -1 : 1;
    return (x->i > y->i) - (x->i < y->i);
}

/* The ids of out[0..count) (keys[i] is out[i]'s key). */
static lf_status fill_ids(lf_workspace *ws, const hkey *keys, size_t count, lf_app_handoff *out,
                          lf_error *err)
{
    lead_slot *slots = malloc((count ? count : 1) * sizeof *slots);
    if (!slots)
        return lf_errorf(err, LF_ENOMEM, "out of memory");
    for (size_t i = 0; i < count; i++)
        slots[i] = (lead_slot){keys[i].lead, (uint32_t)i};
    qsort(slots, count, sizeof *slots, cmp_slot);
    id_pass p = {.out = out, .by_lead = slots, .n = count};
    lf_status r = count ? lf_store_lead_ids(ws->store, id_cb, &p, err) : LF_OK;
    free(slots);
    if (r == LF_OK && p.oom)
        r = lf_errorf(err, LF_ENOMEM, "out of memory");
    return r;
}

static void fill_one(const lf_config *cfg, const lf_dataset *ds, const hkey *k, lf_time now,
                     lf_app_handoff *o)
{
    const lf_ds_handoff *h = &ds->handoffs[k->h];
    bool decided = h->decided_at != LF_TIME_NONE && h->decided_at <= now;
    lf_time dl = k->deadline == INT64_MAX ? LF_TIME_NONE : k->deadline;
    o->mql_at = h->mql_at;
    o->deadline = dl;
    o->decided_at = decided ? h->decided_at : LF_TIME_NONE;
    o->outcome = decided ? h->outcome : LF_OUTCOME_PENDING;
    o->overdue = !decided && dl != LF_TIME_NONE && dl < now;
    /* pending: left from now; decided: the margin it was decided with */
    o->left_usec = dl == LF_TIME_NONE ? 0 : sla_between(cfg, decided ? h->decided_at : now, dl);
}

/* The page: keys[from .. from + count) into *out with their ids. */
static lf_status page_out(lf_workspace *ws, const lf_dataset *ds, const hkey *keys,
                          size_t count, lf_time now, lf_app_handoff **out, lf_error *err)
{
    *out = calloc(count ? count : 1, sizeof **out);
    if (!*out)
        return lf_errorf(err, LF_ENOMEM, "out of memory");
    for (size_t i = 0; i < count; i++)
        fill_one(&ws->cfg, ds, &keys[i], now, &(*out)[i]);
    lf_status r = fill_ids(ws, keys, count, *out, err);
    for (size_t i = 0; r == LF_OK && i < count; i++)
        if (!(*out)[i].lead_id && !((*out)[i].lead_id = strdup("")))
            r = lf_errorf(err, LF_ENOMEM, "out of memory");
    if (r != LF_OK) {
        lf_app_handoffs_free(*out, count);
        *out = NULL;
    }
    return r;
}

/* lf_app_handoffs without the bound on limit (SIZE_MAX: all). */
static lf_status handoffs_page(lf_workspace *ws, const char *status, bool overdue_only,
                               size_t limit, const char *after, lf_time now, lf_app_handoff **out,
                               size_t *n, char next_cursor[64], lf_error *err)
{
    *out = NULL;
    *n = 0;
    next_cursor[0] = '\0';
    status_filter f;
    hkey cur = {0};
    if (!parse_status(status, &f))
        return lf_errorf(err, LF_EUSAGE, "unknown status '%.40s' (pending, accepted, rejected, all)",
                         status);
    if (after && *after && !parse_cursor(after, &cur))
        return lf_errorf(err, LF_EUSAGE, "bad cursor");
    lf_dataset ds;
    lf_status r = lf_app_load_dataset(ws, &ds, err);
    if (r != LF_OK)
        return r;
    hkey *keys = NULL;
    size_t nkeys = 0;
    r = collect(&ws->cfg, &ds, f, overdue_only, now, &keys, &nkeys);
    if (r == LF_ENOMEM)
        r = lf_errorf(err, LF_ENOMEM, "out of memory");
    size_t from = 0;
    while (r == LF_OK && after && *after && from < nkeys && cmp_key(&keys[from], &cur) <= 0)
        from++;
    size_t count = nkeys - from < limit ? nkeys - from : limit;
    if (r == LF_OK)
        r = page_out(ws, &ds, keys + from, count, now, out, err);
    if (r == LF_OK) {
        *n = count;
        if (from + count < nkeys)
            make_cursor(&keys[from + count - 1], next_cursor);
    }
    free(keys);
    lf_dataset_release(&ds);
    return r;
}

lf_status lf_app_handoffs(lf_workspace *ws, const char *status, bool overdue_only, size_t limit,
                          const char *after, lf_time now, lf_app_handoff **out, size_t *n,
                          char next_cursor[64], lf_error *err)
{
    *out = NULL;
    *n = 0;
    next_cursor[0] = '\0';
    if (limit > LIMIT_MAX)
        return lf_errorf(err, LF_EUSAGE, "limit above %d", LIMIT_MAX);
    return handoffs_page(ws, status, overdue_only, limit ? limit : LIMIT_DEFAULT, after, now,
                         out, n, next_cursor, err);
}

lf_status lf_app_handoffs_all(lf_workspace *ws, const char *status, bool overdue_only,
                              lf_time now, lf_app_handoff **out, size_t *n, lf_error *err)
{
    char next[64];
    return handoffs_page(ws, status, overdue_only, SIZE_MAX, NULL, now, out, n, next, err);
}

lf_status lf_app_handoff_counts(lf_workspace *ws, lf_time now, int64_t *open, int64_t *overdue,
                                lf_error *err)
{
    *open = *overdue = 0;
    lf_dataset ds;
    lf_status r = lf_app_load_dataset(ws, &ds, err);
    if (r != LF_OK)
        return r;
    for (size_t i = 0; i < ds.nhandoffs; i++) {
        const lf_ds_handoff *h = &ds.handoffs[i];
        if (h->mql_at > now || (h->decided_at != LF_TIME_NONE && h->decided_at <= now))
            continue;
        lf_time dl = lf_app_sla_deadline(&ws->cfg, h->mql_at);
        ++*open;
        *overdue += dl != LF_TIME_NONE && dl < now;
    }
    lf_dataset_release(&ds);
    return LF_OK;
}

void lf_app_handoffs_free(lf_app_handoff *h, size_t n)
{
    for (size_t i = 0; h && i < n; i++)
        free((char *)h[i].lead_id);
    free(h);
}
