/* What vmemu tells the user: fatal-signal reports and the exit summary. */
#ifndef VMEMU_EMU_REPORT_H
#define VMEMU_EMU_REPORT_H

#include "emu/cpu.h"

struct task;

/* The kernel's segfault log line, then the instruction and the map around the address. */
void report_fault_signal(struct task *t, int sig, const struct cpu_fault *f);
void report_trap_signal(struct task *t, int sig, const struct cpu_trap *trap);
/* Pages handed out by the buddy allocator so far (all zones). */
unsigned long report_pgalloc_total(void);
/* Remember the buddy allocator's count at the start, for "pages allocated". */
void report_mark_start(void);
/* The summary at the end: totals over every process, then a line for each if several. */
void report_summary(int status, double wall_seconds);
/* The x86 page-fault error code of a fault (P, W, U, I bits). */
unsigned long report_fault_error_code(struct task *t, const struct cpu_fault *f);

#endif
