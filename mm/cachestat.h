/*
 * The page-cache state of a range of a file, as cachestat(2) (Linux 6.5)
 * reports it: pages cached, dirty and under writeback, and the evicted
 * ones whose shadow entries remain, of which those evicted recently
 * enough that they would be activated if they came back.
 */
#ifndef VMEMU_MM_CACHESTAT_H
#define VMEMU_MM_CACHESTAT_H

#include <stdint.h>

#include "page.h"

struct address_space;

/* include/uapi/linux/mman.h's struct cachestat. */
struct cachestat {
    uint64_t nr_cache;
    uint64_t nr_dirty;
    uint64_t nr_writeback;
    uint64_t nr_evicted;
    uint64_t nr_recently_evicted;
};

/* Count the pages of as at indexes [first, last] into *cs (added to what it holds). */
void filemap_cachestat(struct address_space *as, pgoff_t first, pgoff_t last, struct cachestat *cs);

#endif
