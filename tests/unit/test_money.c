/*
 * test_money.c — the `cost` and `bizday` reports and the planner (SPEC §5, §6) on
 * small datasets built by hand.
 *
 * The workspace: zone Europe/Berlin (CET = UTC+1 until Sunday 2026-03-29, CEST after),
 * calendar Mon-Fri 09:00-17:00 with holidays 2026-01-01, 2026-04-03 (Good Friday) and
 * 2026-12-25. Timestamps are Berlin wall times (B(y, m, d, h, min)). Business days
 * used below (weekdays minus holidays):
 *   2025-12: Dec 1 is a Monday: 1-5, 8-12, 15-19, 22-26, 29-31 = 23 (2025-12-25 is not
 *            a holiday in this calendar)
 *   2026-01: Thu 1, Fri 2, then 5-9, 12-16, 19-23, 26-30 = 22 weekdays - Jan 1 = 21
 *   2026-02: Feb 1 is a Sunday, 28 days = 4 whole weeks = 20
 *   2026-04: Wed 1 - Fri 3, 6-10, 13-17, 20-24, 27-30 = 22 weekdays - Apr 3 = 21
 *   2026-05: Fri 1, 4-8, 11-15, 18-22, 25-29 = 21 (May 1 is not a holiday here)
 *   2026-06: Jun 1 is a Monday: 1-5, 8-12, 15-19, 22-26, 29-30 = 22
 * Every expected number is derived by hand in the comment next to it.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ds_fixture.h"
#include "leadflow/plan.h"
#include "leadflow/report.h"

static void setup(void)
{
    ds_setup_config(true);
    ds_setup_dataset(true);
}

TestSuite(money, .init = setup, .fini = ds_teardown);

/* ---- building datasets ---------------------------------------------------------------- */

static void lead(lf_time created, const char *channel)
{
    ds_lead(created, 0, name(channel), 0);
}

static void won(lf_time ts, double revenue)
{
    go(ts, LF_STAGE_CUSTOMER);
    ds.leads[ds.nleads - 1].revenue = revenue;
}

static void ho(lf_time mql_at, lf_time decided_at, lf_outcome outcome)
{
    ds_handoff(mql_at, decided_at, outcome, NONE, 0);
}

/* Spend of a month (day = 0) or a day. */
static void spend(int y, int m, int d, const char *channel, double v)
{
    amount_on(ds.costs, &ds.ncosts, y, m, d, channel, v);
}

static void visitors(int y, int m, int d, double n)
{
    amount_on(ds.traffic, &ds.ntraffic, y, m, d, "all", n);
}

/* ---- reading tables -------------------------------------------------------------------- */

/* A key of an object cell: a number (want) or null (is_null). */
static void obj_num(lf_table *t, long row, const char *n, const char *key, double want)
{
    lf_cell *c = cell(t, row, n);
    cr_assert_eq(c->kind, LF_CELL_OBJ, "row %ld %s: not an object", row, n);
    for (size_t i = 0; i < c->obj->n; i++)
        if (strcmp(c->obj->keys[i], key) == 0) {
            cr_assert_eq(c->obj->vals[i].kind, LF_CELL_NUM, "%s.%s: not a number", n, key);
            cr_assert(fabs(c->obj->vals[i].num - want) < EPS, "%s.%s: %.12g, want %.12g", n,
                      key, c->obj->vals[i].num, want);
            return;
        }
    cr_assert_fail("%s: no key '%s'", n, key);
}

static void obj_null(lf_table *t, long row, const char *n, const char *key)
{
    lf_cell *c = cell(t, row, n);
    cr_assert_eq(c->kind, LF_CELL_OBJ, "row %ld %s: not an object", row, n);
    for (size_t i = 0; i < c->obj->n; i++)
        if (strcmp(c->obj->keys[i], key) == 0) {
            cr_assert_eq(c->obj->vals[i].kind, LF_CELL_NULL, "%s.%s: not null", n, key);
            return;
        }
    cr_assert_fail("%s: no key '%s'", n, key);
}

/* ---- cost: spreading spend -------------------------------------------------------------
 * 2026-01 paid_search 3100 over 31 days = 100/day; 2026-02 social 56 over 28 days =
 * 2/day; 2026-04 paid_search 300 over 30 days = 10/day; 2026-01-15 (a day row,
 * unattributed `all`) 50. No leads. as-of 2026-06-01, after all of it. */
static void spread_data(void)
{
    spend(2026, 1, 0, "paid_search", 3100);
    spend(2026, 2, 0, "social", 56);
    spend(2026, 4, 0, "paid_search", 300);
    spend(2026, 1, 15, "all", 50);
}

Test(money, cost_spreads_months_over_31_28_30_days)
{
    spread_data();
    lf_time as_of = B(2026, 6, 1, 0, 0);
    static const char *const cols[] = {"period",       "cost",          "leads",
                                       "mqls",         "sqls",          "cost_per_lead",
                                       "cost_per_mql", "cost_per_sql",  "lag_days",
                                       "lagged_cost",  "lagged_cost_per_sql"};

    /* weeks across the Jan/Feb boundary: week of Mon 01-26 = Jan 26..31 (6 x 100) +
     * Feb 1 (2) = 602; week of 02-02 = Feb 2..8 = 7 x 2 = 14; total 616 */
    lf_table *t = run(lf_report_cost, D(2026, 1, 26), D(2026, 2, 9), LF_BY_WEEK, as_of);
    cr_assert_eq(t->ncols, 11);
    for (size_t i = 0; i < 11; i++)
        cr_assert_str_eq(t->cols[i].name, cols[i]);
    cr_assert_eq(t->cols[col(t, "cost")].type, LF_COL_MONEY);
    cr_assert_eq(t->cols[col(t, "lagged_cost_per_sql")].type, LF_COL_MONEY);
    cr_assert_eq(t->cols[col(t, "lag_days")].type, LF_COL_COUNT); /* whole days */
    cr_assert_eq(t->nrows, 2);
    text(t, 0, "period", "2026-01-26");
    num(t, 0, "cost", 602);
    num(t, 1, "cost", 14);
    num(t, -1, "cost", 616);
    /* no leads, MQLs or SQLs: every ratio is null; lag 0 (default) = lagged = cost */
    null(t, 0, "cost_per_lead");
    null(t, -1, "cost_per_mql");
    null(t, -1, "cost_per_sql");
    num(t, 0, "lag_days", 0);
    num(t, -1, "lag_days", 0);
    num(t, 0, "lagged_cost", 602);
    null(t, -1, "lagged_cost_per_sql");
    lf_table_free(t);

    /* days at the end of April (30 days: 10/day) and into May (nothing) */
    t = run(lf_report_cost, D(2026, 4, 29), D(2026, 5, 2), LF_BY_DAY, as_of);
    cr_assert_eq(t->nrows, 3);
    num(t, 0, "cost", 10);
    num(t, 1, "cost", 10);
    num(t, 2, "cost", 0);
    num(t, -1, "cost", 20);
    lf_table_free(t);

    /* a day row lands on its day only: 01-14 100, 01-15 100 + 50, 01-16 100 */
    t = run(lf_report_cost, D(2026, 1, 14), D(2026, 1, 17), LF_BY_DAY, as_of);
    num(t, 0, "cost", 100);
    num(t, 1, "cost", 150);
    num(t, 2, "cost", 100);
    num(t, -1, "cost", 350);
    lf_table_free(t);

    /* whole months: Jan 3100 + 50 = 3150; Feb 56 */
    t = run(lf_report_cost, D(2026, 1, 1), D(2026, 3, 1), LF_BY_MONTH, as_of);
    num(t, 0, "cost", 3150);
    num(t, 1, "cost", 56);
    num(t, -1, "cost", 3206);
    lf_table_free(t);
}

Test(money, cost_as_of_cuts_spend_mid_month)
{
    spread_data();
    /* as-of Jan 10 12:00: days Jan 1..10 began before it = 10 x 100 = 1000; the day
     * row of Jan 15 does not exist yet */
    lf_table *t = run(lf_report_cost, D(2026, 1, 1), D(2026, 2, 1), LF_BY_MONTH,
                      B(2026, 1, 10, 12, 0));
    num(t, 0, "cost", 1000);
    lf_table_free(t);
    /* as-of Jan 10 00:00: Jan 10 begins at as-of, not before: 9 x 100 = 900 */
    t = run(lf_report_cost, D(2026, 1, 1), D(2026, 2, 1), LF_BY_MONTH, B(2026, 1, 10, 0, 0));
    num(t, 0, "cost", 900);
    num(t, -1, "cost", 900);
    lf_table_free(t);
    /* one microsecond after Jan 15 00:00: Jan 1..15 = 1500, + the day row 50 = 1550 */
    t = run(lf_report_cost, D(2026, 1, 1), D(2026, 2, 1), LF_BY_MONTH, B(2026, 1, 15, 0, 0) + 1);
    num(t, 0, "cost", 1550);
    lf_table_free(t);
}

/* ---- cost: flow counts and lag --------------------------------------------------------
 * The spread_data spend, and
 *   A paid_search: created Jan 5 10:00, mql Jan 6 10:00 (handoff accepted Jan 7 10:00),
 *                  sql Jan 7 10:00: 2 days from creation to sql
 *   B outbound:    created Jan 20 09:00, sql (skip) Jan 23 09:00 + b_shift: 3 days
 *   C social:      created Feb 3 10:00, nothing else
 * Range Jan-Feb 2026 by month, as-of 2026-03-01 00:00. */
static void flow_data(lf_time b_shift)
{
    spread_data();
    lead(B(2026, 1, 5, 10, 0), "paid_search");
    go(B(2026, 1, 6, 10, 0), LF_STAGE_MQL);
    go(B(2026, 1, 7, 10, 0), LF_STAGE_SQL);
    ho(B(2026, 1, 6, 10, 0), B(2026, 1, 7, 10, 0), LF_OUTCOME_ACCEPTED);
    lead(B(2026, 1, 20, 9, 0), "outbound");
    go(B(2026, 1, 23, 9, 0) + b_shift, LF_STAGE_SQL);
    lead(B(2026, 2, 3, 10, 0), "social");
}

Test(money, cost_lag_auto_rounds_half_up_and_shifts_across_months)
{
    flow_data(0);
    cfg.lag_auto = true;
    lf_table *t = run(lf_report_cost, D(2026, 1, 1), D(2026, 3, 1), LF_BY_MONTH,
                      B(2026, 3, 1, 0, 0));
    /* lag: mean of 2 and 3 days = 2.5, rounded half up = 3, in every row and the total */
    num(t, 0, "lag_days", 3);
    num(t, 1, "lag_days", 3);
    num(t, -1, "lag_days", 3);
    /* Jan: cost 3150; leads A, B = 2; mqls 1 (A); sqls A, B = 2 */
    num(t, 0, "cost", 3150);
    num(t, 0, "leads", 2);
    num(t, 0, "mqls", 1);
    num(t, 0, "sqls", 2);
    num(t, 0, "cost_per_lead", 1575); /* 3150 / 2 */
    num(t, 0, "cost_per_mql", 3150);
    num(t, 0, "cost_per_sql", 1575);
    /* lagged Jan: Jan 1..31 shifted 3 days = Dec 29..Jan 28: December has no spend;
     * Jan 1..28 = 28 x 100 + the Jan 15 day row 50 = 2850; / 2 SQLs = 1425 */
    num(t, 0, "lagged_cost", 2850);
    num(t, 0, "lagged_cost_per_sql", 1425);
    /* Feb: cost 56, leads C = 1, no MQL or SQL */
    num(t, 1, "cost", 56);
    num(t, 1, "leads", 1);
    num(t, 1, "mqls", 0);
    num(t, 1, "cost_per_lead", 56);
    null(t, 1, "cost_per_mql");
    null(t, 1, "cost_per_sql");
    /* lagged Feb, across the month boundary: Feb 1..28 shifted 3 = Jan 29..Feb 25:
     * Jan 29..31 = 300, Feb 1..25 = 25 x 2 = 50 -> 350 */
    num(t, 1, "lagged_cost", 350);
    null(t, 1, "lagged_cost_per_sql");
    /* total: cost 3206, 3 leads, 1 MQL, 2 SQLs; lagged 2850 + 350 = 3200 */
    num(t, -1, "cost", 3206);
    num(t, -1, "cost_per_lead", 3206.0 / 3);
    num(t, -1, "cost_per_sql", 1603);
    num(t, -1, "lagged_cost", 3200);
    num(t, -1, "lagged_cost_per_sql", 1600);
    cr_assert(has_note(t, "lag_days 3 (auto)"));
    cr_assert(has_note(t, "spend precedes"));
    lf_table_free(t);
}

Test(money, cost_lag_auto_exact_below_half)
{
    /* B one microsecond earlier: mean = (2 d + 3 d - 1 us) / 2 = 2.5 d - 0.5 us -> 2 */
    flow_data(-1);
    cfg.lag_auto = true;
    lf_table *t = run(lf_report_cost, D(2026, 1, 1), D(2026, 3, 1), LF_BY_MONTH,
                      B(2026, 3, 1, 0, 0));
    num(t, -1, "lag_days", 2);
    lf_table_free(t);
    /* no SQL entry in the range (February only): lag 0, lagged = cost = 56 */
    t = run(lf_report_cost, D(2026, 2, 1), D(2026, 3, 1), LF_BY_MONTH, B(2026, 3, 1, 0, 0));
    num(t, 0, "lag_days", 0);
    num(t, 0, "lagged_cost", 56);
    lf_table_free(t);
}

Test(money, cost_lag_fixed)
{
    flow_data(0);
    cfg.lag_auto = false;
    cfg.lag_days = 5;
    lf_table *t = run(lf_report_cost, D(2026, 1, 1), D(2026, 3, 1), LF_BY_MONTH,
                      B(2026, 3, 1, 0, 0));
    num(t, 0, "lag_days", 5);
    /* Jan shifted 5 = Dec 27..Jan 26: 26 x 100 + 50 = 2650 */
    num(t, 0, "lagged_cost", 2650);
    /* Feb shifted 5 = Jan 27..Feb 23: Jan 27..31 = 500, Feb 1..23 = 46 -> 546 */
    num(t, 1, "lagged_cost", 546);
    cr_assert(has_note(t, "lag_days 5: cost.lag_days"));
    lf_table_free(t);
}

Test(money, cost_lagged_respects_as_of)
{
    /* lag 3, as-of Jan 20 00:00: cost Jan = Jan 1..19 = 1900 + 50 = 1950; lagged Jan =
     * Dec 29..Jan 28 cut to days before Jan 20 = Jan 1..19 = 1950 too */
    spread_data();
    cfg.lag_days = 3;
    lf_table *t = run(lf_report_cost, D(2026, 1, 1), D(2026, 2, 1), LF_BY_MONTH,
                      B(2026, 1, 20, 0, 0));
    num(t, 0, "cost", 1950);
    num(t, 0, "lagged_cost", 1950);
    lf_table_free(t);
}

/* ---- bizday -------------------------------------------------------------------------------
 * Leads: Dec 10 and Dec 15 2025 (before the range); Jan 5, 12, 20 (the first two with a
 * handoff the next day); Feb 2, 9, 16, 23 (the first with a handoff the next day). */
static void bizday_data(void)
{
    lead(B(2025, 12, 10, 10, 0), "x");
    lead(B(2025, 12, 15, 10, 0), "x");
    lead(B(2026, 1, 5, 10, 0), "x");
    ho(B(2026, 1, 6, 10, 0), NONE, LF_OUTCOME_PENDING);
    lead(B(2026, 1, 12, 10, 0), "x");
    ho(B(2026, 1, 13, 10, 0), NONE, LF_OUTCOME_PENDING);
    lead(B(2026, 1, 20, 10, 0), "x");
    lead(B(2026, 2, 2, 10, 0), "x");
    ho(B(2026, 2, 3, 10, 0), NONE, LF_OUTCOME_PENDING);
    lead(B(2026, 2, 9, 10, 0), "x");
    lead(B(2026, 2, 16, 10, 0), "x");
    lead(B(2026, 2, 23, 10, 0), "x");
}

Test(money, bizday_holiday_and_change_before_the_range)
{
    bizday_data();
    lf_table *t = run(lf_report_bizday, D(2026, 1, 1), D(2026, 3, 1), LF_BY_MONTH,
                      B(2026, 3, 10, 12, 0));
    static const char *const cols[] = {"period", "leads", "business_days", "leads_per_bday",
                                       "change", "mqls",  "mqls_per_bday", "pacing"};
    cr_assert_eq(t->ncols, 8);
    for (size_t i = 0; i < 8; i++)
        cr_assert_str_eq(t->cols[i].name, cols[i]);
    cr_assert_eq(t->nrows, 2);
    /* Jan: 3 leads over 21 business days (Jan 1 is a holiday) */
    text(t, 0, "period", "2026-01");
    num(t, 0, "leads", 3);
    num(t, 0, "business_days", 21);
    num(t, 0, "leads_per_bday", 3.0 / 21);
    /* change vs December 2025, outside the range: 2 leads / 23 business days;
     * (3/21) / (2/23) - 1 = 69/42 - 1 = 27/42 */
    num(t, 0, "change", 27.0 / 42);
    num(t, 0, "mqls", 2);
    num(t, 0, "mqls_per_bday", 2.0 / 21);
    /* Feb: 4 leads / 20 = 0.2; change 0.2 / (3/21) - 1 = 4.2/3 - 1 = 0.4; 1 MQL */
    num(t, 1, "business_days", 20);
    num(t, 1, "leads_per_bday", 0.2);
    num(t, 1, "change", 0.4);
    /* exactly 0.4: one division of exact integers, (4 x 21 - 3 x 20) / (3 x 20) = 24/60
     * (dividing the two rounded rates and subtracting 1 gives 0.40000000000000013) */
    cr_assert_eq(cell(t, 1, "change")->num, 0.4);
    num(t, 1, "mqls_per_bday", 0.05);
    /* as-of (March) is outside the range: no pacing anywhere */
    null(t, 0, "pacing");
    null(t, 1, "pacing");
    /* total: 7 leads / 41 business days, 3 MQLs; change and pacing null */
    num(t, -1, "leads", 7);
    num(t, -1, "business_days", 41);
    num(t, -1, "leads_per_bday", 7.0 / 41);
    null(t, -1, "change");
    num(t, -1, "mqls_per_bday", 3.0 / 41);
    null(t, -1, "pacing");
    lf_table_free(t);

    /* the previous month of a range starting Feb 1 is January, read from the data:
     * Feb change = 0.4 as above */
    t = run(lf_report_bizday, D(2026, 2, 1), D(2026, 3, 1), LF_BY_MONTH, B(2026, 3, 10, 12, 0));
    num(t, 0, "change", 0.4);
    lf_table_free(t);

    /* a cut first month (from Jan 12: Jan 12..31 = 15 business days, leads Jan 12 and
     * 20 = 2): change against the whole of December: (2/15) / (2/23) - 1 = 23/15 - 1 */
    t = run(lf_report_bizday, D(2026, 1, 12), D(2026, 3, 1), LF_BY_MONTH, B(2026, 3, 10, 12, 0));
    num(t, 0, "business_days", 15);
    num(t, 0, "leads", 2);
    num(t, 0, "change", 8.0 / 15);
    lf_table_free(t);

    /* rows are months whatever --by says, and so is the table's by; a note says so */
    t = run(lf_report_bizday, D(2026, 1, 1), D(2026, 3, 1), LF_BY_WEEK, B(2026, 3, 10, 12, 0));
    cr_assert_eq(t->nrows, 2);
    text(t, 1, "period", "2026-02");
    cr_assert_str_eq(t->by, "month"); /* rows are months whatever --by says */
    cr_assert(has_note(t, "calendar months"));
    lf_table_free(t);
}

/* Handoffs Mar 31 10:00, Apr 1 10:00, Apr 15 11:00 and Apr 15 13:00 (each lead created
 * the day before); as-of Wed 2026-04-15 12:00. */
static void pacing_data(void)
{
    lead(B(2026, 3, 30, 10, 0), "x");
    ho(B(2026, 3, 31, 10, 0), NONE, LF_OUTCOME_PENDING);
    lead(B(2026, 3, 31, 10, 0), "x");
    ho(B(2026, 4, 1, 10, 0), NONE, LF_OUTCOME_PENDING);
    lead(B(2026, 4, 14, 10, 0), "x");
    ho(B(2026, 4, 15, 11, 0), NONE, LF_OUTCOME_PENDING);
    lead(B(2026, 4, 14, 11, 0), "x");
    ho(B(2026, 4, 15, 13, 0), NONE, LF_OUTCOME_PENDING);
}

Test(money, bizday_pacing_mid_month)
{
    pacing_data();
    cfg.has_goal = true;
    cfg.goal_default = 10;
    lf_table *t = run(lf_report_bizday, D(2026, 3, 1), D(2026, 5, 1), LF_BY_MONTH,
                      B(2026, 4, 15, 12, 0));
    cr_assert_eq(t->nrows, 2);
    null(t, 0, "pacing"); /* March */
    null(t, -1, "pacing");
    /* April: 21 business days; MQLs Apr 1 and Apr 15 11:00 (13:00 is after as-of) */
    num(t, 1, "business_days", 21);
    num(t, 1, "mqls", 2);
    obj_num(t, 1, "pacing", "goal", 10);
    obj_num(t, 1, "pacing", "mtd", 2);
    /* elapsed: Apr 1, 2, (3 holiday), 6-10, 13, 14, 15 = 10; left: 16, 17, 20-24,
     * 27-30 = 11 */
    obj_num(t, 1, "pacing", "bdays_elapsed", 10);
    obj_num(t, 1, "pacing", "bdays_left", 11);
    /* projected 2 / 10 x 21 = 4.2; required (10 - 2) / 11 = 0.7272... */
    obj_num(t, 1, "pacing", "projected", 4.2);
    obj_num(t, 1, "pacing", "required_per_bday", 8.0 / 11);
    cr_assert(has_note(t, "behind pace: projected 4.2 vs goal 10; 0.73 per business day"));
    cr_assert(has_note(t, "2 MQLs so far, 10 of 21 business days elapsed"));
    lf_table_free(t);

    /* a goal of 4 for April only (map entry): projected 4.2 >= 4: on pace */
    lf_month_goal g = {2026, 4, 4};
    cfg.goals = malloc(sizeof g);
    cfg.goals[0] = g;
    cfg.ngoals = 1;
    t = run(lf_report_bizday, D(2026, 3, 1), D(2026, 5, 1), LF_BY_MONTH, B(2026, 4, 15, 12, 0));
    obj_num(t, 1, "pacing", "goal", 4);
    obj_num(t, 1, "pacing", "required_per_bday", 2.0 / 11);
    cr_assert(has_note(t, "on pace: projected 4.2 vs goal 4"));
    lf_table_free(t);
}

Test(money, bizday_pacing_without_goal)
{
    pacing_data(); /* the default configuration has no goal */
    lf_table *t = run(lf_report_bizday, D(2026, 4, 1), D(2026, 5, 1), LF_BY_MONTH,
                      B(2026, 4, 15, 12, 0));
    obj_null(t, 0, "pacing", "goal");
    obj_num(t, 0, "pacing", "projected", 4.2);
    obj_null(t, 0, "pacing", "required_per_bday");
    /* the month before (March): 2 leads (Mar 30, 31) / 22 business days; April: 2 leads
     * (Apr 14 twice) / 21: change = (2/21) / (2/22) - 1 = 22/21 - 1 = 1/21 */
    num(t, 0, "change", 1.0 / 21);
    lf_table_free(t);
}

/* ---- the planner ----------------------------------------------------------------------- */

static lf_plan_value V(const char *s)
{
    lf_plan_value v;
    cr_assert(lf_plan_parse_value(s, &v), "parse '%s'", s);
    return v;
}

/* Inputs: revenue, then deal size and the four rates (NULL = not given). */
static lf_plan_input input(const char *revenue, const char *deal, const char *close,
                           const char *sql, const char *mql, const char *visit)
{
    lf_plan_input in;
    memset(&in, 0, sizeof in);
    in.revenue = V(revenue);
    const char *v[LF_PLAN_NSTEPS] = {deal, close, sql, mql, visit};
    for (int k = 0; k < LF_PLAN_NSTEPS; k++)
        if (v[k]) {
            in.value[k] = V(v[k]);
            in.given[k] = true;
        }
    return in;
}

Test(money, plan_spec_example)
{
    /* SPEC §6: 10,000,000 / 50,000 = 200 deals; 200 / 0.25 = 800 SQLs; 800 / 0.20 =
     * 4,000 MQLs; no lead-to-MQL rate: the plan stops at leads */
    lf_plan_input in = input("10000000", "50000", "0.25", "0.20", NULL, NULL);
    lf_plan p;
    lf_error err;
    lf_error_clear(&err);
    cr_assert_eq(lf_plan_run(&in, NULL, &cfg, B(2026, 4, 15, 0, 0), &p, &err), LF_OK);
    cr_assert_eq(p.nsteps, 3);
    cr_assert_eq(p.count[LF_PLAN_DEALS], 200);
    cr_assert_eq(p.count[LF_PLAN_SQLS], 800);
    cr_assert_eq(p.count[LF_PLAN_MQLS], 4000);
    cr_assert_eq(p.source[LF_PLAN_SQLS], LF_PLAN_GIVEN);
    cr_assert(fabs(p.value[LF_PLAN_DEALS] - 50000) < EPS);
    cr_assert(fabs(p.value[LF_PLAN_MQLS] - 0.2) < EPS);
    cr_assert(strstr(p.stop, "no lead-to-MQL rate given") && strstr(p.stop, "pass --mql-rate"),
              "%s", p.stop);

    /* with every rate: leads = 4000 / 0.5 = 8,000; visitors = 8000 / 0.02 = 400,000 */
    in = input("10000000", "50000", "0.25", "0.20", "0.5", "0.02");
    cr_assert_eq(lf_plan_run(&in, NULL, &cfg, B(2026, 4, 15, 0, 0), &p, &err), LF_OK);
    cr_assert_eq(p.nsteps, 5);
    cr_assert_eq(p.count[LF_PLAN_LEADS], 8000);
    cr_assert_eq(p.count[LF_PLAN_VISITORS], 400000);
}

Test(money, plan_rounds_up_exactly)
{
    uint64_t q;
    cr_assert(lf_plan_ceil_fraction(10, 1, 3, 1, &q));
    cr_assert_eq(q, 4); /* 10 / 3 = 3.33 -> 4 */
    cr_assert(lf_plan_ceil_fraction(9, 1, 3, 1, &q));
    cr_assert_eq(q, 3); /* exact: not rounded up */
    cr_assert(lf_plan_ceil_fraction(0, 7, 3, 1, &q));
    cr_assert_eq(q, 0);
    cr_assert(lf_plan_ceil_fraction(UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX, &q));
    cr_assert_eq(q, 1); /* 128-bit products, no overflow */
    cr_assert(lf_plan_ceil_fraction(UINT64_MAX, 3, 3, 1, &q));
    cr_assert_eq(q, UINT64_MAX);
    cr_assert_not(lf_plan_ceil_fraction(UINT64_MAX, 2, 1, 1, &q)); /* does not fit */
    cr_assert_not(lf_plan_ceil_fraction(1, 1, 0, 5, &q));          /* division by 0 */

    lf_plan p;
    lf_error err;
    /* revenue 10, deal size 3: ceil(3.33) = 4 deals */
    lf_plan_input in = input("10", "3", "1", "1", "1", "1");
    cr_assert_eq(lf_plan_run(&in, NULL, &cfg, 0, &p, &err), LF_OK);
    cr_assert_eq(p.count[LF_PLAN_DEALS], 4);
    cr_assert_eq(p.count[LF_PLAN_VISITORS], 4); /* rates of 1 keep the count */

    /* floating-point traps: in doubles 145 / 0.29 = 500.00000000000006 (ceil 501) and
     * 7 / 0.07 = 99.99999999999999; exactly they are 500 and 100. 0.49 / 0.07 = 7 */
    in = input("145", "1", "0.29", NULL, NULL, NULL);
    cr_assert_eq(lf_plan_run(&in, NULL, &cfg, 0, &p, &err), LF_OK);
    cr_assert_eq(p.count[LF_PLAN_SQLS], 500);
    in = input("0.49", "0.07", "0.07", NULL, NULL, NULL);
    lf_plan_run(&in, NULL, &cfg, 0, &p, &err);
    cr_assert_eq(p.count[LF_PLAN_DEALS], 7);
    cr_assert_eq(p.count[LF_PLAN_SQLS], 100);
    /* 245 / 0.01 = 24,500 (the money workspace's visitors) */
    in = input("245", "1", "1", "1", "1", "0.01");
    cr_assert_eq(lf_plan_run(&in, NULL, &cfg, 0, &p, &err), LF_OK);
    cr_assert_eq(p.count[LF_PLAN_VISITORS], 24500);
}

Test(money, plan_parse_values)
{
    lf_plan_value v;
    cr_assert(lf_plan_parse_value("0.25", &v));
    cr_assert_eq(v.num, 25);
    cr_assert_eq(v.den, 100);
    cr_assert(lf_plan_parse_value("10000000", &v));
    cr_assert_eq(v.num, 10000000);
    cr_assert_eq(v.den, 1);
    cr_assert(lf_plan_parse_value(".5", &v));
    cr_assert_eq(v.num, 5);
    cr_assert_eq(v.den, 10);
    cr_assert(lf_plan_parse_value("0.05", &v));
    cr_assert_eq(v.num, 5);
    cr_assert_eq(v.den, 100);
    cr_assert(lf_plan_parse_value("007.50", &v)); /* 750 / 100 */
    cr_assert_eq(v.num, 750);
    cr_assert_eq(v.den, 100);
    static const char *const bad[] = {"", ".", "-1", "+1", "1e3", "1,000", "abc", "0x10",
                                      "1.2.3", " 1", "1 ", "1234567890123456789"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        cr_assert_not(lf_plan_parse_value(bad[i], &v), "'%s' parsed", bad[i]);
}

Test(money, plan_rejects_bad_inputs)
{
    lf_plan p;
    lf_error err;
    lf_plan_input in = input("100", "10", "1.5", NULL, NULL, NULL); /* rate above 1 */
    cr_assert_eq(lf_plan_run(&in, NULL, &cfg, 0, &p, &err), LF_EUSAGE);
    cr_assert(strstr(err.msg, "--close-rate"), "%s", err.msg);
    in = input("0", "10", NULL, NULL, NULL, NULL);
    cr_assert_eq(lf_plan_run(&in, NULL, &cfg, 0, &p, &err), LF_EUSAGE);
    in = input("100", "0", NULL, NULL, NULL, NULL);
    cr_assert_eq(lf_plan_run(&in, NULL, &cfg, 0, &p, &err), LF_EUSAGE);
    cr_assert(strstr(err.msg, "--deal-size"), "%s", err.msg);
}

Test(money, plan_stops_without_history)
{
    /* deal size given, no close rate and no --from-history: 1 step */
    lf_plan p;
    lf_error err;
    lf_plan_input in = input("100000", "20000", NULL, NULL, NULL, NULL);
    /* the plan is as long as the values given: not an error */
    cr_assert_eq(lf_plan_run(&in, NULL, &cfg, 0, &p, &err), LF_OK);
    cr_assert_eq(p.nsteps, 1);
    cr_assert_eq(p.count[0], 5);
    cr_assert(strstr(p.stop, "no close rate") && strstr(p.stop, "pass --close-rate"), "%s",
              p.stop);
}

/* History, as-of 2026-04-15 12:00: the window is 2025-04-01 .. 2026-04-01.
 *   P: created 2025-03-20 (before), sql 2025-04-02, won 2025-05-01 (30,000)
 *   Q: created 2025-06-01, mql 06-02 (accepted 06-03: sql), won 2025-09-01 (10,000)
 *   R: created 2025-12-01, mql 12-02, rejected 12-03
 *   S: created 2026-03-20, mql 2026-04-02 (after the window, before as-of)
 *   T: created 2026-03-25, nothing else
 *   U: created 2026-04-10 (after the window)
 *   V: created 2025-02-01, won 2026-04-05 (after the window, 99,000)
 *   W: created 2025-07-01, sql (skip) 2025-07-02
 * Visitors: 2025-03 310 (before), 2026-01 310 (10/day), 2026-04-02 100 (after).
 * In the window: customers won P, Q = 2 with 40,000 -> deal size 20,000; SQL entries P,
 * Q, W = 3 -> close rate 2/3; handoffs opened Q, R = 2, accepted Q -> 1/2; leads
 * created Q, R, S, T, W = 5, with a handoff by as-of Q, R, S = 3 -> 3/5; visitors 310
 * -> visit rate 5/310. */
static void history_data(bool traffic)
{
    lead(B(2025, 3, 20, 10, 0), "x"); /* P */
    go(B(2025, 4, 2, 10, 0), LF_STAGE_SQL);
    go(B(2025, 5, 1, 10, 0), LF_STAGE_OPPORTUNITY);
    won(B(2025, 5, 1, 10, 0), 30000);
    lead(B(2025, 6, 1, 10, 0), "x"); /* Q */
    go(B(2025, 6, 2, 10, 0), LF_STAGE_MQL);
    go(B(2025, 6, 3, 10, 0), LF_STAGE_SQL);
    ho(B(2025, 6, 2, 10, 0), B(2025, 6, 3, 10, 0), LF_OUTCOME_ACCEPTED);
    won(B(2025, 9, 1, 10, 0), 10000);
    lead(B(2025, 12, 1, 10, 0), "x"); /* R */
    go(B(2025, 12, 2, 10, 0), LF_STAGE_MQL);
    go(B(2025, 12, 3, 10, 0), LF_STAGE_RECYCLED);
    ho(B(2025, 12, 2, 10, 0), B(2025, 12, 3, 10, 0), LF_OUTCOME_REJECTED);
    lead(B(2026, 3, 20, 10, 0), "x"); /* S */
    go(B(2026, 4, 2, 10, 0), LF_STAGE_MQL);
    ho(B(2026, 4, 2, 10, 0), NONE, LF_OUTCOME_PENDING);
    lead(B(2026, 3, 25, 10, 0), "x"); /* T */
    lead(B(2026, 4, 10, 10, 0), "x"); /* U */
    lead(B(2025, 2, 1, 10, 0), "x");  /* V */
    won(B(2026, 4, 5, 10, 0), 99000);
    lead(B(2025, 7, 1, 10, 0), "x"); /* W */
    go(B(2025, 7, 2, 10, 0), LF_STAGE_SQL);
    if (traffic) {
        visitors(2025, 3, 0, 310);
        visitors(2026, 1, 0, 310);
        visitors(2026, 4, 2, 100);
    }
}

Test(money, plan_history_rates)
{
    history_data(true);
    lf_plan_history h;
    lf_plan_history_compute(&ds, &cfg, B(2026, 4, 15, 12, 0), &h);
    cr_assert_str_eq(h.label, "2025-04..2026-03");
    cr_assert_eq(h.from_day, D(2025, 4, 1));
    cr_assert_eq(h.to_day, D(2026, 4, 1));
    cr_assert_eq(h.num[LF_PLAN_DEALS], 4000000); /* 40,000.00 in cents */
    cr_assert_eq(h.den[LF_PLAN_DEALS], 200);     /* 2 customers x 100 */
    cr_assert_eq(h.num[LF_PLAN_SQLS], 2);
    cr_assert_eq(h.den[LF_PLAN_SQLS], 3);
    cr_assert_eq(h.num[LF_PLAN_MQLS], 1);
    cr_assert_eq(h.den[LF_PLAN_MQLS], 2);
    cr_assert_eq(h.num[LF_PLAN_LEADS], 3);
    cr_assert_eq(h.den[LF_PLAN_LEADS], 5);
    cr_assert_eq(h.num[LF_PLAN_VISITORS], 5);
    cr_assert_eq(h.den[LF_PLAN_VISITORS], 310);

    /* revenue 100,000: deals = 100000 / 20000 = 5; sqls = ceil(5 x 3/2) = ceil(7.5) = 8;
     * mqls = 8 x 2 = 16; leads = ceil(16 x 5/3) = ceil(26.67) = 27; visitors =
     * 27 x 310 / 5 = 1,674 exactly */
    lf_plan_input in = input("100000", NULL, NULL, NULL, NULL, NULL);
    in.from_history = true;
    lf_plan p;
    lf_error err;
    lf_error_clear(&err);
    cr_assert_eq(lf_plan_run(&in, &h, &cfg, B(2026, 4, 15, 12, 0), &p, &err), LF_OK, "%s",
                 err.msg);
    cr_assert_eq(p.count[LF_PLAN_DEALS], 5);
    cr_assert_eq(p.count[LF_PLAN_SQLS], 8);
    cr_assert_eq(p.count[LF_PLAN_MQLS], 16);
    cr_assert_eq(p.count[LF_PLAN_LEADS], 27);
    cr_assert_eq(p.count[LF_PLAN_VISITORS], 1674);
    cr_assert_eq(p.source[LF_PLAN_LEADS], LF_PLAN_HISTORY);
    cr_assert(fabs(p.value[LF_PLAN_DEALS] - 20000) < EPS);
    cr_assert(fabs(p.value[LF_PLAN_SQLS] - 2.0 / 3) < EPS);
    cr_assert_str_eq(p.history, "2025-04..2026-03");

    /* a given value wins over history: close rate 0.5 -> sqls = 10, mqls 20,
     * leads = ceil(20 x 5/3) = 34, visitors = 34 x 62 = 2,108 */
    in = input("100000", NULL, "0.5", NULL, NULL, NULL);
    in.from_history = true;
    cr_assert_eq(lf_plan_run(&in, &h, &cfg, B(2026, 4, 15, 12, 0), &p, &err), LF_OK);
    cr_assert_eq(p.source[LF_PLAN_SQLS], LF_PLAN_GIVEN);
    cr_assert_eq(p.count[LF_PLAN_SQLS], 10);
    cr_assert_eq(p.count[LF_PLAN_LEADS], 34);
    cr_assert_eq(p.count[LF_PLAN_VISITORS], 2108);
}

/* Fractional visitors are kept, not rounded: a day row of 310.4 visitors in the window
 * with the 5 leads created in it gives the visit rate 5 / 310.4 (SPEC §6: leads created
 * / visitors), so 27 leads need ceil(27 x 310.4 / 5) = ceil(1676.16) = 1,677 visitors;
 * rounded to 310 visitors it would be 1,674. */
Test(money, plan_history_keeps_fractional_visitors)
{
    history_data(false);
    visitors(2026, 1, 15, 310.4);
    lf_plan_history h;
    lf_plan_history_compute(&ds, &cfg, B(2026, 4, 15, 12, 0), &h);
    cr_assert_eq(h.num[LF_PLAN_VISITORS], 5000000);  /* 5 x 10^6 */
    cr_assert_eq(h.den[LF_PLAN_VISITORS], 310400000); /* 310.4 x 10^6 */
    lf_plan_input in = input("100000", NULL, NULL, NULL, NULL, NULL);
    in.from_history = true;
    lf_plan p;
    lf_error err;
    lf_error_clear(&err);
    cr_assert_eq(lf_plan_run(&in, &h, &cfg, B(2026, 4, 15, 12, 0), &p, &err), LF_OK, "%s",
                 err.msg);
    cr_assert_eq(p.count[LF_PLAN_LEADS], 27);
    cr_assert_eq(p.count[LF_PLAN_VISITORS], 1677);
}

Test(money, plan_stops_at_an_uncomputable_history_step)
{
    history_data(false); /* no visitors */
    lf_plan_history h;
    lf_plan_history_compute(&ds, &cfg, B(2026, 4, 15, 12, 0), &h);
    lf_plan_input in = input("100000", NULL, NULL, NULL, NULL, NULL);
    in.from_history = true;
    lf_plan p;
    lf_error err;
    cr_assert_eq(lf_plan_run(&in, &h, &cfg, B(2026, 4, 15, 12, 0), &p, &err), LF_EINPUT);
    cr_assert_eq(p.nsteps, 4); /* deals, sqls, mqls, leads as above */
    cr_assert_eq(p.count[LF_PLAN_LEADS], 27);
    cr_assert(strstr(err.msg, "cannot compute visitors: no visitors in 2025-04..2026-03"),
              "%s", err.msg);
    cr_assert(strstr(err.msg, "pass --visit-rate"), "%s", err.msg);

    /* as-of in May 2025: the window 2024-05..2025-04 has SQL entry P (Apr 2) but no
     * customer: the close rate is 0; the deal size is given */
    lf_plan_history_compute(&ds, &cfg, B(2025, 5, 10, 12, 0), &h);
    in = input("100000", "20000", NULL, NULL, NULL, NULL);
    in.from_history = true;
    cr_assert_eq(lf_plan_run(&in, &h, &cfg, B(2025, 5, 10, 12, 0), &p, &err), LF_EINPUT);
    cr_assert_eq(p.nsteps, 1);
    cr_assert(strstr(err.msg, "cannot compute sqls: no customers won in 2024-05..2025-04"),
              "%s", err.msg);
    cr_assert(strstr(err.msg, "pass --close-rate"), "%s", err.msg);
}

Test(money, plan_per_month_and_business_day)
{
    /* 3 months from April 2026: 21 + 21 + 22 = 64 business days */
    lf_plan_input in = input("10000000", "50000", "0.25", "0.20", "0.5", "0.02");
    in.months = 3;
    lf_plan p;
    lf_error err;
    cr_assert_eq(lf_plan_run(&in, NULL, &cfg, B(2026, 4, 15, 12, 0), &p, &err), LF_OK);
    cr_assert_eq(p.months, 3);
    cr_assert_eq(p.months_from_day, D(2026, 4, 1));
    cr_assert_eq(p.months_to_day, D(2026, 7, 1));
    cr_assert_eq(p.business_days, 64);
    cr_assert(fabs(p.per_month[LF_PLAN_DEALS] - 200.0 / 3) < EPS);
    cr_assert(fabs(p.per_bday[LF_PLAN_DEALS] - 3.125) < EPS);    /* 200 / 64 */
    cr_assert(fabs(p.per_bday[LF_PLAN_MQLS] - 62.5) < EPS);      /* 4000 / 64 */
    cr_assert(fabs(p.per_bday[LF_PLAN_VISITORS] - 6250) < EPS);  /* 400000 / 64 */
}
