/*
 * ingest.c — the group-commit writer of `leadflow serve` (SPEC §8: a 2xx means the items
 * are committed durably, and durability must not cost throughput).
 *
 * Place in the flow: request threads (api.c) parse their bodies and queue them here;
 * ONE writer thread owns the writer workspace (its own store connection, synchronous=
 * FULL: every commit is synced, so it survives power loss), takes every request queued
 * at that moment, writes them all in one transaction (lf_app_ingest_group: one commit,
 * one sync for the group), replays the pending leads, then wakes each request with its
 * own counts. While the writer syncs, new requests queue up and form the next group, so
 * the cost of a sync is shared by every request that arrived during the previous one.
 *
 * Bounds: at most MAX_JOBS requests or MAX_ITEMS items wait (503 beyond); a request
 * waits at most WAIT_SEC for its group (then 503: it may still be committed, and a
 * retry is safe since imports are idempotent). A request that stopped waiting leaves
 * its job to the writer, which releases it. sv_ingest_stop finishes every queued
 * request before it returns (SIGTERM loses no acknowledged item).
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ingest.h"
#include "leadflow/app_handoffs.h"
#include "leadflow/app_range.h"

#define MAX_JOBS 4096
#define MAX_ITEMS 4000000
#define WAIT_SEC 60

typedef struct sv_job {
    lf_app_ingest in;
    size_t items;
    bool done, abandoned;
    pthread_cond_t woken; /* its own: a group wakes only its requests */
    struct sv_job *next;
} sv_job;

struct sv_ingest {
    pthread_mutex_t mu;
    pthread_cond_t work;  /* the writer waits for jobs */
    sv_job *head, *tail;
    size_t jobs, items;
    bool stop, running;
    pthread_t thread;
    lf_workspace ws;      /* the writer's own: durable commits */
    sv_server *srv;
};

static const char *kind_name(int kind)
{
    static const char *const names[] = {"leads", "events", "costs", "traffic"};
    return kind >= 0 && kind < 4 ? names[kind] : "unknown";
}

/* Writes one group and wakes its requests. */
static void write_group(struct sv_ingest *g, sv_job *list)
{
    size_t n = 0;
    for (sv_job *j = list; j; j = j->next)
        n++;
    lf_app_ingest **reqs = calloc(n ? n : 1, sizeof *reqs);
    lf_error err;
    if (reqs) {
        size_t i = 0;
        for (sv_job *j = list; j; j = j->next)
            reqs[i++] = &j->in;
        if (lf_app_ingest_group(&g->ws, reqs, n, &err) == LF_OK)
            for (i = 0; i < n; i++)
                sv_metrics_ingested(g->srv, kind_name(reqs[i]->kind), reqs[i]->imported);
        free(reqs);
    } else {
        for (sv_job *j = list; j; j = j->next) {
            j->in.status = LF_ENOMEM;
            lf_errorf(&j->in.err, LF_ENOMEM, "out of memory");
        }
    }
    pthread_mutex_lock(&g->mu);
    for (sv_job *j = list, *next; j; j = next) {
        next = j->next;
        j->done = true;
        if (j->abandoned) {
            lf_app_ingest_release(&j->in);
            pthread_cond_destroy(&j->woken);
            free(j);
        } else {
            pthread_cond_signal(&j->woken);
        }
    }
    pthread_mutex_unlock(&g->mu);
}

static void *writer_main(void *arg)
{
    struct sv_ingest *g = arg;
    pthread_mutex_lock(&g->mu);
    for (;;) {
        while (!g->head && !g->stop)
            pthread_cond_wait(&g->work, &g->mu);
        if (!g->head)
            break; /* stopping, and every queued request is written */
        sv_job *list = g->head;
        g->head = g->tail = NULL;
        g->jobs = g->items = 0;
        pthread_mutex_unlock(&g->mu);
        write_group(g, list);
        pthread_mutex_lock(&g->mu);
    }
    pthread_mutex_unlock(&g->mu);
    return NULL;
}

lf_status sv_ingest_start(sv_server *srv, lf_error *err)
{
    struct sv_ingest *g = calloc(1, sizeof *g);
    if (!g)
        return lf_errorf(err, LF_ENOMEM, "out of memory");
    g->srv = srv;
    lf_workspace_init(&g->ws, srv->dir, srv->store_url);
    lf_status r = lf_app_ingest_open_writer(&g->ws, err);
    if (r != LF_OK) {
        lf_workspace_release(&g->ws);
        free(g);
        return r;
    }
    pthread_mutex_init(&g->mu, NULL);
    pthread_cond_init(&g->work, NULL);
    if (pthread_create(&g->thread, NULL, writer_main, g) != 0) {
        lf_workspace_release(&g->ws);
        free(g);
        return lf_errorf(err, LF_ENOMEM, "cannot start the writer thread");
    }
    g->running = true;
    srv->ingest = g;
    return LF_OK;
}

void sv_ingest_stop(sv_server *srv)
{
    struct sv_ingest *g = srv->ingest;
    if (!g)
        return;
    pthread_mutex_lock(&g->mu);
    g->stop = true;
    pthread_cond_signal(&g->work);
    pthread_mutex_unlock(&g->mu);
    pthread_join(g->thread, NULL);
    /* no request waits any more: the daemon stopped before (server.h) */
    pthread_mutex_destroy(&g->mu);
    pthread_cond_destroy(&g->work);
    lf_workspace_release(&g->ws);
    free(g);
    srv->ingest = NULL;
}

/* Queues job, or says why not. Called with the lock held. */
static sv_submit enqueue(struct sv_ingest *g, sv_job *job)
{
    if (g->stop)
        return SV_SUBMIT_STOPPED;
    if (g->jobs >= MAX_JOBS || (g->jobs && g->items + job->items > MAX_ITEMS))
        return SV_SUBMIT_FULL;
    if (g->tail)
        g->tail->next = job;
    else
        g->head = job;
    g->tail = job;
    g->jobs++;
    g->items += job->items;
    pthread_cond_signal(&g->work);
    return SV_SUBMIT_DONE;
}

sv_submit sv_ingest_submit(sv_server *srv, lf_app_ingest *in)
{
    struct sv_ingest *g = srv->ingest;
    if (!g)
        return SV_SUBMIT_STOPPED;
    sv_job *job = calloc(1, sizeof *job);
    if (!job)
        return SV_SUBMIT_FULL;
    job->in = *in;
    job->items = lf_app_ingest_items(in);
    pthread_cond_init(&job->woken, NULL);
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += WAIT_SEC;
    pthread_mutex_lock(&g->mu);
    sv_submit s = enqueue(g, job);
    if (s != SV_SUBMIT_DONE) {
        pthread_mutex_unlock(&g->mu);
        pthread_cond_destroy(&job->woken);
        free(job);
        return s;
    }
    int rc = 0;
    while (!job->done && rc != ETIMEDOUT)
        rc = pthread_cond_timedwait(&job->woken, &g->mu, &until);
    if (!job->done) {
        job->abandoned = true; /* the writer releases it */
        pthread_mutex_unlock(&g->mu);
        memset(in, 0, sizeof *in);
        return SV_SUBMIT_TIMEOUT;
    }
    pthread_mutex_unlock(&g->mu);
    *in = job->in;
    pthread_cond_destroy(&job->woken);
    free(job);
    return SV_SUBMIT_DONE;
}

lf_status sv_handoff_counts(sv_server *srv, int64_t *open, int64_t *overdue, lf_error *err)
{
    lf_workspace *ws = sv_thread_workspace(srv, err);
    if (!ws)
        return err->code ? err->code : LF_ESTORE;
    lf_time now;
    lf_status r = lf_app_as_of(ws->cfg.tz, NULL, &now, err);
    return r == LF_OK ? lf_app_handoff_counts(ws, now, open, overdue, err) : r;
}
