/*
 * DAMON-style access monitoring of an mm (see damon.h): regions over the
 * VMAs, one sampled page per region per sample, adaptive merging and
 * splitting at each aggregation.
 *
 * Clearing an accessed bit hides a reference from whoever reads it later
 * (smaps' Referenced, reclaim's second-chance test), so a page whose bit
 * was set when the monitor cleared it gets PG_young, as Linux's DAMON sets
 * its page_idle young flag: readers of the accessed bit count it too.
 */
#include "damon.h"

#include <stdlib.h>
#include <string.h>

#include "arch.h"
#include "mmap.h"
#include "pgtable.h"

void damon_ctx_init(struct damon_ctx *ctx, unsigned int min_regions, unsigned int max_regions,
                    uint64_t seed)
{
    ctx->min_regions = min_regions ? min_regions : 1;
    ctx->max_regions = max_regions < ctx->min_regions ? ctx->min_regions : max_regions;
    ctx->rng = seed ^ 0x6a09e667f3bcc908ULL;
}

/* splitmix64: small, fast, and the same sequence on every run. */
static uint64_t damon_rand(struct damon_ctx *ctx)
{
    uint64_t z = (ctx->rng += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static unsigned long region_pages(const struct damon_region *r)
{
    return (r->end - r->start) >> PAGE_SHIFT;
}

void damon_target_init(struct damon_target *t, struct mm_struct *mm)
{
    memset(t, 0, sizeof(*t));
    t->mm = mm;
}

void damon_target_free(struct damon_target *t)
{
    free(t->regions);
    t->regions = NULL;
    t->nr_regions = t->cap = 0;
}

/* The present entry mapping addr, or NULL. */
static pte_t *present_pte(struct mm_struct *mm, unsigned long addr)
{
    pte_t *pte = pte_offset(mm, addr);
    return pte && pte_present(*pte) ? pte : NULL;
}

/* Clear addr's accessed bit; true if it was set (the TLB may hold it). */
static bool damon_mkold(struct mm_struct *mm, unsigned long addr)
{
    pte_t *pte = present_pte(mm, addr);
    if (!pte || !pte_young(*pte))
        return false;
    *pte = pte_mkold(*pte);
    unsigned long pfn = pte_pfn(*pte);
    if (pfn < max_pfn)
        SetPageFlag(pfn_to_page(pfn), PG_young);
    return true;
}

static bool damon_young(struct mm_struct *mm, unsigned long addr)
{
    pte_t *pte = present_pte(mm, addr);
    return pte && pte_young(*pte);
}

/* Pick the region's next sampling page and clear its accessed bit. */
static bool prepare_check(struct damon_ctx *ctx, struct damon_region *r, struct mm_struct *mm)
{
    r->sampling_addr = r->start + (damon_rand(ctx) % region_pages(r)) * PAGE_SIZE;
    return damon_mkold(mm, r->sampling_addr);
}

static void prepare_checks(struct damon_ctx *ctx, struct damon_target *t)
{
    bool flush = false;
    for (unsigned int i = 0; i < t->nr_regions; i++)
        flush |= prepare_check(ctx, &t->regions[i], t->mm);
    if (flush)
        arch_flush_tlb_mm(t->mm);
}

void damon_sample(struct damon_ctx *ctx, struct damon_target *t)
{
    for (unsigned int i = 0; i < t->nr_regions; i++)
        if (damon_young(t->mm, t->regions[i].sampling_addr))
            t->regions[i].nr_accesses++;
    prepare_checks(ctx, t);
}

/* Room for n regions in out; false when out of memory. */
static bool reserve(struct damon_region **out, unsigned int *cap, unsigned int n)
{
    if (n <= *cap)
        return true;
    unsigned int c = *cap ? *cap : 16;
    while (c < n)
        c *= 2;
    struct damon_region *r = realloc(*out, c * sizeof(*r));
    if (!r)
        return false;
    *out = r;
    *cap = c;
    return true;
}

static bool push(struct damon_region **out, unsigned int *n, unsigned int *cap, unsigned long start,
                 unsigned long end, unsigned int nr_accesses)
{
    if (!reserve(out, cap, *n + 1))
        return false;
    (*out)[(*n)++] = (struct damon_region){start, end, start, nr_accesses};
    return true;
}

/* The target's regions are now out[0..n), an array of cap. */
static void replace_regions(struct damon_target *t, struct damon_region *out, unsigned int n,
                            unsigned int cap)
{
    free(t->regions);
    t->regions = out;
    t->nr_regions = n;
    t->cap = cap;
}

/*
 * The regions inside [vs, ve): the old ones clipped to it, holes between
 * them filled by new regions. *k walks the old regions (sorted) and is
 * left on the first that may reach past ve.
 */
static bool fit_vma(const struct damon_target *t, unsigned int *k, unsigned long vs,
                    unsigned long ve, struct damon_region **out, unsigned int *n, unsigned int *cap)
{
    unsigned long at = vs;
    while (*k < t->nr_regions && t->regions[*k].end <= vs)
        (*k)++;
    for (unsigned int i = *k; i < t->nr_regions && t->regions[i].start < ve; i++) {
        const struct damon_region *r = &t->regions[i];
        unsigned long s = r->start > vs ? r->start : vs, e = r->end < ve ? r->end : ve;
        if (s > at && !push(out, n, cap, at, s, 0))
            return false;
        if (!push(out, n, cap, s, e, r->nr_accesses))
            return false;
        at = e;
    }
    return at >= ve || push(out, n, cap, at, ve, 0);
}

/* Split the largest region in halves until there are min_regions (or nothing splits). */
static bool split_to_min(struct damon_ctx *ctx, struct damon_target *t)
{
    while (t->nr_regions < ctx->min_regions) {
        unsigned int big = 0;
        for (unsigned int i = 1; i < t->nr_regions; i++)
            if (region_pages(&t->regions[i]) > region_pages(&t->regions[big]))
                big = i;
        if (t->nr_regions == 0 || region_pages(&t->regions[big]) < 2)
            return true;
        if (!reserve(&t->regions, &t->cap, t->nr_regions + 1))
            return false;
        struct damon_region *r = &t->regions[big];
        memmove(r + 2, r + 1, (t->nr_regions - big - 1) * sizeof(*r));
        unsigned long mid = r->start + (region_pages(r) / 2) * PAGE_SIZE;
        r[1] = (struct damon_region){mid, r->end, mid, r->nr_accesses};
        r->end = mid;
        t->nr_regions++;
    }
    return true;
}

bool damon_update(struct damon_ctx *ctx, struct damon_target *t)
{
    struct damon_region *out = NULL;
    unsigned int n = 0, cap = 0, k = 0;
    for (struct vm_area_struct *v = find_vma(t->mm, 0); v; v = vma_next(t->mm, v)) {
        if (!fit_vma(t, &k, v->vm_start, v->vm_end, &out, &n, &cap)) {
            free(out);
            return false;
        }
    }
    replace_regions(t, out, n, cap);
    bool ok = split_to_min(ctx, t);
    prepare_checks(ctx, t);
    return ok;
}

/* a and b are neighbours in one VMA (a region never spans two). */
static bool same_vma(struct mm_struct *mm, const struct damon_region *a,
                     const struct damon_region *b)
{
    if (a->end != b->start)
        return false;
    struct vm_area_struct *v = find_vma(mm, a->start);
    return v && v->vm_start <= a->start && v->vm_end >= b->end;
}

static unsigned int diff(unsigned int a, unsigned int b)
{
    return a > b ? a - b : b - a;
}

/* Merge neighbours whose counts differ by at most thres, up to sz_limit bytes. */
static void merge_pass(struct damon_target *t, unsigned int thres, unsigned long sz_limit)
{
    unsigned int n = 0;
    for (unsigned int i = 0; i < t->nr_regions; i++) {
        struct damon_region *r = &t->regions[i];
        struct damon_region *prev = n ? &t->regions[n - 1] : NULL;
        if (prev && same_vma(t->mm, prev, r) && diff(prev->nr_accesses, r->nr_accesses) <= thres &&
            (r->end - prev->start) <= sz_limit) {
            /* The merged count is the size-weighted mean, as DAMON's. */
            unsigned long a = prev->end - prev->start, b = r->end - r->start;
            prev->nr_accesses =
                (unsigned int)((prev->nr_accesses * a + r->nr_accesses * b) / (a + b));
            prev->end = r->end;
        } else {
            t->regions[n++] = *r;
        }
    }
    t->nr_regions = n;
}

static void merge_regions(struct damon_ctx *ctx, struct damon_target *t)
{
    unsigned int max_nr = 0;
    unsigned long total = 0;
    for (unsigned int i = 0; i < t->nr_regions; i++) {
        if (t->regions[i].nr_accesses > max_nr)
            max_nr = t->regions[i].nr_accesses;
        total += t->regions[i].end - t->regions[i].start;
    }
    unsigned long sz_limit = total / ctx->min_regions;
    if (sz_limit < PAGE_SIZE)
        sz_limit = PAGE_SIZE;
    unsigned int thres = max_nr / 10;
    /* Loosen the threshold until the regions fit under the ceiling, as DAMON does. */
    for (;;) {
        merge_pass(t, thres, sz_limit);
        if (t->nr_regions <= ctx->max_regions || thres / 2 > max_nr)
            break;
        thres = thres ? thres * 2 : 1;
    }
}

/* Split every region into two (three while there are few) at random pages. */
static bool split_regions(struct damon_ctx *ctx, struct damon_target *t)
{
    if (t->nr_regions > ctx->max_regions / 2)
        return true;
    unsigned int pieces = t->nr_regions < ctx->max_regions / 3 ? 3 : 2;
    struct damon_region *out = NULL;
    unsigned int n = 0, cap = 0;
    for (unsigned int i = 0; i < t->nr_regions; i++) {
        struct damon_region r = t->regions[i];
        for (unsigned int p = 1; p < pieces; p++) {
            unsigned long pages = region_pages(&r);
            /* At a tenth to nine tenths of the region, on a page boundary. */
            unsigned long cut = (1 + damon_rand(ctx) % 9) * pages / 10;
            if (cut == 0 || cut >= pages)
                break;
            unsigned long at = r.start + cut * PAGE_SIZE;
            if (!push(&out, &n, &cap, r.start, at, r.nr_accesses)) {
                free(out);
                return false;
            }
            r.start = at;
        }
        if (!push(&out, &n, &cap, r.start, r.end, r.nr_accesses)) {
            free(out);
            return false;
        }
    }
    replace_regions(t, out, n, cap);
    return true;
}

bool damon_aggregate(struct damon_ctx *ctx, struct damon_target *t)
{
    merge_regions(ctx, t);
    for (unsigned int i = 0; i < t->nr_regions; i++)
        t->regions[i].nr_accesses = 0;
    return split_regions(ctx, t);
}
