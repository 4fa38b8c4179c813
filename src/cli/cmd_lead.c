/*
 * cmd_lead.c — `leadflow lead ID`: one lead explained.
 *
 * The lead's stored events are replayed through the same pure lifecycle engine the
 * importer uses, so what is shown is exactly the derived state in the store, with
 * the reasons: which event caused each transition, why an event was ignored, and
 * each handoff's response time on the SLA clock against its deadline.
 *
 * With a `scoring` section the replay is scored with explanations on: each fit rule
 * that matched with its points, each activity's awards (points, what the caps let
 * through, what the award is worth now after decay, or that a restart voided it),
 * fit, engagement, total and grade at as-of (--as-of, default now) and at each MQL,
 * and the thresholds of the MQL rule.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "leadflow/buf.h"
#include "leadflow/lifecycle.h"
#include "leadflow/replay.h"
#include "leadflow/scoring.h"
#include "leadflow/text.h"

typedef struct collected {
    lf_event *ev;
    char **ext;
    size_t n, cap;
} collected;

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

static lf_status collect(void *ctx, const lf_stored_event *e)
{
    collected *c = ctx;
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 32;
        lf_event *ev = realloc(c->ev, cap * sizeof *ev);
        if (ev)
            c->ev = ev;
        char **ext = realloc(c->ext, cap * sizeof *ext);
        if (ext)
            c->ext = ext;
        if (!ev || !ext)
            return LF_ENOMEM;
        c->cap = cap;
    }
    lf_event *d = &c->ev[c->n];
    *d = e->ev;
    d->type = dup_or_null(e->ev.type);
    d->detail = dup_or_null(e->ev.detail);
    d->reason = dup_or_null(e->ev.reason);
    c->ext[c->n] = dup_or_null(e->ext_id);
    c->n++;
    return LF_OK;
}

static void collected_release(collected *c)
{
    for (size_t i = 0; i < c->n; i++) {
        free((char *)c->ev[i].type);
        free((char *)c->ev[i].detail);
        free((char *)c->ev[i].reason);
        free(c->ext[i]);
    }
    free(c->ev);
    free(c->ext);
}

static const char *when(const cli_ctx *ctx, lf_time t, char *buf, size_t n)
{
    if (t == LF_TIME_NONE)
        return "-";
    lf_time_format_local(ctx->ws.cfg.tz, t, buf, n);
    return buf;
}

static void field_line(const char *name, const char *value)
{
    printf("  %-12s ", name);
    cli_put_text(stdout, value && *value ? value : "-");
    putchar('\n');
}

static const char *cause_text(const lf_transition *t, const lf_event *ev, char *buf, size_t n)
{
    switch (t->cause) {
    case LF_CAUSE_CREATED:
        return "lead created";
    case LF_CAUSE_SCORE:
        if (t->event < 0)
            return "MQL rule met at creation (score)";
        snprintf(buf, n, "MQL rule met by the score after '%s' #%lld", ev[t->event].type,
                 (long long)ev[t->event].seq);
        return buf;
    case LF_CAUSE_SKIP:
        snprintf(buf, n, "skipped through by '%s' (event #%lld)", ev[t->event].type,
                 (long long)ev[t->event].seq);
        return buf;
    default:
        snprintf(buf, n, "event '%s' #%lld", ev[t->event].type, (long long)ev[t->event].seq);
        return buf;
    }
}

static void print_hours(const char *label, int64_t usec)
{
    printf("%s %.2f h", label, (double)usec / (double)LF_USEC_PER_HOUR);
}

static void print_handoff(const cli_ctx *ctx, size_t i, const lf_handoff *h, const lf_event *ev,
                          lf_time as_of)
{
    char a[48], b[48];
    static const char *const outcome[] = {"pending", "accepted", "rejected"};
    printf("  #%zu mql_at %s  %s", i + 1, when(ctx, h->mql_at, a, sizeof a),
           outcome[h->outcome]);
    if (h->decided_at != LF_TIME_NONE)
        printf(" %s", when(ctx, h->decided_at, b, sizeof b));
    if (h->outcome == LF_OUTCOME_REJECTED && h->close_event >= 0 && ev[h->close_event].reason)
        printf(" (reason: "), cli_put_text(stdout, ev[h->close_event].reason), printf(")");
    putchar('\n');
    if (ctx->ws.cfg.has_sla) {
        const lf_duration *sla = &ctx->ws.cfg.sla;
        bool biz = sla->clock == LF_CLOCK_BUSINESS;
        lf_time deadline = biz ? lf_bclock_add(&ctx->ws.cfg.calendar, h->mql_at, sla->usec)
                               : h->mql_at + sla->usec;
        printf("     SLA %s (%s clock), deadline %s", sla->text, biz ? "business" : "calendar",
               when(ctx, deadline, a, sizeof a));
        if (h->decided_at != LF_TIME_NONE) {
            int64_t resp = biz ? lf_bclock_between(&ctx->ws.cfg.calendar, h->mql_at, h->decided_at)
                               : h->decided_at - h->mql_at;
            print_hours(", response", resp);
            printf(", %s", h->decided_at <= deadline ? "within SLA" : "late");
        } else if (deadline != LF_TIME_NONE && deadline < as_of) {
            printf(", overdue at as-of");
        }
        putchar('\n');
    }
    if (h->first_contact_at != LF_TIME_NONE) {
        printf("     first contact %s,", when(ctx, h->first_contact_at, a, sizeof a));
        print_hours("", h->first_contact_at - h->mql_at);
        printf(" after mql_at (target %s)\n", ctx->ws.cfg.speed_target.text);
    } else {
        printf("     no contact\n");
    }
}

/* Up to two decimals, trailing zeros cut: "35", "12.5", "-10". */
static const char *num(double v, char *buf, size_t n)
{
    snprintf(buf, n, "%.2f", v);
    char *dot = strchr(buf, '.');
    if (dot) {
        char *e = buf + strlen(buf);
        while (e > dot + 1 && e[-1] == '0')
            *--e = '\0';
        if (e == dot + 1)
            *dot = '\0';
    }
    if (strcmp(buf, "-0") == 0)
        memcpy(buf, "0", 2);
    return buf;
}

/* Restarts (handoffs rejected by a `rejected` event: mql -> recycled) at or before t:
 * the epoch of the awards that count at t. */
static uint32_t epoch_at(const lf_lead_state *st, lf_time t)
{
    uint32_t e = 0;
    for (size_t i = 0; i < st->ntrans; i++)
        if (st->trans[i].from == LF_STAGE_MQL && st->trans[i].to == LF_STAGE_RECYCLED &&
            st->trans[i].ts <= t)
            e++;
    return e;
}

/* Engagement at t from the recorded awards: those at or before t since the last
 * restart before t, decayed to t. */
static double engagement_at(const lf_config *cfg, const lf_lead_state *st, const lf_award *aw,
                            size_t n, lf_time t)
{
    uint32_t e = epoch_at(st, t);
    double sum = 0;
    for (size_t i = 0; i < n; i++) {
        if (aw[i].ts > t || aw[i].epoch != e)
            continue;
        double w = aw[i].awarded;
        if (cfg->scoring.half_life_usec > 0)
            w *= exp2(-(double)(t - aw[i].ts) / (double)cfg->scoring.half_life_usec);
        sum += w;
    }
    return sum;
}

/* The thresholds of the MQL rule, as configured. */
static void print_rule(const lf_mql_rule *r)
{
    char a[32];
    printf("  MQL rule: email");
    for (size_t i = 0; i < r->nrequire; i++)
        printf(", %s", r->require[i]);
    if (r->has_fit)
        printf(", fit >= %s", num(r->fit_at_least, a, sizeof a));
    if (r->has_engagement)
        printf(", engagement >= %s", num(r->engagement_at_least, a, sizeof a));
    if (r->has_total)
        printf(", total >= %s", num(r->total_at_least, a, sizeof a));
    if (r->has_grade)
        printf(", grade %c or better", r->grade_at_least);
    putchar('\n');
}

/* For a lead in `lead` or `recycled` at as-of: which parts of the MQL rule fail. */
static void print_why_not(const cli_ctx *ctx, const lf_score_state *ss, const lf_lead_state *st,
                          lf_time as_of, double fit, double eng, bool has_email)
{
    uint8_t stage = LF_STAGE_NONE;
    for (size_t i = 0; i < st->ntrans && st->trans[i].ts <= as_of; i++)
        stage = st->trans[i].to;
    if (stage == LF_STAGE_NONE) {
        printf("  the lead was created after as-of\n");
        return;
    }
    if (stage != LF_STAGE_LEAD && stage != LF_STAGE_RECYCLED)
        return;
    const lf_mql_rule *r = &ctx->ws.cfg.scoring.mql;
    char a[32], b[32];
    bool any = false;
    printf("  not an MQL at as-of (%s):", lf_stage_name((lf_stage)stage));
#define WHY(...) (printf("%s", any ? ";" : ""), printf(" " __VA_ARGS__), any = true)
    if (!has_email)
        WHY("no email");
    if (!lf_score_state_has_required(ss)) {
        WHY("a required attribute is missing (");
        for (size_t i = 0; i < r->nrequire; i++)
            printf("%s%s", i ? ", " : "", r->require[i]);
        printf(")");
    }
    double tol = LF_SCORE_EPSILON;
    if (r->has_fit && fit < r->fit_at_least - tol * fmax(1, fabs(r->fit_at_least)))
        WHY("fit %s < %s", num(fit, a, sizeof a), num(r->fit_at_least, b, sizeof b));
    if (r->has_engagement &&
        eng < r->engagement_at_least - tol * fmax(1, fabs(r->engagement_at_least)))
        WHY("engagement %s < %s", num(eng, a, sizeof a), num(r->engagement_at_least, b, sizeof b));
    if (r->has_total && fit + eng < r->total_at_least - tol * fmax(1, fabs(r->total_at_least)))
        WHY("total %s < %s", num(fit + eng, a, sizeof a), num(r->total_at_least, b, sizeof b));
    if (r->has_grade && lf_score_state_grade(ss) > r->grade_at_least)
        WHY("grade %c, needs %c or better", lf_score_state_grade(ss), r->grade_at_least);
#undef WHY
    if (!any)
        printf(" the rule holds now, but it is checked only at created_at and at activities");
    putchar('\n');
}

static void print_scoring(const cli_ctx *ctx, const lf_score_state *ss, const lf_lead_state *st,
                          const collected *c, lf_time as_of, bool has_email)
{
    const lf_scoring *sc = &ctx->ws.cfg.scoring;
    char a[48], b[32], d[32], e[32];
    double fit = lf_score_state_fit(ss);
    size_t nhits, naw;
    const lf_fit_hit *hits = lf_score_state_fit_hits(ss, &nhits);
    const lf_award *aw = lf_score_state_awards(ss, &naw);
    double eng = engagement_at(&ctx->ws.cfg, st, aw, naw, as_of);
    printf("scoring (as of %s)\n", when(ctx, as_of, a, sizeof a));
    printf("  fit %s, grade %c\n", num(fit, b, sizeof b), lf_score_state_grade(ss));
    for (size_t i = 0; i < nhits; i++)
        printf("    %+4g  fit rule at line %d\n", hits[i].points, sc->fit[hits[i].rule].line);
    if (!nhits)
        printf("    no fit rule matched\n");
    printf("  engagement %s, total %s\n", num(eng, b, sizeof b), num(fit + eng, d, sizeof d));
    uint32_t now_epoch = epoch_at(st, as_of);
    for (size_t i = 0; i < naw; i++) {
        const lf_award *w = &aw[i];
        const lf_engagement_rule *r = &sc->engagement[w->rule];
        printf("    #%-6lld %s  ", (long long)c->ev[w->event].seq, when(ctx, w->ts, a, sizeof a));
        cli_put_text(stdout, c->ev[w->event].type);
        printf("  rule at line %d: %s", r->line, num(w->points, b, sizeof b));
        if (w->awarded != w->points)
            printf(", given %s (capped)", num(w->awarded, b, sizeof b));
        if (w->ts > as_of)
            printf(", after as-of");
        else if (w->epoch != now_epoch)
            printf(", void (engagement restarted after a rejection)");
        else if (sc->half_life_usec > 0)
            printf(", worth %s now",
                   num(w->awarded * exp2(-(double)(as_of - w->ts) / (double)sc->half_life_usec),
                       e, sizeof e));
        putchar('\n');
    }
    if (!naw)
        printf("    no activity scored\n");
    for (size_t i = 0; i < st->nhandoffs; i++) {
        const lf_handoff *h = &st->handoffs[i];
        printf("  at MQL #%zu %s: total %s = fit %s + engagement %s, grade %c%s\n", i + 1,
               when(ctx, h->mql_at, a, sizeof a), num(h->score, b, sizeof b),
               num(fit, d, sizeof d), num(h->score - fit, e, sizeof e), lf_scoring_grade(sc, fit),
               h->mql_at > as_of ? " (after as-of)" : "");
    }
    print_rule(&sc->mql);
    print_why_not(ctx, ss, st, as_of, fit, eng, has_email);
}

int cmd_lead(cli_ctx *ctx, int argc, char **argv)
{
    const cli_command *cmd = cli_find("lead");
    const char *id = NULL, *as_of_text = NULL;
    for (int i = 1; i < argc;) {
        const char *v;
        int m = cli_opt(cmd, argc, argv, &i, "as-of", &v);
        if (m < 0)
            return 1;
        if (m > 0) {
            as_of_text = v;
            continue;
        }
        if (argv[i][0] == '-' && argv[i][1])
            return cli_usage(cmd, "unknown option '%s'", argv[i]);
        if (id)
            return cli_usage(cmd, "too many arguments");
        id = argv[i++];
    }
    if (!id)
        return cli_usage(cmd, "lead needs an ID");
    int code = cli_open_workspace(ctx);
    if (code)
        return code;
    int32_t d0, d1;
    lf_time as_of;
    if ((code = cli_parse_range(ctx, cmd, NULL, NULL, as_of_text, &d0, &d1, &as_of)) != 0)
        return code;
    lf_lead_row row;
    bool found;
    lf_error err;
    lf_status s = lf_store_lead_get(ctx->ws.store, id, &row, &found, &err);
    if (s != LF_OK)
        return cli_fail(s, "%s", err.msg);
    if (!found)
        return cli_fail(LF_EINPUT, "unknown lead '%s'", id);
    char a[48], b[256];
    printf("lead ");
    cli_put_text(stdout, row.id);
    putchar('\n');
    field_line("email", row.email);
    field_line("created_at", when(ctx, row.created_at, a, sizeof a));
    field_line("source", row.source);
    field_line("channel", row.channel);
    field_line("origin", row.origin);
    field_line("persona", row.persona);
    printf("attributes\n  %s\n", row.attrs_json);
    lf_lead_input in = {.created_at = row.created_at, .has_email = row.email && *row.email};
    collected c = {0};
    s = lf_store_lead_events(ctx->ws.store, row.rowid, collect, &c, &err);
    if (s != LF_OK) {
        collected_release(&c);
        return cli_fail(s, "%s", err.msg);
    }
    in.events = c.ev;
    in.nevents = c.n;
    /* scoring, with explanations: the lead's attributes as stored */
    lf_scoring_model *model = NULL;
    lf_score_state *ss = NULL;
    lf_scorer scorer;
    s = lf_scoring_model_new(&ctx->ws.cfg, &model, &err);
    if (s == LF_OK && model) {
        ss = lf_score_state_new(model);
        lf_row_attrs ra;
        s = ss ? lf_row_attrs_load(&ra, &ctx->ws.cfg, &row, false, &err)
               : lf_errorf(&err, LF_ENOMEM, "out of memory");
        if (s == LF_OK) {
            lf_attrs at = lf_lead_facts_attrs(&ra.f);
            lf_score_state_lead(ss, &at, true);
            lf_score_state_scorer(ss, &scorer);
        }
        if (ss)
            lf_row_attrs_release(&ra);
    }
    lf_lead_state st;
    lf_lead_state_init(&st);
    if (s == LF_OK)
        s = lf_lifecycle_replay(&in, ss ? &scorer : NULL, &st, &err);
    if (s != LF_OK) {
        lf_lead_state_release(&st);
        collected_release(&c);
        lf_score_state_free(ss);
        lf_scoring_model_free(model);
        return cli_fail(s, "%s", err.msg);
    }
    printf("stage\n  %s since %s\n", lf_stage_name((lf_stage)st.stage),
           when(ctx, st.stage_since, a, sizeof a));
    printf("transitions\n");
    for (size_t i = 0; i < st.ntrans; i++) {
        const lf_transition *t = &st.trans[i];
        char arrow[40];
        snprintf(arrow, sizeof arrow, "%s -> %s",
                 t->from == LF_STAGE_NONE ? "(new)" : lf_stage_name((lf_stage)t->from),
                 lf_stage_name((lf_stage)t->to));
        printf("  %s  %-26s %s\n", when(ctx, t->ts, a, sizeof a), arrow,
               cause_text(t, c.ev, b, sizeof b));
    }
    printf("handoffs\n");
    if (!st.nhandoffs)
        printf("  none\n");
    for (size_t i = 0; i < st.nhandoffs; i++)
        print_handoff(ctx, i, &st.handoffs[i], c.ev, as_of);
    if (ss)
        print_scoring(ctx, ss, &st, &c, as_of, in.has_email);
    /* events in replay order, and why ignored ones were (by the stage each met) */
    printf("events\n");
    if (!c.n)
        printf("  none\n");
    size_t gi = 0;
    for (size_t k = 0; k < c.n; k++) {
        int32_t idx = st.order[k];
        const lf_event *e = &c.ev[idx];
        printf("  #%-6lld %s  ", (long long)e->seq, when(ctx, e->ts, a, sizeof a));
        cli_put_text(stdout, e->type);
        if (e->detail)
            printf(" "), cli_put_text(stdout, e->detail);
        if (e->has_amount)
            printf(" amount %.2f", e->amount);
        if (e->reason)
            printf(" reason '"), cli_put_text(stdout, e->reason), printf("'");
        if (gi < st.nignored && st.ignored[gi] == idx) {
            printf("  [ignored: %s]", lf_ignored_reason(e, st.ignored_stage[gi], row.created_at,
                                                        in.has_email, b, sizeof b));
            gi++;
        }
        putchar('\n');
    }
    lf_lead_state_release(&st);
    collected_release(&c);
    lf_score_state_free(ss);
    lf_scoring_model_free(model);
    return 0;
}
