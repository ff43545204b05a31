/*
 * What /proc/PID/pagemap reads and /proc/PID/clear_refs resets: one 64-bit
 * entry per virtual page, in Linux's format (Documentation/admin-guide/mm/
 * pagemap.rst), and the accessed and soft-dirty bits a write of 1 to 5
 * clears. emu/fs/proc_pid.c owns the files; these own the page tables.
 */
#ifndef VMEMU_MM_TASK_MMU_H
#define VMEMU_MM_TASK_MMU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct mm_struct;

/* pagemap's bits above the frame (bits 0-54: the PFN, or a swap entry's type | offset << 5). */
#define PM_SOFT_DIRTY (1ULL << 55)
#define PM_MMAP_EXCLUSIVE (1ULL << 56)
#define PM_GUARD_REGION (1ULL << 58)
#define PM_FILE (1ULL << 61)
#define PM_SWAP (1ULL << 62)
#define PM_PRESENT (1ULL << 63)

/*
 * Fill out[0..n) with the entries of the virtual pages from vpn on (page
 * numbers, not addresses); the frame is shown only when show_pfn (the
 * opener had CAP_SYS_ADMIN). Returns how many were filled: fewer than n
 * where the user address space ends.
 */
size_t pagemap_entries(struct mm_struct *mm, uint64_t vpn, uint64_t *out, size_t n, bool show_pfn);

/* clear_refs' types, as written to the file. */
enum clear_refs_type {
    CLEAR_REFS_ALL = 1,        /* accessed bits of every mapping */
    CLEAR_REFS_ANON,           /* ... of anonymous memory */
    CLEAR_REFS_MAPPED,         /* ... of file mappings */
    CLEAR_REFS_SOFT_DIRTY,     /* soft-dirty bits, write-protecting, so the next write faults */
    CLEAR_REFS_MM_HIWATER_RSS, /* VmHWM back to the current RSS */
};
/* Do what clear_refs was told; type is one of the above. */
void clear_refs(struct mm_struct *mm, enum clear_refs_type type);

#endif
