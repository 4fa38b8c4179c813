/*
 * leadinfo.h — what rules see of a lead (SPEC §4): its channel, origin and persona
 * derived by the `sources` and `personas` rules, and the attribute list that fit rules,
 * personas and required attributes are evaluated on.
 *
 * Import and `rescore` both classify leads here, so a changed rule gives the same
 * result whether a lead is imported again or rescored.
 *
 *   channel = the first `sources` rule matching the raw source (case-insensitive),
 *             else the raw source, else "unknown"; lower-cased (it is compared with
 *             the channels of spend and traffic rows)
 *   origin  = the origin column when given, else the matching rule's origin, else
 *             "marketing"
 *   persona = the persona column when given, else the first `personas` rule whose
 *             condition holds on the attributes (without persona), else "none"
 *   attrs   = email, source, channel, origin, persona, then the other CSV columns
 */
#ifndef LEADFLOW_LEADINFO_H
#define LEADFLOW_LEADINFO_H

#include <stddef.h>

#include "leadflow/cond.h"
#include "leadflow/config.h"
#include "leadflow/error.h"

/* The most attribute columns a leads file may have (a file with more is refused with
 * a message at its header, never cut silently). */
#define LF_LEAD_MAX_ATTRS 4096

typedef struct lf_lead_facts {
    /* inputs (borrowed; NULL or "" = absent) */
    const char *email, *source;
    const char *origin_given;  /* "marketing" or "sales" (lower case) */
    const char *persona_given;
    const lf_attr *extra;      /* the other CSV columns (names lower case) */
    size_t nextra;
    /* outputs of lf_lead_classify */
    char *channel;             /* owned */
    const char *origin, *persona;
    lf_attr *attrs;            /* owned: 5 + nextra entries */
    size_t nattrs;
} lf_lead_facts;

/* Fills the outputs of f. Returns LF_ENOMEM only. Call lf_lead_facts_release after
 * (also after a failure). */
lf_status lf_lead_classify(const lf_config *cfg, lf_lead_facts *f, lf_error *err);
void lf_lead_facts_release(lf_lead_facts *f);

/* The attribute list for rules (f->attrs as an lf_attrs). */
lf_attrs lf_lead_facts_attrs(const lf_lead_facts *f);

/* The channel of the first `sources` rule that matches source (NULL when none); sets
 * *origin when that rule names one. */
const char *lf_source_channel(const lf_config *cfg, const char *source, const char **origin);

#endif
