/*
 * store_pg_state.c — the derived state in the PostgreSQL store: a lead's derived write
 * (one statement) and the scan of every lead's state for the report dataset (chunks of
 * leads, as store_pg_scan.c). store_pg.c has the design.
 */
#include <stdlib.h>
#include <string.h>

#include "store_pg.h"

#define CHUNK 1000
#define CHUNK_S "1000"

/* ---- the derived write ----------------------------------------------------------- */

/* The array parameters of a derived write, built in st->arr as NUL-separated literals. */
enum {
    A_TTS,
    A_TFROM,
    A_TTO,
    A_TCAUSE,
    A_TSEQ,
    A_HMQL,
    A_HDEC,
    A_HCONTACT,
    A_HOUT,
    A_HCAUSE,
    A_HOPEN,
    A_HCLOSE,
    A_HCSEQ,
    A_HSCORE,
    A_ISEQ,
    A_IREASON,
    A__COUNT
};

static const char q_derived[] =
    "WITH dt AS (DELETE FROM transitions WHERE lead_id = $1 AND n >= $2),"
    " ut AS (INSERT INTO transitions(lead_id, n, ts, from_stage, to_stage, cause, event_seq)"
    "  SELECT $1, x.n - 1, x.ts, x.fr, x.tos, x.ca, x.sq FROM unnest($3::bigint[],"
    "  $4::int[], $5::int[], $6::int[], $7::bigint[]) WITH ORDINALITY AS x(ts, fr, tos, ca, sq, n)"
    "  ON CONFLICT (lead_id, n) DO UPDATE SET ts = excluded.ts, from_stage = excluded.from_stage,"
    "  to_stage = excluded.to_stage, cause = excluded.cause, event_seq = excluded.event_seq"
    "  WHERE (transitions.ts, transitions.from_stage, transitions.to_stage, transitions.cause,"
    "  transitions.event_seq) IS DISTINCT FROM (excluded.ts, excluded.from_stage,"
    "  excluded.to_stage, excluded.cause, excluded.event_seq)),"
    " dh AS (DELETE FROM handoffs WHERE lead_id = $1 AND n >= $8),"
    " uh AS (INSERT INTO handoffs(lead_id, n, mql_at, decided_at, first_contact_at, outcome,"
    "  cause, open_seq, close_seq, contact_seq, score)"
    "  SELECT $1, y.n - 1, y.m, y.d, y.fc, y.o, y.c, y.os, y.cs, y.ks, y.sc FROM unnest("
    "  $9::bigint[], $10::bigint[], $11::bigint[], $12::int[], $13::int[], $14::bigint[],"
    "  $15::bigint[], $16::bigint[], $17::float8[])"
    "  WITH ORDINALITY AS y(m, d, fc, o, c, os, cs, ks, sc, n)"
    "  ON CONFLICT (lead_id, n) DO UPDATE SET mql_at = excluded.mql_at,"
    "  decided_at = excluded.decided_at, first_contact_at = excluded.first_contact_at,"
    "  outcome = excluded.outcome, cause = excluded.cause, open_seq = excluded.open_seq,"
    "  close_seq = excluded.close_seq, contact_seq = excluded.contact_seq, score = excluded.score"
    "  WHERE (handoffs.mql_at, handoffs.decided_at, handoffs.first_contact_at, handoffs.outcome,"
    "  handoffs.cause, handoffs.open_seq, handoffs.close_seq, handoffs.contact_seq,"
    "  handoffs.score) IS DISTINCT FROM (excluded.mql_at, excluded.decided_at,"
    "  excluded.first_contact_at, excluded.outcome, excluded.cause, excluded.open_seq,"
    "  excluded.close_seq, excluded.contact_seq, excluded.score)),"
    " di AS (DELETE FROM ignored WHERE lead_id = $1 AND NOT (seq = ANY($18::bigint[]))),"
    " ui AS (INSERT INTO ignored(lead_id, seq, reason)"
    "  SELECT $1, g.s, g.r FROM unnest($18::bigint[], $19::text[]) AS g(s, r)"
    "  ON CONFLICT (lead_id, seq) DO UPDATE SET reason = excluded.reason"
    "  WHERE ignored.reason IS DISTINCT FROM excluded.reason),"
    " dp AS (DELETE FROM pending WHERE lead_id = $1)"
    " INSERT INTO lead_state(lead_id, stage, stage_since, won_at, revenue)"
    " VALUES($1, $20, $21, $22, $23) ON CONFLICT (lead_id) DO UPDATE SET"
    " stage = excluded.stage, stage_since = excluded.stage_since, won_at = excluded.won_at,"
    " revenue = excluded.revenue WHERE (lead_state.stage, lead_state.stage_since,"
    " lead_state.won_at, lead_state.revenue) IS DISTINCT FROM (excluded.stage,"
    " excluded.stage_since, excluded.won_at, excluded.revenue)";

static int64_t seq_at(const int64_t *seqs, int32_t idx)
{
    return idx < 0 ? 0 : seqs[idx];
}

static void build_trans(pg_arrays *a, const lf_lead_state *ls, const int64_t *seqs)
{
    const lf_transition *t = ls->trans;
    PG_ARRAY(a, A_TTS, ls->ntrans, lf_pg_arr_int(a, A_TTS, false, t[i].ts));
    PG_ARRAY(a, A_TFROM, ls->ntrans,
             lf_pg_arr_int(a, A_TFROM, t[i].from == LF_STAGE_NONE, t[i].from));
    PG_ARRAY(a, A_TTO, ls->ntrans, lf_pg_arr_int(a, A_TTO, false, t[i].to));
    PG_ARRAY(a, A_TCAUSE, ls->ntrans, lf_pg_arr_int(a, A_TCAUSE, false, t[i].cause));
    PG_ARRAY(a, A_TSEQ, ls->ntrans,
             lf_pg_arr_int(a, A_TSEQ, t[i].event < 0, seq_at(seqs, t[i].event)));
}

static void build_handoffs(pg_arrays *a, const lf_lead_state *ls, const int64_t *seqs)
{
    const lf_handoff *h = ls->handoffs;
    size_t n = ls->nhandoffs;
    PG_ARRAY(a, A_HMQL, n, lf_pg_arr_int(a, A_HMQL, false, h[i].mql_at));
    PG_ARRAY(a, A_HDEC, n,
             lf_pg_arr_int(a, A_HDEC, h[i].decided_at == LF_TIME_NONE, h[i].decided_at));
    PG_ARRAY(
        a, A_HCONTACT, n,
        lf_pg_arr_int(a, A_HCONTACT, h[i].first_contact_at == LF_TIME_NONE, h[i].first_contact_at));
    PG_ARRAY(a, A_HOUT, n, lf_pg_arr_int(a, A_HOUT, false, h[i].outcome));
    PG_ARRAY(a, A_HCAUSE, n, lf_pg_arr_int(a, A_HCAUSE, false, h[i].cause));
    PG_ARRAY(a, A_HOPEN, n,
             lf_pg_arr_int(a, A_HOPEN, h[i].open_event < 0, seq_at(seqs, h[i].open_event)));
    PG_ARRAY(a, A_HCLOSE, n,
             lf_pg_arr_int(a, A_HCLOSE, h[i].close_event < 0, seq_at(seqs, h[i].close_event)));
    PG_ARRAY(a, A_HCSEQ, n,
             lf_pg_arr_int(a, A_HCSEQ, h[i].contact_event < 0, seq_at(seqs, h[i].contact_event)));
    PG_ARRAY(a, A_HSCORE, n, lf_pg_arr_dbl(a, A_HSCORE, h[i].score));
}

static void build_ignored(pg_arrays *a, const lf_lead_events *le, const lf_lead_state *ls)
{
    PG_ARRAY(a, A_ISEQ, ls->nignored,
             lf_pg_arr_int(a, A_ISEQ, false, seq_at(le->seqs, ls->ignored[i])));
    char why[160];
    PG_ARRAY(a, A_IREASON, ls->nignored,
             lf_pg_arr_text(a, A_IREASON,
                            lf_ignored_reason(&le->input.events[ls->ignored[i]],
                                              ls->ignored_stage[i], le->input.created_at,
                                              le->input.has_email, why, sizeof why)));
}

lf_status lf_pg_derived_write(lf_store *base, const lf_lead_events *le, const lf_lead_state *ls,
                              lf_error *err)
{
    pg_store *st = (pg_store *)base;
    lf_buf_reset(&st->arr);
    pg_arrays a = {.b = &st->arr};
    build_trans(&a, ls, le->seqs);
    build_handoffs(&a, ls, le->seqs);
    build_ignored(&a, le, ls);
    if (a.s != LF_OK)
        return lf_errorf(err, LF_ENOMEM, "out of memory");
    pg_params p = {0};
    lf_pg_int(&p, le->lead);
    lf_pg_int(&p, (int64_t)ls->ntrans);
    for (int k = A_TTS; k <= A_TSEQ; k++)
        lf_pg_text(&p, st->arr.data + a.off[k]);
    lf_pg_int(&p, (int64_t)ls->nhandoffs);
    for (int k = A_HMQL; k <= A_IREASON; k++)
        lf_pg_text(&p, st->arr.data + a.off[k]);
    lf_pg_int(&p, ls->stage);
    lf_pg_int(&p, ls->stage_since);
    lf_pg_time(&p, ls->won_at);
    lf_pg_double(&p, ls->revenue);
    /* sent without waiting: a replay's writes go out back to back, not one round trip
     * each; an error fails the next statement, at the latest the commit */
    return lf_pg_send(st, "derived", q_derived, &p, err, "cannot write derived state");
}

/* ---- the state of every lead, for the dataset ------------------------------------ */

/* The joined tables repeat the chunk's lower bound: without it the generic plan's merge
 * joins read lead_state from its first row for every chunk (1M leads: 200 ms a chunk
 * at the middle, ~90 s a dataset; with it ~1 ms a chunk). */
static const char q_ds_leads[] =
    "SELECT l.lead_id, l.created_at, l.channel, l.persona, l.origin, s.stage, s.won_at,"
    " s.revenue, p.lead_id IS NOT NULL FROM leads l"
    " LEFT JOIN lead_state s ON s.lead_id = l.lead_id AND s.lead_id > $1"
    " LEFT JOIN pending p ON p.lead_id = l.lead_id AND p.lead_id > $1"
    " WHERE l.lead_id > $1 ORDER BY l.lead_id LIMIT " CHUNK_S;
static const char q_ds_trans[] = "SELECT lead_id, ts, from_stage, to_stage FROM transitions"
                                 " WHERE lead_id BETWEEN $1 AND $2 ORDER BY lead_id, n";
static const char q_ds_handoffs[] =
    "SELECT h.lead_id, h.mql_at, h.decided_at, h.first_contact_at, h.outcome, h.score,"
    " e.reason FROM handoffs h LEFT JOIN events e ON e.lead_id = h.lead_id"
    " AND e.seq = h.close_seq WHERE h.lead_id BETWEEN $1 AND $2 ORDER BY h.lead_id, h.n";

typedef struct state_chunk {
    PGresult *l, *t, *h;
    int ti, hi;
} state_chunk;

/* Lead row i of the chunk with its transitions and handoffs, to fn. */
static lf_status state_lead(pg_store *st, state_chunk *c, int i, lf_state_fn fn, void *ctx,
                            lf_error *err)
{
    int64_t lead = lf_pg_int64(c->l, i, 0);
    lf_state_row row = {
        .lead = lead,
        .created_at = lf_pg_int64(c->l, i, 1),
        .channel = lf_pg_str(c->l, i, 2),
        .persona = lf_pg_str(c->l, i, 3),
        .origin = lf_pg_str(c->l, i, 4),
        .stale = PQgetisnull(c->l, i, 5) || strcmp(PQgetvalue(c->l, i, 8), "t") == 0,
    };
    size_t nt = 0, nh = 0;
    for (; c->ti < PQntuples(c->t) && lf_pg_int64(c->t, c->ti, 0) <= lead; c->ti++) {
        if (row.stale || lf_pg_int64(c->t, c->ti, 0) != lead)
            continue;
        if (!lf_grow(&st->trans, &st->trans_cap, nt + 1, sizeof *st->trans))
            return lf_errorf(err, LF_ENOMEM, "out of memory");
        st->trans[nt++] = (lf_state_trans){.ts = lf_pg_int64(c->t, c->ti, 1),
                                           .from = PQgetisnull(c->t, c->ti, 2)
                                                       ? LF_STAGE_NONE
                                                       : (uint8_t)lf_pg_int64(c->t, c->ti, 2),
                                           .to = (uint8_t)lf_pg_int64(c->t, c->ti, 3)};
    }
    for (; c->hi < PQntuples(c->h) && lf_pg_int64(c->h, c->hi, 0) <= lead; c->hi++) {
        if (row.stale || lf_pg_int64(c->h, c->hi, 0) != lead)
            continue;
        if (!lf_grow(&st->hand, &st->hand_cap, nh + 1, sizeof *st->hand))
            return lf_errorf(err, LF_ENOMEM, "out of memory");
        PGresult *h = c->h;
        int k = c->hi;
        st->hand[nh++] = (lf_state_handoff){.mql_at = lf_pg_int64(h, k, 1),
                                            .decided_at = lf_pg_timecol(h, k, 2),
                                            .first_contact_at = lf_pg_timecol(h, k, 3),
                                            .outcome = (uint8_t)lf_pg_int64(h, k, 4),
                                            .score = lf_pg_dbl(h, k, 5),
                                            .reason = lf_pg_str(h, k, 6)};
    }
    if (!row.stale) {
        row.stage = (uint8_t)lf_pg_int64(c->l, i, 5);
        row.won_at = lf_pg_timecol(c->l, i, 6);
        row.revenue = lf_pg_dbl(c->l, i, 7);
        row.trans = st->trans;
        row.ntrans = nt;
        row.handoffs = st->hand;
        row.nhandoffs = nh;
    }
    return fn(ctx, &row, err);
}

/* One chunk of leads after `*after`; *count = how many leads it had. */
static lf_status state_chunk_scan(pg_store *st, int64_t *after, int *count, lf_state_fn fn,
                                  void *ctx, lf_error *err)
{
    state_chunk c = {0};
    pg_params p = {0};
    lf_pg_int(&p, *after);
    c.l = lf_pg_exec(&st->base, "ds_leads", q_ds_leads, &p, err, "cannot read derived state");
    if (!c.l)
        return LF_ESTORE;
    *count = PQntuples(c.l);
    lf_status s = LF_OK;
    if (*count > 0) {
        pg_params q = {0};
        lf_pg_int(&q, lf_pg_int64(c.l, 0, 0));
        lf_pg_int(&q, *after = lf_pg_int64(c.l, *count - 1, 0));
        c.t = lf_pg_exec(&st->base, "ds_trans", q_ds_trans, &q, err, "cannot read derived state");
        c.h = c.t ? lf_pg_exec(&st->base, "ds_handoffs", q_ds_handoffs, &q, err,
                               "cannot read derived state")
                  : NULL;
        s = c.t && c.h ? LF_OK : LF_ESTORE;
    }
    for (int i = 0; s == LF_OK && i < *count; i++)
        s = state_lead(st, &c, i, fn, ctx, err);
    PQclear(c.l);
    PQclear(c.t);
    PQclear(c.h);
    return s;
}

lf_status lf_pg_scan_state(lf_store *base, lf_state_fn fn, void *ctx, lf_error *err)
{
    pg_store *st = (pg_store *)base;
    int64_t after = 0;
    for (;;) {
        int count = 0;
        lf_status s = state_chunk_scan(st, &after, &count, fn, ctx, err);
        if (s != LF_OK || count < CHUNK)
            return s;
    }
}
