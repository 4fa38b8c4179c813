/*
 * test_csv.c — unit tests of the streaming CSV reader (src/ingest/csv_reader.c).
 *
 * Every parse is turned into a transcript, one line per lf_csv_next result:
 *   R <line>-<end_line> n=<nfields> [f1|f2|...] raw=<raw>   a record
 *   E <line>-<end_line> <message> raw=<raw>                  a bad record (LF_EINPUT)
 *   S <message>                                              LF_ESTORE
 *   END                                                      end of input
 * with \r \n \0 \| \\ and \xHH escapes, so expectations are written by hand as text
 * and a run cut at any buffer boundary must produce the very same text.
 */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "leadflow/buf.h"
#include "leadflow/csv.h"

/* A memory source; each read returns at most pattern[k++ % npat] bytes (if npat),
 * and fails with (size_t)-1 once fail_at bytes were delivered (if fail_at). */
typedef struct src {
    const char *data;
    size_t len, pos;
    const size_t *pattern;
    size_t npat, k;
    size_t fail_at;
    size_t calls;
} src;

static size_t src_read(void *ctx, char *buf, size_t n)
{
    src *s = ctx;
    s->calls++;
    if (s->fail_at && s->pos >= s->fail_at)
        return (size_t)-1;
    size_t m = s->len - s->pos;
    if (m > n)
        m = n;
    if (s->npat) {
        size_t lim = s->pattern[s->k++ % s->npat];
        if (m > lim)
            m = lim;
    }
    if (s->fail_at && m > s->fail_at - s->pos)
        m = s->fail_at - s->pos;
    memcpy(buf, s->data + s->pos, m);
    s->pos += m;
    return m;
}

/* Appends to a transcript or an input; a failed append fails the test. */
static void put_s(lf_buf *b, const char *s)
{
    cr_assert_eq(lf_buf_adds(b, s), LF_OK, "append failed");
}

static void put_c(lf_buf *b, char c)
{
    cr_assert_eq(lf_buf_addc(b, c), LF_OK, "append failed");
}

static void __attribute__((format(printf, 2, 3))) put_f(lf_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    lf_status st = lf_buf_vaddf(b, fmt, ap);
    va_end(ap);
    cr_assert_eq(st, LF_OK, "append failed");
}

static void esc(lf_buf *b, const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)p[i];
        switch (ch) {
        case '\r':
            put_s(b, "\\r");
            break;
        case '\n':
            put_s(b, "\\n");
            break;
        case '\0':
            put_s(b, "\\0");
            break;
        case '|':
            put_s(b, "\\|");
            break;
        case '\\':
            put_s(b, "\\\\");
            break;
        default:
            if (ch < 0x20 || ch >= 0x7f)
                put_f(b, "\\x%02X", ch);
            else
                put_c(b, (char)ch);
        }
    }
}

/* Limits applied by run_src when not 0 (lf_csv_set_limits); each test sets its own. */
static size_t g_max_record;
static uint64_t g_max_input;

/* Parses all of s with a fresh reader; returns the transcript (free it). */
static char *run_src(src *s, size_t bufsize, size_t max_field)
{
    lf_csv *csv = lf_csv_new(src_read, s, bufsize, max_field);
    cr_assert_not_null(csv);
    if (g_max_record || g_max_input)
        lf_csv_set_limits(csv, g_max_record, g_max_input);
    lf_buf out;
    lf_buf_init(&out, 0);
    for (int guard = 0; guard < 10000; guard++) {
        lf_csv_record rec;
        lf_error err;
        lf_error_clear(&err);
        lf_status st = lf_csv_next(csv, &rec, &err);
        if (st == LF_OK && rec.nfields == 0) {
            put_s(&out, "END\n");
            break;
        }
        if (st == LF_ESTORE) {
            put_f(&out, "S %s\n", err.msg);
            break;
        }
        cr_assert(st == LF_OK || st == LF_EINPUT, "unexpected status %d", (int)st);
        if (st == LF_OK) {
            put_f(&out, "R %ld-%ld n=%zu [", rec.line, rec.end_line, rec.nfields);
            for (size_t i = 0; i < rec.nfields; i++) {
                if (i)
                    put_c(&out, '|');
                cr_assert_eq(rec.fields[i][rec.lens[i]], '\0', "field not NUL-terminated");
                esc(&out, rec.fields[i], rec.lens[i]);
            }
            put_s(&out, "]");
        } else {
            cr_assert_eq(err.code, LF_EINPUT);
            cr_assert_eq(rec.nfields, 0);
            put_f(&out, "E %ld-%ld %s", rec.line, rec.end_line, err.msg);
        }
        put_s(&out, " raw=");
        esc(&out, rec.raw, rec.raw_len);
        put_s(&out, rec.raw_truncated ? " (truncated)\n" : "\n");
    }
    lf_csv_free(csv);
    return lf_buf_detach(&out);
}

static char *run(const char *data, size_t len, size_t bufsize, size_t max_field)
{
    src s = {.data = data, .len = len};
    return run_src(&s, bufsize, max_field);
}

/* Asserts that parsing str (a C string) with a 64 KiB buffer gives want. */
static void check(const char *str, size_t max_field, const char *want)
{
    char *got = run(str, strlen(str), 0, max_field);
    cr_assert_str_eq(got, want, "input:\n%s\ngot:\n%s\nwant:\n%s", str, got, want);
    free(got);
}

/* The boundary test: data must give want with every buffer size from 1 to len + 1,
 * and through callbacks that return a different number of bytes each call. */
static void check_all_cuts(const char *data, size_t len, size_t max_field, const char *want)
{
    static const size_t pat_a[] = {1, 2, 3, 1};
    static const size_t pat_b[] = {3, 1, 2};
    static const size_t pat_c[] = {5, 1, 7, 2, 1, 4};
    static const struct {
        const size_t *p;
        size_t n;
    } pats[] = {{NULL, 0}, {pat_a, 4}, {pat_b, 3}, {pat_c, 6}};
    for (size_t k = 0; k < sizeof pats / sizeof pats[0]; k++) {
        for (size_t bs = 1; bs <= len + 1; bs++) {
            src s = {.data = data, .len = len, .pattern = pats[k].p, .npat = pats[k].n};
            char *got = run_src(&s, bs, max_field);
            cr_assert_str_eq(got, want, "bufsize %zu, pattern %zu:\ngot:\n%s\nwant:\n%s", bs, k,
                             got, want);
            free(got);
        }
    }
}

Test(csv, header_and_rows)
{
    check("id,email,created_at\nL1,a@x.com,2026-01-05\nL2,b@y.com,2026-01-06\n", 0,
          "R 1-1 n=3 [id|email|created_at] raw=id,email,created_at\n"
          "R 2-2 n=3 [L1|a@x.com|2026-01-05] raw=L1,a@x.com,2026-01-05\n"
          "R 3-3 n=3 [L2|b@y.com|2026-01-06] raw=L2,b@y.com,2026-01-06\n"
          "END\n");
}

Test(csv, bom_at_start_is_skipped)
{
    check("\xEF\xBB\xBFid,x\n1,2\n", 0,
          "R 1-1 n=2 [id|x] raw=id,x\n"
          "R 2-2 n=2 [1|2] raw=1,2\n"
          "END\n");
    /* only at the very start: elsewhere it is data */
    check("a\n\xEF\xBB\xBF"
          "b\n",
          0,
          "R 1-1 n=1 [a] raw=a\n"
          "R 2-2 n=1 [\\xEF\\xBB\\xBFb] raw=\\xEF\\xBB\\xBFb\n"
          "END\n");
    /* two BOMs: the second is data */
    check("\xEF\xBB\xBF\xEF\xBB\xBFz\n", 0,
          "R 1-1 n=1 [\\xEF\\xBB\\xBFz] raw=\\xEF\\xBB\\xBFz\n"
          "END\n");
    /* a BOM alone, and a BOM before a blank line */
    check("\xEF\xBB\xBF", 0, "END\n");
    check("\xEF\xBB\xBF\r\nx\n", 0, "R 2-2 n=1 [x] raw=x\nEND\n");
}

Test(csv, bom_prefix_is_data)
{
    const char *in = "\xEF\xBBx,y\n";
    check_all_cuts(in, strlen(in), 0, "R 1-1 n=2 [\\xEF\\xBBx|y] raw=\\xEF\\xBBx,y\nEND\n");
    check_all_cuts("\xEF", 1, 0, "R 1-1 n=1 [\\xEF] raw=\\xEF\nEND\n");
    check_all_cuts("\xEF\xBB", 2, 0, "R 1-1 n=1 [\\xEF\\xBB] raw=\\xEF\\xBB\nEND\n");
    check_all_cuts("\xEF\xBB\n\n", 4, 0, "R 1-1 n=1 [\\xEF\\xBB] raw=\\xEF\\xBB\nEND\n");
    check_all_cuts("\xEF\"", 2, 0,
                   "E 1-1 line 1, column 1: stray quote in unquoted field raw=\\xEF\"\nEND\n");
}

Test(csv, line_endings)
{
    const char *want = "R 1-1 n=2 [a|b] raw=a,b\n"
                       "R 2-2 n=2 [c|d] raw=c,d\n"
                       "END\n";
    check("a,b\r\nc,d\r\n", 0, want);
    check("a,b\nc,d\n", 0, want);
    check("a,b\rc,d\r", 0, want);
    check("a,b\r\nc,d", 0, want);
    check("a,b\rc,d\n", 0, want);
    /* LF CR is two line ends: a blank line between */
    check("a\n\rb\n", 0, "R 1-1 n=1 [a] raw=a\nR 3-3 n=1 [b] raw=b\nEND\n");
    /* CR CR LF: one blank line */
    check("a\r\r\nb", 0, "R 1-1 n=1 [a] raw=a\nR 3-3 n=1 [b] raw=b\nEND\n");
}

Test(csv, quoted_fields)
{
    check("\"a,b\",\"say \"\"hi\"\"\",\"\"\"\"\n", 0,
          "R 1-1 n=3 [a,b|say \"hi\"|\"] raw=\"a,b\",\"say \"\"hi\"\"\",\"\"\"\"\n"
          "END\n");
    /* newlines inside quotes are data and count as physical lines */
    check("h1,h2\n\"line1\nline2\r\nline3\rline4\",x\nnext,row\n", 0,
          "R 1-1 n=2 [h1|h2] raw=h1,h2\n"
          "R 2-5 n=2 [line1\\nline2\\r\\nline3\\rline4|x] "
          "raw=\"line1\\nline2\\r\\nline3\\rline4\",x\n"
          "R 6-6 n=2 [next|row] raw=next,row\n"
          "END\n");
    /* CR, escaped quote, LF inside quotes: two line ends */
    check("\"a\r\"\"\nb\"\nz\n", 0,
          "R 1-3 n=1 [a\\r\"\\nb] raw=\"a\\r\"\"\\nb\"\n"
          "R 4-4 n=1 [z] raw=z\n"
          "END\n");
    /* a quoted empty field is a record of one empty field, not a blank line */
    check("\"\"\n", 0, "R 1-1 n=1 [] raw=\"\"\nEND\n");
    /* a quoted field that ends at end of input */
    check("a,\"b\nc\"", 0, "R 1-2 n=2 [a|b\\nc] raw=a,\"b\\nc\"\nEND\n");
    /* spaces are data */
    check(" a , b \n", 0, "R 1-1 n=2 [ a | b ] raw= a , b \nEND\n");
}

Test(csv, empty_fields)
{
    check("a,b,\n,,\n,x\nx,,y\n", 0,
          "R 1-1 n=3 [a|b|] raw=a,b,\n"
          "R 2-2 n=3 [||] raw=,,\n"
          "R 3-3 n=2 [|x] raw=,x\n"
          "R 4-4 n=3 [x||y] raw=x,,y\n"
          "END\n");
    /* a trailing comma at end of input */
    check("a,b,", 0, "R 1-1 n=3 [a|b|] raw=a,b,\nEND\n");
    check(",", 0, "R 1-1 n=2 [|] raw=,\nEND\n");
}

Test(csv, last_record_without_newline)
{
    check("a,b\nc,d", 0, "R 1-1 n=2 [a|b] raw=a,b\nR 2-2 n=2 [c|d] raw=c,d\nEND\n");
    check("x", 0, "R 1-1 n=1 [x] raw=x\nEND\n");
    check("a,\"q\"", 0, "R 1-1 n=2 [a|q] raw=a,\"q\"\nEND\n");
}

Test(csv, blank_lines)
{
    check("\n\na\n\n\r\nb\n\n", 0, "R 3-3 n=1 [a] raw=a\nR 6-6 n=1 [b] raw=b\nEND\n");
    check("", 0, "END\n");
    check("\n\r\n\r", 0, "END\n");
}

Test(csv, end_is_sticky)
{
    src s = {.data = "a\n", .len = 2};
    lf_csv *csv = lf_csv_new(src_read, &s, 16, 0);
    lf_csv_record rec;
    cr_assert_eq(lf_csv_next(csv, &rec, NULL), LF_OK);
    cr_assert_eq(rec.nfields, 1);
    for (int i = 0; i < 3; i++) {
        cr_assert_eq(lf_csv_next(csv, &rec, NULL), LF_OK);
        cr_assert_eq(rec.nfields, 0);
    }
    size_t calls = s.calls;
    cr_assert_eq(lf_csv_next(csv, &rec, NULL), LF_OK);
    cr_assert_eq(s.calls, calls, "the source is not read again after its end");
    lf_csv_free(csv);
}

Test(csv, oversize_field_then_recovery)
{
    /* max 4 bytes: exactly 4 is fine, 5 is not (quoted or not; "" counts as one) */
    check("abcd,\"ab\"\"d\"\nabcde,x\nok,1\n\"ab\"\"de\",2\n3,\"abcde\"\n4,\"a\nb\"\n", 4,
          "R 1-1 n=2 [abcd|ab\"d] raw=abcd,\"ab\"\"d\"\n"
          "E 2-2 line 2, column 1: field larger than 4 bytes raw=abcde,x\n"
          "R 3-3 n=2 [ok|1] raw=ok,1\n"
          "E 4-4 line 4, column 1: field larger than 4 bytes raw=\"ab\"\"de\",2\n"
          "E 5-5 line 5, column 2: field larger than 4 bytes raw=3,\"abcde\"\n"
          "R 6-7 n=2 [4|a\\nb] raw=4,\"a\\nb\"\n"
          "END\n");
    /* the skip respects quotes: the quoted newline and comma do not end the record */
    check("1,xxxxxxxx,\"a\nb,c\",d\n2,ok\n", 4,
          "E 1-2 line 1, column 2: field larger than 4 bytes raw=1,xxxxxxxx,\"a\\nb,c\",d\n"
          "R 3-3 n=2 [2|ok] raw=2,ok\n"
          "END\n");
    /* an oversize quoted field spanning lines: reported at the line it starts */
    check("h\n\"aaa\nbbb\nccc\"\nnext\n", 4,
          "R 1-1 n=1 [h] raw=h\n"
          "E 2-4 line 2, column 1: field larger than 4 bytes raw=\"aaa\\nbbb\\nccc\"\n"
          "R 5-5 n=1 [next] raw=next\n"
          "END\n");
}

Test(csv, default_max_field_is_1mib)
{
    size_t n = 1024 * 1024;
    char *big = malloc(n + 16);
    memset(big, 'x', n + 1);
    memcpy(big + n + 1, "\nok\n", 4);
    src s = {.data = big, .len = n + 5};
    lf_csv *csv = lf_csv_new(src_read, &s, 0, 0);
    lf_csv_record rec;
    lf_error err;
    cr_assert_eq(lf_csv_next(csv, &rec, &err), LF_EINPUT);
    cr_assert_str_eq(err.msg, "line 1, column 1: field larger than 1048576 bytes");
    cr_assert_eq(rec.raw_len, n + 1);
    cr_assert_eq(rec.raw_truncated, 0);
    cr_assert_eq(lf_csv_next(csv, &rec, &err), LF_OK);
    cr_assert_eq(rec.nfields, 1);
    cr_assert_str_eq(rec.fields[0], "ok");
    cr_assert_eq(rec.line, 2);
    lf_csv_free(csv);
    /* exactly 1 MiB is fine */
    big[n] = '\n';
    s = (src){.data = big, .len = n + 1};
    csv = lf_csv_new(src_read, &s, 0, 0);
    cr_assert_eq(lf_csv_next(csv, &rec, &err), LF_OK);
    cr_assert_eq(rec.lens[0], n);
    lf_csv_free(csv);
    free(big);
}

Test(csv, stray_quote_then_recovery)
{
    check("id,name\n1,O\"Brien\n2,ok\n3,x\"\"y,\"z\nz\"\n4,\"a\"b\n5,\"a\" \n6,end\n", 0,
          "R 1-1 n=2 [id|name] raw=id,name\n"
          "E 2-2 line 2, column 2: stray quote in unquoted field raw=1,O\"Brien\n"
          "R 3-3 n=2 [2|ok] raw=2,ok\n"
          "E 4-5 line 4, column 2: stray quote in unquoted field raw=3,x\"\"y,\"z\\nz\"\n"
          "E 6-6 line 6, column 2: text after closing quote raw=4,\"a\"b\n"
          "E 7-7 line 7, column 2: text after closing quote raw=5,\"a\" \n"
          "R 8-8 n=2 [6|end] raw=6,end\n"
          "END\n");
    /* after the error the rest of the bad field is plain data, quotes and all */
    check("a\"b\"c,d\nnext\n", 0,
          "E 1-1 line 1, column 1: stray quote in unquoted field raw=a\"b\"c,d\n"
          "R 2-2 n=1 [next] raw=next\n"
          "END\n");
    /* the cell is where its field begins, after a multi-line field */
    check("1,\"a\nb\",\"c\nd\"x\n2\n", 0,
          "E 1-3 line 2, column 3: text after closing quote raw=1,\"a\\nb\",\"c\\nd\"x\n"
          "R 4-4 n=1 [2] raw=2\n"
          "END\n");
    /* error in the last record, which has no line end */
    check("ok\n\"a\"b", 0,
          "R 1-1 n=1 [ok] raw=ok\n"
          "E 2-2 line 2, column 1: text after closing quote raw=\"a\"b\n"
          "END\n");
}

Test(csv, unterminated_quote)
{
    check("a,b\n1,\"open\n2,3\n4,5\n", 0,
          "R 1-1 n=2 [a|b] raw=a,b\n"
          "E 2-4 line 2, column 2: unterminated quoted field raw=1,\"open\\n2,3\\n4,5\\n\n"
          "END\n");
    check("\"", 0, "E 1-1 line 1, column 1: unterminated quoted field raw=\"\nEND\n");
    check("x,\"a\"\"", 0, "E 1-1 line 1, column 2: unterminated quoted field raw=x,\"a\"\"\nEND\n");
    /* it replaces an earlier error of the record: it explains the lost input */
    check("1,a\"b,\"zzzzzzzzzz\nq\n", 4,
          "E 1-2 line 1, column 3: unterminated quoted field raw=1,a\"b,\"zzzzzzzzzz\\nq\\n\n"
          "END\n");
    check("1,\"zzzzzzzzzz\nq", 4,
          "E 1-2 line 1, column 2: unterminated quoted field raw=1,\"zzzzzzzzzz\\nq\nEND\n");
}

Test(csv, nul_bytes)
{
    static const char in[] = "a\0b,\"c\0\"\n\0\n";
    char *got = run(in, sizeof in - 1, 0, 0);
    cr_assert_str_eq(got, "R 1-1 n=2 [a\\0b|c\\0] raw=a\\0b,\"c\\0\"\n"
                          "R 2-2 n=1 [\\0] raw=\\0\n"
                          "END\n");
    free(got);
    src s = {.data = in, .len = sizeof in - 1};
    lf_csv *csv = lf_csv_new(src_read, &s, 1, 0);
    lf_csv_record rec;
    cr_assert_eq(lf_csv_next(csv, &rec, NULL), LF_OK);
    cr_assert_eq(rec.lens[0], 3);
    cr_assert_eq(rec.lens[1], 2);
    cr_assert_eq(memcmp(rec.fields[0], "a\0b", 4), 0);
    cr_assert_eq(memcmp(rec.fields[1], "c\0", 3), 0);
    cr_assert_eq(strlen(rec.fields[0]), 1, "a C-string view stops at the NUL");
    lf_csv_free(csv);
}

Test(csv, many_fields)
{
    lf_buf in, want;
    lf_buf_init(&in, 0);
    lf_buf_init(&want, 0);
    put_s(&want, "R 1-1 n=1000 [");
    for (int i = 0; i < 1000; i++) {
        put_f(&in, "%s%d", i ? "," : "", i);
        put_f(&want, "%s%d", i ? "|" : "", i);
    }
    put_f(&want, "] raw=%s\nEND\n", lf_buf_str(&in));
    check(lf_buf_str(&in), 0, lf_buf_str(&want));
    lf_buf_release(&in);
    lf_buf_release(&want);
}

Test(csv, raw_is_capped)
{
    /* fields of 3 bytes, max_field 4: the record is fine, raw is cut at 4 + 64 KiB */
    size_t cap = 4 + LF_CSV_RAW_EXTRA, nf = cap / 4 + 10;
    lf_buf in;
    lf_buf_init(&in, 0);
    for (size_t i = 0; i < nf; i++)
        put_s(&in, i ? ",abc" : "abc");
    put_s(&in, "\nnext\n");
    src s = {.data = in.data, .len = in.len};
    lf_csv *csv = lf_csv_new(src_read, &s, 100, 4);
    lf_csv_record rec;
    cr_assert_eq(lf_csv_next(csv, &rec, NULL), LF_OK);
    cr_assert_eq(rec.nfields, nf);
    cr_assert_str_eq(rec.fields[nf - 1], "abc");
    cr_assert_eq(rec.raw_len, cap);
    cr_assert_eq(rec.raw_truncated, 1);
    cr_assert_eq(memcmp(rec.raw, in.data, cap), 0);
    cr_assert_eq(lf_csv_next(csv, &rec, NULL), LF_OK);
    cr_assert_str_eq(rec.fields[0], "next");
    cr_assert_eq(rec.raw_len, 4);
    cr_assert_eq(rec.raw_truncated, 0);
    lf_csv_free(csv);
    lf_buf_release(&in);
}

/* The tricky input: BOM, CRLF, LF and lone CR, blank lines, quoted commas, escaped
 * quotes and quoted line ends, errors of every kind, a NUL, no final line end. */
// clang-format off
static const char k_tricky[] =
    "\xEF\xBB\xBF"
    "id,name,note\r\n"                                      /* 1 */
    "1,\"Smith, John\",\"said \"\"hi\"\"\r\nthen left\"\r\n"   /* 2-3 */
    "\r\n"                                                  /* 4 blank */
    "2,bad\"quote,x\r\n"                                    /* 5 stray quote */
    "3,\"ok\"junk,\"multi\nline\"\r\n"                      /* 6-7 text after quote */
    "4,,\r"                                                 /* 8, lone CR */
    "\r"                                                    /* 9 blank */
    "5,\"\",\"a\"\"\"\n"                                     /* 10 */
    "7,aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa,\"q\r\nq\"\n"          /* 11-12 oversize */
    "8,a\0b,\"x\"\"\"\"y\"\n"                                /* 13 NUL */
    "\"\"\n"                                                 /* 14 one empty field */
    "6,end";                                                /* 15 no line end */
// clang-format on

static const char k_tricky_want[] =
    "R 1-1 n=3 [id|name|note] raw=id,name,note\n"
    "R 2-3 n=3 [1|Smith, John|said \"hi\"\\r\\nthen left] "
    "raw=1,\"Smith, John\",\"said \"\"hi\"\"\\r\\nthen left\"\n"
    "E 5-5 line 5, column 2: stray quote in unquoted field raw=2,bad\"quote,x\n"
    "E 6-7 line 6, column 2: text after closing quote raw=3,\"ok\"junk,\"multi\\nline\"\n"
    "R 8-8 n=3 [4||] raw=4,,\n"
    "R 10-10 n=3 [5||a\"] raw=5,\"\",\"a\"\"\"\n"
    "E 11-12 line 11, column 2: field larger than 24 bytes "
    "raw=7,aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa,\"q\\r\\nq\"\n"
    "R 13-13 n=3 [8|a\\0b|x\"\"y] raw=8,a\\0b,\"x\"\"\"\"y\"\n"
    "R 14-14 n=1 [] raw=\"\"\n"
    "R 15-15 n=2 [6|end] raw=6,end\n"
    "END\n";

Test(csv, boundaries_tricky)
{
    check_all_cuts(k_tricky, sizeof k_tricky - 1, 24, k_tricky_want);
}

Test(csv, boundaries_tricky_with_final_line_end)
{
    /* the same with CRLF at the end, then a CR-terminated blank line */
    size_t n = sizeof k_tricky - 1;
    char *in = malloc(n + 3);
    memcpy(in, k_tricky, n);
    memcpy(in + n, "\r\n\r", 3);
    check_all_cuts(in, n + 3, 24, k_tricky_want);
    free(in);
}

Test(csv, boundaries_unterminated)
{
    static const char in[] = "\xEF\xBB\xBF"
                             "a,b\r\n"
                             "\"x\"\"y\",z\r\n"
                             "\r\n"
                             "1,\"m\r\nl\",\"open\r\nstill, \"\"open\"\"\n";
    check_all_cuts(in, sizeof in - 1, 0,
                   "R 1-1 n=2 [a|b] raw=a,b\n"
                   "R 2-2 n=2 [x\"y|z] raw=\"x\"\"y\",z\n"
                   "E 4-6 line 5, column 3: unterminated quoted field "
                   "raw=1,\"m\\r\\nl\",\"open\\r\\nstill, \"\"open\"\"\\n\n"
                   "END\n");
}

Test(csv, read_error)
{
    /* the first record is complete before the failure; the second is not */
    src s = {.data = "a,b\nc,d\n", .len = 8, .fail_at = 6};
    char *got = run_src(&s, 2, 0);
    cr_assert_str_eq(got, "R 1-1 n=2 [a|b] raw=a,b\nS line 2: read error\n");
    free(got);

    s = (src){.data = "x", .len = 1, .fail_at = 1};
    lf_csv *csv = lf_csv_new(src_read, &s, 1, 0);
    lf_csv_record rec;
    lf_error err;
    cr_assert_eq(lf_csv_next(csv, &rec, &err), LF_ESTORE);
    cr_assert_eq(err.code, LF_ESTORE);
    cr_assert_str_eq(err.msg, "line 1: read error");
    cr_assert_eq(lf_csv_next(csv, &rec, &err), LF_ESTORE, "a read error is final");
    lf_csv_free(csv);
}

Test(csv, read_file)
{
    FILE *f = tmpfile();
    cr_assert_not_null(f);
    fputs("\xEF\xBB\xBFid,v\r\n1,\"x\r\ny\"\r\n", f);
    rewind(f);
    lf_csv *csv = lf_csv_new(lf_csv_read_file, f, 3, 0);
    lf_csv_record rec;
    cr_assert_eq(lf_csv_next(csv, &rec, NULL), LF_OK);
    cr_assert_str_eq(rec.fields[0], "id");
    cr_assert_eq(lf_csv_next(csv, &rec, NULL), LF_OK);
    cr_assert_str_eq(rec.fields[1], "x\r\ny");
    cr_assert_eq(rec.line, 2);
    cr_assert_eq(rec.end_line, 3);
    cr_assert_eq(lf_csv_next(csv, &rec, NULL), LF_OK);
    cr_assert_eq(rec.nfields, 0);
    lf_csv_free(csv);
    fclose(f);
    lf_csv_free(NULL);
}

/* ---- limits: endless and oversized input ------------------------------------------------
 * An endless source: `head` once (may be empty), then `unit` repeated forever; it
 * counts the bytes it gave, so a test can check how far the reader read. */
typedef struct endless {
    const char *head;
    size_t head_len, head_pos;
    const char *unit;
    size_t unit_len, unit_pos;
    uint64_t given;
} endless;

static size_t endless_read(void *ctx, char *buf, size_t n)
{
    endless *g = ctx;
    size_t m = 0;
    while (m < n && g->head_pos < g->head_len)
        buf[m++] = g->head[g->head_pos++];
    while (m < n) {
        buf[m++] = g->unit[g->unit_pos];
        g->unit_pos = (g->unit_pos + 1) % g->unit_len;
    }
    g->given += m;
    return m;
}

/* Reads an endless source with the given limits (0 = defaults): after at most two
 * good records, the result must be LF_EINPUT with want_msg, the next ones the end,
 * and the source must not have been read beyond `most` bytes. */
static void expect_endless(endless *g, size_t bufsize, size_t max_record, uint64_t max_input,
                           const char *want_msg, uint64_t most)
{
    lf_csv *csv = lf_csv_new(endless_read, g, bufsize, 0);
    cr_assert_not_null(csv);
    lf_csv_set_limits(csv, max_record, max_input);
    lf_csv_record rec;
    lf_error err;
    lf_error_clear(&err);
    lf_status st = LF_OK;
    for (int i = 0; i < 3 && st == LF_OK; i++) /* a good record or two may come first */
        st = lf_csv_next(csv, &rec, &err);
    cr_assert_eq(st, LF_EINPUT, "%s", err.msg);
    cr_assert_str_eq(err.msg, want_msg);
    cr_assert_eq(rec.nfields, 0);
    uint64_t given = g->given;
    cr_assert_leq(given, most, "read %llu bytes", (unsigned long long)given);
    for (int i = 0; i < 3; i++) {
        cr_assert_eq(lf_csv_next(csv, &rec, &err), LF_OK);
        cr_assert_eq(rec.nfields, 0, "the end of input, for good");
    }
    cr_assert_eq(g->given, given, "nothing is read after giving up");
    lf_csv_free(csv);
}

Test(csv, endless_nul_bytes_stop_at_the_default_record_cap)
{
    /* /dev/zero: NUL bytes are data of one unquoted field that never ends. The field
     * cap (1 MiB) makes the record bad, the default record cap (64 MiB) ends the input:
     * 64 MiB + 1 bytes, plus at most one 64 KiB buffer read ahead. */
    endless g = {.unit = "\0", .unit_len = 1};
    expect_endless(&g, 0, 0, 0,
                   "line 1, column 1: record larger than 67108864 bytes; rest of input skipped",
                   64u * 1024 * 1024 + 64 * 1024);
    cr_assert_geq(g.given, 64u * 1024 * 1024 + 1);
}

Test(csv, endless_fields_quotes_commas_and_blank_lines_stop)
{
    /* an unquoted field that never ends, after a good record */
    endless g = {.head = "a,b\n1,", .head_len = 6, .unit = "x", .unit_len = 1};
    lf_csv *csv = lf_csv_new(endless_read, &g, 7, 0);
    lf_csv_set_limits(csv, 1000, 0);
    lf_csv_record rec;
    lf_error err;
    cr_assert_eq(lf_csv_next(csv, &rec, &err), LF_OK);
    cr_assert_eq(rec.nfields, 2);
    cr_assert_eq(lf_csv_next(csv, &rec, &err), LF_EINPUT);
    cr_assert_str_eq(err.msg,
                     "line 2, column 2: record larger than 1000 bytes; rest of input skipped");
    cr_assert_eq(rec.line, 2);
    cr_assert_eq(rec.raw_len, 1001, "the record's bytes up to the one past the cap");
    cr_assert_eq(rec.raw[0], '1');
    cr_assert_eq(rec.raw[1000], 'x');
    cr_assert_leq(g.given, 4 + 1001 + 7);
    cr_assert_eq(lf_csv_next(csv, &rec, &err), LF_OK);
    cr_assert_eq(rec.nfields, 0);
    lf_csv_free(csv);

    /* a quote that never closes, over many lines: reported where the field begins */
    g = (endless){.head = "id\n\"", .head_len = 4, .unit = "ab\r\n", .unit_len = 4};
    expect_endless(&g, 5, 100, 0,
                   "line 2, column 1: record larger than 100 bytes; rest of input skipped",
                   3 + 101 + 5);
    /* commas: more than 65536 fields is bad, and the record cap ends it; the 100001st
     * comma crosses the cap and starts field 100002 */
    g = (endless){.unit = ",", .unit_len = 1};
    expect_endless(&g, 0, 100000, 0,
                   "line 1, column 100002: record larger than 100000 bytes; rest of input "
                   "skipped",
                   100001 + 65536);
    /* line ends only: blank lines are skipped, but not forever (CRLF: 2 bytes each) */
    g = (endless){.head = "h\n", .head_len = 2, .unit = "\r\n", .unit_len = 2};
    expect_endless(&g, 3, 50, 0,
                   "line 2, column 1: more than 50 blank lines in a row; rest of input skipped",
                   2 + 2 * 50 + 1 + 3);
    /* and any input at all stops at the input cap */
    g = (endless){.head = "a\n", .head_len = 2, .unit = "b\n", .unit_len = 2};
    lf_csv *c2 = lf_csv_new(endless_read, &g, 0, 0);
    lf_csv_set_limits(c2, 0, 1001);
    for (int i = 0; i < 500; i++) {
        cr_assert_eq(lf_csv_next(c2, &rec, &err), LF_OK);
        cr_assert_eq(rec.nfields, 1);
        cr_assert_eq(rec.line, i + 1);
    }
    /* 1000 bytes = 500 lines; byte 1001 is the 'b' of line 501, and there is more */
    cr_assert_eq(lf_csv_next(c2, &rec, &err), LF_EINPUT);
    cr_assert_str_eq(err.msg,
                     "line 501, column 1: input larger than 1001 bytes; rest of input skipped");
    cr_assert_eq(rec.raw_len, 1);
    cr_assert_eq(lf_csv_next(c2, &rec, &err), LF_OK);
    cr_assert_eq(rec.nfields, 0);
    lf_csv_free(c2);
}

Test(csv, record_cap_is_exact_at_every_cut)
{
    /* cap 5: a record of exactly 5 bytes is fine, its line end (LF, CRLF, none) does
     * not count; a quoted line end does */
    g_max_record = 5;
    static const char ok[] = "ab,cd\r\n\"a\nb\"\r\n12345";
    check_all_cuts(ok, sizeof ok - 1, 0,
                   "R 1-1 n=2 [ab|cd] raw=ab,cd\n"
                   "R 2-3 n=1 [a\\nb] raw=\"a\\nb\"\n"
                   "R 4-4 n=1 [12345] raw=12345\n"
                   "END\n");
    /* 6 bytes: the error names the field where the cap is crossed; raw holds the 6
     * bytes read; the rest of the input is not read */
    static const char over[] = "h\nabc,def\nnext\n";
    check_all_cuts(over, sizeof over - 1, 0,
                   "R 1-1 n=1 [h] raw=h\n"
                   "E 2-2 line 2, column 2: record larger than 5 bytes; rest of input skipped "
                   "raw=abc,de\n"
                   "END\n");
    /* a closing quote then a comma as the 6th byte: column 2, on the field's line */
    static const char q1[] = "\"a\nb\",x\nnext\n";
    check_all_cuts(q1, sizeof q1 - 1, 0,
                   "E 1-2 line 2, column 2: record larger than 5 bytes; rest of input skipped "
                   "raw=\"a\\nb\",\n"
                   "END\n");
    /* a quoted line end as the 6th byte: the record's bytes end on line 1 */
    static const char q2[] = "\"abcd\nx\"\n";
    check_all_cuts(q2, sizeof q2 - 1, 0,
                   "E 1-1 line 1, column 1: record larger than 5 bytes; rest of input skipped "
                   "raw=\"abcd\\n\n"
                   "END\n");
    /* it replaces an earlier error of the record (field cap 2 here) */
    static const char q3[] = "abcdefg\n";
    check_all_cuts(q3, sizeof q3 - 1, 2,
                   "E 1-1 line 1, column 1: record larger than 5 bytes; rest of input skipped "
                   "raw=abcdef\n"
                   "END\n");
}

Test(csv, blank_line_and_input_caps_are_exact_at_every_cut)
{
    /* 3 blank lines in a row are fine with cap 3 (a CRLF is one line end), 4 are not */
    g_max_record = 3;
    static const char ok[] = "a\r\n\r\n\n\rb\n";
    check_all_cuts(ok, sizeof ok - 1, 0, "R 1-1 n=1 [a] raw=a\nR 5-5 n=1 [b] raw=b\nEND\n");
    static const char over[] = "a\n\r\n\n\r\n\nb\n";
    check_all_cuts(over, sizeof over - 1, 0,
                   "R 1-1 n=1 [a] raw=a\n"
                   "E 2-5 line 2, column 1: more than 3 blank lines in a row; rest of input "
                   "skipped raw=\n"
                   "END\n");
    /* input cap 12: exactly 12 bytes are fine (a BOM counts), 13 are not */
    g_max_record = 0;
    g_max_input = 12;
    static const char in12[] = "\xEF\xBB\xBF"
                               "a,b\nc,d\ne";
    check_all_cuts(in12, sizeof in12 - 1, 0,
                   "R 1-1 n=2 [a|b] raw=a,b\nR 2-2 n=2 [c|d] raw=c,d\nR 3-3 n=1 [e] raw=e\nEND\n");
    static const char in13[] = "\xEF\xBB\xBF"
                               "a,b\nc,d\ne,";
    check_all_cuts(in13, sizeof in13 - 1, 0,
                   "R 1-1 n=2 [a|b] raw=a,b\nR 2-2 n=2 [c|d] raw=c,d\n"
                   "E 3-3 line 3, column 1: input larger than 12 bytes; rest of input skipped "
                   "raw=e\n"
                   "END\n");
    /* the cap falls between records: an empty bad record at the next line */
    static const char in13b[] = "a,b\nc,d\nef\n\nx";
    check_all_cuts(in13b, sizeof in13b - 1, 0,
                   "R 1-1 n=2 [a|b] raw=a,b\nR 2-2 n=2 [c|d] raw=c,d\nR 3-3 n=1 [ef] raw=ef\n"
                   "E 5-5 line 5, column 1: input larger than 12 bytes; rest of input skipped "
                   "raw=\n"
                   "END\n");
}

Test(csv, field_count_cap)
{
    /* 65536 fields are fine, 65537 are a bad record (and the next one is read) */
    lf_buf in;
    lf_buf_init(&in, 0);
    for (size_t i = 1; i < LF_CSV_MAX_FIELDS; i++)
        put_c(&in, ',');
    put_s(&in, "\n,");
    for (size_t i = 1; i < LF_CSV_MAX_FIELDS; i++)
        put_c(&in, ',');
    put_s(&in, "\nok\n");
    src s = {.data = in.data, .len = in.len};
    lf_csv *csv = lf_csv_new(src_read, &s, 0, 0);
    lf_csv_record rec;
    lf_error err;
    cr_assert_eq(lf_csv_next(csv, &rec, &err), LF_OK);
    cr_assert_eq(rec.nfields, 65536);
    cr_assert_eq(lf_csv_next(csv, &rec, &err), LF_EINPUT);
    cr_assert_str_eq(err.msg, "line 2, column 65537: more than 65536 fields");
    cr_assert_eq(lf_csv_next(csv, &rec, &err), LF_OK);
    cr_assert_eq(rec.nfields, 1);
    cr_assert_str_eq(rec.fields[0], "ok");
    lf_csv_free(csv);
    lf_buf_release(&in);
}
