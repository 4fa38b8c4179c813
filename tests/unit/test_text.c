/* Unit tests: text.c (UTF-8, numbers, case, counts) and idmap.c. Expected values by hand. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "leadflow/idmap.h"
#include "leadflow/text.h"

static bool valid(const char *s, size_t n, size_t *bad)
{
    return lf_utf8_valid(s, n, bad);
}

Test(utf8, accepts_valid_sequences)
{
    const char *ok[] = {"", "plain ascii", "caf\xc3\xa9", "\xe2\x82\xac 10", "\xf0\x9f\x98\x80",
                        "\xef\xbf\xbf", "\xf4\x8f\xbf\xbf"};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        cr_expect(valid(ok[i], strlen(ok[i]), NULL), "case %zu", i);
}

Test(utf8, rejects_invalid_sequences_and_reports_offset)
{
    struct { const char *s; size_t bad; } cases[] = {
        {"ab\xff", 2},             /* invalid byte */
        {"\xc0\xaf", 0},           /* overlong '/' */
        {"x\xe0\x80\xaf", 1},      /* overlong 3-byte */
        {"\xed\xa0\x80", 0},       /* UTF-16 surrogate */
        {"\xf4\x90\x80\x80", 0},   /* above U+10FFFF */
        {"abc\xc3", 3},            /* truncated at end */
        {"\xe2\x82x", 0},          /* bad continuation */
        {"\x80", 0},               /* lone continuation */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t bad = 99;
        cr_expect_not(valid(cases[i].s, strlen(cases[i].s), &bad), "case %zu", i);
        cr_expect_eq(bad, cases[i].bad, "case %zu: offset %zu", i, bad);
    }
}

Test(numbers, plain_decimal_is_spec_section_4)
{
    double v;
    cr_expect(lf_parse_plain_number("200", 3, &v) && v == 200);
    cr_expect(lf_parse_plain_number("-12.5", 5, &v) && v == -12.5);
    cr_expect_not(lf_parse_plain_number("+1", 2, &v));
    cr_expect_not(lf_parse_plain_number("1.", 2, &v));
    cr_expect_not(lf_parse_plain_number(".5", 2, &v));
    cr_expect_not(lf_parse_plain_number("1e3", 3, &v));
    cr_expect_not(lf_parse_plain_number("", 0, &v));
    cr_expect_not(lf_parse_plain_number("5,000", 5, &v));
}

Test(numbers, amounts)
{
    double v;
    cr_expect(lf_parse_amount("50000", 5, &v) && v == 50000);
    cr_expect(lf_parse_amount("1234.56", 7, &v) && v == 1234.56);
    cr_expect(lf_parse_amount("-3", 2, &v) && v == -3);
    cr_expect(lf_parse_amount(".5", 2, &v) && v == 0.5);
    cr_expect_not(lf_parse_amount("abc", 3, &v));
    cr_expect_not(lf_parse_amount("1,000", 5, &v));
    cr_expect_not(lf_parse_amount("nan", 3, &v));
    cr_expect_not(lf_parse_amount("-", 1, &v));
}

Test(text, case_helpers_and_counts)
{
    char s[] = "Won MQL";
    lf_ascii_lower(s, strlen(s));
    cr_expect_str_eq(s, "won mql");
    cr_expect(lf_ascii_ieq("Paid_Search", 11, "paid_search", 11));
    cr_expect_not(lf_ascii_ieq("abc", 3, "abd", 3));
    char b[32];
    lf_fmt_count(0, b, sizeof b);
    cr_expect_str_eq(b, "0");
    lf_fmt_count(999, b, sizeof b);
    cr_expect_str_eq(b, "999");
    lf_fmt_count(1000, b, sizeof b);
    cr_expect_str_eq(b, "1,000");
    lf_fmt_count(-1234567, b, sizeof b);
    cr_expect_str_eq(b, "-1,234,567");
}

Test(idmap, put_get_overwrite_and_grow)
{
    lf_idmap m;
    lf_idmap_init(&m);
    char key[32];
    for (int i = 0; i < 100000; i++) {
        int n = snprintf(key, sizeof key, "L%06d", i);
        cr_assert_eq(lf_idmap_put(&m, key, (size_t)n, i * 3), LF_OK);
    }
    int64_t v;
    for (int i = 0; i < 100000; i += 997) {
        int n = snprintf(key, sizeof key, "L%06d", i);
        cr_assert(lf_idmap_get(&m, key, (size_t)n, &v));
        cr_expect_eq(v, i * 3);
    }
    cr_expect_not(lf_idmap_get(&m, "L100000", 7, &v));
    cr_expect_not(lf_idmap_get(&m, "", 0, &v));
    cr_assert_eq(lf_idmap_put(&m, "L000005", 7, -1), LF_OK);
    cr_expect(lf_idmap_get(&m, "L000005", 7, &v) && v == -1);
    cr_expect_eq(m.n, 100000);
    lf_idmap_release(&m);
}

/* Keys of up to LF_IDMAP_INLINE bytes live in their entry, longer ones in the arena:
 * both kinds, either side of the limit, through several rehashes, and keys that share
 * a prefix longer than the limit. */
Test(idmap, short_and_long_keys_through_rehash)
{
    lf_idmap m;
    lf_idmap_init(&m);
    char key[64];
    const int lens[] = {1, 19, 20, 21, 40};
    for (int i = 0; i < 5000; i++) {
        int len = lens[i % 5];
        int n = snprintf(key, sizeof key, "%0*d", len, i); /* i itself, zero-padded */
        cr_assert_eq(lf_idmap_put(&m, key, (size_t)n, -i), LF_OK);
    }
    int64_t v;
    for (int i = 0; i < 5000; i++) {
        int n = snprintf(key, sizeof key, "%0*d", lens[i % 5], i);
        cr_assert(lf_idmap_get(&m, key, (size_t)n, &v), "key %s", key);
        cr_expect_eq(v, -i, "key %s", key);
    }
    /* a 40-byte key differing from a stored one only in its last byte is absent */
    int n = snprintf(key, sizeof key, "%040d", 4);
    key[n - 1] = 'x';
    cr_expect_not(lf_idmap_get(&m, key, (size_t)n, &v));
    /* and a stored 21-byte key is not found by its first 20 bytes */
    n = snprintf(key, sizeof key, "%021d", 3);
    cr_expect(lf_idmap_get(&m, key, 21, &v) && v == -3);
    cr_expect_not(lf_idmap_get(&m, key, 20, &v));
    /* the empty key, and a long key overwritten in place */
    cr_assert_eq(lf_idmap_put(&m, "", 0, 77), LF_OK);
    cr_expect(lf_idmap_get(&m, "", 0, &v) && v == 77);
    n = snprintf(key, sizeof key, "%040d", 9);
    cr_assert_eq(lf_idmap_put(&m, key, (size_t)n, 123), LF_OK);
    cr_expect(lf_idmap_get(&m, key, (size_t)n, &v) && v == 123);
    cr_expect_eq(m.n, 5001);
    cr_expect_eq((uintptr_t)m.entries % 64, 0, "entries on a cache line's boundary");
    lf_idmap_release(&m);
}
