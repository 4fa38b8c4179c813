/*
 * app_export.h — handoffs back to the CRM (application layer; src/app/app_export.c):
 * `leadflow export handoffs`.
 *
 * One row per handoff (MQL) with the lead's email and id, mql_at, the SLA deadline,
 * the score at mql_at, the fit grade at mql_at, persona, channel and status, in one of
 * three column layouts: csv (leadflow's own names), hubspot (a HubSpot contacts
 * import keyed by Email, with Lifecycle Stage and Lead Status), salesforce (the Data
 * Import Wizard's Lead fields, matched by Email, with Lead Status). docs/alerts.md
 * lists the columns and the status mapping of each, and why.
 */
#ifndef LEADFLOW_APP_EXPORT_H
#define LEADFLOW_APP_EXPORT_H

#include <stdbool.h>

#include "leadflow/app.h"
#include "leadflow/buf.h"
#include "leadflow/error.h"

typedef struct lf_app_export_req {
    const char *format;   /* "csv", "hubspot" or "salesforce" (required) */
    const char *status;   /* "pending" (NULL: the default) or "all" */
    const char *since;    /* an instant in the workspace zone: handoffs opened at or
                             after it; NULL = all */
    const char *as_of;    /* the instant decisions count by; NULL = now */
} lf_app_export_req;

/* The handoffs as CSV into out (appended; LF line ends), oldest deadline first (the
 * sales queue's order). LF_EUSAGE for a bad format, status or --since; store and
 * configuration errors as the workspace reports them. */
lf_status lf_app_export_handoffs(lf_workspace *ws, const lf_app_export_req *req, lf_buf *out,
                                 lf_error *err);

#endif
