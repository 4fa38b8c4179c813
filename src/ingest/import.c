/*
 * import.c — CSV rows -> validated store rows (SPEC §2), then lifecycle replay.
 *
 * Place in the flow: CSV file -> [import: map columns, validate, reject] -> event
 * log (store) -> replay of touched leads -> derived state (store).
 *
 * Each file kind has a column table (name, required, slot). The header is matched
 * case-insensitively (surrounding spaces ignored); a missing required column makes
 * the whole file unusable (nothing imported, LF_EINPUT). Each data row is validated
 * completely before anything is written; a bad row is recorded in the rejects table
 * with its file, line and reason, and the import goes on.
 *
 * Durability (SPEC §1): records are read into a staging batch (up to BATCH rows or
 * BATCH_BYTES bytes) with no transaction open, so a slow input never holds the write
 * lock. A full batch is validated and written in one write transaction, which also
 * marks every lead it touched as pending (store.h). After the last batch the pending
 * leads are replayed (lf_replay_pending), each replay transaction clearing the marks
 * of the leads it wrote. Whatever stops the import, the store holds a prefix of whole
 * batches and a pending set naming exactly the leads still to replay; importing the
 * same input again skips the committed rows as duplicates and replays what is pending.
 * A cancel (Ctrl-C, SIGTERM) is honoured at the next record: the rows read so far are
 * written as a last batch and replayed, and stats->cancelled is set.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "leadflow/buf.h"
#include "leadflow/cond.h"
#include "leadflow/idmap.h"
#include "leadflow/import.h"
#include "leadflow/leadinfo.h"
#include "leadflow/replay.h"
#include "leadflow/lifecycle.h"
#include "leadflow/text.h"
#include "leadflow/testhook.h"

#define BATCH 20000                 /* rows per write transaction */
#define BATCH_BYTES (64u << 20)     /* or staged bytes, whichever comes first */
#define PROGRESS_EVERY 65536
#define MAX_FIELD (1u << 20)

enum { COL_MAX = 8 };

/* Column tables per kind (SPEC §2); a row's fields are addressed by their index here.
 * The one list of each kind's columns: maps and the help text read it through
 * lf_import_kind_spec_of. */
enum { L_ID, L_EMAIL, L_CREATED, L_SOURCE, L_ORIGIN, L_PERSONA, L__N };
static const lf_import_column lead_cols[] = {
    {"id", true, LF_FIELD_TEXT},      {"email", false, LF_FIELD_TEXT},
    {"created_at", true, LF_FIELD_INSTANT}, {"source", false, LF_FIELD_TEXT},
    {"origin", false, LF_FIELD_TEXT}, {"persona", false, LF_FIELD_TEXT},
};
enum { E_LEAD, E_TS, E_TYPE, E_DETAIL, E_AMOUNT, E_REASON, E_ID, E__N };
static const lf_import_column event_cols[] = {
    {"lead_id", true, LF_FIELD_TEXT},  {"ts", true, LF_FIELD_INSTANT},
    {"type", true, LF_FIELD_TEXT},     {"detail", false, LF_FIELD_TEXT},
    {"amount", false, LF_FIELD_TEXT},  {"reason", false, LF_FIELD_TEXT},
    {"id", false, LF_FIELD_TEXT},
};
enum { C_DATE, C_CHANNEL, C_AMOUNT, C__N };
static const lf_import_column cost_cols[] = {
    {"date", true, LF_FIELD_DATE}, {"channel", false, LF_FIELD_TEXT}, {"amount", true, LF_FIELD_TEXT}};
enum { T_DATE, T_CHANNEL, T_VISITORS, T__N };
static const lf_import_column traffic_cols[] = {
    {"date", true, LF_FIELD_DATE}, {"channel", false, LF_FIELD_TEXT},
    {"visitors", true, LF_FIELD_TEXT}};

static const lf_import_kind_spec kinds[] = {
    [LF_IMPORT_LEADS] = {"leads", lead_cols, L__N},
    [LF_IMPORT_EVENTS] = {"events", event_cols, E__N},
    [LF_IMPORT_COSTS] = {"costs", cost_cols, C__N},
    [LF_IMPORT_TRAFFIC] = {"traffic", traffic_cols, T__N},
};

const lf_import_kind_spec *lf_import_kind_spec_of(lf_import_kind kind)
{
    return (unsigned)kind < sizeof kinds / sizeof kinds[0] ? &kinds[kind] : NULL;
}

bool lf_import_kind_parse(const char *s, lf_import_kind *kind)
{
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (strcmp(s, kinds[i].name) == 0) {
            *kind = (lf_import_kind)i;
            return true;
        }
    return false;
}

/* A (date, channel) -> amount accumulator for costs and traffic of one file. */
typedef struct series_acc {
    lf_idmap index;   /* "date\x1fchannel" -> slot */
    double *amounts;
    char **keys;
    int64_t *rows;    /* rows of the file that add up to each slot */
    size_t n, cap;
} series_acc;

/* The records of one batch, copied out of the reader: fields (NUL-terminated) and raw
 * bytes live in `bytes`; a record whose CSV syntax was bad keeps the reader's reason. */
typedef struct staged_rec {
    long line;
    size_t nfields, first;    /* its fields are field_off/len[first .. first + nfields) */
    size_t raw_off, raw_len;
    size_t bad_off;           /* offset of the CSV error reason, SIZE_MAX if none */
} staged_rec;

typedef struct staging {
    lf_buf bytes;
    staged_rec *recs;
    size_t nrecs, recs_cap;
    size_t *field_off, *field_len;
    size_t nfields, fields_cap;
    char **fields;            /* scratch pointer arrays to hand a record to a row importer */
    size_t *lens;
    size_t width;
} staging;

typedef struct importer {
    lf_store *st;
    const lf_config *cfg;
    const lf_import_opts *opts;
    lf_import_stats *stats;
    lf_error *err;
    const lf_import_kind_spec *kind;
    int colmap[COL_MAX];      /* spec column -> CSV field index, -1 if absent */
    size_t nheader;
    char **header;            /* lower-cased header names */
    bool *is_attr;            /* leads: header field is an attribute */
    lf_attr *extra;           /* leads: scratch for the attributes of one row */
    lf_idmap leads;           /* events: lead id -> rowid */
    lf_idmap seen;            /* leads: ids seen in this file -> line */
    int64_t *touched;         /* leads touched by the batch being written */
    size_t ntouched, touched_cap;
    series_acc series;
    staging stage;
    lf_buf scratch, reason, type;
    lf_status msg_st;         /* the first failed append to a message (reason, a value
                                 shown in one): reported where the message is used */
    int64_t file_id;          /* the input's id in the store (events keep file and line) */
    /* events: parsed, waiting to be appended in one lf_store_event_append_batch (their
     * strings copied into queued_text, as offsets: the buffer moves as it grows) */
    lf_event_row *queued;
    size_t (*queued_off)[5];  /* ident, ext_id, type, detail, reason; SIZE_MAX = NULL */
    int64_t *queued_seq;
    size_t nqueued, queued_cap;
    lf_buf queued_text;
    /* leads: likewise for one lf_store_lead_upsert_batch */
    lf_lead_row *qleads;
    size_t (*qlead_off)[9];   /* the row's nine strings, as offsets into queued_text */
    lf_upsert *qlead_res;
    size_t nqleads, qleads_cap;
    int64_t first_seq;
    int64_t batches;          /* batches committed */
} importer;

/* --- helpers -------------------------------------------------------------------- */

static lf_status oom(lf_error *err)
{
    return lf_errorf(err, LF_ENOMEM, "out of memory");
}

/* Notes a lead whose derived state the batch being written makes stale. */
static lf_status touch(importer *im, int64_t lead)
{
    if (im->ntouched && im->touched[im->ntouched - 1] == lead)
        return LF_OK; /* the events of one lead usually come together */
    if (!lf_grow(&im->touched, &im->touched_cap, im->ntouched + 1, sizeof *im->touched))
        return LF_ENOMEM;
    im->touched[im->ntouched++] = lead;
    return LF_OK;
}

/* Records a rejected row and reports it. The reason is in im->reason. */
static lf_status reject(importer *im, const lf_csv_record *rec, long line)
{
    if (im->msg_st != LF_OK) /* the reason was cut short: no row is rejected for it */
        return oom(im->err);
    im->stats->rejected++;
    if (im->opts->on_reject)
        im->opts->on_reject(im->opts->ctx, im->opts->name, line, lf_buf_str(&im->reason));
    return lf_store_reject_add(im->st, im->kind->name, im->opts->name, line,
                               lf_buf_str(&im->reason), rec ? rec->raw : "",
                               rec ? rec->raw_len : 0, im->err);
}

static void set_reason(importer *im, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void set_reason(importer *im, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    lf_buf_reset(&im->reason);
    if (im->msg_st == LF_OK)
        im->msg_st = lf_buf_vaddf(&im->reason, fmt, ap);
    va_end(ap);
}

/* A field of the current record by spec column, or NULL when the column is absent
 * or the cell is empty. */
static const char *field(const importer *im, const lf_csv_record *rec, int col, size_t *len)
{
    int i = im->colmap[col];
    if (i < 0 || rec->lens[i] == 0) {
        if (len)
            *len = 0;
        return NULL;
    }
    if (len)
        *len = rec->lens[i];
    return rec->fields[i];
}

/* Quotes a value for a message, shortened to 60 bytes. */
static const char *shown(importer *im, const char *v, size_t n)
{
    lf_buf_reset(&im->scratch);
    lf_status st = lf_buf_add(&im->scratch, v, n > 60 ? 57 : n);
    if (st == LF_OK && n > 60)
        st = lf_buf_adds(&im->scratch, "...");
    if (im->msg_st == LF_OK)
        im->msg_st = st;
    return lf_buf_str(&im->scratch);
}

/* --- header ------------------------------------------------------------------------ */

/* Escapes a header name for a message: control bytes as \xNN, cut at 60 bytes. */
static const char *shown_name(importer *im, const char *v)
{
    lf_buf_reset(&im->scratch);
    size_t n = strlen(v);
    lf_status st = LF_OK;
    for (size_t i = 0; st == LF_OK && i < n && i < 60; i++) {
        unsigned char c = (unsigned char)v[i];
        if (c < 0x20 || c == 0x7f || c == '\\')
            st = lf_buf_addf(&im->scratch, "\\x%02x", c);
        else
            st = lf_buf_addc(&im->scratch, (char)c);
    }
    if (st == LF_OK && n > 60)
        st = lf_buf_adds(&im->scratch, "...");
    if (im->msg_st == LF_OK)
        im->msg_st = st;
    return lf_buf_str(&im->scratch);
}

/* The error for header field i, a duplicate of field `first` (0-based). */
static lf_status duplicate_column(importer *im, long line, size_t i, int64_t first)
{
    const char *name = shown_name(im, im->header[i]);
    if (im->msg_st != LF_OK)
        return oom(im->err);
    return lf_errorf(im->err, LF_EINPUT, "%s:%ld: duplicate column '%s' (columns %lld and %zu)",
                     im->opts->name, line, name, (long long)first + 1, i + 1);
}

/* The next record: from the caller's record source (a map, a preset) or the CSV
 * reader. */
static lf_status next_record(const importer *im, lf_csv *csv, lf_csv_record *rec,
                             lf_error *err)
{
    const lf_record_source *src = im->opts->source;
    return src ? src->next(src->ctx, rec, err) : lf_csv_next(csv, rec, err);
}

/* Matches the header: known columns by the kind's table, other names (leads only)
 * become attributes. Duplicates are found through one map of the names seen, so a
 * header of any width is checked in linear time. */
static lf_status read_header(importer *im, lf_csv *csv)
{
    lf_csv_record rec;
    lf_error cerr;
    lf_status r = next_record(im, csv, &rec, &cerr);
    if (r != LF_OK)
        return lf_errorf(im->err, r == LF_ENOMEM ? LF_ENOMEM : LF_EINPUT, "%s: header: %s",
                         im->opts->name, cerr.msg);
    if (rec.nfields == 0)
        return lf_errorf(im->err, LF_EINPUT, "%s: empty file (no header row)", im->opts->name);
    im->nheader = rec.nfields;
    im->header = calloc(rec.nfields, sizeof *im->header);
    im->is_attr = calloc(rec.nfields, sizeof *im->is_attr);
    im->extra = calloc(rec.nfields, sizeof *im->extra);
    if (!im->header || !im->is_attr || !im->extra)
        return oom(im->err);
    for (size_t c = 0; c < COL_MAX; c++)
        im->colmap[c] = -1;
    lf_idmap names;
    lf_idmap_init(&names);
    size_t nattrs = 0;
    r = LF_OK;
    for (size_t i = 0; r == LF_OK && i < rec.nfields; i++) {
        const char *f = rec.fields[i];
        size_t n = rec.lens[i];
        while (n && (*f == ' ' || *f == '\t'))
            f++, n--;
        while (n && (f[n - 1] == ' ' || f[n - 1] == '\t'))
            n--;
        if (!lf_utf8_valid(f, n, NULL) || memchr(f, '\0', n)) {
            r = lf_errorf(im->err, LF_EINPUT, "%s:%ld: header: invalid UTF-8 in column %zu",
                          im->opts->name, rec.line, i + 1);
            break;
        }
        im->header[i] = strndup(f, n);
        if (!im->header[i]) {
            r = oom(im->err);
            break;
        }
        lf_ascii_lower(im->header[i], n);
        if (n == 0)
            continue; /* an unnamed column is neither known nor an attribute */
        int64_t first;
        if (lf_idmap_get(&names, im->header[i], n, &first)) {
            r = duplicate_column(im, rec.line, i, first);
            break;
        }
        if (lf_idmap_put(&names, im->header[i], n, (int64_t)i) != LF_OK) {
            r = oom(im->err);
            break;
        }
        bool known = false;
        for (size_t c = 0; !known && c < im->kind->ncols; c++)
            if (strcmp(im->header[i], im->kind->cols[c].name) == 0) {
                im->colmap[c] = (int)i;
                known = true;
            }
        if (!known && im->opts->kind == LF_IMPORT_LEADS) {
            im->is_attr[i] = true;
            nattrs++;
        }
    }
    lf_idmap_release(&names);
    if (r != LF_OK)
        return r;
    if (nattrs > LF_LEAD_MAX_ATTRS)
        return lf_errorf(im->err, LF_EINPUT,
                         "%s:%ld: %zu attribute columns, leadflow keeps at most %d: remove the "
                         "columns you do not need",
                         im->opts->name, rec.line, nattrs, LF_LEAD_MAX_ATTRS);
    for (size_t c = 0; c < im->kind->ncols; c++)
        if (im->kind->cols[c].required && im->colmap[c] < 0)
            return lf_errorf(im->err, LF_EINPUT, "%s:%ld: missing required column '%s'",
                             im->opts->name, rec.line, im->kind->cols[c].name);
    return LF_OK;
}

/* Checks field count and UTF-8 of a record; on failure sets the reason. */
static bool row_shape_ok(importer *im, const lf_csv_record *rec)
{
    if (rec->nfields != im->nheader) {
        set_reason(im, "expected %zu fields, found %zu", im->nheader, rec->nfields);
        return false;
    }
    for (size_t i = 0; i < rec->nfields; i++) {
        size_t bad;
        if (!lf_utf8_valid(rec->fields[i], rec->lens[i], &bad)) {
            set_reason(im, "column '%s': invalid UTF-8 at byte %zu", im->header[i], bad + 1);
            return false;
        }
        if (memchr(rec->fields[i], '\0', rec->lens[i])) {
            set_reason(im, "column '%s': NUL byte in text", im->header[i]);
            return false;
        }
    }
    return true;
}

static bool parse_time_col(importer *im, const lf_csv_record *rec, int col, lf_time *t)
{
    size_t n;
    const char *v = field(im, rec, col, &n);
    const char *name = im->kind->cols[col].name;
    if (!v) {
        set_reason(im, "column '%s': empty", name);
        return false;
    }
    const lf_tz *tz = im->opts->tz ? im->opts->tz : im->cfg->tz;
    if (lf_time_parse(v, n, tz, t, NULL, NULL) != LF_OK) {
        set_reason(im, "column '%s': bad timestamp '%s'", name, shown(im, v, n));
        return false;
    }
    return true;
}

/* --- leads ------------------------------------------------------------------------ */

#define LEAD_BATCH 1000 /* leads a store call upserts */

/* The nine strings of a lead row, in the order of qlead_off. */
#define LEAD_STRINGS(r)                                                                   \
    {&(r)->id, &(r)->email, &(r)->source, &(r)->channel, &(r)->origin, &(r)->persona,     \
     &(r)->attrs_json, &(r)->origin_given, &(r)->persona_given}

static size_t queue_text(importer *im, const char *s, lf_status *st);

/* Upserts the queued leads in one store call and counts them: imported (and touched)
 * or duplicates (the same row was there). */
static lf_status flush_leads(importer *im)
{
    size_t n = im->nqleads;
    if (n == 0)
        return LF_OK; /* the queue's text may be the events' */
    im->nqleads = 0;
    for (size_t i = 0; i < n; i++) {
        const char **to[9] = LEAD_STRINGS(&im->qleads[i]);
        for (int k = 0; k < 9; k++)
            *to[k] = im->qlead_off[i][k] == SIZE_MAX
                         ? NULL
                         : im->queued_text.data + im->qlead_off[i][k];
    }
    lf_status r = lf_store_lead_upsert_batch(im->st, im->qleads, n, im->qlead_res, im->err);
    lf_buf_reset(&im->queued_text);
    for (size_t i = 0; r == LF_OK && i < n; i++) {
        if (im->qlead_res[i] == LF_UPSERT_SAME) {
            im->stats->duplicates++;
            continue;
        }
        im->stats->imported++;
        if (touch(im, im->qleads[i].rowid) != LF_OK)
            r = oom(im->err);
    }
    return r;
}

/* Queues a lead for flush_leads (at LEAD_BATCH and at the end of the batch's records). */
static lf_status queue_lead(importer *im, const lf_lead_row *row)
{
    void *const arrs[] = {&im->qleads, &im->qlead_off, &im->qlead_res};
    const size_t elems[] = {sizeof *im->qleads, sizeof *im->qlead_off, sizeof *im->qlead_res};
    if (!lf_grow_parallel(&im->qleads_cap, im->nqleads + 1, 3, arrs, elems))
        return oom(im->err);
    size_t i = im->nqleads;
    lf_status st = LF_OK;
    im->qleads[i] = *row;
    const char *const *from[9] = LEAD_STRINGS(row);
    for (int k = 0; k < 9; k++)
        im->qlead_off[i][k] = queue_text(im, *from[k], &st);
    if (st != LF_OK)
        return oom(im->err);
    im->nqleads++;
    return im->nqleads >= LEAD_BATCH ? flush_leads(im) : LF_OK;
}

static lf_status import_lead(importer *im, const lf_csv_record *rec)
{
    size_t idn;
    const char *id = field(im, rec, L_ID, &idn);
    if (!id) {
        set_reason(im, "column 'id': empty");
        return reject(im, rec, rec->line);
    }
    int64_t first_line;
    if (lf_idmap_get(&im->seen, id, idn, &first_line)) {
        set_reason(im, "duplicate id '%s' (first at line %lld)", shown(im, id, idn),
                   (long long)first_line);
        return reject(im, rec, rec->line);
    }
    lf_time created;
    if (!parse_time_col(im, rec, L_CREATED, &created))
        return reject(im, rec, rec->line);
    /* origin: column, else sources rule, else marketing */
    char originbuf[16];
    size_t on;
    const char *origin_in = field(im, rec, L_ORIGIN, &on);
    const char *origin = NULL;
    if (origin_in) {
        if (on < sizeof originbuf) {
            memcpy(originbuf, origin_in, on);
            originbuf[on] = '\0';
            lf_ascii_lower(originbuf, on);
        }
        if (on >= sizeof originbuf ||
            (strcmp(originbuf, "marketing") != 0 && strcmp(originbuf, "sales") != 0)) {
            set_reason(im, "column 'origin': must be 'marketing' or 'sales', not '%s'",
                       shown(im, origin_in, on));
            return reject(im, rec, rec->line);
        }
        origin = originbuf;
    }
    /* channel, origin, persona and the attributes: see leadflow/leadinfo.h */
    json_t *attrs = json_object();
    lf_attr *extra = im->extra; /* one per attribute column (read_header) */
    size_t nextra = 0;
    for (size_t i = 0; attrs && i < rec->nfields; i++) {
        if (!im->is_attr[i] || rec->lens[i] == 0)
            continue;
        json_object_set_new(attrs, im->header[i], json_stringn(rec->fields[i], rec->lens[i]));
        extra[nextra++] = (lf_attr){im->header[i], rec->fields[i]};
    }
    lf_lead_facts f = {
        .email = field(im, rec, L_EMAIL, NULL), .source = field(im, rec, L_SOURCE, NULL),
        .origin_given = origin, .persona_given = field(im, rec, L_PERSONA, NULL),
        .extra = extra, .nextra = nextra,
    };
    char *attrs_json = attrs ? json_dumps(attrs, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(attrs);
    if (!attrs_json)
        return oom(im->err);
    if (lf_lead_classify(im->cfg, &f, im->err) != LF_OK) {
        free(attrs_json);
        lf_lead_facts_release(&f);
        return LF_ENOMEM;
    }
    lf_lead_row row = {
        .id = id, .email = f.email, .created_at = created, .source = f.source,
        .channel = f.channel, .origin = f.origin, .persona = f.persona,
        .attrs_json = attrs_json, .origin_given = origin, .persona_given = f.persona_given,
    };
    lf_status r = queue_lead(im, &row);
    free(attrs_json);
    lf_lead_facts_release(&f);
    if (r == LF_OK && lf_idmap_put(&im->seen, id, idn, rec->line) != LF_OK)
        r = oom(im->err);
    return r;
}

/* --- events ------------------------------------------------------------------------ */

static lf_status load_lead_ids_cb(void *ctx, const char *id, size_t len, int64_t rowid)
{
    return lf_idmap_put(ctx, id, len, rowid);
}

/* In the caller's transaction (opts->in_txn), the lead ids are not loaded up front
 * (a small request would read every id): a lead is looked up by id when an event names
 * it, in the transaction, so leads an earlier import of the same transaction wrote are
 * found, and remembered. The field is NUL-terminated (staged). */
static bool lead_lookup(importer *im, const char *id, size_t n, int64_t *lead)
{
    if (!im->opts->in_txn || strlen(id) != n)
        return false;
    bool found = false;
    if (lf_store_lead_rowid(im->st, id, lead, &found, NULL) != LF_OK || !found)
        return false;
    return lf_idmap_put(&im->leads, id, n, *lead) == LF_OK;
}

/* Appends "<len>:<bytes>|" so that no field content can fake a separator; after a
 * failed append (st != LF_OK on entry) appends nothing. Returns the status. */
static lf_status ident_part(lf_buf *b, lf_status st, const char *v, size_t n)
{
    if (st == LF_OK)
        st = lf_buf_addf(b, "%zu:", n);
    if (st == LF_OK && n)
        st = lf_buf_add(b, v, n);
    if (st == LF_OK)
        st = lf_buf_addc(b, '|');
    return st;
}

#define EVENT_BATCH 1000 /* events a store call appends */

/* Whether an imported event can change its lead's derived state. Without scoring an
 * activity changes none of it (lifecycle.c: an activity only feeds the scorer; it is
 * never ignored, never closes or opens anything, and no transition or handoff refers
 * to it), so its lead is neither marked nor replayed for it: a stream of page views
 * costs no replay. With scoring every event counts. */
static bool changes_state(const importer *im, const lf_event_row *ev)
{
    return ev->kind != LF_EV_ACTIVITY || im->cfg->scoring.enabled;
}

/* Appends the queued events in one store call and counts them: imported (and their
 * leads touched when changes_state) or duplicates. */
static lf_status flush_events(importer *im)
{
    size_t n = im->nqueued;
    if (n == 0)
        return LF_OK; /* the queue's text may be the leads' */
    im->nqueued = 0;
    for (size_t i = 0; i < n; i++) {
        const char **to[5] = {&im->queued[i].ident, &im->queued[i].ext_id,
                              &im->queued[i].type, &im->queued[i].detail,
                              &im->queued[i].reason};
        for (int k = 0; k < 5; k++)
            *to[k] = im->queued_off[i][k] == SIZE_MAX
                         ? NULL
                         : im->queued_text.data + im->queued_off[i][k];
    }
    lf_status r = lf_store_event_append_batch(im->st, im->queued, n, im->queued_seq, im->err);
    lf_buf_reset(&im->queued_text);
    for (size_t i = 0; r == LF_OK && i < n; i++) {
        int64_t seq = im->queued_seq[i];
        if (!seq) {
            im->stats->duplicates++;
            continue;
        }
        if (!im->first_seq)
            im->first_seq = seq;
        im->stats->imported++;
        if (changes_state(im, &im->queued[i]) && touch(im, im->queued[i].lead) != LF_OK)
            r = oom(im->err);
    }
    return r;
}

/* Copies s into the queue's text; its offset, or SIZE_MAX for NULL. */
static size_t queue_text(importer *im, const char *s, lf_status *st)
{
    if (!s || *st != LF_OK)
        return SIZE_MAX;
    size_t off = im->queued_text.len;
    if ((*st = lf_buf_adds(&im->queued_text, s)) == LF_OK)
        *st = lf_buf_addc(&im->queued_text, '\0');
    return off;
}

/* Queues an event for flush_events (which runs at EVENT_BATCH and at the end of the
 * batch's records, before its pending marks). */
static lf_status queue_event(importer *im, const lf_event_row *ev)
{
    void *const arrs[] = {&im->queued, &im->queued_off, &im->queued_seq};
    const size_t elems[] = {sizeof *im->queued, sizeof *im->queued_off, sizeof *im->queued_seq};
    if (!lf_grow_parallel(&im->queued_cap, im->nqueued + 1, 3, arrs, elems))
        return oom(im->err);
    size_t i = im->nqueued;
    lf_status st = LF_OK;
    im->queued[i] = *ev;
    const char *from[5] = {ev->ident, ev->ext_id, ev->type, ev->detail, ev->reason};
    for (int k = 0; k < 5; k++)
        im->queued_off[i][k] = queue_text(im, from[k], &st);
    if (st != LF_OK)
        return oom(im->err);
    im->nqueued++;
    return im->nqueued >= EVENT_BATCH ? flush_events(im) : LF_OK;
}

static lf_status import_event(importer *im, const lf_csv_record *rec)
{
    size_t ln, tn, dn, rn, an, idn;
    const char *lead_id = field(im, rec, E_LEAD, &ln);
    int64_t lead;
    if (!lead_id) {
        set_reason(im, "column 'lead_id': empty");
        return reject(im, rec, rec->line);
    }
    if (!lf_idmap_get(&im->leads, lead_id, ln, &lead) && !lead_lookup(im, lead_id, ln, &lead)) {
        set_reason(im, "unknown lead '%s'", shown(im, lead_id, ln));
        return reject(im, rec, rec->line);
    }
    lf_time ts;
    if (!parse_time_col(im, rec, E_TS, &ts))
        return reject(im, rec, rec->line);
    const char *type = field(im, rec, E_TYPE, &tn);
    if (!type) {
        set_reason(im, "column 'type': empty");
        return reject(im, rec, rec->line);
    }
    const char *amount_s = field(im, rec, E_AMOUNT, &an);
    double amount = 0;
    if (amount_s && !lf_parse_amount(amount_s, an, &amount)) {
        set_reason(im, "column 'amount': bad amount '%s'", shown(im, amount_s, an));
        return reject(im, rec, rec->line);
    }
    const char *detail = field(im, rec, E_DETAIL, &dn);
    const char *reason = field(im, rec, E_REASON, &rn);
    const char *ext_id = field(im, rec, E_ID, &idn);

    lf_buf_reset(&im->type);
    if (lf_buf_add(&im->type, type, tn) != LF_OK)
        return oom(im->err);
    char *ltype = im->type.data;
    lf_ascii_lower(ltype, tn);
    lf_buf *b = &im->scratch;
    lf_buf_reset(b);
    lf_status st = lf_buf_adds(b, ext_id ? "i:" : "c:");
    if (ext_id && st == LF_OK)
        st = lf_buf_add(b, ext_id, idn);
    if (!ext_id) {
        st = ident_part(b, st, lead_id, ln);
        if (st == LF_OK)
            st = lf_buf_addf(b, "%lld|", (long long)ts);
        st = ident_part(b, st, ltype, tn);
        st = ident_part(b, st, detail, dn);
        st = ident_part(b, st, amount_s, an);
        st = ident_part(b, st, reason, rn);
    }
    if (st != LF_OK)
        return oom(im->err);
    lf_event_row ev = {
        .lead = lead, .ident = lf_buf_str(b), .ext_id = ext_id, .ts = ts,
        .kind = (uint8_t)lf_event_kind_of(ltype, tn), .type = ltype, .detail = detail,
        .reason = reason, .amount = amount, .has_amount = amount_s != NULL,
        .file = im->file_id, .line = rec->line,
    };
    return queue_event(im, &ev);
}

/* --- costs and traffic ---------------------------------------------------------- */

static lf_status import_series_row(importer *im, const lf_csv_record *rec)
{
    bool costs = im->opts->kind == LF_IMPORT_COSTS;
    size_t dn, cn, an;
    const char *date = field(im, rec, C_DATE, &dn);
    const char *channel = field(im, rec, C_CHANNEL, &cn);
    const char *amount_s = field(im, rec, costs ? C_AMOUNT : T_VISITORS, &an);
    const char *amount_name = costs ? "amount" : "visitors";
    int32_t day;
    int y, m;
    if (!date || (lf_date_parse(date, dn, &day, NULL) != LF_OK &&
                  lf_month_parse(date, dn, &y, &m, NULL) != LF_OK)) {
        set_reason(im, "column 'date': bad date '%s' (expected YYYY-MM or YYYY-MM-DD)",
                   date ? shown(im, date, dn) : "");
        return reject(im, rec, rec->line);
    }
    double amount;
    if (!amount_s || !lf_parse_amount(amount_s, an, &amount) || (!costs && amount < 0)) {
        set_reason(im, "column '%s': bad %s '%s'", amount_name,
                   costs ? "amount" : "visitor count", amount_s ? shown(im, amount_s, an) : "");
        return reject(im, rec, rec->line);
    }
    lf_buf *k = &im->scratch;
    lf_buf_reset(k);
    lf_status st = lf_buf_add(k, date, dn);
    if (st == LF_OK)
        st = lf_buf_addc(k, '\x1f');
    size_t off = k->len;
    if (st == LF_OK)
        st = channel ? lf_buf_add(k, channel, cn) : lf_buf_adds(k, "all");
    if (st != LF_OK)
        return oom(im->err);
    if (channel)
        lf_ascii_lower(k->data + off, cn);
    series_acc *s = &im->series;
    int64_t slot;
    if (lf_idmap_get(&s->index, k->data, k->len, &slot)) {
        s->amounts[slot] += amount;
        s->rows[slot]++;
    } else {
        void *const arrs[] = {&s->amounts, &s->keys, &s->rows};
        const size_t elems[] = {sizeof *s->amounts, sizeof *s->keys, sizeof *s->rows};
        if (!lf_grow_parallel(&s->cap, s->n + 1, 3, arrs, elems))
            return oom(im->err);
        s->keys[s->n] = strdup(k->data);
        if (!s->keys[s->n] || lf_idmap_put(&s->index, k->data, k->len, (int64_t)s->n) != LF_OK)
            return oom(im->err);
        s->rows[s->n] = 1;
        s->amounts[s->n++] = amount;
    }
    return LF_OK; /* counted as imported or duplicate when flushed */
}

static lf_status flush_series(importer *im)
{
    series_acc *s = &im->series;
    lf_series which = im->opts->kind == LF_IMPORT_COSTS ? LF_SERIES_COSTS : LF_SERIES_TRAFFIC;
    for (size_t i = 0; i < s->n; i++) {
        char *sep = strchr(s->keys[i], '\x1f');
        *sep = '\0';
        bool changed = false;
        lf_status r = lf_store_series_set(im->st, which, s->keys[i], sep + 1, s->amounts[i],
                                    &changed, im->err);
        *sep = '\x1f';
        if (r != LF_OK)
            return r;
        /* the rows of an amount the store already held changed nothing */
        if (changed)
            im->stats->imported += s->rows[i];
        else
            im->stats->duplicates += s->rows[i];
    }
    return LF_OK;
}

/* --- driver ------------------------------------------------------------------------ */

/* Counts the bytes the CSV reader pulls, for throughput figures. */
typedef struct counting_reader {
    lf_csv_read_fn read;
    void *ctx;
    uint64_t bytes;
} counting_reader;

static size_t counting_read(void *ctx, char *buf, size_t n)
{
    counting_reader *c = ctx;
    size_t got = c->read(c->ctx, buf, n);
    if (got != (size_t)-1)
        c->bytes += got;
    return got;
}

/* --- staging ---------------------------------------------------------------------- */

/* Copies a record (or, with bad != NULL, a record the reader rejected) into the batch. */
static lf_status stage_add(staging *sg, const lf_csv_record *rec, const char *bad)
{
    size_t nf = bad ? 0 : rec->nfields;
    void *const fields[] = {&sg->field_off, &sg->field_len};
    const size_t elems[] = {sizeof *sg->field_off, sizeof *sg->field_len};
    if (!lf_grow(&sg->recs, &sg->recs_cap, sg->nrecs + 1, sizeof *sg->recs) ||
        !lf_grow_parallel(&sg->fields_cap, sg->nfields + nf, 2, fields, elems))
        return LF_ENOMEM;
    staged_rec *r = &sg->recs[sg->nrecs];
    *r = (staged_rec){.line = rec->line, .nfields = nf, .first = sg->nfields,
                      .raw_len = rec->raw_len, .bad_off = SIZE_MAX};
    lf_status s = LF_OK;
    for (size_t i = 0; i < nf; i++) {
        sg->field_off[sg->nfields + i] = sg->bytes.len;
        sg->field_len[sg->nfields + i] = rec->lens[i];
        if (lf_buf_add(&sg->bytes, rec->fields[i], rec->lens[i]) != LF_OK ||
            lf_buf_addc(&sg->bytes, '\0') != LF_OK)
            s = LF_ENOMEM;
    }
    r->raw_off = sg->bytes.len;
    if (lf_buf_add(&sg->bytes, rec->raw ? rec->raw : "", rec->raw_len) != LF_OK ||
        lf_buf_addc(&sg->bytes, '\0') != LF_OK)
        s = LF_ENOMEM;
    if (bad) {
        r->bad_off = sg->bytes.len;
        if (lf_buf_adds(&sg->bytes, bad) != LF_OK || lf_buf_addc(&sg->bytes, '\0') != LF_OK)
            s = LF_ENOMEM;
    }
    if (s != LF_OK)
        return s;
    sg->nfields += nf;
    sg->nrecs++;
    void *const scratch[] = {&sg->fields, &sg->lens};
    const size_t sizes[] = {sizeof *sg->fields, sizeof *sg->lens};
    return lf_grow_parallel(&sg->width, nf, 2, scratch, sizes) ? LF_OK : LF_ENOMEM;
}

static void stage_reset(staging *sg)
{
    lf_buf_reset(&sg->bytes);
    sg->nrecs = sg->nfields = 0;
}

static void stage_release(staging *sg)
{
    lf_buf_release(&sg->bytes);
    free(sg->recs);
    free(sg->field_off);
    free(sg->field_len);
    free(sg->fields);
    free(sg->lens);
}

/* Staged record i as a reader record (valid until the next stage_add). */
static lf_csv_record stage_record(staging *sg, size_t i)
{
    const staged_rec *r = &sg->recs[i];
    for (size_t k = 0; k < r->nfields; k++) {
        sg->fields[k] = sg->bytes.data + sg->field_off[r->first + k];
        sg->lens[k] = sg->field_len[r->first + k];
    }
    return (lf_csv_record){.nfields = r->nfields, .fields = sg->fields, .lens = sg->lens,
                           .line = r->line, .end_line = r->line,
                           .raw = sg->bytes.data + r->raw_off, .raw_len = r->raw_len};
}

/* Writes one staged record (validation included). */
static lf_status write_record(importer *im, size_t i)
{
    const staged_rec *sr = &im->stage.recs[i];
    lf_csv_record rec = stage_record(&im->stage, i);
    if (sr->bad_off != SIZE_MAX) {
        set_reason(im, "%s", im->stage.bytes.data + sr->bad_off);
        return reject(im, &rec, rec.line);
    }
    if (!row_shape_ok(im, &rec))
        return reject(im, &rec, rec.line);
    switch (im->opts->kind) {
    case LF_IMPORT_LEADS: return import_lead(im, &rec);
    case LF_IMPORT_EVENTS: return import_event(im, &rec);
    default: return import_series_row(im, &rec);
    }
}

/* Appends leads[0..n) to a caller's list (lf_import_opts.touched). */
static lf_status list_add(lf_lead_list *l, const int64_t *leads, size_t n, lf_error *err)
{
    if (!lf_grow(&l->ids, &l->cap, l->n + n, sizeof *l->ids))
        return oom(err);
    memcpy(l->ids + l->n, leads, n * sizeof *leads);
    l->n += n;
    return LF_OK;
}

/* Writes the staged batch in one write transaction, with the pending marks of the
 * leads it touched (costs and traffic are accumulated, and written by the last batch:
 * last = true). */
static lf_status flush_batch(importer *im, bool last)
{
    bool series = im->opts->kind == LF_IMPORT_COSTS || im->opts->kind == LF_IMPORT_TRAFFIC;
    if (!im->stage.nrecs && !(last && series && im->series.n))
        return LF_OK;
    bool own_txn = !im->opts->in_txn;
    lf_status r = own_txn ? lf_store_begin(im->st, im->err) : LF_OK;
    if (r != LF_OK)
        return r;
    lf_import_stats before = *im->stats;
    if (!im->file_id && im->opts->kind == LF_IMPORT_EVENTS)
        r = lf_store_file_id(im->st, im->opts->name, &im->file_id, im->err);
    im->ntouched = 0;
    im->nqueued = im->nqleads = 0;
    lf_buf_reset(&im->queued_text);
    for (size_t i = 0; r == LF_OK && i < im->stage.nrecs; i++)
        r = write_record(im, i);
    if (r == LF_OK)
        r = flush_events(im);
    if (r == LF_OK)
        r = flush_leads(im);
    if (r == LF_OK && last && series)
        r = flush_series(im);
    if (r == LF_OK && im->ntouched) {
        size_t n = lf_sort_unique_i64(im->touched, im->ntouched);
        r = im->opts->in_txn && im->opts->touched
                ? list_add(im->opts->touched, im->touched, n, im->err)
                : lf_store_pending_mark(im->st, im->touched, n, im->err);
    }
    if (own_txn && r == LF_OK)
        r = lf_store_commit(im->st, im->err);
    else if (own_txn)
        lf_store_rollback(im->st, NULL);
    if (r != LF_OK) { /* nothing of this batch stays: neither its rows nor its counts */
        int64_t read = im->stats->read;
        *im->stats = before;
        im->stats->read = read;
        return r;
    }
    im->stats->committed += (int64_t)im->stage.nrecs;
    stage_reset(&im->stage);
    if (own_txn)
        lf_test_kill_point("commit", ++im->batches);
    return LF_OK;
}

static void importer_release(importer *im)
{
    for (size_t i = 0; im->header && i < im->nheader; i++)
        free(im->header[i]);
    free(im->header);
    free(im->is_attr);
    free(im->extra);
    lf_idmap_release(&im->leads);
    lf_idmap_release(&im->seen);
    free(im->touched);
    for (size_t i = 0; i < im->series.n; i++)
        free(im->series.keys[i]);
    free(im->series.keys);
    free(im->series.amounts);
    free(im->series.rows);
    lf_idmap_release(&im->series.index);
    stage_release(&im->stage);
    lf_buf_release(&im->scratch);
    lf_buf_release(&im->reason);
    lf_buf_release(&im->type);
    free(im->queued);
    free(im->queued_off);
    free(im->queued_seq);
    free(im->qleads);
    free(im->qlead_off);
    free(im->qlead_res);
    lf_buf_release(&im->queued_text);
}

/* Removes "line N, " from a CSV reader message: the caller prints file:line itself. */
static const char *csv_reason(const char *msg)
{
    if (strncmp(msg, "line ", 5) == 0) {
        const char *c = strstr(msg, ", ");
        if (c)
            return c + 2;
    }
    return msg;
}

static lf_status count_ignored(void *ctx, const char *reason, int64_t count)
{
    lf_import_stats *stats = ctx;
    stats->ignored += count;
    if (stats->on_ignored)
        stats->on_ignored(stats->ctx, reason, count);
    return LF_OK;
}

/* Adds what was committed to a store error's message, so the user knows where the
 * import stands. */
static lf_status store_failure(const lf_import_opts *opts, const lf_import_stats *stats,
                               lf_status r, lf_error *err)
{
    if (r != LF_ESTORE || !err)
        return r;
    char msg[sizeof err->msg];
    memcpy(msg, err->msg, sizeof msg);
    return lf_errorf(err, r,
                     "%s: %s; %lld row%s of this input %s committed before the error: run the "
                     "same import again when the cause is fixed",
                     opts->name, msg, (long long)stats->committed,
                     stats->committed == 1 ? "" : "s", stats->committed == 1 ? "was" : "were");
}

lf_status lf_import(lf_store *st, const lf_config *cfg, const lf_import_opts *opts,
                    lf_import_stats *stats, lf_error *err)
{
    void (*on_ignored)(void *, const char *, int64_t) = stats->on_ignored;
    void *ictx = stats->ctx;
    memset(stats, 0, sizeof *stats);
    stats->on_ignored = on_ignored;
    stats->ctx = ictx;
    importer im = {.st = st, .cfg = cfg, .opts = opts, .stats = stats, .err = err,
                   .kind = &kinds[opts->kind]};
    lf_idmap_init(&im.leads);
    lf_idmap_init(&im.seen);
    lf_idmap_init(&im.series.index);
    lf_buf_init(&im.stage.bytes, 0);
    lf_buf_init(&im.scratch, 0);
    lf_buf_init(&im.reason, 0);
    lf_buf_init(&im.type, 0);
    lf_buf_init(&im.queued_text, 0);
    counting_reader cr = {opts->read, opts->read_ctx, 0};
    lf_csv *csv = opts->source ? NULL : lf_csv_new(counting_read, &cr, 1 << 16, MAX_FIELD);
    lf_status r = csv || opts->source ? LF_OK : oom(err);
    if (r == LF_OK)
        r = read_header(&im, csv);
    if (r == LF_OK && opts->kind == LF_IMPORT_EVENTS && !opts->in_txn)
        r = lf_store_lead_ids(st, load_lead_ids_cb, &im.leads, err);
    bool store_failed = false; /* a write failed: no further write is tried */
    while (r == LF_OK) {
        if (opts->cancel && opts->cancel(opts->ctx)) {
            stats->cancelled = true;
            break;
        }
        lf_csv_record rec;
        lf_error cerr;
        lf_status cs = next_record(&im, csv, &rec, &cerr);
        if (cs == LF_OK && rec.nfields == 0)
            break;
        if (cs != LF_OK && cs != LF_EINPUT) {
            if (opts->cancel && opts->cancel(opts->ctx)) { /* a read cut short by the signal */
                stats->cancelled = true;
                break;
            }
            r = lf_errorf(err, cs, "%s: %s", opts->name, cerr.msg);
            break;
        }
        stats->read++;
        r = stage_add(&im.stage, &rec, cs == LF_EINPUT ? csv_reason(cerr.msg) : NULL);
        if (r != LF_OK) {
            r = oom(err);
            break;
        }
        lf_test_kill_point("rows", stats->read);
        if (im.stage.nrecs >= BATCH || im.stage.bytes.len >= BATCH_BYTES)
            store_failed = (r = flush_batch(&im, false)) != LF_OK;
        if (opts->on_progress && stats->read % PROGRESS_EVERY == 0)
            opts->on_progress(opts->ctx, opts->name, stats->read, cr.bytes, false);
    }
    /* the rows read so far are a last batch, also when cancelled or after a read error
     * (every staged record is whole); then the replay of what is pending */
    lf_status w = store_failed ? LF_OK : flush_batch(&im, r == LF_OK);
    if (!store_failed && w == LF_OK && !opts->in_txn)
        w = lf_replay_pending(st, cfg, NULL, err);
    stats->first_seq = im.first_seq;
    if (w == LF_OK && opts->kind == LF_IMPORT_EVENTS && im.first_seq && !opts->in_txn)
        w = lf_store_ignored_counts(st, im.first_seq, count_ignored, stats, err);
    if (w != LF_OK) /* a store failure outranks an input error */
        r = w;
    stats->bytes = cr.bytes;
    if (opts->on_progress)
        opts->on_progress(opts->ctx, opts->name, stats->read, cr.bytes, true);
    lf_csv_free(csv);
    importer_release(&im);
    r = store_failure(opts, stats, r, err);
    if (r == LF_OK && stats->rejected)
        return lf_errorf(err, LF_EINPUT, "%s: %lld row%s rejected", opts->name,
                         (long long)stats->rejected, stats->rejected == 1 ? "" : "s");
    return r;
}
