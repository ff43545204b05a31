/*
 * Process file descriptors (pidfd_open, pidfd_send_signal): a file that
 * names one process, readable (poll) once the process has exited.
 *
 * Invariants:
 * - A pidfd holds the process's pid, not its task: pids only grow in a
 *   run (task.h), so the number never names another process, and the
 *   task is looked up again at every use; once reaped it is gone (ESRCH).
 * - Whoever waits in poll for any pidfd sleeps on one queue, woken each
 *   time a process ends (pidfd_notify_exit from exit.c): exits are rare
 *   enough that a per-process queue would buy nothing.
 * - PIDFD_THREAD pidfds (6.9) are refused with EINVAL: vmemu names
 *   processes only.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/stat.h>

#include "emu/kernel/pidfd.h"
#include "emu/kernel/sched.h"
#include "emu/kernel/signal.h"
#include "emu/kernel/syscall.h"
#include "emu/kernel/task.h"
#include "mm/fs.h"
#include "mm/uaccess.h"

#define PIDFD_NONBLOCK O_NONBLOCK

struct pidfd {
    int tgid;
};

static struct wait_queue_head pidfd_wait = {.head = LIST_HEAD_INIT(pidfd_wait.head)};

static void pidfd_release(struct file *f)
{
    free(f->private_data);
}

/* Linux's pidfd_poll for a process: readable once it has exited, hung up once reaped too. */
static unsigned int pidfd_poll(struct file *f, bool queue)
{
    const struct pidfd *p = f->private_data;
    if (queue)
        prepare_to_sleep(&pidfd_wait);
    struct task *t = find_task_by_vpid(p->tgid);
    if (!t)
        return POLLIN | POLLRDNORM | POLLHUP;
    return t->state == TASK_ZOMBIE || t->state == TASK_DEAD ? POLLIN | POLLRDNORM : 0;
}

static const struct file_operations pidfd_fops = {
    .poll = pidfd_poll,
    .release = pidfd_release,
};

void pidfd_notify_exit(void)
{
    wake_up(&pidfd_wait);
}

struct task *pidfd_get_task(struct task *t, int fd, long *err)
{
    struct file *f = fd_get(t, fd);
    if (!f || f->f_op != &pidfd_fops) {
        *err = -EBADF;
        return NULL;
    }
    struct task *target = find_task_by_vpid(((struct pidfd *)f->private_data)->tgid);
    if (!target || target->state == TASK_DEAD) {
        *err = -ESRCH;
        return NULL;
    }
    return target;
}

/* pidfd_open(pid, flags): a process's leader only, flags PIDFD_NONBLOCK alone. */
static long sys_pidfd_open(struct task *t, const uint64_t a[6])
{
    int pid = (int)a[0];
    unsigned int flags = (unsigned int)a[1];
    if (flags & ~(unsigned int)PIDFD_NONBLOCK)
        return -EINVAL;
    if (pid <= 0)
        return -EINVAL;
    struct task *target = find_task_by_vpid(pid);
    if (!target || target->state == TASK_DEAD)
        return -ESRCH;
    if (!thread_group_leader(target))
        return -EINVAL; /* a thread's id needs PIDFD_THREAD */
    struct pidfd *p = malloc(sizeof(*p));
    if (!p)
        return -ENOMEM;
    p->tgid = target->tgid;
    int err = 0;
    struct file *f = alloc_file_pseudo("anon_inode:[pidfd]", O_RDWR | (flags & PIDFD_NONBLOCK),
                                       0600, &pidfd_fops, p, &err);
    if (!f) {
        free(p);
        return err;
    }
    int fd = fd_install(t, f, 0, true); /* pidfds are always close-on-exec */
    if (fd < 0)
        fput(f);
    return fd;
}

/*
 * pidfd_send_signal(pidfd, sig, info, flags): kill(2) through a pidfd.
 * Only flags 0 (the whole process); a siginfo from the caller must name
 * sig and, sent to another process, carry a negative si_code (what the
 * kernel alone may claim otherwise: EPERM), as rt_sigqueueinfo's rule.
 */
static long sys_pidfd_send_signal(struct task *t, const uint64_t a[6])
{
    int sig = (int)a[1];
    if (a[3])
        return -EINVAL;
    long err = 0;
    struct task *target = pidfd_get_task(t, (int)a[0], &err);
    if (!target)
        return err;
    if (sig && (sig < 1 || sig > NR_SIGNALS))
        return -EINVAL;
    struct kernel_siginfo info;
    memset(&info, 0, sizeof(info));
    if (a[2]) {
        if (copy_from_user(t->mm, &info, a[2], sizeof(info)))
            return -EFAULT;
        if (info.si_signo != sig)
            return -EINVAL;
        if (target->tgid != t->tgid && (info.si_code >= 0 || info.si_code == SI_TKILL))
            return -EPERM;
    } else {
        info.si_signo = sig;
        info.si_code = SI_USER;
        info.proc.pid = t->tgid;
        info.proc.uid = t->cred.uid;
    }
    return sig ? send_signal(target, sig, &info, true) : 0;
}

void sys_pidfd_register(syscall_fn table[NR_SYSCALLS])
{
    table[SYS_pidfd_open] = sys_pidfd_open;
    table[SYS_pidfd_send_signal] = sys_pidfd_send_signal;
}
