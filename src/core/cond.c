/*
 * cond.c — condition evaluation (see leadflow/cond.h). Pure; regexes were compiled
 * once by the configuration loader.
 */
#include <string.h>

#include "leadflow/cond.h"
#include "leadflow/text.h"

const char *lf_attrs_get(const lf_attrs *a, const char *name)
{
    for (size_t i = 0; i < a->n; i++)
        if (strcmp(a->items[i].name, name) == 0) {
            const char *v = a->items[i].value;
            return v && *v ? v : NULL;
        }
    return NULL;
}

/* Whether v equals one of c's values: numerically when both sides are plain decimals,
 * else as text ignoring case. v is measured and parsed once, not once per value. */
static bool equals_any(const lf_cond *c, const char *v)
{
    double x, y;
    size_t vn = strlen(v);
    bool vnum = lf_parse_plain_number(v, vn, &x);
    for (size_t i = 0; i < c->nvalues; i++) {
        const char *want = c->values[i];
        size_t wn = strlen(want);
        bool numeric = vnum && lf_parse_plain_number(want, wn, &y);
        if (numeric ? x == y : lf_ascii_ieq(v, vn, want, wn))
            return true;
    }
    return false;
}

static bool leaf(const lf_cond *c, const char *v)
{
    double x;
    switch (c->op) {
    case LF_COND_PRESENT:
        return v != NULL;
    case LF_COND_ABSENT:
        return v == NULL;
    default:
        break;
    }
    if (!v)
        return false;
    switch (c->op) {
    case LF_COND_EQUALS:
    case LF_COND_IN:
        return equals_any(c, v);
    case LF_COND_BETWEEN:
        return lf_parse_plain_number(v, strlen(v), &x) && x >= c->lo && x <= c->hi;
    case LF_COND_AT_LEAST:
        return lf_parse_plain_number(v, strlen(v), &x) && x >= c->lo;
    case LF_COND_AT_MOST:
        return lf_parse_plain_number(v, strlen(v), &x) && x <= c->hi;
    case LF_COND_MATCHES:
        return c->has_re && regexec(&c->re, v, 0, NULL, 0) == 0;
    default:
        return false;
    }
}

static bool eval(const lf_cond *c, const lf_attrs *a, const char *fixed, bool use_fixed)
{
    switch (c->op) {
    case LF_COND_ALL:
        for (size_t i = 0; i < c->nkids; i++)
            if (!eval(&c->kids[i], a, fixed, use_fixed))
                return false;
        return true;
    case LF_COND_ANY:
        for (size_t i = 0; i < c->nkids; i++)
            if (eval(&c->kids[i], a, fixed, use_fixed))
                return true;
        return false;
    case LF_COND_NOT:
        return c->nkids == 1 && !eval(&c->kids[0], a, fixed, use_fixed);
    default: {
        const char *v = use_fixed ? (fixed && *fixed ? fixed : NULL)
                                  : (c->attr ? lf_attrs_get(a, c->attr) : NULL);
        return leaf(c, v);
    }
    }
}

bool lf_cond_eval(const lf_cond *c, const lf_attrs *a)
{
    return eval(c, a, NULL, false);
}

bool lf_cond_eval_value(const lf_cond *c, const char *value)
{
    return eval(c, NULL, value, true);
}
