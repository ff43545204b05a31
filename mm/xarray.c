/*
 * The radix tree behind the page cache. A tree of height h covers indices
 * below 64^h; the top grows when a larger index is stored and shrinks back
 * when only its first slot is left. Nodes free themselves when their last
 * slot empties, so an emptied tree holds no memory. Marks are kept as one
 * bitmap per node and mark: a bit says "something under this slot carries
 * the mark", which makes a search for marked entries skip whole subtrees.
 */
#include "xarray.h"

#include <errno.h>
#include <limits.h>

#include "internal.h"
#include "slab.h"

#define XA_MAX_HEIGHT 11 /* levels a tree of 64-bit indices may have: shifts 0, 6, ..., 60 */

static unsigned long nr_nodes;

unsigned long xa_nr_nodes(void)
{
    return nr_nodes;
}

/*
 * Nodes allocated ahead of a store, so that building the path allocates
 * nothing (and so lets no reclaim run while the tree is half built).
 */
struct node_pool {
    struct xa_node *nodes[2 * XA_MAX_HEIGHT]; /* new top levels, and a new way down below them */
    unsigned int n;
};

static struct xa_node *node_alloc(struct node_pool *pool, unsigned int shift)
{
    struct xa_node *n = pool->nodes[--pool->n];
    n->shift = (unsigned char)shift;
    return n;
}

static void node_free(struct xa_node *n)
{
    kmem_cache_free(radix_tree_node_cachep, n);
    nr_nodes--;
}

/* The largest index a subtree rooted at a node of this shift can hold. */
static unsigned long node_maxindex(unsigned int shift)
{
    unsigned int bits = shift + XA_CHUNK_SHIFT;
    return bits >= (unsigned int)(sizeof(unsigned long) * CHAR_BIT) ? ULONG_MAX : (1UL << bits) - 1;
}

static unsigned int node_offset(const struct xa_node *n, unsigned long index)
{
    return (unsigned int)((index >> n->shift) & XA_CHUNK_MASK);
}

/* The leaf node holding index, or NULL. */
static struct xa_node *leaf_of(const struct xarray *xa, unsigned long index)
{
    struct xa_node *n = xa->xa_head;
    if (!n || index > node_maxindex(n->shift))
        return NULL;
    while (n && n->shift > 0)
        n = n->slots[node_offset(n, index)];
    return n;
}

void *xa_load(const struct xarray *xa, unsigned long index)
{
    struct xa_node *leaf = leaf_of(xa, index);
    return leaf ? leaf->slots[node_offset(leaf, index)] : NULL;
}

static bool node_any_mark(const struct xa_node *n, xa_mark_t mark)
{
    return n->marks[mark] != 0;
}

/* Put a new root above the current one until index fits under it. */
static void grow_root(struct xarray *xa, unsigned long index, struct node_pool *pool)
{
    if (!xa->xa_head) {
        unsigned int shift = 0;
        while (index > node_maxindex(shift))
            shift += XA_CHUNK_SHIFT;
        xa->xa_head = node_alloc(pool, shift);
        return;
    }
    while (index > node_maxindex(xa->xa_head->shift)) {
        struct xa_node *old = xa->xa_head, *top = node_alloc(pool, old->shift + XA_CHUNK_SHIFT);
        top->slots[0] = old;
        top->count = 1;
        for (xa_mark_t m = 0; m < XA_MAX_MARKS; m++)
            if (node_any_mark(old, m))
                top->marks[m] = 1;
        old->parent = top;
        old->offset = 0;
        xa->xa_head = top;
    }
}

/* Drop the root while only its first slot is used: the tree needs fewer levels. */
static void shrink_root(struct xarray *xa)
{
    struct xa_node *top = xa->xa_head;
    while (top && top->shift > 0 && top->count == 1 && top->slots[0]) {
        struct xa_node *child = top->slots[0];
        child->parent = NULL;
        node_free(top);
        xa->xa_head = top = child;
    }
}

/* Free n and its ancestors as long as they are empty. */
static void free_empty_nodes(struct xarray *xa, struct xa_node *n)
{
    while (n && n->count == 0) {
        struct xa_node *parent = n->parent;
        if (parent) {
            unsigned int off = n->offset;
            parent->slots[off] = NULL;
            parent->count--;
            for (xa_mark_t m = 0; m < XA_MAX_MARKS; m++)
                parent->marks[m] &= ~(1ULL << off);
        } else {
            xa->xa_head = NULL;
        }
        node_free(n);
        n = parent;
    }
    shrink_root(xa);
}

/* The leaf for index, creating the missing nodes on the way from the pool. */
static struct xa_node *leaf_create(struct xarray *xa, unsigned long index, struct node_pool *pool)
{
    grow_root(xa, index, pool);
    struct xa_node *n = xa->xa_head;
    while (n->shift > 0) {
        unsigned int off = node_offset(n, index);
        struct xa_node *child = n->slots[off];
        if (!child) {
            child = node_alloc(pool, n->shift - XA_CHUNK_SHIFT);
            child->parent = n;
            child->offset = (unsigned char)off;
            n->slots[off] = child;
            n->count++;
        }
        n = child;
    }
    return n;
}

/* Nodes missing on index's way down from n (which covers it), the leaf included. */
static unsigned int missing_below(const struct xa_node *n, unsigned long index)
{
    while (n && n->shift > 0) {
        const struct xa_node *child = n->slots[node_offset(n, index)];
        if (!child)
            return n->shift / XA_CHUNK_SHIFT; /* this child and everything under it */
        n = child;
    }
    return 0;
}

/*
 * Nodes a store at index creates: the new top levels when the root does
 * not cover index, then the missing ones on its way down. Above the old
 * root, the way leaves the chain of first slots at the first level where
 * index's digit is not 0; everything below that is new.
 */
static unsigned int nodes_needed(const struct xarray *xa, unsigned long index)
{
    const struct xa_node *n = xa->xa_head;
    if (!n) {
        unsigned int levels = 1;
        for (unsigned int shift = 0; index > node_maxindex(shift); shift += XA_CHUNK_SHIFT)
            levels++;
        return levels;
    }
    if (index <= node_maxindex(n->shift))
        return missing_below(n, index);
    unsigned int top = n->shift, grown = 0;
    while (index > node_maxindex(top)) {
        top += XA_CHUNK_SHIFT;
        grown++;
    }
    for (unsigned int shift = top; shift > n->shift; shift -= XA_CHUNK_SHIFT)
        if ((index >> shift) & XA_CHUNK_MASK)
            return grown + shift / XA_CHUNK_SHIFT;
    return grown; /* not reached: index is beyond the old root's range */
}

/* Fill the pool to what a store at index needs; false when out of memory. */
static bool pool_fill(struct xarray *xa, unsigned long index, struct node_pool *pool)
{
    unsigned int need;
    while ((need = nodes_needed(xa, index)) > pool->n) {
        struct xa_node *n = kmem_cache_zalloc(radix_tree_node_cachep, GFP_KERNEL);
        if (!n)
            return false;
        nr_nodes++;
        pool->nodes[pool->n++] = n;
    }
    return true;
}

static void pool_drain(struct node_pool *pool)
{
    while (pool->n)
        node_free(pool->nodes[--pool->n]);
}

int xa_store(struct xarray *xa, unsigned long index, void *entry)
{
    if (!entry)
        return -EINVAL;
    struct node_pool pool = {.n = 0};
    if (!pool_fill(xa, index, &pool)) {
        pool_drain(&pool);
        return -ENOMEM;
    }
    struct xa_node *leaf = leaf_create(xa, index, &pool);
    pool_drain(&pool);
    unsigned int off = node_offset(leaf, index);
    if (!leaf->slots[off])
        leaf->count++;
    leaf->slots[off] = entry;
    return 0;
}

/* Clear a mark bit in n and, while n holds no more marked slots, above it. */
static void clear_mark_up(struct xa_node *n, unsigned int off, xa_mark_t mark)
{
    while (n) {
        n->marks[mark] &= ~(1ULL << off);
        if (node_any_mark(n, mark))
            return;
        off = n->offset;
        n = n->parent;
    }
}

void *xa_erase(struct xarray *xa, unsigned long index)
{
    struct xa_node *leaf = leaf_of(xa, index);
    if (!leaf)
        return NULL;
    unsigned int off = node_offset(leaf, index);
    void *entry = leaf->slots[off];
    if (!entry)
        return NULL;
    for (xa_mark_t m = 0; m < XA_MAX_MARKS; m++)
        if (leaf->marks[m] & (1ULL << off))
            clear_mark_up(leaf, off, m);
    leaf->slots[off] = NULL;
    leaf->count--;
    free_empty_nodes(xa, leaf);
    return entry;
}

void xa_set_mark(struct xarray *xa, unsigned long index, xa_mark_t mark)
{
    struct xa_node *n = leaf_of(xa, index);
    unsigned int off = n ? node_offset(n, index) : 0;
    if (!n || !n->slots[off])
        return;
    while (n && !(n->marks[mark] & (1ULL << off))) {
        n->marks[mark] |= 1ULL << off;
        off = n->offset;
        n = n->parent;
    }
}

void xa_clear_mark(struct xarray *xa, unsigned long index, xa_mark_t mark)
{
    struct xa_node *n = leaf_of(xa, index);
    unsigned int off = n ? node_offset(n, index) : 0;
    if (n && (n->marks[mark] & (1ULL << off)))
        clear_mark_up(n, off, mark);
}

bool xa_get_mark(const struct xarray *xa, unsigned long index, xa_mark_t mark)
{
    struct xa_node *n = leaf_of(xa, index);
    return n && (n->marks[mark] >> node_offset(n, index) & 1);
}

bool xa_marked(const struct xarray *xa, xa_mark_t mark)
{
    return xa->xa_head && node_any_mark(xa->xa_head, mark);
}

/* The first slot at or after off holding something that passes the filter; -1 if none. */
static int next_slot(const struct xa_node *n, unsigned int off, xa_mark_t filter)
{
    if (filter < XA_MAX_MARKS) {
        uint64_t bits = n->marks[filter] & (~0ULL << off);
        return bits ? __builtin_ctzll(bits) : -1;
    }
    for (unsigned int i = off; i < XA_CHUNK_SIZE; i++)
        if (n->slots[i])
            return (int)i;
    return -1;
}

/* index with its digit at n's level set to off and every lower digit zero. */
static unsigned long index_at(const struct xa_node *n, unsigned long index, unsigned int off)
{
    unsigned long above = n->shift + XA_CHUNK_SHIFT >= (int)(sizeof(unsigned long) * CHAR_BIT)
                              ? 0
                              : index & ~node_maxindex(n->shift);
    return above | ((unsigned long)off << n->shift);
}

void *xa_find(const struct xarray *xa, unsigned long *index, unsigned long max, xa_mark_t filter)
{
    struct xa_node *n = xa->xa_head;
    unsigned long idx = *index;
    if (!n || idx > node_maxindex(n->shift))
        return NULL;
    while (idx < max) {
        unsigned int off = node_offset(n, idx);
        int next = next_slot(n, off, filter);
        if (next < 0) {
            /*
             * Nothing left under n: go on after n's range, in the nearest
             * ancestor that has slots after the one leading here.
             */
            unsigned long span = node_maxindex(n->shift);
            if ((idx | span) == ULONG_MAX)
                return NULL;
            idx = (idx | span) + 1;
            while (n->parent && n->offset == XA_CHUNK_MASK)
                n = n->parent;
            if (!n->parent)
                return NULL;
            n = n->parent;
            continue;
        }
        if (next != (int)off)
            idx = index_at(n, idx, (unsigned int)next);
        if (idx >= max)
            return NULL;
        if (n->shift == 0) {
            *index = idx;
            return n->slots[(unsigned int)next];
        }
        n = n->slots[next];
    }
    return NULL;
}

static void destroy_node(struct xa_node *n)
{
    if (n->shift > 0)
        for (unsigned int i = 0; i < XA_CHUNK_SIZE; i++)
            if (n->slots[i])
                destroy_node(n->slots[i]);
    node_free(n);
}

void xa_destroy(struct xarray *xa)
{
    if (xa->xa_head)
        destroy_node(xa->xa_head);
    xa->xa_head = NULL;
}
