/*
 * validate_mm: every invariant an mm must keep between two calls, checked
 * the slow way (Linux's validate_mm, with more of it). Tests call it after
 * each step, out-of-memory sweeps after each injected failure.
 */
#include "internal.h"
#include "mmap.h"
#include "rmap.h"
#include "vma_tree.h"

struct rss_count {
    struct vm_area_struct *vma;
    unsigned long rss[NR_MM_COUNTERS];
    int err;
};

static bool in_chain(const struct vm_area_struct *vma, const struct anon_vma *av)
{
    const struct anon_vma_chain *avc;
    list_for_each_entry(avc, &vma->anon_vma_chain, same_vma)
    {
        if (avc->anon_vma == av)
            return true;
    }
    return false;
}

/* One entry of a VMA: count its page and check it is reachable by rmap. */
static void count_entry(pte_t *pte, unsigned long addr, void *arg)
{
    struct rss_count *c = arg;
    if (is_swap_pte(*pte)) {
        c->rss[MM_SWAPENTS]++;
        if (!swap_entry_valid(pte_to_swp_entry(*pte)))
            c->err = MM_BAD_SWAP_ENTRY;
        return;
    }
    if (!pte_present(*pte))
        return;
    struct page *page = vm_normal_page(c->vma, addr, *pte);
    if (!page)
        return;
    if (page->mapcount <= 0 || page->refcount < page->mapcount)
        c->err = MM_BAD_PAGE_COUNT;
    if (PageFlag(page, PG_anon)) {
        c->rss[MM_ANONPAGES]++;
        if (!in_chain(c->vma, page->anon_vma) || vma_address(page, c->vma) != addr)
            c->err = MM_BAD_ANON_RMAP;
        if (pte_write(*pte) && !PageFlag(page, PG_anon_exclusive))
            c->err = MM_BAD_SHARED_WRITABLE;
    } else {
        c->rss[mm_counter_file(page)]++;
        if (page->mapping != c->vma->vm_file->f_mapping)
            c->err = MM_BAD_FILE_RMAP;
    }
}

static int check_vma(struct mm_struct *mm, struct vm_area_struct *vma, struct rss_count *c)
{
    if (vma->vm_mm != mm)
        return MM_BAD_VMA_MM;
    if ((vma->anon_vma && !in_chain(vma, vma->anon_vma)) ||
        (!vma->anon_vma && !list_empty(&vma->anon_vma_chain)))
        return MM_BAD_ANON_VMA;
    if (vma->vm_file && vma->vm_file->f_mapping && list_empty(&vma->shared))
        return MM_BAD_I_MMAP;
    c->vma = vma;
    walk_page_range(mm, vma->vm_start, vma->vm_end, count_entry, c);
    return c->err;
}

struct stray_ctx {
    struct mm_struct *mm;
    bool found;
};

/* An entry where no VMA is. */
static void stray_entry(pte_t *pte, unsigned long addr, void *arg)
{
    struct stray_ctx *s = arg;
    if (pte_none(*pte) || s->found)
        return;
    struct vm_area_struct *vma = find_vma(s->mm, addr);
    s->found = !vma || vma->vm_start > addr;
}

int validate_mm(struct mm_struct *mm)
{
    if (mm->vma_ops->validate(mm->vma_tree))
        return MM_BAD_TREE;
    if (mm->vma_prealloc_depth)
        return MM_BAD_PREALLOC;
    struct rss_count c = {0};
    unsigned long count = 0, total = 0, locked = 0;
    for (struct vm_area_struct *vma = find_vma(mm, 0); vma; vma = vma_next(mm, vma)) {
        int err = check_vma(mm, vma, &c);
        if (err)
            return err;
        count++;
        total += vma_pages(vma);
        if (vma->vm_flags & VM_LOCKED)
            locked += vma_pages(vma);
    }
    if (count != mm->map_count)
        return MM_BAD_MAP_COUNT;
    if (total != mm->total_vm || locked != mm->locked_vm)
        return MM_BAD_VM_COUNTERS;
    for (int i = 0; i < NR_MM_COUNTERS; i++)
        if (c.rss[i] != mm->rss[i])
            return MM_BAD_RSS;
    struct stray_ctx stray = {mm, false};
    walk_page_range(mm, 0, TASK_SIZE, stray_entry, &stray);
    return stray.found ? MM_BAD_STRAY_ENTRY : 0;
}
