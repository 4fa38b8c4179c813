/*
 * cmd_plan.c — `leadflow plan --revenue N [--deal-size N] [--close-rate R]
 * [--sql-rate R] [--mql-rate R] [--visit-rate R] [--months M] [--from-history]
 * [--as-of TS] [--format table|json]` (SPEC §6).
 *
 * Front end only: parses and validates the flags (a bad value is a usage error,
 * exit 1), loads what the planner needs and prints its result. The workspace is
 * optional: leadflow.yaml, when present, gives the zone (for --as-of and the month
 * of as-of) and the business calendar (for --months); without one, UTC and the
 * default calendar (Mon-Fri, no holidays) are used. The store is opened only when
 * --from-history must supply a value that was not given.
 *
 * A plan is as long as the values it is given: without --mql-rate (and without
 * --from-history) it stops after mqls, says so in a line of its output, and exits 0
 * (the SPEC example). With --from-history, a value history cannot give (no handoffs in
 * the window, a zero rate) also stops the plan at that step: the steps computed are
 * printed on stdout, "leadflow: error: cannot compute leads: no handoffs opened in
 * 2025-04..2026-03 ...: pass --sql-rate" goes to stderr, and the exit code is 2.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "leadflow/buf.h"
#include "leadflow/plan.h"
#include "leadflow/text.h"
#include "render/render.h"

typedef struct plan_opts {
    const char *revenue, *value[LF_PLAN_NSTEPS], *months, *as_of, *format;
    bool from_history;
} plan_opts;

static int parse_opts(const cli_command *cmd, int argc, char **argv, plan_opts *o)
{
    static const char *const value_opts[LF_PLAN_NSTEPS] = {"deal-size", "close-rate", "sql-rate",
                                                           "mql-rate", "visit-rate"};
    for (int i = 1; i < argc;) {
        if (strcmp(argv[i], "--from-history") == 0) {
            o->from_history = true;
            i++;
            continue;
        }
        const char *v;
        int m;
        if ((m = cli_opt(cmd, argc, argv, &i, "revenue", &v)) != 0) {
            if (m < 0)
                return 1;
            o->revenue = v;
            continue;
        }
        if ((m = cli_opt(cmd, argc, argv, &i, "months", &v)) != 0) {
            if (m < 0)
                return 1;
            o->months = v;
            continue;
        }
        if ((m = cli_opt(cmd, argc, argv, &i, "as-of", &v)) != 0) {
            if (m < 0)
                return 1;
            o->as_of = v;
            continue;
        }
        if ((m = cli_opt(cmd, argc, argv, &i, "format", &v)) != 0) {
            if (m < 0)
                return 1;
            o->format = v;
            continue;
        }
        bool matched = false;
        for (int k = 0; k < LF_PLAN_NSTEPS && !matched; k++) {
            if ((m = cli_opt(cmd, argc, argv, &i, value_opts[k], &v)) < 0)
                return 1;
            if (m > 0) {
                o->value[k] = v;
                matched = true;
            }
        }
        if (matched)
            continue;
        if (argv[i][0] == '-' && argv[i][1])
            return cli_usage(cmd, "unknown option '%s'", argv[i]);
        return cli_usage(cmd, "unexpected argument '%s'", argv[i]);
    }
    if (!o->revenue)
        return cli_usage(cmd, "plan needs --revenue");
    return 0;
}

/* Parses a money amount or a rate given on the command line into in. */
static int parse_value(const cli_command *cmd, const char *flag, const char *s, bool rate,
                       lf_plan_value *out)
{
    if (s[0] == '-' && s[1])
        return cli_usage(cmd, "%s must not be negative, not '%s'", flag, s);
    if (!lf_plan_parse_value(s, out))
        return cli_usage(cmd, "%s needs a plain number%s, not '%s'", flag,
                         rate ? " (a fraction: 0.25 for 25%)" : "", s);
    if (out->num == 0)
        return cli_usage(cmd, "%s must be more than 0", flag);
    if (rate && out->num > out->den)
        return cli_usage(cmd, "%s must be a rate in (0, 1] (a fraction: 0.25 for 25%%), not '%s'",
                         flag, s);
    if (!rate && (double)out->num / (double)out->den > 1e15)
        return cli_usage(cmd, "%s is too large: '%s'", flag, s);
    return 0;
}

static int parse_months(const cli_command *cmd, const char *s, int *months)
{
    size_t n = strspn(s, "0123456789");
    long v = n && !s[n] && n <= 4 ? strtol(s, NULL, 10) : 0;
    if (v < 1 || v > 1200)
        return cli_usage(cmd, "--months needs a whole number of months from 1 to 1200, not '%s'", s);
    *months = (int)v;
    return 0;
}

/* ---- formatting ------------------------------------------------------------------- */

/* v with `dec` decimals (half away from zero) and thousands separators. */
static void fmt_dec(double v, int dec, bool trim_zero_fraction, char *buf, size_t size)
{
    double scale = 1;
    for (int i = 0; i < dec; i++)
        scale *= 10;
    long long r = llround(fabs(v) * scale), sc = (long long)scale;
    char ip[40];
    lf_fmt_count(r / sc, ip, sizeof ip);
    const char *sign = v < 0 && r ? "-" : "";
    if (dec == 0 || (trim_zero_fraction && r % sc == 0))
        snprintf(buf, size, "%s%s", sign, ip);
    else
        snprintf(buf, size, "%s%s.%0*lld", sign, ip, dec, r % sc);
}

/* A rate as a percentage with up to two decimals: "25%", "42.86%". */
static void fmt_pct(double rate, char *buf, size_t size)
{
    char tmp[48];
    snprintf(tmp, sizeof tmp, "%.2f", rate * 100);
    char *e = tmp + strlen(tmp);
    while (e[-1] == '0')
        *--e = '\0';
    if (e[-1] == '.')
        *--e = '\0';
    snprintf(buf, size, "%s%%", tmp);
}

static const char *const short_names[LF_PLAN_NSTEPS] = {"deal size", "close rate", "MQL-to-SQL",
                                                        "lead-to-MQL", "visit rate"};

/* The "using" cell of a step: "close rate 42.86% (3 / 7)". */
static void fmt_using(const lf_plan *p, int k, char *buf, size_t size)
{
    char v[64], a[40], b[40];
    if (k == LF_PLAN_DEALS)
        fmt_dec(p->value[k], 2, true, v, sizeof v);
    else
        fmt_pct(p->value[k], v, sizeof v);
    if (p->source[k] != LF_PLAN_HISTORY) {
        snprintf(buf, size, "%s %s", short_names[k], v);
        return;
    }
    if (k == LF_PLAN_DEALS) { /* num = revenue in cents, den = customers x 100 */
        fmt_dec((double)p->frac[k].num / 100.0, 2, true, a, sizeof a);
        lf_fmt_count((long long)(p->frac[k].den / 100), b, sizeof b);
        snprintf(buf, size, "%s %s (%s / %s)", short_names[k], v, a, b);
        return;
    }
    lf_fmt_count((long long)p->frac[k].num, a, sizeof a);
    lf_fmt_count((long long)p->frac[k].den, b, sizeof b);
    snprintf(buf, size, "%s %s (%s / %s)", short_names[k], v, a, b);
}

static void fmt_source(const lf_plan *p, int k, char *buf, size_t size)
{
    if (p->source[k] == LF_PLAN_HISTORY)
        snprintf(buf, size, "history %s", p->history);
    else
        snprintf(buf, size, "%s", p->source[k] == LF_PLAN_GIVEN ? "given" : "\xe2\x80\x93");
}

static void pad(lf_buf *b, const char *s, size_t width, bool right)
{
    size_t w = 0;
    for (const char *q = s; *q; q++)
        w += ((unsigned char)*q & 0xC0) != 0x80;
    if (right)
        for (size_t i = w; i < width; i++)
            lf_buf_addc(b, ' ');
    lf_buf_adds(b, s);
    if (!right)
        for (size_t i = w; i < width; i++)
            lf_buf_addc(b, ' ');
}

/* Ends a line: trims trailing spaces. */
static void end_line(lf_buf *b)
{
    while (b->len && b->data[b->len - 1] == ' ')
        b->data[--b->len] = '\0';
    lf_buf_addc(b, '\n');
}

static size_t max_sz(size_t a, size_t b)
{
    return a > b ? a : b;
}

static size_t width_of(const char *s)
{
    size_t w = 0;
    for (; *s; s++)
        w += ((unsigned char)*s & 0xC0) != 0x80;
    return w;
}

static void render_table(const lf_plan *p, double revenue, lf_time as_of, const char *tz,
                         lf_buf *b)
{
    char cnt[LF_PLAN_NSTEPS][40], use[LF_PLAN_NSTEPS][200], src[LF_PLAN_NSTEPS][64], rev[48];
    size_t w[4] = {4, 5, 5, 6}; /* "step", "count", "using", "source" */
    for (size_t k = 0; k < p->nsteps; k++) {
        lf_fmt_count((long long)p->count[k], cnt[k], sizeof cnt[k]);
        fmt_using(p, (int)k, use[k], sizeof use[k]);
        fmt_source(p, (int)k, src[k], sizeof src[k]);
        w[0] = max_sz(w[0], width_of(lf_plan_step_name((lf_plan_step)k)));
        w[1] = max_sz(w[1], width_of(cnt[k]));
        w[2] = max_sz(w[2], width_of(use[k]));
        w[3] = max_sz(w[3], width_of(src[k]));
    }
    fmt_dec(revenue, 2, true, rev, sizeof rev);
    lf_buf_addf(b, "plan  revenue %s", rev);
    if (p->history[0] || p->months > 0) { /* as-of matters only for these */
        char ts[40];
        lf_time_format_utc(as_of, ts, sizeof ts);
        lf_buf_addf(b, ", as of %s (%s)", ts, tz);
    }
    lf_buf_adds(b, "\n\n");
    pad(b, "step", w[0], false);
    lf_buf_adds(b, "  ");
    pad(b, "count", w[1], true);
    lf_buf_adds(b, "  ");
    pad(b, "using", w[2], false);
    lf_buf_adds(b, "  ");
    pad(b, "source", w[3], false);
    end_line(b);
    size_t rule = w[0] + w[1] + w[2] + w[3] + 6;
    for (size_t i = 0; i < rule; i++)
        lf_buf_addc(b, '-');
    lf_buf_addc(b, '\n');
    for (size_t k = 0; k < p->nsteps; k++) {
        pad(b, lf_plan_step_name((lf_plan_step)k), w[0], false);
        lf_buf_adds(b, "  ");
        pad(b, cnt[k], w[1], true);
        lf_buf_adds(b, "  ");
        pad(b, use[k], w[2], false);
        lf_buf_adds(b, "  ");
        pad(b, src[k], w[3], false);
        end_line(b);
    }
    if (p->months > 0 && p->nsteps > 0) {
        char from[16], to[16], bd[32];
        int y, m, d;
        lf_civil_from_days(p->months_from_day, &y, &m, &d);
        snprintf(from, sizeof from, "%04d-%02d", y, m);
        lf_civil_from_days(p->months_to_day - 1, &y, &m, &d);
        snprintf(to, sizeof to, "%04d-%02d", y, m);
        lf_fmt_count(p->business_days, bd, sizeof bd);
        lf_buf_addf(b, "\nover %d month%s (%s..%s, %s business days):\n", p->months,
                    p->months == 1 ? "" : "s", from, to, bd);
        char pm[LF_PLAN_NSTEPS][48], pb[LF_PLAN_NSTEPS][48];
        size_t wm = 9, wb = 16; /* "per month", "per business day" */
        for (size_t k = 0; k < p->nsteps; k++) {
            fmt_dec(p->per_month[k], 1, false, pm[k], sizeof pm[k]);
            if (p->business_days > 0)
                fmt_dec(p->per_bday[k], 2, false, pb[k], sizeof pb[k]);
            else
                snprintf(pb[k], sizeof pb[k], "\xe2\x80\x93");
            wm = max_sz(wm, width_of(pm[k]));
            wb = max_sz(wb, width_of(pb[k]));
        }
        pad(b, "step", w[0], false);
        lf_buf_adds(b, "  ");
        pad(b, "per month", wm, true);
        lf_buf_adds(b, "  ");
        pad(b, "per business day", wb, true);
        end_line(b);
        for (size_t i = 0; i < w[0] + wm + wb + 4; i++)
            lf_buf_addc(b, '-');
        lf_buf_addc(b, '\n');
        for (size_t k = 0; k < p->nsteps; k++) {
            pad(b, lf_plan_step_name((lf_plan_step)k), w[0], false);
            lf_buf_adds(b, "  ");
            pad(b, pm[k], wm, true);
            lf_buf_adds(b, "  ");
            pad(b, pb[k], wb, true);
            end_line(b);
        }
    }
    lf_buf_adds(b, "\n");
    if (p->stop[0])
        lf_buf_addf(b, "the plan stops at %s: %s\n", lf_plan_step_name((lf_plan_step)p->nsteps),
                    p->stop);
    if (p->history[0])
        lf_buf_addf(b, "history: %s, the 12 calendar months before the month of as-of\n",
                    p->history);
    lf_buf_adds(b, "each step is rounded up: deals = revenue / deal size, sqls = deals / close\n"
                   "  rate, mqls = sqls / MQL-to-SQL, leads = mqls / lead-to-MQL, visitors =\n"
                   "  leads / visit rate\n");
}

/* ---- json (reals written as the report JSON writes them: render_json_real) --------- */

static void json_per(lf_buf *b, const lf_plan *p, const double *v)
{
    lf_buf_addc(b, '{');
    for (size_t k = 0; k < p->nsteps; k++) {
        lf_buf_addf(b, "%s\"%s\": ", k ? ", " : "", lf_plan_step_name((lf_plan_step)k));
        render_json_real(v[k], b);
    }
    lf_buf_addc(b, '}');
}

static void render_json(const lf_plan *p, double revenue, lf_time as_of, lf_buf *b)
{
    static const char *const sources[] = {"none", "given", "history"};
    char ts[40];
    lf_time_format_utc(as_of, ts, sizeof ts);
    lf_buf_adds(b, "{\n  \"revenue\": ");
    render_json_real(revenue, b);
    lf_buf_adds(b, ",\n  \"deal_size\": ");
    if (p->nsteps > 0)
        render_json_real(p->value[LF_PLAN_DEALS], b);
    else
        lf_buf_adds(b, "null");
    lf_buf_addf(b, ",\n  \"as_of\": \"%s\",\n  \"history\": ", ts);
    if (p->history[0])
        lf_buf_addf(b, "\"%s\"", p->history);
    else
        lf_buf_adds(b, "null");
    lf_buf_adds(b, ",\n  \"steps\": [");
    for (size_t k = 0; k < p->nsteps; k++) {
        lf_buf_addf(b, "%s\n    {\"step\": \"%s\", \"count\": %llu, \"rate\": ", k ? "," : "",
                    lf_plan_step_name((lf_plan_step)k), (unsigned long long)p->count[k]);
        if (k == LF_PLAN_DEALS)
            lf_buf_adds(b, "null");
        else
            render_json_real(p->value[k], b);
        lf_buf_addf(b, ", \"source\": \"%s\"}", sources[p->source[k]]);
    }
    lf_buf_adds(b, p->nsteps ? "\n  ],\n" : "],\n");
    if (p->nsteps < LF_PLAN_NSTEPS)
        lf_buf_addf(b, "  \"stopped_at\": \"%s\",\n  \"stop_reason\": \"%s\",\n",
                    lf_plan_step_name((lf_plan_step)p->nsteps), p->stop);
    else
        lf_buf_adds(b, "  \"stopped_at\": null,\n  \"stop_reason\": null,\n");
    if (p->months > 0) {
        lf_buf_addf(b, "  \"months\": %d,\n  \"business_days\": %d,\n  \"per_month\": ",
                    p->months, (int)p->business_days);
        json_per(b, p, p->per_month);
        lf_buf_adds(b, ",\n  \"per_business_day\": ");
        if (p->business_days > 0)
            json_per(b, p, p->per_bday);
        else
            lf_buf_adds(b, "null");
        lf_buf_adds(b, "\n}\n");
    } else {
        lf_buf_adds(b, "  \"months\": null,\n  \"business_days\": null,\n"
                       "  \"per_month\": null,\n  \"per_business_day\": null\n}\n");
    }
}

/* ---- the command ------------------------------------------------------------------- */

int cmd_plan(cli_ctx *ctx, int argc, char **argv)
{
    const cli_command *cmd = cli_find("plan");
    plan_opts o = {0};
    int code = parse_opts(cmd, argc, argv, &o);
    if (code)
        return code;
    lf_plan_input in = {0};
    if ((code = parse_value(cmd, "--revenue", o.revenue, false, &in.revenue)) != 0)
        return code;
    bool missing = false;
    for (int k = 0; k < LF_PLAN_NSTEPS; k++) {
        if (!o.value[k]) {
            missing = true;
            continue;
        }
        if ((code = parse_value(cmd, lf_plan_flag((lf_plan_step)k), o.value[k], k != LF_PLAN_DEALS, &in.value[k])) != 0)
            return code;
        in.given[k] = true;
    }
    if (o.months && (code = parse_months(cmd, o.months, &in.months)) != 0)
        return code;
    bool json = false;
    if (o.format && strcmp(o.format, "json") == 0)
        json = true;
    else if (o.format && strcmp(o.format, "table") != 0)
        return cli_usage(cmd, "unknown format '%s' (table, json)", o.format);
    in.from_history = o.from_history;

    /* the configuration when there is one (zone, calendar); defaults otherwise */
    lf_config defaults;
    const lf_config *cfg = &ctx->ws.cfg;
    bool own_defaults = false;
    bool need_store = in.from_history && missing;
    char *yaml = cli_path(ctx->ws.dir, "leadflow.yaml");
    struct stat sb;
    bool have_yaml = yaml && stat(yaml, &sb) == 0;
    free(yaml);
    if (have_yaml || need_store) {
        if ((code = cli_load_config(ctx)) != 0)
            return code;
    } else {
        lf_error err;
        if (lf_config_defaults(&defaults, &err) != LF_OK)
            return cli_fail(err.code, "%s", err.msg);
        cfg = &defaults;
        own_defaults = true;
    }

    lf_time as_of;
    if ((code = cli_parse_as_of(cmd, cfg->tz, o.as_of, &as_of)) != 0) {
        if (own_defaults)
            lf_config_release(&defaults);
        return code;
    }

    lf_plan_history hist;
    bool have_hist = false;
    if (need_store) {
        lf_dataset ds;
        if ((code = cli_load_dataset(ctx, &ds)) != 0)
            return code;
        lf_plan_history_compute(&ds, cfg, as_of, &hist);
        lf_dataset_release(&ds);
        have_hist = true;
    }

    lf_plan plan;
    lf_error err;
    lf_error_clear(&err);
    lf_status s = lf_plan_run(&in, have_hist ? &hist : NULL, cfg, as_of, &plan, &err);
    if (s == LF_EUSAGE) {
        if (own_defaults)
            lf_config_release(&defaults);
        return cli_usage(cmd, "%s", err.msg);
    }
    double revenue = (double)in.revenue.num / (double)in.revenue.den;
    lf_buf out;
    lf_buf_init(&out, 0);
    if (json)
        render_json(&plan, revenue, as_of, &out);
    else
        render_table(&plan, revenue, as_of, lf_tz_name(cfg->tz ? cfg->tz : lf_tz_utc()), &out);
    if (own_defaults)
        lf_config_release(&defaults);
    fwrite(lf_buf_str(&out), 1, out.len, stdout);
    lf_buf_release(&out);
    if (s != LF_OK) {
        fflush(stdout);
        return cli_fail(s, "%s", err.msg);
    }
    return 0;
}
