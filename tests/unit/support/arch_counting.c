/* The arch hooks for unit tests: no CPU, so they only count the calls. */
#include "tests/unit/support/support.h"

unsigned long test_tlb_flushes;
unsigned long test_code_flushes;
unsigned long test_min_flt, test_maj_flt;

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
