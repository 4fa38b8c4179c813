/*
 * app_range.h — the range and as-of of a request (SPEC §5), as front ends receive them
 * (text), checked the same way for every command and front end.
 *
 * as-of is an instant in the workspace zone (default now); --from / --to are local
 * dates, the range [from, to) defaulting to the 12 calendar months ending with the
 * month of as-of. A refused value is LF_EUSAGE with the message the CLI has always
 * shown ("--as-of: bad timestamp 'x'", "--from needs a date YYYY-MM-DD, not 'x'",
 * "empty range: --to must be after --from").
 */
#ifndef LEADFLOW_APP_RANGE_H
#define LEADFLOW_APP_RANGE_H

#include <stdint.h>

#include "leadflow/error.h"
#include "leadflow/time.h"

typedef struct lf_app_range {
    int32_t from_day, to_day; /* local days [from, to) */
    lf_time as_of;
} lf_app_range;

/* as_of (NULL = now) read in zone tz into *out. */
lf_status lf_app_as_of(const lf_tz *tz, const char *as_of, lf_time *out, lf_error *err);
/* as_of, then from and to (NULL = the default range of that as-of), into *out. */
lf_status lf_app_range_parse(const lf_tz *tz, const char *from, const char *to,
                             const char *as_of, lf_app_range *out, lf_error *err);

#endif
