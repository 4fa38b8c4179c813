/*
 * dataset.h — derived lead state loaded into compact in-memory arrays, the input of
 * every report (DESIGN: "reports are pure functions from derived lead state").
 *
 * Leads are indexed 0..nleads-1. Each lead's transitions (time order, creation
 * first) and handoffs (mql_at order) are contiguous slices of the shared arrays.
 * Names (channels, personas, rejection reasons) are interned: an id indexes
 * `names`, id 0 is the empty name. Spend and visitors are kept per (local day range,
 * channel): a month row covers its calendar days, a day row one day. Everything is
 * owned by the dataset; lf_dataset_release frees it.
 */
#ifndef LEADFLOW_DATASET_H
#define LEADFLOW_DATASET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "leadflow/error.h"
#include "leadflow/lifecycle.h"
#include "leadflow/time.h"

typedef struct lf_ds_lead {
    lf_time created_at;
    lf_time won_at;          /* LF_TIME_NONE unless customer */
    double revenue;          /* won amount */
    uint32_t trans;          /* first transition index */
    uint32_t handoffs;       /* first handoff index */
    uint32_t ntrans;         /* 32-bit: a hostile lead may have 100k transitions */
    uint32_t nhandoffs;
    uint32_t channel;        /* name id */
    uint32_t persona;        /* name id */
    uint8_t origin;          /* 0 = marketing, 1 = sales */
    uint8_t stage;           /* current stage (at the end of all events) */
} lf_ds_lead;

typedef struct lf_ds_transition {
    lf_time ts;
    uint32_t lead;
    uint8_t from;            /* LF_STAGE_NONE for creation */
    uint8_t to;
} lf_ds_transition;

typedef struct lf_ds_handoff {
    lf_time mql_at;
    lf_time decided_at;      /* LF_TIME_NONE while pending */
    lf_time first_contact_at;/* LF_TIME_NONE if never contacted */
    uint32_t lead;
    uint32_t reason;         /* name id of the closing event's reason (0 = none) */
    double score;            /* total score at mql_at */
    uint8_t outcome;         /* lf_outcome (final, may be after as-of: check decided_at) */
} lf_ds_handoff;

typedef struct lf_ds_amount {
    int32_t day_from;        /* local days [day_from, day_to) the amount covers */
    int32_t day_to;
    uint32_t channel;        /* name id; the id of "all" for unattributed rows */
    double amount;
} lf_ds_amount;

typedef struct lf_dataset {
    lf_ds_lead *leads;
    size_t nleads;
    lf_ds_transition *trans;
    size_t ntrans;
    lf_ds_handoff *handoffs;
    size_t nhandoffs;
    lf_ds_amount *costs;
    size_t ncosts;
    lf_ds_amount *traffic;
    size_t ntraffic;
    char **names;            /* interned strings; names[0] = "" */
    size_t nnames;
    /* Optional, NULL unless a request asked for it (the `segment` report, SPEC §9):
     * segment[i] is the name id of lead i's value of the attribute segment_attr (0 =
     * the lead has none). Filled by the application layer after the dataset is loaded
     * (lf_app_load_segment), never part of the snapshot; owned, freed by release. */
    uint32_t *segment;
    char *segment_attr;
    /* private: intern table; the snapshot mapping the arrays live in (or NULL) */
    void *intern;
    void *map;
    size_t map_len;
} lf_dataset;

void lf_dataset_init(lf_dataset *ds);
void lf_dataset_release(lf_dataset *ds);
/* Interns a name; returns its id (0 for empty) or UINT32_MAX on allocation failure. */
uint32_t lf_dataset_intern(lf_dataset *ds, const char *s, size_t n);
/* The id of a name if interned, else UINT32_MAX. */
uint32_t lf_dataset_name_id(const lf_dataset *ds, const char *s);

#endif
