/*
 * work.c — slow handlers off the event loop (reports, the dashboard, a lead, the queue).
 *
 * libmicrohttpd's thread pool serves each connection on one worker thread, which runs an
 * event loop for many connections: a handler that computes a report for 200 ms stalls
 * every other connection of that worker for as long (at 64 connections and 4 workers,
 * 16 ingest requests wait behind each report). A route marked slow (routes.c) is
 * therefore deferred (sv_defer, server.h): its request is copied (strings, body and
 * headers: the connection is not touched from another thread), the connection is
 * suspended, and one of SV_WORK_THREADS threads runs the handler with its own thread
 * workspace, then resumes the connection; the worker's next call for it sends the
 * response. The same handler runs, so the answer is the same as inline.
 *
 * Bounds: at most SV_WORK_QUEUE requests wait (503 beyond). A connection closed while
 * its job waits or runs cancels it (the job is freed by whoever is last). Stopping:
 * sv_work_stop runs every queued job first; sv_work_wake_all (the daemon's bounded stop)
 * answers the queued ones 503 at once.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <microhttpd.h>

#include "server.h"

#define SV_WORK_THREADS 2
#define SV_WORK_QUEUE 1024
#define SV_WORK_HEADERS 128

typedef struct sv_work_job {
    sv_request req;      /* copies; conn NULL, defer NULL, hdrs below */
    sv_handler fn;
    sv_response res;
    int code;
    char *arena;         /* the copied strings and body */
    size_t used, cap;
    sv_header_pair hdrs[SV_WORK_HEADERS];
    size_t nhdrs;
    void *conn;          /* resumed once, then NULL */
    bool done, refused, cancelled;
    struct sv_work *pool;
    struct sv_work_job *next;
} sv_work_job;

struct sv_work {
    pthread_mutex_t mu;
    pthread_cond_t more;
    sv_work_job *head, *tail;
    size_t queued;
    bool stop;
    pthread_t threads[SV_WORK_THREADS];
    size_t nthreads;
};

static void job_free(sv_work_job *j)
{
    lf_buf_release(&j->res.body);
    free(j->arena);
    free(j);
}

/* Runs one job and answers it (or frees it: its connection went away). */
static void run_job(struct sv_work *w, sv_work_job *j)
{
    j->code = j->fn(&j->req, &j->res);
    pthread_mutex_lock(&w->mu);
    j->done = true;
    if (j->cancelled) {
        pthread_mutex_unlock(&w->mu);
        job_free(j);
        return;
    }
    void *conn = j->conn;
    j->conn = NULL;
    sv_resume(conn);
    pthread_mutex_unlock(&w->mu);
}

static void *work_main(void *arg)
{
    struct sv_work *w = arg;
    pthread_mutex_lock(&w->mu);
    for (;;) {
        while (!w->head && !w->stop)
            pthread_cond_wait(&w->more, &w->mu);
        sv_work_job *j = w->head;
        if (!j)
            break; /* stopping, and nothing is queued */
        w->head = j->next;
        if (!w->head)
            w->tail = NULL;
        w->queued--;
        if (j->cancelled) { /* its connection went away while it waited */
            pthread_mutex_unlock(&w->mu);
            job_free(j);
        } else {
            pthread_mutex_unlock(&w->mu);
            run_job(w, j);
        }
        pthread_mutex_lock(&w->mu);
    }
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

lf_status sv_work_start(sv_server *srv, lf_error *err)
{
    struct sv_work *w = calloc(1, sizeof *w);
    if (!w)
        return lf_errorf(err, LF_ENOMEM, "out of memory");
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->more, NULL);
    srv->work = w;
    for (; w->nthreads < SV_WORK_THREADS; w->nthreads++)
        if (pthread_create(&w->threads[w->nthreads], NULL, work_main, w) != 0) {
            sv_work_stop(srv);
            return lf_errorf(err, LF_ENOMEM, "cannot start the report threads");
        }
    return LF_OK;
}

void sv_work_stop(sv_server *srv)
{
    struct sv_work *w = srv->work;
    if (!w)
        return;
    pthread_mutex_lock(&w->mu);
    w->stop = true;
    pthread_cond_broadcast(&w->more);
    pthread_mutex_unlock(&w->mu);
    for (size_t i = 0; i < w->nthreads; i++)
        pthread_join(w->threads[i], NULL);
    pthread_mutex_destroy(&w->mu);
    pthread_cond_destroy(&w->more);
    free(w);
    srv->work = NULL;
}

void sv_work_wake_all(sv_server *srv)
{
    struct sv_work *w = srv->work;
    if (!w)
        return;
    pthread_mutex_lock(&w->mu);
    for (sv_work_job *j = w->head, *next; j; j = next) {
        next = j->next;
        j->refused = j->done = true; /* answered 503 by finish, freed there */
        if (j->conn)
            sv_resume(j->conn);
        j->conn = NULL;
    }
    w->head = w->tail = NULL;
    w->queued = 0;
    pthread_mutex_unlock(&w->mu);
}

/* ---- the deferred request ------------------------------------------------------------ */

static void work_start(void *ctx, sv_server *srv)
{
    sv_work_job *j = ctx;
    struct sv_work *w = srv->work;
    pthread_mutex_lock(&w->mu);
    if (w->stop || w->queued >= SV_WORK_QUEUE) {
        j->refused = j->done = true;
        void *conn = j->conn;
        j->conn = NULL;
        sv_resume(conn);
    } else {
        if (w->tail)
            w->tail->next = j;
        else
            w->head = j;
        w->tail = j;
        w->queued++;
        pthread_cond_signal(&w->more);
    }
    pthread_mutex_unlock(&w->mu);
}

/* Resumed: the handler's response, its own header lines after the router's. */
static int work_finish(void *ctx, sv_server *srv, sv_response *res)
{
    (void)srv;
    sv_work_job *j = ctx;
    int code;
    if (j->refused) {
        code = sv_error(res, 503, "busy", "too many requests are waiting: retry later");
    } else {
        res->status = j->res.status ? j->res.status : j->code > 0 ? j->code : 200;
        res->content_type = j->res.content_type;
        lf_buf tmp = res->body;
        res->body = j->res.body;
        j->res.body = tmp;
        size_t used = strlen(res->headers), add = strlen(j->res.headers);
        if (used + add < sizeof res->headers)
            memcpy(res->headers + used, j->res.headers, add + 1);
        code = res->status;
    }
    job_free(j);
    return code;
}

static void work_cancel(void *ctx)
{
    sv_work_job *j = ctx;
    struct sv_work *w = j->pool;
    pthread_mutex_lock(&w->mu);
    bool done = j->done;
    j->cancelled = true; /* queued or running: its runner frees it */
    j->conn = NULL;
    pthread_mutex_unlock(&w->mu);
    if (done)
        job_free(j);
}

static enum MHD_Result note_header(void *ctx, enum MHD_ValueKind kind, const char *name,
                                   const char *value)
{
    (void)kind;
    sv_work_job *j = ctx;
    if (j->nhdrs < SV_WORK_HEADERS && name)
        j->hdrs[j->nhdrs++] = (sv_header_pair){name, value ? value : ""};
    return MHD_YES;
}

/* Copies s (NULL stays NULL) into the arena, sized beforehand for every copy. */
static const char *keep(sv_work_job *j, const char *s, size_t n)
{
    if (!s || j->used + n + 1 > j->cap)
        return s ? "" : NULL;
    char *at = j->arena + j->used;
    memcpy(at, s, n);
    at[n] = '\0';
    j->used += n + 1;
    return at;
}

static size_t len0(const char *s)
{
    return s ? strlen(s) + 1 : 0;
}

/* Copies what the handler reads of req into j (pointers into j's own arena). */
static bool copy_request(sv_work_job *j, const sv_request *req)
{
    MHD_get_connection_values(req->conn, MHD_HEADER_KIND, note_header, j);
    size_t need = len0(req->method) + len0(req->path) + len0(req->query) +
                  len0(req->content_type) + len0(req->param) + req->body_len + 1;
    for (size_t i = 0; i < j->nhdrs; i++)
        need += len0(j->hdrs[i].name) + len0(j->hdrs[i].value);
    if (!(j->arena = malloc(need)))
        return false;
    j->cap = need;
    j->req = *req;
    j->req.method = keep(j, req->method, strlen(req->method));
    j->req.path = keep(j, req->path, strlen(req->path));
    j->req.query = keep(j, req->query, req->query ? strlen(req->query) : 0);
    j->req.content_type = keep(j, req->content_type,
                               req->content_type ? strlen(req->content_type) : 0);
    j->req.param = keep(j, req->param, req->param ? strlen(req->param) : 0);
    j->req.body = keep(j, req->body ? req->body : "", req->body_len);
    for (size_t i = 0; i < j->nhdrs; i++) {
        j->hdrs[i].name = keep(j, j->hdrs[i].name, strlen(j->hdrs[i].name));
        j->hdrs[i].value = keep(j, j->hdrs[i].value, strlen(j->hdrs[i].value));
    }
    j->req.hdrs = j->hdrs;
    j->req.nhdrs = j->nhdrs;
    j->req.conn = NULL;
    j->req.defer = NULL;
    return true;
}

int sv_work_defer(sv_request *req, sv_response *res, sv_handler fn)
{
    struct sv_work *w = req->srv->work;
    if (!w || !req->defer || !req->conn)
        return fn(req, res); /* nowhere to defer to: inline */
    sv_work_job *j = calloc(1, sizeof *j);
    if (!j || !copy_request(j, req)) {
        if (j)
            job_free(j);
        return sv_error(res, 503, "busy", "out of memory: retry later");
    }
    j->fn = fn;
    j->pool = w;
    j->conn = req->conn;
    lf_buf_init(&j->res.body, 0);
    *req->defer = (sv_defer){j, work_start, work_finish, work_cancel};
    return 0; /* answered by work_finish */
}
