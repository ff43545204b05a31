/*
 * The simplest VMA tree: a sorted array of VMA pointers. Lookups are binary
 * searches, inserts and erases move the tail, gap searches walk every gap.
 * It is the reference the balanced trees are checked against. The tree and
 * its array are kmalloc'd, so they are counted in Slab like Linux's own.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "slab.h"
#include "vma_tree.h"

struct vma_tree {
    struct vm_area_struct **v;
    size_t n, cap;
};

static struct vma_tree *array_create(void)
{
    return kzalloc(sizeof(struct vma_tree), GFP_KERNEL);
}

static void array_destroy(struct vma_tree *t)
{
    if (t) {
        kfree(t->v);
        kfree(t);
    }
}

/* Index of the first VMA with vm_end > addr (t->n when there is none). */
static size_t array_lower_bound(const struct vma_tree *t, unsigned long addr)
{
    size_t lo = 0, hi = t->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (t->v[mid]->vm_end > addr)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

/* Room for `more` entries beyond the n there are; the array only ever grows. */
static int array_reserve(struct vma_tree *t, size_t more)
{
    if (t->n + more <= t->cap)
        return 0;
    size_t cap = t->cap ? t->cap : 16;
    while (cap < t->n + more)
        cap *= 2;
    struct vm_area_struct **v = krealloc(t->v, cap * sizeof(*v), GFP_KERNEL);
    if (!v)
        return -ENOMEM;
    t->v = v;
    t->cap = cap;
    return 0;
}

static int array_preallocate(struct vma_tree *t, unsigned int inserts)
{
    return array_reserve(t, inserts);
}

/* Erases never shrink the array, so nothing is ever held back. */
static void array_release(struct vma_tree *t)
{
    (void)t;
}

static int array_insert(struct vma_tree *t, struct vm_area_struct *vma)
{
    size_t i = array_lower_bound(t, vma->vm_start);
    if (i < t->n && t->v[i]->vm_start < vma->vm_end)
        return -EEXIST;
    int err = array_reserve(t, 1);
    if (err)
        return err;
    memmove(&t->v[i + 1], &t->v[i], (t->n - i) * sizeof(*t->v));
    t->v[i] = vma;
    t->n++;
    return 0;
}

static size_t array_index_of(const struct vma_tree *t, const struct vm_area_struct *vma)
{
    size_t i = array_lower_bound(t, vma->vm_start);
    return (i < t->n && t->v[i] == vma) ? i : t->n;
}

static void array_erase(struct vma_tree *t, struct vm_area_struct *vma)
{
    size_t i = array_index_of(t, vma);
    if (i == t->n)
        return;
    memmove(&t->v[i], &t->v[i + 1], (t->n - i - 1) * sizeof(*t->v));
    t->n--;
}

static struct vm_area_struct *array_find(struct vma_tree *t, unsigned long addr)
{
    size_t i = array_lower_bound(t, addr);
    return i < t->n ? t->v[i] : NULL;
}

static struct vm_area_struct *array_find_intersection(struct vma_tree *t, unsigned long start,
                                                      unsigned long end)
{
    struct vm_area_struct *vma = array_find(t, start);
    return (vma && vma->vm_start < end) ? vma : NULL;
}

static struct vm_area_struct *array_next(struct vma_tree *t, struct vm_area_struct *vma)
{
    size_t i = array_index_of(t, vma);
    return i + 1 < t->n ? t->v[i + 1] : NULL;
}

static struct vm_area_struct *array_prev(struct vma_tree *t, struct vm_area_struct *vma)
{
    size_t i = array_index_of(t, vma);
    return (i < t->n && i > 0) ? t->v[i - 1] : NULL;
}

/* Gap i lies between v[i-1] (or low_limit) and v[i] (or high_limit). */
static void array_gap(const struct vma_tree *t, const struct vm_unmapped_area_info *info, size_t i,
                      unsigned long *lo, unsigned long *hi)
{
    unsigned long a = i > 0 ? t->v[i - 1]->vm_end : 0;
    unsigned long b = i < t->n ? t->v[i]->vm_start : info->high_limit;
    *lo = a > info->low_limit ? a : info->low_limit;
    *hi = b < info->high_limit ? b : info->high_limit;
}

static unsigned long array_unmapped_area(struct vma_tree *t,
                                         const struct vm_unmapped_area_info *info)
{
    for (size_t i = 0; i <= t->n; i++) {
        unsigned long lo, hi, start;
        array_gap(t, info, i, &lo, &hi);
        if (lo < hi && vma_fit_low(info, lo, hi, &start))
            return start;
    }
    return (unsigned long)-ENOMEM;
}

static unsigned long array_unmapped_area_topdown(struct vma_tree *t,
                                                 const struct vm_unmapped_area_info *info)
{
    for (size_t i = t->n + 1; i-- > 0;) {
        unsigned long lo, hi, start;
        array_gap(t, info, i, &lo, &hi);
        if (lo < hi && vma_fit_high(info, lo, hi, &start))
            return start;
    }
    return (unsigned long)-ENOMEM;
}

static int array_validate(struct vma_tree *t)
{
    for (size_t i = 0; i < t->n; i++) {
        const struct vm_area_struct *v = t->v[i];
        if (v->vm_start >= v->vm_end || (v->vm_start | v->vm_end) & ~PAGE_MASK)
            return -1;
        if (i > 0 && t->v[i - 1]->vm_end > v->vm_start)
            return -2;
    }
    return 0;
}

const struct vma_tree_ops vma_array_ops = {
    .name = "array",
    .create = array_create,
    .destroy = array_destroy,
    .preallocate = array_preallocate,
    .release = array_release,
    .insert = array_insert,
    .erase = array_erase,
    .find = array_find,
    .find_intersection = array_find_intersection,
    .next = array_next,
    .prev = array_prev,
    .unmapped_area = array_unmapped_area,
    .unmapped_area_topdown = array_unmapped_area_topdown,
    .validate = array_validate,
};
