/*
 * Emulating the legacy vsyscall page (Linux's emulate_vsyscall, in its
 * default execute-only mode): nothing is mapped at 0xffffffffff600000, so
 * a call there stops the CPU on the instruction fetch; the run loop hands
 * the fault here, which does what the page's code would do (the system
 * call, by the same implementation the syscall instruction reaches, so the
 * clock reads the same; no system call is traced, as strace sees none on
 * Linux) and then what its final ret would do: pop the return address.
 *
 * Only the three entry points may be called, from a readable stack, with
 * pointers that lie in user space; anything else is SIGSEGV, with the
 * kernel's log line when nobody catches it.
 */
#define _GNU_SOURCE
#include "emu/kernel/vsyscall.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <sys/syscall.h>

#include "emu/kernel/signal.h"
#include "emu/kernel/syscall.h"
#include "emu/kernel/task.h"
#include "mm/fault.h"
#include "mm/mm_types.h"
#include "mm/uaccess.h"

#define TIMEVAL_SIZE 16
#define TIMEZONE_SIZE 8

/* The entry at addr: its system call, or -1 for an address that is none of the three. */
static long vsyscall_nr(uint64_t addr)
{
    switch (addr - VSYSCALL_ADDR) {
    case 0x000:
        return SYS_gettimeofday;
    case 0x400:
        return SYS_time;
    case 0x800:
        return SYS_getcpu;
    default:
        return -1;
    }
}

/* The kernel logs bad vsyscalls (warn_bad_vsyscall) and sends SIGSEGV. */
static bool bad_vsyscall(struct task *t, const char *why)
{
    if (unhandled_signal(t, SIGSEGV))
        fprintf(stderr, "vmemu: %s[%d] %s ip:%lx sp:%lx ax:%lx si:%lx di:%lx\n", t->comm, t->tgid,
                why, (unsigned long)cpu_get(t->cpu, CPU_RIP),
                (unsigned long)cpu_get(t->cpu, CPU_RSP), (unsigned long)cpu_get(t->cpu, CPU_RAX),
                (unsigned long)cpu_get(t->cpu, CPU_RSI), (unsigned long)cpu_get(t->cpu, CPU_RDI));
    force_sig(t, SIGSEGV);
    return true;
}

/* write_ok_or_segv: a pointer argument must lie in user space, else SIGSEGV at it. */
static bool user_range_ok(struct task *t, uint64_t ptr, uint64_t size)
{
    if (!ptr || (ptr < TASK_SIZE && size <= TASK_SIZE - ptr))
        return true;
    force_sig_fault(t, SIGSEGV, SEGV_MAPERR, ptr);
    return false;
}

static bool pointers_ok(struct task *t, long nr)
{
    uint64_t di = cpu_get(t->cpu, CPU_RDI), si = cpu_get(t->cpu, CPU_RSI);
    switch (nr) {
    case SYS_gettimeofday:
        return user_range_ok(t, di, TIMEVAL_SIZE) && user_range_ok(t, si, TIMEZONE_SIZE);
    case SYS_time:
        return user_range_ok(t, di, sizeof(int64_t));
    default: /* getcpu */
        return user_range_ok(t, di, sizeof(uint32_t)) && user_range_ok(t, si, sizeof(uint32_t));
    }
}

bool emulate_vsyscall(struct task *t, const struct cpu_fault *f)
{
    if (!(f->flags & FAULT_FLAG_INSTRUCTION) || !is_vsyscall_vaddr(f->addr))
        return false;
    struct cpu *c = t->cpu;
    cpu_set(c, CPU_RIP, f->ip);
    /* The CPU reports the page; the fetch was at the instruction pointer. */
    long nr = vsyscall_nr(f->ip);
    if (nr < 0 || (f->ip & ~0xfffUL) != (f->addr & ~0xfffUL))
        return bad_vsyscall(t, "misaligned vsyscall (exploit attempt or buggy program)");
    uint64_t sp = cpu_get(c, CPU_RSP), caller;
    if (copy_from_user(t->mm, &caller, sp, sizeof(caller)))
        return bad_vsyscall(t, "vsyscall with bad stack (exploit attempt?)");
    if (!pointers_ok(t, nr))
        return true;
    /* getcpu's third argument (a cache) is ignored, as the kernel ignores it. */
    long ret = syscall_invoke(t, (uint64_t)nr);
    if (ret == -EFAULT)
        return bad_vsyscall(t, "vsyscall fault (exploit attempt?)");
    cpu_set(c, CPU_RAX, (uint64_t)ret);
    cpu_set(c, CPU_RIP, caller);
    cpu_set(c, CPU_RSP, sp + 8);
    return true;
}
