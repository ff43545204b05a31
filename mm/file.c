/*
 * Open files. Each guest open of a host file is a struct file with its own
 * host descriptor and position; all opens of one host file share one
 * address_space, found by device and inode.
 */
#define _GNU_SOURCE /* O_PATH */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "internal.h"
#include "pagemap.h"
#include "slab.h"

/*
 * Files whose contents the host kernel makes up on each read (procfs,
 * sysfs: regular files of size 0) cannot be cached: they are read as streams.
 */
static bool cacheable(int fd, const struct stat *st)
{
    enum { PROC_MAGIC = 0x9fa0, SYSFS_MAGIC = 0x62656572, DEBUGFS_MAGIC = 0x64626720 };
    struct statfs fs;
    if (!S_ISREG(st->st_mode))
        return false;
    if (fstatfs(fd, &fs) != 0)
        return true;
    return fs.f_type != PROC_MAGIC && fs.f_type != SYSFS_MAGIC && fs.f_type != DEBUGFS_MAGIC;
}

static struct file *file_new(int fd, const char *path, unsigned int flags, int *err)
{
    struct stat st;
    if (fstat(fd, &st) != 0) {
        *err = -errno;
        return NULL;
    }
    struct file *f = kmem_cache_zalloc(filp_cachep, GFP_KERNEL);
    if (!f || file_set_path(f, path) != 0) {
        if (f)
            kmem_cache_free(filp_cachep, f);
        *err = -ENOMEM;
        return NULL;
    }
    f->f_host_fd = fd;
    f->f_flags = flags;
    f->f_mode = st.st_mode;
    f->f_count = 1;
    file_ra_state_init(&f->f_ra);
    /* An O_PATH descriptor only names the file: nothing is read or written through it. */
    if (!(flags & O_PATH) && cacheable(fd, &st) &&
        !(f->f_mapping = address_space_get(&st, fd, path, (int)flags, err))) {
        kfree(f->f_path);
        kmem_cache_free(filp_cachep, f);
        return NULL;
    }
    if (f->f_mapping)
        f->f_wb_err = errseq_sample(&f->f_mapping->wb_err);
    return f;
}

struct file *file_open(const char *path, int flags, int mode, int *err)
{
    int fd = open(path, flags | O_CLOEXEC, mode);
    if (fd < 0) {
        *err = -errno;
        return NULL;
    }
    struct file *f = file_new(fd, path, (unsigned int)flags, err);
    if (!f)
        close(fd);
    return f;
}

struct file *file_open_fd(int fd, const char *name, int flags, int *err)
{
    struct file *f = file_new(fd, name, (unsigned int)flags, err);
    if (!f)
        close(fd);
    return f;
}

/* Inode numbers of pseudo files, as Linux's get_next_ino: counted, so runs repeat. */
static uint64_t last_pseudo_ino;

struct file *alloc_file_pseudo(const char *name, int flags, mode_t mode,
                               const struct file_operations *op, void *priv, int *err)
{
    struct file *f = kmem_cache_zalloc(filp_cachep, GFP_KERNEL);
    if (!f || file_set_path(f, name) != 0) {
        if (f)
            kmem_cache_free(filp_cachep, f);
        *err = -ENOMEM;
        return NULL;
    }
    f->f_host_fd = -1;
    f->f_flags = (unsigned int)flags;
    f->f_mode = mode;
    f->f_count = 1;
    f->f_op = op;
    f->private_data = priv;
    f->f_ino = ++last_pseudo_ino;
    file_ra_state_init(&f->f_ra);
    return f;
}

struct file *file_from_host_fd(int fd, const char *name, int *err)
{
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0) {
        *err = -errno;
        return NULL;
    }
    /* The guest may close its copy; vmemu keeps its own stdio working. */
    int own = fcntl(fd, F_DUPFD_CLOEXEC, 3);
    if (own < 0) {
        *err = -errno;
        return NULL;
    }
    struct file *f = file_new(own, name, (unsigned int)flags, err);
    if (!f)
        close(own);
    else
        f->f_pos_shared = true;
    return f;
}

int file_set_path(struct file *f, const char *path)
{
    size_t n = strlen(path) + 1;
    char *p = kmalloc(n, GFP_KERNEL);
    if (!p)
        return -ENOMEM;
    memcpy(p, path, n);
    kfree(f->f_path);
    f->f_path = p;
    return 0;
}

struct file *get_file(struct file *f)
{
    f->f_count++;
    return f;
}

void (*file_release_hook)(struct file *f);

void fput(struct file *f)
{
    if (--f->f_count > 0)
        return;
    if (file_release_hook)
        file_release_hook(f);
    if (f->f_op && f->f_op->release)
        f->f_op->release(f);
    if (f->f_mapping)
        address_space_put(f->f_mapping);
    if (f->f_host_fd >= 0)
        close(f->f_host_fd);
    kfree(f->f_path);
    kmem_cache_free(filp_cachep, f);
}
