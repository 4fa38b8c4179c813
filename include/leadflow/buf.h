/*
 * buf.h — one growable byte buffer with a size cap (after curl's dynbuf).
 *
 * Used for building every piece of output and for assembling CSV fields. The
 * buffer always keeps a terminating NUL after len bytes (so data is a C string
 * when no NUL was appended). Appending beyond max fails with LF_EINPUT and leaves
 * the buffer unchanged; allocation failure returns LF_ENOMEM.
 */
#ifndef LEADFLOW_BUF_H
#define LEADFLOW_BUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "leadflow/error.h"

typedef struct lf_buf {
    char *data;  /* owned; NULL until the first append */
    size_t len;  /* bytes used, excluding the terminating NUL */
    size_t cap;  /* bytes allocated */
    size_t max;  /* cap on len; 0 = unlimited */
} lf_buf;

/* Initialises an empty buffer that will hold at most max bytes (0 = no cap). */
void lf_buf_init(lf_buf *b, size_t max);
/* Frees the memory and re-initialises with the same cap. */
void lf_buf_release(lf_buf *b);
/* Empties the buffer, keeping its memory. */
void lf_buf_reset(lf_buf *b);
/* Appends n bytes. */
lf_status lf_buf_add(lf_buf *b, const void *p, size_t n) __attribute__((warn_unused_result));
/* Appends a NUL-terminated string. */
lf_status lf_buf_adds(lf_buf *b, const char *s) __attribute__((warn_unused_result));
/* Appends one byte. */
lf_status lf_buf_addc(lf_buf *b, char c) __attribute__((warn_unused_result));
/* Appends printf-style formatted text. */
lf_status lf_buf_addf(lf_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3), warn_unused_result));
lf_status lf_buf_vaddf(lf_buf *b, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0), warn_unused_result));
/* Returns the contents as a C string ("" when empty); the buffer keeps ownership. */
const char *lf_buf_str(const lf_buf *b);
/* Hands the contents to the caller (free() them) and re-initialises the buffer. */
char *lf_buf_detach(lf_buf *b);

/* ---- a writer that keeps the first failure ----------------------------------------
 * For building a whole output: every append after a failure does nothing, so the
 * builder checks once, at the end (o.st). The one such writer (markup, the plan, the
 * terminal headline use it). */
typedef struct lf_out {
    lf_buf *b;
    lf_status st; /* LF_OK, or the first failed append's status */
} lf_out;

void lf_out_add(lf_out *o, const void *p, size_t n);
void lf_out_adds(lf_out *o, const char *s);
void lf_out_addc(lf_out *o, char c);
void lf_out_addf(lf_out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void lf_out_vaddf(lf_out *o, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

/* ---- growing arrays ------------------------------------------------------------------
 * The one way arrays grow in leadflow (no hand-written realloc doubling). */

/* Grows the array whose pointer is at `arr` (elements of elem bytes, capacity *cap) to
 * hold at least need elements, doubling from 16. Returns false when out of memory or
 * when the size would overflow; *arr and *cap are then unchanged. */
bool lf_grow(void *arr, size_t *cap, size_t need, size_t elem) __attribute__((warn_unused_result));
/* Parallel arrays sharing one capacity: grows each array whose pointer is at arrs[i]
 * (element size elems[i]) to need. *cap changes only when every array grew (an array
 * that grew before a failure keeps its larger block: nothing leaks). */
bool lf_grow_parallel(size_t *cap, size_t need, size_t n, void *const arrs[],
                      const size_t elems[]) __attribute__((warn_unused_result));

/* Sorts v[0..n) ascending and drops repeats in place; returns how many remain (the
 * lead rowids an import touched, a replay wants, a copy marks). */
size_t lf_sort_unique_i64(int64_t *v, size_t n);

#endif
