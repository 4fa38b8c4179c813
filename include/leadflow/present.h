/*
 * present.h — how a report is presented, as data (DESIGN: "reports carry their
 * presentation as data", as GoAccess declares its panels).
 *
 * A report's presentation (lf_present) is its title, the question it answers, its
 * charts (lf_chart_spec: shape, rows, series columns, reference lines, unit, texts),
 * its key figures (lf_figure_spec: which cell, label, format, benchmark), and its
 * columns with their one-line definitions (lf_col_spec) and options. The
 * report registry (src/report/registry.c) declares one per report and attaches it to
 * every table the report returns (lf_table.present); renderers read it from there and
 * never include a report header. One chart driver (src/render/charts.c) draws every
 * chart from its spec; the HTML headline strip reads the key figures.
 *
 * References and texts are small strings, evaluated against a table (src/core/present.c):
 *   ref      SCOPE:EXPR[@REPORT] or a number ("0.02"). SCOPE: t (total row), r (the
 *            current row), n (the next row), c0..c9 (the k-th chosen row), o (the
 *            object cell the chart or figure reads), ctx (sla_h, target_h), =LABEL
 *            (the first row whose first cell is LABEL). EXPR is
 *            NAME(('+'|'-')NAME['?'])*: column names (object keys in o), null when a
 *            term is null, except that a term marked '?' counts null as 0. @REPORT
 *            reads another report's table (the headline only).
 *   text     literal text with {WORD}, {REF:FORMAT} and {?COND|THEN|ELSE} (nested).
 *            FORMAT: count, pct, money, hours, number (as the tables show them), f1,
 *            f2 ("%.1f", "%.2f"), f2- (f2, a dash when null), short (axis style).
 *   COND     null REF | finite REF | pos REF | ge REF REF | ne REF REF | WORD.
 * Series values are EXPRs over the current row (scope r implied).
 */
#ifndef LEADFLOW_PRESENT_H
#define LEADFLOW_PRESENT_H

#include <stdbool.h>
#include <stddef.h>

#include "leadflow/buf.h"
#include "leadflow/config.h"
#include "leadflow/table.h"

typedef enum lf_chart_shape {
    LF_CHART_COLUMNS = 0, /* columns over categories (periods, score bands) */
    LF_CHART_HBARS        /* horizontal bars over named rows */
} lf_chart_shape;

typedef enum lf_series_kind {
    LF_SERIES_BAR = 0, /* a bar per category, side by side with the other bars */
    LF_SERIES_STACK,   /* stacked with the other stacks */
    LF_SERIES_LINE,    /* a line through the categories */
    LF_SERIES_MARK,    /* a short mark across the category (a goal) */
    LF_SERIES_BACK,    /* a wide bar behind the bars (the p90 behind the median) */
    LF_SERIES_KEYS     /* stacks of an object column: its largest keys, then "other" */
} lf_series_kind;

/* Colours of the Okabe–Ito palette, plus greys (the order of the chart palette). */
typedef enum lf_color {
    LF_BLUE = 0,
    LF_ORANGE,
    LF_GREEN,
    LF_VERMILLION,
    LF_SKY,
    LF_PURPLE,
    LF_YELLOW,
    LF_BLACK,
    LF_GREY
} lf_color;

/* What a chart's values measure (axis ticks, value labels). */
typedef enum lf_unit {
    LF_UNIT_COUNT = 0,
    LF_UNIT_RATE,
    LF_UNIT_MONEY,
    LF_UNIT_HOURS,
    LF_UNIT_DAYS,
    LF_UNIT_NUMBER
} lf_unit;

enum {
    LF_SERIES_DASHED = 1u,   /* lines: dashed with hollow points */
    LF_SERIES_LABELS = 2u,   /* write each value at its bar or point */
    LF_SERIES_FALLBACK = 4u, /* only when the series before it gave none */
    LF_SERIES_IF_ANY = 8u    /* only when some category has a value */
};

typedef struct lf_series_spec {
    const char *name;  /* legend text (a text); NULL = not in the legend */
    const char *value; /* EXPR over the row; KEYS: the object column */
    lf_series_kind kind;
    lf_color color;
    unsigned flags; /* LF_SERIES_* */
} lf_series_spec;

/* A reference line (lo == hi) or band across the value axis. */
typedef struct lf_ref_spec {
    const char *when; /* COND, NULL = always */
    const char *lo, *hi; /* refs */
    const char *label;   /* a text */
    lf_color color;
} lf_ref_spec;

/* A category of a chart over the keys of one object cell (LF_ROWS_OBJECT). */
typedef struct lf_cat_spec {
    const char *label;
    const char *value; /* ref, scope o */
    const char *note;  /* a text under the label */
} lf_cat_spec;

typedef enum lf_rows {
    LF_ROWS_ALL = 0, /* every row, in order */
    LF_ROWS_PICK,    /* the rows labelled pick[0], pick[1], ... in that order */
    LF_ROWS_TOP,     /* at most max_rows rows with the largest top_by, in table order */
    LF_ROWS_OBJECT   /* the keys (cats) of column `object` in the first row that has it */
} lf_rows;

typedef struct lf_chart_spec {
    lf_chart_shape shape;
    const char *need_any; /* EXPR: no chart unless some row has a value */
    lf_rows rows;
    const char *const *pick; /* LF_ROWS_PICK: labels, NULL-terminated */
    const char *top_by;      /* LF_ROWS_TOP: the column ranked */
    int max_rows;            /* LF_ROWS_TOP */
    const char *object;      /* LF_ROWS_OBJECT: the object column */
    const lf_cat_spec *cats;
    size_t ncats;
    bool periods; /* categories are period labels */
    const char *title, *desc, *x_title, *y_title; /* texts */
    const char *caption; /* a text; empty = none */
    const char *empty;   /* a text shown when nothing is drawn; NULL = the default */
    const char *note;    /* a text per row, under its label (hbars) */
    const char *top;     /* a text per row, above its bars (columns) */
    bool top_if_stacked; /* top only when the first series drawn is a stack */
    const char *between; /* a text per row i < n - 1, in the gap after it (hbars) */
    const lf_series_spec *series;
    size_t nseries;
    const lf_ref_spec *refs;
    size_t nrefs;
    lf_unit unit;
    double max_hint; /* the value axis reaches at least this (rates: 1) */
} lf_chart_spec;

typedef enum lf_polarity { LF_UP_GOOD = 0, LF_DOWN_GOOD, LF_NEUTRAL } lf_polarity;

/* A key figure: one number (or a verdict in words) a reader looks at first, as a
 * card of the HTML headline (when it has an id) and as lines of the terminal's. */
typedef struct lf_figure_spec {
    const char *id;    /* [a-z-], unique over all reports */
    int order;         /* place in the headline (ascending over all reports) */
    const char *label; /* a text */
    const char *value; /* ref of the figure (scope t); NULL: a verdict in `word` */
    lf_col_type type;  /* its format */
    lf_polarity pol;   /* which direction of change is good */
    bool compare;      /* compared with the previous period */
    const char *base;  /* ref over the previous period: the count the previous value
                          rests on (a change is shown only over enough of it) */
    const char *object;  /* the object column scope o reads (first row that has it) */
    const char *word;    /* a text shown instead of the value */
    const char *sub;     /* a text under the value */
    const char *bench;   /* the literature benchmark (text) */
    const char *missing; /* COND: the figure's input was never imported */
    const char *missing_text;
    /* The terminal headline (`leadflow demo`): the figure's lines, a text (NULL = none),
     * placed by line_order over all reports. A figure without id is a line only. */
    int line_order;
    const char *line;
} lf_figure_spec;

typedef struct lf_present {
    const char *title;    /* section heading: "Funnel" */
    const char *question; /* the question the report answers */
    const char *noun;     /* what a row is ("persona"), the word {what} */
    const char *size;     /* ref: the count that measures a period (the headline's
                             "previous period too small" rule); NULL = none */
    const lf_chart_spec *charts;
    size_t ncharts;
    const lf_figure_spec *figures;
    size_t nfigures;
    /* The columns of the report's table in order with their definitions (table.h),
     * ended by {NULL}: the report builds its table from this same array. */
    const lf_col_spec *cols;
    /* What the common options do for this report, one plain line ("--by does not
     * apply: one row per stage."); shown by `report NAME --help` and docs/reports.md. */
    const char *options;
} lf_present;

/* The words the column definitions (lf_present.cols) use, as one paragraph for help
 * texts and docs/reports.md (plain text, no newline). */
#define LF_COL_TERMS                                                                           \
    "The range runs from --from (inclusive) to --to (exclusive), local dates; a period is one " \
    "row of it by --by, and total covers the whole range. A handoff is one entry into mql: an MQL handed to sales, opened at its mql_at. "   \
    "Flow counts an event in the period that contains its timestamp. Cohort by created_at "    \
    "(leads) or by mql_at (handoffs) groups by the period of that start and follows the "      \
    "outcome up to as-of (--as-of, default now); nothing after as-of exists. Calendar time is " \
    "plain elapsed time; business time counts only working hours on workdays that are not "    \
    "holidays, in the workspace zone. Rates are fractions (percentages on the terminal and in " \
    "HTML). Empty is null in JSON, an empty CSV cell and a dash on the terminal and in HTML: "  \
    "a ratio with a zero denominator, or a figure that does not apply or whose input was "      \
    "never imported (a note then says what to import)."

/* The settings charts and figures read beside the tables (reference lines, texts),
 * taken from the configuration in one place. */
typedef struct lf_present_ctx {
    double sla_hours;        /* sla.accept_within on its clock; NAN = no SLA */
    const char *sla_text;    /* as written ("2bd"), or NULL */
    bool sla_business;       /* the SLA runs on the business clock */
    double target_hours;     /* speed_to_lead.target; NAN = unknown */
    const char *target_text; /* "1h" */
} lf_present_ctx;

/* An empty context (NAN hours, no texts). */
lf_present_ctx lf_present_ctx_none(void);
/* The context of a configuration (borrows its texts: cfg must outlive it). */
lf_present_ctx lf_present_ctx_of(const lf_config *cfg);

/* ---- evaluation ---------------------------------------------------------------- */

/* What refs and texts are evaluated against. Unset scopes read as null. */
typedef struct lf_present_scope {
    const lf_table *t;
    long row, next;       /* r and n (-1 = none) */
    const size_t *chosen; /* c0..c9 */
    size_t nchosen;
    const lf_object *obj; /* o */
    const lf_present_ctx *ctx;
    /* @REPORT: the table of another report, or NULL */
    const lf_table *(*table_of)(void *user, const char *report, size_t len);
    /* {WORD} and COND WORD: appends the word (returns false when unknown) / its truth */
    bool (*word)(void *user, const char *name, size_t len, lf_buf *out);
    bool (*flag)(void *user, const char *name, size_t len);
    /* {REF:FORMAT}: appends v in format (returns false when the format is unknown) */
    bool (*format)(void *user, double v, const char *fmt, size_t len, lf_buf *out);
    void *user;
} lf_present_scope;

/* A scope over table t with no row, object or callbacks. */
lf_present_scope lf_present_scope_of(const lf_table *t, const lf_present_ctx *ctx);

/* The value of a ref (NAN when null, absent or not finite). */
double lf_present_ref(const lf_present_scope *s, const char *ref);
/* The value of EXPR in row `row` (-1 = total) of t. */
double lf_present_expr(const lf_table *t, long row, const char *expr);
/* The truth of a COND. */
bool lf_present_cond(const lf_present_scope *s, const char *cond);
/* Appends a text with its placeholders filled. LF_OK, LF_EINPUT on an unknown word
 * or format or an unbalanced brace, or the buffer's error. */
lf_status lf_present_text(const lf_present_scope *s, const char *text, lf_buf *out);

/* Table access: index of column `name` (-1 if absent); the number in row (-1 =
 * total) of a column (NAN when null or absent); the object cell (or NULL); a key's
 * number in an object (NAN when absent or null). */
int lf_present_col(const lf_table *t, const char *name);
double lf_present_num(const lf_table *t, long row, const char *name);
const lf_object *lf_present_obj(const lf_table *t, long row, const char *name);
double lf_present_key(const lf_object *o, const char *key);

/* Calls fn(report, column) for every table column a presentation names, in its
 * charts' series, rows, refs and texts and its figures (report is NULL for the
 * presentation's own table, else the @REPORT named). Object keys and ctx values are
 * not columns and are not listed. */
void lf_present_columns(const lf_present *p,
                        void (*fn)(void *user, const char *report, size_t rlen, const char *col,
                                   size_t clen),
                        void *user);

#endif
