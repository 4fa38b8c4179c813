/*
 * text.h — small text helpers shared by ingest, scoring and rendering.
 */
#ifndef LEADFLOW_TEXT_H
#define LEADFLOW_TEXT_H

#include <stdbool.h>
#include <stddef.h>

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
/* Formats an integer with thousands separators ("1,234,567"). Buffer >= 32. */
size_t lf_fmt_count(long long v, char *buf, size_t size);

#endif
