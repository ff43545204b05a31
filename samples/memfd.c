/*
 * memfd_create(2) and file seals, as Linux 6.18 answers them (mm/memfd.c,
 * mm/shmem.c): an unlinked shmem file named "/memfd:NAME (deleted)" in
 * /proc/self/fd and /proc/self/maps; read, write, lseek, ftruncate, fstat
 * and mmap (shared and private) on it; F_ADD_SEALS and F_GET_SEALS with
 * SEAL, SHRINK, GROW, WRITE, FUTURE_WRITE and EXEC and what each refuses
 * (EPERM for writes, truncation and shared writable mappings, EBUSY for
 * WRITE while a shared mapping may write, EACCES for mprotect of a sealed
 * shared mapping); MFD_CLOEXEC, MFD_ALLOW_SEALING, MFD_NOEXEC_SEAL and
 * MFD_EXEC, and the name and flag checks. Run natively and under vmemu,
 * the output must be the same.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define PG 4096UL
#ifndef F_ADD_SEALS
#define F_ADD_SEALS 1033
#define F_GET_SEALS 1034
#define F_SEAL_SEAL 0x0001
#define F_SEAL_SHRINK 0x0002
#define F_SEAL_GROW 0x0004
#define F_SEAL_WRITE 0x0008
#endif
#define F_SEAL_FUTURE_WRITE_ 0x0010
#define F_SEAL_EXEC_ 0x0020
#define MFD_CLOEXEC_ 0x0001U
#define MFD_ALLOW_SEALING_ 0x0002U
#define MFD_NOEXEC_SEAL_ 0x0008U
#define MFD_EXEC_ 0x0010U

static const char *errname(int e)
{
    switch (e) {
    case EINVAL:
        return "EINVAL";
    case EFAULT:
        return "EFAULT";
    case EPERM:
        return "EPERM";
    case EBUSY:
        return "EBUSY";
    case EACCES:
        return "EACCES";
    case EBADF:
        return "EBADF";
    default:
        return strerror(e);
    }
}

static void result(const char *what, long r)
{
    if (r < 0)
        printf("%s: -1 %s\n", what, errname(errno));
    else
        printf("%s: %ld\n", what, r);
}

static int memfd(const char *name, unsigned int flags)
{
    return (int)syscall(SYS_memfd_create, name, flags);
}

static void describe(const char *what, int fd)
{
    char link[64], path[512];
    struct stat st;
    snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, path, sizeof(path) - 1);
    path[n > 0 ? n : 0] = '\0';
    fstat(fd, &st);
    printf("%s: %s, mode %o, size %lld, nlink %lu, blocks %lld, cloexec %d, seals %#x\n", what,
           path, (unsigned)st.st_mode, (long long)st.st_size, (unsigned long)st.st_nlink,
           (long long)st.st_blocks, (fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0,
           (unsigned)fcntl(fd, F_GET_SEALS));
}

/* The name /proc/self/maps gives the mapping at p. */
static void map_name(const char *p)
{
    char line[512], want[32];
    FILE *f = fopen("/proc/self/maps", "r");
    snprintf(want, sizeof(want), "%lx-", (unsigned long)p);
    while (f && fgets(line, sizeof(line), f))
        if (!strncmp(line, want, strlen(want))) {
            char *name = strchr(line, '/');
            printf("maps names it: %s", name ? name : "(nothing)\n");
        }
    if (f)
        fclose(f);
}

static void basics(void)
{
    int fd = memfd("sample", MFD_CLOEXEC_ | MFD_ALLOW_SEALING_);
    describe("new memfd", fd);
    result("write 5 bytes", write(fd, "hello", 5));
    result("ftruncate to 3 pages", ftruncate(fd, 3 * PG));
    describe("then", fd);
    char buf[16] = {0};
    result("pread 5 at 0", pread(fd, buf, 5, 0));
    printf("read: %s\n", buf);
    memset(buf, 'x', sizeof(buf));
    result("pread 4 in the hole", pread(fd, buf, 4, 2 * PG));
    printf("hole bytes: %d %d %d %d\n", buf[0], buf[1], buf[2], buf[3]);
    result("lseek SEEK_END", (long)lseek(fd, 0, SEEK_END));
    result("pread at the end", pread(fd, buf, 4, 3 * PG));

    char *s = mmap(NULL, 3 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (s == MAP_FAILED)
        return;
    map_name(s);
    strcpy(s + PG, "through the map");
    result("pread what the shared map wrote", pread(fd, buf, 15, PG));
    printf("read: %.15s\n", buf);
    result("pwrite into the mapped page", pwrite(fd, "HELLO", 5, 0));
    printf("the map sees: %.5s\n", s);
    char *pv = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    if (pv == MAP_FAILED)
        return;
    printf("a private map reads: %.5s\n", pv);
    memcpy(pv, "mine!", 5);
    result("pread after the private write", pread(fd, buf, 5, 0));
    printf("the file still has: %.5s, the private map %.5s\n", buf, pv);
    describe("with 3 pages touched", fd);
    munmap(pv, PG);
    munmap(s, 3 * PG);
    result("ftruncate to 1 byte", ftruncate(fd, 1));
    result("pread past the new end", pread(fd, buf, 4, 1));
    describe("after", fd);
    close(fd);
}

static void seals(void)
{
    int fd = memfd("sealed", MFD_ALLOW_SEALING_);
    result("ftruncate to 2 pages", ftruncate(fd, 2 * PG));
    result("F_ADD_SEALS SHRINK", fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK));
    result("  ftruncate smaller", ftruncate(fd, PG));
    result("  ftruncate larger", ftruncate(fd, 3 * PG));
    result("F_ADD_SEALS GROW", fcntl(fd, F_ADD_SEALS, F_SEAL_GROW));
    result("  ftruncate larger", ftruncate(fd, 4 * PG));
    result("  ftruncate to its size", ftruncate(fd, 3 * PG));
    result("  write inside", pwrite(fd, "abc", 3, 3 * PG - 3));
    result("  write across the end", pwrite(fd, "abcd", 4, 3 * PG - 2));
    result("  write past the end", pwrite(fd, "abcd", 4, 3 * PG));

    char *s = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    result("F_ADD_SEALS WRITE with a shared writable map", fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE));
    munmap(s, PG);
    s = mmap(NULL, PG, PROT_READ, MAP_SHARED, fd, 0);
    result("F_ADD_SEALS WRITE with a shared read-only map", fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE));
    munmap(s, PG);
    char *p = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED)
        return;
    result("F_ADD_SEALS WRITE with only a private map", fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE));
    result("F_GET_SEALS", fcntl(fd, F_GET_SEALS));
    p[0] = 'p';
    printf("  the private map is still written: %c\n", p[0]);
    result("  write", pwrite(fd, "x", 1, 0));
    errno = 0;
    s = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    result("  mmap shared writable", s == MAP_FAILED ? -1 : 0);
    s = mmap(NULL, PG, PROT_READ, MAP_SHARED, fd, 0);
    result("  mmap shared read-only", s == MAP_FAILED ? -1 : 0);
    result("  mprotect it writable", mprotect(s, PG, PROT_READ | PROT_WRITE));
    result("  ftruncate to its size", ftruncate(fd, 3 * PG));
    result("F_ADD_SEALS SEAL", fcntl(fd, F_ADD_SEALS, F_SEAL_SEAL));
    result("F_ADD_SEALS after SEAL", fcntl(fd, F_ADD_SEALS, F_SEAL_GROW));
    result("F_ADD_SEALS of an unknown seal",
           fcntl(memfd("x", MFD_ALLOW_SEALING_), F_ADD_SEALS, 0x100));
    close(fd);

    fd = memfd("future", MFD_ALLOW_SEALING_);
    result("ftruncate to 1 page", ftruncate(fd, PG));
    s = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (s == MAP_FAILED)
        return;
    result("F_ADD_SEALS FUTURE_WRITE with a shared writable map",
           fcntl(fd, F_ADD_SEALS, F_SEAL_FUTURE_WRITE_));
    s[0] = 'm';
    result("  write", pwrite(fd, "x", 1, 0));
    char c = 0;
    result("  pread", pread(fd, &c, 1, 0));
    printf("  the old map still writes: %c\n", c);
    errno = 0;
    char *s2 = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    result("  a new shared writable map", s2 == MAP_FAILED ? -1 : 0);
    close(fd);

    int rd;
    fd = memfd("ro", MFD_ALLOW_SEALING_);
    char link[64];
    snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
    rd = open(link, O_RDONLY);
    result("F_ADD_SEALS through a read-only open", fcntl(rd, F_ADD_SEALS, F_SEAL_GROW));
    result("F_GET_SEALS through it", fcntl(rd, F_GET_SEALS));
    close(rd);
    close(fd);
}

static void flags(void)
{
    int fd = memfd("nosealing", 0);
    describe("without MFD_ALLOW_SEALING", fd);
    result("  F_ADD_SEALS", fcntl(fd, F_ADD_SEALS, F_SEAL_GROW));
    close(fd);
    fd = memfd("noexec", MFD_NOEXEC_SEAL_);
    describe("MFD_NOEXEC_SEAL", fd);
    result("  F_ADD_SEALS GROW", fcntl(fd, F_ADD_SEALS, F_SEAL_GROW));
    result("  F_GET_SEALS", fcntl(fd, F_GET_SEALS));
    close(fd);
    fd = memfd("exec", MFD_EXEC_ | MFD_ALLOW_SEALING_);
    describe("MFD_EXEC", fd);
    result("  F_ADD_SEALS EXEC", fcntl(fd, F_ADD_SEALS, F_SEAL_EXEC_));
    result("  F_GET_SEALS", fcntl(fd, F_GET_SEALS));
    close(fd);
    result("MFD_EXEC | MFD_NOEXEC_SEAL", memfd("x", MFD_EXEC_ | MFD_NOEXEC_SEAL_));
    result("an unknown flag", memfd("x", 0x100));
    char name[300];
    memset(name, 'n', sizeof(name));
    name[249] = '\0';
    fd = memfd(name, 0);
    result("a name of 249 bytes", fd < 0 ? -1 : 0);
    close(fd);
    name[249] = 'n';
    name[250] = '\0';
    result("a name of 250 bytes", memfd(name, 0));
    result("an empty name", (fd = memfd("", 0)) < 0 ? -1 : 0);
    describe("  it", fd);
    close(fd);
    char *volatile bad = (char *)16;
    result("a bad name pointer", memfd(bad, 0));
    int pfd[2];
    if (pipe(pfd) == 0)
        result("F_GET_SEALS of a pipe", fcntl(pfd[0], F_GET_SEALS));
    fd = open("/proc/self/exe", O_RDONLY);
    result("F_GET_SEALS of a regular file", fcntl(fd, F_GET_SEALS));
    close(fd);
}

int main(void)
{
    basics();
    seals();
    flags();
    return 0;
}
