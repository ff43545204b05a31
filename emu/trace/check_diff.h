/*
 * Differences between two sequences of events (the exact and normalized
 * levels): the first place they diverge, with a few events of context on
 * both sides, then how many more events differ and in how many places.
 * Lines are compared whole; after a divergence the two sides are taken to
 * agree again where a few lines in a row match (or both end).
 */
#ifndef VMEMU_EMU_TRACE_CHECK_DIFF_H
#define VMEMU_EMU_TRACE_CHECK_DIFF_H

#include <stddef.h>
#include <stdio.h>

/*
 * Compare the expected lines want with the run's got; when they differ,
 * print the report on out (context: events shown around the divergence)
 * and return how many events differ; 0 when they are the same.
 */
size_t diff_sequences(const char *want, size_t want_len, const char *got, size_t got_len,
                      unsigned int context, FILE *out);

/* How many lines text has (the last one may lack its newline). */
size_t count_lines(const char *text, size_t len);

#endif
