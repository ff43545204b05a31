/*
 * Memory counters and the frame map as trace events (memstat.h). Counts
 * come from vm_counts_collect, the same count of frames /proc/meminfo
 * makes, so the report's curves and the guest's /proc agree. Values are
 * pages.
 */
#include "emu/trace/memstat.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "emu/kernel/task.h"
#include "emu/trace/check_probe.h"
#include "emu/trace/sampler.h"
#include "emu/trace/trace.h"
#include "mm/swap.h"
#include "mm/vmstat.h"

static void rss_json(FILE *out)
{
    fputs(",\"rss\":[", out);
    int n = 0;
    for (struct task *t = next_task(NULL); t; t = next_task(t)) {
        if (!thread_group_leader(t) || !t->mm)
            continue;
        const unsigned long *r = t->mm->rss;
        fprintf(out, "%s[%d,%lu,%lu,%lu]", n++ ? "," : "", t->tgid, r[MM_ANONPAGES],
                r[MM_FILEPAGES], r[MM_SHMEMPAGES]);
    }
    fputc(']', out);
}

static void zones_json(FILE *out)
{
    fputs(",\"zones\":[", out);
    struct zone_summary zs[MAX_NR_ZONES];
    int nr = zone_summaries(zs);
    for (int n = 0; n < nr; n++) {
        fprintf(out, "%s{\"name\":\"%s\",\"managed\":%lu,\"free\":%lu,\"buddy\":[", n ? "," : "",
                zs[n].name, zs[n].managed, zs[n].free);
        for (int o = 0; o < MAX_ORDER; o++)
            fprintf(out, "%s%lu", o ? "," : "", zs[n].nr_free[o]);
        fputs("]}", out);
    }
    fputc(']', out);
}

static void memory_fields(FILE *out, bool jsonl, void *arg)
{
    const struct vm_counts *c = arg;
    unsigned long free = 0;
    for (int z = 0; z < MAX_NR_ZONES; z++)
        free += c->zone[z][NR_FREE_PAGES];
    unsigned long slab = c->node[NR_SLAB_RECLAIMABLE] + c->node[NR_SLAB_UNRECLAIMABLE];
    const char *fmt = jsonl ? ",\"total\":%lu,\"free\":%lu,\"anon\":%lu,\"file\":%lu,\"shmem\":%lu,"
                              "\"dirty\":%lu,\"writeback\":%lu,\"slab\":%lu,\"pagetables\":%lu,"
                              "\"swap\":%lu"
                            : " total=%lu free=%lu anon=%lu file=%lu shmem=%lu dirty=%lu "
                              "writeback=%lu slab=%lu pagetables=%lu swap=%lu";
    fprintf(out, fmt, totalram_pages(), free, c->node[NR_ANON_MAPPED], c->node[NR_FILE_PAGES],
            c->node[NR_SHMEM], c->node[NR_FILE_DIRTY], c->node[NR_WRITEBACK], slab,
            c->node[NR_PAGETABLE], total_swap_pages() - nr_swap_pages());
    if (jsonl) {
        rss_json(out);
        zones_json(out);
    }
}

void memstat_event(struct tracer *tr, struct task *t)
{
    if (!trace_wants(tr, TRACE_MEMORY))
        return;
    struct vm_counts c;
    vm_counts_collect(&c);
    trace_event(tr, t, TRACE_MEMORY, "memory", memory_fields, &c);
}

struct frame_runs {
    FILE *out;
    bool jsonl;
    int n;
};

static void print_run(const char *kind, unsigned long len, void *arg)
{
    struct frame_runs *r = arg;
    fprintf(r->out, r->jsonl ? "%s[\"%s\",%lu]" : "%s%s:%lu", r->n++ ? "," : "", kind, len);
}

static void frames_fields(FILE *out, bool jsonl, void *arg)
{
    (void)arg;
    /* The total goes first: written once the walk has counted it, from a scratch buffer. */
    char *buf = NULL;
    size_t size = 0;
    FILE *runs = open_memstream(&buf, &size);
    if (!runs)
        return;
    struct frame_runs r = {runs, jsonl, 0};
    unsigned long total = frame_map_walk(print_run, &r);
    fclose(runs);
    fprintf(out, jsonl ? ",\"total\":%lu,\"runs\":[%s]" : " total=%lu runs=%s", total,
            buf ? buf : "");
    free(buf);
}

/* No other task of the run still has an mm: t is the last one. */
static bool last_task_with_mm(const struct task *t)
{
    for (struct task *o = next_task(NULL); o; o = next_task(o))
        if (o != t && o->mm && o->state != TASK_ZOMBIE && o->state != TASK_DEAD)
            return false;
    return true;
}

/* No other live task shares t's process. */
static bool last_of_process(const struct task *t)
{
    for (struct task *o = next_task(NULL); o; o = next_task(o))
        if (o != t && o->tgid == t->tgid && o->state != TASK_ZOMBIE && o->state != TASK_DEAD)
            return false;
    return true;
}

void memstat_before_exit(struct task *t)
{
    bool traced = trace_wants(t->tracer, TRACE_ACCESS | TRACE_MEMORY);
    if ((!traced && !check_probe_enabled()) || !t->mm || !last_of_process(t))
        return;
    bool last = last_task_with_mm(t);
    check_probe_process_end(t, last); /* check's summary level: the map, peak RSS, counters */
    if (!traced)
        return;
    sampler_process_exit(t);
    memstat_event(t->tracer, t);
    if (last)
        trace_event(t->tracer, t, TRACE_MEMORY, "frames", frames_fields, NULL);
}
