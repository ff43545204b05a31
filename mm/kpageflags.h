/*
 * What /proc/kpageflags and /proc/kpagecount show of a frame (Linux's
 * fs/proc/page.c, Documentation/admin-guide/mm/pagemap.rst): the KPF_*
 * bits of its struct page and its map count. emu/fs/proc_kpage.c owns the
 * files; this owns the reading of struct pages.
 */
#ifndef VMEMU_MM_KPAGEFLAGS_H
#define VMEMU_MM_KPAGEFLAGS_H

#include <stdint.h>

/* include/uapi/linux/kernel-page-flags.h, and the kernel-internal bits above 31 it shows too. */
enum kpageflag {
    KPF_LOCKED = 0,
    KPF_ERROR = 1,
    KPF_REFERENCED = 2,
    KPF_UPTODATE = 3,
    KPF_DIRTY = 4,
    KPF_LRU = 5,
    KPF_ACTIVE = 6,
    KPF_SLAB = 7,
    KPF_WRITEBACK = 8,
    KPF_RECLAIM = 9,
    KPF_BUDDY = 10,
    KPF_MMAP = 11,
    KPF_ANON = 12,
    KPF_SWAPCACHE = 13,
    KPF_SWAPBACKED = 14,
    KPF_COMPOUND_HEAD = 15,
    KPF_COMPOUND_TAIL = 16,
    KPF_HUGE = 17,
    KPF_UNEVICTABLE = 18,
    KPF_HWPOISON = 19,
    KPF_NOPAGE = 20,
    KPF_KSM = 21,
    KPF_THP = 22,
    KPF_OFFLINE = 23,
    KPF_ZERO_PAGE = 24,
    KPF_IDLE = 25,
    KPF_PGTABLE = 26,
    KPF_RESERVED = 32,
    KPF_MLOCKED = 33,
    KPF_OWNER_2 = 34, /* PG_anon_exclusive's bit for anonymous pages */
    KPF_PRIVATE = 35,
    KPF_PRIVATE_2 = 36,
    KPF_OWNER_PRIVATE = 37, /* PG_swapcache's bit */
};

/* Frames the files cover: one entry per frame of guest RAM. */
unsigned long kpage_nr_frames(void);
/* The KPF_* bits of frame pfn (KPF_NOPAGE past the end of RAM). */
uint64_t kpage_flags(unsigned long pfn);
/* How many page-table entries map frame pfn (0 for the zero page, as Linux counts it). */
uint64_t kpage_count(unsigned long pfn);

#endif
