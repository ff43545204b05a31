/*
 * mmap's newer map type and the huge-page flag, as Linux 6.18 answers them:
 * MAP_DROPPABLE (6.11), private memory whose pages the kernel may drop
 * under pressure: EINVAL for a file, with MAP_LOCKED or MAP_GROWSDOWN;
 * smaps shows it not accounted (no "ac"), wiped on fork ("wf"), left out
 * of core dumps ("dd") and droppable ("dp"); mlock leaves it unlocked, a
 * forked child sees zeros. MAP_HUGETLB with no huge pages reserved (the
 * default vm.nr_hugepages = 0): ENOMEM for 2 MiB and 1 GiB pages, EINVAL
 * for other sizes, for a length of 0 and for a file not on hugetlbfs.
 * MAP_32BIT: bottom-up from 1 GiB, below 2 GiB, a hint above that ignored.
 * VmFlags' "sd" (soft-dirty) is left out: the host's kernel lacks
 * CONFIG_MEM_SOFT_DIRTY. Run natively and under vmemu, the output must be
 * the same.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define PG 4096UL
#define MAP_DROPPABLE_ 0x08

static const char *errname(int e)
{
    switch (e) {
    case EINVAL:
        return "EINVAL";
    case ENOMEM:
        return "ENOMEM";
    case EPERM:
        return "EPERM";
    default:
        return strerror(e);
    }
}

static void try_map(const char *what, unsigned long len, int prot, int flags, int fd)
{
    void *p = mmap(NULL, len, prot, flags, fd, 0);
    printf("%s: %s\n", what, p == MAP_FAILED ? errname(errno) : "mapped");
    if (p != MAP_FAILED)
        munmap(p, len);
}

/* The smaps lines of the mapping at p that say what it is: its VmFlags without "sd", Locked. */
static void smaps_of(const char *what, const char *p)
{
    char line[512], want[32];
    int in = 0;
    FILE *f = fopen("/proc/self/smaps", "r");
    snprintf(want, sizeof(want), "%lx-", (unsigned long)p);
    printf("%s:", what);
    while (f && fgets(line, sizeof(line), f)) {
        if (strchr(line, '-') && strchr(line, '-') < strchr(line, ' ')) {
            in = !strncmp(line, want, strlen(want));
        } else if (in && !strncmp(line, "Locked:", 7)) {
            printf(" %.*s;", (int)strcspn(line, "\n"), line);
        } else if (in && !strncmp(line, "VmFlags:", 8)) {
            for (char *t = strtok(line + 8, " \n"); t; t = strtok(NULL, " \n"))
                if (strcmp(t, "sd") != 0)
                    printf(" %s", t);
            break;
        }
    }
    printf("\n");
    if (f)
        fclose(f);
}

int main(void)
{
    int fd = open("/proc/self/exe", O_RDONLY);
    char *d = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_DROPPABLE_ | MAP_ANONYMOUS, -1, 0);
    printf("MAP_DROPPABLE: %s\n", d == MAP_FAILED ? errname(errno) : "mapped");
    if (d == MAP_FAILED)
        return 1;
    memset(d, 7, 4 * PG);
    smaps_of("its smaps", d);
    printf("mlock: %d\n", mlock(d, 4 * PG));
    smaps_of("after mlock", d);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        printf("child reads: %d %d\n", d[0], d[3 * PG]);
        fflush(stdout);
        _exit(0);
    }
    waitpid(pid, NULL, 0);
    printf("parent reads: %d %d\n", d[0], d[3 * PG]);
    try_map("MAP_DROPPABLE | MAP_LOCKED", PG, PROT_READ,
            MAP_DROPPABLE_ | MAP_ANONYMOUS | MAP_LOCKED, -1);
    try_map("MAP_DROPPABLE | MAP_GROWSDOWN", PG, PROT_READ,
            MAP_DROPPABLE_ | MAP_ANONYMOUS | MAP_GROWSDOWN, -1);
    try_map("MAP_DROPPABLE of a file", PG, PROT_READ, MAP_DROPPABLE_, fd);

    int anon = MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB;
    try_map("MAP_HUGETLB", PG, PROT_READ | PROT_WRITE, anon, -1);
    try_map("MAP_HUGETLB 2 MiB", 2UL << 20, PROT_READ | PROT_WRITE, anon | (21 << MAP_HUGE_SHIFT),
            -1);
    try_map("MAP_HUGETLB 1 GiB", PG, PROT_READ | PROT_WRITE, anon | (30 << MAP_HUGE_SHIFT), -1);
    try_map("MAP_HUGETLB 64 KiB", PG, PROT_READ | PROT_WRITE, anon | (16 << MAP_HUGE_SHIFT), -1);
    try_map("MAP_HUGETLB shared", PG, PROT_READ | PROT_WRITE,
            MAP_SHARED | MAP_ANONYMOUS | MAP_HUGETLB, -1);
    try_map("MAP_HUGETLB length 0", 0, PROT_READ, anon, -1);
    try_map("MAP_HUGETLB of a file", PG, PROT_READ, MAP_PRIVATE | MAP_HUGETLB, fd);

    int low = MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT;
    printf("MAP_32BIT: %p\n", mmap(NULL, PG, PROT_READ, low, -1, 0));
    printf("MAP_32BIT again: %p\n", mmap(NULL, 2 * PG, PROT_READ, low, -1, 0));
    printf("MAP_32BIT with a hint above 4 GiB: %p\n",
           mmap((void *)0x200000000UL, PG, PROT_READ, low, -1, 0));
    printf("MAP_32BIT with a free hint below 2 GiB: %p\n",
           mmap((void *)0x50000000UL, PG, PROT_READ, low, -1, 0));
    printf("MAP_32BIT of a file: %p\n", mmap(NULL, PG, PROT_READ, MAP_PRIVATE | MAP_32BIT, fd, 0));
    close(fd);
    return 0;
}
