/*
 * Demand paging of anonymous memory: map N pages (default 16384, 64 MiB),
 * write one byte to each, then map N more and read one byte from each, which
 * must all be zero. The output is a checksum of what was read back, the
 * same on every run; fault counts belong to vmemu's report, not here.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#define DEFAULT_PAGES 16384UL

/* The byte written to page i: varied, so that a misplaced page shows. */
static unsigned char pattern(unsigned long i)
{
    return (unsigned char)((i * 2654435761UL) >> 13) | 1;
}

static int parse_pages(int argc, char **argv, unsigned long *pages)
{
    *pages = DEFAULT_PAGES;
    if (argc < 2)
        return 0;
    char *end;
    *pages = strtoul(argv[1], &end, 10);
    return (*end || *pages == 0 || *pages > (1UL << 24)) ? -1 : 0;
}

static volatile unsigned char *map_pages(unsigned long pages, long page_size)
{
    void *p =
        mmap(NULL, pages * page_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
        perror("mmap");
        return NULL;
    }
    return p;
}

/*
 * Write pass: one byte per page, then read them all back into a checksum.
 * volatile: every access must reach memory, not be folded by the compiler.
 */
static int write_pass(unsigned long pages, long page_size)
{
    volatile unsigned char *a = map_pages(pages, page_size);
    if (!a)
        return -1;
    for (unsigned long i = 0; i < pages; i++)
        a[i * page_size] = pattern(i);
    uint64_t sum = 0;
    unsigned long bad = 0;
    for (unsigned long i = 0; i < pages; i++) {
        unsigned char v = a[i * page_size];
        sum = sum * 31 + v;
        bad += v != pattern(i);
    }
    printf("write pass: %lu pages, %lu wrong, checksum %016llx\n", pages, bad,
           (unsigned long long)sum);
    munmap((void *)a, pages * page_size);
    return bad ? -1 : 0;
}

/* Read pass: untouched anonymous memory reads as zero, page after page. */
static int read_pass(unsigned long pages, long page_size)
{
    volatile unsigned char *b = map_pages(pages, page_size);
    if (!b)
        return -1;
    uint64_t sum = 0;
    unsigned long zero = 0;
    for (unsigned long i = 0; i < pages; i++) {
        unsigned char v = b[i * page_size];
        sum = sum * 31 + v + 1;
        zero += v == 0;
    }
    printf("read pass: %lu pages, %lu zero, checksum %016llx\n", pages, zero,
           (unsigned long long)sum);
    munmap((void *)b, pages * page_size);
    return zero == pages ? 0 : -1;
}

int main(int argc, char **argv)
{
    unsigned long pages;
    long page_size = sysconf(_SC_PAGESIZE);
    if (parse_pages(argc, argv, &pages) < 0 || page_size <= 0) {
        fprintf(stderr, "usage: %s [pages]\n", argv[0]);
        return 2;
    }
    if (write_pass(pages, page_size) < 0 || read_pass(pages, page_size) < 0)
        return 1;
    return 0;
}
