/*
 * The guest's /proc: entirely vmemu's, a tree generated from vmemu's own
 * state. It holds the guest's processes and nothing of the host's:
 *
 *   /proc/PID/...       per process (proc_pid.c), for every guest task;
 *                       PID/task/TID/... the same per thread
 *   /proc/self          link to the caller's PID, thread-self to its TID
 *   /proc/meminfo, buddyinfo, slabinfo, vmstat, zoneinfo   (proc_mem.c), swaps
 *   /proc/sys/vm/...    vmemu's own tunables (drop_caches, dirty_*, swappiness,
 *                       page-cluster)
 *
 * Any other name is ENOENT. Files are rendered when read (seq_file
 * semantics: a reader that rewinds sees the current text). Nodes carry
 * their kind, pid and entry number (pseudo.h); num's PROC_UNDER_TID bit
 * marks entries reached through PID/task/TID.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "emu/fs/fdtable.h"
#include "emu/fs/proc_mem.h"
#include "emu/fs/procfs.h"
#include "emu/fs/pseudo.h"
#include "emu/kernel/task.h"
#include "mm/array_size.h"
#include "mm/fs.h"
#include "mm/pagemap.h"
#include "mm/seq.h"
#include "mm/slab.h"
#include "mm/swap.h"
#include "mm/writeback.h"

#define PROC_SUPER_MAGIC 0x9fa0

/* ---- the system-wide files and the sysctls ------------------------------------------ */

static void drop_caches_show(struct task *t, struct seq *s);
static int drop_caches_store(const char *buf, size_t len);
static void dirty_background_ratio_show(struct task *t, struct seq *s);
static int dirty_background_ratio_store(const char *buf, size_t len);
static void dirty_expire_centisecs_show(struct task *t, struct seq *s);
static int dirty_expire_centisecs_store(const char *buf, size_t len);
void proc_buddyinfo_show(struct task *t, struct seq *s);
static void swaps_file_show(struct task *t, struct seq *s);
static void swappiness_show(struct task *t, struct seq *s);
static int swappiness_store(const char *buf, size_t len);
static void page_cluster_show(struct task *t, struct seq *s);
static int page_cluster_store(const char *buf, size_t len);

struct proc_entry {
    const char *name;
    proc_show_fn show;
    /* Writable sysctls: take what the guest wrote; 0 or -errno. */
    int (*store)(const char *buf, size_t len);
};

/* /proc/NAME, in name order. */
static const struct proc_entry proc_files[] = {
    {"buddyinfo", proc_buddyinfo_show, NULL},
    {"kpagecount", NULL, NULL},
    {"kpageflags", NULL, NULL},
    {"meminfo", proc_meminfo_show, NULL},
    {"slabinfo", proc_slabinfo_show, NULL},
    {"swaps", swaps_file_show, NULL},
    {"vmstat", proc_vmstat_show, NULL},
    {"zoneinfo", proc_zoneinfo_show, NULL},
};
/* /proc/sys/vm/NAME. */
static const struct proc_entry sysctl_vm[] = {
    {"dirty_background_ratio", dirty_background_ratio_show, dirty_background_ratio_store},
    {"dirty_expire_centisecs", dirty_expire_centisecs_show, dirty_expire_centisecs_store},
    {"drop_caches", drop_caches_show, drop_caches_store},
    {"page-cluster", page_cluster_show, page_cluster_store},
    {"swappiness", swappiness_show, swappiness_store},
};
#define NR_PROC_FILES (int)(sizeof(proc_files) / sizeof(proc_files[0]))
#define NR_SYSCTL_VM (int)(sizeof(sysctl_vm) / sizeof(sysctl_vm[0]))

/* The binary files among them (no show), root's alone as in Linux; NULL for text files. */
static const struct file_operations *proc_file_fops(int i)
{
    if (proc_files[i].show)
        return NULL;
    return strcmp(proc_files[i].name, "kpagecount") == 0 ? &kpagecount_fops : &kpageflags_fops;
}

static mode_t proc_file_mode(int i)
{
    return S_IFREG | (proc_file_fops(i) ? 0400 : 0444);
}

/*
 * One integer in [min, max], as proc_dointvec_minmax reads it: leading
 * blanks, an optional sign, digits, then only blanks or a newline.
 */
static int parse_int(const char *buf, size_t len, long min, long max, long *out)
{
    char tmp[32];
    if (len == 0 || len >= sizeof(tmp))
        return -EINVAL;
    memcpy(tmp, buf, len);
    tmp[len] = '\0';
    char *end;
    long v = strtol(tmp, &end, 10);
    if (end == tmp || v < min || v > max)
        return -EINVAL;
    while (*end == ' ' || *end == '\t' || *end == '\n')
        end++;
    if (*end)
        return -EINVAL;
    *out = v;
    return 0;
}

static long sysctl_drop_caches;

static void drop_caches_show(struct task *t, struct seq *s)
{
    (void)t;
    seq_printf(s, "%ld\n", sysctl_drop_caches);
}

/* 1: clean unmapped page-cache pages; 2: empty slabs; 3: both; 4: quiet (nothing here). */
static int drop_caches_store(const char *buf, size_t len)
{
    long v;
    int err = parse_int(buf, len, 1, 4, &v);
    if (err)
        return err;
    sysctl_drop_caches = v;
    if (v & 1)
        drop_pagecache();
    if (v & 2)
        kmem_cache_shrink_all();
    return 0;
}

static void dirty_background_ratio_show(struct task *t, struct seq *s)
{
    (void)t;
    seq_printf(s, "%u\n", vm_sysctl_get(VM_DIRTY_BACKGROUND_RATIO));
}

static int dirty_background_ratio_store(const char *buf, size_t len)
{
    long v;
    int err = parse_int(buf, len, 0, 100, &v);
    if (!err)
        err = vm_sysctl_set(VM_DIRTY_BACKGROUND_RATIO, (unsigned long)v);
    return err;
}

static void dirty_expire_centisecs_show(struct task *t, struct seq *s)
{
    (void)t;
    seq_printf(s, "%u\n", vm_sysctl_get(VM_DIRTY_EXPIRE_CENTISECS));
}

static int dirty_expire_centisecs_store(const char *buf, size_t len)
{
    long v;
    int err = parse_int(buf, len, 0, 0x7fffffff, &v);
    if (!err)
        err = vm_sysctl_set(VM_DIRTY_EXPIRE_CENTISECS, (unsigned long)v);
    return err;
}

static void swaps_file_show(struct task *t, struct seq *s)
{
    (void)t;
    swaps_show(s);
}

static void swappiness_show(struct task *t, struct seq *s)
{
    (void)t;
    seq_printf(s, "%u\n", swap_sysctl_get(VM_SWAPPINESS));
}

static int swappiness_store(const char *buf, size_t len)
{
    long v;
    int err = parse_int(buf, len, 0, 200, &v);
    return err ? err : swap_sysctl_set(VM_SWAPPINESS, (unsigned long)v);
}

static void page_cluster_show(struct task *t, struct seq *s)
{
    (void)t;
    seq_printf(s, "%u\n", swap_sysctl_get(VM_PAGE_CLUSTER));
}

static int page_cluster_store(const char *buf, size_t len)
{
    long v;
    int err = parse_int(buf, len, 0, 31, &v);
    return err ? err : swap_sysctl_set(VM_PAGE_CLUSTER, (unsigned long)v);
}

void proc_buddyinfo_show(struct task *t, struct seq *s)
{
    (void)t;
    buddyinfo_show(s);
}

/* ---- nodes ------------------------------------------------------------------------- */

enum proc_kind {
    PROC_ROOT = NODE_PSEUDO_FIRST,
    PROC_SELF,
    PROC_THREAD_SELF,
    PROC_FILE,    /* num: proc_files index */
    PROC_SYS,     /* /proc/sys */
    PROC_SYS_VM,  /* /proc/sys/vm */
    PROC_SYSCTL,  /* num: sysctl_vm index */
    PROC_PID,     /* /proc/PID */
    PROC_TASKDIR, /* /proc/PID/task */
    PROC_TID,     /* /proc/PID/task/TID: pid is the TID */
    PROC_PIDENT,  /* num: pid_entries index (| PROC_UNDER_TID) */
    PROC_FDDIR,   /* num: PROC_UNDER_TID or 0 */
    PROC_FDLINK,  /* num: the descriptor (| PROC_UNDER_TID) */
};
#define PROC_UNDER_TID 0x10000
#define PROC_DEV makedev(0, 0xfff01) /* st_dev of vmemu's /proc: none of the host's */

static struct path proc_node(const struct path *near, int kind, int pid, int num, mode_t mode)
{
    return (struct path){.mnt = near->mnt,
                         .kind = kind,
                         .fd = -1,
                         .pid = pid,
                         .num = num,
                         .mode = mode,
                         .readonly = false};
}

/* "1000" names pid 1000; "01000", "+1000", "1000x" name nothing, as in Linux. */
static int name_to_int(const char *name)
{
    if (name[0] < '0' || name[0] > '9' || (name[0] == '0' && name[1]))
        return -1;
    long v = 0;
    for (const char *p = name; *p; p++) {
        if (*p < '0' || *p > '9' || v > INT_MAX / 10)
            return -1;
        v = v * 10 + (*p - '0');
    }
    return v > INT_MAX ? -1 : (int)v;
}

/* The task a node belongs to, or NULL when it is gone. */
static struct task *node_task(const struct path *p)
{
    return find_task_by_vpid(p->pid);
}

static int root_lookup(struct task *t, const struct path *dir, const char *name, struct path *out)
{
    if (strcmp(name, "self") == 0)
        *out = proc_node(dir, PROC_SELF, 0, 0, S_IFLNK | 0777);
    else if (strcmp(name, "thread-self") == 0)
        *out = proc_node(dir, PROC_THREAD_SELF, 0, 0, S_IFLNK | 0777);
    else if (strcmp(name, "sys") == 0)
        *out = proc_node(dir, PROC_SYS, 0, 0, S_IFDIR | 0555);
    else {
        for (int i = 0; i < NR_PROC_FILES; i++) {
            if (strcmp(proc_files[i].name, name) == 0) {
                *out = proc_node(dir, PROC_FILE, 0, i, proc_file_mode(i));
                return 0;
            }
        }
        int pid = name_to_int(name);
        if (pid <= 0 || !find_task_by_vpid(pid))
            return -ENOENT;
        *out = proc_node(dir, PROC_PID, pid, 0, S_IFDIR | 0555);
    }
    (void)t;
    return 0;
}

static int sys_lookup(const struct path *dir, const char *name, struct path *out)
{
    if (dir->kind == PROC_SYS) {
        if (strcmp(name, "vm") != 0)
            return -ENOENT;
        *out = proc_node(dir, PROC_SYS_VM, 0, 0, S_IFDIR | 0555);
        return 0;
    }
    for (int i = 0; i < NR_SYSCTL_VM; i++) {
        if (strcmp(sysctl_vm[i].name, name) == 0) {
            *out = proc_node(dir, PROC_SYSCTL, 0, i, S_IFREG | 0644);
            return 0;
        }
    }
    return -ENOENT;
}

/* PID/NAME or PID/task/TID/NAME. */
static int pid_dir_lookup(const struct path *dir, const char *name, struct path *out)
{
    int under = dir->kind == PROC_TID ? PROC_UNDER_TID : 0;
    int i = proc_pid_entry_index(name, under != 0);
    if (i < 0)
        return -ENOENT;
    mode_t mode = proc_pid_entry_mode(i);
    int kind = S_ISDIR(mode) && strcmp(name, "fd") == 0 ? PROC_FDDIR
               : S_ISDIR(mode)                          ? PROC_TASKDIR
                                                        : PROC_PIDENT;
    *out = proc_node(dir, kind, dir->pid, kind == PROC_PIDENT ? i | under : under, mode);
    return 0;
}

static int procfs_lookup(struct task *t, const struct path *dir, const char *name, struct path *out)
{
    if (dir->kind == PROC_ROOT)
        return root_lookup(t, dir, name, out);
    if (dir->kind == PROC_SYS || dir->kind == PROC_SYS_VM)
        return sys_lookup(dir, name, out);
    struct task *owner = node_task(dir);
    if (!owner)
        return -ENOENT; /* the process is gone: its directory is empty */
    int n = name_to_int(name);
    switch (dir->kind) {
    case PROC_PID:
    case PROC_TID:
        return pid_dir_lookup(dir, name, out);
    case PROC_TASKDIR: {
        struct task *th = n > 0 ? find_task_by_vpid(n) : NULL;
        if (!th || th->tgid != owner->tgid)
            return -ENOENT;
        *out = proc_node(dir, PROC_TID, n, 0, S_IFDIR | 0555);
        return 0;
    }
    case PROC_FDDIR:
        if (n < 0 || !fd_get(owner, n))
            return -ENOENT;
        *out =
            proc_node(dir, PROC_FDLINK, dir->pid, n | (dir->num & PROC_UNDER_TID), S_IFLNK | 0700);
        return 0;
    default:
        return -ENOTDIR;
    }
}

static void procfs_parent(const struct path *p, struct path *out)
{
    int under = p->num & PROC_UNDER_TID;
    switch (p->kind) {
    case PROC_SYS_VM:
        *out = proc_node(p, PROC_SYS, 0, 0, S_IFDIR | 0555);
        return;
    case PROC_SYSCTL:
        *out = proc_node(p, PROC_SYS_VM, 0, 0, S_IFDIR | 0555);
        return;
    case PROC_PIDENT:
    case PROC_FDDIR:
    case PROC_TASKDIR:
        *out = proc_node(p, under ? PROC_TID : PROC_PID, p->pid, 0, S_IFDIR | 0555);
        return;
    case PROC_TID: {
        struct task *th = node_task(p);
        *out = proc_node(p, PROC_TASKDIR, th ? th->tgid : p->pid, 0, S_IFDIR | 0555);
        return;
    }
    case PROC_FDLINK:
        *out = proc_node(p, PROC_FDDIR, p->pid, under, S_IFDIR | 0500);
        return;
    default:
        *out = proc_node(p, PROC_ROOT, 0, 0, S_IFDIR | 0555);
        return;
    }
}

static int procfs_get_link(struct task *t, const struct path *p, char *buf, size_t len,
                           struct path *jump)
{
    switch (p->kind) {
    case PROC_SELF:
        snprintf(buf, len, "%d", t->tgid);
        return (int)strlen(buf);
    case PROC_THREAD_SELF:
        snprintf(buf, len, "%d/task/%d", t->tgid, t->pid);
        return (int)strlen(buf);
    case PROC_PIDENT:
    case PROC_FDLINK: {
        struct task *owner = node_task(p);
        if (!owner)
            return -ENOENT;
        int fd = p->kind == PROC_FDLINK ? (p->num & ~PROC_UNDER_TID) : -1;
        int which = p->kind == PROC_PIDENT ? (p->num & ~PROC_UNDER_TID) : -1;
        return proc_pid_get_link(owner, which, fd, buf, len, jump);
    }
    default:
        return -EINVAL;
    }
}

static ino_t node_ino(const struct path *p)
{
    if (p->kind == PROC_ROOT)
        return 1; /* PROC_ROOT_INO */
    return ((ino_t)(p->kind - PROC_ROOT) << 40) | ((ino_t)(unsigned)p->pid << 18) |
           (ino_t)(p->num & 0x3ffff);
}

static void procfs_getattr(const struct path *p, struct stat *st)
{
    bool per_process = p->kind >= PROC_PID;
    pseudo_fill_stat(st, PROC_DEV, node_ino(p), p->mode, per_process ? geteuid() : 0);
    if (S_ISLNK(p->mode))
        st->st_size = 64; /* Linux gives links of /proc a size of 64 */
}

/* ---- reading the files ------------------------------------------------------------- */

static int global_show(struct file *f, struct seq *s)
{
    const struct path *node = pseudo_file_node(f);
    const struct proc_entry *e =
        node->kind == PROC_FILE ? &proc_files[node->num] : &sysctl_vm[node->num];
    e->show(next_task(NULL), s);
    return 0;
}

static long global_read(struct file *f, char *buf, size_t len, uint64_t *pos)
{
    return pseudo_seq_read(f, buf, len, pos, global_show);
}

/* write() on an open sysctl: each call is one value, as in Linux. */
static long sysctl_write(struct file *f, const char *buf, size_t len, uint64_t *pos)
{
    (void)pos;
    const struct path *node = pseudo_file_node(f);
    int err = sysctl_vm[node->num].store(buf, len);
    return err ? err : (long)len;
}

static const struct file_operations global_fops = {
    .read = global_read,
    .llseek = pseudo_llseek,
    .getattr = pseudo_getattr,
    .release = pseudo_file_release,
};

static const struct file_operations sysctl_fops = {
    .read = global_read,
    .write = sysctl_write,
    .llseek = pseudo_llseek,
    .getattr = pseudo_getattr,
    .release = pseudo_file_release,
};

/* A name for the open file, as readlink of /proc/self/fd/N shows it. */
static void node_name(const struct path *p, char *buf, size_t len)
{
    switch (p->kind) {
    case PROC_FILE:
        snprintf(buf, len, "/proc/%s", proc_files[p->num].name);
        return;
    case PROC_SYSCTL:
        snprintf(buf, len, "/proc/sys/vm/%s", sysctl_vm[p->num].name);
        return;
    case PROC_SYS:
        snprintf(buf, len, "/proc/sys");
        return;
    case PROC_SYS_VM:
        snprintf(buf, len, "/proc/sys/vm");
        return;
    case PROC_ROOT:
        snprintf(buf, len, "/proc");
        return;
    case PROC_PIDENT:
        snprintf(buf, len, "/proc/%d/%s", p->pid, proc_pid_entry_name(p->num & ~PROC_UNDER_TID));
        return;
    default:
        snprintf(buf, len, "/proc/%d", p->pid);
        return;
    }
}

static int procfs_open(struct task *t, const struct path *p, int flags, struct file **out)
{
    struct stat st;
    procfs_getattr(p, &st);
    int may = open_flags_to_may(flags);
    int err = pseudo_permission(st.st_mode, st.st_uid, may);
    if (err)
        return err;
    char name[96];
    node_name(p, name, sizeof(name));
    if (S_ISDIR(p->mode))
        return (may & MAY_WRITE) ? -EISDIR
                                 : pseudo_file_open(p, flags, name, &pseudo_dir_fops, out);
    switch (p->kind) {
    case PROC_FILE:
        if (!proc_file_fops(p->num))
            return pseudo_file_open(p, flags, name, &global_fops, out);
        err = kpage_permission(t);
        return err ? err : pseudo_file_open(p, flags, name, proc_file_fops(p->num), out);
    case PROC_SYSCTL:
        return pseudo_file_open(p, flags, name, &sysctl_fops, out);
    case PROC_PIDENT:
        if (!node_task(p))
            return -ENOENT;
        return proc_pid_open(t, p, p->num & ~PROC_UNDER_TID, flags, name, out);
    default:
        return -ENXIO;
    }
}

/* ---- listing ----------------------------------------------------------------------- */

static bool emit_dots(const struct path *dir, struct dir_context *ctx)
{
    struct path up;
    procfs_parent(dir, &up);
    if (ctx->pos <= 0 && !ctx->emit(ctx, ".", node_ino(dir), DT_DIR, 0))
        return false;
    return ctx->pos > 1 ||
           ctx->emit(ctx, "..", dir->kind == PROC_ROOT ? 1 : node_ino(&up), DT_DIR, 1);
}

static void root_iterate(const struct path *dir, struct dir_context *ctx)
{
    uint64_t off = 2;
    for (int i = 0; i < NR_PROC_FILES; i++, off++) {
        struct path p = proc_node(dir, PROC_FILE, 0, i, proc_file_mode(i));
        if (ctx->pos <= off && !ctx->emit(ctx, proc_files[i].name, node_ino(&p), DT_REG, off))
            return;
    }
    static const char *const links[] = {"self", "sys", "thread-self"};
    static const int kinds[] = {PROC_SELF, PROC_SYS, PROC_THREAD_SELF};
    for (int i = 0; i < 3; i++, off++) {
        struct path p = proc_node(dir, kinds[i], 0, 0, 0);
        unsigned char type = kinds[i] == PROC_SYS ? DT_DIR : DT_LNK;
        if (ctx->pos <= off && !ctx->emit(ctx, links[i], node_ino(&p), type, off))
            return;
    }
    /* Processes after the fixed entries, by pid: offset off + pid stays put as others come and go.
     */
    for (struct task *t = next_task(NULL); t; t = next_task(t)) {
        if (t->pid != t->tgid)
            continue; /* threads are listed under their process's task/ */
        char name[16];
        snprintf(name, sizeof(name), "%d", t->pid);
        struct path p = proc_node(dir, PROC_PID, t->pid, 0, S_IFDIR | 0555);
        if (ctx->pos <= off + (uint64_t)t->pid &&
            !ctx->emit(ctx, name, node_ino(&p), DT_DIR, off + (uint64_t)t->pid))
            return;
    }
}

static void numbered_iterate(const struct path *dir, struct dir_context *ctx)
{
    struct task *owner = node_task(dir);
    if (!owner)
        return;
    if (dir->kind == PROC_TASKDIR) {
        for (struct task *t = next_task(NULL); t; t = next_task(t)) {
            char name[16];
            snprintf(name, sizeof(name), "%d", t->pid);
            struct path p = proc_node(dir, PROC_TID, t->pid, 0, S_IFDIR | 0555);
            if (t->tgid == owner->tgid && ctx->pos <= 2 + (uint64_t)t->pid &&
                !ctx->emit(ctx, name, node_ino(&p), DT_DIR, 2 + (uint64_t)t->pid))
                return;
        }
        return;
    }
    for (int fd = 0; fd < NR_OPEN; fd++) {
        if (!fd_get(owner, fd) || ctx->pos > 2 + (uint64_t)fd)
            continue;
        char name[16];
        snprintf(name, sizeof(name), "%d", fd);
        struct path p = proc_node(dir, PROC_FDLINK, dir->pid, fd | (dir->num & PROC_UNDER_TID), 0);
        if (!ctx->emit(ctx, name, node_ino(&p), DT_LNK, 2 + (uint64_t)fd))
            return;
    }
}

static void procfs_iterate(const struct path *dir, struct dir_context *ctx)
{
    if (!emit_dots(dir, ctx))
        return;
    switch (dir->kind) {
    case PROC_ROOT:
        root_iterate(dir, ctx);
        return;
    case PROC_SYS:
        if (ctx->pos <= 2) {
            struct path p = proc_node(dir, PROC_SYS_VM, 0, 0, 0);
            ctx->emit(ctx, "vm", node_ino(&p), DT_DIR, 2);
        }
        return;
    case PROC_SYS_VM:
        for (int i = 0; i < NR_SYSCTL_VM; i++) {
            struct path p = proc_node(dir, PROC_SYSCTL, 0, i, 0);
            if (ctx->pos <= 2 + (uint64_t)i &&
                !ctx->emit(ctx, sysctl_vm[i].name, node_ino(&p), DT_REG, 2 + (uint64_t)i))
                return;
        }
        return;
    case PROC_PID:
    case PROC_TID: {
        if (!node_task(dir))
            return;
        int under = dir->kind == PROC_TID ? PROC_UNDER_TID : 0;
        for (int i = 0; proc_pid_entry_name(i); i++) {
            if (under && proc_pid_entry_index(proc_pid_entry_name(i), true) < 0)
                continue;
            struct path p = proc_node(dir, PROC_PIDENT, dir->pid, i | under, 0);
            if (ctx->pos <= 2 + (uint64_t)i &&
                !ctx->emit(ctx, proc_pid_entry_name(i), node_ino(&p),
                           mode_to_dtype(proc_pid_entry_mode(i)), 2 + (uint64_t)i))
                return;
        }
        return;
    }
    default:
        numbered_iterate(dir, ctx);
        return;
    }
}

static void procfs_statfs(struct statfs *st)
{
    memset(st, 0, sizeof(*st));
    st->f_type = PROC_SUPER_MAGIC;
    st->f_bsize = 4096;
    st->f_frsize = 4096;
    st->f_namelen = 255;
    st->f_flags = ST_NOSUID | ST_NODEV | ST_NOEXEC | ST_RELATIME;
}

const struct pseudo_ops procfs_ops = {
    .lookup = procfs_lookup,
    .parent = procfs_parent,
    .get_link = procfs_get_link,
    .getattr = procfs_getattr,
    .open = procfs_open,
    .iterate = procfs_iterate,
    .statfs = procfs_statfs,
    .enoent_create = -EACCES,
};

/* ---- --report ---------------------------------------------------------------------- */

bool procfs_has(const char *name)
{
    if (strncmp(name, "self/", 5) == 0)
        return proc_pid_show_by_name(NULL, name + 5, NULL);
    for (int i = 0; i < NR_PROC_FILES; i++)
        if (proc_files[i].show && strcmp(proc_files[i].name, name) == 0)
            return true;
    return false;
}

bool procfs_show(struct task *t, const char *name, struct seq *s)
{
    if (strncmp(name, "self/", 5) == 0)
        return proc_pid_show_by_name(t, name + 5, s);
    for (int i = 0; i < NR_PROC_FILES; i++) {
        if (proc_files[i].show && strcmp(proc_files[i].name, name) == 0) {
            proc_files[i].show(t, s);
            return true;
        }
    }
    return false;
}
