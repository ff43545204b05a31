/* What the command line sets for a run. */
#ifndef VMEMU_EMU_OPTIONS_H
#define VMEMU_EMU_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>

/* Where faults are resolved: see cpu_set_inline_faults. */
enum { FAULT_MODE_AUTO, FAULT_MODE_INLINE, FAULT_MODE_PRECISE };

struct vmemu_options {
    uint64_t ram_bytes;     /* --ram */
    bool quiet;             /* --quiet: no exit summary */
    const char *vma_tree;   /* --vma-tree */
    bool cache_cold;        /* --cache=cold */
    uint64_t swap_bytes;    /* --swap: 0 for none (or the existing --swap-file's size) */
    const char *swap_file;  /* --swap-file: kept after the run */
    uint64_t seed;          /* --seed: AT_RANDOM and getrandom */
    bool realtime;          /* --realtime: the host clock instead of the virtual one */
    unsigned int trace;     /* --trace: TRACE_* categories */
    bool trace_jsonl;       /* --trace-format=jsonl */
    const char *trace_file; /* --trace-file, NULL for stderr */
    bool maps;              /* --maps: print the final memory map at exit */
    bool portable;          /* check: empty environment, argv[0] a base name */
    int fault_mode;         /* --fault-mode: FAULT_MODE_* */
    const char *report;     /* --report: /proc files to print at exit */
    bool check_leaks;       /* --check-leaks */
    unsigned int cpus;      /* --cpus: the CPUs the guest is told it has (one runs it) */
    const char *root;       /* --root: the directory the guest sees as / (NULL: the host's) */
    /* The report options (emu/trace/run_report.c parses them). */
    const char *html;          /* --html: the HTML report's file */
    const char *perfetto;      /* --perfetto: the Chrome/Perfetto trace's file */
    uint64_t access_sample_ns; /* --access-sample: the sampling interval (0: off) */
    bool access_sample_set;    /* --access-sample was given (else --html's default) */
    bool progress;             /* --progress: the live status line */
};

#endif
