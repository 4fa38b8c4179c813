/*
 * testhook.c — the kill points of testhook.h (only with LF_TEST_HOOKS).
 */
#include "leadflow/testhook.h"

#ifdef LF_TEST_HOOKS
#include <signal.h>
#include <stdlib.h>
#include <string.h>

void lf_test_kill_point(const char *what, int64_t n)
{
    const char *v = getenv("LEADFLOW_TEST_KILL");
    size_t len = strlen(what);
    if (!v || strncmp(v, what, len) != 0 || v[len] != ':')
        return;
    if (strtoll(v + len + 1, NULL, 10) == n)
        raise(SIGKILL);
}
#else
typedef int lf_testhook_unused; /* ISO C: a translation unit is not empty */
#endif
