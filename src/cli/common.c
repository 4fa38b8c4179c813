/*
 * common.c — helpers shared by the CLI commands: messages, options (each option that
 * several commands take is parsed here, once), workspace, output.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "leadflow/buf.h"
#include "leadflow/outfile.h"
#include "leadflow/text.h"

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

int cli_opt_o(const cli_command *cmd, int argc, char **argv, int *i, const char **value)
{
    if (strcmp(argv[*i], "-o") != 0)
        return 0;
    if (*i + 1 >= argc) {
        cli_usage(cmd, "option '-o' needs a file name");
        return -1;
    }
    *value = argv[*i + 1];
    *i += 2;
    return 1;
}

int cli_range_opt(const cli_command *cmd, int argc, char **argv, int *i, unsigned which,
                  cli_range_opts *r)
{
    /* option k is flag 1 << k (cli.h) */
    static const char *const names[] = {"from", "to", "by", "as-of", "format", "output"};
    const char **values[] = {&r->from, &r->to, &r->by, &r->as_of, &r->format, &r->out};
    int m = (which & CLI_OPT_OUTPUT) ? cli_opt_o(cmd, argc, argv, i, &r->out) : 0;
    for (unsigned k = 0; k < sizeof names / sizeof names[0] && m == 0; k++)
        if (which & (1u << k))
            m = cli_opt(cmd, argc, argv, i, names[k], values[k]);
    return m;
}

int cli_bad_arg(const cli_command *cmd, const char *arg)
{
    if (arg[0] == '-' && arg[1])
        return cli_usage(cmd, "unknown option '%s'", arg);
    return cli_usage(cmd, "unexpected argument '%s'", arg);
}

int cli_write_output(const char *path, const lf_buf *b)
{
    lf_error err;
    lf_status st;
    errno = 0;
    if (path) {
        st = lf_outfile_save(path, b->data, b->len, LF_OUTFILE_PRIVATE, &err);
    } else if (b->len && fwrite(b->data, 1, b->len, stdout) != b->len) {
        int e = errno ? errno : EIO; /* fwrite sets it from the failed write(2) */
        st = lf_errorf(&err, LF_ESTORE, "cannot write to standard output: %s", strerror(e));
    } else {
        /* flush now, so a failure is reported with its reason and not only at exit */
        st = lf_outfile_flush_stream(stdout, "standard output", &err);
    }
    return st == LF_OK ? 0 : cli_fail(st, "%s", err.msg);
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
