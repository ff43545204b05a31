/*
 * The commit: how many pages of private writable memory the programs were
 * promised (Linux's vm_committed_as, shown as Committed_AS). Every page of
 * a VM_ACCOUNT mapping is charged when the mapping is made or grows and
 * given back when it goes, whether or not it was ever touched.
 */
#include "internal.h"
#include "mmap.h"
#include "mmzone.h"
#include "swap.h"

static unsigned long committed;

unsigned long vm_committed_pages(void)
{
    return committed;
}

/*
 * OVERCOMMIT_GUESS, Linux's default: any request is fine unless it alone is
 * larger than all of RAM and swap.
 */
bool vm_enough_memory(long pages)
{
    return pages <= 0 || (unsigned long)pages <= totalram_pages() + total_swap_pages();
}

void vm_acct_memory(long pages)
{
    committed += (unsigned long)pages;
}

void vm_unacct_memory(long pages)
{
    committed -= (unsigned long)pages;
}
