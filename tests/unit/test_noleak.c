/*
 * Kernel objects live in guest RAM and come back. An mm with VMAs, files,
 * page tables, anonymous and page-cache pages is built and torn down; then,
 * with the page cache dropped and every slab cache shrunk, MemFree must be
 * exactly what it was before. Also: each kind of object sits in its own
 * cache, a lost object is seen by that check, and the page counts the
 * reports use agree with the mm's own counters and add up to MemTotal.
 */
#include "tests/unit/support/support.h"

#include <fcntl.h>
#include <stdio.h>
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
#include "mm/vma_tree.h"
#include "mm/vmstat.h"

#define P PAGE_SIZE
#define RW (PROT_READ | PROT_WRITE)
#define ANON (MAP_PRIVATE | MAP_ANONYMOUS)
#define X 0x40000000UL
#define Y 0x50000000UL
#define BIG_FILE_PAGES 2000UL /* its index outgrows kmalloc-8k: 2048 slots */

static char file_path[64];

static int setup(void **state)
{
    (void)state;
    filemap_cold = false;
    snprintf(file_path, sizeof(file_path), "/tmp/vmemu-noleak-%d", (int)getpid());
    return mm_init(&(struct mm_settings){.ram_bytes = 64 << 20});
}

static int teardown(void **state)
{
    (void)state;
    mm_exit();
    unlink(file_path);
    return 0;
}

/* MemFree with every empty slab given back: the figure a leak changes. */
static unsigned long free_pages_shrunk(void)
{
    kmem_cache_shrink_all();
    return nr_free_pages();
}

/* A host file of the given number of pages, each filled with its index. */
static struct file *open_test_file(unsigned long pages)
{
    int fd = open(file_path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    assert_true(fd >= 0);
    unsigned char page[PAGE_SIZE];
    for (unsigned long i = 0; i < pages; i++) {
        memset(page, (int)(i & 0xff), sizeof(page));
        assert_int_equal(pwrite(fd, page, sizeof(page), (off_t)(i * P)), (ssize_t)P);
    }
    close(fd);
    int err = 0;
    struct file *f = file_open(file_path, O_RDWR, 0, &err);
    assert_non_null(f);
    assert_non_null(f->f_mapping);
    return f;
}

static void fault_ok(struct mm_struct *mm, unsigned long addr, unsigned int flags)
{
    struct fault_result r;
    handle_mm_fault(mm, addr, flags, &r);
    assert_false(fault_is_error(r.kind));
}

/* Anonymous memory, private and shared file mappings, splits, a hole, a heap. */
static struct mm_struct *build_mm(struct file *f)
{
    struct mm_struct *mm = mm_alloc(&vma_array_ops);
    assert_non_null(mm);
    assert_int_equal(do_mmap(mm, NULL, X, 16 * P, RW, ANON | MAP_FIXED, 0), X);
    for (unsigned long i = 0; i < 16; i += 2)
        fault_ok(mm, X + i * P, FAULT_FLAG_WRITE);
    fault_ok(mm, X + P, 0); /* the zero page */
    assert_int_equal(do_mprotect(mm, X + 4 * P, 2 * P, PROT_READ), 0);
    assert_int_equal(do_munmap(mm, X + 10 * P, 2 * P), 0);
    assert_int_equal(do_mmap(mm, f, Y, 8 * P, RW, MAP_PRIVATE | MAP_FIXED, 0), Y);
    fault_ok(mm, Y, 0);
    fault_ok(mm, Y + 3 * P, FAULT_FLAG_WRITE); /* copy-on-write */
    unsigned long shared = Y + 0x200000;
    assert_int_equal(do_mmap(mm, f, shared, 4 * P, RW, MAP_SHARED | MAP_FIXED, 2), shared);
    fault_ok(mm, shared + P, FAULT_FLAG_WRITE);
    mm->start_brk = mm->brk = 0x555555560000UL;
    assert_int_equal(do_brk(mm, mm->brk + 3 * P), 0x555555560000UL + 3 * P);
    fault_ok(mm, 0x555555560000UL, FAULT_FLAG_WRITE);
    return mm;
}

static void test_teardown_returns_every_frame(void **state)
{
    (void)state;
    unsigned long free0 = free_pages_shrunk();
    struct file *f = open_test_file(12);
    struct mm_struct *mm = build_mm(f);
    assert_true(mm->map_count >= 5);
    assert_true(get_mm_rss(mm) > 0);
    assert_true(nr_pagetable_pages() >= 4);
    assert_true(nr_free_pages() < free0);

    unsigned long flushes = test_tlb_flushes;
    mmput(mm);
    assert_true(test_tlb_flushes > flushes); /* the entries went: the TLB must forget them */
    fput(f);
    assert_int_equal(nr_pagetable_pages(), 0);
    filemap_exit(); /* the page cache outlives its files, as in Linux */
    assert_int_equal(free_pages_shrunk(), free0);
}

/* The check has teeth: one object never freed keeps its slab, one frame. */
static void test_lost_object_is_seen(void **state)
{
    (void)state;
    unsigned long free0 = free_pages_shrunk();
    struct mm_struct *mm = mm_alloc(&vma_array_ops);
    assert_non_null(mm);
    struct vm_area_struct *lost = vm_area_alloc(mm);
    assert_non_null(lost);
    mmput(mm);
    assert_int_equal(free_pages_shrunk(), free0 - 1);
    vm_area_free(lost);
    assert_int_equal(free_pages_shrunk(), free0);
}

static const char *cache_of(const void *obj)
{
    struct kmem_cache *s = virt_to_cache(obj);
    return s ? kmem_cache_name(s) : "(none)";
}

/* Each kind of kernel object comes from its own cache, or kmalloc/vmalloc. */
static void test_objects_live_in_their_caches(void **state)
{
    (void)state;
    struct file *f = open_test_file(BIG_FILE_PAGES + 1);
    struct mm_struct *mm = mm_alloc(&vma_array_ops);
    assert_non_null(mm);
    assert_int_equal(
        do_mmap(mm, f, Y, (BIG_FILE_PAGES + 1) * P, PROT_READ, MAP_PRIVATE | MAP_FIXED, 0), Y);
    struct vm_area_struct *vma = find_vma(mm, Y);
    assert_non_null(vma);
    assert_string_equal(cache_of(mm), "mm_struct");
    assert_string_equal(cache_of(vma), "vm_area_struct");
    assert_string_equal(cache_of(f), "filp");
    assert_string_equal(cache_of(f->f_mapping), "address_space");
    /* The page-cache index is a tree of radix_tree_node objects, however big the file. */
    fault_ok(mm, Y, 0);
    assert_string_equal(cache_of(f->f_mapping->i_pages.xa_head), "radix_tree_node");
    fault_ok(mm, Y + BIG_FILE_PAGES * P, 0);
    assert_true(f->f_mapping->i_pages.xa_head->shift > 0); /* it grew a level */
    assert_string_equal(cache_of(f->f_mapping->i_pages.xa_head), "radix_tree_node");
    /* Table pages: the global count is the mm's own. */
    assert_int_equal(nr_pagetable_pages(), mm->pgtables_bytes / P);
    mmput(mm);
    fput(f);
}

/* The reports' page counts agree with the mm and add up to MemTotal. */
static void test_counts_add_up(void **state)
{
    (void)state;
    struct file *f = open_test_file(12);
    struct mm_struct *mm = build_mm(f);
    struct vm_counts c;
    vm_counts_collect(&c);
    struct address_space *as = f->f_mapping;
    assert_int_equal(c.node[NR_ANON_MAPPED], mm->rss[MM_ANONPAGES]);
    assert_int_equal(c.node[NR_FILE_PAGES], as->nrpages);
    assert_int_equal(c.node[NR_FILE_MAPPED], mm->rss[MM_FILEPAGES]); /* one mapping each */
    assert_int_equal(c.node[NR_FILE_DIRTY], 1);                      /* the shared write */
    assert_int_equal(c.node[NR_PAGETABLE], mm->pgtables_bytes / P);
    assert_int_equal(c.events[PGFAULT], mm->faults.min_flt + mm->faults.maj_flt);
    unsigned long lru = c.node[NR_ACTIVE_ANON] + c.node[NR_INACTIVE_ANON] + c.node[NR_ACTIVE_FILE] +
                        c.node[NR_INACTIVE_FILE];
    unsigned long slab = c.node[NR_SLAB_RECLAIMABLE] + c.node[NR_SLAB_UNRECLAIMABLE];
    unsigned long free = 0;
    for (int z = 0; z < MAX_NR_ZONES; z++)
        free += c.zone[z][NR_FREE_PAGES];
    assert_int_equal(free, nr_free_pages());
    /* Every frame is free, on an LRU list, slab, a table, vmalloc'd, or the zero page. */
    assert_int_equal(totalram_pages(),
                     free + lru + slab + c.node[NR_PAGETABLE] + vmalloc_used_pages() + 1);
    mmput(mm);
    fput(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_teardown_returns_every_frame, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lost_object_is_seen, setup, teardown),
        cmocka_unit_test_setup_teardown(test_objects_live_in_their_caches, setup, teardown),
        cmocka_unit_test_setup_teardown(test_counts_add_up, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
