/*
 * The augmented red-black tree of VMAs, as Linux kept them before 6.1.
 *
 * VMAs are the nodes: the links live in vm_area_struct (rb_parent, rb_left,
 * rb_right, rb_red), so the tree never allocates once created. Each VMA's
 * "gap below" is the free space between its predecessor's end (or 0) and
 * its start; rb_subtree_gap is the largest gap below any VMA of the
 * subtree. Both gap searches descend only into subtrees whose
 * rb_subtree_gap can hold the request, so they take O(log n) steps.
 *
 * vmemu's vm_area_struct has no vm_prev, so a VMA's own gap is found
 * through its in-order predecessor, O(log n). Inserts avoid that almost
 * always (only the new VMA's and its successor's gaps change, and the walk
 * stops where a subtree's maximum does); erases refresh the path to the
 * root, O(log^2 n) in the worst case.
 */
#include <errno.h>
#include <stdbool.h>

#include "slab.h"
#include "vma_tree.h"

struct vma_tree {
    struct vm_area_struct *root;
};

/* --- navigation ----------------------------------------------------------- */

static bool is_red(const struct vm_area_struct *v)
{
    return v && v->rb_red;
}

static unsigned long subtree_gap_of(const struct vm_area_struct *v)
{
    return v ? v->rb_subtree_gap : 0;
}

static struct vm_area_struct *leftmost(struct vm_area_struct *v)
{
    while (v->rb_left)
        v = v->rb_left;
    return v;
}

static struct vm_area_struct *rightmost(struct vm_area_struct *v)
{
    while (v->rb_right)
        v = v->rb_right;
    return v;
}

static struct vm_area_struct *in_order_next(struct vm_area_struct *v)
{
    if (v->rb_right)
        return leftmost(v->rb_right);
    while (v->rb_parent && v == v->rb_parent->rb_right)
        v = v->rb_parent;
    return v->rb_parent;
}

static struct vm_area_struct *in_order_prev(const struct vm_area_struct *v)
{
    if (v->rb_left)
        return rightmost(v->rb_left);
    while (v->rb_parent && v == v->rb_parent->rb_left)
        v = v->rb_parent;
    return v->rb_parent;
}

/* --- gap bookkeeping ------------------------------------------------------ */

/* The free range just below v: from its predecessor's end, or 0, to its start. */
static unsigned long gap_below(const struct vm_area_struct *v)
{
    const struct vm_area_struct *prev = in_order_prev(v);
    return v->vm_start - (prev ? prev->vm_end : 0);
}

static unsigned long max3(unsigned long a, unsigned long b, unsigned long c)
{
    unsigned long m = a > b ? a : b;
    return m > c ? m : c;
}

static unsigned long compute_subtree_gap(const struct vm_area_struct *v)
{
    return max3(gap_below(v), subtree_gap_of(v->rb_left), subtree_gap_of(v->rb_right));
}

/*
 * v's own gap changed (or one of its children's maxima did): refresh v and
 * its ancestors, stopping at the first whose maximum stays the same, since
 * nothing above it can change then.
 */
static void propagate(struct vm_area_struct *v)
{
    for (; v; v = v->rb_parent) {
        unsigned long gap = compute_subtree_gap(v);
        if (gap == v->rb_subtree_gap)
            return;
        v->rb_subtree_gap = gap;
    }
}

/* Refresh every maximum from v to the root: the path's shape changed. */
static void refresh_to_root(struct vm_area_struct *v)
{
    for (; v; v = v->rb_parent)
        v->rb_subtree_gap = compute_subtree_gap(v);
}

/*
 * v's own gap, cheaply when the maximum can only come from v itself;
 * otherwise through the predecessor.
 */
static unsigned long own_gap(const struct vm_area_struct *v)
{
    if (subtree_gap_of(v->rb_left) < v->rb_subtree_gap &&
        subtree_gap_of(v->rb_right) < v->rb_subtree_gap)
        return v->rb_subtree_gap;
    return gap_below(v);
}

/* --- rotations ------------------------------------------------------------ */

static void replace_child(struct vma_tree *t, struct vm_area_struct *parent,
                          struct vm_area_struct *old, struct vm_area_struct *new)
{
    if (!parent)
        t->root = new;
    else if (parent->rb_left == old)
        parent->rb_left = new;
    else
        parent->rb_right = new;
}

/*
 * Rotations keep the in-order sequence, so no VMA's own gap changes: the
 * node moving up spans what the old top spanned and takes its maximum; the
 * one moving down is recomputed.
 */
static void rotate_left(struct vma_tree *t, struct vm_area_struct *x)
{
    struct vm_area_struct *y = x->rb_right;
    x->rb_right = y->rb_left;
    if (y->rb_left)
        y->rb_left->rb_parent = x;
    y->rb_parent = x->rb_parent;
    replace_child(t, x->rb_parent, x, y);
    y->rb_left = x;
    x->rb_parent = y;
    y->rb_subtree_gap = x->rb_subtree_gap;
    x->rb_subtree_gap = compute_subtree_gap(x);
}

static void rotate_right(struct vma_tree *t, struct vm_area_struct *x)
{
    struct vm_area_struct *y = x->rb_left;
    x->rb_left = y->rb_right;
    if (y->rb_right)
        y->rb_right->rb_parent = x;
    y->rb_parent = x->rb_parent;
    replace_child(t, x->rb_parent, x, y);
    y->rb_right = x;
    x->rb_parent = y;
    y->rb_subtree_gap = x->rb_subtree_gap;
    x->rb_subtree_gap = compute_subtree_gap(x);
}

/* --- insert --------------------------------------------------------------- */

/* Restore the red-black rules after linking the red node z. */
static void insert_fixup(struct vma_tree *t, struct vm_area_struct *z)
{
    while (is_red(z->rb_parent)) {
        struct vm_area_struct *p = z->rb_parent, *g = p->rb_parent;
        bool left = p == g->rb_left;
        struct vm_area_struct *uncle = left ? g->rb_right : g->rb_left;
        if (is_red(uncle)) {
            p->rb_red = uncle->rb_red = 0;
            g->rb_red = 1;
            z = g;
            continue;
        }
        if (z == (left ? p->rb_right : p->rb_left)) {
            /* Bring z to the outside so one rotation at g finishes. */
            left ? rotate_left(t, p) : rotate_right(t, p);
            z = p;
            p = z->rb_parent;
        }
        p->rb_red = 0;
        g->rb_red = 1;
        left ? rotate_right(t, g) : rotate_left(t, g);
    }
    t->root->rb_red = 0;
}

/* The links live in the VMAs: an insert never allocates, so there is nothing to keep ready. */
static int rbtree_preallocate(struct vma_tree *t, unsigned int inserts)
{
    (void)t, (void)inserts;
    return 0;
}

static void rbtree_release(struct vma_tree *t)
{
    (void)t;
}

static int rbtree_insert(struct vma_tree *t, struct vm_area_struct *vma)
{
    if (vma->vm_start >= vma->vm_end)
        return -EINVAL;
    struct vm_area_struct *parent = NULL, *prev = NULL, *next = NULL, **link = &t->root;
    /* The last node passed on the right is the predecessor, on the left the
     * successor; an overlap would have to be met on the way down. */
    while (*link) {
        parent = *link;
        if (vma->vm_end <= parent->vm_start) {
            next = parent;
            link = &parent->rb_left;
        } else if (vma->vm_start >= parent->vm_end) {
            prev = parent;
            link = &parent->rb_right;
        } else {
            return -EEXIST;
        }
    }
    vma->rb_parent = parent;
    vma->rb_left = vma->rb_right = NULL;
    vma->rb_red = 1;
    vma->rb_subtree_gap = vma->vm_start - (prev ? prev->vm_end : 0);
    *link = vma;

    /* Below next, ancestors only gain vma's gap, which next's gap contained. */
    for (struct vm_area_struct *a = parent; a && a->rb_subtree_gap < vma->rb_subtree_gap;
         a = a->rb_parent)
        a->rb_subtree_gap = vma->rb_subtree_gap;
    if (next)
        propagate(next); /* its gap shrank to start at vma's end */
    insert_fixup(t, vma);
    return 0;
}

/* --- erase ---------------------------------------------------------------- */

/* Restore the red-black rules when a black node left x's place under parent. */
static void erase_fixup(struct vma_tree *t, struct vm_area_struct *x, struct vm_area_struct *parent)
{
    while (x != t->root && !is_red(x)) {
        bool left = x == parent->rb_left;
        struct vm_area_struct *w = left ? parent->rb_right : parent->rb_left;
        if (is_red(w)) {
            w->rb_red = 0;
            parent->rb_red = 1;
            left ? rotate_left(t, parent) : rotate_right(t, parent);
            w = left ? parent->rb_right : parent->rb_left;
        }
        struct vm_area_struct *near = left ? w->rb_left : w->rb_right;
        struct vm_area_struct *far = left ? w->rb_right : w->rb_left;
        if (!is_red(near) && !is_red(far)) {
            w->rb_red = 1;
            x = parent;
            parent = x->rb_parent;
            continue;
        }
        if (!is_red(far)) {
            near->rb_red = 0;
            w->rb_red = 1;
            left ? rotate_right(t, w) : rotate_left(t, w);
            w = left ? parent->rb_right : parent->rb_left;
            far = left ? w->rb_right : w->rb_left;
        }
        w->rb_red = parent->rb_red;
        parent->rb_red = 0;
        far->rb_red = 0;
        left ? rotate_left(t, parent) : rotate_right(t, parent);
        x = t->root;
    }
    if (x)
        x->rb_red = 0;
}

/* The node holding vma's start, found by key so a VMA not in the tree is never followed. */
static struct vm_area_struct *lookup(const struct vma_tree *t, const struct vm_area_struct *vma)
{
    struct vm_area_struct *v = t->root;
    while (v && v->vm_start != vma->vm_start)
        v = vma->vm_start < v->vm_start ? v->rb_left : v->rb_right;
    return v == vma ? v : NULL;
}

static void rbtree_erase(struct vma_tree *t, struct vm_area_struct *z)
{
    if (!lookup(t, z))
        return;
    /* next's gap grows by z and z's gap; refresh from the lower of next and
     * the place z left, so that every changed maximum is on the way up. */
    struct vm_area_struct *next = in_order_next(z), *x, *parent, *refresh;
    bool removed_red;
    if (!z->rb_left || !z->rb_right) {
        x = z->rb_left ? z->rb_left : z->rb_right;
        parent = z->rb_parent;
        removed_red = z->rb_red;
        refresh = z->rb_right ? next : parent;
        replace_child(t, parent, z, x);
        if (x)
            x->rb_parent = parent;
    } else {
        /* next, the leftmost of z's right subtree, takes z's place and colour. */
        removed_red = next->rb_red;
        x = next->rb_right;
        if (next->rb_parent == z) {
            parent = next;
        } else {
            parent = next->rb_parent;
            parent->rb_left = x;
            if (x)
                x->rb_parent = parent;
            next->rb_right = z->rb_right;
            z->rb_right->rb_parent = next;
        }
        next->rb_left = z->rb_left;
        z->rb_left->rb_parent = next;
        next->rb_parent = z->rb_parent;
        replace_child(t, z->rb_parent, z, next);
        next->rb_red = z->rb_red;
        refresh = parent;
    }
    refresh_to_root(refresh);
    if (!removed_red)
        erase_fixup(t, x, parent);
}

/* --- lookups -------------------------------------------------------------- */

static struct vm_area_struct *rbtree_find(struct vma_tree *t, unsigned long addr)
{
    struct vm_area_struct *v = t->root, *found = NULL;
    while (v) {
        if (v->vm_end > addr) {
            found = v;
            if (v->vm_start <= addr)
                break;
            v = v->rb_left;
        } else {
            v = v->rb_right;
        }
    }
    return found;
}

static struct vm_area_struct *rbtree_find_intersection(struct vma_tree *t, unsigned long start,
                                                       unsigned long end)
{
    struct vm_area_struct *vma = rbtree_find(t, start);
    return (vma && vma->vm_start < end) ? vma : NULL;
}

static struct vm_area_struct *rbtree_next(struct vma_tree *t, struct vm_area_struct *vma)
{
    return lookup(t, vma) ? in_order_next(vma) : NULL;
}

static struct vm_area_struct *rbtree_prev(struct vma_tree *t, struct vm_area_struct *vma)
{
    return lookup(t, vma) ? in_order_prev(vma) : NULL;
}

/* --- gap searches --------------------------------------------------------- */

/* The free range [lo, hi) clipped to the request's limits; false when empty. */
static bool clip(const struct vm_unmapped_area_info *info, unsigned long *lo, unsigned long *hi)
{
    if (*lo < info->low_limit)
        *lo = info->low_limit;
    if (*hi > info->high_limit)
        *hi = info->high_limit;
    return *lo < *hi;
}

static bool fits_below(const struct vm_area_struct *v, const struct vm_unmapped_area_info *info,
                       bool high, unsigned long *addr)
{
    unsigned long gap = own_gap(v);
    if (gap < info->length)
        return false;
    unsigned long lo = v->vm_start - gap, hi = v->vm_start;
    if (!clip(info, &lo, &hi))
        return false;
    return high ? vma_fit_high(info, lo, hi, addr) : vma_fit_low(info, lo, hi, addr);
}

/*
 * In-order, lowest gap first. A subtree is entered only if its maximum can
 * hold the request and its gaps can reach into the limits: the gaps left
 * of v end at or below v's start, those right of it start at or above its end.
 */
static bool area_low(const struct vm_area_struct *v, const struct vm_unmapped_area_info *info,
                     unsigned long *addr)
{
    if (!v || v->rb_subtree_gap < info->length)
        return false;
    if (v->vm_start > info->low_limit) {
        if (area_low(v->rb_left, info, addr) || fits_below(v, info, false, addr))
            return true;
    }
    return v->vm_end < info->high_limit && area_low(v->rb_right, info, addr);
}

static bool area_high(const struct vm_area_struct *v, const struct vm_unmapped_area_info *info,
                      unsigned long *addr)
{
    if (!v || v->rb_subtree_gap < info->length)
        return false;
    if (v->vm_end < info->high_limit && area_high(v->rb_right, info, addr))
        return true;
    return v->vm_start > info->low_limit &&
           (fits_below(v, info, true, addr) || area_high(v->rb_left, info, addr));
}

/* The gap above the last VMA, which no node records. */
static bool fits_above_last(const struct vma_tree *t, const struct vm_unmapped_area_info *info,
                            bool high, unsigned long *addr)
{
    unsigned long lo = t->root ? rightmost(t->root)->vm_end : 0, hi = info->high_limit;
    if (!clip(info, &lo, &hi))
        return false;
    return high ? vma_fit_high(info, lo, hi, addr) : vma_fit_low(info, lo, hi, addr);
}

static unsigned long rbtree_unmapped_area(struct vma_tree *t,
                                          const struct vm_unmapped_area_info *info)
{
    unsigned long addr;
    if (area_low(t->root, info, &addr) || fits_above_last(t, info, false, &addr))
        return addr;
    return (unsigned long)-ENOMEM;
}

static unsigned long rbtree_unmapped_area_topdown(struct vma_tree *t,
                                                  const struct vm_unmapped_area_info *info)
{
    unsigned long addr;
    if (fits_above_last(t, info, true, &addr) || area_high(t->root, info, &addr))
        return addr;
    return (unsigned long)-ENOMEM;
}

/* --- life cycle ----------------------------------------------------------- */

static struct vma_tree *rbtree_create(void)
{
    return kzalloc(sizeof(struct vma_tree), GFP_KERNEL);
}

static void rbtree_destroy(struct vma_tree *t)
{
    kfree(t);
}

/* --- validation ----------------------------------------------------------- */

enum rbtree_invalid {
    RB_BAD_VMA = -1,    /* a VMA's range is empty or not page aligned */
    RB_BAD_ORDER = -2,  /* VMAs out of order or overlapping */
    RB_BAD_PARENT = -3, /* a parent link is wrong */
    RB_BAD_RED = -4,    /* a red root or a red node with a red child */
    RB_BAD_BLACK = -5,  /* paths with different numbers of black nodes */
    RB_BAD_GAP = -6,    /* an rb_subtree_gap is wrong */
};

struct rb_check {
    const struct vm_area_struct *prev; /* the last VMA visited in order */
    int err;
};

/* Black height of v's subtree, checking it in order; c->err on the first fault. */
static int check_subtree(const struct vm_area_struct *v, const struct vm_area_struct *parent,
                         struct rb_check *c)
{
    if (!v)
        return 0;
    if (v->rb_parent != parent)
        c->err = RB_BAD_PARENT;
    else if (v->rb_red && is_red(parent))
        c->err = RB_BAD_RED;
    if (c->err)
        return 0;
    int left = check_subtree(v->rb_left, v, c);
    if (c->err)
        return 0;
    if (v->vm_start >= v->vm_end || (v->vm_start | v->vm_end) & ~PAGE_MASK) {
        c->err = RB_BAD_VMA;
        return 0;
    }
    if (c->prev && c->prev->vm_end > v->vm_start) {
        c->err = RB_BAD_ORDER;
        return 0;
    }
    unsigned long own = v->vm_start - (c->prev ? c->prev->vm_end : 0);
    c->prev = v;
    int right = check_subtree(v->rb_right, v, c);
    if (c->err)
        return 0;
    if (left != right)
        c->err = RB_BAD_BLACK;
    else if (v->rb_subtree_gap !=
             max3(own, subtree_gap_of(v->rb_left), subtree_gap_of(v->rb_right)))
        c->err = RB_BAD_GAP;
    return left + !v->rb_red;
}

static int rbtree_validate(struct vma_tree *t)
{
    if (is_red(t->root))
        return RB_BAD_RED;
    struct rb_check c = {NULL, 0};
    check_subtree(t->root, NULL, &c);
    return c.err;
}

const struct vma_tree_ops vma_rbtree_ops = {
    .name = "rbtree",
    .create = rbtree_create,
    .destroy = rbtree_destroy,
    .preallocate = rbtree_preallocate,
    .release = rbtree_release,
    .insert = rbtree_insert,
    .erase = rbtree_erase,
    .find = rbtree_find,
    .find_intersection = rbtree_find_intersection,
    .next = rbtree_next,
    .prev = rbtree_prev,
    .unmapped_area = rbtree_unmapped_area,
    .unmapped_area_topdown = rbtree_unmapped_area_topdown,
    .validate = rbtree_validate,
};
