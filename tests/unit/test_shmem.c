/*
 * Shared anonymous memory is counted as shmem: Shmem, Cached and Mapped
 * system-wide and RssShmem per mm, never AnonPages or RssAnon; reads get
 * their own frames (no zero page), and unmapping gives every page back.
 */
#include <sys/mman.h>

#include "mm/fault.h"
#include "mm/mmap.h"
#include "mm/pgtable.h"
#include "mm/vma_tree.h"
#include "mm/vmstat.h"
#include "tests/unit/support/support.h"

static void test_shared_anon_is_shmem(void **state)
{
    (void)state;
    struct vm_counts before, after;
    unsigned long free0 = test_free_or_slab_pages(); /* before the mm: its tables come back too */
    struct mm_struct *mm = mm_alloc(&vma_maple_ops);
    assert_non_null(mm);
    unsigned long addr =
        do_mmap(mm, NULL, 0, 8 * PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, 0);
    assert_false(IS_ERR_VALUE(addr));
    vm_counts_collect(&before);
    for (int i = 0; i < 8; i++) {
        struct fault_result r;
        handle_mm_fault(mm, addr + (unsigned long)i * PAGE_SIZE, i % 2 ? FAULT_FLAG_WRITE : 0, &r);
        assert_int_equal(r.kind, FAULT_ANON_NEW);
        assert_int_not_equal(r.pfn, zero_pfn);
    }
    vm_counts_collect(&after);
    assert_int_equal(after.node[NR_SHMEM] - before.node[NR_SHMEM], 8);
    assert_int_equal(after.node[NR_FILE_PAGES] - before.node[NR_FILE_PAGES], 8);
    assert_int_equal(after.node[NR_FILE_MAPPED] - before.node[NR_FILE_MAPPED], 8);
    assert_int_equal(after.node[NR_ANON_MAPPED], before.node[NR_ANON_MAPPED]);
    assert_int_equal(mm->rss[MM_SHMEMPAGES], 8);
    assert_int_equal(mm->rss[MM_ANONPAGES], 0);

    assert_int_equal(do_munmap(mm, addr, 8 * PAGE_SIZE), 0);
    vm_counts_collect(&after);
    assert_int_equal(after.node[NR_SHMEM], before.node[NR_SHMEM]);
    assert_int_equal(mm->rss[MM_SHMEMPAGES], 0);
    mmput(mm);
    assert_int_equal(test_free_or_slab_pages(), free0); /* every frame back: no leak */
}

/* Private anonymous memory stays AnonPages. */
static void test_private_anon_is_not_shmem(void **state)
{
    (void)state;
    struct vm_counts before, after;
    struct mm_struct *mm = mm_alloc(&vma_maple_ops);
    assert_non_null(mm);
    unsigned long addr =
        do_mmap(mm, NULL, 0, 4 * PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, 0);
    vm_counts_collect(&before);
    for (int i = 0; i < 4; i++) {
        struct fault_result r;
        handle_mm_fault(mm, addr + (unsigned long)i * PAGE_SIZE, FAULT_FLAG_WRITE, &r);
        assert_int_equal(r.kind, FAULT_ANON_NEW);
    }
    vm_counts_collect(&after);
    assert_int_equal(after.node[NR_ANON_MAPPED] - before.node[NR_ANON_MAPPED], 4);
    assert_int_equal(after.node[NR_SHMEM], before.node[NR_SHMEM]);
    assert_int_equal(mm->rss[MM_ANONPAGES], 4);
    assert_int_equal(mm->rss[MM_SHMEMPAGES], 0);
    mmput(mm);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_shared_anon_is_shmem, test_mm_setup, test_mm_teardown),
        cmocka_unit_test_setup_teardown(test_private_anon_is_not_shmem, test_mm_setup,
                                        test_mm_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
