/*
 * Time: the clocks, sleeping, alarm and the interval timers, POSIX timers.
 *
 * Every clock reads the machine's clock (sched.c): virtual unless
 * --realtime, so runs are reproducible. Sleeps and timers are ktimers on
 * it; when every task sleeps the clock jumps to the next one. The CPU-time
 * clocks and the ITIMER_VIRTUAL/ITIMER_PROF timers count the same clock
 * (a task is taken to run all the time it exists), which is exact for a
 * program that never sleeps.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/times.h>
#include <time.h>

#include "emu/kernel/sched.h"
#include "emu/kernel/signal.h"
#include "emu/kernel/syscall.h"
#include "emu/kernel/task.h"
#include "emu/kernel/time.h"
#include "mm/uaccess.h"

#define NSEC_PER_SEC 1000000000ULL
#define USER_HZ 100
#define MAX_CLOCKS 16

static bool valid_clock(int64_t id)
{
    return id >= 0 && id < MAX_CLOCKS && id != 8 && id != 9 && id != 10; /* no *_ALARM */
}

static struct timespec ns_to_ts(uint64_t ns)
{
    struct timespec ts = {(time_t)(ns / NSEC_PER_SEC), (long)(ns % NSEC_PER_SEC)};
    return ts;
}

static long get_timespec(struct task *t, uint64_t uts, uint64_t *ns)
{
    struct timespec ts;
    if (copy_from_user(t->mm, &ts, uts, sizeof(ts)))
        return -EFAULT;
    if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= (long)NSEC_PER_SEC)
        return -EINVAL;
    *ns = (uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
    return 0;
}

static long put_timespec(struct task *t, uint64_t uts, uint64_t ns)
{
    struct timespec ts = ns_to_ts(ns);
    return copy_to_user(t->mm, uts, &ts, sizeof(ts)) ? -EFAULT : 0;
}

static long sys_clock_gettime(struct task *t, const uint64_t a[6])
{
    if (!valid_clock((int64_t)(int)a[0]))
        return -EINVAL;
    return put_timespec(t, a[1], clock_read_ns((int)a[0]));
}

static long sys_clock_getres(struct task *t, const uint64_t a[6])
{
    if (!valid_clock((int64_t)(int)a[0]))
        return -EINVAL;
    int id = (int)a[0];
    uint64_t res = id == CLOCK_REALTIME_COARSE || id == CLOCK_MONOTONIC_COARSE ? 4000000 : 1;
    return a[1] ? put_timespec(t, a[1], res) : 0;
}

static long sys_gettimeofday(struct task *t, const uint64_t a[6])
{
    uint64_t ns = clock_read_ns(CLOCK_REALTIME);
    struct timeval tv = {(time_t)(ns / NSEC_PER_SEC), (suseconds_t)(ns % NSEC_PER_SEC / 1000)};
    if (a[0] && copy_to_user(t->mm, a[0], &tv, sizeof(tv)))
        return -EFAULT;
    if (a[1]) {
        uint32_t tz[2] = {0, 0};
        if (copy_to_user(t->mm, a[1], tz, sizeof(tz)))
            return -EFAULT;
    }
    return 0;
}

static long sys_time(struct task *t, const uint64_t a[6])
{
    int64_t s = (int64_t)(clock_read_ns(CLOCK_REALTIME) / NSEC_PER_SEC);
    if (a[0] && copy_to_user(t->mm, a[0], &s, sizeof(s)))
        return -EFAULT;
    return (long)s;
}

static long sys_times(struct task *t, const uint64_t a[6])
{
    uint64_t now = ktime_get_ns();
    uint64_t ticks = now / (NSEC_PER_SEC / USER_HZ);
    struct tms tm = {(clock_t)((now - t->start_ns) / (NSEC_PER_SEC / USER_HZ)), 0,
                     (clock_t)(t->signal->cutime_ns / (NSEC_PER_SEC / USER_HZ)), 0};
    if (a[0] && copy_to_user(t->mm, a[0], &tm, sizeof(tm)))
        return -EFAULT;
    return (long)ticks;
}

/*
 * Sleep until the absolute deadline (machine-clock ns), fixed on the first
 * run. A signal ends it: with a handler the call fails with EINTR and
 * writes what was left to rem; without one it goes on (restart_syscall).
 */
static long sleep_until(struct task *t, uint64_t rem)
{
    if (ktime_get_ns() >= t->restart.deadline)
        return 0;
    if (signal_pending(t)) {
        uint64_t left = t->restart.deadline - ktime_get_ns();
        if (rem && put_timespec(t, rem, left))
            return -EFAULT;
        return -ERESTART_RESTARTBLOCK;
    }
    return sleep_on(t->restart.deadline);
}

static bool first_run(struct task *t)
{
    if (t->restart.armed && t->restart.nr == t->syscall_nr)
        return false;
    t->restart.armed = true;
    t->restart.nr = t->syscall_nr;
    return true;
}

static long sys_nanosleep(struct task *t, const uint64_t a[6])
{
    if (!(t->restart.armed && t->restart.nr == t->syscall_nr)) {
        uint64_t ns;
        long e = get_timespec(t, a[0], &ns);
        if (e)
            return e;
        first_run(t);
        t->restart.deadline = ktime_get_ns() + ns;
    }
    return sleep_until(t, a[1]);
}

static long sys_clock_nanosleep(struct task *t, const uint64_t a[6])
{
    int id = (int)a[0];
    if (!valid_clock(id) || id == CLOCK_THREAD_CPUTIME_ID)
        return -EINVAL;
    if (!(t->restart.armed && t->restart.nr == t->syscall_nr)) {
        uint64_t ns;
        long e = get_timespec(t, a[2], &ns);
        if (e)
            return e;
        first_run(t);
        bool real = id == CLOCK_REALTIME || id == CLOCK_TAI;
        if (a[1] & TIMER_ABSTIME)
            t->restart.deadline = real ? (ns > boot_time_ns() ? ns - boot_time_ns() : 0) : ns;
        else
            t->restart.deadline = ktime_get_ns() + ns;
    }
    long r = sleep_until(t, (a[1] & TIMER_ABSTIME) ? 0 : a[3]);
    /* clock_nanosleep reports errors as its value, never through errno; EINTR stays. */
    return r;
}

/* ---- alarm and the interval timers ------------------------------------------------- */

static const int itimer_signal[3] = {SIGALRM, SIGVTALRM, SIGPROF};

static void itimer_fire(struct ktimer *tm)
{
    struct signal_struct *sig = tm->data;
    int which = (int)(tm - sig->itimer);
    if (sig->itimer_incr[which])
        ktimer_start(tm, tm->expires + sig->itimer_incr[which]);
    send_signal(sig->leader, itimer_signal[which], NULL, true);
}

static uint64_t itimer_left(struct signal_struct *sig, int which)
{
    struct ktimer *tm = &sig->itimer[which];
    if (!tm->queued)
        return 0;
    uint64_t now = ktime_get_ns();
    return tm->expires > now ? tm->expires - now : 1;
}

static void itimer_set(struct signal_struct *sig, int which, uint64_t value, uint64_t interval)
{
    struct ktimer *tm = &sig->itimer[which];
    ktimer_cancel(tm);
    sig->itimer_incr[which] = interval;
    if (!value)
        return;
    tm->fn = itimer_fire;
    tm->data = sig;
    sched_need_preemption(); /* the timer must fire in the middle of guest work too */
    ktimer_start(tm, ktime_get_ns() + value);
}

static long sys_alarm(struct task *t, const uint64_t a[6])
{
    uint64_t left = itimer_left(t->signal, ITIMER_REAL);
    itimer_set(t->signal, ITIMER_REAL, (uint64_t)(unsigned int)a[0] * NSEC_PER_SEC, 0);
    /* Seconds left, rounded to nearest, at least 1 if any was left. */
    uint64_t secs = (left + NSEC_PER_SEC / 2) / NSEC_PER_SEC;
    return (long)(left && !secs ? 1 : secs);
}

static struct timeval ns_to_tv(uint64_t ns)
{
    struct timeval tv = {(time_t)(ns / NSEC_PER_SEC), (suseconds_t)(ns % NSEC_PER_SEC / 1000)};
    return tv;
}

static uint64_t tv_to_ns(struct timeval tv)
{
    return (uint64_t)tv.tv_sec * NSEC_PER_SEC + (uint64_t)tv.tv_usec * 1000ULL;
}

static void itimer_get(struct signal_struct *sig, int which, struct itimerval *v)
{
    v->it_value = ns_to_tv(itimer_left(sig, which));
    v->it_interval = ns_to_tv(sig->itimer_incr[which]);
}

static long sys_getitimer(struct task *t, const uint64_t a[6])
{
    int which = (int)a[0];
    if (which < ITIMER_REAL || which > ITIMER_PROF)
        return -EINVAL;
    struct itimerval v;
    itimer_get(t->signal, which, &v);
    return copy_to_user(t->mm, a[1], &v, sizeof(v)) ? -EFAULT : 0;
}

static bool valid_tv(struct timeval tv)
{
    return tv.tv_sec >= 0 && tv.tv_usec >= 0 && tv.tv_usec < 1000000;
}

static long sys_setitimer(struct task *t, const uint64_t a[6])
{
    int which = (int)a[0];
    if (which < ITIMER_REAL || which > ITIMER_PROF)
        return -EINVAL;
    struct itimerval v, old;
    memset(&v, 0, sizeof(v));
    if (a[1] && copy_from_user(t->mm, &v, a[1], sizeof(v)))
        return -EFAULT;
    if (!valid_tv(v.it_value) || !valid_tv(v.it_interval))
        return -EINVAL;
    itimer_get(t->signal, which, &old);
    itimer_set(t->signal, which, tv_to_ns(v.it_value), tv_to_ns(v.it_interval));
    return a[2] && copy_to_user(t->mm, a[2], &old, sizeof(old)) ? -EFAULT : 0;
}

/* ---- POSIX timers ----------------------------------------------------------------- */

struct k_itimer {
    struct list_head list;
    struct ktimer timer;
    int id;
    int clock;
    int notify; /* SIGEV_SIGNAL, SIGEV_NONE, SIGEV_THREAD_ID */
    int signo;
    int target;    /* SIGEV_THREAD_ID: the thread */
    int64_t value; /* sigev_value */
    uint64_t interval;
    int overrun, last_overrun;
    struct signal_struct *sig;
};

struct sigevent_k {
    int64_t value;
    int32_t signo, notify;
    int32_t tid;
    int32_t pad[11];
};

static struct k_itimer *find_timer(struct task *t, int id)
{
    struct k_itimer *k;
    list_for_each_entry(k, &t->signal->posix_timers, list) if (k->id == id) return k;
    return NULL;
}

static void posix_timer_fire(struct ktimer *tm)
{
    struct k_itimer *k = tm->data;
    if (k->interval)
        ktimer_start(tm, tm->expires + k->interval);
    if (k->notify == SIGEV_NONE)
        return;
    struct kernel_siginfo info;
    memset(&info, 0, sizeof(info));
    info.si_signo = k->signo;
    info.si_code = SI_TIMER;
    info.timer.tid = k->id;
    info.timer.overrun = k->overrun;
    info.timer.value = k->value;
    struct task *target = k->notify == (SIGEV_SIGNAL | 4 /* SIGEV_THREAD_ID */)
                              ? find_task_by_vpid(k->target)
                              : k->sig->leader;
    if (target)
        send_signal(target, k->signo, &info, k->notify == SIGEV_SIGNAL);
}

static long sys_timer_create(struct task *t, const uint64_t a[6])
{
    int clock = (int)a[0];
    if (!valid_clock(clock))
        return -EINVAL;
    struct sigevent_k ev = {.signo = SIGALRM, .notify = SIGEV_SIGNAL};
    if (a[1] && copy_from_user(t->mm, &ev, a[1], sizeof(ev)))
        return -EFAULT;
    if (ev.notify != SIGEV_SIGNAL && ev.notify != SIGEV_NONE && ev.notify != (SIGEV_SIGNAL | 4))
        return -EINVAL;
    if (ev.notify != SIGEV_NONE && (ev.signo < 1 || ev.signo > NR_SIGNALS))
        return -EINVAL;
    struct k_itimer *k = calloc(1, sizeof(*k));
    if (!k)
        return -EAGAIN;
    k->id = t->signal->next_timer_id++;
    k->clock = clock;
    k->notify = ev.notify;
    k->signo = ev.signo;
    k->target = ev.tid;
    k->value = a[1] ? ev.value : k->id;
    k->sig = t->signal;
    k->timer.fn = posix_timer_fire;
    k->timer.data = k;
    int32_t id = k->id;
    if (copy_to_user(t->mm, a[2], &id, sizeof(id))) {
        free(k);
        return -EFAULT;
    }
    list_add_tail(&k->list, &t->signal->posix_timers);
    return 0;
}

static void timer_value(const struct k_itimer *k, struct itimerspec *v)
{
    uint64_t now = ktime_get_ns();
    uint64_t left = k->timer.queued ? (k->timer.expires > now ? k->timer.expires - now : 1) : 0;
    v->it_value = ns_to_ts(left);
    v->it_interval = ns_to_ts(k->interval);
}

static long sys_timer_settime(struct task *t, const uint64_t a[6])
{
    struct k_itimer *k = find_timer(t, (int)a[0]);
    if (!k)
        return -EINVAL;
    struct itimerspec v, old;
    if (copy_from_user(t->mm, &v, a[2], sizeof(v)))
        return -EFAULT;
    if (v.it_value.tv_nsec < 0 || v.it_value.tv_nsec >= (long)NSEC_PER_SEC ||
        v.it_interval.tv_nsec < 0 || v.it_interval.tv_nsec >= (long)NSEC_PER_SEC ||
        v.it_value.tv_sec < 0 || v.it_interval.tv_sec < 0)
        return -EINVAL;
    timer_value(k, &old);
    ktimer_cancel(&k->timer);
    uint64_t value = (uint64_t)v.it_value.tv_sec * NSEC_PER_SEC + (uint64_t)v.it_value.tv_nsec;
    k->interval = (uint64_t)v.it_interval.tv_sec * NSEC_PER_SEC + (uint64_t)v.it_interval.tv_nsec;
    if (value) {
        sched_need_preemption();
        uint64_t at = ktime_get_ns() + value;
        if (a[1] & TIMER_ABSTIME) {
            bool real = k->clock == CLOCK_REALTIME || k->clock == CLOCK_TAI;
            at = real ? (value > boot_time_ns() ? value - boot_time_ns() : 0) : value;
        }
        ktimer_start(&k->timer, at);
    }
    return a[3] && copy_to_user(t->mm, a[3], &old, sizeof(old)) ? -EFAULT : 0;
}

static long sys_timer_gettime(struct task *t, const uint64_t a[6])
{
    struct k_itimer *k = find_timer(t, (int)a[0]);
    if (!k)
        return -EINVAL;
    struct itimerspec v;
    timer_value(k, &v);
    return copy_to_user(t->mm, a[1], &v, sizeof(v)) ? -EFAULT : 0;
}

static long sys_timer_getoverrun(struct task *t, const uint64_t a[6])
{
    struct k_itimer *k = find_timer(t, (int)a[0]);
    return k ? k->last_overrun : -EINVAL;
}

static long sys_timer_delete(struct task *t, const uint64_t a[6])
{
    struct k_itimer *k = find_timer(t, (int)a[0]);
    if (!k)
        return -EINVAL;
    ktimer_cancel(&k->timer);
    list_del(&k->list);
    free(k);
    return 0;
}

void posix_timers_exit(struct signal_struct *sig)
{
    while (!list_empty(&sig->posix_timers)) {
        struct k_itimer *k = list_first_entry(&sig->posix_timers, struct k_itimer, list);
        ktimer_cancel(&k->timer);
        list_del(&k->list);
        free(k);
    }
}

void sys_time_register(syscall_fn table[NR_SYSCALLS])
{
    table[SYS_clock_gettime] = sys_clock_gettime;
    table[SYS_clock_getres] = sys_clock_getres;
    table[SYS_gettimeofday] = sys_gettimeofday;
    table[SYS_time] = sys_time;
    table[SYS_times] = sys_times;
    table[SYS_nanosleep] = sys_nanosleep;
    table[SYS_clock_nanosleep] = sys_clock_nanosleep;
    table[SYS_alarm] = sys_alarm;
    table[SYS_getitimer] = sys_getitimer;
    table[SYS_setitimer] = sys_setitimer;
    table[SYS_timer_create] = sys_timer_create;
    table[SYS_timer_settime] = sys_timer_settime;
    table[SYS_timer_gettime] = sys_timer_gettime;
    table[SYS_timer_getoverrun] = sys_timer_getoverrun;
    table[SYS_timer_delete] = sys_timer_delete;
}
