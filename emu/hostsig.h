/*
 * Signals sent to vmemu itself: SIGINT, SIGTERM, SIGHUP, SIGQUIT and
 * SIGPIPE become the guest's (hostsig.c has the whole story).
 */
#ifndef VMEMU_EMU_HOSTSIG_H
#define VMEMU_EMU_HOSTSIG_H

#include <stdbool.h>

/*
 * Catch the five signals, except those vmemu was started with ignored:
 * they stay ignored, as a native program inherits them (the guest task's
 * dispositions say so too). Call once the CPU exists.
 */
void host_signals_install(void);

/*
 * Hand every signal that reached vmemu since the last call to the kernel
 * (kernel_host_signal); true when there was one. The run loop calls it
 * whenever the CPU stops, a blocking host call after EINTR.
 */
bool host_signals_deliver(void);

struct task;

/*
 * A blocking host call of t's returned EINTR: deliver what reached vmemu;
 * true when t now has a signal to take (the call returns -ERESTARTSYS and
 * the signal's action decides between EINTR, a restart and death), false
 * when the guest ignored it and the call goes on.
 */
bool host_signal_interrupts(struct task *t);

#endif
