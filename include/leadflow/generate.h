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

typedef struct lf_generate_opts {
    uint64_t leads;     /* number of leads (>= 1) */
    uint64_t seed;
    int32_t end_day;    /* data covers the 13 months of days before this local day
                           number (exclusive end); the CLI's default is 2026-11-20 */
    const char *out_dir;
    int progress;       /* print progress to stderr */
} lf_generate_opts;

/* Creates out_dir if needed and writes the five files. */
lf_status lf_generate(const lf_generate_opts *opts, lf_error *err);

#endif
