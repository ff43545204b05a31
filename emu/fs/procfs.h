/*
 * /proc as the guest sees it (procfs.c: the tree; proc_pid.c: the files of
 * each process). Nothing under the guest's /proc is the host's.
 */
#ifndef VMEMU_EMU_PROCFS_H
#define VMEMU_EMU_PROCFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct task;
struct seq;
struct file;
struct path;

typedef void (*proc_show_fn)(struct task *t, struct seq *s);

/* Whether vmemu serves the file ("meminfo", "self/status"), for --report. */
bool procfs_has(const char *name);
/* The text of a served file, for --report at exit; false if unknown. */
bool procfs_show(struct task *t, const char *name, struct seq *s);

/* ---- the entries of /proc/PID (proc_pid.c) ---- */

/* The index of /proc/PID/NAME (under_tid: of .../task/TID/NAME), or -1. */
int proc_pid_entry_index(const char *name, bool under_tid);
/* The name and mode of entry i; the name is NULL past the last. */
const char *proc_pid_entry_name(int i);
mode_t proc_pid_entry_mode(int i);
/*
 * The link /proc/PID/exe, cwd, root (entry which) or fd/FD of owner: its
 * text into buf (its length, or -errno), and the object it names in *jump
 * when jump is not NULL.
 */
int proc_pid_get_link(struct task *owner, int which, int fd, char *buf, size_t len,
                      struct path *jump);
/* Open entry which of the process node p names. */
int proc_pid_open(struct task *t, const struct path *p, int which, int flags, const char *name,
                  struct file **out);
/* lseek of files indexed by address or frame (mem, pagemap, kpageflags): any offset, no end. */
int64_t proc_mem_llseek(struct file *f, int64_t off, int whence);
/* /proc/kpagecount and /proc/kpageflags (proc_kpage.c). */
extern const struct file_operations kpagecount_fops, kpageflags_fops;
/* Whether t may open them (they are root's, mode 0400): 0 or -EACCES. */
int kpage_permission(struct task *t);

/* The ioctls of /proc/PID/maps (PROCMAP_QUERY), proc_procmap.c; -ENOTTY for others. */
long procmap_ioctl(struct file *f, unsigned int cmd, uint64_t arg);
/* --report's "self/NAME": render it for t into s (s NULL: only say whether it exists). */
bool proc_pid_show_by_name(struct task *t, const char *name, struct seq *s);

#endif
