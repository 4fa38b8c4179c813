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

/* One request's write, from the access handler that parsed it to the call after its
 * connection is resumed (http.c suspends it: a waiting request holds no worker thread,
 * so a group holds every request that arrived during the previous sync).
 *
 * sv_ingest_job takes *in (zeroed here) for a request whose connection conn is
 * resumed (sv_resume) exactly once after sv_ingest_queue: when its group is written,
 * at once when it is refused (queue full, stopping), or after the bounded wait (or
 * sv_ingest_wake_all). NULL when out of memory (*in is left to the caller). */
typedef struct sv_job sv_job;
sv_job *sv_ingest_job(lf_app_ingest *in, void *conn);
/* Queues job; call it only once conn is suspended (the resume may come at once). */
void sv_ingest_queue(sv_server *srv, sv_job *job);
/* After the resume: the outcome; with SV_SUBMIT_DONE *in holds the results (release
 * it), otherwise *in is zeroed. job is released (or, still being written, left to the
 * writer, which releases it): the caller must not touch it again. */
sv_submit sv_ingest_collect(sv_job *job, lf_app_ingest *in);
/* The connection closed before sv_ingest_collect: releases job (or leaves it to the
 * writer); conn is never resumed after this returns. */
void sv_ingest_cancel(sv_job *job);

#endif
