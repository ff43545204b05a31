/*
 * /proc/PID/pagemap and /proc/PID/clear_refs, the page-table side (Linux's
 * fs/proc/task_mmu.c keeps both there too).
 *
 * Soft-dirty (CONFIG_MEM_SOFT_DIRTY) follows Linux: every VMA is born
 * VM_SOFTDIRTY (mmap, brk, special mappings), and every entry that becomes
 * dirty becomes soft-dirty (pte_mkdirty). clear_refs 4 clears both and
 * write-protects each present entry; the next write faults (do_wp_page,
 * counted as Linux counts it) and the walker sets dirty, and with it
 * soft-dirty, again. mprotect may not make such an entry writable early
 * (can_change_pte_writable). The TLB is flushed after that clear, so the
 * CPU's cached write rights go; clearing accessed bits flushes nothing, as
 * on x86 (an access sets the bit again once the TLB forgets the entry).
 */
#include "task_mmu.h"

#include "arch.h"
#include "internal.h"
#include "mmap.h"
#include "pgtable.h"

/* pagemap's frame for a swap entry: its type, and its offset above MAX_SWAPFILES_SHIFT. */
#define PM_SWAP_OFFSET_SHIFT 5

static uint64_t marker_entry(pte_t pte, bool show_pfn)
{
    uint64_t e = PM_SWAP;
    if (pte_is_guard(pte))
        e |= PM_GUARD_REGION;
    if (show_pfn)
        e |= SWP_PTE_MARKER | (PTE_MARKER_GUARD << PM_SWAP_OFFSET_SHIFT);
    return e;
}

/* Linux's pte_to_pagemap_entry, for a page inside vma. */
static uint64_t pte_entry(struct vm_area_struct *vma, unsigned long addr, bool show_pfn)
{
    pte_t *ptep = pte_offset(vma->vm_mm, addr);
    pte_t pte = ptep ? *ptep : 0;
    uint64_t e = 0;
    if (pte_present(pte)) {
        e = PM_PRESENT | (show_pfn ? pte_pfn(pte) : 0);
        if (pte_soft_dirty(pte))
            e |= PM_SOFT_DIRTY;
        struct page *page = vm_normal_page(vma, addr, pte);
        if (page && !PageFlag(page, PG_anon))
            e |= PM_FILE;
        if (page && page->mapcount == 1)
            e |= PM_MMAP_EXCLUSIVE;
    } else if (is_swap_pte(pte)) {
        swp_entry_t entry = pte_to_swp_entry(pte);
        e = PM_SWAP;
        if (show_pfn)
            e |= swp_type(entry) | ((uint64_t)swp_offset(entry) << PM_SWAP_OFFSET_SHIFT);
        if (pte_swp_soft_dirty(pte))
            e |= PM_SOFT_DIRTY;
    } else if (!pte_none(pte)) {
        e = marker_entry(pte, show_pfn);
    }
    if (vma->vm_flags & VM_SOFTDIRTY)
        e |= PM_SOFT_DIRTY; /* a mapping new since the last clear: all of it */
    return e;
}

size_t pagemap_entries(struct mm_struct *mm, uint64_t vpn, uint64_t *out, size_t n, bool show_pfn)
{
    const uint64_t last = TASK_SIZE >> PAGE_SHIFT; /* pages below TASK_SIZE */
    if (vpn >= last)
        return 0;
    if (n > last - vpn)
        n = (size_t)(last - vpn);
    struct vm_area_struct *vma = find_vma(mm, (unsigned long)(vpn << PAGE_SHIFT));
    for (size_t i = 0; i < n; i++) {
        unsigned long addr = (unsigned long)((vpn + i) << PAGE_SHIFT);
        while (vma && vma->vm_end <= addr)
            vma = vma_next(mm, vma);
        out[i] = vma && vma->vm_start <= addr ? pte_entry(vma, addr, show_pfn) : 0;
    }
    return n;
}

struct clear_ctx {
    struct vm_area_struct *vma;
    enum clear_refs_type type;
};

static void clear_one(pte_t *pte, unsigned long addr, void *arg)
{
    struct clear_ctx *c = arg;
    if (c->type == CLEAR_REFS_SOFT_DIRTY && is_swap_pte(*pte))
        *pte = pte_swp_clear_soft_dirty(*pte);
    if (!pte_present(*pte))
        return;
    if (c->type == CLEAR_REFS_SOFT_DIRTY) {
        *pte = pte_clear_soft_dirty(pte_wrprotect(*pte));
        return;
    }
    *pte = pte_mkold(*pte);
    struct page *page = vm_normal_page(c->vma, addr, *pte);
    if (page)
        ClearPageFlag(page, PG_referenced);
}

void clear_refs(struct mm_struct *mm, enum clear_refs_type type)
{
    if (type == CLEAR_REFS_MM_HIWATER_RSS) {
        mm->hiwater_rss = get_mm_rss(mm);
        return;
    }
    for (struct vm_area_struct *vma = find_vma(mm, 0); vma; vma = vma_next(mm, vma)) {
        if ((type == CLEAR_REFS_ANON && vma->vm_file) ||
            (type == CLEAR_REFS_MAPPED && !vma->vm_file))
            continue;
        if (type == CLEAR_REFS_SOFT_DIRTY)
            vma->vm_flags &= ~VM_SOFTDIRTY;
        struct clear_ctx c = {vma, type};
        walk_page_range(mm, vma->vm_start, vma->vm_end, clear_one, &c);
    }
    /* Accessed bits go without a flush, as x86's ptep_test_and_clear_young. */
    if (type == CLEAR_REFS_SOFT_DIRTY)
        arch_flush_tlb_mm(mm);
}
