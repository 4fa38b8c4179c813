/*
 * headline.c — the few numbers a revenue leader reads first, shown by `leadflow
 * demo` in the terminal. The lines are the key figures the reports declare
 * (lf_figure_spec.line in their presentations, src/report/registry.c), the same
 * list the HTML page's headline strip reads its cards from; every number is read
 * from a report table (mostly its `total` row), the tables the demo's report.html is
 * rendered from, so the headline can never disagree with the reports. The lines are
 * appended to a buffer: the front end prints them.
 *
 * Place in the flow: reports (tables) -> [headline] -> text for a terminal; numbers
 * are written as the terminal table writes them (render_fmt_number), data text
 * (persona and channel names) is escaped for the terminal (lf_text_escape_term),
 * and the SLA and target texts come from the one presentation context of the
 * configuration (lf_present_ctx_of).
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "leadflow/app_report.h"
#include "leadflow/present.h"
#include "leadflow/text.h"
#include "render/render.h"
#include "report_run.h"

/* The headline being written (leadflow/buf.h: appends stop at the first failure). */
typedef lf_out headline;


/* Numbers as the terminal table shows them (render_fmt_number: thousands separators,
 * money to cents, rates as percentages); "–" for NAN. buf >= RENDER_REAL_MAX. */
static const char *shown(double v, lf_col_type type, char *buf, size_t n)
{
    if (isnan(v))
        return "–";
    render_fmt_number(v, type, buf, n);
    return buf;
}

/* "name N (rate)" for the up to 3 rows of a dimension table with the
 * most of column `by`, best first; `rate` is a ratio column, shown as a percentage. */
static void top_rows(headline *h, const lf_table *t, int cb, int cr)
{
    if (!t || cb < 0 || cr < 0)
        return;
    size_t best[3];
    size_t nbest = 0;
    for (size_t r = 0; r < t->nrows; r++) {
        const lf_cell *v = &t->cells[r * t->ncols + (size_t)cb];
        if (v->kind != LF_CELL_NUM || v->num <= 0)
            continue;
        size_t k = nbest < 3 ? nbest++ : 3;
        while (k > 0 && t->cells[best[k - 1] * t->ncols + (size_t)cb].num < v->num) {
            if (k < 3)
                best[k] = best[k - 1];
            k--;
        }
        if (k < 3)
            best[k] = r;
    }
    for (size_t i = 0; i < nbest; i++) {
        const lf_cell *name = &t->cells[best[i] * t->ncols];
        const lf_cell *v = &t->cells[best[i] * t->ncols + (size_t)cb];
        const lf_cell *x = &t->cells[best[i] * t->ncols + (size_t)cr];
        char b1[RENDER_REAL_MAX], b2[RENDER_REAL_MAX];
        lf_out_addf(h, "%s", i ? "; " : "");
        if (h->st == LF_OK)
            h->st = lf_text_escape_term(h->b, name->kind == LF_CELL_TEXT ? name->text : "");
        lf_out_addf(h, " %s (%s)", shown(v->num, t->cols[cb].type, b1, sizeof b1),
            x->kind == LF_CELL_NUM ? shown(x->num, LF_COL_RATE, b2, sizeof b2) : "–");
    }
}

/* ---- the key figures' lines ---------------------------------------------------------------- */

/* What a figure's line is filled from: the run, the table, the words of the context. */
typedef struct term {
    headline *h;
    const report_run *r;
    const lf_table *t;
    lf_present_ctx ctx;
    bool obj;
} term;

static bool is(const char *p, size_t n, const char *word)
{
    return strlen(word) == n && strncmp(p, word, n) == 0;
}

static const lf_table *table_of(void *user, const char *name, size_t len)
{
    const term *w = user;
    for (size_t i = 0; i < w->r->n; i++) {
        const lf_table *t = w->r->t[i];
        if (t && t->report && strlen(t->report) == len && strncmp(t->report, name, len) == 0)
            return t;
    }
    return NULL;
}

/* {sla}, {target}, and {top BY RATE}: the top rows of the table (written to the
 * headline directly: names are escaped for the terminal). */
static bool word(void *user, const char *p, size_t n, lf_buf *out)
{
    term *w = user;
    if (is(p, n, "sla") || is(p, n, "target")) {
        const char *s = p[0] == 's' ? w->ctx.sla_text : w->ctx.target_text;
        return lf_buf_adds(out, s ? s : "") == LF_OK;
    }
    if (n < 4 || strncmp(p, "top ", 4) != 0)
        return false;
    const char *by = p + 4, *sp = memchr(by, ' ', n - 4);
    if (!sp)
        return false;
    headline sub = {.b = out, .st = LF_OK};
    top_rows(&sub, w->t, lf_table_col_n(w->t, by, (size_t)(sp - by)),
             lf_table_col_n(w->t, sp + 1, (size_t)(p + n - sp - 1)));
    return sub.st == LF_OK;
}

static bool flag(void *user, const char *p, size_t n)
{
    const term *w = user;
    if (is(p, n, "has_sla"))
        return w->ctx.sla_text != NULL;
    return is(p, n, "obj") && w->obj;
}

/* count, pct, money (as the terminal table), h ("1.5 h"), f1 ("%.1f"); "–" for null. */
static bool format(void *user, double v, const char *p, size_t n, lf_buf *out)
{
    (void)user;
    char b[RENDER_REAL_MAX];
    const char *s;
    if (is(p, n, "count") || is(p, n, "pct") || is(p, n, "money"))
        s = shown(v, p[0] == 'c' ? LF_COL_COUNT : p[0] == 'p' ? LF_COL_RATE : LF_COL_MONEY, b,
                  sizeof b);
    else if (is(p, n, "h") || is(p, n, "f1")) {
        if (p[0] == 'h')
            snprintf(b, sizeof b, "%.1f h", v);
        else
            snprintf(b, sizeof b, "%.1f", v);
        s = isnan(v) ? "–" : b;
    } else
        return false;
    return lf_buf_adds(out, s) == LF_OK;
}

typedef struct line_at {
    const lf_table *t;
    const lf_figure_spec *fig;
} line_at;

/* The figures with a terminal line over the run's tables, by line_order (stable). */
static size_t lines_of(const report_run *r, line_at *out, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < r->n; i++) {
        const lf_present *p = r->t[i] ? r->t[i]->present : NULL;
        for (size_t k = 0; p && k < p->nfigures && n < max; k++) {
            if (!p->figures[k].line)
                continue;
            size_t j = n++;
            for (; j > 0 && out[j - 1].fig->line_order > p->figures[k].line_order; j--)
                out[j] = out[j - 1];
            out[j] = (line_at){r->t[i], &p->figures[k]};
        }
    }
    return n;
}

static void figure_line(headline *h, const lf_config *cfg, const report_run *r, const line_at *l)
{
    term w = {.h = h, .r = r, .t = l->t, .ctx = lf_present_ctx_of(cfg)};
    lf_present_scope s = lf_present_scope_of(l->t, &w.ctx);
    for (size_t row = 0; l->fig->object && row < l->t->nrows && !s.obj; row++)
        s.obj = lf_present_obj(l->t, (long)row, l->fig->object);
    w.obj = s.obj != NULL;
    s.table_of = table_of;
    s.word = word;
    s.flag = flag;
    s.format = format;
    s.user = &w;
    if (h->st == LF_OK)
        h->st = lf_present_text(&s, l->fig->line, h->b);
}

lf_status report_headline(const lf_config *cfg, const lf_report_args *a, const report_run *r,
                          lf_buf *out)
{
    headline h = {.b = out, .st = LF_OK};
    char from[16], to[16];
    lf_date_format(a->from_day, from, sizeof from);
    lf_date_format(a->to_day, to, sizeof to);
    lf_out_addf(&h, "\nheadline, %s to %s (12 months to this month)\n", from, to);
    line_at lines[64];
    size_t n = lines_of(r, lines, sizeof lines / sizeof lines[0]);
    for (size_t i = 0; i < n; i++)
        figure_line(&h, cfg, r, &lines[i]);
    return h.st;
}
