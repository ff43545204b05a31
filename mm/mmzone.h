/*
 * Physical memory: RAM, the zones, their watermarks and the buddy
 * allocator's API. One node, three zones as on x86-64, by frame number.
 */
#ifndef VMEMU_MM_MMZONE_H
#define VMEMU_MM_MMZONE_H

#include <stdint.h>

#include "fault_inject.h"
#include "gfp.h"
#include "page.h"

#define MAX_ORDER 11 /* orders 0..10: blocks up to 4 MiB */

enum zone_type { ZONE_DMA, ZONE_DMA32, ZONE_NORMAL, MAX_NR_ZONES };
#define ZONE_DMA_END_PFN (16UL << 20 >> PAGE_SHIFT)
#define ZONE_DMA32_END_PFN (4UL << 30 >> PAGE_SHIFT)

enum zone_watermarks { WMARK_MIN, WMARK_LOW, WMARK_HIGH, NR_WMARK };

struct free_area {
    struct list_head free_list;
    unsigned long nr_free; /* blocks of this order */
};

struct zone {
    const char *name;
    unsigned long zone_start_pfn;
    unsigned long spanned_pages;
    unsigned long present_pages;
    unsigned long managed_pages; /* given to the buddy allocator */
    unsigned long free_pages;
    unsigned long watermark[NR_WMARK];
    struct free_area free_area[MAX_ORDER];
    unsigned long pgalloc; /* pages handed out, for /proc/vmstat */
    /*
     * Deferred struct page init (deferred_init.c): frames [zone_start_pfn,
     * deferred_end_pfn) have no struct page yet; nr_deferred[order] of their
     * boot blocks are counted in free_area and free_pages but on no list.
     */
    unsigned long deferred_end_pfn;
    unsigned long nr_deferred[MAX_ORDER];
};

struct pglist_data {
    struct zone node_zones[MAX_NR_ZONES];
    unsigned long node_start_pfn;
    unsigned long node_present_pages;
};

/* The one node: set up by phys_init(). */
extern struct pglist_data contig_page_data;
extern unsigned long pgfree_count; /* pages freed, for /proc/vmstat */

/*
 * phys_init: map ram_bytes of host memory (a multiple of PAGE_SIZE, at least
 * 16 MiB), place mem_map in the first frames (reserved), set up the
 * zones and their watermarks, and free every other frame to the buddy
 * allocator. Returns 0 or -errno. phys_exit undoes it.
 */
#define PHYS_MIN_RAM_BYTES (16ULL << 20)
int phys_init(uint64_t ram_bytes);
void phys_exit(void);
/* RAM's size and the host address it is mapped at (the direct map). */
uint64_t phys_ram_bytes(void);
void *phys_ram_base(void);
/*
 * Frames [pfn, pfn + nr) are being handed out: make sure the host backs
 * them, and when zero is set, clear those that are not still as the host
 * created them (zero). Only the buddy allocator calls it.
 */
void phys_prepare_frames(unsigned long pfn, unsigned long nr, bool zero);
/* Frames __GFP_ZERO found used and cleared, since phys_init. */
unsigned long phys_frames_cleared(void);
/*
 * Frames another host mapping must see (vmalloc's areas: phys_alias.c):
 * phys_alias_frames moves frames [pfn, pfn + nr), bytes and all, into the
 * memfd phys_alias_fd() at their physical offsets, where any view may map
 * them (0 or -errno, nothing changed); phys_unalias_frames makes them
 * private memory again, their bytes gone, once no other view maps them.
 */
int phys_alias_frames(unsigned long pfn, unsigned long nr);
void phys_unalias_frames(unsigned long pfn, unsigned long nr);
int phys_alias_fd(void);
void phys_alias_exit(void);
/* Have the host back the mem_map bytes of frames [pfn, pfn + nr) before they are written. */
void phys_back_memmap(unsigned long pfn, unsigned long nr);

/*
 * Deferred struct page init (deferred_init.c). phys_init leaves every frame
 * deferred: counted free (or reserved) as eager boot would, with no struct
 * page written. deferred_fill_free_area sets up sections of the zone until
 * free_area[order]'s list has a block or none is deferred (true: it has one);
 * deferred_init_all sets up every frame now (eager boot's state).
 */
#define DEFERRED_SECTION_PAGES (1UL << 11) /* set up at a time: 8 MiB, two whole blocks */
void deferred_init_setup(unsigned long reserved);
bool deferred_fill_free_area(struct zone *zone, unsigned int order);
void deferred_init_all(void);
/* Frames whose struct page is not set up yet, all zones. */
unsigned long deferred_frames(void);
/* Frames from pfn to the end of the deferred run holding it; 0 when pfn's struct page is set up. */
unsigned long pfn_deferred_span(unsigned long pfn);
/*
 * The struct page of any frame below max_pfn, for reading: mem_map's own,
 * or for a deferred frame scratch filled as eager boot would have left it
 * (reserved, a free block's head with PG_buddy and its order, or blank).
 */
const struct page *pfn_page_peek(unsigned long pfn, struct page *scratch);

/*
 * The buddy allocator. alloc_pages returns a block of 1 << order frames with
 * refcount 1, or NULL when no zone allowed by gfp has one (never aborts).
 * Zones are tried from the highest allowed down, as Linux's zonelist does.
 * Each call is charged to its caller's line for failure injection.
 */
struct page *alloc_pages_noprof(gfp_t gfp, unsigned int order);
#define alloc_pages(...) alloc_hooks(alloc_pages_noprof(__VA_ARGS__))
unsigned long get_free_pages_noprof(gfp_t gfp, unsigned int order); /* host address or 0 */
#define __get_free_pages(...) alloc_hooks(get_free_pages_noprof(__VA_ARGS__))
#define get_zeroed_page(gfp) alloc_hooks(get_free_pages_noprof((gfp) | __GFP_ZERO, 0))
#define alloc_page(gfp) alloc_pages(gfp, 0)
/*
 * Drop the caller's reference to a block; the last one frees it, after
 * Linux's checks that nothing still uses the frames (bad_page).
 */
void __free_pages(struct page *page, unsigned int order);
void free_pages(unsigned long addr, unsigned int order);
#define __free_page(p) __free_pages(p, 0)
#define free_page(addr) free_pages(addr, 0)

/* Frames found in a state no free may leave them in, since phys_init (never freed). */
unsigned long nr_bad_pages(void);

unsigned long nr_free_pages(void);
struct zone *page_zone(const struct page *p);
/* Pages handed out by the buddy allocator since phys_init, all zones. */
unsigned long nr_pages_allocated(void);

/* Pages given to the buddy allocator in all zones: MemTotal (Linux's totalram_pages). */
unsigned long totalram_pages(void);
/*
 * Pages kept back from user allocations: each zone's high watermark (there
 * is no lowmem_reserve to add to it), as Linux's totalreserve_pages.
 */
unsigned long totalreserve_pages(void);
/* The low watermarks of all zones together. */
unsigned long low_wmark_pages(void);

struct seq;
void buddyinfo_show(struct seq *s); /* /proc/buddyinfo, byte for byte */

#endif
