/*
 * A scripted walk through the mmap family: brk, anonymous and file mappings
 * (private and shared, of a file it creates in the directory given as
 * argv[1]), mprotect, munmap, mremap, MAP_FIXED, MAP_FIXED_NOREPLACE,
 * madvise, mincore and mlock, printing /proc/self/maps after each step and
 * the error number of every call expected to fail. Run natively under
 * `setarch -R` and under vmemu, the two outputs must agree line for line
 * (tests/integration/maps_native.sh), since vmemu lays memory out as Linux.
 *
 * Without an argument it prints a usage line only: addresses depend on
 * ASLR when run natively without setarch -R.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define P 4096UL
#define RW (PROT_READ | PROT_WRITE)
#define ANON (MAP_PRIVATE | MAP_ANONYMOUS)
#define FILE_PAGES 8
#define FIXED_AT 0x10000000UL /* far below everything else: free */

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif
#ifndef MAP_SHARED_VALIDATE
#define MAP_SHARED_VALIDATE 0x03
#endif
#ifndef MREMAP_DONTUNMAP
#define MREMAP_DONTUNMAP 4
#endif

static int step;
static char maps_buf[1 << 16];

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    if (n > (int)sizeof(line) - 1)
        n = (int)sizeof(line) - 1;
    if (n > 0 && write(1, line, (size_t)n) != n)
        _exit(3);
}

/* The raw system call: -errno on failure, whatever the C library would do. */
static long sc(long nr, long a, long b, long c, long d, long e, long f)
{
    long r = syscall(nr, a, b, c, d, e, f);
    return r == -1 ? -errno : r;
}

static const char *errname(long r)
{
    static const struct {
        int e;
        const char *name;
    } names[] = {{EINVAL, "EINVAL"},       {ENOMEM, "ENOMEM"},         {EBADF, "EBADF"},
                 {EACCES, "EACCES"},       {EEXIST, "EEXIST"},         {EPERM, "EPERM"},
                 {EFAULT, "EFAULT"},       {EOPNOTSUPP, "EOPNOTSUPP"}, {EAGAIN, "EAGAIN"},
                 {EOVERFLOW, "EOVERFLOW"}, {ENODEV, "ENODEV"}};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (names[i].e == -r)
            return names[i].name;
    return "E?";
}

/* Print a call's result: an address in hex, 0, or its error's name. */
static long report(const char *what, long r)
{
    if (r < 0 && r > -4096)
        say("%s = -%s\n", what, errname(r));
    else
        say("%s = %#lx\n", what, (unsigned long)r);
    return r;
}

static void show(const char *what)
{
    say("== step %d: %s\n", ++step, what);
    int fd = open("/proc/self/maps", O_RDONLY);
    if (fd < 0) {
        say("cannot open /proc/self/maps: %s\n", errname(-errno));
        return;
    }
    ssize_t n;
    while ((n = read(fd, maps_buf, sizeof(maps_buf))) > 0)
        if (write(1, maps_buf, (size_t)n) != n)
            _exit(3);
    close(fd);
}

static long do_mmap(unsigned long addr, unsigned long len, int prot, int flags, int fd,
                    unsigned long off)
{
    return sc(SYS_mmap, (long)addr, (long)len, prot, flags, fd, (long)off);
}

static void fill(unsigned long addr, unsigned long pages, char base)
{
    for (unsigned long i = 0; i < pages; i++)
        memset((char *)addr + i * P, base + (char)i, P);
}

/* The first byte of each page, as letters: what the mapping holds now. */
static void print_pages(const char *what, unsigned long addr, unsigned long pages)
{
    char s[64];
    unsigned long i;
    for (i = 0; i < pages && i < sizeof(s) - 1; i++) {
        char c = *(volatile char *)(addr + i * P);
        s[i] = c ? c : '0';
    }
    s[i] = 0;
    say("%s: %s\n", what, s);
}

static void brk_steps(void)
{
    long b0 = sc(SYS_brk, 0, 0, 0, 0, 0, 0);
    say("brk grow by 0x21000: %s\n",
        sc(SYS_brk, b0 + 0x21000, 0, 0, 0, 0, 0) == b0 + 0x21000 ? "ok" : "refused");
    memset((char *)b0, 1, 0x21000);
    show("brk grown");
    say("brk shrink to +0x3123: %s\n",
        sc(SYS_brk, b0 + 0x3123, 0, 0, 0, 0, 0) == b0 + 0x3123 ? "ok" : "refused");
    show("brk shrunk");
    say("brk below its start: %s\n",
        sc(SYS_brk, b0 - 0x100000, 0, 0, 0, 0, 0) == b0 + 0x3123 ? "refused" : "moved");
}

static int make_file(const char *dir, char *path, size_t len)
{
    snprintf(path, len, "%s/data", dir);
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        return -1;
    char page[P];
    for (int i = 0; i < FILE_PAGES; i++) {
        memset(page, 'A' + i, P);
        if (write(fd, page, P) != (ssize_t)P)
            return -1;
    }
    return fd;
}

static void mmap_errors(int fd, const char *path)
{
    int ro = open(path, O_RDONLY), wo = open(path, O_WRONLY);
    report("mmap len 0", do_mmap(0, 0, RW, ANON, -1, 0));
    report("mmap huge len", do_mmap(0, -P, RW, ANON, -1, 0));
    report("mmap bad fd", do_mmap(0, P, PROT_READ, MAP_PRIVATE, 99, 0));
    report("mmap no type", do_mmap(0, P, RW, MAP_ANONYMOUS, -1, 0));
    report("mmap unaligned offset", do_mmap(0, P, PROT_READ, MAP_PRIVATE, fd, 100));
    report("mmap fixed unaligned", do_mmap(FIXED_AT + 1, P, RW, ANON | MAP_FIXED, -1, 0));
    report("mmap shared write on O_RDONLY", do_mmap(0, P, RW, MAP_SHARED, ro, 0));
    /* Shared, but never writable: 's' in maps all the same (VM_MAYSHARE). */
    long shared_ro =
        report("mmap shared read on O_RDONLY", do_mmap(0, P, PROT_READ, MAP_SHARED, ro, 0));
    show("shared mapping of a read-only descriptor");
    report("munmap it", sc(SYS_munmap, shared_ro, P, 0, 0, 0, 0));
    report("mmap private on O_WRONLY", do_mmap(0, P, PROT_READ, MAP_PRIVATE, wo, 0));
    report("mmap validate unknown flag",
           do_mmap(0, P, PROT_READ, MAP_SHARED_VALIDATE | 0x800000, fd, 0));
    report("mmap validate anon", do_mmap(0, P, RW, MAP_SHARED_VALIDATE | MAP_ANONYMOUS, -1, 0));
    report("mmap file growsdown", do_mmap(0, P, PROT_READ, MAP_PRIVATE | MAP_GROWSDOWN, fd, 0));
    report("munmap unaligned", sc(SYS_munmap, FIXED_AT + 1, P, 0, 0, 0, 0));
    report("munmap len 0", sc(SYS_munmap, FIXED_AT, 0, 0, 0, 0, 0));
    report("mprotect hole", sc(SYS_mprotect, FIXED_AT + 0x800000, P, PROT_READ, 0, 0, 0));
    report("mprotect unaligned", sc(SYS_mprotect, FIXED_AT + 1, P, PROT_READ, 0, 0, 0));
    report("mprotect bad prot", sc(SYS_mprotect, FIXED_AT, P, 0x100, 0, 0, 0));
    close(ro);
    close(wo);
}

static void mremap_errors(unsigned long m)
{
    report("mremap unaligned", sc(SYS_mremap, (long)m + 1, P, 2 * P, MREMAP_MAYMOVE, 0, 0));
    report("mremap bad flags", sc(SYS_mremap, (long)m, P, 2 * P, 0x80, 0, 0));
    report("mremap fixed without maymove",
           sc(SYS_mremap, (long)m, P, P, MREMAP_FIXED, FIXED_AT, 0));
    report("mremap unmapped", sc(SYS_mremap, FIXED_AT + 0x800000, P, 2 * P, MREMAP_MAYMOVE, 0, 0));
    report("mremap new len 0", sc(SYS_mremap, (long)m, P, 0, MREMAP_MAYMOVE, 0, 0));
    report("mremap old len 0 private", sc(SYS_mremap, (long)m, 0, P, MREMAP_MAYMOVE, 0, 0));
    report("mremap fixed overlapping",
           sc(SYS_mremap, (long)m, P, P, MREMAP_MAYMOVE | MREMAP_FIXED, (long)m, 0));
    report("mremap dontunmap size change",
           sc(SYS_mremap, (long)m, P, 2 * P, MREMAP_MAYMOVE | MREMAP_DONTUNMAP, 0, 0));
}

static unsigned long anon_steps(void)
{
    long a = report("mmap anon 3 pages", do_mmap(0, 3 * P, RW, ANON, -1, 0));
    fill((unsigned long)a, 3, 'a');
    show("anonymous mapping");
    report("mmap anon 2 MiB", do_mmap(0, 2UL << 20, RW, ANON, -1, 0));
    show("2 MiB anonymous mapping");
    report("mmap anon hint", do_mmap(0x20000000, 2 * P, RW, ANON | MAP_NORESERVE, -1, 0));
    report("mmap anon hint taken", do_mmap(0x20000000, 2 * P, PROT_READ, ANON, -1, 0));
    report("mmap populate", do_mmap(0, P, RW, ANON | MAP_POPULATE, -1, 0));
    show("hints, NORESERVE, POPULATE");
    report("mprotect middle read-only", sc(SYS_mprotect, a + (long)P, P, PROT_READ, 0, 0, 0));
    show("mprotect splits");
    report("mprotect middle back", sc(SYS_mprotect, a + (long)P, P, RW, 0, 0, 0));
    show("mprotect merges again");
    report("munmap middle", sc(SYS_munmap, a + (long)P, P, 0, 0, 0, 0));
    show("munmap leaves a hole");
    print_pages("pages left", (unsigned long)a, 1);
    report("munmap across the hole", sc(SYS_munmap, a, 3 * P, 0, 0, 0, 0));
    show("munmap across several VMAs and a hole");
    return (unsigned long)a;
}

static void file_steps(int fd)
{
    long f = report("mmap file private", do_mmap(0, 4 * P, PROT_READ, MAP_PRIVATE, fd, P));
    print_pages("file pages 1-4", (unsigned long)f, 4);
    long s = report("mmap file shared", do_mmap(0, 2 * P, RW, MAP_SHARED, fd, 0));
    *(volatile char *)s = 'z';
    report("msync", sc(SYS_msync, s, 2 * P, MS_SYNC, 0, 0, 0));
    char c = 0;
    if (pread(fd, &c, 1, 0) != 1)
        c = '?';
    say("file byte 0 after shared store: %c\n", c);
    show("file mappings");
    report("mmap file private writable", do_mmap(0, 2 * P, RW, MAP_PRIVATE, fd, 2 * P));
    long w = report("mmap file private next", do_mmap(0, 2 * P, RW, MAP_PRIVATE, fd, 0));
    show("file mappings with contiguous offsets merge");
    *(volatile char *)w = 'q';
    print_pages("private copy", (unsigned long)w, 2);
    report("madvise dontneed file", sc(SYS_madvise, w, 2 * P, MADV_DONTNEED, 0, 0, 0));
    print_pages("after dontneed", (unsigned long)w, 2);
    report("madvise willneed", sc(SYS_madvise, f, 4 * P, MADV_WILLNEED, 0, 0, 0));
    report("madvise random", sc(SYS_madvise, f + (long)P, P, MADV_RANDOM, 0, 0, 0));
    report("madvise sequential", sc(SYS_madvise, f + 2 * (long)P, 2 * P, MADV_SEQUENTIAL, 0, 0, 0));
    show("madvise advice splits");
    report("madvise normal", sc(SYS_madvise, f, 4 * P, MADV_NORMAL, 0, 0, 0));
    show("madvise normal merges");
}

static void mremap_steps(void)
{
    long m = report("mmap 4 pages", do_mmap(0, 4 * P, RW, ANON, -1, 0));
    fill((unsigned long)m, 4, 'm');
    report("munmap top half", sc(SYS_munmap, m + 2 * (long)P, 2 * P, 0, 0, 0, 0));
    report("mremap grow in place", sc(SYS_mremap, m, 2 * P, 4 * P, 0, 0, 0));
    print_pages("grown", (unsigned long)m, 4);
    show("mremap grew in place");
    report("mremap grow blocked", sc(SYS_mremap, m, 4 * P, 64 * P, 0, 0, 0));
    long n = report("mremap move", sc(SYS_mremap, m, 4 * P, 64 * P, MREMAP_MAYMOVE, 0, 0));
    print_pages("moved", (unsigned long)n, 5);
    show("mremap moved");
    report("mremap shrink", sc(SYS_mremap, n, 64 * P, 3 * P, 0, 0, 0));
    report("mremap fixed",
           sc(SYS_mremap, n, 3 * P, 3 * P, MREMAP_MAYMOVE | MREMAP_FIXED, FIXED_AT, 0));
    print_pages("at the fixed address", FIXED_AT, 3);
    show("mremap shrank and moved to a fixed address");
    long d = report("mremap dontunmap",
                    sc(SYS_mremap, FIXED_AT, P, P, MREMAP_MAYMOVE | MREMAP_DONTUNMAP, 0, 0));
    print_pages("moved page", (unsigned long)d, 1);
    print_pages("left behind", FIXED_AT, 3);
    show("mremap dontunmap");
    mremap_errors(FIXED_AT);
}

static void fixed_steps(void)
{
    report("mmap fixed over one page",
           do_mmap(FIXED_AT + P, P, PROT_READ, ANON | MAP_FIXED, -1, 0));
    print_pages("replaced page", FIXED_AT, 3);
    show("MAP_FIXED replaces part of a mapping");
    report("mmap fixed_noreplace taken",
           do_mmap(FIXED_AT, P, RW, ANON | MAP_FIXED_NOREPLACE, -1, 0));
    report("mmap fixed_noreplace free",
           do_mmap(FIXED_AT + 0x100000, P, RW, ANON | MAP_FIXED_NOREPLACE, -1, 0));
    show("MAP_FIXED_NOREPLACE");
}

static void residency_steps(void)
{
    long a = report("mmap 6 pages", do_mmap(0, 6 * P, RW, ANON, -1, 0));
    *(volatile char *)a = 1;
    *(volatile char *)(a + 2 * (long)P) = 1;
    (void)*(volatile char *)(a + 4 * (long)P); /* a read maps the zero page */
    unsigned char vec[6];
    report("mincore", sc(SYS_mincore, a, 6 * P, (long)vec, 0, 0, 0));
    say("mincore: %d%d%d%d%d%d\n", vec[0] & 1, vec[1] & 1, vec[2] & 1, vec[3] & 1, vec[4] & 1,
        vec[5] & 1);
    report("mincore hole", sc(SYS_mincore, FIXED_AT + 0x200000, P, (long)vec, 0, 0, 0));
    report("mincore unaligned", sc(SYS_mincore, a + 1, P, (long)vec, 0, 0, 0));
    /* A length that is not a page multiple covers the partial last page too. */
    memset(vec, 0x80, sizeof(vec));
    report("mincore 2 pages + 1", sc(SYS_mincore, a, 2 * P + 1, (long)vec, 0, 0, 0));
    say("mincore: %d %d %d %d\n", vec[0], vec[1], vec[2], vec[3]);
    report("madvise dontneed anon", sc(SYS_madvise, a, 6 * P, MADV_DONTNEED, 0, 0, 0));
    print_pages("after dontneed", (unsigned long)a, 3);
    report("madvise free", sc(SYS_madvise, a, 6 * P, MADV_FREE, 0, 0, 0));
    report("madvise bad advice", sc(SYS_madvise, a, P, 12345, 0, 0, 0));
    report("madvise hole", sc(SYS_madvise, FIXED_AT + 0x200000, P, MADV_NORMAL, 0, 0, 0));
    report("mlock", sc(SYS_mlock, a + (long)P, 2 * P, 0, 0, 0, 0));
    show("mlock splits");
    report("mincore after mlock", sc(SYS_mincore, a, 6 * P, (long)vec, 0, 0, 0));
    say("mincore: %d%d%d%d%d%d\n", vec[0] & 1, vec[1] & 1, vec[2] & 1, vec[3] & 1, vec[4] & 1,
        vec[5] & 1);
    report("munlock", sc(SYS_munlock, a, 6 * P, 0, 0, 0, 0));
    report("mlock hole", sc(SYS_mlock, FIXED_AT + 0x200000, P, 0, 0, 0, 0));
    report("mlock2 bad flags", sc(SYS_mlock2, a, P, 8, 0, 0, 0));
    show("munlock merges");
}

static void growsdown_steps(void)
{
    long g = report("mmap growsdown", do_mmap(0, 4 * P, RW, ANON | MAP_GROWSDOWN, -1, 0));
    report("mmap below it", do_mmap(0, P, RW, ANON, -1, 0));
    show("MAP_GROWSDOWN keeps a guard gap below");
    report("mprotect growsdown", sc(SYS_mprotect, g, P, PROT_READ | PROT_GROWSDOWN, 0, 0, 0));
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        say("usage: maps_script DIR (creates DIR/data; run under setarch -R to compare)\n");
        return 0;
    }
    char path[4096];
    int fd = make_file(argv[1], path, sizeof(path));
    if (fd < 0) {
        say("cannot create %s/data: %s\n", argv[1], errname(-errno));
        return 1;
    }
    show("start");
    brk_steps();
    anon_steps();
    file_steps(fd);
    mremap_steps();
    fixed_steps();
    mmap_errors(fd, path);
    residency_steps();
    growsdown_steps();
    close(fd);
    return 0;
}
