/*
 * webhook.h — one signed webhook request (private to src/app; webhook.c): the
 * HMAC-SHA256 signature of a delivery and its POST through libcurl.
 */
#ifndef LEADFLOW_APP_WEBHOOK_H
#define LEADFLOW_APP_WEBHOOK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "leadflow/error.h"

/* Leadflow-Signature's HEX: the HMAC-SHA256 of "UNIX.BODY" under secret, as 64 lower
 * case hex digits and a NUL. LF_ENOMEM when out of memory. */
lf_status lf_webhook_sign(const char *secret, size_t secret_len, int64_t unix_time,
                          const char *body, size_t body_len, char hex[65]);

typedef struct lf_webhook_result {
    bool ok;            /* a 2xx answer */
    long status;        /* the HTTP status, 0 when none came */
    char error[200];    /* why not ok ("HTTP 500", "timeout after 10 s", ...) */
} lf_webhook_result;

/* POSTs body (application/json) to url with the headers Leadflow-Delivery: id and
 * Leadflow-Signature: t=UNIX,v1=HEX, connecting within connect_ms and finishing within
 * total_ms, following no redirect. The answer's body is read and dropped. Returns
 * LF_OK with *res filled whatever the answer (a failed request is a result, not an
 * error); LF_ENOMEM otherwise. The secret appears in nothing written. */
lf_status lf_webhook_post(const char *url, const char *id, const char *secret,
                          int64_t unix_time, const char *body, size_t body_len, long connect_ms,
                          long total_ms, lf_webhook_result *res);

/* curl_global_init once per process (thread-safe). false when it failed. */
bool lf_curl_init(void);

#endif
