/*
 * dashboard.c — GET / (the live report), GET/POST /login, GET /dashboard.js (SPEC §8
 * "Dashboard", issue 13).
 *
 * The page is the bytes of `leadflow report all --format html` for the query's
 * from/to/by/as_of (lf_app_report: the same markup and charts), spliced at four
 * markers of assets/report/report.html that this file finds in order:
 *   1. the <meta http-equiv="Content-Security-Policy" ...> tag is replaced by the
 *      dashboard's policy (the report's forbids scripts and form submissions);
 *   2. before </head>: the dashboard CSS (assets/dashboard/dashboard.css) and
 *      <script src="/dashboard.js" defer> (assets/dashboard/dashboard.js);
 *   3. before </header>: the pickers (a plain GET form) and the refresh status line;
 *   4. after <main>: the sales queue (pending handoffs, overdue first).
 * A missing marker is a 500 naming it (the template changed; tests/server catch it).
 * Without JavaScript the page is complete; with it the script refreshes <main> in
 * place from GET / every N seconds and applies the pickers without a reload.
 *
 * Authentication: the router sets req->scope from a bearer token or the session
 * cookie; / is routed public so that a browser without a session is sent to /login
 * (303) instead of getting a bare 401. A client that asks for JSON only, or that sent
 * an Authorization header (browsers do not), gets the API's 401 instead.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "leadflow/app_handoffs.h"
#include "leadflow/app_range.h"
#include "leadflow/app_report.h"
#include "leadflow/time.h"
#include "leadflow/text.h"
#include "server.h"

extern const unsigned char lf_asset_report_report_css[];
extern const size_t lf_asset_report_report_css_len;
extern const unsigned char lf_asset_dashboard_dashboard_css[];
extern const size_t lf_asset_dashboard_dashboard_css_len;
extern const unsigned char lf_asset_dashboard_dashboard_js[];
extern const size_t lf_asset_dashboard_dashboard_js_len;

/* Everything from the page's own origin, nothing from any other: the report's inline
 * <style> and data: images, the script file, fetches of / and form posts to it. */
#define DASH_CSP                                                                           \
    "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'unsafe-inline'; " \
    "img-src data:; form-action 'self'; base-uri 'none'"
#define DASH_HTML "text/html; charset=utf-8"
#define DASH_REFRESH_DEFAULT 60 /* seconds between in-place refreshes */
#define DASH_QUEUE_MAX 200      /* handoffs shown in the queue */
#define LOGIN_BODY_MAX 4096     /* bytes of a POST /login body */
#define TOKEN_MAX 1024          /* bytes of a token */

typedef struct dash_query {
    char from[40], to[40], by[16], as_of[64], as_of_now[64];
    const char *pfrom, *pto, *pby, *pas_of; /* NULL when absent or empty */
    const char *pas_of_now; /* the default as-of the pickers showed (hidden field) */
    int refresh;            /* 0 = not given */
    /* The range in use (lf_app_range_parse), shown in the pickers whose field was not
     * given; empty until the report ran (a refused query shows what was typed). */
    char eff_from[16], eff_to[16], eff_as_of[32];
} dash_query;

/* ---- small helpers -------------------------------------------------------------- */

/* Appends one header line to res->headers; false when it does not fit. */
static bool add_header(sv_response *res, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool add_header(sv_response *res, const char *fmt, ...)
{
    size_t used = strlen(res->headers);
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(res->headers + used, sizeof res->headers - used, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof res->headers - used) {
        res->headers[used] = '\0';
        return false;
    }
    return true;
}

static void page_headers(sv_response *res)
{
    (void)add_header(res, "Content-Security-Policy: %s; frame-ancestors 'none'\r\n", DASH_CSP);
    (void)add_header(res, "Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n"
                          "Referrer-Policy: same-origin\r\n");
}

/* Appends s with & < > " ' escaped (data text in HTML text and attribute values). */
static lf_status esc(lf_buf *b, const char *s)
{
    lf_status st = LF_OK;
    for (; s && *s && st == LF_OK; s++) {
        switch (*s) {
        case '&': st = lf_buf_adds(b, "&amp;"); break;
        case '<': st = lf_buf_adds(b, "&lt;"); break;
        case '>': st = lf_buf_adds(b, "&gt;"); break;
        case '"': st = lf_buf_adds(b, "&quot;"); break;
        case '\'': st = lf_buf_adds(b, "&#39;"); break;
        default: st = lf_buf_addc(b, *s);
        }
    }
    return st;
}

static bool wants_json(const sv_request *req)
{
    const char *a = sv_header(req, "Accept");
    return a && strstr(a, "application/json") && !strstr(a, "text/html");
}

static const char *param(const sv_request *req, const char *name, char *buf, size_t size)
{
    const char *v = sv_query(req, name, buf, size);
    return v && *v ? v : NULL;
}

static void read_query(const sv_request *req, dash_query *q)
{
    memset(q, 0, sizeof *q);
    q->pfrom = param(req, "from", q->from, sizeof q->from);
    q->pto = param(req, "to", q->to, sizeof q->to);
    q->pby = param(req, "by", q->by, sizeof q->by);
    q->pas_of = param(req, "as_of", q->as_of, sizeof q->as_of);
    q->pas_of_now = param(req, "as_of_now", q->as_of_now, sizeof q->as_of_now);
    char r[16];
    const char *rv = param(req, "refresh", r, sizeof r);
    if (rv) {
        int v = 0;
        for (const char *p = rv; *p >= '0' && *p <= '9' && v < 100000; p++)
            v = v * 10 + (*p - '0');
        q->refresh = v < 2 ? 2 : v > 3600 ? 3600 : v;
    }
}

/* Whether s is what an <input type=datetime-local> shows: YYYY-MM-DDTHH:MM[:SS]. */
static bool is_local_datetime(const char *s)
{
    size_t n = strlen(s);
    if (n != 16 && n != 19)
        return false;
    for (size_t i = 0; i < n; i++) {
        bool digit = s[i] >= '0' && s[i] <= '9';
        char want = i == 4 || i == 7 ? '-' : i == 10 ? 'T' : i == 13 || i == 16 ? ':' : 0;
        if (want ? s[i] != want : !digit)
            return false;
    }
    return true;
}

/* ---- page pieces ---------------------------------------------------------------- */

static lf_status add_input(lf_buf *b, const char *label, const char *type, const char *name,
                           const char *value)
{
    lf_status st = lf_buf_addf(b, "<label>%s<input type=\"%s\" name=\"%s\"", label, type, name);
    if (st == LF_OK && value) {
        st = lf_buf_adds(b, " value=\"");
        if (st == LF_OK)
            st = esc(b, value);
        if (st == LF_OK)
            st = lf_buf_addc(b, '"');
    }
    if (st == LF_OK && strcmp(type, "text") == 0)
        st = lf_buf_adds(b, " placeholder=\"now\" size=\"22\"");
    if (st == LF_OK && strcmp(type, "datetime-local") == 0)
        st = lf_buf_adds(b, " step=\"1\"");
    return st == LF_OK ? lf_buf_adds(b, "></label>\n") : st;
}

static const char *eff(const char *v)
{
    return v[0] ? v : NULL;
}

/* The pickers: a GET form to / (works without JavaScript), the sign-out button and
 * the status line. */
static lf_status add_pickers(lf_buf *b, const dash_query *q)
{
    static const char *const bys[] = {"day", "week", "month", "quarter", "year"};
    const char *by = q->pby ? q->pby : "month";
    int refresh = q->refresh ? q->refresh : DASH_REFRESH_DEFAULT;
    lf_status st = lf_buf_addf(b, "<form class=\"pickers\" id=\"pickers\" method=\"get\" "
                                  "action=\"/\" data-refresh=\"%d\" aria-label=\"Range\">\n",
                               refresh);
    if (st == LF_OK)
        st = add_input(b, "From", "date", "from", q->pfrom ? q->pfrom : eff(q->eff_from));
    if (st == LF_OK)
        st = add_input(b, "To (exclusive)", "date", "to", q->pto ? q->pto : eff(q->eff_to));
    if (st == LF_OK)
        st = lf_buf_adds(b, "<label>By<select name=\"by\">");
    for (size_t i = 0; st == LF_OK && i < sizeof bys / sizeof bys[0]; i++)
        st = lf_buf_addf(b, "<option%s>%s</option>", strcmp(by, bys[i]) ? "" : " selected",
                         bys[i]);
    if (st == LF_OK)
        st = lf_buf_adds(b, "</select></label>\n");
    if (st == LF_OK)
        st = add_input(b, "As of", q->pas_of && !is_local_datetime(q->pas_of) ? "text"
                                                                              : "datetime-local",
                       "as_of", q->pas_of ? q->pas_of : eff(q->eff_as_of));
    if (st == LF_OK && !q->pas_of && q->eff_as_of[0]) /* as-of now: submitted unchanged, */
        st = lf_buf_addf(b, "<input type=\"hidden\" name=\"as_of_now\" value=\"%s\">\n",
                         q->eff_as_of); /* it stays now (live_as_of); digits only */
    if (st == LF_OK && q->refresh)
        st = lf_buf_addf(b, "<input type=\"hidden\" name=\"refresh\" value=\"%d\">\n", q->refresh);
    if (st == LF_OK)
        st = lf_buf_adds(b, "<button type=\"submit\">Show</button> <a href=\"/\">Reset</a>\n"
                            "</form>\n<form class=\"logout\" method=\"post\" action=\"/logout\">"
                            "<button type=\"submit\">Sign out</button></form>\n"
                            "<p class=\"dash-status\" id=\"dash-status\" "
                            "aria-live=\"polite\"></p>\n");
    return st;
}

/* "12 h 05 min", "1,234 h 05 min" of a duration in microseconds (absolute value). Hours,
 * not days: on a business-hours SLA clock a day of the clock is not 24 hours. */
static void fmt_left(int64_t usec, char *buf, size_t size)
{
    uint64_t u = usec < 0 ? (uint64_t)0 - (uint64_t)usec : (uint64_t)usec;
    uint64_t min = u / (uint64_t)(60 * LF_USEC_PER_SEC);
    char hours[32];
    lf_fmt_count((long long)(min / 60), hours, sizeof hours);
    snprintf(buf, size, "%s h %02llu min", hours, (unsigned long long)(min % 60));
}

static void fmt_local(const lf_tz *tz, lf_time t, char *buf, size_t size)
{
    if (t == LF_TIME_NONE) {
        snprintf(buf, size, "–");
        return;
    }
    lf_civil c;
    lf_time_to_local(tz, t, &c);
    snprintf(buf, size, "%04d-%02d-%02d %02d:%02d", c.year, c.month, c.day, c.hour, c.min);
}

static lf_status add_queue_row(lf_buf *b, const lf_tz *tz, const lf_app_handoff *h)
{
    char left[48], dl[40], mql[40];
    fmt_local(tz, h->deadline, dl, sizeof dl);
    fmt_local(tz, h->mql_at, mql, sizeof mql);
    if (h->deadline == LF_TIME_NONE)
        snprintf(left, sizeof left, "no SLA");
    else
        fmt_left(h->left_usec, left, sizeof left);
    const char *cls = h->overdue ? "overdue" : "pending";
    lf_status st = lf_buf_addf(b, "<tr class=\"%s\"><th scope=\"row\">", cls);
    if (st == LF_OK)
        st = esc(b, h->lead_id);
    if (st == LF_OK)
        st = lf_buf_addf(b, "</th><td><span class=\"badge\">%s</span></td>"
                            "<td class=\"n left\">%s%s</td><td>%s</td><td>%s</td></tr>\n",
                         cls, h->overdue ? "overdue by " : "", left, dl, mql);
    return st;
}

static lf_status add_queue_table(lf_buf *b, const lf_tz *tz, const lf_app_handoff *h, size_t n,
                                 bool more)
{
    size_t overdue = 0;
    for (size_t i = 0; i < n; i++)
        overdue += h[i].overdue;
    lf_status st = lf_buf_addf(b, "<p class=\"counts\"><strong id=\"queue-pending\">%zu%s</strong>"
                                  " pending · <strong class=\"overdue-count\" id=\"queue-overdue\">"
                                  "%zu%s</strong> overdue</p>\n",
                               n, more ? "+" : "", overdue, more && overdue == n ? "+" : "");
    if (st != LF_OK || n == 0)
        return st == LF_OK ? lf_buf_adds(b, "<p class=\"empty\">No handoff is waiting for "
                                            "sales.</p>\n")
                           : st;
    st = lf_buf_adds(b, "<div class=\"table-wrap\" tabindex=\"0\" role=\"region\" "
                        "aria-labelledby=\"queue-h\">\n<table>\n<thead><tr>"
                        "<th scope=\"col\">lead</th><th scope=\"col\">status</th>"
                        "<th scope=\"col\" class=\"n\">time left (SLA clock)</th>"
                        "<th scope=\"col\">deadline</th><th scope=\"col\">MQL at</th>"
                        "</tr></thead>\n<tbody>\n");
    for (size_t i = 0; st == LF_OK && i < n; i++)
        st = add_queue_row(b, tz, &h[i]);
    if (st == LF_OK)
        st = lf_buf_adds(b, "</tbody>\n</table>\n</div>\n");
    if (st == LF_OK && more)
        st = lf_buf_addf(b, "<p class=\"footnote\">The %d oldest deadlines are shown; "
                            "GET /v1/handoffs lists them all.</p>\n", DASH_QUEUE_MAX);
    return st;
}

/* The sales queue at now: pending handoffs, oldest deadline (so overdue) first. */
static lf_status add_queue(lf_buf *b, lf_workspace *ws, lf_time now, lf_error *err)
{
    lf_app_handoff *h = NULL;
    size_t n = 0;
    char next[64] = "";
    lf_status st = lf_app_handoffs(ws, "pending", false, DASH_QUEUE_MAX, NULL, now, &h, &n,
                                   next, err);
    if (st != LF_OK)
        return st;
    st = lf_buf_adds(b, "<section class=\"report queue\" id=\"queue\" aria-labelledby=\"queue-h\">\n"
                        "<h2 id=\"queue-h\">Sales queue</h2>\n<p class=\"lede\">Handoffs waiting "
                        "for a decision at as-of, overdue first, with the time left on the SLA "
                        "clock (business hours).</p>\n");
    if (st == LF_OK)
        st = add_queue_table(b, ws->cfg.tz, h, n, next[0] != '\0');
    if (st == LF_OK)
        st = lf_buf_adds(b, "</section>\n");
    lf_app_handoffs_free(h, n);
    if (st != LF_OK)
        lf_errorf(err, st, "out of memory");
    return st;
}

/* ---- splicing the report page --------------------------------------------------- */

/* The first occurrence of m[0..ml) in s[0..n), or NULL (memmem is a GNU extension). */
static const char *find(const char *s, size_t n, const char *m, size_t ml)
{
    for (size_t i = 0; ml <= n && i <= n - ml; i++)
        if (s[i] == m[0] && memcmp(s + i, m, ml) == 0)
            return s + i;
    return NULL;
}

enum { AT_REPLACE_TAG, AT_BEFORE, AT_AFTER };
typedef struct splice {
    const char *marker;
    int how;
    const char *text;
    size_t len;
} splice;

/* Copies page into out with each splice applied at the first occurrence of its marker
 * after the previous one; *missing names a marker not found. */
static lf_status apply_splices(lf_buf *out, const char *page, size_t n, const splice *sp,
                               size_t nsp, const char **missing)
{
    size_t pos = 0;
    lf_status st = LF_OK;
    for (size_t i = 0; i < nsp && st == LF_OK; i++) {
        size_t ml = strlen(sp[i].marker);
        const char *at = find(page + pos, n - pos, sp[i].marker, ml);
        const char *end = at && sp[i].how == AT_REPLACE_TAG ? memchr(at, '>', n - (size_t)(at - page))
                                                            : at;
        if (!at || !end) {
            *missing = sp[i].marker;
            return LF_EINPUT;
        }
        size_t cut = (size_t)(at - page) + (sp[i].how == AT_AFTER ? ml : 0);
        st = lf_buf_add(out, page + pos, cut - pos);
        if (st == LF_OK)
            st = lf_buf_add(out, sp[i].text, sp[i].len);
        pos = sp[i].how == AT_REPLACE_TAG ? (size_t)(end - page) + 1 : cut;
    }
    return st == LF_OK ? lf_buf_add(out, page + pos, n - pos) : st;
}

static lf_status head_extra(lf_buf *b)
{
    lf_status st = lf_buf_adds(b, "<style>\n");
    if (st == LF_OK)
        st = lf_buf_add(b, lf_asset_dashboard_dashboard_css, lf_asset_dashboard_dashboard_css_len);
    return st == LF_OK ? lf_buf_adds(b, "</style>\n<script src=\"/dashboard.js\" defer></script>\n")
                       : st;
}

static int splice_page(sv_response *res, const lf_buf *page, const lf_buf *pickers,
                       const lf_buf *queue)
{
    lf_buf head;
    lf_buf_init(&head, 0);
    if (head_extra(&head) != LF_OK) {
        lf_buf_release(&head);
        return sv_error(res, 500, "internal", "out of memory");
    }
    static const char meta[] = "<meta http-equiv=\"Content-Security-Policy\" content=\"" DASH_CSP "\">";
    const splice sp[] = {
        {"<meta http-equiv=\"Content-Security-Policy\"", AT_REPLACE_TAG, meta, sizeof meta - 1},
        {"</head>", AT_BEFORE, head.data, head.len},
        {"</header>", AT_BEFORE, pickers->data, pickers->len},
        {"<main>\n", AT_AFTER, queue->data, queue->len},
    };
    const char *missing = NULL;
    lf_status st = apply_splices(&res->body, page->data, page->len, sp, sizeof sp / sizeof sp[0],
                                 &missing);
    lf_buf_release(&head);
    if (st != LF_OK) {
        lf_buf_reset(&res->body);
        return missing ? sv_error(res, 500, "internal", "the report page has no %s", missing)
                       : sv_error(res, 500, "internal", "out of memory");
    }
    res->status = 200;
    res->content_type = DASH_HTML;
    page_headers(res);
    return 200;
}

/* ---- a page of our own (login, a refused query) --------------------------------- */

static lf_status shell_open(lf_buf *b, const char *title, bool script)
{
    lf_status st = lf_buf_addf(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                                  "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                                  "<meta http-equiv=\"Content-Security-Policy\" content=\"%s\">\n"
                                  "<title>%s</title>\n<style>\n", DASH_CSP, title);
    if (st == LF_OK)
        st = lf_buf_add(b, lf_asset_report_report_css, lf_asset_report_report_css_len);
    if (st == LF_OK)
        st = lf_buf_add(b, lf_asset_dashboard_dashboard_css, lf_asset_dashboard_dashboard_css_len);
    if (st == LF_OK)
        st = lf_buf_adds(b, "</style>\n");
    if (st == LF_OK && script)
        st = lf_buf_adds(b, "<script src=\"/dashboard.js\" defer></script>\n");
    return st == LF_OK ? lf_buf_adds(b, "</head>\n<body>\n") : st;
}

static int html_page(sv_response *res, int status, lf_status st)
{
    if (st == LF_OK)
        st = lf_buf_adds(&res->body, "</body>\n</html>\n");
    if (st != LF_OK) {
        lf_buf_reset(&res->body);
        return sv_error(res, 500, "internal", "out of memory");
    }
    res->status = status;
    res->content_type = DASH_HTML;
    page_headers(res);
    return status;
}

/* 400 for a query the report refuses: the pickers again and the message. */
static int bad_query_page(sv_response *res, const dash_query *q, const char *msg)
{
    lf_buf *b = &res->body;
    lf_buf_reset(b);
    lf_status st = shell_open(b, "leadflow dashboard", true);
    if (st == LF_OK)
        st = lf_buf_adds(b, "<header class=\"page-head\">\n<h1>Marketing funnel report</h1>\n"
                            "<p class=\"meta\">The range was not shown.</p>\n");
    if (st == LF_OK)
        st = add_pickers(b, q);
    if (st == LF_OK)
        st = lf_buf_adds(b, "</header>\n<main>\n<p class=\"dash-error\" role=\"alert\">");
    if (st == LF_OK)
        st = esc(b, msg);
    if (st == LF_OK)
        st = lf_buf_adds(b, "</p>\n</main>\n");
    return html_page(res, 400, st);
}

static int login_page(sv_response *res, int status, const char *msg)
{
    lf_buf *b = &res->body;
    lf_buf_reset(b);
    lf_status st = shell_open(b, "Sign in · leadflow", false);
    if (st == LF_OK)
        st = lf_buf_adds(b, "<main class=\"login\">\n<h1>leadflow</h1>\n<p class=\"meta\">Sign in "
                            "with an API token (read or write) to see the dashboard.</p>\n");
    if (st == LF_OK && msg) {
        st = lf_buf_adds(b, "<p class=\"dash-error\" role=\"alert\">");
        if (st == LF_OK)
            st = esc(b, msg);
        if (st == LF_OK)
            st = lf_buf_adds(b, "</p>\n");
    }
    if (st == LF_OK)
        st = lf_buf_adds(b, "<form method=\"post\" action=\"/login\">\n<label for=\"token\">Token"
                            "<input id=\"token\" type=\"password\" name=\"token\" required "
                            "autocomplete=\"current-password\" autofocus></label>\n"
                            "<button type=\"submit\">Sign in</button>\n</form>\n</main>\n");
    return html_page(res, status, st);
}

/* ---- GET / ---------------------------------------------------------------------- */

static int need_login(const sv_request *req, sv_response *res)
{
    if (wants_json(req) || sv_header(req, "Authorization")) {
        (void)add_header(res, "WWW-Authenticate: Bearer\r\n");
        return sv_error(res, 401, "unauthorized", "a read token is required");
    }
    (void)add_header(res, "Location: /login\r\nCache-Control: no-store\r\n");
    res->status = 303;
    res->content_type = DASH_HTML;
    if (lf_buf_adds(&res->body, "<!DOCTYPE html>\n<title>Sign in</title>\n"
                                "<p>Sign in at <a href=\"/login\">/login</a>.</p>\n") != LF_OK)
        lf_buf_reset(&res->body);
    return 303;
}

static int failed(sv_response *res, const lf_error *err)
{
    int status = err->code == LF_ECONFIG ? 500 : 503;
    return sv_error(res, status, "internal", "%s", err->code == LF_ECONFIG
                                                       ? "the workspace configuration is invalid"
                                                       : "the store could not be read");
}

/* An as_of equal (as an instant) to the as_of_now the pickers showed is the default
 * left unchanged: the page stays live (as-of now) after the range or bucket changed. */
static void live_as_of(const lf_tz *tz, dash_query *q)
{
    lf_time a, b;
    lf_error err;
    if (q->pas_of && q->pas_of_now && lf_app_as_of(tz, q->pas_of, &a, &err) == LF_OK &&
        lf_app_as_of(tz, q->pas_of_now, &b, &err) == LF_OK && a == b)
        q->pas_of = NULL;
}

/* The range the report used (out) into q's eff_ fields: the pickers show it, and the
 * queue is at the same instant. */
static void effective_range(const lf_tz *tz, const lf_app_report_out *out, dash_query *q)
{
    lf_date_format(out->from_day, q->eff_from, sizeof q->eff_from);
    lf_date_format(out->to_day, q->eff_to, sizeof q->eff_to);
    lf_civil c;
    lf_time_to_local(tz, out->as_of, &c);
    snprintf(q->eff_as_of, sizeof q->eff_as_of, "%04d-%02d-%02dT%02d:%02d:%02d", c.year,
             c.month, c.day, c.hour, c.min, c.sec);
}

/* The report page of q and the queue, or a failure response. */
static int dashboard(sv_request *req, sv_response *res, dash_query *q)
{
    lf_error err;
    lf_error_clear(&err);
    lf_workspace *ws = sv_thread_workspace(req->srv, &err);
    if (!ws)
        return failed(res, &err);
    live_as_of(ws->cfg.tz, q);
    lf_app_report_req rr = {.name = "all", .format = "html", .from = q->pfrom, .to = q->pto,
                            .by = q->pby, .as_of = q->pas_of, .cache = req->srv->reports};
    lf_app_report_out out;
    lf_app_report_out_init(&out);
    lf_buf pickers, queue;
    lf_buf_init(&pickers, 0);
    lf_buf_init(&queue, 0);
    lf_status st = lf_app_report(ws, &rr, &out, &err);
    int status;
    if (st == LF_EUSAGE && out.bad_request) {
        status = bad_query_page(res, q, err.msg);
        goto done;
    }
    if (st == LF_OK) {
        effective_range(ws->cfg.tz, &out, q);
        st = add_queue(&queue, ws, out.as_of, &err);
    }
    if (st == LF_OK && add_pickers(&pickers, q) != LF_OK)
        st = lf_errorf(&err, LF_ENOMEM, "out of memory");
    status = st == LF_OK ? splice_page(res, &out.bytes, &pickers, &queue) : failed(res, &err);
done:
    lf_buf_release(&pickers);
    lf_buf_release(&queue);
    lf_app_report_out_release(&out);
    return status;
}

int sv_get_dashboard(sv_request *req, sv_response *res)
{
    if (req->scope < SV_SCOPE_READ)
        return need_login(req, res);
    dash_query q;
    read_query(req, &q);
    return dashboard(req, res, &q);
}

int sv_get_dashboard_js(sv_request *req, sv_response *res)
{
    (void)req;
    if (lf_buf_add(&res->body, lf_asset_dashboard_dashboard_js, lf_asset_dashboard_dashboard_js_len) !=
        LF_OK)
        return sv_error(res, 500, "internal", "out of memory");
    res->status = 200;
    res->content_type = "text/javascript; charset=utf-8";
    (void)add_header(res, "Cache-Control: no-cache\r\nX-Content-Type-Options: nosniff\r\n");
    return 200;
}

/* ---- /login --------------------------------------------------------------------- */

int sv_get_login(sv_request *req, sv_response *res)
{
    (void)req;
    return login_page(res, 200, NULL);
}

static int hexval(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
                                          : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* The URL-decoded value of field name in a x-www-form-urlencoded body, into out; false
 * when absent, malformed, longer than size - 1 or holding a NUL. */
static bool form_field(const char *body, size_t n, const char *name, char *out, size_t size)
{
    size_t nl = strlen(name), i = 0;
    while (i < n) {
        size_t end = i;
        while (end < n && body[end] != '&')
            end++;
        if (end - i > nl && memcmp(body + i, name, nl) == 0 && body[i + nl] == '=') {
            size_t o = 0;
            for (size_t k = i + nl + 1; k < end; k++) {
                int c = (unsigned char)body[k];
                if (c == '+')
                    c = ' ';
                else if (c == '%') {
                    int hi = k + 2 < end ? hexval(body[k + 1]) : -1;
                    int lo = hi >= 0 ? hexval(body[k + 2]) : -1;
                    if (lo < 0)
                        return false;
                    c = hi * 16 + lo;
                    k += 2;
                }
                if (c == 0 || o + 1 >= size)
                    return false;
                out[o++] = (char)c;
            }
            out[o] = '\0';
            return true;
        }
        i = end + 1;
    }
    return false;
}

/* A cross-site form post is refused. Browsers send Sec-Fetch-Site, which decides;
 * else an Origin, when sent, must name this host (curl and scripts send neither). */
static bool same_origin(const sv_request *req)
{
    const char *site = sv_header(req, "Sec-Fetch-Site");
    if (site)
        return strcmp(site, "same-origin") == 0 || strcmp(site, "none") == 0;
    const char *origin = sv_header(req, "Origin");
    if (!origin)
        return true;
    const char *host = sv_header(req, "Host");
    const char *o = strstr(origin, "://");
    return host && o && strcmp(o + 3, host) == 0;
}

int sv_post_login(sv_request *req, sv_response *res)
{
    const char *ct = req->content_type ? req->content_type : "";
    if (!sv_media_is(ct, "application/x-www-form-urlencoded"))
        return sv_error(res, 415, "unsupported_media_type",
                        "POST /login takes application/x-www-form-urlencoded");
    if (req->body_len > LOGIN_BODY_MAX)
        return sv_error(res, 413, "too_large", "the login form is at most %d bytes",
                        LOGIN_BODY_MAX);
    if (!same_origin(req))
        return sv_error(res, 403, "forbidden", "the login form must come from this origin");
    char token[TOKEN_MAX + 1];
    sv_scope scope = SV_SCOPE_NONE;
    if (form_field(req->body, req->body_len, "token", token, sizeof token))
        scope = sv_token_scope(req->srv, token);
    memset(token, 0, sizeof token);
    if (scope < SV_SCOPE_READ)
        return login_page(res, 401, "That token is not valid here.");
    char id[65];
    if (!sv_session_new(req->srv, SV_SCOPE_READ, id))
        return sv_error(res, 503, "unavailable", "too many sessions; try again later");
    (void)add_header(res, "Set-Cookie: leadflow_session=%s; HttpOnly; SameSite=Strict; Path=/\r\n"
                          "Location: /\r\nCache-Control: no-store\r\n", id);
    res->status = 303;
    res->content_type = DASH_HTML;
    if (lf_buf_adds(&res->body, "<!DOCTYPE html>\n<title>Signed in</title>\n"
                                "<p>Signed in: <a href=\"/\">the dashboard</a>.</p>\n") != LF_OK)
        lf_buf_reset(&res->body);
    return 303;
}

/* ---- /logout -------------------------------------------------------------------- */

/* Ends the session of the request's cookie (if any) and clears the cookie; 303 to
 * /login. A cross-site post is refused like a login (a page elsewhere cannot sign
 * the user out). */
int sv_post_logout(sv_request *req, sv_response *res)
{
    if (!same_origin(req))
        return sv_error(res, 403, "forbidden", "the sign-out form must come from this origin");
    char id[80]; /* a longer value is no session: sv_session_end ignores it */
    if (sv_cookie_value(sv_header(req, "Cookie"), "leadflow_session", id, sizeof id))
        sv_session_end(req->srv, id);
    (void)add_header(res, "Set-Cookie: leadflow_session=; Max-Age=0; HttpOnly; SameSite=Strict; "
                          "Path=/\r\nLocation: /login\r\nCache-Control: no-store\r\n");
    res->status = 303;
    res->content_type = DASH_HTML;
    if (lf_buf_adds(&res->body, "<!DOCTYPE html>\n<title>Signed out</title>\n"
                                "<p>Signed out: <a href=\"/login\">sign in</a>.</p>\n") != LF_OK)
        lf_buf_reset(&res->body);
    return 303;
}
