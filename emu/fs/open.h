/*
 * Opening files in the guest's namespace: open(2) and its flags, opening a
 * descriptor's file anew through /proc/PID/fd/N, and the checks execve
 * makes of a program.
 */
#ifndef VMEMU_EMU_FS_OPEN_H
#define VMEMU_EMU_FS_OPEN_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct task;
struct file;
struct path;

/* openat(2): 0 and *out, or -errno. mode is masked with the caller's umask. */
int do_filp_open(struct task *t, int dirfd, const char *pathname, int flags, mode_t mode,
                 struct file **out);
/* Open the object p names (a walk's result) with open(2) flags; name is its guest path. */
int open_path(struct task *t, const struct path *p, const struct path *parent, const char *last,
              int flags, const char *name, struct file **out);

/*
 * execve's checks of a program, then the program opened read-only: a
 * regular file (EACCES otherwise, at once: a FIFO is never waited on),
 * executable by the caller and on a mount that allows it (EACCES), and
 * open for writing by nobody (ETXTBSY). On failure *why says which.
 */
int open_exec(struct task *t, const char *path, struct file **out, const char **why);

/* A guest process runs the host file (dev, ino): writing to it is ETXTBSY. */
bool inode_is_running(uint64_t dev, uint64_t ino);

#endif
