/*
 * report_run.h — running reports and rendering them, shared by the report request
 * (app_report.c), the demo's reports and the terminal headline (headline.c).
 * Private to src/app.
 */
#ifndef LEADFLOW_APP_REPORT_RUN_H
#define LEADFLOW_APP_REPORT_RUN_H

#include <stdbool.h>

#include "leadflow/buf.h"
#include "leadflow/config.h"
#include "leadflow/report.h"

/* Reports run over one set of arguments: t[0..n), owned (report_run_release). */
typedef struct report_run {
    lf_table **t;
    size_t n;
} report_run;

/* Whether `format` is one a report can be rendered in: table, csv, json, html. */
bool report_format_known(const char *format);

/* Runs report `name` ("all" = every registered report, in registry order) over a
 * into r (zeroed by the caller); on failure r holds the tables run so far. */
lf_status report_run_reports(const lf_report_args *a, const char *name, report_run *r,
                             lf_error *err);
/* Frees the tables and zeroes r. */
void report_run_release(report_run *r);

/* Appends the reports of cur (run over a by report_run_reports; several = `all`) to
 * out in `format`, as lf_app_report (leadflow/app_report.h) describes; html carries
 * the range notes and, for `all`, the headline strip against the previous period. */
lf_status report_render_run(const lf_config *cfg, const lf_report_args *a, const report_run *cur,
                            bool all, const char *format, lf_buf *out, lf_error *err);

/* The period before a's range, of the same length: the same number of calendar
 * months when the range is whole months (from and to on the 1st), else the same
 * number of days; its as-of is a's moved back by the same months or days (local
 * time of day kept), so both periods are compared at the same point. */
void report_previous_range(const lf_tz *tz, const lf_report_args *a, lf_report_args *prev);

/* Appends the terminal headline (`leadflow demo`) made from r, the reports run over a
 * (`all`, as for the page, so the reports are run once for both); a report missing
 * from r shows as "–". LF_ENOMEM (or the buffer's cap) on a failed append. */
lf_status report_headline(const lf_config *cfg, const lf_report_args *a, const report_run *r,
                          lf_buf *out);

#endif
