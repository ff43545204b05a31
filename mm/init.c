/* Bringing the memory manager up and down, in the order Linux's boot does. */
#include <errno.h>

#include "fault.h"
#include "fs.h"
#include "mm_init.h"
#include "slab.h"

static struct page *zero_page;

int mm_init(uint64_t ram_bytes)
{
    int err = phys_init(ram_bytes);
    if (err)
        return err;
    /* Slab comes up right after the buddy allocator, as in Linux's mm_core_init. */
    if ((err = kmem_cache_init()) != 0) {
        phys_exit();
        return err;
    }
    zero_page = alloc_page(GFP_KERNEL | __GFP_ZERO);
    if (!zero_page) {
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
    kmem_cache_exit();
    phys_exit();
}
