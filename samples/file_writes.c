/*
 * Writes one file through every path the kernel offers, in a fixed order:
 * write(), pwrite() (one past the end, leaving a hole), ftruncate() down,
 * a MAP_SHARED mapping, write() seen through the mapping, ftruncate() up,
 * writev() and pwritev(). Then it ends one of three ways:
 *   exit   fsync, munmap, close and exit(0)
 *   _exit  one more store through the mapping, then _exit(0): no msync,
 *          no munmap, no close; the kernel must still keep every byte
 *   segv   one more store through the mapping, then a store to address 16:
 *          death by SIGSEGV, and still every byte kept
 * The file's bytes afterwards must be the same natively and under vmemu
 * (tests/integration/file_writes.sh compares them).
 *
 * usage: file_writes [PATH [exit|_exit|segv]]
 * Without a path it writes an unnamed temporary file (O_TMPFILE) and exits.
 * Either way it prints what it read back, so the output is the same
 * natively and under vmemu.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#define PG 4096L

static void die(const char *what)
{
    perror(what);
    exit(1);
}

static void put(int fd, const void *buf, size_t len, off_t at)
{
    if (pwrite(fd, buf, len, at) != (ssize_t)len)
        die("pwrite");
}

/* FNV-1a over the file as read() sees it now, and its size. */
static unsigned long file_sum(int fd, long *size)
{
    unsigned char buf[3000]; /* not a page multiple: reads straddle pages */
    unsigned long h = 1469598103934665603UL;
    ssize_t n;
    *size = 0;
    if (lseek(fd, 0, SEEK_SET) != 0)
        die("lseek");
    while ((n = read(fd, buf, sizeof(buf))) > 0) {
        for (ssize_t i = 0; i < n; i++)
            h = (h ^ buf[i]) * 1099511628211UL;
        *size += n;
    }
    if (n < 0)
        die("read");
    return h;
}

static void report(const char *when, int fd)
{
    long size;
    unsigned long sum = file_sum(fd, &size);
    printf("%s: size %ld, fnv %016lx\n", when, size, sum);
}

/* write() and pwrite(): 10000 bytes, a word inside, one past a hole; then truncate down. */
static void plain_writes(int fd)
{
    char buf[10000];
    for (size_t i = 0; i < sizeof(buf); i++)
        buf[i] = (char)('a' + i % 26);
    if (write(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf))
        die("write");
    put(fd, "PWRITE", 6, 5000);
    put(fd, "beyond", 6, 20000); /* 10000..19999 is a hole */
    report("after write and pwrite", fd);
    if (ftruncate(fd, 3 * PG + 100) != 0) /* drops "beyond" and the hole */
        die("ftruncate");
    report("after ftruncate down", fd);
}

/* A shared mapping and the file: each sees the other's writes at once. */
static unsigned char *shared_writes(int fd, int rfd)
{
    unsigned char *m = mmap(NULL, 6 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (m == MAP_FAILED)
        die("mmap");
    memset(m + 100, 'M', 100);
    m[3 * PG + 50] = 'E';
    char back[100];
    if (pread(rfd, back, sizeof(back), 100) != (ssize_t)sizeof(back) || back[99] != 'M')
        die("the mapping's store is not visible to read()");
    put(fd, "WRITE", 5, 2 * PG + 10);
    if (memcmp(m + 2 * PG + 10, "WRITE", 5) != 0)
        die("write() is not visible through the mapping");
    printf("mapping and read()/write() see each other: yes\n");
    /* Grow: the bytes past the old end of page 3 read as zeros. */
    if (ftruncate(fd, 5 * PG + 7) != 0)
        die("ftruncate");
    if (m[3 * PG + 100] != 0 || m[3 * PG + 50] != 'E')
        die("grown file shows stale bytes");
    m[4 * PG + 1] = 'G';
    report("after mapping writes and ftruncate up", fd);
    return m;
}

static void vector_writes(int fd)
{
    struct iovec iov[2] = {{"vec", 3}, {"tor", 3}};
    if (lseek(fd, PG - 2, SEEK_SET) != PG - 2 || writev(fd, iov, 2) != 6)
        die("writev");
    if (pwritev(fd, iov, 2, 4 * PG + 100) != 6)
        die("pwritev");
    report("after writev and pwritev", fd);
}

static int open_target(const char *path)
{
    int fd = path ? open(path, O_RDWR | O_CREAT | O_TRUNC, 0644)
                  : open("/tmp", O_RDWR | O_TMPFILE, 0600);
    if (fd < 0)
        die("open");
    return fd;
}

int main(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1] : NULL;
    const char *mode = argc > 2 ? argv[2] : "exit";
    int fd = open_target(path);
    char self[64];
    snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
    int rfd = open(self, O_RDONLY); /* a second open file of the same file */
    if (rfd < 0)
        die("open again");
    plain_writes(fd);
    unsigned char *m = shared_writes(fd, rfd);
    vector_writes(fd);
    fflush(stdout);
    if (strcmp(mode, "_exit") == 0) {
        m[5 * PG + 3] = 'X';
        _exit(0);
    }
    if (strcmp(mode, "segv") == 0) {
        m[5 * PG + 4] = 'S';
        *(volatile int *)16 = 1;
    }
    if (fsync(fd) != 0 || munmap(m, 6 * PG) != 0)
        die("fsync");
    report("at exit", rfd);
    close(rfd);
    close(fd);
    return 0;
}
