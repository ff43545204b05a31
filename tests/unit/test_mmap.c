/*
 * The mmap family on every VMA tree implementation: placement (top-down from
 * MMAP_BASE, hints, MAP_FIXED, MAP_FIXED_NOREPLACE), Linux's errors, merging
 * and splitting, munmap, mprotect, brk, madvise(MADV_DONTNEED) and stack
 * growth, each checked against what Linux x86-64 does with ASLR off.
 */
#include "tests/unit/support/support.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "mm/array_size.h"
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
#define X 0x40000000UL /* a free area well below mmap_base */

/* Every VMA tree the registry knows; the test runs once on each. */
static const char *const tree_names[] = {"array", "maple", "rbtree"};

typedef void (*mm_test_fn)(struct mm_struct *mm);

static unsigned long count_vmas(struct mm_struct *mm)
{
    unsigned long n = 0, last_end = 0;
    for (struct vm_area_struct *v = find_vma(mm, 0); v; v = vma_next(mm, v)) {
        assert_true(v->vm_start >= last_end);
        assert_true(v->vm_start < v->vm_end);
        last_end = v->vm_end;
        n++;
    }
    return n;
}

static void check_tree(struct mm_struct *mm)
{
    assert_int_equal(mm->vma_ops->validate(mm->vma_tree), 0);
    assert_int_equal(count_vmas(mm), mm->map_count);
}

/* Run fn on a fresh mm of each tree; nothing may leak. */
static void for_each_tree(mm_test_fn fn)
{
    int ran = 0;
    assert_ptr_equal(vma_tree_ops_by_name("array"), &vma_array_ops);
    assert_null(vma_tree_ops_by_name("no-such-tree"));
    for (size_t i = 0; i < ARRAY_SIZE(tree_names); i++) {
        const struct vma_tree_ops *ops = vma_tree_ops_by_name(tree_names[i]);
        if (!ops)
            continue;
        assert_string_equal(ops->name, tree_names[i]);
        print_message("    tree %s\n", ops->name);
        unsigned long free0 = test_free_or_slab_pages(), objs0 = test_slab_objects();
        struct mm_struct *mm = mm_alloc(ops);
        assert_non_null(mm);
        assert_int_equal(mm->map_count, 0);
        assert_int_equal(mm->mmap_base, MMAP_BASE);
        fn(mm);
        check_tree(mm);
        mmput(mm);
        assert_int_equal(test_free_or_slab_pages(), free0);
        assert_int_equal(test_slab_objects(), objs0);
        ran++;
    }
    assert_true(ran >= 1);
}

static unsigned long mmap_anon(struct mm_struct *mm, unsigned long addr, unsigned long len,
                               unsigned long prot, unsigned long flags)
{
    return do_mmap(mm, NULL, addr, len, prot, flags, 0);
}

static void map_fixed(struct mm_struct *mm, unsigned long addr, unsigned long len,
                      unsigned long prot)
{
    assert_int_equal(mmap_anon(mm, addr, len, prot, ANON | MAP_FIXED), addr);
}

/* The VMA holding addr, which must exist. */
static struct vm_area_struct *vma_at(struct mm_struct *mm, unsigned long addr)
{
    struct vm_area_struct *v = find_vma(mm, addr);
    assert_non_null(v);
    assert_true(v->vm_start <= addr);
    return v;
}

static void assert_vma(struct mm_struct *mm, unsigned long start, unsigned long end,
                       unsigned long access)
{
    struct vm_area_struct *v = vma_at(mm, start);
    assert_int_equal(v->vm_start, start);
    assert_int_equal(v->vm_end, end);
    assert_int_equal(v->vm_flags & VM_ACCESS_FLAGS, access);
}

static void assert_unmapped(struct mm_struct *mm, unsigned long addr)
{
    struct vm_area_struct *v = find_vma(mm, addr);
    assert_true(!v || v->vm_start > addr);
}

static void fill(struct mm_struct *mm, unsigned long addr, size_t len, unsigned char byte)
{
    unsigned char *buf = malloc(len);
    assert_non_null(buf);
    memset(buf, byte, len);
    assert_int_equal(copy_to_user(mm, addr, buf, len), 0);
    free(buf);
}

/* Every byte of [addr, addr + len) reads back as byte. */
static void expect_bytes(struct mm_struct *mm, unsigned long addr, size_t len, unsigned char byte)
{
    unsigned char *buf = malloc(len);
    assert_non_null(buf);
    memset(buf, byte ^ 0xff, len);
    assert_int_equal(copy_from_user(mm, buf, addr, len), 0);
    for (size_t i = 0; i < len; i++)
        if (buf[i] != byte)
            fail_msg("byte %#lx at %#lx is %#x, want %#x", (unsigned long)i, addr + i, buf[i],
                     byte);
    free(buf);
}

static enum fault_kind fault_kind(struct mm_struct *mm, unsigned long addr, unsigned int flags)
{
    struct fault_result r;
    handle_mm_fault(mm, addr, flags, &r);
    return r.kind;
}

/* ---- placement ---------------------------------------------------------------------- */

static void placement_topdown(struct mm_struct *mm)
{
    unsigned long a = mmap_anon(mm, 0, P, RW, ANON);
    assert_int_equal(a, 0x7ffff7ffe000UL);
    unsigned long b = mmap_anon(mm, 0, P, RW, ANON);
    assert_int_equal(b, 0x7ffff7ffd000UL);
    /* Same flags, adjacent, untouched: one VMA. */
    assert_int_equal(mm->map_count, 1);
    assert_vma(mm, 0x7ffff7ffd000UL, MMAP_BASE, VM_READ | VM_WRITE);
    /* Different rights: directly below, but a VMA of its own. */
    unsigned long c = mmap_anon(mm, 0, 3 * P, PROT_READ, ANON);
    assert_int_equal(c, 0x7ffff7ffa000UL);
    assert_int_equal(mm->map_count, 2);
    assert_vma(mm, c, c + 3 * P, VM_READ);
    /* Lengths are rounded up to pages. */
    unsigned long d = mmap_anon(mm, 0, 1, PROT_READ | PROT_EXEC, ANON);
    assert_int_equal(d, c - P);
    assert_vma(mm, d, c, VM_READ | VM_EXEC);
    assert_int_equal(mm->total_vm, 2 + 3 + 1);
    assert_int_equal(mm->data_vm, 2);
    assert_int_equal(mm->exec_vm, 1);
    check_tree(mm);

    /* A freed hole is reused by the top-down search when it fits, else skipped. */
    assert_int_equal(do_munmap(mm, c + P, P), 0);
    assert_int_equal(mmap_anon(mm, 0, 2 * P, RW, ANON), d - 2 * P);
    assert_int_equal(mmap_anon(mm, 0, P, PROT_READ, ANON), c + P);
    assert_int_equal(mm->map_count, 4);
}

static void test_placement_topdown(void **state)
{
    (void)state;
    for_each_tree(placement_topdown);
}

static void placement_hint(struct mm_struct *mm)
{
    /* A free hint is taken as is. */
    assert_int_equal(mmap_anon(mm, 0x10000000UL, 2 * P, RW, ANON), 0x10000000UL);
    /* Taken: the hint is ignored, the mapping goes top-down. */
    assert_int_equal(mmap_anon(mm, 0x10000000UL, P, PROT_READ, ANON), 0x7ffff7ffe000UL);
    /* Overlapping the end of a mapping: ignored too. */
    assert_int_equal(mmap_anon(mm, 0x10000000UL - P, 2 * P, PROT_READ, ANON), 0x7ffff7ffc000UL);
    assert_vma(mm, 0x7ffff7ffc000UL, MMAP_BASE, VM_READ);
    /* Just below a mapping: fits. */
    assert_int_equal(mmap_anon(mm, 0x10000000UL - P, P, PROT_READ, ANON), 0x10000000UL - P);
    /* An unaligned hint is rounded down (round_hint_to_min, then x86's addr &= PAGE_MASK). */
    assert_int_equal(mmap_anon(mm, 0x20000123UL, P, PROT_READ, ANON), 0x20000000UL);
    /* A hint below mmap_min_addr is raised to it. */
    assert_int_equal(mmap_anon(mm, 0x1000UL, P, PROT_READ, ANON), mmap_min_addr);
    /* A hint that would end past TASK_SIZE: top-down instead. */
    unsigned long t = mmap_anon(mm, TASK_SIZE - P, 2 * P, PROT_READ, ANON);
    assert_true(t < MMAP_BASE);
    assert_int_equal(t, 0x7ffff7ffa000UL);
    check_tree(mm);
}

static void test_placement_hint(void **state)
{
    (void)state;
    for_each_tree(placement_hint);
}

static void map_fixed_replaces(struct mm_struct *mm)
{
    map_fixed(mm, X, 4 * P, RW);
    for (int i = 0; i < 4; i++)
        fill(mm, X + (unsigned long)i * P, P, (unsigned char)(0x10 + i));
    assert_int_equal(mm->rss[MM_ANONPAGES], 4);
    unsigned long free1 = test_free_or_slab_pages();
    unsigned long flushes = test_tlb_flushes;

    /* MAP_FIXED over the second page: the old page is gone, the new one reads zero. */
    assert_int_equal(mmap_anon(mm, X + P, P, PROT_READ, ANON | MAP_FIXED), X + P);
    assert_true(test_tlb_flushes > flushes);
    assert_int_equal(mm->map_count, 3);
    assert_int_equal(mm->rss[MM_ANONPAGES], 3);
    assert_int_equal(test_free_or_slab_pages(), free1 + 1);
    assert_vma(mm, X, X + P, VM_READ | VM_WRITE);
    assert_vma(mm, X + P, X + 2 * P, VM_READ);
    assert_vma(mm, X + 2 * P, X + 4 * P, VM_READ | VM_WRITE);
    expect_bytes(mm, X, P, 0x10);
    expect_bytes(mm, X + P, P, 0);
    expect_bytes(mm, X + 2 * P, P, 0x12);
    expect_bytes(mm, X + 3 * P, P, 0x13);

    /* MAP_FIXED_NOREPLACE over a mapping: EEXIST, and nothing changes. */
    assert_int_equal(mmap_anon(mm, X + 3 * P, 2 * P, RW, ANON | MAP_FIXED_NOREPLACE),
                     (unsigned long)-EEXIST);
    assert_int_equal(mm->map_count, 3);
    expect_bytes(mm, X + 3 * P, P, 0x13);
    /* On free memory it maps exactly there. */
    assert_int_equal(mmap_anon(mm, X + 8 * P, P, PROT_READ, ANON | MAP_FIXED_NOREPLACE), X + 8 * P);
    assert_int_equal(mmap_anon(mm, X + 9 * P + 1, P, PROT_READ, ANON | MAP_FIXED_NOREPLACE),
                     (unsigned long)-EINVAL);
    assert_int_equal(mm->map_count, 4);

    /* MAP_FIXED over several VMAs and a hole at once: one VMA results. */
    assert_int_equal(mmap_anon(mm, X, 10 * P, PROT_READ, ANON | MAP_FIXED), X);
    assert_int_equal(mm->map_count, 1);
    assert_vma(mm, X, X + 10 * P, VM_READ);
    assert_int_equal(mm->rss[MM_ANONPAGES], 0);
    expect_bytes(mm, X, 10 * P, 0);
}

static void test_map_fixed_replaces(void **state)
{
    (void)state;
    for_each_tree(map_fixed_replaces);
}

static void mmap_errors(struct mm_struct *mm)
{
    unsigned long einval = (unsigned long)-EINVAL;
    assert_int_equal(mmap_anon(mm, 0, 0, RW, ANON), einval);                 /* len 0 */
    assert_int_equal(mmap_anon(mm, 0, P, RW, MAP_ANONYMOUS), einval);        /* no type */
    assert_int_equal(mmap_anon(mm, 0, P, RW, MAP_ANONYMOUS | 0x0f), einval); /* bad type */
    assert_int_equal(mmap_anon(mm, X + 1, P, RW, ANON | MAP_FIXED), einval); /* unaligned */
    assert_int_equal(mmap_anon(mm, 0x1000, P, RW, ANON | MAP_FIXED), (unsigned long)-EPERM);
    assert_int_equal(mmap_anon(mm, 0, P, RW, ANON | MAP_FIXED), (unsigned long)-EPERM);
    assert_int_equal(mmap_anon(mm, mmap_min_addr - P, 2 * P, RW, ANON | MAP_FIXED),
                     (unsigned long)-EPERM);
    /* With CAP_SYS_RAWIO (root) low addresses may be mapped, page 0 aside. */
    mm->cap_sys_rawio = true;
    assert_int_equal(mmap_anon(mm, 0x1000, P, RW, ANON | MAP_FIXED), 0x1000);
    assert_int_equal(mmap_anon(mm, 0, P, RW, ANON | MAP_FIXED), (unsigned long)-EPERM);
    assert_int_equal(do_munmap(mm, 0x1000, P), 0);
    mm->cap_sys_rawio = false;
    assert_int_equal(mmap_anon(mm, 0, TASK_SIZE + P, RW, ANON), (unsigned long)-ENOMEM);
    assert_int_equal(mmap_anon(mm, 0, -1UL, RW, ANON), (unsigned long)-ENOMEM); /* aligns to 0 */
    assert_int_equal(mmap_anon(mm, TASK_SIZE - P, 2 * P, RW, ANON | MAP_FIXED),
                     (unsigned long)-ENOMEM);
    assert_int_equal(mm->map_count, 0);
    assert_int_equal(mm->total_vm, 0);
    /* The lowest legal fixed address works. */
    assert_int_equal(mmap_anon(mm, mmap_min_addr, P, RW, ANON | MAP_FIXED), mmap_min_addr);

    /* munmap's own checks. */
    assert_int_equal(do_munmap(mm, X + 1, P), -EINVAL);
    assert_int_equal(do_munmap(mm, X, 0), -EINVAL);
    assert_int_equal(do_munmap(mm, TASK_SIZE - P, 2 * P), -EINVAL);
    assert_int_equal(do_munmap(mm, X, P), 0); /* nothing there: not an error */
    assert_int_equal(mm->map_count, 1);
}

static void test_mmap_errors(void **state)
{
    (void)state;
    for_each_tree(mmap_errors);
}

/* ---- merging and splitting ------------------------------------------------------------ */

static void merge_rules(struct mm_struct *mm)
{
    map_fixed(mm, X, P, RW);
    map_fixed(mm, X + P, P, RW); /* after it */
    assert_int_equal(mm->map_count, 1);
    map_fixed(mm, X - P, P, RW); /* before it */
    assert_int_equal(mm->map_count, 1);
    assert_vma(mm, X - P, X + 2 * P, VM_READ | VM_WRITE);

    map_fixed(mm, X + 2 * P, P, PROT_READ); /* other rights: no merge */
    map_fixed(mm, X + 4 * P, P, PROT_READ);
    assert_int_equal(mm->map_count, 3);
    map_fixed(mm, X + 3 * P, P, PROT_READ); /* fills the hole: three become one */
    assert_int_equal(mm->map_count, 2);
    assert_vma(mm, X + 2 * P, X + 5 * P, VM_READ);

    /* Touched memory merges with untouched neighbours... */
    fill(mm, X, P, 1);
    map_fixed(mm, X + 10 * P, P, RW);
    fill(mm, X + 10 * P, P, 2);
    map_fixed(mm, X + 11 * P, P, RW);
    assert_int_equal(mm->map_count, 3);
    assert_vma(mm, X + 10 * P, X + 12 * P, VM_READ | VM_WRITE);
    /*
     * ...but VMAs whose pages belong to different anon_vmas never merge: a
     * mapping filling the hole between two of them joins one side only.
     */
    map_fixed(mm, X + 13 * P, P, RW);
    fill(mm, X + 13 * P, P, 3);
    assert_int_equal(mm->map_count, 4);
    map_fixed(mm, X + 12 * P, P, RW);
    assert_int_equal(mm->map_count, 4);
    struct vm_area_struct *lo = vma_at(mm, X + 10 * P), *hi = vma_at(mm, X + 13 * P);
    assert_ptr_not_equal(lo, hi);
    assert_int_equal(lo->vm_start, X + 10 * P);
    assert_int_equal(lo->vm_end, hi->vm_start);
    assert_int_equal(hi->vm_end, X + 14 * P);
    assert_int_not_equal(lo->anon_vma, hi->anon_vma);
    expect_bytes(mm, X + 10 * P, P, 2);
    expect_bytes(mm, X + 12 * P, P, 0);
    expect_bytes(mm, X + 13 * P, P, 3);
    check_tree(mm);
}

static void test_merge_rules(void **state)
{
    (void)state;
    for_each_tree(merge_rules);
}

static char file_path[64];

static void merge_file(struct mm_struct *mm)
{
    int err = 0;
    struct file *f = file_open(file_path, O_RDONLY, 0, &err);
    assert_non_null(f);
    struct file *g = file_open(file_path, O_RDONLY, 0, &err);
    assert_non_null(g);
    /* Same file, contiguous offsets: one VMA. */
    assert_int_equal(do_mmap(mm, f, X, P, PROT_READ, MAP_PRIVATE | MAP_FIXED, 0), X);
    assert_int_equal(do_mmap(mm, f, X + P, P, PROT_READ, MAP_PRIVATE | MAP_FIXED, 1), X + P);
    assert_int_equal(mm->map_count, 1);
    assert_int_equal(vma_at(mm, X)->vm_pgoff, 0);
    /* An offset that does not follow on: separate. */
    assert_int_equal(do_mmap(mm, f, X + 2 * P, P, PROT_READ, MAP_PRIVATE | MAP_FIXED, 3),
                     X + 2 * P);
    assert_int_equal(mm->map_count, 2);
    /* Another open file of the same host file: separate, as Linux compares vm_file. */
    assert_int_equal(do_mmap(mm, g, X + 3 * P, P, PROT_READ, MAP_PRIVATE | MAP_FIXED, 4),
                     X + 3 * P);
    assert_int_equal(mm->map_count, 3);
    /* Anonymous memory next to a file mapping: separate. */
    map_fixed(mm, X + 4 * P, P, PROT_READ);
    assert_int_equal(mm->map_count, 4);
    /* A split keeps the file offset of each piece. */
    assert_int_equal(do_munmap(mm, X + P, P), 0);
    assert_int_equal(vma_at(mm, X)->vm_pgoff, 0);
    assert_int_equal(vma_at(mm, X + 2 * P)->vm_pgoff, 3);
    fput(f);
    fput(g);
}

static void test_merge_file(void **state)
{
    (void)state;
    strcpy(file_path, "/tmp/vmemu-test-mmap-XXXXXX");
    int fd = mkstemp(file_path);
    assert_true(fd >= 0);
    char page[PAGE_SIZE];
    for (int i = 0; i < 8; i++) {
        memset(page, 'a' + i, sizeof(page));
        assert_int_equal(write(fd, page, sizeof(page)), sizeof(page));
    }
    close(fd);
    /* Open before the trees run: the page cache's owner outlives every mm. */
    int err = 0;
    struct file *keep = file_open(file_path, O_RDONLY, 0, &err);
    assert_non_null(keep);
    for_each_tree(merge_file);
    fput(keep);
    unlink(file_path);
}

static void munmap_middle(struct mm_struct *mm)
{
    map_fixed(mm, X, 3 * P, RW);
    for (int i = 0; i < 3; i++)
        fill(mm, X + (unsigned long)i * P, P, (unsigned char)(0xa0 + i));
    unsigned long free1 = test_free_or_slab_pages();
    assert_int_equal(do_munmap(mm, X + P, P), 0);
    assert_int_equal(mm->map_count, 2);
    assert_vma(mm, X, X + P, VM_READ | VM_WRITE);
    assert_vma(mm, X + 2 * P, X + 3 * P, VM_READ | VM_WRITE);
    assert_int_equal(vma_at(mm, X + 2 * P)->vm_pgoff, (X + 2 * P) >> PAGE_SHIFT);
    assert_ptr_equal(find_vma(mm, X + P), vma_at(mm, X + 2 * P));
    assert_unmapped(mm, X + P);
    assert_int_equal(mm->rss[MM_ANONPAGES], 2);
    assert_int_equal(test_free_or_slab_pages(), free1 + 1);
    assert_int_equal(mm->total_vm, 2);
    pte_t *hole = pte_offset(mm, X + P);
    assert_true(!hole || *hole == 0);
    assert_int_equal(fault_kind(mm, X + P, 0), FAULT_SEGV_MAPERR);
    expect_bytes(mm, X, P, 0xa0);
    expect_bytes(mm, X + 2 * P, P, 0xa2);
    /* Unmapping with an unaligned length takes whole pages. */
    assert_int_equal(do_munmap(mm, X + 2 * P, 1), 0);
    assert_int_equal(mm->map_count, 1);
}

static void test_munmap_middle_splits(void **state)
{
    (void)state;
    for_each_tree(munmap_middle);
}

static void munmap_many(struct mm_struct *mm)
{
    map_fixed(mm, X, 2 * P, RW);                 /* A */
    map_fixed(mm, X + 3 * P, 2 * P, PROT_READ);  /* B, after a hole */
    map_fixed(mm, X + 5 * P, P, RW | PROT_EXEC); /* C */
    map_fixed(mm, X + 8 * P, 2 * P, RW);         /* D, after a hole */
    assert_int_equal(mm->map_count, 4);
    fill(mm, X, 2 * P, 1);
    assert_int_equal(fault_kind(mm, X + 3 * P, 0), FAULT_ANON_ZERO);
    fill(mm, X + 5 * P, P, 3);
    fill(mm, X + 8 * P, 2 * P, 4);
    assert_int_equal(mm->rss[MM_ANONPAGES], 5);
    unsigned long code = test_code_flushes;

    assert_int_equal(do_munmap(mm, X + P, 8 * P), 0);
    assert_true(test_code_flushes > code); /* C was executable */
    assert_int_equal(mm->map_count, 2);
    assert_vma(mm, X, X + P, VM_READ | VM_WRITE);
    assert_vma(mm, X + 9 * P, X + 10 * P, VM_READ | VM_WRITE);
    for (unsigned long a = X + P; a < X + 9 * P; a += P)
        assert_unmapped(mm, a);
    assert_int_equal(mm->rss[MM_ANONPAGES], 2);
    assert_int_equal(mm->total_vm, 2);
    assert_int_equal(mm->exec_vm, 0);
    expect_bytes(mm, X, P, 1);
    expect_bytes(mm, X + 9 * P, P, 4);
}

static void test_munmap_many(void **state)
{
    (void)state;
    for_each_tree(munmap_many);
}

/* ---- mprotect ------------------------------------------------------------------------- */

static void mprotect_split_merge(struct mm_struct *mm)
{
    map_fixed(mm, X, 3 * P, RW);
    fill(mm, X, 3 * P, 7);
    assert_int_equal(do_mprotect(mm, X + P, P, PROT_READ), 0);
    assert_int_equal(mm->map_count, 3);
    assert_vma(mm, X, X + P, VM_READ | VM_WRITE);
    assert_vma(mm, X + P, X + 2 * P, VM_READ);
    assert_vma(mm, X + 2 * P, X + 3 * P, VM_READ | VM_WRITE);
    /* The middle keeps what it may become again. */
    assert_true(vma_at(mm, X + P)->vm_flags & VM_MAYWRITE);
    assert_int_equal(fault_kind(mm, X + P, FAULT_FLAG_WRITE), FAULT_SEGV_ACCERR);
    assert_int_equal(copy_to_user(mm, X + P + 10, "x", 1), 1);
    assert_int_equal(mm->data_vm, 2);

    /* Back to read-write: one VMA again, contents intact. */
    assert_int_equal(do_mprotect(mm, X + P, P, RW), 0);
    assert_int_equal(mm->map_count, 1);
    assert_vma(mm, X, X + 3 * P, VM_READ | VM_WRITE);
    assert_int_equal(mm->data_vm, 3);
    expect_bytes(mm, X, 3 * P, 7);
    fill(mm, X + P, P, 8);
    expect_bytes(mm, X + P, P, 8);

    /* The ends split off the same way and come back. */
    assert_int_equal(do_mprotect(mm, X, P, PROT_NONE), 0);
    assert_int_equal(do_mprotect(mm, X + 2 * P, P, PROT_READ | PROT_EXEC), 0);
    assert_int_equal(mm->map_count, 3);
    assert_vma(mm, X, X + P, 0);
    assert_vma(mm, X + 2 * P, X + 3 * P, VM_READ | VM_EXEC);
    assert_int_equal(mm->exec_vm, 1);
    assert_int_equal(fault_kind(mm, X, 0), FAULT_SEGV_ACCERR);
    assert_int_equal(do_mprotect(mm, X, 3 * P, RW), 0);
    assert_int_equal(mm->map_count, 1);
    expect_bytes(mm, X, P, 7);
    expect_bytes(mm, X + 2 * P, P, 7);

    /* Zero length is a no-op; an unaligned start or unknown bits are EINVAL. */
    assert_int_equal(do_mprotect(mm, X, 0, PROT_READ), 0);
    assert_int_equal(do_mprotect(mm, X + 1, P, PROT_READ), -EINVAL);
    assert_int_equal(do_mprotect(mm, X, P, 0x80), -EINVAL);
    assert_int_equal(mm->map_count, 1);
}

static void test_mprotect_split_merge(void **state)
{
    (void)state;
    for_each_tree(mprotect_split_merge);
}

/*
 * Linux charges a private mapping when mprotect first makes it writable and
 * marks it VM_ACCOUNT, so it then merges with a neighbour mapped writable.
 */
static void mprotect_makes_mergeable(struct mm_struct *mm)
{
    map_fixed(mm, X, P, PROT_READ);
    map_fixed(mm, X + P, P, RW);
    assert_int_equal(mm->map_count, 2);
    assert_int_equal(do_mprotect(mm, X, P, RW), 0);
    assert_int_equal(mm->map_count, 1);
    assert_vma(mm, X, X + 2 * P, VM_READ | VM_WRITE);
}

static void test_mprotect_makes_mergeable(void **state)
{
    (void)state;
    for_each_tree(mprotect_makes_mergeable);
}

static void mprotect_hole(struct mm_struct *mm)
{
    map_fixed(mm, X, 2 * P, RW);
    map_fixed(mm, X + 3 * P, 2 * P, RW);
    /* Over a hole: ENOMEM, what came before the hole is changed (as Linux). */
    assert_int_equal(do_mprotect(mm, X, 5 * P, PROT_READ), -ENOMEM);
    assert_vma(mm, X, X + 2 * P, VM_READ);
    assert_vma(mm, X + 3 * P, X + 5 * P, VM_READ | VM_WRITE);
    /* Starting in a hole: ENOMEM and nothing changes. */
    assert_int_equal(do_mprotect(mm, X + 2 * P, 3 * P, PROT_NONE), -ENOMEM);
    assert_vma(mm, X + 3 * P, X + 5 * P, VM_READ | VM_WRITE);
    assert_int_equal(do_mprotect(mm, X + 100 * P, P, PROT_NONE), -ENOMEM);
    assert_int_equal(mm->map_count, 2);
}

static void test_mprotect_hole(void **state)
{
    (void)state;
    for_each_tree(mprotect_hole);
}

/* A read-only file mapped shared can never become writable. */
static void mprotect_shared_readonly_file(struct mm_struct *mm)
{
    int err = 0;
    struct file *f = file_open(file_path, O_RDONLY, 0, &err);
    assert_non_null(f);
    assert_int_equal(do_mmap(mm, f, X, P, RW, MAP_SHARED | MAP_FIXED, 0), (unsigned long)-EACCES);
    assert_int_equal(do_mmap(mm, f, X, P, PROT_READ, MAP_SHARED | MAP_FIXED, 0), X);
    assert_int_equal(do_mprotect(mm, X, P, RW), -EACCES);
    assert_vma(mm, X, X + P, VM_READ);
    /* Private: writable copies are fine. */
    assert_int_equal(do_mmap(mm, f, X + P, P, RW, MAP_PRIVATE | MAP_FIXED, 1), X + P);
    fput(f);
}

static void test_mprotect_shared_readonly_file(void **state)
{
    (void)state;
    strcpy(file_path, "/tmp/vmemu-test-mmap-XXXXXX");
    int fd = mkstemp(file_path);
    assert_true(fd >= 0);
    char page[2 * PAGE_SIZE] = {1};
    assert_int_equal(write(fd, page, sizeof(page)), sizeof(page));
    close(fd);
    int err = 0;
    struct file *keep = file_open(file_path, O_RDONLY, 0, &err);
    assert_non_null(keep);
    for_each_tree(mprotect_shared_readonly_file);
    fput(keep);
    unlink(file_path);
}

/* ---- brk ------------------------------------------------------------------------------ */

#define HEAP 0x555555559000UL

static void brk_grow_shrink(struct mm_struct *mm)
{
    mm->start_brk = mm->brk = HEAP;
    unsigned long free0 = test_free_or_slab_pages();
    unsigned long tables0 = mm->pgtables_bytes;

    /* Below the start: refused, the break stays. */
    assert_int_equal(do_brk(mm, HEAP - P), HEAP);
    assert_int_equal(do_brk(mm, HEAP), HEAP);
    assert_int_equal(mm->map_count, 0);

    /* Growing maps [start_brk, PAGE_ALIGN(brk)) read-write; new pages are zero. */
    assert_int_equal(do_brk(mm, HEAP + 3 * P + 100), HEAP + 3 * P + 100);
    assert_int_equal(mm->brk, HEAP + 3 * P + 100);
    assert_int_equal(mm->map_count, 1);
    assert_vma(mm, HEAP, HEAP + 4 * P, VM_READ | VM_WRITE);
    assert_false(vma_at(mm, HEAP)->vm_flags & VM_EXEC);
    expect_bytes(mm, HEAP, 4 * P, 0);
    fill(mm, HEAP, 4 * P, 0x5a);
    assert_int_equal(mm->rss[MM_ANONPAGES], 4);
    /* Within the same page: only the value moves. */
    assert_int_equal(do_brk(mm, HEAP + 4 * P), HEAP + 4 * P);
    assert_int_equal(mm->map_count, 1);
    assert_vma(mm, HEAP, HEAP + 4 * P, VM_READ | VM_WRITE);

    /* Shrinking frees the pages above the new break. */
    assert_int_equal(do_brk(mm, HEAP + 100), HEAP + 100);
    assert_vma(mm, HEAP, HEAP + P, VM_READ | VM_WRITE);
    assert_unmapped(mm, HEAP + P);
    assert_int_equal(mm->rss[MM_ANONPAGES], 1);
    unsigned long tables = (mm->pgtables_bytes - tables0) / P;
    assert_int_equal(test_free_or_slab_pages(), free0 - 1 - tables);
    expect_bytes(mm, HEAP, P, 0x5a);
    /* Growing again gives fresh zero pages, not the old contents. */
    assert_int_equal(do_brk(mm, HEAP + 3 * P), HEAP + 3 * P);
    assert_int_equal(mm->map_count, 1);
    expect_bytes(mm, HEAP + P, 2 * P, 0);

    /* Down to the start: no VMA, every page and table back. */
    assert_int_equal(do_brk(mm, HEAP), HEAP);
    assert_int_equal(mm->map_count, 0);
    assert_int_equal(mm->rss[MM_ANONPAGES], 0);
    assert_int_equal(test_free_or_slab_pages(), free0);

    /* A mapping above: the heap may come up to one page below it, no closer. */
    map_fixed(mm, HEAP + 10 * P, P, PROT_READ);
    assert_int_equal(do_brk(mm, HEAP + 9 * P + 1), HEAP);
    assert_int_equal(do_brk(mm, HEAP + 9 * P), HEAP + 9 * P);
    assert_int_equal(mm->map_count, 2);
    assert_int_equal(do_brk(mm, HEAP + 20 * P), HEAP + 9 * P);
    assert_vma(mm, HEAP, HEAP + 9 * P, VM_READ | VM_WRITE);
}

static void test_brk(void **state)
{
    (void)state;
    for_each_tree(brk_grow_shrink);
}

/* ---- madvise -------------------------------------------------------------------------- */

static void madvise_dontneed(struct mm_struct *mm)
{
    map_fixed(mm, X, 3 * P, RW);
    fill(mm, X, 3 * P, 0xee);
    assert_int_equal(mm->rss[MM_ANONPAGES], 3);
    unsigned long free1 = test_free_or_slab_pages();
    unsigned long flushes = test_tlb_flushes;

    assert_int_equal(do_madvise(mm, X + P, 2 * P, MADV_DONTNEED), 0);
    assert_true(test_tlb_flushes > flushes);
    assert_int_equal(mm->rss[MM_ANONPAGES], 1);
    assert_int_equal(test_free_or_slab_pages(), free1 + 2);
    assert_int_equal(mm->map_count, 1); /* the mapping stays */
    expect_bytes(mm, X, P, 0xee);
    expect_bytes(mm, X + P, 2 * P, 0); /* zero-fill on demand again */
    assert_int_equal(fault_kind(mm, X + 2 * P, FAULT_FLAG_WRITE), FAULT_COW);

    /* MADV_FREE may keep pages until memory is short: contents remain readable. */
    fill(mm, X, P, 0x11);
    assert_int_equal(do_madvise(mm, X, P, MADV_FREE), 0);
    expect_bytes(mm, X, P, 0x11);

    /* Errors: unaligned start, unknown advice; zero length is fine. */
    assert_int_equal(do_madvise(mm, X + 1, P, MADV_DONTNEED), -EINVAL);
    assert_int_equal(do_madvise(mm, X, P, 12345), -EINVAL);
    assert_int_equal(do_madvise(mm, X, 0, MADV_DONTNEED), 0);
    /* A range with a hole: ENOMEM, but the mapped part is still dropped. */
    assert_int_equal(do_madvise(mm, X, 5 * P, MADV_DONTNEED), -ENOMEM);
    expect_bytes(mm, X, P, 0);
    assert_int_equal(mm->rss[MM_ANONPAGES], 0);
    assert_int_equal(do_madvise(mm, X + 10 * P, P, MADV_DONTNEED), -ENOMEM);
}

static void test_madvise_dontneed(void **state)
{
    (void)state;
    for_each_tree(madvise_dontneed);
}

/*
 * The flush follows what the CPU may hold (arch_tlb_may_hold), as Linux's
 * mmu_gather: zapping or write-protecting entries it cannot hold needs no
 * flush; one it may hold among them needs exactly one.
 */
static void flush_only_what_tlb_holds(struct mm_struct *mm)
{
    map_fixed(mm, X, 4 * P, RW);
    fill(mm, X, 4 * P, 0x5a);
    test_tlb_holds_all = false;
    test_tlb_held = 0;
    unsigned long flushes = test_tlb_flushes;
    assert_int_equal(do_mprotect(mm, X, P, PROT_READ), 0);
    assert_int_equal(do_madvise(mm, X + P, P, MADV_DONTNEED), 0);
    assert_int_equal(do_munmap(mm, X + 2 * P, P), 0);
    assert_int_equal(test_tlb_flushes, flushes);
    expect_bytes(mm, X, P, 0x5a);

    test_tlb_held = X + 3 * P + 123; /* the one page the CPU may hold */
    assert_int_equal(do_mprotect(mm, X + 3 * P, P, PROT_READ), 0);
    assert_int_equal(test_tlb_flushes, flushes + 1);
    assert_int_equal(do_munmap(mm, X, 4 * P), 0);
    assert_int_equal(test_tlb_flushes, flushes + 2);
    test_tlb_holds_all = true;
}

static void test_flush_only_what_tlb_holds(void **state)
{
    (void)state;
    for_each_tree(flush_only_what_tlb_holds);
}

/* ---- the stack ------------------------------------------------------------------------ */

static void stack_growth(struct mm_struct *mm)
{
    unsigned long top = STACK_TOP;
    unsigned long s = top - 32 * P;
    assert_int_equal(mm->stack_rlimit, 8UL << 20);
    assert_int_equal(mmap_anon(mm, s, 32 * P, RW, ANON | MAP_FIXED | MAP_GROWSDOWN), s);
    struct vm_area_struct *stack = vma_at(mm, s);
    assert_true(stack->vm_flags & VM_GROWSDOWN);
    assert_int_equal(mm->stack_vm, 32);

    /* A write just below: the stack grows by one page and the fault is served. */
    struct fault_result r;
    handle_mm_fault(mm, s - P + 8, FAULT_FLAG_WRITE, &r);
    assert_int_equal(r.kind, FAULT_STACK_GROW);
    assert_int_not_equal(r.pfn, zero_pfn);
    stack = vma_at(mm, s - P);
    assert_int_equal(stack->vm_start, s - P);
    assert_int_equal(stack->vm_end, top);
    assert_int_equal(stack->vm_pgoff, (s - P) >> PAGE_SHIFT);
    assert_int_equal(mm->map_count, 1);
    assert_int_equal(mm->stack_vm, 33);
    assert_int_equal(mm->total_vm, 33);
    assert_int_equal(mm->rss[MM_ANONPAGES], 1);

    /* A read further down grows it to there (a zero page). */
    handle_mm_fault(mm, s - 40 * P, 0, &r);
    assert_int_equal(r.kind, FAULT_STACK_GROW);
    assert_int_equal(r.pfn, zero_pfn);
    assert_int_equal(vma_at(mm, s - 40 * P)->vm_start, s - 40 * P);

    /* Exactly the rlimit: allowed. One page more: SIGSEGV, the VMA as it was. */
    unsigned long lim = top - mm->stack_rlimit;
    handle_mm_fault(mm, lim, FAULT_FLAG_WRITE, &r);
    assert_int_equal(r.kind, FAULT_STACK_GROW);
    assert_int_equal(vma_at(mm, lim)->vm_start, lim);
    unsigned long segv = mm->faults.segv;
    handle_mm_fault(mm, lim - P, FAULT_FLAG_WRITE, &r);
    assert_int_equal(r.kind, FAULT_SEGV_MAPERR);
    assert_int_equal(mm->faults.segv, segv + 1);
    assert_int_equal(vma_at(mm, lim)->vm_start, lim);
    assert_unmapped(mm, lim - P);
    assert_int_equal(mm->map_count, 1);
    assert_int_equal(mm->stack_vm, mm->stack_rlimit >> PAGE_SHIFT);

    /* Writes through copy_to_user grow it the same way. */
    assert_int_equal(do_munmap(mm, lim, 64 * P), 0);
    unsigned long low = lim + 64 * P;
    assert_int_equal(vma_at(mm, low)->vm_start, low);
    assert_int_equal(copy_to_user(mm, low - 10, "0123456789abcdef", 16), 0);
    assert_int_equal(vma_at(mm, low - P)->vm_start, low - P);
}

static void test_stack_growth(void **state)
{
    (void)state;
    for_each_tree(stack_growth);
}

/* The guard gap: a stack never grows to within 256 pages of an accessible mapping below. */
static void stack_guard_gap(struct mm_struct *mm)
{
    unsigned long s = STACK_TOP - 16 * P;
    assert_int_equal(mmap_anon(mm, s, 16 * P, RW, ANON | MAP_FIXED | MAP_GROWSDOWN), s);
    unsigned long below = s - 300 * P;
    map_fixed(mm, below, P, PROT_READ); /* ends at s - 299 pages */
    /* 259 pages left between them: fine. */
    assert_int_equal(fault_kind(mm, s - 40 * P, FAULT_FLAG_WRITE), FAULT_STACK_GROW);
    /* 255 pages: refused. */
    assert_int_equal(fault_kind(mm, s - 44 * P, FAULT_FLAG_WRITE), FAULT_SEGV_MAPERR);
    assert_int_equal(vma_at(mm, s - 40 * P)->vm_start, s - 40 * P);
    /* Exactly 256: allowed. */
    assert_int_equal(fault_kind(mm, s - 43 * P, FAULT_FLAG_WRITE), FAULT_STACK_GROW);
    /* A PROT_NONE mapping below does not count as a neighbour. */
    assert_int_equal(do_mprotect(mm, below, P, PROT_NONE), 0);
    assert_int_equal(fault_kind(mm, s - 60 * P, FAULT_FLAG_WRITE), FAULT_STACK_GROW);

    /* Below a VMA that is not a stack: no growth. */
    map_fixed(mm, X, P, RW);
    assert_int_equal(fault_kind(mm, X - P, FAULT_FLAG_WRITE), FAULT_SEGV_MAPERR);
    assert_int_equal(vma_at(mm, X)->vm_start, X);
}

static void test_stack_guard_gap(void **state)
{
    (void)state;
    for_each_tree(stack_guard_gap);
}

/* mmput takes everything down: VMAs, pages, tables, file references. */
static void test_mmput_releases_everything(void **state)
{
    (void)state;
    unsigned long free0 = test_free_or_slab_pages();
    struct mm_struct *mm = mm_alloc(&vma_array_ops);
    assert_non_null(mm);
    for (unsigned long i = 0; i < 64; i++) {
        unsigned long a = mmap_anon(mm, 0, (i % 5 + 1) * P, i % 2 ? RW : PROT_READ, ANON);
        assert_false(IS_ERR_VALUE(a));
        if (i % 2 && i % 3 == 0)
            fill(mm, a, P, (unsigned char)i);
    }
    map_fixed(mm, 0x7f0000000000UL, P, RW);
    fill(mm, 0x7f0000000000UL, P, 1);
    assert_true(mm->map_count > 1);
    assert_true(test_free_or_slab_pages() < free0);
    unsigned long flushes = test_tlb_flushes;
    mmput(mm);
    assert_true(test_tlb_flushes > flushes);
    assert_int_equal(test_free_or_slab_pages(), free0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_placement_topdown, test_mm_setup, test_mm_teardown),
        cmocka_unit_test_setup_teardown(test_placement_hint, test_mm_setup, test_mm_teardown),
        cmocka_unit_test_setup_teardown(test_map_fixed_replaces, test_mm_setup, test_mm_teardown),
        cmocka_unit_test_setup_teardown(test_mmap_errors, test_mm_setup, test_mm_teardown),
        cmocka_unit_test_setup_teardown(test_merge_rules, test_mm_setup, test_mm_teardown),
        cmocka_unit_test_setup_teardown(test_merge_file, test_mm_setup, test_mm_teardown),
        cmocka_unit_test_setup_teardown(test_munmap_middle_splits, test_mm_setup, test_mm_teardown),
        cmocka_unit_test_setup_teardown(test_munmap_many, test_mm_setup, test_mm_teardown),
        cmocka_unit_test_setup_teardown(test_mprotect_split_merge, test_mm_setup, test_mm_teardown),
        cmocka_unit_test_setup_teardown(test_mprotect_makes_mergeable, test_mm_setup,
                                        test_mm_teardown),
        cmocka_unit_test_setup_teardown(test_mprotect_hole, test_mm_setup, test_mm_teardown),
        cmocka_unit_test_setup_teardown(test_mprotect_shared_readonly_file, test_mm_setup,
                                        test_mm_teardown),
        cmocka_unit_test_setup_teardown(test_brk, test_mm_setup, test_mm_teardown),
        cmocka_unit_test_setup_teardown(test_madvise_dontneed, test_mm_setup, test_mm_teardown),
        cmocka_unit_test_setup_teardown(test_flush_only_what_tlb_holds, test_mm_setup,
                                        test_mm_teardown),
        cmocka_unit_test_setup_teardown(test_stack_growth, test_mm_setup, test_mm_teardown),
        cmocka_unit_test_setup_teardown(test_stack_guard_gap, test_mm_setup, test_mm_teardown),
        cmocka_unit_test_setup_teardown(test_mmput_releases_everything, test_mm_setup,
                                        test_mm_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
