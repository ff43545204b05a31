/*
 * cachestat(2) (Linux 6.5) on a file the program writes in /tmp: pages
 * cached and dirty after write(), clean after fsync, gone after
 * POSIX_FADV_DONTNEED (which leaves no shadow entries: nothing counts as
 * evicted), the range rules (whole pages from off's to that of
 * off + len - 1, len 0 to the end, past the end nothing) and the errors.
 * Run natively and under vmemu, the output must be the same.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_cachestat
#define SYS_cachestat 451
#endif
#define PG 4096UL

struct range {
    uint64_t off, len;
};
struct stat5 {
    uint64_t cache, dirty, writeback, evicted, recently_evicted;
};

static long cachestat(int fd, const struct range *r, struct stat5 *cs, unsigned flags)
{
    return syscall(SYS_cachestat, fd, r, cs, flags);
}

static void show(const char *what, int fd, uint64_t off, uint64_t len)
{
    struct range r = {off, len};
    struct stat5 cs;
    memset(&cs, 0xff, sizeof(cs));
    if (cachestat(fd, &r, &cs, 0) != 0) {
        printf("%s: %s\n", what, strerror(errno));
        return;
    }
    printf("%s: cache %llu dirty %llu writeback %llu evicted %llu recently %llu\n", what,
           (unsigned long long)cs.cache, (unsigned long long)cs.dirty,
           (unsigned long long)cs.writeback, (unsigned long long)cs.evicted,
           (unsigned long long)cs.recently_evicted);
}

static const char *err(long r)
{
    if (r == 0)
        return "ok";
    switch (errno) {
    case EINVAL:
        return "EINVAL";
    case EBADF:
        return "EBADF";
    case EFAULT:
        return "EFAULT";
    default:
        return strerror(errno);
    }
}

int main(void)
{
    static char buf[8 * 4096];
    int fd = open("/tmp", O_RDWR | O_TMPFILE, 0600);
    memset(buf, 'c', sizeof(buf));
    if (fd < 0 || write(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf)) {
        perror("tmpfile");
        return 1;
    }
    show("written, whole file", fd, 0, 0);
    show("pages 1-2", fd, PG, 2 * PG);
    show("bytes 100-109", fd, 100, 10);
    show("from the last byte of page 0, 2 bytes", fd, PG - 1, 2);
    show("from page 6 to the end", fd, 6 * PG, 0);
    show("past the end", fd, 100 * PG, 4 * PG);
    fsync(fd);
    show("after fsync", fd, 0, 0);
    posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
    show("after FADV_DONTNEED", fd, 0, 0);
    if (pread(fd, buf, PG, 0) != (ssize_t)PG)
        return 1;
    show("page 0 after reading it back", fd, 0, PG);

    struct range r = {0, 0};
    struct stat5 cs;
    printf("flags 1: %s\n", err(cachestat(fd, &r, &cs, 1)));
    printf("bad descriptor: %s\n", err(cachestat(999, &r, &cs, 0)));
    printf("range at NULL: %s\n", err(cachestat(fd, NULL, &cs, 0)));
    printf("result at NULL: %s\n", err(cachestat(fd, &r, NULL, 0)));
    int p[2];
    if (pipe(p) || write(p[1], "x", 1) != 1)
        return 1;
    show("a pipe", p[0], 0, 0);
    /* Drained and closed: a pipe's buffer page is in no meminfo figure (meminfo.sh sums them). */
    char c;
    if (read(p[0], &c, 1) != 1)
        return 1;
    close(p[0]);
    close(p[1]);
    close(fd);
    return 0;
}
