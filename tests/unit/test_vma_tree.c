/*
 * The VMA trees. Property tests drive each implementation through thousands
 * of random inserts, erases, splits and merges, checking every query and
 * validate() after every step against a reference: the sorted array for the
 * maple tree and the rbtree, and for the array itself a brute-force model
 * that scans every VMA and every candidate page. Targeted tests cover the
 * corners by hand: empty trees, one VMA, overlaps, the ends of the address
 * space, and running out of memory.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "mm/array_size.h"
#include "mm/mmzone.h"
#include "mm/slab.h"
#include "mm/vma_tree.h"
#include "tests/unit/support/support.h"

#define P(n) ((unsigned long)(n) << PAGE_SHIFT)
#define NOMEM ((unsigned long)-ENOMEM)
#define WIN_START P(0x10000) /* the random tests' VMAs all live in one window */
#define MODEL_MAX 4096
#define WALK_EVERY 16 /* steps between full walks of both trees */

static const struct vma_tree_ops *const all_trees[] = {&vma_array_ops, &vma_maple_ops,
                                                       &vma_rbtree_ops};
#define NR_TREES ARRAY_SIZE(all_trees)

static int setup(void **state)
{
    (void)state;
    if (phys_init(64 << 20) != 0)
        return -1;
    if (kmem_cache_init() != 0 || maple_tree_init() != 0) {
        kmem_cache_exit();
        phys_exit();
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    maple_tree_exit();
    kmem_cache_exit();
    phys_exit();
    return 0;
}

/* --- the brute-force model ------------------------------------------------ */

/*
 * An unordered set of VMAs answering every query by looking at all of them
 * (and, for the gap searches, at every page of the window): too slow for
 * use, too simple to share a bug with the array.
 */
struct vma_tree {
    struct vm_area_struct *v[MODEL_MAX];
    unsigned int n;
    unsigned long win_pages; /* gap searches must stay inside the window */
};

static unsigned long model_win_pages = 4096;

static struct vma_tree *model_create(void)
{
    struct vma_tree *m = calloc(1, sizeof(*m));
    if (m)
        m->win_pages = model_win_pages;
    return m;
}

static void model_destroy(struct vma_tree *m)
{
    free(m);
}

static bool overlaps(const struct vm_area_struct *v, unsigned long start, unsigned long end)
{
    return v->vm_start < end && start < v->vm_end;
}

static int model_insert(struct vma_tree *m, struct vm_area_struct *vma)
{
    for (unsigned int i = 0; i < m->n; i++)
        if (overlaps(m->v[i], vma->vm_start, vma->vm_end))
            return -EEXIST;
    if (m->n == MODEL_MAX)
        return -ENOMEM;
    m->v[m->n++] = vma;
    return 0;
}

static int model_index(const struct vma_tree *m, const struct vm_area_struct *vma)
{
    for (unsigned int i = 0; i < m->n; i++)
        if (m->v[i] == vma)
            return (int)i;
    return -1;
}

static void model_erase(struct vma_tree *m, struct vm_area_struct *vma)
{
    int i = model_index(m, vma);
    if (i >= 0)
        m->v[i] = m->v[--m->n];
}

/* The member with the lowest start among those keep() accepts. */
static struct vm_area_struct *model_lowest(struct vma_tree *m, unsigned long above)
{
    struct vm_area_struct *best = NULL;
    for (unsigned int i = 0; i < m->n; i++)
        if (m->v[i]->vm_end > above && (!best || m->v[i]->vm_start < best->vm_start))
            best = m->v[i];
    return best;
}

static struct vm_area_struct *model_find(struct vma_tree *m, unsigned long addr)
{
    return model_lowest(m, addr);
}

static struct vm_area_struct *model_find_intersection(struct vma_tree *m, unsigned long start,
                                                      unsigned long end)
{
    struct vm_area_struct *best = NULL;
    for (unsigned int i = 0; i < m->n; i++)
        if (overlaps(m->v[i], start, end) && (!best || m->v[i]->vm_start < best->vm_start))
            best = m->v[i];
    return best;
}

static struct vm_area_struct *model_next(struct vma_tree *m, struct vm_area_struct *vma)
{
    return model_index(m, vma) < 0 ? NULL : model_lowest(m, vma->vm_end);
}

static struct vm_area_struct *model_prev(struct vma_tree *m, struct vm_area_struct *vma)
{
    struct vm_area_struct *best = NULL;
    if (model_index(m, vma) < 0)
        return NULL;
    for (unsigned int i = 0; i < m->n; i++)
        if (m->v[i]->vm_start < vma->vm_start && (!best || m->v[i]->vm_start > best->vm_start))
            best = m->v[i];
    return best;
}

/* Is [a, a + len) free, aligned and inside the limits? Pages only. */
static bool model_fits(struct vma_tree *m, const struct vm_unmapped_area_info *info,
                       const unsigned int *used_before, unsigned long a)
{
    if (a < info->low_limit || a > info->high_limit || info->high_limit - a < info->length)
        return false;
    if (((a - info->align_offset) & info->align_mask) != 0)
        return false;
    unsigned long first = (a - WIN_START) >> PAGE_SHIFT;
    unsigned long last = first + (info->length >> PAGE_SHIFT);
    return last <= m->win_pages && used_before[last] == used_before[first];
}

/* used_before[p]: mapped pages of the window below page p. */
static unsigned int *model_usage(struct vma_tree *m)
{
    unsigned int *used = calloc(m->win_pages + 1, sizeof(*used));
    if (!used)
        return NULL;
    for (unsigned int i = 0; i < m->n; i++)
        for (unsigned long a = m->v[i]->vm_start; a < m->v[i]->vm_end; a += PAGE_SIZE)
            used[((a - WIN_START) >> PAGE_SHIFT) + 1]++;
    for (unsigned long p = 1; p <= m->win_pages; p++)
        used[p] += used[p - 1];
    return used;
}

static unsigned long model_search(struct vma_tree *m, const struct vm_unmapped_area_info *info,
                                  bool topdown)
{
    unsigned int *used = model_usage(m);
    unsigned long found = NOMEM;
    if (!used)
        return NOMEM;
    for (unsigned long p = 0; p <= m->win_pages; p++) {
        unsigned long a = WIN_START + P(topdown ? m->win_pages - p : p);
        if (model_fits(m, info, used, a)) {
            found = a;
            break;
        }
    }
    free(used);
    return found;
}

static unsigned long model_unmapped_area(struct vma_tree *m,
                                         const struct vm_unmapped_area_info *info)
{
    return model_search(m, info, false);
}

static unsigned long model_unmapped_area_topdown(struct vma_tree *m,
                                                 const struct vm_unmapped_area_info *info)
{
    return model_search(m, info, true);
}

static int model_validate(struct vma_tree *m)
{
    for (unsigned int i = 0; i < m->n; i++)
        for (unsigned int j = i + 1; j < m->n; j++)
            if (overlaps(m->v[i], m->v[j]->vm_start, m->v[j]->vm_end))
                return -2;
    return 0;
}

static const struct vma_tree_ops model_ops = {
    .name = "model",
    .create = model_create,
    .destroy = model_destroy,
    .insert = model_insert,
    .erase = model_erase,
    .find = model_find,
    .find_intersection = model_find_intersection,
    .next = model_next,
    .prev = model_prev,
    .unmapped_area = model_unmapped_area,
    .unmapped_area_topdown = model_unmapped_area_topdown,
    .validate = model_validate,
};

/* --- the property harness ------------------------------------------------- */

struct harness {
    const struct vma_tree_ops *ops, *ref_ops;
    struct vma_tree *tree, *ref;
    unsigned long win_pages;
    unsigned int steps, phase; /* grow for phase steps, then shrink, and again */
    uint64_t seed, rng;
    unsigned int step;
    struct vm_area_struct *pool;
    unsigned int *live, nr_live; /* indices into pool of the VMAs in the trees */
    unsigned int *unused, nr_unused;
};

static uint64_t rnd64(struct harness *h)
{
    /* splitmix64: good enough spread from any seed */
    uint64_t z = (h->rng += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static unsigned long rnd(struct harness *h, unsigned long n)
{
    return (unsigned long)(rnd64(h) % n);
}

/* Report where a run went wrong, so that it can be replayed. */
#define check_eq(h, what, a, b)                                                                    \
    do {                                                                                           \
        unsigned long a_ = (unsigned long)(a), b_ = (unsigned long)(b);                            \
        if (a_ != b_)                                                                              \
            fail_msg("%s seed %lu step %u: %s: %s gives %#lx, %s %#lx", (h)->ops->name,            \
                     (unsigned long)(h)->seed, (h)->step, what, (h)->ops->name, a_,                \
                     (h)->ref_ops->name, b_);                                                      \
    } while (0)

static void harness_init(struct harness *h, const struct vma_tree_ops *ops, uint64_t seed,
                         unsigned long win_pages, unsigned int steps)
{
    *h = (struct harness){.ops = ops,
                          .seed = seed,
                          .rng = seed,
                          .win_pages = win_pages,
                          .steps = steps,
                          .phase = steps / 4};
    /* The array is checked against the model, everything else against the array. */
    h->ref_ops = ops == &vma_array_ops ? &model_ops : &vma_array_ops;
    model_win_pages = win_pages;
    h->tree = ops->create();
    h->ref = h->ref_ops->create();
    h->pool = calloc(win_pages, sizeof(*h->pool));
    h->live = calloc(win_pages, sizeof(*h->live));
    h->unused = calloc(win_pages, sizeof(*h->unused));
    assert_non_null(h->tree);
    assert_non_null(h->ref);
    assert_non_null(h->pool);
    assert_non_null(h->live);
    assert_non_null(h->unused);
    for (unsigned int i = 0; i < win_pages; i++)
        h->unused[h->nr_unused++] = (unsigned int)(win_pages - 1 - i);
}

static void harness_exit(struct harness *h)
{
    h->ops->destroy(h->tree);
    h->ref_ops->destroy(h->ref);
    free(h->pool);
    free(h->live);
    free(h->unused);
}

static struct vm_area_struct *take_vma(struct harness *h, unsigned long start, unsigned long end)
{
    assert_true(h->nr_unused > 0);
    struct vm_area_struct *v = &h->pool[h->unused[--h->nr_unused]];
    *v = (struct vm_area_struct){.vm_start = start, .vm_end = end};
    return v;
}

static void mark_live(struct harness *h, struct vm_area_struct *v)
{
    h->live[h->nr_live++] = (unsigned int)(v - h->pool);
}

/* Forget live[i]; the VMA goes back to the pool unless keep. */
static void unmark_live(struct harness *h, unsigned int i, bool keep)
{
    if (!keep)
        h->unused[h->nr_unused++] = h->live[i];
    h->live[i] = h->live[--h->nr_live];
}

static unsigned int live_index(struct harness *h, const struct vm_area_struct *v)
{
    for (unsigned int i = 0; i < h->nr_live; i++)
        if (&h->pool[h->live[i]] == v)
            return i;
    fail_msg("VMA not live");
    return 0;
}

static int both_insert(struct harness *h, struct vm_area_struct *v)
{
    int expect = h->ref_ops->insert(h->ref, v);
    int got = h->ops->insert(h->tree, v);
    check_eq(h, "insert", got, expect);
    return got;
}

static void both_erase(struct harness *h, struct vm_area_struct *v)
{
    h->ref_ops->erase(h->ref, v);
    h->ops->erase(h->tree, v);
}

static void op_insert(struct harness *h)
{
    unsigned long pages = rnd(h, 8) ? 1 + rnd(h, 4) : 1 + rnd(h, 32);
    unsigned long start = WIN_START + P(rnd(h, h->win_pages - pages + 1));
    struct vm_area_struct *v = take_vma(h, start, start + P(pages));
    if (both_insert(h, v) == 0)
        mark_live(h, v);
    else
        h->unused[h->nr_unused++] = (unsigned int)(v - h->pool);
}

static void op_erase(struct harness *h)
{
    if (!h->nr_live)
        return;
    unsigned int i = (unsigned int)rnd(h, h->nr_live);
    both_erase(h, &h->pool[h->live[i]]);
    unmark_live(h, i, false);
}

/* As a partial munmap or mprotect: erase, shrink, insert, and a new neighbour. */
static void op_split(struct harness *h)
{
    if (!h->nr_live)
        return;
    struct vm_area_struct *v = &h->pool[h->live[rnd(h, h->nr_live)]];
    unsigned long pages = vma_pages(v);
    if (pages < 2)
        return;
    unsigned long cut = v->vm_start + P(1 + rnd(h, pages - 1)), end = v->vm_end;
    both_erase(h, v);
    v->vm_end = cut;
    check_eq(h, "split: insert the shrunk VMA", both_insert(h, v), 0);
    struct vm_area_struct *w = take_vma(h, cut, end);
    check_eq(h, "split: insert the new VMA", both_insert(h, w), 0);
    mark_live(h, w);
}

/*
 * As vma_merge: erase two touching neighbours, grow the first over both,
 * insert it. (Growing over holes too would fill the window with a few
 * huge VMAs.)
 */
static void op_merge(struct harness *h)
{
    if (!h->nr_live)
        return;
    struct vm_area_struct *v = &h->pool[h->live[rnd(h, h->nr_live)]];
    struct vm_area_struct *w = h->ref_ops->next(h->ref, v);
    if (!w || w->vm_start != v->vm_end)
        return;
    both_erase(h, v);
    both_erase(h, w);
    v->vm_end = w->vm_end;
    check_eq(h, "merge: insert the grown VMA", both_insert(h, v), 0);
    unmark_live(h, live_index(h, w), false);
}

static unsigned long random_addr(struct harness *h)
{
    return WIN_START - P(8) + P(rnd(h, h->win_pages + 16)) + rnd(h, PAGE_SIZE);
}

/* A limit anywhere in the window, or a page or two from a VMA's edge: off-by-ones live there. */
static unsigned long random_limit(struct harness *h)
{
    unsigned long win_end = WIN_START + P(h->win_pages);
    if (!h->nr_live || rnd(h, 2))
        return WIN_START + P(rnd(h, h->win_pages + 1));
    const struct vm_area_struct *v = &h->pool[h->live[rnd(h, h->nr_live)]];
    unsigned long edge = (rnd(h, 2) ? v->vm_start : v->vm_end) + P(rnd(h, 5)) - P(2);
    return edge < WIN_START ? WIN_START : edge > win_end ? win_end : edge;
}

static void random_info(struct harness *h, struct vm_unmapped_area_info *info)
{
    info->length = P(rnd(h, 4) ? 1 + rnd(h, 8) : 1 + rnd(h, 256));
    info->align_mask = rnd(h, 3) ? 0 : (P(1) << rnd(h, 6)) - P(1);
    info->align_offset = P(rnd(h, 64));
    if (rnd(h, 4) == 0) {
        info->low_limit = WIN_START;
        info->high_limit = WIN_START + P(h->win_pages);
    } else {
        info->low_limit = random_limit(h);
        info->high_limit = random_limit(h);
    }
}

static void check_queries(struct harness *h)
{
    for (int q = 0; q < 4; q++) {
        unsigned long addr = random_addr(h);
        check_eq(h, "find", h->ops->find(h->tree, addr), h->ref_ops->find(h->ref, addr));
        unsigned long end = addr + 1 + rnd(h, P(16));
        check_eq(h, "find_intersection", h->ops->find_intersection(h->tree, addr, end),
                 h->ref_ops->find_intersection(h->ref, addr, end));
    }
    if (h->nr_live) {
        struct vm_area_struct *v = &h->pool[h->live[rnd(h, h->nr_live)]];
        check_eq(h, "next", h->ops->next(h->tree, v), h->ref_ops->next(h->ref, v));
        check_eq(h, "prev", h->ops->prev(h->tree, v), h->ref_ops->prev(h->ref, v));
    }
    for (int q = 0; q < 2; q++) {
        struct vm_unmapped_area_info info;
        random_info(h, &info);
        check_eq(h, "unmapped_area", h->ops->unmapped_area(h->tree, &info),
                 h->ref_ops->unmapped_area(h->ref, &info));
        check_eq(h, "unmapped_area_topdown", h->ops->unmapped_area_topdown(h->tree, &info),
                 h->ref_ops->unmapped_area_topdown(h->ref, &info));
    }
}

/* Walk both trees forwards with next and backwards with prev: same VMAs. */
static void check_walk(struct harness *h)
{
    unsigned int n = 0;
    struct vm_area_struct *a = h->ops->find(h->tree, 0), *b = h->ref_ops->find(h->ref, 0);
    struct vm_area_struct *last = NULL;
    while (a || b) {
        check_eq(h, "walk forwards", a, b);
        last = a;
        a = h->ops->next(h->tree, a);
        b = h->ref_ops->next(h->ref, b);
        n++;
    }
    check_eq(h, "VMAs walked", n, h->nr_live);
    for (a = b = last; a || b;) {
        check_eq(h, "walk backwards", a, b);
        a = h->ops->prev(h->tree, a);
        b = h->ref_ops->prev(h->ref, b);
    }
}

static void run_property(const struct vma_tree_ops *ops, uint64_t seed, unsigned long win_pages,
                         unsigned int steps)
{
    struct harness h;
    harness_init(&h, ops, seed, win_pages, steps);
    for (h.step = 0; h.step < h.steps; h.step++) {
        bool grow = (h.step / h.phase) % 2 == 0;
        unsigned long r = rnd(&h, 100);
        if (r < (grow ? 60u : 10u))
            op_insert(&h);
        else if (r < (grow ? 70u : 60u))
            op_erase(&h);
        else if (r < (grow ? 90u : 70u))
            op_split(&h);
        else
            op_merge(&h);
        check_eq(&h, "validate", h.ops->validate(h.tree), 0);
        check_queries(&h);
        /* The whole contents, less often: it costs O(n log n) (O(n^2) on the model). */
        if (h.step % WALK_EVERY == 0 || h.step + 1 == h.steps) {
            check_eq(&h, "validate the reference", h.ref_ops->validate(h.ref), 0);
            check_walk(&h);
        }
    }
    /* Empty the trees, so that the shrinking paths reach the root. */
    while (h.nr_live) {
        op_erase(&h);
        check_eq(&h, "validate while emptying", h.ops->validate(h.tree), 0);
    }
    check_eq(&h, "empty", h.ops->find(h.tree, 0), NULL);
    harness_exit(&h);
}

static const uint64_t seeds[] = {1, 2, 3, 0x5eed};

static void property(const struct vma_tree_ops *ops)
{
    for (size_t i = 0; i < ARRAY_SIZE(seeds); i++)
        run_property(ops, seeds[i], 4096, 4000);
}

static void test_property_array(void **state)
{
    (void)state;
    property(&vma_array_ops);
}

static void test_property_maple(void **state)
{
    (void)state;
    property(&vma_maple_ops);
}

static void test_property_rbtree(void **state)
{
    (void)state;
    property(&vma_rbtree_ops);
}

/* A wider window: a few thousand VMAs, so the maple tree grows four levels. */
static void test_property_large(void **state)
{
    (void)state;
    run_property(&vma_maple_ops, 7, 32768, 12000);
    run_property(&vma_rbtree_ops, 7, 32768, 12000);
}

/*
 * Gap searches with every pair of limits drawn from the VMAs' edges, a page
 * either side, where off-by-one pruning mistakes show: the random tests
 * reach those pairs only now and then.
 */
static void sweep_limits(const struct vma_tree_ops *ops)
{
    struct harness h;
    harness_init(&h, ops, 11, 128, 1);
    for (unsigned long a = WIN_START + P(1);;) {
        unsigned long len = P(1 + rnd(&h, 3));
        if (a + len > WIN_START + P(126))
            break;
        struct vm_area_struct *v = take_vma(&h, a, a + len);
        check_eq(&h, "insert", both_insert(&h, v), 0);
        mark_live(&h, v);
        a += len + P(rnd(&h, 4)); /* touching, or one to three pages apart */
    }
    unsigned long *limit = calloc(6 * h.nr_live, sizeof(*limit)), n = 0;
    assert_non_null(limit);
    for (unsigned int i = 0; i < h.nr_live; i++)
        for (int d = -1; d <= 1; d++) {
            limit[n++] = h.pool[h.live[i]].vm_start + P(d);
            limit[n++] = h.pool[h.live[i]].vm_end + P(d);
        }
    for (unsigned long lo = 0; lo < n; lo++)
        for (unsigned long hi = 0; hi < n; hi++) {
            if (limit[lo] >= limit[hi])
                continue;
            for (unsigned long pages = 1; pages <= 3; pages++)
                for (unsigned long mask = 0; mask <= P(1); mask += P(1)) {
                    struct vm_unmapped_area_info info = {P(pages), limit[lo], limit[hi], mask, 0};
                    check_eq(&h, "swept unmapped_area", ops->unmapped_area(h.tree, &info),
                             h.ref_ops->unmapped_area(h.ref, &info));
                    check_eq(&h, "swept unmapped_area_topdown",
                             ops->unmapped_area_topdown(h.tree, &info),
                             h.ref_ops->unmapped_area_topdown(h.ref, &info));
                }
        }
    free(limit);
    harness_exit(&h);
}

static void test_gap_search_limits_sweep(void **state)
{
    (void)state;
    for (size_t i = 0; i < NR_TREES; i++)
        sweep_limits(all_trees[i]);
}

/* --- targeted tests ------------------------------------------------------- */

static struct vm_area_struct mkvma(unsigned long start, unsigned long end)
{
    return (struct vm_area_struct){.vm_start = start, .vm_end = end};
}

static unsigned long area(const struct vma_tree_ops *ops, struct vma_tree *t, bool topdown,
                          unsigned long length, unsigned long low, unsigned long high,
                          unsigned long mask, unsigned long offset)
{
    struct vm_unmapped_area_info info = {length, low, high, mask, offset};
    return topdown ? ops->unmapped_area_topdown(t, &info) : ops->unmapped_area(t, &info);
}

static void test_registry(void **state)
{
    (void)state;
    for (size_t i = 0; i < NR_TREES; i++)
        assert_ptr_equal(vma_tree_ops_by_name(all_trees[i]->name), all_trees[i]);
    assert_string_equal(vma_maple_ops.name, "maple");
    assert_string_equal(vma_rbtree_ops.name, "rbtree");
    assert_null(vma_tree_ops_by_name("splay"));
}

static void test_empty(void **state)
{
    (void)state;
    for (size_t i = 0; i < NR_TREES; i++) {
        const struct vma_tree_ops *ops = all_trees[i];
        struct vma_tree *t = ops->create();
        assert_non_null(t);
        assert_int_equal(ops->validate(t), 0);
        assert_null(ops->find(t, 0));
        assert_null(ops->find(t, ULONG_MAX));
        assert_null(ops->find_intersection(t, 0, ULONG_MAX));
        struct vm_area_struct stranger = mkvma(P(1), P(2));
        assert_null(ops->next(t, &stranger));
        assert_null(ops->prev(t, &stranger));
        ops->erase(t, &stranger); /* not in the tree: nothing happens */
        assert_int_equal(ops->validate(t), 0);
        assert_int_equal(area(ops, t, false, P(1), P(1), TASK_SIZE, 0, 0), P(1));
        assert_int_equal(area(ops, t, true, P(1), P(1), TASK_SIZE, 0, 0), TASK_SIZE - P(1));
        /* 2 MiB alignment: the first and last aligned pages. */
        unsigned long mask = P(512) - P(1);
        assert_int_equal(area(ops, t, false, P(1), P(1), TASK_SIZE, mask, 0), P(512));
        assert_int_equal(area(ops, t, true, P(1), P(1), TASK_SIZE, mask, 0), 0x7fffffe00000UL);
        assert_int_equal(area(ops, t, true, P(1), P(1), TASK_SIZE, mask, P(3)),
                         0x7fffffe00000UL + P(3));
        /* The whole address space is one gap. */
        assert_int_equal(area(ops, t, false, ULONG_MAX & PAGE_MASK, 0, ULONG_MAX, 0, 0), 0);
        assert_int_equal(area(ops, t, true, ULONG_MAX & PAGE_MASK, 0, ULONG_MAX, 0, 0),
                         ULONG_MAX - (ULONG_MAX & PAGE_MASK));
        /* Limits that leave no room. */
        assert_int_equal(area(ops, t, false, P(1), P(8), P(8), 0, 0), NOMEM);
        assert_int_equal(area(ops, t, true, P(1), P(9), P(8), 0, 0), NOMEM);
        assert_int_equal(area(ops, t, true, P(3), P(6), P(8), 0, 0), NOMEM);
        assert_int_equal(area(ops, t, false, P(2), P(6), P(8), 0, 0), P(6));
        ops->destroy(t);
    }
}

static void test_single(void **state)
{
    (void)state;
    for (size_t i = 0; i < NR_TREES; i++) {
        const struct vma_tree_ops *ops = all_trees[i];
        struct vma_tree *t = ops->create();
        struct vm_area_struct v = mkvma(P(16), P(32));
        assert_int_equal(ops->insert(t, &v), 0);
        assert_int_equal(ops->validate(t), 0);
        assert_ptr_equal(ops->find(t, 0), &v);
        assert_ptr_equal(ops->find(t, P(16)), &v);
        assert_ptr_equal(ops->find(t, P(32) - 1), &v);
        assert_null(ops->find(t, P(32)));
        assert_null(ops->find_intersection(t, 0, P(16)));
        assert_ptr_equal(ops->find_intersection(t, 0, P(16) + 1), &v);
        assert_ptr_equal(ops->find_intersection(t, P(31), P(40)), &v);
        assert_null(ops->find_intersection(t, P(32), P(40)));
        assert_null(ops->next(t, &v));
        assert_null(ops->prev(t, &v));
        /* Gaps [0, 16) and [32, 64) pages. */
        assert_int_equal(area(ops, t, false, P(16), 0, P(64), 0, 0), 0);
        assert_int_equal(area(ops, t, false, P(17), 0, P(64), 0, 0), P(32));
        assert_int_equal(area(ops, t, true, P(16), 0, P(64), 0, 0), P(48));
        assert_int_equal(area(ops, t, true, P(32), 0, P(64), 0, 0), P(32));
        assert_int_equal(area(ops, t, true, P(33), 0, P(64), 0, 0), NOMEM);
        assert_int_equal(area(ops, t, true, P(8), 0, P(40), 0, 0), P(32));
        assert_int_equal(area(ops, t, true, P(9), 0, P(40), 0, 0), P(7));
        assert_int_equal(area(ops, t, false, P(8), P(12), P(64), 0, 0), P(32));
        ops->erase(t, &v);
        assert_int_equal(ops->validate(t), 0);
        assert_null(ops->find(t, 0));
        assert_int_equal(area(ops, t, true, P(64), 0, P(64), 0, 0), 0);
        ops->destroy(t);
    }
}

static void test_overlap_is_eexist(void **state)
{
    (void)state;
    for (size_t i = 0; i < NR_TREES; i++) {
        const struct vma_tree_ops *ops = all_trees[i];
        struct vma_tree *t = ops->create();
        struct vm_area_struct a = mkvma(P(10), P(20)), b = mkvma(P(30), P(40));
        assert_int_equal(ops->insert(t, &a), 0);
        assert_int_equal(ops->insert(t, &b), 0);
        const unsigned long clash[][2] = {
            {P(10), P(20)}, {P(5), P(11)},  {P(19), P(25)}, {P(12), P(15)},
            {P(5), P(45)},  {P(25), P(31)}, {P(39), P(50)}, {P(15), P(35)},
        };
        for (size_t c = 0; c < ARRAY_SIZE(clash); c++) {
            struct vm_area_struct x = mkvma(clash[c][0], clash[c][1]);
            assert_int_equal(ops->insert(t, &x), -EEXIST);
            assert_int_equal(ops->validate(t), 0);
            assert_null(ops->next(t, &x));
        }
        /* Exactly filling the gap, and touching the ends, is fine. */
        struct vm_area_struct fill = mkvma(P(20), P(30)), low = mkvma(P(9), P(10)),
                              high = mkvma(P(40), P(41));
        assert_int_equal(ops->insert(t, &fill), 0);
        assert_int_equal(ops->insert(t, &low), 0);
        assert_int_equal(ops->insert(t, &high), 0);
        assert_int_equal(ops->validate(t), 0);
        assert_ptr_equal(ops->next(t, &a), &fill);
        assert_ptr_equal(ops->next(t, &fill), &b);
        assert_ptr_equal(ops->prev(t, &a), &low);
        assert_ptr_equal(ops->prev(t, &high), &b);
        assert_int_equal(ops->insert(t, &fill), -EEXIST);
        assert_int_equal(area(ops, t, false, P(1), P(9), P(41), 0, 0), NOMEM);
        ops->destroy(t);
    }
}

/* The balanced trees refuse an empty range: it would have no slot or key of its own. */
static void test_empty_range_is_einval(void **state)
{
    (void)state;
    const struct vma_tree_ops *const ops_list[] = {&vma_maple_ops, &vma_rbtree_ops};
    for (size_t i = 0; i < 2; i++) {
        const struct vma_tree_ops *ops = ops_list[i];
        struct vma_tree *t = ops->create();
        struct vm_area_struct empty = mkvma(P(4), P(4)), upside = mkvma(P(5), P(4));
        assert_int_equal(ops->insert(t, &empty), -EINVAL);
        assert_int_equal(ops->insert(t, &upside), -EINVAL);
        assert_int_equal(ops->validate(t), 0);
        assert_null(ops->find(t, 0));
        ops->destroy(t);
    }
}

/* VMAs at the very bottom and the very top of the index space. */
static void test_limits(void **state)
{
    (void)state;
    const unsigned long top_end = ULONG_MAX & PAGE_MASK; /* the highest page-aligned end */
    for (size_t i = 0; i < NR_TREES; i++) {
        const struct vma_tree_ops *ops = all_trees[i];
        struct vma_tree *t = ops->create();
        struct vm_area_struct bottom = mkvma(0, P(1)), top = mkvma(top_end - P(1), top_end);
        assert_int_equal(ops->insert(t, &bottom), 0);
        assert_int_equal(ops->insert(t, &top), 0);
        assert_int_equal(ops->validate(t), 0);
        assert_ptr_equal(ops->find(t, 0), &bottom);
        assert_ptr_equal(ops->find(t, P(1)), &top);
        assert_ptr_equal(ops->find(t, top_end - 1), &top);
        assert_null(ops->find(t, top_end));
        assert_null(ops->find(t, ULONG_MAX));
        assert_ptr_equal(ops->next(t, &bottom), &top);
        assert_ptr_equal(ops->prev(t, &top), &bottom);
        /* One gap between them; above top there are fewer than a page of bytes. */
        assert_int_equal(area(ops, t, false, P(1), 0, ULONG_MAX, 0, 0), P(1));
        assert_int_equal(area(ops, t, true, P(1), 0, ULONG_MAX, 0, 0), top_end - P(2));
        assert_int_equal(area(ops, t, true, P(1), top_end, ULONG_MAX, 0, 0), NOMEM);
        assert_int_equal(area(ops, t, false, top_end - P(2), 0, ULONG_MAX, 0, 0), P(1));
        assert_int_equal(area(ops, t, false, top_end - P(1), 0, ULONG_MAX, 0, 0), NOMEM);
        assert_int_equal(area(ops, t, false, P(1), 0, 0, 0, 0), NOMEM);
        assert_int_equal(area(ops, t, true, P(1), ULONG_MAX, ULONG_MAX, 0, 0), NOMEM);
        /* Limits inside the gap clip it. */
        assert_int_equal(area(ops, t, false, P(4), P(100), P(104), 0, 0), P(100));
        assert_int_equal(area(ops, t, true, P(4), P(100), P(104), 0, 0), P(100));
        assert_int_equal(area(ops, t, true, P(5), P(100), P(104), 0, 0), NOMEM);
        /* Alignment inside a clipped gap, near the top and near the bottom. */
        unsigned long mask = P(4) - P(1);
        assert_int_equal(area(ops, t, false, P(1), top_end - P(3), top_end - P(1), mask, P(1)),
                         top_end - P(2));
        assert_int_equal(area(ops, t, true, P(2), top_end - P(5), top_end - P(1), mask, P(3)),
                         top_end - P(4));
        assert_int_equal(area(ops, t, true, P(2), top_end - P(3), top_end - P(1), mask, P(3)),
                         NOMEM);
        assert_int_equal(area(ops, t, true, P(1), P(1), P(8), mask, P(2)), P(6));
        assert_int_equal(area(ops, t, false, P(1), P(1), P(8), mask, P(2)), P(2));
        ops->erase(t, &top);
        ops->erase(t, &bottom);
        assert_int_equal(ops->validate(t), 0);
        assert_null(ops->find(t, 0));
        ops->destroy(t);
    }
}

/* Many VMAs in order, adjacent or one page apart, then erased from both ends. */
static void test_sequential(void **state)
{
    (void)state;
    enum { N = 3000 };
    struct vm_area_struct *v = calloc(N, sizeof(*v));
    assert_non_null(v);
    for (unsigned long spacing = 1; spacing <= 2; spacing++) {
        for (size_t i = 0; i < NR_TREES; i++) {
            const struct vma_tree_ops *ops = all_trees[i];
            struct vma_tree *t = ops->create();
            for (unsigned long k = 0; k < N; k++) {
                v[k] = mkvma(P(0x100 + k * spacing), P(0x100 + k * spacing + 1));
                assert_int_equal(ops->insert(t, &v[k]), 0);
            }
            assert_int_equal(ops->validate(t), 0);
            for (unsigned long k = 0; k < N; k++) {
                assert_ptr_equal(ops->find(t, v[k].vm_start), &v[k]);
                assert_ptr_equal(ops->next(t, &v[k]), k + 1 < N ? &v[k + 1] : NULL);
                assert_ptr_equal(ops->prev(t, &v[k]), k ? &v[k - 1] : NULL);
            }
            /* Only the ends have room for two pages. */
            unsigned long end = P(0x100 + (N - 1) * spacing + 1);
            assert_int_equal(area(ops, t, true, P(2), P(1), end + P(2), 0, 0), end);
            assert_int_equal(area(ops, t, false, P(2), P(0x100), end + P(2), 0, 0), end);
            assert_int_equal(area(ops, t, true, P(2), P(0xfe), end, 0, 0), P(0xfe));
            for (unsigned long k = 0; k < N / 2; k++) {
                ops->erase(t, &v[k]);
                ops->erase(t, &v[N - 1 - k]);
                assert_int_equal(ops->validate(t), 0);
            }
            assert_null(ops->find(t, 0));
            ops->destroy(t);
        }
    }
    free(v);
}

/* Take every free frame; the pages go back with give_back_pages. */
static struct page **hog_pages(unsigned long *nr)
{
    struct page **pages = calloc(max_pfn, sizeof(*pages));
    assert_non_null(pages);
    *nr = 0;
    while ((pages[*nr] = alloc_page(GFP_KERNEL)) != NULL)
        (*nr)++;
    return pages;
}

static void give_back_pages(struct page **pages, unsigned long nr)
{
    while (nr)
        __free_page(pages[--nr]);
    free(pages);
}

/* Out of memory in the middle of inserts: -ENOMEM, and the tree as it was. */
static void test_maple_insert_enomem(void **state)
{
    (void)state;
    enum { N = 20000 };
    const struct vma_tree_ops *ops = &vma_maple_ops;
    struct vma_tree *t = ops->create();
    struct vm_area_struct *v = calloc(N, sizeof(*v));
    assert_non_null(t);
    assert_non_null(v);
    unsigned long nr_pages, k;
    struct page **pages = hog_pages(&nr_pages);
    int err = 0;
    for (k = 0; k < N; k++) {
        v[k] = mkvma(P(0x100 + 2 * k), P(0x101 + 2 * k));
        err = ops->insert(t, &v[k]);
        if (err)
            break;
    }
    /* Slabs had a few nodes left, then the next split found no memory. */
    assert_int_equal(err, -ENOMEM);
    assert_true(k > 0);
    assert_int_equal(ops->validate(t), 0);
    assert_null(ops->find_intersection(t, v[k].vm_start, v[k].vm_end));
    struct vm_area_struct *w = ops->find(t, 0);
    for (unsigned long j = 0; j < k; j++, w = ops->next(t, w))
        assert_ptr_equal(w, &v[j]);
    assert_null(w);
    assert_int_equal(area(ops, t, true, P(2), 0, v[k].vm_end, 0, 0), v[k - 1].vm_end);

    /* Erasing needs no memory, even now. */
    for (unsigned long j = 0; j < k; j += 3)
        ops->erase(t, &v[j]);
    assert_int_equal(ops->validate(t), 0);

    give_back_pages(pages, nr_pages);
    assert_int_equal(ops->insert(t, &v[k]), 0);
    assert_int_equal(ops->validate(t), 0);
    assert_ptr_equal(ops->find(t, v[k].vm_start), &v[k]);
    ops->destroy(t);
    free(v);
}

/* create() says NULL when there is no memory for the tree. */
static void test_create_enomem(void **state)
{
    (void)state;
    enum { MAX_TREES = 100000 };
    struct vma_tree **trees = calloc(MAX_TREES, sizeof(*trees));
    assert_non_null(trees);
    const struct vma_tree_ops *const ops_list[] = {&vma_maple_ops, &vma_rbtree_ops};
    for (size_t i = 0; i < 2; i++) {
        const struct vma_tree_ops *ops = ops_list[i];
        unsigned long nr_pages, n = 0;
        struct page **pages = hog_pages(&nr_pages);
        while (n < MAX_TREES && (trees[n] = ops->create()) != NULL)
            n++;
        assert_true(n < MAX_TREES);
        give_back_pages(pages, nr_pages);
        while (n)
            ops->destroy(trees[--n]);
        /* All memory back: a tree can be made and used again. */
        struct vma_tree *t = ops->create();
        struct vm_area_struct v = mkvma(P(1), P(2));
        assert_non_null(t);
        assert_int_equal(ops->insert(t, &v), 0);
        assert_int_equal(ops->validate(t), 0);
        ops->destroy(t);
    }
    free(trees);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_registry, setup, teardown),
        cmocka_unit_test_setup_teardown(test_empty, setup, teardown),
        cmocka_unit_test_setup_teardown(test_single, setup, teardown),
        cmocka_unit_test_setup_teardown(test_overlap_is_eexist, setup, teardown),
        cmocka_unit_test_setup_teardown(test_empty_range_is_einval, setup, teardown),
        cmocka_unit_test_setup_teardown(test_limits, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sequential, setup, teardown),
        cmocka_unit_test_setup_teardown(test_property_array, setup, teardown),
        cmocka_unit_test_setup_teardown(test_property_maple, setup, teardown),
        cmocka_unit_test_setup_teardown(test_property_rbtree, setup, teardown),
        cmocka_unit_test_setup_teardown(test_property_large, setup, teardown),
        cmocka_unit_test_setup_teardown(test_gap_search_limits_sweep, setup, teardown),
        cmocka_unit_test_setup_teardown(test_maple_insert_enomem, setup, teardown),
        cmocka_unit_test_setup_teardown(test_create_enomem, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
