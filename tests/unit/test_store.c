/*
 * test_store.c — the store conformance suite: every backend of leadflow/store.h held to
 * the header's contracts, method by method.
 *
 * Each test runs against each backend of `backends` on a fresh store: SQLite in a
 * temporary directory, and PostgreSQL when LEADFLOW_TEST_PG_URL names a server (a
 * database of its own per test, created through that URL and dropped at the end;
 * ctest's unit_test_store_pg runs on a throwaway server, tests/pg/pg_server.sh).
 * Expected values come from the contracts in store.h, not from a run: generations
 * stepped once per committed write transaction, duplicates reported as seq 0, pending
 * marks cleared by the derived write of the same lead, readers never waiting for a
 * writer, a writer giving up after LEADFLOW_LOCK_TIMEOUT with "busy", files created
 * 0600.
 */
#include <criterion/criterion.h>
#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "leadflow/lifecycle.h"
#include "leadflow/store.h"

typedef struct backend {
    const char *name;
    /* the URL of a new, empty store under dir (written into buf) */
    void (*url)(const char *dir, char *buf, size_t n);
    bool file; /* a file store: created 0600 */
} backend;

static void sqlite_url(const char *dir, char *buf, size_t n)
{
    snprintf(buf, n, "%s/store.db", dir);
}

/* The databases this test created (dropped by remove_dir). */
static char pg_made[8][64];
static int npg_made;

/* Runs one statement of fixed text on the server of LEADFLOW_TEST_PG_URL. */
static void pg_admin(const char *sql)
{
    PGconn *c = PQconnectdb(getenv("LEADFLOW_TEST_PG_URL"));
    cr_assert_eq(PQstatus(c), CONNECTION_OK, "%s", PQerrorMessage(c));
    PGresult *r = PQexec(c, sql);
    cr_assert_eq(PQresultStatus(r), PGRES_COMMAND_OK, "%s: %s", sql, PQerrorMessage(c));
    PQclear(r);
    PQfinish(c);
}

/* A new database on the server, its URL: the base URL's database replaced. */
static void pg_url(const char *d, char *buf, size_t n)
{
    (void)d;
    const char *base = getenv("LEADFLOW_TEST_PG_URL");
    const char *slash = strrchr(base, '/');
    cr_assert(slash && slash > strstr(base, "://") + 2, "no database in %s", base);
    cr_assert_lt(npg_made, 8);
    char *name = pg_made[npg_made++];
    static int seq;
    snprintf(name, sizeof pg_made[0], "lfstore_%d_%d", (int)getpid(), ++seq);
    char sql[640];
    snprintf(sql, sizeof sql, "CREATE DATABASE %s", name);
    pg_admin(sql);
    snprintf(buf, n, "%.*s/%s", (int)(slash - base), base, name);
}

static backend backends[2];
static size_t nbackends;
#define NBACKENDS nbackends

static char dir[64];

static void make_dir(void)
{
    snprintf(dir, sizeof dir, "/tmp/lfstore.XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    nbackends = 0;
    backends[nbackends++] = (backend){"sqlite", sqlite_url, true};
    const char *pg = getenv("LEADFLOW_TEST_PG_URL");
    if (pg && *pg)
        backends[nbackends++] = (backend){"postgresql", pg_url, false};
}

static void remove_dir(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
    for (int i = 0; i < npg_made; i++) {
        char sql[640];
        snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", pg_made[i]);
        pg_admin(sql);
    }
    npg_made = 0;
}

TestSuite(store, .init = make_dir, .fini = remove_dir);

static lf_store *open_new(const backend *b, char *url, size_t n)
{
    b->url(dir, url, n);
    lf_store *st = NULL;
    lf_error err;
    lf_status s = lf_store_open(&st, url, &err);
    cr_assert_eq(s, LF_OK, "%s: %s", b->name, err.msg);
    return st;
}

static int64_t generation(lf_store *st)
{
    int64_t g = -1;
    cr_assert_eq(lf_store_generation(st, &g, NULL), LF_OK);
    return g;
}

static int64_t add_lead(lf_store *st, const char *id, const char *email)
{
    lf_lead_row row = {.id = id, .email = email, .created_at = 1000, .channel = "web",
                       .origin = "marketing", .persona = "none", .attrs_json = "{}"};
    lf_upsert res;
    cr_assert_eq(lf_store_lead_upsert(st, &row, &res, NULL), LF_OK);
    return row.rowid;
}

static int64_t add_event(lf_store *st, int64_t lead, const char *ident, lf_time ts,
                         lf_event_kind kind)
{
    lf_event_row ev = {.lead = lead, .ident = ident, .ts = ts, .kind = (uint8_t)kind,
                       .type = lf_event_kind_name(kind)};
    int64_t seq = -1;
    cr_assert_eq(lf_store_event_append(st, &ev, &seq, NULL), LF_OK);
    return seq;
}

Test(store, new_file_is_private_and_generation_counts_commits)
{
    for (size_t b = 0; b < NBACKENDS; b++) {
        char url[128];
        mode_t old = umask(022);
        lf_store *st = open_new(&backends[b], url, sizeof url);
        umask(old);
        struct stat sb;
        if (backends[b].file) {
            cr_assert_eq(stat(url, &sb), 0);
            cr_expect_eq(sb.st_mode & 0777, 0600, "%s: mode %o", backends[b].name,
                         sb.st_mode & 0777);
        }
        int64_t g0 = generation(st);
        cr_assert_eq(lf_store_begin(st, NULL), LF_OK);
        add_lead(st, "L1", "a@example.com");
        cr_assert_eq(lf_store_commit(st, NULL), LF_OK);
        int64_t g1 = generation(st);
        cr_expect(g1 > g0 && g1 <= g0 + (1 << 20), "one committed write transaction, one step");
        cr_assert_eq(lf_store_begin(st, NULL), LF_OK);
        add_lead(st, "L2", NULL);
        cr_assert_eq(lf_store_rollback(st, NULL), LF_OK);
        cr_expect_eq(generation(st), g1, "a rolled-back transaction changes nothing");
        int64_t n = 0;
        cr_assert_eq(lf_store_lead_count(st, &n, NULL), LF_OK);
        cr_expect_eq(n, 1);
        lf_store_close(st);
    }
}

Test(store, lead_upsert_reports_new_same_updated)
{
    for (size_t b = 0; b < NBACKENDS; b++) {
        char url[128];
        lf_store *st = open_new(&backends[b], url, sizeof url);
        cr_assert_eq(lf_store_begin(st, NULL), LF_OK);
        lf_lead_row row = {.id = "L1", .email = "a@example.com", .created_at = 5,
                           .channel = "web", .origin = "marketing", .persona = "none",
                           .attrs_json = "{\"k\":\"v\"}"};
        lf_upsert res;
        cr_assert_eq(lf_store_lead_upsert(st, &row, &res, NULL), LF_OK);
        cr_expect_eq(res, LF_UPSERT_NEW);
        int64_t rowid = row.rowid;
        cr_assert_eq(lf_store_lead_upsert(st, &row, &res, NULL), LF_OK);
        cr_expect_eq(res, LF_UPSERT_SAME);
        cr_expect_eq(row.rowid, rowid);
        row.email = NULL;
        cr_assert_eq(lf_store_lead_upsert(st, &row, &res, NULL), LF_OK);
        cr_expect_eq(res, LF_UPSERT_UPDATED);
        cr_assert_eq(lf_store_commit(st, NULL), LF_OK);
        lf_lead_row got;
        bool found = false;
        cr_assert_eq(lf_store_lead_get(st, "L1", &got, &found, NULL), LF_OK);
        cr_assert(found);
        cr_expect_null(got.email);
        cr_expect_str_eq(got.attrs_json, "{\"k\":\"v\"}");
        cr_assert_eq(lf_store_lead_get(st, "nope", &got, &found, NULL), LF_OK);
        cr_expect_not(found);
        int64_t only = -1;
        cr_assert_eq(lf_store_lead_rowid(st, "L1", &only, &found, NULL), LF_OK);
        cr_expect(found);
        cr_expect_eq(only, rowid);
        cr_assert_eq(lf_store_lead_rowid(st, "nope", &only, &found, NULL), LF_OK);
        cr_expect_not(found);
        lf_store_close(st);
    }
}

typedef struct seen_events {
    int64_t lead[8];
    size_t nevents[8];
    lf_time first_ts[8];
    size_t n;
} seen_events;

static lf_status note_events(void *ctx, const lf_lead_events *le, lf_error *err)
{
    (void)err;
    seen_events *s = ctx;
    cr_assert_lt(s->n, 8);
    s->lead[s->n] = le->lead;
    s->nevents[s->n] = le->input.nevents;
    s->first_ts[s->n] = le->input.nevents ? le->input.events[0].ts : -1;
    for (size_t i = 1; i < le->input.nevents; i++) /* (ts, seq) order */
        cr_expect(le->input.events[i - 1].ts < le->input.events[i].ts ||
                  (le->input.events[i - 1].ts == le->input.events[i].ts &&
                   le->seqs[i - 1] < le->seqs[i]));
    s->n++;
    return LF_OK;
}

Test(store, events_are_idempotent_and_scanned_in_time_order)
{
    for (size_t b = 0; b < NBACKENDS; b++) {
        char url[128];
        lf_store *st = open_new(&backends[b], url, sizeof url);
        cr_assert_eq(lf_store_begin(st, NULL), LF_OK);
        int64_t l1 = add_lead(st, "L1", "a@example.com");
        int64_t l2 = add_lead(st, "L2", NULL);
        int64_t l3 = add_lead(st, "L3", NULL);
        int64_t s1 = add_event(st, l1, "i:e1", 300, LF_EV_ACTIVITY);
        int64_t s2 = add_event(st, l1, "i:e2", 100, LF_EV_MQL);
        cr_expect_gt(s1, 0);
        cr_expect_gt(s2, s1, "seq is the import order");
        cr_expect_eq(add_event(st, l2, "i:e1", 50, LF_EV_ACTIVITY), 0, "a known identity");
        add_event(st, l3, "i:e3", 70, LF_EV_WON);
        cr_assert_eq(lf_store_commit(st, NULL), LF_OK);
        seen_events all = {0};
        cr_assert_eq(lf_store_scan_range(st, l1, l3, note_events, &all, NULL), LF_OK);
        cr_expect_eq(all.n, 3, "leads without events are included");
        cr_expect_eq(all.lead[0], l1);
        cr_expect_eq(all.nevents[0], 2);
        cr_expect_eq(all.first_ts[0], 100, "sorted by ts, not by seq");
        cr_expect_eq(all.nevents[1], 0);
        seen_events some = {0};
        int64_t want[] = {l1, l3};
        cr_assert_eq(lf_store_scan_events(st, want, 2, note_events, &some, NULL), LF_OK);
        cr_expect_eq(some.n, 2);
        cr_expect_eq(some.lead[1], l3);
        seen_events none = {0};
        cr_assert_eq(lf_store_scan_range(st, l3 + 1, l3 + 100, note_events, &none, NULL), LF_OK);
        cr_expect_eq(none.n, 0);
        lf_store_close(st);
    }
}

/* The model of a lead's log for the test below: (ts, seq) of each committed event. */
enum { LOG_LEADS = 200, LOG_PER_LEAD = 2048 };
typedef struct log_model {
    int64_t lead[LOG_LEADS];
    size_t n[LOG_LEADS];
    lf_time ts[LOG_LEADS][LOG_PER_LEAD];
    int64_t seq[LOG_LEADS][LOG_PER_LEAD];
    size_t checked;
} log_model;

static size_t model_index(const log_model *m, int64_t lead)
{
    size_t k = 0;
    while (k < LOG_LEADS && m->lead[k] != lead)
        k++;
    cr_assert_lt(k, LOG_LEADS, "a lead the test did not add: %lld", (long long)lead);
    return k;
}

/* Compares one lead's events, as a scan hands them, with the model sorted by (ts, seq)
 * (an insertion sort of the model's own: independent of the store's order). */
static lf_status check_lead_log(void *ctx, const lf_lead_events *le, lf_error *err)
{
    (void)err;
    log_model *m = ctx;
    size_t k = model_index(m, le->lead), n = m->n[k];
    static lf_time ts[LOG_PER_LEAD];
    static int64_t seq[LOG_PER_LEAD];
    for (size_t i = 0; i < n; i++) {
        size_t j = i;
        while (j > 0 && (ts[j - 1] > m->ts[k][i] ||
                         (ts[j - 1] == m->ts[k][i] && seq[j - 1] > m->seq[k][i]))) {
            ts[j] = ts[j - 1];
            seq[j] = seq[j - 1];
            j--;
        }
        ts[j] = m->ts[k][i];
        seq[j] = m->seq[k][i];
    }
    cr_assert_eq(le->input.nevents, n, "lead %lld: %zu events, want %zu", (long long)le->lead,
                 le->input.nevents, n);
    for (size_t i = 0; i < n; i++) {
        cr_assert_eq(le->seqs[i], seq[i], "lead %lld event %zu", (long long)le->lead, i);
        cr_assert_eq(le->input.events[i].ts, ts[i], "lead %lld event %zu", (long long)le->lead, i);
    }
    m->checked++;
    return LF_OK;
}

/* One SQLite number of the store at url. */
static int64_t sqlite_number(const char *url, const char *sql)
{
    sqlite3 *db = NULL;
    cr_assert_eq(sqlite3_open(url, &db), SQLITE_OK);
    sqlite3_stmt *q = NULL;
    cr_assert_eq(sqlite3_prepare_v2(db, sql, -1, &q, NULL), SQLITE_OK, "%s", sqlite3_errmsg(db));
    cr_assert_eq(sqlite3_step(q), SQLITE_ROW);
    int64_t v = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    sqlite3_close(db);
    return v;
}

/* Appends n events over the leads in one transaction of st (PER batches); records
 * them in the model. */
static void append_many(lf_store *st, log_model *m, uint32_t *x, int tag, int n)
{
    enum { PER = 1000 };
    static lf_event_row rows[PER];
    static int64_t seqs[PER];
    static char idents[PER][32];
    cr_assert_eq(lf_store_begin(st, NULL), LF_OK);
    for (int done = 0; done < n; done += PER) {
        for (int i = 0; i < PER; i++) {
            *x = *x * 1103515245u + 12345u;
            snprintf(idents[i], sizeof idents[i], "b:%d-%d", tag, done + i);
            rows[i] = (lf_event_row){.lead = m->lead[(*x >> 8) % LOG_LEADS],
                                     .ident = idents[i],
                                     .ts = 1000 + (lf_time)((*x >> 16) % 500),
                                     .kind = LF_EV_ACTIVITY, .type = "page_view"};
        }
        cr_assert_eq(lf_store_event_append_batch(st, rows, PER, seqs, NULL), LF_OK);
        for (int i = 0; i < PER; i++) {
            size_t k = model_index(m, rows[i].lead);
            cr_assert(seqs[i] > 0 && m->n[k] < LOG_PER_LEAD);
            m->ts[k][m->n[k]] = rows[i].ts;
            m->seq[k][m->n[k]++] = seqs[i];
        }
    }
    cr_assert_eq(lf_store_commit(st, NULL), LF_OK);
}

/* Merges large enough that the turn is longer than 131,072 events (sqrt(log x merged)
 * beyond it), then short ones again (the turn back at 131,072, the remainder carried
 * from the longer one kept below it): every lead still whole. */
static void big_merges(lf_store *conn[3], log_model *m, uint32_t *x, const char *sqlite_url)
{
    append_many(conn[0], m, x, 1, 110000);
    /* a turn of at least 131,072 events: a merge of 110,000 moves at most 85 % of the
     * leads (a far shorter turn would move every lead and empty the small part) */
    if (sqlite_url)
        cr_expect_gt(sqlite_number(sqlite_url, "SELECT count(*) FROM event_leads_new"), 0,
                     "the turn is longer than the merge");
    append_many(conn[1], m, x, 2, 3000);
    append_many(conn[0], m, x, 3, 1000);
    m->checked = 0;
    cr_assert_eq(lf_store_scan_range(conn[2], m->lead[0], m->lead[LOG_LEADS - 1],
                                     check_lead_log, m, NULL), LF_OK);
    cr_expect_eq(m->checked, LOG_LEADS, "every lead scanned after the long turn");
}

/* A lead's events are found whole and in (ts, seq) order while thousands of events a
 * commit spread over the leads, from three connections: two that commit often (the
 * SQLite store puts their entries in its lead index's small part and moves a slice of
 * leads to the large part at each commit, a turn through the leads every 131,072 such
 * events, the turn shared) and one with the default (entries straight to the large
 * part). Every event must be in exactly one part, also across a rollback, the turn
 * passing the last lead, and (big_merges) a turn lengthened by a large merge and
 * shortened again. */
Test(store, lead_logs_stay_whole_across_many_commits, .timeout = 120)
{
    enum { TXNS = 170, PER_TXN = 1000, TURN = 131072 };
    static log_model m;
    static lf_event_row rows[PER_TXN];
    static int64_t seqs[PER_TXN];
    static char idents[PER_TXN][32];
    for (size_t b = 0; b < NBACKENDS; b++) {
        char url[128];
        memset(&m, 0, sizeof m);
        lf_store *conn[3] = {open_new(&backends[b], url, sizeof url), NULL, NULL};
        lf_error err;
        for (int c = 1; c < 3; c++)
            cr_assert_eq(lf_store_open(&conn[c], url, &err), LF_OK, "%s", err.msg);
        for (int c = 0; c < 2; c++)
            cr_assert_eq(lf_store_set_frequent_commits(conn[c], true, &err), LF_OK);
        cr_assert_eq(lf_store_begin(conn[2], NULL), LF_OK);
        for (int i = 0; i < LOG_LEADS; i++) {
            char id[16];
            snprintf(id, sizeof id, "L%d", i);
            m.lead[i] = add_lead(conn[2], id, NULL);
        }
        cr_assert_eq(lf_store_commit(conn[2], NULL), LF_OK);
        uint32_t x = 12345;
        int64_t small_events = 0, turned = 0; /* turned: a seq after the first turn */
        for (int t = 0; t < TXNS; t++) {
            bool direct = t % 5 == 4 && t < 100; /* the default connection, early on */
            lf_store *st = conn[direct ? 2 : t % 2];
            cr_assert_eq(lf_store_begin(st, NULL), LF_OK);
            for (int i = 0; i < PER_TXN; i++) {
                x = x * 1103515245u + 12345u;
                /* every 50th repeats the first event of the transaction: a duplicate */
                snprintf(idents[i], sizeof idents[i], "i:%d-%d", t, i % 50 == 49 ? 0 : i);
                rows[i] = (lf_event_row){.lead = m.lead[(x >> 8) % LOG_LEADS],
                                         .ident = idents[i],
                                         .ts = 1000 + (lf_time)((x >> 16) % 500),
                                         .kind = LF_EV_ACTIVITY, .type = "page_view"};
            }
            cr_assert_eq(lf_store_event_append_batch(st, rows, PER_TXN, seqs, NULL), LF_OK);
            if (t == 7) { /* a rolled-back transaction leaves no event behind */
                cr_assert_eq(lf_store_rollback(st, NULL), LF_OK);
                continue;
            }
            cr_assert_eq(lf_store_commit(st, NULL), LF_OK);
            for (int i = 0; i < PER_TXN; i++) {
                cr_assert_eq(seqs[i] == 0, i % 50 == 49, "txn %d event %d: seq %lld", t, i,
                             (long long)seqs[i]);
                if (!seqs[i])
                    continue;
                size_t k = model_index(&m, rows[i].lead);
                cr_assert_lt(m.n[k], LOG_PER_LEAD);
                m.ts[k][m.n[k]] = rows[i].ts;
                m.seq[k][m.n[k]++] = seqs[i];
                if (!direct && ++small_events == TURN + 2000)
                    turned = seqs[i];
            }
            if (direct && t == 4 && backends[b].file) { /* entries straight to the large part */
                char sql[200];
                snprintf(sql, sizeof sql,
                         "SELECT (SELECT count(*) FROM event_leads WHERE seq BETWEEN %lld AND %lld)"
                         " - 1000 * (SELECT count(*) FROM event_leads_new WHERE seq >= %lld)",
                         (long long)seqs[0], (long long)seqs[PER_TXN - 2], (long long)seqs[0]);
                cr_expect_eq(sqlite_number(url, sql), PER_TXN - PER_TXN / 50,
                             "a default connection's entries are in the large part");
            }
            if (t % 10 != 9 && t != TXNS - 1)
                continue;
            m.checked = 0;
            cr_assert_eq(lf_store_scan_range(conn[t % 3], m.lead[0], m.lead[LOG_LEADS - 1],
                                             check_lead_log, &m, NULL), LF_OK);
            cr_expect_eq(m.checked, LOG_LEADS, "%s: every lead scanned", backends[b].name);
        }
        int64_t few[] = {m.lead[0], m.lead[17], m.lead[LOG_LEADS - 1]};
        m.checked = 0;
        cr_assert_eq(lf_store_scan_events(conn[0], few, 3, check_lead_log, &m, NULL), LF_OK);
        cr_expect_eq(m.checked, 3);
        cr_assert_gt(turned, 0, "the test appended a turn's worth to the small part");
        if (backends[b].file) {
            int64_t big = sqlite_number(url, "SELECT count(*) FROM event_leads");
            int64_t small = sqlite_number(url, "SELECT count(*) FROM event_leads_new");
            cr_expect_eq(big + small, sqlite_number(url, "SELECT count(*) FROM events"),
                         "each event once");
            /* the turn is shared: the small part keeps about a turn's worth, not every
             * event the two connections appended */
            cr_expect(small > 0 && small < TURN, "small part %lld of %lld", (long long)small,
                      (long long)small_events);
            char sql[160]; /* the turn passed the last lead and went on from the first */
            snprintf(sql, sizeof sql,
                     "SELECT count(*) FROM event_leads WHERE lead <= %lld AND seq > %lld",
                     (long long)m.lead[9], (long long)turned);
            cr_expect_gt(sqlite_number(url, sql), 0, "the next turn began at the first lead");
        }
        big_merges(conn, &m, &x, backends[b].file ? url : NULL);
        if (backends[b].file)
            cr_expect_eq(sqlite_number(url, "SELECT count(*) FROM event_leads") +
                             sqlite_number(url, "SELECT count(*) FROM event_leads_new"),
                         sqlite_number(url, "SELECT count(*) FROM events"),
                         "each event once after the long turn");
        for (int c = 0; c < 3; c++)
            lf_store_close(conn[c]);
    }
}

typedef struct seen_state {
    int64_t lead[8];
    bool stale[8];
    size_t ntrans[8], nhandoffs[8];
    uint8_t stage[8];
    size_t n;
} seen_state;

static lf_status note_state(void *ctx, const lf_state_row *r, lf_error *err)
{
    (void)err;
    seen_state *s = ctx;
    cr_assert_lt(s->n, 8);
    s->lead[s->n] = r->lead;
    s->stale[s->n] = r->stale;
    s->ntrans[s->n] = r->ntrans;
    s->nhandoffs[s->n] = r->nhandoffs;
    s->stage[s->n] = r->stage;
    s->n++;
    return LF_OK;
}

/* Replays lead's events with the real engine and writes the result. */
static lf_status write_state(void *ctx, const lf_lead_events *le, lf_error *err)
{
    lf_store *st = ctx;
    lf_lead_state ls;
    lf_lead_state_init(&ls);
    lf_status r = lf_lifecycle_replay(&le->input, NULL, &ls, err);
    if (r == LF_OK)
        r = lf_store_derived_write(st, le, &ls, err);
    lf_lead_state_release(&ls);
    return r;
}

Test(store, pending_marks_are_cleared_by_the_derived_write_of_the_lead)
{
    for (size_t b = 0; b < NBACKENDS; b++) {
        char url[128];
        lf_store *st = open_new(&backends[b], url, sizeof url);
        cr_assert_eq(lf_store_begin(st, NULL), LF_OK);
        int64_t l1 = add_lead(st, "L1", "a@example.com");
        int64_t l2 = add_lead(st, "L2", NULL);
        add_event(st, l1, "i:m", 2000, LF_EV_MQL);
        add_event(st, l2, "i:m2", 2000, LF_EV_MQL); /* no email: ignored */
        int64_t marks[] = {l2, l1, l2};
        cr_assert_eq(lf_store_pending_mark(st, marks, 3, NULL), LF_OK);
        cr_assert_eq(lf_store_commit(st, NULL), LF_OK);
        int64_t *p = NULL;
        size_t n = 0;
        cr_assert_eq(lf_store_pending_list(st, &p, &n, NULL), LF_OK);
        cr_assert_eq(n, 2, "each lead once");
        cr_expect_eq(p[0], l1, "in rowid order");
        cr_expect_eq(p[1], l2);
        free(p);
        /* before any replay both are stale, never replayed */
        seen_state s0 = {0};
        cr_assert_eq(lf_store_scan_state(st, note_state, &s0, NULL), LF_OK);
        cr_assert_eq(s0.n, 2);
        cr_expect(s0.stale[0] && s0.stale[1]);
        cr_expect_eq(s0.ntrans[0], 0);
        /* replay l1 only */
        cr_assert_eq(lf_store_begin(st, NULL), LF_OK);
        int64_t one[] = {l1};
        cr_assert_eq(lf_store_scan_events(st, one, 1, write_state, st, NULL), LF_OK);
        cr_assert_eq(lf_store_commit(st, NULL), LF_OK);
        cr_assert_eq(lf_store_pending_list(st, &p, &n, NULL), LF_OK);
        cr_assert_eq(n, 1);
        cr_expect_eq(p[0], l2);
        free(p);
        seen_state s1 = {0};
        cr_assert_eq(lf_store_scan_state(st, note_state, &s1, NULL), LF_OK);
        cr_expect_not(s1.stale[0]);
        cr_expect_eq(s1.stage[0], LF_STAGE_MQL);
        cr_expect_eq(s1.ntrans[0], 2, "created, then mql");
        cr_expect_eq(s1.nhandoffs[0], 1);
        cr_expect(s1.stale[1]);
        /* a pending lead with stored state is still stale */
        cr_assert_eq(lf_store_begin(st, NULL), LF_OK);
        cr_assert_eq(lf_store_pending_mark(st, one, 1, NULL), LF_OK);
        cr_assert_eq(lf_store_commit(st, NULL), LF_OK);
        seen_state s2 = {0};
        cr_assert_eq(lf_store_scan_state(st, note_state, &s2, NULL), LF_OK);
        cr_expect(s2.stale[0]);
        cr_expect_eq(s2.ntrans[0], 0, "a stale lead comes without its old state");
        lf_store_close(st);
    }
}

/* Rewrites a lead's derived state with the engine's result edited by `edit`. */
typedef struct edited {
    lf_store *st;
    int mode; /* 0: as replayed; 1: second transition moved, no handoff; 2: one transition */
    lf_time first_ts, second_ts, mql_at;
    size_t ntrans, nhandoffs;
} edited;

static lf_status write_edited(void *ctx, const lf_lead_events *le, lf_error *err)
{
    edited *e = ctx;
    lf_lead_state ls;
    lf_lead_state_init(&ls);
    lf_status r = lf_lifecycle_replay(&le->input, NULL, &ls, err);
    cr_assert_eq(ls.ntrans, 2);
    if (e->mode == 1) {
        ls.trans[1].ts += 500;
        ls.nhandoffs = 0;
    } else if (e->mode == 2) {
        ls.ntrans = 1;
    }
    if (r == LF_OK)
        r = lf_store_derived_write(e->st, le, &ls, err);
    lf_lead_state_release(&ls);
    return r;
}

static lf_status note_edited(void *ctx, const lf_state_row *r, lf_error *err)
{
    (void)err;
    edited *e = ctx;
    e->ntrans = r->ntrans;
    e->nhandoffs = r->nhandoffs;
    e->first_ts = r->ntrans > 0 ? r->trans[0].ts : -1;
    e->second_ts = r->ntrans > 1 ? r->trans[1].ts : -1;
    e->mql_at = r->nhandoffs > 0 ? r->handoffs[0].mql_at : -1;
    return LF_OK;
}

/* The derived write replaces a lead's state whatever it was before: rows changed in
 * place, rows beyond the new counts gone, unchanged rows kept. */
Test(store, derived_write_replaces_changed_and_shorter_state)
{
    for (size_t b = 0; b < NBACKENDS; b++) {
        char url[128];
        lf_store *st = open_new(&backends[b], url, sizeof url);
        cr_assert_eq(lf_store_begin(st, NULL), LF_OK);
        int64_t l1 = add_lead(st, "L1", "a@example.com");
        add_event(st, l1, "i:m", 2000, LF_EV_MQL);
        cr_assert_eq(lf_store_commit(st, NULL), LF_OK);
        int64_t one[] = {l1};
        const struct {
            int mode;
            size_t ntrans, nhandoffs;
            lf_time second_ts, mql_at;
        } steps[] = {{0, 2, 1, 2000, 2000}, {0, 2, 1, 2000, 2000}, {1, 2, 0, 2500, -1},
                     {0, 2, 1, 2000, 2000}, {2, 1, 1, -1, 2000}, {0, 2, 1, 2000, 2000}};
        for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
            edited e = {.st = st, .mode = steps[i].mode};
            cr_assert_eq(lf_store_begin(st, NULL), LF_OK);
            cr_assert_eq(lf_store_scan_events(st, one, 1, write_edited, &e, NULL), LF_OK);
            cr_assert_eq(lf_store_commit(st, NULL), LF_OK);
            cr_assert_eq(lf_store_scan_state(st, note_edited, &e, NULL), LF_OK);
            cr_expect_eq(e.ntrans, steps[i].ntrans, "step %zu", i);
            cr_expect_eq(e.nhandoffs, steps[i].nhandoffs, "step %zu", i);
            cr_expect_eq(e.first_ts, 1000, "step %zu: the creation", i);
            cr_expect_eq(e.second_ts, steps[i].second_ts, "step %zu", i);
            cr_expect_eq(e.mql_at, steps[i].mql_at, "step %zu", i);
        }
        lf_store_close(st);
    }
}

/* A lead written in a rolled-back transaction is not found by id afterwards, also once
 * another lead took its place (a connection that remembers ids must forget it). */
Test(store, lead_rowid_forgets_a_rolled_back_lead)
{
    for (size_t b = 0; b < NBACKENDS; b++) {
        char url[128];
        lf_store *st = open_new(&backends[b], url, sizeof url);
        int64_t rowid = 0;
        bool found = false;
        cr_assert_eq(lf_store_begin(st, NULL), LF_OK);
        int64_t kept = add_lead(st, "K1", NULL);
        cr_assert_eq(lf_store_commit(st, NULL), LF_OK);
        cr_assert_eq(lf_store_begin(st, NULL), LF_OK);
        add_lead(st, "GONE", NULL);
        cr_assert_eq(lf_store_lead_rowid(st, "GONE", &rowid, &found, NULL), LF_OK);
        cr_expect(found, "%s: seen in its own transaction", backends[b].name);
        cr_assert_eq(lf_store_lead_rowid(st, "K1", &rowid, &found, NULL), LF_OK);
        cr_assert_eq(lf_store_rollback(st, NULL), LF_OK);
        cr_assert_eq(lf_store_lead_rowid(st, "GONE", &rowid, &found, NULL), LF_OK);
        cr_expect(!found, "%s: rolled back", backends[b].name);
        cr_assert_eq(lf_store_begin(st, NULL), LF_OK);
        int64_t next = add_lead(st, "NEXT", NULL);
        cr_assert_eq(lf_store_commit(st, NULL), LF_OK);
        cr_assert_eq(lf_store_lead_rowid(st, "GONE", &rowid, &found, NULL), LF_OK);
        cr_expect(!found, "%s: still gone", backends[b].name);
        cr_assert_eq(lf_store_lead_rowid(st, "NEXT", &rowid, &found, NULL), LF_OK);
        cr_expect(found && rowid == next, "%s: the new lead", backends[b].name);
        cr_assert_eq(lf_store_lead_rowid(st, "K1", &rowid, &found, NULL), LF_OK);
        cr_expect(found && rowid == kept, "%s: a committed lead stays", backends[b].name);
        lf_store_close(st);
    }
}

/* sync_log after commits, with and without a log file yet. */
Test(store, sync_log_after_commits)
{
    for (size_t b = 0; b < NBACKENDS; b++) {
        char url[128];
        lf_store *st = open_new(&backends[b], url, sizeof url);
        lf_error err;
        cr_expect_eq(lf_store_sync_log(st, &err), LF_OK, "%s", err.msg);
        cr_assert_eq(lf_store_begin(st, NULL), LF_OK);
        add_lead(st, "L1", NULL);
        cr_assert_eq(lf_store_commit(st, NULL), LF_OK);
        cr_expect_eq(lf_store_sync_log(st, &err), LF_OK, "%s", err.msg);
        lf_store *other = NULL;
        cr_assert_eq(lf_store_open(&other, url, &err), LF_OK);
        cr_assert_eq(lf_store_begin(st, NULL), LF_OK);
        add_lead(st, "L2", NULL);
        cr_assert_eq(lf_store_commit(st, NULL), LF_OK);
        cr_expect_eq(lf_store_sync_log(other, &err), LF_OK, "another connection: %s", err.msg);
        lf_store_close(other);
        lf_store_close(st);
    }
}

typedef struct reasons {
    char text[4][64];
    int64_t count[4];
    size_t n;
} reasons;

static lf_status note_reason(void *ctx, const char *reason, int64_t count)
{
    reasons *r = ctx;
    cr_assert_lt(r->n, 4);
    snprintf(r->text[r->n], sizeof r->text[0], "%s", reason);
    r->count[r->n++] = count;
    return LF_OK;
}

static lf_status note_ignored(void *ctx, const lf_ignored_row *g)
{
    reasons *r = ctx;
    cr_assert_lt(r->n, 4);
    snprintf(r->text[r->n], sizeof r->text[0], "%s:%ld %s %s", g->file ? g->file : "?",
             g->line, g->lead_id, g->reason);
    r->n++;
    return LF_OK;
}

Test(store, ignored_events_keep_their_reason_file_and_line)
{
    for (size_t b = 0; b < NBACKENDS; b++) {
        char url[128];
        lf_store *st = open_new(&backends[b], url, sizeof url);
        cr_assert_eq(lf_store_begin(st, NULL), LF_OK);
        int64_t file = 0;
        cr_assert_eq(lf_store_file_id(st, "events.csv", &file, NULL), LF_OK);
        int64_t again = 0;
        cr_assert_eq(lf_store_file_id(st, "events.csv", &again, NULL), LF_OK);
        cr_expect_eq(file, again, "one id per name");
        int64_t l1 = add_lead(st, "L1", NULL);
        lf_event_row ev = {.lead = l1, .ident = "i:x", .ts = 2000, .kind = LF_EV_MQL,
                           .type = "mql", .file = file, .line = 7};
        int64_t seq;
        cr_assert_eq(lf_store_event_append(st, &ev, &seq, NULL), LF_OK);
        ev = (lf_event_row){.lead = l1, .ident = "i:y", .ts = 10, .kind = LF_EV_ACCEPTED,
                            .type = "accepted", .file = file, .line = 9};
        cr_assert_eq(lf_store_event_append(st, &ev, &seq, NULL), LF_OK);
        int64_t one[] = {l1};
        cr_assert_eq(lf_store_scan_events(st, one, 1, write_state, st, NULL), LF_OK);
        cr_assert_eq(lf_store_commit(st, NULL), LF_OK);
        reasons counts = {0};
        cr_assert_eq(lf_store_ignored_counts(st, 0, note_reason, &counts, NULL), LF_OK);
        cr_assert_eq(counts.n, 2);
        cr_expect_str_eq(counts.text[0], "before created_at"); /* ties: by reason */
        cr_expect_str_eq(counts.text[1], "mql without email");
        reasons rows = {0};
        cr_assert_eq(lf_store_ignored_scan(st, note_ignored, &rows, NULL), LF_OK);
        cr_assert_eq(rows.n, 2);
        cr_expect_str_eq(rows.text[0], "events.csv:7 L1 mql without email");
        cr_expect_str_eq(rows.text[1], "events.csv:9 L1 before created_at");
        lf_store_close(st);
    }
}

typedef struct amounts {
    char date[4][16];
    double amount[4];
    size_t n;
} amounts;

static lf_status note_amount(void *ctx, const char *date, const char *channel, double amount,
                             lf_error *err)
{
    (void)channel;
    (void)err;
    amounts *a = ctx;
    cr_assert_lt(a->n, 4);
    snprintf(a->date[a->n], sizeof a->date[0], "%s", date);
    a->amount[a->n++] = amount;
    return LF_OK;
}

Test(store, series_replace_and_report_changes)
{
    for (size_t b = 0; b < NBACKENDS; b++) {
        char url[128];
        lf_store *st = open_new(&backends[b], url, sizeof url);
        bool changed;
        cr_assert_eq(lf_store_begin(st, NULL), LF_OK);
        cr_assert_eq(lf_store_series_set(st, LF_SERIES_COSTS, "2026-02", "all", 10, &changed,
                                         NULL), LF_OK);
        cr_expect(changed);
        cr_assert_eq(lf_store_series_set(st, LF_SERIES_COSTS, "2026-02", "all", 10, &changed,
                                         NULL), LF_OK);
        cr_expect_not(changed, "the same value again changes nothing");
        cr_assert_eq(lf_store_series_set(st, LF_SERIES_COSTS, "2026-01-05", "web", 3, &changed,
                                         NULL), LF_OK);
        cr_assert_eq(lf_store_series_set(st, LF_SERIES_COSTS, "2026-02", "all", 12, &changed,
                                         NULL), LF_OK);
        cr_expect(changed, "a new value replaces the old");
        cr_assert_eq(lf_store_commit(st, NULL), LF_OK);
        amounts a = {0};
        cr_assert_eq(lf_store_scan_series(st, LF_SERIES_COSTS, note_amount, &a, NULL), LF_OK);
        cr_assert_eq(a.n, 2);
        cr_expect_str_eq(a.date[0], "2026-01-05"); /* (date, channel) order */
        cr_expect_eq(a.amount[1], 12);
        amounts t = {0};
        cr_assert_eq(lf_store_scan_series(st, LF_SERIES_TRAFFIC, note_amount, &t, NULL), LF_OK);
        cr_expect_eq(t.n, 0);
        lf_store_close(st);
    }
}

/* ---- one attribute of every lead (the segment report) ---------------------------------- */

typedef struct attr_seen {
    int n;
    char text[8][32];
} attr_seen;

static lf_status note_attr(void *ctx, int64_t lead, const char *value, size_t len, lf_error *err)
{
    (void)err;
    attr_seen *a = ctx;
    cr_assert_lt(a->n, 8);
    if (value)
        snprintf(a->text[a->n++], sizeof a->text[0], "%lld=%.*s", (long long)lead, (int)len,
                 value);
    else
        snprintf(a->text[a->n++], sizeof a->text[0], "%lld=(none)", (long long)lead);
    return LF_OK;
}

Test(store, scan_lead_attr_reads_columns_and_attributes_by_name)
{
    for (size_t b = 0; b < NBACKENDS; b++) {
        char url[128];
        lf_store *st = open_new(&backends[b], url, sizeof url);
        cr_assert_eq(lf_store_begin(st, NULL), LF_OK);
        /* keys with a quote and a dot need no JSON-path quoting: the key is bound */
        const char *attrs[] = {"{\"industry\":\"software\",\"a\\\"b.c\":\"q\"}", "{}",
                               "{\"industry\":\"retail\"}"};
        const char *ids[] = {"L1", "L2", "L3"};
        for (int i = 0; i < 3; i++) {
            lf_lead_row row = {.id = ids[i], .email = i == 1 ? NULL : "x@y.example",
                               .created_at = 1000, .source = "Google Ads", .channel = "web",
                               .origin = "marketing", .persona = "none", .attrs_json = attrs[i]};
            lf_upsert res;
            cr_assert_eq(lf_store_lead_upsert(st, &row, &res, NULL), LF_OK);
        }
        cr_assert_eq(lf_store_commit(st, NULL), LF_OK);
        static const struct {
            const char *name, *want[3];
        } cases[] = {
            {"industry", {"1=software", "2=(none)", "3=retail"}},
            {"a\"b.c", {"1=q", "2=(none)", "3=(none)"}},
            {"source", {"1=Google Ads", "2=Google Ads", "3=Google Ads"}},
            {"channel", {"1=web", "2=web", "3=web"}},
            {"email", {"1=x@y.example", "2=(none)", "3=x@y.example"}},
            {"nosuch", {"1=(none)", "2=(none)", "3=(none)"}},
            {"' OR 1=1 --", {"1=(none)", "2=(none)", "3=(none)"}},
        };
        for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
            attr_seen seen = {0};
            lf_error err;
            cr_assert_eq(lf_store_read_begin(st, &err), LF_OK);
            cr_assert_eq(lf_store_scan_lead_attr(st, cases[c].name, note_attr, &seen, &err),
                         LF_OK, "%s", err.msg);
            lf_store_read_end(st);
            cr_assert_eq(seen.n, 3, "%s", cases[c].name);
            for (int i = 0; i < 3; i++)
                cr_expect_str_eq(seen.text[i], cases[c].want[i], "%s: %s", cases[c].name,
                                 seen.text[i]);
        }
        lf_store_close(st);
    }
}

static lf_status count_reject(void *ctx, const lf_reject *r)
{
    (void)r;
    (*(int *)ctx)++;
    return LF_OK;
}

Test(store, a_rejected_row_is_recorded_once)
{
    for (size_t b = 0; b < NBACKENDS; b++) {
        char url[128];
        lf_store *st = open_new(&backends[b], url, sizeof url);
        cr_assert_eq(lf_store_begin(st, NULL), LF_OK);
        for (int i = 0; i < 2; i++)
            cr_assert_eq(lf_store_reject_add(st, "leads", "a.csv", 3, "bad", "x,y", 3, NULL),
                         LF_OK);
        cr_assert_eq(lf_store_reject_add(st, "leads", "a.csv", 4, "bad", "x,y", 3, NULL), LF_OK);
        cr_assert_eq(lf_store_commit(st, NULL), LF_OK);
        int n = 0;
        cr_assert_eq(lf_store_rejects_scan(st, count_reject, &n, NULL), LF_OK);
        cr_expect_eq(n, 2);
        lf_store_close(st);
    }
}

/* Writers of one lead take turns: SQLite locks the whole store at begin, PostgreSQL the
 * lead's row when a writer marks it pending; either way the second writer of the lead
 * gives up "busy" after the lock timeout, and readers see the last commit, not waiting. */
Test(store, readers_do_not_wait_and_a_writer_gives_up_busy)
{
    for (size_t b = 0; b < NBACKENDS; b++) {
        char url[128];
        lf_store *w = open_new(&backends[b], url, sizeof url);
        cr_assert_eq(lf_store_begin(w, NULL), LF_OK);
        int64_t l1 = add_lead(w, "L1", NULL);
        cr_assert_eq(lf_store_commit(w, NULL), LF_OK);
        cr_assert_eq(lf_store_begin(w, NULL), LF_OK);
        add_lead(w, "L2", NULL);
        cr_assert_eq(lf_store_pending_mark(w, &l1, 1, NULL), LF_OK);
        /* while w holds the write lock: a second handle opens and reads ... */
        setenv("LEADFLOW_LOCK_TIMEOUT", "0", 1);
        lf_store *r = NULL;
        lf_error err;
        cr_assert_eq(lf_store_open(&r, url, &err), LF_OK, "%s", err.msg);
        cr_assert_eq(lf_store_read_begin(r, &err), LF_OK, "%s", err.msg);
        int64_t n = -1;
        cr_assert_eq(lf_store_lead_count(r, &n, NULL), LF_OK);
        cr_expect_eq(n, l1, "the uncommitted lead is not seen");
        lf_store_read_end(r);
        /* ... but cannot write that lead */
        lf_status s = lf_store_begin(r, &err);
        if (s == LF_OK) {
            s = lf_store_pending_mark(r, &l1, 1, &err);
            lf_store_rollback(r, NULL);
        }
        cr_expect_eq(s, LF_ESTORE, "%s", backends[b].name);
        cr_expect_not_null(strstr(err.msg, "busy"), "%s", err.msg);
        unsetenv("LEADFLOW_LOCK_TIMEOUT");
        cr_assert_eq(lf_store_commit(w, NULL), LF_OK);
        cr_assert_eq(lf_store_lead_count(r, &n, NULL), LF_OK);
        cr_expect_gt(n, l1);
        lf_store_close(r);
        lf_store_close(w);
    }
}

/* ---- the outbox ---------------------------------------------------------------------- */

typedef struct seen_rows {
    int64_t lead[16], n[16];
    int status[16], attempts[16];
    char body[16][32];
    size_t count;
} seen_rows;

static lf_status note_row(void *ctx, const lf_outbox_row *o, lf_error *err)
{
    (void)err;
    seen_rows *s = ctx;
    if (s->count < 16) {
        s->lead[s->count] = o->lead;
        s->n[s->count] = o->n;
        s->status[s->count] = o->status;
        s->attempts[s->count] = o->attempts;
        snprintf(s->body[s->count], sizeof s->body[0], "%s", o->body ? o->body : "-");
        s->count++;
    }
    return LF_OK;
}

static bool outbox_add(lf_store *st, int64_t lead, const char *type, const char *url,
                       int64_t subject, lf_time next_at, int64_t *n)
{
    lf_outbox_row row = {.lead = lead, .type = type, .endpoint = url, .subject = subject,
                         .created_at = subject, .next_at = next_at};
    bool added = false;
    cr_assert_eq(lf_store_outbox_add(st, &row, &added, NULL), LF_OK);
    if (n)
        *n = row.n;
    return added;
}

Test(store, outbox_is_unique_numbered_per_lead_and_due_in_order)
{
    for (size_t b = 0; b < NBACKENDS; b++) {
        char url[128];
        lf_store *st = open_new(&backends[b], url, sizeof url);
        cr_assert_eq(lf_store_begin(st, NULL), LF_OK);
        int64_t a = add_lead(st, "A", "a@x"), c = add_lead(st, "C", "c@x"), n = 0;
        cr_expect(outbox_add(st, a, "handoff.opened", "http://h/1", 100, 500, &n));
        cr_expect_eq(n, 1);
        cr_expect(outbox_add(st, a, "handoff.decided", "http://h/1", 100, 500, &n));
        cr_expect_eq(n, 2);
        /* the same (lead, type, subject, endpoint) again adds nothing */
        cr_expect_not(outbox_add(st, a, "handoff.opened", "http://h/1", 100, 400, NULL));
        cr_expect(outbox_add(st, a, "handoff.opened", "http://h/2", 100, 500, NULL));
        cr_expect(outbox_add(st, c, "handoff.opened", "http://h/1", 100, 300, &n));
        cr_expect_eq(n, 1, "numbers are per lead");
        cr_expect(outbox_add(st, 0, "pacing.behind", "http://h/1", 20000, 900, NULL));
        cr_assert_eq(lf_store_commit(st, NULL), LF_OK);
        /* due at 600: per (lead, endpoint) only the oldest pending; by next_at, lead, n */
        seen_rows s = {0};
        cr_assert_eq(lf_store_outbox_due(st, 600, 10, note_row, &s, NULL), LF_OK);
        cr_assert_eq(s.count, 3);
        cr_expect(s.lead[0] == c && s.n[0] == 1);
        cr_expect(s.lead[1] == a && s.n[1] == 1);
        cr_expect(s.lead[2] == a && s.n[2] == 3, "the other endpoint is not held back");
        memset(&s, 0, sizeof s);
        cr_assert_eq(lf_store_outbox_due(st, 600, 1, note_row, &s, NULL), LF_OK);
        cr_expect_eq(s.count, 1, "limit");
        /* a claim is compare-and-set on next_at */
        bool claimed = false;
        cr_assert_eq(lf_store_begin(st, NULL), LF_OK);
        cr_assert_eq(lf_store_outbox_claim(st, a, 1, 500, 5000, 600, "{}", &claimed, NULL),
                     LF_OK);
        cr_expect(claimed);
        cr_assert_eq(lf_store_outbox_claim(st, a, 1, 500, 5000, 600, "{x}", &claimed, NULL),
                     LF_OK);
        cr_expect_not(claimed, "claimed twice");
        cr_assert_eq(lf_store_commit(st, NULL), LF_OK);
        memset(&s, 0, sizeof s);
        cr_assert_eq(lf_store_outbox_due(st, 600, 10, note_row, &s, NULL), LF_OK);
        cr_expect_eq(s.count, 2, "a claimed delivery is not due, nor the lead's next one");
        /* sent: the lead's next delivery to that endpoint is due */
        cr_assert_eq(lf_store_begin(st, NULL), LF_OK);
        cr_assert_eq(lf_store_outbox_result(st, a, 1, LF_OUTBOX_SENT, 600, NULL, NULL), LF_OK);
        cr_assert_eq(lf_store_outbox_result(st, c, 1, LF_OUTBOX_FAILED, 600, "HTTP 500", NULL),
                     LF_OK);
        cr_assert_eq(lf_store_commit(st, NULL), LF_OK);
        memset(&s, 0, sizeof s);
        cr_assert_eq(lf_store_outbox_due(st, 600, 10, note_row, &s, NULL), LF_OK);
        cr_assert_eq(s.count, 2);
        cr_expect(s.lead[0] == a && s.n[0] == 2);
        /* scans by status; the body and attempts of the claim were kept */
        memset(&s, 0, sizeof s);
        cr_assert_eq(lf_store_outbox_scan(st, 1u << LF_OUTBOX_SENT, note_row, &s, NULL), LF_OK);
        cr_assert_eq(s.count, 1);
        cr_expect_str_eq(s.body[0], "{}");
        cr_expect_eq(s.attempts[0], 1);
        memset(&s, 0, sizeof s);
        cr_assert_eq(lf_store_outbox_scan(st, 7, note_row, &s, NULL), LF_OK);
        cr_expect_eq(s.count, 5);
        /* requeue: failed -> pending, due at now */
        int64_t count = 0;
        cr_assert_eq(lf_store_begin(st, NULL), LF_OK);
        cr_assert_eq(lf_store_outbox_requeue(st, 700, &count, NULL), LF_OK);
        cr_assert_eq(lf_store_commit(st, NULL), LF_OK);
        cr_expect_eq(count, 1);
        memset(&s, 0, sizeof s);
        cr_assert_eq(lf_store_outbox_scan(st, 1u << LF_OUTBOX_FAILED, note_row, &s, NULL),
                     LF_OK);
        cr_expect_eq(s.count, 0);
        lf_store_close(st);
        unlink(url);
    }
}

static lf_status note_handoff(void *ctx, const lf_state_handoff *h, lf_error *err)
{
    (void)err;
    lf_time *t = ctx;
    t[t[0] + 1] = h->mql_at;
    t[0]++;
    return LF_OK;
}

Test(store, lead_handoffs_are_the_stored_ones_in_order)
{
    for (size_t b = 0; b < NBACKENDS; b++) {
        char url[128];
        lf_store *st = open_new(&backends[b], url, sizeof url);
        cr_assert_eq(lf_store_begin(st, NULL), LF_OK);
        int64_t a = add_lead(st, "A", "a@x");
        add_event(st, a, "i:1", 2000, LF_EV_MQL);
        add_event(st, a, "i:2", 3000, LF_EV_REJECTED);
        add_event(st, a, "i:3", 4000, LF_EV_MQL);
        cr_assert_eq(lf_store_commit(st, NULL), LF_OK);
        int64_t leads[] = {a};
        cr_assert_eq(lf_store_begin(st, NULL), LF_OK);
        cr_assert_eq(lf_store_scan_events(st, leads, 1, write_state, st, NULL), LF_OK);
        cr_assert_eq(lf_store_commit(st, NULL), LF_OK);
        lf_time t[8] = {0};
        cr_assert_eq(lf_store_lead_handoffs(st, a, note_handoff, t, NULL), LF_OK);
        cr_expect_eq(t[0], 2);
        cr_expect(t[1] == 2000 && t[2] == 4000);
        lf_store_close(st);
        unlink(url);
    }
}

/* ---- copying a store ------------------------------------------------------------------ */

typedef struct seen_log {
    int64_t seq[8], lead[8];
    char ident[8][16], file[8][16];
    long line[8];
    size_t n;
} seen_log;

static lf_status note_log(void *ctx, const lf_log_event *e, lf_error *err)
{
    (void)err;
    seen_log *s = ctx;
    cr_assert_lt(s->n, 8);
    s->seq[s->n] = e->seq;
    s->lead[s->n] = e->row.lead;
    snprintf(s->ident[s->n], sizeof s->ident[0], "%s", e->row.ident);
    snprintf(s->file[s->n], sizeof s->file[0], "%s", e->file ? e->file : "-");
    s->line[s->n] = e->row.line;
    s->n++;
    return LF_OK;
}

Test(store, log_scan_pages_the_log_in_import_order)
{
    for (size_t b = 0; b < NBACKENDS; b++) {
        char url[128];
        lf_store *st = open_new(&backends[b], url, sizeof url);
        cr_assert_eq(lf_store_begin(st, NULL), LF_OK);
        int64_t l1 = add_lead(st, "L1", NULL), l2 = add_lead(st, "L2", NULL), file = 0;
        cr_assert_eq(lf_store_file_id(st, "ev.csv", &file, NULL), LF_OK);
        lf_event_row ev = {.lead = l2, .file = file, .line = 7, .ident = "i:a", .ts = 500,
                           .kind = LF_EV_MQL, .type = "mql"};
        int64_t s1 = 0;
        cr_assert_eq(lf_store_event_append(st, &ev, &s1, NULL), LF_OK);
        int64_t s2 = add_event(st, l1, "c:x", 100, LF_EV_ACTIVITY);
        int64_t s3 = add_event(st, l2, "i:b", 50, LF_EV_WON);
        cr_assert_eq(lf_store_commit(st, NULL), LF_OK);
        seen_log s = {0};
        cr_assert_eq(lf_store_log_scan(st, 0, 2, note_log, &s, NULL), LF_OK);
        cr_assert_eq(s.n, 2, "the limit");
        cr_expect(s.seq[0] == s1 && s.lead[0] == l2 && s.line[0] == 7);
        cr_expect_str_eq(s.ident[0], "i:a");
        cr_expect_str_eq(s.file[0], "ev.csv");
        cr_expect(s.seq[1] == s2 && s.lead[1] == l1);
        cr_expect_str_eq(s.file[1], "-", "no input name");
        cr_assert_eq(lf_store_log_scan(st, s.seq[1], 2, note_log, &s, NULL), LF_OK);
        cr_assert_eq(s.n, 3, "the next page starts after the last seq");
        cr_expect_eq(s.seq[2], s3);
        lf_store_close(st);
    }
}

Test(store, outbox_put_writes_a_delivery_as_given_once)
{
    for (size_t b = 0; b < NBACKENDS; b++) {
        char url[128];
        lf_store *st = open_new(&backends[b], url, sizeof url);
        cr_assert_eq(lf_store_begin(st, NULL), LF_OK);
        int64_t a = add_lead(st, "A", "a@x");
        lf_outbox_row row = {.lead = a, .n = 4, .type = "handoff.opened", .endpoint = "http://h",
                             .subject = 100, .created_at = 100, .next_at = 900,
                             .first_at = 200, .status = LF_OUTBOX_SENT, .attempts = 3,
                             .body = "{\"b\":1}", .last_error = NULL};
        cr_assert_eq(lf_store_outbox_put(st, &row, NULL), LF_OK);
        row.attempts = 9;
        cr_assert_eq(lf_store_outbox_put(st, &row, NULL), LF_OK);
        cr_assert_eq(lf_store_commit(st, NULL), LF_OK);
        seen_rows s = {0};
        cr_assert_eq(lf_store_outbox_scan(st, 7, note_row, &s, NULL), LF_OK);
        cr_assert_eq(s.count, 1, "%s: put twice, written once", backends[b].name);
        cr_expect(s.lead[0] == a && s.n[0] == 4 && s.status[0] == LF_OUTBOX_SENT);
        cr_expect_eq(s.attempts[0], 3);
        cr_expect_str_eq(s.body[0], "{\"b\":1}");
        /* the next add numbers after it */
        cr_assert_eq(lf_store_begin(st, NULL), LF_OK);
        int64_t n = 0;
        cr_expect(outbox_add(st, a, "handoff.decided", "http://h", 100, 900, &n));
        cr_expect_eq(n, 5);
        cr_assert_eq(lf_store_commit(st, NULL), LF_OK);
        lf_store_close(st);
    }
}

Test(store, a_batch_appends_in_order_with_duplicates_as_one_by_one)
{
    for (size_t b = 0; b < NBACKENDS; b++) {
        char url[128];
        lf_store *st = open_new(&backends[b], url, sizeof url);
        cr_assert_eq(lf_store_begin(st, NULL), LF_OK);
        int64_t l1 = add_lead(st, "L1", NULL), l2 = add_lead(st, "L2", NULL);
        int64_t known = add_event(st, l1, "i:known", 10, LF_EV_ACTIVITY);
        lf_event_row ev[5] = {
            {.lead = l2, .ident = "i:a", .ts = 30, .kind = LF_EV_ACTIVITY, .type = "x",
             .detail = "say \"hi\" \\ there", .amount = 2.5, .has_amount = true},
            {.lead = l1, .ident = "i:known", .ts = 40, .kind = LF_EV_ACTIVITY, .type = "x"},
            {.lead = l1, .ident = "c:b", .ts = 20, .kind = LF_EV_MQL, .type = "mql",
             .reason = "{1,2}", .line = 9},
            {.lead = l2, .ident = "i:a", .ts = 50, .kind = LF_EV_ACTIVITY, .type = "y"},
            {.lead = l2, .ident = "i:c", .ts = 60, .kind = LF_EV_WON, .type = "won"},
        };
        int64_t seqs[5] = {-1, -1, -1, -1, -1};
        lf_error err;
        cr_assert_eq(lf_store_event_append_batch(st, ev, 5, seqs, &err), LF_OK, "%s", err.msg);
        cr_assert_eq(lf_store_commit(st, NULL), LF_OK);
        cr_expect(seqs[0] > known && seqs[2] > seqs[0] && seqs[4] > seqs[2],
                  "%s: seqs in batch order", backends[b].name);
        cr_expect(seqs[1] == 0 && seqs[3] == 0, "a known identity, and one seen in the batch");
        seen_events all = {0};
        cr_assert_eq(lf_store_scan_range(st, l1, l2, note_events, &all, NULL), LF_OK);
        cr_expect_eq(all.nevents[0], 2);
        cr_expect_eq(all.nevents[1], 2);
        cr_expect_eq(all.first_ts[1], 30);
        seen_log log = {0};
        cr_assert_eq(lf_store_log_scan(st, known, 8, note_log, &log, NULL), LF_OK);
        cr_assert_eq(log.n, 3);
        cr_expect_eq(log.line[1], 9);
        lf_store_close(st);
    }
}


Test(store, a_lead_batch_upserts_as_one_by_one)
{
    for (size_t b = 0; b < NBACKENDS; b++) {
        char url[128];
        lf_store *st = open_new(&backends[b], url, sizeof url);
        cr_assert_eq(lf_store_begin(st, NULL), LF_OK);
        int64_t old = add_lead(st, "OLD", "o@x"), same = add_lead(st, "SAME", NULL);
        cr_assert_eq(lf_store_commit(st, NULL), LF_OK);
        lf_lead_row rows[4] = {
            {.id = "NEW1", .email = "n@x", .created_at = 7, .channel = "web",
             .origin = "marketing", .persona = "none", .attrs_json = "{\"q\":\"a\\\\\\\"b\"}"},
            {.id = "OLD", .email = NULL, .created_at = 1000, .channel = "web",
             .origin = "marketing", .persona = "none", .attrs_json = "{}"},
            {.id = "SAME", .email = NULL, .created_at = 1000, .channel = "web",
             .origin = "marketing", .persona = "none", .attrs_json = "{}"},
            {.id = "NEW2", .created_at = 8, .channel = "x,y", .origin = "sales",
             .persona = "{}", .attrs_json = "{}"},
        };
        lf_upsert res[4];
        lf_error err;
        cr_assert_eq(lf_store_begin(st, NULL), LF_OK);
        cr_assert_eq(lf_store_lead_upsert_batch(st, rows, 4, res, &err), LF_OK, "%s", err.msg);
        cr_assert_eq(lf_store_commit(st, NULL), LF_OK);
        cr_expect(res[0] == LF_UPSERT_NEW && res[1] == LF_UPSERT_UPDATED &&
                      res[2] == LF_UPSERT_SAME && res[3] == LF_UPSERT_NEW,
                  "%s", backends[b].name);
        cr_expect(rows[1].rowid == old && rows[2].rowid == same);
        cr_expect(rows[0].rowid > same && rows[3].rowid > rows[0].rowid, "new rowids in order");
        lf_lead_row got;
        bool found = false;
        cr_assert_eq(lf_store_lead_get(st, "OLD", &got, &found, NULL), LF_OK);
        cr_expect(found && got.email == NULL, "updated");
        cr_assert_eq(lf_store_lead_get(st, "NEW1", &got, &found, NULL), LF_OK);
        cr_assert(found);
        cr_expect_str_eq(got.attrs_json, "{\"q\":\"a\\\\\\\"b\"}");
        cr_assert_eq(lf_store_lead_get(st, "NEW2", &got, &found, NULL), LF_OK);
        cr_assert(found);
        cr_expect_str_eq(got.channel, "x,y");
        cr_expect_str_eq(got.persona, "{}");
        /* an id twice in one batch: the second sees the first */
        lf_lead_row twice[2] = {rows[3], rows[3]};
        twice[1].email = "late@x";
        cr_assert_eq(lf_store_begin(st, NULL), LF_OK);
        cr_assert_eq(lf_store_lead_upsert_batch(st, twice, 2, res, NULL), LF_OK);
        cr_assert_eq(lf_store_commit(st, NULL), LF_OK);
        cr_expect(res[0] == LF_UPSERT_SAME && res[1] == LF_UPSERT_UPDATED);
        lf_store_close(st);
    }
}

Test(store, a_long_identity_is_known_once)
{
    for (size_t b = 0; b < NBACKENDS; b++) {
        char url[128];
        lf_store *st = open_new(&backends[b], url, sizeof url);
        static char ident[4000];
        memset(ident, 'x', sizeof ident - 1);
        memcpy(ident, "c:", 2);
        cr_assert_eq(lf_store_begin(st, NULL), LF_OK);
        int64_t l = add_lead(st, "L", NULL);
        cr_expect_gt(add_event(st, l, ident, 10, LF_EV_ACTIVITY), 0);
        cr_expect_eq(add_event(st, l, ident, 10, LF_EV_ACTIVITY), 0, "%s", backends[b].name);
        ident[5] = 'y';
        cr_expect_gt(add_event(st, l, ident, 10, LF_EV_ACTIVITY), 0, "another identity");
        cr_assert_eq(lf_store_commit(st, NULL), LF_OK);
        lf_store_close(st);
    }
}

/* ---- hostile text through the batches ------------------------------------------------ */

typedef struct seen_text {
    char s[4][6][48]; /* ident, ext_id, type, detail, reason, amount ("-" = NULL) */
    size_t n;
} seen_text;

static lf_status note_text(void *ctx, const lf_log_event *e, lf_error *err)
{
    (void)err;
    seen_text *t = ctx;
    cr_assert_lt(t->n, 4);
    const char *v[5] = {e->row.ident, e->row.ext_id, e->row.type, e->row.detail, e->row.reason};
    for (int k = 0; k < 5; k++)
        snprintf(t->s[t->n][k], sizeof t->s[0][0], "%s", v[k] ? v[k] : "-");
    if (e->row.has_amount)
        snprintf(t->s[t->n][5], sizeof t->s[0][0], "%.17g", e->row.amount);
    else
        snprintf(t->s[t->n][5], sizeof t->s[0][0], "-");
    t->n++;
    return LF_OK;
}

static void expect_text(const char *got, const char *want, const char *what)
{
    cr_expect(got && want ? strcmp(got, want) == 0 : got == want, "%s: got '%s'", what,
              got ? got : "(null)");
}

/* Bytes that mean something to COPY's text format (tab, newline, CR, backslash, \N,
 * \.), to array literals and to SQL (quotes, braces, commas), and UTF-8 beyond ASCII:
 * a batch stores them as given, an empty string is not NULL, and the same batch again
 * finds the same leads and events. */
Test(store, batches_keep_hostile_text_byte_for_byte)
{
    for (size_t b = 0; b < NBACKENDS; b++) {
        char url[128];
        lf_store *st = open_new(&backends[b], url, sizeof url);
        lf_lead_row rows[2] = {
            {.id = "L\t1", .email = "\\N", .created_at = 5, .source = "a\\\\b\\",
             .channel = "new\nline", .origin = "marketing", .persona = "cr\r\n",
             .attrs_json = "{\"k\":\"t\\tx\"}", .origin_given = "\\.",
             .persona_given = "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"},
            {.id = "L\\N", .email = NULL, .created_at = 6, .source = "",
             .channel = "q\"s 'x' {a,b}", .origin = "sales", .persona = "NULL",
             .attrs_json = "{}"},
        };
        lf_upsert res[2];
        lf_error err;
        cr_assert_eq(lf_store_begin(st, NULL), LF_OK);
        cr_assert_eq(lf_store_lead_upsert_batch(st, rows, 2, res, &err), LF_OK, "%s", err.msg);
        cr_expect(res[0] == LF_UPSERT_NEW && res[1] == LF_UPSERT_NEW, "%s", backends[b].name);
        lf_event_row ev[2] = {
            {.lead = rows[0].rowid, .ident = "i:\t\\N\n", .ext_id = "x\ny", .ts = 9,
             .kind = LF_EV_ACTIVITY, .type = "t\\r", .detail = "d\r\n\\.\n",
             .reason = "\xc3\xa9\\", .amount = 0.1, .has_amount = true},
            {.lead = rows[1].rowid, .ident = "c:a\\tb", .ts = 10, .kind = LF_EV_ACTIVITY,
             .type = "x", .detail = "", .amount = -1234567.8901234567, .has_amount = true},
        };
        int64_t seqs[2] = {0, 0};
        cr_assert_eq(lf_store_event_append_batch(st, ev, 2, seqs, &err), LF_OK, "%s", err.msg);
        cr_assert_eq(lf_store_commit(st, NULL), LF_OK);
        cr_expect(seqs[0] > 0 && seqs[1] > seqs[0]);
        lf_lead_row got;
        bool found = false;
        cr_assert_eq(lf_store_lead_get(st, "L\t1", &got, &found, NULL), LF_OK);
        cr_assert(found, "%s: the id with a tab", backends[b].name);
        expect_text(got.email, "\\N", "email");
        expect_text(got.source, "a\\\\b\\", "source");
        expect_text(got.channel, "new\nline", "channel");
        expect_text(got.persona, "cr\r\n", "persona");
        expect_text(got.attrs_json, "{\"k\":\"t\\tx\"}", "attrs");
        expect_text(got.origin_given, "\\.", "origin_given");
        expect_text(got.persona_given, "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
                    "persona_given");
        cr_assert_eq(lf_store_lead_get(st, "L\\N", &got, &found, NULL), LF_OK);
        cr_assert(found, "%s: the id with \\N", backends[b].name);
        expect_text(got.email, NULL, "NULL email");
        expect_text(got.source, "", "empty source");
        expect_text(got.channel, "q\"s 'x' {a,b}", "channel");
        expect_text(got.persona, "NULL", "persona");
        expect_text(got.origin_given, NULL, "NULL origin_given");
        seen_text t = {0};
        cr_assert_eq(lf_store_log_scan(st, 0, 4, note_text, &t, NULL), LF_OK);
        cr_assert_eq(t.n, 2);
        const char *want[2][6] = {
            {"i:\t\\N\n", "x\ny", "t\\r", "d\r\n\\.\n", "\xc3\xa9\\", "0.10000000000000001"},
            {"c:a\\tb", "-", "x", "", "-", "-1234567.8901234567"},
        };
        for (int i = 0; i < 2; i++)
            for (int k = 0; k < 6; k++)
                expect_text(t.s[i][k], want[i][k], "event field");
        /* the same batches again: the same rows, known identities */
        cr_assert_eq(lf_store_begin(st, NULL), LF_OK);
        cr_assert_eq(lf_store_lead_upsert_batch(st, rows, 2, res, &err), LF_OK, "%s", err.msg);
        cr_expect(res[0] == LF_UPSERT_SAME && res[1] == LF_UPSERT_SAME, "%s: unchanged",
                  backends[b].name);
        rows[1].persona = "NULL\t";
        cr_assert_eq(lf_store_lead_upsert_batch(st, rows, 2, res, &err), LF_OK, "%s", err.msg);
        cr_expect(res[0] == LF_UPSERT_SAME && res[1] == LF_UPSERT_UPDATED);
        seqs[0] = seqs[1] = -1;
        cr_assert_eq(lf_store_event_append_batch(st, ev, 2, seqs, &err), LF_OK, "%s", err.msg);
        cr_expect(seqs[0] == 0 && seqs[1] == 0, "%s: known identities", backends[b].name);
        cr_assert_eq(lf_store_commit(st, NULL), LF_OK);
        lf_store_close(st);
    }
}

static lf_status count_log(void *ctx, const lf_log_event *e, lf_error *err)
{
    (void)e, (void)err;
    (*(size_t *)ctx)++;
    return LF_OK;
}

/* Batch after batch, in one transaction, in the next ones and after a rollback (the
 * first batch of a session too): each writes its own rows only (a server store may
 * stage them in a table that outlives a batch). Batches of more than 2 MB of text as
 * well. */
Test(store, batches_in_a_row_write_only_their_own_rows)
{
    static char big[3000];
    memset(big, 'd', sizeof big - 1);
    for (size_t b = 0; b < NBACKENDS; b++) {
        char url[128];
        lf_store *st = open_new(&backends[b], url, sizeof url);
        lf_lead_row rows[2] = {
            {.id = "A", .email = "a1", .created_at = 1, .channel = "web", .origin = "sales",
             .persona = "p", .attrs_json = "{}"},
            {.id = "B", .email = "b1", .created_at = 1, .channel = "web", .origin = "sales",
             .persona = "p", .attrs_json = "{}"},
        };
        lf_upsert res[2];
        cr_assert_eq(lf_store_begin(st, NULL), LF_OK); /* the first batch rolled back */
        cr_assert_eq(lf_store_lead_upsert_batch(st, rows + 1, 1, res, NULL), LF_OK);
        cr_assert_eq(lf_store_rollback(st, NULL), LF_OK);
        cr_assert_eq(lf_store_begin(st, NULL), LF_OK);
        cr_assert_eq(lf_store_lead_upsert_batch(st, rows, 2, res, NULL), LF_OK);
        cr_assert_eq(lf_store_commit(st, NULL), LF_OK);
        cr_expect(res[0] == LF_UPSERT_NEW && res[1] == LF_UPSERT_NEW);
        rows[0].email = "a2";
        rows[1].email = "b2";
        cr_assert_eq(lf_store_begin(st, NULL), LF_OK);
        cr_assert_eq(lf_store_lead_upsert_batch(st, rows, 1, res, NULL), LF_OK);
        cr_assert_eq(lf_store_lead_upsert_batch(st, rows + 1, 1, res + 1, NULL), LF_OK);
        cr_expect(res[0] == LF_UPSERT_UPDATED && res[1] == LF_UPSERT_UPDATED);
        cr_assert_eq(lf_store_rollback(st, NULL), LF_OK);
        rows[0].email = "a3";
        cr_assert_eq(lf_store_begin(st, NULL), LF_OK);
        cr_assert_eq(lf_store_lead_upsert_batch(st, rows, 1, res, NULL), LF_OK);
        cr_assert_eq(lf_store_commit(st, NULL), LF_OK);
        cr_expect_eq(res[0], LF_UPSERT_UPDATED, "%s", backends[b].name);
        /* B changed alone, then a batch of A only: B stays as it is now */
        rows[1].email = "b4";
        cr_assert_eq(lf_store_begin(st, NULL), LF_OK);
        cr_assert_eq(lf_store_lead_upsert(st, &rows[1], &res[1], NULL), LF_OK);
        cr_assert_eq(lf_store_commit(st, NULL), LF_OK);
        cr_assert_eq(lf_store_begin(st, NULL), LF_OK);
        cr_assert_eq(lf_store_lead_upsert_batch(st, rows, 1, res, NULL), LF_OK);
        cr_assert_eq(lf_store_commit(st, NULL), LF_OK);
        cr_expect_eq(res[0], LF_UPSERT_SAME);
        lf_lead_row got;
        bool found = false;
        cr_assert_eq(lf_store_lead_get(st, "A", &got, &found, NULL), LF_OK);
        cr_expect(found && got.email && strcmp(got.email, "a3") == 0, "%s", backends[b].name);
        cr_assert_eq(lf_store_lead_get(st, "B", &got, &found, NULL), LF_OK);
        cr_expect(found && got.email && strcmp(got.email, "b4") == 0, "%s: B is '%s'",
                  backends[b].name, found && got.email ? got.email : "-");
        /* events: 3 batches of 400 (1.2 MB each) in one transaction, one rolled back,
         * then one that repeats the rolled-back identities */
        static lf_event_row ev[400];
        static char ident[400][16];
        int64_t seqs[400];
        size_t want = 0;
        for (int round = 0; round < 5; round++) {
            if (round != 2) /* rounds 1 and 2 in one transaction */
                cr_assert_eq(lf_store_begin(st, NULL), LF_OK);
            for (int i = 0; i < 400; i++) {
                snprintf(ident[i], sizeof ident[0], "i:%d", (round == 4 ? 3 : round) * 400 + i);
                ev[i] = (lf_event_row){.lead = rows[i % 2].rowid, .ident = ident[i], .ts = i,
                                       .kind = LF_EV_ACTIVITY, .type = "x", .detail = big};
            }
            cr_assert_eq(lf_store_event_append_batch(st, ev, 400, seqs, NULL), LF_OK);
            for (int i = 0; i < 400; i++)
                cr_assert_gt(seqs[i], i ? seqs[i - 1] : 0, "%s: round %d, event %d",
                             backends[b].name, round, i);
            if (round == 3) {
                cr_assert_eq(lf_store_rollback(st, NULL), LF_OK);
                continue;
            }
            want += 400;
            if (round != 1)
                cr_assert_eq(lf_store_commit(st, NULL), LF_OK);
        }
        size_t logged = 0;
        cr_assert_eq(lf_store_log_scan(st, 0, 5000, count_log, &logged, NULL), LF_OK);
        cr_expect_eq(logged, want, "%s", backends[b].name);
        lf_store_close(st);
    }
}
