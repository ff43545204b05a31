/* System calls: the Linux x86-64 ABI, dispatched from the syscall instruction. */
#ifndef VMEMU_EMU_SYSCALL_H
#define VMEMU_EMU_SYSCALL_H

#include <stdint.h>

struct task;

#define NR_SYSCALLS 512

typedef long (*syscall_fn)(struct task *t, const uint64_t a[6]);

/* The syscall hook: read the call from the registers, run it, put the result in rax. */
void syscall_dispatch(struct task *t);
/*
 * A task that slept in a syscall was woken: run the same call again (from
 * the run loop, its registers in the CPU) and complete it, or sleep again.
 */
void syscall_rerun(struct task *t);
/* Run syscall nr with the arguments in the registers; its return value. */
long syscall_invoke(struct task *t, uint64_t nr);

/* The Linux name of system call nr ("read"), or "unknown". */
const char *syscall_name(uint64_t nr);

/* Copy a path from the guest: 0, -EFAULT or -ENAMETOOLONG. buf holds PATH_MAX bytes. */
long get_user_path(struct task *t, uint64_t uaddr, char *buf);

/* The handlers, by family. */
void sys_fs_register(syscall_fn table[NR_SYSCALLS]);          /* emu/fs/sys_fs.c */
void sys_fdtable_register(syscall_fn table[NR_SYSCALLS]);     /* emu/fs/fdtable.c */
void sys_pipe_register(syscall_fn table[NR_SYSCALLS]);        /* emu/fs/pipe.c */
void sys_poll_register(syscall_fn table[NR_SYSCALLS]);        /* emu/fs/poll.c */
void sys_userfaultfd_register(syscall_fn table[NR_SYSCALLS]); /* emu/fs/userfaultfd.c */
void sys_socket_register(syscall_fn table[NR_SYSCALLS]);      /* emu/fs/socket.c */
void sys_mm_register(syscall_fn table[NR_SYSCALLS]);          /* sys_mm.c */
void sys_proc_register(syscall_fn table[NR_SYSCALLS]);        /* sys_proc.c */
void sys_time_register(syscall_fn table[NR_SYSCALLS]);        /* time.c */
void sys_signal_register(syscall_fn table[NR_SYSCALLS]);      /* signal.c */
void sys_fork_register(syscall_fn table[NR_SYSCALLS]);        /* fork.c */
void sys_exec_register(syscall_fn table[NR_SYSCALLS]);        /* exec.c */
void sys_exit_register(syscall_fn table[NR_SYSCALLS]);        /* exit.c */

/* Calls on other processes and on the page cache. */
void sys_pidfd_register(syscall_fn table[NR_SYSCALLS]);      /* pidfd.c */
void sys_process_mm_register(syscall_fn table[NR_SYSCALLS]); /* sys_process_mm.c */
void sys_cachestat_register(syscall_fn table[NR_SYSCALLS]);  /* emu/fs/sys_cachestat.c */

/* The machine's seeded generator (AT_RANDOM, getrandom): deterministic runs. */
void kernel_random_seed(uint64_t seed);
uint64_t kernel_random(void);

#endif
