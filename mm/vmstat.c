/*
 * Page counts by use. Rather than keep a counter beside every change of a
 * page's state, vmemu counts struct pages when asked: the flags and the
 * mapping say what each frame is, so the counts cannot drift from the
 * truth. Free pages, slab and page tables have exact counters of their own.
 * A pass over mem_map costs about a millisecond per GiB of guest RAM.
 */
#include "vmstat.h"

#include "pgtable.h"
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

unsigned long totalram_pages(void)
{
    unsigned long n = 0;
    for (int z = 0; z < MAX_NR_ZONES; z++)
        n += contig_page_data.node_zones[z].managed_pages;
    return n;
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
        if (PageFlag(p, PG_anon))
            count_anon_page(c, p, z);
        else if (p->mapping)
            count_file_page(c, p, z);
    }
}

void vm_counts_collect(struct vm_counts *c)
{
    *c = (struct vm_counts){0};
    if (mem_map)
        count_user_pages(c);
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
    for (size_t i = 0; i < sizeof(counted) / sizeof(counted[0]); i++)
        c->events[counted[i]] = vm_events[counted[i]];
}
