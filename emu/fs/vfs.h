/*
 * What the file system calls share: inode attributes of paths and open
 * files (stat.c), the limits on a write (write_limits.c), and the
 * writeback errors vmemu reports at exit.
 */
#ifndef VMEMU_EMU_FS_VFS_H
#define VMEMU_EMU_FS_VFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct task;
struct file;
struct path;
struct stat;
struct statfs;

/* stat(2) of a walk's object, fstat(2) of an open file: 0 or -errno. */
int vfs_getattr(const struct path *p, struct stat *st);
int vfs_fstat(struct file *f, struct stat *st);
/* statfs(2) and fstatfs(2), with read-only trees reported ST_RDONLY. */
int vfs_statfs(const struct path *p, struct statfs *st);
int vfs_fstatfs(struct file *f, struct statfs *st);

/*
 * Changing an object's attributes (mode, owner, times, extended
 * attributes): 0 when the host may be asked, or the refusal (EROFS in a
 * read-only tree, vmemu's own files' answer). may_setattr_file is the same
 * for an open file (fchmod, fchown, fsetxattr).
 */
int may_setattr(const struct path *p);
int may_setattr_file(struct file *f);

/* What SEEK_SET, SEEK_CUR or SEEK_END count from (lseek, struct flock): 0 or -EINVAL. */
int vfs_whence_base(const struct file *f, int whence, int64_t *base);
/* lseek's end: f_pos = base + off unless that overflows or is negative (EINVAL). */
int64_t vfs_setpos(struct file *f, int64_t base, int64_t off);

/*
 * Linux's generic_write_checks for a write of *count bytes at pos to a
 * regular file: past RLIMIT_FSIZE the task gets SIGXFSZ (when may_signal)
 * and EFBIG, past the host file system's largest file EFBIG; a write that
 * starts below a limit is cut short at it. 0 or -EFBIG.
 */
int generic_write_checks(struct task *t, struct file *f, uint64_t pos, size_t *count,
                         bool may_signal);
/* The same for a new size (truncate, ftruncate): 0 or -EFBIG. */
int inode_newsize_ok(struct task *t, struct file *f, uint64_t size);
/* Does end lie past the largest file f's file system allows (its s_maxbytes)? */
bool past_maxbytes(struct file *f, uint64_t end);

/*
 * At exit, after the last writeback: report every file whose writeback
 * failed without the program ever being told (no fsync, msync or close
 * returned the error). Returns how many there were; vmemu's exit status
 * must then say so.
 */
int report_unseen_writeback_errors(void);

/*
 * vmemu's exit status when the program's data could not be written and the
 * program never learnt it (report_unseen_writeback_errors), like env(1)'s
 * status for its own failures.
 */
#define EXIT_DATA_LOST 125

/*
 * The name the guest sees for a descriptor vmemu inherited (its stdin,
 * stdout, stderr: f_pos_shared), as readlink of /proc/PID/fd/N shows it:
 * the file's path inside the guest's /, or what Linux shows ("pipe:[N]",
 * "/dev/pts/N"). Recorded before the guest runs (vfs_init); NULL for any
 * other file.
 */
const char *inherited_file_name(struct file *f);

/* The file is the guest's /dev/zero: mapping it gives anonymous memory. */
bool devfs_is_zero(const struct file *f);

#endif
