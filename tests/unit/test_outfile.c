/*
 * test_outfile.c — writing output files (src/core/outfile.c, leadflow/outfile.h).
 *
 * Each test works in a fresh temporary directory and checks one promise of the
 * header: a new file gets its mode less the umask (0600 even under umask 000), a
 * replaced regular file keeps its mode, a file or symlink planted at the old
 * temporary name is neither followed nor replaced, a device / FIFO / symlink target
 * is written in place and stays what it was, a failed write leaves the old file and
 * no temporary file, and a stream whose writes failed is reported. Write failures
 * come from RLIMIT_FSIZE (with SIGXFSZ ignored, write(2) fails with EFBIG), which
 * works as root too; /dev/full is only written to through a stream, never replaced.
 * Criterion runs each test in its own process, so umask and rlimits stay local.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "leadflow/outfile.h"

/* ---- helpers ------------------------------------------------------------------ */

static char dir[64];
static char path[128];

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/lf_outfile_XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/out.txt", dir);
}

static void teardown(void)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    char p[512];
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        unlink(p);
    }
    closedir(d);
    rmdir(dir);
}

TestSuite(outfile, .init = setup, .fini = teardown);

static void put(const char *p, const char *text)
{
    FILE *f = fopen(p, "w");
    cr_assert_not_null(f, "cannot create %s", p);
    cr_assert(fputs(text, f) != EOF);
    cr_assert_eq(fclose(f), 0);
}

/* The file's contents (at most 255 bytes) as a static string. */
static const char *slurp(const char *p)
{
    static char buf[256];
    FILE *f = fopen(p, "r");
    cr_assert_not_null(f, "cannot read %s", p);
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    return buf;
}

static unsigned mode_of(const char *p)
{
    struct stat sb;
    cr_assert_eq(lstat(p, &sb), 0, "no %s", p);
    return (unsigned)(sb.st_mode & 07777);
}

/* Names in the test directory other than those listed (NULL-terminated), counted. */
static int others_in_dir(const char *const *known)
{
    DIR *d = opendir(dir);
    cr_assert_not_null(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        bool k = strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0;
        for (size_t i = 0; !k && known[i]; i++)
            k = strcmp(e->d_name, known[i]) == 0;
        n += !k;
    }
    closedir(d);
    return n;
}

/* Files written from here on may hold at most `bytes` bytes; a longer write fails
 * with EFBIG instead of killing the process. */
static void limit_file_size(rlim_t bytes)
{
    signal(SIGXFSZ, SIG_IGN);
    struct rlimit rl = {.rlim_cur = bytes, .rlim_max = bytes};
    cr_assert_eq(setrlimit(RLIMIT_FSIZE, &rl), 0);
}

/* ---- modes -------------------------------------------------------------------- */

Test(outfile, new_file_is_private_whatever_the_umask)
{
    umask(0);
    lf_error err = {0};
    cr_assert_eq(lf_outfile_save(path, "lead data\n", 10, LF_OUTFILE_PRIVATE, &err), LF_OK, "%s",
                 err.msg);
    cr_expect_eq(mode_of(path), 0600u);
    cr_expect_str_eq(slurp(path), "lead data\n");
}

Test(outfile, new_public_file_gets_0666_less_the_umask)
{
    umask(027);
    cr_assert_eq(lf_outfile_save(path, "x", 1, LF_OUTFILE_PUBLIC, NULL), LF_OK);
    cr_expect_eq(mode_of(path), 0640u);
}

Test(outfile, replaced_file_keeps_its_mode)
{
    umask(0);
    put(path, "old contents\n");
    cr_assert_eq(chmod(path, 0640), 0);
    cr_assert_eq(lf_outfile_save(path, "new\n", 4, LF_OUTFILE_PRIVATE, NULL), LF_OK);
    cr_expect_eq(mode_of(path), 0640u);
    cr_expect_str_eq(slurp(path), "new\n"); /* shorter than before: nothing of the old left */
}

/* ---- the temporary file ------------------------------------------------------- */

Test(outfile, planted_symlink_at_the_old_temporary_name_is_not_followed)
{
    char victim[256], planted[256];
    snprintf(victim, sizeof victim, "%s/victim", dir);
    snprintf(planted, sizeof planted, "%s.tmp", path);
    put(victim, "precious\n");
    cr_assert_eq(symlink(victim, planted), 0);
    cr_assert_eq(lf_outfile_save(path, "report\n", 7, LF_OUTFILE_PRIVATE, NULL), LF_OK);
    cr_expect_str_eq(slurp(victim), "precious\n");
    cr_expect_str_eq(slurp(path), "report\n");
    struct stat sb;
    cr_assert_eq(lstat(planted, &sb), 0);
    cr_expect(S_ISLNK(sb.st_mode), "the planted link is left alone");
    cr_assert_eq(lstat(path, &sb), 0);
    cr_expect(S_ISREG(sb.st_mode));
}

Test(outfile, readers_see_the_old_file_until_commit_and_abort_cleans_up)
{
    put(path, "old\n");
    lf_outfile o;
    cr_assert_eq(lf_outfile_open(&o, path, LF_OUTFILE_PRIVATE, NULL), LF_OK);
    cr_assert_eq(lf_outfile_write(&o, "half", 4, NULL), LF_OK);
    cr_expect_str_eq(slurp(path), "old\n");
    /* the temporary file is beside the target (rename stays in one file system),
     * private while it is written */
    cr_assert_not_null(o.tmp);
    cr_expect_eq(strncmp(o.tmp, path, strlen(path)), 0, "%s", o.tmp);
    cr_expect_eq(mode_of(o.tmp), 0600u);
    cr_expect_eq(others_in_dir((const char *const[]){"out.txt", NULL}), 1);
    lf_outfile_abort(&o);
    cr_expect_str_eq(slurp(path), "old\n");
    cr_expect_eq(others_in_dir((const char *const[]){"out.txt", NULL}), 0);
    lf_outfile_abort(&o); /* a second abort is a no-op */
}

Test(outfile, streamed_writes_are_committed_in_order)
{
    lf_outfile o;
    cr_assert_eq(lf_outfile_open(&o, path, LF_OUTFILE_PRIVATE, NULL), LF_OK);
    cr_assert_eq(lf_outfile_write(&o, "ab", 2, NULL), LF_OK);
    cr_assert_eq(lf_outfile_write(&o, "", 0, NULL), LF_OK);
    cr_assert_eq(lf_outfile_write(&o, "cd\n", 3, NULL), LF_OK);
    cr_assert_eq(lf_outfile_commit(&o, NULL), LF_OK);
    cr_expect_str_eq(slurp(path), "abcd\n");
    cr_expect_eq(others_in_dir((const char *const[]){"out.txt", NULL}), 0);
}

/* ---- failures ----------------------------------------------------------------- */

Test(outfile, failed_write_keeps_the_old_file_and_leaves_no_temporary)
{
    put(path, "old\n");
    limit_file_size(1000);
    static char big[5000];
    memset(big, 'x', sizeof big);
    lf_error err = {0};
    cr_assert_eq(lf_outfile_save(path, big, sizeof big, LF_OUTFILE_PRIVATE, &err), LF_ESTORE);
    char want[256];
    snprintf(want, sizeof want, "cannot write '%s': %s", path, strerror(EFBIG));
    cr_expect_str_eq(err.msg, want);
    cr_expect_str_eq(slurp(path), "old\n");
    cr_expect_eq(others_in_dir((const char *const[]){"out.txt", NULL}), 0);
}

Test(outfile, first_failure_is_sticky_and_reported_by_commit)
{
    limit_file_size(1000);
    static char big[3000];
    memset(big, 'y', sizeof big);
    lf_outfile o;
    lf_error err = {0};
    cr_assert_eq(lf_outfile_open(&o, path, LF_OUTFILE_PRIVATE, NULL), LF_OK);
    cr_expect_eq(lf_outfile_write(&o, big, sizeof big, &err), LF_ESTORE);
    cr_expect_eq(lf_outfile_write(&o, "z", 1, NULL), LF_ESTORE, "later writes fail too");
    lf_error_clear(&err);
    cr_expect_eq(lf_outfile_commit(&o, &err), LF_ESTORE);
    cr_expect(strstr(err.msg, strerror(EFBIG)) != NULL, "%s", err.msg);
    cr_expect_eq(access(path, F_OK), -1, "no file appears");
    cr_expect_eq(others_in_dir((const char *const[]){NULL}), 0);
}

Test(outfile, missing_directory_and_directory_target_are_errors)
{
    char p[256];
    lf_error err = {0};
    snprintf(p, sizeof p, "%s/nodir/out.txt", dir);
    cr_expect_eq(lf_outfile_save(p, "x", 1, LF_OUTFILE_PRIVATE, &err), LF_ESTORE);
    char want[512];
    snprintf(want, sizeof want, "cannot write '%s': %s", p, strerror(ENOENT));
    cr_expect_str_eq(err.msg, want);
    cr_expect_eq(lf_outfile_save(dir, "x", 1, LF_OUTFILE_PRIVATE, &err), LF_ESTORE);
    snprintf(want, sizeof want, "cannot write '%s': %s", dir, strerror(EISDIR));
    cr_expect_str_eq(err.msg, want);
    cr_expect_eq(others_in_dir((const char *const[]){NULL}), 0);
}

/* ---- targets that are not regular files --------------------------------------- */

Test(outfile, null_device_is_written_in_place_not_replaced)
{
    struct stat before, after;
    cr_assert_eq(stat("/dev/null", &before), 0);
    cr_assert_eq(lf_outfile_save("/dev/null", "gone\n", 5, LF_OUTFILE_PRIVATE, NULL), LF_OK);
    cr_assert_eq(lstat("/dev/null", &after), 0);
    cr_expect(S_ISCHR(after.st_mode), "/dev/null is still a character device");
    cr_expect_eq(after.st_rdev, before.st_rdev);
    cr_expect_eq(after.st_ino, before.st_ino);
    cr_expect_eq(access("/dev/null.tmp", F_OK), -1);
}

Test(outfile, fifo_is_written_in_place)
{
    cr_assert_eq(mkfifo(path, 0600), 0);
    /* a reader is there first, so opening for writing does not block */
    int rd = open(path, O_RDONLY | O_NONBLOCK);
    cr_assert(rd >= 0);
    cr_assert_eq(lf_outfile_save(path, "through the pipe\n", 17, LF_OUTFILE_PRIVATE, NULL), LF_OK);
    char buf[64] = {0};
    cr_expect_eq(read(rd, buf, sizeof buf - 1), 17);
    cr_expect_str_eq(buf, "through the pipe\n");
    close(rd);
    struct stat sb;
    cr_assert_eq(lstat(path, &sb), 0);
    cr_expect(S_ISFIFO(sb.st_mode), "still a FIFO");
    cr_expect_eq(others_in_dir((const char *const[]){"out.txt", NULL}), 0);
}

Test(outfile, symlink_target_is_written_through_and_kept)
{
    char real[256];
    snprintf(real, sizeof real, "%s/real.txt", dir);
    put(real, "a longer old text\n");
    cr_assert_eq(chmod(real, 0644), 0);
    cr_assert_eq(symlink("real.txt", path), 0);
    cr_assert_eq(lf_outfile_save(path, "new\n", 4, LF_OUTFILE_PRIVATE, NULL), LF_OK);
    struct stat sb;
    cr_assert_eq(lstat(path, &sb), 0);
    cr_expect(S_ISLNK(sb.st_mode), "the link is still a link");
    cr_expect_str_eq(slurp(real), "new\n", "truncated, as `>` would");
    cr_expect_eq(mode_of(real), 0644u);
}

Test(outfile, dangling_symlink_target_is_not_created)
{
    char target[256];
    snprintf(target, sizeof target, "%s/elsewhere", dir);
    cr_assert_eq(symlink(target, path), 0);
    cr_expect_eq(lf_outfile_save(path, "x", 1, LF_OUTFILE_PRIVATE, NULL), LF_ESTORE);
    cr_expect_eq(access(target, F_OK), -1);
}

/* ---- streams ------------------------------------------------------------------ */

Test(outfile, stream_failure_is_reported_with_its_reason)
{
    FILE *f = fopen("/dev/full", "w");
    cr_assert_not_null(f);
    cr_assert(fputs("a report\n", f) != EOF); /* buffered: fails on the flush */
    lf_error err = {0};
    cr_expect_eq(lf_outfile_flush_stream(f, "standard output", &err), LF_ESTORE);
    char want[256];
    snprintf(want, sizeof want, "cannot write to standard output: %s", strerror(ENOSPC));
    cr_expect_str_eq(err.msg, want);
    /* the error flag stays: a later check still fails, without a reason to give */
    cr_expect_eq(lf_outfile_flush_stream(f, "standard output", &err), LF_ESTORE);
    cr_expect_str_eq(err.msg, "cannot write to standard output");
    fclose(f);
}

Test(outfile, stream_without_failure_is_ok)
{
    FILE *f = fopen("/dev/null", "w");
    cr_assert_not_null(f);
    cr_assert(fputs("fine\n", f) != EOF);
    cr_expect_eq(lf_outfile_flush_stream(f, "standard output", NULL), LF_OK);
    fclose(f);
}
