/*
 * api.c — the API's ingest and read handlers (SPEC §8 "Ingest" and "Read").
 *
 * A thin front end, like the CLI: each handler reads its request, calls one function
 * of the application layer and writes its result as JSON (or, for reports, the bytes
 * `leadflow report` prints). Ingest parses the body on the request's thread
 * (lf_app_ingest_parse) and hands it to the group-commit writer (ingest.c), answering
 * only once the items are committed durably (the connection is suspended meanwhile:
 * sv_defer in server.h). Reads use the calling thread's own
 * workspace (sv_thread_workspace: readers never wait for the writer).
 *
 * Instants are written in the workspace zone with their offset
 * ("2026-01-05T10:00:00+01:00"); a missing one is null.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest.h"
#include "leadflow/app_handoffs.h"
#include "leadflow/app_import.h"
#include "leadflow/app_range.h"
#include "leadflow/app_report.h"
#include "leadflow/lead_explain.h"
#include "leadflow/lifecycle.h"
#include "server.h"

/* Writes j (consumed) as the body with status; 500 when it cannot be encoded. */
static int send_json(sv_response *res, int status, json_t *j)
{
    char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    if (!s)
        return sv_error(res, 500, "internal", "out of memory");
    lf_buf_reset(&res->body);
    lf_status st = lf_buf_adds(&res->body, s);
    free(s);
    if (st == LF_OK)
        st = lf_buf_addc(&res->body, '\n');
    if (st != LF_OK)
        return sv_error(res, 500, "internal", "out of memory");
    res->status = status;
    res->content_type = NULL;
    return status;
}

static int store_error(sv_response *res, lf_status st)
{
    if (st == LF_ECONFIG)
        return sv_error(res, 500, "internal", "the workspace configuration is invalid");
    return sv_error(res, 500, "internal", "the store could not be read or written");
}

/* ---- ingest ------------------------------------------------------------------------ */

static json_t *ingest_body(const lf_app_ingest *in, const lf_tz *tz)
{
    json_t *rejects = json_array(), *opened = json_array();
    for (size_t i = 0; i < in->nrejects; i++)
        json_array_append_new(rejects, json_pack("{s:I,s:s}", "index",
                                                 (json_int_t)in->rejects[i].index, "reason",
                                                 in->rejects[i].reason));
    for (size_t i = 0; i < in->nhandoffs; i++) {
        const lf_app_ingest_handoff *h = &in->handoffs[i];
        json_array_append_new(opened, json_pack("{s:s,s:o,s:o}", "lead_id", h->lead_id,
                                                "mql_at", lf_json_local_time(tz, h->mql_at), "deadline",
                                                lf_json_local_time(tz, h->deadline)));
    }
    return json_pack("{s:I,s:I,s:I,s:I,s:I,s:o,s:o}", "read", (json_int_t)in->read,
                     "imported", (json_int_t)in->imported, "duplicates",
                     (json_int_t)in->duplicates, "rejected", (json_int_t)in->rejected,
                     "ignored", (json_int_t)in->ignored, "rejects", rejects,
                     "handoffs_opened", opened);
}

static int submit_error(sv_response *res, sv_submit s)
{
    switch (s) {
    case SV_SUBMIT_FULL:
        return sv_error(res, 503, "busy", "too many writes are waiting: retry later");
    case SV_SUBMIT_TIMEOUT:
        return sv_error(res, 503, "timeout",
                        "the write did not complete in time; it may still be committed: "
                        "retry (imports are idempotent)");
    default:
        return sv_error(res, 503, "unavailable", "the server is stopping");
    }
}

static void ingest_start(void *ctx, sv_server *srv)
{
    sv_ingest_queue(srv, ctx);
}

static void ingest_cancel(void *ctx)
{
    sv_ingest_cancel(ctx);
}

/* The connection was resumed: its group is written, or the request was refused or
 * waited too long. */
static int ingest_finish(void *ctx, sv_server *srv, sv_response *res)
{
    lf_app_ingest in;
    sv_submit s = sv_ingest_collect(ctx, &in);
    int code;
    if (s != SV_SUBMIT_DONE)
        code = submit_error(res, s);
    else if (in.status != LF_OK)
        code = in.status == LF_ESTORE && strstr(in.err.msg, "busy")
                   ? sv_error(res, 503, "busy", "the store is busy: retry later")
                   : store_error(res, in.status);
    else
        code = send_json(res, in.rejected ? 422 : 200, ingest_body(&in, srv->cfg->tz));
    lf_app_ingest_release(&in);
    return code;
}

/* Parses the body here, on the request's thread, and hands it to the writer: the
 * connection waits suspended (no thread held) until the group holding it is synced. */
int sv_post_ingest(sv_request *req, sv_response *res)
{
    const char *name = strrchr(req->path, '/');
    int kind;
    if (!name || !lf_app_import_kind(name + 1, &kind))
        return sv_error(res, 404, "not_found", "no such resource");
    const char *ct = req->content_type ? req->content_type : "";
    bool ndjson = sv_media_is(ct, "application/x-ndjson");
    if (!ndjson && *ct && !sv_media_is(ct, "application/json"))
        return sv_error(res, 415, "unsupported_media_type",
                        "send application/json or application/x-ndjson");
    lf_app_ingest in;
    lf_error err;
    lf_status st = lf_app_ingest_parse(&in, kind, req->body, req->body_len, ndjson, &err);
    if (st != LF_OK) {
        lf_app_ingest_release(&in);
        return st == LF_EINPUT ? sv_error(res, 400, "bad_request", "%s", err.msg)
                               : sv_error(res, 500, "internal", "out of memory");
    }
    sv_job *job = req->defer ? sv_ingest_job(&in, req->conn) : NULL;
    if (!job) {
        lf_app_ingest_release(&in);
        return submit_error(res, SV_SUBMIT_FULL);
    }
    *req->defer = (sv_defer){job, ingest_start, ingest_finish, ingest_cancel};
    return 0; /* answered by ingest_finish once the group is committed */
}

/* ---- a lead ------------------------------------------------------------------------ */

int sv_get_lead(sv_request *req, sv_response *res)
{
    lf_error err = {0};
    lf_workspace *ws = sv_thread_workspace(req->srv, &err);
    if (!ws)
        return store_error(res, err.code);
    char as_of_buf[64];
    const char *as_of_text = sv_query(req, "as_of", as_of_buf, sizeof as_of_buf);
    lf_time as_of;
    lf_status st = lf_app_as_of(ws->cfg.tz, as_of_text, &as_of, &err);
    if (st != LF_OK)
        return sv_error(res, 400, "bad_request", "%s", err.msg);
    lf_lead_explain x;
    st = lf_lead_explain_run(ws, req->param ? req->param : "", as_of, &x, &err);
    if (st == LF_EINPUT)
        return sv_error(res, 404, "not_found", "unknown lead");
    if (st != LF_OK)
        return store_error(res, st);
    int code = send_json(res, 200, lf_lead_explain_json(ws->cfg.tz, &x));
    lf_lead_explain_release(&x);
    return code;
}

/* ---- the handoff queue --------------------------------------------------------------- */

static json_t *handoff_json(const lf_tz *tz, const lf_app_handoff *h)
{
    json_t *left = h->deadline == LF_TIME_NONE ? json_null()
                                               : json_integer(h->left_usec / 1000000);
    return json_pack("{s:s,s:o,s:o,s:s,s:o,s:b,s:o}", "lead_id", h->lead_id, "mql_at",
                     lf_json_local_time(tz, h->mql_at), "deadline", lf_json_local_time(tz, h->deadline), "outcome",
                     lf_outcome_name(h->outcome), "decided_at",
                     lf_json_local_time(tz, h->decided_at), "overdue", h->overdue, "left_seconds", left);
}

/* limit=N: digits only, 1..1000 (0 when absent); -1 when bad. */
static long parse_limit(const char *s)
{
    if (!s)
        return 0;
    size_t n = strlen(s);
    if (n == 0 || n > 4 || strspn(s, "0123456789") != n)
        return -1;
    long v = strtol(s, NULL, 10);
    return v >= 1 && v <= 1000 ? v : -1;
}

int sv_get_handoffs(sv_request *req, sv_response *res)
{
    char sb[32], ob[16], lb[16], ab[96];
    const char *status = sv_query(req, "status", sb, sizeof sb);
    const char *overdue = sv_query(req, "overdue", ob, sizeof ob);
    long limit = parse_limit(sv_query(req, "limit", lb, sizeof lb));
    const char *after = sv_query(req, "after", ab, sizeof ab);
    if (limit < 0)
        return sv_error(res, 400, "bad_request", "limit must be a number from 1 to 1000");
    if (overdue && strcmp(overdue, "true") != 0 && strcmp(overdue, "false") != 0)
        return sv_error(res, 400, "bad_request", "overdue must be true or false");
    lf_error err = {0};
    lf_workspace *ws = sv_thread_workspace(req->srv, &err);
    if (!ws)
        return store_error(res, err.code);
    lf_time now;
    lf_status st = lf_app_as_of(ws->cfg.tz, NULL, &now, &err);
    lf_app_handoff *hs = NULL;
    size_t n = 0;
    char next[64];
    if (st == LF_OK)
        st = lf_app_handoffs(ws, status ? status : "pending", overdue && !strcmp(overdue, "true"),
                             (size_t)limit, after, now, &hs, &n, next, &err);
    if (st == LF_EUSAGE)
        return sv_error(res, 400, "bad_request", "%s", err.msg);
    if (st != LF_OK)
        return store_error(res, st);
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, handoff_json(ws->cfg.tz, &hs[i]));
    lf_app_handoffs_free(hs, n);
    return send_json(res, 200, json_pack("{s:o,s:o}", "handoffs", a, "next",
                                         next[0] ? json_string(next) : json_null()));
}

/* ---- reports ------------------------------------------------------------------------ */

static const char *report_type(const char *format)
{
    if (!strcmp(format, "json"))
        return "application/json";
    if (!strcmp(format, "csv"))
        return "text/csv; charset=utf-8";
    if (!strcmp(format, "html"))
        return "text/html; charset=utf-8";
    return "text/plain; charset=utf-8";
}

int sv_get_report(sv_request *req, sv_response *res)
{
    const char *name = req->param ? req->param : "";
    if (!lf_app_report_known(name))
        return sv_error(res, 404, "not_found", "unknown report");
    char fb[16], from[32], to[32], by[16], as_of[64], attr[128];
    lf_app_report_req rq = {.name = name, .format = sv_query(req, "format", fb, sizeof fb),
                            .from = sv_query(req, "from", from, sizeof from),
                            .to = sv_query(req, "to", to, sizeof to),
                            .by = sv_query(req, "by", by, sizeof by),
                            .as_of = sv_query(req, "as_of", as_of, sizeof as_of),
                            .attribute = sv_query(req, "attribute", attr, sizeof attr),
                            .cache = req->srv->reports};
    if (!rq.format)
        rq.format = "json";
    lf_error err = {0};
    lf_workspace *ws = sv_thread_workspace(req->srv, &err);
    if (!ws)
        return store_error(res, err.code);
    lf_app_report_out out;
    lf_app_report_out_init(&out);
    lf_status st = lf_app_report(ws, &rq, &out, &err);
    int code;
    if (st == LF_EUSAGE && out.bad_request)
        code = sv_error(res, 400, "bad_request", "%s", err.msg);
    else if (st != LF_OK)
        code = store_error(res, st);
    else if (lf_buf_add(&res->body, out.bytes.data ? out.bytes.data : "", out.bytes.len) != LF_OK)
        code = sv_error(res, 500, "internal", "out of memory");
    else {
        res->status = code = 200;
        res->content_type = report_type(rq.format);
    }
    lf_app_report_out_release(&out);
    return code;
}
