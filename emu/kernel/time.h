/* Time: clocks, sleeps and timers (time.c). */
#ifndef VMEMU_EMU_TIME_H
#define VMEMU_EMU_TIME_H

struct signal_struct;

/* The process ended: its POSIX timers go. */
void posix_timers_exit(struct signal_struct *sig);

#endif
