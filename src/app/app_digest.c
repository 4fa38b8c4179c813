/*
 * app_digest.c — the report by email (leadflow/app_digest.h).
 *
 * Place in the flow: one dataset and one as-of -> reports (`all` for the terminal
 * headline, as `leadflow demo` prints it, and the named one rendered as HTML, the bytes
 * `leadflow report NAME --format html` prints) -> a MIME
 * message -> libcurl's SMTP client. Base64 comes from OpenSSL (EVP_EncodeBlock) and
 * is cut into lines of 76 characters (RFC 2045). The Date and Message-ID headers use
 * the clock (lf_time_now) and random bytes; the boundary is random too, so it can
 * never occur in the base64 text (which has no '=' inside, no '_').
 */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "leadflow/app_dataset.h"
#include "leadflow/app_digest.h"
#include "leadflow/app_range.h"
#include "leadflow/app_report.h"
#include "leadflow/dataset.h"
#include "report_run.h"
#include "webhook.h"

#define LINE 76 /* base64 characters per line (RFC 2045) */

static lf_status oom(lf_error *err)
{
    return lf_errorf(err, LF_ENOMEM, "out of memory");
}

/* Appends data as base64 in lines of LINE characters, each ending in CRLF. */
static lf_status add_base64(lf_buf *out, const void *data, size_t n)
{
    const unsigned char *p = data;
    unsigned char line[LINE + 1];
    lf_status st = LF_OK;
    for (size_t i = 0; st == LF_OK && i < n; i += LINE / 4 * 3) {
        size_t k = n - i < LINE / 4 * 3 ? n - i : LINE / 4 * 3;
        int len = EVP_EncodeBlock(line, p + i, (int)k);
        st = lf_buf_add(out, line, (size_t)len);
        if (st == LF_OK)
            st = lf_buf_adds(out, "\r\n");
    }
    return st;
}

static void random_hex(char *buf, size_t bytes)
{
    unsigned char r[32];
    if (bytes > sizeof r)
        bytes = sizeof r;
    if (RAND_bytes(r, (int)bytes) != 1)
        memset(r, 0x5a, bytes); /* uniqueness only: the clock is in the id too */
    for (size_t i = 0; i < bytes; i++)
        snprintf(buf + 2 * i, 3, "%02x", r[i]);
}

/* "Fri, 04 Dec 2026 20:00:00 +0000" (RFC 5322), in UTC. */
static void rfc5322_date(lf_time t, char *buf, size_t n)
{
    static const char *const days[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
    static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    lf_civil c;
    lf_time_to_local(lf_tz_utc(), t, &c);
    snprintf(buf, n, "%s, %02d %s %04d %02d:%02d:%02d +0000", days[c.wday % 7], c.day,
             months[(c.month - 1) % 12], c.year, c.hour, c.min, c.sec);
}

/* The headers of the message and of its multipart body up to the first part. */
static lf_status add_headers(lf_buf *m, const lf_workspace *ws, const lf_app_digest_req *req,
                             const char *subject, const char *boundary)
{
    char date[48], id[40];
    lf_time now = lf_time_now();
    rfc5322_date(now, date, sizeof date);
    random_hex(id, 16);
    const char *at = strchr(ws->cfg.mail.from, '@');
    return lf_buf_addf(m,
                       "From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\n"
                       "Message-ID: <%lld.%s%s>\r\nMIME-Version: 1.0\r\n"
                       "Content-Type: multipart/alternative; boundary=\"%s\"\r\n"
                       "\r\nThis is a MIME message: the report is in its HTML part.\r\n",
                       ws->cfg.mail.from, req->to, subject, date, (long long)(now / 1000000), id,
                       at ? at : "@leadflow", boundary);
}

static lf_status add_part(lf_buf *m, const char *boundary, const char *type, const lf_buf *body)
{
    lf_status st = lf_buf_addf(m,
                               "\r\n--%s\r\nContent-Type: %s; charset=utf-8\r\n"
                               "Content-Transfer-Encoding: base64\r\n\r\n",
                               boundary, type);
    return st == LF_OK ? add_base64(m, body->data ? body->data : "", body->len) : st;
}

/* The two parts from one dataset and one as-of: the terminal headline of `all` (as
 * `leadflow demo`) into text, and report `name` as HTML (what `leadflow report NAME
 * --format html` prints for the same range) into page. */
static lf_status render_parts(lf_workspace *ws, const lf_report_args *a0, const char *name,
                              lf_buf *text, lf_buf *page, lf_error *err)
{
    lf_dataset ds;
    lf_status s = lf_app_load_dataset(ws, &ds, err);
    if (s != LF_OK)
        return s;
    lf_report_args a = *a0;
    a.ds = &ds;
    bool all = strcmp(name, "all") == 0;
    report_run every = {0}, one = {0};
    s = report_run_reports(&a, "all", &every, err);
    if (s == LF_OK && report_headline(&ws->cfg, &a, &every, text) != LF_OK)
        s = oom(err);
    if (s == LF_OK && !all)
        s = report_run_reports(&a, name, &one, err);
    if (s == LF_OK)
        s = report_render_run(&ws->cfg, &a, all ? &every : &one, all, "html", page, err);
    report_run_release(&every);
    report_run_release(&one);
    lf_dataset_release(&ds);
    return s;
}

/* The request checked: the address, the report, the range and --by, into *a. */
static lf_status check(lf_workspace *ws, const lf_app_digest_req *req, lf_report_args *a,
                       lf_error *err)
{
    if (!req->to || !lf_mail_address_ok(req->to))
        return lf_errorf(err, LF_EUSAGE, "--to needs an address such as ann@example.com, not "
                         "'%s'", req->to ? req->to : "");
    if (req->report && !lf_app_report_known(req->report))
        return lf_errorf(err, LF_EUSAGE, "unknown report '%s'", req->report);
    lf_status s = lf_workspace_open(ws, err);
    if (s != LF_OK)
        return s;
    if (!ws->cfg.mail.from)
        return lf_errorf(err, LF_ECONFIG, "mail.from is not set in leadflow.yaml (the digest's "
                         "sender)");
    lf_app_range rg;
    s = lf_app_range_parse(ws->cfg.tz, req->from, req->until, NULL, &rg, err);
    *a = (lf_report_args){.cfg = &ws->cfg, .by = LF_BY_MONTH, .as_of = rg.as_of,
                          .from_day = rg.from_day, .to_day = rg.to_day};
    if (s == LF_OK && req->by && !lf_by_parse(req->by, &a->by))
        return lf_errorf(err, LF_EUSAGE, "--by needs day, week, month, quarter or year, not "
                         "'%s'", req->by);
    return s;
}

lf_status lf_app_digest_message(lf_workspace *ws, const lf_app_digest_req *req, lf_buf *out,
                                lf_error *err)
{
    lf_report_args a;
    lf_status s = check(ws, req, &a, err);
    if (s != LF_OK)
        return s;
    const char *name = req->report ? req->report : "all";
    lf_buf text, page;
    lf_buf_init(&text, 0);
    lf_buf_init(&page, 0);
    s = render_parts(ws, &a, name, &text, &page, err);
    char boundary[48] = "=_leadflow_", from[16], to[16], subject[160];
    random_hex(boundary + strlen(boundary), 12);
    lf_date_format(a.from_day, from, sizeof from);
    lf_date_format(a.to_day - 1, to, sizeof to);
    snprintf(subject, sizeof subject, "leadflow %s report, %s to %s", name, from, to);
    if (s == LF_OK &&
        (add_headers(out, ws, req, subject, boundary) != LF_OK ||
         add_part(out, boundary, "text/plain", &text) != LF_OK ||
         add_part(out, boundary, "text/html", &page) != LF_OK ||
         lf_buf_addf(out, "\r\n--%s--\r\n", boundary) != LF_OK))
        s = oom(err);
    lf_buf_release(&text);
    lf_buf_release(&page);
    return s;
}

/* ---- SMTP ------------------------------------------------------------------------ */

typedef struct reader {
    const lf_buf *m;
    size_t pos;
} reader;

static size_t read_message(char *buf, size_t size, size_t n, void *ctx)
{
    reader *r = ctx;
    size_t left = r->m->len - r->pos, k = size * n < left ? size * n : left;
    memcpy(buf, r->m->data + r->pos, k);
    r->pos += k;
    return k;
}

/* Whether a URL's host names this machine: localhost, 127.0.0.0/8, ::1. */
static bool loopback_name(const char *host)
{
    struct in_addr v4;
    return strcasecmp(host, "localhost") == 0 || strcmp(host, "[::1]") == 0 ||
           strcmp(host, "::1") == 0 ||
           (inet_pton(AF_INET, host, &v4) == 1 && (ntohl(v4.s_addr) >> 24) == 127);
}

/* Whether url's host is this machine; false when the URL cannot be read. */
static bool loopback_host(const char *url)
{
    CURLU *u = curl_url();
    char *host = NULL;
    bool yes = u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
               curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK && host &&
               loopback_name(host);
    curl_free(host);
    curl_url_cleanup(u);
    return yes;
}

bool lf_app_smtp_requires_tls(const char *smtp_url, bool credentials)
{
    return credentials && !loopback_host(smtp_url);
}

static lf_status smtp_send(const lf_config *cfg, const char *to, const lf_buf *m, lf_error *err)
{
    char from[300], rcpt[300];
    snprintf(from, sizeof from, "<%s>", cfg->mail.from);
    snprintf(rcpt, sizeof rcpt, "<%s>", to);
    CURL *c = lf_curl_init() ? curl_easy_init() : NULL;
    struct curl_slist *rcpts = c ? curl_slist_append(NULL, rcpt) : NULL;
    if (!rcpts) {
        if (c)
            curl_easy_cleanup(c);
        return oom(err);
    }
    reader r = {m, 0};
    const char *user = getenv("LEADFLOW_SMTP_USER"), *pass = getenv("LEADFLOW_SMTP_PASSWORD");
    curl_easy_setopt(c, CURLOPT_URL, cfg->mail.smtp_url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    /* STARTTLS when offered; with credentials it is required, but on this machine: a
     * password never crosses a network in clear text */
    bool creds = user && *user;
    long tls = lf_app_smtp_requires_tls(cfg->mail.smtp_url, creds) ? CURLUSESSL_ALL
                                                                    : CURLUSESSL_TRY;
    curl_easy_setopt(c, CURLOPT_USE_SSL, tls);
    curl_easy_setopt(c, CURLOPT_MAIL_FROM, from);
    curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpts);
    curl_easy_setopt(c, CURLOPT_READFUNCTION, read_message);
    curl_easy_setopt(c, CURLOPT_READDATA, &r);
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 15L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 120L);
    if (creds) {
        curl_easy_setopt(c, CURLOPT_USERNAME, user);
        curl_easy_setopt(c, CURLOPT_PASSWORD, pass ? pass : "");
    }
    CURLcode rc = curl_easy_perform(c);
    curl_slist_free_all(rcpts);
    curl_easy_cleanup(c);
    if (rc != CURLE_OK) /* curl's message names no credential */
        return lf_errorf(err, LF_ESTORE, "cannot send the digest through the mail server: %s",
                         curl_easy_strerror(rc));
    return LF_OK;
}

lf_status lf_app_digest_send(lf_workspace *ws, const lf_app_digest_req *req, lf_error *err)
{
    lf_status s = lf_workspace_load_config(ws, err);
    if (s == LF_OK && !ws->cfg.mail.smtp_url)
        return lf_errorf(err, LF_ECONFIG, "mail.smtp_url is not set in leadflow.yaml (the mail "
                         "server of the digest)");
    lf_buf m;
    lf_buf_init(&m, 0);
    if (s == LF_OK)
        s = lf_app_digest_message(ws, req, &m, err);
    if (s == LF_OK)
        s = smtp_send(&ws->cfg, req->to, &m, err);
    lf_buf_release(&m);
    return s;
}
