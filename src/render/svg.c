/*
 * svg.c — chart primitives of the HTML report: columns over categories and
 * horizontal bars over named rows, as inline SVG (see svg.h).
 *
 * Place in the flow: charts.c turns a report table into an svg_chart; this file
 * lays it out and writes the markup through markup.h (all text through mk_text).
 *
 * Layout is computed before anything is written, because the <svg> element needs
 * its height up front: title lines (wrapped), legend rows (wrapped), the plot, the
 * category labels (thinned so they never collide) and the axis titles. Text widths
 * are estimated from the number of code points (0.6 em each: wide enough for the
 * usual sans-serif fonts, so an estimate errs on the side of space). Coordinates
 * are written with one decimal, so the output is the same on every machine.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "svg.h"

/* Fills (Okabe–Ito) and darker inks of the same hues for text on white. */
static const char *const fills[SVG_NCOLORS] = {"#0072B2", "#E69F00", "#009E73",
                                               "#D55E00", "#56B4E9", "#CC79A7",
                                               "#F0E442", "#222222", "#A3A3A3"};
static const char *const inks[SVG_NCOLORS] = {"#005A8C", "#8A5A00", "#00674A", "#A43F00", "#1C6D96",
                                              "#8C4470", "#6B6500", "#222222", "#555555"};

const char *svg_color(int color)
{
    return fills[color >= 0 && color < SVG_NCOLORS ? color : SVG_BLACK];
}

static const char *ink(int color)
{
    return inks[color >= 0 && color < SVG_NCOLORS ? color : SVG_BLACK];
}

/* ---- geometry and text -------------------------------------------------------- */

typedef struct geom {
    int w;
    bool narrow;
    double fs_title, fs_axis, fs_label, fs_small;
    char id[80]; /* chart id + variant */
} geom;

static void geom_init(geom *g, const svg_chart *c, int w)
{
    g->w = w;
    g->narrow = w < SVG_WIDE;
    g->fs_title = g->narrow ? 14 : 15;
    g->fs_axis = g->narrow ? 11 : 12;
    g->fs_label = g->narrow ? 10 : 11;
    g->fs_small = g->narrow ? 10 : 11;
    /* ids are ours, but keep them to [a-z0-9-] whatever a caller passes */
    size_t o = 0;
    for (const char *p = c->id ? c->id : "chart"; *p && o + 3 < sizeof g->id; p++)
        if ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-')
            g->id[o++] = *p;
    g->id[o++] = '-';
    g->id[o++] = g->narrow ? 'n' : 'w';
    g->id[o] = '\0';
}

/* Estimated width of text in user units at font size fs. */
static double text_w(const char *s, double fs)
{
    size_t cp = 0;
    for (; s && *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            cp++;
    return (double)cp * fs * 0.6;
}

/* Copies s into buf, cut at a code point boundary with "…" so that it fits maxw. */
static void fit_text(const char *s, double maxw, double fs, char *buf, size_t size)
{
    snprintf(buf, size, "%s", s ? s : "");
    if (text_w(buf, fs) <= maxw)
        return;
    size_t keep = (size_t)(maxw / (fs * 0.6));
    keep = keep > 1 ? keep - 1 : 0;
    size_t i = 0, cp = 0;
    while (buf[i] && cp < keep) {
        i++;
        while (((unsigned char)buf[i] & 0xC0) == 0x80)
            i++;
        cp++;
    }
    if (i + 4 <= size)
        snprintf(buf + i, size - i, "\xe2\x80\xa6");
}

/* Greedy word wrap of text into at most 3 lines of width maxw; returns the count.
 * The last line takes the rest of the text, cut with "…" when it does not fit. */
static size_t wrap(const char *text, double maxw, double fs, char lines[3][256])
{
    size_t n = 0;
    const char *p = text ? text : "";
    while (n < 3) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        size_t best = 0;
        for (;;) {
            size_t e = best;
            while (p[e] == ' ')
                e++;
            if (!p[e])
                break;
            while (p[e] && p[e] != ' ')
                e++;
            char tmp[256];
            snprintf(tmp, sizeof tmp, "%.*s", (int)e, p);
            if (best && (text_w(tmp, fs) > maxw || e >= sizeof tmp - 1))
                break;
            best = e;
        }
        if (n == 2)
            best = strlen(p);
        char tmp[256];
        snprintf(tmp, sizeof tmp, "%.*s", (int)best, p);
        fit_text(tmp, maxw, fs, lines[n], sizeof lines[n]);
        n++;
        p += best;
    }
    return n;
}

/* ---- scales -------------------------------------------------------------------- */

typedef struct scale {
    double lo, hi, step; /* axis range and tick step */
    double p0, p1;       /* pixel positions of lo and hi */
} scale;

/* A 1-2-2.5-5 step giving about `target` ticks over [lo, hi], widened to whole steps. */
static void scale_nice(scale *s, double lo, double hi, int target, mk_unit unit)
{
    if (!(hi > lo))
        hi = lo + 1;
    double raw = (hi - lo) / target, mag = pow(10, floor(log10(raw))), f = raw / mag;
    bool no_quarter = unit == MK_COUNT && mag < 10; /* no 2.5 steps of whole things */
    double step = (f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 && !no_quarter ? 2.5 : f <= 5 ? 5 : 10) * mag;
    if ((unit == MK_COUNT) && step < 1)
        step = 1;
    if (unit == MK_RATE && step < 0.01)
        step = 0.01;
    s->step = step;
    s->lo = floor(lo / step + 1e-9) * step;
    s->hi = ceil(hi / step - 1e-9) * step;
    if (s->hi <= s->lo)
        s->hi = s->lo + step;
}

static double scale_at(const scale *s, double v)
{
    return s->p0 + (v - s->lo) / (s->hi - s->lo) * (s->p1 - s->p0);
}

/* The widest tick label of a scale. */
static double ticks_w(const scale *s, mk_unit unit, double fs)
{
    double w = 0;
    for (double t = s->lo; t <= s->hi + s->step * 1e-6; t += s->step) {
        char b[MK_NUM_MAX];
        mk_fmt_short(fabs(t) < s->step * 1e-9 ? 0 : t, unit, s->step, b, sizeof b);
        w = fmax(w, text_w(b, fs));
    }
    return w;
}

/* ---- pieces of markup -------------------------------------------------------------- */

static void begin(mk_out *o, const svg_chart *c, const geom *g, double h)
{
    /* The first <title> child names the image and <desc> describes it (SVG-AAM);
     * no ids on them, which HTML checkers take for the document's <title>. */
    mk_rawf(o,
            "<svg class=\"%s\" id=\"%s\" viewBox=\"0 0 %d %.0f\" width=\"%d\" "
            "height=\"%.0f\" role=\"img\">\n",
            g->narrow ? "narrow" : "wide", g->id, g->w, ceil(h), g->w, ceil(h));
    mk_raw(o, "<title>");
    mk_text(o, c->title);
    mk_raw(o, "</title>\n<desc>");
    mk_text(o, c->desc);
    mk_raw(o, "</desc>\n");
}

/* <text> with escaped content; cls is one of the classes in report.css. */
static void text_at(mk_out *o, double x, double y, const char *anchor, const char *cls,
                    const char *fill, const char *s)
{
    mk_rawf(o, "<text x=\"%.1f\" y=\"%.1f\"", x, y);
    if (anchor && strcmp(anchor, "start") != 0)
        mk_rawf(o, " text-anchor=\"%s\"", anchor);
    if (cls)
        mk_rawf(o, " class=\"%s\"", cls);
    if (fill)
        mk_rawf(o, " fill=\"%s\"", fill);
    mk_raw(o, ">");
    mk_text(o, s);
    mk_raw(o, "</text>\n");
}

/* A <title> tooltip: "CATEGORY · NAME: VALUE". */
static void tooltip(mk_out *o, const char *cat, const char *name, double v, mk_unit unit)
{
    char b[MK_NUM_MAX];
    mk_fmt_short(v, unit, 0, b, sizeof b);
    mk_raw(o, "<title>");
    mk_text(o, cat);
    if (name) {
        mk_raw(o, " \xc2\xb7 ");
        mk_text(o, name);
    }
    mk_raw(o, ": ");
    mk_text(o, b);
    mk_raw(o, "</title>");
}

static void title_lines(mk_out *o, const geom *g, char lines[3][256], size_t n)
{
    for (size_t i = 0; i < n; i++)
        text_at(o, 0, g->fs_title + (double)i * g->fs_title * 1.3, NULL, "ct", NULL, lines[i]);
}

/* ---- legend ------------------------------------------------------------------------ */

typedef enum { LEG_BOX, LEG_LINE, LEG_MARK, LEG_BAND } leg_shape;

/* Lays out (draw = false) or draws the legend from y = top; returns its height. */
static double legend(mk_out *o, const svg_chart *c, const geom *g, double top, bool draw)
{
    double x = 0, y = top, row = g->fs_axis * 1.6, height = 0;
    size_t total = c->nseries + c->nrefs;
    for (size_t k = 0; k < total; k++) {
        const char *name;
        int color;
        bool dashed = false;
        leg_shape shape;
        if (k < c->nseries) {
            const svg_series *s = &c->series[k];
            name = s->name;
            color = s->color;
            dashed = s->dashed;
            shape = s->kind == SVG_LINE ? LEG_LINE : s->kind == SVG_MARK ? LEG_MARK : LEG_BOX;
        } else {
            const svg_ref *r = &c->refs[k - c->nseries];
            name = r->label;
            color = r->color;
            dashed = r->lo == r->hi;
            shape = r->lo == r->hi ? LEG_LINE : LEG_BAND;
        }
        if (!name)
            continue;
        char fitted[256];
        fit_text(name, g->w - 30, g->fs_axis, fitted, sizeof fitted);
        double iw = 22 + text_w(fitted, g->fs_axis) + 14;
        if (x > 0 && x + iw - 14 > g->w) {
            x = 0;
            y += row;
        }
        height = y - top + row;
        if (draw) {
            double cy = y + row / 2;
            switch (shape) {
            case LEG_BOX:
                mk_rawf(o, "<rect x=\"%.1f\" y=\"%.1f\" width=\"14\" height=\"10\" fill=\"%s\"/>\n",
                        x, cy - 5, fills[color]);
                break;
            case LEG_BAND:
                mk_rawf(o,
                        "<rect x=\"%.1f\" y=\"%.1f\" width=\"14\" height=\"10\" fill=\"%s\" "
                        "fill-opacity=\"0.18\" stroke=\"%s\" stroke-opacity=\"0.5\"/>\n",
                        x, cy - 5, fills[color], fills[color]);
                break;
            case LEG_MARK:
                mk_rawf(o,
                        "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
                        "stroke-width=\"3\"/>\n",
                        x, cy, x + 16, cy, fills[color]);
                break;
            case LEG_LINE:
                mk_rawf(o,
                        "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
                        "stroke-width=\"2.5\"%s/>\n",
                        x, cy, x + 16, cy, fills[color], dashed ? " stroke-dasharray=\"5 3\"" : "");
                if (k < c->nseries)
                    mk_rawf(o,
                            "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\" stroke=\"%s\" "
                            "stroke-width=\"1.5\"/>\n",
                            x + 8, cy, dashed ? "#fff" : fills[color], fills[color]);
                break;
            }
            text_at(o, x + 21, cy + g->fs_axis * 0.35, NULL, "lg", NULL, fitted);
        }
        x += iw;
    }
    return height;
}

/* ---- columns ----------------------------------------------------------------------- */

/* The category label lines as drawn (periods shortened). */
static void cat_lines(const svg_chart *c, size_t i, const char *prev, char *l1, size_t n1, char *l2,
                      size_t n2)
{
    if (c->periods) {
        mk_period_short(c->cats[i], prev, l1, n1, l2, n2);
    } else {
        snprintf(l1, n1, "%s", c->cats[i] ? c->cats[i] : "");
        if (n2)
            l2[0] = '\0';
    }
}

static bool finite_at(const svg_series *s, size_t i)
{
    return s->v && isfinite(s->v[i]);
}

/* The state of one columns chart: its value range, then its layout. */
typedef struct cols {
    mk_out *o;
    const svg_chart *c;
    geom g;
    size_t n, nbars, nslots, every, ntl;
    double lo, hi;
    bool any, has_stack, has_back, labels, two_lines;
    double *stack_top, *acc; /* per category: the stacks' tops; drawing's running sums */
    scale ys;
    char tl[3][256];
    double leg_top, ytitle_y, plot_top, plot_bot, plot_l, plot_r, slot, xl_y, xt_y, h;
    double group, bw, gap, zero;
} cols;

/* The value range, with stacks summed per category, and the value scale. */
static void cols_range(cols *L)
{
    const svg_chart *c = L->c;
    double lo = 0, hi = 0;
    L->labels = c->top != NULL;
    for (size_t k = 0; k < c->nseries; k++) {
        const svg_series *s = &c->series[k];
        if (s->kind == SVG_BAR)
            L->nbars++;
        if (s->kind == SVG_STACK)
            L->has_stack = true;
        if (s->kind == SVG_BACK)
            L->has_back = true;
        if (s->labels)
            L->labels = true;
        for (size_t i = 0; i < L->n; i++) {
            if (!finite_at(s, i))
                continue;
            L->any = true;
            if (s->kind == SVG_STACK) {
                L->stack_top[i] += fmax(0, s->v[i]);
                hi = fmax(hi, L->stack_top[i]);
            } else {
                lo = fmin(lo, s->v[i]);
                hi = fmax(hi, s->v[i]);
            }
        }
    }
    L->nslots = L->nbars + (L->has_stack ? 1 : 0);
    for (size_t k = 0; k < c->nrefs; k++) {
        lo = fmin(lo, c->refs[k].lo);
        hi = fmax(hi, c->refs[k].hi);
    }
    /* room for the labels above the tallest bar, except on an axis that ends at its
     * natural maximum (rates at 100%: the plot keeps space above for labels) */
    if (c->max_hint > 0 && hi <= c->max_hint)
        hi = c->max_hint;
    else if (L->labels && hi > 0)
        hi *= 1.08;
    scale_nice(&L->ys, lo, hi, L->g.narrow ? 4 : 5, c->unit);
    if (L->nslots == 0 && L->has_back)
        L->nslots = 1;
}

/* Vertical layout: title lines, legend, the value axis title, the plot. */
static void cols_layout(cols *L, int w)
{
    const svg_chart *c = L->c;
    const geom *g = &L->g;
    L->ntl = wrap(c->title, w, g->fs_title, L->tl);
    double y = L->ntl * g->fs_title * 1.3 + 4;
    double leg_h = legend(L->o, c, g, y, false);
    L->leg_top = y;
    y += leg_h + (leg_h > 0 ? 6 : 0);
    L->ytitle_y = y + g->fs_axis;
    y = L->ytitle_y + (L->labels ? 18 : 10);
    double plot_h = g->narrow ? 170 : 200;
    L->plot_top = y;
    L->plot_bot = L->plot_top + plot_h;
    double ytw = ticks_w(&L->ys, c->unit, g->fs_axis);
    L->plot_l = ytw + 10;
    L->plot_r = w - 4;
    L->ys.p0 = L->plot_bot;
    L->ys.p1 = L->plot_top;
    L->slot = L->n ? (L->plot_r - L->plot_l) / (double)L->n : L->plot_r - L->plot_l;
}

/* Category labels: every k-th, so that they never collide; then the height. */
static void cols_thin(cols *L)
{
    const svg_chart *c = L->c;
    const geom *g = &L->g;
    double maxlw = 0;
    const char *prev = NULL;
    for (size_t i = 0; i < L->n; i++) {
        char l1[64], l2[16];
        cat_lines(c, i, prev, l1, sizeof l1, l2, sizeof l2);
        maxlw = fmax(maxlw, fmax(text_w(l1, g->fs_axis), text_w(l2, g->fs_axis)));
        prev = c->cats[i];
    }
    L->every = L->slot > 0 ? (size_t)ceil((maxlw + 8) / L->slot) : 1;
    if (L->every < 1)
        L->every = 1;
    prev = NULL;
    for (size_t i = 0; i < L->n; i += L->every) {
        char l1[64], l2[16];
        cat_lines(c, i, prev, l1, sizeof l1, l2, sizeof l2);
        if (l2[0])
            L->two_lines = true;
        prev = c->cats[i];
    }
    L->xl_y = L->plot_bot + g->fs_axis + 5;
    L->xt_y = L->xl_y + (L->two_lines ? g->fs_axis * 1.25 : 0) + g->fs_axis * 1.7;
    L->h = L->xt_y + (c->x_title ? 6 : -g->fs_axis);
    /* bars: the group of a category, each bar's width and the gap between bars */
    L->group = L->nslots > 1 ? L->slot * 0.8 : L->slot * 0.62;
    L->bw = L->nslots ? L->group / (double)L->nslots : L->group;
    L->gap = L->nslots > 1 ? fmin(2, L->bw * 0.15) : 0;
    L->zero = scale_at(&L->ys, fmax(L->ys.lo, fmin(0, L->ys.hi)));
}

/* The <svg> element, the title, the legend and the value axis title. */
static void cols_head(cols *L)
{
    mk_out *o = L->o;
    const svg_chart *c = L->c;
    const geom g = L->g;
    double leg_top = L->leg_top;
    double ytitle_y = L->ytitle_y;
    double h = L->h;
    begin(o, c, &g, h);
    title_lines(o, &g, L->tl, L->ntl);
    legend(o, c, &g, leg_top, true);
    if (c->y_title)
        text_at(o, 0, ytitle_y, NULL, "at", NULL, c->y_title);

}

/* The grid and the value axis. */
static void cols_grid(cols *L)
{
    mk_out *o = L->o;
    const svg_chart *c = L->c;
    const geom g = L->g;
    const scale ys = L->ys;
    double plot_l = L->plot_l;
    double plot_r = L->plot_r;
    /* grid and value axis */
    mk_raw(o, "<g class=\"grid\">\n");
    for (double t = ys.lo; t <= ys.hi + ys.step * 1e-6; t += ys.step) {
        double tv = fabs(t) < ys.step * 1e-9 ? 0 : t, py = scale_at(&ys, tv);
        mk_rawf(o, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"%s/>\n", plot_l, py,
                plot_r, py, tv == 0 ? " class=\"base\"" : "");
    }
    mk_raw(o, "</g>\n");
    for (double t = ys.lo; t <= ys.hi + ys.step * 1e-6; t += ys.step) {
        double tv = fabs(t) < ys.step * 1e-9 ? 0 : t;
        char b[MK_NUM_MAX];
        mk_fmt_short(tv, c->unit, ys.step, b, sizeof b);
        text_at(o, plot_l - 6, scale_at(&ys, tv) + g.fs_axis * 0.35, "end", "ax", NULL, b);
    }

}

/* Reference bands under the data. */
static void cols_bands(cols *L)
{
    mk_out *o = L->o;
    const svg_chart *c = L->c;
    const scale ys = L->ys;
    double plot_l = L->plot_l;
    double plot_r = L->plot_r;
    /* bands under the data */
    for (size_t k = 0; k < c->nrefs; k++) {
        const svg_ref *r = &c->refs[k];
        if (r->lo == r->hi)
            continue;
        double y0 = scale_at(&ys, r->hi), y1 = scale_at(&ys, r->lo);
        mk_rawf(o,
                "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\" "
                "fill-opacity=\"0.14\"/>\n",
                plot_l, y0, plot_r - plot_l, y1 - y0, fills[r->color]);
    }

}

/* Back bars (a bullet: the p90 behind the median). */
static void cols_back(cols *L)
{
    mk_out *o = L->o;
    const svg_chart *c = L->c;
    size_t n = L->n;
    const scale ys = L->ys;
    double plot_l = L->plot_l;
    double slot = L->slot;
    double group = L->group;
    double zero = L->zero;
    for (size_t k = 0; k < c->nseries; k++) {
        const svg_series *s = &c->series[k];
        if (s->kind != SVG_BACK)
            continue;
        mk_rawf(o, "<g fill=\"%s\">\n", fills[s->color]);
        for (size_t i = 0; i < n; i++) {
            if (!finite_at(s, i))
                continue;
            double yv = scale_at(&ys, s->v[i]);
            mk_rawf(o, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\">",
                    plot_l + slot * (double)i + (slot - group) / 2, fmin(yv, zero), group,
                    fabs(zero - yv));
            tooltip(o, c->cats[i], s->name, s->v[i], c->unit);
            mk_raw(o, "</rect>\n");
        }
        mk_raw(o, "</g>\n");
    }
}

/* Bars and stacks, in front of the back bars. */
static void cols_bars(cols *L)
{
    mk_out *o = L->o;
    const svg_chart *c = L->c;
    size_t n = L->n;
    bool has_back = L->has_back;
    size_t nslots = L->nslots;
    double *acc = L->acc;
    const scale ys = L->ys;
    double plot_l = L->plot_l;
    double slot = L->slot;
    double group = L->group;
    double bw = L->bw;
    double gap = L->gap;
    double zero = L->zero;
    size_t bar_j = 0;
    double narrow_by = has_back ? 0.5 : 1.0; /* bars in front of a back bar */
    for (size_t k = 0; k < c->nseries; k++) {
        const svg_series *s = &c->series[k];
        if (s->kind != SVG_BAR && s->kind != SVG_STACK)
            continue;
        size_t j = s->kind == SVG_BAR ? bar_j++ : nslots - 1;
        if (s->kind == SVG_STACK && bw > 6)
            mk_rawf(o, "<g fill=\"%s\" stroke=\"#fff\" stroke-width=\"0.6\">\n", fills[s->color]);
        else
            mk_rawf(o, "<g fill=\"%s\">\n", fills[s->color]);
        for (size_t i = 0; i < n; i++) {
            if (!finite_at(s, i))
                continue;
            double x = plot_l + slot * (double)i + (slot - group) / 2 + bw * (double)j + gap / 2 +
                       (bw - gap) * (1 - narrow_by) / 2;
            double v = s->v[i], y0, y1;
            if (s->kind == SVG_STACK) {
                v = fmax(0, v);
                y1 = scale_at(&ys, acc[i]);
                acc[i] += v;
                y0 = scale_at(&ys, acc[i]);
            } else {
                double yv = scale_at(&ys, v);
                y0 = fmin(yv, zero);
                y1 = fmax(yv, zero);
            }
            double bh = y1 - y0;
            if (s->kind == SVG_STACK && bh <= 0)
                continue;
            mk_rawf(o, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\">", x, y0,
                    fmax((bw - gap) * narrow_by, 0.8), fmax(bh, 0));
            tooltip(o, c->cats[i], s->name, s->v[i], c->unit);
            mk_raw(o, "</rect>\n");
        }
        mk_raw(o, "</g>\n");
    }
}

/* Marks and lines over the bars. */
static void cols_marks(cols *L)
{
    mk_out *o = L->o;
    const svg_chart *c = L->c;
    size_t n = L->n;
    const scale ys = L->ys;
    double plot_l = L->plot_l;
    double slot = L->slot;
    double group = L->group;
    /* marks and lines over the bars */
    for (size_t k = 0; k < c->nseries; k++) {
        const svg_series *s = &c->series[k];
        if (s->kind == SVG_MARK) {
            for (size_t i = 0; i < n; i++) {
                if (!finite_at(s, i))
                    continue;
                double x0 = plot_l + slot * (double)i + (slot - group) / 2 - 2;
                double py = scale_at(&ys, s->v[i]);
                mk_rawf(o,
                        "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
                        "stroke-width=\"3\">",
                        x0, py, x0 + group + 4, py, fills[s->color]);
                tooltip(o, c->cats[i], s->name, s->v[i], c->unit);
                mk_raw(o, "</line>\n");
            }
        } else if (s->kind == SVG_LINE) {
            bool open = false;
            for (size_t i = 0; i <= n; i++) {
                bool ok = i < n && finite_at(s, i);
                if (ok && !open) {
                    mk_rawf(o,
                            "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2.5\" "
                            "stroke-linejoin=\"round\"%s points=\"",
                            fills[s->color], s->dashed ? " stroke-dasharray=\"6 4\"" : "");
                    open = true;
                } else if (!ok && open) {
                    mk_raw(o, "\"/>\n");
                    open = false;
                }
                if (ok)
                    mk_rawf(o, "%s%.1f,%.1f", open && i && finite_at(s, i - 1) ? " " : "",
                            plot_l + slot * ((double)i + 0.5), scale_at(&ys, s->v[i]));
            }
            double r = n > 60 ? 1.5 : 3.5;
            for (size_t i = 0; i < n; i++) {
                if (!finite_at(s, i))
                    continue;
                mk_rawf(o,
                        "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\" fill=\"%s\" stroke=\"%s\" "
                        "stroke-width=\"1.5\">",
                        plot_l + slot * ((double)i + 0.5), scale_at(&ys, s->v[i]), r,
                        s->dashed ? "#fff" : fills[s->color], fills[s->color]);
                tooltip(o, c->cats[i], s->name, s->v[i], c->unit);
                mk_raw(o, "</circle>\n");
            }
        }
    }
}

/* Reference lines and the labels of lines. */
static void cols_refs(cols *L)
{
    mk_out *o = L->o;
    const svg_chart *c = L->c;
    const geom g = L->g;
    size_t n = L->n;
    double *stack_top = L->stack_top;
    const scale ys = L->ys;
    double plot_top = L->plot_top;
    double plot_l = L->plot_l;
    double plot_r = L->plot_r;
    double slot = L->slot;
    double group = L->group;
    /* reference lines and the labels of lines and bands */
    for (size_t k = 0; k < c->nrefs; k++) {
        const svg_ref *r = &c->refs[k];
        double py = scale_at(&ys, r->hi);
        if (r->lo == r->hi)
            mk_rawf(o,
                    "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
                    "stroke-width=\"2\" stroke-dasharray=\"7 4\"/>\n",
                    plot_l, py, plot_r, py, fills[r->color]);
        if (!r->label || r->lo != r->hi)
            continue; /* a band is named in the legend only */
        /* The line's own label at its right end, above it, unless data rises above
         * the line there (then the legend names it alone, rather than text on bars). */
        double lw = text_w(r->label, g.fs_label) + 6;
        bool clear = py - 5 - g.fs_label > plot_top - 2;
        for (size_t i = 0; clear && i < n; i++) {
            double x0 = plot_l + slot * (double)i + (slot - group) / 2;
            if (x0 + group < plot_r - lw)
                continue;
            double top = stack_top[i];
            for (size_t k2 = 0; k2 < c->nseries; k2++)
                if (finite_at(&c->series[k2], i))
                    top = fmax(top, c->series[k2].v[i]);
            clear = scale_at(&ys, top) >= py - 3;
        }
        if (clear)
            text_at(o, plot_r - 3, py - 5, "end", "rl halo", ink(r->color), r->label);
    }
}

/* Value labels. */
static void cols_values(cols *L)
{
    mk_out *o = L->o;
    const svg_chart *c = L->c;
    const geom g = L->g;
    size_t n = L->n;
    size_t nslots = L->nslots;
    const scale ys = L->ys;
    double plot_l = L->plot_l;
    double slot = L->slot;
    double group = L->group;
    double bw = L->bw;
    /* value labels: all of a series or none, so that no bar looks unlabelled */
    size_t bar_j = 0;
    for (size_t k = 0; k < c->nseries; k++) {
        const svg_series *s = &c->series[k];
        size_t j = s->kind == SVG_BAR ? bar_j++ : 0;
        if (!s->labels || s->kind == SVG_STACK || s->kind == SVG_MARK)
            continue;
        double room = s->kind == SVG_BAR ? slot / (double)(nslots ? nslots : 1) + 2 : slot - 2;
        bool fit = true;
        for (size_t i = 0; i < n && fit; i++) {
            char b[MK_NUM_MAX];
            mk_fmt_short(s->v[i], c->unit, 0, b, sizeof b);
            fit = !finite_at(s, i) || text_w(b, g.fs_label) <= room;
        }
        for (size_t i = 0; fit && i < n; i++) {
            if (!finite_at(s, i))
                continue;
            char b[MK_NUM_MAX];
            mk_fmt_short(s->v[i], c->unit, 0, b, sizeof b);
            double cx = s->kind == SVG_BAR ? plot_l + slot * (double)i + (slot - group) / 2 +
                                                 bw * ((double)j + 0.5)
                                           : plot_l + slot * ((double)i + 0.5);
            double py = scale_at(&ys, s->v[i]), off = s->kind == SVG_LINE ? 8 : 4;
            text_at(o, cx, s->v[i] < 0 ? py + g.fs_label + off - 2 : py - off, "middle", "vl halo",
                    NULL, b);
        }
    }
}

/* The text above each category. */
static void cols_top(cols *L)
{
    mk_out *o = L->o;
    const svg_chart *c = L->c;
    const geom g = L->g;
    size_t n = L->n;
    double *stack_top = L->stack_top;
    const scale ys = L->ys;
    double plot_l = L->plot_l;
    double slot = L->slot;
    if (c->top) {
        for (size_t i = 0; i < n; i++) {
            if (!c->top[i] || !c->top[i][0] || text_w(c->top[i], g.fs_label) > slot + 2)
                continue;
            double t = stack_top[i];
            for (size_t k = 0; k < c->nseries; k++)
                if ((c->series[k].kind == SVG_BAR || c->series[k].kind == SVG_BACK) &&
                    finite_at(&c->series[k], i))
                    t = fmax(t, c->series[k].v[i]);
            double ly = scale_at(&ys, t) - 4;
            for (size_t k = 0; k < c->nseries; k++) { /* clear of a mark (the goal) */
                if (c->series[k].kind != SVG_MARK || !finite_at(&c->series[k], i))
                    continue;
                double my = scale_at(&ys, c->series[k].v[i]);
                if (ly > my - 3 && ly < my + g.fs_label + 3)
                    ly = my - 5;
            }
            text_at(o, plot_l + slot * ((double)i + 0.5), ly, "middle", "vl halo", NULL, c->top[i]);
        }
    }
}

/* Category labels, the axis titles and the empty text. */
static void cols_cats(cols *L)
{
    mk_out *o = L->o;
    const svg_chart *c = L->c;
    const geom g = L->g;
    size_t n = L->n;
    bool any = L->any;
    double plot_top = L->plot_top;
    double plot_bot = L->plot_bot;
    double plot_l = L->plot_l;
    double plot_r = L->plot_r;
    double slot = L->slot;
    size_t every = L->every;
    double xl_y = L->xl_y;
    double xt_y = L->xt_y;
    /* category labels and the axis titles */
    const char *prev = NULL;
    for (size_t i = 0; i < n; i += every) {
        char l1[64], l2[16];
        cat_lines(c, i, prev, l1, sizeof l1, l2, sizeof l2);
        double cx = plot_l + slot * ((double)i + 0.5);
        text_at(o, cx, xl_y, "middle", "ax", NULL, l1);
        if (l2[0])
            text_at(o, cx, xl_y + g.fs_axis * 1.25, "middle", "ax", NULL, l2);
        prev = c->cats[i];
    }
    if (c->x_title)
        text_at(o, (plot_l + plot_r) / 2, xt_y, "middle", "at", NULL, c->x_title);
    if (!any)
        text_at(o, (plot_l + plot_r) / 2, (plot_top + plot_bot) / 2, "middle", "empty", NULL,
                c->empty ? c->empty : "no data in the range");
}

void svg_columns(mk_out *o, const svg_chart *c, int w)
{
    cols *L = calloc(1, sizeof *L);
    double *stack_top = calloc(c->n ? c->n : 1, sizeof *stack_top);
    double *acc = calloc(c->n ? c->n : 1, sizeof *acc);
    if (!L || !stack_top || !acc) {
        o->st = o->st == LF_OK ? LF_ENOMEM : o->st;
    } else {
        *L = (cols){.o = o, .c = c, .n = c->n, .stack_top = stack_top, .acc = acc};
        geom_init(&L->g, c, w);
        cols_range(L);
        cols_layout(L, w);
        cols_thin(L);
        cols_head(L);
        cols_grid(L);
        cols_bands(L);
        cols_back(L);
        cols_bars(L);
        cols_marks(L);
        cols_refs(L);
        cols_values(L);
        cols_top(L);
        cols_cats(L);
        mk_raw(o, "</svg>\n");
    }
    free(acc);
    free(stack_top);
    free(L);
}

/* ---- horizontal bars ------------------------------------------------------------------ */

/* The state of one horizontal-bars chart: its value scale, then its layout. */
typedef struct hbars {
    mk_out *o;
    const svg_chart *c;
    geom g;
    int w;
    size_t n, ns, ntl;
    bool any;
    double vlw, lw, plot_l, plot_r, leg_top, bh, group_h, row_h, gapv, rows_top, rows_bot;
    double tick_y, xt_y, h, zero;
    scale xs;
    char tl[3][256];
} hbars;

/* The value range (with the widest value label) and the value scale. */
static void hb_range(hbars *H)
{
    const svg_chart *c = H->c;
    double lo = 0, hi = 0;
    for (size_t k = 0; k < c->nseries; k++) {
        const svg_series *s = &c->series[k];
        H->ns++;
        for (size_t i = 0; i < H->n; i++) {
            if (!finite_at(s, i))
                continue;
            H->any = true;
            lo = fmin(lo, s->v[i]);
            hi = fmax(hi, s->v[i]);
            if (s->labels) {
                char b[MK_NUM_MAX];
                mk_fmt_short(s->v[i], c->unit, 0, b, sizeof b);
                H->vlw = fmax(H->vlw, text_w(b, H->g.fs_label));
            }
        }
    }
    for (size_t k = 0; k < c->nrefs; k++) {
        lo = fmin(lo, c->refs[k].lo);
        hi = fmax(hi, c->refs[k].hi);
    }
    if (c->max_hint > 0)
        hi = fmax(hi, c->max_hint);
    scale_nice(&H->xs, lo, hi, H->g.narrow ? 3 : 5, c->unit);
}

/* The label column, the plot's extent and the vertical layout. */
static void hb_layout(hbars *H)
{
    const svg_chart *c = H->c;
    const geom *g = &H->g;
    int w = H->w;
    size_t n = H->n;
    /* label column: as wide as the widest label, at most a third of the chart */
    double lw = 0;
    for (size_t i = 0; i < n; i++) {
        lw = fmax(lw, text_w(c->cats[i], g->fs_axis));
        if (c->notes && c->notes[i])
            lw = fmax(lw, text_w(c->notes[i], g->fs_small));
    }
    H->lw = lw = fmin(lw, w * (g->narrow ? 0.34 : 0.3));
    H->plot_l = lw + 10;
    H->plot_r = w - (H->vlw > 0 ? H->vlw + 8 : 6);
    /* the last tick label is centred on the axis end: keep it inside the chart */
    double tw = ticks_w(&H->xs, c->unit, g->fs_axis);
    if (H->plot_r + tw / 2 > w)
        H->plot_r = w - tw / 2 - 1;
    H->xs.p0 = H->plot_l;
    H->xs.p1 = H->plot_r;

    H->ntl = wrap(c->title, w, g->fs_title, H->tl);
    double y = H->ntl * g->fs_title * 1.3 + 4;
    H->leg_top = y;
    double leg_h = legend(H->o, c, g, y, false);
    y += leg_h + (leg_h > 0 ? 8 : 2);
    H->bh = g->narrow ? 12 : 14;
    H->group_h = (double)(H->ns ? H->ns : 1) * H->bh;
    H->row_h = fmax(H->group_h, c->notes ? g->fs_axis + g->fs_small + 6 : g->fs_axis + 4);
    H->gapv = c->between ? g->fs_small + 12 : 9;
    H->rows_top = y;
    H->rows_bot = H->rows_top + (double)n * H->row_h + (double)(n ? n - 1 : 0) * H->gapv;
    H->tick_y = H->rows_bot + g->fs_axis + 8;
    H->xt_y = H->tick_y + g->fs_axis * 1.7;
    H->h = (c->x_title ? H->xt_y + 6 : H->tick_y + 6);
    H->zero = scale_at(&H->xs, fmax(H->xs.lo, fmin(0, H->xs.hi)));
}

/* The <svg> element, title, legend, grid, value axis and bands. */
static void hb_axis(hbars *H)
{
    mk_out *o = H->o;
    const svg_chart *c = H->c;
    const geom g = H->g;
    const scale xs = H->xs;
    double h = H->h, leg_top = H->leg_top, rows_top = H->rows_top, rows_bot = H->rows_bot;
    double tick_y = H->tick_y;
    begin(o, c, &g, h);
    title_lines(o, &g, H->tl, H->ntl);
    legend(o, c, &g, leg_top, true);
    mk_raw(o, "<g class=\"grid\">\n");
    for (double t = xs.lo; t <= xs.hi + xs.step * 1e-6; t += xs.step) {
        double tv = fabs(t) < xs.step * 1e-9 ? 0 : t, px = scale_at(&xs, tv);
        mk_rawf(o, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"%s/>\n", px, rows_top - 4,
                px, rows_bot + 4, tv == 0 ? " class=\"base\"" : "");
    }
    mk_raw(o, "</g>\n");
    for (double t = xs.lo; t <= xs.hi + xs.step * 1e-6; t += xs.step) {
        double tv = fabs(t) < xs.step * 1e-9 ? 0 : t;
        char b[MK_NUM_MAX];
        mk_fmt_short(tv, c->unit, xs.step, b, sizeof b);
        text_at(o, scale_at(&xs, tv), tick_y, "middle", "ax", NULL, b);
    }
    for (size_t k = 0; k < c->nrefs; k++) {
        const svg_ref *r = &c->refs[k];
        if (r->lo == r->hi)
            continue;
        double x0 = scale_at(&xs, r->lo), x1 = scale_at(&xs, r->hi);
        mk_rawf(o,
                "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\" "
                "fill-opacity=\"0.16\"/>\n",
                x0, rows_top - 4, x1 - x0, rows_bot - rows_top + 8, fills[r->color]);
    }
}

/* Row i: its label and note, its bars with their values, the text after it. */
static void hb_row(hbars *H, size_t i)
{
    mk_out *o = H->o;
    const svg_chart *c = H->c;
    const geom g = H->g;
    const scale xs = H->xs;
    size_t n = H->n;
    int w = H->w;
    double rows_top = H->rows_top, row_h = H->row_h, gapv = H->gapv, group_h = H->group_h;
    double lw = H->lw, plot_l = H->plot_l, bh = H->bh, zero = H->zero;
    double ry = rows_top + (double)i * (row_h + gapv);
    double gy = ry + (row_h - group_h) / 2;
    char fitted[256];
    fit_text(c->cats[i], lw, g.fs_axis, fitted, sizeof fitted);
    double label_y = c->notes ? ry + row_h / 2 - 2 : ry + row_h / 2 + g.fs_axis * 0.35;
    text_at(o, plot_l - 8, label_y, "end", "cat", NULL, fitted);
    if (c->notes && c->notes[i]) {
        fit_text(c->notes[i], lw, g.fs_small, fitted, sizeof fitted);
        text_at(o, plot_l - 8, label_y + g.fs_small + 2, "end", "note", NULL, fitted);
    }
    for (size_t k = 0; k < c->nseries; k++) {
        const svg_series *s = &c->series[k];
        if (!finite_at(s, i))
            continue;
        double px = scale_at(&xs, s->v[i]), x0 = fmin(px, zero), x1 = fmax(px, zero);
        double by = gy + (double)k * bh;
        mk_rawf(o, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\">",
                x0, by + 1, fmax(x1 - x0, s->v[i] != 0 ? 1 : 0), bh - 2, fills[s->color]);
        tooltip(o, c->cats[i], s->name, s->v[i], c->unit);
        mk_raw(o, "</rect>\n");
        if (s->labels) {
            char b[MK_NUM_MAX];
            mk_fmt_short(s->v[i], c->unit, 0, b, sizeof b);
            bool neg = s->v[i] < 0;
            text_at(o, neg ? x0 - 3 : x1 + 3, by + bh / 2 + g.fs_label * 0.35,
                    neg ? "end" : "start", "vl", NULL, b);
        }
    }
    if (c->between && i + 1 < n && c->between[i]) {
        /* under the bars; moved left (to the labels' column) when it is too long */
        double bx = fmax(0, fmin(plot_l, w - 2 - text_w(c->between[i], g.fs_small)));
        text_at(o, bx, ry + row_h + gapv / 2 + g.fs_small * 0.35, NULL, "bt", NULL,
                c->between[i]);
    }
}

void svg_hbars(mk_out *o, const svg_chart *c, int w)
{
    hbars H = {.o = o, .c = c, .w = w, .n = c->n};
    geom_init(&H.g, c, w);
    hb_range(&H);
    hb_layout(&H);
    hb_axis(&H);
    for (size_t i = 0; i < H.n; i++)
        hb_row(&H, i);
    const scale xs = H.xs;
    double rows_top = H.rows_top, rows_bot = H.rows_bot, plot_l = H.plot_l, plot_r = H.plot_r;
    double xt_y = H.xt_y;
    bool any = H.any;
    for (size_t k = 0; k < c->nrefs; k++) {
        const svg_ref *r = &c->refs[k];
        if (r->lo != r->hi)
            continue;
        double px = scale_at(&xs, r->lo);
        mk_rawf(o,
                "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
                "stroke-width=\"2.5\" stroke-dasharray=\"6 3\"/>\n",
                px, rows_top - 6, px, rows_bot + 6, fills[r->color]);
    }
    if (c->x_title)
        text_at(o, (plot_l + plot_r) / 2, xt_y, "middle", "at", NULL, c->x_title);
    if (!any)
        text_at(o, (plot_l + plot_r) / 2, (rows_top + rows_bot) / 2 + 4, "middle", "empty", NULL,
                c->empty ? c->empty : "no data in the range");
    mk_raw(o, "</svg>\n");
}
