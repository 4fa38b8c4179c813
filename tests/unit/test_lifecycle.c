/*
 * test_lifecycle.c — the lifecycle engine against SPEC §3, row by row.
 *
 * Every expected transition list is written by hand. The "matrix" tests apply each
 * lifecycle event in each of the eight stages (reached by a fixed setup) and check
 * what was appended; the named tests cover skips, handoffs, first contact, events
 * before created_at, order independence and the scoring hooks (a fake lf_scorer that
 * logs every call).
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "leadflow/lifecycle.h"

/* Timestamps: hours after 2026-01-01T00:00:00Z, in microseconds. */
#define T0 (INT64_C(1767225600) * LF_USEC_PER_SEC)
#define AT(h) (T0 + (lf_time)(h)*LF_USEC_PER_HOUR)
#define ATM(m) (T0 + (lf_time)(m)*60 * LF_USEC_PER_SEC)

#define MAXEV 64

typedef struct evlist {
    lf_event ev[MAXEV];
    size_t n;
} evlist;

static int32_t add_seq(evlist *l, lf_time ts, lf_event_kind k, int64_t seq)
{
    cr_assert_lt(l->n, MAXEV);
    lf_event *e = &l->ev[l->n];
    memset(e, 0, sizeof *e);
    e->ts = ts;
    e->seq = seq;
    e->kind = (uint8_t)k;
    e->type = k == LF_EV_ACTIVITY ? "page_view" : lf_event_kind_name(k);
    return (int32_t)l->n++;
}

/* Import order = order of the add calls. */
static int32_t add(evlist *l, lf_time ts, lf_event_kind k)
{
    return add_seq(l, ts, k, 100 * ((int64_t)l->n + 1));
}

static int32_t add_amount(evlist *l, lf_time ts, lf_event_kind k, double amount)
{
    int32_t i = add(l, ts, k);
    l->ev[i].amount = amount;
    l->ev[i].has_amount = true;
    return i;
}

static void replay(const evlist *l, lf_time created, bool email, const lf_scorer *sc,
                   lf_lead_state *s)
{
    lf_lead_input in = {
        .created_at = created, .has_email = email, .events = l->ev, .nevents = l->n};
    lf_error err;
    lf_error_clear(&err);
    cr_assert_eq(lf_lifecycle_replay(&in, sc, s, &err), LF_OK, "replay: %s", err.msg);
}

typedef struct xt {
    lf_time ts;
    int from, to, cause;
    int32_t event;
} xt;

#define NONE LF_STAGE_NONE
#define LEAD LF_STAGE_LEAD
#define MQL LF_STAGE_MQL
#define SQL LF_STAGE_SQL
#define OPP LF_STAGE_OPPORTUNITY
#define CUST LF_STAGE_CUSTOMER
#define RECY LF_STAGE_RECYCLED
#define DISQ LF_STAGE_DISQUALIFIED
#define LOST LF_STAGE_LOST
#define CREATED LF_CAUSE_CREATED
#define EVENT LF_CAUSE_EVENT
#define SKIP LF_CAUSE_SKIP
#define SCORE LF_CAUSE_SCORE

static void check_trans(const lf_lead_state *s, const xt *x, size_t n)
{
    cr_assert_eq(s->ntrans, n, "expected %zu transitions, got %zu", n, s->ntrans);
    for (size_t i = 0; i < n; i++) {
        const lf_transition *t = &s->trans[i];
        cr_assert_eq(t->ts, x[i].ts, "transition %zu: ts", i);
        cr_assert_eq(t->from, x[i].from, "transition %zu: from %s, expected %s", i,
                     lf_stage_name(t->from), lf_stage_name(x[i].from));
        cr_assert_eq(t->to, x[i].to, "transition %zu: to %s, expected %s", i, lf_stage_name(t->to),
                     lf_stage_name(x[i].to));
        cr_assert_eq(t->cause, x[i].cause, "transition %zu: cause", i);
        cr_assert_eq(t->event, x[i].event, "transition %zu: event %d, expected %d", i,
                     (int)t->event, (int)x[i].event);
    }
    if (n) {
        cr_assert_eq(s->stage, x[n - 1].to, "stage");
        cr_assert_eq(s->stage_since, x[n - 1].ts, "stage_since");
    }
}

#define CHECK_TRANS(s, ...)                                                                        \
    do {                                                                                           \
        const xt x_[] = {__VA_ARGS__};                                                             \
        check_trans((s), x_, sizeof x_ / sizeof x_[0]);                                            \
    } while (0)

static void check_ignored(const lf_lead_state *s, const int32_t *x, size_t n)
{
    cr_assert_eq(s->nignored, n, "expected %zu ignored, got %zu", n, s->nignored);
    for (size_t i = 0; i < n; i++)
        cr_assert_eq(s->ignored[i], x[i], "ignored %zu: %d, expected %d", i, (int)s->ignored[i],
                     (int)x[i]);
}

#define CHECK_IGNORED(s, ...)                                                                      \
    do {                                                                                           \
        const int32_t x_[] = {__VA_ARGS__};                                                        \
        check_ignored((s), x_, sizeof x_ / sizeof x_[0]);                                          \
    } while (0)

static void check_handoff(const lf_handoff *h, lf_time mql_at, int cause, int32_t open, int outcome,
                          lf_time decided_at, int32_t close)
{
    cr_assert_eq(h->mql_at, mql_at, "mql_at");
    cr_assert_eq(h->cause, cause, "handoff cause");
    cr_assert_eq(h->open_event, open, "open_event %d, expected %d", (int)h->open_event, (int)open);
    cr_assert_eq(h->outcome, outcome, "outcome %d, expected %d", h->outcome, outcome);
    cr_assert_eq(h->decided_at, decided_at, "decided_at");
    cr_assert_eq(h->close_event, close, "close_event %d, expected %d", (int)h->close_event,
                 (int)close);
}

static void check_no_contact(const lf_handoff *h)
{
    cr_assert_eq(h->contact_event, -1);
    cr_assert_eq(h->first_contact_at, LF_TIME_NONE);
}

static void check_contact(const lf_handoff *h, int32_t idx, lf_time at)
{
    cr_assert_eq(h->contact_event, idx, "contact_event %d, expected %d", (int)h->contact_event,
                 (int)idx);
    cr_assert_eq(h->first_contact_at, at, "first_contact_at");
}

/* ---- names -------------------------------------------------------------------- */

Test(lifecycle_names, stage_names_round_trip)
{
    const char *names[] = {"lead",     "mql",      "sql",          "opportunity",
                           "customer", "recycled", "disqualified", "lost"};
    for (int s = 0; s < LF_STAGE_COUNT; s++) {
        cr_assert_str_eq(lf_stage_name((lf_stage)s), names[s]);
        cr_assert_eq(lf_stage_parse(names[s]), (lf_stage)s);
    }
    cr_assert_eq(lf_stage_parse("Opportunity"), LF_STAGE_OPPORTUNITY);
    cr_assert_eq(lf_stage_parse("SQL"), LF_STAGE_SQL);
    cr_assert_eq(lf_stage_parse("sqls"), LF_STAGE_NONE);
    cr_assert_eq(lf_stage_parse("sq"), LF_STAGE_NONE);
    cr_assert_eq(lf_stage_parse(""), LF_STAGE_NONE);
    cr_assert_eq(lf_stage_parse(NULL), LF_STAGE_NONE);
    cr_assert_str_eq(lf_stage_name(LF_STAGE_NONE), "?");
    cr_assert_str_eq(lf_stage_name(LF_STAGE_COUNT), "?");
}

Test(lifecycle_names, terminal_stages)
{
    for (int s = 0; s < LF_STAGE_COUNT; s++) {
        bool want = s == CUST || s == DISQ || s == LOST;
        cr_assert_eq(lf_stage_is_terminal((lf_stage)s), want, "%s", lf_stage_name(s));
    }
}

Test(lifecycle_names, event_kinds_case_insensitive_by_length)
{
    struct {
        const char *s;
        lf_event_kind k;
    } cases[] = {
        {"mql", LF_EV_MQL},
        {"MQL", LF_EV_MQL},
        {"accepted", LF_EV_ACCEPTED},
        {"Rejected", LF_EV_REJECTED},
        {"DisQualified", LF_EV_DISQUALIFIED},
        {"contacted", LF_EV_CONTACTED},
        {"OPPORTUNITY", LF_EV_OPPORTUNITY},
        {"Won", LF_EV_WON},
        {"lost", LF_EV_LOST},
        {"page_view", LF_EV_ACTIVITY},
        {"activity", LF_EV_ACTIVITY},
        {"won ", LF_EV_ACTIVITY},
        {"wo", LF_EV_ACTIVITY},
        {"mqls", LF_EV_ACTIVITY},
        {"", LF_EV_ACTIVITY},
        {"accepte\xc3\xa9", LF_EV_ACTIVITY},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        cr_assert_eq(lf_event_kind_of(cases[i].s, strlen(cases[i].s)), cases[i].k, "'%s'",
                     cases[i].s);
    /* Length-based: the buffer need not be NUL-terminated there. */
    cr_assert_eq(lf_event_kind_of("wonderful", 3), LF_EV_WON);
    cr_assert_eq(lf_event_kind_of("lostness", 4), LF_EV_LOST);
    cr_assert_eq(lf_event_kind_of(NULL, 0), LF_EV_ACTIVITY);
    for (int k = 1; k < LF_EV_COUNT; k++) {
        const char *n = lf_event_kind_name((lf_event_kind)k);
        cr_assert_eq(lf_event_kind_of(n, strlen(n)), (lf_event_kind)k);
    }
    cr_assert_str_eq(lf_event_kind_name(LF_EV_ACTIVITY), "activity");
    cr_assert_str_eq(lf_event_kind_name(LF_EV_COUNT), "?");
}

/* ---- basics ------------------------------------------------------------------- */

Test(lifecycle, no_events_is_a_lead_since_created_at)
{
    evlist l = {0};
    lf_lead_state s;
    lf_lead_state_init(&s);
    replay(&l, AT(0), true, NULL, &s);
    CHECK_TRANS(&s, {AT(0), NONE, LEAD, CREATED, -1});
    cr_assert_eq(s.nhandoffs, 0);
    cr_assert_eq(s.nignored, 0);
    cr_assert_eq(s.won_at, LF_TIME_NONE);
    cr_assert_eq(s.revenue, 0.0);
    lf_lead_state_release(&s);
    cr_assert_null(s.trans);
}

Test(lifecycle, full_path_with_handoff)
{
    evlist l = {0};
    int32_t m = add(&l, AT(1), LF_EV_MQL);
    int32_t a = add(&l, AT(2), LF_EV_ACCEPTED);
    int32_t o = add(&l, AT(3), LF_EV_OPPORTUNITY);
    int32_t w = add_amount(&l, AT(4), LF_EV_WON, 12500.5);
    lf_lead_state s;
    lf_lead_state_init(&s);
    replay(&l, AT(0), true, NULL, &s);
    CHECK_TRANS(&s, {AT(0), NONE, LEAD, CREATED, -1}, {AT(1), LEAD, MQL, EVENT, m},
                {AT(2), MQL, SQL, EVENT, a}, {AT(3), SQL, OPP, EVENT, o},
                {AT(4), OPP, CUST, EVENT, w});
    cr_assert_eq(s.nhandoffs, 1);
    check_handoff(&s.handoffs[0], AT(1), EVENT, m, LF_OUTCOME_ACCEPTED, AT(2), a);
    check_no_contact(&s.handoffs[0]);
    cr_assert_eq(s.handoffs[0].score, 0.0);
    cr_assert_eq(s.nignored, 0);
    cr_assert_eq(s.won_at, AT(4));
    cr_assert_eq(s.revenue, 12500.5);
    lf_lead_state_release(&s);
}

/* ---- the transition table, every row in every from-stage --------------------- */

/* Reaches stage `s` with events at AT(1)..AT(3) (created at AT(0), with email). */
static void setup_stage(evlist *l, lf_stage s)
{
    switch (s) {
    case LF_STAGE_LEAD:
        break;
    case LF_STAGE_MQL:
        add(l, AT(1), LF_EV_MQL);
        break;
    case LF_STAGE_SQL:
        add(l, AT(1), LF_EV_MQL);
        add(l, AT(2), LF_EV_ACCEPTED);
        break;
    case LF_STAGE_OPPORTUNITY:
        add(l, AT(1), LF_EV_MQL);
        add(l, AT(2), LF_EV_ACCEPTED);
        add(l, AT(3), LF_EV_OPPORTUNITY);
        break;
    case LF_STAGE_CUSTOMER:
        add(l, AT(1), LF_EV_WON);
        break;
    case LF_STAGE_RECYCLED:
        add(l, AT(1), LF_EV_MQL);
        add(l, AT(2), LF_EV_REJECTED);
        break;
    case LF_STAGE_DISQUALIFIED:
        add(l, AT(1), LF_EV_DISQUALIFIED);
        break;
    case LF_STAGE_LOST:
        add(l, AT(1), LF_EV_MQL);
        add(l, AT(2), LF_EV_ACCEPTED);
        add(l, AT(3), LF_EV_LOST);
        break;
    default:
        cr_assert_fail("bad stage");
    }
}

enum { H_NONE, H_OPEN, H_ACC, H_REJ };

typedef struct step {
    int to, cause;
} step;

typedef struct cell {
    lf_stage from;
    bool ignored;
    int handoff; /* H_* : what happens to handoffs */
    int nsteps;
    step steps[3];
} cell;

#define IGN(st)                                                                                    \
    {                                                                                              \
        st, true, H_NONE, 0,                                                                       \
        {                                                                                          \
            {                                                                                      \
                0, 0                                                                               \
            }                                                                                      \
        }                                                                                          \
    }

static void check_cell(lf_event_kind kind, const cell *c)
{
    const char *kn = lf_event_kind_name(kind), *sn = lf_stage_name(c->from);
    evlist l = {0};
    setup_stage(&l, c->from);
    lf_lead_state base, s;
    lf_lead_state_init(&base);
    lf_lead_state_init(&s);
    replay(&l, AT(0), true, NULL, &base);
    cr_assert_eq(base.stage, c->from, "setup of %s", sn);
    cr_assert_eq(base.nignored, 0, "setup of %s", sn);
    int32_t idx = add(&l, AT(10), kind);
    replay(&l, AT(0), true, NULL, &s);

    cr_assert_eq(s.ntrans, base.ntrans + (size_t)c->nsteps, "%s in %s: transitions", kn, sn);
    for (size_t i = 0; i < base.ntrans; i++) { /* field by field: structs have padding */
        const lf_transition *x = &s.trans[i], *y = &base.trans[i];
        cr_assert(x->ts == y->ts && x->from == y->from && x->to == y->to && x->cause == y->cause &&
                      x->event == y->event,
                  "%s in %s: history changed", kn, sn);
    }
    int prev = c->from;
    for (int k = 0; k < c->nsteps; k++) {
        const lf_transition *t = &s.trans[base.ntrans + (size_t)k];
        cr_assert_eq(t->ts, AT(10), "%s in %s: step %d ts", kn, sn, k);
        cr_assert_eq(t->from, prev, "%s in %s: step %d from", kn, sn, k);
        cr_assert_eq(t->to, c->steps[k].to, "%s in %s: step %d to %s", kn, sn, k,
                     lf_stage_name(t->to));
        cr_assert_eq(t->cause, c->steps[k].cause, "%s in %s: step %d cause", kn, sn, k);
        cr_assert_eq(t->event, idx, "%s in %s: step %d event", kn, sn, k);
        prev = c->steps[k].to;
    }
    cr_assert_eq(s.stage, prev, "%s in %s: stage", kn, sn);
    cr_assert_eq(s.stage_since, c->nsteps ? AT(10) : base.stage_since, "%s in %s: since", kn, sn);

    cr_assert_eq(s.nignored, c->ignored ? 1u : 0u, "%s in %s: ignored", kn, sn);
    if (c->ignored)
        cr_assert_eq(s.ignored[0], idx);

    size_t nh = base.nhandoffs;
    switch (c->handoff) {
    case H_NONE:
        cr_assert_eq(s.nhandoffs, nh, "%s in %s: handoffs", kn, sn);
        if (nh)
            cr_assert_eq(s.handoffs[nh - 1].outcome, base.handoffs[nh - 1].outcome,
                         "%s in %s: handoff outcome changed", kn, sn);
        break;
    case H_OPEN:
        cr_assert_eq(s.nhandoffs, nh + 1, "%s in %s: handoff opened", kn, sn);
        check_handoff(&s.handoffs[nh], AT(10), EVENT, idx, LF_OUTCOME_PENDING, LF_TIME_NONE, -1);
        break;
    case H_ACC:
    case H_REJ:
        cr_assert_eq(s.nhandoffs, nh, "%s in %s: handoffs", kn, sn);
        cr_assert_eq(base.handoffs[nh - 1].outcome, LF_OUTCOME_PENDING);
        check_handoff(&s.handoffs[nh - 1], AT(1), EVENT, 0,
                      c->handoff == H_ACC ? LF_OUTCOME_ACCEPTED : LF_OUTCOME_REJECTED, AT(10), idx);
        break;
    }
    lf_lead_state_release(&base);
    lf_lead_state_release(&s);
}

static void check_row(lf_event_kind kind, const cell *cells, size_t n)
{
    cr_assert_eq(n, LF_STAGE_COUNT, "every from-stage is listed");
    for (size_t i = 0; i < n; i++)
        check_cell(kind, &cells[i]);
}

#define CHECK_ROW(kind, cells) check_row((kind), (cells), sizeof(cells) / sizeof((cells)[0]))

Test(transition_table, mql_event)
{
    const cell cells[] = {
        {LEAD, false, H_OPEN, 1, {{MQL, EVENT}}}, IGN(MQL),  IGN(SQL),  IGN(OPP), IGN(CUST),
        {RECY, false, H_OPEN, 1, {{MQL, EVENT}}}, IGN(DISQ), IGN(LOST),
    };
    CHECK_ROW(LF_EV_MQL, cells);
}

Test(transition_table, accepted)
{
    const cell cells[] = {
        {LEAD, false, H_NONE, 1, {{SQL, EVENT}}},
        {MQL, false, H_ACC, 1, {{SQL, EVENT}}},
        IGN(SQL),
        IGN(OPP),
        IGN(CUST),
        {RECY, false, H_NONE, 1, {{SQL, EVENT}}},
        IGN(DISQ),
        IGN(LOST),
    };
    CHECK_ROW(LF_EV_ACCEPTED, cells);
}

Test(transition_table, rejected)
{
    const cell cells[] = {
        IGN(LEAD), {MQL, false, H_REJ, 1, {{RECY, EVENT}}},
        IGN(SQL),  IGN(OPP),
        IGN(CUST), IGN(RECY),
        IGN(DISQ), IGN(LOST),
    };
    CHECK_ROW(LF_EV_REJECTED, cells);
}

Test(transition_table, disqualified)
{
    const cell cells[] = {
        {LEAD, false, H_NONE, 1, {{DISQ, EVENT}}},
        {MQL, false, H_REJ, 1, {{DISQ, EVENT}}},
        {SQL, false, H_NONE, 1, {{DISQ, EVENT}}},
        {OPP, false, H_NONE, 1, {{DISQ, EVENT}}},
        IGN(CUST),
        {RECY, false, H_NONE, 1, {{DISQ, EVENT}}},
        IGN(DISQ),
        IGN(LOST),
    };
    CHECK_ROW(LF_EV_DISQUALIFIED, cells);
}

Test(transition_table, opportunity)
{
    const cell cells[] = {
        {LEAD, false, H_NONE, 2, {{SQL, SKIP}, {OPP, EVENT}}},
        {MQL, false, H_ACC, 2, {{SQL, SKIP}, {OPP, EVENT}}},
        {SQL, false, H_NONE, 1, {{OPP, EVENT}}},
        IGN(OPP),
        IGN(CUST),
        {RECY, false, H_NONE, 2, {{SQL, SKIP}, {OPP, EVENT}}},
        IGN(DISQ),
        IGN(LOST),
    };
    CHECK_ROW(LF_EV_OPPORTUNITY, cells);
}

Test(transition_table, won)
{
    const cell cells[] = {
        {LEAD, false, H_NONE, 3, {{SQL, SKIP}, {OPP, SKIP}, {CUST, EVENT}}},
        {MQL, false, H_ACC, 3, {{SQL, SKIP}, {OPP, SKIP}, {CUST, EVENT}}},
        {SQL, false, H_NONE, 2, {{OPP, SKIP}, {CUST, EVENT}}},
        {OPP, false, H_NONE, 1, {{CUST, EVENT}}},
        IGN(CUST),
        {RECY, false, H_NONE, 3, {{SQL, SKIP}, {OPP, SKIP}, {CUST, EVENT}}},
        IGN(DISQ),
        IGN(LOST),
    };
    CHECK_ROW(LF_EV_WON, cells);
}

Test(transition_table, lost)
{
    const cell cells[] = {
        IGN(LEAD),
        IGN(MQL),
        {SQL, false, H_NONE, 1, {{LOST, EVENT}}},
        {OPP, false, H_NONE, 1, {{LOST, EVENT}}},
        IGN(CUST),
        IGN(RECY),
        IGN(DISQ),
        IGN(LOST),
    };
    CHECK_ROW(LF_EV_LOST, cells);
}

Test(transition_table, contacted_never_changes_stage_nor_is_ignored)
{
    const cell cells[] = {
        {LEAD, false, H_NONE, 0, {{0, 0}}}, {MQL, false, H_NONE, 0, {{0, 0}}},
        {SQL, false, H_NONE, 0, {{0, 0}}},  {OPP, false, H_NONE, 0, {{0, 0}}},
        {CUST, false, H_NONE, 0, {{0, 0}}}, {RECY, false, H_NONE, 0, {{0, 0}}},
        {DISQ, false, H_NONE, 0, {{0, 0}}}, {LOST, false, H_NONE, 0, {{0, 0}}},
    };
    CHECK_ROW(LF_EV_CONTACTED, cells);
}

Test(transition_table, activity_never_changes_stage_nor_is_ignored)
{
    const cell cells[] = {
        {LEAD, false, H_NONE, 0, {{0, 0}}}, {MQL, false, H_NONE, 0, {{0, 0}}},
        {SQL, false, H_NONE, 0, {{0, 0}}},  {OPP, false, H_NONE, 0, {{0, 0}}},
        {CUST, false, H_NONE, 0, {{0, 0}}}, {RECY, false, H_NONE, 0, {{0, 0}}},
        {DISQ, false, H_NONE, 0, {{0, 0}}}, {LOST, false, H_NONE, 0, {{0, 0}}},
    };
    CHECK_ROW(LF_EV_ACTIVITY, cells);
}

/* ---- skips -------------------------------------------------------------------- */

Test(skips, mql_to_opportunity_enters_sql_then_opportunity)
{
    evlist l = {0};
    int32_t m = add(&l, AT(1), LF_EV_MQL);
    int32_t o = add(&l, AT(5), LF_EV_OPPORTUNITY);
    lf_lead_state s;
    lf_lead_state_init(&s);
    replay(&l, AT(0), true, NULL, &s);
    CHECK_TRANS(&s, {AT(0), NONE, LEAD, CREATED, -1}, {AT(1), LEAD, MQL, EVENT, m},
                {AT(5), MQL, SQL, SKIP, o}, {AT(5), SQL, OPP, EVENT, o});
    cr_assert_eq(s.nhandoffs, 1);
    check_handoff(&s.handoffs[0], AT(1), EVENT, m, LF_OUTCOME_ACCEPTED, AT(5), o);
    lf_lead_state_release(&s);
}

Test(skips, lead_to_customer_enters_sql_opportunity_customer_without_handoff)
{
    evlist l = {0};
    int32_t w = add_amount(&l, AT(7), LF_EV_WON, 900);
    lf_lead_state s;
    lf_lead_state_init(&s);
    replay(&l, AT(0), true, NULL, &s);
    CHECK_TRANS(&s, {AT(0), NONE, LEAD, CREATED, -1}, {AT(7), LEAD, SQL, SKIP, w},
                {AT(7), SQL, OPP, SKIP, w}, {AT(7), OPP, CUST, EVENT, w});
    cr_assert_eq(s.nhandoffs, 0);
    cr_assert_eq(s.won_at, AT(7));
    cr_assert_eq(s.revenue, 900.0);
    lf_lead_state_release(&s);
}

Test(skips, recycled_to_customer_enters_sql_opportunity_customer)
{
    evlist l = {0};
    int32_t m = add(&l, AT(1), LF_EV_MQL);
    int32_t r = add(&l, AT(2), LF_EV_REJECTED);
    int32_t w = add(&l, AT(3), LF_EV_WON); /* no amount */
    lf_lead_state s;
    lf_lead_state_init(&s);
    replay(&l, AT(0), true, NULL, &s);
    CHECK_TRANS(&s, {AT(0), NONE, LEAD, CREATED, -1}, {AT(1), LEAD, MQL, EVENT, m},
                {AT(2), MQL, RECY, EVENT, r}, {AT(3), RECY, SQL, SKIP, w},
                {AT(3), SQL, OPP, SKIP, w}, {AT(3), OPP, CUST, EVENT, w});
    cr_assert_eq(s.nhandoffs, 1);
    check_handoff(&s.handoffs[0], AT(1), EVENT, m, LF_OUTCOME_REJECTED, AT(2), r);
    cr_assert_eq(s.won_at, AT(3));
    cr_assert_eq(s.revenue, 0.0);
    lf_lead_state_release(&s);
}

Test(skips, lead_to_sql_via_accepted_is_one_step_without_handoff)
{
    evlist l = {0};
    int32_t a = add(&l, AT(2), LF_EV_ACCEPTED);
    int32_t lo = add(&l, AT(4), LF_EV_LOST);
    lf_lead_state s;
    lf_lead_state_init(&s);
    replay(&l, AT(0), true, NULL, &s);
    CHECK_TRANS(&s, {AT(0), NONE, LEAD, CREATED, -1}, {AT(2), LEAD, SQL, EVENT, a},
                {AT(4), SQL, LOST, EVENT, lo});
    cr_assert_eq(s.nhandoffs, 0);
    cr_assert_eq(s.nignored, 0);
    lf_lead_state_release(&s);
}

Test(skips, sql_to_customer_enters_opportunity)
{
    evlist l = {0};
    int32_t a = add(&l, AT(2), LF_EV_ACCEPTED);
    int32_t w = add_amount(&l, AT(4), LF_EV_WON, 10);
    lf_lead_state s;
    lf_lead_state_init(&s);
    replay(&l, AT(0), true, NULL, &s);
    CHECK_TRANS(&s, {AT(0), NONE, LEAD, CREATED, -1}, {AT(2), LEAD, SQL, EVENT, a},
                {AT(4), SQL, OPP, SKIP, w}, {AT(4), OPP, CUST, EVENT, w});
    lf_lead_state_release(&s);
}

/* ---- handoffs ----------------------------------------------------------------- */

Test(handoffs, each_closer_sets_outcome_decided_at_and_close_event)
{
    struct {
        lf_event_kind closer;
        int outcome;
    } cases[] = {
        {LF_EV_ACCEPTED, LF_OUTCOME_ACCEPTED},     {LF_EV_REJECTED, LF_OUTCOME_REJECTED},
        {LF_EV_DISQUALIFIED, LF_OUTCOME_REJECTED}, {LF_EV_OPPORTUNITY, LF_OUTCOME_ACCEPTED},
        {LF_EV_WON, LF_OUTCOME_ACCEPTED},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        evlist l = {0};
        int32_t m = add(&l, ATM(30), LF_EV_MQL);
        int32_t c = add(&l, ATM(95), cases[i].closer);
        lf_lead_state s;
        lf_lead_state_init(&s);
        replay(&l, AT(0), true, NULL, &s);
        cr_assert_eq(s.nhandoffs, 1, "%s", lf_event_kind_name(cases[i].closer));
        check_handoff(&s.handoffs[0], ATM(30), EVENT, m, cases[i].outcome, ATM(95), c);
        check_no_contact(&s.handoffs[0]);
        lf_lead_state_release(&s);
    }
}

Test(handoffs, pending_until_decided)
{
    evlist l = {0};
    int32_t m = add(&l, AT(1), LF_EV_MQL);
    add(&l, AT(2), LF_EV_LOST); /* ignored in mql */
    lf_lead_state s;
    lf_lead_state_init(&s);
    replay(&l, AT(0), true, NULL, &s);
    cr_assert_eq(s.nhandoffs, 1);
    check_handoff(&s.handoffs[0], AT(1), EVENT, m, LF_OUTCOME_PENDING, LF_TIME_NONE, -1);
    CHECK_IGNORED(&s, 1);
    lf_lead_state_release(&s);
}

Test(handoffs, recycle_then_re_mql_opens_a_second_handoff)
{
    evlist l = {0};
    int32_t m1 = add(&l, AT(1), LF_EV_MQL);
    int32_t r = add(&l, AT(2), LF_EV_REJECTED);
    int32_t m2 = add(&l, AT(30), LF_EV_MQL);
    int32_t a = add(&l, AT(31), LF_EV_ACCEPTED);
    lf_lead_state s;
    lf_lead_state_init(&s);
    replay(&l, AT(0), true, NULL, &s);
    CHECK_TRANS(&s, {AT(0), NONE, LEAD, CREATED, -1}, {AT(1), LEAD, MQL, EVENT, m1},
                {AT(2), MQL, RECY, EVENT, r}, {AT(30), RECY, MQL, EVENT, m2},
                {AT(31), MQL, SQL, EVENT, a});
    cr_assert_eq(s.nhandoffs, 2);
    check_handoff(&s.handoffs[0], AT(1), EVENT, m1, LF_OUTCOME_REJECTED, AT(2), r);
    check_handoff(&s.handoffs[1], AT(30), EVENT, m2, LF_OUTCOME_ACCEPTED, AT(31), a);
    cr_assert_eq(s.nignored, 0);
    lf_lead_state_release(&s);
}

Test(handoffs, mql_without_email_is_ignored)
{
    evlist l = {0};
    int32_t m = add(&l, AT(1), LF_EV_MQL);
    int32_t a = add(&l, AT(2), LF_EV_ACCEPTED);
    lf_lead_state s;
    lf_lead_state_init(&s);
    replay(&l, AT(0), false, NULL, &s);
    /* the accept is then a skip from lead, with no handoff */
    CHECK_TRANS(&s, {AT(0), NONE, LEAD, CREATED, -1}, {AT(2), LEAD, SQL, EVENT, a});
    CHECK_IGNORED(&s, m);
    cr_assert_eq(s.nhandoffs, 0);
    lf_lead_state_release(&s);
}

Test(handoffs, same_instant_events_apply_in_seq_order)
{
    /* accepted and rejected at the same instant: import order decides. */
    for (int flip = 0; flip < 2; flip++) {
        evlist l = {0};
        int32_t m = add_seq(&l, AT(1), LF_EV_MQL, 1);
        int32_t a = add_seq(&l, AT(2), LF_EV_ACCEPTED, flip ? 3 : 2);
        int32_t r = add_seq(&l, AT(2), LF_EV_REJECTED, flip ? 2 : 3);
        lf_lead_state s;
        lf_lead_state_init(&s);
        replay(&l, AT(0), true, NULL, &s);
        if (!flip) {
            CHECK_TRANS(&s, {AT(0), NONE, LEAD, CREATED, -1}, {AT(1), LEAD, MQL, EVENT, m},
                        {AT(2), MQL, SQL, EVENT, a});
            check_handoff(&s.handoffs[0], AT(1), EVENT, m, LF_OUTCOME_ACCEPTED, AT(2), a);
            CHECK_IGNORED(&s, r);
        } else {
            /* rejected first; then accepted from recycled is a skip to sql */
            CHECK_TRANS(&s, {AT(0), NONE, LEAD, CREATED, -1}, {AT(1), LEAD, MQL, EVENT, m},
                        {AT(2), MQL, RECY, EVENT, r}, {AT(2), RECY, SQL, EVENT, a});
            check_handoff(&s.handoffs[0], AT(1), EVENT, m, LF_OUTCOME_REJECTED, AT(2), r);
            cr_assert_eq(s.nignored, 0);
        }
        lf_lead_state_release(&s);
    }
}

/* ---- first contact ------------------------------------------------------------ */

Test(first_contact, same_instant_imported_before_the_mql_counts)
{
    evlist l = {0};
    int32_t c = add_seq(&l, AT(1), LF_EV_CONTACTED, 1);
    add_seq(&l, AT(1), LF_EV_MQL, 2);
    lf_lead_state s;
    lf_lead_state_init(&s);
    replay(&l, AT(0), true, NULL, &s);
    cr_assert_eq(s.nhandoffs, 1);
    check_contact(&s.handoffs[0], c, AT(1));
    cr_assert_eq(s.nignored, 0);
    lf_lead_state_release(&s);
}

Test(first_contact, contact_before_the_mql_does_not_count)
{
    evlist l = {0};
    add(&l, ATM(59), LF_EV_CONTACTED);
    add(&l, AT(1), LF_EV_MQL);
    int32_t c2 = add(&l, ATM(75), LF_EV_CONTACTED);
    add(&l, ATM(80), LF_EV_CONTACTED);
    lf_lead_state s;
    lf_lead_state_init(&s);
    replay(&l, AT(0), true, NULL, &s);
    check_contact(&s.handoffs[0], c2, ATM(75));
    cr_assert_eq(s.nignored, 0);
    lf_lead_state_release(&s);
}

Test(first_contact, only_contact_before_the_mql_means_not_contacted)
{
    evlist l = {0};
    add(&l, ATM(59), LF_EV_CONTACTED);
    add(&l, AT(1), LF_EV_MQL);
    lf_lead_state s;
    lf_lead_state_init(&s);
    replay(&l, AT(0), true, NULL, &s);
    check_no_contact(&s.handoffs[0]);
    lf_lead_state_release(&s);
}

Test(first_contact, contact_after_a_terminal_stage_counts)
{
    evlist l = {0};
    add(&l, AT(1), LF_EV_MQL);
    add(&l, AT(2), LF_EV_DISQUALIFIED);
    int32_t c = add(&l, AT(3), LF_EV_CONTACTED);
    lf_lead_state s;
    lf_lead_state_init(&s);
    replay(&l, AT(0), true, NULL, &s);
    cr_assert_eq(s.stage, DISQ);
    check_contact(&s.handoffs[0], c, AT(3));
    cr_assert_eq(s.nignored, 0);
    lf_lead_state_release(&s);
}

Test(first_contact, contact_belongs_to_the_latest_handoff)
{
    evlist l = {0};
    add(&l, AT(1), LF_EV_MQL);
    int32_t c1 = add(&l, AT(2), LF_EV_CONTACTED);
    add(&l, AT(3), LF_EV_REJECTED);
    add(&l, AT(4), LF_EV_CONTACTED);                      /* still handoff 0's window, not first */
    int32_t c3 = add_seq(&l, AT(10), LF_EV_CONTACTED, 1); /* same instant, before mql */
    add_seq(&l, AT(10), LF_EV_MQL, 1000);
    add(&l, AT(11), LF_EV_CONTACTED);
    lf_lead_state s;
    lf_lead_state_init(&s);
    replay(&l, AT(0), true, NULL, &s);
    cr_assert_eq(s.nhandoffs, 2);
    check_contact(&s.handoffs[0], c1, AT(2));
    check_contact(&s.handoffs[1], c3, AT(10));
    lf_lead_state_release(&s);
}

Test(first_contact, contact_at_a_later_handoffs_instant_is_not_the_earlier_ones)
{
    evlist l = {0};
    add(&l, AT(1), LF_EV_MQL);
    add(&l, AT(3), LF_EV_REJECTED);
    int32_t c = add_seq(&l, AT(10), LF_EV_CONTACTED, 1);
    add_seq(&l, AT(10), LF_EV_MQL, 1000);
    lf_lead_state s;
    lf_lead_state_init(&s);
    replay(&l, AT(0), true, NULL, &s);
    cr_assert_eq(s.nhandoffs, 2);
    check_no_contact(&s.handoffs[0]);
    check_contact(&s.handoffs[1], c, AT(10));
    lf_lead_state_release(&s);
}

/* ---- created_at, terminal stages ---------------------------------------------- */

Test(created_at, lifecycle_events_before_created_at_are_ignored)
{
    evlist l = {0};
    int32_t ign[7];
    int ni = 0;
    ign[ni++] = add(&l, AT(-7), LF_EV_WON);
    ign[ni++] = add(&l, AT(-6), LF_EV_MQL);
    ign[ni++] = add(&l, AT(-5), LF_EV_ACCEPTED);
    ign[ni++] = add(&l, AT(-4), LF_EV_REJECTED);
    int32_t act = add(&l, ATM(-200), LF_EV_ACTIVITY);
    ign[ni++] = add(&l, AT(-3), LF_EV_OPPORTUNITY);
    ign[ni++] = add(&l, AT(-2), LF_EV_LOST);
    add(&l, ATM(-90), LF_EV_CONTACTED); /* never ignored */
    ign[ni++] = add(&l, ATM(-1), LF_EV_DISQUALIFIED);
    int32_t m = add(&l, AT(0), LF_EV_MQL); /* at created_at: applies */
    (void)act;
    lf_lead_state s;
    lf_lead_state_init(&s);
    replay(&l, AT(0), true, NULL, &s);
    CHECK_TRANS(&s, {AT(0), NONE, LEAD, CREATED, -1}, {AT(0), LEAD, MQL, EVENT, m});
    check_ignored(&s, ign, (size_t)ni);
    check_no_contact(&s.handoffs[0]);
    lf_lead_state_release(&s);
}

Test(terminal, terminal_stages_ignore_every_lifecycle_event)
{
    const lf_stage terms[] = {CUST, DISQ, LOST};
    for (size_t t = 0; t < 3; t++) {
        evlist l = {0};
        setup_stage(&l, terms[t]);
        lf_lead_state base, s;
        lf_lead_state_init(&base);
        lf_lead_state_init(&s);
        replay(&l, AT(0), true, NULL, &base);
        int32_t ign[LF_EV_COUNT];
        size_t ni = 0;
        for (int k = 1; k < LF_EV_COUNT; k++) {
            add(&l, AT(20 + k), LF_EV_ACTIVITY);
            int32_t i = add(&l, AT(20 + k), (lf_event_kind)k);
            if (k != LF_EV_CONTACTED)
                ign[ni++] = i;
        }
        replay(&l, AT(0), true, NULL, &s);
        cr_assert_eq(s.stage, terms[t]);
        cr_assert_eq(s.stage_since, base.stage_since);
        cr_assert_eq(s.ntrans, base.ntrans);
        cr_assert_eq(s.nhandoffs, base.nhandoffs);
        check_ignored(&s, ign, ni);
        lf_lead_state_release(&base);
        lf_lead_state_release(&s);
    }
}

Test(lifecycle, out_of_range_kind_never_applies)
{
    evlist l = {0};
    int32_t b = add(&l, AT(1), LF_EV_MQL);
    l.ev[b].kind = 200;
    lf_lead_state s;
    lf_lead_state_init(&s);
    replay(&l, AT(0), true, NULL, &s);
    CHECK_TRANS(&s, {AT(0), NONE, LEAD, CREATED, -1});
    CHECK_IGNORED(&s, b);
    lf_lead_state_release(&s);
}

/* ---- a fake scorer: logs every hook call ---------------------------------------- */

typedef struct call {
    char op; /* b egin, a ctivity, r estart, q ualifies, s core_at */
    int32_t idx;
    lf_time t;
} call;

typedef struct fake {
    call log[256];
    size_t n;
    int threshold;        /* qualifies once this many activities fed since restart */
    lf_time qualify_from; /* ... and t >= this */
    int fed;
} fake;

static void fk_log(fake *f, char op, int32_t idx, lf_time t)
{
    cr_assert_lt(f->n, 256);
    f->log[f->n++] = (call){op, idx, t};
}

static void fk_begin(void *ctx, const lf_lead_input *lead)
{
    fake *f = ctx;
    (void)lead;
    f->fed = 0;
    fk_log(f, 'b', -1, LF_TIME_NONE);
}

static void fk_activity(void *ctx, const lf_event *ev, int32_t index)
{
    fake *f = ctx;
    f->fed++;
    fk_log(f, 'a', index, ev->ts);
}

static void fk_restart(void *ctx, lf_time t)
{
    fake *f = ctx;
    f->fed = 0;
    fk_log(f, 'r', -1, t);
}

static bool fk_qualifies(void *ctx, lf_time t, double *total)
{
    fake *f = ctx;
    fk_log(f, 'q', -1, t);
    *total = 10.0 * f->fed;
    return f->fed >= f->threshold && t >= f->qualify_from;
}

static double fk_score_at(void *ctx, lf_time t)
{
    fake *f = ctx;
    fk_log(f, 's', -1, t);
    return 10.0 * f->fed + 0.5;
}

static lf_scorer fake_scorer(fake *f, int threshold)
{
    memset(f, 0, sizeof *f);
    f->threshold = threshold;
    f->qualify_from = INT64_MIN;
    return (lf_scorer){.ctx = f,
                       .begin = fk_begin,
                       .activity = fk_activity,
                       .restart = fk_restart,
                       .qualifies = fk_qualifies,
                       .score_at = fk_score_at};
}

static void check_log(const fake *f, const call *x, size_t n)
{
    for (size_t i = 0; i < n && i < f->n; i++) {
        cr_assert_eq(f->log[i].op, x[i].op, "call %zu: '%c', expected '%c'", i, f->log[i].op,
                     x[i].op);
        cr_assert_eq(f->log[i].idx, x[i].idx, "call %zu (%c): index %d, expected %d", i, x[i].op,
                     (int)f->log[i].idx, (int)x[i].idx);
        cr_assert_eq(f->log[i].t, x[i].t, "call %zu (%c): time", i, x[i].op);
    }
    cr_assert_eq(f->n, n, "expected %zu calls, got %zu", n, f->n);
}

#define CHECK_LOG(f, ...)                                                                          \
    do {                                                                                           \
        const call x_[] = {__VA_ARGS__};                                                           \
        check_log((f), x_, sizeof x_ / sizeof x_[0]);                                              \
    } while (0)

#define NT LF_TIME_NONE

Test(scorer, hook_order)
{
    evlist l = {0};
    int32_t a0 = add_seq(&l, AT(-2), LF_EV_ACTIVITY, 1); /* before created_at: fed */
    int32_t r0 = add_seq(&l, AT(-1), LF_EV_REJECTED, 2); /* before created_at: ignored */
    int32_t c0 = add_seq(&l, AT(0), LF_EV_CONTACTED, 3); /* after the created_at check */
    int32_t a3 = add_seq(&l, AT(0), LF_EV_ACTIVITY, 4);  /* in its turn: its own check */
    int32_t a4 = add_seq(&l, AT(1), LF_EV_ACTIVITY, 5);  /* 3rd: qualifies */
    int32_t a5 = add_seq(&l, AT(2), LF_EV_ACTIVITY, 6);  /* in mql: no qualifies */
    int32_t rj = add_seq(&l, AT(3), LF_EV_REJECTED, 7);  /* restart */
    int32_t a7 = add_seq(&l, AT(4), LF_EV_ACTIVITY, 8);
    int32_t a8 = add_seq(&l, AT(5), LF_EV_ACTIVITY, 9);
    int32_t a9 = add_seq(&l, AT(6), LF_EV_ACTIVITY, 10); /* 3rd since restart */
    int32_t ac = add_seq(&l, AT(7), LF_EV_ACCEPTED, 11);
    int32_t a11 = add_seq(&l, AT(8), LF_EV_ACTIVITY, 12); /* in sql: no qualifies */
    (void)c0;
    fake f;
    lf_scorer sc = fake_scorer(&f, 3);
    lf_lead_state s;
    lf_lead_state_init(&s);
    replay(&l, AT(0), true, &sc, &s);
    CHECK_LOG(&f, {'b', -1, NT}, {'a', a0, AT(-2)}, {'q', -1, AT(0)}, {'a', a3, AT(0)},
              {'q', -1, AT(0)}, {'a', a4, AT(1)}, {'q', -1, AT(1)}, {'a', a5, AT(2)}, {'r', -1, AT(3)},
              {'a', a7, AT(4)}, {'q', -1, AT(4)}, {'a', a8, AT(5)}, {'q', -1, AT(5)},
              {'a', a9, AT(6)}, {'q', -1, AT(6)}, {'a', a11, AT(8)});
    CHECK_TRANS(&s, {AT(0), NONE, LEAD, CREATED, -1}, {AT(1), LEAD, MQL, SCORE, a4},
                {AT(3), MQL, RECY, EVENT, rj}, {AT(6), RECY, MQL, SCORE, a9},
                {AT(7), MQL, SQL, EVENT, ac});
    CHECK_IGNORED(&s, r0);
    cr_assert_eq(s.nhandoffs, 2);
    check_handoff(&s.handoffs[0], AT(1), SCORE, a4, LF_OUTCOME_REJECTED, AT(3), rj);
    cr_assert_eq(s.handoffs[0].score, 30.0);
    check_handoff(&s.handoffs[1], AT(6), SCORE, a9, LF_OUTCOME_ACCEPTED, AT(7), ac);
    cr_assert_eq(s.handoffs[1].score, 30.0);
    /* the contacted at created_at precedes both handoffs */
    check_no_contact(&s.handoffs[0]);
    check_no_contact(&s.handoffs[1]);
    lf_lead_state_release(&s);
}

/* SPEC §3: events of one lead at the same instant apply in import order, created_at
 * included. The created_at check comes first (nothing fed yet: no MQL); then
 * `accepted` moves lead -> sql (a skip); the activity after it is fed but the lead is
 * no longer in lead: no question; the `mql` in sql is ignored. */
Test(scorer, events_at_created_at_apply_in_import_order)
{
    evlist l = {0};
    int32_t ac = add_seq(&l, AT(0), LF_EV_ACCEPTED, 1);
    int32_t a1 = add_seq(&l, AT(0), LF_EV_ACTIVITY, 2);
    int32_t m = add_seq(&l, AT(0), LF_EV_MQL, 3); /* in sql: ignored */
    fake f;
    lf_scorer sc = fake_scorer(&f, 1);
    lf_lead_state s;
    lf_lead_state_init(&s);
    replay(&l, AT(0), true, &sc, &s);
    CHECK_LOG(&f, {'b', -1, NT}, {'q', -1, AT(0)}, {'a', a1, AT(0)});
    CHECK_TRANS(&s, {AT(0), NONE, LEAD, CREATED, -1}, {AT(0), LEAD, SQL, EVENT, ac});
    cr_assert_eq(s.nhandoffs, 0);
    CHECK_IGNORED(&s, m);
    lf_lead_state_release(&s);
}

/* SPEC §4: engagement at t counts every activity at or before t, so a run of
 * activities at one instant is one scoring moment, asked after the last of them:
 * with a threshold of 2 fed activities, two activities at 1h give one question (after
 * both) and the MQL's open_event is the second. */
Test(scorer, same_instant_activities_are_one_moment)
{
    evlist l = {0};
    int32_t a1 = add_seq(&l, AT(1), LF_EV_ACTIVITY, 1);
    int32_t a2 = add_seq(&l, AT(1), LF_EV_ACTIVITY, 2);
    fake f;
    lf_scorer sc = fake_scorer(&f, 2);
    lf_lead_state s;
    lf_lead_state_init(&s);
    replay(&l, AT(0), true, &sc, &s);
    CHECK_LOG(&f, {'b', -1, NT}, {'q', -1, AT(0)}, {'a', a1, AT(1)}, {'a', a2, AT(1)},
              {'q', -1, AT(1)});
    CHECK_TRANS(&s, {AT(0), NONE, LEAD, CREATED, -1}, {AT(1), LEAD, MQL, SCORE, a2});
    lf_lead_state_release(&s);
}

Test(scorer, created_at_check_without_events_at_or_after_it)
{
    evlist l = {0};
    int32_t a0 = add(&l, AT(-3), LF_EV_ACTIVITY);
    fake f;
    lf_scorer sc = fake_scorer(&f, 1);
    lf_lead_state s;
    lf_lead_state_init(&s);
    replay(&l, AT(0), true, &sc, &s);
    CHECK_LOG(&f, {'b', -1, NT}, {'a', a0, AT(-3)}, {'q', -1, AT(0)});
    CHECK_TRANS(&s, {AT(0), NONE, LEAD, CREATED, -1}, {AT(0), LEAD, MQL, SCORE, -1});
    lf_lead_state_release(&s);
}

Test(scorer, mql_event_takes_score_at)
{
    evlist l = {0};
    int32_t a0 = add(&l, AT(1), LF_EV_ACTIVITY);
    int32_t m = add(&l, AT(2), LF_EV_MQL);
    fake f;
    lf_scorer sc = fake_scorer(&f, 99);
    lf_lead_state s;
    lf_lead_state_init(&s);
    replay(&l, AT(0), true, &sc, &s);
    CHECK_LOG(&f, {'b', -1, NT}, {'q', -1, AT(0)}, {'a', a0, AT(1)}, {'q', -1, AT(1)},
              {'s', -1, AT(2)});
    check_handoff(&s.handoffs[0], AT(2), EVENT, m, LF_OUTCOME_PENDING, NT, -1);
    cr_assert_eq(s.handoffs[0].score, 10.5);
    lf_lead_state_release(&s);
}

Test(scorer, no_email_feeds_activities_but_never_asks)
{
    evlist l = {0};
    int32_t a0 = add(&l, AT(-1), LF_EV_ACTIVITY);
    int32_t a1 = add(&l, AT(1), LF_EV_ACTIVITY);
    int32_t m = add(&l, AT(2), LF_EV_MQL);
    int32_t a2 = add(&l, AT(3), LF_EV_ACTIVITY);
    fake f;
    lf_scorer sc = fake_scorer(&f, 0);
    lf_lead_state s;
    lf_lead_state_init(&s);
    replay(&l, AT(0), false, &sc, &s);
    CHECK_LOG(&f, {'b', -1, NT}, {'a', a0, AT(-1)}, {'a', a1, AT(1)}, {'a', a2, AT(3)});
    CHECK_TRANS(&s, {AT(0), NONE, LEAD, CREATED, -1});
    CHECK_IGNORED(&s, m);
    lf_lead_state_release(&s);
}

Test(scorer, restart_only_on_rejected_and_never_a_moment_itself)
{
    evlist l = {0};
    int32_t m1 = add(&l, AT(1), LF_EV_MQL);
    int32_t rj = add(&l, AT(2), LF_EV_REJECTED);
    add(&l, AT(3), LF_EV_REJECTED); /* ignored in recycled: no restart */
    int32_t m2 = add(&l, AT(4), LF_EV_MQL);
    add(&l, AT(5), LF_EV_DISQUALIFIED); /* closes as rejected, but no restart */
    fake f;
    lf_scorer sc = fake_scorer(&f, 0);
    f.qualify_from = AT(100); /* never during this history */
    lf_lead_state s;
    lf_lead_state_init(&s);
    replay(&l, AT(0), true, &sc, &s);
    CHECK_LOG(&f, {'b', -1, NT}, {'q', -1, AT(0)}, {'s', -1, AT(1)}, {'r', -1, AT(2)},
              {'s', -1, AT(4)});
    cr_assert_eq(s.nhandoffs, 2);
    check_handoff(&s.handoffs[0], AT(1), EVENT, m1, LF_OUTCOME_REJECTED, AT(2), rj);
    check_handoff(&s.handoffs[1], AT(4), EVENT, m2, LF_OUTCOME_REJECTED, AT(5), 4);
    CHECK_IGNORED(&s, 2);
    lf_lead_state_release(&s);
}

Test(scorer, qualifies_only_in_lead_or_recycled)
{
    /* Walk through every stage with an activity in each; qualify never true. */
    evlist l = {0};
    int32_t a[8];
    int na = 0;
    a[na++] = add(&l, AT(1), LF_EV_ACTIVITY); /* lead: asked */
    add(&l, AT(2), LF_EV_MQL);
    a[na++] = add(&l, AT(3), LF_EV_ACTIVITY); /* mql */
    add(&l, AT(4), LF_EV_REJECTED);
    a[na++] = add(&l, AT(5), LF_EV_ACTIVITY); /* recycled: asked */
    add(&l, AT(6), LF_EV_ACCEPTED);
    a[na++] = add(&l, AT(7), LF_EV_ACTIVITY); /* sql */
    add(&l, AT(8), LF_EV_OPPORTUNITY);
    a[na++] = add(&l, AT(9), LF_EV_ACTIVITY); /* opportunity */
    add(&l, AT(10), LF_EV_LOST);
    a[na++] = add(&l, AT(11), LF_EV_ACTIVITY); /* lost */
    fake f;
    lf_scorer sc = fake_scorer(&f, 0);
    f.qualify_from = AT(1000);
    lf_lead_state s;
    lf_lead_state_init(&s);
    replay(&l, AT(0), true, &sc, &s);
    CHECK_LOG(&f, {'b', -1, NT}, {'q', -1, AT(0)}, {'a', a[0], AT(1)}, {'q', -1, AT(1)},
              {'s', -1, AT(2)}, {'a', a[1], AT(3)}, {'r', -1, AT(4)}, {'a', a[2], AT(5)},
              {'q', -1, AT(5)}, {'a', a[3], AT(7)}, {'a', a[4], AT(9)}, {'a', a[5], AT(11)});
    cr_assert_eq(s.stage, LOST);
    lf_lead_state_release(&s);
}

Test(scorer, terminal_stages_never_score)
{
    const lf_stage terms[] = {CUST, DISQ, LOST};
    for (size_t t = 0; t < 3; t++) {
        evlist l = {0};
        setup_stage(&l, terms[t]);
        for (int k = 0; k < 5; k++)
            add(&l, AT(20 + k), LF_EV_ACTIVITY);
        fake f;
        lf_scorer sc = fake_scorer(&f, 0);
        f.qualify_from = AT(15);
        lf_lead_state s;
        lf_lead_state_init(&s);
        replay(&l, AT(0), true, &sc, &s);
        cr_assert_eq(s.stage, terms[t]);
        size_t nq = 0, na = 0;
        for (size_t i = 0; i < f.n; i++) {
            nq += f.log[i].op == 'q';
            na += f.log[i].op == 'a';
        }
        cr_assert_eq(nq, 1, "only the created_at check");
        cr_assert_eq(na, 5);
        lf_lead_state_release(&s);
    }
}

Test(scorer, all_hooks_may_be_null)
{
    evlist l = {0};
    add(&l, AT(1), LF_EV_ACTIVITY);
    add(&l, AT(2), LF_EV_MQL);
    add(&l, AT(3), LF_EV_REJECTED);
    lf_scorer sc = {0};
    lf_lead_state s;
    lf_lead_state_init(&s);
    replay(&l, AT(0), true, &sc, &s);
    cr_assert_eq(s.stage, RECY);
    cr_assert_eq(s.handoffs[0].score, 0.0);
    lf_lead_state_release(&s);
}

/* ---- order independence -------------------------------------------------------- */

static uint64_t rng_next(uint64_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    return *x;
}

static void shuffle(evlist *l, uint64_t *rng)
{
    for (size_t i = l->n; i > 1; i--) {
        size_t j = (size_t)(rng_next(rng) % i);
        lf_event t = l->ev[i - 1];
        l->ev[i - 1] = l->ev[j];
        l->ev[j] = t;
    }
}

/* Event indices depend on the input order; compare them by seq (unique). */
static int64_t seq_of(const evlist *l, int32_t idx)
{
    return idx < 0 ? -1 : l->ev[idx].seq;
}

static void check_same(const evlist *la, const lf_lead_state *a, const evlist *lb,
                       const lf_lead_state *b)
{
    cr_assert_eq(a->stage, b->stage);
    cr_assert_eq(a->stage_since, b->stage_since);
    cr_assert_eq(a->won_at, b->won_at);
    cr_assert_eq(a->revenue, b->revenue);
    cr_assert_eq(a->ntrans, b->ntrans);
    for (size_t i = 0; i < a->ntrans; i++) {
        cr_assert_eq(a->trans[i].ts, b->trans[i].ts);
        cr_assert_eq(a->trans[i].from, b->trans[i].from);
        cr_assert_eq(a->trans[i].to, b->trans[i].to);
        cr_assert_eq(a->trans[i].cause, b->trans[i].cause);
        cr_assert_eq(seq_of(la, a->trans[i].event), seq_of(lb, b->trans[i].event));
    }
    cr_assert_eq(a->nhandoffs, b->nhandoffs);
    for (size_t i = 0; i < a->nhandoffs; i++) {
        const lf_handoff *x = &a->handoffs[i], *y = &b->handoffs[i];
        cr_assert_eq(x->mql_at, y->mql_at);
        cr_assert_eq(x->decided_at, y->decided_at);
        cr_assert_eq(x->first_contact_at, y->first_contact_at);
        cr_assert_eq(x->outcome, y->outcome);
        cr_assert_eq(x->cause, y->cause);
        cr_assert_eq(x->score, y->score);
        cr_assert_eq(seq_of(la, x->open_event), seq_of(lb, y->open_event));
        cr_assert_eq(seq_of(la, x->close_event), seq_of(lb, y->close_event));
        cr_assert_eq(seq_of(la, x->contact_event), seq_of(lb, y->contact_event));
    }
    cr_assert_eq(a->nignored, b->nignored);
    for (size_t i = 0; i < a->nignored; i++)
        cr_assert_eq(seq_of(la, a->ignored[i]), seq_of(lb, b->ignored[i]));
}

static void check_same_log(const evlist *la, const fake *a, const evlist *lb, const fake *b)
{
    cr_assert_eq(a->n, b->n);
    for (size_t i = 0; i < a->n; i++) {
        cr_assert_eq(a->log[i].op, b->log[i].op);
        cr_assert_eq(a->log[i].t, b->log[i].t);
        cr_assert_eq(seq_of(la, a->log[i].idx), seq_of(lb, b->log[i].idx));
    }
}

/* A busy history: everything before, at and after created_at, same-instant groups. */
static void busy_history(evlist *l)
{
    add(l, AT(-3), LF_EV_ACTIVITY);
    add(l, AT(-2), LF_EV_ACCEPTED);
    add(l, AT(-1), LF_EV_CONTACTED);
    add_seq(l, AT(0), LF_EV_CONTACTED, 1);
    add(l, AT(0), LF_EV_ACTIVITY);
    add_seq(l, AT(1), LF_EV_MQL, 5000);
    add_seq(l, AT(1), LF_EV_CONTACTED, 4000);
    add_seq(l, AT(1), LF_EV_ACTIVITY, 6000);
    add(l, AT(2), LF_EV_CONTACTED);
    add_seq(l, AT(3), LF_EV_REJECTED, 7000);
    add_seq(l, AT(3), LF_EV_LOST, 7001);
    add_seq(l, AT(3), LF_EV_ACTIVITY, 7002);
    add(l, AT(4), LF_EV_ACTIVITY);
    add(l, AT(5), LF_EV_ACTIVITY);
    add(l, AT(5), LF_EV_ACTIVITY);
    add(l, AT(6), LF_EV_MQL);
    add_seq(l, AT(7), LF_EV_OPPORTUNITY, 8000);
    add_seq(l, AT(7), LF_EV_ACCEPTED, 8001);
    add(l, AT(8), LF_EV_CONTACTED);
    add_amount(l, AT(9), LF_EV_WON, 5000);
    add(l, AT(10), LF_EV_REJECTED);
    add(l, AT(10), LF_EV_ACTIVITY);
    add(l, AT(11), LF_EV_CONTACTED);
}

Test(order, results_do_not_depend_on_input_order)
{
    for (int threshold = 0; threshold <= 4; threshold++) {
        evlist ref = {0};
        busy_history(&ref);
        fake fref;
        lf_scorer scref = fake_scorer(&fref, threshold);
        lf_lead_state sref;
        lf_lead_state_init(&sref);
        replay(&ref, AT(0), true, threshold ? &scref : NULL, &sref);
        if (!threshold) {
            /* The hand-checked shape without scoring. */
            cr_assert_eq(sref.stage, CUST);
            cr_assert_eq(sref.nhandoffs, 2);
            cr_assert_eq(sref.handoffs[0].outcome, LF_OUTCOME_REJECTED);
            cr_assert_eq(sref.handoffs[0].first_contact_at, AT(1));
            cr_assert_eq(sref.handoffs[1].outcome, LF_OUTCOME_ACCEPTED);
            cr_assert_eq(sref.handoffs[1].first_contact_at, AT(8));
            cr_assert_eq(sref.revenue, 5000.0);
        }

        uint64_t rng = 0x9e3779b97f4a7c15u + (uint64_t)threshold;
        evlist l = ref;
        lf_lead_state s;
        lf_lead_state_init(&s);
        for (int round = 0; round < 300; round++) {
            shuffle(&l, &rng);
            fake f;
            lf_scorer sc = fake_scorer(&f, threshold);
            replay(&l, AT(0), true, threshold ? &sc : NULL, &s);
            check_same(&ref, &sref, &l, &s);
            if (threshold)
                check_same_log(&ref, &fref, &l, &f);
        }
        lf_lead_state_release(&s);
        lf_lead_state_release(&sref);
    }
}

Test(order, replay_order_is_a_sorted_permutation)
{
    const size_t sizes[] = {0, 1, 2, 15, 16, 17, 31, 32, 33, 100, 257, 1000, 4099};
    uint64_t rng = 42;
    lf_lead_state s;
    lf_lead_state_init(&s);
    for (size_t z = 0; z < sizeof sizes / sizeof sizes[0]; z++) {
        size_t n = sizes[z];
        lf_event *ev = calloc(n ? n : 1, sizeof *ev);
        cr_assert_not_null(ev);
        for (size_t i = 0; i < n; i++) {
            ev[i].ts = AT(rng_next(&rng) % 50); /* many ties */
            ev[i].seq = (int64_t)i;
            ev[i].kind = (uint8_t)(rng_next(&rng) % LF_EV_COUNT);
        }
        for (size_t i = n; i > 1; i--) { /* shuffle so seq is not input order */
            size_t j = (size_t)(rng_next(&rng) % i);
            lf_event t = ev[i - 1];
            ev[i - 1] = ev[j];
            ev[j] = t;
        }
        lf_lead_input in = {.created_at = AT(10), .has_email = true, .events = ev, .nevents = n};
        cr_assert_eq(lf_lifecycle_replay(&in, NULL, &s, NULL), LF_OK);
        bool *seen = calloc(n ? n : 1, 1);
        for (size_t i = 0; i < n; i++) {
            int32_t o = s.order[i];
            cr_assert(o >= 0 && (size_t)o < n && !seen[o], "permutation at %zu (n %zu)", i, n);
            seen[o] = true;
            if (i) {
                const lf_event *p = &ev[s.order[i - 1]], *c = &ev[o];
                cr_assert(p->ts < c->ts || (p->ts == c->ts && p->seq < c->seq),
                          "sorted at %zu (n %zu)", i, n);
            }
        }
        free(seen);
        free(ev);
    }
    lf_lead_state_release(&s);
}

Test(order, sorted_input_is_replayed_in_input_order)
{
    evlist l = {0};
    for (int i = 0; i < 40; i++)
        add(&l, AT(i / 3), i % 5 ? LF_EV_ACTIVITY : LF_EV_CONTACTED);
    lf_lead_state s;
    lf_lead_state_init(&s);
    replay(&l, AT(0), true, NULL, &s);
    for (int32_t i = 0; i < 40; i++)
        cr_assert_eq(s.order[i], i);
    lf_lead_state_release(&s);
}

/* ---- memory ----------------------------------------------------------------------- */

Test(memory, arrays_are_reused_across_replays)
{
    evlist big = {0};
    for (int i = 0; i < MAXEV; i++)
        add(&big, AT(MAXEV - i), (lf_event_kind)(i % LF_EV_COUNT)); /* unsorted */
    evlist small = {0};
    busy_history(&small);
    fake f;
    lf_scorer sc = fake_scorer(&f, 2);
    lf_lead_state s;
    lf_lead_state_init(&s);
    replay(&big, AT(0), true, &sc, &s);
    void *p[4] = {s.trans, s.handoffs, s.ignored, s.order};
    size_t cap[4] = {s.trans_cap, s.handoffs_cap, s.ignored_cap, s.order_cap};
    for (int round = 0; round < 3; round++) {
        replay(&small, AT(0), true, &sc, &s);
        replay(&big, AT(0), true, &sc, &s);
    }
    cr_assert(p[0] == (void *)s.trans && p[1] == (void *)s.handoffs && p[2] == (void *)s.ignored &&
              p[3] == (void *)s.order);
    cr_assert(cap[0] == s.trans_cap && cap[1] == s.handoffs_cap && cap[2] == s.ignored_cap &&
              cap[3] == s.order_cap);
    /* results of a reused state equal those of a fresh one */
    lf_lead_state fresh;
    lf_lead_state_init(&fresh);
    replay(&small, AT(0), true, &sc, &s);
    replay(&small, AT(0), true, &sc, &fresh);
    check_same(&small, &s, &small, &fresh);
    lf_lead_state_release(&fresh);
    lf_lead_state_release(&s);
}
