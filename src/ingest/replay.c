/*
 * replay.c — lifecycle replay of stored leads (see leadflow/replay.h): after imports,
 * `rescore` and `whatif`.
 *
 * Place in the flow: event log (store scan, one lead at a time with its events in
 * (ts, seq) order) -> attributes (leadinfo) -> scoring + lifecycle (pure) -> derived
 * state (store), or, for whatif, counters in memory. Each lead is replayed once per
 * configuration; a lead's attributes are parsed back from the stored JSON only when
 * scoring or classification needs them.
 *
 * Writes happen in transactions of CHUNK leads; each reads the leads' events and
 * writes their derived state (clearing their pending marks) under one write lock, so
 * another writer can never slip an event in between what was read and what is
 * written. No transaction stays open across chunks: a concurrent writer waits at most
 * one chunk.
 */
#include <jansson.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "leadflow/alerts.h"
#include "leadflow/buf.h"
#include "leadflow/leadinfo.h"
#include "leadflow/lifecycle.h"
#include "leadflow/replay.h"
#include "leadflow/scoring.h"
#include "leadflow/testhook.h"
#include "leadflow/time.h"

/* Leads replayed per write transaction. */
#define CHUNK 20000

static lf_status oom(lf_error *err)
{
    return lf_errorf(err, LF_ENOMEM, "out of memory");
}

lf_status lf_row_attrs_load(lf_row_attrs *ra, const lf_config *cfg, const lf_lead_row *row,
                            bool classify, lf_error *err)
{
    memset(&ra->f, 0, sizeof ra->f);
    ra->extra = NULL;
    ra->root = row->attrs_json ? json_loads(row->attrs_json, 0, NULL) : NULL;
    size_t n = 0, size = json_is_object(ra->root) ? json_object_size(ra->root) : 0;
    if (size && !(ra->extra = malloc(size * sizeof *ra->extra)))
        return oom(err);
    const char *key;
    json_t *v;
    if (size)
        json_object_foreach(ra->root, key, v)
        {
            if (n < size && json_is_string(v))
                ra->extra[n++] = (lf_attr){key, json_string_value(v)};
        }
    lf_lead_facts *f = &ra->f;
    f->email = row->email;
    f->source = row->source;
    f->origin_given = row->origin_given;
    f->persona_given = row->persona_given;
    f->extra = ra->extra;
    f->nextra = n;
    if (classify)
        return lf_lead_classify(cfg, f, err);
    /* the stored classification, in the attribute order of lf_lead_classify */
    f->origin = row->origin;
    f->persona = row->persona;
    f->nattrs = 0;
    if (!(f->attrs = malloc((5 + n) * sizeof *f->attrs)))
        return oom(err);
    const lf_attr fixed[] = {{"email", row->email}, {"source", row->source},
                             {"channel", row->channel}, {"origin", row->origin},
                             {"persona", row->persona}};
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        f->attrs[f->nattrs++] = fixed[i];
    for (size_t i = 0; i < n; i++)
        f->attrs[f->nattrs++] = ra->extra[i];
    return LF_OK;
}

void lf_row_attrs_release(lf_row_attrs *ra)
{
    lf_lead_facts_release(&ra->f);
    json_decref(ra->root);
    ra->root = NULL;
    free(ra->extra);
    ra->extra = NULL;
}

static bool same_str(const char *a, const char *b)
{
    return (a ? a : "")[0] == (b ? b : "")[0] && strcmp(a ? a : "", b ? b : "") == 0;
}

/* The handoff times of every lead before a rescore, in (lead, mql_at) order. */
typedef struct old_times {
    int64_t *lead;
    lf_time *at;
    size_t n, cap, pos;
} old_times;

static lf_status old_times_add(void *ctx, int64_t lead, lf_time at)
{
    old_times *o = ctx;
    void *const arrs[] = {&o->lead, &o->at};
    const size_t elems[] = {sizeof *o->lead, sizeof *o->at};
    if (!lf_grow_parallel(&o->cap, o->n + 1, 2, arrs, elems))
        return LF_ENOMEM;
    o->lead[o->n] = lead;
    o->at[o->n++] = at;
    return LF_OK;
}

static int cmp_time(const void *a, const void *b)
{
    lf_time x = *(const lf_time *)a, y = *(const lf_time *)b;
    return (x > y) - (x < y);
}

typedef struct replayer {
    lf_store *st;
    const lf_config *cfg;
    lf_lead_state ls;
    lf_score_state *score; /* NULL without scoring */
    lf_scorer scorer;
    const int64_t *want;   /* sorted rowids to replay, or NULL = every lead scanned */
    size_t nwant, wpos;
    int64_t read, done;    /* leads read and written: the test hooks' counts */
    bool write;            /* write derived state (else: in memory only, for readers) */
    bool in_txn;           /* inside the caller's write transaction: no begin/commit */
    /* rescore only */
    bool rescore;
    old_times old;
    lf_rescore_stats *stats;
    lf_time *newt;
    size_t newt_cap;
    lf_alerts *alerts;     /* webhook alerts of what a written replay changed, or NULL */
    lf_lead_events_fn seen; /* lf_replay_in_txn's observer, or NULL */
    void *seen_ctx;
} replayer;

/* Rescore: compares the lead's handoff times before and after. */
static lf_status rescore_compare(replayer *rp, const lf_lead_events *le)
{
    old_times *o = &rp->old;
    while (o->pos < o->n && o->lead[o->pos] < le->lead)
        o->pos++;
    size_t o0 = o->pos;
    while (o->pos < o->n && o->lead[o->pos] == le->lead)
        o->pos++;
    size_t nold = o->pos - o0, nnew = rp->ls.nhandoffs;
    if (!lf_grow(&rp->newt, &rp->newt_cap, nnew, sizeof *rp->newt))
        return LF_ENOMEM;
    for (size_t i = 0; i < nnew; i++)
        rp->newt[i] = rp->ls.handoffs[i].mql_at;
    if (nnew > 1) /* no array at all without handoffs: qsort must not see NULL */
        qsort(rp->newt, nnew, sizeof *rp->newt, cmp_time);
    const lf_time *old = o->at + o0; /* ascending: handoffs are stored in mql_at order */
    size_t i = 0, j = 0, added = 0, removed = 0;
    while (i < nold || j < nnew) {
        if (j == nnew || (i < nold && old[i] < rp->newt[j]))
            removed++, i++;
        else if (i == nold || rp->newt[j] < old[i])
            added++, j++;
        else
            i++, j++;
    }
    lf_rescore_stats *st = rp->stats;
    st->leads++;
    st->events += (int64_t)le->input.nevents;
    st->mqls_before += (int64_t)nold;
    st->mqls_after += (int64_t)nnew;
    st->added += (int64_t)added;
    st->removed += (int64_t)removed;
    if ((added || removed) && rp->stats->on_change)
        rp->stats->on_change(rp->stats->ctx, le->row->id, old, nold, rp->newt, nnew);
    if (added || removed)
        st->leads_changed++;
    return LF_OK;
}

/* Replays one scanned lead into rp->ls (classification and scores included). */
static lf_status replay_lead(replayer *rp, const lf_lead_events *le, lf_error *err)
{
    lf_status r = LF_OK;
    if (rp->score || rp->rescore) {
        lf_row_attrs ra;
        r = lf_row_attrs_load(&ra, rp->cfg, le->row, rp->rescore, err);
        if (r == LF_OK && rp->rescore &&
            (!same_str(ra.f.channel, le->row->channel) ||
             !same_str(ra.f.origin, le->row->origin) ||
             !same_str(ra.f.persona, le->row->persona))) {
            rp->stats->reclassified++;
            r = lf_store_lead_classify(rp->st, le->lead, ra.f.channel, ra.f.origin,
                                       ra.f.persona, err);
        }
        int64_t t0 = rp->rescore ? lf_mono_usec() : 0;
        if (r == LF_OK && rp->score) {
            lf_attrs a = lf_lead_facts_attrs(&ra.f);
            lf_score_state_lead(rp->score, &a, false);
        }
        if (rp->rescore)
            rp->stats->replay_usec += lf_mono_usec() - t0;
        lf_row_attrs_release(&ra);
        if (r != LF_OK)
            return r == LF_ENOMEM ? oom(err) : r;
    }
    int64_t t1 = rp->rescore ? lf_mono_usec() : 0;
    r = lf_lifecycle_replay(&le->input, rp->score ? &rp->scorer : NULL, &rp->ls, err);
    if (rp->rescore)
        rp->stats->replay_usec += lf_mono_usec() - t1;
    if (r == LF_OK && rp->rescore)
        r = rescore_compare(rp, le) == LF_OK ? LF_OK : oom(err);
    return r;
}

/* Scan callback: replays a wanted lead and writes its derived state. */
static lf_status replay_one(void *ctx, const lf_lead_events *le, lf_error *err)
{
    replayer *rp = ctx;
    if (rp->want) {
        while (rp->wpos < rp->nwant && rp->want[rp->wpos] < le->lead)
            rp->wpos++;
        if (rp->wpos == rp->nwant || rp->want[rp->wpos] != le->lead)
            return LF_OK;
    }
    lf_test_pause_point("read", ++rp->read); /* tests/pg/test_lead_locks.py */
    lf_status r = rp->seen ? rp->seen(rp->seen_ctx, le, err) : LF_OK;
    if (r == LF_OK)
        r = replay_lead(rp, le, err);
    if (r == LF_OK && rp->alerts) /* the outbox in the same transaction (alerts.h) */
        r = lf_alerts_before(rp->alerts, rp->st, le->lead, err);
    if (r == LF_OK)
        r = lf_store_derived_write(rp->st, le, &rp->ls, err);
    if (r == LF_OK && rp->alerts)
        r = lf_alerts_after(rp->alerts, rp->st, le->lead, &rp->ls, err);
    if (r == LF_OK)
        lf_test_kill_point("replay", ++rp->done);
    return r;
}

/* One write transaction: scan (a range of rowids, or the listed leads one by one),
 * replay, write, commit. */
static lf_status replay_chunk(replayer *rp, const int64_t *leads, size_t n, int64_t lo,
                              int64_t hi, lf_error *err)
{
    lf_status r = rp->in_txn ? LF_OK : lf_store_begin(rp->st, err);
    if (r != LF_OK)
        return r;
    rp->want = leads;
    rp->nwant = n;
    rp->wpos = 0;
    /* One query per lead unless the wanted leads are two thirds of their rowid range or
     * more: the range scan reads every event of every lead in the range, wanted or not
     * (the server's groups want scattered leads of a growing store). */
    if (leads && (hi - lo + 1) / 3 * 2 > (int64_t)n)
        r = lf_store_scan_events(rp->st, leads, n, replay_one, rp, err);
    else
        r = lf_store_scan_range(rp->st, lo, hi, replay_one, rp, err);
    if (rp->in_txn)
        return r; /* the caller commits or rolls back */
    if (r == LF_OK)
        return lf_store_commit(rp->st, err);
    lf_store_rollback(rp->st, NULL);
    return r;
}

static lf_status replayer_init(replayer *rp, lf_store *st, const lf_config *cfg,
                               lf_scoring_model **model, lf_error *err)
{
    memset(rp, 0, sizeof *rp);
    rp->st = st;
    rp->write = true;
    rp->cfg = cfg;
    lf_lead_state_init(&rp->ls);
    *model = NULL;
    lf_status r = lf_scoring_model_new(cfg, model, err);
    if (r == LF_OK && st)
        r = lf_alerts_new(cfg, lf_time_now(), &rp->alerts, err);
    if (r != LF_OK)
        return r;
    if (*model) {
        rp->score = lf_score_state_new(*model);
        if (!rp->score)
            return oom(err);
        lf_score_state_scorer(rp->score, &rp->scorer);
    }
    return LF_OK;
}

static void replayer_release(replayer *rp, lf_scoring_model *model)
{
    lf_lead_state_release(&rp->ls);
    lf_score_state_free(rp->score);
    lf_scoring_model_free(model);
    free(rp->old.lead);
    free(rp->old.at);
    free(rp->newt);
    lf_alerts_free(rp->alerts);
}

static lf_status replay_leads(lf_store *st, const lf_config *cfg, const int64_t *leads,
                              size_t n, bool in_txn, lf_lead_events_fn seen, void *seen_ctx,
                              lf_error *err)
{
    replayer rp;
    lf_scoring_model *model;
    lf_status r = replayer_init(&rp, st, cfg, &model, err);
    rp.in_txn = in_txn;
    rp.seen = seen;
    rp.seen_ctx = seen_ctx;
    for (size_t i = 0; r == LF_OK && i < n; i += CHUNK) {
        size_t k = n - i < CHUNK ? n - i : CHUNK;
        r = replay_chunk(&rp, leads + i, k, leads[i], leads[i + k - 1], err);
    }
    replayer_release(&rp, model);
    return r;
}

lf_status lf_replay_leads(lf_store *st, const lf_config *cfg, const int64_t *leads, size_t n,
                         lf_error *err)
{
    return replay_leads(st, cfg, leads, n, false, NULL, NULL, err);
}

lf_status lf_replay_pending(lf_store *st, const lf_config *cfg, int64_t *replayed, lf_error *err)
{
    static atomic_int_least64_t listings; /* the test hook's count (any thread) */
    lf_test_pause_point("pending", atomic_fetch_add(&listings, 1) + 1);
    int64_t *leads;
    size_t n;
    lf_status r = lf_store_pending_list(st, &leads, &n, err);
    if (r == LF_OK && n)
        r = replay_leads(st, cfg, leads, n, false, NULL, NULL, err);
    free(leads);
    if (replayed)
        *replayed = r == LF_OK ? (int64_t)n : 0;
    return r;
}

lf_status lf_replay_in_txn(lf_store *st, const lf_config *cfg, const int64_t *touched, size_t n,
                           lf_lead_events_fn seen, void *seen_ctx, int64_t *replayed,
                           lf_error *err)
{
    int64_t *pending, *all = NULL;
    size_t np;
    *replayed = 0;
    lf_status r = lf_store_pending_list(st, &pending, &np, err);
    if (r != LF_OK)
        return r;
    if (np + n && !(all = malloc((np + n) * sizeof *all))) {
        free(pending);
        return oom(err);
    }
    if (np)
        memcpy(all, pending, np * sizeof *all);
    if (n)
        memcpy(all + np, touched, n * sizeof *all);
    free(pending);
    size_t k = lf_sort_unique_i64(all, np + n);
    if (k)
        r = replay_leads(st, cfg, all, k, true, seen, seen_ctx, err);
    free(all);
    if (r == LF_OK)
        *replayed = (int64_t)k;
    return r;
}

lf_status lf_rescore(lf_store *st, const lf_config *cfg, lf_rescore_stats *stats, lf_error *err)
{
    /* the handoffs before must be those of the events: finish pending replays first */
    lf_status r = lf_replay_pending(st, cfg, NULL, err);
    replayer rp;
    lf_scoring_model *model = NULL;
    if (r != LF_OK)
        return r;
    r = replayer_init(&rp, st, cfg, &model, err);
    rp.rescore = true;
    rp.stats = stats;
    int64_t maxid = 0;
    if (r == LF_OK)
        r = lf_store_handoff_times(st, old_times_add, &rp.old, err);
    if (r == LF_OK)
        r = lf_store_lead_count(st, &maxid, err);
    for (int64_t lo = 1; r == LF_OK && lo <= maxid; lo += CHUNK)
        r = replay_chunk(&rp, NULL, 0, lo, lo + CHUNK - 1, err);
    replayer_release(&rp, model);
    return r;
}

/* ---- replay in memory, for readers -------------------------------------------------- */

struct lf_memreplay {
    replayer rp;
    lf_scoring_model *model;
};

lf_status lf_memreplay_lead(lf_memreplay *m, const lf_lead_events *le, const lf_lead_state **out,
                            lf_error *err)
{
    lf_status r = replay_lead(&m->rp, le, err);
    *out = &m->rp.ls;
    return r;
}

lf_status lf_memreplay_new(const lf_config *cfg, lf_memreplay **out, lf_error *err)
{
    *out = NULL;
    lf_memreplay *m = calloc(1, sizeof *m);
    if (!m)
        return oom(err);
    lf_status r = replayer_init(&m->rp, NULL, cfg, &m->model, err);
    if (r != LF_OK) {
        lf_memreplay_free(m);
        return r;
    }
    m->rp.write = false;
    *out = m;
    return LF_OK;
}

void lf_memreplay_free(lf_memreplay *m)
{
    if (!m)
        return;
    replayer_release(&m->rp, m->model);
    free(m);
}

/* ---- whatif ------------------------------------------------------------------------- */

const char *lf_did_name(lf_did d)
{
    static const char *const names[LF_DID_COUNT] = {"won", "accepted", "rejected",
                                                    "contacted", "never contacted"};
    return (unsigned)d < LF_DID_COUNT ? names[d] : "?";
}

typedef struct whatif_side_state {
    const lf_config *cfg;
    lf_scoring_model *model;
    lf_score_state *score;
    lf_scorer scorer;
    lf_lead_state ls;
} whatif_side_state;

typedef struct whatif_ctx {
    lf_whatif *w;
    whatif_side_state s[2];
} whatif_ctx;

static bool in_range(const lf_whatif *w, lf_time t)
{
    return t != LF_TIME_NONE && t >= w->from && t < w->to && t <= w->as_of;
}

static bool by_as_of(const lf_whatif *w, lf_time t)
{
    return t != LF_TIME_NONE && t <= w->as_of;
}

/* Adds one replayed lead to a side; returns whether it had a handoff in the range. */
static bool whatif_count(const lf_whatif *w, const lf_lead_state *ls, lf_whatif_side *side)
{
    int64_t n = 0;
    for (size_t i = 0; i < ls->nhandoffs; i++) {
        const lf_handoff *h = &ls->handoffs[i];
        if (!in_range(w, h->mql_at))
            continue;
        n++;
        if (by_as_of(w, h->decided_at)) {
            side->accepted += h->outcome == LF_OUTCOME_ACCEPTED;
            side->rejected += h->outcome == LF_OUTCOME_REJECTED;
        }
    }
    side->mqls += n;
    if (n) {
        side->mql_leads++;
        side->customers += by_as_of(w, ls->won_at);
    }
    return n > 0;
}

/* What the lead actually did by as-of (its history under the current rules). */
static lf_did whatif_did(const lf_whatif *w, const lf_lead_state *ls, const lf_lead_input *in)
{
    if (by_as_of(w, ls->won_at))
        return LF_DID_WON;
    bool rejected = false;
    for (size_t i = 0; i < ls->ntrans; i++) {
        const lf_transition *t = &ls->trans[i];
        if (!by_as_of(w, t->ts))
            continue;
        if (t->to == LF_STAGE_SQL)
            return LF_DID_ACCEPTED;
        if (t->to == LF_STAGE_DISQUALIFIED)
            rejected = true;
    }
    for (size_t i = 0; i < ls->nhandoffs; i++)
        if (ls->handoffs[i].outcome == LF_OUTCOME_REJECTED &&
            by_as_of(w, ls->handoffs[i].decided_at))
            rejected = true;
    if (rejected)
        return LF_DID_REJECTED;
    for (size_t i = 0; i < in->nevents; i++)
        if (in->events[i].kind == LF_EV_CONTACTED && by_as_of(w, in->events[i].ts))
            return LF_DID_CONTACTED;
    return LF_DID_NOTHING;
}

static lf_status whatif_lead(void *ctx, const lf_lead_events *le, lf_error *err)
{
    whatif_ctx *x = ctx;
    lf_whatif *w = x->w;
    bool mql[2];
    /* attrs_json is parsed once; each side classifies the same facts by its rules */
    lf_row_attrs ra;
    lf_status r = lf_row_attrs_load(&ra, x->s[0].cfg, le->row, true, err);
    for (int k = 0; r == LF_OK && k < 2; k++) {
        whatif_side_state *s = &x->s[k];
        if (k > 0) {
            lf_lead_facts_release(&ra.f);
            r = lf_lead_classify(s->cfg, &ra.f, err);
        }
        if (r == LF_OK && s->score) {
            lf_attrs a = lf_lead_facts_attrs(&ra.f);
            lf_score_state_lead(s->score, &a, false);
        }
        if (r == LF_OK)
            r = lf_lifecycle_replay(&le->input, s->score ? &s->scorer : NULL, &s->ls, err);
        if (r == LF_OK)
            mql[k] = whatif_count(w, &s->ls, &w->side[k]);
    }
    lf_row_attrs_release(&ra);
    if (r != LF_OK)
        return r;
    w->leads++;
    w->events += (int64_t)le->input.nevents;
    if (mql[0] != mql[1]) {
        lf_did did = whatif_did(w, &x->s[0].ls, &le->input);
        if (mql[1])
            w->added[did]++;
        else
            w->dropped[did]++;
        if (w->on_lead)
            w->on_lead(w->ctx, mql[1], le->row->id ? le->row->id : "", did);
    }
    return LF_OK;
}

lf_status lf_whatif_run(lf_store *st, const lf_config *cur, const lf_config *other, lf_whatif *w,
                        lf_error *err)
{
    whatif_ctx x = {.w = w};
    const lf_config *cfgs[2] = {cur, other};
    lf_status r = LF_OK;
    for (int k = 0; k < 2; k++) {
        x.s[k].cfg = cfgs[k];
        lf_lead_state_init(&x.s[k].ls);
    }
    for (int k = 0; r == LF_OK && k < 2; k++) {
        r = lf_scoring_model_new(cfgs[k], &x.s[k].model, err);
        if (r == LF_OK && x.s[k].model) {
            x.s[k].score = lf_score_state_new(x.s[k].model);
            if (!x.s[k].score)
                r = oom(err);
            else
                lf_score_state_scorer(x.s[k].score, &x.s[k].scorer);
        }
    }
    int64_t maxid = 0;
    bool reading = r == LF_OK && (r = lf_store_read_begin(st, err)) == LF_OK;
    if (r == LF_OK)
        r = lf_store_lead_count(st, &maxid, err);
    if (r == LF_OK)
        r = lf_store_scan_range(st, 1, maxid, whatif_lead, &x, err);
    if (reading) /* one committed state for the whole comparison */
        lf_store_read_end(st);
    for (int k = 0; k < 2; k++) {
        lf_lead_state_release(&x.s[k].ls);
        lf_score_state_free(x.s[k].score);
        lf_scoring_model_free(x.s[k].model);
    }
    return r;
}
