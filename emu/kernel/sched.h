/*
 * The scheduler, sleeping and waking, and the machine's clock.
 *
 * One emulated CPU runs one task at a time. Switches happen only at
 * points the guest's own actions decide: a task sleeps in a system call, a
 * task exits, or (with several tasks runnable) a quantum of guest work
 * ends. Never host time: the same program and input give the same
 * interleaving on every run.
 *
 * Sleeping: a system call that must wait puts the task on one or more
 * wait queues (and/or arms a timeout) with prepare_to_sleep()/sleep_on()
 * and returns -ERESTARTSYS. The task leaves the CPU. When it is woken (by
 * the event, its timeout, or a signal) the same system call is run again
 * from the start, with the same arguments; it finds the event, or a
 * pending signal (then it returns -ERESTARTSYS, -EINTR or a partial
 * count, and signal delivery restarts or interrupts it as Linux does), or
 * it sleeps again. What a call must remember between runs (its deadline,
 * bytes already moved) lives in current->restart.
 *
 * The clock: virtual unless --realtime. It advances by a fixed step for
 * each time query and jumps to the next timer when every task sleeps.
 */
#ifndef VMEMU_EMU_SCHED_H
#define VMEMU_EMU_SCHED_H

#include <stdbool.h>
#include <stdint.h>

#include "emu/kernel/task.h"
#include "mm/list.h"

/* The task on the CPU; NULL between tasks. */
extern struct task *current;

struct wait_queue_entry {
    struct list_head entry; /* in the queue */
    struct list_head link;  /* in task->waits */
    struct wait_queue_head *wq;
    struct task *task;
};

static inline void init_waitqueue_head(struct wait_queue_head *wq)
{
    INIT_LIST_HEAD(&wq->head);
}
static inline bool waitqueue_active(const struct wait_queue_head *wq)
{
    return !list_empty(&wq->head);
}

/* Queue current on wq for the sleep it is about to take; false when out of memory. */
bool prepare_to_sleep(struct wait_queue_head *wq);
/*
 * Put current to sleep (interruptible) on what prepare_to_sleep queued it
 * on, until deadline (virtual ns, 0 for none) at the latest. Returns
 * -ERESTARTSYS for the system call to return. With a signal already
 * pending it does not sleep: the call is interrupted at once.
 */
long sleep_on(uint64_t deadline);
/* Sleep on one queue: prepare_to_sleep(wq) then sleep_on(0). */
long wait_on(struct wait_queue_head *wq);
/* Wake every task sleeping on wq. */
void wake_up(struct wait_queue_head *wq);
/* Make a sleeping or new task runnable (back of the run queue). */
void wake_up_process(struct task *t);
/* A signal arrived for t: wake it if it sleeps interruptibly. */
void signal_wake_up(struct task *t, bool fatal);
/* A task that is ending leaves the run queue, its wait queues and its timeout. */
void sched_remove(struct task *t);
/* Stop current (TASK_STOPPED) or freeze it uninterruptibly until woken. */
void sleep_uninterruptible(void);

/* ---- the clock and timers ---- */

uint64_t ktime_get_ns(void);         /* the machine's clock: virtual or real, without stepping */
uint64_t clock_read_ns(int clockid); /* a guest's clock query: steps the virtual clock */
/*
 * The paravirtual clock the vDSO reads (vdso/vvar.h): the machine clock's
 * monotonic nanoseconds, read as a clock query, so time passes for a
 * program calling the vDSO as for one making the system call.
 */
uint64_t pvclock_read(void);
uint64_t boot_time_ns(void); /* CLOCK_REALTIME at the machine's start */

void ktimer_start(struct ktimer *tm, uint64_t expires);
void ktimer_cancel(struct ktimer *tm);

/* ---- the run loop ---- */

/* The scheduler's settings (the clock: virtual or real); before the first task runs. */
void sched_init(const struct vmemu_options *opts);
/* Run every guest task until none is left; returns the first process's exit status. */
int kernel_run(struct task *init);
/* Make t runnable for the first time (fork). */
void sched_fork(struct task *t);
/* The first process of the run (its leader), or NULL once it is gone. */
struct task *kernel_init_task(void);
/* The first task's wait status once it has exited, or -1 while it runs. */
int kernel_init_status(void);
/* A process ended with this wait status (exit.c): the first one's is vmemu's. */
void kernel_note_exit(struct task *t, int wait_status);
/* Fire the timers that are due (the loop, between instructions); true if any. */
bool run_timers(void);
/*
 * A program now needs guest work to be counted (a second thread, an
 * interval timer): turn preemption on, for the rest of the run.
 */
void sched_need_preemption(void);
/*
 * A timeline of the run was asked for (--html, --perfetto, access
 * sampling): count guest blocks from the start, so that the virtual clock
 * follows guest work (10 ns a block). Before kernel_run.
 */
void sched_follow_guest_work(void);
/* Guest blocks counted so far (0 unless blocks are counted). */
uint64_t sched_blocks_run(void);
/* Count a syscall against the task's share while others wait to run. */
void sched_syscall_tick(struct task *t);

#endif
