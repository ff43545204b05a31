/*
 * The set of VMAs of one mm: an ordered map of non-overlapping ranges with
 * a gap search for get_unmapped_area. Several implementations sit behind
 * this one interface (chosen per mm), so they can be compared on one
 * workload and cross-checked against each other.
 *
 * Rules every implementation keeps:
 *  - ranges are [vm_start, vm_end), page aligned, never overlapping;
 *  - a VMA's range must not change while it is in the tree: erase it,
 *    change it, insert it again;
 *  - the tree does not own the VMAs: destroy() frees only the tree.
 */
#ifndef VMEMU_MM_VMA_TREE_H
#define VMEMU_MM_VMA_TREE_H

#include <stdbool.h>

#include "err.h"
#include "mm_types.h"

/* A request to find a free range, as Linux's vm_unmapped_area_info. */
struct vm_unmapped_area_info {
    unsigned long length;     /* bytes, page aligned, > 0 */
    unsigned long low_limit;  /* the range must start at or above this */
    unsigned long high_limit; /* and end at or below this */
    unsigned long align_mask; /* start & align_mask == align_offset & align_mask */
    unsigned long align_offset;
};

struct vma_tree_ops {
    const char *name;
    struct vma_tree *(*create)(void); /* NULL when out of memory */
    void (*destroy)(struct vma_tree *t);
    /*
     * Make the next `inserts` inserts (with any erases between them) unable
     * to fail for lack of memory: 0, or -ENOMEM with the tree unchanged.
     * release() gives back what they did not use.
     */
    int (*preallocate)(struct vma_tree *t, unsigned int inserts);
    void (*release)(struct vma_tree *t);
    /*
     * -ENOMEM when out of memory (never after preallocate), -EEXIST when the
     * range overlaps a VMA; the tree is unchanged on failure.
     */
    int (*insert)(struct vma_tree *t, struct vm_area_struct *vma);
    void (*erase)(struct vma_tree *t, struct vm_area_struct *vma);
    /* The lowest VMA with vm_end > addr, or NULL (Linux's find_vma). */
    struct vm_area_struct *(*find)(struct vma_tree *t, unsigned long addr);
    /* The lowest VMA that intersects [start, end), or NULL. */
    struct vm_area_struct *(*find_intersection)(struct vma_tree *t, unsigned long start,
                                                unsigned long end);
    struct vm_area_struct *(*next)(struct vma_tree *t, struct vm_area_struct *vma);
    struct vm_area_struct *(*prev)(struct vma_tree *t, struct vm_area_struct *vma);
    /* Lowest / highest fitting start address, or -ENOMEM cast to unsigned long. */
    unsigned long (*unmapped_area)(struct vma_tree *t, const struct vm_unmapped_area_info *info);
    unsigned long (*unmapped_area_topdown)(struct vma_tree *t,
                                           const struct vm_unmapped_area_info *info);
    /* Check every invariant; returns 0 or a negative number naming the broken one. */
    int (*validate)(struct vma_tree *t);
};

/* The sorted-array tree: simple, and the reference the others are checked against. */
extern const struct vma_tree_ops vma_array_ops;
/* A maple-tree-style B-tree of ranges with per-child largest gaps (Linux 6.1+). */
extern const struct vma_tree_ops vma_maple_ops;
/* An augmented red-black tree keyed by vm_start (Linux before 6.1). */
extern const struct vma_tree_ops vma_rbtree_ops;

/*
 * Where a request fits in the free range [lo, hi): the lowest or highest
 * aligned start with [start, start + length) inside it. Every tree's gap
 * search ends here, so they agree to the byte.
 */
bool vma_fit_low(const struct vm_unmapped_area_info *info, unsigned long lo, unsigned long hi,
                 unsigned long *start);
bool vma_fit_high(const struct vm_unmapped_area_info *info, unsigned long lo, unsigned long hi,
                  unsigned long *start);

/*
 * The maple tree's node cache, created after slab (mm_init does it, as
 * Linux's maple_tree_init); 0 or -ENOMEM. No maple tree can be made before.
 */
int maple_tree_init(void);
void maple_tree_exit(void);

/* Look up an implementation by name ("array", "maple", "rbtree"); NULL if unknown. */
const struct vma_tree_ops *vma_tree_ops_by_name(const char *name);

#endif
