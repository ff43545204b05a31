/*
 * The program tests/integration/proc_rules.sh reads: it gives its memory
 * every kind of page (anonymous pages touched and untouched, a file in DIR
 * mapped shared and written, read, mapped private and written, a shared
 * anonymous region), drops a few mappings again, then copies
 * /proc/self/smaps, smaps_rollup, statm and status, /proc/meminfo, zoneinfo and slabinfo
 * to stdout, each after a "==> /proc/NAME <==" line (vmemu --report's form,
 * so one reader serves both). Run natively and under vmemu, the test checks
 * the same rules of Linux's on both dumps.
 *
 * The buffer the files are read into is touched before the first read, so
 * reading them maps no new page: the per-process figures of one dump are
 * of one moment.
 *
 * usage: proc_dump DIR
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define P 4096UL
#define FILE_PAGES 8

static char buf[1 << 20];
static size_t used;

/* Append "==> NAME <==" and the file's content to buf (nothing if unreadable). */
static void grab(const char *name)
{
    int fd = open(name, O_RDONLY);
    if (fd < 0)
        return;
    used += (size_t)snprintf(buf + used, sizeof(buf) - used, "==> %s <==\n", name);
    ssize_t n;
    while (used < sizeof(buf) && (n = read(fd, buf + used, sizeof(buf) - used)) > 0)
        used += (size_t)n;
    close(fd);
}

static int make_file(const char *dir)
{
    char path[4096], page[P];
    snprintf(path, sizeof(path), "%s/proc_dump.data", dir);
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        return -1;
    for (unsigned long i = 0; i < FILE_PAGES; i++) {
        memset(page, (int)('a' + i), P);
        if (write(fd, page, P) != (ssize_t)P)
            return -1;
    }
    return fd;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: proc_dump DIR\n");
        return 2;
    }
    int fd = make_file(argv[1]);
    if (fd < 0) {
        perror("proc_dump: data file");
        return 1;
    }
    volatile char *anon =
        mmap(NULL, 16 * P, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    volatile char *shared = mmap(NULL, FILE_PAGES * P, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    volatile char *private = mmap(NULL, FILE_PAGES * P, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    volatile char *shanon =
        mmap(NULL, 4 * P, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    volatile char *gone =
        mmap(NULL, 64 * P, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (anon == MAP_FAILED || shared == MAP_FAILED || private == MAP_FAILED ||
        shanon == MAP_FAILED || gone == MAP_FAILED) {
        perror("proc_dump: mmap");
        return 1;
    }
    char sum = 0;
    for (unsigned long i = 0; i < 10; i++)
        anon[i * P] = 1;
    for (unsigned long i = 0; i < 3; i++)
        shared[i * P] = 'X'; /* dirty shared file pages */
    for (unsigned long i = 3; i < 5; i++)
        sum += shared[i * P]; /* clean shared file pages */
    private[6 * P] = 'Y';     /* a copy */
    sum += private[7 * P];    /* the file's page, mapped twice */
    sum += shared[7 * P];
    shanon[0] = 'Z';
    for (unsigned long i = 0; i < 64; i++)
        gone[i * P] = 1;
    munmap((void *)gone, 64 * P); /* frees its pages, page tables and VMA */
    /* Touch the whole buffer first: reading the files then maps nothing. */
    memset(buf, 0, sizeof(buf));
    grab("/proc/self/smaps");
    grab("/proc/self/smaps_rollup");
    grab("/proc/self/statm");
    grab("/proc/self/status");
    grab("/proc/meminfo");
    grab("/proc/zoneinfo");
    grab("/proc/slabinfo");
    if (write(1, buf, used) != (ssize_t)used)
        return 1;
    return sum == 0 ? 3 : 0;
}
