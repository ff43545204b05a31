/*
 * Kernel object allocators: slab caches, kmalloc and vmalloc. All their
 * memory comes from the buddy allocator, so it is counted in the reports.
 */
#ifndef VMEMU_MM_SLAB_H
#define VMEMU_MM_SLAB_H

#include <stddef.h>

#include "fault_inject.h"
#include "gfp.h"
#include "mmzone.h"

#define SLAB_HWCACHE_ALIGN 0x00002000UL   /* align objects to 64 bytes */
#define SLAB_RECLAIM_ACCOUNT 0x00020000UL /* counted as SReclaimable */

#define KMALLOC_MIN_SIZE 8
#define KMALLOC_MAX_CACHE_SIZE 8192                            /* kmalloc-8k */
#define KMALLOC_MAX_SIZE (1UL << (MAX_ORDER - 1 + PAGE_SHIFT)) /* 4 MiB */

struct kmem_cache;
struct seq;

/* kmalloc(0) returns this: not NULL, but nothing may be stored there. */
#define ZERO_SIZE_PTR ((void *)16)
#define ZERO_OR_NULL_PTR(x) ((unsigned long)(x) <= (unsigned long)ZERO_SIZE_PTR)

/* The cache of caches: every cache descriptor is one of its objects. */
extern struct kmem_cache *kmem_cache;

/* Set up the cache of caches and the kmalloc caches; after phys_init. */
int kmem_cache_init(void);
/* Destroy the kmalloc caches and the cache of caches; before phys_exit. */
void kmem_cache_exit(void);

/*
 * The allocating entry points are macros over their _noprof functions, so
 * that each allocation is charged to its caller's line (fault_inject.h);
 * code inside the allocators calls the _noprof functions directly.
 */
struct kmem_cache *kmem_cache_create_noprof(const char *name, unsigned int size, unsigned int align,
                                            unsigned long flags, void (*ctor)(void *));
#define kmem_cache_create(...) alloc_hooks(kmem_cache_create_noprof(__VA_ARGS__))
void kmem_cache_destroy(struct kmem_cache *s);
void *kmem_cache_alloc_noprof(struct kmem_cache *s, gfp_t gfp);
#define kmem_cache_alloc(...) alloc_hooks(kmem_cache_alloc_noprof(__VA_ARGS__))
#define kmem_cache_zalloc(s, gfp) alloc_hooks(kmem_cache_alloc_noprof(s, (gfp) | __GFP_ZERO))
void kmem_cache_free(struct kmem_cache *s, void *obj);
/* Give every empty slab back to the buddy allocator; returns pages freed. */
unsigned long kmem_cache_shrink(struct kmem_cache *s);
/* Shrink every cache; returns pages freed. */
unsigned long kmem_cache_shrink_all(void);

void *kmalloc_noprof(size_t size, gfp_t gfp);
#define kmalloc(...) alloc_hooks(kmalloc_noprof(__VA_ARGS__))
#define kzalloc(size, gfp) alloc_hooks(kmalloc_noprof(size, (gfp) | __GFP_ZERO))
void *krealloc_noprof(void *p, size_t size, gfp_t gfp);
#define krealloc(...) alloc_hooks(krealloc_noprof(__VA_ARGS__))
void kfree(const void *p);
size_t ksize(const void *p);

void *vmalloc_noprof(unsigned long size, gfp_t gfp);
#define vmalloc(size) alloc_hooks(vmalloc_noprof(size, GFP_KERNEL))
#define vzalloc(size) alloc_hooks(vmalloc_noprof(size, GFP_KERNEL | __GFP_ZERO))
void vfree(const void *addr);

/* Accounting for /proc/meminfo. */
unsigned long slab_reclaimable_pages(void);
unsigned long slab_unreclaimable_pages(void);
unsigned long vmalloc_used_pages(void);
unsigned long vmalloc_total_bytes(void); /* the size of the vmalloc window */

void slabinfo_show(struct seq *s); /* /proc/slabinfo, format version 2.1 */

/* One cache's figures, as /proc/slabinfo prints them, plus list lengths. */
struct slabinfo {
    unsigned long active_objs, num_objs;
    unsigned long active_slabs, num_slabs;
    unsigned long shared_avail;
    unsigned int limit, batchcount, shared; /* SLAB tunables: always 0 here */
    unsigned int objects_per_slab;
    unsigned int cache_order;
    unsigned long nr_full, nr_partial, nr_free; /* slabs on each list */
};
void get_slabinfo(struct kmem_cache *s, struct slabinfo *info);
const char *kmem_cache_name(const struct kmem_cache *s);
unsigned int kmem_cache_size(const struct kmem_cache *s); /* object size asked for */

/* The cache a slab object lives in, or NULL if addr is not in a slab. */
struct kmem_cache *virt_to_cache(const void *addr);

/* The frame behind a vmalloc address, or NULL outside every area. */
struct page *vmalloc_to_page(const void *addr);

/* Between the allocators: kmem_cache_init/exit call these in turn. */
int kmalloc_caches_init(void);
void kmalloc_caches_exit(void);
unsigned long kmalloc_large_pages(void); /* pages of live >8 KiB kmallocs */
void vmalloc_exit(void);

#endif
