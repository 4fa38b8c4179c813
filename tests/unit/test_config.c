/* Unit tests: config.c (leadflow.yaml loading, durations, goals). Expected values and
 * messages are written by hand; files are under tests/data/config. */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "leadflow/buf.h"
#include "leadflow/config.h"

static const char *data_path(const char *name)
{
    static char path[1024];
    const char *dir = getenv("LF_TEST_DATA");
    snprintf(path, sizeof path, "%s/config/%s", dir ? dir : "tests/data", name);
    return path;
}

static int32_t day(const char *ymd)
{
    int32_t d = 0;
    cr_assert_eq(lf_date_parse(ymd, strlen(ymd), &d, NULL), LF_OK);
    return d;
}

static void load_ok(lf_config *cfg, const char *file)
{
    lf_error err = {0};
    lf_status st = lf_config_load(cfg, data_path(file), &err);
    cr_assert_eq(st, LF_OK, "%s: %s", file, err.msg);
}

static void load_text_ok(lf_config *cfg, const char *text)
{
    lf_error err = {0};
    lf_status st = lf_config_load_buffer(cfg, "leadflow.yaml", text, strlen(text), &err);
    cr_assert_eq(st, LF_OK, "%s", err.msg);
}

/* Loads a file that must fail with "PATH" + suffix. */
static void expect_file_error(const char *file, const char *suffix)
{
    lf_config cfg;
    lf_error err = {0};
    char want[2048];
    const char *path = data_path(file);
    snprintf(want, sizeof want, "%s%s", path, suffix);
    lf_status st = lf_config_load(&cfg, path, &err);
    cr_assert_eq(st, LF_ECONFIG, "%s: status %d", file, (int)st);
    cr_expect_str_eq(err.msg, want);
    cr_expect_null(cfg.sources, "released on error");
    cr_expect_null(cfg.timezone, "released on error");
}

/* Loads text (named leadflow.yaml) that must fail with exactly `want`. */
static void expect_error(const char *text, const char *want)
{
    lf_config cfg;
    lf_error err = {0};
    lf_status st = lf_config_load_buffer(&cfg, "leadflow.yaml", text, strlen(text), &err);
    cr_assert_eq(st, LF_ECONFIG, "status %d for:\n%s", (int)st, text);
    cr_expect_str_eq(err.msg, want);
}

static bool re_match(const regex_t *re, const char *s)
{
    return regexec(re, s, 0, NULL, 0) == 0;
}

/* ---- the SPEC §1 example ------------------------------------------------------------ */

Test(config_spec, timezone_calendar_sla_speed)
{
    lf_config cfg;
    load_ok(&cfg, "spec.yaml");
    cr_expect_str_eq(cfg.path, data_path("spec.yaml"));
    cr_expect_str_eq(cfg.timezone, "Europe/Berlin");
    cr_assert_not_null(cfg.tz);
    cr_expect_str_eq(lf_tz_name(cfg.tz), "Europe/Berlin");
    cr_expect_eq(cfg.calendar.tz, cfg.tz);
    cr_expect_eq(cfg.calendar.workdays, 0x1f); /* mon..fri */
    cr_expect_eq(cfg.calendar.start_min, 9 * 60);
    cr_expect_eq(cfg.calendar.end_min, 17 * 60);
    cr_assert_eq(cfg.calendar.nholidays, 3);
    cr_expect_eq(cfg.calendar.holidays[0], day("2026-01-01"));
    cr_expect_eq(cfg.calendar.holidays[1], day("2026-04-03"));
    cr_expect_eq(cfg.calendar.holidays[2], day("2026-12-25"));
    cr_expect(cfg.has_sla);
    cr_expect_eq(cfg.sla.clock, LF_CLOCK_BUSINESS);
    cr_expect_eq(cfg.sla.usec, 16 * LF_USEC_PER_HOUR); /* 2 x 8h working day */
    cr_expect_str_eq(cfg.sla.text, "2bd");
    cr_expect_eq(cfg.speed_target.clock, LF_CLOCK_CALENDAR);
    cr_expect_eq(cfg.speed_target.usec, LF_USEC_PER_HOUR);
    cr_expect_str_eq(cfg.speed_target.text, "1h");
    lf_config_release(&cfg);
}

Test(config_spec, sources_and_personas)
{
    lf_config cfg;
    load_ok(&cfg, "spec.yaml");
    cr_assert_eq(cfg.nsources, 3);
    cr_expect_str_eq(cfg.sources[0].pattern, "^(outbound|sdr)");
    cr_expect_str_eq(cfg.sources[0].channel, "outbound");
    cr_expect_str_eq(cfg.sources[0].origin, "sales");
    cr_expect_str_eq(cfg.sources[1].pattern, "google|bing|adwords");
    cr_expect_str_eq(cfg.sources[1].channel, "paid_search");
    cr_expect_null(cfg.sources[1].origin);
    cr_expect_str_eq(cfg.sources[2].channel, "other");
    cr_expect(re_match(&cfg.sources[0].re, "SDR team"));
    cr_expect_not(re_match(&cfg.sources[0].re, "google sdr"));
    cr_expect(re_match(&cfg.sources[1].re, "Google Ads"));
    cr_expect(re_match(&cfg.sources[2].re, "anything"));

    cr_assert_eq(cfg.npersonas, 2);
    cr_expect_str_eq(cfg.personas[0].name, "Marketing Mary");
    cr_expect_str_eq(cfg.personas[1].name, "Developer Dan");
    const lf_cond *w = &cfg.personas[0].when;
    cr_assert_eq(w->op, LF_COND_ALL);
    cr_assert_eq(w->nkids, 1);
    cr_expect_eq(w->kids[0].op, LF_COND_MATCHES);
    cr_expect_str_eq(w->kids[0].attr, "title");
    cr_assert(w->kids[0].has_re);
    cr_expect(re_match(&w->kids[0].re, "CMO"));
    cr_expect(re_match(&w->kids[0].re, "Head of Marketing"));
    cr_expect_not(re_match(&w->kids[0].re, "Engineer"));
    cr_expect(re_match(&cfg.personas[1].when.kids[0].re, "Senior DEVELOPER"));
    lf_config_release(&cfg);
}

Test(config_spec, fit_rules)
{
    lf_config cfg;
    load_ok(&cfg, "spec.yaml");
    const lf_scoring *s = &cfg.scoring;
    cr_expect(s->enabled);
    cr_assert_eq(s->nfit, 4);

    const lf_cond *k = &s->fit[0].when;
    cr_assert_eq(k->op, LF_COND_ALL);
    cr_assert_eq(k->nkids, 1);
    cr_expect_eq(k->kids[0].op, LF_COND_BETWEEN);
    cr_expect_str_eq(k->kids[0].attr, "employees");
    cr_expect_eq(k->kids[0].lo, 200);
    cr_expect_eq(k->kids[0].hi, 5000);
    cr_expect_eq(s->fit[0].points, 20);
    cr_expect_eq(s->fit[0].line, 21);

    k = &s->fit[1].when.kids[0];
    cr_expect_eq(k->op, LF_COND_IN);
    cr_expect_str_eq(k->attr, "industry");
    cr_assert_eq(k->nvalues, 2);
    cr_expect_str_eq(k->values[0], "software");
    cr_expect_str_eq(k->values[1], "fintech");
    cr_expect_eq(s->fit[1].points, 15);

    k = &s->fit[2].when.kids[0];
    cr_expect_eq(k->op, LF_COND_MATCHES);
    cr_expect_str_eq(k->attr, "email");
    cr_expect(re_match(&k->re, "ann@GMAIL.com"));
    cr_expect_not(re_match(&k->re, "ann@gmail-com.de")); /* "\\." in YAML is a literal dot */
    cr_expect_not(re_match(&k->re, "ann@acme.com"));
    cr_expect_eq(s->fit[2].points, -10);

    k = &s->fit[3].when;
    cr_assert_eq(k->nkids, 1);
    k = &k->kids[0];
    cr_assert_eq(k->op, LF_COND_ALL);
    cr_expect_null(k->attr);
    cr_assert_eq(k->nkids, 2);
    cr_assert_eq(k->kids[0].op, LF_COND_ALL); /* each element is an attribute map */
    cr_assert_eq(k->kids[0].nkids, 1);
    cr_expect_eq(k->kids[0].kids[0].op, LF_COND_IN);
    cr_expect_str_eq(k->kids[0].kids[0].attr, "country");
    cr_assert_eq(k->kids[0].kids[0].nvalues, 3);
    cr_expect_str_eq(k->kids[0].kids[0].values[2], "CH");
    cr_expect_eq(k->kids[1].kids[0].op, LF_COND_PRESENT);
    cr_expect_str_eq(k->kids[1].kids[0].attr, "title");
    cr_expect_eq(s->fit[3].points, 5);
    cr_expect_eq(s->fit[3].line, 24);
    lf_config_release(&cfg);
}

Test(config_spec, engagement_decay_grades_mql)
{
    lf_config cfg;
    load_ok(&cfg, "spec.yaml");
    const lf_scoring *s = &cfg.scoring;
    cr_assert_eq(s->nengagement, 3);
    cr_expect_str_eq(s->engagement[0].type, "download");
    cr_expect_not(s->engagement[0].has_detail);
    cr_expect_eq(s->engagement[0].detail.op, LF_COND_ALL);
    cr_expect_eq(s->engagement[0].detail.nkids, 0);
    cr_expect_eq(s->engagement[0].points, 15);
    cr_expect_lt(s->engagement[0].max_per_day, 0);
    cr_expect_lt(s->engagement[0].max_total, 0);
    cr_expect_eq(s->engagement[0].line, 26);

    const lf_engagement_rule *r = &s->engagement[1];
    cr_expect_str_eq(r->type, "page_view");
    cr_expect(r->has_detail);
    cr_expect_eq(r->detail.op, LF_COND_MATCHES);
    cr_expect_null(r->detail.attr);
    cr_expect(re_match(&r->detail.re, "https://x.com/PRICING?utm=1"));
    cr_expect_not(re_match(&r->detail.re, "/blog"));
    cr_expect_eq(r->points, 10);
    cr_expect_eq(r->max_per_day, 20);
    cr_expect_lt(r->max_total, 0);

    r = &s->engagement[2];
    cr_expect_str_eq(r->type, "email_open");
    cr_expect_eq(r->points, 1);
    cr_expect_lt(r->max_per_day, 0);
    cr_expect_eq(r->max_total, 10);

    cr_expect_eq(s->half_life_usec, 30 * LF_USEC_PER_DAY);
    cr_assert_eq(s->ngrades, 3);
    cr_expect_eq(s->grades[0].letter, 'A');
    cr_expect_eq(s->grades[0].cutoff, 60);
    cr_expect_eq(s->grades[1].letter, 'B');
    cr_expect_eq(s->grades[1].cutoff, 40);
    cr_expect_eq(s->grades[2].letter, 'C');
    cr_expect_eq(s->grades[2].cutoff, 20);
    cr_expect_eq(s->grade_below, 'D');

    cr_expect(s->mql.has_fit);
    cr_expect_eq(s->mql.fit_at_least, 20);
    cr_expect(s->mql.has_engagement);
    cr_expect_eq(s->mql.engagement_at_least, 30);
    cr_expect_not(s->mql.has_total);
    cr_expect(s->mql.has_grade);
    cr_expect_eq(s->mql.grade_at_least, 'C');
    cr_assert_eq(s->mql.nrequire, 1); /* email is implied and not listed */
    cr_expect_str_eq(s->mql.require[0], "company");
    cr_expect_eq(s->band_width, 10);
    lf_config_release(&cfg);
}

Test(config_spec, goals_and_cost)
{
    lf_config cfg;
    double g = -1;
    load_ok(&cfg, "spec.yaml");
    cr_expect(cfg.has_goal);
    cr_expect_eq(cfg.goal_default, 400);
    cr_expect_eq(cfg.ngoals, 0);
    cr_expect(lf_config_goal(&cfg, 2026, 3, &g));
    cr_expect_eq(g, 400);
    cr_expect(cfg.lag_auto);
    lf_config_release(&cfg);
}

/* ---- the example asset, defaults, small files ----------------------------------------- */

static void expect_defaults(const lf_config *cfg);

/* The example with its settings uncommented: "# " dropped before a top-level key
 * ("# sla:") and before an indented line ("#   accept_within: 2bd"), as a user
 * uncomments a section; prose comments stay. Owned by the caller. */
static char *uncommented_example(void)
{
    const char *text = lf_config_example();
    cr_assert_not_null(text);
    size_t n = strlen(text);
    char *out = malloc(n + 1), *o = out;
    cr_assert_not_null(out);
    for (const char *p = text; *p;) {
        const char *k = p + 2;
        while (*k == '_' || (*k >= 'a' && *k <= 'z'))
            k++;
        bool key = k > p + 2 && *k == ':' && (k[1] == ' ' || k[1] == '\n');
        if (strncmp(p, "# ", 2) == 0 && (key || strncmp(p + 2, "  ", 2) == 0))
            p += 2;
        while (*p && *p != '\n')
            *o++ = *p++;
        if (*p)
            *o++ = *p++;
    }
    *o = '\0';
    return out;
}

/* SPEC §9: as init writes it, the example changes nothing (every setting commented). */
Test(config_example, as_written_changes_nothing)
{
    lf_config cfg;
    load_text_ok(&cfg, lf_config_example());
    expect_defaults(&cfg);
    lf_config_release(&cfg);
}

Test(config_example, loads_and_covers_every_section)
{
    lf_config cfg;
    char *text = uncommented_example();
    cr_expect_not_null(strstr(text, "band_width"));
    load_text_ok(&cfg, text);
    free(text);
    cr_expect_str_eq(cfg.timezone, "UTC");
    cr_expect_eq(cfg.calendar.nholidays, 3);
    cr_expect(cfg.has_sla);
    cr_expect_eq(cfg.sla.usec, 16 * LF_USEC_PER_HOUR);
    cr_expect_gt(cfg.nsources, 0);
    cr_expect_gt(cfg.npersonas, 0);
    cr_expect(cfg.scoring.enabled);
    cr_expect_gt(cfg.scoring.nfit, 0);
    cr_expect_gt(cfg.scoring.nengagement, 0);
    cr_expect_gt(cfg.scoring.half_life_usec, 0);
    cr_expect(cfg.scoring.mql.has_grade);
    cr_expect_eq(cfg.scoring.band_width, 10);
    cr_expect_eq(cfg.goal_default, 400);
    cr_expect(cfg.lag_auto);
    cr_expect_eq(cfg.nwebhooks, 1);
    cr_expect_eq(cfg.webhook_events, 15u);
    cr_expect_str_eq(cfg.mail.from, "leadflow@example.com");
    lf_config_release(&cfg);
}

static void expect_defaults(const lf_config *cfg)
{
    double g;
    cr_expect_str_eq(cfg->timezone, "UTC");
    cr_assert_not_null(cfg->tz);
    cr_expect_str_eq(lf_tz_name(cfg->tz), "UTC");
    cr_expect_eq(cfg->calendar.tz, cfg->tz);
    cr_expect_eq(cfg->calendar.workdays, 0x1f);
    cr_expect_eq(cfg->calendar.start_min, 540);
    cr_expect_eq(cfg->calendar.end_min, 1020);
    cr_expect_eq(cfg->calendar.nholidays, 0);
    cr_expect_not(cfg->has_sla);
    cr_expect_eq(cfg->speed_target.clock, LF_CLOCK_CALENDAR);
    cr_expect_eq(cfg->speed_target.usec, LF_USEC_PER_HOUR);
    cr_expect_str_eq(cfg->speed_target.text, "1h");
    cr_expect_eq(cfg->nsources, 0);
    cr_expect_eq(cfg->npersonas, 0);
    cr_expect_not(cfg->scoring.enabled);
    cr_expect_eq(cfg->scoring.ngrades, 3);
    cr_expect_eq(cfg->scoring.grades[0].letter, 'A');
    cr_expect_eq(cfg->scoring.grades[0].cutoff, 60);
    cr_expect_eq(cfg->scoring.grades[2].letter, 'C');
    cr_expect_eq(cfg->scoring.grades[2].cutoff, 20);
    cr_expect_eq(cfg->scoring.grade_below, 'D');
    cr_expect_eq(cfg->scoring.band_width, 10);
    cr_expect_eq(cfg->scoring.half_life_usec, 0);
    cr_expect_not(cfg->has_goal);
    cr_expect_not(lf_config_goal(cfg, 2026, 1, &g));
    cr_expect(cfg->lag_auto, "SPEC §1: cost.lag_days is auto by default");
}

Test(config_defaults, defaults_function)
{
    lf_config cfg;
    cr_assert_eq(lf_config_defaults(&cfg, NULL), LF_OK);
    expect_defaults(&cfg);
    cr_expect_null(cfg.path);
    lf_config_release(&cfg);
}

Test(config_defaults, empty_and_null_documents_are_defaults)
{
    const char *texts[] = {"", "# only a comment\n", "---\n", "~\n",
                           "timezone:\nsla:\nscoring: ~\ngoals: {mqls_per_month: null}\n"};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        lf_config cfg;
        load_text_ok(&cfg, texts[i]);
        expect_defaults(&cfg);
        cr_expect_str_eq(cfg.path, "leadflow.yaml");
        lf_config_release(&cfg);
    }
}

Test(config_load, key_order_does_not_matter)
{
    lf_config cfg;
    load_ok(&cfg, "order.yaml");
    cr_expect_eq(cfg.calendar.start_min, 600);
    cr_expect_eq(cfg.calendar.end_min, 840);
    cr_expect_eq(cfg.sla.usec, 8 * LF_USEC_PER_HOUR); /* 2 x 4h, though sla came first */
    cr_assert_eq(cfg.calendar.nholidays, 2);          /* sorted, repeat dropped */
    cr_expect_eq(cfg.calendar.holidays[0], day("2026-01-01"));
    cr_expect_eq(cfg.calendar.holidays[1], day("2026-12-25"));
    cr_assert_eq(cfg.scoring.ngrades, 2); /* sorted by cut-off, descending */
    cr_expect_eq(cfg.scoring.grades[0].letter, 'A');
    cr_expect_eq(cfg.scoring.grades[0].cutoff, 70);
    cr_expect_eq(cfg.scoring.grades[1].letter, 'B');
    cr_expect_eq(cfg.scoring.grade_below, 'C');
    cr_expect_eq(cfg.scoring.mql.grade_at_least, 'B');
    lf_config_release(&cfg);
}

Test(config_load, goals_as_a_map)
{
    lf_config cfg;
    double g = -1;
    load_ok(&cfg, "goals_map.yaml");
    cr_expect(cfg.has_goal);
    cr_expect_lt(cfg.goal_default, 0);
    cr_assert_eq(cfg.ngoals, 2);
    cr_expect(lf_config_goal(&cfg, 2026, 1, &g));
    cr_expect_eq(g, 380);
    cr_expect(lf_config_goal(&cfg, 2026, 2, &g));
    cr_expect_eq(g, 400);
    cr_expect_not(lf_config_goal(&cfg, 2026, 3, &g));
    cr_expect_not(lf_config_goal(&cfg, 2025, 1, &g));
    lf_config_release(&cfg);
}

Test(config_load, goals_map_with_default)
{
    lf_config cfg;
    double g = -1;
    load_text_ok(&cfg, "goals:\n  mqls_per_month: {\"2026-01\": 380.5, default: 420}\n");
    cr_expect(lf_config_goal(&cfg, 2026, 1, &g));
    cr_expect_eq(g, 380.5);
    cr_expect(lf_config_goal(&cfg, 2027, 12, &g));
    cr_expect_eq(g, 420);
    lf_config_release(&cfg);
}

Test(config_load, conditions_of_every_kind)
{
    lf_config cfg;
    load_text_ok(&cfg,
                 "personas:\n"
                 "  - name: Big buyer\n"
                 "    when:\n"
                 "      Employees: {at_least: 1000, at_most: 1e5}\n"
                 "      Plan: {equals: Enterprise}\n"
                 "      phone: {absent: true}\n"
                 "      any: [{title: {matches: cfo}}, {not: {title: {present: yes}}}]\n"
                 "  - {name: Everyone else}\n"
                 "scoring:\n"
                 "  engagement:\n"
                 "    - type: Page_View\n"
                 "      detail: {any: [{matches: pricing}, {equals: /demo}], not: {matches: blog}}\n"
                 "      points: -2.5\n"
                 "      max_total: 0\n");
    cr_assert_eq(cfg.npersonas, 2);
    const lf_cond *w = &cfg.personas[0].when;
    cr_assert_eq(w->op, LF_COND_ALL);
    cr_assert_eq(w->nkids, 4);
    cr_assert_eq(w->kids[0].op, LF_COND_ALL); /* two tests on one attribute */
    cr_assert_eq(w->kids[0].nkids, 2);
    cr_expect_eq(w->kids[0].kids[0].op, LF_COND_AT_LEAST);
    cr_expect_str_eq(w->kids[0].kids[0].attr, "employees"); /* lower-cased */
    cr_expect_eq(w->kids[0].kids[0].lo, 1000);
    cr_expect_eq(w->kids[0].kids[1].op, LF_COND_AT_MOST);
    cr_expect_eq(w->kids[0].kids[1].hi, 100000);
    cr_expect_eq(w->kids[1].op, LF_COND_EQUALS);
    cr_expect_str_eq(w->kids[1].attr, "plan");
    cr_assert_eq(w->kids[1].nvalues, 1);
    cr_expect_str_eq(w->kids[1].values[0], "Enterprise");
    cr_expect_eq(w->kids[2].op, LF_COND_ABSENT);
    cr_expect_eq(w->kids[3].op, LF_COND_ANY);
    cr_assert_eq(w->kids[3].nkids, 2);
    const lf_cond *n = &w->kids[3].kids[1];
    cr_assert_eq(n->op, LF_COND_ALL);
    cr_assert_eq(n->kids[0].op, LF_COND_NOT);
    cr_assert_eq(n->kids[0].nkids, 1);
    cr_expect_eq(n->kids[0].kids[0].kids[0].op, LF_COND_PRESENT);
    cr_expect_eq(cfg.personas[1].when.op, LF_COND_ALL); /* no `when`: everyone */
    cr_expect_eq(cfg.personas[1].when.nkids, 0);

    const lf_engagement_rule *r = &cfg.scoring.engagement[0];
    cr_expect_str_eq(r->type, "page_view");
    cr_expect_eq(r->points, -2.5);
    cr_expect_eq(r->max_total, 0);
    cr_assert_eq(r->detail.op, LF_COND_ALL);
    cr_assert_eq(r->detail.nkids, 2);
    cr_expect_eq(r->detail.kids[0].op, LF_COND_ANY);
    cr_expect_null(r->detail.kids[0].kids[1].attr);
    cr_expect_str_eq(r->detail.kids[0].kids[1].values[0], "/demo");
    cr_expect_eq(r->detail.kids[1].op, LF_COND_NOT);
    cr_expect_eq(r->detail.kids[1].kids[0].op, LF_COND_MATCHES);
    lf_config_release(&cfg);
}

Test(config_load, present_false_is_absent_and_require_dedupes)
{
    lf_config cfg;
    load_text_ok(&cfg, "scoring:\n"
                       "  fit: [{when: {title: {present: false}, fax: {absent: no}}, points: 1}]\n"
                       "  mql: {total_at_least: 50, require: [Company, EMAIL, company, phone]}\n");
    cr_expect_eq(cfg.scoring.fit[0].when.kids[0].op, LF_COND_ABSENT);
    cr_expect_eq(cfg.scoring.fit[0].when.kids[1].op, LF_COND_PRESENT);
    cr_expect(cfg.scoring.mql.has_total);
    cr_expect_eq(cfg.scoring.mql.total_at_least, 50);
    cr_expect_not(cfg.scoring.mql.has_grade);
    cr_assert_eq(cfg.scoring.mql.nrequire, 2);
    cr_expect_str_eq(cfg.scoring.mql.require[0], "company");
    cr_expect_str_eq(cfg.scoring.mql.require[1], "phone");
    lf_config_release(&cfg);
}

Test(config_load, workdays_hours_lag)
{
    lf_config cfg;
    load_text_ok(&cfg, "calendar: {workdays: [Sun, sat], hours: \"00:00-24:00\"}\n"
                       "cost: {lag_days: 14}\n");
    cr_expect_eq(cfg.calendar.workdays, (1 << 5) | (1 << 6));
    cr_expect_eq(cfg.calendar.start_min, 0);
    cr_expect_eq(cfg.calendar.end_min, 1440);
    cr_expect_not(cfg.lag_auto);
    cr_expect_eq(cfg.lag_days, 14);
    lf_config_release(&cfg);
}

/* ---- durations --------------------------------------------------------------------- */

Test(config_duration, units_and_clocks)
{
    const int64_t bday = 8 * LF_USEC_PER_HOUR, min = 60 * LF_USEC_PER_SEC;
    struct { const char *s; lf_clock clock; int64_t usec; } ok[] = {
        {"90m", LF_CLOCK_CALENDAR, 90 * min},
        {"48h", LF_CLOCK_CALENDAR, 48 * LF_USEC_PER_HOUR},
        {"2d", LF_CLOCK_CALENDAR, 2 * LF_USEC_PER_DAY},
        {"1.5h", LF_CLOCK_CALENDAR, 90 * min},
        {"16bh", LF_CLOCK_BUSINESS, 16 * LF_USEC_PER_HOUR},
        {"2bd", LF_CLOCK_BUSINESS, 16 * LF_USEC_PER_HOUR},
        {"0.5bd", LF_CLOCK_BUSINESS, 4 * LF_USEC_PER_HOUR},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        lf_duration d;
        lf_error err = {0};
        cr_assert_eq(lf_duration_parse(ok[i].s, bday, &d, &err), LF_OK, "%s: %s", ok[i].s,
                     err.msg);
        cr_expect_eq(d.clock, ok[i].clock, "%s", ok[i].s);
        cr_expect_eq(d.usec, ok[i].usec, "%s", ok[i].s);
        cr_expect_str_eq(d.text, ok[i].s);
    }
}

Test(config_duration, bad_input)
{
    struct { const char *s; const char *msg; } bad[] = {
        {"2x", "bad duration '2x'"},
        {"", "bad duration ''"},
        {"h", "bad duration 'h'"},
        {"-1h", "bad duration '-1h'"},
        {"1 h", "bad duration '1 h'"},
        {"1.h", "bad duration '1.h'"},
        {"2H", "bad duration '2H'"},
        {"0m", "bad duration '0m': must be more than 0"},
        {"99999999999999d", "bad duration '99999999999999d': too long"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        lf_duration d;
        lf_error err = {0};
        cr_expect_eq(lf_duration_parse(bad[i].s, LF_USEC_PER_HOUR, &d, &err), LF_ECONFIG, "%s",
                     bad[i].s);
        cr_expect_str_eq(err.msg, bad[i].msg);
    }
}

/* ---- errors: one file per class ------------------------------------------------------ */

Test(config_errors, unknown_keys)
{
    expect_file_error("unknown_top.yaml", ":2: unknown key 'timezones'");
    expect_file_error("unknown_sla.yaml", ":3: unknown key 'sla.accept_whithin'");
    expect_file_error("unknown_nested.yaml", ":5: unknown key 'scoring.fit[1].when.title.matchs'");
}

Test(config_errors, wrong_types)
{
    expect_file_error("type_sources_map.yaml", ":3: key 'sources': expected a list, got a map");
    expect_file_error("type_points_map.yaml",
                      ":4: key 'scoring.fit[0].points': expected a number, got a map");
}

Test(config_errors, bad_values)
{
    expect_file_error("bad_timezone.yaml",
                      ":1: key 'timezone': unknown time zone 'Mars/Olympus_Mons'");
    expect_file_error("bad_duration.yaml", ":2: key 'sla.accept_within': bad duration '2x'");
    expect_file_error("bad_speed_business.yaml",
                      ":2: key 'speed_to_lead.target': must be a calendar duration (m, h or d), "
                      "got '1bh'");
    expect_file_error("bad_holiday.yaml",
                      ":4: key 'calendar.holidays[1]': bad date '2026-02-30' (expected YYYY-MM-DD)");
    expect_file_error("bad_workday.yaml", ":2: key 'calendar.workdays[2]': bad weekday 'fry' "
                                          "(expected mon, tue, wed, thu, fri, sat or sun)");
    expect_file_error("bad_hours.yaml", ":2: key 'calendar.hours': bad hours '17:00-09:00' "
                                        "(expected HH:MM-HH:MM with start before end)");
    expect_file_error("bad_regex.yaml",
                      ":3: key 'sources[1].match': bad regex '(bing': Unmatched ( or \\(");
    expect_file_error("bad_origin.yaml", ":2: key 'sources[0].origin': bad origin 'partner' "
                                         "(expected marketing or sales)");
    expect_file_error("bad_grade_letter.yaml",
                      ":2: key 'scoring.grades.AB': bad grade 'AB' (expected one letter A-Z)");
    expect_file_error("bad_grade_at_least.yaml", ":3: key 'scoring.mql.grade_at_least': no grade "
                                                 "'C' is configured (grades: A, B)");
    expect_file_error("bad_band_width.yaml", ":2: key 'scoring.band_width': must be a whole "
                                             "number greater than 0, got '0'");
    expect_file_error("bad_goal_month.yaml", ":4: key 'goals.mqls_per_month.2026-13': bad month "
                                             "'2026-13' (expected YYYY-MM or default)");
    expect_file_error("bad_lag_days.yaml", ":2: key 'cost.lag_days': expected 'auto' or a whole "
                                           "number of days (0 or more), got '-3'");
}

Test(config_errors, yaml_syntax)
{
    expect_file_error("bad_syntax.yaml", ":3: yaml syntax error: did not find expected key "
                                         "(while parsing a block mapping started on line 1)");
    expect_file_error("bad_syntax_quote.yaml",
                      ":4: yaml syntax error: found unexpected end of stream "
                      "(while scanning a quoted scalar started on line 3)");
}

Test(config_errors, missing_file)
{
    lf_config cfg;
    lf_error err = {0};
    cr_expect_eq(lf_config_load(&cfg, "/nonexistent/leadflow.yaml", &err), LF_ECONFIG);
    cr_expect_str_eq(err.msg, "cannot read '/nonexistent/leadflow.yaml': No such file or directory");
}

/* ---- errors: more cases inline ----------------------------------------------------- */

Test(config_errors, more_types)
{
    expect_error("calendar: [mon]\n", "leadflow.yaml:1: key 'calendar': expected a map, got a list");
    expect_error("calendar:\n  workdays: mon\n",
                 "leadflow.yaml:2: key 'calendar.workdays': expected a list, got a scalar");
    expect_error("timezone: [UTC]\n",
                 "leadflow.yaml:1: key 'timezone': expected a time zone name, got a list");
    expect_error("- timezone: UTC\n",
                 "leadflow.yaml:1: expected a map of settings at the top level, got a list");
    expect_error("personas:\n  - {name: X, when: [a]}\n",
                 "leadflow.yaml:2: key 'personas[0].when': expected a map of attribute "
                 "conditions, got a list");
    expect_error("personas:\n  - {name: X, when: {title: cto}}\n",
                 "leadflow.yaml:2: key 'personas[0].when.title': expected a map of tests (equals, "
                 "in, between, at_least, at_most, matches, present, absent), got a scalar");
    expect_error("scoring:\n  fit:\n    - {when: {x: {in: a}}, points: 1}\n",
                 "leadflow.yaml:3: key 'scoring.fit[0].when.x.in': expected a list, got a scalar");
    expect_error("scoring:\n  fit:\n    - {when: {x: {between: [1, 2, 3]}}, points: 1}\n",
                 "leadflow.yaml:3: key 'scoring.fit[0].when.x.between': expected two numbers "
                 "[low, high], got 3 values");
    expect_error("scoring:\n  fit:\n    - {when: {x: {between: [9, 2]}}, points: 1}\n",
                 "leadflow.yaml:3: key 'scoring.fit[0].when.x.between': low bound 9 is above "
                 "high bound 2");
    expect_error("scoring:\n  fit:\n    - {when: {x: {at_least: ten}}, points: 1}\n",
                 "leadflow.yaml:3: key 'scoring.fit[0].when.x.at_least': expected a number, got "
                 "'ten'");
    expect_error("scoring:\n  fit:\n    - {when: {x: {present: maybe}}, points: 1}\n",
                 "leadflow.yaml:3: key 'scoring.fit[0].when.x.present': expected true or false, "
                 "got 'maybe'");
    expect_error("goals:\n  mqls_per_month: [1, 2]\n",
                 "leadflow.yaml:2: key 'goals.mqls_per_month': expected a number or a map of "
                 "months, got a list");
    expect_error("goals:\n  mqls_per_month: -5\n",
                 "leadflow.yaml:2: key 'goals.mqls_per_month': must be 0 or more, got '-5'");
}

Test(config_errors, more_values)
{
    expect_error("calendar: {hours: 9-17}\n",
                 "leadflow.yaml:1: key 'calendar.hours': bad hours '9-17' (expected HH:MM-HH:MM "
                 "with start before end)");
    expect_error("calendar: {hours: \"09:00-24:30\"}\n",
                 "leadflow.yaml:1: key 'calendar.hours': bad hours '09:00-24:30' (expected "
                 "HH:MM-HH:MM with start before end)");
    expect_error("calendar: {hours: \"09:00-09:00\"}\n",
                 "leadflow.yaml:1: key 'calendar.hours': bad hours '09:00-09:00' (expected "
                 "HH:MM-HH:MM with start before end)");
    expect_error("calendar: {workdays: []}\n",
                 "leadflow.yaml:1: key 'calendar.workdays': no workdays");
    expect_error("calendar: {holidays: [2026-1-1]}\n",
                 "leadflow.yaml:1: key 'calendar.holidays[0]': bad date '2026-1-1' (expected "
                 "YYYY-MM-DD)");
    expect_error("cost: {lag_days: 2.5}\n",
                 "leadflow.yaml:1: key 'cost.lag_days': expected 'auto' or a whole number of "
                 "days (0 or more), got '2.5'");
    expect_error("scoring: {band_width: -10}\n",
                 "leadflow.yaml:1: key 'scoring.band_width': must be a whole number greater than "
                 "0, got '-10'");
    expect_error("scoring: {decay: {half_life: 30bd}}\n",
                 "leadflow.yaml:1: key 'scoring.decay.half_life': must be a calendar duration (m, "
                 "h or d), got '30bd'");
    expect_error("scoring: {grades: {A: 60, B: 60}}\n",
                 "leadflow.yaml:1: key 'scoring.grades.B': grade 'B' has the same cut-off as "
                 "grade 'A'");
    expect_error("scoring: {grades: {A: 20, B: 60}}\n",
                 "leadflow.yaml:1: key 'scoring.grades.A': grade 'A' must have a higher cut-off "
                 "than grade 'B'");
    expect_error("scoring: {grades: {}}\n", "leadflow.yaml:1: key 'scoring.grades': no grades");
    expect_error("scoring: {mql: {grade_at_least: D}}\n",
                 "leadflow.yaml:1: key 'scoring.mql.grade_at_least': no grade 'D' is configured "
                 "(grades: A, B, C)");
    expect_error("scoring:\n  engagement:\n    - {type: won, points: 5}\n",
                 "leadflow.yaml:3: key 'scoring.engagement[0].type': 'won' is a lifecycle event, "
                 "not an activity");
    /* every reserved type of SPEC §2, in any case, is refused (the message lower-cases) */
    static const char *const reserved[] = {"MQL",       "Accepted",    "rejected",
                                           "DISQUALIFIED", "contacted", "Opportunity",
                                           "won",       "Lost"};
    for (size_t i = 0; i < sizeof reserved / sizeof reserved[0]; i++) {
        char yaml[128], want[256], low[32];
        size_t k = 0;
        for (; reserved[i][k]; k++)
            low[k] = (char)(reserved[i][k] >= 'A' && reserved[i][k] <= 'Z' ? reserved[i][k] + 32
                                                                            : reserved[i][k]);
        low[k] = '\0';
        snprintf(yaml, sizeof yaml, "scoring:\n  engagement:\n    - {type: %s, points: 5}\n",
                 reserved[i]);
        snprintf(want, sizeof want,
                 "leadflow.yaml:3: key 'scoring.engagement[0].type': '%s' is a lifecycle event, "
                 "not an activity",
                 low);
        expect_error(yaml, want);
    }
    expect_error("scoring:\n  engagement:\n    - {type: download, points: 5, max_total: -1}\n",
                 "leadflow.yaml:3: key 'scoring.engagement[0].max_total': must be 0 or more, got "
                 "'-1'");
    expect_error("scoring:\n  engagement:\n    - {type: page_view, detail: {matches: \"[a\"}, "
                 "points: 1}\n",
                 "leadflow.yaml:3: key 'scoring.engagement[0].detail.matches': bad regex '[a': "
                 "Unmatched [, [^, [:, [., or [=");
    expect_error("scoring:\n  engagement:\n    - {type: page_view, detail: {match: x}, points: 1}\n",
                 "leadflow.yaml:3: unknown key 'scoring.engagement[0].detail.match'");
}

Test(config_errors, structure)
{
    expect_error("sla:\n  accept_within: 2bd\n  accept_within: 3bd\n",
                 "leadflow.yaml:3: duplicate key 'sla.accept_within'");
    expect_error("personas:\n  - {name: X, when: {Title: {present: true}, title: {absent: true}}}\n",
                 "leadflow.yaml:2: duplicate key 'personas[0].when.title'");
    expect_error("sources:\n  - {match: x}\n",
                 "leadflow.yaml:2: key 'sources[0]': missing key 'channel'");
    expect_error("sources:\n  - {match: x, channel: \"\"}\n",
                 "leadflow.yaml:2: key 'sources[0].channel': must not be empty");
    expect_error("scoring:\n  fit:\n    - {points: 3}\n",
                 "leadflow.yaml:3: key 'scoring.fit[0]': missing key 'when'");
    expect_error("personas:\n  - {when: {a: {present: true}}}\n",
                 "leadflow.yaml:2: key 'personas[0]': missing key 'name'");
    expect_error("timezone: UTC\n---\ntimezone: UTC\n",
                 "leadflow.yaml:3: more than one yaml document");
    expect_error("timezone: \"caf\xff\"\n",
                 "leadflow.yaml:1: yaml syntax error: invalid leading UTF-8 octet");
    expect_error("? [a, b]\n: 1\n", "leadflow.yaml:1: expected a text key, got a list");
}

/* Appends printf-style text at *used in buf (test helper; no strcat). */
static void put(char *buf, size_t size, size_t *used, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void put(char *buf, size_t size, size_t *used, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int w = vsnprintf(buf + *used, size - *used, fmt, ap);
    va_end(ap);
    cr_assert(w >= 0 && (size_t)w < size - *used, "test buffer too small");
    *used += (size_t)w;
}

Test(config_errors, hostile_nesting_and_aliases)
{
    lf_config cfg;
    lf_error err = {0};
    char text[8192];
    size_t used = 0;

    /* 40 nested `not`s exceed the nesting limit. */
    put(text, sizeof text, &used, "%s", "personas:\n  - name: X\n    when: ");
    for (int i = 0; i < 40; i++)
        put(text, sizeof text, &used, "%s", "{not: ");
    put(text, sizeof text, &used, "%s", "{a: {present: true}}");
    for (int i = 0; i < 40; i++)
        put(text, sizeof text, &used, "%s", "}");
    put(text, sizeof text, &used, "%s", "\n");
    cr_expect_eq(lf_config_load_buffer(&cfg, "leadflow.yaml", text, used, &err), LF_ECONFIG);
    cr_expect_str_eq(err.msg, "leadflow.yaml:3: key 'personas[0].when"
                              ".not.not.not.not.not.not.not.not" /* 32 levels of `not` */
                              ".not.not.not.not.not.not.not.not"
                              ".not.not.not.not.not.not.not.not"
                              ".not.not.not.not.not.not.not.not"
                              "': conditions nested too deeply (more than 32 levels)");

    /* Persona k's condition is ten aliases of persona k-1's: P7 stands for 10^8
     * conditions, which must run out of the item budget, not of memory or time. */
    used = 0;
    put(text, sizeof text, &used, "%s", "personas:\n");
    put(text, sizeof text, &used, "%s",
        "  - {name: P0, when: {all: &a0 [{x: {present: true}}, {x: {present: true}}]}}\n");
    for (int k = 1; k <= 7; k++) {
        char prev[8], cur[8];
        snprintf(prev, sizeof prev, "a%d", k - 1);
        snprintf(cur, sizeof cur, "a%d", k);
        put(text, sizeof text, &used, "  - {name: P, when: {all: &%s [", cur);
        for (int i = 0; i < 10; i++)
            put(text, sizeof text, &used, i ? ", {all: *%s}" : "{all: *%s}", prev);
        put(text, sizeof text, &used, "%s", "]}}\n");
    }
    cr_expect_eq(lf_config_load_buffer(&cfg, "leadflow.yaml", text, used, &err), LF_ECONFIG);
    cr_expect_not_null(strstr(err.msg, "too many conditions and values (more than 1000000)"),
                       "%s", err.msg);
}

/* Repeats s n times into a new buffer (free it); *len gets its length. */
static char *repeat(const char *head, const char *s, size_t n, const char *tail, size_t *len)
{
    size_t hl = strlen(head), sl = strlen(s), tl = strlen(tail);
    char *b = malloc(hl + sl * n + tl + 1);
    cr_assert_not_null(b);
    memcpy(b, head, hl);
    for (size_t i = 0; i < n; i++)
        memcpy(b + hl + i * sl, s, sl);
    memcpy(b + hl + sl * n, tail, tl + 1);
    *len = hl + sl * n + tl;
    return b;
}

static void expect_buffer_error(const char *text, size_t len, const char *want)
{
    lf_config cfg;
    lf_error err = {0};
    cr_assert_eq(lf_config_load_buffer(&cfg, "leadflow.yaml", text, len, &err), LF_ECONFIG,
                 "%s", err.msg);
    cr_expect_str_eq(err.msg, want);
    cr_expect_null(cfg.timezone, "released on error");
}

Test(config_errors, deep_nesting_fails_fast)
{
    size_t len;
    /* 200 KB of `[` (took 36 s before the first pass): the 65th list, on line 1 */
    char *text = repeat("", "[", 200000, "", &len);
    expect_buffer_error(text, len,
                        "leadflow.yaml:1: lists and maps nested too deeply "
                        "(more than 64 levels)");
    free(text);
    /* 200 KB of `{a: ` on 20000 lines: the 65th map is on line 65 */
    text = repeat("", "{a:\n", 50000, "", &len);
    expect_buffer_error(text, len,
                        "leadflow.yaml:65: lists and maps nested too deeply "
                        "(more than 64 levels)");
    free(text);
    /* well-formed and closed, one level too deep: the top map and 64 lists */
    char *open_ = repeat("x: ", "[", 64, "", &len);
    char *both = repeat(open_, "]", 64, "\n", &len);
    expect_buffer_error(both, len,
                        "leadflow.yaml:1: lists and maps nested too deeply "
                        "(more than 64 levels)");
    free(both);
    free(open_);
    /* 64 levels in all (the top map and 63 lists) pass the first pass: the walk then
     * names the unknown key */
    open_ = repeat("x: ", "[", 63, "", &len);
    both = repeat(open_, "]", 63, "\n", &len);
    expect_buffer_error(both, len, "leadflow.yaml:1: unknown key 'x'");
    free(both);
    free(open_);
    /* block maps: line k opens the k-th map (the top one is line 1); syntax errors
     * and the rest are unchanged (config_errors.yaml_syntax and the tests above) */
    char block[65 * 70];
    size_t used = 0;
    for (int i = 0; i < 65; i++)
        put(block, sizeof block, &used, "%*sk:\n", i, "");
    expect_buffer_error(block, used,
                        "leadflow.yaml:65: lists and maps nested too deeply "
                        "(more than 64 levels)");
    used = 0;
    for (int i = 0; i < 64; i++)
        put(block, sizeof block, &used, "%*sk:\n", i, "");
    expect_buffer_error(block, used, "leadflow.yaml:1: unknown key 'k'");
}


/* personas[0] with `matches: 'PATTERN'` (single-quoted: no YAML escapes) */
static char *persona_re(const char *pattern)
{
    size_t n = strlen(pattern) + 100;
    char *text = malloc(n);
    cr_assert_not_null(text);
    snprintf(text, n, "personas:\n  - {name: X, when: {title: {matches: '%s'}}}\n", pattern);
    return text;
}

static void expect_re(const char *pattern, const char *reason)
{
    char *text = persona_re(pattern);
    lf_config cfg;
    lf_error err = {0};
    lf_status st = lf_config_load_buffer(&cfg, "leadflow.yaml", text, strlen(text), &err);
    if (!reason) {
        cr_expect_eq(st, LF_OK, "%s: %s", pattern, err.msg);
        if (st == LF_OK)
            lf_config_release(&cfg);
    } else {
        char want[1200];
        snprintf(want, sizeof want,
                 "leadflow.yaml:2: key 'personas[0].when.title.matches': bad regex '%s': %s",
                 pattern, reason);
        cr_expect_eq(st, LF_ECONFIG, "%s", pattern);
        cr_expect_str_eq(err.msg, want);
    }
    free(text);
}

Test(config_errors, hostile_regexes_are_refused_before_regcomp)
{
    static const char *const big =
        "too large once its repetitions are written out (more than 50000 parts)";
    /* each `+` doubles what it repeats: 2^15 = 32768 parts pass, 2^16 = 65536 do not
     * (25 of them made glibc's regcomp take more than 20 GB) */
    expect_re("m+++++++++++++++", NULL);
    expect_re("m++++++++++++++++", big);
    expect_re("m+++++++++++++++++++++++++", big);
    /* bounded repetitions multiply along the nesting: 200 x 250 = 50000 pass, one more
     * letter before them does not; * and ? do not grow anything */
    expect_re("(a{200}){250}", NULL);
    expect_re("x(a{200}){250}", big);
    expect_re("((a{2,40}){1,40}){32,}", big); /* 40 x 40 x 33 = 52800 */
    expect_re("((a{2,40}){1,40}){30,}", NULL); /* 40 x 40 x 31 = 49600 */
    expect_re("m*", NULL);
    /* glibc's {,m} too: 100^3 parts (it took 24 GB) */
    expect_re("a{,3}", NULL);
    expect_re("m{1,100}{1,100}{1,100}", big);
    expect_re("m{99999999999999999999999}", big);
    /* brackets are one part, whatever they hold; alternatives add up */
    expect_re("[a-z[:digit:]]{25000}|[]x]{25000}", NULL);
    expect_re("[a-z[:digit:]]{25000}|[]x]{25000}|y", big);
    /* 64 nested groups pass, 65 do not (30000 crashed regcomp's recursion) */
    char deep[200];
    memset(deep, '(', 64);
    deep[64] = 'a';
    memset(deep + 65, ')', 64);
    deep[129] = '\0';
    expect_re(deep, NULL);
    memset(deep, '(', 65);
    deep[65] = 'a';
    memset(deep + 66, ')', 65);
    deep[131] = '\0';
    expect_re(deep, "groups nested too deeply (more than 64 levels)");
    /* back-references make matching exponential in the (untrusted) data */
    expect_re("(a+)\\1", "back-references (\\1 to \\9) are not supported");
    expect_re("a\\.b\\\\", NULL); /* escaped dot, escaped backslash */
    /* a repetition of something that can already match nothing: regcomp's closure
     * over the empty paths explodes far below the size cap (timed with glibc 2.36:
     * `($)+++++` 7 s, eight `a??????????` then `f?*?` 19 s, `(a*){20000}` 2.5 s; the
     * first two are the fuzzer's finds, tests/fuzz) */
    static const char *const empty =
        "repeats something that can already match nothing (like a**, a?+, (a*)+ or ($)?): "
        "write the repetition once (a*, a?, a{0,3})";
    expect_re("((-(-()+++++++++++wheint++++++)))asse0h", empty);
    expect_re("g??????????" "-???????????????????,??????;???", empty); /* no trigraph */
    expect_re("($)+++++", empty);
    expect_re("(a*){20000}", empty);
    expect_re("(a?b?){2}", empty);
    expect_re("()+", empty);
    expect_re("(|a)+", empty);  /* an empty alternative */
    expect_re("(a|)*", empty);
    expect_re("a*+", empty);    /* stacked */
    expect_re("a??", empty);
    expect_re("m*********************?????????????????????", empty);
    expect_re("(\\b){2,}", empty); /* a word anchor */
    expect_re("x(^)?", empty);
    expect_re("((a*)){3}", empty); /* through a group */
    expect_re("(a*){1}", empty);
    expect_re("m{,100}{,100}", empty); /* m{,100} can match nothing */
    /* what stays: one repetition of what must match something, anchors and empty
     * paths where nothing repeats them */
    expect_re("(a$)+", NULL);
    expect_re("(a*b)+", NULL);
    expect_re("(^a|b)+", NULL);
    expect_re("a?b?c?d?e?f?g?h?(a|b?c)*", NULL);
    expect_re("(a*|b)c(d|e?)", NULL);
    expect_re("(^|x)(y|$)", NULL);
    expect_re("^(www\\.)?google\\.(com|de)$", NULL);
}

Test(config_errors, regexes_share_a_budget_that_aliases_cannot_multiply)
{
    /* one pattern of 200 x 25 = 5000 parts, compiled again for every persona that
     * names it by alias: each costs 5016 of the 1000000 parts, so 199 fit (998184)
     * and the 200th (1003200) fails; an aliased node keeps its anchor's line, 2 */
    lf_buf text;
    lf_buf_init(&text, 0);
    cr_assert_eq(lf_buf_adds(&text, "personas:\n"
                                    "  - {name: P, when: &a {t: {matches: '(a{200}){25}'}}}\n"),
                 LF_OK);
    for (int i = 1; i < 199; i++)
        cr_assert_eq(lf_buf_adds(&text, "  - {name: P, when: *a}\n"), LF_OK);
    lf_config cfg;
    lf_error err = {0};
    cr_assert_eq(lf_config_load_buffer(&cfg, "leadflow.yaml", text.data, text.len, &err), LF_OK,
                 "%s", err.msg);
    cr_expect_eq(cfg.npersonas, 199);
    lf_config_release(&cfg);
    cr_assert_eq(lf_buf_adds(&text, "  - {name: P, when: *a}\n"), LF_OK);
    cr_assert_eq(lf_config_load_buffer(&cfg, "leadflow.yaml", text.data, text.len, &err),
                 LF_ECONFIG);
    cr_expect_str_eq(err.msg, "leadflow.yaml:2: key 'personas[199].when.t.matches': too many or "
                              "too large regexes (more than 1000000 parts in all)");
    lf_buf_release(&text);
}

/* ---- webhooks and mail (alerts and delivery) ---------------------------------------- */

Test(config_alerts, webhooks_and_mail)
{
    lf_config cfg;
    load_text_ok(&cfg, "webhooks:\n"
                       "  - url: https://h.example.com/a\n"
                       "    secret_env: HOOK_A\n"
                       "    events: [handoff.opened, handoff.overdue]\n"
                       "  - {url: 'http://127.0.0.1:9/b', secret_env: B_2, events: [pacing.behind],"
                       " max_age: 90m}\n"
                       "mail: {smtp_url: 'smtps://mail.example.com:465', from: a@b.example}\n");
    cr_assert_eq(cfg.nwebhooks, 2);
    cr_expect_str_eq(cfg.webhooks[0].url, "https://h.example.com/a");
    cr_expect_str_eq(cfg.webhooks[0].secret_env, "HOOK_A");
    cr_expect_eq(cfg.webhooks[0].events, LF_ALERT_HANDOFF_OPENED | LF_ALERT_HANDOFF_OVERDUE);
    cr_expect_eq(cfg.webhooks[0].max_age_usec, 24 * LF_USEC_PER_HOUR, "default 24h");
    cr_expect_eq(cfg.webhooks[0].line, 2);
    cr_expect_eq(cfg.webhooks[1].max_age_usec, 90 * 60 * LF_USEC_PER_SEC);
    cr_expect_eq(cfg.webhook_events,
                 LF_ALERT_HANDOFF_OPENED | LF_ALERT_HANDOFF_OVERDUE | LF_ALERT_PACING_BEHIND);
    cr_expect_str_eq(cfg.mail.smtp_url, "smtps://mail.example.com:465");
    cr_expect_str_eq(cfg.mail.from, "a@b.example");
    cr_expect_str_eq(lf_alert_name(LF_ALERT_HANDOFF_DECIDED), "handoff.decided");
    cr_expect_eq(lf_alert_parse("pacing.behind"), LF_ALERT_PACING_BEHIND);
    cr_expect_eq(lf_alert_parse("Pacing.Behind"), 0u);
    lf_config_release(&cfg);
}

Test(config_alerts, errors_name_line_and_key)
{
    expect_error("webhooks:\n  - url: ftp://x/y\n    secret_env: S\n    events: [handoff.opened]\n",
                 "leadflow.yaml:2: key 'webhooks[0].url': expected an http:// or https:// URL, "
                 "got 'ftp://x/y'");
    expect_error("webhooks:\n  - url: http://x/\n    secret_env: S\n"
                 "    events: [handoff.opened, lead.won]\n",
                 "leadflow.yaml:4: key 'webhooks[0].events[1]': unknown event 'lead.won' "
                 "(expected handoff.opened, handoff.overdue, handoff.decided or pacing.behind)");
    expect_error("webhooks:\n  - url: http://x/\n    events: [handoff.opened]\n",
                 "leadflow.yaml:2: key 'webhooks[0]': missing key 'secret_env'");
    expect_error("webhooks:\n  - {url: 'http://x/', secret_env: 'MY SECRET', events: "
                 "[handoff.opened]}\n",
                 "leadflow.yaml:2: key 'webhooks[0].secret_env': expected the name of an "
                 "environment variable (LEADFLOW_HOOK_SECRET), got 'MY SECRET'");
    expect_error("webhooks:\n  - {url: 'http://x/', secret_env: S, events: []}\n",
                 "leadflow.yaml:2: key 'webhooks[0].events': expected at least one of "
                 "handoff.opened, handoff.overdue, handoff.decided, pacing.behind");
    expect_error("webhooks:\n  - {url: 'http://x/', secret_env: S, events: [handoff.opened], "
                 "max_age: 2bd}\n",
                 "leadflow.yaml:2: key 'webhooks[0].max_age': must be a calendar duration "
                 "(m, h or d), got '2bd'");
    expect_error("webhooks:\n  - {url: 'http://x/', secret_env: S, events: [handoff.opened], "
                 "secret: hunter2}\n",
                 "leadflow.yaml:2: unknown key 'webhooks[0].secret'");
    expect_error("mail:\n  smtp_url: http://mail/\n",
                 "leadflow.yaml:2: key 'mail.smtp_url': expected an smtp:// or smtps:// URL, "
                 "got 'http://mail/'");
    expect_error("mail:\n  from: 'Ann <ann@x.com>'\n",
                 "leadflow.yaml:2: key 'mail.from': expected an address such as "
                 "leadflow@example.com, got 'Ann <ann@x.com>'");
}
