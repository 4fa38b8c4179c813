/*
 * outfile.h — writing an output file safely: reports (-o), the snapshot cache, the
 * generator's files, the demo page, the example configuration.
 *
 * A missing path or a regular file is replaced atomically: the bytes go to a new
 * temporary file beside it (created O_EXCL|O_NOFOLLOW under a random name, so a planted
 * file or symlink is never followed), which is fsynced and renamed over the path.
 * Readers see the old file or the new one, never half of one; a failure leaves the
 * old file as it was and no temporary file behind. A replaced file keeps its
 * permission bits; a new one gets mode_for_new less the umask (0600 for lead data).
 * Anything else that already exists at the path (a device such as /dev/null, a FIFO,
 * a symlink such as /dev/stdout) is opened without O_CREAT and written in place, as
 * a shell redirection would: it is never replaced by a rename.
 *
 * Every failure is LF_ESTORE (exit code 4, as a store that cannot be written) with
 * "cannot write 'PATH': REASON" (or "cannot write to NAME: REASON" for a stream),
 * except LF_ENOMEM when a path cannot be copied.
 */
#ifndef LEADFLOW_OUTFILE_H
#define LEADFLOW_OUTFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#include "leadflow/error.h"

/* Mode of a new file holding lead data (reports, snapshot, generated CSVs). */
#define LF_OUTFILE_PRIVATE 0600
/* Mode of a new file holding nothing private (configuration): 0666 less the umask. */
#define LF_OUTFILE_PUBLIC 0666

/* One output file being written. Fields are private to outfile.c. */
typedef struct lf_outfile {
    int fd;        /* -1 when not open */
    char *path;    /* owned; NULL when not open (a zeroed struct is "not open") */
    char *tmp;     /* owned temporary path; NULL when writing the path in place */
    bool set_mode; /* give the temporary file `mode` before the rename */
    mode_t mode;   /* the replaced file's permission bits */
    int err;       /* errno of the first failure, 0 = none (sticky) */
} lf_outfile;

/* Opens path for writing as described above. On failure o is "not open" (commit and
 * abort are no-ops) and err names the path. */
lf_status lf_outfile_open(lf_outfile *o, const char *path, mode_t mode_for_new, lf_error *err);

/* Appends n bytes (short writes and EINTR retried). The first failure is kept: later
 * writes do nothing and return it again, and commit reports it. */
lf_status lf_outfile_write(lf_outfile *o, const void *p, size_t n, lf_error *err);

/* Finishes o: fsync, keep the old mode, close and rename into place (an in-place
 * target is just closed). On any failure, now or in an earlier write, the temporary
 * file is removed and the old file stays. o is "not open" afterwards either way. */
lf_status lf_outfile_commit(lf_outfile *o, lf_error *err);

/* Closes o and removes its temporary file, leaving the path as it was (an in-place
 * target keeps what was written). No-op when o is not open. */
void lf_outfile_abort(lf_outfile *o);

/* open + write + commit of len bytes of data (NULL when len is 0). */
lf_status lf_outfile_save(const char *path, const void *data, size_t len, mode_t mode_for_new,
                          lf_error *err);

/* Flushes stream f and checks its error flag (a write that failed earlier counts):
 * LF_OK, or LF_ESTORE with "cannot write to NAME: REASON" (the reason when the flush
 * itself failed; an earlier failure's errno is gone by then). */
lf_status lf_outfile_flush_stream(FILE *f, const char *name, lf_error *err);

/* Creates dir and its parents (mkdir -p; existing ones are fine). LF_ESTORE ("cannot
 * create directory 'P': REASON", naming the part that failed) when one cannot be made:
 * like an output that cannot be written. */
lf_status lf_make_dirs(const char *dir, lf_error *err);

#endif
