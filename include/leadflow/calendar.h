/*
 * calendar.h — the business clock of SPEC §3.
 *
 * Only time inside working hours on workdays that are not holidays counts, in the
 * calendar's zone. Working hours are a local interval [start, end) of each business
 * day; their instants are computed per day, so a DST change inside working hours
 * makes that day's business time its real elapsed length. A calendar is a value
 * owned by its configuration; the zone pointer is borrowed.
 */
#ifndef LEADFLOW_CALENDAR_H
#define LEADFLOW_CALENDAR_H

#include <stdbool.h>
#include <stdint.h>

#include "leadflow/time.h"

typedef struct lf_calendar {
    const lf_tz *tz;     /* borrowed */
    uint8_t workdays;    /* bit i set = ISO weekday i (0 = Monday) is a workday */
    int start_min;       /* working hours start, minutes after local midnight */
    int end_min;         /* working hours end (exclusive), 1..1440, > start_min */
    int32_t *holidays;   /* sorted local day numbers; owned by the calendar */
    size_t nholidays;
} lf_calendar;

/* The default calendar: Mon-Fri 09:00-17:00, no holidays, in tz. */
void lf_calendar_default(lf_calendar *cal, const lf_tz *tz);
/* Frees the holiday list. */
void lf_calendar_release(lf_calendar *cal);

/* Nominal length of a business day (end - start) in microseconds: 1bd = this. */
int64_t lf_calendar_day_length(const lf_calendar *cal);
/* Whether local day `days` is a workday and not a holiday. */
bool lf_calendar_is_business_day(const lf_calendar *cal, int32_t days);
/* Number of business days in local days [from, to). 0 if to <= from. */
int32_t lf_calendar_business_days(const lf_calendar *cal, int32_t from, int32_t to);

/* Business time (microseconds) inside [a, b); 0 if b <= a. */
int64_t lf_bclock_between(const lf_calendar *cal, lf_time a, lf_time b);
/* The first instant d >= t with lf_bclock_between(cal, t, d) == amount (amount >= 0).
 * With amount == 0 this is t itself. A deadline used up exactly at a day's end is
 * that end (17:00), not the next day's start. LF_TIME_NONE if there is no such
 * instant (a calendar without working time, or beyond the range of lf_time). */
lf_time lf_bclock_add(const lf_calendar *cal, lf_time t, int64_t amount);

#endif
