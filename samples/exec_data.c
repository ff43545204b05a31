/*
 * Jumping into data dies of SIGSEGV. The target is a fresh read-write page
 * never touched: as on Linux x86, the first instruction fetch maps it like a
 * read (a minor fault), and the retry is a protection fault on the
 * non-executable entry, reported with error 15 (protection, user, fetch).
 */
#include <stdio.h>
#include <sys/mman.h>

int main(void)
{
    void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
        perror("mmap");
        return 1;
    }
    printf("jumping into a data page\n");
    fflush(stdout);
    ((void (*)(void))p)();
    printf("still alive: the page ran as code\n");
    return 0;
}
