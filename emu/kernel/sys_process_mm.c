/*
 * System calls on another process's memory: process_madvise (5.10) and
 * process_mrelease (5.15), which name it by a pidfd, and
 * process_vm_readv and process_vm_writev (3.2), by its pid.
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

/*
 * Linux's ptrace_may_access for vmemu's credentials: the caller's
 * filesystem ids (PTRACE_MODE_FSCREDS) or real ids (REALCREDS) must be
 * every one of the target's, unless it has CAP_SYS_PTRACE.
 */
static bool may_access_process(struct task *t, struct task *target, bool realcreds)
{
    const struct cred *c = &t->cred, *tc = &target->cred;
    if (t->tgid == target->tgid || cred_capable(c, CAP_SYS_PTRACE))
        return true;
    uid_t uid = realcreds ? c->uid : c->fsuid;
    gid_t gid = realcreds ? c->gid : c->fsgid;
    return uid == tc->uid && uid == tc->euid && uid == tc->suid && gid == tc->gid &&
           gid == tc->egid && gid == tc->sgid;
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
    else if (target && !may_access_process(t, target, false))
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

/* Where the next byte goes in, or comes from, the caller's iovec array. */
struct iov_iter {
    const struct iovec *iov;
    uint64_t nr, seg;
    size_t off; /* within iov[seg] */
};

static size_t iter_count(const struct iov_iter *it)
{
    size_t n = 0;
    for (uint64_t i = it->seg; i < it->nr; i++)
        n += it->iov[i].iov_len - (i == it->seg ? it->off : 0);
    return n;
}

/* Move up to len bytes between buf and the caller's memory at it; how many moved. */
static size_t iter_copy(struct task *t, struct iov_iter *it, char *buf, size_t len, bool to_user)
{
    size_t done = 0;
    while (done < len && it->seg < it->nr) {
        const struct iovec *v = &it->iov[it->seg];
        size_t room = v->iov_len - it->off, n = len - done < room ? len - done : room;
        unsigned long addr = (unsigned long)v->iov_base + it->off;
        size_t left = to_user ? copy_to_user(t->mm, addr, buf + done, n)
                              : copy_from_user(t->mm, buf + done, addr, n);
        done += n - left;
        it->off += n - left;
        if (left)
            break;
        if (it->off == v->iov_len) {
            it->seg++;
            it->off = 0;
        }
    }
    return done;
}

/*
 * One remote range, a page at a time (Linux pins and copies whole pages),
 * adding the bytes that reached their destination to *moved: 0, or
 * -EFAULT at the first page either side cannot give or take.
 */
static long rw_remote_range(struct task *t, struct mm_struct *mm, unsigned long addr, size_t len,
                            struct iov_iter *local, bool write, size_t *moved)
{
    char page[PAGE_SIZE];
    while (len && iter_count(local)) {
        size_t n = PAGE_SIZE - (addr & ~PAGE_MASK);
        n = n < len ? n : len;
        size_t got;
        if (write) {
            got = iter_copy(t, local, page, n, false);
            size_t left = copy_to_user(mm, addr, page, got);
            *moved += got - left;
            if (left)
                return -EFAULT;
        } else {
            if (copy_from_user(mm, page, addr, n))
                return -EFAULT;
            got = iter_copy(t, local, page, n, true);
            *moved += got;
        }
        if (got < n && iter_count(local))
            return -EFAULT; /* a local buffer that cannot be read or written */
        addr += n;
        len -= n;
    }
    return 0;
}

/*
 * process_vm_readv and process_vm_writev (3.2): the remote ranges in
 * order, against the local ones as one stream; the bytes moved, or the
 * error when none were. PTRACE_MODE_ATTACH_REALCREDS, refused with EPERM.
 */
static long process_vm_rw(struct task *t, const uint64_t a[6], bool write)
{
    long err;
    if (a[5])
        return -EINVAL;
    struct iovec *liov = import_iovec(t, a[1], a[2], &err);
    if (err)
        return err;
    struct iov_iter local = {.iov = liov, .nr = a[2]};
    size_t total = liov ? iter_count(&local) : 0;
    struct iovec *riov = total ? import_iovec(t, a[3], a[4], &err) : NULL;
    size_t remote = 0;
    for (uint64_t i = 0; riov && i < a[4]; i++)
        remote += riov[i].iov_len;
    struct task *target = NULL;
    if (!err && remote) {
        target = find_task_by_vpid((int)a[0]);
        if (!target || target->state == TASK_DEAD || !target->mm)
            err = -ESRCH;
        else if (!may_access_process(t, target, true))
            err = -EPERM;
    }
    size_t moved = 0;
    for (uint64_t i = 0; !err && remote && i < a[4] && iter_count(&local); i++)
        err = rw_remote_range(t, target->mm, (unsigned long)riov[i].iov_base, riov[i].iov_len,
                              &local, write, &moved);
    free(liov);
    free(riov);
    return moved ? (long)moved : err;
}

static long sys_process_vm_readv(struct task *t, const uint64_t a[6])
{
    return process_vm_rw(t, a, false);
}

static long sys_process_vm_writev(struct task *t, const uint64_t a[6])
{
    return process_vm_rw(t, a, true);
}

void sys_process_mm_register(syscall_fn table[NR_SYSCALLS])
{
    table[SYS_process_vm_readv] = sys_process_vm_readv;
    table[SYS_process_vm_writev] = sys_process_vm_writev;
    table[SYS_process_madvise] = sys_process_madvise;
    table[SYS_process_mrelease] = sys_process_mrelease;
}
