/*
 * text.h — small text helpers shared by ingest, scoring and rendering.
 */
#ifndef LEADFLOW_TEXT_H
#define LEADFLOW_TEXT_H

#include <stdbool.h>
#include <stddef.h>

#include "leadflow/buf.h"

/* Whether s[0..n) is valid UTF-8 (no overlongs, no surrogates, <= U+10FFFF); on
 * false, *bad (if not NULL) is the byte offset of the first invalid sequence. */
bool lf_utf8_valid(const char *s, size_t n, size_t *bad);
/* Whether s[0..n) is a plain decimal number, -?[0-9]+(\.[0-9]+)? (SPEC §4); sets *v. */
bool lf_parse_plain_number(const char *s, size_t n, double *v);
/* Parses a decimal amount: optional sign, digits, optional fraction (also "1e3" is
 * refused). Returns false on anything else, including empty. */
bool lf_parse_amount(const char *s, size_t n, double *v);
/* ASCII lower-casing in place. */
void lf_ascii_lower(char *s, size_t n);
/* Case-insensitive (ASCII) equality of two byte strings. */
bool lf_ascii_ieq(const char *a, size_t an, const char *b, size_t bn);
/* Whether s[0..n) equals lc[0..n), a name already in lower case, ignoring ASCII case
 * in s. Stops at the first difference, so a NUL-terminated s shorter than n is never
 * read past its NUL. Inline: it matches event types on the replay hot path. */
static inline bool lf_ascii_ieq_lower(const char *s, const char *lc, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 'A' && c <= 'Z')
            c = (unsigned char)(c - 'A' + 'a');
        if (c != (unsigned char)lc[i])
            return false;
    }
    return true;
}
/* Formats an integer with thousands separators ("1,234,567"). Buffer >= 32. */
size_t lf_fmt_count(long long v, char *buf, size_t size);

/* Appends data text so that it cannot drive a terminal: control bytes and bytes that
 * are not valid UTF-8 as \xNN, newline as \n, carriage return as \r, backslash as \\;
 * valid UTF-8 passes. NULL appends nothing. The one escaping of data text for the
 * terminal (the CLI's messages, the terminal headline and tables use it). */
lf_status lf_text_escape_term(lf_buf *out, const char *s);

#endif
