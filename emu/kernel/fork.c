/*
 * fork, vfork, clone and clone3: a new task that shares or copies each part
 * of its parent as the clone flags say (Linux's copy_process).
 *
 * The child starts as a copy of the parent's registers at the syscall,
 * returning 0 from it; it runs when the scheduler picks it (after the
 * parent, which goes on first). A vfork parent sleeps until the child
 * execs or exits (mm_release wakes it).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>

#include "emu/cpu.h"
#include "emu/fs/fdtable.h"
#include "emu/fs/fs_struct.h"
#include "emu/kernel/exit.h"
#include "emu/kernel/fork.h"
#include "emu/kernel/sched.h"
#include "emu/kernel/signal.h"
#include "emu/kernel/syscall.h"
#include "emu/kernel/task.h"
#include "emu/trace/trace.h"
#include "mm/fs.h"
#include "mm/mmap.h"
#include "mm/uaccess.h"

#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif
#ifndef CLONE_CLEAR_SIGHAND
#define CLONE_CLEAR_SIGHAND 0x100000000ULL
#endif
#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif

#ifndef CSIGNAL
#define CSIGNAL 0xff
#endif
#define CLONE_NAMESPACES                                                                           \
    (CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID |  \
     CLONE_NEWNET)
/* What vmemu's kernel does with: everything but namespaces, pidfds and cgroups. */
#define CLONE_SUPPORTED                                                                            \
    (CSIGNAL | CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_PTRACE | CLONE_VFORK |    \
     CLONE_PARENT | CLONE_THREAD | CLONE_SYSVSEM | CLONE_SETTLS | CLONE_PARENT_SETTID |            \
     CLONE_CHILD_CLEARTID | CLONE_DETACHED | CLONE_UNTRACED | CLONE_CHILD_SETTID | CLONE_IO)

struct kernel_clone_args {
    uint64_t flags;
    int exit_signal;
    uint64_t stack, stack_size, tls;
    uint64_t parent_tid, child_tid;
};

static void copy_task_regs(struct task *p, struct task *parent,
                           const struct kernel_clone_args *args)
{
    struct cpu *c = parent->cpu;
    /* The parent is inside its syscall: RIP is the syscall instruction. */
    cpu_context_save(c, p->ctx);
    uint64_t ret = parent->syscall_ip + 2;
    cpu_context_set(p->ctx, CPU_RIP, ret);
    cpu_context_set(p->ctx, CPU_RCX, ret);
    cpu_context_set(p->ctx, CPU_R11, cpu_get(c, CPU_RFLAGS));
    cpu_context_set(p->ctx, CPU_RAX, 0);
    if (args->stack)
        cpu_context_set(p->ctx, CPU_RSP, args->stack + args->stack_size);
    if (args->flags & CLONE_SETTLS)
        cpu_context_set(p->ctx, CPU_FS_BASE, args->tls);
}

static int copy_mm(struct task *p, struct task *parent, uint64_t flags)
{
    if (flags & CLONE_VM) {
        mmget(parent->mm);
        p->mm = parent->mm;
        if (!(flags & CLONE_THREAD)) /* vfork: only what it faults from now on is its own */
            p->signal->mm_base = parent->mm->faults;
        return 0;
    }
    int err = 0;
    p->mm = dup_mm(parent->mm, &err);
    if (!p->mm)
        return err ? err : -ENOMEM;
    p->mm->observer = task_mm_observer(p);
    return 0;
}

static int copy_sighand(struct task *p, struct task *parent, uint64_t flags)
{
    if (flags & CLONE_SIGHAND) {
        parent->sighand->count++;
        p->sighand = parent->sighand;
        return 0;
    }
    if (!(p->sighand = sighand_alloc()))
        return -ENOMEM;
    memcpy(p->sighand->action, parent->sighand->action, sizeof(p->sighand->action));
    if (flags & CLONE_CLEAR_SIGHAND)
        for (int i = 0; i < NR_SIGNALS; i++)
            if (p->sighand->action[i].handler > 1) /* caught: back to the default */
                memset(&p->sighand->action[i], 0, sizeof(p->sighand->action[i]));
    return 0;
}

static int copy_signal(struct task *p, struct task *parent, uint64_t flags)
{
    if (flags & CLONE_THREAD) {
        p->signal = parent->signal;
        p->signal->count++;
        p->signal->live++;
        p->signal->threads_made++;
        return 0;
    }
    struct signal_struct *s = signal_alloc();
    if (!s)
        return -ENOMEM;
    const struct signal_struct *ps = parent->signal;
    memcpy(s->rlim, ps->rlim, sizeof(s->rlim));
    s->pgrp = ps->pgrp;
    s->session = ps->session;
    s->oom_score_adj = ps->oom_score_adj;
    s->has_child_subreaper = ps->has_child_subreaper || ps->is_child_subreaper;
    s->live = 1;
    s->threads_made = 1;
    s->leader = p;
    p->signal = s;
    return 0;
}

static int copy_fs(struct task *p, struct task *parent, uint64_t flags)
{
    if (flags & CLONE_FS) {
        p->fs = get_fs_struct(parent->fs);
        return 0;
    }
    p->fs = copy_fs_struct(parent->fs);
    return p->fs ? 0 : -ENOMEM;
}

static int copy_files(struct task *p, struct task *parent, uint64_t flags)
{
    if (flags & CLONE_FILES) {
        p->files = files_get(parent->files);
        return 0;
    }
    p->files = dup_fd(parent->files);
    return p->files ? 0 : -ENOMEM;
}

/* Link the new task where the process tree and thread groups expect it. */
static void link_task(struct task *p, struct task *parent, uint64_t flags)
{
    if (flags & CLONE_THREAD) {
        p->group_leader = parent->group_leader;
        p->tgid = parent->tgid;
        p->exit_signal = -1;
        list_add_tail(&p->thread_group, &p->group_leader->thread_group);
    }
    struct task *rp =
        (flags & (CLONE_PARENT | CLONE_THREAD)) ? parent->group_leader->real_parent : parent;
    p->real_parent = rp;
    if (thread_group_leader(p) && rp)
        list_add_tail(&p->sibling, &rp->children);
}

void take_over_leader(struct task *t, struct task *leader)
{
    int tid = t->pid;
    t->pid = leader->pid;
    leader->pid = tid;
    /* t takes the leader's place in the pid order and among its parent's children. */
    list_del(&t->tasks);
    list_insert_between(&t->tasks, &leader->tasks, leader->tasks.next);
    list_del(&leader->tasks);
    list_insert_between(&leader->tasks, t->tasks.prev, &t->tasks);
    t->real_parent = leader->real_parent;
    t->exit_signal = leader->exit_signal;
    list_del(&t->thread_group);
    list_del(&t->sibling);
    if (t->real_parent)
        list_add_tail(&t->sibling, &t->real_parent->children);
    list_del(&leader->sibling);
    t->group_leader = t;
    t->signal->leader = t;
    for (struct task *u = next_task(NULL); u; u = next_task(u))
        if (u->signal == t->signal)
            u->group_leader = t;
    /* The old leader exited in de_thread: a zombie nobody will wait for now. */
    if (leader->state == TASK_ZOMBIE)
        release_task(leader);
    else
        leader->state = TASK_DEAD;
}

static long copy_process(struct task *parent, const struct kernel_clone_args *args,
                         struct task **out)
{
    struct task *p = alloc_task(parent);
    if (!p)
        return -EAGAIN;
    p->blocked = parent->blocked;
    p->exit_signal = args->exit_signal;
    p->mempolicy = parent->mempolicy;
    if (!(args->flags & CLONE_VM) || (args->flags & CLONE_VFORK)) {
        p->sas_ss_sp = parent->sas_ss_sp; /* a new stack for a thread: no alternate one */
        p->sas_ss_size = parent->sas_ss_size;
        p->sas_ss_flags = parent->sas_ss_flags;
    }
    p->exe_file = parent->exe_file ? get_file(parent->exe_file) : NULL;
    long err = copy_signal(p, parent, args->flags);
    if (!err)
        err = copy_fs(p, parent, args->flags);
    if (!err)
        err = copy_sighand(p, parent, args->flags);
    if (!err)
        err = copy_files(p, parent, args->flags);
    if (!err)
        err = copy_mm(p, parent, args->flags);
    if (err) {
        task_free_parts(p);
        release_task(p);
        return err;
    }
    copy_task_regs(p, parent, args);
    link_task(p, parent, args->flags);
    if (args->flags & CLONE_CHILD_SETTID)
        p->set_child_tid = args->child_tid;
    if (args->flags & CLONE_CHILD_CLEARTID)
        p->clear_child_tid = args->child_tid;
    *out = p;
    return 0;
}

/* Linux's kernel_clone: check the flags, make the task, start it. */
static long kernel_clone(struct task *parent, struct kernel_clone_args *args)
{
    uint64_t f = args->flags;
    if ((f & CLONE_THREAD) && !(f & CLONE_SIGHAND))
        return -EINVAL;
    if ((f & CLONE_SIGHAND) && !(f & CLONE_VM))
        return -EINVAL;
    if ((f & CLONE_FS) && (f & CLONE_NEWNS))
        return -EINVAL;
    if ((f & CLONE_SIGHAND) && (f & CLONE_CLEAR_SIGHAND))
        return -EINVAL;
    if (f & (CLONE_NAMESPACES | CLONE_PIDFD | CLONE_INTO_CGROUP)) {
        fprintf(stderr,
                "vmemu: clone flags %#llx (namespaces, pidfds, cgroups) are not "
                "supported: returning EINVAL\n",
                (unsigned long long)(f & (CLONE_NAMESPACES | CLONE_PIDFD | CLONE_INTO_CGROUP)));
        return -EINVAL;
    }
    if (parent->signal->group_exit)
        return -ERESTARTNOINTR;
    struct task *p = NULL;
    long err = copy_process(parent, args, &p);
    if (err)
        return err;
    if (f & CLONE_PARENT_SETTID) {
        int32_t tid = p->pid;
        copy_to_user(parent->mm, args->parent_tid, &tid, sizeof(tid));
    }
    if (p->set_child_tid) {
        int32_t tid = p->pid;
        copy_to_user(p->mm, p->set_child_tid, &tid, sizeof(tid));
    }
    trace_task_new(parent->tracer, parent, p, f);
    if (f & CLONE_THREAD)
        sched_need_preemption(); /* threads may wait for each other without a syscall */
    sched_fork(p);
    if (f & CLONE_VFORK) {
        p->vfork_parent = parent;
        parent->frozen = true;
        sleep_uninterruptible();
    }
    return p->pid;
}

static long sys_fork(struct task *t, const uint64_t a[6])
{
    (void)a;
    struct kernel_clone_args args = {.exit_signal = SIGCHLD};
    return kernel_clone(t, &args);
}

static long sys_vfork(struct task *t, const uint64_t a[6])
{
    (void)a;
    struct kernel_clone_args args = {.flags = CLONE_VFORK | CLONE_VM, .exit_signal = SIGCHLD};
    return kernel_clone(t, &args);
}

/* clone(flags, stack, parent_tid, child_tid, tls): x86-64's argument order. */
static long sys_clone(struct task *t, const uint64_t a[6])
{
    struct kernel_clone_args args = {
        .flags = a[0] & ~(uint64_t)CSIGNAL & 0xffffffffULL,
        .exit_signal = (int)(a[0] & CSIGNAL),
        .stack = a[1],
        .parent_tid = a[2],
        .child_tid = a[3],
        .tls = a[4],
    };
    if (args.exit_signal > NR_SIGNALS)
        return -EINVAL;
    return kernel_clone(t, &args);
}

struct clone_args_user {
    uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
    uint64_t set_tid, set_tid_size, cgroup;
};
#define CLONE_ARGS_SIZE_VER0 64

static long sys_clone3(struct task *t, const uint64_t a[6])
{
    struct clone_args_user u;
    memset(&u, 0, sizeof(u));
    size_t size = (size_t)a[1];
    if (size < CLONE_ARGS_SIZE_VER0 || size > 4096)
        return -EINVAL;
    if (copy_from_user(t->mm, &u, a[0], size < sizeof(u) ? size : sizeof(u)))
        return -EFAULT;
    if (u.exit_signal & ~(uint64_t)CSIGNAL || u.exit_signal > NR_SIGNALS)
        return -EINVAL;
    if ((u.flags & CSIGNAL) || (u.stack && !u.stack_size) || u.set_tid || u.set_tid_size)
        return -EINVAL;
    struct kernel_clone_args args = {
        .flags = u.flags,
        .exit_signal = (int)u.exit_signal,
        .stack = u.stack,
        .stack_size = u.stack_size,
        .parent_tid = u.parent_tid,
        .child_tid = u.child_tid,
        .tls = u.tls,
    };
    args.stack = u.stack ? u.stack : 0;
    if (u.stack) {
        args.stack = u.stack;
        args.stack_size = u.stack_size;
    }
    return kernel_clone(t, &args);
}

void sys_fork_register(syscall_fn table[NR_SYSCALLS])
{
    table[SYS_fork] = sys_fork;
    table[SYS_vfork] = sys_vfork;
    table[SYS_clone] = sys_clone;
    table[SYS_clone3] = sys_clone3;
}
