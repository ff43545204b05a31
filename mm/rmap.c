/*
 * Reverse mapping (see rmap.h): from a page to the entries that map it.
 * File pages through the file's i_mmap list of VMAs, anonymous pages
 * through anon_vma families and their anon_vma_chain links, in Linux's
 * shape (lists where Linux keeps interval trees: a walk visits every VMA
 * of the family and skips those that do not span the page).
 */
#include <errno.h>

#include "arch.h"
#include "internal.h"
#include "mmap.h"
#include "rmap.h"
#include "slab.h"
#include "vmstat.h"
#include "writeback.h"

/* ---- the file side: i_mmap ---- */

void vma_link_file(struct vm_area_struct *vma)
{
    if (vma->vm_file && vma->vm_file->f_mapping)
        list_add_tail(&vma->shared, &vma->vm_file->f_mapping->i_mmap);
}

void vma_unlink_file(struct vm_area_struct *vma)
{
    list_del(&vma->shared); /* a VMA never linked is its own empty list: no harm */
}

unsigned long vma_address(const struct page *page, const struct vm_area_struct *vma)
{
    if (page->index < vma->vm_pgoff || page->index - vma->vm_pgoff >= vma_pages(vma))
        return (unsigned long)-EFAULT;
    return vma->vm_start + ((page->index - vma->vm_pgoff) << PAGE_SHIFT);
}

/* The present entry of vma mapping page, if there is one; rmap_one on it. */
static bool rmap_visit(struct page *page, struct vm_area_struct *vma, struct rmap_walk_control *rwc)
{
    unsigned long addr = vma_address(page, vma);
    if (IS_ERR_VALUE(addr))
        return true;
    pte_t *pte = pte_offset(vma->vm_mm, addr);
    if (!pte || !pte_present(*pte) || pte_pfn(*pte) != page_to_pfn(page))
        return true;
    return rwc->rmap_one(page, vma, addr, pte, rwc->arg);
}

void rmap_walk_file(struct page *page, struct rmap_walk_control *rwc)
{
    struct address_space *as = page->mapping;
    if (!as || PageFlag(page, PG_anon))
        return;
    struct vm_area_struct *vma;
    list_for_each_entry(vma, &as->i_mmap, shared)
    {
        if (!rmap_visit(page, vma, rwc))
            return;
    }
}

void rmap_walk_anon(struct page *page, struct rmap_walk_control *rwc)
{
    /* Only a mapped page's family is sure to be alive: its mappings link to it. */
    if (!PageFlag(page, PG_anon) || !page->anon_vma || page->mapcount <= 0)
        return;
    struct anon_vma_chain *avc;
    list_for_each_entry(avc, &page->anon_vma->head, same_anon_vma)
    {
        if (!rmap_visit(page, avc->vma, rwc))
            return;
    }
}

void rmap_walk(struct page *page, struct rmap_walk_control *rwc)
{
    if (PageFlag(page, PG_anon))
        rmap_walk_anon(page, rwc);
    else
        rmap_walk_file(page, rwc);
}

struct mkclean_ctx {
    int found;
};

/* One entry of a page being cleaned: shared writable ones lose their dirty bit and write right. */
static bool mkclean_one(struct page *page, struct vm_area_struct *vma, unsigned long addr,
                        pte_t *pte, void *arg)
{
    struct mkclean_ctx *c = arg;
    c->found++;
    if (!(vma->vm_flags & VM_SHARED) || !(pte_write(*pte) || pte_dirty(*pte)))
        return true;
    if (pte_dirty(*pte))
        set_page_dirty(page);
    *pte = pte_mkclean(pte_wrprotect(*pte));
    /* The CPU may hold the write right in its TLB: take it away now. */
    if (arch_tlb_may_hold(vma->vm_mm, addr))
        arch_flush_tlb_mm(vma->vm_mm);
    return true;
}

bool page_mkclean(struct page *page)
{
    if (!page->mapping)
        return page->mapcount == 0;
    struct mkclean_ctx c = {0};
    struct rmap_walk_control rwc = {.arg = &c, .rmap_one = mkclean_one};
    rmap_walk_file(page, &rwc);
    return c.found >= page->mapcount;
}

/* Zap the part of vma that maps pages [start, end) of the file (keep_cows: its own pages only). */
static bool unmap_in_vma(struct vm_area_struct *vma, pgoff_t start, pgoff_t end, bool keep_cows)
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
    return keep_cows ? zap_file_pages(vma, from, to) : zap_page_range_keep_markers(vma, from, to);
}

static void unmap_mapping(struct address_space *as, pgoff_t start, pgoff_t end, bool keep_cows)
{
    struct vm_area_struct *vma;
    list_for_each_entry(vma, &as->i_mmap, shared)
    {
        if (unmap_in_vma(vma, start, end, keep_cows))
            arch_flush_tlb_mm(vma->vm_mm);
    }
}

void unmap_mapping_range(struct address_space *as, pgoff_t start, pgoff_t end)
{
    unmap_mapping(as, start, end, false);
}

void unmap_mapping_pages(struct address_space *as, pgoff_t start, pgoff_t end)
{
    unmap_mapping(as, start, end, true);
}

/* ---- the anonymous side: anon_vma families ---- */

static struct anon_vma *anon_vma_alloc(void)
{
    struct anon_vma *av = kmem_cache_alloc(anon_vma_cachep, GFP_KERNEL);
    if (av) {
        INIT_LIST_HEAD(&av->head);
        av->root = av;
    }
    return av;
}

static void anon_vma_chain_link(struct vm_area_struct *vma, struct anon_vma_chain *avc,
                                struct anon_vma *av)
{
    avc->vma = vma;
    avc->anon_vma = av;
    list_add_tail(&avc->same_vma, &vma->anon_vma_chain);
    list_add_tail(&avc->same_anon_vma, &av->head);
}

/*
 * Linux's anon_vma_compatible: could b follow a in one VMA but for their
 * access rights? Then they may share a family, and merge once the rights
 * agree.
 */
static bool anon_vma_compatible(const struct vm_area_struct *a, const struct vm_area_struct *b)
{
    return a->vm_end == b->vm_start && a->vm_file == b->vm_file &&
           !((a->vm_flags ^ b->vm_flags) & ~VM_ACCESS_FLAGS) &&
           b->vm_pgoff == a->vm_pgoff + vma_pages(a);
}

/* A neighbour's family vma may join: one that never went through a fork (reusable_anon_vma). */
static struct anon_vma *find_mergeable_anon_vma(struct vm_area_struct *vma)
{
    struct mm_struct *mm = vma->vm_mm;
    struct vm_area_struct *next = vma_next(mm, vma), *prev = vma_prev(mm, vma);
    if (next && next->anon_vma && anon_vma_compatible(vma, next) &&
        list_is_singular(&next->anon_vma_chain))
        return next->anon_vma;
    if (prev && prev->anon_vma && anon_vma_compatible(prev, vma) &&
        list_is_singular(&prev->anon_vma_chain))
        return prev->anon_vma;
    return NULL;
}

int anon_vma_prepare(struct vm_area_struct *vma)
{
    if (vma->anon_vma)
        return 0;
    struct anon_vma_chain *avc = kmem_cache_alloc(anon_vma_chain_cachep, GFP_KERNEL);
    if (!avc)
        return -ENOMEM;
    struct anon_vma *av = find_mergeable_anon_vma(vma);
    if (!av && !(av = anon_vma_alloc())) {
        kmem_cache_free(anon_vma_chain_cachep, avc);
        return -ENOMEM;
    }
    anon_vma_chain_link(vma, avc, av);
    vma->anon_vma = av;
    return 0;
}

/* dst joins every family src is in: all links allocated first, so failure changes nothing. */
static int clone_chain(struct vm_area_struct *dst, struct vm_area_struct *src)
{
    struct list_head fresh = LIST_HEAD_INIT(fresh);
    struct anon_vma_chain *avc, *n;
    list_for_each_entry(avc, &src->anon_vma_chain, same_vma)
    {
        struct anon_vma_chain *c = kmem_cache_alloc(anon_vma_chain_cachep, GFP_KERNEL);
        if (!c) {
            list_for_each_entry_safe(avc, n, &fresh, same_vma)
            {
                kmem_cache_free(anon_vma_chain_cachep, avc);
            }
            return -ENOMEM;
        }
        c->anon_vma = avc->anon_vma;
        list_add_tail(&c->same_vma, &fresh);
    }
    list_for_each_entry_safe(avc, n, &fresh, same_vma)
    {
        list_del(&avc->same_vma);
        anon_vma_chain_link(dst, avc, avc->anon_vma);
    }
    return 0;
}

int anon_vma_clone(struct vm_area_struct *dst, struct vm_area_struct *src)
{
    int err = clone_chain(dst, src);
    if (!err && !dst->anon_vma)
        dst->anon_vma = src->anon_vma;
    return err;
}

int anon_vma_fork(struct vm_area_struct *vma, struct vm_area_struct *pvma)
{
    if (!pvma->anon_vma)
        return 0;
    struct anon_vma_chain *avc = kmem_cache_alloc(anon_vma_chain_cachep, GFP_KERNEL);
    struct anon_vma *av = avc ? anon_vma_alloc() : NULL;
    int err = av ? clone_chain(vma, pvma) : -ENOMEM;
    if (err) {
        if (av)
            kmem_cache_free(anon_vma_cachep, av);
        if (avc)
            kmem_cache_free(anon_vma_chain_cachep, avc);
        return err;
    }
    /* The child's own family: pages it copies from now on are found only where it is. */
    av->root = pvma->anon_vma->root;
    anon_vma_chain_link(vma, avc, av);
    vma->anon_vma = av;
    return 0;
}

void unlink_anon_vmas(struct vm_area_struct *vma)
{
    struct anon_vma_chain *avc, *n;
    list_for_each_entry_safe(avc, n, &vma->anon_vma_chain, same_vma)
    {
        struct anon_vma *av = avc->anon_vma;
        list_del(&avc->same_anon_vma);
        if (list_empty(&av->head))
            kmem_cache_free(anon_vma_cachep, av);
        list_del(&avc->same_vma);
        kmem_cache_free(anon_vma_chain_cachep, avc);
    }
    vma->anon_vma = NULL;
}

void page_add_new_anon_rmap(struct page *page, struct vm_area_struct *vma, unsigned long addr)
{
    SetPageFlag(page, PG_anon);
    /*
     * MAP_DROPPABLE memory is never swapped: not swap-backed, it sits on
     * the file LRU as lazily freed pages do, and reclaim drops it even
     * written (unmap_anon_one), as Linux 6.11 does.
     */
    if (!(vma->vm_flags & VM_DROPPABLE))
        SetPageFlag(page, PG_swapbacked);
    SetPageFlag(page, PG_anon_exclusive);
    SetPageFlag(page, PG_uptodate); /* zeroed or copied before it is mapped, as Linux marks it */
    page->anon_vma = vma->anon_vma;
    page->index = linear_page_index(vma, addr);
    page->mapcount = 1;
}

void page_move_anon_rmap(struct page *page, struct vm_area_struct *vma)
{
    page->anon_vma = vma->anon_vma;
}

void page_add_anon_rmap(struct page *page, struct vm_area_struct *vma, unsigned long addr,
                        bool exclusive)
{
    if (!page->anon_vma || page->mapcount == 0) {
        page->anon_vma = exclusive ? vma->anon_vma : vma->anon_vma->root;
        page->index = linear_page_index(vma, addr);
    }
    SetPageFlag(page, PG_anon);
    SetPageFlag(page, PG_swapbacked);
    if (exclusive)
        SetPageFlag(page, PG_anon_exclusive);
    else
        ClearPageFlag(page, PG_anon_exclusive);
    page->mapcount++;
}

/* ---- reclaim's walks ---- */

struct referenced_arg {
    int referenced;
    unsigned long vm_flags;
};

static bool referenced_one(struct page *page, struct vm_area_struct *vma, unsigned long addr,
                           pte_t *pte, void *arg)
{
    struct referenced_arg *a = arg;
    (void)page;
    if (vma->vm_flags & VM_LOCKED) {
        a->vm_flags |= VM_LOCKED;
        return false;
    }
    if (pte_young(*pte)) {
        *pte = pte_mkold(*pte);
        /*
         * x86 Linux skips this flush; vmemu cannot: a program that never
         * switches away would keep the entry in the TLB, and a use would
         * never set the bit again.
         */
        if (arch_tlb_may_hold(vma->vm_mm, addr))
            arch_flush_tlb_mm(vma->vm_mm);
        a->referenced++;
        a->vm_flags |= vma->vm_flags;
    }
    return true;
}

int page_referenced(struct page *page, unsigned long *vm_flags)
{
    struct referenced_arg a = {0, 0};
    if (page->mapcount > 0) {
        struct rmap_walk_control rwc = {.arg = &a, .rmap_one = referenced_one};
        rmap_walk(page, &rwc);
    }
    if (PageFlag(page, PG_young) && !(a.vm_flags & VM_LOCKED)) {
        ClearPageFlag(page, PG_young);
        a.referenced++;
    }
    *vm_flags = a.vm_flags;
    return a.referenced;
}

/* Take one entry of an anonymous page for reclaim; false leaves it (and stops the walk). */
static bool unmap_anon_one(struct page *page, struct vm_area_struct *vma, pte_t *pte)
{
    struct mm_struct *mm = vma->vm_mm;
    pte_t pteval = *pte;
    if (!PageFlag(page, PG_swapbacked)) {
        /*
         * Lazily freeable: dropped unless written since MADV_FREE, which
         * makes it keep its data. MAP_DROPPABLE memory goes written or not.
         */
        if (!(vma->vm_flags & VM_DROPPABLE) && (pte_dirty(pteval) || PageFlag(page, PG_dirty))) {
            SetPageFlag(page, PG_swapbacked);
            return false;
        }
        *pte = 0;
        count_vm_event(PGLAZYFREED);
    } else {
        swp_entry_t entry = {page->private};
        if (!PageFlag(page, PG_swapcache) || swap_duplicate(entry))
            return false;
        pte_t swp = swp_entry_to_pte(entry);
        if (PageFlag(page, PG_anon_exclusive))
            swp = pte_swp_mkexclusive(swp);
        if (pte_soft_dirty(pteval))
            swp = pte_swp_mksoft_dirty(swp);
        if (pte_uffd_wp(pteval))
            swp |= _PAGE_SWP_UFFD_WP;
        ClearPageFlag(page, PG_anon_exclusive);
        if (pte_dirty(pteval))
            SetPageFlag(page, PG_dirty);
        *pte = swp;
        mm->rss[MM_SWAPENTS]++;
    }
    mm->rss[MM_ANONPAGES]--;
    return true;
}

static bool unmap_one_for_reclaim(struct page *page, struct vm_area_struct *vma, unsigned long addr,
                                  pte_t *pte, void *arg)
{
    bool *locked = arg;
    struct mm_struct *mm = vma->vm_mm;
    if (vma->vm_flags & VM_LOCKED) {
        *locked = true;
        return false;
    }
    /* The frame may hold code the CPU translated: drop it while the address still maps it. */
    if (vma->vm_flags & VM_EXEC)
        arch_flush_code_range(mm, addr, addr + PAGE_SIZE);
    if (PageFlag(page, PG_anon)) {
        if (!unmap_anon_one(page, vma, pte))
            return false;
    } else {
        if (pte_dirty(*pte))
            set_page_dirty(page);
        *pte = 0;
        mm->rss[mm_counter_file(page)]--;
    }
    if (arch_tlb_may_hold(mm, addr))
        arch_flush_tlb_mm(mm);
    page->mapcount--;
    put_page(page);
    return page->mapcount > 0;
}

bool try_to_unmap(struct page *page)
{
    bool locked = false;
    if (page->mapcount > 0) {
        struct rmap_walk_control rwc = {.arg = &locked, .rmap_one = unmap_one_for_reclaim};
        rmap_walk(page, &rwc);
    }
    if (locked)
        mlock_page(page);
    return page->mapcount == 0;
}

static bool locked_one(struct page *page, struct vm_area_struct *vma, unsigned long addr,
                       pte_t *pte, void *arg)
{
    bool *locked = arg;
    (void)page, (void)addr, (void)pte;
    *locked = (vma->vm_flags & VM_LOCKED) != 0;
    return !*locked;
}

bool page_mlocked_by_vma(struct page *page)
{
    bool locked = false;
    if (page->mapcount > 0) {
        struct rmap_walk_control rwc = {.arg = &locked, .rmap_one = locked_one};
        rmap_walk(page, &rwc);
    }
    return locked;
}
