/*
 * The normalized level: a JSON Lines trace as one line per event with
 * what allocator order and layout decide replaced by stable names, so
 * that the sequence of faults, their kinds, instructions and VMAs still
 * must match but frame numbers and placement need not.
 *
 * Frames: a frame's life starts when a fault or a page-cache event first
 * shows it holding something (a fresh anonymous page, a copy, a page of
 * some file); a frame seen in one event only is "*", one seen again
 * (shared by fork, mapped from the page cache by several processes,
 * written in place) is "#1", "#2", ... in order of first appearance, and
 * the shared zero page is "zero". Addresses (unless only frames are
 * normalized): by the VMA that holds them, a file mapping as FILE@OFFSET
 * in the file, the stack as [stack]-DISTANCE from its top, anything else
 * as NAME+OFFSET from the VMA's start (plain anonymous memory is "anon").
 */
#ifndef VMEMU_EMU_TRACE_CHECK_NORMALIZE_H
#define VMEMU_EMU_TRACE_CHECK_NORMALIZE_H

#include <stddef.h>

/*
 * Normalize the JSON Lines trace jsonl[0..len): the events of the
 * categories cats (TRACE_*; exits always), flags NORMALIZE_*. A malloc'd
 * text with *out_len, or NULL with a one-line reason in why.
 */
char *normalize_trace(const char *jsonl, size_t len, unsigned int cats, unsigned int flags,
                      size_t *out_len, char *why, size_t why_len);

#endif
