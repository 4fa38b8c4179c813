/*
 * metrics.c — GET /metrics in the Prometheus text format (SPEC §8): requests by route
 * pattern, method and status with a latency histogram, items ingested by kind, and the
 * handoffs open and overdue (ingest.c's sv_handoff_counts).
 *
 * Label values come from fixed sets only (route patterns of the table or
 * "unmatched", a known method or "other", a status number), so a client cannot grow
 * the series: SV_SERIES slots, filled as first seen; one mutex guards them. Ingested
 * counts are atomics.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server.h"

enum { SV_SERIES = 256, SV_BUCKETS = 12 };

/* Upper bounds of the latency buckets, in microseconds (+Inf is the count). */
static const int64_t bucket_usec[SV_BUCKETS] = {
    500, 1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000, 500000, 1000000, 5000000,
};
static const char *const bucket_text[SV_BUCKETS] = {
    "0.0005", "0.001", "0.0025", "0.005", "0.01", "0.025",
    "0.05",   "0.1",   "0.25",   "0.5",   "1",    "5",
};
static const char *const kinds[] = {"events", "leads", "costs", "traffic"};
#define NKINDS (sizeof kinds / sizeof kinds[0])

typedef struct sv_series {
    const char *route;  /* static: a pattern of the route table or "unmatched" */
    const char *method; /* static */
    int status;
    int64_t count, sum_usec;
    int64_t buckets[SV_BUCKETS]; /* non-cumulative */
} sv_series;

struct sv_metrics {
    pthread_mutex_t lock;
    sv_series series[SV_SERIES];
    size_t nseries;
    int64_t dropped; /* requests past SV_SERIES distinct series (not expected) */
    _Atomic int64_t ingested[NKINDS];
};

lf_status sv_metrics_init(sv_server *srv, lf_error *err)
{
    sv_metrics *m = calloc(1, sizeof *m);
    if (!m)
        return lf_errorf(err, LF_ENOMEM, "out of memory");
    pthread_mutex_init(&m->lock, NULL);
    srv->metrics = m;
    return LF_OK;
}

void sv_metrics_release(sv_server *srv)
{
    if (!srv->metrics)
        return;
    pthread_mutex_destroy(&srv->metrics->lock);
    free(srv->metrics);
    srv->metrics = NULL;
}

static const char *known_method(const char *m)
{
    static const char *const methods[] = {"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH",
                                          "OPTIONS"};
    for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++)
        if (strcmp(m, methods[i]) == 0)
            return methods[i];
    return "other";
}

void sv_metrics_request(sv_server *srv, const char *route, const char *method, int status,
                        int64_t usec)
{
    sv_metrics *m = srv->metrics;
    if (!m)
        return;
    method = known_method(method ? method : "");
    pthread_mutex_lock(&m->lock);
    sv_series *s = NULL;
    for (size_t i = 0; i < m->nseries && !s; i++)
        if (m->series[i].route == route && m->series[i].method == method &&
            m->series[i].status == status)
            s = &m->series[i];
    if (!s && m->nseries < SV_SERIES) {
        s = &m->series[m->nseries++];
        s->route = route;
        s->method = method;
        s->status = status;
    }
    if (s) {
        s->count++;
        s->sum_usec += usec;
        for (size_t b = 0; b < SV_BUCKETS; b++)
            if (usec <= bucket_usec[b]) {
                s->buckets[b]++;
                break;
            }
    } else {
        m->dropped++;
    }
    pthread_mutex_unlock(&m->lock);
}

void sv_metrics_ingested(sv_server *srv, const char *kind, int64_t n)
{
    if (!srv->metrics || !kind)
        return;
    for (size_t i = 0; i < NKINDS; i++)
        if (strcmp(kind, kinds[i]) == 0)
            atomic_fetch_add(&srv->metrics->ingested[i], n);
}

/* One series' histogram and counter lines. */
static lf_status put_series(lf_buf *b, const sv_series *s)
{
    char labels[256];
    snprintf(labels, sizeof labels, "route=\"%s\",method=\"%s\",status=\"%d\"", s->route,
             s->method, s->status);
    lf_status st = LF_OK;
    int64_t cum = 0;
    for (size_t i = 0; i < SV_BUCKETS && st == LF_OK; i++) {
        cum += s->buckets[i];
        st = lf_buf_addf(b, "leadflow_http_request_duration_seconds_bucket{%s,le=\"%s\"} %lld\n",
                         labels, bucket_text[i], (long long)cum);
    }
    if (st == LF_OK)
        st = lf_buf_addf(b,
                         "leadflow_http_request_duration_seconds_bucket{%s,le=\"+Inf\"} %lld\n"
                         "leadflow_http_request_duration_seconds_sum{%s} %.6f\n"
                         "leadflow_http_request_duration_seconds_count{%s} %lld\n",
                         labels, (long long)s->count, labels, (double)s->sum_usec / 1e6,
                         labels, (long long)s->count);
    return st;
}

static lf_status put_requests(lf_buf *b, sv_metrics *m)
{
    lf_status st = lf_buf_adds(
        b, "# HELP leadflow_http_requests_total HTTP requests by route pattern, method and "
           "status.\n# TYPE leadflow_http_requests_total counter\n");
    pthread_mutex_lock(&m->lock);
    size_t n = m->nseries;
    sv_series *copy = malloc(sizeof *copy * (n ? n : 1));
    if (copy)
        memcpy(copy, m->series, sizeof *copy * n);
    pthread_mutex_unlock(&m->lock);
    if (!copy)
        return LF_ENOMEM;
    for (size_t i = 0; i < n && st == LF_OK; i++)
        st = lf_buf_addf(b,
                         "leadflow_http_requests_total{route=\"%s\",method=\"%s\",status=\"%d\"}"
                         " %lld\n",
                         copy[i].route, copy[i].method, copy[i].status,
                         (long long)copy[i].count);
    if (st == LF_OK)
        st = lf_buf_adds(b, "# HELP leadflow_http_request_duration_seconds Time from a "
                            "request's first line to its response.\n"
                            "# TYPE leadflow_http_request_duration_seconds histogram\n");
    for (size_t i = 0; i < n && st == LF_OK; i++)
        st = put_series(b, &copy[i]);
    free(copy);
    return st;
}

static lf_status put_state(lf_buf *b, sv_server *srv)
{
    lf_status st = lf_buf_adds(b, "# HELP leadflow_ingested_total Items ingested over HTTP "
                                  "that changed the store, by kind.\n"
                                  "# TYPE leadflow_ingested_total counter\n");
    for (size_t i = 0; i < NKINDS && st == LF_OK; i++)
        st = lf_buf_addf(b, "leadflow_ingested_total{kind=\"%s\"} %lld\n", kinds[i],
                         (long long)atomic_load(&srv->metrics->ingested[i]));
    int64_t open = 0, overdue = 0;
    lf_error err;
    /* the gauges are left out when the store cannot be read (the scrape still works) */
    if (st == LF_OK && sv_handoff_counts(srv, &open, &overdue, &err) == LF_OK)
        st = lf_buf_addf(b,
                         "# HELP leadflow_handoffs_open Handoffs waiting for a sales decision.\n"
                         "# TYPE leadflow_handoffs_open gauge\nleadflow_handoffs_open %lld\n"
                         "# HELP leadflow_handoffs_overdue Open handoffs past their SLA "
                         "deadline.\n# TYPE leadflow_handoffs_overdue gauge\n"
                         "leadflow_handoffs_overdue %lld\n",
                         (long long)open, (long long)overdue);
    return st;
}

int sv_get_metrics(sv_request *req, sv_response *res)
{
    if (!req->srv->metrics)
        return sv_error(res, 500, "internal", "metrics are not available");
    lf_status st = put_requests(&res->body, req->srv->metrics);
    if (st == LF_OK)
        st = put_state(&res->body, req->srv);
    if (st != LF_OK)
        return sv_error(res, 500, "internal", "out of memory");
    res->content_type = "text/plain; version=0.0.4; charset=utf-8";
    res->status = 200;
    return 200;
}
