/*
 * format.c — value rules shared by every renderer (see render.h).
 *
 * Why here and not in each renderer: the same table must show the same money in
 * the terminal, CSV, JSON and (later) HTML, so cent rounding and real formatting
 * have exactly one implementation. Locale-independent: only the C locale's "%f"
 * and "%g" are used (leadflow never calls setlocale), and strtod round-trips.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "leadflow/text.h"
#include "render.h"

/* Money is rounded as the decimal a person wrote, not as its binary neighbour:
 * 2.675 is stored as 2.67499999999999982..., and v * 100 may round either way
 * (1.005 * 100 = 100.49999999999999, 2.675 * 100 = 267.5). So the value is first
 * read as 15 significant decimal digits (all a double holds reliably), and those
 * digits are rounded half away from zero at the cent: 1.005 -> 1.01, 2.675 ->
 * 2.68, 0.125 -> 0.13. Beyond 1e13 (cents past 2^53) plain rounding is used. */
double render_round_cents(double v)
{
    if (!isfinite(v))
        return v;
    double a = fabs(v);
    if (a >= 1e13)
        return round(v * 100.0) / 100.0;
    char b[40];
    snprintf(b, sizeof b, "%.14e", a); /* "d.dddddddddddddde+XX" */
    long long m = b[0] - '0';
    const char *p = b + 2;
    for (; *p >= '0' && *p <= '9'; p++)
        m = m * 10 + (*p - '0');
    long e = *p == 'e' ? strtol(p + 1, NULL, 10) : 0;
    /* a = m * 10^(e - 14), so cents = m * 10^(e - 12). */
    long long cents;
    if (e >= 12) {
        cents = m;
        for (long i = 12; i < e; i++)
            cents *= 10;
    } else if (12 - e > 16) {
        cents = 0; /* below 1e-4: far less than half a cent */
    } else {
        long long div = 1;
        for (long i = e; i < 12; i++)
            div *= 10;
        cents = (m + div / 2) / div;
    }
    double r = (double)cents / 100.0;
    return v < 0 && cents ? -r : r; /* no "-0.00" */
}

void render_fmt_fixed(double v, int decimals, bool trim, char *out, size_t size)
{
    if (!size)
        return;
    if (fabs(v) >= 1e15) {
        snprintf(out, size, "%.4g", v);
        return;
    }
    char raw[RENDER_REAL_MAX];
    snprintf(raw, sizeof raw, "%.*f", decimals, v);
    char *dot = strchr(raw, '.');
    if (trim && dot) {
        char *e = raw + strlen(raw);
        while (e > dot + 1 && e[-1] == '0')
            *--e = '\0';
        if (e == dot + 1)
            *dot = '\0';
    }
    const char *digits = raw[0] == '-' ? raw + 1 : raw;
    bool neg = raw[0] == '-' && strspn(digits, "0.") != strlen(digits); /* no "-0" */
    size_t intlen = strcspn(digits, ".");
    size_t o = 0;
    if (neg && o + 1 < size)
        out[o++] = '-';
    for (size_t i = 0; digits[i] && o + 1 < size; i++) {
        if (i > 0 && i < intlen && (intlen - i) % 3 == 0 && o + 2 < size)
            out[o++] = ',';
        out[o++] = digits[i];
    }
    out[o] = '\0';
}

void render_fmt_number(double v, lf_col_type type, char *out, size_t size)
{
    switch (type) {
    case LF_COL_COUNT:
        if (fabs(v) < 9e15)
            lf_fmt_count(llround(v), out, size);
        else
            render_fmt_fixed(v, 0, false, out, size);
        break;
    case LF_COL_RATE: {
        char n[RENDER_REAL_MAX];
        render_fmt_fixed(v * 100.0, 1, false, n, sizeof n);
        snprintf(out, size, "%s%%", n);
        break;
    }
    case LF_COL_MONEY:
        render_fmt_fixed(render_round_cents(v), 2, false, out, size);
        break;
    case LF_COL_HOURS:
    case LF_COL_DAYS:
        render_fmt_fixed(v, 1, false, out, size);
        break;
    default:
        render_fmt_fixed(v, 2, true, out, size);
        break;
    }
}

static bool reads_back(const char *s, double v)
{
    return strtod(s, NULL) == v;
}

size_t render_fmt_real(double v, char *buf, size_t size)
{
    if (!size)
        return 0;
    int n = 0;
    if (v == 0 || !isfinite(v)) {
        /* Non-finite never reaches here from a table (cells refuse it); be total. */
        n = snprintf(buf, size, "%s", v == 0 ? "0" : "null");
        return (size_t)n < size ? (size_t)n : size - 1;
    }
    for (int prec = 15; prec <= 17; prec++) {
        n = snprintf(buf, size, "%.*g", prec, v);
        if (reads_back(buf, v))
            break;
    }
    double a = fabs(v);
    if (strchr(buf, 'e') && a >= 1e-6 && a < 1e15) {
        /* Fewest fixed decimals that read back: at most 6 leading zeros plus 17
         * significant digits, so d <= 23 always succeeds. */
        for (int d = 0; d <= 24; d++) {
            n = snprintf(buf, size, "%.*f", d, v);
            if (reads_back(buf, v))
                break;
        }
    }
    if (n < 0)
        n = 0;
    return (size_t)n < size ? (size_t)n : size - 1;
}

size_t render_utf8_seq(const char *s, size_t n)
{
    unsigned char c = (unsigned char)s[0];
    size_t len = c < 0x80 ? 1 : c < 0xC2 ? 0 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : c < 0xF5 ? 4 : 0;
    if (!len || len > n)
        return 0;
    return lf_utf8_valid(s, len, NULL) ? len : 0;
}

/* Whether the valid sequence s[0..len) is a C0/DEL/C1 control character. */
static bool is_control(const char *s, size_t len)
{
    unsigned char c = (unsigned char)s[0];
    if (len == 1)
        return c < 0x20 || c == 0x7f;
    /* U+0080..U+009F are encoded C2 80..C2 9F. */
    return len == 2 && c == 0xC2 && (unsigned char)s[1] <= 0x9F;
}

lf_status render_add_clean(lf_buf *out, const char *s, bool no_controls)
{
    size_t n = strlen(s), i = 0, run = 0; /* s[run..i) is copied verbatim */
    while (i < n) {
        size_t len = render_utf8_seq(s + i, n - i);
        if (len && !(no_controls && is_control(s + i, len))) {
            i += len;
            continue;
        }
        lf_status st = lf_buf_add(out, s + run, i - run);
        if (st == LF_OK)
            st = lf_buf_addc(out, '?');
        if (st != LF_OK)
            return st;
        i += len ? len : 1;
        run = i;
    }
    return lf_buf_add(out, s + run, n - run);
}

lf_status render_buf_error(lf_status s, lf_error *err, const char *format)
{
    if (s == LF_ENOMEM)
        return lf_errorf(err, s, "out of memory rendering %s output", format);
    return lf_errorf(err, s, "%s output is too large", format);
}
