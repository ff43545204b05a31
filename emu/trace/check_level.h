/*
 * The levels `vmemu check` compares at, and what each needs from a run:
 *   exact       the trace as vmemu writes it, byte for byte;
 *   normalized  the sequence of events with frame numbers (and, unless
 *               told otherwise, addresses) replaced by stable names;
 *   summary     counts: faults by kind and VMA kind, each process's end,
 *               peak RSS and final map, meminfo and vmstat deltas.
 */
#ifndef VMEMU_EMU_TRACE_CHECK_LEVEL_H
#define VMEMU_EMU_TRACE_CHECK_LEVEL_H

#include <stdbool.h>

enum check_level { CHECK_LEVEL_NONE, CHECK_EXACT, CHECK_NORMALIZED, CHECK_SUMMARY };

/* What normalized replaces: frame numbers always, addresses by default. */
#define NORMALIZE_FRAMES 1u
#define NORMALIZE_ADDRESSES 2u
#define NORMALIZE_DEFAULT (NORMALIZE_FRAMES | NORMALIZE_ADDRESSES)

const char *check_level_name(enum check_level level);
/* CHECK_LEVEL_NONE for a name that is not a level. */
enum check_level check_level_by_name(const char *name);

/* "frames" or "frames,addresses" (in any order); false for anything else. */
bool normalize_parse(const char *list, unsigned int *flags);
const char *normalize_name(unsigned int flags);

#endif
