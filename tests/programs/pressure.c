/*
 * The program tests/integration/pressure.sh runs under memory pressure.
 * Every mode prints what it found on stdout (one line), and counters it
 * reads from getrusage (major faults), so the script can compare native
 * and vmemu runs and check what reclaim did.
 *
 *   anon MIB          map MIB of anonymous memory, write a pattern over
 *                     every page, read it all back: "anon MIB ok" or the
 *                     first bad page
 *   write FILE MIB    write FILE with write() (64 KiB at a time), a pattern
 *   mmapwrite FILE MIB   the same pattern through a MAP_SHARED mapping
 *   mark FILE         create FILE with a line in it (written before an OOM)
 *   hot MIB FILE      keep MIB of anonymous memory hot (touched between
 *                     every 1 MiB read of FILE): major faults on the hot
 *                     set while FILE streams through the cache
 *   reread FILE       read FILE twice with read(): the KiB each pass read from
 *                     the file system (pgpgin of /proc/vmstat)
 *   pageout KIB       touch KIB of anonymous memory, MADV_PAGEOUT it, touch
 *                     it again: major faults of the second touch
 *   rewrite KIB       touch KIB, MADV_PAGEOUT it, read it back (the pages
 *                     come back from swap by read faults, writable but
 *                     clean, still in the swap cache), write a new pattern,
 *                     MADV_PAGEOUT again, read: the new pattern must be
 *                     there (the write had to set the dirty bit, or reclaim
 *                     drops the page as clean and the slot's old data
 *                     comes back)
 *   swapmap KIB       touch KIB, clear soft-dirty (clear_refs 4), write
 *                     every other page again, MADV_PAGEOUT, then count from
 *                     pagemap (without touching): pages in swap, and of
 *                     those the soft-dirty ones
 *   forkswap MIB      fill MIB, fork; the child fills MIB of its own and
 *                     reports Swap and SwapPss of the shared mapping; both
 *                     check the shared pattern
 *   droppable MIB ANON   fill MIB of MAP_DROPPABLE memory, then do what
 *                     "anon ANON" does: how many droppable pages still hold
 *                     the pattern and how many read zero (dropped), which
 *                     must add up, and the anon line
 *
 * usage: pressure MODE ARGS...
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif

#define PAGE 4096UL
#define MIB (1UL << 20)

static long majflt(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_majflt;
}

/* The pattern of page i: every 8 bytes hold i's own value and its offset, so a swapped page shows.
 */
static void fill(unsigned char *page, uint64_t i)
{
    uint64_t *w = (uint64_t *)page;
    for (size_t k = 0; k < PAGE / 8; k++)
        w[k] = (i << 20) ^ (k * 0x9e3779b97f4a7c15ULL);
}

static int check(const unsigned char *page, uint64_t i)
{
    const uint64_t *w = (const uint64_t *)page;
    for (size_t k = 0; k < PAGE / 8; k++)
        if (w[k] != ((i << 20) ^ (k * 0x9e3779b97f4a7c15ULL)))
            return -1;
    return 0;
}

static unsigned char *map_anon(size_t bytes)
{
    unsigned char *p =
        mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
        perror("mmap");
        exit(1);
    }
    return p;
}

/* In 16 MiB mappings, as malloc would get them: no one of them is more than RAM. */
static int mode_anon(unsigned long mib)
{
    size_t pages = mib * MIB / PAGE, per = 16 * MIB / PAGE;
    unsigned char **chunk = calloc(pages / per + 1, sizeof(*chunk));
    for (size_t c = 0; c * per < pages; c++)
        chunk[c] = map_anon(per * PAGE);
#define PAGE_AT(i) (chunk[(i) / per] + (i) % per * PAGE)
    for (size_t i = 0; i < pages; i++)
        fill(PAGE_AT(i), i);
    for (size_t i = 0; i < pages; i++)
        if (check(PAGE_AT(i), i)) {
            printf("anon %lu: page %zu is wrong\n", mib, i);
            return 1;
        }
    printf("anon %lu ok\n", mib);
    return 0;
}

static int open_or_die(const char *path, int flags)
{
    int fd = open(path, flags, 0644);
    if (fd < 0) {
        perror(path);
        exit(1);
    }
    return fd;
}

static int mode_write(const char *path, unsigned long mib)
{
    int fd = open_or_die(path, O_WRONLY | O_CREAT | O_TRUNC);
    static unsigned char buf[16 * PAGE];
    size_t pages = mib * MIB / PAGE;
    for (size_t i = 0; i < pages; i += 16) {
        for (size_t k = 0; k < 16; k++)
            fill(buf + k * PAGE, i + k);
        if (write(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf)) {
            perror("write");
            return 1;
        }
    }
    if (close(fd)) {
        perror("close");
        return 1;
    }
    printf("write %lu ok\n", mib);
    return 0;
}

static int mode_mmapwrite(const char *path, unsigned long mib)
{
    int fd = open_or_die(path, O_RDWR | O_CREAT | O_TRUNC);
    size_t bytes = mib * MIB;
    if (ftruncate(fd, (off_t)bytes)) {
        perror("ftruncate");
        return 1;
    }
    unsigned char *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) {
        perror("mmap");
        return 1;
    }
    for (size_t i = 0; i < bytes / PAGE; i++)
        fill(p + i * PAGE, i);
    if (munmap(p, bytes) || close(fd)) {
        perror("munmap");
        return 1;
    }
    printf("mmapwrite %lu ok\n", mib);
    return 0;
}

static int mode_mark(const char *path)
{
    int fd = open_or_die(path, O_WRONLY | O_CREAT | O_TRUNC);
    static const char line[] = "written before the OOM kill\n";
    if (write(fd, line, sizeof(line) - 1) != (ssize_t)sizeof(line) - 1 || close(fd)) {
        perror("write");
        return 1;
    }
    return 0;
}

static void touch_all(volatile unsigned char *p, size_t bytes)
{
    for (size_t off = 0; off < bytes; off += PAGE)
        p[off]++;
}

static int mode_hot(unsigned long mib, const char *path)
{
    size_t bytes = mib * MIB;
    unsigned char *hot = map_anon(bytes);
    touch_all(hot, bytes);
    int fd = open_or_die(path, O_RDONLY);
    static unsigned char buf[MIB];
    long before = majflt();
    ssize_t n;
    unsigned long chunks = 0;
    while ((n = read(fd, buf, sizeof(buf))) > 0) {
        touch_all(hot, bytes);
        chunks++;
    }
    printf("hot %lu: %lu MiB streamed, %ld major faults on the hot set\n", mib, chunks,
           majflt() - before);
    return n < 0;
}

/* A counter of /proc/vmstat, or -1. */
static long vmstat(const char *name)
{
    FILE *f = fopen("/proc/vmstat", "r");
    char key[64];
    long v, found = -1;
    while (f && fscanf(f, "%63s %ld", key, &v) == 2)
        if (!strcmp(key, name))
            found = v;
    if (f)
        fclose(f);
    return found;
}

/* Read the file with read(): the KiB read from its file system meanwhile (pgpgin). */
static long read_pass(const char *path)
{
    long before = vmstat("pgpgin");
    int fd = open_or_die(path, O_RDONLY);
    static unsigned char buf[64 * PAGE];
    while (read(fd, buf, sizeof(buf)) > 0)
        continue;
    close(fd);
    return vmstat("pgpgin") - before;
}

static int mode_reread(const char *path)
{
    long first = read_pass(path);
    long second = read_pass(path);
    printf("reread: %ld KiB read, then %ld KiB\n", first, second);
    return 0;
}

/* Page i's pattern in round r: fill() of another index. */
static uint64_t rewrite_index(size_t i, int round)
{
    return i + (uint64_t)round * 1000003;
}

static int mode_rewrite(unsigned long kib)
{
    size_t bytes = kib << 10, n = bytes / PAGE;
    unsigned char *p = map_anon(bytes);
    for (int round = 0; round < 2; round++) {
        for (size_t i = 0; i < n; i++)
            fill(p + i * PAGE, rewrite_index(i, round));
        if (madvise(p, bytes, MADV_PAGEOUT)) {
            perror("madvise");
            return 1;
        }
        for (size_t i = 0; i < n; i++)
            if (check(p + i * PAGE, rewrite_index(i, round))) {
                printf("rewrite: page %zu of round %d is wrong\n", i, round);
                return 1;
            }
    }
    printf("rewrite %lu KiB: intact\n", kib);
    return 0;
}

/* pagemap's bits: 63 present, 62 swapped, 55 soft-dirty. */
static int mode_swapmap(unsigned long kib)
{
    size_t bytes = kib << 10, n = bytes / PAGE;
    unsigned char *p = map_anon(bytes);
    for (size_t i = 0; i < n; i++)
        fill(p + i * PAGE, i);
    int cr = open("/proc/self/clear_refs", O_WRONLY);
    if (cr < 0 || write(cr, "4", 1) != 1) {
        perror("clear_refs");
        return 1;
    }
    close(cr);
    for (size_t i = 0; i < n; i += 2)
        fill(p + i * PAGE, i);
    if (madvise(p, bytes, MADV_PAGEOUT)) {
        perror("madvise");
        return 1;
    }
    int fd = open("/proc/self/pagemap", O_RDONLY);
    uint64_t e;
    size_t swapped = 0, dirty = 0, present = 0;
    for (size_t i = 0; i < n; i++) {
        if (fd < 0 || pread(fd, &e, 8, (off_t)(((uintptr_t)p / PAGE + i) * 8)) != 8) {
            perror("pagemap");
            return 1;
        }
        present += (e >> 63) & 1;
        swapped += (e >> 62) & 1;
        dirty += ((e >> 62) & 1) && ((e >> 55) & 1);
    }
    printf("swapmap %lu KiB: %zu present, %zu swapped, %zu of them soft-dirty\n", kib, present,
           swapped, dirty);
    return 0;
}

static int mode_pageout(unsigned long kib)
{
    size_t bytes = kib << 10;
    unsigned char *p = map_anon(bytes);
    for (size_t i = 0; i < bytes / PAGE; i++)
        fill(p + i * PAGE, i);
    if (madvise(p, bytes, MADV_PAGEOUT)) {
        perror("madvise");
        return 1;
    }
    long before = majflt();
    for (size_t i = 0; i < bytes / PAGE; i++)
        if (check(p + i * PAGE, i)) {
            printf("pageout: page %zu is wrong\n", i);
            return 1;
        }
    printf("pageout %lu KiB: %ld major faults\n", kib, majflt() - before);
    return 0;
}

/* Swap and SwapPss of the mapping that starts at start, from /proc/self/smaps (KiB). */
static void smaps_swap(const void *start, long *swap, long *swap_pss)
{
    FILE *f = fopen("/proc/self/smaps", "r");
    char line[256];
    int in = 0;
    *swap = *swap_pss = -1;
    while (f && fgets(line, sizeof(line), f)) {
        unsigned long lo;
        char dash;
        if (sscanf(line, "%lx%c", &lo, &dash) == 2 && dash == '-')
            in = lo == (unsigned long)start;
        else if (in)
            sscanf(line, "Swap: %ld", swap), sscanf(line, "SwapPss: %ld", swap_pss);
    }
    if (f)
        fclose(f);
}

/*
 * MIB filled, then a fork: the child fills as much again of its own, which
 * pushes the shared pages out, then reports Swap and SwapPss of the
 * shared mapping (a slot two processes name counts half in SwapPss) and
 * checks it; the parent checks it too once the child is gone.
 */
static int mode_forkswap(unsigned long mib)
{
    size_t pages = mib * MIB / PAGE;
    unsigned char *shared = map_anon(pages * PAGE);
    for (size_t i = 0; i < pages; i++)
        fill(shared + i * PAGE, i);
    pid_t pid = fork();
    if (pid < 0) {
        perror("fork");
        return 1;
    }
    if (pid == 0) {
        unsigned char *own = map_anon(pages * PAGE);
        for (size_t i = 0; i < pages; i++)
            fill(own + i * PAGE, i + pages);
        long swap, swap_pss;
        smaps_swap(shared, &swap, &swap_pss);
        for (size_t i = 0; i < pages; i++)
            if (check(shared + i * PAGE, i)) {
                printf("forkswap child: page %zu is wrong\n", i);
                _exit(1);
            }
        printf("forkswap child: intact, Swap %ld kB, SwapPss %ld kB\n", swap, swap_pss);
        fflush(stdout);
        _exit(0);
    }
    int status;
    if (waitpid(pid, &status, 0) != pid || status != 0)
        return 1;
    for (size_t i = 0; i < pages; i++)
        if (check(shared + i * PAGE, i)) {
            printf("forkswap parent: page %zu is wrong\n", i);
            return 1;
        }
    printf("forkswap parent: intact\n");
    return 0;
}

#ifndef MAP_DROPPABLE
#define MAP_DROPPABLE 0x08 /* Linux 6.11 */
#endif

static int mode_droppable(unsigned long mib, unsigned long anon_mib)
{
    size_t pages = mib * MIB / PAGE;
    unsigned char *d =
        mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE, MAP_DROPPABLE | MAP_ANONYMOUS, -1, 0);
    if (d == MAP_FAILED) {
        perror("mmap MAP_DROPPABLE");
        return 1;
    }
    for (size_t i = 0; i < pages; i++)
        fill(d + i * PAGE, i);
    int err = mode_anon(anon_mib);
    size_t kept = 0, dropped = 0;
    static const unsigned char zero[PAGE];
    for (size_t i = 0; i < pages; i++) {
        if (!check(d + i * PAGE, i))
            kept++;
        else if (!memcmp(d + i * PAGE, zero, PAGE))
            dropped++;
    }
    printf("droppable %lu: %zu kept, %zu dropped, %zu other\n", mib, kept, dropped,
           pages - kept - dropped);
    return err;
}

int main(int argc, char **argv)
{
    if (argc >= 4 && !strcmp(argv[1], "droppable"))
        return mode_droppable(strtoul(argv[2], NULL, 10), strtoul(argv[3], NULL, 10));
    if (argc >= 3 && !strcmp(argv[1], "anon"))
        return mode_anon(strtoul(argv[2], NULL, 10));
    if (argc >= 4 && !strcmp(argv[1], "write"))
        return mode_write(argv[2], strtoul(argv[3], NULL, 10));
    if (argc >= 4 && !strcmp(argv[1], "mmapwrite"))
        return mode_mmapwrite(argv[2], strtoul(argv[3], NULL, 10));
    if (argc >= 3 && !strcmp(argv[1], "mark"))
        return mode_mark(argv[2]);
    if (argc >= 4 && !strcmp(argv[1], "hot"))
        return mode_hot(strtoul(argv[2], NULL, 10), argv[3]);
    if (argc >= 3 && !strcmp(argv[1], "reread"))
        return mode_reread(argv[2]);
    if (argc >= 3 && !strcmp(argv[1], "forkswap"))
        return mode_forkswap(strtoul(argv[2], NULL, 10));
    if (argc >= 3 && !strcmp(argv[1], "pageout"))
        return mode_pageout(strtoul(argv[2], NULL, 10));
    if (argc >= 3 && !strcmp(argv[1], "swapmap"))
        return mode_swapmap(strtoul(argv[2], NULL, 10));
    if (argc >= 3 && !strcmp(argv[1], "rewrite"))
        return mode_rewrite(strtoul(argv[2], NULL, 10));
    fprintf(stderr,
            "usage: pressure anon|write|mmapwrite|mark|hot|reread|pageout|forkswap ARGS...\n");
    return 2;
}
