/*
 * Address spaces: their life (alloc, fork's copy, the user and struct
 * reference counts) and the mmap family of system calls on them.
 *
 * Preconditions, for every function here that takes an mm: the caller
 * holds a user reference to mm (mm_users, from mm_alloc, dup_mm or
 * mmget) and no other mm/ call on the same mm is in progress (vmemu runs
 * one task at a time: mm/ takes no locks). Functions that unmap or
 * write-protect entries flush the TLB through arch_flush_tlb_mm before
 * they return.
 */
#ifndef VMEMU_MM_MMAP_H
#define VMEMU_MM_MMAP_H

#include <stddef.h>

#include "err.h"
#include "mm_types.h"

struct file;
struct vma_tree_ops;

/*
 * A new empty mm with its top-level page table, one user and one struct
 * reference; NULL when out of memory.
 */
struct mm_struct *mm_alloc(const struct vma_tree_ops *ops);
/*
 * fork's copy of oldmm (Linux's dup_mm): every VMA but VM_DONTCOPY ones,
 * with file references taken and anon_vma families joined; the entries of
 * VMAs that have anonymous pages copied, private writable ones
 * write-protected in both (so the first write of either copies, or reuses
 * a page no longer shared); VM_WIPEONFORK VMAs empty; file and shmem VMAs
 * without anonymous pages left to refault from the page cache. Counters
 * as Linux's: total_vm and friends copied, rss counting what was mapped,
 * locked_vm 0 (locks are not inherited). One user. NULL and *err
 * (-ENOMEM) with nothing left allocated and oldmm's pages as they were
 * (only write-protected).
 */
struct mm_struct *dup_mm(struct mm_struct *oldmm, int *err);
/*
 * A new mm (fork's copy or a new program's) takes the flags of its parent
 * that are inherited (Linux's mmf_init_flags): memory-deny-write-execute
 * unless PR_MDWE_NO_INHERIT said otherwise, merge-any. dup_mm does it.
 */
void mm_inherit_flags(struct mm_struct *mm, const struct mm_struct *parent);
/*
 * prctl(PR_SET_MEMORY_MERGE): every VMA KSM could merge, now and from now
 * on, is VM_MERGEABLE (on), or none is (off). vmemu runs no KSM scanner.
 */
void ksm_set_merge_any(struct mm_struct *mm, bool on);
/* Another user of mm (a thread, a vfork child): Linux's mmget. */
void mmget(struct mm_struct *mm);
/* A user goes; the last one unmaps everything and drops the users' struct reference. */
void mmput(struct mm_struct *mm);
/* A reference to the struct only (it stays, its mappings may go): Linux's mmgrab. */
void mmgrab(struct mm_struct *mm);
/* Drop it; the last one frees the page-table root and the struct. */
void mmdrop(struct mm_struct *mm);

/*
 * The mmap family. Each returns what the system call returns: an address,
 * 0, or -errno (test with IS_ERR_VALUE). prot and flags are Linux's PROT_*
 * and MAP_* values. On -ENOMEM the address space is as it was, except
 * that a VMA may have been cut in two where the call began (as in Linux).
 */
unsigned long do_mmap(struct mm_struct *mm, struct file *file, unsigned long addr,
                      unsigned long len, unsigned long prot, unsigned long flags,
                      unsigned long pgoff);
int do_munmap(struct mm_struct *mm, unsigned long start, unsigned long len);
/*
 * remap_file_pages(2), as Linux emulates it since 3.16: [start, start +
 * size) of a shared file mapping mapped again (MAP_FIXED, populated) at
 * file page pgoff; prot must be 0. 0 or -errno.
 */
long do_remap_file_pages(struct mm_struct *mm, unsigned long start, unsigned long size,
                         unsigned long prot, unsigned long pgoff, unsigned long flags);
int do_mprotect(struct mm_struct *mm, unsigned long start, unsigned long len, unsigned long prot);
/* pkey_mprotect(2): do_mprotect with a protection key (-1: none), checked as mm/pkeys.c says. */
int do_mprotect_pkey(struct mm_struct *mm, unsigned long start, unsigned long len,
                     unsigned long prot, int pkey);
/* pkey_alloc(2) and pkey_free(2) (mm/pkeys.c): a key, 0, or -errno. */
int do_pkey_alloc(struct mm_struct *mm, unsigned long flags, unsigned long init_val);
int do_pkey_free(struct mm_struct *mm, int pkey);
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
 * mseal(2): seal every VMA of [start, start + len), which must be mapped
 * throughout (else -ENOMEM); flags must be 0. 0 or -errno.
 */
int do_mseal(struct mm_struct *mm, unsigned long start, unsigned long len, unsigned long flags);
/*
 * prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME): name the anonymous VMAs of
 * [start, start + len) (text NULL: take their names away). Text is taken
 * as checked (printable, no "\\`$[]", at most 79 bytes: kernel/sys.c's
 * rules, the caller's). 0 or -errno (-EBADF for a file mapping, -ENOMEM
 * for a hole, after the rest was named).
 */
int madvise_set_anon_name(struct mm_struct *mm, unsigned long start, unsigned long len,
                          const char *text);
/* The VMA's anonymous name, or NULL. */
const char *anon_vma_name_text(const struct vm_area_struct *vma);
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
/*
 * msync(2) on [start, start + len) of mm: the dirty pages its shared file
 * mappings hold go to the host file. 0 or -errno, as the system call.
 */
int do_msync(struct mm_struct *mm, unsigned long start, unsigned long len, int flags);
/*
 * Fault in [start, start + len) as get_user_pages would; 0, -ENOMEM, or
 * -EFAULT when some VMA refuses (secret memory; the rest is done).
 */
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

/* The lowest VMA ending above addr, or NULL (Linux's find_vma); the next in order. */
struct vm_area_struct *find_vma(struct mm_struct *mm, unsigned long addr);
struct vm_area_struct *vma_next(struct mm_struct *mm, struct vm_area_struct *vma);

/*
 * The name /proc/self/maps shows for vma (Linux's get_vma_name), in buf:
 * a file's path as the host resolves it (d_path: " (deleted)" once
 * unlinked), "/dev/zero (deleted)" for shared anonymous memory, a special
 * mapping's name, "[heap]" (the VMA overlaps [start_brk, brk)), "[stack]"
 * (it holds start_stack), "[anon:NAME]" and "[anon_shmem:NAME]" for
 * memory named by prctl(PR_SET_VMA), or "" for any other anonymous memory. Traces
 * and /proc both name VMAs with it; with portable, a file is named by the
 * last component of the path it was opened by instead, the same on every
 * run and host (no inode numbers, no directories). Returns buf.
 */
const char *vma_name(const struct vm_area_struct *vma, char *buf, size_t len, bool portable);
/* The permissions column of /proc/self/maps for vm_flags: "rwxp", "r--s", ... Returns buf. */
const char *vma_perms(unsigned long vm_flags, char buf[5]);

#endif
