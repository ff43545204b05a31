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
 * May the CPU hold a translation of addr in mm, looked up since its last
 * flush? False only when it certainly does not: then a PTE of addr may
 * lose rights or go away without arch_flush_tlb_mm, as nothing cached can
 * outlive the change (the way Linux's mmu_gather skips the flush when no
 * entry it cleared could be cached). Cheap: asked for every PTE a zap or
 * a downgrade clears.
 */
bool arch_tlb_may_hold(struct mm_struct *mm, unsigned long addr);

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

/*
 * An allocation found every zone below its low watermark: kswapd should
 * run. The implementation must not run it from inside this call (mm/ may
 * be in the middle of anything): it arranges for kswapd_run() (swap.h) to
 * be called at the next point where no mm/ call is under way.
 */
void arch_wake_kswapd(void);

/* One process as the OOM killer sees it (a thread group with an address space). */
struct oom_task {
    void *task; /* the implementation's handle */
    struct mm_struct *mm;
    int pid; /* the thread group's id */
    unsigned int uid;
    int oom_score_adj; /* -1000 (never) .. 1000 */
    const char *comm;
    bool current; /* the process whose allocation is failing */
    bool dying;   /* already killed or exiting: its memory is on its way back */
    bool vfork;   /* a vfork parent waiting for its child: it shares the child's mm */
};

/*
 * Call fn for every process that has an address space, in pid order,
 * until fn returns false.
 */
void arch_for_each_oom_task(bool (*fn)(const struct oom_task *t, void *arg), void *arg);
/*
 * Kill the process t names with SIGKILL, and every other process sharing
 * its mm, as Linux's __oom_kill_process: the signal is delivered when each
 * next returns to user mode (at once if it sleeps).
 */
void arch_oom_kill(const struct oom_task *t);

#endif
