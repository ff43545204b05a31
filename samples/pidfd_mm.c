/*
 * Process file descriptors and the memory calls that take one:
 * pidfd_open (5.3: close-on-exec, PIDFD_NONBLOCK, readable once the
 * process exits, hung up once it is reaped), pidfd_send_signal,
 * process_madvise (5.10: advice to a child's memory range by range, the
 * bytes advised before a failing range, what advice another process may
 * get) and process_mrelease (5.15: EINVAL for a process that is not
 * dying, 0 once it is killed). The host has no swap, so MADV_PAGEOUT
 * leaves the child's pages resident, natively and under vmemu alike.
 * Run natively and under vmemu, the output must be the same.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#define PG 4096UL
#define NPAGES 8
#ifndef MADV_COLD
#define MADV_COLD 20
#define MADV_PAGEOUT 21
#endif
#define PIDFD_NONBLOCK_ O_NONBLOCK
#ifndef SYS_process_mrelease
#define SYS_process_mrelease 448 /* musl's headers may lack it */
#endif

static const char *errname(int e)
{
    switch (e) {
    case EINVAL:
        return "EINVAL";
    case ESRCH:
        return "ESRCH";
    case EBADF:
        return "EBADF";
    case EFAULT:
        return "EFAULT";
    case ENOMEM:
        return "ENOMEM";
    case EPERM:
        return "EPERM";
    default:
        return strerror(e);
    }
}

static void result(const char *what, long r)
{
    if (r < 0)
        printf("%s: %s\n", what, errname(errno));
    else
        printf("%s: %ld\n", what, r);
}

static int pidfd_open(pid_t pid, unsigned flags)
{
    return (int)syscall(SYS_pidfd_open, pid, flags);
}

static long pmadvise(int pidfd, const struct iovec *iov, size_t n, int advice, unsigned flags)
{
    return syscall(SYS_process_madvise, pidfd, iov, n, advice, flags);
}

static long mrelease(int pidfd, unsigned flags)
{
    return syscall(SYS_process_mrelease, pidfd, flags);
}

static short revents(int fd, int timeout)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    return poll(&p, 1, timeout) < 0 ? -1 : p.revents;
}

/* A child that writes its pages of region, says so, then waits for a byte or death. */
static pid_t child_with_pages(char *region, int *go)
{
    int ready[2], gp[2];
    char c = 0;
    if (pipe(ready) || pipe(gp))
        exit(1);
    pid_t pid = fork();
    if (pid == 0) {
        for (unsigned i = 0; i < NPAGES; i++)
            region[i * PG] = (char)i;
        if (write(ready[1], &c, 1) != 1 || read(gp[0], &c, 1) != 1)
            _exit(1);
        /* What the parent's advice left: resident pages, still holding their bytes. */
        int pm = open("/proc/self/pagemap", O_RDONLY);
        int present = 0, intact = 0;
        for (unsigned i = 0; i < NPAGES; i++) {
            uint64_t e = 0;
            if (pread(pm, &e, 8, (off_t)((uintptr_t)(region + i * PG) / PG * 8)) == 8)
                present += (int)(e >> 63);
            intact += region[i * PG] == (char)i;
        }
        printf("child: %d of %d pages present, %d intact\n", present, NPAGES, intact);
        _exit(0);
    }
    if (read(ready[0], &c, 1) != 1)
        exit(1);
    *go = gp[1];
    return pid;
}

static void opening(void)
{
    result("pidfd_open flags 1", pidfd_open(getpid(), 1));
    result("pidfd_open pid 0", pidfd_open(0, 0));
    result("pidfd_open pid -1", pidfd_open(-1, 0));
    result("pidfd_open no such pid", pidfd_open(99999999, 0));
    int fd = pidfd_open(getpid(), 0);
    int nb = pidfd_open(getpid(), PIDFD_NONBLOCK_);
    printf("own pidfd: cloexec %d rdwr %d nonblock %d; nonblock one: nonblock %d\n",
           fcntl(fd, F_GETFD) == FD_CLOEXEC, (fcntl(fd, F_GETFL) & O_ACCMODE) == O_RDWR,
           !!(fcntl(fd, F_GETFL) & O_NONBLOCK), !!(fcntl(nb, F_GETFL) & O_NONBLOCK));
    printf("own pidfd poll: %#x\n", revents(fd, 0));

    /* Advice to our own memory through our pidfd: any advice madvise takes. */
    char *own = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    own[0] = 1;
    struct iovec iov = {own, 2 * PG};
    result("own memory MADV_DONTNEED", pmadvise(fd, &iov, 1, MADV_DONTNEED, 0));
    printf("own page after DONTNEED: %d\n", own[0]);
    munmap(own, 2 * PG);
    close(fd);
    close(nb);
}

static void advising(char *region)
{
    int go;
    pid_t pid = child_with_pages(region, &go);
    int fd = pidfd_open(pid, 0);
    printf("live child poll: %#x\n", revents(fd, 0));

    struct iovec whole = {region, NPAGES * PG};
    result("MADV_COLD", pmadvise(fd, &whole, 1, MADV_COLD, 0));
    result("MADV_PAGEOUT", pmadvise(fd, &whole, 1, MADV_PAGEOUT, 0));
    result("MADV_WILLNEED", pmadvise(fd, &whole, 1, MADV_WILLNEED, 0));
    result("MADV_DONTNEED to another process", pmadvise(fd, &whole, 1, MADV_DONTNEED, 0));
    result("MADV_FREE to another process", pmadvise(fd, &whole, 1, MADV_FREE, 0));
    result("flags 1", pmadvise(fd, &whole, 1, MADV_COLD, 1));
    result("no vector", pmadvise(fd, NULL, 0, MADV_COLD, 0));
    result("vector at NULL", pmadvise(fd, NULL, 1, MADV_COLD, 0));
    result("1025 ranges", pmadvise(fd, &whole, 1025, MADV_COLD, 0));
    int p[2];
    if (pipe(p))
        exit(1);
    result("a pipe for a pidfd", pmadvise(p[0], &whole, 1, MADV_COLD, 0));
    result("a closed descriptor", pmadvise(1000, &whole, 1, MADV_COLD, 0));

    /* Range by range: the bytes advised before the first failing range. */
    struct iovec parts[3] = {{region, 2 * PG}, {region + 2 * PG + 1, PG}, {region + 4 * PG, PG}};
    result("second range unaligned", pmadvise(fd, parts, 3, MADV_COLD, 0));
    result("first range unaligned", pmadvise(fd, parts + 1, 2, MADV_COLD, 0));
    struct iovec hole[2] = {{region, PG}, {(void *)0x10000, PG}}; /* below mmap_min_addr */
    result("second range unmapped", pmadvise(fd, hole, 2, MADV_COLD, 0));
    result("only an unmapped range", pmadvise(fd, hole + 1, 1, MADV_COLD, 0));
    struct iovec empty[2] = {{region, 0}, {region, PG}};
    result("an empty range first", pmadvise(fd, empty, 2, MADV_COLD, 0));
    result("mrelease of a live child", mrelease(fd, 0));
    result("mrelease flags 1", mrelease(fd, 1));

    char c = 0;
    if (write(go, &c, 1) != 1)
        exit(1);
    waitpid(pid, NULL, 0);
    fflush(stdout);
    printf("reaped child poll: %#x\n", revents(fd, 0));
    result("process_madvise after reaping", pmadvise(fd, &whole, 1, MADV_COLD, 0));
    result("mrelease after reaping", mrelease(fd, 0));
    result("pidfd_send_signal after reaping", syscall(SYS_pidfd_send_signal, fd, SIGTERM, NULL, 0));
    close(fd);
    close(go);
}

static void killing(char *region)
{
    int go;
    pid_t pid = child_with_pages(region, &go);
    int fd = pidfd_open(pid, 0);
    result("pidfd_send_signal 0", syscall(SYS_pidfd_send_signal, fd, 0, NULL, 0));
    result("pidfd_send_signal bad signal", syscall(SYS_pidfd_send_signal, fd, 99, NULL, 0));
    result("pidfd_send_signal SIGKILL", syscall(SYS_pidfd_send_signal, fd, SIGKILL, NULL, 0));
    /*
     * Linux answers 0 while the killed child still holds its memory and
     * ESRCH once its exit has dropped it: a race natively (an idle CPU
     * runs the exit at once), not under vmemu (the child has not run since
     * the signal). Both mean the memory is going; tests/integration/
     * mrelease.sh checks vmemu's 0 frees it at once.
     */
    long released = mrelease(fd, 0);
    printf("mrelease of a killed child: %s\n",
           released == 0 || errno == ESRCH ? "0 or ESRCH" : errname(errno));
    printf("killed child poll, waiting: %#x\n", revents(fd, -1));
    int status;
    waitpid(pid, &status, 0);
    printf("child killed by signal %d\n", WIFSIGNALED(status) ? WTERMSIG(status) : 0);
    printf("reaped child poll: %#x\n", revents(fd, 0));
    close(fd);
    close(go);
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    char *region =
        mmap(NULL, NPAGES * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (region == MAP_FAILED)
        return 1;
    opening();
    advising(region);
    killing(region);
    return 0;
}
