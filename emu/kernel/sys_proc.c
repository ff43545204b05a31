#define _GNU_SOURCE
/*
 * Process, identity, time and signal system calls for one single-threaded
 * guest. Time is virtual unless --realtime: every query advances the clock
 * by a fixed step, so runs are reproducible.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "emu/cpu.h"
#include "emu/kernel/syscall.h"
#include "emu/kernel/task.h"
#include "mm/mmap.h"
#include "mm/uaccess.h"

#define VCLOCK_STEP_NS 1000ULL
#define NGROUPS_MAX_GUEST 1024
#define ARCH_SET_GS 0x1001
#define ARCH_SET_FS 0x1002
#define ARCH_GET_FS 0x1003
#define ARCH_GET_GS 0x1004
#define FUTEX_CMD_MASK 0x7f
#define FUTEX_WAIT 0
#define FUTEX_WAKE 1

static long sys_exit_group(struct task *t, const uint64_t a[6])
{
    t->exited = true;
    t->exit_status = (int)(a[0] & 0xff);
    cpu_request_stop(t->cpu);
    return 0;
}

static long sys_arch_prctl(struct task *t, const uint64_t a[6])
{
    switch (a[0]) {
    case ARCH_SET_FS:
    case ARCH_SET_GS:
        if (a[1] >= TASK_SIZE)
            return -EPERM;
        cpu_set(t->cpu, a[0] == ARCH_SET_FS ? CPU_FS_BASE : CPU_GS_BASE, a[1]);
        return 0;
    case ARCH_GET_FS:
    case ARCH_GET_GS: {
        uint64_t v = cpu_get(t->cpu, a[0] == ARCH_GET_FS ? CPU_FS_BASE : CPU_GS_BASE);
        return copy_to_user(t->mm, a[1], &v, sizeof(v)) ? -EFAULT : 0;
    }
    default:
        return -EINVAL;
    }
}

static long sys_set_tid_address(struct task *t, const uint64_t a[6])
{
    t->clear_child_tid = a[0];
    return GUEST_PID;
}

static long sys_set_robust_list(struct task *t, const uint64_t a[6])
{
    (void)t;
    return a[1] == 24 ? 0 : -EINVAL; /* sizeof(struct robust_list_head) */
}

/* As a kernel built without restartable sequences answers. */
static long sys_rseq(struct task *t, const uint64_t a[6])
{
    (void)t, (void)a;
    return -ENOSYS;
}

static long sys_getpid(struct task *t, const uint64_t a[6])
{
    (void)t, (void)a;
    return GUEST_PID;
}

static long sys_getppid(struct task *t, const uint64_t a[6])
{
    (void)t, (void)a;
    return 1;
}

/* The guest runs as the user who runs vmemu, as a native run would. */
static long sys_getuid(struct task *t, const uint64_t a[6])
{
    (void)t, (void)a;
    return (long)getuid();
}

static long sys_geteuid(struct task *t, const uint64_t a[6])
{
    (void)t, (void)a;
    return (long)geteuid();
}

static long sys_getgid(struct task *t, const uint64_t a[6])
{
    (void)t, (void)a;
    return (long)getgid();
}

static long sys_getegid(struct task *t, const uint64_t a[6])
{
    (void)t, (void)a;
    return (long)getegid();
}

static long sys_prlimit64(struct task *t, const uint64_t a[6])
{
    if (a[0] != 0 && a[0] != GUEST_PID)
        return -ESRCH;
    if (a[1] >= RLIM_NLIMITS)
        return -EINVAL;
    struct rlimit *cur = &t->rlim[a[1]], n;
    if (a[2] && copy_from_user(t->mm, &n, a[2], sizeof(n)))
        return -EFAULT;
    if (a[2] && n.rlim_cur > n.rlim_max)
        return -EINVAL;
    /* Raising a hard limit needs CAP_SYS_RESOURCE: only if vmemu's user has it. */
    if (a[2] && n.rlim_max > cur->rlim_max && geteuid() != 0)
        return -EPERM;
    if (a[3] && copy_to_user(t->mm, a[3], cur, sizeof(*cur)))
        return -EFAULT;
    if (a[2]) {
        *cur = n;
        if (a[1] == RLIMIT_STACK)
            t->mm->stack_rlimit = n.rlim_cur == RLIM_INFINITY ? ~0UL : (unsigned long)n.rlim_cur;
    }
    return 0;
}

static long sys_getrlimit(struct task *t, const uint64_t a[6])
{
    uint64_t b[6] = {0, a[0], 0, a[1]};
    return sys_prlimit64(t, b);
}

static long sys_setrlimit(struct task *t, const uint64_t a[6])
{
    uint64_t b[6] = {0, a[0], a[1], 0};
    return sys_prlimit64(t, b);
}

static long sys_uname(struct task *t, const uint64_t a[6])
{
    struct utsname u;
    memset(&u, 0, sizeof(u));
    strcpy(u.sysname, "Linux");
    strcpy(u.nodename, "vmemu");
    strcpy(u.release, "6.1.0-vmemu");
    strcpy(u.version, "#1 SMP PREEMPT_DYNAMIC vmemu");
    strcpy(u.machine, "x86_64");
    strcpy(u.domainname, "(none)");
    return copy_to_user(t->mm, a[0], &u, sizeof(u)) ? -EFAULT : 0;
}

static long sys_getrandom(struct task *t, const uint64_t a[6])
{
    if (a[2] & ~(uint64_t)(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE))
        return -EINVAL;
    size_t len = a[1] > 33554431 ? 33554431 : (size_t)a[1]; /* Linux caps one call */
    for (size_t done = 0; done < len; done += 8) {
        uint64_t r = task_random(t);
        size_t n = len - done < 8 ? len - done : 8;
        if (copy_to_user(t->mm, a[0] + done, &r, n))
            return done ? (long)done : -EFAULT;
    }
    return (long)len;
}

/* Nanoseconds of the clock the guest sees. */
static uint64_t now_ns(struct task *t, clockid_t id)
{
    if (t->opts->realtime) {
        struct timespec ts;
        clock_gettime(id, &ts);
        return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
    }
    t->vclock_ns += VCLOCK_STEP_NS;
    if (id == CLOCK_REALTIME || id == CLOCK_REALTIME_COARSE || id == CLOCK_TAI)
        return t->vclock_ns;
    return t->vclock_ns - t->start_ns; /* monotonic clocks and CPU time count from start */
}

static long sys_clock_gettime(struct task *t, const uint64_t a[6])
{
    clockid_t id = (clockid_t)a[0];
    if (id < 0 || id > CLOCK_TAI)
        return -EINVAL;
    uint64_t ns = now_ns(t, id);
    struct timespec ts = {(time_t)(ns / 1000000000ULL), (long)(ns % 1000000000ULL)};
    return copy_to_user(t->mm, a[1], &ts, sizeof(ts)) ? -EFAULT : 0;
}

static long sys_clock_getres(struct task *t, const uint64_t a[6])
{
    struct timespec ts = {0, 1};
    if ((clockid_t)a[0] < 0 || (clockid_t)a[0] > CLOCK_TAI)
        return -EINVAL;
    return a[1] && copy_to_user(t->mm, a[1], &ts, sizeof(ts)) ? -EFAULT : 0;
}

static long sys_gettimeofday(struct task *t, const uint64_t a[6])
{
    uint64_t ns = now_ns(t, CLOCK_REALTIME);
    struct timeval tv = {(time_t)(ns / 1000000000ULL), (suseconds_t)(ns % 1000000000ULL / 1000)};
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
    int64_t s = (int64_t)(now_ns(t, CLOCK_REALTIME) / 1000000000ULL);
    if (a[0] && copy_to_user(t->mm, a[0], &s, sizeof(s)))
        return -EFAULT;
    return (long)s;
}

/* Sleeping only moves the virtual clock (or waits, with --realtime). */
static long sys_nanosleep(struct task *t, const uint64_t a[6])
{
    struct timespec ts;
    if (copy_from_user(t->mm, &ts, a[0], sizeof(ts)))
        return -EFAULT;
    if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000L)
        return -EINVAL;
    if (t->opts->realtime)
        nanosleep(&ts, NULL);
    else
        t->vclock_ns += (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
    return 0;
}

static long sys_clock_nanosleep(struct task *t, const uint64_t a[6])
{
    if (a[1] & TIMER_ABSTIME)
        return 0; /* an absolute deadline on the virtual clock: already reached */
    uint64_t b[6] = {a[2]};
    return sys_nanosleep(t, b);
}

static long sys_sched_yield(struct task *t, const uint64_t a[6])
{
    (void)t, (void)a;
    return 0;
}

static long sys_rt_sigaction(struct task *t, const uint64_t a[6])
{
    int sig = (int)a[0];
    if (sig < 1 || sig > NR_SIGNALS || a[3] != 8)
        return -EINVAL;
    if (a[1] && (sig == SIGKILL || sig == SIGSTOP))
        return -EINVAL;
    struct k_sigaction *ka = &t->sigactions[sig - 1];
    if (a[2] && copy_to_user(t->mm, a[2], ka, sizeof(*ka)))
        return -EFAULT;
    if (a[1] && copy_from_user(t->mm, ka, a[1], sizeof(*ka)))
        return -EFAULT;
    return 0;
}

static long sys_rt_sigprocmask(struct task *t, const uint64_t a[6])
{
    if (a[3] != 8)
        return -EINVAL;
    uint64_t old = t->sigmask, set;
    if (a[1]) {
        if (copy_from_user(t->mm, &set, a[1], sizeof(set)))
            return -EFAULT;
        set &= ~((1ULL << (SIGKILL - 1)) | (1ULL << (SIGSTOP - 1)));
        if (a[0] == SIG_BLOCK)
            t->sigmask |= set;
        else if (a[0] == SIG_UNBLOCK)
            t->sigmask &= ~set;
        else if (a[0] == SIG_SETMASK)
            t->sigmask = set;
        else
            return -EINVAL;
    }
    return a[2] && copy_to_user(t->mm, a[2], &old, sizeof(old)) ? -EFAULT : 0;
}

static long sys_sigaltstack(struct task *t, const uint64_t a[6])
{
    if (a[1] && copy_to_user(t->mm, a[1], t->altstack, sizeof(t->altstack)))
        return -EFAULT;
    if (a[0] && copy_from_user(t->mm, t->altstack, a[0], sizeof(t->altstack)))
        return -EFAULT;
    return 0;
}

/* Signals whose default action is to do nothing. */
static bool default_ignored(int sig)
{
    return sig == SIGCHLD || sig == SIGURG || sig == SIGWINCH || sig == SIGCONT;
}

/* A signal sent to the guest itself: vmemu does not run guest handlers yet. */
static long send_self(struct task *t, int sig)
{
    if (sig == 0)
        return 0;
    if (sig < 1 || sig > NR_SIGNALS)
        return -EINVAL;
    uint64_t h = t->sigactions[sig - 1].handler;
    if (h == (uint64_t)(uintptr_t)SIG_IGN || (h == 0 && default_ignored(sig)))
        return 0;
    if (h != 0)
        fprintf(stderr, "vmemu: %s has a handler for signal %d; handlers are not run yet\n",
                t->comm, sig);
    task_kill(t, sig);
    return 0;
}

void kernel_host_signal(int sig, bool forced)
{
    for (struct task *t = next_task(NULL); t; t = next_task(t)) {
        if (forced)
            task_kill(t, sig);
        else
            send_self(t, sig);
    }
}

static long sys_kill(struct task *t, const uint64_t a[6])
{
    int64_t pid = (int64_t)(int)a[0];
    if (pid != GUEST_PID && pid != 0 && pid != -1)
        return -ESRCH;
    return send_self(t, (int)a[1]);
}

static long sys_tgkill(struct task *t, const uint64_t a[6])
{
    if ((int)a[0] != GUEST_PID || (int)a[1] != GUEST_PID)
        return -ESRCH;
    return send_self(t, (int)a[2]);
}

static long sys_tkill(struct task *t, const uint64_t a[6])
{
    if ((int)a[0] != GUEST_PID)
        return -ESRCH;
    return send_self(t, (int)a[1]);
}

/* One thread: nobody else can wake a waiter, and nobody waits to be woken. */
static long sys_futex(struct task *t, const uint64_t a[6])
{
    int cmd = (int)a[1] & FUTEX_CMD_MASK;
    if (cmd == FUTEX_WAKE)
        return 0;
    if (cmd == FUTEX_WAIT) {
        uint32_t v;
        if (copy_from_user(t->mm, &v, a[0], sizeof(v)))
            return -EFAULT;
        return v != (uint32_t)a[2] ? -EAGAIN : -ETIMEDOUT;
    }
    return -ENOSYS;
}

static long sys_sched_getaffinity(struct task *t, const uint64_t a[6])
{
    uint64_t mask = 1; /* one CPU */
    if (a[1] < sizeof(mask) || (a[1] & (sizeof(long) - 1)))
        return -EINVAL;
    return copy_to_user(t->mm, a[2], &mask, sizeof(mask)) ? -EFAULT : (long)sizeof(mask);
}

static long sys_getrusage(struct task *t, const uint64_t a[6])
{
    if ((int)a[0] != RUSAGE_SELF && (int)a[0] != RUSAGE_CHILDREN && (int)a[0] != RUSAGE_THREAD)
        return -EINVAL;
    struct rusage ru;
    memset(&ru, 0, sizeof(ru));
    if ((int)a[0] != RUSAGE_CHILDREN) {
        uint64_t us = (t->vclock_ns - t->start_ns) / 1000;
        ru.ru_utime.tv_sec = (time_t)(us / 1000000);
        ru.ru_utime.tv_usec = (suseconds_t)(us % 1000000);
        ru.ru_maxrss = (long)(t->mm->hiwater_rss * (PAGE_SIZE / 1024));
        ru.ru_minflt = (long)t->mm->faults.min_flt;
        ru.ru_majflt = (long)t->mm->faults.maj_flt;
    }
    return copy_to_user(t->mm, a[1], &ru, sizeof(ru)) ? -EFAULT : 0;
}

static long sys_sysinfo(struct task *t, const uint64_t a[6])
{
    struct sysinfo si;
    memset(&si, 0, sizeof(si));
    si.uptime = (long)((t->vclock_ns - t->start_ns) / 1000000000ULL);
    si.totalram = phys_ram_bytes();
    si.freeram = nr_free_pages() * PAGE_SIZE;
    si.procs = 1;
    si.mem_unit = 1;
    return copy_to_user(t->mm, a[0], &si, sizeof(si)) ? -EFAULT : 0;
}

/* The supplementary groups of vmemu's user, as a native child inherits them. */
static long sys_getgroups(struct task *t, const uint64_t a[6])
{
    gid_t groups[NGROUPS_MAX_GUEST];
    int n = getgroups(NGROUPS_MAX_GUEST, groups);
    if (n < 0)
        return -errno;
    if (a[0] == 0)
        return n;
    if ((int)a[0] < 0)
        return -EINVAL;
    if ((int)a[0] < n)
        return -EINVAL;
    return copy_to_user(t->mm, a[1], groups, (size_t)n * sizeof(gid_t)) ? -EFAULT : n;
}

/* prctl(2): the options a single-threaded program without capabilities uses. */
static long sys_prctl(struct task *t, const uint64_t a[6])
{
    enum { SET_PDEATHSIG = 1, GET_PDEATHSIG, GET_DUMPABLE, SET_DUMPABLE, SET_NAME = 15, GET_NAME };
    char name[sizeof(t->comm)];
    switch (a[0]) {
    case SET_NAME:
        /* The kernel copies up to 16 bytes and keeps 15 and a NUL. */
        if (strncpy_from_user(t->mm, name, a[1], sizeof(name)) < 0)
            return -EFAULT;
        name[sizeof(name) - 1] = '\0';
        memcpy(t->comm, name, sizeof(name));
        return 0;
    case GET_NAME:
        return copy_to_user(t->mm, a[1], t->comm, sizeof(t->comm)) ? -EFAULT : 0;
    case SET_PDEATHSIG:
        return a[1] > NR_SIGNALS ? -EINVAL : 0;
    case GET_PDEATHSIG: {
        int none = 0;
        return copy_to_user(t->mm, a[1], &none, sizeof(none)) ? -EFAULT : 0;
    }
    case GET_DUMPABLE:
        return 1;
    case SET_DUMPABLE:
        return a[1] > 1 ? -EINVAL : 0;
    default:
        return -EINVAL;
    }
}

void sys_proc_register(syscall_fn table[NR_SYSCALLS])
{
    table[SYS_prctl] = sys_prctl;
    table[SYS_getgroups] = sys_getgroups;
    table[SYS_exit] = sys_exit_group;
    table[SYS_exit_group] = sys_exit_group;
    table[SYS_arch_prctl] = sys_arch_prctl;
    table[SYS_set_tid_address] = sys_set_tid_address;
    table[SYS_set_robust_list] = sys_set_robust_list;
    table[SYS_rseq] = sys_rseq;
    table[SYS_getpid] = sys_getpid;
    table[SYS_gettid] = sys_getpid;
    table[SYS_getppid] = sys_getppid;
    table[SYS_getuid] = sys_getuid;
    table[SYS_geteuid] = sys_geteuid;
    table[SYS_getgid] = sys_getgid;
    table[SYS_getegid] = sys_getegid;
    table[SYS_prlimit64] = sys_prlimit64;
    table[SYS_getrlimit] = sys_getrlimit;
    table[SYS_setrlimit] = sys_setrlimit;
    table[SYS_uname] = sys_uname;
    table[SYS_getrandom] = sys_getrandom;
    table[SYS_clock_gettime] = sys_clock_gettime;
    table[SYS_clock_getres] = sys_clock_getres;
    table[SYS_gettimeofday] = sys_gettimeofday;
    table[SYS_time] = sys_time;
    table[SYS_nanosleep] = sys_nanosleep;
    table[SYS_clock_nanosleep] = sys_clock_nanosleep;
    table[SYS_sched_yield] = sys_sched_yield;
    table[SYS_rt_sigaction] = sys_rt_sigaction;
    table[SYS_rt_sigprocmask] = sys_rt_sigprocmask;
    table[SYS_sigaltstack] = sys_sigaltstack;
    table[SYS_kill] = sys_kill;
    table[SYS_tgkill] = sys_tgkill;
    table[SYS_tkill] = sys_tkill;
    table[SYS_futex] = sys_futex;
    table[SYS_sched_getaffinity] = sys_sched_getaffinity;
    table[SYS_getrusage] = sys_getrusage;
    table[SYS_sysinfo] = sys_sysinfo;
}
