/*
 * fuzz_csv.c — libFuzzer target for the CSV reader (src/ingest/csv.c).
 *
 * Not built by default. Build, e.g.:
 *   clang -std=c11 -g -O1 -fsanitize=fuzzer,address,undefined -Iinclude -Isrc \
 *     src/core/error.c src/core/buf.c src/ingest/csv.c fuzz/fuzz_csv.c -o fuzz_csv
 *
 * The first input byte picks a field cap and a read pattern; the rest is CSV. The
 * input is parsed twice, once in one read and once through a tiny buffer fed by short
 * reads, and both runs must give the same results (records, errors, lines, raw bytes):
 * the reader must not depend on where the input is cut. Each record is checked
 * against its own invariants too (NUL after every field, lines ordered).
 */
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

/* Appends one result to out as length-prefixed text, so any byte compares exactly. */
static void note(lf_buf *out, lf_status st, const lf_csv_record *rec, const lf_error *err)
{
    lf_buf_addf(out, "%d %ld %ld %zu %d:", (int)st, rec->line, rec->end_line, rec->raw_len,
                rec->raw_truncated);
    lf_buf_add(out, rec->raw, rec->raw_len);
    if (st == LF_EINPUT)
        lf_buf_adds(out, err->msg);
    for (size_t i = 0; st == LF_OK && i < rec->nfields; i++) {
        if (rec->fields[i][rec->lens[i]] != '\0' || rec->end_line < rec->line)
            abort();
        lf_buf_addf(out, "|%zu:", rec->lens[i]);
        lf_buf_add(out, rec->fields[i], rec->lens[i]);
    }
    lf_buf_addc(out, '\n');
}

static void parse(fsrc *s, size_t bufsize, size_t max_field, lf_buf *out)
{
    lf_csv *csv = lf_csv_new(fsrc_read, s, bufsize, max_field);
    if (!csv)
        return;
    for (;;) {
        lf_csv_record rec;
        lf_error err;
        lf_error_clear(&err);
        lf_status st = lf_csv_next(csv, &rec, &err);
        if (st != LF_OK && st != LF_EINPUT) {
            lf_buf_addf(out, "fatal %d\n", (int)st);
            break;
        }
        if (st == LF_OK && rec.nfields == 0)
            break;
        note(out, st, &rec, &err);
    }
    lf_csv_free(csv);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t max_field = 1 + data[0] % 16;
    unsigned step = 1 + (data[0] >> 4);
    fsrc whole = {.data = data + 1, .len = size - 1};
    fsrc cut = {.data = data + 1, .len = size - 1, .step = step};
    lf_buf a, b;
    lf_buf_init(&a, 0);
    lf_buf_init(&b, 0);
    parse(&whole, size, max_field, &a);
    parse(&cut, step, max_field, &b);
    if (a.len != b.len || (a.len && memcmp(a.data, b.data, a.len) != 0))
        abort();
    lf_buf_release(&a);
    lf_buf_release(&b);
    return 0;
}
