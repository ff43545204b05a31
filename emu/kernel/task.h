/*
 * Guest tasks: vmemu's task_struct and the parts tasks share.
 *
 * A task is one guest thread of execution. A process is a thread group
 * (tasks with the same tgid); processes made by fork own their parts,
 * threads share them, as clone's flags say:
 *   mm        the address space (CLONE_VM)            mm_struct, refcounted by mm/
 *   files     the descriptor table (CLONE_FILES)      files_struct, emu/fs/fdtable.c
 *   fs        root, cwd, umask (CLONE_FS)             fs_struct, emu/fs/fs_struct.h
 *   sighand   the signal actions (CLONE_SIGHAND)      sighand_struct
 *   signal    what the whole process shares (CLONE_THREAD): process-wide pending
 *             signals, rlimits, process group and session, the children's
 *             accumulated usage, the interval timer, the exit of the group
 *
 * Invariants:
 * - One CPU runs every task (emu/cpu.c); `current` (sched.h) is the task
 *   whose registers are in it. A task's registers are in t->ctx whenever it
 *   is not current; code that is not running on behalf of t reads them with
 *   task_reg().
 * - Every live task is in the pid table until it is reaped (or, for a
 *   thread, until it exits); pids only grow, from GUEST_PID, so a run
 *   always hands out the same pids.
 * - A task is on exactly one of: the run queue (TASK_RUNNING, not current),
 *   wait queues and/or the timer list (TASK_INTERRUPTIBLE or
 *   TASK_UNINTERRUPTIBLE), nothing (current, TASK_STOPPED, zombie).
 * - The shared parts are freed when their last task lets go of them; a
 *   zombie holds only its signal_struct (for wait's status and usage).
 */
#ifndef VMEMU_EMU_TASK_H
#define VMEMU_EMU_TASK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/resource.h>

#include "emu/cpu.h"
#include "emu/kernel/cred.h"
#include "emu/options.h"
#include "mm/list.h"
#include "mm/mm_types.h"

#define NR_SIGNALS 64
#define GUEST_PID 1000 /* the first guest process's pid: fixed, so runs are reproducible */

struct file;
struct files_struct;
struct fs_struct;
struct mm_struct;
struct cpu;
struct cpu_context;
struct tracer;
struct wait_queue_entry;
struct uffd_fault;
struct mm_observer;

typedef uint64_t sigset64_t; /* the kernel's sigset_t on x86-64: one bit a signal */

static inline sigset64_t sig_bit(int sig)
{
    return 1ULL << (sig - 1);
}

/* A signal handler as the kernel stores it (struct k_sigaction on x86-64). */
struct k_sigaction {
    uint64_t handler, flags, restorer;
    sigset64_t mask;
};

/* The kernel's siginfo (128 bytes), with the fields vmemu fills. */
struct kernel_siginfo {
    int32_t si_signo, si_errno, si_code, _pad0;
    union {
        struct { /* kill, sigqueue, SIGCHLD */
            int32_t pid;
            uint32_t uid;
            union {
                int64_t value; /* sigqueue's sigval */
                struct {
                    int32_t status; /* SIGCHLD */
                    int32_t _pad1;
                    int64_t utime, stime;
                } chld;
            };
        } proc;
        struct { /* SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP */
            uint64_t addr;
        } fault;
        struct { /* POSIX timers */
            int32_t tid, overrun;
            int64_t value;
        } timer;
        char _pad[128 - 16];
    };
};

/* Tasks sleeping for an event (sched.h has the operations). */
struct wait_queue_head {
    struct list_head head; /* struct wait_queue_entry */
};

/* One queued signal (Linux's struct sigqueue). */
struct sigqueue {
    struct list_head list;
    struct kernel_siginfo info;
};

struct sigpending {
    sigset64_t signal;
    struct list_head list; /* struct sigqueue, oldest first */
};

struct sighand_struct {
    int count;
    struct k_sigaction action[NR_SIGNALS];
    struct wait_queue_head signalfd_wqh; /* readers of signalfds: woken by every signal */
};

/*
 * A timer on the machine's clock (sched.c keeps them sorted by expiry):
 * sleeps' timeouts, alarm and the interval timer, POSIX timers.
 */
struct ktimer {
    struct list_head node;
    uint64_t expires; /* ns since the machine started (CLOCK_MONOTONIC) */
    void (*fn)(struct ktimer *tm);
    void *data;
    bool queued;
};

struct signal_struct {
    int count;        /* tasks holding it */
    int live;         /* threads not yet exited */
    int threads_made; /* threads it ever had, the first one included */
    struct sigpending shared_pending;
    bool group_exit;                      /* exit_group or a fatal signal is ending the process */
    int group_exit_code;                  /* its wait status */
    bool stopped;                         /* a group stop is in force */
    bool stop_unreported;                 /* wait(WUNTRACED) has not seen the stop yet */
    bool cont_unreported;                 /* wait(WCONTINUED) has not seen the continue yet */
    struct wait_queue_head wait_chldexit; /* the process's threads waiting for children */
    int pgrp, session;
    struct rlimit rlim[RLIM_NLIMITS];
    /* Children reaped by wait: their usage adds up here (RUSAGE_CHILDREN). */
    unsigned long cmin_flt, cmaj_flt, cmaxrss_kb;
    uint64_t cutime_ns;
    unsigned long min_flt, maj_flt; /* of its threads that have exited */
    struct fault_stats faults;      /* by kind, of the address spaces it has let go */
    struct fault_stats mm_base;     /* its mm's counts when it started using it */
    bool is_child_subreaper, has_child_subreaper;
    struct ktimer itimer[3]; /* ITIMER_REAL (and alarm), ITIMER_VIRTUAL, ITIMER_PROF */
    uint64_t itimer_incr[3]; /* their reload values in ns */
    struct list_head posix_timers;
    int next_timer_id;
    struct task *leader;
    int oom_score_adj; /* /proc/PID/oom_score_adj: -1000 (never chosen) .. 1000 */
    bool oom_killed;   /* the OOM killer sent it SIGKILL */
};

enum task_state {
    TASK_RUNNING,
    TASK_INTERRUPTIBLE,   /* asleep; a signal wakes it */
    TASK_UNINTERRUPTIBLE, /* asleep; only the event (or SIGKILL for vfork) wakes it */
    TASK_STOPPED,
    TASK_ZOMBIE, /* exited, waiting for its parent to reap it */
    TASK_DEAD,   /* exited and reaped: released once off the CPU */
};

/* What a syscall that slept keeps across its re-runs (Linux's restart_block). */
struct restart_block {
    bool armed;        /* the syscall has started and will be run again */
    uint64_t nr;       /* which syscall */
    uint64_t deadline; /* its absolute timeout on the virtual clock, 0 for none */
    uint64_t done;     /* bytes it moved so far (pipe writes) */
};

struct task {
    int pid;  /* the thread id (Linux's task_struct.pid) */
    int tgid; /* the process id: the thread-group leader's pid */
    enum task_state state;
    int exit_code;   /* wait status once a zombie */
    int exit_signal; /* what the parent gets at exit: SIGCHLD, or 0 for threads */
    int pdeath_signal;

    struct task *real_parent;  /* who forked it (the leader of that process) */
    struct list_head children; /* processes it is the real parent of (their leaders) */
    struct list_head sibling;  /* in real_parent->children */
    struct task *group_leader;
    struct list_head thread_group;
    struct list_head tasks; /* in the pid-ordered list of all tasks */

    struct mm_struct *mm;
    struct files_struct *files;
    struct fs_struct *fs;
    struct sighand_struct *sighand;
    struct signal_struct *signal;

    struct cpu *cpu;         /* the machine's one CPU */
    struct cpu_context *ctx; /* registers while not current */
    const struct vmemu_options *opts;
    struct file *exe_file; /* the program it runs (/proc/PID/exe; ETXTBSY for writers) */
    char comm[16];         /* the program's name, as the kernel keeps it */
    struct cred cred;      /* its ids (cred.h): bookkeeping, the host decides access */

    sigset64_t blocked, saved_sigmask;
    bool restore_sigmask; /* sigsuspend and friends: put saved_sigmask back after the handler */
    struct sigpending pending;
    uint64_t sas_ss_sp, sas_ss_size;
    int sas_ss_flags;
    /* The NUMA policy set_mempolicy gave (mode | flags): one node, so only reported back. */
    int mempolicy;

    /* The syscall in progress and what it needs to be run again or restarted. */
    uint64_t syscall_nr, syscall_ip; /* the number and the syscall instruction's address */
    long restart_code;               /* -ERESTART* the last syscall returned, else 0 */
    struct restart_block restart;
    struct list_head waits; /* struct wait_queue_entry: what it sleeps on */
    struct ktimer timeout;  /* its timeout while asleep */
    bool in_wait;           /* asleep inside a syscall that will run again on wake */
    struct uffd_fault
        *uffd_fault;           /* asleep on a fault a userfaultfd handles (emu/fs/userfaultfd.c) */
    uint64_t resume_ip;        /* execve, sigreturn: where it goes on, once off the hook */
    bool regs_set;             /* the syscall set every register itself: rax untouched */
    struct list_head run_list; /* on the run queue */
    bool exiting;              /* do_exit at the next return to user mode */
    int fault_trapno;          /* the last fault's vector, error code and address, */
    uint64_t fault_err, fault_cr2; /* for the signal frame's sigcontext */
    struct task *vfork_parent;     /* vfork: the parent to wake at exec or exit */

    uint64_t clear_child_tid, set_child_tid;
    uint64_t robust_list, robust_list_len;

    /* Accounting (Linux keeps it in task_struct). */
    unsigned long min_flt, maj_flt; /* faults this task took */
    uint64_t start_ns;              /* the virtual clock when it was created */
    uint64_t utime_ns;              /* run time on the virtual clock */
    unsigned long hiwater_rss;      /* its mm's peak, kept past exit */

    bool need_resched; /* give the CPU up at the next stop */
    bool frozen;       /* vfork parent waiting for its child */

    struct tracer *tracer;  /* NULL when nothing is traced */
    const char *in_syscall; /* the system call running now, for fault events */
    uint64_t fault_ip;      /* the instruction whose fault is being handled */
    bool unknown_reported[512];
};

/* The first task, with its own fresh parts, for `vmemu run`. */
struct task *task_create(const struct vmemu_options *opts, const char **why);

/*
 * Load the program at path into the task (the first exec, from the command
 * line); execfn is what AT_EXECFN gives (the path as typed). On refusal,
 * returns -1 after printing one line naming the file and the reason; the
 * caller exits with *status.
 */
int task_exec(struct task *t, const char *path, const char *execfn, char *const argv[],
              char *const envp[], int *status);

/* Start reporting faults and VMA changes of the task's mm to the tracer. */
void task_set_tracer(struct task *t, struct tracer *tr);

/* Copy guest memory that is present, without faulting anything in. */
bool task_peek_user(struct task *t, void *dst, uint64_t addr, size_t n);

/* A register of t, wherever it is (the CPU when t is current, else its context). */
uint64_t task_reg(struct task *t, enum cpu_reg r);

/*
 * A signal sent to vmemu itself (emu/hostsig.c), for the guest: every task
 * of the foreground process group gets it, as a terminal's Ctrl-C would
 * deliver it (today every task is in the foreground). The guest's
 * disposition decides, except when forced (a second Ctrl-C within a
 * second): then the guest ends with sig whatever it asked for.
 */
void kernel_host_signal(int sig, bool forced);

/*
 * The guest's processes, as /proc and kill(2) see them. find_task_by_vpid
 * returns the task with that pid, or NULL; next_task walks every live task
 * (zombies included) in pid order (NULL starts, NULL ends). Pids are the
 * guest's, never the host's.
 */
struct task *find_task_by_vpid(int pid);
struct task *next_task(struct task *prev);
static inline bool thread_group_leader(const struct task *t)
{
    return t->group_leader == t;
}
/* The process's parent pid as getppid sees it (1 for the first process). */
int task_ppid(const struct task *t);

/* ---- used by fork, exit and exec (task.c) ---- */

/* A new task struct: pid allocated, nothing shared yet. NULL when out of memory. */
struct task *alloc_task(const struct task *model);
/* Out of the pid table and freed, with what it still holds. */
void release_task(struct task *t);
struct sighand_struct *sighand_alloc(void);
void sighand_put(struct sighand_struct *sh);
struct signal_struct *signal_alloc(void);
void signal_put(struct signal_struct *sig);

/*
 * The task lets go of its mm: when no other thread of its process uses it,
 * the faults of each kind taken in it go to the process's counts (the exit
 * summary). Minor and major faults are counted per task as they happen.
 */
void task_account_mm(struct task *t);
/* The process's faults so far: minor and major of every thread, kinds of every mm. */
void task_group_faults(const struct task *t, struct fault_stats *out);
/* Drop the task's mm, files, fs and sighand (exit); the signal_struct stays. */
void task_free_parts(struct task *t);
/* The end of the run: every task released, the CPU and the caches gone. */
void kernel_exit(struct cpu *cpu);
void kernel_caches_exit(void);
/* The mm observer a traced task's mms get, or NULL. */
const struct mm_observer *task_mm_observer(const struct task *t);
/*
 * Tell mm the limits and privileges of t's process (RLIMIT_STACK, MEMLOCK,
 * AS, DATA; CAP_IPC_LOCK, CAP_SYS_RAWIO), which Linux's mm reads from the
 * calling task; task_set_mm_limits does it for t's own mm. Called whenever
 * they change: exec, prlimit, capset, set*id.
 */
void mm_set_task_limits(struct mm_struct *mm, const struct task *t);
void task_set_mm_limits(struct task *t);

/* Guest file descriptors (emu/fs/fdtable.c). */
int fd_install(struct task *t, struct file *f, int min_fd, bool cloexec);
struct file *fd_get(struct task *t, int fd);
int fd_close(struct task *t, int fd);

/* Take the guest down with a fatal signal, as its default action would. */
void task_kill(struct task *t, int sig);

#endif
