/*
 * /proc as the guest sees it: files generated from vmemu's own state when
 * opened. /proc/self/... never shows the host process (vmemu) behind it.
 */
#ifndef VMEMU_EMU_PROCFS_H
#define VMEMU_EMU_PROCFS_H

#include <stdbool.h>

struct task;
struct seq;
struct file;

typedef void (*proc_show_fn)(struct task *t, struct seq *s);

/*
 * If path names a /proc file vmemu serves, open a snapshot of it: returns
 * the file, or NULL with *err (-ENOENT for a /proc/self entry vmemu does
 * not have, -EACCES for writing). Returns NULL with *err = 0 when path is
 * not vmemu's business (the host file is opened instead).
 */
struct file *procfs_open(struct task *t, const char *path, int flags, int *err);

/* Whether vmemu serves the file ("meminfo", "self/status"). */
bool procfs_has(const char *name);

/* The text of a served file, for --report at exit; false if unknown. */
bool procfs_show(struct task *t, const char *name, struct seq *s);

#endif
