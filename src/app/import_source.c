/*
 * import_source.c — what a file import needs around lf_import (import_source.h): the
 * file descriptor it reads, the zone of --timezone, the result from the importer's
 * counts. One implementation for the imports of files and maps (app_import.c) and of
 * presets (app_preset.c), so both read, stop and report the same way.
 *
 * Place in the flow: a front end -> app_import.c / app_preset.c (with these) ->
 * ingest -> store. A read interrupted by a signal is retried unless the front end's
 * cancel callback says the import is being stopped: a Ctrl-C interrupts a blocked read
 * and the import stops at the next record with what was read committed. A failed read
 * is marked so the result tells it from a cancel.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "import_source.h"

lf_status import_fd_open(import_fd *src, const char *file, lf_error *err)
{
    src->is_stdin = strcmp(file, "-") == 0;
    src->fd = src->is_stdin ? STDIN_FILENO : open(file, O_RDONLY | O_CLOEXEC);
    src->failed = false;
    if (src->fd < 0)
        return lf_errorf(err, LF_EINPUT, "cannot open '%s': %s", file, strerror(errno));
    return LF_OK;
}

void import_fd_close(import_fd *src)
{
    if (!src->is_stdin)
        close(src->fd);
}

bool import_fd_cancelled(const import_fd *src)
{
    return src->cb && src->cb->cancel && src->cb->cancel(src->cb->ctx);
}

size_t import_fd_read(void *ctx, char *buf, size_t n)
{
    import_fd *src = ctx;
    for (int tries = 0; tries < 1000; tries++) {
        ssize_t got = read(src->fd, buf, n);
        if (got >= 0)
            return (size_t)got;
        if (errno != EINTR || import_fd_cancelled(src))
            break;
    }
    src->failed = !import_fd_cancelled(src);
    return (size_t)-1;
}

lf_status import_load_zone(const char *tz_name, const char *prefix, lf_tz **tz, lf_error *err)
{
    *tz = NULL;
    if (!tz_name)
        return LF_OK;
    lf_error zerr;
    lf_status st = lf_tz_load(tz, tz_name, &zerr);
    if (st != LF_OK)
        return lf_errorf(err, st, "%s%s", prefix, zerr.msg);
    return LF_OK;
}

void import_result_fill(lf_app_import_result *res, const lf_import_stats *stats, bool read_failed)
{
    res->read = stats->read;
    res->imported = stats->imported;
    res->duplicates = stats->duplicates;
    res->rejected = stats->rejected;
    res->ignored = stats->ignored;
    res->cancelled = stats->cancelled;
    res->read_failed = read_failed;
}
