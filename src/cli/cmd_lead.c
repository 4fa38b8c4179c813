/*
 * cmd_lead.c — `leadflow lead ID [--as-of TS]`: one lead explained.
 *
 * Front end only: parses the arguments, asks the application layer for the lead's
 * explanation (leadflow/lead_explain.h: the stored events replayed through the same
 * lifecycle engine and scorer the importer uses) and renders it as text: the lead's
 * columns and attributes, its stage, each transition with its cause, each handoff with
 * its response on the SLA clock against the deadline, the scoring (fit rules that
 * matched, each activity's awards after caps and decay, the scores at as-of and at each
 * MQL, the MQL rule and why the lead is not an MQL) and the events, with why the
 * ignored ones were. Times are shown in the workspace zone; data text is escaped for
 * the terminal.
 */
#include <string.h>

#include "cli.h"
#include "leadflow/app_range.h"
#include "leadflow/lead_explain.h"

static const char *when(const lf_tz *tz, lf_time t, char *buf, size_t n)
{
    if (t == LF_TIME_NONE)
        return "-";
    lf_time_format_local(tz, t, buf, n);
    return buf;
}

static void field_line(const char *name, const char *value)
{
    printf("  %-12s ", name);
    cli_put_text(stdout, value && *value ? value : "-");
    putchar('\n');
}

static const char *cause_text(const lf_lead_explain *x, const lf_lx_transition *t, char *buf,
                              size_t n)
{
    const lf_lx_event *e = t->event >= 0 ? &x->events[t->event] : NULL;
    switch (t->cause) {
    case LF_CAUSE_CREATED:
        return "lead created";
    case LF_CAUSE_SCORE:
        if (!e)
            return "MQL rule met at creation (score)";
        snprintf(buf, n, "MQL rule met by the score after '%s' #%lld", e->type,
                 (long long)e->seq);
        return buf;
    case LF_CAUSE_SKIP:
        snprintf(buf, n, "skipped through by '%s' (event #%lld)", e->type, (long long)e->seq);
        return buf;
    default:
        snprintf(buf, n, "event '%s' #%lld", e->type, (long long)e->seq);
        return buf;
    }
}

static void print_hours(const char *label, int64_t usec)
{
    printf("%s %.2f h", label, (double)usec / (double)LF_USEC_PER_HOUR);
}

static void print_handoff(const lf_tz *tz, const lf_lead_explain *x, size_t i)
{
    const lf_lx_handoff *h = &x->handoffs[i];
    char a[48], b[48];
    printf("  #%zu mql_at %s  %s", i + 1, when(tz, h->mql_at, a, sizeof a),
           lf_outcome_name(h->outcome));
    if (h->decided_at != LF_TIME_NONE)
        printf(" %s", when(tz, h->decided_at, b, sizeof b));
    if (h->outcome == LF_OUTCOME_REJECTED && h->close_event >= 0 &&
        x->events[h->close_event].reason)
        printf(" (reason: "), cli_put_text(stdout, x->events[h->close_event].reason), printf(")");
    putchar('\n');
    if (x->has_sla) {
        printf("     SLA %s (%s clock), deadline %s", x->sla_text,
               x->sla_business ? "business" : "calendar", when(tz, h->deadline, a, sizeof a));
        if (h->decided_at != LF_TIME_NONE) {
            print_hours(", response", h->response_usec);
            printf(", %s", h->within_sla ? "within SLA" : "late");
        } else if (h->overdue) {
            printf(", overdue at as-of");
        }
        putchar('\n');
    }
    if (h->first_contact_at != LF_TIME_NONE) {
        printf("     first contact %s,", when(tz, h->first_contact_at, a, sizeof a));
        print_hours("", h->contact_usec);
        printf(" after mql_at (target %s)\n", x->speed_target_text);
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
static void print_why_not(const lf_lx_scoring *sc)
{
    if (sc->stage_at_as_of == LF_STAGE_NONE) {
        printf("  the lead was created after as-of\n");
        return;
    }
    if (!sc->qualifiable)
        return;
    const lf_mql_rule *r = sc->rule;
    char a[32], b[32];
    bool any = false;
    printf("  not an MQL at as-of (%s):", lf_stage_name((lf_stage)sc->stage_at_as_of));
#define WHY(...) (printf("%s", any ? ";" : ""), printf(" " __VA_ARGS__), any = true)
    if (sc->why_not & LF_LX_WHY_NO_EMAIL)
        WHY("no email");
    if (sc->why_not & LF_LX_WHY_REQUIRED) {
        WHY("a required attribute is missing (");
        for (size_t i = 0; i < r->nrequire; i++)
            printf("%s%s", i ? ", " : "", r->require[i]);
        printf(")");
    }
    if (sc->why_not & LF_LX_WHY_FIT)
        WHY("fit %s < %s", num(sc->fit, a, sizeof a), num(r->fit_at_least, b, sizeof b));
    if (sc->why_not & LF_LX_WHY_ENGAGEMENT)
        WHY("engagement %s < %s", num(sc->engagement, a, sizeof a),
            num(r->engagement_at_least, b, sizeof b));
    if (sc->why_not & LF_LX_WHY_TOTAL)
        WHY("total %s < %s", num(sc->total, a, sizeof a), num(r->total_at_least, b, sizeof b));
    if (sc->why_not & LF_LX_WHY_GRADE)
        WHY("grade %c, needs %c or better", sc->grade, r->grade_at_least);
#undef WHY
    if (!any)
        printf(" the rule holds now, but it is checked only at created_at and at activities");
    putchar('\n');
}

static void print_award(const lf_tz *tz, const lf_lead_explain *x, const lf_lx_award *w)
{
    char a[48], b[32];
    const lf_lx_event *e = &x->events[w->event];
    printf("    #%-6lld %s  ", (long long)e->seq, when(tz, w->ts, a, sizeof a));
    cli_put_text(stdout, e->type);
    printf("  rule at line %d: %s", w->line, num(w->points, b, sizeof b));
    if (w->awarded != w->points)
        printf(", given %s (capped)", num(w->awarded, b, sizeof b));
    if (w->status == LF_LX_AWARD_AFTER)
        printf(", after as-of");
    else if (w->status == LF_LX_AWARD_VOID)
        printf(", void (engagement restarted after a rejection)");
    else if (x->scoring.decays)
        printf(", worth %s now", num(w->worth, b, sizeof b));
    putchar('\n');
}

static void print_scoring(const lf_tz *tz, const lf_lead_explain *x)
{
    const lf_lx_scoring *sc = &x->scoring;
    char a[48], b[32], d[32], e[32];
    printf("scoring (as of %s)\n", when(tz, x->as_of, a, sizeof a));
    printf("  fit %s, grade %c\n", num(sc->fit, b, sizeof b), sc->grade);
    for (size_t i = 0; i < sc->nhits; i++)
        printf("    %+4g  fit rule at line %d\n", sc->hits[i].points, sc->hits[i].line);
    if (!sc->nhits)
        printf("    no fit rule matched\n");
    printf("  engagement %s, total %s\n", num(sc->engagement, b, sizeof b),
           num(sc->total, d, sizeof d));
    for (size_t i = 0; i < sc->nawards; i++)
        print_award(tz, x, &sc->awards[i]);
    if (!sc->nawards)
        printf("    no activity scored\n");
    for (size_t i = 0; i < sc->nmqls; i++) {
        const lf_lx_mql *m = &sc->mqls[i];
        printf("  at MQL #%zu %s: total %s = fit %s + engagement %s, grade %c%s\n", i + 1,
               when(tz, m->mql_at, a, sizeof a), num(m->total, b, sizeof b),
               num(m->fit, d, sizeof d), num(m->engagement, e, sizeof e), m->grade,
               m->after_as_of ? " (after as-of)" : "");
    }
    print_rule(sc->rule);
    print_why_not(sc);
}

/* The lead's columns, attributes, stage and transitions. */
static void print_lead(const lf_tz *tz, const lf_lead_explain *x)
{
    char a[48], b[256];
    printf("lead ");
    cli_put_text(stdout, x->id);
    putchar('\n');
    field_line("email", x->email);
    field_line("created_at", when(tz, x->created_at, a, sizeof a));
    field_line("source", x->source);
    field_line("channel", x->channel);
    field_line("origin", x->origin);
    field_line("persona", x->persona);
    printf("attributes\n  %s\n", x->attrs_json);
    printf("stage\n  %s since %s\n", lf_stage_name((lf_stage)x->stage),
           when(tz, x->stage_since, a, sizeof a));
    printf("transitions\n");
    for (size_t i = 0; i < x->ntrans; i++) {
        const lf_lx_transition *t = &x->trans[i];
        char arrow[40];
        snprintf(arrow, sizeof arrow, "%s -> %s",
                 t->from == LF_STAGE_NONE ? "(new)" : lf_stage_name((lf_stage)t->from),
                 lf_stage_name((lf_stage)t->to));
        printf("  %s  %-26s ", when(tz, t->ts, a, sizeof a), arrow);
        cli_put_text(stdout, cause_text(x, t, b, sizeof b)); /* quotes the event type */
        putchar('\n');
    }
}

/* Events in replay order, and why ignored ones were (by the stage each met). */
static void print_events(const lf_tz *tz, const lf_lead_explain *x)
{
    char a[48];
    printf("events\n");
    if (!x->nevents)
        printf("  none\n");
    for (size_t k = 0; k < x->nevents; k++) {
        const lf_lx_event *e = &x->events[k];
        printf("  #%-6lld %s  ", (long long)e->seq, when(tz, e->ts, a, sizeof a));
        cli_put_text(stdout, e->type);
        if (e->detail)
            printf(" "), cli_put_text(stdout, e->detail);
        if (e->has_amount)
            printf(" amount %.2f", e->amount);
        if (e->reason)
            printf(" reason '"), cli_put_text(stdout, e->reason), printf("'");
        if (e->ignored) { /* the reason quotes the event type: data text */
            printf("  [ignored: ");
            cli_put_text(stdout, e->ignored_reason);
            putchar(']');
        }
        putchar('\n');
    }
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
        if (strcmp(argv[i], "--") == 0) { /* the ID follows, even "-7" */
            if (id || argc - i != 2)
                return cli_usage(cmd, argc - i < 2 ? "lead needs an ID" : "too many arguments");
            id = argv[i + 1];
            break;
        }
        if (argv[i][0] == '-' && argv[i][1])
            return cli_usage(cmd, "unknown option '%s' (%s '-' goes after --)", argv[i],
                             "an ID that starts with");
        if (id)
            return cli_usage(cmd, "too many arguments");
        id = argv[i++];
    }
    if (!id)
        return cli_usage(cmd, "lead needs an ID");
    int code = cli_open_workspace(ctx);
    if (code)
        return code;
    const lf_tz *tz = ctx->ws.cfg.tz;
    lf_time as_of;
    lf_lead_explain x;
    lf_error err;
    lf_status s = lf_app_as_of(tz, as_of_text, &as_of, &err);
    if (s != LF_OK)
        return cli_usage(cmd, "%s", err.msg);
    if ((s = lf_lead_explain_run(&ctx->ws, id, as_of, &x, &err)) != LF_OK)
        return cli_fail(s, "%s", err.msg);
    print_lead(tz, &x);
    printf("handoffs\n");
    if (!x.nhandoffs)
        printf("  none\n");
    for (size_t i = 0; i < x.nhandoffs; i++)
        print_handoff(tz, &x, i);
    if (x.has_scoring)
        print_scoring(tz, &x);
    print_events(tz, &x);
    lf_lead_explain_release(&x);
    return 0;
}
