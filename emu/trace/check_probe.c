/*
 * The summary level's probe (check_probe.h). The map is rendered by the
 * same procfs code a guest reading /proc/PID/maps gets, so the summary's
 * map is the one Linux would show; peak RSS is VmHWM as /proc/PID/status
 * computes it (the high-water mark, or the current RSS if that is more).
 */
#include "emu/trace/check_probe.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emu/fs/procfs.h"
#include "emu/kernel/task.h"
#include "emu/trace/check_perturb.h"
#include "mm/page.h"
#include "mm/seq.h"
#include "mm/slab.h"
#include "mm/vmstat.h"

static struct {
    bool on;
    struct probe_process *procs;
    size_t n, cap;
    struct probe_counters start, end;
    bool have_start, have_end;
} P;

void check_probe_enable(bool on)
{
    P.on = on;
}

bool check_probe_enabled(void)
{
    return P.on || check_perturb_held(); /* what the perturbation holds goes at the end */
}

static void add(struct probe_counters *c, const char *name, long value, bool meminfo)
{
    if (c->n >= PROBE_MAX_COUNTERS)
        return;
    c->name[c->n] = name;
    c->value[c->n] = value;
    c->meminfo[c->n++] = meminfo;
}

/*
 * Bytes of kernel objects in use: every slab cache's active objects times
 * their size (from /proc/slabinfo's lines), and large kmallocs. Slab
 * pages would move by one whenever anything before the run left a slab a
 * little fuller or emptier; the objects a run allocates do not.
 */
static long slab_object_bytes(void)
{
    struct seq s;
    seq_init(&s);
    slabinfo_show(&s);
    long bytes = (long)kmalloc_large_pages() * (long)PAGE_SIZE;
    for (const char *l = s.buf; l && l < s.buf + s.len;) {
        const char *nl = memchr(l, '\n', (size_t)(s.buf + s.len - l));
        unsigned long active, total, size;
        if (l[0] != '#' && sscanf(l, "%*s %lu %lu %lu", &active, &total, &size) == 3)
            bytes += (long)(active * size);
        l = nl ? nl + 1 : s.buf + s.len;
    }
    seq_free(&s);
    return bytes;
}

/* Buddy traffic (pgalloc_*, pgfree) is the kernel's own business, as slab pages are. */
static bool program_event(const char *name)
{
    return strncmp(name, "pgalloc", 7) != 0 && strcmp(name, "pgfree") != 0;
}

/* The meminfo items a program's run moves (pages; slab in bytes), then its vmstat events. */
static void take_counters(struct probe_counters *c)
{
    struct vm_counts v;
    vm_counts_collect(&v);
    c->n = 0;
    add(c, "anon", (long)v.node[NR_ANON_MAPPED], true);
    add(c, "file", (long)v.node[NR_FILE_PAGES], true);
    add(c, "mapped", (long)v.node[NR_FILE_MAPPED], true);
    add(c, "shmem", (long)v.node[NR_SHMEM], true);
    add(c, "dirty", (long)v.node[NR_FILE_DIRTY], true);
    add(c, "writeback", (long)v.node[NR_WRITEBACK], true);
    add(c, "pagetables", (long)v.node[NR_PAGETABLE], true);
    add(c, "slab-bytes", slab_object_bytes(), true);
    for (int e = 0; e < NR_VM_EVENT_ITEMS; e++)
        if (program_event(vm_event_name((enum vm_event_item)e)))
            add(c, vm_event_name((enum vm_event_item)e), (long)v.events[e], false);
    add(c, node_stat_name(NR_DIRTIED), (long)v.node[NR_DIRTIED], false);
    add(c, node_stat_name(NR_WRITTEN), (long)v.node[NR_WRITTEN], false);
}

void check_probe_start(void)
{
    check_perturb_apply();
}

void check_probe_task_ready(void)
{
    if (!P.on)
        return;
    take_counters(&P.start);
    P.have_start = true;
}

static void record_end(struct task *t, bool last_of_run);

void check_probe_process_end(struct task *t, bool last_of_run)
{
    if (P.on)
        record_end(t, last_of_run);
    if (last_of_run)
        check_perturb_release(); /* after the last counters: it was there at the first */
}

static void record_end(struct task *t, bool last_of_run)
{
    if (P.n == P.cap) {
        size_t cap = P.cap ? P.cap * 2 : 8;
        struct probe_process *p = realloc(P.procs, cap * sizeof(*p));
        if (!p)
            return; /* the summary then says the process's map is unknown */
        P.procs = p;
        P.cap = cap;
    }
    struct mm_struct *mm = t->mm;
    unsigned long rss = get_mm_rss(mm);
    struct seq s;
    seq_init(&s);
    bool shown = procfs_show(t, "self/maps", &s) && !s.overflow;
    struct probe_process *p = &P.procs[P.n++];
    p->pid = t->tgid;
    p->peak_rss = mm->hiwater_rss > rss ? mm->hiwater_rss : rss;
    p->maps = shown ? strndup(s.buf ? s.buf : "", s.len) : NULL;
    seq_free(&s);
    if (last_of_run) {
        take_counters(&P.end);
        P.have_end = true;
    }
}

const struct probe_process *check_probe_processes(size_t *n)
{
    *n = P.n;
    return P.procs;
}

bool check_probe_counters(struct probe_counters *start, struct probe_counters *end)
{
    *start = P.start;
    *end = P.end;
    return P.have_start && P.have_end;
}

void check_probe_reset(void)
{
    for (size_t i = 0; i < P.n; i++)
        free(P.procs[i].maps);
    free(P.procs);
    bool on = P.on;
    memset(&P, 0, sizeof(P));
    P.on = on;
}
