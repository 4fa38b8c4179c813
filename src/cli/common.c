/*
 * common.c — helpers shared by the CLI commands: messages, options, workspace.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "leadflow/text.h"
#include "leadflow/buf.h"

/* "leadflow: error: MSG\n" on stderr. MSG quotes file names and data: it is escaped
 * for the terminal (cli_add_text) like every other data text. */
static void __attribute__((format(printf, 1, 0))) error_line(const char *fmt, va_list ap)
{
    lf_buf msg, out;
    lf_buf_init(&msg, 0);
    lf_buf_init(&out, 0);
    lf_status st = lf_buf_vaddf(&msg, fmt, ap);
    if (st == LF_OK)
        st = lf_buf_adds(&out, "leadflow: error: ");
    if (st == LF_OK)
        st = cli_add_text(&out, lf_buf_str(&msg));
    if (st == LF_OK)
        st = lf_buf_addc(&out, '\n');
    if (st == LF_OK)
        fwrite(out.data ? out.data : "", 1, out.len, stderr);
    else /* no cut message: say why there is none (the exit code still tells the status) */
        fputs("leadflow: error: out of memory writing the error message\n", stderr);
    lf_buf_release(&msg);
    lf_buf_release(&out);
}

int cli_fail(lf_status status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    error_line(fmt, ap);
    va_end(ap);
    return lf_status_exit_code(status);
}

int cli_usage(const cli_command *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    error_line(fmt, ap);
    va_end(ap);
    if (cmd)
        fprintf(stderr, "usage: leadflow %s\n", cmd->usage);
    return 1;
}

bool cli_wants_help(const cli_command *cmd, int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0)
            break;
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            printf("usage: leadflow %s\n\n%s\n", cmd->usage, cmd->help);
            if (cmd->fn == cmd_report) /* and the named report's column definitions */
                cmd_report_help(argc, argv);
            return true;
        }
    }
    return false;
}

int cli_opt(const cli_command *cmd, int argc, char **argv, int *i, const char *name,
            const char **value)
{
    int m = lf_app_opt(argc, argv, i, name, value);
    if (m < 0)
        cli_usage(cmd, "option '--%s' needs a value", name);
    return m;
}

char *cli_path(const char *dir, const char *name)
{
    lf_workspace ws;
    lf_workspace_init(&ws, dir, NULL);
    return lf_workspace_path(&ws, name);
}

int cli_open_workspace(cli_ctx *ctx)
{
    lf_error err;
    lf_status s = lf_workspace_open(&ctx->ws, &err);
    return s == LF_OK ? 0 : cli_fail(s, "%s", err.msg);
}

lf_status cli_add_text(lf_buf *out, const char *s)
{
    return lf_text_escape_term(out, s);
}

void cli_put_text(FILE *out, const char *s)
{
    lf_buf b;
    lf_buf_init(&b, 0);
    cli_add_text(&b, s);
    fwrite(b.data ? b.data : "", 1, b.len, out);
    lf_buf_release(&b);
}
