/* The registry of VMA tree implementations, for --vma-tree=NAME. */
#include <string.h>

#include "vma_tree.h"

static const struct vma_tree_ops *const vma_trees[] = {
    &vma_array_ops,
    &vma_maple_ops,
    &vma_rbtree_ops,
};

const struct vma_tree_ops *vma_tree_ops_by_name(const char *name)
{
    for (size_t i = 0; i < sizeof(vma_trees) / sizeof(vma_trees[0]); i++)
        if (strcmp(vma_trees[i]->name, name) == 0)
            return vma_trees[i];
    return NULL;
}
