/*
 * fork and exit of a big process, as a benchmark and a check: the parent
 * touches MIB mebibytes, then forks N children that exit at once, reaping
 * each. Prints how many children ended well.
 *
 *   fork_exit [MIB [N]]     (default 4 MiB, 10 children)
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    long mib = argc > 1 ? atol(argv[1]) : 4, n = argc > 2 ? atol(argv[2]) : 10;
    size_t len = (size_t)mib << 20;
    char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return 1;
    madvise(p, len, MADV_NOHUGEPAGE);
    for (size_t i = 0; i < len; i += 4096)
        p[i] = 1;
    long ok = 0;
    for (long i = 0; i < n; i++) {
        pid_t pid = fork();
        if (pid < 0)
            return 1;
        if (pid == 0)
            _exit(p[i * 4096 % len] == 1 ? 0 : 1);
        int st;
        waitpid(pid, &st, 0);
        ok += WIFEXITED(st) && WEXITSTATUS(st) == 0;
    }
    printf("%ld of %ld children of a %ld MiB process ended well\n", ok, n, mib);
    return 0;
}
