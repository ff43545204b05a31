/* What unit tests share: cmocka and the counting arch hooks. */
#ifndef VMEMU_TESTS_SUPPORT_H
#define VMEMU_TESTS_SUPPORT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "mm/arch.h"

extern unsigned long test_tlb_flushes;
extern unsigned long test_code_flushes;
/* arch_tlb_may_hold: true for every address, or (holds_all false) for the page at held only. */
extern bool test_tlb_holds_all;
extern unsigned long test_tlb_held;
/* arch_frames_changing: frames the kernel is about to rewrite or free, and the last one. */
extern unsigned long test_frames_changing, test_last_changing_pfn;
extern unsigned long test_min_flt, test_maj_flt; /* what arch_account_fault was charged */
extern uint64_t test_now_ns;                     /* what arch_now_ns() returns */
extern unsigned long test_kswapd_wakeups;        /* arch_wake_kswapd calls */
/* The processes arch_for_each_oom_task shows, and the pids arch_oom_kill was given. */
#define TEST_OOM_TASKS 8
extern struct oom_task test_oom_tasks[TEST_OOM_TASKS];
extern int test_nr_oom_tasks;
extern int test_oom_killed[TEST_OOM_TASKS];
extern int test_nr_oom_killed;

/* mm_init(64 MiB) with a warm page cache, and mm_exit: cmocka setup/teardown. */
int test_mm_setup(void **state);
int test_mm_teardown(void **state);

/* phys_init(64 MiB) and the slab caches; teardown fails on any leaked page. */
int test_alloc_setup(void **state);
int test_alloc_teardown(void **state);

/*
 * Free pages plus the pages slab holds: slab keeps empty slabs cached, as
 * Linux's does, so frames are counted as free or slab; a frame in neither
 * is in use.
 */
unsigned long test_free_or_slab_pages(void);
/* Slab objects in use, summed over /proc/slabinfo: a forgotten kernel object shows here. */
unsigned long test_slab_objects(void);

#endif
