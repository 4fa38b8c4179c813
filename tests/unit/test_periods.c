/*
 * test_periods.c — report ranges and buckets (src/report/periods.c), SPEC §5.
 *
 * Every expected boundary and label is written by hand: ISO weeks start on Monday and
 * a week bucket is labelled with its Monday even when the range cuts it; quarters are
 * calendar quarters; the first and last bucket are cut to the range; boundaries are
 * local midnights in the zone (Europe/Berlin: CET = UTC+1, CEST = UTC+2 from
 * 2026-03-29 02:00 local to 2026-10-25 03:00 local).
 */
#include <criterion/criterion.h>
#include <string.h>

#include "leadflow/report.h"

static lf_tz *berlin;

static void setup(void)
{
    lf_error err;
    cr_assert_eq(lf_tz_load(&berlin, "Europe/Berlin", &err), LF_OK, "%s", err.msg);
}

static void teardown(void)
{
    lf_tz_free(berlin);
}

TestSuite(periods, .init = setup, .fini = teardown);

#define DAY(y, m, d) lf_days_from_civil(y, m, d)
/* An instant given in UTC. */
static lf_time utc(int y, int mo, int d, int h, int mi)
{
    return ((lf_time)DAY(y, mo, d) * 86400 + h * 3600 + mi * 60) * LF_USEC_PER_SEC;
}

Test(periods, by_names)
{
    lf_by by;
    cr_assert(lf_by_parse("week", &by));
    cr_assert_eq(by, LF_BY_WEEK);
    cr_assert(lf_by_parse("quarter", &by));
    cr_assert_eq(by, LF_BY_QUARTER);
    cr_assert_not(lf_by_parse("weeks", &by));
    cr_assert_not(lf_by_parse("", &by));
    cr_assert_not(lf_by_parse("Month", &by));
    cr_assert_str_eq(lf_by_name(LF_BY_DAY), "day");
    cr_assert_str_eq(lf_by_name(LF_BY_YEAR), "year");
}

Test(periods, default_range)
{
    int32_t from, to;
    /* as-of 2026-03-15: the 12 months Apr 2025 .. Mar 2026 */
    lf_default_range(berlin, utc(2026, 3, 15, 12, 0), &from, &to);
    cr_assert_eq(from, DAY(2025, 4, 1));
    cr_assert_eq(to, DAY(2026, 4, 1));
    /* 2026-01-31T23:30Z is 2026-02-01 00:30 in Berlin: the range ends with February */
    lf_default_range(berlin, utc(2026, 1, 31, 23, 30), &from, &to);
    cr_assert_eq(from, DAY(2025, 3, 1));
    cr_assert_eq(to, DAY(2026, 3, 1));
    /* ... but with January in UTC; a NULL zone is UTC */
    lf_default_range(NULL, utc(2026, 1, 31, 23, 30), &from, &to);
    cr_assert_eq(from, DAY(2025, 2, 1));
    cr_assert_eq(to, DAY(2026, 2, 1));
    /* December: Jan .. Dec of the same year */
    lf_default_range(lf_tz_utc(), utc(2026, 12, 31, 0, 0), &from, &to);
    cr_assert_eq(from, DAY(2026, 1, 1));
    cr_assert_eq(to, DAY(2027, 1, 1));
}

Test(periods, labels)
{
    char b[16];
    lf_period_label(LF_BY_DAY, DAY(2026, 1, 7), b, sizeof b);
    cr_assert_str_eq(b, "2026-01-07");
    /* 2026-01-07 is a Wednesday: its ISO week starts Monday 2026-01-05 */
    lf_period_label(LF_BY_WEEK, DAY(2026, 1, 7), b, sizeof b);
    cr_assert_str_eq(b, "2026-01-05");
    /* 2026-01-01 is a Thursday: its week starts Monday 2025-12-29 */
    lf_period_label(LF_BY_WEEK, DAY(2026, 1, 1), b, sizeof b);
    cr_assert_str_eq(b, "2025-12-29");
    /* a Sunday belongs to the week of the Monday before it */
    lf_period_label(LF_BY_WEEK, DAY(2026, 1, 11), b, sizeof b);
    cr_assert_str_eq(b, "2026-01-05");
    lf_period_label(LF_BY_MONTH, DAY(2026, 2, 28), b, sizeof b);
    cr_assert_str_eq(b, "2026-02");
    lf_period_label(LF_BY_QUARTER, DAY(2026, 3, 31), b, sizeof b);
    cr_assert_str_eq(b, "2026-Q1");
    lf_period_label(LF_BY_QUARTER, DAY(2026, 4, 1), b, sizeof b);
    cr_assert_str_eq(b, "2026-Q2");
    lf_period_label(LF_BY_QUARTER, DAY(2026, 12, 31), b, sizeof b);
    cr_assert_str_eq(b, "2026-Q4");
    lf_period_label(LF_BY_YEAR, DAY(2026, 7, 4), b, sizeof b);
    cr_assert_str_eq(b, "2026");
}

Test(periods, weeks_cut_to_range)
{
    lf_periods p;
    lf_error err;
    /* [Thu 2026-01-01, Tue 2026-01-20): Jan 1-4 (cut), Jan 5-11, Jan 12-18, Jan 19 (cut) */
    cr_assert_eq(
        lf_periods_make(lf_tz_utc(), LF_BY_WEEK, DAY(2026, 1, 1), DAY(2026, 1, 20), &p, &err),
        LF_OK);
    cr_assert_eq(p.n, 4);
    int32_t days[] = {DAY(2026, 1, 1), DAY(2026, 1, 5), DAY(2026, 1, 12), DAY(2026, 1, 19),
                      DAY(2026, 1, 20)};
    const char *labels[] = {"2025-12-29", "2026-01-05", "2026-01-12", "2026-01-19"};
    for (size_t i = 0; i <= p.n; i++) {
        cr_assert_eq(p.day[i], days[i], "day %zu", i);
        cr_assert_eq(p.start[i], (lf_time)days[i] * LF_USEC_PER_DAY, "start %zu", i);
        if (i < p.n)
            cr_assert_str_eq(p.label[i], labels[i]);
    }
    lf_periods_release(&p);
}

Test(periods, quarters_and_years)
{
    lf_periods p;
    lf_error err;
    /* [2025-11-15, 2026-05-01): Q4 2025 from Nov 15 (cut), Q1 2026, Q2 2026 to May 1 (cut) */
    cr_assert_eq(
        lf_periods_make(berlin, LF_BY_QUARTER, DAY(2025, 11, 15), DAY(2026, 5, 1), &p, &err),
        LF_OK);
    cr_assert_eq(p.n, 3);
    cr_assert_eq(p.day[1], DAY(2026, 1, 1));
    cr_assert_eq(p.day[2], DAY(2026, 4, 1));
    cr_assert_str_eq(p.label[0], "2025-Q4");
    cr_assert_str_eq(p.label[1], "2026-Q1");
    cr_assert_str_eq(p.label[2], "2026-Q2");
    /* 2026-04-01 00:00 CEST = 2026-03-31 22:00 UTC; 2026-01-01 00:00 CET = 2025-12-31 23:00 */
    cr_assert_eq(p.start[1], utc(2025, 12, 31, 23, 0));
    cr_assert_eq(p.start[2], utc(2026, 3, 31, 22, 0));
    lf_periods_release(&p);

    cr_assert_eq(lf_periods_make(berlin, LF_BY_YEAR, DAY(2025, 6, 1), DAY(2027, 1, 1), &p, &err),
                 LF_OK);
    cr_assert_eq(p.n, 2);
    cr_assert_str_eq(p.label[0], "2025");
    cr_assert_str_eq(p.label[1], "2026");
    cr_assert_eq(p.day[1], DAY(2026, 1, 1));
    lf_periods_release(&p);

    /* a single day inside one month gives one bucket labelled with the month */
    cr_assert_eq(lf_periods_make(berlin, LF_BY_MONTH, DAY(2026, 2, 10), DAY(2026, 2, 11), &p, &err),
                 LF_OK);
    cr_assert_eq(p.n, 1);
    cr_assert_str_eq(p.label[0], "2026-02");
    lf_periods_release(&p);
}

Test(periods, dst_days)
{
    lf_periods p;
    lf_error err;
    /* days Mar 28 .. Mar 30 2026 in Berlin; DST starts Sunday Mar 29 at 02:00 */
    cr_assert_eq(lf_periods_make(berlin, LF_BY_DAY, DAY(2026, 3, 28), DAY(2026, 3, 31), &p, &err),
                 LF_OK);
    cr_assert_eq(p.n, 3);
    cr_assert_eq(p.start[0], utc(2026, 3, 27, 23, 0)); /* Mar 28 00:00 CET */
    cr_assert_eq(p.start[1], utc(2026, 3, 28, 23, 0)); /* Mar 29 00:00 CET */
    cr_assert_eq(p.start[2], utc(2026, 3, 29, 22, 0)); /* Mar 30 00:00 CEST */
    cr_assert_eq(p.start[3], utc(2026, 3, 30, 22, 0));
    /* Mar 29 is 23 hours long */
    cr_assert_eq(p.start[2] - p.start[1], 23 * LF_USEC_PER_HOUR);
    cr_assert_str_eq(p.label[1], "2026-03-29");
    /* 2026-03-29T22:30Z is Mar 30 00:30 CEST: bucket 2; 21:59Z is Mar 29 23:59: bucket 1 */
    cr_assert_eq(lf_periods_find(&p, utc(2026, 3, 29, 22, 30)), 2);
    cr_assert_eq(lf_periods_find(&p, utc(2026, 3, 29, 21, 59)), 1);
    lf_periods_release(&p);

    /* fall back Sunday Oct 25 2026 03:00 CEST -> 02:00 CET: a 25-hour day */
    cr_assert_eq(lf_periods_make(berlin, LF_BY_DAY, DAY(2026, 10, 25), DAY(2026, 10, 27), &p, &err),
                 LF_OK);
    cr_assert_eq(p.start[0], utc(2026, 10, 24, 22, 0));
    cr_assert_eq(p.start[1], utc(2026, 10, 25, 23, 0));
    cr_assert_eq(p.start[1] - p.start[0], 25 * LF_USEC_PER_HOUR);
    lf_periods_release(&p);
}

Test(periods, midnight_that_does_not_exist)
{
    /* America/Santiago springs forward at 24:00 on the first Saturday of September:
     * 2026-09-06 00:00 -04 does not exist, the day begins at 01:00 -03 = 04:00 UTC
     * (the transition instant). Sep 5 begins at 00:00 -04 = 04:00 UTC too, so Sep 5 is
     * 24 hours long and Sep 6 is 23 (Sep 7 begins at 00:00 -03 = 03:00 UTC). */
    lf_tz *scl;
    lf_error err;
    cr_assert_eq(lf_tz_load(&scl, "America/Santiago", &err), LF_OK, "%s", err.msg);
    lf_periods p;
    cr_assert_eq(lf_periods_make(scl, LF_BY_DAY, DAY(2026, 9, 5), DAY(2026, 9, 7), &p, &err),
                 LF_OK);
    cr_assert_eq(p.start[0], utc(2026, 9, 5, 4, 0));
    cr_assert_eq(p.start[1], utc(2026, 9, 6, 4, 0));
    cr_assert_eq(p.start[2], utc(2026, 9, 7, 3, 0));
    lf_periods_release(&p);
    lf_tz_free(scl);
}

Test(periods, find)
{
    lf_periods p;
    lf_error err;
    /* months Jan-Mar 2026 in UTC */
    cr_assert_eq(
        lf_periods_make(lf_tz_utc(), LF_BY_MONTH, DAY(2026, 1, 1), DAY(2026, 4, 1), &p, &err),
        LF_OK);
    cr_assert_eq(p.n, 3);
    cr_assert_eq(lf_periods_find(&p, utc(2025, 12, 31, 23, 59)), -1);
    cr_assert_eq(lf_periods_find(&p, utc(2026, 1, 1, 0, 0)), 0); /* start is inclusive */
    cr_assert_eq(lf_periods_find(&p, utc(2026, 1, 31, 23, 59)), 0);
    cr_assert_eq(lf_periods_find(&p, utc(2026, 2, 1, 0, 0)), 1);
    cr_assert_eq(lf_periods_find(&p, utc(2026, 3, 31, 23, 59)), 2);
    cr_assert_eq(lf_periods_find(&p, utc(2026, 4, 1, 0, 0)), -1); /* end is exclusive */
    cr_assert_eq(lf_periods_find(&p, LF_TIME_NONE), -1);
    lf_periods_release(&p);
}

Test(periods, bad_ranges)
{
    lf_periods p;
    lf_error err;
    cr_assert_eq(lf_periods_make(berlin, LF_BY_DAY, DAY(2026, 1, 2), DAY(2026, 1, 2), &p, &err),
                 LF_EUSAGE);
    cr_assert_eq(lf_periods_make(berlin, LF_BY_DAY, DAY(2026, 1, 2), DAY(2026, 1, 1), &p, &err),
                 LF_EUSAGE);
    /* one day per bucket over 1000 years is refused, not allocated */
    cr_assert_eq(lf_periods_make(berlin, LF_BY_DAY, DAY(1500, 1, 1), DAY(2500, 1, 1), &p, &err),
                 LF_EUSAGE);
    cr_assert(strstr(err.msg, "range too long") != NULL, "%s", err.msg);
    /* ... but by year it is fine: 1000 buckets */
    cr_assert_eq(
        lf_periods_make(lf_tz_utc(), LF_BY_YEAR, DAY(1500, 1, 1), DAY(2500, 1, 1), &p, &err),
        LF_OK);
    cr_assert_eq(p.n, 1000);
    cr_assert_str_eq(p.label[999], "2499");
    lf_periods_release(&p);
}
