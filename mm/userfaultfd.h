/*
 * userfaultfd, the memory side: registering ranges of an mm with a
 * userfaultfd context and resolving the faults handed to it. The file,
 * its messages and the tasks that wait are emu/fs/userfaultfd.c's, which
 * embeds struct userfaultfd_ctx in its own object.
 *
 * Every call here takes page-aligned, validated ranges (the ioctl layer
 * checks them as Linux's validate_range does) and returns 0 or bytes done,
 * or -errno as Linux's mm/userfaultfd.c gives it.
 */
#ifndef VMEMU_MM_USERFAULTFD_H
#define VMEMU_MM_USERFAULTFD_H

#include <stdbool.h>

struct mm_struct;

struct userfaultfd_ctx {
    struct mm_struct *mm; /* the address space it serves: a reference (mmgrab) */
    bool user_mode_only;  /* UFFD_USER_MODE_ONLY: a kernel access to a watched page fails */
    bool sigbus;          /* UFFD_FEATURE_SIGBUS: faults get SIGBUS instead of waiting */
};

/* A new context for mm (takes a reference to the struct). */
void userfaultfd_ctx_init(struct userfaultfd_ctx *ctx, struct mm_struct *mm, bool user_mode_only);
/* The file closed: every VMA registered with ctx forgets it; the mm reference goes. */
void userfaultfd_ctx_release(struct userfaultfd_ctx *ctx);

/*
 * UFFDIO_REGISTER over [start, end): vm_flags are VM_UFFD_* bits (one or
 * more). -EINVAL when no VMA lies in the range or one cannot be watched
 * that way, -EPERM without VM_MAYWRITE, -EBUSY when another context
 * watches one, -ENOMEM when the mm is gone.
 */
long userfaultfd_register(struct userfaultfd_ctx *ctx, unsigned long start, unsigned long end,
                          unsigned long vm_flags);
/* UFFDIO_UNREGISTER over [start, end): whatever context watches its VMAs. */
long userfaultfd_unregister(struct userfaultfd_ctx *ctx, unsigned long start, unsigned long end);

/*
 * Fill [dst, dst + len) page by page: UFFDIO_COPY from src in src_mm
 * (the caller's memory), UFFDIO_ZEROPAGE, UFFDIO_CONTINUE (map the pages
 * shmem already holds). wp: the new entries are write-protected. Returns
 * the bytes filled before the first failure, or -errno if none: -ENOENT
 * (the range is not inside one registered VMA), -EEXIST (already mapped),
 * -EFAULT (src unreadable; CONTINUE: no page cached), -EINVAL, -ENOMEM,
 * -ESRCH (the mm is gone).
 */
long mfill_atomic_copy(struct userfaultfd_ctx *ctx, unsigned long dst, struct mm_struct *src_mm,
                       unsigned long src, unsigned long len, bool wp);
long mfill_atomic_zeropage(struct userfaultfd_ctx *ctx, unsigned long dst, unsigned long len);
long mfill_atomic_continue(struct userfaultfd_ctx *ctx, unsigned long dst, unsigned long len,
                           bool wp);
/* UFFDIO_WRITEPROTECT: set or clear write protection; -ENOENT unless every VMA is VM_UFFD_WP. */
long mwriteprotect_range(struct userfaultfd_ctx *ctx, unsigned long start, unsigned long len,
                         bool enable);

#endif
