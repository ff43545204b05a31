/*
 * The kernel's view of user memory: copies through the guest's page tables,
 * faulting pages in as the kernel does, never touching what no VMA allows.
 *
 * Preconditions: mm is the address space of the task whose system call
 * runs (its faults are charged to that task) and the caller holds a user
 * reference to it; no other mm/ call is in progress. The copies may fault,
 * allocate and flush translated code (a store into executable memory).
 */
#ifndef VMEMU_MM_UACCESS_H
#define VMEMU_MM_UACCESS_H

#include <stddef.h>

struct mm_struct;

/* Each returns the number of bytes NOT copied (0 on success), as Linux's. */
size_t copy_to_user(struct mm_struct *mm, unsigned long to, const void *from, size_t n);
size_t copy_from_user(struct mm_struct *mm, void *to, unsigned long from, size_t n);
size_t clear_user(struct mm_struct *mm, unsigned long to, size_t n);
/* Copy a NUL-terminated string of at most count bytes: its length, or -EFAULT. */
long strncpy_from_user(struct mm_struct *mm, char *dst, unsigned long src, long count);
/*
 * Copy n bytes that are mapped now, faulting nothing in and setting no
 * accessed bit (Linux's copy_from_user_nofault): for reports and the
 * disassembler. 0, or -EFAULT when part of the range is not present.
 */
long copy_from_user_nofault(struct mm_struct *mm, void *dst, unsigned long src, size_t n);

#endif
