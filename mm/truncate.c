/*
 * Pages leaving the cache: truncation (ftruncate, O_TRUNC, a file shortened
 * behind vmemu's back) and dropping clean pages (drop_caches, fadvise).
 * A truncation takes the pages past the new end out of every mapping first,
 * as Linux's truncate_pagecache does, so a later touch there is SIGBUS and
 * no stale frame stays reachable; the part of a partial last page past the
 * end is zeroed, so that growing the file again shows zeros there.
 */
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

#include "arch.h"
#include "internal.h"
#include "pagemap.h"
#include "vmstat.h"

void zero_cached_range(struct address_space *as, pgoff_t index, size_t from, size_t to)
{
    struct page *page = from < to ? filemap_find_page(as, index) : NULL;
    if (!page)
        return;
    arch_frames_changing(page_to_pfn(page), 1);
    memset((unsigned char *)page_address(page) + from, 0, to - from);
}

void pagecache_isize_extended(struct address_space *as, uint64_t old, uint64_t new)
{
    size_t tail = (size_t)(old & ~PAGE_MASK);
    if (tail && new > old)
        zero_cached_range(as, (pgoff_t)(old >> PAGE_SHIFT), tail, PAGE_SIZE);
}

unsigned long truncate_inode_pages_range(struct address_space *as, pgoff_t start, pgoff_t end)
{
    unsigned long index, dropped = 0;
    void *p;
    xa_for_each_range(&as->i_pages, index, p, start, end, XA_PRESENT)
    {
        if (xa_is_value(p)) {
            xa_erase(&as->i_pages, index);
            continue;
        }
        delete_from_page_cache(p);
        dropped++;
    }
    return dropped;
}

void truncate_inode_pages(struct address_space *as)
{
    truncate_inode_pages_range(as, 0, ULONG_MAX);
}

void truncate_pagecache(struct address_space *as, uint64_t size)
{
    pgoff_t hole = (pgoff_t)((size + PAGE_SIZE - 1) >> PAGE_SHIFT);
    unmap_mapping_range(as, hole, ULONG_MAX);
    as->i_size = size;
    size_t tail = (size_t)(size & ~PAGE_MASK);
    if (tail)
        zero_cached_range(as, (pgoff_t)(size >> PAGE_SHIFT), tail, PAGE_SIZE);
    unsigned long dropped = truncate_inode_pages_range(as, hole, ULONG_MAX);
    struct pagecache_event ev = {
        .op = PAGECACHE_TRUNCATE, .as = as, .index = hole, .pages = dropped};
    pagecache_notify(&ev);
}

int vmtruncate(struct file *f, uint64_t size)
{
    struct address_space *as = f->f_mapping;
    int err = as->memfd ? memfd_check_size(as, size) : 0;
    if (as->secretmem)
        err = secretmem_setattr_size(as);
    if (err)
        return err;
    /* The host file first: if it refuses, the guest's file is unchanged. */
    if (!as->shmem && ftruncate(f->f_host_fd, (off_t)size) != 0)
        return -errno;
    as->host_size = size;
    if (size < as->i_size) {
        truncate_pagecache(as, size);
    } else {
        pagecache_isize_extended(as, as->i_size, size);
        as->i_size = size;
    }
    return 0;
}

/* May the page go without losing anything or pulling it from under someone? */
static bool page_droppable(const struct page *p)
{
    return !PageFlag(p, PG_dirty) && !PageFlag(p, PG_writeback) && !PageFlag(p, PG_locked) &&
           p->mapcount == 0 && p->refcount == 1;
}

unsigned long invalidate_mapping_pages(struct address_space *as, pgoff_t start, pgoff_t end)
{
    unsigned long index, dropped = 0;
    struct page *p;
    xa_for_each_range(&as->i_pages, index, p, start, end, XA_PRESENT)
    {
        if (xa_is_value(p) || !page_droppable(p))
            continue;
        delete_from_page_cache(p);
        dropped++;
    }
    return dropped;
}

unsigned long drop_pagecache(void)
{
    unsigned long dropped = 0;
    struct address_space *as;
    list_for_each_entry(as, &address_spaces, as_list) dropped +=
        invalidate_mapping_pages(as, 0, ULONG_MAX);
    count_vm_event(DROP_PAGECACHE);
    struct pagecache_event ev = {.op = PAGECACHE_DROP, .pages = dropped};
    pagecache_notify(&ev);
    return dropped;
}
