/*
 * cmd_whatif.c — `leadflow whatif --config OTHER.yaml [--from DATE] [--to DATE]
 * [--as-of TS]`: replays history under another configuration without touching the
 * store and compares it with the current one (leadflow.yaml) over the range.
 *
 * Both sides are replayed from the event log in memory (the current side too, so the
 * comparison is fair even before a `rescore`). Side by side: MQLs (handoffs opened in
 * the range), the leads they belong to, accepted and rejected by as-of, the acceptance
 * rate, and customers (leads with a handoff in the range that are customers by as-of).
 * Then the leads the other rules add and drop, each with what it actually did.
 *
 * Front end only: the comparison is lf_app_whatif_run (leadflow/app_replay.h); this
 * file parses the options and prints the figures side by side.
 */
#include <string.h>

#include "cli.h"
#include "leadflow/app_replay.h"
#include "leadflow/text.h"

#define WHATIF_LIST 20

typedef struct lead_list {
    int64_t shown[2], more[2];
    lf_buf lines[2]; /* 0 = dropped, 1 = added */
    lf_status st;    /* the first failed append to lines */
} lead_list;

static void on_lead(void *ctx, bool added, const char *id, int did)
{
    lead_list *l = ctx;
    int k = added ? 1 : 0;
    if (l->shown[k] >= WHATIF_LIST) {
        l->more[k]++;
        return;
    }
    l->shown[k]++;
    if (l->st == LF_OK)
        l->st = lf_buf_adds(&l->lines[k], "  ");
    if (l->st == LF_OK)
        l->st = cli_add_text(&l->lines[k], id); /* lead ids come from the data */
    if (l->st == LF_OK)
        l->st = lf_buf_addf(&l->lines[k], "  %s\n", lf_app_did_name(did));
}

static void rate_cell(char *buf, size_t size, int64_t num, int64_t den)
{
    if (den == 0)
        snprintf(buf, size, "\xe2\x80\x93");
    else
        snprintf(buf, size, "%.1f%%", 100.0 * (double)num / (double)den);
}

/* s right-aligned in w terminal columns (UTF-8 aware: "–" is one column). */
static void right(const char *s, int w)
{
    int cols = 0;
    for (const char *p = s; *p; p++)
        cols += ((unsigned char)*p & 0xC0) != 0x80;
    printf(" %*s%s", w > cols ? w - cols : 0, "", s);
}

static void print_row(const char *label, int64_t a, int64_t b)
{
    char x[32], y[32];
    lf_fmt_count(a, x, sizeof x);
    lf_fmt_count(b, y, sizeof y);
    printf("%-22s %10s %10s %+10lld\n", label, x, y, (long long)(b - a));
}

static void print_did(const char *what, const int64_t *n, int64_t shown, int64_t more,
                      const lf_buf *lines)
{
    int64_t total = 0;
    for (int d = 0; d < LF_APP_DID_COUNT; d++)
        total += n[d];
    char t[32];
    lf_fmt_count(total, t, sizeof t);
    printf("\nleads the other rules %s: %s", what, t);
    if (total) {
        printf("\n  what they actually did:");
        for (int d = 0; d < LF_APP_DID_COUNT; d++)
            printf("%s %lld %s", d ? "," : "", (long long)n[d], lf_app_did_name(d));
        printf("\n");
    } else {
        printf("\n");
    }
    if (shown)
        fwrite(lines->data, 1, lines->len, stdout);
    if (more)
        printf("  ... and %lld more\n", (long long)more);
}

static int parse_opts(const cli_command *cmd, int argc, char **argv, lf_app_whatif *o)
{
    cli_range_opts r = {0}; /* --from, --to, --as-of */
    for (int i = 1; i < argc;) {
        int m = cli_opt(cmd, argc, argv, &i, "config", &o->other);
        if (m == 0)
            m = cli_range_opt(cmd, argc, argv, &i, CLI_OPT_FROM | CLI_OPT_TO | CLI_OPT_AS_OF, &r);
        if (m < 0)
            return 1;
        if (m == 0)
            return cli_bad_arg(cmd, argv[i]);
    }
    o->from = r.from;
    o->to = r.to;
    o->as_of = r.as_of;
    if (!o->other)
        return cli_usage(cmd, "whatif needs --config OTHER.yaml");
    return 0;
}

/* The acceptance rate row: both rates and their difference in points. */
static void print_rates(const lf_app_whatif_side *c, const lf_app_whatif_side *o)
{
    char x[32], y[32], z[32];
    rate_cell(x, sizeof x, c->accepted, c->accepted + c->rejected);
    rate_cell(y, sizeof y, o->accepted, o->accepted + o->rejected);
    if (c->accepted + c->rejected && o->accepted + o->rejected)
        snprintf(z, sizeof z, "%+.1f pts",
                 100.0 * ((double)o->accepted / (double)(o->accepted + o->rejected) -
                          (double)c->accepted / (double)(c->accepted + c->rejected)));
    else
        snprintf(z, sizeof z, "\xe2\x80\x93");
    printf("%-22s", "acceptance rate");
    right(x, 10);
    right(y, 10);
    right(z, 10);
    putchar('\n');
}

static void print_result(const cli_ctx *ctx, const lf_app_whatif *w, const lead_list *list)
{
    char f[16], t[16], a[48];
    lf_date_format(w->range.from_day, f, sizeof f);
    lf_date_format(w->range.to_day - 1, t, sizeof t);
    lf_time_format_utc(w->range.as_of, a, sizeof a);
    printf("whatif: leadflow.yaml (current) vs ");
    cli_put_text(stdout, w->other);
    printf(" (other)");
    printf("\n%s..%s, as of %s (%s)\n\n", f, t, a, lf_tz_name(ctx->ws.cfg.tz));
    printf("%-22s %10s %10s %10s\n", "", "current", "other", "change");
    const lf_app_whatif_side *c = &w->side[0], *o = &w->side[1];
    print_row("MQLs (handoffs)", c->mqls, o->mqls);
    print_row("MQL leads", c->mql_leads, o->mql_leads);
    print_row("accepted", c->accepted, o->accepted);
    print_row("rejected", c->rejected, o->rejected);
    print_rates(c, o);
    print_row("customers from MQLs", c->customers, o->customers);
    print_did("add", w->added, list->shown[1], list->more[1], &list->lines[1]);
    print_did("drop", w->dropped, list->shown[0], list->more[0], &list->lines[0]);
    printf("\nMQLs: handoffs opened in the range by as-of; acceptance rate = accepted /\n"
           "(accepted + rejected); customers from MQLs: leads with a handoff in the range\n"
           "that are customers by as-of; what a lead did is its real history: the first of\n"
           "won, accepted (entered sql), rejected (or disqualified), contacted, never\n"
           "contacted; a lead is added or dropped when it has an MQL in the range under one\n"
           "configuration only (an MQL that moved out of the range counts)\n");
}

int cmd_whatif(cli_ctx *ctx, int argc, char **argv)
{
    const cli_command *cmd = cli_find("whatif");
    lead_list list;
    memset(&list, 0, sizeof list);
    lf_app_whatif w = {.on_lead = on_lead, .ctx = &list};
    int code = parse_opts(cmd, argc, argv, &w);
    if (code)
        return code;
    lf_buf_init(&list.lines[0], 0);
    lf_buf_init(&list.lines[1], 0);
    lf_error err;
    lf_status s = lf_app_whatif_run(&ctx->ws, &w, &err);
    if (s == LF_OK && list.st != LF_OK)
        s = lf_errorf(&err, list.st, "out of memory listing the leads added and dropped");
    if (s == LF_OK)
        print_result(ctx, &w, &list);
    lf_buf_release(&list.lines[0]);
    lf_buf_release(&list.lines[1]);
    if (s == LF_EUSAGE)
        return cli_usage(cmd, "%s", err.msg);
    return s == LF_OK ? 0 : cli_fail(s, "%s", err.msg);
}
