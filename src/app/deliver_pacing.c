/*
 * deliver_pacing.c — pacing.behind (deliver_pacing.h).
 *
 * The figures are the `bizday` report's own (run as JSON through lf_app_report over
 * the month of as-of, read back), so the alert can never disagree with the report.
 * Behind = a projection (not null: a business day of the month has begun) below a
 * goal (one is set). The alert is about the local day: at most one per business day
 * and webhook (the outbox's unique key), none on other days; its created_at is the
 * instant of the pass that found it behind.
 */
#include <stdio.h>
#include <string.h>

#include "deliver_pacing.h"
#include "leadflow/alerts.h"
#include "leadflow/app_report.h"
#include "leadflow/calendar.h"
#include "leadflow/store.h"

/* The `bizday` report of the month of `at` as JSON, parsed; *month "YYYY-MM". */
static lf_status bizday_json(lf_workspace *ws, lf_time at, json_t **out, char month[32],
                             lf_error *err)
{
    lf_civil c;
    lf_time_to_local(ws->cfg.tz, at, &c);
    int ny = c.month == 12 ? c.year + 1 : c.year, nm = c.month == 12 ? 1 : c.month + 1;
    char from[32], to[32], as_of[40];
    snprintf(month, 32, "%04d-%02d", c.year, c.month);
    snprintf(from, sizeof from, "%04d-%02d-01", c.year, c.month);
    snprintf(to, sizeof to, "%04d-%02d-01", ny, nm);
    lf_time_format_utc(at, as_of, sizeof as_of);
    lf_app_report_req req = {.name = "bizday", .format = "json", .from = from, .to = to,
                             .as_of = as_of};
    lf_app_report_out rep;
    lf_app_report_out_init(&rep);
    lf_status r = lf_app_report(ws, &req, &rep, err);
    *out = NULL;
    if (r == LF_OK) {
        *out = json_loadb(rep.bytes.data, rep.bytes.len, 0, NULL);
        if (!*out)
            r = lf_errorf(err, LF_ENOMEM, "cannot read the bizday report back");
    }
    lf_app_report_out_release(&rep);
    return r;
}

/* The first non-null "pacing" of the report's rows (a borrowed reference), or NULL. */
static json_t *find_pacing(json_t *rep)
{
    json_t *rows = json_object_get(rep, "rows");
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row)
    {
        json_t *p = json_object_get(row, "pacing");
        if (json_is_object(p))
            return p;
    }
    return NULL;
}

lf_status lf_deliver_pacing_data(lf_workspace *ws, lf_time at, json_t **out, lf_error *err)
{
    json_t *rep = NULL;
    char month[32];
    lf_status r = bizday_json(ws, at, &rep, month, err);
    if (r != LF_OK)
        return r;
    json_t *p = find_pacing(rep);
    *out = p ? json_deep_copy(p) : json_null();
    json_decref(rep);
    if (*out && p)
        json_object_set_new(*out, "month", json_string(month));
    return *out ? LF_OK : lf_errorf(err, LF_ENOMEM, "out of memory");
}

lf_status lf_deliver_pacing_enqueue(lf_workspace *ws, lf_time now, int64_t *added,
                                    lf_error *err)
{
    int32_t day = lf_local_day(ws->cfg.tz, now);
    if (!lf_calendar_is_business_day(&ws->cfg.calendar, day))
        return LF_OK;
    json_t *p = NULL;
    lf_status r = lf_deliver_pacing_data(ws, now, &p, err);
    if (r != LF_OK)
        return r;
    json_t *goal = json_object_get(p, "goal"), *proj = json_object_get(p, "projected");
    bool behind = json_is_number(goal) && json_is_number(proj) &&
                  json_number_value(proj) < json_number_value(goal);
    json_decref(p);
    if (!behind)
        return LF_OK;
    r = lf_store_begin(ws->store, err);
    if (r == LF_OK)
        r = lf_alerts_enqueue(ws->store, &ws->cfg, LF_ALERT_PACING_BEHIND, 0, day, now, now,
                              added, err);
    if (r == LF_OK)
        return lf_store_commit(ws->store, err);
    lf_store_rollback(ws->store, NULL);
    return r;
}
