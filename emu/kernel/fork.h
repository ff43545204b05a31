/* Making tasks (fork.c). */
#ifndef VMEMU_EMU_FORK_H
#define VMEMU_EMU_FORK_H

struct task;

/*
 * exec from a thread: t becomes its process's leader, with the leader's
 * pid, parent and place among its parent's children; the old leader,
 * which has exited, is released.
 */
void take_over_leader(struct task *t, struct task *leader);

#endif
