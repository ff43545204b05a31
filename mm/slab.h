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
#define KMALLOC_MAX_CACHE_SIZE 8192                               /* kmalloc-8k */
#define KMALLOC_MAX_SIZE (1UL << (MAX_ORDER - 1 + PAGE_SHIFT)) /* 4 MiB */

struct kmem_cache;
struct seq;

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

void slabinfo_show(struct seq *s); /* /proc/slabinfo, format version 2.1 */

#endif
