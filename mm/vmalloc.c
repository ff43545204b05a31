/*
 * vmalloc: virtually contiguous memory built from scattered order-0
 * frames. The host address range plays the kernel's vmalloc space: one
 * window is reserved PROT_NONE, and each area maps its frames from the
 * memfd phys_alias.c moves them into while the area holds them, at their
 * physical offsets, so the same bytes are visible both through the direct
 * map and through the area. Areas keep one unmapped guard page after them,
 * as Linux's do, so an overrun faults.
 */
#define _GNU_SOURCE
#include "slab.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

struct vm_struct {
    struct list_head list; /* on vmap_areas, by address */
    unsigned long start;   /* offset in the window */
    unsigned long size;    /* bytes reserved, guard page included */
    struct page **pages;
    unsigned long nr_pages;
};

static unsigned char *window;
static unsigned long window_size;
static struct list_head vmap_areas = LIST_HEAD_INIT(vmap_areas);
static unsigned long nr_vmalloc_pages;

unsigned long vmalloc_used_pages(void)
{
    return nr_vmalloc_pages;
}

/*
 * Twice RAM is always enough room: no area can hold more frames than RAM
 * has, and the guard pages and holes take at most as much again.
 */
unsigned long vmalloc_total_bytes(void)
{
    return (unsigned long)phys_ram_bytes() * 2;
}

static int reserve_window(void)
{
    if (window)
        return 0;
    unsigned long size = vmalloc_total_bytes();
    if (!size)
        return -ENOMEM;
    void *w = mmap(NULL, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (w == MAP_FAILED)
        return -ENOMEM;
    window = w;
    window_size = size;
    return 0;
}

/* First fit over the sorted areas; returns the area to insert before. */
static struct list_head *find_gap(unsigned long size, unsigned long *start)
{
    unsigned long at = 0;
    struct vm_struct *va;
    list_for_each_entry(va, &vmap_areas, list)
    {
        if (va->start - at >= size) {
            *start = at;
            return &va->list;
        }
        at = va->start + va->size;
    }
    if (window_size - at < size)
        return NULL;
    *start = at;
    return &vmap_areas;
}

/* Put a range back to reserved, inaccessible address space. */
static int unmap_range(unsigned long start, unsigned long len)
{
    void *p = mmap(window + start, len, PROT_NONE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0);
    if (p != MAP_FAILED)
        return 0;
    /* Out of host mappings: at least cut off access to the frames. */
    return mprotect(window + start, len, PROT_NONE);
}

/* The run of physically consecutive frames starting at the area's page i. */
static unsigned long frame_run(const struct vm_struct *va, unsigned long i)
{
    unsigned long pfn = page_to_pfn(va->pages[i]), run = 1;
    while (i + run < va->nr_pages && page_to_pfn(va->pages[i + run]) == pfn + run)
        run++;
    return run;
}

/* Frames of the area's first n pages back to private memory (unmapped from the window first). */
static void unalias_pages(const struct vm_struct *va, unsigned long n)
{
    for (unsigned long i = 0, run; i < n; i += run) {
        run = frame_run(va, i);
        if (run > n - i)
            run = n - i;
        phys_unalias_frames(page_to_pfn(va->pages[i]), run);
    }
}

/* Map the frames, one mmap per run of physically consecutive ones; 0 or -ENOMEM. */
static int map_pages(const struct vm_struct *va)
{
    for (unsigned long i = 0, run; i < va->nr_pages; i += run) {
        run = frame_run(va, i);
        unsigned long pfn = page_to_pfn(va->pages[i]);
        void *want = window + va->start + i * PAGE_SIZE;
        bool aliased = phys_alias_frames(pfn, run) == 0;
        if (!aliased || mmap(want, run * PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
                             phys_alias_fd(), (off_t)(pfn << PAGE_SHIFT)) == MAP_FAILED) {
            if (aliased)
                phys_unalias_frames(pfn, run);
            if (i && unmap_range(va->start, i * PAGE_SIZE) == 0)
                unalias_pages(va, i);
            return -ENOMEM;
        }
    }
    return 0;
}

static void free_area_pages(struct vm_struct *va, unsigned long n)
{
    for (unsigned long i = 0; i < n; i++)
        __free_page(va->pages[i]);
}

static int alloc_area_pages(struct vm_struct *va, gfp_t gfp)
{
    for (unsigned long i = 0; i < va->nr_pages; i++) {
        va->pages[i] = alloc_pages_noprof(gfp, 0);
        if (!va->pages[i]) {
            free_area_pages(va, i);
            return -ENOMEM;
        }
    }
    return 0;
}

void *vmalloc_noprof(unsigned long size, gfp_t gfp)
{
    if (size == 0 || size > phys_ram_bytes() || reserve_window())
        return NULL;
    unsigned long nr = PAGE_ALIGN(size) >> PAGE_SHIFT;
    struct vm_struct *va = kmalloc_noprof(sizeof(*va), GFP_KERNEL | __GFP_ZERO);
    if (!va)
        return NULL;
    va->nr_pages = nr;
    va->size = (nr + 1) * PAGE_SIZE;
    va->pages = kmalloc_noprof(nr * sizeof(*va->pages), GFP_KERNEL);
    struct list_head *before = va->pages ? find_gap(va->size, &va->start) : NULL;
    if (!before)
        goto fail_area;
    if (alloc_area_pages(va, gfp))
        goto fail_area;
    if (map_pages(va))
        goto fail_pages;
    list_add_tail(&va->list, before); /* keeps the list sorted by address */
    nr_vmalloc_pages += nr;
    return window + va->start;

fail_pages:
    free_area_pages(va, nr);
fail_area:
    kfree(va->pages);
    kfree(va);
    return NULL;
}

static struct vm_struct *find_area(const void *addr)
{
    const unsigned char *a = addr;
    if (!window || a < window || a >= window + window_size)
        return NULL;
    unsigned long off = (unsigned long)(a - window);
    struct vm_struct *va;
    list_for_each_entry(va, &vmap_areas, list)
    {
        if (off >= va->start && off < va->start + va->size)
            return va;
    }
    return NULL;
}

struct page *vmalloc_to_page(const void *addr)
{
    struct vm_struct *va = find_area(addr);
    if (!va)
        return NULL;
    unsigned long idx =
        ((unsigned long)((const unsigned char *)addr - window) - va->start) >> PAGE_SHIFT;
    return idx < va->nr_pages ? va->pages[idx] : NULL; /* NULL in the guard page */
}

/* The area is out of the window already. */
static void release_area(struct vm_struct *va)
{
    list_del(&va->list);
    unalias_pages(va, va->nr_pages);
    free_area_pages(va, va->nr_pages);
    nr_vmalloc_pages -= va->nr_pages;
    kfree(va->pages);
    kfree(va);
}

void vfree(const void *addr)
{
    if (!addr)
        return;
    struct vm_struct *va = find_area(addr);
    if (!va || window + va->start != addr) {
        fprintf(stderr, "Trying to vfree() nonexistent vm area (%p)\n", addr);
        return;
    }
    /*
     * The frames must be unreachable through the window before they go
     * back; if the host refuses even that, keep them rather than alias.
     */
    if (unmap_range(va->start, va->nr_pages * PAGE_SIZE)) {
        fprintf(stderr, "vfree: cannot unmap %p; keeping its frames\n", addr);
        return;
    }
    release_area(va);
}

/*
 * Teardown: the whole window goes first, so no frame stays reachable from
 * it; then leaked areas are reported and their frames reclaimed.
 */
void vmalloc_exit(void)
{
    if (window)
        munmap(window, window_size);
    while (!list_empty(&vmap_areas)) {
        struct vm_struct *va = list_first_entry(&vmap_areas, struct vm_struct, list);
        fprintf(stderr, "vmalloc: %lu pages at %p never freed\n", va->nr_pages,
                (void *)(window + va->start));
        release_area(va);
    }
    window = NULL;
    window_size = 0;
}
