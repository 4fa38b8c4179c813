/*
 * table_csv.c — the CSV renderer (RFC 4180, LF line ends).
 *
 * Place in the flow: table -> text in an lf_buf. One header row of column names,
 * the rows, then the total row whose dimension cell is "total".
 *
 * Value rules (shared with json.c through render.h): counts as integers, money
 * rounded to cents with two decimals, other numbers in the shortest text that
 * reads back to the same double (never an exponent for 1e-6 <= |v| < 1e15), null
 * as an empty field, an object as its compact JSON text.
 *
 * Spreadsheet safety: a field that came from text (never a number) and begins
 * with '=', '+', '-', '@', TAB or CR would be run as a formula by spreadsheet
 * programs, so it gets a leading single quote ("'=HYPERLINK(...)"). Numbers are
 * written by us and cannot carry a formula, so -5 stays -5. Invalid UTF-8 bytes in
 * text become '?'. A field is quoted when it holds a comma, quote, CR or LF.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "render.h"

/* Appends field f[0..n) as one CSV field, quoted when needed. */
static lf_status add_field(lf_buf *out, const char *f, size_t n)
{
    if (!memchr(f, ',', n) && !memchr(f, '"', n) && !memchr(f, '\r', n) && !memchr(f, '\n', n))
        return lf_buf_add(out, f, n);
    lf_status st = lf_buf_addc(out, '"');
    for (size_t i = 0; st == LF_OK && i < n; i++) {
        if (f[i] == '"')
            st = lf_buf_addc(out, '"');
        if (st == LF_OK)
            st = lf_buf_addc(out, f[i]);
    }
    return st == LF_OK ? lf_buf_addc(out, '"') : st;
}

static lf_status add_text(lf_buf *out, lf_buf *tmp, const char *s)
{
    lf_buf_reset(tmp);
    lf_status st = LF_OK;
    if (s[0] && strchr("=+-@\t\r", s[0]))
        st = lf_buf_addc(tmp, '\'');
    if (st == LF_OK)
        st = render_add_clean(tmp, s, false);
    return st == LF_OK ? add_field(out, lf_buf_str(tmp), tmp->len) : st;
}

static lf_status add_num(lf_buf *out, double v, lf_col_type type)
{
    if (!isfinite(v))
        return LF_OK; /* cells refuse non-finite values; an empty field if one slips in */
    if (type == LF_COL_COUNT && fabs(v) < 9e15)
        return lf_buf_addf(out, "%lld", (long long)llround(v));
    if (type == LF_COL_MONEY)
        return lf_buf_addf(out, "%.2f", render_round_cents(v));
    char num[RENDER_REAL_MAX];
    size_t n = render_fmt_real(v, num, sizeof num);
    return lf_buf_add(out, num, n);
}

static lf_status add_cell(lf_buf *out, lf_buf *tmp, const lf_cell *c, lf_col_type type)
{
    switch (c->kind) {
    case LF_CELL_NUM:
        return add_num(out, c->num, type);
    case LF_CELL_TEXT:
        return c->text ? add_text(out, tmp, c->text) : LF_OK;
    case LF_CELL_OBJ:
        if (!c->obj)
            return LF_OK;
        lf_buf_reset(tmp);
        lf_status st = render_json_object(c->obj, tmp);
        return st == LF_OK ? add_field(out, lf_buf_str(tmp), tmp->len) : st;
    default:
        return LF_OK;
    }
}

/* One line of cells; row == NULL is the total row. */
static lf_status add_row(const lf_table *t, const lf_cell *row, lf_buf *out, lf_buf *tmp)
{
    lf_status st = LF_OK;
    for (size_t c = 0; st == LF_OK && c < t->ncols; c++) {
        if (c)
            st = lf_buf_addc(out, ',');
        if (st != LF_OK)
            break;
        if (!row && c == 0)
            st = lf_buf_adds(out, "total");
        else
            st = add_cell(out, tmp, &(row ? row : t->total)[c], t->cols[c].type);
    }
    return st == LF_OK ? lf_buf_addc(out, '\n') : st;
}

lf_status lf_render_csv(const lf_table *t, lf_buf *out, lf_error *err)
{
    if (!t)
        return lf_errorf(err, LF_EINPUT, "no table to render");
    lf_buf tmp;
    lf_buf_init(&tmp, 0);
    lf_status st = LF_OK;
    for (size_t c = 0; st == LF_OK && c < t->ncols; c++) {
        if (c)
            st = lf_buf_addc(out, ',');
        if (st == LF_OK)
            st = add_text(out, &tmp, t->cols[c].name);
    }
    if (st == LF_OK)
        st = lf_buf_addc(out, '\n');
    for (size_t r = 0; st == LF_OK && r < t->nrows; r++)
        st = add_row(t, t->cells + r * t->ncols, out, &tmp);
    if (st == LF_OK && t->has_total)
        st = add_row(t, NULL, out, &tmp);
    lf_buf_release(&tmp);
    return st == LF_OK ? LF_OK : render_buf_error(st, err, "csv");
}
