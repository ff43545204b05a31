/*
 * What each system call's arguments are, for the strace-style decoder:
 * one kind per argument (how strace prints it) and the kind of the result.
 * strace_table.c holds the signatures, strace.c the printers.
 */
#ifndef VMEMU_EMU_TRACE_STRACE_TABLE_H
#define VMEMU_EMU_TRACE_STRACE_TABLE_H

#include <stdint.h>

enum strace_arg {
    A_INT,        /* int, decimal */
    A_LONG,       /* long, decimal */
    A_ULONG,      /* unsigned long, decimal */
    A_HEX,        /* a number in hex */
    A_PTR,        /* an address: NULL or hex */
    A_DIRFD,      /* AT_FDCWD or a descriptor */
    A_PATH,       /* a NUL-terminated path, whole */
    A_STR,        /* a NUL-terminated string, at most 32 bytes shown */
    A_BUF_IN,     /* bytes the call reads: the next argument is their count */
    A_BUF_OUT,    /* bytes the call wrote: the result is their count */
    A_PATH_OUT,   /* readlink's and getcwd's answer: a path of the result's length */
    A_RANDOM_OUT, /* getrandom's bytes, in hex */
    A_OPEN_FLAGS,
    A_OPEN_MODE, /* shown only when the flags before it create a file */
    A_MODE,      /* permission bits, octal */
    A_PROT,
    A_MAP_FLAGS,
    A_MREMAP_FLAGS,
    A_MREMAP_ADDR, /* shown only when the flags before it ask for a fixed place */
    A_MADVISE,
    A_MSYNC,
    A_MLOCKALL,
    A_MLOCK2,
    A_AT_FLAGS,
    A_ACCESS_MODE,
    A_WHENCE,
    A_FCNTL_CMD, /* and the argument after it, which depends on the command */
    A_IOCTL_REQ, /* and the argument after it, as an address */
    A_SIG,
    A_SIGSET_IN,
    A_SIGSET_OUT,
    A_SIGHOW,
    A_SIGACTION_IN,
    A_SIGACTION_OUT,
    A_STAT_OUT,
    A_STATX_OUT,
    A_IOV_IN,  /* the next argument is the count */
    A_IOV_OUT, /* filled up to the result's bytes */
    A_TIMESPEC_IN,
    A_TIMESPEC_OUT,
    A_TIMEVAL_OUT,
    A_CLOCKID,
    A_TIMER_FLAGS,
    A_PIPEFDS_OUT,
    A_PIPE_FLAGS, /* O_CLOEXEC, O_NONBLOCK: pipe2, dup3 */
    A_WAIT_OPTIONS,
    A_WSTATUS_OUT,
    A_ARCH_PRCTL,
    A_PRCTL_OPTION,
    A_FUTEX_OP,
    A_RLIMIT_RES,
    A_RLIMIT_IN,
    A_RLIMIT_OUT,
    A_GRND_FLAGS,
    A_ARGV,
    A_ENVP,
    A_UNAME_OUT,
    A_EPOLL_OP,
    A_EFD_FLAGS,
    A_SFD_FLAGS,
    A_RENAME_FLAGS,
    A_CLOSE_RANGE_FLAGS,
    A_ITIMER_WHICH,
    A_FADVISE,
    A_MEMBARRIER,
    A_STATX_MASK,
    A_RUSAGE_WHO,
    A_POLLFDS, /* the next argument is the count */
    A_CLONE,   /* clone's whole argument list, in strace's order and names */
};

enum strace_ret {
    R_DEC,      /* a number: a count, a descriptor, a pid */
    R_HEX,      /* an address: brk, mmap, mremap */
    R_OCT,      /* umask */
    R_FCNTL,    /* by command: flags for F_GETFD and F_GETFL, else decimal */
    R_NORETURN, /* exit, exit_group: never return */
};

#define STRACE_MAX_ARGS 6

struct strace_sig {
    uint16_t nr;
    uint8_t nargs, ret;
    uint8_t arg[STRACE_MAX_ARGS];
};

/* The signature of system call nr, or NULL (then every argument is shown in hex). */
const struct strace_sig *strace_sig(uint64_t nr);

#endif
