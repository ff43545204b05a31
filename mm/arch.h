/*
 * The few things mm/ needs from the CPU, the way Linux's mm/ reaches arch/.
 * emu/ implements them for the emulated CPU; unit tests supply their own.
 */
#ifndef VMEMU_MM_ARCH_H
#define VMEMU_MM_ARCH_H

#include <stdbool.h>
#include <stdint.h>

struct mm_struct;

/* A PTE lost rights or went away: forget every cached translation. */
void arch_flush_tlb_mm(struct mm_struct *mm);

/*
 * Frames that held code mapped at [start, end) are about to change or be
 * reused: drop translated code for that range while it is still mapped.
 */
void arch_flush_code_range(struct mm_struct *mm, unsigned long start, unsigned long end);

/*
 * A fault was resolved in mm: Linux charges it to the task that took it
 * (min_flt or maj_flt in task_struct), which only the caller knows.
 */
void arch_account_fault(struct mm_struct *mm, bool major);

/*
 * The time, in nanoseconds, that dirty-page expiry is measured in: the
 * task's virtual clock (the host clock with --realtime).
 */
uint64_t arch_now_ns(void);

#endif
