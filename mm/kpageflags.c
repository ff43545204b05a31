/*
 * The KPF_* view of a struct page for /proc/kpageflags and /proc/kpagecount
 * (Linux's stable_page_flags). Only reads struct pages, through
 * pfn_page_peek so that frames whose struct page is still deferred
 * (mm/deferred_init.c) read as eager boot would have left them: nothing
 * here changes a frame, nor sets a deferred section up.
 *
 * What vmemu's frames cannot have is never set: no compound pages (so no
 * COMPOUND_HEAD/TAIL, HUGE, THP), no KSM merging, no memory failure
 * (HWPOISON), no offline memory, no idle-page tracking (IDLE), no ERROR.
 * Linux's flags that share a bit keep sharing it: PG_readahead is
 * PG_reclaim (KPF_RECLAIM), PG_anon_exclusive is PG_owner_2, PG_swapcache
 * is PG_owner_priv_1.
 */
#include "kpageflags.h"

#include "mmzone.h"
#include "page.h"
#include "pgtable.h"

unsigned long kpage_nr_frames(void)
{
    return max_pfn;
}

/* Linux's is_free_buddy_page: pfn lies in a free block, whose head alone is PG_buddy. */
static bool in_free_block(unsigned long pfn)
{
    for (unsigned int order = 0; order < MAX_ORDER; order++) {
        struct page scratch;
        const struct page *head = pfn_page_peek(pfn & ~((1UL << order) - 1), &scratch);
        if (PageFlag(head, PG_buddy) && head->private >= order)
            return true;
    }
    return false;
}

static uint64_t copy_bit(const struct page *p, enum pageflags f, enum kpageflag k)
{
    return (uint64_t)PageFlag(p, f) << k;
}

uint64_t kpage_flags(unsigned long pfn)
{
    if (pfn >= max_pfn)
        return 1ULL << KPF_NOPAGE;
    struct page scratch; /* a frame whose struct page is still deferred reads as boot left it */
    const struct page *p = pfn_page_peek(pfn, &scratch);
    bool anon = PageFlag(p, PG_anon);
    uint64_t u = 0;
    if (p->mapcount > 0)
        u |= 1ULL << KPF_MMAP;
    if (anon)
        u |= 1ULL << KPF_ANON | copy_bit(p, PG_anon_exclusive, KPF_OWNER_2);
    if (is_zero_pfn(pfn))
        u |= 1ULL << KPF_ZERO_PAGE;
    if (PageFlag(p, PG_buddy) || (p->refcount == 0 && in_free_block(pfn)))
        u |= 1ULL << KPF_BUDDY;
    u |= copy_bit(p, PG_pgtable, KPF_PGTABLE) | copy_bit(p, PG_slab, KPF_SLAB);
    u |= copy_bit(p, PG_locked, KPF_LOCKED) | copy_bit(p, PG_dirty, KPF_DIRTY) |
         copy_bit(p, PG_uptodate, KPF_UPTODATE) | copy_bit(p, PG_writeback, KPF_WRITEBACK);
    u |= copy_bit(p, PG_lru, KPF_LRU) | copy_bit(p, PG_referenced, KPF_REFERENCED) |
         copy_bit(p, PG_active, KPF_ACTIVE) | copy_bit(p, PG_readahead, KPF_RECLAIM);
    if (PageFlag(p, PG_swapcache) && PageFlag(p, PG_swapbacked))
        u |= 1ULL << KPF_SWAPCACHE;
    u |= copy_bit(p, PG_swapbacked, KPF_SWAPBACKED) | copy_bit(p, PG_unevictable, KPF_UNEVICTABLE) |
         copy_bit(p, PG_mlocked, KPF_MLOCKED);
    /* vmemu's PG_private marks a large kmalloc block, which Linux leaves unflagged: not shown. */
    u |= copy_bit(p, PG_reserved, KPF_RESERVED) | copy_bit(p, PG_swapcache, KPF_OWNER_PRIVATE);
    return u;
}

uint64_t kpage_count(unsigned long pfn)
{
    if (pfn >= max_pfn || is_zero_pfn(pfn))
        return 0;
    struct page scratch;
    int n = pfn_page_peek(pfn, &scratch)->mapcount;
    return n > 0 ? (uint64_t)n : 0;
}
