/*
 * System call dispatch. Arguments come in rdi, rsi, rdx, r10, r8, r9 and
 * the number in rax; the result, or -errno, goes back in rax. A call vmemu
 * does not implement gets ENOSYS and is reported once, by name.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>

#include "emu/cpu.h"
#include "emu/kernel/syscall.h"
#include "emu/kernel/task.h"
#include "emu/trace/trace.h"
#include "mm/uaccess.h"

static const char *const syscall_names[NR_SYSCALLS] = {
#include "syscall_names.inc"
};

static syscall_fn table[NR_SYSCALLS];
static bool table_ready;

static void table_init(void)
{
    sys_fs_register(table);
    sys_mm_register(table);
    sys_proc_register(table);
    table_ready = true;
}

const char *syscall_name(uint64_t nr)
{
    return nr < NR_SYSCALLS && syscall_names[nr] ? syscall_names[nr] : "unknown";
}

static long unknown_syscall(struct task *t, uint64_t nr)
{
    if (nr < NR_SYSCALLS && t->unknown_reported[nr])
        return -ENOSYS;
    const char *name = syscall_name(nr);
    fprintf(stderr, "vmemu: unimplemented system call %lu (%s): returning ENOSYS\n",
            (unsigned long)nr, name);
    if (nr < NR_SYSCALLS)
        t->unknown_reported[nr] = true;
    return -ENOSYS;
}

void syscall_dispatch(struct task *t)
{
    if (!table_ready)
        table_init();
    struct cpu *c = t->cpu;
    uint64_t nr = cpu_get(c, CPU_RAX);
    uint64_t a[6] = {cpu_get(c, CPU_RDI), cpu_get(c, CPU_RSI), cpu_get(c, CPU_RDX),
                     cpu_get(c, CPU_R10), cpu_get(c, CPU_R8),  cpu_get(c, CPU_R9)};
    long ret;
    t->in_syscall = syscall_name(nr);
    if (nr < NR_SYSCALLS && table[nr])
        ret = table[nr](t, a);
    else
        ret = unknown_syscall(t, nr);
    t->in_syscall = NULL;
    trace_syscall(t->tracer, t, nr, a, ret);
    /* The syscall instruction leaves the return address in rcx and rflags in r11. */
    cpu_set(c, CPU_RCX, cpu_get(c, CPU_RIP));
    cpu_set(c, CPU_R11, cpu_get(c, CPU_RFLAGS));
    cpu_set(c, CPU_RAX, (uint64_t)ret);
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
