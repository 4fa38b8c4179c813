/*
 * cmd_generate.c — `leadflow generate` (synthetic files only) and `leadflow demo`
 * (generate, import, summarise, and write `report all` as DIR/report.html).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "leadflow/generate.h"
#include "leadflow/import.h"
#include "leadflow/text.h"
#include "report_out.h"

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
        } else if ((m = cli_opt(cmd, argc, argv, &i, "out", &v)) != 0) {
            if (m < 0)
                return 1;
            g->out = v;
        } else if ((m = cli_opt(cmd, argc, argv, &i, "end", &v)) != 0) {
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

static int run_generate(const gen_args *g, int32_t end_day, bool progress)
{
    if (cli_make_dirs(g->out) != 0)
        return cli_fail(LF_ESTORE, "cannot create directory '%s': %s", g->out, strerror(errno));
    lf_generate_opts o = {.leads = g->leads, .seed = g->seed, .end_day = end_day,
                          .out_dir = g->out, .progress = progress};
    lf_error err;
    lf_status s = lf_generate(&o, &err);
    if (s != LF_OK)
        return cli_fail(s, "%s", err.msg);
    return 0;
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
    if ((code = run_generate(&g, end, true)) != 0)
        return code;
    char n[32];
    lf_fmt_count((long long)g.leads, n, sizeof n);
    printf("wrote %s leads with seed %llu to '%s'\n", n, (unsigned long long)g.seed, g.out);
    return 0;
}

/* The headline, then `report all --format html` for the 12 months to now written to
 * DIR/report.html (its path printed), from one run of the reports. Returns an exit
 * code. */
static int write_demo_report(cli_ctx *ctx, const lf_dataset *ds, lf_time now, const char *dir)
{
    lf_report_args a = {.cfg = &ctx->ws.cfg, .ds = ds, .by = LF_BY_MONTH, .as_of = now};
    lf_default_range(ctx->ws.cfg.tz, now, &a.from_day, &a.to_day);
    report_run run = {0};
    lf_buf out;
    lf_buf_init(&out, 0);
    lf_error err;
    lf_status s = report_run_reports(&a, "all", &run, &err);
    if (s == LF_OK) {
        cli_print_headline(&ctx->ws.cfg, &a, &run);
        s = report_render_run(&ctx->ws.cfg, &a, &run, true, "html", &out, &err);
    }
    report_run_release(&run);
    if (s != LF_OK) {
        lf_buf_release(&out);
        return cli_fail(s, "%s", err.msg);
    }
    char *path = cli_path(dir, "report.html");
    int code = path ? report_write_output(path, &out) : cli_fail(LF_ENOMEM, "out of memory");
    if (!code)
        printf("\nreport: %s\n", path);
    free(path);
    lf_buf_release(&out);
    return code;
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
    if ((code = run_generate(&g, end, true)) != 0)
        return code;
    ctx->ws.dir = g.out;
    /* start from an empty store so the demo can be run again on the same directory */
    static const char *const store_files[] = {"leadflow.db", "leadflow.db-wal",
                                              "leadflow.db-shm"};
    for (size_t i = 0; i < sizeof store_files / sizeof store_files[0]; i++) {
        char *p = cli_path(g.out, store_files[i]);
        remove(p);
        free(p);
    }
    ctx->ws.store_url = NULL;
    if ((code = cli_open_workspace(ctx)) != 0)
        return code;
    static const struct { int kind; const char *file; } files[] = {
        {LF_IMPORT_LEADS, "leads.csv"},
        {LF_IMPORT_EVENTS, "events.csv"},
        {LF_IMPORT_COSTS, "costs.csv"},
        {LF_IMPORT_TRAFFIC, "traffic.csv"},
    };
    int worst = 0;
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char *path = cli_path(g.out, files[i].file);
        code = cli_import_one(ctx, files[i].kind, path);
        free(path);
        if (code > worst)
            worst = code;
        if (code == 4)
            return code;
    }
    lf_dataset ds;
    if ((code = cli_load_dataset(ctx, &ds)) != 0)
        return code;
    lf_time now = (lf_time)time(NULL) * LF_USEC_PER_SEC;
    code = write_demo_report(ctx, &ds, now, g.out);
    lf_dataset_release(&ds);
    if (code)
        return code;
    printf("\nworkspace: %s\n  try: leadflow --workspace %s report sql\n"
           "       leadflow --workspace %s lead L000001\n", g.out, g.out, g.out);
    return worst == 2 ? 0 : worst; /* the generator's deliberate bad rows are expected */
}
