/*
 * execve and execveat: replace the calling task's program.
 *
 * Up to the point of no return (the new image loaded into a fresh mm)
 * every failure leaves the caller as it was, with the errno Linux gives.
 * After it, the old mm is dropped (waking a vfork parent), other threads
 * end, shared descriptor tables and signal actions are unshared,
 * close-on-exec descriptors close, caught signals go back to their default
 * action, and the registers are those of a new program.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "emu/cpu.h"
#include "emu/fs/fdtable.h"
#include "emu/fs/namei.h"
#include "emu/fs/open.h"
#include "emu/kernel/exec.h"
#include "emu/kernel/exit.h"
#include "emu/kernel/fork.h"
#include "emu/kernel/sched.h"
#include "emu/kernel/signal.h"
#include "emu/kernel/task.h"
#include "emu/kernel/vdso.h"
#include "emu/trace/trace.h"
#include "loader/elf.h"
#include "mm/fs.h"
#include "mm/mmap.h"
#include "mm/uaccess.h"
#include "mm/vma_tree.h"

#define BINPRM_BUF_SIZE 256
#define MAX_INTERP_DEPTH 4 /* Linux's BINPRM_MAX_RECURSION */
#define MAX_ARG_STRINGS 0x7FFFFFFF
#define MAX_ARG_STRLEN (32UL * 4096)

/* The vma tree every new mm uses: the one the run was started with. */
static const struct vma_tree_ops *exec_vma_ops(struct task *t)
{
    return t->mm ? t->mm->vma_ops : vma_tree_ops_by_name(t->opts->vma_tree);
}

static void set_comm(struct task *t, const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    snprintf(t->comm, sizeof(t->comm), "%s", base);
}

/*
 * Other threads of the process end before the new program starts; a
 * thread that is not the leader takes the leader's place and pid, as
 * Linux's de_thread does, so the process keeps its pid across exec.
 */
static void de_thread(struct task *t)
{
    struct task *leader = t->group_leader;
    /* do_exit may release the task (and reap others): look again from the start each time. */
    for (struct task *u = next_task(NULL); u;) {
        if (u != t && u->signal == t->signal && u->state != TASK_ZOMBIE && u->state != TASK_DEAD) {
            do_exit(u, SIGKILL);
            u = next_task(NULL);
        } else {
            u = next_task(u);
        }
    }
    if (leader == t)
        return;
    take_over_leader(t, leader);
}

/* Past the point of no return: t becomes the new program. */
static int exec_commit(struct task *t, struct mm_struct *mm, struct file *file, const char *comm,
                       const struct exec_result *res)
{
    de_thread(t);
    mm_release(t);
    struct mm_struct *old = t->mm;
    t->mm = mm;
    cpu_switch_mm(t->cpu, mm);
    if (old) {
        t->mm = old;
        task_account_mm(t);
        t->mm = mm;
        mmput(old);
    }
    memset(&t->signal->mm_base, 0, sizeof(t->signal->mm_base));
    unshare_files_for_exec(t);
    if (t->sighand->count > 1) {
        struct sighand_struct *sh = sighand_alloc();
        if (sh) {
            memcpy(sh->action, t->sighand->action, sizeof(sh->action)); /* not the queue */
            sighand_put(t->sighand);
            t->sighand = sh;
        }
    }
    flush_signal_handlers(t);
    if (t->exe_file)
        fput(t->exe_file);
    t->exe_file = get_file(file);
    set_comm(t, comm);
    cap_bprm_apply(&t->cred);
    task_set_mm_limits(t);
    t->robust_list = t->set_child_tid = 0;
    t->restart.armed = false;
    cpu_start_thread(t->cpu, res->entry, res->sp);
    t->resume_ip = res->entry;
    t->regs_set = true;
    return 0;
}

/* The loader's way to a program's interpreter: execve's own open, in t's namespace. */
static struct file *open_interp(void *ctx, const char *path, int *err)
{
    struct file *f = NULL;
    const char *why = NULL;
    *err = open_exec(ctx, GUEST_AT_FDCWD, path, 0, &f, &why);
    return *err ? NULL : f;
}

/* Load an ELF file (opened and checked by open_exec) into a fresh mm and commit to it. */
static int exec_binary(struct task *t, struct file *file, const char *comm, const char *execfn,
                       char *const argv[], char *const envp[], char *err, size_t errlen)
{
    struct mm_struct *mm = mm_alloc(exec_vma_ops(t));
    if (!mm)
        return -ENOMEM;
    mm->observer = task_mm_observer(t);
    mm_set_task_limits(mm, t);
    if (t->mm)
        mm_inherit_flags(mm, t->mm);
    struct exec_params p = {.path = file->f_path,
                            .file = file,
                            .open_interp = open_interp,
                            .open_ctx = t,
                            .vdso = {NULL},
                            .execfn = execfn,
                            .argv = argv,
                            .envp = envp,
                            .uid = t->cred.uid,
                            .gid = t->cred.gid};
    vdso_parts(p.vdso);
    for (int i = 0; i < 16; i += 8) {
        uint64_t r = kernel_random();
        memcpy(p.random + i, &r, 8);
    }
    struct exec_result res;
    const char *was = t->in_syscall;
    t->in_syscall = "execve"; /* the loader's faults happen inside execve */
    struct mm_struct *walking = t->mm;
    cpu_switch_mm(t->cpu, mm); /* the loader's faults are the new mm's */
    int loaded = load_elf_binary(mm, &p, &res, err, errlen);
    int e = errno;
    cpu_switch_mm(t->cpu, walking);
    t->in_syscall = was;
    if (loaded != 0) {
        mmput(mm);
        return -(e ? e : ENOEXEC);
    }
    int r = exec_commit(t, mm, file, comm, &res);
    if (r)
        mmput(mm);
    return r;
}

/* "#!interpreter [arg]": the first line, parsed as binfmt_script does. */
static bool parse_shebang(const char *buf, size_t n, char *interp, size_t ilen, char *arg,
                          size_t alen)
{
    if (n < 2 || buf[0] != '#' || buf[1] != '!')
        return false;
    char line[BINPRM_BUF_SIZE + 1];
    size_t len = n < BINPRM_BUF_SIZE ? n : BINPRM_BUF_SIZE;
    memcpy(line, buf, len);
    line[len] = '\0';
    char *nl = strchr(line, '\n');
    if (nl)
        *nl = '\0';
    char *p = line + 2;
    while (*p == ' ' || *p == '\t')
        p++;
    char *end = p + strcspn(p, " \t");
    size_t il = (size_t)(end - p);
    if (il == 0 || il >= ilen)
        return false;
    memcpy(interp, p, il);
    interp[il] = '\0';
    p = end + strspn(end, " \t");
    size_t al = strlen(p);
    while (al > 0 && (p[al - 1] == ' ' || p[al - 1] == '\t'))
        al--;
    if (al >= alen)
        al = alen - 1;
    memcpy(arg, p, al);
    arg[al] = '\0';
    return true;
}

struct exec_ctx {
    const char *comm, *execfn;
    char *const *envp;
    char *err;
    size_t errlen;
    const char **why;
};

static int exec_file(struct task *t, int dirfd, const char *path, int at_flags, char *const argv[],
                     const struct exec_ctx *x, int depth);

/* A script: run its interpreter (found in the guest's namespace) with the script's path in argv. */
static int exec_script(struct task *t, char *const argv[], const struct exec_ctx *x,
                       const char *interp, const char *arg, int depth)
{
    size_t argc = 0;
    while (argv[argc])
        argc++;
    char **nargv = calloc(argc + 4, sizeof(char *));
    if (!nargv)
        return -ENOMEM;
    size_t n = 0;
    nargv[n++] = (char *)interp;
    if (arg[0])
        nargv[n++] = (char *)arg;
    nargv[n++] = (char *)x->execfn; /* the name the script was run by */
    for (size_t i = 1; i < argc; i++)
        nargv[n++] = argv[i];
    nargv[n] = NULL;
    int r = exec_file(t, GUEST_AT_FDCWD, interp, 0, nargv, x, depth + 1);
    free(nargv);
    if (r == -ENOENT && !x->err[0])
        snprintf(x->err, x->errlen, "bad interpreter %s: %s", interp, strerror(ENOENT));
    return r == -ENOEXEC && depth + 1 > MAX_INTERP_DEPTH ? -ELOOP : r;
}

static int exec_file(struct task *t, int dirfd, const char *path, int at_flags, char *const argv[],
                     const struct exec_ctx *x, int depth)
{
    if (depth > MAX_INTERP_DEPTH)
        return -ELOOP;
    struct file *file;
    int r = open_exec(t, dirfd, path, at_flags, &file, x->why);
    if (r)
        return r;
    char buf[BINPRM_BUF_SIZE];
    ssize_t n = pread(file->f_host_fd, buf, sizeof(buf), 0);
    char interp[BINPRM_BUF_SIZE], arg[BINPRM_BUF_SIZE];
    if (n > 0 && parse_shebang(buf, (size_t)n, interp, sizeof(interp), arg, sizeof(arg))) {
        fput(file);
        return exec_script(t, argv, x, interp, arg, depth);
    }
    r = exec_binary(t, file, x->comm, x->execfn, argv, x->envp, x->err, x->errlen);
    fput(file); /* the task keeps its own reference as exe_file */
    return r;
}

int do_execve(struct task *t, int dirfd, const char *path, int at_flags, const char *execfn,
              char *const argv[], char *const envp[], char *err, size_t errlen, const char **why)
{
    /* comm is the name the program was run by, as execve was given it. */
    const struct exec_ctx x = {execfn, execfn, envp, err, errlen, why};
    int r = exec_file(t, dirfd, path, at_flags, argv, &x, 0);
    if (r == 0)
        trace_exec(t->tracer, t, execfn);
    return r;
}

/* ---- the system calls ---------------------------------------------------------- */

static void free_strings(char **v)
{
    if (!v)
        return;
    for (char **p = v; *p; p++)
        free(*p);
    free(v);
}

/* argv or envp from guest memory into a NULL-terminated host array; NULL with *err. */
static char **copy_strings(struct task *t, uint64_t uvec, long *err)
{
    size_t n = 0, cap = 16;
    char **v = calloc(cap, sizeof(char *));
    if (!v) {
        *err = -ENOMEM;
        return NULL;
    }
    for (; uvec; n++) {
        uint64_t p;
        if (copy_from_user(t->mm, &p, uvec + n * sizeof(p), sizeof(p))) {
            *err = -EFAULT;
            goto fail;
        }
        if (!p)
            break;
        if (n + 2 > cap) {
            char **nv = realloc(v, (cap *= 2) * sizeof(char *));
            if (!nv) {
                *err = -ENOMEM;
                goto fail;
            }
            v = nv;
        }
        char *s = malloc(MAX_ARG_STRLEN + 1);
        if (!s) {
            *err = -ENOMEM;
            goto fail;
        }
        long len = strncpy_from_user(t->mm, s, p, (long)MAX_ARG_STRLEN + 1);
        if (len < 0 || (unsigned long)len > MAX_ARG_STRLEN) {
            free(s);
            *err = len < 0 ? -EFAULT : -E2BIG;
            goto fail;
        }
        v[n] = realloc(s, (size_t)len + 1) ?: s;
        v[n + 1] = NULL;
    }
    v[n] = NULL;
    return v;
fail:
    v[n] = NULL;
    free_strings(v);
    return NULL;
}

static long do_execveat(struct task *t, int dirfd, uint64_t upath, uint64_t uargv, uint64_t uenvp,
                        int flags)
{
    char path[PATH_MAX];
    long err = get_user_path(t, upath, path);
    if (err)
        return err;
    if (flags & ~(AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW))
        return -EINVAL;
    char **argv = copy_strings(t, uargv, &err);
    if (!argv)
        return err;
    char **envp = copy_strings(t, uenvp, &err);
    if (!envp) {
        free_strings(argv);
        return err;
    }
    if (!argv[0]) {
        /* Linux runs a program given no argv with argv[0] = "" (and warns). */
        char **nv = realloc(argv, 2 * sizeof(char *));
        if (nv) {
            argv = nv;
            argv[0] = strdup("");
            argv[1] = NULL;
        }
    }
    char msg[256] = "";
    const char *why = NULL;
    err = do_execve(t, dirfd, path, flags, path, argv, envp, msg, sizeof(msg), &why);
    free_strings(argv);
    free_strings(envp);
    if (err == -ENOEXEC && msg[0])
        fprintf(stderr, "vmemu: execve %s: %s\n", path, msg);
    return err;
}

static long sys_execve(struct task *t, const uint64_t a[6])
{
    return do_execveat(t, GUEST_AT_FDCWD, a[0], a[1], a[2], 0);
}

static long sys_execveat(struct task *t, const uint64_t a[6])
{
    return do_execveat(t, (int)a[0], a[1], a[2], a[3], (int)a[4]);
}

void sys_exec_register(syscall_fn table[NR_SYSCALLS])
{
    table[SYS_execve] = sys_execve;
    table[SYS_execveat] = sys_execveat;
}
