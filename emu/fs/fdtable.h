/*
 * The descriptor table (Linux's files_struct): which open file each guest
 * descriptor number names, and which close on exec. Threads made with
 * CLONE_FILES share one table; fork copies it (the open files themselves
 * are shared, with their positions, as in Linux).
 */
#ifndef VMEMU_EMU_FDTABLE_H
#define VMEMU_EMU_FDTABLE_H

#include <stdbool.h>
#include <stdint.h>

#include "emu/kernel/syscall.h"

#define NR_OPEN 1024 /* descriptors per table: Linux's default RLIMIT_NOFILE */

struct file;
struct task;

struct files_struct {
    int count;
    struct file *fd[NR_OPEN];
    uint64_t close_on_exec[NR_OPEN / 64];
};

/* The slab cache of tables; 0 or -ENOMEM. */
int fdtable_init(void);
void fdtable_exit(void);

struct files_struct *files_alloc(void);
struct files_struct *files_get(struct files_struct *files);
/* Drop a reference; the last one closes every descriptor. */
void files_put(struct files_struct *files);
/* fork's copy: every open file shared, the close-on-exec flags kept. NULL: ENOMEM. */
struct files_struct *dup_fd(struct files_struct *old);
/* execve: a table of its own, then the close-on-exec descriptors closed. */
void unshare_files_for_exec(struct task *t);

bool fd_is_cloexec(struct task *t, int fd);

#endif
