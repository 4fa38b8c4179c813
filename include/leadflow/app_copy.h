/*
 * app_copy.h — moving a workspace's store to another backend (`leadflow copy`): from
 * SQLite to PostgreSQL when a team outgrows one machine, or back.
 *
 * Everything that is not derived is copied through the store interface, streaming in
 * bounded transactions: the leads (as stored, classification included) in rowid
 * order, the event log in import order with its identities, input names and lines,
 * spend and traffic, rejected rows and the outbox of alerts as it is (sent, pending,
 * failed). The derived state is then replayed on the destination under the
 * workspace's leadflow.yaml, without adding alerts (those of the source were copied),
 * so reports from the copy equal reports from the source under that configuration.
 */
#ifndef LEADFLOW_APP_COPY_H
#define LEADFLOW_APP_COPY_H

#include <stdint.h>

#include "leadflow/app.h"
#include "leadflow/error.h"

typedef struct lf_app_copy {
    int64_t leads, events, series, rejects, deliveries; /* rows copied */
    int64_t replayed;                                   /* leads replayed on the copy */
} lf_app_copy;

/* Copies the store at `from` into the store at `to` (created if it does not exist; it
 * must hold no lead), then replays it under ws's configuration (loaded if needed).
 * LF_ESTORE when `to` is not empty or names `from`. An interrupted copy leaves a
 * partial destination: drop it (or remove the file) and copy again. */
lf_status lf_app_copy_run(lf_workspace *ws, const char *from, const char *to, lf_app_copy *c,
                          lf_error *err);

#endif
