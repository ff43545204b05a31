/*
 * mm/-internal: what the page-cache files (filemap.c, readahead.c,
 * page-writeback.c, truncate.c, rmap.c, lru.c) need from each other.
 */
#ifndef VMEMU_MM_PAGECACHE_H
#define VMEMU_MM_PAGECACHE_H

#include <stdbool.h>

#include "fs.h"
#include "mm_types.h"

/* ---- filemap.c ---- */

/* Put a new, uptodate page into the cache at index; 0 or -ENOMEM. */
int add_to_page_cache(struct address_space *as, struct page *page, pgoff_t index);
/* Every address_space, for writeback and drop_caches. */
extern struct list_head address_spaces;

/* ---- page-writeback.c ---- */

/* A dirty page leaves the cache or becomes clean: uncount and untag it. */
void account_page_cleaned(struct page *page);
/* The page's dirty flag for writing it: collect the mappings' dirty bits, then clear it. */
bool clear_page_dirty_for_io(struct page *page, bool *all_mappings_seen);

/* ---- truncate.c ---- */

/*
 * The file grows from old to new bytes: the part of the old last page past
 * old may hold what a shared mapping wrote beyond EOF, which must not
 * become file data (Linux zeroes it the same way).
 */
void pagecache_isize_extended(struct address_space *as, uint64_t old, uint64_t new);
/* Drop the clean, unmapped pages of [start, end); returns how many went. */
unsigned long invalidate_mapping_pages(struct address_space *as, pgoff_t start, pgoff_t end);

/* ---- rmap.c: from a file page to the entries that map it ---- */

/* An mm maps its first file page / no longer maps any: it joins / leaves the walk. */
void rmap_mm_add(struct mm_struct *mm);
void rmap_mm_del(struct mm_struct *mm);
/* Forget every mm (mm_exit: whatever was not torn down is gone with the RAM). */
void rmap_reset(void);
/*
 * Linux's page_mkclean: every shared entry mapping the page loses its dirty
 * bit (moved into the page's flag) and its write right, so the next write
 * faults and dirties the page again. Returns whether every mapping of the
 * page was found (page->mapcount of them); if not, the page must be
 * treated as possibly written behind vmemu's back.
 */
bool page_mkclean(struct page *page);
/*
 * Zap every entry of every mm mapping file pages [start, end) of as, and
 * the private copies made of them (Linux's unmap_mapping_range with
 * even_cows): a later touch faults, beyond EOF that is SIGBUS.
 */
void unmap_mapping_range(struct address_space *as, pgoff_t start, pgoff_t end);

/* ---- lru.c: the file LRU lists ---- */

/* A new cache page enters the inactive file list. */
void lru_cache_add_file(struct page *page);
/* A page leaves the cache: off its list, the LRU flags cleared. */
void lru_cache_del(struct page *page);
/* read()/write() used the page: referenced once, active the second time. */
void mark_page_accessed(struct page *page);

#endif
