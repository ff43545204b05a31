/*
 * Page counts by use, per zone and for the node, and the events counted
 * since mm_init: what /proc/meminfo, /proc/zoneinfo and /proc/vmstat show.
 * Names and meanings are Linux's; only the items vmemu can count are here.
 */
#ifndef VMEMU_MM_VMSTAT_H
#define VMEMU_MM_VMSTAT_H

#include "mmzone.h"

enum zone_stat_item {
    NR_FREE_PAGES,
    NR_ZONE_INACTIVE_ANON,
    NR_ZONE_ACTIVE_ANON,
    NR_ZONE_INACTIVE_FILE,
    NR_ZONE_ACTIVE_FILE,
    NR_ZONE_UNEVICTABLE,
    NR_ZONE_WRITE_PENDING, /* dirty or under writeback */
    NR_MLOCK,
    NR_VM_ZONE_STAT_ITEMS
};

enum node_stat_item {
    NR_INACTIVE_ANON,
    NR_ACTIVE_ANON,
    NR_INACTIVE_FILE,
    NR_ACTIVE_FILE,
    NR_UNEVICTABLE,
    NR_SLAB_RECLAIMABLE,
    NR_SLAB_UNRECLAIMABLE,
    /* Refaults of evicted pages (cumulative, workingset.c) */
    WORKINGSET_REFAULT_ANON,
    WORKINGSET_REFAULT_FILE,
    WORKINGSET_ACTIVATE_ANON, /* refaulted soon enough to go straight to the active list */
    WORKINGSET_ACTIVATE_FILE,
    WORKINGSET_RESTORE_ANON, /* refaulted pages that had been active before eviction */
    WORKINGSET_RESTORE_FILE,
    NR_ANON_MAPPED, /* AnonPages */
    NR_FILE_MAPPED, /* Mapped: page-cache pages some PTE maps */
    NR_FILE_PAGES,  /* the page cache */
    NR_FILE_DIRTY,
    NR_WRITEBACK,
    NR_SHMEM,
    NR_DIRTIED,         /* pages ever dirtied (cumulative) */
    NR_WRITTEN,         /* pages ever written back (cumulative) */
    NR_KERNEL_STACK_KB, /* in kB, as Linux keeps it */
    NR_PAGETABLE,
    NR_SWAPCACHE,
    NR_VM_NODE_STAT_ITEMS
};

enum vm_event_item {
    PGPGIN,  /* kB read from files (cold cache) */
    PGPGOUT, /* kB written back to files */
    PSWPIN,  /* pages read from swap */
    PSWPOUT, /* pages written to swap */
    PGALLOC_DMA,
    PGALLOC_DMA32,
    PGALLOC_NORMAL,
    ALLOCSTALL_DMA, /* direct reclaim entered, by the highest zone the allocation allows */
    ALLOCSTALL_DMA32,
    ALLOCSTALL_NORMAL,
    PGFREE,
    PGACTIVATE,   /* pages moved to an active list */
    PGDEACTIVATE, /* pages moved to an inactive list */
    PGLAZYFREE,   /* pages MADV_FREE made lazily freeable */
    PGFAULT,
    PGMAJFAULT,
    PGLAZYFREED, /* lazily freeable pages reclaim dropped */
    PGREFILL,    /* active pages scanned */
    PGSTEAL_KSWAPD,
    PGSTEAL_DIRECT,
    PGSCAN_KSWAPD,
    PGSCAN_DIRECT,
    PGSCAN_ANON,
    PGSCAN_FILE,
    PGSTEAL_ANON,
    PGSTEAL_FILE,
    PAGEOUTRUN, /* kswapd passes */
    PGROTATED,
    DROP_PAGECACHE,
    OOM_KILL,
    UNEVICTABLE_PGS_CULLED,
    UNEVICTABLE_PGS_MLOCKED,
    UNEVICTABLE_PGS_MUNLOCKED,
    SWAP_RA,     /* pages swap readahead read */
    SWAP_RA_HIT, /* of those, pages a fault then found in the swap cache */
    /* vmemu's own: read() and write() finding the page cached or not, pages read ahead */
    PGCACHE_HIT,
    PGCACHE_MISS,
    PGREADAHEAD,
    NR_VM_EVENT_ITEMS
};

struct vm_counts {
    unsigned long zone[MAX_NR_ZONES][NR_VM_ZONE_STAT_ITEMS];
    unsigned long node[NR_VM_NODE_STAT_ITEMS];
    unsigned long events[NR_VM_EVENT_ITEMS];
};

/* Count every frame by what holds it, now. */
void vm_counts_collect(struct vm_counts *c);

/* The fault path counts PGFAULT and PGMAJFAULT here, the page cache its own. */
void count_vm_event(enum vm_event_item item);
void count_vm_events(enum vm_event_item item, unsigned long n);
/* The cumulative node counters (NR_DIRTIED, NR_WRITTEN, WORKINGSET_*) move here. */
void node_stat_add(enum node_stat_item item, unsigned long n);
/* A cumulative node counter's total so far. */
unsigned long node_stat_get(enum node_stat_item item);
/* Start the event counters from zero (mm_init). */
void vm_events_reset(void);

const char *zone_stat_name(enum zone_stat_item item);
const char *node_stat_name(enum node_stat_item item);
const char *vm_event_name(enum vm_event_item item);

struct seq;
/* /proc/zoneinfo: every zone's watermarks, sizes and counts, and the node's. */
void zoneinfo_show(struct seq *s);

/* One zone's occupancy for reports: its pages, the free ones, the buddy free lists. */
struct zone_summary {
    const char *name;
    unsigned long managed, free;
    unsigned long nr_free[MAX_ORDER]; /* free blocks of each order */
};
/* The zones that manage pages, lowest first, into out; returns how many. */
int zone_summaries(struct zone_summary out[MAX_NR_ZONES]);

/*
 * The frame map: every frame of RAM from pfn 0 up, as runs of one kind
 * ("free", "reserved", "slab", "pagetable", "anon", "shmem", "file",
 * "kernel"; the kinds are string constants, equal kinds equal pointers).
 * emit gets each run in order; returns the number of frames.
 */
unsigned long frame_map_walk(void (*emit)(const char *kind, unsigned long len, void *arg),
                             void *arg);

#endif
