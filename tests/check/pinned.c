/*
 * pinned: a program whose memory behaviour tests/integration/check_levels.sh
 * pins down with expected files at each level of `vmemu check`. It writes
 * a page of an anonymous mapping at a time, reads its own executable
 * through a file mapping one byte a page (fault-around maps the rest of
 * each 64 KiB window), and forks a child that writes a few of the
 * anonymous pages (copy-on-write). It is built from this one source as
 * `pinned` in four directories, VARIANT choosing a regression every level
 * must notice:
 *   0  the base;
 *   1  the anonymous mapping is one page larger;
 *   2  the file is mapped a page at a time, so fault-around has nothing
 *      around to map;
 *   3  the child writes every page, so every page is copied.
 * The variant is data the code reads, not code: every variant has the same
 * instructions at the same addresses, so even the exact level finds their
 * first difference where their behaviour differs.
 */
#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef VARIANT
#define VARIANT 0
#endif

#define PAGE 4096
#define FILE_PAGES 32

static const volatile int variant = VARIANT;

/* Read-only data that makes the executable longer than FILE_PAGES pages. */
static const char table[FILE_PAGES * PAGE] = {1};

/* One byte of each of the first FILE_PAGES pages of the program's own file. */
static long read_file_pages(void)
{
    int fd = open("/proc/self/exe", O_RDONLY);
    if (fd < 0) {
        perror("pinned: /proc/self/exe");
        return -1;
    }
    long sum = table[0];
    if (variant == 2) {
        /* Descending addresses, ascending offsets: the pieces never merge into one VMA. */
        for (int i = 0; i < FILE_PAGES; i++) {
            const volatile char *p = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, fd, (off_t)i * PAGE);
            if (p == MAP_FAILED)
                return -1;
            sum += p[0];
        }
    } else {
        const volatile char *p = mmap(NULL, FILE_PAGES * PAGE, PROT_READ, MAP_PRIVATE, fd, 0);
        if (p == MAP_FAILED)
            return -1;
        for (int i = 0; i < FILE_PAGES; i++)
            sum += p[i * PAGE];
    }
    close(fd);
    return sum;
}

/* A child writes `writes` of the pages it shares with its parent. */
static int copy_in_child(volatile char *anon, int writes)
{
    pid_t child = fork();
    if (child == 0) {
        for (int i = 0; i < writes; i++)
            anon[i * PAGE] = 2;
        _exit(0);
    }
    int status;
    return child > 0 && waitpid(child, &status, 0) == child && status == 0 ? 0 : -1;
}

int main(void)
{
    int pages = 64 + (variant == 1);
    volatile char *anon = mmap(NULL, (size_t)pages * PAGE, PROT_READ | PROT_WRITE,
                               MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (anon == MAP_FAILED)
        return 1;
    for (int i = 0; i < pages; i++)
        anon[i * PAGE] = 1;
    long sum = read_file_pages();
    if (sum < 0 || copy_in_child(anon, variant == 3 ? pages : 4) != 0)
        return 1;
    printf("pinned: %d pages written, %d pages read (%ld)\n", pages, FILE_PAGES, sum);
    return 0;
}
