/*
 * One frame for a library page, however many times it is mapped: the
 * first page of the C library's text (libc.so.6, musl's ld-musl-x86_64.so.1,
 * or the program's own text when it is static) is dropped from this
 * process's page tables (MADV_DONTNEED) and read again, then the same in a
 * child after fork, and through a second, private read-only mapping of the
 * same file page. Every one of those faults finds the page cache's one
 * frame (tests/integration/shared_lib.sh compares the frame numbers in the
 * fault trace), and smaps counts the page as shared (Shared_Clean or
 * Shared_Dirty) in both processes and in the second mapping.
 * Its output is the same natively and under vmemu.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define PG 4096UL

struct text {
    unsigned long start;
    unsigned long offset;
    char path[4096];
};

static const char *yes(int b)
{
    return b ? "yes" : "no";
}

static const char *base_name(const char *path)
{
    const char *b = strrchr(path, '/');
    return b ? b + 1 : path;
}

static int is_libc(const char *path)
{
    const char *b = base_name(path);
    return strncmp(b, "libc.so", 7) == 0 || strncmp(b, "ld-musl", 7) == 0;
}

/* The C library's first executable mapping, or the program's if none is a library. */
static int find_text(struct text *t)
{
    FILE *f = fopen("/proc/self/maps", "r");
    char line[4096 + 128];
    int found = 0;
    while (f && fgets(line, sizeof(line), f)) {
        unsigned long start, end, offset;
        char perms[5], path[4096] = "";
        if (sscanf(line, "%lx-%lx %4s %lx %*s %*s %4095s", &start, &end, perms, &offset, path) <
                4 ||
            strcmp(perms, "r-xp") != 0 || path[0] != '/')
            continue;
        if (!found || is_libc(path)) {
            t->start = start;
            t->offset = offset;
            snprintf(t->path, sizeof(t->path), "%s", path);
            found = 1;
        }
        if (is_libc(path))
            break;
    }
    if (f)
        fclose(f);
    return found;
}

/* Drop the page from this process's page tables, then read it back: one fault. */
static unsigned char refault(unsigned long addr)
{
    if (madvise((void *)addr, PG, MADV_DONTNEED) != 0) {
        perror("madvise");
        exit(1);
    }
    return *(volatile unsigned char *)addr;
}

/*
 * smaps' Shared_Clean plus Shared_Dirty for the mapping that starts at
 * start, in kB (a file just written may still be dirty in the host's page
 * cache when the sample runs natively); -1 if there is no such mapping.
 */
static long shared_kb(unsigned long start)
{
    FILE *f = fopen("/proc/self/smaps", "r");
    char line[4096 + 128];
    int in = 0;
    long kb = -1, clean = 0, dirty = 0;
    while (f && fgets(line, sizeof(line), f)) {
        unsigned long s, e;
        char c;
        if (sscanf(line, "%lx-%lx %c", &s, &e, &c) == 3)
            in = s == start;
        else if (in && sscanf(line, "Shared_Clean: %ld kB", &clean) == 1)
            continue;
        else if (in && sscanf(line, "Shared_Dirty: %ld kB", &dirty) == 1) {
            kb = clean + dirty;
            break;
        }
    }
    if (f)
        fclose(f);
    return kb;
}

int main(void)
{
    struct text t;
    if (!find_text(&t)) {
        printf("no executable file mapping found\n");
        return 1;
    }
    printf("text page of %s\n", base_name(t.path));
    unsigned char first = refault(t.start);

    /* A second view of the same file page, in this process. */
    int fd = open(t.path, O_RDONLY);
    unsigned char *view =
        fd < 0 ? MAP_FAILED : mmap(NULL, PG, PROT_READ, MAP_PRIVATE, fd, (off_t)t.offset);
    if (view == MAP_FAILED) {
        perror("second mapping");
        return 1;
    }
    printf("second mapping reads the same bytes: %s\n",
           yes(view[0] == first && memcmp(view, (void *)t.start, PG) == 0));
    printf("second mapping counted as shared: %s\n", yes(shared_kb((unsigned long)view) >= 4));

    int go[2], done[2];
    if (pipe(go) != 0 || pipe(done) != 0) {
        perror("pipe");
        return 1;
    }
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        close(go[1]); /* so that the parent's end, once gone, ends the wait */
        close(done[0]);
        unsigned char c = refault(t.start);
        printf("child reads the same byte: %s\n", yes(c == first));
        printf("child: the page counted as shared: %s\n", yes(shared_kb(t.start) >= 4));
        fflush(stdout);
        char b = 0;
        if (write(done[1], &b, 1) != 1 || read(go[0], &b, 1) != 1)
            _exit(1);
        _exit(0);
    }
    close(go[0]);
    close(done[1]);
    char b = 0;
    if (read(done[0], &b, 1) != 1)
        return 1;
    printf("parent, while the child lives: the page counted as shared: %s\n",
           yes(shared_kb(t.start) >= 4));
    fflush(stdout);
    if (write(go[1], &b, 1) != 1)
        return 1;
    int status;
    waitpid(pid, &status, 0);
    printf("child exited with %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    return 0;
}
