/* Memory system calls: thin wrappers over mm/'s mmap family. */
#include <errno.h>
#include <stdio.h>
#include <stdbool.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include "emu/fs/vfs.h"
#include "emu/kernel/syscall.h"
#include "emu/kernel/unistd_new.h"
#include "emu/kernel/task.h"
#include "mm/fs.h"
#include "mm/mman_new.h"
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

static long sys_pkey_mprotect(struct task *t, const uint64_t a[6])
{
    return do_mprotect_pkey(t->mm, a[0], a[1], a[2], (int)a[3]);
}

static long sys_pkey_alloc(struct task *t, const uint64_t a[6])
{
    return do_pkey_alloc(t->mm, a[0], a[1]);
}

static long sys_pkey_free(struct task *t, const uint64_t a[6])
{
    return do_pkey_free(t->mm, (int)a[0]);
}

static long sys_remap_file_pages(struct task *t, const uint64_t a[6])
{
    return do_remap_file_pages(t->mm, a[0], a[1], a[2], a[3], a[4]);
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

static long sys_mseal(struct task *t, const uint64_t a[6])
{
    return do_mseal(t->mm, a[0], a[1], a[2]);
}

/*
 * memfd_create: flags first, then the name (EFAULT, or EINVAL past 249
 * bytes), then the file (mm/memfd.c). MFD_HUGETLB is refused: vmemu has no
 * hugetlbfs.
 */
static long sys_memfd_create(struct task *t, const uint64_t a[6])
{
    static bool hugetlb_reported;
    unsigned int flags = (unsigned int)a[1];
    int err = memfd_flags_check(flags & ~((flags & MFD_HUGETLB) ? 0x3fU << 26 : 0));
    if (err)
        return err;
    if (flags & MFD_HUGETLB) {
        if (!hugetlb_reported)
            fprintf(stderr, "vmemu: memfd_create(MFD_HUGETLB): no hugetlbfs: EINVAL\n");
        hugetlb_reported = true;
        return -EINVAL;
    }
    char name[252];
    long n = strncpy_from_user(t->mm, name, a[0], (long)sizeof(name) - 1);
    if (n < 0)
        return -EFAULT;
    name[n] = '\0';
    struct file *f = memfd_file_create(name, flags, &err);
    if (!f)
        return err;
    int fd = fd_install(t, f, 0, flags & MFD_CLOEXEC);
    if (fd < 0)
        fput(f);
    return fd;
}

/* memfd_secret(2): mm/secretmem.c's file, O_CLOEXEC the only flag. */
static long sys_memfd_secret(struct task *t, const uint64_t a[6])
{
    int err;
    struct file *f = secretmem_file_create((unsigned int)a[0], &err);
    if (!f)
        return err;
    int fd = fd_install(t, f, 0, (a[0] & O_CLOEXEC) != 0);
    if (fd < 0)
        fput(f);
    return fd;
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

/* The NUMA memory policies (Linux's uapi mempolicy.h). */
enum { MPOL_DEFAULT, MPOL_PREFERRED, MPOL_BIND, MPOL_INTERLEAVE, MPOL_LOCAL, MPOL_MAX = 7 };
#define MPOL_F_NODE 1
#define MPOL_F_ADDR 2
#define MPOL_F_MEMS_ALLOWED 4
#define MPOL_MODE_FLAGS 0xe000 /* MPOL_F_STATIC_NODES, MPOL_F_RELATIVE_NODES, NUMA_BALANCING */
#define NR_NODE_IDS 1          /* one memory node, node 0 */
#define MAX_NUMNODES 1024      /* the largest nodemask the kernel reads */

/*
 * Write a nodemask of maxnode - 1 bits in whole longs, as the kernel's
 * copy_nodes_to_user does (more than a page of them is EINVAL): node 0 or none.
 */
static long put_nodemask(struct task *t, uint64_t umask, uint64_t maxnode, bool node0)
{
    if (!umask)
        return 0;
    uint64_t words = (maxnode - 1 + 63) / 64, zero = 0, first = node0 ? 1 : 0;
    if (words * 8 > PAGE_SIZE)
        return -EINVAL;
    for (uint64_t i = 0; i < words; i++)
        if (copy_to_user(t->mm, umask + i * 8, i ? &zero : &first, 8))
            return -EFAULT;
    return 0;
}

/* Read a nodemask of maxnode - 1 bits (the kernel drops the last): bit 0, any other bit. */
static long get_nodemask(struct task *t, uint64_t umask, uint64_t maxnode, bool *node0,
                         bool *others)
{
    *node0 = *others = false;
    if (!umask || maxnode < 2)
        return 0;
    if (maxnode - 1 > MAX_NUMNODES)
        return -EINVAL;
    uint64_t bits = maxnode - 1;
    for (uint64_t i = 0; i * 64 < bits; i++) {
        uint64_t w;
        if (copy_from_user(t->mm, &w, umask + i * 8, 8))
            return -EFAULT;
        if (bits - i * 64 < 64)
            w &= (1ULL << (bits - i * 64)) - 1;
        *node0 |= i == 0 && (w & 1);
        *others |= (i == 0 ? w & ~1ULL : w) != 0;
    }
    return 0;
}

/*
 * set_mempolicy(2) on a machine with one memory node: the policy is checked
 * as Linux checks it and kept for get_mempolicy, and changes nothing else,
 * since every page comes from node 0 whatever it says.
 */
static long sys_set_mempolicy(struct task *t, const uint64_t a[6])
{
    int mode = (int)a[0] & ~MPOL_MODE_FLAGS;
    bool node0, others;
    if (mode < 0 || mode >= MPOL_MAX)
        return -EINVAL;
    long err = get_nodemask(t, a[1], a[2], &node0, &others);
    if (err)
        return err;
    if (mode == MPOL_DEFAULT || mode == MPOL_LOCAL) {
        if (node0 || others || ((int)a[0] & MPOL_MODE_FLAGS))
            return -EINVAL;
    } else if (!node0 && !(mode == MPOL_PREFERRED && !others)) {
        return -EINVAL; /* no allowed node in the mask */
    }
    t->mempolicy = mode == MPOL_LOCAL ? MPOL_LOCAL : (int)a[0];
    return 0;
}

/*
 * get_mempolicy(2): the policy set_mempolicy kept (mbind is not
 * implemented, so every range has the task's), every page on node 0, and
 * node 0 the one allowed.
 */
static long sys_get_mempolicy(struct task *t, const uint64_t a[6])
{
    uint64_t umode = a[0], umask = a[1], maxnode = a[2], addr = a[3], flags = a[4];
    if (flags & ~(uint64_t)(MPOL_F_NODE | MPOL_F_ADDR | MPOL_F_MEMS_ALLOWED))
        return -EINVAL;
    if (umask && maxnode < NR_NODE_IDS)
        return -EINVAL;
    int mode = t->mempolicy, m = mode & ~MPOL_MODE_FLAGS;
    bool node0 = m != MPOL_DEFAULT && m != MPOL_LOCAL;
    if (flags & MPOL_F_MEMS_ALLOWED) {
        if (flags & (MPOL_F_NODE | MPOL_F_ADDR))
            return -EINVAL;
        mode = 0;
        node0 = true;
    } else if (flags & MPOL_F_ADDR) {
        struct vm_area_struct *vma = find_vma(t->mm, addr);
        if (!vma || vma->vm_start > addr)
            return -EFAULT;
        if (flags & MPOL_F_NODE)
            mode = 0; /* the node the page is on */
    } else if (addr) {
        return -EINVAL;
    } else if (flags & MPOL_F_NODE) {
        if (m != MPOL_INTERLEAVE)
            return -EINVAL;
        mode = 0; /* the node of the next interleaved allocation */
    }
    if (umode && copy_to_user(t->mm, umode, &mode, sizeof(mode)))
        return -EFAULT;
    return put_nodemask(t, umask, maxnode, node0);
}

void sys_mm_register(syscall_fn table[NR_SYSCALLS])
{
    table[SYS_brk] = sys_brk;
    table[SYS_mmap] = sys_mmap;
    table[SYS_munmap] = sys_munmap;
    table[SYS_mprotect] = sys_mprotect;
    table[SYS_pkey_mprotect] = sys_pkey_mprotect;
    table[SYS_pkey_alloc] = sys_pkey_alloc;
    table[SYS_pkey_free] = sys_pkey_free;
    table[SYS_madvise] = sys_madvise;
    table[SYS_msync] = sys_msync;
    table[SYS_mremap] = sys_mremap;
    table[SYS_remap_file_pages] = sys_remap_file_pages;
    table[SYS_mseal] = sys_mseal;
    table[SYS_memfd_create] = sys_memfd_create;
    table[SYS_memfd_secret] = sys_memfd_secret;
    table[SYS_mincore] = sys_mincore;
    table[SYS_mlock] = sys_mlock;
    table[SYS_mlock2] = sys_mlock2;
    table[SYS_munlock] = sys_munlock;
    table[SYS_mlockall] = sys_mlockall;
    table[SYS_munlockall] = sys_munlockall;
    table[SYS_get_mempolicy] = sys_get_mempolicy;
    table[SYS_set_mempolicy] = sys_set_mempolicy;
}
