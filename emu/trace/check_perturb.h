/*
 * A testing knob: VMEMU_TEST_PERTURB makes harmless changes to the
 * machine a program starts on, the kind an unrelated change to vmemu
 * makes, so that tests can show which check levels notice them:
 *   pages=N     N pages taken from the buddy allocator at start-up and
 *               kept (every later frame number moves);
 *   kmalloc=B   one kernel object of B bytes allocated at start-up;
 *   scatter=N   2N pages taken and every other one given back, highest
 *               first (later allocations get frames in another order).
 * Items are comma-separated ("pages=3,scatter=64"). Nothing the program
 * can observe changes but frame numbers and the counts of free memory.
 * The pages are kept to the end (guest RAM goes as a whole); the object
 * is freed when the last process ends, so that slab's teardown finds
 * every object given back.
 */
#ifndef VMEMU_EMU_TRACE_CHECK_PERTURB_H
#define VMEMU_EMU_TRACE_CHECK_PERTURB_H

#include <stdbool.h>

#define PERTURB_ENV "VMEMU_TEST_PERTURB"

/* Apply what PERTURB_ENV asks for (mm is set up); a bad value is reported and ignored. */
void check_perturb_apply(void);
/* The kernel object it allocated, if any, still held; check_perturb_release frees it. */
bool check_perturb_held(void);
void check_perturb_release(void);

#endif
