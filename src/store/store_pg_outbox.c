/*
 * store_pg_outbox.c — the outbox of alerts in the PostgreSQL store (leadflow/store.h,
 * "the outbox"), and the stored handoffs of one lead that alerts compare against.
 *
 * Table (store_pg_schema.c): outbox(lead_id, n, ...) PRIMARY KEY(lead_id, n),
 * UNIQUE(lead_id, type, subject, endpoint): keyed by lead first like every table of a
 * lead. n is the lead's next number, taken under the lead's lock (its row; lead 0, the
 * workspace's alerts, an advisory lock) held to the commit, so two writers never number
 * two deliveries alike, and the unique key makes a repeated or concurrent add a no-op:
 * a handoff is never announced twice. Claims are compare-and-set on next_at.
 */
#include <stdint.h>
#include <stdlib.h>

#include "store_pg.h"

#define OUTBOX_COLS                                                                     \
    "SELECT o.lead_id, o.n, o.type, o.endpoint, o.subject, o.created_at, o.next_at,"    \
    " o.first_at, o.status, o.attempts, o.body, o.last_error, l.id"                     \
    " FROM outbox o LEFT JOIN leads l ON l.lead_id = o.lead_id"

static const char q_next_n[] = "SELECT coalesce(max(n), 0) + 1 FROM outbox WHERE lead_id = $1";
static const char q_add[] =
    "INSERT INTO outbox(lead_id, n, type, endpoint, subject, created_at, next_at, first_at,"
    " status, attempts, body, last_error) VALUES($1, $2, $3, $4, $5, $6, $7, NULL, 0, 0,"
    " NULL, NULL) ON CONFLICT (lead_id, type, subject, endpoint) DO NOTHING";
static const char q_due[] =
    OUTBOX_COLS " WHERE o.status = 0 AND o.next_at <= $1 AND NOT EXISTS (SELECT 1 FROM outbox p"
    " WHERE p.lead_id = o.lead_id AND p.endpoint = o.endpoint AND p.status = 0 AND p.n < o.n)"
    " ORDER BY o.next_at, o.lead_id, o.n LIMIT $2";
static const char q_scan[] =
    OUTBOX_COLS " WHERE (($1::bigint >> o.status) & 1) = 1 ORDER BY o.lead_id, o.n";
static const char q_claim[] =
    "UPDATE outbox SET next_at = $4, attempts = attempts + 1,"
    " first_at = coalesce(first_at, $5), body = coalesce(body, $6)"
    " WHERE lead_id = $1 AND n = $2 AND status = 0 AND next_at = $3";
static const char q_result[] =
    "UPDATE outbox SET status = $3, next_at = $4, last_error = $5 WHERE lead_id = $1 AND n = $2";
static const char q_requeue[] =
    "UPDATE outbox SET status = 0, next_at = $1, attempts = 0, first_at = NULL WHERE status = 2";
static const char q_lead_handoffs[] =
    "SELECT mql_at, decided_at, first_contact_at, outcome, score FROM handoffs"
    " WHERE lead_id = $1 ORDER BY n";

/* The parameters a new delivery and a copied one both begin with ($1..$7). */
static void row_head(pg_params *p, const lf_outbox_row *row)
{
    lf_pg_int(p, row->lead);
    lf_pg_int(p, row->n);
    lf_pg_text(p, row->type);
    lf_pg_text(p, row->endpoint);
    lf_pg_int(p, row->subject);
    lf_pg_int(p, row->created_at);
    lf_pg_int(p, row->next_at);
}

static lf_status ob_add(lf_store *st, lf_outbox_row *row, bool *added, lf_error *err)
{
    lf_status s = lf_pg_lock_lead(st, row->lead, err);
    if (s != LF_OK)
        return s;
    pg_params p = {0};
    lf_pg_int(&p, row->lead);
    PGresult *r = lf_pg_exec(st, "ob_next_n", q_next_n, &p, err, "cannot number a delivery");
    if (!r)
        return LF_ESTORE;
    row->n = PQntuples(r) == 1 ? lf_pg_int64(r, 0, 0) : 1;
    PQclear(r);
    p = (pg_params){0};
    row_head(&p, row);
    int64_t changed = 0;
    s = lf_pg_run((pg_store *)st, "ob_add", q_add, &p, &changed, err, "cannot add a delivery");
    *added = s == LF_OK && changed > 0;
    return s;
}

/* Calls fn for every row of an outbox select (the columns of OUTBOX_COLS). */
static lf_status each_row(PGresult *r, lf_outbox_fn fn, void *ctx, lf_error *err)
{
    lf_status s = LF_OK;
    for (int i = 0; s == LF_OK && i < PQntuples(r); i++) {
        lf_outbox_row o = {
            .lead = lf_pg_int64(r, i, 0), .n = lf_pg_int64(r, i, 1), .type = lf_pg_str(r, i, 2),
            .endpoint = lf_pg_str(r, i, 3), .subject = lf_pg_int64(r, i, 4),
            .created_at = lf_pg_int64(r, i, 5), .next_at = lf_pg_int64(r, i, 6),
            .first_at = lf_pg_timecol(r, i, 7), .status = (int)lf_pg_int64(r, i, 8),
            .attempts = (int)lf_pg_int64(r, i, 9), .body = lf_pg_str(r, i, 10),
            .last_error = lf_pg_str(r, i, 11), .lead_id = lf_pg_str(r, i, 12),
        };
        s = fn(ctx, &o, err);
    }
    PQclear(r);
    return s;
}

static lf_status ob_due(lf_store *st, lf_time now, size_t limit, lf_outbox_fn fn, void *ctx,
                        lf_error *err)
{
    pg_params p = {0};
    lf_pg_int(&p, now);
    lf_pg_int(&p, limit > INT32_MAX ? INT32_MAX : (int64_t)limit);
    PGresult *r = lf_pg_exec(st, "ob_due", q_due, &p, err, "cannot read the outbox");
    return r ? each_row(r, fn, ctx, err) : LF_ESTORE;
}

static lf_status ob_scan(lf_store *st, unsigned statuses, lf_outbox_fn fn, void *ctx,
                         lf_error *err)
{
    pg_params p = {0};
    lf_pg_int(&p, statuses);
    PGresult *r = lf_pg_exec(st, "ob_scan", q_scan, &p, err, "cannot read the outbox");
    return r ? each_row(r, fn, ctx, err) : LF_ESTORE;
}

static lf_status ob_claim(lf_store *st, int64_t lead, int64_t n, lf_time expect, lf_time lease,
                          lf_time now, const char *body, bool *claimed, lf_error *err)
{
    pg_params p = {0};
    lf_pg_int(&p, lead);
    lf_pg_int(&p, n);
    lf_pg_int(&p, expect);
    lf_pg_int(&p, lease);
    lf_pg_int(&p, now);
    lf_pg_text(&p, body);
    int64_t changed = 0;
    lf_status s = lf_pg_run((pg_store *)st, "ob_claim", q_claim, &p, &changed, err,
                            "cannot claim a delivery");
    *claimed = s == LF_OK && changed > 0;
    return s;
}

static lf_status ob_result(lf_store *st, int64_t lead, int64_t n, int status, lf_time next_at,
                           const char *error, lf_error *err)
{
    pg_params p = {0};
    lf_pg_int(&p, lead);
    lf_pg_int(&p, n);
    lf_pg_int(&p, status);
    lf_pg_int(&p, next_at);
    lf_pg_text(&p, error);
    return lf_pg_run((pg_store *)st, "ob_result", q_result, &p, NULL, err,
                     "cannot record a delivery attempt");
}

static lf_status ob_requeue(lf_store *st, lf_time now, int64_t *count, lf_error *err)
{
    pg_params p = {0};
    lf_pg_int(&p, now);
    int64_t changed = 0;
    lf_status s = lf_pg_run((pg_store *)st, "ob_requeue", q_requeue, &p, &changed, err,
                            "cannot requeue failed deliveries");
    *count = s == LF_OK ? changed : 0;
    return s;
}

static const char q_put[] =
    "INSERT INTO outbox(lead_id, n, type, endpoint, subject, created_at, next_at, first_at,"
    " status, attempts, body, last_error) VALUES($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11,"
    " $12) ON CONFLICT DO NOTHING";

static lf_status ob_put(lf_store *st, const lf_outbox_row *row, lf_error *err)
{
    pg_params p = {0};
    row_head(&p, row);
    lf_pg_time(&p, row->first_at);
    lf_pg_int(&p, row->status);
    lf_pg_int(&p, row->attempts);
    lf_pg_text(&p, row->body);
    lf_pg_text(&p, row->last_error);
    return lf_pg_run((pg_store *)st, "ob_put", q_put, &p, NULL, err, "cannot write a delivery");
}

static lf_status ob_lead_handoffs(lf_store *st, int64_t lead, lf_handoff_row_fn fn, void *ctx,
                                  lf_error *err)
{
    pg_params p = {0};
    lf_pg_int(&p, lead);
    PGresult *r = lf_pg_exec(st, "ob_lead_handoffs", q_lead_handoffs, &p, err,
                             "cannot read handoffs");
    if (!r)
        return LF_ESTORE;
    lf_status s = LF_OK;
    for (int i = 0; s == LF_OK && i < PQntuples(r); i++) {
        lf_state_handoff h = {.mql_at = lf_pg_int64(r, i, 0), .decided_at = lf_pg_timecol(r, i, 1),
                              .first_contact_at = lf_pg_timecol(r, i, 2),
                              .outcome = (uint8_t)lf_pg_int64(r, i, 3),
                              .score = lf_pg_dbl(r, i, 4)};
        s = fn(ctx, &h, err);
    }
    PQclear(r);
    return s;
}

const lf_store_outbox_ops lf_pg_outbox_ops = {
    .add = ob_add,
    .due = ob_due,
    .scan = ob_scan,
    .claim = ob_claim,
    .result = ob_result,
    .requeue = ob_requeue,
    .put = ob_put,
    .lead_handoffs = ob_lead_handoffs,
};
