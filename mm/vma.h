/* mm/-internal: VMA objects and their place in the mm's tree. */
#ifndef VMEMU_MM_VMA_H
#define VMEMU_MM_VMA_H

#include <stdbool.h>

#include "mm_types.h"

struct vm_area_struct *vm_area_alloc(struct mm_struct *mm);
void vm_area_free(struct vm_area_struct *vma); /* drops its file reference too */

/* Insert into the tree and count it; 0, -ENOMEM or -EEXIST. */
int vma_link(struct mm_struct *mm, struct vm_area_struct *vma);
/* Remove from the tree and uncount it; the VMA is not freed. */
void vma_unlink(struct mm_struct *mm, struct vm_area_struct *vma);
/* Change a linked VMA's range (re-inserting it); 0 or -ENOMEM. */
int vma_set_range(struct mm_struct *mm, struct vm_area_struct *vma, unsigned long start,
                  unsigned long end, unsigned long pgoff);

/* Split vma at addr: vma keeps [vm_start, addr), the new VMA returned gets the rest. */
struct vm_area_struct *split_vma(struct mm_struct *mm, struct vm_area_struct *vma,
                                 unsigned long addr, int *err);
/* Merge vma with its neighbours where Linux would; returns the VMA that remains. */
struct vm_area_struct *vma_merge_neighbours(struct mm_struct *mm, struct vm_area_struct *vma);

struct vm_area_struct *vma_prev(struct mm_struct *mm, struct vm_area_struct *vma);

/* Tell the mm's observer, if any, what happened to a VMA. */
static inline void vma_notify(struct mm_struct *mm, enum vma_event ev,
                              const struct vm_area_struct *vma)
{
    if (mm->observer && mm->observer->vma)
        mm->observer->vma(mm->observer->ctx, ev, vma);
}

/*
 * Give [start, end) of vma the flags newflags: split it there, change it,
 * and merge it with its neighbours where Linux would. Returns the VMA now
 * holding the range, or NULL with *err set.
 */
struct vm_area_struct *vma_modify_flags(struct mm_struct *mm, struct vm_area_struct *vma,
                                        unsigned long start, unsigned long end,
                                        unsigned long newflags, int *err);

/* The lowest address a gap below vma may reach: stacks keep a guard gap. */
unsigned long vm_start_gap(const struct vm_area_struct *vma);

/*
 * The commit (mm/commit.c). vm_enough_memory: may pages more be charged?
 * (Linux's heuristic overcommit refuses one request larger than RAM.)
 */
bool vm_enough_memory(long pages);
void vm_acct_memory(long pages);
void vm_unacct_memory(long pages);

/* Linux's vm_stat_account: total_vm, exec_vm, stack_vm and data_vm. */
void vm_stat_account(struct mm_struct *mm, unsigned long flags, long npages);

#endif
