/*
 * The /proc files vmemu serves. Each is a show function over the task's
 * state; opening one renders it into an anonymous host file, so the guest
 * reads it with ordinary read() calls like any other file. A few sysctls
 * under /proc/sys/vm are writable too: they have a store function, which
 * each write() to the open file calls with what was written, as Linux's
 * proc_sys handlers parse every write on its own.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "emu/fs/proc_mem.h"
#include "emu/fs/procfs.h"
#include "emu/kernel/task.h"
#include "mm/array_size.h"
#include "mm/fs.h"
#include "mm/pagemap.h"
#include "mm/seq.h"
#include "mm/slab.h"
#include "mm/writeback.h"

/* Per-process files are named "self/NAME", system-wide ones "NAME". */
struct proc_entry {
    const char *name;
    proc_show_fn show;
    /* Writable entries: take what the guest wrote; 0 or -errno. */
    int (*store)(const char *buf, size_t len);
};

static void drop_caches_show(struct task *t, struct seq *s);
static int drop_caches_store(const char *buf, size_t len);
static void dirty_background_ratio_show(struct task *t, struct seq *s);
static int dirty_background_ratio_store(const char *buf, size_t len);
static void dirty_expire_centisecs_show(struct task *t, struct seq *s);
static int dirty_expire_centisecs_store(const char *buf, size_t len);

void proc_buddyinfo_show(struct task *t, struct seq *s);
void proc_maps_show(struct task *t, struct seq *s);  /* proc_maps.c */
void proc_smaps_show(struct task *t, struct seq *s); /* proc_maps.c */

static const struct proc_entry proc_entries[] = {
    {"buddyinfo", proc_buddyinfo_show, NULL},
    {"self/maps", proc_maps_show, NULL},
    {"self/smaps", proc_smaps_show, NULL},
    /* The memory reports: proc_mem.c. */
    {"meminfo", proc_meminfo_show, NULL},
    {"slabinfo", proc_slabinfo_show, NULL},
    {"vmstat", proc_vmstat_show, NULL},
    {"zoneinfo", proc_zoneinfo_show, NULL},
    {"self/stat", proc_pid_stat_show, NULL},
    {"self/status", proc_pid_status_show, NULL},
    /* The page cache's sysctls. */
    {"sys/vm/drop_caches", drop_caches_show, drop_caches_store},
    {"sys/vm/dirty_background_ratio", dirty_background_ratio_show, dirty_background_ratio_store},
    {"sys/vm/dirty_expire_centisecs", dirty_expire_centisecs_show, dirty_expire_centisecs_store},
};

/* ---- /proc/sys/vm ---------------------------------------------------------------- */

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

/* write() on an open writable entry: each call is one value, as in Linux. */
static long proc_sys_write(struct file *f, const char *buf, size_t len)
{
    const struct proc_entry *e = f->private_data;
    int err = e->store(buf, len);
    return err ? err : (long)len;
}

static const struct file_operations proc_sys_fops = {.write = proc_sys_write};

void proc_buddyinfo_show(struct task *t, struct seq *s)
{
    (void)t;
    buddyinfo_show(s);
}

static const struct proc_entry *find_entry(const char *name)
{
    for (size_t i = 0; i < ARRAY_SIZE(proc_entries); i++)
        if (strcmp(proc_entries[i].name, name) == 0)
            return &proc_entries[i];
    return NULL;
}

/* "/proc/self/maps", "/proc/1000/maps", "/proc/thread-self/maps" -> "self/maps". */
static bool proc_name(const char *path, char *name, size_t len, bool *per_process)
{
    static const char *const selves[] = {"/proc/self/", "/proc/thread-self/", "/proc/1000/"};
    *per_process = false;
    for (size_t i = 0; i < ARRAY_SIZE(selves); i++) {
        size_t n = strlen(selves[i]);
        if (strncmp(path, selves[i], n) == 0) {
            *per_process = true;
            snprintf(name, len, "self/%s", path + n);
            return true;
        }
    }
    if (strncmp(path, "/proc/", 6) != 0)
        return false;
    snprintf(name, len, "%s", path + 6);
    return true;
}

bool procfs_has(const char *name)
{
    return find_entry(name) != NULL;
}

bool procfs_show(struct task *t, const char *name, struct seq *s)
{
    const struct proc_entry *e = find_entry(name);
    if (!e)
        return false;
    e->show(t, s);
    return true;
}

/* Put the rendered text in an anonymous host file and open it for the guest. */
static struct file *snapshot_file(const char *path, const struct seq *s, int *err)
{
    int fd = memfd_create("vmemu-proc", MFD_CLOEXEC);
    if (fd < 0) {
        *err = -errno;
        return NULL;
    }
    size_t done = 0;
    while (done < s->len) {
        ssize_t n = write(fd, s->buf + done, s->len - done);
        if (n < 0) {
            *err = -errno;
            close(fd);
            return NULL;
        }
        done += (size_t)n;
    }
    struct file *f = file_from_host_fd(fd, path, err);
    close(fd);
    if (f) {
        f->f_flags = O_RDONLY;
        f->f_pos_shared = false; /* the snapshot is the guest's alone */
    }
    return f;
}

struct file *procfs_open(struct task *t, const char *path, int flags, int *err)
{
    char name[256];
    bool per_process;
    *err = 0;
    if (!proc_name(path, name, sizeof(name), &per_process))
        return NULL;
    const struct proc_entry *e = find_entry(name);
    if (!e) {
        /* Never show the host process's own /proc/self files as the guest's. */
        if (per_process)
            *err = -ENOENT;
        return NULL;
    }
    bool writing = (flags & O_ACCMODE) != O_RDONLY;
    /* Writable entries are root's, as their 0644 modes make them in Linux. */
    if (writing && (!e->store || geteuid() != 0)) {
        *err = -EACCES;
        return NULL;
    }
    struct seq s;
    seq_init(&s);
    e->show(t, &s);
    struct file *f = s.overflow ? NULL : snapshot_file(path, &s, err);
    if (s.overflow)
        *err = -ENOMEM;
    seq_free(&s);
    if (f && writing) {
        f->f_flags = (unsigned int)(flags & O_ACCMODE);
        f->f_op = &proc_sys_fops;
        f->private_data = (void *)e;
    }
    return f;
}
