/*
 * PR_SET_VMA_ANON_NAME (Linux 5.17, CONFIG_ANON_VMA_NAME, which Debian's
 * kernels enable and this machine's host kernel lacks): anonymous memory
 * named "[anon:NAME]" in /proc/self/maps and shared anonymous memory
 * "[anon_shmem:NAME]" (6.2); VMAs split at the named range and merge again
 * when names agree; at most 79 printable characters without "\\`$[]";
 * EINVAL for an unaligned start or another option, EFAULT for a bad
 * pointer, EBADF for a file mapping, ENOMEM for a hole (after the rest is
 * named); a forked child's copy keeps the name. Its output is checked
 * against tests/expected/anon_names.out, written from Linux's kernel/sys.c
 * (prctl_set_vma), mm/madvise.c (madvise_set_anon_name) and
 * fs/proc/task_mmu.c (get_vma_name), since the host cannot be compared
 * with (tests/integration/host_lacks.sh).
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
#define PR_SET_VMA_ 0x53564d41

static char *base;

/* Errors by name: the C libraries' strerror texts differ. */
static const char *errname(int e)
{
    switch (e) {
    case EINVAL:
        return "EINVAL";
    case EFAULT:
        return "EFAULT";
    case EBADF:
        return "EBADF";
    case ENOMEM:
        return "ENOMEM";
    default:
        return strerror(e);
    }
}

static void result(const char *what, long r)
{
    if (r == -1)
        printf("%s: -1 %s\n", what, errname(errno));
    else
        printf("%s: %ld\n", what, r);
}

/* n pages between two inaccessible guard pages, so that no neighbour merges with them. */
static char *map_alone(int n, int prot, int flags)
{
    char *g =
        mmap(NULL, (unsigned long)(n + 2) * PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return mmap(g + PG, (unsigned long)n * PG, prot, flags | MAP_FIXED, -1, 0);
}

/*
 * The VMAs of [base, base + n pages): page offsets, rights, the name maps
 * shows. Read with read() into a static buffer: a malloc could map into a
 * hole being shown.
 */
static void show(const char *when, int n)
{
    static char text[1 << 16];
    int fd = open("/proc/self/maps", O_RDONLY);
    size_t len = 0;
    ssize_t got;
    while (fd >= 0 && len < sizeof(text) - 1 &&
           (got = read(fd, text + len, sizeof(text) - 1 - len)) > 0)
        len += (size_t)got;
    close(fd);
    text[len] = '\0';
    unsigned long lo = (unsigned long)base, hi = (unsigned long)base + (unsigned long)n * PG;
    printf("%s:\n", when);
    for (char *line = text; *line;) {
        unsigned long a, b;
        char perm[8];
        int name_at = 0;
        if (sscanf(line, "%lx-%lx %7s %*s %*s %*s%n", &a, &b, perm, &name_at) == 3)
            while (line[name_at] == ' ')
                name_at++; /* spaces up to the name, never past the line's end */
        if (name_at && a >= lo && b <= hi)
            printf("  %ld-%ld %s %.*s\n", (long)(a - lo) / (long)PG, (long)(b - lo) / (long)PG,
                   perm, (int)strcspn(line + name_at, "\n"), line + name_at);
        char *nl = strchr(line, '\n');
        if (!nl)
            break;
        line = nl + 1;
    }
}

static void name(const char *what, unsigned long from, unsigned long pages, const char *text)
{
    result(what,
           prctl(PR_SET_VMA_, 0, (unsigned long)base + from * PG, pages * PG, (unsigned long)text));
}

static void names(void)
{
    base = map_alone(8, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
    mprotect(base + 6 * PG, 2 * PG, PROT_READ); /* two VMAs: [0,6) and [6,8) */
    name("name [1,3) alpha", 1, 2, "alpha");
    name("name [3,5) alpha", 3, 2, "alpha");
    show("two named ranges merge", 8);
    name("name [2,3) beta", 2, 1, "beta");
    name("name [5,7) gamma (two VMAs)", 5, 2, "gamma");
    show("split by names and rights", 8);
    name("unname [2,3)", 2, 1, NULL);
    show("unnamed again", 8);
    name("bad character", 0, 1, "a[b");
    name("a tab", 0, 1, "a\tb");
    char longname[100];
    memset(longname, 'x', sizeof(longname));
    longname[79] = '\0';
    name("79 characters", 0, 1, longname);
    longname[79] = 'x';
    longname[80] = '\0';
    name("80 characters", 0, 1, longname);
    name("empty name", 7, 1, "");
    show("after the long and empty names", 8);
    result("unaligned start",
           prctl(PR_SET_VMA_, 0, (unsigned long)base + 1, PG, (unsigned long)"x"));
    result("other option", prctl(PR_SET_VMA_, 1, (unsigned long)base, PG, (unsigned long)"x"));
    result("bad pointer", prctl(PR_SET_VMA_, 0, (unsigned long)base, PG, 16UL));
    munmap(base + 4 * PG, PG);
    name("over a hole [3,6)", 3, 3, "holey");
    show("a hole", 8);
    munmap(base, 8 * PG);

    int fd = open("/proc/self/exe", O_RDONLY);
    base = mmap(NULL, PG, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    name("a file mapping", 0, 1, "file");
    munmap(base, PG);
    base = map_alone(2, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS);
    name("shared anonymous [0,1)", 0, 1, "shm");
    show("shared anonymous memory", 2);
    munmap(base, 2 * PG);
}

int main(void)
{
    names();
    /* A forked child's copy of a named VMA carries the name. */
    base = map_alone(2, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
    name("name [0,2) inherited", 0, 2, "inherited");
    fflush(stdout);
    if (fork() == 0) {
        show("in a forked child", 2);
        return 0;
    }
    wait(NULL);
    return 0;
}
