/*
 * The page-fault handler, in the shape of Linux's mm/memory.c: find the VMA,
 * check the access, then fill a missing entry (anonymous, zero page, file)
 * or break copy-on-write on a present read-only one. Also the MMU walk the
 * emulated CPU uses on every TLB miss, and zapping entries on unmap.
 */
#include <errno.h>
#include <string.h>

#include "arch.h"
#include "fault.h"
#include "fs.h"
#include "memory.h"
#include "mmap.h"
#include "pagecache.h"
#include "pgtable.h"
#include "vmstat.h"

unsigned long zero_pfn;

const char *fault_kind_name(enum fault_kind kind)
{
    static const char *const names[] = {
        [FAULT_ANON_ZERO] = "anon-zero",
        [FAULT_ANON_NEW] = "anon-new",
        [FAULT_FILE_MINOR] = "file-minor",
        [FAULT_FILE_MAJOR] = "file-major",
        [FAULT_COW] = "cow",
        [FAULT_STACK_GROW] = "stack-grow",
        [FAULT_WP_REUSE] = "wp-reuse",
        [FAULT_SPURIOUS] = "spurious",
        [FAULT_SEGV_MAPERR] = "segv",
        [FAULT_SEGV_ACCERR] = "segv",
        [FAULT_OOM] = "oom",
        [FAULT_SIGBUS] = "sigbus",
    };
    return (unsigned)kind < sizeof(names) / sizeof(names[0]) ? names[kind] : "?";
}

static void update_hiwater_rss(struct mm_struct *mm)
{
    unsigned long rss = get_mm_rss(mm);
    if (rss > mm->hiwater_rss)
        mm->hiwater_rss = rss;
}

/* x86's access_error: what the VMA allows decides, not what the entry says. */
/*
 * x86's access_error, which judges by the VMA and by whether the entry was
 * present (a protection fault). A read or instruction fetch of a page not
 * yet present only needs an accessible VMA: a fetch from a readable,
 * non-executable page maps it first, counted as a fault, and only the retry
 * (now a protection fault on an NX entry) is SIGSEGV, as on Linux.
 */
static bool access_error(const struct vm_area_struct *vma, unsigned int flags, bool present)
{
    if (flags & FAULT_FLAG_WRITE)
        return !(vma->vm_flags & VM_WRITE);
    if ((flags & FAULT_FLAG_INSTRUCTION) && present)
        return !(vma->vm_flags & VM_EXEC);
    return !(vma->vm_flags & (VM_READ | VM_WRITE | VM_EXEC));
}

static struct page *alloc_anon_page(struct vm_area_struct *vma, unsigned long addr)
{
    struct mm_struct *mm = vma->vm_mm;
    if (!vma->anon_vma)
        vma->anon_vma = ++mm->next_anon_vma;
    struct page *page = alloc_page(GFP_HIGHUSER_MOVABLE | __GFP_ZERO);
    if (!page)
        return NULL;
    SetPageFlag(page, PG_anon);
    SetPageFlag(page, PG_swapbacked);
    page->mapping = NULL;
    page->index = addr >> PAGE_SHIFT;
    page->mapcount = 1;
    /* Shared anonymous memory is shmem: Shmem and RssShmem, not AnonPages. */
    if (vma->vm_flags & VM_SHARED) {
        SetPageFlag(page, PG_shmem);
        mm->rss[MM_SHMEMPAGES]++;
    } else {
        mm->rss[MM_ANONPAGES]++;
    }
    update_hiwater_rss(mm);
    return page;
}

static enum fault_kind do_anonymous_page(struct vm_area_struct *vma, unsigned long addr,
                                         unsigned int flags, pte_t *pte, struct fault_result *res)
{
    pte_t prot = vm_pte_flags(vma->vm_flags);
    bool write = flags & FAULT_FLAG_WRITE;
    /*
     * Reads of private memory never written share one zeroed frame. Shared
     * anonymous memory (shmem in Linux) gets its own frame even on a read:
     * a later write makes the entry writable in place (do_wp_page), which
     * must never happen to the zero page.
     */
    if (!write && !(vma->vm_flags & VM_SHARED)) {
        *pte = pfn_pte(zero_pfn, prot);
        res->pfn = zero_pfn;
        vma->vm_mm->faults.zero_page++;
        return FAULT_ANON_ZERO;
    }
    struct page *page = alloc_anon_page(vma, addr);
    if (!page)
        return FAULT_OOM;
    res->pfn = page_to_pfn(page);
    *pte = pfn_pte(res->pfn, prot | (write ? _PAGE_RW : 0));
    vma->vm_mm->faults.anon_new++;
    return FAULT_ANON_NEW;
}

/* Copy src into a new private anonymous page mapped at addr. */
static enum fault_kind cow_into_new_page(struct vm_area_struct *vma, unsigned long addr, pte_t *pte,
                                         const void *src, struct fault_result *res)
{
    struct page *page = alloc_anon_page(vma, addr);
    if (!page)
        return FAULT_OOM;
    if (src)
        memcpy(page_address(page), src, PAGE_SIZE);
    res->pfn = page_to_pfn(page);
    *pte = pfn_pte(res->pfn, vm_pte_flags(vma->vm_flags) | _PAGE_RW);
    vma->vm_mm->faults.cow++;
    return FAULT_COW;
}

/* Map a cached file page into the VMA's entry pte; takes a reference. */
static void map_file_page(struct vm_area_struct *vma, pte_t *pte, struct page *page, pte_t extra)
{
    struct mm_struct *mm = vma->vm_mm;
    get_page(page);
    page->mapcount++;
    /* Its first file page puts the mm where writeback and truncation look. */
    if (mm->rss[MM_FILEPAGES]++ == 0)
        rmap_mm_add(mm);
    update_hiwater_rss(mm);
    *pte = pfn_pte(page_to_pfn(page), vm_pte_flags(vma->vm_flags) | extra);
}

static pgoff_t linear_page_index(const struct vm_area_struct *vma, unsigned long addr)
{
    return vma->vm_pgoff + ((addr - vma->vm_start) >> PAGE_SHIFT);
}

/*
 * Linux's do_fault_around: map the cached pages of a window of 16 pages
 * around a read fault, the faulting one included, without faulting them.
 * The window starts at the fault rounded down to 16 pages, or at the VMA's
 * start if that is later, and runs 16 pages from there, within the VMA and
 * the page table. Returns true if the faulting page itself was mapped.
 */
static bool do_fault_around(struct vm_area_struct *vma, unsigned long addr,
                            struct fault_result *res)
{
    struct address_space *as = vma->vm_file->f_mapping;
    unsigned long pte_off = (addr >> PAGE_SHIFT) & (PTRS_PER_TABLE - 1);
    unsigned long vma_off = (addr - vma->vm_start) >> PAGE_SHIFT;
    unsigned long table = addr - (pte_off << PAGE_SHIFT);
    unsigned long from = pte_off & ~(unsigned long)(FAULT_AROUND_PAGES - 1);
    if (from < pte_off - (pte_off < vma_off ? pte_off : vma_off))
        from = pte_off - (pte_off < vma_off ? pte_off : vma_off);
    unsigned long to = from + FAULT_AROUND_PAGES;
    if (to > PTRS_PER_TABLE)
        to = PTRS_PER_TABLE;
    if (to > pte_off + vma_pages(vma) - vma_off)
        to = pte_off + vma_pages(vma) - vma_off;
    unsigned long start = table + (from << PAGE_SHIFT), end = table + (to << PAGE_SHIFT);
    bool mapped = false;
    for (unsigned long a = start; a < end; a += PAGE_SIZE) {
        pgoff_t index = linear_page_index(vma, a);
        if (index >= filemap_nr_pages(as))
            break;
        pte_t *pte = pte_lookup(vma->vm_mm, a); /* same table as addr's: it exists */
        if (!pte || pte_present(*pte))
            continue;
        struct page *page = filemap_map_candidate(as, index);
        if (!page)
            continue;
        map_file_page(vma, pte, page, 0);
        if (a == addr) {
            mapped = true;
            res->pfn = page_to_pfn(page);
        } else {
            res->around++;
        }
    }
    vma->vm_mm->faults.fault_around += res->around;
    return mapped;
}

static enum fault_kind do_file_fault(struct vm_area_struct *vma, unsigned long addr,
                                     unsigned int flags, pte_t *pte, struct fault_result *res)
{
    struct address_space *as = vma->vm_file->f_mapping;
    pgoff_t pgoff = linear_page_index(vma, addr);
    if (!as || pgoff >= filemap_nr_pages(as))
        return FAULT_SIGBUS; /* beyond the end of the file */
    struct mm_struct *mm = vma->vm_mm;
    bool write = flags & FAULT_FLAG_WRITE;
    if (!write && do_fault_around(vma, addr, res)) {
        mm->faults.file_pages++;
        return FAULT_FILE_MINOR;
    }
    int err = 0;
    unsigned long ra = 0;
    struct page *page = filemap_fault(vma, pgoff, &res->major, &ra, &err);
    res->readahead = (unsigned int)ra;
    mm->faults.readahead += ra;
    if (!page)
        return err == -ENOMEM ? FAULT_OOM : FAULT_SIGBUS;
    mm->faults.file_pages++;
    if (write && !(vma->vm_flags & VM_SHARED)) {
        enum fault_kind k = cow_into_new_page(vma, addr, pte, page_address(page), res);
        put_page(page);
        return k;
    }
    if (write)
        set_page_dirty(page);
    map_file_page(vma, pte, page, write ? _PAGE_RW : 0);
    put_page(page); /* map_file_page took the mapping's own reference */
    res->pfn = page_to_pfn(page);
    /* Only now, with the entry in place: writeback must see it to write-protect it. */
    if (write)
        balance_dirty_pages_ratelimited(as);
    return res->major ? FAULT_FILE_MAJOR : FAULT_FILE_MINOR;
}

/*
 * A special mapping's frame (Linux's special_mapping_fault, or
 * vmf_insert_pfn for VM_PFNMAP): the same frame in every mm that maps it.
 * A write (once mprotect or a debugger made the VMA writable) copies it,
 * as for any private mapping.
 */
static enum fault_kind do_special_fault(struct vm_area_struct *vma, unsigned long addr,
                                        unsigned int flags, pte_t *pte, struct fault_result *res)
{
    const struct vm_special_mapping *sm = vma->vm_special;
    pgoff_t index = linear_page_index(vma, addr);
    if (index >= sm->nr_frames)
        return FAULT_SIGBUS;
    struct page *page = pfn_to_page(sm->pfns[index]);
    if (flags & FAULT_FLAG_WRITE)
        return cow_into_new_page(vma, addr, pte, page_address(page), res);
    res->pfn = sm->pfns[index];
    if (vma->vm_flags & VM_PFNMAP)
        *pte = pfn_pte(res->pfn, vm_pte_flags(vma->vm_flags));
    else
        map_file_page(vma, pte, page, 0);
    return FAULT_FILE_MINOR;
}

/* Drop what one present entry held: a reference, a mapcount, an rss count. */
static void unmap_one(struct mm_struct *mm, struct vm_area_struct *vma, pte_t pteval)
{
    unsigned long pfn = pte_pfn(pteval);
    if (pfn == zero_pfn)
        return;
    /* A raw frame (VM_PFNMAP) was never referenced or counted; a copy of one is anonymous. */
    if (vma && (vma->vm_flags & VM_PFNMAP) && !PageFlag(pfn_to_page(pfn), PG_anon))
        return;
    struct page *page = pfn_to_page(pfn);
    if (PageFlag(page, PG_anon)) {
        mm->rss[PageFlag(page, PG_shmem) ? MM_SHMEMPAGES : MM_ANONPAGES]--;
    } else {
        /* What the CPU wrote through a shared entry must reach the file. */
        if ((pteval & _PAGE_DIRTY) && vma && (vma->vm_flags & VM_SHARED))
            set_page_dirty(page);
        if (--mm->rss[MM_FILEPAGES] == 0)
            rmap_mm_del(mm);
    }
    page->mapcount--;
    put_page(page);
}

/* A write to a present entry without write permission in a writable VMA. */
static enum fault_kind do_wp_page(struct vm_area_struct *vma, unsigned long addr, pte_t *pte,
                                  struct fault_result *res)
{
    unsigned long pfn = pte_pfn(*pte);
    struct page *page = pfn_to_page(pfn);
    res->pfn = pfn;
    if (pfn == zero_pfn) { /* never writable, whatever the mapping: copy */
        /* The address gets another frame: code translated from the old one goes. */
        if (vma->vm_flags & VM_EXEC)
            arch_flush_code_range(vma->vm_mm, addr, addr + PAGE_SIZE);
        return cow_into_new_page(vma, addr, pte, NULL, res);
    }
    if (vma->vm_flags & VM_SHARED) {
        *pte |= _PAGE_RW;
        if (set_page_dirty(page))
            balance_dirty_pages_ratelimited(page->mapping);
        return FAULT_FILE_MINOR;
    }
    if (PageFlag(page, PG_anon) && page->mapcount == 1 && page->refcount == 1) {
        *pte |= _PAGE_RW; /* nobody else sees this page: no copy needed */
        return FAULT_WP_REUSE;
    }
    pte_t old = *pte;
    if (vma->vm_flags & VM_EXEC)
        arch_flush_code_range(vma->vm_mm, addr, addr + PAGE_SIZE);
    enum fault_kind k = cow_into_new_page(vma, addr, pte, page_address(page), res);
    if (k == FAULT_COW)
        unmap_one(vma->vm_mm, vma, old);
    return k;
}

static enum fault_kind fault_on_vma(struct vm_area_struct *vma, unsigned long addr,
                                    unsigned int flags, struct fault_result *res)
{
    /* One walk: the tables are allocated only when the access is allowed and they are missing. */
    pte_t *pte = pte_lookup(vma->vm_mm, addr);
    if (access_error(vma, flags, pte && (*pte & _PAGE_PRESENT)))
        return FAULT_SEGV_ACCERR;
    if (!pte && !(pte = pte_alloc(vma->vm_mm, addr)))
        return FAULT_OOM;
    if (!pte_present(*pte)) {
        if (vma->vm_special)
            return do_special_fault(vma, addr, flags, pte, res);
        if (vma->vm_file)
            return do_file_fault(vma, addr, flags, pte, res);
        return do_anonymous_page(vma, addr, flags, pte, res);
    }
    res->pfn = pte_pfn(*pte);
    if ((flags & FAULT_FLAG_WRITE) && !(*pte & _PAGE_RW))
        return do_wp_page(vma, addr, pte, res);
    return FAULT_SPURIOUS;
}

void handle_mm_fault(struct mm_struct *mm, unsigned long addr, unsigned int flags,
                     struct fault_result *res)
{
    memset(res, 0, sizeof(*res));
    unsigned long exact = addr;
    addr &= PAGE_MASK;
    struct vm_area_struct *vma = find_vma(mm, addr);
    bool grew = false;
    if (vma && vma->vm_start > addr) {
        if (!(vma->vm_flags & VM_GROWSDOWN) || expand_stack(mm, vma, addr) != 0)
            vma = NULL;
        else
            grew = true;
    }
    res->vma = vma;
    if (!vma) {
        res->kind = FAULT_SEGV_MAPERR;
    } else {
        res->kind = fault_on_vma(vma, addr, flags, res);
        if (grew && !fault_is_error(res->kind))
            res->kind = FAULT_STACK_GROW;
    }
    /* Linux counts every fault it resolved, user or kernel access alike. */
    if (fault_is_error(res->kind)) {
        mm->faults.segv += res->kind == FAULT_SEGV_MAPERR || res->kind == FAULT_SEGV_ACCERR;
    } else if (res->major) {
        mm->faults.maj_flt++;
        count_vm_event(PGMAJFAULT);
    } else {
        mm->faults.min_flt++;
    }
    if (!fault_is_error(res->kind)) {
        count_vm_event(PGFAULT); /* /proc/vmstat's pgfault counts major ones too */
        arch_account_fault(mm, res->major);
    }
    if (mm->observer)
        mm->observer->fault(mm->observer->ctx, exact, flags, res);
}

bool mmu_translate(struct mm_struct *mm, uint64_t va, enum mmu_access access, uint64_t *pa,
                   unsigned int *prot)
{
    /* The walk indexes bits 12-47 only: anything else would alias user pages. */
    if (va >= TASK_SIZE)
        return false;
    pte_t *pte = pte_lookup(mm, (unsigned long)va);
    if (!pte || !(*pte & _PAGE_PRESENT))
        return false;
    pte_t v = *pte;
    if ((access == MMU_WRITE && !(v & _PAGE_RW)) || (access == MMU_FETCH && (v & _PAGE_NX)))
        return false;
    /* Set accessed, and dirty on a write, as the hardware walker does. */
    pte_t set = _PAGE_ACCESSED | (access == MMU_WRITE ? _PAGE_DIRTY : 0);
    if ((v & set) != set)
        *pte = v |= set;
    *pa = v & PTE_PFN_MASK;
    /* Write is granted only once dirty, so a first write comes back to set D. */
    *prot = MMU_PROT_READ | ((v & _PAGE_NX) ? 0 : MMU_PROT_EXEC) |
            (((v & _PAGE_RW) && (v & _PAGE_DIRTY)) ? MMU_PROT_WRITE : 0);
    return true;
}

struct zap_ctx {
    struct mm_struct *mm;
    struct vm_area_struct *vma;
    bool any;
};

static void zap_one(pte_t *pte, unsigned long addr, void *arg)
{
    struct zap_ctx *z = arg;
    (void)addr;
    if (!pte_present(*pte))
        return;
    pte_t old = *pte;
    *pte = 0;
    unmap_one(z->mm, z->vma, old);
    z->any = true;
}

bool zap_page_range(struct vm_area_struct *vma, unsigned long start, unsigned long end)
{
    struct zap_ctx z = {vma->vm_mm, vma, false};
    /* Translated code is keyed by frame: drop it while the range still maps it. */
    if (vma->vm_flags & VM_EXEC)
        arch_flush_code_range(vma->vm_mm, start, end);
    pgtable_walk_range(vma->vm_mm, start, end, zap_one, &z);
    return z.any;
}

struct protect_ctx {
    pte_t newprot;
    bool downgraded;
};

static void protect_one(pte_t *pte, unsigned long addr, void *arg)
{
    struct protect_ctx *p = arg;
    (void)addr;
    if (!pte_present(*pte))
        return;
    pte_t old = *pte;
    pte_t v = (old & (PTE_PFN_MASK | _PAGE_ACCESSED | _PAGE_DIRTY)) | p->newprot;
    /* Keep write only where the entry had it: COW pages stay read-only. */
    if (!(old & _PAGE_RW))
        v &= ~_PAGE_RW;
    if ((old & ~v & (_PAGE_PRESENT | _PAGE_RW)) || (v & ~old & _PAGE_NX))
        p->downgraded = true;
    *pte = v;
}

bool change_protection(struct vm_area_struct *vma, unsigned long start, unsigned long end)
{
    struct protect_ctx p = {vm_pte_flags(vma->vm_flags), false};
    if (vma->vm_flags & VM_WRITE)
        p.newprot |= _PAGE_RW;
    pgtable_walk_range(vma->vm_mm, start, end, protect_one, &p);
    return p.downgraded;
}
