/*
 * mapping.h — import maps (SPEC §9, docs/maps.md): a YAML file that says what kind of
 * rows another export holds and how its columns become leadflow's (SPEC §2), read as
 * a record source for lf_import.
 *
 * A map is loaded and checked once (lf_map_load: keys, types, leadflow columns of its
 * kind, strptime formats, the zone); its errors are LF_ECONFIG naming the map's file,
 * line and key ("map.yaml:4: key 'columns.created': unknown column for kind 'leads'").
 * A source (lf_map_source_new) reads one file's header through a CSV reader, checks it
 * against the map (a column the file lacks is a map error, naming the file too) and
 * then hands lf_import records in leadflow's layout: the header first, then one
 * record per file row with the file's line and raw bytes.
 *
 * Ownership: an lf_map owns everything it points to (lf_map_free); a source borrows
 * its map, reader and zone, which must outlive it (lf_map_source_free).
 */
#ifndef LEADFLOW_MAPPING_H
#define LEADFLOW_MAPPING_H

#include <stddef.h>
#include <stdint.h>

#include "leadflow/csv.h"
#include "leadflow/error.h"
#include "leadflow/import.h"
#include "leadflow/time.h"

typedef struct lf_map lf_map;

/* Loads and checks the map at `path` into *out (NULL on error). LF_ECONFIG
 * "PATH:LINE: key 'K': reason" / "PATH:LINE: unknown key 'K'" / "cannot read ...",
 * LF_ENOMEM. */
lf_status lf_map_load(lf_map **out, const char *path, lf_error *err);
/* Same, from a memory buffer; `name` is the map's name in messages. */
lf_status lf_map_load_buffer(lf_map **out, const char *name, const char *text, size_t len,
                             lf_error *err);
void lf_map_free(lf_map *m);

/* The kind of rows the map makes. */
lf_import_kind lf_map_kind(const lf_map *m);
/* The map's own zone (its `timezone` key), or NULL when it has none. */
const lf_tz *lf_map_tz(const lf_map *m);
/* The map's name in messages (its path). */
const char *lf_map_name(const lf_map *m);

typedef struct lf_map_source lf_map_source;

/* Reads the header of `file` (its name in messages) from csv and checks it against
 * the map. tz: the zone of the `formats` times when the map has no timezone (the
 * --timezone zone, else the workspace's; not NULL). Returns LF_OK with *out set,
 * LF_ECONFIG for a map error ("MAP:LINE: key 'columns.id': no column 'x' in 'F'"),
 * LF_EINPUT for a file without a usable header ("F: empty file (no header row)",
 * "F: header: ..."), LF_ENOMEM. */
lf_status lf_map_source_new(lf_map_source **out, const lf_map *m, lf_csv *csv,
                            const char *file, const lf_tz *tz, lf_error *err);
/* The record source for lf_import_opts.source (owned by s). */
const lf_record_source *lf_map_source_records(lf_map_source *s);
/* Rows of an events map skipped because their `ts` was empty (no event on that row). */
int64_t lf_map_source_skipped(const lf_map_source *s);
void lf_map_source_free(lf_map_source *s);

#endif
