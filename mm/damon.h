/*
 * Data access monitoring in the manner of Linux's DAMON (mm/damon/): how
 * often each part of an address space is used, measured from the accessed
 * bits of its page-table entries.
 *
 * An mm's mapped memory is covered by regions. Every sampling interval the
 * monitor looks at one page of each region: was its accessed bit set again
 * since it was cleared? If so the region's nr_accesses grows. Then it picks
 * another page of the region (at random, from a seeded generator, so runs
 * repeat) and clears that page's accessed bit; the emulated CPU sets it
 * again on the next access, through its TLB-fill hook. After an
 * aggregation (a number of samples) each region's count says how hot it
 * was; then neighbours with similar counts merge and every region splits
 * in two at a random page, so the regions follow the access pattern while
 * their number, and so the cost of a sample, stays between min_regions and
 * max_regions.
 *
 * Invariants: regions are page aligned, sorted, non-overlapping, and each
 * lies inside one VMA of the mm at the time of the last damon_update();
 * they never cover unmapped space. The monitor's own state lives in host
 * memory, not guest RAM: watching a guest must not change what the guest
 * sees (its /proc/meminfo, its frame numbers).
 */
#ifndef VMEMU_MM_DAMON_H
#define VMEMU_MM_DAMON_H

#include <stdbool.h>
#include <stdint.h>

#include "mm_types.h"

struct damon_region {
    unsigned long start, end;    /* [start, end), page aligned */
    unsigned long sampling_addr; /* the page whose accessed bit was cleared */
    unsigned int nr_accesses;    /* samples that found it accessed, this aggregation */
};

struct damon_target {
    struct mm_struct *mm;
    struct damon_region *regions;
    unsigned int nr_regions, cap;
};

struct damon_ctx {
    unsigned int min_regions, max_regions; /* per target */
    uint64_t rng;                          /* the seeded generator's state */
};

void damon_ctx_init(struct damon_ctx *ctx, unsigned int min_regions, unsigned int max_regions,
                    uint64_t seed);

/* Start watching mm: no regions until the first damon_update(). */
void damon_target_init(struct damon_target *t, struct mm_struct *mm);
void damon_target_free(struct damon_target *t);

/*
 * Fit the regions to the mm's VMAs now: cut them at VMA ends, drop what is
 * no longer mapped, cover new mappings, and split until there are at least
 * min_regions. Then arm a first sample. false when out of memory (the
 * target keeps what it had).
 */
bool damon_update(struct damon_ctx *ctx, struct damon_target *t);

/*
 * One sample: count the regions whose sampling page was accessed, then pick
 * and clear the next sampling pages. Flushes the TLB of the mm (through
 * arch_flush_tlb_mm) when it cleared an accessed bit the CPU may cache.
 */
void damon_sample(struct damon_ctx *ctx, struct damon_target *t);

/*
 * The end of an aggregation, once its counts are read: merge neighbours of
 * one VMA whose counts differ by at most a tenth of the largest, start the
 * counts again from zero, and split regions while there are fewer than
 * max_regions / 2. false when out of memory.
 */
bool damon_aggregate(struct damon_ctx *ctx, struct damon_target *t);

#endif
