/*
 * app_replay.c — rescore and whatif for the front ends (leadflow/app_replay.h).
 *
 * Place in the flow: a front end -> here -> ingest's replay (lf_rescore, lf_whatif_run:
 * the pure lifecycle engine and scorer over every stored lead) -> store. This file adds
 * what a front end would otherwise do itself: opening the workspace, checking the
 * range and as-of as typed and turning the range into instants in the workspace zone, loading the other configuration
 * of a whatif, and handing figures and changed leads out in the application layer's
 * types (so that front ends need no ingest or store header).
 */
#include <string.h>

#include "leadflow/app_replay.h"
#include "leadflow/config.h"
#include "leadflow/replay.h"

_Static_assert(LF_APP_DID_COUNT == LF_DID_COUNT, "lf_app_did mirrors lf_did");

static void pass_change(void *ctx, const char *id, const lf_time *before, size_t nbefore,
                        const lf_time *after, size_t nafter)
{
    lf_app_rescore *r = ctx;
    r->on_change(r->ctx, id, before, nbefore, after, nafter);
}

lf_status lf_app_rescore_run(lf_workspace *ws, lf_app_rescore *r, lf_error *err)
{
    lf_status s = lf_workspace_open(ws, err);
    if (s != LF_OK)
        return s;
    lf_rescore_stats st = {.on_change = r->on_change ? pass_change : NULL, .ctx = r};
    s = lf_rescore(ws->store, &ws->cfg, &st, err);
    r->leads = st.leads;
    r->reclassified = st.reclassified;
    r->mqls_before = st.mqls_before;
    r->mqls_after = st.mqls_after;
    r->added = st.added;
    r->removed = st.removed;
    r->leads_changed = st.leads_changed;
    r->events = st.events;
    r->replay_usec = st.replay_usec;
    return s;
}

const char *lf_app_did_name(int did)
{
    return lf_did_name((lf_did)did);
}

static void pass_lead(void *ctx, bool added, const char *id, lf_did did)
{
    lf_app_whatif *w = ctx;
    w->on_lead(w->ctx, added, id, (int)did);
}

static void copy_side(lf_app_whatif_side *to, const lf_whatif_side *from)
{
    to->mqls = from->mqls;
    to->mql_leads = from->mql_leads;
    to->accepted = from->accepted;
    to->rejected = from->rejected;
    to->customers = from->customers;
}

lf_status lf_app_whatif_run(lf_workspace *ws, lf_app_whatif *w, lf_error *err)
{
    lf_status s = lf_workspace_open(ws, err);
    if (s != LF_OK)
        return s;
    s = lf_app_range_parse(ws->cfg.tz, w->from, w->to, w->as_of, &w->range, err);
    if (s != LF_OK)
        return s;
    lf_config other;
    if ((s = lf_config_load(&other, w->other, err)) != LF_OK)
        return s;
    lf_whatif run;
    memset(&run, 0, sizeof run);
    run.from = lf_day_start(ws->cfg.tz, w->range.from_day);
    run.to = lf_day_start(ws->cfg.tz, w->range.to_day);
    run.as_of = w->range.as_of;
    run.on_lead = w->on_lead ? pass_lead : NULL;
    run.ctx = w;
    s = lf_whatif_run(ws->store, &ws->cfg, &other, &run, err);
    lf_config_release(&other);
    for (int k = 0; k < 2; k++)
        copy_side(&w->side[k], &run.side[k]);
    memcpy(w->added, run.added, sizeof w->added);
    memcpy(w->dropped, run.dropped, sizeof w->dropped);
    w->leads = run.leads;
    w->events = run.events;
    return s;
}
