/*
 * charts.c — the charts of each report, built from its table (see charts.h).
 *
 * Place in the flow: html.c calls charts_write for every report section; this file
 * picks columns out of the table, decides what each chart shows, and hands an
 * svg_chart to svg.c, which draws it twice (wide and narrow) inside one <figure>.
 *
 * What each report shows, and why (the choices are also in docs/DECISIONS.md):
 *   funnel    bars of `reached` per path stage (the cohort of leads created in the
 *             range), the conversion to each next stage written between the bars
 *   mql       MQLs per period stacked by channel (the five largest, then "other"),
 *             the prorated goal as a mark on every period
 *   sql       acceptance rate and MQL-to-SQL per MQL cohort (lines, 0-100%), and
 *             rejected handoffs per period stacked by reason
 *   velocity  median response time per period (bars) with the p90 (marks) and the SLA
 *             line; handoffs per period by SLA outcome (stacked). The table holds
 *             median and p90, not every response time, so the spread is shown as
 *             median and p90 rather than as a histogram that would need more data
 *   speed     handoffs per period by first-contact outcome (stacked, the share
 *             within target on top), and the median time to first contact against
 *             the target (and the 1-hour benchmark when the target differs)
 *   cost      cost per SQL, same-period and lagged, as two lines
 *   bizday    leads and MQLs per business day per month; the month's pacing
 *   persona,  rates (acceptance, lead to customer, with the 2-5% benchmark band) and
 *   channel   volumes per row as horizontal bars; channel also revenue against spend
 *   customers the marketing-sourced share per period over the 20-40% and 40-80%
 *             benchmark bands; customers per period by origin
 *   scoring   acceptance and win rate per score band
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "charts.h"
#include "svg.h"

#define MAX_ROWS 12 /* rows of a dimension chart (the table has them all) */
#define TOP_KEYS 5  /* object keys stacked by name before "other" */

/* ---- table access ---------------------------------------------------------------- */

int charts_col(const lf_table *t, const char *name)
{
    for (size_t c = 0; t && c < t->ncols; c++)
        if (strcmp(t->cols[c].name, name) == 0)
            return (int)c;
    return -1;
}

static const lf_cell *cell_at(const lf_table *t, long row, int col)
{
    if (!t || col < 0)
        return NULL;
    if (row < 0)
        return t->has_total && t->total ? &t->total[col] : NULL;
    return (size_t)row < t->nrows ? &t->cells[(size_t)row * t->ncols + (size_t)col] : NULL;
}

double charts_num(const lf_table *t, long row, const char *name)
{
    const lf_cell *c = cell_at(t, row, charts_col(t, name));
    return c && c->kind == LF_CELL_NUM && isfinite(c->num) ? c->num : NAN;
}

const lf_object *charts_obj(const lf_table *t, long row, const char *name)
{
    const lf_cell *c = cell_at(t, row, charts_col(t, name));
    return c && c->kind == LF_CELL_OBJ ? c->obj : NULL;
}

double charts_obj_num(const lf_object *o, const char *key)
{
    for (size_t i = 0; o && i < o->n; i++)
        if (strcmp(o->keys[i], key) == 0)
            return o->vals[i].kind == LF_CELL_NUM ? o->vals[i].num : NAN;
    return NAN;
}

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

static char *fmt(pool *pl, const char *f, ...) __attribute__((format(printf, 2, 3)));
static char *fmt(pool *pl, const char *f, ...)
{
    va_list ap;
    va_start(ap, f);
    int n = vsnprintf(NULL, 0, f, ap);
    va_end(ap);
    char *s = pool_add(pl, malloc(n > 0 ? (size_t)n + 1 : 1));
    if (s) {
        va_start(ap, f);
        vsnprintf(s, n > 0 ? (size_t)n + 1 : 1, f, ap);
        va_end(ap);
    }
    return s;
}

/* The values of column `name` for the chosen rows (NAN where null). */
static double *column(pool *pl, const lf_table *t, const size_t *rows, size_t n, const char *name)
{
    double *v = vals(pl, n);
    for (size_t i = 0; v && i < n; i++)
        v[i] = charts_num(t, (long)rows[i], name);
    return v;
}

/* The dimension labels (first column) of the chosen rows. */
static const char **labels(pool *pl, const lf_table *t, const size_t *rows, size_t n)
{
    const char **l = strs(pl, n);
    for (size_t i = 0; l && i < n; i++) {
        const lf_cell *c = cell_at(t, (long)rows[i], 0);
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

/* At most MAX_ROWS rows, the ones with the largest `by` (ties: table order), kept
 * in table order. Sets *cut when rows were left out. */
static size_t *top_rows(pool *pl, const lf_table *t, const char *by, size_t *n, bool *cut)
{
    size_t *r = all_rows(pl, t);
    *n = t->nrows;
    *cut = false;
    if (!r || t->nrows <= MAX_ROWS)
        return r;
    bool *keep = pool_add(pl, calloc(t->nrows, sizeof *keep));
    if (!keep)
        return NULL;
    for (size_t k = 0; k < MAX_ROWS; k++) {
        long best = -1;
        double bv = -INFINITY;
        for (size_t i = 0; i < t->nrows; i++) {
            double v = charts_num(t, (long)i, by);
            v = isfinite(v) ? v : -1;
            if (!keep[i] && v > bv) {
                bv = v;
                best = (long)i;
            }
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

/* ---- figures ---------------------------------------------------------------------------- */

typedef struct figs {
    mk_out *o;
    pool *pl;
    const lf_table *t;
    const lf_html_context *ctx;
    char report[40]; /* the report name as an id ([a-z0-9-]) */
    size_t count;
} figs;

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

/* "from 2026-01 to 2026-04": the first and last period labels, for descriptions. */
static const char *span(figs *f, const char **cats, size_t n)
{
    if (!n)
        return "";
    return fmt(f->pl, "from %s to %s", cats[0], cats[n - 1]);
}

static const char *pct(figs *f, double v)
{
    char b[MK_NUM_MAX];
    mk_fmt_value(v, LF_COL_RATE, b, sizeof b);
    return fmt(f->pl, "%s", b);
}

static const char *count(figs *f, double v)
{
    char b[MK_NUM_MAX];
    mk_fmt_value(v, LF_COL_COUNT, b, sizeof b);
    return fmt(f->pl, "%s", b);
}

static const char *by_word(const lf_table *t)
{
    return t->by ? t->by : "period";
}

/* ---- per report ------------------------------------------------------------------------- */

static void chart_funnel(figs *f)
{
    static const char *const path[] = {"lead", "mql", "sql", "opportunity", "customer"};
    const lf_table *t = f->t;
    size_t rows[5], n = 0;
    for (size_t p = 0; p < 5; p++)
        for (size_t r = 0; r < t->nrows; r++) {
            const lf_cell *c = cell_at(t, (long)r, 0);
            if (c && c->kind == LF_CELL_TEXT && c->text && strcmp(c->text, path[p]) == 0) {
                rows[n++] = r;
                break;
            }
        }
    const char **cats = labels(f->pl, t, rows, n);
    double *reached = column(f->pl, t, rows, n, "reached");
    const char **between = strs(f->pl, n);
    for (size_t i = 0; between && i + 1 < n; i++) {
        double prev = charts_num(t, (long)rows[i + 1], "conversion_from_previous");
        double lead = charts_num(t, (long)rows[i + 1], "conversion_from_lead");
        between[i] = fmt(f->pl, "\xe2\x86\x93 %s reached %s (%s of all leads)", pct(f, prev),
                         cats[i + 1], pct(f, lead));
    }
    /* the stages off the path, for the caption */
    char off[256] = "";
    size_t len = 0;
    for (size_t r = 0; r < t->nrows; r++) {
        const lf_cell *c = cell_at(t, (long)r, 0);
        bool on = false;
        for (size_t i = 0; i < n; i++)
            on = on || rows[i] == r;
        if (on || !c || c->kind != LF_CELL_TEXT || !c->text || len + 64 > sizeof off)
            continue;
        char b[MK_NUM_MAX];
        mk_fmt_value(charts_num(t, (long)r, "reached"), LF_COL_COUNT, b, sizeof b);
        len += (size_t)snprintf(off + len, sizeof off - len, "%s%.24s %s", len ? ", " : "", c->text,
                                b);
    }
    if (!cats || !reached || !between)
        return;
    svg_series s = {.name = NULL, .v = reached, .kind = SVG_BAR, .color = SVG_BLUE, .labels = true};
    svg_chart c = {.title = "Funnel: how far the leads created in the range got",
                   .desc =
                       fmt(f->pl,
                           "Of %s leads created in the range, %s became MQLs, %s SQLs, %s "
                           "opportunities and %s customers by the report date.",
                           count(f, n > 0 ? reached[0] : NAN), count(f, n > 1 ? reached[1] : NAN),
                           count(f, n > 2 ? reached[2] : NAN), count(f, n > 3 ? reached[3] : NAN),
                           count(f, n > 4 ? reached[4] : NAN)),
                   .x_title = "leads that reached the stage (count)",
                   .n = n,
                   .cats = cats,
                   .between = between,
                   .series = &s,
                   .nseries = 1,
                   .unit = MK_COUNT};
    figure(f, &c, true,
           off[0] ? fmt(f->pl,
                        "A stage counts every lead created in the range that reached it or "
                        "a later stage by the report date. Off the main path (leads that "
                        "entered the stage): %s.",
                        off)
                  : NULL);
}

static void chart_mql(figs *f)
{
    const lf_table *t = f->t;
    size_t n = t->nrows, *rows = all_rows(f->pl, t);
    const char **cats = labels(f->pl, t, rows, n);
    double *mqls = column(f->pl, t, rows, n, "mqls");
    double *goal = column(f->pl, t, rows, n, "goal");
    if (!rows || !cats || !mqls || !goal)
        return;
    svg_series s[TOP_KEYS + 2];
    size_t ns = 0;
    if (charts_col(t, "mqls_by_channel") >= 0)
        ns = object_stacks(f->pl, t, rows, n, "mqls_by_channel", s, TOP_KEYS + 1);
    if (ns == 0)
        s[ns++] = (svg_series){
            .name = "MQLs", .v = mqls, .kind = SVG_BAR, .color = SVG_BLUE, .labels = true};
    bool has_goal = false;
    for (size_t i = 0; i < n; i++)
        has_goal = has_goal || isfinite(goal[i]);
    if (has_goal)
        s[ns++] = (svg_series){.name = "goal (monthly goal prorated by business days)",
                               .v = goal,
                               .kind = SVG_MARK,
                               .color = SVG_BLACK};
    const char **top = NULL;
    if (s[0].kind == SVG_STACK) {
        top = strs(f->pl, n);
        for (size_t i = 0; top && i < n; i++)
            top[i] = isfinite(mqls[i]) ? count(f, mqls[i]) : "";
    }
    double tot = charts_num(t, -1, "mqls"), tgoal = charts_num(t, -1, "goal");
    svg_chart c = {.title = fmt(f->pl, "MQLs per %s against the goal", by_word(t)),
                   .desc = fmt(f->pl,
                               "MQLs per %s %s, by channel, with the goal of each %s. Total %s "
                               "MQLs against a goal of %s (%s).",
                               by_word(t), span(f, cats, n), by_word(t), count(f, tot),
                               count(f, tgoal), pct(f, charts_num(t, -1, "goal_attainment"))),
                   .x_title = fmt(f->pl, "%s (MQL created)", by_word(t)),
                   .y_title = "MQLs (count)",
                   .n = n,
                   .cats = cats,
                   .periods = true,
                   .top = top,
                   .series = s,
                   .nseries = ns,
                   .unit = MK_COUNT,
                   .empty = "no MQLs in the range"};
    figure(f, &c, false, NULL);
}

static void chart_sql(figs *f)
{
    const lf_table *t = f->t;
    size_t n = t->nrows, *rows = all_rows(f->pl, t);
    const char **cats = labels(f->pl, t, rows, n);
    double *acc = column(f->pl, t, rows, n, "acceptance_rate");
    double *m2s = column(f->pl, t, rows, n, "mql_to_sql");
    if (!rows || !cats || !acc || !m2s)
        return;
    svg_series s[2] = {
        {.name = "acceptance rate: accepted / decided",
         .v = acc,
         .kind = SVG_LINE,
         .color = SVG_BLUE},
        {.name = "MQL to SQL: accepted / all handoffs",
         .v = m2s,
         .kind = SVG_LINE,
         .color = SVG_ORANGE,
         .dashed = true},
    };
    svg_chart c = {
        .title = fmt(f->pl, "Acceptance rate per MQL cohort (%s)", by_word(t)),
        .desc = fmt(f->pl,
                    "Share of handoffs accepted by sales, by the %s the MQL was created, %s. "
                    "Over the range: acceptance rate %s, MQL to SQL %s.",
                    by_word(t), span(f, cats, n), pct(f, charts_num(t, -1, "acceptance_rate")),
                    pct(f, charts_num(t, -1, "mql_to_sql"))),
        .x_title = fmt(f->pl, "%s of MQL (cohort)", by_word(t)),
        .y_title = "share of handoffs (%)",
        .n = n,
        .cats = cats,
        .periods = true,
        .series = s,
        .nseries = 2,
        .unit = MK_RATE,
        .max_hint = 1,
        .empty = "no handoffs in the range"};
    figure(f, &c, false, NULL);

    if (charts_col(t, "rejected_by_reason") < 0)
        return;
    svg_series r[TOP_KEYS + 1];
    size_t nr = object_stacks(f->pl, t, rows, n, "rejected_by_reason", r, TOP_KEYS + 1);
    double *rej = column(f->pl, t, rows, n, "rejected");
    const char **top = strs(f->pl, n);
    for (size_t i = 0; top && rej && i < n; i++)
        top[i] = isfinite(rej[i]) && rej[i] > 0 ? count(f, rej[i]) : "";
    svg_chart c2 = {.title = fmt(f->pl, "Rejected handoffs per MQL cohort, by reason"),
                    .desc =
                        fmt(f->pl,
                            "Handoffs rejected by sales per %s of MQL, %s, stacked by the "
                            "five most frequent reasons; %s rejected in total.",
                            by_word(t), span(f, cats, n), count(f, charts_num(t, -1, "rejected"))),
                    .x_title = fmt(f->pl, "%s of MQL (cohort)", by_word(t)),
                    .y_title = "rejected handoffs (count)",
                    .n = n,
                    .cats = cats,
                    .periods = true,
                    .top = top,
                    .series = r,
                    .nseries = nr,
                    .unit = MK_COUNT,
                    .empty = "no rejections in the range"};
    figure(f, &c2, false, NULL);
}

static void chart_velocity(figs *f)
{
    const lf_table *t = f->t;
    const lf_html_context *ctx = f->ctx;
    size_t n = t->nrows, *rows = all_rows(f->pl, t);
    const char **cats = labels(f->pl, t, rows, n);
    double *med = column(f->pl, t, rows, n, "response_median_h");
    double *p90 = column(f->pl, t, rows, n, "response_p90_h");
    if (!rows || !cats || !med || !p90)
        return;
    bool business = ctx && ctx->sla_business && isfinite(ctx->sla_hours);
    svg_series s[2] = {
        {.name = "90th percentile", .v = p90, .kind = SVG_BACK, .color = SVG_SKY, .labels = true},
        {.name = "median", .v = med, .kind = SVG_BAR, .color = SVG_BLUE},
    };
    svg_ref sla = {0};
    size_t nref = 0;
    if (ctx && isfinite(ctx->sla_hours)) {
        char h[MK_NUM_MAX];
        mk_fmt_short(ctx->sla_hours, MK_NUMBER, 0, h, sizeof h);
        sla = (svg_ref){.lo = ctx->sla_hours,
                        .hi = ctx->sla_hours,
                        .label = fmt(f->pl, "SLA %s = %s %s", ctx->sla_text ? ctx->sla_text : "", h,
                                     business ? "business hours" : "hours"),
                        .color = SVG_VERMILLION};
        nref = 1;
    }
    svg_chart c = {
        .title = "Sales response time to MQLs, median and 90th percentile",
        .desc = fmt(f->pl,
                    "Hours from MQL to accept or reject decision, per %s of MQL, %s, "
                    "against the SLA. Over the range: median %s h, 90th percentile %s h.",
                    by_word(t), span(f, cats, n),
                    fmt(f->pl, "%.1f", charts_num(t, -1, "response_median_h")),
                    fmt(f->pl, "%.1f", charts_num(t, -1, "response_p90_h"))),
        .x_title = fmt(f->pl, "%s of MQL (cohort)", by_word(t)),
        .y_title = business ? "response time (business hours, SLA clock)" : "response time (hours)",
        .n = n,
        .cats = cats,
        .periods = true,
        .series = s,
        .nseries = 2,
        .refs = nref ? &sla : NULL,
        .nrefs = nref,
        .unit = MK_HOURS,
        .empty = "no decided handoffs in the range"};
    figure(f, &c, false, NULL);

    double *within = column(f->pl, t, rows, n, "within_sla");
    double *decided = column(f->pl, t, rows, n, "decided");
    double *handoffs = column(f->pl, t, rows, n, "handoffs");
    double *overdue = column(f->pl, t, rows, n, "overdue_pending");
    double *late = vals(f->pl, n), *waiting = vals(f->pl, n);
    const char **top = strs(f->pl, n);
    if (!within || !decided || !handoffs || !overdue || !late || !waiting || !top)
        return;
    bool any = false;
    for (size_t i = 0; i < n; i++) {
        any = any || isfinite(within[i]);
        if (isfinite(decided[i]) && isfinite(within[i]))
            late[i] = decided[i] - within[i];
        if (isfinite(handoffs[i]) && isfinite(decided[i]))
            waiting[i] = handoffs[i] - decided[i] - (isfinite(overdue[i]) ? overdue[i] : 0);
        double rate = charts_num(t, (long)rows[i], "within_sla_rate");
        top[i] = isfinite(rate) ? pct(f, rate) : "";
    }
    if (!any)
        return; /* no SLA configured: the outcomes are null */
    svg_series o[4] = {
        {.name = "decided within SLA", .v = within, .kind = SVG_STACK, .color = SVG_GREEN},
        {.name = "decided late", .v = late, .kind = SVG_STACK, .color = SVG_VERMILLION},
        {.name = "pending, overdue", .v = overdue, .kind = SVG_STACK, .color = SVG_ORANGE},
        {.name = "pending, not yet due", .v = waiting, .kind = SVG_STACK, .color = SVG_GREY},
    };
    svg_chart c2 = {
        .title = "Handoffs by SLA outcome (share decided within SLA on top)",
        .desc = fmt(f->pl,
                    "Handoffs per %s of MQL, %s: decided within the SLA, decided late, "
                    "pending past the deadline, pending within it. Over the range %s of "
                    "decided handoffs were within the SLA.",
                    by_word(t), span(f, cats, n), pct(f, charts_num(t, -1, "within_sla_rate"))),
        .x_title = fmt(f->pl, "%s of MQL (cohort)", by_word(t)),
        .y_title = "handoffs (count)",
        .n = n,
        .cats = cats,
        .periods = true,
        .top = top,
        .series = o,
        .nseries = 4,
        .unit = MK_COUNT,
        .empty = "no handoffs in the range"};
    figure(f, &c2, false, NULL);
}

static void chart_speed(figs *f)
{
    const lf_table *t = f->t;
    const lf_html_context *ctx = f->ctx;
    size_t n = t->nrows, *rows = all_rows(f->pl, t);
    const char **cats = labels(f->pl, t, rows, n);
    double *within = column(f->pl, t, rows, n, "within_target");
    double *contacted = column(f->pl, t, rows, n, "contacted");
    double *handoffs = column(f->pl, t, rows, n, "handoffs");
    double *later = vals(f->pl, n), *none = vals(f->pl, n);
    const char **top = strs(f->pl, n);
    if (!rows || !cats || !within || !contacted || !handoffs || !later || !none || !top)
        return;
    const char *target = ctx && ctx->target_text ? ctx->target_text : "the target";
    /* a null count means the input was never imported (lf_report_mark_missing) */
    const char *missing = isfinite(charts_num(t, -1, "contacted"))
                              ? NULL
                              : "missing: no MQL has a contacted event (none imported)";
    for (size_t i = 0; i < n; i++) {
        if (isfinite(contacted[i]) && isfinite(within[i]))
            later[i] = contacted[i] - within[i];
        if (isfinite(handoffs[i]) && isfinite(contacted[i]))
            none[i] = handoffs[i] - contacted[i];
        double rate = charts_num(t, (long)rows[i], "within_target_rate");
        top[i] = isfinite(rate) ? pct(f, rate) : "";
    }
    svg_series s[3] = {
        {.name = fmt(f->pl, "contacted within %s", target),
         .v = within,
         .kind = SVG_STACK,
         .color = SVG_GREEN},
        {.name = "contacted later", .v = later, .kind = SVG_STACK, .color = SVG_ORANGE},
        {.name = "not contacted", .v = none, .kind = SVG_STACK, .color = SVG_GREY},
    };
    svg_chart c = {
        .title = fmt(f->pl, "Speed to lead: MQLs contacted within %s (share on top)", target),
        .desc = fmt(f->pl,
                    "Handoffs per %s of MQL, %s, by first sales contact: within %s of "
                    "the MQL, later, or not yet. Over the range %s were contacted within "
                    "%s; the literature benchmark is contact within one hour, which only "
                    "37%% of companies manage.",
                    by_word(t), span(f, cats, n), target,
                    pct(f, charts_num(t, -1, "within_target_rate")), target),
        .x_title = fmt(f->pl, "%s of MQL (cohort)", by_word(t)),
        .y_title = "handoffs (count)",
        .n = n,
        .cats = cats,
        .periods = true,
        .top = top,
        .series = s,
        .nseries = 3,
        .unit = MK_COUNT,
        .empty = missing ? missing : "no handoffs in the range"};
    figure(f, &c, false, NULL);

    double *med = column(f->pl, t, rows, n, "contact_median_h");
    if (!med)
        return;
    svg_series m = {.name = "median time to first contact",
                    .v = med,
                    .kind = SVG_BAR,
                    .color = SVG_BLUE,
                    .labels = true};
    svg_ref refs[2];
    size_t nref = 0;
    double th = ctx ? ctx->target_hours : NAN;
    if (isfinite(th))
        refs[nref++] = (svg_ref){
            .lo = th, .hi = th, .label = fmt(f->pl, "target %s", target), .color = SVG_VERMILLION};
    if (!isfinite(th) || fabs(th - 1.0) > 1e-9)
        refs[nref++] = (svg_ref){.lo = 1, .hi = 1, .label = "benchmark 1 h", .color = SVG_BLACK};
    svg_chart c2 = {.title = "Median time from MQL to first contact",
                    .desc =
                        fmt(f->pl,
                            "Median calendar hours from MQL to the first sales contact, per %s of "
                            "MQL, %s, against the target %s; over the range %s h.",
                            by_word(t), span(f, cats, n), target,
                            fmt(f->pl, "%.1f", charts_num(t, -1, "contact_median_h"))),
                    .x_title = fmt(f->pl, "%s of MQL (cohort)", by_word(t)),
                    .y_title = "hours to first contact (calendar, median)",
                    .n = n,
                    .cats = cats,
                    .periods = true,
                    .series = &m,
                    .nseries = 1,
                    .refs = refs,
                    .nrefs = nref,
                    .unit = MK_HOURS,
                    .empty = missing ? missing : "no contacted handoffs in the range"};
    figure(f, &c2, false, NULL);
}

static void chart_cost(figs *f)
{
    const lf_table *t = f->t;
    size_t n = t->nrows, *rows = all_rows(f->pl, t);
    const char **cats = labels(f->pl, t, rows, n);
    double *simple = column(f->pl, t, rows, n, "cost_per_sql");
    double *lagged = column(f->pl, t, rows, n, "lagged_cost_per_sql");
    if (!rows || !cats || !simple || !lagged)
        return;
    double lag = charts_num(t, -1, "lag_days");
    svg_series s[2] = {
        {.name = "cost per SQL: spend of the same period",
         .v = simple,
         .kind = SVG_LINE,
         .color = SVG_BLUE},
        {.name = fmt(f->pl, "lagged: spend %s days earlier", count(f, lag)),
         .v = lagged,
         .kind = SVG_LINE,
         .color = SVG_ORANGE,
         .dashed = true},
    };
    char a[MK_NUM_MAX], b[MK_NUM_MAX];
    mk_fmt_value(charts_num(t, -1, "cost_per_sql"), LF_COL_MONEY, a, sizeof a);
    mk_fmt_value(charts_num(t, -1, "lagged_cost_per_sql"), LF_COL_MONEY, b, sizeof b);
    svg_chart c = {.title = "Cost per SQL, same-period and lagged spend",
                   .desc =
                       fmt(f->pl,
                           "Spend divided by SQLs per %s, %s, once with the spend of the same "
                           "period and once with spend shifted %s days earlier. Over the range: %s "
                           "and %s lagged.",
                           by_word(t), span(f, cats, n), count(f, lag), a, b),
                   .x_title = fmt(f->pl, "%s (SQL entered)", by_word(t)),
                   .y_title = "cost per SQL (spend currency)",
                   .n = n,
                   .cats = cats,
                   .periods = true,
                   .series = s,
                   .nseries = 2,
                   .unit = MK_MONEY,
                   .empty = isfinite(charts_num(t, -1, "cost"))
                                ? "no SQLs with spend in the range"
                                : "missing: no spend has been imported"};
    figure(f, &c, false,
           "Spend precedes results: the lagged line sets each period's SQLs against the "
           "spend that could have produced them.");
}

static void chart_bizday(figs *f)
{
    const lf_table *t = f->t;
    size_t n = t->nrows, *rows = all_rows(f->pl, t);
    const char **cats = labels(f->pl, t, rows, n);
    double *leads = column(f->pl, t, rows, n, "leads_per_bday");
    double *mqls = column(f->pl, t, rows, n, "mqls_per_bday");
    if (!rows || !cats || !leads || !mqls)
        return;
    svg_series s[2] = {
        {.name = "leads per business day",
         .v = leads,
         .kind = SVG_BAR,
         .color = SVG_BLUE,
         .labels = true},
        {.name = "MQLs per business day",
         .v = mqls,
         .kind = SVG_BAR,
         .color = SVG_ORANGE,
         .labels = true},
    };
    svg_chart c = {
        .title = "Leads and MQLs per business day, month over month",
        .desc = fmt(f->pl,
                    "Leads and MQLs divided by the business days of each month, %s; over "
                    "the range %s leads and %s MQLs per business day.",
                    span(f, cats, n), fmt(f->pl, "%.2f", charts_num(t, -1, "leads_per_bday")),
                    fmt(f->pl, "%.2f", charts_num(t, -1, "mqls_per_bday"))),
        .x_title = "month",
        .y_title = "per business day",
        .n = n,
        .cats = cats,
        .periods = true,
        .series = s,
        .nseries = 2,
        .unit = MK_NUMBER,
        .empty = "no leads in the range"};
    figure(f, &c, false, NULL);

    /* the pacing of the month that contains as-of */
    for (size_t r = 0; r < n; r++) {
        const lf_object *p = charts_obj(t, (long)r, "pacing");
        if (!p)
            continue;
        double goal = charts_obj_num(p, "goal"), mtd = charts_obj_num(p, "mtd");
        double proj = charts_obj_num(p, "projected");
        double el = charts_obj_num(p, "bdays_elapsed"), left = charts_obj_num(p, "bdays_left");
        double need = charts_obj_num(p, "required_per_bday");
        double *v = vals(f->pl, 2);
        const char **pc = strs(f->pl, 2), **notes = strs(f->pl, 2);
        if (!v || !pc || !notes)
            return;
        v[0] = mtd;
        v[1] = proj;
        pc[0] = "MQLs so far";
        pc[1] = "projected";
        notes[0] = fmt(f->pl, "%s of %s business days", count(f, el),
                       count(f, isfinite(el) && isfinite(left) ? el + left : NAN));
        notes[1] = "at this pace";
        svg_series ps = {.name = NULL, .v = v, .kind = SVG_BAR, .color = SVG_BLUE, .labels = true};
        svg_ref gr = {.lo = goal,
                      .hi = goal,
                      .label = fmt(f->pl, "goal %s", count(f, goal)),
                      .color = SVG_BLACK};
        bool on_pace = isfinite(proj) && isfinite(goal) && proj >= goal;
        svg_chart c2 = {
            .title =
                fmt(f->pl, "Pacing in %s: MQLs so far and projected against the goal", cats[r]),
            .desc = fmt(f->pl,
                        "%s MQLs so far after %s business days; projected %s for the month "
                        "against a goal of %s (%s).",
                        count(f, mtd), count(f, el), fmt(f->pl, "%.1f", proj), count(f, goal),
                        on_pace ? "on pace" : "behind pace"),
            .x_title = "MQLs in the month (count)",
            .n = 2,
            .cats = pc,
            .notes = notes,
            .series = &ps,
            .nseries = 1,
            .refs = isfinite(goal) ? &gr : NULL,
            .nrefs = isfinite(goal) ? 1 : 0,
            .unit = MK_NUMBER};
        const char *caption;
        if (!isfinite(goal))
            caption = "No goal is configured for this month.";
        else if (isfinite(mtd) && mtd >= goal)
            caption =
                fmt(f->pl, "Goal reached: %s MQLs of %s so far.", count(f, mtd), count(f, goal));
        else
            caption = fmt(f->pl, "%s: %s MQLs per business day needed in the %s left.",
                          on_pace ? "On pace" : "Behind pace",
                          isfinite(need) ? fmt(f->pl, "%.2f", need) : MK_NULL_MARK, count(f, left));
        figure(f, &c2, true, caption);
        break;
    }
}

/* persona and channel: rates and volumes per row; channel also money. */
static void chart_dimension(figs *f, const char *what)
{
    const lf_table *t = f->t;
    size_t n;
    bool cut;
    size_t *rows = top_rows(f->pl, t, "leads", &n, &cut);
    const char **cats = labels(f->pl, t, rows, n);
    if (!rows || !cats)
        return;
    const char **notes = strs(f->pl, n);
    for (size_t i = 0; notes && i < n; i++)
        notes[i] = fmt(f->pl, "%s leads", count(f, charts_num(t, (long)rows[i], "leads")));
    const char *caption =
        cut ? fmt(f->pl, "The %d %ss with the most leads; all %zu are in the table.", MAX_ROWS,
                  what, t->nrows)
            : NULL;
    svg_series r[2] = {
        {.name = "acceptance rate (accepted / decided MQLs)",
         .v = column(f->pl, t, rows, n, "acceptance_rate"),
         .kind = SVG_BAR,
         .color = SVG_BLUE,
         .labels = true},
        {.name = "lead to customer (cohort)",
         .v = column(f->pl, t, rows, n, "lead_to_customer"),
         .kind = SVG_BAR,
         .color = SVG_ORANGE,
         .labels = true},
    };
    svg_ref band = {.lo = 0.02,
                    .hi = 0.05,
                    .label = "typical lead to customer: 2\xe2\x80\x93"
                             "5%",
                    .color = SVG_GREEN};
    if (!r[0].v || !r[1].v)
        return;
    svg_chart c = {.title = fmt(f->pl, "Conversion by %s", what),
                   .desc =
                       fmt(f->pl,
                           "Acceptance rate and lead-to-customer rate per %s over the range; in "
                           "total %s and %s (typical lead to customer: 2 to 5%%).",
                           what, pct(f, charts_num(t, -1, "acceptance_rate")),
                           pct(f, charts_num(t, -1, "lead_to_customer"))),
                   .x_title = "rate (%)",
                   .n = n,
                   .cats = cats,
                   .notes = notes,
                   .series = r,
                   .nseries = 2,
                   .refs = &band,
                   .nrefs = 1,
                   .unit = MK_RATE,
                   .max_hint = 1,
                   .empty = "nothing in the range"};
    figure(f, &c, true, caption);

    svg_series v[4] = {
        {.name = "leads",
         .v = column(f->pl, t, rows, n, "leads"),
         .kind = SVG_BAR,
         .color = SVG_BLUE,
         .labels = true},
        {.name = "MQLs",
         .v = column(f->pl, t, rows, n, "mqls"),
         .kind = SVG_BAR,
         .color = SVG_ORANGE,
         .labels = true},
        {.name = "SQLs",
         .v = column(f->pl, t, rows, n, "sqls"),
         .kind = SVG_BAR,
         .color = SVG_GREEN,
         .labels = true},
        {.name = "customers",
         .v = column(f->pl, t, rows, n, "customers"),
         .kind = SVG_BAR,
         .color = SVG_PURPLE,
         .labels = true},
    };
    if (!v[0].v || !v[1].v || !v[2].v || !v[3].v)
        return;
    svg_chart c2 = {
        .title = fmt(f->pl, "Volume by %s: leads, MQLs, SQLs, customers", what),
        .desc =
            fmt(f->pl, "Leads created, MQLs, SQLs and customers won per %s over the range.", what),
        .x_title = "count in the range",
        .n = n,
        .cats = cats,
        .series = v,
        .nseries = 4,
        .unit = MK_COUNT,
        .empty = "nothing in the range"};
    figure(f, &c2, true, caption);

    if (charts_col(t, "revenue") < 0 || charts_col(t, "cost") < 0)
        return;
    svg_series m[2] = {
        {.name = "revenue won",
         .v = column(f->pl, t, rows, n, "revenue"),
         .kind = SVG_BAR,
         .color = SVG_GREEN,
         .labels = true},
        {.name = "spend",
         .v = column(f->pl, t, rows, n, "cost"),
         .kind = SVG_BAR,
         .color = SVG_VERMILLION,
         .labels = true},
    };
    const char **roi = strs(f->pl, n);
    for (size_t i = 0; roi && i < n; i++) {
        double x = charts_num(t, (long)rows[i], "roi");
        roi[i] = isfinite(x) ? fmt(f->pl, "ROI %s", pct(f, x)) : "ROI " MK_NULL_MARK;
    }
    if (!m[0].v || !m[1].v || !roi)
        return;
    char rev[MK_NUM_MAX], cost[MK_NUM_MAX];
    mk_fmt_value(charts_num(t, -1, "revenue"), LF_COL_MONEY, rev, sizeof rev);
    mk_fmt_value(charts_num(t, -1, "cost"), LF_COL_MONEY, cost, sizeof cost);
    svg_chart c3 = {.title = fmt(f->pl, "Revenue won and spend by %s", what),
                    .desc = isfinite(charts_num(t, -1, "cost"))
                                ? fmt(f->pl,
                                      "Revenue won and marketing spend per %s over the range; in "
                                      "total %s revenue against %s spend.",
                                      what, rev, cost)
                                : fmt(f->pl,
                                      "Revenue won per %s over the range, %s in total; spend is "
                                      "missing: none has been imported.",
                                      what, rev),
                    .x_title = "amount (spend currency)",
                    .n = n,
                    .cats = cats,
                    .notes = roi,
                    .series = m,
                    .nseries = 2,
                    .unit = MK_MONEY,
                    .empty = "no revenue or spend in the range"};
    figure(f, &c3, true, caption);
}

static void chart_customers(figs *f)
{
    const lf_table *t = f->t;
    size_t n = t->nrows, *rows = all_rows(f->pl, t);
    const char **cats = labels(f->pl, t, rows, n);
    double *share = column(f->pl, t, rows, n, "marketing_sourced_rate");
    double *cust = column(f->pl, t, rows, n, "customers");
    double *mkt = column(f->pl, t, rows, n, "marketing_sourced");
    double *other = vals(f->pl, n);
    if (!rows || !cats || !share || !cust || !mkt || !other)
        return;
    for (size_t i = 0; i < n; i++)
        if (isfinite(cust[i]) && isfinite(mkt[i]))
            other[i] = cust[i] - mkt[i];
    svg_series s = {.name = "marketing-sourced share of new customers",
                    .v = share,
                    .kind = SVG_LINE,
                    .color = SVG_BLUE,
                    .labels = true};
    svg_ref bands[2] = {
        {.lo = 0.2,
         .hi = 0.4,
         .label = "benchmark 20\xe2\x80\x93"
                  "40% (field sales)",
         .color = SVG_ORANGE},
        {.lo = 0.4,
         .hi = 0.8,
         .label = "benchmark 40\xe2\x80\x93"
                  "80% (inside sales)",
         .color = SVG_GREEN},
    };
    svg_chart c = {
        .title = "Marketing-sourced share of new customers",
        .desc =
            fmt(f->pl,
                "Share of the customers won in each %s, %s, whose origin is marketing, "
                "against the literature benchmarks of 20 to 40%% (field sales) and 40 to "
                "80%% (inside sales); over the range %s.",
                by_word(t), span(f, cats, n), pct(f, charts_num(t, -1, "marketing_sourced_rate"))),
        .x_title = fmt(f->pl, "%s (customer won)", by_word(t)),
        .y_title = "share of customers won (%)",
        .n = n,
        .cats = cats,
        .periods = true,
        .series = &s,
        .nseries = 1,
        .refs = bands,
        .nrefs = 2,
        .unit = MK_RATE,
        .max_hint = 1,
        .empty = "no customers won in the range"};
    figure(f, &c, false, NULL);

    svg_series o[2] = {
        {.name = "marketing-sourced", .v = mkt, .kind = SVG_STACK, .color = SVG_BLUE},
        {.name = "sales-sourced", .v = other, .kind = SVG_STACK, .color = SVG_ORANGE},
    };
    const char **top = strs(f->pl, n);
    for (size_t i = 0; top && i < n; i++)
        top[i] = isfinite(cust[i]) && cust[i] > 0 ? count(f, cust[i]) : "";
    svg_chart c2 = {.title = "New customers by origin",
                    .desc =
                        fmt(f->pl,
                            "Customers won per %s, %s, marketing-sourced and sales-sourced; %s "
                            "in total.",
                            by_word(t), span(f, cats, n), count(f, charts_num(t, -1, "customers"))),
                    .x_title = fmt(f->pl, "%s (customer won)", by_word(t)),
                    .y_title = "customers won (count)",
                    .n = n,
                    .cats = cats,
                    .periods = true,
                    .top = top,
                    .series = o,
                    .nseries = 2,
                    .unit = MK_COUNT,
                    .empty = "no customers won in the range"};
    figure(f, &c2, false, NULL);
}

static void chart_scoring(figs *f)
{
    const lf_table *t = f->t;
    size_t n = t->nrows, *rows = all_rows(f->pl, t);
    const char **cats = labels(f->pl, t, rows, n);
    double *acc = column(f->pl, t, rows, n, "acceptance_rate");
    double *win = column(f->pl, t, rows, n, "win_rate");
    const char **top = strs(f->pl, n);
    if (!rows || !cats || !acc || !win || !top)
        return;
    for (size_t i = 0; i < n; i++) {
        double h = charts_num(t, (long)rows[i], "handoffs");
        top[i] = isfinite(h) ? fmt(f->pl, "n=%s", count(f, h)) : "";
    }
    svg_series s[2] = {
        {.name = "acceptance rate", .v = acc, .kind = SVG_BAR, .color = SVG_BLUE},
        {.name = "win rate (customers / handoffs)", .v = win, .kind = SVG_BAR, .color = SVG_ORANGE},
    };
    svg_chart c = {
        .title = "Acceptance and win rate by score band at MQL",
        .desc = fmt(f->pl,
                    "Acceptance rate and win rate of the handoffs opened in the range, by the "
                    "band of the lead's total score when it became an MQL; n is the number of "
                    "handoffs. "
                    "In total %s accepted and %s won.",
                    pct(f, charts_num(t, -1, "acceptance_rate")),
                    pct(f, charts_num(t, -1, "win_rate"))),
        .x_title = "total score at MQL (band)",
        .y_title = "share of handoffs (%)",
        .n = n,
        .cats = cats,
        .top = top,
        .series = s,
        .nseries = 2,
        .unit = MK_RATE,
        .max_hint = 1,
        .empty = "no handoffs in the range"};
    figure(f, &c, false, NULL);
}

/* ---- dispatch ------------------------------------------------------------------------------ */

static void chart_persona(figs *f)
{
    chart_dimension(f, "persona");
}

static void chart_channel(figs *f)
{
    chart_dimension(f, "channel");
}

static const struct {
    const char *report;
    void (*fn)(figs *f);
} chart_fns[] = {
    {"funnel", chart_funnel},       {"mql", chart_mql},         {"sql", chart_sql},
    {"velocity", chart_velocity},   {"speed", chart_speed},     {"cost", chart_cost},
    {"bizday", chart_bizday},       {"persona", chart_persona}, {"channel", chart_channel},
    {"customers", chart_customers}, {"scoring", chart_scoring},
};

size_t charts_write(mk_out *o, const lf_table *t, const lf_html_context *ctx)
{
    if (!t || !t->report)
        return 0;
    for (size_t i = 0; i < sizeof chart_fns / sizeof chart_fns[0]; i++) {
        if (strcmp(chart_fns[i].report, t->report) != 0)
            continue;
        pool pl = {0};
        figs f = {.o = o, .pl = &pl, .t = t, .ctx = ctx};
        size_t k = 0;
        for (const char *p = t->report; *p && k + 1 < sizeof f.report; p++)
            f.report[k++] = (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ? *p : '-';
        f.report[k] = '\0';
        chart_fns[i].fn(&f);
        if (pl.failed && o->st == LF_OK)
            o->st = LF_ENOMEM;
        pool_release(&pl);
        return f.count;
    }
    return 0;
}
