/*
 * What check's own options set (check_cli.c takes them) and what a case
 * needs to run: main.c's defaults, parser and runner. Shared by the
 * single check (check_case.c) and the suite runner (check_suite.c).
 */
#ifndef VMEMU_EMU_TRACE_CHECK_CONFIG_H
#define VMEMU_EMU_TRACE_CHECK_CONFIG_H

#include <stdbool.h>
#include <stdio.h>

#include "emu/trace/check.h"
#include "emu/trace/check_level.h"
#include "emu/trace/check_tolerance.h"

struct check_config {
    bool update;            /* --update: write the expected file instead */
    enum check_level level; /* --level, or CHECK_LEVEL_NONE */
    unsigned int normalize; /* --normalize, or 0 */
    bool has_tolerance;     /* --tolerance */
    struct tolerance tolerance;
    unsigned int context;     /* --context: events shown around a divergence */
    const char *suite;        /* --suite: a manifest or a directory */
    int jobs;                 /* -j: cases run at once */
    const char *junit, *json; /* --junit, --json: the suite's reports */
    const char *programs;     /* --programs: where a suite's programs are */
    const char *only;         /* --case: run only the cases of this name */
    int report_fd;            /* --report-fd: where check's report goes (-1: stderr) */
    const char *as_path;      /* --as-path: the program's path the header records */
    bool times;               /* --times: wall times in the suite's reports */
};

struct check_runner {
    const struct vmemu_options *defaults;
    check_parse_fn parse;
    check_run_fn run;
};

/*
 * Check (or, with --update, write) one expected file for the program
 * argv[0] with its arguments; run_opts are the run options the command
 * line gave, o what they set. The report goes to rep. CHECK_PASS,
 * CHECK_FAIL or CHECK_ERROR.
 */
int check_case(const struct check_config *cfg, const struct check_runner *r,
               const struct vmemu_options *o, const char *expected, char **argv,
               char *const *run_opts, int nrun_opts, FILE *rep);

/* An expected file's recorded options into o (check's own options are refused there). */
void check_parse_recorded_options(const struct check_runner *r, int n, char **words,
                                  struct vmemu_options *o);

/* The suite given by --suite; the same statuses, for the suite as a whole. */
int check_suite(const struct check_config *cfg, char *const *run_opts, int nrun_opts);

#endif
