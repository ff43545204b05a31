/*
 * Access monitoring (mm/damon.c): a region the "CPU" touches between
 * samples counts every sample, an untouched one none; regions follow the
 * VMAs as they change, adapt to a hot half of a mapping, stay within their
 * bounds, and repeat exactly with the same seed. The CPU here is
 * mm_translate, which sets accessed bits as the emulated CPU's TLB fill
 * does.
 */
#include "tests/unit/support/support.h"

#include <string.h>
#include <sys/mman.h>

#include "mm/damon.h"
#include "mm/fault.h"
#include "mm/internal.h"
#include "mm/mmap.h"
#include "mm/pgtable.h"
#include "mm/vma_tree.h"

#define P PAGE_SIZE
#define HOT 0x40000000UL
#define COLD 0x50000000UL
#define NPAGES 64
#define SAMPLES 20

static struct mm_struct *mm_with_two_areas(void)
{
    struct mm_struct *mm = mm_alloc(&vma_array_ops);
    assert_non_null(mm);
    unsigned long flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED;
    assert_int_equal(do_mmap(mm, NULL, HOT, NPAGES * P, PROT_READ | PROT_WRITE, flags, 0), HOT);
    assert_int_equal(do_mmap(mm, NULL, COLD, NPAGES * P, PROT_READ | PROT_WRITE, flags, 0), COLD);
    /* Both areas resident, so that only the accessed bits tell them apart. */
    for (unsigned long i = 0; i < NPAGES; i++) {
        struct fault_result r;
        handle_mm_fault(mm, HOT + i * P, FAULT_FLAG_WRITE | FAULT_FLAG_USER, &r);
        handle_mm_fault(mm, COLD + i * P, FAULT_FLAG_WRITE | FAULT_FLAG_USER, &r);
    }
    return mm;
}

/* What the CPU does between two samples: read pages [first, first + n) of HOT. */
static void touch(struct mm_struct *mm, unsigned long first, unsigned long n)
{
    for (unsigned long i = first; i < first + n; i++) {
        uint64_t pa;
        unsigned int prot;
        assert_true(mm_translate(mm, HOT + i * P, MMU_READ, &pa, &prot));
    }
}

/* Sorted, page aligned, non-empty, each inside a VMA, within the bounds. */
static void check_regions(struct damon_ctx *ctx, struct damon_target *t)
{
    assert_true(t->nr_regions <= ctx->max_regions);
    for (unsigned int i = 0; i < t->nr_regions; i++) {
        const struct damon_region *r = &t->regions[i];
        assert_true(r->start < r->end);
        assert_int_equal(r->start & ~PAGE_MASK, 0);
        assert_int_equal(r->end & ~PAGE_MASK, 0);
        if (i)
            assert_true(t->regions[i - 1].end <= r->start);
        struct vm_area_struct *v = find_vma(t->mm, r->start);
        assert_non_null(v);
        assert_true(v->vm_start <= r->start && r->end <= v->vm_end);
        assert_true(r->sampling_addr >= r->start && r->sampling_addr < r->end);
    }
}

/* A monitor of mm with its first regions (and their first sampling pages). */
static void start(struct damon_ctx *ctx, struct damon_target *t, struct mm_struct *mm,
                  unsigned int min, unsigned int max, uint64_t seed)
{
    damon_ctx_init(ctx, min, max, seed);
    damon_target_init(t, mm);
    assert_true(damon_update(ctx, t));
}

static void stop(struct damon_target *t)
{
    struct mm_struct *mm = t->mm;
    damon_target_free(t);
    mmput(mm);
}

/* One aggregation of SAMPLES samples, the CPU touching hot pages [0, hot_pages) each time. */
static void aggregate_once(struct damon_ctx *ctx, struct damon_target *t, unsigned long hot_pages)
{
    for (int s = 0; s < SAMPLES; s++) {
        touch(t->mm, 0, hot_pages);
        damon_sample(ctx, t);
    }
}

static void next_aggregation(struct damon_ctx *ctx, struct damon_target *t)
{
    assert_true(damon_aggregate(ctx, t));
    assert_true(damon_update(ctx, t));
    check_regions(ctx, t);
}

static void test_hot_and_cold(void **state)
{
    (void)state;
    struct mm_struct *mm = mm_with_two_areas();
    struct damon_ctx ctx;
    struct damon_target t;
    damon_ctx_init(&ctx, 10, 100, 0);
    damon_target_init(&t, mm);
    unsigned long flushes = test_tlb_flushes;
    assert_true(damon_update(&ctx, &t));
    check_regions(&ctx, &t);
    assert_true(t.nr_regions >= 10);
    assert_true(test_tlb_flushes > flushes); /* fresh entries are young: clearing them flushes */
    for (int round = 0; round < 5; round++) {
        aggregate_once(&ctx, &t, NPAGES);
        for (unsigned int i = 0; i < t.nr_regions; i++) {
            const struct damon_region *r = &t.regions[i];
            assert_int_equal(r->nr_accesses, r->start >= COLD ? 0 : SAMPLES);
        }
        next_aggregation(&ctx, &t);
    }
    /* A cleared bit that was set leaves PG_young behind for other readers of it. */
    pte_t *pte = pte_offset(mm, t.regions[0].sampling_addr);
    assert_non_null(pte);
    assert_false(pte_young(*pte));
    assert_true(PageFlag(pfn_to_page(pte_pfn(*pte)), PG_young));
    stop(&t);
}

/*
 * A third of HOT is touched: after a few aggregations the regions' edges
 * have moved to where the hot part ends (the initial halving does not put
 * one there), so almost every page's region tells whether it was used.
 */
static void test_regions_find_a_hot_third(void **state)
{
    (void)state;
    struct mm_struct *mm = mm_with_two_areas();
    struct damon_ctx ctx;
    struct damon_target t;
    start(&ctx, &t, mm, 4, 100, 7);
    for (int round = 0; round < 8; round++) {
        aggregate_once(&ctx, &t, NPAGES / 3);
        if (round < 7)
            next_aggregation(&ctx, &t);
    }
    unsigned long right = 0;
    for (unsigned int i = 0; i < t.nr_regions; i++) {
        const struct damon_region *r = &t.regions[i];
        if (r->start >= COLD)
            continue;
        for (unsigned long a = r->start; a < r->end; a += P) {
            bool hot = a < HOT + NPAGES / 3 * P;
            if ((hot && r->nr_accesses >= SAMPLES * 3 / 4) ||
                (!hot && r->nr_accesses <= SAMPLES / 4))
                right++;
        }
    }
    assert_true(right >= NPAGES * 9 / 10);
    stop(&t);
}

static void test_regions_follow_vmas(void **state)
{
    (void)state;
    struct mm_struct *mm = mm_with_two_areas();
    struct damon_ctx ctx;
    struct damon_target t;
    start(&ctx, &t, mm, 10, 100, 0);
    /* Unmap the cold area's upper half and map a new area: regions leave and arrive. */
    assert_int_equal(do_munmap(mm, COLD + NPAGES / 2 * P, NPAGES / 2 * P), 0);
    unsigned long fresh = 0x60000000UL;
    assert_int_equal(
        do_mmap(mm, NULL, fresh, 8 * P, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, 0),
        fresh);
    next_aggregation(&ctx, &t);
    unsigned long covered = 0;
    for (unsigned int i = 0; i < t.nr_regions; i++) {
        assert_true(t.regions[i].end <= COLD + NPAGES / 2 * P || t.regions[i].start >= fresh);
        covered += t.regions[i].end - t.regions[i].start;
    }
    assert_int_equal(covered, (NPAGES + NPAGES / 2 + 8) * P); /* every mapped byte, nothing else */
    stop(&t);
}

/* Two monitors with one seed, on two identical address spaces, agree region for region. */
static void test_same_seed_same_regions(void **state)
{
    (void)state;
    struct mm_struct *ma = mm_with_two_areas(), *mb = mm_with_two_areas();
    struct damon_ctx a, b;
    struct damon_target ta, tb;
    start(&a, &ta, ma, 4, 50, 42);
    start(&b, &tb, mb, 4, 50, 42);
    for (int round = 0; round < 4; round++) {
        for (int s = 0; s < SAMPLES; s++) {
            touch(ma, (unsigned long)s % 3, NPAGES / 3);
            damon_sample(&a, &ta);
            touch(mb, (unsigned long)s % 3, NPAGES / 3);
            damon_sample(&b, &tb);
        }
        assert_int_equal(ta.nr_regions, tb.nr_regions);
        assert_memory_equal(ta.regions, tb.regions, ta.nr_regions * sizeof(*ta.regions));
        next_aggregation(&a, &ta);
        next_aggregation(&b, &tb);
    }
    stop(&ta);
    stop(&tb);
}

/* A mapping of many pages never grows past max_regions, however the counts fall. */
static void test_ceiling(void **state)
{
    (void)state;
    struct mm_struct *mm = mm_with_two_areas();
    struct damon_ctx ctx;
    struct damon_target t;
    start(&ctx, &t, mm, 3, 12, 3);
    for (int round = 0; round < 12; round++) {
        for (int s = 0; s < SAMPLES; s++) {
            touch(mm, (unsigned long)(s * 7 + round) % NPAGES, 1); /* a scattered pattern */
            damon_sample(&ctx, &t);
        }
        next_aggregation(&ctx, &t);
        assert_true(t.nr_regions >= 3);
    }
    stop(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_hot_and_cold, test_mm_setup, test_mm_teardown),
        cmocka_unit_test_setup_teardown(test_regions_find_a_hot_third, test_mm_setup,
                                        test_mm_teardown),
        cmocka_unit_test_setup_teardown(test_regions_follow_vmas, test_mm_setup, test_mm_teardown),
        cmocka_unit_test_setup_teardown(test_same_seed_same_regions, test_mm_setup,
                                        test_mm_teardown),
        cmocka_unit_test_setup_teardown(test_ceiling, test_mm_setup, test_mm_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
