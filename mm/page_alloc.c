/*
 * The buddy allocator: per zone, free blocks of 2^order frames sit on
 * free_area[order]. Allocation splits a larger block when needed; freeing
 * merges a block with its buddy (pfn ^ (1 << order)) for as long as the
 * buddy is free and whole, so fragmentation heals as memory comes back.
 *
 * Watermarks (phys.c) gate allocations as in Linux: the fast path takes a
 * page from a zone only while it stays above its low watermark; below
 * that kswapd is woken and a zone may go down to min; below min an
 * allocation that may wait reclaims itself (direct reclaim, vmscan.c) and
 * tries again, and when reclaim makes no progress the OOM killer chooses a
 * process to kill (oom_kill.c). Reclaim's own allocations (in_reclaim,
 * Linux's PF_MEMALLOC) take from the reserve below min and never recurse.
 *
 * A block is freed when its last reference goes, and only if nothing still
 * uses it: a frame that is still mapped, still in a file's cache or still
 * marked in use is reported as Linux's bad_page() reports it and kept out
 * of the allocator, rather than handed out again while someone holds it.
 */
#include "arch.h"
#include "mmzone.h"

#include <stdio.h>
#include <string.h>

#include "array_size.h"
#include "internal.h"
#include "seq.h"

static unsigned long bad_pages;

unsigned long nr_bad_pages(void)
{
    return bad_pages;
}

struct zone *page_zone(const struct page *p)
{
    unsigned long pfn = page_to_pfn(p);
    enum zone_type z = ZONE_NORMAL;
    if (pfn < ZONE_DMA_END_PFN)
        z = ZONE_DMA;
    else if (pfn < ZONE_DMA32_END_PFN)
        z = ZONE_DMA32;
    return &contig_page_data.node_zones[z];
}

static void add_to_free_area(struct zone *zone, struct page *page, unsigned int order)
{
    SetPageFlag(page, PG_buddy);
    page->private = order;
    list_add(&page->lru, &zone->free_area[order].free_list);
    zone->free_area[order].nr_free++;
}

static void del_from_free_area(struct zone *zone, struct page *page, unsigned int order)
{
    list_del(&page->lru);
    ClearPageFlag(page, PG_buddy);
    page->private = 0;
    zone->free_area[order].nr_free--;
}

/* A buddy can merge only if it heads a free block of exactly this order. */
static bool buddy_is_free(struct zone *zone, unsigned long buddy_pfn, unsigned int order)
{
    if (buddy_pfn >= max_pfn)
        return false;
    struct page *buddy = pfn_to_page(buddy_pfn);
    return PageFlag(buddy, PG_buddy) && buddy->private == order && page_zone(buddy) == zone;
}

/*
 * Cut a block of high_order down to order: the lower half is kept each time
 * and the upper half goes back on the free list one order below.
 */
static void expand(struct zone *zone, struct page *page, unsigned int order,
                   unsigned int high_order)
{
    while (high_order > order) {
        high_order--;
        add_to_free_area(zone, page + (1UL << high_order), high_order);
    }
}

/* Take a block of the given order from one zone, splitting if needed. */
static struct page *rmqueue(struct zone *zone, unsigned int order)
{
    for (unsigned int o = order; o < MAX_ORDER; o++) {
        struct free_area *area = &zone->free_area[o];
        if (list_empty(&area->free_list) && !deferred_fill_free_area(zone, o))
            continue;
        struct page *page = list_first_entry(&area->free_list, struct page, lru);
        del_from_free_area(zone, page, o);
        expand(zone, page, order, o);
        zone->free_pages -= 1UL << order;
        zone->pgalloc += 1UL << order;
        return page;
    }
    return NULL;
}

/* The zones gfp allows, highest first, as the zonelist fallback order. */
static int allowed_zones(gfp_t gfp, enum zone_type out[MAX_NR_ZONES])
{
    int n = 0;
    if (!(gfp & (__GFP_DMA | __GFP_DMA32)))
        out[n++] = ZONE_NORMAL;
    if (!(gfp & __GFP_DMA))
        out[n++] = ZONE_DMA32;
    out[n++] = ZONE_DMA;
    return n;
}

/* A freshly allocated block looks like a blank page with one reference. */
static void prep_new_page(struct page *page, unsigned int order, gfp_t gfp)
{
    page->flags = 0;
    page->refcount = 1;
    page->mapcount = 0;
    page->mapping = NULL;
    page->index = 0;
    page->private = 0;
    page->inuse = 0;
    page->objects = 0;
    INIT_LIST_HEAD(&page->lru);
    phys_prepare_frames(page_to_pfn(page), 1UL << order, gfp & __GFP_ZERO);
}

/* Linux's zone_watermark_ok (no lowmem_reserve): free pages stay above mark after the take. */
static bool zone_watermark_ok(const struct zone *zone, unsigned int order, unsigned long mark)
{
    long free = (long)zone->free_pages - (long)(1UL << order) + 1;
    if (free <= (long)mark)
        return false;
    for (unsigned int o = order; o < MAX_ORDER; o++)
        if (zone->free_area[o].nr_free)
            return true;
    return false;
}

#define ALLOC_NO_WATERMARKS NR_WMARK

/* A block from the first allowed zone that stays above the watermark wm (Linux's fast path). */
static struct page *get_page_from_freelist(gfp_t gfp, unsigned int order, int wm)
{
    enum zone_type zones[MAX_NR_ZONES];
    int n = allowed_zones(gfp, zones);
    for (int i = 0; i < n; i++) {
        struct zone *zone = &contig_page_data.node_zones[zones[i]];
        if (!zone->present_pages)
            continue;
        unsigned long mark = wm == ALLOC_NO_WATERMARKS ? 0 : zone->watermark[wm];
        if (mark && !zone_watermark_ok(zone, order, mark))
            continue;
        struct page *page = rmqueue(zone, order);
        if (page) {
            prep_new_page(page, order, gfp);
            return page;
        }
    }
    return NULL;
}

/*
 * Linux's __alloc_pages_slowpath: wake kswapd, try down to min, then
 * reclaim and retry while reclaim makes progress (MAX_RECLAIM_RETRIES
 * passes without any), then the OOM killer.
 */
static struct page *alloc_pages_slowpath(gfp_t gfp, unsigned int order)
{
    if (gfp & __GFP_KSWAPD_RECLAIM)
        wakeup_kswapd();
    struct page *page = get_page_from_freelist(gfp, order, WMARK_MIN);
    if (page || !(gfp & __GFP_DIRECT_RECLAIM))
        return page;
    int no_progress = 0;
    for (;;) {
        unsigned long reclaimed = try_to_free_pages(gfp, order);
        if ((page = get_page_from_freelist(gfp, order, WMARK_MIN)) != NULL)
            return page;
        no_progress = reclaimed ? 0 : no_progress + 1;
        if (no_progress < MAX_RECLAIM_RETRIES)
            continue;
        if (!out_of_memory(gfp, order))
            return NULL;
        no_progress = 0; /* a victim's memory came back: go on */
    }
}

struct page *alloc_pages_noprof(gfp_t gfp, unsigned int order)
{
    if (order >= MAX_ORDER || !mem_map || should_fail_alloc(gfp))
        return NULL;
    /* Reclaim needs memory to free memory: the reserve is for it. */
    if (in_reclaim || (gfp & __GFP_MEMALLOC))
        return get_page_from_freelist(gfp, order, ALLOC_NO_WATERMARKS);
    struct page *page = get_page_from_freelist(gfp, order, WMARK_LOW);
    return page ? page : alloc_pages_slowpath(gfp, order);
}

/* Flags no frame may carry when it is freed (Linux's PAGE_FLAGS_CHECK_AT_FREE). */
#define PAGE_FLAGS_CHECK_AT_FREE                                                                   \
    ((1UL << PG_locked) | (1UL << PG_lru) | (1UL << PG_active) | (1UL << PG_private) |             \
     (1UL << PG_writeback) | (1UL << PG_reserved) | (1UL << PG_slab) | (1UL << PG_pgtable) |       \
     (1UL << PG_buddy))

static const char *const pageflag_names[NR_PAGEFLAGS] = {
    [PG_locked] = "locked",
    [PG_referenced] = "referenced",
    [PG_uptodate] = "uptodate",
    [PG_dirty] = "dirty",
    [PG_lru] = "lru",
    [PG_active] = "active",
    [PG_slab] = "slab",
    [PG_reserved] = "reserved",
    [PG_private] = "private",
    [PG_writeback] = "writeback",
    [PG_swapbacked] = "swapbacked",
    [PG_buddy] = "buddy",
    [PG_pgtable] = "pgtable",
    [PG_anon] = "anon",
    [PG_readahead] = "readahead",
    [PG_shmem] = "shmem",
    [PG_anon_exclusive] = "anon_exclusive",
    [PG_young] = "young",
    [PG_workingset] = "workingset",
    [PG_mlocked] = "mlocked",
    [PG_unevictable] = "unevictable",
    [PG_swapcache] = "swapcache",
};

/*
 * Linux's bad_page(): say which frame and why, reset the map count so the
 * report does not repeat, and keep the frame out of the allocator: handing
 * it out again while something may still use it would corrupt both users.
 */
static void bad_page(struct page *page, const char *why)
{
    fprintf(stderr, "BUG: Bad page state in process vmemu  pfn:%05lx\n", page_to_pfn(page));
    fprintf(stderr, "page:%p refcount:%d mapcount:%d mapping:%p index:%#lx\n", (void *)page,
            page->refcount, page->mapcount, (void *)page->mapping, page->index);
    fprintf(stderr, "flags: %#lx(", page->flags);
    const char *sep = "";
    for (size_t f = 0; f < ARRAY_SIZE(pageflag_names); f++) {
        if (PageFlag(page, (enum pageflags)f)) {
            fprintf(stderr, "%s%s", sep, pageflag_names[f]);
            sep = "|";
        }
    }
    fprintf(stderr, ")\npage dumped because: %s\n", why);
    page->mapcount = 0;
    bad_pages++;
}

/* What no free may see, whatever the refcount: Linux catches these as VM_BUGs. */
static bool free_call_is_bad(struct page *page, unsigned int order)
{
    const char *why = NULL;
    if (order >= MAX_ORDER)
        why = "order too large";
    else if (PageFlag(page, PG_buddy))
        why = "already free";
    else if (PageFlag(page, PG_reserved))
        why = "reserved";
    else if (page->refcount <= 0)
        why = "refcount already zero";
    else if (page_to_pfn(page) & ((1UL << order) - 1))
        why = "block not aligned to its order";
    if (why)
        bad_page(page, why);
    return why != NULL;
}

/* Linux's page_expected_state, for a frame whose last reference just went. */
static bool page_is_bad_at_free(struct page *page)
{
    const char *why = NULL;
    if (page->mapcount != 0)
        why = "nonzero mapcount";
    else if (page->mapping && !PageFlag(page, PG_anon))
        why = "non-NULL mapping";
    else if (page->refcount != 0)
        why = "nonzero _refcount";
    else if (page->flags & PAGE_FLAGS_CHECK_AT_FREE)
        why = "PAGE_FLAGS_CHECK_AT_FREE flag(s) set";
    if (why)
        bad_page(page, why);
    return why != NULL;
}

/* Tail frames of a block were their user's too: each must be blank of use. */
static bool tail_pages_bad(struct page *page, unsigned int order)
{
    for (unsigned long i = 1; i < (1UL << order); i++) {
        struct page *t = page + i;
        if (t->mapcount != 0 || (t->flags & PAGE_FLAGS_CHECK_AT_FREE)) {
            bad_page(t, t->mapcount ? "nonzero mapcount" : "PAGE_FLAGS_CHECK_AT_FREE flag(s) set");
            return true;
        }
    }
    return false;
}

/* Tail frames may carry state from their user; a free block is blank. */
static void clear_tail_pages(struct page *page, unsigned int order)
{
    for (unsigned long i = 1; i < (1UL << order); i++) {
        struct page *t = page + i;
        t->flags = 0;
        t->refcount = 0;
        t->mapcount = 0;
        t->mapping = NULL;
        t->private = 0;
    }
}

/* Put a block back and merge it upward with every free buddy. */
static void free_one_block(struct page *page, unsigned int order)
{
    struct zone *zone = page_zone(page);
    unsigned long pfn = page_to_pfn(page);
    unsigned int freed_order = order;

    page->flags = 0;      /* what may remain: anon, dirty, uptodate, ... */
    page->mapping = NULL; /* an anonymous page's anon_vma */
    page->private = 0;
    clear_tail_pages(page, order);
    while (order < MAX_ORDER - 1) {
        unsigned long buddy_pfn = pfn ^ (1UL << order);
        if (!buddy_is_free(zone, buddy_pfn, order))
            break;
        del_from_free_area(zone, pfn_to_page(buddy_pfn), order);
        pfn &= buddy_pfn; /* the merged block starts at the lower of the two */
        order++;
    }
    add_to_free_area(zone, pfn_to_page(pfn), order);
    zone->free_pages += 1UL << freed_order;
    pgfree_count += 1UL << freed_order;
}

/* Drop the caller's reference; the last one returns the block. */
void __free_pages(struct page *page, unsigned int order)
{
    if (!page || free_call_is_bad(page, order))
        return;
    if (--page->refcount > 0)
        return;
    if (page_is_bad_at_free(page) || tail_pages_bad(page, order))
        return;
    arch_frames_changing(page_to_pfn(page), 1UL << order); /* whoever gets them rewrites them */
    free_one_block(page, order);
}

/*
 * A page on an LRU list leaves it with its last reference, as Linux's
 * folio_put does (__page_cache_release); the raw __free_pages finds such a
 * page bad.
 */
void put_page(struct page *p)
{
    if (p && p->refcount == 1 && (p->flags & ((1UL << PG_lru) | (1UL << PG_mlocked))))
        lru_page_release(p);
    __free_pages(p, 0);
}

unsigned long get_free_pages_noprof(gfp_t gfp, unsigned int order)
{
    struct page *page = alloc_pages_noprof(gfp, order);
    return page ? (unsigned long)page_address(page) : 0;
}

void free_pages(unsigned long addr, unsigned int order)
{
    if (addr)
        __free_pages(virt_to_page((const void *)addr), order);
}

/* A zone field summed over the node's zones. */
#define sum_zones(field)                                                                           \
    ({                                                                                             \
        unsigned long sum_ = 0;                                                                    \
        for (int z_ = 0; z_ < MAX_NR_ZONES; z_++)                                                  \
            sum_ += contig_page_data.node_zones[z_].field;                                         \
        sum_;                                                                                      \
    })

unsigned long nr_free_pages(void)
{
    return sum_zones(free_pages);
}

unsigned long nr_pages_allocated(void)
{
    return sum_zones(pgalloc);
}

unsigned long totalram_pages(void)
{
    return sum_zones(managed_pages);
}

unsigned long totalreserve_pages(void)
{
    unsigned long n = 0;
    for (int z = 0; z < MAX_NR_ZONES; z++) {
        const struct zone *zone = &contig_page_data.node_zones[z];
        unsigned long high = zone->watermark[WMARK_HIGH];
        n += high < zone->managed_pages ? high : zone->managed_pages;
    }
    return n;
}

unsigned long low_wmark_pages(void)
{
    return sum_zones(watermark[WMARK_LOW]);
}

/* /proc/buddyinfo: one line per populated zone, free blocks per order. */
void buddyinfo_show(struct seq *s)
{
    for (int z = 0; z < MAX_NR_ZONES; z++) {
        const struct zone *zone = &contig_page_data.node_zones[z];
        if (!zone->present_pages)
            continue;
        seq_printf(s, "Node %d, zone %8s ", 0, zone->name);
        for (int o = 0; o < MAX_ORDER; o++)
            seq_printf(s, "%6lu ", zone->free_area[o].nr_free);
        seq_printf(s, "\n");
    }
}
