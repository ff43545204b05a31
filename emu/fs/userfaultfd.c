/*
 * userfaultfd(2), the file side (Linux's fs/userfaultfd.c): the
 * "anon_inode:[userfaultfd]" descriptor (from userfaultfd(2) or
 * /dev/userfaultfd's USERFAULTFD_IOC_NEW), the UFFDIO_* ioctls (argument
 * checks, then mm/userfaultfd.c does the memory work), read() of struct
 * uffd_msg, poll readiness, and the tasks whose faults wait for a handler.
 *
 * A fault handed to the file becomes a struct uffd_fault owned by the
 * waiting task (task->uffd_fault), queued on its file: on `pending` until
 * read() hands its message out, then on `delivered`, until a resolving
 * ioctl (COPY, ZEROPAGE, CONTINUE, WRITEPROTECT clearing protection,
 * WAKE) or the file's release wakes it (woken set, off the lists). A
 * signal wakes the task too; its fault then leaves the file unread, and
 * the instruction runs again after the handler, faulting afresh, as in
 * Linux. The task frees its record when it runs again or ends.
 *
 * Invariants: a record is on one of its file's lists exactly while uf is
 * set and woken is not; its task sleeps (TASK_INTERRUPTIBLE, no wait
 * queue) while it is. features is 0 until UFFDIO_API, then holds
 * UFFD_FEATURE_INITIALIZED and the features asked for, all among
 * UFFD_SUPPORTED_FEATURES.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/userfaultfd.h>
#include <poll.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>

#include "emu/fs/userfaultfd.h"
#include "emu/kernel/cred.h"
#include "emu/kernel/sched.h"
#include "emu/kernel/signal.h"
#include "emu/kernel/task.h"
#include "mm/fs.h"
#include "mm/mm_types.h"
#include "mm/uaccess.h"
#include "mm/userfaultfd.h"

/* Newer than the build machine's header (Linux 6.1). */
#ifndef USERFAULTFD_IOC_NEW
#define USERFAULTFD_IOC_NEW _IO(UFFDIO, 0x00)
#endif
#ifndef UFFDIO_CONTINUE_MODE_WP
#define UFFDIO_CONTINUE_MODE_WP ((__u64)1 << 1)
#endif
#define UFFD_FEATURE_INITIALIZED (1ULL << 31) /* Linux's: UFFDIO_API was done */

/* What vmemu implements; UFFDIO_API reports these only (docs/memory-api.md). */
#define UFFD_SUPPORTED_FEATURES                                                                    \
    (UFFD_FEATURE_PAGEFAULT_FLAG_WP | UFFD_FEATURE_MISSING_SHMEM | UFFD_FEATURE_SIGBUS |           \
     UFFD_FEATURE_THREAD_ID | UFFD_FEATURE_MINOR_SHMEM | UFFD_FEATURE_EXACT_ADDRESS)
#define UFFD_RANGE_IOCTLS                                                                          \
    ((1ULL << _UFFDIO_WAKE) | (1ULL << _UFFDIO_COPY) | (1ULL << _UFFDIO_ZEROPAGE) |                \
     (1ULL << _UFFDIO_WRITEPROTECT) | (1ULL << _UFFDIO_CONTINUE))
#define UFFD_FLAGS_ALLOWED (O_CLOEXEC | O_NONBLOCK | UFFD_USER_MODE_ONLY)

struct uffd_file {
    struct userfaultfd_ctx ctx; /* the memory side's part */
    unsigned int flags;         /* userfaultfd(2)'s */
    uint64_t features;
    struct list_head pending;      /* struct uffd_fault not read yet, oldest first */
    struct list_head delivered;    /* read, not resolved */
    struct wait_queue_head fd_wqh; /* readers and pollers */
};

/* userfaultfd_wait finds the file from the VMA's context. */
_Static_assert(offsetof(struct uffd_file, ctx) == 0, "ctx must be struct uffd_file's first member");

struct uffd_fault {
    struct list_head node;
    struct uffd_file *uf; /* NULL once released */
    struct task *task;
    struct uffd_msg msg;
    uint64_t addr; /* the access, to retry */
    unsigned int
        flags;  /* its FAULT_FLAG_*, with FAULT_FLAG_TRIED for the retry if Linux's has it */
    bool woken; /* by the handler: the fault is retried */
};

static struct uffd_file *uffd_of(struct file *f)
{
    return f->private_data;
}

static bool initialized(const struct uffd_file *uf)
{
    return uf->features & UFFD_FEATURE_INITIALIZED;
}

/* ---- waiting and waking -------------------------------------------------------------- */

void userfaultfd_wait(struct task *t, const struct fault_result *r, uint64_t addr,
                      const struct cpu_fault *f)
{
    unsigned int flags = f->flags;
    struct userfaultfd_ctx *ctx = r->vma ? r->vma->vm_userfaultfd_ctx : NULL;
    /* A signal already pending: Linux's schedule() does not sleep; the signal is delivered. */
    if (!ctx || signal_pending(t))
        return;
    struct uffd_file *uf = (struct uffd_file *)ctx;
    struct uffd_fault *w = calloc(1, sizeof(*w));
    if (!w)
        return; /* the instruction faults again */
    w->uf = uf;
    w->task = t;
    w->addr = addr;
    /*
     * Linux retries with FAULT_FLAG_TRIED, so counts the fault major, when
     * it waited holding the mmap lock: the VMA lock was refused
     * (r->uffd_retry_major), or this is already a retry (the first one
     * runs under the mmap lock).
     */
    w->flags = flags | ((r->uffd_retry_major || f->uffd_retry) ? FAULT_FLAG_TRIED : 0);
    w->msg.event = UFFD_EVENT_PAGEFAULT;
    w->msg.arg.pagefault.address =
        (uf->features & UFFD_FEATURE_EXACT_ADDRESS) ? addr : addr & PAGE_MASK;
    if (flags & FAULT_FLAG_WRITE)
        w->msg.arg.pagefault.flags |= UFFD_PAGEFAULT_FLAG_WRITE;
    if (r->uffd_reason & VM_UFFD_WP)
        w->msg.arg.pagefault.flags |= UFFD_PAGEFAULT_FLAG_WP;
    if (r->uffd_reason & VM_UFFD_MINOR)
        w->msg.arg.pagefault.flags |= UFFD_PAGEFAULT_FLAG_MINOR;
    if (uf->features & UFFD_FEATURE_THREAD_ID)
        w->msg.arg.pagefault.feat.ptid = (__u32)t->pid;
    list_add_tail(&w->node, &uf->pending);
    t->uffd_fault = w;
    t->state = TASK_INTERRUPTIBLE;
    wake_up(&uf->fd_wqh);
}

/* Off its file's lists; woken says whether the fault is to be retried. */
static void fault_detach(struct uffd_fault *w, bool woken)
{
    if (!w->uf)
        return;
    list_del(&w->node);
    w->uf = NULL;
    w->woken = woken;
}

/* Linux's __wake_userfault: every fault in [start, start + len) (len 0: all) goes on. */
static void wake_userfault(struct uffd_file *uf, uint64_t start, uint64_t len)
{
    struct list_head *lists[] = {&uf->pending, &uf->delivered};
    for (int i = 0; i < 2; i++) {
        struct uffd_fault *w, *n;
        list_for_each_entry_safe(w, n, lists[i], node)
        {
            uint64_t a = w->msg.arg.pagefault.address;
            if (len && (a < start || a - start >= len))
                continue;
            fault_detach(w, true);
            wake_up_process(w->task);
        }
    }
}

bool userfaultfd_resume(struct task *t, struct cpu_fault *f)
{
    struct uffd_fault *w = t->uffd_fault;
    if (!w || t->state != TASK_RUNNING)
        return false;
    t->uffd_fault = NULL;
    fault_detach(w, false);
    bool retry = w->woken;
    if (retry) {
        memset(f, 0, sizeof(*f));
        f->addr = w->addr;
        f->flags = w->flags;
        f->ip = cpu_get(t->cpu, CPU_RIP);
        f->uffd_retry = true;
    }
    free(w);
    return retry;
}

void userfaultfd_task_exit(struct task *t)
{
    if (!t->uffd_fault)
        return;
    fault_detach(t->uffd_fault, false);
    free(t->uffd_fault);
    t->uffd_fault = NULL;
}

/* ---- the file ------------------------------------------------------------------------- */

static long uffd_read(struct file *f, uint64_t ubuf, size_t count)
{
    struct uffd_file *uf = uffd_of(f);
    long done = 0;
    if (!initialized(uf))
        return -EINVAL;
    for (;;) {
        if (count < sizeof(struct uffd_msg))
            return done ? done : -EINVAL;
        if (list_empty(&uf->pending)) {
            /* Only the first message may be waited for. */
            if (done)
                return done;
            if (f->f_flags & O_NONBLOCK)
                return -EAGAIN;
            if (signal_pending(current))
                return -ERESTARTSYS;
            return wait_on(&uf->fd_wqh);
        }
        struct uffd_fault *w = list_first_entry(&uf->pending, struct uffd_fault, node);
        list_del(&w->node);
        list_add_tail(&w->node, &uf->delivered);
        if (copy_to_user(current->mm, ubuf, &w->msg, sizeof(w->msg)))
            return done ? done : -EFAULT;
        done += (long)sizeof(w->msg);
        ubuf += sizeof(w->msg);
        count -= sizeof(w->msg);
    }
}

/* Linux answers EPOLLERR before UFFDIO_API and on a blocking descriptor. */
static unsigned int uffd_poll(struct file *f, bool queue)
{
    struct uffd_file *uf = uffd_of(f);
    if (queue)
        prepare_to_sleep(&uf->fd_wqh);
    if (!initialized(uf) || !(f->f_flags & O_NONBLOCK))
        return POLLERR;
    return list_empty(&uf->pending) ? 0 : POLLIN;
}

static void uffd_release(struct file *f)
{
    struct uffd_file *uf = uffd_of(f);
    userfaultfd_ctx_release(&uf->ctx);
    wake_userfault(uf, 0, 0);
    wake_up(&uf->fd_wqh);
    free(uf);
}

/* ---- ioctls ---------------------------------------------------------------------------- */

/* Linux's validate_unaligned_range and validate_range. */
static long check_range(uint64_t start, uint64_t len, bool aligned)
{
    if ((aligned && (start & ~PAGE_MASK)) || (len & ~PAGE_MASK) || !len)
        return -EINVAL;
    if (start < mmap_min_addr || start >= TASK_SIZE || len > TASK_SIZE - start)
        return -EINVAL;
    return 0;
}

static long uffdio_api(struct uffd_file *uf, uint64_t arg)
{
    struct uffdio_api api;
    if (copy_from_user(current->mm, &api, arg, sizeof(api)))
        return -EFAULT;
    uint64_t want = api.features;
    long err = -EINVAL;
    if (api.api != UFFD_API)
        goto fail;
    err = -EPERM;
    if ((want & UFFD_FEATURE_EVENT_FORK) && !cred_capable(&current->cred, CAP_SYS_PTRACE))
        goto fail;
    err = -EINVAL;
    if (want & ~(uint64_t)UFFD_SUPPORTED_FEATURES)
        goto fail;
    api.features = UFFD_SUPPORTED_FEATURES;
    api.ioctls = (1ULL << _UFFDIO_REGISTER) | (1ULL << _UFFDIO_UNREGISTER) | (1ULL << _UFFDIO_API);
    if (copy_to_user(current->mm, arg, &api, sizeof(api)))
        return -EFAULT;
    if (uf->features) /* a second handshake */
        goto fail;
    uf->features = want | UFFD_FEATURE_INITIALIZED;
    uf->ctx.sigbus = want & UFFD_FEATURE_SIGBUS;
    return 0;
fail:
    memset(&api, 0, sizeof(api));
    return copy_to_user(current->mm, arg, &api, sizeof(api)) ? -EFAULT : err;
}

static long uffdio_register(struct uffd_file *uf, uint64_t arg)
{
    struct uffdio_register reg;
    if (copy_from_user(current->mm, &reg, arg, sizeof(reg) - sizeof(reg.ioctls)))
        return -EFAULT;
    uint64_t mode = reg.mode;
    if (!mode || (mode & ~(uint64_t)(UFFDIO_REGISTER_MODE_MISSING | UFFDIO_REGISTER_MODE_WP |
                                     UFFDIO_REGISTER_MODE_MINOR)))
        return -EINVAL;
    unsigned long vm_flags = ((mode & UFFDIO_REGISTER_MODE_MISSING) ? VM_UFFD_MISSING : 0) |
                             ((mode & UFFDIO_REGISTER_MODE_WP) ? VM_UFFD_WP : 0) |
                             ((mode & UFFDIO_REGISTER_MODE_MINOR) ? VM_UFFD_MINOR : 0);
    long err = check_range(reg.range.start, reg.range.len, true);
    if (!err)
        err = userfaultfd_register(&uf->ctx, reg.range.start, reg.range.start + reg.range.len,
                                   vm_flags);
    if (err)
        return err;
    uint64_t ioctls = UFFD_RANGE_IOCTLS;
    if (!(mode & UFFDIO_REGISTER_MODE_WP))
        ioctls &= ~(1ULL << _UFFDIO_WRITEPROTECT);
    if (!(mode & UFFDIO_REGISTER_MODE_MINOR))
        ioctls &= ~(1ULL << _UFFDIO_CONTINUE);
    return copy_to_user(current->mm, arg + offsetof(struct uffdio_register, ioctls), &ioctls,
                        sizeof(ioctls))
               ? -EFAULT
               : 0;
}

static long uffdio_unregister(struct uffd_file *uf, uint64_t arg)
{
    struct uffdio_range r;
    if (copy_from_user(current->mm, &r, arg, sizeof(r)))
        return -EFAULT;
    long err = check_range(r.start, r.len, true);
    if (!err)
        err = userfaultfd_unregister(&uf->ctx, r.start, r.start + r.len);
    /* Faults waiting there would hang for ever: they go on (and are not handed out again). */
    if (!err)
        wake_userfault(uf, r.start, r.len);
    return err;
}

static long uffdio_wake(struct uffd_file *uf, uint64_t arg)
{
    struct uffdio_range r;
    if (copy_from_user(current->mm, &r, arg, sizeof(r)))
        return -EFAULT;
    long err = check_range(r.start, r.len, true);
    if (!err)
        wake_userfault(uf, r.start, r.len);
    return err;
}

/*
 * The end the filling ioctls share: the count (or error) in the
 * structure's last field, the faults in the filled range woken unless
 * DONTWAKE, -EAGAIN when only part was filled.
 */
static long fill_done(struct uffd_file *uf, uint64_t result_addr, long done, uint64_t start,
                      uint64_t len, bool dontwake)
{
    int64_t v = done;
    if (copy_to_user(current->mm, result_addr, &v, sizeof(v)))
        return -EFAULT;
    if (done < 0)
        return done;
    if (!dontwake)
        wake_userfault(uf, start, (uint64_t)done);
    return (uint64_t)done == len ? 0 : -EAGAIN;
}

static long uffdio_copy(struct uffd_file *uf, uint64_t arg)
{
    struct uffdio_copy c;
    if (copy_from_user(current->mm, &c, arg, sizeof(c) - sizeof(c.copy)))
        return -EFAULT;
    long err = check_range(c.src, c.len, false);
    if (!err)
        err = check_range(c.dst, c.len, true);
    if (err)
        return err;
    if (c.mode & ~(uint64_t)(UFFDIO_COPY_MODE_DONTWAKE | UFFDIO_COPY_MODE_WP))
        return -EINVAL;
    long done =
        mfill_atomic_copy(&uf->ctx, c.dst, current->mm, c.src, c.len, c.mode & UFFDIO_COPY_MODE_WP);
    return fill_done(uf, arg + offsetof(struct uffdio_copy, copy), done, c.dst, c.len,
                     c.mode & UFFDIO_COPY_MODE_DONTWAKE);
}

static long uffdio_zeropage(struct uffd_file *uf, uint64_t arg)
{
    struct uffdio_zeropage z;
    if (copy_from_user(current->mm, &z, arg, sizeof(z) - sizeof(z.zeropage)))
        return -EFAULT;
    long err = check_range(z.range.start, z.range.len, true);
    if (err)
        return err;
    if (z.mode & ~(uint64_t)UFFDIO_ZEROPAGE_MODE_DONTWAKE)
        return -EINVAL;
    long done = mfill_atomic_zeropage(&uf->ctx, z.range.start, z.range.len);
    return fill_done(uf, arg + offsetof(struct uffdio_zeropage, zeropage), done, z.range.start,
                     z.range.len, z.mode & UFFDIO_ZEROPAGE_MODE_DONTWAKE);
}

static long uffdio_continue(struct uffd_file *uf, uint64_t arg)
{
    struct uffdio_continue c;
    if (copy_from_user(current->mm, &c, arg, sizeof(c) - sizeof(c.mapped)))
        return -EFAULT;
    long err = check_range(c.range.start, c.range.len, true);
    if (err)
        return err;
    if (c.mode & ~(uint64_t)(UFFDIO_CONTINUE_MODE_DONTWAKE | UFFDIO_CONTINUE_MODE_WP))
        return -EINVAL;
    long done = mfill_atomic_continue(&uf->ctx, c.range.start, c.range.len,
                                      c.mode & UFFDIO_CONTINUE_MODE_WP);
    return fill_done(uf, arg + offsetof(struct uffdio_continue, mapped), done, c.range.start,
                     c.range.len, c.mode & UFFDIO_CONTINUE_MODE_DONTWAKE);
}

static long uffdio_writeprotect(struct uffd_file *uf, uint64_t arg)
{
    struct uffdio_writeprotect wp;
    if (copy_from_user(current->mm, &wp, arg, sizeof(wp)))
        return -EFAULT;
    long err = check_range(wp.range.start, wp.range.len, true);
    if (err)
        return err;
    if (wp.mode & ~(uint64_t)(UFFDIO_WRITEPROTECT_MODE_DONTWAKE | UFFDIO_WRITEPROTECT_MODE_WP))
        return -EINVAL;
    bool enable = wp.mode & UFFDIO_WRITEPROTECT_MODE_WP;
    bool dontwake = wp.mode & UFFDIO_WRITEPROTECT_MODE_DONTWAKE;
    if (enable && dontwake)
        return -EINVAL;
    err = mwriteprotect_range(&uf->ctx, wp.range.start, wp.range.len, enable);
    if (!err && !enable && !dontwake)
        wake_userfault(uf, wp.range.start, wp.range.len);
    return err;
}

static long uffd_ioctl(struct file *f, unsigned int cmd, uint64_t arg)
{
    struct uffd_file *uf = uffd_of(f);
    if (cmd != UFFDIO_API && !initialized(uf))
        return -EINVAL;
    switch (cmd) {
    case UFFDIO_API:
        return uffdio_api(uf, arg);
    case UFFDIO_REGISTER:
        return uffdio_register(uf, arg);
    case UFFDIO_UNREGISTER:
        return uffdio_unregister(uf, arg);
    case UFFDIO_WAKE:
        return uffdio_wake(uf, arg);
    case UFFDIO_COPY:
        return uffdio_copy(uf, arg);
    case UFFDIO_ZEROPAGE:
        return uffdio_zeropage(uf, arg);
    case UFFDIO_WRITEPROTECT:
        return uffdio_writeprotect(uf, arg);
    case UFFDIO_CONTINUE:
        return uffdio_continue(uf, arg);
    default:
        return -EINVAL;
    }
}

static const struct file_operations userfaultfd_fops = {
    .read_user = uffd_read,
    .poll = uffd_poll,
    .ioctl = uffd_ioctl,
    .release = uffd_release,
};

/* ---- the system call -------------------------------------------------------------------- */

/* Linux's new_userfaultfd: the descriptor, with what the caller may do already checked. */
static long new_userfaultfd(struct task *t, int flags)
{
    if (flags & ~UFFD_FLAGS_ALLOWED)
        return -EINVAL;
    struct uffd_file *uf = calloc(1, sizeof(*uf));
    if (!uf)
        return -ENOMEM;
    userfaultfd_ctx_init(&uf->ctx, t->mm, flags & UFFD_USER_MODE_ONLY);
    uf->flags = (unsigned int)flags;
    INIT_LIST_HEAD(&uf->pending);
    INIT_LIST_HEAD(&uf->delivered);
    init_waitqueue_head(&uf->fd_wqh);
    int err = 0;
    struct file *f = alloc_file_pseudo("anon_inode:[userfaultfd]", O_RDONLY | (flags & O_NONBLOCK),
                                       0600, &userfaultfd_fops, uf, &err);
    if (!f) {
        userfaultfd_ctx_release(&uf->ctx);
        free(uf);
        return err;
    }
    int fd = fd_install(t, f, 0, flags & O_CLOEXEC);
    if (fd < 0)
        fput(f);
    return fd;
}

static long sys_userfaultfd(struct task *t, const uint64_t a[6])
{
    int flags = (int)a[0];
    /* Without UFFD_USER_MODE_ONLY: CAP_SYS_PTRACE, vm.unprivileged_userfaultfd being 0. */
    if (!(flags & UFFD_USER_MODE_ONLY) && !cred_capable(&t->cred, CAP_SYS_PTRACE))
        return -EPERM;
    return new_userfaultfd(t, flags);
}

/* /dev/userfaultfd: whoever may open it (root: mode 0600) gets descriptors of any kind. */
long userfaultfd_dev_ioctl(struct task *t, unsigned int cmd, uint64_t arg)
{
    if (cmd != USERFAULTFD_IOC_NEW)
        return -EINVAL;
    return new_userfaultfd(t, (int)arg);
}

void sys_userfaultfd_register(syscall_fn table[NR_SYSCALLS])
{
    table[SYS_userfaultfd] = sys_userfaultfd;
}
