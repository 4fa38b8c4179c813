/*
 * app_preset.c — `leadflow import --preset NAME FILE` for the front ends
 * (leadflow/app_preset.h, SPEC §9, docs/presets.md).
 *
 * Place in the flow: a front end -> here -> preset (ingest: the export as leadflow's
 * records) -> import (validation, rejects, batches, replay) -> store.
 *
 * The export is read twice, so it must be a file: pass 1 imports its rows as leads,
 * pass 2 as their lifecycle events. The lines pass 1 rejected are kept (in order, as
 * the importer reports them) so that pass 2 makes no events for a contact whose lead
 * was rejected: the row is reported once. Warnings of both passes go to one callback
 * and one count. A cancelled pass 1 ends the import there (what was read is
 * committed); pass 2 runs only after a pass 1 that read the whole file. Each pass reads
 * the file through the same byte source as the other imports (import_source.h).
 */
#include <stdlib.h>
#include <string.h>

#include "import_source.h"
#include "leadflow/app_preset.h"
#include "leadflow/buf.h"
#include "leadflow/import.h"
#include "leadflow/preset.h"
#include "leadflow/store.h"

typedef struct preset_run {
    const lf_app_import_cb *cb;
    lf_app_preset_warn_fn on_warning;
    int64_t warnings;
    long *rejected;        /* lines of pass 1's rejected rows (sorted before pass 2) */
    size_t nrejected, cap;
    bool oom;
    import_fd src; /* the pass's file (src.cb = cb) */
} preset_run;

bool lf_app_preset_known(const char *name)
{
    return lf_preset_known(name);
}

const char *lf_app_preset_names(void)
{
    return lf_preset_names();
}

static void on_warn(void *ctx, const char *file, long line, const char *msg)
{
    preset_run *r = ctx;
    r->warnings++;
    if (r->on_warning)
        r->on_warning(r->cb ? r->cb->ctx : NULL, file, line, msg);
}

/* Pass 1's rejects: kept for pass 2, then handed to the front end. */
static void on_reject(void *ctx, const char *name, long line, const char *reason)
{
    preset_run *r = ctx;
    if (lf_grow(&r->rejected, &r->cap, r->nrejected + 1, sizeof *r->rejected))
        r->rejected[r->nrejected++] = line;
    else
        r->oom = true;
    if (r->cb && r->cb->on_reject)
        r->cb->on_reject(r->cb->ctx, name, line, reason);
}

static void on_reject_pass2(void *ctx, const char *name, long line, const char *reason)
{
    preset_run *r = ctx;
    if (r->cb && r->cb->on_reject)
        r->cb->on_reject(r->cb->ctx, name, line, reason);
}

static void on_progress(void *ctx, const char *name, int64_t rows, uint64_t bytes, bool done)
{
    preset_run *r = ctx;
    if (r->cb && r->cb->on_progress)
        r->cb->on_progress(r->cb->ctx, name, rows, bytes, done);
}

static bool on_cancel(void *ctx)
{
    const preset_run *r = ctx;
    return import_fd_cancelled(&r->src);
}

static void on_ignored(void *ctx, const char *reason, int64_t count)
{
    preset_run *r = ctx;
    if (r->cb && r->cb->on_ignored)
        r->cb->on_ignored(r->cb->ctx, reason, count);
}

static bool skip_line(void *ctx, long line)
{
    const preset_run *r = ctx;
    size_t lo = 0, hi = r->nrejected;
    while (lo < hi) { /* binary search: at most log2(n) turns */
        size_t mid = lo + (hi - lo) / 2;
        if (r->rejected[mid] == line)
            return true;
        if (r->rejected[mid] < line)
            lo = mid + 1;
        else
            hi = mid;
    }
    return false;
}

static int cmp_line(const void *a, const void *b)
{
    long x = *(const long *)a, y = *(const long *)b;
    return (x > y) - (x < y);
}

/* One pass over the file: the preset as the importer's record source. */
static lf_status run_pass(lf_workspace *ws, const char *preset, const char *file,
                          lf_import_kind kind, const lf_tz *tz, preset_run *r,
                          lf_app_import_result *res, lf_error *err)
{
    lf_status s = import_fd_open(&r->src, file, err);
    if (s != LF_OK)
        return s;
    lf_preset_opts po = {.file = file, .kind = kind, .read = import_fd_read, .read_ctx = &r->src,
                         .tz = tz, .cfg = &ws->cfg, .warn = on_warn, .warn_ctx = r,
                         .skip = kind == LF_IMPORT_EVENTS ? skip_line : NULL, .skip_ctx = r};
    lf_preset *p = NULL;
    s = lf_preset_open(&p, preset, &po, err);
    if (s != LF_OK) {
        import_fd_close(&r->src);
        return s;
    }
    lf_record_source src = lf_preset_source(p);
    lf_import_opts opts = {.kind = kind, .name = file, .source = &src, .tz = tz,
                           .on_reject = kind == LF_IMPORT_LEADS ? on_reject : on_reject_pass2,
                           .on_progress = on_progress, .cancel = on_cancel, .ctx = r};
    lf_import_stats stats = {.on_ignored = on_ignored, .ctx = r};
    s = lf_import(ws->store, &ws->cfg, &opts, &stats, err);
    lf_preset_free(p);
    import_fd_close(&r->src);
    import_result_fill(res, &stats, r->src.failed);
    return s;
}

/* The status of both passes: a failure that is not rejected rows wins; rejected rows
 * of either pass make LF_EINPUT with their total. */
static lf_status both(const char *file, lf_status s1, lf_status s2,
                      const lf_app_import_result res[2], lf_error *err)
{
    int64_t rejected = res[0].rejected + res[1].rejected;
    if (s2 != LF_OK && !(s2 == LF_EINPUT && res[1].rejected))
        return s2;
    if (!rejected)
        return s1 != LF_OK ? s1 : s2;
    return lf_errorf(err, LF_EINPUT, "%s: %lld row%s rejected", file, (long long)rejected,
                     rejected == 1 ? "" : "s");
}

lf_status lf_app_import_preset(lf_workspace *ws, const char *preset, const char *file,
                               const char *tz_name, const lf_app_import_cb *cb,
                               lf_app_preset_warn_fn on_warning,
                               lf_app_import_result res[2], int64_t *warnings,
                               lf_error *err)
{
    memset(res, 0, 2 * sizeof *res);
    res[0].name = res[1].name = file;
    if (warnings)
        *warnings = 0;
    if (!lf_preset_known(preset))
        return lf_errorf(err, LF_EUSAGE, "unknown preset '%s' (hubspot, salesforce)",
                         preset ? preset : "");
    if (!file || strcmp(file, "-") == 0)
        return lf_errorf(err, LF_EUSAGE,
                         "--preset needs a file, not standard input (it reads the file twice)");
    lf_status s = lf_workspace_open(ws, err);
    if (s != LF_OK)
        return s;
    lf_tz *own;
    if ((s = import_load_zone(tz_name, "", &own, err)) != LF_OK)
        return s;
    const lf_tz *tz = own ? own : ws->cfg.tz;
    preset_run r = {.cb = cb, .on_warning = on_warning, .src = {.cb = cb}};
    s = run_pass(ws, preset, file, LF_IMPORT_LEADS, tz, &r, &res[0], err);
    bool go_on = (s == LF_OK || (s == LF_EINPUT && res[0].rejected)) && !res[0].cancelled;
    if (go_on && r.oom)
        s = lf_errorf(err, LF_ENOMEM, "out of memory"), go_on = false;
    if (go_on) {
        if (r.nrejected)
            qsort(r.rejected, r.nrejected, sizeof *r.rejected, cmp_line);
        lf_error err2 = {0};
        lf_status s2 = run_pass(ws, preset, file, LF_IMPORT_EVENTS, tz, &r, &res[1], &err2);
        lf_status t = both(file, s, s2, res, err);
        if (err && t == s2 && s2 != LF_OK && !(s2 == LF_EINPUT && res[1].rejected))
            *err = err2;
        s = t;
    }
    free(r.rejected);
    if (own)
        lf_tz_free(own);
    if (warnings)
        *warnings = r.warnings;
    return s;
}
