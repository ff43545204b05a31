/*
 * The memory options of prctl(2), as Linux 6.18 answers them:
 * PR_SET_MDWE / PR_GET_MDWE (memory-deny-write-execute: which mmap and
 * mprotect calls fail with EACCES, that the setting cannot be undone, what
 * fork and execve inherit with and without PR_MDWE_NO_INHERIT);
 * PR_SET_MEMORY_MERGE / PR_GET_MEMORY_MERGE (VMAs KSM may merge: smaps'
 * "mg" flag). ("[anon:NAME]" in /proc/self/maps,
 * splits and merges, the errors). Addresses are page offsets from the
 * mapping, so native and vmemu runs print the same.
 *
 * usage: prctl_mm [mdwe-get]   (the second form is what the sample execs)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#define PG 4096UL
#define PR_SET_MDWE_ 65
#define PR_GET_MDWE_ 66
#define PR_SET_MEMORY_MERGE_ 67
#define PR_GET_MEMORY_MERGE_ 68
#define RWX (PROT_READ | PROT_WRITE | PROT_EXEC)

static char *base;

static void result(const char *what, long r)
{
    if (r == -1)
        printf("%s: -1 %s\n", what, strerror(errno));
    else
        printf("%s: %ld\n", what, r);
}

static void map_result(const char *what, void *p)
{
    printf("%s: %s\n", what, p == MAP_FAILED ? strerror(errno) : "mapped");
    if (p != MAP_FAILED)
        munmap(p, PG);
}

/* The VMAs of [base, base + n pages): page offsets, rights, smaps' "mg", the name maps shows. */
static void show(const char *when, int n)
{
    FILE *f = fopen("/proc/self/smaps", "r");
    char line[512];
    unsigned long lo = (unsigned long)base, hi = (unsigned long)base + (unsigned long)n * PG;
    int in = 0;
    printf("%s:\n", when);
    while (f && fgets(line, sizeof(line), f)) {
        unsigned long a, b;
        char perm[8];
        int name_at = 0;
        if (sscanf(line, "%lx-%lx %7s %*s %*s %*s %n", &a, &b, perm, &name_at) == 3 &&
            strchr(line, ':') > line + 8) {
            in = a >= lo && b <= hi;
            if (in)
                printf("  %ld-%ld %s %.*s", (long)(a - lo) / (long)PG, (long)(b - lo) / (long)PG,
                       perm, (int)strcspn(line + name_at, "\n"), line + name_at);
        } else if (in && !strncmp(line, "VmFlags:", 8)) {
            printf("%s\n", strstr(line, " mg") ? " mergeable" : "");
        }
    }
    if (f)
        fclose(f);
}

static void mdwe_checks(const char *who)
{
    char what[128];
    snprintf(what, sizeof(what), "%s: PR_GET_MDWE", who);
    result(what, prctl(PR_GET_MDWE_, 0, 0, 0, 0));
    snprintf(what, sizeof(what), "%s: mmap rwx", who);
    map_result(what, mmap(NULL, PG, RWX, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    snprintf(what, sizeof(what), "%s: mmap r-x", who);
    map_result(what, mmap(NULL, PG, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    char *p = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    snprintf(what, sizeof(what), "%s: mprotect rw- to r-x", who);
    result(what, mprotect(p, PG, PROT_READ | PROT_EXEC));
    munmap(p, PG);
    p = mmap(NULL, PG, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    snprintf(what, sizeof(what), "%s: mprotect r-x to rwx", who);
    result(what, mprotect(p, PG, RWX));
    snprintf(what, sizeof(what), "%s: mprotect r-x to r--", who);
    result(what, mprotect(p, PG, PROT_READ));
    snprintf(what, sizeof(what), "%s: mprotect r-- back to r-x", who);
    result(what, mprotect(p, PG, PROT_READ | PROT_EXEC));
    munmap(p, PG);
}

/* A child that sets bits, then looks at what it, its own child and a new program have. */
static void mdwe_child(unsigned long bits, char *self)
{
    fflush(stdout);
    if (fork() == 0) {
        printf("-- PR_SET_MDWE %lu\n", bits);
        result("PR_SET_MDWE", prctl(PR_SET_MDWE_, bits, 0, 0, 0));
        mdwe_checks("self");
        result("PR_SET_MDWE 0 (undo)", prctl(PR_SET_MDWE_, 0, 0, 0, 0));
        result("PR_SET_MDWE other bits", prctl(PR_SET_MDWE_, bits ^ 2, 0, 0, 0));
        result("PR_SET_MDWE same bits", prctl(PR_SET_MDWE_, bits, 0, 0, 0));
        fflush(stdout);
        if (fork() == 0) {
            mdwe_checks("forked child");
            fflush(stdout);
            _exit(0);
        }
        wait(NULL);
        execl("/proc/self/exe", self, "mdwe-get", (char *)NULL);
        _exit(1);
    }
    wait(NULL);
}

static void mdwe(char *self)
{
    result("PR_GET_MDWE", prctl(PR_GET_MDWE_, 0, 0, 0, 0));
    result("PR_GET_MDWE arg2", prctl(PR_GET_MDWE_, 1, 0, 0, 0));
    result("PR_SET_MDWE NO_INHERIT alone", prctl(PR_SET_MDWE_, 2, 0, 0, 0));
    result("PR_SET_MDWE unknown bit", prctl(PR_SET_MDWE_, 4, 0, 0, 0));
    result("PR_SET_MDWE arg3", prctl(PR_SET_MDWE_, 1, 1, 0, 0));
    mdwe_child(1, self);
    mdwe_child(3, self);
}

static void merge(void)
{
    /* Eight pages reserved, four mapped: the rest is where the child maps more. */
    base = mmap(NULL, 8 * PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    mmap(base, 4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    munmap(base + 4 * PG, 4 * PG);
    result("PR_GET_MEMORY_MERGE", prctl(PR_GET_MEMORY_MERGE_, 0, 0, 0, 0));
    result("PR_SET_MEMORY_MERGE arg3", prctl(PR_SET_MEMORY_MERGE_, 1, 1, 0, 0));
    result("PR_GET_MEMORY_MERGE arg2", prctl(PR_GET_MEMORY_MERGE_, 1, 0, 0, 0));
    result("madvise MERGEABLE [0,1)", madvise(base, PG, MADV_MERGEABLE));
    show("one page advised", 4);
    result("madvise UNMERGEABLE [0,1)", madvise(base, PG, MADV_UNMERGEABLE));
    show("advice taken back", 4);
    fflush(stdout);
    if (fork() == 0) {
        result("PR_SET_MEMORY_MERGE 1", prctl(PR_SET_MEMORY_MERGE_, 1, 0, 0, 0));
        result("PR_GET_MEMORY_MERGE", prctl(PR_GET_MEMORY_MERGE_, 0, 0, 0, 0));
        show("merge-any: every private VMA", 4);
        char *shared = mmap(base + 4 * PG, PG, PROT_READ | PROT_WRITE,
                            MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
        char *priv =
            mmap(base + 5 * PG, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
        printf("new mappings: %s\n", shared == MAP_FAILED || priv == MAP_FAILED ? "failed" : "ok");
        show("and the new ones but shared memory", 6);
        fflush(stdout);
        if (fork() == 0) {
            result("forked child: PR_GET_MEMORY_MERGE", prctl(PR_GET_MEMORY_MERGE_, 0, 0, 0, 0));
            fflush(stdout);
            _exit(0);
        }
        wait(NULL);
        result("PR_SET_MEMORY_MERGE 0", prctl(PR_SET_MEMORY_MERGE_, 0, 0, 0, 0));
        show("merge-any off", 6);
        fflush(stdout);
        _exit(0);
    }
    wait(NULL);
    munmap(base, 4 * PG);
}

int main(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "mdwe-get")) {
        mdwe_checks("new program");
        return 0;
    }
    mdwe(argv[0]);
    merge();
    return 0;
}
