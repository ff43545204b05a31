/*
 * memfd_create(2) and file seals (Linux's mm/memfd.c): a memfd is a shmem
 * object (mm/shmem.c) with a name, "/memfd:NAME", and seals, kept in its
 * address_space so that every open file and mapping of it sees the same.
 *
 * What each seal refuses, and where: SHRINK and GROW, a truncation that
 * shrinks or grows it (vmtruncate) and a write past its end (filemap);
 * WRITE and FUTURE_WRITE, every write() and a shared mapping that could
 * write (mmap: EPERM with PROT_WRITE, without it the mapping may never
 * become writable); WRITE may only be added while no shared mapping may
 * write (EBUSY); SEAL, any further seal; EXEC (6.3), on an executable
 * memfd, implies SHRINK, GROW, WRITE and FUTURE_WRITE. Without
 * MFD_ALLOW_SEALING (or MFD_NOEXEC_SEAL) a memfd starts sealed with SEAL.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "internal.h"
#include "mman_new.h"
#include "mmap.h"
#include "pagemap.h"

/* The kernel's O_LARGEFILE on x86-64, which F_GETFL shows (the C library's is 0). */
#define KERNEL_O_LARGEFILE 0100000
/* Linux's limit: NAME_MAX less the "memfd:" prefix. */
#define MFD_NAME_MAX_LEN 249

int memfd_flags_check(unsigned int flags)
{
    if (flags &
        ~(unsigned int)(MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_HUGETLB | MFD_NOEXEC_SEAL | MFD_EXEC))
        return -EINVAL;
    if ((flags & MFD_EXEC) && (flags & MFD_NOEXEC_SEAL))
        return -EINVAL;
    return 0;
}

struct file *memfd_file_create(const char *name, unsigned int flags, int *err)
{
    char path[sizeof("/memfd:") + MFD_NAME_MAX_LEN];
    if ((*err = memfd_flags_check(flags)) != 0)
        return NULL;
    if (strlen(name) > MFD_NAME_MAX_LEN) {
        *err = -EINVAL;
        return NULL;
    }
    struct file *f = shmem_file_setup(0, err);
    if (!f)
        return NULL;
    snprintf(path, sizeof(path), "/memfd:%s", name);
    if ((*err = file_set_path(f, path)) != 0) {
        fput(f);
        return NULL;
    }
    f->f_flags = O_RDWR | KERNEL_O_LARGEFILE;
    /* vm.memfd_noexec = 0, Linux's default: executable unless MFD_NOEXEC_SEAL. */
    struct address_space *as = f->f_mapping;
    f->f_mode = as->i_mode = S_IFREG | ((flags & MFD_NOEXEC_SEAL) ? 0666 : 0777);
    as->memfd = true;
    as->seals = (flags & (MFD_ALLOW_SEALING | MFD_NOEXEC_SEAL)) ? 0 : F_SEAL_SEAL;
    if (flags & MFD_NOEXEC_SEAL)
        as->seals |= F_SEAL_EXEC;
    return f;
}

/* Linux's mapping_deny_writable: may any shared mapping of it write, now or after mprotect? */
static bool mapped_writable(struct address_space *as)
{
    struct vm_area_struct *vma;
    list_for_each_entry(vma, &as->i_mmap, shared)
    {
        if ((vma->vm_flags & (VM_SHARED | VM_MAYWRITE)) == (VM_SHARED | VM_MAYWRITE))
            return true;
    }
    return false;
}

long memfd_fcntl(struct file *f, unsigned int cmd, unsigned long arg)
{
    struct address_space *as = f->f_mapping;
    if (!as || !as->memfd)
        return -EINVAL;
    if (cmd == F_GET_SEALS)
        return as->seals;
    unsigned int seals = (unsigned int)arg;
    if ((f->f_flags & O_ACCMODE) == O_RDONLY)
        return -EPERM;
    if (arg & ~(unsigned long)F_ALL_SEALS)
        return -EINVAL;
    if (as->seals & F_SEAL_SEAL)
        return -EPERM;
    /* EXEC on an executable memfd: no write either, so that it stays W^X. */
    if ((seals & F_SEAL_EXEC) && (as->i_mode & 0111))
        seals |= F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_FUTURE_WRITE;
    if ((seals & F_SEAL_WRITE) && !(as->seals & F_SEAL_WRITE) && mapped_writable(as))
        return -EBUSY;
    as->seals |= seals;
    return 0;
}

int shmem_chmod(struct file *f, mode_t mode)
{
    struct address_space *as = f->f_mapping;
    if ((as->seals & F_SEAL_EXEC) && ((as->i_mode ^ mode) & 0111))
        return -EPERM;
    as->i_mode = (as->i_mode & S_IFMT) | (mode & 07777);
    f->f_mode = as->i_mode;
    return 0;
}

int memfd_check_write(const struct address_space *as, uint64_t pos, size_t len)
{
    if (as->seals & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE))
        return -EPERM;
    if ((as->seals & F_SEAL_GROW) && pos + len > as->i_size)
        return -EPERM;
    return 0;
}

int memfd_check_size(const struct address_space *as, uint64_t size)
{
    if (size < as->i_size && (as->seals & F_SEAL_SHRINK))
        return -EPERM;
    if (size > as->i_size && (as->seals & F_SEAL_GROW))
        return -EPERM;
    return 0;
}

int memfd_check_mmap(const struct address_space *as, unsigned long *vm_flags)
{
    if (!(as->seals & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE)) || !(*vm_flags & VM_SHARED))
        return 0;
    if (*vm_flags & VM_WRITE)
        return -EPERM;
    *vm_flags &= ~VM_MAYWRITE; /* nor later, through mprotect (EACCES) */
    return 0;
}
