/*
 * How large a file may grow, as Linux decides it before a write: the
 * task's RLIMIT_FSIZE (SIGXFSZ and EFBIG past it) and the largest file the
 * host file system holds (its s_maxbytes: EFBIG). vmemu's page cache takes
 * writes before the host file does, so these are checked here, when the
 * guest writes, rather than discovered at writeback when the data can no
 * longer be refused. Also the exit-time report of writeback errors that no
 * program was told about.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "emu/fs/vfs.h"
#include "emu/kernel/signal.h"
#include "emu/kernel/task.h"
#include "mm/fs.h"
#include "mm/writeback.h"

/*
 * s_maxbytes is not published, but lseek(SEEK_SET) accepts exactly the
 * offsets up to it (vfs_setpos), so it is found by bisection on the cache's
 * own read-only descriptor (whose position nothing uses: it is read with
 * pread), once per host file system.
 */
#define MAXBYTES_CACHE 16
static struct {
    uint64_t dev;
    int64_t max;
} maxbytes_cache[MAXBYTES_CACHE];
static unsigned int maxbytes_used;

static int64_t probe_maxbytes(int fd)
{
    if (lseek(fd, INT64_MAX, SEEK_SET) >= 0)
        return INT64_MAX;
    int64_t lo = 0, hi = INT64_MAX; /* lo is accepted, hi is not */
    while (hi - lo > 1) {
        int64_t mid = lo + (hi - lo) / 2;
        if (lseek(fd, mid, SEEK_SET) >= 0)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

static int64_t sb_maxbytes(const struct address_space *as)
{
    if (as->shmem)
        return INT64_MAX; /* shmem's s_maxbytes: MAX_LFS_FILESIZE */
    for (unsigned int i = 0; i < maxbytes_used; i++)
        if (maxbytes_cache[i].dev == as->host_dev)
            return maxbytes_cache[i].max;
    int64_t max = probe_maxbytes(as->host_fd);
    lseek(as->host_fd, 0, SEEK_SET);
    if (maxbytes_used < MAXBYTES_CACHE) {
        maxbytes_cache[maxbytes_used].dev = as->host_dev;
        maxbytes_cache[maxbytes_used++].max = max;
    }
    return max;
}

/*
 * Like Linux's send_sig(SIGXFSZ, current, 0): sent whatever the disposition;
 * ignored it is dropped, blocked it stays pending, by default it ends the
 * process with a core.
 */
static void send_sigxfsz(struct task *t)
{
    send_signal(t, SIGXFSZ, NULL, true);
}

int generic_write_checks(struct task *t, struct file *f, uint64_t pos, size_t *count,
                         bool may_signal)
{
    if (*count == 0 || !f->f_mapping)
        return 0;
    rlim_t limit = t->signal->rlim[RLIMIT_FSIZE].rlim_cur;
    if (limit != RLIM_INFINITY) {
        if (pos >= (uint64_t)limit) {
            if (may_signal)
                send_sigxfsz(t);
            return -EFBIG;
        }
        if (*count > (uint64_t)limit - pos)
            *count = (size_t)((uint64_t)limit - pos);
    }
    uint64_t max = (uint64_t)sb_maxbytes(f->f_mapping);
    if (pos >= max)
        return -EFBIG;
    if (*count > max - pos)
        *count = (size_t)(max - pos);
    return 0;
}

bool past_maxbytes(struct file *f, uint64_t end)
{
    return f->f_mapping && end > (uint64_t)sb_maxbytes(f->f_mapping);
}

int inode_newsize_ok(struct task *t, struct file *f, uint64_t size)
{
    if (!f->f_mapping || size <= f->f_mapping->i_size)
        return 0;
    rlim_t limit = t->signal->rlim[RLIMIT_FSIZE].rlim_cur;
    if (limit != RLIM_INFINITY && size > (uint64_t)limit) {
        send_sigxfsz(t);
        return -EFBIG;
    }
    return size > (uint64_t)sb_maxbytes(f->f_mapping) ? -EFBIG : 0;
}

static void report_one(const char *name, int err, void *ctx)
{
    (void)ctx;
    fprintf(stderr,
            "vmemu: writing '%s' back to the host failed: %s (%s); the program was never told, "
            "its data is lost\n",
            name, strerror(-err), strerrorname_np(-err));
}

int report_unseen_writeback_errors(void)
{
    return for_each_unseen_wb_err(report_one, NULL);
}
