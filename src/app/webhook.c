/*
 * webhook.c — a signed webhook request (webhook.h): OpenSSL's HMAC for the signature,
 * libcurl for the request. No crypto of our own.
 *
 * The request: POST, Content-Type application/json, Leadflow-Delivery and
 * Leadflow-Signature, User-Agent leadflow/VERSION; only http and https, no redirect
 * followed (a 3xx is a failed attempt: a receiver that moved must be configured
 * again, the signed body is not sent to wherever a redirect points), no signals (the
 * server runs this on a thread of its own).
 */
#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "leadflow/buf.h"
#include "webhook.h"

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static bool curl_ok;

static void curl_start(void)
{
    curl_ok = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
}

bool lf_curl_init(void)
{
    pthread_once(&curl_once, curl_start);
    return curl_ok;
}

lf_status lf_webhook_sign(const char *secret, size_t secret_len, int64_t unix_time,
                          const char *body, size_t body_len, char hex[65])
{
    lf_buf msg;
    lf_buf_init(&msg, 0);
    lf_status st = lf_buf_addf(&msg, "%lld.", (long long)unix_time);
    if (st == LF_OK)
        st = lf_buf_add(&msg, body, body_len);
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    if (st == LF_OK &&
        !HMAC(EVP_sha256(), secret, (int)secret_len, (const unsigned char *)msg.data, msg.len, md,
              &mdlen))
        st = LF_ENOMEM;
    lf_buf_release(&msg);
    hex[0] = '\0';
    if (st != LF_OK || mdlen != 32)
        return st != LF_OK ? st : LF_ENOMEM;
    for (unsigned i = 0; i < mdlen; i++)
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
    return LF_OK;
}

/* The answer's body is not needed: read and dropped. */
static size_t drop(char *p, size_t size, size_t n, void *ctx)
{
    (void)p;
    (void)ctx;
    return size * n;
}

static struct curl_slist *headers(const char *id, int64_t unix_time, const char *sig)
{
    char line[256];
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    snprintf(line, sizeof line, "Leadflow-Delivery: %s", id);
    struct curl_slist *n = h ? curl_slist_append(h, line) : NULL;
    snprintf(line, sizeof line, "Leadflow-Signature: t=%lld,v1=%s", (long long)unix_time, sig);
    n = n ? curl_slist_append(n, line) : NULL;
    n = n ? curl_slist_append(n, "Expect:") : NULL; /* no 100-continue round trip */
    if (!n)
        curl_slist_free_all(h);
    return n;
}

static void describe(CURLcode rc, long status, long total_ms, lf_webhook_result *res)
{
    res->status = status;
    res->ok = rc == CURLE_OK && status >= 200 && status < 300;
    if (res->ok)
        res->error[0] = '\0';
    else if (rc == CURLE_OPERATION_TIMEDOUT)
        snprintf(res->error, sizeof res->error, "timeout after %ld ms", total_ms);
    else if (rc != CURLE_OK)
        snprintf(res->error, sizeof res->error, "%s", curl_easy_strerror(rc));
    else
        snprintf(res->error, sizeof res->error, "HTTP %ld", status);
}

lf_status lf_webhook_post(const char *url, const char *id, const char *secret,
                          int64_t unix_time, const char *body, size_t body_len, long connect_ms,
                          long total_ms, lf_webhook_result *res)
{
    char sig[65];
    memset(res, 0, sizeof *res);
    lf_status st = lf_webhook_sign(secret, strlen(secret), unix_time, body, body_len, sig);
    if (st != LF_OK)
        return st;
    CURL *c = lf_curl_init() ? curl_easy_init() : NULL;
    struct curl_slist *h = c ? headers(id, unix_time, sig) : NULL;
    memset(sig, 0, sizeof sig);
    if (!h) {
        if (c)
            curl_easy_cleanup(c);
        return LF_ENOMEM;
    }
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "leadflow/" LF_VERSION);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, connect_ms);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, total_ms);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, drop);
    CURLcode rc = curl_easy_perform(c);
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    describe(rc, status, total_ms, res);
    curl_slist_free_all(h); /* the signature header goes with it */
    curl_easy_cleanup(c);
    return LF_OK;
}
