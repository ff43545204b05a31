/*
 * The fault counts Linux reports for four passes over 64 MiB, measured with
 * getrusage around each pass and nothing else inside the window:
 *  - one byte written to every page of a fresh anonymous mapping;
 *  - one byte read from every page of another (the shared zero page);
 *  - one byte read from every page of a cached file mapped privately
 *    (fault-around maps 16 pages per fault);
 *  - one byte written to every page of that mapping (copy-on-write).
 * Usage: fault_counts [PAGES [DIR]] (default 16384 pages, /tmp).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#define PAGE 4096L

static struct rusage before;

static void start(void)
{
    getrusage(RUSAGE_SELF, &before);
}

static void stop(const char *pass)
{
    struct rusage after;
    getrusage(RUSAGE_SELF, &after);
    printf("%s: %ld minor, %ld major\n", pass, after.ru_minflt - before.ru_minflt,
           after.ru_majflt - before.ru_majflt);
}

static char *map_anon(long pages)
{
    char *p = mmap(NULL, (size_t)(pages * PAGE), PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
        perror("mmap");
        exit(1);
    }
    return p;
}

/* A file of the given pages, written with write(): its pages are cached. */
static int make_file(const char *dir, long pages)
{
    char path[4096];
    static char chunk[64 * 1024];
    snprintf(path, sizeof(path), "%s/vmemu-fault-counts-XXXXXX", dir);
    int fd = mkstemp(path);
    if (fd < 0) {
        perror("mkstemp");
        exit(1);
    }
    unlink(path);
    memset(chunk, 'x', sizeof(chunk));
    for (long done = 0; done < pages * PAGE; done += (long)sizeof(chunk)) {
        size_t n = (size_t)(pages * PAGE - done) < sizeof(chunk) ? (size_t)(pages * PAGE - done)
                                                                 : sizeof(chunk);
        if (write(fd, chunk, n) != (ssize_t)n) {
            perror("write");
            exit(1);
        }
    }
    return fd;
}

int main(int argc, char **argv)
{
    long pages = argc > 1 ? atol(argv[1]) : 16384;
    const char *dir = argc > 2 ? argv[2] : "/tmp";
    volatile char sink = 0;
    if (pages <= 0)
        return 2;

    char *a = map_anon(pages), *b = map_anon(pages);
    start();
    for (long i = 0; i < pages; i++)
        a[i * PAGE] = 1;
    stop("anon write pass");
    start();
    for (long i = 0; i < pages; i++)
        sink += b[i * PAGE];
    stop("anon read pass");

    int fd = make_file(dir, pages);
    char *f = mmap(NULL, (size_t)(pages * PAGE), PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    if (f == MAP_FAILED) {
        perror("mmap file");
        return 1;
    }
    start();
    for (long i = 0; i < pages; i++)
        sink += f[i * PAGE];
    stop("file private read pass");
    start();
    for (long i = 0; i < pages; i++)
        f[i * PAGE] = 2;
    stop("file private write pass");
    close(fd);
    return sink == 'x' * 0 ? 0 : 0;
}
