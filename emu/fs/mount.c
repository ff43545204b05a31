/*
 * The guest's mounts and the paths that point into them (see mount.h for
 * the layout). The mounts are set up once per run from --root and never
 * change; a path holds its own O_PATH descriptor, so a walk can drop and
 * duplicate them freely.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "emu/fs/mount.h"
#include "emu/fs/pseudo.h"
#include "emu/fs/vfs.h"
#include "mm/fs.h"

/* Kernel file systems, by statfs magic. */
#define PROC_SUPER_MAGIC 0x9fa0
#define SYSFS_MAGIC 0x62656572
#define DEBUGFS_MAGIC 0x64626720
#define TRACEFS_MAGIC 0x74726163
#define SECURITYFS_MAGIC 0x73636673
#define CGROUP_SUPER_MAGIC 0x27e0eb
#define CGROUP2_SUPER_MAGIC 0x63677270
#define BPF_FS_MAGIC 0xcafe4a11
#define PSTOREFS_MAGIC 0x6165676c
#define EFIVARFS_MAGIC 0xde5e81e4
#define CONFIGFS_MAGIC 0x62656570

extern const struct pseudo_ops procfs_ops, devfs_ops;

static struct vfsmount mounts[] = {
    {.mnt_point = "/", .root_fd = -1},
    {.mnt_point = "/proc", .ops = &procfs_ops, .root_fd = -1},
    {.mnt_point = "/dev", .ops = &devfs_ops, .readonly = true, .root_fd = -1},
    {.mnt_point = "/sys", .readonly = true, .root_fd = -1},
    {.mnt_point = "/dev/shm", .root_fd = -1},
    {.mnt_point = "/dev/pts", .devices = true, .root_fd = -1},
};
enum { M_ROOT, M_PROC, M_DEV, M_SYS, M_SHM, M_PTS, NR_MOUNTS };

struct vfsmount *root_mnt = &mounts[M_ROOT], *proc_mnt = &mounts[M_PROC], *dev_mnt = &mounts[M_DEV];
static bool confined;
static char root_host_path[PATH_MAX]; /* where / is on the host, canonical */

bool vfs_confined(void)
{
    return confined;
}

const char *vfs_root_host_path(void)
{
    return root_host_path;
}

/* Open one directory below dir without following a link anywhere: O_PATH, close-on-exec. */
static int open_subdir(int dirfd, const char *name)
{
    return openat(dirfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

static void mount_host_tree(struct vfsmount *m, int fd, struct vfsmount *parent)
{
    struct stat st;
    if (fd < 0)
        return;
    if (fstat(fd, &st) != 0) {
        close(fd);
        return;
    }
    m->root_fd = fd;
    m->root_dev = st.st_dev;
    m->root_ino = st.st_ino;
    m->mnt_parent = parent;
}

/* ROOT/dev/NAME, each component checked not to be a link. */
static int open_dev_subdir(int rootfd, const char *name)
{
    int dev = open_subdir(rootfd, "dev");
    if (dev < 0)
        return -1;
    int fd = open_subdir(dev, name);
    close(dev);
    return fd;
}

static bool is_kernel_fs(long type)
{
    static const long magics[] = {PROC_SUPER_MAGIC,    SYSFS_MAGIC,      DEBUGFS_MAGIC,
                                  TRACEFS_MAGIC,       SECURITYFS_MAGIC, CGROUP_SUPER_MAGIC,
                                  CGROUP2_SUPER_MAGIC, BPF_FS_MAGIC,     PSTOREFS_MAGIC,
                                  EFIVARFS_MAGIC,      CONFIGFS_MAGIC};
    for (size_t i = 0; i < sizeof(magics) / sizeof(magics[0]); i++)
        if (type == magics[i])
            return true;
    return false;
}

/* What vmemu's own descriptors 0, 1 and 2 are, read once before the guest runs. */
static struct {
    dev_t dev;
    ino_t ino;
    char name[PATH_MAX];
} stdio_names[3];

static void record_stdio_name(int fd)
{
    char link[64], host[PATH_MAX];
    struct stat st;
    snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, host, sizeof(host) - 1);
    if (n <= 0 || fstat(fd, &st) != 0)
        return;
    host[n] = '\0';
    size_t rl = strcmp(root_host_path, "/") == 0 ? 0 : strlen(root_host_path);
    const char *name =
        rl && strncmp(host, root_host_path, rl) == 0 && host[rl] == '/' ? host + rl : host;
    stdio_names[fd].dev = st.st_dev;
    stdio_names[fd].ino = st.st_ino;
    snprintf(stdio_names[fd].name, sizeof(stdio_names[fd].name), "%s", name);
}

int vfs_init(const char *root_dir, char *why, size_t whylen)
{
    const char *dir = root_dir ? root_dir : "/";
    int fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
    struct statfs fs;
    if (fd < 0) {
        snprintf(why, whylen, "--root %s: %s", dir, strerror(errno));
        return -1;
    }
    if (fstatfs(fd, &fs) == 0 && is_kernel_fs((long)fs.f_type)) {
        snprintf(why, whylen, "--root %s: a kernel file system cannot be the guest's root", dir);
        close(fd);
        return -1;
    }
    confined = root_dir != NULL;
    if (!realpath(dir, root_host_path)) {
        snprintf(why, whylen, "--root %s: %s", dir, strerror(errno));
        close(fd);
        return -1;
    }
    mount_host_tree(&mounts[M_ROOT], fd, NULL);
    if (mounts[M_ROOT].root_fd < 0) {
        snprintf(why, whylen, "--root %s: %s", dir, strerror(errno));
        return -1;
    }
    mounts[M_PROC].mnt_parent = mounts[M_DEV].mnt_parent = root_mnt;
    for (int i = 0; i < 3; i++)
        record_stdio_name(i);
    mount_host_tree(&mounts[M_SYS], open_subdir(fd, "sys"), root_mnt);
    mount_host_tree(&mounts[M_SHM], open_dev_subdir(fd, "shm"), dev_mnt);
    mount_host_tree(&mounts[M_PTS], open_dev_subdir(fd, "pts"), dev_mnt);
    return 0;
}

void vfs_exit(void)
{
    for (int i = 0; i < NR_MOUNTS; i++) {
        if (mounts[i].root_fd >= 0)
            close(mounts[i].root_fd);
        mounts[i].root_fd = -1;
    }
}

/* A mount vmemu set up: its own trees always, host trees when their root exists. */
static bool mounted(const struct vfsmount *m)
{
    return m->ops || m->root_fd >= 0;
}

int mount_root(struct vfsmount *mnt, struct path *out)
{
    *out = (struct path){.mnt = mnt, .fd = -1};
    if (mnt->ops) {
        out->kind = NODE_PSEUDO_FIRST; /* each tree's root is its first kind */
        out->mode = S_IFDIR | 0555;
        return 0;
    }
    out->kind = NODE_HOST;
    out->fd = fcntl(mnt->root_fd, F_DUPFD_CLOEXEC, 3);
    if (out->fd < 0)
        return -errno;
    out->mode = S_IFDIR;
    out->dev = mnt->root_dev;
    out->ino = mnt->root_ino;
    out->readonly = mnt->readonly;
    return path_host_stat(out);
}

bool path_is_mount_root(const struct path *p)
{
    if (p->mnt->ops)
        return p->kind == NODE_PSEUDO_FIRST;
    return p->kind == NODE_HOST && p->dev == p->mnt->root_dev && p->ino == p->mnt->root_ino;
}

struct vfsmount *mount_at(const struct path *dir, const char *name)
{
    if (!path_is_mount_root(dir))
        return NULL;
    for (int i = 1; i < NR_MOUNTS; i++) {
        struct vfsmount *m = &mounts[i];
        const char *base = strrchr(m->mnt_point, '/') + 1;
        if (m->mnt_parent == dir->mnt && mounted(m) && strcmp(base, name) == 0)
            return m;
    }
    return NULL;
}

int path_copy(const struct path *from, struct path *to)
{
    *to = *from;
    to->borrowed = false;
    if (from->kind == NODE_HOST) {
        to->fd = fcntl(from->fd, F_DUPFD_CLOEXEC, 3);
        if (to->fd < 0) {
            to->kind = NODE_NONE;
            return -errno;
        }
    } else if (from->kind == NODE_FILE) {
        get_file(from->file);
    }
    return 0;
}

struct path path_borrow(const struct path *p)
{
    struct path view = *p;
    view.borrowed = true;
    return view;
}

void path_put(struct path *p)
{
    if (p->borrowed)
        ;
    else if (p->kind == NODE_HOST && p->fd >= 0)
        close(p->fd);
    else if (p->kind == NODE_FILE)
        fput(p->file);
    *p = (struct path){.kind = NODE_NONE, .fd = -1};
}

bool path_equal(const struct path *a, const struct path *b)
{
    if (a->mnt != b->mnt || a->kind != b->kind)
        return false;
    if (a->kind == NODE_HOST)
        return a->dev == b->dev && a->ino == b->ino;
    if (a->kind == NODE_FILE)
        return a->file == b->file;
    return a->pid == b->pid && a->num == b->num;
}

bool path_is_dir(const struct path *p)
{
    return S_ISDIR(p->mode);
}

int path_host_stat(struct path *p)
{
    struct stat st;
    if (fstat(p->fd, &st) != 0)
        return -errno;
    p->mode = st.st_mode;
    p->dev = st.st_dev;
    p->ino = st.st_ino;
    return 0;
}

int path_host_checks(const struct path *parent, struct path *child)
{
    child->readonly = parent->readonly || child->mnt->readonly;
    if (child->dev == parent->dev || parent->kind != NODE_HOST)
        return 0;
    /* A host mount point: what is mounted there decides. */
    struct statfs fs;
    if (fstatfs(child->fd, &fs) != 0)
        return -errno;
    if ((long)fs.f_type == PROC_SUPER_MAGIC)
        return -EACCES; /* the host's /proc is never the guest's */
    if (is_kernel_fs((long)fs.f_type))
        child->readonly = true;
    return 0;
}

int path_of_file(struct file *f, struct path *out)
{
    /* Callers path_put *out whatever the answer: it must be a path on every return. */
    *out = (struct path){.kind = NODE_NONE, .fd = -1};
    const struct path *node = pseudo_file_node(f);
    if (node)
        return path_copy(node, out);
    if (f->f_host_fd < 0 || !S_ISDIR(f->f_mode))
        return -ENOTDIR;
    /* A directory vmemu did not open in the namespace (inherited): outside --root's reach. */
    if (!f->f_mnt && confined)
        return -EACCES;
    *out = (struct path){.mnt = f->f_mnt ? f->f_mnt : root_mnt, .kind = NODE_HOST};
    out->fd = openat(f->f_host_fd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (out->fd < 0) {
        out->kind = NODE_NONE;
        return -errno;
    }
    int err = path_host_stat(out);
    out->readonly = out->mnt->readonly;
    return err;
}

const char *inherited_file_name(struct file *f)
{
    struct stat st;
    if (!f->f_pos_shared || f->f_host_fd < 0 || fstat(f->f_host_fd, &st) != 0)
        return NULL;
    for (int i = 0; i < 3; i++)
        if (stdio_names[i].name[0] && stdio_names[i].dev == st.st_dev &&
            stdio_names[i].ino == st.st_ino)
            return stdio_names[i].name;
    return NULL;
}
