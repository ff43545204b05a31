/*
 * Signals as x86-64 Linux delivers them: each test prints what a program
 * can observe (which handler ran, si_code, si_addr relative to a mapping,
 * errno after an interrupted call), so the output equals the native run's.
 *
 *   signals            every test, in order
 *   signals NAME       one test
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static sigjmp_buf jump;
static volatile sig_atomic_t hits;
static volatile int last_code;
static void *volatile last_addr;
static char *page;

static void on_fault_jump(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    hits++;
    last_code = si->si_code;
    last_addr = si->si_addr;
    siglongjmp(jump, sig);
}

static void install(int sig, void (*fn)(int, siginfo_t *, void *), int flags)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = fn;
    sa.sa_flags = SA_SIGINFO | flags;
    sigemptyset(&sa.sa_mask);
    if (sigaction(sig, &sa, NULL) != 0) {
        perror("sigaction");
        exit(2);
    }
}

static void install_plain(int sig, void (*fn)(int), int flags)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = fn;
    sa.sa_flags = flags;
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, NULL);
}

/* SIGSEGV on a PROT_NONE page: the handler opens it and the access resumes. */
static void on_segv_fix(int sig, siginfo_t *si, void *uc)
{
    (void)sig, (void)uc;
    hits++;
    last_code = si->si_code;
    last_addr = si->si_addr;
    mprotect(page, 4096, PROT_READ | PROT_WRITE);
}

static void test_segv_resume(void)
{
    page = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    install(SIGSEGV, on_segv_fix, 0);
    hits = 0;
    volatile char *p = page + 123;
    *p = 42; /* faults once, the handler fixes the mapping, the store is done again */
    printf("segv_resume: hits=%d code=%s offset=%ld value=%d\n", hits,
           last_code == SEGV_ACCERR ? "SEGV_ACCERR" : "other", (long)((char *)last_addr - page),
           page[123]);
    munmap(page, 4096);
    signal(SIGSEGV, SIG_DFL);
}

static void test_segv_maperr(void)
{
    char *hole = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(hole, 4096);
    install(SIGSEGV, on_fault_jump, 0);
    hits = 0;
    if (sigsetjmp(jump, 1) == 0) {
        volatile char *p = hole + 8;
        (void)*p;
        printf("segv_maperr: no fault\n");
    } else {
        printf("segv_maperr: hits=%d code=%s exact=%d\n", hits,
               last_code == SEGV_MAPERR ? "SEGV_MAPERR" : "other", last_addr == hole + 8);
    }
    signal(SIGSEGV, SIG_DFL);
}

/* siglongjmp out of a handler restores the mask sigsetjmp saved. */
static void test_siglongjmp_mask(void)
{
    install(SIGUSR1, on_fault_jump, 0);
    if (sigsetjmp(jump, 1) == 0) {
        raise(SIGUSR1);
        printf("siglongjmp: handler did not jump\n");
        return;
    }
    sigset_t now;
    sigprocmask(SIG_BLOCK, NULL, &now);
    printf("siglongjmp: back, SIGUSR1 blocked=%d\n", sigismember(&now, SIGUSR1));
    signal(SIGUSR1, SIG_DFL);
}

static void test_sigbus(void)
{
    /* Unnamed: concurrent runs (its static and dynamic builds) never race for a name. */
    int fd = open("/tmp", O_RDWR | O_TMPFILE, 0600);
    if (fd < 0 || write(fd, "0123456789", 10) != 10)
        return;
    char *m = mmap(NULL, 8192, PROT_READ, MAP_SHARED, fd, 0);
    install(SIGBUS, on_fault_jump, 0);
    hits = 0;
    if (sigsetjmp(jump, 1) == 0) {
        volatile char c = m[5];
        volatile char d = m[4096 + 1]; /* past the end of the file's last page */
        (void)c, (void)d;
        printf("sigbus: no fault\n");
    } else {
        printf("sigbus: hits=%d code=%s offset=%ld\n", hits,
               last_code == BUS_ADRERR ? "BUS_ADRERR" : "other", (long)((char *)last_addr - m));
    }
    munmap(m, 8192);
    close(fd);
    signal(SIGBUS, SIG_DFL);
}

static void test_sigfpe(void)
{
    install(SIGFPE, on_fault_jump, 0);
    volatile int zero = 0, n = 7;
    if (sigsetjmp(jump, 1) == 0) {
        volatile int q = n / zero;
        (void)q;
        printf("sigfpe: no trap\n");
    } else {
        printf("sigfpe: code=%s\n", last_code == FPE_INTDIV ? "FPE_INTDIV" : "other");
    }
    signal(SIGFPE, SIG_DFL);
}

static void test_sigill(void)
{
    install(SIGILL, on_fault_jump, 0);
    if (sigsetjmp(jump, 1) == 0) {
        __asm__ volatile("ud2");
        printf("sigill: no trap\n");
    } else {
        printf("sigill: code=%s\n", last_code == ILL_ILLOPN ? "ILL_ILLOPN" : "other");
    }
    signal(SIGILL, SIG_DFL);
}

static void on_trap(int sig, siginfo_t *si, void *uc)
{
    (void)sig, (void)uc;
    hits++;
    last_code = si->si_code;
}

static void test_sigtrap(void)
{
    install(SIGTRAP, on_trap, 0);
    hits = 0;
    __asm__ volatile("int3");
    printf("sigtrap: resumed after int3, hits=%d code=%s\n", hits,
           last_code == SI_KERNEL ? "SI_KERNEL" : "other");
    signal(SIGTRAP, SIG_DFL);
}

static char order[32];
static volatile int norder;

static void on_usr2(int sig)
{
    (void)sig;
    order[norder++] = '2';
}

static void on_usr1_raising(int sig)
{
    (void)sig;
    order[norder++] = '[';
    raise(SIGUSR2); /* not in the mask: runs at once, nested */
    order[norder++] = ']';
}

static void test_nested_and_masked(void)
{
    install_plain(SIGUSR2, on_usr2, 0);
    install_plain(SIGUSR1, on_usr1_raising, 0);
    norder = 0;
    raise(SIGUSR1);
    order[norder] = 0;
    printf("nested: %s\n", order);
    /* Now with SIGUSR2 in SIGUSR1's mask: it waits until the handler returns. */
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_usr1_raising;
    sigemptyset(&sa.sa_mask);
    sigaddset(&sa.sa_mask, SIGUSR2);
    sigaction(SIGUSR1, &sa, NULL);
    norder = 0;
    raise(SIGUSR1);
    order[norder] = 0;
    printf("masked: %s\n", order);
    /* Blocked: pending until unblocked. */
    sigset_t set, pend;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR2);
    sigprocmask(SIG_BLOCK, &set, NULL);
    norder = 0;
    raise(SIGUSR2);
    sigpending(&pend);
    printf("blocked: pending=%d ran=%d\n", sigismember(&pend, SIGUSR2), norder);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    printf("unblocked: ran=%d\n", norder);
    signal(SIGUSR1, SIG_DFL);
    signal(SIGUSR2, SIG_DFL);
}

static void on_once(int sig)
{
    (void)sig;
    hits++;
}

static void test_resethand(void)
{
    pid_t pid = fork();
    if (pid == 0) {
        install_plain(SIGUSR1, on_once, SA_RESETHAND);
        raise(SIGUSR1);
        printf("resethand: first raise handled (%d)\n", hits);
        fflush(stdout);
        raise(SIGUSR1); /* the default action now: death */
        _exit(0);
    }
    int st;
    waitpid(pid, &st, 0);
    printf("resethand: child killed by %s\n",
           WIFSIGNALED(st) && WTERMSIG(st) == SIGUSR1 ? "SIGUSR1" : "something else");
}

static void on_overflow(int sig, siginfo_t *si, void *uc)
{
    (void)sig, (void)si, (void)uc;
    static const char msg[] = "altstack: caught the stack overflow on the alternate stack\n";
    write(1, msg, sizeof(msg) - 1);
    _exit(0);
}

static int depth_limit = 1 << 30; /* never reached: the stack runs out first */

static int recurse(volatile char *prev, int depth)
{
    volatile char buf[1024];
    buf[0] = prev ? prev[0] + 1 : 0;
    if (depth >= depth_limit)
        return buf[0];
    return recurse(buf, depth + 1) + buf[0];
}

static void test_altstack(void)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        stack_t ss;
        ss.ss_sp = malloc(65536);
        ss.ss_size = 65536;
        ss.ss_flags = 0;
        sigaltstack(&ss, NULL);
        install(SIGSEGV, on_overflow, SA_ONSTACK);
        recurse(NULL, 0);
        _exit(1);
    }
    int st;
    waitpid(pid, &st, 0);
    printf("altstack: child status %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : -WTERMSIG(st));
}

static void test_alarm(void)
{
    install_plain(SIGALRM, on_once, 0);
    hits = 0;
    alarm(1);
    int r = pause();
    printf("alarm: pause returned %d (%s), hits=%d\n", r, errno == EINTR ? "EINTR" : "?", hits);
}

static void test_itimer(void)
{
    install_plain(SIGALRM, on_once, 0);
    hits = 0;
    /* Ticks come only inside sigsuspend: natively a fourth one could land
       between the third and the disarm when the host is busy. */
    sigset_t alrm, old;
    sigemptyset(&alrm);
    sigaddset(&alrm, SIGALRM);
    sigprocmask(SIG_BLOCK, &alrm, &old);
    struct itimerval it = {{0, 10000}, {0, 10000}};
    setitimer(ITIMER_REAL, &it, NULL);
    sigset_t none;
    sigemptyset(&none);
    while (hits < 3)
        sigsuspend(&none);
    memset(&it, 0, sizeof(it));
    setitimer(ITIMER_REAL, &it, NULL);
    printf("itimer: %d ticks\n", hits);
    signal(SIGALRM, SIG_IGN); /* a tick still pending goes */
    sigprocmask(SIG_SETMASK, &old, NULL);
    signal(SIGALRM, SIG_DFL);
}

static volatile int reaped, status_sum;

static void on_chld(int sig)
{
    (void)sig;
    int st;
    pid_t p;
    while ((p = waitpid(-1, &st, WNOHANG)) > 0) {
        reaped++;
        status_sum += WEXITSTATUS(st);
    }
}

static void test_sigchld(void)
{
    install_plain(SIGCHLD, on_chld, SA_RESTART);
    reaped = status_sum = 0;
    for (int i = 1; i <= 3; i++)
        if (fork() == 0)
            _exit(i);
    while (reaped < 3)
        pause();
    printf("sigchld: reaped %d children, statuses add up to %d\n", reaped, status_sum);
    signal(SIGCHLD, SIG_DFL);
}

static void test_sigpipe(void)
{
    int fds[2];
    pipe(fds);
    close(fds[0]);
    install_plain(SIGPIPE, on_once, 0);
    hits = 0;
    ssize_t r = write(fds[1], "x", 1);
    printf("sigpipe: write returned %zd errno %s, handler ran %d\n", r,
           errno == EPIPE ? "EPIPE" : "?", hits);
    close(fds[1]);
    signal(SIGPIPE, SIG_DFL);
}

/* A read on an empty pipe interrupted by a signal: EINTR, or restarted with SA_RESTART. */
static void read_interrupted(int flags)
{
    int fds[2];
    pipe(fds);
    install_plain(SIGUSR1, on_once, flags);
    pid_t parent = getpid();
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        struct timespec ts = {0, 100 * 1000 * 1000};
        nanosleep(&ts, NULL); /* the parent is asleep in read() by now */
        kill(parent, SIGUSR1);
        nanosleep(&ts, NULL);
        write(fds[1], "data", 4);
        _exit(0);
    }
    char buf[8];
    ssize_t r = read(fds[0], buf, sizeof(buf));
    int e = errno;
    waitpid(pid, NULL, 0);
    printf("read %s: returned %zd%s\n", flags ? "SA_RESTART" : "no SA_RESTART", r,
           r < 0 && e == EINTR ? " EINTR" : "");
    close(fds[0]);
    close(fds[1]);
    signal(SIGUSR1, SIG_DFL);
}

static void test_restart(void)
{
    read_interrupted(0);
    read_interrupted(SA_RESTART);
}

static volatile int qvalue, qcode;

static void on_queued(int sig, siginfo_t *si, void *uc)
{
    (void)sig, (void)uc;
    hits++;
    qvalue = si->si_value.sival_int;
    qcode = si->si_code;
}

static void test_queue(void)
{
    install(SIGRTMIN, on_queued, 0);
    install_plain(SIGUSR1, on_once, 0);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGRTMIN);
    sigaddset(&set, SIGUSR1);
    sigprocmask(SIG_BLOCK, &set, NULL);
    hits = 0;
    union sigval v = {.sival_int = 77};
    for (int i = 0; i < 3; i++) {
        sigqueue(getpid(), SIGRTMIN, v);
        kill(getpid(), SIGUSR1);
    }
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    printf("queue: %d deliveries (3 real-time, 1 standard), value %d, code %s\n", hits, qvalue,
           qcode == SI_QUEUE ? "SI_QUEUE" : "other");
    signal(SIGRTMIN, SIG_DFL);
    signal(SIGUSR1, SIG_DFL);
}

static void test_sigtimedwait(void)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR2);
    sigprocmask(SIG_BLOCK, &set, NULL);
    raise(SIGUSR2);
    siginfo_t si;
    struct timespec ts = {0, 1000000};
    int sig = sigtimedwait(&set, &si, &ts);
    int again = sigtimedwait(&set, &si, &ts);
    printf("sigtimedwait: got %s, then %d (%s)\n", sig == SIGUSR2 ? "SIGUSR2" : "?", again,
           again < 0 && errno == EAGAIN ? "EAGAIN" : "?");
    sigprocmask(SIG_UNBLOCK, &set, NULL);
}

/* The frame holds the interrupted registers: a handler sees and may change them. */
static void on_usr1_ctx(int sig, siginfo_t *si, void *ucv)
{
    (void)sig, (void)si;
    ucontext_t *uc = ucv;
    hits = uc->uc_mcontext.gregs[REG_RSP] % 16 == 8 ? 1 : 2; /* the frame looks like after a call */
}

static void test_frame(void)
{
    install(SIGUSR1, on_usr1_ctx, 0);
    hits = 0;
    double x = 1.5;
    raise(SIGUSR1);
    volatile double y = x * 3; /* the FPU state came back */
    printf("frame: handler ran (%d), fp ok %d\n", hits != 0, y == 4.5);
    signal(SIGUSR1, SIG_DFL);
}

static void test_signalfd(void)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigaddset(&set, SIGUSR2);
    sigprocmask(SIG_BLOCK, &set, NULL);
    int fd = signalfd(-1, &set, SFD_CLOEXEC);
    raise(SIGUSR1);
    struct signalfd_siginfo si;
    ssize_t r = read(fd, &si, sizeof(si));
    printf("signalfd: read %zd bytes, signal %s\n", r, si.ssi_signo == SIGUSR1 ? "SIGUSR1" : "?");
    pid_t parent = getpid();
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        struct timespec ts = {0, 50 * 1000 * 1000};
        nanosleep(&ts, NULL);
        kill(parent, SIGUSR2);
        _exit(0);
    }
    r = read(fd, &si, sizeof(si)); /* sleeps until the child's signal */
    printf("signalfd: woken by %s from the child: %d\n", si.ssi_signo == SIGUSR2 ? "SIGUSR2" : "?",
           (pid_t)si.ssi_pid == pid);
    waitpid(pid, NULL, 0);
    close(fd);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
}

/* The kernel's struct sigaction, for the raw system call. */
struct kernel_sigaction {
    void (*handler)(int);
    unsigned long flags;
    void (*restorer)(void);
    uint64_t mask;
};

static void on_same_buffer(int sig)
{
    (void)sig;
    hits++;
}

/*
 * One buffer for the new and the old value: the kernel reads the new one
 * before it writes the old one back (rt_sigaction through the raw system
 * call, as the C library wrappers copy; sigaltstack as it comes).
 */
static void test_same_buffer(void)
{
    /* The C library's restorer and flags, borrowed from an action it installed. */
    install_plain(SIGUSR2, on_same_buffer, 0);
    struct kernel_sigaction lib;
    syscall(SYS_rt_sigaction, SIGUSR2, NULL, &lib, 8);
    signal(SIGUSR2, SIG_DFL);
    struct kernel_sigaction ka = {on_same_buffer, lib.flags, lib.restorer, 0};
    long r = syscall(SYS_rt_sigaction, SIGUSR2, &ka, &ka, 8);
    hits = 0;
    raise(SIGUSR2);
    printf("same buffer: rt_sigaction %ld, old handler was default %d, new one ran %d\n", r,
           ka.handler == SIG_DFL, (int)hits);
    static char alt[64 * 1024];
    stack_t ss = {.ss_sp = alt, .ss_size = sizeof(alt), .ss_flags = 0};
    r = syscall(SYS_sigaltstack, &ss, &ss);
    stack_t now;
    sigaltstack(NULL, &now);
    printf("same buffer: sigaltstack %ld, old was disabled %d, new is set %d\n", r,
           ss.ss_flags == SS_DISABLE, now.ss_sp == alt && now.ss_size == sizeof(alt));
    now.ss_flags = SS_DISABLE;
    sigaltstack(&now, NULL);
    signal(SIGUSR2, SIG_DFL);
}

static const struct {
    const char *name;
    void (*fn)(void);
} tests[] = {
    {"segv_resume", test_segv_resume},
    {"segv_maperr", test_segv_maperr},
    {"siglongjmp", test_siglongjmp_mask},
    {"sigbus", test_sigbus},
    {"sigfpe", test_sigfpe},
    {"sigill", test_sigill},
    {"sigtrap", test_sigtrap},
    {"nested", test_nested_and_masked},
    {"resethand", test_resethand},
    {"altstack", test_altstack},
    {"alarm", test_alarm},
    {"itimer", test_itimer},
    {"sigchld", test_sigchld},
    {"sigpipe", test_sigpipe},
    {"restart", test_restart},
    {"queue", test_queue},
    {"sigtimedwait", test_sigtimedwait},
    {"frame", test_frame},
    {"signalfd", test_signalfd},
    {"same_buffer", test_same_buffer},
};

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
        if (argc < 2 || strcmp(argv[1], tests[i].name) == 0)
            tests[i].fn();
    return 0;
}
