/* The memory manager as most unit tests want it: 64 MiB, warm cache. */
#include <stdio.h>
#include <string.h>

#include "mm/internal.h"
#include "mm/fs.h"
#include "mm/mm_init.h"
#include "mm/seq.h"
#include "mm/slab.h"
#include "tests/unit/support/support.h"

int test_mm_setup(void **state)
{
    (void)state;
    filemap_cold = false;
    return mm_init(&(struct mm_settings){.ram_bytes = 64 << 20});
}

int test_mm_teardown(void **state)
{
    (void)state;
    mm_exit();
    filemap_cold = false;
    return 0;
}

unsigned long test_free_or_slab_pages(void)
{
    return nr_free_pages() + slab_reclaimable_pages() + slab_unreclaimable_pages();
}

unsigned long test_slab_objects(void)
{
    struct seq s;
    seq_init(&s);
    slabinfo_show(&s);
    assert_false(s.overflow);
    unsigned long total = 0;
    char *save = NULL;
    for (char *line = strtok_r(s.buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char name[64];
        unsigned long active;
        if (line[0] != '#' && sscanf(line, "%63s %lu", name, &active) == 2)
            total += active;
    }
    seq_free(&s);
    return total;
}

/* The allocator tests: RAM and the slab caches only, no mm. */
static unsigned long boot_free; /* nr_free_pages() right after phys_init */

int test_alloc_setup(void **state)
{
    (void)state;
    if (phys_init(64 << 20))
        return -1;
    boot_free = nr_free_pages();
    return kmem_cache_init();
}

/* Every allocator test ends with the no-leak property: all pages are back. */
int test_alloc_teardown(void **state)
{
    (void)state;
    kmem_cache_exit();
    unsigned long now = nr_free_pages();
    unsigned long slab = slab_reclaimable_pages() + slab_unreclaimable_pages();
    unsigned long used = vmalloc_used_pages();
    phys_exit();
    if (now != boot_free || slab != 0 || used != 0) {
        fprintf(stderr, "leak: %lu free pages after exit, %lu at boot; %lu slab, %lu vmalloc\n",
                now, boot_free, slab, used);
        return -1;
    }
    return 0;
}
