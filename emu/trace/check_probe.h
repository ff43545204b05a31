/*
 * What the summary level needs from a run that no trace event carries,
 * taken while the run goes on: each process's final map (/proc/PID/maps
 * as it ends) and peak RSS (VmHWM), and the machine's meminfo and vmstat
 * counters at the start (before the program is loaded) and when the last
 * process ends (before its memory goes). Off unless `check` turns it on;
 * the hooks cost a test when it is off.
 */
#ifndef VMEMU_EMU_TRACE_CHECK_PROBE_H
#define VMEMU_EMU_TRACE_CHECK_PROBE_H

#include <stdbool.h>
#include <stddef.h>

struct task;

struct probe_process {
    int pid;
    unsigned long peak_rss; /* pages: VmHWM */
    char *maps;             /* /proc/PID/maps as the process ended */
};

/* The counters compared as deltas, by name as /proc/meminfo and /proc/vmstat name them. */
#define PROBE_MAX_COUNTERS 48
struct probe_counters {
    int n;
    const char *name[PROBE_MAX_COUNTERS];
    long value[PROBE_MAX_COUNTERS];
    bool meminfo[PROBE_MAX_COUNTERS]; /* a meminfo item (else a vmstat event) */
};

void check_probe_enable(bool on);
bool check_probe_enabled(void);
/*
 * The run's start, with mm set up and no task yet (main.c's run_program):
 * applies the testing perturbation VMEMU_TEST_PERTURB (check_perturb.h).
 */
void check_probe_start(void);
/*
 * The first task exists, with its standard streams, and no program is
 * loaded yet: the first counters. Taken here, not at the start, so that
 * what vmemu makes for the streams (a pipe's or a regular file's kernel
 * objects and page) is not in the deltas: a summary made with stderr on
 * a terminal holds when a suite gives it a pipe.
 */
void check_probe_task_ready(void);
/* t is the last task of its process and still has its mm (memstat_before_exit). */
void check_probe_process_end(struct task *t, bool last_of_run);

/* What was taken; the processes in the order they ended. */
const struct probe_process *check_probe_processes(size_t *n);
/* false when the run never got to both points. */
bool check_probe_counters(struct probe_counters *start, struct probe_counters *end);
void check_probe_reset(void);

#endif
