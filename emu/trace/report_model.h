/*
 * What the HTML report shows, gathered from a JSON Lines trace one event
 * at a time: per process, its VMAs as bands in time (split, merged,
 * unmapped), its faults, its access samples, its RSS and its phases; for
 * the machine, the memory counters, each zone's free lists, the final
 * frame map; and the tables (faulting functions and instructions, a
 * syscall summary as strace -c gives). Everything is copied out of the
 * parsed line (strings are interned), so lines can be parsed into a
 * reused arena. Same trace, same model, in the same order.
 */
#ifndef VMEMU_EMU_TRACE_REPORT_MODEL_H
#define VMEMU_EMU_TRACE_REPORT_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "emu/trace/json.h"

#define VEC(T)                                                                                     \
    struct {                                                                                       \
        T *v;                                                                                      \
        size_t n, cap;                                                                             \
    }

/* A VMA over a stretch of time: [t0, t1) while it was mapped as [start, end). */
struct band {
    uint64_t start, end, t0, t1;
    const char *kind, *prot, *name;
};

struct fault_point {
    uint64_t t, addr, pfn;
    uint32_t site;
    uint8_t kind;
    char access; /* 'r', 'w' or 'x' */
};

/* One instruction that faulted: where, what, and how often by kind. */
struct fault_site {
    uint64_t ip;
    const char *insn, *func, *line;
    unsigned long count;
};

/* One aggregation of access samples: [start, end, count] triples. */
struct access_agg {
    uint64_t t, dur;
    unsigned int samples;
    size_t nregions;
    uint64_t *regions;
};

struct rss_point {
    uint64_t t;
    unsigned long anon, file, shmem;
};

/* The start of a phase: the program ran (exec) or named itself (rename). */
struct marker {
    uint64_t t;
    const char *label;
};

struct proc {
    int pid;
    const char *program;
    uint64_t t_start, t_end;
    bool ended;
    int live_tasks;
    VEC(struct band) bands, live;
    VEC(struct fault_point) faults;
    VEC(struct access_agg) access;
    VEC(struct rss_point) rss;
    VEC(struct marker) markers;
};

#define MEM_SERIES 9 /* total free anon file shmem dirty writeback slab pagetables */

struct mem_point {
    uint64_t t;
    unsigned long v[MEM_SERIES];
};

#define NR_ORDERS 11

struct zone_point {
    uint64_t t;
    unsigned long free, buddy[NR_ORDERS];
};

struct zone_series {
    const char *name;
    unsigned long managed;
    VEC(struct zone_point) points;
};

struct frame_run {
    const char *kind;
    unsigned long len;
};

struct syscall_stat {
    const char *name;
    unsigned long calls, errors;
    uint64_t ns;
};

struct report_model {
    const char *program;
    VEC(const char *) argv;
    uint64_t t_end;
    VEC(struct proc) procs;
    VEC(struct fault_site) sites;
    VEC(const char *) kinds; /* fault kinds, canonical order first */
    VEC(struct mem_point) memory;
    VEC(struct zone_series) zones;
    VEC(struct frame_run) frames;
    unsigned long frames_total;
    VEC(struct syscall_stat) syscalls;
    bool out_of_memory;
    struct intern_table *strings;
    struct site_index *site_index;
};

/*
 * The kind of a VMA of a process running program (a base name): text,
 * data (the program's own mappings, executable or not), heap, stack,
 * vdso, shared, file or anon. The report colours bands by it and check's
 * summary level counts faults and maps by it.
 */
const char *vma_kind(const char *program, const char *name, const char *prot);

bool model_init(struct report_model *m);
void model_free(struct report_model *m);
/* One event of the trace; false with *why when it is not a vmemu trace event. */
bool model_add(struct report_model *m, const struct json *ev, const char **why);
/* The end of the trace: close what is still open. */
void model_finish(struct report_model *m);

#endif
