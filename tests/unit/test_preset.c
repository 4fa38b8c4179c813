/*
 * test_preset.c — the import presets as record sources (src/ingest/preset*.c,
 * docs/presets.md) on the hand-built exports of tests/data/hubspot and
 * tests/data/salesforce, whose READMEs derive the numbers checked here: records per
 * pass, the leadflow layout of the header, trimmed values, the events of chosen
 * contacts, and every warning with its line. Also the configuration key
 * presets.salesforce.statuses.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "leadflow/buf.h"
#include "leadflow/config.h"
#include "leadflow/preset.h"

typedef struct run {
    lf_buf recs;      /* every record: fields joined by '|', one per line */
    lf_buf warns;     /* "LINE: MSG" per warning */
    size_t nrecs;     /* data records (header excluded) */
    lf_status first;  /* the header call's status */
    char err[1024];
} run;

static void on_warn(void *ctx, const char *file, long line, const char *msg)
{
    run *r = ctx;
    cr_assert_not_null(file);
    cr_assert_eq(lf_buf_addf(&r->warns, "%ld: %s\n", line, msg), LF_OK);
}

static char *data_path(const char *rel)
{
    const char *dir = getenv("LF_TEST_DATA");
    cr_assert_not_null(dir, "LF_TEST_DATA not set");
    size_t n = strlen(dir) + strlen(rel) + 2;
    char *p = malloc(n);
    cr_assert_not_null(p);
    snprintf(p, n, "%s/%s", dir, rel);
    return p;
}

static size_t count_lines(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

static void add_record(run *r, const lf_csv_record *rec)
{
    for (size_t i = 0; i < rec->nfields; i++) {
        cr_assert_eq(strlen(rec->fields[i]), rec->lens[i]);
        cr_assert_eq(lf_buf_add(&r->recs, rec->fields[i], rec->lens[i]), LF_OK);
        cr_assert_eq(lf_buf_addc(&r->recs, i + 1 < rec->nfields ? '|' : '\n'), LF_OK);
    }
}

/* Runs one pass of preset `name` over tests/data/REL. */
static void run_pass(run *r, const char *name, const char *rel, lf_import_kind kind,
                     const lf_config *cfg)
{
    memset(r, 0, sizeof *r);
    lf_buf_init(&r->recs, 0);
    lf_buf_init(&r->warns, 0);
    char *path = data_path(rel);
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "cannot open %s", path);
    lf_preset_opts o = {.file = rel, .kind = kind, .read = lf_csv_read_file, .read_ctx = f,
                        .tz = lf_tz_utc(), .cfg = cfg, .warn = on_warn, .warn_ctx = r};
    lf_preset *p = NULL;
    lf_error err = {0};
    cr_assert_eq(lf_preset_open(&p, name, &o, &err), LF_OK);
    lf_record_source src = lf_preset_source(p);
    lf_csv_record rec;
    r->first = src.next(src.ctx, &rec, &err);
    snprintf(r->err, sizeof r->err, "%s", err.msg);
    if (r->first == LF_OK)
        add_record(r, &rec);
    for (int guard = 0; r->first == LF_OK && guard < 100000; guard++) {
        lf_status st = src.next(src.ctx, &rec, &err);
        cr_assert_eq(st, LF_OK, "%s", err.msg);
        if (rec.nfields == 0)
            break;
        cr_assert(rec.line >= 2);
        cr_assert(rec.raw_len > 0);
        r->nrecs++;
        add_record(r, &rec);
    }
    cr_assert_eq(lf_preset_warnings(p), (int64_t)count_lines(lf_buf_str(&r->warns)));
    lf_preset_free(p);
    fclose(f);
    free(path);
}

static void run_release(run *r)
{
    lf_buf_release(&r->recs);
    lf_buf_release(&r->warns);
}

static lf_config defaults(void)
{
    lf_config cfg;
    lf_error err;
    cr_assert_eq(lf_config_defaults(&cfg, &err), LF_OK);
    return cfg;
}

Test(preset, hubspot_leads_ui_labels)
{
    lf_config cfg = defaults();
    run r;
    run_pass(&r, "hubspot", "hubspot/contacts.csv", LF_IMPORT_LEADS, &cfg);
    const char *recs = lf_buf_str(&r.recs);
    cr_assert_eq(r.nrecs, 34);
    /* the header: leadflow's columns, then the attributes in the export's order; the
     * four funnel dates are events, the custom stage's column is not read */
    cr_assert(strncmp(recs,
                      "id|email|created_at|source|persona|first name|lifecycle_stage|lead_status|"
                      "title|employees|industry|country|became a lead date\n",
                      strlen("id|email|created_at|source|persona|first name|lifecycle_stage|"
                             "lead_status|title|employees|industry|country|became a lead "
                             "date\n")) == 0,
              "%.200s", recs);
    cr_assert_not_null(strstr(recs, "\n101|ana@acme.example|2026-01-05 09:00|Organic Search||Ana|"
                                    "Lead|New|Engineer|50|Software|Germany|2026-01-05 09:00\n"));
    /* values trimmed */
    cr_assert_not_null(strstr(recs, "\n131|Fox@Fjord.Example|2026-01-26 09:00|Organic Search||Fox|"
                                    "marketing QUALIFIED lead||Engineer|55|Software|germany|"
                                    "2026-01-26 09:00\n"));
    /* a lead without email, a contact with nothing but its id, date and source */
    cr_assert_not_null(strstr(recs, "\n130||2026-01-23 09:00|"));
    cr_assert_not_null(strstr(recs, "\n132|gia@glen.example|2026-02-24 09:00|Direct Traffic||Gia"
                                    "|||||||\n"));
    /* the leads pass reports the columns only */
    cr_assert_str_eq(lf_buf_str(&r.warns),
                     "0: column 'Date entered \"Partner (Lifecycle Stage Pipeline)\"' is the date "
                     "of a custom lifecycle stage: not placed\n");
    run_release(&r);
    lf_config_release(&cfg);
}

Test(preset, hubspot_events_ui_labels)
{
    lf_config cfg = defaults();
    run r;
    run_pass(&r, "hubspot", "hubspot/contacts.csv", LF_IMPORT_EVENTS, &cfg);
    const char *recs = lf_buf_str(&r.recs);
    cr_assert_eq(r.nrecs, 49, "%s", recs);
    cr_assert(strncmp(recs, "lead_id|ts|type|reason\n", 23) == 0);
    /* a full customer: four events in stage order */
    cr_assert_not_null(strstr(recs, "\n122|2026-01-05 09:00|mql|\n122|2026-01-06 09:00|accepted|\n"
                                    "122|2026-01-13 09:00|opportunity|\n122|2026-02-02 09:00|won|\n"));
    /* skipped stages: MQL then customer; customer alone */
    cr_assert_not_null(strstr(recs, "\n126|2026-01-14 09:00|mql|\n126|2026-02-18 09:00|won|\n127|"
                                    "2026-02-06 09:00|won|\n128|"));
    /* the one that went backwards keeps its history; the offset is kept */
    cr_assert_not_null(strstr(recs, "\n128|2026-01-13 09:00|mql|\n128|2026-01-16 09:00|accepted|\n"));
    cr_assert_not_null(strstr(recs, "\n133|2026-02-13T09:00:00+01:00|accepted|\n"));
    cr_assert_null(strstr(recs, "\n131|"));
    cr_assert_null(strstr(recs, "\n101|"));
    cr_assert_str_eq(lf_buf_str(&r.warns),
                     "29: lifecycle stage 'Lead' is earlier than its 'Became a Sales Qualified Lead "
                     "Date' (the contact went backwards): events made from every date\n"
                     "30: lifecycle stage '1234567' is a custom stage: not placed (its dates are)\n"
                     "32: column 'Became a Marketing Qualified Lead Date': '03/02/2026' is not an "
                     "ISO 8601 date or date-time: no 'mql' event (not guessed)\n");
    run_release(&r);
    lf_config_release(&cfg);
}

/* The internal names give the same events and findings as the UI labels. */
Test(preset, hubspot_internal_names_same_events)
{
    lf_config cfg = defaults();
    run ui, in;
    run_pass(&ui, "hubspot", "hubspot/contacts.csv", LF_IMPORT_EVENTS, &cfg);
    run_pass(&in, "hubspot", "hubspot/contacts_internal.csv", LF_IMPORT_EVENTS, &cfg);
    cr_assert_str_eq(lf_buf_str(&in.recs), lf_buf_str(&ui.recs));
    cr_assert_eq(count_lines(lf_buf_str(&in.warns)), 3);
    cr_assert_not_null(strstr(lf_buf_str(&in.warns), "29: lifecycle stage 'lead' is earlier than "
                                                     "its 'hs_lifecyclestage_salesqualifiedlead_"
                                                     "date'"));
    run_release(&ui);
    run_release(&in);
    run_pass(&in, "hubspot", "hubspot/contacts_internal.csv", LF_IMPORT_LEADS, &cfg);
    cr_assert_eq(in.nrecs, 34);
    cr_assert_not_null(strstr(lf_buf_str(&in.recs), "\n102|ben@bolt.example|2026-01-06 10:00|"
                                                    "PAID_SEARCH|persona_1|Ben|lead|OPEN|CTO|"));
    cr_assert_str_eq(lf_buf_str(&in.warns), "0: column 'hs_v2_date_entered_1234567' is the date "
                                            "of a custom lifecycle stage: not placed\n");
    run_release(&in);
    lf_config_release(&cfg);
}

static lf_config salesforce_config(void)
{
    static const char text[] = "presets:\n  salesforce:\n    statuses:\n"
                               "      \"Nurture\": none\n      \"Qualified\": accepted\n";
    lf_config cfg;
    lf_error err;
    cr_assert_eq(lf_config_load_buffer(&cfg, "leadflow.yaml", text, strlen(text), &err), LF_OK,
                 "%s", err.msg);
    return cfg;
}

Test(preset, salesforce_with_statuses)
{
    lf_config cfg = salesforce_config();
    cr_assert_eq(cfg.nsf_statuses, 2);
    cr_assert_null(cfg.sf_statuses[0].type);
    cr_assert_str_eq(cfg.sf_statuses[1].type, "accepted");
    run r;
    run_pass(&r, "salesforce", "salesforce/leads.csv", LF_IMPORT_LEADS, &cfg);
    cr_assert_eq(r.nrecs, 28);
    const char *recs = lf_buf_str(&r.recs);
    cr_assert(strncmp(recs, "id|email|created_at|source|persona|firstname|lastname|status|title|"
                            "company|industry|employees|country|rating\n", 100) == 0, "%.200s", recs);
    cr_assert_not_null(strstr(recs, "\n00Q000000000028|Bex@Dalet.Example|2026-02-12T09:00:00.000Z|"
                                    "Web||Bex|Moor|Closed - Converted|CTO|Dalet|Software|510|DE|"
                                    "Hot\n"));
    cr_assert_str_eq(lf_buf_str(&r.warns), "");
    run_release(&r);
    run_pass(&r, "salesforce", "salesforce/leads.csv", LF_IMPORT_EVENTS, &cfg);
    recs = lf_buf_str(&r.recs);
    cr_assert_eq(r.nrecs, 19, "%s", recs);
    /* converted: one accepted at ConvertedDate (the status gives the same event) */
    cr_assert_not_null(strstr(recs, "\n00Q000000000013|2026-01-19T10:00:00.000Z|accepted|\n"
                                    "00Q000000000014|"));
    cr_assert_not_null(strstr(recs, "\n00Q000000000007|2026-01-08T16:30:00.000Z|contacted|\n"));
    cr_assert_not_null(strstr(recs, "\n00Q000000000019|2026-01-21T16:30:00.000Z|disqualified|"
                                    "Closed - Not Converted\n"));
    cr_assert_not_null(strstr(recs, "\n00Q000000000023|2026-02-12T16:30:00.000Z|accepted|\n"));
    cr_assert_not_null(strstr(recs, "\n00Q000000000025|2026-02-06T16:30:00.000Z|contacted|\n"));
    cr_assert_not_null(strstr(recs, "\n00Q000000000027|2026-02-20T16:30:00.000Z|accepted|\n"));
    cr_assert_not_null(strstr(recs, "\n00Q000000000028|2026-02-20T10:00:00.000Z|accepted|\n"));
    cr_assert_str_eq(lf_buf_str(&r.warns),
                     "24: converted lead without a ConvertedDate: no 'accepted' event (not "
                     "guessed)\n"
                     "25: status 'Working - Contacted' (contacted) has no date (LastModifiedDate "
                     "is empty): not placed\n"
                     "26: column 'IsConverted': 'maybe' is not true or false: not placed\n");
    run_release(&r);
    lf_config_release(&cfg);
}

Test(preset, salesforce_defaults_only)
{
    lf_config cfg = defaults();
    run r;
    run_pass(&r, "salesforce", "salesforce/leads.csv", LF_IMPORT_EVENTS, &cfg);
    cr_assert_eq(r.nrecs, 18);
    const char *w = lf_buf_str(&r.warns);
    cr_assert_eq(count_lines(w), 5, "%s", w);
    cr_assert_not_null(strstr(w, "23: status 'Nurture' is not in presets.salesforce.statuses: "
                                 "not placed\n"));
    cr_assert_not_null(strstr(w, "28: status 'Qualified' is not in presets.salesforce.statuses: "
                                 "not placed\n"));
    run_release(&r);
    lf_config_release(&cfg);
}

Test(preset, missing_columns_and_unknown_preset)
{
    lf_config cfg = defaults();
    run r;
    run_pass(&r, "salesforce", "hubspot/contacts.csv", LF_IMPORT_LEADS, &cfg);
    cr_assert_eq(r.first, LF_EINPUT);
    cr_assert_str_eq(r.err, "no column 'Id' or 'Lead ID' (the id) for the salesforce preset");
    run_release(&r);
    lf_preset *p = NULL;
    lf_error err;
    lf_preset_opts o = {.file = "x.csv", .tz = lf_tz_utc(), .cfg = &cfg};
    cr_assert_eq(lf_preset_open(&p, "marketo", &o, &err), LF_EUSAGE);
    cr_assert_str_eq(err.msg, "unknown preset 'marketo' (hubspot, salesforce)");
    cr_assert(lf_preset_known("hubspot") && lf_preset_known("salesforce"));
    cr_assert(!lf_preset_known("HubSpot"));
    lf_config_release(&cfg);
}

Test(preset, config_statuses_errors)
{
    static const char bad[] = "presets:\n  salesforce:\n    statuses:\n      Nurture: page_view\n";
    lf_config cfg;
    lf_error err;
    cr_assert_eq(lf_config_load_buffer(&cfg, "leadflow.yaml", bad, strlen(bad), &err), LF_ECONFIG);
    cr_assert_str_eq(err.msg, "leadflow.yaml:4: key 'presets.salesforce.statuses.Nurture': "
                              "expected none or a lifecycle event type (mql, accepted, rejected, "
                              "disqualified, contacted, opportunity, won, lost), got 'page_view'");
    static const char dup[] = "presets:\n  salesforce:\n    statuses: {a: none, A: won}\n";
    cr_assert_eq(lf_config_load_buffer(&cfg, "leadflow.yaml", dup, strlen(dup), &err), LF_ECONFIG);
    cr_assert_str_eq(err.msg, "leadflow.yaml:3: duplicate key 'presets.salesforce.statuses.A'");
    static const char other[] = "presets:\n  marketo: {}\n";
    cr_assert_eq(lf_config_load_buffer(&cfg, "leadflow.yaml", other, strlen(other), &err),
                 LF_ECONFIG);
    cr_assert_str_eq(err.msg, "leadflow.yaml:2: unknown key 'presets.marketo'");
}
