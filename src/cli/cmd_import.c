/*
 * cmd_import.c — `leadflow import leads|events|costs|traffic FILE...`.
 *
 * Prints one summary line per file on stdout; rejected rows (the first
 * MAX_SHOWN of each file) as errors on stderr; progress on stderr only when it is
 * a terminal. Every file is imported even if an earlier one had bad rows; the exit
 * code is the worst status (2 for rejected rows, 4 for store failures, which stop).
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "leadflow/import.h"
#include "leadflow/text.h"

#define MAX_SHOWN 20

typedef struct report_ctx {
    long shown;
    long total;
    bool tty;
} report_ctx;

static void on_reject(void *ctx, const char *name, long line, const char *reason)
{
    report_ctx *rc = ctx;
    rc->total++;
    if (rc->shown++ < MAX_SHOWN) {
        if (rc->tty)
            fputs("\r\033[K", stderr);
        /* the reason quotes the data (an id, a value): escaped for the terminal */
        fputs("leadflow: error: ", stderr);
        cli_put_text(stderr, name);
        fprintf(stderr, ":%ld: ", line);
        cli_put_text(stderr, reason);
        fputc('\n', stderr);
    }
}

static void on_progress(void *ctx, const char *name, int64_t rows, uint64_t bytes, bool done)
{
    report_ctx *rc = ctx;
    if (!rc->tty)
        return;
    if (done) {
        fputs("\r\033[K", stderr);
        return;
    }
    char n[32];
    lf_fmt_count(rows, n, sizeof n);
    fprintf(stderr, "\r\033[Kimporting %s: %s rows, %.1f MB", name, n, (double)bytes / 1e6);
}

static size_t read_fd_file(void *f, char *buf, size_t n)
{
    return lf_csv_read_file(f, buf, n);
}

int cli_import_one(cli_ctx *ctx, int kind_int, const char *file)
{
    lf_import_kind kind = (lf_import_kind)kind_int;
    bool is_stdin = strcmp(file, "-") == 0;
    FILE *f = is_stdin ? stdin : fopen(file, "rb");
    if (!f)
        return cli_fail(LF_EINPUT, "cannot open '%s': %s", file, strerror(errno));
    report_ctx rc = {.tty = isatty(STDERR_FILENO) == 1};
    lf_import_opts opts = {
        .kind = kind, .name = is_stdin ? "<stdin>" : file, .read = read_fd_file,
        .read_ctx = f, .on_reject = on_reject, .on_progress = on_progress, .ctx = &rc,
    };
    lf_import_stats stats;
    lf_error err;
    lf_status s = lf_import(ctx->store, &ctx->cfg, &opts, &stats, &err);
    bool read_error = ferror(f);
    if (!is_stdin)
        fclose(f);
    if (s != LF_OK && s != LF_EINPUT)
        return cli_fail(s, "%s", err.msg);
    if (s == LF_EINPUT && stats.rejected == 0) /* the file itself was unusable */
        return cli_fail(s, "%s", err.msg);
    if (rc.total > MAX_SHOWN)
        fprintf(stderr, "leadflow: error: %s: %ld more rejected rows (see 'leadflow rejects')\n",
                opts.name, rc.total - MAX_SHOWN);
    char a[32], b[32], c[32], d[32], e[32];
    lf_fmt_count(stats.read, a, sizeof a);
    lf_fmt_count(stats.imported, b, sizeof b);
    lf_fmt_count(stats.duplicates, c, sizeof c);
    lf_fmt_count(stats.rejected, d, sizeof d);
    lf_fmt_count(stats.ignored, e, sizeof e);
    printf("%s: %s read, %s imported, %s duplicates, %s rejected, %s ignored\n", opts.name, a, b,
           c, d, e);
    if (read_error)
        return cli_fail(LF_EINPUT, "%s: read error", opts.name);
    return s == LF_OK ? 0 : lf_status_exit_code(s);
}

int cmd_import(cli_ctx *ctx, int argc, char **argv)
{
    const cli_command *cmd = cli_find("import");
    if (argc < 3)
        return cli_usage(cmd, "import needs a kind and at least one file");
    lf_import_kind kind;
    if (!lf_import_kind_parse(argv[1], &kind))
        return cli_usage(cmd, "unknown import kind '%s'", argv[1]);
    int code = cli_open_workspace(ctx);
    if (code)
        return code;
    int worst = 0;
    for (int i = 2; i < argc; i++) {
        code = cli_import_one(ctx, kind, argv[i]);
        if (code > worst)
            worst = code;
        if (code == 4)
            break;
    }
    return worst;
}
