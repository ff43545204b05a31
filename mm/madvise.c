/* madvise(2): the advice Linux acts on without memory pressure. */
#include <errno.h>
#include <sys/mman.h>

#include "arch.h"
#include "memory.h"
#include "mmap.h"
#include "vma_tree.h"

static bool advice_valid(int advice)
{
    switch (advice) {
    case MADV_NORMAL:
    case MADV_RANDOM:
    case MADV_SEQUENTIAL:
    case MADV_WILLNEED:
    case MADV_DONTNEED:
    case MADV_FREE:
    case MADV_DONTFORK:
    case MADV_DOFORK:
    case MADV_MERGEABLE:
    case MADV_UNMERGEABLE:
    case MADV_HUGEPAGE:
    case MADV_NOHUGEPAGE:
    case MADV_DONTDUMP:
    case MADV_DODUMP:
    case MADV_COLD:
    case MADV_PAGEOUT:
        return true;
    default:
        return false;
    }
}

int do_madvise(struct mm_struct *mm, unsigned long start, unsigned long len, int advice)
{
    if ((start & ~PAGE_MASK) || !advice_valid(advice))
        return -EINVAL;
    unsigned long end = start + PAGE_ALIGN(len);
    if (end < start)
        return -EINVAL;
    if (end == start)
        return 0;
    bool flush = false, hole = false;
    unsigned long addr = start;
    while (addr < end) {
        struct vm_area_struct *vma = find_vma(mm, addr);
        if (!vma || vma->vm_start >= end) {
            hole = true;
            break;
        }
        if (vma->vm_start > addr)
            hole = true;
        unsigned long s = vma->vm_start > addr ? vma->vm_start : addr;
        unsigned long e = vma->vm_end < end ? vma->vm_end : end;
        /*
         * DONTNEED drops the pages now: anonymous memory reads back as zeros,
         * private file memory as the file. FREE may drop them only under
         * memory pressure, and vmemu has none yet, so they stay.
         */
        if (advice == MADV_DONTNEED && zap_page_range(vma, s, e))
            flush = true;
        addr = e;
    }
    if (flush)
        arch_flush_tlb_mm(mm);
    return hole ? -ENOMEM : 0;
}
