/*
 * preset.c — the engine shared by the import presets (SPEC §9, docs/presets.md): a
 * CRM export read through the CSV reader and handed to the importer as records in
 * leadflow's own layout (lf_import_opts.source).
 *
 * Place in the flow: export file -> CSV reader -> [preset: header by label or
 * internal name, rows expanded] -> import (validation, rejects, store) -> replay.
 *
 * One preset object serves one pass. The leads pass turns each row into one lead
 * record (id, email, created_at, source, persona, then one field per attribute
 * column); the events pass turns each row into zero or more event records (lead_id,
 * ts, type, reason), one per lifecycle date present, in the preset's column order
 * (so events at one instant apply in stage order), plus what the preset's hook adds.
 * Every record keeps the line and raw bytes of its row, so rejects name the export.
 *
 * Invariants: values are trimmed of spaces and tabs and copied NUL-terminated into
 * one buffer per record; event records point into the current row, which stays
 * valid until all of its events are handed out. Nothing the preset cannot place is
 * guessed: it is reported through opts.warn, column findings in the leads pass and
 * row findings in the events pass, so running both passes reports each once. The
 * events pass skips rows the leads pass rejected (opts.skip) and rows the CSV reader
 * or the field count refused, which the leads pass reported. Each call reads at most
 * one record per row it skips, so the work is bounded by the reader's input limits.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "leadflow/buf.h"
#include "leadflow/idmap.h"
#include "leadflow/import.h"
#include "leadflow/text.h"
#include "preset_impl.h"

#define MAX_FIELD (1u << 20)
#define MAX_EVENTS 32 /* per row: one per date column of a preset, plus the hook's */

typedef struct pevent {
    const char *type, *ts, *reason;
    size_t tsn, reasonn;
} pevent;

struct lf_preset {
    const preset_def *def;
    lf_preset_opts o;
    lf_csv *csv;
    bool header_done;
    size_t nin;           /* the export's columns */
    char **in_name;       /* trimmed, as written */
    char **attr;          /* attribute name of an attribute column, else NULL */
    int lead_col[PL__N];  /* the export's column of each leadflow column, -1 */
    int slot_col[PRESET_MAX_SLOTS];
    int *spec_col;        /* def->cols index -> the export's column, -1 */
    lf_csv_record in;     /* the current row (the reader's, valid until its next call) */
    lf_buf out;           /* the record being handed out: its fields, NUL-terminated */
    size_t *off;
    char **fields;
    size_t *lens;
    size_t nout, outcap;
    pevent ev[MAX_EVENTS];
    size_t nev, next_ev;
    int64_t warnings;
    lf_buf msg, shown[2];
    int shown_i;
};

static const char *const lead_out[PL__N] = {"id", "email", "created_at", "source", "persona"};
static const char *const event_out[] = {"lead_id", "ts", "type", "reason"};

static const preset_def *const presets[] = {&lf_preset_hubspot, &lf_preset_salesforce};

/* --- small helpers ---------------------------------------------------------------- */

static lf_status oom(lf_error *err)
{
    return lf_errorf(err, LF_ENOMEM, "out of memory");
}

static void trim(const char **v, size_t *n)
{
    while (*n && (**v == ' ' || **v == '\t'))
        (*v)++, (*n)--;
    while (*n && ((*v)[*n - 1] == ' ' || (*v)[*n - 1] == '\t'))
        (*n)--;
}

static const preset_def *find_def(const char *name)
{
    for (size_t i = 0; i < sizeof presets / sizeof presets[0]; i++)
        if (strcmp(presets[i]->name, name) == 0)
            return presets[i];
    return NULL;
}

bool lf_preset_known(const char *name)
{
    return name && find_def(name) != NULL;
}

const char *lf_preset_names(void)
{
    return "hubspot salesforce";
}

const char *preset_shown(lf_preset *p, const char *v, size_t n)
{
    lf_buf *b = &p->shown[p->shown_i];
    p->shown_i ^= 1;
    lf_buf_reset(b);
    lf_status st = LF_OK;
    for (size_t i = 0; st == LF_OK && i < n && i < 60; i++) {
        unsigned char c = (unsigned char)v[i];
        st = c < 0x20 || c == 0x7f || c == '\\' ? lf_buf_addf(b, "\\x%02x", c)
                                                : lf_buf_addc(b, (char)c);
    }
    if (st == LF_OK && n > 60)
        st = lf_buf_adds(b, "...");
    return st == LF_OK ? lf_buf_str(b) : "(value)";
}

/* Reports a finding at line (0: about a column). */
static lf_status vwarn(lf_preset *p, long line, const char *fmt, va_list ap)
{
    lf_buf_reset(&p->msg);
    lf_status st = lf_buf_vaddf(&p->msg, fmt, ap);
    if (st != LF_OK)
        return st;
    p->warnings++;
    if (p->o.warn)
        p->o.warn(p->o.warn_ctx, p->o.file, line, lf_buf_str(&p->msg));
    return LF_OK;
}

static lf_status warn_column(lf_preset *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static lf_status warn_column(lf_preset *p, const char *fmt, ...)
{
    if (p->o.kind != LF_IMPORT_LEADS)
        return LF_OK; /* the leads pass reports the columns */
    va_list ap;
    va_start(ap, fmt);
    lf_status st = vwarn(p, 0, fmt, ap);
    va_end(ap);
    return st;
}

lf_status preset_warn_row(lf_preset *p, const char *fmt, ...)
{
    if (p->o.kind != LF_IMPORT_EVENTS)
        return LF_OK; /* the events pass reports the rows */
    va_list ap;
    va_start(ap, fmt);
    lf_status st = vwarn(p, p->in.line, fmt, ap);
    va_end(ap);
    return st;
}

const lf_config *preset_cfg(const lf_preset *p)
{
    return p->o.cfg;
}

/* The current row's trimmed value of the export's column i (false: empty). */
static bool cell(const lf_preset *p, int i, const char **v, size_t *n)
{
    if (i < 0 || (size_t)i >= p->in.nfields)
        return false;
    *v = p->in.fields[i];
    *n = p->in.lens[i];
    trim(v, n);
    return *n > 0;
}

bool preset_slot(const lf_preset *p, int slot, const char **v, size_t *n)
{
    return cell(p, p->slot_col[slot], v, n);
}

bool preset_has_slot(const lf_preset *p, int slot)
{
    return p->slot_col[slot] >= 0;
}

const char *preset_slot_name(const lf_preset *p, int slot)
{
    return p->slot_col[slot] >= 0 ? p->in_name[p->slot_col[slot]] : "";
}

bool preset_date_valid(const lf_preset *p, const char *v, size_t n)
{
    lf_time t;
    return lf_time_parse(v, n, p->o.tz, &t, NULL, NULL) == LF_OK;
}

bool preset_date_ok(lf_preset *p, const char *what, const char *v, size_t n, const char *event)
{
    if (preset_date_valid(p, v, n))
        return true;
    preset_warn_row(p,
                    "column '%s': '%s' is not an ISO 8601 date or date-time: no '%s' event "
                    "(not guessed)",
                    what, preset_shown(p, v, n), event);
    return false;
}

lf_status preset_event(lf_preset *p, const char *type, const char *ts, size_t tsn,
                       const char *reason, size_t reasonn)
{
    for (size_t i = 0; i < p->nev; i++)
        if (strcmp(p->ev[i].type, type) == 0 && p->ev[i].tsn == tsn &&
            memcmp(p->ev[i].ts, ts, tsn) == 0)
            return LF_OK;
    if (p->nev >= MAX_EVENTS)
        return LF_EINPUT; /* cannot happen: the tables are far smaller */
    p->ev[p->nev++] = (pevent){type, ts, reason, tsn, reason ? reasonn : 0};
    return LF_OK;
}

/* --- the record handed out ---------------------------------------------------------- */

static void out_reset(lf_preset *p)
{
    lf_buf_reset(&p->out);
    p->nout = 0;
}

static lf_status out_add(lf_preset *p, const char *v, size_t n)
{
    if (p->nout == p->outcap) {
        size_t cap = p->outcap;
        void *const arrs[] = {&p->off, &p->fields, &p->lens};
        const size_t elems[] = {sizeof *p->off, sizeof *p->fields, sizeof *p->lens};
        if (!lf_grow_parallel(&cap, p->nout + 1, 3, arrs, elems))
            return LF_ENOMEM;
        p->outcap = cap;
    }
    p->off[p->nout] = p->out.len;
    p->lens[p->nout] = n;
    p->nout++;
    lf_status st = n ? lf_buf_add(&p->out, v, n) : LF_OK;
    return st == LF_OK ? lf_buf_addc(&p->out, '\0') : st;
}

static lf_status out_adds(lf_preset *p, const char *s)
{
    return out_add(p, s ? s : "", s ? strlen(s) : 0);
}

/* Fills rec with the built fields and the current row's line and raw bytes. */
static void out_record(lf_preset *p, lf_csv_record *rec)
{
    for (size_t i = 0; i < p->nout; i++)
        p->fields[i] = p->out.data + p->off[i];
    *rec = p->in;
    rec->nfields = p->nout;
    rec->fields = p->fields;
    rec->lens = p->lens;
}

/* --- the header --------------------------------------------------------------------- */

static int find_spec(const preset_def *def, const char *lname)
{
    for (size_t j = 0; j < def->ncols; j++)
        for (size_t k = 0; k < PRESET_MAX_NAMES && def->cols[j].names[k]; k++)
            if (strcmp(def->cols[j].names[k], lname) == 0)
                return (int)j;
    return -1;
}

/* A column of leadflow's own leads file (the importer's list). */
static bool is_leadflow_col(const char *lname)
{
    const lf_import_kind_spec *k = lf_import_kind_spec_of(LF_IMPORT_LEADS);
    for (size_t i = 0; i < k->ncols; i++)
        if (strcmp(k->cols[i].name, lname) == 0)
            return true;
    return false;
}

/* What the export's column i, named lname (lower case), gives: a preset column, an
 * attribute of its own, or nothing (with a warning). */
static lf_status classify(lf_preset *p, size_t i, char *lname)
{
    const char *name = p->in_name[i];
    if (!*lname)
        return LF_OK; /* an unnamed column */
    int j = find_spec(p->def, lname);
    if (j >= 0) {
        const preset_col *c = &p->def->cols[j];
        if (p->spec_col[j] >= 0)
            return warn_column(p, "column '%s' gives what column '%s' gives: not read",
                               preset_shown(p, name, strlen(name)),
                               p->in_name[p->spec_col[j]]);
        p->spec_col[j] = (int)i;
        if (c->lead >= 0)
            p->lead_col[c->lead] = (int)i;
        if (c->slot >= 0)
            p->slot_col[c->slot] = (int)i;
        if (c->attr && !(p->attr[i] = strdup(c->attr)))
            return LF_ENOMEM;
        return LF_OK;
    }
    const char *why = p->def->unplaced(lname);
    if (why)
        return warn_column(p, "column '%s' %s: not placed", preset_shown(p, name, strlen(name)),
                           why);
    if (is_leadflow_col(lname))
        return warn_column(p,
                           "column '%s' has the name of a leadflow lead column but is not "
                           "the %s preset's: not read",
                           preset_shown(p, name, strlen(name)), p->def->name);
    p->attr[i] = lname;
    return LF_OK;
}

/* Two columns giving one attribute: the first is read. */
static lf_status drop_duplicate_attrs(lf_preset *p)
{
    lf_idmap seen;
    lf_idmap_init(&seen);
    lf_status st = LF_OK;
    for (size_t i = 0; st == LF_OK && i < p->nin; i++) {
        if (!p->attr[i])
            continue;
        int64_t first;
        size_t n = strlen(p->attr[i]);
        if (lf_idmap_get(&seen, p->attr[i], n, &first)) {
            st = warn_column(p, "column '%s' gives attribute '%s' as column '%s' does: not read",
                             preset_shown(p, p->in_name[i], strlen(p->in_name[i])), p->attr[i],
                             p->in_name[first]);
            free(p->attr[i]);
            p->attr[i] = NULL;
        } else {
            st = lf_idmap_put(&seen, p->attr[i], n, (int64_t)i);
        }
    }
    lf_idmap_release(&seen);
    return st;
}

static lf_status header_alloc(lf_preset *p, size_t n)
{
    p->nin = n;
    p->in_name = calloc(n, sizeof *p->in_name);
    p->attr = calloc(n, sizeof *p->attr);
    p->spec_col = malloc(p->def->ncols * sizeof *p->spec_col);
    if (!p->in_name || !p->attr || !p->spec_col)
        return LF_ENOMEM;
    for (size_t j = 0; j < p->def->ncols; j++)
        p->spec_col[j] = -1;
    for (int k = 0; k < PL__N; k++)
        p->lead_col[k] = -1;
    for (int k = 0; k < PRESET_MAX_SLOTS; k++)
        p->slot_col[k] = -1;
    return LF_OK;
}

/* Reads and classifies the export's header. */
static lf_status read_header(lf_preset *p, lf_error *err)
{
    lf_status st = lf_csv_next(p->csv, &p->in, err);
    if (st != LF_OK || p->in.nfields == 0)
        return st;
    if ((st = header_alloc(p, p->in.nfields)) != LF_OK)
        return oom(err);
    for (size_t i = 0; st == LF_OK && i < p->nin; i++) {
        const char *v = p->in.fields[i];
        size_t n = p->in.lens[i];
        trim(&v, &n);
        char *lname = NULL;
        if (!(p->in_name[i] = strndup(v, n)) || !(lname = strndup(v, n))) {
            free(lname);
            return oom(err);
        }
        lf_ascii_lower(lname, n);
        st = classify(p, i, lname);
        if (p->attr[i] != lname)
            free(lname);
    }
    if (st == LF_OK)
        st = drop_duplicate_attrs(p);
    if (st != LF_OK)
        return oom(err);
    if (p->lead_col[PL_ID] < 0)
        return lf_errorf(err, LF_EINPUT, "no column %s (the id) for the %s preset",
                         p->def->need_id, p->def->name);
    if (p->lead_col[PL_CREATED] < 0)
        return lf_errorf(err, LF_EINPUT, "no column %s (the creation date) for the %s preset",
                         p->def->need_created, p->def->name);
    return LF_OK;
}

/* The header record of the pass's kind. */
static lf_status header_record(lf_preset *p, lf_csv_record *rec, lf_error *err)
{
    lf_status st = read_header(p, err);
    if (st != LF_OK || p->in.nfields == 0) {
        *rec = p->in;
        rec->nfields = 0;
        return st;
    }
    p->header_done = true;
    out_reset(p);
    if (p->o.kind == LF_IMPORT_EVENTS) {
        for (size_t k = 0; st == LF_OK && k < sizeof event_out / sizeof event_out[0]; k++)
            st = out_adds(p, event_out[k]);
    } else {
        for (int k = 0; st == LF_OK && k < PL__N; k++)
            st = out_adds(p, lead_out[k]);
        for (size_t i = 0; st == LF_OK && i < p->nin; i++)
            if (p->attr[i])
                st = out_adds(p, p->attr[i]);
    }
    if (st != LF_OK)
        return oom(err);
    out_record(p, rec);
    return LF_OK;
}

/* --- rows ------------------------------------------------------------------------- */

/* Reads the next row into p->in. LF_OK with nfields 0 at the end; LF_EINPUT for a row
 * the reader or the field count refuses (err "line L, ...: reason"). */
static lf_status read_row(lf_preset *p, lf_error *err)
{
    lf_status st = lf_csv_next(p->csv, &p->in, err);
    if (st != LF_OK || p->in.nfields == 0)
        return st;
    if (p->in.nfields != p->nin) {
        st = lf_errorf(err, LF_EINPUT, "line %ld, expected %zu fields, found %zu", p->in.line,
                       p->nin, p->in.nfields);
        p->in.nfields = 0;
    }
    return st;
}

/* One lead record from the current row. */
static lf_status lead_record(lf_preset *p)
{
    out_reset(p);
    lf_status st = LF_OK;
    for (int k = 0; st == LF_OK && k < PL__N; k++) {
        const char *v = "";
        size_t n = 0;
        cell(p, p->lead_col[k], &v, &n);
        st = out_add(p, v, n);
    }
    for (size_t i = 0; st == LF_OK && i < p->nin; i++) {
        const char *v = "";
        size_t n = 0;
        if (p->attr[i]) {
            cell(p, (int)i, &v, &n);
            st = out_add(p, v, n);
        }
    }
    return st;
}

static lf_status next_lead(lf_preset *p, lf_csv_record *rec, lf_error *err)
{
    lf_status st = read_row(p, err);
    if (st != LF_OK || p->in.nfields == 0) {
        *rec = p->in;
        rec->nfields = 0;
        return st;
    }
    if (lead_record(p) != LF_OK)
        return oom(err);
    out_record(p, rec);
    return LF_OK;
}

/* The events of the current row: its date columns in the preset's order, then the
 * preset's hook. */
static lf_status row_events(lf_preset *p)
{
    p->nev = p->next_ev = 0;
    lf_status st = LF_OK;
    for (size_t j = 0; st == LF_OK && j < p->def->ncols; j++) {
        const preset_col *c = &p->def->cols[j];
        const char *v;
        size_t n;
        if (!c->event || !cell(p, p->spec_col[j], &v, &n))
            continue;
        if (preset_date_ok(p, p->in_name[p->spec_col[j]], v, n, c->event))
            st = preset_event(p, c->event, v, n, NULL, 0);
    }
    return st == LF_OK ? p->def->row_events(p) : st;
}

static lf_status next_event(lf_preset *p, lf_csv_record *rec, lf_error *err)
{
    /* each turn reads one row (bounded by the reader's input limits) */
    while (p->next_ev >= p->nev) {
        const char *id;
        size_t idn;
        lf_error rerr;
        lf_status st = read_row(p, &rerr);
        if (st == LF_EINPUT)
            continue; /* refused in the leads pass, which reported it */
        if (st != LF_OK) {
            *err = rerr;
            return st;
        }
        if (p->in.nfields == 0) {
            *rec = p->in;
            return LF_OK;
        }
        if ((p->o.skip && p->o.skip(p->o.skip_ctx, p->in.line)) ||
            !cell(p, p->lead_col[PL_ID], &id, &idn))
            continue; /* its lead was rejected: reported once, as the lead */
        if ((st = row_events(p)) != LF_OK)
            return oom(err);
    }
    const pevent *e = &p->ev[p->next_ev++];
    const char *id;
    size_t idn;
    cell(p, p->lead_col[PL_ID], &id, &idn);
    out_reset(p);
    lf_status st = out_add(p, id, idn);
    if (st == LF_OK)
        st = out_add(p, e->ts, e->tsn);
    if (st == LF_OK)
        st = out_adds(p, e->type);
    if (st == LF_OK)
        st = out_add(p, e->reason ? e->reason : "", e->reasonn);
    if (st != LF_OK)
        return oom(err);
    out_record(p, rec);
    return LF_OK;
}

static lf_status preset_next(void *ctx, lf_csv_record *rec, lf_error *err)
{
    lf_preset *p = ctx;
    if (!p->header_done)
        return header_record(p, rec, err);
    return p->o.kind == LF_IMPORT_EVENTS ? next_event(p, rec, err) : next_lead(p, rec, err);
}

/* --- life --------------------------------------------------------------------------- */

lf_status lf_preset_open(lf_preset **out, const char *name, const lf_preset_opts *opts,
                         lf_error *err)
{
    *out = NULL;
    const preset_def *def = name ? find_def(name) : NULL;
    if (!def)
        return lf_errorf(err, LF_EUSAGE, "unknown preset '%s' (hubspot, salesforce)",
                         name ? name : "");
    lf_preset *p = calloc(1, sizeof *p);
    if (!p)
        return oom(err);
    p->def = def;
    p->o = *opts;
    lf_buf_init(&p->out, 0);
    lf_buf_init(&p->msg, 0);
    lf_buf_init(&p->shown[0], 0);
    lf_buf_init(&p->shown[1], 0);
    p->csv = lf_csv_new(opts->read, opts->read_ctx, 1 << 16, MAX_FIELD);
    if (!p->csv) {
        lf_preset_free(p);
        return oom(err);
    }
    *out = p;
    return LF_OK;
}

lf_record_source lf_preset_source(lf_preset *p)
{
    return (lf_record_source){.next = preset_next, .ctx = p};
}

int64_t lf_preset_warnings(const lf_preset *p)
{
    return p->warnings;
}

void lf_preset_free(lf_preset *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->nin; i++) {
        free(p->in_name ? p->in_name[i] : NULL);
        free(p->attr ? p->attr[i] : NULL);
    }
    free(p->in_name);
    free(p->attr);
    free(p->spec_col);
    free(p->off);
    free(p->fields);
    free(p->lens);
    lf_buf_release(&p->out);
    lf_buf_release(&p->msg);
    lf_buf_release(&p->shown[0]);
    lf_buf_release(&p->shown[1]);
    lf_csv_free(p->csv);
    free(p);
}
