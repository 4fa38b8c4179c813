/*
 * server.h — the HTTP front end of `leadflow serve` (SPEC §8), private to src/server.
 *
 * A thin front end over the application layer, like the CLI: it parses requests, calls
 * app functions and writes responses. libmicrohttpd owns the sockets (http.c); every
 * request reaches one handler of the route table with its method, path, query, headers
 * and whole body, and fills a response (status, content type, body, extra headers).
 * Handlers never print and never touch the store directly.
 *
 * Threads: handlers run on libmicrohttpd's worker threads (--threads). Reads open
 * their own workspace per thread (sv_thread_workspace); writes go through the ingest
 * queue (ingest.c), whose single writer thread groups concurrent requests into one
 * durable transaction (group commit) and wakes each request when its items are
 * committed.
 */
#ifndef LEADFLOW_SERVER_H
#define LEADFLOW_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "leadflow/app.h"
#include "leadflow/buf.h"
#include "leadflow/error.h"

/* Token scopes; write implies read. */
typedef enum sv_scope { SV_SCOPE_NONE = 0, SV_SCOPE_READ = 1, SV_SCOPE_WRITE = 2 } sv_scope;

typedef struct sv_server sv_server;
typedef struct sv_response sv_response;

/* A handler that answers later without holding its worker thread (ingest: after the
 * group commit) sets these and returns 0; http.c then suspends the connection, calls
 * start, and when the connection is resumed (sv_resume, exactly once) calls finish on
 * the connection's worker to fill the response (status and body: the extra headers
 * the router added stay). If the connection closes before finish, cancel is called
 * instead. finish and cancel release ctx. */
typedef struct sv_defer {
    void *ctx;
    void (*start)(void *ctx, sv_server *srv);
    int (*finish)(void *ctx, sv_server *srv, sv_response *res);
    void (*cancel)(void *ctx);
} sv_defer;

/* A request header, copied (a request run off the event loop: work.c). */
typedef struct sv_header_pair {
    const char *name, *value;
} sv_header_pair;

/* One request, as the router hands it to a handler (all borrowed for the call). */
typedef struct sv_request {
    sv_server *srv;
    const char *method;       /* "GET", "POST", ... */
    const char *path;         /* without the query */
    const char *query;        /* raw query string after '?', "" when none */
    const char *content_type; /* the Content-Type header, "" when none */
    const char *body;         /* the whole body (NUL-terminated; may contain NULs) */
    size_t body_len;
    sv_scope scope;           /* what the request's token or session cookie grants */
    const char *param;        /* the {id} or {name} segment of the route, or NULL */
    void *conn;               /* libmicrohttpd's connection (header lookups: sv_header) */
    sv_defer *defer;          /* to answer later (see sv_defer); NULL: not possible */
    const sv_header_pair *hdrs; /* with conn NULL: the request's headers, copied */
    size_t nhdrs;
} sv_request;

/* The response a handler fills. body is owned by the response (released by the router). */
struct sv_response {
    int status;               /* HTTP status; 0 = 200 */
    const char *content_type; /* static string; NULL = "application/json" */
    lf_buf body;
    char headers[512];        /* extra header lines "Name: value\r\n" (e.g. Set-Cookie) */
};

typedef int (*sv_handler)(sv_request *req, sv_response *res);

/* A route: method and path pattern ("/v1/leads/{id}": one {..} segment at the end is
 * handed to the handler as req->param), the scope it needs (NONE: public). */
typedef struct sv_route {
    const char *method;
    const char *pattern;
    sv_scope scope;
    sv_handler fn;
    bool slow;                /* runs off the event loop (work.c): reads the dataset */
} sv_route;

/* The value of cookie `name` in a Cookie header into buf[size], or NULL (absent, or
 * longer than size - 1). */
const char *sv_cookie_value(const char *header, const char *name, char *buf, size_t size);
/* The media type of a Content-Type value is type (case-insensitive; parameters after
 * ';' ignored). */
bool sv_media_is(const char *ct, const char *type);
/* A request header by name (case-insensitive), or NULL. */
const char *sv_header(const sv_request *req, const char *name);
/* A query parameter by name, URL-decoded into buf; NULL when absent. */
const char *sv_query(const sv_request *req, const char *name, char *buf, size_t size);

/* Fills res with the JSON error of SPEC §8: {"error": {"code": CODE, "message": MSG}}
 * and the status; returns status. CODE is a short machine word ("bad_request",
 * "not_found", "unauthorized", "forbidden", "too_large", "unsupported_media_type"...). */
int sv_error(sv_response *res, int status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* The workspace of the calling worker thread (opened on first use, its own store
 * connection: readers never wait for the writer). */
lf_workspace *sv_thread_workspace(sv_server *srv, lf_error *err);

/* ---- sessions (auth.c): the dashboard's login ------------------------------------- */

/* A new session for scope: its id (64 hex digits, random) into id[65]; false when full. */
bool sv_session_new(sv_server *srv, sv_scope scope, char id[65]);
/* The scope a session cookie value grants (SV_SCOPE_NONE when unknown or expired). */
sv_scope sv_session_scope(sv_server *srv, const char *id);
/* Ends the session id (logout): its cookie grants nothing from now on; an unknown id
 * is ignored. */
void sv_session_end(sv_server *srv, const char *id);
/* The scope a bearer token grants (constant-time comparison; SV_SCOPE_NONE if unknown). */
sv_scope sv_token_scope(sv_server *srv, const char *token);

/* ---- metrics (metrics.c) ---------------------------------------------------------- */

/* Adds n ingested items (events, leads, costs, traffic rows that changed the store). */
void sv_metrics_ingested(sv_server *srv, const char *kind, int64_t n);

/* ---- handlers of other files, in the route table (routes.c) ----------------------- */

/* api.c (ingest and reads, SPEC §8 "Ingest" and "Read") */
int sv_post_ingest(sv_request *req, sv_response *res);   /* POST /v1/{leads,events,costs,traffic} */
int sv_get_lead(sv_request *req, sv_response *res);      /* GET /v1/leads/{id} */
int sv_get_handoffs(sv_request *req, sv_response *res);  /* GET /v1/handoffs */
int sv_get_report(sv_request *req, sv_response *res);    /* GET /v1/reports/{name} */
/* ingest.c: the group-commit writer (started before the daemon, stopped after it:
 * stop finishes every queued request before it returns) */
lf_status sv_ingest_start(sv_server *srv, lf_error *err);
void sv_ingest_stop(sv_server *srv);
/* Resumes every request still waiting for its group (they answer 503 "timeout"): the
 * last step of a drain that ran out of time (no connection may stay suspended). */
void sv_ingest_wake_all(sv_server *srv);
/* Handoffs pending now and of those overdue, for /metrics. */
lf_status sv_handoff_counts(sv_server *srv, int64_t *open, int64_t *overdue, lf_error *err);

/* deliver.c: the alerts loop (leadflow/app_deliver.h) on a thread of its own with its
 * own store connection: every LEADFLOW_DELIVER_INTERVAL seconds (default 5) it adds
 * the alerts due and sends the outbox. Started after the ingest writer when the
 * configuration has webhooks (else it does nothing); stop wakes it, lets the delivery
 * in progress finish (its request is bounded by LEADFLOW_DELIVER_TIMEOUT) and joins. */
lf_status sv_deliver_start(sv_server *srv, lf_error *err);
/* work.c: slow routes (reports, the dashboard, a lead, the queue) run on threads of
 * their own, so that they never stall the other connections of an event-loop worker.
 * sv_work_defer defers req to them (or runs fn inline when it cannot). stop runs what is
 * queued first; wake_all answers the queued requests 503 at once (bounded stop). */
lf_status sv_work_start(sv_server *srv, lf_error *err);
void sv_work_stop(sv_server *srv);
void sv_work_wake_all(sv_server *srv);
int sv_work_defer(sv_request *req, sv_response *res, sv_handler fn);
void sv_deliver_stop(sv_server *srv);

/* dashboard.c (SPEC §8 "Dashboard") */
int sv_get_dashboard(sv_request *req, sv_response *res); /* GET / */
int sv_get_login(sv_request *req, sv_response *res);     /* GET /login */
int sv_post_login(sv_request *req, sv_response *res);    /* POST /login */
int sv_post_logout(sv_request *req, sv_response *res);   /* POST /logout */
int sv_get_dashboard_js(sv_request *req, sv_response *res); /* GET /dashboard.js (public:
                                                           the page's script, no data) */

/* ---- the server itself (server_main.c, http.c, routes.c) --------------------------- */

typedef struct sv_auth sv_auth;             /* auth.c */
typedef struct sv_metrics sv_metrics;       /* metrics.c */
typedef struct sv_thread_ws sv_thread_ws;   /* server_main.c: per-thread workspaces */
struct sv_ingest;                           /* ingest.c */
struct sv_deliver;                          /* deliver.c */
struct sv_work;                             /* work.c */
struct MHD_Daemon;

/* One server: made by sv_main (server_main.c) before the daemon starts, read-only
 * while it runs except through the functions above (each locks what it shares). */
struct sv_server {
    const char *dir;          /* the workspace directory (--workspace, LEADFLOW_WORKSPACE,
                                 "."); borrowed from argv/environ */
    const char *store_url;    /* --store / LEADFLOW_STORE, or NULL */
    lf_workspace ws;          /* the main thread's: configuration loaded, store open */
    const lf_config *cfg;     /* &ws.cfg, for every thread (read-only) */
    char listen[96];          /* "127.0.0.1:8080", "[::1]:8080" */
    int threads;              /* worker threads of the daemon */
    int timeout;              /* seconds before an idle or slow connection is closed */
    size_t max_body;          /* bytes of one request body (server.max_body) */
    sv_auth *auth;
    sv_metrics *metrics;
    sv_thread_ws *thread_ws;
    struct sv_ingest *ingest; /* ingest.c's writer, between sv_ingest_start and _stop */
    struct sv_deliver *deliver; /* deliver.c's loop, between sv_deliver_start and _stop */
    struct sv_work *work;     /* work.c's threads for slow routes */
    struct lf_app_dataset_cache *reports; /* the dataset the reports of every thread
                                 share, built once per store generation */
    struct MHD_Daemon *daemon;
};

/* The route table and the dispatcher (routes.c). sv_dispatch finds req->path's route
 * (404 unknown path, 405 known path with another method, with its Allow header),
 * checks the scope (401 no or unknown token, 403 a read token on a write route), sets
 * req->param and calls the handler; CORS preflights and headers are added here.
 * *route gets the matched pattern (or "unmatched") for metrics; never NULL. */
int sv_dispatch(sv_request *req, sv_response *res, const char **route);
/* The scope the request's credentials grant: the bearer token, else (GET and HEAD
 * only: a cookie never authorizes a write, so no CSRF) the session cookie. */
sv_scope sv_request_scope(sv_request *req);

/* http.c: starts the daemon on srv->listen with srv->threads workers; prints nothing.
 * sv_http_stop stops accepting, waits (bounded) for the requests in flight to finish
 * and stops the daemon. */
lf_status sv_http_start(sv_server *srv, lf_error *err);
void sv_http_stop(sv_server *srv);
/* The port the daemon listens on (after sv_http_start; useful with port 0). */
int sv_http_port(sv_server *srv);
/* Resumes a connection suspended for an sv_defer (thread-safe; once per suspension). */
void sv_resume(void *conn);

/* auth.c: tokens from LEADFLOW_TOKENS ("read:TOKEN,write:TOKEN"; NULL or "" = none:
 * a random write token is made and copied into generated[65], else generated[0] =
 * 0). LF_ECONFIG with a message that never shows a token. */
lf_status sv_auth_init(sv_server *srv, const char *tokens, char generated[65], lf_error *err);
void sv_auth_release(sv_server *srv);
/* The scope named by a "Bearer TOKEN" header value (NULL: none). */
sv_scope sv_bearer_scope(sv_server *srv, const char *authorization);

/* metrics.c */
lf_status sv_metrics_init(sv_server *srv, lf_error *err);
void sv_metrics_release(sv_server *srv);
/* One request done: route pattern (static), method, status, microseconds. */
void sv_metrics_request(sv_server *srv, const char *route, const char *method, int status,
                        int64_t usec);

/* Handlers of the core (routes.c: /healthz; metrics.c: /metrics). */
int sv_get_healthz(sv_request *req, sv_response *res);   /* GET /healthz */
int sv_get_metrics(sv_request *req, sv_response *res);   /* GET /metrics */

#endif
