/* Bringing the memory manager up and down, in the order Linux's boot does. */
#include <errno.h>

#include "caches.h"
#include "fault.h"
#include "fs.h"
#include "mm_init.h"
#include "slab.h"
#include "vmstat.h"

static struct page *zero_page;

int mm_init(uint64_t ram_bytes)
{
    int err = phys_init(ram_bytes);
    if (err)
        return err;
    vm_events_reset(); /* /proc/vmstat counts from this boot, like pgfree */
    /* Slab comes up right after the buddy allocator, as in Linux's mm_core_init. */
    if ((err = kmem_cache_init()) != 0) {
        phys_exit();
        return err;
    }
    /* The caches of mm/'s own objects, as Linux's proc_caches_init(). */
    if ((err = mm_caches_init()) != 0) {
        kmem_cache_exit();
        phys_exit();
        return err;
    }
    zero_page = alloc_page(GFP_KERNEL | __GFP_ZERO);
    if (!zero_page) {
        mm_caches_exit();
        kmem_cache_exit();
        phys_exit();
        return -ENOMEM;
    }
    SetPageFlag(zero_page, PG_reserved);
    zero_pfn = page_to_pfn(zero_page);
    return 0;
}

void mm_exit(void)
{
    filemap_exit();
    ClearPageFlag(zero_page, PG_reserved);
    __free_page(zero_page);
    zero_page = NULL;
    mm_caches_exit();
    kmem_cache_exit();
    phys_exit();
}
