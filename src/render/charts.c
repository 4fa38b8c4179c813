/*
 * charts.c — the one chart driver of the HTML report: draws every chart a report's
 * presentation declares (see charts.h, present.h).
 *
 * Place in the flow: html.c calls charts_write for every report section; this file
 * reads the table's presentation (lf_table.present, declared in
 * src/report/registry.c), picks the rows and columns each chart spec names, fills
 * its texts (src/core/present.c with ptext.c's words and formats) and hands an
 * svg_chart to svg.c, which draws it twice (wide and narrow) inside one <figure>.
 * What each report shows, and why, is written beside the specs in registry.c.
 *
 * Invariants: a chart reads only the report's table and the page context (the SLA
 * and the speed-to-lead target, for reference lines), so a chart can never disagree
 * with the table printed under it; a table without a presentation gets no chart;
 * every allocation of one report's charts is in one pool, released at the end.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "charts.h"
#include "ptext.h"
#include "svg.h"

#define TOP_KEYS 5 /* object keys stacked by name before "other" */

_Static_assert((int)LF_SERIES_BACK == (int)SVG_BACK, "series kinds follow svg_kind");
_Static_assert((int)LF_GREY == (int)SVG_GREY, "colours follow the chart palette");
_Static_assert((int)LF_UNIT_NUMBER == (int)MK_NUMBER, "units follow mk_unit");

/* ---- table access ---------------------------------------------------------------- */

#define charts_num lf_present_num
#define charts_obj lf_present_obj
#define charts_obj_num lf_present_key

/* ---- allocations of one report's charts ----------------------------------------------- */

typedef struct pool {
    void **p;
    size_t n, cap;
    bool failed;
} pool;

static void *pool_add(pool *pl, void *p)
{
    if (!p) {
        pl->failed = true;
        return NULL;
    }
    if (pl->n == pl->cap) {
        size_t cap = pl->cap ? pl->cap * 2 : 32;
        void **np = realloc(pl->p, cap * sizeof *np);
        if (!np) {
            free(p);
            pl->failed = true;
            return NULL;
        }
        pl->p = np;
        pl->cap = cap;
    }
    return pl->p[pl->n++] = p;
}

static void pool_release(pool *pl)
{
    for (size_t i = 0; i < pl->n; i++)
        free(pl->p[i]);
    free(pl->p);
}

/* n values, all NAN. */
static double *vals(pool *pl, size_t n)
{
    double *v = pool_add(pl, malloc((n ? n : 1) * sizeof *v));
    for (size_t i = 0; v && i < n; i++)
        v[i] = NAN;
    return v;
}

static const char **strs(pool *pl, size_t n)
{
    return pool_add(pl, calloc(n ? n : 1, sizeof(char *)));
}

/* The dimension labels (first column) of the chosen rows. */
static const char **labels(pool *pl, const lf_table *t, const size_t *rows, size_t n)
{
    const char **l = strs(pl, n);
    for (size_t i = 0; l && i < n; i++) {
        const lf_cell *c = lf_table_at(t, (long)rows[i], 0);
        l[i] = c && c->kind == LF_CELL_TEXT && c->text ? c->text : "";
    }
    return l;
}

/* Every row, in order. */
static size_t *all_rows(pool *pl, const lf_table *t)
{
    size_t *r = pool_add(pl, malloc((t->nrows ? t->nrows : 1) * sizeof *r));
    for (size_t i = 0; r && i < t->nrows; i++)
        r[i] = i;
    return r;
}

/* At most max rows, the ones with the largest `by` (ties: table order), kept in
 * table order. Sets *cut when rows were left out. */
static size_t *top_rows(pool *pl, const lf_table *t, const char *by, size_t max, size_t *n,
                        bool *cut)
{
    size_t *r = all_rows(pl, t);
    *n = t->nrows;
    *cut = false;
    if (!r || t->nrows <= max)
        return r;
    bool *keep = pool_add(pl, calloc(t->nrows, sizeof *keep));
    double *val = pool_add(pl, malloc(t->nrows * sizeof *val));
    if (!keep || !val)
        return NULL;
    for (size_t i = 0; i < t->nrows; i++) { /* each row's value once, not once a pick */
        double v = charts_num(t, (long)i, by);
        val[i] = isfinite(v) ? v : -1;
    }
    for (size_t k = 0; k < max; k++) {
        long best = -1;
        double bv = -INFINITY;
        for (size_t i = 0; i < t->nrows; i++)
            if (!keep[i] && val[i] > bv) {
                bv = val[i];
                best = (long)i;
            }
        if (best >= 0)
            keep[best] = true;
    }
    size_t m = 0;
    for (size_t i = 0; i < t->nrows; i++)
        if (keep[i])
            r[m++] = i;
    *n = m;
    *cut = true;
    return r;
}

/* The keys of an object column worth a colour of their own: the TOP_KEYS largest
 * in the total row (its keys are distinct; without a total row, summed over the
 * rows), largest first, ties in key order. */
static size_t top_keys(pool *pl, const lf_table *t, const char *col, const char ***keys)
{
    const lf_object *tot = charts_obj(t, -1, col);
    size_t cap = 0, n = 0;
    const char **k = NULL;
    double *sum = NULL;
    bool ok = true;
    for (long r = tot ? -1 : 0; ok && r < (long)t->nrows; r++) {
        const lf_object *o = charts_obj(t, r, col);
        for (size_t i = 0; ok && o && i < o->n; i++) {
            size_t j = tot ? n : 0;
            while (j < n && strcmp(k[j], o->keys[i]) != 0)
                j++;
            if (j == n) {
                if (n == cap) {
                    cap = cap ? cap * 2 : 16;
                    const char **nk = realloc(k, cap * sizeof *nk);
                    k = nk ? nk : k;
                    double *nsum = realloc(sum, cap * sizeof *nsum);
                    sum = nsum ? nsum : sum;
                    ok = nk && nsum;
                    if (!ok)
                        break;
                }
                k[n] = o->keys[i];
                sum[n++] = 0;
            }
            double v = o->vals[i].kind == LF_CELL_NUM ? o->vals[i].num : 0;
            sum[j] += isfinite(v) ? v : 0;
        }
        if (tot)
            break;
    }
    const char **out = ok ? strs(pl, TOP_KEYS) : NULL;
    size_t m = 0;
    while (out && m < TOP_KEYS) {
        size_t best = n;
        for (size_t j = 0; j < n; j++)
            if (sum[j] > 0 && (best == n || sum[j] > sum[best]))
                best = j;
        if (best == n)
            break;
        sum[best] = 0; /* taken */
        out[m++] = k[best];
    }
    if (!ok)
        pl->failed = true;
    free(k);
    free(sum);
    *keys = out;
    return m;
}

/* Stacks of an object column by key: series values for each top key, then "other"
 * (the rest of the object). Returns the number of series written to s. */
static size_t object_stacks(pool *pl, const lf_table *t, const size_t *rows, size_t n,
                            const char *col, svg_series *s, size_t max)
{
    static const int colors[TOP_KEYS] = {SVG_BLUE, SVG_ORANGE, SVG_GREEN, SVG_PURPLE, SVG_SKY};
    const char **keys = NULL;
    size_t nk = top_keys(pl, t, col, &keys), ns = 0;
    double *other = vals(pl, n);
    bool any_other = false;
    for (size_t j = 0; keys && j < nk && ns + 1 < max; j++) {
        double *v = vals(pl, n);
        for (size_t i = 0; v && i < n; i++) {
            double x = charts_obj_num(charts_obj(t, (long)rows[i], col), keys[j]);
            v[i] = isfinite(x) ? x : 0;
        }
        s[ns++] = (svg_series){.name = keys[j], .v = v, .kind = SVG_STACK, .color = colors[j]};
    }
    for (size_t i = 0; other && i < n; i++) {
        const lf_object *o = charts_obj(t, (long)rows[i], col);
        double rest = 0;
        for (size_t e = 0; o && e < o->n; e++) {
            bool top = false;
            for (size_t j = 0; j < nk && !top; j++)
                top = strcmp(keys[j], o->keys[e]) == 0;
            double v = o->vals[e].kind == LF_CELL_NUM ? o->vals[e].num : 0;
            if (!top && isfinite(v))
                rest += v;
        }
        other[i] = rest;
        any_other = any_other || rest > 0;
    }
    if (any_other && ns < max)
        s[ns++] = (svg_series){.name = "other", .v = other, .kind = SVG_STACK, .color = SVG_GREY};
    return ns;
}

/* ---- one chart from its spec ------------------------------------------------------------- */

typedef struct figs {
    mk_out *o;
    pool *pl;
    const lf_table *t;
    const lf_present_ctx *ctx;
    char report[40]; /* the report name as an id ([a-z0-9-]) */
    size_t count;
} figs;

typedef struct chart_run {
    figs *f;
    const lf_chart_spec *cs;
    size_t *rows; /* the chosen table rows (NULL for an object chart) */
    size_t n;     /* categories */
    const char **cats;
    const lf_object *obj; /* LF_ROWS_OBJECT: the object cell */
    char off[256];        /* LF_ROWS_PICK: the rows off the path */
    ptext_env env;
    lf_present_scope sc;
} chart_run;

/* One <figure>: the chart drawn wide and narrow, and an optional caption. */
static void figure(figs *f, svg_chart *c, bool hbars, const char *caption)
{
    char id[64];
    snprintf(id, sizeof id, "%s-%zu", f->report, ++f->count);
    c->id = id;
    mk_rawf(f->o, "<figure class=\"chart\" id=\"fig-%s\">\n", id);
    void (*draw)(mk_out *, const svg_chart *, int) = hbars ? svg_hbars : svg_columns;
    draw(f->o, c, SVG_WIDE);
    draw(f->o, c, SVG_NARROW);
    if (caption) {
        mk_raw(f->o, "<figcaption>");
        mk_text(f->o, caption);
        mk_raw(f->o, "</figcaption>\n");
    }
    mk_raw(f->o, "</figure>\n");
}

/* A text of the spec expanded in the chart's scope (row: -1 = the chart's own), in
 * the pool; NULL for a NULL text. A malformed text fails the page. */
static const char *text(chart_run *r, const char *tmpl, long row)
{
    if (!tmpl)
        return NULL;
    lf_present_scope s = r->sc;
    if (row >= 0 && r->rows) {
        s.row = (long)r->rows[row];
        s.next = (size_t)row + 1 < r->n ? (long)r->rows[row + 1] : -1;
        r->env.cat = r->cats[row];
        r->env.ncat = (size_t)row + 1 < r->n ? r->cats[row + 1] : NULL;
    }
    lf_buf b;
    lf_buf_init(&b, 0);
    lf_status st = ptext_add(&s, tmpl, &b);
    if (st == LF_OK)
        st = lf_buf_addc(&b, '\0');
    if (st != LF_OK) {
        lf_buf_release(&b);
        if (r->f->o->st == LF_OK)
            r->f->o->st = st;
        return "";
    }
    return pool_add(r->f->pl, lf_buf_detach(&b));
}

/* The rows of the path in the order of `pick`, and the rows off it for {off}: "label
 * value" with the first series' value. */
static size_t *pick_rows(chart_run *r)
{
    const lf_table *t = r->f->t;
    size_t *rows = pool_add(r->f->pl, malloc((t->nrows ? t->nrows : 1) * sizeof *rows));
    for (size_t p = 0; rows && r->cs->pick[p]; p++)
        for (size_t i = 0; i < t->nrows; i++) {
            const lf_cell *c = lf_table_at(t, (long)i, 0);
            if (c && c->kind == LF_CELL_TEXT && c->text && strcmp(c->text, r->cs->pick[p]) == 0) {
                rows[r->n++] = i;
                break;
            }
        }
    size_t len = 0;
    const char *by = r->cs->nseries ? r->cs->series[0].value : NULL;
    for (size_t i = 0; rows && by && i < t->nrows; i++) {
        const lf_cell *c = lf_table_at(t, (long)i, 0);
        bool on = false;
        for (size_t k = 0; k < r->n; k++)
            on = on || rows[k] == i;
        if (on || !c || c->kind != LF_CELL_TEXT || !c->text || len + 64 > sizeof r->off)
            continue;
        char b[MK_NUM_MAX];
        mk_fmt_value(lf_present_expr(t, (long)i, by), LF_COL_COUNT, b, sizeof b);
        len += (size_t)snprintf(r->off + len, sizeof r->off - len, "%s%.24s %s", len ? ", " : "",
                                c->text, b);
    }
    return rows;
}

/* Chooses the chart's categories; false when there is no chart to draw. */
static bool choose_rows(chart_run *r)
{
    const lf_chart_spec *cs = r->cs;
    const lf_table *t = r->f->t;
    if (cs->rows == LF_ROWS_OBJECT) {
        for (size_t i = 0; i < t->nrows && !r->obj; i++)
            if ((r->obj = charts_obj(t, (long)i, cs->object)) != NULL) {
                const char **l = labels(r->f->pl, t, &i, 1);
                r->env.cat = l ? l[0] : "";
            }
        r->n = cs->ncats;
        r->cats = strs(r->f->pl, r->n);
        for (size_t i = 0; r->cats && i < r->n; i++)
            r->cats[i] = cs->cats[i].label;
        return r->obj && r->cats;
    }
    if (cs->rows == LF_ROWS_PICK)
        r->rows = pick_rows(r);
    else if (cs->rows == LF_ROWS_TOP)
        r->rows = top_rows(r->f->pl, t, cs->top_by, (size_t)cs->max_rows, &r->n, &r->env.cut);
    else {
        r->rows = all_rows(r->f->pl, t);
        r->n = t->nrows;
    }
    r->cats = labels(r->f->pl, t, r->rows, r->n);
    if (!r->rows || !r->cats)
        return false;
    bool any = !cs->need_any;
    for (size_t i = 0; !any && i < r->n; i++)
        any = isfinite(lf_present_expr(t, (long)r->rows[i], cs->need_any));
    return any;
}

/* The values of a series over the categories (NAN = none). */
static double *series_values(chart_run *r, const lf_series_spec *ss)
{
    double *v = vals(r->f->pl, r->n);
    for (size_t i = 0; v && i < r->n; i++)
        v[i] = r->rows ? lf_present_expr(r->f->t, (long)r->rows[i], ss->value)
                       : lf_present_ref(&r->sc, r->cs->cats[i].value);
    return v;
}

/* Fills s with the spec's series; returns how many, or SIZE_MAX on failure. */
static size_t build_series(chart_run *r, svg_series *s)
{
    size_t ns = 0;
    for (size_t k = 0; k < r->cs->nseries; k++) {
        const lf_series_spec *ss = &r->cs->series[k];
        if ((ss->flags & LF_SERIES_FALLBACK) && ns > 0)
            continue;
        if (ss->kind == LF_SERIES_KEYS) {
            ns += object_stacks(r->f->pl, r->f->t, r->rows, r->n, ss->value, s + ns, TOP_KEYS + 1);
            continue;
        }
        double *v = series_values(r, ss);
        if (!v)
            return SIZE_MAX;
        bool any = !(ss->flags & LF_SERIES_IF_ANY);
        for (size_t i = 0; !any && i < r->n; i++)
            any = isfinite(v[i]);
        if (!any)
            continue;
        s[ns++] = (svg_series){.name = text(r, ss->name, -1),
                               .v = v,
                               .kind = (svg_kind)ss->kind,
                               .color = (int)ss->color,
                               .dashed = (ss->flags & LF_SERIES_DASHED) != 0,
                               .labels = (ss->flags & LF_SERIES_LABELS) != 0};
    }
    return ns;
}

/* A text per category (NULL spec = no array). */
static const char *const *per_row(chart_run *r, const char *tmpl, bool object_notes, size_t upto)
{
    if (!tmpl && !object_notes)
        return NULL;
    const char **l = strs(r->f->pl, r->n);
    for (size_t i = 0; l && i < upto; i++)
        l[i] = object_notes ? text(r, r->cs->cats[i].note, -1) : text(r, tmpl, (long)i);
    return l;
}

/* The spec's reference lines and bands that apply; returns how many. */
static size_t build_refs(chart_run *r, svg_ref *out)
{
    size_t n = 0;
    for (size_t k = 0; k < r->cs->nrefs; k++) {
        const lf_ref_spec *rs = &r->cs->refs[k];
        if (rs->when && !lf_present_cond(&r->sc, rs->when))
            continue;
        out[n++] = (svg_ref){.lo = lf_present_ref(&r->sc, rs->lo),
                             .hi = lf_present_ref(&r->sc, rs->hi),
                             .label = text(r, rs->label, -1),
                             .color = (int)rs->color};
    }
    return n;
}

static void draw_chart(figs *f, const lf_chart_spec *cs, const lf_present *p)
{
    chart_run r = {.f = f, .cs = cs};
    r.env = (ptext_env){.t = f->t, .ctx = f->ctx, .noun = p->noun, .max_rows = cs->max_rows,
                        .off = r.off};
    if (!choose_rows(&r))
        return;
    r.env.cats = r.cats;
    r.env.ncats = r.n;
    r.env.obj = r.obj != NULL;
    r.sc = ptext_scope(&r.env);
    r.sc.chosen = r.rows;
    r.sc.nchosen = r.rows ? r.n : 0;
    r.sc.obj = r.obj;
    size_t cap = 0;
    for (size_t k = 0; k < cs->nseries; k++)
        cap += cs->series[k].kind == LF_SERIES_KEYS ? TOP_KEYS + 1 : 1;
    svg_series *s = pool_add(f->pl, calloc(cap ? cap : 1, sizeof *s));
    svg_ref *refs = pool_add(f->pl, calloc(cs->nrefs ? cs->nrefs : 1, sizeof *refs));
    size_t ns = s ? build_series(&r, s) : SIZE_MAX;
    if (ns == SIZE_MAX || !refs)
        return;
    bool stacked = ns > 0 && s[0].kind == SVG_STACK;
    /* chart-level texts first: per-row texts move {cat} along the rows */
    const char *caption = text(&r, cs->caption, -1), *title = text(&r, cs->title, -1);
    const char *desc = text(&r, cs->desc, -1), *x_title = text(&r, cs->x_title, -1);
    const char *y_title = text(&r, cs->y_title, -1), *empty = text(&r, cs->empty, -1);
    svg_chart c = {.title = title,
                   .desc = desc,
                   .x_title = x_title,
                   .y_title = y_title,
                   .n = r.n,
                   .cats = r.cats,
                   .periods = cs->periods,
                   .series = s,
                   .nseries = ns,
                   .unit = (mk_unit)cs->unit,
                   .max_hint = cs->max_hint,
                   .empty = empty};
    c.notes = per_row(&r, cs->note, cs->rows == LF_ROWS_OBJECT, r.n);
    c.top = cs->top_if_stacked && !stacked ? NULL : per_row(&r, cs->top, false, r.n);
    c.between = per_row(&r, cs->between, false, r.n ? r.n - 1 : 0);
    c.nrefs = build_refs(&r, refs);
    c.refs = c.nrefs ? refs : NULL;
    figure(f, &c, cs->shape == LF_CHART_HBARS, caption && caption[0] ? caption : NULL);
}

/* ---- the report's charts -------------------------------------------------------------------- */

size_t charts_write(mk_out *o, const lf_table *t, const lf_html_context *ctx)
{
    const lf_present *p = t ? t->present : NULL;
    if (!p || !p->ncharts)
        return 0;
    pool pl = {0};
    figs f = {.o = o, .pl = &pl, .t = t, .ctx = ctx};
    size_t k = 0;
    for (const char *c = t->report ? t->report : "report"; *c && k + 1 < sizeof f.report; c++)
        f.report[k++] = (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') ? *c : '-';
    f.report[k] = '\0';
    for (size_t i = 0; i < p->ncharts; i++)
        draw_chart(&f, &p->charts[i], p);
    if (pl.failed && o->st == LF_OK)
        o->st = LF_ENOMEM;
    pool_release(&pl);
    return f.count;
}
