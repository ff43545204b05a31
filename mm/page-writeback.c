/*
 * Dirty page-cache pages and their way back to the host file. A page is
 * dirtied by write() or through a shared mapping (the write fault, or the
 * dirty bit the CPU set, collected by page_mkclean or at unmap). Writeback
 * writes it with a descriptor opened for that pass only, and write-protects
 * the mappings first, so that a later write faults and dirties it again:
 * nothing written through any path can be missed. It runs on fsync, msync,
 * sync and syncfs, when the dirty pages pass dirty_background_ratio of
 * dirtyable memory (as Linux computes it), when a file has been dirty for
 * dirty_expire_centisecs of the task's virtual time, and at exit.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arch.h"
#include "array_size.h"
#include "internal.h"
#include "mmzone.h"
#include "pagemap.h"
#include "vmstat.h"
#include "writeback.h"

#define DIRTY_RATIO 20             /* vm.dirty_ratio */
#define MAX_WRITEBACK_PAGES 1024UL /* background writeback's chunk per file, as Linux's */

static unsigned int vm_dirty_background_ratio = DIRTY_BACKGROUND_RATIO;
static unsigned int vm_dirty_expire_centisecs = DIRTY_EXPIRE_CENTISECS;

static unsigned long nr_dirty;    /* exact: every PG_dirty page-cache page */
static uint64_t last_periodic_ns; /* when the "flusher" last looked for old data */
static bool in_writeback;         /* a pass is running: no nested background pass */

const char *wb_reason_name(enum wb_reason why)
{
    static const char *const names[] = {
        [WB_REASON_FSYNC] = "fsync",       [WB_REASON_MSYNC] = "msync",
        [WB_REASON_SYNC] = "sync",         [WB_REASON_BACKGROUND] = "background",
        [WB_REASON_PERIODIC] = "periodic", [WB_REASON_FADVISE] = "fadvise",
        [WB_REASON_EXIT] = "exit",         [WB_REASON_SETATTR] = "setattr",
        [WB_REASON_VMSCAN] = "vmscan",     [WB_REASON_FALLOCATE] = "fallocate",
    };
    return (unsigned)why < ARRAY_SIZE(names) ? names[why] : "?";
}

unsigned int vm_sysctl_get(enum vm_sysctl which)
{
    return which == VM_DIRTY_BACKGROUND_RATIO ? vm_dirty_background_ratio
                                              : vm_dirty_expire_centisecs;
}

/* The ranges Linux's proc handlers accept: a percentage, and any non-negative int. */
int vm_sysctl_set(enum vm_sysctl which, unsigned long value)
{
    if (which == VM_DIRTY_BACKGROUND_RATIO) {
        if (value > 100)
            return -EINVAL;
        vm_dirty_background_ratio = (unsigned int)value;
        return 0;
    }
    if (value > 0x7fffffffUL)
        return -EINVAL;
    vm_dirty_expire_centisecs = (unsigned int)value;
    return 0;
}

unsigned long global_dirty_pages(void)
{
    return nr_dirty;
}

bool set_page_dirty(struct page *page)
{
    if (PageFlag(page, PG_anon) || PageFlag(page, PG_dirty) || PageFlag(page, PG_shmem))
        return false; /* shmem keeps no dirty state: it has no file to go to */
    struct address_space *as = page->mapping;
    if (!as)
        return false; /* a truncated page's data has no file left to go to */
    SetPageFlag(page, PG_dirty);
    xa_set_mark(&as->i_pages, page->index, PAGECACHE_TAG_DIRTY);
    nr_dirty++;
    node_stat_add(NR_DIRTIED, 1);
    if (!as->dirtied_when) {
        uint64_t now = arch_now_ns();
        as->dirtied_when = now ? now : 1;
    }
    return true;
}

void account_page_cleaned(struct page *page)
{
    struct address_space *as = page->mapping;
    ClearPageFlag(page, PG_dirty);
    xa_clear_mark(&as->i_pages, page->index, PAGECACHE_TAG_DIRTY);
    nr_dirty--;
    if (!xa_marked(&as->i_pages, PAGECACHE_TAG_DIRTY))
        as->dirtied_when = 0;
}

bool clear_page_dirty_for_io(struct page *page, bool *all_mappings_seen)
{
    *all_mappings_seen = page_mkclean(page);
    if (!PageFlag(page, PG_dirty))
        return false;
    /* An entry the walk did not find may still be writable: the page stays dirty. */
    if (*all_mappings_seen)
        account_page_cleaned(page);
    return true;
}

/*
 * A writable descriptor of the cached file, for one writeback pass: the one
 * kept from a writable open, else the file opened again for writing.
 */
static int open_for_writeback(const struct address_space *as)
{
    if (as->host_wfd >= 0)
        return fcntl(as->host_wfd, F_DUPFD_CLOEXEC, 3);
    char path[64];
    snprintf(path, sizeof(path), "/proc/self/fd/%d", as->host_fd);
    return open(path, O_WRONLY | O_CLOEXEC);
}

static int pwrite_all(int fd, const unsigned char *src, size_t len, uint64_t pos)
{
    while (len > 0) {
        ssize_t n = pwrite(fd, src, len, (off_t)pos);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -errno;
        src += n;
        pos += (uint64_t)n;
        len -= (size_t)n;
    }
    return 0;
}

/* Write one page's bytes within the file's size; 0 or -errno. */
static int write_one(struct address_space *as, int fd, struct page *page)
{
    uint64_t pos = (uint64_t)page->index << PAGE_SHIFT;
    if (pos >= as->i_size)
        return 0; /* wholly beyond EOF (a mapping wrote past it): not file data */
    size_t len = as->i_size - pos < PAGE_SIZE ? (size_t)(as->i_size - pos) : PAGE_SIZE;
    SetPageFlag(page, PG_writeback);
    xa_set_mark(&as->i_pages, page->index, PAGECACHE_TAG_WRITEBACK);
    int err = pwrite_all(fd, page_address(page), len, pos);
    ClearPageFlag(page, PG_writeback);
    xa_clear_mark(&as->i_pages, page->index, PAGECACHE_TAG_WRITEBACK);
    if (err)
        return err;
    if (as->host_size < pos + len)
        as->host_size = pos + len;
    node_stat_add(NR_WRITTEN, 1);
    count_vm_events(PGPGOUT, PAGE_SIZE >> 10);
    return 0;
}

/* Tag the dirty pages of the range first, so pages dirtied meanwhile wait (no livelock). */
static void tag_pages_for_writeback(struct address_space *as, pgoff_t start, pgoff_t end)
{
    unsigned long index;
    struct page *p;
    xa_for_each_range(&as->i_pages, index, p, start, end, PAGECACHE_TAG_DIRTY)
        xa_set_mark(&as->i_pages, index, PAGECACHE_TAG_TOWRITE);
}

/* Write the tagged pages, at most *budget of them; 0 or the first -errno. */
static int write_tagged(struct address_space *as, int fd, pgoff_t start, pgoff_t end,
                        unsigned long *budget, unsigned long *written)
{
    int first = 0;
    unsigned long index;
    struct page *p;
    xa_for_each_range(&as->i_pages, index, p, start, end, PAGECACHE_TAG_TOWRITE)
    {
        if (*budget == 0)
            break;
        xa_clear_mark(&as->i_pages, index, PAGECACHE_TAG_TOWRITE);
        bool all_seen;
        if (!clear_page_dirty_for_io(p, &all_seen))
            continue;
        int err = write_one(as, fd, p);
        if (err) {
            /*
             * As in Linux, a page that could not be written is not retried:
             * it stays clean in the cache and the file carries the error,
             * which fsync and msync report (errseq) and vmemu's exit status
             * reports if the program never asked.
             */
            if (!first)
                first = err;
            continue;
        }
        (*budget)--;
        (*written)++;
    }
    return first;
}

/* The host file must end where the guest's file ends once everything is written. */
static int fix_host_size(struct address_space *as, int fd)
{
    if (as->host_size >= as->i_size || xa_marked(&as->i_pages, PAGECACHE_TAG_DIRTY))
        return 0;
    int err = ftruncate(fd, (off_t)as->i_size) != 0 ? -errno : 0;
    /* Failed or not, it is not tried again: like lost pages, the error is reported once. */
    as->host_size = as->i_size;
    return err;
}

static int writeback_pages(struct address_space *as, pgoff_t start, pgoff_t end, enum wb_reason why,
                           unsigned long budget)
{
    if (!xa_marked(&as->i_pages, PAGECACHE_TAG_DIRTY) && as->host_size >= as->i_size)
        return 0;
    int fd = open_for_writeback(as);
    if (fd < 0) {
        int err = -errno; /* nothing was tried: the pages stay dirty for a later pass */
        errseq_set(&as->wb_err, err);
        return err;
    }
    bool was = in_writeback;
    in_writeback = true;
    tag_pages_for_writeback(as, start, end);
    unsigned long written = 0;
    int err = write_tagged(as, fd, start, end, &budget, &written);
    int size_err = fix_host_size(as, fd); /* in the same pass: one error event at most */
    if (!err)
        err = size_err;
    if (close(fd) != 0 && !err)
        err = -errno;
    in_writeback = was;
    if (err)
        errseq_set(&as->wb_err, err);
    struct pagecache_event ev = {.op = PAGECACHE_WRITEBACK,
                                 .as = as,
                                 .index = start,
                                 .pages = written,
                                 .why = wb_reason_name(why)};
    if (written)
        pagecache_notify(&ev);
    return err;
}

int writeback_range(struct address_space *as, pgoff_t start, pgoff_t end, enum wb_reason why)
{
    return writeback_pages(as, start, end, why, ULONG_MAX);
}

int writeback_page(struct page *page)
{
    if (in_writeback || !page->mapping)
        return -EBUSY;
    int err = writeback_pages(page->mapping, page->index, ULONG_MAX, WB_REASON_VMSCAN,
                              MAX_WRITEBACK_PAGES);
    if (err)
        return err;
    return PageFlag(page, PG_dirty) ? -EBUSY : 0;
}

int file_check_and_advance_wb_err(struct file *f)
{
    return f->f_mapping ? errseq_check_and_advance(&f->f_mapping->wb_err, &f->f_wb_err) : 0;
}

int vfs_fsync(struct file *f)
{
    struct address_space *as = f->f_mapping;
    if (as) {
        /* This pass's error, or one of an earlier pass (background, periodic, another fsync). */
        writeback_range(as, 0, ULONG_MAX, WB_REASON_FSYNC);
        int err = file_check_and_advance_wb_err(f);
        if (err)
            return err;
    }
    return fsync(f->f_host_fd) != 0 && errno != EINVAL ? -errno : 0;
}

int for_each_unseen_wb_err(void (*fn)(const char *name, int err, void *ctx), void *ctx)
{
    int n = 0;
    struct address_space *as;
    list_for_each_entry(as, &address_spaces, as_list)
    {
        if (!errseq_unseen(&as->wb_err))
            continue;
        fn(mapping_name(as), -(int)(as->wb_err & ERRSEQ_MAX_ERRNO), ctx);
        n++;
    }
    return n;
}

int writeback_all(enum wb_reason why)
{
    int first = 0;
    struct address_space *as;
    list_for_each_entry(as, &address_spaces, as_list)
    {
        int err = writeback_range(as, 0, ULONG_MAX, why);
        if (err && !first)
            first = err;
    }
    return first;
}

int writeback_dev(uint64_t dev, enum wb_reason why)
{
    int first = 0;
    struct address_space *as;
    list_for_each_entry(as, &address_spaces, as_list)
    {
        int err = as->host_dev == dev ? writeback_range(as, 0, ULONG_MAX, why) : 0;
        if (err && !first)
            first = err;
    }
    return first;
}

/* Linux's global_dirtyable_memory: free pages above the reserve, plus the file LRU. */
static unsigned long dirtyable_memory(void)
{
    unsigned long free = nr_free_pages(), reserve = totalreserve_pages();
    return (free > reserve ? free - reserve : 0) + global_file_pages();
}

void global_dirty_limits(unsigned long *background, unsigned long *dirty)
{
    unsigned long avail = dirtyable_memory();
    *dirty = avail * DIRTY_RATIO / 100;
    *background = avail * vm_dirty_background_ratio / 100;
    if (*background >= *dirty)
        *background = *dirty / 2;
}

/* The file dirty the longest, or NULL. */
static struct address_space *oldest_dirty(void)
{
    struct address_space *as, *best = NULL;
    list_for_each_entry(as, &address_spaces,
                        as_list) if (as->dirtied_when &&
                                     (!best || as->dirtied_when < best->dirtied_when)) best = as;
    return best;
}

/* Background writeback: oldest files first, a chunk at a time, until under the threshold. */
static void background_writeback(unsigned long thresh)
{
    struct address_space *as;
    while (nr_dirty > thresh && (as = oldest_dirty()) != NULL) {
        unsigned long before = nr_dirty;
        writeback_pages(as, 0, ULONG_MAX, WB_REASON_BACKGROUND, MAX_WRITEBACK_PAGES);
        if (nr_dirty >= before)
            break; /* nothing could be written: errors stay recorded for fsync */
    }
}

/* Linux's kupdate-style writeback: files dirty for longer than the expiry go. */
void writeback_periodic(void)
{
    uint64_t now = arch_now_ns();
    uint64_t period = (uint64_t)DIRTY_WRITEBACK_CENTISECS * 10000000ULL;
    uint64_t expire = (uint64_t)vm_dirty_expire_centisecs * 10000000ULL;
    if (in_writeback || now - last_periodic_ns < period)
        return;
    last_periodic_ns = now;
    struct address_space *as;
    list_for_each_entry(as, &address_spaces, as_list)
    {
        if (as->dirtied_when && now - as->dirtied_when >= expire)
            writeback_range(as, 0, ULONG_MAX, WB_REASON_PERIODIC);
    }
}

void balance_dirty_pages_ratelimited(struct address_space *as)
{
    (void)as;
    if (in_writeback)
        return;
    writeback_periodic();
    unsigned long background, dirty;
    global_dirty_limits(&background, &dirty);
    if (nr_dirty > background)
        background_writeback(background);
}
