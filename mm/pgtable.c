/*
 * Page-table pages: allocation, lookup, range walks, freeing empty tables.
 * What the entries mean for pages (refcounts, rss) is memory.c's business.
 * Invariant: a table page is PG_pgtable and counted in its mm's
 * pgtables_bytes and in PageTables from allocation to free.
 */
#include <errno.h>
#include <string.h>

#include "pgtable.h"

#include "mmzone.h"

/* Table pages of every mm together: PageTables in /proc/meminfo. */
static unsigned long pagetable_pages;

unsigned long nr_pagetable_pages(void)
{
    return pagetable_pages;
}

/* Bits of the virtual address that select the entry at a level (1..4). */
static unsigned int pt_index(unsigned long addr, int level)
{
    return (unsigned int)(addr >> (PAGE_SHIFT + 9 * (level - 1))) & (PTRS_PER_TABLE - 1);
}

/* Bytes one entry at a level covers. */
static unsigned long pt_span(int level)
{
    return 1UL << (PAGE_SHIFT + 9 * (level - 1));
}

static pte_t *table_of(unsigned long pfn)
{
    return (pte_t *)page_address(pfn_to_page(pfn));
}

static struct page *pt_page_alloc(struct mm_struct *mm)
{
    struct page *p = alloc_page(GFP_KERNEL | __GFP_ZERO);
    if (!p)
        return NULL;
    SetPageFlag(p, PG_pgtable);
    mm->pgtables_bytes += PAGE_SIZE;
    pagetable_pages++;
    return p;
}

static void pt_page_free(struct mm_struct *mm, unsigned long pfn)
{
    struct page *p = pfn_to_page(pfn);
    ClearPageFlag(p, PG_pgtable);
    mm->pgtables_bytes -= PAGE_SIZE;
    pagetable_pages--;
    __free_page(p);
}

/*
 * x86's page protections all carry the accessed bit, so every entry the
 * kernel installs (fault-around's too) starts out young.
 */
pgprot_t vm_get_page_prot(unsigned long vm_flags)
{
    if (!(vm_flags & VM_ACCESS_FLAGS))
        return _PAGE_PROTNONE | _PAGE_USER | _PAGE_ACCESSED | _PAGE_NX;
    pgprot_t f = _PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED;
    if (!(vm_flags & VM_EXEC))
        f |= _PAGE_NX;
    return f;
}

int pgd_alloc(struct mm_struct *mm)
{
    struct page *p = pt_page_alloc(mm);
    if (!p)
        return -ENOMEM;
    mm->pgd = page_to_pfn(p);
    return 0;
}

/* Down the tables to addr's leaf entry, allocating missing tables when asked. */
static pte_t *walk_to_pte(struct mm_struct *mm, unsigned long addr, bool alloc)
{
    unsigned long pfn = mm->pgd;
    for (int level = PT_LEVELS; level > 1; level--) {
        pte_t *e = &table_of(pfn)[pt_index(addr, level)];
        if (!(*e & _PAGE_PRESENT)) {
            struct page *p = alloc ? pt_page_alloc(mm) : NULL;
            if (!p)
                return NULL;
            *e = pfn_pte(page_to_pfn(p), _PAGE_TABLE);
        }
        pfn = pte_pfn(*e);
    }
    return &table_of(pfn)[pt_index(addr, 1)];
}

pte_t *pte_offset(struct mm_struct *mm, unsigned long addr)
{
    return walk_to_pte(mm, addr, false);
}

pte_t *pte_alloc_map(struct mm_struct *mm, unsigned long addr)
{
    return walk_to_pte(mm, addr, true);
}

struct page *vm_normal_page(struct vm_area_struct *vma, unsigned long addr, pte_t pte)
{
    (void)addr;
    unsigned long pfn = pte_pfn(pte);
    if (is_zero_pfn(pfn))
        return NULL;
    struct page *page = pfn_to_page(pfn);
    /* A raw frame of a pfn mapping ([vvar]) is nobody's page; a copy written into it is. */
    if (vma && (vma->vm_flags & VM_PFNMAP) && !PageFlag(page, PG_anon))
        return NULL;
    return page;
}

/* The part of [start, end) inside the entry of table_base's index i. */
static void clamp_entry(unsigned long base, int level, unsigned int i, unsigned long start,
                        unsigned long end, unsigned long *s, unsigned long *e)
{
    unsigned long lo = base + i * pt_span(level);
    unsigned long hi = lo + pt_span(level);
    *s = start > lo ? start : lo;
    *e = (hi == 0 || end < hi) ? end : hi; /* hi wraps only at the top level */
}

static void walk_level(unsigned long pfn, int level, unsigned long base, unsigned long start,
                       unsigned long end, pte_fn fn, void *ctx)
{
    pte_t *t = table_of(pfn);
    unsigned int first = pt_index(start, level), last = pt_index(end - 1, level);
    for (unsigned int i = first; i <= last; i++) {
        unsigned long s, e;
        clamp_entry(base, level, i, start, end, &s, &e);
        if (level == 1)
            fn(&t[i], s, ctx);
        else if (t[i] & _PAGE_PRESENT)
            walk_level(pte_pfn(t[i]), level - 1, base + i * pt_span(level), s, e, fn, ctx);
    }
}

void walk_page_range(struct mm_struct *mm, unsigned long start, unsigned long end, pte_fn fn,
                     void *ctx)
{
    if (start < end)
        walk_level(mm->pgd, PT_LEVELS, 0, start, end, fn, ctx);
}

/* No entry in use: markers (and swap entries) count as in use, as pages do. */
static bool table_empty(const pte_t *t)
{
    for (int i = 0; i < PTRS_PER_TABLE; i++)
        if (!pte_none(t[i]))
            return false;
    return true;
}

/* Free lower tables of [start, end) that hold nothing; true if this one is empty too. */
static bool free_level(struct mm_struct *mm, unsigned long pfn, int level, unsigned long base,
                       unsigned long start, unsigned long end)
{
    pte_t *t = table_of(pfn);
    if (level > 1) {
        unsigned int first = pt_index(start, level), last = pt_index(end - 1, level);
        for (unsigned int i = first; i <= last; i++) {
            unsigned long s, e;
            if (!(t[i] & _PAGE_PRESENT))
                continue;
            clamp_entry(base, level, i, start, end, &s, &e);
            if (free_level(mm, pte_pfn(t[i]), level - 1, base + i * pt_span(level), s, e)) {
                pt_page_free(mm, pte_pfn(t[i]));
                t[i] = 0;
            }
        }
    }
    return table_empty(t);
}

void free_pgtables(struct mm_struct *mm, unsigned long start, unsigned long end)
{
    if (start < end)
        free_level(mm, mm->pgd, PT_LEVELS, 0, start, end);
}

void pgd_free(struct mm_struct *mm)
{
    if (!mm->pgd)
        return;
    free_pgtables(mm, 0, TASK_SIZE);
    pt_page_free(mm, mm->pgd);
    mm->pgd = 0;
}
