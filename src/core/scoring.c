/*
 * scoring.c — lead scoring and the MQL rule of SPEC §4 (see leadflow/scoring.h).
 *
 * Place in the flow: the lifecycle engine (lifecycle.c) replays one lead's events and
 * calls the lf_scorer hooks bound here: begin, activity (every activity event in
 * replay order), restart (a rejected handoff), qualifies (at created_at and after each
 * activity while the lead is in lead/recycled) and score_at (an `mql` event). Pure: no
 * I/O; the configuration is borrowed.
 *
 * The model is cfg->scoring compiled for the hot path: per engagement rule its
 * lower-case type and length, its points and caps, and whether the award can be cut
 * at all (positive points and a cap). The state is one lead's scoring and is reused
 * from lead to lead:
 *
 *  - fit, grade and "required attributes present" are computed once per lead, and
 *    the parts of the MQL rule that depend only on them are folded into `fixed_ok`;
 *  - engagement is a running decayed sum: `eng` is its value at instant `last`, and
 *    E(t) = eng * 2^-((t - last) / half_life) for t >= last. An activity moves the
 *    sum to its own instant and adds its awards, so a lead is scored in one pass,
 *    with no rescans;
 *  - caps are counted per rule since the last restart: points given in total, and
 *    points given on the rule's current local day (day number + amount, reset when
 *    an award falls on a later day). Only positive awards are counted or cut;
 *  - the local day of an instant is cached as the day's [start, end) instants, so
 *    consecutive events of one day cost two comparisons, not a zone lookup.
 *
 * Invariants: `last` is LF_TIME_NONE exactly when nothing was fed since the lead
 * began (then eng == 0); every counter is 0 after begin and restart; the scoring path
 * never allocates (only the explain list grows, geometrically, and is reused).
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "leadflow/scoring.h"
#include "leadflow/text.h"

/* ---- the model ------------------------------------------------------------------ */

typedef struct sm_rule {
    const lf_engagement_rule *cfg; /* borrowed from the configuration */
    const char *type;              /* lower case (config lower-cases it) */
    size_t type_len;
    double points;
    double max_per_day; /* < 0 = no cap */
    double max_total;   /* < 0 = no cap */
    bool cut;           /* points > 0 and some cap: the award may be cut */
} sm_rule;

struct lf_scoring_model {
    const lf_scoring *sc;
    const lf_tz *tz;       /* the workspace zone, for local days */
    sm_rule *rules;        /* one per cfg->scoring.engagement */
    size_t nrules;
    double half_life;      /* usec as a double; 0 = no decay */
};

/* Whether v reaches threshold th, within LF_SCORE_EPSILON (see scoring.h). */
static inline bool sm_reaches(double v, double th)
{
    double tol = LF_SCORE_EPSILON * (fabs(th) > 1.0 ? fabs(th) : 1.0);
    return v >= th - tol;
}

char lf_scoring_grade(const lf_scoring *sc, double fit)
{
    for (size_t i = 0; i < sc->ngrades; i++)
        if (sm_reaches(fit, sc->grades[i].cutoff))
            return sc->grades[i].letter;
    return sc->grade_below;
}

lf_status lf_scoring_model_new(const lf_config *cfg, lf_scoring_model **out, lf_error *err)
{
    *out = NULL;
    const lf_scoring *sc = &cfg->scoring;
    if (!sc->enabled)
        return LF_OK;
    lf_scoring_model *m = calloc(1, sizeof *m);
    if (!m || (sc->nengagement && !(m->rules = calloc(sc->nengagement, sizeof *m->rules)))) {
        free(m);
        return lf_errorf(err, LF_ENOMEM, "out of memory compiling the scoring model");
    }
    m->sc = sc;
    m->tz = cfg->tz ? cfg->tz : lf_tz_utc();
    m->nrules = sc->nengagement;
    m->half_life = sc->half_life_usec > 0 ? (double)sc->half_life_usec : 0.0;
    for (size_t i = 0; i < m->nrules; i++) {
        const lf_engagement_rule *r = &sc->engagement[i];
        sm_rule *k = &m->rules[i];
        k->cfg = r;
        k->type = r->type ? r->type : "";
        k->type_len = strlen(k->type);
        k->points = r->points;
        k->max_per_day = r->max_per_day;
        k->max_total = r->max_total;
        k->cut = r->points > 0 && (r->max_per_day >= 0 || r->max_total >= 0);
    }
    *out = m;
    return LF_OK;
}

void lf_scoring_model_free(lf_scoring_model *m)
{
    if (!m)
        return;
    free(m->rules);
    free(m);
}

/* ---- the state ------------------------------------------------------------------ */

typedef struct ss_counter {
    int32_t day;        /* local day of given_day; INT32_MIN = none yet */
    double given_day;   /* points given on `day` since the last restart */
    double given_total; /* points given since the last restart */
} ss_counter;

struct lf_score_state {
    const lf_scoring_model *m;
    /* the lead */
    double fit;
    char grade;
    bool required; /* every mql.require attribute present */
    bool fixed_ok; /* required, fit_at_least and grade_at_least hold */
    /* engagement */
    double eng;    /* engagement at `last` */
    lf_time last;  /* LF_TIME_NONE = nothing fed since begin */
    uint32_t epoch;
    ss_counter *ctr; /* one per rule */
    /* local-day cache: instants in [day_lo, day_hi) are in local day `day` */
    int32_t day;
    lf_time day_lo, day_hi;
    /* explanations */
    bool explain;
    bool explain_lost;
    lf_fit_hit *hits; /* room for every fit rule */
    size_t nhits;
    lf_award *awards;
    size_t nawards, awards_cap;
};

lf_score_state *lf_score_state_new(const lf_scoring_model *m)
{
    if (!m)
        return NULL;
    lf_score_state *st = calloc(1, sizeof *st);
    if (!st)
        return NULL;
    st->m = m;
    st->grade = m->sc->grade_below;
    st->last = LF_TIME_NONE;
    if ((m->nrules && !(st->ctr = calloc(m->nrules, sizeof *st->ctr))) ||
        (m->sc->nfit && !(st->hits = calloc(m->sc->nfit, sizeof *st->hits)))) {
        lf_score_state_free(st);
        return NULL;
    }
    for (size_t i = 0; i < m->nrules; i++)
        st->ctr[i].day = INT32_MIN;
    return st;
}

void lf_score_state_free(lf_score_state *st)
{
    if (!st)
        return;
    free(st->ctr);
    free(st->hits);
    free(st->awards);
    free(st);
}

/* Engagement and every cap counter to 0 (a lead's start or a restart). */
static void ss_clear_engagement(lf_score_state *st)
{
    st->eng = 0;
    for (size_t i = 0; i < st->m->nrules; i++) {
        st->ctr[i].day = INT32_MIN;
        st->ctr[i].given_day = 0;
        st->ctr[i].given_total = 0;
    }
}

/* Back to "no activity yet": the state a replay begins in. */
static void ss_begin(lf_score_state *st)
{
    ss_clear_engagement(st);
    st->last = LF_TIME_NONE;
    st->epoch = 0;
    st->nawards = 0;
    st->explain_lost = false;
}

void lf_score_state_lead(lf_score_state *st, const lf_attrs *attrs, bool explain)
{
    const lf_scoring *sc = st->m->sc;
    const lf_mql_rule *q = &sc->mql;
    double fit = 0;
    st->nhits = 0;
    for (size_t i = 0; i < sc->nfit; i++) {
        if (!lf_cond_eval(&sc->fit[i].when, attrs))
            continue;
        fit += sc->fit[i].points;
        if (explain)
            st->hits[st->nhits++] = (lf_fit_hit){.rule = i, .points = sc->fit[i].points};
    }
    st->fit = fit;
    st->grade = lf_scoring_grade(sc, fit);
    st->required = true;
    for (size_t i = 0; i < q->nrequire && st->required; i++)
        st->required = lf_attrs_get(attrs, q->require[i]) != NULL;
    /* Grades are letters ascending as cut-offs descend, and grade_below follows the
     * last one: "that grade or better" is "that letter or an earlier one". */
    st->fixed_ok = st->required && (!q->has_fit || sm_reaches(fit, q->fit_at_least)) &&
                   (!q->has_grade || st->grade <= q->grade_at_least);
    st->explain = explain;
    ss_begin(st);
}

/* The decay factor over dt >= 0 microseconds (1 without a half-life). */
static inline double ss_decay(const lf_scoring_model *m, lf_time dt)
{
    return m->half_life > 0 ? exp2(-(double)dt / m->half_life) : 1.0;
}

double lf_score_state_engagement_at(const lf_score_state *st, lf_time t)
{
    if (st->last == LF_TIME_NONE || t <= st->last)
        return st->eng;
    return st->eng * ss_decay(st->m, t - st->last);
}

/* The local day of t, through the one-day cache. */
static int32_t ss_day(lf_score_state *st, lf_time t)
{
    if (t >= st->day_lo && t < st->day_hi)
        return st->day;
    const lf_tz *tz = st->m->tz;
    int32_t d = lf_local_day(tz, t);
    lf_time lo = lf_day_start(tz, d), hi = lf_day_start(tz, d + 1);
    st->day = d;
    if (lo <= t && t < hi) {
        st->day_lo = lo;
        st->day_hi = hi;
    } else { /* not expected; leave the cache empty so the next call looks again */
        st->day_lo = st->day_hi = 0;
    }
    return d;
}

/* The points rule k gives at t after its caps, counted against them. */
static double ss_award(lf_score_state *st, size_t k, lf_time t)
{
    const sm_rule *r = &st->m->rules[k];
    if (!r->cut)
        return r->points; /* no cap, or points <= 0: never cut, never counted */
    ss_counter *c = &st->ctr[k];
    double a = r->points;
    if (r->max_per_day >= 0) {
        int32_t d = ss_day(st, t);
        if (c->day != d) {
            c->day = d;
            c->given_day = 0;
        }
        double rem = r->max_per_day - c->given_day;
        if (rem < a)
            a = rem;
    }
    if (r->max_total >= 0) {
        double rem = r->max_total - c->given_total;
        if (rem < a)
            a = rem;
    }
    if (a < 0)
        a = 0;
    c->given_day += a;
    c->given_total += a;
    return a;
}

/* Whether the event type equals the rule's lower-case type, ignoring ASCII case (never
 * the locale's). The prefix test stops at the first difference, so it never reads past
 * the event type's NUL. */
static inline bool ss_type_is(const char *type, const sm_rule *r)
{
    return lf_ascii_ieq_lower(type, r->type, r->type_len) && type[r->type_len] == '\0';
}

/* Appends an award to the explain list; on allocation failure the list stops. */
static void ss_record(lf_score_state *st, const lf_award *a)
{
    if (st->explain_lost)
        return;
    if (st->nawards == st->awards_cap) {
        size_t nc = st->awards_cap ? st->awards_cap * 2 : 64;
        lf_award *p = nc <= SIZE_MAX / sizeof *p ? realloc(st->awards, nc * sizeof *p) : NULL;
        if (!p) {
            st->explain_lost = true;
            return;
        }
        st->awards = p;
        st->awards_cap = nc;
    }
    st->awards[st->nawards++] = *a;
}

/* Hook: begin. A replay always starts from no engagement (also when one lead is
 * replayed twice after one lf_score_state_lead). */
static void hook_begin(void *ctx, const lf_lead_input *lead)
{
    (void)lead;
    ss_begin(ctx);
}

/* Hook: one activity event. Moves the sum to ev->ts, then adds every matching rule's
 * award. The engine feeds events in time order; an earlier one (not expected) is
 * added decayed to the last instant so that engagement stays right from there on. */
static void hook_activity(void *ctx, const lf_event *ev, int32_t index)
{
    lf_score_state *st = ctx;
    const lf_scoring_model *m = st->m;
    lf_time t = ev->ts;
    double late = 1.0;
    if (st->last == LF_TIME_NONE) {
        st->last = t;
    } else if (t > st->last) {
        st->eng *= ss_decay(m, t - st->last);
        st->last = t;
    } else if (t < st->last) {
        late = ss_decay(m, st->last - t);
    }
    if (!ev->type)
        return;
    for (size_t k = 0; k < m->nrules; k++) {
        const sm_rule *r = &m->rules[k];
        if (!ss_type_is(ev->type, r))
            continue;
        if (r->cfg->has_detail && !lf_cond_eval_value(&r->cfg->detail, ev->detail))
            continue;
        double a = ss_award(st, k, t);
        st->eng += a * late;
        if (st->explain) {
            lf_award w = {.event = index, .ts = t, .rule = k, .points = r->points,
                          .awarded = a, .epoch = st->epoch};
            ss_record(st, &w);
        }
    }
}

/* Hook: engagement restarts at 0 at t (sum and every cap counter). */
static void hook_restart(void *ctx, lf_time t)
{
    lf_score_state *st = ctx;
    ss_clear_engagement(st);
    if (st->last == LF_TIME_NONE || t > st->last)
        st->last = t;
    st->epoch++;
}

/* Hook: whether the MQL rule holds at t; *total = fit + engagement at t. */
static bool hook_qualifies(void *ctx, lf_time t, double *total)
{
    const lf_score_state *st = ctx;
    const lf_mql_rule *q = &st->m->sc->mql;
    double e = lf_score_state_engagement_at(st, t);
    *total = st->fit + e;
    return st->fixed_ok && (!q->has_engagement || sm_reaches(e, q->engagement_at_least)) &&
           (!q->has_total || sm_reaches(*total, q->total_at_least));
}

/* Hook: total score at t (a handoff opened by an `mql` event). */
static double hook_score_at(void *ctx, lf_time t)
{
    const lf_score_state *st = ctx;
    return st->fit + lf_score_state_engagement_at(st, t);
}

void lf_score_state_scorer(lf_score_state *st, lf_scorer *out)
{
    out->ctx = st;
    out->begin = hook_begin;
    out->activity = hook_activity;
    out->restart = hook_restart;
    out->qualifies = hook_qualifies;
    out->score_at = hook_score_at;
}

/* ---- accessors ------------------------------------------------------------------ */

double lf_score_state_fit(const lf_score_state *st)
{
    return st->fit;
}

char lf_score_state_grade(const lf_score_state *st)
{
    return st->grade;
}

bool lf_score_state_has_required(const lf_score_state *st)
{
    return st->required;
}

const lf_fit_hit *lf_score_state_fit_hits(const lf_score_state *st, size_t *n)
{
    *n = st->nhits;
    return st->hits;
}

const lf_award *lf_score_state_awards(const lf_score_state *st, size_t *n)
{
    *n = st->nawards;
    return st->awards;
}

uint32_t lf_score_state_epoch(const lf_score_state *st)
{
    return st->epoch;
}

bool lf_score_state_explain_complete(const lf_score_state *st)
{
    return !st->explain_lost;
}
