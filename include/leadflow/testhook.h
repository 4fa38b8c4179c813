/*
 * testhook.h — kill and pause points for the crash and concurrency tests (tests/crash,
 * tests/pg), compiled in only with -DLF_TEST_HOOKS=ON; without it both compile to
 * nothing.
 *
 * LEADFLOW_TEST_KILL="WHAT:N" makes the process SIGKILL itself when the kill point WHAT
 * is reached for the N-th time: "rows" (the N-th data row of an input was read and
 * staged, not yet committed), "commit" (the N-th batch of an import was committed,
 * before any replay), "replay" (the N-th lead's derived state was written, its
 * transaction not yet committed), "sync" (the server's N-th sync of committed ingest
 * groups is about to start: those groups are committed, not yet synced, and none of
 * their requests answered).
 *
 * LEADFLOW_TEST_PAUSE="WHAT:N:DIR" holds the process when the pause point WHAT is
 * reached for the N-th time: it creates DIR/WHAT.here, then waits until DIR/WHAT.go
 * exists (looking every 10 ms, for 120 s at most), so a test can keep one writer at a
 * known place while another runs: "read" (a write replay has read the events of the
 * N-th lead it replays, in its transaction, and holds what that read locked; its
 * derived state is not yet computed nor written), "pending" (a replay of the pending
 * leads is about to list them, for the N-th time in the process).
 */
#ifndef LEADFLOW_TESTHOOK_H
#define LEADFLOW_TESTHOOK_H

#include <stdint.h>

#ifdef LF_TEST_HOOKS
void lf_test_kill_point(const char *what, int64_t n);
void lf_test_pause_point(const char *what, int64_t n);
#else
static inline void lf_test_kill_point(const char *what, int64_t n)
{
    (void)what;
    (void)n;
}
static inline void lf_test_pause_point(const char *what, int64_t n)
{
    (void)what;
    (void)n;
}
#endif

#endif
