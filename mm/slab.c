/*
 * Slab caches: objects of one size carved out of runs of 2^order frames
 * from the buddy allocator. Each cache keeps its slabs on three lists by
 * fill state (full, partial, free); a free object holds the pointer to the
 * next free object of its slab, so a slab needs no memory besides its own
 * frames and their struct pages (PG_slab, slab_cache, freelist, inuse,
 * objects). Cache descriptors are themselves objects of the cache of caches,
 * "kmem_cache", which is bootstrapped from a static descriptor as Linux's
 * boot_kmem_cache is.
 */
#include "slab.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "seq.h"

#define SLAB_NAME_MAX 48
#define SLAB_MIN_OBJECTS 8  /* SLUB's 4 * (fls(nr_cpus) + 1), for our one CPU */
#define SLAB_COSTLY_ORDER 3 /* PAGE_ALLOC_COSTLY_ORDER: prefer slabs no bigger */
#define SLAB_FREE_RESERVE 1 /* empty slabs a cache keeps for the next burst */
#define CACHE_LINE_SIZE 64
#define SLAB_MIN_ALIGN sizeof(void *) /* room and alignment for the free pointer */

struct kmem_cache {
    char name[SLAB_NAME_MAX];
    unsigned int object_size; /* what the creator asked for */
    unsigned int size;        /* one slot: object (+ free pointer), aligned */
    unsigned int align;
    unsigned int offset; /* where a free slot keeps its next pointer */
    unsigned int order;
    unsigned int objects; /* per slab */
    unsigned long flags;
    void (*ctor)(void *);
    struct list_head list; /* on slab_caches */
    struct list_head full, partial, free;
    unsigned long nr_full, nr_partial, nr_free;
    unsigned long active_objs;
};

struct kmem_cache *kmem_cache;
static struct list_head slab_caches = LIST_HEAD_INIT(slab_caches);
static unsigned long reclaimable_pages, unreclaimable_pages;

static unsigned long align_up(unsigned long x, unsigned long a)
{
    return (x + a - 1) & ~(a - 1);
}

static unsigned int get_order(unsigned long size)
{
    unsigned int order = 0;
    while ((PAGE_SIZE << order) < size)
        order++;
    return order;
}

/*
 * Smallest order from which slabs of at least min_objects waste no more
 * than 1/fract of the slab; may exceed max_order, meaning "none".
 */
static unsigned int calc_slab_order(unsigned int size, unsigned int min_objects,
                                    unsigned int max_order, unsigned int fract)
{
    unsigned int order = get_order((unsigned long)min_objects * size);
    for (; order <= max_order; order++) {
        unsigned long slab_size = PAGE_SIZE << order;
        if (slab_size % size <= slab_size / fract)
            break;
    }
    return order;
}

/*
 * As SLUB's calculate_order: aim for several objects per slab with little
 * waste, relaxing first the waste and then the object count, and only go
 * past the costly order when a single object needs it. -1: too big.
 */
static int calculate_order(unsigned int size)
{
    unsigned int min_objects = SLAB_MIN_OBJECTS;
    unsigned int max_objects = (unsigned int)((PAGE_SIZE << SLAB_COSTLY_ORDER) / size);
    if (min_objects > max_objects)
        min_objects = max_objects;
    for (; min_objects > 1; min_objects--) {
        for (unsigned int fract = 16; fract >= 4; fract /= 2) {
            unsigned int order = calc_slab_order(size, min_objects, SLAB_COSTLY_ORDER, fract);
            if (order <= SLAB_COSTLY_ORDER)
                return (int)order;
        }
    }
    unsigned int order = calc_slab_order(size, 1, SLAB_COSTLY_ORDER, 1);
    if (order <= SLAB_COSTLY_ORDER)
        return (int)order;
    order = calc_slab_order(size, 1, MAX_ORDER - 1, 1);
    return order < MAX_ORDER ? (int)order : -1;
}

/* Cache-line alignment only as far as it does not waste most of a line. */
static unsigned int calculate_alignment(unsigned long flags, unsigned int align, unsigned int size)
{
    if (flags & SLAB_HWCACHE_ALIGN) {
        unsigned int ralign = CACHE_LINE_SIZE;
        while (size <= ralign / 2)
            ralign /= 2;
        if (ralign > align)
            align = ralign;
    }
    if (align < SLAB_MIN_ALIGN)
        align = SLAB_MIN_ALIGN;
    return (unsigned int)align_up(align, SLAB_MIN_ALIGN);
}

/*
 * Lay out a slot. A constructed object must keep its constructed state
 * while free, so caches with a ctor keep the free pointer after the object
 * instead of in its first word.
 */
static int init_cache(struct kmem_cache *s, const char *name, unsigned int size, unsigned int align,
                      unsigned long flags, void (*ctor)(void *))
{
    if (!name || strlen(name) >= SLAB_NAME_MAX || size == 0 || size > KMALLOC_MAX_SIZE)
        return -EINVAL;
    if ((align & (align - 1)) || align > PAGE_SIZE)
        return -EINVAL;
    memset(s, 0, sizeof(*s));
    strcpy(s->name, name);
    s->object_size = size;
    s->flags = flags;
    s->ctor = ctor;
    s->align = calculate_alignment(flags, align, size);
    unsigned long slot = align_up(size, SLAB_MIN_ALIGN);
    s->offset = ctor ? (unsigned int)slot : 0;
    if (ctor)
        slot += sizeof(void *);
    s->size = (unsigned int)align_up(slot, s->align);
    int order = calculate_order(s->size);
    if (order < 0)
        return -EINVAL;
    s->order = (unsigned int)order;
    s->objects = (unsigned int)((PAGE_SIZE << order) / s->size);
    INIT_LIST_HEAD(&s->full);
    INIT_LIST_HEAD(&s->partial);
    INIT_LIST_HEAD(&s->free);
    INIT_LIST_HEAD(&s->list);
    return 0;
}

/* ---- slab pages ---- */

static void **free_pointer(const struct kmem_cache *s, void *obj)
{
    return (void **)((char *)obj + s->offset);
}

/* The slab's first page; every page of a slab stores its distance to it. */
static struct page *slab_head(struct page *page)
{
    return page - page->private;
}

static bool addr_in_direct_map(const void *addr)
{
    const unsigned char *a = addr;
    return direct_map && a >= direct_map && a < direct_map + (max_pfn << PAGE_SHIFT);
}

struct kmem_cache *virt_to_cache(const void *addr)
{
    if (!addr_in_direct_map(addr))
        return NULL;
    struct page *page = virt_to_page(addr);
    if (!PageFlag(page, PG_slab))
        return NULL;
    return slab_head(page)->slab_cache;
}

static void account_slab_pages(const struct kmem_cache *s, long pages)
{
    if (s->flags & SLAB_RECLAIM_ACCOUNT)
        reclaimable_pages += (unsigned long)pages;
    else
        unreclaimable_pages += (unsigned long)pages;
}

/* Which list a slab belongs on follows from how many objects are out. */
static struct list_head *slab_list(struct kmem_cache *s, struct page *slab, unsigned long **count)
{
    if (slab->inuse == 0) {
        *count = &s->nr_free;
        return &s->free;
    }
    if (slab->inuse == slab->objects) {
        *count = &s->nr_full;
        return &s->full;
    }
    *count = &s->nr_partial;
    return &s->partial;
}

static void slab_link(struct kmem_cache *s, struct page *slab)
{
    unsigned long *count;
    list_add(&slab->lru, slab_list(s, slab, &count));
    (*count)++;
}

static void slab_unlink(struct kmem_cache *s, struct page *slab)
{
    unsigned long *count;
    slab_list(s, slab, &count);
    list_del(&slab->lru);
    (*count)--;
}

static void mark_slab_pages(struct kmem_cache *s, struct page *head)
{
    for (unsigned long i = 0; i < (1UL << s->order); i++) {
        SetPageFlag(head + i, PG_slab);
        head[i].private = i;
        head[i].slab_cache = s;
    }
}

/* A new slab: every slot on the freelist in address order, constructed. */
static struct page *new_slab(struct kmem_cache *s, gfp_t gfp)
{
    struct page *head = alloc_pages_noprof(
        (gfp & (__GFP_DMA | __GFP_DMA32 | __GFP_RECLAIM)) | __GFP_NOINJECT, s->order);
    if (!head)
        return NULL;
    mark_slab_pages(s, head);
    char *base = page_address(head);
    head->inuse = 0;
    head->objects = s->objects;
    head->freelist = base;
    for (unsigned int i = 0; i < s->objects; i++) {
        void *obj = base + (size_t)i * s->size;
        if (s->ctor)
            s->ctor(obj);
        *free_pointer(s, obj) = i + 1 < s->objects ? base + (size_t)(i + 1) * s->size : NULL;
    }
    account_slab_pages(s, 1L << s->order);
    slab_link(s, head);
    return head;
}

static void discard_slab(struct kmem_cache *s, struct page *slab)
{
    slab_unlink(s, slab);
    for (unsigned long i = 0; i < (1UL << s->order); i++) {
        ClearPageFlag(slab + i, PG_slab);
        slab[i].private = 0;
        slab[i].slab_cache = NULL;
    }
    slab->freelist = NULL;
    slab->inuse = slab->objects = 0;
    account_slab_pages(s, -(1L << s->order));
    __free_pages(slab, s->order);
}

/* ---- objects ---- */

/* Partly used slabs first, to keep the number of slabs down. */
static struct page *slab_with_room(struct kmem_cache *s, gfp_t gfp)
{
    if (!list_empty(&s->partial))
        return list_first_entry(&s->partial, struct page, lru);
    if (!list_empty(&s->free))
        return list_first_entry(&s->free, struct page, lru);
    return new_slab(s, gfp);
}

void *kmem_cache_alloc_noprof(struct kmem_cache *s, gfp_t gfp)
{
    if (!s || should_fail_alloc(gfp))
        return NULL;
    struct page *slab = slab_with_room(s, gfp);
    if (!slab)
        return NULL;
    void *obj = slab->freelist;
    slab_unlink(s, slab);
    slab->freelist = *free_pointer(s, obj);
    slab->inuse++;
    slab_link(s, slab);
    s->active_objs++;
    if (gfp & __GFP_ZERO)
        memset(obj, 0, s->object_size);
    return obj;
}

/* Reject what cannot be an allocated object of s, loudly, as SLUB does. */
static struct page *object_slab(struct kmem_cache *s, const void *obj)
{
    if (virt_to_cache(obj) != s) {
        fprintf(stderr, "kmem_cache_free(%s): %p is not an object of this cache\n", s->name, obj);
        return NULL;
    }
    struct page *slab = slab_head(virt_to_page(obj));
    size_t off = (size_t)((const char *)obj - (const char *)page_address(slab));
    if (off % s->size || off / s->size >= slab->objects) {
        fprintf(stderr, "kmem_cache_free(%s): %p is not the start of an object\n", s->name, obj);
        return NULL;
    }
    if (slab->freelist == obj || slab->inuse == 0) {
        fprintf(stderr, "kmem_cache_free(%s): double free of %p\n", s->name, obj);
        return NULL;
    }
    return slab;
}

void kmem_cache_free(struct kmem_cache *s, void *obj)
{
    if (!s || !obj)
        return;
    struct page *slab = object_slab(s, obj);
    if (!slab)
        return;
    slab_unlink(s, slab);
    *free_pointer(s, obj) = slab->freelist;
    slab->freelist = obj;
    slab->inuse--;
    slab_link(s, slab);
    s->active_objs--;
    /* An empty slab is kept for reuse, but only a few: the rest go back. */
    if (slab->inuse == 0 && s->nr_free > SLAB_FREE_RESERVE)
        discard_slab(s, list_entry(s->free.prev, struct page, lru));
}

unsigned long kmem_cache_shrink(struct kmem_cache *s)
{
    unsigned long pages = 0;
    if (!s)
        return 0;
    while (!list_empty(&s->free)) {
        discard_slab(s, list_first_entry(&s->free, struct page, lru));
        pages += 1UL << s->order;
    }
    return pages;
}

/*
 * Every cache gives its empty slabs back, as writing 2 to Linux's
 * drop_caches does for slab: what stays is exactly what holds objects.
 */
unsigned long kmem_cache_shrink_all(void)
{
    unsigned long pages = 0;
    struct kmem_cache *s;
    list_for_each_entry(s, &slab_caches, list)
    {
        pages += kmem_cache_shrink(s);
    }
    return pages;
}

/* Teardown only: give back every slab, whatever is still allocated in it. */
static void release_all_slabs(struct kmem_cache *s)
{
    struct list_head *lists[] = {&s->full, &s->partial, &s->free};
    for (int i = 0; i < 3; i++) {
        while (!list_empty(lists[i])) {
            struct page *slab = list_first_entry(lists[i], struct page, lru);
            slab_unlink(s, slab);
            slab->inuse = 0; /* now it counts as free */
            slab_link(s, slab);
            discard_slab(s, slab);
        }
    }
    s->active_objs = 0;
}

/* ---- caches ---- */

struct kmem_cache *kmem_cache_create_noprof(const char *name, unsigned int size, unsigned int align,
                                            unsigned long flags, void (*ctor)(void *))
{
    if (!kmem_cache)
        return NULL;
    struct kmem_cache *s = kmem_cache_alloc_noprof(kmem_cache, GFP_KERNEL | __GFP_ZERO);
    if (!s)
        return NULL;
    if (init_cache(s, name, size, align, flags, ctor)) {
        kmem_cache_free(kmem_cache, s);
        return NULL;
    }
    list_add(&s->list, &slab_caches); /* newest first, as /proc/slabinfo lists */
    return s;
}

void kmem_cache_destroy(struct kmem_cache *s)
{
    if (!s)
        return;
    if (s == kmem_cache) {
        fprintf(stderr, "kmem_cache_destroy: the cache of caches goes only at exit\n");
        return;
    }
    if (s->active_objs) {
        fprintf(stderr, "kmem_cache_destroy %s: Slab cache still has objects (%lu)\n", s->name,
                s->active_objs);
        return;
    }
    kmem_cache_shrink(s);
    list_del(&s->list);
    kmem_cache_free(kmem_cache, s);
}

/* Move a whole list to a new head, which may live somewhere else. */
static void move_list(struct list_head *from, struct list_head *to)
{
    INIT_LIST_HEAD(to);
    if (list_empty(from))
        return;
    to->next = from->next;
    to->prev = from->prev;
    to->next->prev = to;
    to->prev->next = to;
    INIT_LIST_HEAD(from);
}

/* Re-home a descriptor: its slab lists and every slab page follow it. */
static void move_cache(struct kmem_cache *from, struct kmem_cache *to)
{
    memcpy(to, from, sizeof(*to));
    move_list(&from->full, &to->full);
    move_list(&from->partial, &to->partial);
    move_list(&from->free, &to->free);
    INIT_LIST_HEAD(&to->list);
    struct list_head *lists[] = {&to->full, &to->partial, &to->free};
    struct page *slab;
    for (int i = 0; i < 3; i++) {
        list_for_each_entry(slab, lists[i], lru)
        {
            mark_slab_pages(to, slab);
        }
    }
}

/*
 * The cache of caches cannot allocate its own descriptor before it exists:
 * start it in static storage, allocate the real descriptor from it, and
 * move everything over, as Linux's bootstrap() does.
 */
static int bootstrap_kmem_cache(void)
{
    static struct kmem_cache boot_kmem_cache;
    int err = init_cache(&boot_kmem_cache, "kmem_cache", sizeof(struct kmem_cache), 0,
                         SLAB_HWCACHE_ALIGN, NULL);
    if (err)
        return err;
    struct kmem_cache *s = kmem_cache_alloc_noprof(&boot_kmem_cache, GFP_KERNEL | __GFP_ZERO);
    if (!s)
        return -ENOMEM;
    move_cache(&boot_kmem_cache, s);
    memset(&boot_kmem_cache, 0, sizeof(boot_kmem_cache));
    list_add(&s->list, &slab_caches);
    kmem_cache = s;
    return 0;
}

/* The reverse: the descriptor lives in a slab about to go, so move it out. */
static void teardown_kmem_cache(void)
{
    struct kmem_cache last;
    list_del(&kmem_cache->list);
    move_cache(kmem_cache, &last);
    kmem_cache = NULL;
    release_all_slabs(&last);
}

int kmem_cache_init(void)
{
    if (kmem_cache)
        return -EBUSY;
    int err = bootstrap_kmem_cache();
    if (err)
        return err;
    err = kmalloc_caches_init();
    if (err) {
        teardown_kmem_cache();
        return err;
    }
    return 0;
}

void kmem_cache_exit(void)
{
    if (!kmem_cache)
        return;
    vmalloc_exit();
    kmalloc_caches_exit();
    struct kmem_cache *s, *n;
    list_for_each_entry_safe(s, n, &slab_caches, list)
    {
        if (s == kmem_cache)
            continue;
        if (s->active_objs)
            fprintf(stderr, "kmem_cache_exit: %s still has %lu objects in use\n", s->name,
                    s->active_objs);
        else
            fprintf(stderr, "kmem_cache_exit: cache %s was never destroyed\n", s->name);
        release_all_slabs(s);
        list_del(&s->list);
        kmem_cache_free(kmem_cache, s);
    }
    teardown_kmem_cache();
}

/* ---- reports ---- */

const char *kmem_cache_name(const struct kmem_cache *s)
{
    return s->name;
}

unsigned int kmem_cache_size(const struct kmem_cache *s)
{
    return s->object_size;
}

void get_slabinfo(struct kmem_cache *s, struct slabinfo *info)
{
    memset(info, 0, sizeof(*info));
    unsigned long slabs = s->nr_full + s->nr_partial + s->nr_free;
    info->active_objs = s->active_objs;
    info->num_objs = slabs * s->objects;
    info->active_slabs = slabs; /* SLUB reports every slab as active */
    info->num_slabs = slabs;
    info->objects_per_slab = s->objects;
    info->cache_order = s->order;
    info->nr_full = s->nr_full;
    info->nr_partial = s->nr_partial;
    info->nr_free = s->nr_free;
}

unsigned long slab_reclaimable_pages(void)
{
    return reclaimable_pages;
}

unsigned long slab_unreclaimable_pages(void)
{
    return unreclaimable_pages + kmalloc_large_pages();
}

void slabinfo_show(struct seq *m)
{
    seq_printf(m, "slabinfo - version: 2.1\n");
    seq_printf(m, "# name            <active_objs> <num_objs> <objsize> <objperslab> "
                  "<pagesperslab> : tunables <limit> <batchcount> <sharedfactor> : slabdata "
                  "<active_slabs> <num_slabs> <sharedavail>\n");
    struct kmem_cache *s;
    list_for_each_entry(s, &slab_caches, list)
    {
        struct slabinfo i;
        get_slabinfo(s, &i);
        seq_printf(m, "%-17s %6lu %6lu %6u %4u %4d", s->name, i.active_objs, i.num_objs, s->size,
                   i.objects_per_slab, 1 << i.cache_order);
        seq_printf(m, " : tunables %4u %4u %4u", i.limit, i.batchcount, i.shared);
        seq_printf(m, " : slabdata %6lu %6lu %6lu\n", i.active_slabs, i.num_slabs, i.shared_avail);
    }
}
