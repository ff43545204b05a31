/*
 * Slab caches: geometry, the full/partial/free lists, reuse of freed
 * objects, shrinking back to the buddy allocator, constructors, the cache of
 * caches, accounting, /proc/slabinfo, and that teardown returns every page.
 */
#include "tests/unit/support/support.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mm/array_size.h"
#include "mm/mmzone.h"
#include "mm/page.h"
#include "mm/seq.h"
#include "mm/slab.h"

#define MIB (1ULL << 20)

static struct slabinfo info_of(struct kmem_cache *s)
{
    struct slabinfo i;
    get_slabinfo(s, &i);
    return i;
}

static void assert_lists(struct kmem_cache *s, unsigned long full, unsigned long partial,
                         unsigned long free)
{
    struct slabinfo i = info_of(s);
    assert_int_equal(i.nr_full, full);
    assert_int_equal(i.nr_partial, partial);
    assert_int_equal(i.nr_free, free);
    assert_int_equal(i.num_slabs, full + partial + free);
}

static int cmp_ptr(const void *a, const void *b)
{
    uintptr_t x = *(const uintptr_t *)a, y = *(const uintptr_t *)b;
    return x < y ? -1 : x > y;
}

/* Objects per slab and slab order follow SLUB's rules for one CPU. */
static void test_geometry(void **state)
{
    (void)state;
    struct {
        unsigned int size;
        unsigned long flags;
        unsigned int objects, order;
    } cases[] = {
        {64, 0, 64, 0},
        {100, SLAB_HWCACHE_ALIGN, 32, 0}, /* aligned up to 128 */
        {24, SLAB_HWCACHE_ALIGN, 128, 0}, /* 32-byte alignment is enough */
        {1256, 0, 13, 2},                 /* as Linux's sw_flow cache */
        {5000, 0, 6, 3},                  /* waste under 1/8 at order 3 */
        {40000, 0, 1, 4},                 /* beyond the costly order: one object */
    };
    for (size_t c = 0; c < ARRAY_SIZE(cases); c++) {
        struct kmem_cache *s = kmem_cache_create("geom", cases[c].size, 0, cases[c].flags, NULL);
        assert_non_null(s);
        struct slabinfo i = info_of(s);
        assert_int_equal(i.objects_per_slab, cases[c].objects);
        assert_int_equal(i.cache_order, cases[c].order);
        assert_int_equal(kmem_cache_size(s), cases[c].size);
        kmem_cache_destroy(s);
    }
}

/* Fill three slabs, then check every object is distinct and usable. */
static void test_fill_cache(void **state)
{
    (void)state;
    struct kmem_cache *s = kmem_cache_create("fill", 64, 0, 0, NULL);
    unsigned int per = info_of(s).objects_per_slab;
    unsigned long before = nr_free_pages();
    size_t n = 3 * per;
    void **objs = calloc(n, sizeof(*objs));
    for (size_t i = 0; i < n; i++) {
        objs[i] = kmem_cache_alloc(s, GFP_KERNEL);
        assert_non_null(objs[i]);
        assert_ptr_equal(virt_to_cache(objs[i]), s);
        assert_true(PageFlag(virt_to_page(objs[i]), PG_slab));
        memset(objs[i], (int)(i & 0xff), 64);
    }
    assert_lists(s, 3, 0, 0);
    assert_int_equal(info_of(s).active_objs, n);
    assert_int_equal(nr_free_pages(), before - 3);
    for (size_t i = 0; i < n; i++) /* nobody overwrote anybody */
        for (size_t b = 0; b < 64; b++)
            assert_int_equal(((unsigned char *)objs[i])[b], i & 0xff);
    qsort(objs, n, sizeof(*objs), cmp_ptr);
    for (size_t i = 1; i < n; i++)
        assert_true((char *)objs[i] - (char *)objs[i - 1] >= 64);
    for (size_t i = 0; i < n; i++)
        kmem_cache_free(s, objs[i]);
    free(objs);
    kmem_cache_destroy(s);
}

/* Freed objects come back before any new slab is made. */
static void test_partial_reuse(void **state)
{
    (void)state;
    struct kmem_cache *s = kmem_cache_create("reuse", 128, 0, 0, NULL);
    unsigned int per = info_of(s).objects_per_slab;
    size_t n = 3 * per;
    void **objs = calloc(n, sizeof(*objs));
    for (size_t i = 0; i < n; i++)
        objs[i] = kmem_cache_alloc(s, GFP_KERNEL);
    size_t half = 0;
    void **freed = calloc(n, sizeof(*freed));
    for (size_t i = 0; i < n; i += 2) {
        kmem_cache_free(s, objs[i]);
        freed[half++] = objs[i];
    }
    assert_lists(s, 0, 3, 0);
    assert_int_equal(info_of(s).active_objs, n - half);

    unsigned long pages = nr_free_pages();
    void **again = calloc(half, sizeof(*again));
    for (size_t i = 0; i < half; i++)
        again[i] = kmem_cache_alloc(s, GFP_KERNEL);
    assert_int_equal(nr_free_pages(), pages); /* no new slab */
    assert_lists(s, 3, 0, 0);
    qsort(freed, half, sizeof(*freed), cmp_ptr);
    qsort(again, half, sizeof(*again), cmp_ptr);
    assert_memory_equal(freed, again, half * sizeof(void *));

    /* Only now does the cache need a fourth slab. */
    void *extra = kmem_cache_alloc(s, GFP_KERNEL);
    assert_int_equal(nr_free_pages(), pages - 1);
    assert_lists(s, 3, 1, 0);
    kmem_cache_free(s, extra);
    for (size_t i = 0; i < half; i++)
        kmem_cache_free(s, again[i]);
    for (size_t i = 1; i < n; i += 2)
        kmem_cache_free(s, objs[i]);
    free(objs);
    free(freed);
    free(again);
    kmem_cache_destroy(s);
}

/* A partial slab is preferred over an empty one. */
static void test_partial_before_free(void **state)
{
    (void)state;
    struct kmem_cache *s = kmem_cache_create("prefer", 256, 0, 0, NULL);
    unsigned int per = info_of(s).objects_per_slab;
    void **a = calloc(per, sizeof(*a));
    for (unsigned int i = 0; i < per; i++)
        a[i] = kmem_cache_alloc(s, GFP_KERNEL);
    void *b = kmem_cache_alloc(s, GFP_KERNEL); /* starts slab two */
    for (unsigned int i = 0; i < per; i++)
        kmem_cache_free(s, a[i]);
    assert_lists(s, 0, 1, 1); /* slab one empty, slab two partial */
    void *c = kmem_cache_alloc(s, GFP_KERNEL);
    assert_ptr_equal(virt_to_page(c), virt_to_page(b));
    assert_lists(s, 0, 1, 1);
    kmem_cache_free(s, b);
    kmem_cache_free(s, c);
    free(a);
    kmem_cache_destroy(s);
}

/* Empty slabs: one is kept, the rest go back; shrink returns the last. */
static void test_free_slabs_and_shrink(void **state)
{
    (void)state;
    struct kmem_cache *s = kmem_cache_create("shrink", 512, 0, 0, NULL);
    struct slabinfo i0 = info_of(s);
    unsigned long slab_pages = 1UL << i0.cache_order;
    unsigned int per = i0.objects_per_slab;
    unsigned long start = nr_free_pages();
    unsigned long unrecl = slab_unreclaimable_pages();
    size_t n = 3 * per;
    void **objs = calloc(n, sizeof(*objs));
    for (size_t i = 0; i < n; i++)
        objs[i] = kmem_cache_alloc(s, GFP_KERNEL);
    assert_int_equal(nr_free_pages(), start - 3 * slab_pages);
    assert_int_equal(slab_unreclaimable_pages(), unrecl + 3 * slab_pages);

    for (size_t i = 0; i < per; i++) /* empty the first slab */
        kmem_cache_free(s, objs[i]);
    assert_lists(s, 2, 0, 1);
    assert_int_equal(nr_free_pages(), start - 3 * slab_pages); /* kept in reserve */
    for (size_t i = per; i < 2 * per; i++)                     /* and the second */
        kmem_cache_free(s, objs[i]);
    assert_lists(s, 1, 0, 1);
    assert_int_equal(nr_free_pages(), start - 2 * slab_pages); /* one went back */

    assert_int_equal(kmem_cache_shrink(s), slab_pages);
    assert_lists(s, 1, 0, 0);
    assert_int_equal(nr_free_pages(), start - slab_pages);
    for (size_t i = 2 * per; i < n; i++)
        kmem_cache_free(s, objs[i]);
    assert_int_equal(kmem_cache_shrink(s), slab_pages);
    assert_int_equal(nr_free_pages(), start);
    assert_int_equal(slab_unreclaimable_pages(), unrecl);
    assert_int_equal(kmem_cache_shrink(s), 0);
    free(objs);
    kmem_cache_destroy(s);
}

static unsigned long ctor_calls;
struct thing {
    unsigned long magic;
    char payload[40];
};
static void thing_ctor(void *p)
{
    struct thing *t = p;
    t->magic = 0xC0FFEE;
    memset(t->payload, 'x', sizeof(t->payload));
    ctor_calls++;
}

/* The ctor runs once per object when its slab is made, not per alloc. */
static void test_constructor(void **state)
{
    (void)state;
    ctor_calls = 0;
    struct kmem_cache *s = kmem_cache_create("thing", sizeof(struct thing), 0, 0, thing_ctor);
    assert_int_equal(ctor_calls, 0);
    struct thing *t = kmem_cache_alloc(s, GFP_KERNEL);
    unsigned int per = info_of(s).objects_per_slab;
    assert_int_equal(ctor_calls, per);
    assert_int_equal(t->magic, 0xC0FFEE);
    /* A free object keeps its constructed state: the free pointer is elsewhere. */
    kmem_cache_free(s, t);
    struct thing *u = kmem_cache_alloc(s, GFP_KERNEL);
    assert_ptr_equal(u, t);
    assert_int_equal(u->magic, 0xC0FFEE);
    assert_int_equal(u->payload[0], 'x');
    assert_int_equal(ctor_calls, per);

    /* zalloc zeroes the object. */
    struct thing *z = kmem_cache_zalloc(s, GFP_KERNEL);
    assert_int_equal(z->magic, 0);
    for (size_t i = 0; i < sizeof(z->payload); i++)
        assert_int_equal(z->payload[i], 0);
    kmem_cache_free(s, u);
    kmem_cache_free(s, z);
    kmem_cache_destroy(s);
}

/* Cache descriptors are objects of "kmem_cache", itself included. */
static void test_cache_of_caches(void **state)
{
    (void)state;
    assert_non_null(kmem_cache);
    assert_string_equal(kmem_cache_name(kmem_cache), "kmem_cache");
    assert_ptr_equal(virt_to_cache(kmem_cache), kmem_cache); /* self-hosted */
    unsigned long before = info_of(kmem_cache).active_objs;
    assert_int_equal(before, 14); /* itself and 13 kmalloc caches */

    struct kmem_cache *a = kmem_cache_create("cache_a", 32, 0, 0, NULL);
    struct kmem_cache *b = kmem_cache_create("cache_b", 48, 0, 0, NULL);
    assert_ptr_equal(virt_to_cache(a), kmem_cache);
    assert_ptr_equal(virt_to_cache(b), kmem_cache);
    assert_string_equal(kmem_cache_name(a), "cache_a");
    assert_int_equal(info_of(kmem_cache).active_objs, before + 2);
    kmem_cache_destroy(a);
    assert_int_equal(info_of(kmem_cache).active_objs, before + 1);
    kmem_cache_destroy(b);
    assert_int_equal(info_of(kmem_cache).active_objs, before);
    kmem_cache_destroy(kmem_cache); /* refused */
    assert_int_equal(info_of(kmem_cache).active_objs, before);
}

/* Destroy with live objects is refused; afterwards it gives pages back. */
static void test_destroy(void **state)
{
    (void)state;
    unsigned long start = nr_free_pages();
    struct kmem_cache *s = kmem_cache_create("doomed", 2000, 0, 0, NULL);
    void *o = kmem_cache_alloc(s, GFP_KERNEL);
    kmem_cache_destroy(s);
    assert_int_equal(info_of(s).active_objs, 1); /* still there, still usable */
    void *p = kmem_cache_alloc(s, GFP_KERNEL);
    assert_non_null(p);
    kmem_cache_free(s, o);
    kmem_cache_free(s, p);
    kmem_cache_destroy(s);
    assert_int_equal(nr_free_pages(), start);
}

static void test_reclaimable_accounting(void **state)
{
    (void)state;
    unsigned long r = slab_reclaimable_pages(), u = slab_unreclaimable_pages();
    struct kmem_cache *s = kmem_cache_create("dentry_like", 192, 0, SLAB_RECLAIM_ACCOUNT, NULL);
    void *o = kmem_cache_alloc(s, GFP_KERNEL);
    unsigned long pages = 1UL << info_of(s).cache_order;
    assert_int_equal(slab_reclaimable_pages(), r + pages);
    assert_int_equal(slab_unreclaimable_pages(), u);
    kmem_cache_free(s, o);
    kmem_cache_destroy(s);
    assert_int_equal(slab_reclaimable_pages(), r);
}

/* No memory: NULL, never an abort; and everything works after. */
static void test_out_of_memory(void **state)
{
    (void)state;
    struct kmem_cache *s = kmem_cache_create("oom", 1024, 0, 0, NULL);
    size_t cap = max_pfn;
    struct page **pages = calloc(cap, sizeof(*pages));
    size_t n = 0;
    struct page *p;
    while ((p = alloc_page(GFP_KERNEL)) != NULL)
        pages[n++] = p;
    assert_null(kmem_cache_alloc(s, GFP_KERNEL));
    assert_lists(s, 0, 0, 0);
    /* Descriptors fit until the cache of caches needs a new slab. */
    struct kmem_cache *made[100];
    int m = 0;
    while (m < 100 && (made[m] = kmem_cache_create("late", 64, 0, 0, NULL)) != NULL)
        m++;
    assert_true(m < 100);
    while (m > 0)
        kmem_cache_destroy(made[--m]);
    for (size_t i = 0; i < n; i++)
        __free_page(pages[i]);
    free(pages);
    void *o = kmem_cache_alloc(s, GFP_KERNEL);
    assert_non_null(o);
    kmem_cache_free(s, o);
    kmem_cache_destroy(s);
}

/* kmem_cache_init itself fails cleanly without memory, and can retry. */
static void test_init_without_memory(void **state)
{
    (void)state;
    kmem_cache_exit();
    assert_null(kmem_cache);
    size_t cap = max_pfn;
    struct page **pages = calloc(cap, sizeof(*pages));
    size_t n = 0;
    struct page *p;
    while ((p = alloc_page(GFP_KERNEL | __GFP_MEMALLOC)) != NULL)
        pages[n++] = p;
    assert_int_equal(kmem_cache_init(), -ENOMEM);
    assert_null(kmem_cache);
    assert_int_equal(nr_free_pages(), 0);
    assert_null(kmalloc(8, GFP_KERNEL)); /* no caches: NULL, not a crash */
    assert_null(kmem_cache_create("early", 8, 0, 0, NULL));
    for (size_t i = 0; i < n; i++)
        __free_page(pages[i]);
    free(pages);
    assert_int_equal(kmem_cache_init(), 0);
    assert_int_equal(kmem_cache_init(), -EBUSY);
}

static void test_bad_arguments(void **state)
{
    (void)state;
    assert_null(kmem_cache_create(NULL, 64, 0, 0, NULL));
    assert_null(kmem_cache_create("zero", 0, 0, 0, NULL));
    assert_null(kmem_cache_create("odd_align", 64, 3, 0, NULL));
    assert_null(kmem_cache_create("huge", 5 << 20, 0, 0, NULL));
    assert_null(
        kmem_cache_create("a_name_much_too_long_for_the_descriptor_to_hold_it", 8, 0, 0, NULL));
    assert_int_equal(info_of(kmem_cache).active_objs, 14); /* nothing leaked */

    /* Frees that cannot be right are reported and change nothing. */
    struct kmem_cache *a = kmem_cache_create("a", 64, 0, 0, NULL);
    struct kmem_cache *b = kmem_cache_create("b", 64, 0, 0, NULL);
    char *o = kmem_cache_alloc(a, GFP_KERNEL);
    kmem_cache_free(b, o);     /* wrong cache */
    kmem_cache_free(a, o + 8); /* not an object start */
    assert_int_equal(info_of(a).active_objs, 1);
    kmem_cache_free(a, o);
    kmem_cache_free(a, o); /* double free */
    assert_int_equal(info_of(a).active_objs, 0);
    kmem_cache_free(a, NULL);
    kmem_cache_destroy(NULL);
    assert_int_equal(kmem_cache_shrink(NULL), 0);
    kmem_cache_destroy(a);
    kmem_cache_destroy(b);
}

static char *slabinfo_text(void)
{
    struct seq s;
    seq_init(&s);
    slabinfo_show(&s);
    assert_false(s.overflow);
    return s.buf;
}

static void test_slabinfo(void **state)
{
    (void)state;
    struct kmem_cache *s = kmem_cache_create("sw_flow", 1256, 0, 0, NULL);
    char *text = slabinfo_text();
    /* The header and a line as a Linux 2.1 /proc/slabinfo prints them. */
    const char *head =
        "slabinfo - version: 2.1\n"
        "# name            <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab> : "
        "tunables <limit> <batchcount> <sharedfactor> : slabdata <active_slabs> <num_slabs> "
        "<sharedavail>\n"
        "sw_flow                0      0   1256   13    4 : tunables    0    0    0 : slabdata "
        "     0      0      0\n";
    assert_int_equal(strncmp(text, head, strlen(head)), 0);
    free(text);

    void *objs[14];
    for (int i = 0; i < 14; i++)
        objs[i] = kmem_cache_alloc(s, GFP_KERNEL);
    void *k = kmalloc(70, GFP_KERNEL);
    text = slabinfo_text();
    assert_non_null(strstr(text, "\nsw_flow               14     26   1256   13    4 : tunables "
                                 "   0    0    0 : slabdata      2      2      0\n"));
    assert_non_null(strstr(text, "\nkmalloc-96             1     42     96   42    1 : "
                                 "tunables    0    0    0 : slabdata      1      1      0\n"));
    assert_non_null(strstr(text, "\nkmalloc-8k             0      0   8192    4    8 : "
                                 "tunables    0    0    0 : slabdata      0      0      0\n"));
    /* The oldest cache, the cache of caches, comes last. */
    const char *last = strstr(text, "\nkmem_cache ");
    assert_non_null(last);
    const char *eol = strchr(last + 1, '\n');
    assert_non_null(eol);
    assert_ptr_equal(eol + 1, text + strlen(text));
    /* 15 descriptors now: itself, 13 kmalloc caches and sw_flow. */
    struct slabinfo ki = info_of(kmem_cache);
    char line[160];
    snprintf(line, sizeof(line), "\nkmem_cache            15 %6lu ", ki.num_objs);
    assert_int_equal(strncmp(last, line, strlen(line)), 0);
    free(text);
    kfree(k);
    for (int i = 0; i < 14; i++)
        kmem_cache_free(s, objs[i]);
    kmem_cache_destroy(s);
}

/* A cache never destroyed is reclaimed at exit all the same. */
static void test_exit_reclaims_leaks(void **state)
{
    (void)state;
    struct kmem_cache *s = kmem_cache_create("leaky", 300, 0, SLAB_RECLAIM_ACCOUNT, NULL);
    for (int i = 0; i < 100; i++)
        assert_non_null(kmem_cache_alloc(s, GFP_KERNEL));
    assert_true(slab_reclaimable_pages() > 0);
    /* teardown checks every page came back */
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, test_alloc_setup, test_alloc_teardown)
    const struct CMUnitTest tests[] = {
        T(test_geometry),
        T(test_fill_cache),
        T(test_partial_reuse),
        T(test_partial_before_free),
        T(test_free_slabs_and_shrink),
        T(test_constructor),
        T(test_cache_of_caches),
        T(test_destroy),
        T(test_reclaimable_accounting),
        T(test_out_of_memory),
        T(test_init_without_memory),
        T(test_bad_arguments),
        T(test_slabinfo),
        T(test_exit_reclaims_leaks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
