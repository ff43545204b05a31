/*
 * The system calls that name files by path. Every one resolves its path
 * with the one walk (user_path_at, or open's nd_start for open(2)) in the
 * caller's namespace, then acts on what the walk found: a host object
 * through its O_PATH descriptor or its directory's descriptor and its last
 * name (never a host path), or one of vmemu's own objects. Linux's checks
 * and errors come first: EROFS in read-only trees, EEXIST/EBUSY/EISDIR for
 * ".", ".." and mount points, EXDEV across mounts.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <utime.h>

#include "emu/fs/fs_struct.h"
#include "emu/fs/namei.h"
#include "emu/fs/open.h"
#include "emu/fs/pseudo.h"
#include "emu/fs/vfs.h"
#include "emu/kernel/syscall.h"
#include "emu/kernel/task.h"
#include "mm/arch.h"
#include "mm/fs.h"
#include "mm/pagemap.h"
#include "mm/writeback.h"
#include "mm/uaccess.h"

void sys_path_register(syscall_fn table[NR_SYSCALLS]);

/* An *at() call's directory argument: an int, AT_FDCWD among them. */
static int dirfd_arg(uint64_t v)
{
    return (int)v;
}

/* ---- open -------------------------------------------------------------------------- */

static long do_openat(struct task *t, int dirfd, uint64_t upath, int flags, int mode)
{
    char path[PATH_MAX];
    long err = get_user_path(t, upath, path);
    if (err)
        return err;
    struct file *f;
    if ((err = do_filp_open(t, dirfd, path, flags, (mode_t)mode, &f)) != 0)
        return err;
    int fd = fd_install(t, f, 0, flags & O_CLOEXEC);
    if (fd < 0)
        fput(f);
    return fd;
}

static long sys_open(struct task *t, const uint64_t a[6])
{
    return do_openat(t, GUEST_AT_FDCWD, a[0], (int)a[1], (int)a[2]);
}

static long sys_openat(struct task *t, const uint64_t a[6])
{
    return do_openat(t, dirfd_arg(a[0]), a[1], (int)a[2], (int)a[3]);
}

static long sys_creat(struct task *t, const uint64_t a[6])
{
    return do_openat(t, GUEST_AT_FDCWD, a[0], O_CREAT | O_WRONLY | O_TRUNC, (int)a[1]);
}

/* ---- stat, statx, access, readlink ------------------------------------------------- */

static long put_stat(struct task *t, uint64_t ubuf, const struct stat *st)
{
    return copy_to_user(t->mm, ubuf, st, sizeof(*st)) ? -EFAULT : 0;
}

static unsigned int at_lookup_flags(int flags)
{
    return (flags & AT_SYMLINK_NOFOLLOW ? 0 : LOOKUP_FOLLOW) |
           (flags & AT_EMPTY_PATH ? LOOKUP_EMPTY : 0);
}

static long do_fstatat(struct task *t, int dirfd, uint64_t upath, uint64_t ubuf, int flags)
{
    if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | AT_EMPTY_PATH | AT_STATX_SYNC_TYPE))
        return -EINVAL;
    struct nameidata nd;
    struct stat st;
    int err = user_path_at(t, dirfd, upath, at_lookup_flags(flags), &nd);
    if (!err)
        err = vfs_getattr(&nd.path, &st);
    nd_release(&nd);
    return err ? err : put_stat(t, ubuf, &st);
}

static long sys_stat(struct task *t, const uint64_t a[6])
{
    return do_fstatat(t, GUEST_AT_FDCWD, a[0], a[1], 0);
}

static long sys_lstat(struct task *t, const uint64_t a[6])
{
    return do_fstatat(t, GUEST_AT_FDCWD, a[0], a[1], AT_SYMLINK_NOFOLLOW);
}

static long sys_newfstatat(struct task *t, const uint64_t a[6])
{
    return do_fstatat(t, dirfd_arg(a[0]), a[1], a[2], (int)a[3]);
}

static void stat_to_statx(const struct stat *st, struct statx *sx)
{
    memset(sx, 0, sizeof(*sx));
    sx->stx_mask = STATX_BASIC_STATS;
    sx->stx_blksize = (uint32_t)st->st_blksize;
    sx->stx_nlink = (uint32_t)st->st_nlink;
    sx->stx_uid = st->st_uid;
    sx->stx_gid = st->st_gid;
    sx->stx_mode = (uint16_t)st->st_mode;
    sx->stx_ino = st->st_ino;
    sx->stx_size = (uint64_t)st->st_size;
    sx->stx_blocks = (uint64_t)st->st_blocks;
    sx->stx_atime = (struct statx_timestamp){st->st_atim.tv_sec, (uint32_t)st->st_atim.tv_nsec, 0};
    sx->stx_mtime = (struct statx_timestamp){st->st_mtim.tv_sec, (uint32_t)st->st_mtim.tv_nsec, 0};
    sx->stx_ctime = (struct statx_timestamp){st->st_ctim.tv_sec, (uint32_t)st->st_ctim.tv_nsec, 0};
    sx->stx_rdev_major = major(st->st_rdev);
    sx->stx_rdev_minor = minor(st->st_rdev);
    sx->stx_dev_major = major(st->st_dev);
    sx->stx_dev_minor = minor(st->st_dev);
}

/* statx of an object: the host's own answer for host files (birth time, attributes). */
static int path_statx(const struct path *p, unsigned int mask, int sync, struct statx *sx)
{
    int fd = p->kind == NODE_HOST ? p->fd : p->kind == NODE_FILE ? p->file->f_host_fd : -1;
    struct stat st;
    int err = vfs_getattr(p, &st);
    if (err)
        return err;
    if (fd < 0) {
        stat_to_statx(&st, sx);
        return 0;
    }
    if (statx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW | sync, mask, sx) != 0)
        return -errno;
    sx->stx_size = (uint64_t)st.st_size; /* the page cache's, when vmemu caches the file */
    return 0;
}

static long sys_statx(struct task *t, const uint64_t a[6])
{
    int flags = (int)a[2];
    unsigned int mask = (unsigned int)a[3];
    if ((flags & ~(AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | AT_EMPTY_PATH | AT_STATX_SYNC_TYPE)) ||
        (flags & AT_STATX_SYNC_TYPE) == AT_STATX_SYNC_TYPE || (mask & STATX__RESERVED))
        return -EINVAL;
    struct nameidata nd;
    struct statx sx;
    int err = user_path_at(t, dirfd_arg(a[0]), a[1], at_lookup_flags(flags), &nd);
    if (!err)
        err = path_statx(&nd.path, mask, flags & AT_STATX_SYNC_TYPE, &sx);
    nd_release(&nd);
    if (err)
        return err;
    return copy_to_user(t->mm, a[4], &sx, sizeof(sx)) ? -EFAULT : 0;
}

/* The host's answer to access(2) for a host object, relative to where it was found. */
static int host_access(const struct nameidata *nd, int mode, int flags)
{
    const struct path *p = &nd->path;
    int r;
    if (p->kind == NODE_FILE)
        r = faccessat(p->file->f_host_fd, "", mode, flags | AT_EMPTY_PATH);
    else if (nd->parent.kind == NODE_HOST)
        r = faccessat(nd->parent.fd, nd->last, mode, flags | AT_SYMLINK_NOFOLLOW);
    else
        r = faccessat(p->fd, ".", mode, flags);
    return r ? -errno : 0;
}

static long do_faccessat(struct task *t, int dirfd, uint64_t upath, int mode, int flags)
{
    if (mode & ~(R_OK | W_OK | X_OK))
        return -EINVAL;
    if (flags & ~(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
        return -EINVAL;
    struct nameidata nd;
    int err = user_path_at(t, dirfd, upath, at_lookup_flags(flags), &nd);
    struct stat st;
    if (!err)
        err = vfs_getattr(&nd.path, &st);
    if (err)
        goto out;
    bool changeable = S_ISREG(st.st_mode) || S_ISDIR(st.st_mode) || S_ISLNK(st.st_mode);
    if ((mode & W_OK) && changeable && nd.path.readonly) {
        err = -EROFS;
    } else if (nd.path.kind == NODE_HOST ||
               (nd.path.kind == NODE_FILE && nd.path.file->f_host_fd >= 0)) {
        err = host_access(&nd, mode, flags & AT_EACCESS);
    } else {
        /* vmemu's files: the mode bits, and no executing from /proc or /dev (noexec). */
        err = pseudo_permission(st.st_mode, st.st_uid, mode);
        if (!err && (mode & X_OK) && S_ISREG(st.st_mode))
            err = -EACCES;
    }
out:
    nd_release(&nd);
    return err;
}

static long sys_access(struct task *t, const uint64_t a[6])
{
    return do_faccessat(t, GUEST_AT_FDCWD, a[0], (int)a[1], 0);
}

static long sys_faccessat(struct task *t, const uint64_t a[6])
{
    return do_faccessat(t, dirfd_arg(a[0]), a[1], (int)a[2], 0);
}

static long sys_faccessat2(struct task *t, const uint64_t a[6])
{
    return do_faccessat(t, dirfd_arg(a[0]), a[1], (int)a[2], (int)a[3]);
}

static long do_readlinkat(struct task *t, int dirfd, uint64_t upath, uint64_t ubuf, uint64_t size)
{
    char target[PATH_MAX];
    if ((int64_t)(int)size <= 0)
        return -EINVAL;
    struct nameidata nd;
    int n = user_path_at(t, dirfd, upath, LOOKUP_EMPTY, &nd);
    if (!n)
        n = path_is_link(&nd.path)       ? path_readlink(t, &nd.path, target, sizeof(target))
            : nd.last_type == LAST_EMPTY ? -ENOENT
                                         : -EINVAL;
    nd_release(&nd);
    if (n < 0)
        return n;
    if ((uint64_t)n > size)
        n = (int)size;
    return copy_to_user(t->mm, ubuf, target, (size_t)n) ? -EFAULT : n;
}

static long sys_readlink(struct task *t, const uint64_t a[6])
{
    return do_readlinkat(t, GUEST_AT_FDCWD, a[0], a[1], a[2]);
}

static long sys_readlinkat(struct task *t, const uint64_t a[6])
{
    return do_readlinkat(t, dirfd_arg(a[0]), a[1], a[2], a[3]);
}

/* ---- the working directory --------------------------------------------------------- */

/* A directory, then search permission on it, in that order as chdir checks them. */
static int may_chdir(const struct path *p)
{
    if (p->kind == NODE_HOST)
        return faccessat(p->fd, ".", X_OK, AT_EACCESS) ? -errno : 0;
    struct stat st;
    int err = vfs_getattr(p, &st);
    if (!err && !S_ISDIR(st.st_mode))
        err = -ENOTDIR;
    return err ? err : pseudo_permission(st.st_mode, st.st_uid, MAY_EXEC);
}

static long sys_chdir(struct task *t, const uint64_t a[6])
{
    struct nameidata nd;
    int err = user_path_at(t, GUEST_AT_FDCWD, a[0], LOOKUP_FOLLOW | LOOKUP_DIRECTORY, &nd);
    if (!err)
        err = may_chdir(&nd.path);
    if (!err)
        err = set_fs_pwd(t->fs, &nd.path, nd.name.buf);
    nd_release(&nd);
    return err;
}

static long sys_fchdir(struct task *t, const uint64_t a[6])
{
    struct file *f = fd_get(t, (int)a[0]);
    struct path p;
    if (!f)
        return -EBADF;
    int err = path_of_file(f, &p);
    if (!err && (err = may_chdir(&p)) == 0)
        err = set_fs_pwd(t->fs, &p, f->f_path ? f->f_path : "/");
    path_put(&p);
    return err;
}

static long sys_getcwd(struct task *t, const uint64_t a[6])
{
    const struct fs_struct *fs = t->fs;
    struct stat st;
    /* A working directory that was removed has no name any more. */
    if (fs->pwd.kind == NODE_HOST && fstat(fs->pwd.fd, &st) == 0 && st.st_nlink == 0)
        return -ENOENT;
    size_t n = strlen(fs->pwd_name) + 1;
    if (n > PATH_MAX)
        return -ENAMETOOLONG;
    if (n > a[1])
        return -ERANGE;
    return copy_to_user(t->mm, a[0], fs->pwd_name, n) ? -EFAULT : (long)n;
}

static long sys_umask(struct task *t, const uint64_t a[6])
{
    mode_t old = t->fs->umask;
    t->fs->umask = (mode_t)a[0] & 0777;
    return (long)old;
}

/* ---- creating and removing names --------------------------------------------------- */

/* What a change in vmemu's own trees fails with: /dev is read-only, /proc has no such operation. */
static int pseudo_change_error(const struct path *dir)
{
    return dir->mnt->readonly ? -EROFS : -EPERM;
}

/*
 * The directory of a name to create: 0, or Linux's error when the name
 * cannot be created there (it exists: EEXIST first; a read-only tree).
 */
static int may_create(struct nameidata *nd)
{
    if (nd->last_type != LAST_NORM || mount_at(&nd->path, nd->last))
        return -EEXIST;
    if (nd->path.kind == NODE_HOST && !nd->path.readonly)
        return 0;
    struct path child;
    int err = nd_lookup_last(nd, &child);
    if (!err) {
        path_put(&child);
        return -EEXIST;
    }
    return nd->path.kind == NODE_HOST ? -EROFS : pseudo_change_error(&nd->path);
}

/* The last name as the host call takes it: a trailing slash kept, for its errors. */
static const char *host_last(const struct nameidata *nd, char *buf, size_t len)
{
    if (!nd->trailing_slash)
        return nd->last;
    snprintf(buf, len, "%s/", nd->last);
    return buf;
}

static long do_mkdirat(struct task *t, int dirfd, uint64_t upath, mode_t mode)
{
    struct nameidata nd;
    char last[NAME_MAX + 2];
    int err = user_path_at(t, dirfd, upath, LOOKUP_PARENT, &nd);
    if (!err)
        err = may_create(&nd);
    if (!err) {
        mode_t old = umask(t->fs->umask);
        if (mkdirat(nd.path.fd, host_last(&nd, last, sizeof(last)), mode & 07777) != 0)
            err = -errno;
        umask(old);
    }
    nd_release(&nd);
    return err;
}

static long sys_mkdir(struct task *t, const uint64_t a[6])
{
    return do_mkdirat(t, GUEST_AT_FDCWD, a[0], (mode_t)a[1]);
}

static long sys_mkdirat(struct task *t, const uint64_t a[6])
{
    return do_mkdirat(t, dirfd_arg(a[0]), a[1], (mode_t)a[2]);
}

/* mknod: files, FIFOs and sockets. The guest may make no device node (it has no CAP_MKNOD). */
static long do_mknodat(struct task *t, int dirfd, uint64_t upath, mode_t mode, dev_t dev)
{
    switch (mode & S_IFMT) {
    case 0:
        mode |= S_IFREG;
        break;
    case S_IFREG:
    case S_IFIFO:
    case S_IFSOCK:
        break;
    case S_IFCHR:
    case S_IFBLK:
        return -EPERM;
    default:
        return -EINVAL;
    }
    struct nameidata nd;
    int err = user_path_at(t, dirfd, upath, LOOKUP_PARENT, &nd);
    if (!err)
        err = nd.trailing_slash && nd.last_type == LAST_NORM ? -ENOENT : may_create(&nd);
    if (!err) {
        mode_t old = umask(t->fs->umask);
        if (mknodat(nd.path.fd, nd.last, mode, dev) != 0)
            err = -errno;
        umask(old);
    }
    nd_release(&nd);
    return err;
}

static long sys_mknod(struct task *t, const uint64_t a[6])
{
    return do_mknodat(t, GUEST_AT_FDCWD, a[0], (mode_t)a[1], (dev_t)a[2]);
}

static long sys_mknodat(struct task *t, const uint64_t a[6])
{
    return do_mknodat(t, dirfd_arg(a[0]), a[1], (mode_t)a[2], (dev_t)a[3]);
}

/* The directory of a name to remove: 0 or the error (EROFS before anything else, as Linux). */
static int may_delete(struct nameidata *nd, bool dir)
{
    if (nd->path.readonly || nd->path.mnt->readonly)
        return -EROFS;
    if (nd->path.kind != NODE_HOST) {
        struct path child;
        int err = nd->last_type == LAST_NORM ? nd_lookup_last(nd, &child) : 0;
        if (err)
            return err;
        if (nd->last_type == LAST_NORM)
            path_put(&child);
        return pseudo_change_error(&nd->path);
    }
    switch (nd->last_type) {
    case LAST_NORM:
        return mount_at(&nd->path, nd->last) ? (dir ? -EBUSY : -EISDIR) : 0;
    case LAST_DOT:
        return dir ? -EINVAL : -EISDIR;
    case LAST_DOTDOT:
        return dir ? -ENOTEMPTY : -EISDIR;
    default:
        return dir ? -EBUSY : -EISDIR;
    }
}

static long do_unlinkat(struct task *t, int dirfd, uint64_t upath, int flags)
{
    if (flags & ~AT_REMOVEDIR)
        return -EINVAL;
    struct nameidata nd;
    char last[NAME_MAX + 2];
    int err = user_path_at(t, dirfd, upath, LOOKUP_PARENT, &nd);
    if (!err)
        err = may_delete(&nd, flags & AT_REMOVEDIR);
    if (!err && unlinkat(nd.path.fd, host_last(&nd, last, sizeof(last)), flags) != 0)
        err = -errno;
    nd_release(&nd);
    return err;
}

static long sys_unlink(struct task *t, const uint64_t a[6])
{
    return do_unlinkat(t, GUEST_AT_FDCWD, a[0], 0);
}

static long sys_rmdir(struct task *t, const uint64_t a[6])
{
    return do_unlinkat(t, GUEST_AT_FDCWD, a[0], AT_REMOVEDIR);
}

static long sys_unlinkat(struct task *t, const uint64_t a[6])
{
    return do_unlinkat(t, dirfd_arg(a[0]), a[1], (int)a[2]);
}

/* Both ends of a rename or link must be in one tree of the host. */
static int same_host_tree(const struct path *a, const struct path *b)
{
    if (a->kind != NODE_HOST)
        return b->mnt != a->mnt ? -EXDEV : pseudo_change_error(a);
    if (b->kind != NODE_HOST || a->mnt != b->mnt)
        return -EXDEV;
    return a->readonly || b->readonly ? -EROFS : 0;
}

static long do_renameat2(struct task *t, int olddir, uint64_t oldp, int newdir, uint64_t newp,
                         unsigned int flags)
{
    if ((flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE | RENAME_WHITEOUT)) ||
        ((flags & RENAME_NOREPLACE) && (flags & RENAME_EXCHANGE)))
        return -EINVAL;
    struct nameidata from, to;
    char a[NAME_MAX + 2], b[NAME_MAX + 2];
    int err = user_path_at(t, olddir, oldp, LOOKUP_PARENT, &from);
    if (err) {
        nd_release(&from);
        return err;
    }
    err = user_path_at(t, newdir, newp, LOOKUP_PARENT, &to);
    if (!err && (from.last_type != LAST_NORM || to.last_type != LAST_NORM ||
                 mount_at(&from.path, from.last) || mount_at(&to.path, to.last)))
        err = -EBUSY;
    if (!err)
        err = same_host_tree(&from.path, &to.path);
    if (!err && renameat2(from.path.fd, host_last(&from, a, sizeof(a)), to.path.fd,
                          host_last(&to, b, sizeof(b)), flags) != 0)
        err = -errno;
    nd_release(&to);
    nd_release(&from);
    return err;
}

static long sys_rename(struct task *t, const uint64_t a[6])
{
    return do_renameat2(t, GUEST_AT_FDCWD, a[0], GUEST_AT_FDCWD, a[1], 0);
}

static long sys_renameat(struct task *t, const uint64_t a[6])
{
    return do_renameat2(t, dirfd_arg(a[0]), a[1], dirfd_arg(a[2]), a[3], 0);
}

static long sys_renameat2(struct task *t, const uint64_t a[6])
{
    return do_renameat2(t, dirfd_arg(a[0]), a[1], dirfd_arg(a[2]), a[3], (unsigned int)a[4]);
}

static long do_linkat(struct task *t, int olddir, uint64_t oldp, int newdir, uint64_t newp,
                      int flags)
{
    if (flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH))
        return -EINVAL;
    unsigned int how = (flags & AT_SYMLINK_FOLLOW ? LOOKUP_FOLLOW : 0) |
                       (flags & AT_EMPTY_PATH ? LOOKUP_EMPTY : 0);
    struct nameidata from, to;
    int err = user_path_at(t, olddir, oldp, how, &from);
    bool have_to = false;
    if (!err) {
        err = user_path_at(t, newdir, newp, LOOKUP_PARENT, &to);
        have_to = true;
    }
    if (!err)
        err = may_create(&to);
    if (!err && S_ISDIR(from.path.mode))
        err = -EPERM;
    if (!err) {
        const struct path *obj = &from.path;
        bool by_name = from.parent.kind == NODE_HOST;
        err = same_host_tree(by_name ? &from.parent : obj, &to.path);
        int fd = by_name ? from.parent.fd : obj->kind == NODE_FILE ? obj->file->f_host_fd : obj->fd;
        if (!err && linkat(fd, by_name ? from.last : "", to.path.fd, to.last,
                           by_name ? 0 : AT_EMPTY_PATH) != 0)
            err = -errno;
    }
    if (have_to)
        nd_release(&to);
    nd_release(&from);
    return err;
}

static long sys_link(struct task *t, const uint64_t a[6])
{
    return do_linkat(t, GUEST_AT_FDCWD, a[0], GUEST_AT_FDCWD, a[1], 0);
}

static long sys_linkat(struct task *t, const uint64_t a[6])
{
    return do_linkat(t, dirfd_arg(a[0]), a[1], dirfd_arg(a[2]), a[3], (int)a[4]);
}

static long do_symlinkat(struct task *t, uint64_t utarget, int dirfd, uint64_t upath)
{
    char target[PATH_MAX];
    long e = get_user_path(t, utarget, target);
    if (e)
        return e;
    if (!target[0])
        return -ENOENT;
    struct nameidata nd;
    int err = user_path_at(t, dirfd, upath, LOOKUP_PARENT, &nd);
    if (!err)
        err = nd.trailing_slash && nd.last_type == LAST_NORM ? -ENOENT : may_create(&nd);
    /* The text is stored as given: it is resolved in the guest's namespace when followed. */
    if (!err && symlinkat(target, nd.path.fd, nd.last) != 0)
        err = -errno;
    nd_release(&nd);
    return err;
}

static long sys_symlink(struct task *t, const uint64_t a[6])
{
    return do_symlinkat(t, a[0], GUEST_AT_FDCWD, a[1]);
}

static long sys_symlinkat(struct task *t, const uint64_t a[6])
{
    return do_symlinkat(t, a[0], dirfd_arg(a[1]), a[2]);
}

/* ---- attributes -------------------------------------------------------------------- */

int may_setattr_file(struct file *f)
{
    if (f->f_host_fd < 0)
        return pseudo_file_node(f) ? pseudo_change_error(pseudo_file_node(f)) : -EPERM;
    return f->f_mnt && f->f_mnt->readonly ? -EROFS : 0;
}

int may_setattr(const struct path *p)
{
    if (p->kind == NODE_FILE)
        return may_setattr_file(p->file);
    if (p->kind != NODE_HOST)
        return pseudo_change_error(p);
    return p->readonly ? -EROFS : 0;
}

/* A host descriptor of the object for f*at(fd, "", AT_EMPTY_PATH) calls. */
static int object_fd(const struct path *p)
{
    return p->kind == NODE_FILE ? p->file->f_host_fd : p->fd;
}

static long do_fchmodat(struct task *t, int dirfd, uint64_t upath, mode_t mode)
{
    struct nameidata nd;
    int err = user_path_at(t, dirfd, upath, LOOKUP_FOLLOW, &nd);
    if (!err && nd.path.kind == NODE_FILE && vma_file_is_shmem(nd.path.file)) {
        err = shmem_chmod(nd.path.file, mode); /* a memfd through /proc/PID/fd/N */
        nd_release(&nd);
        return err;
    }
    if (!err)
        err = may_setattr(&nd.path);
    if (!err) {
        int r = nd.parent.kind == NODE_HOST ? fchmodat(nd.parent.fd, nd.last, mode & 07777, 0)
                : nd.path.kind == NODE_HOST ? fchmodat(nd.path.fd, ".", mode & 07777, 0)
                                            : fchmod(object_fd(&nd.path), mode & 07777);
        err = r ? -errno : 0;
    }
    nd_release(&nd);
    return err;
}

static long sys_chmod(struct task *t, const uint64_t a[6])
{
    return do_fchmodat(t, GUEST_AT_FDCWD, a[0], (mode_t)a[1]);
}

static long sys_fchmodat(struct task *t, const uint64_t a[6])
{
    return do_fchmodat(t, dirfd_arg(a[0]), a[1], (mode_t)a[2]);
}

static long sys_fchmod(struct task *t, const uint64_t a[6])
{
    struct file *f = fd_get(t, (int)a[0]);
    if (f && vma_file_is_shmem(f))
        return shmem_chmod(f, (mode_t)a[1]);
    int err = f ? may_setattr_file(f) : -EBADF;
    if (err)
        return err;
    return fchmod(f->f_host_fd, (mode_t)a[1] & 07777) ? -errno : 0;
}

static long do_fchownat(struct task *t, int dirfd, uint64_t upath, uid_t uid, gid_t gid, int flags)
{
    if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
        return -EINVAL;
    struct nameidata nd;
    int err = user_path_at(t, dirfd, upath, at_lookup_flags(flags), &nd);
    if (!err)
        err = may_setattr(&nd.path);
    if (!err && fchownat(object_fd(&nd.path), "", uid, gid, AT_EMPTY_PATH) != 0)
        err = -errno;
    nd_release(&nd);
    return err;
}

static long sys_chown(struct task *t, const uint64_t a[6])
{
    return do_fchownat(t, GUEST_AT_FDCWD, a[0], (uid_t)a[1], (gid_t)a[2], 0);
}

static long sys_lchown(struct task *t, const uint64_t a[6])
{
    return do_fchownat(t, GUEST_AT_FDCWD, a[0], (uid_t)a[1], (gid_t)a[2], AT_SYMLINK_NOFOLLOW);
}

static long sys_fchownat(struct task *t, const uint64_t a[6])
{
    return do_fchownat(t, dirfd_arg(a[0]), a[1], (uid_t)a[2], (gid_t)a[3], (int)a[4]);
}

static long sys_fchown(struct task *t, const uint64_t a[6])
{
    struct file *f = fd_get(t, (int)a[0]);
    int err = f ? may_setattr_file(f) : -EBADF;
    if (err)
        return err;
    return fchown(f->f_host_fd, (uid_t)a[1], (gid_t)a[2]) ? -errno : 0;
}

/* Timestamps: "now" is the virtual clock, so runs stay reproducible. */
static int fix_times(struct timespec ts[2])
{
    uint64_t now = arch_now_ns();
    for (int i = 0; i < 2; i++) {
        if (ts[i].tv_nsec == UTIME_NOW) {
            ts[i].tv_sec = (time_t)(now / 1000000000ULL);
            ts[i].tv_nsec = (long)(now % 1000000000ULL);
        } else if (ts[i].tv_nsec != UTIME_OMIT &&
                   (ts[i].tv_nsec < 0 || ts[i].tv_nsec > 999999999)) {
            return -EINVAL;
        }
    }
    return 0;
}

/*
 * The host file's times are the guest's to set, but the host moves them
 * whenever vmemu writes the file back: what the guest wrote reaches the
 * host first (cp -a sets the times of what it has just written).
 */
static void flush_before_times(struct address_space *as)
{
    if (as)
        writeback_range(as, 0, ULONG_MAX, WB_REASON_SETATTR);
}

static int set_times(struct task *t, int dirfd, uint64_t upath, struct timespec ts[2], int flags)
{
    if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
        return -EINVAL;
    int err = fix_times(ts);
    if (err)
        return err;
    struct nameidata nd;
    /* A NULL path names dirfd itself (Linux's own extension, which futimens uses). */
    if (!upath) {
        if (dirfd == GUEST_AT_FDCWD)
            return -EFAULT;
        if (flags & AT_SYMLINK_NOFOLLOW)
            return -EINVAL;
        struct file *f = fd_get(t, dirfd);
        if (!f)
            return -EBADF;
        if (f->f_host_fd < 0)
            return -EPERM;
        flush_before_times(f->f_mapping);
        return futimens(f->f_host_fd, ts) ? -errno : 0;
    }
    err = user_path_at(t, dirfd, upath, at_lookup_flags(flags), &nd);
    if (!err)
        err = may_setattr(&nd.path);
    if (!err) {
        flush_before_times(find_mapping(nd.path.dev, nd.path.ino));
        int r = nd.parent.kind == NODE_HOST
                    ? utimensat(nd.parent.fd, nd.last, ts, AT_SYMLINK_NOFOLLOW)
                : nd.path.kind == NODE_HOST ? utimensat(nd.path.fd, ".", ts, 0)
                                            : futimens(object_fd(&nd.path), ts);
        err = r ? -errno : 0;
    }
    nd_release(&nd);
    return err;
}

static long sys_utimensat(struct task *t, const uint64_t a[6])
{
    struct timespec ts[2] = {{0, UTIME_NOW}, {0, UTIME_NOW}};
    if (a[2] && copy_from_user(t->mm, ts, a[2], sizeof(ts)))
        return -EFAULT;
    return set_times(t, dirfd_arg(a[0]), a[1], ts, (int)a[3]);
}

/* utimes and futimesat: microseconds; NULL is now. */
static long do_futimesat(struct task *t, int dirfd, uint64_t upath, uint64_t utv)
{
    struct timespec ts[2] = {{0, UTIME_NOW}, {0, UTIME_NOW}};
    if (utv) {
        struct timeval tv[2];
        if (copy_from_user(t->mm, tv, utv, sizeof(tv)))
            return -EFAULT;
        for (int i = 0; i < 2; i++) {
            if (tv[i].tv_usec < 0 || tv[i].tv_usec >= 1000000)
                return -EINVAL;
            ts[i] = (struct timespec){tv[i].tv_sec, tv[i].tv_usec * 1000};
        }
    }
    return set_times(t, dirfd, upath, ts, 0);
}

static long sys_utimes(struct task *t, const uint64_t a[6])
{
    return do_futimesat(t, GUEST_AT_FDCWD, a[0], a[1]);
}

static long sys_futimesat(struct task *t, const uint64_t a[6])
{
    return do_futimesat(t, dirfd_arg(a[0]), a[1], a[2]);
}

static long sys_utime(struct task *t, const uint64_t a[6])
{
    struct timespec ts[2] = {{0, UTIME_NOW}, {0, UTIME_NOW}};
    if (a[1]) {
        struct utimbuf ub;
        if (copy_from_user(t->mm, &ub, a[1], sizeof(ub)))
            return -EFAULT;
        ts[0] = (struct timespec){ub.actime, 0};
        ts[1] = (struct timespec){ub.modtime, 0};
    }
    return set_times(t, GUEST_AT_FDCWD, a[0], ts, 0);
}

/* truncate(2): through an open of its own, so a cached file's pages follow. */
static long sys_truncate(struct task *t, const uint64_t a[6])
{
    if ((int64_t)a[1] < 0)
        return -EINVAL;
    struct nameidata nd;
    struct file *f = NULL;
    int err = user_path_at(t, GUEST_AT_FDCWD, a[0], LOOKUP_FOLLOW, &nd);
    if (!err && S_ISDIR(nd.path.mode))
        err = -EISDIR;
    else if (!err && !S_ISREG(nd.path.mode))
        err = -EINVAL; /* never open a FIFO or a device to truncate it */
    if (!err) {
        const struct path *parent = nd.parent.kind == NODE_HOST ? &nd.parent : NULL;
        err = open_path(t, &nd.path, parent, parent ? nd.last : NULL, O_WRONLY, nd.name.buf, &f);
    }
    nd_release(&nd);
    if (err)
        return err;
    err = f->f_mapping ? inode_newsize_ok(t, f, a[1]) : -EINVAL;
    if (!err)
        err = vmtruncate(f, a[1]);
    fput(f);
    return err;
}

static long sys_statfs(struct task *t, const uint64_t a[6])
{
    struct nameidata nd;
    struct statfs st;
    int err = user_path_at(t, GUEST_AT_FDCWD, a[0], LOOKUP_FOLLOW, &nd);
    if (!err)
        err = vfs_statfs(&nd.path, &st);
    nd_release(&nd);
    if (err)
        return err;
    return copy_to_user(t->mm, a[1], &st, sizeof(st)) ? -EFAULT : 0;
}

void sys_path_register(syscall_fn table[NR_SYSCALLS])
{
    table[SYS_open] = sys_open;
    table[SYS_openat] = sys_openat;
    table[SYS_creat] = sys_creat;
    table[SYS_stat] = sys_stat;
    table[SYS_lstat] = sys_lstat;
    table[SYS_newfstatat] = sys_newfstatat;
    table[SYS_statx] = sys_statx;
    table[SYS_access] = sys_access;
    table[SYS_faccessat] = sys_faccessat;
    table[SYS_faccessat2] = sys_faccessat2;
    table[SYS_readlink] = sys_readlink;
    table[SYS_readlinkat] = sys_readlinkat;
    table[SYS_chdir] = sys_chdir;
    table[SYS_fchdir] = sys_fchdir;
    table[SYS_getcwd] = sys_getcwd;
    table[SYS_umask] = sys_umask;
    table[SYS_mkdir] = sys_mkdir;
    table[SYS_mkdirat] = sys_mkdirat;
    table[SYS_mknod] = sys_mknod;
    table[SYS_mknodat] = sys_mknodat;
    table[SYS_unlink] = sys_unlink;
    table[SYS_rmdir] = sys_rmdir;
    table[SYS_unlinkat] = sys_unlinkat;
    table[SYS_rename] = sys_rename;
    table[SYS_renameat] = sys_renameat;
    table[SYS_renameat2] = sys_renameat2;
    table[SYS_link] = sys_link;
    table[SYS_linkat] = sys_linkat;
    table[SYS_symlink] = sys_symlink;
    table[SYS_symlinkat] = sys_symlinkat;
    table[SYS_chmod] = sys_chmod;
    table[SYS_fchmodat] = sys_fchmodat;
    table[SYS_fchmod] = sys_fchmod;
    table[SYS_chown] = sys_chown;
    table[SYS_lchown] = sys_lchown;
    table[SYS_fchownat] = sys_fchownat;
    table[SYS_fchown] = sys_fchown;
    table[SYS_utimensat] = sys_utimensat;
    table[SYS_utimes] = sys_utimes;
    table[SYS_futimesat] = sys_futimesat;
    table[SYS_utime] = sys_utime;
    table[SYS_truncate] = sys_truncate;
    table[SYS_statfs] = sys_statfs;
}
