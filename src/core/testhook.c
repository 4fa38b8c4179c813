/*
 * testhook.c — the kill and pause points of testhook.h (only with LF_TEST_HOOKS).
 */
#include "leadflow/testhook.h"

#ifdef LF_TEST_HOOKS
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Whether the variable `var` is "WHAT:N..." for this what and n; *rest = after N. */
static bool point_is(const char *var, const char *what, int64_t n, const char **rest)
{
    const char *v = getenv(var);
    size_t len = strlen(what);
    if (!v || strncmp(v, what, len) != 0 || v[len] != ':')
        return false;
    char *end;
    long long at = strtoll(v + len + 1, &end, 10);
    *rest = end;
    return at == n;
}

void lf_test_kill_point(const char *what, int64_t n)
{
    const char *rest;
    if (point_is("LEADFLOW_TEST_KILL", what, n, &rest))
        raise(SIGKILL);
}

void lf_test_pause_point(const char *what, int64_t n)
{
    const char *dir;
    if (!point_is("LEADFLOW_TEST_PAUSE", what, n, &dir) || *dir++ != ':' || !*dir)
        return;
    char here[4096], go[4096];
    snprintf(here, sizeof here, "%s/%s.here", dir, what);
    snprintf(go, sizeof go, "%s/%s.go", dir, what);
    int fd = open(here, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    if (fd >= 0)
        close(fd);
    const struct timespec tick = {0, 10 * 1000 * 1000};
    for (int i = 0; i < 12000 && access(go, F_OK) != 0; i++)
        nanosleep(&tick, NULL);
}
#else
typedef int lf_testhook_unused; /* ISO C: a translation unit is not empty */
#endif
