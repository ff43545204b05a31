/*
 * The buddy allocator: per zone, free blocks of 2^order frames sit on
 * free_area[order]. Allocation splits a larger block when needed; freeing
 * merges a block with its buddy (pfn ^ (1 << order)) for as long as the
 * buddy is free and whole, so fragmentation heals as memory comes back.
 *
 * Watermarks are not enforced here: alloc_pages gives out whatever is free,
 * and reclaim compares zone free counts with the watermarks itself.
 */
#include "page.h"

#include <stdio.h>
#include <string.h>

#include "seq.h"

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
        if (list_empty(&area->free_list))
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
    if (gfp & __GFP_ZERO)
        memset(page_address(page), 0, PAGE_SIZE << order);
}

struct page *alloc_pages(gfp_t gfp, unsigned int order)
{
    if (order >= MAX_ORDER || !mem_map)
        return NULL;
    enum zone_type zones[MAX_NR_ZONES];
    int n = allowed_zones(gfp, zones);
    for (int i = 0; i < n; i++) {
        struct zone *zone = &contig_page_data.node_zones[zones[i]];
        if (!zone->present_pages)
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
 * Freeing a free or reserved frame, or one nobody holds, is a bug
 * elsewhere. Like Linux's bad_page(), report it and leave the frame
 * out of the allocator rather than corrupt the free lists.
 */
static bool bad_page(const struct page *page, const char *why)
{
    fprintf(stderr, "BUG: Bad page state: pfn:%#lx refcount:%d mapcount:%d flags:%#lx (%s)\n",
            page_to_pfn(page), page->refcount, page->mapcount, page->flags, why);
    return true;
}

static bool free_page_is_bad(const struct page *page, unsigned int order)
{
    if (order >= MAX_ORDER)
        return bad_page(page, "order too large");
    if (PageFlag(page, PG_buddy))
        return bad_page(page, "already free");
    if (PageFlag(page, PG_reserved))
        return bad_page(page, "reserved");
    if (page->refcount <= 0)
        return bad_page(page, "refcount already zero");
    if (page_to_pfn(page) & ((1UL << order) - 1))
        return bad_page(page, "block not aligned to its order");
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

    page->flags = 0;
    page->mapcount = 0;
    page->mapping = NULL;
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
    if (!page || free_page_is_bad(page, order))
        return;
    if (--page->refcount > 0)
        return;
    free_one_block(page, order);
}

void put_page(struct page *p)
{
    __free_pages(p, 0);
}

unsigned long __get_free_pages(gfp_t gfp, unsigned int order)
{
    struct page *page = alloc_pages(gfp, order);
    return page ? (unsigned long)page_address(page) : 0;
}

unsigned long get_zeroed_page(gfp_t gfp)
{
    return __get_free_pages(gfp | __GFP_ZERO, 0);
}

void free_pages(unsigned long addr, unsigned int order)
{
    if (addr)
        __free_pages(virt_to_page((const void *)addr), order);
}

unsigned long nr_free_pages(void)
{
    unsigned long sum = 0;
    for (int z = 0; z < MAX_NR_ZONES; z++)
        sum += contig_page_data.node_zones[z].free_pages;
    return sum;
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
