/*
 * Page counts by use. Rather than keep a counter beside every change of a
 * page's state, vmemu counts struct pages when asked: the flags and the
 * mapping say what each frame is, so the counts cannot drift from the
 * truth. Free pages, slab and page tables have exact counters of their own.
 * A pass over mem_map costs about a millisecond per GiB of guest RAM.
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
static unsigned long node_cumulative[NR_VM_NODE_STAT_ITEMS]; /* NR_DIRTIED, NR_WRITTEN */

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
    "pgpgin",  "pgpgout",    "pgalloc_dma", "pgalloc_dma32", "pgalloc_normal", "pgfree",
    "pgfault", "pgmajfault", "pgcache_hit", "pgcache_miss",  "pgreadahead",
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
 * Anonymous memory: on the anon LRU lists, in AnonPages while mapped. Shmem
 * (shared anonymous memory) is swap-backed too, so it sits on the anon
 * lists, but Linux counts it as page cache: Cached, Shmem, Mapped.
 */
static void count_anon_page(struct vm_counts *c, const struct page *p, int z)
{
    bool active = PageFlag(p, PG_active);
    c->zone[z][active ? NR_ZONE_ACTIVE_ANON : NR_ZONE_INACTIVE_ANON]++;
    c->node[active ? NR_ACTIVE_ANON : NR_INACTIVE_ANON]++;
    if (PageFlag(p, PG_shmem)) {
        c->node[NR_SHMEM]++;
        c->node[NR_FILE_PAGES]++;
        if (p->mapcount > 0)
            c->node[NR_FILE_MAPPED]++;
    } else if (p->mapcount > 0) {
        c->node[NR_ANON_MAPPED]++;
    }
}

/* A page-cache page: on the file LRU lists, Mapped while a PTE maps it. */
static void count_file_page(struct vm_counts *c, const struct page *p, int z)
{
    bool active = PageFlag(p, PG_active);
    c->zone[z][active ? NR_ZONE_ACTIVE_FILE : NR_ZONE_INACTIVE_FILE]++;
    c->node[active ? NR_ACTIVE_FILE : NR_INACTIVE_FILE]++;
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
        if (PageFlag(p, PG_buddy)) { /* a free block's head: the whole block is free */
            pfn += (1UL << p->private) - 1;
            continue;
        }
        if (p->flags & skip)
            continue;
        int z = (int)(page_zone(p) - contig_page_data.node_zones);
        if (PageFlag(p, PG_anon) || PageFlag(p, PG_shmem))
            count_anon_page(c, p, z);
        else if (p->mapping)
            count_file_page(c, p, z);
    }
}

/*
 * Mlocked pages, as Linux's PG_mlocked: every page a VM_LOCKED mapping of
 * any mm maps, counted once, moved from the LRU list it sits on to the
 * unevictable one (where Linux keeps mlocked pages). Counted at read time,
 * like the rest of vm_counts.
 */
struct mlock_walk {
    struct vm_counts *c;
    unsigned char *seen; /* a bit per frame */
};

static void mlock_pte(pte_t *pte, unsigned long addr, void *arg)
{
    struct mlock_walk *w = arg;
    (void)addr;
    if (!pte_present(*pte) || pte_pfn(*pte) >= max_pfn)
        return;
    struct page *p = vm_normal_page(NULL, addr, *pte);
    if (!p)
        return;
    unsigned long pfn = page_to_pfn(p);
    if (w->seen[pfn / 8] & (1u << (pfn % 8)))
        return;
    w->seen[pfn / 8] |= (unsigned char)(1u << (pfn % 8));
    int z = (int)(page_zone(p) - contig_page_data.node_zones);
    bool anon = PageFlag(p, PG_anon), active = PageFlag(p, PG_active);
    int node_item = anon ? (active ? NR_ACTIVE_ANON : NR_INACTIVE_ANON)
                         : (active ? NR_ACTIVE_FILE : NR_INACTIVE_FILE);
    int zone_item = anon ? (active ? NR_ZONE_ACTIVE_ANON : NR_ZONE_INACTIVE_ANON)
                         : (active ? NR_ZONE_ACTIVE_FILE : NR_ZONE_INACTIVE_FILE);
    if (w->c->node[node_item])
        w->c->node[node_item]--;
    if (w->c->zone[z][zone_item])
        w->c->zone[z][zone_item]--;
    w->c->node[NR_UNEVICTABLE]++;
    w->c->zone[z][NR_ZONE_UNEVICTABLE]++;
    w->c->zone[z][NR_MLOCK]++;
}

static void count_mlocked_pages(struct vm_counts *c)
{
    struct mlock_walk w = {c, calloc(max_pfn / 8 + 1, 1)};
    if (!w.seen)
        return; /* the counts stay as the LRU lists have them */
    for (struct mm_struct *mm = next_mm(NULL); mm; mm = next_mm(mm))
        for (struct vm_area_struct *v = find_vma(mm, 0); v; v = vma_next(mm, v))
            if (v->vm_flags & VM_LOCKED)
                walk_page_range(mm, v->vm_start, v->vm_end, mlock_pte, &w);
    free(w.seen);
}

void vm_counts_collect(struct vm_counts *c)
{
    *c = (struct vm_counts){0};
    if (mem_map) {
        count_user_pages(c);
        count_mlocked_pages(c);
    }
    for (int z = 0; z < MAX_NR_ZONES; z++)
        c->zone[z][NR_FREE_PAGES] = contig_page_data.node_zones[z].free_pages;
    c->node[NR_SLAB_RECLAIMABLE] = slab_reclaimable_pages();
    c->node[NR_SLAB_UNRECLAIMABLE] = slab_unreclaimable_pages();
    c->node[NR_PAGETABLE] = nr_pagetable_pages();
    c->events[PGALLOC_DMA] = contig_page_data.node_zones[ZONE_DMA].pgalloc;
    c->events[PGALLOC_DMA32] = contig_page_data.node_zones[ZONE_DMA32].pgalloc;
    c->events[PGALLOC_NORMAL] = contig_page_data.node_zones[ZONE_NORMAL].pgalloc;
    c->events[PGFREE] = pgfree_count;
    c->node[NR_DIRTIED] = node_cumulative[NR_DIRTIED];
    c->node[NR_WRITTEN] = node_cumulative[NR_WRITTEN];
    static const enum vm_event_item counted[] = {PGPGIN,      PGPGOUT,      PGFAULT,    PGMAJFAULT,
                                                 PGCACHE_HIT, PGCACHE_MISS, PGREADAHEAD};
    for (size_t i = 0; i < ARRAY_SIZE(counted); i++)
        c->events[counted[i]] = vm_events[counted[i]];
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
    const struct page *p = pfn_to_page(pfn);
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
