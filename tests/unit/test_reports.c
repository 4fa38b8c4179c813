/*
 * test_reports.c — the funnel, mql, sql, velocity and speed reports (src/report/)
 * against SPEC §5, on small datasets built by hand.
 *
 * The workspace: zone Europe/Berlin (CET = UTC+1; CEST = UTC+2 from Sunday
 * 2026-03-29), calendar Mon-Fri 09:00-17:00 with holidays 2026-01-01, 2026-04-03
 * (Good Friday) and 2026-12-25, SLA 2bd = 16 business hours. Timestamps in the
 * tests are Berlin wall times (B(y, m, d, h, min)). Every expected number is derived
 * by hand in the comment next to it.
 *
 * Datasets are built lead by lead: lead() starts a lead (and its creation
 * transition), go() appends a transition from the lead's current stage, ho() appends
 * a handoff; so each lead's transitions and handoffs are contiguous, as the store
 * loads them. The fixture and the cell readers are shared: tests/unit/ds_fixture.h.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ds_fixture.h"
#include "leadflow/report.h"

static void setup(void)
{
    ds_setup_config(true);
    cfg.has_sla = true;
    cfg.sla.clock = LF_CLOCK_BUSINESS;
    cfg.sla.usec = 2 * lf_calendar_day_length(&cfg.calendar); /* 2bd = 16 business hours */
    memcpy(cfg.sla.text, "2bd", 4);
    ds_setup_dataset(false);
}

TestSuite(reports, .init = setup, .fini = ds_teardown);

/* Starts a lead created at `created` in `channel`, with its creation transition. */
static void lead(lf_time created, const char *channel)
{
    ds_lead(created, 0, name(channel), 0);
}

/* A handoff of the current lead. */
static void ho(lf_time mql_at, lf_time decided_at, lf_outcome outcome, lf_time first_contact,
               const char *reason)
{
    ds_handoff(mql_at, decided_at, outcome, first_contact, name(reason));
}

/* An object cell, written "k1=v1,k2=v2" in its order. */
static void obj(lf_table *t, long row, const char *n, const char *want)
{
    lf_cell *c = cell(t, row, n);
    cr_assert_eq(c->kind, LF_CELL_OBJ, "row %ld %s: not an object", row, n);
    char got[512] = "";
    size_t len = 0;
    for (size_t i = 0; i < c->obj->n; i++)
        len += (size_t)snprintf(got + len, sizeof got - len, "%s%s=%g", i ? "," : "",
                                c->obj->keys[i], c->obj->vals[i].num);
    cr_assert_str_eq(got, want, "row %ld %s", row, n);
}

/* ---- the funnel / mql / sql dataset -------------------------------------------------
 * Range [2026-01-01, 2026-04-01), as-of 2026-03-15 12:00.
 *   A paid_search: created Jan 5 10:00, mql Jan 6 10:00, accepted Jan 7 10:00 (sql),
 *                  opportunity Feb 10 10:00, won Mar 2 10:00
 *   B organic:     created Jan 20 09:00, mql Feb 2 09:00, rejected Feb 3 09:00 "budget"
 *                  (recycled)
 *   C paid_search: created Feb 14 12:00, mql Feb 16 12:00, pending
 *   D outbound:    created Feb 20 10:00, accepted Feb 21 10:00 (skip lead -> sql, no handoff)
 *   E organic:     created Dec 10 2025 10:00 (before the range), mql Jan 12 10:00,
 *                  disqualified Jan 13 10:00 (handoff rejected, no reason)
 *   F paid_search: created Mar 10 10:00, mql Mar 11 10:00, accepted Mar 20 10:00 (after
 *                  as-of: pending as of as-of, the sql entry does not exist yet)
 *   G organic:     created Mar 20 10:00 (after as-of: does not exist)
 * All these instants are CET (before Mar 29), so local differences are real ones.
 */
static void funnel_data(void)
{
    lead(B(2026, 1, 5, 10, 0), "paid_search"); /* A */
    go(B(2026, 1, 6, 10, 0), LF_STAGE_MQL);
    go(B(2026, 1, 7, 10, 0), LF_STAGE_SQL);
    go(B(2026, 2, 10, 10, 0), LF_STAGE_OPPORTUNITY);
    go(B(2026, 3, 2, 10, 0), LF_STAGE_CUSTOMER);
    ho(B(2026, 1, 6, 10, 0), B(2026, 1, 7, 10, 0), LF_OUTCOME_ACCEPTED, NONE, "");

    lead(B(2026, 1, 20, 9, 0), "organic"); /* B */
    go(B(2026, 2, 2, 9, 0), LF_STAGE_MQL);
    go(B(2026, 2, 3, 9, 0), LF_STAGE_RECYCLED);
    ho(B(2026, 2, 2, 9, 0), B(2026, 2, 3, 9, 0), LF_OUTCOME_REJECTED, NONE, "budget");

    lead(B(2026, 2, 14, 12, 0), "paid_search"); /* C */
    go(B(2026, 2, 16, 12, 0), LF_STAGE_MQL);
    ho(B(2026, 2, 16, 12, 0), NONE, LF_OUTCOME_PENDING, NONE, "");

    lead(B(2026, 2, 20, 10, 0), "outbound"); /* D */
    go(B(2026, 2, 21, 10, 0), LF_STAGE_SQL);

    lead(B(2025, 12, 10, 10, 0), "organic"); /* E */
    go(B(2026, 1, 12, 10, 0), LF_STAGE_MQL);
    go(B(2026, 1, 13, 10, 0), LF_STAGE_DISQUALIFIED);
    ho(B(2026, 1, 12, 10, 0), B(2026, 1, 13, 10, 0), LF_OUTCOME_REJECTED, NONE, "");

    lead(B(2026, 3, 10, 10, 0), "paid_search"); /* F */
    go(B(2026, 3, 11, 10, 0), LF_STAGE_MQL);
    go(B(2026, 3, 20, 10, 0), LF_STAGE_SQL);
    ho(B(2026, 3, 11, 10, 0), B(2026, 3, 20, 10, 0), LF_OUTCOME_ACCEPTED, NONE, "");

    lead(B(2026, 3, 20, 10, 0), "organic"); /* G */
}

#define FROM_Q1 D(2026, 1, 1)
#define TO_Q1 D(2026, 4, 1)
#define ASOF_Q1 B(2026, 3, 15, 12, 0)

Test(reports, funnel)
{
    funnel_data();
    lf_table *t = run(lf_report_funnel, FROM_Q1, TO_Q1, LF_BY_MONTH, ASOF_Q1);
    static const char *const cols[] = {"stage",
                                       "balance",
                                       "in_flow",
                                       "out_flow",
                                       "reached",
                                       "conversion_from_previous",
                                       "conversion_from_lead",
                                       "median_hours_in_stage"};
    columns(t, cols, 8);
    cr_assert_not(t->has_total); /* JSON "total": null */
    cr_assert_eq(t->nrows, 8);
    const char *stages[] = {"lead",     "mql",      "sql",          "opportunity",
                            "customer", "recycled", "disqualified", "lost"};
    for (long r = 0; r < 8; r++)
        text(t, r, "stage", stages[r]);
    enum { LEAD, MQL, SQL, OPP, CUST, RECY, DISQ, LOST };

    /* balance at as-of (earlier than Apr 1): A customer, B recycled, C mql, D sql,
     * E disqualified, F mql (its sql entry is after as-of), G not created yet */
    num(t, LEAD, "balance", 0);
    num(t, MQL, "balance", 2); /* C, F */
    num(t, SQL, "balance", 1); /* D */
    num(t, OPP, "balance", 0);
    num(t, CUST, "balance", 1); /* A */
    num(t, RECY, "balance", 1); /* B */
    num(t, DISQ, "balance", 1); /* E */
    num(t, LOST, "balance", 0);

    /* in_flow: creations A, B, C, D, F (E before the range, G after as-of) */
    num(t, LEAD, "in_flow", 5);
    num(t, MQL, "in_flow", 5);  /* A Jan 6, E Jan 12, B Feb 2, C Feb 16, F Mar 11 */
    num(t, SQL, "in_flow", 2);  /* A Jan 7, D Feb 21 (skip); F's Mar 20 is after as-of */
    num(t, OPP, "in_flow", 1);  /* A Feb 10 */
    num(t, CUST, "in_flow", 1); /* A Mar 2 */
    num(t, RECY, "in_flow", 1); /* B */
    num(t, DISQ, "in_flow", 1); /* E */
    num(t, LOST, "in_flow", 0);

    /* out_flow: lead: A, B, C, D, E, F (E's exit on Jan 12 is in the range) */
    num(t, LEAD, "out_flow", 6);
    num(t, MQL, "out_flow", 3); /* A Jan 7, E Jan 13, B Feb 3 */
    num(t, SQL, "out_flow", 1); /* A Feb 10 */
    num(t, OPP, "out_flow", 1); /* A Mar 2 */
    num(t, CUST, "out_flow", 0);
    num(t, RECY, "out_flow", 0);

    /* reached, of the 5 leads created in the range (A, B, C, D, F), by as-of:
     * lead 5; mql: A, B, C, F entered it and D passed it by (lead -> sql) = 5;
     * sql: A, D = 2 (F's after as-of); opportunity: A; customer: A; recycled: B;
     * disqualified: E was created before the range = 0 */
    num(t, LEAD, "reached", 5);
    num(t, MQL, "reached", 5);
    num(t, SQL, "reached", 2);
    num(t, OPP, "reached", 1);
    num(t, CUST, "reached", 1);
    num(t, RECY, "reached", 1);
    num(t, DISQ, "reached", 0);
    num(t, LOST, "reached", 0);

    null(t, LEAD, "conversion_from_previous");
    num(t, MQL, "conversion_from_previous", 1.0);  /* 5 / 5 */
    num(t, SQL, "conversion_from_previous", 0.4);  /* 2 / 5 */
    num(t, OPP, "conversion_from_previous", 0.5);  /* 1 / 2 */
    num(t, CUST, "conversion_from_previous", 1.0); /* 1 / 1 */
    null(t, RECY, "conversion_from_previous");
    null(t, DISQ, "conversion_from_previous");
    null(t, LOST, "conversion_from_previous");
    num(t, LEAD, "conversion_from_lead", 1.0); /* 5 / 5 */
    num(t, SQL, "conversion_from_lead", 0.4);  /* 2 / 5 */
    num(t, CUST, "conversion_from_lead", 0.2); /* 1 / 5 */
    null(t, RECY, "conversion_from_lead");
    null(t, LOST, "conversion_from_lead");

    /* exits from lead in the range: A 24h, B Jan 20 09:00 -> Feb 2 09:00 = 13d = 312h,
     * C 48h, D 24h, E Dec 10 10:00 -> Jan 12 10:00 = 33d = 792h, F 24h;
     * sorted 24 24 24 48 312 792: median (24 + 48) / 2 = 36 */
    num(t, LEAD, "median_hours_in_stage", 36);
    num(t, MQL, "median_hours_in_stage", 24);  /* A, B, E: 24h each */
    num(t, SQL, "median_hours_in_stage", 816); /* A Jan 7 -> Feb 10 = 34d */
    num(t, OPP, "median_hours_in_stage", 480); /* A Feb 10 -> Mar 2 = 20d */
    null(t, CUST, "median_hours_in_stage");
    null(t, RECY, "median_hours_in_stage");
    lf_table_free(t);
}

Test(reports, funnel_balance_before_range_end)
{
    funnel_data();
    /* as-of after the range: the balance is just before Feb 1 00:00; range January.
     * A sql (Jan 7), B lead (mql Feb 2 is later), E disqualified; C, D, F, G not yet
     * created. */
    lf_table *t =
        run(lf_report_funnel, D(2026, 1, 1), D(2026, 2, 1), LF_BY_MONTH, B(2026, 6, 1, 0, 0));
    num(t, 0, "balance", 1); /* B */
    num(t, 1, "balance", 0);
    num(t, 2, "balance", 1); /* A */
    num(t, 6, "balance", 1); /* E */
    /* reached counts up to as-of (June), for leads created in January (A, B):
     * A reached customer, B mql (and recycled) */
    num(t, 0, "reached", 2);
    num(t, 1, "reached", 2);
    num(t, 2, "reached", 1);
    num(t, 4, "reached", 1);
    num(t, 5, "reached", 1);
    num(t, 4, "conversion_from_lead", 0.5); /* 1 / 2 */
    /* in_flow counts only January: creations A, B */
    num(t, 0, "in_flow", 2);
    num(t, 4, "in_flow", 0);
    lf_table_free(t);
}

Test(reports, mql)
{
    funnel_data();
    cfg.goal_default = 400;
    cfg.goals = malloc(sizeof *cfg.goals);
    cfg.goals[0] = (lf_month_goal){2026, 2, 380};
    cfg.ngoals = 1;
    cfg.has_goal = true;
    lf_table *t = run(lf_report_mql, FROM_Q1, TO_Q1, LF_BY_MONTH, ASOF_Q1);
    static const char *const cols[] = {"period", "leads",           "mqls",
                                       "goal",   "goal_attainment", "mqls_by_channel"};
    columns(t, cols, 6);
    cr_assert_eq(t->nrows, 3);
    cr_assert(t->has_total);
    text(t, 0, "period", "2026-01");
    text(t, 1, "period", "2026-02");
    text(t, 2, "period", "2026-03");
    cr_assert_str_eq(t->by, "month");
    /* leads: Jan A, B; Feb C, D; Mar F (G after as-of); E was created in December */
    num(t, 0, "leads", 2);
    num(t, 1, "leads", 2);
    num(t, 2, "leads", 1);
    num(t, -1, "leads", 5);
    /* mqls: Jan A, E; Feb B, C; Mar F */
    num(t, 0, "mqls", 2);
    num(t, 1, "mqls", 2);
    num(t, 2, "mqls", 1);
    num(t, -1, "mqls", 5);
    /* whole months: the whole goal (Jan 400 default, Feb 380 from the map, Mar 400) */
    num(t, 0, "goal", 400);
    num(t, 1, "goal", 380);
    num(t, 2, "goal", 400);
    num(t, -1, "goal", 1180);
    num(t, 0, "goal_attainment", 2.0 / 400);
    num(t, 1, "goal_attainment", 2.0 / 380);
    num(t, 2, "goal_attainment", 1.0 / 400);
    num(t, -1, "goal_attainment", 5.0 / 1180);
    obj(t, 0, "mqls_by_channel", "organic=1,paid_search=1"); /* E, A */
    obj(t, 1, "mqls_by_channel", "organic=1,paid_search=1"); /* B, C */
    obj(t, 2, "mqls_by_channel", "paid_search=1");           /* F */
    obj(t, -1, "mqls_by_channel", "organic=2,paid_search=3");
    lf_table_free(t);
}

Test(reports, mql_goal_prorated)
{
    funnel_data();
    cfg.goal_default = 400;
    cfg.goals = malloc(sizeof *cfg.goals);
    cfg.goals[0] = (lf_month_goal){2026, 2, 380};
    cfg.ngoals = 1;
    /* [Jan 15, Feb 15) by month.
     * January 2026: Jan 1 is a Thursday; weekdays Jan 1-2, 5-9, 12-16, 19-23, 26-30 = 22,
     * minus the holiday Jan 1 = 21 business days. Jan 15-31: 15, 16, 19-23, 26-30 = 12.
     * -> 400 x 12 / 21 = 228.571428...
     * February 2026: Feb 1 is a Sunday; weekdays 2-6, 9-13, 16-20, 23-27 = 20.
     * Feb 1-14: 10 -> 380 x 10 / 20 = 190. */
    lf_table *t = run(lf_report_mql, D(2026, 1, 15), D(2026, 2, 15), LF_BY_MONTH, ASOF_Q1);
    cr_assert_eq(t->nrows, 2);
    num(t, 0, "goal", 400.0 * 12 / 21);
    num(t, 1, "goal", 190);
    num(t, -1, "goal", 400.0 * 12 / 21 + 190);
    /* mqls: Jan 15-31 none (A Jan 6, E Jan 12 are before); Feb 1-14: B (Feb 2) */
    num(t, 0, "mqls", 0);
    num(t, 0, "goal_attainment", 0);
    num(t, 1, "goal_attainment", 1.0 / 190);
    obj(t, 0, "mqls_by_channel", "");
    lf_table_free(t);

    /* weeks across a month end: week of Mon Jan 26 = Jan 26-30 of January's 21
     * business days (Sat 31, Sun Feb 1 are not) -> 400 x 5 / 21; week of Feb 2:
     * 5 of February's 20 -> 380 x 5 / 20 = 95 */
    t = run(lf_report_mql, D(2026, 1, 26), D(2026, 2, 9), LF_BY_WEEK, ASOF_Q1);
    cr_assert_eq(t->nrows, 2);
    text(t, 0, "period", "2026-01-26");
    text(t, 1, "period", "2026-02-02");
    num(t, 0, "goal", 400.0 * 5 / 21);
    num(t, 1, "goal", 95);
    lf_table_free(t);
}

Test(reports, mql_goal_edge_cases)
{
    funnel_data();
    /* no goal configured: goal and attainment null */
    lf_table *t = run(lf_report_mql, FROM_Q1, TO_Q1, LF_BY_MONTH, ASOF_Q1);
    null(t, 0, "goal");
    null(t, 0, "goal_attainment");
    null(t, -1, "goal");
    null(t, -1, "goal_attainment");
    lf_table_free(t);

    /* only February has a goal: Jan null, Feb 380, total 380 (sum of the known ones) */
    cfg.goals = malloc(sizeof *cfg.goals);
    cfg.goals[0] = (lf_month_goal){2026, 2, 380};
    cfg.ngoals = 1;
    t = run(lf_report_mql, FROM_Q1, TO_Q1, LF_BY_MONTH, ASOF_Q1);
    null(t, 0, "goal");
    num(t, 1, "goal", 380);
    null(t, 2, "goal");
    num(t, -1, "goal", 380);
    num(t, -1, "goal_attainment", 5.0 / 380);
    lf_table_free(t);

    /* a day without business time (Sunday Feb 1) gets 0 of February's 380: goal 0,
     * attainment null; Monday Feb 2 gets 380 / 20 business days = 19 */
    t = run(lf_report_mql, D(2026, 2, 1), D(2026, 2, 3), LF_BY_DAY, ASOF_Q1);
    num(t, 0, "goal", 0);
    null(t, 0, "goal_attainment");
    num(t, 1, "goal", 19);
    num(t, 1, "mqls", 1); /* B on Mon Feb 2 */
    num(t, 1, "goal_attainment", 1.0 / 19);
    lf_table_free(t);

    /* a goal of 0: every bucket's goal 0, attainment null (zero denominator) */
    cfg.goals[0].mqls = 0;
    t = run(lf_report_mql, D(2026, 2, 1), D(2026, 2, 3), LF_BY_DAY, ASOF_Q1);
    num(t, 1, "goal", 0);
    null(t, 1, "goal_attainment");
    lf_table_free(t);
}

Test(reports, sql)
{
    funnel_data();
    lf_table *t = run(lf_report_sql, FROM_Q1, TO_Q1, LF_BY_MONTH, ASOF_Q1);
    static const char *const cols[] = {"period",     "handoffs", "accepted",
                                       "rejected",   "pending",  "acceptance_rate",
                                       "mql_to_sql", "sqls",     "rejected_by_reason"};
    columns(t, cols, 9);
    /* January cohort: A accepted Jan 7, E rejected (disqualified) Jan 13 without reason */
    num(t, 0, "handoffs", 2);
    num(t, 0, "accepted", 1);
    num(t, 0, "rejected", 1);
    num(t, 0, "pending", 0);
    num(t, 0, "acceptance_rate", 0.5); /* 1 / (1 + 1) */
    num(t, 0, "mql_to_sql", 0.5);      /* 1 / 2 */
    num(t, 0, "sqls", 1);              /* A Jan 7 */
    obj(t, 0, "rejected_by_reason", "unspecified=1");
    /* February cohort: B rejected "budget", C pending; sqls: D's skip on Feb 21 */
    num(t, 1, "handoffs", 2);
    num(t, 1, "accepted", 0);
    num(t, 1, "rejected", 1);
    num(t, 1, "pending", 1);
    num(t, 1, "acceptance_rate", 0); /* 0 / (0 + 1) */
    num(t, 1, "mql_to_sql", 0);
    num(t, 1, "sqls", 1);
    obj(t, 1, "rejected_by_reason", "budget=1");
    /* March cohort: F, accepted on Mar 20 after as-of: pending; no sql entry yet */
    num(t, 2, "handoffs", 1);
    num(t, 2, "accepted", 0);
    num(t, 2, "rejected", 0);
    num(t, 2, "pending", 1);
    null(t, 2, "acceptance_rate"); /* 0 / 0 */
    num(t, 2, "mql_to_sql", 0);
    num(t, 2, "sqls", 0);
    obj(t, 2, "rejected_by_reason", "");
    /* total: 5 handoffs, 1 accepted, 2 rejected, 2 pending */
    num(t, -1, "handoffs", 5);
    num(t, -1, "accepted", 1);
    num(t, -1, "rejected", 2);
    num(t, -1, "pending", 2);
    num(t, -1, "acceptance_rate", 1.0 / 3); /* 1 / (1 + 2) */
    num(t, -1, "mql_to_sql", 0.2);          /* 1 / 5 */
    num(t, -1, "sqls", 2);
    /* count desc, then name: a tie, so by name */
    obj(t, -1, "rejected_by_reason", "budget=1,unspecified=1");

    /* as-of after F's acceptance: F accepted, and its sql entry counts in March */
    lf_table_free(t);
    t = run(lf_report_sql, FROM_Q1, TO_Q1, LF_BY_MONTH, B(2026, 3, 31, 12, 0));
    num(t, 2, "accepted", 1);
    num(t, 2, "pending", 0);
    num(t, 2, "acceptance_rate", 1);
    num(t, 2, "sqls", 1);
    num(t, -1, "sqls", 3);
    lf_table_free(t);
}

Test(reports, sql_reasons_order)
{
    /* Five rejected handoffs in January: "timing" x2, "budget" x1, "" x1 and
     * "unspecified" x1 (an explicit reason that reads like the empty one: they merge).
     * -> unspecified 2, timing 2, budget 1: count desc, ties by name. */
    const char *reasons[] = {"timing", "budget", "", "unspecified", "timing"};
    for (int i = 0; i < 5; i++) {
        lead(B(2026, 1, 5 + i, 9, 0), "web");
        go(B(2026, 1, 5 + i, 10, 0), LF_STAGE_MQL);
        go(B(2026, 1, 5 + i, 11, 0), LF_STAGE_RECYCLED);
        ho(B(2026, 1, 5 + i, 10, 0), B(2026, 1, 5 + i, 11, 0), LF_OUTCOME_REJECTED, NONE,
           reasons[i]);
    }
    lf_table *t =
        run(lf_report_sql, D(2026, 1, 1), D(2026, 2, 1), LF_BY_MONTH, B(2026, 2, 1, 0, 0));
    obj(t, 0, "rejected_by_reason", "timing=2,unspecified=2,budget=1");
    obj(t, -1, "rejected_by_reason", "timing=2,unspecified=2,budget=1");
    num(t, 0, "acceptance_rate", 0);
    lf_table_free(t);
}

/* ---- the velocity / speed dataset -------------------------------------------------
 * Range [2026-03-01, 2026-05-01) by month, as-of Mon 2026-04-20 12:00 (CEST).
 * SLA 2bd = 16 business hours (Mon-Fri 09-17, Good Friday Apr 3 a holiday).
 *  L1: created Mon Mar 2 10:00; h1 mql Fri Mar 6 16:00, accepted Mon Mar 9 16:00,
 *      first contact Mar 6 16:30; opportunity Fri Mar 20 16:00; won Fri Apr 10 16:00
 *  L2: created Wed Feb 25 10:00; h2 mql Wed Mar 11 10:00, accepted Mon Mar 16 10:00,
 *      contact Mar 11 11:00; won Wed Apr 1 10:00 (skips opportunity)
 *  L3: created Fri Mar 27 09:00; h3 mql Fri Mar 27 15:00 CET, accepted Mon Mar 30
 *      11:00 CEST (across the DST change); never contacted
 *  L4: created Wed Apr 1 10:00; h4 mql Thu Apr 2 14:00, pending; contact Apr 2 17:00
 *  L5: created Mon Apr 20 08:00; h5 mql Apr 20 10:00, pending; contact Apr 20 13:00
 *      (after as-of)
 *  L6: created Sat Jan 10 10:00 CET; h6 mql Tue Apr 14 10:00, accepted Tue Apr 21
 *      (after as-of); contact Apr 14 10:45
 *  L7: created Apr 22, mql Apr 24 (after as-of: does not exist)
 *  L8: created Fri Feb 20 10:00; h8 mql Fri Feb 27 10:00 (before the range), accepted
 *      Mon Mar 2 10:00
 *  L9: created Wed Apr 8 09:00; h9 mql Thu Apr 9 09:00, rejected Sat Apr 11 10:00,
 *      contact Fri Apr 10 09:00; h10 mql Wed Apr 15 09:00 (re-qualified), pending
 *
 * SLA clock per handoff (business hours; deadline = when 16 are used up):
 *  h1: Fri 16-17 1h + Mon 9-16 7h = 8h; deadline Fri 1 + Mon 8 + Tue 7 -> Tue Mar 10
 *      16:00: within
 *  h2: Wed 10-17 7 + Thu 8 + Fri 8 + Mon 9-10 1 = 24h; deadline Wed 7 + Thu 8 + Fri 1
 *      -> Fri Mar 13 10:00: late
 *  h3: Fri 15-17 2 + Mon 9-11 2 = 4h; within (deadline Tue Mar 31 15:00)
 *  h4: pending; deadline Thu 14-17 3, Fri Apr 3 holiday, Mon Apr 6 8, Tue 5 -> Tue
 *      Apr 7 14:00 < as-of: overdue
 *  h5: pending; deadline Mon 7 + Tue 8 + Wed 1 -> Wed Apr 22 10:00: not overdue
 *  h6: pending at as-of; deadline Tue 7 + Wed 8 + Thu 1 -> Thu Apr 16 10:00: overdue
 *  h9: Thu 8 + Fri 8 = 16h exactly; deadline Fri Apr 10 17:00; decided Saturday:
 *      its response time is the SLA, but it was decided after the deadline: late
 *      (SPEC §5: within_sla = decided at or before the deadline)
 *  h10: pending; deadline Wed 8 + Thu 8 -> Thu Apr 16 17:00: overdue
 */
static void velocity_data(void)
{
    lead(B(2026, 3, 2, 10, 0), "web"); /* L1 */
    go(B(2026, 3, 6, 16, 0), LF_STAGE_MQL);
    go(B(2026, 3, 9, 16, 0), LF_STAGE_SQL);
    go(B(2026, 3, 20, 16, 0), LF_STAGE_OPPORTUNITY);
    go(B(2026, 4, 10, 16, 0), LF_STAGE_CUSTOMER);
    ho(B(2026, 3, 6, 16, 0), B(2026, 3, 9, 16, 0), LF_OUTCOME_ACCEPTED, B(2026, 3, 6, 16, 30), "");

    lead(B(2026, 2, 25, 10, 0), "web"); /* L2 */
    go(B(2026, 3, 11, 10, 0), LF_STAGE_MQL);
    go(B(2026, 3, 16, 10, 0), LF_STAGE_SQL);
    go(B(2026, 4, 1, 10, 0), LF_STAGE_OPPORTUNITY); /* skip: same instant */
    go(B(2026, 4, 1, 10, 0), LF_STAGE_CUSTOMER);
    ho(B(2026, 3, 11, 10, 0), B(2026, 3, 16, 10, 0), LF_OUTCOME_ACCEPTED, B(2026, 3, 11, 11, 0),
       "");

    lead(B(2026, 3, 27, 9, 0), "web"); /* L3 */
    go(B(2026, 3, 27, 15, 0), LF_STAGE_MQL);
    go(B(2026, 3, 30, 11, 0), LF_STAGE_SQL);
    ho(B(2026, 3, 27, 15, 0), B(2026, 3, 30, 11, 0), LF_OUTCOME_ACCEPTED, NONE, "");

    lead(B(2026, 4, 1, 10, 0), "web"); /* L4 */
    go(B(2026, 4, 2, 14, 0), LF_STAGE_MQL);
    ho(B(2026, 4, 2, 14, 0), NONE, LF_OUTCOME_PENDING, B(2026, 4, 2, 17, 0), "");

    lead(B(2026, 4, 20, 8, 0), "web"); /* L5 */
    go(B(2026, 4, 20, 10, 0), LF_STAGE_MQL);
    ho(B(2026, 4, 20, 10, 0), NONE, LF_OUTCOME_PENDING, B(2026, 4, 20, 13, 0), "");

    lead(B(2026, 1, 10, 10, 0), "web"); /* L6 */
    go(B(2026, 4, 14, 10, 0), LF_STAGE_MQL);
    go(B(2026, 4, 21, 10, 0), LF_STAGE_SQL);
    ho(B(2026, 4, 14, 10, 0), B(2026, 4, 21, 10, 0), LF_OUTCOME_ACCEPTED, B(2026, 4, 14, 10, 45),
       "");

    lead(B(2026, 4, 22, 10, 0), "web"); /* L7 */
    go(B(2026, 4, 24, 10, 0), LF_STAGE_MQL);
    ho(B(2026, 4, 24, 10, 0), NONE, LF_OUTCOME_PENDING, NONE, "");

    lead(B(2026, 2, 20, 10, 0), "web"); /* L8 */
    go(B(2026, 2, 27, 10, 0), LF_STAGE_MQL);
    go(B(2026, 3, 2, 10, 0), LF_STAGE_SQL);
    ho(B(2026, 2, 27, 10, 0), B(2026, 3, 2, 10, 0), LF_OUTCOME_ACCEPTED, NONE, "");

    lead(B(2026, 4, 8, 9, 0), "web"); /* L9 */
    go(B(2026, 4, 9, 9, 0), LF_STAGE_MQL);
    go(B(2026, 4, 11, 10, 0), LF_STAGE_RECYCLED);
    go(B(2026, 4, 15, 9, 0), LF_STAGE_MQL);
    ho(B(2026, 4, 9, 9, 0), B(2026, 4, 11, 10, 0), LF_OUTCOME_REJECTED, B(2026, 4, 10, 9, 0), "");
    ho(B(2026, 4, 15, 9, 0), NONE, LF_OUTCOME_PENDING, NONE, "");
}

#define FROM_V D(2026, 3, 1)
#define TO_V D(2026, 5, 1)
#define ASOF_V B(2026, 4, 20, 12, 0)

Test(reports, velocity)
{
    velocity_data();
    lf_table *t = run(lf_report_velocity, FROM_V, TO_V, LF_BY_MONTH, ASOF_V);
    static const char *const cols[] = {"period",
                                       "handoffs",
                                       "decided",
                                       "response_mean_h",
                                       "response_median_h",
                                       "response_p90_h",
                                       "within_sla",
                                       "within_sla_rate",
                                       "overdue_pending",
                                       "breaches",
                                       "lead_to_mql_days",
                                       "mql_to_sql_days",
                                       "sql_to_opportunity_days",
                                       "opportunity_to_customer_days"};
    columns(t, cols, 14);
    cr_assert_eq(t->nrows, 2);
    text(t, 0, "period", "2026-03");
    text(t, 1, "period", "2026-04");

    /* March cohort: h1 8h within, h2 24h late, h3 4h within (h8 opened in February) */
    num(t, 0, "handoffs", 3);
    num(t, 0, "decided", 3);
    num(t, 0, "response_mean_h", 12);  /* (8 + 24 + 4) / 3 */
    num(t, 0, "response_median_h", 8); /* 4 8 24 */
    num(t, 0, "response_p90_h", 20.8); /* h = 2 x 0.9 = 1.8: 8 + 0.8 x (24 - 8) */
    num(t, 0, "within_sla", 2);
    num(t, 0, "within_sla_rate", 2.0 / 3);
    num(t, 0, "overdue_pending", 0);
    num(t, 0, "breaches", 1); /* 3 - 2 + 0 */

    /* April cohort: h4, h5, h6, h9, h10 (L7's h7 is after as-of); decided: h9 only
     * (h6's decision is after as-of) at 16 business hours, late; overdue: h4, h6, h10 */
    num(t, 1, "handoffs", 5);
    num(t, 1, "decided", 1);
    num(t, 1, "response_mean_h", 16);
    num(t, 1, "response_median_h", 16);
    num(t, 1, "response_p90_h", 16);
    num(t, 1, "within_sla", 0);
    num(t, 1, "within_sla_rate", 0); /* 0 / 1 */
    num(t, 1, "overdue_pending", 3);
    num(t, 1, "breaches", 4); /* 1 - 0 + 3 */

    /* total over all 8: responses 4 8 16 24 */
    num(t, -1, "handoffs", 8);
    num(t, -1, "decided", 4);
    num(t, -1, "response_mean_h", 13);   /* 52 / 4 */
    num(t, -1, "response_median_h", 12); /* (8 + 16) / 2 */
    num(t, -1, "response_p90_h", 21.6);  /* h = 3 x 0.9 = 2.7: 16 + 0.7 x (24 - 16) */
    num(t, -1, "within_sla", 2);
    num(t, -1, "within_sla_rate", 0.5);
    num(t, -1, "overdue_pending", 3);
    num(t, -1, "breaches", 5); /* 4 - 2 + 3 */

    /* lead_to_mql_days, by the lead's first mql_at:
     * March: L1 Mar 2 10:00 -> Mar 6 16:00 = 4.25; L2 Feb 25 10:00 -> Mar 11 10:00 =
     *        14; L3 6h = 0.25 -> 0.25 4.25 14: median 4.25 (L8's first is in February)
     * April: L4 Apr 1 10:00 -> Apr 2 14:00 = 1 + 4/24; L5 2h = 1/12; L9 1 (its second
     *        handoff does not count); L6 Jan 10 10:00 CET -> Apr 14 10:00 CEST = 94
     *        days less the hour lost to DST = 94 - 1/24 -> 1/12, 1, 1 + 1/6, 94 - 1/24:
     *        median (1 + 1 + 1/6) / 2
     * total: 1/12, 0.25, 1, 1 + 1/6, 4.25, 14, 94 - 1/24: median 1 + 1/6 */
    num(t, 0, "lead_to_mql_days", 4.25);
    num(t, 1, "lead_to_mql_days", (2.0 + 1.0 / 6) / 2);
    num(t, -1, "lead_to_mql_days", 1.0 + 1.0 / 6);
    /* mql_to_sql_days, moves mql -> sql by their instant:
     * March: L1 3 (Mar 6 16:00 -> Mar 9 16:00); L2 5; L3 Fri Mar 27 15:00 CET (14:00
     *        UTC) -> Mon Mar 30 11:00 CEST (09:00 UTC) = 67h = 67/24; L8 Feb 27 ->
     *        Mar 2 = 3 -> 67/24 3 3 5: median 3
     * April: L6's move is after as-of: null */
    num(t, 0, "mql_to_sql_days", 3);
    null(t, 1, "mql_to_sql_days");
    num(t, -1, "mql_to_sql_days", 3);
    /* sql_to_opportunity_days: March L1 Mar 9 16:00 -> Mar 20 16:00 = 11;
     * April: L2 Mar 16 10:00 CET -> Apr 1 10:00 CEST = 16 days - 1h = 16 - 1/24;
     * total (11 + 16 - 1/24) / 2 */
    num(t, 0, "sql_to_opportunity_days", 11);
    num(t, 1, "sql_to_opportunity_days", 16 - 1.0 / 24);
    num(t, -1, "sql_to_opportunity_days", (27 - 1.0 / 24) / 2);
    /* opportunity_to_customer_days: April: L1 Mar 20 16:00 CET -> Apr 10 16:00 CEST =
     * 21 - 1/24; L2 skipped opportunity: 0 -> median (21 - 1/24) / 2; March none */
    null(t, 0, "opportunity_to_customer_days");
    num(t, 1, "opportunity_to_customer_days", (21 - 1.0 / 24) / 2);
    num(t, -1, "opportunity_to_customer_days", (21 - 1.0 / 24) / 2);

    cr_assert_geq(t->nnotes, 1);
    cr_assert(strstr(t->notes[0], "SLA 2bd on the business clock") != NULL, "%s", t->notes[0]);
    lf_table_free(t);
}

Test(reports, velocity_without_sla)
{
    velocity_data();
    cfg.has_sla = false;
    lf_table *t = run(lf_report_velocity, FROM_V, TO_V, LF_BY_MONTH, ASOF_V);
    /* calendar hours: h1 Fri 16:00 -> Mon 16:00 = 72; h2 Wed 10:00 -> Mon 10:00 = 120;
     * h3 Fri 15:00 CET -> Mon 11:00 CEST = 67 -> 67 72 120: mean 259 / 3, median 72,
     * p90 72 + 0.8 x 48 = 110.4 */
    num(t, 0, "response_mean_h", 259.0 / 3);
    num(t, 0, "response_median_h", 72);
    num(t, 0, "response_p90_h", 110.4);
    /* h9: Thu Apr 9 09:00 -> Sat Apr 11 10:00 = 49h */
    num(t, 1, "response_median_h", 49);
    for (long r = -1; r < 2; r++) {
        null(t, r, "within_sla");
        null(t, r, "within_sla_rate");
        null(t, r, "overdue_pending");
        null(t, r, "breaches");
    }
    num(t, 0, "decided", 3);
    cr_assert(strstr(t->notes[0], "no SLA") != NULL, "%s", t->notes[0]);
    lf_table_free(t);
}

Test(reports, velocity_calendar_sla)
{
    velocity_data();
    cfg.sla.clock = LF_CLOCK_CALENDAR;
    cfg.sla.usec = 72 * LF_USEC_PER_HOUR;
    memcpy(cfg.sla.text, "72h", 4);
    lf_table *t = run(lf_report_velocity, FROM_V, TO_V, LF_BY_MONTH, ASOF_V);
    /* deadline = mql_at + 72h. March: h1 72h exactly: within; h2 120h late; h3 67h
     * within. April: h9 49h within; pending h4 (deadline Apr 5 14:00), h6 (Apr 17
     * 10:00), h10 (Apr 18 09:00) overdue; h5 (Apr 23 10:00) not */
    num(t, 0, "within_sla", 2);
    num(t, 0, "breaches", 1);
    num(t, 1, "within_sla", 1);
    num(t, 1, "overdue_pending", 3);
    num(t, 1, "breaches", 3);           /* 1 - 1 + 3 */
    num(t, 0, "response_median_h", 72); /* calendar hours, as without an SLA */
    cr_assert(strstr(t->notes[0], "72h on the calendar clock") != NULL, "%s", t->notes[0]);
    lf_table_free(t);
}

Test(reports, speed)
{
    velocity_data();
    lf_table *t = run(lf_report_speed, FROM_V, TO_V, LF_BY_MONTH, ASOF_V);
    static const char *const cols[] = {"period",           "handoffs",      "contacted",
                                       "contact_median_h", "within_target", "within_target_rate"};
    columns(t, cols, 6);
    /* target 1h (default). March: h1 0.5h, h2 1h exactly (within), h3 never -> */
    num(t, 0, "handoffs", 3);
    num(t, 0, "contacted", 2);
    num(t, 0, "contact_median_h", 0.75); /* (0.5 + 1) / 2 */
    num(t, 0, "within_target", 2);
    num(t, 0, "within_target_rate", 2.0 / 3);
    /* April: h4 3h, h5 contacted after as-of (not contacted), h6 0.75h, h9 Thu 09:00 ->
     * Fri 09:00 = 24h, h10 never -> contacted 3: 0.75 3 24, median 3; within: h6 */
    num(t, 1, "handoffs", 5);
    num(t, 1, "contacted", 3);
    num(t, 1, "contact_median_h", 3);
    num(t, 1, "within_target", 1);
    num(t, 1, "within_target_rate", 0.2); /* 1 / 5 */
    /* total: 0.5 0.75 1 3 24: median 1; within 3 of 8 */
    num(t, -1, "handoffs", 8);
    num(t, -1, "contacted", 5);
    num(t, -1, "contact_median_h", 1);
    num(t, -1, "within_target", 3);
    num(t, -1, "within_target_rate", 0.375);
    cr_assert_eq(t->nnotes, 2);
    cr_assert(strstr(t->notes[0], "1h on the calendar clock") != NULL, "%s", t->notes[0]);
    cr_assert_str_eq(t->notes[1], "benchmark: only 37% of companies respond within 1 hour; "
                                  "those that do are about 7x likelier to reach a decision "
                                  "maker");
    lf_table_free(t);
}

Test(reports, empty_buckets_and_weeks)
{
    velocity_data();
    /* weeks of [Mon Mar 30, Mon Apr 13): Mar 30, Apr 6 (both empty for speed except
     * h4 on Apr 2 in the first week) */
    lf_table *t = run(lf_report_speed, D(2026, 3, 30), D(2026, 4, 13), LF_BY_WEEK, ASOF_V);
    cr_assert_eq(t->nrows, 2);
    text(t, 0, "period", "2026-03-30");
    text(t, 1, "period", "2026-04-06");
    num(t, 0, "handoffs", 1); /* h4 Apr 2 */
    /* week of Apr 6: h9 on Apr 9 */
    num(t, 1, "handoffs", 1);
    num(t, 1, "within_target_rate", 0);
    lf_table_free(t);
    /* a range with nothing at all: zero counts, null ratios and medians */
    t = run(lf_report_velocity, D(2025, 1, 1), D(2025, 3, 1), LF_BY_MONTH, ASOF_V);
    cr_assert_eq(t->nrows, 2);
    num(t, 0, "handoffs", 0);
    null(t, 0, "response_median_h");
    null(t, 0, "within_sla_rate");
    num(t, -1, "breaches", 0);
    null(t, -1, "lead_to_mql_days");
    lf_table_free(t);
    /* as-of before the range: nothing exists yet */
    t = run(lf_report_sql, FROM_V, TO_V, LF_BY_MONTH, B(2026, 2, 1, 0, 0));
    num(t, -1, "handoffs", 0);
    num(t, -1, "sqls", 0);
    lf_table_free(t);
}

Test(reports, registry)
{
    const char *names[] = {"funnel", "mql", "sql", "velocity", "speed"};
    size_t n;
    const lf_report_def *all = lf_report_list(&n);
    cr_assert_geq(n, 5);
    for (size_t i = 0; i < 5; i++) {
        const lf_report_def *d = lf_report_find(names[i]);
        cr_assert_not_null(d, "%s", names[i]);
        cr_assert_str_eq(d->name, names[i]);
        cr_assert_eq(d, &all[i]);
    }
    cr_assert_null(lf_report_find("nope"));
    cr_assert_null(lf_report_find(""));
}

Test(reports, dataset_names)
{
    /* names[0] is "" and the empty string interns to 0 */
    cr_assert_geq(ds.nnames, 1);
    cr_assert_str_eq(ds.names[0], "");
    cr_assert_eq(lf_dataset_intern(&ds, "", 0), 0);
    cr_assert_eq(lf_dataset_intern(&ds, NULL, 0), 0);
    uint32_t a = lf_dataset_intern(&ds, "paid_search", 11);
    uint32_t b = lf_dataset_intern(&ds, "organic", 7);
    cr_assert_neq(a, b);
    cr_assert_eq(lf_dataset_intern(&ds, "paid_searchXYZ", 11), a); /* length counts */
    cr_assert_str_eq(ds.names[a], "paid_search");
    cr_assert_eq(lf_dataset_name_id(&ds, "organic"), b);
    cr_assert_eq(lf_dataset_name_id(&ds, "Organic"), UINT32_MAX);
    cr_assert_eq(lf_dataset_name_id(&ds, ""), 0);
    /* many names: ids stay stable as the table grows */
    char buf[16];
    for (int i = 0; i < 1000; i++) {
        int n = snprintf(buf, sizeof buf, "n%d", i);
        cr_assert_eq(lf_dataset_intern(&ds, buf, (size_t)n), (uint32_t)(3 + i));
    }
    cr_assert_eq(lf_dataset_name_id(&ds, "n500"), 503);
    cr_assert_str_eq(ds.names[503], "n500");
    cr_assert_eq(ds.nnames, 1003);
}

/* ---- notes for the user (SPEC §7, src/report/notes.c) --------------------------------- */

/* Speed without any contacted event: the counts that need contacts are missing (not
 * 0), handoffs stay real, and a note says what to import. One contact anywhere in the
 * store makes them real numbers again, 0 included. */
Test(reports, speed_without_contacts_is_missing)
{
    lead(B(2026, 3, 2, 10, 0), "web");
    go(B(2026, 3, 3, 10, 0), LF_STAGE_MQL);
    ho(B(2026, 3, 3, 10, 0), NONE, LF_OUTCOME_PENDING, NONE, "");
    lead(B(2026, 1, 5, 10, 0), "web");
    go(B(2026, 1, 6, 10, 0), LF_STAGE_MQL);
    ho(B(2026, 1, 6, 10, 0), NONE, LF_OUTCOME_PENDING, NONE, "");
    cr_assert_eq(lf_report_inputs(&ds), LF_INPUT_ALL & ~(LF_INPUT_CONTACTS | LF_INPUT_SPEND |
                                                       LF_INPUT_TRAFFIC));
    lf_table *t = run(lf_report_speed, FROM_V, TO_V, LF_BY_MONTH, ASOF_V);
    num(t, 0, "handoffs", 1);
    null(t, 0, "contacted");
    null(t, 0, "within_target");
    null(t, 0, "within_target_rate");
    null(t, 1, "contacted");
    num(t, -1, "handoffs", 1);
    null(t, -1, "contacted");
    null(t, -1, "within_target_rate");
    cr_assert(has_note(t, "contacted, within_target, within_target_rate: missing (not 0): no "
                          "MQL in the store has a contacted event"));
    lf_table_free(t);
    /* the January handoff (outside the range) is contacted 2 h late: the store has
     * contacts, so March's 0 within target is a real 0 */
    ds.handoffs[1].first_contact_at = B(2026, 1, 6, 12, 0);
    cr_assert(lf_report_inputs(&ds) & LF_INPUT_CONTACTS);
    t = run(lf_report_speed, FROM_V, TO_V, LF_BY_MONTH, ASOF_V);
    num(t, -1, "contacted", 0);
    num(t, -1, "within_target", 0);
    num(t, -1, "within_target_rate", 0);
    cr_assert(!has_note(t, "missing"));
    lf_table_free(t);
}

/* What counts as an input being there: spend and traffic rows; a contact on some
 * handoff (none needed without handoffs); a non-zero amount on some customer (none
 * needed without customers); an empty store lacks nothing but leads. */
Test(reports, inputs_are_derived_from_the_dataset)
{
    cr_assert_eq(lf_report_inputs(&ds), LF_INPUT_ALL, "an empty store");
    lead(B(2026, 3, 2, 10, 0), "web");
    cr_assert_eq(lf_report_inputs(&ds), LF_INPUT_CONTACTS | LF_INPUT_AMOUNTS,
                 "no handoff, no customer: nothing to contact or to price");
    go(B(2026, 3, 20, 10, 0), LF_STAGE_CUSTOMER);
    cr_assert_eq(lf_report_inputs(&ds), LF_INPUT_CONTACTS, "a customer without an amount");
    ds.leads[0].revenue = 1200;
    cr_assert_eq(lf_report_inputs(&ds), LF_INPUT_CONTACTS | LF_INPUT_AMOUNTS);
    lf_ds_amount row = {D(2026, 3, 1), D(2026, 4, 1), 0, 100};
    ds.costs = &row;
    ds.ncosts = 1;
    cr_assert_eq(lf_report_inputs(&ds), LF_INPUT_ALL & ~LF_INPUT_TRAFFIC);
    ds.traffic = &row;
    ds.ntraffic = 1;
    cr_assert_eq(lf_report_inputs(&ds), LF_INPUT_ALL);
    ds.costs = ds.traffic = NULL; /* not ours to free */
    ds.ncosts = ds.ntraffic = 0;
}

static void notes_of(lf_time as_of, int32_t from, int32_t to, lf_report_notes *n)
{
    lf_report_args a = {
        .cfg = &cfg, .ds = &ds, .from_day = from, .to_day = to, .by = LF_BY_MONTH, .as_of = as_of};
    lf_report_notes_make(&a, "all", LF_NOTES_RANGE | LF_NOTES_INPUTS, n);
}

/* The empty-range hint in Berlin local dates: the store's span runs from the first
 * lead created to the last thing recorded (here a won transition), the suggested
 * as-of is the 1st of the month after it, and --from only when the default range of
 * that as-of (12 months ending with its month) does not reach the first lead. */
Test(reports, empty_range_says_where_the_data_is)
{
    lf_report_notes n;
    notes_of(B(2026, 12, 15, 0, 0), D(2026, 1, 1), D(2027, 1, 1), &n);
    cr_assert_eq(n.n, 1);
    cr_assert_str_eq(n.text[0], "the store holds no leads: import leads first");

    /* created 2017-06-13 23:30 UTC = 2017-06-14 01:30 Berlin (the local date counts) */
    lead(B(2017, 6, 14, 1, 30), "web");
    lead(B(2018, 3, 1, 10, 0), "web");
    go(B(2018, 11, 14, 16, 0), LF_STAGE_CUSTOMER);
    ds.leads[1].revenue = 10; /* amounts present: no input note */
    notes_of(B(2026, 12, 15, 0, 0), D(2026, 1, 1), D(2027, 1, 1), &n);
    cr_assert_eq(n.n, 4, "the hint, then spend (cost, channel) and traffic (customers)");
    cr_assert_str_eq(n.text[0], "no leads in 2026-01-01 \xe2\x80\x93 2027-01-01; the store holds "
                                "2017-06-14 \xe2\x80\x93 2018-11-14: try --as-of 2018-12-01 "
                                "--from 2017-06-01");
    cr_assert(strncmp(n.text[1], "cost: cost, cost_per_lead", 25) == 0, "%s", n.text[1]);
    cr_assert(strncmp(n.text[2], "channel: cost,", 14) == 0, "%s", n.text[2]);
    cr_assert(strncmp(n.text[3], "customers: visitors,", 20) == 0, "%s", n.text[3]);

    /* the win is data: a range holding only it has no note */
    notes_of(B(2019, 1, 1, 0, 0), D(2018, 11, 1), D(2018, 12, 1), &n);
    cr_assert_eq(n.n, 3);
    cr_assert(strncmp(n.text[0], "cost:", 5) == 0, "%s", n.text[0]);

    /* data within 12 months: the suggested as-of alone reaches it */
    ds.leads[0].created_at = B(2018, 1, 2, 10, 0);
    ds.trans[0].ts = ds.leads[0].created_at;
    notes_of(B(2018, 1, 2, 9, 0), D(2017, 2, 1), D(2018, 2, 1), &n); /* as-of before it */
    cr_assert_str_eq(n.text[0], "no leads in 2017-02-01 \xe2\x80\x93 2018-02-01; the store holds "
                                "2018-01-02 \xe2\x80\x93 2018-11-14: try --as-of 2018-12-01");
}
