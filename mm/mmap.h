/* Creating and destroying address spaces and the mmap family on them. */
#ifndef VMEMU_MM_MMAP_H
#define VMEMU_MM_MMAP_H

#include "mm_types.h"

struct file;
struct vma_tree_ops;

/* A new empty mm with its top-level page table; NULL when out of memory. */
struct mm_struct *mm_alloc(const struct vma_tree_ops *ops);
/* One more user of mm (vfork, a thread); mmput drops one, the last tears it down. */
void mmget(struct mm_struct *mm);
/* Drop a user; the last one unmaps everything and frees the page tables, VMAs and mm. */
void mmput(struct mm_struct *mm);
/*
 * fork's copy of an address space: the VMAs (but MADV_DONTFORK ones), with
 * their pages as the child must see them. NULL with *err on failure.
 */
struct mm_struct *dup_mm(struct mm_struct *oldmm, int *err);

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

/*
 * mremap(2): MREMAP_MAYMOVE, MREMAP_FIXED and MREMAP_DONTUNMAP; the pages and
 * their entries move along, nothing is copied. Returns the address or -errno.
 */
unsigned long do_mremap(struct mm_struct *mm, unsigned long addr, unsigned long old_len,
                        unsigned long new_len, unsigned long flags, unsigned long new_addr);
/*
 * mincore(2) for at most PAGE_SIZE pages from the page-aligned start: one
 * byte per page in vec (1 if resident). Returns the pages done or -ENOMEM.
 */
long do_mincore(struct mm_struct *mm, unsigned long start, unsigned long pages, unsigned char *vec);
/* mlock(2)/mlock2(2) (flags: MLOCK_ONFAULT), munlock(2), mlockall(2), munlockall(2). */
int do_mlock(struct mm_struct *mm, unsigned long start, unsigned long len, unsigned int flags);
int do_munlock(struct mm_struct *mm, unsigned long start, unsigned long len);
int do_mlockall(struct mm_struct *mm, int flags);
int do_munlockall(struct mm_struct *mm);
/* Fault in [start, start + len) as get_user_pages would; 0 or -ENOMEM. */
int mm_populate(struct mm_struct *mm, unsigned long start, unsigned long len);

/*
 * Where a mapping of len bytes goes, as Linux's get_unmapped_area with ASLR
 * off: the hint if free, else top-down from mmap_base (2 MiB aligned where
 * huge pages could map it); MAP_FIXED takes addr as is. Address or -errno.
 */
unsigned long get_unmapped_area(struct mm_struct *mm, struct file *file, unsigned long addr,
                                unsigned long len, unsigned long pgoff, unsigned long flags);
/*
 * A special mapping of sm's frames, with no file and sm's name for
 * /proc/self/maps ("[vdso]"): Linux's _install_special_mapping. 0 or -errno.
 */
int install_special_mapping(struct mm_struct *mm, unsigned long addr, unsigned long len,
                            unsigned long vm_flags, const struct vm_special_mapping *sm);

/*
 * Pages charged to the commit (Linux's vm_committed_as, Committed_AS in
 * /proc/meminfo): private writable mappings not MAP_NORESERVE, brk, stacks.
 */
unsigned long vm_committed_pages(void);

struct vm_area_struct *find_vma(struct mm_struct *mm, unsigned long addr);
struct vm_area_struct *vma_next(struct mm_struct *mm, struct vm_area_struct *vma);

#endif
