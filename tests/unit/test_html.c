/*
 * test_html.c — unit tests of the HTML report (src/render/markup.c, svg.c, charts.c,
 * html.c): the one escaping function, number formats shared with the terminal, the
 * page's structure, hostile text in every place a table can put it, charts for a
 * `scoring` table (the report may not be registered yet), and output that does not
 * change between runs. Expected strings are written by hand from the rules in
 * markup.h and SPEC §5.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "leadflow/buf.h"
#include "leadflow/report.h"
#include "leadflow/table.h"
#include "leadflow/time.h"
#include "render/html.h"
#include "render/markup.h"

/* ---- helpers ----------------------------------------------------------------- */

static char *escaped(const char *s)
{
    lf_buf b;
    lf_buf_init(&b, 0);
    mk_out o = {.b = &b, .st = LF_OK};
    mk_text(&o, s);
    cr_assert_eq(o.st, LF_OK);
    return lf_buf_detach(&b);
}

static lf_table *new_table(const char *report, const char *dim)
{
    lf_table *t = lf_table_new(
        report, lf_days_from_civil(2026, 1, 1), lf_days_from_civil(2026, 3, 1), "month",
        (lf_time)lf_days_from_civil(2026, 3, 15) * LF_USEC_PER_DAY, "Europe/Berlin");
    cr_assert_not_null(t);
    cr_assert_geq(lf_table_add_col(t, dim, LF_COL_TEXT), 0);
    /* as the registry's report functions do: the table carries its presentation */
    const lf_report_def *def = lf_report_find(report);
    t->present = def ? def->present : NULL;
    return t;
}

static void set_text(lf_table *t, long row, int col, const char *s)
{
    cr_assert_eq(lf_cell_set_text(lf_table_cell(t, row, col), s), LF_OK);
}

static void set_num(lf_table *t, long row, int col, double v)
{
    lf_cell_set_num(lf_table_cell(t, row, col), v);
}

static char *render(const lf_table *t)
{
    lf_buf b;
    lf_buf_init(&b, 0);
    lf_error err;
    cr_assert_eq(lf_render_html(t, &b, &err), LF_OK, "%s", err.msg);
    return lf_buf_detach(&b);
}

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

/* ---- escaping ----------------------------------------------------------------- */

Test(html_escape, the_five_markup_characters)
{
    char *s = escaped("<script>alert('x')</script> & \"q\"");
    cr_expect_str_eq(s, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;");
    free(s);
    s = escaped("\"><img src=x onerror=alert(1)>");
    cr_expect_str_eq(s, "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;");
    free(s);
}

Test(html_escape, invalid_utf8_and_controls_become_question_marks)
{
    char *s = escaped("a\xff"
                      "b\x1b[31mc\nd\xc2\x85"
                      "e \xc3\xa9");
    cr_expect_str_eq(s, "a?b?[31mc?d?e \xc3\xa9");
    free(s);
}

Test(html_escape, null_and_empty)
{
    char *s = escaped(NULL);
    cr_expect_str_eq(s, "");
    free(s);
    s = escaped("");
    cr_expect_str_eq(s, "");
    free(s);
}

/* ---- numbers -------------------------------------------------------------------- */

Test(html_numbers, table_values_as_on_the_terminal)
{
    char b[MK_NUM_MAX];
    mk_fmt_value(1234567, LF_COL_COUNT, b, sizeof b);
    cr_expect_str_eq(b, "1,234,567");
    mk_fmt_value(0.6875, LF_COL_RATE, b, sizeof b);
    cr_expect_str_eq(b, "68.8%");
    mk_fmt_value(2.675, LF_COL_MONEY, b, sizeof b);
    cr_expect_str_eq(b, "2.68");
    mk_fmt_value(-1234.5, LF_COL_MONEY, b, sizeof b);
    cr_expect_str_eq(b, "-1,234.50");
    mk_fmt_value(311.5, LF_COL_HOURS, b, sizeof b);
    cr_expect_str_eq(b, "311.5");
    mk_fmt_value(0.09090909, LF_COL_NUMBER, b, sizeof b);
    cr_expect_str_eq(b, "0.09");
    mk_fmt_value(NAN, LF_COL_RATE, b, sizeof b);
    cr_expect_str_eq(b, "\xe2\x80\x93");
    mk_fmt_value(-0.0001, LF_COL_RATE, b, sizeof b);
    cr_expect_str_eq(b, "0.0%");
}

Test(html_numbers, chart_labels_and_ticks)
{
    char b[MK_NUM_MAX];
    mk_fmt_short(0.25, MK_RATE, 0.2, b, sizeof b);
    cr_expect_str_eq(b, "25%");
    mk_fmt_short(0.125, MK_RATE, 0.025, b, sizeof b);
    cr_expect_str_eq(b, "12.5%");
    mk_fmt_short(0.667, MK_RATE, 0, b, sizeof b);
    cr_expect_str_eq(b, "67%");
    mk_fmt_short(0.066, MK_RATE, 0, b, sizeof b);
    cr_expect_str_eq(b, "6.6%");
    mk_fmt_short(12500, MK_COUNT, 0, b, sizeof b);
    cr_expect_str_eq(b, "12.5k");
    mk_fmt_short(897000, MK_MONEY, 0, b, sizeof b);
    cr_expect_str_eq(b, "897k");
    mk_fmt_short(1e6, MK_MONEY, 5e5, b, sizeof b);
    cr_expect_str_eq(b, "1.0M");
    mk_fmt_short(0, MK_MONEY, 0, b, sizeof b);
    cr_expect_str_eq(b, "0");
    mk_fmt_short(12.5, MK_MONEY, 0, b, sizeof b);
    cr_expect_str_eq(b, "12.50");
    mk_fmt_short(16, MK_HOURS, 5, b, sizeof b);
    cr_expect_str_eq(b, "16 h");
    mk_fmt_short(8.5, MK_HOURS, 0, b, sizeof b);
    cr_expect_str_eq(b, "8.5 h");
}

Test(html_labels, humanized_column_names_and_short_periods)
{
    char b[64], l1[32], l2[16];
    mk_humanize("response_p90_h", b, sizeof b);
    cr_expect_str_eq(b, "response p90 (h)");
    mk_humanize("lead_to_mql_days", b, sizeof b);
    cr_expect_str_eq(b, "lead to mql days");
    mk_period_short("2026-01", NULL, l1, sizeof l1, l2, sizeof l2);
    cr_expect_str_eq(l1, "Jan");
    cr_expect_str_eq(l2, "2026");
    mk_period_short("2026-02", "2026-01", l1, sizeof l1, l2, sizeof l2);
    cr_expect_str_eq(l1, "Feb");
    cr_expect_str_eq(l2, "");
    mk_period_short("2027-Q1", "2026-Q4", l1, sizeof l1, l2, sizeof l2);
    cr_expect_str_eq(l1, "Q1");
    cr_expect_str_eq(l2, "2027");
    mk_period_short("2026-01-05", "2025-12-29", l1, sizeof l1, l2, sizeof l2);
    cr_expect_str_eq(l1, "5 Jan");
    cr_expect_str_eq(l2, "2026");
    mk_period_short("30-39", "20-29", l1, sizeof l1, l2, sizeof l2);
    cr_expect_str_eq(l1, "30-39");
    cr_expect_str_eq(l2, "");
}

/* ---- pages -------------------------------------------------------------------------- */

/* A persona-shaped table whose texts are hostile everywhere a table holds text: the
 * report name, a column name, a row label, an object key, a note. */
static lf_table *hostile_table(void)
{
    lf_table *t = new_table("persona", "persona");
    int leads = lf_table_add_col(t, "leads", LF_COL_COUNT);
    int acc = lf_table_add_col(t, "acceptance_rate", LF_COL_RATE);
    int bad = lf_table_add_col(t, "<b onmouseover=alert(2)>", LF_COL_COUNT);
    int by = lf_table_add_col(t, "by_reason", LF_COL_OBJECT);
    long r = lf_table_add_row(t);
    set_text(t, r, 0, "<script>alert(1)</script>");
    set_num(t, r, leads, 3);
    lf_cell_set_ratio(lf_table_cell(t, r, acc), 1, 3);
    set_num(t, r, bad, 1);
    lf_object *o = lf_cell_set_object(lf_table_cell(t, r, by));
    cr_assert_eq(lf_object_add_num(o, "\"><img src=x onerror=alert(1)>", LF_COL_COUNT, 2), LF_OK);
    cr_assert_eq(lf_table_add_total(t), LF_OK);
    set_num(t, -1, leads, 3);
    cr_assert_eq(lf_table_add_note(t, "note <i>%s</i>", "it's"), LF_OK);
    return t;
}

Test(html_page, hostile_text_is_escaped_everywhere)
{
    lf_table *t = hostile_table();
    char *page = render(t);
    cr_expect_eq(count(page, "<script"), 0);
    cr_expect_eq(count(page, "<img"), 0);
    cr_expect_eq(count(page, "<b "), 0);
    cr_expect_eq(count(page, "<i>"), 0);
    cr_expect_gt(count(page, "&lt;script&gt;alert(1)&lt;/script&gt;"), 0);
    cr_expect_gt(count(page, "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"), 0);
    cr_expect_gt(count(page, "&lt;b onmouseover=alert(2)&gt;"), 0);
    cr_expect_gt(count(page, "note &lt;i&gt;it&#39;s&lt;/i&gt;"), 0);
    free(page);
    lf_table_free(t);
}

Test(html_page, structure_of_a_single_report)
{
    lf_table *t = hostile_table();
    char *page = render(t);
    cr_expect(strncmp(page, "<!DOCTYPE html>\n", 16) == 0);
    cr_expect_eq(count(page, "{{"), 0, "every template slot is filled");
    cr_expect_eq(count(page, "<section class=\"report\" id=\"report-persona\""), 1);
    cr_expect_eq(count(page, "Content-Security-Policy"), 1);
    cr_expect_eq(count(page, "http://"), 0);
    cr_expect_eq(count(page, "https://"), 0);
    cr_expect_eq(count(page, "id=\"headline\""), 0, "no headline without a previous period");
    /* a persona table gets its two charts, each drawn wide and narrow */
    cr_expect_eq(count(page, "<figure class=\"chart\""), 2);
    cr_expect_eq(count(page, "<svg class=\"wide\""), 2);
    cr_expect_eq(count(page, "<svg class=\"narrow\""), 2);
    cr_expect_eq(count(page, "role=\"img\""), 4);
    cr_expect_eq(count(page, "<tfoot>"), 1);
    cr_expect_eq(count(page, "<td class=\"n\">33.3%</td>"), 1);
    cr_expect_eq(count(page, "<th scope=\"row\">total</th>"), 1);
    free(page);
    lf_table_free(t);
}

Test(html_page, the_same_table_gives_the_same_bytes)
{
    lf_table *t = hostile_table();
    char *a = render(t), *b = render(t);
    cr_expect_str_eq(a, b);
    free(a);
    free(b);
    lf_table_free(t);
}

/* The scoring report is written elsewhere; its chart must work from the shape SPEC §5
 * gives it: band, handoffs, accepted, acceptance_rate, customers, win_rate. */
Test(html_page, scoring_bands_get_a_chart)
{
    lf_table *t = new_table("scoring", "band");
    int h = lf_table_add_col(t, "handoffs", LF_COL_COUNT);
    int a = lf_table_add_col(t, "accepted", LF_COL_COUNT);
    int ar = lf_table_add_col(t, "acceptance_rate", LF_COL_RATE);
    int c = lf_table_add_col(t, "customers", LF_COL_COUNT);
    int wr = lf_table_add_col(t, "win_rate", LF_COL_RATE);
    static const char *const bands[] = {"-10--1", "30-39", "40-49"};
    for (int i = 0; i < 3; i++) {
        long r = lf_table_add_row(t);
        set_text(t, r, 0, bands[i]);
        set_num(t, r, h, 10 * (i + 1));
        set_num(t, r, a, 4 * (i + 1));
        lf_cell_set_ratio(lf_table_cell(t, r, ar), 4 * (i + 1), 10 * (i + 1));
        set_num(t, r, c, i);
        lf_cell_set_ratio(lf_table_cell(t, r, wr), i, 10 * (i + 1));
    }
    cr_assert_eq(lf_table_add_total(t), LF_OK);
    char *page = render(t);
    cr_expect_eq(count(page, "<figure class=\"chart\" id=\"fig-scoring-1\""), 1);
    cr_expect_geq(count(page, "Acceptance and win rate by score band at MQL"), 3);
    cr_expect_gt(count(page, ">-10--1</text>"), 0, "band labels are shown as they are");
    cr_expect_gt(count(page, ">n=30</text>"), 0, "handoffs above each band");
    cr_expect_gt(count(page, "<title>40-49 \xc2\xb7 win rate (customers / handoffs): 6.7%</title>"),
                 0);
    free(page);
    lf_table_free(t);
}

Test(html_page, an_unknown_report_gets_its_table_and_no_chart)
{
    lf_table *t = new_table("whatever", "thing");
    int n = lf_table_add_col(t, "n", LF_COL_COUNT);
    long r = lf_table_add_row(t);
    set_text(t, r, 0, "x");
    set_num(t, r, n, 1);
    char *page = render(t);
    cr_expect_eq(count(page, "id=\"report-whatever\""), 1);
    cr_expect_eq(count(page, "<figure"), 0);
    cr_expect_eq(count(page, "<div class=\"charts\">"), 0);
    cr_expect_eq(count(page, "<tfoot>"), 0);
    free(page);
    lf_table_free(t);
}

Test(html_page, a_full_buffer_is_an_error_value)
{
    lf_table *t = hostile_table();
    lf_buf b;
    lf_buf_init(&b, 1000);
    lf_error err;
    cr_expect_eq(lf_render_html(t, &b, &err), LF_EINPUT);
    cr_expect_str_eq(err.msg, "html output is too large");
    lf_buf_release(&b);
    lf_table_free(t);
}

/* ---- headline: previous period too small, missing inputs, page notes ---------------- */

/* A total-only table of `report` with the given (column, value) pairs; NAN = null. */
static lf_table *totals(const char *report, const char *const *names, const double *v, size_t n)
{
    lf_table *t = new_table(report, "period");
    cr_assert_eq(lf_table_add_total(t), LF_OK);
    set_text(t, -1, 0, "total");
    for (size_t i = 0; i < n; i++) {
        lf_col_type type = strstr(names[i], "rate") ? LF_COL_RATE
                           : strstr(names[i], "_h")  ? LF_COL_HOURS
                                                     : LF_COL_COUNT;
        int c = lf_table_add_col(t, names[i], type);
        cr_assert_geq(c, 0);
        if (!isnan(v[i]))
            set_num(t, -1, c, v[i]);
    }
    return t;
}

/* The headline of mql and speed tables, this period and the previous one. */
static char *headline_page(double leads, double mqls, double leads0, double mqls0,
                           double contacted, double handoffs0)
{
    static const char *const mcols[] = {"leads", "mqls"};
    static const char *const scols[] = {"handoffs", "contacted", "contact_median_h",
                                        "within_target", "within_target_rate"};
    double m[] = {leads, mqls}, m0[] = {leads0, mqls0};
    double s[] = {40, contacted, isnan(contacted) ? NAN : 0.5, isnan(contacted) ? NAN : 20,
                  isnan(contacted) ? NAN : 0.5};
    double s0[] = {handoffs0, handoffs0, 0.5, handoffs0 / 4, 0.25};
    lf_table *cur[2] = {totals("mql", mcols, m, 2), totals("speed", scols, s, 5)};
    lf_table *prev[2] = {totals("mql", mcols, m0, 2), totals("speed", scols, s0, 5)};
    const char *notes[1] = {"no leads in <range>"};
    lf_html_page page = {.tables = (const lf_table *const *)cur,
                         .ntables = 2,
                         .prev = (const lf_table *const *)prev,
                         .prev_from_day = lf_days_from_civil(2025, 11, 1),
                         .prev_to_day = lf_days_from_civil(2026, 1, 1),
                         .ctx = lf_html_context_none(),
                         .notes = notes,
                         .nnotes = 1};
    lf_buf b;
    lf_buf_init(&b, 0);
    lf_error err;
    cr_assert_eq(lf_html_render_page(&page, &b, &err), LF_OK, "%s", err.msg);
    for (int i = 0; i < 2; i++) {
        lf_table_free(cur[i]);
        lf_table_free(prev[i]);
    }
    return lf_buf_detach(&b);
}

/* The card of id `kpi` (its <div> up to the next </div>), for matching inside it. */
static char *card_of(const char *page, const char *kpi)
{
    char open[64];
    snprintf(open, sizeof open, "<div class=\"card\" id=\"kpi-%s\">", kpi);
    const char *a = strstr(page, open);
    cr_assert_not_null(a, "no card %s", kpi);
    const char *z = strstr(a, "</div>");
    cr_assert_not_null(z);
    return strndup(a, (size_t)(z - a));
}

Test(html_headline, a_previous_period_of_enough_data_is_compared)
{
    /* 100 leads and 40 MQLs against 80 and 32: +25.0%; speed 50% against 25% of 24
     * handoffs: +25.0 pts */
    char *page = headline_page(100, 40, 80, 32, 30, 24);
    char *m = card_of(page, "mqls"), *s = card_of(page, "speed");
    cr_expect(strstr(m, "<p class=\"chg good\">\xe2\x96\xb2 +25.0% vs previous period (32)</p>"),
              "%s", m);
    cr_expect(strstr(s, "+25.0 pts vs previous period (25.0%)"), "%s", s);
    cr_expect(strstr(m, "MQLs handed to sales in the range"), "%s", m);
    free(m);
    free(s);
    free(page);
}

Test(html_headline, a_small_previous_period_is_not_compared)
{
    /* 19 previous MQLs (< 20): no change for MQLs, but speed's 24 handoffs compare */
    char *page = headline_page(100, 40, 80, 19, 30, 24);
    char *m = card_of(page, "mqls"), *s = card_of(page, "speed");
    cr_expect(strstr(m, "<p class=\"chg neutral\">previous period too small to compare</p>"),
              "%s", m);
    cr_expect(!strstr(m, "vs previous period"), "%s", m);
    cr_expect(strstr(s, "vs previous period"), "%s", s);
    free(m);
    free(s);
    free(page);
    /* 20 MQLs and 24 handoffs, but 9 leads against 100 (< 10%): the data barely reaches
     * the previous period, so no card compares */
    page = headline_page(100, 40, 9, 20, 30, 24);
    cr_expect_eq(count(page, "previous period too small to compare"), 2, "%s", page);
    cr_expect_eq(count(page, "vs previous period ("), 0);
    free(page);
    /* exactly 10% and 20 events compare */
    page = headline_page(100, 40, 10, 20, 30, 24);
    cr_expect_eq(count(page, "previous period too small to compare"), 0);
    free(page);
}

Test(html_headline, a_figure_without_its_input_is_missing_not_zero)
{
    /* no contacted event in the store: the speed table's contacted is null */
    char *page = headline_page(100, 40, 80, 32, NAN, 24);
    char *s = card_of(page, "speed");
    cr_expect(strstr(s, "<p class=\"kpi\">\xe2\x80\x93</p>"), "%s", s);
    cr_expect(strstr(s, "missing: no MQL has a contacted event"), "%s", s);
    cr_expect(!strstr(s, "chg"), "no change line: %s", s);
    cr_expect(!strstr(s, "0.0%"), "%s", s);
    free(s);
    /* the run's notes come first on the page, escaped */
    const char *notes = strstr(page, "<div class=\"page-notes\" role=\"note\">\n<p>no leads in "
                                     "&lt;range&gt;</p>\n</div>");
    cr_expect(notes && notes < strstr(page, "id=\"headline\""));
    free(page);
}
