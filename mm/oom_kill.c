/*
 * The OOM killer (Linux's oom_kill.c): when reclaim can free nothing more
 * and an allocation must fail otherwise, kill the process whose death
 * gives back the most memory, as Linux's badness measures it: its
 * resident pages, its swap entries and its page tables, moved by
 * oom_score_adj (each point of it is worth a thousandth of RAM and swap).
 * The report goes to stderr as the kernel prints it: who invoked the
 * killer, the memory state, the processes, then the line that names the
 * victim.
 *
 * The victim gets SIGKILL (arch_oom_kill). When it is another process
 * than the one allocating, its anonymous memory is taken back at once, as
 * Linux's oom_reaper does while the victim is on its way out (it is not
 * running: one task runs at a time), and the allocation is tried again.
 * When it is the allocating process itself, the allocation fails, and the
 * signal ends it on its way back to user mode.
 *
 * Processes come from the arch hooks (arch.h): mm/ does not know tasks.
 */
#include <limits.h>
#include <stdio.h>

#include "arch.h"
#include "internal.h"
#include "mmap.h"
#include "oom.h"
#include "swap.h"
#include "vmstat.h"

#define K(pages) ((pages) << (PAGE_SHIFT - 10))

static unsigned long oom_totalpages(void)
{
    return totalram_pages() + total_swap_pages();
}

long oom_badness(const struct oom_task *t, unsigned long totalpages)
{
    struct mm_struct *mm = t->mm;
    if (!mm || t->oom_score_adj == OOM_SCORE_ADJ_MIN || mm->oom_skip || t->vfork)
        return LONG_MIN;
    long points = (long)(get_mm_rss(mm) + mm->rss[MM_SWAPENTS] + mm->pgtables_bytes / PAGE_SIZE);
    return points + (long)t->oom_score_adj * (long)(totalpages / 1000);
}

struct oom_control {
    unsigned long totalpages;
    struct oom_task chosen;
    long chosen_points;
    bool found, abort;
};

/* Linux's oom_evaluate_task: the highest badness wins; a victim still dying means wait. */
static bool evaluate_task(const struct oom_task *t, void *arg)
{
    struct oom_control *oc = arg;
    if (t->dying && t->mm && !t->mm->oom_skip) {
        /* A victim's memory is on its way back: kill nobody else (but the caller may be it). */
        oc->abort = true;
        return false;
    }
    long points = oom_badness(t, oc->totalpages);
    if (points == LONG_MIN || (oc->found && points <= oc->chosen_points))
        return true;
    oc->chosen = *t;
    oc->chosen_points = points;
    oc->found = true;
    return true;
}

struct oom_dump {
    const struct oom_task *invoker;
};

static bool find_current(const struct oom_task *t, void *arg)
{
    struct oom_task *cur = arg;
    if (!t->current)
        return true;
    *cur = *t;
    return false;
}

static bool dump_task(const struct oom_task *t, void *arg)
{
    (void)arg;
    const struct mm_struct *mm = t->mm;
    fprintf(stderr, "[%7d] %5u %5d %8lu %8lu %8lu %8lu %9lu %8lu %8lu         %5d %s\n", t->pid,
            t->uid, t->pid, mm->total_vm, get_mm_rss(mm), mm->rss[MM_ANONPAGES],
            mm->rss[MM_FILEPAGES], mm->rss[MM_SHMEMPAGES], mm->pgtables_bytes, mm->rss[MM_SWAPENTS],
            t->oom_score_adj, t->comm);
    return true;
}

/* The short memory state that precedes the verdict (Linux's show_mem, first lines). */
static void show_mem(void)
{
    struct vm_counts c;
    vm_counts_collect(&c);
    fprintf(stderr,
            "Mem-Info:\nactive_anon:%lu inactive_anon:%lu isolated_anon:0\n"
            " active_file:%lu inactive_file:%lu isolated_file:0\n"
            " unevictable:%lu dirty:%lu writeback:%lu\n"
            " slab_reclaimable:%lu slab_unreclaimable:%lu\n"
            " mapped:%lu shmem:%lu pagetables:%lu\n free:%lu free_pcp:0 free_cma:0\n",
            c.node[NR_ACTIVE_ANON], c.node[NR_INACTIVE_ANON], c.node[NR_ACTIVE_FILE],
            c.node[NR_INACTIVE_FILE], c.node[NR_UNEVICTABLE], c.node[NR_FILE_DIRTY],
            c.node[NR_WRITEBACK], c.node[NR_SLAB_RECLAIMABLE], c.node[NR_SLAB_UNRECLAIMABLE],
            c.node[NR_FILE_MAPPED], c.node[NR_SHMEM], c.node[NR_PAGETABLE], nr_free_pages());
    fprintf(stderr, "%lu pages in swap cache\nFree swap  = %lukB\nTotal swap = %lukB\n",
            total_swapcache_pages(), K(nr_swap_pages()), K(total_swap_pages()));
    fprintf(stderr, "%lu pages RAM\n", totalram_pages());
}

/* Linux's dump_header: who invoked the killer, the memory, the processes. */
static void dump_header(gfp_t gfp, unsigned int order, const struct oom_task *victim)
{
    struct oom_task cur = {.comm = "vmemu", .oom_score_adj = 0};
    arch_for_each_oom_task(find_current, &cur);
    fprintf(stderr, "%s invoked oom-killer: gfp_mask=%#x, order=%u, oom_score_adj=%d\n", cur.comm,
            gfp, order, cur.oom_score_adj);
    show_mem();
    fprintf(stderr, "Tasks state (memory values in pages):\n"
                    "[  pid  ]   uid  tgid total_vm      rss rss_anon rss_file rss_shmem "
                    "pgtables_bytes swapents oom_score_adj name\n");
    arch_for_each_oom_task(dump_task, NULL);
    fprintf(stderr, "oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),task=%s,pid=%d,uid=%u\n",
            victim->comm, victim->pid, victim->uid);
}

/* Linux's __oom_kill_process: the line that names the victim, then SIGKILL. */
static void kill_process(const struct oom_task *v)
{
    const struct mm_struct *mm = v->mm;
    fprintf(stderr,
            "Out of memory: Killed process %d (%s) total-vm:%lukB, anon-rss:%lukB, "
            "file-rss:%lukB, shmem-rss:%lukB, UID:%u pgtables:%lukB oom_score_adj:%d\n",
            v->pid, v->comm, K(mm->total_vm), K(mm->rss[MM_ANONPAGES]), K(mm->rss[MM_FILEPAGES]),
            K(mm->rss[MM_SHMEMPAGES]), v->uid, mm->pgtables_bytes >> 10, v->oom_score_adj);
    struct reclaim_event ev = {.op = RECLAIM_OOM,
                               .pid = v->pid,
                               .uid = v->uid,
                               .oom_score_adj = v->oom_score_adj,
                               .comm = v->comm,
                               .total_vm = mm->total_vm,
                               .anon_rss = mm->rss[MM_ANONPAGES],
                               .file_rss = mm->rss[MM_FILEPAGES],
                               .shmem_rss = mm->rss[MM_SHMEMPAGES],
                               .swapents = mm->rss[MM_SWAPENTS],
                               .pgtables_bytes = mm->pgtables_bytes};
    reclaim_notify(&ev);
    count_vm_event(OOM_KILL);
    arch_oom_kill(v);
}

void mm_reap(struct mm_struct *mm)
{
    bool flush = false;
    for (struct vm_area_struct *vma = find_vma(mm, 0); vma; vma = vma_next(mm, vma))
        if (!(vma->vm_flags & (VM_LOCKED | VM_SHARED | VM_PFNMAP)))
            flush |= zap_page_range(vma, vma->vm_start, vma->vm_end);
    if (flush)
        arch_flush_tlb_mm(mm);
    mm->oom_skip = true;
}

/* The victim's memory goes now (mm_reap), and the kernel log says what remains. */
static void oom_reap(const struct oom_task *v)
{
    struct mm_struct *mm = v->mm;
    mm_reap(mm);
    fprintf(stderr,
            "oom_reaper: reaped process %d (%s), now anon-rss:%lukB, file-rss:%lukB, "
            "shmem-rss:%lukB\n",
            v->pid, v->comm, K(mm->rss[MM_ANONPAGES]), K(mm->rss[MM_FILEPAGES]),
            K(mm->rss[MM_SHMEMPAGES]));
}

bool out_of_memory(gfp_t gfp, unsigned int order)
{
    struct oom_control oc = {.totalpages = oom_totalpages(), .chosen_points = LONG_MIN};
    arch_for_each_oom_task(evaluate_task, &oc);
    if (oc.abort || !oc.found)
        return false; /* a victim is on its way out, or nobody can be killed: fail */
    dump_header(gfp, order, &oc.chosen);
    kill_process(&oc.chosen);
    if (oc.chosen.current)
        return false;
    oom_reap(&oc.chosen);
    return true;
}

long oom_score(const struct oom_task *t)
{
    unsigned long totalpages = oom_totalpages();
    long badness = oom_badness(t, totalpages);
    if (badness == LONG_MIN || !totalpages)
        return 0;
    /* /proc's scale, [0, 2000], as Linux has exported it since 2.6.36. */
    return (1000 + badness * 1000 / (long)totalpages) * 2 / 3;
}
