/*
 * Extended attributes: getxattr, setxattr, listxattr and removexattr in
 * their path, l (no following of the last link) and f (descriptor) forms.
 * The path is walked in the guest's namespace like every other; a host
 * object's attributes are then the host's, reached through the object's
 * own descriptor (the walk's O_PATH descriptor by its /proc/self/fd name,
 * since the host refuses f*xattr on O_PATH descriptors), so no guest path
 * is ever resolved by the host. vmemu's own files (/proc, /dev) have none:
 * an empty list, and for a name EOPNOTSUPP in /proc (Linux's procfs has no
 * attribute handlers) or ENODATA in /dev (devtmpfs has them, empty).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/xattr.h>

#include "emu/fs/fdtable.h"
#include "emu/fs/namei.h"
#include "emu/fs/vfs.h"
#include "emu/kernel/syscall.h"
#include "emu/kernel/task.h"
#include "mm/fs.h"
#include "mm/uaccess.h"

#ifndef XATTR_NAME_MAX
#define XATTR_NAME_MAX 255
#endif
#define XATTR_SIZE_MAX 65536
#define XATTR_LIST_MAX 65536
#define XATTR_CREATE_REPLACE (XATTR_CREATE | XATTR_REPLACE)

void sys_xattr_register(syscall_fn table[NR_SYSCALLS]);

enum xattr_op { XA_GET, XA_SET, XA_LIST, XA_REMOVE };

/* One call's arguments, copied in from the guest. */
struct xattr_args {
    enum xattr_op op;
    char name[XATTR_NAME_MAX + 1];
    void *value; /* XA_GET, XA_LIST: the buffer; XA_SET: the value (malloc) */
    size_t size;
    int flags;
};

/* The host object a walk or a descriptor names: a descriptor to act on, -1 for vmemu's own. */
struct xattr_target {
    int fd;
    bool o_path;          /* an O_PATH descriptor: go through its /proc/self/fd name */
    struct vfsmount *mnt; /* vmemu's own: the tree it is in */
};

static long host_op(const struct xattr_target *tg, struct xattr_args *x)
{
    char proc[40];
    ssize_t r;
    snprintf(proc, sizeof(proc), "/proc/self/fd/%d", tg->fd);
    switch (x->op) {
    case XA_GET:
        r = tg->o_path ? getxattr(proc, x->name, x->value, x->size)
                       : fgetxattr(tg->fd, x->name, x->value, x->size);
        break;
    case XA_SET:
        r = tg->o_path ? setxattr(proc, x->name, x->value, x->size, x->flags)
                       : fsetxattr(tg->fd, x->name, x->value, x->size, x->flags);
        break;
    case XA_LIST:
        r = tg->o_path ? listxattr(proc, x->value, x->size) : flistxattr(tg->fd, x->value, x->size);
        break;
    default:
        r = tg->o_path ? removexattr(proc, x->name) : fremovexattr(tg->fd, x->name);
        break;
    }
    return r < 0 ? -errno : (long)r;
}

/* vmemu's own files keep no attributes: nothing to list, nothing to get or set. */
static long pseudo_op(const struct xattr_target *tg, const struct xattr_args *x)
{
    if (x->op == XA_LIST)
        return 0;
    return x->op == XA_GET && tg->mnt == dev_mnt ? -ENODATA : -EOPNOTSUPP;
}

static long run_op(struct xattr_target *tg, struct xattr_args *x)
{
    return tg->fd < 0 ? pseudo_op(tg, x) : host_op(tg, x);
}

/* Copy the name and the value in, and make the buffer the answer goes to. */
static long args_in(struct task *t, struct xattr_args *x, uint64_t uname, uint64_t uvalue,
                    uint64_t size, int flags)
{
    x->value = NULL;
    x->flags = flags;
    if (x->op != XA_LIST) {
        long n = strncpy_from_user(t->mm, x->name, uname, sizeof(x->name));
        if (n < 0)
            return n;
        if (n == 0 || (size_t)n == sizeof(x->name))
            return -ERANGE;
    }
    if (x->op == XA_SET && (flags & ~XATTR_CREATE_REPLACE))
        return -EINVAL;
    size_t max = x->op == XA_LIST ? XATTR_LIST_MAX : XATTR_SIZE_MAX;
    if (x->op == XA_SET && size > max)
        return -E2BIG;
    x->size = size > max ? max : (size_t)size;
    if (x->op == XA_REMOVE || !x->size)
        return 0;
    if (!(x->value = malloc(x->size)))
        return -ENOMEM;
    if (x->op == XA_SET && copy_from_user(t->mm, x->value, uvalue, x->size))
        return -EFAULT;
    return 0;
}

/* Run the call on tg and copy the answer out. */
static long finish(struct task *t, struct xattr_target *tg, struct xattr_args *x, uint64_t uvalue)
{
    long r = run_op(tg, x);
    if (r > 0 && x->value && (x->op == XA_GET || x->op == XA_LIST) &&
        copy_to_user(t->mm, uvalue, x->value, (size_t)r))
        r = -EFAULT;
    free(x->value);
    return r;
}

static long path_xattr(struct task *t, enum xattr_op op, const uint64_t a[6], bool follow)
{
    struct xattr_args x = {.op = op};
    uint64_t uname = op == XA_LIST ? 0 : a[1];
    uint64_t uvalue = op == XA_LIST ? a[1] : a[2];
    uint64_t size = op == XA_LIST ? a[2] : a[3];
    long err = args_in(t, &x, uname, uvalue, size, op == XA_SET ? (int)a[4] : 0);
    struct nameidata nd;
    if (!err) {
        err = user_path_at(t, GUEST_AT_FDCWD, a[0], follow ? LOOKUP_FOLLOW : 0, &nd);
        if (!err && (op == XA_SET || op == XA_REMOVE))
            err = may_setattr(&nd.path);
        if (!err) {
            struct xattr_target tg = {-1, false, nd.path.mnt};
            if (nd.path.kind == NODE_HOST)
                tg = (struct xattr_target){nd.path.fd, true, NULL};
            else if (nd.path.kind == NODE_FILE && nd.path.file->f_host_fd >= 0)
                tg = (struct xattr_target){nd.path.file->f_host_fd, false, NULL};
            err = finish(t, &tg, &x, uvalue);
            x.value = NULL;
        }
        nd_release(&nd);
    }
    free(x.value);
    return err;
}

static long fd_xattr(struct task *t, enum xattr_op op, const uint64_t a[6])
{
    struct file *f = fd_get(t, (int)a[0]);
    if (!f)
        return -EBADF;
    struct xattr_args x = {.op = op};
    uint64_t uname = op == XA_LIST ? 0 : a[1];
    uint64_t uvalue = op == XA_LIST ? a[1] : a[2];
    uint64_t size = op == XA_LIST ? a[2] : a[3];
    long err = args_in(t, &x, uname, uvalue, size, op == XA_SET ? (int)a[4] : 0);
    if (!err && (op == XA_SET || op == XA_REMOVE))
        err = may_setattr_file(f);
    if (err) {
        free(x.value);
        return err;
    }
    struct xattr_target tg = {f->f_host_fd, false, f->f_mnt};
    return finish(t, &tg, &x, uvalue);
}

/* Each system call: its operation, and a path (following its last link or not) or a descriptor. */
#define PATH_XATTR(name, op, follow)                                                               \
    static long sys_##name(struct task *t, const uint64_t a[6])                                    \
    {                                                                                              \
        return path_xattr(t, op, a, follow);                                                       \
    }
#define FD_XATTR(name, op)                                                                         \
    static long sys_##name(struct task *t, const uint64_t a[6])                                    \
    {                                                                                              \
        return fd_xattr(t, op, a);                                                                 \
    }

PATH_XATTR(getxattr, XA_GET, true)
PATH_XATTR(lgetxattr, XA_GET, false)
FD_XATTR(fgetxattr, XA_GET)
PATH_XATTR(setxattr, XA_SET, true)
PATH_XATTR(lsetxattr, XA_SET, false)
FD_XATTR(fsetxattr, XA_SET)
PATH_XATTR(listxattr, XA_LIST, true)
PATH_XATTR(llistxattr, XA_LIST, false)
FD_XATTR(flistxattr, XA_LIST)
PATH_XATTR(removexattr, XA_REMOVE, true)
PATH_XATTR(lremovexattr, XA_REMOVE, false)
FD_XATTR(fremovexattr, XA_REMOVE)

void sys_xattr_register(syscall_fn table[NR_SYSCALLS])
{
    table[SYS_getxattr] = sys_getxattr;
    table[SYS_lgetxattr] = sys_lgetxattr;
    table[SYS_fgetxattr] = sys_fgetxattr;
    table[SYS_setxattr] = sys_setxattr;
    table[SYS_lsetxattr] = sys_lsetxattr;
    table[SYS_fsetxattr] = sys_fsetxattr;
    table[SYS_listxattr] = sys_listxattr;
    table[SYS_llistxattr] = sys_llistxattr;
    table[SYS_flistxattr] = sys_flistxattr;
    table[SYS_removexattr] = sys_removexattr;
    table[SYS_lremovexattr] = sys_lremovexattr;
    table[SYS_fremovexattr] = sys_fremovexattr;
}
