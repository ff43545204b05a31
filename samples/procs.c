/*
 * Processes as a program sees them: fork, vfork, execve, the wait family,
 * exit statuses and deaths by signal, pipes (with more than their 64 KiB),
 * descriptors across fork and exec, process groups, poll, select, epoll and
 * eventfd. Every line printed is what the native run prints too.
 *
 *   procs              every test
 *   procs NAME         one test
 *   procs --child ...  what the exec tests run
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
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *self;

static void describe(const char *what, int st)
{
    if (WIFEXITED(st))
        printf("%s: exited %d\n", what, WEXITSTATUS(st));
    else if (WIFSIGNALED(st))
        printf("%s: killed by signal %d\n", what, WTERMSIG(st));
    else
        printf("%s: status %#x\n", what, st);
}

static void test_wait_status(void)
{
    pid_t a = fork();
    if (a == 0)
        _exit(7);
    pid_t b = fork();
    if (b == 0) {
        raise(SIGTERM);
        _exit(0);
    }
    int st;
    pid_t w = waitpid(a, &st, 0);
    describe("first child", st);
    printf("waitpid returned the child's pid: %d\n", w == a);
    w = wait(&st);
    describe("second child", st);
    printf("wait returned the other child: %d\n", w == b);
    w = wait(&st);
    printf("no children left: %d (%s)\n", (int)w, errno == ECHILD ? "ECHILD" : "?");
}

static void test_wnohang(void)
{
    int p[2];
    pipe(p);
    pid_t pid = fork();
    if (pid == 0) {
        char c;
        read(p[0], &c, 1); /* until the parent says so */
        _exit(3);
    }
    int st;
    printf("wnohang while it runs: %d\n", (int)waitpid(pid, &st, WNOHANG));
    write(p[1], "x", 1);
    waitpid(pid, &st, 0);
    describe("then", st);
    close(p[0]);
    close(p[1]);
}

static void test_getppid(void)
{
    pid_t me = getpid();
    pid_t pid = fork();
    if (pid == 0) {
        printf("child's parent is the forker: %d\n", getppid() == me);
        printf("child's pid differs: %d\n", getpid() != me);
        _exit(0);
    }
    waitpid(pid, NULL, 0);
}

/* Parent and child each see their own copy of memory after fork. */
static void test_memory(void)
{
    static int shared_counter = 10;
    pid_t pid = fork();
    if (pid == 0) {
        shared_counter = 99;
        printf("child sees %d\n", shared_counter);
        _exit(0);
    }
    waitpid(pid, NULL, 0);
    printf("parent still sees %d\n", shared_counter);
}

static void test_pipe_big(void)
{
    int p[2];
    pipe(p);
    const size_t total = 1 << 20; /* 16 times the pipe's capacity */
    pid_t pid = fork();
    if (pid == 0) {
        close(p[0]);
        char *buf = malloc(total);
        for (size_t i = 0; i < total; i++)
            buf[i] = (char)(i * 7 + i / 4096);
        size_t done = 0;
        while (done < total) {
            ssize_t w = write(p[1], buf + done, total - done);
            if (w <= 0)
                _exit(1);
            done += (size_t)w;
        }
        _exit(0);
    }
    close(p[1]);
    uint64_t sum = 0, n = 0;
    char buf[3000];
    ssize_t r;
    while ((r = read(p[0], buf, sizeof(buf))) > 0) {
        for (ssize_t i = 0; i < r; i++, n++)
            sum += (unsigned char)buf[i] ^ (unsigned char)(n * 7 + n / 4096);
    }
    int st;
    waitpid(pid, &st, 0);
    printf("pipe: %llu bytes, %s, writer status %d\n", (unsigned long long)n,
           sum == 0 ? "intact" : "CORRUPT", WEXITSTATUS(st));
    close(p[0]);
}

static void test_pipe_eof_and_nonblock(void)
{
    int p[2];
    pipe2(p, O_NONBLOCK);
    char c;
    ssize_t r = read(p[0], &c, 1);
    printf("empty non-blocking read: %zd %s\n", r, errno == EAGAIN ? "EAGAIN" : "?");
    printf("pipe size: %d\n", fcntl(p[0], F_GETPIPE_SZ));
    long n = 0;
    while (write(p[1], "0123456789abcdef", 16) == 16)
        n += 16;
    printf("non-blocking pipe took %ld bytes, then %s\n", n, errno == EAGAIN ? "EAGAIN" : "?");
    close(p[1]);
    long got = 0;
    while ((r = read(p[0], &c, 1)) > 0)
        got++;
    printf("read back %ld, then %zd (end of file)\n", got, r);
    close(p[0]);
}

static void test_dup_and_exec(void)
{
    int p[2];
    pipe(p);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(p[1], 1);
        close(p[0]);
        close(p[1]);
        int keep = open("/dev/null", O_RDONLY);
        int gone = open("/dev/null", O_RDONLY | O_CLOEXEC);
        char a[16], b[16];
        snprintf(a, sizeof(a), "%d", keep);
        snprintf(b, sizeof(b), "%d", gone);
        execl(self, self, "--child", "fds", a, b, (char *)NULL);
        _exit(127);
    }
    close(p[1]);
    char buf[256];
    ssize_t r = read(p[0], buf, sizeof(buf) - 1);
    buf[r > 0 ? r : 0] = 0;
    int st;
    waitpid(pid, &st, 0);
    printf("exec'd child wrote through the pipe: %s", buf);
    describe("exec'd child", st);
    close(p[0]);
}

static void test_vfork(void)
{
    fflush(stdout);
    pid_t pid = vfork();
    if (pid == 0) {
        execl(self, self, "--child", "hello", (char *)NULL);
        _exit(127);
    }
    int st;
    waitpid(pid, &st, 0);
    describe("vfork+exec child", st);
}

static void test_exec_failure(void)
{
    pid_t pid = fork();
    if (pid == 0) {
        execl("/nonexistent/program", "x", (char *)NULL);
        printf("execl failed: %s\n", errno == ENOENT ? "ENOENT" : "?");
        _exit(errno == ENOENT ? 42 : 1);
    }
    int st;
    waitpid(pid, &st, 0);
    describe("child after a failed exec", st);
}

static void test_pgrp(void)
{
    pid_t pid = fork();
    if (pid == 0) {
        setpgid(0, 0);
        pause();
        _exit(0);
    }
    setpgid(pid, pid); /* both sides, as shells do */
    printf("child leads its own group: %d\n", getpgid(pid) == pid);
    printf("our group is another: %d\n", getpgrp() != pid);
    kill(-pid, SIGKILL);
    int st;
    waitpid(pid, &st, 0);
    describe("group member", st);
    int lead = setpgid(0, 0);
    pid_t sid = setsid();
    printf("setsid as group leader: setpgid %d, setsid %d (%s)\n", lead, (int)(sid < 0 ? -1 : 0),
           sid < 0 && errno == EPERM ? "EPERM" : "?");
}

static void test_poll_select(void)
{
    int p[2];
    pipe(p);
    struct pollfd pf[2] = {{p[0], POLLIN, 0}, {p[1], POLLOUT, 0}};
    int n = poll(pf, 2, 0);
    printf("poll: %d ready, read end %#x, write end %#x\n", n, pf[0].revents, pf[1].revents);
    write(p[1], "z", 1);
    n = poll(pf, 1, -1);
    printf("poll after a write: %d, %#x\n", n, pf[0].revents);
    fd_set rd;
    FD_ZERO(&rd);
    FD_SET(p[0], &rd);
    struct timeval tv = {0, 0};
    printf("select: %d, readable %d\n", select(p[0] + 1, &rd, NULL, NULL, &tv),
           FD_ISSET(p[0], &rd));
    close(p[1]);
    char c;
    read(p[0], &c, 1);
    n = poll(pf, 1, 1000);
    printf("poll on a pipe with no writer: %d, %#x\n", n, pf[0].revents);
    close(p[0]);
    /* A timeout with nothing to wait for. */
    n = poll(NULL, 0, 50);
    printf("poll timeout: %d\n", n);
}

static void test_epoll_eventfd(void)
{
    int ep = epoll_create1(EPOLL_CLOEXEC);
    int efd = eventfd(0, EFD_NONBLOCK);
    int p[2];
    pipe(p);
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = 1};
    epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev);
    ev.data.u64 = 2;
    epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev);
    struct epoll_event out[4];
    printf("epoll nothing ready: %d\n", epoll_wait(ep, out, 4, 0));
    pid_t pid = fork();
    if (pid == 0) {
        uint64_t one = 5;
        write(efd, &one, sizeof(one));
        _exit(0);
    }
    int n = epoll_wait(ep, out, 4, -1);
    printf("epoll: %d ready, data %llu\n", n, (unsigned long long)out[0].data.u64);
    uint64_t v = 0;
    read(efd, &v, sizeof(v));
    printf("eventfd counter read %llu\n", (unsigned long long)v);
    ssize_t r = read(efd, &v, sizeof(v));
    printf("eventfd empty: %zd %s\n", r, errno == EAGAIN ? "EAGAIN" : "?");
    write(p[1], "ab", 2);
    n = epoll_wait(ep, out, 4, -1);
    printf("epoll: %d ready, data %llu\n", n, (unsigned long long)out[0].data.u64);
    waitpid(pid, NULL, 0);
    close(p[0]);
    close(p[1]);
    close(efd);
    close(ep);
}

static void test_rusage_children(void)
{
    pid_t pid = fork();
    if (pid == 0) {
        char *m = malloc(64 << 12);
        for (int i = 0; i < 64; i++)
            m[i << 12] = 1;
        _exit(0);
    }
    int st;
    struct rusage ru;
    wait4(pid, &st, 0, &ru);
    struct rusage ch;
    getrusage(RUSAGE_CHILDREN, &ch);
    printf("the child's faults reach wait4 (%d) and RUSAGE_CHILDREN (%d)\n", ru.ru_minflt >= 64,
           ch.ru_minflt >= ru.ru_minflt);
}

static int child_main(int argc, char **argv)
{
    if (argc >= 3 && strcmp(argv[2], "hello") == 0) {
        printf("hello from the exec'd child\n");
        return 5;
    }
    if (argc >= 5 && strcmp(argv[2], "fds") == 0) {
        int keep = atoi(argv[3]), gone = atoi(argv[4]);
        printf("kept fd open %d, close-on-exec fd closed %d\n", fcntl(keep, F_GETFD) >= 0,
               fcntl(gone, F_GETFD) < 0 && errno == EBADF);
        return 0;
    }
    return 2;
}

static const struct {
    const char *name;
    void (*fn)(void);
} tests[] = {
    {"wait_status", test_wait_status},   {"wnohang", test_wnohang},
    {"getppid", test_getppid},           {"memory", test_memory},
    {"pipe_big", test_pipe_big},         {"pipe_nonblock", test_pipe_eof_and_nonblock},
    {"dup_exec", test_dup_and_exec},     {"vfork", test_vfork},
    {"exec_failure", test_exec_failure}, {"pgrp", test_pgrp},
    {"poll", test_poll_select},          {"epoll", test_epoll_eventfd},
    {"rusage", test_rusage_children},
};

int main(int argc, char **argv)
{
    self = argv[0];
    if (argc >= 2 && strcmp(argv[1], "--child") == 0)
        return child_main(argc, argv);
    setvbuf(stdout, NULL, _IOLBF, 0);
    for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
        if (argc < 2 || strcmp(argv[1], tests[i].name) == 0) {
            fflush(stdout);
            tests[i].fn();
        }
    return 0;
}
