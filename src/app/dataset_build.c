/*
 * dataset_build.c — the report dataset from the store's rows (leadflow/dataset_build.h).
 *
 * Place in the flow: store (rows of derived state, spend, traffic) -> [builder] ->
 * dataset -> reports. One read transaction: the leads in rowid order with their stored
 * transitions and handoffs, then spend and traffic; a stale lead gets its slot in
 * order and is replayed in memory afterwards (its transitions and handoffs go to the
 * end of the shared arrays: each lead's slice stays contiguous, which is all the
 * dataset promises). Arrays grow by doubling; nothing is sized or indexed by a rowid.
 */
#include <stdlib.h>
#include <string.h>

#include "leadflow/buf.h"
#include "leadflow/dataset_build.h"
#include "leadflow/replay.h"

typedef struct builder {
    lf_dataset *ds;
    size_t cap_leads, cap_trans, cap_hand, cap_amounts, cap_stale;
    int64_t *stale;        /* rowids of stale leads, in rowid order */
    uint32_t *stale_index; /* their dataset indices */
    size_t nstale, next;   /* next: the stale lead being replayed */
    lf_memreplay *replay;
} builder;

static lf_status oom(lf_error *err)
{
    return lf_errorf(err, LF_ENOMEM, "out of memory");
}

static uint32_t intern(lf_dataset *ds, const char *s)
{
    return lf_dataset_intern(ds, s, s ? strlen(s) : 0);
}

static bool add_trans(builder *b, uint32_t li, const lf_state_trans *t)
{
    lf_dataset *ds = b->ds;
    if (ds->ntrans >= UINT32_MAX ||
        !lf_grow(&ds->trans, &b->cap_trans, ds->ntrans + 1, sizeof *ds->trans))
        return false;
    ds->trans[ds->ntrans] = (lf_ds_transition){.ts = t->ts, .lead = li, .from = t->from,
                                               .to = t->to};
    lf_ds_lead *l = &ds->leads[li];
    if (!l->ntrans)
        l->trans = (uint32_t)ds->ntrans;
    l->ntrans++;
    ds->ntrans++;
    return true;
}

static bool add_handoff(builder *b, uint32_t li, const lf_state_handoff *h)
{
    lf_dataset *ds = b->ds;
    uint32_t reason = intern(ds, h->reason);
    if (reason == UINT32_MAX || ds->nhandoffs >= UINT32_MAX ||
        !lf_grow(&ds->handoffs, &b->cap_hand, ds->nhandoffs + 1, sizeof *ds->handoffs))
        return false;
    ds->handoffs[ds->nhandoffs] = (lf_ds_handoff){
        .mql_at = h->mql_at, .decided_at = h->decided_at,
        .first_contact_at = h->first_contact_at, .lead = li, .reason = reason,
        .score = h->score, .outcome = h->outcome,
    };
    lf_ds_lead *l = &ds->leads[li];
    if (!l->nhandoffs)
        l->handoffs = (uint32_t)ds->nhandoffs;
    l->nhandoffs++;
    ds->nhandoffs++;
    return true;
}

static lf_status on_state(void *ctx, const lf_state_row *row, lf_error *err)
{
    builder *b = ctx;
    lf_dataset *ds = b->ds;
    if (ds->nleads >= UINT32_MAX - 1 ||
        !lf_grow(&ds->leads, &b->cap_leads, ds->nleads + 1, sizeof *ds->leads))
        return oom(err);
    uint32_t li = (uint32_t)ds->nleads;
    lf_ds_lead *l = &ds->leads[li];
    *l = (lf_ds_lead){
        .created_at = row->created_at,
        .won_at = LF_TIME_NONE,
        .channel = intern(ds, row->channel),
        .persona = intern(ds, row->persona),
        .origin = row->origin && strcmp(row->origin, "sales") == 0,
        .stage = LF_STAGE_LEAD,
    };
    if (l->channel == UINT32_MAX || l->persona == UINT32_MAX)
        return oom(err);
    ds->nleads++;
    if (row->stale) { /* replayed once the scan is done */
        void *const arrs[] = {&b->stale, &b->stale_index};
        const size_t elems[] = {sizeof *b->stale, sizeof *b->stale_index};
        if (!lf_grow_parallel(&b->cap_stale, b->nstale + 1, 2, arrs, elems))
            return oom(err);
        b->stale[b->nstale] = row->lead;
        b->stale_index[b->nstale++] = li;
        return LF_OK;
    }
    l->stage = row->stage;
    l->won_at = row->won_at;
    l->revenue = row->revenue;
    for (size_t i = 0; i < row->ntrans; i++)
        if (!add_trans(b, li, &row->trans[i]))
            return oom(err);
    for (size_t i = 0; i < row->nhandoffs; i++)
        if (!add_handoff(b, li, &row->handoffs[i]))
            return oom(err);
    return LF_OK;
}

/* A stale lead's events (in the order of b->stale): its state replayed in memory. */
static lf_status on_stale_events(void *ctx, const lf_lead_events *le, lf_error *err)
{
    builder *b = ctx;
    while (b->next < b->nstale && b->stale[b->next] < le->lead)
        b->next++;
    if (b->next == b->nstale || b->stale[b->next] != le->lead)
        return LF_OK;
    uint32_t li = b->stale_index[b->next++];
    const lf_lead_state *ls;
    lf_status r = lf_memreplay_lead(b->replay, le, &ls, err);
    if (r != LF_OK)
        return r;
    lf_ds_lead *l = &b->ds->leads[li];
    l->stage = ls->stage;
    l->won_at = ls->won_at;
    l->revenue = ls->revenue;
    for (size_t i = 0; i < ls->ntrans; i++) {
        lf_state_trans t = {.ts = ls->trans[i].ts, .from = ls->trans[i].from,
                            .to = ls->trans[i].to};
        if (!add_trans(b, li, &t))
            return oom(err);
    }
    for (size_t i = 0; i < ls->nhandoffs; i++) {
        const lf_handoff *h = &ls->handoffs[i];
        lf_state_handoff s = {
            .mql_at = h->mql_at, .decided_at = h->decided_at,
            .first_contact_at = h->first_contact_at, .outcome = h->outcome, .score = h->score,
            .reason = h->close_event >= 0 ? le->input.events[h->close_event].reason : NULL,
        };
        if (!add_handoff(b, li, &s))
            return oom(err);
    }
    return LF_OK;
}

typedef struct amounts_ctx {
    builder *b;
    lf_ds_amount **arr;
    size_t *n;
    size_t cap;
} amounts_ctx;

/* A spend or traffic row as a range of local days: "YYYY-MM" covers its month. */
static lf_status on_amount(void *ctx, const char *date, const char *channel, double amount,
                           lf_error *err)
{
    amounts_ctx *a = ctx;
    lf_ds_amount row = {.channel = intern(a->b->ds, channel), .amount = amount};
    size_t dn = date ? strlen(date) : 0;
    int y, m;
    if (lf_date_parse(date, dn, &row.day_from, NULL) == LF_OK) {
        row.day_to = row.day_from + 1;
    } else if (lf_month_parse(date, dn, &y, &m, NULL) == LF_OK) {
        row.day_from = lf_days_from_civil(y, m, 1);
        row.day_to = row.day_from + lf_days_in_month(y, m);
    } else {
        return LF_OK; /* validated at import: cannot happen */
    }
    if (row.channel == UINT32_MAX || !lf_grow(a->arr, &a->cap, *a->n + 1, sizeof **a->arr))
        return oom(err);
    (*a->arr)[(*a->n)++] = row;
    return LF_OK;
}

lf_status lf_dataset_build(lf_store *st, const lf_config *cfg, lf_dataset *ds,
                           int64_t *generation, lf_error *err)
{
    lf_status r = lf_store_read_begin(st, err);
    if (r != LF_OK)
        return r;
    builder b = {.ds = ds};
    r = lf_store_generation(st, generation, err);
    if (r == LF_OK)
        r = lf_store_scan_state(st, on_state, &b, err);
    amounts_ctx costs = {&b, &ds->costs, &ds->ncosts, 0};
    amounts_ctx traffic = {&b, &ds->traffic, &ds->ntraffic, 0};
    if (r == LF_OK)
        r = lf_store_scan_series(st, LF_SERIES_COSTS, on_amount, &costs, err);
    if (r == LF_OK)
        r = lf_store_scan_series(st, LF_SERIES_TRAFFIC, on_amount, &traffic, err);
    if (r == LF_OK && b.nstale) {
        r = lf_memreplay_new(cfg, &b.replay, err);
        if (r == LF_OK)
            r = lf_store_scan_events(st, b.stale, b.nstale, on_stale_events, &b, err);
        lf_memreplay_free(b.replay);
    }
    lf_store_read_end(st);
    free(b.stale);
    free(b.stale_index);
    return r;
}
