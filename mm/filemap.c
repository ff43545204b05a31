/*
 * The page cache: one address_space per host file, holding its pages by
 * index. Pages stay cached after the last close, as in Linux, until vmemu
 * exits; dirty ones are written back to the host file before they go.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "caches.h"
#include "fs.h"
#include "mm_types.h"
#include "slab.h"

bool filemap_cold;
static struct list_head address_spaces = LIST_HEAD_INIT(address_spaces);

struct address_space *address_space_get(const struct stat *st, int fd, int *err);
void address_space_put(struct address_space *as);

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

/* A writable descriptor of the cached file, for one writeback pass. */
static int open_for_writeback(const struct address_space *as)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/self/fd/%d", as->host_fd);
    return open(path, O_WRONLY | O_CLOEXEC);
}

/*
 * The host file is now shorter than the cache knows (reopened with O_TRUNC,
 * or truncated by another process). As Linux's truncate_inode_pages: a
 * partial new last page stays, its bytes past the end zeroed; the pages past
 * it leave the cache, dirty or not (a mapping still holding one keeps it
 * until unmapped, where Linux would unmap it).
 */
static void address_space_shrink(struct address_space *as, uint64_t size)
{
    pgoff_t first = (pgoff_t)(size >> PAGE_SHIFT);
    size_t tail = (size_t)(size & ~PAGE_MASK);
    as->i_size = size;
    if (tail) {
        struct page *p = filemap_find_page(as, first);
        if (p)
            memset((unsigned char *)page_address(p) + tail, 0, PAGE_SIZE - tail);
        first++;
    }
    for (pgoff_t i = first; i < as->i_pages_cap; i++) {
        struct page *p = as->i_pages[i];
        if (!p)
            continue;
        as->i_pages[i] = NULL;
        as->nrpages--;
        ClearPageFlag(p, PG_dirty);
        p->mapping = NULL;
        put_page(p);
    }
}

struct address_space *address_space_get(const struct stat *st, int fd, int *err)
{
    struct address_space *as;
    list_for_each_entry(as, &address_spaces, as_list)
    {
        if (as->host_dev == (uint64_t)st->st_dev && as->host_ino == (uint64_t)st->st_ino) {
            if ((uint64_t)st->st_size < as->i_size)
                address_space_shrink(as, (uint64_t)st->st_size);
            as->refcount++;
            return as;
        }
    }
    as = kmem_cache_zalloc(address_space_cachep, GFP_KERNEL);
    if (!as) {
        *err = -ENOMEM;
        return NULL;
    }
    as->host_fd = open_for_cache(fd);
    if (as->host_fd < 0) {
        *err = -errno;
        kmem_cache_free(address_space_cachep, as);
        return NULL;
    }
    as->host_dev = (uint64_t)st->st_dev;
    as->host_ino = (uint64_t)st->st_ino;
    as->i_size = (uint64_t)st->st_size;
    as->refcount = 1;
    list_add_tail(&as->as_list, &address_spaces);
    return as;
}

static int writeback_page(struct address_space *as, int fd, struct page *page)
{
    uint64_t pos = (uint64_t)page->index << PAGE_SHIFT;
    if (pos >= as->i_size) {
        ClearPageFlag(page, PG_dirty); /* wholly beyond EOF: nothing to keep */
        return 0;
    }
    size_t len = as->i_size - pos < PAGE_SIZE ? (size_t)(as->i_size - pos) : PAGE_SIZE;
    const unsigned char *src = page_address(page);
    while (len > 0) {
        ssize_t n = pwrite(fd, src, len, (off_t)pos);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        src += n;
        pos += (uint64_t)n;
        len -= (size_t)n;
    }
    ClearPageFlag(page, PG_dirty);
    return 0;
}

static int address_space_writeback(struct address_space *as)
{
    int first = 0, fd = -1;
    for (unsigned long i = 0; i < as->i_pages_cap; i++) {
        struct page *p = as->i_pages[i];
        if (!p || !PageFlag(p, PG_dirty))
            continue;
        if (fd < 0 && (fd = open_for_writeback(as)) < 0)
            return -errno; /* the pages stay dirty: a later pass may manage */
        int err = writeback_page(as, fd, p);
        if (err && !first)
            first = err;
    }
    if (fd >= 0 && close(fd) != 0 && !first)
        first = -errno;
    return first;
}

void address_space_put(struct address_space *as)
{
    /* Nothing written may wait for an exit that might not come cleanly. */
    if (--as->refcount == 0)
        address_space_writeback(as);
}

int filemap_writeback_all(void)
{
    int first = 0;
    struct address_space *as;
    list_for_each_entry(as, &address_spaces, as_list)
    {
        int err = address_space_writeback(as);
        if (err && !first)
            first = err;
    }
    return first;
}

struct page *filemap_find_page(struct address_space *as, pgoff_t index)
{
    return index < as->i_pages_cap ? as->i_pages[index] : NULL;
}

/*
 * The index table comes from kmalloc while it fits a kmalloc cache and from
 * vmalloc beyond that, as Linux's kvmalloc, so a big file's table needs no
 * run of contiguous frames. Which one holds a table follows from its size.
 */
static bool index_is_vmalloc(unsigned long cap)
{
    return cap * sizeof(struct page *) > KMALLOC_MAX_CACHE_SIZE;
}

static struct page **index_alloc(unsigned long cap)
{
    size_t bytes = cap * sizeof(struct page *);
    return index_is_vmalloc(cap) ? vzalloc(bytes) : kzalloc(bytes, GFP_KERNEL);
}

static void index_free(struct page **v, unsigned long cap)
{
    if (index_is_vmalloc(cap))
        vfree(v);
    else
        kfree(v);
}

static int grow_index(struct address_space *as, pgoff_t index)
{
    if (index < as->i_pages_cap)
        return 0;
    unsigned long cap = as->i_pages_cap ? as->i_pages_cap : 16;
    while (cap <= index)
        cap *= 2;
    struct page **v = index_alloc(cap);
    if (!v)
        return -ENOMEM;
    if (as->i_pages_cap)
        memcpy(v, as->i_pages, as->i_pages_cap * sizeof(*v));
    index_free(as->i_pages, as->i_pages_cap);
    as->i_pages = v;
    as->i_pages_cap = cap;
    return 0;
}

/* Fill a new page from the host file; bytes past EOF read as zeros. */
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
    return 0;
}

/* Bring the page at index into the cache from the host file; NULL with *err. */
static struct page *add_to_cache(struct address_space *as, pgoff_t index, int *err)
{
    if ((*err = grow_index(as, index)) != 0)
        return NULL;
    struct page *page = alloc_page(GFP_HIGHUSER_MOVABLE);
    if (!page) {
        *err = -ENOMEM;
        return NULL;
    }
    if ((*err = read_page(as, page, index)) != 0) {
        __free_page(page);
        return NULL;
    }
    page->mapping = as;
    page->index = index;
    SetPageFlag(page, PG_uptodate);
    as->i_pages[index] = page;
    as->nrpages++;
    return page;
}

struct page *filemap_get_page(struct address_space *as, pgoff_t index, bool *major, int *err)
{
    struct page *page = filemap_find_page(as, index);
    *major = false;
    if (!page) {
        if (!(page = add_to_cache(as, index, err)))
            return NULL;
        *major = filemap_cold; /* warm: it was in the cache all along */
    }
    get_page(page); /* one reference is the cache's, this one the caller's */
    return page;
}

struct page *filemap_map_candidate(struct address_space *as, pgoff_t index)
{
    struct page *page = filemap_find_page(as, index);
    int err;
    if (!page && !filemap_cold && index < filemap_nr_pages(as))
        page = add_to_cache(as, index, &err);
    if (!page || !PageFlag(page, PG_uptodate) || PageFlag(page, PG_readahead))
        return NULL;
    return page;
}

/* Read the missing pages of [start, start + nr) and mark the async trigger. */
static unsigned long ra_submit(struct address_space *as, pgoff_t start, unsigned long nr,
                               unsigned long async_size)
{
    pgoff_t end = start + nr, eof = filemap_nr_pages(as);
    unsigned long read = 0;
    if (end > eof)
        end = eof;
    for (pgoff_t i = start; i < end; i++) {
        int err;
        struct page *p = filemap_find_page(as, i);
        if (!p && (p = add_to_cache(as, i, &err)) != NULL)
            read++;
        if (p && async_size && i == start + nr - async_size)
            SetPageFlag(p, PG_readahead);
    }
    as->ra_start = start;
    as->ra_size = nr;
    as->ra_async_size = async_size;
    return read;
}

/* Linux's mmap read-around: a window of ra_pages centred on the miss. */
static unsigned long sync_mmap_readahead(struct vm_area_struct *vma, struct address_space *as,
                                         pgoff_t index)
{
    if (vma->vm_flags & VM_RAND_READ)
        return 0;
    if (vma->vm_flags & VM_SEQ_READ)
        return ra_submit(as, index, VM_READAHEAD_PAGES, VM_READAHEAD_PAGES);
    pgoff_t start = index > VM_READAHEAD_PAGES / 2 ? index - VM_READAHEAD_PAGES / 2 : 0;
    return ra_submit(as, start, VM_READAHEAD_PAGES, VM_READAHEAD_PAGES / 4);
}

/* A marked page was reached: read the next window before it is needed. */
static unsigned long async_mmap_readahead(struct vm_area_struct *vma, struct address_space *as,
                                          struct page *page)
{
    ClearPageFlag(page, PG_readahead);
    if (vma->vm_flags & VM_RAND_READ)
        return 0;
    pgoff_t start = as->ra_start + as->ra_size;
    if (page->index >= start || page->index < as->ra_start)
        start = page->index + 1; /* the mark is from an older window */
    return ra_submit(as, start, VM_READAHEAD_PAGES, VM_READAHEAD_PAGES);
}

struct page *filemap_fault(struct vm_area_struct *vma, pgoff_t index, bool *major,
                           unsigned long *ra_pages, int *err)
{
    struct address_space *as = vma->vm_file->f_mapping;
    struct page *page = filemap_find_page(as, index);
    *ra_pages = 0;
    if (!page && filemap_cold) {
        /* A miss: the fault waits for the read, and reads around it. */
        *ra_pages = sync_mmap_readahead(vma, as, index);
        page = filemap_find_page(as, index);
        if (page) {
            *major = true;
            (*ra_pages)--; /* the faulting page itself is not readahead */
            get_page(page);
            if (PageFlag(page, PG_readahead))
                *ra_pages += async_mmap_readahead(vma, as, page);
            return page;
        }
    }
    page = filemap_get_page(as, index, major, err);
    if (page && PageFlag(page, PG_readahead))
        *ra_pages += async_mmap_readahead(vma, as, page);
    return page;
}

void filemap_update_range(struct address_space *as, uint64_t pos, const void *buf, size_t len)
{
    const unsigned char *src = buf;
    if (pos + len > as->i_size)
        as->i_size = pos + len;
    while (len > 0) {
        size_t off = (size_t)(pos & ~PAGE_MASK);
        size_t n = PAGE_SIZE - off < len ? PAGE_SIZE - off : len;
        struct page *page = filemap_find_page(as, (pgoff_t)(pos >> PAGE_SHIFT));
        if (page)
            memcpy((unsigned char *)page_address(page) + off, src, n);
        src += n;
        pos += n;
        len -= n;
    }
}

void filemap_exit(void)
{
    struct address_space *as, *tmp;
    list_for_each_entry_safe(as, tmp, &address_spaces, as_list)
    {
        address_space_writeback(as);
        for (unsigned long i = 0; i < as->i_pages_cap; i++) {
            struct page *p = as->i_pages[i];
            if (!p)
                continue;
            p->mapping = NULL;
            p->flags = 0;
            put_page(p);
        }
        list_del(&as->as_list);
        close(as->host_fd);
        index_free(as->i_pages, as->i_pages_cap);
        kmem_cache_free(address_space_cachep, as);
    }
}
