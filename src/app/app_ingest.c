/*
 * app_ingest.c — API items (SPEC §8 "Ingest") through the CSV importer, grouped.
 *
 * Place in the flow: HTTP JSON -> [parse: records in the kind's CSV layout] -> import
 * (lf_import, in the caller's transaction) -> event log -> one commit for a group of
 * requests -> replay of the pending leads -> each request's counts.
 *
 * Parsing happens on the request's own thread and reads nothing from the store; it
 * is bounded: nesting is checked on the raw bytes before jansson sees them (jansson
 * has no depth limit), UTF-8 is checked on the whole body, items and columns are
 * counted. Each item becomes one record; its values are the strings as given and the
 * numbers as their JSON text (integers exactly, other numbers with 15 significant
 * digits: "1.5", "1234.56"). An item the importer cannot take as a record (not an
 * object, a value that is an object, array, boolean or null, two keys naming one
 * column) is handed to it as a record that failed to parse, so it is rejected and
 * recorded like a CSV row with a syntax error: with its index and the reason.
 *
 * Invariant: every request of a group is committed, or none is; the counts of a
 * request are those its own items produced (the importer runs once per request, in
 * order, so its events have a contiguous run of seqs).
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "leadflow/app_handoffs.h"
#include "leadflow/app_ingest.h"
#include "leadflow/idmap.h"
#include "leadflow/import.h"
#include "leadflow/replay.h"
#include "leadflow/store.h"
#include "leadflow/testhook.h"
#include "leadflow/text.h"
#include "leadflow/time.h"

#define MAX_COLS 4096
#define RAW_MAX 4096 /* bytes of an item kept as its raw text in the rejects table */

typedef struct ing_cell {
    uint32_t col;
    size_t off, len;
} ing_cell;

typedef struct ing_item {
    size_t cell0, ncells;
    size_t raw_off, raw_len;
    size_t bad_off; /* SIZE_MAX: none */
} ing_item;

typedef struct ing_req {
    lf_buf bytes;           /* values, raw texts, reasons (offsets: the buffer moves) */
    char **cols;            /* header names, lower case, owned */
    size_t ncols, cols_cap;
    lf_idmap colmap;        /* name -> index */
    ing_item *items;
    size_t nitems, items_cap;
    ing_cell *cells;
    size_t ncells, cells_cap;
    /* the record source's position and scratch */
    size_t pos;
    char **fields;
    size_t *lens;
    int32_t *seen;          /* per column: the last item that set it (cols_cap long) */
} ing_req;

static lf_status oom(lf_error *err)
{
    return lf_errorf(err, LF_ENOMEM, "out of memory");
}

/* --- parsing ------------------------------------------------------------------------ */

/* Whether the nesting of arrays and objects stays within max, brackets inside strings
 * apart; one pass over the bytes. */
static bool depth_ok(const char *s, size_t n, int max)
{
    int depth = 0;
    bool in_str = false, esc = false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (in_str) {
            if (esc)
                esc = false;
            else if (c == '\\')
                esc = true;
            else if (c == '"')
                in_str = false;
        } else if (c == '"') {
            in_str = true;
        } else if (c == '[' || c == '{') {
            if (++depth > max)
                return false;
        } else if ((c == ']' || c == '}') && depth > 0) {
            depth--;
        }
    }
    return true;
}

/* q->seen follows q->cols to its new capacity (from old_cap), the new entries -1. */
static bool grow_seen(ing_req *q, size_t old_cap)
{
    int32_t *p = realloc(q->seen, q->cols_cap * sizeof *p);
    if (!p)
        return false;
    for (size_t i = old_cap; i < q->cols_cap; i++)
        p[i] = -1;
    q->seen = p;
    return true;
}

/* The index of column name (lower-cased, trimmed), added when new; -1 when too many. */
static long column_of(ing_req *q, const char *key, lf_status *st)
{
    size_t n = strlen(key);
    while (n && (key[n - 1] == ' ' || key[n - 1] == '\t'))
        n--;
    while (n && (*key == ' ' || *key == '\t'))
        key++, n--;
    char *name = strndup(key, n);
    if (!name) {
        *st = LF_ENOMEM;
        return -1;
    }
    lf_ascii_lower(name, n);
    int64_t col;
    if (lf_idmap_get(&q->colmap, name, n, &col)) {
        free(name);
        return (long)col;
    }
    if (q->ncols >= MAX_COLS) {
        free(name);
        return -1;
    }
    size_t cap = q->cols_cap;
    if (!lf_grow(&q->cols, &q->cols_cap, q->ncols + 1, sizeof *q->cols) ||
        (q->cols_cap != cap && !grow_seen(q, cap)) ||
        lf_idmap_put(&q->colmap, name, n, (int64_t)q->ncols) != LF_OK) {
        free(name);
        *st = LF_ENOMEM;
        return -1;
    }
    q->cols[q->ncols] = name;
    return (long)q->ncols++;
}

/* Appends bytes and a NUL to the buffer; *off = where they start. */
static lf_status put_bytes(ing_req *q, const char *s, size_t n, size_t *off)
{
    *off = q->bytes.len;
    lf_status st = lf_buf_add(&q->bytes, s, n);
    return st == LF_OK ? lf_buf_addc(&q->bytes, '\0') : st;
}

/* Marks the item bad with reason (a column name quoted in it when col >= 0). */
static lf_status bad_item(ing_req *q, ing_item *it, const char *reason, long col)
{
    char msg[160];
    if (col >= 0)
        snprintf(msg, sizeof msg, "column '%.60s': %s", q->cols[col], reason);
    else
        snprintf(msg, sizeof msg, "%s", reason);
    return put_bytes(q, msg, strlen(msg), &it->bad_off);
}

/* One value of an item as a cell's text into buf; false for another JSON type. */
static bool value_text(json_t *v, char *buf, size_t size, const char **s, size_t *n)
{
    if (json_is_string(v)) {
        *s = json_string_value(v);
        *n = json_string_length(v);
    } else if (json_is_integer(v)) {
        *n = (size_t)snprintf(buf, size, "%lld", (long long)json_integer_value(v));
        *s = buf;
    } else if (json_is_real(v)) {
        *n = (size_t)snprintf(buf, size, "%.15g", json_real_value(v));
        *s = buf;
    } else {
        return false;
    }
    return true;
}

/* The cells of an object item; a bad key or value marks the item bad (no error). */
static lf_status item_cells(ing_req *q, ing_item *it, json_t *obj)
{
    const char *key;
    json_t *v;
    lf_status st = LF_OK;
    json_object_foreach(obj, key, v) {
        long col = column_of(q, key, &st);
        if (col < 0)
            return st != LF_OK ? st : bad_item(q, it, "more than 4096 columns", -1);
        if (q->seen[col] == (int32_t)q->nitems)
            return bad_item(q, it, "given twice (keys differing in case)", col);
        q->seen[col] = (int32_t)q->nitems;
        char num[64];
        const char *s;
        size_t n;
        if (!value_text(v, num, sizeof num, &s, &n))
            return bad_item(q, it, "not a string or a number", col);
        if (!lf_grow(&q->cells, &q->cells_cap, q->ncells + 1, sizeof *q->cells))
            return LF_ENOMEM;
        ing_cell *c = &q->cells[q->ncells];
        c->col = (uint32_t)col;
        c->len = n;
        if ((st = put_bytes(q, s, n, &c->off)) != LF_OK)
            return st;
        q->ncells++;
        it->ncells++;
    }
    return LF_OK;
}

/* Adds one item (any JSON value) as the next record. */
static lf_status add_item(ing_req *q, json_t *v)
{
    if (!lf_grow(&q->items, &q->items_cap, q->nitems + 1, sizeof *q->items))
        return LF_ENOMEM;
    ing_item *it = &q->items[q->nitems];
    *it = (ing_item){.cell0 = q->ncells, .bad_off = SIZE_MAX};
    char *raw = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    if (!raw)
        return LF_ENOMEM;
    size_t rn = strlen(raw);
    it->raw_len = rn > RAW_MAX ? RAW_MAX : rn;
    lf_status st = put_bytes(q, raw, it->raw_len, &it->raw_off);
    free(raw);
    if (st == LF_OK && !json_is_object(v))
        st = bad_item(q, it, "item is not an object", -1);
    else if (st == LF_OK)
        st = item_cells(q, it, v);
    if (st == LF_OK)
        q->nitems++;
    return st;
}

/* Adds the kind's required columns no item had, so each item lacking one is rejected
 * for it on its own (an absent required column would make the whole input unusable). */
static lf_status add_required(ing_req *q, int kind)
{
    const lf_import_kind_spec *spec = lf_import_kind_spec_of((lf_import_kind)kind);
    lf_status st = LF_OK;
    for (size_t i = 0; spec && i < spec->ncols; i++)
        if (spec->cols[i].required && column_of(q, spec->cols[i].name, &st) < 0)
            return st != LF_OK ? st : LF_EINPUT;
    return LF_OK;
}

static lf_status parse_value(ing_req *q, const char *s, size_t n, bool top, lf_error *err)
{
    json_error_t je;
    json_t *root = json_loadb(s, n, JSON_REJECT_DUPLICATES, &je);
    if (!root)
        return lf_errorf(err, LF_EINPUT, "malformed JSON at line %d, column %d: %s", je.line,
                         je.column, je.text);
    lf_status st = LF_OK;
    if (top && json_is_array(root)) {
        size_t i;
        json_t *v;
        if (json_array_size(root) > LF_APP_INGEST_MAX_ITEMS)
            st = lf_errorf(err, LF_EINPUT, "more than %d items", LF_APP_INGEST_MAX_ITEMS);
        json_array_foreach(root, i, v) {
            if (st == LF_OK)
                st = add_item(q, v);
        }
    } else if (top && !json_is_object(root)) {
        st = lf_errorf(err, LF_EINPUT, "expected a JSON object or an array of objects");
    } else {
        st = add_item(q, root);
    }
    json_decref(root);
    return st;
}

/* NDJSON: one value a line, blank lines skipped. */
static lf_status parse_ndjson(ing_req *q, const char *s, size_t n, lf_error *err)
{
    size_t line = 0;
    for (size_t i = 0; i < n;) {
        const char *nl = memchr(s + i, '\n', n - i);
        size_t end = nl ? (size_t)(nl - s) : n;
        size_t a = i, b = end;
        line++;
        while (a < b && (s[a] == ' ' || s[a] == '\t' || s[a] == '\r'))
            a++;
        while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\t' || s[b - 1] == '\r'))
            b--;
        if (b > a) {
            if (q->nitems >= LF_APP_INGEST_MAX_ITEMS)
                return lf_errorf(err, LF_EINPUT, "more than %d items", LF_APP_INGEST_MAX_ITEMS);
            lf_status st = parse_value(q, s + a, b - a, false, err);
            if (st == LF_EINPUT) {
                char msg[sizeof err->msg];
                memcpy(msg, err->msg, sizeof msg);
                return lf_errorf(err, LF_EINPUT, "line %zu: %.900s", line, msg);
            }
            if (st != LF_OK)
                return st;
        }
        i = end + 1;
    }
    return LF_OK;
}

lf_status lf_app_ingest_parse(lf_app_ingest *in, int kind, const char *body, size_t len,
                              bool ndjson, lf_error *err)
{
    memset(in, 0, sizeof *in);
    in->kind = kind;
    ing_req *q = calloc(1, sizeof *q);
    if (!q)
        return oom(err);
    in->priv = q;
    lf_buf_init(&q->bytes, 0);
    lf_idmap_init(&q->colmap);
    size_t bad;
    if (!lf_utf8_valid(body, len, &bad))
        return lf_errorf(err, LF_EINPUT, "invalid UTF-8 at byte %zu", bad);
    if (!depth_ok(body, len, LF_APP_INGEST_MAX_DEPTH))
        return lf_errorf(err, LF_EINPUT, "JSON nested deeper than %d", LF_APP_INGEST_MAX_DEPTH);
    lf_status st = ndjson ? parse_ndjson(q, body, len, err) : parse_value(q, body, len, true, err);
    if (st == LF_OK)
        st = add_required(q, kind);
    if (st == LF_ENOMEM)
        return oom(err);
    return st;
}

size_t lf_app_ingest_items(const lf_app_ingest *in)
{
    const ing_req *q = in->priv;
    return q ? q->nitems : 0;
}

void lf_app_ingest_release(lf_app_ingest *in)
{
    ing_req *q = in->priv;
    if (q) {
        for (size_t i = 0; i < q->ncols; i++)
            free(q->cols[i]);
        free(q->cols);
        lf_idmap_release(&q->colmap);
        free(q->items);
        free(q->cells);
        free(q->fields);
        free(q->lens);
        free(q->seen);
        lf_buf_release(&q->bytes);
        free(q);
    }
    for (size_t i = 0; i < in->nrejects; i++)
        free(in->rejects[i].reason);
    free(in->rejects);
    for (size_t i = 0; i < in->nhandoffs; i++)
        free(in->handoffs[i].lead_id);
    free(in->handoffs);
    memset(in, 0, sizeof *in);
}

/* --- the record source ------------------------------------------------------------- */

/* The header, then each item as a record in the header's layout (line = the item's
 * index); an item marked bad comes as LF_EINPUT with its reason. */
static lf_status source_next(void *ctx, lf_csv_record *rec, lf_error *err)
{
    ing_req *q = ctx;
    memset(rec, 0, sizeof *rec);
    if (!q->fields) {
        q->fields = calloc(q->ncols ? q->ncols : 1, sizeof *q->fields);
        q->lens = calloc(q->ncols ? q->ncols : 1, sizeof *q->lens);
        if (!q->fields || !q->lens)
            return oom(err);
    }
    if (q->pos == 0) {
        for (size_t i = 0; i < q->ncols; i++) {
            q->fields[i] = q->cols[i];
            q->lens[i] = strlen(q->cols[i]);
        }
        *rec = (lf_csv_record){.nfields = q->ncols, .fields = q->fields, .lens = q->lens};
        q->pos++;
        return LF_OK;
    }
    if (q->pos > q->nitems)
        return LF_OK; /* nfields == 0: the end */
    size_t idx = q->pos++ - 1;
    const ing_item *it = &q->items[idx];
    char *base = q->bytes.data;
    static char empty[1];
    for (size_t i = 0; i < q->ncols; i++) {
        q->fields[i] = empty;
        q->lens[i] = 0;
    }
    for (size_t k = 0; k < it->ncells; k++) {
        const ing_cell *c = &q->cells[it->cell0 + k];
        q->fields[c->col] = base + c->off;
        q->lens[c->col] = c->len;
    }
    *rec = (lf_csv_record){.nfields = q->ncols, .fields = q->fields, .lens = q->lens,
                           .line = (long)idx, .end_line = (long)idx,
                           .raw = base + it->raw_off, .raw_len = it->raw_len};
    if (it->bad_off != SIZE_MAX)
        return lf_errorf(err, LF_EINPUT, "%s", base + it->bad_off);
    return LF_OK;
}

/* --- the group ------------------------------------------------------------------------ */

static void on_reject(void *ctx, const char *name, long line, const char *reason)
{
    (void)name;
    lf_app_ingest *in = ctx;
    if (!lf_grow(&in->rejects, &in->rejects_cap, in->nrejects + 1, sizeof *in->rejects))
        return;
    char *r = strdup(reason);
    if (!r)
        return;
    in->rejects[in->nrejects++] = (lf_app_ingest_reject){.index = (size_t)line, .reason = r};
}

/* Imports one request into the open transaction. A file-level problem (none should
 * remain once the required columns are in the header) rejects every item. */
static lf_status import_one(lf_workspace *ws, lf_app_ingest *in, int64_t *first_seq,
                            lf_lead_list *touched, lf_error *err)
{
    ing_req *q = in->priv;
    q->pos = 0;
    for (size_t i = 0; i < in->nrejects; i++) /* a group written again after a failure */
        free(in->rejects[i].reason);
    in->nrejects = 0;
    lf_record_source src = {source_next, q};
    lf_import_opts opts = {.kind = (lf_import_kind)in->kind, .name = "api", .source = &src,
                           .on_reject = on_reject, .ctx = in, .in_txn = true,
                           .touched = touched};
    lf_import_stats stats = {0};
    lf_status r = lf_import(ws->store, &ws->cfg, &opts, &stats, err);
    in->read = stats.read;
    in->imported = stats.imported;
    in->duplicates = stats.duplicates;
    in->rejected = stats.rejected;
    *first_seq = stats.first_seq;
    if (r == LF_EINPUT && stats.rejected == 0) {
        in->read = (int64_t)q->nitems;
        for (size_t i = 0; i < q->nitems; i++)
            on_reject(in, "api", (long)i, err->msg);
        in->rejected = (int64_t)q->nitems;
    }
    return r == LF_EINPUT ? LF_OK : r;
}

static lf_status sum_counts(void *ctx, const char *reason, int64_t count)
{
    (void)reason;
    *(int64_t *)ctx += count;
    return LF_OK;
}

/* Each request's ignored events: those with seq in its run [first, next first). */
static void count_ignored(lf_store *st, lf_app_ingest *const *reqs, const int64_t *first,
                          size_t n)
{
    int64_t after = 0; /* ignored events with seq >= the next request's first */
    for (size_t i = n; i-- > 0;) {
        if (!first[i])
            continue;
        int64_t total = 0;
        if (lf_store_ignored_counts(st, first[i], sum_counts, &total, NULL) != LF_OK)
            return;
        reqs[i]->ignored = total - after;
        after = total;
    }
}

/* --- handoffs a request opened ---------------------------------------------------------
 * A lead's handoffs after the request's events (seq below the next request's first)
 * whose mql_at none of its handoffs before them (seq below the request's first) had. */

typedef struct opened_ctx {
    lf_memreplay *m;
    const lf_config *cfg;
    lf_app_ingest *in;
    int64_t lo, hi;
    lf_event *evs;
    int64_t *seqs;
    size_t cap;
    lf_time *after; /* opened_lead: mql_at of the handoffs with the request's items */
    size_t nafter, after_cap;
} opened_ctx;

/* le with only the events of seq < bound, into o's arrays. */
static bool filtered(opened_ctx *o, const lf_lead_events *le, int64_t bound, lf_lead_events *out)
{
    void *const arrs[] = {&o->evs, &o->seqs};
    const size_t elems[] = {sizeof *o->evs, sizeof *o->seqs};
    if (!lf_grow_parallel(&o->cap, le->input.nevents + 1, 2, arrs, elems))
        return false;
    size_t k = 0;
    for (size_t i = 0; i < le->input.nevents; i++)
        if (le->seqs[i] < bound) {
            o->evs[k] = le->input.events[i];
            o->seqs[k++] = le->seqs[i];
        }
    *out = *le;
    out->input.events = o->evs;
    out->input.nevents = k;
    out->seqs = o->seqs;
    return true;
}

static lf_status opened_add(opened_ctx *o, const char *id, lf_time mql_at)
{
    lf_app_ingest *in = o->in;
    if (!lf_grow(&in->handoffs, &in->handoffs_cap, in->nhandoffs + 1, sizeof *in->handoffs))
        return LF_ENOMEM;
    char *lead = strdup(id);
    if (!lead)
        return LF_ENOMEM;
    in->handoffs[in->nhandoffs++] = (lf_app_ingest_handoff){
        .lead_id = lead, .mql_at = mql_at, .deadline = lf_app_sla_deadline(o->cfg, mql_at)};
    return LF_OK;
}

/* The handoffs of le's replay up to the request's items that its replay before them
 * did not have (by mql_at). The replay with them comes first: without a handoff there
 * (the common case: most events open nothing) the one before them is not needed. */
static lf_status opened_lead(void *ctx, const lf_lead_events *le, lf_error *err)
{
    opened_ctx *o = ctx;
    lf_lead_events sub;
    const lf_lead_state *ls;
    if (!filtered(o, le, o->hi, &sub))
        return oom(err);
    lf_status r = lf_memreplay_lead(o->m, &sub, &ls, err);
    if (r != LF_OK || ls->nhandoffs == 0)
        return r;
    if (!lf_grow(&o->after, &o->after_cap, ls->nhandoffs, sizeof *o->after))
        return oom(err);
    o->nafter = ls->nhandoffs;
    for (size_t i = 0; i < ls->nhandoffs; i++)
        o->after[i] = ls->handoffs[i].mql_at;
    if (!filtered(o, le, o->lo, &sub))
        return oom(err);
    if ((r = lf_memreplay_lead(o->m, &sub, &ls, err)) != LF_OK)
        return r;
    for (size_t i = 0; i < o->nafter; i++) {
        bool known = false;
        for (size_t k = 0; k < ls->nhandoffs && !known; k++)
            known = ls->handoffs[k].mql_at == o->after[i];
        if (!known && opened_add(o, le->row && le->row->id ? le->row->id : "", o->after[i]) !=
                          LF_OK)
            return oom(err);
    }
    return LF_OK;
}

/* The sorted distinct rowids of the leads the request's good items name. */
static lf_status request_leads(lf_store *st, const ing_req *q, int64_t **out, size_t *n)
{
    int64_t col;
    *out = NULL;
    *n = 0;
    if (!lf_idmap_get(&q->colmap, "lead_id", 7, &col))
        return LF_OK;
    size_t cap = 0;
    for (size_t i = 0; i < q->nitems; i++) {
        const ing_item *it = &q->items[i];
        for (size_t k = 0; it->bad_off == SIZE_MAX && k < it->ncells; k++) {
            const ing_cell *c = &q->cells[it->cell0 + k];
            int64_t rowid;
            bool found = false;
            if (c->col != (uint32_t)col ||
                lf_store_lead_rowid(st, q->bytes.data + c->off, &rowid, &found, NULL) != LF_OK ||
                !found)
                continue;
            if (!lf_grow(out, &cap, *n + 1, sizeof **out))
                return LF_ENOMEM;
            (*out)[(*n)++] = rowid;
        }
    }
    *n = lf_sort_unique_i64(*out, *n);
    return LF_OK;
}

/* Whether a request can open a handoff: without scoring only an `mql` event opens
 * one (SPEC §3), so a request without one is not replayed twice for nothing. */
static bool may_open(const lf_config *cfg, const ing_req *q)
{
    int64_t col;
    if (cfg->scoring.enabled)
        return true;
    if (!lf_idmap_get(&q->colmap, "type", 4, &col))
        return false;
    for (size_t i = 0; i < q->ncells; i++)
        if (q->cells[i].col == (uint32_t)col &&
            lf_ascii_ieq(q->bytes.data + q->cells[i].off, q->cells[i].len, "mql", 3))
            return true;
    return false;
}

/* Which requests may open a handoff, by lead: (lead, request) pairs sorted by lead, so
 * the group's replay, which reads each lead it replays anyway, serves them from that
 * read (opened_seen), and the pass after the commit (opened_rest) reads only the leads
 * the replay did not (a lead it did not replay, or no replay at all). Best effort, as
 * the items are committed with or without it: a failure leaves a list short. */
typedef struct opened_pair {
    int64_t lead;
    size_t req;
    bool done;
} opened_pair;

typedef struct opened_plan {
    opened_ctx o;
    lf_app_ingest *const *reqs;
    const int64_t *first; /* per request: its items' seqs are first <= seq < hi */
    int64_t *hi;
    opened_pair *p;
    size_t np, cap;
} opened_plan;

static int pair_cmp(const void *a, const void *b)
{
    const opened_pair *x = a, *y = b;
    if (x->lead != y->lead)
        return x->lead < y->lead ? -1 : 1;
    return x->req < y->req ? -1 : x->req > y->req;
}

static int pair_req_cmp(const void *a, const void *b)
{
    const opened_pair *x = a, *y = b;
    if (x->req != y->req)
        return x->req < y->req ? -1 : 1;
    return x->lead < y->lead ? -1 : x->lead > y->lead;
}

static void opened_plan_free(opened_plan *pl)
{
    lf_memreplay_free(pl->o.m);
    free(pl->o.evs);
    free(pl->o.seqs);
    free(pl->o.after);
    free(pl->hi);
    free(pl->p);
    memset(pl, 0, sizeof *pl);
}

/* The pairs of the group's events requests that may open a handoff (after their rows
 * are written: first[] known). On failure the plan is empty. */
static void opened_plan_make(lf_workspace *ws, lf_app_ingest *const *reqs, const int64_t *first,
                             size_t n, opened_plan *pl)
{
    memset(pl, 0, sizeof *pl);
    pl->o.cfg = &ws->cfg;
    pl->reqs = reqs;
    lf_error err;
    pl->first = first;
    if (!(pl->hi = calloc(n ? n : 1, sizeof *pl->hi)) ||
        lf_memreplay_new(&ws->cfg, &pl->o.m, &err) != LF_OK) {
        opened_plan_free(pl);
        return;
    }
    int64_t next = INT64_MAX; /* the first seq of the next request with rows */
    for (size_t i = n; i-- > 0;) {
        pl->hi[i] = next;
        if (first[i])
            next = first[i];
    }
    for (size_t i = 0; i < n; i++) {
        if (!first[i] || reqs[i]->kind != LF_IMPORT_EVENTS || !may_open(&ws->cfg, reqs[i]->priv))
            continue;
        int64_t *leads;
        size_t nleads;
        if (request_leads(ws->store, reqs[i]->priv, &leads, &nleads) != LF_OK ||
            !lf_grow(&pl->p, &pl->cap, pl->np + nleads, sizeof *pl->p)) {
            free(leads);
            opened_plan_free(pl);
            return;
        }
        for (size_t k = 0; k < nleads; k++)
            pl->p[pl->np++] = (opened_pair){.lead = leads[k], .req = i};
        free(leads);
    }
    if (pl->np)
        qsort(pl->p, pl->np, sizeof *pl->p, pair_cmp);
}

/* The replay's observer (lf_replay_in_txn): the lead's pairs, from the events it read.
 * Never fails the replay. */
static lf_status opened_seen(void *ctx, const lf_lead_events *le, lf_error *err)
{
    (void)err;
    opened_plan *pl = ctx;
    size_t a = 0, b = pl->np; /* the first pair of the lead */
    while (a < b) {
        size_t mid = a + (b - a) / 2;
        if (pl->p[mid].lead < le->lead)
            a = mid + 1;
        else
            b = mid;
    }
    lf_error ignored;
    for (; a < pl->np && pl->p[a].lead == le->lead; a++) {
        size_t i = pl->p[a].req;
        pl->o.in = pl->reqs[i];
        pl->o.lo = pl->first[i];
        pl->o.hi = pl->hi[i];
        opened_lead(&pl->o, le, &ignored);
        pl->p[a].done = true;
    }
    return LF_OK;
}

/* After the commit: the pairs the replay did not serve, a store scan a request. */
static void opened_rest(lf_workspace *ws, opened_plan *pl)
{
    size_t k = 0;
    for (size_t i = 0; i < pl->np; i++)
        if (!pl->p[i].done)
            pl->p[k++] = pl->p[i];
    if (!k)
        return;
    qsort(pl->p, k, sizeof *pl->p, pair_req_cmp);
    int64_t *leads = malloc(k * sizeof *leads);
    lf_error err;
    for (size_t i = 0; leads && i < k;) {
        size_t req = pl->p[i].req, nl = 0;
        for (; i < k && pl->p[i].req == req; i++)
            leads[nl++] = pl->p[i].lead;
        pl->o.in = pl->reqs[req];
        pl->o.lo = pl->first[req];
        pl->o.hi = pl->hi[req];
        lf_store_scan_events(ws->store, leads, nl, opened_lead, &pl->o, &err);
    }
    free(leads);
}

/* Empties each request's list of opened handoffs (a replay that found some failed). */
static void opened_clear(lf_app_ingest *const *reqs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        for (size_t k = 0; k < reqs[i]->nhandoffs; k++)
            free(reqs[i]->handoffs[k].lead_id);
        reqs[i]->nhandoffs = 0;
    }
}

/* --- timing (LEADFLOW_INGEST_TIMING=1: one line per group on stderr) ------------------ */

bool lf_app_ingest_timing(void)
{
    const char *v = getenv("LEADFLOW_INGEST_TIMING");
    return v && *v && strcmp(v, "0") != 0;
}

lf_status lf_app_ingest_open_writer(lf_workspace *ws, lf_error *err)
{
    lf_status r = lf_workspace_open(ws, err);
    if (r == LF_OK)
        r = lf_store_set_frequent_commits(ws->store, true, err);
    return r == LF_OK ? lf_store_set_auto_checkpoint(ws->store, false, err) : r;
}

lf_status lf_app_ingest_checkpoint(lf_workspace *ws, lf_error *err)
{
    lf_status r = lf_workspace_open(ws, err);
    return r == LF_OK ? lf_store_checkpoint(ws->store, err) : r;
}

lf_status lf_app_ingest_sync(lf_workspace *ws, lf_error *err)
{
    static int64_t syncs; /* one syncer thread a process */
    lf_test_kill_point("sync", ++syncs);
    lf_status r = lf_workspace_open(ws, err);
    return r == LF_OK ? lf_store_sync_log(ws->store, err) : r;
}

/* One write transaction for the whole group: every request's rows, then (with replay)
 * the replay of the leads they touched (no pending marks: the same commit) and of any
 * lead still pending; one durable commit. Without replay (after a failed one) the rows
 * are written with their marks. *replay_failed tells a failed replay from a failed
 * import or commit. */
static lf_status write_group(lf_workspace *ws, lf_app_ingest *const *reqs, size_t n,
                             int64_t *first, bool replay, int64_t *replayed,
                             bool *replay_failed, opened_plan *pl, int64_t t[2], lf_error *err)
{
    *replay_failed = false;
    lf_lead_list touched = {0};
    lf_status r = lf_store_begin(ws->store, err);
    for (size_t i = 0; r == LF_OK && i < n; i++)
        r = import_one(ws, reqs[i], &first[i], replay ? &touched : NULL, err);
    if (r == LF_OK)
        opened_plan_make(ws, reqs, first, n, pl);
    t[0] = lf_mono_usec();
    if (r == LF_OK && replay) {
        r = lf_replay_in_txn(ws->store, &ws->cfg, touched.ids, touched.n,
                             pl->np ? opened_seen : NULL, pl, replayed, err);
        *replay_failed = r != LF_OK;
    }
    free(touched.ids);
    t[1] = lf_mono_usec();
    if (r == LF_OK)
        return lf_store_commit(ws->store, err);
    lf_store_rollback(ws->store, NULL);
    return r;
}

static void group_failed(lf_app_ingest *const *reqs, size_t n, lf_status r, const lf_error *err)
{
    for (size_t i = 0; i < n; i++) {
        reqs[i]->status = r;
        reqs[i]->err = *err;
    }
}

lf_status lf_app_ingest_group(lf_workspace *ws, lf_app_ingest *const *reqs, size_t n,
                              lf_error *err)
{
    int64_t t[6] = {lf_mono_usec()}, replayed = 0;
    lf_status r = lf_workspace_open(ws, err);
    int64_t *first = calloc(n ? n : 1, sizeof *first);
    if (r == LF_OK && !first)
        r = oom(err);
    bool replay_failed = false;
    opened_plan pl = {0};
    if (r == LF_OK)
        r = write_group(ws, reqs, n, first, true, &replayed, &replay_failed, &pl, t + 1, err);
    if (replay_failed) { /* the rows without their replay: the pending marks stay, and
                          * readers (or the next group) replay them */
        replayed = 0;
        opened_clear(reqs, n);
        opened_plan_free(&pl);
        r = write_group(ws, reqs, n, first, false, &replayed, &replay_failed, &pl, t + 1, err);
    }
    t[3] = lf_mono_usec();
    if (r != LF_OK) {
        free(first);
        opened_plan_free(&pl);
        group_failed(reqs, n, r, err);
        return r;
    }
    if (replayed) /* else no event of the group was replayed, and none ignored */
        count_ignored(ws->store, reqs, first, n);
    t[4] = lf_mono_usec();
    opened_rest(ws, &pl);
    opened_plan_free(&pl);
    t[5] = lf_mono_usec();
    for (size_t i = 0; i < n; i++)
        reqs[i]->status = LF_OK;
    free(first);
    if (lf_app_ingest_timing()) {
        size_t items = 0;
        for (size_t i = 0; i < n; i++)
            items += lf_app_ingest_items(reqs[i]);
        fprintf(stderr,
                "ingest-timing reqs=%zu items=%zu import=%lld replay=%lld(%lld leads) commit=%lld "
                "ignored=%lld opened=%lld us\n",
                n, items, (long long)(t[1] - t[0]), (long long)(t[2] - t[1]),
                (long long)replayed, (long long)(t[3] - t[2]), (long long)(t[4] - t[3]),
                (long long)(t[5] - t[4]));
    }
    return LF_OK;
}
