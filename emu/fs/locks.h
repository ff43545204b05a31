/*
 * File locks between guest processes (Linux's fs/locks.c): POSIX record
 * locks (fcntl F_GETLK, F_SETLK, F_SETLKW), open-file-description locks
 * (F_OFD_*) and flock(2). vmemu keeps them itself, since all guest
 * processes are one host process to the host's own locks.
 */
#ifndef VMEMU_EMU_FS_LOCKS_H
#define VMEMU_EMU_FS_LOCKS_H

#include <stdint.h>

#include "emu/kernel/syscall.h"

struct file;
struct files_struct;
struct task;

/* fcntl's lock commands (cmd is F_GETLK, F_SETLK, F_SETLKW or an F_OFD_ one). */
long fcntl_lock(struct task *t, struct file *f, int cmd, uint64_t uflock);
/* A descriptor of f in table files is being closed: its owner's POSIX locks on f's file go. */
void locks_remove_posix(struct file *f, struct files_struct *files);
/* f's last reference is going: its OFD locks and flock locks go. */
void locks_remove_file(struct file *f);
/* A descriptor table is freed: it waits for no lock any more. */
void locks_forget_owner(struct files_struct *files);
void sys_locks_register(syscall_fn table[NR_SYSCALLS]);

#endif
