/*
 * The path walk (see namei.h). The walk keeps the directory reached so
 * far as a path (an O_PATH descriptor for host trees), the text still to
 * walk, and the canonical guest name of where it is. A symbolic link's
 * text is spliced in front of what remains, as Linux's link stack does;
 * a magic link of /proc jumps to its object. ".." never climbs above the
 * caller's root, and leaves a mount from its root to the mount point's
 * directory, so no spelling of a path leaves the namespace.
 */
#define _GNU_SOURCE
#include "emu/fs/namei.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "emu/fs/fs_struct.h"
#include "emu/fs/pseudo.h"
#include "emu/kernel/syscall.h"
#include "emu/kernel/task.h"
#include "mm/fs.h"

/* ---- the canonical name ------------------------------------------------------------ */

/* The name is a seq: it grows as the walk goes down and is cut back by "..". */
static int name_set(struct nameidata *nd, const char *s)
{
    seq_free(&nd->name);
    seq_write(&nd->name, s, strlen(s));
    return nd->name.overflow ? -ENOMEM : 0;
}

static int name_push(struct nameidata *nd, const char *comp)
{
    if (nd->name.len == 0 || nd->name.buf[nd->name.len - 1] != '/')
        seq_write(&nd->name, "/", 1);
    seq_write(&nd->name, comp, strlen(comp));
    return nd->name.overflow ? -ENOMEM : 0;
}

static void name_pop(struct nameidata *nd)
{
    char *slash = nd->name.buf ? strrchr(nd->name.buf, '/') : NULL;
    if (!slash)
        return;
    nd->name.len = slash == nd->name.buf ? 1 : (size_t)(slash - nd->name.buf);
    nd->name.buf[nd->name.len] = '\0';
}

char *nd_last_name(const struct nameidata *nd)
{
    size_t n = nd->name.len, m = strlen(nd->last);
    char *s = malloc(n + m + 2);
    if (!s)
        return NULL;
    memcpy(s, nd->name.buf, n);
    if (n == 0 || s[n - 1] != '/')
        s[n++] = '/';
    memcpy(s + n, nd->last, m + 1);
    return s;
}

/* ---- one step ---------------------------------------------------------------------- */

bool path_is_link(const struct path *p)
{
    return S_ISLNK(p->mode);
}

int path_readlink(struct task *t, const struct path *p, char *buf, size_t len)
{
    if (!path_is_link(p))
        return -EINVAL;
    if (p->kind != NODE_HOST)
        return p->mnt->ops->get_link(t, p, buf, len, NULL);
    ssize_t n = readlinkat(p->fd, "", buf, len - 1);
    if (n < 0)
        return -errno;
    buf[n] = '\0';
    return (int)n;
}

/* The child called name of the directory dir; 0 and *child, or -errno. */
static int lookup_one(struct nameidata *nd, const struct path *dir, const char *name,
                      struct path *child)
{
    *child = (struct path){.kind = NODE_NONE, .fd = -1};
    if (strlen(name) > NAME_MAX)
        return -ENAMETOOLONG;
    if (!path_is_dir(dir))
        return -ENOTDIR;
    struct vfsmount *m = mount_at(dir, name);
    if (m)
        return mount_root(m, child);
    if (dir->kind != NODE_HOST)
        return dir->mnt->ops->lookup(nd->t, dir, name, child);
    int fd = openat(dir->fd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    *child = (struct path){.mnt = dir->mnt, .kind = NODE_HOST, .fd = fd};
    int err = path_host_stat(child);
    if (!err)
        err = path_host_checks(dir, child);
    if (err)
        path_put(child);
    return err;
}

/* Replace nd->path with p (taken over). */
static void nd_move_to(struct nameidata *nd, struct path *p)
{
    path_put(&nd->path);
    nd->path = *p;
    *p = (struct path){.kind = NODE_NONE, .fd = -1};
}

/* "..": the directory above, but never above the root, and out of a mount from its root. */
static int follow_dotdot(struct nameidata *nd)
{
    if (path_equal(&nd->path, &nd->root))
        return 0;
    struct path up = {.kind = NODE_NONE, .fd = -1};
    int err = 0;
    if (path_is_mount_root(&nd->path)) {
        if (!nd->path.mnt->mnt_parent)
            return 0; /* the namespace's own root */
        err = mount_root(nd->path.mnt->mnt_parent, &up);
    } else if (nd->path.kind != NODE_HOST) {
        nd->path.mnt->ops->parent(&nd->path, &up);
    } else {
        up = (struct path){.mnt = nd->path.mnt, .kind = NODE_HOST};
        up.fd = openat(nd->path.fd, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
        err = up.fd < 0 ? -errno : path_host_stat(&up);
        if (!err)
            err = path_host_checks(&nd->path, &up);
        /* Climbing out of a kernel file system inside a host tree: writable again. */
        if (!err && up.dev == up.mnt->root_dev)
            up.readonly = up.mnt->readonly;
    }
    if (err) {
        path_put(&up);
        return err;
    }
    nd_move_to(nd, &up);
    name_pop(nd);
    return 0;
}

/* ---- setting out ------------------------------------------------------------------- */

/* Where a relative walk starts: the working directory or dirfd's directory. */
static int start_at_dirfd(struct nameidata *nd, int dirfd, bool any_file)
{
    struct fs_struct *fs = nd->t->fs;
    if (dirfd == GUEST_AT_FDCWD) {
        nd->path = path_borrow(&fs->pwd);
        return name_set(nd, fs->pwd_name);
    }
    struct file *f = fd_get(nd->t, dirfd);
    if (!f)
        return -EBADF;
    int err = path_of_file(f, &nd->path);
    if (err == -ENOTDIR && any_file) {
        /* AT_EMPTY_PATH on a file that is no directory: the object is the open file. */
        nd->path = (struct path){.mnt = f->f_mnt ? f->f_mnt : root_mnt,
                                 .kind = NODE_FILE,
                                 .fd = -1,
                                 .file = get_file(f),
                                 .mode = f->f_mode};
        err = 0;
    }
    return err ? err : name_set(nd, f->f_path ? f->f_path : "");
}

int nd_start(struct task *t, int dirfd, const char *path, unsigned int flags, struct nameidata *nd)
{
    *nd = (struct nameidata){.t = t, .flags = flags};
    nd->root = nd->path = nd->parent = (struct path){.kind = NODE_NONE, .fd = -1};
    nd->rest = strdup(path);
    if (!nd->rest)
        return -ENOMEM;
    /* The task's root and working directory outlive the walk: borrowed, not duplicated. */
    nd->root = path_borrow(&t->fs->root);
    if (path[0] == '/') {
        nd->path = path_borrow(&nd->root);
        return name_set(nd, "/");
    }
    if (path[0] == '\0') {
        if (!(flags & LOOKUP_EMPTY))
            return -ENOENT;
        nd->last_type = LAST_EMPTY;
        return start_at_dirfd(nd, dirfd, true);
    }
    return start_at_dirfd(nd, dirfd, false);
}

void nd_release(struct nameidata *nd)
{
    path_put(&nd->root);
    path_put(&nd->path);
    path_put(&nd->parent);
    seq_free(&nd->name);
    free(nd->rest);
    nd->rest = NULL;
}

/* ---- links ------------------------------------------------------------------------- */

/* Put text in front of what is left to walk (which starts at from). */
static int splice_rest(struct nameidata *nd, const char *text, size_t from)
{
    const char *tail = nd->rest + from;
    size_t a = strlen(text), b = strlen(tail);
    char *r = malloc(a + b + 2);
    if (!r)
        return -ENOMEM;
    memcpy(r, text, a);
    size_t n = a;
    if (b) {
        r[n++] = '/';
        memcpy(r + n, tail, b);
        n += b;
    } else if (nd->trailing_slash) {
        r[n++] = '/'; /* "link/" asks for a directory: so does what it points to */
    }
    r[n] = '\0';
    free(nd->rest);
    nd->rest = r;
    nd->rest_off = 0;
    return 0;
}

/*
 * Go through the link (taken over): a magic link jumps to its object, a
 * symbolic link's text is walked next, from the root if it is absolute.
 */
static int follow_link(struct nameidata *nd, struct path *link, size_t rest_from)
{
    char text[PATH_MAX];
    int err;
    if (++nd->links > MAXSYMLINKS) {
        path_put(link);
        return -ELOOP;
    }
    struct path jump = {.kind = NODE_NONE, .fd = -1};
    if (link->kind == NODE_HOST)
        err = path_readlink(nd->t, link, text, sizeof(text));
    else
        err = link->mnt->ops->get_link(nd->t, link, text, sizeof(text), &jump);
    path_put(link);
    if (err < 0)
        return err;
    if (jump.kind != NODE_NONE) {
        nd_move_to(nd, &jump);
        nd->rest_off = rest_from;
        nd->last_type = LAST_BIND;
        return name_set(nd, text);
    }
    if (text[0] == '\0')
        return -ENOENT;
    if (text[0] == '/') {
        struct path root = path_borrow(&nd->root);
        nd_move_to(nd, &root);
        if ((err = name_set(nd, "/")) != 0)
            return err;
    }
    return splice_rest(nd, text, rest_from);
}

int nd_follow_link(struct nameidata *nd, struct path *link)
{
    return follow_link(nd, link, nd->rest_off);
}

/* ---- the walk ---------------------------------------------------------------------- */

/* One component in the middle of the path (not the last); 0 or -errno. */
static int walk_component(struct nameidata *nd, const char *comp, size_t rest_from)
{
    if (!path_is_dir(&nd->path))
        return -ENOTDIR;
    nd->rest_off = rest_from;
    if (strcmp(comp, ".") == 0)
        return 0;
    if (strcmp(comp, "..") == 0)
        return follow_dotdot(nd);
    struct path child;
    int err = lookup_one(nd, &nd->path, comp, &child);
    if (err)
        return err;
    if (path_is_link(&child))
        return follow_link(nd, &child, rest_from);
    if (!path_is_dir(&child)) {
        path_put(&child);
        return -ENOTDIR;
    }
    nd_move_to(nd, &child);
    return name_push(nd, comp);
}

/*
 * The fast way through the middle of a path: when the components before
 * the last are all plain directories of one host file system below where
 * the walk stands (no link, no mount, no ".." above the start), the host
 * may resolve them in one openat2 call, which refuses (and the walk then
 * goes one component at a time) as soon as any of that is not so. The
 * names vmemu mounts its own trees at are never left to the host.
 */
static void fast_walk(struct nameidata *nd)
{
    if (nd->path.kind != NODE_HOST)
        return;
    const char *r = nd->rest + nd->rest_off;
    while (*r == '/')
        r++;
    size_t end = strlen(r);
    while (end && r[end - 1] == '/')
        end--;
    while (end && r[end - 1] != '/')
        end--; /* the last component stays for the caller */
    if (end == 0 || end >= PATH_MAX)
        return;
    char prefix[PATH_MAX], first[NAME_MAX + 1];
    memcpy(prefix, r, end);
    prefix[end] = '\0';
    size_t fl = strcspn(prefix, "/");
    if (fl > NAME_MAX)
        return;
    memcpy(first, prefix, fl);
    first[fl] = '\0';
    if (mount_at(&nd->path, first))
        return;
    struct open_how how = {.flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
                           .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
                                      RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV};
    int fd = (int)syscall(SYS_openat2, nd->path.fd, prefix, &how, sizeof(how));
    if (fd < 0)
        return; /* not that simple: step by step, with every error in its place */
    struct path dir = {.mnt = nd->path.mnt, .kind = NODE_HOST, .fd = fd};
    if (path_host_stat(&dir) != 0 || dir.dev != nd->path.dev) {
        path_put(&dir);
        return;
    }
    dir.readonly = nd->path.readonly;
    /* The canonical name follows the components: no link, so ".." is lexical. */
    for (char *save, *c = strtok_r(prefix, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
        if (strcmp(c, "..") == 0)
            name_pop(nd);
        else if (strcmp(c, ".") != 0 && name_push(nd, c) != 0)
            break;
    }
    nd_move_to(nd, &dir);
    nd->rest_off = (size_t)(r - nd->rest) + end;
}

int nd_walk_parent(struct nameidata *nd)
{
    if (nd->last_type == LAST_EMPTY)
        return 0;
    fast_walk(nd);
    for (;;) {
        const char *r = nd->rest;
        size_t i = nd->rest_off;
        while (r[i] == '/')
            i++;
        if (r[i] == '\0') {
            /* Nothing (more) to walk: "/" itself, or where a magic link led. */
            if (nd->last_type != LAST_BIND)
                nd->last_type = LAST_ROOT;
            nd->rest_off = i;
            return 0;
        }
        size_t start = i;
        while (r[i] && r[i] != '/')
            i++;
        size_t len = i - start;
        if (len > NAME_MAX)
            return -ENAMETOOLONG;
        char comp[NAME_MAX + 1];
        memcpy(comp, r + start, len);
        comp[len] = '\0';
        size_t next = i;
        while (r[next] == '/')
            next++;
        if (r[next] == '\0') {
            memcpy(nd->last, comp, len + 1);
            nd->trailing_slash = next != i;
            nd->last_type = strcmp(comp, ".") == 0    ? LAST_DOT
                            : strcmp(comp, "..") == 0 ? LAST_DOTDOT
                                                      : LAST_NORM;
            nd->rest_off = next;
            return path_is_dir(&nd->path) ? 0 : -ENOTDIR;
        }
        /* Moves rest_off past the component, or splices a link's text in. */
        int err = walk_component(nd, comp, next);
        if (err)
            return err;
        nd->last_type = LAST_NORM;
    }
}

int nd_lookup_last(struct nameidata *nd, struct path *child)
{
    return lookup_one(nd, &nd->path, nd->last, child);
}

int nd_finish_dir(struct nameidata *nd)
{
    int err = nd->last_type == LAST_DOTDOT ? follow_dotdot(nd) : 0;
    if (!err && (nd->trailing_slash || (nd->flags & LOOKUP_DIRECTORY)) && !path_is_dir(&nd->path))
        err = -ENOTDIR;
    return err;
}

int path_lookupat(struct task *t, int dirfd, const char *path, unsigned int flags,
                  struct nameidata *nd)
{
    int err = nd_start(t, dirfd, path, flags, nd);
    while (!err) {
        if ((err = nd_walk_parent(nd)) != 0 || (flags & LOOKUP_PARENT))
            break;
        if (nd->last_type != LAST_NORM)
            return nd_finish_dir(nd);
        struct path child;
        if ((err = nd_lookup_last(nd, &child)) != 0)
            break;
        if (path_is_link(&child) && ((flags & LOOKUP_FOLLOW) || nd->trailing_slash)) {
            err = nd_follow_link(nd, &child);
            continue;
        }
        path_put(&nd->parent);
        nd->parent = nd->path;
        nd->path = child;
        if ((err = name_push(nd, nd->last)) != 0)
            break;
        if ((nd->trailing_slash || (flags & LOOKUP_DIRECTORY)) && !path_is_dir(&child))
            err = -ENOTDIR;
        return err;
    }
    return err;
}

int user_path_at(struct task *t, int dirfd, uint64_t upath, unsigned int flags,
                 struct nameidata *nd)
{
    char path[PATH_MAX];
    long err = get_user_path(t, upath, path);
    if (err) {
        *nd = (struct nameidata){.t = t};
        nd->root = nd->path = nd->parent = (struct path){.kind = NODE_NONE, .fd = -1};
        return (int)err;
    }
    return path_lookupat(t, dirfd, path, flags, nd);
}
