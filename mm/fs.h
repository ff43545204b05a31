/*
 * Open files and their page cache. An address_space exists once per host
 * file (device + inode) and is shared by every open file and mapping of it.
 */
#ifndef VMEMU_MM_FS_H
#define VMEMU_MM_FS_H

#include <stdint.h>
#include <sys/types.h>

#include "page.h"

struct address_space {
    uint64_t host_dev, host_ino;
    int host_fd;           /* the host file, read for page-in */
    uint64_t i_size;       /* bytes */
    struct page **i_pages; /* index -> page; a flat table until the xarray */
    unsigned long i_pages_cap;
    unsigned long nrpages;
    /* readahead state (Linux keeps it per open file; one per file here) */
    pgoff_t ra_start;
    unsigned long ra_size, ra_async_size;
    int refcount;
    struct list_head as_list;
};

struct file {
    struct address_space *f_mapping; /* NULL for ttys, pipes and the like */
    int f_host_fd;
    unsigned int f_flags; /* the open(2) flags */
    mode_t f_mode;        /* st_mode of the host file */
    uint64_t f_pos;
    int f_count;
    char *f_path; /* the host path, for /proc/self/maps and traces */
    /*
     * The position lives in the host's open file description, shared with
     * whoever else holds it (the guest's inherited stdio): reads and writes
     * move it there, so the shell and vmemu's own output see it too.
     */
    bool f_pos_shared;
};

/* Open a host file for the guest; NULL and *err = -errno on failure. */
struct file *file_open(const char *path, int flags, int mode, int *err);
/* Wrap an already open host descriptor (the guest's stdin, stdout, stderr). */
struct file *file_from_host_fd(int fd, const char *name, int *err);
/* Name the file (kmalloc'd copy); 0 or -ENOMEM, the old name kept on failure. */
int file_set_path(struct file *f, const char *path);
struct file *get_file(struct file *f);
void fput(struct file *f);

/*
 * The page of the file at index, read from the host file when not cached.
 * Returns it with a reference held, or NULL (ENOMEM or I/O error in *err).
 * *major is set when the page had to be read (the fault waited for I/O).
 */
struct page *filemap_get_page(struct address_space *as, pgoff_t index, bool *major, int *err);
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
/* A write() to the host file went through: refresh cached pages of the range. */
void filemap_update_range(struct address_space *as, uint64_t pos, const void *buf, size_t len);
/*
 * Cache mode: warm (default) treats every page of a file the guest opens as
 * already cached, as when it was recently read; cold makes the first touch
 * of each page wait for I/O (a major fault).
 */
extern bool filemap_cold;

/* Write every dirty cached page back to its host file; 0 or the first -errno. */
int filemap_writeback_all(void);
/* Write back, then free every cached page and address_space (vmemu's exit). */
void filemap_exit(void);

#endif
