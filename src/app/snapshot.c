/*
 * snapshot.c — the dataset as one memory-mappable file (see leadflow/snapshot.h).
 *
 * Place in the flow: store -> dataset builder -> [snapshot file] -> reports; the
 * application layer decides where the file lives and when it is read or written
 * (app_dataset.c). Reading millions of derived rows back out of the store costs
 * seconds and the page cache's memory; the snapshot turns a report's load into an
 * mmap of arrays already in their in-memory layout. It is a cache: the store stays the truth, and a snapshot from another
 * generation, another build (struct sizes in the header) or a damaged file is simply
 * ignored and rebuilt.
 *
 * Written through leadflow/outfile.h (temporary file, fsync, rename; 0600 when new),
 * so a reader maps the old snapshot or the new one, never half of one.
 *
 * Layout: header, then leads, transitions, handoffs, costs, traffic (each padded to
 * 8 bytes), then the names as NUL-terminated strings (names[1..]; names[0] is "").
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "leadflow/buf.h"
#include "leadflow/outfile.h"
#include "leadflow/snapshot.h"

#define SNAP_MAGIC "LFSNAP02"

typedef struct snap_header {
    char magic[8];
    uint32_t sizes[5];  /* sizeof each record type: a different build is stale */
    uint32_t pad;
    int64_t generation;
    uint64_t n[5];      /* leads, trans, handoffs, costs, traffic */
    uint64_t nnames;    /* names after names[0] */
    uint64_t names_bytes;
} snap_header;

static size_t pad8(size_t n)
{
    return (n + 7) & ~(size_t)7;
}

static void fill_sizes(uint32_t sizes[5])
{
    sizes[0] = sizeof(lf_ds_lead);
    sizes[1] = sizeof(lf_ds_transition);
    sizes[2] = sizeof(lf_ds_handoff);
    sizes[3] = sizeof(lf_ds_amount);
    sizes[4] = sizeof(lf_ds_amount);
}

/* Writes n bytes and the zeros up to the next multiple of 8; false after a failure
 * (kept in f and reported by lf_outfile_commit). */
static bool write_all(lf_outfile *f, const void *p, size_t n)
{
    static const char zeros[8];
    return (n == 0 || lf_outfile_write(f, p, n, NULL) == LF_OK) &&
           (pad8(n) == n || lf_outfile_write(f, zeros, pad8(n) - n, NULL) == LF_OK);
}

lf_status lf_snapshot_write(const char *path, const lf_dataset *ds, int64_t generation,
                            lf_error *err)
{
    snap_header h;
    memset(&h, 0, sizeof h);
    memcpy(h.magic, SNAP_MAGIC, 8);
    fill_sizes(h.sizes);
    h.generation = generation;
    const void *arrays[5] = {ds->leads, ds->trans, ds->handoffs, ds->costs, ds->traffic};
    uint64_t counts[5] = {ds->nleads, ds->ntrans, ds->nhandoffs, ds->ncosts, ds->ntraffic};
    memcpy(h.n, counts, sizeof h.n);
    lf_buf names;
    lf_buf_init(&names, 0);
    for (size_t i = 1; i < ds->nnames; i++)
        if (lf_buf_add(&names, ds->names[i], strlen(ds->names[i]) + 1) != LF_OK) {
            lf_buf_release(&names);
            return lf_errorf(err, LF_ENOMEM, "out of memory");
        }
    h.nnames = ds->nnames ? ds->nnames - 1 : 0;
    h.names_bytes = names.len;
    /* through a temporary file and a rename (leadflow/outfile.h): readers never map
     * half a snapshot, and the file holds lead data, so a new one is private */
    struct stat sb;
    if (lstat(path, &sb) == 0 && !S_ISREG(sb.st_mode)) {
        lf_buf_release(&names); /* not a cache file: never written through */
        return lf_errorf(err, LF_EINPUT, "snapshot '%s' is not a regular file", path);
    }
    lf_outfile f;
    lf_status r = lf_outfile_open(&f, path, LF_OUTFILE_PRIVATE, err);
    if (r == LF_OK) {
        bool ok = write_all(&f, &h, sizeof h);
        for (int i = 0; ok && i < 5; i++)
            ok = write_all(&f, arrays[i], (size_t)counts[i] * h.sizes[i]);
        if (ok)
            write_all(&f, names.data, names.len);
        r = lf_outfile_commit(&f, err); /* reports the first failed write, if any */
    }
    lf_buf_release(&names);
    return r;
}

/* Every index in the arrays points inside them: a damaged cache must never make a
 * report read out of bounds. One pass, a few milliseconds per million leads. */
static bool indices_valid(const lf_dataset *ds)
{
    for (size_t i = 0; i < ds->nleads; i++) {
        const lf_ds_lead *l = &ds->leads[i];
        if (l->trans > ds->ntrans || l->ntrans > ds->ntrans - l->trans ||
            l->handoffs > ds->nhandoffs || l->nhandoffs > ds->nhandoffs - l->handoffs ||
            l->channel >= ds->nnames || l->persona >= ds->nnames || l->stage >= LF_STAGE_COUNT)
            return false;
    }
    for (size_t i = 0; i < ds->ntrans; i++)
        if (ds->trans[i].lead >= ds->nleads)
            return false;
    for (size_t i = 0; i < ds->nhandoffs; i++)
        if (ds->handoffs[i].lead >= ds->nleads || ds->handoffs[i].reason >= ds->nnames)
            return false;
    for (size_t i = 0; i < ds->ncosts; i++)
        if (ds->costs[i].channel >= ds->nnames)
            return false;
    for (size_t i = 0; i < ds->ntraffic; i++)
        if (ds->traffic[i].channel >= ds->nnames)
            return false;
    return true;
}

lf_status lf_snapshot_load(const char *path, int64_t generation, lf_dataset *ds, lf_error *err)
{
    /* a cache is only ever a regular file: a FIFO or device planted there must neither
     * block the open nor be read */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return lf_errorf(err, LF_EINPUT, "no snapshot '%s'", path);
    struct stat sb;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) || (size_t)sb.st_size < sizeof(snap_header)) {
        close(fd);
        return lf_errorf(err, LF_EINPUT, "snapshot '%s' is damaged", path);
    }
    size_t len = (size_t)sb.st_size;
    void *map = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (map == MAP_FAILED)
        return lf_errorf(err, LF_EINPUT, "cannot map snapshot '%s'", path);
    const snap_header *h = map;
    uint32_t sizes[5];
    fill_sizes(sizes);
    /* check the header and that every array fits in the file before trusting it */
    bool ok = memcmp(h->magic, SNAP_MAGIC, 8) == 0 && memcmp(h->sizes, sizes, sizeof sizes) == 0 &&
              h->generation == generation;
    size_t off = pad8(sizeof *h), offs[5];
    for (int i = 0; ok && i < 5; i++) {
        offs[i] = off;
        if (h->n[i] > (len - off) / sizes[i])
            ok = false;
        else
            off += pad8((size_t)h->n[i] * sizes[i]);
    }
    ok = ok && off <= len && h->names_bytes <= len - off &&
         (h->names_bytes == 0 || ((const char *)map)[off + h->names_bytes - 1] == '\0');
    if (!ok) {
        munmap(map, len);
        return lf_errorf(err, LF_EINPUT, "snapshot '%s' is stale", path);
    }
    lf_dataset_release(ds);
    lf_dataset_init(ds);
    const char *names = (const char *)map + off, *end = names + h->names_bytes;
    for (uint64_t i = 0; i < h->nnames && names < end; i++) {
        size_t n = strlen(names);
        /* names were unique when written, so each gets back its id */
        if (lf_dataset_intern(ds, names, n) != i + 1) {
            lf_dataset_release(ds);
            lf_dataset_init(ds);
            munmap(map, len);
            return lf_errorf(err, LF_EINPUT, "snapshot '%s' is damaged", path);
        }
        names += n + 1;
    }
    char *base = map;
    ds->leads = (lf_ds_lead *)(void *)(base + offs[0]);
    ds->trans = (lf_ds_transition *)(void *)(base + offs[1]);
    ds->handoffs = (lf_ds_handoff *)(void *)(base + offs[2]);
    ds->costs = (lf_ds_amount *)(void *)(base + offs[3]);
    ds->traffic = (lf_ds_amount *)(void *)(base + offs[4]);
    ds->nleads = (size_t)h->n[0];
    ds->ntrans = (size_t)h->n[1];
    ds->nhandoffs = (size_t)h->n[2];
    ds->ncosts = (size_t)h->n[3];
    ds->ntraffic = (size_t)h->n[4];
    ds->map = map;
    ds->map_len = len;
    if (!indices_valid(ds)) {
        lf_dataset_release(ds); /* unmaps */
        lf_dataset_init(ds);
        return lf_errorf(err, LF_EINPUT, "snapshot '%s' is damaged", path);
    }
    return LF_OK;
}
