/*
 * A probe of the file system a program sees, driven by its arguments:
 * each operation prints one line "OP ARG: RESULT", where RESULT is "ok"
 * (with what was found) or the errno's name. The integration tests
 * (seal.sh, root.sh, program_checks.sh) run sequences of them under vmemu,
 * and natively where the answer must be the same; without arguments it
 * prints its usage, so samples.sh runs it like every sample.
 *
 *   mem PATH        open PATH read-write and read this program's marker through it
 *   open PATH       open read-only and show the first line
 *   openw PATH      open write-only
 *   creat PATH      create (O_CREAT|O_EXCL) and write a line
 *   readlink PATH   the link's text
 *   ls PATH         the names in a directory, sorted
 *   chdir PATH      change directory;  cwd: getcwd
 *   mkdir PATH, unlink PATH, rmdir PATH, symlink TARGET PATH, rename FROM TO
 *   openat-dir DIR PATH   open DIR, then PATH relative to it
 *   opendirfd N PATH      openat(N, PATH) for a descriptor number N
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char marker[16] = "probe marker";

static const char *errname(int e)
{
    static const struct {
        int e;
        const char *name;
    } names[] = {{ENOENT, "ENOENT"},
                 {EACCES, "EACCES"},
                 {EPERM, "EPERM"},
                 {EIO, "EIO"},
                 {EINVAL, "EINVAL"},
                 {ENOTDIR, "ENOTDIR"},
                 {EISDIR, "EISDIR"},
                 {ELOOP, "ELOOP"},
                 {EBADF, "EBADF"},
                 {EROFS, "EROFS"},
                 {EEXIST, "EEXIST"},
                 {EXDEV, "EXDEV"},
                 {EBUSY, "EBUSY"},
                 {ETXTBSY, "ETXTBSY"},
                 {ENXIO, "ENXIO"},
                 {ENOTEMPTY, "ENOTEMPTY"},
                 {ENAMETOOLONG, "ENAMETOOLONG"}};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (names[i].e == e)
            return names[i].name;
    return "other error";
}

static void report(const char *op, const char *arg, int r, const char *what)
{
    if (r < 0)
        printf("%s %s: %s\n", op, arg, errname(errno));
    else
        printf("%s %s: ok%s%s\n", op, arg, what ? " " : "", what ? what : "");
}

/* The first line of an open file, printable characters only. */
static void first_line(int fd, char *out, size_t len)
{
    ssize_t n = read(fd, out, len - 1);
    out[n > 0 ? n : 0] = '\0';
    for (char *p = out; *p; p++) {
        if (*p == '\n') {
            *p = '\0';
            break;
        }
        if (*p < 32 || *p > 126)
            *p = '?';
    }
}

static void op_mem(const char *path)
{
    int fd = open(path, O_RDWR);
    if (fd < 0) {
        report("mem", path, -1, NULL);
        return;
    }
    char buf[16] = {0};
    ssize_t n = pread(fd, buf, sizeof(buf), (off_t)(unsigned long)marker);
    report("mem", path, 0,
           n == (ssize_t)sizeof(buf) && !memcmp(buf, marker, sizeof(buf))
               ? "(this program's memory)"
               : "(NOT this program's memory)");
    close(fd);
}

static void op_open(const char *op, const char *path, int flags)
{
    int fd = open(path, flags, 0644);
    char line[48] = "";
    if (fd >= 0 && (flags & O_ACCMODE) == O_RDONLY)
        first_line(fd, line, sizeof(line));
    if (fd >= 0 && (flags & O_CREAT) && write(fd, "created by path_probe\n", 22) != 22)
        fd = -1;
    report(op, path, fd, line[0] ? line : NULL);
    if (fd >= 0)
        close(fd);
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void op_ls(const char *path)
{
    DIR *d = opendir(path);
    if (!d) {
        report("ls", path, -1, NULL);
        return;
    }
    char *names[512];
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < 512)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            names[n++] = strdup(e->d_name);
    closedir(d);
    qsort(names, n, sizeof(names[0]), cmp_names);
    static char list[16384];
    list[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        if (strlen(list) + strlen(names[i]) + 2 < sizeof(list)) {
            strcat(list, i ? " " : "");
            strcat(list, names[i]);
        }
        free(names[i]);
    }
    report("ls", path, 0, list);
}

static void op_readlink(const char *path)
{
    char buf[PATH_MAX];
    ssize_t n = readlink(path, buf, sizeof(buf) - 1);
    buf[n > 0 ? n : 0] = '\0';
    report("readlink", path, (int)n, buf);
}

static void op_at(const char *dir, const char *path)
{
    int d = open(dir, O_RDONLY | O_DIRECTORY);
    int fd = d < 0 ? -1 : openat(d, path, O_RDONLY);
    char line[48] = "";
    if (fd >= 0)
        first_line(fd, line, sizeof(line));
    char what[PATH_MAX + 8];
    snprintf(what, sizeof(what), "%s %s", dir, path);
    report("openat-dir", what, fd, line[0] ? line : NULL);
    if (fd >= 0)
        close(fd);
    if (d >= 0)
        close(d);
}

/* Run the operation at argv[0]; returns how many arguments it took. */
static int run_op(int argc, char **argv)
{
    const char *op = argv[0], *a = argc > 1 ? argv[1] : "", *b = argc > 2 ? argv[2] : "";
    char buf[PATH_MAX];
    if (!strcmp(op, "cwd")) {
        report("cwd", "", getcwd(buf, sizeof(buf)) ? 0 : -1, buf);
        return 1;
    }
    if (argc < 2)
        return 0;
    if (!strcmp(op, "mem"))
        op_mem(a);
    else if (!strcmp(op, "open"))
        op_open(op, a, O_RDONLY);
    else if (!strcmp(op, "openw"))
        op_open(op, a, O_WRONLY);
    else if (!strcmp(op, "creat"))
        op_open(op, a, O_WRONLY | O_CREAT | O_EXCL);
    else if (!strcmp(op, "readlink"))
        op_readlink(a);
    else if (!strcmp(op, "ls"))
        op_ls(a);
    else if (!strcmp(op, "chdir"))
        report(op, a, chdir(a), NULL);
    else if (!strcmp(op, "mkdir"))
        report(op, a, mkdir(a, 0755), NULL);
    else if (!strcmp(op, "unlink"))
        report(op, a, unlink(a), NULL);
    else if (!strcmp(op, "rmdir"))
        report(op, a, rmdir(a), NULL);
    else if (argc < 3)
        return 0;
    else if (!strcmp(op, "symlink"))
        report(op, b, symlink(a, b), NULL);
    else if (!strcmp(op, "rename"))
        report(op, a, rename(a, b), NULL);
    else if (!strcmp(op, "openat-dir"))
        op_at(a, b);
    else if (!strcmp(op, "opendirfd")) {
        snprintf(buf, sizeof(buf), "%s %s", a, b);
        report(op, buf, openat(atoi(a), b, O_RDONLY), NULL);
    } else
        return 0;
    return strcmp(op, "symlink") && strcmp(op, "rename") && strcmp(op, "openat-dir") &&
                   strcmp(op, "opendirfd")
               ? 2
               : 3;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        printf("usage: path_probe OP ARGS... (see the comment at the top of path_probe.c)\n");
        return 0;
    }
    for (int i = 1; i < argc;) {
        int used = run_op(argc - i, argv + i);
        if (!used) {
            fprintf(stderr, "path_probe: bad operation '%s'\n", argv[i]);
            return 2;
        }
        i += used;
    }
    return 0;
}
