/*
 * x86-64 4-level page tables, in frames from the buddy allocator. Entries
 * have the hardware's format at every level; the emulated CPU's MMU walks
 * them (mm_translate). Levels: 4 = PML4 (pgd), 3 = PDPT, 2 = PD, 1 = PT.
 *
 * A leaf entry (pte_t) is read and changed only through the accessors
 * below, inside mm/ and out: the bits are the hardware's business and this
 * file's. An entry is none (0), present (it holds a page, maybe PROT_NONE),
 * and, when present, accessible to the CPU unless PROT_NONE.
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
/* A software bit (x86's _PAGE_UFFD_WP): userfaultfd write-protected, so read-only. */
#define _PAGE_UFFD_WP (1ULL << 10)
/* A software bit (x86's _PAGE_SOFT_DIRTY): written since the last clear_refs 4. */
#define _PAGE_SOFT_DIRTY (1ULL << 58)
#define _PAGE_NX (1ULL << 63)
#define PTE_PFN_MASK 0x000ffffffffff000ULL
/* What a table entry that points to a lower table carries: all rights. */
#define _PAGE_TABLE (_PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED)

#define PTRS_PER_TABLE 512
#define PT_LEVELS 4

static inline bool pte_none(pte_t pte)
{
    return pte == 0;
}
/* The entry holds a page (maybe PROT_NONE, which the CPU cannot use). */
static inline bool pte_present(pte_t pte)
{
    return pte & (_PAGE_PRESENT | _PAGE_PROTNONE);
}
/* The CPU may use the entry: present and not PROT_NONE. */
static inline bool pte_accessible(pte_t pte)
{
    return pte & _PAGE_PRESENT;
}
static inline bool pte_write(pte_t pte)
{
    return pte & _PAGE_RW;
}
static inline bool pte_exec(pte_t pte)
{
    return !(pte & _PAGE_NX);
}
static inline bool pte_young(pte_t pte)
{
    return pte & _PAGE_ACCESSED;
}
static inline bool pte_dirty(pte_t pte)
{
    return pte & _PAGE_DIRTY;
}
static inline pte_t pte_mkwrite(pte_t pte)
{
    return pte | _PAGE_RW;
}
static inline pte_t pte_wrprotect(pte_t pte)
{
    return pte & ~_PAGE_RW;
}
/* Dirty is soft-dirty too: every write that sets D is one clear_refs 4 wants to see. */
static inline pte_t pte_mkdirty(pte_t pte)
{
    return pte | _PAGE_DIRTY | _PAGE_SOFT_DIRTY;
}
static inline bool pte_soft_dirty(pte_t pte)
{
    return pte & _PAGE_SOFT_DIRTY;
}
static inline pte_t pte_mksoft_dirty(pte_t pte)
{
    return pte | _PAGE_SOFT_DIRTY;
}
static inline pte_t pte_clear_soft_dirty(pte_t pte)
{
    return pte & ~_PAGE_SOFT_DIRTY;
}
static inline pte_t pte_mkclean(pte_t pte)
{
    return pte & ~_PAGE_DIRTY;
}
static inline pte_t pte_mkyoung(pte_t pte)
{
    return pte | _PAGE_ACCESSED;
}
static inline pte_t pte_mkold(pte_t pte)
{
    return pte & ~_PAGE_ACCESSED;
}
/* Clear the entry and return what it held (Linux's ptep_get_and_clear). */
static inline pte_t ptep_get_and_clear(pte_t *ptep)
{
    pte_t old = *ptep;
    *ptep = 0;
    return old;
}
static inline unsigned long pte_pfn(pte_t pte)
{
    return (unsigned long)((pte & PTE_PFN_MASK) >> PAGE_SHIFT);
}
/* The physical address of the entry's page (what the CPU is told). */
static inline uint64_t pte_phys(pte_t pte)
{
    return pte & PTE_PFN_MASK;
}

/*
 * Markers: non-present entries that hold neither a page nor a swap slot
 * (Linux's PTE markers, swap entries of type SWP_PTE_MARKER = 31 whose
 * offset is the marker's bits, encoded as x86-64 encodes a swap entry:
 * the offset inverted from bit 9, the type in bits 59-63). vmemu's one
 * marker is MADV_GUARD_INSTALL's guard (PTE_MARKER_GUARD, bit 2): a touch
 * is SIGSEGV, MADV_DONTNEED and truncation keep it, munmap drops it.
 */
#define PTE_MARKER_GUARD 4ULL
#define SWP_PTE_MARKER 31ULL
#define pte_marker_entry(marker) ((~(pte_t)(marker) << 14 >> 5) | (SWP_PTE_MARKER << 59))
static inline pte_t make_guard_pte(void)
{
    return pte_marker_entry(PTE_MARKER_GUARD);
}
static inline bool pte_is_guard(pte_t pte)
{
    return pte == pte_marker_entry(PTE_MARKER_GUARD);
}

/*
 * Swap entries. The generic form (Linux's swp_entry_t) names a slot: the
 * swap area ("type") above the slot's offset. In a page table it is a
 * not-present leaf entry in x86-64's encoding (Linux's pgtable_64.h): P
 * (bit 0) and the PROT_NONE bit (8) clear, the type in bits 59-63, the
 * offset inverted in bits 9-58 (so the entry's would-be physical address
 * bits are set, as Linux's L1TF mitigation wants). Bits 1-3 carry what a
 * present entry knew: Linux's _PAGE_SWP_SOFT_DIRTY is bit 1 and
 * _PAGE_SWP_UFFD_WP bit 2 (soft-dirty and userfaultfd write-protect kept
 * across a swap-out), _PAGE_SWP_EXCLUSIVE bit 3 (the page was exclusive
 * to this mapping, PG_anon_exclusive).
 */
typedef struct {
    unsigned long val;
} swp_entry_t;

#define MAX_SWAPFILES_SHIFT 5
#define SWP_TYPE_SHIFT (64 - MAX_SWAPFILES_SHIFT)
#define SWP_OFFSET_MASK ((1UL << SWP_TYPE_SHIFT) - 1)
#define SWP_TYPE_BITS 5
#define SWP_OFFSET_FIRST_BIT 9 /* above _PAGE_PROTNONE */
#define SWP_OFFSET_SHIFT (SWP_OFFSET_FIRST_BIT + SWP_TYPE_BITS)
#define _PAGE_SWP_SOFT_DIRTY (1ULL << 1)
#define _PAGE_SWP_UFFD_WP (1ULL << 2)
#define _PAGE_SWP_EXCLUSIVE (1ULL << 3)

static inline swp_entry_t swp_entry(unsigned int type, unsigned long offset)
{
    return (swp_entry_t){((unsigned long)type << SWP_TYPE_SHIFT) | (offset & SWP_OFFSET_MASK)};
}
static inline unsigned int swp_type(swp_entry_t e)
{
    return (unsigned int)(e.val >> SWP_TYPE_SHIFT);
}
static inline unsigned long swp_offset(swp_entry_t e)
{
    return e.val & SWP_OFFSET_MASK;
}
/* Neither none nor present nor a marker: the entry holds a swap slot. */
static inline bool is_swap_pte(pte_t pte)
{
    return !pte_none(pte) && !pte_present(pte) && (pte >> 59) != SWP_PTE_MARKER;
}
static inline pte_t swp_entry_to_pte(swp_entry_t e)
{
    pte_t off = (pte_t)swp_offset(e);
    return (~off << SWP_OFFSET_SHIFT >> SWP_TYPE_BITS) |
           ((pte_t)swp_type(e) << (64 - SWP_TYPE_BITS));
}
static inline swp_entry_t pte_to_swp_entry(pte_t pte)
{
    return swp_entry((unsigned int)(pte >> (64 - SWP_TYPE_BITS)),
                     (unsigned long)(~pte << SWP_TYPE_BITS >> SWP_OFFSET_SHIFT));
}
static inline bool pte_swp_exclusive(pte_t pte)
{
    return pte & _PAGE_SWP_EXCLUSIVE;
}
static inline pte_t pte_swp_mkexclusive(pte_t pte)
{
    return pte | _PAGE_SWP_EXCLUSIVE;
}
static inline pte_t pte_swp_clear_exclusive(pte_t pte)
{
    return pte & ~_PAGE_SWP_EXCLUSIVE;
}
/* Soft-dirty kept across a swap-out, so pagemap and clear_refs 4 see it. */
static inline bool pte_swp_soft_dirty(pte_t pte)
{
    return pte & _PAGE_SWP_SOFT_DIRTY;
}
static inline pte_t pte_swp_mksoft_dirty(pte_t pte)
{
    return pte | _PAGE_SWP_SOFT_DIRTY;
}
static inline pte_t pte_swp_clear_soft_dirty(pte_t pte)
{
    return pte & ~_PAGE_SWP_SOFT_DIRTY;
}

/* userfaultfd write protection, on a present entry and (bit 2) across a swap-out. */
static inline bool pte_uffd_wp(pte_t pte)
{
    return pte_present(pte) && (pte & _PAGE_UFFD_WP);
}
static inline pte_t pte_mkuffd_wp(pte_t pte)
{
    return (pte | _PAGE_UFFD_WP) & ~_PAGE_RW;
}
static inline pte_t pte_clear_uffd_wp(pte_t pte)
{
    return pte & ~_PAGE_UFFD_WP;
}
static inline bool pte_swp_uffd_wp(pte_t pte)
{
    return pte & _PAGE_SWP_UFFD_WP;
}

/* Protection bits for a leaf entry (Linux's pgprot_t). */
typedef pte_t pgprot_t;

static inline pte_t pfn_pte(unsigned long pfn, pgprot_t prot)
{
    return ((pte_t)pfn << PAGE_SHIFT) | prot;
}
/*
 * The entry with new protections, keeping its page and its accessed,
 * dirty, soft-dirty and uffd-wp bits; write is kept only where the entry had it (a copy-on-write
 * entry stays read-only). Linux's pte_modify, with that rule added.
 */
static inline pte_t pte_modify(pte_t pte, pgprot_t newprot)
{
    pte_t v =
        (pte & (PTE_PFN_MASK | _PAGE_ACCESSED | _PAGE_DIRTY | _PAGE_SOFT_DIRTY | _PAGE_UFFD_WP)) |
        newprot;
    return (pte & _PAGE_RW) ? v : (v & ~_PAGE_RW);
}
/* Did going from old to new take a right away (present, write or execute)? */
static inline bool pte_downgraded(pte_t old, pte_t new)
{
    return (old & ~new &(_PAGE_PRESENT | _PAGE_RW)) || (new & ~old &_PAGE_NX);
}

/*
 * The leaf protections for a VMA's vm_flags (Linux's vm_get_page_prot):
 * present (PROT_NONE when no access), user, accessed, NX unless
 * executable; write is added on demand, when a write fault allows it.
 */
pgprot_t vm_get_page_prot(unsigned long vm_flags);
/* The same with write, for an entry that may be written at once. */
static inline pgprot_t pgprot_mkwrite(pgprot_t prot)
{
    return prot | _PAGE_RW;
}

/* The shared zero page: set up by mm_init(); never written, never freed. */
extern unsigned long zero_pfn;
static inline bool is_zero_pfn(unsigned long pfn)
{
    return pfn == zero_pfn;
}
/*
 * The page a present entry of vma maps, or NULL for the zero page and the
 * raw frames of a VM_PFNMAP mapping, which belong to nobody (Linux's
 * vm_normal_page).
 */
struct page *vm_normal_page(struct vm_area_struct *vma, unsigned long addr, pte_t pte);

/* Allocate the mm's PML4; 0 or -ENOMEM. */
int pgd_alloc(struct mm_struct *mm);
/* Free every table page of the mm; its leaf entries must already be cleared. */
void pgd_free(struct mm_struct *mm);

/* The leaf entry for addr, or NULL when a table on the way is missing. */
pte_t *pte_offset(struct mm_struct *mm, unsigned long addr);
/* The leaf entry for addr, allocating missing tables; NULL when out of memory. */
pte_t *pte_alloc_map(struct mm_struct *mm, unsigned long addr);

/*
 * Call fn for every leaf entry slot in [start, end) whose tables exist,
 * skipping absent tables whole (Linux's walk_page_range, for ptes only).
 * fn may change or clear the entry.
 */
typedef void (*pte_fn)(pte_t *pte, unsigned long addr, void *ctx);
void walk_page_range(struct mm_struct *mm, unsigned long start, unsigned long end, pte_fn fn,
                     void *ctx);

/* Free table pages below the PML4 left with no present entry in [start, end). */
void free_pgtables(struct mm_struct *mm, unsigned long start, unsigned long end);

/* Page-table pages of all mms (each mm's own share is its pgtables_bytes). */
unsigned long nr_pagetable_pages(void);

#endif
