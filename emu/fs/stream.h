/*
 * Reading and writing files that have no host file behind them (pipes,
 * eventfd, ...) through their file_operations, for read, write, readv,
 * writev, with the sleeping rules of sched.h.
 *
 * A read takes what is there, sleeping only when nothing is. A blocking
 * write goes on until everything is written, sleeping as often as it must:
 * the bytes already written are kept in current->restart.done so that the
 * call, run again after each sleep, goes on where it stopped.
 */
#ifndef VMEMU_EMU_STREAM_H
#define VMEMU_EMU_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mm/fs.h"

struct task;

struct user_iovec {
    uint64_t base;
    size_t len;
};

/* A file whose reads and writes go through its file_operations. */
static inline bool is_pseudo_file(const struct file *f)
{
    return f->f_host_fd < 0 && f->f_op && (f->f_op->read_user || f->f_op->write_user);
}

/* The call's result: bytes moved, or -errno (-ERESTARTSYS when it sleeps or is interrupted). */
long stream_rw(struct task *t, struct file *f, const struct user_iovec *iov, unsigned int cnt,
               bool writing);

#endif
