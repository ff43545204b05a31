/*
 * cachestat's count over a file's page cache (Linux's filemap_cachestat):
 * every entry of i_pages in the range is either a page (cached, maybe
 * tagged dirty or writeback) or a shadow an eviction left (evicted; and
 * recently, when workingset detection would activate it on refault).
 * Only reads the cache. vmemu's shmem objects are never swapped, so their
 * caches hold pages only.
 */
#include "cachestat.h"

#include "fs.h"
#include "internal.h"
#include "pagemap.h"
#include "xarray.h"

void filemap_cachestat(struct address_space *as, pgoff_t first, pgoff_t last, struct cachestat *cs)
{
    unsigned long index = first;
    unsigned long max = last == ~0UL ? ~0UL : last + 1;
    void *entry;
    while (index < max && (entry = xa_find(&as->i_pages, &index, max, XA_PRESENT)) != NULL) {
        if (xa_is_value(entry)) {
            cs->nr_evicted++;
            /* A file page: the file lists' rule (shmem would be the anonymous one). */
            cs->nr_recently_evicted += workingset_test_recent(entry, !as->shmem);
        } else {
            cs->nr_cache++;
            cs->nr_dirty += xa_get_mark(&as->i_pages, index, PAGECACHE_TAG_DIRTY);
            cs->nr_writeback += xa_get_mark(&as->i_pages, index, PAGECACHE_TAG_WRITEBACK);
        }
        if (index == ~0UL)
            break;
        index++;
    }
}
