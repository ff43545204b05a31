/* mprotect(2): new rights for a range, splitting and re-merging VMAs. */
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>

#include "arch.h"
#include "memory.h"
#include "mmap.h"
#include "vma.h"
#include "vma_tree.h"

static int mprotect_vma(struct mm_struct *mm, struct vm_area_struct *vma, unsigned long start,
                        unsigned long end, unsigned long newflags, bool *flush)
{
    int err = 0;
    if (vma->vm_flags == newflags)
        return 0;
    if (vma->vm_start < start && !(vma = split_vma(mm, vma, start, &err)))
        return err;
    if (vma->vm_end > end && !split_vma(mm, vma, end, &err))
        return err;
    long pages = (long)vma_pages(vma);
    vm_stat_account(mm, vma->vm_flags, -pages);
    vma->vm_flags = newflags;
    vm_stat_account(mm, vma->vm_flags, pages);
    if (change_protection(vma, vma->vm_start, vma->vm_end))
        *flush = true;
    vma_notify(mm, VMA_CHANGED, vma);
    vma_merge_neighbours(mm, vma);
    return 0;
}

static unsigned long prot_to_vm(unsigned long prot)
{
    return (prot & PROT_READ ? VM_READ : 0) | (prot & PROT_WRITE ? VM_WRITE : 0) |
           (prot & PROT_EXEC ? VM_EXEC : 0);
}

int do_mprotect(struct mm_struct *mm, unsigned long start, unsigned long len, unsigned long prot)
{
    if (start & ~PAGE_MASK)
        return -EINVAL;
    if (prot & ~(unsigned long)(PROT_READ | PROT_WRITE | PROT_EXEC))
        return -EINVAL;
    if (!len)
        return 0;
    len = PAGE_ALIGN(len);
    unsigned long end = start + len;
    if (end <= start)
        return -ENOMEM;
    unsigned long want = prot_to_vm(prot);
    bool flush = false;
    int err = 0;
    unsigned long addr = start;
    while (addr < end) {
        struct vm_area_struct *vma = find_vma(mm, addr);
        if (!vma || vma->vm_start > addr) {
            err = -ENOMEM; /* a hole: Linux stops there, keeping what it changed */
            break;
        }
        /* Rights the VMA may never have (a read-only file shared): refused. */
        if ((want & ~(vma->vm_flags >> 4)) & VM_ACCESS_FLAGS) {
            err = -EACCES;
            break;
        }
        unsigned long next = vma->vm_end < end ? vma->vm_end : end;
        unsigned long newflags = (vma->vm_flags & ~VM_ACCESS_FLAGS) | want;
        /* Linux's mprotect_fixup: private memory turning writable is charged from now on. */
        if ((newflags & VM_WRITE) &&
            !(vma->vm_flags & (VM_ACCOUNT | VM_WRITE | VM_SHARED | VM_NORESERVE)))
            newflags |= VM_ACCOUNT;
        err = mprotect_vma(mm, vma, addr, next, newflags, &flush);
        if (err)
            break;
        addr = next;
    }
    if (flush)
        arch_flush_tlb_mm(mm);
    return err;
}
