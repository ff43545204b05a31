/*
 * Physical memory: frames, struct page, zones and the buddy allocator's API.
 *
 * Guest RAM is one memfd mapped once on the host: the direct map. A frame's
 * physical address is pfn << PAGE_SHIFT (page tables hold these); emu/ adds
 * PHYS_BASE when it answers the CPU, because that is where the direct map is
 * registered with the emulator. page_address() is Linux's __va: a pointer add.
 */
#ifndef VMEMU_MM_PAGE_H
#define VMEMU_MM_PAGE_H

#include <stdbool.h>
#include <stdint.h>

#include "list.h"

#define PAGE_SHIFT 12
#define PAGE_SIZE (1UL << PAGE_SHIFT)
#define PAGE_MASK (~(PAGE_SIZE - 1))
#define PAGE_ALIGN(x) (((x) + PAGE_SIZE - 1) & PAGE_MASK)
#define MAX_ORDER 11 /* orders 0..10: blocks up to 4 MiB */

typedef unsigned long pgoff_t;

enum pageflags {
    PG_locked,
    PG_referenced,
    PG_uptodate,
    PG_dirty,
    PG_lru,
    PG_active,
    PG_slab,
    PG_reserved,
    PG_private,
    PG_writeback,
    PG_swapbacked,
    PG_buddy,   /* free, on a buddy free list; private holds the order */
    PG_pgtable, /* a page-table page */
    PG_anon,    /* mapping is anonymous memory, not an address_space */
    PG_readahead,
    PG_shmem, /* with PG_anon: shared anonymous memory, which Linux keeps in shmem */
    PG_young, /* access sampling cleared a set accessed bit: count it as set (damon.c) */
    NR_PAGEFLAGS
};

struct address_space;
struct kmem_cache;

struct page {
    unsigned long flags;
    int refcount;
    int mapcount; /* number of PTEs mapping this frame */
    struct list_head lru;
    union {
        struct { /* page cache and anonymous pages */
            struct address_space *mapping;
            pgoff_t index;
        };
        struct { /* slab pages */
            struct kmem_cache *slab_cache;
            void *freelist;
        };
    };
    unsigned long private; /* buddy order while free; later the swap entry */
    unsigned int inuse;    /* slab: objects allocated from this slab */
    unsigned int objects;  /* slab: objects the slab holds */
};

static inline bool PageFlag(const struct page *p, enum pageflags f)
{
    return (p->flags >> f) & 1;
}
static inline void SetPageFlag(struct page *p, enum pageflags f)
{
    p->flags |= 1UL << f;
}
static inline void ClearPageFlag(struct page *p, enum pageflags f)
{
    p->flags &= ~(1UL << f);
}

/* Zones as on x86-64, by frame number. */
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
extern struct page *mem_map;       /* struct page of every frame, itself in RAM */
extern unsigned long max_pfn;      /* frames of RAM */
extern unsigned char *direct_map;  /* host address of frame 0 */
extern unsigned long pgfree_count; /* pages freed, for /proc/vmstat */

static inline unsigned long page_to_pfn(const struct page *p)
{
    return (unsigned long)(p - mem_map);
}
static inline struct page *pfn_to_page(unsigned long pfn)
{
    return mem_map + pfn;
}
static inline void *page_address(const struct page *p)
{
    return direct_map + (page_to_pfn(p) << PAGE_SHIFT);
}
static inline struct page *virt_to_page(const void *addr)
{
    return pfn_to_page((unsigned long)((const unsigned char *)addr - direct_map) >> PAGE_SHIFT);
}
static inline uint64_t page_to_phys(const struct page *p)
{
    return (uint64_t)page_to_pfn(p) << PAGE_SHIFT;
}

/*
 * phys_init: create the memfd of ram_bytes (a multiple of PAGE_SIZE, at least
 * 16 MiB), map it, place mem_map in the first frames (reserved), set up the
 * zones and their watermarks, and free every other frame to the buddy
 * allocator. Returns 0 or -errno. phys_exit undoes it.
 */
int phys_init(uint64_t ram_bytes);
void phys_exit(void);
int phys_memfd(void);
uint64_t phys_ram_bytes(void);

/* Allocation flags: the zone modifiers and __GFP_ZERO are honoured. */
typedef unsigned int gfp_t;
#define __GFP_DMA 0x01u
#define __GFP_DMA32 0x02u
#define __GFP_ZERO 0x100u
#define __GFP_NOWARN 0x200u
#define GFP_KERNEL 0u
#define GFP_USER 0u
#define GFP_HIGHUSER_MOVABLE 0u

/*
 * The buddy allocator. alloc_pages returns a block of 1 << order frames with
 * refcount 1, or NULL when no zone allowed by gfp has one (never aborts).
 * Zones are tried from the highest allowed down, as Linux's zonelist does.
 */
struct page *alloc_pages(gfp_t gfp, unsigned int order);
void __free_pages(struct page *page, unsigned int order);
unsigned long __get_free_pages(gfp_t gfp, unsigned int order); /* host address or 0 */
unsigned long get_zeroed_page(gfp_t gfp);
void free_pages(unsigned long addr, unsigned int order);
#define alloc_page(gfp) alloc_pages(gfp, 0)
#define __free_page(p) __free_pages(p, 0)
#define free_page(addr) free_pages(addr, 0)

static inline void get_page(struct page *p)
{
    p->refcount++;
}
/* Drop a reference to an order-0 page; the last one frees it. */
void put_page(struct page *p);

unsigned long nr_free_pages(void);
struct zone *page_zone(const struct page *p);

struct seq;
void buddyinfo_show(struct seq *s); /* /proc/buddyinfo, byte for byte */

#endif
