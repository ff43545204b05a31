/*
 * The path walk: every path a guest names is resolved here, one component
 * at a time, against the caller's root and working directory (or an *at()
 * call's directory descriptor), as Linux's namei does: "." and ".."
 * (clamped at the root and crossing mounts), "//", symbolic links followed
 * in the guest's namespace (at most 40 in one walk, then ELOOP), magic
 * links of /proc, trailing slashes, and Linux's errors (ENOENT, ENOTDIR,
 * ENAMETOOLONG, ELOOP, EACCES, ...).
 */
#ifndef VMEMU_EMU_FS_NAMEI_H
#define VMEMU_EMU_FS_NAMEI_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "emu/fs/mount.h"
#include "mm/seq.h"

#define MAXSYMLINKS 40
#define GUEST_AT_FDCWD (-100)

/* What the caller wants of the last component. */
#define LOOKUP_FOLLOW 0x01    /* follow it if it is a symbolic link */
#define LOOKUP_DIRECTORY 0x02 /* it must be a directory */
#define LOOKUP_EMPTY 0x04     /* an empty path names the directory descriptor itself */
#define LOOKUP_PARENT 0x08    /* stop at its directory: it is to be created or removed */

/*
 * The kind of the last component. For all but LAST_NORM the object is the
 * directory (or, for LAST_BIND and LAST_EMPTY, any object) the walk
 * ended on: "/", ".", "..", a magic link's target, an empty path.
 */
enum { LAST_NORM, LAST_ROOT, LAST_DOT, LAST_DOTDOT, LAST_BIND, LAST_EMPTY };

struct nameidata {
    struct task *t;
    unsigned int flags;
    struct path root; /* the caller's root: ".." and absolute links stop and start here */
    /*
     * During the walk, the directory reached so far. At the end: the object
     * (a full lookup) or the last component's directory (LOOKUP_PARENT).
     */
    struct path path;
    /* After a full lookup of a LAST_NORM name: the directory holding the object. */
    struct path parent;
    char last[NAME_MAX + 1]; /* the last component */
    int last_type;
    bool trailing_slash; /* the path ended in '/': the object must be a directory */
    struct seq name;     /* the guest path of nd->path, canonical: name.buf */
    char *rest;          /* what is left to walk (malloc) */
    size_t rest_off;
    int links; /* symbolic links followed so far */
};

/*
 * Resolve path (a guest string) from dirfd with LOOKUP_* flags. 0 with nd
 * filled, or -errno; nd_release must be called either way.
 */
int path_lookupat(struct task *t, int dirfd, const char *path, unsigned int flags,
                  struct nameidata *nd);
/* The same for a path in guest memory (EFAULT, ENAMETOOLONG). */
int user_path_at(struct task *t, int dirfd, uint64_t upath, unsigned int flags,
                 struct nameidata *nd);
void nd_release(struct nameidata *nd);

/*
 * The step-by-step interface open(2) uses, whose last component depends on
 * its flags: nd_start sets the walk up, nd_walk_parent walks to the last
 * component's directory, nd_lookup_last looks that component up without
 * following it, and nd_follow_link continues through a link found there.
 */
int nd_start(struct task *t, int dirfd, const char *path, unsigned int flags, struct nameidata *nd);
int nd_walk_parent(struct nameidata *nd);
int nd_lookup_last(struct nameidata *nd, struct path *child);
int nd_follow_link(struct nameidata *nd, struct path *link);
/* The last component is not LAST_NORM: make nd->path the object ("/", ".", "..", ...). */
int nd_finish_dir(struct nameidata *nd);

/* Is p a symbolic link (host or vmemu's)? */
bool path_is_link(const struct path *p);
/*
 * The text of the link p into buf (NUL-terminated, at most len - 1 bytes):
 * its length or -errno. readlink(2) gives it as is; the walk resolves it.
 */
int path_readlink(struct task *t, const struct path *p, char *buf, size_t len);
/* The guest path of the last component of a LOOKUP_PARENT walk (malloc), or NULL. */
char *nd_last_name(const struct nameidata *nd);

#endif
