/*
 * store_sqlite.c — the embedded store (SQLite), implementing leadflow/store.h.
 *
 * Place in the flow: ingest -> [event log] -> lifecycle -> [derived state] -> reports.
 * Tables:
 *   schema_version(version)          one row; bumped with every schema change
 *   meta(generation)                 one row; bumped by every change reports can see
 *   leads(rowid, id UNIQUE, ...)     as imported; re-import updates in place
 *   events(seq PK, lead, ident UNIQUE, ...)  append-only log; seq = import order
 *   event_leads, event_leads_new     (lead, ts, seq): the log's lead index in two
 *                                    parts (sq_log_merge); a lead's events are the union
 *   transitions, handoffs, ignored   derived, replaced per lead by the lifecycle
 *   lead_state(lead, ..., derived)   derived; `derived` is all of a lead's derived
 *                                    state as one value, so a replay that changed
 *                                    nothing writes nothing (sq_derived_write)
 *   costs, traffic                   (date, channel) -> amount, replaced per pair
 *   rejects                          rows that failed validation, once each
 *   outbox(lead, n, ...)             alerts to deliver (store_sqlite_outbox.c)
 * Invariants: every statement is prepared once at open and reused (no SQL is built
 * from input); the database runs in WAL mode with synchronous=NORMAL; callers group
 * writes into transactions with lf_store_begin/commit.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "leadflow/buf.h"
#include "leadflow/idmap.h"
#include "leadflow/store.h"
#include "store_impl.h"
#include "store_sqlite.h"

#define SCHEMA_VERSION 6

/* The schema of a new store (version 6: version 3, then migrate_3_4_sql,
 * migrate_4_5_sql and migrate_5_6_sql). */
static const char schema_sql[] =
    "CREATE TABLE schema_version(version INTEGER NOT NULL);"
    "CREATE TABLE meta(generation INTEGER NOT NULL);"
    /* a new store starts at a random generation, so that a cache left by another store
     * at the same path (a workspace made again) can never pass for this one's */
    "INSERT INTO meta(generation) VALUES(random() & 4611686018427387903);"
    "CREATE TABLE files(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);"
    "CREATE TABLE leads("
    "  rowid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, email TEXT,"
    "  created_at INTEGER NOT NULL, source TEXT, channel TEXT NOT NULL,"
    "  origin TEXT NOT NULL, persona TEXT NOT NULL, attrs TEXT NOT NULL,"
    "  origin_given TEXT, persona_given TEXT);"
    "CREATE TABLE events("
    "  seq INTEGER PRIMARY KEY, lead INTEGER NOT NULL, ident TEXT NOT NULL UNIQUE,"
    "  ext_id TEXT, ts INTEGER NOT NULL, kind INTEGER NOT NULL, type TEXT NOT NULL,"
    "  detail TEXT, reason TEXT, amount REAL, file INTEGER, line INTEGER);"
    "CREATE INDEX events_lead ON events(lead, ts, seq);"
    "CREATE TABLE transitions("
    "  lead INTEGER NOT NULL, n INTEGER NOT NULL, ts INTEGER NOT NULL,"
    "  from_stage INTEGER, to_stage INTEGER NOT NULL, cause INTEGER NOT NULL,"
    "  event_seq INTEGER, PRIMARY KEY(lead, n)) WITHOUT ROWID;"
    "CREATE TABLE handoffs("
    "  lead INTEGER NOT NULL, n INTEGER NOT NULL, mql_at INTEGER NOT NULL,"
    "  decided_at INTEGER, first_contact_at INTEGER, outcome INTEGER NOT NULL,"
    "  cause INTEGER NOT NULL, open_seq INTEGER, close_seq INTEGER, contact_seq INTEGER,"
    "  score REAL NOT NULL, PRIMARY KEY(lead, n)) WITHOUT ROWID;"
    "CREATE TABLE ignored(seq INTEGER PRIMARY KEY, lead INTEGER NOT NULL,"
    "  reason TEXT NOT NULL);"
    "CREATE INDEX ignored_lead ON ignored(lead);"
    "CREATE TABLE lead_state("
    "  lead INTEGER PRIMARY KEY, stage INTEGER NOT NULL, stage_since INTEGER NOT NULL,"
    "  won_at INTEGER, revenue REAL NOT NULL);"
    "CREATE TABLE pending(lead INTEGER PRIMARY KEY);"
    "CREATE TABLE costs(date TEXT NOT NULL, channel TEXT NOT NULL,"
    "  amount REAL NOT NULL, PRIMARY KEY(date, channel)) WITHOUT ROWID;"
    "CREATE TABLE traffic(date TEXT NOT NULL, channel TEXT NOT NULL,"
    "  visitors REAL NOT NULL, PRIMARY KEY(date, channel)) WITHOUT ROWID;"
    "CREATE TABLE rejects("
    "  id INTEGER PRIMARY KEY, kind TEXT NOT NULL, file TEXT NOT NULL,"
    "  line INTEGER NOT NULL, reason TEXT NOT NULL, raw TEXT NOT NULL,"
    "  UNIQUE(kind, file, line, raw));"
    "INSERT INTO schema_version(version) VALUES(3);";

/* Version 3 -> 4: the outbox of alerts (store_sqlite_outbox.c), keyed by lead first
 * like every table of a lead (lead 0 holds the workspace's own alerts). */
static const char migrate_3_4_sql[] =
    "CREATE TABLE outbox("
    "  lead INTEGER NOT NULL, n INTEGER NOT NULL, type TEXT NOT NULL,"
    "  endpoint TEXT NOT NULL, subject INTEGER NOT NULL, created_at INTEGER NOT NULL,"
    "  next_at INTEGER NOT NULL, first_at INTEGER, status INTEGER NOT NULL,"
    "  attempts INTEGER NOT NULL, body TEXT, last_error TEXT,"
    "  PRIMARY KEY(lead, n), UNIQUE(lead, type, subject, endpoint)) WITHOUT ROWID;"
    "CREATE INDEX outbox_due ON outbox(status, next_at);"
    "UPDATE schema_version SET version = 4;";

/* Version 4 -> 5: a lead's derived state as one value beside it (derived_key); NULL
 * until the lead is replayed again, which then writes it whole. A later migration that
 * changes a derived table must set it NULL again. */
static const char migrate_4_5_sql[] =
    "ALTER TABLE lead_state ADD COLUMN derived BLOB;"
    "UPDATE schema_version SET version = 5;";

/* Version 5 -> 6: the events of a lead are found through two index tables instead of
 * an index on events (the log's lead index, sq_log_merge): event_leads, the large part,
 * and event_leads_new, where the server's writer puts its new events' entries (others
 * put them in the large part: sq_event_append). A lead's events are the union of both;
 * before a commit, a slice of the lead range moves from the new part to the large
 * one. The copy of the old index is one ordered pass. */
static const char migrate_5_6_sql[] =
    "CREATE TABLE event_leads(lead INTEGER NOT NULL, ts INTEGER NOT NULL,"
    "  seq INTEGER NOT NULL, PRIMARY KEY(lead, ts, seq)) WITHOUT ROWID;"
    "CREATE TABLE event_leads_new(lead INTEGER NOT NULL, ts INTEGER NOT NULL,"
    "  seq INTEGER NOT NULL, PRIMARY KEY(lead, ts, seq)) WITHOUT ROWID;"
    "INSERT INTO event_leads(lead, ts, seq) SELECT lead, ts, seq FROM events"
    "  ORDER BY lead, ts, seq;"
    "DROP INDEX events_lead;"
    /* where the moves stand, for every writer (sq_log_merge) */
    "ALTER TABLE meta ADD COLUMN log_next INTEGER NOT NULL DEFAULT 1;"
    "ALTER TABLE meta ADD COLUMN log_added INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE meta ADD COLUMN log_credit INTEGER NOT NULL DEFAULT 0;"
    "UPDATE schema_version SET version = 6;";

/* Version 2 -> 3: input files and lines of events, reasons of ignored events, the
 * pending set. Every lead becomes pending, so the next writer (or, until then, every
 * reader in memory) derives the new columns. */
static const char migrate_2_3_sql[] =
    "CREATE TABLE files(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);"
    "ALTER TABLE events ADD COLUMN file INTEGER;"
    "ALTER TABLE events ADD COLUMN line INTEGER;"
    "DROP TABLE ignored;"
    "CREATE TABLE ignored(seq INTEGER PRIMARY KEY, lead INTEGER NOT NULL,"
    "  reason TEXT NOT NULL);"
    "CREATE INDEX ignored_lead ON ignored(lead);"
    "CREATE TABLE pending(lead INTEGER PRIMARY KEY);"
    "INSERT INTO pending(lead) SELECT rowid FROM leads;"
    "UPDATE meta SET generation = generation + 1;"
    "UPDATE schema_version SET version = 3;";

enum {
    Q_LEAD_GET, Q_LEAD_INSERT, Q_LEAD_UPDATE, Q_LEAD_IDS, Q_LEAD_COUNT, Q_EVENT_INSERT,
    Q_EVENTS_OF_LEAD, Q_LEAD_META, Q_LEADS_RANGE, Q_EVENTS_RANGE,
    Q_DEL_TRANS, Q_DEL_HANDOFFS, Q_DEL_IGNORED, Q_DEL_PENDING, Q_INS_TRANS, Q_INS_HANDOFF,
    Q_INS_IGNORED, Q_UPSERT_STATE, Q_IGNORED_COUNTS, Q_IGNORED_SCAN, Q_REJECT_ADD, Q_REJECTS,
    Q_COST_SET, Q_TRAFFIC_SET, Q_DS_LEADS, Q_DS_TRANS, Q_DS_HANDOFFS,
    Q_DS_COSTS, Q_DS_TRAFFIC, Q_GEN_GET, Q_GEN_BUMP, Q_BEGIN, Q_BEGIN_READ, Q_COMMIT,
    Q_ROLLBACK, Q_LEAD_CLASSIFY, Q_HANDOFF_TIMES, Q_PENDING_ADD, Q_PENDING_LIST,
    Q_FILE_ADD, Q_FILE_GET, Q_LEAD_ATTR, Q_LEAD_ROWID, Q_LOG_SCAN, Q_STATE_DERIVED, Q_LOG_MOVE,
    Q_LOG_MOVED, Q_LOG_STATE, Q_LOG_SAVE, Q_LOG_NEW,
    Q_LOG_ADD, Q_LOG_NEW_ROWS, Q_LOG_ADD_ROWS, Q__COUNT
};

/* A statement of LOG_ROWS index entries: one statement instead of 32 (each costs
 * SQLite a cursor opened and closed and a program run), and sorted entries land on
 * few pages in turn. */
#define LOG_ROWS 32
#define LOG_ROW4 "(?,?,?),(?,?,?),(?,?,?),(?,?,?)"
#define LOG_ROW16 LOG_ROW4 "," LOG_ROW4 "," LOG_ROW4 "," LOG_ROW4
#define LOG_ROWS_SQL LOG_ROW16 "," LOG_ROW16

static const char *const query_sql[Q__COUNT] = {
    [Q_LEAD_GET] = "SELECT rowid, id, email, created_at, source, channel, origin, persona,"
                   " attrs, origin_given, persona_given FROM leads WHERE id = ?1",
    [Q_LEAD_ROWID] = "SELECT rowid FROM leads WHERE id = ?1", /* the id index covers it */
    [Q_LEAD_INSERT] = "INSERT INTO leads(id, email, created_at, source, channel, origin,"
                      " persona, attrs, origin_given, persona_given)"
                      " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    [Q_LEAD_UPDATE] = "UPDATE leads SET email = ?2, created_at = ?3, source = ?4,"
                      " channel = ?5, origin = ?6, persona = ?7, attrs = ?8,"
                      " origin_given = ?9, persona_given = ?10 WHERE id = ?1",
    [Q_HANDOFF_TIMES] = "SELECT lead, mql_at FROM handoffs ORDER BY lead, n",
    [Q_LEAD_CLASSIFY] = "UPDATE leads SET channel = ?2, origin = ?3, persona = ?4"
                        " WHERE rowid = ?1",
    [Q_LEAD_IDS] = "SELECT id, rowid FROM leads ORDER BY rowid",
    [Q_LEAD_COUNT] = "SELECT coalesce(max(rowid), 0) FROM leads",
    [Q_EVENT_INSERT] = "INSERT OR IGNORE INTO events(lead, ident, ext_id, ts, kind, type,"
                       " detail, reason, amount, file, line)"
                       " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    /* the two parts of the lead index merged in (ts, seq) order: each part is read in
     * its key order, no sort (a compound ORDER BY is a merge) */
    [Q_EVENTS_OF_LEAD] = "SELECT i.seq, i.ts, e.kind, e.type, e.detail, e.reason, e.amount,"
                         " e.ext_id FROM event_leads i JOIN events e ON e.seq = i.seq"
                         " WHERE i.lead = ?1 UNION ALL"
                         " SELECT i.seq, i.ts, e.kind, e.type, e.detail, e.reason, e.amount,"
                         " e.ext_id FROM event_leads_new i JOIN events e ON e.seq = i.seq"
                         " WHERE i.lead = ?1 ORDER BY 2, 1",
    [Q_LEAD_META] = "SELECT rowid, created_at, id, email, source, channel, origin, persona,"
                    " attrs, origin_given, persona_given FROM leads WHERE rowid = ?1",
    [Q_LEADS_RANGE] = "SELECT rowid, created_at, id, email, source, channel, origin, persona,"
                      " attrs, origin_given, persona_given FROM leads"
                      " WHERE rowid BETWEEN ?1 AND ?2 ORDER BY rowid",
    [Q_EVENTS_RANGE] = "SELECT i.lead, i.seq, i.ts, e.kind, e.type, e.detail, e.reason,"
                       " e.amount FROM event_leads i JOIN events e ON e.seq = i.seq"
                       " WHERE i.lead BETWEEN ?1 AND ?2 UNION ALL"
                       " SELECT i.lead, i.seq, i.ts, e.kind, e.type, e.detail, e.reason,"
                       " e.amount FROM event_leads_new i JOIN events e ON e.seq = i.seq"
                       " WHERE i.lead BETWEEN ?1 AND ?2 ORDER BY 1, 3, 2",
    /* the log's lead index: one slice of leads moved from the new part (sq_log_merge) */
    [Q_LOG_MOVE] = "INSERT OR IGNORE INTO event_leads(lead, ts, seq) SELECT lead, ts, seq"
                   " FROM event_leads_new WHERE lead BETWEEN ?1 AND ?2",
    [Q_LOG_MOVED] = "DELETE FROM event_leads_new WHERE lead BETWEEN ?1 AND ?2",
    [Q_LOG_STATE] = "SELECT log_next, log_added, log_credit FROM meta",
    [Q_LOG_NEW] = "INSERT OR IGNORE INTO event_leads_new(lead, ts, seq) VALUES(?1, ?2, ?3)",
    [Q_LOG_ADD] = "INSERT OR IGNORE INTO event_leads(lead, ts, seq) VALUES(?1, ?2, ?3)",
    [Q_LOG_SAVE] = "UPDATE meta SET log_next = ?1, log_added = ?2, log_credit = ?3",
    /* LOG_ROWS entries a statement (sq_event_append_batch) */
    [Q_LOG_NEW_ROWS] = "INSERT OR IGNORE INTO event_leads_new(lead, ts, seq) VALUES" LOG_ROWS_SQL,
    [Q_LOG_ADD_ROWS] = "INSERT OR IGNORE INTO event_leads(lead, ts, seq) VALUES" LOG_ROWS_SQL,
    /* derived state is rewritten in place: a row that did not change is not written
     * (no page touched), rows beyond the new count are deleted */
    [Q_DEL_TRANS] = "DELETE FROM transitions WHERE lead = ?1 AND n >= ?2",
    [Q_DEL_HANDOFFS] = "DELETE FROM handoffs WHERE lead = ?1 AND n >= ?2",
    [Q_DEL_IGNORED] = "DELETE FROM ignored WHERE lead = ?1",
    [Q_DEL_PENDING] = "DELETE FROM pending WHERE lead = ?1",
    [Q_INS_TRANS] = "INSERT INTO transitions(lead, n, ts, from_stage, to_stage, cause,"
                    " event_seq) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)"
                    " ON CONFLICT(lead, n) DO UPDATE SET ts = excluded.ts,"
                    " from_stage = excluded.from_stage, to_stage = excluded.to_stage,"
                    " cause = excluded.cause, event_seq = excluded.event_seq"
                    " WHERE ts IS NOT excluded.ts OR from_stage IS NOT excluded.from_stage"
                    " OR to_stage IS NOT excluded.to_stage OR cause IS NOT excluded.cause"
                    " OR event_seq IS NOT excluded.event_seq",
    [Q_INS_HANDOFF] = "INSERT INTO handoffs(lead, n, mql_at, decided_at, first_contact_at,"
                      " outcome, cause, open_seq, close_seq, contact_seq, score)"
                      " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"
                      " ON CONFLICT(lead, n) DO UPDATE SET mql_at = excluded.mql_at,"
                      " decided_at = excluded.decided_at,"
                      " first_contact_at = excluded.first_contact_at,"
                      " outcome = excluded.outcome, cause = excluded.cause,"
                      " open_seq = excluded.open_seq, close_seq = excluded.close_seq,"
                      " contact_seq = excluded.contact_seq, score = excluded.score"
                      " WHERE mql_at IS NOT excluded.mql_at"
                      " OR decided_at IS NOT excluded.decided_at"
                      " OR first_contact_at IS NOT excluded.first_contact_at"
                      " OR outcome IS NOT excluded.outcome OR cause IS NOT excluded.cause"
                      " OR open_seq IS NOT excluded.open_seq"
                      " OR close_seq IS NOT excluded.close_seq"
                      " OR contact_seq IS NOT excluded.contact_seq"
                      " OR score IS NOT excluded.score",
    [Q_INS_IGNORED] = "INSERT OR REPLACE INTO ignored(seq, lead, reason) VALUES(?1, ?2, ?3)",
    [Q_UPSERT_STATE] = "INSERT INTO lead_state(lead, stage, stage_since, won_at, revenue,"
                       " derived) VALUES(?1, ?2, ?3, ?4, ?5, ?6)"
                       " ON CONFLICT(lead) DO UPDATE SET"
                       " stage = excluded.stage, stage_since = excluded.stage_since,"
                       " won_at = excluded.won_at, revenue = excluded.revenue,"
                       " derived = excluded.derived",
    [Q_STATE_DERIVED] = "SELECT derived FROM lead_state WHERE lead = ?1",
    [Q_IGNORED_COUNTS] = "SELECT reason, count(*) AS n FROM ignored WHERE seq >= ?1"
                         " GROUP BY reason ORDER BY n DESC, reason",
    [Q_IGNORED_SCAN] = "SELECT g.seq, f.name, e.line, l.id, e.type, g.reason, e.ts"
                       " FROM ignored g JOIN events e ON e.seq = g.seq"
                       " JOIN leads l ON l.rowid = g.lead LEFT JOIN files f ON f.id = e.file"
                       " ORDER BY f.name IS NULL, f.name, e.line, g.seq",
    [Q_REJECT_ADD] = "INSERT OR IGNORE INTO rejects(kind, file, line, reason, raw)"
                     " VALUES(?1, ?2, ?3, ?4, ?5)",
    [Q_REJECTS] = "SELECT id, kind, file, line, reason, raw FROM rejects ORDER BY id",
    [Q_COST_SET] = "INSERT INTO costs(date, channel, amount) VALUES(?1, ?2, ?3)"
                   " ON CONFLICT(date, channel) DO UPDATE SET amount = excluded.amount"
                   " WHERE amount IS NOT excluded.amount",
    [Q_TRAFFIC_SET] = "INSERT INTO traffic(date, channel, visitors) VALUES(?1, ?2, ?3)"
                      " ON CONFLICT(date, channel) DO UPDATE SET visitors = excluded.visitors"
                      " WHERE visitors IS NOT excluded.visitors",
    [Q_DS_LEADS] = "SELECT l.rowid, l.created_at, l.channel, l.persona, l.origin, s.stage,"
                   " s.won_at, s.revenue FROM leads l LEFT JOIN lead_state s"
                   " ON s.lead = l.rowid ORDER BY l.rowid",
    [Q_DS_TRANS] = "SELECT lead, ts, from_stage, to_stage FROM transitions ORDER BY lead, n",
    [Q_DS_HANDOFFS] = "SELECT h.lead, h.mql_at, h.decided_at, h.first_contact_at, h.outcome,"
                      " h.score, e.reason FROM handoffs h LEFT JOIN events e"
                      " ON e.seq = h.close_seq ORDER BY h.lead, h.n",
    [Q_DS_COSTS] = "SELECT date, channel, amount FROM costs ORDER BY date, channel",
    [Q_DS_TRAFFIC] = "SELECT date, channel, visitors FROM traffic ORDER BY date, channel",
    [Q_GEN_GET] = "SELECT generation FROM meta",
    [Q_GEN_BUMP] = "UPDATE meta SET generation = generation + 1 + (random() & 1048575)",
    [Q_BEGIN] = "BEGIN IMMEDIATE",
    [Q_BEGIN_READ] = "BEGIN",
    [Q_COMMIT] = "COMMIT",
    [Q_ROLLBACK] = "ROLLBACK",
    [Q_PENDING_ADD] = "INSERT OR IGNORE INTO pending(lead) VALUES(?1)",
    [Q_PENDING_LIST] = "SELECT lead FROM pending ORDER BY lead",
    [Q_FILE_ADD] = "INSERT OR IGNORE INTO files(name) VALUES(?1)",
    [Q_FILE_GET] = "SELECT id FROM files WHERE name = ?1",
    [Q_LOG_SCAN] = "SELECT e.seq, e.lead, e.ident, e.ext_id, e.ts, e.kind, e.type, e.detail,"
                   " e.reason, e.amount, f.name, e.line FROM events e"
                   " LEFT JOIN files f ON f.id = e.file WHERE e.seq > ?1 ORDER BY e.seq LIMIT ?2",
    /* one lead column by name, else the attribute of that exact key (json_each, so a
     * key holding '"' or '.' needs no JSON-path quoting); the name is always bound */
    [Q_LEAD_ATTR] = "SELECT rowid, CASE ?1 WHEN 'id' THEN id WHEN 'email' THEN email"
                    " WHEN 'source' THEN source WHEN 'channel' THEN channel"
                    " WHEN 'origin' THEN origin WHEN 'persona' THEN persona"
                    " ELSE (SELECT j.value FROM json_each(attrs) AS j WHERE j.key = ?1) END"
                    " FROM leads ORDER BY rowid",
};

/* An entry of the log's lead index. */
typedef struct {
    int64_t lead, ts, seq;
} sq_entry;

typedef struct sq_store {
    lf_store base;     /* first: the method table (store_impl.h) */
    sqlite3 *db;
    char *path;
    int lock_timeout;  /* seconds */
    sqlite3_stmt *q[Q__COUNT];
    struct sq_outbox *outbox; /* the outbox's statements (store_sqlite_outbox.c) */
    /* scratch for scans: events of one lead and the strings they point into */
    lf_event *ev;
    int64_t *seqs;
    size_t ev_cap;
    lf_buf strings;
    size_t *offs; /* per event: detail/reason/type offsets into strings (3 each) */
    int wal_fd;   /* sq_sync_log: the WAL file, opened on first use (else -1) */
    lf_buf derived; /* sq_derived_write: the lead's derived state as one value */
    /* sq_file_id: the last input name and its id, trusted once its row is committed
     * (rows of files are never changed nor deleted; a rolled-back one is forgotten) */
    char *file_name;
    int64_t file_id;
    bool file_committed;
    /* sq_lead_rowid: leads looked up, by id. A lead's rowid never changes and leads are
     * never deleted, so an entry stays true; emptied on rollback (which may take back a
     * new lead's row) and when full */
    lf_idmap rowids;
    /* sq_log_merge: events appended in the transaction to the index's small part, and
     * the last one's seq; `frequent`: lf_store_set_frequent_commits (the small part) */
    int64_t log_added, last_seq;
    bool frequent;
    sq_entry *ents; /* sq_event_append_batch: the batch's index entries */
    size_t ents_cap;
} sq_store;

#define ROWID_CACHE_MAX (1u << 18) /* ids */
/* A connection's page cache (KiB): 256 MiB; 16 MiB for one that commits often
 * (sq_set_frequent_commits) */
#define SQ_CACHE_DEFAULT "PRAGMA cache_size=-262144;"
#define SQ_CACHE_FREQUENT "PRAGMA cache_size=-16384;"

static lf_status db_error(sq_store *st, lf_error *err, const char *what)
{
    return lf_errorf(err, LF_ESTORE, "store '%s': %s: %s", st->path, what,
                     sqlite3_errmsg(st->db));
}

/* The error of a statement that could not get the write lock, or another failure. */
static lf_status lock_error(sq_store *st, int rc, lf_error *err, const char *what)
{
    if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED)
        return lf_errorf(err, LF_ESTORE,
                         "store '%s' is busy: another process is writing to it (waited %d s; "
                         "LEADFLOW_LOCK_TIMEOUT sets the wait in seconds)",
                         st->path, st->lock_timeout);
    return db_error(st, err, what);
}

void lf_sq_bind_text(sqlite3_stmt *s, int i, const char *v)
{
    if (v)
        sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(s, i);
}

void lf_sq_bind_time(sqlite3_stmt *s, int i, lf_time t)
{
    if (t == LF_TIME_NONE)
        sqlite3_bind_null(s, i);
    else
        sqlite3_bind_int64(s, i, t);
}

/* Runs a prepared statement that returns no rows, then resets it. */
static lf_status step_done(sq_store *st, sqlite3_stmt *s, lf_error *err, const char *what)
{
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return lock_error(st, rc, err, what);
    return LF_OK;
}

/* A new store file is created 0600 (it holds lead emails); SQLite gives its WAL and
 * shared-memory files the mode of the database file. An existing file is left as is. */
static lf_status create_private(const char *path, lf_error *err)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd >= 0) {
        close(fd);
        return LF_OK;
    }
    if (errno == EEXIST)
        return LF_OK;
    return lf_errorf(err, LF_ESTORE, "store '%s': cannot create: %s", path, strerror(errno));
}

/* The schema version, -1 for an empty database, -2 on a read error. */
static int schema_version(sq_store *st)
{
    sqlite3_stmt *v = NULL;
    int version = -1;
    int rc = sqlite3_prepare_v2(st->db,
                                "SELECT count(*) FROM sqlite_master WHERE name = 'schema_version'",
                                -1, &v, NULL);
    if (rc != SQLITE_OK || sqlite3_step(v) != SQLITE_ROW) {
        sqlite3_finalize(v);
        return -2;
    }
    bool has = sqlite3_column_int(v, 0) > 0;
    sqlite3_finalize(v);
    if (!has)
        return -1;
    if (sqlite3_prepare_v2(st->db, "SELECT version FROM schema_version", -1, &v, NULL) ==
            SQLITE_OK &&
        sqlite3_step(v) == SQLITE_ROW)
        version = sqlite3_column_int(v, 0);
    else
        version = -2;
    sqlite3_finalize(v);
    return version;
}

/* Creates or upgrades the schema in one write transaction (another process may have
 * done it meanwhile: the version is read again under the lock). */
static lf_status schema_write(sq_store *st, lf_error *err)
{
    char *msg = NULL;
    int rc = sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        return lock_error(st, rc, err, "cannot create schema");
    int version = schema_version(st);
    /* the steps from the version found to SCHEMA_VERSION, in one transaction */
    const char *steps[4] = {NULL};
    int k = 0;
    if (version == -1 || version == 2)
        steps[k++] = version == -1 ? schema_sql : migrate_2_3_sql;
    if (version == -1 || version == 2 || version == 3)
        steps[k++] = migrate_3_4_sql;
    if (version >= -1 && version <= 4)
        steps[k++] = migrate_4_5_sql;
    if (version >= -1 && version <= 5)
        steps[k++] = migrate_5_6_sql;
    for (int i = 0; i < k; i++)
        if (sqlite3_exec(st->db, steps[i], NULL, NULL, &msg) != SQLITE_OK) {
            lf_errorf(err, LF_ESTORE, "store '%s': cannot %s schema: %s", st->path,
                      version == -1 ? "create" : "upgrade", msg ? msg : sqlite3_errmsg(st->db));
            sqlite3_free(msg);
            sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
            return LF_ESTORE;
        }
    rc = sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        lf_status s = lock_error(st, rc, err, "cannot commit schema");
        sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
        return s;
    }
    return LF_OK;
}

/* ---- for store_sqlite_outbox.c (store_sqlite.h) ---- */

sqlite3 *lf_sq_db(lf_store *base)
{
    return ((sq_store *)base)->db;
}

struct sq_outbox **lf_sq_outbox_slot(lf_store *base)
{
    return &((sq_store *)base)->outbox;
}

lf_status lf_sq_error(lf_store *base, int rc, lf_error *err, const char *what)
{
    return lock_error((sq_store *)base, rc, err, what);
}

static void sq_close(lf_store *base);
static lf_status sq_rollback(lf_store *base, lf_error *err);
static lf_status sq_lead_count(lf_store *base, int64_t *n, lf_error *err);
static const lf_store_ops sq_ops;

/* SQLite's process-wide settings, before its first connection: no memory statistics
 * (leadflow reads none, and keeping them takes a global mutex around every allocation
 * and free: ~5 % of the server's writer). A call after SQLite was initialized (by
 * another part of the process) fails harmlessly: the defaults stay. */
static pthread_once_t sq_global_once = PTHREAD_ONCE_INIT;

static void sq_global_config(void)
{
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

lf_status lf_store_sqlite_open(lf_store **out, const char *url, lf_error *err)
{
    *out = NULL;
    pthread_once(&sq_global_once, sq_global_config);
    int timeout;
    lf_status s0 = lf_store_lock_timeout(&timeout, err);
    if (s0 != LF_OK)
        return s0;
    lf_status s = create_private(url, err);
    if (s != LF_OK)
        return s;
    sq_store *st = calloc(1, sizeof *st);
    if (!st)
        return lf_errorf(err, LF_ENOMEM, "out of memory");
    st->base.ops = &sq_ops;
    st->base.outbox = &lf_sq_outbox_ops;
    st->path = strdup(url);
    st->lock_timeout = timeout;
    st->wal_fd = -1;
    lf_buf_init(&st->strings, 0);
    lf_buf_init(&st->derived, 0);
    lf_idmap_init(&st->rowids);
    if (!st->path) {
        sq_close(&st->base);
        return lf_errorf(err, LF_ENOMEM, "out of memory");
    }
    if (sqlite3_open_v2(url, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) !=
        SQLITE_OK) {
        s = st->db ? db_error(st, err, "cannot open")
                   : lf_errorf(err, LF_ENOMEM, "out of memory");
        sq_close(&st->base);
        return s;
    }
    sqlite3_busy_timeout(st->db, st->lock_timeout * 1000);
    char *msg = NULL;
    /* journal_mode=WAL writes only when the database is not in WAL mode yet (new) */
    if (sqlite3_exec(st->db,
                     "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                     "PRAGMA foreign_keys=OFF; " SQ_CACHE_DEFAULT
                     "PRAGMA temp_store=MEMORY;",
                     NULL, NULL, &msg) != SQLITE_OK) {
        lf_errorf(err, LF_ESTORE, "store '%s': cannot open: %s", url,
                  msg ? msg : sqlite3_errmsg(st->db));
        sqlite3_free(msg);
        sq_close(&st->base);
        return LF_ESTORE;
    }
    int version = schema_version(st);
    if (version == -2) {
        s = db_error(st, err, "cannot read schema version (not a leadflow store?)");
    } else if (version == -1 || (version >= 2 && version < SCHEMA_VERSION)) {
        s = schema_write(st, err);
    } else if (version != SCHEMA_VERSION) {
        s = lf_errorf(err, LF_ESTORE,
                      "store '%s': schema version %d, this leadflow reads versions 2 to %d "
                      "(import the CSV files into a new workspace)",
                      url, version, SCHEMA_VERSION);
    }
    for (int i = 0; s == LF_OK && i < Q__COUNT; i++)
        if (sqlite3_prepare_v3(st->db, query_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &st->q[i],
                               NULL) != SQLITE_OK)
            s = db_error(st, err, "cannot prepare statement");
    if (s != LF_OK) {
        sq_close(&st->base);
        return s;
    }
    *out = &st->base;
    return LF_OK;
}

static void sq_close(lf_store *base)
{
    sq_store *st = (sq_store *)base;
    if (!st)
        return;
    for (int i = 0; i < Q__COUNT; i++)
        sqlite3_finalize(st->q[i]);
    lf_sq_outbox_close(&st->base);
    if (st->db)
        sqlite3_close(st->db);
    if (st->wal_fd >= 0)
        close(st->wal_fd);
    free(st->path);
    free(st->ev);
    free(st->ents);
    free(st->seqs);
    free(st->offs);
    lf_buf_release(&st->strings);
    lf_buf_release(&st->derived);
    free(st->file_name);
    lf_idmap_release(&st->rowids);
    free(st);
}

static lf_status sq_begin(lf_store *base, lf_error *err)
{
    sq_store *st = (sq_store *)base;
    /* a lead_get left on its row holds a read snapshot: a write lock taken on top of a
     * snapshot another writer has moved past fails at once (SQLITE_BUSY_SNAPSHOT) */
    sqlite3_reset(st->q[Q_LEAD_GET]);
    return step_done(st, st->q[Q_BEGIN], err, "cannot begin transaction");
}

/* The log's lead index (schema 6): a connection that commits often (the server's
 * writer: lf_store_set_frequent_commits) puts a new event's entry in event_leads_new,
 * which stays small, so a commit writes few of its pages however the events spread
 * over the leads (an index over the whole log had one random page a new event, each a
 * WAL frame at every commit: the writer's limit). Before a commit a slice of the lead
 * range, the next in turn, moves to event_leads: a slice's entries are contiguous
 * there, so the large part's pages are written about once a turn through the leads
 * however many entries the turn brings. A turn takes `cycle` appended events: a commit
 * moves leads * its events / cycle leads (the remainder carried), so the work follows
 * the events, a commit of a few moves a few leads, and the new part holds about
 * `cycle` entries. cycle balances the two parts' pages (log_cycle), and is at least a
 * 64th of the log: a turn then rewrites at most a fixed share of the large part's pages
 * per event, so the moves never cost more pages than the old index took. Where the
 * turn stands is in meta, shared by every writer (a process that appends a few events
 * continues the turn). An entry is in exactly one part at any commit; readers take the
 * union. */
#define LOG_CYCLE 131072
#define LOG_CYCLE_MAX (INT64_C(1) << 22) /* with leads <= 2^40: no overflow below */
/* ... and at most every LOG_MOVE_MIN events: a stream of commits of one event each
 * moves a slice every few hundred, not a lead or two every commit */
#define LOG_MOVE_MIN 256

/* The turn's length for a log of about `events` events and a merge of `added`. A
 * merge writes about min(added, cycle / E) pages of the small part (E entries a page)
 * and added * events / (cycle * E) of the large part, so sqrt(events * added)
 * minimizes the pages an event (a 3.5M-event log, groups of 64,000: 0.07 pages an event at
 * 473,000, 0.14 at 131,072). At least LOG_CYCLE (tiny commits write a small-part page
 * an event however large the part, so a longer turn costs them nothing) and a 64th of
 * the log, at most LOG_CYCLE_MAX (which wins beyond 2^28 events). */
static int64_t log_cycle(int64_t events, int64_t added)
{
    double c = events > 0 && added > 0 ? sqrt((double)events * (double)added) : 0;
    double least = events / 64 > LOG_CYCLE ? (double)(events / 64) : LOG_CYCLE;
    c = c > least ? c : least;
    return c < (double)LOG_CYCLE_MAX ? (int64_t)c : LOG_CYCLE_MAX;
}

/* Moves the index entries of leads lo..hi to the large part. */
static lf_status log_move(sq_store *st, int64_t lo, int64_t hi, lf_error *err)
{
    const int qs[2] = {Q_LOG_MOVE, Q_LOG_MOVED}; /* copy, then delete */
    lf_status r = LF_OK;
    for (int i = 0; r == LF_OK && i < 2; i++) {
        sqlite3_bind_int64(st->q[qs[i]], 1, lo);
        sqlite3_bind_int64(st->q[qs[i]], 2, hi);
        r = step_done(st, st->q[qs[i]], err, "cannot move the log's lead index");
    }
    return r;
}

static lf_status sq_log_merge(sq_store *st, lf_error *err)
{
    if (st->log_added == 0)
        return LF_OK; /* no event appended: nothing to account for */
    sqlite3_stmt *s = st->q[Q_LOG_STATE];
    if (sqlite3_step(s) != SQLITE_ROW) {
        sqlite3_reset(s);
        return db_error(st, err, "cannot read the log's lead index state");
    }
    int64_t next = sqlite3_column_int64(s, 0), added = sqlite3_column_int64(s, 1);
    int64_t credit = sqlite3_column_int64(s, 2), leads = 0;
    sqlite3_reset(s);
    added += st->log_added;
    st->log_added = 0;
    lf_status r = LF_OK;
    if (added >= LOG_MOVE_MIN && (r = sq_lead_count(&st->base, &leads, err)) == LF_OK &&
        leads > 0) {
        int64_t cycle = log_cycle(st->last_seq, added);
        int64_t range = leads < (INT64_C(1) << 40) ? leads : (INT64_C(1) << 40);
        /* the cycle follows the merge's size: a remainder carried from a longer one is
         * kept below this one's (not dropped) */
        credit = (credit < 0 ? 0 : credit < cycle ? credit : cycle - 1) +
                 (added < cycle ? added : cycle) * range;
        int64_t span = credit / cycle; /* <= leads */
        credit -= span * cycle;
        added = 0;
        if (next < 1 || next > leads)
            next = 1;
        while (r == LF_OK && span > 0) { /* at most twice: to the end, then from 1 */
            int64_t hi = span < leads - next + 1 ? next + span - 1 : leads;
            r = log_move(st, next, hi, err);
            span -= hi - next + 1;
            next = hi < leads ? hi + 1 : 1;
        }
    }
    s = st->q[Q_LOG_SAVE];
    sqlite3_bind_int64(s, 1, next);
    sqlite3_bind_int64(s, 2, added);
    sqlite3_bind_int64(s, 3, credit);
    return r == LF_OK ? step_done(st, s, err, "cannot write the log's lead index state") : r;
}

static lf_status sq_commit(lf_store *base, lf_error *err)
{
    sq_store *st = (sq_store *)base;
    lf_status r = sq_log_merge(st, err);
    if (r == LF_OK)
        r = step_done(st, st->q[Q_GEN_BUMP], err, "cannot bump generation");
    if (r == LF_OK)
        r = step_done(st, st->q[Q_COMMIT], err, "cannot commit");
    if (r != LF_OK)
        sq_rollback(&st->base, NULL); /* nothing of the transaction stays */
    else if (st->file_name)
        st->file_committed = true;
    return r;
}

static lf_status sq_rollback(lf_store *base, lf_error *err)
{
    sq_store *st = (sq_store *)base;
    st->log_added = 0; /* its events are gone */
    if (!st->file_committed) { /* its row may go with the transaction */
        free(st->file_name);
        st->file_name = NULL;
    }
    if (st->rowids.n) { /* likewise a new lead's */
        lf_idmap_release(&st->rowids);
        lf_idmap_init(&st->rowids);
    }
    if (sqlite3_get_autocommit(st->db))
        return LF_OK;
    return step_done(st, st->q[Q_ROLLBACK], err, "cannot roll back");
}

static lf_status sq_read_begin(lf_store *base, lf_error *err)
{
    sq_store *st = (sq_store *)base;
    return step_done(st, st->q[Q_BEGIN_READ], err, "cannot begin read transaction");
}

static void sq_read_end(lf_store *base)
{
    sq_store *st = (sq_store *)base;
    if (!sqlite3_get_autocommit(st->db))
        step_done(st, st->q[Q_COMMIT], NULL, "cannot end read transaction");
}

static lf_status sq_file_id(lf_store *base, const char *name, int64_t *id, lf_error *err)
{
    sq_store *st = (sq_store *)base;
    if (st->file_name && st->file_committed && strcmp(st->file_name, name) == 0) {
        *id = st->file_id; /* the server's writer: "api" for every request */
        return LF_OK;
    }
    sqlite3_stmt *a = st->q[Q_FILE_ADD], *g = st->q[Q_FILE_GET];
    lf_sq_bind_text(a, 1, name);
    lf_status r = step_done(st, a, err, "cannot record input name");
    if (r != LF_OK)
        return r;
    lf_sq_bind_text(g, 1, name);
    int rc = sqlite3_step(g);
    *id = rc == SQLITE_ROW ? sqlite3_column_int64(g, 0) : 0;
    sqlite3_reset(g);
    if (rc != SQLITE_ROW)
        return db_error(st, err, "cannot read input name");
    char *keep = strdup(name); /* without memory: no cache, the id stands */
    free(st->file_name);
    st->file_name = keep;
    st->file_id = *id;
    st->file_committed = keep && sqlite3_get_autocommit(st->db);
    return LF_OK;
}

static lf_status sq_pending_mark(lf_store *base, const int64_t *leads, size_t n, lf_error *err)
{
    sq_store *st = (sq_store *)base;
    sqlite3_stmt *s = st->q[Q_PENDING_ADD];
    for (size_t i = 0; i < n; i++) {
        sqlite3_bind_int64(s, 1, leads[i]);
        lf_status r = step_done(st, s, err, "cannot mark a lead for replay");
        if (r != LF_OK)
            return r;
    }
    return LF_OK;
}

static lf_status sq_pending_list(lf_store *base, int64_t **leads, size_t *n, lf_error *err)
{
    sq_store *st = (sq_store *)base;
    *leads = NULL;
    *n = 0;
    size_t cap = 0;
    sqlite3_stmt *s = st->q[Q_PENDING_LIST];
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (!lf_grow(leads, &cap, *n + 1, sizeof **leads)) {
            sqlite3_reset(s);
            free(*leads);
            *leads = NULL;
            *n = 0;
            return lf_errorf(err, LF_ENOMEM, "out of memory");
        }
        (*leads)[(*n)++] = sqlite3_column_int64(s, 0);
    }
    sqlite3_reset(s);
    if (rc != SQLITE_DONE) {
        free(*leads);
        *leads = NULL;
        *n = 0;
        return db_error(st, err, "cannot read pending leads");
    }
    return LF_OK;
}

static bool same_text(sqlite3_stmt *s, int col, const char *v)
{
    const char *t = (const char *)sqlite3_column_text(s, col);
    if (!t || !v)
        return !t && !v;
    return strcmp(t, v) == 0;
}

static void bind_lead(sqlite3_stmt *s, const lf_lead_row *row)
{
    lf_sq_bind_text(s, 1, row->id);
    lf_sq_bind_text(s, 2, row->email);
    sqlite3_bind_int64(s, 3, row->created_at);
    lf_sq_bind_text(s, 4, row->source);
    lf_sq_bind_text(s, 5, row->channel);
    lf_sq_bind_text(s, 6, row->origin);
    lf_sq_bind_text(s, 7, row->persona);
    lf_sq_bind_text(s, 8, row->attrs_json);
    lf_sq_bind_text(s, 9, row->origin_given);
    lf_sq_bind_text(s, 10, row->persona_given);
}

static lf_status sq_lead_upsert(lf_store *base, lf_lead_row *row, lf_upsert *result,
                               lf_error *err)
{
    sq_store *st = (sq_store *)base;
    sqlite3_stmt *g = st->q[Q_LEAD_GET];
    sqlite3_reset(g); /* lf_store_lead_get may have left it on a row */
    lf_sq_bind_text(g, 1, row->id);
    int rc = sqlite3_step(g);
    if (rc == SQLITE_ROW) {
        row->rowid = sqlite3_column_int64(g, 0);
        bool same = same_text(g, 2, row->email) &&
                    sqlite3_column_int64(g, 3) == row->created_at &&
                    same_text(g, 4, row->source) && same_text(g, 5, row->channel) &&
                    same_text(g, 6, row->origin) && same_text(g, 7, row->persona) &&
                    same_text(g, 8, row->attrs_json) && same_text(g, 9, row->origin_given) &&
                    same_text(g, 10, row->persona_given);
        sqlite3_reset(g);
        if (same) {
            *result = LF_UPSERT_SAME;
            return LF_OK;
        }
        sqlite3_stmt *u = st->q[Q_LEAD_UPDATE];
        bind_lead(u, row);
        *result = LF_UPSERT_UPDATED;
        return step_done(st, u, err, "cannot update lead");
    }
    sqlite3_reset(g);
    if (rc != SQLITE_DONE)
        return db_error(st, err, "cannot read lead");
    sqlite3_stmt *i = st->q[Q_LEAD_INSERT];
    bind_lead(i, row);
    lf_status s = step_done(st, i, err, "cannot insert lead");
    if (s == LF_OK) {
        row->rowid = sqlite3_last_insert_rowid(st->db);
        *result = LF_UPSERT_NEW;
    }
    return s;
}

/* One upsert a row: SQLite has no round trips to save. */
static lf_status sq_lead_upsert_batch(lf_store *base, lf_lead_row *rows, size_t n,
                                      lf_upsert *results, lf_error *err)
{
    for (size_t i = 0; i < n; i++) {
        lf_status r = sq_lead_upsert(base, &rows[i], &results[i], err);
        if (r != LF_OK)
            return r;
    }
    return LF_OK;
}

static lf_status sq_lead_ids(lf_store *base, lf_lead_id_fn fn, void *ctx, lf_error *err)
{
    sq_store *st = (sq_store *)base;
    sqlite3_stmt *s = st->q[Q_LEAD_IDS];
    int rc;
    lf_status r = LF_OK;
    while (r == LF_OK && (rc = sqlite3_step(s)) == SQLITE_ROW)
        r = fn(ctx, (const char *)sqlite3_column_text(s, 0), (size_t)sqlite3_column_bytes(s, 0),
               sqlite3_column_int64(s, 1));
    sqlite3_reset(s);
    if (r == LF_OK && rc != SQLITE_DONE)
        return db_error(st, err, "cannot list leads");
    return r;
}

static lf_status sq_lead_count(lf_store *base, int64_t *n, lf_error *err)
{
    sq_store *st = (sq_store *)base;
    sqlite3_stmt *s = st->q[Q_LEAD_COUNT];
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        *n = sqlite3_column_int64(s, 0);
    sqlite3_reset(s);
    return rc == SQLITE_ROW ? LF_OK : db_error(st, err, "cannot count leads");
}

static lf_status sq_lead_rowid(lf_store *base, const char *id, int64_t *rowid, bool *found,
                              lf_error *err)
{
    sq_store *st = (sq_store *)base;
    size_t len = strlen(id);
    if (lf_idmap_get(&st->rowids, id, len, rowid)) {
        *found = true; /* the server's writer: the same leads request after request */
        return LF_OK;
    }
    sqlite3_stmt *g = st->q[Q_LEAD_ROWID];
    lf_sq_bind_text(g, 1, id);
    int rc = sqlite3_step(g);
    *found = rc == SQLITE_ROW;
    if (*found)
        *rowid = sqlite3_column_int64(g, 0);
    sqlite3_reset(g);
    if (*found) {
        if (st->rowids.n >= ROWID_CACHE_MAX) {
            lf_idmap_release(&st->rowids);
            lf_idmap_init(&st->rowids);
        }
        (void)lf_idmap_put(&st->rowids, id, len, *rowid); /* without memory: not kept */
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return db_error(st, err, "cannot read lead");
    return LF_OK;
}

static lf_status sq_lead_get(lf_store *base, const char *id, lf_lead_row *row, bool *found,
                            lf_error *err)
{
    sq_store *st = (sq_store *)base;
    sqlite3_stmt *g = st->q[Q_LEAD_GET];
    sqlite3_reset(g);
    lf_sq_bind_text(g, 1, id);
    int rc = sqlite3_step(g);
    *found = rc == SQLITE_ROW;
    if (rc == SQLITE_ROW) {
        row->rowid = sqlite3_column_int64(g, 0);
        row->id = (const char *)sqlite3_column_text(g, 1);
        row->email = (const char *)sqlite3_column_text(g, 2);
        row->created_at = sqlite3_column_int64(g, 3);
        row->source = (const char *)sqlite3_column_text(g, 4);
        row->channel = (const char *)sqlite3_column_text(g, 5);
        row->origin = (const char *)sqlite3_column_text(g, 6);
        row->persona = (const char *)sqlite3_column_text(g, 7);
        row->attrs_json = (const char *)sqlite3_column_text(g, 8);
        row->origin_given = (const char *)sqlite3_column_text(g, 9);
        row->persona_given = (const char *)sqlite3_column_text(g, 10);
        return LF_OK; /* left un-reset so the strings stay valid */
    }
    sqlite3_reset(g);
    if (rc != SQLITE_DONE)
        return db_error(st, err, "cannot read lead");
    return LF_OK;
}

/* Appends the event's row; *seq is its seq, or 0 for a known identity (no row). */
static lf_status event_row_append(sq_store *st, const lf_event_row *ev, int64_t *seq,
                                  lf_error *err)
{
    sqlite3_stmt *s = st->q[Q_EVENT_INSERT];
    sqlite3_bind_int64(s, 1, ev->lead);
    lf_sq_bind_text(s, 2, ev->ident);
    lf_sq_bind_text(s, 3, ev->ext_id);
    sqlite3_bind_int64(s, 4, ev->ts);
    sqlite3_bind_int(s, 5, ev->kind);
    lf_sq_bind_text(s, 6, ev->type);
    lf_sq_bind_text(s, 7, ev->detail);
    lf_sq_bind_text(s, 8, ev->reason);
    if (ev->has_amount)
        sqlite3_bind_double(s, 9, ev->amount);
    else
        sqlite3_bind_null(s, 9);
    if (ev->file)
        sqlite3_bind_int64(s, 10, ev->file);
    else
        sqlite3_bind_null(s, 10);
    if (ev->line)
        sqlite3_bind_int64(s, 11, ev->line);
    else
        sqlite3_bind_null(s, 11);
    lf_status r = step_done(st, s, err, "cannot append event");
    if (r != LF_OK)
        return r;
    *seq = sqlite3_changes(st->db) ? sqlite3_last_insert_rowid(st->db) : 0;
    if (*seq && st->frequent) {
        st->log_added++;
        st->last_seq = *seq;
    }
    return LF_OK;
}

/* An event's entry in the log's lead index: the small part for a connection that
 * commits often, else the large one (sq_log_merge). */
static lf_status log_entry_add(sq_store *st, const sq_entry *e, lf_error *err)
{
    sqlite3_stmt *s = st->q[st->frequent ? Q_LOG_NEW : Q_LOG_ADD];
    sqlite3_bind_int64(s, 1, e->lead);
    sqlite3_bind_int64(s, 2, e->ts);
    sqlite3_bind_int64(s, 3, e->seq);
    return step_done(st, s, err, "cannot append event");
}

static lf_status sq_event_append(lf_store *base, const lf_event_row *ev, int64_t *seq,
                                lf_error *err)
{
    sq_store *st = (sq_store *)base;
    lf_status r = event_row_append(st, ev, seq, err);
    if (r != LF_OK || !*seq)
        return r; /* a duplicate: no row, no entry */
    return log_entry_add(st, &(sq_entry){ev->lead, ev->ts, *seq}, err);
}

static int entry_cmp(const void *a, const void *b)
{
    const sq_entry *x = a, *y = b;
    if (x->lead != y->lead)
        return x->lead < y->lead ? -1 : 1;
    if (x->ts != y->ts)
        return x->ts < y->ts ? -1 : 1;
    return (x->seq > y->seq) - (x->seq < y->seq);
}

/* The rows one at a time (each needs its seq back), then their index entries sorted,
 * LOG_ROWS a statement. */
static lf_status sq_event_append_batch(lf_store *base, const lf_event_row *ev, size_t n,
                                       int64_t *seqs, lf_error *err)
{
    sq_store *st = (sq_store *)base;
    if (!lf_grow(&st->ents, &st->ents_cap, n, sizeof *st->ents))
        return lf_errorf(err, LF_ENOMEM, "out of memory");
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        lf_status r = event_row_append(st, &ev[i], &seqs[i], err);
        if (r != LF_OK)
            return r;
        if (seqs[i])
            st->ents[m++] = (sq_entry){ev[i].lead, ev[i].ts, seqs[i]};
    }
    if (m > 1)
        qsort(st->ents, m, sizeof *st->ents, entry_cmp);
    sqlite3_stmt *s = st->q[st->frequent ? Q_LOG_NEW_ROWS : Q_LOG_ADD_ROWS];
    lf_status r = LF_OK;
    size_t i = 0;
    for (; r == LF_OK && m - i >= LOG_ROWS; i += LOG_ROWS) {
        for (int k = 0; k < LOG_ROWS; k++) {
            sqlite3_bind_int64(s, 3 * k + 1, st->ents[i + k].lead);
            sqlite3_bind_int64(s, 3 * k + 2, st->ents[i + k].ts);
            sqlite3_bind_int64(s, 3 * k + 3, st->ents[i + k].seq);
        }
        r = step_done(st, s, err, "cannot append event");
    }
    for (; r == LF_OK && i < m; i++)
        r = log_entry_add(st, &st->ents[i], err);
    return r;
}

/* --- scanning events per lead -------------------------------------------------- */

static lf_status scratch_reserve(sq_store *st, size_t n)
{
    void *const arrs[] = {&st->ev, &st->seqs, &st->offs};
    const size_t elems[] = {sizeof *st->ev, sizeof *st->seqs, 3 * sizeof *st->offs};
    return lf_grow_parallel(&st->ev_cap, n, 3, arrs, elems) ? LF_OK : LF_ENOMEM;
}

/* Copies a text column into the string arena; returns its offset or SIZE_MAX for NULL.
 * Offsets (not pointers) because the arena may move while a lead is being gathered. */
static size_t keep_text(sq_store *st, sqlite3_stmt *s, int col, lf_status *r)
{
    if (sqlite3_column_type(s, col) == SQLITE_NULL)
        return SIZE_MAX;
    const char *t = (const char *)sqlite3_column_text(s, col);
    size_t n = (size_t)sqlite3_column_bytes(s, col);
    size_t off = st->strings.len;
    if (lf_buf_add(&st->strings, t, n) != LF_OK || lf_buf_addc(&st->strings, '\0') != LF_OK)
        *r = LF_ENOMEM;
    return off;
}

/* Reads one event row (columns starting at c0: seq, ts, kind, type, detail, reason,
 * amount) into scratch slot i. */
static lf_status gather_event(sq_store *st, sqlite3_stmt *s, int c0, size_t i)
{
    lf_status r = scratch_reserve(st, i + 1);
    if (r != LF_OK)
        return r;
    lf_event *e = &st->ev[i];
    st->seqs[i] = sqlite3_column_int64(s, c0);
    e->seq = st->seqs[i];
    e->ts = sqlite3_column_int64(s, c0 + 1);
    e->kind = (uint8_t)sqlite3_column_int(s, c0 + 2);
    st->offs[3 * i] = keep_text(st, s, c0 + 3, &r);
    st->offs[3 * i + 1] = keep_text(st, s, c0 + 4, &r);
    st->offs[3 * i + 2] = keep_text(st, s, c0 + 5, &r);
    e->has_amount = sqlite3_column_type(s, c0 + 6) != SQLITE_NULL;
    e->amount = e->has_amount ? sqlite3_column_double(s, c0 + 6) : 0;
    return r;
}

static const char *arena_str(const sq_store *st, size_t off)
{
    return off == SIZE_MAX ? NULL : st->strings.data + off;
}

/* The lead columns of Q_LEAD_META / Q_LEADS_ALL after rowid and created_at, kept in
 * the arena while the lead's events are gathered. */
enum { LEAD_TEXTS = 9 };

static lf_status keep_lead(sq_store *st, sqlite3_stmt *s, size_t offs[LEAD_TEXTS])
{
    lf_status r = LF_OK;
    for (int i = 0; i < LEAD_TEXTS; i++)
        offs[i] = keep_text(st, s, 2 + i, &r);
    return r;
}

static lf_status deliver(sq_store *st, int64_t lead, lf_time created,
                         const size_t loffs[LEAD_TEXTS], size_t n, lf_lead_events_fn fn,
                         void *ctx, lf_error *err)
{
    for (size_t i = 0; i < n; i++) {
        st->ev[i].type = arena_str(st, st->offs[3 * i]);
        st->ev[i].detail = arena_str(st, st->offs[3 * i + 1]);
        st->ev[i].reason = arena_str(st, st->offs[3 * i + 2]);
    }
    lf_lead_row row = {
        .rowid = lead,
        .id = arena_str(st, loffs[0]),
        .email = arena_str(st, loffs[1]),
        .created_at = created,
        .source = arena_str(st, loffs[2]),
        .channel = arena_str(st, loffs[3]),
        .origin = arena_str(st, loffs[4]),
        .persona = arena_str(st, loffs[5]),
        .attrs_json = arena_str(st, loffs[6]),
        .origin_given = arena_str(st, loffs[7]),
        .persona_given = arena_str(st, loffs[8]),
    };
    lf_lead_events le = {
        .lead = lead,
        .input = {.created_at = created, .has_email = row.email != NULL, .events = st->ev,
                  .nevents = n},
        .seqs = st->seqs,
        .row = &row,
    };
    return fn(ctx, &le, err);
}

static lf_status scan_one(sq_store *st, int64_t lead, lf_lead_events_fn fn, void *ctx,
                          lf_error *err)
{
    sqlite3_stmt *m = st->q[Q_LEAD_META];
    sqlite3_bind_int64(m, 1, lead);
    int rc = sqlite3_step(m);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(m);
        return rc == SQLITE_DONE ? LF_OK : db_error(st, err, "cannot read lead");
    }
    lf_time created = sqlite3_column_int64(m, 1);
    lf_buf_reset(&st->strings);
    size_t loffs[LEAD_TEXTS];
    lf_status r = keep_lead(st, m, loffs);
    sqlite3_reset(m);
    sqlite3_stmt *s = st->q[Q_EVENTS_OF_LEAD];
    sqlite3_bind_int64(s, 1, lead);
    size_t n = 0;
    while (r == LF_OK && (rc = sqlite3_step(s)) == SQLITE_ROW)
        r = gather_event(st, s, 0, n++);
    sqlite3_reset(s);
    if (r != LF_OK)
        return lf_errorf(err, r, "out of memory");
    if (rc != SQLITE_DONE)
        return db_error(st, err, "cannot read events");
    return deliver(st, lead, created, loffs, n, fn, ctx, err);
}

/* Leads lo..hi: merge the leads cursor with one ordered pass over their events. */
static lf_status sq_scan_range(lf_store *base, int64_t lo, int64_t hi, lf_lead_events_fn fn,
                              void *ctx, lf_error *err)
{
    sq_store *st = (sq_store *)base;
    sqlite3_stmt *l = st->q[Q_LEADS_RANGE], *e = st->q[Q_EVENTS_RANGE];
    sqlite3_bind_int64(l, 1, lo);
    sqlite3_bind_int64(l, 2, hi);
    sqlite3_bind_int64(e, 1, lo);
    sqlite3_bind_int64(e, 2, hi);
    int erc = sqlite3_step(e);
    int lrc;
    lf_status r = LF_OK;
    while (r == LF_OK && (lrc = sqlite3_step(l)) == SQLITE_ROW) {
        int64_t lead = sqlite3_column_int64(l, 0);
        lf_time created = sqlite3_column_int64(l, 1);
        while (erc == SQLITE_ROW && sqlite3_column_int64(e, 0) < lead)
            erc = sqlite3_step(e); /* events of a vanished lead: cannot happen, skip */
        lf_buf_reset(&st->strings);
        size_t loffs[LEAD_TEXTS];
        size_t n = 0;
        r = keep_lead(st, l, loffs);
        while (r == LF_OK && erc == SQLITE_ROW && sqlite3_column_int64(e, 0) == lead) {
            r = gather_event(st, e, 1, n++);
            erc = sqlite3_step(e);
        }
        if (r != LF_OK) {
            lf_errorf(err, r, "out of memory");
            break;
        }
        r = deliver(st, lead, created, loffs, n, fn, ctx, err);
    }
    bool bad = r == LF_OK && ((lrc != SQLITE_DONE) || (erc != SQLITE_DONE && erc != SQLITE_ROW));
    sqlite3_reset(l);
    sqlite3_reset(e);
    if (bad)
        return db_error(st, err, "cannot scan events");
    return r;
}

static lf_status sq_handoff_times(lf_store *base, lf_handoff_time_fn fn, void *ctx, lf_error *err)
{
    sq_store *st = (sq_store *)base;
    sqlite3_stmt *s = st->q[Q_HANDOFF_TIMES];
    int rc;
    lf_status r = LF_OK;
    while (r == LF_OK && (rc = sqlite3_step(s)) == SQLITE_ROW)
        r = fn(ctx, sqlite3_column_int64(s, 0), sqlite3_column_int64(s, 1));
    sqlite3_reset(s);
    if (r == LF_OK && rc != SQLITE_DONE)
        return db_error(st, err, "cannot read handoffs");
    return r == LF_OK ? LF_OK : lf_errorf(err, r, "out of memory");
}

static lf_status sq_lead_classify(lf_store *base, int64_t lead, const char *channel,
                                 const char *origin, const char *persona, lf_error *err)
{
    sq_store *st = (sq_store *)base;
    sqlite3_stmt *u = st->q[Q_LEAD_CLASSIFY];
    sqlite3_bind_int64(u, 1, lead);
    lf_sq_bind_text(u, 2, channel);
    lf_sq_bind_text(u, 3, origin);
    lf_sq_bind_text(u, 4, persona);
    return step_done(st, u, err, "cannot update lead");
}

static lf_status sq_scan_events(lf_store *base, const int64_t *leads, size_t n,
                               lf_lead_events_fn fn, void *ctx, lf_error *err)
{
    sq_store *st = (sq_store *)base;
    for (size_t i = 0; i < n; i++) {
        lf_status r = scan_one(st, leads[i], fn, ctx, err);
        if (r != LF_OK)
            return r;
    }
    return LF_OK;
}

static int64_t seq_of(const int64_t *seqs, int32_t idx)
{
    return idx < 0 ? 0 : seqs[idx];
}

static void bind_seq(sqlite3_stmt *s, int i, const int64_t *seqs, int32_t idx)
{
    if (idx < 0)
        sqlite3_bind_null(s, i);
    else
        sqlite3_bind_int64(s, i, seq_of(seqs, idx));
}

/* Before a lead's derived state is written again: its transitions and handoffs beyond
 * the new counts go (the others are updated in place, unchanged rows not written), its
 * ignored events go (they are written again), its pending mark goes. A statement that
 * matches nothing writes nothing. */
static lf_status derived_trim(sq_store *st, int64_t lead, const lf_lead_state *ls,
                              lf_error *err)
{
    const struct {
        int q;
        size_t keep; /* bound as ?2 when the statement has one */
    } steps[] = {{Q_DEL_TRANS, ls->ntrans},
                 {Q_DEL_HANDOFFS, ls->nhandoffs},
                 {Q_DEL_IGNORED, 0},
                 {Q_DEL_PENDING, 0}};
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        sqlite3_stmt *s = st->q[steps[i].q];
        sqlite3_bind_int64(s, 1, lead);
        if (sqlite3_bind_parameter_count(s) >= 2)
            sqlite3_bind_int64(s, 2, (int64_t)steps[i].keep);
        lf_status r = step_done(st, s, err, "cannot replace derived state");
        if (r != LF_OK)
            return r;
    }
    return LF_OK;
}

/* ---- derived_key: a lead's derived state as one value ----
 * Every value the derived tables hold for the lead, in a fixed layout (native 8-byte
 * integers and doubles, counts first, texts with their length): equal values mean equal
 * rows, exactly (no hash). Kept in lead_state.derived by the write that wrote them. */
#define DERIVED_KEY_MAX (16u << 20) /* bytes; a longer key is not kept */

typedef struct key_writer {
    lf_buf *b;
    lf_status st;
} key_writer;

static void key_put(key_writer *w, const void *p, size_t n)
{
    if (w->st == LF_OK)
        w->st = lf_buf_add(w->b, p, n);
}

static void key_i64(key_writer *w, int64_t v)
{
    key_put(w, &v, sizeof v);
}

static void key_f64(key_writer *w, double v)
{
    key_put(w, &v, sizeof v);
}

/* An event's seq, or -1 for none (seqs are positive). */
static void key_seq(key_writer *w, const int64_t *seqs, int32_t idx)
{
    key_i64(w, idx < 0 ? -1 : seqs[idx]);
}

static lf_status derived_key(sq_store *st, const lf_lead_events *le, const lf_lead_state *ls)
{
    key_writer w = {&st->derived, LF_OK};
    lf_buf_reset(w.b);
    key_i64(&w, (int64_t)ls->ntrans);
    key_i64(&w, (int64_t)ls->nhandoffs);
    key_i64(&w, (int64_t)ls->nignored);
    for (size_t i = 0; i < ls->ntrans; i++) {
        const lf_transition *t = &ls->trans[i];
        key_i64(&w, t->ts);
        key_i64(&w, t->from);
        key_i64(&w, t->to);
        key_i64(&w, t->cause);
        key_seq(&w, le->seqs, t->event);
    }
    for (size_t i = 0; i < ls->nhandoffs; i++) {
        const lf_handoff *h = &ls->handoffs[i];
        key_i64(&w, h->mql_at);
        key_i64(&w, h->decided_at);
        key_i64(&w, h->first_contact_at);
        key_i64(&w, h->outcome);
        key_i64(&w, h->cause);
        key_seq(&w, le->seqs, h->open_event);
        key_seq(&w, le->seqs, h->close_event);
        key_seq(&w, le->seqs, h->contact_event);
        key_f64(&w, h->score);
    }
    for (size_t i = 0; i < ls->nignored; i++) {
        char why[160];
        lf_ignored_reason(&le->input.events[ls->ignored[i]], ls->ignored_stage[i],
                          le->input.created_at, le->input.has_email, why, sizeof why);
        key_seq(&w, le->seqs, ls->ignored[i]);
        key_i64(&w, (int64_t)strlen(why));
        key_put(&w, why, strlen(why));
    }
    key_i64(&w, ls->stage);
    key_i64(&w, ls->stage_since);
    key_i64(&w, ls->won_at);
    key_f64(&w, ls->revenue);
    return w.st;
}

/* Whether the lead's stored derived state is st->derived. */
static lf_status derived_unchanged(sq_store *st, int64_t lead, bool *same, lf_error *err)
{
    sqlite3_stmt *s = st->q[Q_STATE_DERIVED];
    sqlite3_bind_int64(s, 1, lead);
    int rc = sqlite3_step(s);
    *same = false;
    if (rc == SQLITE_ROW && sqlite3_column_type(s, 0) == SQLITE_BLOB) {
        const void *p = sqlite3_column_blob(s, 0);
        size_t n = (size_t)sqlite3_column_bytes(s, 0);
        *same = n == st->derived.len && p && memcmp(p, st->derived.data, n) == 0;
    }
    sqlite3_reset(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return db_error(st, err, "cannot read lead state");
    return LF_OK;
}

/* The rows of the derived tables (after derived_trim). */
static lf_status derived_rows(sq_store *st, const lf_lead_events *le, const lf_lead_state *ls,
                              lf_error *err)
{
    int64_t lead = le->lead;
    const int64_t *seqs = le->seqs;
    lf_status r = LF_OK;
    sqlite3_stmt *t = st->q[Q_INS_TRANS];
    for (size_t i = 0; r == LF_OK && i < ls->ntrans; i++) {
        const lf_transition *tr = &ls->trans[i];
        sqlite3_bind_int64(t, 1, lead);
        sqlite3_bind_int64(t, 2, (int64_t)i);
        sqlite3_bind_int64(t, 3, tr->ts);
        if (tr->from == LF_STAGE_NONE)
            sqlite3_bind_null(t, 4);
        else
            sqlite3_bind_int(t, 4, tr->from);
        sqlite3_bind_int(t, 5, tr->to);
        sqlite3_bind_int(t, 6, tr->cause);
        bind_seq(t, 7, seqs, tr->event);
        r = step_done(st, t, err, "cannot write transition");
    }
    sqlite3_stmt *h = st->q[Q_INS_HANDOFF];
    for (size_t i = 0; r == LF_OK && i < ls->nhandoffs; i++) {
        const lf_handoff *ho = &ls->handoffs[i];
        sqlite3_bind_int64(h, 1, lead);
        sqlite3_bind_int64(h, 2, (int64_t)i);
        sqlite3_bind_int64(h, 3, ho->mql_at);
        lf_sq_bind_time(h, 4, ho->decided_at);
        lf_sq_bind_time(h, 5, ho->first_contact_at);
        sqlite3_bind_int(h, 6, ho->outcome);
        sqlite3_bind_int(h, 7, ho->cause);
        bind_seq(h, 8, seqs, ho->open_event);
        bind_seq(h, 9, seqs, ho->close_event);
        bind_seq(h, 10, seqs, ho->contact_event);
        sqlite3_bind_double(h, 11, ho->score);
        r = step_done(st, h, err, "cannot write handoff");
    }
    sqlite3_stmt *g = st->q[Q_INS_IGNORED];
    for (size_t i = 0; r == LF_OK && i < ls->nignored; i++) {
        char why[160];
        lf_ignored_reason(&le->input.events[ls->ignored[i]], ls->ignored_stage[i],
                          le->input.created_at, le->input.has_email, why, sizeof why);
        sqlite3_bind_int64(g, 1, seq_of(seqs, ls->ignored[i]));
        sqlite3_bind_int64(g, 2, lead);
        lf_sq_bind_text(g, 3, why);
        r = step_done(st, g, err, "cannot write ignored event");
    }
    return r;
}

/* A lead's derived state: nothing but its cleared pending mark when the replay found
 * what is stored (the common case of a new page view), else trimmed, rewritten in
 * place, and its derived_key beside it. */
static lf_status sq_derived_write(lf_store *base, const lf_lead_events *le, const lf_lead_state *ls,
                                 lf_error *err)
{
    sq_store *st = (sq_store *)base;
    int64_t lead = le->lead;
    bool same = false;
    if (derived_key(st, le, ls) != LF_OK)
        return lf_errorf(err, LF_ENOMEM, "out of memory");
    lf_status r = derived_unchanged(st, lead, &same, err);
    if (r == LF_OK && same) {
        sqlite3_stmt *p = st->q[Q_DEL_PENDING];
        sqlite3_bind_int64(p, 1, lead);
        return step_done(st, p, err, "cannot clear pending mark");
    }
    if (r == LF_OK)
        r = derived_trim(st, lead, ls, err);
    if (r == LF_OK)
        r = derived_rows(st, le, ls, err);
    if (r != LF_OK)
        return r;
    sqlite3_stmt *u = st->q[Q_UPSERT_STATE];
    sqlite3_bind_int64(u, 1, lead);
    sqlite3_bind_int(u, 2, ls->stage);
    sqlite3_bind_int64(u, 3, ls->stage_since);
    lf_sq_bind_time(u, 4, ls->won_at);
    sqlite3_bind_double(u, 5, ls->revenue);
    if (st->derived.len <= DERIVED_KEY_MAX) /* else NULL: such a lead is always written */
        sqlite3_bind_blob(u, 6, st->derived.data ? st->derived.data : "",
                          (int)st->derived.len, SQLITE_STATIC);
    else
        sqlite3_bind_null(u, 6);
    return step_done(st, u, err, "cannot write lead state");
}

static lf_status sq_ignored_counts(lf_store *base, int64_t min_seq, lf_reason_count_fn fn,
                                  void *ctx, lf_error *err)
{
    sq_store *st = (sq_store *)base;
    sqlite3_stmt *s = st->q[Q_IGNORED_COUNTS];
    sqlite3_bind_int64(s, 1, min_seq);
    int rc;
    lf_status r = LF_OK;
    while (r == LF_OK && (rc = sqlite3_step(s)) == SQLITE_ROW)
        r = fn(ctx, (const char *)sqlite3_column_text(s, 0), sqlite3_column_int64(s, 1));
    sqlite3_reset(s);
    if (r == LF_OK && rc != SQLITE_DONE)
        return db_error(st, err, "cannot count ignored events");
    return r;
}

static lf_status sq_ignored_scan(lf_store *base, lf_ignored_fn fn, void *ctx, lf_error *err)
{
    sq_store *st = (sq_store *)base;
    sqlite3_stmt *s = st->q[Q_IGNORED_SCAN];
    int rc;
    lf_status r = LF_OK;
    while (r == LF_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        lf_ignored_row g = {
            .seq = sqlite3_column_int64(s, 0),
            .file = (const char *)sqlite3_column_text(s, 1),
            .line = (long)sqlite3_column_int64(s, 2),
            .lead_id = (const char *)sqlite3_column_text(s, 3),
            .type = (const char *)sqlite3_column_text(s, 4),
            .reason = (const char *)sqlite3_column_text(s, 5),
            .ts = sqlite3_column_int64(s, 6),
        };
        r = fn(ctx, &g);
    }
    sqlite3_reset(s);
    if (r == LF_OK && rc != SQLITE_DONE)
        return db_error(st, err, "cannot read ignored events");
    return r;
}

static lf_status sq_reject_add(lf_store *base, const char *kind, const char *file, long line,
                              const char *reason, const char *raw, size_t rawlen, lf_error *err)
{
    sq_store *st = (sq_store *)base;
    sqlite3_stmt *s = st->q[Q_REJECT_ADD];
    lf_sq_bind_text(s, 1, kind);
    lf_sq_bind_text(s, 2, file);
    sqlite3_bind_int64(s, 3, line);
    lf_sq_bind_text(s, 4, reason);
    sqlite3_bind_blob(s, 5, raw ? raw : "", (int)rawlen, SQLITE_STATIC);
    return step_done(st, s, err, "cannot record rejected row");
}

static lf_status sq_rejects_scan(lf_store *base, lf_reject_fn fn, void *ctx, lf_error *err)
{
    sq_store *st = (sq_store *)base;
    sqlite3_stmt *s = st->q[Q_REJECTS];
    int rc;
    lf_status r = LF_OK;
    while (r == LF_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        lf_reject rj = {
            .id = sqlite3_column_int64(s, 0),
            .kind = (const char *)sqlite3_column_text(s, 1),
            .file = (const char *)sqlite3_column_text(s, 2),
            .line = (long)sqlite3_column_int64(s, 3),
            .reason = (const char *)sqlite3_column_text(s, 4),
            .raw = (const char *)sqlite3_column_text(s, 5),
        };
        r = fn(ctx, &rj);
    }
    sqlite3_reset(s);
    if (r == LF_OK && rc != SQLITE_DONE)
        return db_error(st, err, "cannot read rejects");
    return r;
}

static lf_status sq_series_set(lf_store *base, lf_series series, const char *date,
                              const char *channel, double amount, bool *changed,
                              lf_error *err)
{
    sq_store *st = (sq_store *)base;
    sqlite3_stmt *s = st->q[series == LF_SERIES_COSTS ? Q_COST_SET : Q_TRAFFIC_SET];
    lf_sq_bind_text(s, 1, date);
    lf_sq_bind_text(s, 2, channel);
    sqlite3_bind_double(s, 3, amount);
    lf_status r = step_done(st, s, err, "cannot write series");
    *changed = r == LF_OK && sqlite3_changes(st->db) > 0; /* 0: the same value was there */
    return r;
}

static lf_status sq_lead_events(lf_store *base, int64_t lead, lf_stored_event_fn fn, void *ctx,
                               lf_error *err)
{
    sq_store *st = (sq_store *)base;
    sqlite3_stmt *s = st->q[Q_EVENTS_OF_LEAD];
    sqlite3_bind_int64(s, 1, lead);
    int rc;
    lf_status r = LF_OK;
    while (r == LF_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        lf_stored_event e = {.seq = sqlite3_column_int64(s, 0)};
        e.ev.seq = e.seq;
        e.ev.ts = sqlite3_column_int64(s, 1);
        e.ev.kind = (uint8_t)sqlite3_column_int(s, 2);
        e.ev.type = (const char *)sqlite3_column_text(s, 3);
        e.ev.detail = (const char *)sqlite3_column_text(s, 4);
        e.ev.reason = (const char *)sqlite3_column_text(s, 5);
        e.ev.has_amount = sqlite3_column_type(s, 6) != SQLITE_NULL;
        e.ev.amount = e.ev.has_amount ? sqlite3_column_double(s, 6) : 0;
        e.ext_id = (const char *)sqlite3_column_text(s, 7);
        r = fn(ctx, &e);
    }
    sqlite3_reset(s);
    if (r == LF_OK && rc != SQLITE_DONE)
        return db_error(st, err, "cannot read events");
    return r;
}

static lf_status sq_log_scan(lf_store *base, int64_t after_seq, size_t limit,
                             lf_log_event_fn fn, void *ctx, lf_error *err)
{
    sq_store *st = (sq_store *)base;
    sqlite3_stmt *s = st->q[Q_LOG_SCAN];
    sqlite3_bind_int64(s, 1, after_seq);
    sqlite3_bind_int64(s, 2, limit > INT32_MAX ? INT32_MAX : (int64_t)limit);
    int rc;
    lf_status r = LF_OK;
    while (r == LF_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        lf_log_event e = {
            .seq = sqlite3_column_int64(s, 0),
            .row = {.lead = sqlite3_column_int64(s, 1),
                    .ident = (const char *)sqlite3_column_text(s, 2),
                    .ext_id = (const char *)sqlite3_column_text(s, 3),
                    .ts = sqlite3_column_int64(s, 4), .kind = (uint8_t)sqlite3_column_int(s, 5),
                    .type = (const char *)sqlite3_column_text(s, 6),
                    .detail = (const char *)sqlite3_column_text(s, 7),
                    .reason = (const char *)sqlite3_column_text(s, 8),
                    .has_amount = sqlite3_column_type(s, 9) != SQLITE_NULL,
                    .amount = sqlite3_column_double(s, 9),
                    .line = (long)sqlite3_column_int64(s, 11)},
            .file = (const char *)sqlite3_column_text(s, 10),
        };
        r = fn(ctx, &e, err);
    }
    sqlite3_reset(s);
    if (r == LF_OK && rc != SQLITE_DONE)
        return db_error(st, err, "cannot read events");
    return r;
}

/* --- rows for the report dataset ------------------------------------------------ */

lf_time lf_sq_col_time(sqlite3_stmt *s, int i)
{
    return sqlite3_column_type(s, i) == SQLITE_NULL ? LF_TIME_NONE : sqlite3_column_int64(s, i);
}

/* Per-lead scratch of sq_scan_state: the lead's transitions and handoffs (their reasons
 * as offsets into st->strings until the lead is delivered). */
typedef struct state_scratch {
    lf_state_trans *trans;
    size_t ntrans, cap_trans;
    lf_state_handoff *hand;
    size_t *reason_off;
    size_t nhand, cap_hand;
} state_scratch;

static lf_status scratch_trans(state_scratch *x, sqlite3_stmt *t)
{
    if (!lf_grow(&x->trans, &x->cap_trans, x->ntrans + 1, sizeof *x->trans))
        return LF_ENOMEM;
    x->trans[x->ntrans++] = (lf_state_trans){
        .ts = sqlite3_column_int64(t, 1),
        .from = sqlite3_column_type(t, 2) == SQLITE_NULL ? LF_STAGE_NONE
                                                         : (uint8_t)sqlite3_column_int(t, 2),
        .to = (uint8_t)sqlite3_column_int(t, 3),
    };
    return LF_OK;
}

static lf_status scratch_handoff(sq_store *st, state_scratch *x, sqlite3_stmt *h)
{
    void *const arrs[] = {&x->hand, &x->reason_off};
    const size_t elems[] = {sizeof *x->hand, sizeof *x->reason_off};
    if (!lf_grow_parallel(&x->cap_hand, x->nhand + 1, 2, arrs, elems))
        return LF_ENOMEM;
    lf_status r = LF_OK;
    x->reason_off[x->nhand] = keep_text(st, h, 6, &r);
    x->hand[x->nhand++] = (lf_state_handoff){
        .mql_at = sqlite3_column_int64(h, 1), .decided_at = lf_sq_col_time(h, 2),
        .first_contact_at = lf_sq_col_time(h, 3), .outcome = (uint8_t)sqlite3_column_int(h, 4),
        .score = sqlite3_column_double(h, 5),
    };
    return r;
}

/* Merges the leads cursor with the transitions and handoffs cursors (all in lead
 * order): nothing is sized or indexed by a rowid. */
static lf_status sq_scan_state(lf_store *base, lf_state_fn fn, void *ctx, lf_error *err)
{
    sq_store *st = (sq_store *)base;
    int64_t *pending = NULL;
    size_t npending = 0, pi = 0;
    lf_status r = sq_pending_list(base, &pending, &npending, err);
    if (r != LF_OK)
        return r;
    state_scratch x = {0};
    sqlite3_stmt *l = st->q[Q_DS_LEADS], *t = st->q[Q_DS_TRANS], *h = st->q[Q_DS_HANDOFFS];
    int trc = sqlite3_step(t), hrc = sqlite3_step(h), lrc;
    while (r == LF_OK && (lrc = sqlite3_step(l)) == SQLITE_ROW) {
        int64_t rowid = sqlite3_column_int64(l, 0);
        while (pi < npending && pending[pi] < rowid)
            pi++;
        lf_state_row row = {
            .lead = rowid,
            .created_at = sqlite3_column_int64(l, 1),
            .channel = (const char *)sqlite3_column_text(l, 2),
            .persona = (const char *)sqlite3_column_text(l, 3),
            .origin = (const char *)sqlite3_column_text(l, 4),
            .stale = sqlite3_column_type(l, 5) == SQLITE_NULL ||
                     (pi < npending && pending[pi] == rowid),
        };
        x.ntrans = x.nhand = 0;
        lf_buf_reset(&st->strings);
        while (trc == SQLITE_ROW && sqlite3_column_int64(t, 0) < rowid)
            trc = sqlite3_step(t); /* rows of a vanished lead: cannot happen, skip */
        while (hrc == SQLITE_ROW && sqlite3_column_int64(h, 0) < rowid)
            hrc = sqlite3_step(h);
        for (; r == LF_OK && trc == SQLITE_ROW && sqlite3_column_int64(t, 0) == rowid;
             trc = sqlite3_step(t))
            if (!row.stale)
                r = scratch_trans(&x, t);
        for (; r == LF_OK && hrc == SQLITE_ROW && sqlite3_column_int64(h, 0) == rowid;
             hrc = sqlite3_step(h))
            if (!row.stale)
                r = scratch_handoff(st, &x, h);
        if (r != LF_OK) {
            r = lf_errorf(err, LF_ENOMEM, "out of memory");
            break;
        }
        if (!row.stale) {
            row.stage = (uint8_t)sqlite3_column_int(l, 5);
            row.won_at = lf_sq_col_time(l, 6);
            row.revenue = sqlite3_column_double(l, 7);
            for (size_t i = 0; i < x.nhand; i++)
                x.hand[i].reason = arena_str(st, x.reason_off[i]);
            row.trans = x.trans;
            row.ntrans = x.ntrans;
            row.handoffs = x.hand;
            row.nhandoffs = x.nhand;
        }
        r = fn(ctx, &row, err);
    }
    bool bad = r == LF_OK && (lrc != SQLITE_DONE || (trc != SQLITE_DONE && trc != SQLITE_ROW) ||
                              (hrc != SQLITE_DONE && hrc != SQLITE_ROW));
    sqlite3_reset(l);
    sqlite3_reset(t);
    sqlite3_reset(h);
    free(pending);
    free(x.trans);
    free(x.hand);
    free(x.reason_off);
    if (bad)
        return db_error(st, err, "cannot read derived state");
    return r;
}

static lf_status sq_scan_series(lf_store *base, lf_series series, lf_amount_fn fn, void *ctx,
                                lf_error *err)
{
    sq_store *st = (sq_store *)base;
    sqlite3_stmt *s = st->q[series == LF_SERIES_COSTS ? Q_DS_COSTS : Q_DS_TRAFFIC];
    int rc;
    lf_status r = LF_OK;
    while (r == LF_OK && (rc = sqlite3_step(s)) == SQLITE_ROW)
        r = fn(ctx, (const char *)sqlite3_column_text(s, 0),
               (const char *)sqlite3_column_text(s, 1), sqlite3_column_double(s, 2), err);
    sqlite3_reset(s);
    if (r == LF_OK && rc != SQLITE_DONE)
        return db_error(st, err, "cannot read spend or traffic");
    return r;
}

static lf_status sq_scan_lead_attr(lf_store *base, const char *name, lf_attr_value_fn fn,
                                   void *ctx, lf_error *err)
{
    sq_store *st = (sq_store *)base;
    sqlite3_stmt *s = st->q[Q_LEAD_ATTR];
    if (sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC) != SQLITE_OK)
        return db_error(st, err, "cannot read lead attributes");
    int rc;
    lf_status r = LF_OK;
    while (r == LF_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        const char *v = (const char *)sqlite3_column_text(s, 1);
        r = fn(ctx, sqlite3_column_int64(s, 0), v, v ? (size_t)sqlite3_column_bytes(s, 1) : 0,
               err);
    }
    if (r == LF_OK && rc != SQLITE_DONE)
        r = db_error(st, err, "cannot read lead attributes");
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    return r;
}

static lf_status sq_generation(lf_store *base, int64_t *generation, lf_error *err)
{
    sq_store *st = (sq_store *)base;
    sqlite3_stmt *s = st->q[Q_GEN_GET];
    int rc = sqlite3_step(s);
    *generation = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
    sqlite3_reset(s);
    return rc == SQLITE_ROW ? LF_OK : db_error(st, err, "cannot read generation");
}

/* synchronous=FULL syncs the WAL at every commit (a commit survives power loss);
 * NORMAL, the default, syncs at checkpoints only (a commit survives a crash of the
 * process, not of the machine). */
static lf_status sq_set_durable(lf_store *base, bool durable, lf_error *err)
{
    sq_store *st = (sq_store *)base;
    const char *sql = durable ? "PRAGMA synchronous=FULL;" : "PRAGMA synchronous=NORMAL;";
    if (sqlite3_exec(st->db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return db_error(st, err, "cannot set synchronous");
    return LF_OK;
}

/* Syncs the directory holding path (a file created in it survives power loss). */
static bool dir_sync(char *path)
{
    char *slash = strrchr(path, '/');
    if (slash)
        *slash = '\0';
    int dir = open(!slash ? "." : slash == path ? "/" : path, O_RDONLY | O_CLOEXEC | O_DIRECTORY);
    bool ok = dir >= 0 && fsync(dir) == 0;
    if (dir >= 0)
        close(dir);
    return ok;
}

/* st->wal_fd = the WAL file (path "-wal") opened for syncing: once, with its directory
 * synced then, and again if the path names another file now. *none: there is no WAL
 * file (every commit is in the synced database file: the last connection closed after
 * a checkpoint). false on error. */
static bool wal_open(sq_store *st, bool *none)
{
    struct stat at, now;
    size_t n = strlen(st->path);
    char *wal = malloc(n + 5);
    if (!wal)
        return false;
    memcpy(wal, st->path, n);
    memcpy(wal + n, "-wal", 5);
    errno = 0;
    bool missing = stat(wal, &now) != 0;
    *none = missing && errno == ENOENT;
    if (missing && !*none) { /* cannot tell: never taken for "nothing to sync" */
        free(wal);
        return false;
    }
    if (st->wal_fd >= 0 && (*none || fstat(st->wal_fd, &at) != 0 || at.st_ino != now.st_ino ||
                            at.st_dev != now.st_dev)) {
        close(st->wal_fd);
        st->wal_fd = -1;
    }
    bool ok = true;
    if (st->wal_fd < 0 && !*none) {
        st->wal_fd = open(wal, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        ok = st->wal_fd >= 0 && dir_sync(wal);
        if (!ok && st->wal_fd >= 0) {
            close(st->wal_fd);
            st->wal_fd = -1;
        }
    }
    free(wal);
    return ok;
}

/* WAL mode with synchronous=NORMAL syncs the WAL before each checkpoint and its header
 * when it is reused, never at a commit: a commit's frames are durable once the WAL
 * file's data is synced, whoever syncs it. */
static lf_status sq_sync_log(lf_store *base, lf_error *err)
{
    sq_store *st = (sq_store *)base;
    bool none = false;
    errno = 0;
    if (!wal_open(st, &none) || (!none && fdatasync(st->wal_fd) != 0))
        return lf_errorf(err, LF_ESTORE, "store '%s': cannot sync the log: %s", st->path,
                         strerror(errno ? errno : EIO));
    return LF_OK;
}

static lf_status sq_set_auto_checkpoint(lf_store *base, bool on, lf_error *err)
{
    sq_store *st = (sq_store *)base;
    const char *sql = on ? "PRAGMA wal_autocheckpoint=1000;" : "PRAGMA wal_autocheckpoint=0;";
    if (sqlite3_exec(st->db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return db_error(st, err, "cannot set the checkpoint policy");
    return LF_OK;
}

/* A connection that commits often also keeps a small page cache (16 MiB, not 256):
 * at the end of every commit SQLite walks its page cache's hash table
 * (pcache1TruncateUnsafe under sqlite3PagerCommitPhaseTwo), a cost that follows the
 * cache's size, not the commit's. With 256 MiB that walk was half the server writer's
 * time for single events (perf); 16 MiB gave single events +30-50 % and batches the
 * same or better on a 4M-event store (DECISIONS). */
static lf_status sq_set_frequent_commits(lf_store *base, bool on, lf_error *err)
{
    sq_store *st = (sq_store *)base;
    const char *sql = on ? SQ_CACHE_FREQUENT : SQ_CACHE_DEFAULT;
    if (sqlite3_exec(st->db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return db_error(st, err, "cannot set the page cache");
    st->frequent = on;
    return LF_OK;
}

/* PASSIVE: copies what no reader still needs, waits for nobody. */
static lf_status sq_checkpoint(lf_store *base, lf_error *err)
{
    sq_store *st = (sq_store *)base;
    int rc = sqlite3_wal_checkpoint_v2(st->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
    if (rc != SQLITE_OK && rc != SQLITE_BUSY && rc != SQLITE_LOCKED)
        return db_error(st, err, "cannot checkpoint");
    return LF_OK;
}

static const char *sq_location(const lf_store *base)
{
    const sq_store *st = (const sq_store *)base;
    return st->path;
}

static const lf_store_ops sq_ops = {
    .close = sq_close,
    .location = sq_location,
    .begin = sq_begin,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .read_begin = sq_read_begin,
    .read_end = sq_read_end,
    .generation = sq_generation,
    .set_durable = sq_set_durable,
    .sync_log = sq_sync_log,
    .set_auto_checkpoint = sq_set_auto_checkpoint,
    .set_frequent_commits = sq_set_frequent_commits,
    .checkpoint = sq_checkpoint,
    .file_id = sq_file_id,
    .pending_mark = sq_pending_mark,
    .pending_list = sq_pending_list,
    .lead_upsert = sq_lead_upsert,
    .lead_upsert_batch = sq_lead_upsert_batch,
    .lead_ids = sq_lead_ids,
    .lead_count = sq_lead_count,
    .lead_get = sq_lead_get,
    .lead_rowid = sq_lead_rowid,
    .lead_classify = sq_lead_classify,
    .event_append = sq_event_append,
    .event_append_batch = sq_event_append_batch,
    .scan_events = sq_scan_events,
    .scan_range = sq_scan_range,
    .lead_events = sq_lead_events,
    .log_scan = sq_log_scan,
    .handoff_times = sq_handoff_times,
    .derived_write = sq_derived_write,
    .ignored_counts = sq_ignored_counts,
    .ignored_scan = sq_ignored_scan,
    .reject_add = sq_reject_add,
    .rejects_scan = sq_rejects_scan,
    .series_set = sq_series_set,
    .scan_state = sq_scan_state,
    .scan_series = sq_scan_series,
    .scan_lead_attr = sq_scan_lead_attr,
};
