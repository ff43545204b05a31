/*
 * VMA objects: allocation, linking into the mm's tree, splitting, merging.
 * Linux's rule for merging: same flags, same file with contiguous offsets,
 * compatible anonymous memory, and no special mapping.
 */
#include <errno.h>
#include <stdlib.h>

#include "caches.h"
#include "fs.h"
#include "mmap.h"
#include "slab.h"
#include "vma.h"
#include "vma_tree.h"

struct vm_area_struct *vm_area_alloc(struct mm_struct *mm)
{
    struct vm_area_struct *vma = kmem_cache_zalloc(vm_area_cachep, GFP_KERNEL);
    if (vma)
        vma->vm_mm = mm;
    return vma;
}

void vm_area_free(struct vm_area_struct *vma)
{
    if (vma->vm_file)
        fput(vma->vm_file);
    kmem_cache_free(vm_area_cachep, vma);
}

void vm_stat_account(struct mm_struct *mm, unsigned long flags, long npages)
{
    mm->total_vm += (unsigned long)npages;
    if ((flags & (VM_EXEC | VM_WRITE | VM_STACK)) == VM_EXEC)
        mm->exec_vm += (unsigned long)npages;
    else if (flags & VM_STACK)
        mm->stack_vm += (unsigned long)npages;
    else if ((flags & (VM_WRITE | VM_SHARED)) == VM_WRITE)
        mm->data_vm += (unsigned long)npages;
    if (mm->total_vm > mm->hiwater_vm)
        mm->hiwater_vm = mm->total_vm;
}

int vma_link(struct mm_struct *mm, struct vm_area_struct *vma)
{
    int err = mm->vma_ops->insert(mm->vma_tree, vma);
    if (err)
        return err;
    mm->map_count++;
    vm_stat_account(mm, vma->vm_flags, (long)vma_pages(vma));
    return 0;
}

void vma_unlink(struct mm_struct *mm, struct vm_area_struct *vma)
{
    mm->vma_ops->erase(mm->vma_tree, vma);
    mm->map_count--;
    vm_stat_account(mm, vma->vm_flags, -(long)vma_pages(vma));
}

int vma_set_range(struct mm_struct *mm, struct vm_area_struct *vma, unsigned long start,
                  unsigned long end, unsigned long pgoff)
{
    unsigned long old_start = vma->vm_start, old_end = vma->vm_end, old_pgoff = vma->vm_pgoff;
    vma_unlink(mm, vma);
    vma->vm_start = start;
    vma->vm_end = end;
    vma->vm_pgoff = pgoff;
    int err = vma_link(mm, vma);
    if (err) {
        vma->vm_start = old_start;
        vma->vm_end = old_end;
        vma->vm_pgoff = old_pgoff;
        if (vma_link(mm, vma))
            abort(); /* the range it just left cannot be taken: a tree bug */
    }
    return err;
}

struct vm_area_struct *split_vma(struct mm_struct *mm, struct vm_area_struct *vma,
                                 unsigned long addr, int *err)
{
    struct vm_area_struct *n = vm_area_alloc(mm);
    if (!n) {
        *err = -ENOMEM;
        return NULL;
    }
    *n = *vma;
    n->rb_parent = n->rb_left = n->rb_right = NULL;
    n->vm_start = addr;
    n->vm_pgoff = vma->vm_pgoff + ((addr - vma->vm_start) >> PAGE_SHIFT);
    *err = vma_set_range(mm, vma, vma->vm_start, addr, vma->vm_pgoff);
    if (!*err && (*err = vma_link(mm, n)) != 0)
        vma_set_range(mm, vma, vma->vm_start, n->vm_end, vma->vm_pgoff);
    if (*err) {
        kmem_cache_free(vm_area_cachep, n); /* it holds no file reference yet */
        return NULL;
    }
    if (n->vm_file)
        get_file(n->vm_file);
    vma_notify(mm, VMA_SPLIT, vma);
    vma_notify(mm, VMA_SPLIT, n);
    return n;
}

struct vm_area_struct *vma_prev(struct mm_struct *mm, struct vm_area_struct *vma)
{
    return mm->vma_ops->prev(mm->vma_tree, vma);
}

/*
 * Can b directly follow a in one VMA? Offsets must run on for anonymous
 * memory too: its vm_pgoff is the address it was first mapped at, so pages
 * mremap moved elsewhere stay apart, as in Linux. Shared anonymous memory
 * (shmem) carries its object's id in anon_vma, which must then be equal.
 */
static bool can_merge(const struct vm_area_struct *a, const struct vm_area_struct *b)
{
    if (a->vm_end != b->vm_start || a->vm_flags != b->vm_flags || a->vm_file != b->vm_file)
        return false;
    if (a->vm_name || b->vm_name || (a->vm_flags & VM_SPECIAL))
        return false;
    if (a->anon_vma && b->anon_vma && a->anon_vma != b->anon_vma)
        return false;
    if (!a->vm_file && (a->vm_flags & VM_SHARED) && a->anon_vma != b->anon_vma)
        return false;
    return a->vm_pgoff + vma_pages(a) == b->vm_pgoff;
}

/* Fold b into a (a precedes b); b is freed. */
static int merge_into(struct mm_struct *mm, struct vm_area_struct *a, struct vm_area_struct *b)
{
    unsigned long end = b->vm_end;
    unsigned long anon = a->anon_vma ? a->anon_vma : b->anon_vma;
    vma_unlink(mm, b);
    int err = vma_set_range(mm, a, a->vm_start, end, a->vm_pgoff);
    if (err) {
        if (vma_link(mm, b))
            abort();
        return err;
    }
    a->anon_vma = anon;
    vm_area_free(b);
    vma_notify(mm, VMA_MERGED, a);
    return 0;
}

struct vm_area_struct *vma_merge_neighbours(struct mm_struct *mm, struct vm_area_struct *vma)
{
    struct vm_area_struct *next = vma_next(mm, vma);
    if (next && can_merge(vma, next))
        merge_into(mm, vma, next);
    struct vm_area_struct *prev = vma_prev(mm, vma);
    if (prev && can_merge(prev, vma) && merge_into(mm, prev, vma) == 0)
        return prev;
    return vma;
}

struct vm_area_struct *vma_modify_flags(struct mm_struct *mm, struct vm_area_struct *vma,
                                        unsigned long start, unsigned long end,
                                        unsigned long newflags, int *err)
{
    *err = 0;
    if (vma->vm_flags == newflags)
        return vma;
    if (vma->vm_start < start && !(vma = split_vma(mm, vma, start, err)))
        return NULL;
    if (vma->vm_end > end && !split_vma(mm, vma, end, err))
        return NULL;
    long pages = (long)vma_pages(vma);
    vm_stat_account(mm, vma->vm_flags, -pages);
    vma->vm_flags = newflags;
    vm_stat_account(mm, vma->vm_flags, pages);
    vma_notify(mm, VMA_CHANGED, vma);
    return vma_merge_neighbours(mm, vma);
}
