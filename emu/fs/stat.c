/*
 * Inode attributes as the guest sees them: the host's for host files,
 * except the size of a file vmemu caches (its page cache may hold data the
 * host file has not received yet), and vmemu's own for its trees.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "emu/fs/mount.h"
#include "emu/fs/pseudo.h"
#include "emu/fs/vfs.h"
#include "mm/fs.h"
#include "mm/pagemap.h"

/* A regular file's size is the page cache's when vmemu caches it. */
static void cached_size(struct stat *st)
{
    if (!S_ISREG(st->st_mode))
        return;
    const struct address_space *as = find_mapping((uint64_t)st->st_dev, (uint64_t)st->st_ino);
    if (as)
        st->st_size = (off_t)as->i_size;
}

int vfs_fstat(struct file *f, struct stat *st)
{
    if (f->f_host_fd < 0) {
        if (f->f_op && f->f_op->getattr)
            return f->f_op->getattr(f, st);
        memset(st, 0, sizeof(*st)); /* an object with no inode of its own to show */
        st->st_mode = f->f_mode;
        st->st_nlink = 1;
        st->st_ino = f->f_ino;
        st->st_uid = geteuid();
        st->st_gid = getegid();
        st->st_blksize = 4096;
        if (vma_file_is_shmem(f)) { /* a memfd: an unlinked shmem inode, its pages its blocks */
            const struct address_space *as = f->f_mapping;
            st->st_nlink = as->secretmem ? 1 : 0; /* secretmem's inode is never unlinked */
            st->st_dev = (dev_t)as->host_dev;
            st->st_ino = (ino_t)as->host_ino;
            st->st_size = (off_t)as->i_size;
            st->st_blocks = (blkcnt_t)(as->nrpages * (PAGE_SIZE / 512));
        }
        return 0;
    }
    if (fstat(f->f_host_fd, st) != 0)
        return -errno;
    if (f->f_mapping)
        st->st_size = (off_t)f->f_mapping->i_size;
    return 0;
}

int vfs_getattr(const struct path *p, struct stat *st)
{
    switch (p->kind) {
    case NODE_HOST:
        if (fstat(p->fd, st) != 0)
            return -errno;
        cached_size(st);
        return 0;
    case NODE_FILE:
        return vfs_fstat(p->file, st);
    default:
        p->mnt->ops->getattr(p, st);
        return 0;
    }
}

static int host_statfs(int fd, bool readonly, struct statfs *st)
{
    if (fstatfs(fd, st) != 0)
        return -errno;
    if (readonly)
        st->f_flags |= ST_RDONLY;
    return 0;
}

int vfs_statfs(const struct path *p, struct statfs *st)
{
    switch (p->kind) {
    case NODE_HOST:
        return host_statfs(p->fd, p->readonly, st);
    case NODE_FILE:
        return vfs_fstatfs(p->file, st);
    default:
        p->mnt->ops->statfs(st);
        return 0;
    }
}

int vfs_fstatfs(struct file *f, struct statfs *st)
{
    const struct path *node = pseudo_file_node(f);
    if (node) {
        node->mnt->ops->statfs(st);
        return 0;
    }
    if (f->f_host_fd < 0)
        return -EINVAL; /* pipes and the like: no file system to describe */
    return host_statfs(f->f_host_fd, f->f_mnt && f->f_mnt->readonly, st);
}
