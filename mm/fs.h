/*
 * Open files and the object behind each: one address_space per host file
 * (device + inode), shared by every open file and mapping of it, holding
 * the file's page cache and the list of VMAs that map it. Shared anonymous
 * memory is a file too, as in Linux: a shmem object with no host file.
 */
#ifndef VMEMU_MM_FS_H
#define VMEMU_MM_FS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "errseq.h"
#include "list.h"
#include "page.h"
#include "xarray.h"

struct address_space {
    uint64_t host_dev, host_ino;
    int host_fd; /* the host file, read-only, for page-in; -1 for shmem */
    /*
     * A writable descriptor of the host file, kept from the first opener
     * that could write it (not O_APPEND: writeback writes at offsets), so
     * writeback works even when the file's mode no longer lets vmemu open
     * it for writing (a file created read-only, as Linux's writers keep
     * writing to it); -1 until then.
     */
    int host_wfd;
    uint64_t i_size;    /* bytes, as the guest sees the file */
    uint64_t host_size; /* the host file's size as vmemu last made or saw it */
    struct xarray i_pages;
    unsigned long nrpages;
    /*
     * Every VMA of every mm that maps the file, private or shared (Linux's
     * i_mmap, as a list): page_mkclean and unmap_mapping_range walk it.
     */
    struct list_head i_mmap;
    uint64_t dirtied_when; /* arch_now_ns() when it became dirty; 0 while clean */
    errseq_t wb_err;       /* the last writeback error, reported once per open file */
    char *a_name;          /* the file's base name, for traces (kmalloc) */
    int refcount;
    /*
     * Shared anonymous memory (Linux's shmem): its pages live only here
     * and go when the last file of it goes; no writeback, no readahead.
     */
    bool shmem;
    bool memfd;               /* a shmem object memfd_create made (memfd.c) */
    bool secretmem;           /* a shmem object memfd_secret made (secretmem.c) */
    unsigned int seals;       /* memfd: F_SEAL_* */
    struct list_head as_list; /* on address_spaces; shmem objects are not */
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
 * What a file that has no host descriptor (vmemu's /proc and /dev files,
 * pipes, eventfd, signalfd) does instead of the page cache. Buffers are
 * vmemu's; results are bytes or -errno. A missing operation is refused as
 * Linux refuses it.
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
    int f_host_fd;                   /* -1 for vmemu's own files (f_op) and shmem objects */
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
/* Called with a file whose last reference goes, before it is freed (emu/: its file locks). */
extern void (*file_release_hook)(struct file *f);

/*
 * A shmem object of size bytes and the file that maps it (Linux's
 * shmem_zero_setup for MAP_SHARED | MAP_ANONYMOUS): NULL and *err.
 */
struct file *shmem_file_setup(uint64_t size, int *err);

/*
 * memfd_create(2) (mm/memfd.c): flags checked (0 or -EINVAL, MFD_HUGETLB
 * included: the caller refuses it), then a shmem file "/memfd:NAME" with
 * its seals; NULL and *err on failure. memfd_fcntl is F_ADD_SEALS and
 * F_GET_SEALS (EINVAL for any file that is not a memfd).
 */
int memfd_flags_check(unsigned int flags);
/* Another open file of f's shmem object (open of /proc/PID/fd/N), with these flags. */
struct file *shmem_file_reopen(struct file *f, unsigned int flags, int *err);
struct file *memfd_file_create(const char *name, unsigned int flags, int *err);
/* memfd_secret(2)'s file (mm/secretmem.c); NULL and *err on failure. */
struct file *secretmem_file_create(unsigned int flags, int *err);

struct vm_area_struct;
/* Does vma map a memfd_secret file? */
bool vma_is_secretmem(const struct vm_area_struct *vma);

/* A memfd_secret file: no read, write, seek, sync or fallocate (mm/secretmem.c). */
static inline bool file_is_secretmem(const struct file *f)
{
    return f && f->f_mapping && f->f_mapping->secretmem;
}
long memfd_fcntl(struct file *f, unsigned int cmd, unsigned long arg);

static inline bool vma_file_is_shmem(const struct file *f)
{
    return f && f->f_mapping && f->f_mapping->shmem;
}

/* The name of the file for traces. */
static inline const char *mapping_name(const struct address_space *as)
{
    return as->a_name ? as->a_name : "?";
}

#endif
