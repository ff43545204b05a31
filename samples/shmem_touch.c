/*
 * Shared anonymous memory is shmem: touching 1 MiB of a MAP_SHARED |
 * MAP_ANONYMOUS mapping (reads included: shmem has no zero page) raises
 * RssShmem by exactly 1 MiB in /proc/self/status and leaves RssAnon alone.
 * The verdicts are the same natively and under vmemu.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define SIZE (1L << 20)

/* The kB figure of a field of /proc/self/status, or -1. */
static long status_kb(const char *field)
{
    static char buf[8192];
    int fd = open("/proc/self/status", O_RDONLY);
    if (fd < 0)
        return -1;
    ssize_t n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (n <= 0)
        return -1;
    buf[n] = '\0';
    char *p = strstr(buf, field);
    return p ? strtol(p + strlen(field), NULL, 10) : -1;
}

int main(void)
{
    volatile char sink = 0;
    status_kb("RssShmem:"); /* the first read touches this program's own buffers */
    char *p = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
        perror("mmap");
        return 1;
    }
    long shmem0 = status_kb("RssShmem:"), anon0 = status_kb("RssAnon:");
    for (long i = 0; i < SIZE; i += 4096) {
        if (i % 8192)
            p[i] = 1; /* every other page written */
        else
            sink += p[i]; /* and the rest only read */
    }
    long shmem1 = status_kb("RssShmem:"), anon1 = status_kb("RssAnon:");
    printf("RssShmem rose by exactly 1 MiB: %s\n", shmem1 - shmem0 == 1024 ? "yes" : "no");
    printf("RssAnon unchanged: %s\n", anon1 == anon0 ? "yes" : "no");
    return sink;
}
