/*
 * readahead(2): the answers Linux gives (EBADF for a descriptor not open
 * for reading, EINVAL for anything but a regular file and for a count
 * that is negative as a file offset, 0 for the rest, offsets past the end
 * and negative ones included), then, given a file, readahead of all of it
 * followed by read(): under `vmemu --cache=cold` every read hits the page
 * cache (tests/integration/readahead.sh). Prints results and a checksum
 * only, so native and vmemu output are the same.
 *
 * usage: readahead [PATH]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void show(const char *what, long r)
{
    printf("%-30s = %ld%s%s\n", what, r, r < 0 ? " " : "", r < 0 ? strerror(errno) : "");
}

static void answers(void)
{
    int fd = open(".", O_TMPFILE | O_RDWR, 0600);
    char page[4096];
    memset(page, 'r', sizeof(page));
    for (int i = 0; i < 4; i++)
        if (write(fd, page, sizeof(page)) != (ssize_t)sizeof(page))
            perror("write");
    char self[64];
    snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
    int wronly = open(self, O_WRONLY), path = open(self, O_PATH);
    int dir = open(".", O_RDONLY | O_DIRECTORY), null = open("/dev/null", O_RDONLY);
    int status = open("/proc/self/status", O_RDONLY);
    int pipes[2];
    if (pipe(pipes))
        perror("pipe");
    show("a file", readahead(fd, 0, 4 * sizeof(page)));
    show("past its end", readahead(fd, 1 << 20, 4096));
    show("a negative offset", readahead(fd, -4096, 4096));
    show("a count of 0", readahead(fd, 0, 0));
    show("a count negative as loff_t", readahead(fd, 0, (size_t)-1));
    show("open O_WRONLY", readahead(wronly, 0, 10));
    show("open O_PATH", readahead(path, 0, 10));
    show("a directory", readahead(dir, 0, 10));
    show("a pipe", readahead(pipes[0], 0, 10));
    show("/dev/null", readahead(null, 0, 10));
    show("/proc/self/status", readahead(status, 0, 10));
    show("a closed descriptor", readahead(999, 0, 10));
}

/* readahead of the whole file, then read() of it: a checksum of what was read. */
static int read_after_readahead(const char *name)
{
    int fd = open(name, O_RDONLY);
    struct stat st;
    if (fd < 0 || fstat(fd, &st)) {
        perror(name);
        return 1;
    }
    show("readahead of the whole file", readahead(fd, 0, (size_t)st.st_size));
    unsigned long sum = 0;
    char buf[4096];
    ssize_t n;
    while ((n = read(fd, buf, sizeof(buf))) > 0)
        for (ssize_t i = 0; i < n; i++)
            sum = sum * 31 + (unsigned char)buf[i];
    printf("read %lld bytes, checksum %lx\n", (long long)st.st_size, sum);
    close(fd);
    return 0;
}

int main(int argc, char **argv)
{
    answers();
    return argc > 1 ? read_after_readahead(argv[1]) : 0;
}
