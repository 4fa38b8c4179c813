/*
 * cmd_rescore.c — `leadflow rescore`: replays every lead under the current
 * configuration (sources, personas, scoring) and says what changed. The event log is
 * untouched; derived state (classification, stage history, handoffs, scores) is
 * rewritten.
 *
 * Output: a summary line, then up to RESCORE_LIST leads whose MQLs changed, each with
 * the MQL times added (+) and removed (-) in the workspace zone. Front end only: the
 * replay is lf_app_rescore_run (leadflow/app_replay.h).
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "leadflow/app_replay.h"
#include "leadflow/text.h"

#define RESCORE_LIST 20

typedef struct change_list {
    const lf_tz *tz;
    int64_t shown, more;
} change_list;

static void print_times(const lf_tz *tz, char sign, const lf_time *a, size_t na,
                        const lf_time *b, size_t nb)
{
    /* the times of a that are not in b (both ascending) */
    size_t j = 0;
    for (size_t i = 0; i < na; i++) {
        while (j < nb && b[j] < a[i])
            j++;
        if (j < nb && b[j] == a[i]) {
            j++;
            continue;
        }
        char ts[48];
        lf_time_format_local(tz, a[i], ts, sizeof ts);
        printf(" %cMQL %s", sign, ts);
    }
}

static void on_change(void *ctx, const char *id, const lf_time *before, size_t nbefore,
                      const lf_time *after, size_t nafter)
{
    change_list *c = ctx;
    if (c->shown >= RESCORE_LIST) {
        c->more++;
        return;
    }
    c->shown++;
    fputs("  ", stdout);
    cli_put_text(stdout, id ? id : "");
    print_times(c->tz, '+', after, nafter, before, nbefore);
    print_times(c->tz, '-', before, nbefore, after, nafter);
    putchar('\n');
}

int cmd_rescore(cli_ctx *ctx, int argc, char **argv)
{
    bool timing = argc == 2 && strcmp(argv[1], "--timing") == 0;
    if (argc > 2 || (argc == 2 && !timing))
        return cli_usage(cli_find("rescore"), "unexpected argument '%s'", argv[argc - 1]);
    int code = cli_open_workspace(ctx);
    if (code)
        return code;
    change_list list = {.tz = ctx->ws.cfg.tz};
    lf_app_rescore st = {.on_change = on_change, .ctx = &list};
    printf("leads whose MQLs changed:\n");
    lf_error err;
    lf_status s = lf_app_rescore_run(&ctx->ws, &st, &err);
    if (s != LF_OK)
        return cli_fail(s, "%s", err.msg);
    if (list.shown == 0)
        printf("  (none)\n");
    if (list.more)
        printf("  ... and %lld more\n", (long long)list.more);
    char a[32], b[32], c[32], d[32], e[32], f[32];
    lf_fmt_count(st.leads, a, sizeof a);
    lf_fmt_count(st.mqls_before, b, sizeof b);
    lf_fmt_count(st.mqls_after, c, sizeof c);
    lf_fmt_count(st.added, d, sizeof d);
    lf_fmt_count(st.removed, e, sizeof e);
    lf_fmt_count(st.reclassified, f, sizeof f);
    char g[32];
    lf_fmt_count(st.leads_changed, g, sizeof g);
    printf("rescored %s lead%s: MQLs (handoffs) %s before, %s after: %s added, %s removed\n"
           "(a moved MQL counts as one added and one removed) in %s lead%s\n",
           a, st.leads == 1 ? "" : "s", b, c, d, e, g, st.leads_changed == 1 ? "" : "s");
    printf("channel, origin or persona changed for %s lead%s\n", f,
           st.reclassified == 1 ? "" : "s");
    if (timing) {
        /* how fast scoring is once events are in memory (store I/O excluded) */
        double sec = (double)st.replay_usec / 1e6;
        lf_fmt_count(st.events, a, sizeof a);
        printf("scoring and lifecycle replay: %s events in %.3f s on one core = %.1f million "
               "events/s (store reads and writes excluded)\n",
               a, sec, sec > 0 ? (double)st.events / sec / 1e6 : 0.0);
    }
    return 0;
}
