/*
 * lifecycle.h — the pure lifecycle engine of SPEC §3 (no I/O, no globals).
 *
 * Given one lead's creation time, whether it has an email, and its events in any
 * order, lf_lifecycle_replay sorts the events by (ts, seq) and replays them from
 * stage `lead` at created_at, producing the lead's derived state: every stage
 * transition (skips expanded into one transition per stage entered, at the same
 * instant), every handoff (one per entry into `mql`), and the events that did not
 * apply (ignored). The result depends only on the input set, never on its order,
 * except that events at the same instant apply in seq (import) order.
 *
 * Scoring plugs in through lf_scorer (NULL = no scoring: only `mql` events open
 * handoffs). The engine feeds the scorer every activity event in replay order and
 * asks whether the MQL rule holds at created_at (before any event at created_at)
 * and at each activity event's time (once per run of same-instant activities that
 * follow each other in import order, after the run), whenever the lead is in `lead`
 * or `recycled` and has an email; it tells the scorer to restart
 * engagement when a handoff is rejected by a `rejected` event.
 */
#ifndef LEADFLOW_LIFECYCLE_H
#define LEADFLOW_LIFECYCLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "leadflow/error.h"
#include "leadflow/time.h"

typedef enum lf_stage {
    LF_STAGE_LEAD = 0,
    LF_STAGE_MQL,
    LF_STAGE_SQL,
    LF_STAGE_OPPORTUNITY,
    LF_STAGE_CUSTOMER,
    LF_STAGE_RECYCLED,
    LF_STAGE_DISQUALIFIED,
    LF_STAGE_LOST,
    LF_STAGE_COUNT,
    LF_STAGE_NONE = 255 /* "from" of the creation transition */
} lf_stage;

typedef enum lf_event_kind {
    LF_EV_ACTIVITY = 0, /* any type not reserved */
    LF_EV_MQL,
    LF_EV_ACCEPTED,
    LF_EV_REJECTED,
    LF_EV_DISQUALIFIED,
    LF_EV_CONTACTED,
    LF_EV_OPPORTUNITY,
    LF_EV_WON,
    LF_EV_LOST,
    LF_EV_COUNT
} lf_event_kind;

/* "lead", "mql", ... ; "?" for out-of-range values. */
const char *lf_stage_name(lf_stage s);
/* "pending", "accepted", "rejected" (anything else: "pending"). */
const char *lf_outcome_name(int outcome);
/* Parses a stage name (case-insensitive); returns LF_STAGE_NONE if unknown. */
lf_stage lf_stage_parse(const char *s);
/* Whether a stage is terminal (customer, disqualified, lost). */
bool lf_stage_is_terminal(lf_stage s);
/* Kind of an event type name, compared case-insensitively ("Won" -> LF_EV_WON). */
lf_event_kind lf_event_kind_of(const char *type, size_t len);
/* Reserved type name of a kind ("activity" for LF_EV_ACTIVITY). */
const char *lf_event_kind_name(lf_event_kind k);

typedef struct lf_event {
    lf_time ts;
    int64_t seq;          /* import order; unique per lead */
    uint8_t kind;         /* lf_event_kind */
    const char *type;     /* type as stored (lower case); borrowed */
    const char *detail;   /* may be NULL; borrowed */
    const char *reason;   /* may be NULL; borrowed */
    double amount;
    bool has_amount;
} lf_event;

typedef struct lf_lead_input {
    lf_time created_at;
    bool has_email;
    const lf_event *events; /* borrowed, any order */
    size_t nevents;
} lf_lead_input;

typedef enum lf_cause {
    LF_CAUSE_CREATED = 0, /* the lead became known (from = LF_STAGE_NONE) */
    LF_CAUSE_EVENT,       /* the event at `event` caused it */
    LF_CAUSE_SKIP,        /* stage entered on the way to a later one by `event` */
    LF_CAUSE_SCORE        /* the MQL rule started to hold (scoring) */
} lf_cause;

typedef struct lf_transition {
    lf_time ts;
    uint8_t from;         /* lf_stage, or LF_STAGE_NONE for creation */
    uint8_t to;
    uint8_t cause;        /* lf_cause */
    int32_t event;        /* index into the input events, -1 if none */
} lf_transition;

typedef enum lf_outcome {
    LF_OUTCOME_PENDING = 0,
    LF_OUTCOME_ACCEPTED,
    LF_OUTCOME_REJECTED
} lf_outcome;

typedef struct lf_handoff {
    lf_time mql_at;
    lf_time decided_at;        /* LF_TIME_NONE while pending */
    lf_time first_contact_at;  /* LF_TIME_NONE if never contacted */
    uint8_t outcome;           /* lf_outcome */
    uint8_t cause;             /* LF_CAUSE_EVENT (an `mql` event) or LF_CAUSE_SCORE */
    int32_t open_event;        /* index of the `mql` event, or of the activity that
                                  qualified the lead (the last of its same-instant
                                  run); -1 when it qualified at created_at */
    int32_t close_event;       /* index of the deciding event, -1 while pending */
    int32_t contact_event;     /* index of the first `contacted`, -1 if none */
    double score;              /* total score at mql_at (scoring), else 0 */
} lf_handoff;

/* Scoring hooks; every function pointer may be NULL. ctx is the scorer's own. */
typedef struct lf_scorer {
    void *ctx;
    /* Before replay of a lead. */
    void (*begin)(void *ctx, const lf_lead_input *lead);
    /* Each activity event, in replay order (also those before created_at). */
    void (*activity)(void *ctx, const lf_event *ev, int32_t index);
    /* Engagement restarts at 0 at instant t (a `rejected` closed a handoff). */
    void (*restart)(void *ctx, lf_time t);
    /* Whether the MQL rule holds at t; on true, *total is the total score at t. */
    bool (*qualifies)(void *ctx, lf_time t, double *total);
    /* Total score at t, asked when an `mql` event opens a handoff (so that
     * lf_handoff.score is the score at mql_at for every handoff); NULL = score 0. */
    double (*score_at)(void *ctx, lf_time t);
} lf_scorer;

/* A lead's derived state. Arrays are owned and reused across replays. */
typedef struct lf_lead_state {
    uint8_t stage;                 /* current stage */
    lf_time stage_since;           /* when it was entered */
    lf_transition *trans;          /* in time order, the creation first */
    size_t ntrans, trans_cap;
    lf_handoff *handoffs;          /* in mql_at order */
    size_t nhandoffs, handoffs_cap;
    int32_t *ignored;              /* indices of events that did not apply, in replay order */
    uint8_t *ignored_stage;        /* the stage each ignored event met (parallel to ignored) */
    size_t nignored, ignored_cap;
    int32_t *order;                /* scratch: replay order of the input events */
    size_t order_cap;
    lf_time won_at;                /* LF_TIME_NONE unless customer */
    double revenue;                /* amount of the `won` event (0 if none) */
} lf_lead_state;

void lf_lead_state_init(lf_lead_state *st);
void lf_lead_state_release(lf_lead_state *st);

/* Why an ignored event did not apply (SPEC §7), given the stage it met, into buf:
 * "before created_at", "mql without email", or "TYPE while in STAGE" (e.g. "accepted
 * while in sql"). Returns buf. */
const char *lf_ignored_reason(const lf_event *e, uint8_t stage, lf_time created_at,
                              bool has_email, char *buf, size_t n);

/* Replays one lead. Returns LF_OK or LF_ENOMEM. `scorer` may be NULL. */
lf_status lf_lifecycle_replay(const lf_lead_input *in, const lf_scorer *scorer,
                              lf_lead_state *out, lf_error *err);

#endif
