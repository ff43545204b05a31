/*
 * The tracer: every fault, every change to the address space, every
 * system call (decoded as strace prints it), page-cache and process events,
 * and, when sampling is on, access samples and memory counters, as readable
 * text or as JSON Lines. Runs are deterministic, so the same program and
 * options give the same bytes. A tracer can have others chained behind it
 * (a run's report and the user's trace file): each gets every event it
 * asked for, numbered in its own sequence.
 */
#ifndef VMEMU_EMU_TRACE_H
#define VMEMU_EMU_TRACE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "mm/mm_types.h"

#define TRACE_SCHEMA_VERSION 4

enum trace_category {
    TRACE_FAULT = 1u << 0,
    TRACE_MM = 1u << 1,
    TRACE_SYSCALL = 1u << 2,
    TRACE_PAGECACHE = 1u << 3,
    TRACE_PROC = 1u << 4,    /* fork, exec, renames, signals; exits are always traced */
    TRACE_ACCESS = 1u << 5,  /* access samples (only while sampling is on) */
    TRACE_MEMORY = 1u << 6,  /* memory counters and the frame map */
    TRACE_RECLAIM = 1u << 7, /* reclaim passes, swap-out and swap-in, OOM kills */
    TRACE_ALL = TRACE_FAULT | TRACE_MM | TRACE_SYSCALL | TRACE_PAGECACHE | TRACE_PROC |
                TRACE_ACCESS | TRACE_MEMORY | TRACE_RECLAIM,
};

struct task;
struct fault_result;
struct pagecache_event;
struct tracer;

/* Parse "fault,mm" style lists; 0 on success, -1 with *bad naming the culprit. */
int trace_parse_categories(const char *list, unsigned int *cats, const char **bad);

/* A tracer writing to out (not closed by trace_close); NULL when out of memory. */
struct tracer *trace_open(FILE *out, unsigned int cats, bool jsonl);
/* next gets every event too, after tr (tr may be NULL: then next is the chain). */
struct tracer *trace_chain(struct tracer *tr, struct tracer *next);
/* Close tr and every tracer chained behind it. */
void trace_close(struct tracer *tr);
/* Some tracer of the chain wants events of cat. */
bool trace_wants(const struct tracer *tr, unsigned int cat);

void trace_header(struct tracer *tr, struct task *t, char *const argv[]);
/* A fault handle_mm_fault resolved or refused; via names the system call, or NULL. */
void trace_fault(struct tracer *tr, struct task *t, uint64_t ip, unsigned long addr,
                 unsigned int flags, const struct fault_result *r, const char *via);
/* A VMA change, kept until the system call that made it ends. */
void trace_vma_change(struct tracer *tr, struct task *t, enum vma_event ev,
                      const struct vm_area_struct *vma);
/* A system call starts: its time, and what must be read before it runs (execve's strings). */
void trace_syscall_enter(struct tracer *tr, struct task *t, uint64_t nr, const uint64_t a[6]);
/* A system call ended: its mm event and/or syscall event. */
void trace_syscall(struct tracer *tr, struct task *t, uint64_t nr, const uint64_t a[6], long ret);
/* A page-cache event: a read() or write() of a page, a readahead window, writeback... */
void trace_pagecache(struct tracer *tr, struct task *t, const struct pagecache_event *ev);
struct reclaim_event;
/* What reclaim did (mm/swap.h's reclaim_event): a pass, a swap-out or swap-in, an OOM kill. */
void trace_reclaim(struct tracer *tr, struct task *t, const struct reclaim_event *ev);
/* Processes: a new task (fork, clone), a new program, signals taken, a task's end. */
void trace_task_new(struct tracer *tr, struct task *parent, struct task *child,
                    unsigned long flags);
void trace_exec(struct tracer *tr, struct task *t, const char *path);
/* The task named itself (prctl(PR_SET_NAME), /proc/self/comm): Linux's task_rename. */
void trace_rename(struct tracer *tr, struct task *t, const char *comm);
void trace_signal(struct tracer *tr, struct task *t, int sig, int code, bool handled);
void trace_sigreturn(struct tracer *tr, struct task *t);
void trace_task_exit(struct tracer *tr, struct task *t, int wait_status);

/*
 * An event of a type another module owns (access samples, memory
 * counters): for each tracer of the chain that wants cat, the common
 * fields are written, then fields(out, jsonl, ctx) writes the rest (JSON:
 * ",\"name\":value..."; text: " name=value...").
 */
typedef void (*trace_fields_fn)(FILE *out, bool jsonl, void *ctx);
void trace_event(struct tracer *tr, struct task *t, unsigned int cat, const char *type,
                 trace_fields_fn fields, void *ctx);

/* A JSON string literal for s. */
void trace_json_string(FILE *out, const char *s);

/*
 * The time events are stamped with (JSON "t"): the virtual clock in ns,
 * including the blocks the CPU has run since it last stopped (sched.c).
 */
uint64_t sched_clock_ns(void);

#endif
