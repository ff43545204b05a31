/*
 * open(2) in the guest's namespace (see open.h). The last component is
 * looked up by vmemu like every other one, then the host file is opened
 * relative to its directory's O_PATH descriptor with O_NOFOLLOW, and must
 * be the inode the walk found: the host never resolves a name on its own.
 * Linux's refusals come first: EROFS in read-only trees, EACCES for device
 * nodes outside /dev (the guest's trees are nodev), ETXTBSY for a running
 * program, EISDIR, ENOTDIR, ELOOP for O_NOFOLLOW.
 */
#define _GNU_SOURCE
#include "emu/fs/fdtable.h"
#include "emu/fs/open.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "emu/fs/fs_struct.h"
#include "emu/fs/namei.h"
#include "emu/fs/pseudo.h"
#include "emu/fs/vfs.h"
#include "emu/kernel/task.h"
#include "mm/fs.h"
#include "mm/pagemap.h"
#include "mm/mmap.h"

#define UNIX98_PTY_SLAVE_MAJOR 136 /* /dev/pts/N: majors 136 to 143 */

/* ---- who writes, who runs ---------------------------------------------------------- */

static bool same_inode(const struct file *f, uint64_t dev, uint64_t ino)
{
    return f && f->f_mapping && f->f_mapping->host_dev == dev && f->f_mapping->host_ino == ino;
}

static bool file_writes(const struct file *f, uint64_t dev, uint64_t ino)
{
    return same_inode(f, dev, ino) && (f->f_flags & O_ACCMODE) != O_RDONLY &&
           !(f->f_flags & O_PATH);
}

bool inode_is_running(uint64_t dev, uint64_t ino)
{
    for (struct task *t = next_task(NULL); t; t = next_task(t))
        if (same_inode(t->exe_file, dev, ino))
            return true;
    return false;
}

/* A guest holds the file open for writing: a descriptor, or a mapping that outlived it. */
static bool guest_writes(uint64_t dev, uint64_t ino)
{
    for (struct task *t = next_task(NULL); t; t = next_task(t)) {
        for (int fd = 0; fd < NR_OPEN; fd++)
            if (file_writes(fd_get(t, fd), dev, ino))
                return true;
        for (struct vm_area_struct *v = t->mm ? find_vma(t->mm, 0) : NULL; v;
             v = vma_next(t->mm, v))
            if (file_writes(v->vm_file, dev, ino))
                return true;
    }
    return false;
}

/*
 * Somebody on the host holds the file open for writing. The kernel lets a
 * read lease be taken only when nobody does (it answers EAGAIN); where no
 * lease can be taken at all (not the owner, or a file system without
 * leases) nothing can be told, and the program runs.
 */
static bool host_writes(int fd)
{
    if (fcntl(fd, F_SETLEASE, F_RDLCK) != 0)
        return errno == EAGAIN;
    fcntl(fd, F_SETLEASE, F_UNLCK);
    return false;
}

/* ---- opening a node ---------------------------------------------------------------- */

static bool wants_write(int flags)
{
    return !(flags & O_PATH) && (open_flags_to_may(flags) & MAY_WRITE);
}

/* Compatible access: the new open asks for nothing the old description lacks. */
static bool access_within(unsigned int have, int want)
{
    int h = (int)(have & O_ACCMODE), w = want & O_ACCMODE;
    return h == w || h == O_RDWR;
}

/* The refusals Linux makes before opening an object of this type. */
static int may_open(const struct path *p, int flags, bool trailing)
{
    mode_t m = p->mode;
    if (((flags & O_DIRECTORY) || trailing) && !S_ISDIR(m) && !S_ISLNK(m))
        return -ENOTDIR;
    if (S_ISLNK(m) && !(flags & O_PATH))
        return -ELOOP;
    if (flags & O_PATH)
        return 0;
    if (S_ISDIR(m) && (wants_write(flags) || (flags & O_CREAT)))
        return -EISDIR;
    if (S_ISCHR(m) || S_ISBLK(m)) {
        /* Only /dev/pts's terminals may be opened from a host tree: the rest is nodev. */
        bool pty = S_ISCHR(m) && p->mnt->devices;
        return p->kind == NODE_HOST && !pty ? -EACCES : 0;
    }
    if (p->readonly && (wants_write(flags) || (flags & O_TRUNC)) && (S_ISREG(m) || S_ISDIR(m)))
        return -EROFS;
    if (S_ISREG(m) && wants_write(flags) && p->kind == NODE_HOST &&
        inode_is_running((uint64_t)p->dev, (uint64_t)p->ino))
        return -ETXTBSY;
    return 0;
}

/* The nodev exception is for terminals only, whatever else a tree mounted at /dev/pts holds. */
static bool pty_device(const struct stat *st)
{
    unsigned int maj = major(st->st_rdev);
    return S_ISCHR(st->st_mode) && maj >= UNIX98_PTY_SLAVE_MAJOR &&
           maj < UNIX98_PTY_SLAVE_MAJOR + 8;
}

/* Open a host object: relative to its directory, or itself when it is one. */
static int open_host(const struct path *p, const struct path *parent, const char *last, int flags,
                     const char *name, struct file **out)
{
    int hflags = (flags & ~(O_CREAT | O_EXCL)) | O_NOFOLLOW | O_CLOEXEC;
    int fd = parent && parent->kind == NODE_HOST && last ? openat(parent->fd, last, hflags)
                                                         : openat(p->fd, ".", hflags & ~O_NOFOLLOW);
    if (fd < 0)
        return -errno;
    struct stat st;
    if (fstat(fd, &st) != 0 || st.st_dev != p->dev || st.st_ino != p->ino ||
        ((S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) && !pty_device(&st))) {
        /* Something else took the name on the host meanwhile: not what the walk found. */
        close(fd);
        return -ENOENT;
    }
    int err = 0;
    struct file *f = file_open_fd(fd, name, flags & ~O_CLOEXEC, &err);
    if (!f)
        return err;
    f->f_mnt = p->mnt;
    *out = f;
    return 0;
}

/* The path-only open of one of vmemu's nodes (O_PATH): it names, nothing more. */
static const struct file_operations pseudo_path_fops = {
    .getattr = pseudo_getattr,
    .release = pseudo_file_release,
};

static int file_reopen(struct task *t, struct file *f, int flags, struct file **out);

int open_path(struct task *t, const struct path *p, const struct path *parent, const char *last,
              int flags, const char *name, struct file **out)
{
    int err = p->kind == NODE_FILE ? 0 : may_open(p, flags, false);
    if (err)
        return err;
    if (p->kind == NODE_FILE)
        err = file_reopen(t, p->file, flags, out);
    else if (p->kind == NODE_HOST)
        err = open_host(p, parent, last, flags, name, out);
    else if (flags & O_PATH)
        err = pseudo_file_open(p, flags, name, &pseudo_path_fops, out);
    else
        err = p->mnt->ops->open(t, p, flags, out);
    if (!err && !(*out)->f_mnt)
        (*out)->f_mnt = p->mnt;
    return err;
}

/* ---- opening a descriptor's file anew ---------------------------------------------- */

/* O_TRUNC on a file opened without the host truncating: the cache and the host file. */
static int truncate_opened(struct file *f, int flags)
{
    if (!(flags & O_TRUNC) || !wants_write(flags) || !f->f_mapping)
        return 0;
    int err = vmtruncate(f, 0);
    if (err)
        fput(f);
    return err;
}

/*
 * Open the file behind /proc/PID/fd/N (or /proc/PID/exe) anew, as Linux
 * does: a new open file with its own position and flags, for the same
 * object. A description that already allows the access is duplicated; a
 * wider access opens the file by its guest name, which must still lead to
 * the same inode.
 */
static int file_reopen(struct task *t, struct file *f, int flags, struct file **out)
{
    if ((flags & O_CREAT) && (flags & O_EXCL))
        return -EEXIST;
    const struct path *node = pseudo_file_node(f);
    if (node)
        return open_path(t, node, NULL, NULL, flags, f->f_path, out);
    if (f->f_op) {
        /* Another kind of vmemu's files (a pipe): the same open file. */
        if (!access_within(f->f_flags, flags))
            return -EACCES;
        *out = get_file(f);
        return 0;
    }
    struct path p = {
        .mnt = f->f_mnt ? f->f_mnt : root_mnt, .kind = NODE_FILE, .fd = -1, .mode = f->f_mode};
    if (f->f_mapping) {
        p.dev = (dev_t)f->f_mapping->host_dev;
        p.ino = (ino_t)f->f_mapping->host_ino;
    }
    int err = may_open(&p, flags, false);
    if (!err && S_ISREG(f->f_mode) && wants_write(flags) && f->f_mapping &&
        inode_is_running(f->f_mapping->host_dev, f->f_mapping->host_ino))
        err = -ETXTBSY;
    if (err)
        return err;
    if (file_is_secretmem(f))
        return -ENXIO;          /* its inode cannot be opened again (secretmem's open refuses) */
    if (vma_file_is_shmem(f)) { /* a memfd: no host file, a new open file of the same object */
        struct file *nf = shmem_file_reopen(
            f, (unsigned int)(flags & ~(O_CLOEXEC | O_CREAT | O_EXCL | O_TRUNC)), &err);
        if (!nf)
            return err;
        nf->f_mnt = f->f_mnt;
        if ((err = truncate_opened(nf, flags)) != 0)
            return err;
        *out = nf;
        return 0;
    }
    bool same_access = access_within(f->f_flags, flags) && !(f->f_flags & O_PATH);
    if (same_access || f->f_pos_shared) {
        int fd;
        if (same_access) {
            fd = fcntl(f->f_host_fd, F_DUPFD_CLOEXEC, 3);
        } else {
            /*
             * An inherited descriptor's name (/dev/stdin) leads back to
             * itself (the fuzzer found the endless loop): the host checks the
             * wider access on the same inode, as Linux does.
             */
            char host[64];
            snprintf(host, sizeof(host), "/proc/self/fd/%d", f->f_host_fd);
            fd = open(host, (flags & ~(O_CREAT | O_EXCL | O_TRUNC | O_NOFOLLOW)) | O_CLOEXEC);
        }
        if (fd < 0)
            return -errno;
        const char *name = inherited_file_name(f);
        struct file *nf =
            file_open_fd(fd, name ? name : f->f_path, flags & ~(O_TRUNC | O_CLOEXEC), &err);
        if (!nf)
            return err;
        nf->f_mnt = f->f_mnt;
        nf->f_flags = (unsigned int)(flags & ~(O_CLOEXEC | O_CREAT | O_EXCL | O_TRUNC));
        if ((err = truncate_opened(nf, flags)) != 0)
            return err;
        *out = nf;
        return 0;
    }
    struct file *nf;
    if (!f->f_path || f->f_path[0] != '/')
        return -EACCES;
    /*
     * The name may itself be a /proc/PID/fd link that leads back here (a
     * file opened as /proc/self/fd/3 and put at descriptor 3): the fuzzer
     * overflowed vmemu's stack with it. Linux's limit on links followed.
     */
    static int depth;
    if (depth >= MAXSYMLINKS)
        return -ELOOP;
    depth++;
    err = do_filp_open(t, GUEST_AT_FDCWD, f->f_path, flags & ~(O_CREAT | O_EXCL | O_TRUNC), 0, &nf);
    depth--;
    if (err)
        return err;
    struct stat a, b;
    if (fstat(nf->f_host_fd, &a) != 0 || fstat(f->f_host_fd, &b) != 0 || a.st_dev != b.st_dev ||
        a.st_ino != b.st_ino) {
        fput(nf);
        return -ENOENT;
    }
    if ((err = truncate_opened(nf, flags)) != 0)
        return err;
    *out = nf;
    return 0;
}

/* ---- open(2) ----------------------------------------------------------------------- */

/* O_CREAT of a name that does not exist: the file, with the caller's umask. */
static int create_last(struct nameidata *nd, int flags, mode_t mode, struct file **out)
{
    if (nd->trailing_slash)
        return -EISDIR;
    if (nd->path.kind != NODE_HOST)
        return nd->path.mnt->ops->enoent_create;
    if (nd->path.readonly)
        return -EROFS;
    char *name = nd_last_name(nd);
    if (!name)
        return -ENOMEM;
    mode_t old = umask(nd->t->fs->umask);
    int fd = openat(nd->path.fd, nd->last, flags | O_CREAT | O_NOFOLLOW | O_CLOEXEC, mode);
    int err = fd < 0 ? -errno : 0;
    umask(old);
    struct file *f = err ? NULL : file_open_fd(fd, name, flags & ~O_CLOEXEC, &err);
    free(name);
    if (err)
        return err;
    f->f_mnt = nd->path.mnt;
    *out = f;
    return 0;
}

/* O_TMPFILE: an unnamed file in the directory p, with the caller's umask. */
static int open_tmpfile(struct task *t, const struct path *p, int flags, mode_t mode,
                        const char *dirname, struct file **out)
{
    if (!S_ISDIR(p->mode))
        return -ENOTDIR;
    if (p->kind != NODE_HOST)
        return -EOPNOTSUPP;
    if (p->readonly)
        return -EROFS;
    mode_t old = umask(t->fs->umask);
    int fd = openat(p->fd, ".", flags | O_CLOEXEC, mode);
    int err = fd < 0 ? -errno : 0;
    umask(old);
    struct stat st;
    if (err || fstat(fd, &st) != 0) {
        if (!err)
            close(fd);
        return err ? err : -EIO;
    }
    /*
     * Linux names it "#<inode>" in its directory (" (deleted)" when shown);
     * vmemu numbers them in order instead, so that traces do not depend on
     * the host's inode numbers.
     */
    static unsigned long tmpfiles;
    char name[PATH_MAX + 32];
    snprintf(name, sizeof(name), "%s%s#%lu", dirname, strcmp(dirname, "/") ? "/" : "", ++tmpfiles);
    struct file *f = file_open_fd(fd, name, flags & ~O_CLOEXEC, &err);
    if (!f)
        return err;
    f->f_mnt = p->mnt;
    *out = f;
    return 0;
}

/* The last component of open(2): follow links as the flags say, create, or find. */
static int open_last(struct nameidata *nd, int flags, mode_t mode, struct file **out)
{
    for (;;) {
        int err = nd_walk_parent(nd);
        if (err)
            return err;
        bool tmpfile = (flags & O_TMPFILE) == O_TMPFILE;
        if (nd->last_type != LAST_NORM) {
            if (flags & O_CREAT)
                return -EISDIR;
            if ((err = nd_finish_dir(nd)) != 0)
                return err;
            if (tmpfile)
                return open_tmpfile(nd->t, &nd->path, flags, mode, nd->name.buf, out);
            return open_path(nd->t, &nd->path, NULL, NULL, flags, nd->name.buf, out);
        }
        struct path child;
        err = nd_lookup_last(nd, &child);
        if (err == -ENOENT && (flags & O_CREAT))
            return create_last(nd, flags, mode, out);
        if (err)
            return err;
        bool excl = (flags & O_CREAT) && (flags & O_EXCL);
        if (path_is_link(&child) && !excl && (!(flags & O_NOFOLLOW) || nd->trailing_slash)) {
            if ((err = nd_follow_link(nd, &child)) != 0)
                return err;
            continue;
        }
        char *name = nd_last_name(nd);
        if (!name)
            err = -ENOMEM;
        else if (excl)
            err = -EEXIST;
        else if (nd->trailing_slash && !path_is_dir(&child))
            err = -ENOTDIR;
        else if (tmpfile)
            err = open_tmpfile(nd->t, &child, flags, mode, name, out);
        else
            err = open_path(nd->t, &child, &nd->path, nd->last, flags, name, out);
        free(name);
        path_put(&child);
        return err;
    }
}

int do_filp_open(struct task *t, int dirfd, const char *pathname, int flags, mode_t mode,
                 struct file **out)
{
    struct nameidata nd;
    int err = nd_start(t, dirfd, pathname, 0, &nd);
    if (!err)
        err = open_last(&nd, flags, mode & 07777, out);
    nd_release(&nd);
    return err;
}

/* ---- execve's checks --------------------------------------------------------------- */

static int exec_refuse(const char **why, const char *what, int err)
{
    *why = what;
    return err;
}

/* The opened program's checks; on failure f is dropped. */
static int exec_checks(struct file *f, const char **why)
{
    struct statfs fs;
    if (fstatfs(f->f_host_fd, &fs) == 0 && (fs.f_flags & ST_NOEXEC))
        return exec_refuse(why, "on a file system mounted noexec", -EACCES);
    if (faccessat(f->f_host_fd, "", X_OK, AT_EACCESS | AT_EMPTY_PATH) != 0)
        return exec_refuse(why, errno == EACCES ? "no execute permission" : "cannot be checked",
                           -errno);
    if (f->f_mapping && guest_writes(f->f_mapping->host_dev, f->f_mapping->host_ino))
        return exec_refuse(why, "open for writing", -ETXTBSY);
    if (host_writes(f->f_host_fd))
        return exec_refuse(why, "open for writing", -ETXTBSY);
    return 0;
}

int open_exec(struct task *t, int dirfd, const char *path, int at_flags, struct file **out,
              const char **why)
{
    struct nameidata nd;
    *why = NULL;
    unsigned int lookup = ((at_flags & AT_SYMLINK_NOFOLLOW) ? 0 : LOOKUP_FOLLOW) |
                          ((at_flags & AT_EMPTY_PATH) ? LOOKUP_EMPTY : 0);
    int err = path_lookupat(t, dirfd, path, lookup, &nd);
    if (err) {
        nd_release(&nd);
        return err;
    }
    if (S_ISLNK(nd.path.mode))
        err = exec_refuse(why, "a symbolic link (AT_SYMLINK_NOFOLLOW)", -ELOOP);
    else if (S_ISDIR(nd.path.mode))
        err = exec_refuse(why, "is a directory", -EACCES);
    else if (!S_ISREG(nd.path.mode))
        err = exec_refuse(why, "not a regular file", -EACCES);
    else if (nd.path.kind != NODE_HOST && nd.path.kind != NODE_FILE)
        err = exec_refuse(why, "on a file system mounted noexec", -EACCES);
    struct file *f = NULL;
    if (!err) {
        /* O_NONBLOCK: should the name turn into a FIFO meanwhile, the open does not wait. */
        const struct path *parent = nd.parent.kind == NODE_HOST ? &nd.parent : NULL;
        err = open_path(t, &nd.path, parent, parent ? nd.last : NULL, O_RDONLY | O_NONBLOCK,
                        nd.name.buf, &f);
    }
    nd_release(&nd);
    if (!err && (!S_ISREG(f->f_mode) || f->f_host_fd < 0))
        err = exec_refuse(why, "not a regular file", -EACCES);
    if (!err)
        err = exec_checks(f, why);
    if (err) {
        if (f)
            fput(f);
        return err;
    }
    f->f_flags = O_RDONLY;
    *out = f;
    return 0;
}
