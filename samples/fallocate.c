/*
 * fallocate(2) on a file and on a memfd, as Linux answers it: the
 * argument checks (EINVAL, EOPNOTSUPP, EBADF, ESPIPE, ENODEV, EISDIR),
 * allocation with and without FALLOC_FL_KEEP_SIZE, holes punched and
 * ranges zeroed under data written but not yet synced and under shared
 * and private mappings (a shared mapping sees the zeros, a private copy
 * keeps its own bytes), collapse and insert of whole blocks (data moves,
 * the size follows), a memfd growing (and refusing with F_SEAL_GROW),
 * posix_fallocate, and MADV_REMOVE (a hole punched through a shared
 * mapping; EINVAL and EACCES where Linux refuses it). Sizes, answers and checksums only: native and
 * vmemu output are the same (tests/integration/samples.sh).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* Linux's values (linux/falloc.h), which musl's headers lack. */
#ifndef FALLOC_FL_COLLAPSE_RANGE
#define FALLOC_FL_COLLAPSE_RANGE 0x08
#endif
#ifndef FALLOC_FL_ZERO_RANGE
#define FALLOC_FL_ZERO_RANGE 0x10
#endif
#ifndef FALLOC_FL_INSERT_RANGE
#define FALLOC_FL_INSERT_RANGE 0x20
#endif

#define B 4096L

static void show(const char *what, long r)
{
    printf("%-44s = %ld%s%s\n", what, r, r < 0 ? " " : "", r < 0 ? strerror(errno) : "");
}

static long size_of(int fd)
{
    struct stat st;
    return fstat(fd, &st) ? -1 : (long)st.st_size;
}

/* The file as runs of equal bytes: "4096x'a' 4096x0 ...". */
static void dump(const char *what, int fd)
{
    long n = size_of(fd);
    unsigned char *buf = malloc((size_t)n + 1);
    if (!buf || pread(fd, buf, (size_t)n, 0) != n) {
        printf("%s: cannot read\n", what);
        free(buf);
        return;
    }
    printf("%s (%ld bytes):", what, n);
    for (long i = 0; i < n;) {
        long j = i;
        while (j < n && buf[j] == buf[i])
            j++;
        if (buf[i])
            printf(" %ldx'%c'", j - i, buf[i]);
        else
            printf(" %ldx0", j - i);
        i = j;
    }
    printf("\n");
    free(buf);
}

static int scratch_file(void)
{
    int fd = open(".", O_TMPFILE | O_RDWR, 0600);
    char page[B];
    for (char c = 'a'; c < 'a' + 6; c++) {
        memset(page, c, sizeof(page));
        if (write(fd, page, sizeof(page)) != B)
            perror("write");
    }
    return fd;
}

static void *p_anon(void)
{
    return mmap(NULL, B, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

static void checks(int fd)
{
    char self[64];
    snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
    int rdonly = open(self, O_RDONLY), null = open("/dev/null", O_WRONLY);
    int dir = open(".", O_RDONLY | O_DIRECTORY), pipes[2];
    if (pipe(pipes))
        perror("pipe");
    show("length 0", fallocate(fd, 0, 0, 0));
    show("negative offset", fallocate(fd, 0, -B, B));
    show("negative length", fallocate(fd, 0, 0, -B));
    show("unknown mode bit", fallocate(fd, 0x1000, 0, B));
    show("PUNCH_HOLE without KEEP_SIZE", fallocate(fd, FALLOC_FL_PUNCH_HOLE, 0, B));
    show("PUNCH_HOLE with ZERO_RANGE",
         fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE, 0, B));
    show("COLLAPSE_RANGE with KEEP_SIZE",
         fallocate(fd, FALLOC_FL_COLLAPSE_RANGE | FALLOC_FL_KEEP_SIZE, 0, B));
    show("COLLAPSE_RANGE not block-aligned", fallocate(fd, FALLOC_FL_COLLAPSE_RANGE, 100, B));
    show("COLLAPSE_RANGE reaching the end", fallocate(fd, FALLOC_FL_COLLAPSE_RANGE, 0, 6 * B));
    show("INSERT_RANGE past the end", fallocate(fd, FALLOC_FL_INSERT_RANGE, 8 * B, B));
    show("offset + length past the largest file", fallocate(fd, 0, 1L << 62, 1L << 62));
    show("open O_RDONLY", fallocate(rdonly, 0, 0, B));
    show("a pipe", fallocate(pipes[1], 0, 0, B));
    show("/dev/null", fallocate(null, 0, 0, B));
    show("a directory (O_RDONLY)", fallocate(dir, 0, 0, B));
    show("a closed descriptor", fallocate(999, 0, 0, B));
}

int main(void)
{
    int fd = scratch_file();
    checks(fd);
    dump("start", fd);

    show("allocate past the end", fallocate(fd, 0, 6 * B, 2 * B));
    printf("size %ld\n", size_of(fd));
    show("allocate past the end, KEEP_SIZE", fallocate(fd, FALLOC_FL_KEEP_SIZE, 8 * B, 4 * B));
    printf("size %ld\n", size_of(fd));

    /* Unsynced data, a shared mapping and a private copy over what goes. */
    char *shared = mmap(NULL, 8 * B, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    char *private = mmap(NULL, 8 * B, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    if (shared == MAP_FAILED || private == MAP_FAILED)
        return 1;
    private[B] = 'P';
    shared[2 * B + 5] = 'S';
    if (pwrite(fd, "WWWW", 4, 3 * B) != 4)
        perror("pwrite");
    show("PUNCH_HOLE of block 1 and half of 2",
         fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, B, B + B / 2));
    printf("shared sees %d %d %c, private keeps %c %c\n", shared[B], shared[2 * B + 100],
           shared[2 * B + 3000], private[B], private[B + 1]);
    show("ZERO_RANGE of block 3", fallocate(fd, FALLOC_FL_ZERO_RANGE, 3 * B, B));
    printf("shared sees %d\n", shared[3 * B]);
    dump("after punch and zero", fd);

    show("COLLAPSE_RANGE of block 0", fallocate(fd, FALLOC_FL_COLLAPSE_RANGE, 0, B));
    printf("shared sees %c at 4096*3\n", shared[3 * B] ? shared[3 * B] : '0');
    dump("after collapse", fd);
    show("INSERT_RANGE of two blocks at 1", fallocate(fd, FALLOC_FL_INSERT_RANGE, B, 2 * B));
    dump("after insert", fd);
    munmap(shared, 8 * B);
    munmap(private, 8 * B);

    int mfd = memfd_create("falloc", MFD_ALLOW_SEALING);
    show("memfd: allocate 3 blocks", fallocate(mfd, 0, 0, 3 * B));
    printf("memfd size %ld\n", size_of(mfd));
    show("memfd: ZERO_RANGE", fallocate(mfd, FALLOC_FL_ZERO_RANGE, 0, B));
    show("memfd: COLLAPSE_RANGE", fallocate(mfd, FALLOC_FL_COLLAPSE_RANGE, 0, B));
    if (pwrite(mfd, "memfd", 5, B) != 5)
        perror("pwrite");
    show("memfd: PUNCH_HOLE", fallocate(mfd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, B, B));
    dump("memfd", mfd);
    show("memfd: F_ADD_SEALS F_SEAL_GROW", fcntl(mfd, F_ADD_SEALS, F_SEAL_GROW));
    show("memfd: allocate past the end, sealed", fallocate(mfd, 0, 3 * B, B));
    show("memfd: allocate inside, sealed", fallocate(mfd, 0, 0, B));
    show("memfd: F_ADD_SEALS F_SEAL_WRITE", fcntl(mfd, F_ADD_SEALS, F_SEAL_WRITE));
    show("memfd: PUNCH_HOLE, write-sealed",
         fallocate(mfd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, B));

    /* MADV_REMOVE: a hole punched through a shared writable mapping. */
    int rfd = scratch_file();
    char *rw = mmap(NULL, 4 * B, PROT_READ | PROT_WRITE, MAP_SHARED, rfd, 0);
    char *cow = mmap(NULL, 4 * B, PROT_READ | PROT_WRITE, MAP_PRIVATE, rfd, 0);
    char *ro = mmap(NULL, 4 * B, PROT_READ, MAP_SHARED, rfd, 0);
    char *anon = mmap(NULL, 2 * B, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (rw == MAP_FAILED || cow == MAP_FAILED || ro == MAP_FAILED || anon == MAP_FAILED)
        return 1;
    rw[2 * B] = 'R';
    cow[B] = 'C';
    anon[0] = anon[B] = 'A';
    show("MADV_REMOVE of blocks 1-2, shared", madvise(rw + B, 2 * B, MADV_REMOVE));
    printf("shared sees %d %d, the private copy keeps %c, read-only mapping %d\n", rw[B], rw[2 * B],
           cow[B], ro[2 * B]);
    dump("after MADV_REMOVE", rfd);
    show("MADV_REMOVE, private", madvise(cow, B, MADV_REMOVE));
    show("MADV_REMOVE, shared read-only (O_RDWR)", madvise(ro, B, MADV_REMOVE));
    show("MADV_REMOVE, shared anonymous", madvise(anon, B, MADV_REMOVE));
    printf("anonymous shared reads %d %c\n", anon[0], anon[B]);
    show("MADV_REMOVE, private anonymous", madvise(p_anon(), B, MADV_REMOVE));

    int pfd = open(".", O_TMPFILE | O_RDWR, 0600);
    printf("posix_fallocate: %d\n", posix_fallocate(pfd, 0, 3 * B));
    printf("size %ld\n", size_of(pfd));
    return 0;
}
