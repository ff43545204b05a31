/* mm/-internal: what mmap.c and memory.c need from each other. */
#ifndef VMEMU_MM_MEMORY_H
#define VMEMU_MM_MEMORY_H

#include <stdbool.h>

#include "mm_types.h"

/* Clear the entries of [start, end) in vma; true if any page was mapped. */
bool zap_page_range(struct vm_area_struct *vma, unsigned long start, unsigned long end);
/* Apply vma's (new) vm_flags to its entries in [start, end); true if rights were lost. */
bool change_protection(struct vm_area_struct *vma, unsigned long start, unsigned long end);
/* Grow a VM_GROWSDOWN vma down to addr; 0 or -ENOMEM. */
int expand_stack(struct mm_struct *mm, struct vm_area_struct *vma, unsigned long addr);

#endif
