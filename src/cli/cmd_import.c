/*
 * cmd_import.c — `leadflow import leads|events|costs|traffic FILE...`.
 *
 * Prints one summary line per file on stdout; rejected rows (the first
 * MAX_SHOWN of each file) as errors on stderr; progress on stderr only when it is
 * a terminal. Every file is imported even if an earlier one had bad rows; the exit
 * code is the worst status (2 for rejected rows, 4 for store failures, which stop).
 *
 * Ctrl-C and SIGTERM stop the import at the next record: what was read is committed
 * and replayed (lf_import's cancel), a message says how far it got, and the exit code
 * is 130 / 143. A second signal ends the process at once (the store stays consistent:
 * an interrupted replay is finished by the next import, or by readers in memory).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
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
    int ignored_shown;      /* reasons listed */
    int64_t ignored_more;   /* ignored events of the reasons not listed */
    lf_buf ignored;         /* "  ignored: 9 accepted while in sql, ..." */
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

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
    stop_signal = sig;
}

/* SIGINT and SIGTERM set stop_signal (once: SA_RESETHAND) and interrupt a blocked
 * read (no SA_RESTART). */
static void catch_stop_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_RESETHAND;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

static bool cancelled(void *ctx)
{
    (void)ctx;
    return stop_signal != 0;
}

typedef struct fd_source {
    int fd;
    bool failed;
} fd_source;

/* read(2), retried after a signal unless the import is being stopped. */
static size_t read_fd(void *ctx, char *buf, size_t n)
{
    fd_source *src = ctx;
    for (int tries = 0; tries < 1000; tries++) {
        ssize_t got = read(src->fd, buf, n);
        if (got >= 0)
            return (size_t)got;
        if (errno != EINTR || stop_signal)
            break;
    }
    src->failed = !stop_signal;
    return (size_t)-1;
}

static void on_ignored(void *ctx, const char *reason, int64_t count)
{
    report_ctx *rc = ctx;
    char n[32];
    lf_fmt_count(count, n, sizeof n);
    if (rc->ignored_shown++ < 5) {
        lf_buf_adds(&rc->ignored, rc->ignored_shown == 1 ? "  ignored: " : ", ");
        lf_buf_addf(&rc->ignored, "%s ", n);
        cli_add_text(&rc->ignored, reason);
    } else {
        rc->ignored_more += count;
    }
}

int cli_import_one(cli_ctx *ctx, int kind_int, const char *file)
{
    lf_import_kind kind = (lf_import_kind)kind_int;
    bool is_stdin = strcmp(file, "-") == 0;
    fd_source src = {.fd = is_stdin ? STDIN_FILENO : open(file, O_RDONLY | O_CLOEXEC)};
    if (src.fd < 0)
        return cli_fail(LF_EINPUT, "cannot open '%s': %s", file, strerror(errno));
    report_ctx rc = {.tty = isatty(STDERR_FILENO) == 1};
    lf_import_opts opts = {
        .kind = kind, .name = is_stdin ? "<stdin>" : file, .read = read_fd,
        .read_ctx = &src, .on_reject = on_reject, .on_progress = on_progress,
        .cancel = cancelled, .ctx = &rc,
    };
    lf_import_stats stats = {.on_ignored = on_ignored, .ctx = &rc};
    lf_error err;
    lf_buf_init(&rc.ignored, 0);
    lf_status s = lf_import(ctx->ws.store, &ctx->ws.cfg, &opts, &stats, &err);
    if (!is_stdin)
        close(src.fd);
    if (rc.ignored_more) {
        char n[32];
        lf_fmt_count(rc.ignored_more, n, sizeof n);
        lf_buf_addf(&rc.ignored, ", %s for other reasons", n);
    }
    if (rc.ignored_shown)
        lf_buf_adds(&rc.ignored, " (see 'leadflow ignored')\n");
    if ((s != LF_OK && s != LF_EINPUT) || (s == LF_EINPUT && stats.rejected == 0)) {
        lf_buf_release(&rc.ignored); /* a store failure, or the file itself was unusable */
        return cli_fail(s, "%s", err.msg);
    }
    if (rc.total > MAX_SHOWN) {
        fputs("leadflow: error: ", stderr);
        cli_put_text(stderr, opts.name);
        fprintf(stderr, ": %ld more rejected rows (see 'leadflow rejects')\n",
                rc.total - MAX_SHOWN);
    }
    char a[32], b[32], c[32], d[32], e[32];
    lf_fmt_count(stats.read, a, sizeof a);
    lf_fmt_count(stats.imported, b, sizeof b);
    lf_fmt_count(stats.duplicates, c, sizeof c);
    lf_fmt_count(stats.rejected, d, sizeof d);
    lf_fmt_count(stats.ignored, e, sizeof e);
    cli_put_text(stdout, opts.name);
    printf(": %s read, %s imported, %s duplicates, %s rejected, %s ignored\n", a, b, c, d, e);
    fwrite(rc.ignored.data ? rc.ignored.data : "", 1, rc.ignored.len, stdout);
    lf_buf_release(&rc.ignored);
    if (stats.cancelled) {
        fflush(stdout);
        fprintf(stderr, "leadflow: import interrupted by %s: ",
                stop_signal == SIGINT ? "Ctrl-C" : "SIGTERM");
        cli_put_text(stderr, opts.name);
        fprintf(stderr, ": stopped after %s rows, all of them committed and replayed; run the "
                        "same import again to finish it\n", a);
        return stop_signal == SIGINT ? 130 : 143;
    }
    if (src.failed)
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
    catch_stop_signals();
    int worst = 0;
    for (int i = 2; i < argc; i++) {
        code = cli_import_one(ctx, kind, argv[i]);
        if (code >= 128)
            return code; /* interrupted: the other files are not imported */
        if (code > worst)
            worst = code;
        if (code == 4)
            break;
    }
    return worst;
}
