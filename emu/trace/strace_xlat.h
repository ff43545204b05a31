/*
 * Names of the constants and flags Linux's x86-64 system calls take, for
 * the strace-style syscall trace: tables of value and name, in the order
 * strace prints them, and the two ways of printing a value with one.
 */
#ifndef VMEMU_EMU_TRACE_STRACE_XLAT_H
#define VMEMU_EMU_TRACE_STRACE_XLAT_H

#include <stdint.h>

#include "mm/seq.h"

struct xlat {
    uint64_t val;
    const char *name;
};

/* A table ends with an entry whose name is NULL. */
#define XLAT_END                                                                                   \
    {                                                                                              \
        0, NULL                                                                                    \
    }

/*
 * Flags: the name of every entry whose bits are all set, in table order,
 * joined by '|', then any bits left over in hex; zero is "0".
 */
void xlat_flags(struct seq *s, const struct xlat *table, uint64_t val);
/* One value: its name, or the number (decimal if fmt_hex is 0, else hex). */
void xlat_value(struct seq *s, const struct xlat *table, uint64_t val, int fmt_hex);
/* The name of val, or NULL. */
const char *xlat_name(const struct xlat *table, uint64_t val);

extern const struct xlat open_flags[], open_access[], prot_flags[], map_type[], map_flags[],
    mremap_flags[], madvise_advice[], msync_flags[], mlockall_flags[], mlock2_flags[], at_flags[],
    access_modes[], seek_whence[], fcntl_cmds[], fd_flags[], sigaction_flags[], sigprocmask_how[],
    clock_ids[], timer_flags[], clone_flags[], wait_options[], arch_prctl_codes[], prctl_options[],
    futex_ops[], rlimit_resources[], getrandom_flags[], pipe_flags[], eventfd_flags[],
    signalfd_flags[], epoll_ctl_ops[], ioctl_requests[], rename_flags[], close_range_flags[],
    itimer_which[], fadvise_advice[], poll_events[], membarrier_cmds[], statx_masks[],
    sched_policies[], rusage_who[], mode_types[];

/* "SIGSEGV", "SIGRT_3" (sig 35), or NULL outside 1..64. */
const char *signal_name(int sig, char buf[16]);

#endif
