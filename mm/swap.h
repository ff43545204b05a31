/*
 * Swap, as the rest of vmemu sees it: the one swap area (a host file),
 * its figures for /proc/meminfo, /proc/swaps and smaps, and the reclaim
 * tunables of /proc/sys/vm. The swap cache, the slots and reclaim itself
 * are mm's own (internal.h).
 */
#ifndef VMEMU_MM_SWAP_H
#define VMEMU_MM_SWAP_H

#include <stdbool.h>
#include <stdint.h>

#include "pgtable.h"

struct seq;

/*
 * Turn swap on (mm_init does, from mm_settings): a swap area of bytes in
 * the host file path, created or reused (only an empty file or one holding
 * a swap signature; it is kept after the run), or, path NULL, in an
 * unnamed temporary file of $TMPDIR (or /tmp) that goes with vmemu. The
 * file is sparse: only slots written take host disk. bytes 0 with a path
 * takes the size of the existing swap file. 0, or -errno with nothing
 * set up (-EINVAL: a size below 40 KiB or above 1 TiB, or a file that is
 * not a swap file).
 */
int swapon(const char *path, uint64_t bytes);
/* Turn it off and release the area (mm_exit): the slots' data is dropped. */
void swapoff(void);

/* Slots of the area (SwapTotal) and free ones (SwapFree), in pages; 0 without swap. */
unsigned long total_swap_pages(void);
unsigned long nr_swap_pages(void);
/* The most slots in use at once so far (the exit summary). */
unsigned long swap_peak_pages(void);
/* /proc/swaps, as Linux lays it out. */
void swaps_show(struct seq *s);
/*
 * How many entries, in all address spaces and shmem objects, refer to the
 * slot a swap entry names (smaps' SwapPss shares a slot among them); 0
 * for anything else.
 */
unsigned long swap_pte_count(pte_t pte);

/* Writes to swap that failed (the page stayed in memory) and reads that failed (SIGBUS). */
unsigned long swap_write_errors(void);
unsigned long swap_read_errors(void);

/* ---- reclaim ---- */

/*
 * The reclaim sysctls of /proc/sys/vm: vm.swappiness (0-200, default 60:
 * how readily anonymous pages are swapped rather than the page cache
 * dropped) and vm.page-cluster (0-31, default 3: swap-in reads up to
 * 2^page-cluster slots around the one faulting). Read and set (0, or
 * -EINVAL out of range).
 */
enum swap_sysctl { VM_SWAPPINESS, VM_PAGE_CLUSTER };
unsigned int swap_sysctl_get(enum swap_sysctl which);
int swap_sysctl_set(enum swap_sysctl which, unsigned long value);

/*
 * kswapd's work: reclaim until a zone is above its high watermark. mm/
 * asks for it with arch_wake_kswapd(); whoever implements that hook calls
 * this at the next point where no mm/ call is under way (the scheduler's
 * next preemption point). A no-op when kswapd was not woken.
 */
void kswapd_run(void);
/* kswapd was woken and has not run since. */
bool kswapd_pending(void);

/* What reclaim did, for whoever watches (tracing). */
enum reclaim_op {
    RECLAIM_PASS,    /* a reclaim pass ended: who, the lowest priority, scanned and reclaimed */
    RECLAIM_SWAPOUT, /* a page was written to a swap slot */
    RECLAIM_SWAPIN,  /* a swap-in fault read a slot (and read ahead) */
    RECLAIM_OOM,     /* the OOM killer killed a process */
};

struct reclaim_event {
    enum reclaim_op op;
    bool kswapd;     /* kswapd's work (set by reclaim_notify), not the running task's */
    const char *who; /* pass: "kswapd", "direct", "pageout" */
    int priority;
    unsigned long scanned_anon, scanned_file, reclaimed_anon, reclaimed_file;
    unsigned long free_before, free_after; /* free pages */
    unsigned long pfn, slot, ra_pages;     /* swap-out, swap-in */
    /* oom: the victim, as the kernel's report line names it */
    int pid;
    unsigned int uid;
    int oom_score_adj;
    const char *comm;
    unsigned long total_vm, anon_rss, file_rss, shmem_rss, swapents, pgtables_bytes;
};

struct reclaim_observer {
    void (*event)(void *ctx, const struct reclaim_event *ev);
    void *ctx;
};
/* Whoever watches reclaim (the tracer); NULL, the default, costs one test per event. */
void reclaim_set_observer(const struct reclaim_observer *obs);

#endif
