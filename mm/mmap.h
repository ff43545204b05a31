/* Creating and destroying address spaces and the mmap family on them. */
#ifndef VMEMU_MM_MMAP_H
#define VMEMU_MM_MMAP_H

#include "mm_types.h"

struct file;
struct vma_tree_ops;

/* A new empty mm with its top-level page table; NULL when out of memory. */
struct mm_struct *mm_alloc(const struct vma_tree_ops *ops);
/* Unmap everything and free the page tables, the VMAs and the mm. */
void mmput(struct mm_struct *mm);

/*
 * The mmap family. Each returns what the system call returns: an address,
 * 0, or -errno (test with IS_ERR_VALUE). prot and flags are Linux's PROT_*
 * and MAP_* values.
 */
unsigned long do_mmap(struct mm_struct *mm, struct file *file, unsigned long addr,
                      unsigned long len, unsigned long prot, unsigned long flags,
                      unsigned long pgoff);
int do_munmap(struct mm_struct *mm, unsigned long start, unsigned long len);
int do_mprotect(struct mm_struct *mm, unsigned long start, unsigned long len, unsigned long prot);
int do_madvise(struct mm_struct *mm, unsigned long start, unsigned long len, int advice);
/* brk(2): returns the new break, or the old one when the request fails. */
unsigned long do_brk(struct mm_struct *mm, unsigned long brk);
/* An anonymous private mapping of [addr, addr + len) for the loader's bss. */
int vm_brk_flags(struct mm_struct *mm, unsigned long addr, unsigned long len, unsigned long flags);

struct vm_area_struct *find_vma(struct mm_struct *mm, unsigned long addr);
struct vm_area_struct *vma_next(struct mm_struct *mm, struct vm_area_struct *vma);

#endif
