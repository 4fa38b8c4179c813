/*
 * deliver.c — `leadflow serve`'s alerts loop (server.h: sv_deliver_start/stop).
 *
 * The same work as `leadflow deliver` (lf_app_deliver_run), continuously: one thread
 * with its own workspace (configuration and store connection: the workers' readers
 * and the ingest writer are never blocked by it beyond the store's own locks), a pass
 * every LEADFLOW_DELIVER_INTERVAL seconds (0.05 to 3600, default 5), waiting on a
 * condition variable so stop wakes it at once. A pass's error is one line on stderr
 * (messages never hold a secret: webhook secrets are only read from the environment
 * when a request is signed) and the loop goes on. Between deliveries a pass asks
 * whether the server is stopping: stop lets the one request in flight finish (bounded
 * by LEADFLOW_DELIVER_TIMEOUT) and leaves the rest due for the next run.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "leadflow/app_deliver.h"
#include "server.h"

struct sv_deliver {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    pthread_condattr_t attr;
    bool stopping;
    long interval_ms;
    lf_workspace ws;
};

static long interval_ms(void)
{
    const char *v = getenv("LEADFLOW_DELIVER_INTERVAL");
    char *end = NULL;
    double s = v && *v ? strtod(v, &end) : 0;
    if (!v || !*v || *end || !(s >= 0.05 && s <= 3600))
        return 5000;
    return (long)(s * 1000);
}

static bool stopping(void *ctx)
{
    struct sv_deliver *d = ctx;
    pthread_mutex_lock(&d->lock);
    bool s = d->stopping;
    pthread_mutex_unlock(&d->lock);
    return s;
}

static void *loop(void *arg)
{
    struct sv_deliver *d = arg;
    while (!stopping(d)) {
        lf_app_deliver_stats st = {0};
        lf_error err;
        if (lf_app_deliver_run(&d->ws, stopping, d, &st, &err) != LF_OK)
            fprintf(stderr, "leadflow: deliver: %s\n", err.msg);
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_sec += d->interval_ms / 1000;
        until.tv_nsec += (d->interval_ms % 1000) * 1000000;
        if (until.tv_nsec >= 1000000000) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000;
        }
        pthread_mutex_lock(&d->lock);
        int rc = 0;
        while (!d->stopping && rc != ETIMEDOUT)
            rc = pthread_cond_timedwait(&d->wake, &d->lock, &until);
        pthread_mutex_unlock(&d->lock);
    }
    return NULL;
}

lf_status sv_deliver_start(sv_server *srv, lf_error *err)
{
    if (!srv->cfg->nwebhooks)
        return LF_OK;
    struct sv_deliver *d = calloc(1, sizeof *d);
    if (!d)
        return lf_errorf(err, LF_ENOMEM, "out of memory");
    lf_workspace_init(&d->ws, srv->dir, srv->store_url);
    lf_status st = lf_workspace_open(&d->ws, err);
    if (st != LF_OK) {
        lf_workspace_release(&d->ws);
        free(d);
        return st;
    }
    d->interval_ms = interval_ms();
    pthread_mutex_init(&d->lock, NULL);
    pthread_condattr_init(&d->attr);
    pthread_condattr_setclock(&d->attr, CLOCK_MONOTONIC);
    pthread_cond_init(&d->wake, &d->attr);
    if (pthread_create(&d->thread, NULL, loop, d) != 0) {
        pthread_cond_destroy(&d->wake);
        pthread_condattr_destroy(&d->attr);
        pthread_mutex_destroy(&d->lock);
        lf_workspace_release(&d->ws);
        free(d);
        return lf_errorf(err, LF_ENOMEM, "cannot start the delivery thread");
    }
    srv->deliver = d;
    return LF_OK;
}

void sv_deliver_stop(sv_server *srv)
{
    struct sv_deliver *d = srv->deliver;
    if (!d)
        return;
    pthread_mutex_lock(&d->lock);
    d->stopping = true;
    pthread_cond_signal(&d->wake);
    pthread_mutex_unlock(&d->lock);
    pthread_join(d->thread, NULL);
    pthread_cond_destroy(&d->wake);
    pthread_condattr_destroy(&d->attr);
    pthread_mutex_destroy(&d->lock);
    lf_workspace_release(&d->ws);
    free(d);
    srv->deliver = NULL;
}
