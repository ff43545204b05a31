/*
 * Deferred struct page initialisation, as Linux's DEFERRED_STRUCT_PAGE_INIT:
 * at boot no struct page is written and no free block is linked; a zone's
 * frames get their struct pages a section (8 MiB of frames, 128 KiB of
 * mem_map: smaller than Linux's 128 MiB, so a small program sets up little)
 * at a time, the first time the buddy allocator would take a block from
 * them. So guest RAM costs the host nothing until it is used: mem_map
 * lives in the memfd, whose pages the host backs only once written.
 *
 * What is deferred is only the writing, never a decision. Eager boot frees
 * every unreserved frame of a zone in the largest aligned blocks, in rising
 * frame order, each pushed on the head of its free list, so each list reads
 * (head to tail) the blocks freed since boot, then the boot blocks still
 * there, highest frame first. Linux hands out the head, so the highest
 * sections go first; here sections are set up from a zone's top down.
 *
 * Invariants, per zone:
 * - frames [deferred_floor, deferred_end_pfn) have no struct page yet (their
 *   mem_map bytes may be anything); every other frame of the zone has one;
 * - those frames are exactly as eager boot left them: the reserved ones
 *   (mem_map's own frames) reserved with one reference, the others free in
 *   boot blocks; nr_deferred[order] counts the boot blocks on no list yet
 *   (those, and the bottom section's whole blocks while bottom_pending),
 *   which are already counted in free_area[order].nr_free, free_pages and
 *   pgfree;
 * - a list holds its deferred boot blocks after (below) everything on it:
 *   they have lower frame numbers than any boot block set up before, and
 *   nothing was freed onto the list before them. So setting up a section
 *   appends its boot blocks to the lists' tails, highest first, and the
 *   lists become what eager boot would have made;
 * - no deferred block is ever merged with or split: a block's buddy lies
 *   in the same 4 MiB block, so in the same section, and none of a section
 *   is handed out before it is set up.
 * Readers of arbitrary frames (the frame map, page counts, kpageflags) ask
 * pfn_page_peek or pfn_deferred_span rather than read mem_map.
 */
#include "mmzone.h"

#include <string.h>

#define SECTION_PAGES DEFERRED_SECTION_PAGES
#define MAX_ORDER_PAGES (1UL << (MAX_ORDER - 1))
/* Boot blocks in a section: whole 4 MiB ones, and a run of smaller ones at either end. */
#define SECTION_MAX_BLOCKS (SECTION_PAGES / MAX_ORDER_PAGES + 2 * MAX_ORDER)

static unsigned long boot_reserved; /* frames [0, boot_reserved) hold mem_map */
/*
 * Per zone: deferred frames are [deferred_floor, deferred_end_pfn). The floor
 * is the zone's start, or the end of its bottom section when that section
 * was set up at boot for its small blocks (bottom_pending: its whole 4 MiB
 * blocks are marked free but not on the list yet).
 */
static unsigned long deferred_floor[MAX_NR_ZONES];
static bool bottom_pending[MAX_NR_ZONES];

static int zone_index(const struct zone *zone)
{
    return (int)(zone - contig_page_data.node_zones);
}

static unsigned long zone_end_pfn(const struct zone *zone)
{
    return zone->zone_start_pfn + zone->spanned_pages;
}

/* The first frame of the zone boot frees: mem_map's frames are kept. */
static unsigned long boot_free_start(const struct zone *zone)
{
    return zone->zone_start_pfn > boot_reserved ? zone->zone_start_pfn : boot_reserved;
}

/* Largest order whose aligned block starting at pfn fits below end. */
static unsigned int boot_block_order(unsigned long pfn, unsigned long end)
{
    unsigned int order = MAX_ORDER - 1;
    while (order > 0 && ((pfn & ((1UL << order) - 1)) || pfn + (1UL << order) > end))
        order--;
    return order;
}

/* A struct page as boot writes it, before any block is freed. */
static void boot_page(unsigned long pfn, struct page *p)
{
    memset(p, 0, sizeof(*p));
    INIT_LIST_HEAD(&p->lru);
    if (pfn < boot_reserved) {
        SetPageFlag(p, PG_reserved);
        p->refcount = 1;
    }
}

/*
 * Link the free blocks of [lo, hi) (heads already marked) to the lists'
 * tails, highest first: the smaller ones when small is set, whole 4 MiB
 * ones when whole is set. Blocks never straddle lo or hi: they are
 * multiples of 4 MiB or zone edges.
 */
static void link_boot_blocks(struct zone *zone, unsigned long lo, unsigned long hi, bool small,
                             bool whole)
{
    unsigned long start[SECTION_MAX_BLOCKS];
    unsigned int order[SECTION_MAX_BLOCKS];
    unsigned int n = 0;
    unsigned long end = zone_end_pfn(zone);
    unsigned long first = boot_free_start(zone);
    for (unsigned long pfn = first > lo ? first : lo; pfn < hi && n < SECTION_MAX_BLOCKS;
         pfn += 1UL << order[n++]) {
        start[n] = pfn;
        order[n] = boot_block_order(pfn, end);
    }
    while (n--) {
        if (!(order[n] == MAX_ORDER - 1 ? whole : small))
            continue;
        list_add_tail(&pfn_to_page(start[n])->lru, &zone->free_area[order[n]].free_list);
        zone->nr_deferred[order[n]]--;
    }
}

/* Write the struct pages of [lo, hi) as eager boot leaves them: free block heads marked. */
static void write_section(struct zone *zone, unsigned long lo, unsigned long hi)
{
    phys_back_memmap(lo, hi - lo);
    for (unsigned long pfn = lo; pfn < hi; pfn++)
        boot_page(pfn, pfn_to_page(pfn));
    unsigned long end = zone_end_pfn(zone);
    unsigned long first = boot_free_start(zone);
    for (unsigned long pfn = first > lo ? first : lo; pfn < hi;) {
        unsigned int order = boot_block_order(pfn, end);
        SetPageFlag(pfn_to_page(pfn), PG_buddy);
        pfn_to_page(pfn)->private = order;
        pfn += 1UL << order;
    }
}

/* Set up the next section down of the zone's deferred frames and link its free blocks. */
static void deferred_init_section(struct zone *zone)
{
    unsigned long hi = zone->deferred_end_pfn;
    unsigned long lo = (hi - 1) & ~(SECTION_PAGES - 1);
    if (lo < deferred_floor[zone_index(zone)])
        lo = deferred_floor[zone_index(zone)];
    write_section(zone, lo, hi);
    link_boot_blocks(zone, lo, hi, true, true);
    zone->deferred_end_pfn = lo;
}

/* The bottom section's whole blocks, the last of the zone's boot blocks. */
static void link_bottom_blocks(struct zone *zone)
{
    int z = zone_index(zone);
    link_boot_blocks(zone, zone->zone_start_pfn, deferred_floor[z], false, true);
    deferred_floor[z] = zone->deferred_end_pfn = zone->zone_start_pfn; /* nothing deferred left */
    bottom_pending[z] = false;
}

/*
 * A zone whose free frames start off a 4 MiB boundary (mem_map ends inside
 * it) has smaller boot blocks at its bottom, and the lists of those orders
 * would reach them early, before the sections above: eager boot's order
 * holds only if they are linked now, below the top section's (a zone's
 * only other small blocks, at an unaligned end). So the top section and
 * everything up to the end of the section holding the first free frame
 * (below it, mem_map's) are set up now; that bottom section's whole blocks
 * wait for their turn, marked free.
 */
static void set_up_bottom_early(struct zone *zone)
{
    int z = zone_index(zone);
    unsigned long first = boot_free_start(zone);
    if (!(first & (MAX_ORDER_PAGES - 1)) || first >= zone_end_pfn(zone))
        return;
    deferred_init_section(zone); /* the top one */
    unsigned long hi = (first + SECTION_PAGES) & ~(SECTION_PAGES - 1);
    if (zone->deferred_end_pfn <= hi) { /* the top one reached the bottom: all of it, in turn */
        while (zone->deferred_end_pfn > zone->zone_start_pfn)
            deferred_init_section(zone);
        return;
    }
    write_section(zone, zone->zone_start_pfn, hi);
    link_boot_blocks(zone, zone->zone_start_pfn, hi, true, false);
    deferred_floor[z] = hi;
    bottom_pending[z] = true;
}

void deferred_init_setup(unsigned long reserved)
{
    boot_reserved = reserved;
    for (int z = 0; z < MAX_NR_ZONES; z++) {
        struct zone *zone = &contig_page_data.node_zones[z];
        unsigned long end = zone_end_pfn(zone);
        zone->deferred_end_pfn = end;
        deferred_floor[z] = zone->zone_start_pfn;
        bottom_pending[z] = false;
        for (unsigned long pfn = boot_free_start(zone); pfn < end;) {
            unsigned int order = boot_block_order(pfn, end);
            zone->nr_deferred[order]++;
            zone->free_area[order].nr_free++;
            zone->free_pages += 1UL << order;
            pgfree_count += 1UL << order; /* boot frees count, as Linux's __free_pages_core */
            pfn += 1UL << order;
        }
        set_up_bottom_early(zone);
    }
}

/* Set up one more piece of the zone: false when nothing is left. */
static bool deferred_grow_zone(struct zone *zone)
{
    int z = zone_index(zone);
    if (zone->deferred_end_pfn > deferred_floor[z])
        deferred_init_section(zone);
    else if (bottom_pending[z])
        link_bottom_blocks(zone);
    else
        return false;
    return true;
}

bool deferred_fill_free_area(struct zone *zone, unsigned int order)
{
    struct list_head *list = &zone->free_area[order].free_list;
    while (list_empty(list) && zone->nr_deferred[order] && deferred_grow_zone(zone))
        ;
    return !list_empty(list);
}

void deferred_init_all(void)
{
    for (int z = 0; z < MAX_NR_ZONES; z++)
        while (deferred_grow_zone(&contig_page_data.node_zones[z]))
            ;
}

unsigned long deferred_frames(void)
{
    unsigned long n = 0;
    for (int z = 0; z < MAX_NR_ZONES; z++)
        n += contig_page_data.node_zones[z].deferred_end_pfn - deferred_floor[z];
    return n;
}

unsigned long pfn_deferred_span(unsigned long pfn)
{
    if (pfn >= max_pfn)
        return 0;
    const struct zone *zone = page_zone(pfn_to_page(pfn)); /* by address: nothing is read */
    if (pfn < deferred_floor[zone_index(zone)] || pfn >= zone->deferred_end_pfn)
        return 0;
    return zone->deferred_end_pfn - pfn;
}

/* Does a boot block start at this deferred frame? Its order in *order. */
static bool boot_block_head(unsigned long pfn, unsigned int *order)
{
    const struct zone *zone = page_zone(pfn_to_page(pfn));
    unsigned long first = boot_free_start(zone);
    if (pfn < first)
        return false;
    /* Blocks never straddle a 4 MiB boundary: walk from the last one. */
    unsigned long b = pfn & ~(MAX_ORDER_PAGES - 1);
    if (b < first)
        b = first;
    while (b < pfn)
        b += 1UL << boot_block_order(b, zone_end_pfn(zone));
    *order = boot_block_order(pfn, zone_end_pfn(zone));
    return b == pfn;
}

const struct page *pfn_page_peek(unsigned long pfn, struct page *scratch)
{
    if (!pfn_deferred_span(pfn))
        return pfn_to_page(pfn);
    boot_page(pfn, scratch);
    unsigned int order;
    if (boot_block_head(pfn, &order)) {
        SetPageFlag(scratch, PG_buddy);
        scratch->private = order;
    }
    return scratch;
}
