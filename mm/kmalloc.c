/*
 * kmalloc: general-purpose allocations served from a ladder of slab caches
 * (kmalloc-8 ... kmalloc-8k), and above 8 KiB straight from the buddy
 * allocator in whole power-of-two blocks, as Linux's kmalloc_large does.
 */
#include "array_size.h"
#include "slab.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* The size classes, with Linux's 96 and 192 between the powers of two. */
static const unsigned int kmalloc_sizes[] = {8,   16,  32,   64,   96,   128, 192,
                                             256, 512, 1024, 2048, 4096, 8192};
static const char *const kmalloc_names[] = {
    "kmalloc-8",   "kmalloc-16",  "kmalloc-32",  "kmalloc-64",  "kmalloc-96",
    "kmalloc-128", "kmalloc-192", "kmalloc-256", "kmalloc-512", "kmalloc-1k",
    "kmalloc-2k",  "kmalloc-4k",  "kmalloc-8k"};
#define NR_KMALLOC_CACHES ARRAY_SIZE(kmalloc_sizes)

static struct kmem_cache *kmalloc_caches[NR_KMALLOC_CACHES];

/*
 * Large allocations are plain buddy blocks. Their head page is marked with
 * PG_private and keeps the order in private, which is how kfree and ksize
 * tell them apart from slab objects (Linux marks them as compound heads);
 * the lru link keeps them findable so teardown can reclaim leaks.
 */
static struct list_head large_allocs = LIST_HEAD_INIT(large_allocs);
static unsigned long large_pages;

unsigned long kmalloc_large_pages(void)
{
    return large_pages;
}

/* First class that fits: 65..96 -> kmalloc-96, 129..192 -> kmalloc-192. */
static int kmalloc_index(size_t size)
{
    for (unsigned int i = 0; i < NR_KMALLOC_CACHES; i++)
        if (size <= kmalloc_sizes[i])
            return (int)i;
    return -1;
}

static unsigned int size_order(size_t size)
{
    unsigned int order = 0;
    while ((PAGE_SIZE << order) < size)
        order++;
    return order;
}

static void *kmalloc_large(size_t size, gfp_t gfp)
{
    if (size > KMALLOC_MAX_SIZE)
        return NULL;
    unsigned int order = size_order(size);
    struct page *page = alloc_pages_noprof(gfp, order);
    if (!page)
        return NULL;
    SetPageFlag(page, PG_private);
    page->private = order;
    list_add(&page->lru, &large_allocs);
    large_pages += 1UL << order;
    return page_address(page);
}

static void kfree_large(struct page *page)
{
    unsigned int order = (unsigned int)page->private;
    list_del(&page->lru);
    ClearPageFlag(page, PG_private);
    page->private = 0;
    large_pages -= 1UL << order;
    __free_pages(page, order);
}

void *kmalloc_noprof(size_t size, gfp_t gfp)
{
    if (size == 0)
        return ZERO_SIZE_PTR;
    int i = kmalloc_index(size);
    if (i < 0)
        return kmalloc_large(size, gfp);
    return kmem_cache_alloc_noprof(kmalloc_caches[i], gfp);
}

/* The head page of a large kmalloc block, or NULL. */
static struct page *large_head(const void *p)
{
    const unsigned char *a = p;
    if (!direct_map || a < direct_map || a >= direct_map + (max_pfn << PAGE_SHIFT))
        return NULL;
    if ((unsigned long)(a - direct_map) & ~PAGE_MASK)
        return NULL;
    struct page *page = virt_to_page(p);
    if (!PageFlag(page, PG_private) || PageFlag(page, PG_slab) || PageFlag(page, PG_buddy))
        return NULL;
    return page;
}

void kfree(const void *p)
{
    if (ZERO_OR_NULL_PTR(p))
        return;
    struct kmem_cache *s = virt_to_cache(p);
    if (s) {
        kmem_cache_free(s, (void *)p);
        return;
    }
    struct page *page = large_head(p);
    if (page) {
        kfree_large(page);
        return;
    }
    fprintf(stderr, "kfree: %p was not allocated by kmalloc\n", p);
}

size_t ksize(const void *p)
{
    if (ZERO_OR_NULL_PTR(p))
        return 0;
    struct kmem_cache *s = virt_to_cache(p);
    if (s)
        return kmem_cache_size(s);
    struct page *page = large_head(p);
    return page ? PAGE_SIZE << page->private : 0;
}

/*
 * Grow or shrink an allocation. What still fits stays where it is, as in
 * Linux; otherwise the contents move to a new block. On failure the old
 * block is untouched and NULL is returned.
 */
void *krealloc_noprof(void *p, size_t size, gfp_t gfp)
{
    if (size == 0) {
        kfree(p);
        return ZERO_SIZE_PTR;
    }
    if (ZERO_OR_NULL_PTR(p))
        return kmalloc_noprof(size, gfp);
    size_t old = ksize(p);
    if (old == 0) {
        /* Not a kmalloc pointer: its length is unknown, so nothing to copy. */
        fprintf(stderr, "krealloc: %p was not allocated by kmalloc\n", p);
        return NULL;
    }
    if (size <= old)
        return p;
    void *n = kmalloc_noprof(size, gfp);
    if (!n)
        return NULL;
    memcpy(n, p, old);
    kfree(p);
    return n;
}

int kmalloc_caches_init(void)
{
    for (unsigned int i = 0; i < NR_KMALLOC_CACHES; i++) {
        kmalloc_caches[i] =
            kmem_cache_create_noprof(kmalloc_names[i], kmalloc_sizes[i], 0, 0, NULL);
        if (!kmalloc_caches[i]) {
            kmalloc_caches_exit();
            return -ENOMEM;
        }
    }
    return 0;
}

/* Leaked large blocks are reported and reclaimed; the caches go too. */
void kmalloc_caches_exit(void)
{
    while (!list_empty(&large_allocs)) {
        struct page *page = list_first_entry(&large_allocs, struct page, lru);
        fprintf(stderr, "kmalloc: %lu bytes at %p never freed\n", PAGE_SIZE << page->private,
                page_address(page));
        kfree_large(page);
    }
    /* A cache with objects still out is left to kmem_cache_exit's sweep. */
    for (unsigned int i = NR_KMALLOC_CACHES; i-- > 0;) {
        struct slabinfo info;
        if (kmalloc_caches[i]) {
            get_slabinfo(kmalloc_caches[i], &info);
            if (info.active_objs == 0)
                kmem_cache_destroy(kmalloc_caches[i]);
        }
        kmalloc_caches[i] = NULL;
    }
}
