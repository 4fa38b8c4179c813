/*
 * table.h — the typed table every report returns and every renderer consumes.
 *
 * Reports know nothing about output formats; renderers know nothing about leads.
 * A table has typed columns, rows of cells, and an optional `total` row. The first
 * column is the dimension (`period`, `stage`, `persona`, `channel`, `band`), typed
 * TEXT. A cell is null (a ratio with a zero denominator: JSON null, CSV empty,
 * terminal "–"), a number, a text, or an object (ordered key -> cell pairs, e.g.
 * `mqls_by_channel`). The table owns all its memory; lf_table_free releases it.
 */
#ifndef LEADFLOW_TABLE_H
#define LEADFLOW_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "leadflow/buf.h"
#include "leadflow/error.h"
#include "leadflow/time.h"

typedef enum lf_col_type {
    LF_COL_TEXT = 0,  /* labels, names */
    LF_COL_COUNT,     /* whole numbers; thousands separators on the terminal */
    LF_COL_RATE,      /* fractions (0.25); shown as 25.0% on the terminal */
    LF_COL_MONEY,     /* rounded to cents in every output */
    LF_COL_HOURS,     /* durations in hours */
    LF_COL_DAYS,      /* durations in days (columns named *_days) */
    LF_COL_NUMBER,    /* any other number (e.g. lag_days, per-business-day rates) */
    LF_COL_OBJECT     /* ordered key -> cell pairs */
} lf_col_type;

typedef struct lf_cell lf_cell;
typedef struct lf_object {
    size_t n, cap;
    char **keys;
    lf_cell *vals;
    lf_col_type *types; /* type of each value */
} lf_object;

typedef enum lf_cell_kind { LF_CELL_NULL = 0, LF_CELL_NUM, LF_CELL_TEXT, LF_CELL_OBJ } lf_cell_kind;

struct lf_cell {
    uint8_t kind;      /* lf_cell_kind */
    double num;
    char *text;        /* owned */
    lf_object *obj;    /* owned */
};

typedef struct lf_column {
    char *name;        /* owned; e.g. "acceptance_rate" */
    lf_col_type type;
    const char *def;   /* its definition (lf_col_spec.def; static text, not owned), or NULL */
} lf_column;

/* A column as a report declares it, with its definition: one line for an analyst
 * that says the formula in words, its clock (calendar or business) for durations and
 * whether it counts a flow or follows a cohort ("Cohort by mql_at: of those handoffs,
 * accepted by sales by as-of."). Plain ASCII, no newline, at most LF_COL_DEF_MAX
 * bytes (tests/unit/test_present.c holds every report to it). The reports declare
 * their columns as static arrays of these, ended by {NULL}; the same array builds the
 * table (lf_table_add_col_spec) and is listed by the report's presentation
 * (lf_present.cols), so `report NAME --help`, the HTML headers and docs/reports.md
 * show the text of the column the report computes. */
typedef struct lf_col_spec {
    const char *name;
    lf_col_type type;
    const char *def;
} lf_col_spec;

#define LF_COL_DEF_MAX 200

typedef struct lf_table {
    char *report;      /* "funnel", "sql", ... */
    int32_t from_day;  /* local day numbers of the range [from, to) */
    int32_t to_day;
    char *by;          /* "month" etc. as requested (JSON "by" is the same for every
                          report); the terminal title omits it for dimension reports */
    lf_time as_of;
    char *tz_name;     /* the workspace zone, for the title line */
    lf_column *cols;
    size_t ncols, cols_cap;
    lf_cell *cells;    /* nrows x ncols, row-major */
    size_t nrows, rows_cap;
    bool has_total;    /* false: JSON "total": null (funnel) */
    lf_cell *total;    /* ncols cells when has_total */
    char **notes;      /* lines shown under the terminal table (benchmarks, caveats) */
    size_t nnotes;
    const struct lf_present *present; /* how the report is presented (present.h; set by
                                         the report registry, not owned), or NULL */
} lf_table;

/* Allocates an empty table for a report. */
lf_table *lf_table_new(const char *report, int32_t from_day, int32_t to_day, const char *by,
                       lf_time as_of, const char *tz_name);
void lf_table_free(lf_table *t);
/* Appends a column; returns its index or -1 on allocation failure. */
int lf_table_add_col(lf_table *t, const char *name, lf_col_type type);
/* Appends the column c declares, its definition included (borrowed: c->def must
 * outlive the table; the reports' are static). Returns its index or -1. */
int lf_table_add_col_spec(lf_table *t, const lf_col_spec *c);
/* Appends a row of null cells; returns its index or -1. */
long lf_table_add_row(lf_table *t);
/* Creates the total row (null cells). Returns LF_OK or LF_ENOMEM. */
lf_status lf_table_add_total(lf_table *t);
/* Cell access: row -1 means the total row. */
lf_cell *lf_table_cell(lf_table *t, long row, int col);
/* Reading: the cell of row (-1 = the total row) and column col, or NULL (no table, no
 * such row or column, no total). */
const lf_cell *lf_table_at(const lf_table *t, long row, int col);
/* The index of the column named by name[0..len), or -1. */
int lf_table_col_n(const lf_table *t, const char *name, size_t len);
void lf_cell_set_num(lf_cell *c, double v);
/* Sets num / den, or null when den == 0. */
void lf_cell_set_ratio(lf_cell *c, double num, double den);
lf_status lf_cell_set_text(lf_cell *c, const char *s);
/* Makes the cell an (empty) object and returns it, or NULL. */
lf_object *lf_cell_set_object(lf_cell *c);
/* Adds (key, number) to an object, adding to the value if the key exists. */
lf_status lf_object_add_num(lf_object *o, const char *key, lf_col_type type, double v);
/* Appends (key, number) without looking for an existing key: O(1), for callers that
 * already merged their keys (a report with 50,000 distinct reasons stays linear). */
lf_status lf_object_append_num(lf_object *o, const char *key, lf_col_type type, double v);
/* Adds (key, null). */
lf_status lf_object_add_null(lf_object *o, const char *key, lf_col_type type);
/* Adds a note line shown under the terminal table. */
lf_status lf_table_add_note(lf_table *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Renderers (src/render/): append the table to out. */
typedef lf_status (*lf_render_fn)(const lf_table *t, lf_buf *out, lf_error *err);
lf_status lf_render_text(const lf_table *t, lf_buf *out, lf_error *err);
lf_status lf_render_csv(const lf_table *t, lf_buf *out, lf_error *err);
lf_status lf_render_json(const lf_table *t, lf_buf *out, lf_error *err);
/* The renderer for a format name ("table", "csv", "json"), or NULL. */
lf_render_fn lf_renderer(const char *format);

#endif
