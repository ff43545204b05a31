/*
 * The newer madvise(2) advice, as Linux 6.18 answers it:
 * MADV_POPULATE_READ/WRITE (5.14): pages faulted in without touching them
 * (mincore and the fault counts show it), EINVAL where the access is not
 * allowed, ENOMEM for a hole, EFAULT past a file's end or on a guard;
 * MADV_DONTNEED_LOCKED (5.18): DONTNEED that also takes locked memory;
 * MADV_GUARD_INSTALL/REMOVE (6.13): a touch of a guard page is SIGSEGV
 * (SEGV_MAPERR), system calls get EFAULT, the markers survive DONTNEED,
 * mprotect, mremap, splits and merges and fork, munmap takes them away;
 * MADV_FREE on shared memory is EINVAL. Run natively and under vmemu,
 * the output must be the same.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#define PG 4096UL
#define MADV_POPULATE_READ_ 22
#define MADV_POPULATE_WRITE_ 23
#define MADV_DONTNEED_LOCKED_ 24
#define MADV_GUARD_INSTALL_ 102
#define MADV_GUARD_REMOVE_ 103

static sigjmp_buf env;
static volatile int caught_code;

static void on_segv(int sig, siginfo_t *si, void *uc)
{
    (void)sig, (void)uc;
    caught_code = si->si_code;
    siglongjmp(env, 1);
}

static const char *errname(int e)
{
    switch (e) {
    case EINVAL:
        return "EINVAL";
    case EFAULT:
        return "EFAULT";
    case ENOMEM:
        return "ENOMEM";
    case EPERM:
        return "EPERM";
    case EAGAIN:
        return "EAGAIN";
    default:
        return strerror(e);
    }
}

static void result(const char *what, long r)
{
    if (r < 0)
        printf("%s: -1 %s\n", what, errname(errno));
    else
        printf("%s: %ld\n", what, r);
}

/* Read (or write) a byte and say whether it faulted: "ok VALUE" or "SIGSEGV code N". */
static void touch(const char *what, volatile char *p, int write)
{
    caught_code = 0;
    if (sigsetjmp(env, 1) == 0) {
        int v = write ? (*p = 5) : *p;
        printf("%s: ok %d\n", what, v);
    } else {
        printf("%s: SIGSEGV code %d\n", what, caught_code);
    }
}

static void resident(const char *what, char *p, int n)
{
    unsigned char vec[64];
    printf("%s:", what);
    if (mincore(p, (unsigned long)n * PG, vec) != 0)
        printf(" mincore %s", errname(errno));
    else
        for (int i = 0; i < n; i++)
            printf(" %d", vec[i] & 1);
    printf("\n");
}

static long minflt(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_minflt;
}

/* n pages between two inaccessible pages, so that no neighbour merges with them. */
static char *map_alone(int n, int prot, int flags, int fd)
{
    char *g =
        mmap(NULL, (unsigned long)(n + 2) * PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return mmap(g + PG, (unsigned long)n * PG, prot, flags | MAP_FIXED, fd, 0);
}

static void populate(void)
{
    char *p = map_alone(8, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1);
    resident("fresh anonymous pages resident", p, 8);
    long before = minflt();
    result("POPULATE_READ [0,4)", madvise(p, 4 * PG, MADV_POPULATE_READ_));
    result("POPULATE_WRITE [4,8)", madvise(p + 4 * PG, 4 * PG, MADV_POPULATE_WRITE_));
    long faults = minflt() - before;
    printf("faults taken by the populates: %s\n", faults >= 8 && faults <= 9 ? "8" : "other");
    resident("after populating", p, 8);
    before = minflt();
    for (int i = 4; i < 8; i++)
        p[(unsigned long)i * PG] = 1;
    printf("faults writing the populated pages: %ld\n", minflt() - before);
    result("POPULATE_READ unaligned", madvise(p + 1, PG, MADV_POPULATE_READ_));
    result("POPULATE_READ length 0", madvise(p, 0, MADV_POPULATE_READ_));
    mprotect(p, 2 * PG, PROT_READ);
    result("POPULATE_WRITE on read-only [0,2)", madvise(p, 2 * PG, MADV_POPULATE_WRITE_));
    mprotect(p, 2 * PG, PROT_NONE);
    result("POPULATE_READ on PROT_NONE [0,2)", madvise(p, 2 * PG, MADV_POPULATE_READ_));
    munmap(p + 3 * PG, PG);
    result("POPULATE_READ over a hole [2,5)", madvise(p + 2 * PG, 3 * PG, MADV_POPULATE_READ_));

    /* A file of a page and a half, mapped over three pages: the third is past its end. */
    char name[] = "/tmp/madvise_new.XXXXXX";
    int fd = mkstemp(name);
    unlink(name);
    char buf[PG + PG / 2];
    memset(buf, 'f', sizeof(buf));
    if (write(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf))
        return;
    char *f = map_alone(3, PROT_READ, MAP_PRIVATE, fd);
    result("POPULATE_READ a file past its end", madvise(f, 3 * PG, MADV_POPULATE_READ_));
    resident("file pages", f, 3);
    result("POPULATE_WRITE a private read-only file", madvise(f, PG, MADV_POPULATE_WRITE_));
    char *s = map_alone(2, PROT_READ | PROT_WRITE, MAP_SHARED, fd);
    result("POPULATE_WRITE a shared file", madvise(s, 2 * PG, MADV_POPULATE_WRITE_));
    printf("file byte 0 after the populate: %c\n", s[0]);
    close(fd);
}

static void dontneed_locked(void)
{
    char *p = map_alone(4, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1);
    memset(p, 3, 4 * PG);
    result("mlock [0,4)", mlock(p, 4 * PG));
    result("DONTNEED on locked memory", madvise(p, 2 * PG, MADV_DONTNEED));
    result("DONTNEED_LOCKED on locked memory", madvise(p, 2 * PG, MADV_DONTNEED_LOCKED_));
    printf("bytes after: %d %d %d %d\n", p[0], p[PG], p[2 * PG], p[3 * PG]);
    result("DONTNEED_LOCKED unlocked memory", madvise(p, 2 * PG, MADV_DONTNEED_LOCKED_));
    result("munlock", munlock(p, 4 * PG));
    char *sh = map_alone(2, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1);
    sh[0] = 1;
    result("FREE on shared anonymous memory", madvise(sh, 2 * PG, MADV_FREE));
    result("FREE on private anonymous memory", madvise(p, 2 * PG, MADV_FREE));
}

static void guards(void)
{
    struct sigaction sa = {0};
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &sa, NULL);

    char *p = map_alone(8, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1);
    memset(p, 7, 8 * PG);
    result("GUARD_INSTALL [2,4)", madvise(p + 2 * PG, 2 * PG, MADV_GUARD_INSTALL_));
    touch("read page 1", p + PG, 0);
    touch("read page 2", p + 2 * PG, 0);
    touch("write page 3", p + 3 * PG, 1);
    resident("resident", p, 8);
    int pfd[2];
    if (pipe(pfd) != 0)
        return;
    result("write() from a guard page", write(pfd[1], p + 2 * PG, 16));
    result("write() from page 0", write(pfd[1], p, 16));
    result("read() into a guard page", read(pfd[0], p + 3 * PG, 16));
    /* The data is still there; read it out so no pipe page is left at exit. */
    result("read() into page 1", read(pfd[0], p + PG, 16));
    close(pfd[0]);
    close(pfd[1]);
    result("POPULATE_READ over a guard", madvise(p, 4 * PG, MADV_POPULATE_READ_));
    result("GUARD_INSTALL again", madvise(p + 2 * PG, 2 * PG, MADV_GUARD_INSTALL_));
    result("DONTNEED [0,8)", madvise(p, 8 * PG, MADV_DONTNEED));
    touch("read page 2 after DONTNEED", p + 2 * PG, 0);
    result("mprotect [0,8) read-only", mprotect(p, 8 * PG, PROT_READ));
    touch("read page 3 after mprotect", p + 3 * PG, 0);
    result("mprotect [0,8) back", mprotect(p, 8 * PG, PROT_READ | PROT_WRITE));
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        touch("child: read page 2", p + 2 * PG, 0);
        touch("child: read page 4", p + 4 * PG, 0);
        fflush(stdout);
        _exit(0);
    }
    waitpid(pid, NULL, 0);
    char *q = mremap(p + 2 * PG, 2 * PG, 2 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, p + 5 * PG);
    printf("mremap the guards to page 5: %s\n", q == p + 5 * PG ? "moved" : errname(errno));
    touch("read page 2 after the move", p + 2 * PG, 0);
    touch("read page 5 after the move", p + 5 * PG, 0);
    result("GUARD_REMOVE [5,7)", madvise(p + 5 * PG, 2 * PG, MADV_GUARD_REMOVE_));
    touch("read page 5 after removal", p + 5 * PG, 0);
    result("GUARD_INSTALL [0,1)", madvise(p, PG, MADV_GUARD_INSTALL_));
    result("munmap [0,1)", munmap(p, PG));
    q = mmap(p, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    touch("read a page mapped anew where a guard was", q, 0);

    char *l = map_alone(2, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1);
    mlock(l, 2 * PG);
    result("GUARD_INSTALL on locked memory", madvise(l, PG, MADV_GUARD_INSTALL_));
    result("GUARD_REMOVE on locked memory", madvise(l, PG, MADV_GUARD_REMOVE_));
    char *sh = map_alone(2, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1);
    sh[PG] = 9;
    result("GUARD_INSTALL on shared memory", madvise(sh + PG, PG, MADV_GUARD_INSTALL_));
    touch("read the shared guard", sh + PG, 0);
    result("GUARD_REMOVE on shared memory", madvise(sh + PG, PG, MADV_GUARD_REMOVE_));
    touch("read the shared page after removal", sh + PG, 0);
}

int main(void)
{
    populate();
    dontneed_locked();
    guards();
    return 0;
}
