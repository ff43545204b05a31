/*
 * Waiting for descriptors: poll, ppoll, select, pselect6, epoll and
 * eventfd.
 *
 * Readiness comes from each file's poll operation (pipes, eventfds, epoll
 * sets); regular files and host streams (the terminal, host pipes) always
 * count as ready, so a read of a host stream is what waits for it, and
 * runs stay deterministic. A call that must wait queues the task on every
 * file's wait queue and sleeps until one wakes it, its timeout passes, or
 * a signal comes; it then runs again from the start (sched.h), keeping its
 * deadline in current->restart.
 *
 * epoll sets are level-triggered; EPOLLET is taken as level-triggered too
 * (a program that reads until EAGAIN, as edge-triggered programs must,
 * sees the same), EPOLLONESHOT disables an entry once reported.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>

#include "emu/fs/fdtable.h"
#include "emu/kernel/sched.h"
#include "emu/kernel/signal.h"
#include "emu/kernel/task.h"
#include "mm/fs.h"
#include "mm/slab.h"
#include "mm/uaccess.h"

#define POLL_MAX_FDS NR_OPEN
#define EP_MAX_EVENTS (INT32_MAX / sizeof(struct epoll_event))
#define EPOLL_PACKED_SIZE 12 /* struct epoll_event is packed on x86-64: 4 + 8 bytes */

/* What a file is ready for; queue puts current on its wait queues too. */
static unsigned int file_poll(struct file *f, bool queue)
{
    if (f->f_op && f->f_op->poll)
        return f->f_op->poll(f, queue);
    return POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM;
}

/* ---- deadlines -------------------------------------------------------------------- */

/* The call's deadline, fixed on its first run: 0 none, 1 "do not wait". */
static void arm_deadline(struct task *t, bool has_timeout, uint64_t ns)
{
    if (t->restart.armed && t->restart.nr == t->syscall_nr)
        return;
    t->restart.armed = true;
    t->restart.nr = t->syscall_nr;
    t->restart.deadline = !has_timeout ? 0 : ns == 0 ? 1 : ktime_get_ns() + ns;
}

static bool timed_out(const struct task *t)
{
    return t->restart.deadline && t->restart.deadline <= ktime_get_ns();
}

/* The time left of the deadline, for select's timeval and the like. */
static uint64_t time_left(const struct task *t)
{
    uint64_t now = ktime_get_ns();
    return t->restart.deadline > now ? t->restart.deadline - now : 0;
}

/* ppoll, pselect6, epoll_pwait: the caller's mask for the call's length. */
static long set_call_sigmask(struct task *t, uint64_t umask, uint64_t size)
{
    if (!umask || t->restore_sigmask)
        return 0;
    sigset64_t mask;
    if (size != sizeof(mask))
        return -EINVAL;
    if (copy_from_user(t->mm, &mask, umask, sizeof(mask)))
        return -EFAULT;
    t->saved_sigmask = t->blocked;
    t->restore_sigmask = true;
    t->blocked = mask & ~(sig_bit(SIGKILL) | sig_bit(SIGSTOP));
    return 0;
}

/* ---- poll ------------------------------------------------------------------------- */

static unsigned int poll_one(struct task *t, struct pollfd *p, bool queue)
{
    if (p->fd < 0)
        return 0;
    struct file *f = fd_get(t, p->fd);
    if (!f)
        return POLLNVAL;
    return file_poll(f, queue) & ((unsigned int)p->events | POLLERR | POLLHUP);
}

static long do_poll(struct task *t, uint64_t ufds, uint64_t nfds, long intr)
{
    if (nfds > POLL_MAX_FDS || nfds > t->signal->rlim[RLIMIT_NOFILE].rlim_cur)
        return -EINVAL;
    struct pollfd *fds = nfds ? calloc(nfds, sizeof(*fds)) : NULL;
    if (nfds && !fds)
        return -ENOMEM;
    long r = 0;
    if (copy_from_user(t->mm, fds, ufds, nfds * sizeof(*fds))) {
        r = -EFAULT;
        goto out;
    }
    for (uint64_t i = 0; i < nfds; i++) {
        fds[i].revents = (short)poll_one(t, &fds[i], false);
        r += fds[i].revents != 0;
    }
    if (r || t->restart.deadline == 1 || timed_out(t)) {
        for (uint64_t i = 0; i < nfds; i++)
            if (copy_to_user(t->mm, ufds + i * sizeof(*fds) + offsetof(struct pollfd, revents),
                             &fds[i].revents, sizeof(fds[i].revents))) {
                r = -EFAULT;
                break;
            }
        goto out;
    }
    if (signal_pending(t)) {
        r = intr;
        goto out;
    }
    for (uint64_t i = 0; i < nfds; i++)
        poll_one(t, &fds[i], true);
    r = sleep_on(t->restart.deadline);
out:
    free(fds);
    return r;
}

static long sys_poll(struct task *t, const uint64_t a[6])
{
    int ms = (int)a[2];
    arm_deadline(t, ms >= 0, ms >= 0 ? (uint64_t)ms * 1000000ULL : 0);
    return do_poll(t, a[0], a[1], -ERESTART_RESTARTBLOCK);
}

static long get_timespec_ns(struct task *t, uint64_t uts, uint64_t *ns)
{
    struct timespec ts;
    if (copy_from_user(t->mm, &ts, uts, sizeof(ts)))
        return -EFAULT;
    if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000L)
        return -EINVAL;
    *ns = (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
    return 0;
}

static long sys_ppoll(struct task *t, const uint64_t a[6])
{
    uint64_t ns = 0;
    bool first = !(t->restart.armed && t->restart.nr == t->syscall_nr);
    if (first && a[2]) {
        long e = get_timespec_ns(t, a[2], &ns);
        if (e)
            return e;
    }
    long e = set_call_sigmask(t, a[3], a[4]);
    if (e)
        return e;
    arm_deadline(t, a[2] != 0, ns);
    return do_poll(t, a[0], a[1], -ERESTARTNOHAND);
}

/* ---- select ----------------------------------------------------------------------- */

#define SEL_IN (POLLIN | POLLRDNORM | POLLHUP | POLLERR)
#define SEL_OUT (POLLOUT | POLLWRNORM | POLLERR)
#define SEL_EX (POLLPRI)

struct fdsets {
    uint64_t in[NR_OPEN / 64], out[NR_OPEN / 64], ex[NR_OPEN / 64];
};

static bool bit(const uint64_t *set, int fd)
{
    return (set[fd / 64] >> (fd % 64)) & 1;
}

/* One pass: result bits in res, the count of set bits returned, or -EBADF. */
static long select_pass(struct task *t, int n, const struct fdsets *want, struct fdsets *res,
                        bool queue)
{
    long count = 0;
    memset(res, 0, sizeof(*res));
    for (int fd = 0; fd < n; fd++) {
        bool in = bit(want->in, fd), out = bit(want->out, fd), ex = bit(want->ex, fd);
        if (!in && !out && !ex)
            continue;
        struct file *f = fd_get(t, fd);
        if (!f)
            return -EBADF;
        unsigned int m = file_poll(f, queue);
        uint64_t b = 1ULL << (fd % 64);
        if (in && (m & SEL_IN))
            res->in[fd / 64] |= b, count++;
        if (out && (m & SEL_OUT))
            res->out[fd / 64] |= b, count++;
        if (ex && (m & SEL_EX))
            res->ex[fd / 64] |= b, count++;
    }
    return count;
}

static long copy_sets_out(struct task *t, const uint64_t ufd[3], int n, const struct fdsets *res)
{
    size_t bytes = ((size_t)n + 63) / 64 * 8;
    const uint64_t *sets[3] = {res->in, res->out, res->ex};
    for (int i = 0; i < 3; i++)
        if (ufd[i] && copy_to_user(t->mm, ufd[i], sets[i], bytes))
            return -EFAULT;
    return 0;
}

static long do_select(struct task *t, int n, const uint64_t ufd[3], long intr)
{
    if (n < 0)
        return -EINVAL;
    if (n > NR_OPEN)
        n = NR_OPEN;
    struct fdsets *want = calloc(2, sizeof(struct fdsets));
    if (!want)
        return -ENOMEM;
    struct fdsets *res = want + 1;
    size_t bytes = ((size_t)n + 63) / 64 * 8;
    uint64_t *sets[3] = {want->in, want->out, want->ex};
    long r = 0;
    for (int i = 0; i < 3 && !r; i++)
        if (ufd[i] && copy_from_user(t->mm, sets[i], ufd[i], bytes))
            r = -EFAULT;
    if (!r)
        r = select_pass(t, n, want, res, false);
    if (r < 0)
        goto out;
    if (r || t->restart.deadline == 1 || timed_out(t)) {
        long e = copy_sets_out(t, ufd, n, res);
        r = e ? e : r;
        goto out;
    }
    if (signal_pending(t)) {
        r = intr;
        goto out;
    }
    select_pass(t, n, want, res, true);
    r = sleep_on(t->restart.deadline);
out:
    free(want);
    return r;
}

static long sys_select(struct task *t, const uint64_t a[6])
{
    bool first = !(t->restart.armed && t->restart.nr == t->syscall_nr);
    struct timeval tv;
    if (first && a[4]) {
        if (copy_from_user(t->mm, &tv, a[4], sizeof(tv)))
            return -EFAULT;
        if (tv.tv_sec < 0 || tv.tv_usec < 0)
            return -EINVAL;
    }
    arm_deadline(t, a[4] != 0,
                 a[4] && first ? (uint64_t)tv.tv_sec * 1000000000ULL +
                                     (uint64_t)(tv.tv_usec % 1000000) * 1000ULL
                               : 0);
    uint64_t ufd[3] = {a[1], a[2], a[3]};
    long r = do_select(t, (int)a[0], ufd, -ERESTARTNOHAND);
    /* Linux writes back the time that was left. */
    if (a[4] && !t->in_wait && r != -EFAULT) {
        uint64_t left = time_left(t);
        struct timeval rem = {(time_t)(left / 1000000000ULL),
                              (suseconds_t)(left % 1000000000ULL / 1000)};
        copy_to_user(t->mm, a[4], &rem, sizeof(rem));
    }
    return r;
}

static long sys_pselect6(struct task *t, const uint64_t a[6])
{
    bool first = !(t->restart.armed && t->restart.nr == t->syscall_nr);
    uint64_t ns = 0;
    if (first && a[4]) {
        long e = get_timespec_ns(t, a[4], &ns);
        if (e)
            return e;
    }
    if (a[5]) {
        uint64_t sig[2];
        if (copy_from_user(t->mm, sig, a[5], sizeof(sig)))
            return -EFAULT;
        long e = set_call_sigmask(t, sig[0], sig[1]);
        if (e)
            return e;
    }
    arm_deadline(t, a[4] != 0, ns);
    uint64_t ufd[3] = {a[1], a[2], a[3]};
    return do_select(t, (int)a[0], ufd, -ERESTARTNOHAND);
}

/* ---- epoll ------------------------------------------------------------------------ */

struct epitem {
    struct list_head link;
    int fd;
    struct file *file; /* not a reference: checked against the table at each wait */
    uint32_t events;
    uint64_t data;
    bool disabled; /* EPOLLONESHOT, reported */
};

struct eventpoll {
    struct list_head items;
    int nitems;
};

static void epitem_free(struct epitem *e)
{
    list_del(&e->link);
    free(e);
}

static unsigned int ep_ready(struct task *t, struct eventpoll *ep, bool queue)
{
    unsigned int n = 0;
    struct epitem *e, *next;
    list_for_each_entry_safe(e, next, &ep->items, link)
    {
        if (fd_get(t, e->fd) != e->file) {
            epitem_free(e); /* closed: gone from the set, as Linux drops it */
            ep->nitems--;
            continue;
        }
        if (!e->disabled && (file_poll(e->file, queue) & (e->events | POLLERR | POLLHUP)))
            n++;
    }
    return n;
}

static unsigned int ep_poll_file(struct file *f, bool queue)
{
    return ep_ready(current, f->private_data, queue) ? POLLIN | POLLRDNORM : 0;
}

static void ep_release(struct file *f)
{
    struct eventpoll *ep = f->private_data;
    while (!list_empty(&ep->items))
        epitem_free(list_first_entry(&ep->items, struct epitem, link));
    free(ep);
}

static const struct file_operations eventpoll_fops = {.poll = ep_poll_file, .release = ep_release};

static long do_epoll_create(struct task *t, int flags)
{
    if (flags & ~EPOLL_CLOEXEC)
        return -EINVAL;
    struct eventpoll *ep = calloc(1, sizeof(*ep));
    if (!ep)
        return -ENOMEM;
    INIT_LIST_HEAD(&ep->items);
    int err = 0;
    struct file *f =
        alloc_file_pseudo("anon_inode:[eventpoll]", O_RDWR, 0600, &eventpoll_fops, ep, &err);
    if (!f) {
        free(ep);
        return err;
    }
    int fd = fd_install(t, f, 0, flags & EPOLL_CLOEXEC);
    if (fd < 0)
        fput(f);
    return fd;
}

static long sys_epoll_create(struct task *t, const uint64_t a[6])
{
    return (int)a[0] <= 0 ? -EINVAL : do_epoll_create(t, 0);
}

static long sys_epoll_create1(struct task *t, const uint64_t a[6])
{
    return do_epoll_create(t, (int)a[0]);
}

static struct eventpoll *epoll_of(struct task *t, int epfd, long *err)
{
    struct file *f = fd_get(t, epfd);
    if (!f) {
        *err = -EBADF;
        return NULL;
    }
    if (f->f_op != &eventpoll_fops) {
        *err = -EINVAL;
        return NULL;
    }
    return f->private_data;
}

static long sys_epoll_ctl(struct task *t, const uint64_t a[6])
{
    long err = 0;
    struct eventpoll *ep = epoll_of(t, (int)a[0], &err);
    if (!ep)
        return err;
    int op = (int)a[1], fd = (int)a[2];
    struct file *f = fd_get(t, fd);
    if (!f)
        return -EBADF;
    if (f->private_data == ep)
        return -EINVAL;
    if (S_ISREG(f->f_mode) || S_ISDIR(f->f_mode))
        return -EPERM; /* regular files cannot be waited for */
    struct {
        uint32_t events;
        uint64_t data;
    } __attribute__((packed)) ev = {0, 0};
    if (op != EPOLL_CTL_DEL && copy_from_user(t->mm, &ev, a[3], EPOLL_PACKED_SIZE))
        return -EFAULT;
    struct epitem *e, *found = NULL;
    list_for_each_entry(e, &ep->items, link) if (e->fd == fd && e->file == f) found = e;
    switch (op) {
    case EPOLL_CTL_ADD:
        if (found)
            return -EEXIST;
        if (!(found = calloc(1, sizeof(*found))))
            return -ENOMEM;
        found->fd = fd;
        found->file = f;
        list_add_tail(&found->link, &ep->items);
        ep->nitems++;
        break;
    case EPOLL_CTL_MOD:
        if (!found)
            return -ENOENT;
        break;
    case EPOLL_CTL_DEL:
        if (!found)
            return -ENOENT;
        epitem_free(found);
        ep->nitems--;
        return 0;
    default:
        return -EINVAL;
    }
    found->events = ev.events | EPOLLERR | EPOLLHUP;
    found->data = ev.data;
    found->disabled = false;
    return 0;
}

static long ep_collect(struct task *t, struct eventpoll *ep, uint64_t uev, int max)
{
    int n = 0;
    struct epitem *e;
    list_for_each_entry(e, &ep->items, link)
    {
        if (n >= max)
            break;
        if (e->disabled)
            continue;
        unsigned int m = file_poll(e->file, false) & e->events;
        if (!m)
            continue;
        struct {
            uint32_t events;
            uint64_t data;
        } __attribute__((packed)) ev = {m, e->data};
        if (copy_to_user(t->mm, uev + (uint64_t)n * EPOLL_PACKED_SIZE, &ev, EPOLL_PACKED_SIZE))
            return n ? n : -EFAULT;
        if (e->events & EPOLLONESHOT)
            e->disabled = true;
        n++;
    }
    return n;
}

static long do_epoll_wait(struct task *t, int epfd, uint64_t uev, int max)
{
    long err = 0;
    struct eventpoll *ep = epoll_of(t, epfd, &err);
    if (!ep)
        return err;
    if (max <= 0 || (uint64_t)max > EP_MAX_EVENTS)
        return -EINVAL;
    if (ep_ready(t, ep, false))
        return ep_collect(t, ep, uev, max);
    if (t->restart.deadline == 1 || timed_out(t))
        return 0;
    if (signal_pending(t))
        return -EINTR;
    ep_ready(t, ep, true);
    return sleep_on(t->restart.deadline);
}

static long sys_epoll_wait(struct task *t, const uint64_t a[6])
{
    int ms = (int)a[3];
    arm_deadline(t, ms >= 0, ms >= 0 ? (uint64_t)ms * 1000000ULL : 0);
    return do_epoll_wait(t, (int)a[0], a[1], (int)a[2]);
}

static long sys_epoll_pwait(struct task *t, const uint64_t a[6])
{
    long e = set_call_sigmask(t, a[4], a[5]);
    if (e)
        return e;
    return sys_epoll_wait(t, a);
}

static long sys_epoll_pwait2(struct task *t, const uint64_t a[6])
{
    bool first = !(t->restart.armed && t->restart.nr == t->syscall_nr);
    uint64_t ns = 0;
    if (first && a[3]) {
        long e = get_timespec_ns(t, a[3], &ns);
        if (e)
            return e;
    }
    long e = set_call_sigmask(t, a[4], a[5]);
    if (e)
        return e;
    arm_deadline(t, a[3] != 0, ns);
    return do_epoll_wait(t, (int)a[0], a[1], (int)a[2]);
}

/* ---- eventfd ---------------------------------------------------------------------- */

#define EVENTFD_MAX 0xfffffffffffffffeULL

struct eventfd_ctx {
    uint64_t count;
    bool semaphore;
    struct wait_queue_head wq;
};

static long efd_read(struct file *f, uint64_t ubuf, size_t count)
{
    struct eventfd_ctx *ctx = f->private_data;
    if (count < sizeof(uint64_t))
        return -EINVAL;
    if (ctx->count == 0) {
        if (f->f_flags & O_NONBLOCK)
            return -EAGAIN;
        if (signal_pending(current))
            return -ERESTARTSYS;
        return wait_on(&ctx->wq);
    }
    uint64_t v = ctx->semaphore ? 1 : ctx->count;
    if (copy_to_user(current->mm, ubuf, &v, sizeof(v)))
        return -EFAULT;
    ctx->count -= v;
    wake_up(&ctx->wq);
    return sizeof(v);
}

static long efd_write(struct file *f, uint64_t ubuf, size_t count)
{
    struct eventfd_ctx *ctx = f->private_data;
    uint64_t v;
    if (count < sizeof(v))
        return -EINVAL;
    if (copy_from_user(current->mm, &v, ubuf, sizeof(v)))
        return -EFAULT;
    if (v == UINT64_MAX)
        return -EINVAL;
    if (EVENTFD_MAX - ctx->count < v) {
        if (f->f_flags & O_NONBLOCK)
            return -EAGAIN;
        if (signal_pending(current))
            return -ERESTARTSYS;
        return wait_on(&ctx->wq);
    }
    ctx->count += v;
    if (v)
        wake_up(&ctx->wq);
    return sizeof(v);
}

static unsigned int efd_poll(struct file *f, bool queue)
{
    struct eventfd_ctx *ctx = f->private_data;
    if (queue)
        prepare_to_sleep(&ctx->wq);
    unsigned int m = 0;
    if (ctx->count)
        m |= POLLIN | POLLRDNORM;
    if (ctx->count < EVENTFD_MAX)
        m |= POLLOUT | POLLWRNORM;
    return m;
}

static void efd_release(struct file *f)
{
    free(f->private_data);
}

static const struct file_operations eventfd_fops = {
    .read_user = efd_read,
    .write_user = efd_write,
    .poll = efd_poll,
    .release = efd_release,
};

static long do_eventfd(struct task *t, unsigned int initval, int flags)
{
    if (flags & ~(EFD_CLOEXEC | EFD_NONBLOCK | EFD_SEMAPHORE))
        return -EINVAL;
    struct eventfd_ctx *ctx = calloc(1, sizeof(*ctx));
    if (!ctx)
        return -ENOMEM;
    ctx->count = initval;
    ctx->semaphore = flags & EFD_SEMAPHORE;
    init_waitqueue_head(&ctx->wq);
    int err = 0;
    struct file *f = alloc_file_pseudo("anon_inode:[eventfd]", O_RDWR | (flags & EFD_NONBLOCK),
                                       0600, &eventfd_fops, ctx, &err);
    if (!f) {
        free(ctx);
        return err;
    }
    int fd = fd_install(t, f, 0, flags & EFD_CLOEXEC);
    if (fd < 0)
        fput(f);
    return fd;
}

static long sys_eventfd(struct task *t, const uint64_t a[6])
{
    return do_eventfd(t, (unsigned int)a[0], 0);
}

static long sys_eventfd2(struct task *t, const uint64_t a[6])
{
    return do_eventfd(t, (unsigned int)a[0], (int)a[1]);
}

void sys_poll_register(syscall_fn table[NR_SYSCALLS])
{
    table[SYS_poll] = sys_poll;
    table[SYS_ppoll] = sys_ppoll;
    table[SYS_select] = sys_select;
    table[SYS_pselect6] = sys_pselect6;
    table[SYS_epoll_create] = sys_epoll_create;
    table[SYS_epoll_create1] = sys_epoll_create1;
    table[SYS_epoll_ctl] = sys_epoll_ctl;
    table[SYS_epoll_wait] = sys_epoll_wait;
    table[SYS_epoll_pwait] = sys_epoll_pwait;
    table[SYS_epoll_pwait2] = sys_epoll_pwait2;
    table[SYS_eventfd] = sys_eventfd;
    table[SYS_eventfd2] = sys_eventfd2;
}
