/*
 * table.c — the typed report table (see leadflow/table.h).
 *
 * Place in the flow: reports (pure functions) build a table with these calls;
 * renderers (src/render/) read it and never change it. Nothing here knows about
 * leads or output formats.
 *
 * Invariants:
 *  - cells holds nrows x ncols cells, row-major; rows_cap is counted in rows, so
 *    the allocation is rows_cap x ncols cells (0 x anything = NULL);
 *  - total is NULL or ncols cells, and has_total says which;
 *  - every text, object, key and name is owned by the table and freed exactly
 *    once by lf_table_free; a cell's kind says which of num/text/obj is live, the
 *    others are 0/NULL; only a column's definition (def) is borrowed: the report's
 *    static text;
 *  - a numeric cell never holds NaN or an infinity (they become null), so every
 *    renderer can print every number.
 * Columns may be added after rows exist (the cell matrix is re-laid out and the
 * new column is null everywhere), so a report can discover columns while it runs.
 */
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "leadflow/buf.h"
#include "leadflow/table.h"

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

static void object_free(lf_object *o);

/* Frees what the cell owns and makes it null. */
static void cell_clear(lf_cell *c)
{
    free(c->text);
    object_free(c->obj);
    memset(c, 0, sizeof *c);
}

static void object_free(lf_object *o)
{
    if (!o)
        return;
    for (size_t i = 0; i < o->n; i++) {
        free(o->keys[i]);
        cell_clear(&o->vals[i]);
    }
    free(o->keys);
    free(o->vals);
    free(o->types);
    free(o);
}

lf_table *lf_table_new(const char *report, int32_t from_day, int32_t to_day, const char *by,
                       lf_time as_of, const char *tz_name)
{
    lf_table *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->from_day = from_day;
    t->to_day = to_day;
    t->as_of = as_of;
    t->report = dup_or_null(report);
    t->by = dup_or_null(by);
    t->tz_name = dup_or_null(tz_name);
    if ((report && !t->report) || (by && !t->by) || (tz_name && !t->tz_name)) {
        lf_table_free(t);
        return NULL;
    }
    return t;
}

void lf_table_free(lf_table *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->nrows * t->ncols; i++)
        cell_clear(&t->cells[i]);
    if (t->total)
        for (size_t i = 0; i < t->ncols; i++)
            cell_clear(&t->total[i]);
    for (size_t i = 0; i < t->ncols; i++)
        free(t->cols[i].name);
    for (size_t i = 0; i < t->nnotes; i++)
        free(t->notes[i]);
    free(t->cells);
    free(t->total);
    free(t->cols);
    free(t->notes);
    free(t->report);
    free(t->by);
    free(t->tz_name);
    free(t);
}

int lf_table_add_col(lf_table *t, const char *name, lf_col_type type)
{
    if (!t || !name || t->ncols >= (size_t)INT32_MAX)
        return -1;
    size_t nc = t->ncols + 1;
    char *nm = strdup(name);
    if (!nm)
        return -1;
    if (!lf_grow(&t->cols, &t->cols_cap, t->ncols + 1, sizeof *t->cols))
        goto fail;
    /* Re-lay the row-major matrix with one more column (all-or-nothing). */
    lf_cell *cells = NULL;
    if (t->rows_cap) {
        cells = calloc(t->rows_cap, nc * sizeof *cells);
        if (!cells)
            goto fail;
    }
    lf_cell *total = NULL;
    if (t->total) {
        total = calloc(nc, sizeof *total);
        if (!total) {
            free(cells);
            goto fail;
        }
        memcpy(total, t->total, t->ncols * sizeof *total);
        free(t->total);
        t->total = total;
    }
    for (size_t r = 0; r < t->nrows; r++)
        memcpy(cells + r * nc, t->cells + r * t->ncols, t->ncols * sizeof *cells);
    free(t->cells);
    t->cells = cells;
    t->cols[t->ncols].name = nm;
    t->cols[t->ncols].type = type;
    t->cols[t->ncols].def = NULL;
    t->ncols = nc;
    return (int)(nc - 1);
fail:
    free(nm);
    return -1;
}

int lf_table_add_col_spec(lf_table *t, const lf_col_spec *c)
{
    int i = c ? lf_table_add_col(t, c->name, c->type) : -1;
    if (i >= 0)
        t->cols[i].def = c->def;
    return i;
}

long lf_table_add_row(lf_table *t)
{
    if (!t || t->nrows >= (size_t)LONG_MAX)
        return -1;
    if (t->nrows == t->rows_cap) {
        size_t cap = t->rows_cap ? t->rows_cap * 2 : 16;
        if (t->ncols) {
            if (cap > SIZE_MAX / sizeof(lf_cell) / t->ncols)
                return -1;
            lf_cell *p = realloc(t->cells, cap * t->ncols * sizeof *p);
            if (!p)
                return -1;
            t->cells = p;
        }
        t->rows_cap = cap;
    }
    if (t->ncols)
        memset(t->cells + t->nrows * t->ncols, 0, t->ncols * sizeof(lf_cell));
    return (long)t->nrows++;
}

lf_status lf_table_add_total(lf_table *t)
{
    if (!t)
        return LF_EINPUT;
    if (t->has_total)
        return LF_OK;
    if (t->ncols) {
        t->total = calloc(t->ncols, sizeof *t->total);
        if (!t->total)
            return LF_ENOMEM;
    }
    t->has_total = true;
    return LF_OK;
}

lf_cell *lf_table_cell(lf_table *t, long row, int col)
{
    if (!t || col < 0 || (size_t)col >= t->ncols)
        return NULL;
    if (row == -1)
        return t->has_total ? &t->total[col] : NULL;
    if (row < 0 || (size_t)row >= t->nrows)
        return NULL;
    return &t->cells[(size_t)row * t->ncols + (size_t)col];
}

void lf_cell_set_num(lf_cell *c, double v)
{
    cell_clear(c);
    if (isfinite(v)) {
        c->kind = LF_CELL_NUM;
        c->num = v;
    }
}

void lf_cell_set_ratio(lf_cell *c, double num, double den)
{
    if (den == 0) {
        cell_clear(c);
        return;
    }
    lf_cell_set_num(c, num / den);
}

lf_status lf_cell_set_text(lf_cell *c, const char *s)
{
    if (!s) {
        cell_clear(c);
        return LF_OK;
    }
    char *d = strdup(s);
    if (!d)
        return LF_ENOMEM;
    cell_clear(c);
    c->kind = LF_CELL_TEXT;
    c->text = d;
    return LF_OK;
}

lf_object *lf_cell_set_object(lf_cell *c)
{
    lf_object *o = calloc(1, sizeof *o);
    if (!o)
        return NULL;
    cell_clear(c);
    c->kind = LF_CELL_OBJ;
    c->obj = o;
    return o;
}

static long object_find(const lf_object *o, const char *key)
{
    for (size_t i = 0; i < o->n; i++)
        if (strcmp(o->keys[i], key) == 0)
            return (long)i;
    return -1;
}

/* Appends (key, null) and returns its index, or -1 on allocation failure. */
static long object_append(lf_object *o, const char *key, lf_col_type type)
{
    void *const arrs[] = {&o->keys, &o->vals, &o->types};
    const size_t elems[] = {sizeof *o->keys, sizeof *o->vals, sizeof *o->types};
    if (!lf_grow_parallel(&o->cap, o->n + 1, 3, arrs, elems))
        return -1;
    char *d = strdup(key);
    if (!d)
        return -1;
    o->keys[o->n] = d;
    memset(&o->vals[o->n], 0, sizeof o->vals[o->n]);
    o->types[o->n] = type;
    return (long)o->n++;
}

lf_status lf_object_add_num(lf_object *o, const char *key, lf_col_type type, double v)
{
    if (!o || !key)
        return LF_EINPUT;
    long i = object_find(o, key);
    if (i < 0 && (i = object_append(o, key, type)) < 0)
        return LF_ENOMEM;
    lf_cell *c = &o->vals[i];
    o->types[i] = type;
    lf_cell_set_num(c, c->kind == LF_CELL_NUM ? c->num + v : v);
    return LF_OK;
}

lf_status lf_object_append_num(lf_object *o, const char *key, lf_col_type type, double v)
{
    if (!o || !key)
        return LF_EINPUT;
    long i = object_append(o, key, type);
    if (i < 0)
        return LF_ENOMEM;
    lf_cell_set_num(&o->vals[i], v);
    return LF_OK;
}

lf_status lf_object_add_null(lf_object *o, const char *key, lf_col_type type)
{
    if (!o || !key)
        return LF_EINPUT;
    if (object_find(o, key) >= 0)
        return LF_OK;
    return object_append(o, key, type) < 0 ? LF_ENOMEM : LF_OK;
}

lf_status lf_table_add_note(lf_table *t, const char *fmt, ...)
{
    if (!t || !fmt)
        return LF_EINPUT;
    char **p = realloc(t->notes, (t->nnotes + 1) * sizeof *p);
    if (!p)
        return LF_ENOMEM;
    t->notes = p;
    lf_buf b;
    lf_buf_init(&b, 0);
    va_list ap;
    va_start(ap, fmt);
    lf_status s = lf_buf_vaddf(&b, fmt, ap);
    va_end(ap);
    if (s != LF_OK) {
        lf_buf_release(&b);
        return s;
    }
    char *line = lf_buf_detach(&b);
    if (!line)
        return LF_ENOMEM;
    t->notes[t->nnotes++] = line;
    return LF_OK;
}

const lf_cell *lf_table_at(const lf_table *t, long row, int col)
{
    if (!t || col < 0 || (size_t)col >= t->ncols)
        return NULL;
    if (row < 0)
        return t->has_total && t->total ? &t->total[col] : NULL;
    return (size_t)row < t->nrows ? &t->cells[(size_t)row * t->ncols + (size_t)col] : NULL;
}

int lf_table_col_n(const lf_table *t, const char *name, size_t len)
{
    for (size_t c = 0; t && c < t->ncols; c++)
        if (strncmp(t->cols[c].name, name, len) == 0 && t->cols[c].name[len] == '\0')
            return (int)c;
    return -1;
}
