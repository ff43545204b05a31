/*
 * The guest's /dev: vmemu's own small, read-only device directory. The
 * memory devices (null, zero, full, random, urandom) are served by vmemu
 * (random and urandom from the run's seeded generator, so runs stay
 * reproducible), and userfaultfd (root's only, as Linux's mode 0600 makes it); fd, stdin, stdout
 * and stderr are links into the guest's own /proc/self/fd; tty is the controlling terminal, opened
 * on the host as a native program would; shm and pts are host trees mounted here (mount.c). Nothing
 * else of the host's /dev is reachable: no disk, no memory device, no descriptor of vmemu's.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "emu/fs/pseudo.h"
#include "emu/fs/userfaultfd.h"
#include "emu/kernel/sched.h"
#include "emu/kernel/syscall.h"
#include "emu/kernel/task.h"
#include "mm/fs.h"

#define DEVFS_DEV makedev(0, 0xfff02) /* st_dev of vmemu's /dev: none of the host's */
#define TMPFS_MAGIC 0x01021994        /* Linux's /dev is a devtmpfs */

enum { DEV_ROOT = NODE_PSEUDO_FIRST, DEV_ENTRY };
enum dev_type { DEV_LINK, DEV_NULL, DEV_ZERO, DEV_FULL, DEV_RANDOM, DEV_TTY, DEV_USERFAULTFD };

struct dev_entry {
    const char *name;
    enum dev_type type;
    const char *link; /* DEV_LINK: the text */
    unsigned int major, minor;
};

/* In name order, as a listing shows them. */
static const struct dev_entry dev_entries[] = {
    {"fd", DEV_LINK, "/proc/self/fd", 0, 0},
    {"full", DEV_FULL, NULL, 1, 7},
    {"null", DEV_NULL, NULL, 1, 3},
    {"random", DEV_RANDOM, NULL, 1, 8},
    {"stderr", DEV_LINK, "/proc/self/fd/2", 0, 0},
    {"stdin", DEV_LINK, "/proc/self/fd/0", 0, 0},
    {"stdout", DEV_LINK, "/proc/self/fd/1", 0, 0},
    {"tty", DEV_TTY, NULL, 5, 0},
    {"urandom", DEV_RANDOM, NULL, 1, 9},
    {"userfaultfd", DEV_USERFAULTFD, NULL, 10, 257}, /* a misc device: its minor is dynamic */
    {"zero", DEV_ZERO, NULL, 1, 5},
};
#define NR_DEV_ENTRIES (int)(sizeof(dev_entries) / sizeof(dev_entries[0]))

static mode_t entry_mode(const struct dev_entry *e)
{
    if (e->type == DEV_USERFAULTFD)
        return S_IFCHR | 0600;
    return e->type == DEV_LINK ? S_IFLNK | 0777 : S_IFCHR | 0666;
}

static int devfs_lookup(struct task *t, const struct path *dir, const char *name, struct path *out)
{
    (void)t;
    for (int i = 0; i < NR_DEV_ENTRIES; i++) {
        if (strcmp(dev_entries[i].name, name) == 0) {
            *out = (struct path){.mnt = dir->mnt,
                                 .kind = DEV_ENTRY,
                                 .fd = -1,
                                 .num = i,
                                 .mode = entry_mode(&dev_entries[i]),
                                 .readonly = true};
            return 0;
        }
    }
    return -ENOENT;
}

static void devfs_parent(const struct path *p, struct path *out)
{
    *out = (struct path){.mnt = p->mnt, .kind = DEV_ROOT, .fd = -1, .mode = S_IFDIR | 0755};
}

static int devfs_get_link(struct task *t, const struct path *p, char *buf, size_t len,
                          struct path *jump)
{
    (void)t, (void)jump;
    if (p->kind != DEV_ENTRY || dev_entries[p->num].type != DEV_LINK)
        return -EINVAL;
    snprintf(buf, len, "%s", dev_entries[p->num].link);
    return (int)strlen(buf);
}

static void devfs_getattr(const struct path *p, struct stat *st)
{
    if (p->kind == DEV_ROOT) {
        pseudo_fill_stat(st, DEVFS_DEV, 1, S_IFDIR | 0755, 0);
        return;
    }
    const struct dev_entry *e = &dev_entries[p->num];
    pseudo_fill_stat(st, DEVFS_DEV, (ino_t)(2 + p->num), entry_mode(e), 0);
    st->st_blksize = 4096;
    if (e->type == DEV_LINK)
        st->st_size = (off_t)strlen(e->link);
    else
        st->st_rdev = makedev(e->major, e->minor);
}

/* ---- the memory devices ------------------------------------------------------------ */

static enum dev_type file_type(struct file *f)
{
    const struct path *node = pseudo_file_node(f);
    return dev_entries[node->num].type;
}

/* splitmix64 over the file's own state, seeded by the opener's generator. */
static uint64_t next_random(struct pseudo_file *pf)
{
    uint64_t z = (pf->rng += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static long mem_dev_read(struct file *f, char *buf, size_t len, uint64_t *pos)
{
    (void)pos;
    switch (file_type(f)) {
    case DEV_NULL:
        return 0;
    case DEV_RANDOM:
        for (size_t i = 0; i < len; i += 8) {
            uint64_t r = next_random(f->private_data);
            memcpy(buf + i, &r, len - i < 8 ? len - i : 8);
        }
        return (long)len;
    default: /* zero, full */
        memset(buf, 0, len);
        return (long)len;
    }
}

static long mem_dev_write(struct file *f, const char *buf, size_t len, uint64_t *pos)
{
    (void)buf, (void)pos;
    return file_type(f) == DEV_FULL ? -ENOSPC : (long)len;
}

/* null, zero and full always seek to 0; random keeps its (meaningless) position. */
static int64_t mem_dev_llseek(struct file *f, int64_t off, int whence)
{
    (void)off, (void)whence;
    if (file_type(f) != DEV_RANDOM)
        f->f_pos = 0;
    return (int64_t)f->f_pos;
}

static const struct file_operations mem_dev_fops = {
    .read = mem_dev_read,
    .write = mem_dev_write,
    .llseek = mem_dev_llseek,
    .getattr = pseudo_getattr,
    .release = pseudo_file_release,
};

static long uffd_dev_ioctl(struct file *f, unsigned int cmd, uint64_t arg)
{
    (void)f;
    return userfaultfd_dev_ioctl(current, cmd, arg);
}

static const struct file_operations uffd_dev_fops = {
    .ioctl = uffd_dev_ioctl,
    .getattr = pseudo_getattr,
    .release = pseudo_file_release,
};

bool devfs_is_zero(const struct file *f)
{
    const struct path *node = pseudo_file_node(f);
    return node && node->mnt == dev_mnt && node->kind == DEV_ENTRY &&
           dev_entries[node->num].type == DEV_ZERO;
}

/* ---- opening and listing ----------------------------------------------------------- */

static int open_tty(int flags, struct file **out)
{
    int fd = open("/dev/tty", (flags & ~O_CREAT) | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    int err = 0;
    struct file *f = file_open_fd(fd, "/dev/tty", flags & ~O_CLOEXEC, &err);
    if (!f)
        return err;
    f->f_mnt = dev_mnt;
    *out = f;
    return 0;
}

static int devfs_open(struct task *t, const struct path *p, int flags, struct file **out)
{
    (void)t;
    if (p->kind == DEV_ROOT)
        return open_flags_to_may(flags) & MAY_WRITE
                   ? -EISDIR
                   : pseudo_file_open(p, flags, "/dev", &pseudo_dir_fops, out);
    const struct dev_entry *e = &dev_entries[p->num];
    if (e->type == DEV_TTY)
        return open_tty(flags, out);
    char name[32];
    snprintf(name, sizeof(name), "/dev/%s", e->name);
    if (e->type == DEV_USERFAULTFD) {
        int err = pseudo_permission(entry_mode(e), 0, open_flags_to_may(flags));
        return err ? err : pseudo_file_open(p, flags, name, &uffd_dev_fops, out);
    }
    int err = pseudo_file_open(p, flags, name, &mem_dev_fops, out);
    if (!err)
        ((struct pseudo_file *)(*out)->private_data)->rng = kernel_random();
    return err;
}

static void devfs_iterate(const struct path *dir, struct dir_context *ctx)
{
    uint64_t off = 0;
    if (ctx->pos <= off && !ctx->emit(ctx, ".", 1, DT_DIR, off))
        return;
    if (ctx->pos <= ++off && !ctx->emit(ctx, "..", 1, DT_DIR, off))
        return;
    /* The entries, with the host trees mounted here in their place by name. */
    static const char *const mounted[] = {"pts", "shm"};
    size_t m = 0;
    for (int i = 0; i <= NR_DEV_ENTRIES; i++) {
        while (m < 2 && (i == NR_DEV_ENTRIES || strcmp(mounted[m], dev_entries[i].name) < 0)) {
            if (mount_at(dir, mounted[m]) && ctx->pos <= ++off &&
                !ctx->emit(ctx, mounted[m], 100 + m, DT_DIR, off))
                return;
            m++;
        }
        if (i == NR_DEV_ENTRIES)
            break;
        if (ctx->pos <= ++off && !ctx->emit(ctx, dev_entries[i].name, (uint64_t)(2 + i),
                                            mode_to_dtype(entry_mode(&dev_entries[i])), off))
            return;
    }
}

static void devfs_statfs(struct statfs *st)
{
    memset(st, 0, sizeof(*st));
    st->f_type = TMPFS_MAGIC;
    st->f_bsize = 4096;
    st->f_namelen = NAME_MAX;
    st->f_frsize = 4096;
    st->f_flags = ST_RDONLY | ST_NOSUID | ST_NOEXEC;
}

const struct pseudo_ops devfs_ops = {
    .lookup = devfs_lookup,
    .parent = devfs_parent,
    .get_link = devfs_get_link,
    .getattr = devfs_getattr,
    .open = devfs_open,
    .iterate = devfs_iterate,
    .statfs = devfs_statfs,
    .enoent_create = -EROFS,
};
