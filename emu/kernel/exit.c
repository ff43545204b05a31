/*
 * Exit and wait.
 *
 * Invariants:
 * - A process's leader becomes a zombie only when its last thread has
 *   exited; a zombie keeps its signal_struct (status, usage) and nothing
 *   else, until wait reaps it or its parent turns out not to want it
 *   (SIGCHLD ignored, SA_NOCLDWAIT, no parent: vmemu reaps it at once).
 * - Children of an exiting process go to the nearest child subreaper
 *   among its ancestors, or to vmemu itself (the guest's init), which
 *   reaps them when they end.
 * - current is never released here: it is marked TASK_DEAD and the run
 *   loop releases it once it is off the CPU.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "emu/cpu.h"
#include "emu/fs/fdtable.h"
#include "emu/kernel/exit.h"
#include "emu/kernel/futex.h"
#include "emu/kernel/pidfd.h"
#include "emu/kernel/sched.h"
#include "emu/kernel/signal.h"
#include "emu/kernel/task.h"
#include "emu/kernel/time.h"
#include "emu/trace/memreport.h"
#include "emu/trace/memstat.h"
#include "emu/trace/trace.h"
#include "mm/mmap.h"
#include "mm/uaccess.h"

#ifndef __WNOTHREAD
#define __WNOTHREAD 0x20000000
#endif
#ifndef __WALL
#define __WALL 0x40000000
#endif
#ifndef __WCLONE
#define __WCLONE 0x80000000
#endif

static struct exit_record *records;
static unsigned int nr_records, cap_records;

const struct exit_record *exit_records(unsigned int *n)
{
    *n = nr_records;
    return records;
}

void exit_records_free(void)
{
    free(records);
    records = NULL;
    nr_records = cap_records = 0;
}

static void record_exit(const struct task *t, int status)
{
    if (nr_records == cap_records) {
        unsigned int cap = cap_records ? cap_records * 2 : 16;
        struct exit_record *r = realloc(records, cap * sizeof(*r));
        if (!r)
            return; /* the summary loses a line, nothing else */
        records = r;
        cap_records = cap;
    }
    struct exit_record *r = &records[nr_records++];
    r->pid = t->tgid;
    r->ppid = task_ppid(t);
    memcpy(r->comm, t->comm, sizeof(r->comm));
    r->status = status;
    r->threads = t->signal->threads_made;
    r->faults = t->signal->faults;
    r->faults.min_flt = t->signal->min_flt;
    r->faults.maj_flt = t->signal->maj_flt;
    r->hiwater_rss = t->hiwater_rss;
}

/* The CPU time vmemu accounts a task: its life on the machine's clock. */
static uint64_t task_utime_ns(const struct task *t)
{
    return ktime_get_ns() - t->start_ns;
}

/* Release a task that is not on the CPU now, or mark it for the loop. */
static void reap(struct task *t)
{
    if (t == current) {
        t->state = TASK_DEAD;
        return;
    }
    release_task(t);
}

/* The vfork parent waits until the child execs or exits (Linux's mm_release). */
void mm_release(struct task *t)
{
    if (t->vfork_parent) {
        struct task *p = t->vfork_parent;
        t->vfork_parent = NULL;
        p->frozen = false;
        wake_up_process(p);
    }
    if (t->clear_child_tid && t->mm) {
        /* A thread's end: zero its tid word and wake who joins it (pthread_join). */
        uint32_t zero = 0;
        if (copy_to_user(t->mm, t->clear_child_tid, &zero, sizeof(zero)) == 0)
            futex_wake_private(t->mm, t->clear_child_tid, 1);
        t->clear_child_tid = 0;
    }
}

static struct task *find_new_reaper(struct task *t)
{
    /* Another live thread of the same process keeps the children first. */
    for (struct task *u = next_task(NULL); u; u = next_task(u))
        if (u != t && u->signal == t->signal && u->state != TASK_ZOMBIE && u->state != TASK_DEAD &&
            !u->exiting)
            return u;
    for (struct task *p = t->group_leader->real_parent; p; p = p->group_leader->real_parent)
        if (p->signal->is_child_subreaper && p->state != TASK_ZOMBIE && p->state != TASK_DEAD)
            return p->group_leader;
    return NULL;
}

static bool notify_parent(struct task *t, int sig);

/* Give t's children to a subreaper or to vmemu; vmemu reaps its zombies at once. */
static void forget_original_parent(struct task *t)
{
    struct task *reaper = find_new_reaper(t), *c, *n;
    list_for_each_entry_safe(c, n, &t->children, sibling)
    {
        list_del(&c->sibling);
        c->real_parent = reaper;
        if (c->pdeath_signal)
            send_signal(c, c->pdeath_signal, NULL, true);
        if (reaper)
            list_add_tail(&c->sibling, &reaper->children);
        if (c->state == TASK_ZOMBIE && (!reaper || notify_parent(c, c->exit_signal)))
            reap(c);
    }
}

/*
 * Tell the parent a child process ended (SIGCHLD unless it asked for
 * another signal); true when nobody will wait for it.
 */
static bool notify_parent(struct task *t, int sig)
{
    struct task *p = t->real_parent;
    if (!p)
        return true;
    int status = t->signal->group_exit_code;
    struct kernel_siginfo info;
    memset(&info, 0, sizeof(info));
    info.si_signo = sig;
    info.proc.pid = t->tgid;
    info.proc.uid = t->cred.uid;
    if (status & 0x7f) {
        info.si_code = (status & 0x80) ? CLD_DUMPED : CLD_KILLED;
        info.proc.chld.status = status & 0x7f;
    } else {
        info.si_code = CLD_EXITED;
        info.proc.chld.status = (status >> 8) & 0xff;
    }
    info.proc.chld.utime = (int64_t)(task_utime_ns(t) / 10000000ULL); /* clock ticks */
    bool autoreap = false;
    struct k_sigaction *ka = &p->sighand->action[SIGCHLD - 1];
    if (sig == SIGCHLD &&
        (ka->handler == (uint64_t)(uintptr_t)SIG_IGN || (ka->flags & SA_NOCLDWAIT)))
        autoreap = true;
    if (sig && !(sig == SIGCHLD && ka->handler == (uint64_t)(uintptr_t)SIG_IGN))
        send_signal(p, sig, &info, true);
    wake_up(&p->signal->wait_chldexit);
    return autoreap;
}

void do_notify_parent_cldstop(struct task *t, int why)
{
    struct task *p = t->real_parent;
    if (why == CLD_STOPPED)
        t->signal->stop_unreported = true, t->signal->cont_unreported = false;
    else
        t->signal->cont_unreported = true, t->signal->stop_unreported = false;
    if (!p)
        return;
    if (!(p->sighand->action[SIGCHLD - 1].flags & SA_NOCLDSTOP)) {
        struct kernel_siginfo info;
        memset(&info, 0, sizeof(info));
        info.si_signo = SIGCHLD;
        info.si_code = why;
        info.proc.pid = t->tgid;
        info.proc.uid = t->cred.uid;
        info.proc.chld.status = why == CLD_STOPPED ? t->signal->group_exit_code : SIGCONT;
        send_signal(p, SIGCHLD, &info, true);
    }
    wake_up(&p->signal->wait_chldexit);
}

/* Timers of a process that has ended: nothing will take their signals. */
static void exit_itimers(struct signal_struct *sig)
{
    for (int i = 0; i < 3; i++)
        ktimer_cancel(&sig->itimer[i]);
    posix_timers_exit(sig);
}

/* The last thread of leader's process is gone: the parent hears of it. */
static void process_ended(struct task *leader)
{
    int status = leader->signal->group_exit_code;
    record_exit(leader, status);
    kernel_note_exit(leader, status);
    if (notify_parent(leader, leader->exit_signal))
        reap(leader);
    pidfd_notify_exit();
}

void do_exit(struct task *t, int code)
{
    struct signal_struct *sig = t->signal;
    t->exiting = false;
    if (t->state == TASK_ZOMBIE || t->state == TASK_DEAD)
        return;
    if (t == kernel_init_task() && (t->opts->report || t->opts->maps))
        report_capture(t, t->opts->report, t->opts->maps);
    memstat_before_exit(t);
    sched_remove(t);
    exit_robust_list(t);
    mm_release(t);
    futex_exit(t);
    task_free_parts(t);
    sig->min_flt += t->min_flt;
    sig->maj_flt += t->maj_flt;
    t->exit_code = code;
    bool last = --sig->live == 0;
    if (!sig->group_exit)
        sig->group_exit_code = code;
    if (last)
        exit_itimers(sig);
    trace_task_exit(t->tracer, t, code);
    forget_original_parent(t);
    struct task *leader = t->group_leader;
    if (!thread_group_leader(t))
        reap(t); /* a thread: nobody waits for it */
    else
        t->state = TASK_ZOMBIE; /* the leader stays until the process is reaped */
    if (last)
        process_ended(leader);
}

void do_group_exit(struct task *t, int code)
{
    struct signal_struct *sig = t->signal;
    if (!sig->group_exit) {
        sig->group_exit = true;
        sig->group_exit_code = code;
        for (struct task *u = next_task(NULL); u; u = next_task(u))
            if (u->signal == sig && u != t)
                signal_wake_up(u, true);
    }
    do_exit(t, sig->group_exit_code);
}

static long sys_exit(struct task *t, const uint64_t a[6])
{
    t->exit_code = (int)(a[0] & 0xff) << 8;
    t->exiting = true;
    cpu_request_stop(t->cpu);
    return 0;
}

static long sys_exit_group(struct task *t, const uint64_t a[6])
{
    struct signal_struct *sig = t->signal;
    if (!sig->group_exit) {
        sig->group_exit = true;
        sig->group_exit_code = (int)(a[0] & 0xff) << 8;
        for (struct task *u = next_task(NULL); u; u = next_task(u))
            if (u->signal == sig && u != t)
                signal_wake_up(u, true);
    }
    cpu_request_stop(t->cpu);
    return 0;
}

/* ---- wait ---------------------------------------------------------------------- */

enum { P_ALL_ = 0, P_PID_ = 1, P_PGID_ = 2 };

struct wait_opts {
    int type, id; /* P_ALL, P_PID, P_PGID */
    int options;
    int status; /* out: the wait status */
    int code;   /* out: CLD_* for waitid */
    struct rusage ru;
    int pid;   /* out: the child reported */
    uid_t uid; /* out: its real uid */
};

static bool child_matches(const struct wait_opts *w, const struct task *c)
{
    if (w->type == P_PID_ && c->tgid != w->id)
        return false;
    if (w->type == P_PGID_ && c->signal->pgrp != w->id)
        return false;
    /* A child that sends no SIGCHLD is a "clone" child: __WCLONE picks those, __WALL both. */
    bool clone_child = c->exit_signal != SIGCHLD;
    if (!(w->options & __WALL) && clone_child != !!(w->options & __WCLONE))
        return false;
    return true;
}

static void fill_rusage(struct rusage *ru, const struct task *c)
{
    memset(ru, 0, sizeof(*ru));
    const struct signal_struct *s = c->signal;
    uint64_t us = (task_utime_ns(c) + s->cutime_ns) / 1000;
    ru->ru_utime.tv_sec = (time_t)(us / 1000000);
    ru->ru_utime.tv_usec = (suseconds_t)(us % 1000000);
    ru->ru_minflt = (long)(s->min_flt + s->cmin_flt);
    ru->ru_majflt = (long)(s->maj_flt + s->cmaj_flt);
    unsigned long rss_kb = c->hiwater_rss * 4;
    ru->ru_maxrss = (long)(rss_kb > s->cmaxrss_kb ? rss_kb : s->cmaxrss_kb);
}

/* Reap zombie c for the waiter: its usage joins the waiter's children's. */
static void wait_task_zombie(struct task *waiter, struct wait_opts *w, struct task *c)
{
    w->pid = c->tgid;
    w->uid = c->cred.uid;
    w->status = c->signal->group_exit_code;
    w->code = (w->status & 0x7f) ? ((w->status & 0x80) ? CLD_DUMPED : CLD_KILLED) : CLD_EXITED;
    fill_rusage(&w->ru, c);
    if (w->options & WNOWAIT)
        return;
    struct signal_struct *ps = waiter->signal;
    ps->cmin_flt += (unsigned long)w->ru.ru_minflt;
    ps->cmaj_flt += (unsigned long)w->ru.ru_majflt;
    if ((unsigned long)w->ru.ru_maxrss > ps->cmaxrss_kb)
        ps->cmaxrss_kb = (unsigned long)w->ru.ru_maxrss;
    ps->cutime_ns += task_utime_ns(c) + c->signal->cutime_ns;
    reap(c);
}

/* One pass over the children: 1 reported, 0 none ready, -ECHILD none matching. */
static int wait_pass(struct task *t, struct wait_opts *w)
{
    bool any = false;
    for (struct task *u = next_task(NULL); u; u = next_task(u)) {
        if (u->signal != t->signal || ((w->options & __WNOTHREAD) && u != t))
            continue;
        struct task *c;
        list_for_each_entry(c, &u->children, sibling)
        {
            if (!child_matches(w, c))
                continue;
            any = true;
            if (c->state == TASK_ZOMBIE && (w->options & WEXITED)) {
                wait_task_zombie(t, w, c);
                return 1;
            }
            if ((w->options & WUNTRACED) && c->signal->stop_unreported && c->signal->stopped) {
                if (!(w->options & WNOWAIT))
                    c->signal->stop_unreported = false;
                w->pid = c->tgid;
                w->uid = c->cred.uid;
                w->uid = c->cred.uid;
                w->status = (c->signal->group_exit_code << 8) | 0x7f;
                w->code = CLD_STOPPED;
                fill_rusage(&w->ru, c);
                return 1;
            }
            if ((w->options & WCONTINUED) && c->signal->cont_unreported) {
                if (!(w->options & WNOWAIT))
                    c->signal->cont_unreported = false;
                w->pid = c->tgid;
                w->uid = c->cred.uid;
                w->uid = c->cred.uid;
                w->status = 0xffff;
                w->code = CLD_CONTINUED;
                fill_rusage(&w->ru, c);
                return 1;
            }
        }
    }
    return any ? 0 : -ECHILD;
}

static long do_wait(struct task *t, struct wait_opts *w)
{
    int r = wait_pass(t, w);
    if (r != 0)
        return r;
    if (w->options & WNOHANG)
        return 0;
    if (signal_pending(t))
        return -ERESTARTSYS;
    return wait_on(&t->signal->wait_chldexit);
}

static long sys_wait4(struct task *t, const uint64_t a[6])
{
    int pid = (int)a[0], options = (int)a[2];
    if (options & ~(WNOHANG | WUNTRACED | WCONTINUED | __WNOTHREAD | __WALL | __WCLONE))
        return -EINVAL;
    if (pid == INT_MIN)
        return -ESRCH; /* no group -INT_MIN, as Linux answers */
    struct wait_opts w = {.options = options | WEXITED};
    if (pid == -1) {
        w.type = P_ALL_;
    } else if (pid < 0) {
        w.type = P_PGID_, w.id = -pid;
    } else if (pid == 0) {
        w.type = P_PGID_, w.id = t->signal->pgrp;
    } else {
        w.type = P_PID_, w.id = pid;
    }
    long r = do_wait(t, &w);
    if (r <= 0)
        return r;
    if (a[1] && copy_to_user(t->mm, a[1], &w.status, sizeof(w.status)))
        return -EFAULT;
    if (a[3] && copy_to_user(t->mm, a[3], &w.ru, sizeof(w.ru)))
        return -EFAULT;
    return w.pid;
}

static long sys_waitid(struct task *t, const uint64_t a[6])
{
    int which = (int)a[0], options = (int)a[3];
    if (options &
        ~(WNOHANG | WNOWAIT | WEXITED | WSTOPPED | WCONTINUED | __WNOTHREAD | __WALL | __WCLONE))
        return -EINVAL;
    if (!(options & (WEXITED | WSTOPPED | WCONTINUED)))
        return -EINVAL;
    struct wait_opts w = {.options = options};
    switch (which) {
    case P_ALL_:
        w.type = P_ALL_;
        break;
    case P_PID_:
        if ((int)a[1] <= 0)
            return -EINVAL;
        w.type = P_PID_, w.id = (int)a[1];
        break;
    case P_PGID_:
        if ((int)a[1] < 0)
            return -EINVAL;
        w.type = P_PGID_, w.id = (int)a[1] ? (int)a[1] : t->signal->pgrp;
        break;
    default:
        return -EINVAL;
    }
    long r = do_wait(t, &w);
    if (r < 0)
        return r;
    struct kernel_siginfo info;
    memset(&info, 0, sizeof(info));
    if (r > 0) {
        info.si_signo = SIGCHLD;
        info.si_code = w.code;
        info.proc.pid = w.pid;
        info.proc.uid = w.uid;
        info.proc.chld.status = w.code == CLD_EXITED      ? (w.status >> 8) & 0xff
                                : w.code == CLD_STOPPED   ? (w.status >> 8) & 0xff
                                : w.code == CLD_CONTINUED ? SIGCONT
                                                          : w.status & 0x7f;
    }
    if (a[2] && copy_to_user(t->mm, a[2], &info, sizeof(info)))
        return -EFAULT;
    if (a[4] && copy_to_user(t->mm, a[4], &w.ru, sizeof(w.ru)))
        return -EFAULT;
    return 0;
}

void sys_exit_register(syscall_fn table[NR_SYSCALLS])
{
    table[SYS_exit] = sys_exit;
    table[SYS_exit_group] = sys_exit_group;
    table[SYS_wait4] = sys_wait4;
    table[SYS_waitid] = sys_waitid;
}
