/*
 * Copy-on-write across fork, counted as Linux counts it. The parent writes
 * N pages, then forks:
 *   - the child reads them all: no fault (fork copied the entries, read-only);
 *   - the child writes them all: N faults, each a copy (the parent still
 *     maps every page);
 *   - once the child is gone, the parent writes them all: N faults, each
 *     reusing its page in place (nobody else maps it any more), no copy.
 * Fault counts come from getrusage around each pass, so the output equals
 * the native run's.
 *
 *   fork_cow [PAGES]     (default 1024)
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

static long minor_faults(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_minflt;
}

static long write_pass(volatile char *p, long pages, char v)
{
    long before = minor_faults();
    for (long i = 0; i < pages; i++)
        p[i * 4096] = v;
    return minor_faults() - before;
}

static long read_pass(volatile char *p, long pages, long *sum)
{
    long before = minor_faults();
    for (long i = 0; i < pages; i++)
        *sum += p[i * 4096];
    return minor_faults() - before;
}

int main(int argc, char **argv)
{
    long pages = argc > 1 ? atol(argv[1]) : 1024;
    char *p = mmap(NULL, (size_t)pages * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                   -1, 0);
    if (p == MAP_FAILED)
        return 1;
    madvise(p, (size_t)pages * 4096, MADV_NOHUGEPAGE); /* 4 KiB pages, as vmemu maps */
    long first = write_pass(p, pages, 1);
    printf("parent: first write pass %ld faults\n", first);
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0)
        return 1;
    if (pid == 0) {
        long sum = 0;
        long r = read_pass(p, pages, &sum);
        long w = write_pass(p, pages, 2);
        printf("child: read pass %ld faults (sum %ld), write pass %ld faults\n", r, sum, w);
        return 0;
    }
    int st;
    waitpid(pid, &st, 0);
    long sum = 0;
    read_pass(p, pages, &sum);
    printf("parent: after the child, the pages still hold %ld (the child's writes were its own)\n",
           sum / pages);
    long again = write_pass(p, pages, 3);
    printf("parent: write pass after the child exited %ld faults\n", again);
    printf("child exit status %d\n", WEXITSTATUS(st));
    return 0;
}
