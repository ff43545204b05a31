/*
 * The random-syscall guest: run under vmemu (tests/fuzz/syscalls.sh), it
 * makes COUNT system calls chosen from SEED: random numbers, and arguments
 * drawn from values that find a kernel's mistakes: 0, -1, small integers
 * (descriptors), pointers into a valid buffer (filled with random bytes and
 * a few path strings), pointers that straddle its end, unmapped, kernel and
 * misaligned pointers, huge lengths and random bits. vmemu must answer each
 * as Linux would, or with an error, and never crash, hang or trip a
 * sanitizer. The guest exits 0 after the last call: any other end is a
 * finding.
 *
 * It must survive its own calls, so it avoids what would only kill or stop
 * it by design: exiting, signalling itself, waiting for ever, replacing or
 * forking itself, unmapping or protecting its own code, data or stack,
 * locking or populating more memory than the machine has (the OOM killer).
 * It never touches the host outside its working directory: no path it
 * builds leaves it (see paths[]), its descriptors 0-2 are a file there
 * (vmemu's stderr, where sanitizer reports go, stays out of reach), and
 * calls that change the host machine (mount, mknod, reboot, SysV IPC, ...)
 * are never made. State its calls may change is put back after them: the
 * buffer's mapping, signal actions and mask, resource limits, memory locks,
 * the FS base and the cwd.
 *
 * usage: syscall_guest SEED COUNT (the environment is not used)
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>

#define NR_MAX 463
#define ARENA 0x200000000UL
#define ARENA_SIZE (16 * 4096UL)
#define PATHS_SIZE 512             /* the fixed strings at the start of the buffer */
#define CWD_FD 900                 /* the working directory, for putting it back */
#define FILE_SIZE_CAP (16UL << 20) /* longest file a call may create: host disk */
#define PROT_RW 3
#define MAP_FIXED_PRIVATE_ANON 0x32

extern char __executable_start[], _end[];

static uint64_t rng;

static uint64_t rnd(void)
{
    uint64_t z = (rng += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static long sc(long nr, uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e, uint64_t f)
{
    long ret;
    register uint64_t r10 __asm__("r10") = d, r8 __asm__("r8") = e, r9 __asm__("r9") = f;
    __asm__ volatile("syscall"
                     : "=a"(ret)
                     : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
                     : "rcx", "r11", "memory");
    return ret;
}

/* Never made: they end, stop or replace the guest, block for ever, or change the host. */
static const short never[] = {
    SYS_exit,
    SYS_exit_group,
    SYS_kill,
    SYS_tkill,
    SYS_tgkill,
    SYS_rt_sigqueueinfo,
    SYS_rt_tgsigqueueinfo,
    SYS_pidfd_send_signal,
    SYS_rt_sigreturn,
    SYS_pause,
    SYS_rt_sigsuspend,
    SYS_rt_sigtimedwait,
    SYS_alarm,
    SYS_setitimer,
    SYS_timer_create,
    SYS_timer_settime,
    SYS_timerfd_create,
    SYS_timerfd_settime,
    SYS_fork,
    SYS_vfork,
    SYS_clone,
    SYS_clone3,
    SYS_execve,
    SYS_execveat,
    SYS_seccomp,
    SYS_rseq,
    SYS_close_range,
    /* pipes, sockets and event descriptors: a read of one would wait for ever */
    SYS_pipe,
    SYS_pipe2,
    SYS_socket,
    SYS_socketpair,
    SYS_connect,
    SYS_accept,
    SYS_accept4,
    SYS_recvfrom,
    SYS_recvmsg,
    SYS_recvmmsg,
    SYS_eventfd,
    SYS_eventfd2,
    SYS_signalfd,
    SYS_signalfd4,
    SYS_inotify_init,
    SYS_inotify_init1,
    SYS_fanotify_init,
    SYS_userfaultfd,
    SYS_epoll_create,
    SYS_epoll_create1,
    SYS_select,
    SYS_pselect6,
    SYS_poll,
    SYS_ppoll,
    SYS_epoll_wait,
    SYS_epoll_pwait,
    SYS_epoll_pwait2,
    SYS_io_uring_setup,
    SYS_io_setup,
    447 /* memfd_secret */,
    SYS_perf_event_open,
    SYS_bpf,
    /* the host machine */
    SYS_mount,
    SYS_umount2,
    SYS_pivot_root,
    SYS_chroot,
    SYS_swapon,
    SYS_swapoff,
    SYS_reboot,
    SYS_init_module,
    SYS_finit_module,
    SYS_delete_module,
    SYS_kexec_load,
    SYS_kexec_file_load,
    SYS_acct,
    SYS_settimeofday,
    SYS_adjtimex,
    SYS_clock_settime,
    SYS_clock_adjtime,
    SYS_iopl,
    SYS_ioperm,
    SYS_sethostname,
    SYS_setdomainname,
    SYS_mknod,
    SYS_mknodat,
    SYS_quotactl,
    SYS_syslog,
    SYS_unshare,
    SYS_setns,
    SYS_vhangup,
    SYS_fsopen,
    SYS_fsmount,
    SYS_move_mount,
    SYS_open_tree,
    SYS_mount_setattr,
    SYS_shmget,
    SYS_shmat,
    SYS_shmctl,
    SYS_semget,
    SYS_semop,
    SYS_semctl,
    SYS_semtimedop,
    SYS_msgget,
    SYS_msgsnd,
    SYS_msgrcv,
    SYS_msgctl,
    SYS_mq_open,
    SYS_mq_unlink,
    SYS_mq_timedsend,
    SYS_mq_timedreceive,
    SYS_add_key,
    SYS_request_key,
    SYS_keyctl,
    SYS_setuid,
    SYS_setgid,
    SYS_setreuid,
    SYS_setregid,
    SYS_setresuid,
    SYS_setresgid,
    SYS_setfsuid,
    SYS_setfsgid,
    SYS_setgroups,
    SYS_capset,
    SYS_setpriority,
    SYS_sched_setscheduler,
    SYS_sched_setparam,
    SYS_sched_setattr,
    SYS_ioprio_set,
    SYS_process_vm_writev,
    SYS_ptrace,
    SYS_kcmp,
    SYS_name_to_handle_at,
    SYS_open_by_handle_at,
    SYS_lookup_dcookie,
    SYS_personality,
};

/* Where pointer arguments point: the buffer, and places no access may reach. */
static const uint64_t unmapped[] = {ARENA - 0x100000, ARENA + ARENA_SIZE, 0x1000, 0x7000000000};
static const uint64_t kernel[] = {0xffff800000000000ULL, 0xffffffffff600000ULL, 0x800000000000ULL,
                                  0x7ffffffff000ULL, 0xfffffe0000000000ULL};
static const uint64_t huge[] = {1ULL << 31, 1ULL << 32, 1ULL << 40,       0x7fffffffffffffffULL,
                                ~0ULL,      1ULL << 63, 0x7ffffffff000ULL};
/*
 * Path strings at the start of the buffer. vmemu's path walk resolves
 * them all in the guest's namespace: relative names inside the scratch
 * working directory (deep enough that ".." chains stay in it), and
 * vmemu's own /proc and read-only /dev, among them the spellings of
 * descriptors that once reached vmemu's own (/dev/fd/3 was guest RAM's
 * memfd). No absolute path to a host file: without --root, a random
 * unlink, rename or chmod would reach it with the guest's rights (a first
 * version of this list, run as root, deleted the host's /dev/null). Names
 * the kernel writes into the buffer are wiped at once (leaves_names).
 */
static const char *const paths[] = {
    "file",
    "dir",
    "dir/file",
    ".",
    "..",
    "",
    "dir/../file",
    "/proc/self/maps",
    "/proc/self/status",
    "/proc/self/mem",
    "/proc/self/smaps",
    "/proc/self/fd/0",
    "/proc/self/fd/3",
    "/proc/self/cwd",
    "/dev/fd/3",
    "/dev/null",
    "/dev/zero",
};
static uint64_t path_at[sizeof(paths) / sizeof(paths[0])];

static uint64_t pick_arg(void)
{
    switch (rnd() % 13) {
    case 0:
        return 0;
    case 1:
        return ~0ULL;
    case 2:
        return rnd() % 17;
    case 3:
    case 4:
        return ARENA + PATHS_SIZE + (rnd() % (ARENA_SIZE - PATHS_SIZE) & ~7UL);
    case 5:
        return ARENA + ARENA_SIZE - 1 - rnd() % 24; /* runs off the end */
    case 6:
        return unmapped[rnd() % (sizeof(unmapped) / sizeof(unmapped[0]))];
    case 7:
        return kernel[rnd() % (sizeof(kernel) / sizeof(kernel[0]))];
    case 8:
        return ARENA + PATHS_SIZE + 1 + rnd() % 4093; /* misaligned, maybe across a page */
    case 9:
        return huge[rnd() % (sizeof(huge) / sizeof(huge[0]))];
    case 10:
        return rnd();
    case 11:
        return rnd() & 0xffffffff; /* flags-like */
    default:
        return path_at[rnd() % (sizeof(paths) / sizeof(paths[0]))];
    }
}

/* The ranges the guest lives in: its image and heap room, and the top of the address space. */
static bool hits_guest(uint64_t start, uint64_t len)
{
    uint64_t end = start + len;
    if (end < start)
        return false; /* wraps: every kernel refuses it */
    uint64_t img_lo = (uint64_t)__executable_start & ~0xfffUL,
             img_hi = (uint64_t)_end + (64UL << 20);
    uint64_t top = 0x7f0000000000ULL;
    return (start < img_hi && end > img_lo) || end > top;
}

/* Calls that take an address range: where they must not reach. */
static bool unsafe_range(long nr, const uint64_t a[6])
{
    switch (nr) {
    case SYS_munmap:
    case SYS_mprotect:
    case SYS_pkey_mprotect:
    case SYS_madvise:
    case SYS_mlock:
    case SYS_mlock2:
    case SYS_remap_file_pages:
    case SYS_mbind:
        return hits_guest(a[0], a[1] ? a[1] : 1);
    case SYS_mremap:
        return hits_guest(a[0], a[1] ? a[1] : 1) || ((a[3] & 2) && hits_guest(a[4], a[2]));
    case SYS_mmap:
        return (a[3] & 0x10) && hits_guest(a[0], a[1]); /* MAP_FIXED */
    case SYS_brk:
        return true; /* the guest's own heap room is protected: leave brk alone */
    default:
        return false;
    }
}

/*
 * File sizes that would fill the host's disk are capped; everything else
 * stays wild, except what is left of a vmemu bug the fuzzer found
 * (docs/fuzzing.md, finding 4): writeback keeps a writable descriptor from
 * the first writable open, but not from an O_APPEND one, so a file written
 * only by appending is reopened, which a mode without owner write refuses.
 * Files keep owner write (at creation, through chmod and the umask).
 */
#define OWNER_WRITE 0200
#define MAP_LOCKED_FLAG 0x2000
#define MAP_POPULATE_FLAG 0x8000

static void cap_sizes(long nr, uint64_t a[6])
{
    switch (nr) {
    case SYS_open:
        a[2] |= OWNER_WRITE;
        break;
    case SYS_openat:
        a[3] |= OWNER_WRITE;
        break;
    case SYS_creat:
    case SYS_chmod:
    case SYS_fchmod:
        a[1] |= OWNER_WRITE;
        break;
    case SYS_fchmodat:
    case 452: /* fchmodat2 */
        a[2] |= OWNER_WRITE;
        break;
    case SYS_umask:
        a[0] &= ~(uint64_t)OWNER_WRITE;
        break;
    case SYS_truncate:
    case SYS_ftruncate:
        a[1] %= FILE_SIZE_CAP;
        break;
    case SYS_fallocate:
        a[2] %= FILE_SIZE_CAP, a[3] %= FILE_SIZE_CAP;
        break;
    case SYS_sendfile:
        a[3] %= FILE_SIZE_CAP;
        break;
    case SYS_tee:
        a[2] %= FILE_SIZE_CAP;
        break;
    case SYS_copy_file_range:
    case SYS_splice:
        a[4] %= FILE_SIZE_CAP;
        break;
    case SYS_mmap:
        /* Populating or locking a huge mapping ends in the OOM killer, by design. */
        if (a[1] > FILE_SIZE_CAP)
            a[3] &= ~(uint64_t)(MAP_LOCKED_FLAG | MAP_POPULATE_FLAG);
        break;
    case SYS_mlock:
    case SYS_mlock2:
        a[1] %= FILE_SIZE_CAP;
        break;
    case SYS_madvise:
        if (a[2] == 3 /* WILLNEED */ || a[2] == 22 || a[2] == 23 /* POPULATE_READ/WRITE */)
            a[1] %= FILE_SIZE_CAP;
        break;
    case SYS_prctl:
        if (a[0] == 22 /* PR_SET_SECCOMP */ || a[0] == 35 /* PR_SET_MM */)
            a[0] = 16; /* PR_GET_NAME */
        break;
    default:
        break;
    }
}

static void fill_random(unsigned char *p, size_t n)
{
    uint64_t bits = 0;
    for (size_t i = 0; i < n; i++, bits >>= 8) {
        if (i % 8 == 0)
            bits = rnd();
        unsigned char b = (unsigned char)bits;
        p[i] = b % 8 == 0 ? 0 : b == '/' ? 'x' : b; /* short strings, no path outside cwd */
    }
}

static void reset_arena(void)
{
    sc(SYS_mmap, ARENA, ARENA_SIZE, PROT_RW, MAP_FIXED_PRIVATE_ANON, ~0ULL, 0);
    sc(SYS_munmap, ARENA + ARENA_SIZE, 4096, 0, 0, 0, 0);
    sc(SYS_munmap, ARENA - 0x100000, 4096, 0, 0, 0, 0);
    fill_random((unsigned char *)ARENA + PATHS_SIZE, ARENA_SIZE - PATHS_SIZE);
}

static void write_paths(void)
{
    char *p = (char *)ARENA;
    for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
        size_t n = strlen(paths[i]) + 1;
        memcpy(p, paths[i], n);
        path_at[i] = (uint64_t)p;
        p += n;
    }
}

static uint64_t saved_rlim[16][2], saved_fs;

/*
 * Calls that may leave path names in the buffer (getcwd, readlink, a
 * directory listing, a read of /proc/self/maps): a later random pointer
 * could hand such a name, absolute or "..", to unlink or open. The buffer
 * is refilled after them, before any other call can see it.
 */
static bool leaves_names(long nr)
{
    switch (nr) {
    case SYS_read:
    case SYS_pread64:
    case SYS_readv:
    case SYS_preadv:
    case SYS_preadv2:
    case SYS_getcwd:
    case SYS_readlink:
    case SYS_readlinkat:
    case SYS_getdents:
    case SYS_getdents64:
    case SYS_ioctl:
    case SYS_prctl:
    case SYS_getxattr:
    case SYS_lgetxattr:
    case SYS_fgetxattr:
    case SYS_listxattr:
    case SYS_llistxattr:
    case SYS_flistxattr:
    case SYS_splice:
    case SYS_vmsplice:
    case SYS_process_vm_readv:
        return true;
    default:
        return false;
    }
}

/* Put back what a call may have changed that the guest itself depends on. */
static void restore(long nr)
{
    static const uint64_t dfl[4] = {0, 0, 0, 0};
    switch (nr) {
    case SYS_rt_sigaction:
        for (int sig = 1; sig <= 64; sig++)
            sc(SYS_rt_sigaction, (uint64_t)sig, (uint64_t)dfl, 0, 8, 0, 0);
        break;
    case SYS_rt_sigprocmask:
        sc(SYS_rt_sigprocmask, 2 /* SIG_SETMASK */, (uint64_t)dfl, 0, 8, 0, 0);
        break;
    case SYS_setrlimit:
    case SYS_prlimit64:
        for (int r = 0; r < 16; r++)
            sc(SYS_setrlimit, (uint64_t)r, (uint64_t)saved_rlim[r], 0, 0, 0, 0);
        break;
    case SYS_arch_prctl:
        sc(SYS_arch_prctl, 0x1002 /* ARCH_SET_FS */, saved_fs, 0, 0, 0, 0);
        break;
    case SYS_chdir:
    case SYS_fchdir:
        sc(SYS_fchdir, CWD_FD, 0, 0, 0, 0, 0);
        break;
    case SYS_mlock:
    case SYS_mlock2:
    case SYS_mlockall:
        /* Locks pile up (and MCL_FUTURE locks every later mapping) until RAM is gone. */
        sc(SYS_munlockall, 0, 0, 0, 0, 0, 0);
        break;
    case SYS_sigaltstack: {
        static const uint64_t off[3] = {0, 2 /* SS_DISABLE */, 0};
        sc(SYS_sigaltstack, (uint64_t)off, 0, 0, 0, 0, 0);
        break;
    }
    default:
        break;
    }
}

int main(int argc, char **argv)
{
    if (argc != 3)
        return 2;
    rng = strtoull(argv[1], NULL, 0);
    long count = strtol(argv[2], NULL, 0);
    static bool denied[NR_MAX];
    for (size_t i = 0; i < sizeof(never) / sizeof(never[0]); i++)
        denied[never[i]] = true;
    for (int r = 0; r < 16; r++)
        sc(SYS_getrlimit, (uint64_t)r, (uint64_t)saved_rlim[r], 0, 0, 0, 0);
    sc(SYS_arch_prctl, 0x1003 /* ARCH_GET_FS */, (uint64_t)&saved_fs, 0, 0, 0, 0);
    if (sc(SYS_dup2, (uint64_t)sc(SYS_open, (uint64_t) ".", 0x10000 /* O_DIRECTORY */, 0, 0, 0, 0),
           CWD_FD, 0, 0, 0, 0) != CWD_FD)
        return 3;
    reset_arena();
    for (long i = 0; i < count; i++) {
        long nr;
        uint64_t a[6];
        do {
            nr = (long)(rnd() % NR_MAX);
            for (int k = 0; k < 6; k++)
                a[k] = pick_arg();
            cap_sizes(nr, a);
        } while (denied[nr] || unsafe_range(nr, a));
        write_paths();
        sc(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
        restore(nr);
        if (nr == SYS_mmap || nr == SYS_munmap || nr == SYS_mremap || nr == SYS_mprotect ||
            nr == SYS_madvise || nr == SYS_pkey_mprotect || nr == SYS_remap_file_pages ||
            leaves_names(nr) || i % 64 == 0)
            reset_arena();
    }
    return 0;
}
