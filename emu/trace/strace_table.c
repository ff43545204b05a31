/*
 * The signatures of Linux's x86-64 system calls, as strace prints them:
 * for each call the kinds of its arguments (strace_table.h) and of its
 * result. A call not listed here is printed with every argument in hex.
 */
#define _GNU_SOURCE
#include "emu/trace/strace_table.h"

#include <stddef.h>
#include <sys/syscall.h>

#include "emu/kernel/unistd_new.h"

#define S(name, ret, ...)                                                                          \
    {                                                                                              \
        SYS_##name, sizeof((uint8_t[]){__VA_ARGS__}), ret,                                         \
        {                                                                                          \
            __VA_ARGS__                                                                            \
        }                                                                                          \
    }
#define S0(name, ret)                                                                              \
    {                                                                                              \
        SYS_##name, 0, ret,                                                                        \
        {                                                                                          \
            0                                                                                      \
        }                                                                                          \
    }

static const struct strace_sig sigs[] = {
    /* files and descriptors */
    S(read, R_DEC, A_INT, A_BUF_OUT, A_ULONG),
    S(write, R_DEC, A_INT, A_BUF_IN, A_ULONG),
    S(pread64, R_DEC, A_INT, A_BUF_OUT, A_ULONG, A_LONG),
    S(pwrite64, R_DEC, A_INT, A_BUF_IN, A_ULONG, A_LONG),
    S(readv, R_DEC, A_INT, A_IOV_OUT, A_INT),
    S(writev, R_DEC, A_INT, A_IOV_IN, A_INT),
    S(preadv, R_DEC, A_INT, A_IOV_OUT, A_INT, A_LONG),
    S(pwritev, R_DEC, A_INT, A_IOV_IN, A_INT, A_LONG),
    S(open, R_DEC, A_PATH, A_OPEN_FLAGS, A_OPEN_MODE),
    S(openat, R_DEC, A_DIRFD, A_PATH, A_OPEN_FLAGS, A_OPEN_MODE),
    S(creat, R_DEC, A_PATH, A_MODE),
    S(close, R_DEC, A_INT),
    S(close_range, R_DEC, A_INT, A_INT, A_CLOSE_RANGE_FLAGS),
    S(lseek, R_DEC, A_INT, A_LONG, A_WHENCE),
    S(stat, R_DEC, A_PATH, A_STAT_OUT),
    S(lstat, R_DEC, A_PATH, A_STAT_OUT),
    S(fstat, R_DEC, A_INT, A_STAT_OUT),
    S(newfstatat, R_DEC, A_DIRFD, A_PATH, A_STAT_OUT, A_AT_FLAGS),
    S(statx, R_DEC, A_DIRFD, A_PATH, A_AT_FLAGS, A_STATX_MASK, A_STATX_OUT),
    S(statfs, R_DEC, A_PATH, A_PTR),
    S(fstatfs, R_DEC, A_INT, A_PTR),
    S(access, R_DEC, A_PATH, A_ACCESS_MODE),
    S(faccessat, R_DEC, A_DIRFD, A_PATH, A_ACCESS_MODE),
    S(faccessat2, R_DEC, A_DIRFD, A_PATH, A_ACCESS_MODE, A_AT_FLAGS),
    S(dup, R_DEC, A_INT),
    S(dup2, R_DEC, A_INT, A_INT),
    S(dup3, R_DEC, A_INT, A_INT, A_PIPE_FLAGS),
    S(pipe, R_DEC, A_PIPEFDS_OUT),
    S(pipe2, R_DEC, A_PIPEFDS_OUT, A_PIPE_FLAGS),
    S(fcntl, R_FCNTL, A_INT, A_FCNTL_CMD),
    S(ioctl, R_DEC, A_INT, A_IOCTL_REQ),
    S(fsync, R_DEC, A_INT),
    S(fdatasync, R_DEC, A_INT),
    S0(sync, R_DEC),
    S(syncfs, R_DEC, A_INT),
    S(truncate, R_DEC, A_PATH, A_LONG),
    S(ftruncate, R_DEC, A_INT, A_LONG),
    S(fadvise64, R_DEC, A_INT, A_LONG, A_LONG, A_FADVISE),
    S(getdents64, R_DEC, A_INT, A_PTR, A_ULONG),
    S(getcwd, R_DEC, A_PATH_OUT, A_ULONG),
    S(chdir, R_DEC, A_PATH),
    S(fchdir, R_DEC, A_INT),
    S(rename, R_DEC, A_PATH, A_PATH),
    S(renameat, R_DEC, A_DIRFD, A_PATH, A_DIRFD, A_PATH),
    S(renameat2, R_DEC, A_DIRFD, A_PATH, A_DIRFD, A_PATH, A_RENAME_FLAGS),
    S(mkdir, R_DEC, A_PATH, A_MODE),
    S(mkdirat, R_DEC, A_DIRFD, A_PATH, A_MODE),
    S(rmdir, R_DEC, A_PATH),
    S(link, R_DEC, A_PATH, A_PATH),
    S(linkat, R_DEC, A_DIRFD, A_PATH, A_DIRFD, A_PATH, A_AT_FLAGS),
    S(unlink, R_DEC, A_PATH),
    S(unlinkat, R_DEC, A_DIRFD, A_PATH, A_AT_FLAGS),
    S(symlink, R_DEC, A_PATH, A_PATH),
    S(symlinkat, R_DEC, A_PATH, A_DIRFD, A_PATH),
    S(readlink, R_DEC, A_PATH, A_PATH_OUT, A_ULONG),
    S(readlinkat, R_DEC, A_DIRFD, A_PATH, A_PATH_OUT, A_ULONG),
    S(chmod, R_DEC, A_PATH, A_MODE),
    S(fchmod, R_DEC, A_INT, A_MODE),
    S(fchmodat, R_DEC, A_DIRFD, A_PATH, A_MODE),
    S(chown, R_DEC, A_PATH, A_INT, A_INT),
    S(fchown, R_DEC, A_INT, A_INT, A_INT),
    S(lchown, R_DEC, A_PATH, A_INT, A_INT),
    S(fchownat, R_DEC, A_DIRFD, A_PATH, A_INT, A_INT, A_AT_FLAGS),
    S(mknod, R_DEC, A_PATH, A_MODE, A_HEX),
    S(mknodat, R_DEC, A_DIRFD, A_PATH, A_MODE, A_HEX),
    S(utime, R_DEC, A_PATH, A_PTR),
    S(utimes, R_DEC, A_PATH, A_PTR),
    S(futimesat, R_DEC, A_DIRFD, A_PATH, A_PTR),
    S(utimensat, R_DEC, A_DIRFD, A_PATH, A_PTR, A_AT_FLAGS),
    S(umask, R_OCT, A_MODE),
    S(sendfile, R_DEC, A_INT, A_INT, A_PTR, A_ULONG),
    /* waiting for descriptors */
    S(poll, R_DEC, A_POLLFDS, A_INT, A_INT),
    S(ppoll, R_DEC, A_POLLFDS, A_INT, A_TIMESPEC_IN, A_SIGSET_IN, A_ULONG),
    S(select, R_DEC, A_INT, A_PTR, A_PTR, A_PTR, A_PTR),
    S(pselect6, R_DEC, A_INT, A_PTR, A_PTR, A_PTR, A_PTR, A_PTR),
    S(epoll_create, R_DEC, A_INT),
    S(epoll_create1, R_DEC, A_EFD_FLAGS),
    S(epoll_ctl, R_DEC, A_INT, A_EPOLL_OP, A_INT, A_PTR),
    S(epoll_wait, R_DEC, A_INT, A_PTR, A_INT, A_INT),
    S(epoll_pwait, R_DEC, A_INT, A_PTR, A_INT, A_INT, A_SIGSET_IN, A_ULONG),
    S(epoll_pwait2, R_DEC, A_INT, A_PTR, A_INT, A_TIMESPEC_IN, A_SIGSET_IN, A_ULONG),
    S(eventfd, R_DEC, A_INT),
    S(eventfd2, R_DEC, A_INT, A_EFD_FLAGS),
    S(signalfd, R_DEC, A_INT, A_SIGSET_IN, A_ULONG),
    S(signalfd4, R_DEC, A_INT, A_SIGSET_IN, A_ULONG, A_SFD_FLAGS),
    /* memory */
    S(brk, R_HEX, A_PTR),
    S(mmap, R_HEX, A_PTR, A_ULONG, A_PROT, A_MAP_FLAGS, A_INT, A_HEX),
    S(munmap, R_DEC, A_PTR, A_ULONG),
    S(mprotect, R_DEC, A_PTR, A_ULONG, A_PROT),
    S(mremap, R_HEX, A_PTR, A_ULONG, A_ULONG, A_MREMAP_FLAGS, A_MREMAP_ADDR),
    S(madvise, R_DEC, A_PTR, A_ULONG, A_MADVISE),
    S(msync, R_DEC, A_PTR, A_ULONG, A_MSYNC),
    S(mincore, R_DEC, A_PTR, A_ULONG, A_PTR),
    S(mlock, R_DEC, A_PTR, A_ULONG),
    S(mlock2, R_DEC, A_PTR, A_ULONG, A_MLOCK2),
    S(munlock, R_DEC, A_PTR, A_ULONG),
    S(mlockall, R_DEC, A_MLOCKALL),
    S0(munlockall, R_DEC),
    S(membarrier, R_DEC, A_MEMBARRIER, A_INT, A_INT),
    S(process_madvise, R_DEC, A_INT, A_PTR, A_ULONG, A_MADVISE, A_INT),
    S(process_mrelease, R_DEC, A_INT, A_INT),
    S(process_vm_readv, R_DEC, A_INT, A_PTR, A_ULONG, A_PTR, A_ULONG, A_ULONG),
    S(process_vm_writev, R_DEC, A_INT, A_PTR, A_ULONG, A_PTR, A_ULONG, A_ULONG),
    S(cachestat, R_DEC, A_INT, A_PTR, A_PTR, A_INT),
    /* processes */
    S(clone, R_DEC, A_CLONE),
    S(clone3, R_DEC, A_PTR, A_ULONG),
    S(pidfd_open, R_DEC, A_INT, A_INT),
    S(pidfd_send_signal, R_DEC, A_INT, A_SIG, A_PTR, A_INT),
    S0(fork, R_DEC),
    S0(vfork, R_DEC),
    S(execve, R_DEC, A_PATH, A_ARGV, A_ENVP),
    S(execveat, R_DEC, A_DIRFD, A_PATH, A_ARGV, A_ENVP, A_AT_FLAGS),
    S(exit, R_NORETURN, A_INT),
    S(exit_group, R_NORETURN, A_INT),
    S(wait4, R_DEC, A_INT, A_WSTATUS_OUT, A_WAIT_OPTIONS, A_PTR),
    S(waitid, R_DEC, A_INT, A_INT, A_PTR, A_WAIT_OPTIONS, A_PTR),
    S(kill, R_DEC, A_INT, A_SIG),
    S(tkill, R_DEC, A_INT, A_SIG),
    S(tgkill, R_DEC, A_INT, A_INT, A_SIG),
    S0(getpid, R_DEC),
    S0(getppid, R_DEC),
    S0(gettid, R_DEC),
    S0(getuid, R_DEC),
    S0(geteuid, R_DEC),
    S0(getgid, R_DEC),
    S0(getegid, R_DEC),
    S(getgroups, R_DEC, A_INT, A_PTR),
    S(getpgid, R_DEC, A_INT),
    S(setpgid, R_DEC, A_INT, A_INT),
    S0(getpgrp, R_DEC),
    S(getsid, R_DEC, A_INT),
    S0(setsid, R_DEC),
    S(set_tid_address, R_DEC, A_PTR),
    S(set_robust_list, R_DEC, A_PTR, A_ULONG),
    S(get_robust_list, R_DEC, A_INT, A_PTR, A_PTR),
    S(rseq, R_DEC, A_PTR, A_HEX, A_INT, A_HEX),
    S(arch_prctl, R_DEC, A_ARCH_PRCTL, A_PTR),
    S(prctl, R_DEC, A_PRCTL_OPTION, A_HEX, A_HEX, A_HEX, A_HEX),
    S(getrlimit, R_DEC, A_RLIMIT_RES, A_RLIMIT_OUT),
    S(setrlimit, R_DEC, A_RLIMIT_RES, A_RLIMIT_IN),
    S(prlimit64, R_DEC, A_INT, A_RLIMIT_RES, A_RLIMIT_IN, A_RLIMIT_OUT),
    S(getrusage, R_DEC, A_RUSAGE_WHO, A_PTR),
    S(times, R_DEC, A_PTR),
    S(sysinfo, R_DEC, A_PTR),
    S(uname, R_DEC, A_UNAME_OUT),
    S(getrandom, R_DEC, A_RANDOM_OUT, A_ULONG, A_GRND_FLAGS),
    S(futex, R_DEC, A_PTR, A_FUTEX_OP, A_INT, A_PTR, A_PTR, A_INT),
    S0(sched_yield, R_DEC),
    S(sched_getaffinity, R_DEC, A_INT, A_ULONG, A_PTR),
    S(sched_setaffinity, R_DEC, A_INT, A_ULONG, A_PTR),
    S(getcpu, R_DEC, A_PTR, A_PTR, A_PTR),
    /* signals */
    S(rt_sigaction, R_DEC, A_SIG, A_SIGACTION_IN, A_SIGACTION_OUT, A_ULONG),
    S(rt_sigprocmask, R_DEC, A_SIGHOW, A_SIGSET_IN, A_SIGSET_OUT, A_ULONG),
    S(rt_sigpending, R_DEC, A_SIGSET_OUT, A_ULONG),
    S(rt_sigsuspend, R_DEC, A_SIGSET_IN, A_ULONG),
    S(rt_sigtimedwait, R_DEC, A_SIGSET_IN, A_PTR, A_TIMESPEC_IN, A_ULONG),
    S(rt_sigqueueinfo, R_DEC, A_INT, A_SIG, A_PTR),
    S(rt_tgsigqueueinfo, R_DEC, A_INT, A_INT, A_SIG, A_PTR),
    S0(rt_sigreturn, R_DEC),
    S(sigaltstack, R_DEC, A_PTR, A_PTR),
    S0(pause, R_DEC),
    S0(restart_syscall, R_DEC),
    /* time */
    S(nanosleep, R_DEC, A_TIMESPEC_IN, A_PTR),
    S(clock_nanosleep, R_DEC, A_CLOCKID, A_TIMER_FLAGS, A_TIMESPEC_IN, A_PTR),
    S(clock_gettime, R_DEC, A_CLOCKID, A_TIMESPEC_OUT),
    S(clock_getres, R_DEC, A_CLOCKID, A_TIMESPEC_OUT),
    S(gettimeofday, R_DEC, A_TIMEVAL_OUT, A_PTR),
    S(time, R_DEC, A_PTR),
    S(alarm, R_DEC, A_ULONG),
    S(getitimer, R_DEC, A_ITIMER_WHICH, A_PTR),
    S(setitimer, R_DEC, A_ITIMER_WHICH, A_PTR, A_PTR),
    S(timer_create, R_DEC, A_CLOCKID, A_PTR, A_PTR),
    S(timer_settime, R_DEC, A_INT, A_TIMER_FLAGS, A_PTR, A_PTR),
    S(timer_gettime, R_DEC, A_INT, A_PTR),
    S(timer_getoverrun, R_DEC, A_INT),
    S(timer_delete, R_DEC, A_INT),
};

const struct strace_sig *strace_sig(uint64_t nr)
{
    static const struct strace_sig *by_nr[512];
    static int ready;
    if (!ready) {
        for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
            by_nr[sigs[i].nr] = &sigs[i];
        ready = 1;
    }
    return nr < 512 ? by_nr[nr] : NULL;
}
