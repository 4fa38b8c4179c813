/*
 * mapping.c — import maps (SPEC §9, leadflow/mapping.h, docs/maps.md): another export's
 * rows in leadflow's column layout (SPEC §2), as a record source for lf_import.
 *
 * Place in the flow: FILE -> CSV reader -> [map: header matched, values mapped, times
 * parsed] -> lf_import (validation, rejects, idempotency, replay) -> store. The map
 * changes only the shape of a row; every check of a value stays the importer's, so a
 * mapped file is validated, rejected and deduplicated exactly as a file in leadflow's
 * own shape. A value a map cannot convert (a time its format does not read) is passed
 * on unchanged, and the importer rejects the row with its usual message.
 *
 * Loading: the YAML tree comes from the configuration's reader (lf_yaml_load_tree: same
 * syntax errors and limits); this file checks its keys. `kind` is read first, since it
 * decides which leadflow columns the other keys may name. Each leadflow column of the
 * kind gets one slot (col_map) holding where its value comes from (a file column or a
 * constant), its value table and its strptime format.
 *
 * The header: a leadflow column takes its value from the map's `columns` entry, else
 * its `constant`, else a file column of the same name (so a file partly in leadflow's
 * shape needs no entry for those columns). The leadflow header lists those columns in
 * the kind's order; for leads, every other file column follows under its own name
 * (an attribute), except a column whose name is a lead column the map fills from
 * elsewhere, which would otherwise be read twice.
 *
 * Times: a `formats` column is read with strptime (C locale, as the process runs),
 * validated by a round trip through the day number (glibc accepts 2026-02-30) and
 * written as an ISO 8601 UTC instant (timestamps: local in the map's zone unless the
 * format reads an offset with %z) or as YYYY-MM-DD / YYYY-MM (costs and traffic dates,
 * which are civil dates, not instants).
 *
 * Invariants: every loop over input is bounded by the record it reads (the reader caps
 * records and fields); a record handed out is valid until the next call.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "leadflow/config.h"
#include "leadflow/mapping.h"

enum { MAP_COLS = 8 };

/* ---- the leadflow columns of each kind (SPEC §2) ---------------------------------- */

/* The columns of each kind are the importer's (leadflow/import.h). */
typedef lf_import_column col_spec;
typedef lf_import_kind_spec kind_spec;

/* ---- the map ------------------------------------------------------------------------ */

typedef struct value_pair {
    char *from, *to;
    size_t from_len;
} value_pair;

/* Where one leadflow column's value comes from, and how it is converted. */
typedef struct col_map {
    char *file_col;        /* `columns`: the file's column, trimmed (matched ignoring case) */
    int file_col_line;
    char *constant;        /* `constant`: the value of every row */
    int constant_line;
    value_pair *values;    /* `values` */
    size_t nvalues;
    int values_line;
    char *format;          /* `formats` */
    int format_line;
    bool fmt_offset;       /* the format reads an offset (%z) */
    bool fmt_day;          /* the format reads a day (else a date is YYYY-MM) */
} col_map;

struct lf_map {
    char *name;
    lf_import_kind kind;
    int kind_line, columns_line;
    const kind_spec *spec;
    col_map cols[MAP_COLS];
    lf_tz *tz;
};

static lf_status map_fail(const lf_map *m, int line, lf_error *err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* "MAP:LINE: " + the message, LF_ECONFIG. */
static lf_status map_fail(const lf_map *m, int line, lf_error *err, const char *fmt, ...)
{
    char msg[sizeof err->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (line > 0)
        return lf_errorf(err, LF_ECONFIG, "%s:%d: %s", m->name, line, msg);
    return lf_errorf(err, LF_ECONFIG, "%s: %s", m->name, msg);
}

static lf_status oom(lf_error *err)
{
    return lf_errorf(err, LF_ENOMEM, "out of memory");
}

/* The index of a leadflow column of the map's kind, or -1. */
static int col_index(const kind_spec *k, const char *name)
{
    for (size_t c = 0; c < k->ncols; c++)
        if (strcmp(k->cols[c].name, name) == 0)
            return (int)c;
    return -1;
}

/* A copy of text trimmed of spaces and tabs, lower-cased when `lower` (a header name). */
static char *name_dup(const char *s, size_t n, bool lower)
{
    while (n && (*s == ' ' || *s == '\t'))
        s++, n--;
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    char *d = strndup(s, n);
    for (size_t i = 0; d && lower && i < n; i++)
        d[i] = (char)tolower((unsigned char)d[i]);
    return d;
}

/* The text of a scalar (or of a null value, as written); NULL for a list or a map. */
static const char *scalar_text(const lf_cfg_value *v)
{
    return v && (v->kind == LF_CFG_SCALAR || v->kind == LF_CFG_NULL) ? v->text : NULL;
}

/* Checks a map value: each pair's key a scalar naming a leadflow column of the kind;
 * returns that column's index through *c. */
static lf_status pair_column(const lf_map *m, const char *key, const lf_cfg_pair *p, int *c,
                             lf_error *err)
{
    const char *name = scalar_text(p->key);
    int line = p->key ? p->key->line : 0;
    if (!name)
        return map_fail(m, line, err, "key '%s': a key must be a leadflow column", key);
    *c = col_index(m->spec, name);
    if (*c < 0)
        return map_fail(m, line, err, "key '%s.%s': unknown column for kind '%s'", key, name,
                        m->spec->name);
    return LF_OK;
}

static lf_status expect_map(const lf_map *m, const char *key, const lf_cfg_value *v,
                            lf_error *err)
{
    if (v->kind != LF_CFG_MAP)
        return map_fail(m, v->line, err, "key '%s': expected a map of leadflow columns", key);
    return LF_OK;
}

/* ---- the keys ------------------------------------------------------------------------- */

static lf_status set_columns(lf_map *m, const lf_cfg_value *v, lf_error *err)
{
    lf_status st = expect_map(m, "columns", v, err);
    m->columns_line = v->line;
    for (size_t i = 0; st == LF_OK && i < v->npairs; i++) {
        int c;
        const lf_cfg_value *val = v->pairs[i].value;
        if ((st = pair_column(m, "columns", &v->pairs[i], &c, err)))
            break;
        const char *cn = m->spec->cols[c].name;
        if (val->kind == LF_CFG_NULL)
            continue; /* absent, as in the configuration */
        if (val->kind != LF_CFG_SCALAR || val->len == 0)
            return map_fail(m, val->line, err, "key 'columns.%s': expected the file's column name",
                            cn);
        if (m->cols[c].file_col)
            return map_fail(m, val->line, err, "key 'columns.%s': given twice", cn);
        if (!(m->cols[c].file_col = name_dup(val->text, val->len, false)))
            return oom(err);
        m->cols[c].file_col_line = val->line;
    }
    return st;
}

static lf_status set_constant(lf_map *m, const lf_cfg_value *v, lf_error *err)
{
    lf_status st = expect_map(m, "constant", v, err);
    for (size_t i = 0; st == LF_OK && i < v->npairs; i++) {
        int c;
        const lf_cfg_value *val = v->pairs[i].value;
        if ((st = pair_column(m, "constant", &v->pairs[i], &c, err)))
            break;
        const char *cn = m->spec->cols[c].name;
        if (val->kind == LF_CFG_NULL)
            continue;
        if (val->kind != LF_CFG_SCALAR)
            return map_fail(m, val->line, err, "key 'constant.%s': expected a value", cn);
        if (m->cols[c].constant)
            return map_fail(m, val->line, err, "key 'constant.%s': given twice", cn);
        if (m->cols[c].file_col)
            return map_fail(m, val->line, err,
                            "key 'constant.%s': the column is also read from the file "
                            "('columns.%s')", cn, cn);
        if (!(m->cols[c].constant = strndup(val->text, val->len)))
            return oom(err);
        m->cols[c].constant_line = val->line;
    }
    return st;
}

/* One column's value table: {file value: leadflow value}; a null value is "". */
static lf_status set_value_table(lf_map *m, col_map *cm, const char *cn, const lf_cfg_value *t,
                                 lf_error *err)
{
    if (t->kind != LF_CFG_MAP)
        return map_fail(m, t->line, err,
                        "key 'values.%s': expected a map of {the file's value: leadflow's value}",
                        cn);
    if (cm->values)
        return map_fail(m, t->line, err, "key 'values.%s': given twice", cn);
    cm->values = calloc(t->npairs ? t->npairs : 1, sizeof *cm->values);
    if (!cm->values)
        return oom(err);
    cm->values_line = t->line;
    for (size_t j = 0; j < t->npairs; j++) {
        const char *from = scalar_text(t->pairs[j].key), *to = scalar_text(t->pairs[j].value);
        int line = t->pairs[j].key ? t->pairs[j].key->line : t->line;
        if (!from || (!to && t->pairs[j].value))
            return map_fail(m, line, err, "key 'values.%s': expected text values", cn);
        if (t->pairs[j].value && t->pairs[j].value->kind == LF_CFG_NULL)
            to = "";
        for (size_t k = 0; k < cm->nvalues; k++)
            if (strcmp(cm->values[k].from, from) == 0)
                return map_fail(m, line, err, "key 'values.%s': value '%s' given twice", cn, from);
        value_pair *vp = &cm->values[cm->nvalues++];
        vp->from = strdup(from);
        vp->to = strdup(to ? to : "");
        vp->from_len = strlen(from);
        if (!vp->from || !vp->to)
            return oom(err);
    }
    return LF_OK;
}

static lf_status set_values(lf_map *m, const lf_cfg_value *v, lf_error *err)
{
    lf_status st = expect_map(m, "values", v, err);
    for (size_t i = 0; st == LF_OK && i < v->npairs; i++) {
        int c;
        if ((st = pair_column(m, "values", &v->pairs[i], &c, err)))
            break;
        if (v->pairs[i].value->kind != LF_CFG_NULL)
            st = set_value_table(m, &m->cols[c], m->spec->cols[c].name, v->pairs[i].value, err);
    }
    return st;
}

/* What a format's conversions read; false with *bad set on one strptime does not know
 * (or leadflow does not use: weeks, epoch seconds, zone names). */
static bool format_scan(const char *f, bool *year, bool *month, bool *day, bool *offset,
                        char bad[3])
{
    static const char known[] = "aAbBhcCdDeFHIjmMnprRStTyYz%";
    size_t n = strlen(f);
    for (size_t i = 0; i < n; i++) {
        if (f[i] != '%')
            continue;
        char c = ++i < n ? f[i] : '\0';
        if ((c == 'E' || c == 'O') && i + 1 < n)
            c = f[++i];
        if (c == '\0' || !strchr(known, c)) {
            bad[0] = '%', bad[1] = c, bad[2] = '\0';
            return false;
        }
        *year |= strchr("YyDFcx", c) != NULL;
        *month |= strchr("mbBhDFcx", c) != NULL;
        *day |= strchr("deDFcx", c) != NULL;
        *offset |= c == 'z';
    }
    return true;
}

static lf_status set_format(lf_map *m, int c, const lf_cfg_value *val, lf_error *err)
{
    const col_spec *cs = &m->spec->cols[c];
    col_map *cm = &m->cols[c];
    if (cs->time == LF_FIELD_TEXT)
        return map_fail(m, val->line, err, "key 'formats.%s': not a time column of kind '%s'",
                        cs->name, m->spec->name);
    if (val->kind != LF_CFG_SCALAR || val->len == 0)
        return map_fail(m, val->line, err, "key 'formats.%s': expected a strptime format",
                        cs->name);
    if (cm->format)
        return map_fail(m, val->line, err, "key 'formats.%s': given twice", cs->name);
    bool year = false, month = false, day = false, offset = false;
    char bad[3];
    if (!format_scan(val->text, &year, &month, &day, &offset, bad))
        return map_fail(m, val->line, err, "key 'formats.%s': bad format '%s': unknown "
                        "conversion '%s'", cs->name, val->text, bad);
    if (!year || !month || (!day && cs->time == LF_FIELD_INSTANT))
        return map_fail(m, val->line, err, "key 'formats.%s': bad format '%s': it reads no %s",
                        cs->name, val->text, !year ? "year" : !month ? "month" : "day");
    if (offset && cs->time == LF_FIELD_DATE)
        return map_fail(m, val->line, err, "key 'formats.%s': bad format '%s': a date has no "
                        "offset (%%z)", cs->name, val->text);
    if (!(cm->format = strdup(val->text)))
        return oom(err);
    cm->format_line = val->line;
    cm->fmt_offset = offset;
    cm->fmt_day = day;
    return LF_OK;
}

static lf_status set_formats(lf_map *m, const lf_cfg_value *v, lf_error *err)
{
    lf_status st = expect_map(m, "formats", v, err);
    for (size_t i = 0; st == LF_OK && i < v->npairs; i++) {
        int c;
        if ((st = pair_column(m, "formats", &v->pairs[i], &c, err)))
            break;
        if (v->pairs[i].value->kind != LF_CFG_NULL)
            st = set_format(m, c, v->pairs[i].value, err);
    }
    return st;
}

static lf_status set_timezone(lf_map *m, const lf_cfg_value *v, lf_error *err)
{
    if (v->kind != LF_CFG_SCALAR)
        return map_fail(m, v->line, err, "key 'timezone': expected an IANA zone name");
    lf_error zerr;
    lf_status st = lf_tz_load(&m->tz, v->text, &zerr);
    if (st == LF_ENOMEM)
        return oom(err);
    if (st != LF_OK)
        return map_fail(m, v->line, err, "key 'timezone': %s", zerr.msg);
    return LF_OK;
}

static lf_status set_kind(lf_map *m, const lf_cfg_value *v, lf_error *err)
{
    const char *k = scalar_text(v);
    m->kind_line = v->line;
    lf_import_kind kind;
    if (k && v->kind == LF_CFG_SCALAR && lf_import_kind_parse(k, &kind)) {
        m->kind = kind;
        m->spec = lf_import_kind_spec_of(kind);
        return LF_OK;
    }
    return map_fail(m, v->line, err, "key 'kind': unknown kind '%s' (leads, events, costs or "
                    "traffic)", k ? k : "");
}

static const struct map_key {
    const char *name;
    lf_status (*set)(lf_map *m, const lf_cfg_value *v, lf_error *err);
} map_keys[] = {
    {"kind", set_kind},         {"columns", set_columns}, {"constant", set_constant},
    {"values", set_values},     {"formats", set_formats}, {"timezone", set_timezone},
};

/* Reads the root map: every key known, `kind` first (the others depend on it). */
static lf_status map_read(lf_map *m, const lf_cfg_value *root, lf_error *err)
{
    if (!root || root->kind != LF_CFG_MAP)
        return map_fail(m, root ? root->line : 1, err,
                        "expected a map with the keys kind, columns, constant, values, "
                        "formats, timezone");
    const lf_cfg_value *kind = NULL;
    for (size_t i = 0; i < root->npairs; i++) {
        const char *k = scalar_text(root->pairs[i].key);
        int line = root->pairs[i].key ? root->pairs[i].key->line : root->line;
        size_t j = 0;
        while (k && j < sizeof map_keys / sizeof map_keys[0] && strcmp(map_keys[j].name, k))
            j++;
        if (!k || j == sizeof map_keys / sizeof map_keys[0])
            return map_fail(m, line, err, "unknown key '%s'", k ? k : "");
        if (j == 0) {
            if (kind)
                return map_fail(m, line, err, "key 'kind': given twice");
            kind = root->pairs[i].value;
        }
    }
    if (!kind || kind->kind == LF_CFG_NULL)
        return map_fail(m, root->line, err, "key 'kind': missing (leads, events, costs or "
                        "traffic)");
    lf_status st = set_kind(m, kind, err);
    for (size_t j = 1; st == LF_OK && j < sizeof map_keys / sizeof map_keys[0]; j++)
        for (size_t i = 0; st == LF_OK && i < root->npairs; i++) {
            const lf_cfg_value *v = root->pairs[i].value;
            if (strcmp(root->pairs[i].key->text, map_keys[j].name) == 0 && v->kind != LF_CFG_NULL)
                st = map_keys[j].set(m, v, err);
        }
    return st;
}

lf_status lf_map_load_buffer(lf_map **out, const char *name, const char *text, size_t len,
                             lf_error *err)
{
    *out = NULL;
    lf_map *m = calloc(1, sizeof *m);
    if (!m || !(m->name = strdup(name))) {
        free(m);
        return oom(err);
    }
    lf_yaml_tree tree;
    lf_status st = lf_yaml_load_tree_buffer(name, text, len, &tree, err);
    if (st == LF_OK)
        st = map_read(m, tree.root, err);
    lf_yaml_tree_free(&tree);
    if (st != LF_OK) {
        lf_map_free(m);
        return st;
    }
    *out = m;
    return LF_OK;
}

lf_status lf_map_load(lf_map **out, const char *path, lf_error *err)
{
    *out = NULL;
    lf_map *m = calloc(1, sizeof *m);
    if (!m || !(m->name = strdup(path))) {
        free(m);
        return oom(err);
    }
    lf_yaml_tree tree;
    lf_status st = lf_yaml_load_tree(path, &tree, err);
    if (st == LF_OK)
        st = map_read(m, tree.root, err);
    lf_yaml_tree_free(&tree);
    if (st != LF_OK) {
        lf_map_free(m);
        return st;
    }
    *out = m;
    return LF_OK;
}

void lf_map_free(lf_map *m)
{
    if (!m)
        return;
    for (size_t c = 0; c < MAP_COLS; c++) {
        col_map *cm = &m->cols[c];
        free(cm->file_col);
        free(cm->constant);
        free(cm->format);
        for (size_t i = 0; i < cm->nvalues; i++) {
            free(cm->values[i].from);
            free(cm->values[i].to);
        }
        free(cm->values);
    }
    lf_tz_free(m->tz);
    free(m->name);
    free(m);
}

lf_import_kind lf_map_kind(const lf_map *m)
{
    return m->kind;
}

const lf_tz *lf_map_tz(const lf_map *m)
{
    return m->tz;
}

const char *lf_map_name(const lf_map *m)
{
    return m->name;
}

/* ---- the source ------------------------------------------------------------------------ */

/* One column of leadflow's header: where its value comes from. */
typedef struct out_col {
    int file;              /* the file's column index, or -1 for a constant */
    int spec;              /* the leadflow column (values, formats), or -1: an attribute */
    char tbuf[40];         /* a converted time */
} out_col;

struct lf_map_source {
    const lf_map *map;
    lf_csv *csv;
    const char *file;
    const lf_tz *tz;
    lf_record_source rs;
    size_t nfile;           /* the file's columns */
    char **file_names;      /* the file's header, trimmed and lower-cased */
    long header_line;
    out_col *out;
    size_t nout;
    char **fields;          /* the record handed out */
    size_t *lens;
    bool header_sent;
    int ts_col;             /* events: the output column of ts, or -1 */
    int64_t skipped;
};

/* Finds the file's column `name`; -1 when absent. Two columns of that name are an
 * input error (the map cannot say which one it means). */
static lf_status find_file_col(lf_map_source *s, const char *name, int *at, lf_error *err)
{
    *at = -1;
    for (size_t i = 0; i < s->nfile; i++) {
        if (strcasecmp(s->file_names[i], name) != 0)
            continue;
        if (*at >= 0)
            return lf_errorf(err, LF_EINPUT, "%s:%ld: duplicate column '%s' (columns %d and %zu)",
                             s->file, s->header_line, s->file_names[i], *at + 1, i + 1);
        *at = (int)i;
    }
    return LF_OK;
}

/* Reads the file's header into s->file_names. */
static lf_status read_file_header(lf_map_source *s, lf_error *err)
{
    lf_csv_record rec;
    lf_error cerr;
    lf_status r = lf_csv_next(s->csv, &rec, &cerr);
    if (r != LF_OK)
        return lf_errorf(err, r == LF_ENOMEM ? LF_ENOMEM : LF_EINPUT, "%s: header: %s", s->file,
                         cerr.msg);
    if (rec.nfields == 0)
        return lf_errorf(err, LF_EINPUT, "%s: empty file (no header row)", s->file);
    s->header_line = rec.line;
    s->nfile = rec.nfields;
    s->file_names = calloc(rec.nfields, sizeof *s->file_names);
    s->out = calloc(rec.nfields + MAP_COLS, sizeof *s->out);
    s->fields = calloc(rec.nfields + MAP_COLS, sizeof *s->fields);
    s->lens = calloc(rec.nfields + MAP_COLS, sizeof *s->lens);
    if (!s->file_names || !s->out || !s->fields || !s->lens)
        return oom(err);
    for (size_t i = 0; i < rec.nfields; i++)
        if (!(s->file_names[i] = name_dup(rec.fields[i], rec.lens[i], true)))
            return oom(err);
    return LF_OK;
}

/* Where leadflow column c comes from: `columns`, `constant`, or the file's column of
 * its own name. *file is the file's column or -1; *have says whether it has a value. */
static lf_status place_column(lf_map_source *s, size_t c, bool *used, int *file, bool *have,
                              lf_error *err)
{
    const lf_map *m = s->map;
    const col_map *cm = &m->cols[c];
    const char *cn = m->spec->cols[c].name;
    *file = -1;
    *have = cm->constant != NULL;
    if (cm->file_col) {
        lf_status st = find_file_col(s, cm->file_col, file, err);
        if (st)
            return st;
        if (*file < 0)
            return map_fail(m, cm->file_col_line, err, "key 'columns.%s': no column '%s' in '%s'",
                            cn, cm->file_col, s->file);
    } else if (!cm->constant) {
        lf_status st = find_file_col(s, cn, file, err);
        if (st)
            return st;
        if (*file >= 0 && used[*file])
            *file = -1; /* read by `columns` for another leadflow column */
    }
    *have |= *file >= 0;
    if (*have)
        return LF_OK;
    if (m->spec->cols[c].required)
        return map_fail(m, m->columns_line ? m->columns_line : m->kind_line, err,
                        "key 'columns': no column for '%s', which kind '%s' requires ('%s' has "
                        "no column '%s')", cn, m->spec->name, s->file, cn);
    if (cm->values || cm->format)
        return map_fail(m, cm->format ? cm->format_line : cm->values_line, err,
                        "key '%s.%s': the map gives no column '%s' and '%s' has none",
                        cm->format ? "formats" : "values", cn, cn, s->file);
    return LF_OK;
}

/* Builds leadflow's header: the kind's columns that have a value, then (leads) the
 * file's other columns as attributes. */
static lf_status build_header(lf_map_source *s, lf_error *err)
{
    const lf_map *m = s->map;
    bool *used = calloc(s->nfile, sizeof *used);
    if (!used)
        return oom(err);
    lf_status st = LF_OK;
    for (size_t c = 0; st == LF_OK && c < m->spec->ncols; c++) {
        int at = -1;
        if (m->cols[c].file_col && (st = find_file_col(s, m->cols[c].file_col, &at, err)) == LF_OK &&
            at >= 0)
            used[at] = true;
    }
    s->ts_col = -1;
    for (size_t c = 0; st == LF_OK && c < m->spec->ncols; c++) {
        int file;
        bool have;
        if ((st = place_column(s, c, used, &file, &have, err)) || !have)
            continue;
        if (file >= 0)
            used[file] = true;
        if (m->kind == LF_IMPORT_EVENTS && strcmp(m->spec->cols[c].name, "ts") == 0)
            s->ts_col = (int)s->nout;
        s->fields[s->nout] = (char *)m->spec->cols[c].name;
        s->out[s->nout++] = (out_col){.file = file, .spec = (int)c};
    }
    for (size_t i = 0; st == LF_OK && m->kind == LF_IMPORT_LEADS && i < s->nfile; i++) {
        /* a lead column filled from elsewhere is not read a second time */
        if (used[i] || s->file_names[i][0] == '\0' || col_index(m->spec, s->file_names[i]) >= 0)
            continue;
        s->fields[s->nout] = s->file_names[i];
        s->out[s->nout++] = (out_col){.file = (int)i, .spec = -1};
    }
    free(used);
    return st;
}

/* A time read with the column's format, as leadflow's text; false when the format
 * does not read it (the value then goes on unchanged). */
static bool convert_time(const lf_map_source *s, const col_map *cm, uint8_t tk, const char *v,
                         size_t n, char *out, size_t size)
{
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    if (strlen(v) != n)
        return false;
    const char *end = strptime(v, cm->format, &tm);
    if (!end || *end)
        return false;
    int y = tm.tm_year + 1900, mo = tm.tm_mon + 1, d = cm->fmt_day ? tm.tm_mday : 1, y2, m2, d2;
    if (y < 1 || y > 9999 || mo < 1 || mo > 12 || tm.tm_hour > 23 || tm.tm_min > 59 ||
        tm.tm_sec > 59)
        return false;
    int32_t days = lf_days_from_civil(y, mo, d);
    lf_civil_from_days(days, &y2, &m2, &d2);
    if (y2 != y || m2 != mo || d2 != d)
        return false; /* 2026-02-30: glibc takes any day 1..31 */
    if (tk == LF_FIELD_DATE) {
        if (cm->fmt_day)
            snprintf(out, size, "%04d-%02d-%02d", y, mo, d);
        else
            snprintf(out, size, "%04d-%02d", y, mo);
        return true;
    }
    lf_time t;
    if (cm->fmt_offset) {
        int64_t secs = (int64_t)days * 86400 + tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec;
        t = (secs - tm.tm_gmtoff) * LF_USEC_PER_SEC;
    } else {
        lf_civil c = {.year = y, .month = mo, .day = d, .hour = tm.tm_hour, .min = tm.tm_min,
                      .sec = tm.tm_sec};
        t = lf_time_from_local(s->map->tz ? s->map->tz : s->tz, &c);
    }
    lf_time_format_utc(t, out, size);
    return true;
}

/* Sets output column i of a file row: the value, mapped, converted. */
static void fill_field(lf_map_source *s, size_t i, const lf_csv_record *rec)
{
    out_col *oc = &s->out[i];
    const col_map *cm = oc->spec >= 0 ? &s->map->cols[oc->spec] : NULL;
    const char *v = oc->file >= 0 ? rec->fields[oc->file] : cm->constant;
    size_t n = oc->file >= 0 ? rec->lens[oc->file] : strlen(cm->constant);
    for (size_t k = 0; cm && k < cm->nvalues; k++)
        if (cm->values[k].from_len == n && memcmp(cm->values[k].from, v, n) == 0) {
            v = cm->values[k].to;
            n = strlen(v);
            break;
        }
    if (cm && cm->format && n &&
        convert_time(s, cm, s->map->spec->cols[oc->spec].time, v, n, oc->tbuf, sizeof oc->tbuf)) {
        v = oc->tbuf;
        n = strlen(v);
    }
    s->fields[i] = (char *)v;
    s->lens[i] = n;
}

static lf_status source_next(void *ctx, lf_csv_record *out, lf_error *err)
{
    lf_map_source *s = ctx;
    memset(out, 0, sizeof *out);
    if (!s->header_sent) {
        s->header_sent = true;
        for (size_t i = 0; i < s->nout; i++)
            s->lens[i] = strlen(s->fields[i]);
        *out = (lf_csv_record){.nfields = s->nout, .fields = s->fields, .lens = s->lens,
                               .line = s->header_line, .end_line = s->header_line, .raw = ""};
        return LF_OK;
    }
    for (;;) { /* ends: each turn reads one record of the bounded input */
        lf_csv_record rec = {0};
        lf_status r = lf_csv_next(s->csv, &rec, err);
        out->line = rec.line, out->end_line = rec.end_line;
        out->raw = rec.raw, out->raw_len = rec.raw_len, out->raw_truncated = rec.raw_truncated;
        if (r != LF_OK || rec.nfields == 0)
            return r;
        if (rec.nfields != s->nfile)
            return lf_errorf(err, LF_EINPUT, "expected %zu fields, found %zu", s->nfile,
                             rec.nfields);
        for (size_t i = 0; i < s->nout; i++)
            fill_field(s, i, &rec);
        if (s->ts_col >= 0 && s->lens[s->ts_col] == 0) {
            s->skipped++; /* no time, no event: this row holds none of this map's kind */
            continue;
        }
        out->nfields = s->nout;
        out->fields = s->fields;
        out->lens = s->lens;
        return LF_OK;
    }
}

lf_status lf_map_source_new(lf_map_source **out, const lf_map *m, lf_csv *csv, const char *file,
                            const lf_tz *tz, lf_error *err)
{
    *out = NULL;
    lf_map_source *s = calloc(1, sizeof *s);
    if (!s)
        return oom(err);
    *s = (lf_map_source){.map = m, .csv = csv, .file = file, .tz = tz ? tz : lf_tz_utc(),
                         .rs = {.next = source_next}};
    s->rs.ctx = s;
    lf_status st = read_file_header(s, err);
    if (st == LF_OK)
        st = build_header(s, err);
    if (st != LF_OK) {
        lf_map_source_free(s);
        return st;
    }
    *out = s;
    return LF_OK;
}

const lf_record_source *lf_map_source_records(lf_map_source *s)
{
    return &s->rs;
}

int64_t lf_map_source_skipped(const lf_map_source *s)
{
    return s->skipped;
}

void lf_map_source_free(lf_map_source *s)
{
    if (!s)
        return;
    for (size_t i = 0; s->file_names && i < s->nfile; i++)
        free(s->file_names[i]);
    free(s->file_names);
    free(s->out);
    free(s->fields);
    free(s->lens);
    free(s);
}
