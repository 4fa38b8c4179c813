/*
 * svg.h — the chart primitives of the HTML report (private to src/render/).
 *
 * Two chart shapes cover every report: columns over categories (periods or score
 * bands: bars, stacked bars, lines, goal marks, reference lines and bands) and
 * horizontal bars over named rows (personas, channels, the funnel's stages, the
 * month's pacing). A chart is described by an svg_chart and drawn as one inline
 * <svg role="img"> with a <title> and <desc>, a visible title, a legend, axis titles
 * with units, and a <title> tooltip on every bar and point.
 *
 * Each chart is drawn at a given width in user units (SVG_WIDE for screens and
 * print, SVG_NARROW for phones); the page shows one of the two with CSS, so a chart
 * on a phone has its own layout (fewer ticks, shorter labels) instead of a desktop
 * chart shrunk until its text cannot be read.
 *
 * Colours are the Okabe–Ito palette, which stays distinguishable with the common
 * colour-vision deficiencies; series are also told apart without colour (dashed
 * lines with hollow points, direct labels, legends in drawing order).
 */
#ifndef LEADFLOW_SVG_H
#define LEADFLOW_SVG_H

#include <stdbool.h>
#include <stddef.h>

#include "markup.h"

#define SVG_WIDE 600
#define SVG_NARROW 360

/* Palette indexes (Okabe–Ito, plus greys). */
enum {
    SVG_BLUE = 0,
    SVG_ORANGE,
    SVG_GREEN,
    SVG_VERMILLION,
    SVG_SKY,
    SVG_PURPLE,
    SVG_YELLOW,
    SVG_BLACK,
    SVG_GREY,
    SVG_NCOLORS
};

typedef enum svg_kind {
    SVG_BAR = 0, /* a bar per category, side by side with the other SVG_BAR series */
    SVG_STACK,   /* stacked with the other SVG_STACK series in one bar per category */
    SVG_LINE,    /* a line through the categories (gaps at missing values) */
    SVG_MARK,    /* a short horizontal mark across the category (e.g. its goal) */
    SVG_BACK     /* a wide bar behind the category's SVG_BAR bars, which then narrow
                    to half its width (a bullet: the p90 behind the median) */
} svg_kind;

typedef struct svg_series {
    const char *name; /* legend text (any text; escaped), NULL = not in the legend */
    const double *v;  /* one value per category; NAN = none */
    svg_kind kind;
    int color;   /* SVG_BLUE ... */
    bool dashed; /* lines: dashed with hollow points */
    bool labels; /* bars and lines: write each value at the bar's end or above the
                    point (all of a series, or none when they do not all fit) */
} svg_series;

/* A reference line (lo == hi) or band [lo, hi] across the value axis. */
typedef struct svg_ref {
    double lo, hi;
    const char *label; /* drawn beside the line and in the legend */
    int color;
} svg_ref;

typedef struct svg_chart {
    const char *id;      /* unique in the page ([a-z0-9-]); the variant is appended */
    const char *title;   /* visible title and <title> */
    const char *desc;    /* one or two sentences for screen readers (<desc>) */
    const char *x_title; /* axis titles with units; NULL = none */
    const char *y_title;
    size_t n;                   /* categories */
    const char *const *cats;    /* their labels */
    bool periods;               /* cats are period labels ("2026-01"): shortened */
    const char *const *notes;   /* hbars: a second, smaller line under each label */
    const char *const *top;     /* columns: text above each category's bars */
    const char *const *between; /* hbars: text in the gap after row i (n - 1) */
    const svg_series *series;
    size_t nseries;
    const svg_ref *refs;
    size_t nrefs;
    mk_unit unit;      /* of the values */
    double max_hint;   /* the value axis reaches at least this (rates: 1) */
    const char *empty; /* shown when there is no value to draw */
} svg_chart;

/* Columns over categories (time series, score bands), drawn at width w. */
void svg_columns(mk_out *o, const svg_chart *c, int w);
/* Horizontal bars over named rows, drawn at width w. */
void svg_hbars(mk_out *o, const svg_chart *c, int w);

/* The palette colour as "#rrggbb". */
const char *svg_color(int color);

#endif
