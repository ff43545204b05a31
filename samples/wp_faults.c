/*
 * Write faults Linux 6.x does not take, counted with getrusage:
 *  - 64 private anonymous pages written, made read-only, then writable
 *    again: they are still this process's alone, so mprotect makes their
 *    entries writable at once and writing them again takes no fault;
 *  - 64 pages of shared anonymous memory (shmem) read, then written: shmem
 *    maps them writable on the read fault, so the writes take none;
 *  - after MADV_DONTNEED the shmem pages keep their data (they live in the
 *    shmem object, not in the entries).
 * Natively and under vmemu the lines must be the same.
 */
#include <stdio.h>
#include <sys/mman.h>
#include <sys/resource.h>

#define PAGES 64
#define P 4096

static long minflt(void)
{
    struct rusage r;
    getrusage(RUSAGE_SELF, &r);
    return r.ru_minflt;
}

int main(void)
{
    volatile char *a =
        mmap(NULL, PAGES * P, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    volatile char *s =
        mmap(NULL, PAGES * P, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (a == MAP_FAILED || s == MAP_FAILED) {
        perror("mmap");
        return 1;
    }
    for (int i = 0; i < PAGES; i++)
        a[i * P] = 1;
    mprotect((void *)a, PAGES * P, PROT_READ);
    mprotect((void *)a, PAGES * P, PROT_READ | PROT_WRITE);
    long before = minflt();
    for (int i = 0; i < PAGES; i++)
        a[i * P] = 2;
    printf("private pages written again after mprotect: %ld faults\n", minflt() - before);

    char sum = 0;
    for (int i = 0; i < PAGES; i++)
        sum += s[i * P];
    before = minflt();
    for (int i = 0; i < PAGES; i++)
        s[i * P] = (char)i;
    printf("shmem pages written after a read: %ld faults\n", minflt() - before);

    madvise((void *)s, PAGES * P, MADV_DONTNEED);
    int kept = 1;
    for (int i = 0; i < PAGES; i++)
        kept &= s[i * P] == (char)i;
    printf("shmem data kept after MADV_DONTNEED: %s\n", kept ? "yes" : "no");
    return sum;
}
