/*
 * Shared anonymous memory as Linux keeps it: a shmem object, an
 * address_space with no host file, whose pages live in its page cache
 * from their first touch until the object goes with the last file (and so
 * the last mapping) of it. Every mapping of the object, in this mm or in
 * a forked child, maps the same frames, and a page unmapped by munmap or
 * MADV_DONTNEED keeps its data. /proc shows the mapping as Linux does:
 * "/dev/zero (deleted)" on device 00:01 with an inode of its own.
 *
 * Its pages are PG_shmem and swap-backed, never dirty-accounted and never
 * written back; they count as Shmem, Cached and (mapped) Mapped, and in
 * each mm's RssShmem.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "internal.h"
#include "mmzone.h"
#include "pagemap.h"
#include "slab.h"

#define SHMEM_DEV_MINOR 1 /* shm_mnt's anonymous device, as /proc/self/maps shows it */

static unsigned long shmem_last_ino; /* inode numbers, as get_next_ino hands them out */

struct file *shmem_file_setup(uint64_t size, int *err)
{
    struct address_space *as = kmem_cache_zalloc(address_space_cachep, GFP_KERNEL);
    struct file *f = as ? kmem_cache_zalloc(filp_cachep, GFP_KERNEL) : NULL;
    if (!f || (*err = file_set_path(f, "/dev/zero")) != 0) {
        if (f)
            kmem_cache_free(filp_cachep, f);
        if (as)
            kmem_cache_free(address_space_cachep, as);
        *err = -ENOMEM;
        return NULL;
    }
    as->host_fd = as->host_wfd = -1;
    as->host_dev = makedev(0, SHMEM_DEV_MINOR);
    as->host_ino = ++shmem_last_ino;
    as->i_size = as->host_size = size;
    xa_init(&as->i_pages);
    INIT_LIST_HEAD(&as->i_mmap);
    INIT_LIST_HEAD(&as->as_list);
    as->refcount = 1;
    as->shmem = true;
    f->f_mapping = as;
    f->f_host_fd = -1;
    f->f_flags = O_RDWR;
    f->f_mode = as->i_mode = S_IFREG | 0666;
    f->f_count = 1;
    file_ra_state_init(&f->f_ra);
    return f;
}

struct page *shmem_get_page(struct address_space *as, pgoff_t index, bool *created, int *err)
{
    struct page *page = filemap_find_page(as, index);
    *created = !page;
    if (page)
        return page;
    page = alloc_page(GFP_HIGHUSER_MOVABLE | __GFP_ZERO);
    if (!page) {
        *err = -ENOMEM;
        return NULL;
    }
    SetPageFlag(page, PG_shmem);
    SetPageFlag(page, PG_swapbacked);
    SetPageFlag(page, PG_uptodate);
    if ((*err = add_to_page_cache(as, page, index)) != 0) {
        __free_page(page);
        return NULL;
    }
    return page;
}

struct file *shmem_file_reopen(struct file *f, unsigned int flags, int *err)
{
    struct file *nf = kmem_cache_zalloc(filp_cachep, GFP_KERNEL);
    if (!nf || (*err = file_set_path(nf, f->f_path)) != 0) {
        if (nf)
            kmem_cache_free(filp_cachep, nf);
        *err = -ENOMEM;
        return NULL;
    }
    nf->f_mapping = f->f_mapping;
    nf->f_mapping->refcount++;
    nf->f_host_fd = -1;
    nf->f_flags = flags;
    nf->f_mode = f->f_mapping->i_mode;
    nf->f_count = 1;
    file_ra_state_init(&nf->f_ra);
    return nf;
}
