/*
 * app_digest.h — the report by email (application layer; src/app/app_digest.c):
 * `leadflow digest`, for cron to run weekly or monthly.
 *
 * The message is multipart/alternative: a text/plain part with the terminal headline
 * (the key figures `leadflow demo` prints) and a text/html part with the HTML report
 * (the bytes of `leadflow report NAME --format html`), each UTF-8 in base64 with
 * 76-character lines, so a large report passes any mail server's line limit. It is
 * sent from mail.from to one address through mail.smtp_url with libcurl: smtps:// is
 * TLS from the start, smtp:// upgrades with STARTTLS when the server offers it
 * (CURLUSESSL_TRY); LEADFLOW_SMTP_USER and LEADFLOW_SMTP_PASSWORD log in when set.
 */
#ifndef LEADFLOW_APP_DIGEST_H
#define LEADFLOW_APP_DIGEST_H

#include <stdbool.h>

#include "leadflow/app.h"
#include "leadflow/buf.h"
#include "leadflow/error.h"

typedef struct lf_app_digest_req {
    const char *to;          /* the recipient's address (required) */
    const char *report;      /* a report name or "all" (NULL = all) */
    const char *from, *until; /* the range's local dates, as --from / --to (NULL = the
                                default: 12 months to the month of now) */
    const char *by;          /* day ... year (NULL = month) */
} lf_app_digest_req;

/* The whole message (headers and body, CRLF line ends) into out. LF_EUSAGE for a bad
 * address, report, range or --by; LF_ECONFIG when mail.from is not set. */
lf_status lf_app_digest_message(lf_workspace *ws, const lf_app_digest_req *req, lf_buf *out,
                                lf_error *err);
/* Builds the message and sends it through mail.smtp_url (LF_ECONFIG when unset); a
 * refused or failed delivery is LF_ESTORE ("cannot send the digest: ..."). */
lf_status lf_app_digest_send(lf_workspace *ws, const lf_app_digest_req *req, lf_error *err);
/* Whether the digest to smtp_url must use TLS (STARTTLS required on smtp://): with
 * credentials, unless the mail server is this machine (localhost, 127.0.0.0/8, ::1);
 * without, TLS is used when the server offers it. */
bool lf_app_smtp_requires_tls(const char *smtp_url, bool credentials);

#endif
