/*
 * buf.c — growable byte buffer with a cap (see leadflow/buf.h).
 *
 * Invariant: data is NULL (len == cap == 0) or data[len] == '\0' and len < cap.
 * Growth doubles, so appending n bytes one at a time is amortised O(n).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "leadflow/buf.h"

void lf_buf_init(lf_buf *b, size_t max)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->max = max;
}

void lf_buf_release(lf_buf *b)
{
    free(b->data);
    lf_buf_init(b, b->max);
}

void lf_buf_reset(lf_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

static lf_status grow(lf_buf *b, size_t extra)
{
    if (b->max && (extra > b->max || b->len > b->max - extra))
        return LF_EINPUT;
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return LF_OK;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap *= 2;
    char *p = realloc(b->data, cap);
    if (!p)
        return LF_ENOMEM;
    b->data = p;
    b->cap = cap;
    return LF_OK;
}

lf_status lf_buf_add(lf_buf *b, const void *p, size_t n)
{
    lf_status s = grow(b, n);
    if (s != LF_OK)
        return s;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return LF_OK;
}

lf_status lf_buf_adds(lf_buf *b, const char *s)
{
    return lf_buf_add(b, s, strlen(s));
}

lf_status lf_buf_addc(lf_buf *b, char c)
{
    if (b->len + 1 < b->cap && (!b->max || b->len < b->max)) {
        b->data[b->len++] = c;
        b->data[b->len] = '\0';
        return LF_OK;
    }
    return lf_buf_add(b, &c, 1);
}

lf_status lf_buf_vaddf(lf_buf *b, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    char small[256];
    int n = vsnprintf(small, sizeof small, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        return LF_EINPUT;
    if ((size_t)n < sizeof small)
        return lf_buf_add(b, small, (size_t)n);
    lf_status s = grow(b, (size_t)n);
    if (s != LF_OK)
        return s;
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
    return LF_OK;
}

lf_status lf_buf_addf(lf_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    lf_status s = lf_buf_vaddf(b, fmt, ap);
    va_end(ap);
    return s;
}

const char *lf_buf_str(const lf_buf *b)
{
    return b->data ? b->data : "";
}

char *lf_buf_detach(lf_buf *b)
{
    char *p = b->data;
    if (!p)
        p = calloc(1, 1);
    lf_buf_init(b, b->max);
    return p;
}

/* ---- growing arrays ------------------------------------------------------------------ */

/* The capacity for need elements: cap doubled (from 16) until it holds need; 0 when the
 * bytes would overflow size_t. */
static size_t grown_cap(size_t cap, size_t need, size_t elem)
{
    size_t nc = cap ? cap : 16;
    while (nc < need)
        nc = nc > SIZE_MAX / 2 ? need : nc * 2;
    return elem && nc > SIZE_MAX / elem ? 0 : nc;
}

/* Reallocates the array whose pointer is at arr to nc elements. The pointer is read
 * and written with memcpy: arr may point at any object pointer type. */
static bool realloc_at(void *arr, size_t nc, size_t elem)
{
    void *old;
    memcpy(&old, arr, sizeof old);
    void *p = realloc(old, nc * elem);
    if (!p)
        return false;
    memcpy(arr, &p, sizeof p);
    return true;
}

bool lf_grow(void *arr, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return true;
    size_t nc = grown_cap(*cap, need, elem);
    if (!nc || !realloc_at(arr, nc, elem))
        return false;
    *cap = nc;
    return true;
}

bool lf_grow_parallel(size_t *cap, size_t need, size_t n, void *const arrs[],
                      const size_t elems[])
{
    if (need <= *cap)
        return true;
    size_t nc = SIZE_MAX;
    for (size_t i = 0; i < n; i++) {
        size_t c = grown_cap(*cap, need, elems[i]);
        if (!c)
            return false;
        nc = c < nc ? c : nc;
    }
    for (size_t i = 0; i < n; i++)
        if (!realloc_at(arrs[i], nc, elems[i]))
            return false;
    *cap = nc;
    return true;
}

/* ---- a writer that keeps the first failure ------------------------------------------- */

void lf_out_add(lf_out *o, const void *p, size_t n)
{
    if (o->st == LF_OK)
        o->st = lf_buf_add(o->b, p, n);
}

void lf_out_adds(lf_out *o, const char *s)
{
    if (o->st == LF_OK)
        o->st = lf_buf_adds(o->b, s);
}

void lf_out_addc(lf_out *o, char c)
{
    if (o->st == LF_OK)
        o->st = lf_buf_addc(o->b, c);
}

void lf_out_vaddf(lf_out *o, const char *fmt, va_list ap)
{
    if (o->st == LF_OK)
        o->st = lf_buf_vaddf(o->b, fmt, ap);
}

void lf_out_addf(lf_out *o, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    lf_out_vaddf(o, fmt, ap);
    va_end(ap);
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

size_t lf_sort_unique_i64(int64_t *v, size_t n)
{
    if (n < 2)
        return n;
    qsort(v, n, sizeof *v, cmp_i64);
    size_t k = 1;
    for (size_t i = 1; i < n; i++)
        if (v[i] != v[k - 1])
            v[k++] = v[i];
    return k;
}
