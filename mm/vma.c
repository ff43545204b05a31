/*
 * VMA objects: allocation, attaching to an mm (its tree, its counters, the
 * file's i_mmap), splitting and merging. Linux's rule for merging: same
 * flags, same file with contiguous offsets, compatible anonymous memory,
 * and no special mapping.
 *
 * Every function here that changes the tree first gets what the change
 * needs (the new VMA, anon_vma links, tree nodes: vma_prealloc) and only
 * then touches the tree, so -ENOMEM always leaves it as it was and nothing
 * can fail halfway. Preallocations nest: an outer one (mmap over a
 * MAP_FIXED range) covers the inner ones and is given back at its end.
 */
#include <errno.h>
#include <stdio.h>

#include "internal.h"
#include "mmap.h"
#include "rmap.h"
#include "slab.h"
#include "vma_tree.h"

struct vm_area_struct *vm_area_alloc(struct mm_struct *mm)
{
    struct vm_area_struct *vma = kmem_cache_zalloc(vm_area_cachep, GFP_KERNEL);
    if (!vma)
        return NULL;
    vma->vm_mm = mm;
    INIT_LIST_HEAD(&vma->anon_vma_chain);
    INIT_LIST_HEAD(&vma->shared);
    return vma;
}

struct vm_area_struct *vm_area_dup(struct vm_area_struct *orig)
{
    struct vm_area_struct *vma = vm_area_alloc(orig->vm_mm);
    if (!vma)
        return NULL;
    vma->vm_start = orig->vm_start;
    vma->vm_end = orig->vm_end;
    vma->vm_flags = orig->vm_flags;
    vma->vm_pgoff = orig->vm_pgoff;
    vma->vm_name = orig->vm_name;
    vma->vm_special = orig->vm_special;
    vma->anon_name = anon_vma_name_get(orig->anon_name);
    vma->vm_userfaultfd_ctx = orig->vm_userfaultfd_ctx;
    if (orig->vm_file)
        vma->vm_file = get_file(orig->vm_file);
    return vma;
}

void vm_area_free(struct vm_area_struct *vma)
{
    unlink_anon_vmas(vma);
    anon_vma_name_put(vma->anon_name);
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

int vma_prealloc(struct mm_struct *mm, unsigned int inserts)
{
    int err = mm->vma_ops->preallocate(mm->vma_tree, inserts);
    if (!err)
        mm->vma_prealloc_depth++;
    else if (!mm->vma_prealloc_depth)
        mm->vma_ops->release(mm->vma_tree);
    return err;
}

void vma_prealloc_done(struct mm_struct *mm)
{
    if (--mm->vma_prealloc_depth == 0)
        mm->vma_ops->release(mm->vma_tree);
}

/* An insert the caller preallocated for, into a range it knows is free: it cannot fail. */
static void tree_insert(struct mm_struct *mm, struct vm_area_struct *vma)
{
    int err = mm->vma_ops->insert(mm->vma_tree, vma);
    if (err)
        fprintf(stderr, "BUG: VMA %#lx-%#lx not inserted (%d) after preallocation\n", vma->vm_start,
                vma->vm_end, err);
}

int vma_link(struct mm_struct *mm, struct vm_area_struct *vma)
{
    if (mm->vma_ops->find_intersection(mm->vma_tree, vma->vm_start, vma->vm_end))
        return -EEXIST;
    int err = vma_prealloc(mm, 1);
    if (err)
        return err;
    tree_insert(mm, vma);
    vma_prealloc_done(mm);
    mm->map_count++;
    vm_stat_account(mm, vma->vm_flags, (long)vma_pages(vma));
    vma_link_file(vma);
    return 0;
}

void vma_unlink(struct mm_struct *mm, struct vm_area_struct *vma)
{
    mm->vma_ops->erase(mm->vma_tree, vma);
    mm->map_count--;
    vm_stat_account(mm, vma->vm_flags, -(long)vma_pages(vma));
    vma_unlink_file(vma);
}

int vma_set_range(struct mm_struct *mm, struct vm_area_struct *vma, unsigned long start,
                  unsigned long end, unsigned long pgoff)
{
    int err = vma_prealloc(mm, 1);
    if (err)
        return err;
    long delta = (long)((end - start) >> PAGE_SHIFT) - (long)vma_pages(vma);
    mm->vma_ops->erase(mm->vma_tree, vma);
    vma->vm_start = start;
    vma->vm_end = end;
    vma->vm_pgoff = pgoff;
    tree_insert(mm, vma);
    vma_prealloc_done(mm);
    vm_stat_account(mm, vma->vm_flags, delta);
    return 0;
}

struct vm_area_struct *split_vma(struct mm_struct *mm, struct vm_area_struct *vma,
                                 unsigned long addr, int *err)
{
    /* A special mapping keeps its size: the kernel expects all its pages (special_mapping_split).
     */
    if (vma->vm_special) {
        *err = -EINVAL;
        return NULL;
    }
    struct vm_area_struct *n = vm_area_dup(vma);
    if (!n) {
        *err = -ENOMEM;
        return NULL;
    }
    n->vm_start = addr;
    n->vm_pgoff = linear_page_index(vma, addr);
    if ((*err = anon_vma_clone(n, vma)) != 0 || (*err = vma_prealloc(mm, 2)) != 0) {
        vm_area_free(n);
        return NULL;
    }
    mm->vma_ops->erase(mm->vma_tree, vma);
    vma->vm_end = addr;
    tree_insert(mm, vma);
    tree_insert(mm, n);
    vma_prealloc_done(mm);
    mm->map_count++;
    vma_link_file(n);
    vma_notify(mm, VMA_SPLIT, vma);
    vma_notify(mm, VMA_SPLIT, n);
    return n;
}

struct vm_area_struct *vma_prev(struct mm_struct *mm, struct vm_area_struct *vma)
{
    return mm->vma_ops->prev(mm->vma_tree, vma);
}

/*
 * Linux's is_mergeable_anon_vma: two families never merge; a VMA without
 * one joins its neighbour's only when that neighbour never went through a
 * fork (its one family is its own), so no page is left unreachable.
 */
static bool anon_vmas_mergeable(const struct vm_area_struct *a, const struct vm_area_struct *b)
{
    if (a->anon_vma && b->anon_vma)
        return a->anon_vma == b->anon_vma;
    const struct vm_area_struct *with = a->anon_vma ? a : b;
    return !with->anon_vma || list_is_singular(&with->anon_vma_chain);
}

/*
 * Can b directly follow a in one VMA? Offsets must run on for anonymous
 * memory too: its vm_pgoff is the address it was first mapped at, so pages
 * mremap moved elsewhere stay apart, as in Linux.
 */
static bool can_merge(const struct vm_area_struct *a, const struct vm_area_struct *b)
{
    /* Soft-dirty never keeps VMAs apart (Linux's VM_IGNORE_MERGE); the merge keeps it. */
    if (a->vm_end != b->vm_start || ((a->vm_flags ^ b->vm_flags) & ~VM_SOFTDIRTY) ||
        a->vm_file != b->vm_file)
        return false;
    if (a->vm_name || b->vm_name || (a->vm_flags & VM_SPECIAL) ||
        !anon_vma_name_eq(a->anon_name, b->anon_name) ||
        a->vm_userfaultfd_ctx != b->vm_userfaultfd_ctx)
        return false;
    if (!anon_vmas_mergeable(a, b))
        return false;
    return a->vm_pgoff + vma_pages(a) == b->vm_pgoff;
}

/* Fold b into a (a precedes b); b is freed. 0, or -ENOMEM with both as they were. */
static int merge_into(struct mm_struct *mm, struct vm_area_struct *a, struct vm_area_struct *b)
{
    int err = vma_prealloc(mm, 1);
    if (err)
        return err;
    /* b's pages stay where they are: a must be in every family b is in. */
    if (!a->anon_vma && b->anon_vma && (err = anon_vma_clone(a, b)) != 0) {
        vma_prealloc_done(mm);
        return err;
    }
    mm->vma_ops->erase(mm->vma_tree, b);
    mm->vma_ops->erase(mm->vma_tree, a);
    a->vm_end = b->vm_end;
    a->vm_flags |= b->vm_flags & VM_SOFTDIRTY; /* any new part makes the whole read as new */
    tree_insert(mm, a);
    vma_prealloc_done(mm);
    mm->map_count--;
    vma_unlink_file(b);
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
