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
 *
 * Front end only: the import itself (reading the file, validation, the store) is
 * lf_app_import_file (leadflow/app_import.h); this file shows its callbacks and result
 * and owns the signal handling.
 */
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "leadflow/app_import.h"
#include "leadflow/text.h"

#define MAX_SHOWN 20

typedef struct report_ctx {
    long shown;
    long total;
    bool tty;
    int ignored_shown;      /* reasons listed */
    int64_t ignored_more;   /* ignored events of the reasons not listed */
    lf_buf ignored;         /* "  ignored: 9 accepted while in sql, ..." */
    lf_status ignored_st;   /* the first failed append to ignored */
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

static void on_ignored(void *ctx, const char *reason, int64_t count)
{
    report_ctx *rc = ctx;
    char n[32];
    lf_fmt_count(count, n, sizeof n);
    if (rc->ignored_shown++ < 5) {
        lf_status *st = &rc->ignored_st;
        if (*st == LF_OK)
            *st = lf_buf_adds(&rc->ignored, rc->ignored_shown == 1 ? "  ignored: " : ", ");
        if (*st == LF_OK)
            *st = lf_buf_addf(&rc->ignored, "%s ", n);
        if (*st == LF_OK)
            *st = cli_add_text(&rc->ignored, reason);
    } else {
        rc->ignored_more += count;
    }
}

/* The summary line of a file and its ignored events by reason. */
static void print_summary(const lf_app_import_result *res, const lf_buf *ignored)
{
    char a[32], b[32], c[32], d[32], e[32];
    lf_fmt_count(res->read, a, sizeof a);
    lf_fmt_count(res->imported, b, sizeof b);
    lf_fmt_count(res->duplicates, c, sizeof c);
    lf_fmt_count(res->rejected, d, sizeof d);
    lf_fmt_count(res->ignored, e, sizeof e);
    cli_put_text(stdout, res->name);
    printf(": %s read, %s imported, %s duplicates, %s rejected, %s ignored\n", a, b, c, d, e);
    fwrite(ignored->data ? ignored->data : "", 1, ignored->len, stdout);
}

/* Ends the "  ignored: ..." line of on_ignored; a line cut short by a failed append
 * is dropped whole (the failure stays in ignored_st for the caller to report). */
static void finish_ignored(report_ctx *rc)
{
    lf_status *st = &rc->ignored_st;
    if (*st == LF_OK && rc->ignored_more) {
        char n[32];
        lf_fmt_count(rc->ignored_more, n, sizeof n);
        *st = lf_buf_addf(&rc->ignored, ", %s for other reasons", n);
    }
    if (*st == LF_OK && rc->ignored_shown)
        *st = lf_buf_adds(&rc->ignored, " (see 'leadflow ignored')\n");
    if (*st != LF_OK)
        lf_buf_reset(&rc->ignored);
}

int cli_import_one(cli_ctx *ctx, int kind, const char *file)
{
    report_ctx rc = {.tty = isatty(STDERR_FILENO) == 1};
    lf_app_import_cb cb = {.on_reject = on_reject, .on_progress = on_progress,
                           .on_ignored = on_ignored, .cancel = cancelled, .ctx = &rc};
    lf_app_import_result res;
    lf_error err;
    lf_buf_init(&rc.ignored, 0);
    lf_status s = lf_app_import_file(&ctx->ws, kind, file, &cb, &res, &err);
    finish_ignored(&rc);
    if ((s != LF_OK && s != LF_EINPUT) || (s == LF_EINPUT && res.rejected == 0)) {
        lf_buf_release(&rc.ignored); /* a store failure, or the file itself was unusable */
        return cli_fail(s, "%s", err.msg);
    }
    if (rc.total > MAX_SHOWN) {
        fputs("leadflow: error: ", stderr);
        cli_put_text(stderr, res.name);
        fprintf(stderr, ": %ld more rejected rows (see 'leadflow rejects')\n",
                rc.total - MAX_SHOWN);
    }
    print_summary(&res, &rc.ignored);
    lf_buf_release(&rc.ignored);
    if (res.cancelled) {
        char a[32];
        lf_fmt_count(res.read, a, sizeof a);
        fflush(stdout);
        fprintf(stderr, "leadflow: import interrupted by %s: ",
                stop_signal == SIGINT ? "Ctrl-C" : "SIGTERM");
        cli_put_text(stderr, res.name);
        fprintf(stderr, ": stopped after %s rows, all of them committed and replayed; run the "
                        "same import again to finish it\n", a);
        return stop_signal == SIGINT ? 130 : 143;
    }
    if (rc.ignored_st != LF_OK)
        return cli_fail(rc.ignored_st, "%s: out of memory listing the ignored events",
                        res.name);
    if (res.read_failed)
        return cli_fail(LF_EINPUT, "%s: read error", res.name);
    return s == LF_OK ? 0 : lf_status_exit_code(s);
}

int cmd_import(cli_ctx *ctx, int argc, char **argv)
{
    const cli_command *cmd = cli_find("import");
    if (argc < 3)
        return cli_usage(cmd, "import needs a kind and at least one file");
    int kind;
    if (!lf_app_import_kind(argv[1], &kind))
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
