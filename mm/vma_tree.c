/* The registry of VMA tree implementations, for --vma-tree=NAME. */
#include <string.h>

#include "vma_tree.h"

#include "array_size.h"

static const struct vma_tree_ops *const vma_trees[] = {
    &vma_array_ops,
    &vma_maple_ops,
    &vma_rbtree_ops,
};

const struct vma_tree_ops *vma_tree_ops_by_name(const char *name)
{
    for (size_t i = 0; i < ARRAY_SIZE(vma_trees); i++)
        if (strcmp(vma_trees[i]->name, name) == 0)
            return vma_trees[i];
    return NULL;
}

bool vma_fit_low(const struct vm_unmapped_area_info *info, unsigned long lo, unsigned long hi,
                 unsigned long *start)
{
    *start = lo + ((info->align_offset - lo) & info->align_mask);
    return *start >= lo && *start <= hi && hi - *start >= info->length;
}

bool vma_fit_high(const struct vm_unmapped_area_info *info, unsigned long lo, unsigned long hi,
                  unsigned long *start)
{
    if (hi < lo || hi - lo < info->length)
        return false;
    unsigned long s = hi - info->length;
    unsigned long back = (s - info->align_offset) & info->align_mask;
    if (back > s - lo)
        return false; /* aligning down would leave [lo, hi) (or wrap below 0) */
    *start = s - back;
    return true;
}
