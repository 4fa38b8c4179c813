/*
 * ingest.h — the group-commit writer's queue as api.c uses it (private to src/server;
 * the writer itself is ingest.c, started and stopped through server.h).
 */
#ifndef LEADFLOW_SERVER_INGEST_H
#define LEADFLOW_SERVER_INGEST_H

#include "leadflow/app_ingest.h"
#include "server.h"

/* Why a submitted request has no result. */
typedef enum sv_submit {
    SV_SUBMIT_DONE = 0,  /* written (in->status says whether committed) */
    SV_SUBMIT_FULL,      /* the queue is full (503, retry later) */
    SV_SUBMIT_STOPPED,   /* the server is stopping, or the writer is not running (503) */
    SV_SUBMIT_TIMEOUT    /* not written in time: it may still be committed (503) */
} sv_submit;

/* Queues a parsed request for the writer and waits (bounded) until its group is
 * written; *in then holds the results. On SV_SUBMIT_TIMEOUT *in is handed to the
 * writer, which releases it: the caller must not touch it again (it gets a fresh
 * zeroed one back). */
sv_submit sv_ingest_submit(sv_server *srv, lf_app_ingest *in);

#endif
