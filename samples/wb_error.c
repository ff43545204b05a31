/*
 * A program whose data cannot reach the file (writeback.sh makes the host
 * refuse it: vmemu runs with a lower RLIMIT_FSIZE than the program raises
 * its own to). It writes a page at 64 MiB, then asks as the mode says:
 *
 *   wb_error fsync FILE   fsync twice: the error once, then 0 (errseq)
 *   wb_error msync FILE   msync(MS_SYNC) of a shared mapping, twice
 *   wb_error none FILE    nothing: vmemu's exit status must tell
 *
 * Natively the writes succeed; without arguments it prints its usage.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#define OFFSET (64 << 20)
#define PAGE 4096

static void result(const char *what, int r)
{
    printf("%s: %s\n", what, r == 0 ? "0" : errno == EFBIG ? "EFBIG" : strerror(errno));
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        printf("usage: wb_error fsync|msync|none FILE\n");
        return 0;
    }
    struct rlimit rl;
    getrlimit(RLIMIT_FSIZE, &rl);
    rl.rlim_cur = rl.rlim_max;
    if (setrlimit(RLIMIT_FSIZE, &rl) != 0) {
        perror("setrlimit");
        return 1;
    }
    int fd = open(argv[2], O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) {
        perror(argv[2]);
        return 1;
    }
    static char page[PAGE];
    memset(page, 'w', sizeof(page));
    if (pwrite(fd, page, sizeof(page), OFFSET) != (ssize_t)sizeof(page)) {
        perror("pwrite");
        return 1;
    }
    printf("wrote a page at %d MiB\n", OFFSET >> 20);
    if (!strcmp(argv[1], "fsync")) {
        result("fsync", fsync(fd));
        result("fsync again", fsync(fd));
    } else if (!strcmp(argv[1], "msync")) {
        char *p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, OFFSET);
        if (p == MAP_FAILED) {
            perror("mmap");
            return 1;
        }
        p[0] = 'm';
        result("msync", msync(p, PAGE, MS_SYNC));
        result("msync again", msync(p, PAGE, MS_SYNC));
    }
    return 0;
}
