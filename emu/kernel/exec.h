/* execve: a new program in the calling task (Linux's fs/exec.c and binfmt_script). */
#ifndef VMEMU_EMU_EXEC_H
#define VMEMU_EMU_EXEC_H

#include <stddef.h>

#include "emu/kernel/syscall.h"

struct task;

/*
 * Run the program at host path in t: scripts starting with "#!" through
 * their interpreter, ELF files through the loader. execfn is what AT_EXECFN
 * gives. On success the old image is gone and t starts at the new entry
 * (its registers set, RIP through resume_ip); on failure, returns -errno
 * with the old image untouched and one line in err when the loader said
 * why.
 */
int do_execve_host(struct task *t, const char *path, const char *execfn, char *const argv[],
                   char *const envp[], char *err, size_t errlen);

void sys_exec_register(syscall_fn table[NR_SYSCALLS]);

#endif
