/*
 * server_main.c — `leadflow [--workspace DIR] [--store URL] serve [--listen ADDR:PORT]
 * [--threads N]`: the server's entry point (sv_main, called by src/main.c), its
 * options, start-up and graceful stop (SPEC §8 "Operation").
 *
 * Start: the workspace is opened (configuration and store, exit 3 / 4 as in the CLI),
 * tokens read (LEADFLOW_TOKENS, or one generated write token printed once on
 * stderr), the ingest writer started (ingest.c), the alerts loop (deliver.c, when
 * there are webhooks), then the daemon (http.c). SIGTERM
 * and SIGINT are blocked in every thread and taken by sigwait in the main thread:
 * stop accepting, finish the requests in flight, stop the ingest writer (every
 * acknowledged item is committed by then), exit 0.
 *
 * Settings: --listen over server.listen over 127.0.0.1:8080; --threads over
 * server.threads over 2; server.timeout (10 s) and server.max_body (16 MiB).
 */
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "leadflow/app_dataset.h"
#include "main.h"
#include "server.h"

#define SERVE_USAGE "serve [--listen ADDR:PORT] [--threads N]"
#define SERVE_HELP                                                                           \
    "Serves the HTTP API and the dashboard over this workspace, by default on\n"          \
    "127.0.0.1:8080 (--listen [::1]:8080 for IPv6) with 2 worker threads. Tokens come\n"    \
    "from LEADFLOW_TOKENS (read:TOKEN,write:TOKEN, each 16+ characters); without it a\n"   \
    "write token is generated and printed once on stderr. GET /healthz needs none.\n"      \
    "Settings in leadflow.yaml: server.listen, server.threads, server.max_body (16MiB),\n" \
    "server.timeout (seconds, 10), server.cors_origins. One access-log line per request\n" \
    "on stderr. Webhooks of leadflow.yaml are delivered continuously (as 'leadflow\n"    \
    "deliver' does once; LEADFLOW_DELIVER_INTERVAL seconds between passes, default 5).\n" \
    "SIGTERM or SIGINT finishes the requests in flight and exits 0.\n"                   \
    "The routes, payloads and errors: docs/manual/http-api.md."

static bool ingest_started;

typedef struct serve_opts {
    const char *dir, *store_url, *listen;
    int threads;
} serve_opts;

/* ---- per-thread workspaces -------------------------------------------------------- */

typedef struct ws_node {
    lf_workspace ws;
    struct ws_node *next;
} ws_node;

struct sv_thread_ws {
    pthread_key_t key;
    pthread_mutex_t lock;
    ws_node *all; /* released at the end, after every worker has stopped */
};

static bool thread_ws_init(sv_server *srv)
{
    sv_thread_ws *t = calloc(1, sizeof *t);
    if (!t || pthread_key_create(&t->key, NULL) != 0) {
        free(t);
        return false;
    }
    pthread_mutex_init(&t->lock, NULL);
    srv->thread_ws = t;
    return true;
}

static void thread_ws_release(sv_server *srv)
{
    sv_thread_ws *t = srv->thread_ws;
    if (!t)
        return;
    for (ws_node *n = t->all, *next; n; n = next) {
        next = n->next;
        lf_workspace_release(&n->ws);
        free(n);
    }
    pthread_key_delete(t->key);
    pthread_mutex_destroy(&t->lock);
    free(t);
    srv->thread_ws = NULL;
}

lf_workspace *sv_thread_workspace(sv_server *srv, lf_error *err)
{
    sv_thread_ws *t = srv->thread_ws;
    ws_node *n = pthread_getspecific(t->key);
    if (n)
        return &n->ws;
    if (!(n = calloc(1, sizeof *n))) {
        lf_errorf(err, LF_ENOMEM, "out of memory");
        return NULL;
    }
    lf_workspace_init(&n->ws, srv->dir, srv->store_url);
    if (lf_workspace_open(&n->ws, err) != LF_OK) {
        lf_workspace_release(&n->ws);
        free(n);
        return NULL;
    }
    pthread_mutex_lock(&t->lock);
    n->next = t->all;
    t->all = n;
    pthread_mutex_unlock(&t->lock);
    pthread_setspecific(t->key, n);
    return &n->ws;
}

/* ---- options ---------------------------------------------------------------------- */

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "leadflow: error: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\nusage: leadflow %s\n", SERVE_USAGE);
    va_end(ap);
    return 1;
}

/* Global options, then `serve`, then its own: 0 to go on, else an exit code + 1
 * (1 = exit 0 after --help). */
static int parse_serve(int argc, char **argv, serve_opts *o)
{
    int i = 1, m;
    const char *v;
    while (i < argc && strcmp(argv[i], "serve") != 0) {
        if ((m = lf_app_opt(argc, argv, &i, "workspace", &v)) > 0)
            o->dir = v;
        else if ((m = lf_app_opt(argc, argv, &i, "store", &v)) > 0)
            o->store_url = v;
        else
            return 1 + usage_error("unknown option '%s'", argv[i]);
    }
    for (int k = i + 1; k < argc && strcmp(argv[k], "--") != 0; k++)
        if (strcmp(argv[k], "--help") == 0 || strcmp(argv[k], "-h") == 0) {
            printf("usage: leadflow %s\n\n%s\n", SERVE_USAGE, SERVE_HELP);
            return 1; /* --help wins over anything else on the line, as elsewhere */
        }
    for (i++; i < argc;) {
        if ((m = lf_app_opt(argc, argv, &i, "listen", &v)) != 0) {
            if (m < 0)
                return 1 + usage_error("option '%s' needs a value", argv[i]);
            o->listen = v;
        } else if ((m = lf_app_opt(argc, argv, &i, "threads", &v)) != 0) {
            char *end = NULL;
            long n = m > 0 ? strtol(v, &end, 10) : 0;
            if (m < 0 || !*v || *end || n < 1 || n > 256)
                return 1 + usage_error("--threads needs a number from 1 to 256, got '%s'",
                                       m < 0 ? "" : v);
            o->threads = (int)n;
        } else {
            return 1 + usage_error("unknown option '%s'", argv[i]);
        }
    }
    return 0;
}

/* ---- start and stop --------------------------------------------------------------- */

static int fail(lf_status st, const char *msg)
{
    fprintf(stderr, "leadflow: error: %s\n", msg);
    return lf_status_exit_code(st);
}

/* The settings of srv from the options and the configuration. */
static void settle(sv_server *srv, const serve_opts *o)
{
    const lf_server_config *sc = &srv->cfg->server;
    const char *listen = o->listen ? o->listen : sc->listen ? sc->listen : "127.0.0.1:8080";
    snprintf(srv->listen, sizeof srv->listen, "%s", listen);
    srv->threads = o->threads ? o->threads : sc->threads ? sc->threads : 2;
    srv->timeout = sc->timeout ? sc->timeout : 10;
    srv->max_body = (size_t)sc->max_body;
}

/* Opens everything and starts the daemon; an exit code on failure (0 = running). */
static int start(sv_server *srv, const serve_opts *o)
{
    lf_error err;
    char generated[65];
    lf_workspace_init(&srv->ws, o->dir, o->store_url);
    lf_status st = lf_workspace_open(&srv->ws, &err);
    if (st)
        return fail(st, err.msg);
    srv->cfg = &srv->ws.cfg;
    settle(srv, o);
    if ((st = sv_auth_init(srv, getenv("LEADFLOW_TOKENS"), generated, &err)) ||
        (st = sv_metrics_init(srv, &err)))
        return fail(st, err.msg);
    if (!thread_ws_init(srv) || !(srv->reports = lf_app_dataset_cache_new()))
        return fail(LF_ENOMEM, "out of memory");
    if ((st = sv_ingest_start(srv, &err)))
        return fail(st, err.msg);
    ingest_started = true;
    if ((st = sv_deliver_start(srv, &err)) || (st = sv_work_start(srv, &err)))
        return fail(st, err.msg);
    if ((st = sv_http_start(srv, &err)))
        return fail(st, err.msg);
    if (generated[0])
        fprintf(stderr, "leadflow: no LEADFLOW_TOKENS: write token for this run: %s\n",
                generated);
    memset(generated, 0, sizeof generated);
    const char *colon = strrchr(srv->listen, ':');
    fprintf(stderr, "leadflow: serving %s on http://%.*s:%d with %d thread%s\n",
            srv->ws.dir ? srv->ws.dir : ".", (int)(colon - srv->listen), srv->listen,
            sv_http_port(srv), srv->threads, srv->threads == 1 ? "" : "s");
    return 0;
}

static void release(sv_server *srv)
{
    sv_http_stop(srv);
    sv_work_stop(srv); /* nothing is queued any more: the daemon answered everything */
    sv_deliver_stop(srv); /* its delivery in flight finishes, the rest stays due */
    if (ingest_started)
        sv_ingest_stop(srv); /* after the daemon: every acknowledged item is committed */
    thread_ws_release(srv);
    lf_app_dataset_cache_free(srv->reports); /* no request runs any more */
    srv->reports = NULL;
    sv_metrics_release(srv);
    sv_auth_release(srv);
    lf_workspace_release(&srv->ws);
}

int sv_main(int argc, char **argv)
{
    serve_opts o = {getenv("LEADFLOW_WORKSPACE"), getenv("LEADFLOW_STORE"), NULL, 0};
    if (o.dir && !*o.dir)
        o.dir = NULL;
    if (o.store_url && !*o.store_url)
        o.store_url = NULL;
    int code = parse_serve(argc, argv, &o);
    if (code)
        return code - 1;
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop, NULL); /* before any thread: all inherit it */
    signal(SIGPIPE, SIG_IGN);
    static sv_server srv; /* large; one per process */
    srv.dir = o.dir;
    srv.store_url = o.store_url;
    code = start(&srv, &o);
    if (code == 0) {
        int sig = 0;
        sigwait(&stop, &sig);
        fprintf(stderr, "leadflow: %s: finishing the requests in flight\n",
                sig == SIGINT ? "SIGINT" : "SIGTERM");
    }
    release(&srv);
    return code;
}
