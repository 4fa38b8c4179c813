/*
 * test_time.c — civil dates, zones, ISO 8601 (src/core/time.c).
 *
 * Expected values are either computed by hand (the arithmetic is in the comments) or
 * come from an independent oracle: glibc's own TZif and POSIX TZ reader
 * (setenv("TZ") + tzset + localtime_r), compared over many instants per zone.
 * Synthetic TZif files (written here, byte by byte) exercise the reader and every
 * footer rule form; TZDIR points lf_tz_load at them.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "leadflow/time.h"

#define US LF_USEC_PER_SEC
#define H(x) ((int64_t)(x)*3600)

static lf_tz *load(const char *name)
{
    lf_tz *tz = NULL;
    lf_error err;
    lf_status st = lf_tz_load(&tz, name, &err);
    cr_assert_eq(st, LF_OK, "load %s: %s", name, err.msg);
    return tz;
}

static lf_time parse(const lf_tz *tz, const char *s)
{
    lf_time t = 0;
    lf_error err;
    lf_status st = lf_time_parse(s, strlen(s), tz, &t, NULL, &err);
    cr_assert_eq(st, LF_OK, "parse '%s': %s", s, err.msg);
    return t;
}

static void parse_fails(const lf_tz *tz, const char *s, size_t n)
{
    lf_time t = 12345;
    lf_error err;
    lf_error_clear(&err);
    cr_expect_eq(lf_time_parse(s, n, tz, &t, NULL, &err), LF_EINPUT, "'%.*s' accepted", (int)n, s);
    cr_expect_eq(t, 12345, "output written on error for '%.*s'", (int)n, s);
    cr_expect(strncmp(err.msg, "bad timestamp '", 15) == 0, "message: %s", err.msg);
}

/* Seconds since the epoch of a UTC civil time, by the textbook day count: days of the
 * whole years since 1970, then of the whole months, then the day. Independent of the
 * March-based formula under test. */
static int64_t utc(int y, int mo, int d, int h, int mi, int s)
{
    static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int64_t days = 0;
    for (int yy = 1970; yy < y; yy++)
        days += 365 + ((yy % 4 == 0 && yy % 100 != 0) || yy % 400 == 0);
    for (int yy = y; yy < 1970; yy++)
        days -= 365 + ((yy % 4 == 0 && yy % 100 != 0) || yy % 400 == 0);
    for (int m = 1; m < mo; m++)
        days += mdays[m - 1] + (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
    days += d - 1;
    return days * 86400 + h * 3600 + mi * 60 + s;
}

static uint64_t rng_state = 0x9E3779B97F4A7C15u;
static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* ---------------------------------------------------------------------------- */
/* Civil dates                                                                   */

Test(civil, known_days)
{
    cr_expect_eq(lf_days_from_civil(1970, 1, 1), 0);
    cr_expect_eq(lf_days_from_civil(1969, 12, 31), -1);
    /* 2000-03-01: 30 years * 365 + 7 leap days (72..96) = 10957 to 2000-01-01, + 31 + 29 */
    cr_expect_eq(lf_days_from_civil(2000, 3, 1), 10957 + 60);
    /* 2026-01-05: 56 years * 365 + 14 leap days (72..2024) = 20454, + 4 */
    cr_expect_eq(lf_days_from_civil(2026, 1, 5), 20458);
    cr_expect_eq(lf_weekday(20458), 0); /* 2026-01-05 is a Monday */
    cr_expect_eq(lf_weekday(0), 3);     /* 1970-01-01 was a Thursday */
    cr_expect_eq(lf_weekday(-1), 2);
    cr_expect_eq(lf_weekday(lf_days_from_civil(2026, 3, 29)), 6); /* a Sunday */
}

Test(civil, round_trip_and_textbook_count)
{
    for (int32_t d = -800000; d <= 800000; d += 97) {
        int y, m, dd;
        lf_civil_from_days(d, &y, &m, &dd);
        cr_assert_eq(lf_days_from_civil(y, m, dd), d, "day %d", d);
        cr_assert(m >= 1 && m <= 12 && dd >= 1 && dd <= lf_days_in_month(y, m));
    }
    for (int y = 1600; y <= 2400; y += 7)
        for (int m = 1; m <= 12; m++)
            cr_assert_eq((int64_t)lf_days_from_civil(y, m, 15) * 86400, utc(y, m, 15, 0, 0, 0),
                         "%d-%d", y, m);
    /* consecutive days are consecutive dates with weekdays cycling */
    int py, pm, pd;
    lf_civil_from_days(-1000, &py, &pm, &pd);
    for (int32_t d = -999; d < 30000; d++) {
        int y, m, dd;
        lf_civil_from_days(d, &y, &m, &dd);
        bool next = (y == py && m == pm && dd == pd + 1) ||
                    (y == py && m == pm + 1 && dd == 1 && pd == lf_days_in_month(py, pm)) ||
                    (y == py + 1 && m == 1 && dd == 1 && pm == 12 && pd == 31);
        cr_assert(next, "%d-%d-%d after %d-%d-%d", y, m, dd, py, pm, pd);
        cr_assert_eq(lf_weekday(d), (lf_weekday(d - 1) + 1) % 7);
        py = y, pm = m, pd = dd;
    }
}

Test(civil, month_lengths)
{
    cr_expect_eq(lf_days_in_month(2024, 2), 29);
    cr_expect_eq(lf_days_in_month(2026, 2), 28);
    cr_expect_eq(lf_days_in_month(1900, 2), 28);
    cr_expect_eq(lf_days_in_month(2000, 2), 29);
    cr_expect_eq(lf_days_in_month(2026, 4), 30);
    cr_expect_eq(lf_days_in_month(2026, 12), 31);
}

/* ---------------------------------------------------------------------------- */
/* Zones against glibc                                                           */

static void glibc_zone(const char *tzval)
{
    setenv("TZ", tzval, 1);
    tzset();
}

static void glibc_local(int64_t secs, struct tm *tm)
{
    time_t tt = (time_t)secs;
    cr_assert(localtime_r(&tt, tm) != NULL);
}

static void expect_same_as_glibc(const lf_tz *tz, int64_t secs, const char *what)
{
    struct tm tm;
    lf_civil c;
    glibc_local(secs, &tm);
    lf_time t = secs * US + 250000;
    lf_time_to_local(tz, t, &c);
    cr_assert_eq(lf_tz_offset(tz, t), (int32_t)tm.tm_gmtoff, "%s: offset at %lld", what,
                 (long long)secs);
    cr_assert(c.year == tm.tm_year + 1900 && c.month == tm.tm_mon + 1 && c.day == tm.tm_mday &&
                  c.hour == tm.tm_hour && c.min == tm.tm_min && c.sec == tm.tm_sec &&
                  c.usec == 250000 && c.offset == tm.tm_gmtoff && c.wday == (tm.tm_wday + 6) % 7,
              "%s at %lld: ours %04d-%02d-%02d %02d:%02d:%02d %+d, glibc %04d-%02d-%02d "
              "%02d:%02d:%02d %+ld",
              what, (long long)secs, c.year, c.month, c.day, c.hour, c.min, c.sec, c.offset,
              tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
              tm.tm_gmtoff);
    cr_assert_eq(lf_local_day(tz, t),
                 lf_days_from_civil(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday));
}

/* glibc's answer for local time L (seconds, as if UTC) under the policy of time.h:
 * every offset seen within +-27h is a candidate; a candidate instant is a solution
 * if glibc reads it back as L; the earliest solution wins; with none (a gap), L is
 * read with the offset in force just before the gap. */
static int64_t glibc_from_local(int64_t L)
{
    long offs[24];
    int n = 0;
    for (int k = -9; k <= 9; k++) {
        struct tm tm;
        glibc_local(L + k * 3 * 3600, &tm);
        bool seen = false;
        for (int j = 0; j < n; j++)
            seen |= offs[j] == tm.tm_gmtoff;
        if (!seen)
            offs[n++] = tm.tm_gmtoff;
    }
    int64_t best = INT64_MAX;
    long omax = offs[0];
    for (int j = 0; j < n; j++) {
        struct tm tm;
        int64_t t = L - offs[j];
        glibc_local(t, &tm);
        if (t + tm.tm_gmtoff == L && t < best)
            best = t;
        if (offs[j] > omax)
            omax = offs[j];
    }
    if (best != INT64_MAX)
        return best;
    struct tm tm;
    glibc_local(L - omax, &tm); /* before the jump */
    return L - tm.tm_gmtoff;
}

static void expect_from_local_as_glibc(const lf_tz *tz, int64_t L, const char *what)
{
    lf_civil c = {0};
    int64_t days = L / 86400 - (L % 86400 < 0), sod = L - days * 86400;
    lf_civil_from_days((int32_t)days, &c.year, &c.month, &c.day);
    c.hour = (int)(sod / 3600), c.min = (int)(sod / 60 % 60), c.sec = (int)(sod % 60);
    c.usec = 7;
    int64_t want = glibc_from_local(L);
    lf_time got = lf_time_from_local(tz, &c);
    cr_assert_eq(got, want * US + 7, "%s: local %04d-%02d-%02d %02d:%02d:%02d -> %lld, glibc %lld",
                 what, c.year, c.month, c.day, c.hour, c.min, c.sec, (long long)(got / US),
                 (long long)want);
}

static void compare_zone_with_glibc(const char *name)
{
    lf_tz *tz = load(name);
    glibc_zone(name);
    cr_assert_str_eq(lf_tz_name(tz), name);
    /* random instants 1850..2150 */
    int64_t from = utc(1850, 1, 1, 0, 0, 0), to = utc(2150, 1, 1, 0, 0, 0);
    for (int64_t s = from; s < to; s += 3600 + (int64_t)(rnd() % (3 * 86400)))
        expect_same_as_glibc(tz, s, name);
    /* every transition we report, 1850..2150: glibc must see the change there too */
    int ntrans = 0;
    for (lf_time t = lf_tz_next_transition(tz, from * US); t != LF_TIME_NONE && t < to * US;
         t = lf_tz_next_transition(tz, t)) {
        int64_t s = t / US;
        struct tm before, at;
        glibc_local(s - 1, &before);
        glibc_local(s, &at);
        cr_assert_neq(before.tm_gmtoff, at.tm_gmtoff, "%s: no change at %lld", name, (long long)s);
        expect_same_as_glibc(tz, s - 1, name);
        expect_same_as_glibc(tz, s, name);
        /* local times around both readings of the change */
        if (ntrans++ % 3 == 0)
            for (int64_t d = -5400; d <= 5400; d += 900) {
                expect_from_local_as_glibc(tz, s + before.tm_gmtoff + d, name);
                expect_from_local_as_glibc(tz, s + at.tm_gmtoff + d, name);
            }
    }
    /* every zone here but UTC changes offset in 1850..2150: a transition walk that
     * found none would have checked nothing above */
    if (strcmp(name, "UTC") != 0)
        cr_assert_gt(ntrans, 0, "%s: no transition found", name);
    /* random local times 1900..2100 */
    for (int i = 0; i < 600; i++) {
        int64_t L = utc(1900, 1, 1, 0, 0, 0) + (int64_t)(rnd() % (200 * 365 * 86400ull));
        expect_from_local_as_glibc(tz, L, name);
    }
    lf_tz_free(tz);
}

Test(zone_glibc, berlin)
{
    compare_zone_with_glibc("Europe/Berlin");
}
Test(zone_glibc, new_york)
{
    compare_zone_with_glibc("America/New_York");
}
Test(zone_glibc, kolkata)
{
    compare_zone_with_glibc("Asia/Kolkata");
}
Test(zone_glibc, lord_howe)
{
    compare_zone_with_glibc("Australia/Lord_Howe");
}
Test(zone_glibc, sao_paulo)
{
    compare_zone_with_glibc("America/Sao_Paulo");
}
Test(zone_glibc, utc)
{
    compare_zone_with_glibc("UTC");
}
Test(zone_glibc, more_zones)
{
    /* negative DST (Dublin), 24:00/25:00 rule times (Chile, Jerusalem), +13:45 (Chatham) */
    compare_zone_with_glibc("Europe/Dublin");
    compare_zone_with_glibc("America/Santiago");
    compare_zone_with_glibc("Asia/Jerusalem");
    compare_zone_with_glibc("Pacific/Chatham");
}

/* ---------------------------------------------------------------------------- */
/* DST edges, by hand                                                            */

Test(dst, berlin_2026)
{
    lf_tz *tz = load("Europe/Berlin");
    /* spring forward Sun 2026-03-29: 02:00 CET -> 03:00 CEST at 01:00Z.
     * 02:30 does not exist: read with CET (+1): 01:30Z, which shows as 03:30 CEST */
    lf_time t = parse(tz, "2026-03-29T02:30");
    cr_expect_eq(t, utc(2026, 3, 29, 1, 30, 0) * US);
    char buf[48];
    lf_time_format_local(tz, t, buf, sizeof buf);
    cr_expect_str_eq(buf, "2026-03-29T03:30:00+02:00");
    cr_expect_eq(parse(tz, "2026-03-29T01:59:59"), utc(2026, 3, 29, 0, 59, 59) * US);
    cr_expect_eq(parse(tz, "2026-03-29T03:00"), utc(2026, 3, 29, 1, 0, 0) * US);
    cr_expect_eq(lf_tz_offset(tz, utc(2026, 3, 29, 0, 59, 59) * US), 3600);
    cr_expect_eq(lf_tz_offset(tz, utc(2026, 3, 29, 1, 0, 0) * US), 7200);
    /* fall back Sun 2026-10-25: 03:00 CEST -> 02:00 CET at 01:00Z; 02:30 happens at
     * 00:30Z (CEST) and 01:30Z (CET): the earlier */
    cr_expect_eq(parse(tz, "2026-10-25T02:30"), utc(2026, 10, 25, 0, 30, 0) * US);
    cr_expect_eq(parse(tz, "2026-10-25T02:30+01:00"), utc(2026, 10, 25, 1, 30, 0) * US);
    cr_expect_eq(parse(tz, "2026-10-25T03:00"), utc(2026, 10, 25, 2, 0, 0) * US);
    /* the day lengths: 23h and 25h */
    int32_t d = lf_days_from_civil(2026, 3, 29);
    cr_expect_eq(lf_day_start(tz, d + 1) - lf_day_start(tz, d), 23 * LF_USEC_PER_HOUR);
    d = lf_days_from_civil(2026, 10, 25);
    cr_expect_eq(lf_day_start(tz, d + 1) - lf_day_start(tz, d), 25 * LF_USEC_PER_HOUR);
    /* the transitions themselves */
    lf_time n = lf_tz_next_transition(tz, utc(2026, 1, 1, 0, 0, 0) * US);
    cr_expect_eq(n, utc(2026, 3, 29, 1, 0, 0) * US);
    cr_expect_eq(lf_tz_next_transition(tz, n), utc(2026, 10, 25, 1, 0, 0) * US);
    cr_expect_eq(lf_tz_next_transition(tz, n - 1), n);
    /* far beyond the table (2037): the footer rule. 2300-03-31 is a Saturday
     * (Python's datetime agrees), so the last Sunday of March 2300 is the 25th */
    cr_expect_eq(lf_weekday(lf_days_from_civil(2300, 3, 31)), 5);
    cr_expect_eq(lf_tz_next_transition(tz, utc(2300, 1, 1, 0, 0, 0) * US),
                 utc(2300, 3, 25, 1, 0, 0) * US);
    lf_tz_free(tz);
}

Test(dst, new_york_2026)
{
    lf_tz *tz = load("America/New_York");
    /* Sun 2026-03-08: 02:00 EST -> 03:00 EDT at 07:00Z; 02:30 read as EST: 07:30Z */
    cr_expect_eq(parse(tz, "2026-03-08T02:30"), utc(2026, 3, 8, 7, 30, 0) * US);
    cr_expect_eq(parse(tz, "2026-03-08T01:59"), utc(2026, 3, 8, 6, 59, 0) * US);
    cr_expect_eq(parse(tz, "2026-03-08T03:00"), utc(2026, 3, 8, 7, 0, 0) * US);
    /* Sun 2026-11-01: 02:00 EDT -> 01:00 EST at 06:00Z; 01:30 is 05:30Z (EDT) first */
    cr_expect_eq(parse(tz, "2026-11-01T01:30"), utc(2026, 11, 1, 5, 30, 0) * US);
    cr_expect_eq(parse(tz, "2026-11-01T02:00"), utc(2026, 11, 1, 7, 0, 0) * US);
    cr_expect_eq(lf_tz_offset(tz, utc(2026, 11, 1, 5, 59, 59) * US), -4 * 3600);
    cr_expect_eq(lf_tz_offset(tz, utc(2026, 11, 1, 6, 0, 0) * US), -5 * 3600);
    char buf[48];
    lf_time_format_local(tz, utc(2026, 11, 1, 6, 30, 0) * US, buf, sizeof buf);
    cr_expect_str_eq(buf, "2026-11-01T01:30:00-05:00");
    lf_tz_free(tz);
}

Test(dst, midnight_gap_sao_paulo)
{
    lf_tz *tz = load("America/Sao_Paulo");
    /* Sun 2018-11-04 began DST at 00:00 -03 -> 01:00 -02, i.e. at 03:00Z: the day has
     * no midnight, it begins at 03:00Z (reading 01:00) */
    int32_t d = lf_days_from_civil(2018, 11, 4);
    cr_expect_eq(lf_day_start(tz, d), utc(2018, 11, 4, 3, 0, 0) * US);
    bool date_only = false;
    lf_time t;
    lf_error err;
    cr_assert_eq(lf_time_parse("2018-11-04", 10, tz, &t, &date_only, &err), LF_OK);
    cr_expect(date_only);
    cr_expect_eq(t, utc(2018, 11, 4, 3, 0, 0) * US);
    /* 00:30 is in the gap: read with -03 -> 03:30Z */
    cr_expect_eq(parse(tz, "2018-11-04T00:30"), utc(2018, 11, 4, 3, 30, 0) * US);
    cr_expect_eq(lf_local_day(tz, utc(2018, 11, 4, 2, 59, 59) * US), d - 1);
    cr_expect_eq(lf_local_day(tz, utc(2018, 11, 4, 3, 0, 0) * US), d);
    /* since 2019 no DST: fixed -03 */
    cr_expect_eq(lf_tz_offset(tz, utc(2026, 1, 15, 12, 0, 0) * US), -3 * 3600);
    lf_tz_free(tz);
}

/* ---------------------------------------------------------------------------- */
/* ISO 8601                                                                      */

Test(iso, forms)
{
    lf_tz *tz = load("Europe/Berlin");
    int64_t z10 = utc(2026, 1, 5, 10, 0, 0); /* 2026-01-05T10:00:00Z; Berlin is +01 */
    bool date_only = true;
    lf_time t;
    lf_error err;
    cr_assert_eq(lf_time_parse("2026-01-05T10:00", 16, tz, &t, &date_only, &err), LF_OK);
    cr_expect_eq(t, (z10 - 3600) * US); /* no offset: Berlin local time */
    cr_expect(!date_only);
    cr_assert_eq(lf_time_parse("2026-01-05", 10, tz, &t, &date_only, &err), LF_OK);
    cr_expect(date_only);
    cr_expect_eq(t, utc(2026, 1, 4, 23, 0, 0) * US); /* local midnight = 23:00Z */
    cr_expect_eq(parse(tz, "2026-01-05T10:00:00"), (z10 - 3600) * US);
    cr_expect_eq(parse(tz, "2026-01-05 10:00:00"), (z10 - 3600) * US);
    cr_expect_eq(parse(tz, "2026-01-05t10:00:00"), (z10 - 3600) * US);
    cr_expect_eq(parse(tz, "2026-01-05T10:00:00Z"), z10 * US);
    cr_expect_eq(parse(tz, "2026-01-05T10:00Z"), z10 * US);
    cr_expect_eq(parse(tz, "2026-01-05T10:00:00+02:00"), (z10 - 7200) * US);
    cr_expect_eq(parse(tz, "2026-01-05T10:00:00+0200"), (z10 - 7200) * US);
    cr_expect_eq(parse(tz, "2026-01-05T10:00:00+02"), (z10 - 7200) * US);
    cr_expect_eq(parse(tz, "2026-01-05T10:00-05:30"), (z10 + 5 * 3600 + 1800) * US);
    cr_expect_eq(parse(tz, "2026-01-05T10:00:00-00:00"), z10 * US);
    cr_expect_eq(parse(tz, "2026-01-05T10:00:00.5Z"), z10 * US + 500000);
    cr_expect_eq(parse(tz, "2026-01-05T10:00:00,25Z"), z10 * US + 250000);
    cr_expect_eq(parse(tz, "2026-01-05T10:00:00.123456Z"), z10 * US + 123456);
    cr_expect_eq(parse(tz, "2026-01-05T10:00:00.1234569Z"), z10 * US + 123456); /* truncated */
    cr_expect_eq(parse(tz, "2026-01-05T10:00:00.000001+01:00"), (z10 - 3600) * US + 1);
    cr_expect_eq(parse(tz, "1969-12-31T23:59:59.5Z"), -500000);
    cr_expect_eq(parse(lf_tz_utc(), "2026-01-05T10:00"), z10 * US);
    /* input need not be NUL-terminated: only n bytes are read */
    cr_assert_eq(lf_time_parse("2026-01-05T10:00Zgarbage", 17, tz, &t, NULL, &err), LF_OK);
    cr_expect_eq(t, z10 * US);
    lf_tz_free(tz);
}

Test(iso, leap_days_and_errors)
{
    const lf_tz *tz = lf_tz_utc();
    cr_expect_eq(parse(tz, "2024-02-29"), utc(2024, 2, 29, 0, 0, 0) * US);
    cr_expect_eq(parse(tz, "2000-02-29T12:00Z"), utc(2000, 2, 29, 12, 0, 0) * US);
    lf_time t;
    lf_error err;
    cr_assert_eq(lf_time_parse("2026-02-30", 10, tz, &t, NULL, &err), LF_EINPUT);
    cr_expect_str_eq(err.msg, "bad timestamp '2026-02-30'");
    static const char *bad[] = {
        "2026-02-29",
        "1900-02-29",
        "2026-04-31",
        "2026-13-01",
        "2026-00-10",
        "2026-01-00",
        "2026-01-05T24:00",
        "2026-01-05T10:61",
        "2026-01-05T10:60",
        "2026-01-05T10:00:60",
        "2026-01-05T10:00:61",
        "2026-01-05T10:00Zjunk",
        "2026-01-05T10:00:00+02:00x",
        "",
        " 2026-01-05",
        "2026-01-05 ",
        "2026-01-05T10:00 ",
        "2026-1-5",
        "26-01-05",
        "2026/01/05",
        "2026-01-05T10",
        "2026-01-05T1:00",
        "2026-01-05T10:0",
        "2026-01-05T10:00:00.",
        "2026-01-05T10:00.5",
        "2026-01-05T10:00+02:",
        "2026-01-05T10:00+2",
        "2026-01-05T10:00+02:0",
        "2026-01-05T10:00+020",
        "2026-01-05T10:00+24:00",
        "2026-01-05T10:00+02:60",
        "2026-01-05Z",
        "2026-01-05X10:00",
        "2026-01-05T",
        "2026-01-05T10:00:00Z ",
        "x",
        "2026-01-05T10:00ZZ",
        "+2026-01-05",
        "2026-01-05T-1:00",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        parse_fails(tz, bad[i], strlen(bad[i]));
    parse_fails(tz, "2026-01-05\0", 11);         /* an embedded NUL is garbage too */
    parse_fails(tz, "2026-01-05T10:00:00Z", 17); /* cut short: ends in "00:" */
    /* a long input is quoted shortened */
    char longs[300];
    memset(longs, '9', sizeof longs);
    cr_assert_eq(lf_time_parse(longs, sizeof longs, tz, &t, NULL, &err), LF_EINPUT);
    cr_expect(strlen(err.msg) < 100, "%s", err.msg);
    /* NULL err is allowed */
    cr_expect_eq(lf_time_parse("nope", 4, tz, &t, NULL, NULL), LF_EINPUT);
}

Test(iso, date_and_month)
{
    int32_t d;
    lf_error err;
    cr_assert_eq(lf_date_parse("2026-01-05", 10, &d, &err), LF_OK);
    cr_expect_eq(d, 20458);
    cr_expect_eq(lf_date_parse("2024-02-29", 10, &d, &err), LF_OK);
    cr_expect_eq(lf_date_parse("2026-02-29", 10, &d, &err), LF_EINPUT);
    cr_expect_str_eq(err.msg, "bad date '2026-02-29'");
    cr_expect_eq(lf_date_parse("2026-01-05T00:00", 16, &d, &err), LF_EINPUT);
    cr_expect_eq(lf_date_parse("", 0, &d, &err), LF_EINPUT);
    int y, m;
    cr_assert_eq(lf_month_parse("2026-02", 7, &y, &m, &err), LF_OK);
    cr_expect(y == 2026 && m == 2);
    cr_expect_eq(lf_month_parse("2026-13", 7, &y, &m, &err), LF_EINPUT);
    cr_expect_str_eq(err.msg, "bad month '2026-13'");
    cr_expect_eq(lf_month_parse("2026-00", 7, &y, &m, &err), LF_EINPUT);
    cr_expect_eq(lf_month_parse("2026-1", 6, &y, &m, &err), LF_EINPUT);
    cr_expect_eq(lf_month_parse("2026-01-01", 10, &y, &m, &err), LF_EINPUT);
}

Test(iso, parse_format_round_trip)
{
    lf_tz *zones[3] = {load("Europe/Berlin"), load("Asia/Kolkata"), load("America/New_York")};
    for (int i = 0; i < 3000; i++) {
        lf_tz *tz = zones[i % 3];
        lf_time t = (lf_time)(rnd() % (UINT64_C(4000000000) * US)) - INT64_C(1000000000) * US;
        if (i % 2)
            t -= t % US; /* whole seconds too */
        char a[48], b[48];
        lf_time_format_utc(t, a, sizeof a);
        lf_time_format_local(tz, t, b, sizeof b);
        cr_assert_eq(parse(tz, a), t, "%s", a);
        cr_assert_eq(parse(tz, b), t, "%s", b);
    }
    for (int i = 0; i < 3; i++)
        lf_tz_free(zones[i]);
}

/* ---------------------------------------------------------------------------- */
/* Formatting                                                                    */

Test(format, utc_and_local)
{
    char buf[48];
    cr_expect_eq(lf_time_format_utc(0, buf, sizeof buf), 20);
    cr_expect_str_eq(buf, "1970-01-01T00:00:00Z");
    lf_time_format_utc(utc(2026, 1, 5, 10, 0, 0) * US + 500000, buf, sizeof buf);
    cr_expect_str_eq(buf, "2026-01-05T10:00:00.5Z");
    lf_time_format_utc(utc(2026, 1, 5, 10, 0, 0) * US + 123, buf, sizeof buf);
    cr_expect_str_eq(buf, "2026-01-05T10:00:00.000123Z");
    lf_time_format_utc(-1, buf, sizeof buf);
    cr_expect_str_eq(buf, "1969-12-31T23:59:59.999999Z");
    /* a short buffer is cut and NUL-terminated; the length says what was written */
    cr_expect_eq(lf_time_format_utc(0, buf, 5), 4);
    cr_expect_str_eq(buf, "1970");

    lf_tz *ber = load("Europe/Berlin"), *kol = load("Asia/Kolkata"), *ny = load("America/New_York");
    lf_time t = utc(2026, 1, 5, 10, 0, 0) * US;
    lf_time_format_local(ber, t, buf, sizeof buf);
    cr_expect_str_eq(buf, "2026-01-05T11:00:00+01:00");
    lf_time_format_local(kol, t, buf, sizeof buf);
    cr_expect_str_eq(buf, "2026-01-05T15:30:00+05:30");
    lf_time_format_local(ny, t, buf, sizeof buf);
    cr_expect_str_eq(buf, "2026-01-05T05:00:00-05:00");
    lf_time_format_local(lf_tz_utc(), t, buf, sizeof buf);
    cr_expect_str_eq(buf, "2026-01-05T10:00:00+00:00");
    /* Berlin local mean time before 1893: +0:53:28 */
    lf_time_format_local(ber, utc(1850, 6, 1, 12, 0, 0) * US, buf, sizeof buf);
    cr_expect_str_eq(buf, "1850-06-01T12:53:28+00:53:28");
    cr_expect_eq(lf_date_format(20458, buf, sizeof buf), 10);
    cr_expect_str_eq(buf, "2026-01-05");
    lf_date_format(-1, buf, sizeof buf);
    cr_expect_str_eq(buf, "1969-12-31");
    lf_tz_free(ber);
    lf_tz_free(kol);
    lf_tz_free(ny);
}

/* ---------------------------------------------------------------------------- */
/* Loading: names, errors, synthetic TZif files                                  */

Test(load, bad_names)
{
    static const char *names[] = {
        "Mars/Base",      "",       "../etc/passwd",  "Europe/../../etc/passwd",
        "/etc/localtime", "Europe", "Europe/Berlin ", "Europe\\Berlin",
        "Europe/Berlin/"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        lf_tz *tz = (lf_tz *)1;
        lf_error err;
        cr_expect_eq(lf_tz_load(&tz, names[i], &err), LF_ECONFIG, "'%s' loaded", names[i]);
        cr_expect_null(tz);
        char want[128];
        snprintf(want, sizeof want, "unknown time zone '%s'", names[i]);
        cr_expect_str_eq(err.msg, want);
    }
}

Test(load, leap_second_zones_refused)
{
    if (access("/usr/share/zoneinfo/right/UTC", R_OK) != 0)
        cr_skip_test("no right/ zones installed");
    lf_tz *tz;
    lf_error err;
    cr_expect_eq(lf_tz_load(&tz, "right/UTC", &err), LF_ECONFIG);
    cr_expect(strstr(err.msg, "'right/UTC'") && strstr(err.msg, "leap seconds"), "%s", err.msg);
}

static char tzdir[64];

static void make_tzdir(void)
{
    snprintf(tzdir, sizeof tzdir, "/tmp/lf_tzdir_XXXXXX");
    cr_assert_not_null(mkdtemp(tzdir));
    setenv("TZDIR", tzdir, 1);
}

static void remove_tzdir(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tzdir);
    cr_expect_eq(system(cmd), 0);
    unsetenv("TZDIR");
}

static void write_file(const char *name, const void *data, size_t n)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", tzdir, name);
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    cr_assert_eq(fwrite(data, 1, n, f), n);
    fclose(f);
}

static size_t put32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24), p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8), p[3] = (unsigned char)v;
    return 4;
}

/* A TZif file: transitions at[i] to type idx[i]; types with utoff[] (isdst 0, "XXX");
 * version '2' (both sections) or 0 (v1 only); footer written for v2. */
static size_t make_tzif(unsigned char *buf, char version, const int64_t *at,
                        const unsigned char *idx, uint32_t nt, const int32_t *utoff,
                        uint32_t ntypes, const char *footer)
{
    size_t n = 0;
    for (int pass = 0; pass < (version ? 2 : 1); pass++) {
        unsigned w = pass ? 8 : 4;
        memcpy(buf + n, "TZif", 4);
        buf[n + 4] = (unsigned char)version;
        memset(buf + n + 5, 0, 15);
        n += 20;
        n += put32(buf + n, 0);      /* isut */
        n += put32(buf + n, 0);      /* isstd */
        n += put32(buf + n, 0);      /* leap */
        n += put32(buf + n, nt);     /* time */
        n += put32(buf + n, ntypes); /* type */
        n += put32(buf + n, 4);      /* chars */
        for (uint32_t i = 0; i < nt; i++) {
            if (w == 8)
                n += put32(buf + n, (uint32_t)((uint64_t)at[i] >> 32));
            n += put32(buf + n, (uint32_t)at[i]);
        }
        for (uint32_t i = 0; i < nt; i++)
            buf[n++] = idx[i];
        for (uint32_t i = 0; i < ntypes; i++) {
            n += put32(buf + n, (uint32_t)utoff[i]);
            buf[n++] = 0;
            buf[n++] = 0;
        }
        memcpy(buf + n, "XXX", 4);
        n += 4;
    }
    if (version) {
        n += (size_t)snprintf((char *)buf + n, 256, "\n%s\n", footer);
    }
    return n;
}

/* A zone that is only a footer rule, compared with glibc reading the same POSIX TZ
 * string, 1970..2100. */
static void compare_rule_with_glibc(const char *rule)
{
    unsigned char buf[512];
    int32_t off0 = 0;
    size_t n = make_tzif(buf, '2', NULL, NULL, 0, &off0, 1, rule);
    write_file("Rule", buf, n);
    lf_tz *tz = load("Rule");
    glibc_zone(rule);
    int64_t from = utc(1970, 1, 1, 0, 0, 0), to = utc(2100, 1, 1, 0, 0, 0);
    for (int64_t s = from; s < to; s += 3600 + (int64_t)(rnd() % (5 * 86400)))
        expect_same_as_glibc(tz, s, rule);
    int k = 0;
    for (lf_time t = lf_tz_next_transition(tz, from * US); t != LF_TIME_NONE && t < to * US;
         t = lf_tz_next_transition(tz, t), k++) {
        expect_same_as_glibc(tz, t / US - 1, rule);
        expect_same_as_glibc(tz, t / US, rule);
    }
    cr_expect_gt(k, 200, "%s: %d transitions", rule, k);
    lf_tz_free(tz);
}

Test(load, footer_rules_against_glibc, .init = make_tzdir, .fini = remove_tzdir)
{
    static const char *rules[] = {
        "CET-1CEST,M3.5.0,M10.5.0/3",                   /* Europe/Berlin */
        "EST5EDT,M3.2.0,M11.1.0",                       /* America/New_York */
        "AEST-10AEDT,M10.1.0,M4.1.0/3",                 /* southern hemisphere */
        "<+1030>-10:30<+11>-11,M10.1.0,M4.1.0",         /* Lord Howe: 30 minutes of DST */
        "IST-1GMT0,M10.5.0,M3.5.0/1",                   /* Dublin: negative DST */
        "<-02>2<-01>,M3.5.0/-1,M10.5.0/0",              /* negative rule time */
        "IST-2IDT,M3.4.4/26,M10.5.0",                   /* rule time past 24h */
        "EET-2EEST,M3.4.4/50,M10.4.4/50",               /* rule time past 48h */
        "<-04>4<-03>,M9.1.6/24,M4.1.6/24",              /* Santiago */
        "<+1245>-12:45<+1345>,M9.5.0/2:45,M4.1.0/3:45", /* Chatham */
        "XST3XDT,J60/2,J300/2",                         /* Jn: never counts Feb 29 */
        "XST3XDT,59/2,299/2",                           /* n: zero-based, counts Feb 29 */
        "NST3:30NDT2:30,M3.2.0/0:01,M11.1.0/0:01:30",   /* explicit DST offset, h:mm:ss */
    };
    for (size_t i = 0; i < sizeof rules / sizeof *rules; i++)
        compare_rule_with_glibc(rules[i]);
}

Test(load, footer_rules_by_hand, .init = make_tzdir, .fini = remove_tzdir)
{
    unsigned char buf[512];
    int32_t off0 = 0;
    /* fixed, quoted names */
    write_file("Plus3", buf, make_tzif(buf, '2', NULL, NULL, 0, &off0, 1, "<+03>-3"));
    lf_tz *tz = load("Plus3");
    cr_expect_eq(lf_tz_offset(tz, utc(2026, 6, 1, 0, 0, 0) * US), 3 * 3600);
    cr_expect_eq(lf_tz_next_transition(tz, 0), LF_TIME_NONE);
    lf_tz_free(tz);
    write_file("Minus0930", buf, make_tzif(buf, '2', NULL, NULL, 0, &off0, 1, "<-0930>9:30"));
    tz = load("Minus0930");
    cr_expect_eq(lf_tz_offset(tz, 0), -(9 * 3600 + 1800));
    lf_tz_free(tz);
    /* J60 in a leap year is March 1 (Feb 29 is not counted); "59" (zero-based) is Feb 29 */
    write_file("J", buf, make_tzif(buf, '2', NULL, NULL, 0, &off0, 1, "XST3XDT,J60/2,J300/2"));
    tz = load("J");
    /* 2024-03-01 02:00 at -03 = 05:00Z */
    cr_expect_eq(lf_tz_next_transition(tz, utc(2024, 1, 1, 0, 0, 0) * US),
                 utc(2024, 3, 1, 5, 0, 0) * US);
    lf_tz_free(tz);
    write_file("N", buf, make_tzif(buf, '2', NULL, NULL, 0, &off0, 1, "XST3XDT,59/2,299/2"));
    tz = load("N");
    cr_expect_eq(lf_tz_next_transition(tz, utc(2024, 1, 1, 0, 0, 0) * US),
                 utc(2024, 2, 29, 5, 0, 0) * US);
    cr_expect_eq(lf_tz_next_transition(tz, utc(2025, 1, 1, 0, 0, 0) * US),
                 utc(2025, 3, 1, 5, 0, 0) * US);
    lf_tz_free(tz);
    /* permanent DST: "DST" from Jan 1 00:00 standard to Dec 31 25:00 DST = all year */
    write_file("Perm", buf, make_tzif(buf, '2', NULL, NULL, 0, &off0, 1, "EST5EDT,0/0,J365/25"));
    tz = load("Perm");
    cr_expect_eq(lf_tz_offset(tz, utc(2026, 1, 1, 2, 0, 0) * US), -4 * 3600);
    cr_expect_eq(lf_tz_offset(tz, utc(2026, 1, 1, 5, 0, 0) * US), -4 * 3600);
    cr_expect_eq(lf_tz_offset(tz, utc(2026, 7, 1, 0, 0, 0) * US), -4 * 3600);
    cr_expect_eq(lf_tz_offset(tz, utc(2026, 12, 31, 23, 0, 0) * US), -4 * 3600);
    cr_expect_eq(lf_tz_next_transition(tz, 0), LF_TIME_NONE);
    lf_tz_free(tz);
    /* no rule part: the US rule. 2026-03-08 02:00 at +02 = 00:00Z */
    write_file("Def", buf, make_tzif(buf, '2', NULL, NULL, 0, &off0, 1, "XST-2XDT"));
    tz = load("Def");
    cr_expect_eq(lf_tz_next_transition(tz, utc(2026, 1, 1, 0, 0, 0) * US),
                 utc(2026, 3, 8, 0, 0, 0) * US);
    cr_expect_eq(lf_tz_offset(tz, utc(2026, 7, 1, 0, 0, 0) * US), 3 * 3600);
    lf_tz_free(tz);
}

Test(load, table_then_footer, .init = make_tzdir, .fini = remove_tzdir)
{
    /* +01 until 2000-01-01Z, then +02 (type 1) until 2010-01-01Z, then +03 (type 2, a
     * redundant second entry), then the footer, which says CET/CEST. */
    unsigned char buf[1024];
    int64_t at[3] = {utc(2000, 1, 1, 0, 0, 0), utc(2010, 1, 1, 0, 0, 0), utc(2012, 1, 1, 0, 0, 0)};
    unsigned char idx[3] = {1, 2, 3};
    int32_t offs[4] = {3600, 7200, 10800, 10800};
    write_file("Tab", buf, make_tzif(buf, '2', at, idx, 3, offs, 4, "CET-1CEST,M3.5.0,M10.5.0/3"));
    lf_tz *tz = load("Tab");
    cr_expect_eq(lf_tz_offset(tz, (at[0] - 1) * US), 3600);
    cr_expect_eq(lf_tz_offset(tz, at[0] * US), 7200);
    cr_expect_eq(lf_tz_offset(tz, at[1] * US), 10800);
    cr_expect_eq(lf_tz_offset(tz, (at[2] - 1) * US), 10800);
    cr_expect_eq(lf_tz_offset(tz, at[2] * US), 3600); /* January: CET */
    cr_expect_eq(lf_tz_next_transition(tz, 0), at[0] * US);
    cr_expect_eq(lf_tz_next_transition(tz, at[0] * US), at[1] * US);
    cr_expect_eq(lf_tz_next_transition(tz, at[1] * US), at[2] * US); /* redundant skipped */
    cr_expect_eq(lf_tz_next_transition(tz, at[2] * US), utc(2012, 3, 25, 1, 0, 0) * US);
    lf_tz_free(tz);

    /* the same table as a v1-only file: no footer, last offset forever */
    write_file("V1", buf, make_tzif(buf, 0, at, idx, 3, offs, 4, ""));
    tz = load("V1");
    cr_expect_eq(lf_tz_offset(tz, at[0] * US), 7200);
    cr_expect_eq(lf_tz_offset(tz, utc(2026, 7, 1, 0, 0, 0) * US), 10800);
    cr_expect_eq(lf_tz_next_transition(tz, at[1] * US), LF_TIME_NONE);
    lf_tz_free(tz);
}

Test(load, malformed_files, .init = make_tzdir, .fini = remove_tzdir)
{
    unsigned char buf[1024];
    int64_t at[2] = {100, 50}; /* out of order */
    unsigned char idx[2] = {0, 0};
    int32_t off = 0;
    size_t n = make_tzif(buf, '2', at, idx, 2, &off, 1, "UTC0");
    write_file("Order", buf, n);
    at[1] = 200;
    idx[1] = 7; /* no such type */
    write_file("Type", buf, make_tzif(buf, '2', at, idx, 2, &off, 1, "UTC0"));
    n = make_tzif(buf, '2', NULL, NULL, 0, &off, 1, "CET-1CEST,M13.5.0,M10.5.0/3");
    write_file("Footer", buf, n);
    n = make_tzif(buf, '2', NULL, NULL, 0, &off, 1, "CET-1CEST,M3.5.0,M10.5.0/3");
    write_file("Cut", buf, n / 2);
    write_file("Empty", "", 0);
    write_file("Text", "hello world, this is not a zone file at all......", 50);
    static const char *names[] = {"Order", "Type", "Footer", "Cut", "Empty", "Text"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        lf_tz *tz = (lf_tz *)1;
        lf_error err;
        cr_expect_eq(lf_tz_load(&tz, names[i], &err), LF_ECONFIG, "%s loaded", names[i]);
        cr_expect_null(tz);
        char q[32];
        snprintf(q, sizeof q, "'%s'", names[i]);
        cr_expect(strstr(err.msg, q), "%s", err.msg);
    }
    /* footers of every shape that must be refused */
    static const char *bad[] = {"X0",
                                "CET",
                                "CET-1CEST,M3.5.0",
                                "CET-1CEST,M3.6.0,M10.5.0",
                                "CET-1CEST,M3.5.7,M10.5.0",
                                "CET-1CEST,J0,J365",
                                "CET-1CEST,366,J365",
                                "<+0>-3",
                                "<+03-3",
                                "CET-25",
                                "CET-1CEST,M3.5.0/168,M10.5.0",
                                "CET-1 "};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        write_file("Bad", buf, make_tzif(buf, '2', NULL, NULL, 0, &off, 1, bad[i]));
        lf_tz *tz;
        cr_expect_eq(lf_tz_load(&tz, "Bad", NULL), LF_ECONFIG, "footer '%s' accepted", bad[i]);
    }
}

Test(load, utc_without_files, .init = make_tzdir, .fini = remove_tzdir)
{
    /* TZDIR is an empty directory: UTC still works, real zones do not */
    const lf_tz *u = lf_tz_utc();
    cr_expect_str_eq(lf_tz_name(u), "UTC");
    cr_expect_eq(lf_tz_offset(u, 123456789), 0);
    lf_tz_free((lf_tz *)u); /* harmless */
    lf_tz *tz = load("UTC");
    cr_expect_eq(lf_tz_offset(tz, 0), 0);
    cr_expect_eq(lf_tz_next_transition(tz, 0), LF_TIME_NONE);
    cr_expect_eq(parse(tz, "2026-01-05T10:00"), utc(2026, 1, 5, 10, 0, 0) * US);
    lf_tz_free(tz);
    lf_error err;
    cr_expect_eq(lf_tz_load(&tz, "Europe/Berlin", &err), LF_ECONFIG);
    cr_expect_str_eq(err.msg, "unknown time zone 'Europe/Berlin'");
}

/* ---------------------------------------------------------------------------- */
/* Many zones at once, no global state                                           */

Test(zones, independent_values)
{
    lf_tz *a = load("Europe/Berlin"), *b = load("Asia/Kolkata");
    lf_time t = utc(2026, 7, 1, 12, 0, 0) * US;
    cr_expect_eq(lf_tz_offset(a, t), 7200);
    cr_expect_eq(lf_tz_offset(b, t), 19800);
    cr_expect_eq(lf_tz_offset(lf_tz_utc(), t), 0);
    lf_tz_free(a);
    lf_tz_free(b);
    lf_tz_free(NULL);
}
