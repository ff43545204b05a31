/*
 * Page counts by use. Rather than keep a counter beside every change of a
 * page's state, vmemu counts struct pages when asked: the flags and the
 * mapping say what each frame is, so the counts cannot drift from the
 * truth. Free pages, slab, page tables and the LRU lists (lru.c) have
 * exact counters of their own. A pass over mem_map costs about a
 * millisecond per GiB of guest RAM.
 */
#include "vmstat.h"

#include <stdlib.h>

#include "array_size.h"
#include "internal.h"
#include "mmap.h"
#include "pgtable.h"
#include "seq.h"
#include "slab.h"

static unsigned long vm_events[NR_VM_EVENT_ITEMS];
static unsigned long node_cumulative[NR_VM_NODE_STAT_ITEMS]; /* cumulative_items below */

static const char *const zone_stat_names[NR_VM_ZONE_STAT_ITEMS] = {
    "nr_free_pages",         "nr_zone_inactive_anon",
    "nr_zone_active_anon",   "nr_zone_inactive_file",
    "nr_zone_active_file",   "nr_zone_unevictable",
    "nr_zone_write_pending", "nr_mlock",
};

static const char *const node_stat_names[NR_VM_NODE_STAT_ITEMS] = {
    "nr_inactive_anon",
    "nr_active_anon",
    "nr_inactive_file",
    "nr_active_file",
    "nr_unevictable",
    "nr_slab_reclaimable",
    "nr_slab_unreclaimable",
    "workingset_refault_anon",
    "workingset_refault_file",
    "workingset_activate_anon",
    "workingset_activate_file",
    "workingset_restore_anon",
    "workingset_restore_file",
    "nr_anon_pages",
    "nr_mapped",
    "nr_file_pages",
    "nr_dirty",
    "nr_writeback",
    "nr_shmem",
    "nr_dirtied",
    "nr_written",
    "nr_kernel_stack",
    "nr_page_table_pages",
    "nr_swapcached",
};

static const char *const vm_event_names[NR_VM_EVENT_ITEMS] = {
    "pgpgin",
    "pgpgout",
    "pswpin",
    "pswpout",
    "pgalloc_dma",
    "pgalloc_dma32",
    "pgalloc_normal",
    "allocstall_dma",
    "allocstall_dma32",
    "allocstall_normal",
    "pgfree",
    "pgactivate",
    "pgdeactivate",
    "pglazyfree",
    "pgfault",
    "pgmajfault",
    "pglazyfreed",
    "pgrefill",
    "pgsteal_kswapd",
    "pgsteal_direct",
    "pgscan_kswapd",
    "pgscan_direct",
    "pgscan_anon",
    "pgscan_file",
    "pgsteal_anon",
    "pgsteal_file",
    "pageoutrun",
    "pgrotated",
    "drop_pagecache",
    "oom_kill",
    "unevictable_pgs_culled",
    "unevictable_pgs_mlocked",
    "unevictable_pgs_munlocked",
    "swap_ra",
    "swap_ra_hit",
    "pgcache_hit",
    "pgcache_miss",
    "pgreadahead",
};

const char *zone_stat_name(enum zone_stat_item item)
{
    return zone_stat_names[item];
}

const char *node_stat_name(enum node_stat_item item)
{
    return node_stat_names[item];
}

const char *vm_event_name(enum vm_event_item item)
{
    return vm_event_names[item];
}

void count_vm_event(enum vm_event_item item)
{
    vm_events[item]++;
}

void count_vm_events(enum vm_event_item item, unsigned long n)
{
    vm_events[item] += n;
}

void node_stat_add(enum node_stat_item item, unsigned long n)
{
    node_cumulative[item] += n;
}

void vm_events_reset(void)
{
    for (int i = 0; i < NR_VM_EVENT_ITEMS; i++)
        vm_events[i] = 0;
    for (int i = 0; i < NR_VM_NODE_STAT_ITEMS; i++)
        node_cumulative[i] = 0;
}

/*
 * Anonymous memory is AnonPages while mapped, and SwapCached while in the
 * swap cache (which Linux counts in the page cache too). Shmem (shared
 * anonymous memory) is swap-backed like it but counted as page cache:
 * Cached, Shmem, Mapped.
 */
static void count_anon_page(struct vm_counts *c, const struct page *p)
{
    if (PageFlag(p, PG_swapcache)) {
        c->node[NR_SWAPCACHE]++;
        c->node[NR_FILE_PAGES]++;
    }
    if (PageFlag(p, PG_shmem)) {
        c->node[NR_SHMEM]++;
        c->node[NR_FILE_PAGES]++;
        if (p->mapcount > 0)
            c->node[NR_FILE_MAPPED]++;
    } else if (p->mapcount > 0) {
        c->node[NR_ANON_MAPPED]++;
    }
}

/* A page-cache page: Mapped while a PTE maps it, and its dirty and writeback state. */
static void count_file_page(struct vm_counts *c, const struct page *p, int z)
{
    c->node[NR_FILE_PAGES]++;
    if (p->mapcount > 0)
        c->node[NR_FILE_MAPPED]++;
    if (PageFlag(p, PG_dirty))
        c->node[NR_FILE_DIRTY]++;
    if (PageFlag(p, PG_writeback))
        c->node[NR_WRITEBACK]++;
    if (PageFlag(p, PG_dirty) || PageFlag(p, PG_writeback))
        c->zone[z][NR_ZONE_WRITE_PENDING]++;
}

/*
 * Slab pages keep their cache pointer where others keep mapping, and free,
 * reserved and table frames are counted elsewhere: look at them no further.
 */
static void count_user_pages(struct vm_counts *c)
{
    const unsigned long skip =
        (1UL << PG_slab) | (1UL << PG_buddy) | (1UL << PG_reserved) | (1UL << PG_pgtable);
    for (unsigned long pfn = 0; pfn < max_pfn; pfn++) {
        const struct page *p = &mem_map[pfn];
        unsigned long deferred = pfn_deferred_span(pfn); /* free or reserved: not counted */
        if (deferred) {
            pfn += deferred - 1;
            continue;
        }
        if (PageFlag(p, PG_buddy)) { /* a free block's head: the whole block is free */
            pfn += (1UL << p->private) - 1;
            continue;
        }
        if (p->flags & skip)
            continue;
        int z = (int)(page_zone(p) - contig_page_data.node_zones);
        if (PageFlag(p, PG_mlocked))
            c->zone[z][NR_MLOCK]++;
        if (PageFlag(p, PG_anon) || PageFlag(p, PG_shmem))
            count_anon_page(c, p);
        else if (p->mapping)
            count_file_page(c, p, z);
    }
}

/* The LRU lists' lengths, per zone and for the node: the lists keep them exact. */
static void count_lru_pages(struct vm_counts *c)
{
    static const int zone_item[NR_LRU_LISTS] = {NR_ZONE_INACTIVE_ANON, NR_ZONE_ACTIVE_ANON,
                                                NR_ZONE_INACTIVE_FILE, NR_ZONE_ACTIVE_FILE,
                                                NR_ZONE_UNEVICTABLE};
    static const int node_item[NR_LRU_LISTS] = {NR_INACTIVE_ANON, NR_ACTIVE_ANON, NR_INACTIVE_FILE,
                                                NR_ACTIVE_FILE, NR_UNEVICTABLE};
    for (int l = 0; l < NR_LRU_LISTS; l++) {
        c->node[node_item[l]] = node_lruvec.nr[l];
        for (int z = 0; z < MAX_NR_ZONES; z++)
            c->zone[z][zone_item[l]] = node_lruvec.zone_nr[z][l];
    }
}

/* Node items kept as running totals (everything else is counted). */
static const enum node_stat_item cumulative_items[] = {
    NR_DIRTIED,
    NR_WRITTEN,
    WORKINGSET_REFAULT_ANON,
    WORKINGSET_REFAULT_FILE,
    WORKINGSET_ACTIVATE_ANON,
    WORKINGSET_ACTIVATE_FILE,
    WORKINGSET_RESTORE_ANON,
    WORKINGSET_RESTORE_FILE,
};

unsigned long node_stat_get(enum node_stat_item item)
{
    return node_cumulative[item];
}

void vm_counts_collect(struct vm_counts *c)
{
    *c = (struct vm_counts){0};
    if (mem_map) {
        count_user_pages(c);
        count_lru_pages(c);
    }
    for (int z = 0; z < MAX_NR_ZONES; z++)
        c->zone[z][NR_FREE_PAGES] = contig_page_data.node_zones[z].free_pages;
    c->node[NR_SLAB_RECLAIMABLE] = slab_reclaimable_pages();
    c->node[NR_SLAB_UNRECLAIMABLE] = slab_unreclaimable_pages();
    c->node[NR_PAGETABLE] = nr_pagetable_pages();
    for (size_t i = 0; i < ARRAY_SIZE(cumulative_items); i++)
        c->node[cumulative_items[i]] = node_cumulative[cumulative_items[i]];
    for (int i = 0; i < NR_VM_EVENT_ITEMS; i++)
        c->events[i] = vm_events[i];
    c->events[PGALLOC_DMA] = contig_page_data.node_zones[ZONE_DMA].pgalloc;
    c->events[PGALLOC_DMA32] = contig_page_data.node_zones[ZONE_DMA32].pgalloc;
    c->events[PGALLOC_NORMAL] = contig_page_data.node_zones[ZONE_NORMAL].pgalloc;
    c->events[PGFREE] = pgfree_count;
}

/* ---- /proc/zoneinfo, laid out as Linux 6.1 lays it out ---- */

static void zoneinfo_node_stats(struct seq *s, const struct vm_counts *c)
{
    seq_printf(s, "\n  per-node stats");
    for (int i = 0; i < NR_VM_NODE_STAT_ITEMS; i++)
        seq_printf(s, "\n      %-12s %lu", node_stat_name(i), c->node[i]);
}

static void zoneinfo_sizes(struct seq *s, const struct zone *zone)
{
    seq_printf(s,
               "\n  pages free     %lu"
               "\n        boost    0"
               "\n        min      %lu"
               "\n        low      %lu"
               "\n        high     %lu"
               "\n        spanned  %lu"
               "\n        present  %lu"
               "\n        managed  %lu"
               "\n        cma      0",
               zone->free_pages, zone->watermark[WMARK_MIN], zone->watermark[WMARK_LOW],
               zone->watermark[WMARK_HIGH], zone->spanned_pages, zone->present_pages,
               zone->managed_pages);
    /* No lowmem_reserve: a lower zone keeps nothing back from higher ones. */
    seq_printf(s, "\n        protection: (0");
    for (int z = 1; z < MAX_NR_ZONES; z++)
        seq_printf(s, ", 0");
    seq_printf(s, ")");
}

/* One CPU without per-CPU page lists: nothing is ever cached there. */
static void zoneinfo_tail(struct seq *s, const struct zone *zone)
{
    seq_printf(s,
               "\n  pagesets"
               "\n    cpu: 0"
               "\n              count: 0"
               "\n              high:  0"
               "\n              batch: 1"
               "\n  vm stats threshold: 0"
               "\n  node_unreclaimable:  0"
               "\n  start_pfn:           %lu\n",
               zone->zone_start_pfn);
}

void zoneinfo_show(struct seq *s)
{
    struct vm_counts c;
    vm_counts_collect(&c);
    bool node_shown = false;
    for (int z = 0; z < MAX_NR_ZONES; z++) {
        const struct zone *zone = &contig_page_data.node_zones[z];
        seq_printf(s, "Node 0, zone %8s", zone->name);
        /* The node's own figures go with its first populated zone. */
        if (zone->present_pages && !node_shown) {
            zoneinfo_node_stats(s, &c);
            node_shown = true;
        }
        zoneinfo_sizes(s, zone);
        if (!zone->present_pages) {
            seq_printf(s, "\n");
            continue;
        }
        for (int i = 0; i < NR_VM_ZONE_STAT_ITEMS; i++)
            seq_printf(s, "\n      %-12s %lu", zone_stat_name(i), c.zone[z][i]);
        zoneinfo_tail(s, zone);
    }
}

int zone_summaries(struct zone_summary out[MAX_NR_ZONES])
{
    int n = 0;
    for (int z = 0; z < MAX_NR_ZONES; z++) {
        const struct zone *zone = &contig_page_data.node_zones[z];
        if (!zone->managed_pages)
            continue;
        out[n] = (struct zone_summary){zone->name, zone->managed_pages, zone->free_pages, {0}};
        for (int o = 0; o < MAX_ORDER; o++)
            out[n].nr_free[o] = zone->free_area[o].nr_free;
        n++;
    }
    return n;
}

/* What a frame holds, as the frame map names it; *span frames of it from here. */
static const char *frame_kind(unsigned long pfn, unsigned long *span)
{
    struct page scratch;
    const struct page *p = pfn_page_peek(pfn, &scratch);
    *span = 1;
    if (PageFlag(p, PG_buddy)) {
        *span = 1UL << p->private; /* the head of a free block of that order */
        return "free";
    }
    if (PageFlag(p, PG_reserved))
        return "reserved";
    if (PageFlag(p, PG_slab))
        return "slab";
    if (PageFlag(p, PG_pgtable))
        return "pagetable";
    if (PageFlag(p, PG_anon))
        return PageFlag(p, PG_shmem) ? "shmem" : "anon";
    if (p->mapping)
        return "file";
    return "kernel"; /* kmalloc's large blocks, vmalloc, pipes, the zero page */
}

unsigned long frame_map_walk(void (*emit)(const char *kind, unsigned long len, void *arg),
                             void *arg)
{
    const char *run = NULL;
    unsigned long len = 0;
    for (unsigned long pfn = 0; pfn < max_pfn;) {
        unsigned long span;
        const char *kind = frame_kind(pfn, &span);
        if (span > max_pfn - pfn)
            span = max_pfn - pfn;
        if (run && kind != run) {
            emit(run, len, arg);
            len = 0;
        }
        run = kind;
        len += span;
        pfn += span;
    }
    if (run)
        emit(run, len, arg);
    return max_pfn;
}
