/*
 * MAP_DROPPABLE (Linux 6.11): memory the kernel may drop instead of
 * swapping, written or not. MADV_PAGEOUT of it drops every page (mincore
 * shows none resident, each reads zero again), where ordinary anonymous
 * memory keeps its data (in memory, or in swap where the host has some). Compared with the native
 * run (tests/integration/samples.sh); pressure_anon.sh drops it under real memory pressure.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#ifndef MAP_DROPPABLE
#define MAP_DROPPABLE 0x08
#endif
#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif
#define N 16
#define P 4096L

static int resident(char *p)
{
    unsigned char v[N];
    int n = 0;
    if (mincore(p, N * P, v))
        return -1;
    for (int i = 0; i < N; i++)
        n += v[i] & 1;
    return n;
}

int main(void)
{
    char *d = mmap(NULL, N * P, PROT_READ | PROT_WRITE, MAP_DROPPABLE | MAP_ANONYMOUS, -1, 0);
    char *a = mmap(NULL, N * P, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (d == MAP_FAILED || a == MAP_FAILED) {
        perror("mmap");
        return 1;
    }
    for (int i = 0; i < N; i++)
        d[i * P] = a[i * P] = 'x';
    printf("resident before: droppable %d, private %d\n", resident(d), resident(a));
    printf("MADV_PAGEOUT: droppable %d, private %d\n", madvise(d, N * P, MADV_PAGEOUT),
           madvise(a, N * P, MADV_PAGEOUT));
    /* Private memory's residency now depends on the host's swap: not printed. */
    printf("resident after: droppable %d\n", resident(d));
    int zero = 0, kept = 0;
    for (int i = 0; i < N; i++) {
        zero += d[i * P] == 0;
        kept += a[i * P] == 'x';
    }
    printf("droppable pages reading zero: %d; private pages holding their data: %d\n", zero, kept);
    return 0;
}
