/*
 * The page-fault handler, in the shape of Linux's mm/memory.c: find the VMA,
 * check the access, then fill a missing entry (anonymous, zero page, file,
 * shmem) or break copy-on-write on a present read-only one. Also the MMU
 * walk the emulated CPU uses on every TLB miss, and zapping entries on
 * unmap.
 *
 * Invariants: every present entry but the zero page's holds one reference
 * and one map count of its page and one count in its mm's rss; a swap
 * entry holds one count of its slot and one in the mm's MM_SWAPENTS; a
 * private anonymous page is mapped writable only while it is exclusive to
 * the mapping (PG_anon_exclusive), so no write can reach a page another
 * mapping still sees.
 *
 * An allocation here may reclaim, which may unmap pages of this very mm:
 * a page the handler still uses after allocating holds a reference of its
 * own, and reclaim leaves such pages alone.
 */
#include <errno.h>
#include <string.h>

#include "arch.h"
#include "array_size.h"
#include "fault.h"
#include "internal.h"
#include "mmap.h"
#include "mmzone.h"
#include "pagemap.h"
#include "rmap.h"
#include "swap.h"
#include "userfaultfd_k.h"
#include "vmstat.h"
#include "writeback.h"

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
        [FAULT_SWAP_IN] = "swap-in",
        [FAULT_SPURIOUS] = "spurious",
        [FAULT_USERFAULT] = "userfault",
        [FAULT_SEGV_MAPERR] = "segv",
        [FAULT_SEGV_ACCERR] = "segv",
        [FAULT_OOM] = "oom",
        [FAULT_SIGBUS] = "sigbus",
    };
    return (unsigned)kind < ARRAY_SIZE(names) ? names[kind] : "?";
}

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

/* A zeroed anonymous page for vma at addr, in vma's family and exclusive to it; NULL: OOM. */
static struct page *alloc_anon_page(struct vm_area_struct *vma, unsigned long addr)
{
    struct mm_struct *mm = vma->vm_mm;
    if (anon_vma_prepare(vma))
        return NULL;
    struct page *page = alloc_page(GFP_HIGHUSER_MOVABLE | __GFP_ZERO);
    if (!page)
        return NULL;
    page_add_new_anon_rmap(page, vma, addr);
    lru_cache_add_inactive_or_unevictable(page, vma);
    mm->rss[MM_ANONPAGES]++;
    update_hiwater_rss(mm);
    return page;
}

/* Private anonymous memory: the zero page for a read, a fresh frame for a write. */
static enum fault_kind do_anonymous_page(struct vm_area_struct *vma, unsigned long addr,
                                         unsigned int flags, pte_t *pte, struct fault_result *res)
{
    pgprot_t prot = vm_get_page_prot(vma->vm_flags);
    if (vma->vm_flags & VM_UFFD_MISSING)
        return handle_userfault(vma, flags, VM_UFFD_MISSING, res);
    if (!(flags & FAULT_FLAG_WRITE)) {
        *pte = pfn_pte(zero_pfn, prot);
        res->pfn = zero_pfn;
        vma->vm_mm->faults.zero_page++;
        return FAULT_ANON_ZERO;
    }
    struct page *page = alloc_anon_page(vma, addr);
    if (!page)
        return FAULT_OOM;
    res->pfn = page_to_pfn(page);
    *pte = pfn_pte(res->pfn, pgprot_mkwrite(prot));
    vma->vm_mm->faults.anon_new++;
    return FAULT_ANON_NEW;
}

/* Copy src (NULL: the zero page) into a new private anonymous page mapped at addr. */
static enum fault_kind cow_into_new_page(struct vm_area_struct *vma, unsigned long addr, pte_t *pte,
                                         const void *src, struct fault_result *res)
{
    struct page *page = alloc_anon_page(vma, addr);
    if (!page)
        return FAULT_OOM;
    if (src)
        memcpy(page_address(page), src, PAGE_SIZE);
    res->pfn = page_to_pfn(page);
    *pte = pfn_pte(res->pfn, pgprot_mkwrite(vm_get_page_prot(vma->vm_flags)));
    vma->vm_mm->faults.cow++;
    return FAULT_COW;
}

/*
 * A writable shared mapping of shmem is mapped writable from the first
 * touch, reads included, as Linux does: shmem tracks no dirty pages, so it
 * needs no write fault to learn of a write (no writenotify).
 */
static bool vma_maps_writable(const struct vm_area_struct *vma)
{
    return (vma->vm_flags & (VM_SHARED | VM_WRITE)) == (VM_SHARED | VM_WRITE) &&
           vma_file_is_shmem(vma->vm_file);
}

/* Map a cached file or shmem page into the VMA's entry pte; takes a reference. */
static void map_file_page(struct vm_area_struct *vma, pte_t *pte, struct page *page, bool write)
{
    struct mm_struct *mm = vma->vm_mm;
    get_page(page);
    page->mapcount++;
    mm->rss[mm_counter_file(page)]++;
    update_hiwater_rss(mm);
    pgprot_t prot = vm_get_page_prot(vma->vm_flags);
    *pte = pfn_pte(page_to_pfn(page), write ? pgprot_mkwrite(prot) : prot);
    if (vma->vm_flags & VM_LOCKED)
        mlock_page(page);
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
        pte_t *pte = pte_offset(vma->vm_mm, a); /* same table as addr's: it exists */
        if (!pte || pte_present(*pte))
            continue;
        struct page *page = filemap_map_candidate(as, index);
        if (!page)
            continue;
        map_file_page(vma, pte, page, vma_maps_writable(vma));
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

/*
 * Shared anonymous memory: the shmem object's page, a new zeroed one on
 * first touch (reads included: shmem has no zero page), mapped writable
 * for a write. Pages another process or an earlier mapping left in the
 * object are found again, with fault-around, as Linux's shmem does.
 */
static enum fault_kind do_shmem_fault(struct vm_area_struct *vma, unsigned long addr,
                                      unsigned int flags, pte_t *pte, struct fault_result *res)
{
    struct mm_struct *mm = vma->vm_mm;
    bool write = flags & FAULT_FLAG_WRITE;
    /* Linux's uffd_disable_fault_around: the handler must see every minor fault. */
    if (!write && !(vma->vm_flags & (VM_UFFD_MINOR | VM_UFFD_WP)) &&
        do_fault_around(vma, addr, res)) {
        mm->faults.file_pages++;
        return FAULT_FILE_MINOR;
    }
    if (vma->vm_flags & (VM_UFFD_MINOR | VM_UFFD_MISSING)) {
        bool cached = filemap_find_page(vma->vm_file->f_mapping, linear_page_index(vma, addr));
        if (cached && (vma->vm_flags & VM_UFFD_MINOR))
            return handle_userfault(vma, flags, VM_UFFD_MINOR, res);
        if (!cached && (vma->vm_flags & VM_UFFD_MISSING))
            return handle_userfault(vma, flags, VM_UFFD_MISSING, res);
    }
    bool created;
    int err = 0;
    struct page *page =
        shmem_get_page(vma->vm_file->f_mapping, linear_page_index(vma, addr), &created, &err);
    if (!page)
        return FAULT_OOM;
    if (write && !(vma->vm_flags & VM_SHARED)) {
        /* A private mapping of a memfd: the object keeps its page, the writer gets a copy. */
        mm->faults.file_pages++;
        return cow_into_new_page(vma, addr, pte, page_address(page), res);
    }
    map_file_page(vma, pte, page, write || vma_maps_writable(vma));
    res->pfn = page_to_pfn(page);
    if (created) {
        mm->faults.anon_new++;
        return FAULT_ANON_NEW;
    }
    mm->faults.file_pages++;
    return FAULT_FILE_MINOR;
}

static enum fault_kind do_file_fault(struct vm_area_struct *vma, unsigned long addr,
                                     unsigned int flags, pte_t *pte, struct fault_result *res)
{
    struct address_space *as = vma->vm_file->f_mapping;
    pgoff_t pgoff = linear_page_index(vma, addr);
    if (!as || pgoff >= filemap_nr_pages(as))
        return FAULT_SIGBUS; /* beyond the end of the file */
    if (as->shmem)
        return do_shmem_fault(vma, addr, flags, pte, res);
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
    map_file_page(vma, pte, page, write);
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
        *pte = pfn_pte(res->pfn, vm_get_page_prot(vma->vm_flags));
    else
        map_file_page(vma, pte, page, 0);
    return FAULT_FILE_MINOR;
}

/* Drop what one present entry held: a reference, a map count, an rss count. */
static void unmap_one(struct vm_area_struct *vma, unsigned long addr, pte_t pteval)
{
    struct mm_struct *mm = vma->vm_mm;
    struct page *page = vm_normal_page(vma, addr, pteval);
    if (!page)
        return;
    if (PageFlag(page, PG_anon)) {
        mm->rss[MM_ANONPAGES]--;
    } else {
        /* What the CPU wrote through a shared entry must reach the file. */
        if (pte_dirty(pteval) && (vma->vm_flags & VM_SHARED))
            set_page_dirty(page);
        mm->rss[mm_counter_file(page)]--;
    }
    page->mapcount--;
    if (vma->vm_flags & VM_LOCKED)
        munlock_page(page);
    /* A swap-cache copy no entry names any more is of no use once unmapped. */
    if (PageFlag(page, PG_swapcache) && page->mapcount == 0)
        try_to_free_swap(page);
    put_page(page);
}

/*
 * Linux's wp_can_reuse_anon_folio: a page that is not known exclusive may
 * still be reused when the writer's mapping holds the only reference (no
 * other mapping, nobody else holding it); it then joins the writer's own
 * family. Any other reference forces a copy.
 */
static bool wp_can_reuse_anon_page(struct page *page, struct vm_area_struct *vma)
{
    if (page->refcount > 1 + PageFlag(page, PG_swapcache))
        return false;
    /* The swap cache's reference goes if no swap entry names the page any more. */
    if (PageFlag(page, PG_swapcache))
        try_to_free_swap(page);
    if (page->refcount != 1)
        return false;
    page_move_anon_rmap(page, vma);
    return true;
}

/* A write to a present entry without write permission in a writable VMA (Linux's do_wp_page). */
static enum fault_kind do_wp_page(struct vm_area_struct *vma, unsigned long addr, pte_t *pte,
                                  struct fault_result *res)
{
    struct page *page = vm_normal_page(vma, addr, *pte);
    res->pfn = pte_pfn(*pte);
    if (!page) { /* the zero page: never writable, whatever the mapping: copy */
        /* The address gets another frame: code translated from the old one goes. */
        if (vma->vm_flags & VM_EXEC)
            arch_flush_code_range(vma->vm_mm, addr, addr + PAGE_SIZE);
        return cow_into_new_page(vma, addr, pte, NULL, res);
    }
    if (vma->vm_flags & VM_SHARED) {
        *pte = pte_mkwrite(*pte);
        if (vma_file_is_shmem(vma->vm_file))
            return FAULT_WP_REUSE; /* shmem keeps no dirty state: nothing to write back */
        if (set_page_dirty(page))
            balance_dirty_pages_ratelimited(page->mapping);
        return FAULT_FILE_MINOR;
    }
    if (PageFlag(page, PG_anon) &&
        (PageFlag(page, PG_anon_exclusive) || wp_can_reuse_anon_page(page, vma))) {
        SetPageFlag(page, PG_anon_exclusive);
        *pte = pte_mkwrite(*pte);
        return FAULT_WP_REUSE;
    }
    pte_t old = *pte;
    if (vma->vm_flags & VM_EXEC)
        arch_flush_code_range(vma->vm_mm, addr, addr + PAGE_SIZE);
    get_page(page); /* the copy's allocation may reclaim: it must leave this page mapped */
    enum fault_kind k = cow_into_new_page(vma, addr, pte, page_address(page), res);
    if (k == FAULT_COW)
        unmap_one(vma, addr, old);
    put_page(page);
    return k;
}

/*
 * Linux's should_try_to_free_swap: leave the swap cache now when swap is
 * more than half full, the page is locked in memory, or a write will make
 * the swapped copy stale anyway and nobody else holds the page.
 */
static bool should_free_swap(struct page *page, struct vm_area_struct *vma, unsigned int flags)
{
    if (!PageFlag(page, PG_swapcache))
        return false;
    if (vm_swap_full() || (vma->vm_flags & VM_LOCKED) || PageFlag(page, PG_mlocked))
        return true;
    return (flags & FAULT_FLAG_WRITE) && page->refcount == 2;
}

static void trace_swapin(struct page *page, swp_entry_t entry, unsigned long ra)
{
    struct reclaim_event ev = {
        .op = RECLAIM_SWAPIN, .pfn = page_to_pfn(page), .slot = swp_offset(entry), .ra_pages = ra};
    reclaim_notify(&ev);
}

/*
 * Linux's do_swap_page: the entry names a swap slot. The page is in the
 * swap cache (a minor fault), or read from swap with its neighbours (a
 * major one). Mapped writable when it is certainly this mapping's alone
 * (the entry says it was exclusive, or nobody else holds it); a write to
 * a page others may share copies it, as any copy-on-write.
 */
static enum fault_kind do_swap_page(struct vm_area_struct *vma, unsigned long addr,
                                    unsigned int flags, pte_t *pte, struct fault_result *res)
{
    struct mm_struct *mm = vma->vm_mm;
    pte_t orig = *pte;
    swp_entry_t entry = pte_to_swp_entry(orig);
    if (!swap_entry_valid(entry))
        return FAULT_SIGBUS; /* Linux's "Bad swap entry": SIGBUS */
    if (anon_vma_prepare(vma))
        return FAULT_OOM;
    struct page *page = lookup_swap_cache(entry, NULL);
    if (!page) {
        unsigned long ra = 0;
        int err = 0;
        page = swapin_readahead(entry, &ra, &err);
        if (!page)
            return err == -ENOMEM ? FAULT_OOM : FAULT_SIGBUS;
        res->major = true;
        res->readahead = (unsigned int)ra;
        trace_swapin(page, entry, ra);
    }
    if (*pte != orig) { /* cannot happen with one CPU, but never map over a changed entry */
        put_page(page);
        return FAULT_SPURIOUS;
    }
    bool exclusive = pte_swp_exclusive(orig);
    swap_free(entry);
    if (should_free_swap(page, vma, flags))
        try_to_free_swap(page);
    mm->rss[MM_SWAPENTS]--;
    mm->rss[MM_ANONPAGES]++;
    update_hiwater_rss(mm);
    /* Our reference is the mapping's now: with nothing else on it the page is ours alone. */
    exclusive = exclusive || page->refcount == 1;
    pgprot_t prot = vm_get_page_prot(vma->vm_flags);
    bool uffd_wp = pte_swp_uffd_wp(orig) && (vma->vm_flags & VM_UFFD_WP);
    if (exclusive && (vma->vm_flags & VM_WRITE) && !uffd_wp) {
        prot = pgprot_mkwrite(prot);
        if (flags & FAULT_FLAG_WRITE)
            prot |= _PAGE_DIRTY;
    }
    page_add_anon_rmap(page, vma, addr, exclusive);
    res->pfn = page_to_pfn(page);
    *pte = pfn_pte(res->pfn, prot);
    if (pte_swp_soft_dirty(orig) || pte_dirty(*pte))
        *pte = pte_mksoft_dirty(*pte); /* written since the last clear, or now */
    if (uffd_wp)
        *pte = pte_mkuffd_wp(*pte); /* a write now faults to the handler: see fault_on_vma */
    if (vma->vm_flags & VM_LOCKED)
        mlock_page(page);
    if ((flags & FAULT_FLAG_WRITE) && !exclusive && (vma->vm_flags & VM_WRITE) && !uffd_wp) {
        enum fault_kind k = do_wp_page(vma, addr, pte, res);
        if (fault_is_error(k))
            return k;
    }
    return FAULT_SWAP_IN;
}

static enum fault_kind fault_on_vma(struct vm_area_struct *vma, unsigned long addr,
                                    unsigned int flags, struct fault_result *res)
{
    /* One walk: the tables are allocated only when the access is allowed and they are missing. */
    pte_t *pte = pte_offset(vma->vm_mm, addr);
    if (access_error(vma, flags, pte && pte_accessible(*pte)))
        return FAULT_SEGV_ACCERR;
    if (!pte && !(pte = pte_alloc_map(vma->vm_mm, addr)))
        return FAULT_OOM;
    if (pte_is_guard(*pte))
        return FAULT_SEGV_MAPERR; /* a guard region: SIGSEGV, SEGV_MAPERR as Linux sends it */
    if (is_swap_pte(*pte))
        return do_swap_page(vma, addr, flags, pte, res);
    if (!pte_present(*pte)) {
        if (vma->vm_special)
            return do_special_fault(vma, addr, flags, pte, res);
        if (vma->vm_file)
            return do_file_fault(vma, addr, flags, pte, res);
        return do_anonymous_page(vma, addr, flags, pte, res);
    }
    res->pfn = pte_pfn(*pte);
    if ((flags & FAULT_FLAG_WRITE) && !pte_write(*pte)) {
        if (userfaultfd_pte_wp(vma, *pte))
            return handle_userfault(vma, flags, VM_UFFD_WP, res);
        return do_wp_page(vma, addr, pte, res);
    }
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
    /*
     * Linux counts every fault it resolved, user or kernel access alike; one
     * that had to wait for a userfaultfd handler counts once, on its retry,
     * and as major (mm_account_fault: FAULT_FLAG_TRIED).
     */
    if (fault_is_error(res->kind)) {
        mm->faults.segv += res->kind == FAULT_SEGV_MAPERR || res->kind == FAULT_SEGV_ACCERR;
    } else if (res->kind != FAULT_USERFAULT) {
        bool major = res->major || (flags & FAULT_FLAG_TRIED);
        if (res->major)
            count_vm_event(PGMAJFAULT);
        if (major)
            mm->faults.maj_flt++;
        else
            mm->faults.min_flt++;
        count_vm_event(PGFAULT); /* /proc/vmstat's pgfault counts major ones too */
        arch_account_fault(mm, major);
    }
    if (mm->observer)
        mm->observer->fault(mm->observer->ctx, exact, flags, res);
}

bool mm_translate(struct mm_struct *mm, uint64_t va, enum mmu_access access, uint64_t *pa,
                  unsigned int *prot)
{
    /* The walk indexes bits 12-47 only: anything else would alias user pages. */
    if (va >= TASK_SIZE)
        return false;
    pte_t *pte = pte_offset(mm, (unsigned long)va);
    if (!pte || !pte_accessible(*pte))
        return false;
    pte_t v = *pte;
    if ((access == MMU_WRITE && !pte_write(v)) || (access == MMU_FETCH && !pte_exec(v)))
        return false;
    /* Set accessed, and dirty on a write, as the hardware walker does. */
    pte_t set = pte_mkyoung(v);
    if (access == MMU_WRITE)
        set = pte_mkdirty(set);
    if (set != v)
        *pte = v = set;
    *pa = pte_phys(v);
    /* Write is granted only once dirty, so a first write comes back to set D. */
    *prot = MMU_PROT_READ | (pte_exec(v) ? MMU_PROT_EXEC : 0) |
            ((pte_write(v) && pte_dirty(v)) ? MMU_PROT_WRITE : 0);
    return true;
}

unsigned int mmu_peek(struct mm_struct *mm, uint64_t va)
{
    pte_t *pte = va < TASK_SIZE ? pte_offset(mm, (unsigned long)va) : NULL;
    if (!pte || !pte_accessible(*pte))
        return 0;
    return MMU_PROT_READ | (pte_exec(*pte) ? MMU_PROT_EXEC : 0) |
           (pte_write(*pte) ? MMU_PROT_WRITE : 0);
}

struct zap_ctx {
    struct vm_area_struct *vma;
    bool any;
    bool drop_markers; /* munmap and exit: guard markers go too (Linux's ZAP_FLAG_DROP_MARKER) */
    bool keep_anon;    /* only the file's own pages go: private copies stay (a hole punched) */
};

/* Does the entry map a page of the VMA's file itself (not a private copy, not swap)? */
static bool file_page_pte(struct vm_area_struct *vma, unsigned long addr, pte_t pte)
{
    if (!pte_present(pte))
        return false;
    struct page *page = vm_normal_page(vma, addr, pte);
    return page && !PageFlag(page, PG_anon);
}

static void zap_one(pte_t *pte, unsigned long addr, void *arg)
{
    struct zap_ctx *z = arg;
    if (z->keep_anon && !file_page_pte(z->vma, addr, *pte))
        return;
    if (is_swap_pte(*pte)) {
        free_swap_and_cache(pte_to_swp_entry(ptep_get_and_clear(pte)));
        z->vma->vm_mm->rss[MM_SWAPENTS]--;
        return;
    }
    if (!pte_present(*pte)) {
        if (z->drop_markers && pte_is_guard(*pte))
            *pte = 0;
        return;
    }
    unmap_one(z->vma, addr, ptep_get_and_clear(pte));
    if (arch_tlb_may_hold(z->vma->vm_mm, addr))
        z->any = true;
}

static bool zap_range(struct vm_area_struct *vma, unsigned long start, unsigned long end,
                      bool drop_markers, bool keep_anon)
{
    struct zap_ctx z = {vma, false, drop_markers, keep_anon};
    /* Translated code is keyed by frame: drop it while the range still maps it. */
    if (vma->vm_flags & VM_EXEC)
        arch_flush_code_range(vma->vm_mm, start, end);
    walk_page_range(vma->vm_mm, start, end, zap_one, &z);
    return z.any;
}

bool zap_page_range(struct vm_area_struct *vma, unsigned long start, unsigned long end)
{
    return zap_range(vma, start, end, true, false);
}

bool zap_page_range_keep_markers(struct vm_area_struct *vma, unsigned long start, unsigned long end)
{
    return zap_range(vma, start, end, false, false);
}

bool zap_file_pages(struct vm_area_struct *vma, unsigned long start, unsigned long end)
{
    return zap_range(vma, start, end, false, true);
}

/*
 * Linux's can_change_pte_writable: may an entry of a writable VMA become
 * writable now, without waiting for a write fault that would only make it
 * writable? An exclusive anonymous page in a private mapping (the fault
 * would reuse it), any page of shmem, a shared file page already dirty.
 */
bool can_change_pte_writable(struct vm_area_struct *vma, unsigned long addr, pte_t pte)
{
    if (!(vma->vm_flags & VM_WRITE) || !pte_accessible(pte) || pte_uffd_wp(pte))
        return false;
    /* clear_refs 4 write-protected it: the next write must fault to be seen. */
    if (!(vma->vm_flags & VM_SOFTDIRTY) && !pte_soft_dirty(pte))
        return false;
    if (!(vma->vm_flags & VM_SHARED)) {
        struct page *page = vm_normal_page(vma, addr, pte);
        return page && PageFlag(page, PG_anon) && PageFlag(page, PG_anon_exclusive);
    }
    return vma_file_is_shmem(vma->vm_file) || pte_dirty(pte);
}

struct protect_ctx {
    struct vm_area_struct *vma;
    pgprot_t newprot;
    bool downgraded;
};

static void protect_one(pte_t *pte, unsigned long addr, void *arg)
{
    struct protect_ctx *p = arg;
    if (!pte_present(*pte))
        return;
    pte_t v = pte_modify(*pte, p->newprot);
    if (!pte_write(v) && can_change_pte_writable(p->vma, addr, v))
        v = pte_mkwrite(v);
    if (pte_downgraded(*pte, v) && arch_tlb_may_hold(p->vma->vm_mm, addr))
        p->downgraded = true;
    *pte = v;
}

bool change_protection(struct vm_area_struct *vma, unsigned long start, unsigned long end)
{
    pgprot_t prot = vm_get_page_prot(vma->vm_flags);
    struct protect_ctx p = {vma, (vma->vm_flags & VM_WRITE) ? pgprot_mkwrite(prot) : prot, false};
    walk_page_range(vma->vm_mm, start, end, protect_one, &p);
    return p.downgraded;
}
