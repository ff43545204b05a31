/*
 * A trace in the Chrome JSON trace format (perfetto.c), for Perfetto and
 * chrome://tracing, written event by event from a vmemu JSON Lines trace.
 */
#ifndef VMEMU_EMU_TRACE_PERFETTO_H
#define VMEMU_EMU_TRACE_PERFETTO_H

#include <stdbool.h>
#include <stdio.h>

struct json;
struct perfetto;

/* Start the trace on out; NULL when out of memory. */
struct perfetto *perfetto_open(FILE *out);
/* One event of the vmemu trace; false if out failed. */
bool perfetto_add(struct perfetto *p, const struct json *ev);
/* The tracks' names and the end of the file; false if out failed. Frees p. */
bool perfetto_close(struct perfetto *p);

#endif
