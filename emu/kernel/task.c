#define _GNU_SOURCE
/*
 * Task structs and the parts they share: allocation from slab caches in
 * guest RAM (as Linux's task_struct, signal_cache and sighand_cache), the
 * pid table, the first task of a run, and looking tasks up.
 *
 * The pid table is the list of every task not yet released, in pid order
 * (pids only grow, so appending keeps the order).
 */
#include <errno.h>
#include <linux/capability.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "emu/cpu.h"
#include "emu/fs/fdtable.h"
#include "emu/fs/fs_struct.h"
#include "emu/fs/namei.h"
#include "emu/kernel/exec.h"
#include "emu/kernel/sched.h"
#include "emu/kernel/signal.h"
#include "emu/kernel/task.h"
#include "emu/kernel/vdso.h"
#include "emu/trace/trace.h"
#include "loader/elf.h"
#include "mm/fault.h"
#include "mm/fs.h"
#include "mm/mmap.h"
#include "mm/pagemap.h"
#include "mm/slab.h"
#include "mm/swap.h"
#include "mm/uaccess.h"
#include "mm/vma_tree.h"
#include "mm/writeback.h"

static struct kmem_cache *task_struct_cachep, *signal_cachep, *sighand_cachep;
static struct list_head all_tasks = LIST_HEAD_INIT(all_tasks);
static int last_pid = GUEST_PID - 1;

static int kernel_caches_init(void)
{
    task_struct_cachep = kmem_cache_create("task_struct", sizeof(struct task), 64, 0, NULL);
    signal_cachep = kmem_cache_create("signal_cache", sizeof(struct signal_struct), 64, 0, NULL);
    sighand_cachep = kmem_cache_create("sighand_cache", sizeof(struct sighand_struct), 64, 0, NULL);
    if (task_struct_cachep && signal_cachep && sighand_cachep && fdtable_init() == 0)
        return 0;
    kernel_caches_exit();
    return -ENOMEM;
}

void kernel_caches_exit(void)
{
    fdtable_exit();
    if (task_struct_cachep)
        kmem_cache_destroy(task_struct_cachep);
    if (signal_cachep)
        kmem_cache_destroy(signal_cachep);
    if (sighand_cachep)
        kmem_cache_destroy(sighand_cachep);
    task_struct_cachep = signal_cachep = sighand_cachep = NULL;
    INIT_LIST_HEAD(&all_tasks);
    last_pid = GUEST_PID - 1;
}

struct task *alloc_task(const struct task *model)
{
    struct task *t = kmem_cache_zalloc(task_struct_cachep, GFP_KERNEL);
    if (!t)
        return NULL;
    if (model) {
        t->cpu = model->cpu;
        t->opts = model->opts;
        t->tracer = model->tracer;
        memcpy(t->comm, model->comm, sizeof(t->comm));
        t->cred = model->cred;
    }
    if (t->cpu && !(t->ctx = cpu_context_alloc(t->cpu))) {
        kmem_cache_free(task_struct_cachep, t);
        return NULL;
    }
    t->pid = t->tgid = ++last_pid;
    t->group_leader = t;
    t->exit_signal = SIGCHLD;
    INIT_LIST_HEAD(&t->children);
    INIT_LIST_HEAD(&t->sibling);
    INIT_LIST_HEAD(&t->thread_group);
    INIT_LIST_HEAD(&t->waits);
    INIT_LIST_HEAD(&t->run_list);
    INIT_LIST_HEAD(&t->pending.list);
    t->sas_ss_flags = SS_DISABLE;
    t->start_ns = ktime_get_ns();
    list_add_tail(&t->tasks, &all_tasks);
    return t;
}

void release_task(struct task *t)
{
    list_del(&t->tasks);
    list_del(&t->sibling);
    list_del(&t->thread_group);
    flush_sigqueue(&t->pending);
    if (t->signal)
        signal_put(t->signal);
    cpu_context_free(t->ctx);
    if (t->exe_file)
        fput(t->exe_file);
    kmem_cache_free(task_struct_cachep, t);
}

struct sighand_struct *sighand_alloc(void)
{
    struct sighand_struct *sh = kmem_cache_zalloc(sighand_cachep, GFP_KERNEL);
    if (sh) {
        sh->count = 1;
        INIT_LIST_HEAD(&sh->signalfd_wqh.head);
    }
    return sh;
}

void sighand_put(struct sighand_struct *sh)
{
    if (sh && --sh->count == 0)
        kmem_cache_free(sighand_cachep, sh);
}

struct signal_struct *signal_alloc(void)
{
    struct signal_struct *sig = kmem_cache_zalloc(signal_cachep, GFP_KERNEL);
    if (!sig)
        return NULL;
    sig->count = 1;
    INIT_LIST_HEAD(&sig->shared_pending.list);
    INIT_LIST_HEAD(&sig->posix_timers);
    INIT_LIST_HEAD(&sig->wait_chldexit.head);
    return sig;
}

void signal_put(struct signal_struct *sig)
{
    if (--sig->count > 0)
        return;
    flush_sigqueue(&sig->shared_pending);
    kmem_cache_free(signal_cachep, sig);
}

struct task *find_task_by_vpid(int pid)
{
    struct task *t;
    list_for_each_entry(t, &all_tasks, tasks) if (t->pid == pid) return t;
    return NULL;
}

struct task *next_task(struct task *prev)
{
    struct list_head *n = prev ? prev->tasks.next : all_tasks.next;
    return n == &all_tasks ? NULL : list_entry(n, struct task, tasks);
}

int task_ppid(const struct task *t)
{
    const struct task *p = t->group_leader->real_parent;
    return p ? p->tgid : 1;
}

uint64_t task_reg(struct task *t, enum cpu_reg r)
{
    if (t == current || !t->ctx)
        return cpu_get(t->cpu, r);
    return cpu_context_get(t->ctx, r);
}

/* 0, or -errno (out of memory) when a stream open on the host cannot be given to the guest. */
static int install_stdio(struct task *t)
{
    static const char *const names[3] = {"/dev/stdin", "/dev/stdout", "/dev/stderr"};
    for (int fd = 0; fd < 3; fd++) {
        int err = 0;
        struct file *f = file_from_host_fd(fd, names[fd], &err);
        if (!f && err != -EBADF)
            return err;
        if (!f)
            continue; /* closed on the host: closed for the guest too */
        if (fd_install(t, f, fd, false) < 0) {
            fput(f);
            return -ENOMEM;
        }
    }
    return 0;
}

/* The guest inherits vmemu's resource limits, as a child process would. */
static void inherit_rlimits(struct task *t)
{
    for (int r = 0; r < RLIM_NLIMITS; r++)
        if (getrlimit(r, &t->signal->rlim[r]) != 0)
            t->signal->rlim[r].rlim_cur = t->signal->rlim[r].rlim_max = RLIM_INFINITY;
}

/*
 * Ignored signals and the blocked mask survive execve: the first process
 * starts with vmemu's own, as a program a shell started with them would.
 */
static void inherit_signals(struct task *t)
{
    sigset_t blocked;
    sigprocmask(SIG_SETMASK, NULL, &blocked);
    for (int sig = 1; sig <= NR_SIGNALS; sig++) {
        struct sigaction sa;
        if (sig == SIGKILL || sig == SIGSTOP || sigaction(sig, NULL, &sa) != 0)
            continue; /* the C library's own signals (32, 33) among them */
        if (sa.sa_handler == SIG_IGN)
            t->sighand->action[sig - 1].handler = (uint64_t)(uintptr_t)SIG_IGN;
        if (sigismember(&blocked, sig) == 1)
            t->blocked |= 1ULL << (sig - 1);
    }
}

static unsigned long rlimit_bytes(const struct task *t, int res, bool max)
{
    rlim_t v = max ? t->signal->rlim[res].rlim_max : t->signal->rlim[res].rlim_cur;
    return v == RLIM_INFINITY ? ~0UL : (unsigned long)v;
}

void mm_set_task_limits(struct mm_struct *mm, const struct task *t)
{
    mm->stack_rlimit = rlimit_bytes(t, RLIMIT_STACK, false);
    mm->limits.memlock = rlimit_bytes(t, RLIMIT_MEMLOCK, false);
    mm->limits.as = rlimit_bytes(t, RLIMIT_AS, false);
    mm->limits.data = rlimit_bytes(t, RLIMIT_DATA, false);
    mm->limits.data_max = rlimit_bytes(t, RLIMIT_DATA, true);
    mm->limits.cap_ipc_lock = cred_capable(&t->cred, CAP_IPC_LOCK);
    mm->cap_sys_rawio = cred_capable(&t->cred, CAP_SYS_RAWIO);
}

void task_set_mm_limits(struct task *t)
{
    if (t->mm)
        mm_set_task_limits(t->mm, t);
}

static const char *create_parts(struct task *t, const struct vma_tree_ops *ops)
{
    if (!(t->signal = signal_alloc()) || !(t->sighand = sighand_alloc()) ||
        !(t->files = files_alloc()))
        return "out of guest memory for the first process";
    const char *why = NULL;
    if (!(t->fs = fs_struct_init(&why)))
        return why ? why : "out of memory";
    t->signal->leader = t;
    t->signal->live = 1;
    t->signal->threads_made = 1;
    /*
     * A job of the shell that started vmemu: its own process group, in the
     * session of that (unseen) shell, so setsid() and setpgid() answer as
     * they do for a program started from a shell.
     */
    t->signal->pgrp = t->pid;
    t->signal->session = GUEST_PID - 1;
    inherit_rlimits(t);
    inherit_signals(t);
    cred_init_from_host(&t->cred);
    if (!(t->mm = mm_alloc(ops)))
        return "out of guest memory for the address space";
    task_set_mm_limits(t);
    if (install_stdio(t) != 0)
        return "out of guest memory for the standard streams";
    return NULL;
}

struct task *task_create(const struct vmemu_options *opts, const char **why)
{
    const struct vma_tree_ops *ops = vma_tree_ops_by_name(opts->vma_tree);
    if (!ops) {
        *why = "unknown VMA tree";
        return NULL;
    }
    if (kernel_caches_init() != 0) {
        *why = "out of guest memory for the kernel's caches";
        return NULL;
    }
    if (vdso_init() != 0) {
        *why = "cannot set up the vDSO";
        kernel_caches_exit();
        return NULL;
    }
    struct cpu *cpu = cpu_create(why);
    if (!cpu) {
        vdso_exit();
        kernel_caches_exit();
        return NULL;
    }
    sched_init(opts);
    struct task *t = alloc_task(NULL);
    if (t) {
        t->cpu = cpu;
        t->opts = opts;
        t->ctx = cpu_context_alloc(cpu);
    }
    const char *fail = !t || !t->ctx ? "out of memory" : create_parts(t, ops);
    if (fail) {
        *why = fail;
        if (t)
            task_free_parts(t), release_task(t);
        cpu_destroy(cpu);
        vdso_exit();
        kernel_caches_exit();
        return NULL;
    }
    cpu_set_task(cpu, t);
    current = t;
    return t;
}

static void fault_stats_add(struct fault_stats *d, const struct fault_stats *a,
                            const struct fault_stats *base)
{
    d->min_flt += a->min_flt - base->min_flt;
    d->maj_flt += a->maj_flt - base->maj_flt;
    d->zero_page += a->zero_page - base->zero_page;
    d->cow += a->cow - base->cow;
    d->fault_around += a->fault_around - base->fault_around;
    d->readahead += a->readahead - base->readahead;
    d->anon_new += a->anon_new - base->anon_new;
    d->file_pages += a->file_pages - base->file_pages;
    d->segv += a->segv - base->segv;
}

/* Another thread of t's process still uses its mm. */
static bool mm_shared_in_group(const struct task *t)
{
    for (struct task *u = next_task(NULL); u; u = next_task(u))
        if (u != t && u->signal == t->signal && u->mm == t->mm)
            return true;
    return false;
}

void task_account_mm(struct task *t)
{
    if (!t->mm)
        return;
    if (t->mm->hiwater_rss > t->hiwater_rss)
        t->hiwater_rss = t->mm->hiwater_rss;
    struct signal_struct *sig = t->signal;
    if (sig->leader && sig->leader != t && sig->leader->hiwater_rss < t->hiwater_rss)
        sig->leader->hiwater_rss = t->hiwater_rss;
    if (mm_shared_in_group(t))
        return;
    fault_stats_add(&sig->faults, &t->mm->faults, &sig->mm_base);
    memset(&sig->mm_base, 0, sizeof(sig->mm_base));
}

void task_group_faults(const struct task *t, struct fault_stats *out)
{
    *out = t->signal->faults;
    const struct mm_struct *mm = NULL;
    for (struct task *u = next_task(NULL); u; u = next_task(u))
        if (u->signal == t->signal && u->mm)
            mm = u->mm;
    if (mm)
        fault_stats_add(out, &mm->faults, &t->signal->mm_base);
    /* Minor and major come from the tasks themselves: exact with threads too. */
    out->min_flt = t->signal->min_flt;
    out->maj_flt = t->signal->maj_flt;
    for (struct task *u = next_task(NULL); u; u = next_task(u))
        if (u->signal == t->signal && u->state != TASK_ZOMBIE && u->state != TASK_DEAD)
            out->min_flt += u->min_flt, out->maj_flt += u->maj_flt;
}

void task_free_parts(struct task *t)
{
    if (t->mm) {
        task_account_mm(t);
        mmput(t->mm);
        t->mm = NULL;
    }
    if (t->files) {
        files_put(t->files);
        t->files = NULL;
    }
    if (t->sighand) {
        sighand_put(t->sighand);
        t->sighand = NULL;
    }
    if (t->fs) {
        put_fs_struct(t->fs);
        t->fs = NULL;
    }
}

void kernel_exit(struct cpu *cpu)
{
    struct task *t;
    while ((t = next_task(NULL)) != NULL) {
        task_free_parts(t);
        release_task(t);
    }
    current = NULL;
    cpu_destroy(cpu);
    vdso_exit();
    kernel_caches_exit();
}

static void observe_fault(void *ctx, unsigned long addr, unsigned int flags,
                          const struct fault_result *r)
{
    (void)ctx;
    struct task *t = current;
    if (!t)
        return;
    uint64_t ip = t->in_syscall ? cpu_get(t->cpu, CPU_RIP) : t->fault_ip;
    trace_fault(t->tracer, t, ip, addr, flags, r, t->in_syscall);
}

static void observe_vma(void *ctx, enum vma_event ev, const struct vm_area_struct *vma)
{
    (void)ctx;
    if (current)
        trace_vma_change(current->tracer, current, ev, vma);
}

static struct mm_observer task_observer = {observe_fault, observe_vma, NULL};

/* The run's tracer: page-cache events happen outside any task too (writeback at exit). */
static struct tracer *kernel_tracer;

static void observe_pagecache(void *ctx, const struct pagecache_event *ev)
{
    (void)ctx;
    trace_pagecache(kernel_tracer, current, ev);
}

static struct pagecache_observer task_pagecache_observer = {observe_pagecache, NULL};

/* Direct reclaim runs for the task whose allocation needed memory; kswapd for nobody's. */
static void observe_reclaim(void *ctx, const struct reclaim_event *ev)
{
    (void)ctx;
    trace_reclaim(kernel_tracer, ev->kswapd ? NULL : current,
                  ev); /* kswapd: pid 0, a kernel thread */
}

static struct reclaim_observer task_reclaim_observer = {observe_reclaim, NULL};

/* The observer every traced mm gets (fork and exec give new mms one too). */
const struct mm_observer *task_mm_observer(const struct task *t)
{
    return t->tracer ? &task_observer : NULL;
}

void task_set_tracer(struct task *t, struct tracer *tr)
{
    kernel_tracer = tr;
    t->tracer = tr;
    if (t->mm)
        t->mm->observer = task_mm_observer(t);
    pagecache_set_observer(trace_wants(tr, TRACE_PAGECACHE) ? &task_pagecache_observer : NULL);
    reclaim_set_observer(trace_wants(tr, TRACE_RECLAIM) ? &task_reclaim_observer : NULL);
}

int task_exec(struct task *t, const char *path, const char *execfn, char *const argv[],
              char *const envp[], int *status)
{
    char err[256] = "";
    const char *why = NULL;
    int e = do_execve(t, GUEST_AT_FDCWD, path, 0, execfn, argv, envp, err, sizeof(err), &why);
    t->regs_set = false; /* not inside a system call: nothing to keep from rax */
    if (e == 0)
        return 0;
    if (err[0])
        fprintf(stderr, "vmemu: %s: %s\n", path, err);
    else
        fprintf(stderr, "vmemu: %s: %s%s%s (%s)\n", path, why ? why : "", why ? ": " : "",
                strerror(-e), strerrorname_np(-e));
    *status = e == -ENOENT ? EXEC_NOT_FOUND_STATUS : EXEC_REFUSED_STATUS;
    return -1;
}

bool task_peek_user(struct task *t, void *dst, uint64_t addr, size_t n)
{
    return t->mm && copy_from_user_nofault(t->mm, dst, addr, n) == 0;
}
