/*
 * Page reclaim, in the shape of Linux 6.x's vmscan.c with the classic
 * two-list LRU (lru.c): take pages from the tails of the inactive lists,
 * give those that were used another round (or the active list), and free
 * the rest: clean file pages are dropped, dirty ones written back first,
 * mapped ones unmapped through the reverse map, anonymous ones written to
 * swap, lazily freed ones (MADV_FREE) dropped; active lists are aged into
 * the inactive ones as those run short. Every eviction leaves a shadow
 * for workingset detection.
 *
 * Two reclaimers: kswapd, woken when an allocation finds every zone below
 * its low watermark, reclaims until a zone is above its high one; and
 * direct reclaim, run by an allocation that finds every zone below min,
 * which reclaims a batch (SWAP_CLUSTER_MAX) and tries again. How much of
 * each list a pass scans follows get_scan_count: the list's size shifted
 * down by the priority (12 first, then lower: more), split between anon
 * and file by vm.swappiness and what reclaiming each has cost lately.
 *
 * kswapd does not run on its own thread: arch_wake_kswapd asks the
 * scheduler to run kswapd_run() at the woken task's next preemption point
 * (the end of the fault or system call that woke it), as a kernel thread
 * would run on a one-CPU machine; a run is deterministic.
 *
 * Invariants: a page being reclaimed is off its list with a reference
 * held (isolate_lru_page); a page anyone else holds a reference to is not
 * freed, it goes back to its list; page tables, the zero page, slab
 * objects in use and any page not on the LRU lists are never touched.
 */
#include <errno.h>

#include "arch.h"
#include "internal.h"
#include "mmzone.h"
#include "pagemap.h"
#include "rmap.h"
#include "slab.h"
#include "swap.h"
#include "vmstat.h"
#include "writeback.h"

#define DEACTIVATE_ANON 1u
#define DEACTIVATE_FILE 2u

unsigned int vm_swappiness = 60;
bool in_reclaim;
static bool kswapd_woken;
static const struct reclaim_observer *reclaim_observer;

unsigned int swap_sysctl_get(enum swap_sysctl which)
{
    return which == VM_SWAPPINESS ? vm_swappiness : page_cluster;
}

/* Linux's bounds: swappiness 0..200 (since 5.8), page-cluster 0..31. */
int swap_sysctl_set(enum swap_sysctl which, unsigned long value)
{
    if (value > (which == VM_SWAPPINESS ? 200UL : 31UL))
        return -EINVAL;
    if (which == VM_SWAPPINESS)
        vm_swappiness = (unsigned int)value;
    else
        page_cluster = (unsigned int)value;
    return 0;
}

void reclaim_set_observer(const struct reclaim_observer *obs)
{
    reclaim_observer = obs;
}

static bool kswapd_running;

void reclaim_notify(const struct reclaim_event *ev)
{
    if (!reclaim_observer)
        return;
    struct reclaim_event e = *ev;
    e.kswapd = kswapd_running;
    reclaim_observer->event(reclaim_observer->ctx, &e);
}

struct scan_control {
    unsigned long nr_to_reclaim;
    unsigned long nr_reclaimed;
    unsigned long nr_scanned;
    unsigned long scanned[2], reclaimed[2]; /* [file]: for the trace */
    int priority;
    bool kswapd;
    bool may_swap;
    bool ignore_references; /* MADV_PAGEOUT: reclaim whatever the accessed bits say */
    bool proportional;      /* direct reclaim at DEF_PRIORITY scans the whole target */
    unsigned int may_deactivate;
    bool cache_trim_mode, file_is_tiny;
};

/* ---- checking references ---- */

enum page_references { PAGEREF_RECLAIM, PAGEREF_RECLAIM_CLEAN, PAGEREF_KEEP, PAGEREF_ACTIVATE };

/*
 * Linux's folio_check_references. Every mapped page starts with the
 * accessed bit of the fault that mapped it, so one reference buys a page
 * another round on the inactive list (PG_referenced marks it) and a second
 * (or a second mapping that used it) activates it; executable file pages
 * are activated at once. A page used only through read()/write() since
 * (PG_referenced without accessed bits) is reclaimed, but not written back
 * first if dirty.
 */
static enum page_references check_references(struct page *page)
{
    unsigned long vm_flags;
    int referenced_ptes = page_referenced(page, &vm_flags);
    bool referenced_page = PageFlag(page, PG_referenced);
    ClearPageFlag(page, PG_referenced);
    if (vm_flags & VM_LOCKED)
        return PAGEREF_ACTIVATE;
    if (referenced_ptes) {
        SetPageFlag(page, PG_referenced);
        if (referenced_page || referenced_ptes > 1)
            return PAGEREF_ACTIVATE;
        if ((vm_flags & VM_EXEC) && page_is_file_lru(page))
            return PAGEREF_ACTIVATE;
        return PAGEREF_KEEP;
    }
    if (referenced_page && page_is_file_lru(page))
        return PAGEREF_RECLAIM_CLEAN;
    return PAGEREF_RECLAIM;
}

/* ---- freeing one page ---- */

/*
 * Linux's __remove_mapping: the page leaves its cache if nobody but the
 * cache and reclaim holds it, leaving a shadow entry behind.
 */
static bool remove_mapping(struct page *page)
{
    bool cached = PageFlag(page, PG_swapcache) || (!PageFlag(page, PG_anon) && page->mapping);
    if (page->mapcount != 0 || page->refcount != 1 + (cached ? 1 : 0) || PageFlag(page, PG_dirty))
        return false;
    if (PageFlag(page, PG_swapcache))
        delete_from_swap_cache(page, workingset_eviction(page));
    else if (cached)
        delete_from_page_cache_shadow(page, workingset_eviction(page));
    return true;
}

/* Write a dirty page out: to its file, or to its swap slot. 0 when it is clean now. */
static int pageout(struct page *page)
{
    if (!PageFlag(page, PG_anon))
        return writeback_page(page);
    ClearPageFlag(page, PG_dirty);
    int err = swap_writepage(page);
    if (err)
        SetPageFlag(page, PG_dirty); /* the only copy stays in memory, dirty */
    return err;
}

static void trace_swapout(struct page *page)
{
    struct reclaim_event ev = {.op = RECLAIM_SWAPOUT,
                               .pfn = page_to_pfn(page),
                               .slot = swp_offset((swp_entry_t){page->private})};
    reclaim_notify(&ev);
}

enum page_fate { PAGE_FREED, PAGE_KEEP, PAGE_ACTIVATE };

/* What reclaim does with one isolated inactive page: Linux's shrink_folio_list, for one. */
static enum page_fate shrink_page(struct page *page, struct scan_control *sc,
                                  unsigned long *pageouts)
{
    if (PageFlag(page, PG_mlocked))
        return PAGE_KEEP; /* putback moves it to the unevictable list */
    enum page_references ref = sc->ignore_references ? PAGEREF_RECLAIM : check_references(page);
    if (ref == PAGEREF_ACTIVATE)
        return PAGE_ACTIVATE;
    if (ref == PAGEREF_KEEP)
        return PAGE_KEEP;
    bool anon = PageFlag(page, PG_anon);
    if (anon && PageFlag(page, PG_swapbacked) && !PageFlag(page, PG_swapcache)) {
        if (PageFlag(page, PG_shmem) || !sc->may_swap || !add_to_swap(page))
            return PAGE_ACTIVATE; /* nowhere to put it: it keeps its place */
    } else if (!anon && PageFlag(page, PG_shmem)) {
        return PAGE_ACTIVATE; /* shmem pages are not swapped out (yet) */
    }
    if (page->mapcount > 0 && !try_to_unmap(page))
        return PageFlag(page, PG_mlocked) ? PAGE_KEEP : PAGE_ACTIVATE;
    if (PageFlag(page, PG_dirty)) {
        if (!anon && ref == PAGEREF_RECLAIM_CLEAN)
            return PAGE_KEEP;
        if (pageout(page) != 0)
            return PAGE_ACTIVATE;
        (*pageouts)++;
        if (anon)
            trace_swapout(page);
    }
    if (!remove_mapping(page))
        return PAGE_KEEP;
    return PAGE_FREED;
}

/*
 * Reclaim what can be of an isolated list; the rest goes back to the
 * lists, activated ones to the active lists. Pages reclaimed.
 */
static unsigned long shrink_page_list(struct list_head *pages, struct scan_control *sc)
{
    unsigned long reclaimed = 0, pageouts[2] = {0, 0}, kept[2] = {0, 0};
    while (!list_empty(pages)) {
        struct page *page = list_first_entry(pages, struct page, lru);
        list_del(&page->lru);
        bool file = page_is_file_lru(page);
        enum page_fate fate = shrink_page(page, sc, &pageouts[file]);
        if (fate == PAGE_FREED) {
            reclaimed++;
            sc->reclaimed[file]++;
            put_page(page); /* reclaim's own reference, the last one */
            continue;
        }
        if (fate == PAGE_ACTIVATE && !PageFlag(page, PG_mlocked)) {
            SetPageFlag(page, PG_active);
            count_vm_event(PGACTIVATE);
        }
        kept[page_is_file_lru(page)]++;
        putback_lru_page(page, false);
    }
    /* Pages that came back to be written or kept are what this list costs (lru_note_cost). */
    for (int file = 0; file < 2; file++)
        if (pageouts[file] || kept[file])
            lru_note_cost(file, pageouts[file] * SWAP_CLUSTER_MAX + kept[file]);
    return reclaimed;
}

/* Take up to nr pages from the tail of a list, with references; returns how many. */
static unsigned long isolate_lru_pages(enum lru_list lru, unsigned long nr, struct list_head *dst)
{
    struct list_head *src = &node_lruvec.lists[lru];
    unsigned long taken = 0;
    while (taken < nr && !list_empty(src)) {
        struct page *page = list_entry(src->prev, struct page, lru);
        isolate_lru_page(page);
        list_add(&page->lru, dst);
        taken++;
    }
    return taken;
}

static unsigned long shrink_inactive_list(unsigned long nr_to_scan, enum lru_list lru,
                                          struct scan_control *sc)
{
    struct list_head pages = LIST_HEAD_INIT(pages);
    unsigned long taken = isolate_lru_pages(lru, nr_to_scan, &pages);
    bool file = is_file_lru(lru);
    sc->nr_scanned += taken;
    sc->scanned[file] += taken;
    count_vm_events(sc->kswapd ? PGSCAN_KSWAPD : PGSCAN_DIRECT, taken);
    count_vm_events(file ? PGSCAN_FILE : PGSCAN_ANON, taken);
    unsigned long reclaimed = shrink_page_list(&pages, sc);
    count_vm_events(sc->kswapd ? PGSTEAL_KSWAPD : PGSTEAL_DIRECT, reclaimed);
    count_vm_events(file ? PGSTEAL_FILE : PGSTEAL_ANON, reclaimed);
    return reclaimed;
}

/*
 * Linux's shrink_active_list: the oldest active pages go to the inactive
 * list (as workingset pages, so a quick refault restores them), except
 * executable file pages that were used, which keep their place.
 */
static void shrink_active_list(unsigned long nr_to_scan, enum lru_list lru)
{
    struct list_head pages = LIST_HEAD_INIT(pages);
    unsigned long taken = isolate_lru_pages(lru, nr_to_scan, &pages), deactivated = 0;
    count_vm_events(PGREFILL, taken);
    while (!list_empty(&pages)) {
        struct page *page = list_first_entry(&pages, struct page, lru);
        list_del(&page->lru);
        unsigned long vm_flags;
        if (!PageFlag(page, PG_mlocked) && page_referenced(page, &vm_flags) &&
            (vm_flags & VM_EXEC) && page_is_file_lru(page)) {
            putback_lru_page(page, false);
            continue;
        }
        if (!PageFlag(page, PG_mlocked)) {
            ClearPageFlag(page, PG_active);
            SetPageFlag(page, PG_workingset);
            deactivated++;
        }
        putback_lru_page(page, false);
    }
    count_vm_events(PGDEACTIVATE, deactivated);
}

/* Int square root, as the kernel's int_sqrt. */
static unsigned long int_sqrt_ul(unsigned long x)
{
    unsigned long r = 0;
    while ((r + 1) * (r + 1) <= x)
        r++;
    return r;
}

/*
 * Linux's inactive_is_low: the inactive list should be at least the
 * active one divided by the ratio (1 below 1 GiB, sqrt(10 * GiB) above).
 */
static bool inactive_is_low(enum lru_list inactive)
{
    unsigned long in = lru_pages(inactive), act = lru_pages(inactive + LRU_ACTIVE);
    unsigned long gb = (in + act) >> (30 - PAGE_SHIFT);
    unsigned long ratio = gb ? int_sqrt_ul(10 * gb) : 1;
    return in * ratio < act;
}

static bool can_reclaim_anon(const struct scan_control *sc)
{
    return sc->may_swap && nr_swap_pages() > 0;
}

static unsigned long shrink_list(enum lru_list lru, unsigned long nr_to_scan,
                                 struct scan_control *sc)
{
    if (is_active_lru(lru)) {
        if (sc->may_deactivate & (is_file_lru(lru) ? DEACTIVATE_FILE : DEACTIVATE_ANON))
            shrink_active_list(nr_to_scan, lru);
        return 0;
    }
    return shrink_inactive_list(nr_to_scan, lru, sc);
}

/*
 * Linux's prepare_scan_count: which active lists may be aged (those whose
 * inactive list is short, or that saw workingset activations since the
 * last reclaim), whether the page cache alone should pay (cache trim
 * mode: plenty of inactive file pages that are not thrashing), and
 * whether it is so small that anon must pay (file_is_tiny).
 */
static void prepare_scan_count(struct scan_control *sc)
{
    struct lruvec *l = &node_lruvec;
    sc->may_deactivate = 0;
    if (workingset_activations(false) != l->refaults[0] || inactive_is_low(LRU_INACTIVE_ANON))
        sc->may_deactivate |= DEACTIVATE_ANON;
    if (workingset_activations(true) != l->refaults[1] || inactive_is_low(LRU_INACTIVE_FILE))
        sc->may_deactivate |= DEACTIVATE_FILE;
    unsigned long inactive_file = lru_pages(LRU_INACTIVE_FILE);
    sc->cache_trim_mode =
        (inactive_file >> sc->priority) && !(sc->may_deactivate & DEACTIVATE_FILE);
    unsigned long high = 0;
    for (int z = 0; z < MAX_NR_ZONES; z++)
        high += contig_page_data.node_zones[z].watermark[WMARK_HIGH];
    unsigned long file = global_file_pages();
    sc->file_is_tiny = file + nr_free_pages() <= high && !(sc->may_deactivate & DEACTIVATE_ANON) &&
                       (lru_pages(LRU_INACTIVE_ANON) >> sc->priority);
}

enum scan_balance { SCAN_EQUAL, SCAN_FRACT, SCAN_ANON, SCAN_FILE };

/* Linux's get_scan_count: how many pages of each evictable list this pass scans. */
static void get_scan_count(const struct scan_control *sc, unsigned long nr[NR_LRU_LISTS])
{
    enum scan_balance balance;
    unsigned long fraction[2] = {1, 1}, denominator = 2;
    unsigned int swappiness = vm_swappiness;
    if (!can_reclaim_anon(sc))
        balance = SCAN_FILE;
    else if (!sc->priority && swappiness)
        balance = SCAN_EQUAL; /* close to OOM: no cleverness */
    else if (sc->file_is_tiny)
        balance = SCAN_ANON;
    else if (sc->cache_trim_mode)
        balance = SCAN_FILE;
    else {
        /*
         * Pressure on each type inversely proportional to what reclaiming
         * it costs, weighted by swappiness; each gets at least a third
         * of the pressure before swappiness.
         */
        balance = SCAN_FRACT;
        unsigned long total = node_lruvec.anon_cost + node_lruvec.file_cost;
        unsigned long anon_cost = total + node_lruvec.anon_cost;
        unsigned long file_cost = total + node_lruvec.file_cost;
        total = anon_cost + file_cost;
        fraction[0] = swappiness * (total + 1) / (anon_cost + 1);
        fraction[1] = (200 - swappiness) * (total + 1) / (file_cost + 1);
        denominator = fraction[0] + fraction[1];
    }
    for (int lru = 0; lru < LRU_UNEVICTABLE; lru++) {
        bool file = is_file_lru((enum lru_list)lru);
        unsigned long scan = lru_pages((enum lru_list)lru) >> sc->priority;
        if (balance == SCAN_FRACT)
            scan = denominator ? scan * fraction[file] / denominator : 0;
        else if ((balance == SCAN_FILE && !file) || (balance == SCAN_ANON && file))
            scan = 0;
        nr[lru] = scan;
    }
}

/* Linux's shrink_lruvec: the lists in batches until the targets are scanned or enough is freed. */
static void shrink_lruvec(struct scan_control *sc)
{
    unsigned long nr[NR_LRU_LISTS];
    get_scan_count(sc, nr);
    unsigned long reclaimed = 0;
    while (nr[LRU_INACTIVE_ANON] || nr[LRU_ACTIVE_FILE] || nr[LRU_INACTIVE_FILE]) {
        for (int lru = 0; lru < LRU_UNEVICTABLE; lru++) {
            if (!nr[lru])
                continue;
            unsigned long n = nr[lru] < SWAP_CLUSTER_MAX ? nr[lru] : SWAP_CLUSTER_MAX;
            nr[lru] -= n;
            reclaimed += shrink_list((enum lru_list)lru, n, sc);
        }
        if (reclaimed >= sc->nr_to_reclaim && !sc->proportional)
            break;
    }
    sc->nr_reclaimed += reclaimed;
    /* Keep the anon lists aged even when anon was not scanned. */
    if (can_reclaim_anon(sc) && inactive_is_low(LRU_INACTIVE_ANON))
        shrink_active_list(SWAP_CLUSTER_MAX, LRU_ACTIVE_ANON);
}

/* One pass over the node: the LRU lists, then the slab caches' empty slabs. */
static void shrink_node(struct scan_control *sc)
{
    prepare_scan_count(sc);
    shrink_lruvec(sc);
    sc->nr_reclaimed += kmem_cache_shrink_all();
}

/* Linux's snapshot_refaults: what prepare_scan_count compares with next time. */
static void snapshot_refaults(void)
{
    node_lruvec.refaults[0] = workingset_activations(false);
    node_lruvec.refaults[1] = workingset_activations(true);
}

static void trace_pass(const char *who, const struct scan_control *sc, unsigned long free_before)
{
    struct reclaim_event ev = {.op = RECLAIM_PASS,
                               .who = who,
                               .priority = sc->priority,
                               .scanned_anon = sc->scanned[0],
                               .scanned_file = sc->scanned[1],
                               .reclaimed_anon = sc->reclaimed[0],
                               .reclaimed_file = sc->reclaimed[1],
                               .free_before = free_before,
                               .free_after = nr_free_pages()};
    reclaim_notify(&ev);
}

/* The highest zone an allocation of gfp may use: whose allocstall it counts in. */
static enum vm_event_item allocstall_item(gfp_t gfp)
{
    if (gfp & __GFP_DMA)
        return ALLOCSTALL_DMA;
    if (gfp & __GFP_DMA32 || !contig_page_data.node_zones[ZONE_NORMAL].present_pages)
        return ALLOCSTALL_DMA32;
    return ALLOCSTALL_NORMAL;
}

unsigned long try_to_free_pages(gfp_t gfp, unsigned int order)
{
    (void)order;
    struct scan_control sc = {.nr_to_reclaim = SWAP_CLUSTER_MAX, .may_swap = true};
    unsigned long free_before = nr_free_pages();
    count_vm_event(allocstall_item(gfp));
    in_reclaim = true;
    for (sc.priority = DEF_PRIORITY; sc.priority >= 0; sc.priority--) {
        sc.proportional = sc.priority == DEF_PRIORITY;
        shrink_node(&sc);
        if (sc.nr_reclaimed >= sc.nr_to_reclaim)
            break;
    }
    in_reclaim = false;
    snapshot_refaults();
    trace_pass("direct", &sc, free_before);
    return sc.nr_reclaimed;
}

/* ---- kswapd ---- */

static bool zone_balanced(const struct zone *zone)
{
    return zone->managed_pages && zone->free_pages > zone->watermark[WMARK_HIGH];
}

/* Linux's pgdat_balanced for order 0: one zone above its high watermark is enough. */
static bool pgdat_balanced(void)
{
    for (int z = 0; z < MAX_NR_ZONES; z++)
        if (zone_balanced(&contig_page_data.node_zones[z]))
            return true;
    return false;
}

void wakeup_kswapd(void)
{
    if (kswapd_woken || in_reclaim)
        return;
    kswapd_woken = true;
    arch_wake_kswapd();
}

bool kswapd_pending(void)
{
    return kswapd_woken;
}

/*
 * Linux's balance_pgdat: passes at falling priority until a zone is
 * above its high watermark, each aiming at the high watermarks' worth of
 * pages.
 */
void kswapd_run(void)
{
    if (!kswapd_woken)
        return;
    kswapd_woken = false;
    count_vm_event(PAGEOUTRUN);
    struct scan_control sc = {.kswapd = true, .may_swap = true};
    unsigned long free_before = nr_free_pages();
    int lowest = DEF_PRIORITY;
    in_reclaim = kswapd_running = true;
    for (sc.priority = DEF_PRIORITY; sc.priority >= 1 && !pgdat_balanced();) {
        lowest = sc.priority;
        sc.nr_to_reclaim = 0;
        for (int z = 0; z < MAX_NR_ZONES; z++) {
            unsigned long high = contig_page_data.node_zones[z].watermark[WMARK_HIGH];
            if (contig_page_data.node_zones[z].managed_pages)
                sc.nr_to_reclaim += high > SWAP_CLUSTER_MAX ? high : SWAP_CLUSTER_MAX;
        }
        unsigned long before = sc.nr_reclaimed, scanned = sc.nr_scanned;
        if (can_reclaim_anon(&sc) && inactive_is_low(LRU_INACTIVE_ANON))
            shrink_active_list(SWAP_CLUSTER_MAX, LRU_ACTIVE_ANON);
        shrink_node(&sc);
        /* Scanned enough for its target: the priority may stay; no progress: scan harder. */
        bool raise = sc.nr_scanned - scanned < sc.nr_to_reclaim;
        if (raise || sc.nr_reclaimed == before)
            sc.priority--;
    }
    snapshot_refaults();
    sc.priority = lowest; /* the trace names the lowest priority a pass ran at */
    trace_pass("kswapd", &sc, free_before);
    in_reclaim = kswapd_running = false;
}

/* ---- MADV_PAGEOUT ---- */

unsigned long reclaim_pages(struct list_head *pages)
{
    struct scan_control sc = {
        .may_swap = true, .ignore_references = true, .priority = DEF_PRIORITY};
    unsigned long free_before = nr_free_pages();
    bool nested = in_reclaim;
    in_reclaim = true;
    /* shrink_page_list takes inactive pages: one freed may carry no PG_active (Linux does the
     * same). */
    struct page *page;
    list_for_each_entry(page, pages, lru) ClearPageFlag(page, PG_active);
    unsigned long reclaimed = shrink_page_list(pages, &sc);
    in_reclaim = nested;
    trace_pass("pageout", &sc, free_before);
    return reclaimed;
}
