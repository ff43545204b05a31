/*
 * Each process's address space as a trace describes it, replayed event by
 * event for the normalized level, which names addresses by the VMA that
 * holds them: mm events' changes (created, removed, split, merged,
 * changed), a stack growing by a fault, exec starting afresh and fork
 * copying the parent's. Threads share their process's map (by pid).
 * Removed VMAs are remembered for a while, so that a touch of memory
 * just unmapped can still be named by what was there.
 * VMAs are kept sorted by start and never overlap.
 */
#ifndef VMEMU_EMU_TRACE_CHECK_VMAMAP_H
#define VMEMU_EMU_TRACE_CHECK_VMAMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "emu/trace/check_names.h"

struct vmamap_vma {
    uint64_t start, end;
    uint64_t offset; /* in the file, for file mappings */
    char prot[5];
    const char *name; /* as /proc/PID/maps names it ("" for plain anonymous memory) */
};

struct vmamap_proc;

struct vmamap {
    struct vmamap_proc *procs;
    size_t nprocs, cap;
    struct name_set names; /* every name seen, one copy each */
    bool out_of_memory;
};

void vmamap_init(struct vmamap *m);
void vmamap_free(struct vmamap *m);
/* vma now covers its range in pid's map (what was there goes); removed: nothing does. */
void vmamap_apply(struct vmamap *m, int pid, const struct vmamap_vma *vma, bool removed);
void vmamap_exec(struct vmamap *m, int pid);
void vmamap_fork(struct vmamap *m, int parent, int child);
/* The VMA of pid holding addr, or NULL. */
const struct vmamap_vma *vmamap_find(const struct vmamap *m, int pid, uint64_t addr);
/* The latest removed VMA of pid that held addr (of the last 64 removed), or NULL. */
const struct vmamap_vma *vmamap_find_gone(const struct vmamap *m, int pid, uint64_t addr);

#endif
