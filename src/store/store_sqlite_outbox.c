/*
 * store_sqlite_outbox.c — the outbox of alerts in the SQLite store (leadflow/store.h,
 * "the outbox"), and the stored handoffs of one lead that alerts compare against.
 *
 * Table (schema 4, store_sqlite.c):
 *   outbox(lead, n, type, endpoint, subject, created_at, next_at, first_at, status,
 *          attempts, body, last_error)  PRIMARY KEY(lead, n),
 *          UNIQUE(lead, type, subject, endpoint)
 * n is the next number of the lead (max + 1, under the write lock of the caller's
 * transaction), so a lead's deliveries keep the order they were added in. Claims are
 * compare-and-set on next_at: of two deliverers that saw the same due row, one wins.
 * Statements are prepared once, on first use, and finalized when the store closes.
 */
#include <stdlib.h>

#include "store_sqlite.h"

enum {
    O_NEXT_N, O_ADD, O_DUE, O_SCAN, O_CLAIM, O_RESULT, O_REQUEUE, O_LEAD_HANDOFFS, O_PUT,
    O__COUNT
};

static const char *const outbox_sql[O__COUNT] = {
    [O_NEXT_N] = "SELECT coalesce(max(n), 0) + 1 FROM outbox WHERE lead = ?1",
    [O_ADD] = "INSERT OR IGNORE INTO outbox(lead, n, type, endpoint, subject, created_at,"
              " next_at, first_at, status, attempts, body, last_error)"
              " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, NULL, 0, 0, NULL, NULL)",
    [O_DUE] = "SELECT o.lead, o.n, o.type, o.endpoint, o.subject, o.created_at, o.next_at,"
              " o.first_at, o.status, o.attempts, o.body, o.last_error, l.id"
              " FROM outbox o LEFT JOIN leads l ON l.rowid = o.lead"
              " WHERE o.status = 0 AND o.next_at <= ?1 AND NOT EXISTS (SELECT 1 FROM outbox p"
              "  WHERE p.lead = o.lead AND p.endpoint = o.endpoint AND p.status = 0"
              "  AND p.n < o.n)"
              " ORDER BY o.next_at, o.lead, o.n LIMIT ?2",
    [O_SCAN] = "SELECT o.lead, o.n, o.type, o.endpoint, o.subject, o.created_at, o.next_at,"
               " o.first_at, o.status, o.attempts, o.body, o.last_error, l.id"
               " FROM outbox o LEFT JOIN leads l ON l.rowid = o.lead"
               " WHERE (?1 >> o.status) & 1 ORDER BY o.lead, o.n",
    [O_CLAIM] = "UPDATE outbox SET next_at = ?4, attempts = attempts + 1,"
                " first_at = coalesce(first_at, ?5), body = coalesce(body, ?6)"
                " WHERE lead = ?1 AND n = ?2 AND status = 0 AND next_at = ?3",
    [O_RESULT] = "UPDATE outbox SET status = ?3, next_at = ?4, last_error = ?5"
                 " WHERE lead = ?1 AND n = ?2",
    [O_REQUEUE] = "UPDATE outbox SET status = 0, next_at = ?1, attempts = 0, first_at = NULL"
                  " WHERE status = 2",
    [O_PUT] = "INSERT OR IGNORE INTO outbox(lead, n, type, endpoint, subject, created_at,"
              " next_at, first_at, status, attempts, body, last_error)"
              " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
    [O_LEAD_HANDOFFS] = "SELECT mql_at, decided_at, first_contact_at, outcome, score"
                        " FROM handoffs WHERE lead = ?1 ORDER BY n",
};

struct sq_outbox {
    sqlite3_stmt *q[O__COUNT];
};

void lf_sq_outbox_close(lf_store *st)
{
    struct sq_outbox **slot = lf_sq_outbox_slot(st);
    if (!*slot)
        return;
    for (int i = 0; i < O__COUNT; i++)
        sqlite3_finalize((*slot)->q[i]);
    free(*slot);
    *slot = NULL;
}

/* Statement i into *out, prepared on first use. */
static lf_status stmt(lf_store *st, int i, sqlite3_stmt **out, lf_error *err)
{
    struct sq_outbox **slot = lf_sq_outbox_slot(st);
    *out = NULL;
    if (!*slot && !(*slot = calloc(1, sizeof **slot)))
        return lf_errorf(err, LF_ENOMEM, "out of memory");
    sqlite3_stmt **s = &(*slot)->q[i];
    if (!*s && sqlite3_prepare_v3(lf_sq_db(st), outbox_sql[i], -1, SQLITE_PREPARE_PERSISTENT, s,
                                  NULL) != SQLITE_OK) {
        *s = NULL;
        return lf_sq_error(st, SQLITE_ERROR, err, "cannot prepare outbox statement");
    }
    *out = *s;
    return LF_OK;
}

/* Runs s to its end (no rows), resets it; *changes = rows changed (may be NULL). */
static lf_status run(lf_store *st, sqlite3_stmt *s, int *changes, lf_error *err,
                     const char *what)
{
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    if (rc != SQLITE_DONE)
        return lf_sq_error(st, rc, err, what);
    if (changes)
        *changes = sqlite3_changes(lf_sq_db(st));
    return LF_OK;
}

static lf_status ob_add(lf_store *st, lf_outbox_row *row, bool *added, lf_error *err)
{
    sqlite3_stmt *next, *add;
    lf_status r0 = stmt(st, O_NEXT_N, &next, err);
    if (r0 != LF_OK || (r0 = stmt(st, O_ADD, &add, err)) != LF_OK)
        return r0;
    sqlite3_bind_int64(next, 1, row->lead);
    int rc = sqlite3_step(next);
    row->n = rc == SQLITE_ROW ? sqlite3_column_int64(next, 0) : 0;
    sqlite3_reset(next);
    if (rc != SQLITE_ROW)
        return lf_sq_error(st, rc, err, "cannot number a delivery");
    sqlite3_bind_int64(add, 1, row->lead);
    sqlite3_bind_int64(add, 2, row->n);
    lf_sq_bind_text(add, 3, row->type);
    lf_sq_bind_text(add, 4, row->endpoint);
    sqlite3_bind_int64(add, 5, row->subject);
    sqlite3_bind_int64(add, 6, row->created_at);
    sqlite3_bind_int64(add, 7, row->next_at);
    int changes = 0;
    lf_status r = run(st, add, &changes, err, "cannot add a delivery");
    *added = r == LF_OK && changes > 0;
    return r;
}

/* Calls fn for every row of a prepared outbox select (the columns of O_DUE). */
static lf_status each_row(lf_store *st, sqlite3_stmt *s, lf_outbox_fn fn, void *ctx,
                          lf_error *err)
{
    int rc;
    lf_status r = LF_OK;
    while (r == LF_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        lf_outbox_row o = {
            .lead = sqlite3_column_int64(s, 0),
            .n = sqlite3_column_int64(s, 1),
            .type = (const char *)sqlite3_column_text(s, 2),
            .endpoint = (const char *)sqlite3_column_text(s, 3),
            .subject = sqlite3_column_int64(s, 4),
            .created_at = sqlite3_column_int64(s, 5),
            .next_at = sqlite3_column_int64(s, 6),
            .first_at = lf_sq_col_time(s, 7),
            .status = sqlite3_column_int(s, 8),
            .attempts = sqlite3_column_int(s, 9),
            .body = (const char *)sqlite3_column_text(s, 10),
            .last_error = (const char *)sqlite3_column_text(s, 11),
            .lead_id = (const char *)sqlite3_column_text(s, 12),
        };
        r = fn(ctx, &o, err);
    }
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    if (r == LF_OK && rc != SQLITE_DONE)
        return lf_sq_error(st, rc, err, "cannot read the outbox");
    return r;
}

static lf_status ob_due(lf_store *st, lf_time now, size_t limit, lf_outbox_fn fn, void *ctx,
                        lf_error *err)
{
    sqlite3_stmt *s;
    lf_status r0 = stmt(st, O_DUE, &s, err);
    if (r0 != LF_OK)
        return r0;
    sqlite3_bind_int64(s, 1, now);
    sqlite3_bind_int64(s, 2, limit > INT32_MAX ? INT32_MAX : (int64_t)limit);
    return each_row(st, s, fn, ctx, err);
}

static lf_status ob_scan(lf_store *st, unsigned statuses, lf_outbox_fn fn, void *ctx,
                         lf_error *err)
{
    sqlite3_stmt *s;
    lf_status r0 = stmt(st, O_SCAN, &s, err);
    if (r0 != LF_OK)
        return r0;
    sqlite3_bind_int64(s, 1, statuses);
    return each_row(st, s, fn, ctx, err);
}

static lf_status ob_claim(lf_store *st, int64_t lead, int64_t n, lf_time expect, lf_time lease,
                          lf_time now, const char *body, bool *claimed, lf_error *err)
{
    sqlite3_stmt *s;
    lf_status r0 = stmt(st, O_CLAIM, &s, err);
    if (r0 != LF_OK)
        return r0;
    sqlite3_bind_int64(s, 1, lead);
    sqlite3_bind_int64(s, 2, n);
    sqlite3_bind_int64(s, 3, expect);
    sqlite3_bind_int64(s, 4, lease);
    sqlite3_bind_int64(s, 5, now);
    lf_sq_bind_text(s, 6, body);
    int changes = 0;
    lf_status r = run(st, s, &changes, err, "cannot claim a delivery");
    *claimed = r == LF_OK && changes > 0;
    return r;
}

static lf_status ob_result(lf_store *st, int64_t lead, int64_t n, int status, lf_time next_at,
                           const char *error, lf_error *err)
{
    sqlite3_stmt *s;
    lf_status r0 = stmt(st, O_RESULT, &s, err);
    if (r0 != LF_OK)
        return r0;
    sqlite3_bind_int64(s, 1, lead);
    sqlite3_bind_int64(s, 2, n);
    sqlite3_bind_int(s, 3, status);
    sqlite3_bind_int64(s, 4, next_at);
    lf_sq_bind_text(s, 5, error);
    return run(st, s, NULL, err, "cannot record a delivery attempt");
}

static lf_status ob_requeue(lf_store *st, lf_time now, int64_t *count, lf_error *err)
{
    sqlite3_stmt *s;
    lf_status r0 = stmt(st, O_REQUEUE, &s, err);
    if (r0 != LF_OK)
        return r0;
    sqlite3_bind_int64(s, 1, now);
    int changes = 0;
    lf_status r = run(st, s, &changes, err, "cannot requeue failed deliveries");
    *count = r == LF_OK ? changes : 0;
    return r;
}

static lf_status ob_put(lf_store *st, const lf_outbox_row *row, lf_error *err)
{
    sqlite3_stmt *s;
    lf_status r0 = stmt(st, O_PUT, &s, err);
    if (r0 != LF_OK)
        return r0;
    sqlite3_bind_int64(s, 1, row->lead);
    sqlite3_bind_int64(s, 2, row->n);
    lf_sq_bind_text(s, 3, row->type);
    lf_sq_bind_text(s, 4, row->endpoint);
    sqlite3_bind_int64(s, 5, row->subject);
    sqlite3_bind_int64(s, 6, row->created_at);
    sqlite3_bind_int64(s, 7, row->next_at);
    lf_sq_bind_time(s, 8, row->first_at);
    sqlite3_bind_int(s, 9, row->status);
    sqlite3_bind_int(s, 10, row->attempts);
    lf_sq_bind_text(s, 11, row->body);
    lf_sq_bind_text(s, 12, row->last_error);
    return run(st, s, NULL, err, "cannot write a delivery");
}

static lf_status ob_lead_handoffs(lf_store *st, int64_t lead, lf_handoff_row_fn fn, void *ctx,
                                  lf_error *err)
{
    sqlite3_stmt *s;
    lf_status r0 = stmt(st, O_LEAD_HANDOFFS, &s, err);
    if (r0 != LF_OK)
        return r0;
    sqlite3_bind_int64(s, 1, lead);
    int rc;
    lf_status r = LF_OK;
    while (r == LF_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        lf_state_handoff h = {.mql_at = sqlite3_column_int64(s, 0),
                              .decided_at = lf_sq_col_time(s, 1),
                              .first_contact_at = lf_sq_col_time(s, 2),
                              .outcome = (uint8_t)sqlite3_column_int(s, 3),
                              .score = sqlite3_column_double(s, 4)};
        r = fn(ctx, &h, err);
    }
    sqlite3_reset(s);
    if (r == LF_OK && rc != SQLITE_DONE)
        return lf_sq_error(st, rc, err, "cannot read handoffs");
    return r;
}

const lf_store_outbox_ops lf_sq_outbox_ops = {
    .add = ob_add,
    .due = ob_due,
    .scan = ob_scan,
    .claim = ob_claim,
    .result = ob_result,
    .requeue = ob_requeue,
    .put = ob_put,
    .lead_handoffs = ob_lead_handoffs,
};
