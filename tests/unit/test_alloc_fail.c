/*
 * Out of memory at every allocation: a scenario that goes through the
 * whole mmap family, faults of every kind, the page cache, shmem, fork
 * and teardown is run once for each allocation it makes, with exactly
 * that allocation failing (the injector's nth mode). Whatever fails must
 * fail cleanly: -ENOMEM (or the call's own error for what an earlier
 * failure left out), FAULT_OOM for a fault, never a crash; after every
 * step the mm keeps all its invariants (validate_mm); and once the
 * scenario's address spaces and files are gone and the page cache is
 * dropped, every frame and every slab object is back, and no frame was
 * found in a bad state. The sweep ends at the first run in which no
 * allocation failed, so it reaches every allocation the scenario makes.
 */
#define _GNU_SOURCE /* MREMAP_* */
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
#include "mm/internal.h"
#include "mm/mm_init.h"
#include "mm/mmap.h"
#include "mm/mmzone.h"
#include "mm/pagemap.h"
#include "mm/uaccess.h"
#include "mm/vma_tree.h"
#include "mm/writeback.h"

#define P PAGE_SIZE
#define RW (PROT_READ | PROT_WRITE)
#define ANON (MAP_PRIVATE | MAP_ANONYMOUS)
#define X 0x40000000UL
#define Y 0x50000000UL
#define Z 0x60000000UL

static char path[64];

/* A call that may fail only for lack of memory, or for what an earlier failure left out. */
static void may_fail(long ret)
{
    if (ret < 0 && ret > -4096)
        assert_true(ret == -ENOMEM || ret == -EFAULT || ret == -EAGAIN || ret == -EINVAL);
}

static void step_ok(struct mm_struct *mm)
{
    int err = validate_mm(mm);
    if (err)
        fprintf(stderr, "validate_mm: %d\n", err);
    assert_int_equal(err, 0);
}

static void touch(struct mm_struct *mm, unsigned long addr, unsigned int flags)
{
    struct fault_result r;
    handle_mm_fault(mm, addr, flags, &r);
    if (fault_is_error(r.kind))
        assert_true(r.kind == FAULT_OOM || r.kind == FAULT_SEGV_MAPERR ||
                    r.kind == FAULT_SEGV_ACCERR || r.kind == FAULT_SIGBUS);
    step_ok(mm);
}

static void anon_steps(struct mm_struct *mm)
{
    may_fail((long)do_mmap(mm, NULL, X, 32 * P, RW, ANON | MAP_FIXED, 0));
    for (unsigned long i = 0; i < 32; i += 3)
        touch(mm, X + i * P, i % 2 ? 0 : FAULT_FLAG_WRITE);
    may_fail(do_mprotect(mm, X + 4 * P, 4 * P, PROT_READ));
    may_fail(do_mprotect(mm, X + 4 * P, 4 * P, RW));
    touch(mm, X + 6 * P, FAULT_FLAG_WRITE); /* an exclusive page made writable again */
    may_fail(do_munmap(mm, X + 10 * P, 2 * P));
    may_fail((long)do_mmap(mm, NULL, X + 10 * P, P, RW, ANON | MAP_FIXED, 0));
    may_fail((long)do_mremap(mm, X + 16 * P, 4 * P, 8 * P, MREMAP_MAYMOVE, 0));
    may_fail((long)do_mremap(mm, X, 2 * P, 2 * P, MREMAP_MAYMOVE | MREMAP_FIXED, Z));
    may_fail((long)do_mremap(mm, X + 2 * P, 2 * P, 2 * P, MREMAP_MAYMOVE | MREMAP_DONTUNMAP, 0));
    may_fail(do_madvise(mm, X + 20 * P, 4 * P, MADV_DONTNEED));
    may_fail(do_madvise(mm, X + 24 * P, 4 * P, MADV_FREE));
    may_fail(do_mlock(mm, X + 28 * P, 2 * P, 0));
    step_ok(mm);
}

static void brk_steps(struct mm_struct *mm)
{
    mm->start_brk = mm->brk = 0x555555560000UL;
    do_brk(mm, mm->brk + 8 * P);
    touch(mm, 0x555555560000UL + P, FAULT_FLAG_WRITE);
    do_brk(mm, mm->brk - 3 * P);
    step_ok(mm);
}

static void file_steps(struct mm_struct *mm, struct file *f)
{
    unsigned long buf[8] = {1, 2, 3};
    uint64_t pos = 0;
    may_fail(kernel_write(f, buf, sizeof(buf), &pos));
    may_fail((long)do_mmap(mm, f, Y, 4 * P, RW, MAP_PRIVATE | MAP_FIXED, 0));
    may_fail((long)do_mmap(mm, f, Y + 0x100000, 4 * P, RW, MAP_SHARED | MAP_FIXED, 0));
    touch(mm, Y, 0);
    touch(mm, Y + P, FAULT_FLAG_WRITE);
    touch(mm, Y + 0x100000 + P, FAULT_FLAG_WRITE);
    may_fail(do_msync(mm, Y + 0x100000, 4 * P, MS_SYNC));
    pos = 0;
    may_fail(kernel_read(f, buf, sizeof(buf), &pos));
    may_fail(vmtruncate(f, 2 * P));
    step_ok(mm);
}

static void shmem_steps(struct mm_struct *mm)
{
    may_fail((long)do_mmap(mm, NULL, Z + 0x100000, 4 * P, RW,
                           MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED, 0));
    touch(mm, Z + 0x100000, FAULT_FLAG_WRITE);
    touch(mm, Z + 0x100000 + P, 0);
    may_fail(do_madvise(mm, Z + 0x100000, P, MADV_DONTNEED));
    touch(mm, Z + 0x100000, 0);
    step_ok(mm);
}

static void fork_steps(struct mm_struct *mm)
{
    int err = 0;
    struct mm_struct *child = dup_mm(mm, &err);
    if (!child) {
        assert_int_equal(err, -ENOMEM);
        step_ok(mm);
        return;
    }
    step_ok(child);
    touch(child, X + 6 * P, FAULT_FLAG_WRITE); /* copy-on-write */
    touch(child, Y + 0x100000 + P, 0);         /* refault a shared file page */
    touch(mm, X + 3 * P, 0);
    unsigned long v = 5;
    size_t left = copy_to_user(child, X + 12 * P, &v, sizeof(v));
    assert_true(left == 0 || left == sizeof(v));
    step_ok(child);
    step_ok(mm);
    mmput(child);
    touch(mm, X + 6 * P, FAULT_FLAG_WRITE); /* reuse, the child gone */
}

static void scenario(const struct vma_tree_ops *ops)
{
    struct mm_struct *mm = mm_alloc(ops);
    if (!mm)
        return;
    int err = 0;
    struct file *f = file_open(path, O_RDWR, 0, &err);
    if (!f)
        assert_int_equal(err, -ENOMEM);
    anon_steps(mm);
    brk_steps(mm);
    if (f)
        file_steps(mm, f);
    shmem_steps(mm);
    fork_steps(mm);
    mmput(mm);
    if (f)
        fput(f);
}

static void sweep(const struct vma_tree_ops *ops)
{
    snprintf(path, sizeof(path), "/tmp/vmemu-test-alloc-fail-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(ftruncate(fd, 4 * P), 0);
    close(fd);
    struct fail_alloc_stats st;
    assert_int_equal(fail_alloc_configure("nth=0"), 0);
    unsigned long bad0 = nr_bad_pages(), runs = 0;
    for (unsigned long n = 1;; n++) {
        unsigned long free0 = mm_leak_check_start(), objs = test_slab_objects();
        fail_alloc_get_stats(&st);
        unsigned long failures = st.failures;
        char spec[64];
        snprintf(spec, sizeof(spec), "nth=%lu", st.attempts + n);
        assert_int_equal(fail_alloc_configure(spec), 0);
        scenario(ops);
        assert_int_equal(fail_alloc_configure("nth=0"), 0);
        assert_int_equal(mm_leak_check_end(free0), 0);
        assert_int_equal(test_slab_objects(), objs);
        assert_int_equal(nr_bad_pages(), bad0);
        fail_alloc_get_stats(&st);
        runs++;
        if (st.failures == failures)
            break; /* the scenario made fewer than n allocations: every one was failed once */
    }
    unlink(path);
    fprintf(stderr, "%s: out of memory at each of %lu allocations, all clean\n", ops->name,
            runs - 1);
    assert_true(runs > 100);
}

/*
 * One call, each of its allocations failing in turn, in a tree deep enough
 * that inserts split nodes: mmap over a MAP_FIXED range that cuts two VMAs
 * must get all its tree nodes before it unmaps anything.
 */
static void test_map_fixed_in_a_deep_tree(void **state)
{
    (void)state;
    struct mm_struct *mm = mm_alloc(&vma_maple_ops);
    assert_non_null(mm);
    /* 600 VMAs of two pages that cannot merge (alternate rights): a tree of three levels. */
    for (unsigned long i = 0; i < 600; i++)
        assert_int_equal(
            do_mmap(mm, NULL, X + 2 * i * P, 2 * P, i % 2 ? PROT_READ : RW, ANON | MAP_FIXED, 0),
            X + 2 * i * P);
    struct fail_alloc_stats st;
    assert_int_equal(fail_alloc_configure("nth=0"), 0);
    unsigned long failed = 0;
    for (unsigned long n = 1;; n++) {
        fail_alloc_get_stats(&st);
        unsigned long failures = st.failures;
        char spec[64];
        snprintf(spec, sizeof(spec), "nth=%lu", st.attempts + n);
        assert_int_equal(fail_alloc_configure(spec), 0);
        /* From the middle of VMA 300 to the middle of VMA 302: two cuts. */
        unsigned long at = X + 601 * P;
        unsigned long r = do_mmap(mm, NULL, at, 4 * P, PROT_READ | PROT_EXEC, ANON | MAP_FIXED, 0);
        assert_int_equal(fail_alloc_configure("nth=0"), 0);
        step_ok(mm);
        fail_alloc_get_stats(&st);
        if (st.failures == failures) {
            assert_int_equal(r, at);
            break;
        }
        failed++;
        assert_true(r == (unsigned long)-ENOMEM);
        /* Nothing replaced was lost: the old pages are all still mapped. */
        for (unsigned long a = at; a < at + 4 * P; a += P) {
            struct vm_area_struct *vma = find_vma(mm, a);
            assert_true(vma && vma->vm_start <= a && !(vma->vm_flags & VM_EXEC));
        }
    }
    assert_true(failed >= 3);
    mmput(mm);
}

/* A read that runs out of memory halfway is short, and the position moves past what it read. */
static void test_short_read_moves_position(void **state)
{
    (void)state;
    snprintf(path, sizeof(path), "/tmp/vmemu-test-alloc-fail-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    char data[2 * P];
    for (size_t i = 0; i < sizeof(data); i++)
        data[i] = (char)(i % 251);
    assert_int_equal(write(fd, data, sizeof(data)), (ssize_t)sizeof(data));
    close(fd);
    int err = 0;
    struct file *f = file_open(path, O_RDONLY, 0, &err);
    assert_non_null(f);
    unlink(path);
    char buf[2 * P];
    uint64_t pos = 0;
    assert_int_equal(kernel_read(f, buf, 10, &pos), 10); /* page 0 is cached now, page 1 not */
    pos = 0;
    struct fail_alloc_stats st;
    assert_int_equal(fail_alloc_configure("nth=0"), 0);
    fail_alloc_get_stats(&st);
    char spec[64];
    snprintf(spec, sizeof(spec), "nth=%lu", st.attempts + 1); /* page 1's frame */
    assert_int_equal(fail_alloc_configure(spec), 0);
    assert_int_equal(kernel_read(f, buf, sizeof(buf), &pos), P);
    assert_int_equal(fail_alloc_configure("nth=0"), 0);
    assert_int_equal(pos, P);
    assert_int_equal(kernel_read(f, buf + P, P, &pos), P);
    assert_memory_equal(buf, data, sizeof(data));
    assert_int_equal(kernel_read(f, buf, P, &pos), 0);
    fput(f);
}

static void test_sweep_maple(void **state)
{
    (void)state;
    sweep(&vma_maple_ops);
}

static void test_sweep_rbtree(void **state)
{
    (void)state;
    sweep(&vma_rbtree_ops);
}

static void test_sweep_array(void **state)
{
    (void)state;
    sweep(&vma_array_ops);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_map_fixed_in_a_deep_tree, test_mm_setup,
                                        test_mm_teardown),
        cmocka_unit_test_setup_teardown(test_short_read_moves_position, test_mm_setup,
                                        test_mm_teardown),
        cmocka_unit_test_setup_teardown(test_sweep_maple, test_mm_setup, test_mm_teardown),
        cmocka_unit_test_setup_teardown(test_sweep_rbtree, test_mm_setup, test_mm_teardown),
        cmocka_unit_test_setup_teardown(test_sweep_array, test_mm_setup, test_mm_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
