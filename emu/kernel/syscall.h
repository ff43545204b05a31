/* System calls: the Linux x86-64 ABI, dispatched from the syscall instruction. */
#ifndef VMEMU_EMU_SYSCALL_H
#define VMEMU_EMU_SYSCALL_H

#include <stdint.h>

struct task;

#define NR_SYSCALLS 512

typedef long (*syscall_fn)(struct task *t, const uint64_t a[6]);

/* Read the call from the registers, run it, put the result in rax. */
void syscall_dispatch(struct task *t);

/* The Linux name of system call nr ("read"), or "unknown". */
const char *syscall_name(uint64_t nr);

/* Copy a path from the guest: 0, -EFAULT or -ENAMETOOLONG. buf holds PATH_MAX bytes. */
long get_user_path(struct task *t, uint64_t uaddr, char *buf);

/* The handlers, by family (sys_fs.c, sys_mm.c, sys_proc.c). */
void sys_fs_register(syscall_fn table[NR_SYSCALLS]);
void sys_mm_register(syscall_fn table[NR_SYSCALLS]);
void sys_proc_register(syscall_fn table[NR_SYSCALLS]);

uint64_t task_random(struct task *t);

#endif
