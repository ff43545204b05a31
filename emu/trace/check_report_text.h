/*
 * Text in the suite's reports: one-line messages for a case, and any
 * text (a program's stderr may hold any bytes) as valid UTF-8, which XML
 * and JSON both require: a byte that does not start a valid UTF-8
 * sequence is shown as U+FFFD.
 */
#ifndef VMEMU_EMU_TRACE_CHECK_REPORT_TEXT_H
#define VMEMU_EMU_TRACE_CHECK_REPORT_TEXT_H

#include <stddef.h>

/* The length of the valid UTF-8 sequence at s (n bytes there), or 0 when there is none. */
size_t utf8_sequence(const unsigned char *s, size_t n);

#define REPLACEMENT_CHARACTER "\xef\xbf\xbd"

#endif
