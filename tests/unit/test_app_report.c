/*
 * test_app_report.c — the report side of the application layer: where the snapshot
 * cache lives (leadflow/app_dataset.h), a snapshot written and mapped back
 * (leadflow/snapshot.h), the checks of a report request and the terminal escaping of
 * data text the headline uses (lf_text_escape_term, leadflow/text.h).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ds_fixture.h"
#include "leadflow/app_dataset.h"
#include "leadflow/app_digest.h"
#include "leadflow/app_report.h"
#include "leadflow/snapshot.h"
#include "leadflow/text.h"

/* FNV-1a 64 of "postgresql://x", computed by hand (python) */
#define FNV_X "48db0227dde29e13"

/* ---- where the cache lives ---------------------------------------------------------- */

static void expect_path(const char *dir, const char *location, const char *want)
{
    lf_workspace ws;
    lf_workspace_init(&ws, dir, NULL);
    char *p = lf_app_snapshot_path(&ws, location);
    cr_assert_not_null(p);
    cr_expect_str_eq(p, want, "%s in %s", location, dir ? dir : "(null)");
    free(p);
}

Test(snapshot_path, beside_a_file_store)
{
    expect_path(NULL, "leadflow.db", "leadflow.db.snapshot");
    expect_path("ws", "ws/leadflow.db", "ws/leadflow.db.snapshot");
    expect_path("ws", "/data/other.db", "/data/other.db.snapshot");
}

Test(snapshot_path, in_the_workspace_for_a_store_url)
{
    lf_workspace ws;
    lf_workspace_init(&ws, "ws", NULL);
    char *a = lf_app_snapshot_path(&ws, "postgresql://db.example/leads");
    char *b = lf_app_snapshot_path(&ws, "postgresql://db.example/other");
    char *c = lf_app_snapshot_path(&ws, "postgresql://db.example/leads");
    cr_assert(a && b && c);
    cr_expect_eq(strncmp(a, "ws/leadflow-", 12), 0, "%s", a);
    cr_expect_eq(strlen(a), strlen("ws/leadflow-0123456789abcdef.snapshot"), "%s", a);
    cr_expect_str_neq(a, b, "two stores, two caches");
    cr_expect_str_eq(a, c, "one store, one cache");
    free(a);
    free(b);
    free(c);
    /* the name is a stable hash of the location (FNV-1a 64), the same on every build */
    expect_path(NULL, "postgresql://x", "leadflow-" FNV_X ".snapshot");
}

/* ---- a snapshot written and mapped back --------------------------------------------- */

static char snap[64];

static void snap_setup(void)
{
    ds_setup_config(false);
    ds_setup_dataset(true);
    snprintf(snap, sizeof snap, "/tmp/lf_test_snapshot_%ld", (long)getpid());
}

static void snap_teardown(void)
{
    unlink(snap);
    ds_teardown();
}

Test(snapshot, round_trip_and_generation, .init = snap_setup, .fini = snap_teardown)
{
    ds_lead(B(2026, 3, 2, 10, 0), name("Marketing Mary"), name("organic"), 0);
    go(B(2026, 3, 3, 10, 0), LF_STAGE_MQL);
    ds_handoff(B(2026, 3, 3, 10, 0), NONE, LF_OUTCOME_PENDING, NONE, 0);
    ds_lead(B(2026, 3, 4, 10, 0), 0, name("paid_search"), 1);
    lf_error err;
    cr_assert_eq(lf_snapshot_write(snap, &ds, 7, &err), LF_OK, "%s", err.msg);

    lf_dataset back;
    lf_dataset_init(&back);
    cr_expect_eq(lf_snapshot_load(snap, 8, &back, &err), LF_EINPUT, "another generation");
    cr_expect_eq(back.nleads, 0);
    cr_assert_eq(lf_snapshot_load(snap, 7, &back, &err), LF_OK, "%s", err.msg);
    cr_expect_eq(back.nleads, 2);
    cr_expect_eq(back.ntrans, 3);
    cr_expect_eq(back.nhandoffs, 1);
    cr_expect_eq(back.nnames, ds.nnames);
    for (size_t i = 0; i < ds.nnames; i++)
        cr_expect_str_eq(back.names[i], ds.names[i]);
    cr_expect_eq(back.leads[1].created_at, ds.leads[1].created_at);
    cr_expect_eq(back.leads[1].origin, 1);
    cr_expect_eq(back.handoffs[0].mql_at, ds.handoffs[0].mql_at);
    lf_dataset_release(&back);
}

/* ---- report requests ------------------------------------------------------------------ */

/* Runs req in a directory that is no workspace: every check before the configuration
 * fails on its own, the configuration then fails as such. */
static lf_status request(lf_app_report_req req, bool *bad, char *msg, size_t n)
{
    lf_workspace ws;
    lf_workspace_init(&ws, "/nonexistent/leadflow-test", NULL);
    lf_app_report_out out;
    lf_app_report_out_init(&out);
    lf_error err;
    lf_status s = lf_app_report(&ws, &req, &out, &err);
    *bad = out.bad_request;
    snprintf(msg, n, "%s", s == LF_OK ? "" : err.msg);
    cr_expect_eq(out.bytes.len, 0, "nothing rendered");
    lf_app_report_out_release(&out);
    lf_workspace_release(&ws);
    return s;
}

Test(report_request, arguments_are_checked_before_the_workspace)
{
    bool bad;
    char msg[1024];
    cr_expect_eq(request((lf_app_report_req){.name = "nope"}, &bad, msg, sizeof msg), LF_EUSAGE);
    cr_expect(bad);
    cr_expect_str_eq(msg, "unknown report 'nope'");
    cr_expect_eq(request((lf_app_report_req){.name = "sql", .format = "xml"}, &bad, msg,
                         sizeof msg), LF_EUSAGE);
    cr_expect(bad);
    cr_expect_str_eq(msg, "unknown format 'xml' (table, csv, json, html)");
    cr_expect_eq(request((lf_app_report_req){.name = "all", .by = "fortnight"}, &bad, msg,
                         sizeof msg), LF_EUSAGE);
    cr_expect(bad);
    cr_expect_str_eq(msg, "--by needs day, week, month, quarter or year, not 'fortnight'");
    cr_expect_eq(request((lf_app_report_req){.name = "all", .format = "html", .by = "week"},
                         &bad, msg, sizeof msg), LF_ECONFIG);
    cr_expect_not(bad, "a missing configuration is no usage error");
}

Test(report_request, names_in_registry_order)
{
    cr_expect(lf_app_report_known("all"));
    cr_expect(lf_app_report_known("funnel"));
    cr_expect_not(lf_app_report_known(NULL));
    cr_expect_str_eq(lf_app_report_name(0), "funnel");
    size_t n = 0;
    while (lf_app_report_name(n))
        cr_expect(lf_app_report_known(lf_app_report_name(n++)));
    cr_expect_gt(n, 1);
}

/* ---- data text for a terminal --------------------------------------------------------- */

Test(term_text, escapes_what_could_drive_a_terminal)
{
    lf_buf b;
    lf_buf_init(&b, 0);
    cr_assert_eq(lf_text_escape_term(&b, "a\nb\r\x1b[2J\\ \xc3\xa9 \xff"), LF_OK);
    cr_expect_str_eq(lf_buf_str(&b), "a\\nb\\r\\x1b[2J\\\\ \xc3\xa9 \\xff");
    lf_buf_reset(&b);
    cr_assert_eq(lf_text_escape_term(&b, NULL), LF_OK);
    cr_expect_eq(b.len, 0);
    lf_buf_release(&b);
}

/* The digest's mail server: a password never crosses a network in clear text. */
Test(digest, tls_required_with_credentials_off_this_machine)
{
    cr_expect(lf_app_smtp_requires_tls("smtp://mail.example.com:587", true));
    cr_expect(lf_app_smtp_requires_tls("smtp://10.0.0.5", true));
    cr_expect(lf_app_smtp_requires_tls("smtp://localhost.example.com", true));
    cr_expect(lf_app_smtp_requires_tls("not a url", true), "unreadable: required");
    cr_expect(lf_app_smtp_requires_tls("smtp://127.evil.example", true), "a name, not 127/8");
    cr_expect_not(lf_app_smtp_requires_tls("smtp://mail.example.com:587", false));
    cr_expect_not(lf_app_smtp_requires_tls("smtp://localhost:2525", true));
    cr_expect_not(lf_app_smtp_requires_tls("smtp://LOCALHOST", true));
    cr_expect_not(lf_app_smtp_requires_tls("smtp://127.0.0.1:2525", true));
    cr_expect_not(lf_app_smtp_requires_tls("smtp://127.1.2.3", true));
    cr_expect_not(lf_app_smtp_requires_tls("smtp://[::1]:2525", true));
}
