/*
 * time.h — instants, civil dates, IANA time zones and ISO 8601 parsing.
 *
 * An instant (lf_time) is microseconds since 1970-01-01T00:00:00Z; every stored
 * timestamp is one. Civil (local) dates and times exist only at the edges: parsing
 * input without an offset, and computing period and business-day boundaries in the
 * workspace zone. Zones are read from the system's TZif files (/usr/share/zoneinfo,
 * or $TZDIR) by our own reader, so any number of zones can be used at once with no
 * global state (no setenv("TZ")), and conversions are a binary search.
 *
 * Local -> instant for wall times that do not exist or exist twice (DST changes):
 *  - a time in a spring-forward gap is read with the offset in force before the gap
 *    (02:30 on a day that jumps 02:00 -> 03:00 becomes 03:30 new time), as mktime does;
 *  - a time that occurs twice (fall back) is the earlier of the two instants.
 */
#ifndef LEADFLOW_TIME_H
#define LEADFLOW_TIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "leadflow/error.h"

typedef int64_t lf_time;                  /* microseconds since the Unix epoch, UTC */
#define LF_TIME_NONE INT64_MIN            /* "no instant" (e.g. pending decision) */
#define LF_USEC_PER_SEC INT64_C(1000000)
#define LF_USEC_PER_HOUR (INT64_C(3600) * LF_USEC_PER_SEC)
#define LF_USEC_PER_DAY (INT64_C(86400) * LF_USEC_PER_SEC)

/* A civil date-time in some zone. wday: 0 = Monday ... 6 = Sunday (ISO). */
typedef struct lf_civil {
    int year, month, day;  /* month 1..12, day 1..31 */
    int hour, min, sec;    /* 0..23, 0..59, 0..59 */
    int usec;              /* 0..999999 */
    int wday;              /* output only */
    int32_t offset;        /* output only: seconds east of UTC in force */
} lf_civil;

/* Days since 1970-01-01 of a proleptic Gregorian date (no validation). */
int32_t lf_days_from_civil(int year, int month, int day);
/* Inverse of lf_days_from_civil. */
void lf_civil_from_days(int32_t days, int *year, int *month, int *day);
/* ISO weekday of a day number: 0 = Monday ... 6 = Sunday. */
int lf_weekday(int32_t days);
/* Number of days in a month (handles leap years). */
int lf_days_in_month(int year, int month);

typedef struct lf_tz lf_tz;

/* Loads zone `name` ("UTC", "Europe/Berlin", ...). Returns LF_ECONFIG with a message
 * naming the zone if it is unknown or its file is malformed. Caller frees with
 * lf_tz_free. Names containing ".." or starting with '/' are refused. */
lf_status lf_tz_load(lf_tz **out, const char *name, lf_error *err);
/* A shared, always-available UTC zone (never free it). */
const lf_tz *lf_tz_utc(void);
void lf_tz_free(lf_tz *tz);
const char *lf_tz_name(const lf_tz *tz);
/* Offset from UTC in seconds in force at instant t. */
int32_t lf_tz_offset(const lf_tz *tz, lf_time t);
/* The first instant > t at which the zone's offset changes, or LF_TIME_NONE if it
 * never changes again (lets the business clock skip whole spans between changes). */
lf_time lf_tz_next_transition(const lf_tz *tz, lf_time t);

/* Instant -> local civil time (fills wday and offset). */
void lf_time_to_local(const lf_tz *tz, lf_time t, lf_civil *out);
/* Local civil time (fields year..usec) -> instant, with the gap/overlap policy above. */
lf_time lf_time_from_local(const lf_tz *tz, const lf_civil *c);
/* The instant at which local day `days` (days since epoch) begins, i.e. 00:00 local. */
lf_time lf_day_start(const lf_tz *tz, int32_t days);
/* Local day number (days since epoch) containing instant t. */
int32_t lf_local_day(const lf_tz *tz, lf_time t);

/* Parses an ISO 8601 date ("2026-01-05") or date-time: "2026-01-05T10:00",
 * "2026-01-05T10:00:00", "2026-01-05 10:00:00" (space accepted), fractional seconds
 * (".5", ".123456"; more digits are truncated), and an offset "Z", "+02:00", "+0200",
 * "+02". Without offset, the time is local in tz. A date alone is 00:00 local.
 * The date and time are validated by round trip (2026-02-30, 24:00, 10:61 are errors).
 * Leading/trailing spaces are not accepted. On error returns LF_EINPUT and a message
 * such as "bad timestamp '2026-02-30'". If date_only is not NULL it is set to whether
 * the input had no time part. */
lf_status lf_time_parse(const char *s, size_t n, const lf_tz *tz, lf_time *out,
                        bool *date_only, lf_error *err);
/* Parses exactly "YYYY-MM-DD" (validated) into a day number. */
lf_status lf_date_parse(const char *s, size_t n, int32_t *days, lf_error *err);
/* Parses exactly "YYYY-MM" (validated) into year and month. */
lf_status lf_month_parse(const char *s, size_t n, int *year, int *month, lf_error *err);

/* The current instant (the real-time clock). Builds with -DLF_TEST_HOOKS=ON read
 * LEADFLOW_TEST_NOW first (a timestamp with an offset, "2026-04-01T14:30:00Z"), so the
 * tests can put every part of one process at a chosen instant instead of waiting in
 * real time; other builds have no such override. */
lf_time lf_time_now(void);
/* Microseconds on the monotonic clock (durations, timings; never an instant). */
int64_t lf_mono_usec(void);

/* Writes t as "2026-01-05T10:00:00Z" (with ".ffffff" trimmed of trailing zeros when
 * the instant has a fraction). Returns the length written (buffer >= 32 bytes). */
size_t lf_time_format_utc(lf_time t, char *buf, size_t size);
/* Writes t as local time with offset, "2026-01-05T11:00:00+01:00". Buffer >= 40. */
size_t lf_time_format_local(const lf_tz *tz, lf_time t, char *buf, size_t size);
/* Writes a day number as "YYYY-MM-DD". Buffer >= 16. */
size_t lf_date_format(int32_t days, char *buf, size_t size);

#endif
