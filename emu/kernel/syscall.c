/*
 * System call dispatch. Arguments come in rdi, rsi, rdx, r10, r8, r9 and
 * the number in rax; the result, or -errno, goes back in rax. A call vmemu
 * does not implement gets ENOSYS and is reported once, by name.
 *
 * The hook runs with RIP on the syscall instruction (Unicorn adds its
 * length afterwards), so the hook never writes RIP: a call that changes
 * where the task goes on (execve, rt_sigreturn) sets resume_ip, and one
 * that sleeps, switches tasks or leaves work for the return to user mode
 * stops the CPU so that the run loop does it.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>

#include "emu/cpu.h"
#include "emu/kernel/cred.h"
#include "emu/kernel/futex.h"
#include "emu/kernel/sched.h"
#include "emu/kernel/signal.h"
#include "emu/kernel/syscall.h"
#include "emu/kernel/task.h"
#include "emu/trace/progress.h"
#include "emu/trace/trace.h"
#include "mm/uaccess.h"

static const char *const syscall_names[NR_SYSCALLS] = {
#include "syscall_names.inc"
};

static syscall_fn table[NR_SYSCALLS];
static bool table_ready;
static bool unknown_reported[NR_SYSCALLS];

static void table_init(void)
{
    sys_fs_register(table);
    sys_fdtable_register(table);
    sys_pipe_register(table);
    sys_poll_register(table);
    sys_userfaultfd_register(table);
    sys_socket_register(table);
    sys_mm_register(table);
    sys_proc_register(table);
    sys_cred_register(table);
    sys_capability_register(table);
    sys_time_register(table);
    sys_signal_register(table);
    sys_fork_register(table);
    sys_exec_register(table);
    sys_exit_register(table);
    sys_futex_register(table);
    sys_pidfd_register(table);
    sys_process_mm_register(table);
    sys_cachestat_register(table);
    table_ready = true;
}

const char *syscall_name(uint64_t nr)
{
    return nr < NR_SYSCALLS && syscall_names[nr] ? syscall_names[nr] : "unknown";
}

static long unknown_syscall(uint64_t nr)
{
    if (nr < NR_SYSCALLS && unknown_reported[nr])
        return -ENOSYS;
    fprintf(stderr, "vmemu: unimplemented system call %lu (%s): returning ENOSYS\n",
            (unsigned long)nr, syscall_name(nr));
    if (nr < NR_SYSCALLS)
        unknown_reported[nr] = true;
    return -ENOSYS;
}

long syscall_invoke(struct task *t, uint64_t nr)
{
    struct cpu *c = t->cpu;
    uint64_t a[6] = {cpu_get(c, CPU_RDI), cpu_get(c, CPU_RSI), cpu_get(c, CPU_RDX),
                     cpu_get(c, CPU_R10), cpu_get(c, CPU_R8),  cpu_get(c, CPU_R9)};
    if (!table_ready)
        table_init();
    t->in_syscall = syscall_name(nr);
    long ret = nr < NR_SYSCALLS && table[nr] ? table[nr](t, a) : unknown_syscall(nr);
    t->in_syscall = NULL;
    return ret;
}

/* The call returned: record it, put the result in rax, ask for the loop if needed. */
static void syscall_finish(struct task *t, long ret)
{
    struct cpu *c = t->cpu;
    if (t->in_wait)
        return; /* asleep: it completes, and is traced, when it runs again */
    if (ret != -ERESTART_RESTARTBLOCK)
        t->restart.armed = false;
    if (t->tracer) {
        uint64_t a[6] = {cpu_get(c, CPU_RDI), cpu_get(c, CPU_RSI), cpu_get(c, CPU_RDX),
                         cpu_get(c, CPU_R10), cpu_get(c, CPU_R8),  cpu_get(c, CPU_R9)};
        trace_syscall(t->tracer, t, t->syscall_nr, a, ret);
    }
    if (t->regs_set) {
        t->regs_set = false;
        t->restart_code = 0;
    } else {
        t->restart_code = is_restart_code(ret) ? ret : 0;
        cpu_set(c, CPU_RAX, (uint64_t)ret);
    }
    if (t->state != TASK_RUNNING || t->resume_ip || t->restart_code || signal_pending(t))
        cpu_request_stop(c);
    sched_syscall_tick(t);
    progress_syscall();
}

void syscall_dispatch(struct task *t)
{
    struct cpu *c = t->cpu;
    t->syscall_ip = cpu_get(c, CPU_RIP);
    t->syscall_nr = cpu_get(c, CPU_RAX);
    /* The syscall instruction leaves the return address in rcx and rflags in r11. */
    cpu_set(c, CPU_RCX, t->syscall_ip + 2);
    cpu_set(c, CPU_R11, cpu_get(c, CPU_RFLAGS));
    if (trace_wants(t->tracer, TRACE_SYSCALL)) {
        uint64_t a[6] = {cpu_get(c, CPU_RDI), cpu_get(c, CPU_RSI), cpu_get(c, CPU_RDX),
                         cpu_get(c, CPU_R10), cpu_get(c, CPU_R8),  cpu_get(c, CPU_R9)};
        trace_syscall_enter(t->tracer, t, t->syscall_nr, a);
    }
    syscall_finish(t, syscall_invoke(t, t->syscall_nr));
}

void syscall_rerun(struct task *t)
{
    syscall_finish(t, syscall_invoke(t, t->syscall_nr));
}

long get_user_path(struct task *t, uint64_t uaddr, char *buf)
{
    long n = strncpy_from_user(t->mm, buf, uaddr, PATH_MAX);
    if (n < 0)
        return n;
    if (n == PATH_MAX)
        return -ENAMETOOLONG;
    return 0;
}

/* splitmix64: the seeded generator behind AT_RANDOM and getrandom. */
static uint64_t rng_state;

void kernel_random_seed(uint64_t seed)
{
    rng_state = seed ^ 0x9e3779b97f4a7c15ULL;
}

uint64_t kernel_random(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}
