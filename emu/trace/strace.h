/*
 * System calls as strace prints them: `openat(AT_FDCWD, "/etc/hostname",
 * O_RDONLY|O_CLOEXEC) = 3`, `close(3) = -1 EBADF (Bad file descriptor)`.
 * Strings are quoted and escaped as strace does (at most 32 bytes of a
 * buffer, then "..."), flags and constants are named, structures strace
 * shows (stat, sigaction, iovec, timespec, rlimit, ...) are shown the same
 * way. Guest memory is only peeked at (what is present), never faulted in:
 * tracing must not change the run. What cannot be read is shown as its
 * address, as strace does.
 */
#ifndef VMEMU_EMU_TRACE_STRACE_H
#define VMEMU_EMU_TRACE_STRACE_H

#include <stdbool.h>
#include <stdint.h>

#include "mm/seq.h"

struct task;

#define STRACE_ARGS_MAX 8

/* One decoded call: its arguments as separate strings, and its result. */
struct strace_call {
    unsigned int nargs;
    struct seq arg[STRACE_ARGS_MAX];
    struct seq result; /* "3", "0x7ffff7ff5000", "-1 ENOENT (No such file or directory)", "?" */
    const char *err;   /* "ENOENT" when the call failed, else NULL */
};

void strace_call_init(struct strace_call *c);
void strace_call_free(struct strace_call *c);

/*
 * Decode the arguments of call nr made by t. exited: the call has returned
 * ret, so what it wrote (read's buffer, fstat's structure) can be shown.
 */
void strace_decode_args(struct task *t, uint64_t nr, const uint64_t a[6], long ret, bool exited,
                        struct strace_call *c);
/* Decode the result ret of call nr (after the arguments). */
void strace_decode_result(uint64_t nr, const uint64_t a[6], long ret, struct strace_call *c);

/* Calls whose arguments are gone once they succeed (execve replaces the memory they point into). */
bool strace_decode_at_entry(uint64_t nr);

/* s quoted and escaped as strace shows a string. */
void strace_quote_string(struct seq *s, const char *str);

/* The Linux name of errno e ("ENOENT"), or NULL. */
const char *strace_errno_name(int e);

#endif
