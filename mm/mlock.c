/*
 * mlock(2) and friends: VM_LOCKED (and VM_LOCKONFAULT) on VMAs, counted in
 * mm->locked_vm, with the pages faulted in at once unless only on fault.
 * RLIMIT_MEMLOCK bounds what may be locked, unless the task holds
 * CAP_IPC_LOCK (mm->limits): EPERM when the limit is 0, ENOMEM past it for
 * mlock and mlockall, EAGAIN for mappings made locked (mmap's MAP_LOCKED,
 * anything mapped after mlockall(MCL_FUTURE)).
 *
 * A page some VM_LOCKED VMA maps is PG_mlocked and sits on the
 * unevictable LRU list, where reclaim never looks (Linux's mlock_folio):
 * it is mlocked when such a mapping gets it (a fault, or mlock of a range
 * already mapped) and munlocked when the last such mapping lets it go
 * (munlock, munmap, exit), the reverse map telling whether one is left.
 */
#include <errno.h>
#include <sys/mman.h>

#include "internal.h"
#include "mman_new.h"
#include "mmap.h"
#include "rmap.h"
#include "vmstat.h"

/* Move a page on an evictable list to the unevictable one, or back. */
static void change_evictable(struct page *page, void (*set)(struct page *page))
{
    isolate_lru_page(page);
    set(page);
    putback_lru_page(page, false);
}

static void set_mlocked(struct page *page)
{
    SetPageFlag(page, PG_mlocked);
    ClearPageFlag(page, PG_active);
}

static void clear_mlocked(struct page *page)
{
    ClearPageFlag(page, PG_mlocked);
}

/* Only pages on the LRU lists: the frames of special mappings belong to nobody's lists. */
void mlock_page(struct page *page)
{
    if (PageFlag(page, PG_mlocked) || !PageFlag(page, PG_lru))
        return;
    count_vm_event(UNEVICTABLE_PGS_MLOCKED);
    count_vm_event(UNEVICTABLE_PGS_CULLED);
    change_evictable(page, set_mlocked);
}

void munlock_page(struct page *page)
{
    if (!PageFlag(page, PG_mlocked) || !PageFlag(page, PG_lru) || page_mlocked_by_vma(page))
        return;
    count_vm_event(UNEVICTABLE_PGS_MUNLOCKED);
    change_evictable(page, clear_mlocked);
}

struct mlock_walk {
    struct vm_area_struct *vma;
    void (*fn)(struct page *page);
};

static void mlock_pte(pte_t *pte, unsigned long addr, void *arg)
{
    struct mlock_walk *w = arg;
    struct page *page = pte_present(*pte) ? vm_normal_page(w->vma, addr, *pte) : NULL;
    if (page)
        w->fn(page);
}

/* The pages [start, end) of vma maps now follow its (new) VM_LOCKED. */
static void mlock_vma_pages(struct vm_area_struct *vma, unsigned long start, unsigned long end)
{
    struct mlock_walk w = {vma, (vma->vm_flags & VM_LOCKED) ? mlock_page : munlock_page};
    walk_page_range(vma->vm_mm, start, end, mlock_pte, &w);
}

bool can_do_mlock(const struct mm_struct *mm)
{
    return mm->limits.memlock != 0 || mm->limits.cap_ipc_lock;
}

bool mlock_future_ok(const struct mm_struct *mm, unsigned long vm_flags, unsigned long bytes)
{
    if (!(vm_flags & VM_LOCKED) || mm->limits.cap_ipc_lock)
        return true;
    return (bytes >> PAGE_SHIFT) + mm->locked_vm <= mm->limits.memlock >> PAGE_SHIFT;
}

/* Pages of [start, start + len) already in VM_LOCKED VMAs (Linux's count_mm_mlocked_page_nr). */
static unsigned long locked_pages_in(struct mm_struct *mm, unsigned long start, unsigned long len)
{
    unsigned long end = start + len, n = 0;
    for (struct vm_area_struct *v = find_vma(mm, start); v && v->vm_start < end;
         v = vma_next(mm, v)) {
        if (!(v->vm_flags & VM_LOCKED))
            continue;
        unsigned long s = v->vm_start > start ? v->vm_start : start;
        unsigned long e = v->vm_end < end ? v->vm_end : end;
        n += (e - s) >> PAGE_SHIFT;
    }
    return n;
}

/* Linux's mlock_fixup: special and droppable mappings are never locked and never counted. */
static int mlock_fixup(struct mm_struct *mm, struct vm_area_struct *vma, unsigned long start,
                       unsigned long end, unsigned long newflags)
{
    unsigned long old = vma->vm_flags;
    if (newflags == old || (old & (VM_SPECIAL | VM_DROPPABLE)) || vma_is_secretmem(vma))
        return 0;
    int err;
    if (!(vma = vma_modify_flags(mm, vma, start, end, newflags, &err)))
        return err;
    if ((newflags ^ old) & VM_LOCKED)
        mlock_vma_pages(vma, start, end);
    long pages = (long)((end - start) >> PAGE_SHIFT);
    if (!(newflags & VM_LOCKED))
        mm->locked_vm -= (unsigned long)pages;
    else if (!(old & VM_LOCKED))
        mm->locked_vm += (unsigned long)pages;
    return 0;
}

/* Lock flags for every VMA of [start, start + len), which must have no hole. */
static int apply_vma_lock_flags(struct mm_struct *mm, unsigned long start, unsigned long len,
                                unsigned long flags)
{
    unsigned long end = start + len;
    if (end < start)
        return -EINVAL;
    if (end == start)
        return 0;
    unsigned long addr = start;
    while (addr < end) {
        struct vm_area_struct *vma = find_vma(mm, addr);
        if (!vma || vma->vm_start > addr)
            return -ENOMEM;
        unsigned long e = vma->vm_end < end ? vma->vm_end : end;
        int err = mlock_fixup(mm, vma, addr, e, (vma->vm_flags & ~VM_LOCKED_MASK) | flags);
        if (err)
            return err;
        addr = e;
    }
    return 0;
}

/* The range mlock works on: whole pages from the one holding start. */
static void page_range(unsigned long *start, unsigned long *len)
{
    *len = PAGE_ALIGN(*len + (*start & ~PAGE_MASK));
    *start &= PAGE_MASK;
}

int do_mlock(struct mm_struct *mm, unsigned long start, unsigned long len, unsigned int flags)
{
    if (flags & ~(unsigned int)MLOCK_ONFAULT)
        return -EINVAL;
    unsigned long vm = VM_LOCKED | ((flags & MLOCK_ONFAULT) ? VM_LOCKONFAULT : 0);
    if (!can_do_mlock(mm))
        return -EPERM;
    page_range(&start, &len);
    /* Past RLIMIT_MEMLOCK, unless what is already locked in the range makes it fit. */
    unsigned long limit = mm->limits.memlock >> PAGE_SHIFT,
                  locked = (len >> PAGE_SHIFT) + mm->locked_vm;
    if (locked > limit && !mm->limits.cap_ipc_lock)
        locked -= locked_pages_in(mm, start, len);
    if (locked > limit && !mm->limits.cap_ipc_lock)
        return -ENOMEM;
    int err = apply_vma_lock_flags(mm, start, len, vm);
    if (err)
        return err;
    /* __mlock_posix_error_return: a refused page is ENOMEM, no memory EAGAIN. */
    err = mm_populate(mm, start, len);
    return err == -EFAULT ? -ENOMEM : err ? -EAGAIN : 0;
}

int do_munlock(struct mm_struct *mm, unsigned long start, unsigned long len)
{
    page_range(&start, &len);
    return apply_vma_lock_flags(mm, start, len, 0);
}

/* Linux's apply_mlockall_flags: def_flags for future mappings, then every VMA now. */
static void apply_mlockall_flags(struct mm_struct *mm, int flags)
{
    mm->def_flags &= ~VM_LOCKED_MASK;
    if (flags & MCL_FUTURE) {
        mm->def_flags |= VM_LOCKED | ((flags & MCL_ONFAULT) ? VM_LOCKONFAULT : 0);
        if (!(flags & MCL_CURRENT))
            return;
    }
    unsigned long to_add = 0;
    if (flags & MCL_CURRENT)
        to_add = VM_LOCKED | ((flags & MCL_ONFAULT) ? VM_LOCKONFAULT : 0);
    unsigned long addr = 0;
    struct vm_area_struct *vma;
    while ((vma = find_vma(mm, addr)) != NULL) {
        addr = vma->vm_end;
        /* Errors are ignored, as Linux ignores them: the next VMA is tried. */
        mlock_fixup(mm, vma, vma->vm_start, vma->vm_end,
                    (vma->vm_flags & ~VM_LOCKED_MASK) | to_add);
    }
}

int do_mlockall(struct mm_struct *mm, int flags)
{
    if (!flags || (flags & ~(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT)) || flags == MCL_ONFAULT)
        return -EINVAL;
    if (!can_do_mlock(mm))
        return -EPERM;
    /* Locking what is mapped now must fit the limit (the whole address space, as Linux counts). */
    if ((flags & MCL_CURRENT) && mm->total_vm > mm->limits.memlock >> PAGE_SHIFT &&
        !mm->limits.cap_ipc_lock)
        return -ENOMEM;
    apply_mlockall_flags(mm, flags);
    if (flags & MCL_CURRENT)
        mm_populate(mm, 0, TASK_SIZE);
    return 0;
}

int do_munlockall(struct mm_struct *mm)
{
    apply_mlockall_flags(mm, 0);
    return 0;
}
