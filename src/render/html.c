/*
 * html.c — the HTML report page (see html.h): template, headline strip, one
 * section per report with its charts, table and notes.
 *
 * Place in the flow: tables (and, for the headline, the same reports over the
 * previous period) -> one self-contained HTML page in an lf_buf. The page template
 * and its CSS are assets/report/report.html and report.css, embedded at build
 * time; the template's double-brace slots ({{reports}}, ...) are filled here, and a
 * slot the code does not know is an error, so a typo in the template fails the
 * tests instead of shipping.
 *
 * Invariants:
 *   - every text that did not come from this source file is written through
 *     mk_text (markup.h), the page's one escaping function;
 *   - the page references nothing outside itself: no scripts, no URLs; links are
 *     in-page anchors; the template's Content-Security-Policy forbids loading
 *     anything else;
 *   - the output depends only on the tables and the context (no clock, no
 *     locale), so the same data gives the same bytes and golden tests can hold it.
 * A column header's title is "name: definition" (lf_column.def, the report's own
 * one-line definition), so every header explains itself on hover, in the report
 * page and in the dashboard that embeds it.
 * Section ids are "report-NAME", chart figures "fig-NAME-K": the browser test and
 * in-page links rely on them.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "charts.h"
#include "html_parts.h"
#include "render.h"

/* Embedded by cmake/embed.cmake from assets/report/. */
extern const unsigned char lf_asset_report_report_html[];
extern const size_t lf_asset_report_report_html_len;
extern const unsigned char lf_asset_report_report_css[];
extern const size_t lf_asset_report_report_css_len;

#define OBJ_SHOWN 8 /* object entries shown in a table cell before "… N more" */

/* The report name as an id fragment: [a-z0-9-] only. */
static void id_of(const char *name, char *buf, size_t size)
{
    size_t k = 0;
    for (const char *p = name ? name : "report"; *p && k + 1 < size; p++)
        buf[k++] = (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ? *p : '-';
    buf[k] = '\0';
}

/* An instant for people: UTC to the second ("2026-04-14T22:00:00Z"); the exact
 * value, to the microsecond, is in the JSON output. */
void html_instant(lf_time t, char *buf, size_t size)
{
    lf_time s = t - ((t % LF_USEC_PER_SEC) + LF_USEC_PER_SEC) % LF_USEC_PER_SEC;
    lf_time_format_utc(s, buf, size);
}

lf_html_context lf_html_context_none(void)
{
    return lf_present_ctx_none();
}

/* The report's title: its presentation's, or its name. */
static const char *title_of(const lf_table *t)
{
    return t->present && t->present->title ? t->present->title : t->report;
}

/* ---- tables ------------------------------------------------------------------------- */

static bool numeric(lf_col_type type)
{
    return type != LF_COL_TEXT && type != LF_COL_OBJECT;
}

/* "key n, key n, …": an object cell, at most OBJ_SHOWN entries. */
static void object_cell(mk_out *o, const lf_cell *c)
{
    if (c->kind != LF_CELL_OBJ || !c->obj) {
        mk_raw(o, MK_NULL_MARK);
        return;
    }
    if (c->obj->n == 0) {
        mk_raw(o, "(none)");
        return;
    }
    mk_raw(o, "<div>");
    for (size_t i = 0; i < c->obj->n && i < OBJ_SHOWN; i++) {
        char b[MK_NUM_MAX];
        mk_fmt_cell(&c->obj->vals[i], c->obj->types[i], b, sizeof b);
        if (i)
            mk_raw(o, ", ");
        mk_text(o, c->obj->keys[i]);
        mk_raw(o, "\xc2\xa0"); /* no-break space keeps a key with its number */
        mk_text(o, b);
    }
    if (c->obj->n > OBJ_SHOWN)
        mk_rawf(o, ", \xe2\x80\xa6 %zu more", c->obj->n - OBJ_SHOWN);
    mk_raw(o, "</div>");
}

static void table_row(mk_out *o, const lf_table *t, const lf_cell *row, bool total)
{
    mk_raw(o, "<tr>");
    for (size_t c = 0; c < t->ncols; c++) {
        const lf_column *col = &t->cols[c];
        const lf_cell *cell = &row[c];
        if (c == 0) {
            mk_raw(o, "<th scope=\"row\">");
            if (total) {
                mk_raw(o, "total");
            } else {
                char b[MK_NUM_MAX];
                if (cell->kind == LF_CELL_TEXT && cell->text)
                    mk_text(o, cell->text);
                else {
                    mk_fmt_cell(cell, col->type, b, sizeof b);
                    mk_text(o, b);
                }
            }
            mk_raw(o, "</th>");
            continue;
        }
        if (col->type == LF_COL_OBJECT) {
            mk_raw(o, "<td class=\"obj\">");
            object_cell(o, cell);
        } else if (cell->kind == LF_CELL_TEXT && cell->text) {
            mk_raw(o, "<td>");
            mk_text(o, cell->text);
        } else {
            char b[MK_NUM_MAX];
            mk_fmt_cell(cell, col->type, b, sizeof b);
            mk_raw(o, numeric(col->type) ? "<td class=\"n\">" : "<td>");
            mk_text(o, b);
        }
        mk_raw(o, "</td>");
    }
    mk_raw(o, "</tr>\n");
}

static void table(mk_out *o, const lf_table *t, const char *id)
{
    mk_rawf(o,
            "<div class=\"table-wrap\" tabindex=\"0\" role=\"region\" "
            "aria-labelledby=\"report-%s-h\">\n<table>\n<thead><tr>",
            id);
    for (size_t c = 0; c < t->ncols; c++) {
        char h[128];
        mk_humanize(t->cols[c].name, h, sizeof h);
        mk_raw(o, c > 0 && numeric(t->cols[c].type) ? "<th scope=\"col\" class=\"n\" title=\""
                                                    : "<th scope=\"col\" title=\"");
        mk_text(o, t->cols[c].name);
        if (t->cols[c].def) { /* the header explains itself: "name: definition" */
            mk_raw(o, ": ");
            mk_text(o, t->cols[c].def);
        }
        mk_raw(o, "\">");
        mk_text(o, h);
        mk_raw(o, "</th>");
    }
    mk_raw(o, "</tr></thead>\n<tbody>\n");
    for (size_t r = 0; r < t->nrows; r++)
        table_row(o, t, t->cells + r * t->ncols, false);
    mk_raw(o, "</tbody>\n");
    if (t->has_total && t->total) {
        mk_raw(o, "<tfoot>\n");
        table_row(o, t, t->total, true);
        mk_raw(o, "</tfoot>\n");
    }
    mk_raw(o, "</table>\n</div>\n");
}

/* ---- sections -------------------------------------------------------------------------- */

static lf_status section(mk_out *o, const lf_table *t, const lf_html_context *ctx)
{
    char id[48];
    id_of(t->report, id, sizeof id);
    mk_rawf(o, "<section class=\"report\" id=\"report-%s\" aria-labelledby=\"report-%s-h\">\n", id,
            id);
    mk_rawf(o, "<h2 id=\"report-%s-h\">", id);
    mk_text(o, title_of(t));
    mk_raw(o, "</h2>\n");
    if (t->present && t->present->question) {
        mk_raw(o, "<p class=\"lede\">");
        mk_text(o, t->present->question);
        mk_raw(o, "</p>\n");
    }
    /* the charts go into their own buffer: the wrapper is written only if any */
    lf_buf cb;
    lf_buf_init(&cb, 0);
    mk_out co = {.b = &cb, .st = LF_OK};
    size_t n = charts_write(&co, t, ctx);
    if (co.st != LF_OK && o->st == LF_OK)
        o->st = co.st;
    if (n && co.st == LF_OK) {
        mk_raw(o, "<div class=\"charts\">\n");
        if (o->st == LF_OK)
            o->st = lf_buf_add(o->b, cb.data, cb.len);
        mk_raw(o, "</div>\n");
    }
    lf_buf_release(&cb);
    table(o, t, id);
    if (t->nnotes) {
        mk_raw(o, "<ul class=\"notes\">\n");
        for (size_t i = 0; i < t->nnotes; i++) {
            mk_raw(o, "<li>");
            mk_text(o, t->notes[i]);
            mk_raw(o, "</li>\n");
        }
        mk_raw(o, "</ul>\n");
    }
    mk_raw(o, "</section>\n");
    return o->st;
}

/* ---- page --------------------------------------------------------------------------------- */

typedef struct slot {
    const char *name;
    lf_buf buf;
} slot;

/* Copies the template to out with every {{name}} replaced by its slot. */
static lf_status fill(const char *tpl, size_t len, slot *slots, size_t nslots, lf_buf *out,
                      lf_error *err)
{
    size_t i = 0;
    while (i < len) {
        const char *open = strstr(tpl + i, "{{");
        if (!open) {
            lf_status st = lf_buf_add(out, tpl + i, len - i);
            return st == LF_OK ? LF_OK : render_buf_error(st, err, "html");
        }
        size_t at = (size_t)(open - tpl);
        const char *close = strstr(open + 2, "}}");
        if (!close)
            return lf_errorf(err, LF_EINPUT, "report template: unclosed '{{'");
        size_t nlen = (size_t)(close - open - 2);
        slot *s = NULL;
        for (size_t k = 0; k < nslots && !s; k++)
            if (strlen(slots[k].name) == nlen && strncmp(slots[k].name, open + 2, nlen) == 0)
                s = &slots[k];
        if (!s)
            return lf_errorf(err, LF_EINPUT, "report template: unknown slot '%.*s'",
                             (int)(nlen < 40 ? nlen : 40), open + 2);
        lf_status st = lf_buf_add(out, tpl + i, at - i);
        if (st == LF_OK)
            st = lf_buf_add(out, s->buf.data ? s->buf.data : "", s->buf.len);
        if (st != LF_OK)
            return render_buf_error(st, err, "html");
        i = (size_t)(close - tpl) + 2;
    }
    return LF_OK;
}

enum {
    S_VERSION,
    S_TITLE,
    S_CSS,
    S_HEADING,
    S_META,
    S_NAV,
    S_NOTES,
    S_HEADLINE,
    S_REPORTS,
    S_FOOTER,
    S_N
};

/* The page's table of contents (report all). */
static void page_nav(mk_out *o, const lf_html_page *page)
{
    mk_raw(o, "<nav aria-label=\"Reports\"><ul>\n");
    if (page->prev)
        mk_raw(o, "<li><a href=\"#headline\">Headline</a></li>\n");
    for (size_t i = 0; i < page->ntables; i++) {
        if (!page->tables[i])
            continue;
        char id[48];
        id_of(page->tables[i]->report, id, sizeof id);
        mk_rawf(o, "<li><a href=\"#report-%s\">", id);
        mk_text(o, title_of(page->tables[i]));
        mk_raw(o, "</a></li>\n");
    }
    mk_raw(o, "</ul></nav>");
}

/* The notes about the run as a whole, before any number. */
static void page_notes(mk_out *o, const lf_html_page *page)
{
    /* what the reader must know before reading any number (an empty range) */
    mk_raw(o, "<div class=\"page-notes\" role=\"note\">\n");
    for (size_t i = 0; i < page->nnotes; i++) {
        mk_raw(o, "<p>");
        mk_text(o, page->notes[i]);
        mk_raw(o, "</p>\n");
    }
    mk_raw(o, "</div>\n");
}

/* The page's footer: what the numbers mean, the benchmarks' sources. */
static void page_footer(mk_out *o)
{
    mk_rawf(o,
            "<p>Made by leadflow %s from the workspace's data. The page is self-contained: it "
            "loads nothing from the network and runs no scripts.</p>\n"
            "<p>Rates are fractions of the denominator named in each column; an en dash, "
            "\xe2\x80\x93, means a figure cannot be computed: its denominator is zero, or its "
            "input was never imported (the notes under the table say which); money is in the "
            "currency of the "
            "imported spend and revenue; hours are calendar hours except SLA response times, "
            "which are on the SLA clock.</p>\n"
            "<p>Benchmarks from the literature: first contact within one hour (only 37%% of "
            "companies manage it; those that do are about 7\xc3\x97 likelier to reach a "
            "decision maker); lead-to-customer conversion typically 2\xe2\x80\x93"
            "5%%; "
            "marketing-sourced customers 20\xe2\x80\x93"
            "40%% (field sales) or "
            "40\xe2\x80\x93"
            "80%% (inside sales with lead-focused marketing).</p>",
            LF_VERSION);
}

lf_status lf_html_render_page(const lf_html_page *page, lf_buf *out, lf_error *err)
{
    if (!page || !page->ntables || !page->tables[0])
        return lf_errorf(err, LF_EINPUT, "no table to render");
    const lf_table *first = page->tables[0];
    bool single = page->ntables == 1;
    slot s[S_N] = {{"version", {0}}, {"title", {0}},    {"css", {0}},
                   {"heading", {0}}, {"meta", {0}},     {"nav", {0}},
                   {"notes", {0}},   {"headline", {0}}, {"reports", {0}},
                   {"footer", {0}}};
    mk_out o[S_N];
    for (size_t k = 0; k < S_N; k++) {
        lf_buf_init(&s[k].buf, 0);
        o[k] = (mk_out){.b = &s[k].buf, .st = LF_OK};
    }
    char from[16], to[16], as_of[40];
    lf_date_format(first->from_day, from, sizeof from);
    lf_date_format(first->to_day - 1, to, sizeof to);
    html_instant(first->as_of, as_of, sizeof as_of);
    const char *heading = single ? title_of(first) : "Marketing funnel report";

    mk_text(&o[S_VERSION], LF_VERSION);
    mk_text(&o[S_TITLE], heading);
    mk_rawf(&o[S_TITLE], " \xe2\x80\x94 %s to %s \xe2\x80\x94 leadflow", from, to);
    if (o[S_CSS].st == LF_OK)
        o[S_CSS].st =
            lf_buf_add(&s[S_CSS].buf, lf_asset_report_report_css, lf_asset_report_report_css_len);
    mk_text(&o[S_HEADING], heading);
    mk_rawf(&o[S_META], "%s \xe2\x80\x93 %s", from, to);
    if (first->by && (!single || lf_present_col(first, "period") == 0)) {
        mk_raw(&o[S_META], " \xc2\xb7 by ");
        mk_text(&o[S_META], first->by); /* table text: through mk_text like all of it */
    }
    mk_rawf(&o[S_META], " \xc2\xb7 as of %s", as_of);
    if (first->tz_name) {
        mk_raw(&o[S_META], " (times in ");
        mk_text(&o[S_META], first->tz_name);
        mk_raw(&o[S_META], ")");
    }
    if (!single)
        page_nav(&o[S_NAV], page);
    if (page->nnotes)
        page_notes(&o[S_NOTES], page);
    if (page->prev)
        html_headline(&o[S_HEADLINE], page);
    for (size_t i = 0; i < page->ntables; i++)
        if (page->tables[i])
            section(&o[S_REPORTS], page->tables[i], &page->ctx);
    page_footer(&o[S_FOOTER]);

    lf_status st = LF_OK;
    for (size_t k = 0; k < S_N && st == LF_OK; k++)
        if (o[k].st != LF_OK)
            st = render_buf_error(o[k].st, err, "html");
    if (st == LF_OK)
        st = fill((const char *)lf_asset_report_report_html, lf_asset_report_report_html_len, s,
                  S_N, out, err);
    for (size_t k = 0; k < S_N; k++)
        lf_buf_release(&s[k].buf);
    return st;
}

lf_status lf_render_html(const lf_table *t, lf_buf *out, lf_error *err)
{
    const lf_table *tables[1] = {t};
    lf_html_page page = {.tables = tables, .ntables = 1, .ctx = lf_html_context_none()};
    return lf_html_render_page(&page, out, err);
}
