/*
 * mm/'s one error convention, Linux's: an error is a negative errno carried
 * in the return value.
 *  - A function returning int returns 0 (or a count) on success, -errno on
 *    failure.
 *  - A function returning an address or a length, as the system call it
 *    implements does (do_mmap, do_mremap, do_mincore), returns -errno cast
 *    to its type: test it with IS_ERR_VALUE.
 *  - A function returning an object returns it, or NULL with -errno stored
 *    in *err; plain allocators (alloc_pages, kmalloc, vm_area_alloc, ...)
 *    take no err: their only failure is -ENOMEM.
 * No error is reported through errno (the -1-and-errno convention).
 */
#ifndef VMEMU_MM_ERR_H
#define VMEMU_MM_ERR_H

#define MAX_ERRNO 4095

/* Is x, an address or length returned by mm/, really a -errno? */
#define IS_ERR_VALUE(x) ((unsigned long)(x) >= (unsigned long)-MAX_ERRNO)

#endif
