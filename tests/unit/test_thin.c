/*
 * test_thin.c — boundaries the rest of the suite did not pin (issue 10), on the
 * report functions directly (no store, no CLI text):
 *
 *   Within SLA means decided at or before the deadline; overdue means pending with the deadline before as-of.
 *
 * (SPEC §3, docs/DECISIONS.md "SLA deadline"), on a calendar clock (48h) and on a
 * business clock (2bd, a deadline at a closing time), to the microsecond; and the
 * speed-to-lead target, "first contact at most the target after mql_at" (SPEC §5).
 *
 * Europe/Berlin (CET in January), Mon–Fri 09:00–17:00, holidays 2026-01-01 etc. (not
 * in the weeks used). 2026-01-12 is a Monday.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "ds_fixture.h"
#include "leadflow/report.h"

#define US 1 /* one microsecond */
#define H LF_USEC_PER_HOUR

static void sla_calendar_48h(void)
{
    cfg.has_sla = true;
    cfg.sla.clock = LF_CLOCK_CALENDAR;
    cfg.sla.usec = 48 * H;
    memcpy(cfg.sla.text, "48h", 4);
}

static void sla_business_2bd(void)
{
    cfg.has_sla = true;
    cfg.sla.clock = LF_CLOCK_BUSINESS;
    cfg.sla.usec = 2 * lf_calendar_day_length(&cfg.calendar); /* 16 business hours */
    memcpy(cfg.sla.text, "2bd", 4);
}

static void setup(void)
{
    ds_setup_config(true);
    ds_setup_dataset(false);
}

TestSuite(thin, .init = setup, .fini = ds_teardown);

/* One lead created at 08:00 on the day of mql_at, with one handoff. */
static void handoff(lf_time mql_at, lf_time decided_at, lf_time first_contact)
{
    lf_civil c;
    lf_time_to_local(berlin, mql_at, &c);
    ds_lead(B(c.year, c.month, c.day, 8, 0), 0, name("web"), 0);
    go(mql_at, LF_STAGE_MQL);
    if (decided_at != NONE)
        go(decided_at, LF_STAGE_SQL);
    ds_handoff(mql_at, decided_at, decided_at != NONE ? LF_OUTCOME_ACCEPTED : LF_OUTCOME_PENDING,
               first_contact, name(""));
}

/* velocity over the week of 2026-01-12 as of as_of: overdue_pending and breaches. */
static void overdue_at(lf_time as_of, double want)
{
    lf_table *t = run(lf_report_velocity, D(2026, 1, 12), D(2026, 1, 19), LF_BY_WEEK, as_of);
    num(t, -1, "decided", 0);
    num(t, -1, "overdue_pending", want);
    num(t, -1, "breaches", want);
    lf_table_free(t);
}

/* Pending, mql_at Mon 01-12 09:00: deadline Wed 01-14 09:00 on 48h. */
Test(thin, overdue_boundary_calendar_clock)
{
    sla_calendar_48h();
    lf_time deadline = B(2026, 1, 14, 9, 0);
    handoff(B(2026, 1, 12, 9, 0), NONE, NONE);
    overdue_at(deadline - US, 0);
    overdue_at(deadline, 0); /* the deadline is not before as-of */
    overdue_at(deadline + US, 1);
}

/* Pending, mql_at Mon 01-12 09:00: 2bd = Mon 8 bh + Tue 8 bh, deadline Tue 01-13 17:00,
 * a closing time: at 17:00 exactly not overdue, a microsecond later overdue although no
 * business time has passed since. */
Test(thin, overdue_boundary_business_clock_at_closing_time)
{
    sla_business_2bd();
    lf_time deadline = B(2026, 1, 13, 17, 0);
    handoff(B(2026, 1, 12, 9, 0), NONE, NONE);
    overdue_at(deadline - US, 0);
    overdue_at(deadline, 0);
    overdue_at(deadline + US, 1);
    overdue_at(B(2026, 1, 14, 8, 59), 1); /* still before the next opening */
}

/* Three handoffs decided at deadline - 1 µs, at the deadline, at deadline + 1 µs: the
 * first two within SLA, the third late. as-of long after. */
static void decided_around(lf_time mql_at, lf_time deadline)
{
    handoff(mql_at, deadline - US, NONE);
    handoff(mql_at, deadline, NONE);
    handoff(mql_at, deadline + US, NONE);
    lf_table *t = run(lf_report_velocity, D(2026, 1, 12), D(2026, 1, 19), LF_BY_WEEK,
                      B(2026, 2, 1, 0, 0));
    num(t, -1, "handoffs", 3);
    num(t, -1, "decided", 3);
    num(t, -1, "within_sla", 2);
    num(t, -1, "within_sla_rate", 2.0 / 3);
    num(t, -1, "overdue_pending", 0);
    num(t, -1, "breaches", 1);
    lf_table_free(t);
}

Test(thin, within_sla_boundary_calendar_clock)
{
    sla_calendar_48h();
    decided_around(B(2026, 1, 12, 10, 0), B(2026, 1, 14, 10, 0));
}

Test(thin, within_sla_boundary_business_clock_at_closing_time)
{
    sla_business_2bd();
    decided_around(B(2026, 1, 12, 9, 0), B(2026, 1, 13, 17, 0));
}

/* A decision at 17:01 on the day whose closing time was the deadline is late (SPEC §3),
 * though its response time on the business clock is exactly the SLA. */
Test(thin, decided_after_closing_time_is_late)
{
    sla_business_2bd();
    handoff(B(2026, 1, 12, 9, 0), B(2026, 1, 13, 17, 1), NONE);
    lf_table *t = run(lf_report_velocity, D(2026, 1, 12), D(2026, 1, 19), LF_BY_WEEK,
                      B(2026, 2, 1, 0, 0));
    num(t, -1, "response_mean_h", 16);
    num(t, -1, "within_sla", 0);
    num(t, -1, "breaches", 1);
    lf_table_free(t);
}

/* speed: first contact exactly the target (1h) after mql_at is within target, one
 * microsecond more is not (SPEC §5: "at most the target"). */
Test(thin, speed_target_boundary)
{
    sla_calendar_48h();
    lf_time m = B(2026, 1, 12, 10, 0);
    handoff(m, NONE, m + H);
    handoff(m, NONE, m + H + US);
    lf_table *t = run(lf_report_speed, D(2026, 1, 12), D(2026, 1, 19), LF_BY_WEEK,
                      B(2026, 2, 1, 0, 0));
    num(t, -1, "handoffs", 2);
    num(t, -1, "contacted", 2);
    num(t, -1, "within_target", 1);
    num(t, -1, "within_target_rate", 0.5);
    lf_table_free(t);
}
