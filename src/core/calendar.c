/*
 * calendar.c — the business clock of SPEC §3 (see leadflow/calendar.h).
 *
 * Used by the lifecycle engine for SLA deadlines and response times measured in
 * business hours/days. Only time inside the working hours of business days counts;
 * a day's working interval is [start, end) computed for that local day with
 * lf_time_from_local, so a DST change inside working hours makes that day longer or
 * shorter by the real elapsed difference, and one at night changes nothing.
 *
 * Long spans are not walked day by day. The business time of a run of whole days is
 *     nominal day length x business days (arithmetic: weeks x workdays, minus the
 *     holidays in the run found by binary search)
 *   + for each offset change of the zone inside the run (lf_tz_next_transition),
 *     the difference between the real and the nominal length of the days next to it.
 * A day at least one full day away from every offset change has exactly the
 * nominal length, so this equals the day-by-day sum; lf_bclock_add uses the same
 * sum to jump whole weeks and walks only the last one or two weeks day by day, so
 * add and between agree exactly: between(t, add(t, x)) == x.
 *
 * Invariants: holidays are sorted (duplicates tolerated); a calendar without any
 * workday or with end <= start has no business time (add returns LF_TIME_NONE, as
 * it does for a deadline beyond the range of lf_time).
 */
#include <stdlib.h>

#include "leadflow/calendar.h"

/* Past this day number (either way) an instant no longer fits an lf_time; instants
 * are clamped to +-LIMIT so day arithmetic cannot overflow. */
#define DAY_LIMIT 100000000
#define LIMIT (DAY_LIMIT * LF_USEC_PER_DAY)
/* A jump of lf_bclock_add covers at most ~100 years of days. */
#define MAX_JUMP_DAYS (7 * 5218)

void lf_calendar_default(lf_calendar *cal, const lf_tz *tz)
{
    cal->tz = tz;
    cal->workdays = 0x1f;
    cal->start_min = 9 * 60;
    cal->end_min = 17 * 60;
    cal->holidays = NULL;
    cal->nholidays = 0;
}

void lf_calendar_release(lf_calendar *cal)
{
    free(cal->holidays);
    cal->holidays = NULL;
    cal->nholidays = 0;
}

int64_t lf_calendar_day_length(const lf_calendar *cal)
{
    int64_t m = (int64_t)cal->end_min - cal->start_min;
    return m > 0 ? m * 60 * LF_USEC_PER_SEC : 0;
}

/* Index of the first holiday >= d. */
static size_t holiday_lower(const lf_calendar *cal, int32_t d)
{
    size_t lo = 0, hi = cal->nholidays;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cal->holidays[mid] < d)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static bool is_workday(const lf_calendar *cal, int32_t d)
{
    return (cal->workdays >> lf_weekday(d)) & 1u;
}

static int popcount7(unsigned bits)
{
    int n = 0;
    for (int i = 0; i < 7; i++)
        n += (bits >> i) & 1u;
    return n;
}

bool lf_calendar_is_business_day(const lf_calendar *cal, int32_t days)
{
    if (!is_workday(cal, days))
        return false;
    size_t i = holiday_lower(cal, days);
    return !(i < cal->nholidays && cal->holidays[i] == days);
}

/* Workdays in [from, to), holidays ignored: whole weeks, then the remainder. */
static int64_t workdays_between(const lf_calendar *cal, int64_t from, int64_t to)
{
    int64_t n = to - from, count = n / 7 * popcount7(cal->workdays);
    int wd = lf_weekday((int32_t)from);
    for (int64_t i = 0; i < n % 7; i++)
        count += (cal->workdays >> ((wd + i) % 7)) & 1u;
    return count;
}

int32_t lf_calendar_business_days(const lf_calendar *cal, int32_t from, int32_t to)
{
    if (to <= from)
        return 0;
    int64_t count = workdays_between(cal, from, to);
    for (size_t i = holiday_lower(cal, from); i < cal->nholidays && cal->holidays[i] < to; i++) {
        if (i > 0 && cal->holidays[i] == cal->holidays[i - 1])
            continue;
        if (is_workday(cal, cal->holidays[i]))
            count--;
    }
    return (int32_t)count;
}

/* The working interval [*ws, *we) of local day d (we >= ws). */
static void work_span(const lf_calendar *cal, int32_t d, lf_time *ws, lf_time *we)
{
    lf_civil c = {0};
    lf_civil_from_days(d, &c.year, &c.month, &c.day);
    c.hour = cal->start_min / 60;
    c.min = cal->start_min % 60;
    *ws = lf_time_from_local(cal->tz, &c);
    int32_t ed = d + cal->end_min / 1440;
    if (ed != d)
        lf_civil_from_days(ed, &c.year, &c.month, &c.day);
    c.hour = cal->end_min % 1440 / 60;
    c.min = cal->end_min % 60;
    *we = lf_time_from_local(cal->tz, &c);
    if (*we < *ws)
        *we = *ws;
}

/* Business time of local day d inside [a, b). */
static int64_t day_part(const lf_calendar *cal, int32_t d, lf_time a, lf_time b)
{
    if (!lf_calendar_is_business_day(cal, d))
        return 0;
    lf_time ws, we;
    work_span(cal, d, &ws, &we);
    lf_time lo = a > ws ? a : ws, hi = b < we ? b : we;
    return hi > lo ? hi - lo : 0;
}

/* Business time of the whole local days [d1, d2): see the design comment. */
static int64_t whole_days(const lf_calendar *cal, int32_t d1, int32_t d2)
{
    if (d2 <= d1)
        return 0;
    int64_t len = lf_calendar_day_length(cal);
    int64_t total = (int64_t)lf_calendar_business_days(cal, d1, d2) * len;
    lf_time t = lf_day_start(cal->tz, d1) - 2 * LF_USEC_PER_DAY;
    lf_time stop = lf_day_start(cal->tz, d2) + 2 * LF_USEC_PER_DAY;
    int32_t done = d1 - 1; /* days already corrected */
    for (;;) {
        t = lf_tz_next_transition(cal->tz, t);
        if (t == LF_TIME_NONE || t >= stop)
            break;
        int32_t dt = lf_local_day(cal->tz, t);
        int32_t from = dt - 1 > done ? dt - 1 : done + 1;
        int32_t to = dt + 1 < d2 - 1 ? dt + 1 : d2 - 1;
        for (int32_t d = from; d <= to; d++) {
            if (lf_calendar_is_business_day(cal, d))
                total += day_part(cal, d, INT64_MIN, INT64_MAX) - len;
            done = d;
        }
    }
    return total;
}

static bool has_business_time(const lf_calendar *cal)
{
    return (cal->workdays & 0x7f) && lf_calendar_day_length(cal) > 0;
}

int64_t lf_bclock_between(const lf_calendar *cal, lf_time a, lf_time b)
{
    if (b <= a || a == LF_TIME_NONE || !has_business_time(cal))
        return 0;
    a = a < -LIMIT ? -LIMIT : a;
    b = b > LIMIT ? LIMIT : b;
    if (b <= a)
        return 0;
    int32_t da = lf_local_day(cal->tz, a), db = lf_local_day(cal->tz, b);
    if (db <= da)
        return day_part(cal, da, a, b);
    return day_part(cal, da, a, INT64_MAX) + whole_days(cal, da + 1, db) +
           day_part(cal, db, INT64_MIN, b);
}

lf_time lf_bclock_add(const lf_calendar *cal, lf_time t, int64_t amount)
{
    if (t == LF_TIME_NONE || amount <= 0)
        return t;
    if (!has_business_time(cal) || t < -LIMIT || t > LIMIT)
        return LF_TIME_NONE;
    int32_t d = lf_local_day(cal->tz, t);
    if (lf_calendar_is_business_day(cal, d)) {
        lf_time ws, we;
        work_span(cal, d, &ws, &we);
        lf_time lo = t > ws ? t : ws;
        if (we > lo) {
            if (amount <= we - lo)
                return lo + amount;
            amount -= we - lo;
        }
    }
    int64_t week = lf_calendar_day_length(cal) * popcount7(cal->workdays);
    for (d++; d < DAY_LIMIT; d++) {
        /* Jump whole weeks while at least two weeks' worth remains; the jump falls
         * short of the amount unless DST corrections exceed a week (then walk). */
        int64_t weeks = amount / week;
        if (weeks >= 2) {
            int64_t k = (weeks - 1) * 7;
            if (k > MAX_JUMP_DAYS)
                k = MAX_JUMP_DAYS;
            if (d + k >= DAY_LIMIT)
                break;
            int64_t got = whole_days(cal, d, (int32_t)(d + k));
            if (got < amount) {
                amount -= got;
                d += (int32_t)k - 1;
                continue;
            }
        }
        if (lf_calendar_is_business_day(cal, d)) {
            lf_time ws, we;
            work_span(cal, d, &ws, &we);
            if (amount <= we - ws)
                return ws + amount;
            amount -= we - ws;
        }
    }
    return LF_TIME_NONE;
}
