/*
 * The page cache: one address_space per host file, its pages in a radix
 * tree by index. read() copies out of cache pages and write() into them;
 * mappings map the same frames, so every path sees one copy of each page.
 * Pages stay cached after the last close, as in Linux, until vmemu exits;
 * dirty ones reach the host file through writeback (page-writeback.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arch.h"
#include "internal.h"
#include "mmzone.h"
#include "pagemap.h"
#include "slab.h"
#include "uaccess.h"
#include "vmstat.h"
#include "writeback.h"

bool filemap_cold;
struct list_head address_spaces = LIST_HEAD_INIT(address_spaces);
const struct pagecache_observer *pagecache_observer;

void pagecache_set_observer(const struct pagecache_observer *obs)
{
    pagecache_observer = obs;
}

void pagecache_notify(const struct pagecache_event *ev)
{
    if (pagecache_observer)
        pagecache_observer->event(pagecache_observer->ctx, ev);
}

/*
 * The cache's own descriptor, read-only: holding a host file open for
 * writing would make running it fail with ETXTBSY. Writeback opens a
 * writable descriptor of its own for the time it writes.
 */
static int open_for_cache(int fd)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
    int own = open(path, O_RDONLY | O_CLOEXEC);
    if (own < 0)
        own = fcntl(fd, F_DUPFD_CLOEXEC, 3);
    return own;
}

static char *base_name_copy(const char *path)
{
    const char *b = strrchr(path, '/');
    b = b ? b + 1 : path;
    size_t n = strlen(b) + 1;
    char *name = kmalloc(n, GFP_KERNEL);
    if (name)
        memcpy(name, b, n);
    return name;
}

static struct address_space *address_space_new(const struct stat *st, int fd, const char *path,
                                               int *err)
{
    struct address_space *as = kmem_cache_zalloc(address_space_cachep, GFP_KERNEL);
    if (!as || !(as->a_name = base_name_copy(path))) {
        if (as)
            kmem_cache_free(address_space_cachep, as);
        *err = -ENOMEM;
        return NULL;
    }
    as->host_wfd = -1;
    as->host_fd = open_for_cache(fd);
    if (as->host_fd < 0) {
        *err = -errno;
        kfree(as->a_name);
        kmem_cache_free(address_space_cachep, as);
        return NULL;
    }
    as->host_dev = (uint64_t)st->st_dev;
    as->host_ino = (uint64_t)st->st_ino;
    as->i_size = as->host_size = (uint64_t)st->st_size;
    xa_init(&as->i_pages);
    INIT_LIST_HEAD(&as->i_mmap);
    as->refcount = 1;
    list_add_tail(&as->as_list, &address_spaces);
    return as;
}

/* Keep a writable descriptor of the file for writeback, from its first writable open. */
static void keep_writable_fd(struct address_space *as, int fd, int flags)
{
    if (as->host_wfd >= 0 || (flags & O_ACCMODE) == O_RDONLY || (flags & O_APPEND))
        return;
    as->host_wfd = fcntl(fd, F_DUPFD_CLOEXEC, 3); /* -1 (no descriptor left): reopen later */
}

static struct address_space *lookup_or_create(const struct stat *st, int fd, const char *path,
                                              int flags, int *err)
{
    struct address_space *as;
    list_for_each_entry(as, &address_spaces, as_list)
    {
        if (as->host_dev != (uint64_t)st->st_dev || as->host_ino != (uint64_t)st->st_ino)
            continue;
        if (flags & O_TRUNC) {
            /* The open emptied the host file: what the cache held is gone with it. */
            as->host_size = 0;
            truncate_pagecache(as, 0);
        } else if ((uint64_t)st->st_size < as->host_size) {
            /*
             * Someone else shortened the host file since vmemu last looked
             * (the cache's own size may run ahead of the host's while dirty
             * pages wait: only a shrink vmemu did not make counts).
             */
            as->host_size = (uint64_t)st->st_size;
            truncate_pagecache(as, (uint64_t)st->st_size);
        }
        as->refcount++;
        return as;
    }
    return address_space_new(st, fd, path, err);
}

struct address_space *address_space_get(const struct stat *st, int fd, const char *path, int flags,
                                        int *err)
{
    struct address_space *as = lookup_or_create(st, fd, path, flags, err);
    if (as)
        keep_writable_fd(as, fd, flags);
    return as;
}

struct address_space *find_mapping(uint64_t dev, uint64_t ino)
{
    struct address_space *as;
    list_for_each_entry(as, &address_spaces, as_list)
    {
        if (as->host_dev == dev && as->host_ino == ino)
            return as;
    }
    return NULL;
}

/*
 * The last opener of a host file went: its pages stay cached, dirty ones
 * included, as in Linux (writeback or exit writes them, not close()). A
 * shmem object has nowhere else to keep its pages: it goes with them.
 */
void address_space_put(struct address_space *as)
{
    if (--as->refcount > 0 || !as->shmem)
        return;
    truncate_inode_pages(as);
    kmem_cache_free(address_space_cachep, as);
}

struct page *filemap_find_page(struct address_space *as, pgoff_t index)
{
    void *entry = xa_load(&as->i_pages, index);
    return xa_is_value(entry) ? NULL : entry; /* a shadow: the page was evicted */
}

/*
 * Warm mode's rule: a page of a host file that is not cached counts as
 * cached all along (brought in without I/O) unless reclaim evicted it,
 * which its shadow entry says.
 */
static bool cached_all_along(struct address_space *as, pgoff_t index)
{
    return !filemap_cold && !as->shmem && !xa_is_value(xa_load(&as->i_pages, index));
}

int add_to_page_cache(struct address_space *as, struct page *page, pgoff_t index)
{
    void *old = xa_load(&as->i_pages, index);
    int err = xa_store(&as->i_pages, index, page);
    if (err)
        return err;
    page->mapping = as;
    page->index = index;
    as->nrpages++;
    if (xa_is_value(old))
        workingset_refault(page, old);
    lru_cache_add(page); /* shmem pages are swap-backed: onto the anon lists */
    return 0;
}

/* Take the page out of the cache, leaving shadow (or nothing) at its index. */
static void remove_from_page_cache(struct page *page, void *shadow)
{
    struct address_space *as = page->mapping;
    if (PageFlag(page, PG_dirty))
        account_page_cleaned(page);
    if (shadow) {
        for (xa_mark_t m = 0; m < XA_MAX_MARKS; m++)
            xa_clear_mark(&as->i_pages, page->index, m);
        xa_store(&as->i_pages, page->index, shadow); /* a replacement: allocates nothing */
    } else {
        xa_erase(&as->i_pages, page->index);
    }
    as->nrpages--;
    lru_cache_del(page);
    ClearPageFlag(page, PG_uptodate);
    ClearPageFlag(page, PG_readahead);
    page->mapping = NULL;
    put_page(page); /* the cache's reference; a mapping may still hold its own */
}

void delete_from_page_cache(struct page *page)
{
    remove_from_page_cache(page, NULL);
}

void delete_from_page_cache_shadow(struct page *page, void *shadow)
{
    remove_from_page_cache(page, shadow);
}

/* Fill a page from the host file; bytes past the host's EOF read as zeros. */
static int read_page(struct address_space *as, struct page *page, pgoff_t index)
{
    unsigned char *dst = page_address(page);
    size_t got = 0;
    while (got < PAGE_SIZE) {
        ssize_t n = pread(as->host_fd, dst + got, PAGE_SIZE - got,
                          (off_t)(((uint64_t)index << PAGE_SHIFT) + got));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -EIO;
        if (n == 0)
            break;
        got += (size_t)n;
    }
    memset(dst + got, 0, PAGE_SIZE - got);
    /* The cache's size rules: host bytes past it (not yet truncated there) are not the file's. */
    uint64_t start = (uint64_t)index << PAGE_SHIFT;
    if (start + PAGE_SIZE > as->i_size) {
        size_t keep = as->i_size > start ? (size_t)(as->i_size - start) : 0;
        memset(dst + keep, 0, PAGE_SIZE - keep);
    }
    return 0;
}

struct page *page_cache_read(struct address_space *as, pgoff_t index, bool io, int *err)
{
    struct page *page = alloc_page(GFP_HIGHUSER_MOVABLE);
    if (!page) {
        *err = -ENOMEM;
        return NULL;
    }
    if ((*err = read_page(as, page, index)) != 0 ||
        (*err = add_to_page_cache(as, page, index)) != 0) {
        __free_page(page);
        return NULL;
    }
    SetPageFlag(page, PG_uptodate);
    if (io)
        count_vm_events(PGPGIN, PAGE_SIZE >> 10);
    return page;
}

struct page *filemap_get_page(struct address_space *as, pgoff_t index, bool *major, int *err)
{
    struct page *page = filemap_find_page(as, index);
    *major = false;
    if (!page) {
        bool io = !cached_all_along(as, index);
        if (!(page = page_cache_read(as, index, io, err)))
            return NULL;
        *major = io; /* warm: it was in the cache all along */
    }
    get_page(page); /* one reference is the cache's, this one the caller's */
    return page;
}

struct page *filemap_map_candidate(struct address_space *as, pgoff_t index)
{
    struct page *page = filemap_find_page(as, index);
    int err;
    if (!page && cached_all_along(as, index) && index < filemap_nr_pages(as))
        page = page_cache_read(as, index, false, &err);
    if (!page || !PageFlag(page, PG_uptodate) || PageFlag(page, PG_readahead))
        return NULL;
    return page;
}

bool filemap_page_cached(struct address_space *as, pgoff_t index)
{
    if (index >= filemap_nr_pages(as))
        return false;
    return filemap_find_page(as, index) != NULL || cached_all_along(as, index);
}

struct page *filemap_fault(struct vm_area_struct *vma, pgoff_t index, bool *major,
                           unsigned long *ra_pages, int *err)
{
    struct file *file = vma->vm_file;
    struct address_space *as = file->f_mapping;
    struct page *page = filemap_find_page(as, index);
    *ra_pages = 0;
    *major = false;
    if (page) {
        if (file->f_ra.mmap_miss > 0)
            file->f_ra.mmap_miss--;
        /* The reader reached the window's mark: read the next one ahead of it. */
        if (PageFlag(page, PG_readahead) && !(vma->vm_flags & VM_RAND_READ))
            *ra_pages =
                page_cache_async_readahead(as, &file->f_ra, page, index, file->f_ra.ra_pages);
        ClearPageFlag(page, PG_readahead);
        get_page(page);
        return page;
    }
    if (filemap_cold) {
        /* A miss: the fault waits for the read, and reads around it. */
        unsigned long read = page_cache_mmap_readahead(vma, index);
        if ((page = filemap_find_page(as, index)) != NULL) {
            *major = true;
            *ra_pages = read ? read - 1 : 0; /* the faulting page itself is not readahead */
            ClearPageFlag(page, PG_readahead);
            get_page(page);
            return page;
        }
    }
    return filemap_get_page(as, index, major, err);
}

/* ---- read() ---------------------------------------------------------------------------- */

/* Where read() copies to and write() copies from: guest memory, or vmemu's own (sendfile). */
struct iov_iter {
    struct mm_struct *mm; /* NULL: kbuf */
    uint64_t ubuf;
    unsigned char *kbuf;
};

/* Each returns the bytes NOT copied, as copy_to_user does. */
static size_t copy_to_iter(const struct iov_iter *it, size_t at, const void *src, size_t n)
{
    if (it->mm)
        return copy_to_user(it->mm, it->ubuf + at, src, n);
    memcpy(it->kbuf + at, src, n);
    return 0;
}

static size_t copy_from_iter(const struct iov_iter *it, size_t at, void *dst, size_t n)
{
    if (it->mm)
        return copy_from_user(it->mm, dst, it->ubuf + at, n);
    memcpy(dst, it->kbuf + at, n);
    return 0;
}

static void trace_access(enum pagecache_op op, struct address_space *as, struct page *page,
                         bool hit)
{
    struct pagecache_event ev = {
        .op = op, .as = as, .index = page->index, .pages = 1, .pfn = page_to_pfn(page), .hit = hit};
    pagecache_notify(&ev);
}

/*
 * The page at index for read(), with a reference: a hit, or a miss that
 * readahead (cold) or a quiet fill (warm: the page counts as cached all
 * along, unless it was evicted) brings in. The reference is taken before
 * anything else may allocate: an allocation may reclaim.
 */
static struct page *read_get_page(struct file *f, pgoff_t index, pgoff_t last, bool *hit, int *err)
{
    struct address_space *as = f->f_mapping;
    struct page *page = filemap_find_page(as, index);
    bool warm = cached_all_along(as, index);
    *hit = page != NULL || warm;
    if (!page && filemap_cold) {
        page_cache_sync_readahead(as, &f->f_ra, index, last - index + 1);
        page = filemap_find_page(as, index);
    }
    if (!page && !(page = page_cache_read(as, index, !warm, err)))
        return NULL;
    get_page(page);
    if (PageFlag(page, PG_readahead))
        page_cache_async_readahead(as, &f->f_ra, page, index, last - index + 1);
    count_vm_event(*hit ? PGCACHE_HIT : PGCACHE_MISS);
    return page;
}

static long do_filemap_read(struct file *f, const struct iov_iter *to, size_t count, uint64_t *pos)
{
    struct address_space *as = f->f_mapping;
    if (*pos >= as->i_size || count == 0)
        return 0;
    if (count > as->i_size - *pos)
        count = (size_t)(as->i_size - *pos);
    pgoff_t last = (pgoff_t)((*pos + count - 1) >> PAGE_SHIFT);
    size_t done = 0;
    while (done < count) {
        uint64_t p = *pos + done;
        pgoff_t index = (pgoff_t)(p >> PAGE_SHIFT);
        size_t off = (size_t)(p & ~PAGE_MASK);
        size_t n = PAGE_SIZE - off < count - done ? PAGE_SIZE - off : count - done;
        if (as->shmem && !filemap_find_page(as, index)) {
            /* A hole of shmem reads as zeros and stays a hole (Linux's ZERO_PAGE read). */
            static const unsigned char zeros[PAGE_SIZE];
            size_t left = copy_to_iter(to, done, zeros, n);
            done += n - left;
            if (left)
                break;
            continue;
        }
        bool hit;
        int err = 0;
        struct page *page = read_get_page(f, index, last, &hit, &err);
        if (!page) {
            if (!done)
                return err;
            break; /* a short read, as Linux's: the position still moves past what was read */
        }
        /* Several reads of one page count as one use of it, as in Linux. */
        if (f->f_ra.prev_pos == UINT64_MAX || (f->f_ra.prev_pos - 1) >> PAGE_SHIFT != index)
            mark_page_accessed(page);
        trace_access(PAGECACHE_READ, as, page, hit);
        size_t left = copy_to_iter(to, done, (char *)page_address(page) + off, n);
        put_page(page);
        done += n - left;
        f->f_ra.prev_pos = *pos + done;
        if (left)
            break;
    }
    *pos += done;
    return done ? (long)done : -EFAULT;
}

long filemap_read(struct file *f, struct mm_struct *mm, uint64_t ubuf, size_t count, uint64_t *pos)
{
    struct iov_iter to = {.mm = mm, .ubuf = ubuf};
    return do_filemap_read(f, &to, count, pos);
}

long kernel_read(struct file *f, void *buf, size_t count, uint64_t *pos)
{
    struct iov_iter to = {.kbuf = buf};
    return do_filemap_read(f, &to, count, pos);
}

/* ---- write() --------------------------------------------------------------------------- */

/*
 * The page a write of [off, off + len) into page index goes to. A page not
 * cached is read first when the write leaves part of it that holds file
 * data; past EOF it starts as zeros.
 */
static struct page *write_begin(struct address_space *as, pgoff_t index, size_t off, size_t len,
                                bool *hit, int *err)
{
    struct page *page = filemap_find_page(as, index);
    *hit = page != NULL;
    if (page)
        return page;
    uint64_t start = (uint64_t)index << PAGE_SHIFT;
    bool whole = off == 0 && len == PAGE_SIZE;
    if (!whole && start < as->i_size)
        return page_cache_read(as, index, !cached_all_along(as, index), err);
    page = alloc_page(GFP_HIGHUSER_MOVABLE | __GFP_ZERO);
    if (!page) {
        *err = -ENOMEM;
        return NULL;
    }
    if ((*err = add_to_page_cache(as, page, index)) != 0) {
        __free_page(page);
        return NULL;
    }
    SetPageFlag(page, PG_uptodate);
    return page;
}

/* A descriptor the host shares: the bytes go to the host file now. */
static int write_through(struct file *f, const void *buf, size_t len, uint64_t pos)
{
    const char *p = buf;
    while (len > 0) {
        ssize_t n = pwrite(f->f_host_fd, p, len, (off_t)pos);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -errno;
        p += n;
        pos += (uint64_t)n;
        len -= (size_t)n;
    }
    return 0;
}

/* One page's part of a write: bytes taken or -errno. */
static long write_one_page(struct file *f, const struct iov_iter *from, size_t at, size_t len,
                           uint64_t pos)
{
    struct address_space *as = f->f_mapping;
    static unsigned char bounce[PAGE_SIZE];
    pgoff_t index = (pgoff_t)(pos >> PAGE_SHIFT);
    size_t off = (size_t)(pos & ~PAGE_MASK);
    /* From the guest first: its buffer may be a mapping of this very page. */
    size_t got = len - copy_from_iter(from, at, bounce, len);
    if (got == 0)
        return -EFAULT;
    bool hit;
    int err = as->memfd ? memfd_check_write(as, pos, got) : 0;
    if (err)
        return err;
    struct page *page = as->shmem ? shmem_get_page(as, index, &hit, &err)
                                  : write_begin(as, index, off, got, &hit, &err);
    if (!page)
        return err;
    if (as->shmem)
        hit = !hit; /* shmem_get_page says whether it made the page */
    if (pos + got > as->i_size) {
        pagecache_isize_extended(as, as->i_size, pos + got);
        as->i_size = pos + got;
    }
    arch_frames_changing(page_to_pfn(page), 1); /* a mapping may run code from it */
    memcpy((unsigned char *)page_address(page) + off, bounce, got);
    mark_page_accessed(page);
    count_vm_event(hit ? PGCACHE_HIT : PGCACHE_MISS);
    trace_access(PAGECACHE_WRITE, as, page, hit);
    if (as->shmem) {
        /* shmem keeps no dirty state: there is nothing to write back. */
    } else if (f->f_pos_shared) {
        if ((err = write_through(f, bounce, got, pos)) != 0)
            return err;
        if (as->host_size < as->i_size)
            as->host_size = as->i_size;
    } else {
        set_page_dirty(page);
    }
    return (long)got;
}

static long do_filemap_write(struct file *f, const struct iov_iter *from, size_t count,
                             uint64_t *pos)
{
    size_t done = 0;
    long err = 0;
    while (done < count) {
        uint64_t p = *pos + done;
        size_t n = PAGE_SIZE - (size_t)(p & ~PAGE_MASK);
        if (n > count - done)
            n = count - done;
        long w = write_one_page(f, from, done, n, p);
        if (w < 0) {
            err = w;
            break;
        }
        done += (size_t)w;
        if ((size_t)w < n)
            break;
        /* Linux's ratelimit: a long write is held to the dirty limits as it goes. */
        if ((p >> PAGE_SHIFT) % DIRTY_RATELIMIT_PAGES == DIRTY_RATELIMIT_PAGES - 1)
            balance_dirty_pages_ratelimited(f->f_mapping);
    }
    *pos += done;
    if (done)
        balance_dirty_pages_ratelimited(f->f_mapping);
    return done ? (long)done : err;
}

long filemap_write(struct file *f, struct mm_struct *mm, uint64_t ubuf, size_t count, uint64_t *pos)
{
    struct iov_iter from = {.mm = mm, .ubuf = ubuf};
    return do_filemap_write(f, &from, count, pos);
}

long kernel_write(struct file *f, const void *buf, size_t count, uint64_t *pos)
{
    struct iov_iter from = {.kbuf = (unsigned char *)buf};
    return do_filemap_write(f, &from, count, pos);
}

/* ---- exit ------------------------------------------------------------------------------ */

void filemap_writeback_at_exit(void)
{
    writeback_all(WB_REASON_EXIT);
    struct address_space *as;
    list_for_each_entry(as, &address_spaces, as_list)
    {
        unsigned long index;
        struct page *p;
        /* A page writeback could not save stays dirty: nothing more can be done. */
        xa_for_each_range(&as->i_pages, index, p, 0, ULONG_MAX, PAGECACHE_TAG_DIRTY) fprintf(
            stderr, "vmemu: %s: page %lu could not be written back\n", mapping_name(as), index);
    }
}

void filemap_exit(void)
{
    filemap_writeback_at_exit();
    struct address_space *as, *tmp;
    list_for_each_entry_safe(as, tmp, &address_spaces, as_list)
    {
        truncate_inode_pages(as);
        list_del(&as->as_list);
        close(as->host_fd);
        if (as->host_wfd >= 0)
            close(as->host_wfd);
        kfree(as->a_name);
        kmem_cache_free(address_space_cachep, as);
    }
}
