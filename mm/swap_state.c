/*
 * The swap cache (Linux's swap_state.c): anonymous pages that have a swap
 * slot, indexed by the slot's offset, so that a page on its way out or
 * freshly read in is found by whoever else maps the slot, and a clean copy
 * can be dropped without being written again. When a page leaves it by
 * reclaim, a shadow entry takes its place until the slot is freed, so a
 * later swap-in knows how long the page was away (workingset.c).
 *
 * A page in the swap cache has PG_swapcache, its entry in page->private,
 * one reference held by the cache, and SWAP_HAS_CACHE set on its slot.
 * Swap-in reads a cluster of 2^page-cluster slots around the faulting one
 * (Linux's swap_cluster_readahead), the window adapting to how many
 * readahead pages were used (swapin_nr_pages).
 */
#include <errno.h>
#include <limits.h>

#include "internal.h"
#include "mmzone.h"
#include "swap.h"
#include "vmstat.h"
#include "xarray.h"

static struct xarray swap_cache;
static unsigned long nr_swapcache;
unsigned int page_cluster = SWAP_CLUSTER_DEFAULT;
static unsigned long swapin_readahead_hits, ra_prev_offset, ra_last_pages;

unsigned long total_swapcache_pages(void)
{
    return nr_swapcache;
}

int add_to_swap_cache(struct page *page, swp_entry_t entry, void **shadow)
{
    void *old = xa_load(&swap_cache, swp_offset(entry));
    int err = xa_store(&swap_cache, swp_offset(entry), page);
    if (err)
        return err;
    if (shadow)
        *shadow = xa_is_value(old) ? old : NULL;
    get_page(page);
    SetPageFlag(page, PG_swapcache);
    page->private = entry.val;
    nr_swapcache++;
    return 0;
}

void delete_from_swap_cache(struct page *page, void *shadow)
{
    swp_entry_t entry = {page->private};
    if (shadow)
        xa_store(&swap_cache, swp_offset(entry), shadow); /* replaces: allocates nothing */
    else
        xa_erase(&swap_cache, swp_offset(entry));
    ClearPageFlag(page, PG_swapcache);
    page->private = 0;
    nr_swapcache--;
    put_swap_page(entry);
    put_page(page);
}

void swap_cache_forget(swp_entry_t entry)
{
    void *old = xa_load(&swap_cache, swp_offset(entry));
    if (xa_is_value(old))
        xa_erase(&swap_cache, swp_offset(entry));
}

bool add_to_swap(struct page *page)
{
    swp_entry_t entry = get_swap_page();
    if (!entry.val)
        return false;
    if (add_to_swap_cache(page, entry, NULL)) {
        put_swap_page(entry);
        return false;
    }
    /* It must be written: its data is nowhere else (a lazily freed page's included). */
    SetPageFlag(page, PG_dirty);
    return true;
}

bool try_to_free_swap(struct page *page)
{
    if (!PageFlag(page, PG_swapcache) || __swap_count((swp_entry_t){page->private}))
        return false;
    delete_from_swap_cache(page, NULL);
    /* The copy in swap is gone: the page's data is only in memory now. */
    SetPageFlag(page, PG_dirty);
    return true;
}

void try_to_reclaim_swap(swp_entry_t entry)
{
    struct page *page = xa_load(&swap_cache, swp_offset(entry));
    /* A page nobody maps or holds: the last entry naming it went, so it goes too. */
    if (page && !xa_is_value(page) && page->mapcount == 0 && page->refcount == 1)
        delete_from_swap_cache(page, NULL);
}

struct page *lookup_swap_cache(swp_entry_t entry, void **shadow)
{
    void *p = xa_load(&swap_cache, swp_offset(entry));
    if (shadow)
        *shadow = xa_is_value(p) ? p : NULL;
    if (!p || xa_is_value(p))
        return NULL;
    struct page *page = p;
    if (PageFlag(page, PG_readahead)) {
        /* A page readahead brought in was wanted: widen the next window. */
        ClearPageFlag(page, PG_readahead);
        count_vm_event(SWAP_RA_HIT);
        swapin_readahead_hits++;
    }
    get_page(page);
    return page;
}

unsigned char swap_page_cached(swp_entry_t entry)
{
    void *p = xa_load(&swap_cache, swp_offset(entry));
    return p && !xa_is_value(p);
}

/*
 * Read the slot's page into the swap cache if it is in use and not there
 * yet; *new says it was read now. NULL and *err when it cannot be.
 */
static struct page *read_swap_cache_async(swp_entry_t entry, bool *new, int *err)
{
    *new = false;
    struct page *page = lookup_swap_cache(entry, NULL);
    if (page)
        return page;
    page = alloc_page(GFP_HIGHUSER_MOVABLE);
    if (!page) {
        *err = -ENOMEM;
        return NULL;
    }
    /* The allocation may have reclaimed, and reclaim may have added the slot's page. */
    int e = swapcache_prepare(entry);
    void *shadow = NULL;
    if (e || (e = add_to_swap_cache(page, entry, &shadow)) != 0) {
        if (e != -EEXIST && e != -ENOENT)
            put_swap_page(entry);
        __free_page(page);
        *err = e;
        return e == -EEXIST ? lookup_swap_cache(entry, NULL) : NULL;
    }
    SetPageFlag(page, PG_anon);
    SetPageFlag(page, PG_swapbacked);
    if ((*err = swap_readpage(page, entry)) != 0) {
        delete_from_swap_cache(page, NULL);
        __free_page(page);
        return NULL;
    }
    SetPageFlag(page, PG_uptodate);
    if (shadow)
        workingset_refault(page, shadow);
    lru_cache_add(page);
    *new = true;
    return page;
}

/*
 * Linux's __swapin_nr_pages: two pages more than the hits readahead had,
 * rounded up to a power of two; with no hits, one page unless the fault
 * is next to the last one; never more than 2^page-cluster, never below
 * half the last window.
 */
static unsigned long swapin_nr_pages(unsigned long offset)
{
    unsigned long max = 1UL << page_cluster, hits = swapin_readahead_hits, pages = hits + 2;
    if (max <= 1)
        return 1;
    swapin_readahead_hits = 0;
    if (pages == 2) {
        if (offset != ra_prev_offset + 1 && offset != ra_prev_offset - 1)
            pages = 1;
    } else {
        unsigned long round = 4;
        while (round < pages)
            round <<= 1;
        pages = round;
    }
    if (pages > max)
        pages = max;
    if (pages < ra_last_pages / 2)
        pages = ra_last_pages / 2;
    if (!hits)
        ra_prev_offset = offset;
    ra_last_pages = pages;
    return pages;
}

struct page *swapin_readahead(swp_entry_t entry, unsigned long *ra_pages, int *err)
{
    unsigned long offset = swp_offset(entry), mask = swapin_nr_pages(offset) - 1;
    unsigned long start = offset & ~mask, end = offset | mask, slots = swap_area_slots();
    if (start == 0)
        start = 1; /* the header */
    if (end >= slots)
        end = slots - 1;
    *ra_pages = 0;
    for (unsigned long off = start; mask && off <= end; off++) {
        if (off == offset)
            continue;
        bool new;
        int e = 0;
        struct page *p = read_swap_cache_async(swp_entry(0, off), &new, &e);
        if (!p)
            continue; /* a free slot, or no memory: readahead is only a hint */
        if (new) {
            SetPageFlag(p, PG_readahead);
            count_vm_event(SWAP_RA);
            (*ra_pages)++;
        }
        put_page(p);
    }
    bool new;
    return read_swap_cache_async(entry, &new, err);
}

void swap_cache_drop_all(void)
{
    unsigned long index;
    void *p;
    xa_for_each_range(&swap_cache, index, p, 0, ULONG_MAX, XA_PRESENT)
    {
        if (xa_is_value(p)) {
            xa_erase(&swap_cache, index);
            continue;
        }
        struct page *page = p;
        if (page->mapcount == 0 && page->refcount == 1)
            delete_from_swap_cache(page, NULL);
    }
}

void swap_cache_init(void)
{
    xa_init(&swap_cache);
    nr_swapcache = 0;
    swapin_readahead_hits = ra_prev_offset = ra_last_pages = 0;
}
