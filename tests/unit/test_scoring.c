/*
 * test_scoring.c — scoring and the MQL rule against SPEC §4.
 *
 * Configurations are real YAML (lf_config_load_buffer), so each test also shows how
 * a rule is written. Every expected score is computed by hand in a comment next to
 * it. Three groups: fit and grades (every condition type through fit rules), the
 * engagement sum (caps per local day and in total, restarts, decay; driven through
 * the lf_scorer hooks directly), and the MQL rule through lf_lifecycle_replay (the
 * first qualifying moment, re-qualification after a rejection, leads that never
 * qualify, handoff scores).
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "leadflow/scoring.h"

/* 2026-01-01T00:00:00Z, and hours / days after it, in microseconds. */
#define T0 (INT64_C(1767225600) * LF_USEC_PER_SEC)
#define AT(h) (T0 + (lf_time)(h)*LF_USEC_PER_HOUR)
#define DAYS(d) ((lf_time)(d)*LF_USEC_PER_DAY)

#define EPS 1e-9
#define MAXEV 64

/* An lf_attrs over a literal list of {name, value} pairs. */
#define ATTRS(...)                                                                                 \
    ((lf_attrs){(const lf_attr[]){__VA_ARGS__},                                                    \
                sizeof((const lf_attr[]){__VA_ARGS__}) / sizeof(lf_attr)})
#define NO_ATTRS ((lf_attrs){NULL, 0})

/* ---- fixture -------------------------------------------------------------------- */

typedef struct fx {
    lf_config cfg;
    lf_scoring_model *model;
    lf_score_state *st;
    lf_scorer sc;
    lf_lead_state ls;
    int32_t nfed; /* index given to the next event fed through the hooks */
} fx;

static void fx_init(fx *f, const char *yaml)
{
    lf_error err = {0};
    memset(f, 0, sizeof *f);
    cr_assert_eq(lf_config_load_buffer(&f->cfg, "leadflow.yaml", yaml, strlen(yaml), &err),
                 LF_OK, "config: %s", err.msg);
    cr_assert_eq(lf_scoring_model_new(&f->cfg, &f->model, &err), LF_OK, "model: %s", err.msg);
    cr_assert_not_null(f->model);
    f->st = lf_score_state_new(f->model);
    cr_assert_not_null(f->st);
    lf_score_state_scorer(f->st, &f->sc);
    lf_lead_state_init(&f->ls);
}

static void fx_release(fx *f)
{
    lf_lead_state_release(&f->ls);
    lf_score_state_free(f->st);
    lf_scoring_model_free(f->model);
    lf_config_release(&f->cfg);
}

/* Starts a lead (explain on) and returns its fit score. */
static double lead(fx *f, lf_attrs a)
{
    f->nfed = 0;
    lf_score_state_lead(f->st, &a, true);
    return lf_score_state_fit(f->st);
}

/* Feeds one activity through the activity hook. */
static void feed(fx *f, lf_time ts, const char *type, const char *detail)
{
    lf_event e = {.ts = ts, .seq = f->nfed, .kind = LF_EV_ACTIVITY, .type = type,
                  .detail = detail};
    f->sc.activity(f->sc.ctx, &e, f->nfed++);
}

static double eng(fx *f, lf_time t)
{
    return lf_score_state_engagement_at(f->st, t);
}

/* The `awarded` of every recorded award, in order, against want[0..n). */
static void expect_awarded(fx *f, const double *want, size_t n)
{
    size_t got;
    const lf_award *aw = lf_score_state_awards(f->st, &got);
    cr_assert_eq(got, n, "awards: got %zu, want %zu", got, n);
    for (size_t i = 0; i < n; i++)
        cr_expect_float_eq(aw[i].awarded, want[i], EPS, "award %zu: got %g, want %g", i,
                           aw[i].awarded, want[i]);
}

static lf_time ts(const char *iso)
{
    lf_time t;
    lf_error err = {0};
    cr_assert_eq(lf_time_parse(iso, strlen(iso), lf_tz_utc(), &t, NULL, &err), LF_OK, "%s",
                 err.msg);
    return t;
}

/* ---- replay through the lifecycle engine ------------------------------------------ */

typedef struct evlist {
    lf_event ev[MAXEV];
    size_t n;
} evlist;

/* Adds an event (import order = call order); the kind comes from the type. */
static int32_t add(evlist *l, lf_time t, const char *type)
{
    cr_assert_lt(l->n, MAXEV);
    lf_event *e = &l->ev[l->n];
    memset(e, 0, sizeof *e);
    e->ts = t;
    e->seq = 100 * ((int64_t)l->n + 1);
    e->type = type;
    e->kind = (uint8_t)lf_event_kind_of(type, strlen(type));
    return (int32_t)l->n++;
}

static void replay(fx *f, const evlist *l, lf_time created, bool email, lf_attrs a)
{
    lf_error err = {0};
    lf_score_state_lead(f->st, &a, true);
    lf_lead_input in = {.created_at = created, .has_email = email, .events = l->ev,
                        .nevents = l->n};
    cr_assert_eq(lf_lifecycle_replay(&in, &f->sc, &f->ls, &err), LF_OK, "replay: %s", err.msg);
}

static void expect_handoff(fx *f, size_t i, lf_time mql_at, int cause, int32_t open_event,
                           double score)
{
    cr_assert_gt(f->ls.nhandoffs, i, "handoff %zu missing (have %zu)", i, f->ls.nhandoffs);
    const lf_handoff *h = &f->ls.handoffs[i];
    cr_expect_eq(h->mql_at, mql_at, "handoff %zu: mql_at off by %lld us", i,
                 (long long)(h->mql_at - mql_at));
    cr_expect_eq(h->cause, cause, "handoff %zu: cause %d", i, h->cause);
    cr_expect_eq(h->open_event, open_event, "handoff %zu: open_event %d", i, h->open_event);
    cr_expect_float_eq(h->score, score, EPS, "handoff %zu: score %g, want %g", i, h->score,
                       score);
}

/* ---- fit: every condition type ------------------------------------------------------ */

Test(fit, equals_and_in)
{
    fx f;
    fx_init(&f, "scoring:\n"
                "  fit:\n"
                "    - {when: {industry: {equals: Software}}, points: 10}\n"
                "    - {when: {employees: {equals: 50}}, points: 1}\n"
                "    - {when: {country: {in: [DE, AT, CH]}}, points: 5}\n");
    /* "software" = "Software" ignoring case (10); "50.0" = 50 as numbers (1);
     * "at" is in the list ignoring case (5): 10 + 1 + 5 = 16. */
    cr_expect_float_eq(lead(&f, ATTRS({"industry", "software"}, {"employees", "50.0"},
                                      {"country", "at"})),
                       16, EPS);
    size_t n;
    const lf_fit_hit *h = lf_score_state_fit_hits(f.st, &n);
    cr_assert_eq(n, 3);
    cr_expect_eq(h[0].rule, 0);
    cr_expect_float_eq(h[0].points, 10, EPS);
    cr_expect_eq(h[1].rule, 1);
    cr_expect_eq(h[2].rule, 2);
    /* "software inc" is not "software"; 500 != 50; FR not in the list: 0. */
    cr_expect_float_eq(lead(&f, ATTRS({"industry", "software inc"}, {"employees", "500"},
                                      {"country", "FR"})),
                       0, EPS);
    lf_score_state_fit_hits(f.st, &n);
    cr_expect_eq(n, 0);
    /* No attributes at all: 0. */
    cr_expect_float_eq(lead(&f, NO_ATTRS), 0, EPS);
    fx_release(&f);
}

Test(fit, between_at_least_at_most)
{
    fx f;
    fx_init(&f, "scoring:\n"
                "  fit:\n"
                "    - {when: {employees: {between: [200, 5000]}}, points: 20}\n"
                "    - {when: {revenue: {at_least: 1000000}}, points: 7}\n"
                "    - {when: {age_days: {at_most: 30}}, points: 3}\n");
    /* Every bound is inclusive: 200 in [200, 5000] (20), 1000000 >= 1000000 (7),
     * 30 <= 30 (3): 30. */
    cr_expect_float_eq(lead(&f, ATTRS({"employees", "200"}, {"revenue", "1000000"},
                                      {"age_days", "30"})),
                       30, EPS);
    /* 5000 in range (20); 999999.99 < 1000000 (0); 30.5 > 30 (0): 20. */
    cr_expect_float_eq(lead(&f, ATTRS({"employees", "5000"}, {"revenue", "999999.99"},
                                      {"age_days", "30.5"})),
                       20, EPS);
    /* 199.99 below (0); "lots" is not a number (0); -1 <= 30 (3): 3. */
    cr_expect_float_eq(lead(&f, ATTRS({"employees", "199.99"}, {"revenue", "lots"},
                                      {"age_days", "-1"})),
                       3, EPS);
    /* 5000.01 above (0); "1e6" is not a plain decimal (0); absent (0): 0. */
    cr_expect_float_eq(lead(&f, ATTRS({"employees", "5000.01"}, {"revenue", "1e6"})), 0, EPS);
    fx_release(&f);
}

Test(fit, matches_present_absent_negative_points)
{
    fx f;
    fx_init(&f, "scoring:\n"
                "  fit:\n"
                "    - {when: {email: {matches: \"@(gmail|yahoo)\\\\.\"}}, points: -10}\n"
                "    - {when: {title: {present: true}}, points: 4}\n"
                "    - {when: {phone: {absent: true}}, points: -2}\n"
                "    - {when: {company: {present: false}}, points: -6}\n");
    /* The regex ignores case (-10); title present (4); an empty phone is absent (-2);
     * company present (0): -10 + 4 - 2 = -8. */
    cr_expect_float_eq(lead(&f, ATTRS({"email", "Ann@GMAIL.com"}, {"title", "CTO"},
                                      {"phone", ""}, {"company", "Acme"})),
                       -8, EPS);
    /* No match (0); no title (0); phone present (0); no company (-6): -6. */
    cr_expect_float_eq(lead(&f, ATTRS({"email", "ann@acme.io"}, {"phone", "+49 30 1"})), -6,
                       EPS);
    /* Only the absent tests hold: -2 - 6 = -8. */
    cr_expect_float_eq(lead(&f, NO_ATTRS), -8, EPS);
    fx_release(&f);
}

Test(fit, all_any_not_and_several_keys)
{
    fx f;
    fx_init(&f, "scoring:\n"
                "  fit:\n"
                "    - {when: {all: [{country: {in: [DE, AT]}}, {title: {present: true}}]},"
                " points: 5}\n"
                "    - {when: {any: [{industry: {equals: fintech}},"
                " {employees: {at_least: 1000}}]}, points: 8}\n"
                "    - {when: {not: {source: {matches: partner}}}, points: 2}\n"
                "    - {when: {country: {equals: DE}, employees: {at_least: 10}}, points: 100}\n");
    /* all holds (5); any holds through employees (8); "google" does not match
     * "partner", so not holds (2); DE and 1000 >= 10 (100): 115. */
    cr_expect_float_eq(lead(&f, ATTRS({"country", "DE"}, {"title", "CTO"},
                                      {"industry", "software"}, {"employees", "1000"},
                                      {"source", "google"})),
                       115, EPS);
    /* No title: all fails (0); any holds through industry (8); "Partner-Net" matches:
     * not fails (0); country AT fails the two-key rule (0): 8. */
    cr_expect_float_eq(lead(&f, ATTRS({"country", "AT"}, {"industry", "Fintech"},
                                      {"employees", "5"}, {"source", "Partner-Net"})),
                       8, EPS);
    /* FR (0); neither fintech nor a number (0); an absent source does not match, so
     * not holds (2); DE but employees 5 < 10: both keys must hold (0): 2. */
    cr_expect_float_eq(lead(&f, ATTRS({"country", "FR"}, {"title", "x"}, {"industry", "retail"},
                                      {"employees", "n/a"})),
                       2, EPS);
    cr_expect_float_eq(lead(&f, ATTRS({"country", "DE"}, {"employees", "5"},
                                      {"source", "partner"})),
                       0, EPS);
    fx_release(&f);
}

/* ---- grades ------------------------------------------------------------------------- */

Test(grades, default_cutoffs_and_grade_below)
{
    fx f;
    fx_init(&f, "scoring:\n"
                "  fit:\n"
                "    - {when: {p60: {present: true}}, points: 60}\n"
                "    - {when: {p20: {present: true}}, points: 20}\n"
                "    - {when: {p19: {present: true}}, points: 19}\n"
                "    - {when: {m1: {present: true}}, points: -1}\n");
    /* Default cut-offs A 60, B 40, C 20, below C is D. */
    lead(&f, ATTRS({"p60", "y"})); /* 60 >= 60 */
    cr_expect_eq(lf_score_state_grade(f.st), 'A');
    lead(&f, ATTRS({"p60", "y"}, {"m1", "y"})); /* 59 >= 40 */
    cr_expect_eq(lf_score_state_grade(f.st), 'B');
    lead(&f, ATTRS({"p20", "y"}, {"p19", "y"})); /* 39 >= 20 */
    cr_expect_eq(lf_score_state_grade(f.st), 'C');
    lead(&f, ATTRS({"p20", "y"})); /* 20 >= 20 */
    cr_expect_eq(lf_score_state_grade(f.st), 'C');
    lead(&f, ATTRS({"p19", "y"})); /* 19 < 20 */
    cr_expect_eq(lf_score_state_grade(f.st), 'D');
    lead(&f, ATTRS({"m1", "y"})); /* -1 */
    cr_expect_eq(lf_score_state_grade(f.st), 'D');
    cr_expect_eq(lf_scoring_grade(&f.cfg.scoring, 40), 'B');
    fx_release(&f);

    /* Configured cut-offs: A 50, B 10; below B is C. */
    fx_init(&f, "scoring:\n"
                "  fit:\n"
                "    - {when: {p9: {present: true}}, points: 9}\n"
                "    - {when: {p1: {present: true}}, points: 1}\n"
                "  grades: {B: 10, A: 50}\n");
    lead(&f, ATTRS({"p9", "y"})); /* 9 < 10 */
    cr_expect_eq(lf_score_state_grade(f.st), 'C');
    lead(&f, ATTRS({"p9", "y"}, {"p1", "y"})); /* 10 >= 10 */
    cr_expect_eq(lf_score_state_grade(f.st), 'B');
    cr_expect_eq(lf_scoring_grade(&f.cfg.scoring, 50), 'A');
    fx_release(&f);
}

/* ---- the MQL rule's fixed parts (through the qualifies hook) ------------------------ */

static bool qualifies_now(fx *f, lf_attrs a, double *total)
{
    lead(f, a);
    return f->sc.qualifies(f->sc.ctx, T0, total);
}

Test(mql_rule, grade_at_least)
{
    fx f;
    double total;
    fx_init(&f, "scoring:\n"
                "  fit:\n"
                "    - {when: {p60: {present: true}}, points: 60}\n"
                "    - {when: {p40: {present: true}}, points: 40}\n"
                "    - {when: {p20: {present: true}}, points: 20}\n"
                "  mql: {grade_at_least: B}\n");
    cr_expect(qualifies_now(&f, ATTRS({"p60", "y"}), &total)); /* 60: A, better than B */
    cr_expect_float_eq(total, 60, EPS);
    cr_expect(qualifies_now(&f, ATTRS({"p40", "y"}), &total)); /* 40: B */
    cr_expect_not(qualifies_now(&f, ATTRS({"p20", "y"}), &total)); /* 20: C */
    cr_expect_not(qualifies_now(&f, NO_ATTRS, &total));            /* 0: D */
    /* grade_at_least = the letter below every cut-off (the YAML cannot say it, the
     * struct can): every grade holds, also D. */
    f.cfg.scoring.mql.grade_at_least = f.cfg.scoring.grade_below;
    cr_expect(qualifies_now(&f, NO_ATTRS, &total));
    fx_release(&f);
}

Test(mql_rule, fit_total_engagement_thresholds)
{
    fx f;
    double total;
    fx_init(&f, "scoring:\n"
                "  fit:\n"
                "    - {when: {p20: {present: true}}, points: 20}\n"
                "    - {when: {p5: {present: true}}, points: 5}\n"
                "  engagement:\n"
                "    - {type: download, points: 10}\n"
                "  mql: {fit_at_least: 20, engagement_at_least: 10, total_at_least: 35}\n");
    /* fit 25, engagement 0: engagement fails. */
    cr_expect_not(qualifies_now(&f, ATTRS({"p20", "y"}, {"p5", "y"}), &total));
    cr_expect_float_eq(total, 25, EPS);
    /* fit 25 + one download (10) = 35: every threshold holds. */
    feed(&f, T0, "download", NULL);
    cr_expect(f.sc.qualifies(f.sc.ctx, T0, &total));
    cr_expect_float_eq(total, 35, EPS);
    /* fit 20 + 10 = 30 < 35: total fails. */
    lead(&f, ATTRS({"p20", "y"}));
    feed(&f, T0, "download", NULL);
    cr_expect_not(f.sc.qualifies(f.sc.ctx, T0, &total));
    cr_expect_float_eq(total, 30, EPS);
    /* fit 5 < 20, with 3 downloads: 5 + 30 = 35 but fit fails. */
    lead(&f, ATTRS({"p5", "y"}));
    for (int i = 0; i < 3; i++)
        feed(&f, T0, "download", NULL);
    cr_expect_not(f.sc.qualifies(f.sc.ctx, T0, &total));
    cr_expect_float_eq(total, 35, EPS);
    fx_release(&f);
}

Test(mql_rule, required_attributes)
{
    fx f;
    double total;
    fx_init(&f, "scoring:\n"
                "  mql: {require: [email, company, Country]}\n");
    /* email is always required and checked by the lifecycle engine: config keeps the
     * others, lower-cased. */
    cr_assert_eq(f.cfg.scoring.mql.nrequire, 2);
    cr_expect(qualifies_now(&f, ATTRS({"company", "Acme"}, {"country", "DE"}), &total));
    cr_expect(lf_score_state_has_required(f.st));
    cr_expect_not(qualifies_now(&f, ATTRS({"company", "Acme"}), &total));
    cr_expect_not(lf_score_state_has_required(f.st));
    /* An empty cell is absent. */
    cr_expect_not(qualifies_now(&f, ATTRS({"company", ""}, {"country", "DE"}), &total));
    /* `email` listed in the struct is checked like any other attribute. */
    char *saved = f.cfg.scoring.mql.require[0];
    char email[] = "email";
    f.cfg.scoring.mql.require[0] = email;
    cr_expect_not(qualifies_now(&f, ATTRS({"country", "DE"}), &total));
    cr_expect(qualifies_now(&f, ATTRS({"email", "a@b.c"}, {"country", "DE"}), &total));
    f.cfg.scoring.mql.require[0] = saved;
    fx_release(&f);
}

Test(mql_rule, no_thresholds_holds_for_every_lead)
{
    /* SPEC §4: "all of its configured thresholds": with none configured, the rule
     * holds (the lifecycle engine still requires an email). */
    fx f;
    double total;
    fx_init(&f, "scoring:\n"
                "  fit:\n"
                "    - {when: {p5: {present: true}}, points: 5}\n");
    cr_expect(qualifies_now(&f, NO_ATTRS, &total));
    cr_expect_float_eq(total, 0, EPS);
    fx_release(&f);
}

Test(model, no_scoring_section_is_no_model)
{
    lf_config cfg;
    lf_error err = {0};
    const char *y = "timezone: UTC\n";
    cr_assert_eq(lf_config_load_buffer(&cfg, "leadflow.yaml", y, strlen(y), &err), LF_OK);
    static char dummy;
    lf_scoring_model *m = (lf_scoring_model *)(void *)&dummy; /* must be overwritten */
    cr_expect_eq(lf_scoring_model_new(&cfg, &m, &err), LF_OK);
    cr_expect_null(m);
    cr_expect_null(lf_score_state_new(NULL));
    lf_scoring_model_free(NULL);
    lf_score_state_free(NULL);
    lf_config_release(&cfg);
}

/* ---- engagement: rule matching ------------------------------------------------------ */

Test(engagement, type_and_detail_matching)
{
    fx f;
    fx_init(&f, "scoring:\n"
                "  engagement:\n"
                "    - {type: page_view, detail: {matches: \"/pricing\"}, points: 10}\n"
                "    - {type: Page_View, points: 1}\n"
                "    - {type: form_submit, detail: {absent: true}, points: 3}\n");
    lead(&f, NO_ATTRS);
    feed(&f, T0, "page_view", "/pricing"); /* both page_view rules: 10 + 1 */
    feed(&f, T0, "page_view", "/blog");    /* 1 */
    feed(&f, T0, "page_view", NULL);       /* no detail: the matches rule fails: 1 */
    feed(&f, T0, "PAGE_VIEW", "/PRICING/enterprise"); /* type and regex ignore case: 11 */
    feed(&f, T0, "page_views", "/pricing");           /* another type: 0 */
    feed(&f, T0, "page_vie", "/pricing");             /* a prefix is another type: 0 */
    feed(&f, T0, "form_submit", NULL);                /* detail absent: 3 */
    feed(&f, T0, "form_submit", "");                  /* empty = absent: 3 */
    feed(&f, T0, "form_submit", "contact");           /* 0 */
    feed(&f, T0, "email_open", NULL);                 /* no rule: 0 */
    /* 11 + 1 + 1 + 11 + 3 + 3 = 30 */
    cr_expect_float_eq(eng(&f, T0), 30, EPS);
    /* One award per matching rule and event: 2 + 1 + 1 + 2 + 1 + 1 = 8. */
    size_t n;
    const lf_award *aw = lf_score_state_awards(f.st, &n);
    cr_assert_eq(n, 8);
    cr_expect_eq(aw[0].event, 0);
    cr_expect_eq(aw[0].rule, 0);
    cr_expect_eq(aw[1].event, 0);
    cr_expect_eq(aw[1].rule, 1);
    cr_expect_eq(aw[2].event, 1);
    cr_expect_eq(aw[2].rule, 1);
    cr_expect_eq(aw[6].event, 6);
    cr_expect_eq(aw[6].rule, 2);
    cr_expect_eq(aw[7].event, 7);
    fx_release(&f);
}

/* ---- engagement: caps ---------------------------------------------------------------- */

static const char *const per_day_yaml = "scoring:\n"
                                        "  engagement:\n"
                                        "    - {type: page_view, points: 10, max_per_day: 10}\n";

Test(caps, max_per_day_uses_the_workspace_zone)
{
    fx f;
    char yaml[512];
    snprintf(yaml, sizeof yaml, "timezone: Europe/Berlin\n%s", per_day_yaml);
    fx_init(&f, yaml);
    /* 23:30 and 00:30 Berlin time (UTC+1 in January) on consecutive local days are
     * 22:30Z and 23:30Z of the same UTC day: two local days, 10 + 10 = 20. */
    lead(&f, NO_ATTRS);
    feed(&f, ts("2026-01-05T23:30:00+01:00"), "page_view", NULL);
    feed(&f, ts("2026-01-06T00:30:00+01:00"), "page_view", NULL);
    cr_expect_float_eq(eng(&f, ts("2026-01-06T00:30:00+01:00")), 20, EPS);
    expect_awarded(&f, (const double[]){10, 10}, 2);
    /* 00:30 and 01:30 on 7 January, Berlin, are 23:30Z on the 6th and 00:30Z on the
     * 7th: two UTC days but one local day, so the second is cut to 0: 10. */
    lead(&f, NO_ATTRS);
    feed(&f, ts("2026-01-07T00:30:00+01:00"), "page_view", NULL);
    feed(&f, ts("2026-01-07T01:30:00+01:00"), "page_view", NULL);
    cr_expect_float_eq(eng(&f, ts("2026-01-07T01:30:00+01:00")), 10, EPS);
    expect_awarded(&f, (const double[]){10, 0}, 2);
    fx_release(&f);

    /* The same instants in a UTC workspace: the first pair is one day (10 + 0), the
     * second pair two days (10 + 10). */
    fx_init(&f, per_day_yaml);
    lead(&f, NO_ATTRS);
    feed(&f, ts("2026-01-05T23:30:00+01:00"), "page_view", NULL);
    feed(&f, ts("2026-01-06T00:30:00+01:00"), "page_view", NULL);
    expect_awarded(&f, (const double[]){10, 0}, 2);
    lead(&f, NO_ATTRS);
    feed(&f, ts("2026-01-07T00:30:00+01:00"), "page_view", NULL);
    feed(&f, ts("2026-01-07T01:30:00+01:00"), "page_view", NULL);
    expect_awarded(&f, (const double[]){10, 10}, 2);
    fx_release(&f);
}

Test(caps, max_per_day_across_a_dst_change)
{
    fx f;
    char yaml[512];
    snprintf(yaml, sizeof yaml, "timezone: Europe/Berlin\n%s", per_day_yaml);
    fx_init(&f, yaml);
    /* 29 March 2026: clocks go 02:00 -> 03:00, the local day is 23 hours long.
     * 00:30+01:00 and 23:30+02:00 are one local day (10 + 0); 00:10+02:00 on the 30th
     * is the next (10). */
    lead(&f, NO_ATTRS);
    feed(&f, ts("2026-03-29T00:30:00+01:00"), "page_view", NULL);
    feed(&f, ts("2026-03-29T23:30:00+02:00"), "page_view", NULL);
    feed(&f, ts("2026-03-30T00:10:00+02:00"), "page_view", NULL);
    expect_awarded(&f, (const double[]){10, 0, 10}, 3);
    fx_release(&f);
}

Test(caps, max_per_day_cuts_partly)
{
    fx f;
    fx_init(&f, "scoring:\n"
                "  engagement:\n"
                "    - {type: page_view, points: 15, max_per_day: 20}\n");
    lead(&f, NO_ATTRS);
    feed(&f, AT(1), "page_view", NULL);  /* 15 (given today: 15) */
    feed(&f, AT(2), "page_view", NULL);  /* min(15, 20 - 15) = 5 */
    feed(&f, AT(3), "page_view", NULL);  /* 0 */
    feed(&f, AT(25), "page_view", NULL); /* next day: 15 */
    feed(&f, AT(26), "page_view", NULL); /* 5 */
    expect_awarded(&f, (const double[]){15, 5, 0, 15, 5}, 5);
    cr_expect_float_eq(eng(&f, AT(26)), 40, EPS); /* 15 + 5 + 0 + 15 + 5 */
    size_t n;
    const lf_award *aw = lf_score_state_awards(f.st, &n);
    cr_expect_float_eq(aw[1].points, 15, EPS); /* the rule's points are kept */
    fx_release(&f);
}

Test(caps, max_total_cuts_partly)
{
    fx f;
    fx_init(&f, "scoring:\n"
                "  engagement:\n"
                "    - {type: email_open, points: 4, max_total: 10}\n"
                "    - {type: download, points: 15, max_per_day: 20, max_total: 25}\n");
    lead(&f, NO_ATTRS);
    feed(&f, AT(1), "email_open", NULL);  /* 4 (total 4) */
    feed(&f, AT(2), "email_open", NULL);  /* 4 (total 8) */
    feed(&f, AT(3), "email_open", NULL);  /* min(4, 10 - 8) = 2 */
    feed(&f, AT(4), "email_open", NULL);  /* 0 */
    feed(&f, AT(5), "download", NULL);    /* 15 (day 15, total 15) */
    feed(&f, AT(6), "download", NULL);    /* min(15, 20 - 15, 25 - 15) = 5 */
    feed(&f, AT(29), "download", NULL);   /* next day: min(15, 20, 25 - 20) = 5 */
    feed(&f, AT(53), "download", NULL);   /* min(15, 20, 0) = 0 */
    expect_awarded(&f, (const double[]){4, 4, 2, 0, 15, 5, 5, 0}, 8);
    cr_expect_float_eq(eng(&f, AT(53)), 35, EPS); /* 10 + 25, no decay */
    fx_release(&f);
}

Test(caps, negative_points_are_never_capped)
{
    fx f;
    fx_init(&f, "scoring:\n"
                "  engagement:\n"
                "    - {type: unsubscribe, points: -5, max_per_day: 3, max_total: 3}\n"
                "    - {type: nothing, points: 0, max_total: 1}\n");
    lead(&f, NO_ATTRS);
    feed(&f, AT(1), "unsubscribe", NULL);
    feed(&f, AT(2), "unsubscribe", NULL);
    feed(&f, AT(3), "unsubscribe", NULL);
    feed(&f, AT(4), "nothing", NULL);
    expect_awarded(&f, (const double[]){-5, -5, -5, 0}, 4);
    cr_expect_float_eq(eng(&f, AT(4)), -15, EPS);
    fx_release(&f);
}

Test(caps, reset_after_restart)
{
    fx f;
    fx_init(&f, "scoring:\n"
                "  engagement:\n"
                "    - {type: email_open, points: 4, max_total: 6}\n"
                "    - {type: page_view, points: 10, max_per_day: 10}\n");
    lead(&f, NO_ATTRS);
    feed(&f, AT(1), "email_open", NULL); /* 4 */
    feed(&f, AT(2), "email_open", NULL); /* 2: total cap 6 reached */
    feed(&f, AT(3), "page_view", NULL);  /* 10: day cap reached */
    feed(&f, AT(4), "page_view", NULL);  /* 0 */
    cr_expect_float_eq(eng(&f, AT(4)), 16, EPS);
    cr_expect_eq(lf_score_state_epoch(f.st), 0);
    f.sc.restart(f.sc.ctx, AT(5));
    cr_expect_eq(lf_score_state_epoch(f.st), 1);
    cr_expect_float_eq(eng(&f, AT(5)), 0, EPS);
    /* Same local day, but every counter is back at 0: 4 and 10 again. */
    feed(&f, AT(6), "email_open", NULL);
    feed(&f, AT(7), "page_view", NULL);
    cr_expect_float_eq(eng(&f, AT(7)), 14, EPS);
    expect_awarded(&f, (const double[]){4, 2, 10, 0, 4, 10}, 6);
    size_t n;
    const lf_award *aw = lf_score_state_awards(f.st, &n);
    cr_expect_eq(aw[3].epoch, 0);
    cr_expect_eq(aw[4].epoch, 1);
    cr_expect_eq(aw[5].epoch, 1);
    fx_release(&f);
}

/* ---- engagement: decay ----------------------------------------------------------------- */

Test(decay, half_life_30d)
{
    fx f;
    fx_init(&f, "scoring:\n"
                "  engagement:\n"
                "    - {type: download, points: 20}\n"
                "  decay: {half_life: 30d}\n");
    lead(&f, NO_ATTRS);
    cr_expect_float_eq(eng(&f, T0), 0, EPS); /* nothing fed yet */
    feed(&f, T0, "download", NULL);
    cr_expect_float_eq(eng(&f, T0), 20, EPS);
    cr_expect_float_eq(eng(&f, T0 + DAYS(30)), 10, EPS);           /* 20 * 0.5 */
    cr_expect_float_eq(eng(&f, T0 + DAYS(60)), 5, EPS);            /* 20 * 0.25 */
    cr_expect_float_eq(eng(&f, T0 + DAYS(15)), 14.142135623730951, /* 20 * 2^-0.5 */
                       EPS);
    /* A second download 30 days later: 20 * 0.5 + 20 = 30; 30 more days: 15. */
    feed(&f, T0 + DAYS(30), "download", NULL);
    cr_expect_float_eq(eng(&f, T0 + DAYS(30)), 30, EPS);
    cr_expect_float_eq(eng(&f, T0 + DAYS(60)), 15, EPS);
    /* 90 days after the first: 20 * 2^-3 + 20 * 2^-2 = 2.5 + 5 = 7.5. */
    cr_expect_float_eq(eng(&f, T0 + DAYS(90)), 7.5, EPS);
    /* Caps apply before decay, decay applies to the award: see caps tests. */
    fx_release(&f);

    /* Without decay points keep their value. */
    fx_init(&f, "scoring:\n"
                "  engagement:\n"
                "    - {type: download, points: 20}\n");
    lead(&f, NO_ATTRS);
    feed(&f, T0, "download", NULL);
    cr_expect_float_eq(eng(&f, T0 + DAYS(365)), 20, EPS);
    fx_release(&f);
}

Test(decay, capped_award_decays)
{
    fx f;
    fx_init(&f, "scoring:\n"
                "  engagement:\n"
                "    - {type: webinar, points: 30, max_total: 40}\n"
                "  decay: {half_life: 10d}\n");
    lead(&f, NO_ATTRS);
    feed(&f, T0, "webinar", NULL);            /* 30 */
    feed(&f, T0 + DAYS(10), "webinar", NULL); /* cut to 10 before decay */
    /* At T0 + 10d: 30 * 0.5 + 10 = 25; at T0 + 20d: 12.5. */
    cr_expect_float_eq(eng(&f, T0 + DAYS(10)), 25, EPS);
    cr_expect_float_eq(eng(&f, T0 + DAYS(20)), 12.5, EPS);
    fx_release(&f);
}

/* ---- the MQL rule through lf_lifecycle_replay --------------------------------------- */

static const char *const mql30_yaml = "scoring:\n"
                                      "  fit:\n"
                                      "    - {when: {company: {present: true}}, points: 10}\n"
                                      "  engagement:\n"
                                      "    - {type: page_view, points: 10}\n"
                                      "    - {type: download, points: 25}\n"
                                      "  mql: {engagement_at_least: 30}\n";

Test(mql, first_moment_is_the_crossing_activity)
{
    fx f;
    fx_init(&f, mql30_yaml);
    evlist l = {0};
    add(&l, AT(1), "page_view");            /* 10 */
    add(&l, AT(2), "page_view");            /* 20 */
    int32_t d = add(&l, AT(3), "download"); /* 45 >= 30: MQL at 3h */
    add(&l, AT(4), "page_view");            /* already mql: no new handoff */
    replay(&f, &l, T0, true, ATTRS({"company", "Acme"}));
    cr_assert_eq(f.ls.nhandoffs, 1);
    /* score = fit 10 + engagement 45 = 55 */
    expect_handoff(&f, 0, AT(3), LF_CAUSE_SCORE, d, 55);
    cr_expect_eq(f.ls.stage, LF_STAGE_MQL);

    /* The same events in another input order replay the same. */
    evlist r = {0};
    add(&r, AT(4), "page_view");
    add(&r, AT(3), "download");
    add(&r, AT(2), "page_view");
    add(&r, AT(1), "page_view");
    for (size_t i = 0; i < r.n; i++)
        r.ev[i].seq = 100 * (int64_t)(r.n - i);
    replay(&f, &r, T0, true, ATTRS({"company", "Acme"}));
    expect_handoff(&f, 0, AT(3), LF_CAUSE_SCORE, 1, 55);
    fx_release(&f);
}

Test(mql, decayed_sum_reaches_the_threshold_exactly)
{
    fx f;
    fx_init(&f, "scoring:\n"
                "  engagement:\n"
                "    - {type: page_view, points: 10}\n"
                "  decay: {half_life: 1h}\n"
                "  mql: {engagement_at_least: 15}\n");
    /* 1h and 3h: 10 * 0.25 + 10 = 12.5 < 15. 4h: 12.5 * 0.5 + 10 = 16.25 >= 15. */
    evlist l = {0};
    add(&l, AT(1), "page_view");
    add(&l, AT(3), "page_view");
    int32_t q = add(&l, AT(4), "page_view");
    replay(&f, &l, T0, true, NO_ATTRS);
    cr_assert_eq(f.ls.nhandoffs, 1);
    expect_handoff(&f, 0, AT(4), LF_CAUSE_SCORE, q, 16.25);
    /* 1h and 2h: 10 * 0.5 + 10 = 15, exactly the threshold: MQL at 2h. */
    evlist m = {0};
    add(&m, AT(1), "page_view");
    q = add(&m, AT(2), "page_view");
    replay(&f, &m, T0, true, NO_ATTRS);
    cr_assert_eq(f.ls.nhandoffs, 1);
    expect_handoff(&f, 0, AT(2), LF_CAUSE_SCORE, q, 15);
    fx_release(&f);
}

Test(mql, activities_before_created_at_qualify_at_created_at)
{
    fx f;
    fx_init(&f, mql30_yaml);
    evlist l = {0};
    add(&l, AT(-2), "download");  /* 25: scored at its own time */
    add(&l, AT(-1), "page_view"); /* 35, but the lead does not exist yet */
    add(&l, AT(1), "page_view");
    replay(&f, &l, T0, true, NO_ATTRS);
    cr_assert_eq(f.ls.nhandoffs, 1);
    /* At created_at: fit 0 + 35, open_event -1. */
    expect_handoff(&f, 0, T0, LF_CAUSE_SCORE, -1, 35);

    /* An activity at exactly created_at is a scoring moment at created_at in its
     * turn: 25 (before) + 10 (at T0) = 35, MQL at T0 opened by that activity. */
    evlist m = {0};
    add(&m, AT(-2), "download");
    int32_t pv = add(&m, T0, "page_view");
    replay(&f, &m, T0, true, NO_ATTRS);
    cr_assert_eq(f.ls.nhandoffs, 1);
    expect_handoff(&f, 0, T0, LF_CAUSE_SCORE, pv, 35);
    fx_release(&f);
}

/* SPEC §4: engagement at t sums every activity at or before t. A download (25) and an
 * unsubscribe (-20) at the same instant give 5 at that instant: no MQL, although the
 * download alone would have reached 30 with the page view before it (10 + 25 = 35). */
Test(mql, same_instant_activities_count_together)
{
    fx f;
    fx_init(&f, "scoring:\n"
                "  engagement:\n"
                "    - {type: page_view, points: 10}\n"
                "    - {type: download, points: 25}\n"
                "    - {type: unsubscribe, points: -20}\n"
                "  mql: {engagement_at_least: 30}\n");
    evlist l = {0};
    add(&l, AT(1), "page_view"); /* 10 */
    add(&l, AT(2), "download");  /* with the next: 10 + 25 - 20 = 15 at 2h */
    add(&l, AT(2), "unsubscribe");
    replay(&f, &l, T0, true, NO_ATTRS);
    cr_assert_eq(f.ls.nhandoffs, 0);
    fx_release(&f);
}

/* SPEC §3: events at one instant apply in import order, at created_at too. At T0: an
 * `mql` event opens a handoff (score 0), `rejected` closes it and restarts engagement,
 * then a page view (10, after the restart) is a scoring moment: 10 >= 10, a second
 * handoff at T0 opened by the page view. */
Test(mql, created_at_events_in_import_order)
{
    fx f;
    fx_init(&f, "scoring:\n"
                "  engagement:\n"
                "    - {type: page_view, points: 10}\n"
                "  mql: {engagement_at_least: 10}\n");
    evlist l = {0};
    add(&l, T0, "mql");
    add(&l, T0, "rejected");
    int32_t pv = add(&l, T0, "page_view");
    replay(&f, &l, T0, true, NO_ATTRS);
    cr_assert_eq(f.ls.nhandoffs, 2);
    expect_handoff(&f, 0, T0, LF_CAUSE_EVENT, 0, 0);
    cr_assert_eq(f.ls.handoffs[0].outcome, LF_OUTCOME_REJECTED);
    expect_handoff(&f, 1, T0, LF_CAUSE_SCORE, pv, 10);
    cr_assert_eq(f.ls.stage, LF_STAGE_MQL);
    fx_release(&f);
}

Test(mql, rejected_lead_requalifies_only_through_new_activity)
{
    fx f;
    fx_init(&f, mql30_yaml);
    evlist l = {0};
    int32_t d1 = add(&l, AT(1), "download"); /* 25 */
    int32_t p1 = add(&l, AT(2), "page_view"); /* 35: MQL at 2h, score 35 */
    add(&l, AT(3), "rejected");               /* recycled; engagement restarts at 0 */
    int32_t p2 = add(&l, AT(4), "page_view"); /* 10 (without the restart 45: MQL here) */
    int32_t p3 = add(&l, AT(5), "page_view"); /* 20 */
    int32_t p4 = add(&l, AT(6), "page_view"); /* 30: MQL at 6h, score 30 */
    replay(&f, &l, T0, true, NO_ATTRS);
    cr_assert_eq(f.ls.nhandoffs, 2);
    expect_handoff(&f, 0, AT(2), LF_CAUSE_SCORE, p1, 35);
    cr_expect_eq(f.ls.handoffs[0].outcome, LF_OUTCOME_REJECTED);
    expect_handoff(&f, 1, AT(6), LF_CAUSE_SCORE, p4, 30);
    cr_expect_eq(lf_score_state_epoch(f.st), 1);
    size_t n;
    const lf_award *aw = lf_score_state_awards(f.st, &n);
    cr_assert_eq(n, 5);
    cr_expect_eq(aw[0].event, d1);
    cr_expect_eq(aw[0].epoch, 0);
    cr_expect_eq(aw[1].epoch, 0);
    cr_expect_eq(aw[2].event, p2);
    cr_expect_eq(aw[2].epoch, 1);
    cr_expect_eq(aw[3].event, p3);
    fx_release(&f);
}

Test(mql, lifecycle_events_are_not_qualification_moments)
{
    fx f;
    fx_init(&f, "scoring:\n"
                "  fit:\n"
                "    - {when: {company: {present: true}}, points: 10}\n"
                "  mql: {fit_at_least: 10}\n");
    /* Fit alone qualifies: MQL at created_at. After the rejection the rule still holds,
     * but `contacted` is no moment; the next activity (worth 0 points) is. */
    evlist l = {0};
    add(&l, AT(1), "rejected");
    add(&l, AT(2), "contacted");
    int32_t v = add(&l, AT(3), "video_view");
    replay(&f, &l, T0, true, ATTRS({"company", "Acme"}));
    cr_assert_eq(f.ls.nhandoffs, 2);
    expect_handoff(&f, 0, T0, LF_CAUSE_SCORE, -1, 10);
    expect_handoff(&f, 1, AT(3), LF_CAUSE_SCORE, v, 10);
    fx_release(&f);
}

Test(mql, lead_that_never_qualifies)
{
    fx f;
    fx_init(&f, mql30_yaml);
    evlist l = {0};
    add(&l, AT(1), "page_view"); /* 10 */
    add(&l, AT(2), "page_view"); /* 20 */
    add(&l, AT(3), "webinar");   /* no rule: 20 */
    replay(&f, &l, T0, true, ATTRS({"company", "Acme"}));
    cr_expect_eq(f.ls.nhandoffs, 0);
    cr_expect_eq(f.ls.stage, LF_STAGE_LEAD);
    cr_expect_float_eq(eng(&f, AT(3)), 20, EPS);
    fx_release(&f);
}

Test(mql, lead_without_email_never_qualifies)
{
    fx f;
    fx_init(&f, mql30_yaml);
    evlist l = {0};
    add(&l, AT(1), "download");
    add(&l, AT(2), "download"); /* 50 >= 30, but no email */
    replay(&f, &l, T0, false, NO_ATTRS);
    cr_expect_eq(f.ls.nhandoffs, 0);
    cr_expect_eq(f.ls.stage, LF_STAGE_LEAD);
    fx_release(&f);
}

Test(mql, required_attribute_missing_never_qualifies)
{
    fx f;
    fx_init(&f, "scoring:\n"
                "  engagement:\n"
                "    - {type: download, points: 25}\n"
                "  mql: {engagement_at_least: 30, require: [company]}\n");
    evlist l = {0};
    add(&l, AT(1), "download");
    int32_t d = add(&l, AT(2), "download"); /* 50 */
    replay(&f, &l, T0, true, ATTRS({"email", "a@b.c"}, {"company", ""}));
    cr_expect_eq(f.ls.nhandoffs, 0);
    replay(&f, &l, T0, true, ATTRS({"email", "a@b.c"}, {"company", "Acme"}));
    cr_assert_eq(f.ls.nhandoffs, 1);
    expect_handoff(&f, 0, AT(2), LF_CAUSE_SCORE, d, 50);
    fx_release(&f);
}

Test(mql, handoff_score_of_an_mql_event_is_the_total_at_mql_at)
{
    fx f;
    fx_init(&f, "scoring:\n"
                "  fit:\n"
                "    - {when: {company: {present: true}}, points: 5}\n"
                "  engagement:\n"
                "    - {type: download, points: 20}\n"
                "  decay: {half_life: 30d}\n"
                "  mql: {engagement_at_least: 100}\n");
    /* 20 points 30 days before the `mql` event are worth 10: score 5 + 10 = 15. */
    evlist l = {0};
    add(&l, T0, "download");
    int32_t q = add(&l, T0 + DAYS(30), "mql");
    replay(&f, &l, T0, true, ATTRS({"company", "Acme"}));
    cr_assert_eq(f.ls.nhandoffs, 1);
    expect_handoff(&f, 0, T0 + DAYS(30), LF_CAUSE_EVENT, q, 15);
    fx_release(&f);
}

/* ---- explanations and reuse ------------------------------------------------------------ */

Test(explain, records_and_reuse)
{
    fx f;
    fx_init(&f, "scoring:\n"
                "  fit:\n"
                "    - {when: {a: {present: true}}, points: 1}\n"
                "    - {when: {b: {present: true}}, points: 2}\n"
                "    - {when: {c: {present: true}}, points: -4}\n"
                "  engagement:\n"
                "    - {type: page_view, points: 3, max_total: 5}\n");
    lead(&f, ATTRS({"a", "y"}, {"c", "y"}));
    size_t n;
    const lf_fit_hit *h = lf_score_state_fit_hits(f.st, &n);
    cr_assert_eq(n, 2); /* rules 0 and 2, in rule order */
    cr_expect_eq(h[0].rule, 0);
    cr_expect_float_eq(h[0].points, 1, EPS);
    cr_expect_eq(h[1].rule, 2);
    cr_expect_float_eq(h[1].points, -4, EPS);
    cr_expect_float_eq(lf_score_state_fit(f.st), -3, EPS); /* 1 - 4 */
    feed(&f, AT(1), "page_view", NULL);
    feed(&f, AT(2), "page_view", NULL);
    const lf_award *aw = lf_score_state_awards(f.st, &n);
    cr_assert_eq(n, 2);
    cr_expect_eq(aw[1].event, 1);
    cr_expect_eq(aw[1].ts, AT(2));
    cr_expect_eq(aw[1].rule, 0);
    cr_expect_float_eq(aw[1].points, 3, EPS);
    cr_expect_float_eq(aw[1].awarded, 2, EPS); /* 5 - 3 */
    cr_expect_eq(aw[1].epoch, 0);
    cr_expect(lf_score_state_explain_complete(f.st));

    /* The next lead starts from nothing: fit, caps and records (explain off). */
    lf_attrs none = NO_ATTRS;
    lf_score_state_lead(f.st, &none, false);
    cr_expect_float_eq(lf_score_state_fit(f.st), 0, EPS);
    cr_expect_eq(lf_score_state_grade(f.st), 'D');
    feed(&f, AT(3), "page_view", NULL); /* 3 again: max_total counts per lead */
    cr_expect_float_eq(eng(&f, AT(3)), 3, EPS);
    lf_score_state_fit_hits(f.st, &n);
    cr_expect_eq(n, 0);
    lf_score_state_awards(f.st, &n);
    cr_expect_eq(n, 0);

    /* Many awards: the list grows and keeps every one. */
    lead(&f, NO_ATTRS);
    for (int i = 0; i < 1000; i++)
        feed(&f, AT(i), "page_view", NULL);
    aw = lf_score_state_awards(f.st, &n);
    cr_assert_eq(n, 1000);
    cr_expect_eq(aw[999].event, 999);
    cr_expect_float_eq(aw[999].awarded, 0, EPS);
    cr_expect_float_eq(eng(&f, AT(999)), 5, EPS); /* 3 + 2 */
    fx_release(&f);
}
