/*
 * Page tables: x86-64 4-level tables in buddy frames, the entry format, range
 * walks, freeing empty tables, change_protection and zap_page_range, and the
 * MMU walk (mm_translate) with its accessed/dirty and permission rules.
 */
#include "tests/unit/support/support.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "mm/mmzone.h"
#include "mm/fault.h"
#include "mm/internal.h"
#include "mm/mm_init.h"
#include "mm/mmap.h"
#include "mm/pgtable.h"
#include "mm/slab.h"
#include "mm/uaccess.h"
#include "mm/vma_tree.h"

/* A 2 MiB aligned address whose PML4, PDPT and PD slots nothing else uses. */
#define FAR_ADDR 0x7e8040200000UL
#define PT_SPAN (512UL * PAGE_SIZE) /* bytes one page table covers */
#define PD_SPAN (512UL * PT_SPAN)
#define PDPT_SPAN (512UL * PD_SPAN)

static pte_t *table(unsigned long pfn)
{
    return (pte_t *)page_address(pfn_to_page(pfn));
}

static unsigned int idx(unsigned long addr, int level)
{
    return (unsigned int)(addr >> (PAGE_SHIFT + 9 * (level - 1))) & 511;
}

static struct mm_struct *new_mm(void)
{
    struct mm_struct *mm = mm_alloc(&vma_array_ops);
    assert_non_null(mm);
    return mm;
}

static unsigned long anon_map(struct mm_struct *mm, unsigned long addr, unsigned long len,
                              unsigned long prot)
{
    unsigned long a =
        do_mmap(mm, NULL, addr, len, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, 0);
    assert_int_equal(a, addr);
    return a;
}

static unsigned long fault(struct mm_struct *mm, unsigned long addr, unsigned int flags,
                           enum fault_kind want)
{
    struct fault_result r;
    handle_mm_fault(mm, addr, flags, &r);
    assert_int_equal(r.kind, want);
    return r.pfn;
}

/* The PML4 is one buddy frame, zeroed, counted in pgtables_bytes. */
static void test_pgd_alloc(void **state)
{
    (void)state;
    unsigned long before = test_free_or_slab_pages();
    struct mm_struct *mm = new_mm();
    assert_int_equal(test_free_or_slab_pages(), before - 1);
    assert_int_equal(mm->pgtables_bytes, PAGE_SIZE);
    struct page *pgd = pfn_to_page(mm->pgd);
    assert_true(PageFlag(pgd, PG_pgtable));
    assert_int_equal(pgd->refcount, 1);
    for (int i = 0; i < PTRS_PER_TABLE; i++)
        assert_int_equal(table(mm->pgd)[i], 0);
    assert_null(pte_offset(mm, FAR_ADDR));
    mmput(mm);
    assert_int_equal(test_free_or_slab_pages(), before);
}

/*
 * One page at a far address needs a PDPT, a PD and a PT: three frames, each
 * linked from the level above with P|RW|US|A and its pfn. Unmapping it and
 * freeing the tables gives all three back.
 */
static void test_three_tables_for_a_far_page(void **state)
{
    (void)state;
    struct mm_struct *mm = new_mm();
    unsigned long free0 = test_free_or_slab_pages();
    unsigned long bytes0 = mm->pgtables_bytes;

    pte_t *pte = pte_alloc_map(mm, FAR_ADDR);
    assert_non_null(pte);
    assert_int_equal(test_free_or_slab_pages(), free0 - 3);
    assert_int_equal(mm->pgtables_bytes, bytes0 + 3 * PAGE_SIZE);
    assert_int_equal(*pte, 0); /* a fresh table is all zeros */

    /* Walk by hand: every upper entry is a table entry in x86-64 format. */
    unsigned long pfn = mm->pgd;
    for (int level = 4; level > 1; level--) {
        pte_t e = table(pfn)[idx(FAR_ADDR, level)];
        assert_int_equal(e & 0xfff, _PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED);
        assert_int_equal(e & _PAGE_NX, 0);
        pfn = pte_pfn(e);
        assert_true(pfn < max_pfn);
        assert_true(PageFlag(pfn_to_page(pfn), PG_pgtable));
        assert_int_equal(pfn_to_page(pfn)->refcount, 1);
    }
    assert_ptr_equal(pte, &table(pfn)[idx(FAR_ADDR, 1)]);

    /* Lookups find the same slot; neighbours in the same PT need no new table. */
    assert_ptr_equal(pte_offset(mm, FAR_ADDR), pte);
    assert_ptr_equal(pte_offset(mm, FAR_ADDR + 0x123), pte);
    assert_ptr_equal(pte_offset(mm, FAR_ADDR + 5 * PAGE_SIZE), pte + 5);
    assert_ptr_equal(pte_alloc_map(mm, FAR_ADDR + 511 * PAGE_SIZE), pte + 511);
    assert_int_equal(test_free_or_slab_pages(), free0 - 3);
    /* The next 2 MiB needs one new PT; the next 1 GiB a PD and a PT. */
    assert_null(pte_offset(mm, FAR_ADDR + PT_SPAN));
    assert_non_null(pte_alloc_map(mm, FAR_ADDR + PT_SPAN));
    assert_int_equal(test_free_or_slab_pages(), free0 - 4);
    assert_null(pte_offset(mm, FAR_ADDR + PD_SPAN));
    assert_non_null(pte_alloc_map(mm, FAR_ADDR + PD_SPAN));
    assert_int_equal(test_free_or_slab_pages(), free0 - 6);
    assert_int_equal(mm->pgtables_bytes, bytes0 + 6 * PAGE_SIZE);

    /* A leaf entry holding a frame keeps its tables. */
    struct page *frame = alloc_page(GFP_KERNEL);
    *pte = pfn_pte(page_to_pfn(frame), _PAGE_PRESENT | _PAGE_USER | _PAGE_NX);
    free_pgtables(mm, FAR_ADDR, FAR_ADDR + PDPT_SPAN);
    /* the two tables of FAR_ADDR + PT_SPAN and + PD_SPAN held nothing */
    assert_int_equal(test_free_or_slab_pages(), free0 - 3 - 1);
    assert_ptr_equal(pte_offset(mm, FAR_ADDR), pte);
    assert_null(pte_offset(mm, FAR_ADDR + PT_SPAN));
    assert_null(pte_offset(mm, FAR_ADDR + PD_SPAN));

    /* Clear it: now the three tables go back. */
    *pte = 0;
    __free_page(frame);
    free_pgtables(mm, FAR_ADDR, FAR_ADDR + PAGE_SIZE);
    assert_int_equal(test_free_or_slab_pages(), free0);
    assert_int_equal(mm->pgtables_bytes, bytes0);
    assert_null(pte_offset(mm, FAR_ADDR));
    assert_int_equal(table(mm->pgd)[idx(FAR_ADDR, 4)], 0);
    mmput(mm);
}

/* A PROT_NONE entry still holds a page: its table is not empty. */
static void test_free_pgtables_keeps_protnone_and_neighbours(void **state)
{
    (void)state;
    struct mm_struct *mm = new_mm();
    unsigned long free0 = test_free_or_slab_pages();
    pte_t *a = pte_alloc_map(mm, FAR_ADDR);
    pte_t *b = pte_alloc_map(mm, FAR_ADDR + 7 * PAGE_SIZE);
    assert_int_equal(test_free_or_slab_pages(), free0 - 3);
    *b = pfn_pte(zero_pfn, _PAGE_PROTNONE | _PAGE_USER | _PAGE_NX);
    assert_true(pte_present(*b));
    assert_false(*b & _PAGE_PRESENT);
    /* Freeing around a's slot leaves the table: b is still in it. */
    free_pgtables(mm, FAR_ADDR, FAR_ADDR + PAGE_SIZE);
    assert_int_equal(test_free_or_slab_pages(), free0 - 3);
    assert_ptr_equal(pte_offset(mm, FAR_ADDR), a);
    *b = 0;
    free_pgtables(mm, FAR_ADDR, FAR_ADDR + PAGE_SIZE);
    assert_int_equal(test_free_or_slab_pages(), free0);
    mmput(mm);
}

/* Entries made by the fault path: x86-64 bits exactly. */
static void test_entry_format(void **state)
{
    (void)state;
    /* The architectural bit positions. */
    assert_int_equal(_PAGE_PRESENT, 1ULL << 0);
    assert_int_equal(_PAGE_RW, 1ULL << 1);
    assert_int_equal(_PAGE_USER, 1ULL << 2);
    assert_int_equal(_PAGE_ACCESSED, 1ULL << 5);
    assert_int_equal(_PAGE_DIRTY, 1ULL << 6);
    assert_int_equal(_PAGE_NX, 1ULL << 63);
    assert_int_equal(PTE_PFN_MASK, 0x000ffffffffff000ULL);
    assert_int_equal(pfn_pte(0x12345, _PAGE_PRESENT), 0x12345001ULL);
    assert_int_equal(pte_pfn(0x80000000abcde067ULL), 0xabcde);

    /*
     * Rights derived from vm_flags: write is added on demand, exec clears NX,
     * and entries start young (x86's protections carry the accessed bit).
     */
    const pte_t young = _PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED;
    assert_int_equal(vm_get_page_prot(VM_READ), young | _PAGE_NX);
    assert_int_equal(vm_get_page_prot(VM_READ | VM_WRITE), young | _PAGE_NX);
    assert_int_equal(vm_get_page_prot(VM_READ | VM_EXEC), young);
    pte_t none = vm_get_page_prot(VM_MAYREAD | VM_MAYWRITE);
    assert_false(none & _PAGE_PRESENT);
    assert_true(none & _PAGE_PROTNONE);
    assert_true(pte_present(none));

    struct mm_struct *mm = new_mm();
    unsigned long base = anon_map(mm, 0x600000000000UL, 4 * PAGE_SIZE, PROT_READ | PROT_WRITE);
    unsigned long x = anon_map(mm, 0x600000100000UL, PAGE_SIZE, PROT_READ | PROT_EXEC);

    unsigned long pfn = fault(mm, base, FAULT_FLAG_WRITE, FAULT_ANON_NEW);
    pte_t e = *pte_offset(mm, base);
    assert_int_equal(e, pfn_pte(pfn, _PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_NX) |
                            (e & (_PAGE_ACCESSED | _PAGE_DIRTY)));
    assert_int_equal(pte_pfn(e), pfn);

    fault(mm, base + PAGE_SIZE, 0, FAULT_ANON_ZERO);
    assert_int_equal(*pte_offset(mm, base + PAGE_SIZE) & ~(pte_t)(_PAGE_ACCESSED | _PAGE_DIRTY),
                     pfn_pte(zero_pfn, _PAGE_PRESENT | _PAGE_USER | _PAGE_NX));

    fault(mm, x, FAULT_FLAG_INSTRUCTION, FAULT_ANON_ZERO);
    pte_t xe = *pte_offset(mm, x);
    assert_true(xe & _PAGE_PRESENT);
    assert_false(xe & _PAGE_NX);
    assert_false(xe & _PAGE_RW);
    mmput(mm);
}

struct visit {
    unsigned long n;
    unsigned long first, last;
    bool ordered;
};

static void count_slot(pte_t *pte, unsigned long addr, void *ctx)
{
    struct visit *v = ctx;
    assert_non_null(pte);
    if (v->n == 0)
        v->first = addr;
    else if (addr != v->last + PAGE_SIZE)
        v->ordered = false;
    v->last = addr;
    v->n++;
}

static void walk_count(struct mm_struct *mm, unsigned long start, unsigned long end,
                       struct visit *v)
{
    memset(v, 0, sizeof(*v));
    v->ordered = true;
    walk_page_range(mm, start, end, count_slot, v);
}

static struct mm_struct *walk_mm;

static void check_slot(pte_t *pte, unsigned long addr, void *ctx)
{
    unsigned long *n = ctx;
    assert_ptr_equal(pte, pte_offset(walk_mm, addr));
    assert_int_equal(addr & ~PAGE_MASK, 0);
    (*n)++;
}

static void mark_slot(pte_t *pte, unsigned long addr, void *ctx)
{
    (void)addr, (void)ctx;
    *pte = pfn_pte(zero_pfn, _PAGE_PRESENT | _PAGE_USER | _PAGE_NX);
}

/* Range walks visit every slot of existing tables in order and skip absent ones. */
static void test_walk_range(void **state)
{
    (void)state;
    struct mm_struct *mm = walk_mm = new_mm();
    struct visit v;

    walk_count(mm, 0, TASK_SIZE, &v);
    assert_int_equal(v.n, 0);

    assert_non_null(pte_alloc_map(mm, FAR_ADDR + 5 * PAGE_SIZE));
    walk_count(mm, FAR_ADDR - PT_SPAN, FAR_ADDR + 2 * PT_SPAN, &v);
    assert_int_equal(v.n, 512);
    assert_int_equal(v.first, FAR_ADDR);
    assert_int_equal(v.last, FAR_ADDR + PT_SPAN - PAGE_SIZE);
    assert_true(v.ordered);

    walk_count(mm, FAR_ADDR + 3 * PAGE_SIZE, FAR_ADDR + 7 * PAGE_SIZE, &v);
    assert_int_equal(v.n, 4);
    assert_int_equal(v.first, FAR_ADDR + 3 * PAGE_SIZE);
    assert_int_equal(v.last, FAR_ADDR + 6 * PAGE_SIZE);

    walk_count(mm, FAR_ADDR, FAR_ADDR, &v);
    assert_int_equal(v.n, 0);

    /* Tables on both sides of a PML4 boundary and at the top of user space. */
    unsigned long pml4_edge = 0x7f8000000000UL; /* PML4 index 255 starts here */
    assert_non_null(pte_alloc_map(mm, pml4_edge - PAGE_SIZE));
    assert_non_null(pte_alloc_map(mm, pml4_edge));
    assert_non_null(pte_alloc_map(mm, TASK_SIZE - PAGE_SIZE));
    walk_count(mm, pml4_edge - 2 * PAGE_SIZE, pml4_edge + 2 * PAGE_SIZE, &v);
    assert_int_equal(v.n, 4);
    assert_int_equal(v.first, pml4_edge - 2 * PAGE_SIZE);
    assert_true(v.ordered);
    walk_count(mm, 0, TASK_SIZE, &v);
    assert_int_equal(v.n, 4 * 512 - 1); /* the last PT stops at TASK_SIZE */
    assert_int_equal(v.first, FAR_ADDR);
    assert_int_equal(v.last, TASK_SIZE - PAGE_SIZE);

    /* The slot handed over is the one pte_offset finds for that address. */
    unsigned long n = 0;
    walk_page_range(mm, 0, TASK_SIZE, check_slot, &n);
    assert_int_equal(n, 4 * 512 - 1);

    /* fn may set entries; they stick. */
    walk_page_range(mm, FAR_ADDR + PAGE_SIZE, FAR_ADDR + 3 * PAGE_SIZE, mark_slot, NULL);
    assert_int_equal(*pte_offset(mm, FAR_ADDR), 0);
    assert_int_equal(pte_pfn(*pte_offset(mm, FAR_ADDR + PAGE_SIZE)), zero_pfn);
    assert_int_equal(pte_pfn(*pte_offset(mm, FAR_ADDR + 2 * PAGE_SIZE)), zero_pfn);
    assert_int_equal(*pte_offset(mm, FAR_ADDR + 3 * PAGE_SIZE), 0);
    *pte_offset(mm, FAR_ADDR + PAGE_SIZE) = 0;
    *pte_offset(mm, FAR_ADDR + 2 * PAGE_SIZE) = 0;
    mmput(mm);
}

/* munmap through the fault path: pages and tables all come back. */
static void test_unmap_frees_pages_and_tables(void **state)
{
    (void)state;
    unsigned long free0 = test_free_or_slab_pages();
    struct mm_struct *mm = new_mm();
    unsigned long a = anon_map(mm, FAR_ADDR, 3 * PAGE_SIZE, PROT_READ | PROT_WRITE);
    assert_int_equal(test_free_or_slab_pages(), free0 - 1); /* only the PML4 so far */
    for (int i = 0; i < 3; i++)
        fault(mm, a + (unsigned long)i * PAGE_SIZE, FAULT_FLAG_WRITE, FAULT_ANON_NEW);
    assert_int_equal(test_free_or_slab_pages(), free0 - 1 - 3 - 3);
    assert_int_equal(mm->pgtables_bytes, 4 * PAGE_SIZE);
    unsigned long flushes = test_tlb_flushes;
    assert_int_equal(do_munmap(mm, a, 3 * PAGE_SIZE), 0);
    assert_true(test_tlb_flushes > flushes);
    assert_int_equal(test_free_or_slab_pages(), free0 - 1);
    assert_int_equal(mm->pgtables_bytes, PAGE_SIZE);
    assert_null(pte_offset(mm, a));
    mmput(mm);
    assert_int_equal(test_free_or_slab_pages(), free0);
}

/* zap_page_range clears entries, drops references and rss, reports whether it did. */
static void test_zap_page_range(void **state)
{
    (void)state;
    struct mm_struct *mm = new_mm();
    unsigned long a = anon_map(mm, FAR_ADDR, 4 * PAGE_SIZE, PROT_READ | PROT_WRITE | PROT_EXEC);
    unsigned long pfn[4];
    for (int i = 0; i < 4; i++)
        pfn[i] = fault(mm, a + (unsigned long)i * PAGE_SIZE, FAULT_FLAG_WRITE, FAULT_ANON_NEW);
    assert_int_equal(mm->rss[MM_ANONPAGES], 4);
    for (int i = 0; i < 4; i++)
        assert_int_equal(pfn_to_page(pfn[i])->mapcount, 1);
    unsigned long free1 = test_free_or_slab_pages();
    struct vm_area_struct *vma = find_vma(mm, a);
    unsigned long code = test_code_flushes;

    assert_true(zap_page_range(vma, a + PAGE_SIZE, a + 3 * PAGE_SIZE));
    assert_true(test_code_flushes > code); /* exec mapping: translated code dropped */
    assert_int_equal(test_free_or_slab_pages(), free1 + 2);
    assert_int_equal(mm->rss[MM_ANONPAGES], 2);
    assert_int_equal(*pte_offset(mm, a + PAGE_SIZE), 0);
    assert_int_equal(*pte_offset(mm, a + 2 * PAGE_SIZE), 0);
    assert_int_equal(pte_pfn(*pte_offset(mm, a)), pfn[0]);
    assert_int_equal(pte_pfn(*pte_offset(mm, a + 3 * PAGE_SIZE)), pfn[3]);
    assert_true(PageFlag(pfn_to_page(pfn[1]), PG_buddy) || pfn_to_page(pfn[1])->refcount == 0);

    /* Nothing left there: nothing to report. */
    assert_false(zap_page_range(vma, a + PAGE_SIZE, a + 3 * PAGE_SIZE));
    /* The zero page is never freed by a zap. */
    anon_map(mm, FAR_ADDR + PT_SPAN, PAGE_SIZE, PROT_READ);
    fault(mm, FAR_ADDR + PT_SPAN, 0, FAULT_ANON_ZERO);
    int zref = pfn_to_page(zero_pfn)->refcount;
    assert_true(zap_page_range(find_vma(mm, FAR_ADDR + PT_SPAN), FAR_ADDR + PT_SPAN,
                               FAR_ADDR + PT_SPAN + PAGE_SIZE));
    assert_int_equal(pfn_to_page(zero_pfn)->refcount, zref);
    assert_false(PageFlag(pfn_to_page(zero_pfn), PG_buddy));
    mmput(mm);
}

/* change_protection rewrites rights, keeps pfn, A and D, and reports downgrades. */
static void test_change_protection(void **state)
{
    (void)state;
    struct mm_struct *mm = new_mm();
    unsigned long a = anon_map(mm, FAR_ADDR, 2 * PAGE_SIZE, PROT_READ | PROT_WRITE);
    unsigned long pfn = fault(mm, a, FAULT_FLAG_WRITE, FAULT_ANON_NEW);
    uint64_t pa;
    unsigned int prot;
    assert_true(mm_translate(mm, a, MMU_WRITE, &pa, &prot)); /* sets A and D */
    pte_t *pte = pte_offset(mm, a);
    assert_true(*pte & _PAGE_DIRTY);
    assert_true(*pte & _PAGE_SOFT_DIRTY); /* every write that sets D sets soft-dirty */

    struct vm_area_struct *vma = find_vma(mm, a);
    unsigned long saved = vma->vm_flags;

    /* Read-only: RW goes, that is a downgrade. */
    vma->vm_flags = saved & ~VM_WRITE;
    assert_true(change_protection(vma, vma->vm_start, vma->vm_end));
    assert_int_equal(*pte, pfn_pte(pfn, _PAGE_PRESENT | _PAGE_USER | _PAGE_NX | _PAGE_ACCESSED |
                                            _PAGE_DIRTY | _PAGE_SOFT_DIRTY));

    /* Executable: NX goes, not a downgrade. */
    vma->vm_flags = (saved & ~VM_WRITE) | VM_EXEC;
    assert_false(change_protection(vma, vma->vm_start, vma->vm_end));
    assert_int_equal(*pte, pfn_pte(pfn, _PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED | _PAGE_DIRTY |
                                            _PAGE_SOFT_DIRTY));
    /* Not executable again: NX comes back, a downgrade. */
    vma->vm_flags = saved & ~VM_WRITE;
    assert_true(change_protection(vma, vma->vm_start, vma->vm_end));
    assert_true(*pte & _PAGE_NX);

    /* PROT_NONE: P clear, PROTNONE set, the page kept. */
    vma->vm_flags = saved & ~VM_ACCESS_FLAGS;
    assert_true(change_protection(vma, vma->vm_start, vma->vm_end));
    assert_false(*pte & _PAGE_PRESENT);
    assert_true(*pte & _PAGE_PROTNONE);
    assert_true(pte_present(*pte));
    assert_int_equal(pte_pfn(*pte), pfn);
    assert_false(mm_translate(mm, a, MMU_READ, &pa, &prot));

    /* Back to read-write: present again, same frame, content intact. */
    vma->vm_flags = saved;
    assert_false(change_protection(vma, vma->vm_start, vma->vm_end));
    assert_true(*pte & _PAGE_PRESENT);
    assert_false(*pte & _PAGE_PROTNONE);
    assert_int_equal(pte_pfn(*pte), pfn);
    assert_true(mm_translate(mm, a, MMU_READ, &pa, &prot));
    assert_int_equal(pa, (uint64_t)pfn << PAGE_SHIFT);

    /* The zero page never becomes writable through a protection change. */
    fault(mm, a + PAGE_SIZE, 0, FAULT_ANON_ZERO);
    assert_false(change_protection(vma, vma->vm_start, vma->vm_end));
    assert_false(*pte_offset(mm, a + PAGE_SIZE) & _PAGE_RW);
    assert_false(mm_translate(mm, a + PAGE_SIZE, MMU_WRITE, &pa, &prot));
    mmput(mm);
}

/* mprotect flushes the TLB when rights go, not when they come. */
static void test_mprotect_flushes_only_on_downgrade(void **state)
{
    (void)state;
    struct mm_struct *mm = new_mm();
    unsigned long a = anon_map(mm, FAR_ADDR, PAGE_SIZE, PROT_READ);
    unsigned long f = test_tlb_flushes;
    fault(mm, a, 0, FAULT_ANON_ZERO); /* installing an entry: no flush */
    assert_int_equal(test_tlb_flushes, f);
    assert_int_equal(do_mprotect(mm, a, PAGE_SIZE, PROT_READ | PROT_WRITE), 0);
    assert_int_equal(test_tlb_flushes, f);
    fault(mm, a, FAULT_FLAG_WRITE, FAULT_COW);
    assert_int_equal(do_mprotect(mm, a, PAGE_SIZE, PROT_READ), 0);
    assert_int_equal(test_tlb_flushes, f + 1);
    assert_int_equal(do_mprotect(mm, a, PAGE_SIZE, PROT_NONE), 0);
    assert_int_equal(test_tlb_flushes, f + 2);
    mmput(mm);
}

/* The MMU: A on any access, D only on a write, write granted only once D is set. */
static void test_mmu_accessed_dirty(void **state)
{
    (void)state;
    struct mm_struct *mm = new_mm();
    uint64_t pa = 0;
    unsigned int prot = 0;
    unsigned long a = anon_map(mm, FAR_ADDR, 2 * PAGE_SIZE, PROT_READ | PROT_WRITE);

    /* Nothing mapped yet: the walk fails and the caller faults. */
    assert_false(mm_translate(mm, a, MMU_READ, &pa, &prot));
    assert_false(mm_translate(mm, 0x1000, MMU_READ, &pa, &prot));

    unsigned long pfn = fault(mm, a, FAULT_FLAG_WRITE, FAULT_ANON_NEW);
    pte_t *pte = pte_offset(mm, a);
    *pte &= ~(pte_t)(_PAGE_ACCESSED | _PAGE_DIRTY);

    assert_true(mm_translate(mm, a + 0x123, MMU_READ, &pa, &prot));
    assert_int_equal(pa, (uint64_t)pfn << PAGE_SHIFT);
    assert_int_equal(prot, MMU_PROT_READ); /* writable, but clean: no write yet */
    assert_true(*pte & _PAGE_ACCESSED);
    assert_false(*pte & _PAGE_DIRTY);

    assert_true(mm_translate(mm, a, MMU_WRITE, &pa, &prot));
    assert_int_equal(pa, (uint64_t)pfn << PAGE_SHIFT);
    assert_int_equal(prot, MMU_PROT_READ | MMU_PROT_WRITE);
    assert_true(*pte & _PAGE_DIRTY);

    /* Once dirty, even a read hands out write. */
    assert_true(mm_translate(mm, a, MMU_READ, &pa, &prot));
    assert_int_equal(prot, MMU_PROT_READ | MMU_PROT_WRITE);

    /* A write sets A too when it was clear. */
    *pte &= ~(pte_t)(_PAGE_ACCESSED | _PAGE_DIRTY);
    assert_true(mm_translate(mm, a, MMU_WRITE, &pa, &prot));
    assert_int_equal(*pte & (_PAGE_ACCESSED | _PAGE_DIRTY), _PAGE_ACCESSED | _PAGE_DIRTY);

    /* The zero page read-only: read works, write refused and D stays clear. */
    fault(mm, a + PAGE_SIZE, 0, FAULT_ANON_ZERO);
    pte_t *zpte = pte_offset(mm, a + PAGE_SIZE);
    assert_true(mm_translate(mm, a + PAGE_SIZE, MMU_READ, &pa, &prot));
    assert_int_equal(pa, (uint64_t)zero_pfn << PAGE_SHIFT);
    assert_int_equal(prot, MMU_PROT_READ);
    assert_false(mm_translate(mm, a + PAGE_SIZE, MMU_WRITE, &pa, &prot));
    assert_false(*zpte & _PAGE_DIRTY);
    mmput(mm);
}

/* Read-only, NX and PROT_NONE entries refuse what they do not allow. */
static void test_mmu_refusals(void **state)
{
    (void)state;
    struct mm_struct *mm = new_mm();
    uint64_t pa;
    unsigned int prot;
    unsigned long ro = anon_map(mm, FAR_ADDR, PAGE_SIZE, PROT_READ);
    unsigned long rx = anon_map(mm, FAR_ADDR + PAGE_SIZE, PAGE_SIZE, PROT_READ | PROT_EXEC);
    unsigned long rw = anon_map(mm, FAR_ADDR + 2 * PAGE_SIZE, PAGE_SIZE, PROT_READ | PROT_WRITE);

    fault(mm, ro, 0, FAULT_ANON_ZERO);
    fault(mm, rx, FAULT_FLAG_INSTRUCTION, FAULT_ANON_ZERO);
    unsigned long pfn = fault(mm, rw, FAULT_FLAG_WRITE, FAULT_ANON_NEW);

    /* Read-only: read yes, write no, fetch no (NX). */
    assert_true(mm_translate(mm, ro, MMU_READ, &pa, &prot));
    assert_int_equal(prot, MMU_PROT_READ);
    assert_false(mm_translate(mm, ro, MMU_WRITE, &pa, &prot));
    assert_false(mm_translate(mm, ro, MMU_FETCH, &pa, &prot));
    assert_false(*pte_offset(mm, ro) & _PAGE_DIRTY);

    /* Executable: fetch yes, with exec in the rights. */
    assert_true(mm_translate(mm, rx, MMU_FETCH, &pa, &prot));
    assert_int_equal(prot, MMU_PROT_READ | MMU_PROT_EXEC);
    assert_false(mm_translate(mm, rx, MMU_WRITE, &pa, &prot));

    /* Read-write but NX: fetch refused. */
    assert_true(mm_translate(mm, rw, MMU_WRITE, &pa, &prot));
    assert_int_equal(prot, MMU_PROT_READ | MMU_PROT_WRITE);
    assert_false(mm_translate(mm, rw, MMU_FETCH, &pa, &prot));

    /* PROT_NONE: the entry keeps the frame but refuses everything. */
    assert_int_equal(do_mprotect(mm, rw, PAGE_SIZE, PROT_NONE), 0);
    pte_t *pte = pte_offset(mm, rw);
    assert_true(*pte & _PAGE_PROTNONE);
    assert_int_equal(pte_pfn(*pte), pfn);
    assert_false(mm_translate(mm, rw, MMU_READ, &pa, &prot));
    assert_false(mm_translate(mm, rw, MMU_WRITE, &pa, &prot));
    assert_false(mm_translate(mm, rw, MMU_FETCH, &pa, &prot));
    struct fault_result r;
    handle_mm_fault(mm, rw, 0, &r);
    assert_int_equal(r.kind, FAULT_SEGV_ACCERR);

    /* And back: the same frame, readable again. */
    assert_int_equal(do_mprotect(mm, rw, PAGE_SIZE, PROT_READ), 0);
    assert_true(mm_translate(mm, rw, MMU_READ, &pa, &prot));
    assert_int_equal(pa, (uint64_t)pfn << PAGE_SHIFT);
    assert_int_equal(prot, MMU_PROT_READ);
    mmput(mm);
}

/* The MMU answers only for user addresses: no aliasing through ignored high bits. */
static void test_mmu_refuses_non_user_addresses(void **state)
{
    (void)state;
    struct mm_struct *mm = new_mm();
    unsigned long a = anon_map(mm, FAR_ADDR, PAGE_SIZE, PROT_READ | PROT_WRITE);
    fault(mm, a, FAULT_FLAG_WRITE, FAULT_ANON_NEW);
    uint64_t pa;
    unsigned int prot;
    assert_true(mm_translate(mm, a, MMU_READ, &pa, &prot));
    /* A 4-level walk indexes bits 12-47 only; the rest must not select a user page. */
    assert_false(mm_translate(mm, a | (1ULL << 48), MMU_READ, &pa, &prot));
    assert_false(mm_translate(mm, a | 0xffff800000000000ULL, MMU_READ, &pa, &prot));
    assert_false(mm_translate(mm, a | 0xffff000000000000ULL, MMU_WRITE, &pa, &prot));
    assert_false(mm_translate(mm, TASK_SIZE, MMU_READ, &pa, &prot));
    assert_false(mm_translate(mm, ~0ULL, MMU_FETCH, &pa, &prot));
    mmput(mm);
}

/* Page-table pages are charged to the mm that owns them, and only to it. */
static void test_pgtables_bytes_per_mm(void **state)
{
    (void)state;
    struct mm_struct *a = new_mm(), *b = new_mm();
    assert_non_null(pte_alloc_map(a, FAR_ADDR));
    assert_int_equal(a->pgtables_bytes, 4 * PAGE_SIZE);
    assert_int_equal(b->pgtables_bytes, PAGE_SIZE);
    assert_null(pte_offset(b, FAR_ADDR));
    unsigned long free0 = test_free_or_slab_pages();
    mmput(a);
    assert_int_equal(test_free_or_slab_pages(), free0 + 4);
    mmput(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_pgd_alloc, test_mm_setup, test_mm_teardown),
        cmocka_unit_test_setup_teardown(test_three_tables_for_a_far_page, test_mm_setup,
                                        test_mm_teardown),
        cmocka_unit_test_setup_teardown(test_free_pgtables_keeps_protnone_and_neighbours,
                                        test_mm_setup, test_mm_teardown),
        cmocka_unit_test_setup_teardown(test_entry_format, test_mm_setup, test_mm_teardown),
        cmocka_unit_test_setup_teardown(test_walk_range, test_mm_setup, test_mm_teardown),
        cmocka_unit_test_setup_teardown(test_unmap_frees_pages_and_tables, test_mm_setup,
                                        test_mm_teardown),
        cmocka_unit_test_setup_teardown(test_zap_page_range, test_mm_setup, test_mm_teardown),
        cmocka_unit_test_setup_teardown(test_change_protection, test_mm_setup, test_mm_teardown),
        cmocka_unit_test_setup_teardown(test_mprotect_flushes_only_on_downgrade, test_mm_setup,
                                        test_mm_teardown),
        cmocka_unit_test_setup_teardown(test_mmu_accessed_dirty, test_mm_setup, test_mm_teardown),
        cmocka_unit_test_setup_teardown(test_mmu_refusals, test_mm_setup, test_mm_teardown),
        cmocka_unit_test_setup_teardown(test_mmu_refuses_non_user_addresses, test_mm_setup,
                                        test_mm_teardown),
        cmocka_unit_test_setup_teardown(test_pgtables_bytes_per_mm, test_mm_setup,
                                        test_mm_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
