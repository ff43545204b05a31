/*
 * Bad input to the kernel gets Linux's answer, never a crash: system calls
 * with wild, unmapped, kernel-space and misaligned pointers, an unknown
 * system call number, impossible mmap/munmap/mprotect/brk requests. Each
 * line prints the call and the error it got; the output must be the same
 * natively and under vmemu.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

/* The names of the errors these calls can get (musl has no strerrorname_np). */
static const char *errno_name(int e)
{
    switch (e) {
    case EFAULT:
        return "EFAULT";
    case EBADF:
        return "EBADF";
    case EINVAL:
        return "EINVAL";
    case ENOMEM:
        return "ENOMEM";
    case ENOSYS:
        return "ENOSYS";
    case EACCES:
        return "EACCES";
    case EPERM:
        return "EPERM";
    case ENOENT:
        return "ENOENT";
    default:
        return "another error";
    }
}

static void show(const char *what, long r)
{
    /* The raw system call: -1 and errno from the libc wrapper. */
    if (r == -1)
        printf("%-44s -> %s\n", what, errno_name(errno));
    else
        printf("%-44s -> ok\n", what);
}

#define WILD ((void *)0x10)
#define KERNEL ((void *)0xffff800000001000UL)
#define HOLE ((void *)0x7fff00000000UL)

int main(void)
{
    char buf[64];
    struct iovec bad_iov = {WILD, 8};
    show("write(1, wild, 8)", syscall(SYS_write, 1, WILD, 8));
    show("write(1, kernel address, 8)", syscall(SYS_write, 1, KERNEL, 8));
    show("read(-1, buf, 8)", syscall(SYS_read, -1, buf, 8));
    show("open(wild path)", syscall(SYS_open, WILD, O_RDONLY));
    show("open(unmapped path)", syscall(SYS_open, HOLE, O_RDONLY));
    show("openat(bad dirfd, relative)", syscall(SYS_openat, 12345, "x", O_RDONLY));
    show("fstat(1, wild)", syscall(SYS_fstat, 1, WILD));
    show("clock_gettime(REALTIME, wild)", syscall(SYS_clock_gettime, CLOCK_REALTIME, WILD));
    show("uname(kernel address)", syscall(SYS_uname, KERNEL));
    show("getrandom(wild, 16, 0)", syscall(SYS_getrandom, WILD, 16, 0));
    show("writev(1, {wild, 8}, 1)", syscall(SYS_writev, 1, &bad_iov, 1));
    show("writev(1, wild iov, 1)", syscall(SYS_writev, 1, WILD, 1));
    show("system call 999", syscall(999));
    show("mmap(len 0)",
         (long)mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == -1 ? -1 : 0);
    errno = 0;
    show("mmap(len 1 TiB, no reserve off)", mmap(NULL, 1UL << 40, PROT_READ | PROT_WRITE,
                                                 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == MAP_FAILED
                                                ? -1
                                                : 0);
    show("mmap(len 256 TiB)",
         mmap(NULL, 1UL << 48, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == MAP_FAILED ? -1
                                                                                            : 0);
    show("mmap(bad flags type)",
         mmap(NULL, 4096, PROT_READ, MAP_ANONYMOUS, -1, 0) == MAP_FAILED ? -1 : 0);
    show("mmap(fd -1 without MAP_ANONYMOUS)",
         mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, -1, 0) == MAP_FAILED ? -1 : 0);
    show("mmap(MAP_FIXED, unaligned)",
         mmap((void *)0x10000001, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1,
              0) == MAP_FAILED
             ? -1
             : 0);
    show("munmap(unaligned)", syscall(SYS_munmap, 0x10001, 4096));
    show("munmap(len 0)", syscall(SYS_munmap, 0x10000, 0));
    show("mprotect(unmapped hole)", syscall(SYS_mprotect, HOLE, 4096, PROT_READ));
    show("mprotect(bad prot bits)", syscall(SYS_mprotect, HOLE, 4096, 0x100));
    show("madvise(bad advice)", syscall(SYS_madvise, HOLE, 4096, 12345));
    void *cur = (void *)syscall(SYS_brk, 0);
    void *big = (void *)syscall(SYS_brk, (char *)cur + (1UL << 46));
    printf("%-44s -> %s\n", "brk(+64 TiB)", big == cur ? "unchanged" : "moved");
    printf("still alive\n");
    return 0;
}
