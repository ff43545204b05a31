/*
 * The few things mm/ needs from the CPU, the way Linux's mm/ reaches arch/.
 * emu/ implements them for the emulated CPU; unit tests supply their own.
 * mm/ includes no emulator header: everything it knows about the CPU is here.
 */
#ifndef VMEMU_MM_ARCH_H
#define VMEMU_MM_ARCH_H

#include <stdbool.h>
#include <stdint.h>

struct mm_struct;

/*
 * The lowest address a user mapping may start at, whatever privileges the
 * task has (Linux's FIRST_USER_ADDRESS, 0 on x86). vmemu's CPU takes a
 * jump to address 0 as its stop, so page 0 is never mapped.
 */
#define FIRST_USER_ADDRESS 0x1000UL

/*
 * A PTE of mm lost rights or went away: every CPU that may cache a
 * translation of mm must forget it before the call returns.
 */
void arch_flush_tlb_mm(struct mm_struct *mm);

/*
 * [start, end) of mm may map other frames from now on (a copy-on-write of
 * executable memory, an unmap, a move): whatever the CPU looks code up by
 * virtual address must forget the range. The code translated from the old
 * frames stays valid for whoever still maps them. May be called from
 * inside a fault the CPU's TLB-fill hook is resolving.
 */
void arch_flush_code_range(struct mm_struct *mm, unsigned long start, unsigned long end);

/*
 * The content of frames [pfn, pfn + nr) is about to change: the kernel
 * writes them (copy_to_user, a write() into the page cache, zeroing a
 * tail), or they are being freed for reuse. Code the CPU translated from
 * them must go. Called for every freed block, so cheap when the frames
 * hold no code; may be called from inside a fault being resolved.
 */
void arch_frames_changing(unsigned long pfn, unsigned long nr);

/*
 * A fault on mm was resolved (not refused): charge it to the task that
 * took it, major when it waited for I/O, as Linux's mm_account_fault
 * charges current->min_flt / maj_flt. Called once per resolved fault, from
 * handle_mm_fault, after mm->faults is updated.
 */
void arch_account_fault(struct mm_struct *mm, bool major);

/*
 * The time, in nanoseconds, that dirty-page expiry is measured in: the
 * task's virtual clock (the host clock with --realtime).
 */
uint64_t arch_now_ns(void);

#endif
