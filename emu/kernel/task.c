/*
 * A guest process: creation, exec, the run loop, and its end. The run loop
 * is the only place that turns a stopped CPU into kernel work: a page fault
 * goes to handle_mm_fault and execution resumes on the same instruction.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "emu/cpu.h"
#include "emu/fs/fs_struct.h"
#include "emu/fs/open.h"
#include "emu/fs/vfs.h"
#include "emu/hostsig.h"
#include "emu/trace/report.h"
#include "emu/kernel/task.h"
#include "emu/trace/trace.h"
#include "loader/elf.h"
#include "mm/fault.h"
#include "mm/fs.h"
#include "mm/mmap.h"
#include "mm/pgtable.h"
#include "mm/vma_tree.h"

#define VIRTUAL_EPOCH_NS (1767225600ULL * 1000000000ULL) /* 2026-01-01 00:00:00 UTC */

/* The one task of this run: its clock is the one mm/ measures dirty-page age by. */
static struct task *current_task;

uint64_t arch_now_ns(void)
{
    struct timespec ts;
    if (current_task && !current_task->opts->realtime)
        return current_task->vclock_ns;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static int install_stdio(struct task *t)
{
    static const char *const names[3] = {"/dev/stdin", "/dev/stdout", "/dev/stderr"};
    for (int fd = 0; fd < 3; fd++) {
        int err = 0;
        struct file *f = file_from_host_fd(fd, names[fd], &err);
        if (!f)
            continue; /* closed on the host: closed for the guest too */
        t->files[fd] = f;
    }
    return 0;
}

/* The guest inherits vmemu's resource limits, as a child process would. */
static void inherit_rlimits(struct task *t)
{
    for (int r = 0; r < RLIM_NLIMITS; r++)
        if (getrlimit(r, &t->rlim[r]) != 0)
            t->rlim[r].rlim_cur = t->rlim[r].rlim_max = RLIM_INFINITY;
    t->mm->stack_rlimit = t->rlim[RLIMIT_STACK].rlim_cur == RLIM_INFINITY
                              ? ~0UL
                              : (unsigned long)t->rlim[RLIMIT_STACK].rlim_cur;
}

/* Ignored signals and the blocked mask survive execve: the guest starts with vmemu's. */
static void inherit_signals(struct task *t)
{
    sigset_t blocked;
    sigprocmask(SIG_SETMASK, NULL, &blocked);
    for (int sig = 1; sig <= NR_SIGNALS; sig++) {
        struct sigaction sa;
        if (sig == SIGKILL || sig == SIGSTOP || sigaction(sig, NULL, &sa) != 0)
            continue; /* the C library's own signals (32, 33) among them */
        if (sa.sa_handler == SIG_IGN)
            t->sigactions[sig - 1].handler = (uint64_t)(uintptr_t)SIG_IGN;
        if (sigismember(&blocked, sig) == 1)
            t->sigmask |= 1ULL << (sig - 1);
    }
}

struct task *task_create(const struct vmemu_options *opts, const char **why)
{
    const struct vma_tree_ops *ops = vma_tree_ops_by_name(opts->vma_tree);
    if (!ops) {
        *why = "unknown VMA tree";
        return NULL;
    }
    struct task *t = calloc(1, sizeof(*t));
    if (!t) {
        *why = "out of memory";
        return NULL;
    }
    t->opts = opts;
    t->pid = t->tgid = GUEST_PID;
    t->mm = mm_alloc(ops);
    if (!t->mm) {
        *why = "out of guest memory for the address space";
        free(t);
        return NULL;
    }
    t->cpu = cpu_create(t, why);
    if (!t->cpu || !(t->fs = fs_struct_init(why))) {
        if (t->cpu)
            cpu_destroy(t->cpu);
        mmput(t->mm);
        free(t);
        return NULL;
    }
    install_stdio(t);
    inherit_rlimits(t);
    inherit_signals(t);
    t->mm->cap_sys_rawio = geteuid() == 0; /* root's capabilities, as a native child's */
    t->rng = opts->seed ^ 0x9e3779b97f4a7c15ULL;
    t->vclock_ns = t->start_ns = VIRTUAL_EPOCH_NS;
    current_task = t;
    return t;
}

static void observe_fault(void *ctx, unsigned long addr, unsigned int flags,
                          const struct fault_result *r)
{
    struct task *t = ctx;
    uint64_t ip = t->in_syscall ? cpu_get(t->cpu, CPU_RIP) : t->fault_ip;
    trace_fault(t->tracer, t, ip, addr, flags, r, t->in_syscall);
}

static void observe_vma(void *ctx, enum vma_event ev, const struct vm_area_struct *vma)
{
    struct task *t = ctx;
    trace_vma_change(t->tracer, t, ev, vma);
}

static struct mm_observer task_observer = {observe_fault, observe_vma, NULL};

static void observe_pagecache(void *ctx, const struct pagecache_event *ev)
{
    struct task *t = ctx;
    trace_pagecache(t->tracer, t, ev);
}

static struct pagecache_observer task_pagecache_observer = {observe_pagecache, NULL};

void task_set_tracer(struct task *t, struct tracer *tr)
{
    t->tracer = tr;
    task_observer.ctx = t;
    t->mm->observer = tr ? &task_observer : NULL;
    task_pagecache_observer.ctx = t;
    pagecache_observer = trace_wants(tr, TRACE_PAGECACHE) ? &task_pagecache_observer : NULL;
}

void task_destroy(struct task *t)
{
    if (current_task == t)
        current_task = NULL;
    /* The CPU goes first: tearing the mm down needs no translated code flushed. */
    cpu_destroy(t->cpu);
    mmput(t->mm);
    for (int fd = 0; fd < NR_OPEN; fd++)
        if (t->files[fd])
            fput(t->files[fd]);
    if (t->exe_file)
        fput(t->exe_file);
    put_fs_struct(t->fs);
    free(t);
}

/* splitmix64: the seeded generator behind AT_RANDOM and getrandom. */
uint64_t task_random(struct task *t)
{
    uint64_t z = (t->rng += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static void set_comm(struct task *t, const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    snprintf(t->comm, sizeof(t->comm), "%s", base);
}

int task_exec(struct task *t, const char *path, const char *execfn, char *const argv[],
              char *const envp[], int *status)
{
    struct file *file;
    const char *why;
    int e = open_exec(t, path, &file, &why);
    if (e) {
        fprintf(stderr, "vmemu: %s: %s%s%s (%s)\n", path, why ? why : "", why ? ": " : "",
                strerror(-e), strerrorname_np(-e));
        *status = e == -ENOENT ? EXEC_NOT_FOUND_STATUS : EXEC_REFUSED_STATUS;
        return -1;
    }
    struct exec_params p = {.path = file->f_path,
                            .file = file,
                            .execfn = execfn,
                            .argv = argv,
                            .envp = envp,
                            .uid = getuid(),
                            .gid = getgid()};
    for (int i = 0; i < 16; i += 8) {
        uint64_t r = task_random(t);
        memcpy(p.random + i, &r, 8);
    }
    struct exec_result res;
    char err[256] = "";
    t->in_syscall = "execve"; /* the loader's faults happen inside execve */
    int loaded = load_elf_binary(t->mm, &p, &res, err, sizeof(err));
    t->in_syscall = NULL;
    if (loaded != 0) {
        e = errno;
        fput(file);
        fprintf(stderr, "vmemu: %s: %s\n", path, err[0] ? err : "cannot be loaded");
        *status = e == ENOENT ? EXEC_NOT_FOUND_STATUS : EXEC_REFUSED_STATUS;
        return -1;
    }
    if (t->exe_file)
        fput(t->exe_file);
    t->exe_file = file;
    set_comm(t, path);
    if (!cpu_start_thread(t->cpu, res.entry, res.sp)) {
        fprintf(stderr, "vmemu: %s: the emulator refused the start registers\n", path);
        *status = EXEC_REFUSED_STATUS;
        return -1;
    }
    return 0;
}

bool task_peek_user(struct task *t, void *dst, uint64_t addr, size_t n)
{
    unsigned char *out = dst;
    while (n > 0) {
        pte_t *pte = addr < TASK_SIZE ? pte_lookup(t->mm, addr) : NULL;
        if (!pte || !(*pte & _PAGE_PRESENT))
            return false;
        size_t off = addr & ~PAGE_MASK;
        size_t len = PAGE_SIZE - off < n ? PAGE_SIZE - off : n;
        memcpy(out, (unsigned char *)page_address(pfn_to_page(pte_pfn(*pte))) + off, len);
        out += len;
        addr += len;
        n -= len;
    }
    return true;
}

void task_kill(struct task *t, int sig)
{
    if (!t->fatal_signal && !t->exited)
        t->fatal_signal = sig;
    cpu_request_stop(t->cpu);
}

/* A fault the kernel could not resolve: the signal it would send. */
static void fault_failed(struct task *t, const struct cpu_fault *f, const struct fault_result *r)
{
    int sig = r->kind == FAULT_SIGBUS ? SIGBUS : r->kind == FAULT_OOM ? SIGKILL : SIGSEGV;
    if (sig == SIGKILL)
        fprintf(stderr, "vmemu: out of memory: killed %s[%d]\n", t->comm, GUEST_PID);
    else
        report_fault_signal(t, sig, f);
    t->fatal_signal = sig;
}

static int trap_signal(int vector)
{
    switch (vector) {
    case 0:  /* #DE divide error */
    case 16: /* #MF x87 */
    case 19: /* #XM SIMD */
        return SIGFPE;
    case 1:
    case 3:
        return SIGTRAP;
    case 6: /* #UD */
        return SIGILL;
    case 17: /* #AC */
        return SIGBUS;
    default: /* #GP, #SS, ... */
        return SIGSEGV;
    }
}

/* Handle one stop of the CPU; returns the pc to resume at, or 0 to end. */
static uint64_t handle_stop(struct task *t, enum cpu_stop why, struct cpu_fault *f,
                            struct cpu_trap *trap, unsigned *spurious)
{
    if (why == CPU_STOP_REQUESTED) {
        uint64_t rip = cpu_get(t->cpu, CPU_RIP);
        if (rip != 0)
            return rip; /* a stop for the host (nothing pending): go on */
        /* Unicorn stops cleanly on reaching address 0: that is a jump to NULL. */
        f->addr = f->ip = 0;
        f->flags = FAULT_FLAG_INSTRUCTION | FAULT_FLAG_USER;
        why = CPU_STOP_PAGE_FAULT;
    }
    if (why == CPU_STOP_PAGE_FAULT) {
        struct fault_result r;
        /* The exact address costs a decode: only when someone reads it. */
        unsigned long addr = trace_wants(t->tracer, TRACE_FAULT)
                                 ? (unsigned long)cpu_fault_address(t->cpu, f)
                                 : (unsigned long)f->addr;
        t->fault_ip = f->ip;
        if (f->handled) {
            /* Inline mode: the fill hook ran handle_mm_fault and it refused. */
            memset(&r, 0, sizeof(r));
            r.kind = (enum fault_kind)f->kind;
        } else {
            handle_mm_fault(t->mm, addr, f->flags, &r);
        }
        if (fault_is_error(r.kind)) {
            fault_failed(t, f, &r);
            return 0;
        }
        /* The entry allowed the access yet the CPU faulted again and again. */
        if (r.kind == FAULT_SPURIOUS && ++*spurious > 16) {
            fprintf(stderr, "vmemu: internal error: fault at %#lx ip %#lx does not resolve\n",
                    (unsigned long)f->addr, (unsigned long)f->ip);
            t->fatal_signal = SIGSEGV;
            return 0;
        }
        if (r.kind != FAULT_SPURIOUS)
            *spurious = 0;
        return f->ip;
    }
    if (why == CPU_STOP_TRAP) {
        report_trap_signal(t, trap_signal(trap->vector), trap);
        t->fatal_signal = trap_signal(trap->vector);
        return 0;
    }
    fprintf(stderr, "vmemu: emulator error: %s at ip %#lx\n", cpu_error(t->cpu),
            (unsigned long)cpu_get(t->cpu, CPU_RIP));
    t->fatal_signal = SIGILL;
    return 0;
}

int task_run(struct task *t)
{
    uint64_t pc = cpu_get(t->cpu, CPU_RIP);
    unsigned spurious = 0;
    while (!t->exited && !t->fatal_signal) {
        struct cpu_fault f = {0};
        struct cpu_trap trap = {0};
        enum cpu_stop why = cpu_run(t->cpu, pc, &f, &trap);
        host_signals_deliver(); /* signals sent to vmemu are the guest's now */
        if (t->exited || t->fatal_signal)
            break;
        pc = handle_stop(t, why, &f, &trap, &spurious);
        if (!pc)
            break;
    }
    /*
     * However the program ended, what it wrote goes to its files now (the
     * mappings still hold their dirty bits: writeback collects them).
     */
    writeback_all(WB_REASON_EXIT);
    int status = t->fatal_signal ? 128 + t->fatal_signal : t->exit_status & 0xff;
    /* Data the program was never told it lost: vmemu's status says so if the program's does not. */
    if (report_unseen_writeback_errors() && status == 0)
        status = EXIT_DATA_LOST;
    return status;
}

struct task *find_task_by_vpid(int pid)
{
    return current_task && current_task->pid == pid ? current_task : NULL;
}

struct task *next_task(struct task *prev)
{
    return prev ? NULL : current_task;
}

int fd_install(struct task *t, struct file *f, int min_fd, bool cloexec)
{
    for (int fd = min_fd < 0 ? 0 : min_fd; fd < NR_OPEN; fd++) {
        if (!t->files[fd]) {
            t->files[fd] = f;
            t->cloexec[fd] = cloexec;
            return fd;
        }
    }
    return -EMFILE;
}

struct file *fd_get(struct task *t, int fd)
{
    return (fd >= 0 && fd < NR_OPEN) ? t->files[fd] : NULL;
}

int fd_close(struct task *t, int fd)
{
    struct file *f = fd_get(t, fd);
    if (!f)
        return -EBADF;
    t->files[fd] = NULL;
    t->cloexec[fd] = false;
    fput(f);
    return 0;
}
