/*
 * The sampler (sampler.h): one DAMON target per process, sampled on the
 * virtual clock, aggregated into `access` events.
 *
 * A process is known by its tgid and the mm it runs in; after an exec the
 * mm differs and the process starts afresh (the old mm may be gone: only
 * the host copy of its regions is freed, the mm is never touched again).
 * A process that ends reports its partial aggregation from
 * sampler_process_exit, while its mm still exists.
 */
#include "emu/trace/sampler.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "emu/kernel/sched.h"
#include "emu/kernel/task.h"
#include "emu/trace/memstat.h"
#include "emu/trace/trace.h"
#include "mm/damon.h"

/* Memory counters cost a pass over every frame: at most once per this much virtual time. */
#define MEMORY_EVENT_MIN_NS 2000000ULL

struct proc_target {
    int tgid;
    struct damon_target dt;
    unsigned int samples; /* in the current aggregation */
    struct task *task;    /* a live task of the process, this tick */
};

bool sampler_on;

static struct {
    struct tracer *tr;
    uint64_t interval, next_due, last_memory;
    struct damon_ctx ctx;
    struct proc_target *procs;
    unsigned int nprocs, cap;
} S;

void sampler_start(struct tracer *tr, uint64_t interval_ns, uint64_t seed)
{
    memset(&S, 0, sizeof(S));
    S.tr = tr;
    S.interval = interval_ns;
    S.next_due = interval_ns;
    damon_ctx_init(&S.ctx, ACCESS_MIN_REGIONS, ACCESS_MAX_REGIONS, seed);
    sampler_on = interval_ns != 0;
}

static void forget(unsigned int i)
{
    damon_target_free(&S.procs[i].dt);
    S.procs[i] = S.procs[--S.nprocs];
}

void sampler_stop(void)
{
    while (S.nprocs)
        forget(0);
    free(S.procs);
    memset(&S, 0, sizeof(S));
    sampler_on = false;
}

uint64_t sampler_due_ns(void)
{
    return S.next_due;
}

static struct proc_target *find_proc(int tgid)
{
    for (unsigned int i = 0; i < S.nprocs; i++)
        if (S.procs[i].tgid == tgid)
            return &S.procs[i];
    return NULL;
}

/* A process not watched yet (or running a new program): regions fitted to its VMAs. */
static struct proc_target *watch(struct task *t)
{
    if (S.nprocs == S.cap) {
        unsigned int cap = S.cap ? 2 * S.cap : 8;
        struct proc_target *p = realloc(S.procs, cap * sizeof(*p));
        if (!p)
            return NULL;
        S.procs = p;
        S.cap = cap;
    }
    struct proc_target *p = &S.procs[S.nprocs++];
    memset(p, 0, sizeof(*p));
    p->tgid = t->tgid;
    damon_target_init(&p->dt, t->mm);
    damon_update(&S.ctx, &p->dt);
    return p;
}

/* Find every live process, with one of its tasks; forget the ones that are gone. */
static void find_processes(void)
{
    for (unsigned int i = 0; i < S.nprocs; i++)
        S.procs[i].task = NULL;
    for (struct task *t = next_task(NULL); t; t = next_task(t)) {
        if (!t->mm || t->state == TASK_ZOMBIE || t->state == TASK_DEAD)
            continue;
        struct proc_target *p = find_proc(t->tgid);
        if (p && p->task)
            continue;                 /* another thread of a process already found */
        if (p && p->dt.mm != t->mm) { /* it exec'd: its old mm is gone */
            forget((unsigned int)(p - S.procs));
            p = NULL;
        }
        if (!p && !(p = watch(t)))
            continue;
        p->task = t;
    }
    for (unsigned int i = 0; i < S.nprocs;)
        if (!S.procs[i].task)
            forget(i);
        else
            i++;
}

struct access_fields {
    const struct proc_target *p;
};

static void access_fields(FILE *out, bool jsonl, void *arg)
{
    const struct proc_target *p = ((struct access_fields *)arg)->p;
    const struct damon_target *dt = &p->dt;
    if (jsonl) {
        fprintf(out, ",\"interval\":%" PRIu64 ",\"samples\":%u,\"regions\":[", S.interval,
                p->samples);
        for (unsigned int i = 0; i < dt->nr_regions; i++)
            fprintf(out, "%s[\"0x%lx\",\"0x%lx\",%u]", i ? "," : "", dt->regions[i].start,
                    dt->regions[i].end, dt->regions[i].nr_accesses);
        fputc(']', out);
        return;
    }
    fprintf(out, " interval=%" PRIu64 " samples=%u regions=", S.interval, p->samples);
    for (unsigned int i = 0; i < dt->nr_regions; i++)
        fprintf(out, "%s%lx-%lx:%u", i ? "," : "", dt->regions[i].start, dt->regions[i].end,
                dt->regions[i].nr_accesses);
}

/* The aggregation ends: its counts to the trace, then merge, split and refit the regions. */
static void aggregate(struct proc_target *p, struct task *t)
{
    struct access_fields f = {p};
    trace_event(S.tr, t, TRACE_ACCESS, "access", access_fields, &f);
    damon_aggregate(&S.ctx, &p->dt);
    damon_update(&S.ctx, &p->dt);
    p->samples = 0;
}

static void sample_all(void)
{
    bool aggregated = false;
    find_processes();
    for (unsigned int i = 0; i < S.nprocs; i++) {
        struct proc_target *p = &S.procs[i];
        damon_sample(&S.ctx, &p->dt);
        if (++p->samples == SAMPLES_PER_AGGREGATION) {
            aggregate(p, p->task);
            aggregated = true;
        }
    }
    uint64_t now = ktime_get_ns();
    if (aggregated && now - S.last_memory >= MEMORY_EVENT_MIN_NS) {
        S.last_memory = now;
        memstat_event(S.tr, NULL);
    }
}

void sampler_tick_due(void)
{
    uint64_t now = ktime_get_ns();
    if (now < S.next_due)
        return;
    sample_all();
    /* Samples missed while every task slept are not made up: the next is on the grid after now. */
    S.next_due = now - (now - S.next_due) % S.interval + S.interval;
}

void sampler_process_exit(struct task *t)
{
    if (!sampler_on)
        return;
    struct proc_target *p = find_proc(t->tgid);
    if (!p || p->dt.mm != t->mm)
        return;
    if (p->samples)
        aggregate(p, t);
    forget((unsigned int)(p - S.procs));
}
