/*
 * cmd_import.c — `leadflow import leads|events|costs|traffic FILE...`, `import --map
 * MAP.yaml FILE...` (SPEC §9; several --map read each file once per map, all files
 * with one map before the next), `--preset NAME FILE` and `--timezone ZONE`.
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
 * lf_app_import_file / lf_app_import_map (leadflow/app_import.h) and
 * lf_app_import_preset (leadflow/app_preset.h, two passes: leads, then events); this
 * file shows their callbacks and results
 * and owns the signal handling.
 */
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "leadflow/app_import.h"
#include "leadflow/app_preset.h"
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
    printf(": %s read, %s imported, %s duplicates, %s rejected, %s ignored", a, b, c, d, e);
    if (res->skipped) {
        lf_fmt_count(res->skipped, a, sizeof a);
        printf(", %s without ts (no event)", a);
    }
    putchar('\n');
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

/* What one command imports: a kind, a map or a preset, and a zone (NULL = the
 * workspace's). */
typedef struct import_req {
    int kind;
    const char *map;
    const char *preset;
    const char *tz;
} import_req;

/* Prints what an import of one file did (npass results: a preset makes two) and
 * returns its exit code. rc's ignored line goes under the last pass. */
static int report_result(report_ctx *rc, lf_status s, const lf_app_import_result *res,
                         int npass, const lf_error *err)
{
    static const lf_buf none;
    finish_ignored(rc);
    if ((s != LF_OK && s != LF_EINPUT) ||
        (s == LF_EINPUT && res[0].rejected == 0 && (npass < 2 || res[1].rejected == 0))) {
        lf_buf_release(&rc->ignored); /* a store failure, or the file itself was unusable */
        return cli_fail(s, "%s", err->msg);
    }
    if (rc->total > MAX_SHOWN) {
        fputs("leadflow: error: ", stderr);
        cli_put_text(stderr, res[0].name);
        fprintf(stderr, ": %ld more rejected rows (see 'leadflow rejects')\n",
                rc->total - MAX_SHOWN);
    }
    int last = npass > 1 && !res[0].cancelled ? 1 : 0;
    for (int i = 0; i <= last; i++)
        print_summary(&res[i], i == last ? &rc->ignored : &none);
    lf_buf_release(&rc->ignored);
    const lf_app_import_result *r = &res[last];
    if (r->cancelled) {
        char a[32];
        lf_fmt_count(r->read, a, sizeof a);
        fflush(stdout);
        fprintf(stderr, "leadflow: import interrupted by %s: ",
                stop_signal == SIGINT ? "Ctrl-C" : "SIGTERM");
        cli_put_text(stderr, r->name);
        fprintf(stderr, ": stopped after %s rows, all of them committed and replayed; run the "
                        "same import again to finish it\n", a);
        return stop_signal == SIGINT ? 130 : 143;
    }
    if (rc->ignored_st != LF_OK)
        return cli_fail(rc->ignored_st, "%s: out of memory listing the ignored events",
                        r->name);
    if (res[0].read_failed || r->read_failed)
        return cli_fail(LF_EINPUT, "%s: read error", r->name);
    return s == LF_OK ? 0 : lf_status_exit_code(s);
}

/* A value a preset could not place: a warning, the lead is imported. */
static void on_preset_warning(void *ctx, const char *file, long line, const char *msg)
{
    report_ctx *rc = ctx;
    if (rc->tty)
        fputs("\r\033[K", stderr);
    fputs("leadflow: warning: ", stderr);
    cli_put_text(stderr, file);
    if (line > 0)
        fprintf(stderr, ":%ld", line);
    fputs(": ", stderr);
    cli_put_text(stderr, msg);
    fputc('\n', stderr);
}

/* Imports one file as req says and prints what happened; returns its exit code. */
static int import_one(cli_ctx *ctx, const import_req *req, const char *file)
{
    report_ctx rc = {.tty = isatty(STDERR_FILENO) == 1};
    lf_app_import_cb cb = {.on_reject = on_reject, .on_progress = on_progress,
                           .on_ignored = on_ignored, .cancel = cancelled, .ctx = &rc};
    lf_app_import_result res[2];
    lf_error err;
    lf_status s;
    int npass = 1;
    lf_buf_init(&rc.ignored, 0);
    if (req->preset) {
        npass = 2;
        s = lf_app_import_preset(&ctx->ws, req->preset, file, req->tz, &cb, on_preset_warning,
                                 res, NULL, &err);
    } else if (req->map) {
        s = lf_app_import_map(&ctx->ws, req->map, file, req->tz, &cb, &res[0], &err);
    } else {
        s = lf_app_import_file(&ctx->ws, req->kind, file, req->tz, &cb, &res[0], &err);
    }
    return report_result(&rc, s, res, npass, &err);
}

int cli_import_one(cli_ctx *ctx, int kind, const char *file)
{
    import_req req = {.kind = kind};
    return import_one(ctx, &req, file);
}

enum { MAX_MAPS = 16 };

/* The command line: options anywhere, then KIND FILE... or (with --map / --preset)
 * FILE... */
typedef struct import_args {
    const char *maps[MAX_MAPS];
    int nmaps;
    const char *preset;
    const char *tz;
    char **pos;          /* the other arguments, in order */
    int npos;
} import_args;

/* Parses argv into *a; returns 0 or an exit code (after printing a usage error). */
static int parse_args(const cli_command *cmd, int argc, char **argv, import_args *a)
{
    for (int i = 1; i < argc;) {
        const char *v;
        int r;
        if ((r = cli_opt(cmd, argc, argv, &i, "map", &v)) != 0) {
            if (r < 0)
                return 1;
            if (a->nmaps == MAX_MAPS)
                return cli_usage(cmd, "at most %d maps in one import", MAX_MAPS);
            a->maps[a->nmaps++] = v;
        } else if ((r = cli_opt(cmd, argc, argv, &i, "preset", &v)) != 0) {
            if (r < 0)
                return 1;
            if (a->preset)
                return cli_usage(cmd, "one --preset at a time");
            a->preset = v;
        } else if ((r = cli_opt(cmd, argc, argv, &i, "timezone", &v)) != 0) {
            if (r < 0)
                return 1;
            a->tz = v;
        } else if (strcmp(argv[i], "--") == 0) { /* the rest are names, e.g. "-a.csv" */
            while (++i < argc)
                a->pos[a->npos++] = argv[i];
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            return cli_usage(cmd, "unknown option '%s' (%s '-' goes after --)", argv[i],
                             "a file name that starts with");
        } else {
            a->pos[a->npos++] = argv[i++];
        }
    }
    return 0;
}

/* Checks the combination of options; returns 0 or a usage error's exit code. */
static int check_args(const cli_command *cmd, const import_args *a)
{
    int dummy;
    if (a->nmaps && a->preset)
        return cli_usage(cmd, "--map and --preset do not go together");
    if (!a->nmaps && !a->preset)
        return a->npos < 2 ? cli_usage(cmd, "import needs a kind and at least one file") : 0;
    if (a->npos && lf_app_import_kind(a->pos[0], &dummy))
        return cli_usage(cmd, "%s gives the kind: no '%s' with it",
                         a->nmaps ? "the map" : "the preset", a->pos[0]);
    if (a->npos == 0)
        return cli_usage(cmd, "import needs at least one file");
    if (a->preset && a->npos != 1)
        return cli_usage(cmd, "--preset imports one file");
    for (int i = 0; a->nmaps > 1 && i < a->npos; i++)
        if (strcmp(a->pos[i], "-") == 0)
            return cli_usage(cmd, "standard input can be read with one map only");
    return 0;
}

/* Imports every file with every request in order (all files with the first map, then
 * all with the next: leads before their events); returns the worst exit code. */
static int import_all(cli_ctx *ctx, const import_req *reqs, int nreqs, char **files, int nfiles)
{
    int worst = 0;
    for (int m = 0; m < nreqs; m++)
        for (int i = 0; i < nfiles; i++) {
            int code = import_one(ctx, &reqs[m], files[i]);
            if (code >= 128)
                return code; /* interrupted: the other files are not imported */
            if (code > worst)
                worst = code;
            if (code == 4 || code == 3)
                return worst;
        }
    return worst;
}

int cmd_import(cli_ctx *ctx, int argc, char **argv)
{
    const cli_command *cmd = cli_find("import");
    char *pos[argc > 0 ? argc : 1];
    import_args a = {.pos = pos};
    int code = parse_args(cmd, argc, argv, &a);
    if (code || (code = check_args(cmd, &a)))
        return code;
    import_req reqs[MAX_MAPS];
    int nreqs = 0;
    if (a.preset) {
        if (!lf_app_preset_known(a.preset))
            return cli_usage(cmd, "unknown preset '%s' (%s)", a.preset, lf_app_preset_names());
        reqs[nreqs++] = (import_req){.preset = a.preset, .tz = a.tz};
    } else if (a.nmaps == 0) {
        reqs[0] = (import_req){.tz = a.tz};
        if (!lf_app_import_kind(pos[0], &reqs[0].kind))
            return cli_usage(cmd, "unknown import kind '%s'", pos[0]);
        nreqs = 1;
    }
    for (int m = 0; m < a.nmaps; m++) {
        lf_error err;
        lf_status s = lf_app_check_map(a.maps[m], &err);
        if (s != LF_OK)
            return cli_fail(s, "%s", err.msg);
        reqs[nreqs++] = (import_req){.map = a.maps[m], .tz = a.tz};
    }
    if ((code = cli_open_workspace(ctx)))
        return code;
    catch_stop_signals();
    int skip = a.nmaps || a.preset ? 0 : 1; /* the kind */
    return import_all(ctx, reqs, nreqs, pos + skip, a.npos - skip);
}
