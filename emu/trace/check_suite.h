/*
 * Suites of checks: what a case is (program, arguments, options, stdin,
 * expected file, level), loading them from a manifest or from a directory
 * of expected files, and what running one gave. A manifest is a text
 * file of "key = value" lines, defaults first, then one [NAME] section a
 * case:
 *
 *   # tests/expected/manifest
 *   programs = ../../build/samples
 *   level = normalized
 *
 *   [anon_touch-musl]
 *   args = 64
 *   level = summary
 *
 * Keys: programs (defaults only: where programs are, relative to the
 * manifest; --programs overrides it), program (default: the case's
 * name), args, options (shell words), stdin (default /dev/null),
 * expected (default NAME.expected), level, normalize, tolerance, timeout
 * (seconds, default 300). Paths are relative to the manifest's directory.
 * A directory without a manifest is a suite of its *.expected files, each
 * run as its header says: its program as recorded (relative to the
 * current directory) or, with --programs DIR, the program of the same
 * base name in DIR. Adding a case is then adding its file.
 */
#ifndef VMEMU_EMU_TRACE_CHECK_SUITE_H
#define VMEMU_EMU_TRACE_CHECK_SUITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "emu/trace/check_level.h"
#include "emu/trace/check_words.h"

struct suite_case {
    char *name;
    char *program;      /* as the manifest or the header spells it: what the header records */
    char *program_path; /* where it is */
    struct words args, options;
    bool has_options; /* options given by the manifest (else the expected file's) */
    char *stdin_path;
    char *expected;
    enum check_level level;      /* CHECK_LEVEL_NONE: the expected file's */
    char *normalize, *tolerance; /* as the manifest gives them, or NULL */
    int timeout;                 /* seconds */
};

struct suite {
    char *name; /* for the reports: the manifest's directory's name */
    struct suite_case *cases;
    size_t n;
};

/* Load the suite at path (a manifest or a directory); false with a one-line reason. */
bool suite_load(const char *path, const char *programs, struct suite *s, char *why, size_t why_len);
void suite_free(struct suite *s);
void suite_case_free(struct suite_case *c);

enum case_result { CASE_PASS, CASE_FAIL, CASE_ERROR };

struct case_outcome {
    enum case_result result;
    enum check_level level; /* as far as the runner knows it (CHECK_LEVEL_NONE: unknown) */
    char *report;           /* what check said about the case */
    size_t report_len;
    char *log; /* the case's standard error: the program's and vmemu's messages */
    size_t log_len;
    double seconds;
    char why[160]; /* an error of the runner's own (timeout, cannot start) */
    bool finished;
};

/* The reports: JUnit XML and JSON; times: the cases' wall times too. */
void suite_write_junit(FILE *out, const struct suite *s, const struct case_outcome *o, bool times);
void suite_write_json(FILE *out, const struct suite *s, const struct case_outcome *o, bool times);

/* A case's outcome in one line: check's verdict and its first detail. */
void outcome_message(const struct case_outcome *o, const char *expected, char *buf, size_t len);

#endif
