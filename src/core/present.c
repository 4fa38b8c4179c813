/*
 * present.c — evaluation of the presentation specs of present.h: refs, conditions
 * and texts read against a table, and the list of the columns a spec names.
 *
 * Place in the flow: a core model beside the table. The report registry declares
 * the specs (src/report/registry.c); the renderers evaluate them here against the
 * tables they draw (src/render/charts.c, html.c), supplying through callbacks what
 * only they know: how a number is formatted and the words of their context ({by},
 * {span}, ...). Nothing here knows a report or an output format.
 *
 * Invariants: evaluation never fails on data (a null, absent or non-finite value is
 * NAN and conditions on it are false, except `null` and `ne`); only a malformed text
 * (unknown word or format, unbalanced brace) is an error, which the spec test finds.
 * Strings are read by explicit lengths: sub-expressions are never copied into
 * fixed buffers except a number literal.
 */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "leadflow/present.h"

/* ---- table access ------------------------------------------------------------------ */

static double num_n(const lf_table *t, long row, const char *name, size_t len)
{
    const lf_cell *c = lf_table_at(t, row, lf_table_col_n(t, name, len));
    return c && c->kind == LF_CELL_NUM && isfinite(c->num) ? c->num : NAN;
}

static double key_n(const lf_object *o, const char *key, size_t len)
{
    for (size_t i = 0; o && i < o->n; i++)
        if (strncmp(o->keys[i], key, len) == 0 && o->keys[i][len] == '\0')
            return o->vals[i].kind == LF_CELL_NUM ? o->vals[i].num : NAN;
    return NAN;
}

int lf_present_col(const lf_table *t, const char *name)
{
    return lf_table_col_n(t, name, strlen(name));
}

double lf_present_num(const lf_table *t, long row, const char *name)
{
    return num_n(t, row, name, strlen(name));
}

const lf_object *lf_present_obj(const lf_table *t, long row, const char *name)
{
    const lf_cell *c = lf_table_at(t, row, lf_present_col(t, name));
    return c && c->kind == LF_CELL_OBJ ? c->obj : NULL;
}

double lf_present_key(const lf_object *o, const char *key)
{
    return key_n(o, key, strlen(key));
}

/* ---- context ------------------------------------------------------------------------ */

lf_present_ctx lf_present_ctx_none(void)
{
    lf_present_ctx c = {.sla_hours = NAN, .target_hours = NAN};
    return c;
}

lf_present_ctx lf_present_ctx_of(const lf_config *cfg)
{
    lf_present_ctx c = lf_present_ctx_none();
    if (cfg->has_sla) {
        c.sla_hours = (double)cfg->sla.usec / (double)LF_USEC_PER_HOUR;
        c.sla_text = cfg->sla.text;
        c.sla_business = cfg->sla.clock == LF_CLOCK_BUSINESS;
    }
    c.target_hours = (double)cfg->speed_target.usec / (double)LF_USEC_PER_HOUR;
    c.target_text = cfg->speed_target.text;
    return c;
}

lf_present_scope lf_present_scope_of(const lf_table *t, const lf_present_ctx *ctx)
{
    lf_present_scope s = {.t = t, .row = -1, .next = -1, .ctx = ctx};
    return s;
}

/* ---- refs and expressions ------------------------------------------------------------ */

static bool is(const char *p, size_t n, const char *word)
{
    return strlen(word) == n && strncmp(p, word, n) == 0;
}

/* EXPR over one source: a table row (obj NULL) or an object's keys. */
static double expr_n(const lf_table *t, long row, const lf_object *obj, bool in_obj, const char *p,
                     size_t n)
{
    double v = 0;
    int sign = 1;
    size_t i = 0;
    for (bool first = true;; first = false) {
        size_t j = i;
        while (j < n && p[j] != '+' && p[j] != '-')
            j++;
        size_t len = j - i;
        bool opt = len && p[i + len - 1] == '?';
        double x = in_obj ? key_n(obj, p + i, len - opt) : num_n(t, row, p + i, len - opt);
        if (!isfinite(x) && !opt)
            return NAN;
        x = isfinite(x) ? x : 0;
        v = first ? x : v + sign * x;
        if (j >= n)
            return v;
        sign = p[j] == '+' ? 1 : -1;
        i = j + 1;
    }
}

double lf_present_expr(const lf_table *t, long row, const char *expr)
{
    return expr_n(t, row, NULL, false, expr, strlen(expr));
}

/* The first row whose first cell is the text label (LONG_MAX when none: null). */
static long row_labelled(const lf_table *t, const char *label, size_t len)
{
    for (size_t r = 0; t && r < t->nrows; r++) {
        const lf_cell *c = &t->cells[r * t->ncols];
        if (c->kind == LF_CELL_TEXT && c->text && strncmp(c->text, label, len) == 0 &&
            c->text[len] == '\0')
            return (long)r;
    }
    return LONG_MAX;
}

static double ref_n(const lf_present_scope *s, const char *p, size_t n)
{
    if (n && (p[0] == '-' || p[0] == '.' || (p[0] >= '0' && p[0] <= '9'))) {
        char b[64];
        snprintf(b, sizeof b, "%.*s", (int)(n < 63 ? n : 63), p);
        return strtod(b, NULL);
    }
    const char *colon = memchr(p, ':', n);
    if (!colon)
        return NAN;
    size_t sl = (size_t)(colon - p);
    const char *e = colon + 1, *at = memchr(e, '@', n - sl - 1);
    size_t el = at ? (size_t)(at - e) : n - sl - 1;
    const lf_table *t = s->t;
    if (at)
        t = s->table_of ? s->table_of(s->user, at + 1, (size_t)(p + n - at - 1)) : NULL;
    if (is(p, sl, "o"))
        return expr_n(NULL, 0, s->obj, true, e, el);
    if (is(p, sl, "ctx")) {
        double v = !s->ctx              ? NAN
                   : is(e, el, "sla_h") ? s->ctx->sla_hours
                   : is(e, el, "target_h") ? s->ctx->target_hours
                                           : NAN;
        return isfinite(v) ? v : NAN;
    }
    long row;
    if (sl && p[0] == '=')
        return expr_n(t, row_labelled(t, p + 1, sl - 1), NULL, false, e, el);
    if (is(p, sl, "t"))
        row = -1;
    else if (is(p, sl, "r"))
        row = s->row;
    else if (is(p, sl, "n"))
        row = s->next;
    else if (sl == 2 && p[0] == 'c' && p[1] >= '0' && p[1] <= '9')
        row = (size_t)(p[1] - '0') < s->nchosen ? (long)s->chosen[p[1] - '0'] : -1;
    else
        return NAN;
    if (row < 0 && !is(p, sl, "t"))
        return NAN;
    return expr_n(t, row, NULL, false, e, el);
}

double lf_present_ref(const lf_present_scope *s, const char *ref)
{
    return ref ? ref_n(s, ref, strlen(ref)) : NAN;
}

/* ---- conditions ------------------------------------------------------------------------ */

/* The next space-separated token of [*p, end). */
static bool token(const char **p, const char *end, const char **tok, size_t *len)
{
    while (*p < end && **p == ' ')
        (*p)++;
    *tok = *p;
    while (*p < end && **p != ' ')
        (*p)++;
    *len = (size_t)(*p - *tok);
    return *len > 0;
}

static bool cond_n(const lf_present_scope *s, const char *p, size_t n)
{
    const char *end = p + n, *op, *a = NULL, *b = NULL;
    size_t ol, al = 0, bl = 0;
    if (!token(&p, end, &op, &ol))
        return false;
    token(&p, end, &a, &al);
    token(&p, end, &b, &bl);
    double x = al ? ref_n(s, a, al) : NAN, y = bl ? ref_n(s, b, bl) : NAN;
    if (is(op, ol, "null"))
        return !isfinite(x);
    if (is(op, ol, "finite"))
        return isfinite(x);
    if (is(op, ol, "pos"))
        return isfinite(x) && x > 0;
    if (is(op, ol, "ge"))
        return isfinite(x) && isfinite(y) && x >= y;
    if (is(op, ol, "ne"))
        return !(isfinite(x) && isfinite(y) && fabs(x - y) <= 1e-9);
    return s->flag ? s->flag(s->user, op, ol) : false;
}

bool lf_present_cond(const lf_present_scope *s, const char *cond)
{
    return cond && cond_n(s, cond, strlen(cond));
}

/* ---- texts --------------------------------------------------------------------------------- */

/* Index of the '}' closing the '{' at p[a], or n. */
static size_t closing(const char *p, size_t n, size_t a)
{
    int depth = 0;
    for (size_t i = a; i < n; i++) {
        depth += p[i] == '{' ? 1 : p[i] == '}' ? -1 : 0;
        if (depth == 0)
            return i;
    }
    return n;
}

/* Index of the first '|' at brace depth 0 in p[from, n), or n. */
static size_t bar_at(const char *p, size_t n, size_t from)
{
    int depth = 0;
    for (size_t i = from; i < n; i++) {
        depth += p[i] == '{' ? 1 : p[i] == '}' ? -1 : 0;
        if (depth == 0 && p[i] == '|')
            return i;
    }
    return n;
}

static lf_status text_n(const lf_present_scope *s, const char *p, size_t n, lf_buf *out);

static lf_status placeholder(const lf_present_scope *s, const char *p, size_t n, lf_buf *out)
{
    if (n && p[0] == '?') {
        size_t b1 = bar_at(p, n, 1), b2 = b1 < n ? bar_at(p, n, b1 + 1) : n;
        if (b1 == n || b2 == n)
            return LF_EINPUT;
        if (cond_n(s, p + 1, b1 - 1))
            return text_n(s, p + b1 + 1, b2 - b1 - 1, out);
        return text_n(s, p + b2 + 1, n - b2 - 1, out);
    }
    const char *last = NULL;
    for (size_t i = 0; i < n; i++)
        if (p[i] == ':')
            last = p + i;
    if (!last)
        return s->word && s->word(s->user, p, n, out) ? LF_OK : LF_EINPUT;
    size_t rl = (size_t)(last - p);
    double v = ref_n(s, p, rl);
    if (!s->format || !s->format(s->user, v, last + 1, n - rl - 1, out))
        return LF_EINPUT;
    return LF_OK;
}

static lf_status text_n(const lf_present_scope *s, const char *p, size_t n, lf_buf *out)
{
    size_t i = 0;
    while (i < n) {
        const char *open = memchr(p + i, '{', n - i);
        size_t lit = open ? (size_t)(open - (p + i)) : n - i;
        lf_status st = lit ? lf_buf_add(out, p + i, lit) : LF_OK;
        if (st != LF_OK || !open)
            return st;
        size_t a = (size_t)(open - p), z = closing(p, n, a);
        if (z == n)
            return LF_EINPUT;
        if ((st = placeholder(s, p + a + 1, z - a - 1, out)) != LF_OK)
            return st;
        i = z + 1;
    }
    return LF_OK;
}

lf_status lf_present_text(const lf_present_scope *s, const char *text, lf_buf *out)
{
    return text ? text_n(s, text, strlen(text), out) : LF_OK;
}

/* ---- the columns a spec names ------------------------------------------------------------ */

typedef struct walk {
    void (*fn)(void *user, const char *report, size_t rlen, const char *col, size_t clen);
    void *user;
} walk;

static void cols_expr(const walk *w, const char *r, size_t rl, const char *p, size_t n)
{
    size_t i = 0;
    while (i < n) {
        size_t j = i;
        while (j < n && p[j] != '+' && p[j] != '-')
            j++;
        size_t len = j - i;
        len -= len && p[i + len - 1] == '?';
        if (len)
            w->fn(w->user, r, rl, p + i, len);
        i = j + 1;
    }
}

static void cols_ref(const walk *w, const char *p, size_t n)
{
    const char *colon = memchr(p, ':', n);
    if (!colon || is(p, (size_t)(colon - p), "o") || is(p, (size_t)(colon - p), "ctx"))
        return;
    const char *e = colon + 1, *at = memchr(e, '@', (size_t)(p + n - e));
    size_t el = at ? (size_t)(at - e) : (size_t)(p + n - e);
    cols_expr(w, at ? at + 1 : NULL, at ? (size_t)(p + n - at - 1) : 0, e, el);
}

static void cols_cond(const walk *w, const char *p, size_t n)
{
    const char *end = p + n, *op, *a;
    size_t ol, al;
    if (!token(&p, end, &op, &ol))
        return;
    if (!is(op, ol, "null") && !is(op, ol, "finite") && !is(op, ol, "pos") && !is(op, ol, "ge") &&
        !is(op, ol, "ne"))
        return;
    while (token(&p, end, &a, &al))
        cols_ref(w, a, al);
}

static void cols_text(const walk *w, const char *p, size_t n)
{
    for (size_t i = 0; p && i < n; i++) {
        if (p[i] != '{')
            continue;
        size_t z = closing(p, n, i);
        const char *b = p + i + 1;
        size_t bl = z - i - (z < n ? 1 : 0);
        if (bl && b[0] == '?') {
            size_t b1 = bar_at(b, bl, 1);
            cols_cond(w, b + 1, b1 - 1);
            if (b1 < bl)
                cols_text(w, b + b1 + 1, bl - b1 - 1);
        } else {
            const char *last = NULL;
            for (size_t k = 0; k < bl; k++)
                if (b[k] == ':')
                    last = b + k;
            if (last)
                cols_ref(w, b, (size_t)(last - b));
        }
        i = z;
    }
}

static void cols_str(const walk *w, const char *s, void (*f)(const walk *, const char *, size_t))
{
    if (s)
        f(w, s, strlen(s));
}

static void cols_col(const walk *w, const char *col)
{
    if (col)
        w->fn(w->user, NULL, 0, col, strlen(col));
}

static void cols_row_expr(const walk *w, const char *p, size_t n)
{
    cols_expr(w, NULL, 0, p, n);
}

static void cols_chart(const walk *w, const lf_chart_spec *c)
{
    const char *texts[] = {c->title, c->desc,  c->x_title, c->y_title, c->caption,
                           c->empty, c->note, c->top,     c->between};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
        cols_str(w, texts[i], cols_text);
    cols_str(w, c->need_any, cols_row_expr);
    cols_col(w, c->top_by);
    cols_col(w, c->object);
    for (size_t i = 0; i < c->ncats; i++)
        cols_str(w, c->cats[i].note, cols_text);
    for (size_t i = 0; i < c->nseries; i++) {
        const lf_series_spec *s = &c->series[i];
        cols_str(w, s->name, cols_text);
        if (s->kind == LF_SERIES_KEYS)
            cols_col(w, s->value);
        else
            cols_str(w, s->value, cols_row_expr);
    }
    for (size_t i = 0; i < c->nrefs; i++) {
        cols_str(w, c->refs[i].when, cols_cond);
        cols_str(w, c->refs[i].lo, cols_ref);
        cols_str(w, c->refs[i].hi, cols_ref);
        cols_str(w, c->refs[i].label, cols_text);
    }
}

static void cols_figure(const walk *w, const lf_figure_spec *f)
{
    const char *texts[] = {f->label, f->word, f->sub, f->bench, f->missing_text, f->line};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
        cols_str(w, texts[i], cols_text);
    cols_str(w, f->value, cols_ref);
    cols_str(w, f->base, cols_ref);
    cols_str(w, f->missing, cols_cond);
    cols_col(w, f->object);
}

void lf_present_columns(const lf_present *p,
                        void (*fn)(void *user, const char *report, size_t rlen, const char *col,
                                   size_t clen),
                        void *user)
{
    walk w = {fn, user};
    if (!p)
        return;
    cols_str(&w, p->size, cols_ref);
    for (size_t i = 0; i < p->ncharts; i++)
        cols_chart(&w, &p->charts[i]);
    for (size_t i = 0; i < p->nfigures; i++)
        cols_figure(&w, &p->figures[i]);
}
