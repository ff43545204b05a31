/*
 * Signals, as x86-64 Linux sends, queues and delivers them.
 *
 * A signal is sent to a task (tkill, a fault) or to a process (kill): it
 * is queued on the task's or the process's pending set, and a task that
 * can take it is woken. Delivery happens only on the way back to user mode
 * (exit_to_user_mode, from the run loop): default actions (ignore, stop,
 * end the process) are taken there, and a handler gets Linux's rt_sigframe
 * on the user stack (or the alternate stack): siginfo, a ucontext with the
 * registers and the FXSAVE-format FPU state; rt_sigreturn restores them.
 * A system call the signal interrupted is restarted or fails with EINTR
 * as its -ERESTART* code and SA_RESTART say.
 */
#ifndef VMEMU_EMU_SIGNAL_H
#define VMEMU_EMU_SIGNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "emu/kernel/syscall.h"
#include "emu/kernel/task.h"

/* The kernel's internal restart codes, never seen by the guest. */
#define ERESTARTSYS 512
#define ERESTARTNOINTR 513
#define ERESTARTNOHAND 514
#define ERESTART_RESTARTBLOCK 516

/* SIGRTMIN as the kernel counts it (glibc keeps 32 and 33 for itself). */
#define KERNEL_SIGRTMIN 32

static inline bool is_restart_code(long ret)
{
    return ret == -ERESTARTSYS || ret == -ERESTARTNOINTR || ret == -ERESTARTNOHAND ||
           ret == -ERESTART_RESTARTBLOCK;
}

/* A signal the task does not block is pending for it or its process. */
bool signal_pending(const struct task *t);
/* SIGKILL is pending, or the process is on its way out. */
bool fatal_signal_pending(const struct task *t);
/* Nobody catches sig in t: it will take its default action (the kernel then logs faults). */
bool unhandled_signal(const struct task *t, int sig);

/*
 * Send sig to a task (group false: tkill, faults) or to its process (group
 * true: kill). info may be NULL for a plain kernel signal. 0 or -errno.
 */
int send_signal(struct task *t, int sig, const struct kernel_siginfo *info, bool group);
/* A synchronous signal: it cannot be blocked or ignored (else the default action). */
void force_sig_fault(struct task *t, int sig, int code, uint64_t addr);
void force_sig(struct task *t, int sig);
/* kill(2)'s pid argument: a process, a group, everyone; 0 or -errno. */
int kill_something_info(int sig, const struct kernel_siginfo *info, int pid);
/* Send to every process of group pgrp; 0, or -ESRCH if it has none. */
int kill_pgrp(int pgrp, int sig, const struct kernel_siginfo *info);

/*
 * A signal sent to vmemu itself (emu/hostsig.c), for the guest: its
 * foreground process group gets it as from a terminal; forced (a second
 * Ctrl-C within a second), it ends them whatever they asked.
 */
void kernel_host_signal(int sig, bool forced);

/* Signal work before user code runs again: timers, restarts, delivery, exit. */
void exit_to_user_mode(struct task *t);

/* Drop every queued signal. */
void flush_sigqueue(struct sigpending *p);
/* execve: caught signals go back to their default action, the alternate stack goes. */
void flush_signal_handlers(struct task *t);
/* The mask as sigprocmask changes it; SIGKILL and SIGSTOP can never be blocked. */
void set_current_blocked(struct task *t, sigset64_t mask);

/* The signal system calls. */
void sys_signal_register(syscall_fn table[NR_SYSCALLS]);

#endif
