/*
 * Frames the host maps twice. Guest RAM is private anonymous host memory
 * (phys.c: the host gives a page of it for less than a memfd page, and
 * backs it with huge pages where it can), and the host cannot map private
 * memory a second time. vmalloc needs that: an area's frames are seen both
 * through the direct map and through the area. So while vmalloc holds a
 * frame, the frame lives in a memfd (alias_fd) at its physical offset: its
 * bytes are copied there and that memfd page is mapped over the frame's
 * place in the direct map; the area then maps the same memfd page. When
 * vmalloc lets the frame go, its place in the direct map is private
 * anonymous memory again (zero: a freed frame's bytes are its next owner's
 * garbage, and phys.c already counts the frame as used, so __GFP_ZERO
 * clears it) and the memfd page is punched out.
 *
 * Invariants: a frame is in the memfd exactly between phys_alias_frames
 * and phys_unalias_frames, which its owner calls once each; nothing else
 * maps alias_fd; the memfd is created on first use and closed by
 * phys_alias_exit, after every view of it is gone.
 */
#define _GNU_SOURCE
#include "mmzone.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

static int alias_fd = -1;

int phys_alias_fd(void)
{
    return alias_fd;
}

static int open_alias_fd(void)
{
    if (alias_fd >= 0)
        return 0;
    int fd = memfd_create("vmemu-vmalloc", MFD_CLOEXEC);
    if (fd < 0)
        return -errno;
    if (ftruncate(fd, (off_t)phys_ram_bytes()) < 0) {
        int err = -errno;
        close(fd);
        return err;
    }
    alias_fd = fd;
    return 0;
}

/*
 * Map the frames' place in the direct map to the memfd (shared) or to fresh
 * private memory. A failed MAP_FIXED leaves the old mapping on Linux 6.12
 * and later; an older host may have unmapped it first, and a hole in the
 * direct map must never stay: then the memfd pages, which hold the bytes,
 * go back in (0 if that worked: the frames simply stay in the memfd).
 */
static int remap(off_t off, size_t len, bool shared)
{
    int flags = MAP_FIXED | (shared ? MAP_SHARED : MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE);
    if (mmap(direct_map + off, len, PROT_READ | PROT_WRITE, flags, shared ? alias_fd : -1,
             shared ? off : 0) != MAP_FAILED)
        return 0;
    int err = -errno;
    if (msync(direct_map + off, len, MS_ASYNC) == 0 || errno != ENOMEM)
        return err; /* still mapped as before */
    if (mmap(direct_map + off, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, alias_fd,
             off) != MAP_FAILED)
        return shared ? 0 : err;
    return err;
}

static void punch(off_t off, size_t len)
{
    (void)fallocate(alias_fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, off, (off_t)len);
}

int phys_alias_frames(unsigned long pfn, unsigned long nr)
{
    int err = open_alias_fd();
    if (err)
        return err;
    off_t off = (off_t)pfn << PAGE_SHIFT;
    size_t len = (size_t)nr << PAGE_SHIFT;
    if (pwrite(alias_fd, direct_map + off, len, off) != (ssize_t)len) {
        err = errno ? -errno : -ENOSPC;
        punch(off, len);
        return err;
    }
    err = remap(off, len, true);
    if (err)
        punch(off, len); /* the direct map is the private pages still */
    return err;
}

void phys_unalias_frames(unsigned long pfn, unsigned long nr)
{
    off_t off = (off_t)pfn << PAGE_SHIFT;
    size_t len = (size_t)nr << PAGE_SHIFT;
    /* A host out of mappings keeps them memfd pages: only slower, never wrong. */
    if (remap(off, len, false) == 0)
        punch(off, len);
}

void phys_alias_exit(void)
{
    if (alias_fd >= 0)
        close(alias_fd);
    alias_fd = -1;
}
