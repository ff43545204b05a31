/*
 * The buddy allocator and physical memory set-up: zones, watermarks, the
 * reserved mem_map frames, split and coalesce, fragmentation, exhaustion,
 * zone fallback, zeroing, Linux's checks of a freed frame (bad_page), and
 * /proc/buddyinfo.
 */
#include "tests/unit/support/support.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mm/array_size.h"
#include "mm/mmzone.h"
#include "mm/page.h"
#include "mm/seq.h"

#define MIB (1ULL << 20)
#define GIB (1ULL << 30)

/* Free blocks per order in every zone: the allocator's whole free state. */
struct free_snapshot {
    unsigned long nr_free[MAX_NR_ZONES][MAX_ORDER];
    unsigned long free_pages[MAX_NR_ZONES];
};

static struct zone *zone_of(enum zone_type z)
{
    return &contig_page_data.node_zones[z];
}

static void snapshot(struct free_snapshot *s)
{
    for (int z = 0; z < MAX_NR_ZONES; z++) {
        for (int o = 0; o < MAX_ORDER; o++)
            s->nr_free[z][o] = zone_of(z)->free_area[o].nr_free;
        s->free_pages[z] = zone_of(z)->free_pages;
    }
}

static void assert_snapshot_equal(const struct free_snapshot *a, const struct free_snapshot *b)
{
    for (int z = 0; z < MAX_NR_ZONES; z++) {
        for (int o = 0; o < MAX_ORDER; o++)
            assert_int_equal(a->nr_free[z][o], b->nr_free[z][o]);
        assert_int_equal(a->free_pages[z], b->free_pages[z]);
    }
}

/* Walk a zone's free lists: the counters must match what is on them. */
static void assert_free_lists_consistent(enum zone_type z)
{
    struct zone *zone = zone_of(z);
    unsigned long pages = 0;
    for (unsigned int o = 0; o < MAX_ORDER; o++) {
        unsigned long n = 0;
        struct page *p;
        list_for_each_entry(p, &zone->free_area[o].free_list, lru)
        {
            assert_true(PageFlag(p, PG_buddy));
            assert_int_equal(p->private, o);
            assert_int_equal(page_to_pfn(p) & ((1UL << o) - 1), 0);
            assert_ptr_equal(page_zone(p), zone);
            n++;
        }
        /* Deferred boot blocks (deferred_init.c) are counted but on no list yet. */
        n += zone->nr_deferred[o];
        assert_int_equal(n, zone->free_area[o].nr_free);
        pages += n << o;
    }
    assert_int_equal(pages, zone->free_pages);
}

static unsigned long reserved_frames(void)
{
    return (max_pfn * sizeof(struct page) + PAGE_SIZE - 1) / PAGE_SIZE;
}

/* Deterministic Fisher-Yates shuffle, so failures reproduce. */
static void shuffle(struct page **v, size_t n, unsigned long seed)
{
    for (size_t i = n; i > 1; i--) {
        seed = seed * 6364136223846793005UL + 1442695040888963407UL;
        size_t j = (size_t)((seed >> 33) % i);
        struct page *t = v[i - 1];
        v[i - 1] = v[j];
        v[j] = t;
    }
}

/* Take every order-0 page the given flags can reach, until NULL. */
/* Take every page gfp allows, the reserve below min included (the buddy allocator is on test). */
static size_t drain(gfp_t gfp, struct page **out, size_t cap)
{
    size_t n = 0;
    struct page *p;
    while ((p = alloc_pages(gfp | __GFP_MEMALLOC, 0)) != NULL) {
        assert_true(n < cap);
        out[n++] = p;
    }
    return n;
}

static int setup_256m(void **state)
{
    (void)state;
    return phys_init(256 * MIB);
}

static int setup_16m(void **state)
{
    (void)state;
    return phys_init(16 * MIB);
}

static int teardown(void **state)
{
    (void)state;
    phys_exit();
    return 0;
}

static void test_bad_sizes(void **state)
{
    (void)state;
    assert_int_equal(phys_init(0), -EINVAL);
    assert_int_equal(phys_init(16 * MIB - PAGE_SIZE), -EINVAL);
    assert_int_equal(phys_init(16 * MIB + 1), -EINVAL);
    assert_int_equal(phys_init(32 * MIB + 100), -EINVAL);
    assert_int_equal(phys_init(PAGE_SIZE), -EINVAL);
    assert_null(direct_map);
    assert_int_equal(phys_alias_fd(), -1);
    /* A rejected size leaves nothing behind: a good one still works. */
    assert_int_equal(phys_init(16 * MIB), 0);
    assert_int_equal(phys_init(16 * MIB), -EBUSY);
    phys_exit();
    assert_null(direct_map);
    assert_null(mem_map);
    assert_int_equal(phys_alias_fd(), -1);
}

static int count_open_fds(void)
{
    int n = 0;
    char path[64];
    for (int fd = 0; fd < 1024; fd++) {
        snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
        if (access(path, F_OK) == 0)
            n++;
    }
    return n;
}

/* RAM the host cannot map fails with its errno and leaks no descriptor. */
static void test_unmappable_size_fails_cleanly(void **state)
{
    (void)state;
    int fds = count_open_fds();
    int err = phys_init(1ULL << 50); /* 1 PiB: more than user address space */
    assert_true(err < 0);            /* ENOMEM natively; valgrind's mmap says EINVAL */
    assert_int_equal(count_open_fds(), fds);
    assert_null(direct_map);
    assert_int_equal(phys_alias_fd(), -1);
    assert_int_equal(phys_ram_bytes(), 0);
    assert_int_equal(phys_init(16 * MIB), 0);
    phys_exit();
    assert_int_equal(count_open_fds(), fds);
}

/* Unit tests cycle phys_init/phys_exit: each cycle starts identical. */
static void test_reinit_cycles(void **state)
{
    (void)state;
    struct free_snapshot first, again;
    assert_int_equal(phys_init(32 * MIB), 0);
    snapshot(&first);
    /* Leave the allocator in a dirty state before tearing it down. */
    assert_non_null(alloc_pages(GFP_KERNEL, 3));
    assert_non_null(alloc_pages(GFP_KERNEL, 0));
    phys_exit();
    for (int i = 0; i < 3; i++) {
        assert_int_equal(phys_init(32 * MIB), 0);
        snapshot(&again);
        assert_snapshot_equal(&first, &again);
        phys_exit();
    }
}

static void test_layout_256m(void **state)
{
    (void)state;
    assert_int_equal(max_pfn, 65536);
    assert_int_equal(phys_ram_bytes(), 256 * MIB);
    assert_int_equal(phys_alias_fd(), -1); /* made when vmalloc first needs it */
    assert_ptr_equal(mem_map, (struct page *)direct_map);

    unsigned long res = reserved_frames();
    struct zone *dma = zone_of(ZONE_DMA), *dma32 = zone_of(ZONE_DMA32);
    struct zone *normal = zone_of(ZONE_NORMAL);
    assert_string_equal(dma->name, "DMA");
    assert_string_equal(dma32->name, "DMA32");
    assert_string_equal(normal->name, "Normal");
    assert_int_equal(dma->zone_start_pfn, 0);
    assert_int_equal(dma->present_pages, 4096);
    assert_int_equal(dma->managed_pages, 4096 - res);
    assert_int_equal(dma32->zone_start_pfn, 4096);
    assert_int_equal(dma32->present_pages, 65536 - 4096);
    assert_int_equal(dma32->managed_pages, 65536 - 4096);
    assert_int_equal(normal->present_pages, 0);
    assert_int_equal(normal->managed_pages, 0);
    assert_int_equal(contig_page_data.node_present_pages, 65536);

    /* Everything not reserved is free, and boot frees count in pgfree. */
    assert_int_equal(nr_free_pages(), 65536 - res);
    assert_int_equal(pgfree_count, 65536 - res);
    assert_int_equal(dma->free_pages, dma->managed_pages);
    assert_int_equal(dma32->free_pages, dma32->managed_pages);

    /* DMA32 is 60 whole 4 MiB blocks: nothing smaller exists. */
    for (int o = 0; o < MAX_ORDER - 1; o++)
        assert_int_equal(dma32->free_area[o].nr_free, 0);
    assert_int_equal(dma32->free_area[MAX_ORDER - 1].nr_free, 60);
    assert_free_lists_consistent(ZONE_DMA);
    assert_free_lists_consistent(ZONE_DMA32);
}

/* 16 MiB: mem_map is 64 frames, so the rest is split at aligned edges. */
static void test_layout_16m_largest_blocks(void **state)
{
    (void)state;
    unsigned long res = reserved_frames();
    struct zone *dma = zone_of(ZONE_DMA);
    assert_int_equal(zone_of(ZONE_DMA32)->present_pages, 0);
    assert_int_equal(zone_of(ZONE_NORMAL)->present_pages, 0);
    assert_int_equal(dma->managed_pages, 4096 - res);

    /* Expected blocks from a greedy walk over [res, 4096). */
    unsigned long expect[MAX_ORDER] = {0};
    for (unsigned long pfn = res; pfn < 4096;) {
        int o = MAX_ORDER - 1;
        while (o > 0 && ((pfn % (1UL << o)) || pfn + (1UL << o) > 4096))
            o--;
        expect[o]++;
        pfn += 1UL << o;
    }
    for (int o = 0; o < MAX_ORDER; o++)
        assert_int_equal(dma->free_area[o].nr_free, expect[o]);
    assert_free_lists_consistent(ZONE_DMA);
}

/* min_free_kbytes = sqrt(16 * lowmem KiB), shared by managed pages. */
static void test_watermarks(void **state)
{
    (void)state;
    unsigned long lowmem = 0;
    for (int z = 0; z < MAX_NR_ZONES; z++)
        lowmem += zone_of(z)->managed_pages;
    unsigned long kbytes = 0;
    while ((kbytes + 1) * (kbytes + 1) <= lowmem * 4 * 16)
        kbytes++;
    if (kbytes < 128)
        kbytes = 128;
    unsigned long pages_min = kbytes / 4;
    for (int z = 0; z < MAX_NR_ZONES; z++) {
        struct zone *zone = zone_of(z);
        unsigned long min = pages_min * zone->managed_pages / lowmem;
        unsigned long step = zone->managed_pages / 1000;
        if (min / 4 > step)
            step = min / 4;
        assert_int_equal(zone->watermark[WMARK_MIN], min);
        assert_int_equal(zone->watermark[WMARK_LOW], min + step);
        assert_int_equal(zone->watermark[WMARK_HIGH], min + 2 * step);
    }
    /* An empty zone has no watermarks. */
    assert_int_equal(zone_of(ZONE_NORMAL)->watermark[WMARK_HIGH], 0);
    /* Ordered, and the DMA32 zone got the lion's share. */
    assert_true(zone_of(ZONE_DMA32)->watermark[WMARK_MIN] >
                zone_of(ZONE_DMA)->watermark[WMARK_MIN]);
    assert_true(zone_of(ZONE_DMA32)->watermark[WMARK_LOW] <
                zone_of(ZONE_DMA32)->watermark[WMARK_HIGH]);
}

/* Hand-computed for 256 MiB with a 64-byte struct page, as a cross-check. */
static void test_watermarks_known_values(void **state)
{
    (void)state;
    if (sizeof(struct page) != 64) {
        /* The figures below assume mem_map takes 1024 frames. */
        fail_msg("struct page is %zu bytes: update the hand-computed figures", sizeof(struct page));
    }
    /* lowmem 64512 pages = 258048 KiB; sqrt(258048*16) = 2031 KiB = 507 pages. */
    assert_int_equal(zone_of(ZONE_DMA)->watermark[WMARK_MIN], 24); /* 507*3072/64512 */
    assert_int_equal(zone_of(ZONE_DMA)->watermark[WMARK_LOW], 30);
    assert_int_equal(zone_of(ZONE_DMA)->watermark[WMARK_HIGH], 36);
    assert_int_equal(zone_of(ZONE_DMA32)->watermark[WMARK_MIN], 482); /* 507*61440/64512 */
    assert_int_equal(zone_of(ZONE_DMA32)->watermark[WMARK_LOW], 602);
    assert_int_equal(zone_of(ZONE_DMA32)->watermark[WMARK_HIGH], 722);
}

static void test_reserved_frames(void **state)
{
    (void)state;
    unsigned long res = reserved_frames();
    struct page scratch;
    for (unsigned long pfn = 0; pfn < res; pfn++) {
        const struct page *p = pfn_page_peek(pfn, &scratch);
        assert_true(PageFlag(p, PG_reserved));
        assert_false(PageFlag(p, PG_buddy));
        assert_int_equal(p->refcount, 1);
    }
    assert_false(PageFlag(pfn_page_peek(res, &scratch), PG_reserved));

    /* Take everything: no reserved frame is ever handed out. */
    size_t cap = max_pfn;
    struct page **pages = calloc(cap, sizeof(*pages));
    assert_non_null(pages);
    size_t n = drain(GFP_KERNEL, pages, cap);
    assert_int_equal(n, max_pfn - res);
    for (size_t i = 0; i < n; i++) {
        assert_true(page_to_pfn(pages[i]) >= res);
        assert_false(PageFlag(pages[i], PG_reserved));
    }
    /* mem_map itself survived: its frames were never zeroed or reused. */
    assert_true(PageFlag(pfn_to_page(0), PG_reserved));
    for (size_t i = 0; i < n; i++)
        __free_page(pages[i]);
    free(pages);
    assert_int_equal(nr_free_pages(), max_pfn - res);

    /* Freeing a reserved frame is refused and changes nothing. */
    __free_page(pfn_to_page(0));
    assert_true(PageFlag(pfn_to_page(0), PG_reserved));
    assert_int_equal(pfn_to_page(0)->refcount, 1);
    assert_int_equal(nr_free_pages(), max_pfn - res);
}

/* One order-0 allocation from whole 4 MiB blocks leaves one block per order. */
static void test_split_and_coalesce(void **state)
{
    (void)state;
    struct free_snapshot start, now;
    snapshot(&start);
    struct zone *dma32 = zone_of(ZONE_DMA32);
    unsigned long alloc_before = dma32->pgalloc;

    struct page *a = alloc_page(GFP_KERNEL);
    assert_non_null(a);
    assert_ptr_equal(page_zone(a), dma32);
    assert_int_equal(a->refcount, 1);
    assert_false(PageFlag(a, PG_buddy));
    assert_int_equal(page_to_pfn(a) % 1024, 0); /* the lower half is kept */
    for (int o = 0; o < MAX_ORDER - 1; o++)
        assert_int_equal(dma32->free_area[o].nr_free, 1);
    assert_int_equal(dma32->free_area[MAX_ORDER - 1].nr_free, 59);
    assert_int_equal(dma32->free_pages, start.free_pages[ZONE_DMA32] - 1);
    assert_int_equal(dma32->pgalloc, alloc_before + 1);
    assert_free_lists_consistent(ZONE_DMA32);

    /* The next order-0 page is a's buddy; with both out, no merge on one free. */
    struct page *b = alloc_page(GFP_KERNEL);
    assert_ptr_equal(b, a + 1);
    assert_int_equal(dma32->free_area[0].nr_free, 0);
    unsigned long freed_before = pgfree_count;
    __free_page(a);
    assert_int_equal(dma32->free_area[0].nr_free, 1);
    assert_int_equal(pgfree_count, freed_before + 1);
    __free_page(b);
    assert_int_equal(pgfree_count, freed_before + 2);

    /* Both back: they merge all the way up to the original block. */
    snapshot(&now);
    assert_snapshot_equal(&start, &now);
    assert_free_lists_consistent(ZONE_DMA32);
}

static void test_higher_order_alignment(void **state)
{
    (void)state;
    struct free_snapshot start, now;
    snapshot(&start);
    struct page *blocks[MAX_ORDER];
    for (unsigned int o = 0; o < MAX_ORDER; o++) {
        blocks[o] = alloc_pages(GFP_KERNEL, o);
        assert_non_null(blocks[o]);
        assert_int_equal(page_to_pfn(blocks[o]) & ((1UL << o) - 1), 0);
    }
    /* Blocks never overlap. */
    for (unsigned int i = 0; i < MAX_ORDER; i++)
        for (unsigned int j = i + 1; j < MAX_ORDER; j++) {
            unsigned long a = page_to_pfn(blocks[i]), b = page_to_pfn(blocks[j]);
            assert_true(a + (1UL << i) <= b || b + (1UL << j) <= a);
        }
    assert_null(alloc_pages(GFP_KERNEL, MAX_ORDER));
    assert_null(alloc_pages(GFP_KERNEL, 40));
    for (unsigned int o = 0; o < MAX_ORDER; o++)
        __free_pages(blocks[o], o);
    snapshot(&now);
    assert_snapshot_equal(&start, &now);
}

/*
 * Take every order-0 page of DMA, free every other one (nothing can merge),
 * then the rest in a scrambled order: the zone heals to its start state.
 */
static void test_fragmentation_heals(void **state)
{
    (void)state;
    struct free_snapshot start, now;
    snapshot(&start);
    struct zone *dma = zone_of(ZONE_DMA);
    size_t cap = dma->managed_pages + 1;
    struct page **pages = calloc(cap, sizeof(*pages));
    assert_non_null(pages);
    size_t n = drain(__GFP_DMA, pages, cap);
    assert_int_equal(n, dma->managed_pages);
    assert_int_equal(dma->free_pages, 0);
    for (int o = 0; o < MAX_ORDER; o++)
        assert_int_equal(dma->free_area[o].nr_free, 0);
    /* DMA32 was not touched by __GFP_DMA allocations. */
    assert_int_equal(zone_of(ZONE_DMA32)->free_pages, start.free_pages[ZONE_DMA32]);

    struct page **evens = calloc(cap, sizeof(*pages)), **odds = calloc(cap, sizeof(*pages));
    assert_non_null(evens);
    assert_non_null(odds);
    size_t ne = 0, no = 0;
    for (size_t i = 0; i < n; i++) {
        if (page_to_pfn(pages[i]) % 2 == 0)
            evens[ne++] = pages[i];
        else
            odds[no++] = pages[i];
    }
    shuffle(evens, ne, 1);
    shuffle(odds, no, 2);
    for (size_t i = 0; i < ne; i++)
        __free_page(evens[i]);
    /* Every free page's buddy is in use: all isolated order-0 blocks. */
    assert_int_equal(dma->free_area[0].nr_free, ne);
    for (int o = 1; o < MAX_ORDER; o++)
        assert_int_equal(dma->free_area[o].nr_free, 0);
    assert_free_lists_consistent(ZONE_DMA);

    for (size_t i = 0; i < no; i++)
        __free_page(odds[i]);
    snapshot(&now);
    assert_snapshot_equal(&start, &now);
    assert_free_lists_consistent(ZONE_DMA);
    free(pages);
    free(evens);
    free(odds);
}

/* Allocate mixed orders until nothing fits; free all; exact recovery. */
static void test_exhaustion(void **state)
{
    (void)state;
    struct free_snapshot start, now;
    snapshot(&start);
    unsigned long free_start = nr_free_pages();
    size_t cap = max_pfn;
    struct page **pages = calloc(cap, sizeof(*pages));
    unsigned int *orders = calloc(cap, sizeof(*orders));
    assert_non_null(pages);
    assert_non_null(orders);

    size_t n = 0;
    unsigned long taken = 0;
    const unsigned int pattern[] = {3, 0, 5, 1, 0, 2};
    for (size_t i = 0;; i++) {
        unsigned int o = pattern[i % 6];
        struct page *p = alloc_pages(GFP_KERNEL | __GFP_MEMALLOC, o);
        if (!p)
            break;
        pages[n] = p;
        orders[n++] = o;
        taken += 1UL << o;
    }
    /* The mix stopped at the first failure; now mop up with order 0. */
    struct page *p;
    while ((p = alloc_page(GFP_KERNEL | __GFP_MEMALLOC)) != NULL) {
        pages[n] = p;
        orders[n++] = 0;
        taken++;
    }
    assert_int_equal(taken, free_start);
    assert_int_equal(nr_free_pages(), 0);
    assert_null(alloc_page(GFP_KERNEL));
    assert_null(alloc_page(__GFP_DMA));
    assert_null(alloc_page(__GFP_DMA32));
    assert_int_equal(__get_free_pages(GFP_KERNEL, 0), 0);
    assert_int_equal(get_zeroed_page(GFP_KERNEL), 0);

    for (size_t i = n; i-- > 0;)
        __free_pages(pages[i], orders[i]);
    snapshot(&now);
    assert_snapshot_equal(&start, &now);
    assert_int_equal(nr_free_pages(), free_start);
    free(pages);
    free(orders);
}

static void test_zone_selection_and_fallback(void **state)
{
    (void)state;
    struct zone *dma = zone_of(ZONE_DMA), *dma32 = zone_of(ZONE_DMA32);
    struct page *p = alloc_page(__GFP_DMA);
    assert_ptr_equal(page_zone(p), dma);
    assert_true(page_to_pfn(p) < ZONE_DMA_END_PFN);
    __free_page(p);
    p = alloc_page(__GFP_DMA32);
    assert_ptr_equal(page_zone(p), dma32);
    __free_page(p);
    /* No Normal zone in 256 MiB: GFP_KERNEL falls back to DMA32. */
    p = alloc_page(GFP_KERNEL);
    assert_ptr_equal(page_zone(p), dma32);
    __free_page(p);

    /* With DMA32 empty, DMA32 and normal requests fall back to DMA. */
    size_t cap = max_pfn;
    struct page **pages = calloc(cap, sizeof(*pages));
    assert_non_null(pages);
    unsigned long dma_free = dma->free_pages;
    size_t n = 0;
    while (dma32->free_pages) {
        pages[n] = alloc_page(__GFP_DMA32 | __GFP_MEMALLOC);
        assert_ptr_equal(page_zone(pages[n]), dma32);
        n++;
    }
    assert_int_equal(dma->free_pages, dma_free); /* DMA untouched so far */
    struct page *fb1 = alloc_page(__GFP_DMA32 | __GFP_MEMALLOC),
                *fb2 = alloc_page(GFP_KERNEL | __GFP_MEMALLOC);
    assert_ptr_equal(page_zone(fb1), dma);
    assert_ptr_equal(page_zone(fb2), dma);
    __free_page(fb1);
    __free_page(fb2);
    for (size_t i = 0; i < n; i++)
        __free_page(pages[i]);

    /* GFP_DMA never climbs to DMA32: with DMA empty it fails. */
    n = drain(__GFP_DMA, pages, cap);
    assert_int_equal(n, dma->managed_pages);
    assert_null(alloc_page(__GFP_DMA));
    assert_true(dma32->free_pages > 0);
    p = alloc_page(GFP_KERNEL);
    assert_ptr_equal(page_zone(p), dma32);
    __free_page(p);
    for (size_t i = 0; i < n; i++)
        __free_page(pages[i]);
    free(pages);
}

/* Above 4 GiB there is a Normal zone, preferred by GFP_KERNEL. */
static void test_normal_zone(void **state)
{
    (void)state;
    assert_int_equal(phys_init(4 * GIB + 4 * MIB), 0);
    struct zone *normal = zone_of(ZONE_NORMAL);
    assert_int_equal(normal->zone_start_pfn, ZONE_DMA32_END_PFN);
    assert_int_equal(normal->present_pages, 1024);
    assert_int_equal(normal->managed_pages, 1024);
    assert_int_equal(normal->free_area[MAX_ORDER - 1].nr_free, 1);

    struct page *p = alloc_page(GFP_KERNEL);
    assert_ptr_equal(page_zone(p), normal);
    assert_true(page_to_pfn(p) >= ZONE_DMA32_END_PFN);
    struct page *q = alloc_page(__GFP_DMA32);
    assert_ptr_equal(page_zone(q), zone_of(ZONE_DMA32));
    assert_true(page_to_pfn(q) < ZONE_DMA32_END_PFN);
    __free_page(q);

    /*
     * Normal's only block gone: the next GFP_KERNEL order-10 comes from
     * DMA32. (The first takes all of Normal, its reserve included.)
     */
    __free_page(p);
    struct page *big = alloc_pages(GFP_KERNEL | __GFP_MEMALLOC, MAX_ORDER - 1);
    assert_ptr_equal(page_zone(big), normal);
    struct page *big2 = alloc_pages(GFP_KERNEL, MAX_ORDER - 1);
    assert_ptr_equal(page_zone(big2), zone_of(ZONE_DMA32));
    __free_pages(big, MAX_ORDER - 1);
    __free_pages(big2, MAX_ORDER - 1);
    assert_int_equal(normal->free_area[MAX_ORDER - 1].nr_free, 1);
    phys_exit();
}

static void test_gfp_zero(void **state)
{
    (void)state;
    struct page *p = alloc_pages(GFP_KERNEL, 2);
    unsigned char *a = page_address(p);
    memset(a, 0xAA, 4 * PAGE_SIZE);
    __free_pages(p, 2);

    /* Without __GFP_ZERO the same block comes back dirty... */
    struct page *q = alloc_pages(GFP_KERNEL, 2);
    assert_ptr_equal(q, p);
    assert_int_equal(a[0], 0xAA);
    assert_int_equal(a[4 * PAGE_SIZE - 1], 0xAA);
    __free_pages(q, 2);

    /* ...with it, every byte of every page is zero. */
    q = alloc_pages(GFP_KERNEL | __GFP_ZERO, 2);
    assert_ptr_equal(q, p);
    for (size_t i = 0; i < 4 * PAGE_SIZE; i++)
        assert_int_equal(a[i], 0);
    __free_pages(q, 2);

    unsigned long addr = __get_free_pages(GFP_KERNEL, 0);
    memset((void *)addr, 0x5C, PAGE_SIZE);
    free_page(addr);
    unsigned long z = get_zeroed_page(GFP_KERNEL);
    assert_int_equal(z, addr);
    for (size_t i = 0; i < PAGE_SIZE; i++)
        assert_int_equal(((unsigned char *)z)[i], 0);
    free_page(z);
}

/*
 * A frame never handed out since RAM was mapped is zero already, so
 * __GFP_ZERO leaves it alone; a frame used once is cleared every time it
 * is handed out zeroed, alone or inside a bigger block.
 */
static void test_gfp_zero_clears_once(void **state)
{
    (void)state;
    unsigned long cleared = phys_frames_cleared();
    struct page *fresh = alloc_pages(GFP_KERNEL | __GFP_ZERO, 3);
    assert_non_null(fresh);
    assert_int_equal(phys_frames_cleared(), cleared); /* pristine: nothing cleared */
    unsigned char *a = page_address(fresh);
    for (size_t i = 0; i < 8 * PAGE_SIZE; i++)
        assert_int_equal(a[i], 0);
    a[5 * PAGE_SIZE + 17] = 0x77; /* dirty one frame of eight */
    __free_pages(fresh, 3);

    struct page *again = alloc_pages(GFP_KERNEL | __GFP_ZERO, 3);
    assert_ptr_equal(again, fresh);
    /* All eight were handed out before, so all eight are cleared now. */
    assert_int_equal(phys_frames_cleared(), cleared + 8);
    for (size_t i = 0; i < 8 * PAGE_SIZE; i++)
        assert_int_equal(a[i], 0);
    __free_pages(again, 3);

    /* Without __GFP_ZERO nothing is cleared, used or not. */
    struct page *raw = alloc_pages(GFP_KERNEL, 3);
    assert_int_equal(phys_frames_cleared(), cleared + 8);
    __free_pages(raw, 3);
}

/*
 * The direct map: a frame's bytes at page_address, its physical address its
 * offset. Frames vmalloc maps twice move into the alias memfd with their
 * bytes, are shared both ways while there, and come back private and zero.
 */
static void test_direct_map_and_alias(void **state)
{
    (void)state;
    unsigned long addr = __get_free_pages(GFP_KERNEL, 1);
    assert_int_not_equal(addr, 0);
    struct page *p = virt_to_page((void *)addr);
    assert_ptr_equal(page_address(p), (void *)addr);
    assert_int_equal(page_to_phys(p), (uint64_t)page_to_pfn(p) << PAGE_SHIFT);
    assert_ptr_equal((void *)addr, direct_map + page_to_phys(p));
    memcpy((char *)addr + PAGE_SIZE + 10, "frame", 5);

    assert_int_equal(phys_alias_frames(page_to_pfn(p), 2), 0);
    assert_true(phys_alias_fd() >= 0);
    assert_memory_equal((char *)addr + PAGE_SIZE + 10, "frame", 5); /* bytes kept */
    char buf[5];
    off_t at = (off_t)page_to_phys(p) + PAGE_SIZE + 10;
    assert_int_equal(pread(phys_alias_fd(), buf, 5, at), 5);
    assert_memory_equal(buf, "frame", 5);
    assert_int_equal(pwrite(phys_alias_fd(), "other", 5, at), 5); /* another view's store */
    assert_memory_equal((char *)addr + PAGE_SIZE + 10, "other", 5);

    phys_unalias_frames(page_to_pfn(p), 2);
    for (size_t i = 0; i < 2 * PAGE_SIZE; i++)
        assert_int_equal(((unsigned char *)addr)[i], 0);
    memcpy((char *)addr, "private", 7); /* and the memfd no longer sees the frame */
    assert_int_equal(pread(phys_alias_fd(), buf, 5, (off_t)page_to_phys(p)), 5);
    assert_memory_equal(buf, "\0\0\0\0\0", 5);
    free_pages(addr, 1);
    free_pages(0, 3); /* freeing address 0 is a no-op, as in Linux */
}

static void test_refcount_and_put_page(void **state)
{
    (void)state;
    unsigned long before = nr_free_pages();
    struct page *p = alloc_page(GFP_KERNEL);
    get_page(p);
    assert_int_equal(p->refcount, 2);
    put_page(p);
    assert_int_equal(nr_free_pages(), before - 1); /* still held */
    assert_false(PageFlag(p, PG_buddy));
    put_page(p);
    assert_int_equal(nr_free_pages(), before);
    assert_int_equal(p->refcount, 0);

    /* A second free of the same page is reported and ignored. */
    struct free_snapshot s1, s2;
    snapshot(&s1);
    __free_page(p);
    snapshot(&s2);
    assert_snapshot_equal(&s1, &s2);
}

static void test_pgalloc_counters(void **state)
{
    (void)state;
    struct zone *dma = zone_of(ZONE_DMA), *dma32 = zone_of(ZONE_DMA32);
    unsigned long a0 = dma->pgalloc, a1 = dma32->pgalloc, f = pgfree_count;
    struct page *p = alloc_pages(__GFP_DMA, 3);
    struct page *q = alloc_pages(GFP_KERNEL, 1);
    assert_int_equal(dma->pgalloc, a0 + 8);
    assert_int_equal(dma32->pgalloc, a1 + 2);
    __free_pages(p, 3);
    __free_pages(q, 1);
    assert_int_equal(pgfree_count, f + 10);
}

static void expect_buddyinfo(const char *expected)
{
    struct seq s;
    seq_init(&s);
    buddyinfo_show(&s);
    assert_false(s.overflow);
    assert_non_null(s.buf);
    assert_string_equal(s.buf, expected);
    seq_free(&s);
}

static void test_buddyinfo_exact(void **state)
{
    (void)state;
    /* 256 MiB: DMA is 3 whole blocks after the 4 MiB mem_map; DMA32 is 60. */
    expect_buddyinfo("Node 0, zone      DMA      0      0      0      0      0      0      0"
                     "      0      0      0      3 \n"
                     "Node 0, zone    DMA32      0      0      0      0      0      0      0"
                     "      0      0      0     60 \n");
    struct page *p = alloc_page(GFP_KERNEL);
    struct page *d = alloc_pages(__GFP_DMA, 4);
    expect_buddyinfo("Node 0, zone      DMA      0      0      0      0      1      1      1"
                     "      1      1      1      2 \n"
                     "Node 0, zone    DMA32      1      1      1      1      1      1      1"
                     "      1      1      1     59 \n");
    __free_page(p);
    __free_pages(d, 4);
}

/* The same report built from the counters, in any state. */
static void test_buddyinfo_matches_counters(void **state)
{
    (void)state;
    struct page *keep[7];
    for (int i = 0; i < 7; i++)
        keep[i] = alloc_pages(GFP_KERNEL, (unsigned int)i % 4);
    char expected[512] = "";
    for (int z = 0; z < MAX_NR_ZONES; z++) {
        struct zone *zone = zone_of(z);
        if (!zone->present_pages)
            continue;
        char line[160];
        int len = snprintf(line, sizeof(line), "Node 0, zone %8s ", zone->name);
        for (int o = 0; o < MAX_ORDER; o++)
            len += snprintf(line + len, sizeof(line) - (size_t)len, "%6lu ",
                            zone->free_area[o].nr_free);
        strcat(line, "\n");
        strcat(expected, line);
    }
    expect_buddyinfo(expected);
    for (int i = 0; i < 7; i++)
        __free_pages(keep[i], (unsigned int)i % 4);
}

/* What fn(page) printed on stderr (NUL-terminated, static). */
static const char *stderr_of(void (*fn)(struct page *), struct page *page)
{
    static char out[4096];
    FILE *tmp = tmpfile();
    assert_non_null(tmp);
    fflush(stderr);
    int saved = dup(2);
    assert_true(saved >= 0 && dup2(fileno(tmp), 2) == 2);
    fn(page);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    rewind(tmp);
    size_t n = fread(out, 1, sizeof(out) - 1, tmp);
    out[n] = '\0';
    fclose(tmp);
    return out;
}

/* The raw free: put_page takes a page off its LRU list first, as Linux's folio_put does. */
static void put(struct page *page)
{
    __free_page(page);
}

static void put_order2(struct page *page)
{
    __free_pages(page, 2);
}

struct bad_state {
    const char *why;
    void (*make)(struct page *);
};

static void still_mapped(struct page *p)
{
    p->mapcount = 1;
}
static void still_cached(struct page *p)
{
    p->mapping = (struct address_space *)p; /* any non-NULL mapping of a non-anonymous page */
}
static void on_lru(struct page *p)
{
    SetPageFlag(p, PG_lru);
}
static void locked(struct page *p)
{
    SetPageFlag(p, PG_locked);
}
static void under_writeback(struct page *p)
{
    SetPageFlag(p, PG_writeback);
}
static void slab(struct page *p)
{
    SetPageFlag(p, PG_slab);
}

/*
 * Linux's free-time checks: a frame whose last reference goes while it is
 * still mapped, still in a file's cache or still marked in use is reported
 * as bad_page() reports it and never handed out again; what may remain on
 * a frame (an anonymous page's anon_vma, dirty, uptodate) is cleared.
 */
static void test_bad_page_checks(void **state)
{
    (void)state;
    static const struct bad_state bad[] = {
        {"nonzero mapcount", still_mapped},
        {"non-NULL mapping", still_cached},
        {"PAGE_FLAGS_CHECK_AT_FREE flag(s) set", on_lru},
        {"PAGE_FLAGS_CHECK_AT_FREE flag(s) set", locked},
        {"PAGE_FLAGS_CHECK_AT_FREE flag(s) set", under_writeback},
        {"PAGE_FLAGS_CHECK_AT_FREE flag(s) set", slab},
    };
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        struct page *p = alloc_page(GFP_KERNEL);
        assert_non_null(p);
        unsigned long free0 = nr_free_pages(), bad0 = nr_bad_pages();
        bad[i].make(p);
        const char *out = stderr_of(put, p);
        assert_non_null(strstr(out, "BUG: Bad page state in process vmemu"));
        assert_non_null(strstr(out, bad[i].why));
        assert_int_equal(nr_bad_pages(), bad0 + 1);
        assert_int_equal(nr_free_pages(), free0); /* kept out of the allocator */
        assert_false(PageFlag(p, PG_buddy));
    }

    /* A tail frame of a block in use is checked too. */
    struct page *block = alloc_pages(GFP_KERNEL, 2);
    unsigned long free0 = nr_free_pages();
    SetPageFlag(block + 3, PG_lru);
    assert_non_null(strstr(stderr_of(put_order2, block), "PAGE_FLAGS_CHECK_AT_FREE"));
    assert_int_equal(nr_free_pages(), free0);

    /* What a user may leave behind is not bad: the frame comes back blank. */
    struct page *p = alloc_page(GFP_KERNEL);
    free0 = nr_free_pages();
    unsigned long bad0 = nr_bad_pages();
    SetPageFlag(p, PG_anon);
    SetPageFlag(p, PG_anon_exclusive);
    SetPageFlag(p, PG_swapbacked);
    SetPageFlag(p, PG_dirty);
    SetPageFlag(p, PG_uptodate);
    p->anon_vma = (struct anon_vma *)p;
    assert_string_equal(stderr_of(put, p), "");
    assert_int_equal(nr_bad_pages(), bad0);
    assert_int_equal(nr_free_pages(), free0 + 1);
    assert_null(p->mapping);
    assert_true(PageFlag(p, PG_buddy) || p->flags == 0); /* free: the head or a merged part */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_sizes),
        cmocka_unit_test(test_unmappable_size_fails_cleanly),
        cmocka_unit_test(test_reinit_cycles),
        cmocka_unit_test_setup_teardown(test_layout_256m, setup_256m, teardown),
        cmocka_unit_test_setup_teardown(test_layout_16m_largest_blocks, setup_16m, teardown),
        cmocka_unit_test_setup_teardown(test_watermarks, setup_256m, teardown),
        cmocka_unit_test_setup_teardown(test_watermarks_known_values, setup_256m, teardown),
        cmocka_unit_test_setup_teardown(test_reserved_frames, setup_16m, teardown),
        cmocka_unit_test_setup_teardown(test_split_and_coalesce, setup_256m, teardown),
        cmocka_unit_test_setup_teardown(test_higher_order_alignment, setup_256m, teardown),
        cmocka_unit_test_setup_teardown(test_fragmentation_heals, setup_256m, teardown),
        cmocka_unit_test_setup_teardown(test_exhaustion, setup_16m, teardown),
        cmocka_unit_test_setup_teardown(test_zone_selection_and_fallback, setup_256m, teardown),
        cmocka_unit_test(test_normal_zone),
        cmocka_unit_test_setup_teardown(test_gfp_zero, setup_256m, teardown),
        cmocka_unit_test_setup_teardown(test_gfp_zero_clears_once, setup_256m, teardown),
        cmocka_unit_test_setup_teardown(test_direct_map_and_alias, setup_256m, teardown),
        cmocka_unit_test_setup_teardown(test_refcount_and_put_page, setup_256m, teardown),
        cmocka_unit_test_setup_teardown(test_bad_page_checks, setup_256m, teardown),
        cmocka_unit_test_setup_teardown(test_pgalloc_counters, setup_256m, teardown),
        cmocka_unit_test_setup_teardown(test_buddyinfo_exact, setup_256m, teardown),
        cmocka_unit_test_setup_teardown(test_buddyinfo_matches_counters, setup_256m, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
