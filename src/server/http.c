/*
 * http.c — the daemon of `leadflow serve`: libmicrohttpd owns the sockets, this file
 * turns each request into an sv_request for the router (routes.c) and its sv_response
 * into bytes, and writes the access log (SPEC §8).
 *
 * Flow of one request: the URI callback (first line read) makes the per-request state
 * (raw query, start time); the first access call checks the headers (431 past
 * SV_HEADERS_MAX bytes or SV_HEADERS_COUNT lines; libmicrohttpd itself answers 431,
 * not as JSON, past its per-connection memory SV_CONN_MEMORY) and the declared
 * length (413 before reading the body); later calls collect the body up to
 * server.max_body (a chunked body past it is read and dropped, then 413; past four
 * times the limit the connection is closed); the last call
 * dispatches and queues the response. The completion callback logs one line and
 * counts the request in the metrics.
 *
 * Deferred answers (sv_defer, server.h: ingest): when the handler defers, the
 * connection is suspended (MHD_suspend_connection: it holds no worker thread) and the
 * work started; whoever finishes it resumes the connection (sv_resume, any thread),
 * and the access handler's next call fills and queues the response. A connection
 * closed while deferred cancels the work in the completion callback.
 *
 * Limits: sockets are closed after server.timeout seconds without progress (10 s by
 * default: slow clients), at most SV_CONN_LIMIT connections. The listening socket is
 * made here (so a bind error can be reported as such) and handed to libmicrohttpd.
 *
 * Stopping: sv_http_stop quiesces the daemon (no new connections), waits until no
 * request is in flight (bounded: timeout + 5 s; suspended requests are answered when
 * their group commits, and any still waiting then are resumed with a 503 first: no
 * connection may be suspended when the daemon stops) and stops it, which closes idle
 * keep-alive connections. One daemon per process (the in-flight count is static).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "leadflow/time.h"
#include "server.h"

enum {
    SV_HEADERS_MAX = 16 * 1024, /* bytes of all header lines (our 431, as JSON) */
    SV_HEADERS_COUNT = 100,
    SV_CONN_MEMORY = 32 * 1024, /* libmicrohttpd's per-connection pool: it zeroes it for
                                 * every request of a kept-alive connection (64 KiB was
                                 * ~4 % of the CPU of single-event posts); room enough
                                 * for SV_HEADERS_MAX and our 431 */
    SV_CONN_LIMIT = 1024,
    SV_QUERY_MAX = 8 * 1024,
    SV_LOG_PATH = 512,
};

static atomic_int inflight;
static int listen_fd = -1;
static int bound_port;

/* Per-request state, from the URI callback to the completion callback. */
typedef struct sv_conn {
    sv_server *srv;
    int64_t t0;            /* lf_mono_usec at the first line */
    time_t started;        /* wall clock, for the log */
    char method[16];
    char path[SV_LOG_PATH]; /* raw path for the log: visible ASCII, else %XX */
    char *query;           /* raw query string (owned), "" when none */
    lf_buf body;
    bool too_large;        /* the body went past server.max_body: dropped, then 413 */
    size_t dropped;        /* bytes of such a body read */
    bool nul_path;         /* the raw path holds %00 (libmicrohttpd would cut it there) */
    int status;            /* 0 until a response is queued */
    size_t bytes;
    const char *route;     /* for the metrics */
    sv_defer defer;        /* set while the answer is deferred (suspended) */
    sv_response held;      /* the router's response (headers) kept for the answer */
} sv_conn;

/* ---- per-request state ------------------------------------------------------------ */

static void log_path(char *out, size_t size, const char *uri)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t o = 0;
    for (const char *p = uri; *p && *p != '?' && o + 4 < size; p++) {
        unsigned char c = (unsigned char)*p;
        if (c > 0x20 && c < 0x7f && c != '%') {
            out[o++] = (char)c;
        } else {
            out[o++] = '%';
            out[o++] = hex[c >> 4];
            out[o++] = hex[c & 15];
        }
    }
    out[o] = '\0';
}

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *con)
{
    (void)con;
    sv_conn *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->srv = cls;
    c->t0 = lf_mono_usec();
    c->started = time(NULL);
    c->route = "unmatched";
    log_path(c->path, sizeof c->path, uri);
    size_t plen = strcspn(uri, "?");
    for (size_t i = 0; i + 2 < plen; i++)
        if (uri[i] == '%' && uri[i + 1] == '0' && uri[i + 2] == '0')
            c->nul_path = true;
    const char *q = strchr(uri, '?');
    c->query = strndup(q ? q + 1 : "", SV_QUERY_MAX);
    if (!c->query) {
        free(c);
        return NULL;
    }
    lf_buf_init(&c->body, c->srv->max_body + 1);
    atomic_fetch_add(&inflight, 1);
    return c;
}

/* One access-log line: time method path status bytes microseconds. Tokens, queries
 * and bodies never appear. One write(2), so lines from workers do not mix. */
static void access_log(const sv_conn *c, int64_t usec)
{
    struct tm tm;
    char when[32], status[8], line[SV_LOG_PATH + 128];
    gmtime_r(&c->started, &tm);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    if (c->status)
        snprintf(status, sizeof status, "%d", c->status);
    else
        memcpy(status, "-", 2);
    int n = snprintf(line, sizeof line, "%s %s %s %s %zu %lld\n", when,
                     c->method[0] ? c->method : "-", c->path, status, c->bytes,
                     (long long)usec);
    if (n > 0) {
        size_t len = (size_t)n < sizeof line ? (size_t)n : sizeof line - 1;
        ssize_t w = write(STDERR_FILENO, line, len);
        (void)w;
    }
}

static void on_completed(void *cls, struct MHD_Connection *con, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)con;
    (void)toe;
    sv_conn *c = *con_cls;
    if (!c)
        return;
    int64_t usec = lf_mono_usec() - c->t0;
    access_log(c, usec);
    if (c->status)
        sv_metrics_request(c->srv, c->route, c->method, c->status, usec);
    if (c->defer.cancel)
        c->defer.cancel(c->defer.ctx); /* closed while deferred (or never resumed) */
    lf_buf_release(&c->held.body);
    lf_buf_release(&c->body);
    free(c->query);
    free(c);
    *con_cls = NULL;
    atomic_fetch_sub(&inflight, 1);
}

/* ---- responses -------------------------------------------------------------------- */

const char *sv_header(const sv_request *req, const char *name)
{
    if (!req->conn) { /* run off the event loop: the copied headers */
        for (size_t i = 0; i < req->nhdrs; i++)
            if (strcasecmp(req->hdrs[i].name, name) == 0)
                return req->hdrs[i].value;
        return NULL;
    }
    return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

/* Whether the response's extra header lines already name header `name`. */
static bool has_header(const char *lines, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = lines; p && *p;) {
        if (strncasecmp(p, name, n) == 0 && p[n] == ':')
            return true;
        p = strstr(p, "\r\n");
        p = p ? p + 2 : NULL;
    }
    return false;
}

/* Adds the "Name: value\r\n" lines of res->headers to r. */
static void add_lines(struct MHD_Response *r, const char *lines)
{
    char name[128], value[512];
    for (const char *p = lines; *p;) {
        const char *end = strstr(p, "\r\n");
        size_t len = end ? (size_t)(end - p) : strlen(p);
        const char *colon = memchr(p, ':', len);
        if (colon && (size_t)(colon - p) < sizeof name) {
            size_t nl = (size_t)(colon - p), vo = nl + 1 + strspn(colon + 1, " ");
            size_t vl = len > vo ? len - vo : 0;
            memcpy(name, p, nl);
            name[nl] = '\0';
            if (vl < sizeof value) {
                memcpy(value, p + vo, vl);
                value[vl] = '\0';
                MHD_add_response_header(r, name, value);
            }
        }
        p += len + (end ? 2 : 0);
    }
}

static enum MHD_Result send_response(sv_conn *c, struct MHD_Connection *con, sv_response *res)
{
    size_t len = res->body.len;
    char *data = len ? lf_buf_detach(&res->body) : NULL;
    struct MHD_Response *r =
        data ? MHD_create_response_from_buffer_with_free_callback(len, data, free)
             : MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    if (!r) {
        free(data);
        return MHD_NO;
    }
    int status = res->status ? res->status : 200;
    if (status != 204)
        MHD_add_response_header(r, "Content-Type",
                                res->content_type ? res->content_type : "application/json");
    add_lines(r, res->headers);
    if (!has_header(res->headers, "Cache-Control"))
        MHD_add_response_header(r, "Cache-Control", "no-store");
    if (!has_header(res->headers, "X-Content-Type-Options"))
        MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    enum MHD_Result ok = MHD_queue_response(con, (unsigned)status, r);
    MHD_destroy_response(r);
    c->status = status;
    c->bytes = len;
    return ok;
}

/* A response made here (not by a handler): an error before dispatch. */
static enum MHD_Result send_error(sv_conn *c, struct MHD_Connection *con, int status,
                                  const char *code, const char *msg)
{
    sv_response res = {0};
    lf_buf_init(&res.body, 0);
    sv_error(&res, status, code, "%s", msg);
    if (status == 413 || status == 431)
        memcpy(res.headers, "Connection: close\r\n", 20);
    enum MHD_Result ok = send_response(c, con, &res);
    lf_buf_release(&res.body);
    return ok;
}

/* ---- the access handler ----------------------------------------------------------- */

typedef struct header_size {
    size_t bytes, count;
} header_size;

static enum MHD_Result count_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                   const char *value)
{
    (void)kind;
    header_size *h = cls;
    h->bytes += strlen(key) + (value ? strlen(value) : 0) + 4;
    h->count++;
    return MHD_YES;
}

/* A body without Content-Length (chunked) that grows past server.max_body: the rest
 * is read and dropped, then answered 413, up to DISCARD_FACTOR times the limit in all;
 * past that the connection is closed (a client that never stops costs a bounded read). */
#define DISCARD_FACTOR 4

static enum MHD_Result take_body(sv_conn *c, const char *upload, size_t *upload_size)
{
    size_t n = *upload_size, max = c->srv->max_body;
    *upload_size = 0;
    if (!c->too_large && c->body.len + n <= max) {
        if (lf_buf_add(&c->body, upload, n) != LF_OK)
            return MHD_NO; /* out of memory: close */
        return MHD_YES;
    }
    if (!c->too_large) {
        c->too_large = true;
        c->dropped = c->body.len;
        lf_buf_release(&c->body);
    }
    c->dropped += n;
    if (c->dropped / DISCARD_FACTOR > max) {
        c->status = 413; /* for the log: closed without an answer */
        return MHD_NO;
    }
    return MHD_YES;
}

static enum MHD_Result too_large(sv_conn *c, struct MHD_Connection *con)
{
    char msg[96];
    snprintf(msg, sizeof msg, "the body is over the limit of %zu bytes", c->srv->max_body);
    return send_error(c, con, 413, "too_large", msg);
}

/* The first call (headers read): 431, 413 or nothing (MHD_YES without a response). */
static enum MHD_Result check_head(sv_conn *c, struct MHD_Connection *con)
{
    header_size h = {0, 0};
    MHD_get_connection_values(con, MHD_HEADER_KIND, count_header, &h);
    if (h.bytes > SV_HEADERS_MAX || h.count > SV_HEADERS_COUNT)
        return send_error(c, con, 431, "headers_too_large", "the request headers are too large");
    const char *cl = MHD_lookup_connection_value(con, MHD_HEADER_KIND, "Content-Length");
    if (cl) {
        char *end = NULL;
        errno = 0;
        unsigned long long n = strtoull(cl, &end, 10);
        if (errno || end == cl || n > c->srv->max_body)
            return too_large(c, con);
    }
    return MHD_YES;
}

static enum MHD_Result dispatch(sv_conn *c, struct MHD_Connection *con, const char *url)
{
    const char *ct = MHD_lookup_connection_value(con, MHD_HEADER_KIND, "Content-Type");
    sv_request req = {
        .srv = c->srv,
        .method = c->method,
        .path = url,
        .query = c->query,
        .content_type = ct ? ct : "",
        .body = c->body.data ? c->body.data : "",
        .body_len = c->body.len,
        .conn = con,
        .defer = &c->defer,
    };
    sv_response res = {0};
    lf_buf_init(&res.body, 0);
    if (c->nul_path)
        sv_error(&res, 400, "bad_request", "the path holds a NUL byte (%%00)");
    else
        sv_dispatch(&req, &res, &c->route);
    lf_buf_release(&c->body);
    if (c->defer.finish) { /* answered when resumed (finish_deferred) */
        c->held = res;
        MHD_suspend_connection(con);
        c->defer.start(c->defer.ctx, c->srv);
        return MHD_YES;
    }
    enum MHD_Result ok = send_response(c, con, &res);
    lf_buf_release(&res.body);
    return ok;
}

/* The access handler's call after sv_resume: the deferred answer. */
static enum MHD_Result finish_deferred(sv_conn *c, struct MHD_Connection *con)
{
    sv_defer d = c->defer;
    sv_response res = c->held;
    memset(&c->defer, 0, sizeof c->defer);
    memset(&c->held, 0, sizeof c->held);
    int st = d.finish(d.ctx, c->srv, &res);
    if (res.status == 0)
        res.status = st > 0 ? st : 200;
    enum MHD_Result ok = send_response(c, con, &res);
    lf_buf_release(&res.body);
    return ok;
}

void sv_resume(void *conn)
{
    MHD_resume_connection(conn);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *con, const char *url,
                                  const char *method, const char *version,
                                  const char *upload, size_t *upload_size, void **con_cls)
{
    (void)cls;
    (void)version;
    sv_conn *c = *con_cls;
    if (!c)
        return MHD_NO; /* out of memory in on_uri */
    if (!c->method[0]) { /* first call: headers only */
        snprintf(c->method, sizeof c->method, "%s", method);
        for (char *p = c->method; *p; p++)
            if (*p < 0x21 || *p > 0x7e)
                *p = '?';
        return check_head(c, con);
    }
    if (c->defer.finish)
        return finish_deferred(c, con);
    if (*upload_size)
        return take_body(c, upload, upload_size);
    if (c->too_large)
        return too_large(c, con);
    return dispatch(c, con, url);
}

/* ---- the daemon ------------------------------------------------------------------- */

/* Parses "ADDR:PORT" / "[V6]:PORT" into addr; false when malformed. */
static bool parse_listen(const char *s, struct sockaddr_storage *addr, socklen_t *len)
{
    char host[64];
    const char *colon = strrchr(s, ':');
    if (!colon)
        return false;
    size_t hl = (size_t)(colon - s);
    const char *h = s;
    if (hl >= 2 && s[0] == '[' && s[hl - 1] == ']') {
        h++;
        hl -= 2;
    }
    if (hl == 0 || hl >= sizeof host || !colon[1] || strlen(colon + 1) > 5 ||
        strspn(colon + 1, "0123456789") != strlen(colon + 1))
        return false;
    long port = strtol(colon + 1, NULL, 10);
    if (port > 65535)
        return false;
    memcpy(host, h, hl);
    host[hl] = '\0';
    if (strcmp(host, "localhost") == 0)
        memcpy(host, "127.0.0.1", 10);
    memset(addr, 0, sizeof *addr);
    struct sockaddr_in *v4 = (struct sockaddr_in *)addr;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)addr;
    if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons((uint16_t)port);
        *len = sizeof *v4;
        return true;
    }
    if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons((uint16_t)port);
        *len = sizeof *v6;
        return true;
    }
    return false;
}

static lf_status open_listener(sv_server *srv, int *family, lf_error *err)
{
    struct sockaddr_storage addr;
    socklen_t len = 0;
    if (!parse_listen(srv->listen, &addr, &len))
        return lf_errorf(err, LF_EUSAGE,
                         "bad listen address '%s' (expected ADDR:PORT, e.g. 127.0.0.1:8080 or "
                         "[::1]:8080)",
                         srv->listen);
    *family = addr.ss_family;
    int fd = socket(addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;
    if (fd < 0)
        return lf_errorf(err, LF_ECONFIG, "cannot listen on %s: %s", srv->listen,
                         strerror(errno));
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (addr.ss_family == AF_INET6)
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    if (bind(fd, (struct sockaddr *)&addr, len) != 0 || listen(fd, 511) != 0) {
        int e = errno;
        close(fd);
        return lf_errorf(err, LF_ECONFIG, "cannot listen on %s: %s", srv->listen, strerror(e));
    }
    struct sockaddr_storage got;
    socklen_t gl = sizeof got;
    if (getsockname(fd, (struct sockaddr *)&got, &gl) == 0)
        bound_port = ntohs(got.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&got)->sin6_port
                                                     : ((struct sockaddr_in *)&got)->sin_port);
    listen_fd = fd;
    return LF_OK;
}

lf_status sv_http_start(sv_server *srv, lf_error *err)
{
    int family = AF_INET;
    lf_status st = open_listener(srv, &family, err);
    if (st)
        return st;
    unsigned flags = MHD_USE_AUTO_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME |
                     (family == AF_INET6 ? MHD_USE_IPv6 : 0);
    srv->daemon = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, srv, MHD_OPTION_LISTEN_SOCKET, listen_fd,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)srv->threads, MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned)srv->timeout, MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)SV_CONN_MEMORY,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)SV_CONN_LIMIT, MHD_OPTION_URI_LOG_CALLBACK,
        on_uri, srv, MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv, MHD_OPTION_END);
    if (!srv->daemon) {
        close(listen_fd);
        listen_fd = -1;
        return lf_errorf(err, LF_ECONFIG, "cannot start the HTTP daemon on %s", srv->listen);
    }
    return LF_OK;
}

int sv_http_port(sv_server *srv)
{
    (void)srv;
    return bound_port;
}

/* Waits until no request is in flight, at most limit_ms. */
static void wait_inflight(int64_t limit_ms)
{
    for (int64_t waited = 0; atomic_load(&inflight) > 0 && waited < limit_ms; waited += 10) {
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
}

void sv_http_stop(sv_server *srv)
{
    if (!srv->daemon)
        return;
    int fd = MHD_quiesce_daemon(srv->daemon);
    if (fd >= 0)
        close(fd);
    listen_fd = -1;
    /* in flight: first line read, response not yet sent; bounded by the timeout */
    wait_inflight(((int64_t)srv->timeout + 5) * 1000);
    if (atomic_load(&inflight) > 0) {
        sv_ingest_wake_all(srv); /* still suspended: answer 503 before the stop */
        sv_work_wake_all(srv);
        wait_inflight(2000);
    }
    MHD_stop_daemon(srv->daemon);
    srv->daemon = NULL;
}
