/*
 * Bringing the memory manager up and down, in the order Linux's boot does,
 * and the leak check around a run.
 */
#include <errno.h>

#include "internal.h"
#include "mm_init.h"
#include "mmzone.h"
#include "slab.h"
#include "swap.h"
#include "vmstat.h"

static struct page *zero_page;

int mm_init(const struct mm_settings *settings)
{
    int err = phys_init(settings->ram_bytes);
    if (err)
        return err;
    if (settings->eager_memmap)
        deferred_init_all();
    filemap_cold = settings->cache_cold;
    vm_events_reset(); /* /proc/vmstat counts from this boot, like pgfree */
    mmlist_reset();
    lru_init();
    swap_cache_init();
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
    if ((settings->swap_bytes || settings->swap_file) &&
        (err = swapon(settings->swap_file, settings->swap_bytes)) != 0) {
        mm_exit();
        return err;
    }
    return 0;
}

void mm_exit(void)
{
    filemap_exit();
    swap_cache_drop_all();
    swapoff();
    ClearPageFlag(zero_page, PG_reserved);
    __free_page(zero_page);
    zero_page = NULL;
    mm_caches_exit();
    kmem_cache_exit();
    phys_exit();
    filemap_cold = false;
}

void mm_exit_fast(void)
{
    filemap_writeback_at_exit();
}

unsigned long mm_leak_check_start(void)
{
    kmem_cache_shrink_all();
    return nr_free_pages();
}

unsigned long mm_leak_check_end(unsigned long free_at_start)
{
    filemap_exit(); /* the page cache outlives every mm, as in Linux: drop it as exit does */
    swap_cache_drop_all();
    kmem_cache_shrink_all();
    unsigned long now = nr_free_pages();
    return now < free_at_start ? free_at_start - now : 0;
}
