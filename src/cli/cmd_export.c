/*
 * cmd_export.c — `leadflow export handoffs --format csv|hubspot|salesforce
 * [--since TS] [--status pending|all] [-o FILE]`: the MQLs for a CRM import, on
 * stdout or into FILE (created 0600: it holds emails). Front end only: the rows and
 * their layouts are lf_app_export_handoffs (leadflow/app_export.h).
 */
#include <string.h>

#include "cli.h"
#include "leadflow/app_export.h"

int cmd_export(cli_ctx *ctx, int argc, char **argv)
{
    const cli_command *cmd = cli_find("export");
    lf_app_export_req req = {0};
    const char *out = NULL, *v;
    if (argc < 2 || strcmp(argv[1], "handoffs") != 0)
        return cli_usage(cmd, "what to export: 'handoffs'");
    for (int i = 2; i < argc;) {
        int m;
        if ((m = cli_opt(cmd, argc, argv, &i, "format", &v)) != 0)
            req.format = v;
        else if ((m = cli_opt(cmd, argc, argv, &i, "since", &v)) != 0)
            req.since = v;
        else if ((m = cli_opt(cmd, argc, argv, &i, "status", &v)) != 0)
            req.status = v;
        else if ((m = cli_opt(cmd, argc, argv, &i, "as-of", &v)) != 0)
            req.as_of = v;
        else if ((m = cli_opt_o(cmd, argc, argv, &i, &v)) != 0)
            out = v;
        else
            return cli_usage(cmd, "unexpected argument '%s'", argv[i]);
        if (m < 0)
            return 1;
    }
    if (!req.format)
        return cli_usage(cmd, "--format is required (csv, hubspot or salesforce)");
    int code = cli_open_workspace(ctx);
    if (code)
        return code;
    lf_buf b;
    lf_buf_init(&b, 0);
    lf_error err;
    lf_status s = lf_app_export_handoffs(&ctx->ws, &req, &b, &err);
    if (s == LF_OK)
        code = cli_write_output(out, &b);
    else
        code = s == LF_EUSAGE ? cli_usage(cmd, "%s", err.msg) : cli_fail(s, "%s", err.msg);
    lf_buf_release(&b);
    return code;
}
