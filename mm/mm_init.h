/* The memory manager's start and end. */
#ifndef VMEMU_MM_MM_INIT_H
#define VMEMU_MM_MM_INIT_H

#include <stdint.h>

/* RAM, the buddy allocator and the zero page; 0 or -errno. */
int mm_init(uint64_t ram_bytes);
/* Write back and free the page cache, then release RAM. */
void mm_exit(void);

#endif
