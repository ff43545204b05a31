/*
 * The OOM killer's scores, as /proc/PID/oom_score shows them, and the
 * range of oom_score_adj. The killer itself runs inside the page
 * allocator (oom_kill.c); the processes it weighs come from arch.h.
 */
#ifndef VMEMU_MM_OOM_H
#define VMEMU_MM_OOM_H

#include "arch.h"

struct mm_struct;

#define OOM_SCORE_ADJ_MIN (-1000) /* never killed */
#define OOM_SCORE_ADJ_MAX 1000

/*
 * Linux's oom_badness: resident pages, swap entries and page-table pages
 * of the process's mm, plus oom_score_adj thousandths of RAM and swap;
 * LONG_MIN for a process never to be chosen.
 */
long oom_badness(const struct oom_task *t, unsigned long totalpages);
/* /proc/PID/oom_score: the badness scaled to [0, 2000] as Linux scales it. */
long oom_score(const struct oom_task *t);
/*
 * Linux's __oom_reap_task_mm: unmap the private mappings of a dying
 * process's mm now, before it exits, freeing its anonymous pages (those of
 * private file mappings too, copied on write); shared and locked mappings
 * stay; the OOM killer skips the mm from then on. process_mrelease calls
 * it too.
 */
void mm_reap(struct mm_struct *mm);

#endif
