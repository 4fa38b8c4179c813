/*
 * periods.c — report ranges and buckets (SPEC §5, see leadflow/report.h).
 *
 * A range is a run of local days [from, to) in the workspace zone. Its buckets are the
 * `--by` periods (day, ISO week starting Monday, calendar month, calendar quarter,
 * year) that overlap it, the first and last cut to the range. Each boundary is a local
 * day turned into a UTC instant once, with lf_day_start (so a DST change or a zone
 * whose midnight does not exist is handled by the zone code, not here); after that,
 * placing a timestamp in a bucket is a binary search over n + 1 instants, with no
 * time-zone conversion per event. Invariants: day[0] = from, day[n] = to, days and
 * instants strictly ascending, n >= 1 whenever from < to.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "leadflow/report.h"

/* More buckets than this is a mistaken command line (e.g. --by day over millennia). */
#define MAX_BUCKETS 200000

static const char *const by_names[] = {"day", "week", "month", "quarter", "year"};

const char *lf_by_name(lf_by by)
{
    return (unsigned)by < sizeof by_names / sizeof by_names[0] ? by_names[by] : "?";
}

bool lf_by_parse(const char *s, lf_by *by)
{
    for (size_t i = 0; s && i < sizeof by_names / sizeof by_names[0]; i++)
        if (strcmp(s, by_names[i]) == 0) {
            *by = (lf_by)i;
            return true;
        }
    return false;
}

static const lf_tz *zone(const lf_tz *tz)
{
    return tz ? tz : lf_tz_utc();
}

/* First day of the month `add` months after the month of (y, m). */
static int32_t month_start(int y, int m, int add)
{
    int64_t k = (int64_t)y * 12 + (m - 1) + add;
    int64_t ny = k >= 0 ? k / 12 : -((-k + 11) / 12);
    return lf_days_from_civil((int)ny, (int)(k - ny * 12) + 1, 1);
}

void lf_default_range(const lf_tz *tz, lf_time as_of, int32_t *from_day, int32_t *to_day)
{
    int y, m, d;
    lf_civil_from_days(lf_local_day(zone(tz), as_of), &y, &m, &d);
    *from_day = month_start(y, m, -11);
    *to_day = month_start(y, m, 1);
}

/* First day of the period of size `by` that contains `day`. */
static int32_t period_start(lf_by by, int32_t day)
{
    int y, m, d;
    switch (by) {
    case LF_BY_DAY:
        return day;
    case LF_BY_WEEK:
        return day - lf_weekday(day);
    case LF_BY_MONTH:
        lf_civil_from_days(day, &y, &m, &d);
        return month_start(y, m, 0);
    case LF_BY_QUARTER:
        lf_civil_from_days(day, &y, &m, &d);
        return month_start(y, m - (m - 1) % 3, 0);
    case LF_BY_YEAR:
    default:
        lf_civil_from_days(day, &y, &m, &d);
        return lf_days_from_civil(y, 1, 1);
    }
}

/* First day of the period after the one that starts on `start`. */
static int32_t period_next(lf_by by, int32_t start)
{
    int y, m, d;
    switch (by) {
    case LF_BY_DAY:
        return start + 1;
    case LF_BY_WEEK:
        return start + 7;
    case LF_BY_MONTH:
        lf_civil_from_days(start, &y, &m, &d);
        return month_start(y, m, 1);
    case LF_BY_QUARTER:
        lf_civil_from_days(start, &y, &m, &d);
        return month_start(y, m, 3);
    case LF_BY_YEAR:
    default:
        lf_civil_from_days(start, &y, &m, &d);
        return lf_days_from_civil(y + 1, 1, 1);
    }
}

void lf_period_label(lf_by by, int32_t day, char *buf, size_t size)
{
    int y, m, d;
    int32_t s = period_start(by, day);
    lf_civil_from_days(s, &y, &m, &d);
    switch (by) {
    case LF_BY_DAY:
    case LF_BY_WEEK:
        snprintf(buf, size, "%04d-%02d-%02d", y, m, d);
        break;
    case LF_BY_MONTH:
        snprintf(buf, size, "%04d-%02d", y, m);
        break;
    case LF_BY_QUARTER:
        snprintf(buf, size, "%04d-Q%d", y, (m - 1) / 3 + 1);
        break;
    case LF_BY_YEAR:
    default:
        snprintf(buf, size, "%04d", y);
        break;
    }
}

lf_status lf_periods_make(const lf_tz *tz, lf_by by, int32_t from_day, int32_t to_day,
                          lf_periods *out, lf_error *err)
{
    memset(out, 0, sizeof *out);
    if ((unsigned)by > LF_BY_YEAR)
        return lf_errorf(err, LF_EUSAGE, "unknown period size %d", (int)by);
    if (to_day <= from_day)
        return lf_errorf(err, LF_EUSAGE, "empty range: the end must be after the start");
    tz = zone(tz);
    /* Count first, so the arrays are allocated once. */
    size_t n = 0;
    for (int32_t d = from_day; d < to_day; d = period_next(by, period_start(by, d))) {
        if (++n > MAX_BUCKETS)
            return lf_errorf(err, LF_EUSAGE, "range too long: more than %d %ss", MAX_BUCKETS,
                             lf_by_name(by));
    }
    out->start = malloc((n + 1) * sizeof *out->start);
    out->day = malloc((n + 1) * sizeof *out->day);
    out->label = malloc(n * sizeof *out->label);
    if (!out->start || !out->day || !out->label) {
        lf_periods_release(out);
        return lf_errorf(err, LF_ENOMEM, "out of memory");
    }
    size_t i = 0;
    for (int32_t d = from_day; d < to_day; d = period_next(by, period_start(by, d)), i++) {
        out->day[i] = d;
        out->start[i] = lf_day_start(tz, d);
        lf_period_label(by, d, out->label[i], sizeof out->label[i]);
    }
    out->day[n] = to_day;
    out->start[n] = lf_day_start(tz, to_day);
    out->n = n;
    return LF_OK;
}

void lf_periods_release(lf_periods *p)
{
    if (!p)
        return;
    free(p->start);
    free(p->day);
    free(p->label);
    memset(p, 0, sizeof *p);
}

long lf_periods_find(const lf_periods *p, lf_time t)
{
    if (!p->n || t < p->start[0] || t >= p->start[p->n])
        return -1;
    size_t lo = 0, hi = p->n; /* invariant: start[lo] <= t < start[hi] */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (p->start[mid] <= t)
            lo = mid;
        else
            hi = mid;
    }
    return (long)lo;
}
