/*
 * Sampling a run on its virtual clock (--access-sample, --html): every
 * interval the access monitor (mm/damon.c) looks at each process's
 * regions; every SAMPLES_PER_AGGREGATION samples each process's region
 * counts go to the trace as an `access` event, followed by the machine's
 * memory counters (a `memory` event, memstat.c).
 *
 * Off unless started: then sampler_active() is false, the run loop's only
 * cost is that test, and nothing about the run changes. On, it needs the
 * virtual clock to follow guest work (sched_follow_guest_work); samples
 * are taken when the run loop has the CPU stopped, at deterministic points,
 * so two runs sample alike.
 */
#ifndef VMEMU_EMU_TRACE_SAMPLER_H
#define VMEMU_EMU_TRACE_SAMPLER_H

#include <stdbool.h>
#include <stdint.h>

struct task;
struct tracer;

#define SAMPLES_PER_AGGREGATION 20
#define ACCESS_SAMPLE_DEFAULT_NS 500000ULL /* --html's interval: 500 us of virtual time */
#define ACCESS_MIN_REGIONS 10
#define ACCESS_MAX_REGIONS 200

/* Start sampling every interval_ns of virtual time, writing to tr. */
void sampler_start(struct tracer *tr, uint64_t interval_ns, uint64_t seed);
/* Stop and forget every process (after the run). */
void sampler_stop(void);

/* Sampling is on (the run loop asks before anything else). */
extern bool sampler_on;
static inline bool sampler_active(void)
{
    return sampler_on;
}
/* When the next sample is due, on the virtual clock (while active). */
uint64_t sampler_due_ns(void);
/* The run loop, CPU stopped: take the samples that are due. */
void sampler_tick_due(void);
static inline void sampler_tick(void)
{
    if (sampler_on)
        sampler_tick_due();
}
/*
 * The last task of t's process is about to drop its mm (exit): the
 * process's partial aggregation goes to the trace now, while the mm is
 * still there.
 */
void sampler_process_exit(struct task *t);

#endif
