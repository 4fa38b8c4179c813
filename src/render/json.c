/*
 * json.c — the JSON renderer (SPEC §5, "JSON shape, the same for every report").
 *
 * Place in the flow: table -> jansson document -> text in an lf_buf. The document
 * is built with jansson (typed values, insertion-ordered keys, string escaping),
 * but written by our own small walker, because jansson prints every real with
 * %.17g ("1.1000000000000001") and SPEC §5 wants money in cents and other reals
 * at full precision: we print the shortest text that reads back to the same
 * double (render_fmt_real), with ".0" on whole reals so that a real stays a real
 * when read back. Strings are escaped by jansson itself, and then every "</" is
 * written "<\/" (the same string in JSON), so that no string can close a <script>
 * element when the JSON is inlined into an HTML page.
 *
 * Layout: the top-level keys one per line, one row per line, everything inside a
 * row compact — readable, and a diff of two reports shows the rows that changed.
 *
 * Value rules: count -> integer; money -> real rounded to cents; other numbers ->
 * real; null cell -> null; object -> object of its typed values; text -> string
 * with invalid UTF-8 bytes replaced by '?'. The total row's dimension cell is the
 * string "total" (as in the CSV and terminal renderers).
 */
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "render.h"

static json_t *cell_json(const lf_cell *c, lf_col_type type);

static json_t *text_json(const char *s)
{
    lf_buf b;
    lf_buf_init(&b, 0);
    json_t *j = NULL;
    if (render_add_clean(&b, s, false) == LF_OK)
        j = json_stringn(lf_buf_str(&b), b.len);
    lf_buf_release(&b);
    return j;
}

/* Sets obj[key] = v (stealing v, even on failure), key made valid UTF-8 first.
 * Returns false on allocation failure. */
static bool set_clean(json_t *obj, const char *key, json_t *v)
{
    if (!v)
        return false;
    lf_buf k;
    lf_buf_init(&k, 0);
    if (render_add_clean(&k, key, false) != LF_OK) {
        json_decref(v);
        lf_buf_release(&k);
        return false;
    }
    bool ok = json_object_setn_new(obj, lf_buf_str(&k), k.len, v) == 0; /* steals v */
    lf_buf_release(&k);
    return ok;
}

static json_t *object_json(const lf_object *o)
{
    json_t *j = json_object();
    for (size_t i = 0; j && i < o->n; i++) {
        if (!set_clean(j, o->keys[i], cell_json(&o->vals[i], o->types[i]))) {
            json_decref(j);
            j = NULL;
        }
    }
    return j;
}

static json_t *num_json(double v, lf_col_type type)
{
    if (!isfinite(v))
        return json_null();
    if (type == LF_COL_COUNT && fabs(v) < 9e15)
        return json_integer((json_int_t)llround(v));
    if (type == LF_COL_MONEY)
        v = render_round_cents(v);
    return json_real(v);
}

/* A new reference for one cell, or NULL on allocation failure. */
static json_t *cell_json(const lf_cell *c, lf_col_type type)
{
    switch (c->kind) {
    case LF_CELL_NUM:
        return num_json(c->num, type);
    case LF_CELL_TEXT:
        return c->text ? text_json(c->text) : json_null();
    case LF_CELL_OBJ:
        return c->obj ? object_json(c->obj) : json_null();
    default:
        return json_null();
    }
}

/* ---- writing ---------------------------------------------------------------- */

static lf_status emit(const json_t *v, lf_buf *out, bool spaced);

/* Writes s as a JSON string literal, "</" as "<\/". jansson escapes no '<' or '/',
 * so a "</" in its text is a "</" of s. */
static lf_status emit_string(const char *s, size_t n, lf_buf *out)
{
    json_t *str = json_stringn_nocheck(s, n);
    if (!str)
        return LF_ENOMEM;
    char *txt = json_dumps(str, JSON_ENCODE_ANY);
    json_decref(str);
    if (!txt)
        return LF_ENOMEM;
    lf_status st = LF_OK;
    const char *p = txt, *lt;
    while (st == LF_OK && (lt = strstr(p, "</")) != NULL) { /* each turn moves p on */
        st = lf_buf_add(out, p, (size_t)(lt - p) + 1);
        if (st == LF_OK)
            st = lf_buf_addc(out, '\\');
        p = lt + 1;
    }
    if (st == LF_OK)
        st = lf_buf_adds(out, p);
    free(txt);
    return st;
}

lf_status render_json_real(double v, lf_buf *out)
{
    if (!isfinite(v))
        return lf_buf_adds(out, "null");
    char num[RENDER_REAL_MAX];
    size_t n = render_fmt_real(v, num, sizeof num);
    lf_status st = lf_buf_add(out, num, n);
    if (st == LF_OK && !strpbrk(num, ".e"))
        st = lf_buf_adds(out, ".0");
    return st;
}

static lf_status emit_object(const json_t *o, lf_buf *out, bool spaced)
{
    lf_status st = lf_buf_addc(out, '{');
    const char *key;
    json_t *val;
    bool first = true;
    json_object_foreach((json_t *)o, key, val)
    {
        if (st == LF_OK && !first)
            st = lf_buf_adds(out, spaced ? ", " : ",");
        first = false;
        if (st == LF_OK)
            st = emit_string(key, strlen(key), out);
        if (st == LF_OK)
            st = lf_buf_adds(out, spaced ? ": " : ":");
        if (st == LF_OK)
            st = emit(val, out, spaced);
    }
    return st == LF_OK ? lf_buf_addc(out, '}') : st;
}

static lf_status emit_array(const json_t *a, lf_buf *out, bool spaced)
{
    lf_status st = lf_buf_addc(out, '[');
    for (size_t i = 0; st == LF_OK && i < json_array_size(a); i++) {
        if (i)
            st = lf_buf_adds(out, spaced ? ", " : ",");
        if (st == LF_OK)
            st = emit(json_array_get(a, i), out, spaced);
    }
    return st == LF_OK ? lf_buf_addc(out, ']') : st;
}

/* Writes v on one line; spaced puts a space after ',' and ':'. */
static lf_status emit(const json_t *v, lf_buf *out, bool spaced)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return emit_object(v, out, spaced);
    case JSON_ARRAY:
        return emit_array(v, out, spaced);
    case JSON_STRING:
        return emit_string(json_string_value(v), json_string_length(v), out);
    case JSON_INTEGER:
        return lf_buf_addf(out, "%lld", (long long)json_integer_value(v));
    case JSON_REAL:
        return render_json_real(json_real_value(v), out);
    case JSON_TRUE:
        return lf_buf_adds(out, "true");
    case JSON_FALSE:
        return lf_buf_adds(out, "false");
    default:
        return lf_buf_adds(out, "null");
    }
}

lf_status render_json_object(const lf_object *o, lf_buf *out)
{
    json_t *j = object_json(o);
    if (!j)
        return LF_ENOMEM;
    lf_status st = emit(j, out, false);
    json_decref(j);
    return st;
}

/* ---- the document --------------------------------------------------------- */

/* One row (or the total when row == NULL) as an object keyed by column name. */
static json_t *row_json(const lf_table *t, const lf_cell *row)
{
    json_t *j = json_object();
    for (size_t c = 0; j && c < t->ncols; c++) {
        json_t *v;
        if (!row && c == 0)
            v = json_string("total");
        else
            v = cell_json(&(row ? row : t->total)[c], t->cols[c].type);
        if (!set_clean(j, t->cols[c].name, v)) {
            json_decref(j);
            j = NULL;
        }
    }
    return j;
}

static json_t *str_or_null(const char *s)
{
    return s ? text_json(s) : json_null();
}

/* Builds the whole document, or returns NULL on allocation failure. */
static json_t *document(const lf_table *t)
{
    char from[16], to[16], as_of[40];
    lf_date_format(t->from_day, from, sizeof from);
    lf_date_format(t->to_day, to, sizeof to);
    lf_time_format_utc(t->as_of, as_of, sizeof as_of);
    json_t *doc = json_object(), *cols = json_array(), *rows = json_array();
    bool ok = doc && cols && rows;
    ok = ok && json_object_set_new(doc, "report", str_or_null(t->report)) == 0;
    ok = ok && json_object_set_new(doc, "from", json_string(from)) == 0;
    ok = ok && json_object_set_new(doc, "to", json_string(to)) == 0;
    ok = ok && json_object_set_new(doc, "by", str_or_null(t->by)) == 0;
    ok = ok && json_object_set_new(doc, "as_of", json_string(as_of)) == 0;
    for (size_t c = 0; ok && c < t->ncols; c++)
        ok = json_array_append_new(cols, text_json(t->cols[c].name)) == 0;
    for (size_t r = 0; ok && r < t->nrows; r++)
        ok = json_array_append_new(rows, row_json(t, t->cells + r * t->ncols)) == 0;
    ok = ok && json_object_set(doc, "columns", cols) == 0;
    ok = ok && json_object_set(doc, "rows", rows) == 0;
    ok = ok &&
         json_object_set_new(doc, "total", t->has_total ? row_json(t, NULL) : json_null()) == 0;
    json_decref(cols);
    json_decref(rows);
    if (!ok) {
        json_decref(doc);
        return NULL;
    }
    return doc;
}

lf_status lf_render_json(const lf_table *t, lf_buf *out, lf_error *err)
{
    if (!t)
        return lf_errorf(err, LF_EINPUT, "no table to render");
    json_t *doc = document(t);
    if (!doc)
        return render_buf_error(LF_ENOMEM, err, "json");
    lf_status st = lf_buf_adds(out, "{\n");
    const char *key;
    json_t *val;
    bool first = true;
    json_object_foreach(doc, key, val)
    {
        if (st == LF_OK && !first)
            st = lf_buf_adds(out, ",\n");
        first = false;
        if (st == LF_OK)
            st = lf_buf_addf(out, "  \"%s\": ", key); /* our own fixed ASCII keys */
        if (st != LF_OK)
            break;
        if (json_is_array(val) && strcmp(key, "rows") == 0 && json_array_size(val)) {
            st = lf_buf_adds(out, "[\n");
            for (size_t i = 0; st == LF_OK && i < json_array_size(val); i++) {
                st = lf_buf_adds(out, i ? ",\n    " : "    ");
                if (st == LF_OK)
                    st = emit(json_array_get(val, i), out, true);
            }
            if (st == LF_OK)
                st = lf_buf_adds(out, "\n  ]");
        } else {
            st = emit(val, out, true);
        }
    }
    if (st == LF_OK)
        st = lf_buf_adds(out, "\n}\n");
    json_decref(doc);
    return st == LF_OK ? LF_OK : render_buf_error(st, err, "json");
}
