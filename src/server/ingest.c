/*
 * ingest.c — the group-commit writer of `leadflow serve` (SPEC §8: a 2xx means the items
 * are committed durably, and durability must not cost throughput).
 *
 * Place in the flow: request threads (api.c) parse their bodies and queue them here;
 * ONE writer thread owns the writer workspace (its own store connection), takes every
 * request queued at that moment and writes them all, with the replay of the leads they
 * touched, in one transaction (lf_app_ingest_group: one commit for the group), then
 * hands the group to the SYNCER thread and goes on with the next group. The syncer
 * (its own connection) makes every group committed so far durable with one sync
 * (lf_app_ingest_sync: the log synced, so it survives power loss) and only then wakes
 * each request with its own counts. So a group is written while the previous one is
 * synced, and one sync serves every group committed while the previous sync ran.
 *
 * A waiting request holds no thread: http.c suspends its connection (libmicrohttpd)
 * and the writer resumes it (sv_resume) once its group is committed; the access
 * handler's next call collects the results and answers. So a group is not bounded by
 * the worker threads, and one sync serves every request that arrived meanwhile.
 *
 * Bounds: at most MAX_JOBS requests or MAX_ITEMS items wait (503 beyond); a request
 * waits at most WAIT_SEC for its group (a watchdog thread resumes it: 503, it may
 * still be committed, and a retry is safe since imports are idempotent). A request
 * that stopped waiting (timed out, or its connection closed) leaves its job to the
 * writer, which releases it. sv_ingest_stop finishes every queued request before it
 * returns (SIGTERM loses no acknowledged item).
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ingest.h"
#include "leadflow/app_handoffs.h"
#include "leadflow/app_import.h"
#include "leadflow/app_range.h"
#include "leadflow/time.h"

#define MAX_JOBS 4096
#define MAX_ITEMS 4000000
#define WAIT_SEC 60

struct sv_job {
    lf_app_ingest in;
    size_t items;
    struct sv_ingest *g;   /* NULL until queued (refused: never queued) */
    void *conn;            /* resumed once, then NULL */
    sv_submit refused;     /* why it was not queued */
    struct timespec until; /* CLOCK_MONOTONIC: the end of the bounded wait */
    bool done, abandoned;
    struct sv_job *next;
};

struct sv_ingest {
    pthread_mutex_t mu;
    pthread_cond_t work;  /* the writer waits for jobs */
    pthread_cond_t sync;  /* the syncer waits for committed groups */
    pthread_cond_t tick;  /* the watchdog waits for the stop */
    pthread_cond_t ckpt;  /* the checkpointer waits for synced groups */
    sv_job *head, *tail;  /* queued requests */
    sv_job *writing;      /* the group being written */
    sv_job *commit_head, *commit_tail; /* committed groups waiting for the syncer */
    sv_job *syncing;      /* the groups being synced */
    size_t jobs, items;
    uint64_t synced;      /* groups synced so far */
    bool timing;          /* LEADFLOW_INGEST_TIMING: a line a sync and a checkpoint */
    bool stop, sync_stop;
    pthread_t thread, syncer, watchdog, checkpointer;
    lf_workspace ws;      /* the writer's own */
    lf_workspace sync_ws; /* the syncer's own */
    lf_workspace ckpt_ws; /* the checkpointer's own */
    sv_server *srv;
};

/* Marks the jobs of list done and resumes their connections (or releases the jobs of
 * requests that stopped waiting). Lock held. */
static void finish_list(sv_job *list)
{
    for (sv_job *j = list, *next; j; j = next) {
        next = j->next;
        j->done = true;
        if (j->abandoned) {
            lf_app_ingest_release(&j->in);
            free(j);
        } else if (j->conn) {
            sv_resume(j->conn);
            j->conn = NULL;
        }
    }
}

/* Writes one group and hands it to the syncer. */
static void write_group(struct sv_ingest *g, sv_job *list)
{
    size_t n = 0;
    sv_job *last = list;
    for (sv_job *j = list; j; j = j->next) {
        n++;
        last = j;
    }
    lf_app_ingest **reqs = calloc(n ? n : 1, sizeof *reqs);
    lf_error err;
    if (reqs) {
        size_t i = 0;
        for (sv_job *j = list; j; j = j->next)
            reqs[i++] = &j->in;
        lf_app_ingest_group(&g->ws, reqs, n, &err);
        free(reqs);
    } else {
        for (sv_job *j = list; j; j = j->next) {
            j->in.status = LF_ENOMEM;
            lf_errorf(&j->in.err, LF_ENOMEM, "out of memory");
        }
    }
    pthread_mutex_lock(&g->mu);
    g->writing = NULL;
    if (g->commit_tail)
        g->commit_tail->next = list;
    else
        g->commit_head = list;
    g->commit_tail = last;
    pthread_cond_signal(&g->sync);
    pthread_mutex_unlock(&g->mu);
}

/* One sync for every group committed so far, then their requests are answered; a
 * failed sync fails the requests (their items may or may not survive power loss: a
 * retry is safe, imports are idempotent). */
static void sync_groups(struct sv_ingest *g, sv_job *list)
{
    lf_error err;
    int64_t t0 = g->timing ? lf_mono_usec() : 0;
    lf_status r = lf_app_ingest_sync(&g->sync_ws, &err);
    if (g->timing)
        fprintf(stderr, "ingest-timing sync=%lld us\n", (long long)(lf_mono_usec() - t0));
    for (sv_job *j = list; j; j = j->next) {
        if (j->in.status != LF_OK)
            continue;
        if (r != LF_OK) {
            j->in.status = r;
            j->in.err = err;
        } else {
            sv_metrics_ingested(g->srv, lf_app_import_kind_name(j->in.kind), j->in.imported);
        }
    }
    pthread_mutex_lock(&g->mu);
    g->syncing = NULL;
    g->synced++;
    pthread_cond_signal(&g->ckpt);
    finish_list(list);
    pthread_mutex_unlock(&g->mu);
}

/* The log's upkeep, off the writer's and the syncer's path: at most every
 * CKPT_EVERY_MS while groups are synced, a checkpoint that waits for nobody. */
#define CKPT_EVERY_MS 250

static void *checkpointer_main(void *arg)
{
    struct sv_ingest *g = arg;
    uint64_t done = 0;
    pthread_mutex_lock(&g->mu);
    while (!g->sync_stop) {
        if (g->synced == done) {
            pthread_cond_wait(&g->ckpt, &g->mu);
            continue;
        }
        done = g->synced;
        pthread_mutex_unlock(&g->mu);
        lf_error err;
        int64_t t0 = g->timing ? lf_mono_usec() : 0;
        lf_app_ingest_checkpoint(&g->ckpt_ws, &err); /* a failure: the next one tries */
        if (g->timing)
            fprintf(stderr, "ingest-timing checkpoint=%lld us\n", (long long)(lf_mono_usec() - t0));
        struct timespec pause = {0, CKPT_EVERY_MS * 1000000L};
        nanosleep(&pause, NULL);
        pthread_mutex_lock(&g->mu);
    }
    pthread_mutex_unlock(&g->mu);
    return NULL;
}

static void *syncer_main(void *arg)
{
    struct sv_ingest *g = arg;
    pthread_mutex_lock(&g->mu);
    for (;;) {
        while (!g->commit_head && !g->sync_stop)
            pthread_cond_wait(&g->sync, &g->mu);
        if (!g->commit_head)
            break; /* stopping, and every committed group is synced */
        sv_job *list = g->commit_head;
        g->syncing = list;
        g->commit_head = g->commit_tail = NULL;
        pthread_mutex_unlock(&g->mu);
        sync_groups(g, list);
        pthread_mutex_lock(&g->mu);
    }
    pthread_mutex_unlock(&g->mu);
    return NULL;
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
        g->writing = list;
        g->head = g->tail = NULL;
        g->jobs = g->items = 0;
        pthread_mutex_unlock(&g->mu);
        write_group(g, list);
        pthread_mutex_lock(&g->mu);
    }
    pthread_mutex_unlock(&g->mu);
    return NULL;
}

/* Resumes the waiting requests of list: all, or those past their wait. Lock held. */
static void wake_list(sv_job *list, const struct timespec *now)
{
    for (sv_job *j = list; j; j = j->next) {
        if (!j->conn || j->done)
            continue;
        if (now && (now->tv_sec < j->until.tv_sec ||
                    (now->tv_sec == j->until.tv_sec && now->tv_nsec < j->until.tv_nsec)))
            continue;
        sv_resume(j->conn); /* the handler finds it not done: 503 timeout */
        j->conn = NULL;
    }
}

/* Once a second: resumes the requests that waited WAIT_SEC (the writer may be stuck
 * in a write, so this is not its job). */
static void *watchdog_main(void *arg)
{
    struct sv_ingest *g = arg;
    pthread_mutex_lock(&g->mu);
    while (!g->sync_stop) {
        struct timespec until, now;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += 1;
        pthread_cond_timedwait(&g->tick, &g->mu, &until);
        clock_gettime(CLOCK_MONOTONIC, &now);
        wake_list(g->writing, &now);
        wake_list(g->commit_head, &now);
        wake_list(g->syncing, &now);
        wake_list(g->head, &now);
    }
    pthread_mutex_unlock(&g->mu);
    return NULL;
}

void sv_ingest_wake_all(sv_server *srv)
{
    struct sv_ingest *g = srv->ingest;
    if (!g)
        return;
    pthread_mutex_lock(&g->mu);
    wake_list(g->writing, NULL);
    wake_list(g->commit_head, NULL);
    wake_list(g->syncing, NULL);
    wake_list(g->head, NULL);
    pthread_mutex_unlock(&g->mu);
}

/* Stops the threads that were started, in order: the writer finishes every queued
 * request, then the syncer every committed group, then the watchdog. */
static void stop_threads(struct sv_ingest *g, bool writer, bool syncer, bool watchdog,
                         bool checkpointer)
{
    pthread_mutex_lock(&g->mu);
    g->stop = true;
    pthread_cond_signal(&g->work);
    pthread_mutex_unlock(&g->mu);
    if (writer)
        pthread_join(g->thread, NULL);
    pthread_mutex_lock(&g->mu);
    g->sync_stop = true;
    pthread_cond_signal(&g->sync);
    pthread_cond_signal(&g->tick);
    pthread_cond_signal(&g->ckpt);
    pthread_mutex_unlock(&g->mu);
    if (syncer)
        pthread_join(g->syncer, NULL);
    if (watchdog)
        pthread_join(g->watchdog, NULL);
    if (checkpointer)
        pthread_join(g->checkpointer, NULL);
}

static void ingest_free(struct sv_ingest *g)
{
    pthread_mutex_destroy(&g->mu);
    pthread_cond_destroy(&g->work);
    pthread_cond_destroy(&g->sync);
    pthread_cond_destroy(&g->tick);
    pthread_cond_destroy(&g->ckpt);
    lf_workspace_release(&g->ws);
    lf_workspace_release(&g->sync_ws);
    lf_workspace_release(&g->ckpt_ws);
    free(g);
}

lf_status sv_ingest_start(sv_server *srv, lf_error *err)
{
    struct sv_ingest *g = calloc(1, sizeof *g);
    if (!g)
        return lf_errorf(err, LF_ENOMEM, "out of memory");
    g->srv = srv;
    g->timing = lf_app_ingest_timing();
    pthread_mutex_init(&g->mu, NULL);
    pthread_cond_init(&g->work, NULL);
    pthread_cond_init(&g->sync, NULL);
    pthread_cond_init(&g->tick, NULL);
    pthread_cond_init(&g->ckpt, NULL);
    lf_workspace_init(&g->ws, srv->dir, srv->store_url);
    lf_workspace_init(&g->sync_ws, srv->dir, srv->store_url);
    lf_workspace_init(&g->ckpt_ws, srv->dir, srv->store_url);
    lf_status r = lf_app_ingest_open_writer(&g->ws, err);
    if (r == LF_OK)
        r = lf_workspace_open(&g->sync_ws, err);
    if (r == LF_OK)
        r = lf_workspace_open(&g->ckpt_ws, err);
    if (r != LF_OK) {
        ingest_free(g);
        return r;
    }
    bool writer = pthread_create(&g->thread, NULL, writer_main, g) == 0;
    bool syncer = writer && pthread_create(&g->syncer, NULL, syncer_main, g) == 0;
    bool watchdog = syncer && pthread_create(&g->watchdog, NULL, watchdog_main, g) == 0;
    bool ckpt = watchdog && pthread_create(&g->checkpointer, NULL, checkpointer_main, g) == 0;
    if (!ckpt) {
        stop_threads(g, writer, syncer, watchdog, false);
        ingest_free(g);
        return lf_errorf(err, LF_ENOMEM, "cannot start the writer's threads");
    }
    srv->ingest = g;
    return LF_OK;
}

void sv_ingest_stop(sv_server *srv)
{
    struct sv_ingest *g = srv->ingest;
    if (!g)
        return;
    stop_threads(g, true, true, true, true);
    /* no request waits any more: the daemon stopped before (server.h) */
    ingest_free(g);
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

sv_job *sv_ingest_job(lf_app_ingest *in, void *conn)
{
    sv_job *job = calloc(1, sizeof *job);
    if (!job)
        return NULL;
    job->in = *in;
    memset(in, 0, sizeof *in);
    job->items = lf_app_ingest_items(&job->in);
    job->conn = conn;
    return job;
}

void sv_ingest_queue(sv_server *srv, sv_job *job)
{
    struct sv_ingest *g = srv->ingest;
    sv_submit s = SV_SUBMIT_STOPPED;
    clock_gettime(CLOCK_MONOTONIC, &job->until);
    job->until.tv_sec += WAIT_SEC;
    if (g) {
        pthread_mutex_lock(&g->mu);
        s = enqueue(g, job);
        if (s == SV_SUBMIT_DONE)
            job->g = g; /* from here on, shared with the writer under g->mu */
        pthread_mutex_unlock(&g->mu);
    }
    if (s != SV_SUBMIT_DONE) {
        job->refused = s;
        void *conn = job->conn;
        job->conn = NULL;
        sv_resume(conn);
    }
}

static void free_job(sv_job *job)
{
    lf_app_ingest_release(&job->in);
    free(job);
}

sv_submit sv_ingest_collect(sv_job *job, lf_app_ingest *in)
{
    memset(in, 0, sizeof *in);
    struct sv_ingest *g = job->g;
    if (!g) {
        sv_submit s = job->refused;
        free_job(job);
        return s;
    }
    pthread_mutex_lock(&g->mu);
    job->conn = NULL;
    if (!job->done) {
        job->abandoned = true; /* timed out: the writer releases it */
        pthread_mutex_unlock(&g->mu);
        return SV_SUBMIT_TIMEOUT;
    }
    pthread_mutex_unlock(&g->mu);
    *in = job->in;
    free(job);
    return SV_SUBMIT_DONE;
}

void sv_ingest_cancel(sv_job *job)
{
    struct sv_ingest *g = job->g;
    if (!g) {
        free_job(job);
        return;
    }
    pthread_mutex_lock(&g->mu);
    job->conn = NULL;
    bool done = job->done;
    if (!done)
        job->abandoned = true;
    pthread_mutex_unlock(&g->mu);
    if (done)
        free_job(job);
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
