/*
 * error.c — the lf_error value type (see leadflow/error.h).
 */
#include <stdarg.h>
#include <stdio.h>

#include "leadflow/error.h"

lf_status lf_errorf(lf_error *err, lf_status code, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
        err->code = code;
    }
    return code;
}

void lf_error_clear(lf_error *err)
{
    if (err) {
        err->code = LF_OK;
        err->msg[0] = '\0';
    }
}

int lf_status_exit_code(lf_status s)
{
    return s == LF_ENOMEM ? 4 : (int)s;
}
