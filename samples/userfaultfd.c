/*
 * userfaultfd(2) without a fault: the handshake, registration and every
 * filling ioctl from one thread that never touches a watched page before
 * it is filled. Checks userfaultfd's flags, UFFDIO_API (the features this
 * sample relies on, a second handshake, unknown features), UFFDIO_REGISTER
 * on anonymous, shmem and file memory in each mode with the ioctls it
 * offers, UFFDIO_COPY and ZEROPAGE (contents, EEXIST, ENOENT, partial
 * counts), WRITEPROTECT, CONTINUE on a memfd, WAKE, UNREGISTER, read()
 * and poll() with nothing pending, and the errors for bad ranges and
 * modes. Uses UFFD_USER_MODE_ONLY so that it runs unprivileged too.
 * Addresses are printed as offsets from their mapping, so native and
 * vmemu runs print the same.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "uffd.h"

#define PG 4096UL
/* The ioctls vmemu implements: UFFDIO_MOVE and UFFDIO_POISON are left out of what is printed. */
#define KNOWN_IOCTLS                                                                               \
    ((1ULL << _UFFDIO_REGISTER) | (1ULL << _UFFDIO_UNREGISTER) | (1ULL << _UFFDIO_WAKE) |          \
     (1ULL << _UFFDIO_COPY) | (1ULL << _UFFDIO_ZEROPAGE) | (1ULL << _UFFDIO_WRITEPROTECT) |        \
     (1ULL << _UFFDIO_CONTINUE) | (1ULL << _UFFDIO_API))

static const uint64_t wanted = UFFD_FEATURE_PAGEFAULT_FLAG_WP | UFFD_FEATURE_MISSING_SHMEM |
                               UFFD_FEATURE_SIGBUS | UFFD_FEATURE_THREAD_ID |
                               UFFD_FEATURE_MINOR_SHMEM | UFFD_FEATURE_EXACT_ADDRESS;

static void result(const char *what, long r)
{
    if (r < 0)
        printf("%s: -1 %s\n", what, strerror(errno));
    else
        printf("%s: %ld\n", what, r);
}

static int new_uffd(int flags)
{
    return (int)syscall(SYS_userfaultfd, flags | UFFD_USER_MODE_ONLY);
}

static long api(int fd, uint64_t features, struct uffdio_api *a)
{
    memset(a, 0, sizeof(*a));
    a->api = UFFD_API;
    a->features = features;
    return ioctl(fd, UFFDIO_API, a);
}

static long reg(int fd, void *p, size_t len, uint64_t mode, uint64_t *ioctls)
{
    struct uffdio_register r = {{(uintptr_t)p, len}, mode, 0};
    long ret = ioctl(fd, UFFDIO_REGISTER, &r);
    if (ioctls)
        *ioctls = r.ioctls & KNOWN_IOCTLS;
    return ret;
}

static long unreg(int fd, void *p, size_t len)
{
    struct uffdio_range r = {(uintptr_t)p, len};
    return ioctl(fd, UFFDIO_UNREGISTER, &r);
}

static long copy(int fd, void *dst, const void *src, size_t len, uint64_t mode, int64_t *done)
{
    struct uffdio_copy c = {(uintptr_t)dst, (uintptr_t)src, len, mode, 0};
    long r = ioctl(fd, UFFDIO_COPY, &c);
    *done = c.copy;
    return r;
}

static long zeropage(int fd, void *dst, size_t len, uint64_t mode, int64_t *done)
{
    struct uffdio_zeropage z = {{(uintptr_t)dst, len}, mode, 0};
    long r = ioctl(fd, UFFDIO_ZEROPAGE, &z);
    *done = z.zeropage;
    return r;
}

static long writeprotect(int fd, void *p, size_t len, uint64_t mode)
{
    struct uffdio_writeprotect w = {{(uintptr_t)p, len}, mode};
    return ioctl(fd, UFFDIO_WRITEPROTECT, &w);
}

static long cont(int fd, void *p, size_t len, uint64_t mode, int64_t *done)
{
    struct uffdio_continue c = {{(uintptr_t)p, len}, mode, 0};
    long r = ioctl(fd, UFFDIO_CONTINUE, &c);
    *done = c.mapped;
    return r;
}

static void creation(void)
{
    result("userfaultfd bad flags", syscall(SYS_userfaultfd, 0x10 | UFFD_USER_MODE_ONLY));
    int fd = new_uffd(O_CLOEXEC | O_NONBLOCK);
    printf("userfaultfd cloexec nonblock: %s, fd flags %d, nonblock %d\n", fd >= 0 ? "ok" : "fail",
           fcntl(fd, F_GETFD), !!(fcntl(fd, F_GETFL) & O_NONBLOCK));
    char link[64] = "";
    char path[64];
    snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
    ssize_t n = readlink(path, link, sizeof(link) - 1);
    printf("link: %s\n", n > 0 ? link : "?");
    struct uffdio_range r = {0x100000, PG};
    result("ioctl before UFFDIO_API", ioctl(fd, UFFDIO_WAKE, &r));
    char buf[32];
    result("read before UFFDIO_API", read(fd, buf, sizeof(buf)));
    struct pollfd p = {fd, POLLIN, 0};
    result("poll before UFFDIO_API", poll(&p, 1, 0));
    printf("  revents %#x\n", p.revents);
    struct uffdio_api a;
    result("API bad api", (a.api = 0x55, a.features = 0, ioctl(fd, UFFDIO_API, &a)));
    printf("  features after failure %#llx\n", (unsigned long long)a.features);
    result("API unknown feature", api(fd, 1ULL << 62, &a));
    printf("  zeroed: %d\n", a.api == 0 && a.features == 0 && a.ioctls == 0);
    result("API", api(fd, wanted, &a));
    printf("  api %#llx, features wanted present %d, ioctls %#llx\n", (unsigned long long)a.api,
           (a.features & wanted) == wanted, (unsigned long long)(a.ioctls & KNOWN_IOCTLS));
    result("API again", api(fd, 0, &a));
    printf("  zeroed: %d\n", a.api == 0 && a.features == 0 && a.ioctls == 0);
    result("read nothing pending", read(fd, buf, sizeof(buf)));
    result("read short buffer", read(fd, buf, 16));
    p.revents = 0;
    result("poll nothing pending", poll(&p, 1, 0));
    result("bad ioctl", ioctl(fd, _IO(0xAA, 0x30), 0));
    close(fd);
    fd = new_uffd(0);
    api(fd, 0, &a);
    p.revents = 0;
    result("poll blocking descriptor", poll(&p, 1, 0));
    printf("  revents %#x\n", p.revents);
    close(fd);
}

static void registration(int fd)
{
    char *anon = mmap(NULL, 8 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    uint64_t io = 0;
    result("register no mode", reg(fd, anon, PG, 0, NULL));
    result("register bad mode", reg(fd, anon, PG, 8, NULL));
    result("register unaligned", reg(fd, anon + 1, PG, MODE_MISSING, NULL));
    result("register len 0", reg(fd, anon, 0, MODE_MISSING, NULL));
    result("register len unaligned", reg(fd, anon, 100, MODE_MISSING, NULL));
    result("register below mmap_min_addr", reg(fd, (void *)0x1000, PG, MODE_MISSING, NULL));
    result("register beyond user space", reg(fd, (void *)0x800000000000UL, PG, MODE_MISSING, NULL));
    result("register minor on anonymous", reg(fd, anon, PG, MODE_MINOR, NULL));
    result("register missing", reg(fd, anon, 4 * PG, MODE_MISSING, &io));
    printf("  ioctls %#llx\n", (unsigned long long)io);
    result("register missing+wp", reg(fd, anon + 4 * PG, 4 * PG, MODE_MISSING | MODE_WP, &io));
    printf("  ioctls %#llx\n", (unsigned long long)io);
    result("register again", reg(fd, anon, 4 * PG, MODE_MISSING, &io));

    /* A second userfaultfd may not take over the range. */
    int fd2 = new_uffd(0);
    struct uffdio_api a;
    api(fd2, 0, &a);
    result("register with a second uffd", reg(fd2, anon, PG, MODE_MISSING, NULL));
    close(fd2);

    char *hole = mmap(NULL, 3 * PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(hole, 3 * PG);
    result("register an unmapped range", reg(fd, hole, 3 * PG, MODE_MISSING, NULL));
    result("unregister an unmapped range", unreg(fd, hole, 3 * PG));

    int file = open("/proc/self/exe", O_RDONLY);
    char *text = mmap(NULL, PG, PROT_READ, MAP_PRIVATE, file, 0);
    result("register a file mapping", reg(fd, text, PG, MODE_MISSING, NULL));
    munmap(text, PG);
    close(file);
    char *ro = mmap(NULL, PG, PROT_READ, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    result("register shared anonymous", reg(fd, ro, PG, MODE_MISSING, &io));
    printf("  ioctls %#llx\n", (unsigned long long)io);
    munmap(ro, PG);
    munmap(anon, 8 * PG);
}

static void filling(int fd)
{
    char *m = mmap(NULL, 8 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    char src[2 * PG];
    int64_t done;
    for (size_t i = 0; i < sizeof(src); i++)
        src[i] = (char)('a' + i % 26);
    result("copy unregistered", copy(fd, m, src, PG, 0, &done));
    printf("  copy field %lld\n", (long long)done);
    reg(fd, m, 6 * PG, MODE_MISSING | MODE_WP, NULL);
    result("copy", copy(fd, m, src, 2 * PG, 0, &done));
    printf("  copied %lld, data %s\n", (long long)done,
           memcmp(m, src, 2 * PG) == 0 ? "matches" : "differs");
    result("copy again", copy(fd, m, src, PG, 0, &done));
    printf("  copy field %lld\n", (long long)done);
    result("copy partly mapped", copy(fd, m + PG, src, 2 * PG, 0, &done));
    printf("  copy field %lld\n", (long long)done);
    result("copy into the rest", copy(fd, m + 2 * PG, src, 2 * PG, 0, &done));
    printf("  copy field %lld\n", (long long)done);
    result("copy bad mode", copy(fd, m + 4 * PG, src, PG, 4, &done));
    result("copy unaligned dst", copy(fd, m + 4 * PG + 8, src, PG, 0, &done));
    result("copy bad src", copy(fd, m + 4 * PG, (void *)0x10000, PG, 0, &done));
    printf("  copy field %lld\n", (long long)done);
    result("copy past the VMA", copy(fd, m + 5 * PG, src, 2 * PG, 0, &done));
    result("copy wp", copy(fd, m + 4 * PG, src, PG, 2, &done));
    result("zeropage", zeropage(fd, m + 5 * PG, PG, 0, &done));
    printf("  zeropage field %lld, first byte %d\n", (long long)done, m[5 * PG]);
    result("zeropage again", zeropage(fd, m + 5 * PG, PG, 0, &done));
    printf("  zeropage field %lld\n", (long long)done);
    result("zeropage bad mode", zeropage(fd, m + 5 * PG, PG, 2, &done));
    result("writeprotect wp+dontwake", writeprotect(fd, m, PG, 3));
    result("writeprotect bad mode", writeprotect(fd, m, PG, 4));
    result("writeprotect", writeprotect(fd, m, 2 * PG, 1));
    result("writeprotect clear", writeprotect(fd, m, 2 * PG, 0));
    m[0] = 'Z'; /* writable again: no fault goes to the handler */
    printf("  wrote %c\n", m[0]);
    result("writeprotect beyond the VMA", writeprotect(fd, m + 6 * PG, PG, 1));
    result("continue on anonymous", cont(fd, m + 6 * PG, PG, 0, &done));
    struct uffdio_range r = {(uintptr_t)m, PG};
    result("wake", ioctl(fd, UFFDIO_WAKE, &r));
    r.len = 0;
    result("wake len 0", ioctl(fd, UFFDIO_WAKE, &r));
    result("unregister part", unreg(fd, m + PG, PG));
    result("copy after unregister", copy(fd, m + PG, src, PG, 0, &done));
    result("unregister all", unreg(fd, m, 8 * PG));
    printf("  data kept: %c%c\n", m[0], m[4 * PG]);
    munmap(m, 8 * PG);
}

static void shmem(int fd)
{
    int mfd = (int)syscall(SYS_memfd_create, "uffd", 0);
    if (ftruncate(mfd, 4 * PG) != 0)
        return;
    char *w = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
    char *v = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
    w[0] = 'M'; /* page 0 cached and mapped in w only */
    uint64_t io = 0;
    result("register minor", reg(fd, v, 4 * PG, MODE_MINOR, &io));
    printf("  ioctls %#llx\n", (unsigned long long)io);
    int64_t done;
    result("continue", cont(fd, v, PG, 0, &done));
    printf("  mapped %lld, reads %c\n", (long long)done, v[0]);
    result("continue again", cont(fd, v, PG, 0, &done));
    printf("  mapped field %lld\n", (long long)done);
    result("continue not cached", cont(fd, v + PG, PG, 0, &done));
    printf("  mapped field %lld\n", (long long)done);
    result("continue bad mode", cont(fd, v, PG, 4, &done));
    result("continue past the VMA", cont(fd, v + 3 * PG, 2 * PG, 0, &done));
    result("register missing+minor", reg(fd, v, 4 * PG, MODE_MISSING | MODE_MINOR, &io));
    char page[PG];
    memset(page, 'S', sizeof(page));
    result("copy into shmem", copy(fd, v + 2 * PG, page, PG, 0, &done));
    printf("  copied %lld, the other mapping sees %c\n", (long long)done, w[2 * PG]);
    result("copy onto a cached page", copy(fd, v + 2 * PG, page, PG, 0, &done));
    result("zeropage into shmem", zeropage(fd, v + 3 * PG, PG, 0, &done));
    printf("  zeropage field %lld, reads %d\n", (long long)done, v[3 * PG]);
    result("unregister", unreg(fd, v, 4 * PG));
    munmap(v, 4 * PG);
    munmap(w, 4 * PG);
    close(mfd);
}

static sigjmp_buf env;

static void on_sigbus(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    printf("  signal %d code %d\n", sig, si->si_code);
    siglongjmp(env, 1);
}

/* What is not a wait: UFFD_FEATURE_SIGBUS, a kernel access, a moved mapping. */
static void no_waiting(int fd)
{
    int sfd = new_uffd(0);
    struct uffdio_api a;
    result("API sigbus", api(sfd, UFFD_FEATURE_SIGBUS, &a));
    char *m = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    reg(sfd, m, 2 * PG, MODE_MISSING, NULL);
    struct sigaction sa = {0};
    sa.sa_sigaction = on_sigbus;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGBUS, &sa, NULL);
    if (sigsetjmp(env, 1) == 0)
        printf("  read %d\n", *(volatile char *)m);
    printf("touched with UFFD_FEATURE_SIGBUS\n");
    /* With UFFD_USER_MODE_ONLY a kernel access to a watched page fails (Linux: EFAULT). */
    int zero = open("/dev/zero", O_RDONLY);
    result("read(2) into a watched page", read(zero, m + PG, 16));
    close(zero);
    close(sfd);
    printf("after close the page reads %d\n", m[0]);
    munmap(m, 2 * PG);

    /* mremap without UFFD_FEATURE_EVENT_REMAP: the new place is not watched. */
    m = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    char *far = mmap(NULL, 2 * PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    reg(fd, m, 2 * PG, MODE_MISSING | MODE_WP, NULL);
    int64_t done;
    char page[PG];
    memset(page, 'r', sizeof(page));
    copy(fd, m, page, PG, 2, &done);
    char *moved = mremap(m, 2 * PG, 2 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, far);
    result("copy into the moved mapping", copy(fd, moved + PG, page, PG, 0, &done));
    moved[0] = 'w'; /* no longer write-protected */
    printf("  moved page reads %c\n", moved[0]);
    result("unregister the moved mapping", unreg(fd, moved, 2 * PG));
    munmap(moved, 2 * PG);
}

/* /dev/userfaultfd (root's only): USERFAULTFD_IOC_NEW makes descriptors. */
static void device(void)
{
    int dev = open("/dev/userfaultfd", O_RDWR | O_CLOEXEC);
    if (dev < 0) {
        printf("open /dev/userfaultfd: %s\n", strerror(errno));
        return;
    }
    int fd = ioctl(dev, USERFAULTFD_IOC_NEW, O_CLOEXEC);
    struct uffdio_api a;
    printf("USERFAULTFD_IOC_NEW: %s, API %ld\n", fd >= 0 ? "a descriptor" : strerror(errno),
           api(fd, 0, &a));
    result("USERFAULTFD_IOC_NEW bad flags", ioctl(dev, USERFAULTFD_IOC_NEW, 0x10));
    result("another ioctl", ioctl(dev, _IO(0xAA, 0x01), 0));
    char c;
    result("read", read(dev, &c, 1));
    close(fd);
    close(dev);
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    creation();
    int fd = new_uffd(O_CLOEXEC | O_NONBLOCK);
    struct uffdio_api a;
    if (fd < 0 || api(fd, 0, &a) != 0) {
        printf("no userfaultfd: %s\n", strerror(errno));
        return 1;
    }
    registration(fd);
    filling(fd);
    shmem(fd);
    no_waiting(fd);
    close(fd);
    device();
    return 0;
}
