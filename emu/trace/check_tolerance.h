/*
 * Tolerances of summary checks (--tolerance faults=2%,rss=1%): how far a
 * count may move before it is a difference, per class of count, as a
 * share of the expected value (N%) or an absolute amount (N). Counts with
 * no tolerance must match exactly.
 */
#ifndef VMEMU_EMU_TRACE_CHECK_TOLERANCE_H
#define VMEMU_EMU_TRACE_CHECK_TOLERANCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum tolerance_class {
    TOL_FAULTS, /* fault counts, pages mapped by fault-around and read ahead */
    TOL_RSS,    /* peak resident pages of each process */
    TOL_MEM,    /* meminfo deltas */
    TOL_VMSTAT, /* vmstat deltas */
    TOL_EXACT,  /* never tolerated: exit statuses, the map's shape */
    NR_TOL_CLASSES = TOL_EXACT
};

struct tolerance {
    bool set[NR_TOL_CLASSES];
    bool percent[NR_TOL_CLASSES];
    double amount[NR_TOL_CLASSES];
};

/* "faults=2%,rss=1%,mem=4"; false with a one-line reason in why. */
bool tolerance_parse(const char *spec, struct tolerance *t, char *why, size_t len);
bool tolerance_any(const struct tolerance *t);
/* The spec back, in the class order ("faults=2%,rss=1"). */
void tolerance_write(FILE *out, const struct tolerance *t);
/* got is close enough to want for class c. */
bool tolerance_allows(const struct tolerance *t, enum tolerance_class c, long want, long got);

#endif
