/*
 * A process's place in the namespace (Linux's struct fs_struct): its root,
 * its working directory and its umask. Shared by reference count between
 * tasks that share it (clone with CLONE_FS), copied by fork. vmemu's own
 * host working directory never changes: only the guest's does, here.
 */
#ifndef VMEMU_EMU_FS_FS_STRUCT_H
#define VMEMU_EMU_FS_FS_STRUCT_H

#include <sys/types.h>

#include "emu/fs/mount.h"

struct fs_struct {
    int users;    /* tasks sharing it */
    mode_t umask; /* what file creation leaves out */
    struct path root;
    struct path pwd;
    char *pwd_name; /* the guest path of pwd, as getcwd gives it (malloc) */
};

/*
 * The first process's: root is the namespace's /, the working directory is
 * vmemu's own when / shows it (the host's cwd inside --root DIR), else /;
 * the umask is vmemu's. NULL with *why when it cannot be set up.
 */
struct fs_struct *fs_struct_init(const char **why);
/* fork without CLONE_FS: an independent copy; NULL when out of memory. */
struct fs_struct *copy_fs_struct(const struct fs_struct *old);
/* Another user (CLONE_FS, or a reference while the caller looks at it). */
struct fs_struct *get_fs_struct(struct fs_struct *fs);
/* A user went: the last one frees it. */
void put_fs_struct(struct fs_struct *fs);

/* chdir's result: the new working directory (copied) and its name; 0 or -errno. */
int set_fs_pwd(struct fs_struct *fs, const struct path *pwd, const char *name);

#endif
