/*
 * generate.h — deterministic synthetic workspace (`leadflow generate`, the demo, bench).
 *
 * Writes leads.csv, events.csv, costs.csv, traffic.csv and a matching leadflow.yaml
 * into a directory. The same (leads, seed, end_day) gives the same bytes on every machine:
 * the generator uses its own PRNG (no rand()), integer arithmetic for timestamps and
 * fixed-precision formatting.
 */
#ifndef LEADFLOW_GENERATE_H
#define LEADFLOW_GENERATE_H

#include <stdint.h>

#include "leadflow/error.h"

/* Progress of lf_generate: `done` of `total` leads written. */
typedef void (*lf_generate_progress_fn)(void *ctx, uint64_t done, uint64_t total);

typedef struct lf_generate_opts {
    uint64_t leads;     /* number of leads (>= 1) */
    uint64_t seed;
    int32_t end_day;    /* data covers the 13 months of days before this local day
                           number (exclusive end); the CLI's default is 2026-11-20 */
    const char *out_dir;
    lf_generate_progress_fn progress; /* called every 100,000 leads; NULL = none */
    void *progress_ctx;               /* passed to progress */
} lf_generate_opts;

/* Creates out_dir (and missing parents) if needed and writes the five files, replacing
 * files of the same names: leads.csv (id,email,created_at,source,origin,persona,title,
 * company,industry,employees,country), events.csv (id,lead_id,ts,type,detail,amount,
 * reason), costs.csv (date,channel,amount), traffic.csv (date,visitors,channel) and
 * leadflow.yaml. Timestamps are UTC ("2026-03-02T09:14:05Z"); every one is before local
 * midnight (Europe/Berlin) starting end_day. Memory stays small (one day's lead times
 * and one lead's events at a time).
 * Returns LF_OK; LF_EUSAGE for leads outside 1..1,000,000,000 or no out_dir; LF_ESTORE
 * when the directory cannot be created or a file cannot be written (the message names
 * the path); LF_ENOMEM. A file is written whole or not at all. */
lf_status lf_generate(const lf_generate_opts *opts, lf_error *err);

#endif
