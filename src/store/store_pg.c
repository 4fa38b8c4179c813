/*
 * store_pg.c — the shared store (PostgreSQL 15 or later), implementing leadflow/store.h
 * for a team: several processes and machines on one database.
 *
 * Place in the flow: ingest -> [event log] -> lifecycle -> [derived state] -> reports,
 * as store_sqlite.c; the contracts are store.h's, held by tests/unit/test_store.c.
 * Files: this one (the connection, statements, transactions), store_pg_schema.c,
 * store_pg_log.c (the event log), store_pg_scan.c (scans, derived state),
 * store_pg_outbox.c. Tables (schema version 1, store_pg_schema.c):
 *   lead_keys(id PK, lead_id)        a lead's id -> its number (the unique lead id)
 *   event_keys(key PK, lead_id)      an event's identity (the idempotent log)
 *   leads, events, transitions, handoffs, ignored, lead_state, pending, outbox
 *                                    a lead's tables: keyed by lead_id first, no foreign
 *                                    key across leads (Citus distributes them by lead_id)
 *   schema_version, meta, files, costs, traffic, rejects    small reference tables
 * Concurrency. Write transactions run at READ COMMITTED with lock_timeout =
 * LEADFLOW_LOCK_TIMEOUT: writers of different leads never wait for each other. A writer
 * locks a lead's row (SELECT ... FOR UPDATE) before it marks the lead pending and
 * before it reads the lead's events to replay it, and holds the lock to its commit; so
 * the replay that commits last has read every event committed before it, and no update
 * is lost (two writers of one lead take turns). Handoff alerts are unique per (lead,
 * type, subject, endpoint) and numbered under the same lock: never opened twice. Read
 * transactions are REPEATABLE READ READ ONLY: one snapshot, never waiting. The
 * generation is one row of meta, bumped by a random step just before each commit.
 * Durability: a COMMIT returns once its WAL record is flushed (synchronous_commit=on, the
 * server's default), so set_durable, sync_log and checkpoint have nothing to do.
 * Memory: scans read a bounded chunk of leads at a time (keyset pagination by lead_id),
 * never a whole table.
 * Bulk writes: the importer's batches of leads and events are sent with COPY (text
 * rows, lf_pg_copy_*) into a TEMP staging table of the session, then moved into their
 * tables by one statement each, sent with the COPY (lf_pg_stage; store_pg_leads.c,
 * store_pg_log.c): two round trips a batch.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "leadflow/buf.h"
#include "leadflow/store.h"
#include "store_pg.h"


/* ---- parameters and columns (store_pg.h) ---------------------------------------- */

void lf_pg_text(pg_params *p, const char *s)
{
    if (p->n < PG_MAX_PARAMS)
        p->v[p->n++] = s;
}

void lf_pg_int(pg_params *p, int64_t x)
{
    if (p->n >= PG_MAX_PARAMS)
        return;
    snprintf(p->num[p->n], sizeof p->num[0], "%lld", (long long)x);
    p->v[p->n] = p->num[p->n];
    p->n++;
}

void lf_pg_time(pg_params *p, lf_time t)
{
    if (t == LF_TIME_NONE)
        lf_pg_text(p, NULL);
    else
        lf_pg_int(p, t);
}

void lf_pg_double(pg_params *p, double x)
{
    if (p->n >= PG_MAX_PARAMS)
        return;
    snprintf(p->num[p->n], sizeof p->num[0], "%.17g", x);
    p->v[p->n] = p->num[p->n];
    p->n++;
}

const char *lf_pg_str(const PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) ? NULL : PQgetvalue(r, row, col);
}

int64_t lf_pg_int64(const PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) ? 0 : strtoll(PQgetvalue(r, row, col), NULL, 10);
}

lf_time lf_pg_timecol(const PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) ? LF_TIME_NONE : strtoll(PQgetvalue(r, row, col), NULL, 10);
}

double lf_pg_dbl(const PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) ? 0 : strtod(PQgetvalue(r, row, col), NULL);
}

static void arr_sep(pg_arrays *a, int k)
{
    if (a->s == LF_OK && a->n[k]++)
        a->s = lf_buf_addc(a->b, ',');
}

void lf_pg_arr_int(pg_arrays *a, int k, bool null, int64_t v)
{
    arr_sep(a, k);
    if (a->s == LF_OK)
        a->s = null ? lf_buf_adds(a->b, "NULL") : lf_buf_addf(a->b, "%lld", (long long)v);
}

void lf_pg_arr_dbl(pg_arrays *a, int k, double v)
{
    arr_sep(a, k);
    if (a->s == LF_OK)
        a->s = lf_buf_addf(a->b, "%.17g", v);
}

/* A text element: double-quoted, '"' and '\' escaped (array literal syntax). */
void lf_pg_arr_text(pg_arrays *a, int k, const char *v)
{
    arr_sep(a, k);
    if (a->s == LF_OK && !v) {
        a->s = lf_buf_adds(a->b, "NULL");
        return;
    }
    if (a->s == LF_OK)
        a->s = lf_buf_addc(a->b, '"');
    for (const char *c = v; a->s == LF_OK && *c; c++)
        a->s = *c == '"' || *c == '\\' ? lf_buf_add(a->b, (char[]){'\\', *c}, 2)
                                       : lf_buf_addc(a->b, *c);
    if (a->s == LF_OK)
        a->s = lf_buf_addc(a->b, '"');
}

/* ---- rows for COPY (text format) -------------------------------------------------- */

/* Starts a field: a tab before all but the row's first. */
static void copy_field(pg_copy *c)
{
    if (c->mid && c->s == LF_OK)
        c->s = lf_buf_addc(c->b, '\t');
    c->mid = true;
}

void lf_pg_copy_init(pg_copy *c, lf_buf *b)
{
    *c = (pg_copy){.b = b};
}

void lf_pg_copy_int(pg_copy *c, bool null, int64_t v)
{
    copy_field(c);
    if (null) {
        if (c->s == LF_OK)
            c->s = lf_buf_add(c->b, "\\N", 2);
        return;
    }
    char d[24]; /* the digits backwards: snprintf is the slow part of a row */
    int n = 0;
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    do
        d[n++] = (char)('0' + u % 10);
    while ((u /= 10) && n < 20);
    if (v < 0)
        d[n++] = '-';
    for (int i = n - 1; i >= 0 && c->s == LF_OK; i--)
        c->s = lf_buf_addc(c->b, d[i]);
}

void lf_pg_copy_dbl(pg_copy *c, bool null, double v)
{
    copy_field(c);
    if (c->s == LF_OK)
        c->s = null ? lf_buf_add(c->b, "\\N", 2) : lf_buf_addf(c->b, "%.17g", v);
}

/* A value: backslash, tab, newline and CR escaped; nothing else means anything. */
void lf_pg_copy_text(pg_copy *c, const char *v)
{
    copy_field(c);
    if (!v) {
        if (c->s == LF_OK)
            c->s = lf_buf_add(c->b, "\\N", 2);
        return;
    }
    while (c->s == LF_OK) {
        size_t plain = strcspn(v, "\\\t\n\r");
        c->s = lf_buf_add(c->b, v, plain);
        v += plain;
        if (!*v || c->s != LF_OK)
            break;
        char esc[2] = {'\\', *v == '\t' ? 't' : *v == '\n' ? 'n' : *v == '\r' ? 'r' : '\\'};
        c->s = lf_buf_add(c->b, esc, 2);
        v++;
    }
}

void lf_pg_copy_eol(pg_copy *c)
{
    if (c->s == LF_OK)
        c->s = lf_buf_addc(c->b, '\n');
    c->mid = false;
}

/* ---- the connection -------------------------------------------------------------- */

static bool is_prepared(pg_store *st, const char *name)
{
    for (size_t i = 0; i < st->nprepared; i++)
        if (strcmp(st->prepared[i], name) == 0)
            return true;
    return false;
}

/* The length of msg's first line, without trailing blanks (libpq's connection errors
 * go on with hints on further lines). */
static int first_line(const char *msg)
{
    size_t n = strcspn(msg, "\n");
    while (n && msg[n - 1] == ' ')
        n--;
    return (int)n;
}

/* The error of a failed result: busy for a lock wait past lock_timeout (55P03) or a
 * deadlock the server broke (40P01), else the server's message. */
lf_status lf_pg_result_error(pg_store *st, const PGresult *r, lf_error *err, const char *what)
{
    const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    if (state && (strcmp(state, "55P03") == 0 || strcmp(state, "40P01") == 0))
        return lf_errorf(err, LF_ESTORE,
                         "store '%s' is busy: another process is writing to the same leads "
                         "(waited %d s; LEADFLOW_LOCK_TIMEOUT sets the wait in seconds)",
                         st->location, st->lock_timeout);
    const char *msg = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    if (!msg)
        msg = PQerrorMessage(st->conn);
    return lf_errorf(err, LF_ESTORE, "store '%s': %s: %.*s", st->location, what,
                     first_line(msg), msg);
}

/* The results of the statements sent in pipeline mode, up to the sync that ends it;
 * the first error into err. Leaves the connection out of pipeline mode. */
static lf_status pipe_drain(pg_store *st, lf_error *err)
{
    if (PQpipelineStatus(st->conn) == PQ_PIPELINE_OFF)
        return LF_OK;
    lf_status s = PQpipelineSync(st->conn) == 1 ? LF_OK
                  : lf_pg_result_error(st, NULL, err, "cannot send statements");
    for (int i = 0; s == LF_OK && i < st->piped; i++) { /* a result, then NULL, each */
        PGresult *r = PQgetResult(st->conn);
        ExecStatusType rs = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
        if (rs != PGRES_COMMAND_OK && rs != PGRES_TUPLES_OK)
            s = lf_pg_result_error(st, rs == PGRES_PIPELINE_ABORTED ? NULL : r, err,
                                   "cannot write");
        PQclear(r);
        if (r && (r = PQgetResult(st->conn)) != NULL) { /* not the end of its results */
            PQclear(r);
            s = s == LF_OK ? lf_errorf(err, LF_ESTORE, "store '%s': unexpected result",
                                       st->location)
                           : s;
        }
    }
    /* what is left up to the sync (all of it after an error) */
    for (int left = st->piped * 2 + 2; left > 0; left--) {
        PGresult *r = PQgetResult(st->conn);
        bool sync = r && PQresultStatus(r) == PGRES_PIPELINE_SYNC;
        PQclear(r);
        if (sync)
            break;
    }
    st->piped = 0;
    if (PQexitPipelineMode(st->conn) != 1 && s == LF_OK)
        s = lf_pg_result_error(st, NULL, err, "cannot leave pipeline mode");
    return s;
}

/* Prepares statement `name` on the connection once. */
static lf_status prepare(pg_store *st, const char *name, const char *sql, lf_error *err)
{
    if (is_prepared(st, name))
        return LF_OK;
    if (st->nprepared == PG_MAX_PREPARED)
        return lf_errorf(err, LF_ESTORE, "store '%s': too many statements", st->location);
    lf_status s = pipe_drain(st, err);
    if (s != LF_OK)
        return s;
    PGresult *pr = PQprepare(st->conn, name, sql, 0, NULL);
    bool ok = pr && PQresultStatus(pr) == PGRES_COMMAND_OK;
    if (!ok)
        s = lf_pg_result_error(st, pr, err, "cannot prepare statement");
    PQclear(pr);
    if (ok)
        st->prepared[st->nprepared++] = name;
    return s;
}

#define PIPE_MAX 256 /* statements in flight before their results are read */

lf_status lf_pg_send(pg_store *st, const char *name, const char *sql, const pg_params *p,
                     lf_error *err, const char *what)
{
    lf_status s = prepare(st, name, sql, err);
    if (s != LF_OK)
        return s;
    if (PQpipelineStatus(st->conn) == PQ_PIPELINE_OFF && PQenterPipelineMode(st->conn) != 1)
        return lf_pg_result_error(st, NULL, err, what);
    if (PQsendQueryPrepared(st->conn, name, p ? p->n : 0, p ? p->v : NULL, NULL, NULL, 0) != 1)
        return lf_pg_result_error(st, NULL, err, what);
    PQclear(st->held);
    st->held = NULL;
    return ++st->piped >= PIPE_MAX ? pipe_drain(st, err) : LF_OK;
}

PGresult *lf_pg_exec(lf_store *base, const char *name, const char *sql, const pg_params *p,
                     lf_error *err, const char *what)
{
    pg_store *st = (pg_store *)base;
    if (prepare(st, name, sql, err) != LF_OK || pipe_drain(st, err) != LF_OK)
        return NULL;
    PGresult *r = PQexecPrepared(st->conn, name, p ? p->n : 0, p ? p->v : NULL, NULL, NULL, 0);
    ExecStatusType s = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    if (s != PGRES_TUPLES_OK && s != PGRES_COMMAND_OK) {
        lf_pg_result_error(st, r, err, what);
        PQclear(r);
        return NULL;
    }
    PQclear(st->held); /* a lead_get's row: valid until the next store call */
    st->held = NULL;
    return r;
}

/* Runs a statement for its effect; *changed = rows it changed (may be NULL). */
lf_status lf_pg_run(pg_store *st, const char *name, const char *sql, const pg_params *p,
                    int64_t *changed, lf_error *err, const char *what)
{
    PGresult *r = lf_pg_exec(&st->base, name, sql, p, err, what);
    if (!r)
        return LF_ESTORE;
    if (changed)
        *changed = strtoll(PQcmdTuples(r), NULL, 10);
    PQclear(r);
    return LF_OK;
}

/* A statement of fixed text outside the prepared set (transaction control). */
lf_status lf_pg_simple(pg_store *st, const char *sql, lf_error *err, const char *what)
{
    lf_status drained = pipe_drain(st, err);
    if (drained != LF_OK)
        return drained;
    PGresult *r = PQexec(st->conn, sql);
    ExecStatusType s = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    lf_status out = LF_OK;
    if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK)
        out = lf_pg_result_error(st, r, err, what);
    PQclear(r);
    return out;
}

#define COPY_PIECE ((size_t)1 << 20) /* bytes of rows a PQputCopyData call sends */
#define COPY_LEAD 8                  /* statements at most before the COPY of a sql */

/* Sends sql and reads the results of its statements up to its COPY, which then waits
 * for rows; on an error, up to the end of the results. */
static lf_status copy_open(pg_store *st, const char *sql, lf_error *err, const char *what)
{
    if (PQsendQuery(st->conn, sql) != 1)
        return lf_pg_result_error(st, NULL, err, what);
    lf_status s = LF_OK;
    for (int i = 0; i <= COPY_LEAD; i++) {
        PGresult *r = PQgetResult(st->conn);
        if (!r) /* the end, the COPY not reached: an earlier statement failed */
            return s != LF_OK ? s
                              : lf_errorf(err, LF_ESTORE, "store '%s': %s: no COPY",
                                          st->location, what);
        ExecStatusType rs = PQresultStatus(r);
        if (rs == PGRES_COPY_IN && s == LF_OK) {
            PQclear(r);
            return LF_OK;
        }
        if (rs != PGRES_COMMAND_OK && s == LF_OK)
            s = lf_pg_result_error(st, r, err, what);
        PQclear(r);
    }
    return lf_errorf(err, LF_ESTORE, "store '%s': %s: unexpected results", st->location, what);
}

/* Sends data to the COPY copy_open reached and ends it; the result of the last
 * statement after it (rows expected), or NULL with *err set. */
static PGresult *copy_send(pg_store *st, const lf_buf *data, lf_error *err, const char *what)
{
    lf_status s = LF_OK;
    bool sent = true;
    for (size_t off = 0; sent && off < data->len; off += COPY_PIECE) {
        size_t n = data->len - off < COPY_PIECE ? data->len - off : COPY_PIECE;
        sent = PQputCopyData(st->conn, data->data + off, (int)n) == 1;
    }
    /* a failed send ends the COPY with an error: the server discards its rows */
    if (PQputCopyEnd(st->conn, sent ? NULL : "leadflow: cannot send rows") != 1)
        s = lf_pg_result_error(st, NULL, err, what);
    PGresult *last = NULL;
    for (int i = 0; i <= COPY_LEAD; i++) { /* the COPY's result, the EXECUTE's, NULL */
        PGresult *r = PQgetResult(st->conn);
        if (!r)
            break;
        ExecStatusType rs = PQresultStatus(r);
        if (rs != PGRES_COMMAND_OK && rs != PGRES_TUPLES_OK && s == LF_OK)
            s = lf_pg_result_error(st, r, err, what);
        PQclear(last);
        last = r;
    }
    if (s == LF_OK && (!last || PQresultStatus(last) != PGRES_TUPLES_OK))
        s = lf_errorf(err, LF_ESTORE, "store '%s': %s: unexpected results", st->location,
                      what);
    if (s == LF_OK)
        return last;
    PQclear(last);
    return NULL;
}

PGresult *lf_pg_stage(pg_store *st, const pg_stage *t, const lf_buf *rows, size_t n,
                      const char *name, const char *sql, lf_error *err, const char *what)
{
    size_t *held = &st->stage_bytes[t->slot];
    bool empty = *held > 0 && *held + rows->len > PG_STAGE_BYTES;
    /* the statement by EXECUTE in the COPY's round trip: prepared (once the table
     * exists), the number of the batch's first row its one parameter (a number of the
     * store's, not input) */
    char q[1024];
    int len = snprintf(q, sizeof q, "%s;%s%s%s;EXECUTE %s(%lld)", t->create,
                       empty ? t->empty : "", empty ? ";" : "", t->copy, name,
                       (long long)st->stage_ord);
    st->stage_ord += (int64_t)n; /* whatever comes next: an ord is never used twice */
    if (len < 0 || (size_t)len >= sizeof q) {
        lf_errorf(err, LF_ESTORE, "store '%s': %s: statement too long", st->location, what);
        return NULL;
    }
    lf_status s = is_prepared(st, name) ? LF_OK : lf_pg_simple(st, t->create, err, what);
    if (s != LF_OK || prepare(st, name, sql, err) != LF_OK || pipe_drain(st, err) != LF_OK ||
        copy_open(st, q, err, what) != LF_OK)
        return NULL;
    PQclear(st->held); /* as lf_pg_exec: a lead_get's row lives until the next call */
    st->held = NULL;
    *held = (empty ? 0 : *held) + rows->len;
    return copy_send(st, rows, err, what);
}

/* The URL as shown in messages and used to name the snapshot cache: without a password
 * (of the user part) and without the query (which may carry one). */
static char *redacted(const char *url)
{
    lf_buf b;
    lf_buf_init(&b, 0);
    const char *rest = strstr(url, "://");
    rest = rest ? rest + 3 : url;
    size_t end = strcspn(rest, "?");
    const char *at = memchr(rest, '@', end);
    const char *colon = at ? memchr(rest, ':', (size_t)(at - rest)) : NULL;
    lf_status s = lf_buf_add(&b, url, (size_t)(rest - url));
    if (colon && s == LF_OK)
        s = lf_buf_add(&b, rest, (size_t)(colon - rest));
    if (s == LF_OK) {
        const char *from = colon ? at : rest;
        s = lf_buf_add(&b, from, (size_t)(rest + end - from));
    }
    if (s != LF_OK || lf_buf_addc(&b, '\0') != LF_OK) {
        lf_buf_release(&b);
        return NULL;
    }
    return lf_buf_detach(&b);
}

static void pg_close(lf_store *base);

/* Connects and sets the session: the lock timeout (0 s waits 1 ms: PostgreSQL's 0
 * would wait forever), UTC, no notices on stderr. */
static lf_status pg_connect(pg_store *st, const char *url, lf_error *err)
{
    st->conn = PQconnectdb(url);
    if (!st->conn)
        return lf_errorf(err, LF_ENOMEM, "out of memory");
    if (PQstatus(st->conn) != CONNECTION_OK) {
        const char *msg = PQerrorMessage(st->conn);
        return lf_errorf(err, LF_ESTORE, "store '%s': cannot connect: %.*s", st->location,
                         first_line(msg), msg);
    }
    char sql[160];
    snprintf(sql, sizeof sql,
             "SET lock_timeout = %d; SET TIME ZONE 'UTC'; SET client_min_messages = warning;"
             " SET synchronous_commit = on",
             st->lock_timeout > 0 ? st->lock_timeout * 1000 : 1);
    return lf_pg_simple(st, sql, err, "cannot set up the session");
}

lf_status lf_store_pg_open(lf_store **out, const char *url, lf_error *err)
{
    *out = NULL;
    int timeout;
    lf_status s0 = lf_store_lock_timeout(&timeout, err);
    if (s0 != LF_OK)
        return s0;
    pg_store *st = calloc(1, sizeof *st);
    if (!st)
        return lf_errorf(err, LF_ENOMEM, "out of memory");
    st->base.ops = &lf_pg_ops;
    st->base.outbox = &lf_pg_outbox_ops;
    st->lock_timeout = timeout;
    st->location = redacted(url);
    if (!st->location) {
        free(st);
        return lf_errorf(err, LF_ENOMEM, "out of memory");
    }
    lf_status s = pg_connect(st, url, err);
    if (s == LF_OK)
        s = lf_pg_schema(st, err);
    if (s != LF_OK) {
        pg_close(&st->base);
        return s;
    }
    *out = &st->base;
    return LF_OK;
}

static void pg_close(lf_store *base)
{
    pg_store *st = (pg_store *)base;
    if (!st)
        return;
    PQclear(st->held);
    if (st->conn)
        PQfinish(st->conn);
    free(st->last_id);
    free(st->location);
    free(st->ev);
    free(st->seqs);
    free(st->trans);
    free(st->hand);
    lf_buf_release(&st->arr);
    free(st);
}

static const char *pg_location(const lf_store *base)
{
    return ((const pg_store *)base)->location;
}

/* ---- transactions ---------------------------------------------------------------- */

static lf_status pg_begin(lf_store *base, lf_error *err)
{
    pg_store *st = (pg_store *)base;
    lf_status s = lf_pg_simple(st, "BEGIN ISOLATION LEVEL READ COMMITTED", err,
                               "cannot begin transaction");
    if (s == LF_OK)
        st->txn = PG_TXN_WRITE;
    return s;
}

static lf_status pg_rollback(lf_store *base, lf_error *err)
{
    pg_store *st = (pg_store *)base;
    pipe_drain(st, NULL); /* the results of a failed transaction: dropped with it */
    free(st->last_id);
    st->last_id = NULL;
    if (PQtransactionStatus(st->conn) == PQTRANS_IDLE) {
        st->txn = PG_TXN_NONE;
        return LF_OK;
    }
    st->txn = PG_TXN_NONE;
    return lf_pg_simple(st, "ROLLBACK", err, "cannot roll back");
}

static const char q_gen_bump[] =
    "UPDATE meta SET generation = generation + 1 + floor(random() * 1048576)::bigint";

static lf_status pg_commit(lf_store *base, lf_error *err)
{
    pg_store *st = (pg_store *)base;
    lf_status s = lf_pg_run(st, "gen_bump", q_gen_bump, NULL, NULL, err, "cannot bump generation");
    if (s == LF_OK) {
        PGresult *r = PQexec(st->conn, "COMMIT");
        ExecStatusType rs = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
        if (rs != PGRES_COMMAND_OK)
            s = lf_pg_result_error(st, r, err, "cannot commit");
        else if (strcmp(PQcmdStatus(r), "COMMIT") != 0) /* an aborted transaction */
            s = lf_errorf(err, LF_ESTORE, "store '%s': cannot commit: the transaction failed",
                          st->location);
        PQclear(r);
    }
    if (s != LF_OK)
        pg_rollback(base, NULL); /* nothing of the transaction stays */
    st->txn = PG_TXN_NONE;
    return s;
}

static lf_status pg_read_begin(lf_store *base, lf_error *err)
{
    pg_store *st = (pg_store *)base;
    lf_status s = lf_pg_simple(st, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", err,
                               "cannot begin read transaction");
    if (s == LF_OK)
        st->txn = PG_TXN_READ;
    return s;
}

static void pg_read_end(lf_store *base)
{
    pg_store *st = (pg_store *)base;
    if (PQtransactionStatus(st->conn) != PQTRANS_IDLE)
        lf_pg_simple(st, "COMMIT", NULL, "cannot end read transaction");
    st->txn = PG_TXN_NONE;
}

static lf_status pg_generation(lf_store *base, int64_t *generation, lf_error *err)
{
    PGresult *r = lf_pg_exec(base, "gen_get", "SELECT generation FROM meta", NULL, err,
                             "cannot read generation");
    if (!r)
        return LF_ESTORE;
    bool ok = PQntuples(r) == 1;
    *generation = ok ? lf_pg_int64(r, 0, 0) : 0;
    PQclear(r);
    return ok ? LF_OK : lf_errorf(err, LF_ESTORE, "store '%s': no generation",
                                  ((pg_store *)base)->location);
}

/* A COMMIT is durable when it returns (synchronous_commit=on, set per session), and the
 * server does its own checkpoints: nothing to do for these. */
static lf_status pg_set_durable(lf_store *base, bool durable, lf_error *err)
{
    (void)base, (void)durable, (void)err;
    return LF_OK;
}

static lf_status pg_sync_log(lf_store *base, lf_error *err)
{
    (void)base, (void)err;
    return LF_OK;
}

static lf_status pg_set_auto_checkpoint(lf_store *base, bool on, lf_error *err)
{
    (void)base, (void)on, (void)err;
    return LF_OK;
}

static lf_status pg_set_frequent_commits(lf_store *base, bool on, lf_error *err)
{
    (void)base, (void)on, (void)err;
    return LF_OK;
}

static lf_status pg_checkpoint(lf_store *base, lf_error *err)
{
    (void)base, (void)err;
    return LF_OK;
}

const lf_store_ops lf_pg_ops = {
    .close = pg_close,
    .location = pg_location,
    .begin = pg_begin,
    .commit = pg_commit,
    .rollback = pg_rollback,
    .read_begin = pg_read_begin,
    .read_end = pg_read_end,
    .generation = pg_generation,
    .set_durable = pg_set_durable,
    .sync_log = pg_sync_log,
    .set_auto_checkpoint = pg_set_auto_checkpoint,
    .set_frequent_commits = pg_set_frequent_commits,
    .checkpoint = pg_checkpoint,
    .file_id = lf_pg_file_id,
    .pending_mark = lf_pg_pending_mark,
    .pending_list = lf_pg_pending_list,
    .lead_upsert = lf_pg_lead_upsert,
    .lead_upsert_batch = lf_pg_lead_upsert_batch,
    .lead_ids = lf_pg_lead_ids,
    .lead_count = lf_pg_lead_count,
    .lead_get = lf_pg_lead_get,
    .lead_rowid = lf_pg_lead_rowid,
    .lead_classify = lf_pg_lead_classify,
    .event_append = lf_pg_event_append,
    .event_append_batch = lf_pg_event_append_batch,
    .scan_events = lf_pg_scan_events,
    .scan_range = lf_pg_scan_range,
    .lead_events = lf_pg_lead_events,
    .log_scan = lf_pg_log_scan,
    .handoff_times = lf_pg_handoff_times,
    .derived_write = lf_pg_derived_write,
    .ignored_counts = lf_pg_ignored_counts,
    .ignored_scan = lf_pg_ignored_scan,
    .reject_add = lf_pg_reject_add,
    .rejects_scan = lf_pg_rejects_scan,
    .series_set = lf_pg_series_set,
    .scan_state = lf_pg_scan_state,
    .scan_series = lf_pg_scan_series,
    .scan_lead_attr = lf_pg_scan_lead_attr,
};
