/*
 * testhook.h — kill points for the crash tests (tests/crash), compiled in only with
 * -DLF_TEST_HOOKS=ON. LEADFLOW_TEST_KILL="WHAT:N" makes the process SIGKILL itself
 * when the kill point WHAT is reached for the N-th time: "rows" (the N-th data row of
 * an input was read and staged, not yet committed), "commit" (the N-th batch of an
 * import was committed, before any replay), "replay" (the N-th lead's derived state
 * was written, its transaction not yet committed), "sync" (the server's N-th sync of
 * committed ingest groups is about to start: those groups are committed, not yet
 * synced, and none of their requests answered). Without the option the points
 * compile to nothing.
 */
#ifndef LEADFLOW_TESTHOOK_H
#define LEADFLOW_TESTHOOK_H

#include <stdint.h>

#ifdef LF_TEST_HOOKS
void lf_test_kill_point(const char *what, int64_t n);
#else
static inline void lf_test_kill_point(const char *what, int64_t n)
{
    (void)what;
    (void)n;
}
#endif

#endif
