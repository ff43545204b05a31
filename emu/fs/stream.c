/* Reads and writes of pseudo files: see stream.h. */
#include <errno.h>
#include <poll.h>

#include "emu/fs/stream.h"
#include "emu/kernel/sched.h"
#include "emu/kernel/signal.h"
#include "emu/kernel/task.h"

static long stream_read(struct file *f, const struct user_iovec *iov, unsigned int cnt)
{
    long done = 0;
    for (unsigned int i = 0; i < cnt; i++) {
        if (iov[i].len == 0)
            continue;
        /* Past the first bytes, take only what is there: never sleep for more. */
        if (done && !(f->f_op->poll(f, false) & POLLIN))
            break;
        long r = f->f_op->read_user(f, iov[i].base, iov[i].len);
        if (r < 0)
            return done ? done : r;
        done += r;
        if ((size_t)r < iov[i].len)
            break;
    }
    return done;
}

static long stream_write(struct task *t, struct file *f, const struct user_iovec *iov,
                         unsigned int cnt)
{
    bool again = t->restart.armed && t->restart.nr == t->syscall_nr;
    size_t skip = again ? (size_t)t->restart.done : 0, done = skip;
    for (unsigned int i = 0; i < cnt; i++) {
        size_t off = 0;
        if (skip >= iov[i].len) {
            skip -= iov[i].len;
            continue;
        }
        off = skip;
        skip = 0;
        while (off < iov[i].len) {
            long r = f->f_op->write_user(f, iov[i].base + off, iov[i].len - off);
            if (r > 0) {
                off += (size_t)r;
                done += (size_t)r;
                continue;
            }
            if (r == -ERESTARTSYS && t->in_wait) {
                /* Asleep for room: the bytes written so far are kept for the next run. */
                t->restart.armed = true;
                t->restart.nr = t->syscall_nr;
                t->restart.done = done;
                return r;
            }
            return done ? (long)done : (r ? r : -EIO);
        }
    }
    return (long)done;
}

long stream_rw(struct task *t, struct file *f, const struct user_iovec *iov, unsigned int cnt,
               bool writing)
{
    if (writing)
        return f->f_op->write_user ? stream_write(t, f, iov, cnt) : -EINVAL;
    return f->f_op->read_user ? stream_read(f, iov, cnt) : -EINVAL;
}
