/* userfaultfd inside mm/: what the fault handler, fork and the VMA code ask (Linux's
 * userfaultfd_k.h). */
#ifndef VMEMU_MM_USERFAULTFD_K_H
#define VMEMU_MM_USERFAULTFD_K_H

#include "fault.h"
#include "mm_types.h"
#include "pgtable.h"

/*
 * Hand a fault on vma to its userfaultfd for reason (one VM_UFFD_* bit):
 * FAULT_USERFAULT, so that the task waits for the handler, or FAULT_SIGBUS
 * when it cannot (UFFD_FEATURE_SIGBUS, or a kernel access: see the .c).
 */
enum fault_kind handle_userfault(struct vm_area_struct *vma, unsigned int flags,
                                 unsigned long reason, struct fault_result *res);

/* A write to this entry is the handler's (Linux's userfaultfd_pte_wp). */
static inline bool userfaultfd_pte_wp(const struct vm_area_struct *vma, pte_t pte)
{
    return (vma->vm_flags & VM_UFFD_WP) && pte_uffd_wp(pte);
}

/* fork without UFFD_FEATURE_EVENT_FORK: the child's copy of a VMA is not watched. */
static inline void userfaultfd_dup_vma(struct vm_area_struct *vma)
{
    vma->vm_flags &= ~__VM_UFFD_FLAGS;
    vma->vm_userfaultfd_ctx = NULL;
}

/*
 * mremap moved pages into vma (not yet merged): without
 * UFFD_FEATURE_EVENT_REMAP the new VMA is not watched and its entries
 * lose write protection (Linux's mremap_userfaultfd_prep and move_ptes).
 */
void userfaultfd_moved(struct vm_area_struct *vma);

#endif
