/* One guest process: its CPU, address space, open files and exit state. */
#ifndef VMEMU_EMU_TASK_H
#define VMEMU_EMU_TASK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/resource.h>

#include "emu/options.h"

#define NR_OPEN 1024
#define NR_SIGNALS 64
#define GUEST_PID 1000 /* the first guest process's pid: fixed, so runs are reproducible */

struct file;
struct fs_struct;
struct mm_struct;
struct cpu;
struct tracer;

/* A signal handler as the kernel stores it (struct k_sigaction on x86-64). */
struct k_sigaction {
    uint64_t handler, flags, restorer, mask;
};

struct task {
    int pid;  /* the thread id (Linux's task_struct.pid) */
    int tgid; /* the process id: the thread-group leader's pid */
    struct mm_struct *mm;
    struct cpu *cpu;
    const struct vmemu_options *opts;
    struct file *files[NR_OPEN];
    bool cloexec[NR_OPEN];
    struct fs_struct *fs;  /* root, working directory, umask (emu/fs/fs_struct.h) */
    struct file *exe_file; /* the program it runs (/proc/PID/exe; ETXTBSY for writers) */
    char comm[16];         /* the program's name, as the kernel keeps it */

    bool exited;      /* exit or exit_group was called */
    int exit_status;  /* its status */
    int fatal_signal; /* nonzero: killed by this signal */

    struct rlimit rlim[RLIM_NLIMITS]; /* inherited from vmemu, as a child's */
    uint64_t clear_child_tid;
    uint64_t sigmask;
    struct k_sigaction sigactions[NR_SIGNALS];
    uint64_t altstack[3];
    uint64_t rng;       /* getrandom's generator state */
    uint64_t vclock_ns; /* the virtual clock: nanoseconds since the epoch */
    uint64_t start_ns;  /* the virtual clock at start */
    bool unknown_reported[512];

    unsigned long pgalloc_start; /* pages allocated before the program ran */

    struct tracer *tracer;  /* NULL when nothing is traced */
    const char *in_syscall; /* the system call running now, for fault events */
    uint64_t fault_ip;      /* the instruction whose fault is being handled */
};

/* Start reporting faults and VMA changes of the task's mm to the tracer. */
void task_set_tracer(struct task *t, struct tracer *tr);

struct task *task_create(const struct vmemu_options *opts, const char **why);
void task_destroy(struct task *t);

/*
 * Load the program at path into the task; execfn is the name AT_EXECFN
 * gives it (the path as typed, like execve's filename). On refusal, returns -1 after printing one
 * line naming the file and the reason; the caller exits with *status.
 */
int task_exec(struct task *t, const char *path, const char *execfn, char *const argv[],
              char *const envp[], int *status);

/* Run until the program exits or dies; returns what vmemu should exit with. */
int task_run(struct task *t);

/* Copy guest memory that is present, without faulting anything in. */
bool task_peek_user(struct task *t, void *dst, uint64_t addr, size_t n);

/* End the program with a fatal signal (the CPU stops at once). */
void task_kill(struct task *t, int sig);

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
 * in pid order (NULL starts, NULL ends). Pids are the guest's, never the
 * host's.
 */
struct task *find_task_by_vpid(int pid);
struct task *next_task(struct task *prev);

/* Guest file descriptors. */
int fd_install(struct task *t, struct file *f, int min_fd, bool cloexec);
struct file *fd_get(struct task *t, int fd);
int fd_close(struct task *t, int fd);

#endif
