/* The HTML report (html.c): a model of a trace as one self-contained page. */
#ifndef VMEMU_EMU_TRACE_HTML_H
#define VMEMU_EMU_TRACE_HTML_H

#include <stdio.h>

struct report_model;

/* Write the report of m to out (sorts m's tables in place). */
void html_write(FILE *out, struct report_model *m);

#endif
