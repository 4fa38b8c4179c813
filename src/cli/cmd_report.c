/*
 * cmd_report.c — `leadflow report NAME|all [--from DATE] [--to DATE] [--by PERIOD]
 * [--as-of TS] [--format table|csv|json|html] [-o FILE] [--attribute NAME]` (SPEC §5;
 * --attribute for `segment`, SPEC §9).
 *
 * Parses the options, asks the application layer for the report's bytes
 * (lf_app_report: dataset, reports, renderers) and writes them to stdout or to FILE
 * (written to a temporary file and renamed, so a failed run never leaves half a
 * report behind). Notes for the user (an empty range and where the data is, inputs
 * never imported: SPEC §7) go to stderr as "leadflow: note: ...", so stdout stays
 * exactly the report.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "leadflow/app_report.h"

typedef struct report_opts {
    const char *name, *attribute;
    cli_range_opts r; /* --from --to --by --as-of --format -o/--output */
} report_opts;

static int parse_report_opts(const cli_command *cmd, int argc, char **argv, report_opts *o)
{
    const unsigned range = CLI_OPT_FROM | CLI_OPT_TO | CLI_OPT_BY | CLI_OPT_AS_OF |
                           CLI_OPT_FORMAT | CLI_OPT_OUTPUT;
    for (int i = 1; i < argc;) {
        int m = cli_range_opt(cmd, argc, argv, &i, range, &o->r);
        if (m == 0)
            m = cli_opt(cmd, argc, argv, &i, "attribute", &o->attribute);
        if (m < 0)
            return 1;
        if (m > 0)
            continue;
        if ((argv[i][0] == '-' && argv[i][1]) || o->name)
            return cli_bad_arg(cmd, argv[i]);
        o->name = argv[i++];
    }
    if (!o->name)
        return cli_usage(cmd, "report needs a report name");
    return 0;
}

/* "leadflow: error: unknown report 'NAME'", the reports of `all` on a line "reports:"
 * (tests read the registry from it) and the others on the next; returns 1. */
static int unknown_report(const char *name)
{
    fprintf(stderr, "leadflow: error: unknown report '%s'\nreports:", name);
    for (size_t i = 0; lf_app_report_name(i); i++)
        fprintf(stderr, " %s", lf_app_report_name(i));
    fputs("\nnot in 'all' (they need an argument):", stderr);
    for (size_t i = 0; lf_app_report_name_more(i); i++)
        fprintf(stderr, " %s", lf_app_report_name_more(i));
    fputc('\n', stderr);
    return 1;
}

/* ---- report NAME --help: the report's columns and their definitions ------------------ */

#define HELP_WIDTH 80

/* Writes text word-wrapped to HELP_WIDTH columns; the cursor is at column `col` (text
 * starts there), later lines are indented by `indent` spaces. Ends the line. */
static void put_wrapped(const char *text, size_t col, size_t indent)
{
    bool first = true;
    for (const char *p = text; *p;) {
        if (*p == ' ') {
            p++;
            continue;
        }
        size_t n = strcspn(p, " ");
        if (!first && col + 1 + n > HELP_WIDTH) {
            printf("\n%*s", (int)indent, "");
            col = indent;
        } else if (!first) {
            putchar(' ');
            col++;
        }
        printf("%.*s", (int)n, p);
        col += n;
        p += n;
        first = false;
    }
    putchar('\n');
}

/* The report named on a `report ... --help` line (the first argument that is neither
 * an option nor an option's value), or NULL. */
static const char *help_name(int argc, char **argv)
{
    static const char *const valued[] = {"--from",   "--to",        "--by", "--as-of",
                                         "--format", "--output",    "-o",   "--attribute"};
    for (int i = 1; i < argc; i++) {
        if (argv[i][0] != '-' || !argv[i][1])
            return argv[i];
        for (size_t k = 0; k < sizeof valued / sizeof valued[0]; k++)
            if (strcmp(argv[i], valued[k]) == 0) {
                i++;
                break;
            }
    }
    return NULL;
}

void cmd_report_help(int argc, char **argv)
{
    const char *name = help_name(argc, argv);
    const lf_present *p = lf_app_report_present(name);
    if (!p || !p->cols) {
        if (name && !lf_app_report_known(name)) {
            fputs("\nunknown report '", stdout);
            cli_put_text(stdout, name);
            fputs("'", stdout);
        }
        puts("\n'leadflow report NAME --help' lists the columns of report NAME with their\n"
             "definitions.");
        return;
    }
    printf("\n%s: %s\n", name, p->title);
    put_wrapped(p->question, 0, 0);
    if (p->options)
        put_wrapped(p->options, 0, 0);
    size_t w = 0;
    for (const lf_col_spec *c = p->cols; c->name; c++)
        w = strlen(c->name) > w ? strlen(c->name) : w;
    puts("\ncolumns:");
    for (const lf_col_spec *c = p->cols; c->name; c++) {
        printf("  %-*s  ", (int)w, c->name);
        put_wrapped(c->def ? c->def : "", w + 4, w + 4);
    }
    fputs("\nterms:\n  ", stdout);
    put_wrapped(LF_COL_TERMS, 2, 2);
}

int cmd_report(cli_ctx *ctx, int argc, char **argv)
{
    const cli_command *cmd = cli_find("report");
    report_opts o = {0};
    int code = parse_report_opts(cmd, argc, argv, &o);
    if (code)
        return code;
    if (!lf_app_report_known(o.name))
        return unknown_report(o.name);
    lf_app_report_req req = {.name = o.name, .format = o.r.format, .from = o.r.from,
                             .to = o.r.to, .by = o.r.by, .as_of = o.r.as_of,
                             .attribute = o.attribute};
    lf_app_report_out out;
    lf_app_report_out_init(&out);
    lf_error err;
    lf_status s = lf_app_report(&ctx->ws, &req, &out, &err);
    if (s != LF_OK)
        code = out.bad_request ? cli_usage(cmd, "%s", err.msg) : cli_fail(s, "%s", err.msg);
    else
        code = cli_write_output(o.r.out, &out.bytes);
    for (size_t i = 0; code == 0 && i < out.nnotes; i++)
        fprintf(stderr, "leadflow: note: %s\n", out.notes[i]);
    lf_app_report_out_release(&out);
    return code;
}
