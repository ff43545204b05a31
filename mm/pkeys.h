/* Protection keys, as x86 Linux has them on a CPU without PKU (mm/pkeys.c). */
#ifndef VMEMU_MM_PKEYS_H
#define VMEMU_MM_PKEYS_H

#include <stdbool.h>

struct mm_struct;

/* May pkey be named in pkey_mprotect and pkey_free? Never, on this CPU. */
bool mm_pkey_is_allocated(const struct mm_struct *mm, int pkey);

#endif
