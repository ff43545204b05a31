#define _GNU_SOURCE
/*
 * Process identity and resources: pids, process groups and sessions, user
 * and group ids, rlimits, usage, prctl, uname, the TLS base, getrandom.
 */
#include <errno.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "emu/cpu.h"
#include "emu/kernel/sched.h"
#include "emu/kernel/signal.h"
#include "emu/kernel/syscall.h"
#include "emu/kernel/task.h"
#include "emu/trace/trace.h"
#include "mm/mmap.h"
#include "mm/mmzone.h"
#include "mm/swap.h"
#include "mm/uaccess.h"

#define ARCH_SET_GS 0x1001
#define ARCH_SET_FS 0x1002
#define ARCH_GET_FS 0x1003
#define ARCH_GET_GS 0x1004
#define ROBUST_LIST_HEAD_SIZE 24

static long sys_arch_prctl(struct task *t, const uint64_t a[6])
{
    switch (a[0]) {
    case ARCH_SET_FS:
    case ARCH_SET_GS:
        if (a[1] >= TASK_SIZE)
            return -EPERM;
        cpu_set(t->cpu, a[0] == ARCH_SET_FS ? CPU_FS_BASE : CPU_GS_BASE, a[1]);
        return 0;
    case ARCH_GET_FS:
    case ARCH_GET_GS: {
        uint64_t v = cpu_get(t->cpu, a[0] == ARCH_GET_FS ? CPU_FS_BASE : CPU_GS_BASE);
        return copy_to_user(t->mm, a[1], &v, sizeof(v)) ? -EFAULT : 0;
    }
    default:
        return -EINVAL;
    }
}

static long sys_set_tid_address(struct task *t, const uint64_t a[6])
{
    t->clear_child_tid = a[0];
    return t->pid;
}

static long sys_set_robust_list(struct task *t, const uint64_t a[6])
{
    if (a[1] != ROBUST_LIST_HEAD_SIZE)
        return -EINVAL;
    t->robust_list = a[0];
    t->robust_list_len = a[1];
    return 0;
}

static long sys_get_robust_list(struct task *t, const uint64_t a[6])
{
    struct task *p = a[0] ? find_task_by_vpid((int)a[0]) : t;
    if (!p || p->state == TASK_DEAD)
        return -ESRCH;
    uint64_t head = p->robust_list, len = ROBUST_LIST_HEAD_SIZE;
    if (copy_to_user(t->mm, a[2], &len, sizeof(len)) ||
        copy_to_user(t->mm, a[1], &head, sizeof(head)))
        return -EFAULT;
    return 0;
}

/* As a kernel built without restartable sequences answers. */
static long sys_rseq(struct task *t, const uint64_t a[6])
{
    (void)t, (void)a;
    return -ENOSYS;
}

static long sys_getpid(struct task *t, const uint64_t a[6])
{
    (void)a;
    return t->tgid;
}

static long sys_gettid(struct task *t, const uint64_t a[6])
{
    (void)a;
    return t->pid;
}

static long sys_getppid(struct task *t, const uint64_t a[6])
{
    (void)a;
    return task_ppid(t);
}

/* ---- process groups and sessions ------------------------------------------------ */

static struct task *process_of(struct task *t, int pid)
{
    if (!pid)
        return t->group_leader;
    struct task *p = find_task_by_vpid(pid);
    return p && thread_group_leader(p) && p->state != TASK_DEAD ? p : NULL;
}

static bool pgrp_in_session(int pgrp, int session)
{
    for (struct task *u = next_task(NULL); u; u = next_task(u))
        if (thread_group_leader(u) && u->state != TASK_DEAD && u->signal->pgrp == pgrp &&
            u->signal->session == session)
            return true;
    return false;
}

static long sys_setpgid(struct task *t, const uint64_t a[6])
{
    int pid = (int)a[0], pgid = (int)a[1];
    if (pgid < 0)
        return -EINVAL;
    struct task *p = process_of(t, pid);
    if (!p)
        return -ESRCH;
    if (!pgid)
        pgid = p->tgid;
    /* Only the caller or one of its children, not yet past exec... */
    if (p != t->group_leader) {
        if (p->real_parent != t->group_leader && p->real_parent != t)
            return -ESRCH;
        if (p->signal->session != t->signal->session)
            return -EPERM;
    }
    /* ...not a session leader, and into a group of its own session. */
    if (p->signal->session == p->tgid)
        return -EPERM;
    if (pgid != p->tgid && !pgrp_in_session(pgid, t->signal->session))
        return -EPERM;
    p->signal->pgrp = pgid;
    return 0;
}

static long sys_getpgid(struct task *t, const uint64_t a[6])
{
    struct task *p = process_of(t, (int)a[0]);
    return p ? p->signal->pgrp : -ESRCH;
}

static long sys_getpgrp(struct task *t, const uint64_t a[6])
{
    (void)a;
    return t->signal->pgrp;
}

static long sys_getsid(struct task *t, const uint64_t a[6])
{
    struct task *p = process_of(t, (int)a[0]);
    return p ? p->signal->session : -ESRCH;
}

static long sys_setsid(struct task *t, const uint64_t a[6])
{
    (void)a;
    int pid = t->tgid;
    /* A process group leader, or a pid some group uses, cannot start a session. */
    for (struct task *u = next_task(NULL); u; u = next_task(u))
        if (thread_group_leader(u) && u->state != TASK_DEAD && u->signal->pgrp == pid)
            return -EPERM;
    t->signal->pgrp = t->signal->session = pid;
    return pid;
}

/* The guest runs as the user who runs vmemu, as a native run would. */
static long sys_prlimit64(struct task *t, const uint64_t a[6])
{
    struct task *p = process_of(t, (int)a[0]);
    if (!p)
        return -ESRCH;
    if (a[1] >= RLIM_NLIMITS)
        return -EINVAL;
    struct rlimit *cur = &p->signal->rlim[a[1]], n;
    if (a[2] && copy_from_user(t->mm, &n, a[2], sizeof(n)))
        return -EFAULT;
    if (a[2] && n.rlim_cur > n.rlim_max)
        return -EINVAL;
    /* Raising a hard limit needs CAP_SYS_RESOURCE. */
    if (a[2] && n.rlim_max > cur->rlim_max && !cred_capable(&t->cred, CAP_SYS_RESOURCE))
        return -EPERM;
    if (a[3] && copy_to_user(t->mm, a[3], cur, sizeof(*cur)))
        return -EFAULT;
    if (a[2]) {
        *cur = n;
        task_set_mm_limits(p);
    }
    return 0;
}

static long sys_getrlimit(struct task *t, const uint64_t a[6])
{
    uint64_t b[6] = {0, a[0], 0, a[1]};
    return sys_prlimit64(t, b);
}

static long sys_setrlimit(struct task *t, const uint64_t a[6])
{
    uint64_t b[6] = {0, a[0], a[1], 0};
    return sys_prlimit64(t, b);
}

static long sys_uname(struct task *t, const uint64_t a[6])
{
    struct utsname u;
    memset(&u, 0, sizeof(u));
    strcpy(u.sysname, "Linux");
    strcpy(u.nodename, "vmemu");
    strcpy(u.release, "6.1.0-vmemu");
    strcpy(u.version, "#1 SMP PREEMPT_DYNAMIC vmemu");
    strcpy(u.machine, "x86_64");
    strcpy(u.domainname, "(none)");
    return copy_to_user(t->mm, a[0], &u, sizeof(u)) ? -EFAULT : 0;
}

static long sys_getrandom(struct task *t, const uint64_t a[6])
{
    if (a[2] & ~(uint64_t)(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE))
        return -EINVAL;
    size_t len = a[1] > 33554431 ? 33554431 : (size_t)a[1]; /* Linux caps one call */
    for (size_t done = 0; done < len; done += 8) {
        uint64_t r = kernel_random();
        size_t n = len - done < 8 ? len - done : 8;
        if (copy_to_user(t->mm, a[0] + done, &r, n))
            return done ? (long)done : -EFAULT;
    }
    return (long)len;
}

static long sys_sched_yield(struct task *t, const uint64_t a[6])
{
    (void)a;
    t->need_resched = true;
    cpu_request_stop(t->cpu);
    return 0;
}

/* The CPUs the guest is told it has (--cpus): all of them, always allowed. */
static uint64_t cpu_mask(const struct task *t)
{
    unsigned int n = t->opts->cpus ? t->opts->cpus : 1;
    return n >= 64 ? ~0ULL : (1ULL << n) - 1;
}

static struct task *affinity_task(struct task *t, int pid)
{
    struct task *p = pid ? find_task_by_vpid(pid) : t;
    return p && p->state != TASK_DEAD && p->state != TASK_ZOMBIE ? p : NULL;
}

static long sys_sched_getaffinity(struct task *t, const uint64_t a[6])
{
    uint64_t mask = cpu_mask(t);
    if (!affinity_task(t, (int)a[0]))
        return -ESRCH;
    if (a[1] < sizeof(mask) || (a[1] & (sizeof(long) - 1)))
        return -EINVAL;
    return copy_to_user(t->mm, a[2], &mask, sizeof(mask)) ? -EFAULT : (long)sizeof(mask);
}

/* Any mask that names one of the guest's CPUs is taken; one CPU runs every task anyway. */
static long sys_sched_setaffinity(struct task *t, const uint64_t a[6])
{
    uint64_t mask = 0;
    if (!affinity_task(t, (int)a[0]))
        return -ESRCH;
    size_t len = a[1] < sizeof(mask) ? (size_t)a[1] : sizeof(mask);
    if (copy_from_user(t->mm, &mask, a[2], len))
        return -EFAULT;
    return (mask & cpu_mask(t)) ? 0 : -EINVAL;
}

/* getcpu: the one CPU that runs the guest is CPU 0, on node 0. */
static long sys_getcpu(struct task *t, const uint64_t a[6])
{
    uint32_t zero = 0;
    if (a[0] && copy_to_user(t->mm, a[0], &zero, sizeof(zero)))
        return -EFAULT;
    if (a[1] && copy_to_user(t->mm, a[1], &zero, sizeof(zero)))
        return -EFAULT;
    return 0;
}

/*
 * membarrier: one CPU runs every thread in order, so every barrier is
 * already there; the answers are Linux's (the commands a kernel with the
 * private expedited ones supports, registration accepted).
 */
static long sys_membarrier(struct task *t, const uint64_t a[6])
{
    (void)t;
    enum {
        QUERY = 0,
        GLOBAL = 1,
        GLOBAL_EXPEDITED = 2,
        REGISTER_GLOBAL_EXPEDITED = 4,
        PRIVATE_EXPEDITED = 8,
        REGISTER_PRIVATE_EXPEDITED = 16,
        PRIVATE_EXPEDITED_SYNC_CORE = 32,
        REGISTER_PRIVATE_EXPEDITED_SYNC_CORE = 64,
    };
    const long supported = GLOBAL | GLOBAL_EXPEDITED | REGISTER_GLOBAL_EXPEDITED |
                           PRIVATE_EXPEDITED | REGISTER_PRIVATE_EXPEDITED |
                           PRIVATE_EXPEDITED_SYNC_CORE | REGISTER_PRIVATE_EXPEDITED_SYNC_CORE;
    int cmd = (int)a[0];
    if (a[1] & ~1ULL)
        return -EINVAL;
    if (cmd == QUERY)
        return supported;
    return (cmd & supported) && !(cmd & (cmd - 1)) ? 0 : -EINVAL;
}

/* The usage of the calling process, or of its reaped children. */
static long sys_getrusage(struct task *t, const uint64_t a[6])
{
    int who = (int)a[0];
    if (who != RUSAGE_SELF && who != RUSAGE_CHILDREN && who != RUSAGE_THREAD)
        return -EINVAL;
    struct rusage ru;
    memset(&ru, 0, sizeof(ru));
    const struct signal_struct *s = t->signal;
    uint64_t ns;
    if (who == RUSAGE_CHILDREN) {
        ns = s->cutime_ns;
        ru.ru_minflt = (long)s->cmin_flt;
        ru.ru_majflt = (long)s->cmaj_flt;
        ru.ru_maxrss = (long)s->cmaxrss_kb;
    } else {
        ns = ktime_get_ns() - t->start_ns;
        ru.ru_maxrss = (long)(t->mm->hiwater_rss * (PAGE_SIZE / 1024));
        struct fault_stats f;
        if (who == RUSAGE_SELF) {
            task_group_faults(t, &f);
        } else {
            f.min_flt = t->min_flt;
            f.maj_flt = t->maj_flt;
        }
        ru.ru_minflt = (long)f.min_flt;
        ru.ru_majflt = (long)f.maj_flt;
    }
    ru.ru_utime.tv_sec = (time_t)(ns / 1000000000ULL);
    ru.ru_utime.tv_usec = (suseconds_t)(ns % 1000000000ULL / 1000);
    return copy_to_user(t->mm, a[1], &ru, sizeof(ru)) ? -EFAULT : 0;
}

static long sys_sysinfo(struct task *t, const uint64_t a[6])
{
    struct sysinfo si;
    memset(&si, 0, sizeof(si));
    si.uptime = (long)(ktime_get_ns() / 1000000000ULL);
    /* Linux's si_meminfo and si_swapinfo: the same figures as MemTotal, MemFree, SwapTotal... */
    si.totalram = totalram_pages() * PAGE_SIZE;
    si.freeram = nr_free_pages() * PAGE_SIZE;
    si.totalswap = total_swap_pages() * PAGE_SIZE;
    si.freeswap = nr_swap_pages() * PAGE_SIZE;
    for (struct task *u = next_task(NULL); u; u = next_task(u))
        si.procs += u->state != TASK_DEAD;
    si.mem_unit = 1;
    return copy_to_user(t->mm, a[0], &si, sizeof(si)) ? -EFAULT : 0;
}

/* Linux's prctl values for memory (uapi prctl.h), newer than the build host's headers. */
#define PR_SET_MDWE 65
#define PR_GET_MDWE 66
#define PR_MDWE_REFUSE_EXEC_GAIN 1UL
#define PR_MDWE_NO_INHERIT 2UL
#define PR_SET_MEMORY_MERGE 67
#define PR_GET_MEMORY_MERGE 68
#define PR_SET_THP_DISABLE 41
#define PR_GET_THP_DISABLE 42
#define PR_THP_DISABLE_EXCEPT_ADVISED (1UL << 1) /* 6.18 */
#define PR_SET_VMA 0x53564d41
#define PR_SET_VMA_ANON_NAME 0
#define ANON_VMA_NAME_MAX_LEN 80

static unsigned long get_mdwe(const struct mm_struct *mm)
{
    return ((mm->flags >> MMF_HAS_MDWE) & 1 ? PR_MDWE_REFUSE_EXEC_GAIN : 0) |
           ((mm->flags >> MMF_HAS_MDWE_NO_INHERIT) & 1 ? PR_MDWE_NO_INHERIT : 0);
}

/*
 * PR_SET_MDWE (Linux 6.3): memory-deny-write-execute from now on, for good
 * (a setting once made cannot change: EPERM); NO_INHERIT only with
 * REFUSE_EXEC_GAIN. mm/ refuses the mappings and protections it denies.
 */
static long prctl_set_mdwe(struct task *t, const uint64_t a[6])
{
    unsigned long bits = a[1];
    if (a[2] || a[3] || a[4])
        return -EINVAL;
    if (bits & ~(PR_MDWE_REFUSE_EXEC_GAIN | PR_MDWE_NO_INHERIT))
        return -EINVAL;
    if ((bits & PR_MDWE_NO_INHERIT) && !(bits & PR_MDWE_REFUSE_EXEC_GAIN))
        return -EINVAL;
    unsigned long cur = get_mdwe(t->mm);
    if (cur && cur != bits)
        return -EPERM;
    if (bits & PR_MDWE_NO_INHERIT)
        t->mm->flags |= 1UL << MMF_HAS_MDWE_NO_INHERIT;
    if (bits & PR_MDWE_REFUSE_EXEC_GAIN)
        t->mm->flags |= 1UL << MMF_HAS_MDWE;
    return 0;
}

/*
 * PR_SET_THP_DISABLE: no transparent huge pages for the process (kept
 * across fork and execve), or with PR_THP_DISABLE_EXCEPT_ADVISED (6.18)
 * none but where MADV_HUGEPAGE asks; 0 clears both, and takes no flags.
 * vmemu maps no huge pages either way: the setting shows in
 * PR_GET_THP_DISABLE and status's THP_enabled.
 */
static long prctl_set_thp_disable(struct task *t, const uint64_t a[6])
{
    unsigned long *flags = &t->mm->flags;
    if (a[3] || a[4] || (a[1] ? a[2] & ~PR_THP_DISABLE_EXCEPT_ADVISED : a[2]))
        return -EINVAL;
    *flags &= ~((1UL << MMF_DISABLE_THP_COMPLETELY) | (1UL << MMF_DISABLE_THP_EXCEPT_ADVISED));
    if (a[1])
        *flags |= 1UL << (a[2] ? MMF_DISABLE_THP_EXCEPT_ADVISED : MMF_DISABLE_THP_COMPLETELY);
    return 0;
}

static long prctl_get_thp_disable(struct task *t, const uint64_t a[6])
{
    if (a[1] || a[2] || a[3] || a[4])
        return -EINVAL;
    if (t->mm->flags & (1UL << MMF_DISABLE_THP_COMPLETELY))
        return 1;
    return t->mm->flags & (1UL << MMF_DISABLE_THP_EXCEPT_ADVISED)
               ? (long)(1 | PR_THP_DISABLE_EXCEPT_ADVISED)
               : 0;
}

/* A character an anonymous VMA's name may hold (Linux's is_valid_name_char). */
static bool anon_name_char_ok(char c)
{
    return c > 0x1f && c < 0x7f && !strchr("\\`$[]", c);
}

/* PR_SET_VMA_ANON_NAME: at most 79 printable characters, or no name (a NULL pointer). */
static long prctl_set_vma(struct task *t, const uint64_t a[6])
{
    if (a[1] != PR_SET_VMA_ANON_NAME)
        return -EINVAL;
    char name[ANON_VMA_NAME_MAX_LEN];
    if (a[4]) {
        long n = strncpy_from_user(t->mm, name, a[4], sizeof(name));
        if (n < 0)
            return -EFAULT;
        if ((size_t)n >= sizeof(name))
            return -EINVAL; /* strndup_user: longer than the limit */
        for (long i = 0; i < n; i++)
            if (!anon_name_char_ok(name[i]))
                return -EINVAL;
    }
    return madvise_set_anon_name(t->mm, a[2], a[3], a[4] ? name : NULL);
}

/* The memory options of prctl: *handled says whether a[0] was one. */
static long prctl_mm(struct task *t, const uint64_t a[6], bool *handled)
{
    *handled = true;
    switch (a[0]) {
    case PR_SET_MDWE:
        return prctl_set_mdwe(t, a);
    case PR_GET_MDWE:
        return a[1] || a[2] || a[3] || a[4] ? -EINVAL : (long)get_mdwe(t->mm);
    case PR_SET_MEMORY_MERGE:
        if (a[2] || a[3] || a[4])
            return -EINVAL;
        ksm_set_merge_any(t->mm, a[1] != 0);
        return 0;
    case PR_GET_MEMORY_MERGE:
        if (a[1] || a[2] || a[3] || a[4])
            return -EINVAL;
        return (t->mm->flags >> MMF_VM_MERGE_ANY) & 1;
    case PR_SET_VMA:
        return prctl_set_vma(t, a);
    case PR_SET_THP_DISABLE:
        return prctl_set_thp_disable(t, a);
    case PR_GET_THP_DISABLE:
        return prctl_get_thp_disable(t, a);
    default:
        *handled = false;
        return -EINVAL;
    }
}

/* prctl(2): the options a program uses, capabilities and memory among them. */
static long sys_prctl(struct task *t, const uint64_t a[6])
{
    bool handled;
    long r = cap_prctl(t, a, &handled);
    if (!handled)
        r = prctl_mm(t, a, &handled);
    if (handled)
        return r;
    enum {
        SET_PDEATHSIG = 1,
        GET_PDEATHSIG,
        GET_DUMPABLE,
        SET_DUMPABLE,
        SET_NAME = 15,
        GET_NAME,
        SET_CHILD_SUBREAPER = 36,
        GET_CHILD_SUBREAPER,
    };
    char name[sizeof(t->comm)];
    int v;
    switch (a[0]) {
    case SET_NAME:
        /* The kernel copies up to 16 bytes and keeps 15 and a NUL. */
        if (strncpy_from_user(t->mm, name, a[1], sizeof(name)) < 0)
            return -EFAULT;
        name[sizeof(name) - 1] = '\0';
        memcpy(t->comm, name, sizeof(name));
        trace_rename(t->tracer, t, t->comm);
        return 0;
    case GET_NAME:
        return copy_to_user(t->mm, a[1], t->comm, sizeof(t->comm)) ? -EFAULT : 0;
    case SET_PDEATHSIG:
        if (a[1] > NR_SIGNALS)
            return -EINVAL;
        t->pdeath_signal = (int)a[1];
        return 0;
    case GET_PDEATHSIG:
        v = t->pdeath_signal;
        return copy_to_user(t->mm, a[1], &v, sizeof(v)) ? -EFAULT : 0;
    case GET_DUMPABLE:
        return 1;
    case SET_DUMPABLE:
        return a[1] > 1 ? -EINVAL : 0;
    case SET_CHILD_SUBREAPER:
        t->signal->is_child_subreaper = a[1] != 0;
        return 0;
    case GET_CHILD_SUBREAPER:
        v = t->signal->is_child_subreaper;
        return copy_to_user(t->mm, a[1], &v, sizeof(v)) ? -EFAULT : 0;
    default:
        return -EINVAL;
    }
}

void sys_proc_register(syscall_fn table[NR_SYSCALLS])
{
    table[SYS_prctl] = sys_prctl;
    table[SYS_arch_prctl] = sys_arch_prctl;
    table[SYS_set_tid_address] = sys_set_tid_address;
    table[SYS_set_robust_list] = sys_set_robust_list;
    table[SYS_get_robust_list] = sys_get_robust_list;
    table[SYS_rseq] = sys_rseq;
    table[SYS_getpid] = sys_getpid;
    table[SYS_gettid] = sys_gettid;
    table[SYS_getppid] = sys_getppid;
    table[SYS_setpgid] = sys_setpgid;
    table[SYS_getpgid] = sys_getpgid;
    table[SYS_getpgrp] = sys_getpgrp;
    table[SYS_getsid] = sys_getsid;
    table[SYS_setsid] = sys_setsid;
    table[SYS_prlimit64] = sys_prlimit64;
    table[SYS_getrlimit] = sys_getrlimit;
    table[SYS_setrlimit] = sys_setrlimit;
    table[SYS_uname] = sys_uname;
    table[SYS_getrandom] = sys_getrandom;
    table[SYS_sched_yield] = sys_sched_yield;
    table[SYS_sched_getaffinity] = sys_sched_getaffinity;
    table[SYS_sched_setaffinity] = sys_sched_setaffinity;
    table[SYS_getcpu] = sys_getcpu;
    table[SYS_membarrier] = sys_membarrier;
    table[SYS_getrusage] = sys_getrusage;
    table[SYS_sysinfo] = sys_sysinfo;
}
