/*
 * error.h — errors are values.
 *
 * Library functions return an lf_status and, on failure, write a message into an
 * lf_error the caller passed (which may be NULL when the caller does not care).
 * Only front ends (CLI main, HTTP layer) decide how to show it. Messages follow
 * git: lower-case, no final period, subject quoted, "file:line: " when input is
 * at fault. The status values double as the CLI exit codes of SPEC §7.
 */
#ifndef LEADFLOW_ERROR_H
#define LEADFLOW_ERROR_H

#include <stddef.h>

typedef enum lf_status {
    LF_OK = 0,
    LF_EUSAGE = 1,  /* bad command line */
    LF_EINPUT = 2,  /* bad input data (rows rejected, unparsable file) */
    LF_ECONFIG = 3, /* bad configuration */
    LF_ESTORE = 4,  /* store could not be opened, read or written */
    LF_ENOMEM = 5,  /* allocation failed (shown as a store-class failure: exit 4) */
} lf_status;

typedef struct lf_error {
    lf_status code;
    char msg[1024];
} lf_error;

/* Sets err (if not NULL) to code and a printf-style message; returns code. */
lf_status lf_errorf(lf_error *err, lf_status code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Clears err to LF_OK with an empty message. */
void lf_error_clear(lf_error *err);

/* Exit code of the CLI for a status (LF_ENOMEM maps to 4). */
int lf_status_exit_code(lf_status s);

#endif
