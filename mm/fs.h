/*
 * Open files and their page cache. An address_space exists once per host
 * file (device + inode) and is shared by every open file and mapping of it.
 */
#ifndef VMEMU_MM_FS_H
#define VMEMU_MM_FS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "errseq.h"
#include "page.h"
#include "xarray.h"

/* The page-cache tags on i_pages (Linux's PAGECACHE_TAG_*). */
#define PAGECACHE_TAG_DIRTY XA_MARK_0
#define PAGECACHE_TAG_WRITEBACK XA_MARK_1
#define PAGECACHE_TAG_TOWRITE XA_MARK_2

struct address_space {
    uint64_t host_dev, host_ino;
    int host_fd;        /* the host file, read-only, for page-in */
    uint64_t i_size;    /* bytes, as the guest sees the file */
    uint64_t host_size; /* the host file's size as vmemu last made or saw it */
    struct xarray i_pages;
    unsigned long nrpages;
    uint64_t dirtied_when; /* arch_now_ns() when it became dirty; 0 while clean */
    errseq_t wb_err;       /* the last writeback error, reported once per open file */
    char *a_name;          /* the file's base name, for traces (kmalloc) */
    int refcount;
    struct list_head as_list;
};

/*
 * Readahead state of one open file (Linux's struct file_ra_state): the
 * current window [start, start + size), of which the last async_size pages
 * are ahead of the reader; reaching the first of those (it carries
 * PG_readahead) reads the next window.
 */
struct file_ra_state {
    pgoff_t start;
    unsigned int size;
    unsigned int async_size;
    unsigned int ra_pages; /* the largest window: ra_pages, twice that for FADV_SEQUENTIAL */
    unsigned int mmap_miss;
    uint64_t prev_pos; /* where the last read() ended; UINT64_MAX before any */
    bool random;       /* FADV_RANDOM: read what is asked, nothing more */
};

struct file;
struct stat;
struct vfsmount;
/*
 * What a file that has no host descriptor (vmemu's /proc and /dev files)
 * does instead of the page cache. Buffers are vmemu's; results are bytes
 * or -errno. A missing operation is refused as Linux refuses it.
 */
struct file_operations {
    long (*read)(struct file *f, char *buf, size_t len, uint64_t *pos);
    long (*write)(struct file *f, const char *buf, size_t len, uint64_t *pos);
    int64_t (*llseek)(struct file *f, int64_t off, int whence);
    /* Directory entries as linux_dirent64 records from f_pos on. */
    long (*getdents)(struct file *f, char *buf, size_t len);
    int (*getattr)(struct file *f, struct stat *st);
    /*
     * Files that move data straight between themselves and the calling
     * task's memory and may make it sleep (pipes, eventfd, signalfd): the
     * system call layer (emu/fs/stream.c) calls these; poll reports what the
     * file is ready for and, when queue, puts the caller on its wait queues.
     */
    long (*read_user)(struct file *f, uint64_t ubuf, size_t count);
    long (*write_user)(struct file *f, uint64_t ubuf, size_t count);
    unsigned int (*poll)(struct file *f, bool queue);
    long (*ioctl)(struct file *f, unsigned int cmd, uint64_t arg);
    void (*release)(struct file *f); /* the last reference went */
};

struct file {
    struct address_space *f_mapping; /* NULL for ttys, pipes and the like */
    int f_host_fd;                   /* -1 for vmemu's own files (f_op) */
    unsigned int f_flags;            /* the open(2) flags */
    mode_t f_mode;                   /* st_mode of the host file */
    uint64_t f_pos;
    int f_count;
    char *f_path; /* the guest's path of the file, for /proc and traces */
    /*
     * The position lives in the host's open file description, shared with
     * whoever else holds it (the guest's inherited stdio): reads and writes
     * move it there, so the shell and vmemu's own output see it too.
     */
    bool f_pos_shared;
    struct file_ra_state f_ra;
    const struct file_operations *f_op; /* NULL: an ordinary file */
    void *private_data;                 /* f_op's own */
    struct vfsmount *f_mnt;             /* emu/fs: where in the guest's namespace it was opened */
    errseq_t f_wb_err;                  /* the writeback error last reported through it */
    uint64_t f_ino;                     /* pseudo files: the inode number fstat shows */
};

/* Open a host file for the guest; NULL and *err = -errno on failure. */
struct file *file_open(const char *path, int flags, int mode, int *err);
/* The same for a descriptor just opened (the file owns it, even on failure). */
struct file *file_open_fd(int fd, const char *name, int flags, int *err);
/* A file with no host descriptor: op does its work, priv is op's (Linux's alloc_file_pseudo). */
struct file *alloc_file_pseudo(const char *name, int flags, mode_t mode,
                               const struct file_operations *op, void *priv, int *err);
/* Wrap an already open host descriptor (the guest's stdin, stdout, stderr). */
struct file *file_from_host_fd(int fd, const char *name, int *err);
/* Name the file (kmalloc'd copy); 0 or -ENOMEM, the old name kept on failure. */
int file_set_path(struct file *f, const char *path);
struct file *get_file(struct file *f);
void fput(struct file *f);
/* Called with a file whose last reference goes, before it is freed (emu/: its file locks). */
extern void (*file_release_hook)(struct file *f);

/*
 * The page of the file at index, read from the host file when not cached.
 * Returns it with a reference held, or NULL (ENOMEM or I/O error in *err).
 * *major is set when the page had to be read (the fault waited for I/O).
 */
struct page *filemap_get_page(struct address_space *as, pgoff_t index, bool *major, int *err);
/* The page cache of the host file (dev, ino) if vmemu has one; no reference taken. */
struct address_space *find_mapping(uint64_t dev, uint64_t ino);
/* The cached page at index or NULL; no reference taken, no I/O. */
struct page *filemap_find_page(struct address_space *as, pgoff_t index);

#define VM_READAHEAD_PAGES 32 /* ra_pages: 128 KiB, Linux's default */

struct vm_area_struct;
/*
 * The page cache side of a file fault (Linux's filemap_fault): the page at
 * index with a reference held, read-around on a miss (a major fault in cold
 * mode), asynchronous readahead when a marked page is reached. *ra_pages
 * counts the pages readahead brought in. NULL with *err on failure.
 */
struct page *filemap_fault(struct vm_area_struct *vma, pgoff_t index, bool *major,
                           unsigned long *ra_pages, int *err);
/*
 * The page at index if it is in the cache and may be mapped by fault-around
 * (uptodate, no readahead mark); no reference taken. In warm mode every
 * page of the file counts as cached and is brought in without I/O cost.
 */
struct page *filemap_map_candidate(struct address_space *as, pgoff_t index);
/* Pages of the file, rounded up. */
static inline pgoff_t filemap_nr_pages(const struct address_space *as)
{
    return (pgoff_t)((as->i_size + PAGE_SIZE - 1) >> PAGE_SHIFT);
}
/*
 * Cache mode: warm (default) treats every page of a file the guest opens as
 * already cached, as when it was recently read; cold makes the first touch
 * of each page wait for I/O (a major fault).
 */
extern bool filemap_cold;

/* ---- the page cache proper (filemap.c) ---- */

struct mm_struct;
/*
 * read(2) of a regular file at *pos through the page cache, with readahead
 * in cold mode: bytes copied to the guest, or -errno; *pos moves on.
 */
long filemap_read(struct file *f, struct mm_struct *mm, uint64_t ubuf, size_t count, uint64_t *pos);
/*
 * write(2) at *pos: the bytes go into cache pages, which become dirty; the
 * host file sees them at writeback. A descriptor the host shares with
 * others (inherited stdio) is written through at once instead. Bytes
 * taken, or -errno; *pos moves on.
 */
long filemap_write(struct file *f, struct mm_struct *mm, uint64_t ubuf, size_t count,
                   uint64_t *pos);
/* The same two from and to vmemu's own memory (sendfile). */
long kernel_read(struct file *f, void *buf, size_t count, uint64_t *pos);
long kernel_write(struct file *f, const void *buf, size_t count, uint64_t *pos);
/* Take the page out of the cache (it must be there), dropping the cache's reference. */
void delete_from_page_cache(struct page *page);
/* The name of the file for traces. */
static inline const char *mapping_name(const struct address_space *as)
{
    return as->a_name ? as->a_name : "?";
}

/* ---- readahead (readahead.c) ---- */

void file_ra_state_init(struct file_ra_state *ra);
/*
 * A read() missed the cache at index, req_count pages wanted: read a window
 * as Linux's ondemand readahead sizes it. Returns the pages read.
 */
unsigned long page_cache_sync_readahead(struct address_space *as, struct file_ra_state *ra,
                                        pgoff_t index, unsigned long req_count);
/* The reader reached page (marked PG_readahead) at index: read the next window. */
unsigned long page_cache_async_readahead(struct address_space *as, struct file_ra_state *ra,
                                         struct page *page, pgoff_t index, unsigned long req_count);
/* A fault missed at index in vma: read-around (or ondemand for VM_SEQ_READ). */
unsigned long page_cache_mmap_readahead(struct vm_area_struct *vma, pgoff_t index);
/*
 * Read the page at index into the cache from the host file; io says the
 * read counts as I/O (cold mode). NULL with *err on failure.
 */
struct page *page_cache_read(struct address_space *as, pgoff_t index, bool io, int *err);
/* posix_fadvise(2) advice on the file's pages [start, end); 0 or -EINVAL. */
int file_fadvise(struct file *f, uint64_t offset, uint64_t len, int advice);

/* ---- dirty pages and writeback (page-writeback.c) ---- */

#define DIRTY_BACKGROUND_RATIO 10     /* vm.dirty_background_ratio */
#define DIRTY_EXPIRE_CENTISECS 3000   /* vm.dirty_expire_centisecs: 30 s */
#define DIRTY_WRITEBACK_CENTISECS 500 /* vm.dirty_writeback_centisecs: the flusher's period */
extern unsigned int vm_dirty_background_ratio;
extern unsigned int vm_dirty_expire_centisecs;

/* Why pages were written back, for traces. */
enum wb_reason {
    WB_REASON_FSYNC,
    WB_REASON_MSYNC,
    WB_REASON_SYNC,
    WB_REASON_BACKGROUND,
    WB_REASON_PERIODIC, /* older than dirty_expire_centisecs */
    WB_REASON_FADVISE,  /* POSIX_FADV_DONTNEED */
    WB_REASON_EXIT,
    WB_REASON_SETATTR, /* the guest sets the file's times: its writes must not move them later */
};
const char *wb_reason_name(enum wb_reason why);

/* Mark a cache page dirty (tag, count, age); false if it was already or has no file. */
bool set_page_dirty(struct page *page);
/* Pages dirty now, over all files (Linux's NR_FILE_DIRTY, kept exact). */
unsigned long global_dirty_pages(void);
/* Pages in the page cache now, over all files (on the file LRU lists). */
unsigned long global_file_pages(void);
/*
 * Write the dirty pages of [start, end) (page indices, end exclusive) back
 * to the host file, collecting the dirty bits of the mappings first and
 * write-protecting them (page_mkclean). 0 or the first -errno; pages that
 * could not be written stay dirty.
 */
int writeback_range(struct address_space *as, pgoff_t start, pgoff_t end, enum wb_reason why);
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
/*
 * msync(2) on [start, start + len) of mm: the dirty pages its shared file
 * mappings hold go to the host file. 0 or -errno, as the system call.
 */
int do_msync(struct mm_struct *mm, unsigned long start, unsigned long len, int flags);
/* The old name: write back every file. */
int filemap_writeback_all(void);

/* ---- truncation and dropping (truncate.c) ---- */

/*
 * ftruncate(2): the host file and the cache get the new size; pages past
 * it leave the cache and every mapping (a later touch there is SIGBUS),
 * the tail of a partial last page reads zeros. 0 or -errno.
 */
int vmtruncate(struct file *f, uint64_t size);
/* The cache side of a truncation to size (the host file is done already). */
void truncate_pagecache(struct address_space *as, uint64_t size);
/*
 * drop_caches: clean, unmapped pages of every file leave the cache.
 * Returns the pages dropped.
 */
unsigned long drop_pagecache(void);

/* Write back, then free every cached page and address_space (vmemu's exit). */
void filemap_exit(void);

/* ---- the page-cache trace hook ---- */

enum pagecache_op {
    PAGECACHE_READ,      /* read() copied from a page */
    PAGECACHE_WRITE,     /* write() copied into a page */
    PAGECACHE_READAHEAD, /* a window was read */
    PAGECACHE_WRITEBACK, /* dirty pages went to the host file */
    PAGECACHE_TRUNCATE,  /* pages past a new end left the cache */
    PAGECACHE_DROP,      /* drop_caches dropped clean pages */
};

struct pagecache_event {
    enum pagecache_op op;
    const struct address_space *as; /* NULL for drop (all files) */
    pgoff_t index;                  /* the page, or the first of the range */
    unsigned long pages;            /* pages in the range / read / written / dropped */
    unsigned long pfn;              /* read and write: the frame */
    bool hit;                       /* read and write: the page was cached */
    unsigned long size, async_size; /* readahead: the window */
    const char *why;                /* readahead: sync, async, mmap; writeback: the reason */
};

struct pagecache_observer {
    void (*event)(void *ctx, const struct pagecache_event *ev);
    void *ctx;
};
/* Whoever watches the page cache (the tracer); NULL costs one test per event. */
extern const struct pagecache_observer *pagecache_observer;
static inline void pagecache_notify(const struct pagecache_event *ev)
{
    if (pagecache_observer)
        pagecache_observer->event(pagecache_observer->ctx, ev);
}

#endif
