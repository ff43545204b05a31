/*
 * A process looking at itself through /proc and /dev, in every spelling a
 * program might use. Each line is a verdict that is the same natively and
 * under vmemu (samples.sh compares them), so an answer that came from the
 * host's /proc about vmemu instead of the guest shows as a difference:
 * every spelling of /proc/self/mem must read and write this process's own
 * memory, /proc/self must name getpid(), only this process's descriptors
 * are in /proc/self/fd and /dev/fd, and the generated files tell the truth
 * at the moment they are read.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static char marker[16] = "guest marker";

static const char *errname(int e)
{
    switch (e) {
    case ENOENT:
        return "ENOENT";
    case EACCES:
        return "EACCES";
    case EIO:
        return "EIO";
    case EINVAL:
        return "EINVAL";
    case ENOSPC:
        return "ENOSPC";
    case ENOTDIR:
        return "ENOTDIR";
    case ELOOP:
        return "ELOOP";
    case EBADF:
        return "EBADF";
    case EROFS:
        return "EROFS";
    case ETXTBSY:
        return "ETXTBSY";
    default:
        return "other error";
    }
}

static const char *yes(int ok)
{
    return ok ? "yes" : "no";
}

/* Read the whole of an open file from where it is. */
static size_t slurp_fd(int fd, char *buf, size_t cap)
{
    size_t len = 0;
    ssize_t n;
    while (len < cap - 1 && (n = read(fd, buf + len, cap - 1 - len)) > 0)
        len += (size_t)n;
    buf[len] = '\0';
    return len;
}

static size_t slurp(const char *path, char *buf, size_t cap)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        buf[0] = '\0';
        return 0;
    }
    size_t n = slurp_fd(fd, buf, cap);
    close(fd);
    return n;
}

/* Read and write this process's marker through an open mem file. */
static void mem_spelling_as(int dirfd, const char *path, const char *label)
{
    int fd = openat(dirfd, path, O_RDWR);
    if (fd < 0) {
        printf("%s: %s\n", label, errname(errno));
        return;
    }
    char buf[16] = {0};
    off_t at = (off_t)(unsigned long)marker;
    int read_ok = pread(fd, buf, sizeof(buf), at) == (ssize_t)sizeof(buf) &&
                  memcmp(buf, marker, sizeof(buf)) == 0;
    int wrote = pwrite(fd, "GUEST", 5, at) == 5 && memcmp(marker, "GUEST marker", 12) == 0;
    memcpy(marker, "guest", 5);
    printf("%s: reads own memory: %s, writes own memory: %s\n", label, yes(read_ok), yes(wrote));
    close(fd);
}

static void mem_spelling(int dirfd, const char *path)
{
    mem_spelling_as(dirfd, path, path);
}

static void mem_files(void)
{
    char path[64];
    mem_spelling(AT_FDCWD, "/proc/self/mem");
    mem_spelling(AT_FDCWD, "/proc//self/mem");
    mem_spelling(AT_FDCWD, "/proc/./self/mem");
    mem_spelling(AT_FDCWD, "//proc/self/mem");
    mem_spelling(AT_FDCWD, "/proc/self/../self/mem");
    mem_spelling(AT_FDCWD, "/proc/thread-self/mem");
    snprintf(path, sizeof(path), "/proc/%d/mem", (int)getpid());
    mem_spelling_as(AT_FDCWD, path, "/proc/PID/mem");
    int proc = open("/proc", O_RDONLY | O_DIRECTORY);
    mem_spelling_as(proc, "self/mem", "openat(/proc, self/mem)");
    close(proc);
    if (chdir("/proc") == 0)
        mem_spelling_as(AT_FDCWD, "self/mem", "chdir /proc, self/mem");
    if (chdir("/") != 0)
        printf("chdir /: %s\n", errname(errno));
    int fd = open("/proc/self/mem", O_RDONLY);
    char c;
    ssize_t n = pread(fd, &c, 1, 0x1000); /* nothing is mapped there */
    printf("mem at an unmapped address: %s\n", n < 0 ? errname(errno) : "read");
    close(fd);
}

static void self_links(const struct stat *program)
{
    char buf[PATH_MAX], want[64];
    ssize_t n = readlink("/proc/self", buf, sizeof(buf) - 1);
    buf[n > 0 ? n : 0] = '\0';
    snprintf(want, sizeof(want), "%d", (int)getpid());
    printf("readlink /proc/self is getpid(): %s\n", yes(strcmp(buf, want) == 0));
    n = readlink("/proc/thread-self", buf, sizeof(buf) - 1);
    buf[n > 0 ? n : 0] = '\0';
    snprintf(want, sizeof(want), "%d/task/%d", (int)getpid(), (int)getpid());
    printf("readlink /proc/thread-self is PID/task/TID: %s\n", yes(strcmp(buf, want) == 0));
    struct stat a, b;
    printf("/proc/self/exe is this program: %s\n",
           yes(stat("/proc/self/exe", &a) == 0 && a.st_ino == program->st_ino &&
               a.st_dev == program->st_dev));
    int fd = open("/proc/self/exe", O_RDONLY);
    char magic[4] = {0};
    printf("open /proc/self/exe reads an ELF header: %s\n",
           yes(fd >= 0 && read(fd, magic, 4) == 4 && memcmp(magic, "\177ELF", 4) == 0));
    close(fd);
    fd = open("/proc/self/exe", O_WRONLY);
    printf("open /proc/self/exe for writing: %s\n", fd < 0 ? errname(errno) : "opened");
    char cwd[PATH_MAX];
    n = readlink("/proc/self/cwd", buf, sizeof(buf) - 1);
    buf[n > 0 ? n : 0] = '\0';
    printf("/proc/self/cwd is getcwd(): %s\n", yes(getcwd(cwd, sizeof(cwd)) && !strcmp(buf, cwd)));
    n = readlink("/proc/self/root", buf, sizeof(buf) - 1);
    buf[n > 0 ? n : 0] = '\0';
    printf("/proc/self/root: %s\n", buf);
    printf("/proc/self/fd/1 is stdout: %s\n",
           yes(stat("/proc/self/fd/1", &a) == 0 && fstat(1, &b) == 0 && a.st_ino == b.st_ino));
}

/* Only this process's own descriptors are there, in either directory. */
static void descriptors(void)
{
    for (int fd = 3; fd < 1024; fd++)
        close(fd); /* whatever the caller left open */
    char path[64], buf[64];
    for (int n = 3; n < 8; n++) {
        snprintf(path, sizeof(path), "/dev/fd/%d", n);
        int fd = open(path, O_RDWR);
        printf("open %s: %s\n", path, fd < 0 ? errname(errno) : "opened");
        snprintf(path, sizeof(path), "/proc/self/fd/%d", n);
        ssize_t r = readlink(path, buf, sizeof(buf));
        printf("readlink %s: %s\n", path, r < 0 ? errname(errno) : "a link");
    }
    DIR *d = opendir("/proc/self/fd");
    struct dirent *e;
    int seen[8] = {0}, others = 0;
    while (d && (e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        int n = atoi(e->d_name);
        if (n < 8)
            seen[n] = 1;
        else
            others++;
    }
    printf("/proc/self/fd lists 0 1 2 and the listing's own 3, nothing else: %s\n",
           yes(seen[0] && seen[1] && seen[2] && seen[3] && !seen[4] && !others));
    closedir(d);
}

static int has_line_with(const char *text, const char *what)
{
    return strstr(text, what) != NULL;
}

/* The generated files: current when read, rewound or not. */
static void generated(int argc, char **argv)
{
    static char a[65536], b[65536];
    int fd = open("/proc/self/maps", O_RDONLY);
    slurp_fd(fd, a, sizeof(a));
    void *p = mmap(NULL, 3 * 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    char range[64];
    snprintf(range, sizeof(range), "%08lx-%08lx ", (unsigned long)p, (unsigned long)p + 3 * 4096);
    lseek(fd, 0, SEEK_SET);
    slurp_fd(fd, b, sizeof(b));
    printf("maps read before the mmap shows it: %s\n", yes(has_line_with(a, range)));
    printf("maps read again after rewinding shows it: %s\n", yes(has_line_with(b, range)));
    close(fd);
    munmap(p, 3 * 4096);

    char want[64];
    slurp("/proc/self/status", a, sizeof(a));
    snprintf(want, sizeof(want), "\nPid:\t%d\n", (int)getpid());
    printf("status has Pid getpid(): %s\n", yes(has_line_with(a, want)));
    const char *vmsize = strstr(a, "VmSize:");
    unsigned long kb = vmsize ? strtoul(vmsize + 7, NULL, 10) : 0, pages = 0;
    slurp("/proc/self/statm", b, sizeof(b));
    pages = strtoul(b, NULL, 10);
    printf("statm's size is status's VmSize: %s\n", yes(kb && pages * 4 == kb));

    size_t n = slurp("/proc/self/cmdline", a, sizeof(a)), want_len = 0;
    for (int i = 0; i < argc; i++) {
        size_t l = strlen(argv[i]) + 1;
        if (want_len + l <= sizeof(b))
            memcpy(b + want_len, argv[i], l);
        want_len += l;
    }
    printf("cmdline is argv: %s\n", yes(n == want_len && memcmp(a, b, n) == 0));
    n = slurp("/proc/self/environ", a, sizeof(a));
    printf("environ starts with the environment: %s\n",
           yes(!environ[0] || (n > strlen(environ[0]) && !strcmp(a, environ[0]))));

    const char *base = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
    snprintf(want, sizeof(want), "%.15s\n", base);
    slurp("/proc/self/comm", a, sizeof(a));
    printf("comm is the program's name: %s\n", yes(!strcmp(a, want)));
    fd = open("/proc/self/comm", O_WRONLY);
    printf("comm renamed: %s\n", yes(fd >= 0 && write(fd, "renamed", 7) == 7));
    close(fd);
    slurp("/proc/self/comm", a, sizeof(a));
    printf("comm reads back: %s", a);
}

static void listings(void)
{
    static const char *const want[] = {"cmdline", "comm",  "cwd",    "environ", "exe",
                                       "fd",      "maps",  "mem",    "root",    "smaps",
                                       "stat",    "statm", "status", "task"};
    int found = 0;
    DIR *d = opendir("/proc/self");
    struct dirent *e;
    while (d && (e = readdir(d)))
        for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
            found += strcmp(e->d_name, want[i]) == 0;
    closedir(d);
    printf("/proc/self lists its entries: %s\n",
           yes(found == (int)(sizeof(want) / sizeof(want[0]))));
    char tid[32];
    snprintf(tid, sizeof(tid), "%d", (int)getpid());
    found = 0;
    d = opendir("/proc/self/task");
    while (d && (e = readdir(d)))
        found += strcmp(e->d_name, tid) == 0;
    closedir(d);
    printf("/proc/self/task lists the thread: %s\n", yes(found == 1));
}

static void devices(void)
{
    char buf[64];
    int fd = open("/dev/null", O_RDWR);
    printf("/dev/null: write %zd, read %zd\n", write(fd, "x", 1), read(fd, buf, sizeof(buf)));
    close(fd);
    fd = open("/dev/zero", O_RDONLY);
    memset(buf, 1, sizeof(buf));
    ssize_t n = read(fd, buf, sizeof(buf));
    int zeros = n == (ssize_t)sizeof(buf);
    for (size_t i = 0; i < sizeof(buf); i++)
        zeros &= buf[i] == 0;
    char *z = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    int mapped = z != MAP_FAILED && z[100] == 0 && (z[100] = 7) == 7;
    printf("/dev/zero reads zeros: %s, maps zeroed private memory: %s\n", yes(zeros), yes(mapped));
    close(fd);
    fd = open("/dev/full", O_WRONLY);
    n = write(fd, "x", 1);
    printf("/dev/full: write %s\n", n < 0 ? errname(errno) : "wrote");
    close(fd);
    fd = open("/dev/urandom", O_RDONLY);
    printf("/dev/urandom gives 64 bytes: %s\n", yes(read(fd, buf, sizeof(buf)) == 64));
    close(fd);
    fflush(stdout);
    fd = open("/dev/stdout", O_WRONLY | O_APPEND);
    const char line[] = "a line written through /dev/stdout\n";
    printf("%s", fd >= 0 && write(fd, line, sizeof(line) - 1) == sizeof(line) - 1 ? "" : "no\n");
    close(fd);
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IONBF, 0); /* lines and direct writes to fd 1 stay in order */
    struct stat program;
    if (stat(argv[0], &program) != 0)
        memset(&program, 0, sizeof(program));
    descriptors();
    mem_files();
    self_links(&program);
    generated(argc, argv);
    listings();
    devices();
    return 0;
}
