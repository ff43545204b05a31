/*
 * Reading a JSON Lines trace held in memory, one event at a time, for
 * the levels that look at events (normalized, summary). The trace is the
 * run's own, but it is still parsed as untrusted text: a line that is not
 * a JSON object stops the walk with its number.
 */
#ifndef VMEMU_EMU_TRACE_CHECK_EVENTS_H
#define VMEMU_EMU_TRACE_CHECK_EVENTS_H

#include <stdbool.h>
#include <stddef.h>

#include "emu/trace/json.h"

/* Called for each event (index counts from 0, the header included); false stops the walk. */
typedef bool (*check_event_fn)(const struct json *ev, size_t index, void *ctx);

/* Walk text[0..len); false with a one-line reason in why (or fn's false). */
bool check_each_event(const char *text, size_t len, check_event_fn fn, void *ctx, char *why,
                      size_t why_len);

/* The event's type, pid and tid (0 when absent). */
const char *event_type(const struct json *ev);
int event_pid(const struct json *ev);
int event_tid(const struct json *ev);

#endif
