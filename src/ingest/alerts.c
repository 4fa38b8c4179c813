/*
 * alerts.c — the handoff alerts of a replay (leadflow/alerts.h).
 *
 * Place in the flow: replay (replay.c: one lead replayed, its derived state about to
 * be written in the chunk's write transaction) -> here -> the store's outbox, in that
 * same transaction. Only the lead's handoffs are compared: mql_at identifies a handoff
 * across replays (a lead has at most one handoff per instant).
 */
#include <stdlib.h>
#include <string.h>

#include "leadflow/alerts.h"
#include "leadflow/buf.h"

struct lf_alerts {
    const lf_config *cfg;
    lf_time now;
    lf_time *mql_at;   /* the stored handoffs of the lead: mql_at and whether decided */
    bool *decided;
    size_t n, cap;
};

lf_status lf_alerts_new(const lf_config *cfg, lf_time now, lf_alerts **out, lf_error *err)
{
    *out = NULL;
    if (!(cfg->webhook_events & (LF_ALERT_HANDOFF_OPENED | LF_ALERT_HANDOFF_DECIDED)))
        return LF_OK;
    lf_alerts *a = calloc(1, sizeof *a);
    if (!a)
        return lf_errorf(err, LF_ENOMEM, "out of memory");
    a->cfg = cfg;
    a->now = now;
    *out = a;
    return LF_OK;
}

void lf_alerts_free(lf_alerts *a)
{
    if (!a)
        return;
    free(a->mql_at);
    free(a->decided);
    free(a);
}

static lf_status keep_old(void *ctx, const lf_state_handoff *h, lf_error *err)
{
    lf_alerts *a = ctx;
    void *const arrs[] = {&a->mql_at, &a->decided};
    const size_t elems[] = {sizeof *a->mql_at, sizeof *a->decided};
    if (!lf_grow_parallel(&a->cap, a->n + 1, 2, arrs, elems))
        return lf_errorf(err, LF_ENOMEM, "out of memory");
    a->mql_at[a->n] = h->mql_at;
    a->decided[a->n++] = h->outcome != LF_OUTCOME_PENDING;
    return LF_OK;
}

lf_status lf_alerts_before(lf_alerts *a, lf_store *st, int64_t lead, lf_error *err)
{
    a->n = 0;
    return lf_store_lead_handoffs(st, lead, keep_old, a, err);
}

lf_status lf_alerts_enqueue(lf_store *st, const lf_config *cfg, unsigned bit, int64_t lead,
                            int64_t subject, lf_time at, lf_time now, int64_t *added,
                            lf_error *err)
{
    for (size_t i = 0; i < cfg->nwebhooks; i++) {
        const lf_webhook *w = &cfg->webhooks[i];
        if (!(w->events & bit) || now - at > w->max_age_usec)
            continue;
        lf_outbox_row row = {.lead = lead,
                             .type = lf_alert_name(bit),
                             .endpoint = w->url,
                             .subject = subject,
                             .created_at = at,
                             .next_at = at > now ? at : now};
        bool was_added = false;
        lf_status r = lf_store_outbox_add(st, &row, &was_added, err);
        if (r != LF_OK)
            return r;
        if (added)
            *added += was_added;
    }
    return LF_OK;
}

/* Index of the stored handoff opened at t, or a->n. */
static size_t old_index(const lf_alerts *a, lf_time t)
{
    for (size_t i = 0; i < a->n; i++)
        if (a->mql_at[i] == t)
            return i;
    return a->n;
}

lf_status lf_alerts_after(lf_alerts *a, lf_store *st, int64_t lead, const lf_lead_state *ls,
                          lf_error *err)
{
    lf_status r = LF_OK;
    for (size_t i = 0; r == LF_OK && i < ls->nhandoffs; i++) {
        const lf_handoff *h = &ls->handoffs[i];
        size_t k = old_index(a, h->mql_at);
        if (k == a->n)
            r = lf_alerts_enqueue(st, a->cfg, LF_ALERT_HANDOFF_OPENED, lead, h->mql_at,
                                  h->mql_at, a->now, NULL, err);
        if (r == LF_OK && h->outcome != LF_OUTCOME_PENDING && (k == a->n || !a->decided[k]))
            r = lf_alerts_enqueue(st, a->cfg, LF_ALERT_HANDOFF_DECIDED, lead, h->mql_at,
                                  h->decided_at, a->now, NULL, err);
    }
    return r;
}
