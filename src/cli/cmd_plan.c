/*
 * cmd_plan.c — `leadflow plan --revenue N [--deal-size N] [--close-rate R]
 * [--sql-rate R] [--mql-rate R] [--visit-rate R] [--months M] [--from-history]
 * [--as-of TS] [--format table|json]` (SPEC §6).
 *
 * Front end only: parses the flags and hands their values, as typed, to lf_app_plan
 * (leadflow/app_plan.h), which validates them (a bad value is a usage error, exit 1),
 * loads what the planner needs (the workspace is optional, the store opened only for
 * --from-history) and renders the plan; this file prints it.
 *
 * A plan is as long as the values it is given: without --mql-rate (and without
 * --from-history) it stops after mqls, says so in a line of its output, and exits 0
 * (the SPEC example). With --from-history, a value history cannot give (no handoffs in
 * the window, a zero rate) also stops the plan at that step: the steps computed are
 * printed on stdout, "leadflow: error: cannot compute leads: no handoffs opened in
 * 2025-04..2026-03 ...: pass --sql-rate" goes to stderr, and the exit code is 2.
 */
#include <string.h>

#include "cli.h"
#include "leadflow/app_plan.h"

static int parse_opts(const cli_command *cmd, int argc, char **argv, lf_app_plan_args *o)
{
    static const char *const value_opts[LF_APP_PLAN_NVALUES] = {
        "deal-size", "close-rate", "sql-rate", "mql-rate", "visit-rate"};
    cli_range_opts r = {0}; /* --as-of, --format */
    for (int i = 1; i < argc;) {
        if (strcmp(argv[i], "--from-history") == 0) {
            o->from_history = true;
            i++;
            continue;
        }
        int m = cli_range_opt(cmd, argc, argv, &i, CLI_OPT_AS_OF | CLI_OPT_FORMAT, &r);
        if (m == 0)
            m = cli_opt(cmd, argc, argv, &i, "revenue", &o->revenue);
        if (m == 0)
            m = cli_opt(cmd, argc, argv, &i, "months", &o->months);
        for (int k = 0; k < LF_APP_PLAN_NVALUES && m == 0; k++)
            m = cli_opt(cmd, argc, argv, &i, value_opts[k], &o->value[k]);
        if (m < 0)
            return 1;
        if (m == 0)
            return cli_bad_arg(cmd, argv[i]);
    }
    o->as_of = r.as_of;
    o->format = r.format;
    if (!o->revenue)
        return cli_usage(cmd, "plan needs --revenue");
    return 0;
}

int cmd_plan(cli_ctx *ctx, int argc, char **argv)
{
    const cli_command *cmd = cli_find("plan");
    lf_app_plan_args a;
    memset(&a, 0, sizeof a);
    int code = parse_opts(cmd, argc, argv, &a);
    if (code)
        return code;
    lf_buf out;
    lf_error err;
    lf_buf_init(&out, 0);
    lf_status s = lf_app_plan(&ctx->ws, &a, &out, &err);
    if (s == LF_EUSAGE) {
        lf_buf_release(&out);
        return cli_usage(cmd, "%s", err.msg);
    }
    fwrite(lf_buf_str(&out), 1, out.len, stdout);
    lf_buf_release(&out);
    if (s != LF_OK) {
        fflush(stdout);
        return cli_fail(s, "%s", err.msg);
    }
    return 0;
}
