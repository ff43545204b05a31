/*
 * Readahead, the way Linux's ondemand readahead sizes its windows. A miss
 * at the start of a file or right after the previous read starts a window
 * sized from the request (small requests get four times their size, larger
 * ones twice, up to ra_pages); the last async_size pages of a window are
 * ahead of the reader, and the first of them carries PG_readahead. Reaching
 * it reads the next window, four times or twice as big, up to ra_pages.
 * Random misses read what was asked. Mapped files read around a fault
 * instead (a window of ra_pages centred on it) unless told otherwise.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>

#include "internal.h"
#include "pagemap.h"
#include "vmstat.h"
#include "writeback.h"

#define MMAP_LOTSAMISS 100 /* misses after which read-around gives up, as in Linux */

void file_ra_state_init(struct file_ra_state *ra)
{
    *ra = (struct file_ra_state){.ra_pages = VM_READAHEAD_PAGES, .prev_pos = UINT64_MAX};
}

static unsigned long roundup_pow_of_two(unsigned long n)
{
    unsigned long p = 1;
    while (p < n)
        p <<= 1;
    return p;
}

/* The first window for a request of size pages. */
static unsigned int get_init_ra_size(unsigned long size, unsigned int max)
{
    unsigned long n = roundup_pow_of_two(size);
    if (n <= max / 32)
        n *= 4;
    else if (n <= max / 4)
        n *= 2;
    else
        n = max;
    return (unsigned int)n;
}

/* The window after one of cur pages: ramp up fast while small. */
static unsigned int get_next_ra_size(const struct file_ra_state *ra, unsigned int max)
{
    unsigned int cur = ra->size;
    if (cur < max / 16)
        return 4 * cur;
    if (cur <= max / 2)
        return 2 * cur;
    return max;
}

/*
 * Read the pages of [start, start + nr) that are not cached, within the
 * file, and mark the one lookahead pages before the end. Returns pages read.
 */
static unsigned long read_pages(struct address_space *as, pgoff_t start, unsigned long nr,
                                unsigned long lookahead)
{
    pgoff_t end = start + nr, eof = filemap_nr_pages(as);
    unsigned long read = 0;
    for (pgoff_t i = start; i < end && i < eof; i++) {
        int err;
        struct page *p = filemap_find_page(as, i);
        if (!p) {
            if (!(p = page_cache_read(as, i, true, &err)))
                break; /* out of memory or an I/O error: readahead is only a hint */
            read++;
        }
        if (lookahead && i == end - lookahead)
            SetPageFlag(p, PG_readahead);
    }
    count_vm_events(PGREADAHEAD, read);
    return read;
}

/* Read the window ra describes; one trace event per window. */
static unsigned long ra_submit(struct address_space *as, struct file_ra_state *ra, const char *why)
{
    if (ra->start >= filemap_nr_pages(as))
        return 0; /* the window lies past the end: nothing to read, as in Linux */
    unsigned long read = read_pages(as, ra->start, ra->size, ra->async_size);
    struct pagecache_event ev = {.op = PAGECACHE_READAHEAD,
                                 .as = as,
                                 .index = ra->start,
                                 .pages = read,
                                 .size = ra->size,
                                 .async_size = ra->async_size,
                                 .why = why};
    pagecache_notify(&ev);
    return read;
}

/* Cached pages right before index, up to max: the trace a sequential reader leaves. */
static unsigned long count_history_pages(struct address_space *as, pgoff_t index, unsigned long max)
{
    unsigned long n = 0;
    while (n < max && n < index && filemap_find_page(as, index - n - 1))
        n++;
    return n;
}

/* A miss with no window to continue: is it a stream whose state was lost? */
static bool try_context_readahead(struct address_space *as, struct file_ra_state *ra, pgoff_t index,
                                  unsigned long req, unsigned int max)
{
    unsigned long size = count_history_pages(as, index, max);
    if (size == 0)
        return false;
    if (size >= index) /* the stream started at the start of the file */
        size *= 2;
    ra->start = index;
    ra->size = (unsigned int)(size + req < max ? size + req : max);
    ra->async_size = 1;
    return true;
}

static void start_initial_window(struct file_ra_state *ra, pgoff_t index, unsigned long req,
                                 unsigned int max)
{
    ra->start = index;
    ra->size = get_init_ra_size(req, max);
    ra->async_size = ra->size > req ? ra->size - (unsigned int)req : ra->size;
}

/*
 * When the window starts where the reader is and is all lookahead, the
 * reader would hit its own mark at once: merge the next window in now.
 */
static void merge_next_window(struct file_ra_state *ra, pgoff_t index, unsigned int max)
{
    if (index != ra->start || ra->size != ra->async_size)
        return;
    unsigned int add = get_next_ra_size(ra, max);
    if (ra->size + add <= max) {
        ra->async_size = add;
        ra->size += add;
    } else {
        ra->size = max;
        ra->async_size = max / 2;
    }
}

/* The next page after index that is not cached, within max pages; 0 if none. */
static pgoff_t next_miss(struct address_space *as, pgoff_t index, unsigned int max)
{
    for (pgoff_t i = index; i < index + max; i++)
        if (!filemap_find_page(as, i))
            return i;
    return 0;
}

/* The ondemand decision; marked says a PG_readahead page was reached. */
static unsigned long ondemand_readahead(struct address_space *as, struct file_ra_state *ra,
                                        bool marked, pgoff_t index, unsigned long req)
{
    unsigned int max = ra->ra_pages;
    const char *why = marked ? "async" : "sync";
    if (index == 0)
        goto initial;
    /* The expected next step of a sequential stream: push the window on. */
    if (index == ra->start + ra->size - ra->async_size || index == ra->start + ra->size) {
        ra->start += ra->size;
        ra->size = get_next_ra_size(ra, max);
        ra->async_size = ra->size;
        goto readit;
    }
    if (marked) {
        /* A mark from a window this state no longer describes (interleaved streams). */
        pgoff_t start = next_miss(as, index + 1, max);
        if (!start || start - index > max)
            return 0;
        ra->start = start;
        ra->size = (unsigned int)(start - index + req);
        ra->size = get_next_ra_size(ra, max);
        ra->async_size = ra->size;
        goto readit;
    }
    if (req > max)
        goto initial;
    /* A sequential miss: right after the previous read, or in its last page. */
    if (ra->prev_pos != UINT64_MAX && index - (pgoff_t)(ra->prev_pos >> PAGE_SHIFT) <= 1)
        goto initial;
    if (try_context_readahead(as, ra, index, req, max))
        goto readit;
    /* A lone random read: read what was asked, leave the state alone. */
    return read_pages(as, index, req, 0);
initial:
    start_initial_window(ra, index, req, max);
readit:
    merge_next_window(ra, index, max);
    return ra_submit(as, ra, why);
}

unsigned long page_cache_sync_readahead(struct address_space *as, struct file_ra_state *ra,
                                        pgoff_t index, unsigned long req_count)
{
    if (ra->random || ra->ra_pages == 0)
        return read_pages(as, index, req_count, 0); /* FADV_RANDOM: exactly what is asked */
    return ondemand_readahead(as, ra, false, index, req_count);
}

unsigned long page_cache_async_readahead(struct address_space *as, struct file_ra_state *ra,
                                         struct page *page, pgoff_t index, unsigned long req_count)
{
    if (ra->ra_pages == 0 || PageFlag(page, PG_writeback))
        return 0;
    ClearPageFlag(page, PG_readahead);
    return ondemand_readahead(as, ra, true, index, req_count);
}

unsigned long page_cache_mmap_readahead(struct vm_area_struct *vma, pgoff_t index)
{
    struct file *file = vma->vm_file;
    struct file_ra_state *ra = &file->f_ra;
    struct address_space *as = file->f_mapping;
    if ((vma->vm_flags & VM_RAND_READ) || ra->ra_pages == 0)
        return 0;
    if (vma->vm_flags & VM_SEQ_READ)
        return page_cache_sync_readahead(as, ra, index, ra->ra_pages);
    /* Faults all over a big mapping: read-around would only waste memory. */
    if (++ra->mmap_miss > MMAP_LOTSAMISS)
        return 0;
    ra->start = index > ra->ra_pages / 2 ? index - ra->ra_pages / 2 : 0;
    ra->size = ra->ra_pages;
    ra->async_size = ra->ra_pages / 4;
    return ra_submit(as, ra, "mmap");
}

/*
 * WILLNEED reads the range in now (in warm mode it is cached already);
 * DONTNEED writes its dirty pages back and drops the clean, unmapped ones.
 * Linux starts that writeback without waiting and drops what is clean by
 * then; vmemu's writeback is done when it returns, so all of it goes.
 */
static int fadvise_range(struct address_space *as, uint64_t offset, uint64_t len, int advice)
{
    uint64_t end = len == 0 || offset + len < offset ? UINT64_MAX : offset + len;
    if (end > as->i_size)
        end = as->i_size;
    pgoff_t first = (pgoff_t)(offset >> PAGE_SHIFT);
    pgoff_t last = (pgoff_t)((end + PAGE_SIZE - 1) >> PAGE_SHIFT);
    if (last <= first)
        return 0;
    if (advice == POSIX_FADV_WILLNEED) {
        if (filemap_cold)
            read_pages(as, first, last - first, 0);
        return 0;
    }
    writeback_range(as, first, last, WB_REASON_FADVISE);
    /* Only whole pages inside the range go: a partial one may still be wanted. */
    pgoff_t from = (pgoff_t)((offset + PAGE_SIZE - 1) >> PAGE_SHIFT);
    pgoff_t to = end == as->i_size ? last : (pgoff_t)(end >> PAGE_SHIFT);
    if (to > from)
        invalidate_mapping_pages(as, from, to);
    return 0;
}

int file_fadvise(struct file *f, uint64_t offset, uint64_t len, int advice)
{
    struct file_ra_state *ra = &f->f_ra;
    switch (advice) {
    case POSIX_FADV_NORMAL:
        ra->ra_pages = VM_READAHEAD_PAGES;
        ra->random = false;
        return 0;
    case POSIX_FADV_RANDOM:
        ra->random = true;
        return 0;
    case POSIX_FADV_SEQUENTIAL:
        ra->ra_pages = 2 * VM_READAHEAD_PAGES;
        ra->random = false;
        return 0;
    case POSIX_FADV_WILLNEED:
    case POSIX_FADV_DONTNEED:
        return fadvise_range(f->f_mapping, offset, len, advice);
    case POSIX_FADV_NOREUSE:
        return 0;
    default:
        return -EINVAL;
    }
}
