/*
 * The entries of /proc/PID: generated files (cmdline, comm, environ, maps,
 * oom_score, oom_score_adj, smaps, smaps_rollup, stat, statm, status), the guest's
 * memory (mem), its page tables (pagemap, and clear_refs to reset their
 * accessed and soft-dirty bits), and the magic links (exe, cwd, root,
 * fd/N) that lead to the process's own objects.
 * The process is looked up again at every access: once it is gone, reads
 * fail with ESRCH and links with ENOENT.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "emu/fs/fs_struct.h"
#include "emu/fs/proc_mem.h"
#include "emu/fs/procfs.h"
#include "emu/fs/pseudo.h"
#include "emu/fs/vfs.h"
#include "emu/kernel/oom.h"
#include "emu/kernel/task.h"
#include "emu/trace/trace.h"
#include "mm/fs.h"
#include "mm/mmap.h"
#include "mm/oom.h"
#include "mm/seq.h"
#include "mm/task_mmu.h"
#include "mm/uaccess.h"

void proc_maps_show(struct task *t, struct seq *s);         /* proc_maps.c */
void proc_smaps_show(struct task *t, struct seq *s);        /* proc_maps.c */
void proc_smaps_rollup_show(struct task *t, struct seq *s); /* proc_maps.c */
static void cmdline_show(struct task *t, struct seq *s);
static void environ_show(struct task *t, struct seq *s);
static void comm_show(struct task *t, struct seq *s);
static int comm_store(struct task *t, const char *buf, size_t len);
static void statm_show(struct task *t, struct seq *s);
static int clear_refs_store(struct task *t, const char *buf, size_t len);
static void oom_score_show(struct task *t, struct seq *s);
static void oom_score_adj_show(struct task *t, struct seq *s);
static int oom_score_adj_store(struct task *t, const char *buf, size_t len);

enum { LINK_NONE, LINK_EXE, LINK_CWD, LINK_ROOT };
enum { FOPS_TEXT, FOPS_MAPS, FOPS_MEM, FOPS_PAGEMAP };

struct pid_entry {
    const char *name;
    mode_t mode;
    proc_show_fn show;
    int (*store)(struct task *t, const char *buf, size_t len);
    int link;
    int fops; /* FOPS_TEXT: generated text (show) and store; the others their own */
    bool not_under_tid;
};

/* In name order, as a listing shows them. */
static const struct pid_entry pid_entries[] = {
    {"clear_refs", S_IFREG | 0200, NULL, clear_refs_store, LINK_NONE, FOPS_TEXT, false},
    {"cmdline", S_IFREG | 0444, cmdline_show, NULL, LINK_NONE, FOPS_TEXT, false},
    {"comm", S_IFREG | 0644, comm_show, comm_store, LINK_NONE, FOPS_TEXT, false},
    {"cwd", S_IFLNK | 0777, NULL, NULL, LINK_CWD, FOPS_TEXT, false},
    {"environ", S_IFREG | 0400, environ_show, NULL, LINK_NONE, FOPS_TEXT, false},
    {"exe", S_IFLNK | 0777, NULL, NULL, LINK_EXE, FOPS_TEXT, false},
    {"fd", S_IFDIR | 0500, NULL, NULL, LINK_NONE, FOPS_TEXT, false},
    {"maps", S_IFREG | 0444, proc_maps_show, NULL, LINK_NONE, FOPS_MAPS, false},
    {"mem", S_IFREG | 0600, NULL, NULL, LINK_NONE, FOPS_MEM, false},
    {"pagemap", S_IFREG | 0400, NULL, NULL, LINK_NONE, FOPS_PAGEMAP, false},
    {"oom_score", S_IFREG | 0444, oom_score_show, NULL, LINK_NONE, FOPS_TEXT, false},
    {"oom_score_adj", S_IFREG | 0644, oom_score_adj_show, oom_score_adj_store, LINK_NONE, FOPS_TEXT,
     false},
    {"root", S_IFLNK | 0777, NULL, NULL, LINK_ROOT, FOPS_TEXT, false},
    {"smaps", S_IFREG | 0444, proc_smaps_show, NULL, LINK_NONE, FOPS_TEXT, false},
    {"smaps_rollup", S_IFREG | 0444, proc_smaps_rollup_show, NULL, LINK_NONE, FOPS_TEXT, false},
    {"stat", S_IFREG | 0444, proc_pid_stat_show, NULL, LINK_NONE, FOPS_TEXT, false},
    {"statm", S_IFREG | 0444, statm_show, NULL, LINK_NONE, FOPS_TEXT, false},
    {"status", S_IFREG | 0444, proc_pid_status_show, NULL, LINK_NONE, FOPS_TEXT, false},
    {"task", S_IFDIR | 0555, NULL, NULL, LINK_NONE, FOPS_TEXT, true},
};
#define NR_PID_ENTRIES (int)(sizeof(pid_entries) / sizeof(pid_entries[0]))

int proc_pid_entry_index(const char *name, bool under_tid)
{
    for (int i = 0; i < NR_PID_ENTRIES; i++)
        if (strcmp(pid_entries[i].name, name) == 0)
            return under_tid && pid_entries[i].not_under_tid ? -1 : i;
    return -1;
}

const char *proc_pid_entry_name(int i)
{
    return i >= 0 && i < NR_PID_ENTRIES ? pid_entries[i].name : NULL;
}

mode_t proc_pid_entry_mode(int i)
{
    return pid_entries[i].mode;
}

/* ---- the generated files ----------------------------------------------------------- */

/* Bytes [start, end) of the process's memory, as far as they can be read. */
static void show_user_range(struct task *t, struct seq *s, unsigned long start, unsigned long end)
{
    char buf[4096];
    while (start < end) {
        size_t n = end - start < sizeof(buf) ? (size_t)(end - start) : sizeof(buf);
        size_t got = n - copy_from_user(t->mm, buf, start, n);
        if (got == 0)
            return;
        seq_write(s, buf, got);
        start += got;
    }
}

/*
 * The arguments. A program that overwrote the NUL ending them (setproctitle)
 * gets its new title: the text from arg_start up to its first NUL, within
 * a page, as Linux's get_mm_proctitle.
 */
static void cmdline_show(struct task *t, struct seq *s)
{
    const struct mm_struct *mm = t->mm;
    char last = 0;
    if (!mm || mm->arg_end <= mm->arg_start)
        return;
    if (copy_from_user(t->mm, &last, mm->arg_end - 1, 1) == 0 && last == 0) {
        show_user_range(t, s, mm->arg_start, mm->arg_end);
        return;
    }
    char page[4096];
    unsigned long end = mm->env_end > mm->arg_start ? mm->env_end : mm->arg_end;
    size_t n = end - mm->arg_start < sizeof(page) ? (size_t)(end - mm->arg_start) : sizeof(page);
    size_t got = n - copy_from_user(t->mm, page, mm->arg_start, n);
    size_t len = strnlen(page, got);
    seq_write(s, page, len < got ? len + 1 : len);
}

static void environ_show(struct task *t, struct seq *s)
{
    if (t->mm)
        show_user_range(t, s, t->mm->env_start, t->mm->env_end);
}

static void comm_show(struct task *t, struct seq *s)
{
    seq_printf(s, "%s\n", t->comm);
}

/* Writing comm renames the task, as prctl(PR_SET_NAME): at most 15 bytes, a newline ends it. */
static int comm_store(struct task *t, const char *buf, size_t len)
{
    size_t n = len < sizeof(t->comm) - 1 ? len : sizeof(t->comm) - 1;
    const char *nl = memchr(buf, '\n', n);
    if (nl)
        n = (size_t)(nl - buf);
    memcpy(t->comm, buf, n);
    t->comm[n] = '\0';
    trace_rename(t->tracer, t, t->comm);
    return 0;
}

/* Linux's task_statm: size resident shared text lib data dt, in pages. */
static void statm_show(struct task *t, struct seq *s)
{
    const struct mm_struct *mm = t->mm;
    unsigned long shared = mm->rss[MM_FILEPAGES] + mm->rss[MM_SHMEMPAGES];
    unsigned long text = (PAGE_ALIGN(mm->end_code) - (mm->start_code & PAGE_MASK)) >> PAGE_SHIFT;
    unsigned long resident = shared + mm->rss[MM_ANONPAGES];
    seq_printf(s, "%lu %lu %lu %lu 0 %lu 0\n", mm->total_vm, resident, shared, text,
               mm->data_vm + mm->stack_vm);
}

/* The OOM killer's badness of the process, on /proc's [0, 2000] scale (0 without an mm). */
static void oom_score_show(struct task *t, struct seq *s)
{
    struct oom_task o;
    seq_printf(s, "%ld\n", oom_task_of(t->group_leader, &o) ? oom_score(&o) : 0L);
}

static void oom_score_adj_show(struct task *t, struct seq *s)
{
    seq_printf(s, "%d\n", t->signal->oom_score_adj);
}

/* One integer in [-1000, 1000], for the whole process (signal_struct), as Linux keeps it. */
static int oom_score_adj_store(struct task *t, const char *buf, size_t len)
{
    char tmp[32];
    if (len >= sizeof(tmp))
        return -EINVAL;
    memcpy(tmp, buf, len);
    tmp[len] = '\0';
    char *end;
    long v = strtol(tmp, &end, 10);
    while (*end == ' ' || *end == '\n')
        end++;
    if (end == tmp || *end || v < OOM_SCORE_ADJ_MIN || v > OOM_SCORE_ADJ_MAX)
        return -EINVAL;
    t->signal->oom_score_adj = (int)v;
    return 0;
}

/* ---- open files -------------------------------------------------------------------- */

static const struct pid_entry *file_entry(struct file *f, struct task **owner)
{
    const struct path *node = pseudo_file_node(f);
    *owner = find_task_by_vpid(node->pid);
    return &pid_entries[node->num & 0xffff];
}

static int pid_show(struct file *f, struct seq *s)
{
    struct task *owner;
    const struct pid_entry *e = file_entry(f, &owner);
    if (!owner)
        return -ESRCH;
    if (!e->show)
        return -EINVAL; /* clear_refs: write-only, as its missing read operation says */
    e->show(owner, s);
    return 0;
}

static long pid_read(struct file *f, char *buf, size_t len, uint64_t *pos)
{
    return pseudo_seq_read(f, buf, len, pos, pid_show);
}

static long pid_write(struct file *f, const char *buf, size_t len, uint64_t *pos)
{
    (void)pos;
    struct task *owner;
    const struct pid_entry *e = file_entry(f, &owner);
    if (!e->store)
        return -EINVAL;
    if (!owner)
        return -ESRCH;
    int err = e->store(owner, buf, len);
    return err ? err : (long)len;
}

static const struct file_operations pid_fops = {
    .read = pid_read,
    .write = pid_write,
    .llseek = pseudo_llseek,
    .getattr = pseudo_getattr,
    .release = pseudo_file_release,
};

/* maps: the text, and the PROCMAP_QUERY ioctl (proc_procmap.c). */
static const struct file_operations maps_fops = {
    .read = pid_read,
    .llseek = pseudo_llseek,
    .getattr = pseudo_getattr,
    .ioctl = procmap_ioctl,
    .release = pseudo_file_release,
};

/*
 * /proc/PID/mem: the process's address space through its page tables, as
 * the kernel's access_remote_vm: what no mapping allows, or a page past the
 * end of its file, ends the transfer; nothing transferred is EIO. Like Linux
 * with proc_mem.force_override=never, a mapping's protection is obeyed.
 */
static long mem_rw(struct file *f, char *buf, size_t len, uint64_t *pos, bool write)
{
    struct task *owner;
    file_entry(f, &owner);
    if (!owner || !owner->mm || owner->state >= TASK_ZOMBIE)
        return 0; /* the address space is gone: nothing to read, as Linux */
    uint64_t addr = *pos;
    size_t done = 0;
    while (done < len) {
        size_t chunk = PAGE_SIZE - (addr & ~PAGE_MASK);
        chunk = chunk < len - done ? chunk : len - done;
        size_t left = write ? copy_to_user(owner->mm, addr, buf + done, chunk)
                            : copy_from_user(owner->mm, buf + done, addr, chunk);
        done += chunk - left;
        addr += chunk - left;
        if (left)
            break;
    }
    if (done == 0)
        return -EIO;
    *pos = addr;
    return (long)done;
}

static long mem_read(struct file *f, char *buf, size_t len, uint64_t *pos)
{
    return mem_rw(f, buf, len, pos, false);
}

static long mem_write(struct file *f, const char *buf, size_t len, uint64_t *pos)
{
    return mem_rw(f, (char *)buf, len, pos, true);
}

/* mem_lseek: any offset is an address (unsigned); there is no end. */
int64_t proc_mem_llseek(struct file *f, int64_t off, int whence)
{
    switch (whence) {
    case SEEK_SET:
        f->f_pos = (uint64_t)off;
        break;
    case SEEK_CUR:
        f->f_pos += (uint64_t)off;
        break;
    default:
        return -EINVAL;
    }
    return (int64_t)f->f_pos;
}

static const struct file_operations mem_fops = {
    .read = mem_read,
    .write = mem_write,
    .llseek = proc_mem_llseek,
    .getattr = pseudo_getattr,
    .release = pseudo_file_release,
};

/*
 * /proc/PID/pagemap: 8 bytes per virtual page, from offset vpn * 8 (mm/task_mmu.h
 * has the format); offsets and lengths not multiples of 8 are EINVAL, the
 * end of the user address space ends the file. Frames are shown only if
 * the opener had CAP_SYS_ADMIN, as Linux decides at open.
 */
static long pagemap_read(struct file *f, char *buf, size_t len, uint64_t *pos)
{
    struct task *owner;
    file_entry(f, &owner);
    if (*pos % 8 || len % 8)
        return -EINVAL;
    if (!owner || !owner->mm || owner->state >= TASK_ZOMBIE)
        return 0;
    const struct pseudo_file *pf = f->private_data;
    uint64_t entries[512];
    size_t done = 0;
    while (done < len) {
        size_t want = (len - done) / 8 < 512 ? (len - done) / 8 : 512;
        size_t n = pagemap_entries(owner->mm, (*pos + done) / 8, entries, want, pf->opener_admin);
        memcpy(buf + done, entries, n * 8); /* buf need not be aligned for 8 bytes */
        done += n * 8;
        if (n < want)
            break;
    }
    *pos += done;
    return (long)done;
}

static const struct file_operations pagemap_fops = {
    .read = pagemap_read,
    .llseek = proc_mem_llseek,
    .getattr = pseudo_getattr,
    .release = pseudo_file_release,
};

/*
 * clear_refs: a decimal 1 to 5 (spaces and a newline around it allowed, as
 * kstrtoint after strstrip): mm/task_mmu.h says what each clears; anything
 * else is EINVAL, a number too large ERANGE.
 */
static int clear_refs_store(struct task *t, const char *buf, size_t len)
{
    char text[16] = {0};
    memcpy(text, buf, len < sizeof(text) - 1 ? len : sizeof(text) - 1);
    char *p = text, *end;
    while (*p == ' ' || (*p >= '\t' && *p <= '\r'))
        p++;
    errno = 0;
    long v = strtol(p, &end, 10);
    if (end == p || (*p != '+' && *p != '-' && (*p < '0' || *p > '9')))
        return -EINVAL;
    while (*end == ' ' || (*end >= '\t' && *end <= '\r'))
        end++;
    if (*end)
        return -EINVAL;
    if (errno == ERANGE || v > INT_MAX || v < INT_MIN)
        return -ERANGE;
    if (v < CLEAR_REFS_ALL || v > CLEAR_REFS_MM_HIWATER_RSS)
        return -EINVAL;
    if (t->mm)
        clear_refs(t->mm, (enum clear_refs_type)v);
    return 0;
}

int proc_pid_open(struct task *t, const struct path *p, int which, int flags, const char *name,
                  struct file **out)
{
    const struct pid_entry *e = &pid_entries[which];
    if (e->link != LINK_NONE)
        return -ELOOP; /* a link is followed, not opened */
    const struct file_operations *op = e->fops == FOPS_MEM       ? &mem_fops
                                       : e->fops == FOPS_PAGEMAP ? &pagemap_fops
                                       : e->fops == FOPS_MAPS    ? &maps_fops
                                                                 : &pid_fops;
    int err = pseudo_file_open(p, flags, name, op, out);
    if (!err && e->fops == FOPS_PAGEMAP)
        ((struct pseudo_file *)(*out)->private_data)->opener_admin =
            cred_capable(&t->cred, CAP_SYS_ADMIN);
    return err;
}

/* ---- the magic links --------------------------------------------------------------- */

/* The name of an open file as the process's fd/N and exe show it. */
static int file_link_text(struct file *f, char *buf, size_t len)
{
    struct stat st;
    const char *deleted = "";
    if ((f->f_host_fd >= 0 && S_ISREG(f->f_mode) && fstat(f->f_host_fd, &st) == 0 &&
         st.st_nlink == 0) ||
        vma_file_is_shmem(f))
        deleted = " (deleted)"; /* a memfd is a shmem file with no name in any directory */
    const char *inherited = inherited_file_name(f);
    snprintf(buf, len, "%s%s", inherited ? inherited : f->f_path ? f->f_path : "", deleted);
    return (int)strlen(buf);
}

/* Where a link to the open file f leads: its directory, or the open file itself. */
static int file_jump(struct file *f, struct path *jump)
{
    if (S_ISDIR(f->f_mode) || pseudo_file_node(f))
        return path_of_file(f, jump);
    *jump = (struct path){.mnt = f->f_mnt ? f->f_mnt : root_mnt,
                          .kind = NODE_FILE,
                          .fd = -1,
                          .file = get_file(f),
                          .mode = f->f_mode};
    return 0;
}

int proc_pid_get_link(struct task *owner, int which, int fd, char *buf, size_t len,
                      struct path *jump)
{
    struct fs_struct *fs = owner->fs;
    struct file *f = NULL;
    int n;
    if (fd >= 0) {
        f = fd_get(owner, fd);
    } else if (pid_entries[which].link == LINK_EXE) {
        f = owner->exe_file;
    } else if (fs) {
        bool cwd = pid_entries[which].link == LINK_CWD;
        n = snprintf(buf, len, "%s", cwd ? fs->pwd_name : "/");
        int err = jump ? path_copy(cwd ? &fs->pwd : &fs->root, jump) : 0;
        return err ? err : n;
    }
    if (!f)
        return -ENOENT;
    n = file_link_text(f, buf, len);
    if (jump) {
        int err = file_jump(f, jump);
        if (err)
            return err;
    }
    return n;
}

bool proc_pid_show_by_name(struct task *t, const char *name, struct seq *s)
{
    int i = proc_pid_entry_index(name, false);
    if (i < 0 || !pid_entries[i].show)
        return false;
    if (s)
        pid_entries[i].show(t, s);
    return true;
}
