/*
 * cmd_copy.c — `leadflow copy --from STORE --to STORE`: a workspace's store into a new
 * store of either backend (a SQLite path or a postgresql:// URL), e.g. when a team
 * moves from one machine to a PostgreSQL server. Prints what was copied; never the
 * URLs, which may carry a password. Front end only: lf_app_copy_run
 * (leadflow/app_copy.h) does the work.
 */
#include <stdio.h>

#include "cli.h"
#include "leadflow/app_copy.h"
#include "leadflow/text.h"

int cmd_copy(cli_ctx *ctx, int argc, char **argv)
{
    const cli_command *cmd = cli_find("copy");
    const char *from = NULL, *to = NULL;
    for (int i = 1; i < argc;) {
        int m = cli_opt(cmd, argc, argv, &i, "from", &from);
        if (m == 0)
            m = cli_opt(cmd, argc, argv, &i, "to", &to);
        if (m < 0)
            return 1;
        if (m == 0)
            return cli_usage(cmd, "unexpected argument '%s'", argv[i]);
    }
    if (!from || !to)
        return cli_usage(cmd, "copy needs --from STORE and --to STORE");
    lf_app_copy c;
    lf_error err;
    lf_status s = lf_app_copy_run(&ctx->ws, from, to, &c, &err);
    if (s != LF_OK)
        return cli_fail(s, "%s", err.msg);
    char a[32], b[32], d[32], e[32], f[32], g[32];
    lf_fmt_count(c.leads, a, sizeof a);
    lf_fmt_count(c.events, b, sizeof b);
    lf_fmt_count(c.series, d, sizeof d);
    lf_fmt_count(c.rejects, e, sizeof e);
    lf_fmt_count(c.deliveries, f, sizeof f);
    lf_fmt_count(c.replayed, g, sizeof g);
    printf("copied %s leads, %s events, %s spend and traffic rows, %s rejected rows, "
           "%s deliveries; %s leads replayed\n",
           a, b, d, e, f, g);
    return 0;
}
