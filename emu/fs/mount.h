/*
 * The guest's namespace: which trees it sees where. vmemu, not the host,
 * decides what every guest path names. The namespace is a fixed set of
 * mounts, each the root of a tree:
 *
 *   /          the host directory given by --root (the host's / without it)
 *   /proc      vmemu's procfs (procfs.c): the guest's own processes only
 *   /dev       vmemu's devfs (devfs.c): null, zero, full, random, urandom,
 *              tty, fd, stdin, stdout, stderr; read-only
 *   /dev/shm   ROOT/dev/shm, /dev/pts ROOT/dev/pts (when they exist)
 *   /sys       ROOT/sys, read-only (when it exists)
 *
 * A host tree is reached through O_PATH descriptors, one component at a
 * time (namei.c), so the host kernel never resolves a guest path by itself
 * and never follows a guest's symbolic link. Invariants: every mount point
 * is a child of its parent mount's root; a host descriptor vmemu holds is
 * close-on-exec and never a guest descriptor.
 */
#ifndef VMEMU_EMU_FS_MOUNT_H
#define VMEMU_EMU_FS_MOUNT_H

#include <stdbool.h>
#include <sys/types.h>

struct task;
struct file;
struct pseudo_ops;

struct vfsmount {
    const char *mnt_point;        /* the guest path it is mounted on ("/", "/proc") */
    struct vfsmount *mnt_parent;  /* the mount holding the mount point; NULL for / */
    const struct pseudo_ops *ops; /* vmemu's own trees; NULL for a host tree */
    bool readonly;                /* every change refused with EROFS */
    bool devices;                 /* device nodes may be opened (nodev otherwise) */
    int root_fd;                  /* host trees: O_PATH descriptor of the root */
    dev_t root_dev;
    ino_t root_ino;
};

/* What a node of the namespace is. Host objects are NODE_HOST; the rest are vmemu's. */
enum node_kind {
    NODE_NONE,
    NODE_HOST,         /* a host object: fd is an O_PATH descriptor of it */
    NODE_FILE,         /* an open file reached through a /proc magic link: file holds a reference */
    NODE_PSEUDO_FIRST, /* vmemu's trees number their kinds from here (procfs.c, devfs.c) */
};

/*
 * One object of the namespace (Linux's struct path with the inode facts
 * vmemu needs). A path owns its descriptor or file reference: path_put
 * drops it, path_copy duplicates it.
 */
struct path {
    struct vfsmount *mnt;
    int kind;
    int fd;            /* NODE_HOST */
    struct file *file; /* NODE_FILE */
    int pid, num;      /* vmemu's nodes: the process and which entry */
    mode_t mode;       /* S_IFMT and permission bits */
    dev_t dev;
    ino_t ino;
    bool readonly; /* in a read-only mount, or in a kernel file system found in a host tree */
    bool borrowed; /* a view of another path's descriptor: path_put leaves it open */
};

/*
 * Set up the namespace with root_dir as / (NULL: the host's /). 0, or -1
 * with *why saying what is wrong (one line). vfs_exit closes it down.
 */
int vfs_init(const char *root_dir, char *why, size_t whylen);
void vfs_exit(void);
/* --root was given: the guest is confined to a directory. */
bool vfs_confined(void);
/* The host's canonical path of the guest's / ("/" without --root). */
const char *vfs_root_host_path(void);

extern struct vfsmount *root_mnt, *proc_mnt, *dev_mnt;

/* The root of mnt as a path (a duplicated descriptor for host trees); 0 or -errno. */
int mount_root(struct vfsmount *mnt, struct path *out);
/* The mount of a child called name of dir, if one is mounted there (NULL otherwise). */
struct vfsmount *mount_at(const struct path *dir, const char *name);
/* p is the root of its mount. */
bool path_is_mount_root(const struct path *p);

int path_copy(const struct path *from, struct path *to);
/* A view of p that owns nothing (valid while p is): a walk starts from one. */
struct path path_borrow(const struct path *p);
void path_put(struct path *p);
bool path_equal(const struct path *a, const struct path *b);
bool path_is_dir(const struct path *p);
/* Fill mode, dev, ino of a host node from its descriptor; 0 or -errno. */
int path_host_stat(struct path *p);
/*
 * A host node just reached from parent: carry the read-only flag down and
 * refuse a kernel file system met in a host tree (the host's procfs is
 * never entered); 0 or -errno.
 */
int path_host_checks(const struct path *parent, struct path *child);

/* Where the guest's own directory f is, as a path to start a walk from; 0 or -errno. */
int path_of_file(struct file *f, struct path *out);

#endif
