/*
 * userfaultfd(2) as it is meant to be used: a handler thread serving the
 * faults of a worker thread. Three rounds:
 *   - missing pages of anonymous memory, filled with UFFDIO_COPY (and one
 *     with UFFDIO_ZEROPAGE), a write filled write-protected
 *     (UFFDIO_COPY_MODE_WP) faulting again as a write-protect fault;
 *   - write protection (UFFDIO_WRITEPROTECT) of pages the worker wrote,
 *     lifted with and without DONTWAKE (then UFFDIO_WAKE);
 *   - minor faults on a memfd whose pages are cached but not mapped in the
 *     watched mapping, resolved with UFFDIO_CONTINUE after the handler
 *     changed the page through another mapping;
 *   - a signal waking the waiting worker: its handler runs, the fault
 *     comes again as a new message, which the handler resolves.
 * The handler polls a non-blocking descriptor and prints each message
 * (offset in its mapping, flags, whether the thread id is the worker's)
 * before resolving it; the worker prints what it read after each access.
 * Each side waits for the other, so the output is the same natively and
 * under vmemu. The worker's major-fault count grows by one per fault the
 * handler resolved, as Linux counts a fault retried after waiting.
 *
 * With the argument "self" a single thread touches a watched page with
 * nobody to serve it: Linux leaves it asleep for ever; vmemu reports the
 * deadlock (tests/integration/userfaultfd.sh).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "uffd.h"

#define PG 4096UL
static int uffd;
static char *anon, *wpmem, *shm_w, *shm_v, *sigmem;
static pthread_t worker_thread;
static volatile pid_t worker_tid;

static void check(const char *what, long r)
{
    if (r != 0)
        printf("  %s failed: %s\n", what, strerror(errno));
}

static long majflt(void)
{
    struct rusage ru;
    getrusage(RUSAGE_THREAD, &ru);
    return ru.ru_majflt;
}

/* The next message, waiting in poll() for it. */
static struct uffd_msg next_msg(void)
{
    struct uffd_msg m;
    for (;;) {
        struct pollfd p = {uffd, POLLIN, 0};
        if (poll(&p, 1, -1) != 1 || !(p.revents & POLLIN)) {
            printf("  poll: revents %#x\n", p.revents);
            continue;
        }
        ssize_t n = read(uffd, &m, sizeof(m));
        if (n == (ssize_t)sizeof(m))
            return m;
        if (n < 0 && errno == EAGAIN)
            continue; /* woken before it was read */
        printf("  read: %zd %s\n", n, strerror(errno));
    }
}

static const char *flag_names(uint64_t f)
{
    static char buf[32];
    snprintf(buf, sizeof(buf), "%s%s%s%s", f & FLAG_WRITE ? "write" : "read",
             f & FLAG_WP ? "|wp" : "", f & FLAG_MINOR ? "|minor" : "", f & ~7ULL ? "|?" : "");
    return buf;
}

static void show(const struct uffd_msg *m, const char *base)
{
    printf("handler: event %#x page %ld %s, thread %s\n", m->event,
           (long)((m->address - (uintptr_t)base) / PG), flag_names(m->flags),
           (pid_t)m->ptid == worker_tid ? "worker" : "other");
}

static void copy_page(char *dst, char fill, uint64_t mode)
{
    static char page[PG];
    memset(page, fill, sizeof(page));
    struct uffdio_copy c = {(uintptr_t)dst, (uintptr_t)page, PG, mode, 0};
    check("UFFDIO_COPY", ioctl(uffd, UFFDIO_COPY, &c));
}

static void unprotect(char *p, uint64_t mode)
{
    struct uffdio_writeprotect w = {{(uintptr_t)p, PG}, mode};
    check("UFFDIO_WRITEPROTECT", ioctl(uffd, UFFDIO_WRITEPROTECT, &w));
}

/* Round 1: missing pages. */
static void serve_missing(void)
{
    for (int i = 0; i < 5; i++) {
        struct uffd_msg m = next_msg();
        show(&m, anon);
        char *page = anon + ((m.address - (uintptr_t)anon) & ~(PG - 1));
        long idx = (page - anon) / (long)PG;
        if (m.flags & FLAG_WP) {
            unprotect(page, 0);
        } else if (idx == 2) {
            struct uffdio_zeropage z = {{(uintptr_t)page, PG}, 0, 0};
            check("UFFDIO_ZEROPAGE", ioctl(uffd, UFFDIO_ZEROPAGE, &z));
        } else {
            copy_page(page, (char)('A' + idx), idx == 3 ? 2 /* MODE_WP */ : 0);
        }
    }
}

/* Round 2: write protection, lifted at once or in two steps. */
static void serve_wp(void)
{
    for (int i = 0; i < 2; i++) {
        struct uffd_msg m = next_msg();
        show(&m, wpmem);
        char *page = wpmem + ((m.address - (uintptr_t)wpmem) & ~(PG - 1));
        if (i == 0) {
            unprotect(page, 0);
        } else {
            unprotect(page, 2 /* DONTWAKE */);
            struct uffdio_range r = {(uintptr_t)page, PG};
            check("UFFDIO_WAKE", ioctl(uffd, UFFDIO_WAKE, &r));
        }
    }
}

/* Round 3: minor faults; the page changes through the other mapping first. */
static void serve_minor(void)
{
    for (int i = 0; i < 2; i++) {
        struct uffd_msg m = next_msg();
        show(&m, shm_v);
        long off = (long)((m.address - (uintptr_t)shm_v) & ~(PG - 1));
        shm_w[off] = (char)('x' + i);
        struct uffdio_continue c = {{(uintptr_t)shm_v + (uintptr_t)off, PG}, 0, 0};
        check("UFFDIO_CONTINUE", ioctl(uffd, UFFDIO_CONTINUE, &c));
    }
}

/* Round 4: a signal wakes the waiting worker; its fault comes again after the handler. */
static void serve_signalled(void)
{
    struct uffd_msg m = next_msg();
    show(&m, sigmem);
    pthread_kill(worker_thread, SIGUSR1);
    m = next_msg();
    show(&m, sigmem);
    copy_page(sigmem, 'S', 0);
}

static void on_usr1(int sig)
{
    (void)sig;
    static const char msg[] = "worker: signal while waiting\n";
    if (write(1, msg, sizeof(msg) - 1) < 0)
        _exit(1);
}

static void *handler(void *arg)
{
    (void)arg;
    serve_missing();
    serve_wp();
    serve_minor();
    serve_signalled();
    return NULL;
}

static void *worker(void *arg)
{
    (void)arg;
    worker_tid = (pid_t)syscall(SYS_gettid);
    long before = majflt();
    printf("worker: page 0 reads %c\n", anon[0]);
    anon[PG] = 'b';
    printf("worker: page 1 written, reads %c%c\n", anon[PG], anon[PG + 1]);
    printf("worker: page 2 reads %d\n", anon[2 * PG]);
    anon[3 * PG + 5] = 'd'; /* filled write-protected: faults twice */
    printf("worker: page 3 written, reads %c%c\n", anon[3 * PG], anon[3 * PG + 5]);
    printf("worker: page 0 again %c, no fault\n", anon[0]);
    printf("worker: major faults %ld\n", majflt() - before);

    printf("worker: wp page 1 reads %c\n", wpmem[PG]);
    wpmem[0] = 'P';
    printf("worker: wp page 0 written %c\n", wpmem[0]);
    wpmem[PG] = 'Q';
    printf("worker: wp page 1 written %c\n", wpmem[PG]);

    printf("worker: minor page 0 reads %c\n", shm_v[0]);
    shm_v[PG] = 'W';
    printf("worker: minor page 1 written, other mapping reads %c\n", shm_w[PG]);
    printf("worker: total major faults %ld\n", majflt() - before);
    printf("worker: after the signal reads %c\n", sigmem[0]);
    return NULL;
}

static int reg(void *p, size_t len, uint64_t mode)
{
    struct uffdio_register r = {{(uintptr_t)p, len}, mode, 0};
    return ioctl(uffd, UFFDIO_REGISTER, &r);
}

/* One thread, nobody to serve it: it sleeps for ever. */
static int self_fault(void)
{
    char *m = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (reg(m, PG, MODE_MISSING) != 0)
        return 1;
    printf("touching a watched page with no handler\n");
    return m[0];
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    uffd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK | UFFD_USER_MODE_ONLY);
    struct uffdio_api api = {
        UFFD_API,
        UFFD_FEATURE_THREAD_ID | UFFD_FEATURE_PAGEFAULT_FLAG_WP | UFFD_FEATURE_MINOR_SHMEM, 0};
    if (uffd < 0 || ioctl(uffd, UFFDIO_API, &api) != 0) {
        printf("no userfaultfd: %s\n", strerror(errno));
        return 1;
    }
    if (argc > 1 && strcmp(argv[1], "self") == 0)
        return self_fault();

    anon = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    wpmem = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    int mfd = (int)syscall(SYS_memfd_create, "uffd-minor", 0);
    if (ftruncate(mfd, 2 * PG) != 0)
        return 1;
    shm_w = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
    shm_v = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
    memset(shm_w, 'm', 2 * PG); /* both pages cached, mapped in shm_w only */
    memset(wpmem, 'p', 2 * PG);
    check("register missing+wp", reg(anon, 4 * PG, MODE_MISSING | MODE_WP));
    check("register wp", reg(wpmem, 2 * PG, MODE_WP));
    struct uffdio_writeprotect w = {{(uintptr_t)wpmem, 2 * PG}, 1};
    check("write-protect", ioctl(uffd, UFFDIO_WRITEPROTECT, &w));
    check("register minor", reg(shm_v, 2 * PG, MODE_MINOR));
    sigmem = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    check("register missing", reg(sigmem, PG, MODE_MISSING));
    signal(SIGUSR1, on_usr1);

    pthread_t h;
    pthread_create(&h, NULL, handler, NULL);
    pthread_create(&worker_thread, NULL, worker, NULL);
    pthread_join(worker_thread, NULL);
    pthread_join(h, NULL);
    struct uffd_msg m;
    ssize_t n = read(uffd, &m, sizeof(m));
    printf("left unread: %zd (%s)\n", n, n < 0 ? strerror(errno) : "a message");
    close(uffd);
    printf("after close, a page touched: %d\n", anon[0] == 'A');
    return 0;
}
