/*
 * app_report.c — a report request from a front end, run into bytes and notes
 * (leadflow/app_report.h).
 *
 * Place in the flow: front end (text options) -> [request] -> dataset (cache policy,
 * app_dataset.c) -> reports and renderers (report_run.c) -> bytes + notes -> front
 * end. The checks come in the order the CLI has always made them, so its messages
 * and exit codes stay as they were: the request's own arguments first (nothing read
 * yet), then the configuration, then the range, which needs the workspace's zone.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "leadflow/app_dataset.h"
#include "leadflow/app_range.h"
#include "leadflow/app_report.h"
#include "report_run.h"

_Static_assert(LF_APP_NOTES_MAX == LF_NOTES_MAX && LF_APP_NOTE_LEN == LF_NOTE_LEN,
               "the notes of a run are copied whole");

void lf_app_report_out_init(lf_app_report_out *out)
{
    memset(out, 0, sizeof *out);
    lf_buf_init(&out->bytes, 0);
}

void lf_app_report_out_release(lf_app_report_out *out)
{
    lf_buf_release(&out->bytes);
    out->nnotes = 0;
    out->bad_request = false;
}

bool lf_app_report_known(const char *name)
{
    return name && (strcmp(name, "all") == 0 || lf_report_find(name) != NULL);
}

const char *lf_app_report_name(size_t i)
{
    size_t n;
    const lf_report_def *defs = lf_report_list(&n);
    return i < n ? defs[i].name : NULL;
}

const char *lf_app_report_name_more(size_t i)
{
    size_t n;
    const lf_report_def *defs = lf_report_list_more(&n);
    return i < n ? defs[i].name : NULL;
}

const lf_present *lf_app_report_present(const char *name)
{
    const lf_report_def *d = lf_report_find(name);
    return d ? d->present : NULL;
}

/* LF_EUSAGE for an argument of the request, marked so the front end shows usage. */
static lf_status __attribute__((format(printf, 3, 4)))
bad_request(lf_app_report_out *out, lf_error *err, const char *fmt, ...)
{
    char msg[sizeof err->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    out->bad_request = true;
    return lf_errorf(err, LF_EUSAGE, "%s", msg);
}

/* --as-of, --from and --to (leadflow/app_range.h), into a. */
static lf_status parse_range(const lf_config *cfg, const lf_app_report_req *req,
                             lf_report_args *a, lf_app_report_out *out, lf_error *err)
{
    lf_app_range r;
    lf_status s = lf_app_range_parse(cfg->tz, req->from, req->to, req->as_of, &r, err);
    if (s != LF_OK) {
        out->bad_request = s == LF_EUSAGE;
        return s;
    }
    a->from_day = r.from_day;
    a->to_day = r.to_day;
    a->as_of = r.as_of;
    return LF_OK;
}

/* Everything about the request that needs no data, into a (ds not set yet). */
static lf_status check_request(lf_workspace *ws, const lf_app_report_req *req, const char *format,
                               lf_report_args *a, lf_app_report_out *out, lf_error *err)
{
    if (!lf_app_report_known(req->name))
        return bad_request(out, err, "unknown report '%s'", req->name ? req->name : "");
    bool segment = strcmp(req->name, "segment") == 0;
    if (segment && (!req->attribute || !*req->attribute))
        return bad_request(out, err, "segment needs --attribute NAME (a lead attribute such "
                                     "as industry or country)");
    if (!segment && req->attribute)
        return bad_request(out, err, "--attribute applies to the segment report only");
    if (!report_format_known(format))
        return bad_request(out, err, "unknown format '%s' (table, csv, json, html)", format);
    a->by = LF_BY_MONTH;
    if (req->by && !lf_by_parse(req->by, &a->by))
        return bad_request(out, err, "--by needs day, week, month, quarter or year, not '%s'",
                           req->by);
    lf_status s = lf_workspace_load_config(ws, err);
    if (s != LF_OK)
        return s;
    a->cfg = &ws->cfg;
    return parse_range(&ws->cfg, req, a, out, err);
}

/* A --by that the one report run has no use for (its rows are not periods: the first
 * column names its dimension instead of `period`) is said, not ignored silently (issue
 * 12); the report is unchanged. bizday, whose rows are periods but always months, says
 * so in a note of its own table. */
static void by_note(const lf_app_report_req *req, const report_run *cur, lf_app_report_out *out)
{
    if (!req->by || cur->n != 1 || !cur->t[0] || cur->t[0]->ncols == 0)
        return;
    const char *dim = cur->t[0]->cols[0].name;
    if (strcmp(dim, "period") == 0 || strcmp(dim, req->by) == 0 ||
        out->nnotes >= LF_APP_NOTES_MAX)
        return;
    snprintf(out->notes[out->nnotes++], LF_APP_NOTE_LEN,
             "%s has one row per %s: --by does not apply", cur->t[0]->report, dim);
}

lf_status lf_app_report(lf_workspace *ws, const lf_app_report_req *req, lf_app_report_out *out,
                        lf_error *err)
{
    const char *format = req->format ? req->format : "table";
    lf_report_args a = {0};
    lf_status s = check_request(ws, req, format, &a, out, err);
    if (s != LF_OK)
        return s;
    out->from_day = a.from_day;
    out->to_day = a.to_day;
    out->as_of = a.as_of;
    lf_dataset ds;
    const lf_dataset *shared = NULL;
    if (req->cache && !req->attribute)
        s = lf_app_dataset_cache_get(req->cache, ws, &shared, err);
    else
        s = req->attribute ? lf_app_load_segment(ws, req->attribute, &ds, err)
                           : lf_app_load_dataset(ws, &ds, err);
    if (s != LF_OK)
        return s;
    a.ds = shared ? shared : &ds;
    bool all = strcmp(req->name, "all") == 0;
    report_run cur = {0};
    s = report_run_reports(&a, req->name, &cur, err);
    if (s == LF_OK)
        s = report_render_run(&ws->cfg, &a, &cur, all, format, &out->bytes, err);
    /* SPEC §7: an empty range says where the data is; csv and json, which have no
     * place for notes, get the missing inputs here too (table and html show them
     * under each table). The bytes stay the report, byte for byte. */
    lf_report_notes notes;
    bool plain = strcmp(format, "csv") == 0 || strcmp(format, "json") == 0;
    lf_report_notes_make(&a, req->name, LF_NOTES_RANGE | (plain ? LF_NOTES_INPUTS : 0u), &notes);
    out->nnotes = notes.n;
    memcpy(out->notes, notes.text, sizeof notes.text);
    if (s == LF_OK && !all)
        by_note(req, &cur, out);
    report_run_release(&cur);
    if (shared)
        lf_app_dataset_cache_put(req->cache, shared);
    else
        lf_dataset_release(&ds);
    return s;
}
