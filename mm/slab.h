/*
 * Kernel object allocators: slab caches, kmalloc and vmalloc. All their
 * memory comes from the buddy allocator, so it is counted in the reports.
 */
#ifndef VMEMU_MM_SLAB_H
#define VMEMU_MM_SLAB_H

#include <stddef.h>

#include "page.h"

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

struct kmem_cache *kmem_cache_create(const char *name, unsigned int size, unsigned int align,
                                     unsigned long flags, void (*ctor)(void *));
void kmem_cache_destroy(struct kmem_cache *s);
void *kmem_cache_alloc(struct kmem_cache *s, gfp_t gfp);
void *kmem_cache_zalloc(struct kmem_cache *s, gfp_t gfp);
void kmem_cache_free(struct kmem_cache *s, void *obj);
/* Give every empty slab back to the buddy allocator; returns pages freed. */
unsigned long kmem_cache_shrink(struct kmem_cache *s);
/* Shrink every cache; returns pages freed. */
unsigned long kmem_cache_shrink_all(void);

void *kmalloc(size_t size, gfp_t gfp);
void *kzalloc(size_t size, gfp_t gfp);
void *krealloc(void *p, size_t size, gfp_t gfp);
void kfree(const void *p);
size_t ksize(const void *p);

void *vmalloc(unsigned long size);
void *vzalloc(unsigned long size);
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
