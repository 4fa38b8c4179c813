/*
 * snapshot.h — the report dataset as one memory-mappable cache file (application
 * layer; where the file lives and when it is used: leadflow/app_dataset.h).
 *
 * A snapshot is the dataset written to one binary file (native byte order, versioned
 * header, 8-byte aligned arrays) so that reports map it instead of reading millions
 * of rows from the store: loading is an mmap and a pass over the names. It carries
 * the store's generation; a snapshot whose generation differs is stale and ignored.
 * The file is written to a new temporary file beside it and renamed (leadflow/outfile.h),
 * so readers never see half of one; anything but a regular file there is ignored.
 */
#ifndef LEADFLOW_SNAPSHOT_H
#define LEADFLOW_SNAPSHOT_H

#include <stdint.h>

#include "leadflow/dataset.h"
#include "leadflow/error.h"

/* Writes ds to path with the given store generation; LF_EINPUT when something other
 * than a regular file is at path (never written through). */
lf_status lf_snapshot_write(const char *path, const lf_dataset *ds, int64_t generation,
                            lf_error *err);
/* Maps the snapshot at path into ds (initialised, empty). Returns LF_OK, or LF_EINPUT
 * when the file is missing, malformed, from another build or of another generation
 * (ds is left empty then). The arrays point into the mapping until release. */
lf_status lf_snapshot_load(const char *path, int64_t generation, lf_dataset *ds, lf_error *err);

#endif
