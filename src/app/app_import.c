/*
 * app_import.c — importing files and reading back rejects and ignored events, for the
 * front ends (leadflow/app_import.h).
 *
 * Place in the flow: a front end -> here -> ingest (lf_import: validation, rejects,
 * batches, replay) -> store. This file owns the byte source of a file import: a file
 * descriptor read with read(2), retried after a signal unless the front end's cancel
 * callback says the import is being stopped, so a Ctrl-C interrupts a blocked read
 * (standard input from a pipe) and the import stops at the next record with what was
 * read committed. Rows handed out (rejects, ignored events) are the store's, converted
 * to the application layer's types so that front ends need no store header.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "leadflow/app_import.h"
#include "leadflow/import.h"
#include "leadflow/replay.h"
#include "leadflow/store.h"

bool lf_app_import_kind(const char *name, int *kind)
{
    lf_import_kind k;
    if (!lf_import_kind_parse(name, &k))
        return false;
    *kind = (int)k;
    return true;
}

typedef struct fd_source {
    int fd;
    bool failed;
    const lf_app_import_cb *cb;
} fd_source;

static bool cancelled(const fd_source *src)
{
    return src->cb && src->cb->cancel && src->cb->cancel(src->cb->ctx);
}

/* read(2), retried after a signal unless the import is being stopped. */
static size_t read_fd(void *ctx, char *buf, size_t n)
{
    fd_source *src = ctx;
    for (int tries = 0; tries < 1000; tries++) {
        ssize_t got = read(src->fd, buf, n);
        if (got >= 0)
            return (size_t)got;
        if (errno != EINTR || cancelled(src))
            break;
    }
    src->failed = !cancelled(src);
    return (size_t)-1;
}

lf_status lf_app_import_file(lf_workspace *ws, int kind, const char *file,
                             const lf_app_import_cb *cb, lf_app_import_result *res,
                             lf_error *err)
{
    bool is_stdin = strcmp(file, "-") == 0;
    memset(res, 0, sizeof *res);
    res->name = is_stdin ? "<stdin>" : file;
    lf_status s = lf_workspace_open(ws, err);
    if (s != LF_OK)
        return s;
    fd_source src = {.fd = is_stdin ? STDIN_FILENO : open(file, O_RDONLY | O_CLOEXEC), .cb = cb};
    if (src.fd < 0)
        return lf_errorf(err, LF_EINPUT, "cannot open '%s': %s", file, strerror(errno));
    lf_import_opts opts = {.kind = (lf_import_kind)kind, .name = res->name, .read = read_fd,
                           .read_ctx = &src};
    lf_import_stats stats = {0};
    if (cb) {
        opts.on_reject = cb->on_reject;
        opts.on_progress = cb->on_progress;
        opts.cancel = cb->cancel;
        opts.ctx = cb->ctx;
        stats.on_ignored = cb->on_ignored;
        stats.ctx = cb->ctx;
    }
    s = lf_import(ws->store, &ws->cfg, &opts, &stats, err);
    if (!is_stdin)
        close(src.fd);
    res->read = stats.read;
    res->imported = stats.imported;
    res->duplicates = stats.duplicates;
    res->rejected = stats.rejected;
    res->ignored = stats.ignored;
    res->cancelled = stats.cancelled;
    res->read_failed = src.failed;
    return s;
}

typedef struct reject_pass {
    lf_app_reject_fn fn;
    void *ctx;
} reject_pass;

static lf_status pass_reject(void *ctx, const lf_reject *r)
{
    reject_pass *p = ctx;
    lf_app_reject a = {.kind = r->kind, .file = r->file, .reason = r->reason, .raw = r->raw,
                       .line = r->line};
    return p->fn(p->ctx, &a);
}

lf_status lf_app_rejects(lf_workspace *ws, lf_app_reject_fn fn, void *ctx, lf_error *err)
{
    lf_status s = lf_workspace_open(ws, err);
    if (s != LF_OK)
        return s;
    reject_pass p = {fn, ctx};
    return lf_store_rejects_scan(ws->store, pass_reject, &p, err);
}

typedef struct ignored_pass {
    lf_app_ignored_fn fn;
    void *ctx;
} ignored_pass;

static lf_status pass_ignored(void *ctx, const lf_ignored_row *r)
{
    ignored_pass *p = ctx;
    lf_app_ignored g = {.seq = r->seq, .file = r->file, .line = r->line, .lead_id = r->lead_id,
                        .type = r->type, .reason = r->reason, .ts = r->ts};
    return p->fn(p->ctx, &g);
}

lf_status lf_app_ignored_events(lf_workspace *ws, lf_app_ignored_fn fn, void *ctx,
                                lf_error *err)
{
    lf_status s = lf_workspace_open(ws, err);
    if (s != LF_OK)
        return s;
    /* the reasons are derived state: pending replays (an interrupted import) are
     * finished first, which writes only when some are pending */
    s = lf_replay_pending(ws->store, &ws->cfg, NULL, err);
    ignored_pass p = {fn, ctx};
    if (s == LF_OK)
        s = lf_store_ignored_scan(ws->store, pass_ignored, &p, err);
    return s;
}
