/*
 * One file page, many views: a MAP_SHARED mapping, a second MAP_SHARED
 * mapping, read(), and a MAP_PRIVATE mapping before its first write all
 * see the page cache's one copy, so a store through one shared mapping is
 * visible through every other view at once. The private mapping's first
 * write copies the page; later shared stores no longer show there.
 * Under vmemu the fault and pagecache traces show the same frame number
 * for every view (tests/integration/shared_frame.sh checks it).
 *
 * usage: shared_frame   (no arguments: the file is an unnamed temporary)
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define PG 4096

static void die(const char *what)
{
    perror(what);
    exit(1);
}

static const char *yes(int b)
{
    return b ? "yes" : "no";
}

int main(void)
{
    static char page[3 * PG];
    memset(page, 'f', sizeof(page));
    int fd = open("/tmp", O_RDWR | O_TMPFILE, 0600);
    if (fd < 0 || write(fd, page, sizeof(page)) != (ssize_t)sizeof(page))
        die("file");
    char *a = mmap(NULL, 3 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    const char *b = mmap(NULL, 3 * PG, PROT_READ, MAP_SHARED, fd, 0);
    char *c = mmap(NULL, 3 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    if (a == MAP_FAILED || b == MAP_FAILED || c == MAP_FAILED)
        die("mmap");
    /* Page 1 through each view: the fault trace names the frame each time. */
    char seen = a[PG];
    seen ^= b[PG];
    char buf[8];
    if (pread(fd, buf, sizeof(buf), PG) != (ssize_t)sizeof(buf))
        die("pread");
    seen ^= c[PG];
    printf("all views read the same byte: %s\n", yes(seen == 'f' && buf[0] == 'f'));

    memcpy(a + PG + 100, "shared", 6);
    if (pread(fd, buf, 6, PG + 100) != 6)
        die("pread");
    printf("store via mapping A visible via mapping B: %s\n",
           yes(!memcmp(b + PG + 100, "shared", 6)));
    printf("... via read(): %s\n", yes(!memcmp(buf, "shared", 6)));
    printf("... via the private mapping before its first write: %s\n",
           yes(!memcmp(c + PG + 100, "shared", 6)));

    c[PG + 200] = 'p'; /* copy-on-write: the private mapping gets its own page */
    memcpy(a + PG + 100, "SHARED", 6);
    printf("after the private write, the private copy keeps the old data: %s\n",
           yes(!memcmp(c + PG + 100, "shared", 6)));
    printf("and the file never sees the private store: %s\n", yes(b[PG + 200] == 'f'));
    return 0;
}
