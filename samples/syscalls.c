/*
 * A fixed set of system calls with known arguments, for the comparison of
 * vmemu's strace-style syscall trace with strace on a native run
 * (tests/integration/strace.sh): files, descriptors, memory, signals, a
 * child process, time. With a directory argument it also creates, renames
 * and removes a file and a directory there. Prints what it saw, which is
 * the same natively and under vmemu.
 * usage: syscalls [DIR]
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void on_usr1(int sig)
{
    (void)sig;
}

/* Read the program's own first bytes: binary data in the trace. */
static void files(const char *self)
{
    char buf[64];
    struct stat st;
    int fd = open(self, O_RDONLY | O_CLOEXEC);
    ssize_t n = read(fd, buf, sizeof(buf));
    off_t size = lseek(fd, 0, SEEK_END);
    ssize_t m = pread(fd, buf, 16, 0);
    fstat(fd, &st);
    close(fd);
    int again = close(fd);
    int missing = open("/nonexistent/x", O_RDONLY);
    int denied = access("/nonexistent", F_OK);
    printf("files: read %zd, %zd; %s; size matches %d; close again %d; missing %d %d\n", n, m,
           memcmp(buf, "\177ELF", 4) ? "not ELF" : "ELF", size == st.st_size, again, missing,
           denied);
}

static void memory(void)
{
    char *p = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    p[0] = 1;
    mprotect(p, 4096, PROT_READ);
    madvise(p, 8192, MADV_DONTNEED);
    char *q = mremap(p, 8192, 16384, MREMAP_MAYMOVE); /* two VMAs now: EFAULT */
    munmap(p, 8192);
    printf("memory: mremap across two mappings %s\n", q == MAP_FAILED ? "fails" : "works");
}

static void descriptors(void)
{
    int fds[2];
    char buf[16];
    pipe2(fds, O_CLOEXEC);
    write(fds[1], "ping\n\t\33[0m\"\\", 12);
    ssize_t n = read(fds[0], buf, sizeof(buf));
    dup2(fds[1], 10);
    int fdflags = fcntl(fds[0], F_GETFD), flflags = fcntl(fds[0], F_GETFL);
    fcntl(10, F_SETFD, FD_CLOEXEC);
    struct iovec iov[2] = {{"hello ", 6}, {"world\n", 6}};
    fflush(stdout);
    writev(1, iov, 2);
    close(10);
    close(fds[0]);
    close(fds[1]);
    printf("descriptors: %zd bytes through a pipe, flags %d %d\n", n, fdflags, flflags);
}

static void signals(void)
{
    struct sigaction sa = {0};
    sa.sa_handler = on_usr1;
    sa.sa_flags = SA_RESTART;
    sigaction(SIGUSR1, &sa, NULL);
    sigset_t set, old;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigaddset(&set, SIGTERM);
    sigprocmask(SIG_BLOCK, &set, NULL);
    sigprocmask(SIG_SETMASK, &old, &set);
    printf("signals: USR1 blocked %d\n", sigismember(&set, SIGUSR1));
}

static void process(void)
{
    char cwd[256];
    struct rlimit rl;
    getcwd(cwd, sizeof(cwd));
    getrlimit(RLIMIT_STACK, &rl);
    umask(022);
    struct timespec ts = {0, 1000};
    nanosleep(&ts, NULL);
    fflush(stdout);
    pid_t child = fork();
    if (child == 0)
        _exit(3);
    int status;
    waitpid(child, &status, 0);
    printf("process: child exited %d\n", WEXITSTATUS(status));
}

/* Creating, renaming and removing in dir. */
static void directory(const char *dir)
{
    char path[512], moved[512], sub[512];
    snprintf(path, sizeof(path), "%s/syscalls.tmp", dir);
    snprintf(moved, sizeof(moved), "%s/syscalls.moved", dir);
    snprintf(sub, sizeof(sub), "%s/syscalls.dir", dir);
    int fd = openat(AT_FDCWD, path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    write(fd, "data\n", 5);
    ftruncate(fd, 3);
    fsync(fd);
    close(fd);
    rename(path, moved);
    struct stat st;
    stat(moved, &st);
    unlink(moved);
    mkdir(sub, 0755);
    rmdir(sub);
    printf("directory: %lld bytes after truncation\n", (long long)st.st_size);
}

int main(int argc, char **argv)
{
    files(argv[0]);
    memory();
    descriptors();
    signals();
    process();
    if (argc > 1)
        directory(argv[1]);
    return 0;
}
