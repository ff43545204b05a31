/*
 * Call sequences the random-syscall fuzzer (tests/fuzz/) found to break
 * vmemu, reduced and kept, compared with a native run like every sample.
 * Each line prints a call's result or errno.
 *   1. fchdir, and a *at() call, on a descriptor that is no directory
 *      (a regular file, /dev/null, a directory opened O_PATH): the path
 *      walk released a path it never set (UBSan: invalid bool in
 *      path_put), so a garbage descriptor could have been closed.
 *   2. Opening /dev/stdin or /proc/self/fd/0 with more access than the
 *      inherited descriptor 0 has: vmemu reopened it by its name,
 *      /dev/stdin, a link back to descriptor 0, until its stack overflowed.
 *      (Whatever stdin is, a file, /dev/null or closed, the native run
 *      gets the same answer.)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void show(const char *what, long r)
{
    printf("%s = %ld%s%s\n", what, r < 0 ? -1L : r, r < 0 ? " " : "", r < 0 ? strerror(errno) : "");
}

int main(void)
{
    char dir[] = "/tmp/fuzz_findings.XXXXXX";
    if (!mkdtemp(dir) || chdir(dir) != 0)
        return 1;
    int file = open("file", O_RDWR | O_CREAT | O_TRUNC, 0600);
    int null = open("/dev/null", O_RDONLY);
    int opath = open(".", O_PATH | O_DIRECTORY);
    show("fchdir(regular file)", fchdir(file));
    show("fchdir(/dev/null)", fchdir(null));
    show("fchdir(closed descriptor)", fchdir(999));
    show("openat(regular file, \"x\")", openat(file, "x", O_RDONLY));
    show("mkdirat(/dev/null, \"x\")", mkdirat(null, "x", 0700));
    struct stat st;
    show("fstatat(regular file, \"\", AT_EMPTY_PATH) size",
         fstatat(file, "", &st, AT_EMPTY_PATH) ? -1 : (long)st.st_size);
    show("fchdir(O_PATH directory)", fchdir(opath));
    show("open(\"/dev/stdin\", O_RDWR)", open("/dev/stdin", O_RDWR) < 0 ? -1 : 0);
    show("open(\"/proc/self/fd/0\", O_RDWR)", open("/proc/self/fd/0", O_RDWR) < 0 ? -1 : 0);
    unlink("file");
    show("rmdir(the directory)", rmdir(dir));
    return 0;
}
