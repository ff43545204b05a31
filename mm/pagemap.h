/*
 * The page cache: a file's pages by index, read from the host file on a
 * miss (readahead sizing the reads), written by write() and by shared
 * mappings, dropped by truncation and drop_caches. read() and write() of
 * regular files go through it.
 */
#ifndef VMEMU_MM_PAGEMAP_H
#define VMEMU_MM_PAGEMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fs.h"

/* The page-cache tags on i_pages (Linux's PAGECACHE_TAG_*). */
#define PAGECACHE_TAG_DIRTY XA_MARK_0
#define PAGECACHE_TAG_WRITEBACK XA_MARK_1
#define PAGECACHE_TAG_TOWRITE XA_MARK_2

#define VM_READAHEAD_PAGES 32 /* ra_pages: 128 KiB, Linux's default */

struct mm_struct;
struct vm_area_struct;

/*
 * The page of the file at index, read from the host file when not cached.
 * Returns it with a reference held, or NULL (ENOMEM or I/O error in *err).
 * *major is set when the page had to be read (the fault waited for I/O).
 */
struct page *filemap_get_page(struct address_space *as, pgoff_t index, bool *major, int *err);
/* The page cache of the host file (dev, ino) if vmemu has one; no reference taken. */
struct address_space *find_mapping(uint64_t dev, uint64_t ino);
/* The cached page at index or NULL; no reference taken, no I/O. */
struct page *filemap_find_page(struct address_space *as, pgoff_t index);

/*
 * The page cache side of a file fault (Linux's filemap_fault): the page at
 * index with a reference held, read-around on a miss (a major fault in cold
 * mode), asynchronous readahead when a marked page is reached. *ra_pages
 * counts the pages readahead brought in. A shmem object's missing page is
 * a new zeroed one. NULL with *err on failure.
 */
struct page *filemap_fault(struct vm_area_struct *vma, pgoff_t index, bool *major,
                           unsigned long *ra_pages, int *err);
/*
 * The page at index if it is in the cache and may be mapped by fault-around
 * (uptodate, no readahead mark); no reference taken. In warm mode every
 * page of a host file counts as cached and is brought in without I/O cost.
 */
struct page *filemap_map_candidate(struct address_space *as, pgoff_t index);
/* Pages of the file, rounded up. */
static inline pgoff_t filemap_nr_pages(const struct address_space *as)
{
    return (pgoff_t)((as->i_size + PAGE_SIZE - 1) >> PAGE_SHIFT);
}
/* Is the page at index cached, as mincore(2) sees it (warm mode: every page of the file)? */
bool filemap_page_cached(struct address_space *as, pgoff_t index);

/*
 * read(2) of a regular file at *pos through the page cache, with readahead
 * in cold mode: bytes copied to the guest, or -errno; *pos moves on.
 *
 * Preconditions (read and write): f->f_mapping is set (a regular file);
 * mm is the calling task's address space, as for copy_to_user; the copies
 * may fault, and a write may start writeback, which write-protects the
 * file's pages in every address space that maps them.
 */
long filemap_read(struct file *f, struct mm_struct *mm, uint64_t ubuf, size_t count, uint64_t *pos);
/*
 * write(2) at *pos: the bytes go into cache pages, which become dirty; the
 * host file sees them at writeback. A descriptor the host shares with
 * others (inherited stdio) is written through at once instead. Bytes
 * taken, or -errno; *pos moves on.
 */
long filemap_write(struct file *f, struct mm_struct *mm, uint64_t ubuf, size_t count,
                   uint64_t *pos);
/* The same two from and to vmemu's own memory (sendfile). */
long kernel_read(struct file *f, void *buf, size_t count, uint64_t *pos);
long kernel_write(struct file *f, const void *buf, size_t count, uint64_t *pos);
/* Take the page out of the cache (it must be there), dropping the cache's reference. */
void delete_from_page_cache(struct page *page);
/* The same for reclaim: a shadow entry (workingset.c) stays at the page's index. */
void delete_from_page_cache_shadow(struct page *page, void *shadow);

/* ---- readahead (readahead.c) ---- */

void file_ra_state_init(struct file_ra_state *ra);
/*
 * A read() missed the cache at index, req_count pages wanted: read a window
 * as Linux's ondemand readahead sizes it. Returns the pages read.
 */
unsigned long page_cache_sync_readahead(struct address_space *as, struct file_ra_state *ra,
                                        pgoff_t index, unsigned long req_count);
/* The reader reached page (marked PG_readahead) at index: read the next window. */
unsigned long page_cache_async_readahead(struct address_space *as, struct file_ra_state *ra,
                                         struct page *page, pgoff_t index, unsigned long req_count);
/* A fault missed at index in vma: read-around (or ondemand for VM_SEQ_READ). */
unsigned long page_cache_mmap_readahead(struct vm_area_struct *vma, pgoff_t index);
/*
 * Read the page at index into the cache from the host file; io says the
 * read counts as I/O (cold mode). NULL with *err on failure.
 */
struct page *page_cache_read(struct address_space *as, pgoff_t index, bool io, int *err);
/* posix_fadvise(2) advice on the file's pages [start, end); 0 or -EINVAL. */
int file_fadvise(struct file *f, uint64_t offset, uint64_t len, int advice);

/* ---- truncation and dropping (truncate.c) ---- */

/*
 * ftruncate(2): the host file and the cache get the new size; pages past
 * it leave the cache and every mapping (a later touch there is SIGBUS),
 * the tail of a partial last page reads zeros. 0 or -errno.
 */
int vmtruncate(struct file *f, uint64_t size);
/*
 * fallocate(2) on a file with a page cache, once the system call's own
 * checks are made (mm/falloc.c): mode is Linux's FALLOC_FL_*; 0 or -errno.
 */
int do_fallocate(struct file *f, int mode, uint64_t offset, uint64_t len);
/* The cache side of a truncation to size (the host file is done already). */
void truncate_pagecache(struct address_space *as, uint64_t size);
/*
 * drop_caches: clean, unmapped pages of every file leave the cache.
 * Returns the pages dropped.
 */
unsigned long drop_pagecache(void);

/* ---- the page-cache trace hook ---- */

enum pagecache_op {
    PAGECACHE_READ,      /* read() copied from a page */
    PAGECACHE_WRITE,     /* write() copied into a page */
    PAGECACHE_READAHEAD, /* a window was read */
    PAGECACHE_WRITEBACK, /* dirty pages went to the host file */
    PAGECACHE_TRUNCATE,  /* pages past a new end left the cache */
    PAGECACHE_DROP,      /* drop_caches dropped clean pages */
};

struct pagecache_event {
    enum pagecache_op op;
    const struct address_space *as; /* NULL for drop (all files) */
    pgoff_t index;                  /* the page, or the first of the range */
    unsigned long pages;            /* pages in the range / read / written / dropped */
    unsigned long pfn;              /* read and write: the frame */
    bool hit;                       /* read and write: the page was cached */
    unsigned long size, async_size; /* readahead: the window */
    const char *why;                /* readahead: sync, async, mmap; writeback: the reason */
};

struct pagecache_observer {
    void (*event)(void *ctx, const struct pagecache_event *ev);
    void *ctx;
};
/* Whoever watches the page cache (the tracer); NULL, the default, costs one test per event. */
void pagecache_set_observer(const struct pagecache_observer *obs);

#endif
