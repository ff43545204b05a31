/*
 * The OOM killer's view of the guest (mm/arch.h's hooks): every process
 * with an address space, and SIGKILL for the one mm/oom_kill.c chooses
 * (and every other process sharing its mm, as Linux's __oom_kill_process
 * kills them), sent as the kernel sends it (SI_KERNEL). The victim dies on
 * its way back to user mode; a sleeping one is woken for it.
 */
#include <signal.h>

#include "emu/kernel/oom.h"
#include "emu/kernel/sched.h"
#include "emu/kernel/signal.h"
#include "mm/oom.h"

/* A process as the OOM killer sees it; false for one without an address space. */
bool oom_task_of(struct task *t, struct oom_task *out)
{
    if (!thread_group_leader(t) || !t->mm || t->state == TASK_ZOMBIE || t->state == TASK_DEAD)
        return false;
    *out = (struct oom_task){
        .task = t,
        .mm = t->mm,
        .pid = t->tgid,
        .uid = t->cred.uid,
        .oom_score_adj = t->signal->oom_score_adj,
        .comm = t->comm,
        .current = current && current->mm == t->mm,
        .dying = fatal_signal_pending(t) || t->exiting,
        /* Linux's in_vfork: the child borrows its parent's mm until it execs or exits. */
        .vfork = t->vfork_parent && t->vfork_parent->mm == t->mm,
    };
    return true;
}

void arch_for_each_oom_task(bool (*fn)(const struct oom_task *t, void *arg), void *arg)
{
    for (struct task *t = next_task(NULL); t; t = next_task(t)) {
        struct oom_task o;
        if (oom_task_of(t, &o) && !fn(&o, arg))
            return;
    }
}

void arch_oom_kill(const struct oom_task *victim)
{
    struct kernel_siginfo info = {.si_signo = SIGKILL, .si_code = SI_KERNEL};
    for (struct task *t = next_task(NULL); t; t = next_task(t)) {
        if (!thread_group_leader(t) || t->mm != victim->mm || t->state == TASK_ZOMBIE ||
            t->state == TASK_DEAD)
            continue;
        t->signal->oom_killed = true;
        send_signal(t, SIGKILL, &info, true);
    }
}
