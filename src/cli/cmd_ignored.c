/*
 * cmd_ignored.c — `leadflow ignored`: the imported events that did not apply (SPEC §7),
 * with the input file and line they came from, the lead, the type and why, e.g.
 * `events.csv:12: L-991 accepted: accepted while in sql`. The reasons are those the
 * lifecycle recorded at the lead's last replay, so they always match the reports.
 * Data text (file names, ids, types) is escaped for the terminal. Front end only: the
 * events come from lf_app_ignored_events (leadflow/app_import.h).
 */
#include <string.h>

#include "cli.h"
#include "leadflow/app_import.h"

typedef struct ignored_ctx {
    const cli_ctx *cli;
    long n;
} ignored_ctx;

static lf_status show(void *ctx, const lf_app_ignored *g)
{
    ignored_ctx *x = ctx;
    x->n++;
    if (g->file) {
        cli_put_text(stdout, g->file);
        printf(":%ld: ", g->line);
    } else {
        printf("event #%lld: ", (long long)g->seq); /* imported before files were kept */
    }
    char when[64];
    lf_time_format_local(x->cli->ws.cfg.tz, g->ts, when, sizeof when);
    cli_put_text(stdout, g->lead_id);
    printf(" %s ", when);
    cli_put_text(stdout, g->type);
    fputs(": ", stdout);
    cli_put_text(stdout, g->reason);
    putchar('\n');
    return LF_OK;
}

int cmd_ignored(cli_ctx *ctx, int argc, char **argv)
{
    (void)argv;
    if (argc > 1)
        return cli_usage(cli_find("ignored"), "too many arguments");
    int code = cli_open_workspace(ctx);
    if (code)
        return code;
    lf_error err;
    ignored_ctx x = {.cli = ctx};
    lf_status s = lf_app_ignored_events(&ctx->ws, show, &x, &err);
    if (s != LF_OK)
        return cli_fail(s, "%s", err.msg);
    if (x.n == 0)
        puts("no ignored events");
    return 0;
}
