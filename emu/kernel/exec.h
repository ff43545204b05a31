/* execve: a new program in the calling task (Linux's fs/exec.c and binfmt_script). */
#ifndef VMEMU_EMU_EXEC_H
#define VMEMU_EMU_EXEC_H

#include <stddef.h>

#include "emu/kernel/syscall.h"

struct task;

/*
 * Run the program at path (a guest path, from dirfd, with execveat's
 * AT_EMPTY_PATH and AT_SYMLINK_NOFOLLOW) in t: scripts starting with "#!"
 * through their interpreter, ELF files through the loader. execfn is what
 * AT_EXECFN and comm give. On success the old image is gone and t starts at
 * the new entry (its registers set, RIP through resume_ip); on failure,
 * returns -errno with the old image untouched, with one line in err when
 * the loader said why, or *why when execve's checks refused the file.
 */
int do_execve(struct task *t, int dirfd, const char *path, int at_flags, const char *execfn,
              char *const argv[], char *const envp[], char *err, size_t errlen, const char **why);

void sys_exec_register(syscall_fn table[NR_SYSCALLS]);

#endif
