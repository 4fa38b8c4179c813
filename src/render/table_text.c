/*
 * table_text.c — the terminal renderer (--format table), readable at 80 columns.
 *
 * Place in the flow: table -> text in an lf_buf, for a person at a terminal.
 *
 * Layout:
 *   title line(s): "REPORT  FROM – TO (to exclusive) by BY, as of AS_OF (TZ)",
 *                  broken after the comma when it would pass 80 columns
 *   blank line, then the grid: header, rule, rows, rule, total. When the columns
 *   do not fit in 80 columns they are split into groups (greedily, in order), each
 *   printed as its own block that repeats the first (dimension) column.
 *   one section per object column ("name:" and "  LABEL  key n, key n", wrapped)
 *   the notes, one per line (wrapped at 80)
 *
 * Widths are display widths counted in code points (the null mark "–" is three
 * bytes and one column). Numbers are right-aligned, text left-aligned; trailing
 * spaces are trimmed from every line so golden files stay clean.
 *
 * Hostile text (labels, object keys from the data): C0 controls, DEL and C1
 * controls become '?', so an escape sequence cannot drive the terminal; invalid
 * UTF-8 becomes '?'; a text longer than TEXT_MAX columns is cut with "…" so one
 * huge label cannot push every number off the screen (CSV and JSON keep it whole).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "leadflow/text.h"
#include "render.h"

#define WIDTH 80                 /* target terminal width */
#define TEXT_MAX 32              /* widest text cell or object key shown */
#define GUTTER 2                 /* spaces between grid columns */
#define NULL_MARK "\xe2\x80\x93" /* U+2013 EN DASH */
#define ELLIPSIS "\xe2\x80\xa6"  /* U+2026 */

/* ---- small text helpers --------------------------------------------------- */

/* Display width of valid UTF-8 text: its number of code points. */
static size_t disp_width(const char *s, size_t n)
{
    size_t w = 0;
    for (size_t i = 0; i < n; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            w++;
    return w;
}

static lf_status add_spaces(lf_buf *out, size_t n)
{
    lf_status st = LF_OK;
    while (st == LF_OK && n--)
        st = lf_buf_addc(out, ' ');
    return st;
}

/* Ends the line begun at offset start: trims trailing spaces, adds '\n'. */
static lf_status end_line(lf_buf *out, size_t start)
{
    while (out->len > start && out->data[out->len - 1] == ' ')
        out->data[--out->len] = '\0';
    return lf_buf_addc(out, '\n');
}

/* Appends s made safe for a terminal, cut to maxw columns with "…". */
static lf_status add_safe(lf_buf *out, const char *s, size_t maxw)
{
    lf_buf tmp;
    lf_buf_init(&tmp, 0);
    lf_status st = render_add_clean(&tmp, s, true);
    if (st == LF_OK) {
        const char *p = lf_buf_str(&tmp);
        if (disp_width(p, tmp.len) <= maxw) {
            st = lf_buf_add(out, p, tmp.len);
        } else {
            size_t cut = 0, w = 0; /* bytes of the first maxw - 1 code points */
            while (cut < tmp.len) {
                if (((unsigned char)p[cut] & 0xC0) != 0x80 && w++ == maxw - 1)
                    break;
                cut++;
            }
            st = lf_buf_add(out, p, cut);
            if (st == LF_OK)
                st = lf_buf_adds(out, ELLIPSIS);
        }
    }
    lf_buf_release(&tmp);
    return st;
}

/* ---- numbers --------------------------------------------------------------- */

/* Appends one cell as shown on the terminal (objects are shown elsewhere). */
static lf_status add_value(lf_buf *out, const lf_cell *c, lf_col_type type)
{
    char num[RENDER_REAL_MAX + 32];
    if (c->kind == LF_CELL_TEXT && c->text)
        return add_safe(out, c->text, TEXT_MAX);
    if (c->kind == LF_CELL_OBJ && c->obj)
        return lf_buf_addf(out, "(%zu keys)", c->obj->n);
    if (c->kind != LF_CELL_NUM || !isfinite(c->num))
        return lf_buf_adds(out, NULL_MARK);
    render_fmt_number(c->num, type, num, sizeof num);
    return lf_buf_adds(out, num);
}

/* ---- the grid -------------------------------------------------------------- */

typedef struct grid {
    size_t n;      /* grid columns: the table's columns that are not objects */
    size_t *col;   /* table column of each grid column */
    size_t *width; /* display width of each grid column */
    size_t nlines; /* rows, plus one for the total */
    size_t *off;   /* (1 + nlines) x n offsets into arena; line 0 is the header */
    lf_buf arena;  /* the display strings, NUL-separated */
} grid;

static const char *grid_text(const grid *g, size_t line, size_t j)
{
    return g->arena.data + g->off[line * g->n + j];
}

static void grid_release(grid *g)
{
    free(g->col);
    free(g->width);
    free(g->off);
    lf_buf_release(&g->arena);
}

/* The row of cells for display line `line` (1-based; the last is the total). */
static const lf_cell *line_cells(const lf_table *t, size_t line)
{
    return line <= t->nrows ? t->cells + (line - 1) * t->ncols : t->total;
}

/* Formats every shown cell once, and measures the columns. */
static lf_status grid_build(const lf_table *t, grid *g)
{
    memset(g, 0, sizeof *g);
    lf_buf_init(&g->arena, 0);
    g->nlines = t->nrows + (t->has_total ? 1 : 0);
    g->col = calloc(t->ncols + 1, sizeof *g->col);
    g->width = calloc(t->ncols + 1, sizeof *g->width);
    g->off = calloc((g->nlines + 1) * (t->ncols + 1), sizeof *g->off);
    if (!g->col || !g->width || !g->off)
        return LF_ENOMEM;
    for (size_t c = 0; c < t->ncols; c++)
        if (t->cols[c].type != LF_COL_OBJECT)
            g->col[g->n++] = c;
    lf_status st = LF_OK;
    for (size_t line = 0; st == LF_OK && line <= g->nlines; line++) {
        for (size_t j = 0; st == LF_OK && j < g->n; j++) {
            size_t c = g->col[j], start = g->arena.len;
            g->off[line * g->n + j] = start;
            if (line == 0)
                st = add_safe(&g->arena, t->cols[c].name, WIDTH);
            else if (line > t->nrows && c == 0)
                st = lf_buf_adds(&g->arena, "total");
            else
                st = add_value(&g->arena, &line_cells(t, line)[c], t->cols[c].type);
            if (st != LF_OK)
                break;
            size_t w = disp_width(g->arena.data + start, g->arena.len - start);
            if (w > g->width[j])
                g->width[j] = w;
            st = lf_buf_addc(&g->arena, '\0');
        }
    }
    return st;
}

static bool right_aligned(const lf_table *t, const grid *g, size_t j)
{
    return t->cols[g->col[j]].type != LF_COL_TEXT;
}

static lf_status add_padded(lf_buf *out, const char *s, size_t width, bool right)
{
    size_t n = strlen(s), pad = width - disp_width(s, n);
    lf_status st = right ? add_spaces(out, pad) : LF_OK;
    if (st == LF_OK)
        st = lf_buf_add(out, s, n);
    return st == LF_OK && !right ? add_spaces(out, pad) : st;
}

/* One display line of grid columns: 0 and [from, to). */
static lf_status add_grid_line(lf_buf *out, const lf_table *t, const grid *g, size_t line,
                               size_t from, size_t to)
{
    size_t start = out->len;
    lf_status st = add_padded(out, grid_text(g, line, 0), g->width[0], right_aligned(t, g, 0));
    for (size_t j = from; st == LF_OK && j < to; j++) {
        st = add_spaces(out, GUTTER);
        if (st == LF_OK)
            st = add_padded(out, grid_text(g, line, j), g->width[j], right_aligned(t, g, j));
    }
    return st == LF_OK ? end_line(out, start) : st;
}

static lf_status add_rule(lf_buf *out, size_t width)
{
    lf_status st = LF_OK;
    while (st == LF_OK && width--)
        st = lf_buf_addc(out, '-');
    return st == LF_OK ? lf_buf_addc(out, '\n') : st;
}

/* One block: the dimension column and grid columns [from, to). */
static lf_status add_block(lf_buf *out, const lf_table *t, const grid *g, size_t from, size_t to)
{
    size_t width = g->width[0];
    for (size_t j = from; j < to; j++)
        width += GUTTER + g->width[j];
    lf_status st = add_grid_line(out, t, g, 0, from, to);
    if (st == LF_OK)
        st = add_rule(out, width);
    for (size_t line = 1; st == LF_OK && line <= t->nrows; line++)
        st = add_grid_line(out, t, g, line, from, to);
    if (st == LF_OK && t->has_total) {
        st = add_rule(out, width);
        if (st == LF_OK)
            st = add_grid_line(out, t, g, g->nlines, from, to);
    }
    return st;
}

/* Splits the grid columns after the first into groups that fit WIDTH (a column
 * too wide to fit even alone still gets a block of its own). */
static lf_status add_grid(lf_buf *out, const lf_table *t, const grid *g)
{
    if (g->n == 0)
        return LF_OK;
    lf_status st = LF_OK;
    size_t from = 1;
    do {
        size_t to = from, width = g->width[0];
        while (to < g->n && (to == from || width + GUTTER + g->width[to] <= WIDTH))
            width += GUTTER + g->width[to++];
        if (from > 1)
            st = lf_buf_addc(out, '\n');
        if (st == LF_OK)
            st = add_block(out, t, g, from, to);
        from = to;
    } while (st == LF_OK && from < g->n);
    return st;
}

/* ---- object sections ---------------------------------------------------------- */

/* "  LABEL  key n, key n, ..." wrapped at WIDTH; continuation lines are indented
 * under the first item (or by 4 when the labels are very wide). */
static lf_status add_object_line(lf_buf *out, const char *label, size_t label_w, const lf_cell *c)
{
    size_t start = out->len, first = 2 + label_w + 2;
    size_t cont = first <= WIDTH / 2 ? first : 4;
    lf_status st = add_spaces(out, 2);
    if (st == LF_OK)
        st = add_padded(out, label, label_w, false);
    if (st == LF_OK)
        st = add_spaces(out, 2);
    if (st != LF_OK)
        return st;
    if (c->kind != LF_CELL_OBJ || !c->obj)
        st = add_value(out, c, LF_COL_NUMBER);
    else if (c->obj->n == 0)
        st = lf_buf_adds(out, "(none)");
    lf_buf item;
    lf_buf_init(&item, 0);
    size_t col = first, on_line = 0;
    for (size_t i = 0; st == LF_OK && c->kind == LF_CELL_OBJ && c->obj && i < c->obj->n; i++) {
        const lf_object *o = c->obj;
        lf_buf_reset(&item);
        st = add_safe(&item, o->keys[i], TEXT_MAX);
        if (st == LF_OK)
            st = lf_buf_addc(&item, ' ');
        if (st == LF_OK)
            st = add_value(&item, &o->vals[i], o->types[i]);
        if (st != LF_OK)
            break;
        size_t w = disp_width(lf_buf_str(&item), item.len);
        size_t need = w + (i + 1 < o->n ? 1 : 0); /* room for a trailing ',' */
        bool brk = on_line ? col + 2 + need > WIDTH : col > cont && col + need > WIDTH;
        if (brk) {
            st = on_line ? lf_buf_addc(out, ',') : LF_OK;
            if (st == LF_OK)
                st = end_line(out, start);
            start = out->len;
            if (st == LF_OK)
                st = add_spaces(out, cont);
            col = cont;
            on_line = 0;
        } else if (on_line) {
            st = lf_buf_adds(out, ", ");
            col += 2;
        }
        if (st == LF_OK)
            st = lf_buf_add(out, lf_buf_str(&item), item.len);
        col += w;
        on_line++;
    }
    lf_buf_release(&item);
    return st == LF_OK ? end_line(out, start) : st;
}

static lf_status add_objects(lf_buf *out, const lf_table *t, const grid *g)
{
    /* Labels are the grid's dimension column when it is the table's first. */
    bool labels = g->n && g->col[0] == 0;
    size_t label_w = 0;
    for (size_t line = 1; labels && line <= g->nlines; line++) {
        const char *s = grid_text(g, line, 0);
        size_t w = disp_width(s, strlen(s));
        label_w = w > label_w ? w : label_w;
    }
    lf_status st = LF_OK;
    for (size_t c = 0; st == LF_OK && c < t->ncols; c++) {
        if (t->cols[c].type != LF_COL_OBJECT)
            continue;
        size_t start = out->len + 1;
        st = lf_buf_addc(out, '\n');
        if (st == LF_OK)
            st = add_safe(out, t->cols[c].name, WIDTH - 1);
        if (st == LF_OK)
            st = lf_buf_addc(out, ':');
        if (st == LF_OK)
            st = end_line(out, start);
        for (size_t line = 1; st == LF_OK && line <= g->nlines; line++)
            st = add_object_line(out, labels ? grid_text(g, line, 0) : "", label_w,
                                 &line_cells(t, line)[c]);
    }
    return st;
}

/* ---- title and notes ------------------------------------------------------------ */

/* Appends text word-wrapped at WIDTH, continuation lines indented by 2 (a word
 * wider than a line gets a line of its own). */
static lf_status add_wrapped(lf_buf *out, const char *text)
{
    size_t start = out->len, col = 0;
    bool empty = true; /* no word on this line yet */
    lf_status st = LF_OK;
    for (const char *p = text + strspn(text, " "); st == LF_OK && *p; p += strspn(p, " ")) {
        size_t n = strcspn(p, " "), w = disp_width(p, n);
        if (!empty && col + 1 + w > WIDTH) {
            st = end_line(out, start);
            start = out->len;
            if (st == LF_OK)
                st = add_spaces(out, 2);
            col = 2;
            empty = true;
        }
        if (st == LF_OK && !empty) {
            st = lf_buf_addc(out, ' ');
            col++;
        }
        if (st == LF_OK)
            st = lf_buf_add(out, p, n);
        col += w;
        empty = false;
        p += n;
    }
    return st == LF_OK ? end_line(out, start) : st;
}

static lf_status add_title(lf_buf *out, const lf_table *t)
{
    char from[16], to[16], as_of[40];
    lf_date_format(t->from_day, from, sizeof from);
    lf_date_format(t->to_day, to, sizeof to);
    lf_time_format_utc(t->as_of, as_of, sizeof as_of);
    lf_buf a, b;
    lf_buf_init(&a, 0);
    lf_buf_init(&b, 0);
    lf_status st = add_safe(&a, t->report ? t->report : "report", WIDTH);
    if (st == LF_OK)
        st = lf_buf_addf(&a, "  %s " NULL_MARK " %s (to exclusive)", from, to);
    /* dimension reports (first column not `period`) ignore --by: say nothing of it */
    if (st == LF_OK && t->by && t->ncols && strcmp(t->cols[0].name, "period") == 0) {
        st = lf_buf_adds(&a, " by ");
        if (st == LF_OK)
            st = add_safe(&a, t->by, WIDTH);
    }
    if (st == LF_OK)
        st = lf_buf_addf(&b, "as of %s", as_of);
    if (st == LF_OK && t->tz_name) {
        st = lf_buf_adds(&b, " (");
        if (st == LF_OK)
            st = add_safe(&b, t->tz_name, WIDTH);
        if (st == LF_OK)
            st = lf_buf_addc(&b, ')');
    }
    size_t wa = disp_width(lf_buf_str(&a), a.len), wb = disp_width(lf_buf_str(&b), b.len);
    if (st == LF_OK)
        st = lf_buf_add(out, lf_buf_str(&a), a.len);
    if (st == LF_OK)
        st = lf_buf_adds(out, wa + 2 + wb <= WIDTH ? ", " : ",\n  ");
    if (st == LF_OK)
        st = lf_buf_add(out, lf_buf_str(&b), b.len);
    if (st == LF_OK)
        st = lf_buf_addc(out, '\n');
    lf_buf_release(&a);
    lf_buf_release(&b);
    return st;
}

static lf_status add_notes(lf_buf *out, const lf_table *t)
{
    lf_status st = t->nnotes ? lf_buf_addc(out, '\n') : LF_OK;
    lf_buf clean;
    lf_buf_init(&clean, 0);
    for (size_t i = 0; st == LF_OK && i < t->nnotes; i++) {
        lf_buf_reset(&clean);
        st = render_add_clean(&clean, t->notes[i], true);
        if (st == LF_OK)
            st = add_wrapped(out, lf_buf_str(&clean));
    }
    lf_buf_release(&clean);
    return st;
}

lf_status lf_render_text(const lf_table *t, lf_buf *out, lf_error *err)
{
    if (!t)
        return lf_errorf(err, LF_EINPUT, "no table to render");
    grid g;
    lf_status st = grid_build(t, &g);
    if (st == LF_OK)
        st = add_title(out, t);
    if (st == LF_OK && g.n)
        st = lf_buf_addc(out, '\n');
    if (st == LF_OK)
        st = add_grid(out, t, &g);
    if (st == LF_OK)
        st = add_objects(out, t, &g);
    if (st == LF_OK)
        st = add_notes(out, t);
    grid_release(&g);
    return st == LF_OK ? LF_OK : render_buf_error(st, err, "table");
}
