/*
 * markup.h — writing HTML and SVG text safely (private to src/render/).
 *
 * Every byte of the HTML report goes through an mk_out: a buffer with a sticky
 * status, so the page and chart code can write markup in straight lines and check
 * for failure once at the end. There are exactly two ways in:
 *   - mk_raw / mk_rawf for markup written by leadflow itself (tags, numbers, our own
 *     constant words); never pass text that came from the data through them;
 *   - mk_text for everything else: names, channels, reasons, column names, labels.
 *     It is the report's one escaping function: invalid UTF-8 and control
 *     characters become '?', and & < > " ' become character references, which is
 *     safe in element content and in quoted attribute values of HTML and inline SVG.
 *
 * Numbers are formatted here too, once for tables (as the terminal renderer shows
 * them: thousands separators, rates as percentages with one decimal, money with
 * cents, hours and days with one decimal, null as an en dash) and once compactly
 * for chart axes and labels.
 */
#ifndef LEADFLOW_MARKUP_H
#define LEADFLOW_MARKUP_H

#include <stdbool.h>
#include <stddef.h>

#include "leadflow/buf.h"
#include "leadflow/table.h"

#define MK_NULL_MARK "\xe2\x80\x93" /* U+2013 EN DASH: a null value */
#define MK_NUM_MAX 64               /* size of a buffer for any formatted number */

/* The markup being written: leadflow/buf.h's writer that keeps the first failure. */
typedef lf_out mk_out;

/* Appends trusted markup (leadflow's own text). */
void mk_raw(mk_out *o, const char *s);
/* Appends trusted markup, printf-style; %s arguments must be leadflow's own text. */
void mk_rawf(mk_out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends text from anywhere (NULL = nothing), escaped for HTML/SVG content and quoted
 * attributes. */
void mk_text(mk_out *o, const char *s);

/* A table value as the terminal shows it ("1,234", "25.0%", "1,200.50", "3.5", "–"). */
void mk_fmt_value(double v, lf_col_type type, char *buf, size_t size);
/* A cell as the terminal shows it (text cells are copied, NOT escaped; objects are
 * not handled here). */
void mk_fmt_cell(const lf_cell *c, lf_col_type type, char *buf, size_t size);

/* What a chart's numbers measure, for axis ticks and value labels. */
typedef enum mk_unit {
    MK_COUNT = 0, /* 1,234 / 12k / 1.2M */
    MK_RATE,      /* fractions shown as percentages */
    MK_MONEY,     /* like counts, no cents */
    MK_HOURS,     /* "16 h" on axes */
    MK_DAYS,      /* "3 d" on axes */
    MK_NUMBER     /* up to two decimals */
} mk_unit;

/* Compact text for a chart value label (step = 0: as precise as useful). For axis
 * ticks pass the tick step, so ticks show as many decimals as the step needs. */
void mk_fmt_short(double v, mk_unit unit, double step, char *buf, size_t size);
/* The unit suffix of an axis tick ("%", " h", " d") — already part of mk_fmt_short's
 * output; exposed for legends. */
const char *mk_unit_suffix(mk_unit unit);

/* A column name made readable for a table header: "acceptance_rate" ->
 * "acceptance rate", "response_p90_h" -> "response p90 (h)". Not escaped. */
void mk_humanize(const char *name, char *buf, size_t size);

/* The display text of a period label on a chart axis: "2026-01" -> "Jan" with
 * "2026" as the second line when it starts a year or is the first label;
 * "2026-Q1" -> "Q1" / "2026"; "2026-01-05" -> "5 Jan" / "2026"; anything else is
 * shown as it is. line2 is "" when there is no second line. Not escaped. */
void mk_period_short(const char *label, const char *prev, char *line1, size_t n1, char *line2,
                     size_t n2);

#endif
