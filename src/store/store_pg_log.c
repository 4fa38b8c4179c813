/*
 * store_pg_log.c — the event log of the PostgreSQL store (store_pg.c has the design):
 * input names, leads, events, rejected rows, spend and traffic, pending marks.
 *
 * A lead's id and an event's identity are unique through lead_keys and event_keys
 * (store_pg_schema.c): an insert there that conflicts does nothing, so of two writers
 * adding the same lead or event one adds it and the other finds it (after waiting for
 * the first one's commit, up to the lock timeout). Pending marks lock the leads' rows
 * first, in lead_id order.
 */
#include <stdlib.h>
#include <string.h>

#include "store_pg.h"

static const char q_file_add[] = "INSERT INTO files(name) VALUES($1) ON CONFLICT (name) DO NOTHING";
static const char q_file_get[] = "SELECT id FROM files WHERE name = $1";

lf_status lf_pg_file_id(lf_store *base, const char *name, int64_t *id, lf_error *err)
{
    pg_store *st = (pg_store *)base;
    pg_params p = {0};
    lf_pg_text(&p, name);
    lf_status s = lf_pg_run(st, "file_add", q_file_add, &p, NULL, err, "cannot record input name");
    if (s != LF_OK)
        return s;
    PGresult *r = lf_pg_exec(base, "file_get", q_file_get, &p, err, "cannot read input name");
    if (!r)
        return LF_ESTORE;
    bool ok = PQntuples(r) == 1;
    *id = ok ? lf_pg_int64(r, 0, 0) : 0;
    PQclear(r);
    return ok ? LF_OK : lf_errorf(err, LF_ESTORE, "store '%s': cannot read input name",
                                  st->location);
}

/* "{1,2,3}": an array parameter of leads[0..n). */
static lf_status int_array(pg_store *st, const int64_t *v, size_t n)
{
    lf_buf_reset(&st->arr);
    lf_status s = lf_buf_addc(&st->arr, '{');
    for (size_t i = 0; s == LF_OK && i < n; i++)
        s = lf_buf_addf(&st->arr, i ? ",%lld" : "%lld", (long long)v[i]);
    if (s == LF_OK)
        s = lf_buf_addc(&st->arr, '}');
    return s;
}

static const char q_lock_leads[] =
    "SELECT lead_id FROM leads WHERE lead_id = ANY($1::bigint[]) ORDER BY lead_id FOR UPDATE";
static const char q_lock_ws[] = "SELECT pg_advisory_xact_lock(7236026)";
static const char q_pending_add[] =
    "INSERT INTO pending(lead_id) SELECT unnest($1::bigint[]) ON CONFLICT DO NOTHING";

lf_status lf_pg_lock_lead(lf_store *base, int64_t lead, lf_error *err)
{
    pg_store *st = (pg_store *)base;
    if (lead == 0)
        return lf_pg_run(st, "lock_ws", q_lock_ws, NULL, NULL, err, "cannot lock the workspace");
    if (int_array(st, &lead, 1) != LF_OK)
        return lf_errorf(err, LF_ENOMEM, "out of memory");
    pg_params p = {0};
    lf_pg_text(&p, st->arr.data);
    return lf_pg_run(st, "lock_leads", q_lock_leads, &p, NULL, err, "cannot lock a lead");
}

lf_status lf_pg_pending_mark(lf_store *base, const int64_t *leads, size_t n, lf_error *err)
{
    pg_store *st = (pg_store *)base;
    if (n == 0)
        return LF_OK;
    if (int_array(st, leads, n) != LF_OK)
        return lf_errorf(err, LF_ENOMEM, "out of memory");
    pg_params p = {0};
    lf_pg_text(&p, st->arr.data);
    /* the rows' locks first: a replay of these leads by another writer has committed
     * (its marks cleared) or waits for this transaction */
    lf_status s = lf_pg_run(st, "lock_leads", q_lock_leads, &p, NULL, err, "cannot lock leads");
    if (s == LF_OK)
        s = lf_pg_run(st, "pending_add", q_pending_add, &p, NULL, err,
                      "cannot mark a lead for replay");
    return s;
}

lf_status lf_pg_pending_list(lf_store *base, int64_t **leads, size_t *n, lf_error *err)
{
    *leads = NULL;
    *n = 0;
    PGresult *r = lf_pg_exec(base, "pending_list", "SELECT lead_id FROM pending ORDER BY lead_id",
                             NULL, err, "cannot read pending leads");
    if (!r)
        return LF_ESTORE;
    size_t rows = (size_t)PQntuples(r);
    if (rows && !(*leads = malloc(rows * sizeof **leads))) {
        PQclear(r);
        return lf_errorf(err, LF_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < rows; i++)
        (*leads)[i] = lf_pg_int64(r, (int)i, 0);
    *n = rows;
    PQclear(r);
    return LF_OK;
}

/* ---- leads ----------------------------------------------------------------------- */

static const char q_lead_get[] =
    "SELECT l.lead_id, l.id, l.email, l.created_at, l.source, l.channel, l.origin,"
    " l.persona, l.attrs, l.origin_given, l.persona_given"
    " FROM lead_keys k JOIN leads l ON l.lead_id = k.lead_id WHERE k.id = $1";
static const char q_lead_rowid[] = "SELECT lead_id FROM lead_keys WHERE id = $1";
static const char q_lead_insert[] =
    "WITH k AS (INSERT INTO lead_keys(id, lead_id) VALUES($1, nextval('leads_lead_id_seq'))"
    "  ON CONFLICT DO NOTHING RETURNING lead_id)"
    " INSERT INTO leads(lead_id, id, email, created_at, source, channel, origin, persona,"
    " attrs, origin_given, persona_given)"
    " SELECT lead_id, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10 FROM k RETURNING lead_id";
static const char q_lead_update[] =
    "UPDATE leads SET email = $2, created_at = $3, source = $4, channel = $5, origin = $6,"
    " persona = $7, attrs = $8, origin_given = $9, persona_given = $10"
    " WHERE lead_id = (SELECT lead_id FROM lead_keys WHERE id = $1)";

static void lead_params(pg_params *p, const lf_lead_row *row)
{
    lf_pg_text(p, row->id);
    lf_pg_text(p, row->email);
    lf_pg_int(p, row->created_at);
    lf_pg_text(p, row->source);
    lf_pg_text(p, row->channel);
    lf_pg_text(p, row->origin);
    lf_pg_text(p, row->persona);
    lf_pg_text(p, row->attrs_json);
    lf_pg_text(p, row->origin_given);
    lf_pg_text(p, row->persona_given);
}

static bool same_text(const PGresult *r, int i, int col, const char *v)
{
    const char *t = lf_pg_str(r, i, col);
    return !t || !v ? !t && !v : strcmp(t, v) == 0;
}

/* Whether row i of a q_lead_get-shaped result holds exactly `row`. */
static bool same_lead(const PGresult *g, int i, const lf_lead_row *row)
{
    return same_text(g, i, 2, row->email) && lf_pg_int64(g, i, 3) == row->created_at &&
           same_text(g, i, 4, row->source) && same_text(g, i, 5, row->channel) &&
           same_text(g, i, 6, row->origin) && same_text(g, i, 7, row->persona) &&
           same_text(g, i, 8, row->attrs_json) && same_text(g, i, 9, row->origin_given) &&
           same_text(g, i, 10, row->persona_given);
}

/* The existing lead: unchanged, or updated (its row locked by the update). */
static lf_status lead_update(pg_store *st, PGresult *g, lf_lead_row *row, lf_upsert *result,
                             lf_error *err)
{
    row->rowid = lf_pg_int64(g, 0, 0);
    bool same = same_lead(g, 0, row);
    PQclear(g);
    if (same) {
        *result = LF_UPSERT_SAME;
        return LF_OK;
    }
    pg_params p = {0};
    lead_params(&p, row);
    *result = LF_UPSERT_UPDATED;
    return lf_pg_run(st, "lead_update", q_lead_update, &p, NULL, err, "cannot update lead");
}

lf_status lf_pg_lead_upsert(lf_store *base, lf_lead_row *row, lf_upsert *result, lf_error *err)
{
    pg_store *st = (pg_store *)base;
    pg_params id = {0};
    lf_pg_text(&id, row->id);
    for (int attempt = 0; attempt < 2; attempt++) {
        PGresult *g = lf_pg_exec(base, "lead_get", q_lead_get, &id, err, "cannot read lead");
        if (!g)
            return LF_ESTORE;
        if (PQntuples(g) == 1)
            return lead_update(st, g, row, result, err);
        PQclear(g);
        pg_params p = {0};
        lead_params(&p, row);
        PGresult *r = lf_pg_exec(base, "lead_insert", q_lead_insert, &p, err,
                                 "cannot insert lead");
        if (!r)
            return LF_ESTORE;
        bool added = PQntuples(r) == 1;
        if (added)
            row->rowid = lf_pg_int64(r, 0, 0);
        PQclear(r);
        if (added) {
            *result = LF_UPSERT_NEW;
            return LF_OK;
        }
        /* another writer added this id meanwhile and has committed: update it */
    }
    return lf_errorf(err, LF_ESTORE, "store '%s': cannot insert lead '%s'", st->location,
                     row->id);
}

static const char q_lead_ids[] =
    "SELECT id, lead_id FROM leads WHERE lead_id > $1 ORDER BY lead_id LIMIT 5000";

lf_status lf_pg_lead_ids(lf_store *base, lf_lead_id_fn fn, void *ctx, lf_error *err)
{
    int64_t after = 0;
    for (;;) { /* chunks of 5,000 leads, until one comes back short */
        pg_params p = {0};
        lf_pg_int(&p, after);
        PGresult *r = lf_pg_exec(base, "lead_ids", q_lead_ids, &p, err, "cannot list leads");
        if (!r)
            return LF_ESTORE;
        int n = PQntuples(r);
        lf_status s = LF_OK;
        for (int i = 0; s == LF_OK && i < n; i++) {
            after = lf_pg_int64(r, i, 1);
            s = fn(ctx, PQgetvalue(r, i, 0), (size_t)PQgetlength(r, i, 0), after);
        }
        PQclear(r);
        if (s != LF_OK || n < 5000)
            return s;
    }
}

lf_status lf_pg_lead_count(lf_store *base, int64_t *n, lf_error *err)
{
    PGresult *r = lf_pg_exec(base, "lead_count", "SELECT coalesce(max(lead_id), 0) FROM leads",
                             NULL, err, "cannot count leads");
    if (!r)
        return LF_ESTORE;
    *n = PQntuples(r) == 1 ? lf_pg_int64(r, 0, 0) : 0;
    PQclear(r);
    return LF_OK;
}

lf_status lf_pg_lead_get(lf_store *base, const char *id, lf_lead_row *row, bool *found,
                         lf_error *err)
{
    pg_store *st = (pg_store *)base;
    pg_params p = {0};
    lf_pg_text(&p, id);
    PGresult *g = lf_pg_exec(base, "lead_get", q_lead_get, &p, err, "cannot read lead");
    if (!g)
        return LF_ESTORE;
    *found = PQntuples(g) == 1;
    if (!*found) {
        PQclear(g);
        return LF_OK;
    }
    *row = (lf_lead_row){
        .rowid = lf_pg_int64(g, 0, 0), .id = lf_pg_str(g, 0, 1), .email = lf_pg_str(g, 0, 2),
        .created_at = lf_pg_int64(g, 0, 3), .source = lf_pg_str(g, 0, 4),
        .channel = lf_pg_str(g, 0, 5), .origin = lf_pg_str(g, 0, 6),
        .persona = lf_pg_str(g, 0, 7), .attrs_json = lf_pg_str(g, 0, 8),
        .origin_given = lf_pg_str(g, 0, 9), .persona_given = lf_pg_str(g, 0, 10),
    };
    st->held = g; /* the strings stay valid until the next store call */
    return LF_OK;
}

lf_status lf_pg_lead_rowid(lf_store *base, const char *id, int64_t *rowid, bool *found,
                           lf_error *err)
{
    pg_store *st = (pg_store *)base;
    if (st->last_id && strcmp(st->last_id, id) == 0) { /* leads are never deleted */
        *found = true;
        *rowid = st->last_rowid;
        return LF_OK;
    }
    pg_params p = {0};
    lf_pg_text(&p, id);
    PGresult *g = lf_pg_exec(base, "lead_rowid", q_lead_rowid, &p, err, "cannot read lead");
    if (!g)
        return LF_ESTORE;
    *found = PQntuples(g) == 1;
    if (*found) {
        *rowid = lf_pg_int64(g, 0, 0);
        free(st->last_id);
        st->last_id = strdup(id); /* no copy: no cache, still correct */
        st->last_rowid = *rowid;
    }
    PQclear(g);
    return LF_OK;
}

lf_status lf_pg_lead_classify(lf_store *base, int64_t lead, const char *channel,
                              const char *origin, const char *persona, lf_error *err)
{
    pg_params p = {0};
    lf_pg_int(&p, lead);
    lf_pg_text(&p, channel);
    lf_pg_text(&p, origin);
    lf_pg_text(&p, persona);
    return lf_pg_run((pg_store *)base, "lead_classify",
                     "UPDATE leads SET channel = $2, origin = $3, persona = $4"
                     " WHERE lead_id = $1",
                     &p, NULL, err, "cannot update lead");
}

/* ---- events, rejects, series ----------------------------------------------------- */

/* The key of an identity in event_keys: its bytes when they fit a b-tree entry well (an
 * id's keys then arrive mostly in order, cheap to insert), else 0xff and its SHA-256
 * (0xff never starts UTF-8 text: the two kinds cannot meet). */
#define EVENT_KEY(x)                                                                      \
    "(CASE WHEN octet_length(" x ") <= 1000 THEN convert_to(" x ", 'UTF8')"                 \
    " ELSE '\\xff'::bytea || sha256(convert_to(" x ", 'UTF8')) END)"

static const char q_event_insert[] =
    "WITH k AS (INSERT INTO event_keys(key, lead_id)"
    "  VALUES(" EVENT_KEY("$2") ", $1) ON CONFLICT DO NOTHING RETURNING 1)"
    " INSERT INTO events(lead_id, ident, ext_id, ts, kind, type, detail, reason, amount,"
    " file, line) SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11 FROM k RETURNING seq";

lf_status lf_pg_event_append(lf_store *base, const lf_event_row *ev, int64_t *seq,
                             lf_error *err)
{
    pg_params p = {0};
    lf_pg_int(&p, ev->lead);
    lf_pg_text(&p, ev->ident);
    lf_pg_text(&p, ev->ext_id);
    lf_pg_int(&p, ev->ts);
    lf_pg_int(&p, ev->kind);
    lf_pg_text(&p, ev->type);
    lf_pg_text(&p, ev->detail);
    lf_pg_text(&p, ev->reason);
    if (ev->has_amount)
        lf_pg_double(&p, ev->amount);
    else
        lf_pg_text(&p, NULL);
    if (ev->file)
        lf_pg_int(&p, ev->file);
    else
        lf_pg_text(&p, NULL);
    if (ev->line)
        lf_pg_int(&p, ev->line);
    else
        lf_pg_text(&p, NULL);
    PGresult *r = lf_pg_exec(base, "event_insert", q_event_insert, &p, err,
                             "cannot append event");
    if (!r)
        return LF_ESTORE;
    *seq = PQntuples(r) == 1 ? lf_pg_int64(r, 0, 0) : 0; /* none: a known identity */
    PQclear(r);
    return LF_OK;
}

/* A batch is copied into a staging table (store_pg.h, lf_pg_stage), then moved by one
 * statement: the first event of each identity in the batch (the others are duplicates
 * of it) whose key is new is inserted, in batch order (seq's default is taken in the
 * order of the rows inserted); the result maps ords to seqs. */
#define EVENTS_IN "pg_temp.lf_events_in"
#define EVENTS_CREATE                                                                      \
    "CREATE TEMP TABLE IF NOT EXISTS lf_events_in(ord bigint, lead bigint, ident text,"    \
    " ext_id text, ts bigint, kind integer, type text, detail text, reason text,"          \
    " amount float8, file bigint, line bigint)"
static const pg_stage events_stage = {PG_STAGE_EVENTS, EVENTS_CREATE, "TRUNCATE " EVENTS_IN,
                                      "COPY " EVENTS_IN " FROM STDIN"};
static const char q_event_batch[] =
    "WITH firsts AS (SELECT DISTINCT ON (ident) *, " EVENT_KEY("ident") " AS key"
    "  FROM " EVENTS_IN " WHERE ord > $1::bigint ORDER BY ident, ord),"
    " k AS (INSERT INTO event_keys(key, lead_id) SELECT key, lead FROM firsts"
    "  ON CONFLICT DO NOTHING RETURNING key),"
    " ins AS (INSERT INTO events(lead_id, ident, ext_id, ts, kind, type, detail, reason,"
    "  amount, file, line) SELECT f.lead, f.ident, f.ext_id, f.ts, f.kind, f.type, f.detail,"
    "  f.reason, f.amount, f.file, f.line FROM firsts f JOIN k ON k.key = f.key"
    "  ORDER BY f.ord RETURNING seq, ident)"
    " SELECT f.ord, ins.seq FROM ins JOIN firsts f ON f.ident = ins.ident";

/* ev[0..n) as rows of lf_events_in numbered from base + 1, into st->arr. */
static lf_status event_rows(pg_store *st, const lf_event_row *ev, size_t n, int64_t base)
{
    lf_buf_reset(&st->arr);
    pg_copy c;
    lf_pg_copy_init(&c, &st->arr);
    for (size_t i = 0; c.s == LF_OK && i < n; i++) {
        lf_pg_copy_int(&c, false, base + 1 + (int64_t)i);
        lf_pg_copy_int(&c, false, ev[i].lead);
        lf_pg_copy_text(&c, ev[i].ident);
        lf_pg_copy_text(&c, ev[i].ext_id);
        lf_pg_copy_int(&c, false, ev[i].ts);
        lf_pg_copy_int(&c, false, ev[i].kind);
        lf_pg_copy_text(&c, ev[i].type);
        lf_pg_copy_text(&c, ev[i].detail);
        lf_pg_copy_text(&c, ev[i].reason);
        lf_pg_copy_dbl(&c, !ev[i].has_amount, ev[i].amount);
        lf_pg_copy_int(&c, ev[i].file == 0, ev[i].file);
        lf_pg_copy_int(&c, ev[i].line == 0, ev[i].line);
        lf_pg_copy_eol(&c);
    }
    return c.s;
}

lf_status lf_pg_event_append_batch(lf_store *base, const lf_event_row *ev, size_t n,
                                   int64_t *seqs, lf_error *err)
{
    pg_store *st = (pg_store *)base;
    if (n == 0)
        return LF_OK;
    int64_t from = st->stage_ord;
    if (event_rows(st, ev, n, from) != LF_OK)
        return lf_errorf(err, LF_ENOMEM, "out of memory");
    PGresult *r = lf_pg_stage(st, &events_stage, &st->arr, n, "event_batch", q_event_batch,
                              err, "cannot append events");
    if (!r)
        return LF_ESTORE;
    memset(seqs, 0, n * sizeof *seqs); /* none: a known identity */
    for (int i = 0; i < PQntuples(r); i++) {
        int64_t at = lf_pg_int64(r, i, 0) - from;
        if (at >= 1 && (uint64_t)at <= n)
            seqs[at - 1] = lf_pg_int64(r, i, 1);
    }
    PQclear(r);
    return LF_OK;
}

static const char q_reject_add[] =
    "INSERT INTO rejects(kind, file, line, reason, raw)"
    " VALUES($1, $2, $3, $4, decode($5, 'hex')) ON CONFLICT DO NOTHING";

lf_status lf_pg_reject_add(lf_store *base, const char *kind, const char *file, long line,
                           const char *reason, const char *raw, size_t rawlen, lf_error *err)
{
    pg_store *st = (pg_store *)base;
    static const char hex[] = "0123456789abcdef";
    lf_buf_reset(&st->arr);
    lf_status s = LF_OK;
    for (size_t i = 0; s == LF_OK && i < rawlen; i++) {
        unsigned char c = (unsigned char)raw[i];
        char two[2] = {hex[c >> 4], hex[c & 15]};
        s = lf_buf_add(&st->arr, two, 2);
    }
    if (s != LF_OK || lf_buf_addc(&st->arr, '\0') != LF_OK)
        return lf_errorf(err, LF_ENOMEM, "out of memory");
    st->arr.len--;
    pg_params p = {0};
    lf_pg_text(&p, kind);
    lf_pg_text(&p, file);
    lf_pg_int(&p, line);
    lf_pg_text(&p, reason);
    lf_pg_text(&p, st->arr.data);
    return lf_pg_run(st, "reject_add", q_reject_add, &p, NULL, err, "cannot record rejected row");
}

static const char q_rejects[] =
    "SELECT id, kind, file, line, reason, encode(raw, 'hex') FROM rejects WHERE id > $1"
    " ORDER BY id LIMIT 1000";

/* Hex (of encode(raw, 'hex')) back to bytes, NUL-terminated, into st->arr. */
static lf_status unhex(pg_store *st, const char *h)
{
    lf_buf_reset(&st->arr);
    lf_status s = LF_OK;
    for (size_t i = 0; s == LF_OK && h[i] && h[i + 1]; i += 2) {
        char two[3] = {h[i], h[i + 1], '\0'};
        s = lf_buf_addc(&st->arr, (char)strtol(two, NULL, 16));
    }
    return s == LF_OK ? lf_buf_addc(&st->arr, '\0') : s;
}

lf_status lf_pg_rejects_scan(lf_store *base, lf_reject_fn fn, void *ctx, lf_error *err)
{
    pg_store *st = (pg_store *)base;
    int64_t after = 0;
    for (;;) {
        pg_params p = {0};
        lf_pg_int(&p, after);
        PGresult *r = lf_pg_exec(base, "rejects", q_rejects, &p, err, "cannot read rejects");
        if (!r)
            return LF_ESTORE;
        int n = PQntuples(r);
        lf_status s = LF_OK;
        for (int i = 0; s == LF_OK && i < n; i++) {
            if (unhex(st, PQgetvalue(r, i, 5)) != LF_OK) {
                s = lf_errorf(err, LF_ENOMEM, "out of memory");
                break;
            }
            lf_reject rj = {.id = after = lf_pg_int64(r, i, 0), .kind = lf_pg_str(r, i, 1),
                            .file = lf_pg_str(r, i, 2), .line = (long)lf_pg_int64(r, i, 3),
                            .reason = lf_pg_str(r, i, 4), .raw = st->arr.data};
            s = fn(ctx, &rj);
        }
        PQclear(r);
        if (s != LF_OK || n < 1000)
            return s;
    }
}

static const char q_cost_set[] =
    "INSERT INTO costs(date, channel, amount) VALUES($1, $2, $3)"
    " ON CONFLICT (date, channel) DO UPDATE SET amount = excluded.amount"
    " WHERE costs.amount IS DISTINCT FROM excluded.amount";
static const char q_traffic_set[] =
    "INSERT INTO traffic(date, channel, visitors) VALUES($1, $2, $3)"
    " ON CONFLICT (date, channel) DO UPDATE SET visitors = excluded.visitors"
    " WHERE traffic.visitors IS DISTINCT FROM excluded.visitors";

lf_status lf_pg_series_set(lf_store *base, lf_series series, const char *date,
                           const char *channel, double amount, bool *changed, lf_error *err)
{
    pg_params p = {0};
    lf_pg_text(&p, date);
    lf_pg_text(&p, channel);
    lf_pg_double(&p, amount);
    int64_t n = 0;
    lf_status s = series == LF_SERIES_COSTS
                      ? lf_pg_run((pg_store *)base, "cost_set", q_cost_set, &p, &n, err,
                                  "cannot write series")
                      : lf_pg_run((pg_store *)base, "traffic_set", q_traffic_set, &p, &n, err,
                                  "cannot write series");
    *changed = s == LF_OK && n > 0; /* 0: the same value was there */
    return s;
}
