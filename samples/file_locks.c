/*
 * File locks between processes, as Linux keeps them: POSIX record locks
 * (fcntl F_GETLK/F_SETLK/F_SETLKW), open-file-description locks (F_OFD_*)
 * and flock(2). A parent and its child take turns on one file: conflicts
 * are refused (EAGAIN, EWOULDBLOCK) or waited for, F_GETLK names the
 * holder, unlocking the middle of a range splits it, neighbouring ranges
 * merge, closing any descriptor of the file drops the process's POSIX
 * locks, OFD locks conflict with POSIX ones even within one process,
 * flock locks belong to the open file and never meet POSIX ones, and a
 * wait that would close a cycle fails with EDEADLK. Every line is a
 * verdict that is the same natively and under vmemu.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int to_child[2], to_parent[2];
static pid_t parent_pid;

static const char *yes(int b)
{
    return b ? "yes" : "no";
}

static const char *err_name(int e)
{
    return e == EAGAIN    ? "EAGAIN"
           : e == EDEADLK ? "EDEADLK"
           : e == EBADF   ? "EBADF"
           : e == 0       ? "ok"
                          : strerror(e);
}

static int lock(int fd, int cmd, short type, off_t start, off_t len)
{
    struct flock fl = {.l_type = type, .l_whence = SEEK_SET, .l_start = start, .l_len = len};
    return fcntl(fd, cmd, &fl) == 0 ? 0 : errno;
}

/* F_GETLK (or F_OFD_GETLK) for a write lock on the range: what stands in its way. */
static struct flock probe(int fd, int cmd, off_t start, off_t len)
{
    struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = start, .l_len = len};
    if (fcntl(fd, cmd, &fl) != 0)
        fl.l_type = -1;
    return fl;
}

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    fflush(stdout);
}

static void send(int fd)
{
    if (write(fd, "x", 1) != 1)
        exit(2);
}

static void await(int fd)
{
    char c;
    if (read(fd, &c, 1) != 1)
        exit(2);
}

/* Wait until pid sleeps (in a lock wait: it said it was about to take one). */
static void until_asleep(pid_t pid)
{
    char path[64], buf[256];
    snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
    for (int i = 0; i < 5000; i++) {
        FILE *f = fopen(path, "r");
        char *p = f && fgets(buf, sizeof(buf), f) ? strrchr(buf, ')') : NULL;
        if (f)
            fclose(f);
        if (p && p[1] == ' ' && p[2] == 'S')
            return;
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
    }
}

static void child(const char *path, int inherited)
{
    int fd = open(path, O_RDWR);
    struct flock fl = probe(fd, F_GETLK, 50, 10);
    say("F_GETLK names the parent's write lock on 0..99: %s\n",
        yes(fl.l_type == F_WRLCK && fl.l_start == 0 && fl.l_len == 100 && fl.l_pid == parent_pid));
    say("F_SETLK into it: %s\n", err_name(lock(fd, F_SETLK, F_WRLCK, 90, 20)));
    say("F_SETLK beside it: %s\n", err_name(lock(fd, F_SETLK, F_RDLCK, 100, 100)));
    send(to_parent[1]); /* the parent unlocks 40..59 */
    await(to_child[0]);
    fl = probe(fd, F_GETLK, 0, 100);
    say("after unlocking the middle, the first piece: %s\n",
        yes(fl.l_type == F_WRLCK && fl.l_start == 0 && fl.l_len == 40));
    fl = probe(fd, F_GETLK, 45, 10);
    say("the middle is free: %s\n", yes(fl.l_type == F_UNLCK));
    fl = probe(fd, F_GETLK, 50, 100);
    say("the last piece: %s\n", yes(fl.l_type == F_WRLCK && fl.l_start == 60 && fl.l_len == 40));
    fl = probe(fd, F_GETLK, 500, 0);
    say("two read locks side by side merged: %s\n",
        yes(fl.l_type == F_RDLCK && fl.l_start == 500 && fl.l_len == 20));

    /* Wait for 0..9 while holding 300..309: the parent's wait for that is a cycle. */
    say("holding 300..309: %s\n", err_name(lock(fd, F_SETLK, F_WRLCK, 300, 10)));
    fcntl(to_child[0], F_SETFL, O_NONBLOCK);
    send(to_parent[1]);
    int e = lock(fd, F_SETLKW, F_WRLCK, 0, 10);
    char c;
    int told = read(to_child[0], &c, 1) == 1; /* the parent wrote before it unlocked */
    fcntl(to_child[0], F_SETFL, 0);
    say("F_SETLKW waited for the parent's unlock: %s (%s)\n", yes(told), err_name(e));

    say("flock through a descriptor of another open: %s\n", flock(fd, LOCK_EX | LOCK_NB) == 0 ? "ok"
                                                            : errno == EWOULDBLOCK ? "EWOULDBLOCK"
                                                                                   : "?");
    say("flock through the inherited descriptor (the parent's open file): %s\n",
        flock(inherited, LOCK_EX | LOCK_NB) == 0 ? "ok" : strerror(errno));
    fl = probe(fd, F_GETLK, 400, 10);
    say("the parent's OFD lock, to F_GETLK: %s\n",
        yes(fl.l_type == F_WRLCK && fl.l_start == 400 && fl.l_pid == -1));
    send(to_parent[1]); /* the parent closes a second descriptor of the file */
    await(to_child[0]);
    fl = probe(fd, F_GETLK, 0, 300);
    say("after the parent closed another descriptor of the file, its POSIX locks are gone: %s\n",
        yes(fl.l_type == F_UNLCK));
    fl = probe(fd, F_GETLK, 400, 10);
    say("its OFD lock is not: %s\n", yes(fl.l_type == F_WRLCK && fl.l_pid == -1));
    exit(0);
}

int main(void)
{
    /* An unnamed file (no name two concurrent runs could both pick), reopened by its fd link. */
    char path[64];
    int fd = open("/tmp", O_RDWR | O_TMPFILE, 0600);
    snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
    if (fd < 0 || ftruncate(fd, 4096) != 0 || pipe(to_child) != 0 || pipe(to_parent) != 0) {
        perror("setup");
        return 1;
    }
    parent_pid = getpid();
    int flock_fd = open(path, O_RDWR), ofd = open(path, O_RDWR), second = open(path, O_RDONLY);
    say("write lock on 0..99: %s\n", err_name(lock(fd, F_SETLK, F_WRLCK, 0, 100)));
    say("read locks on 500..509 and 510..519: %s %s\n",
        err_name(lock(fd, F_SETLK, F_RDLCK, 500, 10)),
        err_name(lock(fd, F_SETLK, F_RDLCK, 510, 10)));
    say("flock LOCK_EX: %s\n", flock(flock_fd, LOCK_EX) == 0 ? "ok" : strerror(errno));
    say("OFD write lock on 400..409: %s\n", err_name(lock(ofd, F_OFD_SETLK, F_WRLCK, 400, 10)));
    struct flock own = probe(fd, F_GETLK, 400, 10);
    say("our own POSIX F_GETLK sees our OFD lock: %s\n",
        yes(own.l_type == F_WRLCK && own.l_pid == -1));
    struct flock bad = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_pid = 1};
    say("F_OFD_SETLK with l_pid set: %s\n",
        fcntl(ofd, F_OFD_SETLK, &bad) == 0 ? "ok" : strerror(errno));
    say("read lock on a write-only descriptor: %s\n",
        err_name(lock(open(path, O_WRONLY), F_SETLK, F_RDLCK, 0, 1)));
    pid_t pid = fork();
    if (pid == 0)
        child(path, flock_fd);
    await(to_parent[0]);
    say("unlock 40..59: %s\n", err_name(lock(fd, F_SETLK, F_UNLCK, 40, 20)));
    send(to_child[1]);
    await(to_parent[0]); /* the child holds 300..309 and is about to wait for 0..9 */
    until_asleep(pid);
    say("F_SETLKW for the child's 300..309 while it waits for us: %s\n",
        err_name(lock(fd, F_SETLKW, F_WRLCK, 300, 10)));
    send(to_child[1]);
    int unlocked = lock(fd, F_SETLK, F_UNLCK, 0, 40);
    await(to_parent[0]);
    say("unlock 0..39: %s\n", err_name(unlocked));
    close(second);
    send(to_child[1]);
    int status;
    waitpid(pid, &status, 0);
    say("child exited with %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    return 0;
}
