/*
 * `vmemu report` and the conversion behind it (report_cmd.c): a JSON Lines
 * trace into an HTML report and/or a Chrome/Perfetto trace.
 */
#ifndef VMEMU_EMU_TRACE_REPORT_CMD_H
#define VMEMU_EMU_TRACE_REPORT_CMD_H

#include <stdio.h>

/*
 * Read the trace from in (name is for messages) and write the HTML report
 * to html and the Perfetto trace to perfetto (either may be NULL). 0, or 1
 * after a one-line message on stderr.
 */
int report_convert(FILE *in, const char *name, FILE *html, FILE *perfetto);
/* Open an output file (close-on-exec); NULL after a message naming what it was for. */
FILE *report_open_output(const char *path, const char *what);
/* vmemu report TRACE.jsonl -o REPORT.html [--perfetto TRACE.json], from argv[i] on. */
int cmd_report(int argc, char **argv, int i);

#endif
