/*
 * /proc/self/maps and /proc/self/smaps from vmemu's own VMAs and page
 * tables, in the text Linux's fs/proc/task_mmu.c writes, so that a program
 * reading them finds what it would find natively.
 */
#define _GNU_SOURCE
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "emu/kernel/task.h"
#include "mm/fault.h"
#include "mm/fs.h"
#include "mm/mmap.h"
#include "mm/page.h"
#include "mm/pgtable.h"
#include "mm/seq.h"

void proc_maps_show(struct task *t, struct seq *s);
void proc_smaps_show(struct task *t, struct seq *s);

/* Linux pads the name to this column: 25 + 6 * sizeof(void *) - 1 characters, then a space. */
#define NAME_COLUMN 72

/* The device and inode a shared anonymous mapping shows: shmem's internal mount. */
#define SHMEM_DEV_MINOR 1

/* The guest's path of a mapped file as the kernel prints it (d_path), " (deleted)" included. */
static const char *file_name(const struct file *f, char *buf, size_t len)
{
    struct stat st;
    if (f->f_host_fd < 0 || fstat(f->f_host_fd, &st) != 0 || st.st_nlink > 0)
        return f->f_path;
    snprintf(buf, len, "%s (deleted)", f->f_path);
    return buf;
}

/* Linux's vma_is_initial_heap: overlaps [start_brk, brk), strictly. */
static bool is_heap(const struct mm_struct *mm, const struct vm_area_struct *vma)
{
    return vma->vm_start < mm->brk && vma->vm_end > mm->start_brk;
}

/* Linux's vma_is_initial_stack: contains the stack pointer the program started with. */
static bool is_stack(const struct mm_struct *mm, const struct vm_area_struct *vma)
{
    return vma->vm_start <= mm->start_stack && vma->vm_end >= mm->start_stack;
}

/* get_vma_name: the file, a special mapping's name, [heap], [stack], or none. */
static const char *vma_name(const struct mm_struct *mm, const struct vm_area_struct *vma, char *buf,
                            size_t len)
{
    if (vma->vm_file)
        return file_name(vma->vm_file, buf, len);
    if (vma->vm_name)
        return vma->vm_name;
    if (vma->vm_flags & VM_SHARED)
        return "/dev/zero (deleted)"; /* shared anonymous memory is a shmem file */
    if (is_heap(mm, vma))
        return "[heap]";
    if (is_stack(mm, vma))
        return "[stack]";
    return NULL;
}

/* show_vma_header_prefix and the name, padded as seq_pad pads it. */
static void show_map_vma(const struct mm_struct *mm, const struct vm_area_struct *vma,
                         struct seq *s)
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
    } else if (!vma->vm_file && (vma->vm_flags & VM_SHARED)) {
        min = SHMEM_DEV_MINOR;
        ino = vma->anon_vma; /* one inode per shmem object */
        pgoff = (unsigned long long)vma->vm_pgoff << PAGE_SHIFT;
    }
    unsigned long f = vma->vm_flags;
    size_t line_start = s->len;
    seq_printf(s, "%08lx-%08lx %c%c%c%c %08llx %02x:%02x %lu ", vma->vm_start, vma->vm_end,
               f & VM_READ ? 'r' : '-', f & VM_WRITE ? 'w' : '-', f & VM_EXEC ? 'x' : '-',
               f & VM_MAYSHARE ? 's' : 'p', pgoff, maj, min, ino);
    char buf[PATH_MAX];
    const char *name = vma_name(mm, vma, buf, sizeof(buf));
    if (name) {
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
        show_map_vma(mm, v, s);
}

/* Linux's mem_size_stats, in bytes; the pss figures carry PSS_SHIFT bits of fraction. */
#define PSS_SHIFT 12
struct mem_size_stats {
    const struct vm_area_struct *vma;
    unsigned long resident, shared_clean, shared_dirty, private_clean, private_dirty;
    unsigned long referenced, anonymous, lazyfree, swap;
    unsigned long long pss, pss_dirty, pss_locked, swap_pss;
};

/* smaps_account for one mapped page. */
static void account_page(struct mem_size_stats *mss, const struct page *page, pte_t pte)
{
    bool dirty = (pte & _PAGE_DIRTY) || PageFlag(page, PG_dirty);
    bool anon = PageFlag(page, PG_anon);
    if (anon) {
        mss->anonymous += PAGE_SIZE;
        if (!PageFlag(page, PG_swapbacked) && !dirty)
            mss->lazyfree += PAGE_SIZE;
    }
    mss->resident += PAGE_SIZE;
    if ((pte & _PAGE_ACCESSED) || PageFlag(page, PG_young) || PageFlag(page, PG_referenced))
        mss->referenced += PAGE_SIZE;
    /* A page mapped once (the page cache's own reference aside) is private. */
    int mapcount = page->mapcount > 0 ? page->mapcount : 1;
    bool private = mapcount < 2;
    unsigned long long pss = ((unsigned long long)PAGE_SIZE << PSS_SHIFT) / (unsigned)mapcount;
    mss->pss += pss;
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
    (void)addr;
    if (pte_present(*pte)) {
        if (pte_pfn(*pte) != zero_pfn)
            account_page(mss, pfn_to_page(pte_pfn(*pte)), *pte);
    } else if (*pte) {
        mss->swap += PAGE_SIZE; /* a swap entry: vmemu never shares one */
        mss->swap_pss += (unsigned long long)PAGE_SIZE << PSS_SHIFT;
    }
}

/* show_smap_vma_flags: two letters for every flag set, in bit order. */
static void show_vm_flags(struct seq *s, unsigned long flags)
{
    static const char *const mnemonics[64] = {
        [0] = "rd",  [1] = "wr",  [2] = "ex",  [3] = "sh",  [4] = "mr",  [5] = "mw",  [6] = "me",
        [7] = "ms",  [8] = "gd",  [10] = "pf", [13] = "lo", [14] = "io", [15] = "sr", [16] = "rr",
        [17] = "dc", [18] = "de", [19] = "lf", [20] = "ac", [21] = "nr", [22] = "ht", [23] = "sf",
        [24] = "ar", [25] = "wf", [26] = "dd", [28] = "mm", [29] = "hg", [30] = "nh", [31] = "mg",
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

static void show_smap(const struct mm_struct *mm, const struct vm_area_struct *vma, struct seq *s)
{
    struct mem_size_stats mss = {.vma = vma};
    pgtable_walk_range((struct mm_struct *)mm, vma->vm_start, vma->vm_end, smaps_pte, &mss);
    show_map_vma(mm, vma, s);
    put_kb(s, "Size:           ", vma->vm_end - vma->vm_start);
    put_kb(s, "KernelPageSize: ", PAGE_SIZE);
    put_kb(s, "MMUPageSize:    ", PAGE_SIZE);
    put_kb(s, "Rss:            ", mss.resident);
    put_kb(s, "Pss:            ", mss.pss >> PSS_SHIFT);
    put_kb(s, "Pss_Dirty:      ", mss.pss_dirty >> PSS_SHIFT);
    put_kb(s, "Shared_Clean:   ", mss.shared_clean);
    put_kb(s, "Shared_Dirty:   ", mss.shared_dirty);
    put_kb(s, "Private_Clean:  ", mss.private_clean);
    put_kb(s, "Private_Dirty:  ", mss.private_dirty);
    put_kb(s, "Referenced:     ", mss.referenced);
    put_kb(s, "Anonymous:      ", mss.anonymous);
    put_kb(s, "KSM:            ", 0);
    put_kb(s, "LazyFree:       ", mss.lazyfree);
    put_kb(s, "AnonHugePages:  ", 0); /* vmemu maps no huge pages */
    put_kb(s, "ShmemPmdMapped: ", 0);
    put_kb(s, "FilePmdMapped:  ", 0);
    put_kb(s, "Shared_Hugetlb: ", 0);
    seq_printf(s, "Private_Hugetlb: %7u kB\n", 0u);
    put_kb(s, "Swap:           ", mss.swap);
    put_kb(s, "SwapPss:        ", mss.swap_pss >> PSS_SHIFT);
    put_kb(s, "Locked:         ", mss.pss_locked >> PSS_SHIFT);
    seq_printf(s, "THPeligible:    %8u\n", 0u);
    show_vm_flags(s, vma->vm_flags);
}

void proc_smaps_show(struct task *t, struct seq *s)
{
    struct mm_struct *mm = t->mm;
    for (struct vm_area_struct *v = find_vma(mm, 0); v; v = vma_next(mm, v))
        show_smap(mm, v, s);
}
