/*
 * /proc/kpageflags and /proc/kpagecount read the way page-types does: the
 * program finds the frames of its own pages in /proc/self/pagemap (frames
 * are shown to CAP_SYS_ADMIN: the tests run as root), then reads their
 * KPF_* flags and map counts, and prints how many pages of each kind it
 * found: anonymous pages written, the zero page behind read-only touches,
 * pages shared with a forked child (mapped twice, no longer exclusive),
 * file pages (up to date, dirty until written back), mlocked pages; then
 * the files' rules (0400, offsets and lengths in entries of 8 bytes, the
 * end after the last frame). Never a frame number: only counts.
 *
 * Only the bits both kernels give the same way are counted. Left out:
 * LRU, ACTIVE and REFERENCED (Linux adds new pages to the LRU lists in
 * per-CPU batches and ages them on its own schedule; vmemu adds them at
 * once), RECLAIM (readahead markers, which follow the readahead window),
 * and COMPOUND_HEAD/TAIL, THP and PRIVATE (the host's file systems cache
 * files in large folios with buffer heads; vmemu's pages are single
 * frames). Run natively and under vmemu, the output must be the same.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define PG 4096UL
#define PFN_MASK ((1ULL << 55) - 1)
#define PRESENT (1ULL << 63)

enum {
    KPF_UPTODATE = 3,
    KPF_DIRTY = 4,
    KPF_SLAB = 7,
    KPF_BUDDY = 10,
    KPF_MMAP = 11,
    KPF_ANON = 12,
    KPF_SWAPBACKED = 14,
    KPF_UNEVICTABLE = 18,
    KPF_NOPAGE = 20,
    KPF_ZERO_PAGE = 24,
    KPF_RESERVED = 32,
    KPF_MLOCKED = 33,
    KPF_ANON_EXCLUSIVE = 34, /* PG_anon_exclusive shares PG_owner_2's bit */
};

static const struct {
    int bit;
    const char *name;
} shown[] = {
    {KPF_ANON, "anon"},
    {KPF_MMAP, "mmap"},
    {KPF_SWAPBACKED, "swapbacked"},
    {KPF_UPTODATE, "uptodate"},
    {KPF_DIRTY, "dirty"},
    {KPF_ZERO_PAGE, "zero_page"},
    {KPF_RESERVED, "reserved"},
    {KPF_ANON_EXCLUSIVE, "exclusive"},
    {KPF_MLOCKED, "mlocked"},
    {KPF_UNEVICTABLE, "unevictable"},
    {KPF_SLAB, "slab"},
    {KPF_BUDDY, "buddy"},
    {KPF_NOPAGE, "nopage"},
};

static int pagemap, kflags, kcount;

static const char *errname(int e)
{
    switch (e) {
    case EINVAL:
        return "EINVAL";
    case EACCES:
        return "EACCES";
    default:
        return strerror(e);
    }
}

static uint64_t read8(int fd, uint64_t index)
{
    uint64_t v = 0;
    if (pread(fd, &v, 8, (off_t)(index * 8)) != 8)
        printf("pread: %s\n", errname(errno));
    return v;
}

/* The kinds of the n pages from p: how many carry each flag, map counts, distinct frames. */
static void census(const char *what, const char *p, int n)
{
    int present = 0, per_bit[sizeof(shown) / sizeof(shown[0])] = {0}, counts[4] = {0};
    uint64_t pfns[64];
    int distinct = 0;
    for (int i = 0; i < n; i++) {
        uint64_t e = read8(pagemap, (uintptr_t)(p + i * PG) / PG);
        if (!(e & PRESENT))
            continue;
        present++;
        uint64_t pfn = e & PFN_MASK;
        int seen = 0;
        for (int j = 0; j < distinct; j++)
            seen |= pfns[j] == pfn;
        if (!seen && distinct < 64)
            pfns[distinct++] = pfn;
        uint64_t f = read8(kflags, pfn), c = read8(kcount, pfn);
        for (size_t b = 0; b < sizeof(shown) / sizeof(shown[0]); b++)
            per_bit[b] += (int)(f >> shown[b].bit & 1);
        counts[c < 3 ? c : 3]++;
    }
    printf("%s: %d pages, %d present, %d frames;", what, n, present, distinct);
    for (size_t b = 0; b < sizeof(shown) / sizeof(shown[0]); b++)
        if (per_bit[b])
            printf(" %s %d", shown[b].name, per_bit[b]);
    printf("; mapped 0x%d 1x%d 2x%d more%d\n", counts[0], counts[1], counts[2], counts[3]);
}

static char *map_anon(int pages, int prot)
{
    char *p = mmap(NULL, pages * PG, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
        perror("mmap");
        exit(1);
    }
    return p;
}

static void anonymous_and_fork(void)
{
    char *a = map_anon(16, PROT_READ | PROT_WRITE);
    for (int i = 0; i < 16; i++)
        a[i * PG] = 1;
    census("anon written", a, 16);
    char *z = map_anon(8, PROT_READ);
    for (int i = 0; i < 8; i++)
        (void)*(volatile char *)(z + i * PG);
    census("anon read", z, 8);

    int ready[2], go[2];
    char c = 0;
    if (pipe(ready) || pipe(go))
        exit(1);
    pid_t pid = fork();
    if (pid == 0) {
        if (write(ready[1], &c, 1) != 1 || read(go[0], &c, 1) != 1)
            _exit(1);
        _exit(0);
    }
    if (read(ready[0], &c, 1) != 1)
        exit(1);
    census("anon after fork", a, 16);
    a[PG] = 2; /* copy-on-write: a page of our own again */
    census("anon after one write", a, 16);
    if (write(go[1], &c, 1) != 1)
        exit(1);
    waitpid(pid, NULL, 0);
    census("anon after the child exited", a, 16);

    if (mlock(a + 4 * PG, 2 * PG) == 0)
        census("anon mlocked", a + 4 * PG, 2);
    munmap(a, 16 * PG);
    munmap(z, 8 * PG);
}

static void file_pages(void)
{
    static char buf[4 * 4096];
    int fd = open("/tmp", O_RDWR | O_TMPFILE, 0600);
    memset(buf, 7, sizeof(buf));
    if (fd < 0 || write(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf) || fsync(fd)) {
        perror("tmpfile");
        exit(1);
    }
    char *r = mmap(NULL, 4 * PG, PROT_READ, MAP_SHARED, fd, 0);
    char *w = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (r == MAP_FAILED || w == MAP_FAILED)
        exit(1);
    for (int i = 0; i < 4; i++)
        (void)*(volatile char *)(r + i * PG);
    census("file read", r, 4);
    /*
     * Only the written page: Linux may cache the file in one large folio,
     * whose pages are dirtied and mapped together.
     */
    w[2 * PG] = 1;
    census("file, the page written", r + 2 * PG, 1);
    msync(w, 4 * PG, MS_SYNC);
    census("file, that page after msync", r + 2 * PG, 1);
    munmap(r, 4 * PG);
    munmap(w, 4 * PG);
    close(fd);
}

static void rules(void)
{
    uint64_t v[2];
    printf("read at offset 4: %s\n", pread(kflags, v, 8, 4) < 0 ? errname(errno) : "ok");
    printf("read of 12 bytes: %s\n", pread(kflags, v, 12, 0) < 0 ? errname(errno) : "ok");
    printf("kpagecount read at offset 4: %s\n",
           pread(kcount, v, 8, 4) < 0 ? errname(errno) : "ok");
    printf("read far past the end: %zd\n", pread(kflags, v, 16, 1LL << 50));
    printf("lseek far: %d\n", lseek(kflags, 1LL << 50, SEEK_SET) == 1LL << 50);

    /* Root alone reads them (0400), and pagemap shows no frames to others. */
    pid_t pid = fork();
    if (pid == 0) {
        if (setgid(65534) || setuid(65534))
            _exit(2);
        int fd = open("/proc/kpageflags", O_RDONLY);
        printf("kpageflags as nobody: %s\n", fd < 0 ? errname(errno) : "opened");
        fd = open("/proc/kpagecount", O_RDONLY);
        printf("kpagecount as nobody: %s\n", fd < 0 ? errname(errno) : "opened");
        fflush(stdout);
        _exit(0);
    }
    waitpid(pid, NULL, 0);
}

int main(void)
{
    pagemap = open("/proc/self/pagemap", O_RDONLY);
    kflags = open("/proc/kpageflags", O_RDONLY);
    kcount = open("/proc/kpagecount", O_RDONLY);
    if (pagemap < 0 || kflags < 0 || kcount < 0) {
        perror("open");
        return 1;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    anonymous_and_fork();
    file_pages();
    rules();
    return 0;
}
