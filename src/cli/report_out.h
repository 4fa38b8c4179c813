/*
 * report_out.h — running reports and writing them in a format, shared by `leadflow
 * report` (one report or `all`) and `leadflow demo` (which writes report.html).
 */
#ifndef LEADFLOW_REPORT_OUT_H
#define LEADFLOW_REPORT_OUT_H

#include "leadflow/buf.h"
#include "leadflow/config.h"
#include "leadflow/report.h"

/* Whether `format` is one `report` can write: table, csv, json, html. */
bool report_format_known(const char *format);

/* Reports run over one set of arguments: t[0..n), owned (report_run_release). */
typedef struct report_run {
    lf_table **t;
    size_t n;
} report_run;

/* Runs report `name` ("all" = every registered report, in registry order) over a
 * into r (zeroed by the caller); on failure r holds the tables run so far. */
lf_status report_run_reports(const lf_report_args *a, const char *name, report_run *r,
                             lf_error *err);
/* Frees the tables and zeroes r. */
void report_run_release(report_run *r);

/* Appends the reports of cur (run over a by report_run_reports; several = `all`) to
 * out in `format`, as report_render describes. */
lf_status report_render_run(const lf_config *cfg, const lf_report_args *a, const report_run *cur,
                            bool all, const char *format, lf_buf *out, lf_error *err);

/* Runs report `name` ("all" = every registered report, in registry order) over a and
 * appends it to out in `format`. For `all`: table = each report's text one after
 * another, separated by a blank line; csv = each report's CSV preceded by a line
 * "# NAME" and separated by a blank line; json = {"reports": [each report's
 * object]}; html = one page with the headline strip, whose changes come from the same
 * reports run again over the previous period (see report_previous_range). */
lf_status report_render(const lf_config *cfg, const lf_report_args *a, const char *name,
                        const char *format, lf_buf *out, lf_error *err);

/* The period before a's range, of the same length: the same number of calendar
 * months when the range is whole months (from and to on the 1st), else the same
 * number of days; its as-of is a's moved back by the same months or days (local
 * time of day kept), so both periods are compared at the same point. */
void report_previous_range(const lf_tz *tz, const lf_report_args *a, lf_report_args *prev);

/* Prints the demo headline from r, the reports run over a (`all`, as for the page, so
 * the reports are run once for both); a report missing from r shows as "–". */
void cli_print_headline(const lf_config *cfg, const lf_report_args *a, const report_run *r);

/* Writes b to stdout (path NULL) or to path atomically (leadflow/outfile.h).
 * Returns an exit code (0 = ok) after printing any error. */
int report_write_output(const char *path, const lf_buf *b);

#endif
