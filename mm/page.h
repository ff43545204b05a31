/*
 * Frames and their struct page: the page flags, the reference and map
 * counts, and the conversions between a page, its frame number and the
 * host address of its bytes.
 *
 * Guest RAM is one memfd mapped once on the host: the direct map. A frame's
 * physical address is pfn << PAGE_SHIFT (page tables hold these); emu/ adds
 * where the emulator registered the direct map when it answers the CPU.
 * page_address() is Linux's __va: a pointer add.
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
    PG_anon,    /* anonymous memory: anon_vma, not mapping, says whose */
    PG_readahead,
    PG_shmem, /* shared anonymous memory: a page of a shmem object's cache */
    /*
     * Linux's PageAnonExclusive: the anonymous page is this mapping's
     * alone (no fork shares it), so a write may reuse it without a copy.
     */
    PG_anon_exclusive,
    PG_young,       /* access sampling cleared a set accessed bit: count it as set (damon.c) */
    PG_workingset,  /* was active before it was evicted or deactivated (workingset.c) */
    PG_mlocked,     /* a VM_LOCKED mapping maps it: never reclaimed (mlock.c) */
    PG_unevictable, /* on the unevictable LRU list (mlocked) */
    PG_swapcache,   /* an anonymous page in the swap cache: private is its swap entry */
    NR_PAGEFLAGS
};

struct address_space;
struct anon_vma;
struct kmem_cache;

struct page {
    unsigned long flags;
    int refcount;
    int mapcount; /* number of PTEs mapping this frame */
    struct list_head lru;
    union {
        struct { /* page cache and anonymous pages */
            union {
                struct address_space *mapping; /* a page-cache or shmem page */
                struct anon_vma *anon_vma;     /* PG_anon: its reverse-mapping root */
            };
            pgoff_t index; /* in the file, or the linear index anon_vma knows it by */
        };
        struct { /* slab pages */
            struct kmem_cache *slab_cache;
            void *freelist;
        };
    };
    unsigned long private; /* buddy order while free; PG_swapcache: the swap entry */
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

/* The struct page array, itself in RAM, and the direct map: set up by phys_init(). */
extern struct page *mem_map;
extern unsigned long max_pfn;     /* frames of RAM */
extern unsigned char *direct_map; /* host address of frame 0 */

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

static inline void get_page(struct page *p)
{
    p->refcount++;
}
/* Drop a reference to an order-0 page; the last one takes it off its LRU list and frees it. */
void put_page(struct page *p);

#endif
