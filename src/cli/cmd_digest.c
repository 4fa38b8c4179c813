/*
 * cmd_digest.c — `leadflow digest --to ADDR [--report all|NAME] [--from DATE]
 * [--to DATE] [--by PERIOD]`: the report by email (leadflow/app_digest.h).
 *
 * --to is given twice in the spec's synopsis: a value with an '@' is the recipient,
 * any other the end date of the range (--to of `leadflow report`). Prints one line
 * when the mail server took the message; exit 1 usage, 3 mail settings missing,
 * 4 the mail server refused or could not be reached.
 */
#include <string.h>

#include "cli.h"
#include "leadflow/app_digest.h"

int cmd_digest(cli_ctx *ctx, int argc, char **argv)
{
    const cli_command *cmd = cli_find("digest");
    lf_app_digest_req req = {0};
    const char *v;
    for (int i = 1; i < argc;) {
        int m;
        if ((m = cli_opt(cmd, argc, argv, &i, "to", &v)) != 0) {
            if (m > 0 && strchr(v, '@'))
                req.to = v;
            else if (m > 0)
                req.until = v;
        } else if ((m = cli_opt(cmd, argc, argv, &i, "report", &v)) != 0)
            req.report = v;
        else if ((m = cli_opt(cmd, argc, argv, &i, "from", &v)) != 0)
            req.from = v;
        else if ((m = cli_opt(cmd, argc, argv, &i, "by", &v)) != 0)
            req.by = v;
        else
            return cli_usage(cmd, "unexpected argument '%s'", argv[i]);
        if (m < 0)
            return 1;
    }
    if (!req.to)
        return cli_usage(cmd, "--to ADDRESS is required (the recipient)");
    int code = cli_open_workspace(ctx);
    if (code)
        return code;
    lf_error err;
    lf_status s = lf_app_digest_send(&ctx->ws, &req, &err);
    if (s == LF_EUSAGE)
        return cli_usage(cmd, "%s", err.msg);
    if (s != LF_OK)
        return cli_fail(s, "%s", err.msg);
    printf("digest: sent the %s report to %s\n", req.report ? req.report : "all", req.to);
    return 0;
}
