/*
 * lifecycle.c — the lead lifecycle state machine of SPEC §3 (see leadflow/lifecycle.h).
 *
 * Place in the flow: event log (store) -> lifecycle -> derived lead state (store) ->
 * reports. Pure: no I/O, no globals, no allocation once a state's arrays are big
 * enough (they only grow and are reused across replays).
 *
 * The state machine. Path stages lead < mql < sql < opportunity < customer; off the
 * path recycled, disqualified, lost. One rule per event kind, held in lc_rules
 * (kind -> handler + the stages it applies in + the stage it enters + how it closes
 * an open handoff):
 *
 *   mql           lead, recycled           -> mql        opens a handoff (needs email)
 *   accepted      mql                      -> sql        closes it accepted
 *                 lead, recycled           -> sql        no handoff
 *   rejected      mql                      -> recycled   closes it rejected; scorer restart
 *   disqualified  any open stage           -> disqualified  closes rejected
 *   opportunity   lead, mql, recycled, sql -> opportunity   closes accepted
 *   won           any open stage           -> customer   closes accepted; revenue
 *   lost          sql, opportunity         -> lost
 *   contacted     any                      (no change; first contact, see below)
 *   activity      any                      fed to the scorer; a scoring moment
 *
 * An event that does not apply in the current stage is recorded in `ignored`.
 * Terminal stages appear in no rule's from-set, so they ignore every lifecycle event.
 * A move to a later path stage enters every path stage it skips after mql at the same
 * instant (cause SKIP), the last one with cause EVENT; mql itself is only entered by
 * qualification, so a skip never opens a handoff.
 *
 * Invariants:
 *  - a handoff is pending exactly while the stage is mql, and it is the last one; so
 *    leaving mql by any route closes handoffs[nhandoffs - 1], and no other code does;
 *  - transitions are appended in replay order, hence in time order;
 *  - trans/handoffs/ignored are reserved up front for the worst case of the input
 *    (counted while checking sortedness), so the replay loop never allocates and
 *    never fails.
 *
 * Replay order is (ts, seq, input index): events are sorted into st->order unless
 * they already are in that order (the store passes them sorted). The sort is a
 * bottom-up merge sort (insertion-sorted runs, then merges) using st->ignored as its
 * scratch: that array is reserved to hold n entries anyway and is only filled after
 * the sort.
 *
 * Scoring moments (SPEC §4), only while the stage is lead or recycled and only if the
 * lead has an email:
 *  1. at created_at, with the activities before created_at fed, before any event at
 *     created_at applies; a handoff opened here has open_event -1;
 *  2. at the time t of an activity (ts >= created_at): once, after the last of a run
 *     of activities at t that follow each other in replay order, so engagement at t
 *     counts all of them (a same-instant unsubscribe cancels a download, SPEC §4:
 *     "every activity at or before t"); open_event = the run's last activity. Events
 *     at one instant apply in import order, so a lifecycle event between two
 *     same-instant activities (a rejection restarting engagement) splits the run.
 * Lifecycle events are never scoring moments: a rejected lead re-qualifies only
 * through new activity. Events before created_at: activities are fed, lifecycle
 * events ignored, `contacted` is a no-op (never ignored).
 *
 * First contact is assigned after the replay, because a `contacted` at the same
 * instant as an `mql` counts even if imported (replayed) before it: handoff i owns
 * the contacted events with mql_at[i] <= ts < mql_at[i+1], and its first contact is
 * the first of them in replay order — also after a terminal stage. Both lists are in
 * time order, so this is one merge pass.
 */
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "leadflow/buf.h"
#include "leadflow/lifecycle.h"
#include "leadflow/text.h"

/* ---- names ------------------------------------------------------------------- */

static const char *const lc_stage_names[LF_STAGE_COUNT] = {
    [LF_STAGE_LEAD] = "lead",
    [LF_STAGE_MQL] = "mql",
    [LF_STAGE_SQL] = "sql",
    [LF_STAGE_OPPORTUNITY] = "opportunity",
    [LF_STAGE_CUSTOMER] = "customer",
    [LF_STAGE_RECYCLED] = "recycled",
    [LF_STAGE_DISQUALIFIED] = "disqualified",
    [LF_STAGE_LOST] = "lost",
};

static const char *const lc_kind_names[LF_EV_COUNT] = {
    [LF_EV_ACTIVITY] = "activity",
    [LF_EV_MQL] = "mql",
    [LF_EV_ACCEPTED] = "accepted",
    [LF_EV_REJECTED] = "rejected",
    [LF_EV_DISQUALIFIED] = "disqualified",
    [LF_EV_CONTACTED] = "contacted",
    [LF_EV_OPPORTUNITY] = "opportunity",
    [LF_EV_WON] = "won",
    [LF_EV_LOST] = "lost",
};

const char *lf_outcome_name(int outcome)
{
    static const char *const names[] = {"pending", "accepted", "rejected"};
    return outcome >= 0 && outcome < 3 ? names[outcome] : "pending";
}

const char *lf_stage_name(lf_stage s)
{
    return ((unsigned)s < LF_STAGE_COUNT) ? lc_stage_names[s] : "?";
}

lf_stage lf_stage_parse(const char *s)
{
    if (!s)
        return LF_STAGE_NONE;
    size_t n = strlen(s);
    for (unsigned i = 0; i < LF_STAGE_COUNT; i++)
        if (strlen(lc_stage_names[i]) == n && lf_ascii_ieq_lower(s, lc_stage_names[i], n))
            return (lf_stage)i;
    return LF_STAGE_NONE;
}

bool lf_stage_is_terminal(lf_stage s)
{
    return s == LF_STAGE_CUSTOMER || s == LF_STAGE_DISQUALIFIED || s == LF_STAGE_LOST;
}

/* Lengths of the reserved names, so that most activity types ("page_view") are
 * rejected by one length comparison per kind. */
static const uint8_t lc_kind_name_len[LF_EV_COUNT] = {
    [LF_EV_ACTIVITY] = 0, /* never matched: "activity" is an ordinary activity type */
    [LF_EV_MQL] = 3,           [LF_EV_ACCEPTED] = 8,  [LF_EV_REJECTED] = 8,
    [LF_EV_DISQUALIFIED] = 12, [LF_EV_CONTACTED] = 9, [LF_EV_OPPORTUNITY] = 11,
    [LF_EV_WON] = 3,           [LF_EV_LOST] = 4,
};

lf_event_kind lf_event_kind_of(const char *type, size_t len)
{
    if (!type)
        return LF_EV_ACTIVITY;
    for (unsigned k = LF_EV_ACTIVITY + 1; k < LF_EV_COUNT; k++)
        if (lc_kind_name_len[k] == len && lf_ascii_ieq_lower(type, lc_kind_names[k], len))
            return (lf_event_kind)k;
    return LF_EV_ACTIVITY;
}

const char *lf_event_kind_name(lf_event_kind k)
{
    return ((unsigned)k < LF_EV_COUNT) ? lc_kind_names[k] : "?";
}

/* ---- state ------------------------------------------------------------------- */

void lf_lead_state_init(lf_lead_state *st)
{
    memset(st, 0, sizeof *st);
    st->stage = LF_STAGE_LEAD;
    st->stage_since = LF_TIME_NONE;
    st->won_at = LF_TIME_NONE;
}

void lf_lead_state_release(lf_lead_state *st)
{
    free(st->trans);
    free(st->handoffs);
    free(st->ignored);
    free(st->ignored_stage);
    free(st->order);
    lf_lead_state_init(st);
}

/* ---- replay order ------------------------------------------------------------ */

/* Whether event a replays strictly before event b: (ts, seq), then input index so
 * the order is total and any sort of it is stable. */
static inline bool lc_before(const lf_event *ev, int32_t a, int32_t b)
{
    if (ev[a].ts != ev[b].ts)
        return ev[a].ts < ev[b].ts;
    if (ev[a].seq != ev[b].seq)
        return ev[a].seq < ev[b].seq;
    return a < b;
}

enum { LC_RUN = 16 }; /* insertion-sorted run length of the merge sort */

static void lc_insertion_sort(const lf_event *ev, int32_t *a, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        int32_t x = a[i];
        size_t j = i;
        while (j > 0 && lc_before(ev, x, a[j - 1])) {
            a[j] = a[j - 1];
            j--;
        }
        a[j] = x;
    }
}

/* Stable bottom-up merge sort of a[0..n) by replay order; tmp holds n entries. */
static void lc_sort(const lf_event *ev, int32_t *a, int32_t *tmp, size_t n)
{
    for (size_t lo = 0; lo < n; lo += LC_RUN)
        lc_insertion_sort(ev, a + lo, (n - lo < LC_RUN) ? n - lo : LC_RUN);
    int32_t *src = a, *dst = tmp;
    for (size_t width = LC_RUN; width < n; width *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * width) {
            size_t mid = (lo + width < n) ? lo + width : n;
            size_t hi = (lo + 2 * width < n) ? lo + 2 * width : n;
            size_t i = lo, j = mid, k = lo;
            /* Already in order across the seam: one copy, no comparisons. */
            if (mid == hi || !lc_before(ev, src[mid], src[mid - 1])) {
                memcpy(dst + lo, src + lo, (hi - lo) * sizeof *dst);
                continue;
            }
            while (i < mid && j < hi)
                dst[k++] = lc_before(ev, src[j], src[i]) ? src[j++] : src[i++];
            while (i < mid)
                dst[k++] = src[i++];
            while (j < hi)
                dst[k++] = src[j++];
        }
        int32_t *t = src;
        src = dst;
        dst = t;
    }
    if (src != a)
        memcpy(a, src, n * sizeof *a);
}

/* ---- the replay -------------------------------------------------------------- */

typedef struct lc_replay {
    const lf_event *ev;
    const lf_scorer *scorer; /* NULL = no scoring */
    lf_lead_state *st;
    lf_time created_at;
    bool has_email;
    bool can_score; /* scorer with qualifies, and the lead has an email */
} lc_replay;

typedef void (*lc_handler)(lc_replay *r, int32_t idx, const lf_event *ev);

#define LC_BIT(s) (1u << (s))
#define LC_OPEN                                                                                    \
    (LC_BIT(LF_STAGE_LEAD) | LC_BIT(LF_STAGE_RECYCLED) | LC_BIT(LF_STAGE_MQL) |                    \
     LC_BIT(LF_STAGE_SQL) | LC_BIT(LF_STAGE_OPPORTUNITY))

typedef struct lc_rule {
    lc_handler apply; /* an event at or after created_at */
    lc_handler early; /* an event before created_at */
    uint16_t from;    /* LC_BIT set of stages the event applies in */
    uint8_t to;       /* stage entered */
    uint8_t close;    /* lf_outcome given to the handoff open in mql */
} lc_rule;

static const lc_rule lc_rules[LF_EV_COUNT + 1];

static void lc_push_trans(lc_replay *r, lf_time ts, uint8_t to, uint8_t cause, int32_t idx)
{
    lf_lead_state *st = r->st;
    lf_transition *t = &st->trans[st->ntrans++];
    t->ts = ts;
    t->from = st->stage;
    t->to = to;
    t->cause = cause;
    t->event = idx;
    st->stage = to;
    st->stage_since = ts;
}

/* Enters `to` from the current stage; a path stage beyond sql first enters every path
 * stage skipped after mql (cause SKIP). */
static void lc_enter(lc_replay *r, uint8_t to, lf_time ts, int32_t idx)
{
    if (to >= LF_STAGE_SQL && to <= LF_STAGE_CUSTOMER) {
        uint8_t s = r->st->stage;
        uint8_t next = (s == LF_STAGE_SQL || s == LF_STAGE_OPPORTUNITY) ? s + 1 : LF_STAGE_SQL;
        for (; next < to; next++)
            lc_push_trans(r, ts, next, LF_CAUSE_SKIP, idx);
    }
    lc_push_trans(r, ts, to, LF_CAUSE_EVENT, idx);
}

static void lc_open_handoff(lc_replay *r, lf_time ts, uint8_t cause, int32_t idx, double score)
{
    lf_lead_state *st = r->st;
    lc_push_trans(r, ts, LF_STAGE_MQL, cause, idx);
    lf_handoff *h = &st->handoffs[st->nhandoffs++];
    h->mql_at = ts;
    h->decided_at = LF_TIME_NONE;
    h->first_contact_at = LF_TIME_NONE;
    h->outcome = LF_OUTCOME_PENDING;
    h->cause = cause;
    h->open_event = idx;
    h->close_event = -1;
    h->contact_event = -1;
    h->score = score;
}

static void lc_ignore(lc_replay *r, int32_t idx, const lf_event *ev)
{
    (void)ev;
    r->st->ignored_stage[r->st->nignored] = r->st->stage;
    r->st->ignored[r->st->nignored++] = idx;
}

const char *lf_ignored_reason(const lf_event *e, uint8_t stage, lf_time created_at,
                              bool has_email, char *buf, size_t n)
{
    if (e->ts < created_at)
        snprintf(buf, n, "before created_at");
    else if (e->kind == LF_EV_MQL && !has_email &&
             (stage == LF_STAGE_LEAD || stage == LF_STAGE_RECYCLED))
        snprintf(buf, n, "mql without email");
    else
        snprintf(buf, n, "%s while in %s", e->type ? e->type : lf_event_kind_name(e->kind),
                 lf_stage_name((lf_stage)stage));
    return buf;
}

static void lc_nothing(lc_replay *r, int32_t idx, const lf_event *ev)
{
    (void)r;
    (void)idx;
    (void)ev;
}

/* A scoring moment at t (idx = the activity just fed, -1 at created_at). */
static void lc_try_score(lc_replay *r, lf_time t, int32_t idx)
{
    uint8_t s = r->st->stage;
    if (!r->can_score || (s != LF_STAGE_LEAD && s != LF_STAGE_RECYCLED))
        return;
    double total = 0;
    if (r->scorer->qualifies(r->scorer->ctx, t, &total))
        lc_open_handoff(r, t, LF_CAUSE_SCORE, idx, total);
}

static void lc_feed(lc_replay *r, int32_t idx, const lf_event *ev)
{
    if (r->scorer && r->scorer->activity)
        r->scorer->activity(r->scorer->ctx, ev, idx);
}


static void lc_on_mql(lc_replay *r, int32_t idx, const lf_event *ev)
{
    if (!(lc_rules[LF_EV_MQL].from & LC_BIT(r->st->stage)) || !r->has_email) {
        lc_ignore(r, idx, ev);
        return;
    }
    double score = 0;
    if (r->scorer && r->scorer->score_at)
        score = r->scorer->score_at(r->scorer->ctx, ev->ts);
    lc_open_handoff(r, ev->ts, LF_CAUSE_EVENT, idx, score);
}

/* The common move: check the from-set, close the open handoff, enter the target.
 * Returns whether the event applied. */
static bool lc_move(lc_replay *r, int32_t idx, const lf_event *ev)
{
    const lc_rule *rule = &lc_rules[ev->kind];
    lf_lead_state *st = r->st;
    if (!(rule->from & LC_BIT(st->stage))) {
        lc_ignore(r, idx, ev);
        return false;
    }
    if (st->stage == LF_STAGE_MQL) {
        lf_handoff *h = &st->handoffs[st->nhandoffs - 1];
        h->outcome = rule->close;
        h->decided_at = ev->ts;
        h->close_event = idx;
    }
    lc_enter(r, rule->to, ev->ts, idx);
    return true;
}

static void lc_on_move(lc_replay *r, int32_t idx, const lf_event *ev)
{
    lc_move(r, idx, ev);
}

static void lc_on_rejected(lc_replay *r, int32_t idx, const lf_event *ev)
{
    if (lc_move(r, idx, ev) && r->scorer && r->scorer->restart)
        r->scorer->restart(r->scorer->ctx, ev->ts);
}

static void lc_on_won(lc_replay *r, int32_t idx, const lf_event *ev)
{
    if (lc_move(r, idx, ev)) {
        r->st->won_at = ev->ts;
        r->st->revenue = ev->has_amount ? ev->amount : 0.0;
    }
}

/* kind -> rule. The extra last entry takes out-of-range kinds: they never apply. */
static const lc_rule lc_rules[LF_EV_COUNT + 1] = {
    [LF_EV_ACTIVITY] = {lc_feed, lc_feed, 0, 0, 0},
    [LF_EV_MQL] = {lc_on_mql, lc_ignore, LC_BIT(LF_STAGE_LEAD) | LC_BIT(LF_STAGE_RECYCLED),
                   LF_STAGE_MQL, 0},
    [LF_EV_ACCEPTED] = {lc_on_move, lc_ignore,
                        LC_BIT(LF_STAGE_LEAD) | LC_BIT(LF_STAGE_RECYCLED) | LC_BIT(LF_STAGE_MQL),
                        LF_STAGE_SQL, LF_OUTCOME_ACCEPTED},
    [LF_EV_REJECTED] = {lc_on_rejected, lc_ignore, LC_BIT(LF_STAGE_MQL), LF_STAGE_RECYCLED,
                        LF_OUTCOME_REJECTED},
    [LF_EV_DISQUALIFIED] = {lc_on_move, lc_ignore, LC_OPEN, LF_STAGE_DISQUALIFIED,
                            LF_OUTCOME_REJECTED},
    [LF_EV_CONTACTED] = {lc_nothing, lc_nothing, 0, 0, 0},
    [LF_EV_OPPORTUNITY] = {lc_on_move, lc_ignore, LC_OPEN & ~LC_BIT(LF_STAGE_OPPORTUNITY),
                           LF_STAGE_OPPORTUNITY, LF_OUTCOME_ACCEPTED},
    [LF_EV_WON] = {lc_on_won, lc_ignore, LC_OPEN, LF_STAGE_CUSTOMER, LF_OUTCOME_ACCEPTED},
    [LF_EV_LOST] = {lc_on_move, lc_ignore, LC_BIT(LF_STAGE_SQL) | LC_BIT(LF_STAGE_OPPORTUNITY),
                    LF_STAGE_LOST, 0},
    [LF_EV_COUNT] = {lc_ignore, lc_ignore, 0, 0, 0},
};

/* Assigns each handoff its first contact (see the comment at the top). */
static void lc_first_contacts(lc_replay *r, size_t n)
{
    lf_lead_state *st = r->st;
    size_t h = 0, nh = st->nhandoffs;
    for (size_t i = 0; i < n; i++) {
        int32_t idx = st->order[i];
        const lf_event *ev = &r->ev[idx];
        if (ev->kind != LF_EV_CONTACTED)
            continue;
        while (h + 1 < nh && st->handoffs[h + 1].mql_at <= ev->ts)
            h++;
        lf_handoff *ho = &st->handoffs[h];
        if (ho->mql_at <= ev->ts && ho->contact_event < 0) {
            ho->contact_event = idx;
            ho->first_contact_at = ev->ts;
        }
    }
}

/* Sizes every array for the worst case of this input. */
static lf_status lc_reserve(lf_lead_state *st, size_t n, size_t ntrans, size_t nhand)
{
    void *const per_event[] = {&st->ignored, &st->ignored_stage};
    const size_t sizes[] = {sizeof *st->ignored, sizeof *st->ignored_stage};
    bool ok = lf_grow(&st->order, &st->order_cap, n, sizeof *st->order) &&
              lf_grow_parallel(&st->ignored_cap, n, 2, per_event, sizes) &&
              lf_grow(&st->trans, &st->trans_cap, ntrans, sizeof *st->trans) &&
              lf_grow(&st->handoffs, &st->handoffs_cap, nhand, sizeof *st->handoffs);
    return ok ? LF_OK : LF_ENOMEM;
}

lf_status lf_lifecycle_replay(const lf_lead_input *in, const lf_scorer *scorer, lf_lead_state *out,
                              lf_error *err)
{
    const lf_event *ev = in->events;
    size_t n = ev ? in->nevents : 0;
    /* Indices are int32_t; the bounds below (at most 4n + 2) must not wrap. */
    if (n > (size_t)INT32_MAX || n > (SIZE_MAX - 2) / 4)
        return lf_errorf(err, LF_EINPUT, "too many events for one lead (%zu)", n);

    /* One pass: is the input already in replay order, and how much can it produce? */
    bool sorted = true;
    size_t nact = 0, nmql = 0, nmoves = 0;
    for (size_t i = 0; i < n; i++) {
        uint8_t k = ev[i].kind;
        nact += (k == LF_EV_ACTIVITY);
        nmql += (k == LF_EV_MQL);
        nmoves += (k != LF_EV_ACTIVITY && k != LF_EV_CONTACTED);
        if (i && sorted && lc_before(ev, (int32_t)i, (int32_t)(i - 1)))
            sorted = false;
    }
    bool scoring = scorer && scorer->qualifies;
    /* Creation, a score at created_at, one per scoring activity, at most three per
     * lifecycle event (a skip to customer). Handoffs: one per entry into mql. */
    size_t ntrans = 2 + (scoring ? nact : 0) + 3 * nmoves;
    size_t nhand = 1 + nmql + (scoring ? nact : 0);
    out->ntrans = out->nhandoffs = out->nignored = 0;
    if (lc_reserve(out, n, ntrans, nhand) != LF_OK) {
        out->stage = LF_STAGE_LEAD;
        out->stage_since = LF_TIME_NONE;
        out->won_at = LF_TIME_NONE;
        out->revenue = 0;
        return lf_errorf(err, LF_ENOMEM, "out of memory replaying a lead of %zu events", n);
    }

    int32_t *order = out->order;
    for (size_t i = 0; i < n; i++)
        order[i] = (int32_t)i;
    if (!sorted)
        lc_sort(ev, order, out->ignored, n);

    lc_replay r = {
        .ev = ev,
        .scorer = scorer,
        .st = out,
        .created_at = in->created_at,
        .has_email = in->has_email,
        .can_score = scoring && in->has_email,
    };
    out->stage = LF_STAGE_NONE;
    out->won_at = LF_TIME_NONE;
    out->revenue = 0;
    lc_push_trans(&r, in->created_at, LF_STAGE_LEAD, LF_CAUSE_CREATED, -1);

    if (scorer && scorer->begin)
        scorer->begin(scorer->ctx, in);

    size_t i = 0;
    for (; i < n && ev[order[i]].ts < in->created_at; i++) {
        const lf_event *e = &ev[order[i]];
        lc_rules[e->kind < LF_EV_COUNT ? e->kind : LF_EV_COUNT].early(&r, order[i], e);
    }
    lc_try_score(&r, in->created_at, -1); /* scoring moment 1 */
    for (; i < n; i++) {
        const lf_event *e = &ev[order[i]];
        lc_rules[e->kind < LF_EV_COUNT ? e->kind : LF_EV_COUNT].apply(&r, order[i], e);
        /* scoring moment 2: at the end of a run of same-instant activities */
        if (e->kind == LF_EV_ACTIVITY &&
            (i + 1 == n || ev[order[i + 1]].kind != LF_EV_ACTIVITY || ev[order[i + 1]].ts != e->ts))
            lc_try_score(&r, e->ts, order[i]);
    }

    if (out->nhandoffs)
        lc_first_contacts(&r, n);
    return LF_OK;
}
