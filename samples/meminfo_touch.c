/*
 * Maps ten 1 MiB anonymous regions, touches every page, and checks what
 * /proc/meminfo and /proc/self/status say before and after: AnonPages and
 * Committed_AS (system-wide) must rise by at least 10 MiB, RssAnon (this
 * process) by exactly 10 MiB. Only verdicts are printed, so the output is
 * the same on Linux and under vmemu.
 *
 * On a real machine the system-wide figures lag: each CPU batches its
 * changes and folds them in about once a second (vm.stat_interval), and
 * other processes change them at the same time. So the figures are read
 * again for up to three seconds, and an attempt that other processes
 * disturb is repeated with fresh regions, a few times at most. Under vmemu
 * the counts are exact and the guest is alone: the first reading holds.
 * With --mlock it checks Mlocked instead (see mlock_check).
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define REGIONS 10
#define REGION_SIZE (1UL << 20)
#define TOUCHED_KB (REGIONS * REGION_SIZE / 1024)
#define ATTEMPTS 5
#define READINGS 30 /* 100 ms apart */

struct figures {
    long anon_pages, committed_as; /* /proc/meminfo, kB */
    long rss_anon;                 /* /proc/self/status, kB */
};

static char buf[16384]; /* static, so reading a file touches no new memory */

/* Read a whole /proc file into buf; 0 or -1. */
static int read_file(const char *path)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return -1;
    size_t len = 0;
    ssize_t n;
    while (len < sizeof(buf) - 1 && (n = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0)
        len += (size_t)n;
    close(fd);
    buf[len] = '\0';
    return len ? 0 : -1;
}

/* The number after "name" at the start of a line of buf, or -1. */
static long field(const char *name)
{
    size_t n = strlen(name);
    for (const char *line = buf; line && *line; line = strchr(line, '\n')) {
        if (*line == '\n')
            line++;
        if (strncmp(line, name, n) == 0) {
            long v = -1;
            sscanf(line + n, " %ld", &v);
            return v;
        }
    }
    return -1;
}

static int measure(struct figures *f)
{
    if (read_file("/proc/meminfo"))
        return -1;
    f->anon_pages = field("AnonPages:");
    f->committed_as = field("Committed_AS:");
    if (read_file("/proc/self/status"))
        return -1;
    f->rss_anon = field("RssAnon:");
    return f->anon_pages < 0 || f->committed_as < 0 || f->rss_anon < 0 ? -1 : 0;
}

/* Map and touch the regions; returns the number mapped. */
static int map_and_touch(char *regions[REGIONS])
{
    for (int i = 0; i < REGIONS; i++) {
        regions[i] =
            mmap(NULL, REGION_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (regions[i] == MAP_FAILED)
            return i;
        for (unsigned long off = 0; off < REGION_SIZE; off += 4096)
            regions[i][off] = (char)(i + 1);
    }
    return REGIONS;
}

struct verdict {
    int anon_ok, committed_ok, rss_ok;
};

static int judge(const struct figures *before, const struct figures *after, struct verdict *v)
{
    v->anon_ok = after->anon_pages - before->anon_pages >= (long)TOUCHED_KB;
    v->committed_ok = after->committed_as - before->committed_as >= (long)TOUCHED_KB;
    v->rss_ok = after->rss_anon - before->rss_anon == (long)TOUCHED_KB;
    return v->anon_ok && v->committed_ok && v->rss_ok;
}

/* Read the figures until they show the regions, or the readings run out. */
static int settle(const struct figures *before, struct verdict *v)
{
    const struct timespec pause = {0, 100 * 1000 * 1000};
    for (int r = 0; r < READINGS; r++) {
        struct figures after;
        if (measure(&after))
            return -1;
        if (judge(before, &after, v))
            return 0;
        nanosleep(&pause, NULL);
    }
    return 0;
}

static void unmap_all(char *regions[REGIONS], int n)
{
    for (int i = 0; i < n; i++)
        munmap(regions[i], REGION_SIZE);
}

#define LOCKED_SIZE (60UL << 20)

/*
 * --mlock: lock 60 MiB. Mlocked and Unevictable (system-wide, where Linux
 * counts mlocked pages) must rise by VmLck (this process), and fall back
 * after munlock. Exact under vmemu; natively, only while no other process
 * locks or unlocks memory, and only with the right to lock that much.
 */
static int mlock_check(void)
{
    if (read_file("/proc/meminfo"))
        return 1;
    long mlocked = field("Mlocked:"), unevictable = field("Unevictable:");
    char *p = mmap(NULL, LOCKED_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED || mlock(p, LOCKED_SIZE) != 0) {
        printf("cannot lock 60 MiB\n");
        return 1;
    }
    if (read_file("/proc/self/status"))
        return 1;
    long vmlck = field("VmLck:");
    if (read_file("/proc/meminfo"))
        return 1;
    printf("VmLck: %ld kB\n", vmlck);
    printf("Mlocked rose by VmLck: %s\n", field("Mlocked:") - mlocked == vmlck ? "yes" : "no");
    printf("Unevictable rose by VmLck: %s\n",
           field("Unevictable:") - unevictable == vmlck ? "yes" : "no");
    munlock(p, LOCKED_SIZE);
    if (read_file("/proc/meminfo"))
        return 1;
    printf("Mlocked back after munlock: %s\n", field("Mlocked:") == mlocked ? "yes" : "no");
    return 0;
}

/*
 * By default only the per-process figure (RssAnon) is judged: natively,
 * AnonPages and Committed_AS are system-wide and other processes move them.
 * With --system the system-wide ones are judged too (vmemu runs one
 * process, so there they are exact).
 */
int main(int argc, char **argv)
{
    struct figures before, warm;
    struct verdict v = {0, 0, 0};
    int system = argc > 1 && strcmp(argv[1], "--system") == 0;
    if (argc > 1 && strcmp(argv[1], "--mlock") == 0)
        return mlock_check();
    char *regions[REGIONS];
    /* A first read touches buf and the stack the measurements use. */
    if (measure(&warm)) {
        printf("cannot read /proc/meminfo or /proc/self/status\n");
        return 1;
    }
    for (int attempt = 0;
         attempt < ATTEMPTS && !((!system || (v.anon_ok && v.committed_ok)) && v.rss_ok);
         attempt++) {
        if (measure(&before))
            return 1;
        int n = map_and_touch(regions);
        if (n < REGIONS || settle(&before, &v)) {
            printf("cannot map and measure %d regions of 1 MiB\n", REGIONS);
            return 1;
        }
        unmap_all(regions, n);
    }
    if (system) {
        printf("AnonPages rose by >= 10 MiB: %s\n", v.anon_ok ? "yes" : "no");
        printf("Committed_AS rose by >= 10 MiB: %s\n", v.committed_ok ? "yes" : "no");
    }
    printf("RssAnon rose by exactly 10 MiB: %s\n", v.rss_ok ? "yes" : "no");
    return (!system || (v.anon_ok && v.committed_ok)) && v.rss_ok ? 0 : 1;
}
