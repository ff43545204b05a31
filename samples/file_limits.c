/*
 * How large a file may grow: writes and truncations past the file
 * system's largest file (EFBIG), and past RLIMIT_FSIZE (short writes, then
 * EFBIG and SIGXFSZ). Natively and under vmemu the answers must be the
 * same (samples.sh compares them), and the program ends killed by SIGXFSZ
 * when it writes past its limit with the signal's default action.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/uio.h>
#include <unistd.h>

#define LIMIT 65536
#define PIB (1ULL << 50)

static void result(const char *what, ssize_t r)
{
    if (r >= 0)
        printf("%-44s -> %zd\n", what, r);
    else
        printf("%-44s -> %s\n", what,
               errno == EFBIG    ? "EFBIG"
               : errno == EINVAL ? "EINVAL"
                                 : "other error");
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0); /* the last line is printed just before SIGXFSZ */
    char path[] = "/tmp/vmemu-file-limits-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0) {
        perror("mkstemp");
        return 1;
    }
    unlink(path);

    /* The file system's own limit: 1 PiB is past ext4's 16 TiB (tmpfs takes it). */
    result("pwrite 4 bytes at 1 PiB", pwrite(fd, "abcd", 4, (off_t)PIB));
    result("pwrite 1 byte at the largest offset", pwrite(fd, "a", 1, INT64_MAX));
    result("ftruncate to 1 PiB", ftruncate(fd, (off_t)PIB));
    result("ftruncate back to 0", ftruncate(fd, 0));

    /* RLIMIT_FSIZE, with SIGXFSZ ignored: cut short, then EFBIG. */
    struct rlimit rl;
    getrlimit(RLIMIT_FSIZE, &rl);
    rl.rlim_cur = LIMIT;
    if (setrlimit(RLIMIT_FSIZE, &rl) != 0) {
        perror("setrlimit");
        return 1;
    }
    signal(SIGXFSZ, SIG_IGN);
    char buf[100];
    memset(buf, 'x', sizeof(buf));
    result("pwrite 100 bytes 6 before the limit", pwrite(fd, buf, 100, LIMIT - 6));
    result("pwrite 1 byte at the limit", pwrite(fd, buf, 1, LIMIT));
    lseek(fd, LIMIT - 10, SEEK_SET);
    struct iovec iov[2] = {{buf, 10}, {buf, 10}};
    result("writev 10 + 10 bytes 10 before the limit", writev(fd, iov, 2));
    result("write 1 byte at the limit", write(fd, buf, 1));
    result("ftruncate past the limit", ftruncate(fd, LIMIT + 1));
    result("ftruncate to the limit", ftruncate(fd, LIMIT));
    result("ftruncate down", ftruncate(fd, 100));
    result("pwrite 1 byte at the limit again", pwrite(fd, buf, 1, LIMIT));

    /* The default action of SIGXFSZ: the program ends (status 128 + 25). */
    signal(SIGXFSZ, SIG_DFL);
    printf("writing past the limit with SIGXFSZ at its default\n");
    result("pwrite 1 byte at the limit", pwrite(fd, buf, 1, LIMIT));
    printf("still alive: SIGXFSZ did not end the program\n");
    return 0;
}
