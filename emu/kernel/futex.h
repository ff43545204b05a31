/* Futexes (futex.c). */
#ifndef VMEMU_EMU_FUTEX_H
#define VMEMU_EMU_FUTEX_H

#include <stdint.h>

#include "emu/kernel/syscall.h"

struct mm_struct;

/* Wake up to n waiters of the private futex at uaddr of mm (thread exit's clear_child_tid). */
int futex_wake_private(struct mm_struct *mm, uint64_t uaddr, int n);

/* A thread ends: the robust futexes it held are marked dead and their waiters woken. */
void exit_robust_list(struct task *t);
/* A task ends: it leaves any futex queue it sleeps on. */
void futex_exit(struct task *t);

void sys_futex_register(syscall_fn table[NR_SYSCALLS]);

#endif
