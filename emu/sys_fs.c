/*
 * File system calls. Guest paths are host paths. Regular files are read
 * through vmemu's page cache (so read() and mappings see the same pages)
 * and written through to the host file at once, refreshing cached pages:
 * nothing a guest writes can be lost. Terminals and pipes pass through.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "emu/procfs.h"
#include "emu/syscall.h"
#include "emu/task.h"
#include "mm/fs.h"
#include "mm/uaccess.h"

#define BOUNCE 65536
#define GUEST_AT_FDCWD (-100)

static bool is_regular(const struct file *f)
{
    return f->f_mapping && S_ISREG(f->f_mode);
}

static long read_cached(struct task *t, struct file *f, uint64_t ubuf, size_t count, uint64_t pos)
{
    struct address_space *as = f->f_mapping;
    if (pos >= as->i_size)
        return 0;
    if (count > as->i_size - pos)
        count = (size_t)(as->i_size - pos);
    size_t done = 0;
    while (done < count) {
        bool major;
        int err = 0;
        uint64_t p = pos + done;
        struct page *page = filemap_get_page(as, (pgoff_t)(p >> PAGE_SHIFT), &major, &err);
        if (!page)
            return done ? (long)done : err;
        size_t off = (size_t)(p & ~PAGE_MASK);
        size_t n = PAGE_SIZE - off < count - done ? PAGE_SIZE - off : count - done;
        size_t left = copy_to_user(t->mm, ubuf + done, (char *)page_address(page) + off, n);
        put_page(page);
        done += n - left;
        if (left)
            return done ? (long)done : -EFAULT;
    }
    return (long)done;
}

static long write_through(struct task *t, struct file *f, uint64_t ubuf, size_t count, uint64_t pos,
                          bool update_cache)
{
    static char buf[BOUNCE];
    size_t done = 0;
    while (done < count) {
        size_t n = count - done < BOUNCE ? count - done : BOUNCE;
        size_t left = copy_from_user(t->mm, buf, ubuf + done, n);
        n -= left;
        if (n == 0)
            return done ? (long)done : -EFAULT;
        ssize_t w = update_cache ? pwrite(f->f_host_fd, buf, n, (off_t)(pos + done))
                                 : write(f->f_host_fd, buf, n);
        if (w < 0)
            return done ? (long)done : -errno;
        if (update_cache)
            filemap_update_range(f->f_mapping, pos + done, buf, (size_t)w);
        done += (size_t)w;
        if ((size_t)w < n || left)
            break;
    }
    return (long)done;
}

static long read_stream(struct task *t, struct file *f, uint64_t ubuf, size_t count)
{
    static char buf[BOUNCE];
    size_t n = count < BOUNCE ? count : BOUNCE;
    ssize_t r = read(f->f_host_fd, buf, n);
    if (r < 0)
        return -errno;
    if (copy_to_user(t->mm, ubuf, buf, (size_t)r))
        return -EFAULT;
    return r;
}

static long do_read(struct task *t, struct file *f, uint64_t ubuf, size_t count, uint64_t *pos)
{
    if ((f->f_flags & O_ACCMODE) == O_WRONLY)
        return -EBADF;
    if (S_ISDIR(f->f_mode))
        return -EISDIR;
    if (!is_regular(f))
        return read_stream(t, f, ubuf, count);
    long r = read_cached(t, f, ubuf, count, *pos);
    if (r > 0)
        *pos += (uint64_t)r;
    return r;
}

static long do_write(struct task *t, struct file *f, uint64_t ubuf, size_t count, uint64_t *pos)
{
    if ((f->f_flags & O_ACCMODE) == O_RDONLY)
        return -EBADF;
    if (!is_regular(f))
        return write_through(t, f, ubuf, count, 0, false);
    if (f->f_flags & O_APPEND)
        *pos = f->f_mapping->i_size;
    long w = write_through(t, f, ubuf, count, *pos, true);
    if (w > 0)
        *pos += (uint64_t)w;
    return w;
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

static long sys_read(struct task *t, const uint64_t a[6])
{
    struct file *f = fd_get(t, (int)a[0]);
    if (!f)
        return -EBADF;
    pos_load(f);
    long r = do_read(t, f, a[1], (size_t)a[2], &f->f_pos);
    pos_store(f);
    return r;
}

static long sys_write(struct task *t, const uint64_t a[6])
{
    struct file *f = fd_get(t, (int)a[0]);
    if (!f)
        return -EBADF;
    pos_load(f);
    long r = do_write(t, f, a[1], (size_t)a[2], &f->f_pos);
    pos_store(f);
    return r;
}

static long sys_pread64(struct task *t, const uint64_t a[6])
{
    struct file *f = fd_get(t, (int)a[0]);
    uint64_t pos = a[3];
    if (!f)
        return -EBADF;
    if (!is_regular(f))
        return -ESPIPE;
    if ((int64_t)pos < 0)
        return -EINVAL;
    return do_read(t, f, a[1], (size_t)a[2], &pos);
}

static long sys_pwrite64(struct task *t, const uint64_t a[6])
{
    struct file *f = fd_get(t, (int)a[0]);
    uint64_t pos = a[3];
    if (!f)
        return -EBADF;
    if (!is_regular(f))
        return -ESPIPE;
    if ((int64_t)pos < 0)
        return -EINVAL;
    if ((f->f_flags & O_ACCMODE) == O_RDONLY)
        return -EBADF;
    return write_through(t, f, a[1], (size_t)a[2], pos, true);
}

/* readv and writev: one segment at a time, stopping at a short transfer. */
static long do_iov(struct task *t, const uint64_t a[6], bool writing)
{
    struct file *f = fd_get(t, (int)a[0]);
    if (!f)
        return -EBADF;
    if (a[2] > 1024)
        return -EINVAL;
    long total = 0, err = 0;
    pos_load(f);
    for (uint64_t i = 0; i < a[2]; i++) {
        struct iovec iov;
        if (copy_from_user(t->mm, &iov, a[1] + i * sizeof(iov), sizeof(iov))) {
            err = -EFAULT;
            break;
        }
        if (iov.iov_len == 0)
            continue;
        uint64_t base = (uint64_t)(uintptr_t)iov.iov_base;
        long r = writing ? do_write(t, f, base, iov.iov_len, &f->f_pos)
                         : do_read(t, f, base, iov.iov_len, &f->f_pos);
        if (r < 0) {
            err = r;
            break;
        }
        total += r;
        if ((size_t)r < iov.iov_len)
            break;
    }
    pos_store(f);
    return total ? total : err;
}

static long sys_readv(struct task *t, const uint64_t a[6])
{
    return do_iov(t, a, false);
}

static long sys_writev(struct task *t, const uint64_t a[6])
{
    return do_iov(t, a, true);
}

/* The host directory descriptor for a guest dirfd; -1 means the cwd. */
static int host_dirfd(struct task *t, int64_t dirfd, int *hostfd)
{
    if (dirfd == GUEST_AT_FDCWD) {
        *hostfd = AT_FDCWD;
        return 0;
    }
    struct file *f = fd_get(t, (int)dirfd);
    if (!f)
        return -EBADF;
    *hostfd = f->f_host_fd;
    return 0;
}

static bool is_proc_self_exe(const char *path)
{
    return strcmp(path, "/proc/self/exe") == 0;
}

static long do_openat(struct task *t, int64_t dirfd, uint64_t upath, int flags, int mode)
{
    char path[PATH_MAX], host[PATH_MAX + 32];
    long err = get_user_path(t, upath, path);
    if (err)
        return err;
    int hostdir;
    if (path[0] != '/' && (err = host_dirfd(t, dirfd, &hostdir)) != 0)
        return err;
    const char *open_path = path;
    if (is_proc_self_exe(path)) {
        open_path = t->exe_path;
    } else if (path[0] != '/' && hostdir != AT_FDCWD) {
        snprintf(host, sizeof(host), "/proc/self/fd/%d/%s", hostdir, path);
        open_path = host;
    }
    int e = 0;
    struct file *f = procfs_open(t, path, flags, &e);
    if (!f && !e)
        f = file_open(open_path, flags & ~O_CLOEXEC, mode, &e);
    if (!f)
        return e;
    if (file_set_path(f, open_path == host ? path : open_path) != 0) {
        fput(f);
        return -ENOMEM;
    }
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
    return do_openat(t, (int64_t)(int)a[0], a[1], (int)a[2], (int)a[3]);
}

static long sys_close(struct task *t, const uint64_t a[6])
{
    return fd_close(t, (int)a[0]);
}

static long put_stat(struct task *t, uint64_t ubuf, const struct stat *st)
{
    return copy_to_user(t->mm, ubuf, st, sizeof(*st)) ? -EFAULT : 0;
}

static long sys_fstat(struct task *t, const uint64_t a[6])
{
    struct file *f = fd_get(t, (int)a[0]);
    struct stat st;
    if (!f)
        return -EBADF;
    if (fstat(f->f_host_fd, &st) != 0)
        return -errno;
    if (is_regular(f))
        st.st_size = (off_t)f->f_mapping->i_size;
    return put_stat(t, a[1], &st);
}

static long do_fstatat(struct task *t, int64_t dirfd, uint64_t upath, uint64_t ubuf, int flags)
{
    char path[PATH_MAX];
    long err = get_user_path(t, upath, path);
    if (err)
        return err;
    if (path[0] == '\0' && (flags & AT_EMPTY_PATH)) {
        uint64_t b[6] = {(uint64_t)dirfd, ubuf};
        return sys_fstat(t, b);
    }
    int hostdir = AT_FDCWD;
    if (path[0] != '/' && (err = host_dirfd(t, dirfd, &hostdir)) != 0)
        return err;
    struct stat st;
    const char *p = is_proc_self_exe(path) ? t->exe_path : path;
    if (fstatat(hostdir, p, &st, flags & AT_SYMLINK_NOFOLLOW) != 0)
        return -errno;
    return put_stat(t, ubuf, &st);
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
    return do_fstatat(t, (int64_t)(int)a[0], a[1], a[2], (int)a[3]);
}

static long sys_lseek(struct task *t, const uint64_t a[6])
{
    struct file *f = fd_get(t, (int)a[0]);
    int64_t off = (int64_t)a[1];
    if (!f)
        return -EBADF;
    if (!is_regular(f)) {
        off_t r = lseek(f->f_host_fd, (off_t)off, (int)a[2]);
        return r < 0 ? -errno : (long)r;
    }
    pos_load(f);
    int64_t base;
    switch ((int)a[2]) {
    case SEEK_SET:
        base = 0;
        break;
    case SEEK_CUR:
        base = (int64_t)f->f_pos;
        break;
    case SEEK_END:
        base = (int64_t)f->f_mapping->i_size;
        break;
    default:
        return -EINVAL;
    }
    if ((off > 0 && base > INT64_MAX - off) || base + off < 0)
        return -EINVAL;
    f->f_pos = (uint64_t)(base + off);
    pos_store(f);
    return (long)f->f_pos;
}

/* Terminal queries are answered by the host terminal, as they are truthfully. */
static long sys_ioctl(struct task *t, const uint64_t a[6])
{
    struct file *f = fd_get(t, (int)a[0]);
    unsigned char buf[64];
    size_t len;
    if (!f)
        return -EBADF;
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
    if (ioctl(f->f_host_fd, (unsigned long)a[1], buf) != 0)
        return -errno;
    return copy_to_user(t->mm, a[2], buf, len) ? -EFAULT : 0;
}

static long do_faccessat(struct task *t, int64_t dirfd, uint64_t upath, int mode)
{
    char path[PATH_MAX];
    long err = get_user_path(t, upath, path);
    int hostdir = AT_FDCWD;
    if (err || (path[0] != '/' && (err = host_dirfd(t, dirfd, &hostdir)) != 0))
        return err;
    return faccessat(hostdir, path, mode, 0) ? -errno : 0;
}

static long sys_access(struct task *t, const uint64_t a[6])
{
    return do_faccessat(t, GUEST_AT_FDCWD, a[0], (int)a[1]);
}

static long sys_faccessat(struct task *t, const uint64_t a[6])
{
    return do_faccessat(t, (int64_t)(int)a[0], a[1], (int)a[2]);
}

static long do_readlinkat(struct task *t, int64_t dirfd, uint64_t upath, uint64_t ubuf,
                          uint64_t size)
{
    char path[PATH_MAX], target[PATH_MAX];
    long err = get_user_path(t, upath, path);
    int hostdir = AT_FDCWD;
    if (err || (path[0] != '/' && (err = host_dirfd(t, dirfd, &hostdir)) != 0))
        return err;
    if ((int64_t)size <= 0)
        return -EINVAL;
    ssize_t n;
    if (is_proc_self_exe(path)) {
        n = (ssize_t)strlen(t->exe_path);
        memcpy(target, t->exe_path, (size_t)n);
    } else if ((n = readlinkat(hostdir, path, target, sizeof(target))) < 0) {
        return -errno;
    }
    if ((uint64_t)n > size)
        n = (ssize_t)size;
    return copy_to_user(t->mm, ubuf, target, (size_t)n) ? -EFAULT : n;
}

static long sys_readlink(struct task *t, const uint64_t a[6])
{
    return do_readlinkat(t, GUEST_AT_FDCWD, a[0], a[1], a[2]);
}

static long sys_readlinkat(struct task *t, const uint64_t a[6])
{
    return do_readlinkat(t, (int64_t)(int)a[0], a[1], a[2], a[3]);
}

static long sys_getcwd(struct task *t, const uint64_t a[6])
{
    char cwd[PATH_MAX];
    if (!getcwd(cwd, sizeof(cwd)))
        return -errno;
    size_t n = strlen(cwd) + 1;
    if (n > a[1])
        return -ERANGE;
    return copy_to_user(t->mm, a[0], cwd, n) ? -EFAULT : (long)n;
}

static long do_dup(struct task *t, int oldfd, int newfd, bool cloexec)
{
    struct file *f = fd_get(t, oldfd);
    if (!f)
        return -EBADF;
    if (newfd < 0)
        return fd_install(t, get_file(f), 0, cloexec);
    if (newfd >= NR_OPEN)
        return -EBADF;
    if (newfd == oldfd)
        return newfd;
    if (t->files[newfd])
        fd_close(t, newfd);
    return fd_install(t, get_file(f), newfd, cloexec);
}

static long sys_dup(struct task *t, const uint64_t a[6])
{
    return do_dup(t, (int)a[0], -1, false);
}

static long sys_dup2(struct task *t, const uint64_t a[6])
{
    if ((int)a[0] == (int)a[1])
        return fd_get(t, (int)a[0]) ? (long)(int)a[1] : -EBADF;
    return do_dup(t, (int)a[0], (int)a[1], false);
}

static long sys_dup3(struct task *t, const uint64_t a[6])
{
    if ((int)a[0] == (int)a[1] || (a[2] & ~(uint64_t)O_CLOEXEC))
        return -EINVAL;
    return do_dup(t, (int)a[0], (int)a[1], a[2] & O_CLOEXEC);
}

static long sys_fcntl(struct task *t, const uint64_t a[6])
{
    int fd = (int)a[0];
    struct file *f = fd_get(t, fd);
    if (!f)
        return -EBADF;
    switch ((int)a[1]) {
    case F_GETFD:
        return t->cloexec[fd] ? FD_CLOEXEC : 0;
    case F_SETFD:
        t->cloexec[fd] = a[2] & FD_CLOEXEC;
        return 0;
    case F_GETFL:
        return (long)f->f_flags;
    case F_SETFL: {
        unsigned int settable = O_APPEND | O_NONBLOCK;
        if (fcntl(f->f_host_fd, F_SETFL, (int)(a[2] & settable)) != 0)
            return -errno;
        f->f_flags = (f->f_flags & ~settable) | ((unsigned int)a[2] & settable);
        return 0;
    }
    case F_DUPFD:
    case F_DUPFD_CLOEXEC:
        if (a[2] >= NR_OPEN)
            return -EINVAL;
        return fd_install(t, get_file(f), (int)a[2], (int)a[1] == F_DUPFD_CLOEXEC);
    default:
        return -EINVAL;
    }
}

static long sys_fsync(struct task *t, const uint64_t a[6])
{
    struct file *f = fd_get(t, (int)a[0]);
    if (!f)
        return -EBADF;
    int err = filemap_writeback_all();
    if (err)
        return err;
    return fsync(f->f_host_fd) && errno != EINVAL ? -errno : 0;
}

static long sys_getdents64(struct task *t, const uint64_t a[6])
{
    static char buf[BOUNCE];
    struct file *f = fd_get(t, (int)a[0]);
    if (!f)
        return -EBADF;
    size_t n = a[2] < BOUNCE ? (size_t)a[2] : BOUNCE;
    long r = syscall(SYS_getdents64, f->f_host_fd, buf, n);
    if (r < 0)
        return -errno;
    return copy_to_user(t->mm, a[1], buf, (size_t)r) ? -EFAULT : r;
}

static long do_unlinkat(struct task *t, int64_t dirfd, uint64_t upath, int flags)
{
    char path[PATH_MAX];
    long err = get_user_path(t, upath, path);
    int hostdir = AT_FDCWD;
    if (err || (path[0] != '/' && (err = host_dirfd(t, dirfd, &hostdir)) != 0))
        return err;
    if (flags & ~AT_REMOVEDIR)
        return -EINVAL;
    return unlinkat(hostdir, path, flags) ? -errno : 0;
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
    return do_unlinkat(t, (int64_t)(int)a[0], a[1], (int)a[2]);
}

static long do_mkdirat(struct task *t, int64_t dirfd, uint64_t upath, int mode)
{
    char path[PATH_MAX];
    long err = get_user_path(t, upath, path);
    int hostdir = AT_FDCWD;
    if (err || (path[0] != '/' && (err = host_dirfd(t, dirfd, &hostdir)) != 0))
        return err;
    return mkdirat(hostdir, path, (mode_t)mode) ? -errno : 0;
}

static long sys_mkdir(struct task *t, const uint64_t a[6])
{
    return do_mkdirat(t, GUEST_AT_FDCWD, a[0], (int)a[1]);
}

static long sys_mkdirat(struct task *t, const uint64_t a[6])
{
    return do_mkdirat(t, (int64_t)(int)a[0], a[1], (int)a[2]);
}

static long sys_chdir(struct task *t, const uint64_t a[6])
{
    char path[PATH_MAX];
    long err = get_user_path(t, a[0], path);
    if (err)
        return err;
    return chdir(path) ? -errno : 0;
}

void sys_fs_register(syscall_fn table[NR_SYSCALLS])
{
    table[SYS_unlink] = sys_unlink;
    table[SYS_unlinkat] = sys_unlinkat;
    table[SYS_rmdir] = sys_rmdir;
    table[SYS_mkdir] = sys_mkdir;
    table[SYS_mkdirat] = sys_mkdirat;
    table[SYS_chdir] = sys_chdir;
    table[SYS_read] = sys_read;
    table[SYS_write] = sys_write;
    table[SYS_open] = sys_open;
    table[SYS_close] = sys_close;
    table[SYS_stat] = sys_stat;
    table[SYS_fstat] = sys_fstat;
    table[SYS_lstat] = sys_lstat;
    table[SYS_lseek] = sys_lseek;
    table[SYS_ioctl] = sys_ioctl;
    table[SYS_pread64] = sys_pread64;
    table[SYS_pwrite64] = sys_pwrite64;
    table[SYS_readv] = sys_readv;
    table[SYS_writev] = sys_writev;
    table[SYS_access] = sys_access;
    table[SYS_dup] = sys_dup;
    table[SYS_dup2] = sys_dup2;
    table[SYS_dup3] = sys_dup3;
    table[SYS_fcntl] = sys_fcntl;
    table[SYS_fsync] = sys_fsync;
    table[SYS_fdatasync] = sys_fsync;
    table[SYS_getcwd] = sys_getcwd;
    table[SYS_readlink] = sys_readlink;
    table[SYS_getdents64] = sys_getdents64;
    table[SYS_openat] = sys_openat;
    table[SYS_newfstatat] = sys_newfstatat;
    table[SYS_readlinkat] = sys_readlinkat;
    table[SYS_faccessat] = sys_faccessat;
    table[SYS_faccessat2] = sys_faccessat;
}
