/*
 * userfaultfd, the memory side (Linux's mm/userfaultfd.c and the VMA half
 * of fs/userfaultfd.c): which VMAs a context watches and how, the faults
 * handed to it, and the calls that resolve them by filling page tables
 * (UFFDIO_COPY, ZEROPAGE, CONTINUE) or changing write protection
 * (UFFDIO_WRITEPROTECT). Filling is not faulting: nothing here is counted
 * as a fault; the task that waited counts its fault when it retries.
 *
 * Invariants: a VMA has vm_userfaultfd_ctx set exactly when one of
 * __VM_UFFD_FLAGS is set, and that context serves the VMA's mm;
 * VM_UFFD_MINOR only on shmem, VM_UFFD_WP only on anonymous memory (as
 * Linux built without CONFIG_PTE_MARKER_UFFD_WP); an entry has
 * _PAGE_UFFD_WP only in a VM_UFFD_WP VMA and is then read-only.
 * Registrations end before their context does (userfaultfd_ctx_release),
 * so no VMA names a context that is gone.
 */
#include <errno.h>
#include <string.h>

#include "arch.h"
#include "internal.h"
#include "mmap.h"
#include "mmzone.h"
#include "pagemap.h"
#include "rmap.h"
#include "uaccess.h"
#include "userfaultfd.h"
#include "userfaultfd_k.h"

void userfaultfd_ctx_init(struct userfaultfd_ctx *ctx, struct mm_struct *mm, bool user_mode_only)
{
    memset(ctx, 0, sizeof(*ctx));
    ctx->mm = mm;
    ctx->user_mode_only = user_mode_only;
    mmgrab(mm);
}

static bool vma_is_anonymous(const struct vm_area_struct *vma)
{
    return !vma->vm_file && !vma->vm_special;
}

enum fault_kind handle_userfault(struct vm_area_struct *vma, unsigned int flags,
                                 unsigned long reason, struct fault_result *res)
{
    struct userfaultfd_ctx *ctx = vma->vm_userfaultfd_ctx;
    if (!ctx || ctx->sigbus)
        return FAULT_SIGBUS;
    /*
     * A kernel access (copy_from_user and friends): with UFFD_USER_MODE_ONLY
     * Linux fails it too (SIGBUS, so EFAULT); otherwise Linux would make
     * the system call wait, which vmemu's system calls cannot do from the
     * middle of a copy (docs/memory-api.md).
     */
    if (!(flags & FAULT_FLAG_USER))
        return FAULT_SIGBUS;
    res->uffd_reason = reason;
    res->uffd_retry_major = !vma->anon_vma && vma_is_anonymous(vma);
    return FAULT_USERFAULT;
}

static bool vma_is_shmem(const struct vm_area_struct *vma)
{
    return vma->vm_file && vma_file_is_shmem(vma->vm_file);
}

/* Linux's vma_can_userfault, for a kernel with shmem but no hugetlbfs and no uffd-wp markers. */
static bool vma_can_userfault(const struct vm_area_struct *vma, unsigned long vm_flags)
{
    vm_flags &= __VM_UFFD_FLAGS;
    if (vma->vm_flags & VM_DROPPABLE)
        return false;
    if ((vm_flags & VM_UFFD_MINOR) && !vma_is_shmem(vma))
        return false;
    if ((vm_flags & VM_UFFD_WP) && !vma_is_anonymous(vma))
        return false;
    return vma_is_anonymous(vma) || vma_is_shmem(vma);
}

/* The first VMA meeting [start, end), or NULL. */
static struct vm_area_struct *first_in_range(struct mm_struct *mm, unsigned long start,
                                             unsigned long end)
{
    struct vm_area_struct *vma = find_vma(mm, start);
    return vma && vma->vm_start < end ? vma : NULL;
}

#define for_each_vma_in(mm, vma, start, end)                                                       \
    for (vma = first_in_range(mm, start, end); vma && vma->vm_start < (end);                       \
         vma = vma_next(mm, vma))

struct wp_walk {
    struct vm_area_struct *vma;
    bool enable;
    bool drop; /* only clear the bit: the entry keeps its rights */
    bool downgraded;
};

static void wp_one(pte_t *pte, unsigned long addr, void *arg)
{
    struct wp_walk *w = arg;
    if (!pte_present(*pte))
        return;
    if (w->drop) {
        *pte = pte_clear_uffd_wp(*pte);
        return;
    }
    if (w->enable) {
        w->downgraded |= pte_write(*pte);
        *pte = pte_mkuffd_wp(*pte);
        return;
    }
    pte_t v = pte_clear_uffd_wp(*pte);
    /* Linux's MM_CP_TRY_CHANGE_WRITABLE: write back where no write fault would be needed. */
    if (!pte_write(v) && can_change_pte_writable(w->vma, addr, v))
        v = pte_mkwrite(v);
    *pte = v;
}

/* Linux's uffd_wp_range: true if some entry lost write (the TLB must be flushed). */
static bool uffd_wp_range(struct vm_area_struct *vma, unsigned long start, unsigned long end,
                          bool enable)
{
    struct wp_walk w = {vma, enable, false, false};
    walk_page_range(vma->vm_mm, start, end, wp_one, &w);
    return w.downgraded;
}

/* Give [start, end) of vma these flags and this context, then merge where Linux would. */
static struct vm_area_struct *uffd_modify_vma(struct mm_struct *mm, struct vm_area_struct *vma,
                                              unsigned long start, unsigned long end,
                                              unsigned long flags, struct userfaultfd_ctx *ctx,
                                              int *err)
{
    *err = 0;
    if (vma->vm_start < start && !(vma = split_vma(mm, vma, start, err)))
        return NULL;
    if (vma->vm_end > end && !split_vma(mm, vma, end, err))
        return NULL;
    vma->vm_flags = flags;
    vma->vm_userfaultfd_ctx = ctx;
    vma_notify(mm, VMA_CHANGED, vma);
    return vma_merge_neighbours(mm, vma);
}

/* Linux's userfaultfd_clear_vma: the VMA's part [start, end) is no longer watched. */
static struct vm_area_struct *uffd_clear_vma(struct mm_struct *mm, struct vm_area_struct *vma,
                                             unsigned long start, unsigned long end, int *err)
{
    if ((vma->vm_flags & VM_UFFD_WP) && uffd_wp_range(vma, start, end, false))
        arch_flush_tlb_mm(mm);
    return uffd_modify_vma(mm, vma, start, end, vma->vm_flags & ~__VM_UFFD_FLAGS, NULL, err);
}

void userfaultfd_moved(struct vm_area_struct *vma)
{
    if (!vma->vm_userfaultfd_ctx)
        return;
    struct wp_walk w = {vma, false, true, false};
    if (vma->vm_flags & VM_UFFD_WP)
        walk_page_range(vma->vm_mm, vma->vm_start, vma->vm_end, wp_one, &w);
    userfaultfd_dup_vma(vma);
}

/* Change the part of vma in [start, end) (it may split and merge): the VMA now holding it. */
typedef struct vm_area_struct *(*part_fn)(struct userfaultfd_ctx *ctx, struct vm_area_struct *vma,
                                          unsigned long start, unsigned long end,
                                          unsigned long vm_flags, int *err);

/* fn over every VMA's part in [start, end): 0, or the error that stopped it. */
static long for_each_part(struct userfaultfd_ctx *ctx, unsigned long start, unsigned long end,
                          part_fn fn, unsigned long vm_flags)
{
    struct vm_area_struct *vma;
    unsigned long addr = start;
    while ((vma = first_in_range(ctx->mm, addr, end)) != NULL) {
        unsigned long s = vma->vm_start > addr ? vma->vm_start : addr;
        unsigned long e = vma->vm_end < end ? vma->vm_end : end;
        int err = 0;
        if (!(vma = fn(ctx, vma, s, e, vm_flags, &err)))
            return err;
        addr = vma->vm_end > e ? vma->vm_end : e;
    }
    return 0;
}

/* What REGISTER and UNREGISTER fail with before looking at the VMAs. */
static long range_usable(struct userfaultfd_ctx *ctx, unsigned long start, unsigned long end)
{
    if (ctx->mm->mm_users == 0)
        return -ENOMEM;
    return first_in_range(ctx->mm, start, end) ? 0 : -EINVAL;
}

static struct vm_area_struct *register_part(struct userfaultfd_ctx *ctx, struct vm_area_struct *vma,
                                            unsigned long start, unsigned long end,
                                            unsigned long vm_flags, int *err)
{
    /* Already watched by ctx in this way: nothing to do. */
    if (vma->vm_userfaultfd_ctx == ctx && (vma->vm_flags & __VM_UFFD_FLAGS) == vm_flags)
        return vma;
    unsigned long flags = (vma->vm_flags & ~__VM_UFFD_FLAGS) | vm_flags;
    return uffd_modify_vma(ctx->mm, vma, start, end, flags, ctx, err);
}

long userfaultfd_register(struct userfaultfd_ctx *ctx, unsigned long start, unsigned long end,
                          unsigned long vm_flags)
{
    struct vm_area_struct *vma;
    long err = range_usable(ctx, start, end);
    if (err)
        return err;
    for_each_vma_in(ctx->mm, vma, start, end)
    {
        if (!vma_can_userfault(vma, vm_flags))
            return -EINVAL;
        /* UFFDIO_COPY fills even a read-only mapping: the file must be writable. */
        if (!(vma->vm_flags & VM_MAYWRITE))
            return -EPERM;
        if (vma->vm_userfaultfd_ctx && vma->vm_userfaultfd_ctx != ctx)
            return -EBUSY;
    }
    return for_each_part(ctx, start, end, register_part, vm_flags);
}

static struct vm_area_struct *unregister_part(struct userfaultfd_ctx *ctx,
                                              struct vm_area_struct *vma, unsigned long start,
                                              unsigned long end, unsigned long vm_flags, int *err)
{
    (void)vm_flags;
    if (!vma->vm_userfaultfd_ctx)
        return vma;
    return uffd_clear_vma(ctx->mm, vma, start, end, err);
}

long userfaultfd_unregister(struct userfaultfd_ctx *ctx, unsigned long start, unsigned long end)
{
    struct vm_area_struct *vma;
    long err = range_usable(ctx, start, end);
    if (err)
        return err;
    for_each_vma_in(ctx->mm, vma, start, end)
    {
        if (!vma_can_userfault(vma, vma->vm_flags))
            return -EINVAL;
    }
    return for_each_part(ctx, start, end, unregister_part, 0);
}

void userfaultfd_ctx_release(struct userfaultfd_ctx *ctx)
{
    struct mm_struct *mm = ctx->mm;
    unsigned long addr = 0;
    struct vm_area_struct *vma;
    /* A split that fails for want of memory leaves that VMA watched: go on past it. */
    while (mm->mm_users && (vma = find_vma(mm, addr)) != NULL) {
        addr = vma->vm_end;
        int err;
        if (vma->vm_userfaultfd_ctx == ctx &&
            (vma = uffd_clear_vma(mm, vma, vma->vm_start, vma->vm_end, &err)) != NULL)
            addr = vma->vm_end;
    }
    mmdrop(mm);
}

/* The VMA [dst, dst + len) must lie in, registered (Linux's uffd_mfill_lock); NULL: *err. */
static struct vm_area_struct *mfill_vma(struct userfaultfd_ctx *ctx, unsigned long dst,
                                        unsigned long len, long *err)
{
    struct vm_area_struct *vma = find_vma(ctx->mm, dst);
    *err = -ENOENT;
    if (!vma || vma->vm_start > dst || dst + len > vma->vm_end || !vma->vm_userfaultfd_ctx)
        return NULL;
    *err = -ENOMEM;
    if (!(vma->vm_flags & VM_SHARED) && anon_vma_prepare(vma))
        return NULL;
    *err = -EINVAL;
    if (!vma_is_anonymous(vma) && !vma_is_shmem(vma))
        return NULL;
    return vma;
}

/*
 * Linux's mfill_atomic_install_pte: map page at addr, dirty (the handler
 * wrote it), writable when the VMA is unless it is a cached page in a
 * private mapping (a write must copy it) or write protection is asked.
 */
static void install_pte(struct vm_area_struct *vma, unsigned long addr, pte_t *pte,
                        struct page *page, bool in_cache, bool wp)
{
    struct mm_struct *mm = vma->vm_mm;
    bool writable = (vma->vm_flags & VM_WRITE) && !(in_cache && !(vma->vm_flags & VM_SHARED));
    pgprot_t prot = vm_get_page_prot(vma->vm_flags);
    pte_t v = pte_mkdirty(pfn_pte(page_to_pfn(page), writable ? pgprot_mkwrite(prot) : prot));
    if (in_cache) {
        get_page(page);
        page->mapcount++;
        mm->rss[mm_counter_file(page)]++;
    } else {
        page_add_new_anon_rmap(page, vma, addr);
        lru_cache_add_inactive_or_unevictable(page, vma);
        mm->rss[MM_ANONPAGES]++;
    }
    update_hiwater_rss(mm);
    if (vma->vm_flags & VM_LOCKED)
        mlock_page(page);
    *pte = wp ? pte_mkuffd_wp(v) : v;
}

enum mfill_mode { MFILL_COPY, MFILL_ZEROPAGE, MFILL_CONTINUE };

struct mfill_req {
    enum mfill_mode mode;
    struct mm_struct *src_mm;
    unsigned long src;
    bool wp;
};

/* A new shmem page at index holding data (NULL: zeros), in the cache; NULL on failure. */
static struct page *shmem_fill_page(struct address_space *as, pgoff_t index, const void *data,
                                    long *err)
{
    bool created;
    int e = 0;
    struct page *page = shmem_get_page(as, index, &created, &e);
    if (!page) {
        *err = e ? e : -ENOMEM;
        return NULL;
    }
    if (data)
        memcpy(page_address(page), data, PAGE_SIZE);
    return page;
}

static long mfill_one(struct vm_area_struct *vma, unsigned long addr, const struct mfill_req *r,
                      const void *data)
{
    struct mm_struct *mm = vma->vm_mm;
    pte_t *pte = pte_alloc_map(mm, addr);
    if (!pte)
        return -ENOMEM;
    if (!pte_none(*pte))
        return -EEXIST;
    if (r->mode == MFILL_CONTINUE || (vma->vm_flags & VM_SHARED)) {
        struct address_space *as = vma->vm_file->f_mapping;
        pgoff_t index = linear_page_index(vma, addr);
        if (index >= filemap_nr_pages(as))
            return -EFAULT; /* beyond the end of the file */
        struct page *page = filemap_find_page(as, index);
        if (r->mode == MFILL_CONTINUE) {
            if (!page)
                return -EFAULT;
        } else {
            long err = -EEXIST;
            if (page || !(page = shmem_fill_page(as, index, data, &err)))
                return err;
        }
        install_pte(vma, addr, pte, page, true, r->wp);
        return 0;
    }
    if (r->mode == MFILL_ZEROPAGE) {
        *pte = pfn_pte(zero_pfn, vm_get_page_prot(vma->vm_flags));
        return 0;
    }
    struct page *page = alloc_page(GFP_HIGHUSER_MOVABLE);
    if (!page)
        return -ENOMEM;
    memcpy(page_address(page), data, PAGE_SIZE);
    pte = pte_alloc_map(mm, addr); /* the allocation may have reclaimed: walk again */
    if (!pte || !pte_none(*pte)) {
        __free_page(page);
        return pte ? -EEXIST : -ENOMEM;
    }
    install_pte(vma, addr, pte, page, false, r->wp);
    return 0;
}

/* Linux's mfill_atomic: page by page; the bytes done, or -errno if none. */
static long mfill_atomic(struct userfaultfd_ctx *ctx, unsigned long dst, unsigned long len,
                         const struct mfill_req *r)
{
    static unsigned char buf[PAGE_SIZE];
    long err;
    if (ctx->mm->mm_users == 0)
        return -ESRCH;
    struct vm_area_struct *vma = mfill_vma(ctx, dst, len, &err);
    if (!vma)
        return err;
    if (r->wp && !(vma->vm_flags & VM_UFFD_WP))
        return -EINVAL;
    if (r->mode == MFILL_CONTINUE && !vma_is_shmem(vma))
        return -EINVAL;
    unsigned long done = 0;
    err = 0;
    while (done < len) {
        const void *data = NULL;
        if (r->mode == MFILL_COPY) {
            if (copy_from_user(r->src_mm, buf, r->src + done, PAGE_SIZE)) {
                err = -EFAULT;
                break;
            }
            data = buf;
        }
        if ((err = mfill_one(vma, dst + done, r, data)) != 0)
            break;
        done += PAGE_SIZE;
    }
    return done ? (long)done : err;
}

long mfill_atomic_copy(struct userfaultfd_ctx *ctx, unsigned long dst, struct mm_struct *src_mm,
                       unsigned long src, unsigned long len, bool wp)
{
    struct mfill_req r = {MFILL_COPY, src_mm, src, wp};
    return mfill_atomic(ctx, dst, len, &r);
}

long mfill_atomic_zeropage(struct userfaultfd_ctx *ctx, unsigned long dst, unsigned long len)
{
    struct mfill_req r = {MFILL_ZEROPAGE, NULL, 0, false};
    return mfill_atomic(ctx, dst, len, &r);
}

long mfill_atomic_continue(struct userfaultfd_ctx *ctx, unsigned long dst, unsigned long len,
                           bool wp)
{
    struct mfill_req r = {MFILL_CONTINUE, NULL, 0, wp};
    return mfill_atomic(ctx, dst, len, &r);
}

long mwriteprotect_range(struct userfaultfd_ctx *ctx, unsigned long start, unsigned long len,
                         bool enable)
{
    struct mm_struct *mm = ctx->mm;
    struct vm_area_struct *vma;
    unsigned long end = start + len;
    long err = -ENOENT;
    bool flush = false;
    if (mm->mm_users == 0)
        return -ESRCH;
    for_each_vma_in(mm, vma, start, end)
    {
        if (!(vma->vm_flags & VM_UFFD_WP)) {
            err = -ENOENT;
            break;
        }
        unsigned long s = vma->vm_start > start ? vma->vm_start : start;
        unsigned long e = vma->vm_end < end ? vma->vm_end : end;
        flush |= uffd_wp_range(vma, s, e, enable);
        err = 0;
    }
    if (flush)
        arch_flush_tlb_mm(mm);
    return err;
}
