/*
 * Signals: generation, queueing, the default actions, and delivery
 * through Linux's x86-64 rt_sigframe; the signal system calls.
 *
 * Invariants:
 * - A signal number below KERNEL_SIGRTMIN is pending at most once per
 *   set (private or shared); real-time signals queue every instance.
 *   sigpending.signal is always the union of the queued entries' numbers.
 * - SIGKILL and SIGSTOP are never blocked, caught or ignored.
 * - Frames are built and registers changed only in exit_to_user_mode,
 *   with the CPU stopped; rt_sigreturn changes RIP through resume_ip.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "emu/cpu.h"
#include "emu/kernel/exit.h"
#include "emu/kernel/sched.h"
#include "emu/kernel/signal.h"
#include "emu/kernel/syscall.h"
#include "emu/kernel/task.h"
#include "emu/trace/trace.h"
#include "mm/fs.h"
#include "mm/mm_types.h"
#include "mm/uaccess.h"

#define K_SIG_DFL 0ULL
#define K_SIG_IGN 1ULL
#define SA_RESTORER 0x04000000ULL
#define UC_FP_XSTATE 0x1ULL
#define UC_SIGCONTEXT_SS 0x2ULL
#define UC_STRICT_RESTORE_SS 0x4ULL
#define USER_CS 0x33
#define USER_DS 0x2b
#define MINSIGSTKSZ_KERNEL 2048
#ifndef SS_AUTODISARM
#define SS_AUTODISARM (1U << 31)
#endif
#define SS_FLAG_BITS SS_AUTODISARM
#define RFLAGS_TF 0x100ULL
#define RFLAGS_DF 0x400ULL
#define RFLAGS_RF 0x10000ULL
/* The flags rt_sigreturn takes from the frame (Linux's FIX_EFLAGS). */
#define FIX_EFLAGS 0x50dd5ULL
#define NR_restart_syscall 219

#define SIG_KERNEL_ONLY_MASK (sig_bit(SIGKILL) | sig_bit(SIGSTOP))
#define SIG_KERNEL_STOP_MASK                                                                       \
    (sig_bit(SIGSTOP) | sig_bit(SIGTSTP) | sig_bit(SIGTTIN) | sig_bit(SIGTTOU))
#define SIG_KERNEL_IGNORE_MASK                                                                     \
    (sig_bit(SIGCONT) | sig_bit(SIGCHLD) | sig_bit(SIGWINCH) | sig_bit(SIGURG))
#define SIG_KERNEL_COREDUMP_MASK                                                                   \
    (sig_bit(SIGQUIT) | sig_bit(SIGILL) | sig_bit(SIGTRAP) | sig_bit(SIGABRT) | sig_bit(SIGFPE) |  \
     sig_bit(SIGSEGV) | sig_bit(SIGBUS) | sig_bit(SIGSYS) | sig_bit(SIGXCPU) | sig_bit(SIGXFSZ))
#define SYNCHRONOUS_MASK                                                                           \
    (sig_bit(SIGSEGV) | sig_bit(SIGBUS) | sig_bit(SIGILL) | sig_bit(SIGTRAP) | sig_bit(SIGFPE) |   \
     sig_bit(SIGSYS))

static bool sig_in(int sig, sigset64_t mask)
{
    return sig >= 1 && sig <= 32 && (mask & sig_bit(sig));
}

static bool valid_signal(int sig)
{
    return sig >= 1 && sig <= NR_SIGNALS;
}

/* ---- the frame, as arch/x86's uapi headers lay it out ---------------------------- */

struct ksigcontext {
    uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
    uint64_t di, si, bp, bx, dx, ax, cx, sp, ip, flags;
    uint16_t cs, gs, fs, ss;
    uint64_t err, trapno, oldmask, cr2;
    uint64_t fpstate;
    uint64_t reserved1[8];
};

struct kstack {
    uint64_t ss_sp;
    int32_t ss_flags, pad;
    uint64_t ss_size;
};

struct kucontext {
    uint64_t uc_flags, uc_link;
    struct kstack uc_stack;
    struct ksigcontext uc_mcontext;
    sigset64_t uc_sigmask;
};

struct rt_sigframe {
    uint64_t pretcode;
    struct kucontext uc;
    struct kernel_siginfo info;
};

_Static_assert(sizeof(struct ksigcontext) == 256, "sigcontext is 256 bytes");
_Static_assert(sizeof(struct kernel_siginfo) == 128, "siginfo is 128 bytes");
_Static_assert(sizeof(struct rt_sigframe) == 440, "rt_sigframe is 440 bytes");

/* ---- pending sets ---------------------------------------------------------------- */

void flush_sigqueue(struct sigpending *p)
{
    struct sigqueue *q, *n;
    list_for_each_entry_safe(q, n, &p->list, list)
    {
        list_del(&q->list);
        free(q);
    }
    p->signal = 0;
}

/* Take every instance of the signals in mask out of p. */
static void flush_sigqueue_mask(struct sigpending *p, sigset64_t mask)
{
    struct sigqueue *q, *n;
    list_for_each_entry_safe(q, n, &p->list, list)
    {
        if (mask & sig_bit(q->info.si_signo)) {
            list_del(&q->list);
            free(q);
        }
    }
    p->signal &= ~mask;
}

static void flush_everywhere(struct task *t, sigset64_t mask)
{
    flush_sigqueue_mask(&t->signal->shared_pending, mask);
    for (struct task *u = next_task(NULL); u; u = next_task(u))
        if (u->signal == t->signal)
            flush_sigqueue_mask(&u->pending, mask);
}

bool signal_pending(const struct task *t)
{
    return ((t->pending.signal | t->signal->shared_pending.signal) & ~t->blocked) != 0 ||
           t->signal->group_exit || t->exiting;
}

bool fatal_signal_pending(const struct task *t)
{
    return ((t->pending.signal | t->signal->shared_pending.signal) & sig_bit(SIGKILL)) ||
           t->signal->group_exit || t->exiting;
}

static uint64_t handler_of(const struct task *t, int sig)
{
    return t->sighand->action[sig - 1].handler;
}

bool unhandled_signal(const struct task *t, int sig)
{
    uint64_t h = handler_of(t, sig);
    return h == K_SIG_DFL || h == K_SIG_IGN || (t->blocked & sig_bit(sig));
}

/* Would sig be thrown away on arrival (ignored and not blocked)? */
static bool sig_ignored(const struct task *t, int sig)
{
    if (t->blocked & sig_bit(sig))
        return false;
    uint64_t h = handler_of(t, sig);
    return h == K_SIG_IGN || (h == K_SIG_DFL && sig_in(sig, SIG_KERNEL_IGNORE_MASK));
}

static void fill_kernel_info(struct kernel_siginfo *i, int sig)
{
    memset(i, 0, sizeof(*i));
    i->si_signo = sig;
    i->si_code = SI_KERNEL;
}

/* SIGCONT resumes a stopped process and cancels pending stops; a stop cancels SIGCONT. */
static void prepare_stop_cont(struct task *t, int sig)
{
    if (sig_in(sig, SIG_KERNEL_STOP_MASK)) {
        flush_everywhere(t, sig_bit(SIGCONT));
        return;
    }
    if (sig != SIGCONT)
        return;
    flush_everywhere(t, SIG_KERNEL_STOP_MASK);
    if (t->signal->stopped) {
        t->signal->stopped = false;
        for (struct task *u = next_task(NULL); u; u = next_task(u))
            if (u->signal == t->signal && u->state == TASK_STOPPED)
                wake_up_process(u);
        do_notify_parent_cldstop(t->group_leader, CLD_CONTINUED);
    }
}

/* The thread of the process that should take a process-wide signal. */
static struct task *wants_signal(struct task *t, int sig)
{
    for (struct task *u = next_task(NULL); u; u = next_task(u))
        if (u->signal == t->signal && u->state != TASK_ZOMBIE && u->state != TASK_DEAD &&
            !(u->blocked & sig_bit(sig)))
            return u;
    return NULL;
}

int send_signal(struct task *t, int sig, const struct kernel_siginfo *info, bool group)
{
    if (!valid_signal(sig))
        return -EINVAL;
    if (t->state == TASK_ZOMBIE || t->state == TASK_DEAD || t->signal->group_exit)
        return 0;
    prepare_stop_cont(t, sig);
    if (sig_ignored(t, sig) && sig != SIGKILL)
        return 0;
    struct sigpending *p = group ? &t->signal->shared_pending : &t->pending;
    if (sig < KERNEL_SIGRTMIN && (p->signal & sig_bit(sig)))
        return 0; /* a legacy signal is pending at most once */
    struct sigqueue *q = calloc(1, sizeof(*q));
    if (q) {
        if (info)
            q->info = *info;
        else
            fill_kernel_info(&q->info, sig);
        q->info.si_signo = sig;
        list_add_tail(&q->list, &p->list);
    } else if (sig >= KERNEL_SIGRTMIN) {
        return -EAGAIN; /* a real-time signal is lost only with an error */
    }
    p->signal |= sig_bit(sig);
    wake_up(&t->sighand->signalfd_wqh);
    struct task *target = group ? wants_signal(t, sig) : t;
    if (!target)
        return 0;
    bool fatal = sig == SIGKILL ||
                 (handler_of(t, sig) == K_SIG_DFL && !sig_in(sig, SIG_KERNEL_IGNORE_MASK) &&
                  !sig_in(sig, SIG_KERNEL_STOP_MASK) && !(target->blocked & sig_bit(sig)));
    if (fatal && group) {
        /* The whole process dies: every thread is woken to go. */
        for (struct task *u = next_task(NULL); u; u = next_task(u))
            if (u->signal == t->signal)
                signal_wake_up(u, true);
        return 0;
    }
    signal_wake_up(target, fatal);
    /* SIGCONT wakes a stopped task, but the restart code it left must still apply. */
    return 0;
}

void force_sig_fault(struct task *t, int sig, int code, uint64_t addr)
{
    struct k_sigaction *ka = &t->sighand->action[sig - 1];
    /* A synchronous signal blocked or ignored kills: the handler goes back to default. */
    if (ka->handler == K_SIG_IGN || (t->blocked & sig_bit(sig))) {
        t->blocked &= ~sig_bit(sig);
        if (ka->handler == K_SIG_IGN)
            ka->handler = K_SIG_DFL;
    }
    struct kernel_siginfo info;
    memset(&info, 0, sizeof(info));
    info.si_signo = sig;
    info.si_code = code;
    info.fault.addr = addr;
    send_signal(t, sig, &info, false);
}

void force_sig(struct task *t, int sig)
{
    force_sig_fault(t, sig, SI_KERNEL, 0);
}

/* ---- kill and friends ---------------------------------------------------------------- */

static void user_info(struct kernel_siginfo *i, int sig, int code)
{
    memset(i, 0, sizeof(*i));
    i->si_signo = sig;
    i->si_code = code;
    i->proc.pid = current ? current->tgid : 0;
    i->proc.uid = current ? current->cred.uid : 0;
}

static bool is_process(const struct task *t)
{
    return thread_group_leader(t) && t->state != TASK_DEAD;
}

int kill_pgrp(int pgrp, int sig, const struct kernel_siginfo *info)
{
    int err = -ESRCH;
    for (struct task *t = next_task(NULL); t; t = next_task(t)) {
        if (!is_process(t) || t->signal->pgrp != pgrp)
            continue;
        int e = sig ? send_signal(t, sig, info, true) : 0;
        if (err)
            err = e;
    }
    return err;
}

/*
 * A signal sent to vmemu (emu/hostsig.c) is the guest's, as a terminal's
 * Ctrl-C is its foreground job's: the process group the first process
 * started in gets it (every process left, once that group is empty), from
 * the kernel (SI_KERNEL). Forced (a second Ctrl-C), it ends them whatever
 * they asked: the action goes back to the default and the signal is
 * unblocked, as Linux's force_sig does for a blocked or ignored one.
 */
void kernel_host_signal(int sig, bool forced)
{
    bool group_alive = false;
    for (struct task *t = next_task(NULL); t; t = next_task(t))
        group_alive |= is_process(t) && t->signal->pgrp == GUEST_PID && t->state < TASK_ZOMBIE;
    for (struct task *t = next_task(NULL); t; t = next_task(t)) {
        if (!is_process(t) || t->state >= TASK_ZOMBIE ||
            (group_alive && t->signal->pgrp != GUEST_PID))
            continue;
        if (forced) {
            t->sighand->action[sig - 1].handler = (uint64_t)(uintptr_t)SIG_DFL;
            t->blocked &= ~(1ULL << (sig - 1));
        }
        send_signal(t, sig, NULL, true); /* from the kernel: SI_KERNEL */
    }
}

int kill_something_info(int sig, const struct kernel_siginfo *info, int pid)
{
    if (pid == INT_MIN)
        return -ESRCH; /* no group -INT_MIN, as Linux answers */
    if (pid > 0) {
        struct task *t = find_task_by_vpid(pid);
        if (!t || !is_process(t))
            return -ESRCH;
        return sig ? send_signal(t, sig, info, true) : 0;
    }
    if (pid == 0)
        return kill_pgrp(current->signal->pgrp, sig, info);
    if (pid != -1)
        return kill_pgrp(-pid, sig, info);
    /* -1: every process but the caller's own (and init, which vmemu is). */
    int count = 0, err = 0;
    for (struct task *t = next_task(NULL); t; t = next_task(t)) {
        if (!is_process(t) || t->signal == current->signal)
            continue;
        count++;
        int e = sig ? send_signal(t, sig, info, true) : 0;
        if (e != -EPERM)
            err = e;
    }
    return count ? err : -ESRCH;
}

static long sys_kill(struct task *t, const uint64_t a[6])
{
    (void)t;
    int sig = (int)a[1];
    if (sig && !valid_signal(sig))
        return -EINVAL;
    struct kernel_siginfo info;
    user_info(&info, sig, SI_USER);
    return kill_something_info(sig, &info, (int)a[0]);
}

static long do_tkill(int tgid, int pid, int sig)
{
    if (pid <= 0)
        return -EINVAL;
    if (sig && !valid_signal(sig))
        return -EINVAL;
    struct task *t = find_task_by_vpid(pid);
    if (!t || t->state == TASK_DEAD || (tgid > 0 && t->tgid != tgid))
        return -ESRCH;
    struct kernel_siginfo info;
    user_info(&info, sig, SI_TKILL);
    return sig ? send_signal(t, sig, &info, false) : 0;
}

static long sys_tgkill(struct task *t, const uint64_t a[6])
{
    (void)t;
    if ((int)a[0] <= 0)
        return -EINVAL;
    return do_tkill((int)a[0], (int)a[1], (int)a[2]);
}

static long sys_tkill(struct task *t, const uint64_t a[6])
{
    (void)t;
    return do_tkill(0, (int)a[0], (int)a[1]);
}

/* rt_sigqueueinfo and rt_tgsigqueueinfo: the caller's own siginfo, within Linux's rules. */
static long queue_info(struct task *t, int tgid, int pid, int sig, uint64_t uinfo)
{
    struct kernel_siginfo info;
    if (copy_from_user(t->mm, &info, uinfo, sizeof(info)))
        return -EFAULT;
    if (!valid_signal(sig))
        return -EINVAL;
    /* Only the kernel may claim to be the kernel or tkill, to others. */
    if ((info.si_code >= 0 || info.si_code == SI_TKILL) && pid != t->tgid)
        return -EPERM;
    info.si_signo = sig;
    struct task *target = find_task_by_vpid(pid);
    if (!target || target->state == TASK_DEAD || (tgid && target->tgid != tgid))
        return -ESRCH;
    return send_signal(target, sig, &info, tgid == 0);
}

static long sys_rt_sigqueueinfo(struct task *t, const uint64_t a[6])
{
    return queue_info(t, 0, (int)a[0], (int)a[1], a[2]);
}

static long sys_rt_tgsigqueueinfo(struct task *t, const uint64_t a[6])
{
    return queue_info(t, (int)a[0], (int)a[1], (int)a[2], a[3]);
}

/* ---- actions and masks ---------------------------------------------------------------- */

void set_current_blocked(struct task *t, sigset64_t mask)
{
    t->blocked = mask & ~SIG_KERNEL_ONLY_MASK;
    if (signal_pending(t))
        cpu_request_stop(t->cpu);
}

static long sys_rt_sigaction(struct task *t, const uint64_t a[6])
{
    int sig = (int)a[0];
    if (!valid_signal(sig) || a[3] != sizeof(sigset64_t))
        return -EINVAL;
    struct k_sigaction new_ka, *ka = &t->sighand->action[sig - 1];
    /* Read the new action before writing the old one: they may share a buffer. */
    if (a[1] && copy_from_user(t->mm, &new_ka, a[1], sizeof(new_ka)))
        return -EFAULT;
    if (a[1] && (sig == SIGKILL || sig == SIGSTOP))
        return -EINVAL;
    struct k_sigaction old = *ka;
    if (a[1]) {
        new_ka.mask &= ~SIG_KERNEL_ONLY_MASK;
        *ka = new_ka;
        /* Setting a signal to be ignored throws away what is pending of it. */
        if (sig_ignored(t, sig) || (new_ka.handler == K_SIG_IGN) ||
            (new_ka.handler == K_SIG_DFL && sig_in(sig, SIG_KERNEL_IGNORE_MASK)))
            flush_everywhere(t, sig_bit(sig));
    }
    if (a[2] && copy_to_user(t->mm, a[2], &old, sizeof(old)))
        return -EFAULT;
    return 0;
}

static long sys_rt_sigprocmask(struct task *t, const uint64_t a[6])
{
    if (a[3] != sizeof(sigset64_t))
        return -EINVAL;
    sigset64_t old = t->blocked, set;
    if (a[1]) {
        if (copy_from_user(t->mm, &set, a[1], sizeof(set)))
            return -EFAULT;
        switch ((int)a[0]) {
        case SIG_BLOCK:
            set_current_blocked(t, t->blocked | set);
            break;
        case SIG_UNBLOCK:
            set_current_blocked(t, t->blocked & ~set);
            break;
        case SIG_SETMASK:
            set_current_blocked(t, set);
            break;
        default:
            return -EINVAL;
        }
    }
    return a[2] && copy_to_user(t->mm, a[2], &old, sizeof(old)) ? -EFAULT : 0;
}

static long sys_rt_sigpending(struct task *t, const uint64_t a[6])
{
    if (a[1] > sizeof(sigset64_t))
        return -EINVAL;
    sigset64_t set = (t->pending.signal | t->signal->shared_pending.signal) & t->blocked;
    return copy_to_user(t->mm, a[0], &set, (size_t)a[1]) ? -EFAULT : 0;
}

/* rt_sigsuspend: wait with a temporary mask until a handler has run (always EINTR). */
static long sys_rt_sigsuspend(struct task *t, const uint64_t a[6])
{
    sigset64_t mask;
    if (a[1] != sizeof(sigset64_t))
        return -EINVAL;
    if (!t->restart.armed) {
        if (copy_from_user(t->mm, &mask, a[0], sizeof(mask)))
            return -EFAULT;
        t->saved_sigmask = t->blocked;
        t->restore_sigmask = true;
        t->blocked = mask & ~SIG_KERNEL_ONLY_MASK;
        t->restart.armed = true;
        t->restart.nr = t->syscall_nr;
    }
    if (signal_pending(t))
        return -ERESTARTNOHAND;
    sleep_on(0);
    return -ERESTARTNOHAND;
}

static long sys_pause(struct task *t, const uint64_t a[6])
{
    (void)a;
    if (signal_pending(t))
        return -ERESTARTNOHAND;
    sleep_on(0);
    return -ERESTARTNOHAND;
}

static bool on_sig_stack(const struct task *t, uint64_t sp)
{
    return t->sas_ss_size && sp > t->sas_ss_sp && sp - t->sas_ss_sp <= t->sas_ss_size;
}

static int sas_ss_flags(const struct task *t, uint64_t sp)
{
    if (!t->sas_ss_size)
        return SS_DISABLE;
    return on_sig_stack(t, sp) ? SS_ONSTACK : 0;
}

static void sas_ss_reset(struct task *t)
{
    t->sas_ss_sp = 0;
    t->sas_ss_size = 0;
    t->sas_ss_flags = SS_DISABLE;
}

/* Linux's do_sigaltstack: install *ss (if any) for a task whose stack pointer is sp. */
static long do_sigaltstack(struct task *t, const struct kstack *ss, struct kstack *oss, uint64_t sp)
{
    if (oss) {
        memset(oss, 0, sizeof(*oss));
        oss->ss_sp = t->sas_ss_sp;
        oss->ss_size = t->sas_ss_size;
        oss->ss_flags = sas_ss_flags(t, sp) | (t->sas_ss_flags & SS_FLAG_BITS);
    }
    if (!ss)
        return 0;
    if (on_sig_stack(t, sp))
        return -EPERM;
    int mode = ss->ss_flags & ~SS_FLAG_BITS;
    if (mode != SS_DISABLE && mode != SS_ONSTACK && mode != 0)
        return -EINVAL;
    if (mode == SS_DISABLE) {
        sas_ss_reset(t);
        return 0;
    }
    if (ss->ss_size < MINSIGSTKSZ_KERNEL)
        return -ENOMEM;
    t->sas_ss_sp = ss->ss_sp;
    t->sas_ss_size = ss->ss_size;
    t->sas_ss_flags = ss->ss_flags & SS_FLAG_BITS;
    return 0;
}

static long sys_sigaltstack(struct task *t, const uint64_t a[6])
{
    struct kstack ss, oss;
    /* The new stack is read before the old one is written: they may share a buffer. */
    if (a[0] && copy_from_user(t->mm, &ss, a[0], sizeof(ss)))
        return -EFAULT;
    long err = do_sigaltstack(t, a[0] ? &ss : NULL, &oss, cpu_get(t->cpu, CPU_RSP));
    if (err)
        return err;
    return a[1] && copy_to_user(t->mm, a[1], &oss, sizeof(oss)) ? -EFAULT : 0;
}

/* ---- taking a signal ------------------------------------------------------------------ */

/* The next signal to take: private first, synchronous ones first, then the lowest. */
static int next_signal(const struct sigpending *p, sigset64_t blocked)
{
    sigset64_t ready = p->signal & ~blocked;
    if (!ready)
        return 0;
    sigset64_t sync = ready & SYNCHRONOUS_MASK;
    return __builtin_ctzll(sync ? sync : ready) + 1;
}

static void collect_signal(struct sigpending *p, int sig, struct kernel_siginfo *info)
{
    struct sigqueue *q, *found = NULL;
    bool more = false;
    list_for_each_entry(q, &p->list, list)
    {
        if (q->info.si_signo != sig)
            continue;
        if (found) {
            more = true;
            break;
        }
        found = q;
    }
    if (found) {
        *info = found->info;
        list_del(&found->list);
        free(found);
    } else {
        fill_kernel_info(info, sig); /* queued without memory for its siginfo */
    }
    if (!more)
        p->signal &= ~sig_bit(sig);
}

static int dequeue_signal(struct task *t, struct kernel_siginfo *info)
{
    int sig = next_signal(&t->pending, t->blocked);
    if (sig) {
        collect_signal(&t->pending, sig, info);
        return sig;
    }
    sig = next_signal(&t->signal->shared_pending, t->blocked);
    if (sig)
        collect_signal(&t->signal->shared_pending, sig, info);
    return sig;
}

/* A stop signal's default action: every thread of the process stops. */
static void do_signal_stop(struct task *t, int sig)
{
    struct signal_struct *s = t->signal;
    if (!s->stopped) {
        s->stopped = true;
        s->group_exit_code = sig;
        for (struct task *u = next_task(NULL); u; u = next_task(u))
            if (u->signal == s && u != t && u->state == TASK_INTERRUPTIBLE)
                signal_wake_up(u, false);
        do_notify_parent_cldstop(t->group_leader, CLD_STOPPED);
    }
    t->state = TASK_STOPPED;
}

/*
 * Linux's get_signal: take default actions until a signal with a handler
 * turns up (returned with its info), or none is left (0). May end the task.
 */
static int get_signal(struct task *t, struct kernel_siginfo *info)
{
    for (;;) {
        if (t->signal->group_exit || t->exiting) {
            do_exit(t, t->signal->group_exit ? t->signal->group_exit_code : t->exit_code);
            return 0;
        }
        if (t->signal->stopped) {
            t->state = TASK_STOPPED;
            return 0;
        }
        int sig = dequeue_signal(t, info);
        if (!sig)
            return 0;
        struct k_sigaction *ka = &t->sighand->action[sig - 1];
        if (ka->handler == K_SIG_IGN)
            continue;
        if (ka->handler != K_SIG_DFL) {
            trace_signal(t->tracer, t, sig, info->si_code, true);
            return sig;
        }
        if (sig_in(sig, SIG_KERNEL_IGNORE_MASK))
            continue;
        if (sig_in(sig, SIG_KERNEL_STOP_MASK)) {
            do_signal_stop(t, sig);
            return 0;
        }
        trace_signal(t->tracer, t, sig, info->si_code, false);
        /* Death by signal; vmemu writes no core file, so no "core dumped" bit. */
        do_group_exit(t, sig);
        return 0;
    }
}

/* Where the frame goes: below the red zone, or on the alternate stack. */
static uint64_t frame_address(struct task *t, const struct k_sigaction *ka, uint64_t *fpstate)
{
    uint64_t sp = cpu_get(t->cpu, CPU_RSP) - 128;
    if ((ka->flags & SA_ONSTACK) && sas_ss_flags(t, sp) == 0)
        sp = t->sas_ss_sp + t->sas_ss_size;
    sp = (sp - FXSAVE_SIZE) & ~63ULL;
    *fpstate = sp;
    sp -= sizeof(struct rt_sigframe);
    return ((sp + 8) & ~15ULL) - 8;
}

static void save_sigcontext(struct task *t, struct ksigcontext *sc, sigset64_t mask)
{
    struct cpu *c = t->cpu;
    sc->r8 = cpu_get(c, CPU_R8), sc->r9 = cpu_get(c, CPU_R9);
    sc->r10 = cpu_get(c, CPU_R10), sc->r11 = cpu_get(c, CPU_R11);
    sc->r12 = cpu_get(c, CPU_R12), sc->r13 = cpu_get(c, CPU_R13);
    sc->r14 = cpu_get(c, CPU_R14), sc->r15 = cpu_get(c, CPU_R15);
    sc->di = cpu_get(c, CPU_RDI), sc->si = cpu_get(c, CPU_RSI);
    sc->bp = cpu_get(c, CPU_RBP), sc->bx = cpu_get(c, CPU_RBX);
    sc->dx = cpu_get(c, CPU_RDX), sc->ax = cpu_get(c, CPU_RAX);
    sc->cx = cpu_get(c, CPU_RCX), sc->sp = cpu_get(c, CPU_RSP);
    sc->ip = cpu_get(c, CPU_RIP), sc->flags = cpu_get(c, CPU_RFLAGS);
    sc->cs = USER_CS;
    sc->ss = USER_DS;
    sc->err = t->fault_err;
    sc->trapno = (uint64_t)t->fault_trapno;
    sc->cr2 = t->fault_cr2;
    sc->oldmask = mask;
}

/* Build the rt_sigframe and enter the handler; false if the stack cannot take it. */
static bool setup_rt_frame(struct task *t, int sig, const struct kernel_siginfo *info,
                           const struct k_sigaction *ka)
{
    if (!(ka->flags & SA_RESTORER))
        return false; /* x86-64 Linux needs a restorer to return through */
    uint64_t fpstate, sp = cpu_get(t->cpu, CPU_RSP);
    uint64_t frame_at = frame_address(t, ka, &fpstate);
    sigset64_t mask = t->restore_sigmask ? t->saved_sigmask : t->blocked;
    struct rt_sigframe f;
    memset(&f, 0, sizeof(f));
    f.pretcode = ka->restorer;
    f.uc.uc_flags = UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS; /* FXSAVE format: no xsave here */
    f.uc.uc_stack.ss_sp = t->sas_ss_sp;
    f.uc.uc_stack.ss_size = t->sas_ss_size;
    f.uc.uc_stack.ss_flags = sas_ss_flags(t, sp) | (t->sas_ss_flags & SS_FLAG_BITS);
    save_sigcontext(t, &f.uc.uc_mcontext, mask);
    f.uc.uc_mcontext.fpstate = fpstate;
    f.uc.uc_sigmask = mask;
    if (ka->flags & SA_SIGINFO)
        f.info = *info;
    uint8_t fx[FXSAVE_SIZE];
    cpu_fxsave(t->cpu, fx);
    if (copy_to_user(t->mm, fpstate, fx, sizeof(fx)) ||
        copy_to_user(t->mm, frame_at, &f, sizeof(f)))
        return false;
    struct cpu *c = t->cpu;
    cpu_set(c, CPU_RDI, (uint64_t)sig);
    cpu_set(c, CPU_RSI, frame_at + offsetof(struct rt_sigframe, info));
    cpu_set(c, CPU_RDX, frame_at + offsetof(struct rt_sigframe, uc));
    cpu_set(c, CPU_RAX, 0);
    cpu_set(c, CPU_RSP, frame_at);
    cpu_set(c, CPU_RIP, ka->handler);
    cpu_set(c, CPU_RFLAGS, cpu_get(c, CPU_RFLAGS) & ~(RFLAGS_DF | RFLAGS_RF | RFLAGS_TF));
    cpu_fpu_init(c); /* the handler starts with a clean FPU */
    return true;
}

/* The syscall a signal interrupted: fail with EINTR or run again, as Linux decides. */
static void restart_for_handler(struct task *t, const struct k_sigaction *ka)
{
    long code = t->restart_code;
    t->restart_code = 0;
    if (!code)
        return;
    bool restart = code == -ERESTARTNOINTR || (code == -ERESTARTSYS && (ka->flags & SA_RESTART));
    t->restart.armed = false;
    if (!restart) {
        cpu_set(t->cpu, CPU_RAX, (uint64_t)-EINTR);
        return;
    }
    cpu_set(t->cpu, CPU_RAX, t->syscall_nr);
    cpu_set(t->cpu, CPU_RIP, t->syscall_ip);
}

static void handle_signal(struct task *t, int sig, const struct kernel_siginfo *info)
{
    struct k_sigaction *ka = &t->sighand->action[sig - 1];
    restart_for_handler(t, ka);
    struct k_sigaction taken = *ka;
    if (ka->flags & SA_RESETHAND)
        ka->handler = K_SIG_DFL;
    if (!setup_rt_frame(t, sig, info, &taken)) {
        /* No room for the frame: SIGSEGV, which kills if it was SIGSEGV's handler. */
        if (sig == SIGSEGV)
            ka->handler = K_SIG_DFL;
        force_sig(t, SIGSEGV);
        return;
    }
    t->restore_sigmask = false;
    sigset64_t blocked = t->blocked | taken.mask;
    if (!(taken.flags & SA_NODEFER))
        blocked |= sig_bit(sig);
    set_current_blocked(t, blocked);
    if (t->sas_ss_flags & SS_AUTODISARM)
        sas_ss_reset(t);
}

/* No handler ran: a syscall the signal interrupted starts again. */
static void restart_without_handler(struct task *t)
{
    long code = t->restart_code;
    t->restart_code = 0;
    if (!code)
        return;
    cpu_set(t->cpu, CPU_RAX, code == -ERESTART_RESTARTBLOCK ? NR_restart_syscall : t->syscall_nr);
    cpu_set(t->cpu, CPU_RIP, t->syscall_ip);
}

void exit_to_user_mode(struct task *t)
{
    run_timers();
    if (t->state != TASK_RUNNING)
        return; /* asleep, stopped or gone: nothing runs for it until it is woken */
    if (t->resume_ip) {
        cpu_set(t->cpu, CPU_RIP, t->resume_ip);
        t->resume_ip = 0;
    }
    if (t->in_wait) {
        /* Woken: the call it slept in runs again and finds what woke it. */
        t->in_wait = false;
        syscall_rerun(t);
        if (t->state != TASK_RUNNING)
            return;
    }
    struct kernel_siginfo info;
    int sig;
    while ((sig = get_signal(t, &info)) != 0)
        handle_signal(t, sig, &info);
    if (t->state != TASK_RUNNING)
        return;
    restart_without_handler(t);
    if (t->restore_sigmask) {
        t->restore_sigmask = false;
        set_current_blocked(t, t->saved_sigmask);
    }
}

void flush_signal_handlers(struct task *t)
{
    for (int i = 0; i < NR_SIGNALS; i++) {
        struct k_sigaction *ka = &t->sighand->action[i];
        if (ka->handler != K_SIG_IGN)
            ka->handler = K_SIG_DFL;
        ka->flags = 0;
        ka->restorer = 0;
        ka->mask = 0;
    }
    sas_ss_reset(t);
}

/* rt_sigreturn: the registers, mask, FPU and alternate stack from the frame. */
static long sys_rt_sigreturn(struct task *t, const uint64_t a[6])
{
    (void)a;
    struct cpu *c = t->cpu;
    uint64_t frame_at = cpu_get(c, CPU_RSP) - sizeof(uint64_t);
    struct rt_sigframe f;
    uint8_t fx[FXSAVE_SIZE];
    if (copy_from_user(t->mm, &f, frame_at, sizeof(f)))
        goto badframe;
    const struct ksigcontext *sc = &f.uc.uc_mcontext;
    if (sc->fpstate && copy_from_user(t->mm, fx, sc->fpstate, sizeof(fx)))
        goto badframe;
    set_current_blocked(t, f.uc.uc_sigmask);
    cpu_set(c, CPU_R8, sc->r8), cpu_set(c, CPU_R9, sc->r9);
    cpu_set(c, CPU_R10, sc->r10), cpu_set(c, CPU_R11, sc->r11);
    cpu_set(c, CPU_R12, sc->r12), cpu_set(c, CPU_R13, sc->r13);
    cpu_set(c, CPU_R14, sc->r14), cpu_set(c, CPU_R15, sc->r15);
    cpu_set(c, CPU_RDI, sc->di), cpu_set(c, CPU_RSI, sc->si);
    cpu_set(c, CPU_RBP, sc->bp), cpu_set(c, CPU_RBX, sc->bx);
    cpu_set(c, CPU_RDX, sc->dx), cpu_set(c, CPU_RAX, sc->ax);
    cpu_set(c, CPU_RCX, sc->cx), cpu_set(c, CPU_RSP, sc->sp);
    cpu_set(c, CPU_RFLAGS, (cpu_get(c, CPU_RFLAGS) & ~FIX_EFLAGS) | (sc->flags & FIX_EFLAGS));
    if (sc->fpstate)
        cpu_fxrstor(c, fx);
    else
        cpu_fpu_init(c);
    do_sigaltstack(t, &f.uc.uc_stack, NULL, sc->sp);
    trace_sigreturn(t->tracer, t);
    t->resume_ip = sc->ip ? sc->ip : 0;
    if (!sc->ip)
        cpu_set(c, CPU_RIP, 0); /* a jump to NULL, as the frame says */
    t->regs_set = true;
    return (long)sc->ax;

badframe:
    force_sig(t, SIGSEGV);
    t->regs_set = true;
    return 0;
}

/* rt_sigtimedwait: take one of the set's signals without running a handler. */
static long sys_rt_sigtimedwait(struct task *t, const uint64_t a[6])
{
    sigset64_t set;
    if (a[3] != sizeof(sigset64_t))
        return -EINVAL;
    if (copy_from_user(t->mm, &set, a[0], sizeof(set)))
        return -EFAULT;
    set &= ~SIG_KERNEL_ONLY_MASK;
    if (!t->restart.armed && a[2]) {
        struct timespec ts;
        if (copy_from_user(t->mm, &ts, a[2], sizeof(ts)))
            return -EFAULT;
        if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000L)
            return -EINVAL;
        t->restart.deadline =
            ktime_get_ns() + (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
    }
    if (!t->restart.armed) {
        t->restart.armed = true;
        t->restart.nr = t->syscall_nr;
        if (!a[2])
            t->restart.deadline = 0;
    }
    struct kernel_siginfo info;
    sigset64_t saved = t->blocked;
    t->blocked &= ~set; /* dequeue only from the set */
    t->blocked |= ~set;
    int sig = dequeue_signal(t, &info);
    t->blocked = saved;
    if (sig) {
        if (a[1] && copy_to_user(t->mm, a[1], &info, sizeof(info)))
            return -EFAULT;
        return sig;
    }
    if (a[2] && t->restart.deadline <= ktime_get_ns())
        return -EAGAIN;
    if (signal_pending(t))
        return -EINTR;
    /* Sleep with the set unblocked, so that its signals wake us. */
    t->saved_sigmask = saved;
    t->blocked = saved & ~set;
    long r = sleep_on(t->restart.deadline);
    t->blocked = saved;
    return r == -ERESTARTSYS && t->state == TASK_RUNNING ? -EINTR : r;
}

static long sys_restart_syscall(struct task *t, const uint64_t a[6])
{
    (void)a;
    if (!t->restart.armed)
        return -EINTR;
    return syscall_invoke(t, t->restart.nr);
}

/* ---- signalfd ------------------------------------------------------------------- */

struct signalfd_ctx {
    sigset64_t mask;
};

/* Linux's struct signalfd_siginfo: 128 bytes. */
struct signalfd_siginfo_k {
    uint32_t ssi_signo;
    int32_t ssi_errno, ssi_code;
    uint32_t ssi_pid, ssi_uid;
    int32_t ssi_fd;
    uint32_t ssi_tid, ssi_band, ssi_overrun, ssi_trapno;
    int32_t ssi_status, ssi_int;
    uint64_t ssi_ptr, ssi_utime, ssi_stime, ssi_addr;
    uint16_t ssi_addr_lsb;
    uint8_t pad[46];
};
_Static_assert(sizeof(struct signalfd_siginfo_k) == 128, "signalfd_siginfo is 128 bytes");

/* Take one pending signal of mask for the reader, as dequeue_signal does. */
static int dequeue_masked(struct task *t, sigset64_t mask, struct kernel_siginfo *info)
{
    sigset64_t saved = t->blocked;
    t->blocked = ~mask;
    int sig = dequeue_signal(t, info);
    t->blocked = saved;
    return sig;
}

static long signalfd_read(struct file *f, uint64_t ubuf, size_t count)
{
    struct signalfd_ctx *ctx = f->private_data;
    struct task *t = current;
    size_t n = 0;
    if (count < sizeof(struct signalfd_siginfo_k))
        return -EINVAL;
    while (n + sizeof(struct signalfd_siginfo_k) <= count) {
        struct kernel_siginfo info;
        int sig = dequeue_masked(t, ctx->mask, &info);
        if (!sig)
            break;
        struct signalfd_siginfo_k s;
        memset(&s, 0, sizeof(s));
        s.ssi_signo = (uint32_t)sig;
        s.ssi_code = info.si_code;
        s.ssi_pid = (uint32_t)info.proc.pid;
        s.ssi_uid = info.proc.uid;
        s.ssi_int = (int32_t)info.proc.value;
        s.ssi_ptr = (uint64_t)info.proc.value;
        if (sig == SIGCHLD)
            s.ssi_status = info.proc.chld.status;
        if (copy_to_user(t->mm, ubuf + n, &s, sizeof(s)))
            return n ? (long)n : -EFAULT;
        n += sizeof(s);
    }
    if (n)
        return (long)n;
    if (f->f_flags & O_NONBLOCK)
        return -EAGAIN;
    if (signal_pending(t))
        return -ERESTARTSYS;
    return wait_on(&t->sighand->signalfd_wqh);
}

static unsigned int signalfd_poll(struct file *f, bool queue)
{
    struct signalfd_ctx *ctx = f->private_data;
    struct task *t = current;
    if (queue)
        prepare_to_sleep(&t->sighand->signalfd_wqh);
    sigset64_t pend = t->pending.signal | t->signal->shared_pending.signal;
    return (pend & ctx->mask) ? POLLIN | POLLRDNORM : 0;
}

static void signalfd_release(struct file *f)
{
    free(f->private_data);
}

static const struct file_operations signalfd_fops = {
    .read_user = signalfd_read,
    .poll = signalfd_poll,
    .release = signalfd_release,
};

static long do_signalfd(struct task *t, int fd, uint64_t umask, uint64_t size, int flags)
{
    sigset64_t mask;
    if (size != sizeof(mask) || (flags & ~(O_CLOEXEC | O_NONBLOCK)))
        return -EINVAL;
    if (copy_from_user(t->mm, &mask, umask, sizeof(mask)))
        return -EFAULT;
    mask &= ~SIG_KERNEL_ONLY_MASK;
    if (fd != -1) {
        struct file *f = fd_get(t, fd);
        if (!f)
            return -EBADF;
        if (f->f_op != &signalfd_fops)
            return -EINVAL;
        ((struct signalfd_ctx *)f->private_data)->mask = mask;
        return fd;
    }
    struct signalfd_ctx *ctx = calloc(1, sizeof(*ctx));
    if (!ctx)
        return -ENOMEM;
    ctx->mask = mask;
    int err = 0;
    struct file *f = alloc_file_pseudo("anon_inode:[signalfd]", O_RDWR | (flags & O_NONBLOCK), 0600,
                                       &signalfd_fops, ctx, &err);
    if (!f) {
        free(ctx);
        return err;
    }
    int nfd = fd_install(t, f, 0, flags & O_CLOEXEC);
    if (nfd < 0)
        fput(f);
    return nfd;
}

static long sys_signalfd(struct task *t, const uint64_t a[6])
{
    return do_signalfd(t, (int)a[0], a[1], a[2], 0);
}

static long sys_signalfd4(struct task *t, const uint64_t a[6])
{
    return do_signalfd(t, (int)a[0], a[1], a[2], (int)a[3]);
}

void sys_signal_register(syscall_fn table[NR_SYSCALLS])
{
    table[SYS_signalfd] = sys_signalfd;
    table[SYS_signalfd4] = sys_signalfd4;
    table[SYS_rt_sigaction] = sys_rt_sigaction;
    table[SYS_rt_sigprocmask] = sys_rt_sigprocmask;
    table[SYS_rt_sigpending] = sys_rt_sigpending;
    table[SYS_rt_sigsuspend] = sys_rt_sigsuspend;
    table[SYS_rt_sigreturn] = sys_rt_sigreturn;
    table[SYS_rt_sigtimedwait] = sys_rt_sigtimedwait;
    table[SYS_rt_sigqueueinfo] = sys_rt_sigqueueinfo;
    table[SYS_rt_tgsigqueueinfo] = sys_rt_tgsigqueueinfo;
    table[SYS_sigaltstack] = sys_sigaltstack;
    table[SYS_pause] = sys_pause;
    table[SYS_kill] = sys_kill;
    table[SYS_tkill] = sys_tkill;
    table[SYS_tgkill] = sys_tgkill;
    table[SYS_restart_syscall] = sys_restart_syscall;
}
