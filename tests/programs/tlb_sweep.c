/*
 * tlb_sweep PAGES ROUNDS: writes one word to each of PAGES anonymous pages,
 * then reads them all back ROUNDS times, in order, and prints the sum. A
 * working set larger than Unicorn's first TLB (256 entries, direct mapped)
 * misses it on every read unless vmemu lets the TLB grow
 * (tests/integration/tlb_growth.sh counts the fills).
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

#define PG 4096UL

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: tlb_sweep PAGES ROUNDS\n");
        return 2;
    }
    unsigned long pages = strtoul(argv[1], NULL, 0), rounds = strtoul(argv[2], NULL, 0);
    volatile unsigned long *m =
        mmap(NULL, pages * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) {
        perror("mmap");
        return 1;
    }
    for (unsigned long i = 0; i < pages; i++)
        m[i * PG / sizeof(*m)] = i * 2654435761UL;
    unsigned long sum = 0;
    for (unsigned long r = 0; r < rounds; r++)
        for (unsigned long i = 0; i < pages; i++)
            sum += m[i * PG / sizeof(*m)] ^ r;
    printf("%lu pages, %lu rounds: sum %lu\n", pages, rounds, sum);
    return 0;
}
