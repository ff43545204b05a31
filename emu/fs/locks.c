/*
 * File locks, as Linux's fs/locks.c keeps them, for guest processes.
 *
 * A lock is a byte range [start, end] (end inclusive, OFFSET_MAX for "to
 * the end of the file, however long") of one file, shared (F_RDLCK) or
 * exclusive (F_WRLCK), held by an owner:
 *   - POSIX record locks (fcntl F_SETLK): the process's descriptor table
 *     (files_struct), so threads share them and fork's child has none; any
 *     close of a descriptor of the file drops them all;
 *   - open-file-description locks (F_OFD_SETLK): the open file, dropped
 *     with its last reference; they conflict with POSIX locks;
 *   - flock(2) locks: the open file, whole-file, a separate set that never
 *     conflicts with the other two.
 * The file is its page cache (one address_space per host file, whatever
 * path or descriptor reached it), or the open file itself when it has none.
 *
 * Invariants: an owner's locks of one kind on one file never overlap and
 * adjacent ones of the same type are merged; a task waiting for a lock
 * (F_SETLKW, flock without LOCK_NB) sleeps on lock_wait and is woken by
 * every unlock; it records whom it waits for, so a POSIX wait that would
 * close a cycle fails with EDEADLK instead.
 */
#define _GNU_SOURCE
#include "emu/fs/locks.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/syscall.h>

#include "emu/fs/fdtable.h"
#include "emu/fs/vfs.h"
#include "emu/kernel/sched.h"
#include "emu/kernel/signal.h"
#include "emu/kernel/task.h"
#include "mm/fs.h"
#include "mm/list.h"
#include "mm/uaccess.h"

#define OFFSET_MAX INT64_MAX
#define MAX_DEADLK_STEPS 10 /* Linux's MAX_DEADLK_ITERATIONS */

enum lock_kind { FL_POSIX, FL_OFD, FL_FLOCK };

struct file_lock {
    struct list_head list; /* in all_locks */
    const void *inode;     /* the locked file: its address_space, or the file */
    const void *owner;     /* FL_POSIX: the files_struct; FL_OFD, FL_FLOCK: the file */
    int pid;               /* F_GETLK's l_pid: the locking process, -1 for OFD locks */
    enum lock_kind kind;
    short type; /* F_RDLCK or F_WRLCK */
    int64_t start, end;
};

/* A POSIX owner asleep waiting for another's lock: what EDEADLK looks for. */
struct lock_waiter {
    struct list_head list;
    const void *owner, *blocker;
};

/* The kernel's struct flock on x86-64. */
struct kflock {
    int16_t l_type, l_whence;
    int32_t pad;
    int64_t l_start, l_len;
    int32_t l_pid, pad2;
};

static struct list_head all_locks = LIST_HEAD_INIT(all_locks);
static struct list_head waiters = LIST_HEAD_INIT(waiters);
static struct wait_queue_head lock_wait = {LIST_HEAD_INIT(lock_wait.head)};

static const void *lock_inode(const struct file *f)
{
    return f->f_mapping ? (const void *)f->f_mapping : (const void *)f;
}

/* POSIX and OFD locks are one family; flock locks another. */
static bool same_family(enum lock_kind a, enum lock_kind b)
{
    return (a == FL_FLOCK) == (b == FL_FLOCK);
}

static bool overlap(const struct file_lock *l, int64_t start, int64_t end)
{
    return l->start <= end && start <= l->end;
}

/* The first lock of another owner that keeps req from being taken, or NULL. */
static struct file_lock *find_conflict(const struct file_lock *req)
{
    struct file_lock *l;
    list_for_each_entry(l, &all_locks, list)
    {
        if (l->inode != req->inode || !same_family(l->kind, req->kind) || l->owner == req->owner)
            continue;
        if (overlap(l, req->start, req->end) && (l->type == F_WRLCK || req->type == F_WRLCK))
            return l;
    }
    return NULL;
}

static bool mine(const struct file_lock *l, const struct file_lock *req)
{
    return l->inode == req->inode && l->owner == req->owner && l->kind == req->kind;
}

/*
 * Give req's owner exactly req over req's range (F_UNLCK: nothing): the
 * parts of its old locks outside the range stay, with their types. The
 * pieces are made before anything is changed, so ENOMEM changes nothing.
 */
static int apply_lock(const struct file_lock *req)
{
    struct file_lock *l, *n;
    int pieces = 0;
    list_for_each_entry(l, &all_locks, list) if (mine(l, req) && overlap(l, req->start, req->end))
        pieces += (l->start < req->start) + (l->end > req->end);
    struct file_lock **spare = calloc((size_t)pieces + 1, sizeof(*spare));
    if (!spare)
        return -ENOMEM;
    for (int i = 0; i < pieces + 1; i++)
        if (!(spare[i] = malloc(sizeof(**spare)))) {
            while (i--)
                free(spare[i]);
            free(spare);
            return -ENOLCK;
        }
    int used = 0;
    list_for_each_entry_safe(l, n, &all_locks, list)
    {
        if (!mine(l, req) || !overlap(l, req->start, req->end))
            continue;
        if (l->start < req->start) {
            *spare[used] = *l;
            spare[used]->end = req->start - 1;
            list_add_tail(&spare[used++]->list, &all_locks);
        }
        if (l->end > req->end) {
            *spare[used] = *l;
            spare[used]->start = req->end + 1;
            list_add_tail(&spare[used++]->list, &all_locks);
        }
        list_del(&l->list);
        free(l);
    }
    if (req->type != F_UNLCK) {
        *spare[used] = *req;
        list_add_tail(&spare[used++]->list, &all_locks);
    }
    while (used < pieces + 1)
        free(spare[used++]);
    free(spare);
    return 0;
}

/* Merge an owner's neighbouring locks of one type, as Linux keeps them. */
static void coalesce(const struct file_lock *req)
{
    bool merged = true;
    while (merged) {
        merged = false;
        struct file_lock *a, *b;
        list_for_each_entry(a, &all_locks, list)
        {
            if (!mine(a, req))
                continue;
            list_for_each_entry(b, &all_locks, list)
            {
                if (b == a || !mine(b, req) || b->type != a->type)
                    continue;
                if (a->end != OFFSET_MAX && b->start == a->end + 1) {
                    a->end = b->end;
                    list_del(&b->list);
                    free(b);
                    merged = true;
                    break;
                }
            }
            if (merged)
                break;
        }
    }
}

static void remove_locks(bool (*match)(const struct file_lock *, const void *, const void *),
                         const void *a, const void *b)
{
    struct file_lock *l, *n;
    bool any = false;
    list_for_each_entry_safe(l, n, &all_locks, list)
    {
        if (match(l, a, b)) {
            list_del(&l->list);
            free(l);
            any = true;
        }
    }
    if (any)
        wake_up(&lock_wait);
}

static bool posix_of(const struct file_lock *l, const void *inode, const void *owner)
{
    return l->kind == FL_POSIX && l->inode == inode && l->owner == owner;
}

static bool of_file(const struct file_lock *l, const void *file, const void *unused)
{
    (void)unused;
    return l->kind != FL_POSIX && l->owner == file;
}

static void forget_waiter(const void *owner)
{
    struct lock_waiter *w, *n;
    list_for_each_entry_safe(w, n, &waiters, list) if (w->owner == owner)
    {
        list_del(&w->list);
        free(w);
    }
}

void locks_remove_posix(struct file *f, struct files_struct *files)
{
    if (!list_empty(&all_locks))
        remove_locks(posix_of, lock_inode(f), files);
}

void locks_remove_file(struct file *f)
{
    if (!list_empty(&all_locks))
        remove_locks(of_file, f, NULL);
}

void locks_forget_owner(struct files_struct *files)
{
    forget_waiter(files);
}

/* Would owner, by waiting for blocker, wait for itself (through other waiting owners)? */
static bool posix_deadlock(const void *owner, const void *blocker)
{
    for (int i = 0; i < MAX_DEADLK_STEPS; i++) {
        if (blocker == owner)
            return true;
        struct lock_waiter *w;
        const void *next = NULL;
        list_for_each_entry(w, &waiters, list) if (w->owner == blocker) next = w->blocker;
        if (!next)
            return false;
        blocker = next;
    }
    return false;
}

/*
 * Take req, or wait for it: -EAGAIN when the caller may not wait, EDEADLK
 * for a POSIX wait that would close a cycle, -ERESTARTSYS while asleep (the
 * call runs again when woken) or when a signal ends the wait.
 */
static long set_lock(struct task *t, const struct file_lock *req, bool wait)
{
    forget_waiter(req->owner);
    struct file_lock *c = req->type == F_UNLCK ? NULL : find_conflict(req);
    if (!c) {
        int err = apply_lock(req);
        if (!err) {
            coalesce(req);
            wake_up(&lock_wait); /* a downgrade or an unlock may let others in */
        }
        return err;
    }
    if (!wait)
        return -EAGAIN;
    if (signal_pending(t))
        return -ERESTARTSYS;
    if (req->kind == FL_POSIX && c->kind == FL_POSIX) {
        if (posix_deadlock(req->owner, c->owner))
            return -EDEADLK;
        struct lock_waiter *w = malloc(sizeof(*w));
        if (!w)
            return -ENOLCK;
        w->owner = req->owner;
        w->blocker = c->owner;
        list_add_tail(&w->list, &waiters);
    }
    return wait_on(&lock_wait);
}

/* struct flock's range, from l_whence, into [start, end]; -EINVAL if it makes none. */
static long flock_range(struct file *f, const struct kflock *fl, struct file_lock *req)
{
    int64_t base;
    if (vfs_whence_base(f, fl->l_whence, &base))
        return -EINVAL;
    if (__builtin_add_overflow(base, fl->l_start, &req->start))
        return -EOVERFLOW;
    if (fl->l_len > 0) {
        if (__builtin_add_overflow(req->start, fl->l_len - 1, &req->end))
            return -EOVERFLOW;
    } else if (fl->l_len < 0) {
        req->end = req->start - 1;
        req->start += fl->l_len;
    } else {
        req->end = OFFSET_MAX;
    }
    return req->start < 0 ? -EINVAL : 0;
}

static long get_lock(struct task *t, struct file_lock *req, struct kflock *fl, uint64_t uflock)
{
    struct file_lock *c = find_conflict(req);
    if (!c) {
        fl->l_type = F_UNLCK;
    } else {
        fl->l_type = c->type;
        fl->l_whence = SEEK_SET;
        fl->l_start = c->start;
        fl->l_len = c->end == OFFSET_MAX ? 0 : c->end - c->start + 1;
        fl->l_pid = c->pid;
    }
    return copy_to_user(t->mm, uflock, fl, sizeof(*fl)) ? -EFAULT : 0;
}

long fcntl_lock(struct task *t, struct file *f, int cmd, uint64_t uflock)
{
    struct kflock fl;
    if (copy_from_user(t->mm, &fl, uflock, sizeof(fl)))
        return -EFAULT;
    bool ofd = cmd == F_OFD_GETLK || cmd == F_OFD_SETLK || cmd == F_OFD_SETLKW;
    if (ofd && fl.l_pid != 0)
        return -EINVAL;
    if (fl.l_type != F_RDLCK && fl.l_type != F_WRLCK && fl.l_type != F_UNLCK)
        return -EINVAL;
    struct file_lock req = {.inode = lock_inode(f),
                            .owner = ofd ? (const void *)f : (const void *)t->files,
                            .pid = ofd ? -1 : t->tgid,
                            .kind = ofd ? FL_OFD : FL_POSIX,
                            .type = fl.l_type};
    long err = flock_range(f, &fl, &req);
    if (err)
        return err;
    if (cmd == F_GETLK || cmd == F_OFD_GETLK)
        return fl.l_type == F_UNLCK ? -EINVAL : get_lock(t, &req, &fl, uflock);
    unsigned int acc = f->f_flags & O_ACCMODE;
    if ((fl.l_type == F_RDLCK && acc == O_WRONLY) || (fl.l_type == F_WRLCK && acc == O_RDONLY) ||
        (f->f_flags & O_PATH))
        return -EBADF;
    return set_lock(t, &req, cmd == F_SETLKW || cmd == F_OFD_SETLKW);
}

/* flock(2): whole-file locks of the open file, a set of their own. */
static long sys_flock(struct task *t, const uint64_t a[6])
{
    struct file *f = fd_get(t, (int)a[0]);
    if (!f || (f->f_flags & O_PATH))
        return -EBADF;
    int op = (int)a[1] & ~LOCK_NB;
    short type = op == LOCK_SH ? F_RDLCK : op == LOCK_EX ? F_WRLCK : op == LOCK_UN ? F_UNLCK : -1;
    if (type < 0)
        return -EINVAL;
    struct file_lock req = {.inode = lock_inode(f),
                            .owner = f,
                            .pid = t->tgid,
                            .kind = FL_FLOCK,
                            .type = type,
                            .start = 0,
                            .end = OFFSET_MAX};
    long r = set_lock(t, &req, !((int)a[1] & LOCK_NB));
    return r == -EAGAIN ? -EWOULDBLOCK : r;
}

void sys_locks_register(syscall_fn table[NR_SYSCALLS])
{
    table[SYS_flock] = sys_flock;
    file_release_hook = locks_remove_file;
}
