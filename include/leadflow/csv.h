/*
 * csv.h — streaming RFC 4180 reader.
 *
 * Reads records from any byte source through a read callback, with a fixed-size
 * input buffer, so a file of any size is read in constant memory (plus the largest
 * record). Handles a UTF-8 BOM at the very start, CRLF or LF (a lone CR too) as
 * record ends, double-quoted fields with "" escapes and embedded newlines, and a
 * cap on field size. Line numbers are physical lines (1-based) of the input.
 *
 * Errors are per record and recoverable: an oversize field or a stray quote makes
 * lf_csv_next return LF_EINPUT with err naming the line and column, and the reader
 * has skipped to the end of that record, so the next call continues with the next
 * record. An unterminated quote runs to end of input: one error, then end.
 * "line L, column C" names the offending cell: the physical line where the field
 * begins and its 1-based field index. Reasons: "field larger than N bytes", "stray
 * quote in unquoted field", "text after closing quote", "unterminated quoted field".
 * Bytes are passed through as read (UTF-8 validation is the caller's job).
 *
 * Hostile input is bounded (lf_csv_set_limits): a record over max_record bytes (64
 * MiB by default; quoted line ends count, the final line end does not), more than
 * max_record blank lines in a row, or input over max_input bytes (64 GiB by default)
 * end the input: that record (or an empty one at the current line) is returned once
 * as LF_EINPUT with "line L, column C: record larger than N bytes; rest of input
 * skipped" ("more than N blank lines in a row", "input larger than N bytes"), and
 * every later call reports the end of input, without reading further. A record with
 * more than LF_CSV_MAX_FIELDS fields is a per-record error ("more than N fields").
 * So endless input (/dev/zero, an unclosed quote, a stream of commas or line ends)
 * ends in bounded time and memory, and one call reads at most about max_record
 * bytes (twice that for CRLF blank lines) before it returns.
 */
#ifndef LEADFLOW_CSV_H
#define LEADFLOW_CSV_H

#include <stddef.h>
#include <stdint.h>

#include "leadflow/error.h"

/* Reads up to n bytes into buf; returns the count, 0 at end of input, or
 * (size_t)-1 on a read error. */
typedef size_t (*lf_csv_read_fn)(void *ctx, char *buf, size_t n);

typedef struct lf_csv lf_csv;

/* rec->raw keeps at most max_field + LF_CSV_RAW_EXTRA bytes of a record. */
#define LF_CSV_RAW_EXTRA ((size_t)64 * 1024)
/* Most fields in a record (more is a bad record: bounds the per-field bookkeeping). */
#define LF_CSV_MAX_FIELDS ((size_t)65536)

typedef struct lf_csv_record {
    size_t nfields;
    char **fields;       /* NUL-terminated (a field may also contain NUL bytes: use lens) */
    size_t *lens;
    long line;           /* physical line where the record starts */
    long end_line;       /* physical line where it ends */
    const char *raw;     /* the record's bytes as read, without its line end (a BOM is
                            not part of it); cut at max_field + LF_CSV_RAW_EXTRA bytes */
    size_t raw_len;
    int raw_truncated;   /* 1 when raw was cut */
} lf_csv_record;

/* Creates a reader (NULL when out of memory). bufsize: input buffer bytes (>= 1; tests
 * use 1..N to cut the input at every boundary; 0 = 64 KiB). max_field: largest field
 * in bytes (0 = 1 MiB). The reader does not own ctx. */
lf_csv *lf_csv_new(lf_csv_read_fn read, void *ctx, size_t bufsize, size_t max_field);
/* Sets the caps on a record's bytes (also on a run of blank lines) and on the whole
 * input's bytes; 0 = the default (64 MiB, 64 GiB), which lf_csv_new sets. Call it
 * before the first lf_csv_next. */
void lf_csv_set_limits(lf_csv *csv, size_t max_record_bytes, uint64_t max_input_bytes);
void lf_csv_free(lf_csv *csv);

/* Reads the next record. Returns LF_OK with *rec filled (valid until the next call),
 * LF_OK with rec->nfields == 0 at end of input, LF_EINPUT for a bad record (err set
 * as "line L, column C: reason"; rec->line, end_line and raw set, nfields 0; the next
 * call goes on with the next record), LF_ENOMEM, or LF_ESTORE on a read error (the
 * callback returned (size_t)-1). LF_ENOMEM and LF_ESTORE are final: every later call
 * returns them again. A blank line (no bytes between line ends) is skipped, not a
 * record; a record has at least one field. Past a limit (above), LF_EINPUT once, then
 * the end. */
lf_status lf_csv_next(lf_csv *csv, lf_csv_record *rec, lf_error *err);

/* Convenience read callback for a FILE*. */
size_t lf_csv_read_file(void *file, char *buf, size_t n);

#endif
