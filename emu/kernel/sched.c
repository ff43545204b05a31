/*
 * The scheduler: the run queue, sleeping and waking, timers, the clock, and
 * the run loop that turns a stopped CPU into kernel work.
 *
 * Ordering rules (there is one host thread; "concurrency" is only the
 * order in which the loop does things):
 * - Guest code runs only inside cpu_run(). System calls run inside the
 *   CPU's syscall hook, between two guest instructions; anything that
 *   changes RIP or switches tasks is left for the loop (resume_ip,
 *   need_resched, a sleep, a pending signal), which the hook asks for by
 *   stopping the CPU (cpu_request_stop) before the next block runs.
 * - A task's context is saved when it leaves the CPU and restored when it
 *   comes back; nothing reads a non-current task's registers from the CPU.
 * - Timers fire only in the loop (exit_to_user_mode and idle), never in a
 *   hook, so a timer's signal always finds its target between instructions.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "emu/cpu.h"
#include "emu/fs/userfaultfd.h"
#include "emu/kernel/exit.h"
#include "emu/hostsig.h"
#include "emu/kernel/sched.h"
#include "emu/kernel/signal.h"
#include "emu/kernel/syscall.h"
#include "emu/kernel/vdso.h"
#include "emu/kernel/vsyscall.h"
#include "emu/trace/progress.h"
#include "emu/trace/report.h"
#include "emu/trace/sampler.h"
#include "emu/trace/trace.h"
#include "mm/arch.h"
#include "mm/fault.h"
#include "mm/swap.h"

#define VIRTUAL_EPOCH_NS (1767225600ULL * 1000000000ULL) /* 2026-01-01 00:00:00 UTC */
#define VCLOCK_STEP_NS 1000ULL                           /* what one clock query takes */
#define SYSCALL_QUANTUM 100   /* syscalls a task may make while others wait to run */
#define QUANTUM_BLOCKS 100000 /* with preemption on: blocks a task runs while others wait */
#define NS_PER_BLOCK 10       /* with preemption on: the virtual time one block takes */
#define EXIT_DEADLOCK 124     /* every task blocked for good, as timeout(1) exits */
#define TICK_NSEC                                                                                  \
    4000000ULL /* HZ=250: the coarse clocks move, and [vvar] is rewritten, per tick                \
                */

struct task *current;

static struct list_head runqueue = LIST_HEAD_INIT(runqueue);
static struct list_head timers = LIST_HEAD_INIT(timers);
static bool realtime;
static uint64_t vclock_ns;     /* virtual: ns since the machine started */
static uint64_t vvar_tick;     /* the tick [vvar] was last written in, plus one; 0: never */
static uint64_t host_boot_ns;  /* realtime: the host's CLOCK_MONOTONIC at start */
static uint64_t host_epoch_ns; /* realtime: CLOCK_REALTIME at start */
static unsigned int syscalls_in_slice;
static struct task *init_task;
static int init_status = -1;
static bool deadlocked;
static bool follow_guest_work; /* count blocks from the start (a timeline was asked for) */
static bool in_run;            /* the CPU is running: blocks it ran are not in vclock_ns yet */
static bool sample_cut;        /* the sampler, not the quantum, ends the current run */
static uint64_t sample_carry;  /* blocks of the quantum run before the sampler cut it */
static uint64_t blocks_total;  /* guest blocks counted so far */

static void clock_moved(void);

static uint64_t host_ns(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

void sched_init(const struct vmemu_options *opts)
{
    realtime = opts->realtime;
    vclock_ns = 0;
    vvar_tick = 0;
    host_boot_ns = host_ns(CLOCK_MONOTONIC);
    host_epoch_ns = host_ns(CLOCK_REALTIME);
    clock_moved();
    INIT_LIST_HEAD(&runqueue);
    INIT_LIST_HEAD(&timers);
    current = NULL;
    init_task = NULL;
    init_status = -1;
    deadlocked = false;
    follow_guest_work = false;
    sample_carry = blocks_total = 0;
}

uint64_t sched_blocks_run(void)
{
    return blocks_total;
}

void sched_follow_guest_work(void)
{
    follow_guest_work = true;
}

/* ---- the clock ------------------------------------------------------------------ */

uint64_t ktime_get_ns(void)
{
    return realtime ? host_ns(CLOCK_MONOTONIC) - host_boot_ns : vclock_ns;
}

uint64_t sched_clock_ns(void)
{
    uint64_t now = ktime_get_ns();
    if (in_run && !realtime && current && cpu_preempting(current->cpu))
        now += cpu_blocks_run(current->cpu) * NS_PER_BLOCK;
    return now;
}

uint64_t boot_time_ns(void)
{
    return realtime ? host_epoch_ns : VIRTUAL_EPOCH_NS;
}

/*
 * The clock may have moved: on a new tick, rewrite the vDSO's data page
 * ([vvar]), as Linux's timekeeping does from its tick. Called wherever the
 * machine clock changes, so the page never lags a tick behind.
 */
static void clock_moved(void)
{
    uint64_t now = ktime_get_ns(), tick = now / TICK_NSEC + 1;
    if (tick != vvar_tick) {
        vvar_tick = tick;
        vdso_update_time(now, boot_time_ns());
    }
}

static bool timer_due(void)
{
    return !list_empty(&timers) &&
           list_first_entry(&timers, struct ktimer, node)->expires <= ktime_get_ns();
}

uint64_t clock_read_ns(int clockid)
{
    if (!realtime) {
        vclock_ns += VCLOCK_STEP_NS;
        /* Time passed a timer: let the loop fire it before the guest goes on. */
        if (current && timer_due())
            cpu_request_stop(current->cpu);
    }
    clock_moved();
    uint64_t now = ktime_get_ns();
    if (clockid == CLOCK_REALTIME || clockid == CLOCK_REALTIME_COARSE || clockid == CLOCK_TAI)
        now += boot_time_ns();
    /* The coarse clocks stand at the last tick (the vDSO reckons them alike). */
    if (clockid == CLOCK_REALTIME_COARSE || clockid == CLOCK_MONOTONIC_COARSE)
        now -= now % TICK_NSEC;
    return now; /* monotonic, boot time and the CPU-time clocks count from the start */
}

uint64_t pvclock_read(void)
{
    return clock_read_ns(CLOCK_MONOTONIC);
}

/* A fault is the current task's (Linux's task_struct min_flt/maj_flt). */
void arch_account_fault(struct mm_struct *mm, bool major)
{
    (void)mm;
    if (!current)
        return;
    if (major)
        current->maj_flt++;
    else
        current->min_flt++;
    progress_tick();
}

/*
 * kswapd (mm/vmscan.c) is a kernel thread of this one CPU: woken, it runs
 * at the woken task's next preemption point, as Linux's wakeup
 * preemption would run it there. A wake-up inside a system call or a fault
 * handled in the run loop stops the CPU once the call returns; one inside
 * the TLB-fill hook cannot stop the CPU, so the hook refuses its fill and
 * the CPU stops on the access (emu/cpu.c). run_current() then runs
 * kswapd_run() before the guest goes on. Nothing depends on host time.
 */
void arch_wake_kswapd(void)
{
    if (current && !cpu_in_fill(current->cpu))
        cpu_request_stop(current->cpu);
}

/* mm/'s clock for dirty-page expiry: the wall clock the guest sees. */
uint64_t arch_now_ns(void)
{
    return boot_time_ns() + ktime_get_ns();
}

/* ---- timers --------------------------------------------------------------------- */

void ktimer_start(struct ktimer *tm, uint64_t expires)
{
    ktimer_cancel(tm);
    tm->expires = expires;
    struct list_head *pos = &timers;
    struct ktimer *t;
    /* After every timer with the same expiry: they fire in the order they were set. */
    list_for_each_entry(t, &timers, node)
    {
        if (t->expires > expires) {
            pos = &t->node;
            break;
        }
    }
    list_insert_between(&tm->node, pos->prev, pos);
    tm->queued = true;
}

void ktimer_cancel(struct ktimer *tm)
{
    if (tm->queued) {
        list_del(&tm->node);
        tm->queued = false;
    }
}

/* Fire every timer that is due; true if any fired. */
bool run_timers(void)
{
    bool any = false;
    while (timer_due()) {
        struct ktimer *tm = list_first_entry(&timers, struct ktimer, node);
        ktimer_cancel(tm);
        tm->fn(tm);
        any = true;
    }
    return any;
}

/* ---- sleeping and waking --------------------------------------------------------- */

bool prepare_to_sleep(struct wait_queue_head *wq)
{
    struct wait_queue_entry *w = malloc(sizeof(*w));
    if (!w)
        return false;
    w->wq = wq;
    w->task = current;
    list_add_tail(&w->entry, &wq->head);
    list_add_tail(&w->link, &current->waits);
    return true;
}

static void finish_wait(struct task *t)
{
    struct wait_queue_entry *w, *n;
    list_for_each_entry_safe(w, n, &t->waits, link)
    {
        list_del(&w->entry);
        list_del(&w->link);
        free(w);
    }
    ktimer_cancel(&t->timeout);
}

static void timeout_fn(struct ktimer *tm)
{
    wake_up_process(tm->data);
}

long sleep_on(uint64_t deadline)
{
    struct task *t = current;
    if (signal_pending(t) || (deadline && deadline <= ktime_get_ns())) {
        finish_wait(t);
        return -ERESTARTSYS;
    }
    if (deadline) {
        t->timeout.fn = timeout_fn;
        t->timeout.data = t;
        ktimer_start(&t->timeout, deadline);
    }
    t->state = TASK_INTERRUPTIBLE;
    t->in_wait = true;
    cpu_request_stop(t->cpu);
    return -ERESTARTSYS;
}

long wait_on(struct wait_queue_head *wq)
{
    if (!prepare_to_sleep(wq))
        return -ENOMEM;
    return sleep_on(0);
}

void wake_up(struct wait_queue_head *wq)
{
    while (!list_empty(&wq->head))
        wake_up_process(list_first_entry(&wq->head, struct wait_queue_entry, entry)->task);
}

void wake_up_process(struct task *t)
{
    if (t->state != TASK_INTERRUPTIBLE && t->state != TASK_UNINTERRUPTIBLE &&
        t->state != TASK_STOPPED)
        return;
    finish_wait(t);
    t->state = TASK_RUNNING;
    if (t != current)
        list_add_tail(&t->run_list, &runqueue);
}

void signal_wake_up(struct task *t, bool fatal)
{
    if (t->state == TASK_INTERRUPTIBLE ||
        (fatal && t->state != TASK_ZOMBIE && t->state != TASK_DEAD && t->state != TASK_RUNNING))
        wake_up_process(t);
    if (t == current)
        cpu_request_stop(t->cpu);
}

void sched_remove(struct task *t)
{
    finish_wait(t);
    userfaultfd_task_exit(t);
    if (t != current && t->state == TASK_RUNNING && !list_empty(&t->run_list))
        list_del(&t->run_list);
    t->in_wait = false;
}

void sleep_uninterruptible(void)
{
    current->state = TASK_UNINTERRUPTIBLE;
    cpu_request_stop(current->cpu);
}

void sched_fork(struct task *t)
{
    t->state = TASK_RUNNING;
    list_add_tail(&t->run_list, &runqueue);
}

/* After a syscall: others are waiting and this task has had its share. */
void sched_syscall_tick(struct task *t)
{
    if (++syscalls_in_slice >= SYSCALL_QUANTUM && !list_empty(&runqueue)) {
        t->need_resched = true;
        cpu_request_stop(t->cpu);
    }
}

/* ---- the run loop ----------------------------------------------------------------- */

static int trap_signal(int vector, int *code)
{
    switch (vector) {
    case 0: /* #DE */
        *code = FPE_INTDIV;
        return SIGFPE;
    case 16: /* #MF: x87 */
    case 19: /* #XM: SIMD */
        *code = 0;
        return SIGFPE;
    case 1:
    case 3: /* int3: Linux sends it as from the kernel */
        *code = SI_KERNEL;
        return SIGTRAP;
    case 6: /* #UD */
        *code = ILL_ILLOPN;
        return SIGILL;
    case 17: /* #AC */
        *code = BUS_ADRALN;
        return SIGBUS;
    default: /* #GP, #SS, ... */
        *code = SI_KERNEL;
        return SIGSEGV;
    }
}

static void handle_trap(struct task *t, const struct cpu_trap *trap)
{
    int code, sig = trap_signal(trap->vector, &code);
    t->fault_trapno = trap->vector;
    t->fault_err = 0;
    if (unhandled_signal(t, sig))
        report_trap_signal(t, sig, trap);
    force_sig_fault(t, sig, code, (sig == SIGFPE || sig == SIGILL) ? trap->ip : 0);
}

/* Is a process other than t's on its way out (killed, exiting)? */
static bool other_process_dying(const struct task *t)
{
    for (struct task *u = next_task(NULL); u; u = next_task(u))
        if (u->tgid != t->tgid && u->state != TASK_ZOMBIE && u->state != TASK_DEAD &&
            (fatal_signal_pending(u) || u->exiting))
            return true;
    return false;
}

/* A fault handle_mm_fault refused: the signal Linux sends for it. */
static void fault_failed(struct task *t, const struct cpu_fault *f, const struct fault_result *r)
{
    if (r->kind == FAULT_OOM) {
        /* The OOM killer chose this process: SIGKILL is on its way. */
        if (fatal_signal_pending(t))
            return;
        /* Another process is dying: let it run and give its memory back, then fault again. */
        if (other_process_dying(t) && !list_empty(&runqueue)) {
            t->need_resched = true;
            cpu_set(t->cpu, CPU_RIP, f->ip);
            return;
        }
        fprintf(stderr, "vmemu: out of memory: killed %s[%d]\n", t->comm, t->tgid);
        force_sig(t, SIGKILL);
        return;
    }
    int sig = r->kind == FAULT_SIGBUS ? SIGBUS : SIGSEGV;
    int code = r->kind == FAULT_SIGBUS        ? BUS_ADRERR
               : r->kind == FAULT_SEGV_ACCERR ? SEGV_ACCERR
                                              : SEGV_MAPERR;
    uint64_t addr = cpu_fault_address(t->cpu, f);
    t->fault_trapno = 14;
    t->fault_err = report_fault_error_code(t, f);
    t->fault_cr2 = addr;
    if (unhandled_signal(t, sig))
        report_fault_signal(t, sig, f);
    force_sig_fault(t, sig, code, addr);
}

static void handle_page_fault(struct task *t, struct cpu_fault *f, unsigned *spurious)
{
    struct fault_result r;
    /* The exact address costs a decode: only when someone reads it. */
    unsigned long addr = trace_wants(t->tracer, TRACE_FAULT)
                             ? (unsigned long)cpu_fault_address(t->cpu, f)
                             : (unsigned long)f->addr;
    t->fault_ip = f->ip;
    if (emulate_vsyscall(t, f))
        return;
    if (f->handled) {
        /* Inline mode: the fill hook ran handle_mm_fault and it refused. */
        r = f->result;
    } else {
        handle_mm_fault(t->mm, addr, f->flags, &r);
    }
    if (r.kind == FAULT_USERFAULT) {
        /* The handler resolves it; the instruction runs again once woken. */
        cpu_set(t->cpu, CPU_RIP, f->ip);
        userfaultfd_wait(t, &r, addr, f);
        return;
    }
    if (fault_is_error(r.kind)) {
        fault_failed(t, f, &r);
        return;
    }
    /* The entry allowed the access yet the CPU faulted again and again. */
    if (r.kind == FAULT_SPURIOUS && ++*spurious > 16) {
        fprintf(stderr, "vmemu: internal error: fault at %#lx ip %#lx does not resolve\n",
                (unsigned long)f->addr, (unsigned long)f->ip);
        force_sig(t, SIGSEGV);
        return;
    }
    if (r.kind != FAULT_SPURIOUS)
        *spurious = 0;
    cpu_set(t->cpu, CPU_RIP, f->ip);
}

/* Handle one stop of the CPU for t. */
static void handle_stop(struct task *t, enum cpu_stop why, struct cpu_fault *f,
                        struct cpu_trap *trap, unsigned *spurious)
{
    switch (why) {
    case CPU_STOP_REQUESTED:
        /* Unicorn stops cleanly on reaching address 0: that is a jump to NULL. */
        if (cpu_get(t->cpu, CPU_RIP) != 0 || t->resume_ip)
            return;
        f->addr = f->ip = 0;
        f->flags = FAULT_FLAG_INSTRUCTION | FAULT_FLAG_USER;
        handle_page_fault(t, f, spurious);
        return;
    case CPU_STOP_PAGE_FAULT:
        handle_page_fault(t, f, spurious);
        return;
    case CPU_STOP_TRAP:
        handle_trap(t, trap);
        return;
    case CPU_STOP_ERROR:
        break;
    }
    fprintf(stderr, "vmemu: emulator error: %s at ip %#lx\n", cpu_error(t->cpu),
            (unsigned long)cpu_get(t->cpu, CPU_RIP));
    force_sig(t, SIGILL);
}

/* Blocks from now until the virtual clock reaches when. */
static uint64_t blocks_until(uint64_t when)
{
    return when > vclock_ns ? (when - vclock_ns) / NS_PER_BLOCK + 1 : 1;
}

/*
 * With preemption on, how many blocks the next run may take: a quantum,
 * or less if a timer falls due sooner on the virtual clock, or the sampler
 * wants to look (that cut does not end the quantum: its rest carries over).
 */
static uint64_t quantum_now(void)
{
    sample_cut = false;
    if (!current || !cpu_preempting(current->cpu))
        return 0;
    uint64_t q = QUANTUM_BLOCKS - sample_carry;
    if (!realtime && !list_empty(&timers)) {
        uint64_t until = blocks_until(list_first_entry(&timers, struct ktimer, node)->expires);
        if (until < q)
            q = until;
    }
    if (!realtime && sampler_active() && blocks_until(sampler_due_ns()) < q) {
        q = blocks_until(sampler_due_ns());
        sample_cut = true;
    }
    return q;
}

/* The blocks a run took move the virtual clock; a spent quantum lets others run. */
static void account_blocks(struct task *t)
{
    if (!cpu_preempting(t->cpu))
        return;
    blocks_total += cpu_blocks_run(t->cpu);
    if (!realtime) {
        vclock_ns += cpu_blocks_run(t->cpu) * NS_PER_BLOCK;
        clock_moved();
    }
    bool expired = cpu_quantum_expired(t->cpu);
    if (expired && sample_cut) {
        sample_carry += cpu_blocks_run(t->cpu);
        return;
    }
    sample_carry = 0;
    if (expired && !list_empty(&runqueue))
        t->need_resched = true;
}

void sched_need_preemption(void)
{
    if (current)
        cpu_enable_preemption(current->cpu);
}

/* Run t until it sleeps, exits or must let another task run. */
static void run_current(struct task *t)
{
    unsigned spurious = 0;
    syscalls_in_slice = 0;
    for (;;) {
        kswapd_run(); /* woken since the last stop: it runs before the guest goes on */
        struct cpu_fault uf;
        if (t->uffd_fault && userfaultfd_resume(t, &uf))
            handle_page_fault(t, &uf, &spurious); /* Linux's retry, in the kernel, before signals */
        exit_to_user_mode(t);
        if (t->state != TASK_RUNNING)
            return;
        if (t->need_resched) {
            t->need_resched = false;
            if (!list_empty(&runqueue)) {
                list_add_tail(&t->run_list, &runqueue);
                return;
            }
            syscalls_in_slice = 0;
        }
        struct cpu_fault f = {0};
        struct cpu_trap trap = {0};
        uint64_t quantum = quantum_now();
        in_run = true;
        enum cpu_stop why = cpu_run(t->cpu, cpu_get(t->cpu, CPU_RIP), quantum, &f, &trap);
        in_run = false;
        host_signals_deliver(); /* signals sent to vmemu are the guest's now */
        account_blocks(t);
        sampler_tick();
        progress_tick();
        handle_stop(t, why, &f, &trap, &spurious);
    }
}

static void switch_to(struct cpu *cpu, struct task *next)
{
    cpu_context_restore(cpu, next->ctx);
    current = next;
    cpu_set_task(cpu, next);
}

/* t left the CPU: keep its registers, or let it go if it is gone. */
static void put_prev(struct cpu *cpu, struct task *t)
{
    if (t->state == TASK_DEAD) {
        if (t == init_task)
            init_task = NULL;
        release_task(t);
    } else if (t->state != TASK_ZOMBIE) {
        cpu_context_save(cpu, t->ctx);
    }
    current = NULL;
}

static bool any_task_alive(void)
{
    for (struct task *t = next_task(NULL); t; t = next_task(t))
        if (t->state != TASK_ZOMBIE && t->state != TASK_DEAD)
            return true;
    return false;
}

/* Nothing can run: move the clock to the next timer. False if there is none. */
static bool idle(void)
{
    if (list_empty(&timers))
        return false;
    uint64_t next = list_first_entry(&timers, struct ktimer, node)->expires;
    if (realtime) {
        uint64_t now = ktime_get_ns();
        if (next > now) {
            struct timespec ts = {(time_t)((next - now) / 1000000000ULL),
                                  (long)((next - now) % 1000000000ULL)};
            nanosleep(&ts, NULL);
        }
    } else if (next > vclock_ns) {
        vclock_ns = next;
    }
    clock_moved();
    run_timers();
    return true;
}

/* Every task sleeps and no timer will wake one: say who waits, end them all. */
static void deadlock(void)
{
    bool init_alive = init_task && init_task->state != TASK_ZOMBIE;
    if (init_alive) {
        fprintf(stderr, "vmemu: deadlock: every task is blocked and nothing can wake one:");
        for (struct task *t = next_task(NULL); t; t = next_task(t))
            if (t->state != TASK_ZOMBIE && t->state != TASK_DEAD)
                fprintf(stderr, " %s[%d] in %s", t->comm, t->pid,
                        t->state == TASK_STOPPED ? "stopped"
                        : t->uffd_fault          ? "a page fault userfaultfd handles"
                                                 : syscall_name(t->syscall_nr));
        fputc('\n', stderr);
    }
    for (struct task *t = next_task(NULL); t; t = next_task(t))
        if (t->state != TASK_ZOMBIE && t->state != TASK_DEAD)
            force_sig(t, SIGKILL);
    if (init_alive)
        deadlocked = true;
}

void kernel_note_exit(struct task *t, int wait_status)
{
    if (t == init_task && !deadlocked)
        init_status = wait_status;
}

struct task *kernel_init_task(void)
{
    return init_task;
}

int kernel_init_status(void)
{
    return init_status;
}

static int exit_status_of(int wait_status)
{
    if (deadlocked)
        return EXIT_DEADLOCK;
    if (wait_status < 0)
        return 0;
    if (wait_status & 0x7f)
        return 128 + (wait_status & 0x7f);
    return (wait_status >> 8) & 0xff;
}

int kernel_run(struct task *init)
{
    struct cpu *cpu = init->cpu;
    init_task = init;
    struct task *t = init;
    init->state = TASK_RUNNING;
    if (follow_guest_work)
        cpu_enable_preemption(cpu);
    for (;;) {
        if (t) {
            run_current(t);
            put_prev(cpu, t);
            kswapd_run(); /* an exit or a sleep may have woken it */
        }
        t = NULL;
        while (!t) {
            if (!list_empty(&runqueue)) {
                t = list_first_entry(&runqueue, struct task, run_list);
                list_del(&t->run_list);
            } else if (!any_task_alive()) {
                break;
            } else if (!idle()) {
                deadlock();
            }
        }
        if (!t)
            break;
        switch_to(cpu, t);
    }
    cpu_set_task(cpu, NULL);
    return exit_status_of(init_status);
}
