/*
 * The constants of Linux's x86-64 system call interface, by name, for the
 * strace-style trace. Values are Linux's (include/uapi); within a flags
 * table the order is the order strace prints them in, so that a decoded
 * line reads as strace's does.
 */
#include "emu/trace/strace_xlat.h"

#include <stdio.h>

#define X(v, n)                                                                                    \
    {                                                                                              \
        (uint64_t)(v), n                                                                           \
    }

const struct xlat open_access[] = {X(0, "O_RDONLY"), X(1, "O_WRONLY"), X(2, "O_RDWR"), XLAT_END};

const struct xlat open_flags[] = {
    X(0100, "O_CREAT"),        X(0200, "O_EXCL"),        X(0400, "O_NOCTTY"),
    X(01000, "O_TRUNC"),       X(02000, "O_APPEND"),     X(04000, "O_NONBLOCK"),
    X(04010000, "O_SYNC"),     X(010000, "O_DSYNC"),     X(040000, "O_DIRECT"),
    X(0100000, "O_LARGEFILE"), X(0400000, "O_NOFOLLOW"), X(01000000, "O_NOATIME"),
    X(02000000, "O_CLOEXEC"),  X(010000000, "O_PATH"),   X(020200000, "O_TMPFILE"),
    X(0200000, "O_DIRECTORY"), X(020000, "FASYNC"),      XLAT_END};

const struct xlat prot_flags[] = {X(1, "PROT_READ"),
                                  X(2, "PROT_WRITE"),
                                  X(4, "PROT_EXEC"),
                                  X(8, "PROT_SEM"),
                                  X(0x01000000, "PROT_GROWSDOWN"),
                                  X(0x02000000, "PROT_GROWSUP"),
                                  XLAT_END};

const struct xlat map_type[] = {X(1, "MAP_SHARED"), X(2, "MAP_PRIVATE"),
                                X(3, "MAP_SHARED_VALIDATE"), XLAT_END};

const struct xlat map_flags[] = {X(0x10, "MAP_FIXED"),
                                 X(0x20, "MAP_ANONYMOUS"),
                                 X(0x40, "MAP_32BIT"),
                                 X(0x80, "MAP_ABOVE4G"),
                                 X(0x4000, "MAP_NORESERVE"),
                                 X(0x8000, "MAP_POPULATE"),
                                 X(0x10000, "MAP_NONBLOCK"),
                                 X(0x100, "MAP_GROWSDOWN"),
                                 X(0x800, "MAP_DENYWRITE"),
                                 X(0x1000, "MAP_EXECUTABLE"),
                                 X(0x2000, "MAP_LOCKED"),
                                 X(0x20000, "MAP_STACK"),
                                 X(0x40000, "MAP_HUGETLB"),
                                 X(0x80000, "MAP_SYNC"),
                                 X(0x4000000, "MAP_UNINITIALIZED"),
                                 X(0x100000, "MAP_FIXED_NOREPLACE"),
                                 XLAT_END};

const struct xlat mremap_flags[] = {X(1, "MREMAP_MAYMOVE"), X(2, "MREMAP_FIXED"),
                                    X(4, "MREMAP_DONTUNMAP"), XLAT_END};

const struct xlat madvise_advice[] = {X(0, "MADV_NORMAL"),          X(1, "MADV_RANDOM"),
                                      X(2, "MADV_SEQUENTIAL"),      X(3, "MADV_WILLNEED"),
                                      X(4, "MADV_DONTNEED"),        X(8, "MADV_FREE"),
                                      X(9, "MADV_REMOVE"),          X(10, "MADV_DONTFORK"),
                                      X(11, "MADV_DOFORK"),         X(12, "MADV_MERGEABLE"),
                                      X(13, "MADV_UNMERGEABLE"),    X(14, "MADV_HUGEPAGE"),
                                      X(15, "MADV_NOHUGEPAGE"),     X(16, "MADV_DONTDUMP"),
                                      X(17, "MADV_DODUMP"),         X(18, "MADV_WIPEONFORK"),
                                      X(19, "MADV_KEEPONFORK"),     X(20, "MADV_COLD"),
                                      X(21, "MADV_PAGEOUT"),        X(22, "MADV_POPULATE_READ"),
                                      X(23, "MADV_POPULATE_WRITE"), X(24, "MADV_DONTNEED_LOCKED"),
                                      X(25, "MADV_COLLAPSE"),       X(100, "MADV_HWPOISON"),
                                      X(101, "MADV_SOFT_OFFLINE"),  XLAT_END};

const struct xlat msync_flags[] = {X(1, "MS_ASYNC"), X(2, "MS_INVALIDATE"), X(4, "MS_SYNC"),
                                   XLAT_END};

const struct xlat mlockall_flags[] = {X(1, "MCL_CURRENT"), X(2, "MCL_FUTURE"), X(4, "MCL_ONFAULT"),
                                      XLAT_END};

const struct xlat mlock2_flags[] = {X(1, "MLOCK_ONFAULT"), XLAT_END};

const struct xlat at_flags[] = {
    X(0x100, "AT_SYMLINK_NOFOLLOW"), X(0x200, "AT_REMOVEDIR"),   X(0x400, "AT_SYMLINK_FOLLOW"),
    X(0x800, "AT_NO_AUTOMOUNT"),     X(0x1000, "AT_EMPTY_PATH"), X(0x2000, "AT_STATX_FORCE_SYNC"),
    X(0x4000, "AT_STATX_DONT_SYNC"), X(0x8000, "AT_RECURSIVE"),  XLAT_END};

const struct xlat access_modes[] = {X(4, "R_OK"), X(2, "W_OK"), X(1, "X_OK"), XLAT_END};

const struct xlat seek_whence[] = {X(0, "SEEK_SET"),  X(1, "SEEK_CUR"),  X(2, "SEEK_END"),
                                   X(3, "SEEK_DATA"), X(4, "SEEK_HOLE"), XLAT_END};

const struct xlat fcntl_cmds[] = {X(0, "F_DUPFD"),         X(1, "F_GETFD"),
                                  X(2, "F_SETFD"),         X(3, "F_GETFL"),
                                  X(4, "F_SETFL"),         X(5, "F_GETLK"),
                                  X(6, "F_SETLK"),         X(7, "F_SETLKW"),
                                  X(8, "F_SETOWN"),        X(9, "F_GETOWN"),
                                  X(10, "F_SETSIG"),       X(11, "F_GETSIG"),
                                  X(1024, "F_SETLEASE"),   X(1025, "F_GETLEASE"),
                                  X(1026, "F_NOTIFY"),     X(1030, "F_DUPFD_CLOEXEC"),
                                  X(1031, "F_SETPIPE_SZ"), X(1032, "F_GETPIPE_SZ"),
                                  X(1033, "F_ADD_SEALS"),  X(1034, "F_GET_SEALS"),
                                  X(36, "F_OFD_GETLK"),    X(37, "F_OFD_SETLK"),
                                  X(38, "F_OFD_SETLKW"),   XLAT_END};

const struct xlat fd_flags[] = {X(1, "FD_CLOEXEC"), XLAT_END};

const struct xlat sigaction_flags[] = {
    X(0x04000000, "SA_RESTORER"), X(0x08000000, "SA_ONSTACK"),   X(0x10000000, "SA_RESTART"),
    X(0x40000000, "SA_NODEFER"),  X(0x80000000, "SA_RESETHAND"), X(4, "SA_SIGINFO"),
    X(1, "SA_NOCLDSTOP"),         X(2, "SA_NOCLDWAIT"),          XLAT_END};

const struct xlat sigprocmask_how[] = {X(0, "SIG_BLOCK"), X(1, "SIG_UNBLOCK"), X(2, "SIG_SETMASK"),
                                       XLAT_END};

const struct xlat clock_ids[] = {
    X(0, "CLOCK_REALTIME"),          X(1, "CLOCK_MONOTONIC"),     X(2, "CLOCK_PROCESS_CPUTIME_ID"),
    X(3, "CLOCK_THREAD_CPUTIME_ID"), X(4, "CLOCK_MONOTONIC_RAW"), X(5, "CLOCK_REALTIME_COARSE"),
    X(6, "CLOCK_MONOTONIC_COARSE"),  X(7, "CLOCK_BOOTTIME"),      X(8, "CLOCK_REALTIME_ALARM"),
    X(9, "CLOCK_BOOTTIME_ALARM"),    X(11, "CLOCK_TAI"),          XLAT_END};

const struct xlat timer_flags[] = {X(1, "TIMER_ABSTIME"), XLAT_END};

const struct xlat clone_flags[] = {X(0x100, "CLONE_VM"),
                                   X(0x200, "CLONE_FS"),
                                   X(0x400, "CLONE_FILES"),
                                   X(0x800, "CLONE_SIGHAND"),
                                   X(0x1000, "CLONE_PIDFD"),
                                   X(0x2000, "CLONE_PTRACE"),
                                   X(0x4000, "CLONE_VFORK"),
                                   X(0x8000, "CLONE_PARENT"),
                                   X(0x10000, "CLONE_THREAD"),
                                   X(0x20000, "CLONE_NEWNS"),
                                   X(0x40000, "CLONE_SYSVSEM"),
                                   X(0x80000, "CLONE_SETTLS"),
                                   X(0x100000, "CLONE_PARENT_SETTID"),
                                   X(0x200000, "CLONE_CHILD_CLEARTID"),
                                   X(0x800000, "CLONE_UNTRACED"),
                                   X(0x1000000, "CLONE_CHILD_SETTID"),
                                   X(0x2000000, "CLONE_NEWCGROUP"),
                                   X(0x4000000, "CLONE_NEWUTS"),
                                   X(0x8000000, "CLONE_NEWIPC"),
                                   X(0x10000000, "CLONE_NEWUSER"),
                                   X(0x20000000, "CLONE_NEWPID"),
                                   X(0x40000000, "CLONE_NEWNET"),
                                   X(0x80000000, "CLONE_IO"),
                                   XLAT_END};

const struct xlat wait_options[] = {
    X(1, "WNOHANG"),         X(2, "WSTOPPED"),          X(4, "WEXITED"),
    X(8, "WCONTINUED"),      X(0x01000000, "WNOWAIT"),  X(0x20000000, "__WNOTHREAD"),
    X(0x40000000, "__WALL"), X(0x80000000, "__WCLONE"), XLAT_END};

const struct xlat arch_prctl_codes[] = {X(0x1001, "ARCH_SET_GS"),
                                        X(0x1002, "ARCH_SET_FS"),
                                        X(0x1003, "ARCH_GET_FS"),
                                        X(0x1004, "ARCH_GET_GS"),
                                        X(0x1011, "ARCH_GET_CPUID"),
                                        X(0x1012, "ARCH_SET_CPUID"),
                                        XLAT_END};

const struct xlat prctl_options[] = {X(1, "PR_SET_PDEATHSIG"),
                                     X(2, "PR_GET_PDEATHSIG"),
                                     X(3, "PR_GET_DUMPABLE"),
                                     X(4, "PR_SET_DUMPABLE"),
                                     X(15, "PR_SET_NAME"),
                                     X(16, "PR_GET_NAME"),
                                     X(22, "PR_SET_SECCOMP"),
                                     X(36, "PR_SET_CHILD_SUBREAPER"),
                                     X(37, "PR_GET_CHILD_SUBREAPER"),
                                     X(38, "PR_SET_NO_NEW_PRIVS"),
                                     X(39, "PR_GET_NO_NEW_PRIVS"),
                                     X(0x53564d41, "PR_SET_VMA"),
                                     XLAT_END};

const struct xlat futex_ops[] = {X(0, "FUTEX_WAIT"),
                                 X(1, "FUTEX_WAKE"),
                                 X(2, "FUTEX_FD"),
                                 X(3, "FUTEX_REQUEUE"),
                                 X(4, "FUTEX_CMP_REQUEUE"),
                                 X(5, "FUTEX_WAKE_OP"),
                                 X(6, "FUTEX_LOCK_PI"),
                                 X(7, "FUTEX_UNLOCK_PI"),
                                 X(8, "FUTEX_TRYLOCK_PI"),
                                 X(9, "FUTEX_WAIT_BITSET"),
                                 X(10, "FUTEX_WAKE_BITSET"),
                                 X(11, "FUTEX_WAIT_REQUEUE_PI"),
                                 X(12, "FUTEX_CMP_REQUEUE_PI"),
                                 X(13, "FUTEX_LOCK_PI2"),
                                 XLAT_END};

const struct xlat rlimit_resources[] = {X(0, "RLIMIT_CPU"),
                                        X(1, "RLIMIT_FSIZE"),
                                        X(2, "RLIMIT_DATA"),
                                        X(3, "RLIMIT_STACK"),
                                        X(4, "RLIMIT_CORE"),
                                        X(5, "RLIMIT_RSS"),
                                        X(6, "RLIMIT_NPROC"),
                                        X(7, "RLIMIT_NOFILE"),
                                        X(8, "RLIMIT_MEMLOCK"),
                                        X(9, "RLIMIT_AS"),
                                        X(10, "RLIMIT_LOCKS"),
                                        X(11, "RLIMIT_SIGPENDING"),
                                        X(12, "RLIMIT_MSGQUEUE"),
                                        X(13, "RLIMIT_NICE"),
                                        X(14, "RLIMIT_RTPRIO"),
                                        X(15, "RLIMIT_RTTIME"),
                                        XLAT_END};

const struct xlat getrandom_flags[] = {X(1, "GRND_NONBLOCK"), X(2, "GRND_RANDOM"),
                                       X(4, "GRND_INSECURE"), XLAT_END};

const struct xlat pipe_flags[] = {X(02000000, "O_CLOEXEC"), X(04000, "O_NONBLOCK"),
                                  X(040000, "O_DIRECT"), X(0x80, "O_NOTIFICATION_PIPE"), XLAT_END};

const struct xlat eventfd_flags[] = {X(1, "EFD_SEMAPHORE"), X(02000000, "EFD_CLOEXEC"),
                                     X(04000, "EFD_NONBLOCK"), XLAT_END};

const struct xlat signalfd_flags[] = {X(02000000, "SFD_CLOEXEC"), X(04000, "SFD_NONBLOCK"),
                                      XLAT_END};

const struct xlat epoll_ctl_ops[] = {X(1, "EPOLL_CTL_ADD"), X(2, "EPOLL_CTL_DEL"),
                                     X(3, "EPOLL_CTL_MOD"), XLAT_END};

const struct xlat ioctl_requests[] = {X(0x5401, "TCGETS"),
                                      X(0x5402, "TCSETS"),
                                      X(0x5403, "TCSETSW"),
                                      X(0x5404, "TCSETSF"),
                                      X(0x540b, "TCFLSH"),
                                      X(0x540e, "TIOCSCTTY"),
                                      X(0x540f, "TIOCGPGRP"),
                                      X(0x5410, "TIOCSPGRP"),
                                      X(0x5413, "TIOCGWINSZ"),
                                      X(0x5414, "TIOCSWINSZ"),
                                      X(0x541b, "FIONREAD"),
                                      X(0x5421, "FIONBIO"),
                                      X(0x5429, "TIOCGSID"),
                                      X(0x5450, "FIONCLEX"),
                                      X(0x5451, "FIOCLEX"),
                                      X(0x5452, "FIOASYNC"),
                                      XLAT_END};

const struct xlat rename_flags[] = {X(1, "RENAME_NOREPLACE"), X(2, "RENAME_EXCHANGE"),
                                    X(4, "RENAME_WHITEOUT"), XLAT_END};

const struct xlat close_range_flags[] = {X(2, "CLOSE_RANGE_UNSHARE"), X(4, "CLOSE_RANGE_CLOEXEC"),
                                         XLAT_END};

const struct xlat itimer_which[] = {X(0, "ITIMER_REAL"), X(1, "ITIMER_VIRTUAL"),
                                    X(2, "ITIMER_PROF"), XLAT_END};

const struct xlat fadvise_advice[] = {X(0, "POSIX_FADV_NORMAL"),
                                      X(1, "POSIX_FADV_RANDOM"),
                                      X(2, "POSIX_FADV_SEQUENTIAL"),
                                      X(3, "POSIX_FADV_WILLNEED"),
                                      X(4, "POSIX_FADV_DONTNEED"),
                                      X(5, "POSIX_FADV_NOREUSE"),
                                      XLAT_END};

const struct xlat poll_events[] = {X(1, "POLLIN"),
                                   X(2, "POLLPRI"),
                                   X(4, "POLLOUT"),
                                   X(8, "POLLERR"),
                                   X(0x10, "POLLHUP"),
                                   X(0x20, "POLLNVAL"),
                                   X(0x40, "POLLRDNORM"),
                                   X(0x80, "POLLRDBAND"),
                                   X(0x100, "POLLWRNORM"),
                                   X(0x200, "POLLWRBAND"),
                                   X(0x400, "POLLMSG"),
                                   X(0x2000, "POLLRDHUP"),
                                   XLAT_END};

const struct xlat membarrier_cmds[] = {X(0, "MEMBARRIER_CMD_QUERY"),
                                       X(1, "MEMBARRIER_CMD_GLOBAL"),
                                       X(2, "MEMBARRIER_CMD_GLOBAL_EXPEDITED"),
                                       X(4, "MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED"),
                                       X(8, "MEMBARRIER_CMD_PRIVATE_EXPEDITED"),
                                       X(16, "MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED"),
                                       XLAT_END};

const struct xlat statx_masks[] = {X(0x7ff, "STATX_BASIC_STATS"),
                                   X(1, "STATX_TYPE"),
                                   X(2, "STATX_MODE"),
                                   X(4, "STATX_NLINK"),
                                   X(8, "STATX_UID"),
                                   X(0x10, "STATX_GID"),
                                   X(0x20, "STATX_ATIME"),
                                   X(0x40, "STATX_MTIME"),
                                   X(0x80, "STATX_CTIME"),
                                   X(0x100, "STATX_INO"),
                                   X(0x200, "STATX_SIZE"),
                                   X(0x400, "STATX_BLOCKS"),
                                   X(0x800, "STATX_BTIME"),
                                   X(0x1000, "STATX_MNT_ID"),
                                   X(0x2000, "STATX_DIOALIGN"),
                                   XLAT_END};

const struct xlat sched_policies[] = {X(0, "SCHED_OTHER"), X(1, "SCHED_FIFO"), X(2, "SCHED_RR"),
                                      X(3, "SCHED_BATCH"), X(5, "SCHED_IDLE"), XLAT_END};

const struct xlat rusage_who[] = {X(0, "RUSAGE_SELF"), X((uint32_t)-1, "RUSAGE_CHILDREN"),
                                  X(1, "RUSAGE_THREAD"), XLAT_END};

const struct xlat mode_types[] = {
    X(0140000, "S_IFSOCK"), X(0120000, "S_IFLNK"), X(0100000, "S_IFREG"), X(0060000, "S_IFBLK"),
    X(0040000, "S_IFDIR"),  X(0020000, "S_IFCHR"), X(0010000, "S_IFIFO"), XLAT_END};

const char *xlat_name(const struct xlat *table, uint64_t val)
{
    for (; table->name; table++)
        if (table->val == val)
            return table->name;
    return NULL;
}

void xlat_value(struct seq *s, const struct xlat *table, uint64_t val, int fmt_hex)
{
    const char *n = xlat_name(table, val);
    if (n)
        seq_printf(s, "%s", n);
    else if (fmt_hex)
        seq_printf(s, "%#llx", (unsigned long long)val);
    else
        seq_printf(s, "%lld", (long long)val);
}

void xlat_flags(struct seq *s, const struct xlat *table, uint64_t val)
{
    uint64_t left = val;
    int n = 0;
    for (; table->name; table++) {
        if (table->val && (val & table->val) == table->val && (left & table->val)) {
            seq_printf(s, "%s%s", n++ ? "|" : "", table->name);
            left &= ~table->val;
        }
    }
    if (left || n == 0)
        seq_printf(s, "%s%#llx", n ? "|" : "", (unsigned long long)left);
}

static const char *const signal_names[] = {
    [1] = "SIGHUP",     [2] = "SIGINT",   [3] = "SIGQUIT",   [4] = "SIGILL",   [5] = "SIGTRAP",
    [6] = "SIGABRT",    [7] = "SIGBUS",   [8] = "SIGFPE",    [9] = "SIGKILL",  [10] = "SIGUSR1",
    [11] = "SIGSEGV",   [12] = "SIGUSR2", [13] = "SIGPIPE",  [14] = "SIGALRM", [15] = "SIGTERM",
    [16] = "SIGSTKFLT", [17] = "SIGCHLD", [18] = "SIGCONT",  [19] = "SIGSTOP", [20] = "SIGTSTP",
    [21] = "SIGTTIN",   [22] = "SIGTTOU", [23] = "SIGURG",   [24] = "SIGXCPU", [25] = "SIGXFSZ",
    [26] = "SIGVTALRM", [27] = "SIGPROF", [28] = "SIGWINCH", [29] = "SIGIO",   [30] = "SIGPWR",
    [31] = "SIGSYS",
};

const char *signal_name(int sig, char buf[16])
{
    if (sig >= 1 && sig <= 31)
        return signal_names[sig];
    if (sig == 32)
        return "SIGRTMIN";
    if (sig > 32 && sig <= 64) {
        snprintf(buf, 16, "SIGRT_%d", sig - 32);
        return buf;
    }
    return NULL;
}
