/*
 * /proc/self/maps, smaps and smaps_rollup from vmemu's own VMAs and page
 * tables, in the text Linux's fs/proc/task_mmu.c writes, so that a program
 * reading them finds what it would find natively.
 */
#define _GNU_SOURCE
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "emu/kernel/task.h"
#include "emu/kernel/vsyscall.h"
#include "mm/fault.h"
#include "mm/fs.h"
#include "mm/mmap.h"
#include "mm/page.h"
#include "mm/pgtable.h"
#include "mm/seq.h"
#include "mm/swap.h"

void proc_maps_show(struct task *t, struct seq *s);
void proc_smaps_show(struct task *t, struct seq *s);
void proc_smaps_rollup_show(struct task *t, struct seq *s);

/* Linux pads the name to this column: 25 + 6 * sizeof(void *) - 1 characters, then a space. */
#define NAME_COLUMN 72

/*
 * Linux's gate area: the vsyscall page, shown after the last VMA though no
 * VMA of the mm holds it (execute-only: emu/kernel/vsyscall.c emulates
 * calls to it). It has no page-table entries to count.
 */
static const struct vm_area_struct gate_vma = {
    .vm_start = VSYSCALL_ADDR,
    .vm_end = VSYSCALL_END,
    .vm_flags = VM_EXEC,
    .vm_name = "[vsyscall]",
};

/* show_vma_header_prefix and the name (shared anonymous memory is a shmem file), padded as seq_pad
 * pads it. */
static void show_map_vma(const struct vm_area_struct *vma, struct seq *s)
{
    unsigned long long pgoff = 0;
    unsigned int maj = 0, min = 0;
    unsigned long ino = 0;
    if (vma->vm_file && vma->vm_file->f_mapping) {
        const struct address_space *as = vma->vm_file->f_mapping;
        maj = major((dev_t)as->host_dev);
        min = minor((dev_t)as->host_dev);
        ino = (unsigned long)as->host_ino;
        pgoff = (unsigned long long)vma->vm_pgoff << PAGE_SHIFT;
    }
    char perms[5];
    size_t line_start = s->len;
    seq_printf(s, "%08lx-%08lx %s %08llx %02x:%02x %lu ", vma->vm_start, vma->vm_end,
               vma_perms(vma->vm_flags, perms), pgoff, maj, min, ino);
    char buf[PATH_MAX];
    const char *name = vma_name(vma, buf, sizeof(buf), false);
    if (*name) {
        size_t used = s->len - line_start;
        int pad = used < NAME_COLUMN ? (int)(NAME_COLUMN - used) : 0;
        seq_printf(s, "%*s %s", pad, "", name);
    }
    seq_printf(s, "\n");
}

void proc_maps_show(struct task *t, struct seq *s)
{
    struct mm_struct *mm = t->mm;
    for (struct vm_area_struct *v = find_vma(mm, 0); v; v = vma_next(mm, v))
        show_map_vma(v, s);
    show_map_vma(&gate_vma, s);
}

/* Linux's mem_size_stats, in bytes; the pss figures carry PSS_SHIFT bits of fraction. */
#define PSS_SHIFT 12
struct mem_size_stats {
    const struct vm_area_struct *vma;
    unsigned long resident, shared_clean, shared_dirty, private_clean, private_dirty;
    unsigned long referenced, anonymous, lazyfree, swap;
    unsigned long long pss, pss_dirty, pss_locked, swap_pss;
    unsigned long long pss_anon, pss_file, pss_shmem; /* shown by smaps_rollup only */
};

/* smaps_account for one mapped page. */
static void account_page(struct mem_size_stats *mss, const struct page *page, pte_t pte)
{
    bool dirty = pte_dirty(pte) || PageFlag(page, PG_dirty);
    bool anon = PageFlag(page, PG_anon);
    if (anon) {
        mss->anonymous += PAGE_SIZE;
        if (!PageFlag(page, PG_swapbacked) && !dirty)
            mss->lazyfree += PAGE_SIZE;
    }
    mss->resident += PAGE_SIZE;
    if (pte_young(pte) || PageFlag(page, PG_young) || PageFlag(page, PG_referenced))
        mss->referenced += PAGE_SIZE;
    /* A page mapped once (the page cache's own reference aside) is private. */
    int mapcount = page->mapcount > 0 ? page->mapcount : 1;
    bool private = mapcount < 2;
    unsigned long long pss = ((unsigned long long)PAGE_SIZE << PSS_SHIFT) / (unsigned)mapcount;
    mss->pss += pss;
    if (anon)
        mss->pss_anon += pss;
    else if (PageFlag(page, PG_swapbacked))
        mss->pss_shmem += pss;
    else
        mss->pss_file += pss;
    if (mss->vma->vm_flags & VM_LOCKED)
        mss->pss_locked += pss;
    if (dirty) {
        mss->pss_dirty += pss;
        if (private)
            mss->private_dirty += PAGE_SIZE;
        else
            mss->shared_dirty += PAGE_SIZE;
    } else if (private) {
        mss->private_clean += PAGE_SIZE;
    } else {
        mss->shared_clean += PAGE_SIZE;
    }
}

/* smaps_pte_entry: the zero page is no "normal page" and is not counted. */
static void smaps_pte(pte_t *pte, unsigned long addr, void *arg)
{
    struct mem_size_stats *mss = arg;
    if (pte_present(*pte)) {
        struct page *page = vm_normal_page((struct vm_area_struct *)mss->vma, addr, *pte);
        if (page)
            account_page(mss, page, *pte);
    } else if (!pte_none(*pte) && !pte_is_guard(*pte)) {
        /* A swap entry: SwapPss shares the slot among the entries naming it (fork). */
        unsigned long n = swap_pte_count(*pte);
        mss->swap += PAGE_SIZE;
        mss->swap_pss += ((unsigned long long)PAGE_SIZE << PSS_SHIFT) / (n ? n : 1);
    }
}

/* show_smap_vma_flags: two letters for every flag set, in bit order. */
static void show_vm_flags(struct seq *s, unsigned long flags)
{
    static const char *const mnemonics[64] = {
        [0] = "rd",  [1] = "wr",  [2] = "ex",  [3] = "sh",  [4] = "mr",  [5] = "mw",  [6] = "me",
        [7] = "ms",  [8] = "gd",  [10] = "pf", [13] = "lo", [14] = "io", [15] = "sr", [16] = "rr",
        [17] = "dc", [18] = "de", [19] = "lf", [20] = "ac", [21] = "nr", [22] = "ht", [23] = "sf",
        [24] = "ar", [25] = "wf", [26] = "dd", [27] = "sd", [28] = "mm", [29] = "hg", [30] = "nh",
        [31] = "mg", [40] = "dp", [42] = "sl", [9] = "um",  [12] = "uw", [41] = "ui",
    };
    seq_printf(s, "VmFlags: ");
    for (int i = 0; i < 64; i++)
        if ((flags >> i & 1) && mnemonics[i])
            seq_printf(s, "%s ", mnemonics[i]);
    seq_printf(s, "\n");
}

/* SEQ_PUT_DEC: a label, then kilobytes right-aligned in 8 columns. */
static void put_kb(struct seq *s, const char *label, unsigned long long bytes)
{
    seq_printf(s, "%s%8llu kB\n", label, bytes >> 10);
}

/* Count the pages vma maps into mss (Linux's smap_gather_stats). */
static void gather_stats(const struct mm_struct *mm, const struct vm_area_struct *vma,
                         struct mem_size_stats *mss)
{
    mss->vma = vma;
    /* Raw frames (VM_PFNMAP: [vvar]) are no pages to count, as vm_normal_page says. */
    if (vma != &gate_vma && !(vma->vm_flags & VM_PFNMAP))
        walk_page_range((struct mm_struct *)mm, vma->vm_start, vma->vm_end, smaps_pte, mss);
}

/* __show_smap: the memory fields smaps and smaps_rollup share; rollup adds the Pss split. */
static void show_mss(struct seq *s, const struct mem_size_stats *mss, bool rollup)
{
    put_kb(s, "Rss:            ", mss->resident);
    put_kb(s, "Pss:            ", mss->pss >> PSS_SHIFT);
    put_kb(s, "Pss_Dirty:      ", mss->pss_dirty >> PSS_SHIFT);
    if (rollup) {
        put_kb(s, "Pss_Anon:       ", mss->pss_anon >> PSS_SHIFT);
        put_kb(s, "Pss_File:       ", mss->pss_file >> PSS_SHIFT);
        put_kb(s, "Pss_Shmem:      ", mss->pss_shmem >> PSS_SHIFT);
    }
    put_kb(s, "Shared_Clean:   ", mss->shared_clean);
    put_kb(s, "Shared_Dirty:   ", mss->shared_dirty);
    put_kb(s, "Private_Clean:  ", mss->private_clean);
    put_kb(s, "Private_Dirty:  ", mss->private_dirty);
    put_kb(s, "Referenced:     ", mss->referenced);
    put_kb(s, "Anonymous:      ", mss->anonymous);
    put_kb(s, "KSM:            ", 0);
    put_kb(s, "LazyFree:       ", mss->lazyfree);
    put_kb(s, "AnonHugePages:  ", 0); /* vmemu maps no huge pages */
    put_kb(s, "ShmemPmdMapped: ", 0);
    put_kb(s, "FilePmdMapped:  ", 0);
    put_kb(s, "Shared_Hugetlb: ", 0);
    seq_printf(s, "Private_Hugetlb: %7u kB\n", 0u);
    put_kb(s, "Swap:           ", mss->swap);
    put_kb(s, "SwapPss:        ", mss->swap_pss >> PSS_SHIFT);
    put_kb(s, "Locked:         ", mss->pss_locked >> PSS_SHIFT);
}

static void show_smap(const struct mm_struct *mm, const struct vm_area_struct *vma, struct seq *s)
{
    struct mem_size_stats mss = {0};
    gather_stats(mm, vma, &mss);
    show_map_vma(vma, s);
    put_kb(s, "Size:           ", vma->vm_end - vma->vm_start);
    put_kb(s, "KernelPageSize: ", PAGE_SIZE);
    put_kb(s, "MMUPageSize:    ", PAGE_SIZE);
    show_mss(s, &mss, false);
    seq_printf(s, "THPeligible:    %8u\n", 0u);
    show_vm_flags(s, vma->vm_flags);
}

void proc_smaps_show(struct task *t, struct seq *s)
{
    struct mm_struct *mm = t->mm;
    for (struct vm_area_struct *v = find_vma(mm, 0); v; v = vma_next(mm, v))
        show_smap(mm, v, s);
    show_smap(mm, &gate_vma, s);
}

/*
 * show_smaps_rollup: every VMA of the mm counted as one (the gate area is
 * no VMA of it), under a header spanning the first VMA's start to the last
 * one's end.
 */
void proc_smaps_rollup_show(struct task *t, struct seq *s)
{
    struct mm_struct *mm = t->mm;
    struct mem_size_stats mss = {0};
    unsigned long start = 0, end = 0;
    for (struct vm_area_struct *v = find_vma(mm, 0); v; v = vma_next(mm, v)) {
        if (!end)
            start = v->vm_start;
        end = v->vm_end;
        gather_stats(mm, v, &mss);
    }
    size_t line_start = s->len;
    seq_printf(s, "%08lx-%08lx ---p 00000000 00:00 0 ", start, end);
    size_t used = s->len - line_start;
    seq_printf(s, "%*s [rollup]\n", used < NAME_COLUMN ? (int)(NAME_COLUMN - used) : 0, "");
    show_mss(s, &mss, true);
}
