/*
 * process_vm_readv and process_vm_writev between a parent and its forked
 * child: the remote ranges in order against the local ones as one stream,
 * the bytes moved when a remote range meets an unmapped or read-only page
 * (a partial transfer), the error when nothing moved (EFAULT), a pid that
 * names nothing (ESRCH), flags (EINVAL), too many ranges (EINVAL), and
 * copy-on-write: the child's writes through the call are its own.
 * Run natively and under vmemu, the output must be the same.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#define PG 4096UL

static void result(const char *what, ssize_t r)
{
    if (r >= 0) {
        printf("%s: %zd\n", what, r);
        return;
    }
    const char *e = errno == EFAULT   ? "EFAULT"
                    : errno == ESRCH  ? "ESRCH"
                    : errno == EINVAL ? "EINVAL"
                                      : strerror(errno);
    printf("%s: %s\n", what, e);
}

int main(void)
{
    /* Three pages: data, data, then read-only; a fourth unmapped after them. */
    char *shared = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (shared == MAP_FAILED)
        return 1;
    for (unsigned i = 0; i < 2 * PG; i++)
        shared[i] = (char)('a' + i % 26);
    mprotect(shared + 2 * PG, PG, PROT_READ);
    munmap(shared + 3 * PG, PG);
    int ready[2], done[2];
    if (pipe(ready) || pipe(done))
        return 1;
    pid_t pid = fork();
    if (pid == 0) {
        char c = 0;
        memcpy(shared, "child's own", 11);
        if (write(ready[1], &c, 1) != 1 || read(done[0], &c, 1) != 1)
            _exit(1);
        printf("child sees: %.16s\n", shared + 100);
        fflush(stdout);
        _exit(0);
    }
    char c;
    if (read(ready[0], &c, 1) != 1)
        return 1;

    char a[32] = {0}, b[32] = {0};
    struct iovec local[2] = {{a, 11}, {b, 5}};
    struct iovec remote[2] = {{shared, 8}, {shared + PG, 8}};
    result("readv 2 remote into 2 local", process_vm_readv(pid, local, 2, remote, 2, 0));
    printf("  got \"%s\" \"%s\"\n", a, b);
    struct iovec big = {a, 16};
    struct iovec tail = {shared + 2 * PG - 8, 16}; /* 8 bytes, then the read-only page */
    result("readv across into the read-only page", process_vm_readv(pid, &big, 1, &tail, 1, 0));
    struct iovec past = {shared + 3 * PG - 8, 16}; /* 8 bytes, then nothing mapped */
    result("readv across the end of the mapping", process_vm_readv(pid, &big, 1, &past, 1, 0));
    struct iovec none = {shared + 3 * PG, 16};
    result("readv of an unmapped page", process_vm_readv(pid, &big, 1, &none, 1, 0));
    struct iovec zero = {shared, 0};
    result("readv of 0 bytes", process_vm_readv(pid, &big, 1, &zero, 1, 0));

    char msg[] = "parent wrote this";
    struct iovec out = {msg, 16};
    struct iovec there = {shared + 100, 16};
    result("writev into the child", process_vm_writev(pid, &out, 1, &there, 1, 0));
    printf("parent still sees: %.16s\n", shared + 100);
    struct iovec ro = {shared + 2 * PG - 4, 16};
    result("writev across into the read-only page", process_vm_writev(pid, &out, 1, &ro, 1, 0));
    struct iovec badlocal = {(void *)16, 16};
    result("writev from an unmapped local buffer",
           process_vm_writev(pid, &badlocal, 1, &there, 1, 0));
    result("readv into an unmapped local buffer",
           process_vm_readv(pid, &badlocal, 1, &there, 1, 0));
    result("flags 1", process_vm_readv(pid, &big, 1, &there, 1, 1));
    result("1025 remote ranges", process_vm_readv(pid, &big, 1, &there, 1025, 0));
    result("remote vector at NULL", process_vm_readv(pid, &big, 1, NULL, 1, 0));
    result("no such pid", process_vm_readv(99999999, &big, 1, &there, 1, 0));
    fflush(stdout);

    if (write(done[1], &c, 1) != 1)
        return 1;
    waitpid(pid, NULL, 0);
    result("after the child was reaped", process_vm_readv(pid, &big, 1, &there, 1, 0));
    return 0;
}
