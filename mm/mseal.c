/*
 * mseal(2) (Linux 6.10): VM_SEALED on every VMA of a range, for good. A
 * sealed VMA refuses what would change or remove it, with EPERM, where
 * Linux 6.18 checks it: munmap, and whatever unmaps on the way (mmap
 * MAP_FIXED over it, mremap onto it, brk shrinking into it) refuses the
 * whole call before anything changes; mremap of it; mprotect stops at it
 * (the VMAs before it keep their new rights, as Linux's per-VMA check
 * leaves them); madvise advice that discards pages (DONTNEED, FREE,
 * DONTFORK, WIPEONFORK, GUARD_INSTALL...) stops at a sealed read-only
 * private anonymous VMA, whose data could otherwise be replaced by zeros.
 * Sealing is inherited by fork's copy; it goes with the mm.
 */
#include <errno.h>
#include <sys/mman.h>

#include "internal.h"
#include "mman_new.h"
#include "mmap.h"
#include "vma_tree.h"

bool range_has_sealed_vma(struct mm_struct *mm, unsigned long start, unsigned long end)
{
    for (struct vm_area_struct *v = mm->vma_ops->find_intersection(mm->vma_tree, start, end);
         v && v->vm_start < end; v = vma_next(mm, v))
        if (vma_is_sealed(v))
            return true;
    return false;
}

/* Linux's is_ro_anon: private anonymous memory the task may not write. */
static bool is_ro_anon(const struct vm_area_struct *vma)
{
    return !vma->vm_file && !(vma->vm_flags & VM_SHARED) && !(vma->vm_flags & VM_WRITE);
}

bool madvise_sealed_refuses(const struct vm_area_struct *vma, int advice)
{
    switch (advice) {
    case MADV_FREE:
    case MADV_DONTNEED:
    case MADV_DONTNEED_LOCKED:
    case MADV_REMOVE:
    case MADV_DONTFORK:
    case MADV_WIPEONFORK:
    case MADV_GUARD_INSTALL:
        return vma_is_sealed(vma) && is_ro_anon(vma);
    default:
        return false;
    }
}

/* Is every page of [start, end) mapped? */
static bool range_fully_mapped(struct mm_struct *mm, unsigned long start, unsigned long end)
{
    unsigned long addr = start;
    while (addr < end) {
        struct vm_area_struct *vma = find_vma(mm, addr);
        if (!vma || vma->vm_start > addr)
            return false;
        addr = vma->vm_end;
    }
    return true;
}

int do_mseal(struct mm_struct *mm, unsigned long start, unsigned long len_in, unsigned long flags)
{
    if (flags || (start & ~PAGE_MASK))
        return -EINVAL;
    unsigned long len = PAGE_ALIGN(len_in);
    if (len_in && !len)
        return -EINVAL; /* rounded up from a huge length to zero */
    unsigned long end = start + len;
    if (end < start)
        return -EINVAL;
    if (end == start)
        return 0;
    if (!range_fully_mapped(mm, start, end))
        return -ENOMEM;
    unsigned long addr = start;
    while (addr < end) {
        struct vm_area_struct *vma = find_vma(mm, addr);
        unsigned long e = vma->vm_end < end ? vma->vm_end : end;
        int err;
        if (!vma_is_sealed(vma) &&
            !vma_modify_flags(mm, vma, addr, e, vma->vm_flags | VM_SEALED, &err))
            return err;
        addr = e;
    }
    return 0;
}
