/*
 * The summary level: what a run amounts to, as a short text that can be
 * read, kept and compared with tolerances.
 *
 *   [faults]                      fault counts by kind and VMA kind (text,
 *   anon-new heap 1024            data, heap, anon, file, stack, shared,
 *   file-minor text 3             vdso; none for a fault outside any VMA),
 *   pages-around 45               then pages mapped by fault-around and
 *   pages-readahead 0             pages read ahead
 *
 *   [process 1000 prog]           each process, by pid: how it ended, its
 *   status 0                      faults, its peak RSS (pages, VmHWM) and
 *   signal 0                      its map as it ended: one line per VMA,
 *   minor 1100                    in address order, with its permissions,
 *   major 0                       kind and size in pages
 *   peak-rss 1050
 *   map r-xp text 6
 *   ...
 *   [meminfo delta]               pages, from before the program was
 *   anon 1024                     loaded to when the last process ended
 *   [vmstat delta]                events over the same span (non-zero ones)
 *   pgfault 1100
 *
 * Comparing two summaries lists every count that moved more than its
 * tolerance as "what: expected X, got Y (+D, +P%)".
 */
#ifndef VMEMU_EMU_TRACE_CHECK_SUMMARY_H
#define VMEMU_EMU_TRACE_CHECK_SUMMARY_H

#include <stddef.h>
#include <stdio.h>

#include "emu/trace/check_tolerance.h"

/*
 * The summary of the run whose JSON Lines trace (fault and proc events)
 * is jsonl[0..len), with what check_probe took. A malloc'd text with
 * *out_len, or NULL with a one-line reason in why.
 */
char *summary_make(const char *jsonl, size_t len, size_t *out_len, char *why, size_t why_len);

/*
 * Compare the summary got with the expected one want: print a table of
 * the differences on out and return how many; -1 with why when want is
 * not a summary.
 */
long summary_compare(const char *want, size_t want_len, const char *got, size_t got_len,
                     const struct tolerance *tol, FILE *out, char *why, size_t why_len);

#endif
