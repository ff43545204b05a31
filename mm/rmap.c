/*
 * Reverse mapping for file pages: which entries map a page-cache page.
 * Linux keeps an interval tree of VMAs per address_space; vmemu keeps the
 * list of mms that map any file page (there is one per run, a few in
 * tests) and walks their file VMAs, which is short. An mm joins when it
 * maps its first file page and leaves when it unmaps its last one, so a
 * freed mm is never on the list. The walk counts the entries it finds
 * against the page's mapcount: if it misses any, the caller knows.
 */
#include "arch.h"
#include "memory.h"
#include "mmap.h"
#include "pagecache.h"
#include "pgtable.h"

#define RMAP_MAX_MMS 64

static struct mm_struct *rmap_mms[RMAP_MAX_MMS];
static unsigned int rmap_nr_mms;

void rmap_mm_add(struct mm_struct *mm)
{
    for (unsigned int i = 0; i < rmap_nr_mms; i++)
        if (rmap_mms[i] == mm)
            return;
    /* Full: that mm's pages show mapcounts the walk cannot match, which is safe. */
    if (rmap_nr_mms < RMAP_MAX_MMS)
        rmap_mms[rmap_nr_mms++] = mm;
}

void rmap_mm_del(struct mm_struct *mm)
{
    for (unsigned int i = 0; i < rmap_nr_mms; i++) {
        if (rmap_mms[i] == mm) {
            rmap_mms[i] = rmap_mms[--rmap_nr_mms];
            return;
        }
    }
}

void rmap_reset(void)
{
    rmap_nr_mms = 0;
}

/* Does vma map page index of as? Then *addr is where. */
static bool vma_maps_index(const struct vm_area_struct *vma, const struct address_space *as,
                           pgoff_t index, unsigned long *addr)
{
    if (!vma->vm_file || vma->vm_file->f_mapping != as)
        return false;
    if (index < vma->vm_pgoff || index - vma->vm_pgoff >= vma_pages(vma))
        return false;
    *addr = vma->vm_start + ((index - vma->vm_pgoff) << PAGE_SHIFT);
    return true;
}

/* Clean the entries of one mm mapping page; returns how many map it. */
static int mkclean_in_mm(struct mm_struct *mm, struct page *page)
{
    unsigned long pfn = page_to_pfn(page), addr;
    int found = 0;
    bool flush = false;
    for (struct vm_area_struct *vma = find_vma(mm, 0); vma; vma = vma_next(mm, vma)) {
        if (!vma_maps_index(vma, page->mapping, page->index, &addr))
            continue;
        pte_t *pte = pte_lookup(mm, addr);
        if (!pte || !pte_present(*pte) || pte_pfn(*pte) != pfn)
            continue;
        found++;
        if (!(vma->vm_flags & VM_SHARED) || !(*pte & (_PAGE_RW | _PAGE_DIRTY)))
            continue;
        if (*pte & _PAGE_DIRTY)
            set_page_dirty(page);
        *pte &= ~(pte_t)(_PAGE_RW | _PAGE_DIRTY);
        flush = true;
    }
    /* The CPU may hold the write right in its TLB: take it away now. */
    if (flush)
        arch_flush_tlb_mm(mm);
    return found;
}

bool page_mkclean(struct page *page)
{
    if (!page->mapping)
        return page->mapcount == 0;
    int found = 0;
    for (unsigned int i = 0; i < rmap_nr_mms; i++)
        found += mkclean_in_mm(rmap_mms[i], page);
    return found >= page->mapcount;
}

/* Zap the part of vma that maps pages [start, end) of the file. */
static bool unmap_in_vma(struct vm_area_struct *vma, pgoff_t start, pgoff_t end)
{
    pgoff_t first = vma->vm_pgoff, last = vma->vm_pgoff + vma_pages(vma);
    if (start > first)
        first = start;
    if (end < last)
        last = end;
    if (first >= last)
        return false;
    unsigned long from = vma->vm_start + ((first - vma->vm_pgoff) << PAGE_SHIFT);
    unsigned long to = vma->vm_start + ((last - vma->vm_pgoff) << PAGE_SHIFT);
    return zap_page_range(vma, from, to);
}

void unmap_mapping_range(struct address_space *as, pgoff_t start, pgoff_t end)
{
    /* Zapping the last file page takes an mm off the list: walk a copy. */
    struct mm_struct *mms[RMAP_MAX_MMS];
    unsigned int n = rmap_nr_mms;
    for (unsigned int i = 0; i < n; i++)
        mms[i] = rmap_mms[i];
    for (unsigned int i = 0; i < n; i++) {
        bool any = false;
        for (struct vm_area_struct *v = find_vma(mms[i], 0); v; v = vma_next(mms[i], v))
            if (v->vm_file && v->vm_file->f_mapping == as)
                any |= unmap_in_vma(v, start, end);
        if (any)
            arch_flush_tlb_mm(mms[i]);
    }
}
