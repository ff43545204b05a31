/* mprotect(2): new rights for a range, splitting and re-merging VMAs. */
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>

#include "arch.h"
#include "internal.h"
#include "mmap.h"
#include "pkeys.h"

#ifndef PROT_SEM
#define PROT_SEM 0x8 /* asm-generic/mman-common.h */
#endif

/*
 * Linux's mprotect_fixup, commit side: private memory turning writable is
 * charged from now on; anonymous memory never touched (no anon_vma yet)
 * that stops being writable gives its charge back.
 */
static int account_fixup(const struct vm_area_struct *vma, unsigned long start, unsigned long end,
                         unsigned long *newflags)
{
    unsigned long old = vma->vm_flags;
    long pages = (long)((end - start) >> PAGE_SHIFT);
    if (*newflags & VM_WRITE) {
        /* Turning into data must fit RLIMIT_DATA (Linux's check in mprotect_fixup). */
        if (!may_expand_vm(vma->vm_mm, *newflags, (unsigned long)pages) &&
            may_expand_vm(vma->vm_mm, old, (unsigned long)pages))
            return -ENOMEM;
        if (!(old & (VM_ACCOUNT | VM_WRITE | VM_SHARED | VM_NORESERVE))) {
            if (!vm_enough_memory(pages))
                return -ENOMEM;
            *newflags |= VM_ACCOUNT;
        }
    } else if ((old & VM_ACCOUNT) && !vma->vm_file && !vma->anon_vma) {
        *newflags &= ~VM_ACCOUNT;
    }
    return 0;
}

static int mprotect_fixup(struct mm_struct *mm, struct vm_area_struct *vma, unsigned long start,
                          unsigned long end, unsigned long newflags, bool *flush)
{
    if (vma->vm_flags == newflags)
        return 0;
    int err = account_fixup(vma, start, end, &newflags);
    if (err)
        return err;
    long charge = (long)((newflags & VM_ACCOUNT) ? 1 : 0) - ((vma->vm_flags & VM_ACCOUNT) ? 1 : 0);
    vma = vma_modify_flags(mm, vma, start, end, newflags, &err);
    if (!vma)
        return err;
    vm_acct_memory(charge * (long)((end - start) >> PAGE_SHIFT));
    if (change_protection(vma, start, end))
        *flush = true;
    return 0;
}

static unsigned long prot_to_vm(unsigned long prot)
{
    return (prot & PROT_READ ? VM_READ : 0) | (prot & PROT_WRITE ? VM_WRITE : 0) |
           (prot & PROT_EXEC ? VM_EXEC : 0);
}

/* PROT_GROWSDOWN extends the range down to the start of the stack VMA it begins in. */
static int grows_down_start(struct mm_struct *mm, unsigned long *start, unsigned long end)
{
    struct vm_area_struct *vma = find_vma(mm, *start);
    if (!vma || vma->vm_start >= end)
        return -ENOMEM;
    if (!(vma->vm_flags & VM_GROWSDOWN))
        return -EINVAL;
    *start = vma->vm_start;
    return 0;
}

int do_mprotect(struct mm_struct *mm, unsigned long start, unsigned long len, unsigned long prot)
{
    return do_mprotect_pkey(mm, start, len, prot, -1);
}

int do_mprotect_pkey(struct mm_struct *mm, unsigned long start, unsigned long len,
                     unsigned long prot, int pkey)
{
    unsigned long grows = prot & (PROT_GROWSDOWN | PROT_GROWSUP);
    prot &= ~(unsigned long)(PROT_GROWSDOWN | PROT_GROWSUP);
    if (grows == (PROT_GROWSDOWN | PROT_GROWSUP))
        return -EINVAL;
    if (start & ~PAGE_MASK)
        return -EINVAL;
    if (!len)
        return 0;
    len = PAGE_ALIGN(len);
    unsigned long end = start + len;
    if (end <= start)
        return -ENOMEM;
    /* arch_validate_prot: PROT_SEM is accepted and means nothing on x86. */
    if (prot & ~(unsigned long)(PROT_READ | PROT_WRITE | PROT_EXEC | PROT_SEM))
        return -EINVAL;
    /* A key the program did not allocate may not be used (the range is not looked at). */
    if (pkey != -1 && !mm_pkey_is_allocated(mm, pkey))
        return -EINVAL;
    if (grows & PROT_GROWSUP)
        return -EINVAL; /* no x86 VMA grows up */
    int err = grows ? grows_down_start(mm, &start, end) : 0;
    if (err)
        return err;
    unsigned long want = prot_to_vm(prot);
    bool flush = false;
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
        if (map_deny_write_exec(mm, vma->vm_flags, newflags)) {
            err = -EACCES;
            break;
        }
        if (vma_is_sealed(vma)) {
            err = -EPERM; /* what came before it keeps its new rights */
            break;
        }
        err = mprotect_fixup(mm, vma, addr, next, newflags, &flush);
        if (err)
            break;
        addr = next;
    }
    if (flush)
        arch_flush_tlb_mm(mm);
    return err;
}
