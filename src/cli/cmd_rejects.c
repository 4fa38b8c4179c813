/*
 * cmd_rejects.c — `leadflow rejects`: the rows imports rejected, with file, line,
 * reason and the row itself (control bytes escaped so a hostile row cannot drive
 * the terminal). Front end only: the rows come from lf_app_rejects
 * (leadflow/app_import.h).
 */
#include <string.h>

#include "cli.h"
#include "leadflow/app_import.h"

static lf_status show(void *ctx, const lf_app_reject *r)
{
    long *n = ctx;
    (*n)++;
    cli_put_text(stdout, r->file);
    printf(":%ld: [%s] ", r->line, r->kind);
    cli_put_text(stdout, r->reason); /* quotes the data: escaped like the row */
    fputs("\n  ", stdout);
    cli_put_text(stdout, r->raw ? r->raw : "");
    putchar('\n');
    return LF_OK;
}

int cmd_rejects(cli_ctx *ctx, int argc, char **argv)
{
    (void)argv;
    if (argc > 1)
        return cli_usage(cli_find("rejects"), "too many arguments");
    int code = cli_open_workspace(ctx);
    if (code)
        return code;
    long n = 0;
    lf_error err;
    lf_status s = lf_app_rejects(&ctx->ws, show, &n, &err);
    if (s != LF_OK)
        return cli_fail(s, "%s", err.msg);
    if (n == 0)
        puts("no rejected rows");
    return 0;
}
