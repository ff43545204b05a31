/*
 * /proc/kpagecount and /proc/kpageflags: one little-endian 64-bit entry
 * per frame of guest RAM, at offset pfn * 8 (mm/kpageflags.h computes
 * them from struct pages). Like Linux's fs/proc/page.c: mode 0400 (root
 * reads them), offsets and lengths not multiples of 8 are EINVAL, the file
 * ends after the last frame, lseek takes any offset. vmemu has no memory
 * cgroups, so there is no /proc/kpagecgroup, as on a kernel without
 * CONFIG_MEMCG.
 */
#include <errno.h>
#include <linux/capability.h>
#include <string.h>

#include "emu/fs/procfs.h"
#include "emu/fs/pseudo.h"
#include "emu/kernel/cred.h"
#include "emu/kernel/task.h"
#include "mm/fs.h"
#include "mm/kpageflags.h"

/*
 * generic_permission on a file of root's with mode 0400, for the guest's
 * own credentials (pseudo_permission judges by vmemu's): the owner, or
 * CAP_DAC_READ_SEARCH or CAP_DAC_OVERRIDE (a process that setuid away
 * from root has lost both).
 */
int kpage_permission(struct task *t)
{
    if (t->cred.fsuid == 0 || cred_capable(&t->cred, CAP_DAC_READ_SEARCH) ||
        cred_capable(&t->cred, CAP_DAC_OVERRIDE))
        return 0;
    return -EACCES;
}

static long kpage_read(char *buf, size_t len, uint64_t *pos, uint64_t (*entry)(unsigned long))
{
    if (*pos % 8 || len % 8)
        return -EINVAL;
    uint64_t pfn = *pos / 8, nr = kpage_nr_frames();
    size_t done = 0;
    for (; done < len && pfn < nr; done += 8) {
        uint64_t v = entry((unsigned long)pfn++);
        memcpy(buf + done, &v, sizeof(v)); /* buf need not be aligned for 8 bytes */
    }
    *pos += done;
    return (long)done;
}

static long kpagecount_read(struct file *f, char *buf, size_t len, uint64_t *pos)
{
    (void)f;
    return kpage_read(buf, len, pos, kpage_count);
}

static long kpageflags_read(struct file *f, char *buf, size_t len, uint64_t *pos)
{
    (void)f;
    return kpage_read(buf, len, pos, kpage_flags);
}

const struct file_operations kpagecount_fops = {
    .read = kpagecount_read,
    .llseek = proc_mem_llseek,
    .getattr = pseudo_getattr,
    .release = pseudo_file_release,
};

const struct file_operations kpageflags_fops = {
    .read = kpageflags_read,
    .llseek = proc_mem_llseek,
    .getattr = pseudo_getattr,
    .release = pseudo_file_release,
};
