/*
 * cond.h — evaluating configuration conditions (lf_cond, see config.h) on a lead's
 * attributes: personas, fit rules, engagement detail conditions.
 *
 * Semantics (SPEC §4): text compares case-insensitively; numbers compare
 * numerically when both sides are plain decimals (-?[0-9]+(\.[0-9]+)?); an empty
 * value is absent; between/at_least/at_most need a numeric value (else false);
 * several keys in one `when` must all hold (an ALL node).
 */
#ifndef LEADFLOW_COND_H
#define LEADFLOW_COND_H

#include <stdbool.h>
#include <stddef.h>

#include "leadflow/config.h"

typedef struct lf_attr {
    const char *name;   /* lower case */
    const char *value;  /* NUL-terminated; NULL or "" = absent */
} lf_attr;

typedef struct lf_attrs {
    const lf_attr *items;
    size_t n;
} lf_attrs;

/* The value of attribute `name` (lower case), or NULL if absent or empty. */
const char *lf_attrs_get(const lf_attrs *a, const char *name);
/* Whether condition c holds on attributes a. */
bool lf_cond_eval(const lf_cond *c, const lf_attrs *a);
/* Whether a leaf condition's test holds on one value (the attribute name of the
 * leaf is not looked at); ALL/ANY/NOT recurse with the same value. */
bool lf_cond_eval_value(const lf_cond *c, const char *value);

#endif
