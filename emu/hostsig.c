#define _GNU_SOURCE
/*
 * Signals sent to vmemu itself (Ctrl-C, kill, timeout(1), a closed
 * terminal or pipe). vmemu is the guest's machine and kernel, so SIGINT,
 * SIGTERM, SIGHUP, SIGQUIT and SIGPIPE are the guest's: its default action
 * ends it like a native process, after which vmemu writes back every dirty
 * page and exits 128 + the signal (task_run and main do that part).
 *
 * The handler does only what is safe there: it records the signal in a
 * lock-free bit set and stops the emulated CPU (cpu_stop_current_async).
 * The run loop, on every stop, calls host_signals_deliver, which turns each
 * recorded signal into the guest's through kernel_host_signal. The handler
 * is installed without SA_RESTART, so a host read the guest is blocked in
 * (stdin from a pipe) returns EINTR and its system call sees the signal.
 *
 * A stop request can be lost (the CPU not yet or no longer emulating, or
 * Unicorn resetting its flags as it starts), so the handler also arms a
 * 10 ms interval timer whose SIGALRM stops the CPU again while a signal is
 * still recorded; taking the signals disarms it.
 *
 * A second SIGINT less than a second after the first forces the guest's
 * end even when it ignores or catches SIGINT (the user insists); vmemu
 * still writes everything back.
 */
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <errno.h>

#include "emu/cpu.h"
#include "emu/hostsig.h"
#include "emu/kernel/signal.h"
#include "emu/kernel/task.h"

static const int forwarded[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE};

static atomic_uint pending;         /* bit sig - 1 for each recorded signal */
static atomic_bool forced;          /* a second SIGINT came within a second */
static atomic_llong last_sigint_ns; /* CLOCK_MONOTONIC of the last SIGINT, 0: none */

#define REKICK_US 10000
#define INSIST_NS 1000000000LL

static void set_rekick(bool on)
{
    struct itimerval it = {{0, on ? REKICK_US : 0}, {0, on ? REKICK_US : 0}};
    setitimer(ITIMER_REAL, &it, NULL);
}

static void on_host_signal(int sig)
{
    int saved = errno;
    if (sig == SIGINT) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        long long now = (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
        long long last = atomic_exchange(&last_sigint_ns, now);
        if (last && now - last < INSIST_NS)
            atomic_store(&forced, true);
    }
    atomic_fetch_or(&pending, 1u << (sig - 1));
    cpu_stop_current_async();
    set_rekick(true);
    errno = saved;
}

static void on_rekick(int sig)
{
    (void)sig;
    int saved = errno;
    if (!atomic_load(&pending) || !cpu_stop_current_async())
        set_rekick(false);
    errno = saved;
}

void host_signals_install(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < sizeof(forwarded) / sizeof(forwarded[0]); i++)
        sigaddset(&sa.sa_mask, forwarded[i]);
    for (size_t i = 0; i < sizeof(forwarded) / sizeof(forwarded[0]); i++) {
        struct sigaction old;
        if (sigaction(forwarded[i], NULL, &old) != 0 || old.sa_handler == SIG_IGN)
            continue; /* ignored when vmemu started: ignored for the guest too */
        sa.sa_handler = on_host_signal;
        sa.sa_flags = 0; /* no SA_RESTART: a blocked host read returns EINTR */
        sigaction(forwarded[i], &sa, NULL);
    }
    sa.sa_handler = on_rekick;
    sa.sa_flags = SA_RESTART;
    sigaction(SIGALRM, &sa, NULL);
}

bool host_signals_deliver(void)
{
    if (!atomic_load(&pending))
        return false;
    set_rekick(false); /* before taking: a signal after this re-arms it */
    unsigned int set = atomic_exchange(&pending, 0);
    bool insist = atomic_exchange(&forced, false);
    for (int sig = 1; set; sig++, set >>= 1)
        if (set & 1)
            kernel_host_signal(sig, insist && sig == SIGINT);
    return true;
}

bool host_signal_interrupts(struct task *t)
{
    host_signals_deliver();
    return signal_pending(t) || t->exiting;
}
