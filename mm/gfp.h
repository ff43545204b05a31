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

/*
 * May the allocation wait for memory? __GFP_KSWAPD_RECLAIM wakes kswapd when
 * a zone runs low; __GFP_DIRECT_RECLAIM lets the caller reclaim itself, and
 * invoke the OOM killer, before failing (vmscan.c, oom_kill.c). A caller
 * that must not see reclaim run under it (it holds a page without a
 * reference, or a structure reclaim walks is half changed) asks without it.
 */
#define __GFP_DIRECT_RECLAIM 0x800u
#define __GFP_KSWAPD_RECLAIM 0x1000u
#define __GFP_RECLAIM (__GFP_DIRECT_RECLAIM | __GFP_KSWAPD_RECLAIM)

/*
 * May take the reserve below the min watermark (Linux's __GFP_MEMALLOC):
 * only for allocations that let memory be freed, and for tests of the
 * buddy allocator itself, which drain RAM to the last page.
 */
#define __GFP_MEMALLOC 0x2000u

#define GFP_KERNEL __GFP_RECLAIM
#define GFP_USER __GFP_RECLAIM
#define GFP_HIGHUSER_MOVABLE __GFP_RECLAIM
#define GFP_NOWAIT __GFP_KSWAPD_RECLAIM

#endif
