/*
 * Reads a file twice with read() in 4 KiB steps, then maps it MAP_SHARED
 * and touches every page: under `vmemu --cache=cold` the first pass misses
 * once and readahead brings the rest in windows growing to 32 pages, the
 * second pass hits every page, and the mapping's faults are all minor
 * (fault-around maps 16 cached pages each). tests/integration/cache_read.sh
 * reads that from the pagecache and fault trace.
 *
 * usage: cache_read [PATH]
 * Without a path it writes a 1 MiB unnamed temporary file and reads that.
 * It prints checksums only, so native and vmemu output are the same.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define PG 4096

static void die(const char *what)
{
    perror(what);
    exit(1);
}

static int make_temp(void)
{
    static unsigned char block[64 * PG];
    int fd = open("/tmp", O_RDWR | O_TMPFILE, 0600);
    if (fd < 0)
        die("open");
    for (int round = 0; round < 4; round++) {
        for (size_t i = 0; i < sizeof(block); i++)
            block[i] = (unsigned char)(i * 7 + round * 131 + (i >> 12));
        if (write(fd, block, sizeof(block)) != (ssize_t)sizeof(block))
            die("write");
    }
    return fd;
}

static unsigned long read_pass(int fd, long *bytes)
{
    static unsigned char buf[PG];
    unsigned long sum = 0;
    ssize_t n;
    *bytes = 0;
    if (lseek(fd, 0, SEEK_SET) != 0)
        die("lseek");
    while ((n = read(fd, buf, sizeof(buf))) > 0) {
        for (ssize_t i = 0; i < n; i += 64)
            sum = sum * 31 + buf[i];
        *bytes += n;
    }
    if (n < 0)
        die("read");
    return sum;
}

int main(int argc, char **argv)
{
    int fd = argc > 1 ? open(argv[1], O_RDONLY) : make_temp();
    if (fd < 0)
        die("open");
    long bytes;
    for (int pass = 1; pass <= 2; pass++) {
        unsigned long sum = read_pass(fd, &bytes);
        printf("read pass %d: %ld bytes, sum %016lx\n", pass, bytes, sum);
    }
    const unsigned char *m = mmap(NULL, (size_t)bytes, PROT_READ, MAP_SHARED, fd, 0);
    if (m == MAP_FAILED)
        die("mmap");
    unsigned long sum = 0;
    for (long off = 0; off < bytes; off += PG)
        sum = sum * 31 + m[off];
    printf("mapped: %ld pages, sum %016lx\n", (bytes + PG - 1) / PG, sum);
    return 0;
}
