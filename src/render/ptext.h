/*
 * ptext.h — the texts of presentation specs as the HTML report writes them (private
 * to src/render/).
 *
 * present.h's texts name words ({by}, {span}, {what}, {target}, {sla}, {cat}, ...),
 * flags (sla_business, has_sla, cut, off, obj) and formats (count, pct, money, hours,
 * number, f1, f2, f2-, short); this is where the HTML report says what they are,
 * for the chart driver (charts.c) and the headline (html.c) alike.
 */
#ifndef LEADFLOW_PTEXT_H
#define LEADFLOW_PTEXT_H

#include "leadflow/present.h"
#include "markup.h"

typedef struct ptext_env {
    const lf_table *t;
    const lf_present_ctx *ctx;
    const char *noun;             /* {what} */
    const char *const *cats;      /* {span}: the first and last of them */
    size_t ncats;
    const char *cat, *ncat;       /* {cat}, {ncat}: the current and next category */
    bool cut;                     /* rows were left out of the chart */
    int max_rows;                 /* {max_rows} */
    const char *off;              /* {off}: rows off a picked path ("" = none) */
    bool obj;                     /* the object scope was found */
} ptext_env;

/* A scope over env->t with env's words, flags and formats (env must outlive it). */
lf_present_scope ptext_scope(ptext_env *env);

/* Appends text (NULL = nothing) expanded in scope s. A malformed text is LF_EINPUT. */
lf_status ptext_add(const lf_present_scope *s, const char *text, lf_buf *out);

#endif
