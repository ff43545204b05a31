/*
 * Per-process root, working directory and umask (see fs_struct.h). The
 * structure is a kernel object in guest RAM (kmalloc); its paths hold
 * host O_PATH descriptors of their own.
 */
#define _GNU_SOURCE
#include "emu/fs/fs_struct.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static struct fs_struct *fs_alloc(void)
{
    struct fs_struct *fs = calloc(1, sizeof(*fs));
    if (!fs)
        return NULL;
    fs->users = 1;
    fs->root = fs->pwd = (struct path){.kind = NODE_NONE, .fd = -1};
    return fs;
}

static void fs_free(struct fs_struct *fs)
{
    path_put(&fs->root);
    path_put(&fs->pwd);
    free(fs->pwd_name);
    free(fs);
}

/*
 * vmemu's own working directory as the guest sees it: the same directory
 * when the guest's / shows it, its guest name in *name. False when it lies
 * outside --root DIR (or cannot be named), and the guest starts at /.
 */
static bool host_cwd_in_root(struct fs_struct *fs, char *name, size_t len)
{
    char cwd[PATH_MAX];
    if (!getcwd(cwd, sizeof(cwd)))
        return false;
    const char *root = vfs_root_host_path(), *inside = cwd;
    size_t rl = strcmp(root, "/") == 0 ? 0 : strlen(root);
    if (strncmp(cwd, root, rl) != 0 || (cwd[rl] != '/' && cwd[rl] != '\0'))
        return false;
    inside = cwd[rl] ? cwd + rl : "/";
    /* The guest's /proc and /dev are vmemu's: a host cwd under them is not reachable. */
    if (strncmp(inside, "/proc", 5) == 0 && (inside[5] == '/' || inside[5] == '\0'))
        return false;
    if (strncmp(inside, "/dev", 4) == 0 && (inside[4] == '/' || inside[4] == '\0'))
        return false;
    fs->pwd = (struct path){.mnt = root_mnt, .kind = NODE_HOST};
    fs->pwd.fd = open(cwd, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (fs->pwd.fd < 0 || path_host_stat(&fs->pwd) != 0 ||
        path_host_checks(&fs->root, &fs->pwd) != 0) {
        path_put(&fs->pwd);
        return false;
    }
    snprintf(name, len, "%s", inside);
    return true;
}

struct fs_struct *fs_struct_init(const char **why)
{
    struct fs_struct *fs = fs_alloc();
    char name[PATH_MAX];
    if (!fs) {
        *why = "out of memory for the file system context";
        return NULL;
    }
    mode_t mask = umask(0);
    umask(mask);
    fs->umask = mask;
    if (mount_root(root_mnt, &fs->root) != 0) {
        *why = "the guest's root directory cannot be opened";
        fs_free(fs);
        return NULL;
    }
    if (!host_cwd_in_root(fs, name, sizeof(name))) {
        snprintf(name, sizeof(name), "/");
        if (path_copy(&fs->root, &fs->pwd) != 0) {
            *why = "the guest's working directory cannot be opened";
            fs_free(fs);
            return NULL;
        }
    }
    if (!(fs->pwd_name = strdup(name))) {
        *why = "out of memory for the file system context";
        fs_free(fs);
        return NULL;
    }
    return fs;
}

struct fs_struct *copy_fs_struct(const struct fs_struct *old)
{
    struct fs_struct *fs = fs_alloc();
    if (!fs)
        return NULL;
    fs->umask = old->umask;
    if (path_copy(&old->root, &fs->root) != 0 || path_copy(&old->pwd, &fs->pwd) != 0 ||
        !(fs->pwd_name = strdup(old->pwd_name))) {
        fs_free(fs);
        return NULL;
    }
    return fs;
}

struct fs_struct *get_fs_struct(struct fs_struct *fs)
{
    fs->users++;
    return fs;
}

void put_fs_struct(struct fs_struct *fs)
{
    if (fs && --fs->users == 0)
        fs_free(fs);
}

int set_fs_pwd(struct fs_struct *fs, const struct path *pwd, const char *name)
{
    struct path own;
    char *n = strdup(name);
    int err = n ? path_copy(pwd, &own) : -ENOMEM;
    if (err) {
        free(n);
        return err;
    }
    free(fs->pwd_name);
    fs->pwd_name = n;
    path_put(&fs->pwd);
    fs->pwd = own;
    return 0;
}
