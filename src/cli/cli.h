/*
 * cli.h — shared pieces of the command-line front end.
 *
 * The CLI is thin: it parses options, opens the workspace, calls the library and
 * prints. Each command lives in its own file and is reached through the dispatch
 * table in main.c. Commands return an exit code (SPEC §7: 0 ok, 1 usage, 2 input
 * data, 3 configuration, 4 store).
 */
#ifndef LEADFLOW_CLI_H
#define LEADFLOW_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "leadflow/app.h"
#include "leadflow/buf.h"
#include "leadflow/config.h"
#include "leadflow/error.h"

typedef struct cli_ctx {
    /* --workspace / LEADFLOW_WORKSPACE / "."; --store / LEADFLOW_STORE / DIR/leadflow.db */
    lf_workspace ws;
} cli_ctx;

typedef int (*cli_cmd_fn)(cli_ctx *ctx, int argc, char **argv);

typedef struct cli_command {
    const char *name;
    cli_cmd_fn fn;
    const char *usage;   /* "import leads|events|costs|traffic FILE..." */
    const char *help;    /* what it does, several lines */
} cli_command;

/* Prints "leadflow: error: MSG" to stderr and returns the exit code of status. */
int cli_fail(lf_status status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prints a usage error for cmd ("leadflow: error: MSG" + usage line); returns 1. */
int cli_usage(const cli_command *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Looks a command up by name (NULL if unknown). */
const cli_command *cli_find(const char *name);
/* Whether argv asks for help (-h / --help). Prints the command's help if so. */
bool cli_wants_help(const cli_command *cmd, int argc, char **argv);

/* Matches option `name` at argv[*i] as "--name VALUE" or "--name=VALUE"; on a match
 * sets *value, advances *i past the value and returns 1; returns -1 (after printing
 * a usage error) when the value is missing, 0 when argv[*i] is another option. */
int cli_opt(const cli_command *cmd, int argc, char **argv, int *i, const char *name,
            const char **value);

/* Matches "-o FILE" at argv[*i]: as cli_opt (1 with *value set and *i past FILE; -1
 * after "option '-o' needs a file name"; 0 for another argument). */
int cli_opt_o(const cli_command *cmd, int argc, char **argv, int *i, const char **value);

/* The range and output options that the reading commands share (report, plan, whatif),
 * as given: the application layer validates them. */
typedef struct cli_range_opts {
    const char *from, *to, *by, *as_of, *format, *out;
} cli_range_opts;

enum { /* bit k is the k-th of cli_range_opts' fields */
    CLI_OPT_FROM = 1 << 0,   /* --from DATE */
    CLI_OPT_TO = 1 << 1,     /* --to DATE */
    CLI_OPT_BY = 1 << 2,     /* --by PERIOD */
    CLI_OPT_AS_OF = 1 << 3,  /* --as-of TS */
    CLI_OPT_FORMAT = 1 << 4, /* --format NAME */
    CLI_OPT_OUTPUT = 1 << 5, /* -o FILE, --output FILE */
};

/* Matches at argv[*i] one of the shared options a command takes (`which`, CLI_OPT_*
 * or-ed) into r: as cli_opt, 1 on a match (*i advanced), -1 after a usage error, 0
 * when argv[*i] is none of them. */
int cli_range_opt(const cli_command *cmd, int argc, char **argv, int *i, unsigned which,
                  cli_range_opts *r);
/* The usage error for an argument no option of cmd took: "unknown option 'ARG'" when
 * it starts with '-' (a lone "-" excepted), else "unexpected argument 'ARG'"; returns 1. */
int cli_bad_arg(const cli_command *cmd, const char *arg);

/* Loads the configuration and opens the store. Returns an exit code (0 = ok). */
int cli_open_workspace(cli_ctx *ctx);
/* Joins dir and name into a newly allocated path. */
char *cli_path(const char *dir, const char *name);

/* Writes b to stdout (path NULL) or to path atomically (leadflow/outfile.h). Returns
 * an exit code (0 = ok) after printing any error. */
int cli_write_output(const char *path, const lf_buf *b);
/* Imports one file ("-" = stdin) of a kind into the open workspace; prints its
 * summary line and rejected rows; returns its exit code. */
int cli_import_one(cli_ctx *ctx, int kind, const char *file);

/* Appends text from the data so that it cannot drive the terminal: control bytes and
 * bytes that are not valid UTF-8 as \xNN, newline as \n, carriage return as \r,
 * backslash as \\. NULL appends nothing. The one escaping of data text for the
 * terminal outside the table renderer: every command that prints such text uses it.
 * Returns the status of the appends (LF_ENOMEM; LF_EINPUT past out's cap). */
lf_status cli_add_text(lf_buf *out, const char *s);
/* cli_add_text, written to out. */
void cli_put_text(FILE *out, const char *s);
/* Command entry points. */
int cmd_init(cli_ctx *ctx, int argc, char **argv);
int cmd_import(cli_ctx *ctx, int argc, char **argv);
int cmd_rejects(cli_ctx *ctx, int argc, char **argv);
int cmd_ignored(cli_ctx *ctx, int argc, char **argv);
int cmd_lead(cli_ctx *ctx, int argc, char **argv);
int cmd_report(cli_ctx *ctx, int argc, char **argv);
/* After the usage of `report ... --help`: the named report's title, question,
 * options and columns with their definitions (a hint without a name). */
void cmd_report_help(int argc, char **argv);
int cmd_plan(cli_ctx *ctx, int argc, char **argv);
int cmd_rescore(cli_ctx *ctx, int argc, char **argv);
int cmd_whatif(cli_ctx *ctx, int argc, char **argv);
int cmd_generate(cli_ctx *ctx, int argc, char **argv);
int cmd_demo(cli_ctx *ctx, int argc, char **argv);
int cmd_deliver(cli_ctx *ctx, int argc, char **argv);
int cmd_digest(cli_ctx *ctx, int argc, char **argv);
int cmd_export(cli_ctx *ctx, int argc, char **argv);
int cmd_copy(cli_ctx *ctx, int argc, char **argv);

#endif
