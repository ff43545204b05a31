/*
 * The end of tasks and processes: exit, exit_group, death by signal,
 * zombies, reparenting, SIGCHLD and the wait family.
 */
#ifndef VMEMU_EMU_EXIT_H
#define VMEMU_EMU_EXIT_H

#include <stdint.h>

#include "emu/kernel/syscall.h"
#include "emu/kernel/task.h"

/*
 * End task t with the wait status code (exit status << 8, or the signal):
 * its parts go, its children find a new parent, and the last thread of a
 * process becomes a zombie for its parent (or is reaped at once).
 */
void do_exit(struct task *t, int code);
/* End every thread of t's process with code (exit_group, a fatal signal). */
void do_group_exit(struct task *t, int code);
/* The task lets go of its mm (exec, exit): a vfork parent wakes, clear_child_tid is cleared. */
void mm_release(struct task *t);
/* A stopped or continued child: SIGCHLD and wait's report. */
void do_notify_parent_cldstop(struct task *t, int why);

/* One line of the exit summary: a process that ended. */
struct exit_record {
    int pid, ppid;
    char comm[16];
    int status;  /* the wait status */
    int threads; /* it ever had */
    struct fault_stats faults;
    unsigned long hiwater_rss;
};
/* The processes that ended so far, in the order they ended. */
const struct exit_record *exit_records(unsigned int *n);
void exit_records_free(void);

void sys_exit_register(syscall_fn table[NR_SYSCALLS]);

#endif
