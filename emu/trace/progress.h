/*
 * --progress: a one-line live status on the terminal, refreshed four times
 * a second for long runs: virtual time, guest blocks (when counted),
 * faults, system calls, resident memory, processes, host time.
 *
 * Only when stderr is a terminal; otherwise nothing at all happens, so the
 * option never shows in output a test compares. The main thread publishes
 * a snapshot at most ten times a second from points it passes anyway (the
 * run loop, faults, system calls); a second host thread only prints the
 * last snapshot. Nothing the guest sees depends on either.
 */
#ifndef VMEMU_EMU_TRACE_PROGRESS_H
#define VMEMU_EMU_TRACE_PROGRESS_H

#include <stdbool.h>

extern bool progress_on;

/* Start the status line if stderr is a terminal. */
void progress_start(void);
/* Stop it and clear the line, before vmemu's own last words. */
void progress_stop(void);

void progress_publish(bool syscall);
/* The run loop and faults pass here. */
static inline void progress_tick(void)
{
    if (progress_on)
        progress_publish(false);
}
/* A system call ended. */
static inline void progress_syscall(void)
{
    if (progress_on)
        progress_publish(true);
}

#endif
