/*
 * app_copy.c — `leadflow copy` (leadflow/app_copy.h): one store into a new one, through
 * the store interface only, so it works between any two backends.
 *
 * The source is read in one read transaction (one consistent state, writers of the
 * source not blocked); the destination is written in transactions of BATCH leads or
 * events, each marking the leads whose events it wrote pending, and the pending leads
 * are replayed at the end as after an import. Memory: one map from source to
 * destination rowid (8 bytes a lead) and the store's scan chunks.
 */
#include <stdlib.h>
#include <string.h>

#include "leadflow/app_copy.h"
#include "leadflow/buf.h"
#include "leadflow/replay.h"
#include "leadflow/store.h"

#define BATCH 5000

#define LEAD_STRINGS 9 /* the strings of an lf_lead_row */

typedef struct copier {
    lf_store *src, *dst;
    int64_t *map;        /* source rowid -> destination rowid */
    int64_t nmap;
    int64_t *touched;    /* destination leads of the open batch's events */
    size_t ntouched;
    int64_t inbatch;     /* rows in the open destination transaction */
    char *file;          /* the last input name seen and its destination id */
    int64_t file_id;
    int64_t last_seq;
    /* a page of the source's log, queued for one batch append */
    lf_event_row *q;
    size_t (*qoff)[6];   /* ident, ext_id, type, detail, reason, file name in text */
    int64_t *qseq;
    size_t nq;
    lf_buf text;
    /* leads of the source, queued for one batch upsert (strings in text, as offsets) */
    lf_lead_row *lq;
    size_t (*lqoff)[LEAD_STRINGS];
    int64_t *lsrc;       /* their source rowids */
    lf_upsert *lres;
    size_t nl;
    lf_app_copy *c;
} copier;

static lf_status oom(lf_error *err)
{
    return lf_errorf(err, LF_ENOMEM, "out of memory");
}

/* Opens the destination's batch transaction if none is open. */
static lf_status batch_open(copier *k, lf_error *err)
{
    return k->inbatch++ == 0 ? lf_store_begin(k->dst, err) : LF_OK;
}

/* Commits the open batch, with pending marks for the leads of its events. */
static lf_status batch_close(copier *k, lf_error *err)
{
    if (k->inbatch == 0)
        return LF_OK;
    k->inbatch = 0;
    lf_status s = LF_OK;
    if (k->ntouched) {
        size_t n = lf_sort_unique_i64(k->touched, k->ntouched);
        s = lf_store_pending_mark(k->dst, k->touched, n, err);
        k->ntouched = 0;
    }
    if (s == LF_OK)
        return lf_store_commit(k->dst, err);
    lf_store_rollback(k->dst, NULL);
    return s;
}

/* The string fields of a lead row, in one order for queueing and for pointing back. */
static void lead_strings(lf_lead_row *r, const char **to[LEAD_STRINGS])
{
    const char **f[LEAD_STRINGS] = {&r->id, &r->email, &r->source, &r->channel, &r->origin,
                                    &r->persona, &r->attrs_json, &r->origin_given,
                                    &r->persona_given};
    memcpy(to, f, sizeof f);
}

/* The queued leads in one batch upsert, in the open destination transaction, marked
 * pending; their destination rowids into the map. */
static lf_status flush_leads(copier *k, lf_error *err)
{
    for (size_t i = 0; i < k->nl; i++) {
        const char **to[LEAD_STRINGS];
        lead_strings(&k->lq[i], to);
        for (int f = 0; f < LEAD_STRINGS; f++)
            *to[f] = k->lqoff[i][f] == SIZE_MAX ? NULL : k->text.data + k->lqoff[i][f];
    }
    lf_status s = k->nl ? lf_store_lead_upsert_batch(k->dst, k->lq, k->nl, k->lres, err) : LF_OK;
    for (size_t i = 0; s == LF_OK && i < k->nl; i++) {
        k->map[k->lsrc[i]] = k->lq[i].rowid;
        k->lsrc[i] = k->lq[i].rowid; /* ascending: new rows of an empty store */
    }
    /* every lead is replayed at the end, also one without events (its creation) */
    if (s == LF_OK && k->nl)
        s = lf_store_pending_mark(k->dst, k->lsrc, k->nl, err);
    k->c->leads += s == LF_OK ? (int64_t)k->nl : 0;
    k->nl = 0;
    lf_buf_reset(&k->text);
    return s;
}

/* Queues a lead of the source, its strings copied; a full queue is written and its
 * transaction committed. */
static lf_status copy_lead(void *ctx, const lf_lead_events *le, lf_error *err)
{
    copier *k = ctx;
    if (le->lead < 1 || le->lead > k->nmap)
        return lf_errorf(err, LF_ESTORE, "copy: lead %lld beyond the store's count",
                         (long long)le->lead);
    lf_lead_row *r = &k->lq[k->nl];
    *r = *le->row;
    const char **from[LEAD_STRINGS];
    lead_strings(r, from);
    lf_status s = LF_OK;
    for (int f = 0; f < LEAD_STRINGS; f++) {
        const char *v = *from[f];
        k->lqoff[k->nl][f] = v ? k->text.len : SIZE_MAX;
        if (v && s == LF_OK && (s = lf_buf_adds(&k->text, v)) == LF_OK)
            s = lf_buf_addc(&k->text, '\0');
    }
    if (s != LF_OK)
        return oom(err);
    k->lsrc[k->nl++] = le->lead;
    if (k->nl < BATCH)
        return LF_OK;
    s = batch_open(k, err);
    if (s == LF_OK)
        s = flush_leads(k, err);
    return s == LF_OK ? batch_close(k, err) : s; /* copy_leads rolls back */
}

/* Every lead of the source, in rowid order, BATCH a destination transaction. */
static lf_status copy_leads(copier *k, lf_error *err)
{
    k->lq = malloc(BATCH * sizeof *k->lq);
    k->lqoff = malloc(BATCH * sizeof *k->lqoff);
    k->lsrc = malloc(BATCH * sizeof *k->lsrc);
    k->lres = malloc(BATCH * sizeof *k->lres);
    if (!k->lq || !k->lqoff || !k->lsrc || !k->lres)
        return oom(err);
    lf_status s = k->nmap > 0 ? lf_store_scan_range(k->src, 1, k->nmap, copy_lead, k, err)
                              : LF_OK;
    if (s == LF_OK && k->nl && (s = batch_open(k, err)) == LF_OK)
        s = flush_leads(k, err);
    if (s == LF_OK)
        return batch_close(k, err);
    lf_store_rollback(k->dst, NULL);
    return s;
}

/* The destination id of input name `name` (NULL: none). */
static lf_status file_of(copier *k, const char *name, int64_t *id, lf_error *err)
{
    *id = 0;
    if (!name)
        return LF_OK;
    if (!k->file || strcmp(k->file, name) != 0) {
        free(k->file);
        if (!(k->file = strdup(name)))
            return oom(err);
        lf_status s = lf_store_file_id(k->dst, name, &k->file_id, err);
        if (s != LF_OK) {
            free(k->file); /* not known to the destination until it commits */
            k->file = NULL;
            return s;
        }
    }
    *id = k->file_id;
    return LF_OK;
}

/* Queues an event of the source's page, its strings copied (offsets into k->text:
 * the buffer moves as it grows). */
static lf_status copy_event(void *ctx, const lf_log_event *e, lf_error *err)
{
    copier *k = ctx;
    k->last_seq = e->seq;
    if (e->row.lead < 1 || e->row.lead > k->nmap || !k->map[e->row.lead])
        return lf_errorf(err, LF_ESTORE, "event %lld: its lead %lld is not in the store",
                         (long long)e->seq, (long long)e->row.lead);
    if (k->nq >= BATCH)
        return lf_errorf(err, LF_ESTORE, "copy: more events than asked for");
    k->q[k->nq] = e->row;
    k->q[k->nq].lead = k->map[e->row.lead];
    const char *from[6] = {e->row.ident, e->row.ext_id, e->row.type, e->row.detail,
                           e->row.reason, e->file};
    lf_status s = LF_OK;
    for (int f = 0; f < 6; f++) {
        k->qoff[k->nq][f] = from[f] ? k->text.len : SIZE_MAX;
        if (from[f] && s == LF_OK && (s = lf_buf_adds(&k->text, from[f])) == LF_OK)
            s = lf_buf_addc(&k->text, '\0');
    }
    k->nq++;
    return s == LF_OK ? LF_OK : oom(err);
}

/* The queued page in one destination transaction: input names, one batch append, the
 * pending marks of the leads of its events. */
static lf_status flush_page(copier *k, lf_error *err)
{
    lf_status s = batch_open(k, err);
    for (size_t i = 0; s == LF_OK && i < k->nq; i++) {
        const char **to[5] = {&k->q[i].ident, &k->q[i].ext_id, &k->q[i].type, &k->q[i].detail,
                              &k->q[i].reason};
        for (int f = 0; f < 5; f++)
            *to[f] = k->qoff[i][f] == SIZE_MAX ? NULL : k->text.data + k->qoff[i][f];
        s = file_of(k, k->qoff[i][5] == SIZE_MAX ? NULL : k->text.data + k->qoff[i][5],
                    &k->q[i].file, err);
    }
    if (s == LF_OK)
        s = lf_store_event_append_batch(k->dst, k->q, k->nq, k->qseq, err);
    for (size_t i = 0; s == LF_OK && i < k->nq; i++) {
        k->c->events += k->qseq[i] != 0;
        k->touched[k->ntouched++] = k->q[i].lead;
    }
    k->nq = 0;
    lf_buf_reset(&k->text);
    if (s == LF_OK)
        return batch_close(k, err);
    lf_store_rollback(k->dst, NULL);
    return s;
}

static lf_status copy_events(copier *k, lf_error *err)
{
    k->touched = malloc(BATCH * sizeof *k->touched);
    k->q = malloc(BATCH * sizeof *k->q);
    k->qoff = malloc(BATCH * sizeof *k->qoff);
    k->qseq = malloc(BATCH * sizeof *k->qseq);
    if (!k->touched || !k->q || !k->qoff || !k->qseq)
        return oom(err);
    for (;;) { /* pages of the log, until one comes back empty */
        int64_t before = k->last_seq;
        lf_status s = lf_store_log_scan(k->src, k->last_seq, BATCH, copy_event, k, err);
        if (s == LF_OK && k->nq)
            s = flush_page(k, err);
        if (s != LF_OK)
            return s;
        if (k->last_seq == before)
            return LF_OK;
    }
}

typedef struct series_copy {
    copier *k;
    lf_series series;
} series_copy;

static lf_status copy_amount(void *ctx, const char *date, const char *channel, double amount,
                             lf_error *err)
{
    series_copy *sc = ctx;
    bool changed;
    sc->k->c->series++;
    return lf_store_series_set(sc->k->dst, sc->series, date, channel, amount, &changed, err);
}

typedef struct reject_copy {
    copier *k;
    lf_error *err;
    lf_status s;
} reject_copy;

static lf_status copy_reject(void *ctx, const lf_reject *r)
{
    reject_copy *rc = ctx;
    rc->k->c->rejects++;
    rc->s = lf_store_reject_add(rc->k->dst, r->kind, r->file, r->line, r->reason, r->raw,
                                r->raw ? strlen(r->raw) : 0, rc->err);
    return rc->s;
}

static lf_status copy_delivery(void *ctx, const lf_outbox_row *o, lf_error *err)
{
    copier *k = ctx;
    lf_outbox_row row = *o;
    if (o->lead != 0) {
        if (o->lead < 1 || o->lead > k->nmap || !k->map[o->lead])
            return lf_errorf(err, LF_ESTORE, "delivery %lld/%lld: its lead is not in the store",
                             (long long)o->lead, (long long)o->n);
        row.lead = k->map[o->lead];
    }
    k->c->deliveries++;
    return lf_store_outbox_put(k->dst, &row, err);
}

/* Spend, traffic, rejected rows and the outbox: one transaction (they are small). */
static lf_status copy_rest(copier *k, lf_error *err)
{
    lf_status s = lf_store_begin(k->dst, err);
    series_copy costs = {k, LF_SERIES_COSTS}, traffic = {k, LF_SERIES_TRAFFIC};
    reject_copy rc = {k, err, LF_OK};
    if (s == LF_OK)
        s = lf_store_scan_series(k->src, LF_SERIES_COSTS, copy_amount, &costs, err);
    if (s == LF_OK)
        s = lf_store_scan_series(k->src, LF_SERIES_TRAFFIC, copy_amount, &traffic, err);
    if (s == LF_OK)
        s = lf_store_rejects_scan(k->src, copy_reject, &rc, err);
    if (s == LF_OK)
        s = lf_store_outbox_scan(k->src, (1u << LF_OUTBOX_PENDING) | (1u << LF_OUTBOX_SENT) |
                                             (1u << LF_OUTBOX_FAILED),
                                 copy_delivery, k, err);
    if (s == LF_OK)
        return lf_store_commit(k->dst, err);
    lf_store_rollback(k->dst, NULL);
    return s;
}

/* The copy itself, inside the source's read transaction. */
static lf_status copy_all(copier *k, lf_error *err)
{
    lf_status s = lf_store_lead_count(k->src, &k->nmap, err);
    if (s != LF_OK)
        return s;
    if (!(k->map = calloc((size_t)k->nmap + 1, sizeof *k->map)))
        return oom(err);
    s = copy_leads(k, err);
    if (s == LF_OK)
        s = copy_events(k, err);
    if (s != LF_OK) {
        lf_store_rollback(k->dst, NULL);
        return s;
    }
    return copy_rest(k, err);
}

/* Opens both stores; the destination must be another store and hold no lead. */
static lf_status open_both(copier *k, const char *from, const char *to, lf_error *err)
{
    if (strcmp(from, to) == 0)
        return lf_errorf(err, LF_ESTORE, "copy: --from and --to name the same store");
    lf_status s = lf_store_open(&k->src, from, err);
    if (s == LF_OK)
        s = lf_store_open(&k->dst, to, err);
    int64_t n = 0;
    if (s == LF_OK)
        s = lf_store_lead_count(k->dst, &n, err);
    if (s == LF_OK && n > 0)
        s = lf_errorf(err, LF_ESTORE,
                      "store '%s' is not empty: copy writes only into a new store",
                      lf_store_location(k->dst));
    return s;
}

lf_status lf_app_copy_run(lf_workspace *ws, const char *from, const char *to, lf_app_copy *c,
                          lf_error *err)
{
    memset(c, 0, sizeof *c);
    lf_status s = lf_workspace_load_config(ws, err);
    if (s != LF_OK)
        return s;
    copier k = {.c = c};
    lf_buf_init(&k.text, 0);
    s = open_both(&k, from, to, err);
    if (s == LF_OK && (s = lf_store_read_begin(k.src, err)) == LF_OK) {
        s = copy_all(&k, err);
        lf_store_read_end(k.src);
    }
    if (s == LF_OK) {
        /* the alerts of the source were copied with its outbox: none again */
        lf_config cfg = ws->cfg;
        cfg.webhook_events = 0;
        s = lf_replay_pending(k.dst, &cfg, &c->replayed, err);
    }
    lf_store_close(k.src);
    lf_store_close(k.dst);
    free(k.map);
    free(k.touched);
    free(k.file);
    free(k.q);
    free(k.qoff);
    free(k.qseq);
    free(k.lq);
    free(k.lqoff);
    free(k.lsrc);
    free(k.lres);
    lf_buf_release(&k.text);
    return s;
}
