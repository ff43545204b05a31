/*
 * mseal(2) (Linux 6.10) as Linux 6.18 enforces it: the argument checks, a
 * sealed range splitting its VMA (smaps shows "sl"), and every call that
 * would change or remove sealed memory refused with EPERM: munmap and
 * MAP_FIXED over it refuse whole, mprotect stops at it, mremap of it or
 * onto it, discarding madvise on sealed read-only anonymous memory (the
 * pages keep their data), brk shrinking into it; what stays allowed
 * (mlock, harmless advice, discarding writable memory); and a forked
 * child inheriting the seal. Addresses are printed as page offsets from
 * the mapping, so native and vmemu runs print the same.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define PG 4096UL
#define SYS_mseal_nr 462
#define MADV_GUARD_INSTALL_NR 102
#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

static char *base;

static long mseal(void *p, size_t len, unsigned long flags)
{
    return syscall(SYS_mseal_nr, p, len, flags);
}

static void result(const char *what, long r)
{
    if (r == -1)
        printf("%s: -1 %s\n", what, strerror(errno));
    else
        printf("%s: %ld\n", what, r);
}

static void result_ptr(const char *what, void *p)
{
    if (p == MAP_FAILED)
        printf("%s: MAP_FAILED %s\n", what, strerror(errno));
    else
        printf("%s: page %ld\n", what, (long)(((char *)p - base) / (long)PG));
}

/* The VMAs within [base - 1 page, base + n pages), relative to base, with smaps' seal flag. */
static void show(const char *when, int n)
{
    FILE *f = fopen("/proc/self/smaps", "r");
    char line[512];
    unsigned long lo = (unsigned long)base - PG, hi = (unsigned long)base + (unsigned long)n * PG;
    bool in = false;
    printf("%s:\n", when);
    while (f && fgets(line, sizeof(line), f)) {
        unsigned long a, b;
        char perm[8];
        if (sscanf(line, "%lx-%lx %7s", &a, &b, perm) == 3 && strchr(line, ':') > line + 8) {
            in = a >= lo && b <= hi;
            if (in)
                printf("  %ld-%ld %s", (long)(a - (unsigned long)base) / (long)PG,
                       (long)(b - (unsigned long)base) / (long)PG, perm);
        } else if (in && !strncmp(line, "VmFlags:", 8)) {
            printf("%s\n", strstr(line, " sl") ? " sealed" : "");
        }
    }
    if (f)
        fclose(f);
}

/* The start of the mapping /proc/self/maps names so, or NULL. */
static char *special_mapping(const char *name)
{
    FILE *f = fopen("/proc/self/maps", "r");
    char line[512];
    unsigned long a = 0;
    while (f && fgets(line, sizeof(line), f))
        if (strstr(line, name) && sscanf(line, "%lx-", &a) == 1)
            break;
    if (f)
        fclose(f);
    return (char *)a;
}

static void fill(int from, int to, char c)
{
    for (int i = from; i < to; i++)
        base[(unsigned long)i * PG] = c;
}

static void contents(const char *when, int from, int to)
{
    printf("%s:", when);
    for (int i = from; i < to; i++)
        printf(" %d", base[(unsigned long)i * PG]);
    printf("\n");
}

int main(void)
{
    /* A guard page above and below, so the VMAs shown are this mapping's own. */
    char *area = mmap(NULL, 14 * PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    base = area + PG;
    mmap(base, 12 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    fill(0, 12, 7);

    result("mseal flags 1", mseal(base, PG, 1));
    result("mseal unaligned", mseal(base + 1, PG, 0));
    result("mseal length 0", mseal(base, 0, 0));
    result("mseal length wraps", mseal(base, (size_t)-1, 0));
    char *holey = mmap(NULL, 3 * PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(holey + PG, PG);
    result("mseal over a hole", mseal(holey, 3 * PG, 0));
    munmap(holey, 3 * PG);
    /* A special mapping is never split: sealing or protecting part of the vDSO is EINVAL. */
    char *vdso = special_mapping("[vdso]");
    result("mseal the vDSO's first page", vdso ? mseal(vdso, PG, 0) : -2);
    result("mprotect the vDSO's first page", vdso ? mprotect(vdso, PG, PROT_READ) : -2);
    result("mseal [4,6)", mseal(base + 4 * PG, 2 * PG, 0));
    result("mseal [4,6) again", mseal(base + 4 * PG, 2 * PG, 0));
    show("after mseal", 12);

    result("munmap [0,5)", munmap(base, 5 * PG));
    result("munmap [5,6)", munmap(base + 5 * PG, PG));
    result("mprotect [2,6) read-only", mprotect(base + 2 * PG, 4 * PG, PROT_READ));
    result("mprotect [4,5) unchanged rights", mprotect(base + 4 * PG, PG, PROT_READ | PROT_WRITE));
    show("after munmap and mprotect", 12);
    result_ptr("mmap MAP_FIXED over [3,5)", mmap(base + 3 * PG, 2 * PG, PROT_READ,
                                                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0));
    result_ptr("mmap MAP_FIXED_NOREPLACE at 4",
               mmap(base + 4 * PG, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
                    -1, 0));
    result_ptr("mremap shrink [4,6)", mremap(base + 4 * PG, 2 * PG, PG, 0));
    result_ptr("mremap grow [4,6)", mremap(base + 4 * PG, 2 * PG, 3 * PG, MREMAP_MAYMOVE));
    result_ptr("mremap move [4,5)",
               mremap(base + 4 * PG, PG, PG, MREMAP_MAYMOVE | MREMAP_FIXED, base + 8 * PG));
    result_ptr("mremap [7,8) onto 5",
               mremap(base + 7 * PG, PG, PG, MREMAP_MAYMOVE | MREMAP_FIXED, base + 5 * PG));
    result("mlock [4,6)", mlock(base + 4 * PG, 2 * PG));
    result("munlock [4,6)", munlock(base + 4 * PG, 2 * PG));
    result("madvise DONTNEED sealed writable [4,5)", madvise(base + 4 * PG, PG, MADV_DONTNEED));
    contents("pages 3-6", 3, 6);

    /* Read-only private anonymous memory, sealed: its data cannot be discarded. */
    fill(6, 10, 9);
    result("mprotect [6,10) read-only", mprotect(base + 6 * PG, 4 * PG, PROT_READ));
    result("mseal [8,10)", mseal(base + 8 * PG, 2 * PG, 0));
    result("madvise DONTNEED [6,10)", madvise(base + 6 * PG, 4 * PG, MADV_DONTNEED));
    contents("pages 6-10", 6, 10);
    static const struct {
        const char *name;
        int advice;
    } advice[] = {{"FREE", MADV_FREE},         {"DONTFORK", MADV_DONTFORK},
                  {"WIPEONFORK", 18},          {"GUARD_INSTALL", MADV_GUARD_INSTALL_NR},
                  {"WILLNEED", MADV_WILLNEED}, {"RANDOM", MADV_RANDOM},
                  {"DODUMP", MADV_DODUMP},     {"DONTNEED_LOCKED", 24}};
    for (size_t i = 0; i < sizeof(advice) / sizeof(advice[0]); i++) {
        char what[64];
        snprintf(what, sizeof(what), "madvise %s [8,10)", advice[i].name);
        result(what, madvise(base + 8 * PG, 2 * PG, advice[i].advice));
    }
    contents("pages 8-10", 8, 10);
    show("at the end", 12);

    /* A forked child inherits the seal. */
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        result("child: munmap [8,10)", munmap(base + 8 * PG, 2 * PG));
        show("child", 12);
        fflush(stdout);
        _exit(0);
    }
    int st;
    waitpid(pid, &st, 0);

    /* The heap (raw brk calls: musl's sbrk only reports): sealing its top keeps brk from shrinking.
     */
    uintptr_t top = (uintptr_t)syscall(SYS_brk, 0), aligned = (top + PG - 1) & ~(PG - 1);
    uintptr_t grown = (uintptr_t)syscall(SYS_brk, aligned + 2 * PG);
    printf("brk grew: %s\n", grown == aligned + 2 * PG ? "yes" : "no");
    result("mseal the heap's last page", mseal((void *)(aligned + PG), PG, 0));
    printf("brk shrinking into it: %s\n",
           (uintptr_t)syscall(SYS_brk, aligned) == aligned ? "moved" : "refused");
    printf("brk growing above it: %s\n",
           (uintptr_t)syscall(SYS_brk, aligned + 3 * PG) == aligned + 3 * PG ? "moved" : "refused");
    return 0;
}
