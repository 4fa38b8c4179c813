/*
 * cmd_generate.c — `leadflow generate` (synthetic files only) and `leadflow demo`
 * (generate, import, summarise, and write `report all` as DIR/report.html).
 *
 * Parses the options and calls the application layer (leadflow/app_demo.h): the
 * generator's progress comes back through a callback and is printed here, the
 * imports print their summaries (cli_import_one), and the demo's headline and page
 * come back as bytes.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "leadflow/app_demo.h"
#include "leadflow/text.h"

/* Parses a positive whole number option value. */
static bool parse_u64(const char *s, uint64_t *v)
{
    if (!*s || strlen(s) > 18)
        return false;
    uint64_t x = 0;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9')
            return false;
        x = x * 10 + (uint64_t)(*p - '0');
    }
    *v = x;
    return true;
}

typedef struct gen_args {
    uint64_t leads, seed;
    const char *out, *end;
    bool has_leads, has_seed;
} gen_args;

/* Parses --leads, --seed, --out, --end and at most one positional (DIR). */
/* generate's options, or (positional_dir) demo's: DIR instead of --out, and no --end
 * (the demo's data runs up to today), as their usages say. */
static int parse_gen(const cli_command *cmd, int argc, char **argv, gen_args *g,
                     bool positional_dir)
{
    for (int i = 1; i < argc;) {
        const char *v;
        int m;
        if ((m = cli_opt(cmd, argc, argv, &i, "leads", &v)) != 0) {
            if (m < 0)
                return 1;
            if (!parse_u64(v, &g->leads) || g->leads == 0 || g->leads > 100000000)
                return cli_usage(cmd, "--leads needs a whole number from 1 to 100000000, not '%s'", v);
            g->has_leads = true;
        } else if ((m = cli_opt(cmd, argc, argv, &i, "seed", &v)) != 0) {
            if (m < 0)
                return 1;
            if (!parse_u64(v, &g->seed))
                return cli_usage(cmd, "--seed needs a whole number, not '%s'", v);
            g->has_seed = true;
        } else if (!positional_dir && (m = cli_opt(cmd, argc, argv, &i, "out", &v)) != 0) {
            if (m < 0)
                return 1;
            g->out = v;
        } else if (!positional_dir && (m = cli_opt(cmd, argc, argv, &i, "end", &v)) != 0) {
            if (m < 0)
                return 1;
            g->end = v;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            return cli_usage(cmd, "unknown option '%s'", argv[i]);
        } else if (positional_dir && !g->out) {
            g->out = argv[i++];
        } else {
            return cli_usage(cmd, "unexpected argument '%s'", argv[i]);
        }
    }
    return 0;
}

/* The generator's progress, on stderr. */
static void on_progress(void *ctx, uint64_t done, uint64_t total)
{
    (void)ctx;
    fprintf(stderr, "leadflow: generate: %llu/%llu leads\n", (unsigned long long)done,
            (unsigned long long)total);
}

static int run_generate(const gen_args *g, int32_t end_day)
{
    lf_generate_opts o = {.leads = g->leads, .seed = g->seed, .end_day = end_day,
                          .out_dir = g->out, .progress = on_progress};
    lf_error err;
    lf_status s = lf_app_generate(&o, &err);
    return s == LF_OK ? 0 : cli_fail(s, "%s", err.msg);
}

static int end_day_of(const cli_command *cmd, const char *end, int32_t fallback, int32_t *day)
{
    if (!end) {
        *day = fallback;
        return 0;
    }
    if (lf_date_parse(end, strlen(end), day, NULL) != LF_OK)
        return cli_usage(cmd, "--end needs a date YYYY-MM-DD, not '%s'", end);
    return 0;
}

int cmd_generate(cli_ctx *ctx, int argc, char **argv)
{
    (void)ctx;
    const cli_command *cmd = cli_find("generate");
    gen_args g = {0};
    int code = parse_gen(cmd, argc, argv, &g, false);
    if (code)
        return code;
    if (!g.has_leads || !g.has_seed || !g.out)
        return cli_usage(cmd, "generate needs --leads, --seed and --out");
    int32_t end;
    if ((code = end_day_of(cmd, g.end, lf_days_from_civil(2026, 11, 20), &end)) != 0)
        return code;
    if ((code = run_generate(&g, end)) != 0)
        return code;
    char n[32];
    lf_fmt_count((long long)g.leads, n, sizeof n);
    printf("wrote %s leads with seed %llu to '%s'\n", n, (unsigned long long)g.seed, g.out);
    return 0;
}

/* The headline, then `report all --format html` for the 12 months to now written to
 * DIR/report.html (its path printed), from one run of the reports. Returns an exit
 * code. */
static int write_demo_report(cli_ctx *ctx)
{
    lf_time now = (lf_time)time(NULL) * LF_USEC_PER_SEC;
    lf_buf headline, page;
    lf_buf_init(&headline, 0);
    lf_buf_init(&page, 0);
    lf_error err;
    lf_status s = lf_app_demo_report(&ctx->ws, now, &headline, &page, &err);
    fwrite(headline.data ? headline.data : "", 1, headline.len, stdout);
    lf_buf_release(&headline);
    char *path = lf_workspace_path(&ctx->ws, "report.html");
    int code = s != LF_OK ? cli_fail(s, "%s", err.msg)
               : path     ? cli_write_output(path, &page)
                          : cli_fail(LF_ENOMEM, "out of memory");
    if (!code)
        printf("\nreport: %s\n", path);
    free(path);
    lf_buf_release(&page);
    return code;
}

/* Imports the generated files into the open workspace, each file's summary printed;
 * returns the worst exit code, or 4 at once after a store failure. */
static int import_demo_files(cli_ctx *ctx, const char *dir)
{
    size_t n;
    const lf_app_demo_file *files = lf_app_demo_files(&n);
    int worst = 0;
    for (size_t i = 0; i < n; i++) {
        char *path = cli_path(dir, files[i].name);
        int code = path ? cli_import_one(ctx, files[i].kind, path)
                        : cli_fail(LF_ENOMEM, "out of memory");
        free(path);
        if (code == 4)
            return code;
        if (code > worst)
            worst = code;
    }
    return worst;
}

int cmd_demo(cli_ctx *ctx, int argc, char **argv)
{
    const cli_command *cmd = cli_find("demo");
    gen_args g = {.leads = 20000, .seed = 42};
    int code = parse_gen(cmd, argc, argv, &g, true);
    if (code)
        return code;
    if (!g.out)
        g.out = "demo-workspace";
    /* the demo's data runs up to today, so "now" reports have a current month */
    int32_t today = (int32_t)(time(NULL) / 86400);
    int32_t end;
    if ((code = end_day_of(cmd, g.end, today + 1, &end)) != 0)
        return code;
    char n[32];
    lf_fmt_count((long long)g.leads, n, sizeof n);
    printf("generating %s leads (seed %llu) in '%s'\n", n, (unsigned long long)g.seed, g.out);
    if ((code = run_generate(&g, end)) != 0)
        return code;
    lf_error err;
    lf_status s = lf_app_demo_open(&ctx->ws, g.out, &err);
    if (s != LF_OK)
        return cli_fail(s, "%s", err.msg);
    int worst = import_demo_files(ctx, g.out);
    if (worst == 4)
        return worst;
    if ((code = write_demo_report(ctx)) != 0)
        return code;
    printf("\nworkspace: %s\n  try: leadflow --workspace %s report sql\n"
           "       leadflow --workspace %s lead L000001\n", g.out, g.out, g.out);
    return worst == 2 ? 0 : worst; /* the generator's deliberate bad rows are expected */
}
