/* Bringing the memory manager up and down, in the order Linux's boot does. */
#include <errno.h>

#include "fault.h"
#include "fs.h"
#include "mm_init.h"

static struct page *zero_page;

int mm_init(uint64_t ram_bytes)
{
    int err = phys_init(ram_bytes);
    if (err)
        return err;
    zero_page = alloc_page(GFP_KERNEL | __GFP_ZERO);
    if (!zero_page) {
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
    phys_exit();
}
