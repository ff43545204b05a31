/*
 * Memory in phases, for the HTML report and the access heatmap: each phase
 * starts by naming the process (prctl PR_SET_NAME), which the report draws
 * as a phase boundary.
 *   map:   a 64-page area A at 0x10000000, every page written once;
 *   sweep: areas B (0x20000000) and C (0x30000000), 64 pages each, written
 *          once, then B read ROUNDS times over while C is left alone
 *          (B hot, C cold in the heatmap);
 *   remap: A unmapped and mapped again with 32 pages, written; the upper
 *          half of B made read-only (B splits in two);
 *   end:   everything unmapped.
 * Fixed addresses keep the areas from merging into one VMA. Prints one
 * checksum line per phase, the same natively.
 * usage: phases [ROUNDS]   (default 2000)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/prctl.h>

#define PAGE 4096
#define A ((char *)0x10000000)
#define B ((char *)0x20000000)
#define C ((char *)0x30000000)
#define NPAGES 64

static char *map_at(char *where, size_t pages)
{
    char *p = mmap(where, pages * PAGE, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    if (p == MAP_FAILED) {
        perror("mmap");
        exit(1);
    }
    return p;
}

/* One write per page: one fault each. */
static void touch(char *p, size_t pages, int seed)
{
    for (size_t i = 0; i < pages; i++)
        p[i * PAGE] = (char)(seed + i);
}

/* Read every page, rounds times: hot. */
static uint64_t sweep(const volatile char *p, size_t pages, long rounds)
{
    uint64_t sum = 0;
    for (long r = 0; r < rounds; r++)
        for (size_t i = 0; i < pages; i++)
            sum = sum * 31 + (unsigned char)p[i * PAGE + (r & 63)];
    return sum;
}

static void phase(const char *name)
{
    prctl(PR_SET_NAME, name, 0, 0, 0);
}

int main(int argc, char **argv)
{
    long rounds = argc > 1 ? atol(argv[1]) : 2000;
    phase("map");
    touch(map_at(A, NPAGES), NPAGES, 1);
    printf("map: %d pages at %p\n", NPAGES, (void *)A);

    phase("sweep");
    touch(map_at(B, NPAGES), NPAGES, 2);
    touch(map_at(C, NPAGES), NPAGES, 3);
    printf("sweep: checksum %016llx\n", (unsigned long long)sweep(B, NPAGES, rounds));

    phase("remap");
    munmap(A, NPAGES * PAGE);
    touch(map_at(A, NPAGES / 2), NPAGES / 2, 4);
    mprotect(B + NPAGES / 2 * PAGE, NPAGES / 2 * PAGE, PROT_READ);
    printf("remap: %d pages at %p, upper half of %p read-only\n", NPAGES / 2, (void *)A, (void *)B);

    phase("end");
    munmap(A, NPAGES / 2 * PAGE);
    munmap(B, NPAGES * PAGE);
    munmap(C, NPAGES * PAGE);
    printf("end\n");
    return 0;
}
