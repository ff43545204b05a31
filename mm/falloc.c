/*
 * fallocate(2)'s work under the file's page cache: what a filesystem's
 * ->fallocate and Linux's truncate_pagecache_range do. The caller (the
 * system call) has made the checks every file gets (arguments, mode
 * combinations, the descriptor's access and type, the size limit).
 *
 * Host files: the host's file system does the real work and gives the
 * real answers (block alignment for collapse and insert, what it
 * supports), so its file must hold what the guest sees first: the file's
 * dirty pages are written back, then the host call is made, then every
 * cached page whose bytes it may have changed or moved leaves the cache
 * (a later read or fault brings the new content in) after the entries
 * mapping it are zapped. Private copies made of those pages stay, as in
 * Linux (even_cows false). The size is then the host file's.
 *
 * shmem and memfd objects hold their data in the cache itself, so the
 * work is done here, as Linux's shmem_fallocate: allocation (pages made
 * now, the size grown unless FALLOC_FL_KEEP_SIZE) and holes (the whole
 * pages unmapped and freed, the partial ones zeroed); any other mode is
 * EOPNOTSUPP; the seals are honoured (F_SEAL_GROW, F_SEAL_WRITE).
 */
#define _GNU_SOURCE /* fallocate */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"
#include "mman_new.h"
#include "pagemap.h"
#include "writeback.h"

/* Cached pages [start, end) leave the cache, their file entries zapped first. */
static void drop_cached_range(struct address_space *as, pgoff_t start, pgoff_t end)
{
    if (end <= start)
        return;
    unmap_mapping_pages(as, start, end);
    truncate_inode_pages_range(as, start, end);
}

static int host_fallocate(struct file *f, int mode, uint64_t offset, uint64_t len)
{
    struct address_space *as = f->f_mapping;
    int err = writeback_range(as, 0, ULONG_MAX, WB_REASON_FALLOCATE);
    if (err)
        return err;
    if (fallocate(f->f_host_fd, mode, (off_t)offset, (off_t)len) != 0)
        return -errno;
    uint64_t old = as->i_size;
    struct stat st;
    if (fstat(f->f_host_fd, &st) != 0)
        return -errno;
    pgoff_t first = (pgoff_t)(offset >> PAGE_SHIFT);
    if (mode & (FALLOC_FL_COLLAPSE_RANGE | FALLOC_FL_INSERT_RANGE))
        drop_cached_range(as, first, ULONG_MAX); /* everything after offset moved */
    else if (mode & (FALLOC_FL_PUNCH_HOLE | FALLOC_FL_ZERO_RANGE))
        drop_cached_range(as, first, (pgoff_t)((offset + len + PAGE_SIZE - 1) >> PAGE_SHIFT));
    as->host_size = (uint64_t)st.st_size;
    if ((uint64_t)st.st_size > old)
        pagecache_isize_extended(as, old, (uint64_t)st.st_size);
    as->i_size = (uint64_t)st.st_size;
    return 0;
}

static int shmem_punch_hole(struct address_space *as, uint64_t offset, uint64_t len)
{
    if (as->seals & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE))
        return -EPERM;
    uint64_t end = offset + len;
    pgoff_t head = (pgoff_t)(offset >> PAGE_SHIFT), tail = (pgoff_t)(end >> PAGE_SHIFT);
    if (head == tail) {
        zero_cached_range(as, head, offset & ~PAGE_MASK, end & ~PAGE_MASK);
        return 0;
    }
    if (offset & ~PAGE_MASK)
        zero_cached_range(as, head, offset & ~PAGE_MASK, PAGE_SIZE);
    if (end & ~PAGE_MASK)
        zero_cached_range(as, tail, 0, end & ~PAGE_MASK);
    /* The whole pages between: from the first one past offset, up to tail. */
    drop_cached_range(as, (pgoff_t)((offset + PAGE_SIZE - 1) >> PAGE_SHIFT), tail);
    return 0;
}

static int shmem_fallocate(struct address_space *as, int mode, uint64_t offset, uint64_t len)
{
    if (mode & ~(FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE))
        return -EOPNOTSUPP;
    if (mode & FALLOC_FL_PUNCH_HOLE)
        return shmem_punch_hole(as, offset, len);
    uint64_t end = offset + len;
    if ((as->seals & F_SEAL_GROW) && end > as->i_size)
        return -EPERM;
    for (pgoff_t i = (pgoff_t)(offset >> PAGE_SHIFT); i < (end + PAGE_SIZE - 1) >> PAGE_SHIFT;
         i++) {
        bool created;
        int err = 0;
        if (!shmem_get_page(as, i, &created, &err))
            return err; /* what was allocated stays, as it does when Linux is interrupted */
    }
    if (!(mode & FALLOC_FL_KEEP_SIZE) && end > as->i_size)
        as->i_size = end;
    return 0;
}

int do_fallocate(struct file *f, int mode, uint64_t offset, uint64_t len)
{
    struct address_space *as = f->f_mapping;
    if (as->shmem)
        return shmem_fallocate(as, mode, offset, len);
    return host_fallocate(f, mode, offset, len);
}
