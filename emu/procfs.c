/*
 * The /proc files vmemu serves. Each is a show function over the task's
 * state; opening one renders it into an anonymous host file, so the guest
 * reads it with ordinary read() calls like any other file.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "emu/proc_mem.h"
#include "emu/procfs.h"
#include "emu/task.h"
#include "mm/fs.h"
#include "mm/seq.h"

/* Per-process files are named "self/NAME", system-wide ones "NAME". */
struct proc_entry {
    const char *name;
    proc_show_fn show;
};

void proc_buddyinfo_show(struct task *t, struct seq *s);
void proc_maps_show(struct task *t, struct seq *s);  /* proc_maps.c */
void proc_smaps_show(struct task *t, struct seq *s); /* proc_maps.c */

static const struct proc_entry proc_entries[] = {
    {"buddyinfo", proc_buddyinfo_show},
    {"self/maps", proc_maps_show},
    {"self/smaps", proc_smaps_show},
    /* The memory reports: proc_mem.c. */
    {"meminfo", proc_meminfo_show},
    {"slabinfo", proc_slabinfo_show},
    {"vmstat", proc_vmstat_show},
    {"zoneinfo", proc_zoneinfo_show},
    {"self/stat", proc_pid_stat_show},
    {"self/status", proc_pid_status_show},
};

void proc_buddyinfo_show(struct task *t, struct seq *s)
{
    (void)t;
    buddyinfo_show(s);
}

static const struct proc_entry *find_entry(const char *name)
{
    for (size_t i = 0; i < sizeof(proc_entries) / sizeof(proc_entries[0]); i++)
        if (strcmp(proc_entries[i].name, name) == 0)
            return &proc_entries[i];
    return NULL;
}

/* "/proc/self/maps", "/proc/1000/maps", "/proc/thread-self/maps" -> "self/maps". */
static bool proc_name(const char *path, char *name, size_t len, bool *per_process)
{
    static const char *const selves[] = {"/proc/self/", "/proc/thread-self/", "/proc/1000/"};
    *per_process = false;
    for (size_t i = 0; i < sizeof(selves) / sizeof(selves[0]); i++) {
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
    if ((flags & O_ACCMODE) != O_RDONLY) {
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
    return f;
}
