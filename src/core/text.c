/*
 * text.c — UTF-8 validation, number parsing, ASCII case helpers (see leadflow/text.h).
 * Locale-independent on purpose: leadflow's output must not change with LC_ALL.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "leadflow/text.h"

bool lf_utf8_valid(const char *str, size_t n, size_t *bad)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t len;
        unsigned cp, min;
        if (c >= 0xC2 && c <= 0xDF) {
            len = 2, cp = c & 0x1F, min = 0x80;
        } else if (c >= 0xE0 && c <= 0xEF) {
            len = 3, cp = c & 0x0F, min = 0x800;
        } else if (c >= 0xF0 && c <= 0xF4) {
            len = 4, cp = c & 0x07, min = 0x10000;
        } else {
            goto invalid;
        }
        if (n - i < len)
            goto invalid;
        for (size_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                goto invalid;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            goto invalid;
        i += len;
    }
    return true;
invalid:
    if (bad)
        *bad = i;
    return false;
}

static bool digits(const char *s, size_t n, size_t *i)
{
    size_t start = *i;
    while (*i < n && s[*i] >= '0' && s[*i] <= '9')
        (*i)++;
    return *i > start;
}

/* Converts an already validated decimal text with strtod on a bounded copy. */
static bool to_double(const char *s, size_t n, double *v)
{
    char tmp[64];
    if (n >= sizeof tmp)
        return false;
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    *v = strtod(tmp, NULL);
    return isfinite(*v);
}

bool lf_parse_plain_number(const char *s, size_t n, double *v)
{
    size_t i = 0;
    if (i < n && s[i] == '-')
        i++;
    if (!digits(s, n, &i))
        return false;
    if (i < n && s[i] == '.') {
        i++;
        if (!digits(s, n, &i))
            return false;
    }
    return i == n && to_double(s, n, v);
}

bool lf_parse_amount(const char *s, size_t n, double *v)
{
    size_t i = 0;
    if (i < n && (s[i] == '-' || s[i] == '+'))
        i++;
    bool intpart = digits(s, n, &i);
    bool frac = false;
    if (i < n && s[i] == '.') {
        i++;
        frac = digits(s, n, &i);
    }
    return (intpart || frac) && i == n && to_double(s, n, v);
}

void lf_ascii_lower(char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] >= 'A' && s[i] <= 'Z')
            s[i] = (char)(s[i] - 'A' + 'a');
}

bool lf_ascii_ieq(const char *a, size_t an, const char *b, size_t bn)
{
    if (an != bn)
        return false;
    for (size_t i = 0; i < an; i++) {
        char x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z')
            x = (char)(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z')
            y = (char)(y - 'A' + 'a');
        if (x != y)
            return false;
    }
    return true;
}

size_t lf_fmt_count(long long v, char *buf, size_t size)
{
    char digitsbuf[32];
    unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
    int n = snprintf(digitsbuf, sizeof digitsbuf, "%llu", u);
    size_t o = 0;
    if (v < 0 && o + 1 < size)
        buf[o++] = '-';
    for (int i = 0; i < n && o + 1 < size; i++) {
        if (i > 0 && (n - i) % 3 == 0 && o + 1 < size)
            buf[o++] = ',';
        if (o + 1 < size)
            buf[o++] = digitsbuf[i];
    }
    if (size)
        buf[o < size ? o : size - 1] = '\0';
    return o;
}

lf_status lf_text_escape_term(lf_buf *out, const char *s)
{
    size_t n = s ? strlen(s) : 0;
    lf_status st = LF_OK;
    for (size_t i = 0; st == LF_OK && i < n;) {
        unsigned char c = (unsigned char)s[i];
        size_t len = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
        if (c >= 0x80 && (i + len > n || !lf_utf8_valid(s + i, len, NULL)))
            len = 0; /* not a valid sequence: escape this byte */
        if (len > 1) {
            st = lf_buf_add(out, s + i, len);
            i += len;
            continue;
        }
        if (c == '\n')
            st = lf_buf_adds(out, "\\n");
        else if (c == '\r')
            st = lf_buf_adds(out, "\\r");
        else if (c == '\\')
            st = lf_buf_adds(out, "\\\\");
        else if (c < 0x20 || c >= 0x7f)
            st = lf_buf_addf(out, "\\x%02x", c);
        else
            st = lf_buf_addc(out, (char)c);
        i++;
    }
    return st;
}
