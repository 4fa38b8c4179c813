/*
 * test_present.c — unit tests of the presentation specs (include/leadflow/present.h,
 * src/core/present.c, the specs in src/report/registry.c).
 *
 * The main check: every column a report's presentation names (chart series, rows,
 * reference lines, texts, key figures) exists in the table that report returns, run
 * on the shared dataset fixture, so renaming a column cannot silently drop a chart
 * series or a headline figure. Every column of every report is declared with a
 * one-line definition (the text of `report NAME --help`, the HTML headers and
 * docs/reports.md), and the table has exactly the declared columns. Then the
 * evaluation rules of refs, conditions and texts.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ds_fixture.h"
#include "leadflow/present.h"
#include "leadflow/report.h"

static void setup(void)
{
    ds_setup_config(true);
    cfg.has_sla = true;
    cfg.sla.clock = LF_CLOCK_BUSINESS;
    cfg.sla.usec = 2 * lf_calendar_day_length(&cfg.calendar);
    memcpy(cfg.sla.text, "2bd", 4);
    ds_setup_dataset(true);
    /* a little of everything: a won lead with a handoff, a rejected one, spend */
    ds_lead(B(2026, 1, 5, 10, 0), name("cto"), name("paid_search"), 0);
    go(B(2026, 1, 6, 10, 0), LF_STAGE_MQL);
    ds_handoff(B(2026, 1, 6, 10, 0), B(2026, 1, 7, 10, 0), LF_OUTCOME_ACCEPTED,
               B(2026, 1, 6, 10, 30), 0);
    go(B(2026, 1, 7, 10, 0), LF_STAGE_SQL);
    go(B(2026, 2, 10, 10, 0), LF_STAGE_OPPORTUNITY);
    go(B(2026, 3, 2, 10, 0), LF_STAGE_CUSTOMER);
    ds.leads[ds.nleads - 1].revenue = 1000;
    ds_lead(B(2026, 1, 20, 9, 0), name("cfo"), name("organic"), 0);
    go(B(2026, 2, 2, 9, 0), LF_STAGE_MQL);
    ds_handoff(B(2026, 2, 2, 9, 0), B(2026, 2, 3, 9, 0), LF_OUTCOME_REJECTED, NONE,
               name("budget"));
    amount_on(ds.costs, &ds.ncosts, 2026, 1, 0, "paid_search", 500);
    amount_on(ds.traffic, &ds.ntraffic, 2026, 1, 0, "paid_search", 100);
}

TestSuite(present, .init = setup, .fini = ds_teardown);

/* ---- every named column exists ----------------------------------------------------------- */

typedef struct check {
    const lf_table *const *tables; /* the run of every report, registry order */
    const lf_report_def *defs;
    size_t n;
    const lf_table *own;
    const char *report; /* for messages */
    size_t named, missing;
    char first_missing[128];
} check;

static void named(void *user, const char *report, size_t rlen, const char *c, size_t clen)
{
    check *k = user;
    const lf_table *t = k->own;
    if (report) {
        t = NULL;
        for (size_t i = 0; i < k->n; i++)
            if (strlen(k->defs[i].name) == rlen && strncmp(k->defs[i].name, report, rlen) == 0)
                t = k->tables[i];
        cr_expect_not_null(t, "%s: names report '%.*s', which is not registered", k->report,
                           (int)rlen, report);
    }
    k->named++;
    char col[128];
    snprintf(col, sizeof col, "%.*s", (int)clen, c);
    if (t && lf_present_col(t, col) >= 0)
        return;
    if (!k->missing++)
        snprintf(k->first_missing, sizeof k->first_missing, "%s", col);
    cr_expect(false, "report '%s': its presentation names column '%s' (of %.*s), which its "
                     "table does not have", k->report, col, report ? (int)rlen : 4,
              report ? report : "self");
}

Test(present, every_column_a_spec_names_exists_in_its_table)
{
    size_t n;
    const lf_report_def *defs = lf_report_list(&n);
    lf_table *tables[32] = {0};
    cr_assert_leq(n, 32);
    for (size_t i = 0; i < n; i++) {
        tables[i] = run(defs[i].fn, D(2026, 1, 1), D(2026, 4, 1), LF_BY_MONTH,
                        B(2026, 3, 15, 12, 0));
        cr_expect_eq(tables[i]->present, defs[i].present,
                     "%s: the registered function attaches the presentation", defs[i].name);
    }
    size_t total = 0;
    for (size_t i = 0; i < n; i++) {
        cr_expect_not_null(defs[i].present, "%s has a presentation", defs[i].name);
        check k = {.tables = (const lf_table *const *)tables,
                   .defs = defs,
                   .n = n,
                   .own = tables[i],
                   .report = defs[i].name};
        lf_present_columns(defs[i].present, named, &k);
        cr_expect_eq(k.missing, 0, "%s: first missing column '%s'", defs[i].name,
                     k.first_missing);
        total += k.named;
    }
    cr_expect_gt(total, 100, "the walk sees the specs' columns (%zu)", total);
    for (size_t i = 0; i < n; i++)
        lf_table_free(tables[i]);
}

/* ---- every column is declared with its definition ------------------------------------------ */

/* Every registered report: the reports of `all`, then the ones with an argument. */
static size_t all_defs(const lf_report_def **out, size_t cap)
{
    size_t n, m, k = 0;
    const lf_report_def *a = lf_report_list(&n), *b = lf_report_list_more(&m);
    for (size_t i = 0; i < n && k < cap; i++)
        out[k++] = &a[i];
    for (size_t i = 0; i < m && k < cap; i++)
        out[k++] = &b[i];
    return k;
}

/* A one-line plain text: printable ASCII ending with a full stop; in a table cell
 * (docs/reports.md puts a definition in a Markdown table) no '|' and no '`'. */
static void expect_one_line(const char *report, const char *what, const char *s, bool cell)
{
    cr_assert_not_null(s, "%s: %s has a text", report, what);
    size_t n = strlen(s);
    cr_expect(n > 0 && n <= LF_COL_DEF_MAX, "%s: %s is 1 to %d bytes long (%zu)", report, what,
              LF_COL_DEF_MAX, n);
    for (size_t i = 0; i < n; i++)
        cr_expect(s[i] >= 0x20 && s[i] < 0x7f && !(cell && (s[i] == '|' || s[i] == '`')),
                  "%s: %s: byte %zu (0x%02x) is not printable ASCII%s", report, what, i,
                  (unsigned char)s[i], cell ? " or is | or `" : "");
    cr_expect(n > 0 && s[n - 1] == '.', "%s: %s ends with a full stop", report, what);
}

Test(present, every_column_of_every_report_has_a_definition)
{
    const lf_report_def *defs[32];
    size_t n = all_defs(defs, 32), ncols = 0;
    cr_assert_geq(n, 12, "every report, segment included (%zu)", n);
    for (size_t i = 0; i < n; i++) {
        const lf_present *p = defs[i]->present;
        const char *r = defs[i]->name;
        cr_assert(p && p->cols && p->cols[0].name, "%s declares its columns", r);
        expect_one_line(r, "the options line", p->options, false);
        for (const lf_col_spec *c = p->cols; c->name; c++, ncols++) {
            expect_one_line(r, c->name, c->def, true);
            for (const lf_col_spec *d = p->cols; d < c; d++)
                cr_expect_str_neq(d->name, c->name, "%s: column %s declared twice", r, c->name);
        }
        cr_expect_eq(p->cols[0].type, LF_COL_TEXT, "%s: the first column is the dimension", r);
    }
    cr_expect_gt(ncols, 90, "the walk sees every column (%zu)", ncols);
}

/* The table a report returns has exactly the columns its presentation lists, with the
 * same types and definitions: the help, the docs and the HTML headers describe the
 * columns the report computes. */
Test(present, every_table_has_the_declared_columns_and_definitions)
{
    ds.segment = calloc(ds.nleads, sizeof *ds.segment); /* segment: by each lead's channel */
    cr_assert_not_null(ds.segment);
    for (size_t i = 0; i < ds.nleads; i++)
        ds.segment[i] = ds.leads[i].channel;
    ds.segment_attr = strdup("channel");
    const lf_report_def *defs[32];
    size_t n = all_defs(defs, 32);
    for (size_t i = 0; i < n; i++) {
        const lf_col_spec *c = defs[i]->present->cols;
        lf_table *t = run(defs[i]->fn, D(2026, 1, 1), D(2026, 4, 1), LF_BY_MONTH,
                          B(2026, 3, 15, 12, 0));
        size_t k = 0;
        for (; c[k].name && k < t->ncols; k++) {
            cr_expect_str_eq(t->cols[k].name, c[k].name, "%s: column %zu", defs[i]->name, k);
            cr_expect_eq(t->cols[k].type, c[k].type, "%s: type of %s", defs[i]->name, c[k].name);
            cr_expect_eq(t->cols[k].def, c[k].def, "%s: definition of %s", defs[i]->name,
                         c[k].name);
        }
        cr_expect(!c[k].name && k == t->ncols, "%s: %zu columns in the table, as declared",
                  defs[i]->name, t->ncols);
        lf_table_free(t);
    }
}

typedef struct absent {
    const lf_table *t;
    size_t named, missing;
    char last[64];
} absent;

static void count_absent(void *user, const char *report, size_t rlen, const char *c, size_t clen)
{
    absent *w = user;
    char col[64];
    (void)report;
    (void)rlen;
    snprintf(col, sizeof col, "%.*s", (int)clen, c);
    w->named++;
    if (lf_present_col(w->t, col) < 0) {
        w->missing++;
        snprintf(w->last, sizeof w->last, "%s", col);
    }
}

Test(present, a_renamed_column_is_found)
{
    static const lf_series_spec s[] = {{"x", "mqls-no_such_column?", LF_SERIES_BAR, LF_BLUE, 0}};
    static const lf_ref_spec refs[] = {{"finite ctx:sla_h", "ctx:sla_h", "o:goal", NULL, 0}};
    static const lf_chart_spec c[] = {{.title = "{t:renamed:count} of {by}",
                                       .desc = "{?null t:gone|a|{r:mqls:pct}}",
                                       .series = s,
                                       .nseries = 1,
                                       .refs = refs,
                                       .nrefs = 1}};
    static const lf_present p = {"T", "Q?", .charts = c, .ncharts = 1};
    lf_table *t = run(lf_report_find("mql")->fn, D(2026, 1, 1), D(2026, 4, 1), LF_BY_MONTH,
                      B(2026, 3, 15, 12, 0));
    absent w = {.t = t};
    lf_present_columns(&p, count_absent, &w);
    /* mqls twice, no_such_column, renamed, gone; ctx and object keys are not columns */
    cr_expect_eq(w.named, 5);
    cr_expect_eq(w.missing, 3);
    lf_table_free(t);
}

/* ---- evaluation ---------------------------------------------------------------------------- */

static lf_table *small_table(void)
{
    lf_table *t = lf_table_new("x", D(2026, 1, 1), D(2026, 2, 1), "month", 0, "UTC");
    cr_assert_geq(lf_table_add_col(t, "period", LF_COL_TEXT), 0);
    int a = lf_table_add_col(t, "a", LF_COL_COUNT), b = lf_table_add_col(t, "b", LF_COL_COUNT);
    int o = lf_table_add_col(t, "o", LF_COL_OBJECT);
    long r = lf_table_add_row(t);
    cr_assert_eq(lf_cell_set_text(lf_table_cell(t, r, 0), "2026-01"), LF_OK);
    lf_cell_set_num(lf_table_cell(t, r, a), 10);
    lf_cell_set_num(lf_table_cell(t, r, b), 4);
    lf_object *obj = lf_cell_set_object(lf_table_cell(t, r, o));
    cr_assert_not_null(obj);
    cr_assert_eq(lf_object_add_num(obj, "k", LF_COL_COUNT, 7), LF_OK);
    cr_assert_eq(lf_table_add_total(t), LF_OK);
    lf_cell_set_num(lf_table_cell(t, -1, a), 10); /* total b stays null */
    return t;
}

Test(present, refs_expressions_and_conditions)
{
    lf_table *t = small_table();
    lf_present_ctx ctx = lf_present_ctx_none();
    ctx.target_hours = 1;
    lf_present_scope s = lf_present_scope_of(t, &ctx);
    s.row = 0;
    s.obj = lf_present_obj(t, 0, "o");
    cr_expect_eq(lf_present_ref(&s, "r:a-b"), 6);
    cr_expect_eq(lf_present_ref(&s, "r:a+b"), 14);
    cr_expect(isnan(lf_present_ref(&s, "t:a-b")), "a null term makes the value null");
    cr_expect_eq(lf_present_ref(&s, "t:a-b?"), 10, "a '?' term counts null as 0");
    cr_expect(isnan(lf_present_ref(&s, "t:nope")));
    cr_expect_eq(lf_present_ref(&s, "o:k"), 7);
    cr_expect_eq(lf_present_ref(&s, "ctx:target_h"), 1);
    cr_expect_eq(lf_present_ref(&s, "0.25"), 0.25);
    cr_expect(lf_present_cond(&s, "null t:b"));
    cr_expect(lf_present_cond(&s, "finite t:a"));
    cr_expect(lf_present_cond(&s, "pos r:b"));
    cr_expect(lf_present_cond(&s, "ge r:a r:b"));
    cr_expect(!lf_present_cond(&s, "ge r:a t:b"), "ge is false on a null");
    cr_expect(!lf_present_cond(&s, "ne ctx:target_h 1"));
    cr_expect(lf_present_cond(&s, "ne ctx:sla_h 1"), "ne is true on a null");
    cr_expect(!lf_present_cond(&s, "unknown_word"), "a word without a flag callback is false");
    lf_table_free(t);
}

static bool fmt_plain(void *user, double v, const char *f, size_t n, lf_buf *out)
{
    (void)user;
    if (n != 1 || f[0] != 'n')
        return false;
    return lf_buf_addf(out, "%g", v) == LF_OK;
}

static bool word_w(void *user, const char *p, size_t n, lf_buf *out)
{
    (void)user;
    return n == 1 && p[0] == 'w' && lf_buf_adds(out, "W") == LF_OK;
}

Test(present, texts_fill_placeholders_and_nested_conditions)
{
    lf_table *t = small_table();
    lf_present_scope s = lf_present_scope_of(t, NULL);
    s.row = 0;
    s.format = fmt_plain;
    s.word = word_w;
    lf_buf b;
    lf_buf_init(&b, 0);
    cr_assert_eq(lf_present_text(&s, "{w}: {r:a-b:n} {?null t:b|{?pos r:a|yes {r:a:n}|no}|x}.", &b),
                 LF_OK);
    cr_assert_eq(lf_buf_addc(&b, '\0'), LF_OK);
    cr_expect_str_eq(b.data, "W: 6 yes 10.");
    lf_buf_reset(&b);
    cr_expect_eq(lf_present_text(&s, "{unknown}", &b), LF_EINPUT);
    cr_expect_eq(lf_present_text(&s, "{r:a:nope}", &b), LF_EINPUT);
    cr_expect_eq(lf_present_text(&s, "{?null t:b|a}", &b), LF_EINPUT);
    cr_expect_eq(lf_present_text(&s, "open {w", &b), LF_EINPUT);
    lf_buf_release(&b);
    lf_table_free(t);
}
