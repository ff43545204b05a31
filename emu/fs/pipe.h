/* Pipes (pipe.c). */
#ifndef VMEMU_EMU_PIPE_H
#define VMEMU_EMU_PIPE_H

#include <stdbool.h>

struct file;

bool is_pipe(const struct file *f);
/* F_GETPIPE_SZ and F_SETPIPE_SZ: the capacity in bytes, or -errno. */
long pipe_fcntl(struct file *f, int cmd, unsigned long arg);

#endif
