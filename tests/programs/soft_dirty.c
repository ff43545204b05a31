/*
 * Soft-dirty (CONFIG_MEM_SOFT_DIRTY, which Debian's kernels enable and this
 * machine's host kernel lacks): bit 55 of /proc/PID/pagemap, reset by
 * writing 4 to /proc/PID/clear_refs. Its output is checked against
 * tests/expected/soft_dirty.out, written from Linux 6.18's
 * Documentation/admin-guide/mm/soft-dirty.rst and fs/proc/task_mmu.c
 * (tests/integration/host_lacks.sh):
 *   - a new mapping is soft-dirty as a whole, touched or not (VM_SOFTDIRTY,
 *     "sd" in smaps' VmFlags), until clear_refs 4;
 *   - clear_refs 4 clears the bits and write-protects the entries: the next
 *     write to a page already mapped takes a (minor) fault, and the page
 *     is soft-dirty again; reads and the zero page leave it clean;
 *   - exactly the written pages are soft-dirty afterwards;
 *   - mprotect does not make a cleaned entry writable behind the tracker's
 *     back; mremap marks the pages it moves soft-dirty (move_soft_dirty_pte);
 *     a guard marker is never soft-dirty;
 *   - clear_refs 5 sets VmHWM back to VmRSS.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#define PG 4096UL
#define MADV_GUARD_INSTALL_ 102

static int pagemap, clear;

static int soft_dirty(const char *p)
{
    uint64_t e = 0;
    if (pread(pagemap, &e, 8, (off_t)((uintptr_t)p / PG * 8)) != 8)
        return -1;
    return (int)(e >> 55 & 1);
}

static void show(const char *what, const char *p, int n)
{
    printf("%s:", what);
    for (int i = 0; i < n; i++)
        printf(" %d", soft_dirty(p + (unsigned long)i * PG));
    printf("\n");
}

static void clear_refs(const char *type)
{
    if (write(clear, type, strlen(type)) != (ssize_t)strlen(type))
        printf("clear_refs %s failed\n", type);
}

static long minflt(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_minflt;
}

/* "sd" in the VmFlags of the smaps entry starting at p: 1, 0, or -1 if not found. */
static int vm_softdirty(const char *p)
{
    char line[512], want[32];
    int in = 0, sd = -1;
    FILE *f = fopen("/proc/self/smaps", "r");
    snprintf(want, sizeof(want), "%lx-", (unsigned long)p);
    while (f && fgets(line, sizeof(line), f)) {
        if (!strncmp(line, "VmFlags:", 8)) {
            if (in) {
                sd = strstr(line, " sd") != NULL;
                break;
            }
        } else if (strchr(line, '-') && strchr(line, '-') < strchr(line, ' ')) {
            in = !strncmp(line, want, strlen(want));
        }
    }
    if (f)
        fclose(f);
    return sd;
}

static long status_kb(const char *field)
{
    char line[256];
    long kb = -1;
    FILE *f = fopen("/proc/self/status", "r");
    while (f && fgets(line, sizeof(line), f))
        if (!strncmp(line, field, strlen(field)) && sscanf(line + strlen(field), "%ld", &kb) == 1)
            break;
    if (f)
        fclose(f);
    return kb;
}

/* n pages between two inaccessible pages, so that no neighbour merges with them. */
static char *map_alone(int n)
{
    char *g =
        mmap(NULL, (unsigned long)(n + 2) * PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return mmap(g + PG, (unsigned long)n * PG, PROT_READ | PROT_WRITE,
                MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
}

int main(void)
{
    pagemap = open("/proc/self/pagemap", O_RDONLY);
    clear = open("/proc/self/clear_refs", O_WRONLY);
    if (pagemap < 0 || clear < 0) {
        printf("cannot open pagemap or clear_refs\n");
        return 1;
    }
    char *p = map_alone(6);
    p[0] = p[PG] = 1;
    show("new mapping, pages 0 and 1 written", p, 6);
    printf("VmFlags sd: %d\n", vm_softdirty(p));
    clear_refs("4");
    show("after clear_refs 4", p, 6);
    printf("VmFlags sd: %d\n", vm_softdirty(p));

    long before = minflt();
    p[PG] = 2;                            /* mapped and write-protected by the clear: a fault */
    p[3 * PG] = 2;                        /* not mapped yet: a fault */
    (void)*(volatile char *)(p + 4 * PG); /* a read: the zero page */
    long faults = minflt() - before;
    show("wrote 1 and 3, read 4", p, 6);
    printf("faults: %ld\n", faults);
    before = minflt();
    p[PG] = 3;
    printf("faults writing page 1 again: %ld\n", minflt() - before);

    mprotect(p, 6 * PG, PROT_READ);
    mprotect(p, 6 * PG, PROT_READ | PROT_WRITE);
    before = minflt();
    p[0] = 4;
    printf("faults writing page 0 after mprotect read-only and back: %ld\n", minflt() - before);
    show("then", p, 6);

    madvise(p + 5 * PG, PG, MADV_GUARD_INSTALL_);
    clear_refs("4");
    show("guard on page 5, cleared again", p, 6);
    char *q = map_alone(2);
    q = mremap(p + 2 * PG, 2 * PG, 2 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, q);
    show("pages 2 (absent) and 3 (present) moved by mremap", q, 2);
    char *r = map_alone(2);
    show("a mapping made after the clear", r, 2);

    /* Many pages, every third one written: exactly those come back. */
    enum { N = 96 };
    char *m = map_alone(N);
    memset(m, 1, N * PG);
    clear_refs("4");
    for (int i = 0; i < N; i += 3)
        m[(unsigned long)i * PG + 100] = 2;
    int exact = 1, dirty = 0;
    for (int i = 0; i < N; i++) {
        int sd = soft_dirty(m + (unsigned long)i * PG);
        dirty += sd;
        exact &= sd == (i % 3 == 0);
    }
    printf("%d of %d pages soft-dirty, exactly the written ones: %s\n", dirty, N,
           exact ? "yes" : "no");

    char *big = mmap(NULL, 512 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    memset(big, 1, 512 * PG);
    munmap(big, 512 * PG);
    printf("VmHWM above VmRSS by 1 MiB or more: %s\n",
           status_kb("VmHWM:") - status_kb("VmRSS:") >= 1024 ? "yes" : "no");
    clear_refs("5");
    printf("after clear_refs 5, VmHWM equals VmRSS: %s\n",
           status_kb("VmHWM:") == status_kb("VmRSS:") ? "yes" : "no");
    return 0;
}
