/*
 * Allocation flags (Linux's gfp_t): which zones a page may come from,
 * whether it must be zeroed. Only these are honoured; the combinations
 * Linux callers pass keep their names so the code reads the same.
 */
#ifndef VMEMU_MM_GFP_H
#define VMEMU_MM_GFP_H

typedef unsigned int gfp_t;

#define __GFP_DMA 0x01u
#define __GFP_DMA32 0x02u
#define __GFP_ZERO 0x100u
#define __GFP_NOWARN 0x200u
/*
 * Not subject to failure injection: the allocation serves one that already
 * had its chance to fail (a slab's frames under kmem_cache_alloc).
 */
#define __GFP_NOINJECT 0x400u

#define GFP_KERNEL 0u
#define GFP_USER 0u
#define GFP_HIGHUSER_MOVABLE 0u

#endif
