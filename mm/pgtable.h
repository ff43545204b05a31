/*
 * x86-64 4-level page tables, in frames from the buddy allocator. Entries
 * have the hardware's format at every level; the emulated CPU's MMU walks
 * them (mmu_translate). Levels: 4 = PML4 (pgd), 3 = PDPT, 2 = PD, 1 = PT.
 */
#ifndef VMEMU_MM_PGTABLE_H
#define VMEMU_MM_PGTABLE_H

#include <stdbool.h>
#include <stdint.h>

#include "mm_types.h"

typedef uint64_t pte_t;

#define _PAGE_PRESENT (1ULL << 0)
#define _PAGE_RW (1ULL << 1)
#define _PAGE_USER (1ULL << 2)
#define _PAGE_ACCESSED (1ULL << 5)
#define _PAGE_DIRTY (1ULL << 6)
/* Software bit, as Linux's: a PROT_NONE entry keeps its page but has P clear. */
#define _PAGE_PROTNONE (1ULL << 8)
#define _PAGE_NX (1ULL << 63)
#define PTE_PFN_MASK 0x000ffffffffff000ULL
/* What a table entry that points to a lower table carries: all rights. */
#define _PAGE_TABLE (_PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED)

#define PTRS_PER_TABLE 512
#define PT_LEVELS 4

/* The entry holds a page (maybe PROT_NONE, which the CPU cannot use). */
static inline bool pte_present(pte_t pte)
{
    return pte & (_PAGE_PRESENT | _PAGE_PROTNONE);
}
static inline unsigned long pte_pfn(pte_t pte)
{
    return (unsigned long)((pte & PTE_PFN_MASK) >> PAGE_SHIFT);
}
static inline pte_t pfn_pte(unsigned long pfn, pte_t flags)
{
    return ((pte_t)pfn << PAGE_SHIFT) | flags;
}

/* The leaf entry rights for a VMA's vm_flags (write is added on demand). */
pte_t vm_pte_flags(unsigned long vm_flags);

/* Allocate the mm's PML4; 0 or -ENOMEM. */
int pgd_alloc(struct mm_struct *mm);
/* Free every table page of the mm; its leaf entries must already be cleared. */
void pgd_free(struct mm_struct *mm);

/* The leaf entry for addr, or NULL when a table on the way is missing. */
pte_t *pte_lookup(struct mm_struct *mm, unsigned long addr);
/* The leaf entry for addr, allocating missing tables; NULL on -ENOMEM. */
pte_t *pte_alloc(struct mm_struct *mm, unsigned long addr);

/*
 * Call fn for every leaf entry slot in [start, end) whose tables exist,
 * skipping absent tables whole. fn may change or clear the entry.
 */
typedef void (*pte_fn)(pte_t *pte, unsigned long addr, void *ctx);
void pgtable_walk_range(struct mm_struct *mm, unsigned long start, unsigned long end, pte_fn fn,
                        void *ctx);

/* Free table pages below the PML4 left with no present entry in [start, end). */
void free_pgtables(struct mm_struct *mm, unsigned long start, unsigned long end);

/* Page-table pages of all mms (each mm's own share is its pgtables_bytes). */
unsigned long nr_pagetable_pages(void);

#endif
