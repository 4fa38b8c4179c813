/*
 * outfile.c — writing an output file safely (see leadflow/outfile.h).
 *
 * Place in the flow: the last step of every output that goes to a file (reports,
 * the snapshot cache, the generator's CSVs, the demo page, `init`'s configuration).
 * One place decides how a file is written, so each of them gets the same guarantees:
 *  - the temporary file is created O_CREAT|O_EXCL|O_NOFOLLOW under a random name in
 *    the target's directory (rename cannot cross file systems): a symlink planted
 *    where the temporary file will be cannot redirect the write;
 *  - it is fsynced before the rename, so after a crash the path holds the old bytes
 *    or the new ones, not an empty file;
 *  - every path out of a failure closes the descriptor and unlinks the temporary file;
 *  - a target that exists and is not a regular file is written in place: renaming
 *    over /dev/null or a FIFO would turn the device into a file (and as root succeed);
 *    a symlink target counts as "not a regular file" so that /dev/stdout (a symlink
 *    to /proc/self/fd/1) is written through and the link is never replaced;
 *  - a replaced regular file keeps its permission bits (fchmod of the temporary file
 *    before the rename); a new file is created with the caller's mode, which the umask
 *    can only narrow, so lead data created 0600 is never group- or world-readable.
 * Errors are LF_ESTORE: an output that cannot be written exits 4, like a store.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "leadflow/outfile.h"

/* Largest single write(2): Linux transfers at most about 2 GiB per call anyway. */
#define WRITE_CHUNK ((size_t)1 << 30)
/* Fresh names tried before giving up (each collision means a live or leftover file). */
#define TMP_TRIES 64

static lf_status fail(lf_error *err, const char *path, int e)
{
    return lf_errorf(err, LF_ESTORE, "cannot write '%s': %s", path, strerror(e ? e : EIO));
}

static void release(lf_outfile *o)
{
    free(o->path);
    free(o->tmp);
    o->path = NULL;
    o->tmp = NULL;
    o->fd = -1;
}

/* 48 bits for a fresh temporary name: from getrandom(2), so nobody can plant a file
 * under the next name in advance; else pid, clock and a counter mixed by splitmix64.
 * Either way the O_EXCL|O_NOFOLLOW open is what makes it safe: a name that exists
 * (planted or left over) is never opened, just replaced by another. */
static uint64_t tmp_token(void)
{
    uint64_t z;
    if (getrandom(&z, sizeof z, GRND_NONBLOCK) == (ssize_t)sizeof z)
        return z & UINT64_C(0xFFFFFFFFFFFF);
    static _Atomic uint64_t counter; /* atomic: a library may write from several threads */
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    z = ((uint64_t)getpid() << 32) ^ (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 20) ^
        ((atomic_fetch_add(&counter, 1) + 1) * UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return (z ^ (z >> 31)) & UINT64_C(0xFFFFFFFFFFFF);
}

/* Opens a target that exists and is not a regular file where it is. */
static lf_status open_in_place(lf_outfile *o, lf_error *err)
{
    int fd = open(o->path, O_WRONLY | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        lf_status st = fail(err, o->path, e);
        release(o);
        return st;
    }
    /* a symlink to a regular file (/dev/stdout redirected to a file): replace its
     * contents as `>` would; devices and FIFOs have none to truncate */
    struct stat sb;
    if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) && ftruncate(fd, 0) != 0) {
        int e = errno;
        close(fd);
        lf_status st = fail(err, o->path, e);
        release(o);
        return st;
    }
    o->fd = fd;
    return LF_OK;
}

lf_status lf_outfile_open(lf_outfile *o, const char *path, mode_t mode_for_new, lf_error *err)
{
    memset(o, 0, sizeof *o);
    o->fd = -1;
    o->path = strdup(path);
    if (!o->path)
        return lf_errorf(err, LF_ENOMEM, "out of memory");
    struct stat sb;
    if (lstat(path, &sb) == 0) {
        if (!S_ISREG(sb.st_mode))
            return open_in_place(o, err);
        o->set_mode = true;
        o->mode = sb.st_mode & 0777;
    } else if (errno != ENOENT) {
        int e = errno;
        release(o);
        return fail(err, path, e);
    }
    size_t n = strlen(path) + 32;
    o->tmp = malloc(n);
    if (!o->tmp) {
        release(o);
        return lf_errorf(err, LF_ENOMEM, "out of memory");
    }
    /* while it is being written, a file replacing another is private; its mode comes
     * just before the rename */
    mode_t create = o->set_mode ? 0600 : mode_for_new;
    for (int i = 0; i < TMP_TRIES; i++) {
        snprintf(o->tmp, n, "%s.tmp.%012llx", path, (unsigned long long)tmp_token());
        o->fd =
            open(o->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC, create);
        if (o->fd >= 0)
            return LF_OK;
        if (errno != EEXIST)
            break;
    }
    int e = errno;
    release(o);
    return fail(err, path, e);
}

lf_status lf_outfile_write(lf_outfile *o, const void *p, size_t n, lf_error *err)
{
    if (!o->path)
        return lf_errorf(err, LF_ESTORE, "cannot write: file not open");
    const char *c = p;
    while (!o->err && n) {
        ssize_t w = write(o->fd, c, n < WRITE_CHUNK ? n : WRITE_CHUNK);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            o->err = w < 0 ? errno : EIO;
            break;
        }
        c += w;
        n -= (size_t)w;
    }
    return o->err ? fail(err, o->path, o->err) : LF_OK;
}

/* fsync of the directory, so the rename itself survives a crash. Best effort: the
 * new file is in place already, and some file systems refuse fsync on a directory. */
static void sync_dir(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir = slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path)) : strdup(".");
    if (!dir)
        return;
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
    free(dir);
}

lf_status lf_outfile_commit(lf_outfile *o, lf_error *err)
{
    if (!o->path)
        return lf_errorf(err, LF_ESTORE, "cannot write: file not open");
    int e = o->err;
    if (!e && o->tmp) {
        if (o->set_mode && fchmod(o->fd, o->mode) != 0)
            e = errno;
        else if (fsync(o->fd) != 0)
            e = errno;
    }
    /* close reports delayed write errors (NFS); it is not retried on EINTR, as the
     * descriptor is gone either way on Linux */
    if (close(o->fd) != 0 && !e)
        e = errno;
    o->fd = -1;
    if (!e && o->tmp && rename(o->tmp, o->path) != 0)
        e = errno;
    if (o->tmp) {
        if (e)
            unlink(o->tmp);
        else
            sync_dir(o->path);
    }
    lf_status st = e ? fail(err, o->path, e) : LF_OK;
    release(o);
    return st;
}

void lf_outfile_abort(lf_outfile *o)
{
    if (!o->path)
        return;
    close(o->fd);
    if (o->tmp)
        unlink(o->tmp);
    release(o);
}

lf_status lf_outfile_save(const char *path, const void *data, size_t len, mode_t mode_for_new,
                          lf_error *err)
{
    lf_outfile o;
    lf_status st = lf_outfile_open(&o, path, mode_for_new, err);
    if (st != LF_OK)
        return st;
    if (len)
        lf_outfile_write(&o, data, len, NULL); /* a failure is kept and reported by commit */
    return lf_outfile_commit(&o, err);
}

lf_status lf_outfile_flush_stream(FILE *f, const char *name, lf_error *err)
{
    errno = 0;
    if (fflush(f) != 0) {
        int e = errno ? errno : EIO;
        return lf_errorf(err, LF_ESTORE, "cannot write to %s: %s", name, strerror(e));
    }
    if (ferror(f))
        return lf_errorf(err, LF_ESTORE, "cannot write to %s", name);
    return LF_OK;
}

lf_status lf_make_dirs(const char *dir, lf_error *err)
{
    size_t n = strlen(dir);
    char *p = malloc(n + 1);
    if (!p)
        return lf_errorf(err, LF_ENOMEM, "out of memory");
    memcpy(p, dir, n + 1);
    lf_status st = LF_OK;
    for (size_t i = 1; st == LF_OK && i <= n; i++) {
        if (p[i] != '/' && p[i] != '\0')
            continue;
        char save = p[i];
        p[i] = '\0';
        struct stat sb;
        if (mkdir(p, 0777) != 0 && errno != EEXIST)
            st = lf_errorf(err, LF_ESTORE, "cannot create directory '%s': %s", p, strerror(errno));
        else if (stat(p, &sb) != 0 || !S_ISDIR(sb.st_mode))
            st = lf_errorf(err, LF_ESTORE, "cannot create directory '%s': not a directory", p);
        p[i] = save;
    }
    free(p);
    return st;
}
