/*
 * kmalloc: every size-class boundary with ksize, large allocations from the
 * buddy allocator, kzalloc, krealloc, kfree edge cases, and that teardown
 * returns every page.
 */
#include "tests/unit/support/support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mm/array_size.h"
#include "mm/mmzone.h"
#include "mm/page.h"
#include "mm/slab.h"

#define MIB (1UL << 20)

static void fill(unsigned char *p, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (unsigned char)(i * 31 + seed);
}

static void check(const unsigned char *p, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++)
        assert_int_equal(p[i], (unsigned char)(i * 31 + seed));
}

/* Each request, the usable size it gets, and where it comes from. */
static const struct {
    size_t size, ksize;
    const char *cache; /* NULL: straight from the buddy allocator */
} classes[] = {
    {1, 8, "kmalloc-8"},        {8, 8, "kmalloc-8"},        {9, 16, "kmalloc-16"},
    {16, 16, "kmalloc-16"},     {17, 32, "kmalloc-32"},     {32, 32, "kmalloc-32"},
    {33, 64, "kmalloc-64"},     {64, 64, "kmalloc-64"},     {65, 96, "kmalloc-96"},
    {96, 96, "kmalloc-96"},     {97, 128, "kmalloc-128"},   {128, 128, "kmalloc-128"},
    {129, 192, "kmalloc-192"},  {192, 192, "kmalloc-192"},  {193, 256, "kmalloc-256"},
    {256, 256, "kmalloc-256"},  {257, 512, "kmalloc-512"},  {512, 512, "kmalloc-512"},
    {513, 1024, "kmalloc-1k"},  {1024, 1024, "kmalloc-1k"}, {1025, 2048, "kmalloc-2k"},
    {2048, 2048, "kmalloc-2k"}, {2049, 4096, "kmalloc-4k"}, {4096, 4096, "kmalloc-4k"},
    {4097, 8192, "kmalloc-8k"}, {8080, 8192, "kmalloc-8k"}, {8192, 8192, "kmalloc-8k"},
    {8193, 16384, NULL}, /* page-order rounded, as Linux's kmalloc_large */
    {12288, 16384, NULL},       {16385, 32768, NULL},       {1 * MIB + 1, 2 * MIB, NULL},
    {4 * MIB, 4 * MIB, NULL},
};

static void test_size_classes(void **state)
{
    (void)state;
    for (size_t c = 0; c < ARRAY_SIZE(classes); c++) {
        unsigned char *p = kmalloc(classes[c].size, GFP_KERNEL);
        assert_non_null(p);
        assert_int_equal(ksize(p), classes[c].ksize);
        struct kmem_cache *s = virt_to_cache(p);
        if (classes[c].cache) {
            assert_non_null(s);
            assert_string_equal(kmem_cache_name(s), classes[c].cache);
        } else {
            assert_null(s);
            assert_int_equal((uintptr_t)p % PAGE_SIZE, 0);
        }
        fill(p, ksize(p), (unsigned)c); /* the whole usable size is ours */
        check(p, ksize(p), (unsigned)c);
        kfree(p);
    }
    assert_null(kmalloc(4 * MIB + 1, GFP_KERNEL));
    assert_null(kzalloc(64 * MIB, GFP_KERNEL));
}

/* Sizes in one class share its slabs; sizes across a boundary do not. */
static void test_neighbours_share_slabs(void **state)
{
    (void)state;
    void *a = kmalloc(65, GFP_KERNEL), *b = kmalloc(96, GFP_KERNEL);
    void *c = kmalloc(97, GFP_KERNEL);
    assert_ptr_equal(virt_to_cache(a), virt_to_cache(b));
    assert_ptr_not_equal(virt_to_cache(b), virt_to_cache(c));
    assert_int_equal((char *)b - (char *)a, 96); /* adjacent slots of one slab */
    kfree(a);
    kfree(b);
    kfree(c);
}

static void test_zero_and_null(void **state)
{
    (void)state;
    void *z = kmalloc(0, GFP_KERNEL);
    assert_ptr_equal(z, ZERO_SIZE_PTR);
    assert_int_equal(ksize(z), 0);
    kfree(z);
    kfree(NULL);
    assert_int_equal(ksize(NULL), 0);
}

/* Large kmallocs are buddy blocks, counted as unreclaimable slab. */
static void test_large_accounting(void **state)
{
    (void)state;
    unsigned long free0 = nr_free_pages(), slab0 = slab_unreclaimable_pages();
    void *p = kmalloc(8193, GFP_KERNEL);
    assert_int_equal(nr_free_pages(), free0 - 4);
    assert_int_equal(slab_unreclaimable_pages(), slab0 + 4);
    assert_int_equal(kmalloc_large_pages(), 4);
    void *q = kmalloc(4 * MIB, GFP_KERNEL);
    assert_int_equal(nr_free_pages(), free0 - 4 - 1024);
    kfree(p);
    kfree(q);
    assert_int_equal(nr_free_pages(), free0);
    assert_int_equal(slab_unreclaimable_pages(), slab0);
}

static void test_kzalloc(void **state)
{
    (void)state;
    size_t sizes[] = {40, 3000, 20000};
    for (size_t i = 0; i < 3; i++) {
        unsigned char *p = kmalloc(sizes[i], GFP_KERNEL);
        memset(p, 0xEE, sizes[i]);
        kfree(p);
        unsigned char *q = kzalloc(sizes[i], GFP_KERNEL);
        assert_ptr_equal(q, p); /* the dirty memory came back... */
        for (size_t b = 0; b < sizes[i]; b++)
            assert_int_equal(q[b], 0); /* ...zeroed */
        kfree(q);
    }
}

static void test_krealloc(void **state)
{
    (void)state;
    unsigned char *p = kmalloc(10, GFP_KERNEL);
    fill(p, 10, 7);
    /* Within the slot: same pointer. */
    assert_ptr_equal(krealloc(p, 8, GFP_KERNEL), p);
    assert_ptr_equal(krealloc(p, 16, GFP_KERNEL), p);
    check(p, 10, 7);

    size_t steps[] = {100, 5000, 9000, 3 * MIB};
    size_t have = 10;
    for (size_t i = 0; i < 4; i++) {
        unsigned char *n = krealloc(p, steps[i], GFP_KERNEL);
        assert_non_null(n);
        assert_true(ksize(n) >= steps[i]);
        check(n, have, 7); /* the old contents moved with it */
        fill(n, steps[i], 7);
        have = steps[i];
        p = n;
    }
    /* Too big: NULL, and the old block is intact. */
    assert_null(krealloc(p, 4 * MIB + 1, GFP_KERNEL));
    check(p, have, 7);
    /* Shrinking a large block keeps it in place. */
    assert_ptr_equal(krealloc(p, 100, GFP_KERNEL), p);
    assert_ptr_equal(krealloc(p, 0, GFP_KERNEL), ZERO_SIZE_PTR); /* frees */

    unsigned char *fresh = krealloc(NULL, 50, GFP_KERNEL);
    assert_int_equal(ksize(fresh), 64);
    unsigned char *grown = krealloc(fresh, 200, GFP_KERNEL | __GFP_ZERO);
    for (size_t b = 64; b < 200; b++)
        assert_int_equal(grown[b], 0);
    kfree(grown);
}

/* Pointers kmalloc never gave out are reported, not freed. */
static void test_kfree_foreign(void **state)
{
    (void)state;
    struct page *page = alloc_page(GFP_KERNEL);
    unsigned long free0 = nr_free_pages();
    kfree(page_address(page));
    assert_int_equal(nr_free_pages(), free0);
    assert_int_equal(ksize(page_address(page)), 0);
    int local;
    kfree(&local);
    assert_null(krealloc(&local, 100, GFP_KERNEL));
    __free_page(page);
}

/* Allocate until the allocator says no; free; nothing lost. */
static void test_exhaustion(void **state)
{
    (void)state;
    unsigned long free0 = nr_free_pages();
    size_t cap = 100000, n = 0;
    void **ptrs = calloc(cap, sizeof(*ptrs));
    void *p;
    while ((p = kmalloc(4 * MIB, GFP_KERNEL)) != NULL)
        ptrs[n++] = p;
    size_t big = n;
    assert_true(big >= 10); /* 64 MiB of RAM held a good number */
    while (n < cap && (p = kmalloc(2000, GFP_KERNEL)) != NULL)
        ptrs[n++] = p;
    assert_true(n < cap);
    assert_null(kmalloc(2000, GFP_KERNEL));
    for (size_t i = 0; i < n; i++)
        kfree(ptrs[i]);
    free(ptrs);
    /* kmalloc-2k keeps one empty slab in reserve; shrinking returns it. */
    void *probe = kmalloc(2000, GFP_KERNEL);
    struct kmem_cache *k2 = virt_to_cache(probe);
    kfree(probe);
    assert_true(kmem_cache_shrink(k2) > 0);
    assert_int_equal(nr_free_pages(), free0);
}

/* Large blocks never freed are reclaimed by kmem_cache_exit. */
static void test_exit_reclaims_large(void **state)
{
    (void)state;
    assert_non_null(kmalloc(100000, GFP_KERNEL));
    assert_non_null(kmalloc(300, GFP_KERNEL));
    /* teardown checks every page came back */
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, test_alloc_setup, test_alloc_teardown)
    const struct CMUnitTest tests[] = {
        T(test_size_classes),
        T(test_neighbours_share_slabs),
        T(test_zero_and_null),
        T(test_large_accounting),
        T(test_kzalloc),
        T(test_krealloc),
        T(test_kfree_foreign),
        T(test_exhaustion),
        T(test_exit_reclaims_large),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
