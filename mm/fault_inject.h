/*
 * Allocation-failure injection, in the spirit of Linux's fail_page_alloc
 * and failslab: a switch that makes chosen page and slab allocations fail
 * as if memory had run out, so that every -ENOMEM path can be exercised.
 *
 * Every allocation the page allocator (alloc_pages) or a slab cache
 * (kmem_cache_alloc, kmalloc) may fail is one attempt, numbered from 1 in
 * the order they happen. The spec chooses which fail:
 *   nth=N          the Nth attempt only (nth=0: none, only count)
 *   every=K        every Kth attempt
 *   random=P       each attempt with probability P percent (0..100)
 * optionally followed by ",seed=S" (random's generator), ",after=M" (the
 * first M attempts never fail) and ",times=T" (at most T failures from
 * now on). Attempts are counted from the start of the run: arming again
 * does not restart the count.
 * vmemu takes it from --fail-alloc=SPEC; anything linked with mm/ (the
 * unit tests) from the environment variable VMEMU_FAIL_ALLOC. Once armed,
 * a one-line report goes to stderr at exit: attempts, failures, and the
 * distinct sites (file:line of the caller) that were made to fail.
 */
#ifndef VMEMU_MM_FAULT_INJECT_H
#define VMEMU_MM_FAULT_INJECT_H

#include <stdbool.h>

#include "gfp.h"

#define FAIL_ALLOC_ENV "VMEMU_FAIL_ALLOC"

/*
 * Where the allocation being made was asked for. The allocator entry
 * points are macros that set it for the call (alloc_hooks, as Linux's
 * allocation profiling tags its call sites); allocator code calls the
 * _noprof functions, so the outermost caller's line is the one recorded.
 */
extern const char *alloc_site;

#define ALLOC_SITE_STR_(x) #x
#define ALLOC_SITE_STR(x) ALLOC_SITE_STR_(x)
#define ALLOC_SITE __FILE_NAME__ ":" ALLOC_SITE_STR(__LINE__)

#define alloc_hooks(call)                                                                          \
    ({                                                                                             \
        const char *saved_alloc_site_ = alloc_site;                                                \
        alloc_site = ALLOC_SITE;                                                                   \
        __auto_type alloc_ret_ = (call);                                                           \
        alloc_site = saved_alloc_site_;                                                            \
        alloc_ret_;                                                                                \
    })

/* Arm the injector with a spec (see above); 0, or -EINVAL with nothing armed. */
int fail_alloc_configure(const char *spec);

/*
 * Called by the page and slab allocators for each allocation they may fail
 * (not for __GFP_NOINJECT ones): true means fail this one. The first call
 * arms the injector from the environment when nothing configured it.
 */
bool should_fail_alloc(gfp_t gfp);

/* What the injector did so far (for tests; the report at exit prints it). */
struct fail_alloc_stats {
    unsigned long attempts, failures;
    unsigned int sites; /* distinct call sites made to fail */
};
void fail_alloc_get_stats(struct fail_alloc_stats *st);

#endif
