/*
 * The maple tree of VMAs: a B-tree of ranges in the spirit of Linux 6.1+.
 *
 * The tree covers the whole index space [0, ULONG_MAX]. A leaf is a run of
 * consecutive ranges, each ending at its pivot and holding either a VMA or
 * NULL; a NULL range is a gap. An internal node splits its range among up
 * to 16 children the same way and remembers, per child, the largest gap
 * anywhere below it, so both gap searches skip every subtree that cannot
 * hold the request: O(log n) for the lookups, inserts, erases and searches.
 *
 * Invariants (validate() checks them all):
 *  - every node's last pivot is the node's max (the parent's pivot for it);
 *  - a VMA's slot covers exactly [vm_start, vm_end - 1];
 *  - two NULL ranges are never neighbours, and every leaf but the rightmost
 *    ends with a VMA, so each gap is one NULL slot of one leaf and its size
 *    is exact (the rightmost leaf ends with the gap up to ULONG_MAX);
 *  - a leaf's weight, its slots plus one if it starts with a VMA, is at most
 *    16: that spare slot is where erase() puts a gap it must hand to the
 *    next leaf, so erase never has to split a node and never allocates;
 *  - non-root nodes have a weight of at least MAPLE_MIN_FILL, all leaves
 *    are at the same depth, and parent links match.
 *
 * Nodes come from the "maple_node" slab cache, created at boot after slab
 * (maple_tree_init, as Linux's). Inserts count the nodes a split will need and get
 * them before changing anything, so -ENOMEM leaves the tree as it was;
 * preallocate() keeps enough spare nodes for a number of inserts ready,
 * so that a caller can make sure an operation cannot fail halfway.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <string.h>

#include "slab.h"
#include "vma_tree.h"

#define MAPLE_SLOTS 16
#define MAPLE_MIN_FILL 6    /* a non-root node lighter than this is rebalanced */
#define MAPLE_HEIGHT_MAX 24 /* with the minimum fill, more than 2^52 VMAs */
#define MAPLE_BIG_SLOTS (2 * MAPLE_SLOTS + 2)

struct maple_node {
    struct maple_node *parent; /* NULL for the root */
    unsigned char nr;          /* slots in use, 1..MAPLE_SLOTS */
    bool leaf;
    unsigned long pivot[MAPLE_SLOTS]; /* last index of each slot's range */
    void *slot[MAPLE_SLOTS];          /* leaf: a VMA or NULL; internal: a child */
    /* leaf: the size of a NULL slot's range (0 for a VMA); internal: the
     * largest gap in the child. Sizes saturate at ULONG_MAX. */
    unsigned long gap[MAPLE_SLOTS];
};

struct vma_tree {
    struct maple_node *root;
    struct maple_node *spare; /* preallocated nodes, linked through parent */
    unsigned int nr_spare;
};

/* One level of a walk from the root: the node, its range, the slot taken. */
struct ma_level {
    struct maple_node *node;
    unsigned long min, max;
    unsigned int offset;
};

/* A walk from the root to a leaf, as Linux's ma_state: lv[0] is the root. */
struct ma_state {
    int depth;
    struct ma_level lv[MAPLE_HEIGHT_MAX];
};

/* Slots being rebuilt: a node plus what an insert adds, or two siblings. */
struct maple_big {
    unsigned int nr;
    bool leaf;
    unsigned long pivot[MAPLE_BIG_SLOTS];
    void *slot[MAPLE_BIG_SLOTS];
    unsigned long gap[MAPLE_BIG_SLOTS];
};

static struct kmem_cache *maple_node_cache;

/* --- small helpers -------------------------------------------------------- */

static unsigned long range_size(unsigned long first, unsigned long last)
{
    return last - first == ULONG_MAX ? ULONG_MAX : last - first + 1;
}

/* The first index of slot i of a node whose range starts at min. */
static unsigned long slot_first(const unsigned long *pivot, unsigned long min, unsigned int i)
{
    return i ? pivot[i - 1] + 1 : min;
}

static unsigned long node_max_gap(const struct maple_node *node)
{
    unsigned long gap = 0;
    for (unsigned int i = 0; i < node->nr; i++)
        if (node->gap[i] > gap)
            gap = node->gap[i];
    return gap;
}

static unsigned int weight(bool leaf, unsigned int nr, void *const *slot)
{
    return nr + (leaf && nr && slot[0]);
}

static unsigned int node_weight(const struct maple_node *node)
{
    return weight(node->leaf, node->nr, node->slot);
}

static void node_free(struct maple_node *node)
{
    kmem_cache_free(maple_node_cache, node);
}

/* A node for the tree: a preallocated one if there is one. */
static struct maple_node *node_alloc(struct vma_tree *t)
{
    struct maple_node *node = t->spare;
    if (!node)
        return kmem_cache_zalloc(maple_node_cache, GFP_KERNEL);
    t->spare = node->parent;
    t->nr_spare--;
    memset(node, 0, sizeof(*node));
    return node;
}

static int tree_depth(const struct vma_tree *t)
{
    int depth = 1;
    for (const struct maple_node *n = t->root; !n->leaf; n = n->slot[0])
        depth++;
    return depth;
}

/*
 * An insert splits at most every level and adds a root: depth + 1 nodes,
 * and the tree may be one level deeper for each insert before it. Erases
 * in between only free nodes.
 */
static int maple_preallocate(struct vma_tree *t, unsigned int inserts)
{
    unsigned int depth = (unsigned int)tree_depth(t), need = 0;
    for (unsigned int i = 0; i < inserts; i++)
        need += depth + 1 + i;
    while (t->nr_spare < need) {
        struct maple_node *node = kmem_cache_zalloc(maple_node_cache, GFP_KERNEL);
        if (!node)
            return -ENOMEM; /* what was got stays spare, for the next try */
        node->parent = t->spare;
        t->spare = node;
        t->nr_spare++;
    }
    return 0;
}

static void maple_release(struct vma_tree *t)
{
    while (t->spare) {
        struct maple_node *node = t->spare;
        t->spare = node->parent;
        node_free(node);
    }
    t->nr_spare = 0;
}

/* --- walks ---------------------------------------------------------------- */

/* The slot of node whose range holds index (the last pivot is the max). */
static unsigned int node_offset(const struct maple_node *node, unsigned long index)
{
    unsigned int i = 0;
    while (node->pivot[i] < index)
        i++;
    return i;
}

/* Fill level d + 1 from level d: the child the walk takes there. */
static void mas_descend(struct ma_state *mas, int d, unsigned int child_offset)
{
    struct ma_level *p = &mas->lv[d], *c = &mas->lv[d + 1];
    c->node = p->node->slot[p->offset];
    c->min = slot_first(p->node->pivot, p->min, p->offset);
    c->max = p->node->pivot[p->offset];
    c->offset = child_offset;
}

static void mas_walk(const struct vma_tree *t, unsigned long index, struct ma_state *mas)
{
    mas->depth = 1;
    mas->lv[0] = (struct ma_level){t->root, 0, ULONG_MAX, node_offset(t->root, index)};
    while (!mas->lv[mas->depth - 1].node->leaf) {
        mas_descend(mas, mas->depth - 1, 0);
        struct ma_level *l = &mas->lv[mas->depth++];
        l->offset = node_offset(l->node, index);
    }
}

static struct ma_level *mas_leaf(struct ma_state *mas)
{
    return &mas->lv[mas->depth - 1];
}

/*
 * Move the walk to the next (dir > 0) or previous leaf, landing on its first
 * or last slot. False, with mas unchanged, when there is none.
 */
static bool mas_step_leaf(struct ma_state *mas, int dir)
{
    int d = mas->depth - 2;
    while (d >= 0 &&
           (dir > 0 ? mas->lv[d].offset + 1u == mas->lv[d].node->nr : mas->lv[d].offset == 0))
        d--;
    if (d < 0)
        return false;
    if (dir > 0)
        mas->lv[d].offset++;
    else
        mas->lv[d].offset--;
    for (; d + 1 < mas->depth; d++) {
        mas_descend(mas, d, 0);
        if (dir < 0)
            mas->lv[d + 1].offset = mas->lv[d + 1].node->nr - 1u;
    }
    return true;
}

/* After a node at level d changed, refresh the gap its ancestors record. */
static void mas_update_gaps(struct ma_state *mas, int d)
{
    for (; d > 0; d--) {
        struct ma_level *p = &mas->lv[d - 1];
        unsigned long gap = node_max_gap(mas->lv[d].node);
        if (p->node->gap[p->offset] == gap)
            return; /* then nothing above changes either */
        p->node->gap[p->offset] = gap;
    }
}

/* --- rebuilding nodes ----------------------------------------------------- */

/* Not a compound literal: that would clear all of b, every insert. */
static void big_init(struct maple_big *b, bool leaf)
{
    b->nr = 0;
    b->leaf = leaf;
}

static void big_push(struct maple_big *b, unsigned long pivot, void *slot, unsigned long gap)
{
    b->pivot[b->nr] = pivot;
    b->slot[b->nr] = slot;
    b->gap[b->nr] = gap;
    b->nr++;
}

static void big_append_node(struct maple_big *b, const struct maple_node *node)
{
    for (unsigned int i = 0; i < node->nr; i++)
        big_push(b, node->pivot[i], node->slot[i], node->gap[i]);
}

/* A leaf's NULL slots: merge neighbours and size each from its range. */
static void big_fix_leaf_gaps(struct maple_big *b, unsigned long min)
{
    unsigned int n = 0;
    for (unsigned int i = 0; i < b->nr; i++) {
        if (n && !b->slot[i] && !b->slot[n - 1]) {
            b->pivot[n - 1] = b->pivot[i];
            continue;
        }
        b->pivot[n] = b->pivot[i];
        b->slot[n] = b->slot[i];
        n++;
    }
    b->nr = n;
    for (unsigned int i = 0; i < n; i++)
        b->gap[i] = b->slot[i] ? 0 : range_size(slot_first(b->pivot, min, i), b->pivot[i]);
}

/* Copy slots [from, to) of b into node, adopting children. */
static void big_to_node(const struct maple_big *b, unsigned int from, unsigned int to,
                        struct maple_node *node)
{
    unsigned int n = to - from;
    memcpy(node->pivot, &b->pivot[from], n * sizeof(node->pivot[0]));
    memcpy(node->slot, &b->slot[from], n * sizeof(node->slot[0]));
    memcpy(node->gap, &b->gap[from], n * sizeof(node->gap[0]));
    node->nr = (unsigned char)n;
    node->leaf = b->leaf;
    if (!b->leaf)
        for (unsigned int i = 0; i < n; i++)
            ((struct maple_node *)node->slot[i])->parent = node;
}

/* Can b be cut before slot k into two nodes that both keep the invariants? */
static bool big_split_ok(const struct maple_big *b, unsigned int k)
{
    if (k == 0 || k >= b->nr)
        return false;
    if (b->leaf && !b->slot[k - 1])
        return false; /* the left leaf would end with a gap */
    unsigned int left = weight(b->leaf, k, b->slot);
    unsigned int right = weight(b->leaf, b->nr - k, &b->slot[k]);
    return left >= MAPLE_MIN_FILL && left <= MAPLE_SLOTS && right >= MAPLE_MIN_FILL &&
           right <= MAPLE_SLOTS;
}

/*
 * Where to cut an overfull b: as near the middle as the invariants allow.
 * b never has more than 16 + 5 slots when it is cut (an overflowing node
 * plus two, or an underfull node with a sibling that would not fit in one),
 * and no two NULLs touch, so the middle or a slot beside it always works.
 */
static unsigned int big_split_point(const struct maple_big *b)
{
    unsigned int mid = b->nr / 2;
    for (unsigned int delta = 0; delta <= mid; delta++) {
        if (big_split_ok(b, mid + delta))
            return mid + delta;
        if (big_split_ok(b, mid - delta))
            return mid - delta;
    }
    return mid; /* not reached, by the argument above */
}

/* --- insert --------------------------------------------------------------- */

/* Nodes a split of the leaf at the end of mas takes, the new root included. */
static int mas_split_cost(const struct ma_state *mas)
{
    int need = 1;
    for (int d = mas->depth - 2; d >= 0; d--) {
        if (mas->lv[d].node->nr < MAPLE_SLOTS)
            return need;
        need++;
    }
    return need + 1;
}

static void grow_root(struct vma_tree *t, struct maple_node *root, struct maple_node *left,
                      struct maple_node *right, unsigned long split)
{
    struct maple_big b;
    big_init(&b, false);
    big_push(&b, split, left, node_max_gap(left));
    big_push(&b, ULONG_MAX, right, node_max_gap(right));
    big_to_node(&b, 0, b.nr, root);
    root->parent = NULL;
    t->root = root;
}

/*
 * Write b into the node at level d, splitting it when it does not fit and
 * handing the new sibling to the parent, as far up as it takes. spare
 * holds exactly the nodes mas_split_cost() counted.
 */
static void mas_store_big(struct vma_tree *t, struct ma_state *mas, int d, struct maple_big *b,
                          struct maple_node **spare)
{
    for (;;) {
        struct maple_node *node = mas->lv[d].node;
        if (weight(b->leaf, b->nr, b->slot) <= MAPLE_SLOTS) {
            big_to_node(b, 0, b->nr, node);
            mas_update_gaps(mas, d);
            return;
        }
        unsigned int k = big_split_point(b);
        unsigned long split = b->pivot[k - 1];
        struct maple_node *right = *spare++;
        big_to_node(b, k, b->nr, right);
        big_to_node(b, 0, k, node);
        if (d == 0) {
            grow_root(t, *spare, node, right, split);
            return;
        }
        /* The parent's slots, with this child cut in two. */
        struct ma_level *p = &mas->lv[d - 1];
        struct maple_node *parent = p->node;
        right->parent = parent;
        big_init(b, false);
        for (unsigned int i = 0; i < parent->nr; i++) {
            if (i != p->offset) {
                big_push(b, parent->pivot[i], parent->slot[i], parent->gap[i]);
                continue;
            }
            big_push(b, split, node, node_max_gap(node));
            big_push(b, parent->pivot[i], right, node_max_gap(right));
        }
        d--;
    }
}

/* What the gap at the walk's leaf slot becomes: vma and what is left either side. */
static void gap_pieces(const struct ma_level *l, struct vm_area_struct *vma, struct maple_big *p)
{
    unsigned long first = slot_first(l->node->pivot, l->min, l->offset);
    unsigned long last = l->node->pivot[l->offset];
    big_init(p, true);
    if (vma->vm_start > first)
        big_push(p, vma->vm_start - 1, NULL, vma->vm_start - first);
    big_push(p, vma->vm_end - 1, vma, 0);
    if (vma->vm_end - 1 < last)
        big_push(p, last, NULL, range_size(vma->vm_end, last));
}

/* The common case: the leaf has room, so the pieces go straight in. */
static void leaf_insert_in_place(struct maple_node *leaf, unsigned int i, const struct maple_big *p)
{
    unsigned int tail = leaf->nr - i - 1u;
    memmove(&leaf->pivot[i + p->nr], &leaf->pivot[i + 1], tail * sizeof(leaf->pivot[0]));
    memmove(&leaf->slot[i + p->nr], &leaf->slot[i + 1], tail * sizeof(leaf->slot[0]));
    memmove(&leaf->gap[i + p->nr], &leaf->gap[i + 1], tail * sizeof(leaf->gap[0]));
    memcpy(&leaf->pivot[i], p->pivot, p->nr * sizeof(leaf->pivot[0]));
    memcpy(&leaf->slot[i], p->slot, p->nr * sizeof(leaf->slot[0]));
    memcpy(&leaf->gap[i], p->gap, p->nr * sizeof(leaf->gap[0]));
    leaf->nr = (unsigned char)(leaf->nr + p->nr - 1u);
}

/* The leaf's slots with slot i replaced by the pieces, to be split. */
static void leaf_with_pieces(const struct maple_node *leaf, unsigned int i,
                             const struct maple_big *p, struct maple_big *b)
{
    big_init(b, true);
    for (unsigned int k = 0; k < leaf->nr; k++) {
        if (k != i) {
            big_push(b, leaf->pivot[k], leaf->slot[k], leaf->gap[k]);
            continue;
        }
        for (unsigned int j = 0; j < p->nr; j++)
            big_push(b, p->pivot[j], p->slot[j], p->gap[j]);
    }
}

/* Split the leaf at the end of mas to take the pieces; -ENOMEM changes nothing. */
static int mas_split_insert(struct vma_tree *t, struct ma_state *mas, const struct maple_big *p)
{
    struct maple_node *spare[MAPLE_HEIGHT_MAX + 1];
    int need = mas_split_cost(mas);
    for (int i = 0; i < need; i++) {
        spare[i] = node_alloc(t);
        if (!spare[i]) {
            while (i-- > 0)
                node_free(spare[i]);
            return -ENOMEM;
        }
    }
    struct maple_big b;
    leaf_with_pieces(mas_leaf(mas)->node, mas_leaf(mas)->offset, p, &b);
    mas_store_big(t, mas, mas->depth - 1, &b, spare);
    return 0;
}

static int maple_insert(struct vma_tree *t, struct vm_area_struct *vma)
{
    if (vma->vm_start >= vma->vm_end)
        return -EINVAL;
    struct ma_state mas;
    mas_walk(t, vma->vm_start, &mas);
    struct ma_level *l = mas_leaf(&mas);
    struct maple_node *leaf = l->node;
    /* Gaps are whole NULL slots (neighbours are VMAs), so a free range lies inside one. */
    if (leaf->slot[l->offset] || leaf->pivot[l->offset] < vma->vm_end - 1)
        return -EEXIST;

    struct maple_big p;
    gap_pieces(l, vma, &p);
    void *first_slot = l->offset == 0 ? p.slot[0] : leaf->slot[0];
    if (leaf->nr + p.nr - 1u + (first_slot != NULL) > MAPLE_SLOTS)
        return mas_split_insert(t, &mas, &p);
    leaf_insert_in_place(leaf, l->offset, &p);
    mas_update_gaps(&mas, mas.depth - 1);
    return 0;
}

/* --- erase ---------------------------------------------------------------- */

/*
 * Merge or even out the children a and a + 1 of parent. True when they
 * merged, so that parent lost a child.
 */
static bool rebalance_pair(struct maple_node *parent, unsigned int a)
{
    struct maple_node *left = parent->slot[a], *right = parent->slot[a + 1];
    struct maple_big b;
    big_init(&b, left->leaf);
    big_append_node(&b, left);
    big_append_node(&b, right);
    if (weight(b.leaf, b.nr, b.slot) <= MAPLE_SLOTS) {
        big_to_node(&b, 0, b.nr, left);
        parent->gap[a] = node_max_gap(left);
        parent->pivot[a] = parent->pivot[a + 1];
        unsigned int tail = parent->nr - a - 2u;
        memmove(&parent->pivot[a + 1], &parent->pivot[a + 2], tail * sizeof(parent->pivot[0]));
        memmove(&parent->slot[a + 1], &parent->slot[a + 2], tail * sizeof(parent->slot[0]));
        memmove(&parent->gap[a + 1], &parent->gap[a + 2], tail * sizeof(parent->gap[0]));
        parent->nr--;
        node_free(right);
        return true;
    }
    unsigned int k = big_split_point(&b);
    big_to_node(&b, 0, k, left);
    big_to_node(&b, k, b.nr, right);
    parent->pivot[a] = b.pivot[k - 1];
    parent->gap[a] = node_max_gap(left);
    parent->gap[a + 1] = node_max_gap(right);
    return false;
}

/* Rebalance the underfull nodes on the walk's path, bottom up, then shrink the root. */
static void mas_rebalance(struct vma_tree *t, struct ma_state *mas)
{
    int d = mas->depth - 1;
    while (d > 0 && node_weight(mas->lv[d].node) < MAPLE_MIN_FILL) {
        struct ma_level *p = &mas->lv[d - 1];
        unsigned int a = p->offset > 0 ? p->offset - 1 : 0;
        d--;
        if (!rebalance_pair(p->node, a))
            break;
    }
    mas_update_gaps(mas, d);
    while (!t->root->leaf && t->root->nr == 1) {
        struct maple_node *old = t->root;
        t->root = old->slot[0];
        t->root->parent = NULL;
        node_free(old);
    }
}

/*
 * The leaf at the end of mas gave away its trailing gap [first, old max]:
 * the next leaf's range now starts at first. The next leaf either grows
 * its leading gap or gains one in the slot its weight keeps free.
 */
static void mas_push_gap_right(struct ma_state *mas, unsigned long first)
{
    unsigned long old_max = mas_leaf(mas)->max;
    struct ma_state next = *mas;
    mas_step_leaf(&next, 1);
    struct maple_node *right = mas_leaf(&next)->node;
    if (!right->slot[0]) {
        right->gap[0] = range_size(first, right->pivot[0]);
    } else {
        memmove(&right->pivot[1], &right->pivot[0], right->nr * sizeof(right->pivot[0]));
        memmove(&right->slot[1], &right->slot[0], right->nr * sizeof(right->slot[0]));
        memmove(&right->gap[1], &right->gap[0], right->nr * sizeof(right->gap[0]));
        right->pivot[0] = old_max;
        right->slot[0] = NULL;
        right->gap[0] = range_size(first, old_max);
        right->nr++;
    }
    mas_update_gaps(&next, next.depth - 1);
    /* The boundary pivot sits in the common ancestor and, as a last pivot,
     * in every node on the path below it. (The walk's min and max are not
     * used after this, so they are left as they were.) */
    for (int d = 0; d + 1 < mas->depth; d++) {
        struct ma_level *l = &mas->lv[d];
        if (l->node->pivot[l->offset] == old_max)
            l->node->pivot[l->offset] = first - 1;
    }
}

static void maple_erase(struct vma_tree *t, struct vm_area_struct *vma)
{
    struct ma_state mas;
    mas_walk(t, vma->vm_start, &mas);
    struct ma_level *l = mas_leaf(&mas);
    if (l->node->slot[l->offset] != vma)
        return;

    struct maple_big b;
    big_init(&b, true);
    big_append_node(&b, l->node);
    b.slot[l->offset] = NULL;
    big_fix_leaf_gaps(&b, l->min);
    /*
     * Only the rightmost leaf may end with a gap. A non-root leaf holds at
     * least MAPLE_MIN_FILL slots, so a VMA stays in front of the gap.
     */
    if (!b.slot[b.nr - 1] && l->max != ULONG_MAX) {
        b.nr--;
        mas_push_gap_right(&mas, b.pivot[b.nr - 1] + 1);
    }
    big_to_node(&b, 0, b.nr, l->node);
    mas_update_gaps(&mas, mas.depth - 1);
    mas_rebalance(t, &mas);
}

/* --- lookups -------------------------------------------------------------- */

static struct vm_area_struct *maple_find(struct vma_tree *t, unsigned long addr)
{
    const struct maple_node *node = t->root;
    unsigned int i = node_offset(node, addr);
    while (!node->leaf) {
        node = node->slot[i];
        i = node_offset(node, addr);
    }
    if (node->slot[i])
        return node->slot[i];
    /* A gap is followed by a VMA in its own leaf, unless it is the last gap. */
    return i + 1u < node->nr ? node->slot[i + 1] : NULL;
}

static struct vm_area_struct *maple_find_intersection(struct vma_tree *t, unsigned long start,
                                                      unsigned long end)
{
    struct vm_area_struct *vma = maple_find(t, start);
    return (vma && vma->vm_start < end) ? vma : NULL;
}

static struct vm_area_struct *maple_next(struct vma_tree *t, struct vm_area_struct *vma)
{
    struct ma_state mas;
    mas_walk(t, vma->vm_start, &mas);
    struct ma_level *l = mas_leaf(&mas);
    if (l->node->slot[l->offset] != vma)
        return NULL;
    for (;;) {
        if (l->offset + 1u < l->node->nr)
            l->offset++;
        else if (!mas_step_leaf(&mas, 1))
            return NULL;
        if (l->node->slot[l->offset])
            return l->node->slot[l->offset];
        if (l->node->pivot[l->offset] == ULONG_MAX)
            return NULL; /* the last gap */
    }
}

static struct vm_area_struct *maple_prev(struct vma_tree *t, struct vm_area_struct *vma)
{
    struct ma_state mas;
    mas_walk(t, vma->vm_start, &mas);
    struct ma_level *l = mas_leaf(&mas);
    if (l->node->slot[l->offset] != vma)
        return NULL;
    for (;;) {
        if (l->offset > 0)
            l->offset--;
        else if (!mas_step_leaf(&mas, -1))
            return NULL;
        if (l->node->slot[l->offset])
            return l->node->slot[l->offset];
    }
}

/* --- gap searches --------------------------------------------------------- */

/* The gap [first, last] clipped to the request's limits, as [lo, hi). */
static bool clip_gap(const struct vm_unmapped_area_info *info, unsigned long first,
                     unsigned long last, unsigned long *lo, unsigned long *hi)
{
    *lo = first > info->low_limit ? first : info->low_limit;
    *hi = last >= info->high_limit ? info->high_limit : last + 1;
    return *lo < *hi;
}

static bool area_low(const struct maple_node *node, unsigned long min,
                     const struct vm_unmapped_area_info *info, unsigned long *addr);
static bool area_high(const struct maple_node *node, unsigned long min,
                      const struct vm_unmapped_area_info *info, unsigned long *addr);

/* Search slot i of node, covering [first, last]: a child's subtree, or a gap. */
static bool area_in_slot(const struct maple_node *node, unsigned int i, unsigned long first,
                         unsigned long last, const struct vm_unmapped_area_info *info, bool topdown,
                         unsigned long *addr)
{
    unsigned long lo, hi;
    if (!node->leaf)
        return topdown ? area_high(node->slot[i], first, info, addr)
                       : area_low(node->slot[i], first, info, addr);
    if (node->slot[i] || !clip_gap(info, first, last, &lo, &hi))
        return false;
    return topdown ? vma_fit_high(info, lo, hi, addr) : vma_fit_low(info, lo, hi, addr);
}

/*
 * Most slots fail on their largest gap, so that is tested first, before
 * the slot's range is worked out and compared with the limits.
 */
static bool area_low(const struct maple_node *node, unsigned long min,
                     const struct vm_unmapped_area_info *info, unsigned long *addr)
{
    for (unsigned int i = 0; i < node->nr; i++) {
        if (node->gap[i] < info->length)
            continue;
        unsigned long first = slot_first(node->pivot, min, i), last = node->pivot[i];
        if (first >= info->high_limit)
            return false; /* and so is every later slot */
        if (last >= info->low_limit && area_in_slot(node, i, first, last, info, false, addr))
            return true;
    }
    return false;
}

static bool area_high(const struct maple_node *node, unsigned long min,
                      const struct vm_unmapped_area_info *info, unsigned long *addr)
{
    for (unsigned int i = node->nr; i-- > 0;) {
        if (node->gap[i] < info->length)
            continue;
        unsigned long first = slot_first(node->pivot, min, i), last = node->pivot[i];
        if (last < info->low_limit)
            return false; /* and so is every earlier slot */
        if (first < info->high_limit && area_in_slot(node, i, first, last, info, true, addr))
            return true;
    }
    return false;
}

static unsigned long maple_unmapped_area(struct vma_tree *t,
                                         const struct vm_unmapped_area_info *info)
{
    unsigned long addr;
    return area_low(t->root, 0, info, &addr) ? addr : (unsigned long)-ENOMEM;
}

static unsigned long maple_unmapped_area_topdown(struct vma_tree *t,
                                                 const struct vm_unmapped_area_info *info)
{
    unsigned long addr;
    return area_high(t->root, 0, info, &addr) ? addr : (unsigned long)-ENOMEM;
}

/* --- life cycle ----------------------------------------------------------- */

int maple_tree_init(void)
{
    maple_node_cache =
        kmem_cache_create("maple_node", sizeof(struct maple_node), 0, SLAB_HWCACHE_ALIGN, NULL);
    return maple_node_cache ? 0 : -ENOMEM;
}

void maple_tree_exit(void)
{
    kmem_cache_destroy(maple_node_cache);
    maple_node_cache = NULL;
}

static struct vma_tree *maple_create(void)
{
    if (!maple_node_cache)
        return NULL; /* maple_tree_init was not called, or failed */
    struct vma_tree *t = kzalloc(sizeof(*t), GFP_KERNEL);
    struct maple_node *root = t ? node_alloc(t) : NULL;
    if (!root) {
        kfree(t);
        return NULL;
    }
    /* An empty tree is one leaf holding one gap: everything. */
    root->leaf = true;
    root->nr = 1;
    root->pivot[0] = ULONG_MAX;
    root->gap[0] = ULONG_MAX;
    t->root = root;
    return t;
}

static void free_subtree(struct maple_node *node)
{
    if (!node->leaf)
        for (unsigned int i = 0; i < node->nr; i++)
            free_subtree(node->slot[i]);
    node_free(node);
}

static void maple_destroy(struct vma_tree *t)
{
    if (!t)
        return;
    maple_release(t);
    free_subtree(t->root);
    kfree(t);
}

/* --- validation ----------------------------------------------------------- */

enum maple_invalid {
    MT_BAD_VMA = -1,    /* a VMA's range is empty or not page aligned */
    MT_BAD_ORDER = -2,  /* pivots not increasing, or a slot's range empty */
    MT_BAD_PARENT = -3, /* a node's parent link is wrong */
    MT_BAD_FILL = -4,   /* too light, too heavy, or a root with one child */
    MT_BAD_RANGE = -5,  /* a node's last pivot is not its max */
    MT_BAD_DEPTH = -6,  /* leaves at different depths */
    MT_BAD_SLOT = -7,   /* a VMA's slot is not exactly its range */
    MT_BAD_GAPS = -8,   /* two gaps side by side, or a leaf ending in a gap */
    MT_BAD_GAP = -9,    /* a recorded gap size is wrong */
};

struct maple_check {
    int leaf_depth;
};

static int check_node(const struct maple_node *node, const struct maple_node *parent,
                      unsigned long min, unsigned long max, int depth, struct maple_check *c);

static int check_leaf_slot(const struct maple_node *node, unsigned int i, unsigned long first,
                           unsigned long max)
{
    const struct vm_area_struct *vma = node->slot[i];
    if (!vma) {
        if (i > 0 && !node->slot[i - 1])
            return MT_BAD_GAPS;
        if (i + 1u == node->nr && max != ULONG_MAX)
            return MT_BAD_GAPS;
        return node->gap[i] == range_size(first, node->pivot[i]) ? 0 : MT_BAD_GAP;
    }
    if (vma->vm_start >= vma->vm_end || (vma->vm_start | vma->vm_end) & ~PAGE_MASK)
        return MT_BAD_VMA;
    if (vma->vm_start != first || vma->vm_end - 1 != node->pivot[i])
        return MT_BAD_SLOT;
    return node->gap[i] == 0 ? 0 : MT_BAD_GAP;
}

static int check_slot(const struct maple_node *node, unsigned int i, unsigned long first,
                      unsigned long max, int depth, struct maple_check *c)
{
    if (node->leaf)
        return check_leaf_slot(node, i, first, max);
    const struct maple_node *child = node->slot[i];
    if (!child)
        return MT_BAD_FILL;
    int err = check_node(child, node, first, node->pivot[i], depth + 1, c);
    if (err)
        return err;
    return node->gap[i] == node_max_gap(child) ? 0 : MT_BAD_GAP;
}

static int check_node(const struct maple_node *node, const struct maple_node *parent,
                      unsigned long min, unsigned long max, int depth, struct maple_check *c)
{
    if (node->parent != parent)
        return MT_BAD_PARENT;
    unsigned int w = node_weight(node);
    if (node->nr == 0 || w > MAPLE_SLOTS || (parent && w < MAPLE_MIN_FILL) ||
        (!parent && !node->leaf && node->nr < 2))
        return MT_BAD_FILL;
    if (node->pivot[node->nr - 1] != max)
        return MT_BAD_RANGE;
    if (node->leaf) {
        if (c->leaf_depth < 0)
            c->leaf_depth = depth;
        if (c->leaf_depth != depth)
            return MT_BAD_DEPTH;
    }
    for (unsigned int i = 0; i < node->nr; i++) {
        unsigned long first = slot_first(node->pivot, min, i);
        if ((i > 0 && node->pivot[i - 1] == ULONG_MAX) || node->pivot[i] < first)
            return MT_BAD_ORDER;
        int err = check_slot(node, i, first, max, depth, c);
        if (err)
            return err;
    }
    return 0;
}

static int maple_validate(struct vma_tree *t)
{
    struct maple_check c = {.leaf_depth = -1};
    return check_node(t->root, NULL, 0, ULONG_MAX, 0, &c);
}

const struct vma_tree_ops vma_maple_ops = {
    .name = "maple",
    .create = maple_create,
    .destroy = maple_destroy,
    .preallocate = maple_preallocate,
    .release = maple_release,
    .insert = maple_insert,
    .erase = maple_erase,
    .find = maple_find,
    .find_intersection = maple_find_intersection,
    .next = maple_next,
    .prev = maple_prev,
    .unmapped_area = maple_unmapped_area,
    .unmapped_area_topdown = maple_unmapped_area_topdown,
    .validate = maple_validate,
};
