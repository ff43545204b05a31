/* The memory manager's start and end, and the leak check around a run. */
#ifndef VMEMU_MM_MM_INIT_H
#define VMEMU_MM_MM_INIT_H

#include <stdbool.h>
#include <stdint.h>

/* What the memory manager is set up with (nothing else is set from outside). */
struct mm_settings {
    uint64_t ram_bytes; /* guest RAM: a multiple of 4 KiB, at least 16 MiB */
    /*
     * The page cache's starting state: false (warm) treats every page of a
     * file the guest opens as already cached, as when it was recently read;
     * true (cold) makes the first touch of each page wait for I/O (a major
     * fault).
     */
    bool cache_cold;
    /*
     * Swap (swap.h's swapon): swap_bytes of it in the host file swap_file,
     * which is kept, or in an unnamed temporary file when swap_file is
     * NULL. Neither set: no swap.
     */
    uint64_t swap_bytes;
    const char *swap_file;
    /*
     * Write every struct page and link every free block at boot, rather
     * than a section at a time when first needed (deferred_init.c); what
     * the guest can observe is the same either way (a testing knob).
     */
    bool eager_memmap;
};

/*
 * RAM, the buddy allocator, slab and the caches of mm's objects, the
 * zero page and swap; 0 or -errno (nothing left set up on failure).
 * Preconditions: mm is not initialised (mm_exit undoes it).
 */
int mm_init(const struct mm_settings *settings);
/* Write the page cache back and free it, then release RAM. */
void mm_exit(void);
/*
 * The end of a normal exit: write the page cache back (as mm_exit does,
 * saying which pages could not be), and leave guest RAM, the page cache
 * and every object in them as they are, for the host to take back when
 * vmemu exits; tearing them down page by page would only feed the leak
 * check. Nothing of mm may be used afterwards but mm_exit.
 */
void mm_exit_fast(void);

/*
 * The leak check: mm_leak_check_start, before the guest exists, returns
 * MemFree (in pages) with every empty slab given back; mm_leak_check_end,
 * after every mm is put, tears the page cache down as exit does, shrinks
 * slab again and returns how many pages did not come back (0: none).
 */
unsigned long mm_leak_check_start(void);
unsigned long mm_leak_check_end(unsigned long free_at_start);

#endif
