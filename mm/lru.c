/*
 * The LRU lists (Linux's lruvec, mm_inline.h and the list moves of
 * mm/swap.c): every page reclaim may take is on exactly one of five lists
 * of the one node, inactive and active for anonymous (swap-backed: anon
 * and shmem pages) and for file pages, and unevictable for mlocked ones.
 *
 * New pages enter an inactive list at its head (anonymous ones too, as
 * since Linux 5.9; the active one when workingset detection says a
 * refault came back soon enough), or the unevictable list when a
 * VM_LOCKED mapping maps them; reclaim takes from the tails. A page used twice while inactive
 * (read()/write() through mark_page_accessed, or the accessed bits reclaim
 * finds through the reverse map) moves to its active list; reclaim moves
 * active pages that were not used back to the inactive list.
 *
 * Invariants: PG_lru is set exactly while the page is on a list; the list
 * is page_lru(page), which follows from PG_swapbacked, PG_active and
 * PG_unevictable, so those three change only while the page is off its
 * list; the counts are the lists' lengths, per zone and in all.
 * Being on a list holds no reference: a page whose last reference goes
 * leaves its list as it is freed (lru_page_release).
 */
#include "internal.h"
#include "mmzone.h"
#include "vmstat.h"
#include "writeback.h"

struct lruvec node_lruvec;

void lru_init(void)
{
    node_lruvec = (struct lruvec){0};
    for (int l = 0; l < NR_LRU_LISTS; l++)
        INIT_LIST_HEAD(&node_lruvec.lists[l]);
}

static int zone_idx(const struct page *page)
{
    return (int)(page_zone(page) - contig_page_data.node_zones);
}

static void lru_count(struct page *page, enum lru_list lru, long delta)
{
    node_lruvec.nr[lru] += (unsigned long)delta;
    node_lruvec.zone_nr[zone_idx(page)][lru] += (unsigned long)delta;
}

/* At the head: the last a scan from the tail reaches. */
static void lruvec_add(struct page *page)
{
    enum lru_list lru = page_lru(page);
    SetPageFlag(page, PG_lru);
    list_add(&page->lru, &node_lruvec.lists[lru]);
    lru_count(page, lru, 1);
}

/* At the tail: the next a scan reaches (Linux's lruvec_add_folio_tail). */
static void lruvec_add_tail(struct page *page)
{
    enum lru_list lru = page_lru(page);
    SetPageFlag(page, PG_lru);
    list_add_tail(&page->lru, &node_lruvec.lists[lru]);
    lru_count(page, lru, 1);
}

static void lruvec_del(struct page *page)
{
    list_del(&page->lru);
    ClearPageFlag(page, PG_lru);
    lru_count(page, page_lru(page), -1);
}

unsigned long lru_pages(enum lru_list lru)
{
    return node_lruvec.nr[lru];
}

unsigned long global_file_pages(void)
{
    return lru_pages(LRU_INACTIVE_FILE) + lru_pages(LRU_ACTIVE_FILE);
}

void lru_cache_add(struct page *page)
{
    if (PageFlag(page, PG_mlocked)) {
        SetPageFlag(page, PG_unevictable);
        count_vm_event(UNEVICTABLE_PGS_CULLED);
    }
    lruvec_add(page);
}

void lru_cache_add_inactive_or_unevictable(struct page *page, struct vm_area_struct *vma)
{
    if ((vma->vm_flags & (VM_LOCKED | VM_SPECIAL)) == VM_LOCKED && !PageFlag(page, PG_mlocked)) {
        SetPageFlag(page, PG_mlocked);
        count_vm_event(UNEVICTABLE_PGS_MLOCKED);
    }
    lru_cache_add(page);
}

void lru_cache_del(struct page *page)
{
    if (PageFlag(page, PG_lru))
        lruvec_del(page);
    ClearPageFlag(page, PG_active);
    ClearPageFlag(page, PG_referenced);
    ClearPageFlag(page, PG_unevictable);
    ClearPageFlag(page, PG_workingset);
}

void lru_page_release(struct page *page)
{
    lru_cache_del(page);
    ClearPageFlag(page, PG_mlocked);
}

/* Move a page on its list to another state: off, change, on again at the head. */
static bool lru_move(struct page *page, void (*change)(struct page *page))
{
    if (!PageFlag(page, PG_lru) || PageFlag(page, PG_unevictable))
        return false;
    lruvec_del(page);
    change(page);
    lruvec_add(page);
    return true;
}

static void set_active(struct page *page)
{
    SetPageFlag(page, PG_active);
}

void activate_page(struct page *page)
{
    if (!PageFlag(page, PG_active) && lru_move(page, set_active))
        count_vm_event(PGACTIVATE);
}

void mark_page_accessed(struct page *page)
{
    if (!PageFlag(page, PG_referenced)) {
        SetPageFlag(page, PG_referenced);
    } else if (!PageFlag(page, PG_active) && !PageFlag(page, PG_unevictable)) {
        /* Used twice while inactive: it has earned its place on the active list. */
        activate_page(page);
        ClearPageFlag(page, PG_referenced);
        workingset_age_nonresident(1); /* Linux's workingset_activation */
    }
}

static void clear_active(struct page *page)
{
    ClearPageFlag(page, PG_active);
    ClearPageFlag(page, PG_referenced);
}

void deactivate_page(struct page *page)
{
    if (PageFlag(page, PG_active) && lru_move(page, clear_active))
        count_vm_event(PGDEACTIVATE);
}

/* Lazily freeable anonymous pages go with clean file pages, as Linux's lru_lazyfree_fn. */
static void make_lazyfree(struct page *page)
{
    ClearPageFlag(page, PG_active);
    ClearPageFlag(page, PG_referenced);
    ClearPageFlag(page, PG_swapbacked);
}

void mark_page_lazyfree(struct page *page)
{
    if (!PageFlag(page, PG_anon) || !PageFlag(page, PG_swapbacked) || PageFlag(page, PG_swapcache))
        return;
    if (lru_move(page, make_lazyfree))
        count_vm_event(PGLAZYFREE);
}

bool isolate_lru_page(struct page *page)
{
    if (!PageFlag(page, PG_lru))
        return false;
    get_page(page);
    lruvec_del(page);
    return true;
}

void putback_lru_page(struct page *page, bool tail)
{
    if (page->refcount > 1) { /* else every other user let go while it was off the list */
        if (PageFlag(page, PG_mlocked))
            SetPageFlag(page, PG_unevictable);
        else
            ClearPageFlag(page, PG_unevictable);
        if (tail)
            lruvec_add_tail(page);
        else
            lruvec_add(page);
    }
    put_page(page);
}

void lru_note_cost(bool file, unsigned long cost)
{
    struct lruvec *l = &node_lruvec;
    if (file)
        l->file_cost += cost;
    else
        l->anon_cost += cost;
    /*
     * Decay both, as Linux does, once they pass a quarter of the lists, so
     * that the balance follows recent reclaim rather than all of history.
     */
    unsigned long lrusize = l->nr[LRU_INACTIVE_ANON] + l->nr[LRU_ACTIVE_ANON] +
                            l->nr[LRU_INACTIVE_FILE] + l->nr[LRU_ACTIVE_FILE];
    if (l->file_cost + l->anon_cost > lrusize / 4) {
        l->file_cost /= 2;
        l->anon_cost /= 2;
    }
}
