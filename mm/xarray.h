/*
 * A radix tree of 64-slot nodes from an index to a pointer (Linux's xarray
 * in its radix-tree shape): the page cache's index. Each node keeps, per
 * mark, a bitmap of the slots whose subtree holds a marked entry, so a
 * search for marked entries (dirty pages) skips clean subtrees entirely.
 * Nodes come from the slab cache "radix_tree_node" in guest RAM.
 */
#ifndef VMEMU_MM_XARRAY_H
#define VMEMU_MM_XARRAY_H

#include <stdbool.h>
#include <stdint.h>

#define XA_CHUNK_SHIFT 6
#define XA_CHUNK_SIZE (1UL << XA_CHUNK_SHIFT)
#define XA_CHUNK_MASK (XA_CHUNK_SIZE - 1)
#define XA_MAX_MARKS 3

typedef unsigned int xa_mark_t;
#define XA_MARK_0 0u
#define XA_MARK_1 1u
#define XA_MARK_2 2u
#define XA_PRESENT 8u /* xa_find: any entry, marked or not */

struct xa_node {
    unsigned char shift;  /* bits of the index below this node's slots */
    unsigned char offset; /* slot in the parent */
    unsigned char count;  /* non-NULL slots */
    struct xa_node *parent;
    void *slots[XA_CHUNK_SIZE];
    uint64_t marks[XA_MAX_MARKS];
};

struct xarray {
    struct xa_node *xa_head; /* NULL when empty */
};

static inline void xa_init(struct xarray *xa)
{
    xa->xa_head = 0;
}

static inline bool xa_empty(const struct xarray *xa)
{
    return !xa->xa_head;
}

/*
 * Value entries (Linux's xa_mk_value): small integers stored in place of a
 * pointer, told apart by their low bit, which no pointer to an object has.
 * The page cache keeps shadow entries of evicted pages this way
 * (workingset.c). Marks are never set on them.
 */
static inline void *xa_mk_value(unsigned long v)
{
    return (void *)((v << 1) | 1);
}
static inline bool xa_is_value(const void *entry)
{
    return (uintptr_t)entry & 1;
}
static inline unsigned long xa_to_value(const void *entry)
{
    return (uintptr_t)entry >> 1;
}

/* The entry at index, or NULL. */
void *xa_load(const struct xarray *xa, unsigned long index);
/*
 * Store entry (not NULL) at index, growing the tree as needed; the marks of
 * a replaced entry stay. 0, or -ENOMEM with the tree unchanged. The nodes
 * it needs are allocated before the tree is touched, and those allocations
 * may reclaim (which may change this very tree: the need is counted again
 * after them), so nothing walks a half-built tree.
 */
int xa_store(struct xarray *xa, unsigned long index, void *entry);
/* Remove the entry at index and its marks; returns it (NULL if none). */
void *xa_erase(struct xarray *xa, unsigned long index);

/* Marks on present entries; setting one on an empty index does nothing. */
void xa_set_mark(struct xarray *xa, unsigned long index, xa_mark_t mark);
void xa_clear_mark(struct xarray *xa, unsigned long index, xa_mark_t mark);
bool xa_get_mark(const struct xarray *xa, unsigned long index, xa_mark_t mark);
/* Does any entry carry the mark? */
bool xa_marked(const struct xarray *xa, xa_mark_t mark);

/*
 * The first entry at an index in [*index, max) that carries the mark
 * (XA_PRESENT: any entry); *index is set to its index. NULL when none.
 */
void *xa_find(const struct xarray *xa, unsigned long *index, unsigned long max, xa_mark_t filter);

/* Free every node; the entries themselves are the caller's. */
void xa_destroy(struct xarray *xa);

/* Nodes allocated now, over all trees (for tests and leak checks). */
unsigned long xa_nr_nodes(void);

/* Visit entries in [start, max) in index order, marked with filter. */
#define xa_for_each_range(xa, index, entry, start, max, filter)                                    \
    for ((index) = (start); ((entry) = xa_find((xa), &(index), (max), (filter))) != 0; (index)++)

#endif
