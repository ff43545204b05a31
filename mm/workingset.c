/*
 * Workingset detection (Linux's workingset.c): telling a refault of a page
 * that was evicted too early from one of a page that was simply not used.
 *
 * The node keeps a clock, nonresident_age, that ticks once for every
 * eviction and every activation. An evicted page leaves a shadow entry
 * where it was (its file's cache, or the swap cache for an anonymous
 * page): the clock's reading then, and whether the page was part of the
 * workingset (PG_workingset: it had been active). When the page faults
 * back in, the clock's advance since is the refault distance: how many
 * pages would have had to be kept for this one to stay. If the page could
 * have stayed, had the active lists given up that much room (the distance
 * is no more than the workingset the lists hold), it goes straight to the
 * active list (workingset_activate), and one that had been in the
 * workingset is counted restored (workingset_restore). Every refault
 * counts in workingset_refault.
 *
 * vmemu has one node and no memory cgroups, so a shadow is just the clock
 * reading and the workingset bit in an xarray value entry. Shadows stay
 * until the cache index is truncated or the swap slot is freed: there is
 * no shadow-node shrinker.
 */
#include "internal.h"
#include "swap.h"
#include "vmstat.h"
#include "xarray.h"

void workingset_age_nonresident(unsigned long pages)
{
    node_lruvec.nonresident_age += pages;
}

void *workingset_eviction(struct page *page)
{
    unsigned long eviction = node_lruvec.nonresident_age;
    workingset_age_nonresident(1);
    return xa_mk_value((eviction << 1) | (PageFlag(page, PG_workingset) ? 1 : 0));
}

/* Could the page shadow stands for have stayed, had the active lists made room? */
bool workingset_test_recent(void *shadow, bool file)
{
    unsigned long eviction = xa_to_value(shadow) >> 1;
    /* The clock has one bit fewer than a long in a shadow: compare modulo that. */
    unsigned long distance = (node_lruvec.nonresident_age - eviction) & (~0UL >> 2);
    /*
     * The workingset the page competed with: the active file list, the
     * inactive one too for an anonymous page, and, while there is swap to
     * make room there, the anonymous lists (Linux 6.1's rule).
     */
    unsigned long size = lru_pages(LRU_ACTIVE_FILE);
    if (!file)
        size += lru_pages(LRU_INACTIVE_FILE);
    if (nr_swap_pages() > 0) {
        size += lru_pages(LRU_ACTIVE_ANON);
        if (file)
            size += lru_pages(LRU_INACTIVE_ANON);
    }
    return distance <= size;
}

void workingset_refault(struct page *page, void *shadow)
{
    bool workingset = xa_to_value(shadow) & 1, file = page_is_file_lru(page);
    node_stat_add(file ? WORKINGSET_REFAULT_FILE : WORKINGSET_REFAULT_ANON, 1);
    if (!workingset_test_recent(shadow, file))
        return;
    SetPageFlag(page, PG_active);
    workingset_age_nonresident(1);
    node_stat_add(file ? WORKINGSET_ACTIVATE_FILE : WORKINGSET_ACTIVATE_ANON, 1);
    if (workingset) {
        SetPageFlag(page, PG_workingset);
        lru_note_cost(file, 1);
        node_stat_add(file ? WORKINGSET_RESTORE_FILE : WORKINGSET_RESTORE_ANON, 1);
    }
}

unsigned long workingset_activations(bool file)
{
    return node_stat_get(file ? WORKINGSET_ACTIVATE_FILE : WORKINGSET_ACTIVATE_ANON);
}
