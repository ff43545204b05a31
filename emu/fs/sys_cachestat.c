/*
 * cachestat(2) (Linux 6.5): the page-cache state of a byte range of an
 * open file (mm/cachestat.c counts it). As Linux: the range is whole
 * pages from off's page to the page of off + len - 1 (len 0: to the end
 * of the file's index space); flags must be 0; a file with no page cache
 * (a pipe, one of vmemu's /proc files) counts nothing; a caller that
 * opened the file read-only must own it, or have CAP_FOWNER, or be allowed
 * to write it (can_do_cachestat), else EPERM.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "emu/fs/vfs.h"
#include "emu/kernel/cred.h"
#include "emu/kernel/syscall.h"
#include "emu/kernel/task.h"
#include "emu/kernel/unistd_new.h"
#include "mm/cachestat.h"
#include "mm/fs.h"
#include "mm/uaccess.h"

struct cachestat_range {
    uint64_t off, len;
};

/* Linux's can_do_cachestat: opened for writing, owned, or writable to the caller. */
static bool may_cachestat(struct task *t, struct file *f)
{
    struct stat st;
    if ((f->f_flags & O_ACCMODE) != O_RDONLY || cred_capable(&t->cred, CAP_FOWNER) ||
        cred_capable(&t->cred, CAP_DAC_OVERRIDE))
        return true;
    if (vfs_fstat(f, &st) != 0)
        return false;
    if (st.st_uid == t->cred.fsuid)
        return true;
    return (st.st_gid == t->cred.fsgid ? st.st_mode & S_IWGRP : st.st_mode & S_IWOTH) != 0;
}

static long sys_cachestat(struct task *t, const uint64_t a[6])
{
    struct file *f = fd_get(t, (int)a[0]);
    if (!f)
        return -EBADF;
    if (!may_cachestat(t, f))
        return -EPERM;
    if (a[3])
        return -EINVAL;
    struct cachestat_range r;
    if (copy_from_user(t->mm, &r, a[1], sizeof(r)))
        return -EFAULT;
    struct cachestat cs = {0};
    pgoff_t first = r.off >> PAGE_SHIFT;
    pgoff_t last = r.len == 0 ? ~0UL : (r.off + r.len - 1) >> PAGE_SHIFT;
    if (f->f_mapping)
        filemap_cachestat(f->f_mapping, first, last, &cs);
    return copy_to_user(t->mm, a[2], &cs, sizeof(cs)) ? -EFAULT : 0;
}

void sys_cachestat_register(syscall_fn table[NR_SYSCALLS])
{
    table[SYS_cachestat] = sys_cachestat;
}
