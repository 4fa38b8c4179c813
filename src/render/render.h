/*
 * render.h — helpers shared by the renderers (private to src/render/, and to the
 * CLI's own JSON in src/cli/cmd_plan.c, which writes numbers by the same rules).
 *
 * The value rules every output format must agree on live here once: money is
 * rounded to cents half away from zero, other reals are written in the shortest
 * form that reads back to the same double, numbers for a person to read (terminal
 * table, HTML report) are written one way, and text from the data is made safe
 * (valid UTF-8, and for terminals no control characters) before it is written.
 */
#ifndef LEADFLOW_RENDER_H
#define LEADFLOW_RENDER_H

#include <stdbool.h>
#include <stddef.h>

#include "leadflow/buf.h"
#include "leadflow/table.h"

/* Size of a buffer that holds any render_fmt_real result. */
#define RENDER_REAL_MAX 64

/* v rounded half away from zero to a whole number of cents (never -0). */
double render_round_cents(double v);

/* Writes the shortest decimal text that strtod reads back as v: %.15g, %.16g or
 * %.17g, but fixed notation (trimmed) instead of an exponent when
 * 1e-6 <= |v| < 1e15; "0" for both zeros. buf >= RENDER_REAL_MAX. Returns length. */
size_t render_fmt_real(double v, char *buf, size_t size);

/* Writes v with `decimals` decimals (trailing zeros cut when trim), thousands
 * separators and no "-0"; |v| >= 1e15 falls back to 4 significant digits so a wild
 * value stays short. Never longer than RENDER_REAL_MAX - 1 bytes for decimals <= 20;
 * cut (NUL-terminated) to fit a smaller out. */
void render_fmt_fixed(double v, int decimals, bool trim, char *out, size_t size);

/* Writes finite v of a column of `type` as a person reads it in the terminal table
 * and the HTML report: "1,234" (count), "25.0%" (rate), "1,200.50" (money), "3.5"
 * (hours, days), "0.25" (other reals, trimmed). out >= RENDER_REAL_MAX. */
void render_fmt_number(double v, lf_col_type type, char *out, size_t size);

/* Length (1..4) of the valid UTF-8 sequence at s[0..n), or 0 when s does not start
 * one (n > 0). */
size_t render_utf8_seq(const char *s, size_t n);

/* Appends s with every byte that is not part of a valid UTF-8 sequence replaced by
 * '?'; with no_controls also C0 controls, DEL and C1 controls (U+0080..U+009F). */
lf_status render_add_clean(lf_buf *out, const char *s, bool no_controls);

/* Appends v as a JSON real: render_fmt_real's text with ".0" on a whole number, so it
 * reads back as a real; null when not finite. Also used by `leadflow plan`'s JSON. */
lf_status render_json_real(double v, lf_buf *out);

/* Appends the compact JSON text of an object cell ({"email":3,"paid":5}), with the
 * same value rules as the JSON renderer (src/render/json.c). */
lf_status render_json_object(const lf_object *o, lf_buf *out);

/* The error for a failed append to the output buffer. */
lf_status render_buf_error(lf_status s, lf_error *err, const char *format);

#endif
