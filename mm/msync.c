/*
 * msync(2). Linux needs nothing for MS_ASYNC (the page cache is shared, so
 * other processes see the mapping's data at once) and writes the range
 * back for MS_SYNC. Under vmemu other processes see the host's file, so
 * both write the dirty pages the range maps back to it; MS_SYNC also asks
 * the host to make them durable. The dirty bits of the entries are
 * collected on the way (page_mkclean), so a write made through the CPU
 * alone is written too.
 */
#include <errno.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fs.h"
#include "mmap.h"

/* Write back what vma maps of [start, end); 0 or -errno. */
static int msync_vma(struct vm_area_struct *vma, unsigned long start, unsigned long end, int flags)
{
    struct file *f = vma->vm_file;
    if (!f || !f->f_mapping || !(vma->vm_flags & VM_SHARED))
        return 0;
    pgoff_t first = vma->vm_pgoff + ((start - vma->vm_start) >> PAGE_SHIFT);
    pgoff_t last = vma->vm_pgoff + ((end - vma->vm_start) >> PAGE_SHIFT);
    writeback_range(f->f_mapping, first, last, WB_REASON_MSYNC);
    if (!(flags & MS_SYNC))
        return 0; /* MS_ASYNC reports nothing, as in Linux */
    /* As vfs_fsync_range: the error is reported once through the mapping's file. */
    int err = file_check_and_advance_wb_err(f);
    if (!err && fsync(f->f_host_fd) != 0 && errno != EINVAL)
        err = -errno;
    return err;
}

int do_msync(struct mm_struct *mm, unsigned long start, unsigned long len, int flags)
{
    if ((start & ~PAGE_MASK) || (flags & ~(MS_ASYNC | MS_SYNC | MS_INVALIDATE)) ||
        ((flags & MS_ASYNC) && (flags & MS_SYNC)))
        return -EINVAL;
    unsigned long end = start + PAGE_ALIGN(len);
    if (end < start)
        return -ENOMEM;
    int unmapped = 0;
    while (start < end) {
        struct vm_area_struct *vma = find_vma(mm, start);
        if (!vma || vma->vm_start >= end)
            return -ENOMEM; /* the rest of the range is not mapped */
        if (vma->vm_start > start) {
            unmapped = -ENOMEM; /* a hole: go on, but say so, as Linux does */
            start = vma->vm_start;
        }
        if ((flags & MS_INVALIDATE) && (vma->vm_flags & VM_LOCKED))
            return -EBUSY;
        unsigned long stop = vma->vm_end < end ? vma->vm_end : end;
        int err = msync_vma(vma, start, stop, flags);
        if (err)
            return err;
        start = stop;
    }
    return unmapped;
}
