/*
 * remap_file_pages(2), deprecated since Linux 3.16 and emulated there
 * with mmap: a range of a shared file mapping made to show other pages
 * of the file (a new VMA with that offset over it, populated), and
 * Linux's refusals: a protection other than 0, a private or absent
 * mapping, a range past the VMA (unless the next VMA maps the same file
 * the same way), an empty range, an offset that wraps. Prints what each
 * page shows and the VMAs' offsets, compared with the native run
 * (tests/integration/samples.sh). The file is a memfd, a shmem file as any
 * other to remap_file_pages.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define P 4096UL

static void show(const char *what, long r)
{
    printf("%-40s = %ld%s%s\n", what, r, r < 0 ? " " : "", r < 0 ? strerror(errno) : "");
}

/* The letter each page of the mapping shows. */
static void pages(const char *what, const char *p, int n)
{
    printf("%s:", what);
    for (int i = 0; i < n; i++)
        printf(" %c", p[i * P]);
    printf("\n");
}

/* The file offsets of the VMAs in [p, p + n pages), in pages, as maps gives them. */
static void offsets(const char *p, int n)
{
    FILE *f = fopen("/proc/self/maps", "r");
    char line[512];
    unsigned long lo, hi, off;
    printf("VMAs:");
    while (f && fgets(line, sizeof(line), f))
        if (sscanf(line, "%lx-%lx %*s %lx", &lo, &hi, &off) == 3 && lo >= (unsigned long)p &&
            hi <= (unsigned long)p + n * P)
            printf(" [%lu pages at file page %lu]", (hi - lo) / P, off / P);
    printf("\n");
    if (f)
        fclose(f);
}

int main(void)
{
    /* A memfd: its inode number, which /proc/self/maps shows, is the same on every run. */
    int fd = memfd_create("remap", 0);
    char page[P];
    for (int i = 0; i < 8; i++) {
        memset(page, 'A' + i, sizeof(page));
        if (write(fd, page, sizeof(page)) != (ssize_t)P)
            return 1;
    }
    char *p = mmap(NULL, 4 * P, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    char *priv = mmap(NULL, 2 * P, PROT_READ, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED || priv == MAP_FAILED)
        return 1;
    pages("before", p, 4);
    show("pages 1-2 to file pages 5-6", remap_file_pages(p + P, 2 * P, 0, 5, 0));
    pages("after", p, 4);
    offsets(p, 4);
    p[P] = 'x'; /* a write through it reaches file page 5 */
    char c;
    show("pread of file page 5", pread(fd, &c, 1, 5 * P));
    printf("file page 5 starts with %c\n", c);
    show("an unaligned start, page 3 to file page 0", remap_file_pages(p + 3 * P + 10, P, 0, 0, 0));
    pages("after", p, 4);
    show("prot PROT_READ", remap_file_pages(p, P, PROT_READ, 1, 0));
    show("a private mapping", remap_file_pages(priv, P, 0, 1, 0));
    show("past the mapping's end", remap_file_pages(p + 3 * P, 2 * P, 0, 1, 0));
    show("across the VMAs it made", remap_file_pages(p, 4 * P, 0, 4, 0));
    pages("after", p, 4);
    offsets(p, 4);
    show("size 0", remap_file_pages(p, 0, 0, 1, 0));
    show("an offset that wraps", remap_file_pages(p, 2 * P, 0, ~0UL, 0));
    show("no mapping there", remap_file_pages((char *)0x10000, P, 0, 1, 0));
    char *anon = mmap(NULL, 2 * P, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    anon[0] = 'a';
    anon[P] = 'b';
    show("shared anonymous: page 0 to page 1", remap_file_pages(anon, P, 0, 1, 0));
    pages("shared anonymous", anon, 2);
    return 0;
}
