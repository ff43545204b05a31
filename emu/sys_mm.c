/* Memory system calls: thin wrappers over mm/'s mmap family. */
#include <errno.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include "emu/syscall.h"
#include "emu/task.h"
#include "mm/fs.h"
#include "mm/mmap.h"
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

/* Dirty shared pages reach the host file; vmemu writes back at once. */
static long sys_msync(struct task *t, const uint64_t a[6])
{
    if ((a[0] & ~PAGE_MASK) || (a[2] & ~(uint64_t)(MS_ASYNC | MS_SYNC | MS_INVALIDATE)) ||
        ((a[2] & MS_ASYNC) && (a[2] & MS_SYNC)))
        return -EINVAL;
    uint64_t end = a[0] + PAGE_ALIGN(a[1]);
    for (uint64_t addr = a[0]; addr < end;) {
        struct vm_area_struct *vma = find_vma(t->mm, addr);
        if (!vma || vma->vm_start > addr)
            return -ENOMEM;
        addr = vma->vm_end;
    }
    return filemap_writeback_all();
}

void sys_mm_register(syscall_fn table[NR_SYSCALLS])
{
    table[SYS_brk] = sys_brk;
    table[SYS_mmap] = sys_mmap;
    table[SYS_munmap] = sys_munmap;
    table[SYS_mprotect] = sys_mprotect;
    table[SYS_madvise] = sys_madvise;
    table[SYS_msync] = sys_msync;
}
