/*
 * lead_explain.h — one lead explained, as data (application layer; `leadflow lead ID`,
 * and later `GET /v1/leads/{id}` of SPEC §8).
 *
 * The lead's stored events are replayed through the pure lifecycle engine (scored with
 * explanations when the configuration has a `scoring` section), so what is explained is
 * exactly the derived state the store holds, with the reasons: which event caused each
 * transition, why an event was ignored, each handoff's response on the SLA clock against
 * its deadline, which fit rules fired, what each activity awarded (after caps, after
 * decay, or voided by a restart), the scores at as-of and at each MQL, and which parts
 * of the MQL rule fail at as-of.
 *
 * The structure holds values (instants, numbers, names, indices), not text laid out for
 * one front end: the CLI renders it as text, the server as JSON.
 *
 * Ownership: an lf_lead_explain owns its arrays and strings (lf_lead_explain_release);
 * the pointers marked "borrowed" point into the workspace's configuration and are valid
 * while the workspace stays open.
 */
#ifndef LEADFLOW_LEAD_EXPLAIN_H
#define LEADFLOW_LEAD_EXPLAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "leadflow/app.h"
#include "leadflow/config.h"
#include "leadflow/error.h"
#include "leadflow/lifecycle.h"
#include "leadflow/time.h"

/* One of the lead's events; events are kept in replay order (ts, then import order). */
typedef struct lf_lx_event {
    int64_t seq;             /* import order */
    lf_time ts;
    uint8_t kind;            /* lf_event_kind */
    char *type;              /* owned, lower case */
    char *detail, *reason;   /* owned; NULL = none */
    char *ext_id;            /* owned; the event's id column, NULL = none */
    double amount;
    bool has_amount;
    bool ignored;            /* the event did not apply */
    uint8_t ignored_stage;   /* lf_stage it met, when ignored */
    char *ignored_reason;    /* owned, when ignored: "accepted while in sql" (SPEC §7) */
} lf_lx_event;

typedef struct lf_lx_transition {
    lf_time ts;
    uint8_t from, to;        /* lf_stage; from = LF_STAGE_NONE for the creation */
    uint8_t cause;           /* lf_cause */
    int32_t event;           /* index into events of the causing event, -1 = none */
} lf_lx_transition;

typedef struct lf_lx_handoff {
    lf_time mql_at;
    lf_time decided_at;      /* LF_TIME_NONE while pending */
    lf_time first_contact_at;/* LF_TIME_NONE when never contacted */
    uint8_t outcome;         /* lf_outcome */
    uint8_t cause;           /* LF_CAUSE_EVENT (an `mql` event) or LF_CAUSE_SCORE */
    int32_t open_event, close_event, contact_event; /* indices into events, -1 = none */
    double score;            /* total score at mql_at (scoring), else 0 */
    /* On the SLA clock, when the workspace has an SLA (lf_lead_explain.has_sla): */
    lf_time deadline;        /* mql_at + the SLA */
    int64_t response_usec;   /* decided_at - mql_at, when decided */
    bool within_sla;         /* decided by the deadline */
    bool overdue;            /* undecided and past the deadline at as-of */
    int64_t contact_usec;    /* first_contact_at - mql_at (calendar), when contacted */
} lf_lx_handoff;

typedef struct lf_lx_fit_hit {
    size_t rule;             /* index into cfg->scoring.fit */
    int line;                /* its line in leadflow.yaml */
    double points;
} lf_lx_fit_hit;

typedef enum lf_lx_award_status {
    LF_LX_AWARD_COUNTS = 0,  /* counts at as-of (worth = its decayed value) */
    LF_LX_AWARD_AFTER,       /* after as-of */
    LF_LX_AWARD_VOID         /* voided: engagement restarted after a rejection */
} lf_lx_award_status;

typedef struct lf_lx_award {
    int32_t event;           /* index into events of the activity */
    lf_time ts;
    size_t rule;             /* index into cfg->scoring.engagement */
    int line;                /* the rule's line in leadflow.yaml */
    double points;           /* the rule's points */
    double awarded;          /* after the caps (!= points when capped) */
    uint8_t status;          /* lf_lx_award_status */
    double worth;            /* what it adds at as-of after decay; 0 unless it counts */
} lf_lx_award;

/* The scores at one MQL (one per handoff, in handoff order). */
typedef struct lf_lx_mql {
    lf_time mql_at;
    double total, fit, engagement;
    char grade;
    bool after_as_of;
} lf_lx_mql;

/* Why the lead is not an MQL at as-of: the parts of the MQL rule that fail. */
enum {
    LF_LX_WHY_NO_EMAIL = 1 << 0,
    LF_LX_WHY_REQUIRED = 1 << 1,   /* a required attribute is missing */
    LF_LX_WHY_FIT = 1 << 2,
    LF_LX_WHY_ENGAGEMENT = 1 << 3,
    LF_LX_WHY_TOTAL = 1 << 4,
    LF_LX_WHY_GRADE = 1 << 5
};

typedef struct lf_lx_scoring {
    double fit;              /* fit score (it does not change over time) */
    char grade;
    double engagement, total;/* at as-of */
    bool decays;             /* a half-life is set: awards are worth less over time */
    lf_lx_fit_hit *hits;     /* owned: fit rules that matched, in rule order */
    size_t nhits;
    lf_lx_award *awards;     /* owned: in replay order */
    size_t nawards;
    lf_lx_mql *mqls;         /* owned: nmqls == the lead's nhandoffs */
    size_t nmqls;
    const lf_mql_rule *rule; /* borrowed: the MQL rule's thresholds */
    uint8_t stage_at_as_of;  /* lf_stage; LF_STAGE_NONE = created after as-of */
    bool qualifiable;        /* in lead or recycled at as-of: why_not applies */
    unsigned why_not;        /* LF_LX_WHY_* bits; 0 = the rule holds at as-of */
} lf_lx_scoring;

typedef struct lf_lead_explain {
    lf_time as_of;
    /* the lead's columns, owned; NULL = empty */
    char *id, *email, *source, *channel, *origin, *persona;
    char *attrs_json;        /* owned: a JSON object of the other CSV columns */
    lf_time created_at;
    bool has_email;
    uint8_t stage;           /* lf_stage now (after every event) */
    lf_time stage_since;
    lf_lx_transition *trans; /* owned: in time order, the creation first */
    size_t ntrans;
    lf_lx_handoff *handoffs; /* owned: in mql_at order */
    size_t nhandoffs;
    bool has_sla;            /* the workspace has an SLA */
    bool sla_business;       /* ... on the business clock */
    const char *sla_text;    /* borrowed: as written ("2bd"), when has_sla */
    const char *speed_target_text; /* borrowed: the speed-to-lead target ("1h") */
    bool has_scoring;        /* the configuration has a `scoring` section */
    lf_lx_scoring scoring;   /* when has_scoring */
    lf_lx_event *events;     /* owned: in replay order */
    size_t nevents;
} lf_lead_explain;

/* Explains lead `id` of the workspace at as_of (opening the workspace if needed) into
 * *out (released by the caller with lf_lead_explain_release after LF_OK; nothing to
 * release otherwise). LF_EINPUT "unknown lead 'ID'" when the store has no such lead;
 * LF_ESTORE / LF_ENOMEM / LF_ECONFIG as the workspace and store report them. */
lf_status lf_lead_explain_run(lf_workspace *ws, const char *id, lf_time as_of,
                              lf_lead_explain *out, lf_error *err);
/* The explanation as the JSON object of `GET /v1/leads/{id}` (id, email, created_at,
 * channel, origin, persona, stage, stage_since, transitions, handoffs, score), instants
 * in zone tz; a new reference (NULL when out of memory). */
struct json_t *lf_lead_explain_json(const lf_tz *tz, const lf_lead_explain *x);
/* An instant as the API writes it: local time with offset in tz; null for LF_TIME_NONE. */
struct json_t *lf_json_local_time(const lf_tz *tz, lf_time t);
/* Handoff i of x as one element of that object's `handoffs`; a new reference. */
struct json_t *lf_lead_explain_handoff_json(const lf_tz *tz, const lf_lead_explain *x, size_t i);

/* Frees everything *x owns and zeroes it. */
void lf_lead_explain_release(lf_lead_explain *x);

#endif
