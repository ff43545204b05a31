/*
 * Address spaces and the mmap family: mmap, munmap, brk and the stack's
 * growth, with Linux's argument checks, error numbers and x86-64 layout.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "arch.h"
#include "caches.h"
#include "fault.h"
#include "fs.h"
#include "memory.h"
#include "mmap.h"
#include "pgtable.h"
#include "slab.h"
#include "vma.h"
#include "vma_tree.h"

#define TASK_UNMAPPED_BASE PAGE_ALIGN(TASK_SIZE / 3)
#define VM_DATA_DEFAULT_FLAGS (VM_READ | VM_WRITE | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC)
#define DEFAULT_STACK_RLIMIT (8UL << 20)

struct mm_struct *mm_alloc(const struct vma_tree_ops *ops)
{
    struct mm_struct *mm = kmem_cache_zalloc(mm_cachep, GFP_KERNEL);
    if (!mm)
        return NULL;
    mm->vma_ops = ops;
    mm->vma_tree = ops->create();
    if (!mm->vma_tree || pgd_alloc(mm) != 0) {
        if (mm->vma_tree)
            ops->destroy(mm->vma_tree);
        kmem_cache_free(mm_cachep, mm);
        return NULL;
    }
    mm->mmap_base = MMAP_BASE;
    mm->stack_rlimit = DEFAULT_STACK_RLIMIT;
    return mm;
}

void mmput(struct mm_struct *mm)
{
    struct vm_area_struct *vma;
    while ((vma = find_vma(mm, 0)) != NULL) {
        zap_page_range(vma, vma->vm_start, vma->vm_end);
        vma_unlink(mm, vma);
        vm_area_free(vma);
    }
    arch_flush_tlb_mm(mm);
    pgd_free(mm);
    mm->vma_ops->destroy(mm->vma_tree);
    kmem_cache_free(mm_cachep, mm);
}

struct vm_area_struct *find_vma(struct mm_struct *mm, unsigned long addr)
{
    return mm->vma_ops->find(mm->vma_tree, addr);
}

struct vm_area_struct *vma_next(struct mm_struct *mm, struct vm_area_struct *vma)
{
    return mm->vma_ops->next(mm->vma_tree, vma);
}

static bool range_is_free(struct mm_struct *mm, unsigned long start, unsigned long end)
{
    return !mm->vma_ops->find_intersection(mm->vma_tree, start, end);
}

/* Linux's get_unmapped_area for x86-64 with ASLR off: the hint, then top-down. */
static unsigned long get_unmapped_area(struct mm_struct *mm, unsigned long addr, unsigned long len)
{
    if (len > TASK_SIZE - mmap_min_addr)
        return (unsigned long)-ENOMEM;
    if (addr) {
        /* do_mmap's round_hint_to_min, then x86's addr &= PAGE_MASK: rounded down. */
        addr &= PAGE_MASK;
        if (addr < mmap_min_addr)
            addr = PAGE_ALIGN(mmap_min_addr);
        if (TASK_SIZE - len >= addr && range_is_free(mm, addr, addr + len))
            return addr;
    }
    struct vm_unmapped_area_info info = {
        .length = len, .low_limit = PAGE_SIZE, .high_limit = mm->mmap_base};
    addr = mm->vma_ops->unmapped_area_topdown(mm->vma_tree, &info);
    if (!IS_ERR_VALUE(addr))
        return addr;
    /* No room below mmap_base: Linux falls back to a bottom-up search. */
    info.low_limit = TASK_UNMAPPED_BASE;
    info.high_limit = TASK_SIZE;
    return mm->vma_ops->unmapped_area(mm->vma_tree, &info);
}

static unsigned long calc_vm_flags(unsigned long prot, unsigned long flags)
{
    unsigned long vm = VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC;
    vm |= (prot & PROT_READ ? VM_READ : 0) | (prot & PROT_WRITE ? VM_WRITE : 0) |
          (prot & PROT_EXEC ? VM_EXEC : 0);
    vm |= (flags & MAP_GROWSDOWN ? VM_GROWSDOWN : 0) | (flags & MAP_LOCKED ? VM_LOCKED : 0);
    if ((flags & MAP_TYPE) != MAP_PRIVATE)
        vm |= VM_SHARED | VM_MAYSHARE;
    if (flags & MAP_NORESERVE)
        vm |= VM_NORESERVE;
    else if ((vm & (VM_WRITE | VM_SHARED)) == VM_WRITE)
        vm |= VM_ACCOUNT;
    return vm;
}

/* The file's open mode limits what a mapping of it may ever do. */
static int file_mmap_flags(struct file *file, unsigned long prot, unsigned long *vm)
{
    unsigned int acc = file->f_flags & O_ACCMODE;
    if (acc == O_WRONLY || !file->f_mapping)
        return -EACCES;
    if (*vm & VM_SHARED) {
        if ((prot & PROT_WRITE) && acc != O_RDWR)
            return -EACCES;
        if (acc != O_RDWR)
            *vm &= ~(VM_MAYWRITE | VM_SHARED);
    }
    return 0;
}

static int populate(struct mm_struct *mm, struct vm_area_struct *vma, unsigned long start,
                    unsigned long end)
{
    unsigned int flags =
        ((vma->vm_flags & (VM_WRITE | VM_SHARED)) == VM_WRITE) ? FAULT_FLAG_WRITE : 0;
    for (unsigned long a = start; a < end; a += PAGE_SIZE) {
        struct fault_result r;
        handle_mm_fault(mm, a, flags, &r);
        if (r.kind == FAULT_OOM)
            return -ENOMEM;
    }
    return 0;
}

/* Create the VMA for [addr, addr + len), merging with neighbours when it can. */
static unsigned long mmap_region(struct mm_struct *mm, struct file *file, unsigned long addr,
                                 unsigned long len, unsigned long vm_flags, unsigned long pgoff)
{
    struct vm_area_struct *vma = vm_area_alloc(mm);
    if (!vma)
        return (unsigned long)-ENOMEM;
    vma->vm_start = addr;
    vma->vm_end = addr + len;
    vma->vm_flags = vm_flags;
    vma->vm_pgoff = file ? pgoff : addr >> PAGE_SHIFT;
    int err = vma_link(mm, vma);
    if (err) {
        vm_area_free(vma);
        return (unsigned long)(long)err;
    }
    if (file)
        vma->vm_file = get_file(file);
    vma_notify(mm, VMA_CREATED, vma);
    vma_merge_neighbours(mm, vma);
    return addr;
}

unsigned long do_mmap(struct mm_struct *mm, struct file *file, unsigned long addr,
                      unsigned long len, unsigned long prot, unsigned long flags,
                      unsigned long pgoff)
{
    unsigned long type = flags & MAP_TYPE;
    if (type != MAP_PRIVATE && type != MAP_SHARED && type != MAP_SHARED_VALIDATE)
        return (unsigned long)-EINVAL;
    if (!len)
        return (unsigned long)-EINVAL;
    len = PAGE_ALIGN(len);
    if (!len || len > TASK_SIZE)
        return (unsigned long)-ENOMEM;
    if (pgoff + (len >> PAGE_SHIFT) < pgoff)
        return (unsigned long)-EOVERFLOW;
    if (prot & ~(unsigned long)(PROT_READ | PROT_WRITE | PROT_EXEC))
        return (unsigned long)-EINVAL;

    unsigned long vm_flags = calc_vm_flags(prot, flags);
    if (file) {
        int err = file_mmap_flags(file, prot, &vm_flags);
        if (err)
            return (unsigned long)(long)err;
    } else {
        pgoff = 0;
    }

    if (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) {
        if (addr & ~PAGE_MASK)
            return (unsigned long)-EINVAL;
        if (addr > TASK_SIZE - len)
            return (unsigned long)-ENOMEM;
        if (addr < mmap_min_addr)
            return (unsigned long)-EPERM;
        if (!range_is_free(mm, addr, addr + len)) {
            if (!(flags & MAP_FIXED))
                return (unsigned long)-EEXIST;
            int err = do_munmap(mm, addr, len);
            if (err)
                return (unsigned long)(long)err;
        }
    } else {
        addr = get_unmapped_area(mm, addr, len);
        if (IS_ERR_VALUE(addr))
            return addr;
    }

    addr = mmap_region(mm, file, addr, len, vm_flags, pgoff);
    if (!IS_ERR_VALUE(addr) && (flags & (MAP_POPULATE | MAP_LOCKED)) && !(flags & MAP_NONBLOCK))
        populate(mm, find_vma(mm, addr), addr, addr + len);
    return addr;
}

/* Detach and free the VMAs inside [start, end), splitting those that straddle it. */
static int unmap_vmas(struct mm_struct *mm, unsigned long start, unsigned long end, bool *flush)
{
    struct vm_area_struct *vma = mm->vma_ops->find_intersection(mm->vma_tree, start, end);
    int err = 0;
    if (vma && vma->vm_start < start && !split_vma(mm, vma, start, &err))
        return err;
    while ((vma = mm->vma_ops->find_intersection(mm->vma_tree, start, end)) != NULL) {
        if (vma->vm_end > end && !split_vma(mm, vma, end, &err))
            return err;
        if (zap_page_range(vma, vma->vm_start, vma->vm_end))
            *flush = true;
        vma_notify(mm, VMA_REMOVED, vma);
        vma_unlink(mm, vma);
        vm_area_free(vma);
    }
    return 0;
}

int do_munmap(struct mm_struct *mm, unsigned long start, unsigned long len)
{
    if ((start & ~PAGE_MASK) || start > TASK_SIZE || len > TASK_SIZE - start)
        return -EINVAL;
    len = PAGE_ALIGN(len);
    if (!len)
        return -EINVAL;
    bool flush = false;
    int err = unmap_vmas(mm, start, start + len, &flush);
    free_pgtables(mm, start, start + len);
    if (flush)
        arch_flush_tlb_mm(mm);
    return err;
}

int vm_brk_flags(struct mm_struct *mm, unsigned long addr, unsigned long len, unsigned long flags)
{
    len = PAGE_ALIGN(len);
    if (!len)
        return 0;
    if ((addr & ~PAGE_MASK) || addr > TASK_SIZE - len)
        return -EINVAL;
    if (!range_is_free(mm, addr, addr + len))
        return -EEXIST;
    unsigned long r =
        mmap_region(mm, NULL, addr, len, VM_DATA_DEFAULT_FLAGS | VM_ACCOUNT | flags, 0);
    return IS_ERR_VALUE(r) ? (int)(long)r : 0;
}

unsigned long do_brk(struct mm_struct *mm, unsigned long brk)
{
    if (brk < mm->start_brk)
        return mm->brk;
    unsigned long newbrk = PAGE_ALIGN(brk), oldbrk = PAGE_ALIGN(mm->brk);
    if (newbrk == oldbrk) {
        mm->brk = brk;
        return brk;
    }
    if (brk <= mm->brk) {
        /* Shrinking frees the pages above the new break. */
        if (do_munmap(mm, newbrk, oldbrk - newbrk) != 0)
            return mm->brk;
        mm->brk = brk;
        return brk;
    }
    /* Growing must leave a page between the heap and the next mapping. */
    struct vm_area_struct *next = find_vma(mm, oldbrk);
    if (next && newbrk + PAGE_SIZE > next->vm_start)
        return mm->brk;
    if (vm_brk_flags(mm, oldbrk, newbrk - oldbrk, 0) != 0)
        return mm->brk;
    mm->brk = brk;
    return brk;
}

int expand_stack(struct mm_struct *mm, struct vm_area_struct *vma, unsigned long addr)
{
    addr &= PAGE_MASK;
    if (addr < mmap_min_addr || vma->vm_end - addr > mm->stack_rlimit)
        return -ENOMEM;
    struct vm_area_struct *prev = vma_prev(mm, vma);
    /* Keep Linux's guard gap above whatever lies below the stack. */
    if (prev && !(prev->vm_flags & VM_GROWSDOWN) && (prev->vm_flags & VM_ACCESS_FLAGS) &&
        (addr < prev->vm_end || addr - prev->vm_end < STACK_GUARD_GAP))
        return -ENOMEM;
    int err = vma_set_range(mm, vma, addr, vma->vm_end,
                            vma->vm_pgoff - ((vma->vm_start - addr) >> PAGE_SHIFT));
    if (!err)
        vma_notify(mm, VMA_CHANGED, vma);
    return err;
}
