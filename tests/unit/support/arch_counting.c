/* The arch hooks for unit tests: no CPU, so they only count the calls. */
#include "tests/unit/support/support.h"

unsigned long test_tlb_flushes;
unsigned long test_code_flushes;

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

/* The clock dirty-page expiry reads: a counter the tests set. */
uint64_t test_now_ns;

uint64_t arch_now_ns(void)
{
    return test_now_ns;
}

/* Faults charged to "the task": the tests have none, so only counted. */
unsigned long test_faults_accounted;

void arch_account_fault(struct mm_struct *mm, bool major)
{
    (void)mm, (void)major;
    test_faults_accounted++;
}
