/*
 * app_range.c — the range and as-of of a request, from text (leadflow/app_range.h).
 *
 * Place in the flow: front end (text options) -> here -> instants and local days the
 * app functions (whatif, plan) take. "Now" is read here, once per request, so every
 * figure of one request is as of the same instant.
 */
#include <string.h>

#include "leadflow/app_range.h"
#include "leadflow/report.h"

lf_status lf_app_as_of(const lf_tz *tz, const char *as_of, lf_time *out, lf_error *err)
{
    if (!as_of) {
        *out = lf_time_now(); /* the injectable clock of the tests (leadflow/time.h) */
        return LF_OK;
    }
    lf_error perr;
    if (lf_time_parse(as_of, strlen(as_of), tz, out, NULL, &perr) != LF_OK)
        return lf_errorf(err, LF_EUSAGE, "--as-of: %s", perr.msg);
    return LF_OK;
}

lf_status lf_app_range_parse(const lf_tz *tz, const char *from, const char *to,
                             const char *as_of, lf_app_range *out, lf_error *err)
{
    lf_status s = lf_app_as_of(tz, as_of, &out->as_of, err);
    if (s != LF_OK)
        return s;
    lf_default_range(tz, out->as_of, &out->from_day, &out->to_day);
    const char *names[2] = {"--from", "--to"}, *vals[2] = {from, to};
    int32_t *days[2] = {&out->from_day, &out->to_day};
    for (int k = 0; k < 2; k++)
        if (vals[k] && lf_date_parse(vals[k], strlen(vals[k]), days[k], NULL) != LF_OK)
            return lf_errorf(err, LF_EUSAGE, "%s needs a date YYYY-MM-DD, not '%s'", names[k],
                             vals[k]);
    if (out->to_day <= out->from_day)
        return lf_errorf(err, LF_EUSAGE, "empty range: --to must be after --from");
    return LF_OK;
}
