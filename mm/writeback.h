/*
 * Dirty page-cache pages and their way back to the host file: dirtying,
 * Linux's dirty thresholds and their sysctls, and writeback for fsync,
 * msync, sync, syncfs, the background threshold, expiry and exit.
 *
 * Preconditions: no other mm/ call is in progress. Writing back a page
 * first write-protects every entry that maps it, in every address space
 * (page_mkclean through the file's i_mmap), flushing each one's TLB.
 */
#ifndef VMEMU_MM_WRITEBACK_H
#define VMEMU_MM_WRITEBACK_H

#include <stdbool.h>

#include "fs.h"

#define DIRTY_BACKGROUND_RATIO 10     /* vm.dirty_background_ratio */
#define DIRTY_EXPIRE_CENTISECS 3000   /* vm.dirty_expire_centisecs: 30 s */
#define DIRTY_WRITEBACK_CENTISECS 500 /* vm.dirty_writeback_centisecs: the flusher's period */
#define DIRTY_RATELIMIT_PAGES 32      /* pages a write dirties between two looks at the limits */

/* The writable sysctls of /proc/sys/vm: read and set (0, or -EINVAL when out of range). */
enum vm_sysctl { VM_DIRTY_BACKGROUND_RATIO, VM_DIRTY_EXPIRE_CENTISECS };
unsigned int vm_sysctl_get(enum vm_sysctl which);
int vm_sysctl_set(enum vm_sysctl which, unsigned long value);

/* Why pages were written back, for traces. */
enum wb_reason {
    WB_REASON_FSYNC,
    WB_REASON_MSYNC,
    WB_REASON_SYNC,
    WB_REASON_BACKGROUND,
    WB_REASON_PERIODIC, /* older than dirty_expire_centisecs */
    WB_REASON_FADVISE,  /* POSIX_FADV_DONTNEED */
    WB_REASON_EXIT,
    WB_REASON_SETATTR,   /* the guest sets the file's times: its writes must not move them later */
    WB_REASON_VMSCAN,    /* reclaim met a dirty page */
    WB_REASON_FALLOCATE, /* the host file is about to change under the cache */
};
const char *wb_reason_name(enum wb_reason why);

/* Mark a cache page dirty (tag, count, age); false if it was already, has no file, or is shmem. */
bool set_page_dirty(struct page *page);
/* Pages dirty now, over all files (Linux's NR_FILE_DIRTY, kept exact). */
unsigned long global_dirty_pages(void);
/* Pages in the page cache of host files now, over all files (on the file LRU lists). */
unsigned long global_file_pages(void);
/*
 * Write the dirty pages of [start, end) (page indices, end exclusive) back
 * to the host file, collecting the dirty bits of the mappings first and
 * write-protecting them (page_mkclean). 0 or the first -errno; pages that
 * could not be written stay dirty.
 */
int writeback_range(struct address_space *as, pgoff_t start, pgoff_t end, enum wb_reason why);
/*
 * Reclaim met the dirty page: write it back now, with the file's dirty
 * pages after it (a chunk, as Linux's flusher would), the page first.
 * 0 when the page is clean now, or -errno.
 */
int writeback_page(struct page *page);
/*
 * fsync(2)/fdatasync(2): the file's dirty pages, then the host's fsync; a
 * writeback error is reported once through each file (errseq).
 */
int vfs_fsync(struct file *f);
/* The writeback error not yet reported through f (0 if none); reported now. */
int file_check_and_advance_wb_err(struct file *f);
/*
 * Files with a writeback error that no file ever reported: fn is called
 * for each with its name and -errno; returns how many there were.
 */
int for_each_unseen_wb_err(void (*fn)(const char *name, int err, void *ctx), void *ctx);
/* Write every dirty page of every file back (sync(2), exit); 0 or the first -errno. */
int writeback_all(enum wb_reason why);
/* syncfs(2): the files on the host file system (device) dev. */
int writeback_dev(uint64_t dev, enum wb_reason why);
/*
 * A task dirtied pages of as: write back in the background when the dirty
 * pages pass dirty_background_ratio of dirtyable memory, and write back
 * files dirty for longer than dirty_expire_centisecs.
 */
void balance_dirty_pages_ratelimited(struct address_space *as);
/* The flusher's periodic look for files dirty too long; cheap when not due. */
void writeback_periodic(void);
/* Linux's dirty thresholds, in pages: background and the hard one. */
void global_dirty_limits(unsigned long *background, unsigned long *dirty);

#endif
