/*
 * Process file descriptors (pidfd.c) as the calls that act on another
 * process through one see them (process_madvise, process_mrelease).
 */
#ifndef VMEMU_EMU_KERNEL_PIDFD_H
#define VMEMU_EMU_KERNEL_PIDFD_H

struct task;

/*
 * The process t's descriptor fd names (Linux's pidfd_get_task), or NULL
 * with *err: -EBADF when fd is no pidfd, -ESRCH when the process was reaped.
 */
struct task *pidfd_get_task(struct task *t, int fd, long *err);
/* A process ended: wake whoever polls a pidfd (exit.c). */
void pidfd_notify_exit(void);

#endif
