/*
 * Pipes: a byte ring of Linux's 64 KiB (16 pages, F_SETPIPE_SZ changes it)
 * between the descriptors pipe(2) returns, with its pages taken from the
 * buddy allocator as data arrives and given back when the pipe empties.
 *
 * Rules, as Linux's fs/pipe.c keeps them: a read takes what is there and
 * sleeps only on an empty pipe that still has writers (no writers: 0, end
 * of file); a write of at most PIPE_BUF bytes goes in whole or not at all;
 * a write with no reader left gets SIGPIPE and EPIPE; O_NONBLOCK turns
 * every sleep into EAGAIN.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "emu/fs/fdtable.h"
#include "emu/fs/pipe.h"
#include "emu/kernel/sched.h"
#include "emu/kernel/signal.h"
#include "emu/kernel/task.h"
#include "mm/fs.h"
#include "mm/page.h"
#include "mm/slab.h"
#include "mm/uaccess.h"

#define PIPE_DEF_PAGES 16
#define PIPE_MAX_PAGES 256 /* /proc/sys/fs/pipe-max-size: 1 MiB */

struct pipe_inode_info {
    uint64_t head, tail;  /* bytes ever written and read: the data is [tail, head) */
    unsigned int npages;  /* capacity in pages (a power of two) */
    int readers, writers; /* open ends */
    struct wait_queue_head rd_wait, wr_wait;
    struct page *pages[PIPE_MAX_PAGES];
};

static size_t pipe_size(const struct pipe_inode_info *p)
{
    return (size_t)p->npages << PAGE_SHIFT;
}

static size_t pipe_len(const struct pipe_inode_info *p)
{
    return (size_t)(p->head - p->tail);
}

/* Empty: the pages go back, as Linux frees a drained pipe's buffers. */
static void pipe_trim(struct pipe_inode_info *p)
{
    if (p->head != p->tail)
        return;
    for (unsigned int i = 0; i < p->npages; i++) {
        if (p->pages[i]) {
            __free_page(p->pages[i]);
            p->pages[i] = NULL;
        }
    }
    p->head = p->tail = 0;
}

static unsigned char *byte_at(struct pipe_inode_info *p, uint64_t pos, bool alloc)
{
    size_t off = (size_t)(pos % pipe_size(p));
    struct page **pg = &p->pages[off >> PAGE_SHIFT];
    if (!*pg && (!alloc || !(*pg = alloc_page(GFP_KERNEL))))
        return NULL;
    return (unsigned char *)page_address(*pg) + (off & (PAGE_SIZE - 1));
}

/* Copy up to n bytes between the ring at pos and the user; bytes moved or -errno. */
static long ring_copy(struct pipe_inode_info *p, uint64_t pos, uint64_t ubuf, size_t n,
                      bool to_user)
{
    size_t done = 0;
    while (done < n) {
        size_t in_page = PAGE_SIZE - (size_t)((pos + done) % PAGE_SIZE);
        size_t len = n - done < in_page ? n - done : in_page;
        unsigned char *b = byte_at(p, pos + done, !to_user);
        if (!b)
            return done ? (long)done : -ENOMEM;
        size_t left = to_user ? copy_to_user(current->mm, ubuf + done, b, len)
                              : copy_from_user(current->mm, b, ubuf + done, len);
        done += len - left;
        if (left)
            return done ? (long)done : -EFAULT;
    }
    return (long)done;
}

static long pipe_read(struct file *f, uint64_t ubuf, size_t count)
{
    struct pipe_inode_info *p = f->private_data;
    if (count == 0)
        return 0;
    if (pipe_len(p) == 0) {
        if (!p->writers)
            return 0;
        if (f->f_flags & O_NONBLOCK)
            return -EAGAIN;
        if (signal_pending(current))
            return -ERESTARTSYS;
        return wait_on(&p->rd_wait);
    }
    size_t n = pipe_len(p) < count ? pipe_len(p) : count;
    long r = ring_copy(p, p->tail, ubuf, n, true);
    if (r > 0) {
        p->tail += (uint64_t)r;
        pipe_trim(p);
        wake_up(&p->wr_wait);
    }
    return r;
}

static long pipe_write(struct file *f, uint64_t ubuf, size_t count)
{
    struct pipe_inode_info *p = f->private_data;
    if (!p->readers) {
        send_signal(current, SIGPIPE, NULL, false);
        return -EPIPE;
    }
    if (count == 0)
        return 0;
    size_t room = pipe_size(p) - pipe_len(p);
    /* Up to PIPE_BUF bytes go in whole or wait; more may be split. */
    if (room == 0 || (count <= PIPE_BUF && room < count)) {
        if (f->f_flags & O_NONBLOCK)
            return -EAGAIN;
        if (signal_pending(current))
            return -ERESTARTSYS;
        return wait_on(&p->wr_wait);
    }
    size_t n = count < room ? count : room;
    long r = ring_copy(p, p->head, ubuf, n, false);
    if (r > 0) {
        p->head += (uint64_t)r;
        wake_up(&p->rd_wait);
    }
    return r;
}

static unsigned int pipe_poll(struct file *f, bool queue)
{
    struct pipe_inode_info *p = f->private_data;
    unsigned int mask = 0;
    bool reading = (f->f_flags & O_ACCMODE) == O_RDONLY;
    if (reading) {
        if (queue)
            prepare_to_sleep(&p->rd_wait);
        if (pipe_len(p))
            mask |= POLLIN | POLLRDNORM;
        if (!p->writers)
            mask |= POLLHUP;
    } else {
        if (queue)
            prepare_to_sleep(&p->wr_wait);
        if (pipe_size(p) - pipe_len(p) >= PIPE_BUF || pipe_len(p) == 0)
            mask |= POLLOUT | POLLWRNORM;
        if (!p->readers)
            mask |= POLLERR;
    }
    return mask;
}

static long pipe_ioctl(struct file *f, unsigned int cmd, uint64_t arg)
{
    struct pipe_inode_info *p = f->private_data;
    if (cmd != FIONREAD)
        return -ENOTTY;
    int n = (int)pipe_len(p);
    return copy_to_user(current->mm, arg, &n, sizeof(n)) ? -EFAULT : 0;
}

static void pipe_release(struct file *f)
{
    struct pipe_inode_info *p = f->private_data;
    if ((f->f_flags & O_ACCMODE) == O_RDONLY)
        p->readers--;
    else
        p->writers--;
    wake_up(&p->rd_wait);
    wake_up(&p->wr_wait);
    if (p->readers || p->writers)
        return;
    p->tail = p->head;
    pipe_trim(p);
    kfree(p);
}

static const struct file_operations pipe_fops = {
    .read_user = pipe_read,
    .write_user = pipe_write,
    .poll = pipe_poll,
    .ioctl = pipe_ioctl,
    .release = pipe_release,
};

bool is_pipe(const struct file *f)
{
    return f->f_op == &pipe_fops;
}

long pipe_fcntl(struct file *f, int cmd, unsigned long arg)
{
    if (!is_pipe(f))
        return -EBADF;
    struct pipe_inode_info *p = f->private_data;
    if (cmd == F_GETPIPE_SZ)
        return (long)pipe_size(p);
    if (arg > PIPE_MAX_PAGES * PAGE_SIZE)
        return -EPERM;
    unsigned int pages = 1;
    while (((unsigned long)pages << PAGE_SHIFT) < arg)
        pages <<= 1;
    if (((size_t)pages << PAGE_SHIFT) < pipe_len(p))
        return -EBUSY;
    /* Re-lay the data for the new ring size: copy it out, then back in order. */
    unsigned char tmp[PAGE_SIZE];
    uint64_t len = pipe_len(p), moved = 0;
    struct page *keep[PIPE_MAX_PAGES];
    memset(keep, 0, sizeof(keep));
    for (unsigned int i = 0; i < p->npages; i++)
        keep[i] = p->pages[i];
    unsigned int oldpages = p->npages;
    uint64_t oldtail = p->tail;
    memset(p->pages, 0, sizeof(p->pages));
    p->npages = pages;
    p->head = p->tail = 0;
    while (moved < len) {
        size_t off = (size_t)((oldtail + moved) % ((uint64_t)oldpages << PAGE_SHIFT));
        size_t n = PAGE_SIZE - (off & (PAGE_SIZE - 1));
        if (n > len - moved)
            n = (size_t)(len - moved);
        memcpy(tmp,
               (unsigned char *)page_address(keep[off >> PAGE_SHIFT]) + (off & (PAGE_SIZE - 1)), n);
        for (size_t k = 0; k < n; k++) {
            unsigned char *b = byte_at(p, p->head + k, true);
            if (b)
                *b = tmp[k];
        }
        p->head += n;
        moved += n;
    }
    for (unsigned int i = 0; i < oldpages; i++)
        if (keep[i])
            __free_page(keep[i]);
    return (long)pipe_size(p);
}

static long do_pipe2(struct task *t, uint64_t ufds, unsigned long flags)
{
    if (flags & ~(unsigned long)(O_CLOEXEC | O_NONBLOCK | O_DIRECT))
        return -EINVAL;
    struct pipe_inode_info *p = kzalloc(sizeof(*p), GFP_KERNEL);
    if (!p)
        return -ENFILE;
    p->npages = PIPE_DEF_PAGES;
    p->readers = p->writers = 1;
    init_waitqueue_head(&p->rd_wait);
    init_waitqueue_head(&p->wr_wait);
    int err = 0;
    int st = (int)(flags & O_NONBLOCK);
    struct file *r = alloc_file_pseudo("pipe:", O_RDONLY | st, S_IFIFO | 0600, &pipe_fops, p, &err);
    struct file *w =
        r ? alloc_file_pseudo("pipe:", O_WRONLY | st, S_IFIFO | 0600, &pipe_fops, p, &err) : NULL;
    if (w)
        w->f_ino = r->f_ino; /* both ends are one inode, as in pipefs */
    if (!r || !w) {
        if (r) {
            p->writers = 0; /* releasing the read end frees the pipe */
            fput(r);
        } else {
            kfree(p);
        }
        return -ENFILE;
    }
    bool cloexec = flags & O_CLOEXEC;
    int fds[2] = {fd_install(t, r, 0, cloexec), -1};
    if (fds[0] >= 0)
        fds[1] = fd_install(t, w, 0, cloexec);
    if (fds[1] < 0) {
        int e = fds[0] < 0 ? fds[0] : fds[1];
        if (fds[0] >= 0)
            fd_close(t, fds[0]);
        else
            fput(r);
        fput(w);
        return e;
    }
    if (copy_to_user(t->mm, ufds, fds, sizeof(fds))) {
        fd_close(t, fds[0]);
        fd_close(t, fds[1]);
        return -EFAULT;
    }
    return 0;
}

static long sys_pipe(struct task *t, const uint64_t a[6])
{
    return do_pipe2(t, a[0], 0);
}

static long sys_pipe2(struct task *t, const uint64_t a[6])
{
    return do_pipe2(t, a[0], (unsigned long)a[1]);
}

void sys_pipe_register(syscall_fn table[NR_SYSCALLS])
{
    table[SYS_pipe] = sys_pipe;
    table[SYS_pipe2] = sys_pipe2;
}
