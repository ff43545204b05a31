/*
 * What a run does for the report options (run_report.c): --html=FILE,
 * --perfetto=FILE, --access-sample=INTERVAL and --progress. Before the run
 * they chain a JSON Lines tracer of every category behind the user's
 * trace, start the sampler and the status line, and make the virtual clock
 * follow guest work; after it, they turn that trace into the files.
 */
#ifndef VMEMU_EMU_TRACE_RUN_REPORT_H
#define VMEMU_EMU_TRACE_RUN_REPORT_H

#include <stdbool.h>

struct tracer;
struct vmemu_options;

/*
 * argv[*i] is one of the report options: take it (and its value, which
 * may be the next argument) into o and return true; a bad value ends vmemu
 * with a usage error. false for any other argument.
 */
bool run_report_option(int argc, char **argv, int *i, struct vmemu_options *o);

/*
 * Before the run: chain the report's tracer behind *tr (which may be NULL)
 * and start what the options ask for. 0, or -1 after a message (an output
 * that cannot be written).
 */
int run_report_begin(const struct vmemu_options *o, struct tracer **tr);
/* The guest has ended: stop sampling and the status line. */
void run_report_end_of_run(void);
/* After trace_close: write the report files. 0, or -1 after a message. */
int run_report_finish(void);

#endif
