/* The arch hooks for unit tests: no CPU, so they only count the calls. */
#include "tests/unit/support/support.h"

unsigned long test_tlb_flushes;
unsigned long test_code_flushes;
unsigned long test_min_flt, test_maj_flt;
bool test_tlb_holds_all = true;
unsigned long test_tlb_held;

/* Every address unless a test says otherwise; then only the page at test_tlb_held. */
bool arch_tlb_may_hold(struct mm_struct *mm, unsigned long addr)
{
    (void)mm;
    return test_tlb_holds_all || (addr & ~0xfffUL) == (test_tlb_held & ~0xfffUL);
}

/* The task's own fault counts, as Linux's task_struct keeps them. */
void arch_account_fault(struct mm_struct *mm, bool major)
{
    (void)mm;
    if (major)
        test_maj_flt++;
    else
        test_min_flt++;
}

void arch_flush_tlb_mm(struct mm_struct *mm)
{
    (void)mm;
    test_tlb_flushes++;
}

void arch_flush_code_range(struct mm_struct *mm, unsigned long start, unsigned long end)
{
    (void)mm, (void)start, (void)end;
    test_code_flushes++;
}

unsigned long test_frames_changing, test_last_changing_pfn;

void arch_frames_changing(unsigned long pfn, unsigned long nr)
{
    test_frames_changing += nr;
    test_last_changing_pfn = pfn + nr - 1;
}

/* The clock dirty-page expiry reads: a counter the tests set. */
uint64_t test_now_ns;

uint64_t arch_now_ns(void)
{
    return test_now_ns;
}

/* kswapd's wake-ups: the tests run kswapd_run() themselves where the scheduler would. */
unsigned long test_kswapd_wakeups;

void arch_wake_kswapd(void)
{
    test_kswapd_wakeups++;
}

/* The processes the OOM killer sees: what a test puts here. */
struct oom_task test_oom_tasks[TEST_OOM_TASKS];
int test_nr_oom_tasks;
int test_oom_killed[TEST_OOM_TASKS];
int test_nr_oom_killed;

void arch_for_each_oom_task(bool (*fn)(const struct oom_task *t, void *arg), void *arg)
{
    for (int i = 0; i < test_nr_oom_tasks; i++)
        if (!fn(&test_oom_tasks[i], arg))
            return;
}

void arch_oom_kill(const struct oom_task *t)
{
    if (test_nr_oom_killed < TEST_OOM_TASKS)
        test_oom_killed[test_nr_oom_killed++] = t->pid;
    for (int i = 0; i < test_nr_oom_tasks; i++)
        if (test_oom_tasks[i].mm == t->mm)
            test_oom_tasks[i].dying = true;
}
