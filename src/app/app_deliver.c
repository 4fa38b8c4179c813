/*
 * app_deliver.c — alerts that fall due, and the outbox sent (leadflow/app_deliver.h).
 *
 * Place in the flow: store (outbox, handoffs) -> here -> webhook.c (signature, POST)
 * -> store (the attempt's outcome). `leadflow deliver` runs one pass; the server runs
 * passes on a thread of its own (src/server/deliver.c); both call these functions.
 *
 * An attempt: the due rows are read (a batch at a time, oldest first, only the oldest
 * pending one of each lead and endpoint), the body is built if this is the first
 * attempt, the row is claimed in a short write transaction (compare-and-set on its
 * next_at, which moves to a lease: if this process dies mid-request, the row is due
 * again when the lease ends), the request is made with no transaction open, and its
 * outcome written. So a receiver may see a delivery twice (a crash after its 2xx,
 * before the outcome was written), never zero times, and two deliverers on one store
 * never send the same attempt.
 *
 * Backoff after attempt k: 30 s x 2^(k-1), at most 1 hour, with jitter (a uniformly
 * random part of the second half: [d/2, d]); a failure 24 hours or more after the
 * first attempt is final. Timeouts: LEADFLOW_DELIVER_TIMEOUT seconds for the whole
 * request (default 10, 0.1 to 300), connecting at most 5 s of it.
 */
#include <jansson.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "deliver_pacing.h"
#include "leadflow/alerts.h"
#include "leadflow/app_deliver.h"
#include "leadflow/app_handoffs.h"
#include "leadflow/buf.h"
#include "leadflow/lead_explain.h"
#include "leadflow/replay.h"
#include "leadflow/store.h"
#include "webhook.h"

#define BATCH 32                           /* due rows read at a time */
#define PASS_BATCHES 10000                 /* at most BATCH x this attempts a pass */
#define BACKOFF_FIRST (30 * LF_USEC_PER_SEC)
#define BACKOFF_MAX LF_USEC_PER_HOUR
#define RETRY_WINDOW (24 * LF_USEC_PER_HOUR)
#define LEASE_EXTRA (60 * LF_USEC_PER_SEC) /* beyond the request's timeout */
#define OVERDUE_CHUNK 1000 /* overdue handoffs a write transaction */

static lf_status oom(lf_error *err)
{
    return lf_errorf(err, LF_ENOMEM, "out of memory");
}

/* ---- alerts that fall due: handoff.overdue ------------------------------------------- */

typedef struct still_pending {
    lf_time mql_at;
    bool pending;
} still_pending;

static lf_status find_pending(void *ctx, const lf_state_handoff *h, lf_error *err)
{
    (void)err;
    still_pending *s = ctx;
    if (h->mql_at == s->mql_at && h->outcome == LF_OUTCOME_PENDING)
        s->pending = true;
    return LF_OK;
}

/* The overdue handoff h, checked again under the write lock (still stored as
 * pending), added for every webhook listening. */
static lf_status overdue_one(lf_workspace *ws, const lf_app_handoff *h, lf_time now,
                             int64_t *added, lf_error *err)
{
    int64_t lead;
    bool found = false;
    lf_status r = lf_store_lead_rowid(ws->store, h->lead_id, &lead, &found, err);
    if (r != LF_OK || !found)
        return r;
    still_pending s = {h->mql_at, false};
    r = lf_store_lead_handoffs(ws->store, lead, find_pending, &s, err);
    if (r == LF_OK && s.pending)
        r = lf_alerts_enqueue(ws->store, &ws->cfg, LF_ALERT_HANDOFF_OVERDUE, lead, h->mql_at,
                              h->deadline, now, added, err);
    return r;
}

/* The overdue handoffs hs[0..n), OVERDUE_CHUNK a write transaction (a concurrent writer
 * waits for one chunk at most). */
static lf_status overdue_chunk(lf_workspace *ws, const lf_app_handoff *hs, size_t n, lf_time now,
                               int64_t *added, lf_error *err)
{
    lf_status r = lf_store_begin(ws->store, err);
    for (size_t i = 0; r == LF_OK && i < n; i++)
        r = overdue_one(ws, &hs[i], now, added, err);
    if (r == LF_OK)
        return lf_store_commit(ws->store, err);
    lf_store_rollback(ws->store, NULL);
    return r;
}

static lf_status enqueue_overdue(lf_workspace *ws, lf_time now, int64_t *added, lf_error *err)
{
    if (!(ws->cfg.webhook_events & LF_ALERT_HANDOFF_OVERDUE) || !ws->cfg.has_sla)
        return LF_OK;
    lf_app_handoff *hs = NULL;
    size_t n = 0;
    lf_status r = lf_app_handoffs_all(ws, "pending", true, now, &hs, &n, err);
    for (size_t i = 0; r == LF_OK && i < n; i += OVERDUE_CHUNK)
        r = overdue_chunk(ws, hs + i, n - i < OVERDUE_CHUNK ? n - i : OVERDUE_CHUNK, now, added,
                          err);
    lf_app_handoffs_free(hs, n);
    return r;
}

lf_status lf_app_deliver_enqueue(lf_workspace *ws, lf_time now, lf_app_deliver_stats *stats,
                                 lf_error *err)
{
    lf_status r = lf_workspace_open(ws, err);
    if (r != LF_OK)
        return r;
    if (now == LF_TIME_NONE)
        now = lf_time_now();
    if (!ws->cfg.nwebhooks)
        return LF_OK;
    r = lf_replay_pending(ws->store, &ws->cfg, NULL, err);
    if (r == LF_OK)
        r = enqueue_overdue(ws, now, &stats->due, err);
    if (r == LF_OK && (ws->cfg.webhook_events & LF_ALERT_PACING_BEHIND))
        r = lf_deliver_pacing_enqueue(ws, now, &stats->due, err);
    return r;
}

/* ---- the body of a delivery --------------------------------------------------------- */

/* A due row, copied out of the store's callback. */
typedef struct due_row {
    int64_t lead, n, subject;
    lf_time created_at, next_at, first_at;
    int attempts;
    char *type, *endpoint, *lead_id, *body;
} due_row;

static void delivery_id(int64_t lead, int64_t n, char *buf, size_t size)
{
    snprintf(buf, size, "dlv-%lld-%lld", (long long)lead, (long long)n);
}

/* data of a handoff alert: {"lead": GET /v1/leads/{id} as of the change, "handoff": the
 * handoff it is about (null if a rescore removed it)}. */
static lf_status handoff_data(lf_workspace *ws, const due_row *d, json_t **out, lf_error *err)
{
    /* as of the change; an overdue handoff is overdue just after its deadline */
    lf_time as_of = d->created_at + (strcmp(d->type, "handoff.overdue") == 0);
    lf_lead_explain x;
    lf_status r = lf_lead_explain_run(ws, d->lead_id ? d->lead_id : "", as_of, &x, err);
    if (r != LF_OK)
        return r;
    json_t *h = NULL;
    for (size_t i = 0; i < x.nhandoffs && !h; i++)
        if (x.handoffs[i].mql_at == d->subject)
            h = lf_lead_explain_handoff_json(ws->cfg.tz, &x, i);
    *out = json_pack("{s:o,s:o}", "lead", lf_lead_explain_json(ws->cfg.tz, &x), "handoff",
                     h ? h : json_null());
    lf_lead_explain_release(&x);
    return *out ? LF_OK : oom(err);
}

/* The body {"id", "type", "created_at", "data"} into *body (malloc'ed). */
static lf_status build_body(lf_workspace *ws, const due_row *d, char **body, lf_error *err)
{
    json_t *data = NULL;
    lf_status r = d->lead ? handoff_data(ws, d, &data, err)
                          : lf_deliver_pacing_data(ws, d->created_at, &data, err);
    if (r != LF_OK)
        return r;
    char id[48], at[48];
    delivery_id(d->lead, d->n, id, sizeof id);
    lf_time_format_local(ws->cfg.tz, d->created_at, at, sizeof at);
    json_t *j = json_pack("{s:s,s:s,s:s,s:o}", "id", id, "type", d->type, "created_at", at,
                          "data", data);
    *body = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    return *body ? LF_OK : oom(err);
}

/* ---- one attempt -------------------------------------------------------------------- */

static const lf_webhook *find_webhook(const lf_config *cfg, const char *url)
{
    for (size_t i = 0; i < cfg->nwebhooks; i++)
        if (strcmp(cfg->webhooks[i].url, url) == 0)
            return &cfg->webhooks[i];
    return NULL;
}

/* LEADFLOW_DELIVER_TIMEOUT in ms (100 .. 300,000), default 10 s. */
static long total_timeout_ms(void)
{
    const char *v = getenv("LEADFLOW_DELIVER_TIMEOUT");
    char *end = NULL;
    double s = v && *v ? strtod(v, &end) : 0;
    if (!v || !*v || *end || !(s >= 0.1 && s <= 300))
        return 10000;
    return (long)(s * 1000);
}

/* The wait before attempt k + 1 after k failed ones: [d/2, d], d = 30 s x 2^(k-1) <= 1 h. */
static int64_t backoff(int attempts)
{
    int64_t d = BACKOFF_FIRST;
    for (int i = 1; i < attempts && d < BACKOFF_MAX; i++)
        d *= 2;
    if (d > BACKOFF_MAX)
        d = BACKOFF_MAX;
    uint64_t rnd = 0;
    if (RAND_bytes((unsigned char *)&rnd, sizeof rnd) != 1)
        rnd = (uint64_t)lf_time_now() * 0x9e3779b97f4a7c15ull; /* jitter only */
    return d / 2 + (int64_t)(rnd % (uint64_t)(d / 2 + 1));
}

/* Claims d in a write transaction; *claimed = whether this process makes the attempt. */
static lf_status claim(lf_workspace *ws, due_row *d, lf_time now, long total_ms, bool *claimed,
                       lf_error *err)
{
    lf_time lease = now + (lf_time)total_ms * 1000 + LEASE_EXTRA;
    lf_status r = lf_store_begin(ws->store, err);
    if (r == LF_OK)
        r = lf_store_outbox_claim(ws->store, d->lead, d->n, d->next_at, lease, now, d->body,
                                  claimed, err);
    if (r == LF_OK)
        return lf_store_commit(ws->store, err);
    lf_store_rollback(ws->store, NULL);
    return r;
}

static lf_status record(lf_workspace *ws, const due_row *d, int status, lf_time next_at,
                        const char *error, lf_error *err)
{
    lf_status r = lf_store_begin(ws->store, err);
    if (r == LF_OK)
        r = lf_store_outbox_result(ws->store, d->lead, d->n, status, next_at, error, err);
    if (r == LF_OK)
        return lf_store_commit(ws->store, err);
    lf_store_rollback(ws->store, NULL);
    return r;
}

/* The request of a claimed delivery; res says how it went. */
static lf_status post(const due_row *d, const lf_webhook *w, lf_time now, long total_ms,
                      lf_webhook_result *res)
{
    const char *secret = getenv(w->secret_env);
    memset(res, 0, sizeof *res);
    if (!secret || !*secret) {
        snprintf(res->error, sizeof res->error, "environment variable %s is not set",
                 w->secret_env);
        return LF_OK;
    }
    char id[48];
    delivery_id(d->lead, d->n, id, sizeof id);
    long connect_ms = total_ms < 5000 ? total_ms : 5000;
    return lf_webhook_post(d->endpoint, id, secret, now / LF_USEC_PER_SEC, d->body,
                           strlen(d->body), connect_ms, total_ms, res);
}

/* One attempt at d: body, claim, request, outcome. */
static lf_status attempt(lf_workspace *ws, due_row *d, lf_app_deliver_stats *stats,
                         lf_error *err)
{
    lf_time now = lf_time_now();
    const lf_webhook *w = find_webhook(&ws->cfg, d->endpoint);
    if (!w) { /* the webhook left leadflow.yaml: nobody to send it to */
        stats->failed++;
        return record(ws, d, LF_OUTBOX_FAILED, d->next_at,
                      "no webhook with this url in leadflow.yaml", err);
    }
    lf_status r = d->body ? LF_OK : build_body(ws, d, &d->body, err);
    long total_ms = total_timeout_ms();
    bool claimed = false;
    if (r == LF_OK)
        r = claim(ws, d, now, total_ms, &claimed, err);
    if (r != LF_OK || !claimed)
        return r;
    lf_webhook_result res;
    if ((r = post(d, w, now, total_ms, &res)) != LF_OK)
        return oom(err);
    int attempts = d->attempts + 1;
    lf_time first = d->first_at == LF_TIME_NONE ? now : d->first_at;
    lf_time after = lf_time_now();
    if (res.ok) {
        stats->sent++;
        return record(ws, d, LF_OUTBOX_SENT, after, NULL, err);
    }
    if (after - first >= RETRY_WINDOW) {
        stats->failed++;
        return record(ws, d, LF_OUTBOX_FAILED, after, res.error, err);
    }
    stats->retrying++;
    return record(ws, d, LF_OUTBOX_PENDING, after + backoff(attempts), res.error, err);
}

/* ---- the pass ------------------------------------------------------------------------ */

typedef struct due_list {
    due_row rows[BATCH];
    size_t n;
} due_list;

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

static lf_status keep_due(void *ctx, const lf_outbox_row *o, lf_error *err)
{
    due_list *l = ctx;
    if (l->n == BATCH)
        return LF_OK;
    due_row *d = &l->rows[l->n++];
    *d = (due_row){.lead = o->lead, .n = o->n, .subject = o->subject,
                   .created_at = o->created_at, .next_at = o->next_at, .first_at = o->first_at,
                   .attempts = o->attempts, .type = strdup(o->type),
                   .endpoint = strdup(o->endpoint), .lead_id = dup_or_null(o->lead_id),
                   .body = dup_or_null(o->body)};
    if (!d->type || !d->endpoint || (o->lead_id && !d->lead_id) || (o->body && !d->body))
        return oom(err);
    return LF_OK;
}

static void due_clear(due_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->rows[i].type);
        free(l->rows[i].endpoint);
        free(l->rows[i].lead_id);
        free(l->rows[i].body);
    }
    l->n = 0;
}

lf_status lf_app_deliver_send(lf_workspace *ws, bool (*stop)(void *ctx), void *stop_ctx,
                              lf_app_deliver_stats *stats, lf_error *err)
{
    lf_status r = lf_workspace_open(ws, err);
    due_list *l = r == LF_OK ? calloc(1, sizeof *l) : NULL;
    if (r != LF_OK || !l)
        return r != LF_OK ? r : oom(err);
    bool more = true;
    for (int b = 0; r == LF_OK && more && b < PASS_BATCHES; b++) {
        r = lf_store_outbox_due(ws->store, lf_time_now(), BATCH, keep_due, l, err);
        more = l->n > 0;
        for (size_t i = 0; r == LF_OK && i < l->n; i++) {
            if (stop && stop(stop_ctx)) {
                more = false;
                break;
            }
            r = attempt(ws, &l->rows[i], stats, err);
        }
        due_clear(l);
    }
    free(l);
    return r;
}

lf_status lf_app_deliver_run(lf_workspace *ws, bool (*stop)(void *ctx), void *stop_ctx,
                             lf_app_deliver_stats *stats, lf_error *err)
{
    lf_status r = lf_app_deliver_enqueue(ws, LF_TIME_NONE, stats, err);
    return r == LF_OK ? lf_app_deliver_send(ws, stop, stop_ctx, stats, err) : r;
}

/* ---- list and retry ----------------------------------------------------------------- */

typedef struct list_ctx {
    lf_app_delivery_fn fn;
    void *ctx;
} list_ctx;

static lf_status list_one(void *ctx, const lf_outbox_row *o, lf_error *err)
{
    static const char *const names[] = {"pending", "sent", "failed"};
    list_ctx *l = ctx;
    lf_app_delivery d = {.type = o->type, .endpoint = o->endpoint, .lead_id = o->lead_id,
                         .status = o->status >= 0 && o->status < 3 ? names[o->status] : "?",
                         .attempts = o->attempts, .created_at = o->created_at,
                         .next_at = o->next_at, .last_error = o->last_error};
    delivery_id(o->lead, o->n, d.id, sizeof d.id);
    lf_status r = l->fn(l->ctx, &d);
    return r == LF_OK ? LF_OK : lf_errorf(err, r, "cannot list deliveries");
}

lf_status lf_app_deliver_list(lf_workspace *ws, lf_app_delivery_fn fn, void *ctx, lf_error *err)
{
    lf_status r = lf_workspace_open(ws, err);
    list_ctx l = {fn, ctx};
    if (r == LF_OK)
        r = lf_store_outbox_scan(ws->store, 1u << LF_OUTBOX_PENDING | 1u << LF_OUTBOX_FAILED,
                                 list_one, &l, err);
    return r;
}

lf_status lf_app_deliver_retry_failed(lf_workspace *ws, int64_t *count, lf_error *err)
{
    *count = 0;
    lf_status r = lf_workspace_open(ws, err);
    if (r == LF_OK)
        r = lf_store_begin(ws->store, err);
    if (r != LF_OK)
        return r;
    r = lf_store_outbox_requeue(ws->store, lf_time_now(), count, err);
    if (r == LF_OK)
        return lf_store_commit(ws->store, err);
    lf_store_rollback(ws->store, NULL);
    return r;
}
