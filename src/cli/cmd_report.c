/*
 * cmd_report.c — `leadflow report NAME|all [--from DATE] [--to DATE] [--by PERIOD]
 * [--as-of TS] [--format table|csv|json|html] [-o FILE]` (SPEC §5).
 *
 * Loads the derived state into the in-memory dataset once, runs the named report
 * (a pure function) or all of them, renders them in the chosen format
 * (report_out.c), and writes the result to stdout or to FILE (written to FILE.tmp
 * and renamed, so a failed run never leaves half a report behind). Notes for the
 * user (an empty range and where the data is, inputs never imported: SPEC §7) go to
 * stderr as "leadflow: note: ...", so stdout stays exactly the report.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "leadflow/report.h"
#include "report_out.h"

typedef struct report_opts {
    const char *name, *from, *to, *by, *as_of, *format, *out;
} report_opts;

static int parse_report_opts(const cli_command *cmd, int argc, char **argv, report_opts *o)
{
    static const struct { const char *name; size_t off; } opts[] = {
        {"from", offsetof(report_opts, from)},     {"to", offsetof(report_opts, to)},
        {"by", offsetof(report_opts, by)},         {"as-of", offsetof(report_opts, as_of)},
        {"format", offsetof(report_opts, format)}, {"output", offsetof(report_opts, out)},
    };
    for (int i = 1; i < argc;) {
        if (strcmp(argv[i], "-o") == 0) {
            if (i + 1 >= argc)
                return cli_usage(cmd, "option '-o' needs a file name");
            o->out = argv[i + 1];
            i += 2;
            continue;
        }
        bool matched = false;
        for (size_t k = 0; k < sizeof opts / sizeof opts[0] && !matched; k++) {
            const char *v;
            int m = cli_opt(cmd, argc, argv, &i, opts[k].name, &v);
            if (m < 0)
                return 1;
            if (m > 0) {
                *(const char **)((char *)o + opts[k].off) = v;
                matched = true;
            }
        }
        if (matched)
            continue;
        if (argv[i][0] == '-' && argv[i][1])
            return cli_usage(cmd, "unknown option '%s'", argv[i]);
        if (o->name)
            return cli_usage(cmd, "unexpected argument '%s'", argv[i]);
        o->name = argv[i++];
    }
    if (!o->name)
        return cli_usage(cmd, "report needs a report name");
    return 0;
}

int cmd_report(cli_ctx *ctx, int argc, char **argv)
{
    const cli_command *cmd = cli_find("report");
    report_opts o = {0};
    int code = parse_report_opts(cmd, argc, argv, &o);
    if (code)
        return code;
    const lf_report_def *def = lf_report_find(o.name);
    if (!def && strcmp(o.name, "all") != 0) {
        size_t n;
        const lf_report_def *all = lf_report_list(&n);
        fprintf(stderr, "leadflow: error: unknown report '%s'\nreports:", o.name);
        for (size_t i = 0; i < n; i++)
            fprintf(stderr, " %s", all[i].name);
        fputc('\n', stderr);
        return 1;
    }
    const char *format = o.format ? o.format : "table";
    if (!report_format_known(format))
        return cli_usage(cmd, "unknown format '%s' (table, csv, json, html)", format);
    lf_by by = LF_BY_MONTH;
    if (o.by && !lf_by_parse(o.by, &by))
        return cli_usage(cmd, "--by needs day, week, month, quarter or year, not '%s'", o.by);
    if ((code = cli_load_config(ctx)) != 0)
        return code;
    lf_report_args a = {.cfg = &ctx->ws.cfg, .by = by};
    if ((code = cli_parse_range(ctx, cmd, o.from, o.to, o.as_of, &a.from_day, &a.to_day,
                                &a.as_of)) != 0)
        return code;
    lf_dataset ds;
    if ((code = cli_load_dataset(ctx, &ds)) != 0)
        return code;
    a.ds = &ds;
    lf_error err;
    lf_buf out;
    lf_buf_init(&out, 0);
    lf_status s = report_render(&ctx->ws.cfg, &a, o.name, format, &out, &err);
    /* SPEC §7: an empty range says where the data is; csv and json, which have no
     * place for notes, get the missing inputs here too (table and html show them
     * under each table). stdout stays the report, byte for byte. */
    lf_report_notes notes;
    bool plain = strcmp(format, "csv") == 0 || strcmp(format, "json") == 0;
    lf_report_notes_make(&a, o.name, LF_NOTES_RANGE | (plain ? LF_NOTES_INPUTS : 0u), &notes);
    lf_dataset_release(&ds);
    if (s != LF_OK) {
        lf_buf_release(&out);
        return cli_fail(s, "%s", err.msg);
    }
    code = report_write_output(o.out, &out);
    lf_buf_release(&out);
    for (size_t i = 0; code == 0 && i < notes.n; i++)
        fprintf(stderr, "leadflow: note: %s\n", notes.text[i]);
    return code;
}
