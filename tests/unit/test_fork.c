/*
 * fork's copy of an address space (dup_mm), without the emulator: which
 * entries are copied and which refault, copy-on-write and reuse as Linux
 * 6.x decides them, reverse mapping through anon_vma families over two
 * generations of forks, the file reverse map over more processes than the
 * old fixed list held, MADV_DONTFORK and MADV_WIPEONFORK, the counters a
 * child starts with, the two reference counts, and dup_mm under every
 * allocation failure it can meet.
 */
#include "tests/unit/support/support.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "mm/fault.h"
#include "mm/fault_inject.h"
#include "mm/fs.h"
#include "mm/mmap.h"
#include "mm/mmzone.h"
#include "mm/pagemap.h"
#include "mm/pgtable.h"
#include "mm/rmap.h"
#include "mm/uaccess.h"
#include "mm/vma_tree.h"
#include "mm/writeback.h"

#define P PAGE_SIZE
#define RW (PROT_READ | PROT_WRITE)
#define ANON (MAP_PRIVATE | MAP_ANONYMOUS)
#define X 0x40000000UL
#define Y 0x50000000UL
#define N 16

static char path[64];

static struct mm_struct *new_mm(void)
{
    struct mm_struct *mm = mm_alloc(&vma_maple_ops);
    assert_non_null(mm);
    return mm;
}

static struct mm_struct *fork_mm(struct mm_struct *parent)
{
    int err = 0;
    struct mm_struct *child = dup_mm(parent, &err);
    assert_non_null(child);
    assert_int_equal(err, 0);
    return child;
}

static enum fault_kind fault(struct mm_struct *mm, unsigned long addr, unsigned int flags,
                             unsigned long *pfn)
{
    struct fault_result r;
    handle_mm_fault(mm, addr, flags, &r);
    if (pfn)
        *pfn = r.pfn;
    return r.kind;
}

static pte_t *entry(struct mm_struct *mm, unsigned long addr)
{
    pte_t *pte = pte_offset(mm, addr);
    return pte && pte_present(*pte) ? pte : NULL;
}

static struct page *page_at(struct mm_struct *mm, unsigned long addr)
{
    pte_t *pte = entry(mm, addr);
    assert_non_null(pte);
    return pfn_to_page(pte_pfn(*pte));
}

/* Would the CPU's access go through without a fault? */
static bool no_fault(struct mm_struct *mm, unsigned long addr, enum mmu_access access)
{
    uint64_t pa;
    unsigned int prot;
    return mm_translate(mm, addr, access, &pa, &prot);
}

/* N private anonymous pages at X, each written with its index. */
static struct mm_struct *parent_with_pages(void)
{
    struct mm_struct *mm = new_mm();
    assert_int_equal(do_mmap(mm, NULL, X, N * P, RW, ANON | MAP_FIXED, 0), X);
    for (unsigned long i = 0; i < N; i++)
        assert_int_equal(copy_to_user(mm, X + i * P, &i, sizeof(i)), 0);
    return mm;
}

static void test_child_reads_free_writes_copy_then_parent_reuses(void **state)
{
    (void)state;
    unsigned long free0 = test_free_or_slab_pages();
    struct mm_struct *parent = parent_with_pages();
    unsigned long flushes = test_tlb_flushes;
    struct mm_struct *child = fork_mm(parent);
    assert_int_equal(child->mm_users, 1);
    assert_int_equal(child->map_count, parent->map_count);
    assert_int_equal(child->rss[MM_ANONPAGES], N);
    assert_true(test_tlb_flushes > flushes); /* the parent's entries lost their write right */
    for (unsigned long i = 0; i < N; i++) {
        pte_t *pp = entry(parent, X + i * P), *cp = entry(child, X + i * P);
        assert_non_null(cp);
        assert_int_equal(pte_pfn(*pp), pte_pfn(*cp));
        assert_false(pte_write(*pp));
        assert_false(pte_write(*cp));
        assert_false(pte_young(*cp)); /* the child's copies start old */
        struct page *page = page_at(parent, X + i * P);
        assert_int_equal(page->mapcount, 2);
        assert_int_equal(page->refcount, 2);
        assert_false(PageFlag(page, PG_anon_exclusive));
    }

    /* The child's reads take no fault at all. */
    unsigned long minor = test_min_flt;
    for (unsigned long i = 0; i < N; i++) {
        unsigned long v = 0;
        assert_true(no_fault(child, X + i * P, MMU_READ));
        assert_int_equal(copy_from_user(child, &v, X + i * P, sizeof(v)), 0);
        assert_int_equal(v, i);
    }
    assert_int_equal(test_min_flt, minor);

    /* Its writes copy: N cow faults, each charged to the task as a minor fault. */
    for (unsigned long i = 0; i < N; i++) {
        unsigned long old = pte_pfn(*entry(parent, X + i * P)), pfn;
        assert_false(no_fault(child, X + i * P, MMU_WRITE));
        assert_int_equal(fault(child, X + i * P, FAULT_FLAG_WRITE, &pfn), FAULT_COW);
        assert_int_not_equal(pfn, old);
        unsigned long v = 0;
        assert_int_equal(copy_from_user(child, &v, X + i * P, sizeof(v)), 0);
        assert_int_equal(v, i);
    }
    assert_int_equal(test_min_flt, minor + N);
    assert_int_equal(child->faults.cow, N);
    mmput(child);

    /* Alone again, the parent's writes reuse its pages: no copy, no new frame. */
    unsigned long free_before = nr_free_pages(), cow = parent->faults.cow;
    for (unsigned long i = 0; i < N; i++) {
        unsigned long old = pte_pfn(*entry(parent, X + i * P)), pfn;
        assert_int_equal(page_at(parent, X + i * P)->refcount, 1);
        assert_int_equal(fault(parent, X + i * P, FAULT_FLAG_WRITE, &pfn), FAULT_WP_REUSE);
        assert_int_equal(pfn, old);
        assert_true(PageFlag(page_at(parent, X + i * P), PG_anon_exclusive));
    }
    assert_int_equal(nr_free_pages(), free_before);
    assert_int_equal(parent->faults.cow, cow);
    mmput(parent);
    assert_int_equal(test_free_or_slab_pages(), free0);
}

/* A page no longer mapped elsewhere but held by someone must still be copied. */
static void test_extra_reference_forces_copy(void **state)
{
    (void)state;
    struct mm_struct *parent = parent_with_pages();
    struct mm_struct *child = fork_mm(parent);
    mmput(child);
    struct page *page = page_at(parent, X);
    assert_int_equal(page->mapcount, 1);
    get_page(page); /* a pin: some I/O still reads the page */
    unsigned long pfn;
    assert_int_equal(fault(parent, X, FAULT_FLAG_WRITE, &pfn), FAULT_COW);
    assert_int_not_equal(pfn, page_to_pfn(page));
    assert_int_equal(page->mapcount, 0);
    assert_int_equal(page->refcount, 1);
    put_page(page);
    /* Without the pin, the next page is reused. */
    assert_int_equal(fault(parent, X + P, FAULT_FLAG_WRITE, NULL), FAULT_WP_REUSE);
    mmput(parent);
}

struct found {
    struct mm_struct *mms[8];
    unsigned int n;
};

static bool record_mapping(struct page *page, struct vm_area_struct *vma, unsigned long addr,
                           pte_t *pte, void *arg)
{
    struct found *f = arg;
    assert_int_equal(pte_pfn(*pte), page_to_pfn(page));
    assert_int_equal(addr, X);
    f->mms[f->n++] = vma->vm_mm;
    return true;
}

static bool found_in(const struct found *f, struct mm_struct *mm)
{
    for (unsigned int i = 0; i < f->n; i++)
        if (f->mms[i] == mm)
            return true;
    return false;
}

static struct found walk(struct page *page)
{
    struct found f = {.n = 0};
    struct rmap_walk_control rwc = {.arg = &f, .rmap_one = record_mapping};
    rmap_walk_anon(page, &rwc);
    return f;
}

/* Two forks and a grandchild: the page is found in all four, a copy only where it is. */
static void test_rmap_finds_every_mapping(void **state)
{
    (void)state;
    struct mm_struct *parent = parent_with_pages();
    struct mm_struct *child1 = fork_mm(parent);
    struct mm_struct *child2 = fork_mm(parent);
    struct mm_struct *grandchild = fork_mm(child1);
    struct page *page = page_at(parent, X);
    assert_int_equal(page->mapcount, 4);
    struct found f = walk(page);
    assert_int_equal(f.n, 4);
    assert_true(found_in(&f, parent) && found_in(&f, child1) && found_in(&f, child2) &&
                found_in(&f, grandchild));

    /* child1 copies the page: the copy is child1's alone, the original the other three's. */
    unsigned long pfn;
    assert_int_equal(fault(child1, X, FAULT_FLAG_WRITE, &pfn), FAULT_COW);
    struct found copy = walk(pfn_to_page(pfn));
    assert_int_equal(copy.n, 1);
    assert_ptr_equal(copy.mms[0], child1);
    f = walk(page);
    assert_int_equal(f.n, 3);
    assert_false(found_in(&f, child1));
    assert_true(found_in(&f, grandchild));

    /* Family members going away leave the rest findable. */
    mmput(child2);
    mmput(child1);
    f = walk(page);
    assert_int_equal(f.n, 2);
    assert_true(found_in(&f, parent) && found_in(&f, grandchild));
    mmput(grandchild);
    mmput(parent);
}

static struct file *make_file(unsigned long pages)
{
    snprintf(path, sizeof(path), "/tmp/vmemu-test-fork-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    unsigned char buf[PAGE_SIZE];
    for (unsigned long i = 0; i < pages; i++) {
        memset(buf, (int)('a' + i), sizeof(buf));
        assert_int_equal(write(fd, buf, sizeof(buf)), (ssize_t)sizeof(buf));
    }
    close(fd);
    int err = 0;
    struct file *f = file_open(path, O_RDWR, 0, &err);
    assert_non_null(f);
    unlink(path);
    return f;
}

/* File VMAs without anonymous pages refault from the page cache; with them, all is copied. */
static void test_file_mappings_refault_unless_anonymous(void **state)
{
    (void)state;
    struct file *file = make_file(4);
    struct mm_struct *parent = new_mm();
    assert_int_equal(do_mmap(parent, file, X, 4 * P, PROT_READ, MAP_PRIVATE | MAP_FIXED, 0), X);
    assert_int_equal(do_mmap(parent, file, Y, 4 * P, RW, MAP_SHARED | MAP_FIXED, 0), Y);
    assert_int_equal(fault(parent, X, 0, NULL), FAULT_FILE_MINOR);
    assert_int_equal(fault(parent, Y, FAULT_FLAG_WRITE, NULL), FAULT_FILE_MINOR);
    struct mm_struct *child = fork_mm(parent);
    assert_null(entry(child, X));
    assert_null(entry(child, Y));
    assert_int_equal(child->rss[MM_FILEPAGES], 0);
    assert_int_equal(fault(child, X, 0, NULL), FAULT_FILE_MINOR);
    assert_int_equal(fault(child, Y, 0, NULL), FAULT_FILE_MINOR);
    assert_ptr_equal(page_at(child, Y), page_at(parent, Y)); /* one page cache, one frame */
    mmput(child);

    /* A private file VMA with a copied page has an anon_vma: every entry goes along. */
    unsigned long cow;
    assert_int_equal(do_mprotect(parent, X, 4 * P, RW), 0);
    assert_int_equal(fault(parent, X + P, FAULT_FLAG_WRITE, &cow), FAULT_COW);
    child = fork_mm(parent);
    assert_int_equal(pte_pfn(*entry(child, X + P)), cow);
    assert_ptr_equal(page_at(child, X), page_at(parent, X)); /* the file page too */
    assert_int_equal(child->rss[MM_ANONPAGES], 1);
    assert_true(child->rss[MM_FILEPAGES] >= 1);
    assert_null(entry(child, Y)); /* the shared one still refaults */
    mmput(child);
    mmput(parent);
    fput(file);
}

/* Shared anonymous memory stays one object: the child refaults the parent's frames. */
static void test_shared_anonymous_stays_shared(void **state)
{
    (void)state;
    struct mm_struct *parent = new_mm();
    assert_int_equal(do_mmap(parent, NULL, X, 4 * P, RW, MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED, 0),
                     X);
    unsigned long v = 42, pfn;
    assert_int_equal(copy_to_user(parent, X, &v, sizeof(v)), 0);
    struct mm_struct *child = fork_mm(parent);
    assert_null(entry(child, X));
    assert_int_equal(fault(child, X, 0, &pfn), FAULT_FILE_MINOR);
    assert_int_equal(pfn, pte_pfn(*entry(parent, X)));
    assert_int_equal(child->rss[MM_SHMEMPAGES], 1);
    /* A page neither had yet is made once and seen by both. */
    v = 7;
    assert_int_equal(copy_to_user(child, X + P, &v, sizeof(v)), 0);
    v = 0;
    assert_int_equal(copy_from_user(parent, &v, X + P, sizeof(v)), 0);
    assert_int_equal(v, 7);
    assert_int_equal(pte_pfn(*entry(parent, X + P)), pte_pfn(*entry(child, X + P)));
    mmput(child);
    mmput(parent);
}

/* MADV_DONTFORK leaves a VMA out; MADV_WIPEONFORK gives the child an empty one. */
static void test_dontfork_and_wipeonfork(void **state)
{
    (void)state;
    struct mm_struct *parent = parent_with_pages();
    assert_int_equal(do_madvise(parent, X, 4 * P, MADV_DONTFORK), 0);
    assert_int_equal(do_madvise(parent, X + 8 * P, 4 * P, MADV_WIPEONFORK), 0);
    struct mm_struct *child = fork_mm(parent);
    struct vm_area_struct *vma = find_vma(child, X);
    assert_non_null(vma);
    assert_int_equal(vma->vm_start, X + 4 * P); /* [X, X + 4P) is not there */
    assert_int_equal(child->total_vm, parent->total_vm - 4);
    assert_null(entry(child, X + 8 * P));
    unsigned long v = 1;
    assert_int_equal(copy_from_user(child, &v, X + 8 * P, sizeof(v)), 0);
    assert_int_equal(v, 0); /* wiped: zeros */
    assert_int_equal(copy_from_user(child, &v, X + 5 * P, sizeof(v)), 0);
    assert_int_equal(v, 5); /* copied */
    assert_int_equal(child->rss[MM_ANONPAGES], N - 8);
    mmput(child);
    mmput(parent);
}

/* What a child starts with: layout fields copied, locks and rss its own. */
static void test_child_counters(void **state)
{
    (void)state;
    struct mm_struct *parent = parent_with_pages();
    parent->start_brk = 0x555555560000UL;
    parent->brk = parent->start_brk + 3 * P;
    parent->start_stack = 0x7ffffffde000UL;
    parent->arg_start = 1, parent->arg_end = 2, parent->env_start = 3, parent->env_end = 4;
    assert_int_equal(do_mlock(parent, X, N * P, 0), 0);
    assert_int_equal(do_mlockall(parent, MCL_FUTURE), 0);
    assert_int_equal(parent->locked_vm, N);
    struct mm_struct *child = fork_mm(parent);
    assert_int_equal(child->locked_vm, 0);
    assert_false(find_vma(child, X)->vm_flags & VM_LOCKED);
    assert_false(child->def_flags & VM_LOCKED);
    assert_int_equal(child->brk, parent->brk);
    assert_int_equal(child->start_brk, parent->start_brk);
    assert_int_equal(child->start_stack, parent->start_stack);
    assert_int_equal(child->env_end, 4);
    assert_int_equal(child->total_vm, parent->total_vm);
    assert_int_equal(child->data_vm, parent->data_vm);
    assert_int_equal(child->hiwater_rss, get_mm_rss(child));
    assert_int_equal(child->faults.min_flt, 0);
    assert_true(child->pgtables_bytes > 0);
    mmput(child);
    mmput(parent);
}

/* mm_users: the last user unmaps; mm_count: the struct lives until the last mmdrop. */
static void test_reference_counts(void **state)
{
    (void)state;
    struct mm_struct *mm = parent_with_pages();
    mmget(mm);
    mmput(mm);
    assert_int_equal(mm->map_count, 1); /* one user left: nothing torn down */
    assert_int_equal(get_mm_rss(mm), N);
    mmgrab(mm);
    mmput(mm); /* the last user: the mappings and pages go, the struct stays */
    assert_int_equal(mm->mm_users, 0);
    assert_int_equal(mm->map_count, 0);
    assert_int_equal(get_mm_rss(mm), 0);
    assert_int_equal(mm->mm_count, 1);
    mmdrop(mm);
}

/*
 * More processes map a shared file page than the old fixed list of 64 mms
 * held: writeback must still find and write-protect every mapping, and
 * truncation must still unmap the page everywhere.
 */
#define MANY 100
static void test_file_rmap_reaches_every_process(void **state)
{
    (void)state;
    struct file *file = make_file(2);
    struct mm_struct *parent = new_mm();
    assert_int_equal(do_mmap(parent, file, X, 2 * P, RW, MAP_SHARED | MAP_FIXED, 0), X);
    static struct mm_struct *children[MANY];
    for (int i = 0; i < MANY; i++) {
        children[i] = fork_mm(parent);
        assert_int_equal(fault(children[i], X, FAULT_FLAG_WRITE, NULL), FAULT_FILE_MINOR);
    }
    struct page *page = page_at(children[0], X);
    assert_int_equal(page->mapcount, MANY);
    assert_true(PageFlag(page, PG_dirty));
    assert_int_equal(writeback_range(file->f_mapping, 0, 2, WB_REASON_SYNC), 0);
    assert_false(PageFlag(page, PG_dirty)); /* every mapping was found and cleaned */
    for (int i = 0; i < MANY; i++)
        assert_false(pte_write(*entry(children[i], X)));
    assert_int_equal(vmtruncate(file, 0), 0);
    for (int i = 0; i < MANY; i++) {
        assert_null(entry(children[i], X));
        mmput(children[i]);
    }
    mmput(parent);
    fput(file);
}

/* Every allocation dup_mm makes, made to fail in turn: -ENOMEM, no leak, the parent intact. */
static void test_dup_mm_out_of_memory(void **state)
{
    (void)state;
    struct file *file = make_file(2);
    struct mm_struct *parent = parent_with_pages();
    assert_int_equal(do_mmap(parent, file, Y, 2 * P, RW, MAP_PRIVATE | MAP_FIXED, 0), Y);
    assert_int_equal(fault(parent, Y, FAULT_FLAG_WRITE, NULL), FAULT_COW);
    assert_int_equal(
        do_mmap(parent, NULL, Y + 0x200000, 2 * P, RW, MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED, 0),
        Y + 0x200000);
    struct mm_struct *grown = fork_mm(parent); /* anon_vma chains two deep */
    assert_int_equal(fail_alloc_configure("nth=0"), 0);
    struct fail_alloc_stats st;
    unsigned long failed_runs = 0;
    for (unsigned long n = 1;; n++) {
        fail_alloc_get_stats(&st);
        char spec[64];
        snprintf(spec, sizeof(spec), "nth=%lu", st.attempts + n);
        assert_int_equal(fail_alloc_configure(spec), 0);
        unsigned long free0 = test_free_or_slab_pages(), objs = test_slab_objects();
        unsigned long map_count = grown->map_count, rss = get_mm_rss(grown);
        int err = 0;
        struct mm_struct *child = dup_mm(grown, &err);
        unsigned long failures = st.failures;
        fail_alloc_get_stats(&st);
        if (child) {
            assert_int_equal(st.failures, failures); /* past the last allocation: done */
            mmput(child);
            break;
        }
        failed_runs++;
        assert_int_equal(err, -ENOMEM);
        assert_int_equal(grown->map_count, map_count);
        assert_int_equal(get_mm_rss(grown), rss);
        assert_int_equal(test_free_or_slab_pages(), free0);
        assert_int_equal(test_slab_objects(), objs);
        unsigned long v = 0;
        assert_int_equal(copy_from_user(grown, &v, X + 3 * P, sizeof(v)), 0);
        assert_int_equal(v, 3);
    }
    assert_int_equal(fail_alloc_configure("nth=0"), 0);
    assert_true(failed_runs >= 5);
    fprintf(stderr, "dup_mm failed cleanly at each of its %lu allocations\n", failed_runs);
    mmput(grown);
    mmput(parent);
    fput(file);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_child_reads_free_writes_copy_then_parent_reuses,
                                        test_mm_setup, test_mm_teardown),
        cmocka_unit_test_setup_teardown(test_extra_reference_forces_copy, test_mm_setup,
                                        test_mm_teardown),
        cmocka_unit_test_setup_teardown(test_rmap_finds_every_mapping, test_mm_setup,
                                        test_mm_teardown),
        cmocka_unit_test_setup_teardown(test_file_mappings_refault_unless_anonymous, test_mm_setup,
                                        test_mm_teardown),
        cmocka_unit_test_setup_teardown(test_shared_anonymous_stays_shared, test_mm_setup,
                                        test_mm_teardown),
        cmocka_unit_test_setup_teardown(test_dontfork_and_wipeonfork, test_mm_setup,
                                        test_mm_teardown),
        cmocka_unit_test_setup_teardown(test_child_counters, test_mm_setup, test_mm_teardown),
        cmocka_unit_test_setup_teardown(test_reference_counts, test_mm_setup, test_mm_teardown),
        cmocka_unit_test_setup_teardown(test_file_rmap_reaches_every_process, test_mm_setup,
                                        test_mm_teardown),
        cmocka_unit_test_setup_teardown(test_dup_mm_out_of_memory, test_mm_setup, test_mm_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
