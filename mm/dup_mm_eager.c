/*
 * A first fork for the process kernel: dup_mm copies an address space
 * eagerly (private anonymous pages are copied at fork time, shared ones
 * shared, file pages left to refault from the page cache). Copy-on-write
 * across fork replaces it.
 */
#include <errno.h>
#include <string.h>

#include "arch.h"
#include "fault.h"
#include "fs.h"
#include "mmap.h"
#include "pgtable.h"
#include "vma.h"
#include "vma_tree.h"

struct copy_ctx {
    struct mm_struct *dst;
    const struct vm_area_struct *vma;
    int err;
};

static void copy_one(pte_t *src, unsigned long addr, void *arg)
{
    struct copy_ctx *c = arg;
    if (c->err || !pte_present(*src))
        return;
    unsigned long pfn = pte_pfn(*src);
    struct page *page = pfn == zero_pfn ? NULL : pfn_to_page(pfn);
    if (page && !PageFlag(page, PG_anon))
        return; /* a page-cache page: the child refaults it */
    pte_t *dst = pte_alloc(c->dst, addr);
    if (!dst) {
        c->err = -ENOMEM;
        return;
    }
    if (!page) {
        *dst = *src;
        return;
    }
    if (PageFlag(page, PG_shmem)) {
        get_page(page);
        page->mapcount++;
        c->dst->rss[MM_SHMEMPAGES]++;
        *dst = *src;
        return;
    }
    struct page *copy = alloc_page(GFP_HIGHUSER_MOVABLE);
    if (!copy) {
        c->err = -ENOMEM;
        return;
    }
    memcpy(page_address(copy), page_address(page), PAGE_SIZE);
    copy->flags = page->flags & ((1UL << PG_anon) | (1UL << PG_swapbacked));
    copy->mapping = NULL;
    copy->index = page->index;
    copy->mapcount = 1;
    c->dst->rss[MM_ANONPAGES]++;
    *dst = pfn_pte(page_to_pfn(copy), *src & ~PTE_PFN_MASK);
}

static int dup_vma(struct mm_struct *mm, struct mm_struct *old, const struct vm_area_struct *src)
{
    struct vm_area_struct *vma = vm_area_alloc(mm);
    if (!vma)
        return -ENOMEM;
    vma->vm_start = src->vm_start;
    vma->vm_end = src->vm_end;
    vma->vm_flags = src->vm_flags & ~VM_LOCKED_MASK; /* mlock is not inherited */
    vma->vm_pgoff = src->vm_pgoff;
    vma->vm_name = src->vm_name;
    vma->vm_special = src->vm_special;
    vma->anon_vma = src->anon_vma;
    int err = vma_link(mm, vma);
    if (err) {
        vm_area_free(vma);
        return err;
    }
    if (src->vm_file)
        vma->vm_file = get_file(src->vm_file);
    if (vma->vm_flags & VM_ACCOUNT)
        vm_acct_memory((long)vma_pages(vma));
    if (src->vm_flags & VM_WIPEONFORK)
        return 0;
    struct copy_ctx c = {mm, vma, 0};
    pgtable_walk_range(old, src->vm_start, src->vm_end, copy_one, &c);
    return c.err;
}

struct mm_struct *dup_mm(struct mm_struct *old, int *err)
{
    struct mm_struct *mm = mm_alloc(old->vma_ops);
    if (!mm) {
        *err = -ENOMEM;
        return NULL;
    }
    mm->mmap_base = old->mmap_base;
    mm->start_code = old->start_code, mm->end_code = old->end_code;
    mm->start_data = old->start_data, mm->end_data = old->end_data;
    mm->start_brk = old->start_brk, mm->brk = old->brk, mm->start_stack = old->start_stack;
    mm->arg_start = old->arg_start, mm->arg_end = old->arg_end;
    mm->env_start = old->env_start, mm->env_end = old->env_end;
    mm->stack_rlimit = old->stack_rlimit;
    mm->next_anon_vma = old->next_anon_vma;
    mm->cap_sys_rawio = old->cap_sys_rawio;
    for (struct vm_area_struct *v = find_vma(old, 0); v; v = vma_next(old, v)) {
        if (v->vm_flags & VM_DONTCOPY)
            continue;
        if ((*err = dup_vma(mm, old, v)) != 0) {
            mmput(mm);
            return NULL;
        }
    }
    mm->hiwater_rss = get_mm_rss(mm);
    mm->hiwater_vm = mm->total_vm;
    *err = 0;
    return mm;
}
