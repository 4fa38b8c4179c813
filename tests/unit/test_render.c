/*
 * test_render.c — unit tests of the table model (src/report/table.c) and the
 * renderers (src/render/): terminal table, CSV, JSON and the registry.
 *
 * Tables are built by hand; every expected output below was written by hand from
 * the rules in SPEC §5 and the renderers' design comments (widths counted by hand),
 * not captured from a run. JSON is also parsed back with jansson and checked
 * structurally.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "leadflow/buf.h"
#include "leadflow/table.h"
#include "leadflow/time.h"

/* ---- helpers ----------------------------------------------------------------- */

static lf_time day_time(int y, int m, int d)
{
    return (lf_time)lf_days_from_civil(y, m, d) * LF_USEC_PER_DAY;
}

/* A table over [2026-01-01, 2026-04-01) as of 2026-04-15T00:00:00Z. */
static lf_table *new_table(const char *report, const char *by, const char *tz)
{
    lf_table *t = lf_table_new(report, lf_days_from_civil(2026, 1, 1),
                               lf_days_from_civil(2026, 4, 1), by, day_time(2026, 4, 15), tz);
    cr_assert_not_null(t);
    return t;
}

static void num(lf_table *t, long row, int col, double v)
{
    lf_cell *c = lf_table_cell(t, row, col);
    cr_assert_not_null(c);
    lf_cell_set_num(c, v);
}

static void ratio(lf_table *t, long row, int col, double n, double d)
{
    lf_cell *c = lf_table_cell(t, row, col);
    cr_assert_not_null(c);
    lf_cell_set_ratio(c, n, d);
}

static void text(lf_table *t, long row, int col, const char *s)
{
    lf_cell *c = lf_table_cell(t, row, col);
    cr_assert_not_null(c);
    cr_assert_eq(lf_cell_set_text(c, s), LF_OK);
}

static lf_object *obj(lf_table *t, long row, int col)
{
    lf_cell *c = lf_table_cell(t, row, col);
    cr_assert_not_null(c);
    lf_object *o = lf_cell_set_object(c);
    cr_assert_not_null(o);
    return o;
}

static void onum(lf_object *o, const char *key, double v)
{
    cr_assert_eq(lf_object_add_num(o, key, LF_COL_COUNT, v), LF_OK);
}

static int col(lf_table *t, const char *name, lf_col_type type)
{
    int c = lf_table_add_col(t, name, type);
    cr_assert_geq(c, 0);
    return c;
}

static long row(lf_table *t)
{
    long r = lf_table_add_row(t);
    cr_assert_geq(r, 0);
    return r;
}

/* Renders t with the named renderer; the caller frees the result. */
static char *render(const char *format, const lf_table *t)
{
    lf_render_fn fn = lf_renderer(format);
    cr_assert_not_null(fn, "renderer %s", format);
    lf_buf b;
    lf_buf_init(&b, 0);
    lf_error err;
    lf_status s = fn(t, &b, &err);
    cr_assert_eq(s, LF_OK, "%s: %s", format, err.msg);
    return lf_buf_detach(&b);
}

static void expect_render(const char *format, const lf_table *t, const char *want)
{
    char *got = render(format, t);
    cr_expect_str_eq(got, want, "%s output:\n%s\nwanted:\n%s", format, got, want);
    free(got);
}

/* Display width (code points) of the widest line of s. */
static size_t widest_line(const char *s)
{
    size_t best = 0, w = 0;
    for (const char *p = s; *p; p++) {
        if (*p == '\n') {
            best = w > best ? w : best;
            w = 0;
        } else if (((unsigned char)*p & 0xC0) != 0x80) {
            w++;
        }
    }
    return w > best ? w : best;
}

/* ---- a period report ------------------------------------------------------------ */

/* period, count, rate, money, hours, a rate with a null, an object; and a total. */
static lf_table *period_table(void)
{
    lf_table *t = new_table("mql", "month", "UTC");
    int period = col(t, "period", LF_COL_TEXT), leads = col(t, "leads", LF_COL_COUNT),
        acc = col(t, "acceptance_rate", LF_COL_RATE), rev = col(t, "revenue", LF_COL_MONEY),
        resp = col(t, "response_median_h", LF_COL_HOURS), m2s = col(t, "mql_to_sql", LF_COL_RATE),
        by = col(t, "mqls_by_channel", LF_COL_OBJECT);

    long r = row(t);
    text(t, r, period, "2026-01");
    num(t, r, leads, 1234);
    ratio(t, r, acc, 1, 4);
    num(t, r, rev, 12345.67);
    num(t, r, resp, 1.5);
    ratio(t, r, m2s, 3, 0); /* zero denominator: null */
    lf_object *o = obj(t, r, by);
    onum(o, "email", 3);
    onum(o, "paid", 5);

    r = row(t);
    text(t, r, period, "2026-02");
    num(t, r, leads, 0);
    ratio(t, r, acc, 2, 3);
    num(t, r, rev, 0.125); /* half a cent: rounds away from zero */
    num(t, r, resp, 36.04);
    ratio(t, r, m2s, 1, 8);
    obj(t, r, by); /* empty object */

    r = row(t);
    text(t, r, period, "2026-03");
    num(t, r, leads, 7);
    ratio(t, r, acc, 5, 5);
    num(t, r, rev, 1000000);
    ratio(t, r, m2s, 1, 2); /* response and the object stay null */

    cr_assert_eq(lf_table_add_total(t), LF_OK);
    num(t, -1, leads, 1241);
    ratio(t, -1, acc, 3, 6);
    num(t, -1, rev, 1012345.8);
    num(t, -1, resp, 12.3);
    num(t, -1, m2s, 0.3);
    o = obj(t, -1, by);
    onum(o, "email", 3);
    onum(o, "paid", 12);
    onum(o, "email", 7); /* adds: email 10 */
    cr_assert_eq(lf_table_add_note(t, "lead-to-customer conversion is typically %d%s", 2, "-5%"),
                 LF_OK);
    cr_assert_eq(lf_table_add_note(t, "speed to lead: only 37%% of companies respond within one "
                                      "hour; those that do are about 7x likelier to reach a "
                                      "decision maker"),
                 LF_OK);
    return t;
}

Test(render_period, text)
{
    lf_table *t = period_table();
    expect_render(
        "table", t,
        "mql  2026-01-01 \xe2\x80\x93 2026-04-01 (to exclusive) by month,\n"
        "  as of 2026-04-15T00:00:00Z (UTC)\n"
        "\n"
        "period   leads  acceptance_rate       revenue  response_median_h  mql_to_sql\n"
        "----------------------------------------------------------------------------\n"
        "2026-01  1,234            25.0%     12,345.67                1.5           \xe2\x80\x93\n"
        "2026-02      0            66.7%          0.13               36.0       12.5%\n"
        "2026-03      7           100.0%  1,000,000.00                  \xe2\x80\x93       50.0%\n"
        "----------------------------------------------------------------------------\n"
        "total    1,241            50.0%  1,012,345.80               12.3       30.0%\n"
        "\n"
        "mqls_by_channel:\n"
        "  2026-01  email 3, paid 5\n"
        "  2026-02  (none)\n"
        "  2026-03  \xe2\x80\x93\n"
        "  total    email 10, paid 12\n"
        "\n"
        "lead-to-customer conversion is typically 2-5%\n"
        "speed to lead: only 37% of companies respond within one hour; those that do are\n"
        "  about 7x likelier to reach a decision maker\n");
    lf_table_free(t);
}

Test(render_period, csv)
{
    lf_table *t = period_table();
    expect_render("csv", t,
                  "period,leads,acceptance_rate,revenue,response_median_h,mql_to_sql,"
                  "mqls_by_channel\n"
                  "2026-01,1234,0.25,12345.67,1.5,,\"{\"\"email\"\":3,\"\"paid\"\":5}\"\n"
                  "2026-02,0,0.6666666666666666,0.13,36.04,0.125,{}\n"
                  "2026-03,7,1,1000000.00,,0.5,\n"
                  "total,1241,0.5,1012345.80,12.3,0.3,\"{\"\"email\"\":10,\"\"paid\"\":12}\"\n");
    lf_table_free(t);
}

Test(render_period, json)
{
    lf_table *t = period_table();
    expect_render(
        "json", t,
        "{\n"
        "  \"report\": \"mql\",\n"
        "  \"from\": \"2026-01-01\",\n"
        "  \"to\": \"2026-04-01\",\n"
        "  \"by\": \"month\",\n"
        "  \"as_of\": \"2026-04-15T00:00:00Z\",\n"
        "  \"columns\": [\"period\", \"leads\", \"acceptance_rate\", \"revenue\", "
        "\"response_median_h\", \"mql_to_sql\", \"mqls_by_channel\"],\n"
        "  \"rows\": [\n"
        "    {\"period\": \"2026-01\", \"leads\": 1234, \"acceptance_rate\": 0.25, "
        "\"revenue\": 12345.67, \"response_median_h\": 1.5, \"mql_to_sql\": null, "
        "\"mqls_by_channel\": {\"email\": 3, \"paid\": 5}},\n"
        "    {\"period\": \"2026-02\", \"leads\": 0, \"acceptance_rate\": 0.6666666666666666, "
        "\"revenue\": 0.13, \"response_median_h\": 36.04, \"mql_to_sql\": 0.125, "
        "\"mqls_by_channel\": {}},\n"
        "    {\"period\": \"2026-03\", \"leads\": 7, \"acceptance_rate\": 1.0, "
        "\"revenue\": 1000000.0, \"response_median_h\": null, \"mql_to_sql\": 0.5, "
        "\"mqls_by_channel\": null}\n"
        "  ],\n"
        "  \"total\": {\"period\": \"total\", \"leads\": 1241, \"acceptance_rate\": 0.5, "
        "\"revenue\": 1012345.8, \"response_median_h\": 12.3, \"mql_to_sql\": 0.3, "
        "\"mqls_by_channel\": {\"email\": 10, \"paid\": 12}}\n"
        "}\n");
    lf_table_free(t);
}

Test(render_period, json_parses_back_with_the_right_types)
{
    lf_table *t = period_table();
    char *s = render("json", t);
    json_error_t jerr;
    json_t *doc = json_loads(s, 0, &jerr);
    cr_assert_not_null(doc, "%s", jerr.text);
    const char *keys[] = {"report", "from", "to", "by", "as_of", "columns", "rows", "total"};
    size_t k = 0;
    const char *key;
    json_t *val;
    json_object_foreach(doc, key, val)
    {
        cr_assert_lt(k, 8);
        cr_expect_str_eq(key, keys[k++]);
    }
    cr_expect_eq(k, 8);
    cr_expect_str_eq(json_string_value(json_object_get(doc, "by")), "month");
    json_t *cols = json_object_get(doc, "columns"), *rows = json_object_get(doc, "rows");
    cr_assert_eq(json_array_size(cols), 7);
    cr_expect_str_eq(json_string_value(json_array_get(cols, 0)), "period");
    cr_assert_eq(json_array_size(rows), 3);
    for (size_t r = 0; r < 3; r++) {
        json_t *row_obj = json_array_get(rows, r);
        size_t i = 0;
        json_object_foreach(row_obj, key, val)
        {
            cr_assert_lt(i, 7);
            cr_expect_str_eq(key, json_string_value(json_array_get(cols, i++)),
                             "row %zu keys follow the columns", r);
        }
        cr_expect_eq(i, 7);
    }
    json_t *r0 = json_array_get(rows, 0);
    cr_expect(json_is_integer(json_object_get(r0, "leads")));
    cr_expect_eq(json_integer_value(json_object_get(r0, "leads")), 1234);
    cr_expect(json_is_real(json_object_get(r0, "acceptance_rate")));
    cr_expect(json_is_real(json_object_get(r0, "revenue")));
    cr_expect(json_is_null(json_object_get(r0, "mql_to_sql")));
    json_t *by = json_object_get(r0, "mqls_by_channel");
    cr_expect(json_is_object(by));
    cr_expect_eq(json_integer_value(json_object_get(by, "paid")), 5);
    json_t *r1 = json_array_get(rows, 1);
    cr_expect(json_real_value(json_object_get(r1, "acceptance_rate")) == 2.0 / 3.0,
              "full precision");
    cr_expect(json_real_value(json_object_get(r1, "revenue")) == 0.13);
    json_t *r2 = json_array_get(rows, 2);
    cr_expect(json_is_real(json_object_get(r2, "acceptance_rate")), "1.0 stays a real");
    cr_expect(json_is_null(json_object_get(r2, "mqls_by_channel")));
    json_t *total = json_object_get(doc, "total");
    cr_expect_str_eq(json_string_value(json_object_get(total, "period")), "total");
    cr_expect_eq(
        json_integer_value(json_object_get(json_object_get(total, "mqls_by_channel"), "email")),
        10);
    json_decref(doc);
    free(s);
    lf_table_free(t);
}

/* ---- a dimension report, and one without a total ------------------------------- */

static lf_table *persona_table(void)
{
    lf_table *t = new_table("persona", NULL, "Europe/Berlin");
    col(t, "persona", LF_COL_TEXT);
    col(t, "leads", LF_COL_COUNT);
    col(t, "acceptance_rate", LF_COL_RATE);
    col(t, "leads_per_bday", LF_COL_NUMBER);
    col(t, "lead_to_mql_days", LF_COL_DAYS);
    long r = row(t);
    text(t, r, 0, "Founder");
    num(t, r, 1, 12);
    ratio(t, r, 2, 9, 12);
    num(t, r, 3, 4.333333333);
    num(t, r, 4, 2.26);
    r = row(t);
    text(t, r, 0, "Marketing lead");
    num(t, r, 1, 3);
    ratio(t, r, 2, 0, 0);
    num(t, r, 3, 2.5);
    cr_assert_eq(lf_table_add_total(t), LF_OK);
    num(t, -1, 1, 15);
    ratio(t, -1, 2, 9, 12);
    num(t, -1, 3, 3);
    num(t, -1, 4, 2.26);
    return t;
}

Test(render_dimension, text)
{
    lf_table *t = persona_table();
    expect_render("table", t,
                  "persona  2026-01-01 \xe2\x80\x93 2026-04-01 (to exclusive),\n"
                  "  as of 2026-04-15T00:00:00Z (Europe/Berlin)\n"
                  "\n"
                  "persona         leads  acceptance_rate  leads_per_bday  lead_to_mql_days\n"
                  "------------------------------------------------------------------------\n"
                  "Founder            12            75.0%            4.33               2.3\n"
                  "Marketing lead      3                \xe2\x80\x93             2.5"
                  "                 \xe2\x80\x93\n"
                  "------------------------------------------------------------------------\n"
                  "total              15            75.0%               3               2.3\n");
    lf_table_free(t);
}

Test(render_dimension, csv)
{
    lf_table *t = persona_table();
    expect_render("csv", t,
                  "persona,leads,acceptance_rate,leads_per_bday,lead_to_mql_days\n"
                  "Founder,12,0.75,4.333333333,2.26\n"
                  "Marketing lead,3,,2.5,\n"
                  "total,15,0.75,3,2.26\n");
    lf_table_free(t);
}

Test(render_dimension, json)
{
    lf_table *t = persona_table();
    expect_render("json", t,
                  "{\n"
                  "  \"report\": \"persona\",\n"
                  "  \"from\": \"2026-01-01\",\n"
                  "  \"to\": \"2026-04-01\",\n"
                  "  \"by\": null,\n"
                  "  \"as_of\": \"2026-04-15T00:00:00Z\",\n"
                  "  \"columns\": [\"persona\", \"leads\", \"acceptance_rate\", "
                  "\"leads_per_bday\", \"lead_to_mql_days\"],\n"
                  "  \"rows\": [\n"
                  "    {\"persona\": \"Founder\", \"leads\": 12, \"acceptance_rate\": 0.75, "
                  "\"leads_per_bday\": 4.333333333, \"lead_to_mql_days\": 2.26},\n"
                  "    {\"persona\": \"Marketing lead\", \"leads\": 3, \"acceptance_rate\": null, "
                  "\"leads_per_bday\": 2.5, \"lead_to_mql_days\": null}\n"
                  "  ],\n"
                  "  \"total\": {\"persona\": \"total\", \"leads\": 15, \"acceptance_rate\": 0.75, "
                  "\"leads_per_bday\": 3.0, \"lead_to_mql_days\": 2.26}\n"
                  "}\n");
    lf_table_free(t);
}

Test(render_dimension, no_total_and_no_rows)
{
    lf_table *t = new_table("funnel", NULL, NULL);
    col(t, "stage", LF_COL_TEXT);
    col(t, "balance", LF_COL_COUNT);
    long r = row(t);
    text(t, r, 0, "lead");
    num(t, r, 1, 42);
    expect_render("table", t,
                  "funnel  2026-01-01 \xe2\x80\x93 2026-04-01 (to exclusive), as of "
                  "2026-04-15T00:00:00Z\n"
                  "\n"
                  "stage  balance\n"
                  "--------------\n"
                  "lead        42\n");
    expect_render("csv", t, "stage,balance\nlead,42\n");
    expect_render("json", t,
                  "{\n"
                  "  \"report\": \"funnel\",\n"
                  "  \"from\": \"2026-01-01\",\n"
                  "  \"to\": \"2026-04-01\",\n"
                  "  \"by\": null,\n"
                  "  \"as_of\": \"2026-04-15T00:00:00Z\",\n"
                  "  \"columns\": [\"stage\", \"balance\"],\n"
                  "  \"rows\": [\n"
                  "    {\"stage\": \"lead\", \"balance\": 42}\n"
                  "  ],\n"
                  "  \"total\": null\n"
                  "}\n");
    lf_table_free(t);

    t = new_table("sql", "quarter", NULL);
    col(t, "period", LF_COL_TEXT);
    col(t, "handoffs", LF_COL_COUNT);
    expect_render("csv", t, "period,handoffs\n");
    expect_render("table", t,
                  /* 54 + 2 + 26 = 82 columns: broken after the comma */
                  "sql  2026-01-01 \xe2\x80\x93 2026-04-01 (to exclusive) by quarter,\n"
                  "  as of 2026-04-15T00:00:00Z\n"
                  "\n"
                  "period  handoffs\n"
                  "----------------\n");
    char *s = render("json", t);
    cr_expect(strstr(s, "  \"rows\": [],\n  \"total\": null\n}\n") != NULL, "%s", s);
    free(s);
    lf_table_free(t);
}

/* ---- 14 columns split into groups ------------------------------------------------- */

Test(render_text, wide_table_is_split_into_groups_within_80_columns)
{
    lf_table *t = new_table("velocity", "month", "America/Argentina/Buenos_Aires");
    col(t, "period", LF_COL_TEXT);
    const char *names[13] = {"handoffs",
                             "decided",
                             "response_mean_h",
                             "response_median_h",
                             "response_p90_h",
                             "within_sla",
                             "within_sla_rate",
                             "overdue_pending",
                             "breaches",
                             "lead_to_mql_days",
                             "mql_to_sql_days",
                             "sql_to_opportunity_days",
                             "opportunity_to_customer_days"};
    const lf_col_type types[13] = {LF_COL_COUNT, LF_COL_COUNT, LF_COL_HOURS, LF_COL_HOURS,
                                   LF_COL_HOURS, LF_COL_COUNT, LF_COL_RATE,  LF_COL_COUNT,
                                   LF_COL_COUNT, LF_COL_DAYS,  LF_COL_DAYS,  LF_COL_DAYS,
                                   LF_COL_DAYS};
    for (int i = 0; i < 13; i++)
        col(t, names[i], types[i]);
    cr_assert_eq(t->ncols, 14);
    const char *labels[3] = {"2026-01", "2026-02", "2026-03"};
    for (int r = 0; r < 3; r++) {
        long rr = row(t);
        text(t, rr, 0, labels[r]);
        for (int c = 1; c < 14; c++)
            num(t, rr, c, 1234567.891 * (r + 1) / c);
    }
    cr_assert_eq(lf_table_add_total(t), LF_OK);
    for (int c = 1; c < 14; c++)
        ratio(t, -1, c, c % 2 ? 0 : 1, c % 2 ? 0 : 3); /* every other one null */

    char *s = render("table", t);
    cr_expect_leq(widest_line(s), 80, "a line is wider than 80 columns:\n%s", s);
    /* Every block starts with a header that repeats the dimension column. */
    size_t blocks = 0;
    for (const char *p = s; (p = strstr(p, "\nperiod ")) != NULL; p++)
        blocks++;
    cr_expect_geq(blocks, 2, "%s", s);
    /* Every column is in exactly one header (no name is a prefix of another's
     * "name " or "name\n" form). */
    for (int i = 0; i < 13; i++) {
        char word[40];
        size_t n = 0;
        for (const char *end = " \n"; *end; end++) {
            snprintf(word, sizeof word, "%s%c", names[i], *end);
            for (const char *p = s; (p = strstr(p, word)) != NULL; p++)
                n++;
        }
        cr_expect_eq(n, 1, "%s appears %zu times:\n%s", names[i], n, s);
    }
    free(s);
    lf_table_free(t);
}

Test(render_text, groups_are_greedy_and_repeat_the_dimension)
{
    lf_table *t = new_table("x", NULL, NULL);
    col(t, "period", LF_COL_TEXT);
    char name[32];
    for (int i = 1; i <= 13; i++) {
        snprintf(name, sizeof name, "count_column_%02d", i); /* 15 wide */
        col(t, name, LF_COL_COUNT);
    }
    long r = row(t);
    text(t, r, 0, "2026-01");
    for (int c = 1; c <= 13; c++)
        num(t, r, c, c * 1000);
    /* 7 + 4 x (2 + 15) = 75 fits, a fifth column would make 92: groups 4, 4, 4, 1. */
    expect_render("table", t,
                  "x  2026-01-01 \xe2\x80\x93 2026-04-01 (to exclusive), as of "
                  "2026-04-15T00:00:00Z\n"
                  "\n"
                  "period   count_column_01  count_column_02  count_column_03  count_column_04\n"
                  "---------------------------------------------------------------------------\n"
                  "2026-01            1,000            2,000            3,000            4,000\n"
                  "\n"
                  "period   count_column_05  count_column_06  count_column_07  count_column_08\n"
                  "---------------------------------------------------------------------------\n"
                  "2026-01            5,000            6,000            7,000            8,000\n"
                  "\n"
                  "period   count_column_09  count_column_10  count_column_11  count_column_12\n"
                  "---------------------------------------------------------------------------\n"
                  "2026-01            9,000           10,000           11,000           12,000\n"
                  "\n"
                  "period   count_column_13\n"
                  "------------------------\n"
                  "2026-01           13,000\n");
    lf_table_free(t);
}

Test(render_text, object_section_wraps_at_80)
{
    lf_table *t = new_table("mql", NULL, NULL);
    col(t, "period", LF_COL_TEXT);
    col(t, "mqls_by_channel", LF_COL_OBJECT);
    long r = row(t);
    text(t, r, 0, "2026-01");
    lf_object *o = obj(t, r, 1);
    const char *k[] = {"organic_search", "paid_search", "email",  "events",
                       "referral",       "partner",     "social", "webinar"};
    const double v[] = {120, 1234, 7, 0, 15, 2, 44, 9};
    for (int i = 0; i < 8; i++)
        onum(o, k[i], v[i]);
    expect_render("table", t,
                  "mql  2026-01-01 \xe2\x80\x93 2026-04-01 (to exclusive), as of "
                  "2026-04-15T00:00:00Z\n"
                  "\n"
                  "period\n"
                  "-------\n"
                  "2026-01\n"
                  "\n"
                  "mqls_by_channel:\n"
                  "  2026-01  organic_search 120, paid_search 1,234, email 7, events 0,\n"
                  "           referral 15, partner 2, social 44, webinar 9\n");
    lf_table_free(t);
}

/* ---- hostile text ------------------------------------------------------------------ */

static lf_table *hostile_table(void)
{
    lf_table *t = new_table("mql", NULL, NULL);
    col(t, "channel", LF_COL_TEXT);
    col(t, "leads", LF_COL_COUNT);
    col(t, "cost", LF_COL_MONEY);
    const char *labels[] = {
        "=HYPERLINK(\"http://x\")",
        "a,\"b\"",
        "<script>alert(1)</script>",
        "x\x1b[31m\ty\x7f\xc2\x9bz", /* ESC, TAB, DEL, C1 CSI */
        "bad\xff utf8",
        "+1 555",
        "@SUM(A1)",
        "\tTAB",
        "line\nbreak",
        "a label far longer than thirty-two columns",
    };
    for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++) {
        long r = row(t);
        text(t, r, 0, labels[i]);
        num(t, r, 1, i == 0 ? -5 : (double)i);
        num(t, r, 2, i == 0 ? -5 : 0.5);
    }
    return t;
}

Test(render_hostile, csv_neutralises_formulas_and_quotes)
{
    lf_table *t = hostile_table();
    expect_render("csv", t,
                  "channel,leads,cost\n"
                  "\"'=HYPERLINK(\"\"http://x\"\")\",-5,-5.00\n"
                  "\"a,\"\"b\"\"\",1,0.50\n"
                  "<script>alert(1)</script>,2,0.50\n"
                  "x\x1b[31m\ty\x7f\xc2\x9bz,3,0.50\n"
                  "bad? utf8,4,0.50\n"
                  "'+1 555,5,0.50\n"
                  "'@SUM(A1),6,0.50\n"
                  "'\tTAB,7,0.50\n"
                  "\"line\nbreak\",8,0.50\n"
                  "a label far longer than thirty-two columns,9,0.50\n");
    lf_table_free(t);
}

Test(render_hostile, terminal_replaces_control_bytes)
{
    lf_table *t = hostile_table();
    char *s = render("table", t);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        cr_assert(*p == '\n' || (*p >= 0x20 && *p != 0x7f), "control byte 0x%02x in:\n%s", *p, s);
    cr_expect_null(strstr(s, "\xc2\x9b"), "C1 control survived");
    expect_render("table", t,
                  "mql  2026-01-01 \xe2\x80\x93 2026-04-01 (to exclusive), as of "
                  "2026-04-15T00:00:00Z\n"
                  "\n"
                  "channel                           leads   cost\n"
                  "----------------------------------------------\n"
                  "=HYPERLINK(\"http://x\")               -5  -5.00\n"
                  "a,\"b\"                                 1   0.50\n"
                  "<script>alert(1)</script>             2   0.50\n"
                  "x?[31m?y??z                           3   0.50\n"
                  "bad? utf8                             4   0.50\n"
                  "+1 555                                5   0.50\n"
                  "@SUM(A1)                              6   0.50\n"
                  "?TAB                                  7   0.50\n"
                  "line?break                            8   0.50\n"
                  "a label far longer than thirty-\xe2\x80\xa6      9   0.50\n");
    free(s);
    lf_table_free(t);
}

Test(render_hostile, json_escapes_and_round_trips)
{
    lf_table *t = new_table("mql\"x", NULL, NULL);
    col(t, "channel", LF_COL_TEXT);
    col(t, "by_key", LF_COL_OBJECT);
    long r = row(t);
    text(t, r, 0, "a\"b\\c\n\x01</script>");
    lf_object *o = obj(t, r, 1);
    onum(o, "k\"\x02", 1);
    r = row(t);
    text(t, r, 0, "bad\xff");
    char *s = render("json", t);
    cr_expect(strstr(s, "\"report\": \"mql\\\"x\"") != NULL, "%s", s);
    cr_expect(strstr(s, "{\"channel\": \"a\\\"b\\\\c\\n\\u0001<\\/script>\", "
                        "\"by_key\": {\"k\\\"\\u0002\": 1}}") != NULL,
              "%s", s);
    cr_expect(strstr(s, "{\"channel\": \"bad?\", \"by_key\": null}") != NULL, "%s", s);
    json_error_t jerr;
    json_t *doc = json_loads(s, 0, &jerr);
    cr_assert_not_null(doc, "%s: %s", jerr.text, s);
    json_t *r0 = json_array_get(json_object_get(doc, "rows"), 0);
    cr_expect_str_eq(json_string_value(json_object_get(r0, "channel")), "a\"b\\c\n\x01</script>");
    cr_expect_eq(json_integer_value(json_object_get(json_object_get(r0, "by_key"), "k\"\x02")), 1);
    json_decref(doc);
    free(s);
    lf_table_free(t);
}

Test(render_hostile, json_writes_lt_slash_as_lt_backslash_slash)
{
    /* every string (report, columns, cells, object keys) can be inlined into a
     * <script> element: "</" is written "<\/", the same string in JSON */
    lf_table *t = new_table("a</b", NULL, NULL);
    col(t, "x</y", LF_COL_TEXT);
    col(t, "by", LF_COL_OBJECT);
    long r = row(t);
    text(t, r, 0, "<</</script><!--</>/<");
    onum(obj(t, r, 1), "</k", 2);
    char *s = render("json", t);
    cr_expect_null(strstr(s, "</"), "%s", s);
    cr_expect_str_eq(s, "{\n"
                        "  \"report\": \"a<\\/b\",\n"
                        "  \"from\": \"2026-01-01\",\n"
                        "  \"to\": \"2026-04-01\",\n"
                        "  \"by\": null,\n"
                        "  \"as_of\": \"2026-04-15T00:00:00Z\",\n"
                        "  \"columns\": [\"x<\\/y\", \"by\"],\n"
                        "  \"rows\": [\n"
                        "    {\"x<\\/y\": \"<<\\/<\\/script><!--<\\/>/<\", "
                        "\"by\": {\"<\\/k\": 2}}\n"
                        "  ],\n"
                        "  \"total\": null\n"
                        "}\n");
    json_error_t jerr;
    json_t *doc = json_loads(s, 0, &jerr);
    cr_assert_not_null(doc, "%s: %s", jerr.text, s);
    cr_expect_str_eq(json_string_value(json_object_get(doc, "report")), "a</b");
    json_t *r0 = json_array_get(json_object_get(doc, "rows"), 0);
    cr_expect_str_eq(json_string_value(json_object_get(r0, "x</y")), "<</</script><!--</>/<");
    cr_expect_eq(json_integer_value(json_object_get(json_object_get(r0, "by"), "</k")), 2);
    json_decref(doc);
    free(s);
    /* an object cell in CSV is JSON too; CSV text is not */
    s = render("csv", t);
    cr_expect(strstr(s, ",\"{\"\"<\\/k\"\":2}\"\n") != NULL, "%s", s);
    cr_expect(strstr(s, "<</</script><!--</>/<,") != NULL, "%s", s);
    free(s);
    lf_table_free(t);
}

Test(render_hostile, terminal_object_keys_are_cleaned_and_cut)
{
    lf_table *t = new_table("mql", NULL, NULL);
    col(t, "period", LF_COL_TEXT);
    col(t, "by_channel", LF_COL_OBJECT);
    long r = row(t);
    text(t, r, 0, "2026-01");
    lf_object *o = obj(t, r, 1);
    onum(o, "k\x1b[2J", 1);
    onum(o, "<script>", 2);
    onum(o, "an object key much longer than thirty-two columns", 3);
    expect_render(
        "table", t,
        "mql  2026-01-01 \xe2\x80\x93 2026-04-01 (to exclusive), as of "
        "2026-04-15T00:00:00Z\n"
        "\n"
        "period\n"
        "-------\n"
        "2026-01\n"
        "\n"
        "by_channel:\n"
        /* 11 + 7 + 2 + 10 + 2 + 34 = 66 columns: one line */
        "  2026-01  k?[2J 1, <script> 2, an object key much longer than \xe2\x80\xa6 3\n");
    lf_table_free(t);
}

/* ---- numbers --------------------------------------------------------------------------- */

Test(render_numbers, csv_reals_are_shortest_and_money_is_cents)
{
    lf_table *t = new_table("n", NULL, NULL);
    col(t, "k", LF_COL_TEXT);
    col(t, "v", LF_COL_NUMBER);
    col(t, "money", LF_COL_MONEY);
    const double v[] = {0.1 + 0.2, 1e-7, 1.234e-5, 1e15, 999999999999999.0, -0.0, 1.1, -2.5};
    const double m[] = {0.125, -0.125, 2.675, -0.001, 1e6, 0.005, 19.999, -1234.5};
    for (size_t i = 0; i < 8; i++) {
        long r = row(t);
        num(t, r, 1, v[i]);
        num(t, r, 2, m[i]);
    }
    /* 2.675 is 2.67499999999999982... as a double, but money rounds the decimal a
     * person wrote: 2.68 (and 0.125 -> 0.13, half away from zero). */
    expect_render("csv", t,
                  "k,v,money\n"
                  ",0.30000000000000004,0.13\n"
                  ",1e-07,-0.13\n"
                  ",0.00001234,2.68\n"
                  ",1e+15,0.00\n"
                  ",999999999999999,1000000.00\n"
                  ",0,0.01\n"
                  ",1.1,20.00\n"
                  ",-2.5,-1234.50\n");
    char *s = render("table", t);
    cr_expect(strstr(s, " 0.3          0.13\n") != NULL, "%s", s);
    cr_expect(strstr(s, " 0         -0.13\n") != NULL, "1e-7 shows as 0:\n%s", s);
    cr_expect(strstr(s, " 1e+15          0.00\n") != NULL, "%s", s);
    cr_expect(strstr(s, "999,999,999,999,999  1,000,000.00\n") != NULL, "%s", s);
    cr_expect(strstr(s, "-1,234.50\n") != NULL, "%s", s);
    free(s);
    s = render("json", t);
    cr_expect(strstr(s, "{\"k\": null, \"v\": 0.30000000000000004, \"money\": 0.13}") != NULL, "%s",
              s);
    cr_expect(strstr(s, "{\"k\": null, \"v\": 1e-07, \"money\": -0.13}") != NULL, "%s", s);
    cr_expect(strstr(s, "{\"k\": null, \"v\": 0.0, \"money\": 0.01}") != NULL, "%s", s);
    free(s);
    lf_table_free(t);
}

Test(render_numbers, rates_and_negative_zero_on_the_terminal)
{
    lf_table *t = new_table("r", NULL, NULL);
    col(t, "k", LF_COL_TEXT);
    col(t, "rate", LF_COL_RATE);
    col(t, "hours", LF_COL_HOURS);
    long r = row(t);
    text(t, r, 0, "a");
    num(t, r, 1, 123.456); /* 12,345.6% */
    num(t, r, 2, -0.04);   /* rounds to 0.0, not -0.0 */
    r = row(t);
    text(t, r, 0, "b");
    num(t, r, 1, -0.5);
    num(t, r, 2, 1234.56);
    expect_render("table", t,
                  "r  2026-01-01 \xe2\x80\x93 2026-04-01 (to exclusive), as of "
                  "2026-04-15T00:00:00Z\n"
                  "\n"
                  "k       rate    hours\n"
                  "---------------------\n"
                  "a  12,345.6%      0.0\n"
                  "b     -50.0%  1,234.6\n");
    lf_table_free(t);
}

/* ---- the model ------------------------------------------------------------------------ */

Test(table_model, columns_added_after_rows_keep_the_cells)
{
    lf_table *t = new_table("m", "day", "UTC");
    col(t, "period", LF_COL_TEXT);
    for (int i = 0; i < 40; i++) {
        long r = row(t);
        cr_assert_eq(r, i);
        char label[16];
        snprintf(label, sizeof label, "r%d", i);
        text(t, r, 0, label);
    }
    cr_assert_eq(lf_table_add_total(t), LF_OK);
    text(t, -1, 0, "all");
    int c = col(t, "n", LF_COL_COUNT);
    cr_assert_eq(c, 1);
    for (int i = 0; i < 40; i++) {
        char label[16];
        snprintf(label, sizeof label, "r%d", i);
        cr_expect_str_eq(lf_table_cell(t, i, 0)->text, label);
        cr_expect_eq(lf_table_cell(t, i, 1)->kind, LF_CELL_NULL);
    }
    cr_expect_str_eq(lf_table_cell(t, -1, 0)->text, "all");
    cr_expect_eq(lf_table_cell(t, -1, 1)->kind, LF_CELL_NULL);
    cr_expect_null(lf_table_cell(t, 40, 0));
    cr_expect_null(lf_table_cell(t, 0, 2));
    cr_expect_null(lf_table_cell(t, -2, 0));
    lf_table_free(t);
}

Test(table_model, cells_replace_their_contents)
{
    lf_table *t = new_table("m", NULL, NULL);
    col(t, "k", LF_COL_TEXT);
    col(t, "v", LF_COL_NUMBER);
    long r = row(t);
    lf_cell *c = lf_table_cell(t, r, 1);
    lf_object *o = lf_cell_set_object(c);
    cr_assert_not_null(o);
    cr_expect_eq(lf_object_add_num(o, "a", LF_COL_MONEY, 1.5), LF_OK);
    cr_expect_eq(lf_object_add_null(o, "b", LF_COL_RATE), LF_OK);
    cr_expect_eq(lf_object_add_num(o, "a", LF_COL_MONEY, 2), LF_OK);
    cr_expect_eq(lf_object_add_num(o, "b", LF_COL_RATE, 0.5), LF_OK);
    cr_expect_eq(lf_object_add_null(o, "a", LF_COL_MONEY), LF_OK); /* keeps 3.5 */
    cr_assert_eq(o->n, 2);
    cr_expect_str_eq(o->keys[0], "a");
    cr_expect(o->vals[0].kind == LF_CELL_NUM && o->vals[0].num == 3.5);
    cr_expect(o->vals[1].kind == LF_CELL_NUM && o->vals[1].num == 0.5);
    cr_expect_eq(lf_cell_set_text(c, "now text"), LF_OK); /* frees the object */
    cr_expect_eq(c->kind, LF_CELL_TEXT);
    cr_expect_null(c->obj);
    lf_cell_set_num(c, NAN);
    cr_expect_eq(c->kind, LF_CELL_NULL, "NaN is stored as null");
    cr_expect_null(c->text);
    lf_cell_set_num(c, INFINITY);
    cr_expect_eq(c->kind, LF_CELL_NULL);
    lf_cell_set_ratio(c, 1, 0);
    cr_expect_eq(c->kind, LF_CELL_NULL);
    lf_cell_set_ratio(c, 1, 4);
    cr_expect(c->kind == LF_CELL_NUM && c->num == 0.25);
    cr_expect_eq(lf_table_add_note(t, "%s %d", "n", 1), LF_OK);
    cr_expect_str_eq(t->notes[0], "n 1");
    lf_table_free(t);
    lf_table_free(NULL);
}

Test(render_errors, a_full_buffer_is_an_error_value)
{
    lf_table *t = period_table();
    const char *formats[] = {"table", "csv", "json"};
    for (size_t i = 0; i < 3; i++) {
        char *full = render(formats[i], t);
        size_t len = strlen(full);
        free(full);
        for (size_t cap = 1; cap <= len; cap += cap < len - 17 ? 17 : 1) {
            lf_buf b;
            lf_buf_init(&b, cap);
            lf_error err;
            lf_error_clear(&err);
            lf_status st = lf_renderer(formats[i])(t, &b, &err);
            if (cap < len) {
                cr_expect_eq(st, LF_EINPUT, "%s cap %zu", formats[i], cap);
                cr_expect(strstr(err.msg, "output is too large") != NULL, "%s", err.msg);
            } else {
                cr_expect_eq(st, LF_OK, "%s fits exactly", formats[i]);
            }
            lf_buf_release(&b);
        }
    }
    lf_error err;
    lf_buf b;
    lf_buf_init(&b, 0);
    cr_expect_eq(lf_render_text(NULL, &b, &err), LF_EINPUT);
    cr_expect_str_eq(err.msg, "no table to render");
    lf_buf_release(&b);
    lf_table_free(t);
}

Test(registry, formats_by_name)
{
    cr_expect_eq(lf_renderer("table"), lf_render_text);
    cr_expect_eq(lf_renderer("csv"), lf_render_csv);
    cr_expect_eq(lf_renderer("json"), lf_render_json);
    cr_expect_null(lf_renderer("html"));
    cr_expect_null(lf_renderer("JSON"));
    cr_expect_null(lf_renderer(NULL));
}
