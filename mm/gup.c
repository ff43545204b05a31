/*
 * Populating a range as get_user_pages does for MAP_POPULATE, mlock and
 * MAP_LOCKED: every page faulted in now, for writing where a write would
 * copy (private writable memory), so later accesses find it mapped.
 */
#include <errno.h>

#include "fault.h"
#include "internal.h"
#include "mmap.h"
#include "pgtable.h"

/* Does the present entry already allow what the populate asks? Then no fault. */
static bool pte_sufficient(struct mm_struct *mm, unsigned long addr, bool write)
{
    pte_t *pte = pte_offset(mm, addr);
    if (!pte || !pte_accessible(*pte))
        return false;
    return !write || pte_write(*pte);
}

/* Linux's populate_vma_page_range for one VMA's part [start, end); 0, -ENOMEM or -EFAULT. */
static int populate_vma(struct vm_area_struct *vma, unsigned long start, unsigned long end)
{
    /* mlock(MLOCK_ONFAULT) memory, I/O mappings and PROT_NONE are never populated. */
    if (vma->vm_flags & (VM_LOCKONFAULT | VM_IO | VM_PFNMAP))
        return 0;
    if (vma_is_secretmem(vma))
        return -EFAULT; /* check_vma_flags: the kernel never touches secret memory */
    if (!(vma->vm_flags & VM_ACCESS_FLAGS))
        return 0;
    bool write = (vma->vm_flags & (VM_WRITE | VM_SHARED)) == VM_WRITE;
    unsigned int flags = write ? FAULT_FLAG_WRITE : 0;
    for (unsigned long a = start; a < end; a += PAGE_SIZE) {
        if (pte_sufficient(vma->vm_mm, a, write))
            continue;
        struct fault_result r;
        handle_mm_fault(vma->vm_mm, a, flags, &r);
        if (r.kind == FAULT_OOM)
            return -ENOMEM;
        if (fault_is_error(r.kind))
            break; /* past the end of the file: the rest cannot be populated either */
    }
    return 0;
}

/* Linux's check_vma_flags for an access without FOLL_FORCE: may it be made in vma? */
static bool populate_allowed(const struct vm_area_struct *vma, bool write)
{
    if ((vma->vm_flags & (VM_IO | VM_PFNMAP)) || vma_is_secretmem(vma))
        return false;
    return write ? (vma->vm_flags & VM_WRITE) : (vma->vm_flags & VM_READ);
}

int madvise_populate(struct mm_struct *mm, unsigned long start, unsigned long end, bool write)
{
    for (unsigned long a = start; a < end; a += PAGE_SIZE) {
        struct vm_area_struct *vma = find_vma(mm, a);
        if (!vma || vma->vm_start > a)
            return -ENOMEM;
        if (!populate_allowed(vma, write))
            return -EINVAL;
        if (pte_sufficient(mm, a, write))
            continue;
        struct fault_result r;
        handle_mm_fault(mm, a, write ? FAULT_FLAG_WRITE : 0, &r);
        if (r.kind == FAULT_OOM)
            return -ENOMEM;
        if (fault_is_error(r.kind))
            return -EFAULT;
    }
    return 0;
}

int mm_populate(struct mm_struct *mm, unsigned long start, unsigned long len)
{
    unsigned long end = start + len, addr = start;
    int refused = 0;
    while (addr < end) {
        struct vm_area_struct *vma = find_vma(mm, addr);
        if (!vma || vma->vm_start >= end)
            break;
        unsigned long s = vma->vm_start > addr ? vma->vm_start : addr;
        unsigned long e = vma->vm_end < end ? vma->vm_end : end;
        int err = populate_vma(vma, s, e);
        if (err == -EFAULT)
            refused = err; /* a VMA the kernel may not touch: the others are still done */
        else if (err)
            return err;
        addr = e;
    }
    return refused;
}
