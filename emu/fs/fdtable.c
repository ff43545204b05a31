/*
 * Descriptor tables and the calls that work on descriptor numbers: close,
 * dup, dup2, dup3, fcntl's descriptor and status flags, close_range.
 *
 * Invariants: a table entry holds one reference to its file; the lowest
 * free number at or above the asked minimum is always the one handed out,
 * and never at or past RLIMIT_NOFILE.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "emu/fs/fdtable.h"
#include "emu/fs/locks.h"
#include "emu/fs/pipe.h"
#include "emu/kernel/sched.h"
#include "emu/kernel/task.h"
#include "mm/fs.h"
#include "mm/mman_new.h"
#include "mm/slab.h"

#ifndef CLOSE_RANGE_UNSHARE
#define CLOSE_RANGE_UNSHARE (1U << 1)
#endif
#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

static struct kmem_cache *files_cachep;

int fdtable_init(void)
{
    files_cachep = kmem_cache_create("files_cache", sizeof(struct files_struct), 64, 0, NULL);
    return files_cachep ? 0 : -ENOMEM;
}

void fdtable_exit(void)
{
    if (files_cachep)
        kmem_cache_destroy(files_cachep);
    files_cachep = NULL;
}

struct files_struct *files_alloc(void)
{
    struct files_struct *f = kmem_cache_zalloc(files_cachep, GFP_KERNEL);
    if (f)
        f->count = 1;
    return f;
}

struct files_struct *files_get(struct files_struct *files)
{
    files->count++;
    return files;
}

static void set_cloexec(struct files_struct *files, int fd, bool on)
{
    uint64_t bit = 1ULL << (fd % 64);
    if (on)
        files->close_on_exec[fd / 64] |= bit;
    else
        files->close_on_exec[fd / 64] &= ~bit;
}

static bool get_cloexec(const struct files_struct *files, int fd)
{
    return (files->close_on_exec[fd / 64] >> (fd % 64)) & 1;
}

void files_put(struct files_struct *files)
{
    if (--files->count > 0)
        return;
    for (int fd = 0; fd < NR_OPEN; fd++) {
        if (files->fd[fd]) {
            locks_remove_posix(files->fd[fd], files);
            fput(files->fd[fd]);
        }
    }
    locks_forget_owner(files);
    kmem_cache_free(files_cachep, files);
}

struct files_struct *dup_fd(struct files_struct *old)
{
    struct files_struct *n = files_alloc();
    if (!n)
        return NULL;
    for (int fd = 0; fd < NR_OPEN; fd++)
        if (old->fd[fd])
            n->fd[fd] = get_file(old->fd[fd]);
    memcpy(n->close_on_exec, old->close_on_exec, sizeof(n->close_on_exec));
    return n;
}

static int nofile_limit(struct task *t)
{
    rlim_t lim = t->signal->rlim[RLIMIT_NOFILE].rlim_cur;
    return lim < NR_OPEN ? (int)lim : NR_OPEN;
}

int fd_install(struct task *t, struct file *f, int min_fd, bool cloexec)
{
    int limit = nofile_limit(t);
    for (int fd = min_fd < 0 ? 0 : min_fd; fd < limit; fd++) {
        if (!t->files->fd[fd]) {
            t->files->fd[fd] = f;
            set_cloexec(t->files, fd, cloexec);
            return fd;
        }
    }
    return -EMFILE;
}

struct file *fd_get(struct task *t, int fd)
{
    return (fd >= 0 && fd < NR_OPEN && t->files) ? t->files->fd[fd] : NULL;
}

bool fd_is_cloexec(struct task *t, int fd)
{
    return fd >= 0 && fd < NR_OPEN && get_cloexec(t->files, fd);
}

int fd_close(struct task *t, int fd)
{
    struct file *f = fd_get(t, fd);
    if (!f)
        return -EBADF;
    t->files->fd[fd] = NULL;
    set_cloexec(t->files, fd, false);
    locks_remove_posix(f, t->files); /* any close drops the process's POSIX locks on the file */
    fput(f);
    return 0;
}

void unshare_files_for_exec(struct task *t)
{
    if (t->files->count > 1) {
        struct files_struct *n = dup_fd(t->files);
        if (n) {
            files_put(t->files);
            t->files = n;
        }
    }
    for (int fd = 0; fd < NR_OPEN; fd++)
        if (t->files->fd[fd] && get_cloexec(t->files, fd))
            fd_close(t, fd);
}

/* ---- the system calls -------------------------------------------------------------- */

static long sys_close(struct task *t, const uint64_t a[6])
{
    return fd_close(t, (int)a[0]);
}

/* Put f at newfd (closing what was there), as dup2 and dup3 do. */
static long replace_fd(struct task *t, struct file *f, int newfd, bool cloexec)
{
    if (newfd < 0 || newfd >= nofile_limit(t))
        return -EBADF;
    struct file *old = t->files->fd[newfd];
    t->files->fd[newfd] = get_file(f);
    set_cloexec(t->files, newfd, cloexec);
    if (old) {
        locks_remove_posix(old, t->files);
        fput(old);
    }
    return newfd;
}

static long sys_dup(struct task *t, const uint64_t a[6])
{
    struct file *f = fd_get(t, (int)a[0]);
    if (!f)
        return -EBADF;
    int fd = fd_install(t, get_file(f), 0, false);
    if (fd < 0)
        fput(f);
    return fd;
}

static long sys_dup2(struct task *t, const uint64_t a[6])
{
    struct file *f = fd_get(t, (int)a[0]);
    if (!f)
        return -EBADF;
    if ((int)a[0] == (int)a[1])
        return (int)a[1];
    return replace_fd(t, f, (int)a[1], false);
}

static long sys_dup3(struct task *t, const uint64_t a[6])
{
    if (a[2] & ~(uint64_t)O_CLOEXEC)
        return -EINVAL;
    if ((int)a[0] == (int)a[1])
        return -EINVAL;
    struct file *f = fd_get(t, (int)a[0]);
    if (!f)
        return -EBADF;
    return replace_fd(t, f, (int)a[1], a[2] & O_CLOEXEC);
}

/* F_SETFL: the flags a descriptor's status may change (Linux's SETFL_MASK). */
static long set_status_flags(struct file *f, unsigned int flags)
{
    unsigned int settable = O_APPEND | O_NONBLOCK | O_DIRECT | O_NOATIME | O_ASYNC;
    if (f->f_host_fd >= 0 && fcntl(f->f_host_fd, F_SETFL, (int)(flags & settable)) != 0)
        return -errno;
    f->f_flags = (f->f_flags & ~settable) | (flags & settable);
    return 0;
}

static long sys_fcntl(struct task *t, const uint64_t a[6])
{
    int fd = (int)a[0];
    struct file *f = fd_get(t, fd);
    if (!f)
        return -EBADF;
    switch ((int)a[1]) {
    case F_GETFD:
        return get_cloexec(t->files, fd) ? FD_CLOEXEC : 0;
    case F_SETFD:
        set_cloexec(t->files, fd, a[2] & FD_CLOEXEC);
        return 0;
    case F_GETFL:
        return (long)f->f_flags;
    case F_SETFL:
        return set_status_flags(f, (unsigned int)a[2]);
    case F_DUPFD:
    case F_DUPFD_CLOEXEC: {
        if (a[2] >= (uint64_t)nofile_limit(t))
            return -EINVAL;
        int nfd = fd_install(t, get_file(f), (int)a[2], (int)a[1] == F_DUPFD_CLOEXEC);
        if (nfd < 0)
            fput(f);
        return nfd;
    }
    case F_GETPIPE_SZ:
    case F_SETPIPE_SZ:
        return pipe_fcntl(f, (int)a[1], (unsigned long)a[2]);
    case F_GETLK:
    case F_SETLK:
    case F_SETLKW:
    case F_OFD_GETLK:
    case F_OFD_SETLK:
    case F_OFD_SETLKW:
        return fcntl_lock(t, f, (int)a[1], a[2]);
    case F_ADD_SEALS:
    case F_GET_SEALS:
        return memfd_fcntl(f, (unsigned int)a[1], (unsigned long)a[2]);
    default:
        return -EINVAL;
    }
}

static long sys_close_range(struct task *t, const uint64_t a[6])
{
    unsigned int first = (unsigned int)a[0], last = (unsigned int)a[1], flags = (unsigned int)a[2];
    if (flags & ~(CLOSE_RANGE_UNSHARE | CLOSE_RANGE_CLOEXEC))
        return -EINVAL;
    if (first > last)
        return -EINVAL;
    if ((flags & CLOSE_RANGE_UNSHARE) && t->files->count > 1) {
        struct files_struct *n = dup_fd(t->files);
        if (!n)
            return -ENOMEM;
        files_put(t->files);
        t->files = n;
    }
    for (unsigned int fd = first; fd <= last && fd < NR_OPEN; fd++) {
        if (!t->files->fd[fd])
            continue;
        if (flags & CLOSE_RANGE_CLOEXEC)
            set_cloexec(t->files, (int)fd, true);
        else
            fd_close(t, (int)fd);
    }
    return 0;
}

void sys_fdtable_register(syscall_fn table[NR_SYSCALLS])
{
    table[SYS_close] = sys_close;
    table[SYS_dup] = sys_dup;
    table[SYS_dup2] = sys_dup2;
    table[SYS_dup3] = sys_dup3;
    table[SYS_fcntl] = sys_fcntl;
    table[SYS_close_range] = sys_close_range;
}
