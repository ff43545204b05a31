/*
 * bench_vma_tree: the VMA trees side by side at 10, 1,000 and 100,000 VMAs.
 *
 * The address space is one-page VMAs with one-page holes between them, and
 * a 16-page hole below the lowest: a two-page request fits nowhere but at
 * the far end, so a gap search that walks the gaps one by one (the array)
 * pays for every VMA, while one that skips subtrees by their largest gap
 * (maple, rbtree) pays for the height of the tree.
 *
 *   insert   building the tree in random order, per insert
 *   find     find() at random addresses in the mapped range
 *   gap-down unmapped_area_topdown() of two pages: the fit is the lowest hole
 *   gap-up   unmapped_area() of two pages: the fit is above the highest VMA
 *
 * Each figure is the median of ROUNDS measurements of at least MIN_NS each.
 *
 * Run: cmake -B build-bench -DCMAKE_BUILD_TYPE=Release && cmake --build
 * build-bench --target bench_vma_tree && build-bench/tests/bench_vma_tree
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "mm/array_size.h"
#include "mm/slab.h"
#include "mm/vma_tree.h"

#define P(n) ((unsigned long)(n) << PAGE_SHIFT)
#define BASE 0x10000000UL
#define BIG_HOLE 16 /* pages below the lowest VMA */
#define MIN_NS 50e6 /* time each measurement for at least this long */
#define ROUNDS 5    /* and report the median of this many, against noise */
#define NR_ADDRS 4096

static const struct vma_tree_ops *const trees[] = {&vma_array_ops, &vma_maple_ops, &vma_rbtree_ops};
static const unsigned long sizes[] = {10, 1000, 100000};

static uint64_t rng = 42;

static uint64_t rnd64(void)
{
    uint64_t z = (rng += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static void die(const char *what, const char *tree, unsigned long n)
{
    fprintf(stderr, "bench_vma_tree: %s (%s, %lu VMAs)\n", what, tree, n);
    exit(1);
}

/* VMA i is page BIG_HOLE + 2i above BASE, in an order shuffled once per size. */
struct layout {
    unsigned long n;
    struct vm_area_struct *vma;
    unsigned long *order;
    unsigned long end; /* the end of the highest VMA */
};

static void layout_init(struct layout *l, unsigned long n)
{
    l->n = n;
    l->vma = calloc(n, sizeof(*l->vma));
    l->order = calloc(n, sizeof(*l->order));
    if (!l->vma || !l->order)
        die("out of host memory", "-", n);
    for (unsigned long i = 0; i < n; i++) {
        l->vma[i].vm_start = BASE + P(BIG_HOLE + 2 * i);
        l->vma[i].vm_end = l->vma[i].vm_start + P(1);
        l->order[i] = i;
    }
    for (unsigned long i = n; i > 1; i--) {
        unsigned long j = rnd64() % i, t = l->order[i - 1];
        l->order[i - 1] = l->order[j];
        l->order[j] = t;
    }
    l->end = l->vma[n - 1].vm_end;
}

static void layout_exit(struct layout *l)
{
    free(l->vma);
    free(l->order);
}

/* Build the tree from scratch until MIN_NS of inserting has passed; ns per insert. */
static double bench_insert(const struct vma_tree_ops *ops, struct layout *l)
{
    double spent = 0;
    unsigned long inserts = 0;
    while (spent < MIN_NS) {
        struct vma_tree *t = ops->create();
        if (!t)
            die("create failed", ops->name, l->n);
        double t0 = now_ns();
        for (unsigned long i = 0; i < l->n; i++)
            if (ops->insert(t, &l->vma[l->order[i]]) != 0)
                die("insert failed", ops->name, l->n);
        spent += now_ns() - t0;
        inserts += l->n;
        ops->destroy(t);
    }
    return spent / (double)inserts;
}

static double bench_find(const struct vma_tree_ops *ops, struct vma_tree *t, struct layout *l)
{
    static unsigned long addr[NR_ADDRS];
    for (int i = 0; i < NR_ADDRS; i++)
        addr[i] = BASE + P(BIG_HOLE) + rnd64() % (l->end - BASE - P(BIG_HOLE));
    unsigned long calls = 0, sum = 0;
    double t0 = now_ns(), spent;
    do {
        for (int i = 0; i < NR_ADDRS; i++) {
            struct vm_area_struct *v = ops->find(t, addr[i]);
            sum += v ? v->vm_start : 0;
        }
        calls += NR_ADDRS;
    } while ((spent = now_ns() - t0) < MIN_NS);
    if (sum == 0)
        die("find found nothing", ops->name, l->n);
    return spent / (double)calls;
}

static double bench_gap(const struct vma_tree_ops *ops, struct vma_tree *t, struct layout *l,
                        bool topdown)
{
    /* Top-down: only the lowest hole fits. Bottom-up: the lowest hole is
     * below low_limit, so only the space above the highest VMA fits. */
    struct vm_unmapped_area_info info = {.length = P(2)};
    info.low_limit = topdown ? BASE : BASE + P(BIG_HOLE);
    info.high_limit = topdown ? l->end : l->end + P(BIG_HOLE);
    unsigned long expect = topdown ? BASE + P(BIG_HOLE - 2) : l->end;
    unsigned long calls = 0;
    double t0 = now_ns(), spent;
    do {
        for (int i = 0; i < 16; i++) {
            unsigned long a =
                topdown ? ops->unmapped_area_topdown(t, &info) : ops->unmapped_area(t, &info);
            if (a != expect)
                die("gap search found the wrong place", ops->name, l->n);
        }
        calls += 16;
    } while ((spent = now_ns() - t0) < MIN_NS);
    return spent / (double)calls;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v)
{
    qsort(v, ROUNDS, sizeof(*v), cmp_double);
    return v[ROUNDS / 2];
}

static struct vma_tree *build(const struct vma_tree_ops *ops, struct layout *l)
{
    struct vma_tree *t = ops->create();
    if (!t)
        die("create failed", ops->name, l->n);
    for (unsigned long k = 0; k < l->n; k++)
        if (ops->insert(t, &l->vma[l->order[k]]) != 0)
            die("insert failed", ops->name, l->n);
    if (ops->validate(t) != 0)
        die("tree invalid", ops->name, l->n);
    return t;
}

static void bench_tree(const struct vma_tree_ops *ops, struct layout *l)
{
    double insert[ROUNDS], find[ROUNDS], down[ROUNDS], up[ROUNDS];
    struct vma_tree *t = build(ops, l);
    for (int r = 0; r < ROUNDS; r++) {
        insert[r] = bench_insert(ops, l);
        find[r] = bench_find(ops, t, l);
        down[r] = bench_gap(ops, t, l, true);
        up[r] = bench_gap(ops, t, l, false);
    }
    printf("%-7s %7lu %11.1f %11.1f %11.1f %11.1f\n", ops->name, l->n, median(insert), median(find),
           median(down), median(up));
    fflush(stdout);
    ops->destroy(t);
}

int main(void)
{
    if (phys_init(256 << 20) != 0 || kmem_cache_init() != 0 || maple_tree_init() != 0) {
        fprintf(stderr, "bench_vma_tree: cannot set up memory\n");
        return 1;
    }
    printf("%-7s %7s %11s %11s %11s %11s   (ns per operation, median of %d)\n", "tree", "VMAs",
           "insert", "find", "gap-down", "gap-up", ROUNDS);
    for (size_t s = 0; s < ARRAY_SIZE(sizes); s++) {
        struct layout l;
        layout_init(&l, sizes[s]);
        for (size_t i = 0; i < ARRAY_SIZE(trees); i++)
            bench_tree(trees[i], &l);
        layout_exit(&l);
    }
    maple_tree_exit();
    kmem_cache_exit();
    phys_exit();
    return 0;
}
