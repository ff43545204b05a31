/*
 * Reclaim, swap and the OOM killer at mm/'s own level: the x86-64 swap
 * entry encoding; MADV_PAGEOUT of anonymous pages into a swap file and
 * their return as major faults, slot counts and rss; a fork sharing a
 * swapped page; pressure from faults alone waking kswapd and swapping,
 * mlocked pages left alone;
 * the OOM killer's choice by badness and oom_score_adj; MADV_COLD;
 * MADV_FREE; SIGBUS for a slot that cannot be read; and that every frame
 * and slot comes back.
 */
#include "tests/unit/support/support.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "mm/fault.h"
#include "mm/internal.h"
#include "mm/mm_init.h"
#include "mm/mmap.h"
#include "mm/oom.h"
#include "mm/pgtable.h"
#include "mm/rmap.h"
#include "mm/swap.h"
#include "mm/uaccess.h"
#include "mm/vma_tree.h"
#include "mm/vmstat.h"

#define P PAGE_SIZE
#define ANON (MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED)
#define RW (PROT_READ | PROT_WRITE)
#define X 0x40000000UL
#define RAM (32UL << 20)
#define SWAP (64UL << 20)

static int setup_swap(void **state)
{
    (void)state;
    test_nr_oom_tasks = test_nr_oom_killed = 0;
    return mm_init(&(struct mm_settings){.ram_bytes = RAM, .swap_bytes = SWAP});
}

static int teardown(void **state)
{
    (void)state;
    mm_exit();
    return 0;
}

static struct mm_struct *new_mm(void)
{
    struct mm_struct *mm = mm_alloc(&vma_array_ops);
    assert_non_null(mm);
    return mm;
}

static enum fault_kind fault(struct mm_struct *mm, unsigned long addr, unsigned int flags,
                             struct fault_result *r)
{
    handle_mm_fault(mm, addr, flags, r);
    return r->kind;
}

/* Write a page-distinct pattern over [X, X + n pages). */
static void fill(struct mm_struct *mm, unsigned long n)
{
    for (unsigned long i = 0; i < n; i++) {
        unsigned long v[8] = {i, ~i, i * 7, 42};
        assert_int_equal(copy_to_user(mm, X + i * P + 64, v, sizeof(v)), 0);
    }
}

static void check(struct mm_struct *mm, unsigned long n)
{
    for (unsigned long i = 0; i < n; i++) {
        unsigned long v[8];
        assert_int_equal(copy_from_user(mm, v, X + i * P + 64, sizeof(v)), 0);
        assert_int_equal(v[0], i);
        assert_int_equal(v[1], ~i);
        assert_int_equal(v[2], i * 7);
    }
}

static pte_t pte_at(struct mm_struct *mm, unsigned long addr)
{
    pte_t *pte = pte_offset(mm, addr);
    return pte ? *pte : 0;
}

static unsigned long events(enum vm_event_item item)
{
    struct vm_counts c;
    vm_counts_collect(&c);
    return c.events[item];
}

/* Linux's x86-64 layout: not present, PROT_NONE clear, type on top, offset inverted. */
static void test_swap_entry_encoding(void **state)
{
    (void)state;
    swp_entry_t e = swp_entry(0, 12345);
    pte_t pte = swp_entry_to_pte(e);
    assert_false(pte & 1);          /* _PAGE_PRESENT */
    assert_false(pte & (1UL << 8)); /* _PAGE_PROTNONE */
    assert_true(is_swap_pte(pte));
    assert_int_equal(pte_to_swp_entry(pte).val, e.val);
    assert_int_equal((~pte >> 9) & 0xffff, 12345); /* the offset, inverted, from bit 9 */
    pte_t ex = pte_swp_mkexclusive(pte);
    assert_true(pte_swp_exclusive(ex));
    assert_int_equal(pte_to_swp_entry(ex).val, e.val);
    e = swp_entry(3, 1);
    assert_int_equal(swp_type(pte_to_swp_entry(swp_entry_to_pte(e))), 3);
}

/* MADV_PAGEOUT: each page to its slot, back as a major fault with its data, rss moved. */
static void test_pageout_and_swapin(void **state)
{
    (void)state;
    struct mm_struct *mm = new_mm();
    const unsigned long n = 64;
    assert_int_equal(do_mmap(mm, NULL, X, n * P, RW, ANON, 0), X);
    fill(mm, n);
    assert_int_equal(mm->rss[MM_ANONPAGES], n);
    unsigned long out = events(PSWPOUT), free_swap = nr_swap_pages();
    assert_int_equal(do_madvise(mm, X, n * P, MADV_PAGEOUT), 0);
    assert_int_equal(events(PSWPOUT) - out, n);
    assert_int_equal(free_swap - nr_swap_pages(), n);
    assert_int_equal(mm->rss[MM_ANONPAGES], 0);
    assert_int_equal(mm->rss[MM_SWAPENTS], n);
    assert_true(is_swap_pte(pte_at(mm, X)));
    assert_int_equal(swap_pte_count(pte_at(mm, X)), 1);
    assert_int_equal(validate_mm(mm), 0);

    struct fault_result r;
    assert_int_equal(fault(mm, X + 5 * P, FAULT_FLAG_USER, &r), FAULT_SWAP_IN);
    assert_true(r.major);
    /* The rest, in order: readahead (vm.page-cluster) serves most from the swap cache. */
    unsigned long maj = test_maj_flt, ra = events(SWAP_RA);
    check(mm, n);
    assert_true(test_maj_flt - maj < n / 2);
    assert_true(events(SWAP_RA) - ra > n / 2);
    assert_int_equal(mm->rss[MM_ANONPAGES], n);
    assert_int_equal(mm->rss[MM_SWAPENTS], 0);
    assert_int_equal(validate_mm(mm), 0);
    mmput(mm);
    swap_cache_drop_all();
    assert_int_equal(nr_swap_pages(), free_swap); /* every slot free again */
}

/* A page a fork shares is written once; both processes name the slot, both get the data back. */
static void test_fork_shares_slot(void **state)
{
    (void)state;
    struct mm_struct *parent = new_mm();
    assert_int_equal(do_mmap(parent, NULL, X, 4 * P, RW, ANON, 0), X);
    fill(parent, 4);
    unsigned long out = events(PSWPOUT);
    assert_int_equal(do_madvise(parent, X, 4 * P, MADV_PAGEOUT), 0);
    int err = 0;
    struct mm_struct *child = dup_mm(parent, &err);
    assert_non_null(child);
    assert_int_equal(child->rss[MM_SWAPENTS], 4);
    assert_int_equal(swap_pte_count(pte_at(child, X)), 2);
    assert_int_equal(events(PSWPOUT) - out, 4);
    check(child, 4);
    assert_int_equal(swap_pte_count(pte_at(parent, X)), 1); /* the child's entry went */
    check(parent, 4);
    assert_int_equal(validate_mm(parent), 0);
    assert_int_equal(validate_mm(child), 0);
    mmput(child);
    mmput(parent);
}

/* Faults alone, past RAM: kswapd is woken, direct reclaim swaps, and every page comes back. */
static void test_pressure_swaps(void **state)
{
    (void)state;
    struct mm_struct *mm = new_mm();
    const unsigned long n = (RAM + RAM / 2) / P;
    /* 32 locked pages below X: reclaim must leave every one of them mapped. */
    const unsigned long locked = X - 32 * P;
    assert_int_equal(do_mmap(mm, NULL, locked, 32 * P, RW, ANON | MAP_LOCKED, 0), locked);
    assert_int_equal(do_mmap(mm, NULL, X, n * P, RW, ANON, 0), X);
    unsigned long wakeups = test_kswapd_wakeups;
    for (unsigned long i = 0; i < n; i++) {
        unsigned long v[8] = {i, ~i, i * 7, 42};
        assert_int_equal(copy_to_user(mm, X + i * P + 64, v, sizeof(v)), 0);
        if (i % 64 == 63)
            kswapd_run(); /* where the scheduler would run it: between two system calls */
    }
    assert_true(test_kswapd_wakeups > wakeups);
    assert_true(events(PSWPOUT) > n / 3);
    assert_true(mm->rss[MM_SWAPENTS] > 0);
    for (unsigned long a = locked; a < X; a += P)
        assert_true(pte_present(pte_at(mm, a)));
    assert_int_equal(do_madvise(mm, locked, 32 * P, MADV_PAGEOUT), -EINVAL); /* as Linux */
    check(mm, n);
    assert_int_equal(validate_mm(mm), 0);
    assert_int_equal(test_nr_oom_killed, 0);
    mmput(mm);
}

/* The OOM killer takes the biggest, never one with oom_score_adj -1000, and says so. */
static void test_oom_badness(void **state)
{
    (void)state;
    struct mm_struct *big = new_mm(), *small = new_mm();
    assert_int_equal(do_mmap(big, NULL, X, 256 * P, RW, ANON, 0), X);
    assert_int_equal(do_mmap(small, NULL, X, 16 * P, RW, ANON, 0), X);
    fill(big, 256);
    fill(small, 16);
    test_oom_tasks[0] = (struct oom_task){.mm = small, .pid = 1000, .comm = "small"};
    test_oom_tasks[1] = (struct oom_task){.mm = big, .pid = 1001, .comm = "big"};
    test_nr_oom_tasks = 2;
    assert_true(oom_badness(&test_oom_tasks[1], totalram_pages()) >
                oom_badness(&test_oom_tasks[0], totalram_pages()));
    /* /proc's scale: 666 for nothing, 1333 with +1000; 0 for -1000. */
    assert_true(oom_score(&test_oom_tasks[0]) >= 666);
    test_oom_tasks[1].oom_score_adj = OOM_SCORE_ADJ_MIN;
    assert_int_equal(oom_score(&test_oom_tasks[1]), 0);
    unsigned long kills = events(OOM_KILL);
    assert_true(out_of_memory(GFP_KERNEL, 0)); /* another process died: try again */
    assert_int_equal(test_nr_oom_killed, 1);
    assert_int_equal(test_oom_killed[0], 1000); /* big is protected */
    assert_int_equal(events(OOM_KILL) - kills, 1);
    assert_int_equal(small->rss[MM_ANONPAGES], 0); /* reaped at once */
    /* A victim is still dying: nobody else is killed meanwhile. */
    test_oom_tasks[1].oom_score_adj = 0;
    test_oom_tasks[0].dying = true;
    small->oom_skip = false;
    assert_false(out_of_memory(GFP_KERNEL, 0));
    assert_int_equal(test_nr_oom_killed, 1);
    test_nr_oom_tasks = 0;
    mmput(small);
    mmput(big);
}

/* MADV_COLD: the pages stay, but on the inactive list and no longer referenced. */
static void test_cold(void **state)
{
    (void)state;
    struct mm_struct *mm = new_mm();
    assert_int_equal(do_mmap(mm, NULL, X, 8 * P, RW, ANON, 0), X);
    fill(mm, 8);
    unsigned long vm_flags;
    struct page *page = pfn_to_page(pte_pfn(pte_at(mm, X)));
    activate_page(page);
    assert_true(PageFlag(page, PG_active));
    assert_int_equal(do_madvise(mm, X, 8 * P, MADV_COLD), 0);
    assert_false(PageFlag(page, PG_active));
    assert_int_equal(page_referenced(page, &vm_flags), 0); /* the accessed bit was cleared */
    assert_true(pte_present(pte_at(mm, X)));
    check(mm, 8);
    mmput(mm);
}

/*
 * MADV_FREE: reclaim drops lazily freeable pages without swapping them
 * (they read back as zeroes), except one written again after the advice,
 * which keeps its data.
 */
static void test_lazyfree(void **state)
{
    (void)state;
    struct mm_struct *mm = new_mm();
    assert_int_equal(do_mmap(mm, NULL, X, 8 * P, RW, ANON, 0), X);
    fill(mm, 8);
    assert_int_equal(do_madvise(mm, X, 8 * P, MADV_FREE), 0);
    unsigned long again = 0xabcdef;
    assert_int_equal(copy_to_user(mm, X + 3 * P, &again, sizeof(again)), 0);
    unsigned long out = events(PSWPOUT), freed = events(PGLAZYFREED);
    assert_int_equal(do_madvise(mm, X, 8 * P, MADV_PAGEOUT), 0);
    assert_int_equal(events(PGLAZYFREED) - freed, 7);
    /* The page written again is swap-backed again and kept, this time, as in Linux. */
    assert_int_equal(events(PSWPOUT) - out, 0);
    assert_true(pte_present(pte_at(mm, X + 3 * P)));
    unsigned long v = 1;
    assert_int_equal(copy_from_user(mm, &v, X + 64, sizeof(v)), 0);
    assert_int_equal(v, 0); /* dropped: a fresh zero page */
    assert_int_equal(copy_from_user(mm, &v, X + 3 * P, sizeof(v)), 0);
    assert_int_equal(v, again);
    assert_int_equal(validate_mm(mm), 0);
    mmput(mm);
}

/* A slot that cannot be read back (the swap file was cut short) is SIGBUS, never a wrong page. */
static void test_swap_read_error(void **state)
{
    (void)state;
    char path[4096];
    const char *dir = getenv("TMPDIR");
    snprintf(path, sizeof(path), "%s/vmemu-test-swap.XXXXXX", dir && *dir ? dir : "/tmp");
    int fd = mkstemp(path); /* a file of its own, removed at the end */
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(mm_init(&(struct mm_settings){
                         .ram_bytes = RAM, .swap_bytes = 1UL << 20, .swap_file = path}),
                     0);
    struct mm_struct *mm = new_mm();
    assert_int_equal(do_mmap(mm, NULL, X, 4 * P, RW, ANON, 0), X);
    fill(mm, 4);
    assert_int_equal(do_madvise(mm, X, 4 * P, MADV_PAGEOUT), 0);
    assert_int_equal(truncate(path, P), 0); /* only the header is left */
    struct fault_result r;
    assert_int_equal(fault(mm, X, FAULT_FLAG_USER, &r), FAULT_SIGBUS);
    assert_true(swap_read_errors() > 0);
    mmput(mm);
    mm_exit();
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_swap_entry_encoding),
        cmocka_unit_test_setup_teardown(test_pageout_and_swapin, setup_swap, teardown),
        cmocka_unit_test_setup_teardown(test_fork_shares_slot, setup_swap, teardown),
        cmocka_unit_test_setup_teardown(test_pressure_swaps, setup_swap, teardown),
        cmocka_unit_test_setup_teardown(test_oom_badness, setup_swap, teardown),
        cmocka_unit_test_setup_teardown(test_cold, setup_swap, teardown),
        cmocka_unit_test_setup_teardown(test_lazyfree, setup_swap, teardown),
        cmocka_unit_test(test_swap_read_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
