/*
 * Address spaces and the mmap family: an mm's life (its two reference
 * counts, teardown), mmap, munmap, brk and the stack's growth, with
 * Linux's argument checks, error numbers and x86-64 layout.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arch.h"
#include "internal.h"
#include "mman_new.h"
#include "mmap.h"
#include "pgtable.h"
#include "slab.h"
#include "vma_tree.h"

#define TASK_UNMAPPED_BASE PAGE_ALIGN(TASK_SIZE / 3)
#define VM_DATA_DEFAULT_FLAGS (VM_READ | VM_WRITE | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC)
#define DEFAULT_STACK_RLIMIT (8UL << 20)
#define PMD_SIZE (2UL << 20) /* what one huge page maps */
#ifndef MAP_UNINITIALIZED
#define MAP_UNINITIALIZED 0x4000000
#endif

static void vma_unaccount(struct mm_struct *mm, const struct vm_area_struct *vma);

/* Every mm that exists, oldest first: /proc/meminfo's Mlocked walks them. */
static struct list_head all_mms = LIST_HEAD_INIT(all_mms);

void mmlist_reset(void)
{
    INIT_LIST_HEAD(&all_mms);
}

struct mm_struct *next_mm(struct mm_struct *prev)
{
    struct list_head *n = prev ? prev->mmlist.next : all_mms.next;
    return n == &all_mms ? NULL : list_entry(n, struct mm_struct, mmlist);
}

struct mm_struct *mm_alloc(const struct vma_tree_ops *ops)
{
    struct mm_struct *mm = kmem_cache_zalloc(mm_cachep, GFP_KERNEL);
    if (!mm)
        return NULL;
    mm->mm_users = mm->mm_count = 1;
    mm->vma_ops = ops;
    mm->vma_tree = ops->create();
    if (!mm->vma_tree || pgd_alloc(mm) != 0) {
        if (mm->vma_tree)
            ops->destroy(mm->vma_tree);
        kmem_cache_free(mm_cachep, mm);
        return NULL;
    }
    mm->mmap_base = MMAP_BASE;
    mm->stack_rlimit = DEFAULT_STACK_RLIMIT;
    mm->limits = (struct mm_limits){~0UL, ~0UL, ~0UL, ~0UL, false};
    list_add_tail(&mm->mmlist, &all_mms);
    return mm;
}

void mm_inherit_flags(struct mm_struct *mm, const struct mm_struct *parent)
{
    unsigned long f = parent->flags;
    if (f & (1UL << MMF_HAS_MDWE_NO_INHERIT))
        f &= ~((1UL << MMF_HAS_MDWE) | (1UL << MMF_HAS_MDWE_NO_INHERIT));
    mm->flags =
        f & ((1UL << MMF_HAS_MDWE) | (1UL << MMF_HAS_MDWE_NO_INHERIT) | (1UL << MMF_VM_MERGE_ANY));
}

void exit_mmap(struct mm_struct *mm)
{
    struct vm_area_struct *vma;
    while ((vma = find_vma(mm, 0)) != NULL) {
        zap_page_range(vma, vma->vm_start, vma->vm_end);
        vma_unaccount(mm, vma);
        vma_unlink(mm, vma);
        vm_area_free(vma);
    }
    arch_flush_tlb_mm(mm);
    free_pgtables(mm, 0, TASK_SIZE);
}

void mmget(struct mm_struct *mm)
{
    mm->mm_users++;
}

void mmput(struct mm_struct *mm)
{
    if (--mm->mm_users > 0)
        return;
    exit_mmap(mm);
    mmdrop(mm);
}

void mmgrab(struct mm_struct *mm)
{
    mm->mm_count++;
}

void mmdrop(struct mm_struct *mm)
{
    if (--mm->mm_count > 0)
        return;
    list_del(&mm->mmlist);
    pgd_free(mm);
    mm->vma_ops->destroy(mm->vma_tree);
    kmem_cache_free(mm_cachep, mm);
}

struct vm_area_struct *find_vma(struct mm_struct *mm, unsigned long addr)
{
    return mm->vma_ops->find(mm->vma_tree, addr);
}

struct vm_area_struct *vma_next(struct mm_struct *mm, struct vm_area_struct *vma)
{
    return mm->vma_ops->next(mm->vma_tree, vma);
}

static bool range_is_free(struct mm_struct *mm, unsigned long start, unsigned long end)
{
    return !mm->vma_ops->find_intersection(mm->vma_tree, start, end);
}

/* The lowest address a VMA lets a gap below it reach: stacks keep a guard gap. */
unsigned long vm_start_gap(const struct vm_area_struct *vma)
{
    unsigned long start = vma->vm_start;
    if (vma->vm_flags & VM_GROWSDOWN) {
        start -= STACK_GUARD_GAP;
        if (start > vma->vm_start)
            start = 0;
    }
    return start;
}

/* Does [addr, addr + len) keep clear of the VMA above it and its guard gap? */
static bool gap_fits(struct mm_struct *mm, unsigned long addr, unsigned long len)
{
    struct vm_area_struct *next = find_vma(mm, addr);
    return !next || addr + len <= vm_start_gap(next);
}

/*
 * The tree finds gaps between VMAs; a gap just below a VMA that grows down
 * must also leave its guard gap, so search again beneath it, as Linux's
 * unmapped_area_topdown does.
 */
static unsigned long search_topdown(struct mm_struct *mm, struct vm_unmapped_area_info *info)
{
    for (;;) {
        unsigned long addr = mm->vma_ops->unmapped_area_topdown(mm->vma_tree, info);
        if (IS_ERR_VALUE(addr) || gap_fits(mm, addr, info->length))
            return addr;
        info->high_limit = vm_start_gap(find_vma(mm, addr));
        if (info->high_limit < info->low_limit + info->length)
            return (unsigned long)-ENOMEM;
    }
}

static unsigned long search_bottomup(struct mm_struct *mm, struct vm_unmapped_area_info *info)
{
    for (;;) {
        unsigned long addr = mm->vma_ops->unmapped_area(mm->vma_tree, info);
        if (IS_ERR_VALUE(addr) || gap_fits(mm, addr, info->length))
            return addr;
        info->low_limit = find_vma(mm, addr)->vm_end;
    }
}

/*
 * MAP_32BIT (x86-64): x86's bottom-up arch_get_unmapped_area within
 * [1 GiB, 2 GiB), where find_start_end puts it with ASLR off; a hint is
 * taken if it fits below 2 GiB.
 */
static unsigned long map_32bit_area(struct mm_struct *mm, unsigned long addr, unsigned long len)
{
    const unsigned long begin = 0x40000000UL, end = 0x80000000UL;
    if (len > end)
        return (unsigned long)-ENOMEM;
    if (addr) {
        addr = PAGE_ALIGN(addr);
        if (end - len >= addr && gap_fits(mm, addr, len))
            return addr;
    }
    struct vm_unmapped_area_info info = {.length = len, .low_limit = begin, .high_limit = end};
    return search_bottomup(mm, &info);
}

/* x86's arch_get_unmapped_area_topdown with ASLR off: the hint if it fits, else top-down. */
static unsigned long arch_unmapped_area(struct mm_struct *mm, unsigned long addr, unsigned long len,
                                        unsigned long flags)
{
    if (len > TASK_SIZE)
        return (unsigned long)-ENOMEM;
    if (flags & MAP_FIXED)
        return addr;
    if (flags & MAP_32BIT)
        return map_32bit_area(mm, addr, len);
    if (addr) {
        addr &= PAGE_MASK;
        if (TASK_SIZE - len >= addr && gap_fits(mm, addr, len))
            return addr;
    }
    struct vm_unmapped_area_info info = {
        .length = len, .low_limit = PAGE_SIZE, .high_limit = mm->mmap_base};
    addr = search_topdown(mm, &info);
    if (!IS_ERR_VALUE(addr))
        return addr;
    /* No room below mmap_base: Linux falls back to a bottom-up search. */
    info.low_limit = TASK_UNMAPPED_BASE;
    info.high_limit = TASK_SIZE;
    return search_bottomup(mm, &info);
}

/*
 * Linux's __thp_get_unmapped_area: look for len plus 2 MiB, then place the
 * mapping inside so that file offset and address agree modulo 2 MiB, letting
 * huge pages map it. 0 when that does not apply or finds no room.
 */
static unsigned long thp_unmapped_area(struct mm_struct *mm, unsigned long addr, unsigned long len,
                                       unsigned long off, unsigned long flags)
{
    unsigned long off_end = off + len, off_align = (off + PMD_SIZE - 1) & ~(PMD_SIZE - 1);
    if (off_end <= off_align || off_end - off_align < PMD_SIZE)
        return 0;
    unsigned long len_pad = len + PMD_SIZE;
    if (len_pad < len || off + len_pad < off)
        return 0;
    unsigned long ret = arch_unmapped_area(mm, addr, len_pad, flags);
    if (IS_ERR_VALUE(ret))
        return 0;
    if (ret == addr)
        return addr; /* the hint was free: keep it */
    unsigned long off_sub = (off - ret) & (PMD_SIZE - 1);
    /* Top-down: when already aligned, take the upper end of the padded area. */
    return off_sub ? ret + off_sub : ret + PMD_SIZE;
}

unsigned long get_unmapped_area(struct mm_struct *mm, struct file *file, unsigned long addr,
                                unsigned long len, unsigned long pgoff, unsigned long flags)
{
    if (len > TASK_SIZE)
        return (unsigned long)-ENOMEM;
    unsigned long ret = 0;
    /*
     * ext4's and xfs's files place mappings for huge pages; so does anonymous
     * private memory since Linux 6.7, when it is a multiple of 2 MiB and has
     * no hint. Shared anonymous memory is shmem, which only does that when
     * shmem huge pages are enabled (they are not by default).
     */
    if (!(flags & MAP_FIXED)) {
        if (file && file->f_mapping)
            ret = thp_unmapped_area(mm, addr, len, pgoff << PAGE_SHIFT, flags);
        else if (!file && !(flags & MAP_SHARED) && !addr && !(len & (PMD_SIZE - 1)))
            ret = thp_unmapped_area(mm, addr, len, 0, flags);
    }
    if (!ret)
        ret = arch_unmapped_area(mm, addr, len, flags);
    if (IS_ERR_VALUE(ret))
        return ret;
    if (ret > TASK_SIZE - len)
        return (unsigned long)-ENOMEM;
    if (ret & ~PAGE_MASK)
        return (unsigned long)-EINVAL;
    /* security_mmap_addr: below mmap_min_addr needs CAP_SYS_RAWIO, and nothing goes lower than the
     * CPU allows. */
    if (ret < mmap_min_addr && (!mm->cap_sys_rawio || ret < FIRST_USER_ADDRESS))
        return (unsigned long)-EPERM;
    return ret;
}

bool may_expand_vm(const struct mm_struct *mm, unsigned long vm_flags, unsigned long npages)
{
    if (mm->total_vm + npages > mm->limits.as >> PAGE_SHIFT)
        return false;
    bool data = (vm_flags & (VM_WRITE | VM_SHARED | VM_STACK)) == VM_WRITE;
    if (data && mm->data_vm + npages > mm->limits.data >> PAGE_SHIFT) {
        /* Linux lets a zero soft limit pass up to the hard one (for Valgrind). */
        return mm->limits.data == 0 && mm->data_vm + npages <= mm->limits.data_max >> PAGE_SHIFT;
    }
    return true;
}

/* Pages mapped in [start, end): what MAP_FIXED over the range gives back. */
static unsigned long mapped_pages(struct mm_struct *mm, unsigned long start, unsigned long end)
{
    unsigned long n = 0;
    for (struct vm_area_struct *v = mm->vma_ops->find_intersection(mm->vma_tree, start, end);
         v && v->vm_start < end; v = vma_next(mm, v)) {
        unsigned long s = v->vm_start > start ? v->vm_start : start;
        unsigned long e = v->vm_end < end ? v->vm_end : end;
        n += (e - s) >> PAGE_SHIFT;
    }
    return n;
}

/* The access bits of prot and the flags of flags, as calc_vm_prot_bits and calc_vm_flag_bits. */
static unsigned long calc_vm_flags(struct mm_struct *mm, unsigned long prot, unsigned long flags)
{
    unsigned long vm = VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC | mm->def_flags;
    vm |= (prot & PROT_READ ? VM_READ : 0) | (prot & PROT_WRITE ? VM_WRITE : 0) |
          (prot & PROT_EXEC ? VM_EXEC : 0);
    vm |= (flags & MAP_GROWSDOWN ? VM_GROWSDOWN : 0) | (flags & MAP_LOCKED ? VM_LOCKED : 0);
    return vm;
}

/* MAP_SHARED ignores flags it does not know; MAP_SHARED_VALIDATE refuses them. */
#define LEGACY_MAP_MASK                                                                            \
    (MAP_SHARED | MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS | MAP_DENYWRITE | MAP_EXECUTABLE |       \
     MAP_UNINITIALIZED | MAP_GROWSDOWN | MAP_LOCKED | MAP_NORESERVE | MAP_POPULATE |               \
     MAP_NONBLOCK | MAP_STACK | MAP_HUGETLB)

/* The largest file offset a regular file may be mapped up to: MAX_LFS_FILESIZE. */
#define MAX_LFS_FILESIZE 0x7fffffffffffffffUL

/* do_mmap's checks of a file mapping against the file's open mode, in Linux's order. */
static int file_mmap_flags(struct mm_struct *mm, struct file *file, unsigned long len,
                           unsigned long prot, unsigned long flags, unsigned long pgoff,
                           unsigned long *vm)
{
    unsigned int acc = file->f_flags & O_ACCMODE;
    bool can_read = acc != O_WRONLY, can_write = acc != O_RDONLY;
    if (len > MAX_LFS_FILESIZE || pgoff > (MAX_LFS_FILESIZE - len) >> PAGE_SHIFT)
        return -EOVERFLOW;
    switch (flags & MAP_TYPE) {
    case MAP_SHARED:
    case MAP_SHARED_VALIDATE:
        if ((flags & MAP_TYPE) == MAP_SHARED_VALIDATE && (flags & ~LEGACY_MAP_MASK))
            return -EOPNOTSUPP;
        if ((prot & PROT_WRITE) && !can_write)
            return -EACCES;
        *vm |= VM_SHARED | VM_MAYSHARE;
        if (!can_write)
            *vm &= ~(VM_MAYWRITE | VM_SHARED);
        /* a shared mapping needs what a private one needs */
        __attribute__((fallthrough));
    case MAP_PRIVATE:
        if (!can_read)
            return -EACCES;
        if (!file->f_mapping)
            return -ENODEV; /* ttys, pipes: no mmap */
        if (*vm & VM_GROWSDOWN)
            return -EINVAL;
        if (file->f_mapping->secretmem)
            return secretmem_check_mmap(mm, len, vm);
        return file->f_mapping->memfd ? memfd_check_mmap(file->f_mapping, vm) : 0;
    default:
        return -EINVAL;
    }
}

/* The same for anonymous memory; sets the pgoff the VMA gets. */
static int anon_mmap_flags(unsigned long addr, unsigned long flags, unsigned long *vm,
                           unsigned long *pgoff)
{
    switch (flags & MAP_TYPE) {
    case MAP_SHARED:
        if (*vm & VM_GROWSDOWN)
            return -EINVAL;
        *pgoff = 0; /* shmem: offsets in its own object */
        *vm |= VM_SHARED | VM_MAYSHARE;
        return 0;
    case MAP_DROPPABLE:
        /* Private memory whose pages may be dropped (6.11): never locked, never a stack. */
        if (*vm & (VM_LOCKED | VM_GROWSDOWN))
            return -EINVAL;
        /* Nothing to reserve, and too volatile to survive a fork or a core dump. */
        *vm |= VM_DROPPABLE | VM_NORESERVE | VM_WIPEONFORK | VM_DONTDUMP;
        __attribute__((fallthrough));
    case MAP_PRIVATE:
        *pgoff = addr >> PAGE_SHIFT; /* so that neighbours' offsets line up for merging */
        return 0;
    default:
        return -EINVAL; /* MAP_SHARED_VALIDATE too: Linux only validates files */
    }
}

/*
 * The checks and the first split of an unmap, in Linux's order
 * (vms_gather_munmap_vmas): the VMA straddling start is split there unless
 * it is sealed; then any sealed VMA in the range refuses the whole unmap
 * with EPERM, that split staying made, as in Linux.
 */
static int munmap_prepare(struct mm_struct *mm, unsigned long start, unsigned long end)
{
    struct vm_area_struct *vma = mm->vma_ops->find_intersection(mm->vma_tree, start, end);
    int err = 0;
    if (vma && vma->vm_start < start &&
        (vma_is_sealed(vma) ? (err = -EPERM) : !split_vma(mm, vma, start, &err)))
        return err;
    return range_has_sealed_vma(mm, start, end) ? -EPERM : 0;
}

/* Pages of VM_ACCOUNT mappings in [start, end): what replacing the range gives back. */
static unsigned long accounted_pages(struct mm_struct *mm, unsigned long start, unsigned long end)
{
    unsigned long n = 0;
    for (struct vm_area_struct *v = mm->vma_ops->find_intersection(mm->vma_tree, start, end);
         v && v->vm_start < end; v = vma_next(mm, v)) {
        if (v->vm_flags & VM_ACCOUNT) {
            unsigned long s = v->vm_start > start ? v->vm_start : start;
            unsigned long e = v->vm_end < end ? v->vm_end : end;
            n += (e - s) >> PAGE_SHIFT;
        }
    }
    return n;
}

/* Private writable memory is charged to the commit unless MAP_NORESERVE said not to. */
static bool accountable_mapping(unsigned long vm_flags)
{
    return (vm_flags & (VM_NORESERVE | VM_SHARED | VM_WRITE)) == VM_WRITE;
}

/*
 * Create the VMA for [addr, addr + len), replacing whatever MAP_FIXED lands
 * on, charging the commit, and merging with neighbours when it can. The
 * VMA, its shmem object and the tree nodes are got first: once what it
 * replaces is gone, nothing can fail.
 */
static unsigned long mmap_region(struct mm_struct *mm, struct file *file, unsigned long addr,
                                 unsigned long len, unsigned long vm_flags, unsigned long pgoff)
{
    unsigned long pages = len >> PAGE_SHIFT;
    if (map_deny_write_exec(mm, vm_flags, vm_flags))
        return (unsigned long)-EACCES;
    int err = range_is_free(mm, addr, addr + len) ? 0 : munmap_prepare(mm, addr, addr + len);
    if (err)
        return (unsigned long)(long)err;
    if (!may_expand_vm(mm, vm_flags, pages - mapped_pages(mm, addr, addr + len)))
        return (unsigned long)-ENOMEM;
    if (accountable_mapping(vm_flags)) {
        /* What MAP_FIXED replaces was charged already: only the rest must fit. */
        if (!vm_enough_memory(pages - accounted_pages(mm, addr, addr + len)))
            return (unsigned long)-ENOMEM;
        vm_flags |= VM_ACCOUNT;
    }
    struct vm_area_struct *vma = vm_area_alloc(mm);
    if (!vma)
        return (unsigned long)-ENOMEM;
    vma->vm_start = addr;
    vma->vm_end = addr + len;
    if ((vm_flags & VM_LOCKED) && (vm_flags & VM_SPECIAL))
        vm_flags &= ~VM_LOCKED_MASK;
    vm_flags = ksm_vma_flags(mm, vm_flags) | VM_SOFTDIRTY; /* a new mapping is all soft-dirty */
    vma->vm_flags = vm_flags;
    vma->vm_pgoff = pgoff;
    /* Shared anonymous memory is a shmem object of its own (Linux's shmem_zero_setup). */
    if (file)
        vma->vm_file = get_file(file);
    else if ((vm_flags & VM_SHARED) && !(vma->vm_file = shmem_file_setup(len, &err)))
        goto free;
    /*
     * Two splits where MAP_FIXED cuts what it replaces (each re-inserts the
     * VMA it cuts and inserts the new piece), and the new VMA.
     */
    if ((err = vma_prealloc(mm, 5)) != 0)
        goto free;
    if (!range_is_free(mm, addr, addr + len))
        err = do_munmap(mm, addr, len);
    if (!err)
        err = vma_link(mm, vma);
    vma_prealloc_done(mm);
    if (err)
        goto free;
    vm_acct_memory((vm_flags & VM_ACCOUNT) ? (long)pages : 0);
    if (vm_flags & VM_LOCKED)
        mm->locked_vm += pages;
    vma_notify(mm, VMA_CREATED, vma);
    vma_merge_neighbours(mm, vma);
    return addr;
free:
    vm_area_free(vma);
    return (unsigned long)(long)err;
}

/*
 * MAP_HUGETLB, as Linux's ksys_mmap_pgoff answers it with no huge pages
 * reserved (vm.nr_hugepages = 0, the default): a size other than 2 MiB or
 * 1 GiB is EINVAL, and so is any file (vmemu has no hugetlbfs); otherwise
 * the reservation fails, ENOMEM, unless len is 0 (do_mmap's EINVAL).
 */
static long hugetlb_refusal(struct file *file, unsigned long len, unsigned long flags)
{
    unsigned long size_log = (flags >> MAP_HUGE_SHIFT) & MAP_HUGE_MASK;
    if (file || (size_log != 0 && size_log != 21 && size_log != 30) || !len)
        return -EINVAL;
    return -ENOMEM;
}

unsigned long do_mmap(struct mm_struct *mm, struct file *file, unsigned long addr,
                      unsigned long len, unsigned long prot, unsigned long flags,
                      unsigned long pgoff)
{
    if (flags & MAP_HUGETLB)
        return (unsigned long)hugetlb_refusal(file, len, flags);
    if (!len)
        return (unsigned long)-EINVAL;
    if (flags & MAP_FIXED_NOREPLACE)
        flags |= MAP_FIXED;
    if (!(flags & MAP_FIXED)) {
        /* round_hint_to_min: a hint below mmap_min_addr is moved up to it. */
        addr &= PAGE_MASK;
        if (addr && addr < mmap_min_addr)
            addr = PAGE_ALIGN(mmap_min_addr);
    }
    len = PAGE_ALIGN(len);
    if (!len)
        return (unsigned long)-ENOMEM;
    if (pgoff + (len >> PAGE_SHIFT) < pgoff)
        return (unsigned long)-EOVERFLOW;
    if (mm->map_count > DEFAULT_MAX_MAP_COUNT)
        return (unsigned long)-ENOMEM;

    unsigned long vm_flags = calc_vm_flags(mm, prot, flags);
    addr = get_unmapped_area(mm, file, addr, len, pgoff, flags);
    if (IS_ERR_VALUE(addr))
        return addr;
    if ((flags & MAP_FIXED_NOREPLACE) && !range_is_free(mm, addr, addr + len))
        return (unsigned long)-EEXIST;
    if ((flags & MAP_LOCKED) && !can_do_mlock(mm))
        return (unsigned long)-EPERM;
    if (!mlock_future_ok(mm, vm_flags, len))
        return (unsigned long)-EAGAIN;

    /* Populated as the call asked: the file's own flags (secretmem's VM_LOCKED) come later. */
    bool populate =
        (vm_flags & VM_LOCKED) || (flags & (MAP_POPULATE | MAP_NONBLOCK)) == MAP_POPULATE;
    int err = file ? file_mmap_flags(mm, file, len, prot, flags, pgoff, &vm_flags)
                   : anon_mmap_flags(addr, flags, &vm_flags, &pgoff);
    if (err)
        return (unsigned long)(long)err;
    /* MAP_NORESERVE is honoured because vmemu overcommits heuristically, as Linux by default. */
    if (flags & MAP_NORESERVE)
        vm_flags |= VM_NORESERVE;

    addr = mmap_region(mm, file, addr, len, vm_flags, pgoff);
    if (!IS_ERR_VALUE(addr) && populate)
        mm_populate(mm, addr, len);
    return addr;
}

/* What a VMA leaving the mm gives back: its commit charge and locked pages. */
static void vma_unaccount(struct mm_struct *mm, const struct vm_area_struct *vma)
{
    if (vma->vm_flags & VM_ACCOUNT)
        vm_unacct_memory((long)vma_pages(vma));
    if (vma->vm_flags & VM_LOCKED)
        mm->locked_vm -= vma_pages(vma);
}

/*
 * Detach and free the VMAs inside [start, end), splitting those that
 * straddle it. Both splits come first: if one fails for lack of memory,
 * nothing is unmapped (as Linux's do_vmi_align_munmap).
 */
static int unmap_vmas(struct mm_struct *mm, unsigned long start, unsigned long end, bool *flush)
{
    struct vm_area_struct *vma;
    int err = munmap_prepare(mm, start, end);
    if (err)
        return err;
    vma = mm->vma_ops->find_intersection(mm->vma_tree, end - 1, end);
    if (vma && vma->vm_end > end && !split_vma(mm, vma, end, &err))
        return err;
    while ((vma = mm->vma_ops->find_intersection(mm->vma_tree, start, end)) != NULL) {
        if (zap_page_range(vma, vma->vm_start, vma->vm_end))
            *flush = true;
        vma_notify(mm, VMA_REMOVED, vma);
        vma_unaccount(mm, vma);
        vma_unlink(mm, vma);
        vm_area_free(vma);
    }
    return 0;
}

/*
 * Does [start, end) lie in vma and the VMAs right after it, with no hole,
 * all mapping vma's file with vma's flags (remap_file_pages's rule)?
 */
static bool same_file_run(struct mm_struct *mm, struct vm_area_struct *vma, unsigned long end)
{
    struct vm_area_struct *prev = vma;
    while (prev->vm_end < end) {
        struct vm_area_struct *next = find_vma(mm, prev->vm_end);
        if (!next || next->vm_start != prev->vm_end || next->vm_file != vma->vm_file ||
            next->vm_flags != vma->vm_flags)
            return false;
        prev = next;
    }
    return true;
}

long do_remap_file_pages(struct mm_struct *mm, unsigned long start, unsigned long size,
                         unsigned long prot, unsigned long pgoff, unsigned long flags)
{
    if (prot)
        return -EINVAL;
    start &= PAGE_MASK;
    size &= PAGE_MASK;
    if (start + size <= start || pgoff + (size >> PAGE_SHIFT) < pgoff)
        return -EINVAL;
    struct vm_area_struct *vma = find_vma(mm, start);
    if (!vma || vma->vm_start > start || !(vma->vm_flags & VM_SHARED) || !vma->vm_file ||
        !same_file_run(mm, vma, start + size))
        return -EINVAL;
    prot = (vma->vm_flags & VM_READ ? PROT_READ : 0) | (vma->vm_flags & VM_WRITE ? PROT_WRITE : 0) |
           (vma->vm_flags & VM_EXEC ? PROT_EXEC : 0);
    flags = (flags & MAP_NONBLOCK) | MAP_SHARED | MAP_FIXED | MAP_POPULATE |
            (vma->vm_flags & VM_LOCKED ? MAP_LOCKED : 0);
    /* The new mapping replaces the VMA holding the file: keep it alive meanwhile. */
    struct file *file = get_file(vma->vm_file);
    unsigned long addr = do_mmap(mm, file, start, size, prot, flags, pgoff);
    fput(file);
    return IS_ERR_VALUE(addr) ? (long)addr : 0;
}

int do_munmap(struct mm_struct *mm, unsigned long start, unsigned long len)
{
    if ((start & ~PAGE_MASK) || start > TASK_SIZE || len > TASK_SIZE - start)
        return -EINVAL;
    len = PAGE_ALIGN(len);
    if (!len)
        return -EINVAL;
    bool flush = false;
    int err = unmap_vmas(mm, start, start + len, &flush);
    free_pgtables(mm, start, start + len);
    if (flush)
        arch_flush_tlb_mm(mm);
    return err;
}

/*
 * Linux's do_brk_flags: anonymous memory at [addr, addr + len), extending
 * vma when it ends at addr and could take the pages, else a new VMA that
 * merges with nothing (so the heap never joins the bss below it).
 */
static int do_brk_flags(struct mm_struct *mm, struct vm_area_struct *vma, unsigned long addr,
                        unsigned long len, unsigned long flags)
{
    unsigned long pages = len >> PAGE_SHIFT;
    flags = ksm_vma_flags(mm, flags | VM_DATA_DEFAULT_FLAGS | VM_ACCOUNT | mm->def_flags);
    if (!may_expand_vm(mm, flags, pages) || mm->map_count > DEFAULT_MAX_MAP_COUNT ||
        !vm_enough_memory((long)pages))
        return -ENOMEM;
    int err;
    flags |= VM_SOFTDIRTY; /* what brk adds is new: soft-dirty, as is the VMA it joins */
    if (vma && vma->vm_end == addr && ((vma->vm_flags ^ flags) & ~VM_SOFTDIRTY) == 0 &&
        !vma->vm_file && !vma->vm_name && !vma->anon_name &&
        vma->vm_pgoff + vma_pages(vma) == addr >> PAGE_SHIFT) {
        err = vma_set_range(mm, vma, vma->vm_start, addr + len, vma->vm_pgoff);
        vma->vm_flags |= VM_SOFTDIRTY;
        if (!err)
            vma_notify(mm, VMA_CHANGED, vma);
    } else {
        vma = vm_area_alloc(mm);
        if (!vma)
            return -ENOMEM;
        vma->vm_start = addr;
        vma->vm_end = addr + len;
        vma->vm_flags = flags;
        vma->vm_pgoff = addr >> PAGE_SHIFT;
        err = vma_link(mm, vma);
        if (err)
            vm_area_free(vma);
        else
            vma_notify(mm, VMA_CREATED, vma);
    }
    if (err)
        return err;
    vm_acct_memory((long)pages);
    if (flags & VM_LOCKED)
        mm->locked_vm += pages;
    return 0;
}

int vm_brk_flags(struct mm_struct *mm, unsigned long addr, unsigned long request,
                 unsigned long flags)
{
    unsigned long len = PAGE_ALIGN(request);
    if (len < request)
        return -ENOMEM;
    if (!len)
        return 0;
    if (flags & ~VM_EXEC)
        return -EINVAL;
    unsigned long r = get_unmapped_area(mm, NULL, addr, len, 0, MAP_FIXED);
    if (IS_ERR_VALUE(r))
        return (int)(long)r;
    if (!mlock_future_ok(mm, mm->def_flags, len))
        return -EAGAIN;
    /* Like MAP_FIXED, the bss replaces whatever was mapped there. */
    int err = do_munmap(mm, addr, len);
    if (err)
        return err;
    struct vm_area_struct *prev = mm->vma_ops->find_intersection(mm->vma_tree, addr - 1, addr);
    err = do_brk_flags(mm, prev, addr, len, flags);
    if (!err && (mm->def_flags & VM_LOCKED))
        mm_populate(mm, addr, len);
    return err;
}

/* The heap's VMA: the one just below oldbrk, if it lies at or above start_brk. */
static struct vm_area_struct *brk_vma(struct mm_struct *mm, unsigned long oldbrk)
{
    if (oldbrk <= mm->start_brk)
        return NULL;
    struct vm_area_struct *v = mm->vma_ops->find_intersection(mm->vma_tree, oldbrk - 1, oldbrk);
    return v && v->vm_start >= mm->start_brk ? v : NULL;
}

unsigned long do_brk(struct mm_struct *mm, unsigned long brk)
{
    unsigned long origbrk = mm->brk;
    if (brk < mm->start_brk)
        return origbrk;
    /* RLIMIT_DATA counts the heap and the data segment (Linux's check_data_rlimit). */
    if (mm->limits.data != ~0UL &&
        (brk - mm->start_brk) + (mm->end_data - mm->start_data) > mm->limits.data)
        return origbrk;
    unsigned long newbrk = PAGE_ALIGN(brk), oldbrk = PAGE_ALIGN(mm->brk);
    if (newbrk == oldbrk) {
        mm->brk = brk;
        return brk;
    }
    if (brk <= mm->brk) {
        /* Shrinking is always allowed, if the pages above are the heap's. */
        struct vm_area_struct *v = mm->vma_ops->find_intersection(mm->vma_tree, newbrk, oldbrk);
        if (!v || v->vm_start >= oldbrk)
            return origbrk;
        if (do_munmap(mm, newbrk, oldbrk - newbrk) != 0)
            return origbrk;
        mm->brk = brk;
        return brk;
    }
    if (!mlock_future_ok(mm, mm->def_flags, newbrk - oldbrk))
        return origbrk;
    /* Growing must leave a page, and a stack's guard gap, below the next mapping. */
    struct vm_area_struct *next = find_vma(mm, oldbrk);
    if (next && newbrk + PAGE_SIZE > vm_start_gap(next))
        return origbrk;
    if (do_brk_flags(mm, brk_vma(mm, oldbrk), oldbrk, newbrk - oldbrk, 0) != 0)
        return origbrk;
    mm->brk = brk;
    if (mm->def_flags & VM_LOCKED)
        mm_populate(mm, oldbrk, newbrk - oldbrk);
    return brk;
}

int expand_stack(struct mm_struct *mm, struct vm_area_struct *vma, unsigned long addr)
{
    addr &= PAGE_MASK;
    if (addr < mmap_min_addr || vma->vm_end - addr > mm->stack_rlimit)
        return -ENOMEM;
    struct vm_area_struct *prev = vma_prev(mm, vma);
    /* Keep Linux's guard gap above whatever lies below the stack. */
    if (prev && !(prev->vm_flags & VM_GROWSDOWN) && (prev->vm_flags & VM_ACCESS_FLAGS) &&
        (addr < prev->vm_end || addr - prev->vm_end < STACK_GUARD_GAP))
        return -ENOMEM;
    long grow = (long)((vma->vm_start - addr) >> PAGE_SHIFT);
    /* acct_stack_growth: within RLIMIT_AS and the memlock limit, charged like any private memory.
     */
    if (!may_expand_vm(mm, vma->vm_flags, (unsigned long)grow) ||
        !mlock_future_ok(mm, vma->vm_flags, (unsigned long)grow << PAGE_SHIFT))
        return -ENOMEM;
    if ((vma->vm_flags & VM_ACCOUNT) && !vm_enough_memory(grow))
        return -ENOMEM;
    int err = vma_set_range(mm, vma, addr, vma->vm_end, vma->vm_pgoff - (unsigned long)grow);
    if (err)
        return err;
    vm_acct_memory((vma->vm_flags & VM_ACCOUNT) ? grow : 0);
    if (vma->vm_flags & VM_LOCKED)
        mm->locked_vm += (unsigned long)grow;
    vma_notify(mm, VMA_CHANGED, vma);
    return 0;
}

int install_special_mapping(struct mm_struct *mm, unsigned long addr, unsigned long len,
                            unsigned long vm_flags, const struct vm_special_mapping *sm)
{
    struct vm_area_struct *vma = vm_area_alloc(mm);
    if (!vma)
        return -ENOMEM;
    vma->vm_start = addr;
    vma->vm_end = addr + len;
    /* Never expanded by mremap, never locked, even after mlockall(MCL_FUTURE). */
    vma->vm_flags = (vm_flags | mm->def_flags | VM_DONTEXPAND | VM_SOFTDIRTY) & ~VM_LOCKED_MASK;
    vma->vm_name = sm->name;
    vma->vm_special = sm;
    int err = vma_link(mm, vma);
    if (err) {
        vm_area_free(vma);
        return err;
    }
    vma_notify(mm, VMA_CREATED, vma);
    return 0;
}

/* Linux's vma_is_initial_heap: overlaps [start_brk, brk), strictly. */
static bool vma_is_heap(const struct vm_area_struct *vma)
{
    const struct mm_struct *mm = vma->vm_mm;
    return vma->vm_start < mm->brk && vma->vm_end > mm->start_brk;
}

/* Linux's vma_is_initial_stack: contains the stack pointer the program started with. */
static bool vma_is_stack(const struct vm_area_struct *vma)
{
    const struct mm_struct *mm = vma->vm_mm;
    return vma->vm_start <= mm->start_stack && vma->vm_end >= mm->start_stack;
}

/* The guest's path of a mapped file as the kernel prints it (d_path), " (deleted)" included. */
static const char *file_path(const struct file *f, char *buf, size_t len)
{
    struct stat st;
    if (f->f_host_fd < 0 || fstat(f->f_host_fd, &st) != 0 || st.st_nlink > 0)
        return f->f_path;
    snprintf(buf, len, "%s (deleted)", f->f_path);
    return buf;
}

const char *vma_name(const struct vm_area_struct *vma, char *buf, size_t len, bool portable)
{
    const char *name = "";
    const char *anon = anon_vma_name_text(vma);
    bool shmem = vma_file_is_shmem(vma->vm_file);
    if (anon && (shmem || (!vma_is_heap(vma) && !vma_is_stack(vma)))) {
        snprintf(buf, len, vma->vm_file ? "[anon_shmem:%s]" : "[anon:%s]", anon);
        return buf;
    }
    if (vma_file_is_shmem(vma->vm_file)) {
        /* An unlinked shmem file: shared anonymous memory's "/dev/zero", a memfd's name. */
        snprintf(buf, len, "%s (deleted)", vma->vm_file->f_path);
        return buf;
    } else if (vma->vm_file)
        name = portable ? vma->vm_file->f_path : file_path(vma->vm_file, buf, len);
    else if (vma->vm_name)
        name = vma->vm_name;
    else if (vma_is_heap(vma))
        name = "[heap]";
    else if (vma_is_stack(vma))
        name = "[stack]";
    if (portable && vma->vm_file && !vma_file_is_shmem(vma->vm_file)) {
        const char *slash = strrchr(name, '/');
        name = slash ? slash + 1 : name;
    }
    size_t n = strnlen(name, len - 1);
    memmove(buf, name, n); /* name may lie in buf: a base name, or the path itself */
    buf[n] = '\0';
    return buf;
}

const char *vma_perms(unsigned long vm_flags, char buf[5])
{
    buf[0] = vm_flags & VM_READ ? 'r' : '-';
    buf[1] = vm_flags & VM_WRITE ? 'w' : '-';
    buf[2] = vm_flags & VM_EXEC ? 'x' : '-';
    buf[3] = vm_flags & VM_MAYSHARE ? 's' : 'p';
    buf[4] = '\0';
    return buf;
}
