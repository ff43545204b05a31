/*
 * fork's copy of an address space, as Linux 6.x's dup_mm, dup_mmap and
 * copy_page_range make it.
 *
 * Every VMA is duplicated except VM_DONTCOPY ones (MADV_DONTFORK); the
 * copy takes a reference to the file, joins the parent VMA's anon_vma
 * families and gets one of its own, and loses VM_LOCKED (locks are not
 * inherited). Entries are copied only where a fault could not fill them
 * the same way (Linux's vma_needs_copy): VMAs with anonymous pages, and
 * pfn mappings. File and shmem VMAs without anonymous pages are left to
 * refault from the page cache; VM_WIPEONFORK VMAs start empty. A copied
 * anonymous page is shared: its reference and map counts go up, it stops
 * being exclusive, and in a private writable mapping both entries lose
 * their write right, so that the first write on either side copies it or,
 * once it is no longer shared, reuses it (do_wp_page). The child's
 * entries start old; shared ones start clean (the parent keeps the dirty
 * bit writeback will collect).
 *
 * Invariant kept on every path, -ENOMEM included: the child is a
 * consistent mm (each VMA it holds linked and charged, each entry it holds
 * counted), so a failed copy is undone by the ordinary teardown.
 */
#include <errno.h>

#include "arch.h"
#include "internal.h"
#include "mmap.h"
#include "rmap.h"
#include "swap.h"
#include "vma_tree.h"

/* Linux's is_cow_mapping: private and possibly writable. */
static bool is_cow_mapping(unsigned long vm_flags)
{
    return (vm_flags & (VM_SHARED | VM_MAYWRITE)) == VM_MAYWRITE;
}

/* Linux's vma_needs_copy: what a fault in the child could not fill the same way. */
static bool vma_needs_copy(const struct vm_area_struct *src)
{
    return (src->vm_flags & (VM_PFNMAP | VM_MIXEDMAP)) || src->anon_vma;
}

struct copy_ctx {
    struct vm_area_struct *dst, *src;
    int err;
    bool wrprotected; /* a parent entry lost its write right: the parent's TLB must forget it */
};

/*
 * Linux's copy_nonpresent_pte for a swap entry: the child names the same
 * slot (one more reference to it), and neither side is exclusive any more.
 */
static void copy_swap_pte(struct copy_ctx *c, pte_t *src_pte, pte_t *dst_pte)
{
    if (swap_duplicate(pte_to_swp_entry(*src_pte))) {
        c->err = -ENOMEM; /* the slot's count is full: Linux would add a continuation page */
        return;
    }
    *src_pte = pte_swp_clear_exclusive(*src_pte);
    *dst_pte = *src_pte;
    c->dst->vm_mm->rss[MM_SWAPENTS]++;
}

/* Linux's copy_present_pte, for one entry of the parent at addr. */
static void copy_one(pte_t *src_pte, unsigned long addr, void *arg)
{
    struct copy_ctx *c = arg;
    /* Guard markers are copied (Linux's copy_pte_marker), swap entries duplicated. */
    if (c->err || pte_none(*src_pte))
        return;
    struct mm_struct *dst_mm = c->dst->vm_mm;
    pte_t *dst_pte = pte_alloc_map(dst_mm, addr);
    if (!dst_pte) {
        c->err = -ENOMEM;
        return;
    }
    /* Read only now: the table's allocation may have reclaimed the page into swap. */
    if (is_swap_pte(*src_pte)) {
        copy_swap_pte(c, src_pte, dst_pte);
        return;
    }
    pte_t pte = *src_pte;
    if (pte_is_guard(pte)) {
        *dst_pte = pte;
        return;
    }
    if (!pte_present(pte))
        return; /* a lazily freed page reclaim dropped meanwhile */
    struct page *page = vm_normal_page(c->src, addr, pte);
    if (page) {
        get_page(page);
        page->mapcount++;
        if (PageFlag(page, PG_anon)) {
            ClearPageFlag(page, PG_anon_exclusive); /* page_try_dup_anon_rmap */
            dst_mm->rss[MM_ANONPAGES]++;
        } else {
            dst_mm->rss[mm_counter_file(page)]++;
        }
    }
    if (is_cow_mapping(c->src->vm_flags) && pte_write(pte)) {
        *src_pte = pte_wrprotect(*src_pte);
        pte = pte_wrprotect(pte);
        c->wrprotected = true;
    }
    if (c->src->vm_flags & VM_SHARED)
        pte = pte_mkclean(pte);
    *dst_pte = pte_mkold(pte);
}

/* Linux's copy_page_range for one VMA: 0, or -ENOMEM with what was copied counted. */
static int copy_page_range(struct vm_area_struct *dst, struct vm_area_struct *src,
                           bool *wrprotected)
{
    struct copy_ctx c = {dst, src, 0, false};
    walk_page_range(src->vm_mm, src->vm_start, src->vm_end, copy_one, &c);
    *wrprotected |= c.wrprotected;
    return c.err;
}

/* One VMA of the parent into the child; 0 or -ENOMEM, the child consistent either way. */
static int dup_vma(struct mm_struct *mm, struct vm_area_struct *mpnt, bool *wrprotected)
{
    long charge = (mpnt->vm_flags & VM_ACCOUNT) ? (long)vma_pages(mpnt) : 0;
    if (!vm_enough_memory(charge))
        return -ENOMEM;
    struct vm_area_struct *tmp = vm_area_dup(mpnt);
    if (!tmp)
        return -ENOMEM;
    tmp->vm_mm = mm;
    tmp->vm_flags &= ~VM_LOCKED_MASK;
    /* A wiped VMA starts with no family: its first page will prepare one. */
    int err = (mpnt->vm_flags & VM_WIPEONFORK) ? 0 : anon_vma_fork(tmp, mpnt);
    if (!err)
        err = vma_link(mm, tmp);
    if (err) {
        vm_area_free(tmp);
        return err;
    }
    vm_acct_memory(charge);
    if ((mpnt->vm_flags & VM_WIPEONFORK) || !vma_needs_copy(mpnt))
        return 0;
    return copy_page_range(tmp, mpnt, wrprotected);
}

/* Linux's dup_mmap: the VMAs (and the entries that need it) in address order. */
static int dup_mmap(struct mm_struct *mm, struct mm_struct *oldmm)
{
    bool wrprotected = false;
    int err = 0;
    for (struct vm_area_struct *mpnt = find_vma(oldmm, 0); mpnt && !err;
         mpnt = vma_next(oldmm, mpnt)) {
        if (!(mpnt->vm_flags & VM_DONTCOPY))
            err = dup_vma(mm, mpnt, &wrprotected);
    }
    if (wrprotected)
        arch_flush_tlb_mm(oldmm);
    return err;
}

struct mm_struct *dup_mm(struct mm_struct *oldmm, int *err)
{
    struct mm_struct *mm = mm_alloc(oldmm->vma_ops);
    if (!mm) {
        *err = -ENOMEM;
        return NULL;
    }
    mm->mmap_base = oldmm->mmap_base;
    mm->start_code = oldmm->start_code;
    mm->end_code = oldmm->end_code;
    mm->start_data = oldmm->start_data;
    mm->end_data = oldmm->end_data;
    mm->start_brk = oldmm->start_brk;
    mm->brk = oldmm->brk;
    mm->start_stack = oldmm->start_stack;
    mm->arg_start = oldmm->arg_start;
    mm->arg_end = oldmm->arg_end;
    mm->env_start = oldmm->env_start;
    mm->env_end = oldmm->env_end;
    mm->stack_rlimit = oldmm->stack_rlimit;
    mm->cap_sys_rawio = oldmm->cap_sys_rawio;
    mm->limits = oldmm->limits;
    /* Linux copies the whole mm, its arch context with the keys taken included. */
    mm->pkey_allocation_map = oldmm->pkey_allocation_map;
    mm_inherit_flags(mm, oldmm);
    /* mlockall(MCL_FUTURE) is not inherited (Linux keeps only VM_INIT_DEF_MASK). */
    mm->def_flags = oldmm->def_flags & VM_NOHUGEPAGE;
    if ((*err = dup_mmap(mm, oldmm)) != 0) {
        mmput(mm);
        return NULL;
    }
    mm->hiwater_rss = get_mm_rss(mm);
    mm->hiwater_vm = mm->total_vm;
    return mm;
}
