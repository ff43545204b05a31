/*
 * mremap(2): shrink a mapping, grow it in place when the addresses above
 * are free, or move it (MREMAP_MAYMOVE, MREMAP_FIXED, MREMAP_DONTUNMAP).
 * A move carries the page-table entries to the new addresses: the pages
 * themselves stay where they are, with their counts and contents.
 */
#include <errno.h>
#include <sys/mman.h>

#include "arch.h"
#include "internal.h"
#include "userfaultfd_k.h"
#include "mmap.h"
#include "pgtable.h"
#include "rmap.h"
#include "vma_tree.h"

#ifndef MREMAP_MAYMOVE /* glibc shows them with _GNU_SOURCE only */
#define MREMAP_MAYMOVE 1
#define MREMAP_FIXED 2
#endif
#ifndef MREMAP_DONTUNMAP
#define MREMAP_DONTUNMAP 4
#endif

struct move_ctx {
    struct mm_struct *mm;
    unsigned long delta; /* new address minus old, modulo 2^64 */
    bool failed;
};

/* First pass: the tables the entries will move into, so that the move cannot fail halfway. */
static void prepare_one(pte_t *pte, unsigned long addr, void *arg)
{
    struct move_ctx *c = arg;
    if (!pte_none(*pte) && !c->failed && !pte_alloc_map(c->mm, addr + c->delta))
        c->failed = true;
}

/* Second pass: each entry, present, PROT_NONE or swapped, goes to its new slot. */
static void move_one(pte_t *pte, unsigned long addr, void *arg)
{
    struct move_ctx *c = arg;
    if (pte_none(*pte))
        return;
    /* A page that moved is soft-dirty where it lands, as Linux's move_soft_dirty_pte. */
    pte_t moved = ptep_get_and_clear(pte);
    *pte_offset(c->mm, addr + c->delta) = pte_present(moved) ? pte_mksoft_dirty(moved) : moved;
}

/* Linux's move_page_tables: 0, or -ENOMEM with nothing moved. */
static int move_page_tables(struct vm_area_struct *vma, unsigned long old_addr,
                            unsigned long new_addr, unsigned long len)
{
    struct mm_struct *mm = vma->vm_mm;
    struct move_ctx c = {mm, new_addr - old_addr, false};
    walk_page_range(mm, old_addr, old_addr + len, prepare_one, &c);
    if (c.failed) {
        free_pgtables(mm, new_addr, new_addr + len);
        return -ENOMEM;
    }
    /* Translated code is cached by frame and address: drop it before the code moves. */
    if (vma->vm_flags & VM_EXEC)
        arch_flush_code_range(mm, old_addr, old_addr + len);
    walk_page_range(mm, old_addr, old_addr + len, move_one, &c);
    arch_flush_tlb_mm(mm);
    return 0;
}

/* The VMA addr lies in, or -EFAULT; Linux's vma_lookup. */
static struct vm_area_struct *vma_lookup(struct mm_struct *mm, unsigned long addr)
{
    struct vm_area_struct *vma = find_vma(mm, addr);
    return vma && vma->vm_start <= addr ? vma : NULL;
}

/* Linux's vma_to_resize: may [addr, addr + old_len) become new_len long? 0 or -errno. */
static int check_resize(struct vm_area_struct *vma, unsigned long addr, unsigned long old_len,
                        unsigned long new_len, unsigned long flags)
{
    /* A zero old_len duplicates a shared mapping; private memory cannot be duplicated. */
    if (!old_len && !(vma->vm_flags & (VM_SHARED | VM_MAYSHARE)))
        return -EINVAL;
    if ((flags & MREMAP_DONTUNMAP) && (vma->vm_flags & (VM_DONTEXPAND | VM_PFNMAP)))
        return -EINVAL;
    if (old_len > vma->vm_end - addr)
        return -EFAULT; /* a remap never crosses VMAs */
    if (new_len == old_len)
        return 0;
    unsigned long pgoff = vma->vm_pgoff + ((addr - vma->vm_start) >> PAGE_SHIFT);
    if (pgoff + (new_len >> PAGE_SHIFT) < pgoff)
        return -EINVAL;
    if (vma->vm_flags & (VM_DONTEXPAND | VM_PFNMAP))
        return -EFAULT;
    if (new_len > old_len && !mlock_future_ok(vma->vm_mm, vma->vm_flags, new_len - old_len))
        return -EAGAIN;
    if (new_len > old_len &&
        !may_expand_vm(vma->vm_mm, vma->vm_flags, (new_len - old_len) >> PAGE_SHIFT))
        return -ENOMEM;
    return 0;
}

/*
 * The new VMA for a move: the old one's part at old_addr, placed at
 * new_addr, in the same anon_vma families (its pages keep their index).
 */
static struct vm_area_struct *copy_vma(struct mm_struct *mm, struct vm_area_struct *vma,
                                       unsigned long old_addr, unsigned long new_addr,
                                       unsigned long new_len, int *err)
{
    struct vm_area_struct *n = vm_area_dup(vma);
    if (!n) {
        *err = -ENOMEM;
        return NULL;
    }
    n->vm_start = new_addr;
    n->vm_end = new_addr + new_len;
    n->vm_pgoff = linear_page_index(vma, old_addr);
    /* Anonymous memory with no page of its own yet starts afresh where it lands. */
    if (!vma->vm_file && !vma->anon_vma)
        n->vm_pgoff = new_addr >> PAGE_SHIFT;
    if ((*err = anon_vma_clone(n, vma)) != 0 || (*err = vma_link(mm, n)) != 0) {
        vm_area_free(n);
        return NULL;
    }
    vma_notify(mm, VMA_CREATED, n);
    return n;
}

/*
 * MREMAP_DONTUNMAP leaves the old range mapped but empty and unlocked; when
 * it was the whole VMA, it leaves its anon_vma families (its pages went with
 * the new VMA) and its next anonymous page starts a new one.
 */
static void leave_behind(struct mm_struct *mm, struct vm_area_struct *vma, unsigned long addr,
                         unsigned long len)
{
    bool whole = vma->vm_start == addr && vma->vm_end == addr + len;
    if (whole && !vma->vm_file)
        unlink_anon_vmas(vma);
    if (vma->vm_flags & VM_LOCKED_MASK) {
        int err;
        /* Its locked pages now belong to the new VMA: the count moves with them. */
        if (vma_modify_flags(mm, vma, addr, addr + len, vma->vm_flags & ~VM_LOCKED_MASK, &err))
            mm->locked_vm -= len >> PAGE_SHIFT;
    }
    free_pgtables(mm, addr, addr + len);
}

/* Linux's move_vma: a new VMA at new_addr takes the entries; the old range goes. */
static unsigned long move_vma(struct mm_struct *mm, struct vm_area_struct *vma,
                              unsigned long old_addr, unsigned long old_len, unsigned long new_len,
                              unsigned long new_addr, unsigned long flags)
{
    bool dontunmap = flags & MREMAP_DONTUNMAP;
    unsigned long vm_flags = vma->vm_flags;
    /* A move may split the old VMA in three and adds one: leave room for that. */
    if (mm->map_count >= DEFAULT_MAX_MAP_COUNT - 3)
        return (unsigned long)-ENOMEM;
    long charge = (long)(new_len >> PAGE_SHIFT);
    if ((vm_flags & VM_ACCOUNT) &&
        !vm_enough_memory(dontunmap ? charge : charge - (long)(old_len >> PAGE_SHIFT)))
        return (unsigned long)-ENOMEM;
    int err;
    /*
     * Cut the old range out as a VMA of its own first, so that unmapping it
     * once its entries have moved needs no memory and cannot fail (Linux
     * would leave it mapped but empty).
     */
    if (!dontunmap && old_len) {
        if (vma->vm_start < old_addr && !(vma = split_vma(mm, vma, old_addr, &err)))
            return (unsigned long)(long)err;
        if (vma->vm_end > old_addr + old_len && !split_vma(mm, vma, old_addr + old_len, &err))
            return (unsigned long)(long)err;
    }
    struct vm_area_struct *n = copy_vma(mm, vma, old_addr, new_addr, new_len, &err);
    if (!n)
        return (unsigned long)(long)err;
    err = move_page_tables(vma, old_addr, new_addr, old_len);
    if (err) {
        vma_notify(mm, VMA_REMOVED, n);
        vma_unlink(mm, n);
        vm_area_free(n);
        return (unsigned long)(long)err;
    }
    userfaultfd_moved(n);
    /* The new VMA is charged and counted in full; the old range gives back its own. */
    vm_acct_memory((vm_flags & VM_ACCOUNT) ? charge : 0);
    if (vm_flags & VM_LOCKED)
        mm->locked_vm += new_len >> PAGE_SHIFT;
    if (dontunmap)
        leave_behind(mm, vma, old_addr, old_len);
    else if (old_len)
        do_munmap(mm, old_addr, old_len); /* its entries are gone: nothing to zap */
    n = vma_merge_neighbours(mm, n);
    if ((vm_flags & VM_LOCKED) && new_len > old_len)
        mm_populate(mm, new_addr + old_len, new_len - old_len);
    return new_addr;
}

/* Linux's vma_expandable: are the addresses right above the VMA free and legal? */
static bool vma_expandable(struct mm_struct *mm, struct vm_area_struct *vma, unsigned long delta)
{
    unsigned long end = vma->vm_end + delta;
    if (end < vma->vm_end)
        return false;
    if (mm->vma_ops->find_intersection(mm->vma_tree, vma->vm_end, end))
        return false;
    return !IS_ERR_VALUE(
        get_unmapped_area(mm, NULL, vma->vm_start, end - vma->vm_start, 0, MAP_FIXED));
}

/* Grow the VMA up by delta where it stands; it may then merge with the next one. */
static unsigned long expand_in_place(struct mm_struct *mm, struct vm_area_struct *vma,
                                     unsigned long addr, unsigned long delta)
{
    long pages = (long)(delta >> PAGE_SHIFT);
    if ((vma->vm_flags & VM_ACCOUNT) && !vm_enough_memory(pages))
        return (unsigned long)-ENOMEM;
    unsigned long old_end = vma->vm_end;
    int err = vma_set_range(mm, vma, vma->vm_start, old_end + delta, vma->vm_pgoff);
    if (err)
        return (unsigned long)(long)err;
    vma_notify(mm, VMA_CHANGED, vma);
    vm_acct_memory((vma->vm_flags & VM_ACCOUNT) ? pages : 0);
    bool locked = vma->vm_flags & VM_LOCKED;
    if (locked)
        mm->locked_vm += (unsigned long)pages;
    vma_merge_neighbours(mm, vma);
    if (locked)
        mm_populate(mm, old_end, delta);
    return addr;
}

/* Linux's mremap_to: MREMAP_FIXED, or MREMAP_DONTUNMAP to an address of its choosing. */
static unsigned long mremap_to(struct mm_struct *mm, unsigned long addr, unsigned long old_len,
                               unsigned long new_addr, unsigned long new_len, unsigned long flags)
{
    if (new_addr & ~PAGE_MASK)
        return (unsigned long)-EINVAL;
    if (new_len > TASK_SIZE || new_addr > TASK_SIZE - new_len)
        return (unsigned long)-EINVAL;
    if (addr + old_len > new_addr && new_addr + new_len > addr)
        return (unsigned long)-EINVAL; /* old and new overlap */
    int err;
    if ((flags & MREMAP_FIXED) && (err = do_munmap(mm, new_addr, new_len)) != 0)
        return (unsigned long)(long)err;
    if (old_len > new_len) {
        if ((err = do_munmap(mm, addr + new_len, old_len - new_len)) != 0)
            return (unsigned long)(long)err;
        old_len = new_len;
    }
    struct vm_area_struct *vma = vma_lookup(mm, addr);
    if (!vma)
        return (unsigned long)-EFAULT;
    if ((err = check_resize(vma, addr, old_len, new_len, flags)) != 0)
        return (unsigned long)(long)err;
    /* The old range stays mapped: the new one must fit RLIMIT_AS and RLIMIT_DATA too. */
    if ((flags & MREMAP_DONTUNMAP) && !may_expand_vm(mm, vma->vm_flags, old_len >> PAGE_SHIFT))
        return (unsigned long)-ENOMEM;
    unsigned long map_flags =
        ((flags & MREMAP_FIXED) ? MAP_FIXED : 0) | ((vma->vm_flags & VM_MAYSHARE) ? MAP_SHARED : 0);
    unsigned long pgoff = vma->vm_pgoff + ((addr - vma->vm_start) >> PAGE_SHIFT);
    unsigned long ret = get_unmapped_area(mm, vma->vm_file, new_addr, new_len, pgoff, map_flags);
    if (IS_ERR_VALUE(ret))
        return ret;
    return move_vma(mm, vma, addr, old_len, new_len, ret, flags);
}

/* A growing remap: in place when old_len reaches the VMA's end and there is room, else moved. */
static unsigned long mremap_grow(struct mm_struct *mm, unsigned long addr, unsigned long old_len,
                                 unsigned long new_len, unsigned long flags)
{
    struct vm_area_struct *vma = vma_lookup(mm, addr);
    int err = check_resize(vma, addr, old_len, new_len, flags);
    if (err)
        return (unsigned long)(long)err;
    if (old_len == vma->vm_end - addr && vma_expandable(mm, vma, new_len - old_len))
        return expand_in_place(mm, vma, addr, new_len - old_len);
    if (!(flags & MREMAP_MAYMOVE))
        return (unsigned long)-ENOMEM;
    unsigned long pgoff = vma->vm_pgoff + ((addr - vma->vm_start) >> PAGE_SHIFT);
    unsigned long map_flags = (vma->vm_flags & VM_MAYSHARE) ? MAP_SHARED : 0;
    unsigned long new_addr = get_unmapped_area(mm, vma->vm_file, 0, new_len, pgoff, map_flags);
    if (IS_ERR_VALUE(new_addr))
        return new_addr;
    return move_vma(mm, vma, addr, old_len, new_len, new_addr, flags);
}

unsigned long do_mremap(struct mm_struct *mm, unsigned long addr, unsigned long old_len,
                        unsigned long new_len, unsigned long flags, unsigned long new_addr)
{
    if (flags & ~(unsigned long)(MREMAP_FIXED | MREMAP_MAYMOVE | MREMAP_DONTUNMAP))
        return (unsigned long)-EINVAL;
    if ((flags & MREMAP_FIXED) && !(flags & MREMAP_MAYMOVE))
        return (unsigned long)-EINVAL;
    /* MREMAP_DONTUNMAP always moves and never resizes. */
    if ((flags & MREMAP_DONTUNMAP) && (!(flags & MREMAP_MAYMOVE) || old_len != new_len))
        return (unsigned long)-EINVAL;
    if (addr & ~PAGE_MASK)
        return (unsigned long)-EINVAL;
    old_len = PAGE_ALIGN(old_len);
    new_len = PAGE_ALIGN(new_len);
    if (!new_len)
        return (unsigned long)-EINVAL;
    struct vm_area_struct *vma = vma_lookup(mm, addr);
    if (!vma)
        return (unsigned long)-EFAULT;
    if (vma_is_sealed(vma))
        return (unsigned long)-EPERM;
    if (flags & (MREMAP_FIXED | MREMAP_DONTUNMAP))
        return mremap_to(mm, addr, old_len, new_addr, new_len, flags);
    if (old_len >= new_len) {
        /* Shrinking just unmaps the tail. */
        if (old_len > new_len) {
            int err = do_munmap(mm, addr + new_len, old_len - new_len);
            if (err)
                return (unsigned long)(long)err;
        }
        return addr;
    }
    return mremap_grow(mm, addr, old_len, new_len, flags);
}
