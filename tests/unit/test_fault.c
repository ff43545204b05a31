/*
 * handle_mm_fault, kind by kind, with exact fault counters and rss: the zero
 * page, fresh anonymous pages, copy-on-write, the SIGSEGV kinds, file pages
 * (minor with a warm cache, major with a cold one, fault-around, private COW,
 * shared writes that must reach the host file), SIGBUS beyond EOF, the
 * frames of special mappings (the vDSO, [vvar]); the user
 * copies across page boundaries and into holes; and that nothing leaks.
 */
#include "tests/unit/support/support.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "mm/internal.h"
#include "mm/fault.h"
#include "mm/fs.h"
#include "mm/pagemap.h"
#include "mm/writeback.h"
#include "mm/mm_init.h"
#include "mm/mmap.h"
#include "mm/pgtable.h"
#include "mm/seq.h"
#include "mm/slab.h"
#include "mm/uaccess.h"
#include "mm/vma_tree.h"

#define P PAGE_SIZE
#define ANON (MAP_PRIVATE | MAP_ANONYMOUS)
#define RW (PROT_READ | PROT_WRITE)
#define X 0x40000000UL
#define Y 0x50000000UL

/* For tests that end with mm_exit themselves: undo only what is still up. */
static int teardown_if_up(void **state)
{
    (void)state;
    if (direct_map)
        mm_exit();
    filemap_cold = false;
    return 0;
}

static struct mm_struct *new_mm(void)
{
    struct mm_struct *mm = mm_alloc(&vma_array_ops);
    assert_non_null(mm);
    return mm;
}

static void map_anon(struct mm_struct *mm, unsigned long addr, unsigned long len,
                     unsigned long prot, unsigned long flags)
{
    assert_int_equal(do_mmap(mm, NULL, addr, len, prot, flags | MAP_FIXED, 0), addr);
}

static void map_file(struct mm_struct *mm, struct file *f, unsigned long addr, unsigned long len,
                     unsigned long prot, unsigned long flags, unsigned long pgoff)
{
    assert_int_equal(do_mmap(mm, f, addr, len, prot, flags | MAP_FIXED, pgoff), addr);
}

static struct fault_result fault(struct mm_struct *mm, unsigned long addr, unsigned int flags,
                                 enum fault_kind want)
{
    struct fault_result r;
    handle_mm_fault(mm, addr, flags, &r);
    if (r.kind != want)
        fail_msg("fault at %#lx flags %#x: %s, want %s", addr, flags, fault_kind_name(r.kind),
                 fault_kind_name(want));
    return r;
}

static pte_t pte_at(struct mm_struct *mm, unsigned long addr)
{
    pte_t *pte = pte_offset(mm, addr);
    return pte ? *pte : 0;
}

static bool page_is_zero(unsigned long pfn)
{
    const unsigned char *p = page_address(pfn_to_page(pfn));
    for (size_t i = 0; i < PAGE_SIZE; i++)
        if (p[i])
            return false;
    return true;
}

/* ---- temporary host files ------------------------------------------------------------- */

static char path[64];

static unsigned char pattern(size_t i)
{
    return (unsigned char)(i * 13 + (i >> PAGE_SHIFT) * 7 + 1);
}

static void make_file(size_t size)
{
    strcpy(path, "/tmp/vmemu-test-fault-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    unsigned char *buf = malloc(size ? size : 1);
    assert_non_null(buf);
    for (size_t i = 0; i < size; i++)
        buf[i] = pattern(i);
    assert_int_equal(write(fd, buf, size), (ssize_t)size);
    close(fd);
    free(buf);
}

static struct file *open_file(int flags)
{
    int err = 0;
    struct file *f = file_open(path, flags, 0, &err);
    assert_non_null(f);
    assert_non_null(f->f_mapping);
    return f;
}

/* The host file's bytes, read behind vmemu's back. */
static unsigned char *host_contents(size_t size)
{
    unsigned char *buf = malloc(size + 1);
    assert_non_null(buf);
    int fd = open(path, O_RDONLY);
    assert_true(fd >= 0);
    assert_int_equal(read(fd, buf, size + 1), (ssize_t)size); /* and not a byte more */
    close(fd);
    return buf;
}

static void expect_pattern(struct mm_struct *mm, unsigned long addr, size_t file_off, size_t len)
{
    unsigned char *buf = malloc(len);
    assert_non_null(buf);
    assert_int_equal(copy_from_user(mm, buf, addr, len), 0);
    for (size_t i = 0; i < len; i++)
        if (buf[i] != pattern(file_off + i))
            fail_msg("byte %#lx of the file reads %#x, want %#x", (unsigned long)(file_off + i),
                     buf[i], pattern(file_off + i));
    free(buf);
}

static bool page_matches_file(unsigned long pfn, pgoff_t index)
{
    const unsigned char *p = page_address(pfn_to_page(pfn));
    for (size_t i = 0; i < PAGE_SIZE; i++)
        if (p[i] != pattern(index * PAGE_SIZE + i))
            return false;
    return true;
}

/* ---- anonymous memory ----------------------------------------------------------------- */

/* Read: the zero page, read-only, nothing charged. Write then: COW into a zeroed frame. */
static void test_anon_zero_then_cow(void **state)
{
    (void)state;
    struct mm_struct *mm = new_mm();
    map_anon(mm, X, 2 * P, RW, ANON);

    struct fault_result r = fault(mm, X + 0x10, 0, FAULT_ANON_ZERO);
    assert_int_equal(r.pfn, zero_pfn);
    assert_false(r.major);
    pte_t e = pte_at(mm, X);
    assert_int_equal(pte_pfn(e), zero_pfn);
    assert_true(e & _PAGE_PRESENT);
    assert_false(e & _PAGE_RW);
    assert_int_equal(mm->rss[MM_ANONPAGES], 0);
    assert_int_equal(mm->rss[MM_FILEPAGES], 0);
    assert_int_equal(mm->faults.min_flt, 1);
    assert_int_equal(mm->faults.maj_flt, 0);
    assert_int_equal(mm->faults.zero_page, 1);

    unsigned long free0 = test_free_or_slab_pages();
    r = fault(mm, X + 0x10, FAULT_FLAG_WRITE, FAULT_COW);
    assert_int_not_equal(r.pfn, zero_pfn);
    assert_true(page_is_zero(r.pfn));
    assert_int_equal(test_free_or_slab_pages(), free0 - 1);
    e = pte_at(mm, X);
    assert_int_equal(pte_pfn(e), r.pfn);
    assert_true(e & _PAGE_RW);
    struct page *pg = pfn_to_page(r.pfn);
    assert_true(PageFlag(pg, PG_anon));
    assert_int_equal(pg->mapcount, 1);
    assert_int_equal(pg->refcount, 1);
    assert_int_equal(mm->rss[MM_ANONPAGES], 1);
    assert_int_equal(mm->hiwater_rss, 1);
    assert_int_equal(mm->faults.min_flt, 2);
    assert_int_equal(mm->faults.cow, 1);

    /* Writing the copy leaves the zero page zero. */
    assert_int_equal(copy_to_user(mm, X, "data", 4), 0);
    assert_true(page_is_zero(zero_pfn));
    fault(mm, X + P, 0, FAULT_ANON_ZERO);
    char buf[4];
    assert_int_equal(copy_from_user(mm, buf, X + P, 4), 0);
    assert_memory_equal(buf, "\0\0\0\0", 4);
    mmput(mm);
}

/* Write first: a fresh zeroed frame at once; a second fault there is spurious. */
static void test_anon_new_and_spurious(void **state)
{
    (void)state;
    struct mm_struct *mm = new_mm();
    map_anon(mm, X, 4 * P, RW, ANON);
    struct fault_result r = fault(mm, X + P, FAULT_FLAG_WRITE, FAULT_ANON_NEW);
    assert_int_not_equal(r.pfn, zero_pfn);
    assert_true(page_is_zero(r.pfn));
    assert_true(pte_at(mm, X + P) & _PAGE_RW);
    assert_int_equal(mm->rss[MM_ANONPAGES], 1);
    assert_int_equal(mm->faults.anon_new, 1);
    assert_int_equal(mm->faults.min_flt, 1);

    struct fault_result again = fault(mm, X + P, FAULT_FLAG_WRITE, FAULT_SPURIOUS);
    assert_int_equal(again.pfn, r.pfn);
    assert_int_equal(mm->rss[MM_ANONPAGES], 1);
    assert_int_equal(mm->faults.min_flt, 2); /* Linux counts it too */

    for (unsigned long a = X + 2 * P; a < X + 4 * P; a += P)
        fault(mm, a, FAULT_FLAG_WRITE, FAULT_ANON_NEW);
    assert_int_equal(mm->rss[MM_ANONPAGES], 3);
    assert_int_equal(mm->hiwater_rss, 3);
    assert_int_equal(mm->faults.anon_new, 3);
    assert_int_equal(mm->faults.min_flt, 4);
    assert_int_equal(mm->faults.maj_flt, 0);
    assert_int_equal(do_munmap(mm, X, 4 * P), 0);
    assert_int_equal(mm->rss[MM_ANONPAGES], 0);
    assert_int_equal(mm->hiwater_rss, 3);
    mmput(mm);
}

/* SIGSEGV: no VMA (MAPERR), or a VMA that forbids the access (ACCERR). */
static void test_segv_kinds(void **state)
{
    (void)state;
    struct mm_struct *mm = new_mm();
    map_anon(mm, X, P, PROT_READ, ANON);
    map_anon(mm, X + P, P, PROT_NONE, ANON);
    map_anon(mm, X + 2 * P, P, RW, ANON);
    map_anon(mm, X + 3 * P, P, PROT_WRITE, ANON);
    map_anon(mm, X + 4 * P, P, PROT_EXEC, ANON);

    fault(mm, X, FAULT_FLAG_WRITE, FAULT_SEGV_ACCERR);
    fault(mm, X + P, 0, FAULT_SEGV_ACCERR);
    fault(mm, X + P, FAULT_FLAG_WRITE, FAULT_SEGV_ACCERR);
    fault(mm, X + 5 * P, 0, FAULT_SEGV_MAPERR);
    fault(mm, 0, 0, FAULT_SEGV_MAPERR);
    fault(mm, TASK_SIZE, 0, FAULT_SEGV_MAPERR);
    fault(mm, 0xffff800000000000UL, FAULT_FLAG_WRITE, FAULT_SEGV_MAPERR);
    assert_int_equal(mm->faults.segv, 7);
    assert_int_equal(mm->faults.min_flt, 0);
    assert_int_equal(mm->faults.maj_flt, 0);
    assert_int_equal(get_mm_rss(mm), 0);
    assert_int_equal(pte_at(mm, X), 0);

    /* x86: write implies read, exec implies read. */
    fault(mm, X + 3 * P, 0, FAULT_ANON_ZERO);
    fault(mm, X + 4 * P, 0, FAULT_ANON_ZERO);
    fault(mm, X + 4 * P, FAULT_FLAG_INSTRUCTION, FAULT_SPURIOUS);
    assert_int_equal(mm->faults.min_flt, 3);
    /*
     * x86: a fetch from a readable page not yet present maps it like a read
     * (a counted fault); the retry, a protection fault on the NX entry, is
     * SIGSEGV.
     */
    fault(mm, X + 2 * P, FAULT_FLAG_INSTRUCTION, FAULT_ANON_ZERO);
    assert_true(pte_at(mm, X + 2 * P) & _PAGE_NX);
    fault(mm, X + 2 * P, FAULT_FLAG_INSTRUCTION, FAULT_SEGV_ACCERR);
    assert_int_equal(mm->faults.min_flt, 4);
    assert_int_equal(mm->faults.segv, 8);
    mmput(mm);
}

/*
 * A page made read-only and writable again is this mapping's alone: as in
 * Linux 6.x (can_change_pte_writable), mprotect makes its entry writable
 * at once, so the next write takes no fault and nothing is copied. A page
 * that is not exclusive (a file page) stays read-only, to be copied.
 */
static void test_wp_reuse(void **state)
{
    (void)state;
    struct mm_struct *mm = new_mm();
    map_anon(mm, X, 2 * P, RW, ANON);
    assert_int_equal(copy_to_user(mm, X, "keep", 4), 0);
    fault(mm, X + P, 0, FAULT_ANON_ZERO);
    unsigned long pfn = pte_pfn(pte_at(mm, X));
    assert_int_equal(do_mprotect(mm, X, 2 * P, PROT_READ), 0);
    assert_false(pte_at(mm, X) & _PAGE_RW);
    fault(mm, X, FAULT_FLAG_WRITE, FAULT_SEGV_ACCERR);
    assert_int_equal(do_mprotect(mm, X, 2 * P, RW), 0);
    unsigned long free0 = test_free_or_slab_pages(), minor = mm->faults.min_flt;
    assert_true(pte_at(mm, X) & _PAGE_RW);
    assert_false(pte_at(mm, X + P) & _PAGE_RW); /* the zero page is nobody's: a write copies */
    assert_int_equal(copy_to_user(mm, X, "kept", 4), 0);
    assert_int_equal(mm->faults.min_flt, minor);
    assert_int_equal(pte_pfn(pte_at(mm, X)), pfn);
    assert_int_equal(test_free_or_slab_pages(), free0);
    /* A write to an exclusive page left read-only (say by a fork since undone) reuses it. */
    assert_int_equal(do_mprotect(mm, X, P, PROT_READ), 0);
    assert_int_equal(do_mprotect(mm, X, P, RW), 0);
    pte_t *e = pte_offset(mm, X);
    *e = pte_wrprotect(*e);
    struct fault_result r = fault(mm, X, FAULT_FLAG_WRITE, FAULT_WP_REUSE);
    assert_int_equal(r.pfn, pfn);
    assert_true(pte_at(mm, X) & _PAGE_RW);
    copy_to_user(mm, X, "keep", 4);
    char buf[4];
    assert_int_equal(copy_from_user(mm, buf, X, 4), 0);
    assert_memory_equal(buf, "keep", 4);
    assert_int_equal(mm->rss[MM_ANONPAGES], 1);
    assert_int_equal(mm->faults.cow, 0);
    mmput(mm);
}

/*
 * MAP_SHARED|MAP_ANONYMOUS is shared memory (shmem in Linux): a read does
 * not map the zero page, and writes never land in the zero page.
 */
static void test_shared_anon_never_writes_zero_page(void **state)
{
    (void)state;
    struct mm_struct *mm = new_mm();
    map_anon(mm, X, P, RW, MAP_SHARED | MAP_ANONYMOUS);
    map_anon(mm, Y, P, RW, ANON);
    struct fault_result r;
    handle_mm_fault(mm, X, 0, &r);
    assert_int_equal(r.kind, FAULT_ANON_NEW);
    assert_int_not_equal(r.pfn, zero_pfn);
    assert_true(page_is_zero(r.pfn));
    /* The write goes to that same frame: shared memory is never copied. */
    assert_int_equal(copy_to_user(mm, X, "shared", 6), 0);
    assert_int_equal(pte_pfn(pte_at(mm, X)), r.pfn);
    assert_int_equal(mm->faults.cow, 0);
    assert_true(page_is_zero(zero_pfn));
    char buf[6];
    assert_int_equal(copy_from_user(mm, buf, X, 6), 0);
    assert_memory_equal(buf, "shared", 6);
    assert_int_equal(copy_from_user(mm, buf, Y, 6), 0);
    assert_memory_equal(buf, "\0\0\0\0\0\0", 6);
    mmput(mm);
}

/* ---- file pages ----------------------------------------------------------------------- */

/*
 * Private file mapping, warm cache: a read maps the cached page (minor) and
 * fault-around maps its cached neighbours; a write copies it (COW) and the
 * page cache keeps the file's bytes.
 */
static void test_file_private_minor_and_cow(void **state)
{
    (void)state;
    make_file(3 * P);
    struct file *f = open_file(O_RDONLY);
    struct address_space *as = f->f_mapping;
    struct mm_struct *mm = new_mm();
    map_file(mm, f, X, 3 * P, RW, MAP_PRIVATE, 0);

    struct fault_result r = fault(mm, X + P + 5, 0, FAULT_FILE_MINOR);
    assert_false(r.major);
    struct page *cached = filemap_find_page(as, 1);
    assert_non_null(cached);
    assert_int_equal(r.pfn, page_to_pfn(cached));
    assert_true(page_matches_file(r.pfn, 1));
    /* fault-around: the other two pages of the file are in the 64 KiB window */
    assert_int_equal(r.around, 2);
    assert_int_equal(mm->rss[MM_FILEPAGES], 3);
    assert_int_equal(mm->rss[MM_ANONPAGES], 0);
    assert_int_equal(mm->faults.min_flt, 1);
    assert_int_equal(mm->faults.maj_flt, 0);
    assert_int_equal(mm->faults.fault_around, 2);
    assert_int_equal(as->nrpages, 3);
    for (pgoff_t i = 0; i < 3; i++) {
        pte_t e = pte_at(mm, X + i * P);
        assert_int_equal(pte_pfn(e), page_to_pfn(filemap_find_page(as, i)));
        assert_false(e & _PAGE_RW); /* private: writes must fault to copy */
        assert_int_equal(filemap_find_page(as, i)->mapcount, 1);
        assert_int_equal(filemap_find_page(as, i)->refcount, 2); /* cache + mapping */
    }
    expect_pattern(mm, X, 0, 3 * P);
    assert_int_equal(mm->faults.min_flt, 1); /* everything was mapped already */

    /* Write: a private copy. */
    r = fault(mm, X + P, FAULT_FLAG_WRITE, FAULT_COW);
    assert_int_not_equal(r.pfn, page_to_pfn(cached));
    assert_true(page_matches_file(r.pfn, 1));
    assert_true(pte_at(mm, X + P) & _PAGE_RW);
    assert_int_equal(mm->rss[MM_FILEPAGES], 2);
    assert_int_equal(mm->rss[MM_ANONPAGES], 1);
    assert_int_equal(cached->mapcount, 0);
    assert_int_equal(cached->refcount, 1);
    assert_int_equal(mm->faults.cow, 1);
    assert_int_equal(mm->faults.min_flt, 2);
    assert_int_equal(copy_to_user(mm, X + P + 100, "private", 7), 0);
    assert_true(page_matches_file(page_to_pfn(cached), 1));
    assert_false(PageFlag(cached, PG_dirty));

    /* A write as the first touch copies straight from the cache. */
    map_file(mm, f, Y, P, RW, MAP_PRIVATE, 2);
    r = fault(mm, Y, FAULT_FLAG_WRITE, FAULT_COW);
    assert_true(page_matches_file(r.pfn, 2));
    assert_true(PageFlag(pfn_to_page(r.pfn), PG_anon));
    assert_int_equal(mm->rss[MM_ANONPAGES], 2);
    assert_int_equal(mm->rss[MM_FILEPAGES], 2);
    mmput(mm);
    for (pgoff_t i = 0; i < 3; i++) {
        assert_int_equal(filemap_find_page(as, i)->mapcount, 0);
        assert_int_equal(filemap_find_page(as, i)->refcount, 1);
    }
    fput(f);
    unlink(path);
}

/* Private writes never reach the file, even a writable one, even at exit. */
static void test_file_private_write_leaves_file_alone(void **state)
{
    (void)state;
    make_file(2 * P + 300);
    struct file *f = open_file(O_RDWR);
    struct mm_struct *mm = new_mm();
    map_file(mm, f, X, 3 * P, RW, MAP_PRIVATE, 0);
    static char junk[2 * PAGE_SIZE];
    memset(junk, 'J', sizeof(junk));
    assert_int_equal(copy_to_user(mm, X + P / 2, junk, sizeof(junk)), 0);
    assert_int_equal(mm->rss[MM_ANONPAGES], 3);
    assert_int_equal(mm->faults.cow, 3);
    mmput(mm);
    fput(f);
    mm_exit();
    unsigned char *disk = host_contents(2 * P + 300);
    for (size_t i = 0; i < 2 * P + 300; i++)
        if (disk[i] != pattern(i))
            fail_msg("file byte %#lx changed", (unsigned long)i);
    free(disk);
    unlink(path);
}

/* Cold cache: the first touch waits for I/O (major), later ones find the page (minor). */
static void test_file_cold_major_then_minor(void **state)
{
    (void)state;
    filemap_cold = true;
    make_file(3 * P);
    struct file *f = open_file(O_RDONLY);
    struct address_space *as = f->f_mapping;
    struct mm_struct *mm = new_mm();
    map_file(mm, f, X, P, PROT_READ, MAP_PRIVATE, 1);

    struct fault_result r = fault(mm, X, 0, FAULT_FILE_MAJOR);
    assert_true(r.major);
    assert_int_equal(r.pfn, page_to_pfn(filemap_find_page(as, 1)));
    assert_true(page_matches_file(r.pfn, 1));
    assert_int_equal(mm->faults.maj_flt, 1);
    assert_int_equal(mm->faults.min_flt, 0);
    assert_int_equal(mm->rss[MM_FILEPAGES], 1);
    /* read-around brought the rest of the (small) file in with it */
    assert_int_equal(r.readahead, 2);
    assert_int_equal(as->nrpages, 3);

    /* The same page in another mapping, of another mm: minor, the same frame. */
    struct mm_struct *other = new_mm();
    map_file(other, f, Y, P, PROT_READ, MAP_PRIVATE, 1);
    struct fault_result r2 = fault(other, Y, 0, FAULT_FILE_MINOR);
    assert_false(r2.major);
    assert_int_equal(r2.pfn, r.pfn);
    assert_int_equal(other->faults.maj_flt, 0);
    assert_int_equal(other->faults.min_flt, 1);
    assert_int_equal(pfn_to_page(r.pfn)->mapcount, 2);
    /* A page read ahead is a minor fault too. */
    map_file(mm, f, Y, P, PROT_READ, MAP_PRIVATE, 2);
    fault(mm, Y, 0, FAULT_FILE_MINOR);
    assert_int_equal(mm->faults.maj_flt, 1);
    assert_int_equal(mm->faults.min_flt, 1);
    mmput(other);
    mmput(mm);
    fput(f);
    unlink(path);
}

/* Shared writes reach the host file: by fault, by copy_to_user, by the MMU's dirty bit. */
static void test_file_shared_write_reaches_disk(void **state)
{
    (void)state;
    const size_t size = 2 * P;
    make_file(size);
    struct file *f = open_file(O_RDWR);
    struct address_space *as = f->f_mapping;
    struct mm_struct *mm = new_mm();
    map_file(mm, f, X, size, RW, MAP_SHARED, 0);

    /* Read: the cache page itself, read-only until written. */
    struct fault_result r = fault(mm, X, 0, FAULT_FILE_MINOR);
    unsigned long pfn0 = page_to_pfn(filemap_find_page(as, 0));
    assert_int_equal(r.pfn, pfn0);
    assert_false(pte_at(mm, X) & _PAGE_RW);
    /* Write: the same page made writable and dirty, no copy. */
    r = fault(mm, X, FAULT_FLAG_WRITE, FAULT_FILE_MINOR);
    assert_int_equal(r.pfn, pfn0);
    assert_true(pte_at(mm, X) & _PAGE_RW);
    assert_true(PageFlag(pfn_to_page(pfn0), PG_dirty));
    assert_int_equal(mm->faults.cow, 0);

    /* A copy across the page boundary. */
    assert_int_equal(copy_to_user(mm, X + P - 5, "HELLO WORLD", 11), 0);
    assert_int_equal(mm->rss[MM_FILEPAGES], 2);
    assert_int_equal(mm->rss[MM_ANONPAGES], 0);
    assert_int_equal(pte_pfn(pte_at(mm, X + P)), page_to_pfn(filemap_find_page(as, 1)));

    /* Another process mapping the file sees it at once. */
    struct mm_struct *other = new_mm();
    map_file(other, f, Y, size, PROT_READ, MAP_SHARED, 0);
    char buf[11];
    assert_int_equal(copy_from_user(other, buf, Y + P - 5, 11), 0);
    assert_memory_equal(buf, "HELLO WORLD", 11);

    /*
     * Written back: the page is clean and its entries write-protected (Linux's
     * page_mkclean), so the CPU's next write faults and dirties it again.
     */
    unsigned long flushes = test_tlb_flushes;
    assert_int_equal(writeback_all(WB_REASON_SYNC), 0);
    assert_false(PageFlag(pfn_to_page(pfn0), PG_dirty));
    assert_false(pte_at(mm, X) & (_PAGE_RW | _PAGE_DIRTY));
    assert_true(test_tlb_flushes > flushes);
    uint64_t pa;
    unsigned int prot;
    assert_false(mm_translate(mm, X + 200, MMU_WRITE, &pa, &prot));
    fault(mm, X + 200, FAULT_FLAG_WRITE, FAULT_FILE_MINOR);
    assert_true(PageFlag(pfn_to_page(pfn0), PG_dirty));
    assert_true(mm_translate(mm, X + 200, MMU_WRITE, &pa, &prot));
    assert_true(prot & MMU_PROT_WRITE);
    memcpy(direct_map + pa + 200, "CPU", 3);

    mmput(other);
    mmput(mm);
    fput(f);
    mm_exit();

    unsigned char *disk = host_contents(size);
    for (size_t i = 0; i < size; i++) {
        unsigned char want = pattern(i);
        if (i >= P - 5 && i < P + 6)
            want = (unsigned char)"HELLO WORLD"[i - (P - 5)];
        else if (i >= 200 && i < 203)
            want = (unsigned char)"CPU"[i - 200];
        if (disk[i] != want)
            fail_msg("file byte %#lx is %#x, want %#x", (unsigned long)i, disk[i], want);
    }
    free(disk);
    unlink(path);
}

/* Pages wholly beyond EOF: SIGBUS, not counted; the last partial page reads zeros past EOF. */
static void test_file_sigbus_beyond_eof(void **state)
{
    (void)state;
    make_file(P + 100);
    struct file *f = open_file(O_RDWR);
    struct mm_struct *mm = new_mm();
    map_file(mm, f, X, 4 * P, RW, MAP_PRIVATE, 0);
    map_file(mm, f, Y, 4 * P, RW, MAP_SHARED, 0);

    struct fault_result r = fault(mm, X + P, 0, FAULT_FILE_MINOR);
    unsigned char *p = page_address(pfn_to_page(r.pfn));
    for (size_t i = 100; i < P; i++)
        assert_int_equal(p[i], 0);
    expect_pattern(mm, X + P, P, 100);
    unsigned long min = mm->faults.min_flt, rss = mm->rss[MM_FILEPAGES];

    fault(mm, X + 2 * P, 0, FAULT_SIGBUS);
    fault(mm, X + 3 * P, FAULT_FLAG_WRITE, FAULT_SIGBUS);
    fault(mm, Y + 2 * P, FAULT_FLAG_WRITE, FAULT_SIGBUS);
    assert_int_equal(mm->faults.min_flt, min);
    assert_int_equal(mm->faults.maj_flt, 0);
    assert_int_equal(mm->faults.segv, 0);
    assert_int_equal(mm->rss[MM_FILEPAGES], rss);
    assert_int_equal(pte_at(mm, X + 2 * P), 0);

    /* A copy running into the hole past EOF stops there. */
    char buf[20];
    assert_int_equal(copy_from_user(mm, buf, X + 2 * P - 10, 20), 10);
    assert_int_equal(copy_to_user(mm, Y + 2 * P - 4, "12345678", 8), 4);
    mmput(mm);
    fput(f);
    unlink(path);
}

/*
 * MADV_DONTNEED on a private file mapping drops the private copies: the file
 * shows through again. On a shared one it drops only the mappings: what was
 * written through them (the dirty bit alone) is kept in the page cache.
 */
static void test_file_dontneed(void **state)
{
    (void)state;
    make_file(2 * P);
    struct file *f = open_file(O_RDWR);
    struct address_space *as = f->f_mapping;
    struct mm_struct *mm = new_mm();
    map_file(mm, f, X, 2 * P, RW, MAP_PRIVATE, 0);
    map_file(mm, f, Y, 2 * P, RW, MAP_SHARED, 0);

    assert_int_equal(copy_to_user(mm, X + 10, "mine", 4), 0);
    assert_int_equal(mm->rss[MM_ANONPAGES], 1);
    assert_int_equal(do_madvise(mm, X, 2 * P, MADV_DONTNEED), 0);
    assert_int_equal(mm->rss[MM_ANONPAGES], 0);
    assert_int_equal(mm->rss[MM_FILEPAGES], 0);
    expect_pattern(mm, X, 0, 2 * P);

    /*
     * A CPU write to the shared mapping after writeback: the entry was
     * write-protected, so the write faults and dirties the page again; the
     * page stays dirty in the cache when the mapping goes.
     */
    fault(mm, Y + P, FAULT_FLAG_WRITE, FAULT_FILE_MINOR);
    assert_int_equal(writeback_all(WB_REASON_SYNC), 0);
    struct page *cached = filemap_find_page(as, 1);
    assert_false(PageFlag(cached, PG_dirty));
    uint64_t pa;
    unsigned int prot;
    assert_false(mm_translate(mm, Y + P, MMU_WRITE, &pa, &prot));
    fault(mm, Y + P, FAULT_FLAG_WRITE, FAULT_FILE_MINOR);
    assert_true(mm_translate(mm, Y + P, MMU_WRITE, &pa, &prot));
    memcpy(direct_map + pa + 7, "dirty", 5);
    assert_int_equal(do_madvise(mm, Y, 2 * P, MADV_DONTNEED), 0);
    assert_int_equal(pte_at(mm, Y + P), 0);
    assert_true(PageFlag(cached, PG_dirty)); /* kept in the cache, not lost with the entry */
    char buf[5];
    assert_int_equal(copy_from_user(mm, buf, Y + P + 7, 5), 0);
    assert_memory_equal(buf, "dirty", 5);
    mmput(mm);
    fput(f);
    /* Neither unmap nor close writes back, as in Linux: sync does. */
    assert_true(PageFlag(cached, PG_dirty));
    assert_int_equal(writeback_all(WB_REASON_SYNC), 0);
    unsigned char *disk = host_contents(2 * P);
    assert_memory_equal(disk + P + 7, "dirty", 5);
    free(disk);
    unlink(path);
}

/*
 * MAP_POPULATE faults the range in at mmap time: private writable memory
 * with write faults (pages of its own), read-only memory with read faults.
 */
static void test_map_populate(void **state)
{
    (void)state;
    struct mm_struct *mm = new_mm();
    assert_int_equal(do_mmap(mm, NULL, X, 3 * P, RW, ANON | MAP_FIXED | MAP_POPULATE, 0), X);
    assert_int_equal(mm->rss[MM_ANONPAGES], 3);
    assert_int_equal(mm->faults.anon_new, 3);
    assert_int_equal(mm->faults.min_flt, 3);
    for (unsigned long a = X; a < X + 3 * P; a += P)
        assert_true(pte_at(mm, a) & _PAGE_RW);
    assert_int_equal(do_mmap(mm, NULL, Y, 2 * P, PROT_READ, ANON | MAP_FIXED | MAP_POPULATE, 0), Y);
    assert_int_equal(mm->rss[MM_ANONPAGES], 3);
    assert_int_equal(pte_pfn(pte_at(mm, Y + P)), zero_pfn);
    assert_int_equal(mm->faults.zero_page, 2);

    make_file(2 * P);
    struct file *f = open_file(O_RDONLY);
    map_file(mm, f, Y + 0x100000, 2 * P, PROT_READ, MAP_PRIVATE | MAP_POPULATE, 0);
    assert_int_equal(mm->rss[MM_FILEPAGES], 2);
    assert_int_equal(pte_pfn(pte_at(mm, Y + 0x100000 + P)),
                     page_to_pfn(filemap_find_page(f->f_mapping, 1)));
    mmput(mm);
    fput(f);
    unlink(path);
}

/*
 * Reopening with O_TRUNC empties the file: the page cache of its earlier
 * contents must not show through (Linux's truncate drops those pages).
 */
static void test_reopen_with_truncate(void **state)
{
    (void)state;
    make_file(2 * P);
    struct file *f = open_file(O_RDONLY);
    struct mm_struct *mm = new_mm();
    map_file(mm, f, X, 2 * P, PROT_READ, MAP_PRIVATE, 0);
    expect_pattern(mm, X, 0, 2 * P);
    assert_int_equal(do_munmap(mm, X, 2 * P), 0);
    fput(f);

    struct file *t = open_file(O_RDWR | O_TRUNC);
    assert_int_equal(t->f_mapping->i_size, 0);
    map_file(mm, t, X, 2 * P, PROT_READ, MAP_PRIVATE, 0);
    fault(mm, X, 0, FAULT_SIGBUS);
    mmput(mm);
    fput(t);
    unlink(path);
}

/*
 * A file truncated behind a shared mapping with unwritten changes (another
 * process): what lies below the new end is kept, what lies past it is
 * discarded, and writeback never makes the file long again.
 */
static void test_truncate_under_dirty_shared_mapping(void **state)
{
    (void)state;
    make_file(2 * P);
    struct file *f = open_file(O_RDWR);
    struct mm_struct *mm = new_mm();
    map_file(mm, f, X, 2 * P, RW, MAP_SHARED, 0);
    assert_int_equal(copy_to_user(mm, X + 5, "AAAA", 4), 0);
    assert_int_equal(copy_to_user(mm, X + P + 5, "BBBB", 4), 0);
    assert_int_equal(truncate(path, 100), 0);

    struct file *g = open_file(O_RDONLY); /* vmemu learns of the new size */
    struct address_space *as = g->f_mapping;
    assert_int_equal(as->i_size, 100);
    assert_null(filemap_find_page(as, 1));
    /* The partial last page stays cached and mapped, zero past the new end. */
    struct page *last = filemap_find_page(as, 0);
    assert_non_null(last);
    assert_int_equal(pte_pfn(pte_at(mm, X)), page_to_pfn(last));
    const unsigned char *bytes = page_address(last);
    for (size_t i = 100; i < P; i++)
        assert_int_equal(bytes[i], 0);
    /* So a write below the new end after the truncation is not lost either. */
    assert_int_equal(copy_to_user(mm, X + 50, "CC", 2), 0);
    mmput(mm);
    fput(f);
    fput(g);
    mm_exit();

    unsigned char *disk = host_contents(100);
    for (size_t i = 0; i < 100; i++) {
        unsigned char want = i >= 5 && i < 9 ? 'A' : i >= 50 && i < 52 ? 'C' : pattern(i);
        if (disk[i] != want)
            fail_msg("file byte %#lx is %#x, want %#x", (unsigned long)i, disk[i], want);
    }
    free(disk);
    unlink(path);
}

/*
 * Copy-on-write of an executable page makes the CPU forget the address
 * (the old frame keeps its code for whoever maps it); the kernel storing
 * into a frame, or freeing it, names the frame.
 */
static void test_cow_of_code_flushes_translations(void **state)
{
    (void)state;
    make_file(P);
    struct file *f = open_file(O_RDONLY);
    struct mm_struct *mm = new_mm();
    map_file(mm, f, X, P, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE, 0);
    fault(mm, X, FAULT_FLAG_INSTRUCTION, FAULT_FILE_MINOR);
    unsigned long code = test_code_flushes;
    fault(mm, X, FAULT_FLAG_WRITE, FAULT_COW);
    assert_true(test_code_flushes > code);
    /* Anonymous code: the zero page ran (a fetch mapped it), then a write copies it. */
    map_anon(mm, Y + P, P, PROT_READ | PROT_WRITE | PROT_EXEC, ANON);
    fault(mm, Y + P, FAULT_FLAG_INSTRUCTION, FAULT_ANON_ZERO);
    code = test_code_flushes;
    fault(mm, Y + P, FAULT_FLAG_WRITE, FAULT_COW);
    assert_true(test_code_flushes > code);
    /* vmemu storing into memory tells the CPU which frame changes under it. */
    map_anon(mm, Y, P, PROT_READ | PROT_WRITE | PROT_EXEC, ANON);
    unsigned long changing = test_frames_changing;
    assert_int_equal(copy_to_user(mm, Y, "\xc3", 1), 0);
    assert_int_equal(test_frames_changing, changing + 1);
    uint64_t pa;
    unsigned int prot;
    assert_true(mm_translate(mm, Y, MMU_READ, &pa, &prot));
    assert_int_equal(test_last_changing_pfn, pa >> PAGE_SHIFT);
    /* Freeing a frame tells it too: whoever gets it next rewrites it. */
    changing = test_frames_changing;
    assert_int_equal(do_munmap(mm, Y, P), 0);
    assert_true(test_frames_changing > changing);
    mmput(mm);
    fput(f);
    unlink(path);
}

/* ---- special mappings (the vDSO and [vvar]) ------------------------------------------- */

/*
 * Two mms map one special mapping's frames: the same frame in both, counted
 * as a file page and referenced once per mapping; a raw (VM_PFNMAP) frame
 * is mapped with no reference and no rss; a page past the frames is
 * SIGBUS; a write, once mprotect allows it, copies the page (the owner's
 * frame never changes); unmapping gives the references back.
 */
static void test_special_mapping(void **state)
{
    (void)state;
    struct page *code = alloc_page(GFP_KERNEL | __GFP_ZERO), *data = alloc_page(GFP_KERNEL);
    assert_non_null(code);
    assert_non_null(data);
    memcpy(page_address(code),
           "\x7f"
           "ELF",
           4);
    const unsigned long code_pfn = page_to_pfn(code), data_pfn = page_to_pfn(data);
    const struct vm_special_mapping text = {"[vdso]", 2, 1, &code_pfn};
    const struct vm_special_mapping vvar = {"[vvar]", 1, 1, &data_pfn};
    struct mm_struct *a = new_mm(), *b = new_mm();
    unsigned long text_flags = VM_READ | VM_EXEC | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC;
    unsigned long vvar_flags = VM_READ | VM_MAYREAD | VM_IO | VM_PFNMAP;
    for (int i = 0; i < 2; i++) {
        struct mm_struct *mm = i ? b : a;
        assert_int_equal(install_special_mapping(mm, X, 2 * P, text_flags, &text), 0);
        assert_int_equal(install_special_mapping(mm, Y, P, vvar_flags, &vvar), 0);
        assert_int_equal(fault(mm, X, FAULT_FLAG_INSTRUCTION, FAULT_FILE_MINOR).pfn, code_pfn);
        assert_int_equal(fault(mm, Y + 8, 0, FAULT_FILE_MINOR).pfn, data_pfn);
        assert_false(pte_at(mm, X) & _PAGE_RW);
    }
    assert_int_equal(code->refcount, 3);
    assert_int_equal(code->mapcount, 2);
    assert_int_equal(data->refcount, 1);
    assert_int_equal(data->mapcount, 0);
    assert_int_equal(a->rss[MM_FILEPAGES], 1);
    fault(a, X + P, 0, FAULT_SIGBUS);
    fault(a, Y, FAULT_FLAG_WRITE, FAULT_SEGV_ACCERR);
    assert_int_equal(do_mprotect(a, Y, P, RW), -EACCES); /* [vvar] may never be written */
    assert_int_equal(do_mprotect(a, X, P, RW), -EINVAL); /* a special mapping is never split */
    assert_int_equal(do_mprotect(a, X, 2 * P, RW), 0);
    struct fault_result r = fault(a, X, FAULT_FLAG_WRITE, FAULT_COW);
    assert_int_not_equal(r.pfn, code_pfn);
    assert_memory_equal(page_address(pfn_to_page(r.pfn)),
                        "\x7f"
                        "ELF",
                        4);
    assert_int_equal(code->refcount, 2);
    assert_int_equal(pte_pfn(pte_at(b, X)), code_pfn);
    mmput(a);
    mmput(b);
    assert_int_equal(code->refcount, 1);
    assert_int_equal(code->mapcount, 0);
    assert_int_equal(data->refcount, 1);
    __free_page(code);
    __free_page(data);
}

/* ---- user copies ---------------------------------------------------------------------- */

static void test_uaccess_boundaries_and_holes(void **state)
{
    (void)state;
    struct mm_struct *mm = new_mm();
    map_anon(mm, X, 2 * P, RW, ANON);            /* then a hole at X + 2P */
    map_anon(mm, X + 3 * P, P, PROT_READ, ANON); /* read-only */
    map_anon(mm, X + 4 * P, P, PROT_NONE, ANON);

    /* Across the boundary of two untouched pages: both faulted in by the copy. */
    assert_int_equal(copy_to_user(mm, X + P - 3, "abcdef", 6), 0);
    assert_int_equal(mm->faults.anon_new, 2);
    assert_int_equal(mm->faults.min_flt, 2);
    assert_int_equal(mm->rss[MM_ANONPAGES], 2);
    char buf[32];
    memset(buf, 0, sizeof(buf));
    assert_int_equal(copy_from_user(mm, buf, X + P - 3, 6), 0);
    assert_memory_equal(buf, "abcdef", 6);
    const unsigned char *p0 = page_address(pfn_to_page(pte_pfn(pte_at(mm, X))));
    const unsigned char *p1 = page_address(pfn_to_page(pte_pfn(pte_at(mm, X + P))));
    assert_memory_equal(p0 + P - 3, "abc", 3);
    assert_memory_equal(p1, "def", 3);
    /* The copy set accessed and dirty, as the CPU's write would. */
    assert_true(pte_at(mm, X) & _PAGE_ACCESSED);
    assert_true(pte_at(mm, X) & _PAGE_DIRTY);

    /* Into the hole: the bytes not copied come back, the ones before it are there. */
    assert_int_equal(copy_to_user(mm, X + 2 * P - 4, "0123456789", 10), 6);
    assert_memory_equal(p1 + P - 4, "0123", 4);
    memset(buf, 'x', sizeof(buf));
    assert_int_equal(copy_from_user(mm, buf, X + 2 * P - 4, 10), 6);
    assert_memory_equal(buf, "0123", 4);
    assert_int_equal(copy_from_user(mm, buf, X + 2 * P, 5), 5);
    assert_int_equal(copy_to_user(mm, X + 2 * P + 100, "z", 1), 1);

    /* Read-only: reading works (zero page), writing copies nothing. */
    assert_int_equal(copy_from_user(mm, buf, X + 3 * P, 8), 0);
    assert_memory_equal(buf, "\0\0\0\0\0\0\0\0", 8);
    assert_int_equal(copy_to_user(mm, X + 3 * P, "nope", 4), 4);
    assert_int_equal(copy_from_user(mm, buf, X + 3 * P, 4), 0);
    assert_memory_equal(buf, "\0\0\0\0", 4);
    /* PROT_NONE: nothing either way. */
    assert_int_equal(copy_from_user(mm, buf, X + 4 * P, 4), 4);
    assert_int_equal(copy_to_user(mm, X + 4 * P, "nope", 4), 4);
    /* Kernel and non-canonical addresses, and the very top of user space. */
    assert_int_equal(copy_from_user(mm, buf, 0xffff800000000000UL, 4), 4);
    assert_int_equal(copy_to_user(mm, TASK_SIZE - 2, "abcd", 4), 4);
    assert_int_equal(copy_from_user(mm, buf, 0, 1), 1);
    /* Zero bytes: nothing to do, nothing to fail. */
    assert_int_equal(copy_to_user(mm, X + 2 * P + 100, "z", 0), 0);

    /* clear_user zeroes across a boundary. */
    assert_int_equal(clear_user(mm, X + P - 2, 4), 0);
    assert_int_equal(copy_from_user(mm, buf, X + P - 3, 6), 0);
    assert_memory_equal(buf, "a\0\0\0\0f", 6);
    assert_int_equal(clear_user(mm, X + 2 * P - 2, 4), 2);
    mmput(mm);
}

static void test_strncpy_from_user(void **state)
{
    (void)state;
    struct mm_struct *mm = new_mm();
    map_anon(mm, X, 2 * P, RW, ANON);
    assert_int_equal(copy_to_user(mm, X + P - 2, "hello", 6), 0);
    char dst[16];

    memset(dst, 'x', sizeof(dst));
    assert_int_equal(strncpy_from_user(mm, dst, X + P - 2, sizeof(dst)), 5);
    assert_string_equal(dst, "hello");
    /* count reached first: count returned, no terminator written past it */
    memset(dst, 'x', sizeof(dst));
    assert_int_equal(strncpy_from_user(mm, dst, X + P - 2, 3), 3);
    assert_memory_equal(dst, "helx", 4);
    assert_int_equal(strncpy_from_user(mm, dst, X + P - 2, 0), 0);
    /* empty string */
    assert_int_equal(strncpy_from_user(mm, dst, X + P + 3, sizeof(dst)), 0);
    assert_int_equal(dst[0], 0);
    /* runs into a hole before its NUL: EFAULT */
    assert_int_equal(copy_to_user(mm, X + 2 * P - 3, "abc", 3), 0);
    assert_int_equal(strncpy_from_user(mm, dst, X + 2 * P - 3, sizeof(dst)), -EFAULT);
    /* but a count that stops before the hole is fine */
    assert_int_equal(strncpy_from_user(mm, dst, X + 2 * P - 3, 3), 3);
    assert_int_equal(strncpy_from_user(mm, dst, X + 5 * P, sizeof(dst)), -EFAULT);
    mmput(mm);
}

/* ---- leaks ---------------------------------------------------------------------------- */

/*
 * Every frame and every kernel object taken while the mm lived comes back at
 * mmput. The file's pages are read into the page cache first: the cache
 * keeps them after the mappings go, as Linux's does, until vmemu exits.
 */
static void test_no_leaks(void **state)
{
    (void)state;
    make_file(5 * P + 17);
    struct file *f = open_file(O_RDWR);
    struct address_space *as = f->f_mapping;
    for (pgoff_t i = 0; i < filemap_nr_pages(as); i++) {
        bool major;
        int err = 0;
        struct page *pg = filemap_get_page(as, i, &major, &err);
        assert_non_null(pg);
        put_page(pg);
    }
    assert_int_equal(as->nrpages, 6);
    unsigned long free0 = test_free_or_slab_pages(), objs0 = test_slab_objects();
    struct mm_struct *mm = new_mm();

    map_anon(mm, X, 8 * P, RW, ANON);
    fault(mm, X, 0, FAULT_ANON_ZERO);
    fault(mm, X, FAULT_FLAG_WRITE, FAULT_COW);
    fault(mm, X + P, FAULT_FLAG_WRITE, FAULT_ANON_NEW);
    fault(mm, X + 2 * P, 0, FAULT_ANON_ZERO);
    assert_int_equal(do_mprotect(mm, X + P, P, PROT_READ), 0);
    assert_int_equal(do_mprotect(mm, X + P, P, RW), 0);
    fault(mm, X + P, FAULT_FLAG_WRITE, FAULT_SPURIOUS); /* writable again at once */
    assert_int_equal(copy_to_user(mm, X + 3 * P, "x", 1), 0);
    assert_int_equal(do_madvise(mm, X, 2 * P, MADV_DONTNEED), 0);
    assert_int_equal(copy_to_user(mm, X + 5 * P, "y", 1), 0);
    assert_int_equal(do_munmap(mm, X + 4 * P, 2 * P), 0);

    map_file(mm, f, Y, 6 * P, RW, MAP_PRIVATE, 0);
    fault(mm, Y, 0, FAULT_FILE_MINOR);
    fault(mm, Y + P, FAULT_FLAG_WRITE, FAULT_COW);
    fault(mm, Y + 5 * P, FAULT_FLAG_WRITE, FAULT_COW);
    fault(mm, Y + 5 * P + P, 0, FAULT_SEGV_MAPERR);
    map_file(mm, f, Y + 0x100000, 3 * P, RW, MAP_SHARED, 2);
    assert_int_equal(copy_to_user(mm, Y + 0x100000 + P - 1, "zz", 2), 0);
    map_anon(mm, MMAP_BASE - 4 * P, 4 * P, RW, MAP_SHARED | MAP_ANONYMOUS);
    assert_int_equal(copy_to_user(mm, MMAP_BASE - 2 * P, "s", 1), 0);
    map_anon(mm, STACK_TOP - 4 * P, 4 * P, RW, ANON | MAP_GROWSDOWN);
    fault(mm, STACK_TOP - 10 * P, FAULT_FLAG_WRITE, FAULT_STACK_GROW);
    mm->start_brk = mm->brk = 0x555555560000UL;
    assert_int_equal(do_brk(mm, mm->brk + 3 * P), 0x555555560000UL + 3 * P);
    assert_int_equal(copy_to_user(mm, 0x555555560000UL + P, "h", 1), 0);
    assert_int_equal(do_brk(mm, mm->brk - P), 0x555555560000UL + 2 * P);
    assert_true(get_mm_rss(mm) > 0);
    assert_true(test_free_or_slab_pages() < free0);

    mmput(mm);
    assert_int_equal(test_free_or_slab_pages(), free0);
    assert_int_equal(test_slab_objects(), objs0);
    assert_int_equal(as->nrpages, 6);
    for (pgoff_t i = 0; i < filemap_nr_pages(as); i++) {
        struct page *pg = filemap_find_page(as, i);
        assert_non_null(pg);
        assert_int_equal(pg->refcount, 1);
        assert_int_equal(pg->mapcount, 0);
    }
    fput(f);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_anon_zero_then_cow, test_mm_setup, test_mm_teardown),
        cmocka_unit_test_setup_teardown(test_anon_new_and_spurious, test_mm_setup,
                                        test_mm_teardown),
        cmocka_unit_test_setup_teardown(test_segv_kinds, test_mm_setup, test_mm_teardown),
        cmocka_unit_test_setup_teardown(test_wp_reuse, test_mm_setup, test_mm_teardown),
        cmocka_unit_test_setup_teardown(test_shared_anon_never_writes_zero_page, test_mm_setup,
                                        test_mm_teardown),
        cmocka_unit_test_setup_teardown(test_file_private_minor_and_cow, test_mm_setup,
                                        test_mm_teardown),
        cmocka_unit_test_setup_teardown(test_file_private_write_leaves_file_alone, test_mm_setup,
                                        teardown_if_up),
        cmocka_unit_test_setup_teardown(test_file_cold_major_then_minor, test_mm_setup,
                                        test_mm_teardown),
        cmocka_unit_test_setup_teardown(test_file_shared_write_reaches_disk, test_mm_setup,
                                        teardown_if_up),
        cmocka_unit_test_setup_teardown(test_file_sigbus_beyond_eof, test_mm_setup,
                                        test_mm_teardown),
        cmocka_unit_test_setup_teardown(test_file_dontneed, test_mm_setup, test_mm_teardown),
        cmocka_unit_test_setup_teardown(test_map_populate, test_mm_setup, test_mm_teardown),
        cmocka_unit_test_setup_teardown(test_reopen_with_truncate, test_mm_setup, test_mm_teardown),
        cmocka_unit_test_setup_teardown(test_truncate_under_dirty_shared_mapping, test_mm_setup,
                                        teardown_if_up),
        cmocka_unit_test_setup_teardown(test_cow_of_code_flushes_translations, test_mm_setup,
                                        test_mm_teardown),
        cmocka_unit_test_setup_teardown(test_special_mapping, test_mm_setup, test_mm_teardown),
        cmocka_unit_test_setup_teardown(test_uaccess_boundaries_and_holes, test_mm_setup,
                                        test_mm_teardown),
        cmocka_unit_test_setup_teardown(test_strncpy_from_user, test_mm_setup, test_mm_teardown),
        cmocka_unit_test_setup_teardown(test_no_leaks, test_mm_setup, test_mm_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
