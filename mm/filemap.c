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

#include "fs.h"

bool filemap_cold;
static struct list_head address_spaces = LIST_HEAD_INIT(address_spaces);

struct address_space *address_space_get(const struct stat *st, int fd, int *err);
void address_space_put(struct address_space *as);

/* The cache's own descriptor: writable when the host allows, for writeback. */
static int open_for_cache(int fd)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
    int own = open(path, O_RDWR | O_CLOEXEC);
    if (own < 0)
        own = open(path, O_RDONLY | O_CLOEXEC);
    if (own < 0)
        own = fcntl(fd, F_DUPFD_CLOEXEC, 3);
    return own;
}

struct address_space *address_space_get(const struct stat *st, int fd, int *err)
{
    struct address_space *as;
    list_for_each_entry(as, &address_spaces, as_list)
    {
        if (as->host_dev == (uint64_t)st->st_dev && as->host_ino == (uint64_t)st->st_ino) {
            as->refcount++;
            return as;
        }
    }
    as = calloc(1, sizeof(*as));
    if (!as) {
        *err = -ENOMEM;
        return NULL;
    }
    as->host_fd = open_for_cache(fd);
    if (as->host_fd < 0) {
        *err = -errno;
        free(as);
        return NULL;
    }
    as->host_dev = (uint64_t)st->st_dev;
    as->host_ino = (uint64_t)st->st_ino;
    as->i_size = (uint64_t)st->st_size;
    as->refcount = 1;
    list_add_tail(&as->as_list, &address_spaces);
    return as;
}

static int writeback_page(struct address_space *as, struct page *page)
{
    uint64_t pos = (uint64_t)page->index << PAGE_SHIFT;
    if (pos >= as->i_size) {
        ClearPageFlag(page, PG_dirty); /* wholly beyond EOF: nothing to keep */
        return 0;
    }
    size_t len = as->i_size - pos < PAGE_SIZE ? (size_t)(as->i_size - pos) : PAGE_SIZE;
    const unsigned char *src = page_address(page);
    while (len > 0) {
        ssize_t n = pwrite(as->host_fd, src, len, (off_t)pos);
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
    int first = 0;
    for (unsigned long i = 0; i < as->i_pages_cap; i++) {
        struct page *p = as->i_pages[i];
        if (p && PageFlag(p, PG_dirty)) {
            int err = writeback_page(as, p);
            if (err && !first)
                first = err;
        }
    }
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

static int grow_index(struct address_space *as, pgoff_t index)
{
    if (index < as->i_pages_cap)
        return 0;
    unsigned long cap = as->i_pages_cap ? as->i_pages_cap : 16;
    while (cap <= index)
        cap *= 2;
    struct page **v = realloc(as->i_pages, cap * sizeof(*v));
    if (!v)
        return -ENOMEM;
    memset(v + as->i_pages_cap, 0, (cap - as->i_pages_cap) * sizeof(*v));
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

struct page *filemap_get_page(struct address_space *as, pgoff_t index, bool *major, int *err)
{
    struct page *page = filemap_find_page(as, index);
    *major = false;
    if (page) {
        get_page(page);
        return page;
    }
    if ((*err = grow_index(as, index)) != 0)
        return NULL;
    page = alloc_page(GFP_HIGHUSER_MOVABLE);
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
    *major = filemap_cold;
    get_page(page); /* one reference is the cache's, this one the caller's */
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
        free(as->i_pages);
        free(as);
    }
}
