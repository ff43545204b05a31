/*
 * The legacy vsyscall page at 0xffffffffff600000, as x86-64 Linux's
 * default (vsyscall=xonly) keeps it: not mapped, but a call to one of its
 * three entry points (gettimeofday at +0, time at +0x400, getcpu at +0x800)
 * faults on the instruction fetch and the kernel emulates the call. A read
 * of the page is an ordinary fault (SIGSEGV); a jump anywhere else in it
 * is SIGSEGV too. /proc/PID/maps shows it as Linux's gate area.
 */
#ifndef VMEMU_EMU_KERNEL_VSYSCALL_H
#define VMEMU_EMU_KERNEL_VSYSCALL_H

#include <stdbool.h>
#include <stdint.h>

#include "emu/cpu.h"

#define VSYSCALL_ADDR 0xffffffffff600000UL
#define VSYSCALL_END (VSYSCALL_ADDR + 4096)

struct task;

static inline bool is_vsyscall_vaddr(uint64_t addr)
{
    return addr >= VSYSCALL_ADDR && addr < VSYSCALL_END;
}

/*
 * A fault the CPU reported: if it is an instruction fetch from the
 * vsyscall page, emulate the call (or send SIGSEGV for a bad one) and
 * return true; the task then goes on at its caller. False otherwise.
 */
bool emulate_vsyscall(struct task *t, const struct cpu_fault *f);

#endif
