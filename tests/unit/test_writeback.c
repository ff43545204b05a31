/*
 * The page cache's write side at the mm level: write() dirties cache pages
 * and leaves the host file alone until writeback; writeback collects the
 * mappings' dirty bits and write-protects them; the background threshold
 * and the expiry write back on their own; truncation drops pages past the
 * end from the cache and from every mapping (SIGBUS after); drop_caches
 * drops only what is clean and unmapped; readahead windows grow as Linux's.
 */
#include "tests/unit/support/support.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mm/array_size.h"
#include "mm/internal.h"
#include "mm/fault.h"
#include "mm/fs.h"
#include "mm/pagemap.h"
#include "mm/writeback.h"
#include "mm/mm_init.h"
#include "mm/mmap.h"
#include "mm/pgtable.h"
#include "mm/uaccess.h"
#include "mm/vma_tree.h"
#include "mm/vmstat.h"

#define P PAGE_SIZE
#define X 0x40000000UL
#define Y 0x50000000UL
#define SEC 1000000000ULL

static char path[64];

static int setup(void **state)
{
    (void)state;
    filemap_cold = false;
    test_now_ns = 0;
    strcpy(path, "/tmp/vmemu-test-writeback-XXXXXX");
    int fd = mkstemp(path);
    if (fd < 0)
        return -1;
    close(fd);
    return mm_init(&(struct mm_settings){.ram_bytes = 64 << 20});
}

static int teardown(void **state)
{
    (void)state;
    mm_exit();
    unlink(path);
    filemap_cold = false;
    vm_sysctl_set(VM_DIRTY_BACKGROUND_RATIO, DIRTY_BACKGROUND_RATIO);
    vm_sysctl_set(VM_DIRTY_EXPIRE_CENTISECS, DIRTY_EXPIRE_CENTISECS);
    pagecache_set_observer(NULL);
    return 0;
}

static struct file *open_file(int flags)
{
    int err = 0;
    struct file *f = file_open(path, flags, 0, &err);
    assert_non_null(f);
    assert_non_null(f->f_mapping);
    return f;
}

static off_t host_size(void)
{
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    return st.st_size;
}

static void host_read(void *buf, size_t len, off_t at)
{
    int fd = open(path, O_RDONLY);
    assert_true(fd >= 0);
    assert_int_equal(pread(fd, buf, len, at), (ssize_t)len);
    close(fd);
}

/* The exact dirty counter must agree with a count of the struct pages. */
static void assert_dirty(unsigned long want)
{
    struct vm_counts c;
    vm_counts_collect(&c);
    assert_int_equal(global_dirty_pages(), want);
    assert_int_equal(c.node[NR_FILE_DIRTY], want);
}

static void kwrite(struct file *f, const void *buf, size_t len, uint64_t pos)
{
    assert_int_equal(kernel_write(f, buf, len, &pos), (long)len);
}

static void fill_file(struct file *f, size_t pages, char c)
{
    static char page[PAGE_SIZE];
    memset(page, c, sizeof(page));
    for (size_t i = 0; i < pages; i++)
        kwrite(f, page, P, i * P);
}

static void test_write_stays_in_cache_until_writeback(void **state)
{
    (void)state;
    struct file *f = open_file(O_RDWR);
    struct address_space *as = f->f_mapping;
    kwrite(f, "hello", 5, 0);
    kwrite(f, "world", 5, 3 * P + 1); /* past EOF: a hole before it */
    assert_int_equal(as->i_size, 3 * P + 6);
    assert_int_equal(host_size(), 0); /* nothing reached the host yet */
    assert_dirty(2);
    assert_true(xa_get_mark(&as->i_pages, 3, PAGECACHE_TAG_DIRTY));
    assert_null(filemap_find_page(as, 1)); /* the hole has no page */
    assert_true(as->dirtied_when != 0);

    assert_int_equal(vfs_fsync(f), 0);
    assert_dirty(0);
    assert_false(xa_marked(&as->i_pages, PAGECACHE_TAG_DIRTY));
    assert_int_equal(as->dirtied_when, 0);
    assert_int_equal(host_size(), 3 * P + 6);
    char buf[5];
    host_read(buf, 5, 3 * P + 1);
    assert_memory_equal(buf, "world", 5);
    host_read(buf, 5, P);
    assert_memory_equal(buf, "\0\0\0\0\0", 5);
    struct vm_counts c;
    vm_counts_collect(&c);
    assert_int_equal(c.node[NR_DIRTIED], 2);
    assert_int_equal(c.node[NR_WRITTEN], 2);
    fput(f);
}

/* A partial write into a page not cached reads the rest of it first. */
static void test_partial_write_reads_page_first(void **state)
{
    (void)state;
    int fd = open(path, O_WRONLY);
    char block[2 * PAGE_SIZE];
    memset(block, 'h', sizeof(block));
    assert_int_equal(write(fd, block, sizeof(block)), (ssize_t)sizeof(block));
    close(fd);
    filemap_cold = true;
    struct file *f = open_file(O_RDWR);
    kwrite(f, "XY", 2, P + 10);
    char page[PAGE_SIZE];
    uint64_t pos = P;
    assert_int_equal(kernel_read(f, page, P, &pos), (long)P);
    assert_int_equal(page[9], 'h');
    assert_memory_equal(page + 10, "XY", 2);
    assert_int_equal(page[12], 'h');
    struct vm_counts c;
    vm_counts_collect(&c);
    assert_int_equal(c.events[PGPGIN], 4); /* kB: the one page read */
    fput(f);
}

static void test_mkclean_write_protects_mappings(void **state)
{
    (void)state;
    struct file *f = open_file(O_RDWR);
    fill_file(f, 2, 'a');
    assert_int_equal(vfs_fsync(f), 0);
    struct mm_struct *mm = mm_alloc(&vma_array_ops);
    assert_non_null(mm);
    assert_int_equal(do_mmap(mm, f, X, 2 * P, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, 0),
                     X);
    assert_int_equal(copy_to_user(mm, X + 7, "M", 1), 0);
    assert_dirty(1);
    pte_t *pte = pte_offset(mm, X);
    assert_true((*pte & _PAGE_RW) && (*pte & _PAGE_DIRTY));
    unsigned long flushes = test_tlb_flushes;
    assert_int_equal(do_msync(mm, X, 2 * P, MS_SYNC), 0);
    assert_dirty(0);
    assert_false(*pte & (_PAGE_RW | _PAGE_DIRTY));
    assert_int_equal(test_tlb_flushes, flushes + 1);
    char c;
    host_read(&c, 1, 7);
    assert_int_equal(c, 'M');
    /* Write given back by mprotect leaves a clean page read-only (write notify). */
    assert_int_equal(do_mprotect(mm, X, 2 * P, PROT_READ), 0);
    assert_int_equal(do_mprotect(mm, X, 2 * P, PROT_READ | PROT_WRITE), 0);
    assert_false(*pte_offset(mm, X) & _PAGE_RW);
    /* The next store faults and dirties the page again: nothing slips by. */
    struct fault_result r;
    handle_mm_fault(mm, X + 8, FAULT_FLAG_WRITE, &r);
    assert_int_equal(r.kind, FAULT_FILE_MINOR);
    assert_dirty(1);
    /* msync of a range with a hole says ENOMEM but still writes what is mapped. */
    assert_int_equal(do_msync(mm, X, 4 * P, MS_ASYNC), -ENOMEM);
    assert_dirty(0);
    assert_int_equal(do_msync(mm, X + 1, P, MS_SYNC), -EINVAL);
    mmput(mm);
    fput(f);
}

static void test_expired_pages_are_written(void **state)
{
    (void)state;
    struct file *f = open_file(O_RDWR);
    test_now_ns = 100 * SEC;
    kwrite(f, "old", 3, 0);
    test_now_ns = 120 * SEC; /* 20 s later: not yet expired */
    writeback_periodic();
    assert_dirty(1);
    test_now_ns = 131 * SEC; /* past dirty_expire_centisecs (30 s) */
    writeback_periodic();
    assert_dirty(0);
    assert_int_equal(host_size(), 3);
    fput(f);
}

static void test_background_threshold(void **state)
{
    (void)state;
    unsigned long bg, hard;
    global_dirty_limits(&bg, &hard);
    /* dirtyable memory is almost all of the 64 MiB: 10% of it, 20% */
    assert_true(bg > 1200 && bg < 1700);
    assert_true(hard > 2 * bg - 2 && hard < 2 * bg + 2);
    struct file *f = open_file(O_RDWR);
    fill_file(f, bg + 50, 'b');
    /* Writes past the threshold started background writeback, oldest first. */
    assert_true(global_dirty_pages() <= bg);
    assert_true(host_size() >= (off_t)(50 * P));
    char c;
    host_read(&c, 1, 0);
    assert_int_equal(c, 'b');
    assert_int_equal(vfs_fsync(f), 0);
    assert_int_equal(host_size(), (off_t)((bg + 50) * P));
    fput(f);
}

static void test_truncate_unmaps_and_sigbus(void **state)
{
    (void)state;
    struct file *f = open_file(O_RDWR);
    fill_file(f, 4, 'c');
    struct mm_struct *mm = mm_alloc(&vma_array_ops);
    assert_non_null(mm);
    assert_int_equal(do_mmap(mm, f, X, 4 * P, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, 0),
                     X);
    assert_int_equal(do_mmap(mm, f, Y, 4 * P, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_FIXED, 0),
                     Y);
    char buf[4 * PAGE_SIZE];
    assert_int_equal(copy_from_user(mm, buf, X, sizeof(buf)), 0);
    assert_int_equal(copy_to_user(mm, Y + 3 * P, "private", 7), 0); /* a COW copy */
    assert_int_equal(copy_to_user(mm, X + P + 50, "keep", 4), 0);
    assert_dirty(4);
    assert_int_equal(vmtruncate(f, P + 100), 0);
    assert_int_equal(host_size(), P + 100);
    assert_int_equal(f->f_mapping->nrpages, 2);
    assert_dirty(2); /* the two pages past the end went, dirty or not */
    /* Gone from both mappings, the private copy too; touching them is SIGBUS. */
    pte_t *gone = pte_offset(mm, X + 2 * P);
    assert_true(!gone || !pte_present(*gone));
    struct fault_result r;
    handle_mm_fault(mm, Y + 3 * P, 0, &r);
    assert_int_equal(r.kind, FAULT_SIGBUS);
    handle_mm_fault(mm, X + 2 * P, FAULT_FLAG_WRITE, &r);
    assert_int_equal(r.kind, FAULT_SIGBUS);
    /* The partial last page reads zeros past the end, in the mapping too. */
    assert_int_equal(copy_from_user(mm, buf, X + P, P), 0);
    assert_int_equal(buf[99], 'c');
    assert_int_equal(buf[100], 0);
    assert_memory_equal(buf + 50, "keep", 4);
    /* Growing again shows zeros, and the file ends exactly there. */
    assert_int_equal(vmtruncate(f, 3 * P), 0);
    assert_int_equal(copy_from_user(mm, buf, X + P, 2 * P), 0);
    assert_int_equal(buf[P + 5], 0);
    mmput(mm);
    assert_int_equal(vfs_fsync(f), 0);
    assert_int_equal(host_size(), 3 * P);
    host_read(buf, 4, P + 50);
    assert_memory_equal(buf, "keep", 4);
    fput(f);
}

static void test_drop_caches_keeps_dirty_and_mapped(void **state)
{
    (void)state;
    struct file *f = open_file(O_RDWR);
    fill_file(f, 6, 'd');
    assert_int_equal(vfs_fsync(f), 0);
    kwrite(f, "D", 1, 0); /* page 0 dirty again */
    struct mm_struct *mm = mm_alloc(&vma_array_ops);
    assert_non_null(mm);
    assert_int_equal(do_mmap(mm, f, X, P, PROT_READ, MAP_SHARED | MAP_FIXED, 1), X);
    char c;
    assert_int_equal(copy_from_user(mm, &c, X, 1), 0); /* page 1 mapped */
    assert_int_equal(drop_pagecache(), 4);
    assert_non_null(filemap_find_page(f->f_mapping, 0));
    assert_non_null(filemap_find_page(f->f_mapping, 1));
    assert_null(filemap_find_page(f->f_mapping, 2));
    mmput(mm);
    fput(f);
}

/* ---- readahead ---------------------------------------------------------------- */

static unsigned int windows[64], nwindows;

static void record(void *ctx, const struct pagecache_event *ev)
{
    (void)ctx;
    if (ev->op == PAGECACHE_READAHEAD && nwindows < 64)
        windows[nwindows++] = (unsigned int)ev->size;
}

static const struct pagecache_observer recorder = {record, NULL};

static void test_readahead_windows_grow(void **state)
{
    (void)state;
    int fd = open(path, O_WRONLY);
    static char block[256 * PAGE_SIZE];
    memset(block, 'r', sizeof(block));
    assert_int_equal(write(fd, block, sizeof(block)), (ssize_t)sizeof(block));
    close(fd);
    filemap_cold = true;
    pagecache_set_observer(&recorder);
    nwindows = 0;
    struct file *f = open_file(O_RDONLY);
    char page[PAGE_SIZE];
    for (unsigned long i = 0; i < 256; i++)
        assert_int_equal(kernel_read(f, page, P, &f->f_pos), (long)P);
    /* 4, 8, 16, then ra_pages (32) until the end of the file. */
    const unsigned int want[] = {4, 8, 16, 32, 32, 32, 32, 32, 32, 32, 32};
    assert_int_equal(nwindows, ARRAY_SIZE(want));
    for (unsigned int i = 0; i < nwindows; i++)
        assert_int_equal(windows[i], want[i]);
    struct vm_counts c;
    vm_counts_collect(&c);
    assert_int_equal(c.events[PGCACHE_MISS], 1); /* only the first page waited */
    assert_int_equal(c.events[PGCACHE_HIT], 255);
    assert_int_equal(c.events[PGREADAHEAD], 256);
    /* A second pass finds every page. */
    f->f_pos = 0;
    nwindows = 0;
    for (unsigned long i = 0; i < 256; i++)
        assert_int_equal(kernel_read(f, page, P, &f->f_pos), (long)P);
    assert_int_equal(nwindows, 0);
    vm_counts_collect(&c);
    assert_int_equal(c.events[PGCACHE_MISS], 1);
    /* FADV_RANDOM: a miss reads what was asked and nothing more. */
    assert_int_equal(drop_pagecache(), 256);
    assert_int_equal(file_fadvise(f, 0, 0, POSIX_FADV_RANDOM), 0);
    uint64_t pos = 100 * P;
    assert_int_equal(kernel_read(f, page, P, &pos), (long)P);
    assert_int_equal(f->f_mapping->nrpages, 1);
    fput(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_write_stays_in_cache_until_writeback, setup, teardown),
        cmocka_unit_test_setup_teardown(test_partial_write_reads_page_first, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mkclean_write_protects_mappings, setup, teardown),
        cmocka_unit_test_setup_teardown(test_expired_pages_are_written, setup, teardown),
        cmocka_unit_test_setup_teardown(test_background_threshold, setup, teardown),
        cmocka_unit_test_setup_teardown(test_truncate_unmaps_and_sigbus, setup, teardown),
        cmocka_unit_test_setup_teardown(test_drop_caches_keeps_dirty_and_mapped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_readahead_windows_grow, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
