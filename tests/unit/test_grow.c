/*
 * test_grow.c — lf_grow and lf_grow_parallel (leadflow/buf.h): capacities by hand.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>

#include "leadflow/buf.h"

Test(grow, doubles_from_sixteen_and_keeps_contents)
{
    int *a = NULL;
    size_t cap = 0;
    cr_assert(lf_grow(&a, &cap, 1, sizeof *a));
    cr_expect_eq(cap, 16);
    for (int i = 0; i < 16; i++)
        a[i] = i;
    cr_assert(lf_grow(&a, &cap, 16, sizeof *a));
    cr_expect_eq(cap, 16, "enough room: nothing changes");
    cr_assert(lf_grow(&a, &cap, 17, sizeof *a));
    cr_expect_eq(cap, 32);
    cr_assert(lf_grow(&a, &cap, 100, sizeof *a));
    cr_expect_eq(cap, 128, "32 -> 64 -> 128");
    for (int i = 0; i < 16; i++)
        cr_expect_eq(a[i], i);
    free(a);
}

Test(grow, overflow_fails_and_changes_nothing)
{
    double *a = NULL;
    size_t cap = 0;
    cr_assert(lf_grow(&a, &cap, 3, sizeof *a));
    double *before = a;
    cr_expect_not(lf_grow(&a, &cap, SIZE_MAX / 4, sizeof *a));
    cr_expect_eq(a, before);
    cr_expect_eq(cap, 16);
    free(a);
}

Test(grow, parallel_arrays_share_one_capacity)
{
    int64_t *x = NULL;
    char *y = NULL;
    size_t cap = 0;
    void *const arrs[] = {&x, &y};
    const size_t elems[] = {sizeof *x, sizeof *y};
    cr_assert(lf_grow_parallel(&cap, 20, 2, arrs, elems));
    cr_expect_eq(cap, 32);
    x[31] = 7;
    y[31] = 'z';
    /* one element size overflows: the capacity stays, both arrays stay usable */
    const size_t huge[] = {sizeof *x, SIZE_MAX / 8};
    cr_expect_not(lf_grow_parallel(&cap, 64, 2, arrs, huge));
    cr_expect_eq(cap, 32);
    cr_expect_eq(x[31], 7);
    cr_expect_eq(y[31], 'z');
    free(x);
    free(y);
}
