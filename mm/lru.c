/*
 * The file LRU lists: a page-cache page enters the inactive list; a second
 * use by read() or write() while it is still marked referenced promotes it
 * to the active list (Linux's two-list scheme and mark_page_accessed).
 * Active(file) and Inactive(file) in /proc/meminfo count these flags.
 */
#include "internal.h"
#include "writeback.h"

static struct list_head inactive_file = LIST_HEAD_INIT(inactive_file);
static struct list_head active_file = LIST_HEAD_INIT(active_file);
static unsigned long nr_file_lru;

unsigned long global_file_pages(void)
{
    return nr_file_lru;
}

void lru_cache_add_file(struct page *page)
{
    SetPageFlag(page, PG_lru);
    list_add(&page->lru, &inactive_file);
    nr_file_lru++;
}

void lru_cache_del(struct page *page)
{
    if (PageFlag(page, PG_lru)) {
        list_del(&page->lru);
        nr_file_lru--;
    }
    ClearPageFlag(page, PG_lru);
    ClearPageFlag(page, PG_active);
    ClearPageFlag(page, PG_referenced);
}

void mark_page_accessed(struct page *page)
{
    if (PageFlag(page, PG_active) || !PageFlag(page, PG_lru))
        return;
    if (!PageFlag(page, PG_referenced)) {
        SetPageFlag(page, PG_referenced);
        return;
    }
    /* Used twice while inactive: it has earned its place on the active list. */
    ClearPageFlag(page, PG_referenced);
    SetPageFlag(page, PG_active);
    list_del(&page->lru);
    list_add(&page->lru, &active_file);
}
