/*
 * Physical memory: guest RAM as one private anonymous host mapping (the
 * direct map), the struct page array (mem_map) placed inside that RAM, the
 * zones and their watermarks, and the hand-over of every unreserved frame
 * to the buddy allocator, deferred a section at a time to when it is needed
 * (deferred_init.c). This plays the part of Linux's memblock +
 * free_area_init + memblock_free_all + init_per_zone_wmark_min at boot.
 *
 * It also keeps the host's side of guest RAM (host_* below), which Linux
 * has no need for: a page the host was never asked for reads as zero and
 * costs a host page fault on its first touch. So the host is asked for
 * guest RAM a chunk (2 MiB) at a time, the first time the buddy allocator
 * hands out a frame in it (one MADV_POPULATE_WRITE instead of 512 faults),
 * and a frame never handed out since RAM was mapped is known to be zero, so
 * __GFP_ZERO does not clear it a second time. mem_map's own pages are
 * backed as the sections' struct pages are first written. Guest RAM is
 * private memory, not a memfd, because the host provides it for less (a
 * memfd page goes through shmem's page cache: touching 2 GiB of guest
 * memory took 1.8 s of CPU with a memfd, 1.3 s without); the frames vmalloc
 * maps a second time move into a memfd while it holds them (phys_alias.c).
 * Invariants: a pristine frame has never been
 * handed out (phys_prepare_frames sets its used bit before its caller can
 * write the frame) and nothing but the buddy allocator hands frames out;
 * bits only ever go from pristine to used.
 */
#define _GNU_SOURCE
#include "mmzone.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

struct pglist_data contig_page_data;
struct page *mem_map;
unsigned long max_pfn;
unsigned char *direct_map;
unsigned long pgfree_count;

static uint64_t ram_size;

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23 /* Linux 5.14 */
#endif
#define HOST_CHUNK_SHIFT 21 /* 2 MiB: the unit the host is asked to back */
#define BITS_PER_WORD (8 * sizeof(unsigned long))

static unsigned long *host_used;   /* per frame: handed out once (else still zero) */
static unsigned long *host_backed; /* per chunk: the host was asked to back it */
static size_t host_used_bytes, host_backed_bytes;
static unsigned long host_clears; /* frames __GFP_ZERO had to clear */

static const char *const zone_names[MAX_NR_ZONES] = {"DMA", "DMA32", "Normal"};
static const unsigned long zone_end_limit[MAX_NR_ZONES] = {ZONE_DMA_END_PFN, ZONE_DMA32_END_PFN,
                                                           ~0UL};

#define WATERMARK_SCALE_FACTOR 10 /* vm.watermark_scale_factor's default */

uint64_t phys_ram_bytes(void)
{
    return ram_size;
}

void *phys_ram_base(void)
{
    return direct_map;
}

/* Floor of the square root, as the kernel's int_sqrt. */
static unsigned long int_sqrt(unsigned long x)
{
    unsigned long lo = 0, hi = x < 2 ? x : x / 2 + 1;
    while (lo < hi) {
        unsigned long mid = lo + (hi - lo + 1) / 2;
        if (mid <= x / mid)
            lo = mid;
        else
            hi = mid - 1;
    }
    return lo;
}

/* Frames mem_map itself occupies at the start of RAM. */
static unsigned long mem_map_frames(unsigned long nr_frames)
{
    return (unsigned long)PAGE_ALIGN(nr_frames * sizeof(struct page)) >> PAGE_SHIFT;
}

/* Zone spans by frame number; a zone past the end of RAM stays empty. */
static void init_zones(unsigned long reserved)
{
    unsigned long start = 0;
    for (int z = 0; z < MAX_NR_ZONES; z++) {
        struct zone *zone = &contig_page_data.node_zones[z];
        unsigned long end = zone_end_limit[z] < max_pfn ? zone_end_limit[z] : max_pfn;
        if (end < start)
            end = start;
        zone->name = zone_names[z];
        zone->zone_start_pfn = start;
        zone->spanned_pages = end - start;
        zone->present_pages = end - start; /* one RAM bank: no holes */
        unsigned long res_end = reserved < end ? reserved : end;
        unsigned long res = res_end > start ? res_end - start : 0;
        zone->managed_pages = zone->present_pages - res;
        for (int o = 0; o < MAX_ORDER; o++)
            INIT_LIST_HEAD(&zone->free_area[o].free_list);
        start = end;
    }
    contig_page_data.node_start_pfn = 0;
    contig_page_data.node_present_pages = max_pfn;
}

/*
 * Watermarks as Linux sets them at boot: min_free_kbytes grows with the
 * square root of low memory, each zone gets a share of it proportional to
 * its managed pages, and low/high sit one and two steps above min, the step
 * being the larger of min/4 and watermark_scale_factor/10000 of the zone.
 */
static void setup_watermarks(void)
{
    unsigned long lowmem_pages = 0;
    for (int z = 0; z < MAX_NR_ZONES; z++)
        lowmem_pages += contig_page_data.node_zones[z].managed_pages;

    unsigned long min_free_kbytes = int_sqrt(lowmem_pages * (PAGE_SIZE >> 10) * 16);
    if (min_free_kbytes < 128)
        min_free_kbytes = 128;
    if (min_free_kbytes > 262144)
        min_free_kbytes = 262144;
    unsigned long pages_min = min_free_kbytes >> (PAGE_SHIFT - 10);

    for (int z = 0; z < MAX_NR_ZONES; z++) {
        struct zone *zone = &contig_page_data.node_zones[z];
        unsigned long managed = zone->managed_pages;
        unsigned long min = lowmem_pages ? pages_min * managed / lowmem_pages : 0;
        unsigned long step = managed * WATERMARK_SCALE_FACTOR / 10000;
        if (min / 4 > step)
            step = min / 4;
        zone->watermark[WMARK_MIN] = min;
        zone->watermark[WMARK_LOW] = min + step;
        zone->watermark[WMARK_HIGH] = min + 2 * step;
    }
}

static bool test_bit_in(const unsigned long *map, unsigned long n)
{
    return (map[n / BITS_PER_WORD] >> (n % BITS_PER_WORD)) & 1;
}

static void assign_bit_in(unsigned long *map, unsigned long n, bool on)
{
    unsigned long mask = 1UL << (n % BITS_PER_WORD);
    if (on)
        map[n / BITS_PER_WORD] |= mask;
    else
        map[n / BITS_PER_WORD] &= ~mask;
}

/*
 * Ask the host to back the chunks holding frames [pfn, pfn + nr) in one go.
 * A host that cannot (an old kernel, memory short) is asked once only: its
 * pages then come one fault at a time, as they would anyway.
 */
static void host_back(unsigned long pfn, unsigned long nr)
{
    unsigned long first = pfn >> (HOST_CHUNK_SHIFT - PAGE_SHIFT);
    unsigned long last = (pfn + nr - 1) >> (HOST_CHUNK_SHIFT - PAGE_SHIFT);
    for (unsigned long c = first; c <= last; c++) {
        if (test_bit_in(host_backed, c))
            continue;
        assign_bit_in(host_backed, c, true);
        uint64_t start = (uint64_t)c << HOST_CHUNK_SHIFT;
        uint64_t len = ram_size - start < (1ULL << HOST_CHUNK_SHIFT) ? ram_size - start
                                                                     : 1ULL << HOST_CHUNK_SHIFT;
        (void)madvise(direct_map + start, len, MADV_POPULATE_WRITE);
    }
}

void phys_prepare_frames(unsigned long pfn, unsigned long nr, bool zero)
{
    if (!host_used)
        return;
    host_back(pfn, nr);
    for (unsigned long f = pfn; f < pfn + nr; f++) {
        if (!test_bit_in(host_used, f)) {
            assign_bit_in(host_used, f, true);
        } else if (zero) {
            memset(direct_map + ((uint64_t)f << PAGE_SHIFT), 0, PAGE_SIZE);
            host_clears++;
        }
    }
}

unsigned long phys_frames_cleared(void)
{
    return host_clears;
}

void phys_back_memmap(unsigned long pfn, unsigned long nr)
{
    /* Exactly the pages of mem_map that will be written: a section's is much less than a chunk. */
    uint64_t first = (uint64_t)pfn * sizeof(struct page) & PAGE_MASK;
    uint64_t end = PAGE_ALIGN((uint64_t)(pfn + nr) * sizeof(struct page));
    if (nr)
        (void)madvise(direct_map + first, end - first, MADV_POPULATE_WRITE);
}

/*
 * Zero-filled bitmaps the host backs only where written (calloc's memory
 * may be reused and cleared: on a 16 GiB guest the frame bitmap is 512 KiB).
 */
static unsigned long *host_bitmap(unsigned long bits, size_t *bytes)
{
    *bytes = (bits / BITS_PER_WORD + 1) * sizeof(unsigned long);
    void *map = mmap(NULL, *bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return map == MAP_FAILED ? NULL : map;
}

static void host_exit(void)
{
    if (host_used)
        munmap(host_used, host_used_bytes);
    if (host_backed)
        munmap(host_backed, host_backed_bytes);
    host_used = host_backed = NULL;
}

/* Every frame pristine (mem_map's too: nothing hands them out) and no chunk backed yet. */
static int host_init(void)
{
    unsigned long chunks =
        (max_pfn + (1UL << (HOST_CHUNK_SHIFT - PAGE_SHIFT)) - 1) >> (HOST_CHUNK_SHIFT - PAGE_SHIFT);
    host_used = host_bitmap(max_pfn, &host_used_bytes);
    host_backed = host_bitmap(chunks, &host_backed_bytes);
    if (!host_used || !host_backed) {
        host_exit();
        return -ENOMEM;
    }
    host_clears = 0;
    return 0;
}

/*
 * RAM aligned to a chunk, so that a host whose transparent huge pages are
 * "always" can back a chunk with one huge page when it has one free. vmemu
 * does not ask for them (MADV_HUGEPAGE): with the usual defrag setting,
 * "madvise", that makes the host compact memory for each chunk, and a
 * 2 GiB guest took three times longer here (docs/performance.md).
 * MAP_NORESERVE: the host commits only what is backed, so --ram may exceed
 * the host's memory.
 */
static int map_ram(uint64_t ram_bytes)
{
    size_t chunk = 1UL << HOST_CHUNK_SHIFT;
    unsigned char *m = mmap(NULL, ram_bytes + chunk, PROT_READ | PROT_WRITE,
                            MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (m == MAP_FAILED)
        return -errno;
    unsigned char *base = (unsigned char *)(((uintptr_t)m + chunk - 1) & ~(uintptr_t)(chunk - 1));
    if (base > m)
        munmap(m, (size_t)(base - m));
    munmap(base + ram_bytes, (size_t)(m + chunk - base));
    direct_map = base;
    return 0;
}

int phys_init(uint64_t ram_bytes)
{
    if (ram_bytes < PHYS_MIN_RAM_BYTES || ram_bytes % PAGE_SIZE)
        return -EINVAL;
    if (ram_bytes / PAGE_SIZE > ~0UL / sizeof(struct page) || (off_t)ram_bytes < 0)
        return -EINVAL;
    if (direct_map)
        return -EBUSY;

    int err = map_ram(ram_bytes);
    if (err)
        return err;
    ram_size = ram_bytes;
    max_pfn = (unsigned long)(ram_bytes >> PAGE_SHIFT);
    mem_map = (struct page *)direct_map;
    pgfree_count = 0;
    memset(&contig_page_data, 0, sizeof(contig_page_data));

    unsigned long reserved = mem_map_frames(max_pfn);
    err = host_init();
    if (err) {
        phys_exit();
        return err;
    }
    init_zones(reserved);
    setup_watermarks();
    deferred_init_setup(reserved); /* the frees eager boot does, counted, not yet done */
    return 0;
}

void phys_exit(void)
{
    if (!direct_map)
        return;
    host_exit();
    munmap(direct_map, ram_size);
    phys_alias_exit();
    ram_size = 0;
    direct_map = NULL;
    mem_map = NULL;
    max_pfn = 0;
    pgfree_count = 0;
    memset(&contig_page_data, 0, sizeof(contig_page_data));
}
