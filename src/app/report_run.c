/*
 * report_run.c — run one report or all of them and render them in a format (see
 * report_run.h); the bytes of `leadflow report`, of the demo's page and, later, of
 * the HTTP API.
 *
 * Place in the flow: dataset -> reports (pure, src/report) -> [assembly] -> renderers
 * (src/render) -> bytes. What lives here is only the assembly: the order of `report
 * all` (the registry's), how several reports are put into one output, the HTML
 * context (the configuration's one presentation context, lf_present_ctx_of), and the
 * previous period the HTML headline compares against. Nothing is written anywhere: the caller gets a buffer.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "leadflow/present.h"
#include "render/html.h"
#include "report_run.h"

bool report_format_known(const char *format)
{
    return format && (strcmp(format, "html") == 0 || lf_renderer(format) != NULL);
}

/* ---- previous period ------------------------------------------------------------ */

/* Months since year 0 of a local day that is the 1st of a month, or -1. */
static long month_index(int32_t day)
{
    int y, m, d;
    lf_civil_from_days(day, &y, &m, &d);
    return d == 1 ? (long)y * 12 + (m - 1) : -1;
}

/* The local day `months` months before `day` (day of month clamped). */
static int32_t months_back(int32_t day, long months)
{
    int y, m, d;
    lf_civil_from_days(day, &y, &m, &d);
    long idx = (long)y * 12 + (m - 1) - months;
    int ny = (int)(idx >= 0 ? idx / 12 : (idx - 11) / 12), nm = (int)(idx - (long)ny * 12) + 1;
    int dim = lf_days_in_month(ny, nm);
    return lf_days_from_civil(ny, nm, d < dim ? d : dim);
}

void report_previous_range(const lf_tz *tz, const lf_report_args *a, lf_report_args *prev)
{
    *prev = *a;
    long m0 = month_index(a->from_day), m1 = month_index(a->to_day);
    lf_civil c;
    lf_time_to_local(tz, a->as_of, &c);
    int32_t as_of_day = lf_days_from_civil(c.year, c.month, c.day), new_day;
    if (m0 >= 0 && m1 > m0) {
        long months = m1 - m0;
        prev->from_day = months_back(a->from_day, months);
        prev->to_day = a->from_day;
        new_day = months_back(as_of_day, months);
    } else {
        int32_t days = a->to_day - a->from_day;
        prev->from_day = a->from_day - days;
        prev->to_day = a->from_day;
        new_day = as_of_day - days;
    }
    lf_civil_from_days(new_day, &c.year, &c.month, &c.day);
    prev->as_of = lf_time_from_local(tz, &c);
}

/* ---- running ------------------------------------------------------------------------ */

void report_run_release(report_run *r)
{
    for (size_t i = 0; i < r->n; i++)
        lf_table_free(r->t[i]);
    free(r->t);
    r->t = NULL;
    r->n = 0;
}

lf_status report_run_reports(const lf_report_args *a, const char *name, report_run *r,
                             lf_error *err)
{
    size_t n;
    const lf_report_def *defs = lf_report_list(&n);
    const lf_report_def *one = NULL;
    if (strcmp(name, "all") != 0) {
        one = lf_report_find(name);
        if (!one)
            return lf_errorf(err, LF_EUSAGE, "unknown report '%s'", name);
        defs = one;
        n = 1;
    }
    r->t = calloc(n, sizeof *r->t);
    if (!r->t)
        return lf_errorf(err, LF_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        lf_status s = defs[i].fn(a, &r->t[r->n], err);
        if (s != LF_OK) {
            lf_table_free(r->t[r->n]);
            r->t[r->n] = NULL;
            return s;
        }
        r->n++;
    }
    return LF_OK;
}

/* ---- several reports in one output ----------------------------------------------------- */

/* {"reports": [ ... ]}: each report's JSON object, indented by two spaces (JSON
 * strings hold no raw newlines, so indenting after every newline is safe). */
static lf_status add_json(const report_run *r, lf_buf *out, lf_error *err)
{
    lf_buf one;
    lf_buf_init(&one, 0);
    lf_status st = lf_buf_adds(out, "{\"reports\": [\n");
    for (size_t i = 0; st == LF_OK && i < r->n; i++) {
        lf_buf_reset(&one);
        if ((st = lf_render_json(r->t[i], &one, err)) != LF_OK) {
            lf_buf_release(&one);
            return st; /* err set by the renderer */
        }
        while (one.len && one.data[one.len - 1] == '\n')
            one.data[--one.len] = '\0';
        st = lf_buf_adds(out, "  ");
        for (size_t k = 0; st == LF_OK && k < one.len; k++) {
            st = lf_buf_addc(out, one.data[k]);
            if (st == LF_OK && one.data[k] == '\n')
                st = lf_buf_adds(out, "  ");
        }
        if (st == LF_OK)
            st = lf_buf_adds(out, i + 1 < r->n ? ",\n" : "\n");
    }
    if (st == LF_OK)
        st = lf_buf_adds(out, "]}\n");
    lf_buf_release(&one);
    return st == LF_OK ? LF_OK : lf_errorf(err, st, "out of memory rendering json output");
}

static lf_status add_each(const report_run *r, lf_render_fn render, bool csv, lf_buf *out,
                          lf_error *err)
{
    for (size_t i = 0; i < r->n; i++) {
        lf_status st = i ? lf_buf_addc(out, '\n') : LF_OK;
        if (st == LF_OK && csv)
            st = lf_buf_addf(out, "# %s\n", r->t[i]->report);
        if (st != LF_OK)
            return lf_errorf(err, st, "out of memory rendering output");
        if ((st = render(r->t[i], out, err)) != LF_OK)
            return st;
    }
    return LF_OK;
}

/* One page: the range notes at the top and, for `all`, the headline strip compared
 * with the same reports run over the previous period. */
static lf_status render_page(const lf_config *cfg, const lf_report_args *a, const report_run *cur,
                             bool all, lf_buf *out, lf_error *err)
{
    lf_status st = LF_OK;
    report_run prev = {0};
    lf_html_page page = {.tables = (const lf_table *const *)cur->t,
                         .ntables = cur->n,
                         .ctx = lf_present_ctx_of(cfg)};
    /* SPEC §7: an empty range says so, and where the data is, on the page too */
    lf_report_notes notes;
    const char *note_text[LF_NOTES_MAX];
    lf_report_notes_make(a, all ? "all" : cur->n ? cur->t[0]->report : "", LF_NOTES_RANGE,
                         &notes);
    for (size_t i = 0; i < notes.n; i++)
        note_text[i] = notes.text[i];
    page.notes = note_text;
    page.nnotes = notes.n;
    if (all) {
        lf_report_args pa;
        report_previous_range(cfg->tz, a, &pa);
        st = report_run_reports(&pa, "all", &prev, err);
        page.prev = (const lf_table *const *)prev.t;
        page.prev_from_day = pa.from_day;
        page.prev_to_day = pa.to_day;
        page.prev_as_of = pa.as_of;
    }
    if (st == LF_OK)
        st = lf_html_render_page(&page, out, err);
    report_run_release(&prev);
    return st;
}

lf_status report_render_run(const lf_config *cfg, const lf_report_args *a, const report_run *cur,
                            bool all, const char *format, lf_buf *out, lf_error *err)
{
    if (strcmp(format, "html") == 0)
        return render_page(cfg, a, cur, all, out, err);
    if (all && strcmp(format, "json") == 0)
        return add_json(cur, out, err);
    lf_render_fn render = lf_renderer(format);
    if (!render)
        return lf_errorf(err, LF_EUSAGE, "unknown format '%s'", format);
    return add_each(cur, render, all && strcmp(format, "csv") == 0, out, err);
}
