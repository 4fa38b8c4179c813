/*
 * app_plan.c — the plan for the front ends (leadflow/app_plan.h): arguments as typed
 * -> validated exact values -> the planner (src/report/plan.c, pure) -> bytes in the
 * requested format.
 *
 * Place in the flow: a front end -> here -> [the workspace's configuration; the
 * dataset (leadflow/app_dataset.h) only when history must give a value] -> planner ->
 * text or JSON. The table is laid out here rather than by the table renderer because
 * a plan is not a report table: it has a stop line, a history line and an optional
 * second table per month and per business day. Reals in the JSON are written as the
 * report JSON writes them (render_json_real), so the two never disagree on a number.
 *
 * A plan is as long as the values it is given: without a lead-to-MQL rate (and
 * without history) it stops after mqls and says so in its output, which is not an
 * error. With history, a value history cannot give stops the plan at that step and
 * is an error (LF_EINPUT) reported after the steps computed.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "leadflow/app_dataset.h"
#include "leadflow/app_plan.h"
#include "leadflow/app_range.h"
#include "leadflow/plan.h"
#include "leadflow/text.h"
#include "render/render.h"

_Static_assert(LF_APP_PLAN_NVALUES == LF_PLAN_NSTEPS, "one value per plan step");

/* ---- arguments --------------------------------------------------------------------- */

/* Parses a money amount or a rate given as text into out. */
static lf_status parse_value(const char *flag, const char *s, bool rate, lf_plan_value *out,
                             lf_error *err)
{
    if (s[0] == '-' && s[1])
        return lf_errorf(err, LF_EUSAGE, "%s must not be negative, not '%s'", flag, s);
    if (!lf_plan_parse_value(s, out))
        return lf_errorf(err, LF_EUSAGE, "%s needs a plain number%s, not '%s'", flag,
                         rate ? " (a fraction: 0.25 for 25%)" : "", s);
    if (out->num == 0)
        return lf_errorf(err, LF_EUSAGE, "%s must be more than 0", flag);
    if (rate && out->num > out->den)
        return lf_errorf(err, LF_EUSAGE,
                         "%s must be a rate in (0, 1] (a fraction: 0.25 for 25%%), not '%s'",
                         flag, s);
    if (!rate && (double)out->num / (double)out->den > 1e15)
        return lf_errorf(err, LF_EUSAGE, "%s is too large: '%s'", flag, s);
    return LF_OK;
}

static lf_status parse_months(const char *s, int *months, lf_error *err)
{
    size_t n = strspn(s, "0123456789");
    long v = n && !s[n] && n <= 4 ? strtol(s, NULL, 10) : 0;
    if (v < 1 || v > 1200)
        return lf_errorf(err, LF_EUSAGE,
                         "--months needs a whole number of months from 1 to 1200, not '%s'", s);
    *months = (int)v;
    return LF_OK;
}

/* The planner's input from the arguments; *json = the format is JSON; *missing = some
 * value was not given. */
static lf_status parse_args(const lf_app_plan_args *a, lf_plan_input *in, bool *json,
                            bool *missing, lf_error *err)
{
    memset(in, 0, sizeof *in);
    lf_status s = parse_value("--revenue", a->revenue, false, &in->revenue, err);
    *missing = false;
    for (int k = 0; k < LF_PLAN_NSTEPS && s == LF_OK; k++) {
        if (!a->value[k]) {
            *missing = true;
            continue;
        }
        s = parse_value(lf_plan_flag((lf_plan_step)k), a->value[k], k != LF_PLAN_DEALS,
                        &in->value[k], err);
        in->given[k] = true;
    }
    if (s == LF_OK && a->months)
        s = parse_months(a->months, &in->months, err);
    if (s != LF_OK)
        return s;
    *json = a->format && strcmp(a->format, "json") == 0;
    if (a->format && !*json && strcmp(a->format, "table") != 0)
        return lf_errorf(err, LF_EUSAGE, "unknown format '%s' (table, json)", a->format);
    in->from_history = a->from_history;
    return LF_OK;
}

/* ---- formatting -------------------------------------------------------------------- */

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

/* Terminal columns of UTF-8 text ("–" is one). */
static size_t width_of(const char *s)
{
    size_t w = 0;
    for (; *s; s++)
        w += ((unsigned char)*s & 0xC0) != 0x80;
    return w;
}

static size_t max_sz(size_t a, size_t b)
{
    return a > b ? a : b;
}

/* The output being written (leadflow/buf.h: appends stop at the first failure). */
typedef lf_out plan_out;

/* v as the report JSON writes reals (render_json_real). */
static void out_real(plan_out *o, double v)
{
    if (o->st == LF_OK)
        o->st = render_json_real(v, o->b);
}

/* s padded with spaces to width columns, right- or left-aligned. */
static void pad(plan_out *o, const char *s, size_t width, bool right)
{
    size_t w = width_of(s);
    if (right)
        for (size_t i = w; i < width; i++)
            lf_out_addc(o, ' ');
    lf_out_adds(o, s);
    if (!right)
        for (size_t i = w; i < width; i++)
            lf_out_addc(o, ' ');
}

/* One row of cells separated by two spaces; trailing spaces trimmed. */
static void row(plan_out *o, size_t n, const char *const *cells, const size_t *w,
                const bool *right)
{
    for (size_t i = 0; i < n; i++) {
        if (i)
            lf_out_adds(o, "  ");
        pad(o, cells[i], w[i], right[i]);
    }
    while (o->st == LF_OK && o->b->len && o->b->data[o->b->len - 1] == ' ')
        o->b->data[--o->b->len] = '\0';
    lf_out_addc(o, '\n');
}

static void rule_line(plan_out *o, size_t n)
{
    for (size_t i = 0; i < n; i++)
        lf_out_addc(o, '-');
    lf_out_addc(o, '\n');
}

/* ---- table ------------------------------------------------------------------------- */

/* step | count | using | source. */
static void steps_table(const lf_plan *p, plan_out *o, size_t *step_width)
{
    char cnt[LF_PLAN_NSTEPS][40], use[LF_PLAN_NSTEPS][200], src[LF_PLAN_NSTEPS][64];
    size_t w[4] = {4, 5, 5, 6}; /* "step", "count", "using", "source" */
    static const bool right[4] = {false, true, false, false};
    for (size_t k = 0; k < p->nsteps; k++) {
        lf_fmt_count((long long)p->count[k], cnt[k], sizeof cnt[k]);
        fmt_using(p, (int)k, use[k], sizeof use[k]);
        fmt_source(p, (int)k, src[k], sizeof src[k]);
        w[0] = max_sz(w[0], width_of(lf_plan_step_name((lf_plan_step)k)));
        w[1] = max_sz(w[1], width_of(cnt[k]));
        w[2] = max_sz(w[2], width_of(use[k]));
        w[3] = max_sz(w[3], width_of(src[k]));
    }
    row(o, 4, (const char *const[]){"step", "count", "using", "source"}, w, right);
    rule_line(o, w[0] + w[1] + w[2] + w[3] + 6);
    for (size_t k = 0; k < p->nsteps; k++)
        row(o, 4, (const char *const[]){lf_plan_step_name((lf_plan_step)k), cnt[k], use[k], src[k]},
            w, right);
    *step_width = w[0];
}

/* "over M months (...):" and step | per month | per business day. */
static void per_period_table(const lf_plan *p, size_t step_width, plan_out *o)
{
    char from[16], to[16], bd[32];
    int y, m, d;
    lf_civil_from_days(p->months_from_day, &y, &m, &d);
    snprintf(from, sizeof from, "%04d-%02d", y, m);
    lf_civil_from_days(p->months_to_day - 1, &y, &m, &d);
    snprintf(to, sizeof to, "%04d-%02d", y, m);
    lf_fmt_count(p->business_days, bd, sizeof bd);
    lf_out_addf(o, "\nover %d month%s (%s..%s, %s business days):\n", p->months,
                p->months == 1 ? "" : "s", from, to, bd);
    char pm[LF_PLAN_NSTEPS][48], pb[LF_PLAN_NSTEPS][48];
    size_t w[3] = {step_width, 9, 16}; /* "per month", "per business day" */
    static const bool right[3] = {false, true, true};
    for (size_t k = 0; k < p->nsteps; k++) {
        fmt_dec(p->per_month[k], 1, false, pm[k], sizeof pm[k]);
        if (p->business_days > 0)
            fmt_dec(p->per_bday[k], 2, false, pb[k], sizeof pb[k]);
        else
            snprintf(pb[k], sizeof pb[k], "\xe2\x80\x93");
        w[1] = max_sz(w[1], width_of(pm[k]));
        w[2] = max_sz(w[2], width_of(pb[k]));
    }
    row(o, 3, (const char *const[]){"step", "per month", "per business day"}, w, right);
    rule_line(o, w[0] + w[1] + w[2] + 4);
    for (size_t k = 0; k < p->nsteps; k++)
        row(o, 3, (const char *const[]){lf_plan_step_name((lf_plan_step)k), pm[k], pb[k]}, w,
            right);
}

static void render_table(const lf_plan *p, double revenue, lf_time as_of, const char *tz,
                         plan_out *o)
{
    char rev[48];
    fmt_dec(revenue, 2, true, rev, sizeof rev);
    lf_out_addf(o, "plan  revenue %s", rev);
    if (p->history[0] || p->months > 0) { /* as-of matters only for these */
        char ts[40];
        lf_time_format_utc(as_of, ts, sizeof ts);
        lf_out_addf(o, ", as of %s (%s)", ts, tz);
    }
    lf_out_adds(o, "\n\n");
    size_t step_width;
    steps_table(p, o, &step_width);
    if (p->months > 0 && p->nsteps > 0)
        per_period_table(p, step_width, o);
    lf_out_adds(o, "\n");
    if (p->stop[0])
        lf_out_addf(o, "the plan stops at %s: %s\n", lf_plan_step_name((lf_plan_step)p->nsteps),
                    p->stop);
    if (p->history[0])
        lf_out_addf(o, "history: %s, the 12 calendar months before the month of as-of\n",
                    p->history);
    lf_out_adds(o, "each step is rounded up: deals = revenue / deal size, sqls = deals / close\n"
                   "  rate, mqls = sqls / MQL-to-SQL, leads = mqls / lead-to-MQL, visitors =\n"
                   "  leads / visit rate\n");
}

/* ---- json -------------------------------------------------------------------------- */

static void json_per(plan_out *o, const lf_plan *p, const double *v)
{
    lf_out_addc(o, '{');
    for (size_t k = 0; k < p->nsteps; k++) {
        lf_out_addf(o, "%s\"%s\": ", k ? ", " : "", lf_plan_step_name((lf_plan_step)k));
        out_real(o, v[k]);
    }
    lf_out_addc(o, '}');
}

static void json_steps(const lf_plan *p, plan_out *o)
{
    static const char *const sources[] = {"none", "given", "history"};
    lf_out_adds(o, ",\n  \"steps\": [");
    for (size_t k = 0; k < p->nsteps; k++) {
        lf_out_addf(o, "%s\n    {\"step\": \"%s\", \"count\": %llu, \"rate\": ", k ? "," : "",
                    lf_plan_step_name((lf_plan_step)k), (unsigned long long)p->count[k]);
        if (k == LF_PLAN_DEALS)
            lf_out_adds(o, "null");
        else
            out_real(o, p->value[k]);
        lf_out_addf(o, ", \"source\": \"%s\"}", sources[p->source[k]]);
    }
    lf_out_adds(o, p->nsteps ? "\n  ],\n" : "],\n");
    if (p->nsteps < LF_PLAN_NSTEPS)
        lf_out_addf(o, "  \"stopped_at\": \"%s\",\n  \"stop_reason\": \"%s\",\n",
                    lf_plan_step_name((lf_plan_step)p->nsteps), p->stop);
    else
        lf_out_adds(o, "  \"stopped_at\": null,\n  \"stop_reason\": null,\n");
}

static void render_json(const lf_plan *p, double revenue, lf_time as_of, plan_out *o)
{
    char ts[40];
    lf_time_format_utc(as_of, ts, sizeof ts);
    lf_out_adds(o, "{\n  \"revenue\": ");
    out_real(o, revenue);
    lf_out_adds(o, ",\n  \"deal_size\": ");
    if (p->nsteps > 0)
        out_real(o, p->value[LF_PLAN_DEALS]);
    else
        lf_out_adds(o, "null");
    lf_out_addf(o, ",\n  \"as_of\": \"%s\",\n  \"history\": ", ts);
    if (p->history[0])
        lf_out_addf(o, "\"%s\"", p->history);
    else
        lf_out_adds(o, "null");
    json_steps(p, o);
    if (p->months > 0) {
        lf_out_addf(o, "  \"months\": %d,\n  \"business_days\": %d,\n  \"per_month\": ",
                    p->months, (int)p->business_days);
        json_per(o, p, p->per_month);
        lf_out_adds(o, ",\n  \"per_business_day\": ");
        if (p->business_days > 0)
            json_per(o, p, p->per_bday);
        else
            lf_out_adds(o, "null");
        lf_out_adds(o, "\n}\n");
    } else {
        lf_out_adds(o, "  \"months\": null,\n  \"business_days\": null,\n"
                       "  \"per_month\": null,\n  \"per_business_day\": null\n}\n");
    }
}

/* ---- the plan ---------------------------------------------------------------------- */

/* The configuration: the workspace's when it has a leadflow.yaml or the store is
 * needed, else the defaults (into *defaults, then *cfg points at them). */
static lf_status plan_config(lf_workspace *ws, bool need_store, lf_config *defaults,
                             const lf_config **cfg, lf_error *err)
{
    char *yaml = lf_workspace_path(ws, "leadflow.yaml");
    struct stat sb;
    bool have_yaml = yaml && stat(yaml, &sb) == 0;
    free(yaml);
    if (have_yaml || need_store) {
        *cfg = &ws->cfg;
        return lf_workspace_load_config(ws, err);
    }
    lf_status s = lf_config_defaults(defaults, err);
    if (s == LF_OK)
        *cfg = defaults;
    return s;
}

/* Runs the planner (with history when need_store) and renders the result. */
static lf_status plan_render(lf_workspace *ws, const lf_plan_input *in, const lf_config *cfg,
                             lf_time as_of, bool need_store, bool json, lf_buf *out,
                             lf_error *err)
{
    lf_plan_history hist;
    if (need_store) {
        lf_dataset ds;
        lf_status s = lf_app_load_dataset(ws, &ds, err);
        if (s != LF_OK)
            return s;
        lf_plan_history_compute(&ds, cfg, as_of, &hist);
        lf_dataset_release(&ds);
    }
    lf_plan plan;
    lf_error_clear(err);
    lf_status s = lf_plan_run(in, need_store ? &hist : NULL, cfg, as_of, &plan, err);
    if (s == LF_EUSAGE)
        return s;
    double revenue = (double)in->revenue.num / (double)in->revenue.den;
    plan_out o = {out, LF_OK};
    if (json)
        render_json(&plan, revenue, as_of, &o);
    else
        render_table(&plan, revenue, as_of, lf_tz_name(cfg->tz ? cfg->tz : lf_tz_utc()), &o);
    if (o.st != LF_OK) /* output cut short: that failure outranks a stopped plan */
        return render_buf_error(o.st, err, json ? "json" : "table");
    return s;
}

lf_status lf_app_plan(lf_workspace *ws, const lf_app_plan_args *a, lf_buf *out, lf_error *err)
{
    lf_plan_input in;
    bool json, missing;
    lf_status s = parse_args(a, &in, &json, &missing, err);
    if (s != LF_OK)
        return s;
    bool need_store = in.from_history && missing;
    lf_config defaults;
    const lf_config *cfg = NULL;
    if ((s = plan_config(ws, need_store, &defaults, &cfg, err)) != LF_OK)
        return s;
    lf_time as_of;
    s = lf_app_as_of(cfg->tz, a->as_of, &as_of, err);
    if (s == LF_OK)
        s = plan_render(ws, &in, cfg, as_of, need_store, json, out, err);
    if (cfg == &defaults)
        lf_config_release(&defaults);
    return s;
}
