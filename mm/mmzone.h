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
 * phys_init: create the memfd of ram_bytes (a multiple of PAGE_SIZE, at least
 * 16 MiB), map it, place mem_map in the first frames (reserved), set up the
 * zones and their watermarks, and free every other frame to the buddy
 * allocator. Returns 0 or -errno. phys_exit undoes it.
 */
#define PHYS_MIN_RAM_BYTES (16ULL << 20)
int phys_init(uint64_t ram_bytes);
void phys_exit(void);
/* The RAM memfd, its size, and the host address it is mapped at (the direct map). */
int phys_memfd(void);
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
