/*
 * /proc/self/pagemap and /proc/self/clear_refs as Linux 6.18 answers them
 * (Documentation/admin-guide/mm/pagemap.rst): one 64-bit entry per page,
 * present (63), swapped or a marker (62), file or shared anonymous (61),
 * guard region (58, 6.15), mapped exactly once (56), and the frame in bits
 * 0-54, shown only to an opener with CAP_SYS_ADMIN (this prints whether it
 * is zero, never its value); offsets and lengths not multiples of 8 are
 * EINVAL, the file ends at the top of the user address space. clear_refs
 * takes 1 to 5 (1, 2 and 3 clear accessed bits of all, anonymous or file
 * mappings: smaps' Referenced drops to 0), anything else EINVAL.
 * Bit 55, soft-dirty, is masked out: the host's kernel lacks
 * CONFIG_MEM_SOFT_DIRTY (tests/programs/soft_dirty checks it). Run natively
 * and under vmemu, the output must be the same.
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
#define MADV_GUARD_INSTALL_ 102
#define SOFT_DIRTY (1ULL << 55)

static int pagemap;
static char *volatile bad = (char *)16; /* an address no mapping covers */

static const char *errname(int e)
{
    switch (e) {
    case EINVAL:
        return "EINVAL";
    case ERANGE:
        return "ERANGE";
    case EFAULT:
        return "EFAULT";
    case EBADF:
        return "EBADF";
    default:
        return strerror(e);
    }
}

static uint64_t entry(const void *p)
{
    uint64_t e = 0;
    if (pread(pagemap, &e, 8, (off_t)((uintptr_t)p / PG * 8)) != 8)
        printf("pread: %s\n", errname(errno));
    return e & ~SOFT_DIRTY;
}

/* The flag bits by name, and whether the frame field is set. */
static void show(const char *what, const char *p, int n)
{
    printf("%s:", what);
    for (int i = 0; i < n; i++) {
        uint64_t e = entry(p + (unsigned long)i * PG);
        uint64_t frame = e & ((1ULL << 55) - 1);
        printf(" [%s%s%s%s%s%s]", e >> 63 & 1 ? "present " : "", e >> 62 & 1 ? "swap " : "",
               e >> 61 & 1 ? "file " : "", e >> 58 & 1 ? "guard " : "",
               e >> 56 & 1 ? "exclusive " : "", frame ? "frame" : "0");
        if ((e >> 62 & 1) && frame)
            printf("=%#llx",
                   (unsigned long long)frame); /* a marker's swap entry: type | offset << 5 */
    }
    printf("\n");
}

static void result(const char *what, long r)
{
    if (r < 0)
        printf("%s: -1 %s\n", what, errname(errno));
    else
        printf("%s: %ld\n", what, r);
}

/* smaps' Referenced of the mapping that starts at p, in kB. */
static long referenced(const char *p)
{
    char line[256], want[32];
    long kb = -1;
    int in = 0;
    FILE *f = fopen("/proc/self/smaps", "r");
    snprintf(want, sizeof(want), "%lx-", (unsigned long)p);
    while (f && fgets(line, sizeof(line), f)) {
        if (strchr(line, '-') && strchr(line, ' ') && strchr(line, '-') < strchr(line, ' '))
            in = strncmp(line, want, strlen(want)) == 0;
        else if (in && sscanf(line, "Referenced: %ld kB", &kb) == 1)
            break;
    }
    if (f)
        fclose(f);
    return kb;
}

/* n pages between two inaccessible pages, so that no neighbour merges with them. */
static char *map_alone(int n, int prot, int flags, int fd)
{
    char *g =
        mmap(NULL, (unsigned long)(n + 2) * PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return mmap(g + PG, (unsigned long)n * PG, prot, flags | MAP_FIXED, fd, 0);
}

static void entries(void)
{
    char *p = map_alone(5, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1);
    p[0] = 1;
    (void)*(volatile char *)(p + PG); /* the zero page: no page of its own */
    madvise(p + 2 * PG, PG, MADV_GUARD_INSTALL_);
    show("anonymous: written, read, guard, untouched", p, 4);
    char *s = map_alone(2, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1);
    s[0] = 1;
    (void)*(volatile char *)(s + PG);
    show("shared anonymous: written, read", s, 2);
    int fd = open("/proc/self/exe", O_RDONLY);
    char *f = map_alone(2, PROT_READ, MAP_PRIVATE, fd);
    (void)*(volatile char *)f;
    show("private file: read, fault-around", f, 2);
    char *w = map_alone(1, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd);
    *w = 1;
    show("private file written (a copy)", w, 1);
    close(fd);
    /* Two pipes take turns: the child shows, the parent shows, the child writes. */
    int to_parent[2], to_child[2];
    char c;
    if (pipe(to_parent) != 0 || pipe(to_child) != 0)
        return;
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        show("child: the parent's pages, shared until written", p, 2);
        fflush(stdout);
        if (write(to_parent[1], "x", 1) != 1 || read(to_child[0], &c, 1) != 1)
            _exit(1);
        p[0] = 2;
        show("child: after writing page 0", p, 1);
        fflush(stdout);
        _exit(0);
    }
    if (read(to_parent[0], &c, 1) != 1)
        return;
    show("parent while the child lives", p, 1);
    fflush(stdout);
    if (write(to_child[1], "x", 1) != 1)
        return;
    waitpid(pid, NULL, 0);
    show("parent after the child exited", p, 1);
    munmap(p + 3 * PG, PG);
    show("after munmap of page 3", p + 3 * PG, 1);
}

static void reads(void)
{
    char buf[32];
    off_t top = (off_t)(0x7ffffffff000ULL / PG * 8);
    result("read 8 at 0", pread(pagemap, buf, 8, 0));
    result("read 7 at 8", pread(pagemap, buf, 7, 8));
    result("read 8 at 3", pread(pagemap, buf, 8, 3));
    result("read 0 at 8", pread(pagemap, buf, 0, 8));
    result("read 32 ending at the top", pread(pagemap, buf, 32, top - 16));
    result("read 8 at the top", pread(pagemap, buf, 8, top));
    result("read 8 far past the top", pread(pagemap, buf, 8, top * 4));
    result("read into a bad buffer", pread(pagemap, bad, 8, 0));
    result("write", pwrite(pagemap, buf, 8, 0));
    result("lseek SEEK_END", (long)lseek(pagemap, 0, SEEK_END));
    result("lseek SEEK_SET 800", (long)lseek(pagemap, 800, SEEK_SET));
    result("read after the lseek", read(pagemap, buf, 16));
    result("lseek SEEK_CUR 0", (long)lseek(pagemap, 0, SEEK_CUR));
}

static void clear(void)
{
    int fd = open("/proc/self/clear_refs", O_WRONLY);
    result("open clear_refs for writing", fd < 0 ? -1 : 0);
    int rd = open("/proc/self/clear_refs", O_RDONLY); /* root may: the mode is 0200 */
    char c;
    result("read clear_refs", rd < 0 ? -1 : read(rd, &c, 1));
    static const char *const inputs[] = {"1",  "2\n", " 3 ",  "+5", "0",          "6",
                                         "-1", "x",   "3abc", "",   "4294967297", "  "};
    for (unsigned i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
        char what[64];
        snprintf(what, sizeof(what), "clear_refs \"%s\"", inputs[i]);
        for (char *c = what; *c; c++)
            if (*c == '\n')
                *c = '|';
        result(what, write(fd, inputs[i], strlen(inputs[i])));
    }
    result("clear_refs from a bad buffer", write(fd, bad, 1));

    /*
     * Accessed bits come back with the next touch only once the TLB forgets
     * the entry (Linux clears them without a flush), so no touch is checked.
     */
    char *p = map_alone(4, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1);
    memset(p, 1, 4 * PG);
    printf("Referenced of 4 written pages: %ld kB\n", referenced(p));
    result("clear_refs 3 (file mappings only)", write(fd, "3", 1));
    printf("Referenced after clear_refs 3: %ld kB\n", referenced(p));
    result("clear_refs 2 (anonymous only)", write(fd, "2", 1));
    printf("Referenced after clear_refs 2: %ld kB\n", referenced(p));
    memset(p, 2, 4 * PG);
    char *f = map_alone(1, PROT_READ, MAP_PRIVATE | MAP_POPULATE, open("/proc/self/exe", O_RDONLY));
    result("clear_refs 1 (all)", write(fd, "1", 1));
    printf("Referenced after clear_refs 1: %ld kB, %ld kB\n", referenced(p), referenced(f));
    close(fd);
}

int main(void)
{
    pagemap = open("/proc/self/pagemap", O_RDONLY);
    if (pagemap < 0) {
        printf("open pagemap: %s\n", errname(errno));
        return 1;
    }
    entries();
    reads();
    clear();
    return 0;
}
