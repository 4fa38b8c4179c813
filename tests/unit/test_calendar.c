/*
 * test_calendar.c — the business clock (src/core/calendar.c).
 *
 * Hand-computed cases carry their arithmetic in comments. The independent oracle
 * for lf_bclock_between is a brute-force count: walk [a, b) in 15-minute steps and
 * ask glibc (setenv("TZ") + localtime_r) for each step's local day and time of day.
 * lf_bclock_add is checked against between by the defining property: the result d
 * is the smallest instant with between(t, d) == amount.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "leadflow/calendar.h"

#define US LF_USEC_PER_SEC
#define HOUR LF_USEC_PER_HOUR
#define MIN (60 * US)

static lf_tz *load(const char *name)
{
    lf_tz *tz = NULL;
    lf_error err;
    cr_assert_eq(lf_tz_load(&tz, name, &err), LF_OK, "%s", err.msg);
    return tz;
}

/* An instant from local ISO text in tz (or with an explicit offset). */
static lf_time at(const lf_tz *tz, const char *s)
{
    lf_time t;
    lf_error err;
    cr_assert_eq(lf_time_parse(s, strlen(s), tz, &t, NULL, &err), LF_OK, "%s", err.msg);
    return t;
}

static int32_t day(const char *s)
{
    int32_t d;
    cr_assert_eq(lf_date_parse(s, strlen(s), &d, NULL), LF_OK);
    return d;
}

static void expect_time(const lf_tz *tz, lf_time got, const char *want)
{
    char buf[48];
    lf_time_format_local(tz, got, buf, sizeof buf);
    cr_expect_str_eq(buf, want);
}

/* Holidays are owned by the calendar: give it a malloc'd sorted copy. */
static void set_holidays(lf_calendar *cal, const char *const *dates, size_t n)
{
    cal->holidays = malloc(n * sizeof *cal->holidays);
    cr_assert_not_null(cal->holidays);
    for (size_t i = 0; i < n; i++)
        cal->holidays[i] = day(dates[i]);
    cal->nholidays = n;
}

static uint64_t rng_state = 0x2545F4914F6CDD1Du;
static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* ---------------------------------------------------------------------------- */

Test(calendar, defaults_and_days)
{
    lf_tz *tz = load("Europe/Berlin");
    lf_calendar cal;
    lf_calendar_default(&cal, tz);
    cr_expect_eq(cal.workdays, 0x1f);
    cr_expect(cal.start_min == 540 && cal.end_min == 1020);
    cr_expect_eq(lf_calendar_day_length(&cal), 8 * HOUR);
    cr_expect(lf_calendar_is_business_day(&cal, day("2026-01-05")));  /* Monday */
    cr_expect(lf_calendar_is_business_day(&cal, day("2026-01-09")));  /* Friday */
    cr_expect(!lf_calendar_is_business_day(&cal, day("2026-01-10"))); /* Saturday */
    cr_expect(!lf_calendar_is_business_day(&cal, day("2026-01-11"))); /* Sunday */
    static const char *const hol[] = {"2026-01-01", "2026-01-06", "2026-01-31"};
    set_holidays(&cal, hol, 3);
    cr_expect(!lf_calendar_is_business_day(&cal, day("2026-01-01")));
    cr_expect(!lf_calendar_is_business_day(&cal, day("2026-01-06")));
    cr_expect(lf_calendar_is_business_day(&cal, day("2026-01-07")));
    lf_calendar_release(&cal);
    cr_expect_null(cal.holidays);
    cr_expect_eq(cal.nholidays, 0);
    lf_tz_free(tz);
}

Test(calendar, business_days_in_a_month)
{
    lf_calendar cal;
    lf_calendar_default(&cal, lf_tz_utc());
    /* January 2026 starts on a Thursday: Thu 1, Fri 2, then four full weeks
     * (5-9, 12-16, 19-23, 26-30) = 2 + 20 = 22 weekdays; Sat 31 is not one. */
    int32_t jan = day("2026-01-01"), feb = day("2026-02-01");
    cr_expect_eq(lf_calendar_business_days(&cal, jan, feb), 22);
    /* New Year (Thu) is a holiday, Jan 31 (a Saturday) is one too but changes
     * nothing, and Jan 6 is listed twice: 22 - 1 - 1 = 20 */
    static const char *const hol[] = {"2026-01-01", "2026-01-06", "2026-01-06", "2026-01-31"};
    set_holidays(&cal, hol, 4);
    cr_expect_eq(lf_calendar_business_days(&cal, jan, feb), 20);
    cr_expect_eq(lf_calendar_business_days(&cal, jan, jan + 1), 0);
    cr_expect_eq(lf_calendar_business_days(&cal, jan + 1, jan + 2), 1);
    cr_expect_eq(lf_calendar_business_days(&cal, feb, jan), 0);
    cr_expect_eq(lf_calendar_business_days(&cal, jan, jan), 0);
    /* February 2026: Sun 1 .. Sat 28, four weeks of 5 */
    cr_expect_eq(lf_calendar_business_days(&cal, feb, day("2026-03-01")), 20);
    /* against counting day by day, over random ranges and odd workday sets */
    for (int i = 0; i < 2000; i++) {
        cal.workdays = (uint8_t)(rnd() % 128);
        int32_t from = jan - 400 + (int32_t)(rnd() % 800), to = from + (int32_t)(rnd() % 400);
        int32_t want = 0;
        for (int32_t d = from; d < to; d++)
            want += lf_calendar_is_business_day(&cal, d);
        cr_assert_eq(lf_calendar_business_days(&cal, from, to), want);
    }
    lf_calendar_release(&cal);
}

/* ---------------------------------------------------------------------------- */

Test(bclock, friday_plus_two_business_days)
{
    lf_tz *tz = load("Europe/Berlin");
    lf_calendar cal;
    lf_calendar_default(&cal, tz);
    /* Fri 16:30 + 16bh: 0.5h Friday, 8h Monday, 7.5h Tuesday -> Tue 16:30 */
    lf_time fri = at(tz, "2026-01-09T16:30");
    lf_time due = lf_bclock_add(&cal, fri, 2 * lf_calendar_day_length(&cal));
    expect_time(tz, due, "2026-01-13T16:30:00+01:00");
    cr_expect_eq(lf_bclock_between(&cal, fri, due), 16 * HOUR);
    /* a holiday on that Monday pushes it to Wednesday */
    static const char *const hol[] = {"2026-01-12"};
    set_holidays(&cal, hol, 1);
    due = lf_bclock_add(&cal, fri, 16 * HOUR);
    expect_time(tz, due, "2026-01-14T16:30:00+01:00");
    cr_expect_eq(lf_bclock_between(&cal, fri, due), 16 * HOUR);
    cr_expect_eq(lf_bclock_between(&cal, fri, at(tz, "2026-01-13T16:30")), 8 * HOUR);
    lf_calendar_release(&cal);
    lf_tz_free(tz);
}

Test(bclock, dst_weekends)
{
    /* DST changes at night, so a span across a DST weekend holds exactly the same
     * business time; only the UTC reading of the deadline moves by an hour. */
    lf_tz *ber = load("Europe/Berlin"), *ny = load("America/New_York");
    lf_calendar cal;
    lf_calendar_default(&cal, ber);
    /* Berlin spring: Fri 2026-03-27 16:30 CET (15:30Z) -> Tue 03-31 16:30 CEST (14:30Z) */
    lf_time a = at(ber, "2026-03-27T16:30");
    lf_time d = lf_bclock_add(&cal, a, 16 * HOUR);
    expect_time(ber, d, "2026-03-31T16:30:00+02:00");
    cr_expect_eq(d, at(ber, "2026-03-31T14:30Z"));
    cr_expect_eq(lf_bclock_between(&cal, a, d), 16 * HOUR);
    cr_expect_eq(d - a, (4 * 24 - 1) * HOUR); /* the calendar clock lost an hour */
    /* Berlin autumn: Fri 2026-10-23 16:30 CEST -> Tue 10-27 16:30 CET (15:30Z) */
    a = at(ber, "2026-10-23T16:30");
    d = lf_bclock_add(&cal, a, 16 * HOUR);
    expect_time(ber, d, "2026-10-27T16:30:00+01:00");
    cr_expect_eq(lf_bclock_between(&cal, a, d), 16 * HOUR);
    cr_expect_eq(d - a, (4 * 24 + 1) * HOUR);
    /* a whole week across each change is 5 x 8h */
    cr_expect_eq(lf_bclock_between(&cal, at(ber, "2026-03-23"), at(ber, "2026-04-06")), 80 * HOUR);
    cr_expect_eq(lf_bclock_between(&cal, at(ber, "2026-10-19"), at(ber, "2026-11-02")), 80 * HOUR);

    cal.tz = ny;
    /* New York spring: Fri 2026-03-06 16:30 EST -> Tue 03-10 16:30 EDT (20:30Z) */
    a = at(ny, "2026-03-06T16:30");
    d = lf_bclock_add(&cal, a, 16 * HOUR);
    expect_time(ny, d, "2026-03-10T16:30:00-04:00");
    cr_expect_eq(d, at(ny, "2026-03-10T20:30Z"));
    cr_expect_eq(lf_bclock_between(&cal, a, d), 16 * HOUR);
    /* New York autumn: Fri 2026-10-30 16:30 EDT -> Tue 11-03 16:30 EST (21:30Z) */
    a = at(ny, "2026-10-30T16:30");
    d = lf_bclock_add(&cal, a, 16 * HOUR);
    expect_time(ny, d, "2026-11-03T16:30:00-05:00");
    cr_expect_eq(d, at(ny, "2026-11-03T21:30Z"));
    cr_expect_eq(lf_bclock_between(&cal, a, d), 16 * HOUR);
    lf_tz_free(ber);
    lf_tz_free(ny);
}

Test(bclock, outside_working_hours)
{
    lf_tz *tz = load("Europe/Berlin");
    lf_calendar cal;
    lf_calendar_default(&cal, tz);
    /* as start: the clock starts at the next working-hours start */
    expect_time(tz, lf_bclock_add(&cal, at(tz, "2026-01-10T12:00"), HOUR), /* Saturday */
                "2026-01-12T10:00:00+01:00");
    expect_time(tz, lf_bclock_add(&cal, at(tz, "2026-01-12T20:00"), HOUR), /* Mon 20:00 */
                "2026-01-13T10:00:00+01:00");
    expect_time(tz, lf_bclock_add(&cal, at(tz, "2026-01-12T07:00"), HOUR), /* Mon 07:00 */
                "2026-01-12T10:00:00+01:00");
    expect_time(tz, lf_bclock_add(&cal, at(tz, "2026-01-12T17:00"), HOUR), /* at the end */
                "2026-01-13T10:00:00+01:00");
    expect_time(tz, lf_bclock_add(&cal, at(tz, "2026-01-09T20:00"), 9 * HOUR), /* Fri night */
                "2026-01-13T10:00:00+01:00");
    /* amount 0 is the instant itself, even outside working hours */
    cr_expect_eq(lf_bclock_add(&cal, at(tz, "2026-01-10T12:00"), 0), at(tz, "2026-01-10T12:00"));
    /* as end */
    cr_expect_eq(lf_bclock_between(&cal, at(tz, "2026-01-12T09:00"), at(tz, "2026-01-12T20:00")),
                 8 * HOUR);
    cr_expect_eq(lf_bclock_between(&cal, at(tz, "2026-01-09T16:00"), at(tz, "2026-01-10T12:00")),
                 HOUR);
    cr_expect_eq(lf_bclock_between(&cal, at(tz, "2026-01-12T07:00"), at(tz, "2026-01-12T08:59")),
                 0);
    cr_expect_eq(lf_bclock_between(&cal, at(tz, "2026-01-12T10:00"), at(tz, "2026-01-13T07:00")),
                 7 * HOUR);
    /* both outside: Sat 12:00 .. Sun 12:00 is nothing; Sat .. Tue 07:00 is Monday */
    cr_expect_eq(lf_bclock_between(&cal, at(tz, "2026-01-10T12:00"), at(tz, "2026-01-11T12:00")),
                 0);
    cr_expect_eq(lf_bclock_between(&cal, at(tz, "2026-01-10T12:00"), at(tz, "2026-01-13T07:00")),
                 8 * HOUR);
    cr_expect_eq(lf_bclock_between(&cal, at(tz, "2026-01-12T20:00"), at(tz, "2026-01-13T07:00")),
                 0);
    lf_calendar_release(&cal);
    lf_tz_free(tz);
}

Test(bclock, deadline_at_end_of_day)
{
    lf_tz *tz = load("Europe/Berlin");
    lf_calendar cal;
    lf_calendar_default(&cal, tz);
    /* used up exactly at 17:00: that 17:00, not the next morning */
    expect_time(tz, lf_bclock_add(&cal, at(tz, "2026-01-12T09:00"), 8 * HOUR),
                "2026-01-12T17:00:00+01:00");
    expect_time(tz, lf_bclock_add(&cal, at(tz, "2026-01-12T16:00"), HOUR),
                "2026-01-12T17:00:00+01:00");
    expect_time(tz, lf_bclock_add(&cal, at(tz, "2026-01-10T08:00"), 8 * HOUR), /* Saturday */
                "2026-01-12T17:00:00+01:00");
    /* Fri 09:00 + 2bd: 8h Friday, 8h Monday -> Monday 17:00 */
    expect_time(tz, lf_bclock_add(&cal, at(tz, "2026-01-09T09:00"), 16 * HOUR),
                "2026-01-12T17:00:00+01:00");
    /* one microsecond more spills into the next business day */
    expect_time(tz, lf_bclock_add(&cal, at(tz, "2026-01-12T16:00"), HOUR + 1),
                "2026-01-13T09:00:00.000001+01:00");
    lf_calendar_release(&cal);
    lf_tz_free(tz);
}

Test(bclock, empty_and_reversed_spans)
{
    lf_calendar cal;
    lf_calendar_default(&cal, lf_tz_utc());
    lf_time a = at(lf_tz_utc(), "2026-01-12T10:00Z");
    cr_expect_eq(lf_bclock_between(&cal, a, a), 0);
    cr_expect_eq(lf_bclock_between(&cal, a, a - 1), 0);
    cr_expect_eq(lf_bclock_between(&cal, a + 7 * LF_USEC_PER_DAY, a), 0);
    cr_expect_eq(lf_bclock_between(&cal, a, a + 1), 1);
    /* a calendar without workdays has no business time */
    cal.workdays = 0;
    cr_expect_eq(lf_bclock_between(&cal, a, a + 30 * LF_USEC_PER_DAY), 0);
    cr_expect_eq(lf_bclock_add(&cal, a, HOUR), LF_TIME_NONE);
    cr_expect_eq(lf_bclock_add(&cal, a, 0), a);
}

Test(bclock, whole_day_hours_follow_dst)
{
    /* 00:00-24:00 every day: business time is elapsed time, so the 23h and 25h DST
     * days count as such, and any span equals b - a. */
    lf_tz *tz = load("Europe/Berlin");
    lf_calendar cal;
    lf_calendar_default(&cal, tz);
    cal.workdays = 0x7f;
    cal.start_min = 0;
    cal.end_min = 1440;
    lf_time a = at(tz, "2026-03-29"), b = at(tz, "2026-03-30");
    cr_expect_eq(lf_bclock_between(&cal, a, b), 23 * HOUR);
    a = at(tz, "2026-10-25"), b = at(tz, "2026-10-26");
    cr_expect_eq(lf_bclock_between(&cal, a, b), 25 * HOUR);
    a = at(tz, "2001-02-03T04:05:06.7");
    b = at(tz, "2031-07-08T09:10:11");
    cr_expect_eq(lf_bclock_between(&cal, a, b), b - a);
    cr_expect_eq(lf_bclock_add(&cal, a, b - a), b);
    /* with working hours across the 02:00 change, the change day is 1h short/long */
    cal.start_min = 60;
    cal.end_min = 240;
    cr_expect_eq(lf_bclock_between(&cal, at(tz, "2026-03-28"), at(tz, "2026-03-31")), 8 * HOUR);
    cr_expect_eq(lf_bclock_between(&cal, at(tz, "2026-10-24"), at(tz, "2026-10-27")), 10 * HOUR);
    lf_tz_free(tz);
}

Test(bclock, long_spans)
{
    lf_tz *tz = load("Europe/Berlin");
    lf_calendar cal;
    lf_calendar_default(&cal, tz);
    static const char *const hol[] = {"2027-01-01", "2030-12-25", "2031-05-01"};
    set_holidays(&cal, hol, 3);
    /* from one local midnight to another: 8h per business day, DST at night */
    int32_t d1 = day("2026-01-01"), d2 = day("2036-01-01");
    lf_time a = lf_day_start(tz, d1), b = lf_day_start(tz, d2);
    int64_t want = lf_calendar_business_days(&cal, d1, d2) * 8 * HOUR;
    cr_expect_eq(lf_bclock_between(&cal, a, b), want);
    lf_time due = lf_bclock_add(&cal, a, want);
    /* the last business day before 2036-01-01 is Mon 2035-12-31: its 17:00 */
    expect_time(tz, due, "2035-12-31T17:00:00+01:00");
    /* a long add is fast: a thousand 10-year deadlines */
    clock_t c0 = clock();
    for (int i = 0; i < 1000; i++) {
        lf_time t = a + (lf_time)i * 3607 * US;
        cr_assert_eq(lf_bclock_between(&cal, t, lf_bclock_add(&cal, t, want)), want);
    }
    double secs = (double)(clock() - c0) / CLOCKS_PER_SEC;
    cr_expect_lt(secs, 2.0, "1000 ten-year add+between took %.2fs", secs);
    lf_calendar_release(&cal);
    lf_tz_free(tz);
}

/* ---------------------------------------------------------------------------- */
/* Brute force with glibc as the source of local time                           */

static int64_t brute_between(const lf_calendar *cal, lf_time a, lf_time b)
{
    int64_t n = 0;
    for (lf_time t = a; t < b; t += 15 * MIN) {
        time_t tt = (time_t)(t / US);
        struct tm tm;
        cr_assert(localtime_r(&tt, &tm));
        int32_t d = lf_days_from_civil(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
        int tod = tm.tm_hour * 60 + tm.tm_min;
        if (lf_calendar_is_business_day(cal, d) && tod >= cal->start_min && tod < cal->end_min)
            n++;
    }
    return n * 15 * MIN;
}

static void compare_with_brute_force(const char *zone, const char *const *hol, size_t nhol)
{
    lf_tz *tz = load(zone);
    setenv("TZ", zone, 1);
    tzset();
    lf_calendar cal;
    lf_calendar_default(&cal, tz);
    set_holidays(&cal, hol, nhol);
    static const struct {
        uint8_t workdays;
        int start, end;
    } shapes[] = {{0x1f, 540, 1020}, {0x7f, 0, 1440}, {0x6f, 60, 240}, {0x3e, 480, 1230}};
    /* spans start within 2026, 15-minute aligned, up to three weeks long; the
     * DST weekends of 2026 are inside that year */
    lf_time base = at(tz, "2026-01-01T00:00Z");
    for (int i = 0; i < 240; i++) {
        cal.workdays = shapes[i % 4].workdays;
        cal.start_min = shapes[i % 4].start;
        cal.end_min = shapes[i % 4].end;
        lf_time a = base + (lf_time)(rnd() % (365 * 96)) * 15 * MIN;
        lf_time b = a + (lf_time)(rnd() % (21 * 96)) * 15 * MIN;
        cr_assert_eq(lf_bclock_between(&cal, a, b), brute_between(&cal, a, b), "%s shape %d", zone,
                     i % 4);
    }
    /* and right across the changes */
    static const char *const across[] = {"2026-03-26T10:00Z", "2026-10-22T10:00Z",
                                         "2026-03-06T10:00Z", "2026-10-29T10:00Z"};
    for (int s = 0; s < 4; s++)
        for (size_t k = 0; k < sizeof across / sizeof *across; k++) {
            cal.workdays = shapes[s].workdays;
            cal.start_min = shapes[s].start;
            cal.end_min = shapes[s].end;
            lf_time a = at(tz, across[k]), b = a + 6 * LF_USEC_PER_DAY;
            cr_assert_eq(lf_bclock_between(&cal, a, b), brute_between(&cal, a, b));
        }
    lf_calendar_release(&cal);
    lf_tz_free(tz);
}

Test(bclock, brute_force_berlin)
{
    static const char *const hol[] = {"2026-04-03", "2026-04-06", "2026-12-25"};
    compare_with_brute_force("Europe/Berlin", hol, 3);
}

Test(bclock, brute_force_new_york)
{
    static const char *const hol[] = {"2026-07-03", "2026-11-26"};
    compare_with_brute_force("America/New_York", hol, 2);
}

Test(bclock, brute_force_lord_howe)
{
    /* DST of 30 minutes, at 02:00 local */
    static const char *const hol[] = {"2026-01-26"};
    compare_with_brute_force("Australia/Lord_Howe", hol, 1);
}

/* ---------------------------------------------------------------------------- */
/* add is the inverse of between, and the smallest such instant                  */

static void check_add_property(const char *zone, const char *from)
{
    lf_tz *tz = load(zone);
    lf_calendar cal;
    lf_calendar_default(&cal, tz);
    static const char *const hol[] = {"2025-12-24", "2025-12-25", "2025-12-26", "2026-01-01",
                                      "2026-04-03", "2026-05-01", "2026-12-25", "2027-01-01"};
    set_holidays(&cal, hol, sizeof hol / sizeof *hol);
    static const struct {
        uint8_t workdays;
        int start, end;
    } shapes[] = {{0x1f, 540, 1020}, {0x7f, 0, 1440}, {0x6f, 60, 240}, {0x41, 600, 660}};
    lf_time base = at(tz, from);
    for (int i = 0; i < 3000; i++) {
        int s = i % 4;
        cal.workdays = shapes[s].workdays;
        cal.start_min = shapes[s].start;
        cal.end_min = shapes[s].end;
        lf_time a = base + (lf_time)(rnd() % (UINT64_C(730) * 86400 * 1000000));
        if (i % 3 == 0)
            a -= a % (15 * MIN); /* often on a boundary */
        int64_t x;
        switch (i % 5) {
        case 0:
            x = 0;
            break;
        case 1:
            x = (int64_t)(rnd() % (8 * HOUR));
            break;
        case 2:
            x = (int64_t)(rnd() % 50) * 30 * MIN;
            break; /* whole half hours */
        case 3:
            x = (int64_t)(rnd() % (400 * HOUR));
            break;
        default:
            x = (int64_t)(rnd() % (4000 * HOUR));
            break; /* years, for short days */
        }
        lf_time d = lf_bclock_add(&cal, a, x);
        cr_assert(d >= a);
        cr_assert_eq(lf_bclock_between(&cal, a, d), x, "%s shape %d: a=%lld x=%lld", zone, s,
                     (long long)a, (long long)x);
        if (x > 0)
            cr_assert_lt(lf_bclock_between(&cal, a, d - 1), x, "%s: not the smallest", zone);
        else
            cr_assert_eq(d, a);
        /* additivity: between(a, c) = between(a, m) + between(m, c) */
        lf_time m = a + (d - a) / 3;
        cr_assert_eq(lf_bclock_between(&cal, a, m) + lf_bclock_between(&cal, m, d), x);
    }
    lf_calendar_release(&cal);
    lf_tz_free(tz);
}

Test(bclock, add_property_berlin)
{
    check_add_property("Europe/Berlin", "2025-06-01T00:00Z");
}

Test(bclock, add_property_new_york)
{
    check_add_property("America/New_York", "2025-06-01T00:00Z");
}

Test(bclock, add_property_sao_paulo)
{
    /* DST starting at midnight (so some days have no 00:00), which ended in 2019 */
    check_add_property("America/Sao_Paulo", "2016-06-01T00:00Z");
}
