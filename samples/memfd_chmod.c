/*
 * chmod of a memfd (a shmem inode: fchmod, and chmod or fchmodat through
 * /proc/self/fd/N) and F_SEAL_EXEC (6.3), which freezes its execute bits:
 * a change of any of them is EPERM (shmem_setattr), the other bits still
 * change. A memfd made with MFD_NOEXEC_SEAL starts 0666 and sealed. The
 * mode is read back with fstat. Run natively and under vmemu, the output
 * must be the same.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define MFD_NOEXEC_SEAL_ 8U
#ifndef F_SEAL_EXEC
#define F_SEAL_EXEC 0x0020
#endif

static int fd;

static void mode(const char *what)
{
    struct stat st;
    fstat(fd, &st);
    printf("%s: mode %04o\n", what, (unsigned)(st.st_mode & 07777));
}

static void result(const char *what, int r)
{
    printf("%s: %s\n", what, r ? (errno == EPERM ? "EPERM" : strerror(errno)) : "ok");
}

int main(void)
{
    char path[64];
    fd = memfd_create("chmod", MFD_ALLOW_SEALING);
    snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
    mode("new memfd");
    result("fchmod 0644", fchmod(fd, 0644));
    mode("now");
    result("fchmod 0755", fchmod(fd, 0755));
    mode("now");
    result("seal F_SEAL_EXEC", fcntl(fd, F_ADD_SEALS, F_SEAL_EXEC));
    result("fchmod 0700 (execute bits change)", fchmod(fd, 0700));
    result("fchmod 0644 (execute bits change)", fchmod(fd, 0644));
    result("chmod through /proc/self/fd, 0600", chmod(path, 0600));
    mode("still");
    result("fchmodat through /proc/self/fd, 0711", fchmodat(AT_FDCWD, path, 0711, 0));
    mode("now");
    result("fchmod 04711 (same execute bits)", fchmod(fd, 04711));
    mode("now");
    close(fd);

    fd = memfd_create("noexec", MFD_NOEXEC_SEAL_);
    mode("MFD_NOEXEC_SEAL memfd");
    printf("its seals include F_SEAL_EXEC: %d\n", !!(fcntl(fd, F_GET_SEALS) & F_SEAL_EXEC));
    result("fchmod 0755", fchmod(fd, 0755));
    result("fchmod 0600", fchmod(fd, 0600));
    mode("now");
    close(fd);
    return 0;
}
