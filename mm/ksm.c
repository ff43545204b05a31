/*
 * KSM's flags without its scanner: VM_MERGEABLE marks memory KSM may
 * merge (madvise MADV_MERGEABLE, or every new VMA of an mm after
 * prctl(PR_SET_MEMORY_MERGE)), as Linux keeps them. vmemu has no ksmd, so
 * nothing is ever merged: a Linux machine whose ksmd is stopped
 * (/sys/kernel/mm/ksm/run = 0, the default) behaves the same, and smaps
 * shows "KSM: 0 kB" on both.
 */
#include "internal.h"
#include "mmap.h"

/* Linux's vma_ksm_compatible: private memory that is neither raw frames nor droppable. */
bool vma_ksm_compatible(unsigned long vm_flags)
{
    return !(vm_flags & (VM_SHARED | VM_MAYSHARE | VM_SPECIAL | VM_DROPPABLE));
}

unsigned long ksm_vma_flags(const struct mm_struct *mm, unsigned long vm_flags)
{
    if ((mm->flags & (1UL << MMF_VM_MERGE_ANY)) && vma_ksm_compatible(vm_flags))
        vm_flags |= VM_MERGEABLE;
    return vm_flags;
}

/*
 * Linux's ksm_enable_merge_any and ksm_disable_merge_any: the mm's flag,
 * and VM_MERGEABLE set on (or taken from) every VMA in place, without
 * splitting or merging.
 */
void ksm_set_merge_any(struct mm_struct *mm, bool on)
{
    if (!!(mm->flags & (1UL << MMF_VM_MERGE_ANY)) == on)
        return;
    if (on)
        mm->flags |= 1UL << MMF_VM_MERGE_ANY;
    else
        mm->flags &= ~(1UL << MMF_VM_MERGE_ANY);
    for (struct vm_area_struct *v = find_vma(mm, 0); v; v = vma_next(mm, v)) {
        unsigned long f = on ? ksm_vma_flags(mm, v->vm_flags) : v->vm_flags & ~VM_MERGEABLE;
        if (f != v->vm_flags) {
            v->vm_flags = f;
            vma_notify(mm, VMA_CHANGED, v);
        }
    }
}
