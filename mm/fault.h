/* The page-fault handler and the MMU's page-table walk: what the CPU calls. */
#ifndef VMEMU_MM_FAULT_H
#define VMEMU_MM_FAULT_H

#include <stdbool.h>
#include <stdint.h>

struct mm_struct;

/* fault flags, as Linux's FAULT_FLAG_* and x86's error code carry them */
#define FAULT_FLAG_WRITE 0x01u
#define FAULT_FLAG_INSTRUCTION 0x02u
#define FAULT_FLAG_USER 0x04u
/* A retry after the fault waited (userfaultfd): Linux counts the fault major then. */
#define FAULT_FLAG_TRIED 0x08u

/* What handle_mm_fault did: the fault kinds vmemu reports. */
enum fault_kind {
    FAULT_ANON_ZERO, /* read of untouched anonymous memory: the zero page */
    FAULT_ANON_NEW,  /* a fresh zeroed frame */
    FAULT_FILE_MINOR,
    FAULT_FILE_MAJOR,
    FAULT_COW,
    FAULT_STACK_GROW,
    FAULT_WP_REUSE, /* write to a page this mapping may keep (exclusive anon, shmem): made writable
                     */
    FAULT_SWAP_IN,  /* a swap entry: the page read from swap (major) or found in the swap cache */
    FAULT_SPURIOUS, /* the entry already allows the access */
    /*
     * Handed to the VMA's userfaultfd (fault_result.uffd_reason says why):
     * the faulting task must wait for its handler, then retry with
     * FAULT_FLAG_TRIED. Neither resolved nor an error: not counted.
     */
    FAULT_USERFAULT,
    FAULT_SEGV_MAPERR,
    FAULT_SEGV_ACCERR,
    FAULT_OOM,
    FAULT_SIGBUS,
};

struct fault_result {
    enum fault_kind kind;
    unsigned long pfn; /* the frame now mapped */
    bool major;
    unsigned int around;              /* other pages fault-around mapped */
    unsigned int readahead;           /* pages readahead brought into the page or swap cache */
    const struct vm_area_struct *vma; /* the VMA the fault hit, or NULL */
    unsigned long uffd_reason;        /* FAULT_USERFAULT: VM_UFFD_MISSING, _WP or _MINOR */
    /*
     * FAULT_USERFAULT: Linux took the mmap lock for this fault, so retries
     * it with FAULT_FLAG_TRIED (counted major): a VMA of anonymous memory
     * with no anon_vma yet (lock_vma_under_rcu refuses it). Under the
     * per-VMA lock the retry is an ordinary minor fault.
     */
    bool uffd_retry_major;
};

#define FAULT_AROUND_PAGES 16 /* fault_around_bytes: 64 KiB, Linux's default */

/*
 * Resolve a fault at addr; result->kind says what happened. Every fault
 * that is not an error is counted in mm->faults and charged to the task
 * through arch_account_fault.
 *
 * Preconditions: mm is the address space of the task that faulted, which
 * holds a user reference (mm_users); called from the CPU's run loop or its
 * TLB-fill hook, or from a system call touching user memory (uaccess.c),
 * never while another mm/ call on the same mm is in progress.
 */
void handle_mm_fault(struct mm_struct *mm, unsigned long addr, unsigned int flags,
                     struct fault_result *result);

/* The short name traces use: "anon-zero", "cow", "segv", ... */
const char *fault_kind_name(enum fault_kind kind);

static inline bool fault_is_error(enum fault_kind k)
{
    return k >= FAULT_SEGV_MAPERR;
}

/* The MMU: one translation for the CPU. */
enum mmu_access { MMU_READ, MMU_WRITE, MMU_FETCH };
#define MMU_PROT_READ 1u
#define MMU_PROT_WRITE 2u
#define MMU_PROT_EXEC 4u
/*
 * Walk the page tables for va and access as the x86 walker does: on success
 * set A (and D for a write), store the physical address of the page and the
 * rights the CPU may cache (write only once D is set) and return true.
 * Return false when the access is not allowed: the caller raises a fault.
 *
 * Preconditions: none beyond a live mm: it never allocates, never faults
 * and calls no arch hook, so the CPU's TLB-fill hook may call it at any
 * time, also while handle_mm_fault runs from that hook.
 */
bool mm_translate(struct mm_struct *mm, uint64_t va, enum mmu_access access, uint64_t *pa,
                  unsigned int *prot);
/*
 * What the CPU may do at va now (MMU_PROT_* bits; 0 when no accessible
 * entry maps it), without setting accessed or dirty and without faulting:
 * for reports and for deciding what translated code to drop.
 */
unsigned int mmu_peek(struct mm_struct *mm, uint64_t va);

#endif
