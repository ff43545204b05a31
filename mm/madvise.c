/*
 * madvise(2): advice that changes the VMA (access pattern, fork and dump
 * behaviour, huge pages), advice that drops pages now (DONTNEED, and
 * DONTNEED_LOCKED on locked memory too), marks them free to drop (FREE),
 * ages them (COLD), reclaims them now (PAGEOUT), reads them ahead
 * (WILLNEED), faults them in (POPULATE_READ/WRITE, gup.c), or puts guard
 * markers in their entries (GUARD_INSTALL/REMOVE: a touch is SIGSEGV
 * until removed).
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>

#include "arch.h"
#include "internal.h"
#include "mman_new.h"
#include "mmap.h"
#include "pagemap.h"
#include "pgtable.h"
#include "rmap.h"

static bool advice_valid(int advice)
{
    switch (advice) {
    case MADV_NORMAL:
    case MADV_RANDOM:
    case MADV_SEQUENTIAL:
    case MADV_WILLNEED:
    case MADV_DONTNEED:
    case MADV_FREE:
    case MADV_DONTFORK:
    case MADV_DOFORK:
    case MADV_WIPEONFORK:
    case MADV_KEEPONFORK:
    case MADV_MERGEABLE:
    case MADV_UNMERGEABLE:
    case MADV_HUGEPAGE:
    case MADV_NOHUGEPAGE:
    case MADV_DONTDUMP:
    case MADV_DODUMP:
    case MADV_COLD:
    case MADV_PAGEOUT:
    case MADV_POPULATE_READ:
    case MADV_POPULATE_WRITE:
    case MADV_DONTNEED_LOCKED:
    case MADV_GUARD_INSTALL:
    case MADV_REMOVE:
    case MADV_GUARD_REMOVE:
        return true;
    default:
        return false;
    }
}

/*
 * The flags advice gives a VMA (Linux's madvise_update_vma callers), or
 * -EINVAL where Linux refuses it for this VMA. Advice that leaves vm_flags
 * alone returns them unchanged.
 */
static long advised_flags(const struct vm_area_struct *vma, int advice)
{
    unsigned long f = vma->vm_flags;
    switch (advice) {
    case MADV_NORMAL:
        return (long)(f & ~(VM_RAND_READ | VM_SEQ_READ));
    case MADV_RANDOM:
        return (long)((f & ~VM_SEQ_READ) | VM_RAND_READ);
    case MADV_SEQUENTIAL:
        return (long)((f & ~VM_RAND_READ) | VM_SEQ_READ);
    case MADV_DONTFORK:
        return (long)(f | VM_DONTCOPY);
    case MADV_DOFORK:
        return (f & VM_IO) ? -EINVAL : (long)(f & ~VM_DONTCOPY);
    case MADV_WIPEONFORK: /* private anonymous memory only */
        return (vma->vm_file || (f & VM_SHARED)) ? -EINVAL : (long)(f | VM_WIPEONFORK);
    case MADV_KEEPONFORK:
        return (long)(f & ~VM_WIPEONFORK);
    case MADV_DONTDUMP:
        return (long)(f | VM_DONTDUMP);
    case MADV_DODUMP:
        return (f & VM_SPECIAL) ? -EINVAL : (long)(f & ~VM_DONTDUMP);
    case MADV_HUGEPAGE:
        return (long)((f & ~VM_NOHUGEPAGE) | VM_HUGEPAGE);
    case MADV_NOHUGEPAGE:
        return (long)((f & ~VM_HUGEPAGE) | VM_NOHUGEPAGE);
    case MADV_MERGEABLE: /* KSM takes private memory only */
        return vma_ksm_compatible(f) ? (long)(f | VM_MERGEABLE) : (long)f;
    case MADV_UNMERGEABLE:
        return (long)(f & ~VM_MERGEABLE);
    default:
        return (long)f;
    }
}

/* A swapped-out page of the range is read into the swap cache (Linux's force_swapin_readahead). */
static void swapin_walk_one(pte_t *pte, unsigned long addr, void *arg)
{
    (void)addr, (void)arg;
    if (!is_swap_pte(*pte))
        return;
    unsigned long ra;
    int err;
    struct page *p = swapin_readahead(pte_to_swp_entry(*pte), &ra, &err);
    if (p)
        put_page(p); /* a hint: a failure is not the caller's */
}

/*
 * Read what [start, end) will need: file pages into the page cache
 * (force_page_cache_readahead), swapped-out anonymous pages into the swap
 * cache.
 */
static void willneed(struct vm_area_struct *vma, unsigned long start, unsigned long end)
{
    struct address_space *as = vma->vm_file ? vma->vm_file->f_mapping : NULL;
    if (vma->anon_vma)
        walk_page_range(vma->vm_mm, start, end, swapin_walk_one, NULL);
    if (!as || as->shmem)
        return;
    pgoff_t first = vma->vm_pgoff + ((start - vma->vm_start) >> PAGE_SHIFT);
    pgoff_t last = first + ((end - start) >> PAGE_SHIFT);
    if (last > filemap_nr_pages(as))
        last = filemap_nr_pages(as);
    for (pgoff_t i = first; i < last; i++) {
        bool major;
        int err = 0;
        struct page *p = filemap_get_page(as, i, &major, &err);
        if (!p)
            break; /* out of memory or an I/O error: readahead is only a hint */
        put_page(p);
    }
}

struct lazyfree_ctx {
    struct vm_area_struct *vma;
    bool any;
};

/*
 * Linux's madvise_free_pte_range. A swap entry goes at once (a swap-in
 * would cost more than a fresh zeroed page). A page only this mapping
 * holds leaves the swap cache and loses its dirty state; any private
 * anonymous page then becomes lazily freeable (mark_page_lazyfree):
 * reclaim drops it without swapping, unless it was written again first.
 */
static void lazyfree_one(pte_t *pte, unsigned long addr, void *arg)
{
    struct lazyfree_ctx *c = arg;
    if (is_swap_pte(*pte)) {
        free_swap_and_cache(pte_to_swp_entry(ptep_get_and_clear(pte)));
        c->vma->vm_mm->rss[MM_SWAPENTS]--;
        return;
    }
    struct page *page = pte_accessible(*pte) ? vm_normal_page(c->vma, addr, *pte) : NULL;
    if (!page || !PageFlag(page, PG_anon))
        return;
    if (PageFlag(page, PG_swapcache) || PageFlag(page, PG_dirty)) {
        /* A page others map keeps its dirty state: their data is in it. */
        if (page->mapcount != 1 || (PageFlag(page, PG_swapcache) && !try_to_free_swap(page)))
            return;
        ClearPageFlag(page, PG_dirty);
    }
    if (pte_dirty(*pte) || pte_young(*pte)) {
        *pte = pte_mkold(pte_mkclean(*pte));
        c->any = true; /* the CPU may cache the dirty state: flush */
    }
    mark_page_lazyfree(page);
}

/* Linux's can_madv_lru_vma: COLD and PAGEOUT leave locked and raw-frame mappings alone. */
static bool can_madv_lru_vma(const struct vm_area_struct *vma)
{
    return !(vma->vm_flags & (VM_LOCKED | VM_PFNMAP));
}

struct cold_ctx {
    struct vm_area_struct *vma;
    bool pageout, anon_only;
    bool flush;
    struct list_head pages; /* isolated for MADV_PAGEOUT */
};

/*
 * Linux's madvise_cold_or_pageout_pte_range: pages only this mapping maps
 * forget they were used (accessed bit, PG_referenced, PG_young); COLD
 * moves them to the inactive list, PAGEOUT takes them for reclaim.
 */
static void cold_one(pte_t *pte, unsigned long addr, void *arg)
{
    struct cold_ctx *c = arg;
    struct page *page = pte_present(*pte) ? vm_normal_page(c->vma, addr, *pte) : NULL;
    if (!page || !PageFlag(page, PG_lru) || page->mapcount != 1)
        return;
    if (c->anon_only && !PageFlag(page, PG_anon))
        return;
    if (pte_young(*pte)) {
        *pte = pte_mkold(*pte);
        c->flush = true;
    }
    ClearPageFlag(page, PG_referenced);
    ClearPageFlag(page, PG_young);
    if (PageFlag(page, PG_active))
        SetPageFlag(page, PG_workingset);
    if (!c->pageout) {
        deactivate_page(page);
        return;
    }
    if (PageFlag(page, PG_unevictable) || !isolate_lru_page(page))
        return;
    list_add(&page->lru, &c->pages);
}

/*
 * Linux's can_do_file_pageout: file pages are paged out only for whoever
 * could write the file (its opener for writing, or the superuser);
 * anonymous pages of a private file mapping always.
 */
static bool can_do_file_pageout(const struct vm_area_struct *vma)
{
    if (!vma->vm_file)
        return true;
    return vma->vm_mm->cap_sys_rawio || (vma->vm_file->f_flags & O_ACCMODE) != O_RDONLY;
}

static int cold_or_pageout(struct vm_area_struct *vma, unsigned long s, unsigned long e,
                           bool pageout, bool *flush)
{
    if (!can_madv_lru_vma(vma))
        return -EINVAL;
    struct cold_ctx c = {vma, pageout, pageout && !can_do_file_pageout(vma), false,
                         LIST_HEAD_INIT(c.pages)};
    walk_page_range(vma->vm_mm, s, e, cold_one, &c);
    if (c.flush)
        arch_flush_tlb_mm(vma->vm_mm);
    if (pageout && !list_empty(&c.pages))
        reclaim_pages(&c.pages);
    *flush |= c.flush;
    return 0;
}

/* Guard markers may go where pages of ordinary memory go (Linux's is_valid_guard_vma). */
static bool guard_vma_ok(const struct vm_area_struct *vma, bool allow_locked)
{
    return !(vma->vm_flags & (VM_SPECIAL | (allow_locked ? 0 : VM_LOCKED)));
}

static void guard_install_one(pte_t *pte, unsigned long addr, void *arg)
{
    (void)addr, (void)arg;
    if (pte_none(*pte))
        *pte = make_guard_pte();
}

/*
 * MADV_GUARD_INSTALL (Linux 6.13): what the range maps is zapped (guard
 * markers already there stay), then every entry becomes a guard marker.
 * The VMA gets its anon_vma, so that fork copies its entries, markers
 * included.
 */
static int guard_install(struct vm_area_struct *vma, unsigned long s, unsigned long e, bool *flush)
{
    if (!guard_vma_ok(vma, false))
        return -EINVAL;
    if (anon_vma_prepare(vma))
        return -ENOMEM;
    for (unsigned long a = s; a < e; a += PAGE_SIZE)
        if (!pte_alloc_map(vma->vm_mm, a))
            return -ENOMEM; /* the markers need their tables; what was made stays, empty */
    if (zap_page_range_keep_markers(vma, s, e))
        *flush = true;
    walk_page_range(vma->vm_mm, s, e, guard_install_one, NULL);
    return 0;
}

static void guard_remove_one(pte_t *pte, unsigned long addr, void *arg)
{
    (void)addr, (void)arg;
    if (pte_is_guard(*pte))
        *pte = 0;
}

/*
 * MADV_REMOVE: a hole punched in the file under [s, e) of a shared
 * writable mapping (Linux's madvise_remove: fallocate with PUNCH_HOLE and
 * KEEP_SIZE), so the pages read back as zeros in every mapping, and the
 * file's blocks go. Private and anonymous private memory: EINVAL.
 */
static int madvise_remove(struct vm_area_struct *vma, unsigned long s, unsigned long e)
{
    if ((vma->vm_flags & VM_LOCKED) || !vma->vm_file || !vma->vm_file->f_mapping)
        return -EINVAL;
    if ((vma->vm_flags & (VM_SHARED | VM_MAYWRITE)) != (VM_SHARED | VM_MAYWRITE))
        return -EACCES;
    uint64_t offset = (uint64_t)(s - vma->vm_start) + ((uint64_t)vma->vm_pgoff << PAGE_SHIFT);
    return do_fallocate(vma->vm_file, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, offset, e - s);
}

/* The advice that acts on pages; -EINVAL where Linux refuses the VMA. */
static int advise_pages(struct vm_area_struct *vma, unsigned long s, unsigned long e, int advice,
                        bool *flush)
{
    switch (advice) {
    case MADV_DONTNEED:
    case MADV_DONTNEED_LOCKED:
        /* Anonymous memory reads back as zeros, private file memory as the file. */
        if (vma->vm_flags & (VM_PFNMAP | (advice == MADV_DONTNEED ? VM_LOCKED : 0)))
            return -EINVAL;
        if (zap_page_range_keep_markers(vma, s, e))
            *flush = true;
        return 0;
    case MADV_REMOVE:
        return madvise_remove(vma, s, e);
    case MADV_GUARD_INSTALL:
        return guard_install(vma, s, e, flush);
    case MADV_GUARD_REMOVE:
        if (!guard_vma_ok(vma, true))
            return -EINVAL;
        walk_page_range(vma->vm_mm, s, e, guard_remove_one, NULL);
        return 0;
    case MADV_FREE: {
        if (vma->vm_file || (vma->vm_flags & (VM_SHARED | VM_LOCKED | VM_PFNMAP)))
            return -EINVAL;
        struct lazyfree_ctx c = {vma, false};
        walk_page_range(vma->vm_mm, s, e, lazyfree_one, &c);
        *flush |= c.any;
        return 0;
    }
    case MADV_COLD:
    case MADV_PAGEOUT:
        return cold_or_pageout(vma, s, e, advice == MADV_PAGEOUT, flush);
    case MADV_WILLNEED:
        willneed(vma, s, e);
        return 0;
    default:
        return 0;
    }
}

/* One VMA's part [s, e) of the range: new flags (splitting, merging), then pages. */
static int advise_vma(struct mm_struct *mm, struct vm_area_struct *vma, unsigned long s,
                      unsigned long e, int advice, bool *flush)
{
    if (madvise_sealed_refuses(vma, advice))
        return -EPERM;
    long flags = advised_flags(vma, advice);
    if (flags < 0)
        return (int)flags;
    if ((unsigned long)flags != vma->vm_flags) {
        int err;
        if (!vma_modify_flags(mm, vma, s, e, (unsigned long)flags, &err))
            return err;
        return 0;
    }
    return advise_pages(vma, s, e, advice, flush);
}

int do_madvise(struct mm_struct *mm, unsigned long start, unsigned long len, int advice)
{
    if (!advice_valid(advice) || (start & ~PAGE_MASK))
        return -EINVAL;
    unsigned long alen = PAGE_ALIGN(len);
    if (len && !alen)
        return -EINVAL;
    unsigned long end = start + alen;
    if (end < start)
        return -EINVAL;
    if (end == start)
        return 0;
    if (advice == MADV_POPULATE_READ || advice == MADV_POPULATE_WRITE)
        return madvise_populate(mm, start, end, advice == MADV_POPULATE_WRITE);
    bool flush = false;
    int err = 0, unmapped = 0;
    unsigned long addr = start;
    while (addr < end) {
        struct vm_area_struct *vma = find_vma(mm, addr);
        if (!vma || vma->vm_start >= end) {
            unmapped = -ENOMEM;
            break;
        }
        if (vma->vm_start > addr) {
            unmapped = -ENOMEM; /* a hole: go on after it, report it at the end */
            addr = vma->vm_start;
        }
        unsigned long e = vma->vm_end < end ? vma->vm_end : end;
        err = advise_vma(mm, vma, addr, e, advice, &flush);
        if (err)
            break;
        addr = e;
    }
    if (flush)
        arch_flush_tlb_mm(mm);
    return err ? err : unmapped;
}
