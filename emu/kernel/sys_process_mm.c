/*
 * System calls on another process's memory through a pidfd:
 * process_madvise (5.10) and process_mrelease (5.15).
 *
 * Invariants, as Linux 6.18 (mm/madvise.c, mm/oom_kill.c):
 * - process_madvise gives advice range by range in iovec order and stops
 *   at the first failing range: the bytes advised before it, or its error
 *   when none were; advice to another process is COLD, PAGEOUT, WILLNEED
 *   or COLLAPSE only (EINVAL), and needs PTRACE_MODE_READ (EACCES without
 *   it) and CAP_SYS_NICE (EPERM); to the caller's own memory any advice
 *   madvise takes.
 * - process_mrelease frees a dying process's private anonymous memory
 *   before it exits, as the OOM reaper does (mm_reap); a process that is
 *   not dying is EINVAL unless its memory was reaped already, one whose
 *   memory is gone already is 0.
 */
#include <errno.h>
#include <linux/capability.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>

#include "emu/kernel/pidfd.h"
#include "emu/kernel/signal.h"
#include "emu/kernel/syscall.h"
#include "emu/kernel/task.h"
#include "mm/mman_new.h"
#include "mm/mmap.h"
#include "mm/oom.h"
#include "mm/page.h"
#include "mm/uaccess.h"

#ifndef UIO_MAXIOV
#define UIO_MAXIOV 1024
#endif
#define MAX_RW_COUNT (0x7fffffffUL & PAGE_MASK) /* INT_MAX rounded down to a page */

/*
 * Linux's import_iovec: vlen entries (at most UIO_MAXIOV) into a new array,
 * lengths negative as ssize_t refused, the total cut at MAX_RW_COUNT.
 * NULL with *err (0 when vlen is 0: nothing to do).
 */
static struct iovec *import_iovec(struct task *t, uint64_t uvec, uint64_t vlen, long *err)
{
    *err = 0;
    if (vlen > UIO_MAXIOV) {
        *err = -EINVAL;
        return NULL;
    }
    if (vlen == 0)
        return NULL;
    struct iovec *iov = calloc(vlen, sizeof(*iov));
    if (!iov) {
        *err = -ENOMEM;
        return NULL;
    }
    if (copy_from_user(t->mm, iov, uvec, vlen * sizeof(*iov))) {
        free(iov);
        *err = -EFAULT;
        return NULL;
    }
    size_t total = 0;
    for (uint64_t i = 0; i < vlen; i++) {
        if ((ssize_t)iov[i].iov_len < 0) {
            free(iov);
            *err = -EINVAL;
            return NULL;
        }
        if (iov[i].iov_len > MAX_RW_COUNT - total)
            iov[i].iov_len = MAX_RW_COUNT - total;
        total += iov[i].iov_len;
    }
    return iov;
}

/* Linux's ptrace_may_access(PTRACE_MODE_READ_FSCREDS), for vmemu's credentials. */
static bool may_access_process(struct task *t, struct task *target)
{
    const struct cred *c = &t->cred, *tc = &target->cred;
    if (t->tgid == target->tgid || cred_capable(c, CAP_SYS_PTRACE))
        return true;
    return c->fsuid == tc->uid && c->fsuid == tc->euid && c->fsuid == tc->suid &&
           c->fsgid == tc->gid && c->fsgid == tc->egid && c->fsgid == tc->sgid;
}

static bool remote_advice_valid(int advice)
{
    return advice == MADV_COLD || advice == MADV_PAGEOUT || advice == MADV_WILLNEED ||
           advice == MADV_COLLAPSE;
}

static long sys_process_madvise(struct task *t, const uint64_t a[6])
{
    int advice = (int)a[3];
    long err;
    if (a[4])
        return -EINVAL;
    uint64_t vlen = a[2];
    struct iovec *iov = import_iovec(t, a[1], vlen, &err);
    if (err)
        return err;
    struct task *target = pidfd_get_task(t, (int)a[0], &err);
    if (target && !target->mm)
        err = -ESRCH; /* it has exited */
    else if (target && !may_access_process(t, target))
        err = -EACCES;
    else if (target && target->mm != t->mm && !remote_advice_valid(advice))
        err = -EINVAL;
    else if (target && target->mm != t->mm && !cred_capable(&t->cred, CAP_SYS_NICE))
        err = -EPERM;
    long done = 0;
    for (uint64_t i = 0; !err && i < vlen; i++) {
        err = do_madvise(target->mm, (unsigned long)iov[i].iov_base, iov[i].iov_len, advice);
        if (!err)
            done += (long)iov[i].iov_len;
    }
    free(iov);
    return done ? done : err;
}

/*
 * Linux's task_will_free_mem: every process using the mm (a vfork child
 * shares it) is on its way out, killed or exiting.
 */
static bool mm_users_dying(struct mm_struct *mm)
{
    for (struct task *u = next_task(NULL); u; u = next_task(u))
        if (u->mm == mm && u->state != TASK_ZOMBIE && u->state != TASK_DEAD &&
            !fatal_signal_pending(u))
            return false;
    return true;
}

static long sys_process_mrelease(struct task *t, const uint64_t a[6])
{
    long err = 0;
    if (a[1])
        return -EINVAL;
    struct task *target = pidfd_get_task(t, (int)a[0], &err);
    if (!target)
        return err;
    struct mm_struct *mm = target->mm;
    if (!mm)
        return 0; /* its memory went with its exit */
    if (!mm_users_dying(mm))
        return mm->oom_skip ? 0 : -EINVAL;
    mm_reap(mm);
    return 0;
}

void sys_process_mm_register(syscall_fn table[NR_SYSCALLS])
{
    table[SYS_process_madvise] = sys_process_madvise;
    table[SYS_process_mrelease] = sys_process_mrelease;
}
