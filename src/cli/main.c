/*
 * main.c — the leadflow command line: global options, then one command from the
 * dispatch table below. Front end only: every command calls the library. cli_main is
 * called by src/main.c for every command line but `serve` (src/server, the other
 * front end), which the usage below lists all the same.
 *
 *   leadflow [--workspace DIR] [--store URL] COMMAND [ARGS...]
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "leadflow/outfile.h"
#include "main.h"

static const cli_command commands[] = {
    {"init", cmd_init, "init [DIR]",
     "Creates a workspace in DIR (default: the workspace directory): a commented\n"
     "leadflow.yaml and an empty store. An existing leadflow.yaml is kept."},
    {"import", cmd_import,
     "import leads|events|costs|traffic FILE... [--timezone ZONE]\n"
     "       import --map MAP.yaml [--map MAP.yaml]... FILE... [--timezone ZONE]\n"
     "       import --preset hubspot|salesforce FILE [--timezone ZONE]",
     "Imports CSV files ('-' reads standard input). Bad rows are rejected with file,\n"
     "line and reason (see 'leadflow rejects'); the good rows are imported. Importing\n"
     "the same file again changes nothing. Exit code 2 when any row was rejected.\n"
     "Rows are committed in batches; Ctrl-C or SIGTERM stops at the next batch (exit\n"
     "130 / 143) and running the same import again finishes it. A writer waits for\n"
     "another up to LEADFLOW_LOCK_TIMEOUT seconds (default 30), then exits 4.\n"
     "\n"
     "Columns of each kind (header names in any order and case; * = required):\n"
     "  leads    id*, email, created_at*, source, origin, persona; any other column\n"
     "           is an attribute of the lead\n"
     "  events   lead_id*, ts*, type*, detail, amount, reason, id\n"
     "  costs    date*, channel, amount*\n"
     "  traffic  date*, channel, visitors*\n"
     "\n"
     "--map MAP.yaml reads any other export: the map gives the kind and how the file's\n"
     "columns become these (docs/maps.md); a map error names the map's line and key\n"
     "(exit 3). Several --map read each file once per map, in order (leads first, then\n"
     "their events). --preset reads a HubSpot or Salesforce export as exported\n"
     "(docs/presets.md). --timezone ZONE is the zone of timestamps without an offset\n"
     "(default: the workspace's; a map's own timezone wins)."},
    {"rejects", cmd_rejects, "rejects",
     "Lists the rows that were rejected by imports: file, line, reason and the row."},
    {"ignored", cmd_ignored, "ignored",
     "Lists the imported events that did not apply in their lead's stage: file, line,\n"
     "lead, time, type and why (e.g. 'accepted while in sql', 'mql without email',\n"
     "'before created_at'). The import summary counts them by reason."},
    {"lead", cmd_lead, "lead ID [--as-of TS]",
     "Explains one lead: attributes, current stage, every transition and why it\n"
     "happened, every handoff with its SLA figures, and the events that were ignored."},
    {"report", cmd_report,
     "report NAME [--from DATE] [--to DATE] [--by day|week|month|quarter|year]\n"
     "       [--as-of TS] [--format table|csv|json|html] [-o FILE] [--attribute NAME]",
     "Runs a report (funnel, mql, sql, velocity, speed, cost, bizday, persona, channel,\n"
     "customers, scoring; 'all' runs every one). 'segment --attribute NAME' has the\n"
     "persona columns per value of a lead attribute (industry, country, ...; leads\n"
     "without it are 'none'); 'all' leaves it out. --from is inclusive and --to\n"
     "exclusive (local dates); default range: the 12 calendar months ending with the\n"
     "month of --as-of (default: now). Rates are fractions in csv/json, percentages on\n"
     "the terminal; a ratio with a zero denominator is null / empty / '–'. --by does\n"
     "not apply to the reports whose rows are not periods (a note says so)."},
    {"plan", cmd_plan,
     "plan --revenue N [--deal-size N] [--close-rate R] [--sql-rate R] [--mql-rate R]\n"
     "       [--visit-rate R] [--months M] [--from-history] [--as-of TS] [--format table|json]",
     "Plans backwards from a revenue goal: deals, SQLs, MQLs, leads and\n"
     "visitors needed, rounding up at every step. Rates not given come from the 12\n"
     "calendar months before the month of --as-of (--from-history). --months M also\n"
     "shows the need per month and per business day."},
    {"rescore", cmd_rescore, "rescore [--timing]",
     "Replays every lead under the current leadflow.yaml: channel, origin and persona\n"
     "from the sources and personas rules, scores and MQLs from the scoring rules. The\n"
     "event log is untouched. Prints the leads whose MQLs changed and the totals;\n"
     "--timing also prints how fast scoring ran once events were in memory."},
    {"whatif", cmd_whatif, "whatif --config OTHER.yaml [--from DATE] [--to DATE] [--as-of TS]",
     "Replays history under another configuration without touching the store and\n"
     "compares it with the current one: MQLs, acceptance and customers side by side,\n"
     "the leads the other rules would add and drop, and what those leads actually did."},
    {"generate", cmd_generate, "generate --leads N --seed S --out DIR [--end YYYY-MM-DD]",
     "Writes a realistic synthetic workspace (leads.csv, events.csv, costs.csv,\n"
     "traffic.csv, leadflow.yaml) into DIR without importing it. The same seed gives\n"
     "the same bytes. --end is the exclusive end date of the data (default 2026-11-20)."},
    {"demo", cmd_demo, "demo [DIR] [--leads N] [--seed S]",
     "Generates a synthetic workspace in DIR (default ./demo-workspace), imports it\n"
     "and prints a summary."},
    {"deliver", cmd_deliver, "deliver [--list | --retry-failed]",
     "Sends the alerts of the webhooks in leadflow.yaml once (for cron): adds every\n"
     "alert due now (handoff.overdue, pacing.behind) to the outbox, then posts every\n"
     "delivery that is due, signed (docs/alerts.md). A failed attempt is retried with\n"
     "backoff for 24 hours, then failed. --list shows the pending and failed\n"
     "deliveries; --retry-failed makes the failed ones pending again.\n"
     "LEADFLOW_DELIVER_TIMEOUT: seconds a request may take (default 10)."},
    {"digest", cmd_digest,
     "digest --to ADDR [--report all|NAME] [--from DATE] [--to DATE] [--by PERIOD]",
     "Emails the HTML report (default: all) with the terminal headline as its text\n"
     "part, from mail.from through mail.smtp_url (leadflow.yaml). The login comes from\n"
     "LEADFLOW_SMTP_USER and LEADFLOW_SMTP_PASSWORD. --to with an address is the\n"
     "recipient, --to with a date the end of the report's range."},
    {"export", cmd_export,
     "export handoffs --format csv|hubspot|salesforce [--since TS] [--status pending|all]\n"
     "       [--as-of TS] [-o FILE]",
     "Writes the MQLs (handoffs) for a CRM import: email, lead id, mql_at, deadline,\n"
     "score, grade, persona, channel, status; hubspot and salesforce in the column\n"
     "layout of their importers (docs/alerts.md). --since keeps the handoffs opened at\n"
     "or after TS; --status pending (default: undecided at --as-of, default now) or\n"
     "all. Oldest deadline first. -o FILE is created readable by its owner only."},
    {"copy", cmd_copy, "copy --from STORE --to STORE",
     "Copies a store into a new, empty one: a SQLite path or a postgresql:// URL\n"
     "(docs/postgresql.md), e.g. when a team moves to a PostgreSQL server. Leads,\n"
     "events, spend, traffic, rejected rows and the outbox are copied; the derived\n"
     "state is replayed under this workspace's leadflow.yaml, so reports are the same."},
};

const cli_command *cli_find(const char *name)
{
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

static void usage(FILE *out)
{
    fprintf(out, "usage: leadflow [--workspace DIR] [--store URL] COMMAND [ARGS...]\n\n"
                 "commands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %s\n", commands[i].usage);
    fprintf(out, "  serve [--listen ADDR:PORT] [--threads N]\n");
    fprintf(out, "\n'leadflow COMMAND --help' explains a command; 'leadflow --version'.\n"
                 "Exit codes: 0 ok, 1 usage, 2 input data, 3 configuration, 4 store.\n");
}

int cli_main(int argc, char **argv)
{
    const char *dir = getenv("LEADFLOW_WORKSPACE"), *store_url = getenv("LEADFLOW_STORE");
    if (dir && !*dir)
        dir = NULL;
    if (store_url && !*store_url)
        store_url = NULL;
    int i = 1;
    while (i < argc && argv[i][0] == '-') {
        const char *v;
        int m;
        if (strcmp(argv[i], "--version") == 0) {
            printf("leadflow %s\n", LF_VERSION);
            return 0;
        }
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return 0;
        }
        if ((m = cli_opt(NULL, argc, argv, &i, "workspace", &v)) != 0) {
            if (m < 0)
                return 1;
            dir = v;
        } else if ((m = cli_opt(NULL, argc, argv, &i, "store", &v)) != 0) {
            if (m < 0)
                return 1;
            store_url = v;
        } else {
            fprintf(stderr, "leadflow: error: unknown option '%s'\n", argv[i]);
            usage(stderr);
            return 1;
        }
    }
    if (i >= argc) {
        usage(stderr);
        return 1;
    }
    const cli_command *cmd = cli_find(argv[i]);
    if (!cmd) {
        fprintf(stderr, "leadflow: error: unknown command '%s'\n", argv[i]);
        usage(stderr);
        return 1;
    }
    cli_ctx ctx;
    lf_workspace_init(&ctx.ws, dir, store_url);
    int code;
    if (cli_wants_help(cmd, argc - i, argv + i))
        code = 0;
    else
        code = cmd->fn(&ctx, argc - i, argv + i);
    lf_workspace_release(&ctx.ws);
    /* every write to stdout is checked here at the latest (printf in the commands):
     * an output that cannot be written exits 4. A closed pipe (`| head -1`) still ends
     * the process silently by the default SIGPIPE, as shells expect. */
    lf_error err;
    if (code == 0 && lf_outfile_flush_stream(stdout, "standard output", &err) != LF_OK)
        code = cli_fail(err.code, "%s", err.msg);
    return code;
}
