/*
 * Futexes: sleeping on a 32-bit word in guest memory until someone wakes
 * that word.
 *
 * A waiter is keyed by the word: a private futex (FUTEX_PRIVATE_FLAG) by
 * its mm and address, a shared one by the frame holding it and the offset,
 * so that processes sharing memory (MAP_SHARED, or fork before a write)
 * meet on the same key. Waiters wait on one queue and are woken in the
 * order they came (FIFO), which keeps runs deterministic.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/futex.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>

#include "emu/kernel/futex.h"
#include "emu/kernel/sched.h"
#include "emu/kernel/signal.h"
#include "emu/kernel/task.h"
#include "mm/fault.h"
#include "mm/mmap.h"
#include "mm/pgtable.h"
#include "mm/uaccess.h"

struct futex_key {
    const void *base; /* the mm, or the address_space of a file or shmem object */
    uint64_t offset;  /* the address, or the byte offset in the object; FUT_OFF_* bits */
};

struct futex_q {
    struct list_head list;
    struct futex_key key;
    uint32_t bitset;
    struct task *task;
    bool pi;                   /* waits in FUTEX_LOCK_PI for the lock itself */
    struct wait_queue_head wq; /* the waiter sleeps here alone */
};

static struct list_head futex_queue = LIST_HEAD_INIT(futex_queue);

static bool key_eq(const struct futex_key *a, const struct futex_key *b)
{
    return a->base == b->base && a->offset == b->offset;
}

/* The key of uaddr; a shared one needs the frame, faulted in as a read would. */
/*
 * The key waiters and wakers meet on, as Linux's get_futex_key: a private
 * futex by mm and address; a shared one in anonymous memory (or the zero
 * page) by mm and address too, marked shared, since only this mm can map
 * that page writable; in a file or shmem object by the object and the
 * offset in it, so processes mapping it anywhere meet.
 */
#define FUT_OFF_INODE 1u    /* offset is a byte offset in a file or shmem object */
#define FUT_OFF_MMSHARED 2u /* a shared futex keyed by mm and address */

static long get_futex_key(struct mm_struct *mm, uint64_t uaddr, bool private, struct futex_key *key)
{
    if (uaddr & 3)
        return -EINVAL;
    if (private) {
        key->base = mm;
        key->offset = uaddr;
        return 0;
    }
    uint32_t probe;
    if (copy_from_user(mm, &probe, uaddr, sizeof(probe)))
        return -EFAULT;
    pte_t *pte = pte_offset(mm, uaddr & PAGE_MASK);
    if (!pte || !pte_present(*pte))
        return -EFAULT;
    struct page *page = vm_normal_page(NULL, uaddr, *pte);
    if (!page || PageFlag(page, PG_anon) || !page->mapping) {
        key->base = mm;
        key->offset = uaddr | FUT_OFF_MMSHARED;
        return 0;
    }
    key->base = page->mapping;
    key->offset = ((uint64_t)page->index << PAGE_SHIFT) + (uaddr & ~PAGE_MASK) + FUT_OFF_INODE;
    return 0;
}

static int wake_key(const struct futex_key *key, int n, uint32_t bitset)
{
    int woken = 0;
    struct futex_q *q, *next;
    list_for_each_entry_safe(q, next, &futex_queue, list)
    {
        if (woken >= n)
            break;
        if (!key_eq(&q->key, key) || !(q->bitset & bitset))
            continue;
        list_del(&q->list);
        INIT_LIST_HEAD(&q->list);
        wake_up(&q->wq);
        woken++;
    }
    return woken;
}

int futex_wake_private(struct mm_struct *mm, uint64_t uaddr, int n)
{
    struct futex_key key = {mm, uaddr};
    /* A waiter may have used a shared key for the same word: wake those too. */
    int woken = wake_key(&key, n, FUTEX_BITSET_MATCH_ANY);
    struct futex_key shared;
    if (woken < n && get_futex_key(mm, uaddr, false, &shared) == 0)
        woken += wake_key(&shared, n - woken, FUTEX_BITSET_MATCH_ANY);
    return woken;
}

/*
 * Queue t on key and put it to sleep until a wake, a signal or the deadline
 * (0 for none). The queue entry travels in restart.done: the re-run of the
 * syscall after the wake finds it there and dequeues it.
 */
static long futex_queue_and_sleep(struct task *t, const struct futex_key *key, uint32_t bitset,
                                  bool pi, uint64_t deadline)
{
    struct futex_q *q = calloc(1, sizeof(*q));
    if (!q)
        return -ENOMEM;
    q->key = *key;
    q->bitset = bitset;
    q->task = t;
    q->pi = pi;
    init_waitqueue_head(&q->wq);
    list_add_tail(&q->list, &futex_queue);
    if (!prepare_to_sleep(&q->wq)) {
        list_del(&q->list);
        free(q);
        return -ENOMEM;
    }
    t->restart.armed = true;
    t->restart.nr = t->syscall_nr;
    t->restart.deadline = deadline;
    t->restart.done = (uint64_t)(uintptr_t)q;
    return sleep_on(deadline);
}

/*
 * The re-run of a syscall that slept in futex_queue_and_sleep: take its
 * entry off the queue and free it. 1 if a waker had taken it off (woken or
 * handed the lock), 0 if not (timeout or signal), -1 if this is no re-run.
 */
static int futex_unqueue_rerun(struct task *t)
{
    bool again = t->restart.armed && t->restart.nr == t->syscall_nr;
    struct futex_q *q = again ? (struct futex_q *)(uintptr_t)t->restart.done : NULL;
    if (!q)
        return -1;
    bool woken = list_empty(&q->list);
    if (!woken)
        list_del(&q->list);
    free(q);
    t->restart.done = 0;
    return woken;
}

static long futex_wait(struct task *t, uint64_t uaddr, bool private, uint32_t val,
                       uint64_t utimeout, bool absolute, uint32_t bitset, int clock)
{
    if (!bitset)
        return -EINVAL;
    int woken = futex_unqueue_rerun(t);
    if (woken >= 0) {
        /* Run again after a sleep: woken (off the queue), timed out, or a signal. */
        if (woken)
            return 0;
        if (t->restart.deadline && t->restart.deadline <= ktime_get_ns())
            return -ETIMEDOUT;
        return -ERESTARTSYS;
    }
    struct futex_key key;
    long err = get_futex_key(t->mm, uaddr, private, &key);
    if (err)
        return err;
    uint64_t deadline = 0;
    if (utimeout) {
        struct timespec ts;
        if (copy_from_user(t->mm, &ts, utimeout, sizeof(ts)))
            return -EFAULT;
        if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000L)
            return -EINVAL;
        uint64_t ns = (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
        if (!absolute)
            deadline = ktime_get_ns() + ns;
        else if (clock == CLOCK_REALTIME)
            deadline = ns > boot_time_ns() ? ns - boot_time_ns() : 1;
        else
            deadline = ns ? ns : 1;
    }
    uint32_t cur;
    if (copy_from_user(t->mm, &cur, uaddr, sizeof(cur)))
        return -EFAULT;
    if (cur != val)
        return -EAGAIN;
    if (deadline && deadline <= ktime_get_ns())
        return -ETIMEDOUT;
    if (signal_pending(t))
        return -ERESTARTSYS;
    return futex_queue_and_sleep(t, &key, bitset, false, deadline);
}

void futex_exit(struct task *t)
{
    bool waiting = t->restart.armed && t->restart.nr == SYS_futex && t->restart.done;
    struct futex_q *mine = waiting ? (struct futex_q *)(uintptr_t)t->restart.done : NULL;
    bool queued = false;
    struct futex_q *q, *next;
    list_for_each_entry_safe(q, next, &futex_queue, list)
    {
        if (q->task != t)
            continue;
        queued |= q == mine;
        list_del(&q->list);
        free(q);
    }
    /* Woken already (off the queue) but not run again: the entry is still its own. */
    if (mine && !queued)
        free(mine);
    t->restart.done = 0;
}

/*
 * A futex word the dead thread held (its TID in the low bits): mark it
 * FUTEX_OWNER_DIED, keep the waiters bit, and wake one waiter so that it
 * takes the lock over (EOWNERDEAD from pthread_mutex_lock).
 */
static void handle_futex_death(struct task *t, uint64_t uaddr, bool pending_op)
{
    uint32_t val;
    if ((uaddr & 3) || copy_from_user(t->mm, &val, uaddr, sizeof(val)))
        return;
    if ((val & FUTEX_TID_MASK) != (uint32_t)t->pid) {
        /* An operation in flight on a free lock: its waiters may need a wake-up. */
        if (pending_op && !val)
            futex_wake_private(t->mm, uaddr, 1);
        return;
    }
    uint32_t nv = (val & FUTEX_WAITERS) | FUTEX_OWNER_DIED;
    if (copy_to_user(t->mm, uaddr, &nv, sizeof(nv)))
        return;
    if (val & FUTEX_WAITERS)
        futex_wake_private(t->mm, uaddr, 1);
}

#define ROBUST_LIST_LIMIT 2048

void exit_robust_list(struct task *t)
{
    uint64_t head = t->robust_list;
    struct {
        uint64_t next;
        int64_t futex_offset;
        uint64_t list_op_pending;
    } h;
    if (!head || !t->mm || copy_from_user(t->mm, &h, head, sizeof(h)))
        return;
    uint64_t entry = h.next, pending = h.list_op_pending & ~1ULL;
    for (int n = 0; entry != head && n < ROBUST_LIST_LIMIT; n++) {
        uint64_t next;
        if (copy_from_user(t->mm, &next, entry & ~1ULL, sizeof(next)))
            break;
        /* The pending entry is handled last, once. */
        if ((entry & ~1ULL) != pending)
            handle_futex_death(t, (entry & ~1ULL) + (uint64_t)h.futex_offset, false);
        entry = next;
    }
    if (pending)
        handle_futex_death(t, pending + (uint64_t)h.futex_offset, true);
    t->robust_list = 0;
}

static long futex_requeue(struct task *t, uint64_t uaddr, uint64_t uaddr2, bool private,
                          int nr_wake, int nr_requeue, const uint32_t *cmpval)
{
    struct futex_key k1, k2;
    long err = get_futex_key(t->mm, uaddr, private, &k1);
    if (!err)
        err = get_futex_key(t->mm, uaddr2, private, &k2);
    if (err)
        return err;
    if (nr_wake < 0 || nr_requeue < 0)
        return -EINVAL;
    if (cmpval) {
        uint32_t cur;
        if (copy_from_user(t->mm, &cur, uaddr, sizeof(cur)))
            return -EFAULT;
        if (cur != *cmpval)
            return -EAGAIN;
    }
    int woken = wake_key(&k1, nr_wake, FUTEX_BITSET_MATCH_ANY), moved = 0;
    struct futex_q *q;
    list_for_each_entry(q, &futex_queue, list)
    {
        if (moved >= nr_requeue)
            break;
        if (key_eq(&q->key, &k1)) {
            q->key = k2;
            moved++;
        }
    }
    return woken + moved;
}

/* FUTEX_WAKE_OP: change *uaddr2, wake uaddr, and uaddr2 too if the old value passes. */
static long futex_wake_op(struct task *t, uint64_t uaddr, uint64_t uaddr2, bool private,
                          int nr_wake, int nr_wake2, uint32_t encoded)
{
    struct futex_key k1, k2;
    long err = get_futex_key(t->mm, uaddr, private, &k1);
    if (!err)
        err = get_futex_key(t->mm, uaddr2, private, &k2);
    if (err)
        return err;
    unsigned int op = (encoded >> 28) & 7, cmp = (encoded >> 24) & 15;
    uint32_t oparg = (encoded >> 12) & 0xfff, cmparg = encoded & 0xfff;
    if (encoded & (1u << 31))
        oparg = oparg < 32 ? 1u << oparg : 0;
    uint32_t old, v;
    if (copy_from_user(t->mm, &old, uaddr2, sizeof(old)))
        return -EFAULT;
    switch (op) {
    case FUTEX_OP_SET:
        v = oparg;
        break;
    case FUTEX_OP_ADD:
        v = old + oparg;
        break;
    case FUTEX_OP_OR:
        v = old | oparg;
        break;
    case FUTEX_OP_ANDN:
        v = old & ~oparg;
        break;
    case FUTEX_OP_XOR:
        v = old ^ oparg;
        break;
    default:
        return -ENOSYS;
    }
    if (copy_to_user(t->mm, uaddr2, &v, sizeof(v)))
        return -EFAULT;
    bool pass;
    int32_t so = (int32_t)old, sc = (int32_t)cmparg;
    switch (cmp) {
    case FUTEX_OP_CMP_EQ:
        pass = old == cmparg;
        break;
    case FUTEX_OP_CMP_NE:
        pass = old != cmparg;
        break;
    case FUTEX_OP_CMP_LT:
        pass = so < sc;
        break;
    case FUTEX_OP_CMP_LE:
        pass = so <= sc;
        break;
    case FUTEX_OP_CMP_GT:
        pass = so > sc;
        break;
    case FUTEX_OP_CMP_GE:
        pass = so >= sc;
        break;
    default:
        return -ENOSYS;
    }
    int woken = wake_key(&k1, nr_wake, FUTEX_BITSET_MATCH_ANY);
    if (pass)
        woken += wake_key(&k2, nr_wake2, FUTEX_BITSET_MATCH_ANY);
    return woken;
}

/*
 * Priority-inheritance futexes (glibc's PTHREAD_PRIO_INHERIT mutexes): the
 * word holds the owner's TID, FUTEX_WAITERS when someone sleeps on it. One
 * CPU runs every task with no priorities, so inheriting one changes
 * nothing; what matters is the hand-over: unlocking gives the lock straight
 * to the first waiter, as Linux's rt_mutex does.
 */
static long futex_lock_pi(struct task *t, uint64_t uaddr, bool private, uint64_t utimeout, bool try)
{
    struct futex_key key;
    long err = get_futex_key(t->mm, uaddr, private, &key);
    if (err)
        return err;
    int handed = futex_unqueue_rerun(t);
    bool again = handed >= 0;
    if (again) {
        if (handed)
            return 0; /* the unlocker made us the owner */
        if (t->restart.deadline && t->restart.deadline <= ktime_get_ns())
            return -ETIMEDOUT;
        if (signal_pending(t))
            return -ERESTARTNOINTR; /* Linux restarts lock_pi */
    }
    uint32_t v;
    for (;;) {
        if (copy_from_user(t->mm, &v, uaddr, sizeof(v)))
            return -EFAULT;
        uint32_t owner = v & FUTEX_TID_MASK;
        if (owner == (uint32_t)t->pid)
            return -EDEADLK;
        if (!owner) {
            /* Free (or its owner died): take it, keeping the waiters bit. */
            uint32_t nv = (uint32_t)t->pid | (v & FUTEX_WAITERS);
            if (copy_to_user(t->mm, uaddr, &nv, sizeof(nv)))
                return -EFAULT;
            return 0;
        }
        break;
    }
    if (try)
        return -EWOULDBLOCK;
    if (!again && utimeout) {
        struct timespec ts;
        if (copy_from_user(t->mm, &ts, utimeout, sizeof(ts)))
            return -EFAULT;
        uint64_t ns = (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
        t->restart.deadline = ns > boot_time_ns() ? ns - boot_time_ns() : 1; /* CLOCK_REALTIME */
    } else if (!again) {
        t->restart.deadline = 0;
    }
    if (t->restart.deadline && t->restart.deadline <= ktime_get_ns())
        return -ETIMEDOUT;
    uint32_t nv = v | FUTEX_WAITERS;
    if (nv != v && copy_to_user(t->mm, uaddr, &nv, sizeof(nv)))
        return -EFAULT;
    return futex_queue_and_sleep(t, &key, FUTEX_BITSET_MATCH_ANY, true, t->restart.deadline);
}

static long futex_unlock_pi(struct task *t, uint64_t uaddr, bool private)
{
    struct futex_key key;
    long err = get_futex_key(t->mm, uaddr, private, &key);
    if (err)
        return err;
    uint32_t v;
    if (copy_from_user(t->mm, &v, uaddr, sizeof(v)))
        return -EFAULT;
    if ((v & FUTEX_TID_MASK) != (uint32_t)t->pid)
        return -EPERM;
    struct futex_q *q, *next = NULL;
    int waiters = 0;
    list_for_each_entry(q, &futex_queue, list)
    {
        if (q->pi && key_eq(&q->key, &key)) {
            if (!next)
                next = q;
            waiters++;
        }
    }
    uint32_t nv = 0;
    if (next) {
        nv = (uint32_t)next->task->pid | (waiters > 1 ? FUTEX_WAITERS : 0);
        list_del(&next->list);
        INIT_LIST_HEAD(&next->list);
        wake_up(&next->wq);
    }
    return copy_to_user(t->mm, uaddr, &nv, sizeof(nv)) ? -EFAULT : 0;
}

static long sys_futex(struct task *t, const uint64_t a[6])
{
    int op = (int)a[1];
    int cmd = op & FUTEX_CMD_MASK;
    bool private = op & FUTEX_PRIVATE_FLAG;
    int clock = (op & FUTEX_CLOCK_REALTIME) ? CLOCK_REALTIME : CLOCK_MONOTONIC;
    if ((op & FUTEX_CLOCK_REALTIME) && cmd != FUTEX_WAIT_BITSET && cmd != FUTEX_WAIT)
        return -ENOSYS;
    switch (cmd) {
    case FUTEX_WAIT:
        return futex_wait(t, a[0], private, (uint32_t)a[2], a[3], false, FUTEX_BITSET_MATCH_ANY,
                          clock);
    case FUTEX_WAIT_BITSET:
        return futex_wait(t, a[0], private, (uint32_t)a[2], a[3], true, (uint32_t)a[5], clock);
    case FUTEX_WAKE:
    case FUTEX_WAKE_BITSET: {
        uint32_t bitset = cmd == FUTEX_WAKE ? FUTEX_BITSET_MATCH_ANY : (uint32_t)a[5];
        if (!bitset)
            return -EINVAL;
        struct futex_key key;
        long err = get_futex_key(t->mm, a[0], private, &key);
        return err ? err : wake_key(&key, (int)a[2], bitset);
    }
    case FUTEX_REQUEUE:
        return futex_requeue(t, a[0], a[4], private, (int)a[2], (int)a[3], NULL);
    case FUTEX_CMP_REQUEUE: {
        uint32_t cmp = (uint32_t)a[5];
        return futex_requeue(t, a[0], a[4], private, (int)a[2], (int)a[3], &cmp);
    }
    case FUTEX_WAKE_OP:
        return futex_wake_op(t, a[0], a[4], private, (int)a[2], (int)a[3], (uint32_t)a[5]);
    case FUTEX_LOCK_PI:
    case FUTEX_LOCK_PI2:
        return futex_lock_pi(t, a[0], private, a[3], false);
    case FUTEX_TRYLOCK_PI:
        return futex_lock_pi(t, a[0], private, 0, true);
    case FUTEX_UNLOCK_PI:
        return futex_unlock_pi(t, a[0], private);
    case FUTEX_WAIT_REQUEUE_PI:
    case FUTEX_CMP_REQUEUE_PI: {
        /* A documented refusal (docs/architecture.md): said once per run. */
        static bool reported;
        if (!reported) {
            reported = true;
            fprintf(stderr,
                    "vmemu: futex operation %d (requeue to a priority-inheritance futex) is "
                    "not supported: returning ENOSYS\n",
                    cmd);
        }
        return -ENOSYS;
    }
    default:
        return -ENOSYS; /* no such operation, as Linux answers */
    }
}

void sys_futex_register(syscall_fn table[NR_SYSCALLS])
{
    table[SYS_futex] = sys_futex;
}
