/*
 * fuzz_csv.c — libFuzzer target for the CSV reader (src/ingest/csv_reader.c).
 *
 * Built and run by tests/fuzz/run.sh (ctest fuzz_targets), e.g.:
 *   clang -std=c11 -g -O1 -fsanitize=fuzzer,address,undefined -Iinclude -Isrc \
 *     src/core/error.c src/core/buf.c src/ingest/csv_reader.c fuzz/fuzz_csv.c -o fuzz_csv
 *
 * The first input byte picks a field cap and a read pattern, the second the record
 * and input caps (lf_csv_set_limits: small ones, or the defaults); the rest is CSV.
 * The input is parsed twice, once in one read and once through a tiny buffer fed by
 * short reads, and both runs must give the same results (records, errors, lines, raw
 * bytes): the reader must not depend on where the input is cut, limits included.
 * Each record is checked against its own invariants too (NUL after every field,
 * lines ordered, no more bytes or fields than the caps allow), and a parse must end
 * within one call per input byte (plus the end): no call may loop.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "leadflow/buf.h"
#include "leadflow/csv.h"

typedef struct fsrc {
    const uint8_t *data;
    size_t len, pos;
    unsigned step, k;
} fsrc;

static size_t fsrc_read(void *ctx, char *buf, size_t n)
{
    fsrc *s = ctx;
    size_t m = s->len - s->pos;
    if (m > n)
        m = n;
    if (s->step) {
        size_t lim = 1 + (s->k++ * 7 + s->step) % (s->step + 3);
        if (m > lim)
            m = lim;
    }
    memcpy(buf, s->data + s->pos, m);
    s->pos += m;
    return m;
}

/* Appends one result to out as length-prefixed text, so any byte compares exactly.
 * Returns the status of the appends (LF_ENOMEM: the transcript is incomplete). */
static lf_status note(lf_buf *out, lf_status st, const lf_csv_record *rec, const lf_error *err)
{
    lf_status w = lf_buf_addf(out, "%d %ld %ld %zu %d:", (int)st, rec->line, rec->end_line,
                              rec->raw_len, rec->raw_truncated);
    if (w == LF_OK)
        w = lf_buf_add(out, rec->raw, rec->raw_len);
    if (w == LF_OK && st == LF_EINPUT)
        w = lf_buf_adds(out, err->msg);
    for (size_t i = 0; st == LF_OK && i < rec->nfields; i++) {
        if (rec->fields[i][rec->lens[i]] != '\0' || rec->end_line < rec->line)
            abort();
        if (w == LF_OK)
            w = lf_buf_addf(out, "|%zu:", rec->lens[i]);
        if (w == LF_OK)
            w = lf_buf_add(out, rec->fields[i], rec->lens[i]);
    }
    return w == LF_OK ? lf_buf_addc(out, '\n') : w;
}

typedef struct limits {
    size_t max_field, max_record;
    uint64_t max_input;
} limits;

/* Parses all of s into a transcript in out. Returns false when the harness ran out of
 * memory (the reader or the transcript): there is then nothing to compare. */
static bool parse(fsrc *s, size_t bufsize, const limits *lim, lf_buf *out)
{
    lf_csv *csv = lf_csv_new(fsrc_read, s, bufsize, lim->max_field);
    if (!csv)
        return false;
    lf_status w = LF_OK;
    lf_csv_set_limits(csv, lim->max_record, lim->max_input);
    for (size_t calls = 0;; calls++) {
        if (calls > s->len + 2) /* a call per record (1 byte at least), a give-up, the end */
            abort();
        lf_csv_record rec;
        lf_error err;
        lf_error_clear(&err);
        lf_status st = lf_csv_next(csv, &rec, &err);
        if (st != LF_OK && st != LF_EINPUT) {
            w = lf_buf_addf(out, "fatal %d\n", (int)st);
            break;
        }
        if (st == LF_OK && rec.nfields == 0)
            break;
        if (st == LF_OK && lim->max_record && rec.raw_len > lim->max_record)
            abort();
        if (st == LF_OK && rec.nfields > LF_CSV_MAX_FIELDS)
            abort();
        if ((w = note(out, st, &rec, &err)) != LF_OK)
            break;
    }
    lf_csv_free(csv);
    return w == LF_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    /* caps: record 1..125 bytes or the default, input 1..249 bytes or the default */
    limits lim = {.max_field = 1 + data[0] % 16,
                  .max_record = data[1] & 0x80 ? 1 + (size_t)(data[1] & 0x1f) * 4 : 0,
                  .max_input = data[1] & 0x40 ? 1 + (uint64_t)(data[1] & 0x1f) * 8 : 0};
    unsigned step = 1 + (data[0] >> 4);
    fsrc whole = {.data = data + 2, .len = size - 2};
    fsrc cut = {.data = data + 2, .len = size - 2, .step = step};
    lf_buf a, b;
    lf_buf_init(&a, 0);
    lf_buf_init(&b, 0);
    bool complete = parse(&whole, size, &lim, &a);
    complete = parse(&cut, step, &lim, &b) && complete;
    if (complete && (a.len != b.len || (a.len && memcmp(a.data, b.data, a.len) != 0)))
        abort();
    lf_buf_release(&a);
    lf_buf_release(&b);
    return 0;
}
