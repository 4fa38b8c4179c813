/*
 * cmd_lead.c — `leadflow lead ID`: one lead explained.
 *
 * The lead's stored events are replayed through the same pure lifecycle engine the
 * importer uses, so what is shown is exactly the derived state in the store, with
 * the reasons: which event caused each transition, why an event was ignored, and
 * each handoff's response time on the SLA clock against its deadline.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "leadflow/buf.h"
#include "leadflow/lifecycle.h"
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
    lf_time_format_local(ctx->cfg.tz, t, buf, n);
    return buf;
}

/* Prints text from the data with control bytes escaped. */
static void put_text(const char *s)
{
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c < 0x20 || c == 0x7f)
            printf("\\x%02x", c);
        else
            putchar(c);
    }
}

static void field_line(const char *name, const char *value)
{
    printf("  %-12s ", name);
    put_text(value && *value ? value : "-");
    putchar('\n');
}

/* Why event idx (a lifecycle event) did not apply, given the stage it met. */
static const char *ignore_reason(const lf_event *e, uint8_t stage, lf_time created,
                                 bool has_email, char *buf, size_t n)
{
    if (e->ts < created)
        return "before the lead's created_at";
    if (e->kind == LF_EV_MQL && !has_email && (stage == LF_STAGE_LEAD || stage == LF_STAGE_RECYCLED))
        return "the lead has no email";
    if (lf_stage_is_terminal((lf_stage)stage))
        snprintf(buf, n, "stage '%s' is terminal", lf_stage_name((lf_stage)stage));
    else
        snprintf(buf, n, "does not apply in stage '%s'", lf_stage_name((lf_stage)stage));
    return buf;
}

static const char *cause_text(const lf_transition *t, const lf_event *ev, char *buf, size_t n)
{
    switch (t->cause) {
    case LF_CAUSE_CREATED:
        return "lead created";
    case LF_CAUSE_SCORE:
        return t->event >= 0 ? "MQL rule met after an activity" : "MQL rule met at creation";
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

static void print_handoff(const cli_ctx *ctx, size_t i, const lf_handoff *h, const lf_event *ev)
{
    char a[48], b[48];
    static const char *const outcome[] = {"pending", "accepted", "rejected"};
    printf("  #%zu mql_at %s  %s", i + 1, when(ctx, h->mql_at, a, sizeof a),
           outcome[h->outcome]);
    if (h->decided_at != LF_TIME_NONE)
        printf(" %s", when(ctx, h->decided_at, b, sizeof b));
    if (h->outcome == LF_OUTCOME_REJECTED && h->close_event >= 0 && ev[h->close_event].reason)
        printf(" (reason: "), put_text(ev[h->close_event].reason), printf(")");
    putchar('\n');
    if (ctx->cfg.has_sla) {
        const lf_duration *sla = &ctx->cfg.sla;
        bool biz = sla->clock == LF_CLOCK_BUSINESS;
        lf_time deadline = biz ? lf_bclock_add(&ctx->cfg.calendar, h->mql_at, sla->usec)
                               : h->mql_at + sla->usec;
        printf("     SLA %s (%s clock), deadline %s", sla->text, biz ? "business" : "calendar",
               when(ctx, deadline, a, sizeof a));
        if (h->decided_at != LF_TIME_NONE) {
            int64_t resp = biz ? lf_bclock_between(&ctx->cfg.calendar, h->mql_at, h->decided_at)
                               : h->decided_at - h->mql_at;
            print_hours(", response", resp);
            printf(", %s", h->decided_at <= deadline ? "within SLA" : "late");
        }
        putchar('\n');
    }
    if (h->first_contact_at != LF_TIME_NONE) {
        printf("     first contact %s,", when(ctx, h->first_contact_at, a, sizeof a));
        print_hours("", h->first_contact_at - h->mql_at);
        printf(" after mql_at (target %s)\n", ctx->cfg.speed_target.text);
    } else {
        printf("     no contact\n");
    }
}

int cmd_lead(cli_ctx *ctx, int argc, char **argv)
{
    const cli_command *cmd = cli_find("lead");
    if (argc != 2)
        return cli_usage(cmd, argc < 2 ? "lead needs an ID" : "too many arguments");
    int code = cli_open_workspace(ctx);
    if (code)
        return code;
    lf_lead_row row;
    bool found;
    lf_error err;
    lf_status s = lf_store_lead_get(ctx->store, argv[1], &row, &found, &err);
    if (s != LF_OK)
        return cli_fail(s, "%s", err.msg);
    if (!found)
        return cli_fail(LF_EINPUT, "unknown lead '%s'", argv[1]);
    char a[48], b[256];
    printf("lead ");
    put_text(row.id);
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
    s = lf_store_lead_events(ctx->store, row.rowid, collect, &c, &err);
    if (s != LF_OK) {
        collected_release(&c);
        return cli_fail(s, "%s", err.msg);
    }
    in.events = c.ev;
    in.nevents = c.n;
    lf_lead_state st;
    lf_lead_state_init(&st);
    s = lf_lifecycle_replay(&in, NULL, &st, &err);
    if (s != LF_OK) {
        lf_lead_state_release(&st);
        collected_release(&c);
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
        print_handoff(ctx, i, &st.handoffs[i], c.ev);
    /* events in replay order, with the stage each met and why ignored ones were */
    printf("events\n");
    if (!c.n)
        printf("  none\n");
    uint8_t stage = LF_STAGE_LEAD;
    size_t ti = 1, gi = 0;
    for (size_t k = 0; k < c.n; k++) {
        int32_t idx = st.order[k];
        const lf_event *e = &c.ev[idx];
        printf("  #%-6lld %s  ", (long long)e->seq, when(ctx, e->ts, a, sizeof a));
        put_text(e->type);
        if (e->detail)
            printf(" "), put_text(e->detail);
        if (e->has_amount)
            printf(" amount %.2f", e->amount);
        if (e->reason)
            printf(" reason '"), put_text(e->reason), printf("'");
        if (gi < st.nignored && st.ignored[gi] == idx) {
            printf("  [ignored: %s]",
                   ignore_reason(e, stage, row.created_at, in.has_email, b, sizeof b));
            gi++;
        }
        putchar('\n');
        while (ti < st.ntrans && st.trans[ti].event == idx)
            stage = st.trans[ti++].to;
        /* a score transition after this activity, or the creation-time one */
        while (ti < st.ntrans && st.trans[ti].cause == LF_CAUSE_SCORE && st.trans[ti].event < 0)
            stage = st.trans[ti++].to;
    }
    lf_lead_state_release(&st);
    collected_release(&c);
    return 0;
}
