/*
 * userfaultfd's memory side (mm/userfaultfd.c) on a fresh mm: registration
 * splits and merges VMAs, faults handed to the context are neither
 * resolved nor counted (a kernel access gets SIGBUS), filling answers
 * EEXIST and ENOENT as Linux, the retry counts major only with
 * FAULT_FLAG_TRIED, write protection toggles the entry, and releasing the
 * context leaves no VMA watched.
 */
#include "tests/unit/support/support.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "mm/fault.h"
#include "mm/internal.h"
#include "mm/mmap.h"
#include "mm/pgtable.h"
#include "mm/uaccess.h"
#include "mm/userfaultfd.h"
#include "mm/vma_tree.h"

#define P PAGE_SIZE
#define X 0x40000000UL
#define USER_READ FAULT_FLAG_USER
#define USER_WRITE (FAULT_FLAG_USER | FAULT_FLAG_WRITE)

static struct mm_struct *new_mm(void)
{
    struct mm_struct *mm = mm_alloc(&vma_array_ops);
    assert_non_null(mm);
    assert_int_equal(do_mmap(mm, NULL, X, 4 * P, PROT_READ | PROT_WRITE,
                             MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, 0),
                     X);
    return mm;
}

static unsigned long nr_vmas(struct mm_struct *mm)
{
    return mm->map_count;
}

static enum fault_kind fault(struct mm_struct *mm, unsigned long addr, unsigned int flags,
                             struct fault_result *r)
{
    handle_mm_fault(mm, addr, flags, r);
    return r->kind;
}

static void test_register_splits_and_merges(void **state)
{
    (void)state;
    struct mm_struct *mm = new_mm();
    struct userfaultfd_ctx ctx;
    userfaultfd_ctx_init(&ctx, mm, true);
    assert_int_equal(userfaultfd_register(&ctx, X + P, X + 3 * P, VM_UFFD_MISSING), 0);
    assert_int_equal(nr_vmas(mm), 3);
    struct vm_area_struct *v = find_vma(mm, X + P);
    assert_int_equal(v->vm_start, X + P);
    assert_int_equal(v->vm_end, X + 3 * P);
    assert_ptr_equal(v->vm_userfaultfd_ctx, &ctx);
    assert_true(v->vm_flags & VM_UFFD_MISSING);
    assert_null(find_vma(mm, X)->vm_userfaultfd_ctx);
    /* A second context may not take it; an unmapped range is EINVAL. */
    struct userfaultfd_ctx other;
    userfaultfd_ctx_init(&other, mm, true);
    assert_int_equal(userfaultfd_register(&other, X, 4 * P + X, VM_UFFD_MISSING), -EBUSY);
    assert_int_equal(userfaultfd_register(&ctx, X + 8 * P, X + 9 * P, VM_UFFD_MISSING), -EINVAL);
    assert_int_equal(userfaultfd_register(&ctx, X, X + P, VM_UFFD_MINOR), -EINVAL);
    userfaultfd_ctx_release(&other);
    assert_int_equal(userfaultfd_unregister(&ctx, X, X + 4 * P), 0);
    assert_int_equal(nr_vmas(mm), 1);
    assert_int_equal(find_vma(mm, X)->vm_flags & __VM_UFFD_FLAGS, 0);
    userfaultfd_ctx_release(&ctx);
    mmput(mm);
}

static void test_missing_fault_and_fill(void **state)
{
    (void)state;
    struct mm_struct *mm = new_mm();
    struct userfaultfd_ctx ctx;
    userfaultfd_ctx_init(&ctx, mm, true);
    assert_int_equal(userfaultfd_register(&ctx, X, X + 4 * P, VM_UFFD_MISSING), 0);
    struct fault_result r;
    unsigned long min0 = mm->faults.min_flt, maj0 = mm->faults.maj_flt;
    assert_int_equal(fault(mm, X + 5, USER_READ, &r), FAULT_USERFAULT);
    assert_int_equal(r.uffd_reason, VM_UFFD_MISSING);
    assert_true(r.uffd_retry_major); /* no anon_vma yet: Linux took the mmap lock */
    assert_int_equal(fault(mm, X + P, USER_WRITE, &r), FAULT_USERFAULT);
    assert_int_equal(mm->faults.min_flt, min0);
    assert_null(pte_offset(mm, X) ? (void *)(uintptr_t)*pte_offset(mm, X) : NULL);
    /* A kernel access cannot wait: SIGBUS, so the system call gets EFAULT. */
    char buf[8];
    assert_int_not_equal(copy_from_user(mm, buf, X, sizeof(buf)), 0);

    static char src[2 * P];
    memset(src, 'u', sizeof(src));
    unsigned long s = 0x50000000UL;
    assert_int_equal(do_mmap(mm, NULL, s, 2 * P, PROT_READ | PROT_WRITE,
                             MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, 0),
                     s);
    assert_int_equal(copy_to_user(mm, s, src, 2 * P), 0);
    assert_int_equal(mfill_atomic_copy(&ctx, X, mm, s, 2 * P, false), 2 * P);
    assert_int_equal(mfill_atomic_copy(&ctx, X + P, mm, s, 2 * P, false), -EEXIST);
    assert_int_equal(mfill_atomic_copy(&ctx, X + 2 * P, mm, s, 4 * P, false), -ENOENT);
    assert_int_equal(mfill_atomic_copy(&ctx, s, mm, s, P, false), -ENOENT);
    assert_int_equal(mfill_atomic_zeropage(&ctx, X + 2 * P, P), P);
    assert_int_equal(mfill_atomic_continue(&ctx, X + 3 * P, P, false), -EINVAL);
    assert_int_equal(mfill_atomic_copy(&ctx, X + 3 * P, mm, s, P, true), -EINVAL); /* not WP */
    assert_int_equal(copy_from_user(mm, buf, X + P, sizeof(buf)), 0);
    assert_memory_equal(buf, src, sizeof(buf));
    /* The retry: the entry is there; counted major only with FAULT_FLAG_TRIED. */
    min0 = mm->faults.min_flt;
    assert_int_equal(fault(mm, X, USER_READ | FAULT_FLAG_TRIED, &r), FAULT_SPURIOUS);
    assert_int_equal(mm->faults.maj_flt, maj0 + 1);
    assert_int_equal(fault(mm, X + P, USER_WRITE, &r), FAULT_SPURIOUS);
    assert_int_equal(mm->faults.min_flt, min0 + 1);
    userfaultfd_ctx_release(&ctx);
    assert_int_equal(find_vma(mm, X)->vm_flags & __VM_UFFD_FLAGS, 0);
    assert_null(find_vma(mm, X)->vm_userfaultfd_ctx);
    assert_int_equal(fault(mm, X + 3 * P, USER_READ, &r), FAULT_ANON_ZERO);
    mmput(mm);
}

static void test_write_protect(void **state)
{
    (void)state;
    struct mm_struct *mm = new_mm();
    char page[P];
    memset(page, 'w', sizeof(page));
    assert_int_equal(copy_to_user(mm, X, page, P), 0);
    struct userfaultfd_ctx ctx;
    userfaultfd_ctx_init(&ctx, mm, true);
    assert_int_equal(mwriteprotect_range(&ctx, X, P, true), -ENOENT);
    assert_int_equal(userfaultfd_register(&ctx, X, X + 4 * P, VM_UFFD_WP), 0);
    assert_int_equal(mwriteprotect_range(&ctx, X, 2 * P, true), 0);
    pte_t *pte = pte_offset(mm, X);
    assert_true(pte_uffd_wp(*pte));
    assert_false(pte_write(*pte));
    struct fault_result r;
    assert_int_equal(fault(mm, X, USER_READ, &r), FAULT_SPURIOUS);
    assert_int_equal(fault(mm, X + 9, USER_WRITE, &r), FAULT_USERFAULT);
    assert_int_equal(r.uffd_reason, VM_UFFD_WP);
    assert_false(r.uffd_retry_major);
    /* mprotect keeps it protected. */
    assert_int_equal(do_mprotect(mm, X, P, PROT_READ), 0);
    assert_int_equal(do_mprotect(mm, X, P, PROT_READ | PROT_WRITE), 0);
    pte = pte_offset(mm, X);
    assert_true(pte_uffd_wp(*pte));
    assert_false(pte_write(*pte));
    assert_int_equal(mwriteprotect_range(&ctx, X, P, false), 0);
    pte = pte_offset(mm, X);
    assert_false(pte_uffd_wp(*pte));
    assert_true(pte_write(*pte)); /* an exclusive anonymous page: no fault needed */
    /* Unregistering drops the protection left, as clearing it does. */
    assert_int_equal(mwriteprotect_range(&ctx, X, P, true), 0);
    assert_int_equal(userfaultfd_unregister(&ctx, X, X + 4 * P), 0);
    assert_false(pte_uffd_wp(*pte_offset(mm, X)));
    assert_int_equal(fault(mm, X, USER_WRITE, &r), FAULT_SPURIOUS);
    userfaultfd_ctx_release(&ctx);
    mmput(mm);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_register_splits_and_merges, test_mm_setup,
                                        test_mm_teardown),
        cmocka_unit_test_setup_teardown(test_missing_fault_and_fill, test_mm_setup,
                                        test_mm_teardown),
        cmocka_unit_test_setup_teardown(test_write_protect, test_mm_setup, test_mm_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
