/*
 * dataset_build.h — the report dataset assembled from the store's rows (application
 * layer; the store returns rows, reports see only the dataset).
 */
#ifndef LEADFLOW_DATASET_BUILD_H
#define LEADFLOW_DATASET_BUILD_H

#include <stdint.h>

#include "leadflow/config.h"
#include "leadflow/dataset.h"
#include "leadflow/error.h"
#include "leadflow/store.h"

/* Loads every lead's derived state, spend and traffic into ds (initialised by the
 * caller with lf_dataset_init; released by the caller, also after a failure) in one
 * read transaction, and sets *generation to the store generation it reflects. Leads
 * the store marks stale (pending after an interrupted or running import) are replayed
 * in memory under cfg, so the dataset always matches the stored events; nothing is
 * written. */
lf_status lf_dataset_build(lf_store *st, const lf_config *cfg, lf_dataset *ds,
                           int64_t *generation, lf_error *err);

#endif
