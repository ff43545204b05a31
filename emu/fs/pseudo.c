/*
 * The open-file side shared by vmemu's own trees (see pseudo.h): files
 * whose text is rendered at read() time, directories listed from the
 * tree's iterate, permission as the kernel's generic_permission.
 */
#define _GNU_SOURCE
#include "emu/fs/pseudo.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "emu/fs/vfs.h"
#include "emu/kernel/task.h"
#include "mm/fs.h"
#include "mm/slab.h"

/* Every file of vmemu's trees releases through here: that is how they are told apart. */
void pseudo_file_release(struct file *f)
{
    struct pseudo_file *pf = f->private_data;
    seq_free(&pf->text);
    path_put(&pf->node);
    kfree(pf);
}

const struct path *pseudo_file_node(const struct file *f)
{
    if (!f->f_op || f->f_op->release != pseudo_file_release)
        return NULL;
    return &((const struct pseudo_file *)f->private_data)->node;
}

int pseudo_file_open(const struct path *node, int flags, const char *name,
                     const struct file_operations *op, struct file **out)
{
    struct pseudo_file *pf = kzalloc(sizeof(*pf), GFP_KERNEL);
    if (!pf)
        return -ENOMEM;
    int err = path_copy(node, &pf->node);
    if (err) {
        kfree(pf);
        return err;
    }
    seq_init(&pf->text);
    struct file *f = alloc_file_pseudo(name, flags & ~O_CLOEXEC, node->mode, op, pf, &err);
    if (!f) {
        path_put(&pf->node);
        kfree(pf);
        return err;
    }
    *out = f;
    return 0;
}

long pseudo_seq_read(struct file *f, char *buf, size_t len, uint64_t *pos, pseudo_show_fn show)
{
    struct pseudo_file *pf = f->private_data;
    if (!pf->text_valid || *pos == 0 || *pos != pf->text_pos) {
        seq_free(&pf->text);
        pf->text_valid = false;
        int err = show(f, &pf->text);
        if (err)
            return err;
        if (pf->text.overflow)
            return -ENOMEM;
        pf->text_valid = true;
    }
    if (*pos >= pf->text.len) {
        pf->text_pos = *pos;
        return 0;
    }
    size_t n = pf->text.len - *pos < len ? pf->text.len - (size_t)*pos : len;
    memcpy(buf, pf->text.buf + *pos, n);
    *pos += n;
    pf->text_pos = *pos;
    return (long)n;
}

int64_t vfs_setpos(struct file *f, int64_t base, int64_t off)
{
    if ((off > 0 && base > INT64_MAX - off) || base + off < 0)
        return -EINVAL;
    f->f_pos = (uint64_t)(base + off);
    return (int64_t)f->f_pos;
}

int vfs_whence_base(const struct file *f, int whence, int64_t *base)
{
    switch (whence) {
    case SEEK_SET:
        *base = 0;
        return 0;
    case SEEK_CUR:
        *base = (int64_t)f->f_pos;
        return 0;
    case SEEK_END:
        *base = f->f_mapping ? (int64_t)f->f_mapping->i_size : 0;
        return 0;
    default:
        return -EINVAL;
    }
}

/* seq_lseek: from the start or from here, never before 0; SEEK_END has no meaning. */
int64_t pseudo_llseek(struct file *f, int64_t off, int whence)
{
    if (whence != SEEK_SET && whence != SEEK_CUR)
        return -EINVAL;
    return vfs_setpos(f, whence == SEEK_SET ? 0 : (int64_t)f->f_pos, off);
}

/* ---- directories ------------------------------------------------------------------- */

struct getdents_ctx {
    struct dir_context ctx;
    char *buf;
    size_t len, used;
    uint64_t next; /* where the next call goes on */
    bool full;
};

/* One linux_dirent64 record: ino, next offset, length, type, name; 8-byte aligned. */
static bool emit_dirent(struct dir_context *ctx, const char *name, uint64_t ino, unsigned char type,
                        uint64_t off)
{
    struct getdents_ctx *g = (struct getdents_ctx *)ctx;
    size_t namelen = strlen(name);
    size_t reclen = (19 + namelen + 1 + 7) & ~(size_t)7;
    if (g->used + reclen > g->len) {
        g->full = true;
        return false;
    }
    char *r = g->buf + g->used;
    uint64_t d_off = off + 1;
    uint16_t rl = (uint16_t)reclen;
    memset(r, 0, reclen);
    memcpy(r, &ino, 8);
    memcpy(r + 8, &d_off, 8);
    memcpy(r + 16, &rl, 2);
    r[18] = (char)type;
    memcpy(r + 19, name, namelen);
    g->used += reclen;
    g->next = d_off;
    return true;
}

static long pseudo_getdents(struct file *f, char *buf, size_t len)
{
    struct pseudo_file *pf = f->private_data;
    struct getdents_ctx g = {
        .ctx = {.emit = emit_dirent, .pos = f->f_pos}, .buf = buf, .len = len, .next = f->f_pos};
    pf->node.mnt->ops->iterate(&pf->node, &g.ctx);
    if (g.used == 0 && g.full)
        return -EINVAL; /* not even one entry fits */
    f->f_pos = g.next;
    return (long)g.used;
}

int pseudo_getattr(struct file *f, struct stat *st)
{
    const struct path *node = pseudo_file_node(f);
    node->mnt->ops->getattr(node, st);
    return 0;
}

const struct file_operations pseudo_dir_fops = {
    .llseek = pseudo_llseek,
    .getdents = pseudo_getdents,
    .getattr = pseudo_getattr,
    .release = pseudo_file_release,
};

/* ---- inode facts ------------------------------------------------------------------- */

int open_flags_to_may(int flags)
{
    switch (flags & O_ACCMODE) {
    case O_RDONLY:
        return (flags & O_TRUNC) ? MAY_READ | MAY_WRITE : MAY_READ;
    case O_WRONLY:
        return MAY_WRITE;
    default:
        return MAY_READ | MAY_WRITE;
    }
}

int pseudo_permission(mode_t mode, uid_t owner, int acc)
{
    if (geteuid() == 0) {
        /* CAP_DAC_OVERRIDE: everything but executing what nobody may execute. */
        if ((acc & MAY_EXEC) && !S_ISDIR(mode) && !(mode & 0111))
            return -EACCES;
        return 0;
    }
    mode_t bits = owner == geteuid() ? (mode >> 6) : (mode & 7);
    return ((unsigned)acc & ~(unsigned)bits & 7) ? -EACCES : 0;
}

void pseudo_fill_stat(struct stat *st, dev_t dev, ino_t ino, mode_t mode, uid_t uid)
{
    memset(st, 0, sizeof(*st));
    st->st_dev = dev;
    st->st_ino = ino;
    st->st_mode = mode;
    st->st_nlink = S_ISDIR(mode) ? 2 : 1;
    st->st_uid = uid;
    st->st_gid = uid == 0 ? 0 : getegid();
    st->st_blksize = 1024;
    /* Boot time: when the first process started, on the (virtual) clock. */
    struct task *init = next_task(NULL);
    if (init) {
        st->st_atim.tv_sec = st->st_mtim.tv_sec = st->st_ctim.tv_sec =
            (time_t)(init->start_ns / 1000000000ULL);
        st->st_atim.tv_nsec = st->st_mtim.tv_nsec = st->st_ctim.tv_nsec =
            (long)(init->start_ns % 1000000000ULL);
    }
}

unsigned char mode_to_dtype(mode_t mode)
{
    return (unsigned char)((mode & S_IFMT) >> 12);
}
