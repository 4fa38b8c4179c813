/*
 * html_headline.c — the headline strip of the HTML report: the key figures the
 * reports declare (lf_present.figures, present.h), each as a card with its change
 * against the previous period and its benchmark.
 *
 * Place in the flow: html.c calls html_headline for `report all` with the tables of
 * the range and of the previous period. Which figures exist, their order, labels,
 * formats, texts and benchmarks are data of the reports (src/report/registry.c); this
 * file only lays them out and decides whether a change can be shown.
 *
 * Invariants: every text goes through mk_text; a figure whose input was never
 * imported is shown as missing, never as a real-looking 0 (SPEC §7); a previous
 * period that the data barely reaches is not compared (PREV_MIN_*).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "html_parts.h"
#include "ptext.h"

/* ---- headline strip ------------------------------------------------------------------------ */

/* A previous value is compared only when it rests on at least PREV_MIN_BASE events
 * (its own count, or the count its rate is taken over) and the previous period holds
 * at least PREV_MIN_SHARE of the current period's new leads: otherwise the store's
 * data barely reaches into it (a data set that begins late in the previous period)
 * and a change such as +3505.6% would say nothing about the business. */
#define PREV_MIN_BASE 20.0
#define PREV_MIN_SHARE 0.10

/* The change line of a card: rates in percentage points, other values relative. */
static void change(mk_out *o, double cur, double prev, lf_col_type type, lf_polarity pol)
{
    char pv[MK_NUM_MAX];
    mk_fmt_value(prev, type, pv, sizeof pv);
    if (!isfinite(cur) || !isfinite(prev) || (type != LF_COL_RATE && prev == 0)) {
        mk_raw(o, "<p class=\"chg neutral\">previous period: ");
        mk_text(o, pv);
        mk_raw(o, "</p>\n");
        return;
    }
    double d = type == LF_COL_RATE ? (cur - prev) * 100.0 : (cur / prev - 1.0) * 100.0;
    bool flat = fabs(d) < 0.05;
    const char *cls = flat || pol == LF_NEUTRAL        ? "neutral"
                      : (d > 0) == (pol == LF_UP_GOOD) ? "good"
                                                    : "bad";
    mk_rawf(o, "<p class=\"chg %s\">", cls);
    if (flat)
        mk_raw(o, "= no change");
    else
        mk_rawf(o, "%s %s%.1f%s", d > 0 ? "\xe2\x96\xb2" : "\xe2\x96\xbc",
                d > 0 ? "+" : "\xe2\x88\x92", fabs(d), type == LF_COL_RATE ? " pts" : "%");
    mk_raw(o, " vs previous period (");
    mk_text(o, pv);
    mk_raw(o, ")</p>\n");
}

typedef struct card_spec {
    const char *id, *label;
    double cur, prev;
    double base;       /* the count the previous value rests on (NAN = unknown) */
    bool small;        /* the previous period as a whole is too small to compare */
    lf_col_type type;
    lf_polarity pol;
    bool has_prev;     /* write the change line */
    const char *value; /* overrides the formatted cur */
    const char *sub;   /* a line under the value (text) */
    const char *bench; /* the literature benchmark (text) */
    const char *missing; /* the figure's input was never imported: why (text) */
} card_spec;

static void card(mk_out *o, const card_spec *c)
{
    if (c->missing) { /* SPEC §7: shown as missing, never as a real-looking 0 */
        mk_rawf(o, "<div class=\"card\" id=\"kpi-%s\">\n<h3>", c->id);
        mk_text(o, c->label);
        mk_raw(o, "</h3>\n<p class=\"kpi\">" MK_NULL_MARK "</p>\n<p class=\"sub\">");
        mk_text(o, c->missing);
        mk_raw(o, "</p>\n");
        if (c->bench) {
            mk_raw(o, "<p class=\"bench\">");
            mk_text(o, c->bench);
            mk_raw(o, "</p>\n");
        }
        mk_raw(o, "</div>\n");
        return;
    }
    char v[MK_NUM_MAX];
    mk_fmt_value(c->cur, c->type, v, sizeof v);
    mk_rawf(o, "<div class=\"card\" id=\"kpi-%s\">\n<h3>", c->id);
    mk_text(o, c->label);
    /* a verdict in words ("On pace") is set smaller than a number */
    mk_raw(o, c->value && !isfinite(c->cur) ? "</h3>\n<p class=\"kpi word\">"
                                            : "</h3>\n<p class=\"kpi\">");
    mk_text(o, c->value ? c->value : v);
    mk_raw(o, "</p>\n");
    if (c->sub) {
        mk_raw(o, "<p class=\"sub\">");
        mk_text(o, c->sub);
        mk_raw(o, "</p>\n");
    }
    if (c->has_prev && (c->small || !(c->base >= PREV_MIN_BASE)))
        mk_raw(o, "<p class=\"chg neutral\">previous period too small to compare</p>\n");
    else if (c->has_prev)
        change(o, c->cur, c->prev, c->type, c->pol);
    if (c->bench) {
        mk_raw(o, "<p class=\"bench\">");
        mk_text(o, c->bench);
        mk_raw(o, "</p>\n");
    }
    mk_raw(o, "</div>\n");
}


/* ---- figures ------------------------------------------------------------------------------ */

#define MAX_FIGURES 64

typedef struct placed {
    size_t table;
    const lf_figure_spec *fig;
} placed;

/* The key figures of the page's tables that are cards, ordered by `order` (stable). */
static size_t collect(const lf_html_page *p, placed *out)
{
    size_t n = 0;
    for (size_t i = 0; i < p->ntables; i++) {
        const lf_present *pr = p->tables[i] ? p->tables[i]->present : NULL;
        for (size_t k = 0; pr && k < pr->nfigures && n < MAX_FIGURES; k++) {
            if (!pr->figures[k].id)
                continue; /* a line of the terminal headline only */
            size_t j = n++;
            for (; j > 0 && out[j - 1].fig->order > pr->figures[k].order; j--)
                out[j] = out[j - 1];
            out[j] = (placed){i, &pr->figures[k]};
        }
    }
    return n;
}

/* One scope of a figure: its table now (prev false) or in the previous period. The
 * env leads the struct: the scope's user pointer is the env, and table_of reads the
 * rest through it. */
typedef struct fig_scope {
    ptext_env env;
    const lf_html_page *p;
    bool prev;
    lf_present_scope sc;
} fig_scope;

static const lf_table *table_of(void *user, const char *name, size_t len)
{
    const fig_scope *fs = user;
    const lf_html_page *p = fs->p;
    for (size_t i = 0; i < p->ntables; i++) {
        const lf_table *t = p->tables[i];
        if (t && t->report && strlen(t->report) == len && strncmp(t->report, name, len) == 0)
            return fs->prev ? (p->prev ? p->prev[i] : NULL) : t;
    }
    return NULL;
}

static void fig_scope_init(fig_scope *fs, const lf_html_page *p, size_t i, bool prev,
                           const lf_figure_spec *fig)
{
    const lf_table *t = prev ? (p->prev ? p->prev[i] : NULL) : p->tables[i];
    const lf_object *obj = NULL;
    fs->env = (ptext_env){.t = t, .ctx = &p->ctx, .off = ""};
    fs->p = p;
    fs->prev = prev;
    for (size_t r = 0; fig->object && t && r < t->nrows && !obj; r++) {
        obj = lf_present_obj(t, (long)r, fig->object);
        const lf_cell *l = &t->cells[r * t->ncols];
        fs->env.cat = obj && l->kind == LF_CELL_TEXT ? l->text : NULL;
    }
    fs->env.obj = obj != NULL;
    fs->sc = ptext_scope(&fs->env);
    fs->sc.obj = obj;
    fs->sc.table_of = table_of;
}

/* The texts of one card, each in its own buffer. */
enum { T_LABEL, T_WORD, T_SUB, T_BENCH, T_MISSING, T_N };

static void figure_card(mk_out *o, const lf_html_page *p, const placed *pl, bool small)
{
    const lf_figure_spec *fig = pl->fig;
    fig_scope cur = {0}, prev = {0};
    fig_scope_init(&cur, p, pl->table, false, fig);
    fig_scope_init(&prev, p, pl->table, true, fig);
    bool missing = fig->missing && lf_present_cond(&cur.sc, fig->missing);
    const char *tmpl[T_N] = {fig->label, fig->word, fig->sub, fig->bench,
                             missing ? fig->missing_text : NULL};
    lf_buf b[T_N];
    const char *txt[T_N];
    for (size_t k = 0; k < T_N; k++) {
        lf_buf_init(&b[k], 0);
        lf_status st = ptext_add(&cur.sc, tmpl[k], &b[k]);
        if (st == LF_OK)
            st = lf_buf_addc(&b[k], '\0');
        if (st != LF_OK && o->st == LF_OK)
            o->st = st;
        txt[k] = tmpl[k] && st == LF_OK ? b[k].data : NULL;
    }
    card(o, &(card_spec){.id = fig->id,
                         .label = txt[T_LABEL] ? txt[T_LABEL] : "",
                         .cur = lf_present_ref(&cur.sc, fig->value),
                         .prev = lf_present_ref(&prev.sc, fig->value),
                         .base = lf_present_ref(&prev.sc, fig->base),
                         .small = small,
                         .type = fig->type,
                         .pol = fig->pol,
                         .has_prev = fig->compare,
                         .value = txt[T_WORD],
                         .sub = txt[T_SUB],
                         .bench = txt[T_BENCH],
                         .missing = txt[T_MISSING]});
    for (size_t k = 0; k < T_N; k++)
        lf_buf_release(&b[k]);
}

/* Is the previous period as a whole too small to compare (the data barely reaches
 * into it)? Measured by the first report that declares a period's size. */
static bool too_small(const lf_html_page *p)
{
    for (size_t i = 0; i < p->ntables; i++) {
        const lf_present *pr = p->tables[i] ? p->tables[i]->present : NULL;
        if (!pr || !pr->size)
            continue;
        lf_present_scope cur = lf_present_scope_of(p->tables[i], &p->ctx);
        lf_present_scope prev = lf_present_scope_of(p->prev ? p->prev[i] : NULL, &p->ctx);
        double n = lf_present_ref(&cur, pr->size), n0 = lf_present_ref(&prev, pr->size);
        return isfinite(n) && n > 0 && !(n0 >= PREV_MIN_SHARE * n);
    }
    return false;
}

void html_headline(mk_out *o, const lf_html_page *p)
{
    placed figs[MAX_FIGURES];
    size_t n = collect(p, figs);
    bool small = too_small(p);
    mk_raw(o, "<section class=\"headline\" id=\"headline\" aria-labelledby=\"headline-h\">\n"
              "<h2 id=\"headline-h\">Headline</h2>\n<div class=\"cards\">\n");
    for (size_t i = 0; i < n; i++)
        figure_card(o, p, &figs[i], small);
    mk_raw(o, "</div>\n");
    char f[16], t[16], as_of[40];
    lf_date_format(p->prev_from_day, f, sizeof f);
    lf_date_format(p->prev_to_day - 1, t, sizeof t);
    html_instant(p->prev_as_of, as_of, sizeof as_of);
    mk_rawf(o,
            "<p class=\"footnote\">Totals over the whole range. \xe2\x80\x9cPrevious "
            "period\xe2\x80\x9d is the period of the same length just before the range, "
            "%s \xe2\x80\x93 %s, computed as of %s (the report date moved back by the same "
            "length), so both periods are measured at the same point; rates change in "
            "percentage points, other figures in percent. A change is shown only when the "
            "previous figure rests on at least %d events and the previous period holds at "
            "least %d%% as many new leads as this one; otherwise the previous period is too "
            "small to compare.</p>\n</section>\n",
            f, t, as_of, (int)PREV_MIN_BASE, (int)(PREV_MIN_SHARE * 100 + 0.5));
}

