/*
 * memfd_secret(2), as a program sees it (mm/secretmem.c): the flags it
 * takes, the file (mode, size set once, no read, write, seek, sync,
 * fallocate or reopening), its mappings (shared only, never executable,
 * locked and not dumped but not populated, "/secretmem (deleted)" in
 * maps, counted in VmLck), mlock and madvise on them, and the memory
 * itself holding what was written. Compared with the native run
 * (tests/integration/samples.sh).
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

#ifndef SYS_memfd_secret
#define SYS_memfd_secret 447
#endif
#define P 4096L

static void show(const char *what, long r)
{
    printf("%-40s = %ld%s%s\n", what, r, r < 0 ? " " : "", r < 0 ? strerror(errno) : "");
}

static long map_result(void *p)
{
    return p == MAP_FAILED ? -1 : 0;
}

/* The smaps lines of the secretmem mappings that can differ: name, Rss, Locked, VmFlags. */
static void smaps(void)
{
    FILE *f = fopen("/proc/self/smaps", "r");
    char line[256];
    int in = 0;
    while (f && fgets(line, sizeof(line), f)) {
        char *name = strchr(line, '/');
        if (strstr(line, "secretmem") && name) {
            in = 1;
            printf("maps: %s", name);
        } else if (in && (!strncmp(line, "Rss:", 4) || !strncmp(line, "Locked:", 7))) {
            printf("  %s", line);
        } else if (in && !strncmp(line, "VmFlags:", 8)) {
            /* "sd" only where the kernel has soft-dirty (vmemu's model does; some hosts not). */
            char *sd = strstr(line, " sd ");
            if (sd)
                memmove(sd, sd + 3, strlen(sd + 3) + 1);
            printf("  %s", line);
            in = strncmp(line, "VmFlags:", 8) != 0;
        }
    }
    if (f)
        fclose(f);
    f = fopen("/proc/self/status", "r");
    while (f && fgets(line, sizeof(line), f))
        if (!strncmp(line, "VmLck:", 6))
            printf("%s", line);
    if (f)
        fclose(f);
}

int main(void)
{
    show("memfd_secret(O_NONBLOCK)", syscall(SYS_memfd_secret, O_NONBLOCK));
    show("memfd_secret(1)", syscall(SYS_memfd_secret, 1));
    int fd = (int)syscall(SYS_memfd_secret, O_CLOEXEC);
    show("memfd_secret(O_CLOEXEC) >= 0", fd < 0 ? fd : 0);
    printf("F_GETFD %d, F_GETFL 0%o\n", fcntl(fd, F_GETFD), fcntl(fd, F_GETFL));
    struct stat st;
    fstat(fd, &st);
    printf("mode 0%o, size %ld, nlink %ld\n", st.st_mode, (long)st.st_size, (long)st.st_nlink);

    void *early = mmap(NULL, P, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    show("mmap before the size is set", map_result(early));
    show("ftruncate 0 while 0", ftruncate(fd, 0));
    show("ftruncate 3 pages", ftruncate(fd, 3 * P));
    show("ftruncate 4 pages", ftruncate(fd, 4 * P));
    show("ftruncate 3 pages again", ftruncate(fd, 3 * P));
    show("mmap private", map_result(mmap(NULL, P, PROT_READ, MAP_PRIVATE, fd, 0)));
    show("mmap PROT_EXEC", map_result(mmap(NULL, P, PROT_READ | PROT_EXEC, MAP_SHARED, fd, 0)));
    char *p = mmap(NULL, 3 * P, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    show("mmap shared", map_result(p));
    if (p == MAP_FAILED)
        return 1;
    p[0] = 's';
    p[P] = 'e';
    char *again = mmap(NULL, P, PROT_READ, MAP_SHARED, fd, P);
    printf("a second mapping of page 1 reads %c\n", again == MAP_FAILED ? '-' : again[0]);
    smaps();

    char buf[8] = {0};
    show("read", read(fd, buf, sizeof(buf)));
    show("write", write(fd, "x", 1));
    show("pread", pread(fd, buf, sizeof(buf), 0));
    show("lseek", lseek(fd, 0, SEEK_SET));
    show("fsync", fsync(fd));
    show("fallocate", fallocate(fd, 0, 0, P));
    show("F_ADD_SEALS", fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE));
    char self[64];
    snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
    show("open /proc/self/fd/N", open(self, O_RDWR));
    int pipes[2];
    if (pipe(pipes))
        return 1;
    show("write() of secret memory to a pipe", write(pipes[1], p, 2));
    char back[3] = {0};
    show("read() of it back", read(pipes[0], back, 2));
    printf("the pipe held %s\n", back);
    show("mlock", mlock(p, P));
    show("munlock", munlock(p, 3 * P));
    show("madvise(MADV_DONTNEED)", madvise(p, P, MADV_DONTNEED));
    show("mprotect PROT_EXEC", mprotect(p, P, PROT_READ | PROT_EXEC));
    printf("after all that: %c %c %d\n", p[0], p[P], p[2 * P]);
    smaps();
    char *moved = mremap(p, 3 * P, 3 * P, MREMAP_MAYMOVE | MREMAP_FIXED, (char *)early + 64 * P);
    show("mremap", map_result(moved));
    printf("moved reads %c %c\n", moved == MAP_FAILED ? '-' : moved[0],
           moved == MAP_FAILED ? '-' : moved[P]);
    return 0;
}
