/*
 * store_pg_scan.c — the PostgreSQL store's reads of leads with their events or their
 * derived state, and the derived write (store_pg.c has the design).
 *
 * Scans go through the leads in chunks of CHUNK leads (keyset pagination on lead_id,
 * or CHUNK rowids of a list as one array parameter), each chunk one query for the
 * leads and one for their events, transitions or handoffs: memory is bounded by a
 * chunk, not by the store. Strings handed to callbacks point into the chunk's
 * PGresult. In a write transaction the leads of a chunk are locked (FOR UPDATE, in
 * lead_id order) before their events are read, so a replay sees every event committed
 * for them and no writer can add one until it commits.
 * A lead's derived write is one statement: its transitions, handoffs, ignored events
 * and state upserted from array parameters (rows that did not change are not written),
 * the rows beyond the new counts deleted, its pending mark cleared.
 */
#include <stdlib.h>
#include <string.h>

#include "store_pg.h"

#define CHUNK 1000
#define CHUNK_S "1000"

#define LEAD_COLS                                                                          \
    "SELECT lead_id, created_at, id, email, source, channel, origin, persona, attrs,"      \
    " origin_given, persona_given FROM leads WHERE "
#define IN_RANGE "lead_id > $1 AND lead_id <= $2 ORDER BY lead_id LIMIT " CHUNK_S
#define IN_LIST "lead_id = ANY($1::bigint[]) ORDER BY lead_id"
static const char q_leads_chunk[] = LEAD_COLS IN_RANGE;
static const char q_leads_chunk_lock[] = LEAD_COLS IN_RANGE " FOR UPDATE";
static const char q_leads_list[] = LEAD_COLS IN_LIST;
static const char q_leads_list_lock[] = LEAD_COLS IN_LIST " FOR UPDATE";
#define EVENT_COLS "SELECT lead_id, seq, ts, kind, type, detail, reason, amount FROM events WHERE "
static const char q_events_chunk[] =
    EVENT_COLS "lead_id BETWEEN $1 AND $2 ORDER BY lead_id, ts, seq";
static const char q_events_list[] =
    EVENT_COLS "lead_id = ANY($1::bigint[]) ORDER BY lead_id, ts, seq";

static lf_status oom(lf_error *err)
{
    return lf_errorf(err, LF_ENOMEM, "out of memory");
}

/* Hands lead row i of l with its events e[*ei..) (those of that lead) to fn. */
static lf_status deliver(pg_store *st, PGresult *l, int i, PGresult *e, int *ei,
                         lf_lead_events_fn fn, void *ctx, lf_error *err)
{
    int64_t lead = lf_pg_int64(l, i, 0);
    int ne = PQntuples(e);
    while (*ei < ne && lf_pg_int64(e, *ei, 0) < lead)
        (*ei)++; /* events of a lead not in this chunk: cannot happen, skip */
    size_t n = 0;
    for (; *ei < ne && lf_pg_int64(e, *ei, 0) == lead; (*ei)++, n++) {
        void *const arrs[] = {&st->ev, &st->seqs};
        const size_t elems[] = {sizeof *st->ev, sizeof *st->seqs};
        if (!lf_grow_parallel(&st->ev_cap, n + 1, 2, arrs, elems))
            return oom(err);
        int r = *ei;
        st->seqs[n] = lf_pg_int64(e, r, 1);
        st->ev[n] = (lf_event){.seq = st->seqs[n], .ts = lf_pg_int64(e, r, 2),
                               .kind = (uint8_t)lf_pg_int64(e, r, 3), .type = lf_pg_str(e, r, 4),
                               .detail = lf_pg_str(e, r, 5), .reason = lf_pg_str(e, r, 6),
                               .has_amount = !PQgetisnull(e, r, 7), .amount = lf_pg_dbl(e, r, 7)};
    }
    lf_lead_row row = {
        .rowid = lead, .created_at = lf_pg_int64(l, i, 1), .id = lf_pg_str(l, i, 2),
        .email = lf_pg_str(l, i, 3), .source = lf_pg_str(l, i, 4),
        .channel = lf_pg_str(l, i, 5), .origin = lf_pg_str(l, i, 6),
        .persona = lf_pg_str(l, i, 7), .attrs_json = lf_pg_str(l, i, 8),
        .origin_given = lf_pg_str(l, i, 9), .persona_given = lf_pg_str(l, i, 10),
    };
    lf_lead_events le = {
        .lead = lead,
        .input = {.created_at = row.created_at, .has_email = row.email != NULL,
                  .events = st->ev, .nevents = n},
        .seqs = st->seqs,
        .row = &row,
    };
    return fn(ctx, &le, err);
}

/* Hands every lead of l (lead_id order) with its events in e (lead_id, ts, seq order)
 * to fn. */
static lf_status deliver_all(pg_store *st, PGresult *l, PGresult *e, lf_lead_events_fn fn,
                             void *ctx, lf_error *err)
{
    lf_status s = LF_OK;
    int ei = 0;
    for (int i = 0; s == LF_OK && i < PQntuples(l); i++)
        s = deliver(st, l, i, e, &ei, fn, ctx, err);
    return s;
}

/* The leads with after < lead_id <= hi, at most CHUNK of them, with their events:
 * *last = the last lead delivered, *count = how many. */
static lf_status scan_chunk(pg_store *st, int64_t after, int64_t hi, lf_lead_events_fn fn,
                            void *ctx, int64_t *last, int *count, lf_error *err)
{
    pg_params p = {0};
    lf_pg_int(&p, after);
    lf_pg_int(&p, hi);
    bool lock = st->txn == PG_TXN_WRITE;
    PGresult *l = lf_pg_exec(&st->base, lock ? "leads_chunk_lock" : "leads_chunk",
                             lock ? q_leads_chunk_lock : q_leads_chunk, &p, err,
                             "cannot read leads");
    if (!l)
        return LF_ESTORE;
    *count = PQntuples(l);
    if (*count == 0) {
        PQclear(l);
        return LF_OK;
    }
    *last = lf_pg_int64(l, *count - 1, 0);
    pg_params q = {0};
    lf_pg_int(&q, lf_pg_int64(l, 0, 0));
    lf_pg_int(&q, *last);
    PGresult *e = lf_pg_exec(&st->base, "events_chunk", q_events_chunk, &q, err,
                             "cannot scan events");
    lf_status s = e ? deliver_all(st, l, e, fn, ctx, err) : LF_ESTORE;
    PQclear(e);
    PQclear(l);
    return s;
}

lf_status lf_pg_scan_range(lf_store *base, int64_t lo, int64_t hi, lf_lead_events_fn fn,
                           void *ctx, lf_error *err)
{
    pg_store *st = (pg_store *)base;
    int64_t after = lo - 1;
    for (;;) {
        int count = 0;
        lf_status s = scan_chunk(st, after, hi, fn, ctx, &after, &count, err);
        if (s != LF_OK || count < CHUNK)
            return s;
    }
}

/* The leads of leads[0..n) (sorted rowids, n <= CHUNK) with their events: two queries
 * on one array parameter, whatever the gaps between the rowids. */
static lf_status list_chunk(pg_store *st, const int64_t *leads, size_t n,
                            lf_lead_events_fn fn, void *ctx, lf_error *err)
{
    lf_buf_reset(&st->arr); /* used up by the two queries, before any callback */
    pg_arrays a = {.b = &st->arr};
    PG_ARRAY(&a, 0, n, lf_pg_arr_int(&a, 0, false, leads[i]));
    if (a.s != LF_OK)
        return oom(err);
    pg_params p = {0};
    lf_pg_text(&p, st->arr.data);
    bool lock = st->txn == PG_TXN_WRITE;
    PGresult *l = lf_pg_exec(&st->base, lock ? "leads_list_lock" : "leads_list",
                             lock ? q_leads_list_lock : q_leads_list, &p, err,
                             "cannot read leads");
    if (!l)
        return LF_ESTORE;
    if (PQntuples(l) == 0) {
        PQclear(l);
        return LF_OK;
    }
    PGresult *e = lf_pg_exec(&st->base, "events_list", q_events_list, &p, err,
                             "cannot scan events");
    lf_status s = e ? deliver_all(st, l, e, fn, ctx, err) : LF_ESTORE;
    PQclear(e);
    PQclear(l);
    return s;
}

lf_status lf_pg_scan_events(lf_store *base, const int64_t *leads, size_t n,
                            lf_lead_events_fn fn, void *ctx, lf_error *err)
{
    pg_store *st = (pg_store *)base;
    lf_status s = LF_OK;
    for (size_t i = 0; s == LF_OK && i < n; i += CHUNK)
        s = list_chunk(st, leads + i, n - i < CHUNK ? n - i : CHUNK, fn, ctx, err);
    return s;
}

static const char q_events_of_lead[] =
    "SELECT seq, ts, kind, type, detail, reason, amount, ext_id FROM events"
    " WHERE lead_id = $1 ORDER BY ts, seq";

lf_status lf_pg_lead_events(lf_store *base, int64_t lead, lf_stored_event_fn fn, void *ctx,
                            lf_error *err)
{
    pg_params p = {0};
    lf_pg_int(&p, lead);
    PGresult *r = lf_pg_exec(base, "events_of_lead", q_events_of_lead, &p, err,
                             "cannot read events");
    if (!r)
        return LF_ESTORE;
    lf_status s = LF_OK;
    for (int i = 0; s == LF_OK && i < PQntuples(r); i++) {
        lf_stored_event e = {.seq = lf_pg_int64(r, i, 0), .ext_id = lf_pg_str(r, i, 7)};
        e.ev = (lf_event){.seq = e.seq, .ts = lf_pg_int64(r, i, 1),
                          .kind = (uint8_t)lf_pg_int64(r, i, 2), .type = lf_pg_str(r, i, 3),
                          .detail = lf_pg_str(r, i, 4), .reason = lf_pg_str(r, i, 5),
                          .has_amount = !PQgetisnull(r, i, 6), .amount = lf_pg_dbl(r, i, 6)};
        s = fn(ctx, &e);
    }
    PQclear(r);
    return s;
}

static const char q_log_scan[] =
    "SELECT e.seq, e.lead_id, e.ident, e.ext_id, e.ts, e.kind, e.type, e.detail, e.reason,"
    " e.amount, f.name, e.line FROM events e LEFT JOIN files f ON f.id = e.file"
    " WHERE e.seq > $1 ORDER BY e.seq LIMIT $2";

lf_status lf_pg_log_scan(lf_store *base, int64_t after_seq, size_t limit, lf_log_event_fn fn,
                         void *ctx, lf_error *err)
{
    pg_params p = {0};
    lf_pg_int(&p, after_seq);
    lf_pg_int(&p, limit > INT32_MAX ? INT32_MAX : (int64_t)limit);
    PGresult *r = lf_pg_exec(base, "log_scan", q_log_scan, &p, err, "cannot read events");
    if (!r)
        return LF_ESTORE;
    lf_status s = LF_OK;
    for (int i = 0; s == LF_OK && i < PQntuples(r); i++) {
        lf_log_event e = {
            .seq = lf_pg_int64(r, i, 0),
            .row = {.lead = lf_pg_int64(r, i, 1), .ident = lf_pg_str(r, i, 2),
                    .ext_id = lf_pg_str(r, i, 3), .ts = lf_pg_int64(r, i, 4),
                    .kind = (uint8_t)lf_pg_int64(r, i, 5), .type = lf_pg_str(r, i, 6),
                    .detail = lf_pg_str(r, i, 7), .reason = lf_pg_str(r, i, 8),
                    .has_amount = !PQgetisnull(r, i, 9), .amount = lf_pg_dbl(r, i, 9),
                    .line = (long)lf_pg_int64(r, i, 11)},
            .file = lf_pg_str(r, i, 10),
        };
        s = fn(ctx, &e, err);
    }
    PQclear(r);
    return s;
}

static const char q_handoff_times[] =
    "SELECT lead_id, n, mql_at FROM handoffs WHERE (lead_id, n) > ($1, $2)"
    " ORDER BY lead_id, n LIMIT 5000";

lf_status lf_pg_handoff_times(lf_store *base, lf_handoff_time_fn fn, void *ctx, lf_error *err)
{
    int64_t lead = -1, n = -1;
    for (;;) {
        pg_params p = {0};
        lf_pg_int(&p, lead);
        lf_pg_int(&p, n);
        PGresult *r = lf_pg_exec(base, "handoff_times", q_handoff_times, &p, err,
                                 "cannot read handoffs");
        if (!r)
            return LF_ESTORE;
        int rows = PQntuples(r);
        lf_status s = LF_OK;
        for (int i = 0; s == LF_OK && i < rows; i++) {
            lead = lf_pg_int64(r, i, 0);
            n = lf_pg_int64(r, i, 1);
            s = fn(ctx, lead, lf_pg_int64(r, i, 2));
        }
        PQclear(r);
        if (s != LF_OK)
            return lf_errorf(err, s, "out of memory");
        if (rows < 5000)
            return LF_OK;
    }
}

/* ---- ignored events -------------------------------------------------------------- */

static const char q_ignored_counts[] =
    "SELECT reason, count(*) AS n FROM ignored WHERE seq >= $1 GROUP BY reason"
    " ORDER BY n DESC, reason";
static const char q_ignored_scan[] =
    "SELECT g.seq, f.name, e.line, l.id, e.type, g.reason, e.ts"
    " FROM ignored g JOIN events e ON e.lead_id = g.lead_id AND e.seq = g.seq"
    " JOIN leads l ON l.lead_id = g.lead_id LEFT JOIN files f ON f.id = e.file"
    " ORDER BY f.name IS NULL, f.name, e.line, g.seq";

lf_status lf_pg_ignored_counts(lf_store *base, int64_t min_seq, lf_reason_count_fn fn,
                               void *ctx, lf_error *err)
{
    pg_params p = {0};
    lf_pg_int(&p, min_seq);
    PGresult *r = lf_pg_exec(base, "ignored_counts", q_ignored_counts, &p, err,
                             "cannot count ignored events");
    if (!r)
        return LF_ESTORE;
    lf_status s = LF_OK;
    for (int i = 0; s == LF_OK && i < PQntuples(r); i++)
        s = fn(ctx, lf_pg_str(r, i, 0), lf_pg_int64(r, i, 1));
    PQclear(r);
    return s;
}

/* One query: ignored events are a few per lead at most, and the order (by input file
 * and line) has no key to page on. */
lf_status lf_pg_ignored_scan(lf_store *base, lf_ignored_fn fn, void *ctx, lf_error *err)
{
    PGresult *r = lf_pg_exec(base, "ignored_scan", q_ignored_scan, NULL, err,
                             "cannot read ignored events");
    if (!r)
        return LF_ESTORE;
    lf_status s = LF_OK;
    for (int i = 0; s == LF_OK && i < PQntuples(r); i++) {
        lf_ignored_row g = {.seq = lf_pg_int64(r, i, 0), .file = lf_pg_str(r, i, 1),
                            .line = (long)lf_pg_int64(r, i, 2), .lead_id = lf_pg_str(r, i, 3),
                            .type = lf_pg_str(r, i, 4), .reason = lf_pg_str(r, i, 5),
                            .ts = lf_pg_int64(r, i, 6)};
        s = fn(ctx, &g);
    }
    PQclear(r);
    return s;
}

/* ---- series and attributes ------------------------------------------------------- */

lf_status lf_pg_scan_series(lf_store *base, lf_series series, lf_amount_fn fn, void *ctx,
                            lf_error *err)
{
    bool costs = series == LF_SERIES_COSTS;
    PGresult *r = lf_pg_exec(
        base, costs ? "ds_costs" : "ds_traffic",
        costs ? "SELECT date, channel, amount FROM costs ORDER BY date, channel"
              : "SELECT date, channel, visitors FROM traffic ORDER BY date, channel",
        NULL, err, "cannot read spend or traffic");
    if (!r)
        return LF_ESTORE;
    lf_status s = LF_OK;
    for (int i = 0; s == LF_OK && i < PQntuples(r); i++)
        s = fn(ctx, lf_pg_str(r, i, 0), lf_pg_str(r, i, 1), lf_pg_dbl(r, i, 2), err);
    PQclear(r);
    return s;
}

/* One lead column by name, else the attribute of that exact key (->> with the key
 * bound: no JSON-path quoting); the name is always a parameter. */
static const char q_lead_attr[] =
    "SELECT lead_id, CASE $1 WHEN 'id' THEN id WHEN 'email' THEN email"
    " WHEN 'source' THEN source WHEN 'channel' THEN channel WHEN 'origin' THEN origin"
    " WHEN 'persona' THEN persona ELSE attrs::jsonb ->> $1 END"
    " FROM leads WHERE lead_id > $2 ORDER BY lead_id LIMIT 5000";

lf_status lf_pg_scan_lead_attr(lf_store *base, const char *name, lf_attr_value_fn fn, void *ctx,
                               lf_error *err)
{
    int64_t after = 0;
    for (;;) {
        pg_params p = {0};
        lf_pg_text(&p, name);
        lf_pg_int(&p, after);
        PGresult *r = lf_pg_exec(base, "lead_attr", q_lead_attr, &p, err,
                                 "cannot read lead attributes");
        if (!r)
            return LF_ESTORE;
        int rows = PQntuples(r);
        lf_status s = LF_OK;
        for (int i = 0; s == LF_OK && i < rows; i++) {
            const char *v = lf_pg_str(r, i, 1);
            after = lf_pg_int64(r, i, 0);
            s = fn(ctx, after, v, v ? (size_t)PQgetlength(r, i, 1) : 0, err);
        }
        PQclear(r);
        if (s != LF_OK || rows < 5000)
            return s;
    }
}
