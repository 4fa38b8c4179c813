/*
 * app_import.c — importing files and reading back rejects and ignored events, for the
 * front ends (leadflow/app_import.h).
 *
 * Place in the flow: a front end -> here -> ingest (lf_import: validation, rejects,
 * batches, replay) -> store. The file is read through import_source.h's byte source (a
 * file descriptor whose reads a Ctrl-C interrupts: the import stops at the next record
 * with what was read committed), shared with the preset import (app_preset.c). An
 * import map (leadflow/mapping.h) reads the file through its own CSV reader over the
 * same byte source and hands lf_import rows in leadflow's layout; a --timezone zone is
 * loaded here. Rows handed out (rejects, ignored events) are the store's, converted
 * to the application layer's types so that front ends need no store header.
 */
#include <string.h>

#define MAP_MAX_FIELD (1u << 20) /* a field of a mapped file, as the importer's */

#include "import_source.h"
#include "leadflow/app_import.h"
#include "leadflow/import.h"
#include "leadflow/mapping.h"
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

const char *lf_app_import_kind_name(int kind)
{
    const lf_import_kind_spec *spec = lf_import_kind_spec_of((lf_import_kind)kind);
    return spec ? spec->name : "unknown";
}

/* One import's inputs beyond the file: a zone (NULL = the workspace's) and a map
 * (NULL = the file in leadflow's own shape). */
typedef struct import_job {
    int kind;
    const lf_tz *tz;
    const lf_map *map;
} import_job;

/* Reads the file through the map (header first: a map error stops here) into lf_import. */
static lf_status import_mapped(lf_workspace *ws, const import_job *job, import_fd *src,
                               lf_import_opts *opts, lf_import_stats *stats,
                               lf_app_import_result *res, lf_error *err)
{
    lf_csv *csv = lf_csv_new(import_fd_read, src, 1 << 16, MAP_MAX_FIELD);
    if (!csv)
        return lf_errorf(err, LF_ENOMEM, "out of memory");
    lf_map_source *ms;
    const lf_tz *tz = job->tz ? job->tz : ws->cfg.tz;
    lf_status s = lf_map_source_new(&ms, job->map, csv, res->name, tz, err);
    if (s == LF_OK) {
        opts->source = lf_map_source_records(ms);
        s = lf_import(ws->store, &ws->cfg, opts, stats, err);
        res->skipped = lf_map_source_skipped(ms);
        lf_map_source_free(ms);
    }
    lf_csv_free(csv);
    return s;
}

/* Opens the file and imports it as job says, filling *res. */
static lf_status import_job_run(lf_workspace *ws, const import_job *job, const char *file,
                                const lf_app_import_cb *cb, lf_app_import_result *res,
                                lf_error *err)
{
    import_fd src = {.cb = cb};
    lf_status s = import_fd_open(&src, file, err);
    if (s != LF_OK)
        return s;
    lf_import_opts opts = {.kind = (lf_import_kind)job->kind, .name = res->name,
                           .read = import_fd_read, .read_ctx = &src, .tz = job->tz};
    lf_import_stats stats = {0};
    if (cb) {
        opts.on_reject = cb->on_reject;
        opts.on_progress = cb->on_progress;
        opts.cancel = cb->cancel;
        opts.ctx = cb->ctx;
        stats.on_ignored = cb->on_ignored;
        stats.ctx = cb->ctx;
    }
    s = job->map ? import_mapped(ws, job, &src, &opts, &stats, res, err)
                 : lf_import(ws->store, &ws->cfg, &opts, &stats, err);
    import_fd_close(&src);
    import_result_fill(res, &stats, src.failed);
    return s;
}

lf_status lf_app_import_file(lf_workspace *ws, int kind, const char *file, const char *tz_name,
                             const lf_app_import_cb *cb, lf_app_import_result *res,
                             lf_error *err)
{
    memset(res, 0, sizeof *res);
    res->name = strcmp(file, "-") == 0 ? "<stdin>" : file;
    lf_tz *tz;
    lf_status s = import_load_zone(tz_name, "--timezone: ", &tz, err);
    if (s == LF_OK)
        s = lf_workspace_open(ws, err);
    if (s == LF_OK) {
        import_job job = {.kind = kind, .tz = tz};
        s = import_job_run(ws, &job, file, cb, res, err);
    }
    lf_tz_free(tz);
    return s;
}

lf_status lf_app_import_map(lf_workspace *ws, const char *map_path, const char *file,
                            const char *tz_name, const lf_app_import_cb *cb,
                            lf_app_import_result *res, lf_error *err)
{
    memset(res, 0, sizeof *res);
    res->name = strcmp(file, "-") == 0 ? "<stdin>" : file;
    lf_map *map = NULL;
    lf_tz *tz = NULL;
    lf_status s = lf_map_load(&map, map_path, err);
    if (s == LF_OK && !lf_map_tz(map)) /* the map's own zone wins over --timezone */
        s = import_load_zone(tz_name, "--timezone: ", &tz, err);
    if (s == LF_OK)
        s = lf_workspace_open(ws, err);
    if (s == LF_OK) {
        import_job job = {.kind = (int)lf_map_kind(map), .tz = lf_map_tz(map), .map = map};
        if (!job.tz)
            job.tz = tz;
        s = import_job_run(ws, &job, file, cb, res, err);
    }
    lf_tz_free(tz);
    lf_map_free(map);
    return s;
}

lf_status lf_app_check_map(const char *map_path, lf_error *err)
{
    lf_map *map;
    lf_status s = lf_map_load(&map, map_path, err);
    lf_map_free(map);
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
