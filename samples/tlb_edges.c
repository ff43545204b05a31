/*
 * Rights taken away take effect at once, and pages the CPU may not touch
 * are kept: the edges of mprotect, munmap and mremap that a translation
 * cache (the emulated TLB) or a page-table walk could get wrong. Each step
 * prints what it saw; natively and under vmemu the lines must be the same
 * (tests/integration/samples.sh).
 *   1. a page written, then made read-only: the next write faults
 *   2. a page read, then unmapped: the next read faults
 *   3. a page read, then moved by mremap: its old address faults, the new
 *      one holds the data
 *   4. a PROT_NONE page whose neighbours in the same page table are
 *      unmapped: made readable again, it holds its data
 *   5. PROT_NONE pages moved by mremap: readable again at the new address,
 *      they hold their data
 *   6. a page moved by mremap to the address right after it (adjacent
 *      ranges do not overlap): it holds its data there
 *   7. pages read, the whole TLB flushed by an unrelated mprotect, one of
 *      them read again: after munmap and mprotect(PROT_NONE) it faults
 *      (a flush may be skipped only for pages not looked up since the
 *      last one, so the second look-up must count)
 *   8. pages not touched since a flush, one read: munmap of them all,
 *      then the one read faults
 *   9. 1024 pages written twice (more than the TLB first holds: vmemu lets it
 *      grow, flushing it on the way), then one of them made read-only and
 *      one unmapped: the write and the read fault
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define P 4096UL
#define AT ((void *)0x20000000UL) /* far from everything: a page table of its own */

static sigjmp_buf jump;

static void on_segv(int sig)
{
    siglongjmp(jump, sig);
}

/* "ok" when the access went through, "SIGSEGV" when it faulted. */
static const char *probe(volatile char *p, int write)
{
    if (sigsetjmp(jump, 1) != 0)
        return "SIGSEGV";
    if (write)
        *p = 'w';
    else
        (void)*p;
    return "ok";
}

static volatile char *map(void *at, unsigned long pages, int prot)
{
    int flags = MAP_PRIVATE | MAP_ANONYMOUS | (at ? MAP_FIXED_NOREPLACE : 0);
    void *p = mmap(at, pages * P, prot, flags, -1, 0);
    if (p == MAP_FAILED) {
        perror("mmap");
        _exit(1);
    }
    return p;
}

/* The first byte of each of n pages, as letters. */
static void show(const char *what, volatile char *p, unsigned long n)
{
    printf("%s:", what);
    for (unsigned long i = 0; i < n; i++)
        printf(" %c", p[i * P] ? p[i * P] : '0');
    printf("\n");
}

int main(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_segv;
    sigaction(SIGSEGV, &sa, NULL);

    volatile char *a = map(NULL, 1, PROT_READ | PROT_WRITE);
    a[0] = 'a';
    mprotect((void *)a, P, PROT_READ);
    printf("1. write after mprotect(PROT_READ): %s, page holds %c\n", probe(a, 1), a[0]);

    volatile char *b = map(NULL, 1, PROT_READ | PROT_WRITE);
    b[0] = 'b';
    (void)b[0];
    munmap((void *)b, P);
    printf("2. read after munmap: %s\n", probe(b, 0));

    volatile char *c = map(NULL, 2, PROT_READ | PROT_WRITE);
    c[0] = 'c';
    munmap((void *)(c + P), P);
    map((void *)(c + P), 1, PROT_READ); /* a neighbour: growing must move */
    volatile char *moved = mremap((void *)c, P, 4 * P, MREMAP_MAYMOVE);
    printf("3. mremap moved: %s; old address: %s; new address holds %c\n",
           moved != c ? "yes" : "no", probe(c, 0), moved[0]);

    volatile char *d = map(AT, 3, PROT_READ | PROT_WRITE);
    d[0] = 'x', d[P] = 'd', d[2 * P] = 'y';
    mprotect((void *)(d + P), P, PROT_NONE);
    munmap((void *)d, P);
    munmap((void *)(d + 2 * P), P);
    printf("4. PROT_NONE page alone in its table: read %s", probe(d + P, 0));
    mprotect((void *)(d + P), P, PROT_READ);
    printf(", then readable: holds %c\n", d[P]);

    volatile char *e = map(NULL, 3, PROT_READ | PROT_WRITE);
    e[0] = 'e', e[P] = 'f', e[2 * P] = 'g';
    mprotect((void *)e, 3 * P, PROT_NONE);
    volatile char *f = mremap((void *)e, 3 * P, 3 * P, MREMAP_MAYMOVE | MREMAP_FIXED, AT);
    mprotect((void *)f, 3 * P, PROT_READ);
    printf("5. PROT_NONE pages moved to %p: ", (void *)f);
    show("hold", f, 3);

    volatile char *g = map(NULL, 2, PROT_READ | PROT_WRITE);
    g[0] = 'h';
    munmap((void *)(g + P), P);
    void *to = mremap((void *)g, P, P, MREMAP_MAYMOVE | MREMAP_FIXED, (void *)(g + P));
    printf("6. mremap onto the next page: %s", to == g + P ? "moved" : "refused");
    printf(", holds %c\n", to == g + P ? g[P] : '-');

    volatile char *h = map(NULL, 4, PROT_READ | PROT_WRITE);
    volatile char *other = map(NULL, 1, PROT_READ | PROT_WRITE);
    for (int i = 0; i < 4; i++)
        h[i * P] = (char)('i' + i);
    other[0] = 'o';
    mprotect((void *)other, P, PROT_READ); /* a downgrade: the whole TLB goes */
    (void)h[P];
    (void)h[3 * P];
    munmap((void *)h, 2 * P);
    mprotect((void *)(h + 2 * P), 2 * P, PROT_NONE);
    printf("7. read again after a flush: after munmap %s, after PROT_NONE %s\n", probe(h + P, 0),
           probe(h + 3 * P, 0));

    volatile char *k = map(NULL, 3, PROT_READ | PROT_WRITE);
    k[0] = 'k', k[P] = 'l', k[2 * P] = 'm';
    mprotect((void *)other, P, PROT_NONE); /* flushed again */
    printf("8. one page of three read (%c), then all unmapped: ", k[2 * P]);
    munmap((void *)k, 3 * P);
    printf("%s %s %s\n", probe(k, 0), probe(k + P, 0), probe(k + 2 * P, 0));

    enum { MANY = 1024 };
    volatile char *m = map(NULL, MANY, PROT_READ | PROT_WRITE);
    unsigned long sum = 0;
    for (int round = 0; round < 2; round++)
        for (unsigned long i = 0; i < MANY; i++)
            sum += (unsigned char)(m[i * P] = (char)('a' + i % 26));
    mprotect((void *)(m + 100 * P), P, PROT_READ);
    munmap((void *)(m + 900 * P), P);
    printf("9. %d pages written twice (sum %lu): write after PROT_READ %s, read after munmap %s\n",
           MANY, sum, probe(m + 100 * P, 1), probe(m + 900 * P, 0));
    return 0;
}
