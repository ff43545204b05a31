/*
 * The program tests/integration/host_signals.sh kills: it writes to files
 * in DIR with each way a program can (write(), pwrite past the end,
 * O_APPEND to a file that has data, a MAP_SHARED mapping never synced),
 * says "ready" on stdout, then, as MODE says, waits to be killed:
 *   read   blocked reading stdin (a pipe that never gets data)
 *   spin   in a loop that makes no system call
 *   ignore-int   the same loop, with SIGINT ignored
 * Whatever kills it, the data must be on the files, as the kernel's page
 * cache keeps them natively.
 *
 * usage: signal_victim read|spin|ignore-int DIR
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static int open_in(const char *dir, const char *name, int flags)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    int fd = open(path, flags, 0644);
    if (fd < 0)
        perror(path);
    return fd;
}

static int write_all(const char *dir)
{
    static const char text[] = "written with write()\n";
    int fd = open_in(dir, "write.out", O_WRONLY | O_CREAT | O_TRUNC);
    for (int i = 0; fd >= 0 && i < 100; i++)
        if (write(fd, text, sizeof(text) - 1) != sizeof(text) - 1)
            return -1;
    int pfd = open_in(dir, "pwrite.out", O_RDWR | O_CREAT | O_TRUNC);
    if (fd < 0 || pfd < 0 || pwrite(pfd, "at 10000", 8, 10000) != 8 ||
        pwrite(pfd, "at 0", 4, 0) != 4 || pwrite(pfd, "at 70000", 8, 70000) != 8)
        return -1;
    int afd = open_in(dir, "append.out", O_WRONLY | O_APPEND); /* the test made it */
    if (afd < 0 || write(afd, "appended 1\n", 11) != 11 || lseek(afd, 0, SEEK_SET) != 0 ||
        write(afd, "appended 2\n", 11) != 11)
        return -1;
    int sfd = open_in(dir, "shared.out", O_RDWR | O_CREAT | O_TRUNC);
    if (sfd < 0 || ftruncate(sfd, 3 * 4096) != 0)
        return -1;
    char *m = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED, sfd, 0);
    if (m == MAP_FAILED)
        return -1;
    for (int i = 0; i < 3 * 4096; i++)
        m[i] = (char)('a' + i % 26);
    memcpy(m + 4096, "page two", 8);
    return 0; /* no close, no msync: the kill comes first */
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: signal_victim read|spin|ignore-int DIR\n");
        return 2;
    }
    const char *mode = argv[1];
    if (strcmp(mode, "ignore-int") == 0)
        signal(SIGINT, SIG_IGN);
    if (write_all(argv[2]) != 0) {
        perror("signal_victim");
        return 1;
    }
    printf("ready\n");
    fflush(stdout);
    if (strcmp(mode, "read") == 0) {
        char c;
        ssize_t n = read(0, &c, 1);
        printf("read returned %zd\n", n); /* never, unless stdin ends */
        return 3;
    }
    for (volatile unsigned long spins = 0;; spins++)
        ;
}
