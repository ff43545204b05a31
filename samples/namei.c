/*
 * The path walk, as a program sees it: relative and absolute paths, "..",
 * "//" and "/./", symbolic links (relative, absolute, chains, loops, the
 * limit of 40), trailing slashes, O_NOFOLLOW and AT_SYMLINK_NOFOLLOW,
 * *at() calls with a directory descriptor or AT_FDCWD, AT_EMPTY_PATH, the
 * umask, and the errors of creating and removing names. Every line is the
 * same natively and under vmemu (samples.sh compares them). It works in a
 * fresh directory under /tmp and removes it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *errname(int e)
{
    static const struct {
        int e;
        const char *name;
    } names[] = {{ENOENT, "ENOENT"},       {EACCES, "EACCES"},   {EPERM, "EPERM"},
                 {EINVAL, "EINVAL"},       {ENOTDIR, "ENOTDIR"}, {EISDIR, "EISDIR"},
                 {ELOOP, "ELOOP"},         {EBADF, "EBADF"},     {EEXIST, "EEXIST"},
                 {ENOTEMPTY, "ENOTEMPTY"}, {EBUSY, "EBUSY"},     {ENAMETOOLONG, "ENAMETOOLONG"},
                 {EXDEV, "EXDEV"},         {ERANGE, "ERANGE"}};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (names[i].e == e)
            return names[i].name;
    return "other error";
}

static void show(const char *what, long r)
{
    if (r < 0)
        printf("%-48s %s\n", what, errname(errno));
    else
        printf("%-48s ok\n", what);
}

/* open and close: just whether it opens. */
static void try_open(const char *what, int dirfd, const char *path, int flags)
{
    int fd = openat(dirfd, path, flags, 0644);
    show(what, fd);
    if (fd >= 0)
        close(fd);
}

/* The content of a file, to show which one a path reached. */
static void which(const char *what, const char *path)
{
    char buf[32] = "";
    int fd = open(path, O_RDONLY);
    ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
    buf[n > 0 ? n : 0] = '\0';
    if (fd < 0)
        printf("%-48s %s\n", what, errname(errno));
    else
        printf("%-48s reads \"%s\"\n", what, buf);
    if (fd >= 0)
        close(fd);
}

static void write_file(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
        perror(path);
    close(fd);
}

static void links(void)
{
    which("a/file", "a/file");
    which("./a//b/../file", "./a//b/../file");
    which("a/./b/./../file", "a/./b/./../file");
    which("rel -> a/file", "rel");
    which("abs -> TOP/a/file", "abs");
    which("chain -> rel", "chain");
    which("dirlink/file (dirlink -> a)", "dirlink/file");
    which("dirlink/../top (.. of the link's target)", "dirlink/../top");
    which("dangling", "dangling");
    which("loop", "loop");
    which("l39 (40 links: Linux's limit)", "l39");
    which("l40 (41 links)", "l40");
    which("a/file/", "a/file/");
    which("rel/ (link to a file, slash)", "rel/");
    try_open("open(dirlink/, O_DIRECTORY)", AT_FDCWD, "dirlink/", O_RDONLY | O_DIRECTORY);
    try_open("open(a/file, O_DIRECTORY)", AT_FDCWD, "a/file", O_RDONLY | O_DIRECTORY);
    try_open("open(rel, O_NOFOLLOW)", AT_FDCWD, "rel", O_RDONLY | O_NOFOLLOW);
    try_open("open(rel, O_NOFOLLOW|O_PATH)", AT_FDCWD, "rel", O_PATH | O_NOFOLLOW);
    try_open("open(a/nothing, O_CREAT|O_EXCL) then again", AT_FDCWD, "a/new",
             O_WRONLY | O_CREAT | O_EXCL);
    try_open("open(a/new, O_CREAT|O_EXCL)", AT_FDCWD, "a/new", O_WRONLY | O_CREAT | O_EXCL);
    try_open("open(rel, O_CREAT|O_EXCL)", AT_FDCWD, "rel", O_WRONLY | O_CREAT | O_EXCL);
    try_open("open(dangling, O_CREAT) creates the target", AT_FDCWD, "dangling",
             O_WRONLY | O_CREAT);
    which("the dangling link's target now", "a/target");
    try_open("open(newdir/, O_CREAT)", AT_FDCWD, "newdir/", O_WRONLY | O_CREAT);
    try_open("open(a, O_WRONLY)", AT_FDCWD, "a", O_WRONLY);
    char longname[NAME_MAX + 2];
    memset(longname, 'n', sizeof(longname) - 1);
    longname[NAME_MAX + 1] = '\0';
    try_open("open(a 256-byte name)", AT_FDCWD, longname, O_RDONLY);
}

static void stat_calls(void)
{
    struct stat st;
    show("lstat(rel) is a link", lstat("rel", &st) == 0 && S_ISLNK(st.st_mode) ? 0 : -1);
    show("stat(rel) is a file", stat("rel", &st) == 0 && S_ISREG(st.st_mode) ? 0 : -1);
    show("fstatat(rel, AT_SYMLINK_NOFOLLOW)", fstatat(AT_FDCWD, "rel", &st, AT_SYMLINK_NOFOLLOW));
    int fd = open("a/file", O_RDONLY);
    show("fstatat(fd, \"\", AT_EMPTY_PATH) is a file",
         fstatat(fd, "", &st, AT_EMPTY_PATH) == 0 && S_ISREG(st.st_mode) ? 0 : -1);
    show("fstatat(fd, \"\", 0)", fstatat(fd, "", &st, 0));
    show("openat(file fd, \"x\")", openat(fd, "x", O_RDONLY));
    close(fd);
    show("fstatat(-1, \"rel\")", fstatat(-1, "rel", &st, 0));
    show("fstatat(-1, absolute)", fstatat(-1, "/", &st, 0));
    int dir = open("a", O_RDONLY | O_DIRECTORY);
    fd = openat(dir, "b/../file", O_RDONLY);
    show("openat(a, \"b/../file\")", fd);
    close(fd);
    fd = openat(dir, "/tmp", O_RDONLY | O_DIRECTORY);
    show("openat(a, \"/tmp\") ignores the directory", fd);
    close(fd);
    show("faccessat(a, \"file\", R_OK)", faccessat(dir, "file", R_OK, 0));
    show("faccessat(a, \"nothing\", F_OK)", faccessat(dir, "nothing", F_OK, 0));
    char buf[64];
    ssize_t n = readlinkat(dir, "../rel", buf, sizeof(buf) - 1);
    buf[n > 0 ? n : 0] = '\0';
    printf("%-48s %s\n", "readlinkat(a, \"../rel\")", n < 0 ? errname(errno) : buf);
    show("readlink(a/file) (no link)", readlink("a/file", buf, sizeof(buf)));
    show("readlink(rel, size 0)", readlink("rel", buf, 0));
    close(dir);
}

static void names(void)
{
    show("mkdir(a) (exists)", mkdir("a", 0755));
    show("mkdir(a/file/x)", mkdir("a/file/x", 0755));
    show("mkdir(c/) then rmdir(c/)", mkdir("c/", 0755) == 0 && rmdir("c/") == 0 ? 0 : -1);
    show("rmdir(a) (not empty)", rmdir("a"));
    show("rmdir(a/file)", rmdir("a/file"));
    show("rmdir(.)", rmdir("."));
    show("rmdir(a/..)", rmdir("a/.."));
    show("unlink(a)", unlink("a"));
    show("unlink(a/file/)", unlink("a/file/"));
    show("unlink(nothing)", unlink("nothing"));
    show("rename(a/new, a/b/new)", rename("a/new", "a/b/new"));
    show("rename(a/b, a/b/inside)", rename("a/b", "a/b/inside"));
    show("rename(a/b/new, a/file/)", rename("a/b/new", "a/file/"));
    show("link(a/file, hard)", link("a/file", "hard"));
    struct stat st;
    show("two links to a/file", stat("a/file", &st) == 0 && st.st_nlink == 2 ? 0 : -1);
    show("link(a, dirhard)", link("a", "dirhard"));
    show("symlink(x, rel) (exists)", symlink("x", "rel"));
    show("linkat(rel, AT_SYMLINK_FOLLOW)",
         linkat(AT_FDCWD, "rel", AT_FDCWD, "hard2", AT_SYMLINK_FOLLOW));
    show("hard2 is a file", lstat("hard2", &st) == 0 && S_ISREG(st.st_mode) ? 0 : -1);
    mode_t old = umask(027);
    int fd = open("masked", O_WRONLY | O_CREAT, 0666);
    fstat(fd, &st);
    printf("%-48s %04o\n", "mode of a file made under umask 027", (unsigned)(st.st_mode & 07777));
    close(fd);
    mkdir("masked-dir", 0777);
    stat("masked-dir", &st);
    printf("%-48s %04o\n", "mode of a directory made under umask 027",
           (unsigned)(st.st_mode & 07777));
    printf("%-48s %04o\n", "umask() gives the old mask back", (unsigned)umask(old));
}

static void cwd(const char *top)
{
    char buf[PATH_MAX];
    size_t tl = strlen(top);
    if (chdir("dirlink/b") != 0)
        perror("chdir");
    const char *c = getcwd(buf, sizeof(buf));
    printf("%-48s %s\n", "getcwd after chdir(dirlink/b)", c && !strncmp(c, top, tl) ? c + tl : "?");
    show("chdir(..) then open(file)", chdir("..") == 0 && open("file", O_RDONLY) >= 0 ? 0 : -1);
    c = getcwd(buf, sizeof(buf));
    printf("%-48s %s\n", "getcwd now", c && !strncmp(c, top, tl) ? c + tl : "?");
    show("getcwd into 2 bytes", getcwd(buf, 2) ? 0 : -1);
    int dir = open(top, O_RDONLY | O_DIRECTORY);
    show("fchdir(top)", fchdir(dir));
    close(dir);
    c = getcwd(buf, sizeof(buf));
    printf("%-48s %s\n", "getcwd after fchdir", c && !strcmp(c, top) ? "top" : "?");
    show("chdir(a/file)", chdir("a/file"));
    show("chdir(nothing)", chdir("nothing"));
}

/* Remove everything the sample made. */
static void cleanup(void)
{
    static const char *const files[] = {"a/b/new", "a/file", "a/target", "a/new",   "top",
                                        "rel",     "abs",    "chain",    "dirlink", "dangling",
                                        "loop",    "hard",   "hard2",    "masked",  "l41"};
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
        unlink(files[i]);
    char name[16];
    for (int i = 0; i <= 40; i++) {
        snprintf(name, sizeof(name), "l%d", i);
        unlink(name);
    }
    rmdir("a/b");
    rmdir("a");
    rmdir("masked-dir");
}

int main(void)
{
    char top[] = "/tmp/vmemu-namei-XXXXXX";
    if (!mkdtemp(top) || chdir(top) != 0) {
        perror("mkdtemp");
        return 1;
    }
    char path[PATH_MAX];
    mkdir("a", 0755);
    mkdir("a/b", 0755);
    write_file("a/file", "the file");
    write_file("top", "top");
    snprintf(path, sizeof(path), "%s/a/file", top);
    if (symlink("a/file", "rel") || symlink(path, "abs") || symlink("rel", "chain") ||
        symlink("a", "dirlink") || symlink("a/target", "dangling") || symlink("loop", "loop") ||
        symlink("a/file", "l0")) {
        perror("symlink");
        return 1;
    }
    for (int i = 1; i <= 41; i++) {
        char from[16], to[16];
        snprintf(from, sizeof(from), "l%d", i - 1);
        snprintf(to, sizeof(to), "l%d", i);
        if (symlink(from, to)) {
            perror("symlink");
            return 1;
        }
    }
    links();
    stat_calls();
    names();
    cwd(top);
    if (chdir(top) != 0)
        perror("chdir");
    cleanup();
    return rmdir(top) == 0 ? 0 : (perror("rmdir"), 1);
}
