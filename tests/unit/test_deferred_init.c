/*
 * Deferred struct page init (mm/deferred_init.c): sections are set up from
 * a zone's top down, only when the buddy allocator reaches them, and the
 * allocator then behaves exactly as after eager boot: the same frames in
 * the same order for any sequence of allocations and frees, the same free
 * lists, the same counters; a deferred frame reads (pfn_page_peek) as eager
 * boot's struct page; and a section never needed costs the host nothing.
 */
#define _GNU_SOURCE
#include "tests/unit/support/support.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "mm/mmzone.h"
#include "mm/page.h"

#define MIB (1ULL << 20)
#define SECTION_PAGES DEFERRED_SECTION_PAGES
#define SECTION_BLOCKS (SECTION_PAGES / 1024) /* whole 4 MiB blocks in a section */
#define STEPS 6000

static struct zone *zone_of(enum zone_type z)
{
    return &contig_page_data.node_zones[z];
}

/* The sizes: 256 MiB, an odd 1101 MiB (small boot blocks at both ends of DMA32),
 * and past 4 GiB with a partial last section in Normal. */
static const uint64_t sizes[] = {256 * MIB, 1101 * MIB, 4096 * MIB + 200 * MIB + 12 * 1024};

/* What a run did: every frame handed out (or -1), and the lists at the end. */
struct run {
    long pfn[STEPS];
    unsigned long counters[MAX_NR_ZONES][MAX_ORDER + 1];
    unsigned long *lists; /* per zone and order, the list's frames head first, 0-separated */
    size_t nr_lists;
    unsigned long set_up; /* frames whose struct page the workload made set up */
};

static unsigned long max_pfn_of(uint64_t bytes)
{
    return (unsigned long)(bytes >> PAGE_SHIFT);
}

static unsigned long next_rand(unsigned long *seed)
{
    *seed = *seed * 6364136223846793005UL + 1442695040888963407UL;
    return *seed >> 33;
}

/*
 * A seeded mix of allocations (order 0 mostly, some 1-3 and whole 4 MiB
 * blocks, from every zone mask) and frees of random held blocks; no
 * watermark or reclaim in the way (__GFP_MEMALLOC), allocations fail when
 * a zone mask's memory is gone.
 */
static void workload(struct run *r, unsigned long seed)
{
    static const gfp_t masks[] = {GFP_KERNEL, GFP_HIGHUSER_MOVABLE, __GFP_DMA32, __GFP_DMA};
    static const unsigned int orders[] = {0, 0, 0, 0, 0, 0, 1, 2, 3, 10};
    struct page *held[STEPS];
    unsigned int held_order[STEPS];
    size_t n = 0;
    for (int i = 0; i < STEPS; i++) {
        r->pfn[i] = -2;
        if (n && next_rand(&seed) % 10 < 4) {
            size_t k = next_rand(&seed) % n;
            __free_pages(held[k], held_order[k]);
            held[k] = held[--n];
            held_order[k] = held_order[n];
            continue;
        }
        unsigned int order = orders[next_rand(&seed) % 10];
        gfp_t gfp = masks[next_rand(&seed) % 4] | __GFP_MEMALLOC | __GFP_NOINJECT;
        struct page *p = alloc_pages(gfp, order);
        r->pfn[i] = p ? (long)page_to_pfn(p) : -1;
        if (p) {
            held[n] = p;
            held_order[n++] = order;
        }
    }
    while (n--)
        __free_pages(held[n], held_order[n]);
    for (int z = 0; z < MAX_NR_ZONES; z++) {
        for (int o = 0; o < MAX_ORDER; o++)
            r->counters[z][o] = zone_of(z)->free_area[o].nr_free;
        r->counters[z][MAX_ORDER] = zone_of(z)->free_pages;
    }
}

/* Every list, head to tail, after setting up what is still deferred (as it would be walked). */
static void record_lists(struct run *r)
{
    deferred_init_all();
    r->lists = malloc((max_pfn + MAX_NR_ZONES * MAX_ORDER) * sizeof(*r->lists));
    assert_non_null(r->lists);
    r->nr_lists = 0;
    for (int z = 0; z < MAX_NR_ZONES; z++) {
        for (int o = 0; o < MAX_ORDER; o++) {
            struct page *p;
            list_for_each_entry(p, &zone_of(z)->free_area[o].free_list, lru)
                r->lists[r->nr_lists++] = page_to_pfn(p) + 1;
            r->lists[r->nr_lists++] = 0;
        }
    }
}

static void run_once(struct run *r, uint64_t bytes, bool eager, unsigned long seed)
{
    assert_int_equal(phys_init(bytes), 0);
    if (eager)
        deferred_init_all();
    workload(r, seed);
    r->set_up = max_pfn - deferred_frames();
    record_lists(r);
    phys_exit();
}

/* The same frames in the same order, the same counters and lists, lazily or eagerly. */
static void test_same_frames_as_eager(void **state)
{
    (void)state;
    struct run *lazy = calloc(1, sizeof(*lazy)), *eager = calloc(1, sizeof(*eager));
    assert_non_null(lazy);
    assert_non_null(eager);
    for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
        for (unsigned long seed = 1; seed <= (s < 2 ? 2UL : 1UL); seed++) {
            run_once(eager, sizes[s], true, seed);
            run_once(lazy, sizes[s], false, seed);
            long handed = 0;
            for (int i = 0; i < STEPS; i++) {
                assert_int_equal(lazy->pfn[i], eager->pfn[i]);
                handed += lazy->pfn[i] >= 0;
            }
            assert_true(handed > STEPS / 3);
            /* The lazy run went through several sections, and not through all of them. */
            assert_true(lazy->set_up >= 2 * SECTION_PAGES);
            assert_true(lazy->set_up < max_pfn_of(sizes[s]) || s == 0);
            assert_memory_equal(lazy->counters, eager->counters, sizeof(lazy->counters));
            assert_int_equal(lazy->nr_lists, eager->nr_lists);
            assert_memory_equal(lazy->lists, eager->lists, lazy->nr_lists * sizeof(*lazy->lists));
            free(lazy->lists);
            free(eager->lists);
        }
    }
    free(lazy);
    free(eager);
}

/* Before anything is set up, every frame reads as eager boot wrote it. */
static void test_peek_matches_eager(void **state)
{
    (void)state;
    for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
        assert_int_equal(phys_init(sizes[s]), 0);
        deferred_init_all();
        unsigned long n = max_pfn;
        struct page *want = malloc(n * sizeof(*want));
        assert_non_null(want);
        memcpy(want, mem_map, n * sizeof(*want));
        phys_exit();

        assert_int_equal(phys_init(sizes[s]), 0);
        /* Odd sizes set up at boot a zone's top section, and its bottom up to the section
         * where mem_map ends (its small blocks). */
        unsigned long deferred = deferred_frames();
        unsigned long reserved = (n * sizeof(struct page) + PAGE_SIZE - 1) / PAGE_SIZE;
        assert_true(deferred + reserved + 4 * SECTION_PAGES > n);
        assert_true(deferred == n || sizes[s] % (256 * MIB));
        struct page scratch;
        unsigned long heads = 0;
        for (unsigned long pfn = 0; pfn < n; pfn++) {
            const struct page *got = pfn_page_peek(pfn, &scratch);
            assert_ptr_equal(got, pfn_deferred_span(pfn) ? &scratch : pfn_to_page(pfn));
            assert_int_equal(got->flags, want[pfn].flags);
            assert_int_equal(got->refcount, want[pfn].refcount);
            assert_int_equal(got->mapcount, want[pfn].mapcount);
            assert_int_equal(got->private, want[pfn].private);
            assert_null(got->mapping);
            heads += PageFlag(got, PG_buddy);
        }
        unsigned long blocks = 0;
        for (int z = 0; z < MAX_NR_ZONES; z++)
            for (int o = 0; o < MAX_ORDER; o++)
                blocks += zone_of(z)->free_area[o].nr_free;
        assert_int_equal(heads, blocks);
        /* Once set up, the frame's own struct page is what peek returns. */
        deferred_init_all();
        assert_ptr_equal(pfn_page_peek(n - 1, &scratch), pfn_to_page(n - 1));
        assert_int_equal(deferred_frames(), 0);
        phys_exit();
        free(want);
    }
}

/* Host pages of mem_map resident in [first, first + len). */
static unsigned long resident_pages(const void *first, size_t len)
{
    size_t pages = len / (size_t)sysconf(_SC_PAGESIZE);
    unsigned char *vec = malloc(pages);
    assert_non_null(vec);
    assert_int_equal(mincore((void *)first, len, vec), 0);
    unsigned long n = 0;
    for (size_t i = 0; i < pages; i++)
        n += vec[i] & 1;
    free(vec);
    return n;
}

/* One allocation sets up one section, the zone's top one; the rest stays unwritten. */
static void test_one_section_at_a_time(void **state)
{
    (void)state;
    assert_int_equal(phys_init(1024 * MIB), 0); /* DMA and DMA32 */
    struct zone *dma32 = zone_of(ZONE_DMA32);
    unsigned long total = max_pfn;
    unsigned long free_before = nr_free_pages();
    assert_int_equal(deferred_frames(), total);
    assert_int_equal(dma32->nr_deferred[MAX_ORDER - 1], dma32->free_area[MAX_ORDER - 1].nr_free);
    size_t memmap_bytes = total * sizeof(struct page);
    assert_int_equal(resident_pages(mem_map, memmap_bytes), 0);

    struct page *p = alloc_pages(GFP_KERNEL | __GFP_NOINJECT, 0);
    assert_non_null(p);
    assert_int_equal(page_to_pfn(p), total - 1024); /* the highest 4 MiB block, split */
    assert_int_equal(deferred_frames(), total - SECTION_PAGES);
    assert_int_equal(dma32->deferred_end_pfn, total - SECTION_PAGES);
    assert_int_equal(pfn_deferred_span(0), 4096);
    assert_int_equal(pfn_deferred_span(4096), total - SECTION_PAGES - 4096);
    assert_int_equal(pfn_deferred_span(total - SECTION_PAGES), 0);
    assert_int_equal(nr_free_pages(), free_before - 1);
    /* The section's mem_map was written; nothing below it. */
    size_t host_page = (size_t)sysconf(_SC_PAGESIZE);
    size_t section_bytes = SECTION_PAGES * sizeof(struct page);
    assert_int_equal(resident_pages(mem_map, memmap_bytes - section_bytes), 0);
    assert_int_equal(resident_pages((char *)mem_map + memmap_bytes - section_bytes, section_bytes),
                     section_bytes / host_page);

    /* The section's other whole blocks came with it: taking them sets up no new section. */
    struct page *big[SECTION_BLOCKS];
    for (unsigned long i = 0; i + 1 < SECTION_BLOCKS; i++) {
        big[i] = alloc_pages(GFP_KERNEL | __GFP_NOINJECT, MAX_ORDER - 1);
        assert_non_null(big[i]);
        assert_int_equal(page_to_pfn(big[i]), total - 1024UL * (i + 2));
    }
    assert_int_equal(deferred_frames(), total - SECTION_PAGES);
    big[SECTION_BLOCKS - 1] = alloc_pages(GFP_KERNEL | __GFP_NOINJECT, MAX_ORDER - 1);
    assert_int_equal(page_to_pfn(big[SECTION_BLOCKS - 1]), total - SECTION_PAGES - 1024);
    assert_int_equal(deferred_frames(), total - 2 * SECTION_PAGES);
    for (unsigned long i = 0; i < SECTION_BLOCKS; i++)
        __free_pages(big[i], MAX_ORDER - 1);
    __free_page(p);
    assert_int_equal(nr_free_pages(), free_before);
    phys_exit();
}

/*
 * An odd size whose mem_map ends off a 4 MiB boundary far into DMA32: the
 * small blocks above it are linked at boot with the zone's top, so small
 * allocations from DMA32 set up nothing more, and most frames stay deferred.
 */
static void test_odd_size_stays_deferred(void **state)
{
    (void)state;
    assert_int_equal(phys_init(16001 * MIB), 0); /* mem_map ends at frame 64004 */
    struct zone *dma32 = zone_of(ZONE_DMA32);
    unsigned long deferred = deferred_frames();
    assert_true(deferred > max_pfn - 64004 - 3 * SECTION_PAGES);
    for (unsigned int o = 0; o < MAX_ORDER - 1; o++)
        assert_int_equal(dma32->nr_deferred[o], 0); /* every small block is on its list */
    struct page *p[4];
    for (unsigned int o = 0; o < 4; o++) {
        p[o] = alloc_pages(__GFP_DMA32 | __GFP_NOINJECT, o);
        assert_non_null(p[o]);
        assert_true(page_to_pfn(p[o]) < 65536); /* the bottom's small blocks, as eager boot */
    }
    assert_int_equal(deferred_frames(), deferred);
    for (unsigned int o = 0; o < 4; o++)
        __free_pages(p[o], o);
    phys_exit();
}

/*
 * A zone taken down to its last frame sets up every section holding a free
 * block, and only those: mem_map's own frames (reserved, never handed out)
 * stay deferred where a zone holds nothing else, and still read as reserved.
 */
static void test_drain_and_refill(void **state)
{
    (void)state;
    struct page scratch;
    assert_int_equal(phys_init(1024 * MIB), 0); /* mem_map is 16 MiB: all of DMA */
    assert_null(alloc_pages(__GFP_DMA | __GFP_MEMALLOC | __GFP_NOINJECT, 0));
    assert_int_equal(deferred_frames(), max_pfn);
    assert_true(PageFlag(pfn_page_peek(0, &scratch), PG_reserved));
    assert_true(PageFlag(pfn_page_peek(4095, &scratch), PG_reserved));
    assert_false(PageFlag(pfn_page_peek(4096, &scratch), PG_reserved));
    phys_exit();

    assert_int_equal(phys_init(256 * MIB), 0); /* mem_map 4 MiB, DMA32 60 whole blocks */
    struct zone *dma = zone_of(ZONE_DMA), *dma32 = zone_of(ZONE_DMA32);
    unsigned long blocks = dma32->free_area[MAX_ORDER - 1].nr_free;
    assert_int_equal(blocks, 60);
    struct page *v[60];
    for (unsigned long i = 0; i < blocks; i++) {
        v[i] = alloc_pages(__GFP_DMA32 | __GFP_MEMALLOC | __GFP_NOINJECT, MAX_ORDER - 1);
        assert_non_null(v[i]);
        assert_int_equal(page_to_pfn(v[i]), max_pfn - 1024 * (i + 1));
    }
    assert_int_equal(dma32->deferred_end_pfn, dma32->zone_start_pfn);
    assert_int_equal(dma->deferred_end_pfn, 4096); /* DMA's own section: not needed yet */
    assert_int_equal(deferred_frames(), 4096);
    for (int o = 0; o < MAX_ORDER; o++)
        assert_int_equal(dma32->nr_deferred[o], 0);
    /* DMA32 is empty: order 0 falls back to DMA, whose top section is set up for it. */
    struct page *p = alloc_pages(__GFP_DMA32 | __GFP_MEMALLOC | __GFP_NOINJECT, 0);
    assert_non_null(p);
    assert_int_equal(page_to_pfn(p), 3072); /* DMA's highest 4 MiB block, split */
    assert_int_equal(deferred_frames(), 4096 - SECTION_PAGES);
    assert_true(PageFlag(pfn_page_peek(0, &scratch), PG_reserved));
    /* DMA's two other whole blocks, down to the last one above mem_map. */
    struct page *dma_blocks[2];
    for (int i = 0; i < 2; i++) {
        dma_blocks[i] = alloc_pages(__GFP_DMA | __GFP_MEMALLOC | __GFP_NOINJECT, MAX_ORDER - 1);
        assert_non_null(dma_blocks[i]);
    }
    assert_int_equal(page_to_pfn(dma_blocks[1]), 1024);
    assert_int_equal(deferred_frames(), 0);
    assert_true(PageFlag(pfn_to_page(0), PG_reserved));
    assert_int_equal(pfn_to_page(0)->refcount, 1);
    for (int i = 0; i < 2; i++)
        __free_pages(dma_blocks[i], MAX_ORDER - 1);
    __free_page(p);
    for (unsigned long i = 0; i < blocks; i++)
        __free_pages(v[i], MAX_ORDER - 1);
    assert_int_equal(dma32->free_pages, dma32->managed_pages);
    assert_int_equal(dma->free_pages, dma->managed_pages);
    phys_exit();
}

/* A failed test leaves RAM set up: the next one starts afresh. */
static int teardown(void **state)
{
    (void)state;
    phys_exit();
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_same_frames_as_eager, teardown),
        cmocka_unit_test_teardown(test_peek_matches_eager, teardown),
        cmocka_unit_test_teardown(test_one_section_at_a_time, teardown),
        cmocka_unit_test_teardown(test_odd_size_stays_deferred, teardown),
        cmocka_unit_test_teardown(test_drain_and_refill, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
