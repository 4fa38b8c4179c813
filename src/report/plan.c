/*
 * plan.c — the reverse-funnel planner (SPEC §6; see leadflow/plan.h).
 *
 * Place in the flow: like a report, a pure function of the dataset, the
 * configuration and as-of; the CLI (`leadflow plan`) parses flags and prints.
 *
 * Exactness. Money and rates arrive as decimal text and are kept as exact fractions
 * (lf_plan_value); history values are fractions of counts. A step is
 * ceil(prev / value) = ceil(prev.num x value.den / (prev.den x value.num)), computed
 * with 64 x 64 -> 128-bit products and a 128-bit long division, so a quotient that is
 * a whole number in exact arithmetic is never rounded up by a binary-floating-point
 * error (10000000 / 50000 = 200 exactly; 245 / 0.01 = 24500 exactly). Doubles are
 * only used for display (rates shown, per month, per business day).
 *
 * History (SPEC §6): the 12 calendar months before the month of as-of, local days
 * [first day of (as-of month - 12), first day of as-of month) in the workspace zone.
 *   deal size = revenue of customers won in the window / customers won in it;
 *   close rate = customers won / entries into sql in the window;
 *   MQL -> SQL = handoffs opened in the window and accepted by as-of / handoffs opened;
 *   lead -> MQL = leads created in the window with a handoff opened by as-of / leads
 *     created in the window (the handoff may fall after the window: a cohort);
 *   visit rate = leads created in the window / visitors on its days (a month's
 *     visitors spread evenly over its days, like spend).
 * A value must be a positive deal size or a rate in (0, 1]; a history value that is
 * not (no denominator, a zero rate, a rate above 1) stops the plan at its step.
 *
 * --months M: per month = need / M; per business day = need / the business days of
 * the M calendar months starting with the month of as-of (the configured calendar).
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "leadflow/calendar.h"
#include "leadflow/lifecycle.h"
#include "leadflow/plan.h"
#include "report/report_util.h"

/* Counts above this are refused: beyond any real plan, and doubles stay exact. */
#define PLAN_MAX_COUNT UINT64_C(1000000000000000)

static const char *const step_names[LF_PLAN_NSTEPS] = {"deals", "sqls", "mqls", "leads",
                                                       "visitors"};
static const char *const step_flags[LF_PLAN_NSTEPS] = {"--deal-size", "--close-rate",
                                                       "--sql-rate", "--mql-rate",
                                                       "--visit-rate"};
static const char *const value_names[LF_PLAN_NSTEPS] = {
    "deal size", "close rate (SQL to customer)", "MQL-to-SQL rate", "lead-to-MQL rate",
    "visit rate (visitor to lead)"};

const char *lf_plan_step_name(lf_plan_step s)
{
    return (unsigned)s < LF_PLAN_NSTEPS ? step_names[s] : "?";
}

const char *lf_plan_flag(lf_plan_step s)
{
    return (unsigned)s < LF_PLAN_NSTEPS ? step_flags[s] : "?";
}

const char *lf_plan_value_name(lf_plan_step s)
{
    return (unsigned)s < LF_PLAN_NSTEPS ? value_names[s] : "?";
}

/* ---- exact arithmetic ------------------------------------------------------------- */

typedef struct u128 {
    uint64_t hi, lo;
} u128;

static u128 mul64(uint64_t a, uint64_t b)
{
    uint64_t a0 = (uint32_t)a, a1 = a >> 32, b0 = (uint32_t)b, b1 = b >> 32;
    uint64_t p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
    uint64_t mid = (p00 >> 32) + (uint32_t)p01 + (uint32_t)p10;
    u128 r;
    r.lo = (mid << 32) | (uint32_t)p00;
    r.hi = p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32);
    return r;
}

static bool u128_ge(u128 a, u128 b)
{
    return a.hi != b.hi ? a.hi > b.hi : a.lo >= b.lo;
}

static u128 u128_sub(u128 a, u128 b)
{
    u128 r = {a.hi - b.hi - (a.lo < b.lo ? 1 : 0), a.lo - b.lo};
    return r;
}

bool lf_plan_ceil_fraction(uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t *out)
{
    u128 n = mul64(a, b), m = mul64(c, d);
    if (m.hi == 0 && m.lo == 0)
        return false;
    /* long division, one bit at a time: q = n / m, r = n % m (r < m always fits in
     * 129 bits only transiently: shift r only while its top bit is clear) */
    u128 q = {0, 0}, r = {0, 0};
    for (int i = 127; i >= 0; i--) {
        bool carry = (r.hi >> 63) != 0;
        r.hi = (r.hi << 1) | (r.lo >> 63);
        r.lo <<= 1;
        r.lo |= i >= 64 ? (n.hi >> (i - 64)) & 1 : (n.lo >> i) & 1;
        if (carry || u128_ge(r, m)) {
            r = u128_sub(r, m);
            if (i >= 64)
                q.hi |= UINT64_C(1) << (i - 64);
            else
                q.lo |= UINT64_C(1) << i;
        }
    }
    if (q.hi)
        return false;
    if (r.hi || r.lo) {
        if (q.lo == UINT64_MAX)
            return false;
        q.lo++;
    }
    *out = q.lo;
    return true;
}

bool lf_plan_parse_value(const char *s, lf_plan_value *out)
{
    if (!s || !*s)
        return false;
    uint64_t num = 0, den = 1;
    int digits = 0, point = 0;
    bool seen_digit = false;
    for (const char *p = s; *p; p++) {
        if (*p == '.') {
            if (point++)
                return false;
            continue;
        }
        if (*p < '0' || *p > '9')
            return false;
        seen_digit = true;
        if (num == 0 && *p == '0' && !point)
            continue; /* leading zeros are not significant */
        if (num == 0 && *p == '0') {
            if (den > UINT64_C(100000000000000000))
                return false;
            den *= 10; /* 0.05: zeros after the point still scale */
            continue;
        }
        if (++digits > 18)
            return false;
        num = num * 10 + (uint64_t)(*p - '0');
        if (point) {
            if (den > UINT64_C(100000000000000000))
                return false;
            den *= 10;
        }
    }
    if (!seen_digit)
        return false;
    out->num = num;
    out->den = den;
    return true;
}

static double frac_value(lf_plan_value v)
{
    return v.den ? (double)v.num / (double)v.den : 0;
}

/* ---- history ------------------------------------------------------------------------ */

static int32_t month_add(int32_t day, int add)
{
    int y, m, d;
    lf_civil_from_days(day, &y, &m, &d);
    int64_t k = (int64_t)y * 12 + (m - 1) + add;
    int64_t ny = k >= 0 ? k / 12 : -((-k + 11) / 12);
    return lf_days_from_civil((int)ny, (int)(k - ny * 12) + 1, 1);
}

static const lf_tz *cfg_zone(const lf_config *cfg)
{
    return cfg && cfg->tz ? cfg->tz : lf_tz_utc();
}

void lf_plan_history_compute(const lf_dataset *ds, const lf_config *cfg, lf_time as_of,
                             lf_plan_history *h)
{
    memset(h, 0, sizeof *h);
    const lf_tz *tz = cfg_zone(cfg);
    int32_t this_month = month_add(lf_local_day(tz, as_of), 0);
    h->from_day = month_add(this_month, -12);
    h->to_day = this_month;
    char a[16], b[16];
    int y, m, d;
    lf_civil_from_days(h->from_day, &y, &m, &d);
    snprintf(a, sizeof a, "%04d-%02d", y, m);
    lf_civil_from_days(h->to_day - 1, &y, &m, &d);
    snprintf(b, sizeof b, "%04d-%02d", y, m);
    snprintf(h->label, sizeof h->label, "%s..%s", a, b);
    lf_time t0 = lf_day_start(tz, h->from_day), t1 = lf_day_start(tz, h->to_day);
    if (t1 > as_of && as_of != INT64_MAX)
        t1 = as_of + 1; /* nothing after as-of exists (cannot happen: the window ends
                           before as-of's month) */
#define IN_WINDOW(t) ((t) != LF_TIME_NONE && (t) >= t0 && (t) < t1)

    double revenue = 0;
    uint64_t customers = 0, sqls = 0, opened = 0, accepted = 0, created = 0, with_ho = 0;
    for (size_t i = 0; i < ds->nleads; i++) {
        const lf_ds_lead *l = &ds->leads[i];
        if (IN_WINDOW(l->won_at)) {
            customers++;
            revenue += l->revenue;
        }
        if (IN_WINDOW(l->created_at)) {
            created++;
            for (uint32_t k = 0; k < l->nhandoffs && (size_t)l->handoffs + k < ds->nhandoffs; k++)
                if (ds->handoffs[l->handoffs + k].mql_at <= as_of) {
                    with_ho++;
                    break;
                }
        }
    }
    for (size_t i = 0; i < ds->ntrans; i++)
        if (ds->trans[i].to == LF_STAGE_SQL && IN_WINDOW(ds->trans[i].ts))
            sqls++;
    for (size_t i = 0; i < ds->nhandoffs; i++) {
        const lf_ds_handoff *ho = &ds->handoffs[i];
        if (!IN_WINDOW(ho->mql_at))
            continue;
        opened++;
        if (ho->outcome == LF_OUTCOME_ACCEPTED && ho->decided_at != LF_TIME_NONE &&
            ho->decided_at <= as_of)
            accepted++;
    }
#undef IN_WINDOW
    /* visitors on the window's days (a row spread evenly over the days it covers);
     * every window day began before as-of */
    double visitors = 0;
    for (size_t i = 0; i < ds->ntraffic; i++)
        visitors += rep_share(&ds->traffic[i], h->from_day, h->to_day);

    double cents = revenue * 100.0;
    h->negative_revenue = cents < 0;
    h->num[LF_PLAN_DEALS] = cents > 0 && cents < 9e18 ? (uint64_t)llround(cents) : 0;
    h->den[LF_PLAN_DEALS] = customers * 100;
    h->num[LF_PLAN_SQLS] = customers;
    h->den[LF_PLAN_SQLS] = sqls;
    h->num[LF_PLAN_MQLS] = accepted;
    h->den[LF_PLAN_MQLS] = opened;
    h->num[LF_PLAN_LEADS] = with_ho;
    h->den[LF_PLAN_LEADS] = created;
    /* visit rate = leads created / visitors (SPEC §6). Whole months and days give a
     * whole number of visitors; a row cut by the window edge can leave a fraction,
     * which is kept to a millionth of a visitor rather than rounded away. */
    h->num[LF_PLAN_VISITORS] = created;
    h->den[LF_PLAN_VISITORS] = 0;
    if (visitors > 0 && visitors < 9e12) {
        double whole = nearbyint(visitors);
        if (fabs(visitors - whole) < 1e-6) {
            h->den[LF_PLAN_VISITORS] = (uint64_t)whole;
        } else {
            h->num[LF_PLAN_VISITORS] = created * UINT64_C(1000000);
            h->den[LF_PLAN_VISITORS] = (uint64_t)llround(visitors * 1e6);
        }
    }
}

/* ---- the plan -------------------------------------------------------------------------- */

/* Why a history value cannot be used, or NULL when it can. */
static const char *history_problem(lf_plan_step k, const lf_plan_history *h, char *buf,
                                   size_t size)
{
    static const char *const none[LF_PLAN_NSTEPS] = {
        "no customers won", "no SQL entries", "no handoffs opened", "no leads created",
        "no visitors"};
    static const char *const zero[LF_PLAN_NSTEPS] = {
        "the customers won have no revenue", "no customers won",
        "no handoff opened was accepted", "no lead created had a handoff",
        "no leads created"};
    if (h->den[k] == 0) {
        snprintf(buf, size, "%s in %s to take the %s from", none[k], h->label,
                 value_names[k]);
        return buf;
    }
    if (h->num[k] == 0) {
        if (k == LF_PLAN_DEALS && h->negative_revenue)
            snprintf(buf, size, "the customers won in %s have a negative revenue", h->label);
        else
            snprintf(buf, size, "%s in %s: the %s is 0", zero[k], h->label, value_names[k]);
        return buf;
    }
    if (k != LF_PLAN_DEALS && h->num[k] > h->den[k]) {
        snprintf(buf, size, "the %s in %s is %" PRIu64 " / %" PRIu64 ", above 1",
                 value_names[k], h->label, h->num[k], h->den[k]);
        return buf;
    }
    return NULL;
}

static lf_status check_input(const lf_plan_input *in, lf_error *err)
{
    if (in->revenue.den == 0 || in->revenue.num == 0)
        return lf_errorf(err, LF_EUSAGE, "--revenue must be more than 0");
    for (int k = 0; k < LF_PLAN_NSTEPS; k++) {
        if (!in->given[k])
            continue;
        const lf_plan_value *v = &in->value[k];
        if (v->den == 0 || v->num == 0)
            return lf_errorf(err, LF_EUSAGE, "%s must be more than 0", step_flags[k]);
        if (k != LF_PLAN_DEALS && v->num > v->den)
            return lf_errorf(err, LF_EUSAGE, "%s must be a rate between 0 and 1",
                             step_flags[k]);
    }
    if (in->months < 0)
        return lf_errorf(err, LF_EUSAGE, "--months must be a whole number of months");
    return LF_OK;
}

static void per_period(const lf_plan_input *in, const lf_config *cfg, lf_time as_of,
                       lf_plan *out)
{
    if (in->months <= 0)
        return;
    out->months = in->months;
    out->months_from_day = month_add(lf_local_day(cfg_zone(cfg), as_of), 0);
    out->months_to_day = month_add(out->months_from_day, in->months);
    lf_calendar def;
    lf_calendar_default(&def, cfg_zone(cfg));
    const lf_calendar *cal = cfg ? &cfg->calendar : &def; /* def has no holidays to free */
    out->business_days =
        lf_calendar_business_days(cal, out->months_from_day, out->months_to_day);
    for (size_t k = 0; k < out->nsteps; k++) {
        out->per_month[k] = (double)out->count[k] / in->months;
        out->per_bday[k] =
            out->business_days > 0 ? (double)out->count[k] / out->business_days : 0;
    }
}

lf_status lf_plan_run(const lf_plan_input *in, const lf_plan_history *hist, const lf_config *cfg,
                      lf_time as_of, lf_plan *out, lf_error *err)
{
    memset(out, 0, sizeof *out);
    lf_status s = check_input(in, err);
    if (s != LF_OK)
        return s;
    if (in->from_history && hist)
        snprintf(out->history, sizeof out->history, "%s", hist->label);
    lf_plan_value prev = in->revenue;
    char why[160];
    s = LF_OK;
    for (int k = 0; k < LF_PLAN_NSTEPS; k++) {
        lf_plan_value v;
        if (in->given[k]) {
            v = in->value[k];
            out->source[k] = LF_PLAN_GIVEN;
        } else if (!in->from_history || !hist) {
            snprintf(out->stop, sizeof out->stop, "no %s given: pass %s or --from-history",
                     value_names[k], step_flags[k]);
            break; /* the plan is as long as the values asked for */
        } else if (history_problem((lf_plan_step)k, hist, why, sizeof why)) {
            snprintf(out->stop, sizeof out->stop, "%s: pass %s", why, step_flags[k]);
            s = lf_errorf(err, LF_EINPUT, "cannot compute %s: %s", step_names[k], out->stop);
            break;
        } else {
            v = (lf_plan_value){hist->num[k], hist->den[k]};
            out->source[k] = LF_PLAN_HISTORY;
        }
        /* count = ceil(prev / v) = ceil(prev.num x v.den / (prev.den x v.num)) */
        uint64_t n;
        if (!lf_plan_ceil_fraction(prev.num, v.den, prev.den, v.num, &n) ||
            n > PLAN_MAX_COUNT) {
            out->source[k] = LF_PLAN_NONE;
            snprintf(out->stop, sizeof out->stop, "more than 10^15 %s would be needed",
                     step_names[k]);
            s = lf_errorf(err, LF_EINPUT, "cannot compute %s: %s", step_names[k], out->stop);
            break;
        }
        out->count[k] = n;
        out->frac[k] = v;
        out->value[k] = frac_value(v);
        out->nsteps = (size_t)k + 1;
        prev = (lf_plan_value){n, 1};
    }
    per_period(in, cfg, as_of, out);
    return s;
}
