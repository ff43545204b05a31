/*
 * vmalloc: virtually contiguous areas over scattered frames, aliasing the
 * direct map; guard pages; vfree returning every frame; vzalloc; failure
 * paths; and that teardown returns every page.
 */
#include "tests/unit/support/support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mm/mmzone.h"
#include "mm/page.h"
#include "mm/slab.h"

#define MIB (1UL << 20)

/* Whether the host lets us read addr, asked without taking a fault. */
static bool host_readable(const void *addr)
{
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    bool ok = write(fds[1], addr, 1) == 1;
    close(fds[0]);
    close(fds[1]);
    return ok;
}

static unsigned char pattern(size_t i)
{
    return (unsigned char)((i * 7) ^ (i >> 12));
}

/* The window's bytes are exactly the bytes of each underlying frame. */
static void check_against_frames(const unsigned char *p, unsigned long nr)
{
    for (unsigned long i = 0; i < nr; i++) {
        struct page *f = vmalloc_to_page(p + i * PAGE_SIZE + 123);
        assert_non_null(f);
        const unsigned char *direct = page_address(f);
        for (size_t b = 0; b < PAGE_SIZE; b++)
            assert_int_equal(direct[b], pattern(i * PAGE_SIZE + b));
    }
}

static void test_contiguous_view(void **state)
{
    (void)state;
    const unsigned long nr = 37;
    unsigned char *p = vmalloc(nr * PAGE_SIZE);
    assert_non_null(p);
    assert_int_equal(vmalloc_used_pages(), nr);
    for (size_t i = 0; i < nr * PAGE_SIZE; i++) /* straight across page boundaries */
        p[i] = pattern(i);
    check_against_frames(p, nr);

    /* And the other way: a store through the direct map shows in the window. */
    struct page *f = vmalloc_to_page(p + 5 * PAGE_SIZE);
    ((unsigned char *)page_address(f))[77] = 0x42;
    assert_int_equal(p[5 * PAGE_SIZE + 77], 0x42);

    /* Every frame is a different one, and none is a slab or reserved frame. */
    for (unsigned long i = 0; i < nr; i++) {
        struct page *a = vmalloc_to_page(p + i * PAGE_SIZE);
        assert_int_equal(a->refcount, 1);
        assert_false(PageFlag(a, PG_slab));
        for (unsigned long j = 0; j < i; j++)
            assert_ptr_not_equal(a, vmalloc_to_page(p + j * PAGE_SIZE));
    }
    /* The guard page after the area is mapped to nothing. */
    assert_null(vmalloc_to_page(p + nr * PAGE_SIZE));
    assert_false(host_readable(p + nr * PAGE_SIZE));
    assert_null(vmalloc_to_page(p - 1));
    vfree(p);
    assert_int_equal(vmalloc_used_pages(), 0);
}

/* After fragmenting memory the frames are scattered; the view is not. */
static void test_scattered_frames(void **state)
{
    (void)state;
    enum { N = 400 };
    struct page *held[N];
    for (int i = 0; i < N; i++)
        held[i] = alloc_page(GFP_KERNEL);
    for (int i = 0; i < N; i += 2) /* holes between pages still held */
        __free_page(held[i]);

    const unsigned long nr = 64;
    unsigned char *p = vmalloc(nr * PAGE_SIZE);
    assert_non_null(p);
    unsigned long adjacent = 0;
    for (unsigned long i = 1; i < nr; i++) {
        unsigned long a = page_to_pfn(vmalloc_to_page(p + (i - 1) * PAGE_SIZE));
        unsigned long b = page_to_pfn(vmalloc_to_page(p + i * PAGE_SIZE));
        if (b == a + 1)
            adjacent++;
    }
    assert_int_equal(adjacent, 0); /* not one pair physically contiguous */
    for (size_t i = 0; i < nr * PAGE_SIZE; i++)
        p[i] = pattern(i);
    check_against_frames(p, nr);
    vfree(p);
    for (int i = 1; i < N; i += 2)
        __free_page(held[i]);
}

static void test_vfree_returns_frames(void **state)
{
    (void)state;
    const unsigned long nr = 50;
    vfree(vmalloc(nr * PAGE_SIZE)); /* warm the kmalloc caches for the metadata */
    unsigned long before = nr_free_pages();
    unsigned char *p = vmalloc(nr * PAGE_SIZE);
    assert_int_equal(nr_free_pages(), before - nr);
    struct page *frames[50];
    for (unsigned long i = 0; i < nr; i++)
        frames[i] = vmalloc_to_page(p + i * PAGE_SIZE);
    vfree(p);
    assert_int_equal(nr_free_pages(), before);
    for (unsigned long i = 0; i < nr; i++)
        assert_int_equal(frames[i]->refcount, 0);
    /* The range went back to reserved, inaccessible address space. */
    assert_false(host_readable(p));
    assert_null(vmalloc_to_page(p));
}

static void test_vzalloc(void **state)
{
    (void)state;
    const unsigned long nr = 8;
    unsigned char *p = vmalloc(nr * PAGE_SIZE);
    memset(p, 0xAB, nr * PAGE_SIZE);
    struct page *first = vmalloc_to_page(p);
    vfree(p);
    unsigned char *z = vzalloc(nr * PAGE_SIZE);
    bool reused = false;
    for (unsigned long i = 0; i < nr; i++)
        reused |= vmalloc_to_page(z + i * PAGE_SIZE) == first;
    assert_true(reused); /* dirty frames came back... */
    for (size_t i = 0; i < nr * PAGE_SIZE; i++)
        assert_int_equal(z[i], 0); /* ...zeroed */
    vfree(z);
}

/* First fit with a guard page between neighbours; freed ranges are reused. */
static void test_layout_and_reuse(void **state)
{
    (void)state;
    unsigned char *a = vmalloc(3 * PAGE_SIZE);
    unsigned char *b = vmalloc(2 * PAGE_SIZE);
    assert_ptr_equal(b, a + 4 * PAGE_SIZE);
    vfree(a);
    unsigned char *c = vmalloc(2 * PAGE_SIZE + 1); /* rounds up to 3 pages: fits the hole */
    assert_ptr_equal(c, a);
    unsigned char *d = vmalloc(PAGE_SIZE);
    assert_ptr_equal(d, b + 3 * PAGE_SIZE);
    vfree(b);
    vfree(c);
    vfree(d);
}

static void test_bad_requests(void **state)
{
    (void)state;
    vfree(vmalloc(PAGE_SIZE)); /* warm the kmalloc caches for the metadata */
    kmem_cache_shrink_all();   /* no empty slab: reclaim, when a request runs short, has none */
    unsigned long before = nr_free_pages();
    assert_null(vmalloc(0));
    assert_null(vmalloc(64 * MIB + 1));
    /* More than is free: fails, and the frames it took go back. */
    unsigned char *big = vmalloc(40 * MIB);
    assert_non_null(big);
    kmem_cache_shrink_all();
    unsigned long during = nr_free_pages();
    assert_null(vmalloc(40 * MIB));
    assert_int_equal(nr_free_pages(), during);
    assert_int_equal(vmalloc_used_pages(), 40 * MIB / PAGE_SIZE);

    /* Frees of what is not an area start are reported and ignored. */
    vfree(NULL);
    vfree(big + PAGE_SIZE);
    int local;
    vfree(&local);
    assert_int_equal(vmalloc_used_pages(), 40 * MIB / PAGE_SIZE);
    assert_true(host_readable(big + PAGE_SIZE));
    vfree(big);
    kmem_cache_shrink_all();
    assert_int_equal(nr_free_pages(), before);
}

/* An area never freed is reclaimed by kmem_cache_exit. */
static void test_exit_reclaims_areas(void **state)
{
    (void)state;
    unsigned char *p = vmalloc(10 * PAGE_SIZE);
    assert_non_null(p);
    p[0] = 1;
    /* teardown checks every page came back */
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, test_alloc_setup, test_alloc_teardown)
    const struct CMUnitTest tests[] = {
        T(test_contiguous_view),      T(test_scattered_frames),
        T(test_vfree_returns_frames), T(test_vzalloc),
        T(test_layout_and_reuse),     T(test_bad_requests),
        T(test_exit_reclaims_areas),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
