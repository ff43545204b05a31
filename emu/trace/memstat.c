/*
 * Memory counters and the frame map as trace events (memstat.h). Counts
 * come from vm_counts_collect, the same pass over mem_map /proc/meminfo
 * makes, so the report's curves and the guest's /proc agree. Values are
 * pages.
 */
#include "emu/trace/memstat.h"

#include <inttypes.h>
#include <stdio.h>

#include "emu/kernel/task.h"
#include "emu/trace/sampler.h"
#include "emu/trace/trace.h"
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
    int n = 0;
    for (int z = 0; z < MAX_NR_ZONES; z++) {
        const struct zone *zone = &contig_page_data.node_zones[z];
        if (!zone->managed_pages)
            continue;
        fprintf(out, "%s{\"name\":\"%s\",\"managed\":%lu,\"free\":%lu,\"buddy\":[", n++ ? "," : "",
                zone->name, zone->managed_pages, zone->free_pages);
        for (int o = 0; o < MAX_ORDER; o++)
            fprintf(out, "%s%lu", o ? "," : "", zone->free_area[o].nr_free);
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
                              "\"swap\":0"
                            : " total=%lu free=%lu anon=%lu file=%lu shmem=%lu dirty=%lu "
                              "writeback=%lu slab=%lu pagetables=%lu swap=0";
    fprintf(out, fmt, totalram_pages(), free, c->node[NR_ANON_MAPPED], c->node[NR_FILE_PAGES],
            c->node[NR_SHMEM], c->node[NR_FILE_DIRTY], c->node[NR_WRITEBACK], slab,
            c->node[NR_PAGETABLE]);
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

/* What a frame holds, as the frame map names it. */
static const char *frame_kind(unsigned long pfn, unsigned long *span)
{
    const struct page *p = pfn_to_page(pfn);
    *span = 1;
    if (PageFlag(p, PG_buddy)) {
        *span = 1UL << p->private; /* the head of a free block of that order */
        return "free";
    }
    if (PageFlag(p, PG_reserved))
        return "reserved";
    if (PageFlag(p, PG_slab))
        return "slab";
    if (PageFlag(p, PG_pgtable))
        return "pagetable";
    if (PageFlag(p, PG_anon))
        return PageFlag(p, PG_shmem) ? "shmem" : "anon";
    if (p->mapping)
        return "file";
    return "kernel"; /* kmalloc's large blocks, vmalloc, pipes, the zero page */
}

static void print_run(FILE *out, bool jsonl, int n, const char *kind, unsigned long len)
{
    fprintf(out, jsonl ? "%s[\"%s\",%lu]" : "%s%s:%lu", n ? "," : "", kind, len);
}

static void frames_fields(FILE *out, bool jsonl, void *arg)
{
    (void)arg;
    fprintf(out, jsonl ? ",\"total\":%lu,\"runs\":[" : " total=%lu runs=", max_pfn);
    const char *run = NULL;
    unsigned long len = 0;
    int n = 0;
    for (unsigned long pfn = 0; pfn < max_pfn;) {
        unsigned long span;
        const char *kind = frame_kind(pfn, &span);
        if (span > max_pfn - pfn)
            span = max_pfn - pfn;
        if (run && kind != run) { /* kinds are string constants: compared by address */
            print_run(out, jsonl, n++, run, len);
            len = 0;
        }
        run = kind;
        len += span;
        pfn += span;
    }
    if (run)
        print_run(out, jsonl, n, run, len);
    if (jsonl)
        fputc(']', out);
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
    if (!trace_wants(t->tracer, TRACE_ACCESS | TRACE_MEMORY) || !t->mm || !last_of_process(t))
        return;
    sampler_process_exit(t);
    memstat_event(t->tracer, t);
    if (last_task_with_mm(t))
        trace_event(t->tracer, t, TRACE_MEMORY, "frames", frames_fields, NULL);
}
