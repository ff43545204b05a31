/*
 * The memory reports of /proc, laid out as Linux lays them out (6.1, the
 * kernel of Debian 12) so that tools written for Linux parse them. Every
 * figure comes from vmemu's own mm/: the buddy allocator, the slab caches,
 * the page tables and a count of struct pages by use. What vmemu does not
 * have (swap, huge pages, per-CPU lists, NUMA) is shown as Linux shows it
 * when the feature is idle: zero.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "emu/fs/fs_struct.h"
#include "emu/fs/proc_mem.h"
#include "emu/fs/fdtable.h"
#include "emu/kernel/sched.h"
#include "emu/kernel/task.h"
#include "mm/array_size.h"
#include "mm/mmap.h"
#include "mm/mmzone.h"
#include "mm/seq.h"
#include "mm/slab.h"
#include "mm/swap.h"
#include "mm/vmstat.h"

#define K(pages) ((pages) << (PAGE_SHIFT - 10))
#define OVERCOMMIT_RATIO 50 /* vm.overcommit_ratio's default */
#define USER_HZ 100
#define EXIT_SIGNAL_SIGCHLD 17
#define RLIM_INFINITY_VALUE (~0UL)

static unsigned long min_ul(unsigned long a, unsigned long b)
{
    return a < b ? a : b;
}

/* ---- /proc/meminfo ---------------------------------------------------------------- */

/* One "Name:    value kB" line: the name padded to 16 columns with the colon. */
static void show_val_kb(struct seq *s, const char *name, unsigned long pages)
{
    seq_printf(s, "%-16s%8lu kB\n", name, K(pages));
}

/*
 * Linux's si_mem_available: free memory above the reserves, plus the half
 * of the page cache and of reclaimable slab that reclaim could free without
 * dropping below the low watermarks.
 */
static unsigned long mem_available(const struct vm_counts *c, unsigned long free)
{
    unsigned long wmark_low = low_wmark_pages();
    long available = (long)free - (long)totalreserve_pages();
    unsigned long pagecache = c->node[NR_ACTIVE_FILE] + c->node[NR_INACTIVE_FILE];
    pagecache -= min_ul(pagecache / 2, wmark_low);
    available += (long)pagecache;
    unsigned long reclaimable = c->node[NR_SLAB_RECLAIMABLE];
    available += (long)(reclaimable - min_ul(reclaimable / 2, wmark_low));
    return available < 0 ? 0 : (unsigned long)available;
}

/* Linux's vm_committed_as: pages of every VM_ACCOUNT mapping, kept by mm/. */
unsigned long proc_committed_pages(struct task *t)
{
    (void)t;
    return vm_committed_pages();
}

static void meminfo_memory(struct seq *s, const struct vm_counts *c)
{
    unsigned long free = nr_free_pages();
    unsigned long active = c->node[NR_ACTIVE_ANON] + c->node[NR_ACTIVE_FILE];
    unsigned long inactive = c->node[NR_INACTIVE_ANON] + c->node[NR_INACTIVE_FILE];
    show_val_kb(s, "MemTotal:", totalram_pages());
    show_val_kb(s, "MemFree:", free);
    show_val_kb(s, "MemAvailable:", mem_available(c, free));
    show_val_kb(s, "Buffers:", 0); /* no block devices */
    show_val_kb(s, "Cached:", c->node[NR_FILE_PAGES] - c->node[NR_SWAPCACHE]);
    show_val_kb(s, "SwapCached:", c->node[NR_SWAPCACHE]);
    show_val_kb(s, "Active:", active);
    show_val_kb(s, "Inactive:", inactive);
    show_val_kb(s, "Active(anon):", c->node[NR_ACTIVE_ANON]);
    show_val_kb(s, "Inactive(anon):", c->node[NR_INACTIVE_ANON]);
    show_val_kb(s, "Active(file):", c->node[NR_ACTIVE_FILE]);
    show_val_kb(s, "Inactive(file):", c->node[NR_INACTIVE_FILE]);
    show_val_kb(s, "Unevictable:", c->node[NR_UNEVICTABLE]);
    unsigned long mlocked = 0;
    for (int z = 0; z < MAX_NR_ZONES; z++)
        mlocked += c->zone[z][NR_MLOCK];
    show_val_kb(s, "Mlocked:", mlocked);
    show_val_kb(s, "SwapTotal:", total_swap_pages());
    show_val_kb(s, "SwapFree:", nr_swap_pages());
    show_val_kb(s, "Zswap:", 0);
    show_val_kb(s, "Zswapped:", 0);
    show_val_kb(s, "Dirty:", c->node[NR_FILE_DIRTY]);
    show_val_kb(s, "Writeback:", c->node[NR_WRITEBACK]);
    show_val_kb(s, "AnonPages:", c->node[NR_ANON_MAPPED]);
    show_val_kb(s, "Mapped:", c->node[NR_FILE_MAPPED]);
    show_val_kb(s, "Shmem:", c->node[NR_SHMEM]);
}

static void meminfo_kernel(struct seq *s, struct task *t, const struct vm_counts *c)
{
    unsigned long sreclaimable = c->node[NR_SLAB_RECLAIMABLE];
    unsigned long sunreclaim = c->node[NR_SLAB_UNRECLAIMABLE];
    show_val_kb(s, "KReclaimable:", sreclaimable);
    show_val_kb(s, "Slab:", sreclaimable + sunreclaim);
    show_val_kb(s, "SReclaimable:", sreclaimable);
    show_val_kb(s, "SUnreclaim:", sunreclaim);
    seq_printf(s, "%-16s%8lu kB\n", "KernelStack:", c->node[NR_KERNEL_STACK_KB]);
    show_val_kb(s, "PageTables:", c->node[NR_PAGETABLE]);
    show_val_kb(s, "SecPageTables:", 0);
    show_val_kb(s, "NFS_Unstable:", 0);
    show_val_kb(s, "Bounce:", 0);
    show_val_kb(s, "WritebackTmp:", 0);
    /* vm_commit_limit: overcommit_ratio percent of RAM, plus swap. */
    show_val_kb(s, "CommitLimit:", totalram_pages() * OVERCOMMIT_RATIO / 100 + total_swap_pages());
    show_val_kb(s, "Committed_AS:", proc_committed_pages(t));
    seq_printf(s, "%-16s%8lu kB\n", "VmallocTotal:", vmalloc_total_bytes() >> 10);
    show_val_kb(s, "VmallocUsed:", vmalloc_used_pages());
    show_val_kb(s, "VmallocChunk:", 0); /* Linux has shown 0 here since 4.2 */
    show_val_kb(s, "Percpu:", 0);
    seq_printf(s, "HardwareCorrupted: %5lu kB\n", 0UL); /* Linux's one odd width */
}

/* Huge pages and the direct map: vmemu maps everything with 4 KiB pages. */
static void meminfo_huge(struct seq *s)
{
    static const char *const thp[] = {
        "AnonHugePages:", "ShmemHugePages:", "ShmemPmdMapped:", "FileHugePages:", "FilePmdMapped:"};
    for (size_t i = 0; i < ARRAY_SIZE(thp); i++)
        show_val_kb(s, thp[i], 0);
    seq_printf(s, "%-16s%8lu\n", "HugePages_Total:", 0UL);
    seq_printf(s, "%-16s%8lu\n", "HugePages_Free:", 0UL);
    seq_printf(s, "%-16s%8lu\n", "HugePages_Rsvd:", 0UL);
    seq_printf(s, "%-16s%8lu\n", "HugePages_Surp:", 0UL);
    seq_printf(s, "%-16s%8lu kB\n", "Hugepagesize:", 2048UL);
    show_val_kb(s, "Hugetlb:", 0);
    seq_printf(s, "%-16s%8lu kB\n", "DirectMap4k:", (unsigned long)(phys_ram_bytes() >> 10));
    show_val_kb(s, "DirectMap2M:", 0);
    show_val_kb(s, "DirectMap1G:", 0);
}

void proc_meminfo_show(struct task *t, struct seq *s)
{
    struct vm_counts c;
    vm_counts_collect(&c);
    meminfo_memory(s, &c);
    meminfo_kernel(s, t, &c);
    meminfo_huge(s);
}

/* ---- /proc/zoneinfo and /proc/vmstat ---------------------------------------------- */

void proc_zoneinfo_show(struct task *t, struct seq *s)
{
    (void)t;
    zoneinfo_show(s);
}

void proc_vmstat_show(struct task *t, struct seq *s)
{
    (void)t;
    struct vm_counts c;
    vm_counts_collect(&c);
    for (int i = 0; i < NR_VM_ZONE_STAT_ITEMS; i++) {
        unsigned long sum = 0;
        for (int z = 0; z < MAX_NR_ZONES; z++)
            sum += c.zone[z][i];
        seq_printf(s, "%s %lu\n", zone_stat_name(i), sum);
    }
    for (int i = 0; i < NR_VM_NODE_STAT_ITEMS; i++)
        seq_printf(s, "%s %lu\n", node_stat_name(i), c.node[i]);
    for (int i = 0; i < NR_VM_EVENT_ITEMS; i++)
        seq_printf(s, "%s %lu\n", vm_event_name(i), c.events[i]);
}

void proc_slabinfo_show(struct task *t, struct seq *s)
{
    (void)t;
    slabinfo_show(s);
}

/* ---- /proc/self/status ------------------------------------------------------------ */

/* "VmRSS:\t    1234 kB": Linux's task_mem layout. */
static void show_mem_kb(struct seq *s, const char *name, unsigned long pages)
{
    seq_printf(s, "%s:\t%8lu kB\n", name, K(pages));
}

/* The state letter and word, as fs/proc/array.c names them. */
static const char *task_state_name(const struct task *t)
{
    switch (t->state) {
    case TASK_RUNNING:
        return "R (running)";
    case TASK_INTERRUPTIBLE:
        return "S (sleeping)";
    case TASK_UNINTERRUPTIBLE:
        return "D (disk sleep)";
    case TASK_STOPPED:
        return "T (stopped)";
    case TASK_ZOMBIE:
        return "Z (zombie)";
    default:
        return "X (dead)";
    }
}

static int thread_count(const struct task *t)
{
    int n = 0;
    for (struct task *u = next_task(NULL); u; u = next_task(u))
        n += u->signal == t->signal && u->state != TASK_DEAD;
    return n;
}

static void status_ids(struct seq *s, struct task *t)
{
    const struct cred *c = &t->cred;
    unsigned mask = t->fs ? (unsigned)t->fs->umask : 022;
    seq_printf(s, "Name:\t%s\nUmask:\t%04o\nState:\t%s\n", t->comm, (unsigned)mask,
               task_state_name(t));
    seq_printf(s, "Tgid:\t%d\nNgid:\t0\nPid:\t%d\nPPid:\t%d\nTracerPid:\t0\n", t->tgid, t->pid,
               task_ppid(t));
    seq_printf(s, "Uid:\t%u\t%u\t%u\t%u\nGid:\t%u\t%u\t%u\t%u\n", c->uid, c->euid, c->suid,
               c->fsuid, c->gid, c->egid, c->sgid, c->fsgid);
    seq_printf(s, "FDSize:\t%d\nGroups:\t", NR_OPEN);
    for (int i = 0; i < c->ngroups; i++)
        seq_printf(s, "%u ", (unsigned)c->groups[i]);
    seq_printf(s, "\n");
    seq_printf(s, "NStgid:\t%d\nNSpid:\t%d\nNSpgid:\t%d\nNSsid:\t%d\n", t->tgid, t->pid,
               t->signal->pgrp, t->signal->session);
}

/* Linux's task_mem: VmExe is the text, VmLib the rest of the executable mappings. */
static void status_mem(struct seq *s, const struct mm_struct *mm)
{
    unsigned long rss = get_mm_rss(mm);
    unsigned long text = (PAGE_ALIGN(mm->end_code) - (mm->start_code & PAGE_MASK)) >> PAGE_SHIFT;
    text = min_ul(text, mm->exec_vm);
    show_mem_kb(s, "VmPeak", mm->hiwater_vm > mm->total_vm ? mm->hiwater_vm : mm->total_vm);
    show_mem_kb(s, "VmSize", mm->total_vm);
    show_mem_kb(s, "VmLck", mm->locked_vm);
    show_mem_kb(s, "VmPin", 0);
    show_mem_kb(s, "VmHWM", mm->hiwater_rss > rss ? mm->hiwater_rss : rss);
    show_mem_kb(s, "VmRSS", rss);
    show_mem_kb(s, "RssAnon", mm->rss[MM_ANONPAGES]);
    show_mem_kb(s, "RssFile", mm->rss[MM_FILEPAGES]);
    show_mem_kb(s, "RssShmem", mm->rss[MM_SHMEMPAGES]);
    show_mem_kb(s, "VmData", mm->data_vm);
    show_mem_kb(s, "VmStk", mm->stack_vm);
    show_mem_kb(s, "VmExe", text);
    show_mem_kb(s, "VmLib", mm->exec_vm - text);
    seq_printf(s, "VmPTE:\t%8lu kB\n", mm->pgtables_bytes >> 10);
    show_mem_kb(s, "VmSwap", mm->rss[MM_SWAPENTS]);
    show_mem_kb(s, "HugetlbPages", 0);
}

/* Signals that are ignored (handler SIG_IGN) and caught (a handler). */
static void signal_sets(const struct task *t, uint64_t *ignored, uint64_t *caught)
{
    *ignored = *caught = 0;
    for (int i = 0; i < NR_SIGNALS; i++) {
        uint64_t handler = t->sighand ? t->sighand->action[i].handler : 0;
        if (handler == 1)
            *ignored |= 1ULL << i;
        else if (handler > 1)
            *caught |= 1ULL << i;
    }
}

static void status_signals(struct seq *s, const struct task *t)
{
    uint64_t ign, cgt;
    signal_sets(t, &ign, &cgt);
    /* THP_enabled: huge pages may be used (vmemu maps none) unless PR_SET_THP_DISABLE said no. */
    bool thp = t->mm && !(t->mm->flags & (1UL << MMF_DISABLE_THP_COMPLETELY));
    seq_printf(s, "CoreDumping:\t0\nTHP_enabled:\t%d\nThreads:\t%d\nSigQ:\t0/%lu\n", thp,
               thread_count(t), RLIM_INFINITY_VALUE);
    seq_printf(s, "SigPnd:\t%016llx\nShdPnd:\t%016llx\n", (unsigned long long)t->pending.signal,
               (unsigned long long)t->signal->shared_pending.signal);
    seq_printf(s, "SigBlk:\t%016llx\nSigIgn:\t%016llx\nSigCgt:\t%016llx\n",
               (unsigned long long)t->blocked, (unsigned long long)ign, (unsigned long long)cgt);
}

/* The capability sets; vmemu restricts nothing else (no seccomp, one CPU, one node). */
static void status_rest(struct seq *s, const struct task *t)
{
    const struct cred *c = &t->cred;
    seq_printf(s, "CapInh:\t%016llx\nCapPrm:\t%016llx\nCapEff:\t%016llx\n",
               (unsigned long long)c->cap_inheritable, (unsigned long long)c->cap_permitted,
               (unsigned long long)c->cap_effective);
    seq_printf(s, "CapBnd:\t%016llx\nCapAmb:\t%016llx\n", (unsigned long long)c->cap_bset,
               (unsigned long long)c->cap_ambient);
    seq_printf(s, "NoNewPrivs:\t0\nSeccomp:\t0\nSeccomp_filters:\t0\n");
    seq_printf(s, "Cpus_allowed:\t1\nCpus_allowed_list:\t0\n");
    seq_printf(s, "Mems_allowed:\t1\nMems_allowed_list:\t0\n");
    seq_printf(s, "voluntary_ctxt_switches:\t0\nnonvoluntary_ctxt_switches:\t0\n");
}

/* A zombie or a kernel thread has no mm: its memory lines read as zeros. */
static const struct mm_struct no_mm;

void proc_pid_status_show(struct task *t, struct seq *s)
{
    status_ids(s, t);
    if (t->mm)
        status_mem(s, t->mm);
    status_signals(s, t);
    status_rest(s, t);
}

/* ---- /proc/self/stat -------------------------------------------------------------- */

/* Fields 1-22: identity, faults, times, scheduling. */
static void stat_head(struct seq *s, const struct task *t)
{
    unsigned long utime =
        (unsigned long)((ktime_get_ns() - t->start_ns) / (1000000000ULL / USER_HZ));
    unsigned long start = (unsigned long)(t->start_ns / (1000000000ULL / USER_HZ));
    struct fault_stats f;
    task_group_faults(t, &f);
    const struct signal_struct *sig = t->signal;
    seq_printf(s, "%d (%s) %c %d %d %d 0 -1 0", t->pid, t->comm, task_state_name(t)[0],
               task_ppid(t), sig->pgrp, sig->session);
    seq_printf(s, " %lu %lu %lu %lu", f.min_flt, sig->cmin_flt, f.maj_flt, sig->cmaj_flt);
    seq_printf(s, " %lu 0 %lu 0", utime,
               (unsigned long)(sig->cutime_ns / (1000000000ULL / USER_HZ)));
    /* priority, nice, threads, itrealvalue, starttime */
    seq_printf(s, " 20 0 %d 0 %lu", thread_count(t), start);
}

/* Fields 23-52: memory, addresses, signals, and the rest. */
static void stat_tail(struct seq *s, const struct task *t)
{
    const struct mm_struct *mm = t->mm ? t->mm : &no_mm;
    uint64_t ign, cgt;
    signal_sets(t, &ign, &cgt);
    seq_printf(s, " %lu %lu %lu", mm->total_vm << PAGE_SHIFT, get_mm_rss(mm), RLIM_INFINITY_VALUE);
    seq_printf(s, " %lu %lu %lu 0 0", mm->start_code, mm->end_code, mm->start_stack);
    /* The obsolete signal fields hold the first word of each set, in decimal. */
    seq_printf(s, " %llu %llu %llu %llu", (unsigned long long)t->pending.signal,
               (unsigned long long)t->blocked, (unsigned long long)ign, (unsigned long long)cgt);
    seq_printf(s, " 0 0 0 %d 0 0 0 0 0 0", EXIT_SIGNAL_SIGCHLD);
    seq_printf(s, " %lu %lu %lu %lu %lu %lu %lu 0\n", mm->start_data, mm->end_data, mm->start_brk,
               mm->arg_start, mm->arg_end, mm->env_start, mm->env_end);
}

void proc_pid_stat_show(struct task *t, struct seq *s)
{
    stat_head(s, t);
    stat_tail(s, t);
}
