/*
 * scoring.h — lead scoring and the MQL rule (SPEC §4), as a scorer for the lifecycle
 * engine (lf_scorer in lifecycle.h).
 *
 * A model is compiled once from a configuration (it borrows cfg, which must outlive
 * it). A score state holds one lead's scoring while the lifecycle engine replays it
 * and is reused from lead to lead:
 *
 *     lf_score_state *st = lf_score_state_new(model);
 *     lf_scorer sc;
 *     lf_score_state_scorer(st, &sc);
 *     for each lead:
 *         lf_score_state_lead(st, &attrs);      fit, grade, required attributes
 *         lf_lifecycle_replay(&input, &sc, &ls, &err);
 *
 * Fit is computed once per lead from its attributes (email, source, channel, persona
 * and every CSV attribute; names lower case): the sum of the points of every fit rule
 * whose condition holds. The grade is the letter of the first cut-off (descending) the
 * fit score reaches, else cfg->scoring.grade_below.
 *
 * Engagement is kept as a running sum, so a lead's events are scored in one pass:
 * every engagement rule whose type (case-insensitive) and optional detail condition
 * match an activity event awards its points, cut by the rule's caps (max_per_day per
 * local day of the workspace zone, max_total since the last restart; caps apply before
 * decay, an award can be cut partly, negative points are never capped); the sum decays
 * by 0.5^(dt / half_life) between instants (no decay without a half-life). A restart
 * (a rejected handoff) sets the sum and every cap counter to 0.
 *
 * The MQL rule holds at t when every configured threshold holds (fit_at_least,
 * engagement_at_least, total_at_least = fit + engagement, grade_at_least: that letter
 * or a better one) and every required attribute is present (non-empty); email is
 * checked by the lifecycle engine (and here too if a caller lists it in `require`).
 * A rule with no threshold and no required attribute holds for every lead, as SPEC §4
 * reads ("all of its configured thresholds"). Scores are sums of decimal points and
 * decayed values, so a threshold counts as reached within LF_SCORE_EPSILON (relative
 * to the threshold, at least absolute): float noise never decides a handoff, and the
 * grade cut-offs are compared the same way.
 */
#ifndef LEADFLOW_SCORING_H
#define LEADFLOW_SCORING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "leadflow/cond.h"
#include "leadflow/config.h"
#include "leadflow/error.h"
#include "leadflow/lifecycle.h"

/* Tolerance of every threshold and grade comparison: v reaches th when
 * v >= th - LF_SCORE_EPSILON * max(1, |th|). */
#define LF_SCORE_EPSILON 1e-9

typedef struct lf_scoring_model lf_scoring_model;
typedef struct lf_score_state lf_score_state;

/* Compiles cfg->scoring. *out is NULL (and LF_OK returned) when cfg has no scoring
 * section: then no MQL is derived from scores. */
lf_status lf_scoring_model_new(const lf_config *cfg, lf_scoring_model **out, lf_error *err);
void lf_scoring_model_free(lf_scoring_model *m);

/* A state for m; NULL when out of memory. */
lf_score_state *lf_score_state_new(const lf_scoring_model *m);
void lf_score_state_free(lf_score_state *st);

/* Starts a lead: computes fit, grade and whether the required attributes are present
 * from attrs (borrowed for the call only), and clears engagement. With `explain`, the
 * state also records every fit rule that matched and every award (see below) until
 * the next call. */
void lf_score_state_lead(lf_score_state *st, const lf_attrs *attrs, bool explain);

/* The lifecycle hooks bound to st (ctx = st). */
void lf_score_state_scorer(lf_score_state *st, lf_scorer *out);

/* The current lead's fit score and grade letter. */
double lf_score_state_fit(const lf_score_state *st);
char lf_score_state_grade(const lf_score_state *st);
/* Engagement at t, for t at or after the last instant fed to the state (the last
 * activity or restart); an earlier t is read as that last instant. */
double lf_score_state_engagement_at(const lf_score_state *st, lf_time t);
/* Whether the current lead has every attribute of cfg->scoring.mql.require. */
bool lf_score_state_has_required(const lf_score_state *st);

/* The grade letter of a fit score under sc's cut-offs (the same comparison as the
 * state's grade), for front ends that explain a score. */
char lf_scoring_grade(const lf_scoring *sc, double fit);

/* ---- explanations (recorded with explain = true) ---------------------------------- */

typedef struct lf_fit_hit {
    size_t rule;        /* index into cfg->scoring.fit */
    double points;
} lf_fit_hit;

typedef struct lf_award {
    int32_t event;      /* index of the activity in the replay input */
    lf_time ts;
    size_t rule;        /* index into cfg->scoring.engagement */
    double points;      /* the rule's points */
    double awarded;     /* after the caps (<= points; 0 when fully capped) */
    uint32_t epoch;     /* restarts before it: awards of an older epoch no longer count */
} lf_award;

/* Matched fit rules, in rule order. */
const lf_fit_hit *lf_score_state_fit_hits(const lf_score_state *st, size_t *n);
/* Awards in replay order (one per matching rule and event). */
const lf_award *lf_score_state_awards(const lf_score_state *st, size_t *n);
/* Restarts so far (the epoch of the awards that count now). */
uint32_t lf_score_state_epoch(const lf_score_state *st);
/* False when memory ran out while recording awards: the list then stops early (the
 * scores themselves are unaffected, they never allocate). */
bool lf_score_state_explain_complete(const lf_score_state *st);

#endif
