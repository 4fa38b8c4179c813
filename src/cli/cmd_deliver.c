/*
 * cmd_deliver.c — `leadflow deliver [--list | --retry-failed]`: one pass of alerts
 * for cron (every alert due now added to the outbox, then every due delivery sent
 * once), the outbox's pending and failed deliveries, or the failed ones queued again.
 * Front end only: leadflow/app_deliver.h does the work.
 *
 * Output of a pass: one line, "deliver: N due, N sent, N to retry, N failed". Exit 0
 * whatever the receivers answered (their failures are in `deliver --list`); 3 / 4 for
 * the configuration and the store.
 */
#include <string.h>

#include "cli.h"
#include "leadflow/app_deliver.h"

static lf_status show(void *ctx, const lf_app_delivery *d)
{
    const lf_tz *tz = ctx;
    char created[48], next[48];
    lf_time_format_local(tz, d->created_at, created, sizeof created);
    lf_time_format_local(tz, d->next_at, next, sizeof next);
    printf("%s %s %s lead ", d->id, d->status, d->type);
    cli_put_text(stdout, d->lead_id ? d->lead_id : "-");
    printf(" at %s attempts %d", created, d->attempts);
    if (!strcmp(d->status, "pending"))
        printf(" next %s", next);
    fputs("\n  ", stdout);
    cli_put_text(stdout, d->endpoint);
    if (d->last_error) {
        fputs(": ", stdout);
        cli_put_text(stdout, d->last_error);
    }
    putchar('\n');
    return LF_OK;
}

static int list(cli_ctx *ctx)
{
    lf_error err;
    lf_status s = lf_app_deliver_list(&ctx->ws, show, (void *)ctx->ws.cfg.tz, &err);
    return s == LF_OK ? 0 : cli_fail(s, "%s", err.msg);
}

static int retry_failed(cli_ctx *ctx)
{
    lf_error err;
    int64_t n = 0;
    lf_status s = lf_app_deliver_retry_failed(&ctx->ws, &n, &err);
    if (s != LF_OK)
        return cli_fail(s, "%s", err.msg);
    printf("deliver: %lld failed deliver%s pending again\n", (long long)n,
           n == 1 ? "y" : "ies");
    return 0;
}

int cmd_deliver(cli_ctx *ctx, int argc, char **argv)
{
    const cli_command *cmd = cli_find("deliver");
    bool do_list = false, do_retry = false;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--list"))
            do_list = true;
        else if (!strcmp(argv[i], "--retry-failed"))
            do_retry = true;
        else
            return cli_usage(cmd, "unexpected argument '%s'", argv[i]);
    }
    if (do_list && do_retry)
        return cli_usage(cmd, "--list and --retry-failed do not go together");
    int code = cli_open_workspace(ctx);
    if (code)
        return code;
    if (do_list)
        return list(ctx);
    if (do_retry)
        return retry_failed(ctx);
    lf_app_deliver_stats st = {0};
    lf_error err;
    lf_status s = lf_app_deliver_run(&ctx->ws, NULL, NULL, &st, &err);
    if (s != LF_OK)
        return cli_fail(s, "%s", err.msg);
    printf("deliver: %lld due, %lld sent, %lld to retry, %lld failed\n", (long long)st.due,
           (long long)st.sent, (long long)st.retrying, (long long)st.failed);
    return 0;
}
