/*
 * markup.c — safe HTML/SVG text and number formatting for the HTML report (see
 * markup.h).
 *
 * Place in the flow: used by html.c (page, headline, tables) and svg.c (charts).
 * Invariant: text that did not come from leadflow's own source code reaches the
 * output only through mk_text, so one function decides what is safe.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "leadflow/text.h"
#include "markup.h"
#include "render.h"

void mk_raw(mk_out *o, const char *s)
{
    lf_out_adds(o, s);
}

void mk_rawf(mk_out *o, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    lf_out_vaddf(o, fmt, ap);
    va_end(ap);
}

void mk_text(mk_out *o, const char *s)
{
    if (o->st != LF_OK)
        return;
    /* Clean first (valid UTF-8, no controls), then replace the five characters
     * that mean something in markup, copying runs between them in one append. */
    lf_buf tmp;
    lf_buf_init(&tmp, 0);
    lf_status st = render_add_clean(&tmp, s ? s : "", true);
    const char *p = lf_buf_str(&tmp);
    size_t run = 0, i = 0;
    for (; st == LF_OK && i < tmp.len; i++) {
        const char *ent = NULL;
        switch (p[i]) {
        case '&':
            ent = "&amp;";
            break;
        case '<':
            ent = "&lt;";
            break;
        case '>':
            ent = "&gt;";
            break;
        case '"':
            ent = "&quot;";
            break;
        case '\'':
            ent = "&#39;";
            break;
        default:
            continue;
        }
        st = lf_buf_add(o->b, p + run, i - run);
        if (st == LF_OK)
            st = lf_buf_adds(o->b, ent);
        run = i + 1;
    }
    if (st == LF_OK)
        st = lf_buf_add(o->b, p + run, tmp.len - run);
    lf_buf_release(&tmp);
    o->st = st;
}

/* ---- numbers ---------------------------------------------------------------- */

void mk_fmt_value(double v, lf_col_type type, char *buf, size_t size)
{
    if (!isfinite(v)) {
        snprintf(buf, size, "%s", MK_NULL_MARK);
        return;
    }
    render_fmt_number(v, type, buf, size);
}

void mk_fmt_cell(const lf_cell *c, lf_col_type type, char *buf, size_t size)
{
    if (c->kind == LF_CELL_TEXT && c->text)
        snprintf(buf, size, "%s", c->text);
    else if (c->kind == LF_CELL_NUM)
        mk_fmt_value(c->num, type, buf, size);
    else
        snprintf(buf, size, "%s", MK_NULL_MARK);
}

const char *mk_unit_suffix(mk_unit unit)
{
    switch (unit) {
    case MK_RATE:
        return "%";
    case MK_HOURS:
        return " h";
    case MK_DAYS:
        return " d";
    default:
        return "";
    }
}

/* Decimals needed to show multiples of step exactly (0..3). */
static int step_decimals(double step)
{
    int d = 0;
    while (d < 3 && step > 0 && fabs(step * pow(10, d) - round(step * pow(10, d))) > 1e-9)
        d++;
    return d;
}

void mk_fmt_short(double v, mk_unit unit, double step, char *buf, size_t size)
{
    if (!isfinite(v)) {
        snprintf(buf, size, "%s", MK_NULL_MARK);
        return;
    }
    char n[MK_NUM_MAX];
    double a = fabs(v);
    if (unit == MK_RATE) {
        int d = step > 0 ? step_decimals(step * 100.0) : (a * 100.0 >= 10 || v == 0 ? 0 : 1);
        render_fmt_fixed(v * 100.0, d, false, n, sizeof n);
    } else if ((unit == MK_COUNT || unit == MK_MONEY || unit == MK_NUMBER) && a >= 1e6) {
        render_fmt_fixed(v / 1e6, step > 0 ? step_decimals(step / 1e6) : 1, step <= 0, n, sizeof n);
        snprintf(n + strlen(n), sizeof n - strlen(n), "M");
    } else if ((unit == MK_COUNT || unit == MK_MONEY || unit == MK_NUMBER) && a >= 1e4) {
        render_fmt_fixed(v / 1e3, step > 0 ? step_decimals(step / 1e3) : (a >= 1e5 ? 0 : 1),
                         step <= 0, n, sizeof n);
        snprintf(n + strlen(n), sizeof n - strlen(n), "k");
    } else if (unit == MK_COUNT) {
        render_fmt_fixed(v, step > 0 ? step_decimals(step) : 0, false, n, sizeof n);
    } else if (step > 0) {
        render_fmt_fixed(v, step_decimals(step), false, n, sizeof n);
    } else {
        /* a label: money without cents from 100 on, other values with one or two
         * decimals as their size needs */
        bool whole = v == floor(v);
        int d = unit == MK_MONEY ? (a >= 100 || whole ? 0 : 2) : a >= 100 ? 0 : a >= 10 ? 1 : 2;
        render_fmt_fixed(v, d, unit != MK_MONEY, n, sizeof n);
    }
    snprintf(buf, size, "%s%s", n, mk_unit_suffix(unit));
}

/* ---- labels ------------------------------------------------------------------- */

void mk_humanize(const char *name, char *buf, size_t size)
{
    if (!size)
        return;
    size_t n = strlen(name), o = 0;
    bool hours = n > 2 && strcmp(name + n - 2, "_h") == 0;
    if (hours)
        n -= 2;
    for (size_t i = 0; i < n && o + 1 < size; i++)
        buf[o++] = name[i] == '_' ? ' ' : name[i];
    buf[o] = '\0';
    if (hours)
        snprintf(buf + o, size - o, " (h)");
}

static const char *const month_abbr[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                           "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

/* Whether s[0..n) is all digits. */
static bool digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

void mk_period_short(const char *label, const char *prev, char *line1, size_t n1, char *line2,
                     size_t n2)
{
    size_t n = strlen(label);
    bool new_year = !prev || strncmp(prev, label, 4) != 0;
    snprintf(line2, n2, "%.4s", new_year ? label : "");
    if (n == 7 && digits(label, 4) && label[4] == '-' && digits(label + 5, 2)) {
        int m = atoi(label + 5);
        if (m >= 1 && m <= 12) {
            snprintf(line1, n1, "%s", month_abbr[m - 1]);
            return;
        }
    }
    if (n == 7 && digits(label, 4) && label[4] == '-' && label[5] == 'Q') {
        snprintf(line1, n1, "%s", label + 5);
        return;
    }
    if (n == 10 && digits(label, 4) && label[4] == '-' && label[7] == '-' && digits(label + 5, 2) &&
        digits(label + 8, 2)) {
        int m = atoi(label + 5), d = atoi(label + 8);
        if (m >= 1 && m <= 12) {
            snprintf(line1, n1, "%d %s", d, month_abbr[m - 1]);
            return;
        }
    }
    snprintf(line1, n1, "%s", label);
    if (n2)
        line2[0] = '\0';
}
