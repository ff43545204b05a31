/*
 * The file system calls on descriptors (the calls that take a path are in
 * sys_path.c). Regular files are read and written through vmemu's page
 * cache (so read(), write() and mappings see the same pages); written pages
 * reach the host file at writeback (fsync, sync, msync, the dirty
 * thresholds, exit). Terminals and pipes pass through. vmemu's own files
 * (/proc, /dev) do what their file_operations say.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "emu/fs/locks.h"
#include "emu/fs/procfs.h"
#include "emu/fs/stream.h"
#include "emu/kernel/signal.h"
#include "emu/fs/vfs.h"
#include "emu/hostsig.h"
#include "emu/kernel/syscall.h"
#include "mm/mman_new.h"
#include "emu/kernel/task.h"
#include "mm/fs.h"
#include "mm/pagemap.h"
#include "mm/uaccess.h"
#include "mm/writeback.h"

#define BOUNCE 65536

void sys_xattr_register(syscall_fn table[NR_SYSCALLS]);
void sys_path_register(syscall_fn table[NR_SYSCALLS]);

static bool is_regular(const struct file *f)
{
    return f->f_mapping && S_ISREG(f->f_mode);
}

/* Pipes, terminals and the like: straight to the host descriptor. */
static long write_stream(struct task *t, struct file *f, uint64_t ubuf, size_t count)
{
    static char buf[BOUNCE];
    size_t done = 0;
    while (done < count) {
        size_t n = count - done < BOUNCE ? count - done : BOUNCE;
        size_t left = copy_from_user(t->mm, buf, ubuf + done, n);
        n -= left;
        if (n == 0)
            return done ? (long)done : -EFAULT;
        ssize_t w = write(f->f_host_fd, buf, n);
        if (w < 0 && errno == EINTR && host_signal_interrupts(t))
            return done ? (long)done : -ERESTARTSYS; /* the signal decides: EINTR or again */
        if (w < 0 && errno == EINTR)
            continue; /* a signal to vmemu the guest ignores: write on */
        if (w < 0 && errno == EPIPE)
            send_signal(t, SIGPIPE, NULL, false); /* the reader is gone, as for a pipe */
        if (w < 0)
            return done ? (long)done : -errno;
        done += (size_t)w;
        if ((size_t)w < n || left)
            break;
    }
    return (long)done;
}

/* vmemu's own files (/proc, /dev): one bounce buffer's worth per call. */
static long write_special(struct task *t, struct file *f, uint64_t ubuf, size_t count,
                          uint64_t *pos)
{
    static char buf[BOUNCE];
    if (!f->f_op->write)
        return -EINVAL;
    size_t n = count < BOUNCE ? count : BOUNCE;
    if (copy_from_user(t->mm, buf, ubuf, n))
        return -EFAULT;
    return f->f_op->write(f, buf, n, pos);
}

static long read_special(struct task *t, struct file *f, uint64_t ubuf, size_t count, uint64_t *pos)
{
    static char buf[BOUNCE];
    if (!f->f_op->read)
        return -EINVAL;
    size_t n = count < BOUNCE ? count : BOUNCE;
    uint64_t at = *pos;
    long r = f->f_op->read(f, buf, n, &at);
    if (r <= 0)
        return r;
    if (copy_to_user(t->mm, ubuf, buf, (size_t)r))
        return -EFAULT;
    *pos = at;
    return r;
}

static long read_stream(struct task *t, struct file *f, uint64_t ubuf, size_t count)
{
    static char buf[BOUNCE];
    size_t n = count < BOUNCE ? count : BOUNCE;
    ssize_t r;
    while ((r = read(f->f_host_fd, buf, n)) < 0 && errno == EINTR && !host_signal_interrupts(t))
        ; /* a signal to vmemu the guest ignores: read on */
    if (r < 0)
        return errno == EINTR ? -ERESTARTSYS : -errno; /* the signal decides: EINTR or again */
    if (copy_to_user(t->mm, ubuf, buf, (size_t)r))
        return -EFAULT;
    return r;
}

static long do_read(struct task *t, struct file *f, uint64_t ubuf, size_t count, uint64_t *pos)
{
    if ((f->f_flags & O_ACCMODE) == O_WRONLY || (f->f_flags & O_PATH))
        return -EBADF;
    if (file_is_secretmem(f))
        return -EINVAL; /* no read method */
    if (is_pseudo_file(f)) {
        struct user_iovec iov = {ubuf, count};
        return stream_rw(t, f, &iov, 1, false);
    }
    if (S_ISDIR(f->f_mode))
        return -EISDIR;
    if (f->f_op)
        return read_special(t, f, ubuf, count, pos);
    if (!is_regular(f))
        return read_stream(t, f, ubuf, count);
    return filemap_read(f, t->mm, ubuf, count, pos);
}

/*
 * Writes to regular files go into the page cache; the host file gets them
 * at writeback. The size limits are checked first, as Linux does (a later
 * segment of a writev that finds the limit reached ends the call without
 * a signal: first says whether this is the call's first write).
 */
static long do_write_at(struct task *t, struct file *f, uint64_t ubuf, size_t count, uint64_t *pos,
                        bool first)
{
    if ((f->f_flags & O_ACCMODE) == O_RDONLY || (f->f_flags & O_PATH))
        return -EBADF;
    if (file_is_secretmem(f))
        return -EINVAL; /* no write method */
    if (is_pseudo_file(f)) {
        struct user_iovec iov = {ubuf, count};
        return stream_rw(t, f, &iov, 1, true);
    }
    if (f->f_op)
        return write_special(t, f, ubuf, count, pos);
    if (!is_regular(f))
        return write_stream(t, f, ubuf, count);
    if (f->f_flags & O_APPEND)
        *pos = f->f_mapping->i_size;
    int err = generic_write_checks(t, f, *pos, &count, first);
    if (err)
        return err;
    return filemap_write(f, t->mm, ubuf, count, pos);
}

static long do_write(struct task *t, struct file *f, uint64_t ubuf, size_t count, uint64_t *pos)
{
    return do_write_at(t, f, ubuf, count, pos, true);
}

/* An inherited descriptor's position is the host's: fetch it before, store it after. */
static void pos_load(struct file *f)
{
    off_t pos;
    if (f->f_pos_shared && is_regular(f) && (pos = lseek(f->f_host_fd, 0, SEEK_CUR)) >= 0)
        f->f_pos = (uint64_t)pos;
}

static void pos_store(struct file *f)
{
    if (f->f_pos_shared && is_regular(f))
        lseek(f->f_host_fd, (off_t)f->f_pos, SEEK_SET);
}

/* read(2) and write(2): at the file's position, which may be the host's. */
static long rw_at_pos(struct task *t, const uint64_t a[6], bool writing)
{
    struct file *f = fd_get(t, (int)a[0]);
    if (!f)
        return -EBADF;
    writeback_periodic();
    pos_load(f);
    long r = writing ? do_write(t, f, a[1], (size_t)a[2], &f->f_pos)
                     : do_read(t, f, a[1], (size_t)a[2], &f->f_pos);
    pos_store(f);
    return r;
}

static long sys_read(struct task *t, const uint64_t a[6])
{
    return rw_at_pos(t, a, false);
}

static long sys_write(struct task *t, const uint64_t a[6])
{
    return rw_at_pos(t, a, true);
}

/* pread64/pwrite64: at an offset, the file position untouched. */
/*
 * Linux's rw_verify_area: a transfer may neither start nor end past the
 * largest offset. (Linux lets /proc/PID/mem take the addresses above it;
 * they are the kernel's, and reading them fails either way.)
 */
static bool rw_area_ok(uint64_t pos, size_t count)
{
    return (int64_t)count >= 0 && (int64_t)pos >= 0 && (int64_t)(pos + count) >= 0;
}

static long do_pio(struct task *t, const uint64_t a[6], bool writing)
{
    struct file *f = fd_get(t, (int)a[0]);
    uint64_t pos = a[3];
    if (!f)
        return -EBADF;
    if ((!is_regular(f) && !(f->f_op && S_ISREG(f->f_mode))) || file_is_secretmem(f))
        return -ESPIPE;
    if (!rw_area_ok(pos, (size_t)a[2]))
        return -EINVAL;
    writeback_periodic();
    /* As in Linux, O_APPEND wins over the offset for pwrite. */
    return writing ? do_write(t, f, a[1], (size_t)a[2], &pos)
                   : do_read(t, f, a[1], (size_t)a[2], &pos);
}

static long sys_pread64(struct task *t, const uint64_t a[6])
{
    return do_pio(t, a, false);
}

static long sys_pwrite64(struct task *t, const uint64_t a[6])
{
    return do_pio(t, a, true);
}

/*
 * readv, writev, preadv, pwritev: one segment at a time, stopping at a
 * short transfer; at *pos, or at the file position when pos is NULL.
 */
/* readv/writev of a pipe or the like: the whole vector is one transfer. */
static long stream_iov(struct task *t, struct file *f, uint64_t uiov, uint64_t cnt, bool writing)
{
    if ((f->f_flags & O_ACCMODE) == (writing ? O_RDONLY : O_WRONLY))
        return -EBADF;
    struct user_iovec iov[1024];
    for (uint64_t i = 0; i < cnt; i++) {
        struct iovec v;
        if (copy_from_user(t->mm, &v, uiov + i * sizeof(v), sizeof(v)))
            return -EFAULT;
        iov[i].base = (uint64_t)(uintptr_t)v.iov_base;
        iov[i].len = v.iov_len;
    }
    return stream_rw(t, f, iov, (unsigned int)cnt, writing);
}

static long do_iov(struct task *t, struct file *f, uint64_t uiov, uint64_t cnt, uint64_t *pos,
                   bool writing)
{
    if (cnt > 1024)
        return -EINVAL;
    if (is_pseudo_file(f))
        return stream_iov(t, f, uiov, cnt, writing);
    long total = 0, err = 0;
    writeback_periodic();
    if (!pos)
        pos_load(f);
    uint64_t *where = pos ? pos : &f->f_pos;
    for (uint64_t i = 0; i < cnt; i++) {
        struct iovec iov;
        if (copy_from_user(t->mm, &iov, uiov + i * sizeof(iov), sizeof(iov))) {
            err = -EFAULT;
            break;
        }
        if (iov.iov_len == 0)
            continue;
        uint64_t base = (uint64_t)(uintptr_t)iov.iov_base;
        long r = writing ? do_write_at(t, f, base, iov.iov_len, where, total == 0)
                         : do_read(t, f, base, iov.iov_len, where);
        if (r < 0) {
            err = r;
            break;
        }
        total += r;
        if ((size_t)r < iov.iov_len)
            break;
    }
    if (!pos)
        pos_store(f);
    return total ? total : err;
}

static long sys_readv(struct task *t, const uint64_t a[6])
{
    struct file *f = fd_get(t, (int)a[0]);
    return f ? do_iov(t, f, a[1], a[2], NULL, false) : -EBADF;
}

static long sys_writev(struct task *t, const uint64_t a[6])
{
    struct file *f = fd_get(t, (int)a[0]);
    return f ? do_iov(t, f, a[1], a[2], NULL, true) : -EBADF;
}

/* preadv/pwritev: the offset comes split in two registers (low, high). */
static long do_piov(struct task *t, const uint64_t a[6], bool writing)
{
    struct file *f = fd_get(t, (int)a[0]);
    uint64_t pos = a[3] | (a[4] << 32 << 32); /* x86-64 passes it whole in the low half */
    if (!f)
        return -EBADF;
    if ((!is_regular(f) && !(f->f_op && S_ISREG(f->f_mode))) || file_is_secretmem(f))
        return -ESPIPE;
    if ((int64_t)pos < 0)
        return -EINVAL;
    return do_iov(t, f, a[1], a[2], &pos, writing);
}

static long sys_preadv(struct task *t, const uint64_t a[6])
{
    return do_piov(t, a, false);
}

static long sys_pwritev(struct task *t, const uint64_t a[6])
{
    return do_piov(t, a, true);
}

/* Linux's MAX_RW_COUNT: one call moves at most 2 GiB less a page. */
#define MAX_RW_COUNT 0x7ffff000UL

/* Write what sendfile read to its destination; bytes taken or -errno. */
static long sendfile_out(struct task *t, struct file *out, const char *buf, size_t n, bool first)
{
    if (!is_regular(out)) {
        ssize_t w = write(out->f_host_fd, buf, n);
        return w < 0 ? -errno : (long)w;
    }
    pos_load(out);
    int err = generic_write_checks(t, out, out->f_pos, &n, first);
    long w = err ? err : kernel_write(out, buf, n, &out->f_pos);
    pos_store(out);
    return w;
}

/* sendfile(2) from a regular file through the page cache to any writable file. */
static long sys_sendfile(struct task *t, const uint64_t a[6])
{
    static char buf[BOUNCE];
    struct file *out = fd_get(t, (int)a[0]), *in = fd_get(t, (int)a[1]);
    if (!out || !in || (in->f_flags & O_ACCMODE) == O_WRONLY ||
        (out->f_flags & O_ACCMODE) == O_RDONLY)
        return -EBADF;
    if (!is_regular(in) || (out->f_flags & O_APPEND) || out->f_op)
        return -EINVAL;
    uint64_t pos = in->f_pos;
    if (a[2] && copy_from_user(t->mm, &pos, a[2], sizeof(pos)))
        return -EFAULT;
    if ((int64_t)pos < 0)
        return -EINVAL;
    writeback_periodic();
    size_t count = a[3] < MAX_RW_COUNT ? (size_t)a[3] : MAX_RW_COUNT, done = 0;
    long err = 0;
    while (done < count) {
        size_t n = count - done < BOUNCE ? count - done : BOUNCE;
        uint64_t at = pos;
        long r = kernel_read(in, buf, n, &at);
        if (r <= 0) {
            err = r;
            break;
        }
        long w = sendfile_out(t, out, buf, (size_t)r, done == 0);
        if (w <= 0) {
            err = w;
            break;
        }
        pos += (uint64_t)w;
        done += (size_t)w;
        if (w < r)
            break;
    }
    if (a[2] ? copy_to_user(t->mm, a[2], &pos, sizeof(pos)) != 0 : (in->f_pos = pos, false))
        return -EFAULT;
    return done ? (long)done : err;
}

/* copy_file_range's offsets: the user's (and written back) when given, else the files'. */
static long get_offset(struct task *t, uint64_t uoff, uint64_t *pos, const struct file *f)
{
    *pos = f->f_pos;
    if (uoff && copy_from_user(t->mm, pos, uoff, sizeof(*pos)))
        return -EFAULT;
    return (int64_t)*pos < 0 ? -EINVAL : 0;
}

/* Copy count bytes from in at *pin to out at *pout through the page cache. */
static long copy_range(struct task *t, struct file *in, uint64_t *pin, struct file *out,
                       uint64_t *pout, size_t count)
{
    static char buf[BOUNCE];
    size_t done = 0;
    long err = 0;
    while (done < count) {
        size_t n = count - done < BOUNCE ? count - done : BOUNCE;
        uint64_t at = *pin;
        long r = kernel_read(in, buf, n, &at);
        if (r <= 0) {
            err = r;
            break;
        }
        size_t w = (size_t)r;
        err = generic_write_checks(t, out, *pout, &w, done == 0);
        long wr = err ? err : kernel_write(out, buf, w, pout);
        if (wr <= 0) {
            err = wr;
            break;
        }
        *pin += (uint64_t)wr;
        done += (size_t)wr;
        if ((size_t)wr < (size_t)r)
            break;
    }
    return done ? (long)done : err;
}

/*
 * copy_file_range(2) between two regular files, through the page cache, so
 * the copy is in the cache at once and reaches the host at writeback like
 * any write. Linux's checks: no flags, readable in, writable out not in
 * append mode, no overlap within one file.
 */
static long sys_copy_file_range(struct task *t, const uint64_t a[6])
{
    struct file *in = fd_get(t, (int)a[0]), *out = fd_get(t, (int)a[2]);
    if (a[5])
        return -EINVAL;
    if (!in || !out || (in->f_flags & O_ACCMODE) == O_WRONLY ||
        (out->f_flags & O_ACCMODE) == O_RDONLY || (out->f_flags & O_APPEND) ||
        ((in->f_flags | out->f_flags) & O_PATH))
        return -EBADF;
    if (S_ISDIR(in->f_mode) || S_ISDIR(out->f_mode))
        return -EISDIR;
    if (!is_regular(in) || !is_regular(out))
        return -EINVAL;
    pos_load(in);
    pos_load(out);
    uint64_t pin, pout;
    long err = get_offset(t, a[1], &pin, in);
    if (!err)
        err = get_offset(t, a[3], &pout, out);
    if (err)
        return err;
    size_t count = a[4] < MAX_RW_COUNT ? (size_t)a[4] : MAX_RW_COUNT;
    if (in->f_mapping == out->f_mapping && pin < pout + count && pout < pin + count)
        return -EINVAL;
    writeback_periodic();
    long r = copy_range(t, in, &pin, out, &pout, count);
    if (r > 0) {
        if (a[1] ? copy_to_user(t->mm, a[1], &pin, sizeof(pin)) != 0 : (in->f_pos = pin, false))
            return -EFAULT;
        if (a[3] ? copy_to_user(t->mm, a[3], &pout, sizeof(pout)) != 0 : (out->f_pos = pout, false))
            return -EFAULT;
        pos_store(in);
        pos_store(out);
    }
    return r;
}

static long sys_fstat(struct task *t, const uint64_t a[6])
{
    struct file *f = fd_get(t, (int)a[0]);
    struct stat st;
    if (!f)
        return -EBADF;
    int err = vfs_fstat(f, &st);
    if (err)
        return err;
    return copy_to_user(t->mm, a[1], &st, sizeof(st)) ? -EFAULT : 0;
}

static long sys_lseek(struct task *t, const uint64_t a[6])
{
    struct file *f = fd_get(t, (int)a[0]);
    int64_t off = (int64_t)a[1];
    if (!f)
        return -EBADF;
    if (file_is_secretmem(f))
        return -ESPIPE;
    if (f->f_op)
        return f->f_op->llseek ? (long)f->f_op->llseek(f, off, (int)a[2]) : -ESPIPE;
    if (!is_regular(f)) {
        off_t r = lseek(f->f_host_fd, (off_t)off, (int)a[2]);
        return r < 0 ? -errno : (long)r;
    }
    pos_load(f);
    int64_t base;
    if ((int)a[2] == SEEK_DATA || (int)a[2] == SEEK_HOLE) {
        /* No holes are known: data runs to the end. */
        if (off < 0 || (uint64_t)off >= f->f_mapping->i_size)
            return -ENXIO;
        f->f_pos = (int)a[2] == SEEK_DATA ? (uint64_t)off : f->f_mapping->i_size;
        pos_store(f);
        return (long)f->f_pos;
    }
    if (vfs_whence_base(f, (int)a[2], &base))
        return -EINVAL;
    long r = (long)vfs_setpos(f, base, off);
    pos_store(f);
    return r;
}

/* Terminal queries are answered by the host terminal, as they are truthfully. */
static long sys_ioctl(struct task *t, const uint64_t a[6])
{
    struct file *f = fd_get(t, (int)a[0]);
    unsigned char buf[64];
    size_t len;
    if (!f)
        return -EBADF;
    if (f->f_host_fd < 0)
        return f->f_op && f->f_op->ioctl ? f->f_op->ioctl(f, (unsigned int)a[1], a[2]) : -ENOTTY;
    switch (a[1]) {
    case TCGETS:
        len = 36; /* the kernel's struct termios */
        break;
    case TIOCGWINSZ:
        len = sizeof(struct winsize);
        break;
    default:
        return -ENOTTY;
    }
    if (f->f_host_fd < 0)
        return -ENOTTY;
    if (ioctl(f->f_host_fd, (unsigned long)a[1], buf) != 0)
        return -errno;
    return copy_to_user(t->mm, a[2], buf, len) ? -EFAULT : 0;
}

/* fsync and fdatasync: the file's dirty pages to the host file, then the host's own. */
static long sys_fsync(struct task *t, const uint64_t a[6])
{
    struct file *f = fd_get(t, (int)a[0]);
    if (!f)
        return -EBADF;
    if (f->f_host_fd < 0) /* vmemu's own files have nothing to sync, as Linux's procfs */
        return vma_file_is_shmem(f) && !file_is_secretmem(f) ? 0 : -EINVAL; /* shmem's noop_fsync */
    return vfs_fsync(f);
}

static long sys_sync(struct task *t, const uint64_t a[6])
{
    (void)t, (void)a;
    writeback_all(WB_REASON_SYNC); /* sync(2) reports nothing, as in Linux */
    return 0;
}

/* syncfs: the files vmemu caches on the host file system of fd. */
static long sys_syncfs(struct task *t, const uint64_t a[6])
{
    struct file *f = fd_get(t, (int)a[0]);
    struct stat st;
    if (!f)
        return -EBADF;
    if (f->f_host_fd < 0)
        return 0;
    if (fstat(f->f_host_fd, &st) != 0)
        return -errno;
    int err = writeback_dev((uint64_t)st.st_dev, WB_REASON_SYNC);
    if (err)
        return err;
    return syncfs(f->f_host_fd) ? -errno : 0;
}

static long sys_ftruncate(struct task *t, const uint64_t a[6])
{
    struct file *f = fd_get(t, (int)a[0]);
    if (!f)
        return -EBADF;
    if ((int64_t)a[1] < 0)
        return -EINVAL;
    if (!is_regular(f) || (f->f_flags & O_ACCMODE) == O_RDONLY)
        return -EINVAL;
    writeback_periodic();
    int err = inode_newsize_ok(t, f, a[1]);
    return err ? err : vmtruncate(f, a[1]);
}

/* The modes, one of which (or none: allocate) a call may name. */
#define FALLOC_MODES                                                                               \
    (FALLOC_FL_PUNCH_HOLE | FALLOC_FL_COLLAPSE_RANGE | FALLOC_FL_ZERO_RANGE |                      \
     FALLOC_FL_INSERT_RANGE | FALLOC_FL_UNSHARE_RANGE | FALLOC_FL_WRITE_ZEROES)

/* vfs_fallocate's checks of mode alone: EOPNOTSUPP for what no file system takes. */
static int fallocate_mode_ok(int mode)
{
    if (mode & ~(FALLOC_MODES | FALLOC_FL_KEEP_SIZE))
        return -EOPNOTSUPP;
    switch (mode & FALLOC_MODES) {
    case 0: /* allocate */
    case FALLOC_FL_ZERO_RANGE:
    case FALLOC_FL_UNSHARE_RANGE:
        return 0;
    case FALLOC_FL_PUNCH_HOLE:
        return (mode & FALLOC_FL_KEEP_SIZE) ? 0 : -EOPNOTSUPP;
    case FALLOC_FL_COLLAPSE_RANGE:
    case FALLOC_FL_INSERT_RANGE:
    case FALLOC_FL_WRITE_ZEROES:
        return (mode & FALLOC_FL_KEEP_SIZE) ? -EOPNOTSUPP : 0;
    default:
        return -EOPNOTSUPP;
    }
}

/*
 * fallocate(2): Linux's vfs_fallocate checks in its order, then the file's
 * own work (mm/falloc.c: the host's file system decides what it supports).
 * vmemu's own files (/proc) have no ->fallocate: EOPNOTSUPP.
 */
static long sys_fallocate(struct task *t, const uint64_t a[6])
{
    int mode = (int)a[1];
    int64_t offset = (int64_t)a[2], len = (int64_t)a[3];
    struct file *f = fd_get(t, (int)a[0]);
    if (!f)
        return -EBADF;
    if (offset < 0 || len <= 0)
        return -EINVAL;
    int err = fallocate_mode_ok(mode);
    if (err)
        return err;
    if ((f->f_flags & O_PATH) || (f->f_flags & O_ACCMODE) == O_RDONLY)
        return -EBADF;
    if (S_ISFIFO(f->f_mode))
        return -ESPIPE;
    if (S_ISDIR(f->f_mode))
        return -EISDIR;
    if (!S_ISREG(f->f_mode))
        return -ENODEV;
    uint64_t end = (uint64_t)offset + (uint64_t)len;
    if (end > INT64_MAX || past_maxbytes(f, end))
        return -EFBIG;
    if (!is_regular(f) || file_is_secretmem(f))
        return -EOPNOTSUPP; /* no ->fallocate */
    /* Growing, as the file systems check it (shmem even with KEEP_SIZE). */
    if (!(mode & FALLOC_FL_KEEP_SIZE) || f->f_mapping->shmem) {
        if ((err = inode_newsize_ok(t, f, end)) != 0)
            return err;
    }
    return do_fallocate(f, mode, (uint64_t)offset, (uint64_t)len);
}

/*
 * readahead(2): POSIX_FADV_WILLNEED on a file open for reading, as Linux's
 * ksys_readahead; regular files only (EINVAL for the rest), and a count
 * that is negative as a loff_t is EINVAL. vmemu's own regular files
 * (/proc) have no page cache to fill: 0, as Linux answers for them.
 */
static long sys_readahead(struct task *t, const uint64_t a[6])
{
    struct file *f = fd_get(t, (int)a[0]);
    if (!f || (f->f_flags & O_PATH) || (f->f_flags & O_ACCMODE) == O_WRONLY)
        return -EBADF;
    if (!S_ISREG(f->f_mode) || (int64_t)a[2] < 0)
        return -EINVAL;
    return is_regular(f) ? file_fadvise(f, a[1], a[2], POSIX_FADV_WILLNEED) : 0;
}

static long sys_fadvise64(struct task *t, const uint64_t a[6])
{
    struct file *f = fd_get(t, (int)a[0]);
    if (!f)
        return -EBADF;
    if (!is_regular(f))
        return S_ISFIFO(f->f_mode) ? -ESPIPE : 0; /* vmemu's own files: nothing to advise */
    if ((int64_t)a[2] < 0)
        return -EINVAL;
    return file_fadvise(f, a[1], a[2], (int)a[3]);
}

static long sys_getdents64(struct task *t, const uint64_t a[6])
{
    static char buf[BOUNCE];
    struct file *f = fd_get(t, (int)a[0]);
    if (!f)
        return -EBADF;
    size_t n = a[2] < BOUNCE ? (size_t)a[2] : BOUNCE;
    long r;
    if (f->f_op)
        r = f->f_op->getdents ? f->f_op->getdents(f, buf, n) : -ENOTDIR;
    else if ((r = syscall(SYS_getdents64, f->f_host_fd, buf, n)) < 0)
        r = -errno;
    if (r < 0)
        return r;
    return copy_to_user(t->mm, a[1], buf, (size_t)r) ? -EFAULT : r;
}

static long sys_fstatfs(struct task *t, const uint64_t a[6])
{
    struct file *f = fd_get(t, (int)a[0]);
    struct statfs st;
    if (!f)
        return -EBADF;
    int err = vfs_fstatfs(f, &st);
    if (err)
        return err;
    return copy_to_user(t->mm, a[1], &st, sizeof(st)) ? -EFAULT : 0;
}

void sys_fs_register(syscall_fn table[NR_SYSCALLS])
{
    table[SYS_fstatfs] = sys_fstatfs;
    table[SYS_read] = sys_read;
    table[SYS_write] = sys_write;
    table[SYS_fstat] = sys_fstat;
    table[SYS_lseek] = sys_lseek;
    table[SYS_ioctl] = sys_ioctl;
    table[SYS_pread64] = sys_pread64;
    table[SYS_pwrite64] = sys_pwrite64;
    table[SYS_readv] = sys_readv;
    table[SYS_writev] = sys_writev;
    table[SYS_fsync] = sys_fsync;
    table[SYS_fdatasync] = sys_fsync;
    table[SYS_sync] = sys_sync;
    table[SYS_syncfs] = sys_syncfs;
    table[SYS_ftruncate] = sys_ftruncate;
    table[SYS_fadvise64] = sys_fadvise64;
    table[SYS_readahead] = sys_readahead;
    table[SYS_fallocate] = sys_fallocate;
    table[SYS_sendfile] = sys_sendfile;
    table[SYS_copy_file_range] = sys_copy_file_range;
    table[SYS_preadv] = sys_preadv;
    table[SYS_pwritev] = sys_pwritev;
    table[SYS_getdents64] = sys_getdents64;
    sys_path_register(table);  /* sys_path.c: the calls that name a path */
    sys_xattr_register(table); /* xattr.c: extended attributes */
    sys_locks_register(table); /* locks.c: flock; fcntl's locks are in fdtable.c */
}
