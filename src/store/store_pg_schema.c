/*
 * store_pg_schema.c — the PostgreSQL store's schema and its versioned migrations.
 *
 * Every table of a lead is keyed by lead_id first and has no foreign key at all, so a
 * Citus cluster can distribute it by lead_id (docs/postgresql.md has the calls):
 * leads, events, transitions, handoffs, ignored, lead_state, pending, outbox. The two
 * uniqueness rules that are not per lead -- a lead's id, an event's identity -- live in
 * tables of their own keyed by that value (lead_keys, event_keys), which Citus
 * distributes by it. schema_version, meta, files, costs, traffic and rejects are small
 * reference tables.
 *
 * migrations[v] takes a store from version v to v + 1; a new store runs them all. They
 * run in one transaction under a session advisory lock, so two processes opening a new
 * database at once create it once (the second finds the version written).
 */
#include <stdlib.h>
#include <string.h>

#include "store_pg.h"

#define SCHEMA_VERSION 1
#define SCHEMA_LOCK "7236025"  /* the advisory lock key of schema changes */

static const char schema_v1[] =
    "CREATE TABLE schema_version(version integer NOT NULL);"
    "INSERT INTO schema_version(version) VALUES(0);"
    "CREATE TABLE meta(generation bigint NOT NULL);"
    /* a random start: a cache left by another store can never pass for this one's */
    "INSERT INTO meta(generation) VALUES(floor(random() * 4611686018427387903)::bigint);"
    "CREATE TABLE files(id bigserial PRIMARY KEY, name text NOT NULL UNIQUE);"
    "CREATE TABLE lead_keys(id text PRIMARY KEY, lead_id bigint NOT NULL);"
    "CREATE TABLE leads("
    "  lead_id bigserial PRIMARY KEY, id text NOT NULL, email text,"
    "  created_at bigint NOT NULL, source text, channel text NOT NULL,"
    "  origin text NOT NULL, persona text NOT NULL, attrs text NOT NULL,"
    "  origin_given text, persona_given text);"
    /* key: the identity's bytes, or 0xff and its SHA-256 when long (store_pg_log.c) */
    "CREATE TABLE event_keys(key bytea PRIMARY KEY, lead_id bigint NOT NULL);"
    "CREATE TABLE events("
    "  lead_id bigint NOT NULL, seq bigserial, ident text NOT NULL,"
    "  ext_id text, ts bigint NOT NULL, kind integer NOT NULL, type text NOT NULL,"
    "  detail text, reason text, amount double precision, file bigint, line bigint,"
    "  PRIMARY KEY(lead_id, ts, seq));" /* a lead's events in replay order */
    "CREATE INDEX events_seq ON events(seq);" /* the log in import order (copy) */
    "CREATE TABLE transitions("
    "  lead_id bigint NOT NULL, n integer NOT NULL, ts bigint NOT NULL,"
    "  from_stage integer, to_stage integer NOT NULL, cause integer NOT NULL,"
    "  event_seq bigint, PRIMARY KEY(lead_id, n));"
    "CREATE TABLE handoffs("
    "  lead_id bigint NOT NULL, n integer NOT NULL, mql_at bigint NOT NULL,"
    "  decided_at bigint, first_contact_at bigint, outcome integer NOT NULL,"
    "  cause integer NOT NULL, open_seq bigint, close_seq bigint, contact_seq bigint,"
    "  score double precision NOT NULL, PRIMARY KEY(lead_id, n));"
    "CREATE TABLE ignored(lead_id bigint NOT NULL, seq bigint NOT NULL,"
    "  reason text NOT NULL, PRIMARY KEY(lead_id, seq));"
    "CREATE TABLE lead_state("
    "  lead_id bigint PRIMARY KEY, stage integer NOT NULL, stage_since bigint NOT NULL,"
    "  won_at bigint, revenue double precision NOT NULL);"
    "CREATE TABLE pending(lead_id bigint PRIMARY KEY);"
    "CREATE TABLE costs(date text NOT NULL, channel text NOT NULL,"
    "  amount double precision NOT NULL, PRIMARY KEY(date, channel));"
    "CREATE TABLE traffic(date text NOT NULL, channel text NOT NULL,"
    "  visitors double precision NOT NULL, PRIMARY KEY(date, channel));"
    /* raw is bytea (a rejected row may hold any bytes); unique by its digest, since a
     * b-tree cannot index a value of any length */
    "CREATE TABLE rejects("
    "  id bigserial PRIMARY KEY, kind text NOT NULL, file text NOT NULL,"
    "  line bigint NOT NULL, reason text NOT NULL, raw bytea NOT NULL);"
    "CREATE UNIQUE INDEX rejects_once ON rejects(kind, file, line, sha256(raw));"
    "CREATE TABLE outbox("
    "  lead_id bigint NOT NULL, n bigint NOT NULL, type text NOT NULL,"
    "  endpoint text NOT NULL, subject bigint NOT NULL, created_at bigint NOT NULL,"
    "  next_at bigint NOT NULL, first_at bigint, status integer NOT NULL,"
    "  attempts integer NOT NULL, body text, last_error text,"
    "  PRIMARY KEY(lead_id, n), UNIQUE(lead_id, type, subject, endpoint));"
    "CREATE INDEX outbox_due ON outbox(status, next_at);"
    "UPDATE schema_version SET version = 1;";

static const char *const migrations[SCHEMA_VERSION] = {
    [0] = schema_v1,
};

/* The schema version: -1 without one (a new database), -2 on an error (err set). */
static int schema_version(pg_store *st, lf_error *err)
{
    PGresult *r = PQexec(st->conn, "SELECT to_regclass('schema_version') IS NOT NULL");
    if (!r || PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
        lf_pg_result_error(st, r, err, "cannot read schema version");
        PQclear(r);
        return -2;
    }
    bool has = strcmp(PQgetvalue(r, 0, 0), "t") == 0;
    PQclear(r);
    if (!has)
        return -1;
    r = PQexec(st->conn, "SELECT version FROM schema_version");
    int v = -2;
    if (r && PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
        v = atoi(PQgetvalue(r, 0, 0));
    else
        lf_pg_result_error(st, r, err, "cannot read schema version (not a leadflow store?)");
    PQclear(r);
    return v;
}

/* Under the schema lock, in one transaction: the migrations from the version found. */
static lf_status schema_write(pg_store *st, lf_error *err)
{
    lf_status s = lf_pg_simple(st, "BEGIN", err, "cannot create schema");
    if (s == LF_OK)
        s = lf_pg_simple(st, "SELECT pg_advisory_xact_lock(" SCHEMA_LOCK ")", err,
                         "cannot lock the schema");
    int v = s == LF_OK ? schema_version(st, err) : -2;
    if (v == -2)
        s = LF_ESTORE;
    for (int i = v < 0 ? 0 : v; s == LF_OK && i < SCHEMA_VERSION; i++)
        s = lf_pg_simple(st, migrations[i], err, v < 0 ? "cannot create schema"
                                                       : "cannot upgrade schema");
    if (s == LF_OK)
        return lf_pg_simple(st, "COMMIT", err, "cannot commit schema");
    lf_pg_simple(st, "ROLLBACK", NULL, "cannot roll back");
    return s;
}

lf_status lf_pg_schema(pg_store *st, lf_error *err)
{
    int v = schema_version(st, err);
    if (v == -2)
        return LF_ESTORE;
    if (v == SCHEMA_VERSION)
        return LF_OK;
    if (v > SCHEMA_VERSION)
        return lf_errorf(err, LF_ESTORE,
                         "store '%s': schema version %d, this leadflow reads versions up to %d "
                         "(upgrade leadflow)",
                         st->location, v, SCHEMA_VERSION);
    return schema_write(st, err);
}
