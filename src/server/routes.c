/*
 * routes.c — the route table and the dispatcher of `leadflow serve` (SPEC §8).
 *
 * http.c hands every complete request here (sv_dispatch): find the route by path and
 * method, check the scope the request's credentials grant, call the handler. Paths
 * match a pattern exactly, or up to its one {..} segment at the end, which becomes
 * req->param (a non-empty segment without '/'). HEAD is served by the GET route
 * (libmicrohttpd drops the body). Every error is the JSON of sv_error, with messages
 * that name no file, SQL or stack.
 *
 * Credentials: `Authorization: Bearer TOKEN` (auth.c), else for GET and HEAD the
 * session cookie `leadflow_session=ID` of the dashboard. A cookie never authorizes a
 * POST: a browser sends cookies with cross-site form posts, so writes need the bearer
 * header, which no other site can make a browser send (no CSRF possible).
 *
 * CORS is closed unless server.cors_origins lists origins: then a request whose Origin
 * is listed gets Access-Control-Allow-Origin (and Vary: Origin), and a preflight
 * (OPTIONS with Access-Control-Request-Method) to a known path from a listed origin
 * gets 204 with the path's methods. Any other origin gets no CORS header at all.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "server.h"

/* The route table (the prototypes are in server.h); a {..} segment is only allowed at
 * the end of a pattern. Routes marked true read the store or the dataset: they run on
 * work.c's threads, off the event loop. */
static const sv_route routes[] = {
    {"GET", "/healthz", SV_SCOPE_NONE, sv_get_healthz, false},
    {"GET", "/metrics", SV_SCOPE_READ, sv_get_metrics, true},
    /* the dashboard (dashboard.c): public routes that check req->scope themselves (a
     * browser without a session is sent to /login; the script holds no data) */
    {"GET", "/", SV_SCOPE_NONE, sv_get_dashboard, true},
    {"GET", "/dashboard.js", SV_SCOPE_NONE, sv_get_dashboard_js, false},
    {"GET", "/login", SV_SCOPE_NONE, sv_get_login, false},
    {"POST", "/login", SV_SCOPE_NONE, sv_post_login, false},
    {"POST", "/logout", SV_SCOPE_NONE, sv_post_logout, false},
    /* the API (api.c): ingest, a lead, the handoff queue, reports */
    {"POST", "/v1/leads", SV_SCOPE_WRITE, sv_post_ingest, false},
    {"POST", "/v1/events", SV_SCOPE_WRITE, sv_post_ingest, false},
    {"POST", "/v1/costs", SV_SCOPE_WRITE, sv_post_ingest, false},
    {"POST", "/v1/traffic", SV_SCOPE_WRITE, sv_post_ingest, false},
    {"GET", "/v1/leads/{id}", SV_SCOPE_READ, sv_get_lead, true},
    {"GET", "/v1/handoffs", SV_SCOPE_READ, sv_get_handoffs, true},
    {"GET", "/v1/reports/{name}", SV_SCOPE_READ, sv_get_report, true},
};
#define NROUTES (sizeof routes / sizeof routes[0])

int sv_get_healthz(sv_request *req, sv_response *res)
{
    (void)req;
    res->status = 200;
    return lf_buf_adds(&res->body, "{\"status\":\"ok\"}\n") == LF_OK
               ? 200
               : sv_error(res, 500, "internal", "out of memory");
}

/* ---- errors ----------------------------------------------------------------------- */

/* Appends s as the inside of a JSON string (control bytes as \u00XX). */
static lf_status json_text(lf_buf *b, const char *s)
{
    lf_status st = LF_OK;
    for (; *s && st == LF_OK; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            st = lf_buf_addf(b, "\\%c", c);
        else if (c < 0x20 || c == 0x7f)
            st = lf_buf_addf(b, "\\u%04x", c);
        else
            st = lf_buf_addc(b, (char)c);
    }
    return st;
}

int sv_error(sv_response *res, int status, const char *code, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    lf_buf_reset(&res->body);
    res->status = status;
    res->content_type = NULL;
    lf_status st = lf_buf_adds(&res->body, "{\"error\": {\"code\": \"");
    if (st == LF_OK)
        st = json_text(&res->body, code);
    if (st == LF_OK)
        st = lf_buf_adds(&res->body, "\", \"message\": \"");
    if (st == LF_OK)
        st = json_text(&res->body, msg);
    if (st == LF_OK)
        st = lf_buf_adds(&res->body, "\"}}\n");
    if (st != LF_OK)
        lf_buf_reset(&res->body); /* out of memory: status alone */
    return status;
}

/* ---- query strings ---------------------------------------------------------------- */

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* URL-decodes [s, s+n) into buf (size > 0; cut to fit; %00 and bad escapes kept as
 * written so no NUL enters a value). */
static void url_decode(const char *s, size_t n, char *buf, size_t size)
{
    size_t o = 0;
    for (size_t i = 0; i < n && o + 1 < size; i++) {
        int hi, lo;
        if (s[i] == '+')
            buf[o++] = ' ';
        else if (s[i] == '%' && i + 2 < n && (hi = hexval(s[i + 1])) >= 0 &&
                 (lo = hexval(s[i + 2])) >= 0 && (hi | lo) != 0) {
            buf[o++] = (char)(hi * 16 + lo);
            i += 2;
        } else
            buf[o++] = s[i];
    }
    buf[o] = '\0';
}

const char *sv_query(const sv_request *req, const char *name, char *buf, size_t size)
{
    const char *q = req->query ? req->query : "";
    size_t nl = strlen(name);
    if (size == 0)
        return NULL;
    for (int guard = 0; *q && guard < 10000; guard++) {
        size_t n = strcspn(q, "&");
        size_t kl = strcspn(q, "=&");
        char key[128];
        url_decode(q, kl, key, sizeof key);
        if (strlen(key) == nl && memcmp(key, name, nl) == 0) {
            const char *v = kl < n ? q + kl + 1 : q + n;
            url_decode(v, (size_t)(q + n - v), buf, size);
            return buf;
        }
        q += n + (q[n] == '&');
    }
    return NULL;
}

/* The media type of a Content-Type value matches type (case-insensitive, parameters
 * after ';' ignored). */
bool sv_media_is(const char *ct, const char *type)
{
    size_t n = strlen(type);
    if (strncasecmp(ct, type, n) != 0)
        return false;
    ct += n;
    while (*ct == ' ' || *ct == '\t')
        ct++;
    return *ct == '\0' || *ct == ';';
}

/* ---- credentials ------------------------------------------------------------------ */

/* The value of cookie `name` in a Cookie header into buf, or NULL. */
const char *sv_cookie_value(const char *header, const char *name, char *buf, size_t size)
{
    size_t nl = strlen(name);
    const char *p = header;
    for (int guard = 0; p && *p && guard < 200; guard++) {
        p += strspn(p, " \t;");
        size_t n = strcspn(p, ";");
        if (n > nl && strncmp(p, name, nl) == 0 && p[nl] == '=') {
            size_t vl = n - nl - 1;
            while (vl && (p[nl + 1 + vl - 1] == ' ' || p[nl + 1 + vl - 1] == '\t'))
                vl--;
            if (vl >= size)
                return NULL;
            memcpy(buf, p + nl + 1, vl);
            buf[vl] = '\0';
            return buf;
        }
        p += n;
    }
    return NULL;
}

sv_scope sv_request_scope(sv_request *req)
{
    const char *auth = sv_header(req, "Authorization");
    if (auth)
        return sv_bearer_scope(req->srv, auth);
    if (strcmp(req->method, "GET") != 0 && strcmp(req->method, "HEAD") != 0)
        return SV_SCOPE_NONE;
    const char *cookies = sv_header(req, "Cookie");
    char id[80];
    if (cookies && sv_cookie_value(cookies, "leadflow_session", id, sizeof id))
        return sv_session_scope(req->srv, id);
    return SV_SCOPE_NONE;
}

/* ---- matching --------------------------------------------------------------------- */

/* Whether path matches pattern; *param gets the {..} segment's start (or NULL). */
static bool match(const char *pattern, const char *path, const char **param)
{
    const char *brace = strchr(pattern, '{');
    *param = NULL;
    if (!brace)
        return strcmp(pattern, path) == 0;
    size_t pre = (size_t)(brace - pattern);
    if (strncmp(pattern, path, pre) != 0)
        return false;
    const char *seg = path + pre;
    if (!*seg || strchr(seg, '/'))
        return false;
    *param = seg;
    return true;
}

static bool same_method(const char *route, const char *method)
{
    return strcmp(route, method) == 0 ||
           (strcmp(method, "HEAD") == 0 && strcmp(route, "GET") == 0);
}

/* Appends "Name: value\r\n" to res->headers if it fits (else drops it). */
static void add_header(sv_response *res, const char *name, const char *value)
{
    size_t used = strnlen(res->headers, sizeof res->headers);
    int n = snprintf(res->headers + used, sizeof res->headers - used, "%s: %s\r\n", name,
                     value);
    if (n < 0 || (size_t)n >= sizeof res->headers - used)
        res->headers[used] = '\0';
}

/* The methods of every route of path, "GET, POST" (OPTIONS when CORS is open). */
static void allowed(const char *path, char *out, size_t size)
{
    size_t o = 0;
    out[0] = '\0';
    for (size_t i = 0; i < NROUTES; i++) {
        const char *param;
        if (!match(routes[i].pattern, path, &param) || strstr(out, routes[i].method))
            continue;
        int n = snprintf(out + o, size - o, "%s%s", o ? ", " : "", routes[i].method);
        if (n < 0 || (size_t)n >= size - o)
            break;
        o += (size_t)n;
    }
}

/* The listed origin the request comes from, or NULL (CORS closed for it). */
static const char *cors_origin(const sv_request *req)
{
    const char *origin = sv_header(req, "Origin");
    const lf_server_config *sc = &req->srv->cfg->server;
    if (!origin)
        return NULL;
    for (size_t i = 0; i < sc->ncors_origins; i++)
        if (strcmp(sc->cors_origins[i], origin) == 0)
            return sc->cors_origins[i];
    return NULL;
}

static int preflight(sv_request *req, sv_response *res, const char *origin, const char *allow)
{
    (void)req;
    res->status = 204;
    add_header(res, "Access-Control-Allow-Origin", origin);
    add_header(res, "Access-Control-Allow-Methods", allow);
    add_header(res, "Access-Control-Allow-Headers", "Authorization, Content-Type");
    add_header(res, "Access-Control-Max-Age", "600");
    add_header(res, "Vary", "Origin");
    return 204;
}

/* The route for req, or NULL after filling res with 404 or 405 (or a preflight). */
static const sv_route *find_route(sv_request *req, sv_response *res, const char **route)
{
    const char *param;
    for (size_t i = 0; i < NROUTES; i++)
        if (same_method(routes[i].method, req->method) &&
            match(routes[i].pattern, req->path, &param)) {
            req->param = param;
            *route = routes[i].pattern;
            return &routes[i];
        }
    char allow[128];
    allowed(req->path, allow, sizeof allow);
    if (!allow[0]) {
        sv_error(res, 404, "not_found", "no such path");
        return NULL;
    }
    for (size_t i = 0; i < NROUTES; i++)
        if (match(routes[i].pattern, req->path, &param)) {
            *route = routes[i].pattern;
            break;
        }
    const char *origin = cors_origin(req);
    if (strcmp(req->method, "OPTIONS") == 0 && origin &&
        sv_header(req, "Access-Control-Request-Method")) {
        preflight(req, res, origin, allow);
        return NULL;
    }
    sv_error(res, 405, "method_not_allowed", "this method is not allowed here (allowed: %s)",
             allow);
    add_header(res, "Allow", allow);
    return NULL;
}

int sv_dispatch(sv_request *req, sv_response *res, const char **route)
{
    *route = "unmatched";
    req->param = NULL;
    req->scope = sv_request_scope(req);
    const sv_route *r = find_route(req, res, route);
    if (r) {
        if (r->scope != SV_SCOPE_NONE && req->scope == SV_SCOPE_NONE) {
            sv_error(res, 401, "unauthorized", "a valid bearer token is required");
            add_header(res, "WWW-Authenticate", "Bearer realm=\"leadflow\"");
        } else if (r->scope > req->scope) {
            sv_error(res, 403, "forbidden", "this route needs a write token");
        } else {
            int st = r->slow ? sv_work_defer(req, res, r->fn) : r->fn(req, res);
            if (res->status == 0)
                res->status = st > 0 ? st : 200;
        }
    }
    const char *origin = cors_origin(req);
    if (origin && res->status != 204) {
        add_header(res, "Access-Control-Allow-Origin", origin);
        add_header(res, "Vary", "Origin");
    }
    return res->status;
}
