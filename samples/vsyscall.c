/*
 * The legacy vsyscall page, as old static binaries and some libcs call it:
 * gettimeofday at 0xffffffffff600000, time at +0x400, getcpu at +0x800.
 * Linux's default (vsyscall=xonly) emulates those calls and refuses the
 * rest with SIGSEGV: a read of the page (SEGV_MAPERR at its address), a
 * call elsewhere in it, a bad pointer (SI_KERNEL). Prints what it finds,
 * in a form that is the same natively and under vmemu.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define VSYSCALL 0xffffffffff600000UL

typedef long (*gettimeofday_fn)(struct timeval *, struct timezone *);
typedef long (*time_fn)(time_t *);
typedef long (*getcpu_fn)(unsigned *, unsigned *, void *);

static sigjmp_buf env;
static volatile int got_code;
static volatile uintptr_t got_addr;

static void on_segv(int sig, siginfo_t *si, void *uc)
{
    (void)sig, (void)uc;
    got_code = si->si_code;
    got_addr = (uintptr_t)si->si_addr;
    siglongjmp(env, 1);
}

static const char *code_name(int code)
{
    return code == SEGV_MAPERR   ? "SEGV_MAPERR"
           : code == SEGV_ACCERR ? "SEGV_ACCERR"
           : code == SI_KERNEL   ? "SI_KERNEL"
                                 : "other";
}

/* Run fn(arg) expecting SIGSEGV; print the si_code and whether si_addr is want_addr. */
static void expect_segv(const char *what, void (*fn)(void), uintptr_t want_addr)
{
    if (sigsetjmp(env, 1) == 0) {
        fn();
        printf("%s: no signal\n", what);
        return;
    }
    printf("%s: SIGSEGV %s, si_addr %s\n", what, code_name(got_code),
           got_addr == want_addr ? "as expected" : "elsewhere");
}

static void read_page(void)
{
    volatile unsigned char *p = (volatile unsigned char *)VSYSCALL;
    (void)*p;
}

static void call_misaligned(void)
{
    ((time_fn)(VSYSCALL + 0x100))(NULL);
}

static void call_bad_user_pointer(void)
{
    ((gettimeofday_fn)VSYSCALL)((struct timeval *)8, NULL);
}

static void call_kernel_pointer(void)
{
    ((time_fn)(VSYSCALL + 0x400))((time_t *)0xffff800000000000UL);
}

int main(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigaction(SIGSEGV, &sa, NULL);

    struct timeval before, tv, after;
    gettimeofday(&before, NULL);
    long r = ((gettimeofday_fn)VSYSCALL)(&tv, NULL);
    gettimeofday(&after, NULL);
    int in_order = timercmp(&before, &tv, <=) && timercmp(&tv, &after, <=);
    printf("vsyscall gettimeofday: %ld, between two gettimeofday calls: %s\n", r,
           in_order ? "yes" : "no");

    time_t t0 = time(NULL), t = 0;
    long s = ((time_fn)(VSYSCALL + 0x400))(&t);
    time_t t1 = time(NULL);
    printf("vsyscall time: returned what it stored: %s, between two time calls: %s\n",
           s == (long)t ? "yes" : "no", t0 <= t && t <= t1 ? "yes" : "no");
    printf("vsyscall time(NULL) works: %s\n",
           ((time_fn)(VSYSCALL + 0x400))(NULL) >= t ? "yes" : "no");

    unsigned cpu = ~0u, node = ~0u;
    r = ((getcpu_fn)(VSYSCALL + 0x800))(&cpu, &node, NULL);
    printf("vsyscall getcpu: %ld, cpu valid: %s, node %u\n", r,
           cpu < (unsigned)sysconf(_SC_NPROCESSORS_CONF) ? "yes" : "no", node);

    expect_segv("read of the page", read_page, VSYSCALL);
    expect_segv("call at +0x100", call_misaligned, 0);
    expect_segv("gettimeofday into an unmapped user page", call_bad_user_pointer, 0);
    expect_segv("time into a kernel address", call_kernel_pointer, 0xffff800000000000UL);
    return 0;
}
