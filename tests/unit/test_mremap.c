/*
 * mremap (grow in place, move, MREMAP_FIXED, MREMAP_DONTUNMAP, shrink and
 * Linux's errors), mincore, mlock accounting and the commit counter, each
 * on a fresh mm over the array VMA tree.
 */
#define _GNU_SOURCE
#include "tests/unit/support/support.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "mm/mmzone.h"
#include "mm/internal.h"
#include "mm/fault.h"
#include "mm/fs.h"
#include "mm/pagemap.h"
#include "mm/writeback.h"
#include "mm/mm_init.h"
#include "mm/mmap.h"
#include "mm/pgtable.h"
#include "mm/slab.h"
#include "mm/uaccess.h"
#include "mm/vma_tree.h"
#include "mm/vmstat.h"

#define P PAGE_SIZE
#define ANON (MAP_PRIVATE | MAP_ANONYMOUS)
#define RW (PROT_READ | PROT_WRITE)
#define X 0x40000000UL /* a free area well below mmap_base */
#define ERR(e) ((unsigned long)-(e))

static struct mm_struct *new_mm(void)
{
    struct mm_struct *mm = mm_alloc(&vma_array_ops);
    assert_non_null(mm);
    return mm;
}

static void map_fixed(struct mm_struct *mm, unsigned long addr, unsigned long len, int prot)
{
    assert_int_equal(do_mmap(mm, NULL, addr, len, (unsigned long)prot, ANON | MAP_FIXED, 0), addr);
}

/* Page i of [addr, addr + pages * P) gets the byte base + i throughout. */
static void fill(struct mm_struct *mm, unsigned long addr, unsigned long pages, int base)
{
    unsigned char buf[P];
    for (unsigned long i = 0; i < pages; i++) {
        memset(buf, base + (int)i, P);
        assert_int_equal(copy_to_user(mm, addr + i * P, buf, P), 0);
    }
}

static void expect_page(struct mm_struct *mm, unsigned long addr, int byte)
{
    unsigned char buf[P];
    assert_int_equal(copy_from_user(mm, buf, addr, P), 0);
    for (unsigned long i = 0; i < P; i++)
        assert_int_equal(buf[i], byte);
}

static struct vm_area_struct *vma_at(struct mm_struct *mm, unsigned long addr)
{
    struct vm_area_struct *v = find_vma(mm, addr);
    return v && v->vm_start <= addr ? v : NULL;
}

/* Frames the buddy allocator has handed out so far, every zone (vmstat's pgalloc_*). */
static unsigned long frames_allocated(void)
{
    struct vm_counts c;
    vm_counts_collect(&c);
    return c.events[PGALLOC_DMA] + c.events[PGALLOC_DMA32] + c.events[PGALLOC_NORMAL];
}

static unsigned long slab_pages(void)
{
    return slab_reclaimable_pages() + slab_unreclaimable_pages();
}

static unsigned long pte_pfn_at(struct mm_struct *mm, unsigned long addr)
{
    pte_t *pte = pte_offset(mm, addr);
    return pte && pte_present(*pte) ? pte_pfn(*pte) : 0;
}

/* Growing with free pages above: the same address, the same VMA, contents kept. */
static void test_grow_in_place(void **state)
{
    (void)state;
    struct mm_struct *mm = new_mm();
    map_fixed(mm, X, 2 * P, RW);
    fill(mm, X, 2, 0x10);
    unsigned long committed = vm_committed_pages();
    assert_int_equal(do_mremap(mm, X, 2 * P, 5 * P, 0, 0), X);
    assert_int_equal(mm->map_count, 1);
    assert_int_equal(vma_at(mm, X)->vm_end, X + 5 * P);
    expect_page(mm, X, 0x10);
    expect_page(mm, X + P, 0x11);
    expect_page(mm, X + 4 * P, 0); /* new pages read as zeros */
    assert_int_equal(vm_committed_pages(), committed + 3);
    assert_int_equal(mm->total_vm, 5);

    /* Blocked by a mapping above and no MREMAP_MAYMOVE: ENOMEM, nothing changes. */
    map_fixed(mm, X + 6 * P, P, PROT_READ);
    assert_int_equal(do_mremap(mm, X, 5 * P, 8 * P, 0, 0), ERR(ENOMEM));
    assert_int_equal(vma_at(mm, X)->vm_end, X + 5 * P);
    /* Growing up to the neighbour merges with it when the flags agree. */
    assert_int_equal(do_mprotect(mm, X + 6 * P, P, RW), 0);
    assert_int_equal(do_mremap(mm, X, 5 * P, 6 * P, 0, 0), X);
    assert_int_equal(vma_at(mm, X)->vm_end, X + 7 * P);
    assert_int_equal(mm->map_count, 1);
    mmput(mm);
    assert_int_equal(vm_committed_pages(), committed - 2);
}

/* A move carries the entries: the same frames appear at the new address. */
static void test_move_carries_ptes(void **state)
{
    (void)state;
    struct mm_struct *mm = new_mm();
    map_fixed(mm, X, 3 * P, RW);
    map_fixed(mm, X + 3 * P, P, PROT_READ); /* blocks growth in place */
    fill(mm, X, 3, 0x40);
    unsigned long pfn0 = pte_pfn_at(mm, X), pfn1 = pte_pfn_at(mm, X + P);
    unsigned long pfn2 = pte_pfn_at(mm, X + 2 * P);
    unsigned long rss0 = mm->rss[MM_ANONPAGES], allocs0 = frames_allocated();
    unsigned long slab0 = slab_pages();
    unsigned long committed = vm_committed_pages(), flushes = test_tlb_flushes;

    unsigned long n = do_mremap(mm, X, 3 * P, 8 * P, MREMAP_MAYMOVE, 0);
    assert_false(IS_ERR_VALUE(n));
    assert_int_not_equal(n, X);
    assert_null(vma_at(mm, X)); /* the old range is gone */
    assert_int_equal(pte_pfn_at(mm, n), pfn0);
    assert_int_equal(pte_pfn_at(mm, n + P), pfn1);
    assert_int_equal(pte_pfn_at(mm, n + 2 * P), pfn2);
    assert_int_equal(pte_pfn_at(mm, X), 0);
    assert_true(test_tlb_flushes > flushes);
    assert_int_equal(mm->rss[MM_ANONPAGES], rss0);
    expect_page(mm, n + P, 0x41);
    expect_page(mm, n + 7 * P, 0);
    /*
     * No page was copied (the frames above are the same): the only frames
     * handed out are the new range's page tables, at most one per level
     * below the top (8 pages share one PTE table), and slab growth. A copy
     * freeing its original leaves the free count as it was, so the
     * allocations themselves are counted.
     */
    unsigned long slab_growth = slab_pages() > slab0 ? slab_pages() - slab0 : 0;
    assert_true(frames_allocated() - allocs0 <= PT_LEVELS - 1 + slab_growth);
    assert_int_equal(vm_committed_pages(), committed + 5);

    /* Shrinking unmaps the tail and gives its charge back. */
    assert_int_equal(do_mremap(mm, n, 8 * P, 2 * P, 0, 0), n);
    assert_int_equal(vma_at(mm, n)->vm_end, n + 2 * P);
    assert_int_equal(vm_committed_pages(), committed - 1);
    assert_int_equal(mm->rss[MM_ANONPAGES], rss0 - 1);

    /* MREMAP_FIXED replaces what is at the target. */
    map_fixed(mm, X + 0x100000, 4 * P, PROT_READ);
    assert_int_equal(do_mremap(mm, n, 2 * P, 2 * P, MREMAP_MAYMOVE | MREMAP_FIXED, X + 0x100000),
                     X + 0x100000);
    expect_page(mm, X + 0x100000, 0x40);
    expect_page(mm, X + 0x100000 + P, 0x41);
    assert_true(vma_at(mm, X + 0x100000)->vm_flags & VM_WRITE);
    assert_false(vma_at(mm, X + 0x100000 + 2 * P)->vm_flags & VM_WRITE);
    assert_null(vma_at(mm, n));
    mmput(mm);
}

/* MREMAP_DONTUNMAP: the pages move, the old range stays mapped and reads zeros. */
static void test_dontunmap(void **state)
{
    (void)state;
    struct mm_struct *mm = new_mm();
    map_fixed(mm, X, 2 * P, RW);
    fill(mm, X, 2, 0x70);
    unsigned long committed = vm_committed_pages();
    unsigned long n = do_mremap(mm, X, 2 * P, 2 * P, MREMAP_MAYMOVE | MREMAP_DONTUNMAP, 0);
    assert_false(IS_ERR_VALUE(n));
    expect_page(mm, n, 0x70);
    expect_page(mm, n + P, 0x71);
    assert_non_null(vma_at(mm, X));
    expect_page(mm, X, 0);
    assert_int_equal(vm_committed_pages(), committed + 2); /* both ranges are charged */
    assert_int_equal(do_mremap(mm, X, P, 2 * P, MREMAP_MAYMOVE | MREMAP_DONTUNMAP, 0), ERR(EINVAL));
    mmput(mm);
}

static void test_mremap_errors(void **state)
{
    (void)state;
    struct mm_struct *mm = new_mm();
    map_fixed(mm, X, 4 * P, RW);
    assert_int_equal(do_mremap(mm, X + 1, P, 2 * P, MREMAP_MAYMOVE, 0), ERR(EINVAL));
    assert_int_equal(do_mremap(mm, X, P, 2 * P, 0x80, 0), ERR(EINVAL));
    assert_int_equal(do_mremap(mm, X, P, P, MREMAP_FIXED, X + 0x100000), ERR(EINVAL));
    assert_int_equal(do_mremap(mm, X, P, 0, MREMAP_MAYMOVE, 0), ERR(EINVAL));
    assert_int_equal(do_mremap(mm, X, 0, P, MREMAP_MAYMOVE, 0), ERR(EINVAL)); /* private */
    assert_int_equal(do_mremap(mm, X + 0x100000, P, 2 * P, MREMAP_MAYMOVE, 0), ERR(EFAULT));
    /* old_len may not run past the VMA. */
    assert_int_equal(do_mremap(mm, X + 2 * P, 4 * P, 8 * P, MREMAP_MAYMOVE, 0), ERR(EFAULT));
    /* Old and new ranges may not overlap; the target must be aligned. */
    assert_int_equal(do_mremap(mm, X, 2 * P, 2 * P, MREMAP_MAYMOVE | MREMAP_FIXED, X + P),
                     ERR(EINVAL));
    assert_int_equal(do_mremap(mm, X, P, P, MREMAP_MAYMOVE | MREMAP_FIXED, X + 0x100001),
                     ERR(EINVAL));
    assert_int_equal(mm->map_count, 1);
    assert_int_equal(vma_at(mm, X)->vm_end, X + 4 * P);
    /* Adjacent ranges do not overlap: a page moves onto its neighbour, either side. */
    fill(mm, X + 3 * P, 1, 0x33);
    assert_int_equal(do_mremap(mm, X + 3 * P, P, P, MREMAP_MAYMOVE | MREMAP_FIXED, X + 4 * P),
                     X + 4 * P);
    expect_page(mm, X + 4 * P, 0x33);
    assert_int_equal(do_mremap(mm, X + 4 * P, P, P, MREMAP_MAYMOVE | MREMAP_FIXED, X + 3 * P),
                     X + 3 * P);
    expect_page(mm, X + 3 * P, 0x33);
    mmput(mm);
}

/* Present entries are resident (the zero page too); file pages ask the cache. */
static void test_mincore(void **state)
{
    (void)state;
    struct mm_struct *mm = new_mm();
    map_fixed(mm, X, 4 * P, RW);
    fill(mm, X + P, 1, 1);
    unsigned char b;
    assert_int_equal(copy_from_user(mm, &b, X + 3 * P, 1), 0); /* the zero page */
    unsigned char vec[4];
    assert_int_equal(do_mincore(mm, X, 4, vec), 4);
    assert_memory_equal(vec, ((unsigned char[]){0, 1, 0, 1}), 4);
    /* The VMA ends the answer: the caller asks again from there. */
    map_fixed(mm, X + 4 * P, P, PROT_READ);
    assert_int_equal(do_mincore(mm, X + 2 * P, 8, vec), 2);
    assert_int_equal(do_mincore(mm, X + 0x100000, 1, vec), -ENOMEM);

    /* A private file mapping: untouched pages are resident when the cache has them. */
    char path[] = "/tmp/vmemu-test-mremap-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    char page[P];
    memset(page, 'f', P);
    assert_int_equal(write(fd, page, P), (ssize_t)P);
    close(fd);
    int err = 0;
    struct file *f = file_open(path, O_RDONLY, 0, &err);
    assert_non_null(f);
    unlink(path);
    unsigned long a = do_mmap(mm, f, X + 0x200000, 2 * P, PROT_READ, MAP_PRIVATE | MAP_FIXED, 0);
    assert_int_equal(a, X + 0x200000);
    bool cold = filemap_cold;
    filemap_cold = true;
    assert_int_equal(do_mincore(mm, a, 2, vec), 2);
    assert_memory_equal(vec, ((unsigned char[]){0, 0}), 2); /* nothing read yet, page 2 past EOF */
    assert_int_equal(do_madvise(mm, a, 2 * P, MADV_WILLNEED), 0);
    assert_int_equal(do_mincore(mm, a, 2, vec), 2);
    assert_memory_equal(vec, ((unsigned char[]){1, 0}), 2);
    filemap_cold = cold;
    fput(f);
    mmput(mm);
}

/* mlock counts locked pages, splits VMAs and faults the pages in; munlock undoes it. */
static void test_mlock(void **state)
{
    (void)state;
    struct mm_struct *mm = new_mm();
    map_fixed(mm, X, 6 * P, RW);
    assert_int_equal(do_mlock(mm, X + P + 100, 2 * P, 0), 0); /* rounds out to 3 pages */
    assert_int_equal(mm->locked_vm, 3);
    assert_int_equal(mm->map_count, 3);
    assert_true(vma_at(mm, X + P)->vm_flags & VM_LOCKED);
    assert_false(vma_at(mm, X)->vm_flags & VM_LOCKED);
    assert_int_equal(mm->rss[MM_ANONPAGES], 3); /* populated for writing */
    /* Locking again counts nothing twice; MLOCK_ONFAULT only marks. */
    assert_int_equal(do_mlock(mm, X + P, P, 0), 0);
    assert_int_equal(mm->locked_vm, 3);
    assert_int_equal(do_mlock(mm, X + 5 * P, P, MLOCK_ONFAULT), 0);
    assert_int_equal(mm->locked_vm, 4);
    assert_int_equal(mm->rss[MM_ANONPAGES], 3);
    assert_true(vma_at(mm, X + 5 * P)->vm_flags & VM_LOCKONFAULT);
    /* DONTNEED refuses locked memory. */
    assert_int_equal(do_madvise(mm, X + P, P, MADV_DONTNEED), -EINVAL);
    /* Errors: a hole, unknown mlock2 flags, bad mlockall flags. */
    assert_int_equal(do_mlock(mm, X + 0x100000, P, 0), -ENOMEM);
    assert_int_equal(do_mlock(mm, X, P, 2), -EINVAL);
    assert_int_equal(do_mlockall(mm, 0), -EINVAL);
    assert_int_equal(do_mlockall(mm, MCL_ONFAULT), -EINVAL);
    /* munlock of everything: one VMA again, nothing counted. */
    assert_int_equal(do_munlock(mm, X, 6 * P), 0);
    assert_int_equal(mm->locked_vm, 0);
    assert_int_equal(mm->map_count, 1);
    /* mlockall: every VMA locked and populated, and new mappings too. */
    assert_int_equal(do_mlockall(mm, MCL_CURRENT | MCL_FUTURE), 0);
    assert_int_equal(mm->locked_vm, 6);
    assert_int_equal(mm->rss[MM_ANONPAGES], 6);
    map_fixed(mm, X + 0x100000, 2 * P, RW);
    assert_int_equal(mm->locked_vm, 8);
    assert_int_equal(mm->rss[MM_ANONPAGES], 8);
    /* munmap gives locked pages back; munlockall the rest. */
    assert_int_equal(do_munmap(mm, X + 0x100000, P), 0);
    assert_int_equal(mm->locked_vm, 7);
    assert_int_equal(do_munlockall(mm), 0);
    assert_int_equal(mm->locked_vm, 0);
    assert_int_equal(mm->def_flags, 0);
    mmput(mm);
}

/* The commit: private writable memory only, as Linux counts Committed_AS. */
static void test_committed(void **state)
{
    (void)state;
    struct mm_struct *mm = new_mm();
    unsigned long c0 = vm_committed_pages();
    map_fixed(mm, X, 4 * P, RW);
    assert_int_equal(vm_committed_pages(), c0 + 4);
    map_fixed(mm, X + 0x100000, 4 * P, PROT_READ); /* read-only: not charged */
    assert_int_equal(
        do_mmap(mm, NULL, X + 0x200000, 4 * P, RW, ANON | MAP_FIXED | MAP_NORESERVE, 0),
        X + 0x200000);
    assert_int_equal(vm_committed_pages(), c0 + 4);
    /* mprotect making private memory writable charges it from then on. */
    assert_int_equal(do_mprotect(mm, X + 0x100000, 2 * P, RW), 0);
    assert_int_equal(vm_committed_pages(), c0 + 6);
    assert_true(vma_at(mm, X + 0x100000)->vm_flags & VM_ACCOUNT);
    /* Untouched anonymous memory made read-only again gives the charge back. */
    assert_int_equal(do_mprotect(mm, X + 0x100000, 2 * P, PROT_READ), 0);
    assert_int_equal(vm_committed_pages(), c0 + 4);
    /* ... but not once it has pages of its own. */
    fill(mm, X, 1, 9);
    assert_int_equal(do_mprotect(mm, X, 4 * P, PROT_READ), 0);
    assert_int_equal(vm_committed_pages(), c0 + 4);
    /* munmap gives back what it removes; MAP_FIXED over charged memory nets out. */
    assert_int_equal(do_munmap(mm, X + P, P), 0);
    assert_int_equal(vm_committed_pages(), c0 + 3);
    map_fixed(mm, X, 4 * P, RW);
    assert_int_equal(vm_committed_pages(), c0 + 4);
    /* brk: the heap is charged as it grows and given back as it shrinks. */
    mm->start_brk = mm->brk = 0x555555559000UL;
    assert_int_equal(do_brk(mm, mm->brk + 3 * P), 0x555555559000UL + 3 * P);
    assert_int_equal(vm_committed_pages(), c0 + 7);
    assert_int_equal(do_brk(mm, 0x555555559000UL + P), 0x555555559000UL + P);
    assert_int_equal(vm_committed_pages(), c0 + 5);
    /* A request larger than all of RAM is refused (heuristic overcommit). */
    assert_int_equal(do_mmap(mm, NULL, 0, 1UL << 30, RW, ANON, 0), ERR(ENOMEM));
    assert_false(IS_ERR_VALUE(do_mmap(mm, NULL, 0, 1UL << 30, PROT_READ, ANON, 0)));
    mmput(mm);
    assert_int_equal(vm_committed_pages(), c0);
}

/*
 * PROT_NONE pages move too: their entries hold pages the CPU may not touch,
 * and mremap carries every entry that is not empty (Linux's move_ptes).
 * Filled, made PROT_NONE, moved, made readable again: the contents are back.
 */
static void test_move_protnone(void **state)
{
    (void)state;
    struct mm_struct *mm = new_mm();
    map_fixed(mm, X, 3 * P, RW);
    map_fixed(mm, X + 3 * P, P, PROT_READ); /* blocks growth in place */
    fill(mm, X, 3, 0x60);
    unsigned long pfn1 = pte_pfn_at(mm, X + P), rss0 = mm->rss[MM_ANONPAGES];
    assert_int_equal(do_mprotect(mm, X, 3 * P, PROT_NONE), 0);
    unsigned long n = do_mremap(mm, X, 3 * P, 6 * P, MREMAP_MAYMOVE, 0);
    assert_false(IS_ERR_VALUE(n));
    assert_int_not_equal(n, X);
    assert_int_equal(mm->rss[MM_ANONPAGES], rss0);
    assert_int_equal(pte_pfn_at(mm, n + P), pfn1);
    assert_int_equal(do_mprotect(mm, n, 6 * P, PROT_READ), 0);
    for (unsigned long i = 0; i < 3; i++)
        expect_page(mm, n + i * P, 0x60 + (int)i);
    expect_page(mm, n + 3 * P, 0);
    mmput(mm);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_grow_in_place, test_mm_setup, test_mm_teardown),
        cmocka_unit_test_setup_teardown(test_move_carries_ptes, test_mm_setup, test_mm_teardown),
        cmocka_unit_test_setup_teardown(test_move_protnone, test_mm_setup, test_mm_teardown),
        cmocka_unit_test_setup_teardown(test_dontunmap, test_mm_setup, test_mm_teardown),
        cmocka_unit_test_setup_teardown(test_mremap_errors, test_mm_setup, test_mm_teardown),
        cmocka_unit_test_setup_teardown(test_mincore, test_mm_setup, test_mm_teardown),
        cmocka_unit_test_setup_teardown(test_mlock, test_mm_setup, test_mm_teardown),
        cmocka_unit_test_setup_teardown(test_committed, test_mm_setup, test_mm_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
