/* Memory system calls: thin wrappers over mm/'s mmap family. */
#include <errno.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include "emu/fs/vfs.h"
#include "emu/kernel/syscall.h"
#include "emu/kernel/task.h"
#include "mm/fs.h"
#include "mm/mmap.h"
#include "mm/uaccess.h"
#include "mm/vma_tree.h"

static long sys_brk(struct task *t, const uint64_t a[6])
{
    return (long)do_brk(t->mm, a[0]);
}

static long sys_mmap(struct task *t, const uint64_t a[6])
{
    uint64_t addr = a[0], len = a[1], prot = a[2], flags = a[3], off = a[5];
    if (off & ~PAGE_MASK)
        return -EINVAL;
    struct file *file = NULL;
    if (!(flags & MAP_ANONYMOUS) && !(file = fd_get(t, (int)a[4])))
        return -EBADF;
    if (file && devfs_is_zero(file)) {
        /* /dev/zero maps as anonymous memory (shared: shmem), as in Linux. */
        file = NULL;
        flags |= MAP_ANONYMOUS;
    }
    return (long)do_mmap(t->mm, file, addr, len, prot, flags, off >> PAGE_SHIFT);
}

static long sys_munmap(struct task *t, const uint64_t a[6])
{
    return do_munmap(t->mm, a[0], a[1]);
}

static long sys_mprotect(struct task *t, const uint64_t a[6])
{
    return do_mprotect(t->mm, a[0], a[1], a[2]);
}

static long sys_madvise(struct task *t, const uint64_t a[6])
{
    return do_madvise(t->mm, a[0], a[1], (int)a[2]);
}

/* Dirty shared pages of the range reach the host file (mm/msync.c). */
static long sys_msync(struct task *t, const uint64_t a[6])
{
    return do_msync(t->mm, a[0], a[1], (int)a[2]);
}

static long sys_mremap(struct task *t, const uint64_t a[6])
{
    return (long)do_mremap(t->mm, a[0], a[1], a[2], a[3], a[4]);
}

/* mincore(2): a page of results at a time, copied out as Linux copies them. */
static long sys_mincore(struct task *t, const uint64_t a[6])
{
    uint64_t start = a[0], len = a[1], vec = a[2];
    if (start & ~PAGE_MASK)
        return -EINVAL;
    if (start > TASK_SIZE || len > TASK_SIZE - start)
        return -ENOMEM; /* access_ok of the range */
    uint64_t pages = (len >> PAGE_SHIFT) + ((len & ~PAGE_MASK) != 0);
    if (vec > TASK_SIZE || pages > TASK_SIZE - vec)
        return -EFAULT;
    unsigned char buf[PAGE_SIZE];
    while (pages) {
        long done = do_mincore(t->mm, start, pages < PAGE_SIZE ? pages : PAGE_SIZE, buf);
        if (done <= 0)
            return done;
        if (copy_to_user(t->mm, vec, buf, (size_t)done))
            return -EFAULT;
        pages -= (uint64_t)done;
        vec += (uint64_t)done;
        start += (uint64_t)done << PAGE_SHIFT;
    }
    return 0;
}

static long sys_mlock(struct task *t, const uint64_t a[6])
{
    return do_mlock(t->mm, a[0], a[1], 0);
}

static long sys_mlock2(struct task *t, const uint64_t a[6])
{
    return do_mlock(t->mm, a[0], a[1], (unsigned int)a[2]);
}

static long sys_munlock(struct task *t, const uint64_t a[6])
{
    return do_munlock(t->mm, a[0], a[1]);
}

static long sys_mlockall(struct task *t, const uint64_t a[6])
{
    return do_mlockall(t->mm, (int)a[0]);
}

static long sys_munlockall(struct task *t, const uint64_t a[6])
{
    (void)a;
    return do_munlockall(t->mm);
}

void sys_mm_register(syscall_fn table[NR_SYSCALLS])
{
    table[SYS_brk] = sys_brk;
    table[SYS_mmap] = sys_mmap;
    table[SYS_munmap] = sys_munmap;
    table[SYS_mprotect] = sys_mprotect;
    table[SYS_madvise] = sys_madvise;
    table[SYS_msync] = sys_msync;
    table[SYS_mremap] = sys_mremap;
    table[SYS_mincore] = sys_mincore;
    table[SYS_mlock] = sys_mlock;
    table[SYS_mlock2] = sys_mlock2;
    table[SYS_munlock] = sys_munlock;
    table[SYS_mlockall] = sys_mlockall;
    table[SYS_munlockall] = sys_munlockall;
}
