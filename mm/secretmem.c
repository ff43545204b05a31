/*
 * memfd_secret(2) (Linux's mm/secretmem.c): a file whose memory only the
 * processes mapping it can reach. Linux takes its pages out of the
 * kernel's direct map; vmemu has no direct map to take them from, so what
 * it models is everything a program can see:
 *   - the file: flags O_CLOEXEC only (else EINVAL), opened read-write,
 *     S_IFREG 0600, "/secretmem (deleted)" in maps, on a noexec mount;
 *     its size may be set once (any later ftruncate EINVAL); no read,
 *     write (EINVAL), pread, pwrite, lseek (ESPIPE), fsync (EINVAL),
 *     fallocate (EOPNOTSUPP), nor reopening through /proc/PID/fd (ENXIO);
 *   - its mappings: shared only (EINVAL), never executable (EPERM, then
 *     EACCES from mprotect), locked and not dumped (VM_LOCKED and
 *     VM_DONTDUMP, "lo dd", counted in VmLck and against RLIMIT_MEMLOCK:
 *     EAGAIN) yet not populated by mmap; mlock and munlock leave them as
 *     they are, and the kernel's own page walks (populate, GUP) refuse
 *     them, so mlock of one is ENOMEM as Linux's EFAULT becomes.
 * Its pages are shmem pages in the cache of the object, zeroed on first
 * touch, kept while mapped (VM_LOCKED keeps reclaim away).
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "internal.h"
#include "mmap.h"

/* The kernel's O_LARGEFILE on x86-64, which F_GETFL shows. */
#define KERNEL_O_LARGEFILE 0100000

struct file *secretmem_file_create(unsigned int flags, int *err)
{
    if (flags & ~(unsigned int)O_CLOEXEC) {
        *err = -EINVAL;
        return NULL;
    }
    struct file *f = shmem_file_setup(0, err);
    if (!f)
        return NULL;
    if ((*err = file_set_path(f, "/secretmem")) != 0) {
        fput(f);
        return NULL;
    }
    f->f_flags = O_RDWR | KERNEL_O_LARGEFILE;
    f->f_mode = S_IFREG | 0600;
    f->f_mapping->secretmem = true;
    return f;
}

int secretmem_check_mmap(struct mm_struct *mm, unsigned long len, unsigned long *vm_flags)
{
    if (*vm_flags & VM_EXEC)
        return -EPERM; /* the noexec mount, before the file's own mmap */
    *vm_flags &= ~VM_MAYEXEC;
    if (!(*vm_flags & VM_SHARED))
        return -EINVAL;
    if (!mlock_future_ok(mm, *vm_flags | VM_LOCKED, len))
        return -EAGAIN;
    *vm_flags |= VM_LOCKED | VM_DONTDUMP;
    return 0;
}

int secretmem_setattr_size(const struct address_space *as)
{
    return as->i_size ? -EINVAL : 0;
}

bool vma_is_secretmem(const struct vm_area_struct *vma)
{
    return file_is_secretmem(vma->vm_file);
}
