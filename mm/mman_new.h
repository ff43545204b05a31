/*
 * Linux's memory-management constants (uapi mman-common.h, mman.h, prctl.h)
 * newer than the build host's headers know (Debian 12's are Linux 6.1's),
 * with Linux 6.18's values. Each is defined only where the host's headers
 * lack it, so newer headers win and nothing differs.
 */
#ifndef VMEMU_MM_MMAN_NEW_H
#define VMEMU_MM_MMAN_NEW_H

#include <sys/mman.h>

#ifndef MAP_DROPPABLE
#define MAP_DROPPABLE 0x08 /* 6.11: a map type, zero-filled pages may go under pressure */
#endif
#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22 /* 5.14 */
#define MADV_POPULATE_WRITE 23
#endif
#ifndef MADV_DONTNEED_LOCKED
#define MADV_DONTNEED_LOCKED 24 /* 5.18 */
#endif
#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25 /* 6.1 */
#endif
#ifndef MADV_GUARD_INSTALL
#define MADV_GUARD_INSTALL 102 /* 6.13 */
#define MADV_GUARD_REMOVE 103
#endif
#ifndef MADV_WIPEONFORK
#define MADV_WIPEONFORK 18
#define MADV_KEEPONFORK 19
#endif
#ifndef MLOCK_ONFAULT
#define MLOCK_ONFAULT 0x01
#endif
#ifndef MCL_ONFAULT
#define MCL_ONFAULT 4
#endif

#endif
