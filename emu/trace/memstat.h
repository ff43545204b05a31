/*
 * The machine's memory as trace events (category `memory`): a `memory`
 * event with the counters /proc/meminfo is made of (free, anonymous, page
 * cache, shmem, dirty, writeback, slab, page tables, each process's RSS)
 * and each zone's free lists; and, once the last process is ending, a
 * `frames` event saying what every frame of RAM holds.
 */
#ifndef VMEMU_EMU_TRACE_MEMSTAT_H
#define VMEMU_EMU_TRACE_MEMSTAT_H

struct task;
struct tracer;

/* The counters now, as an event of t's (NULL: of the machine, pid 0). */
void memstat_event(struct tracer *tr, struct task *t);

/*
 * do_exit, before t lets go of its mm: when t is its process's last task,
 * the process's last access samples and the counters; when it is the last
 * task of the run, the frame map too.
 */
void memstat_before_exit(struct task *t);

#endif
