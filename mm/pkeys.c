/*
 * Memory protection keys (pkey_alloc, pkey_free, pkey_mprotect) as x86
 * Linux answers them on a CPU without PKU, which vmemu's CPU model is
 * (its CPUID has no PKU, so no OSPKE either). There the kernel still
 * has the calls, with these facts (arch/x86/include/asm/pkeys.h):
 *   - there is one key (arch_max_pkey() is 1), key 0;
 *   - a new mm's allocation map is empty and its execute-only key is 0
 *     (both set only when OSPKE is on), and a key equal to the
 *     execute-only key never counts as allocated: so no key ever does,
 *     and pkey_free and pkey_mprotect with any key but -1 are EINVAL;
 *   - pkey_alloc takes key 0 into the map, then fails to set its rights
 *     in PKRU (EINVAL) and cannot give it back (freeing an unallocated
 *     key fails): the first call is EINVAL, every later one ENOSPC;
 *   - fork copies the map (dup_mm copies the whole mm), exec starts anew.
 * The host is the oracle (samples/pkeys.c): its CPU lacks PKU too.
 * ProtectionKey in smaps is shown only with OSPKE: vmemu shows none.
 */
#include "pkeys.h"

#include <errno.h>

#include "mm_types.h"
#include "mmap.h"

#define ARCH_MAX_PKEY 1
#define EXECUTE_ONLY_PKEY 0  /* a new mm's context, zeroed */
#define PKEY_ACCESS_MASK 3UL /* PKEY_DISABLE_ACCESS | PKEY_DISABLE_WRITE */

bool mm_pkey_is_allocated(const struct mm_struct *mm, int pkey)
{
    if (pkey < 0 || pkey >= ARCH_MAX_PKEY || pkey == EXECUTE_ONLY_PKEY)
        return false;
    return mm->pkey_allocation_map & (1U << pkey);
}

int do_pkey_alloc(struct mm_struct *mm, unsigned long flags, unsigned long init_val)
{
    if (flags || (init_val & ~PKEY_ACCESS_MASK))
        return -EINVAL;
    unsigned int all = (1U << ARCH_MAX_PKEY) - 1;
    if (mm->pkey_allocation_map == all)
        return -ENOSPC;
    /* The lowest free key is taken; setting its rights needs OSPKE, and it stays taken. */
    unsigned int key = 0;
    while (mm->pkey_allocation_map & (1U << key))
        key++;
    mm->pkey_allocation_map |= (unsigned short)(1U << key);
    return -EINVAL;
}

int do_pkey_free(struct mm_struct *mm, int pkey)
{
    if (!mm_pkey_is_allocated(mm, pkey))
        return -EINVAL;
    mm->pkey_allocation_map &= (unsigned short)~(1U << pkey);
    return 0;
}
