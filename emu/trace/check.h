/*
 * `vmemu check`: run a program and compare what it did with an expected
 * file, at the level the file was made at (exact, normalized, summary);
 * or, with --suite, run every case of a suite in parallel and report on
 * each. The command line's run options are main.c's; check's own options
 * are taken here, through check_option, as main.c's parser meets them.
 *
 * Exit status: 0 every comparison passed, 1 some differ, 2 an error (a
 * usage error, an expected file refused or unreadable, a run that could
 * not start).
 */
#ifndef VMEMU_EMU_TRACE_CHECK_H
#define VMEMU_EMU_TRACE_CHECK_H

#include <stdbool.h>
#include <stdio.h>

struct vmemu_options;

#define CHECK_PASS 0
#define CHECK_FAIL 1
#define CHECK_ERROR 2

/* main.c's option parser and runner, which check drives. */
typedef void (*check_parse_fn)(int argc, char **argv, int *i, struct vmemu_options *o);
typedef int (*check_run_fn)(const struct vmemu_options *o, char **argv, char **envp,
                            FILE *trace_out);

/*
 * argv[*i] is one of check's own options (--update, --level, --suite,
 * -j...): take it and its value (which may be the next argument) and
 * return true; false for any other argument. Ends vmemu with status 2
 * for a bad value.
 */
bool check_option(int argc, char **argv, int *i);

/* The check command, argv[i..] being its options and operands; defaults: its run options. */
int check_main(int argc, char **argv, int i, const struct vmemu_options *defaults,
               check_parse_fn parse, check_run_fn run);

#endif
