/*
 * POSIX threads as a program sees them on Linux: each test prints what is
 * the same on every run and on every kernel (counts, values, outcomes),
 * so the output equals the native run's.
 *
 *   threads            every test
 *   threads NAME       one test
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define FUTEX_WAIT_PRIVATE 128 /* musl has no <linux/futex.h> */
#define FUTEX_WAKE_PRIVATE 129

#define NTHREADS 4
#define SLICE_PAGES 64

static char *region;
static pthread_barrier_t barrier;

static void *touch_slice(void *arg)
{
    long i = (long)arg;
    pthread_barrier_wait(&barrier);
    for (long p = 0; p < SLICE_PAGES; p++)
        region[(i * SLICE_PAGES + p) * 4096] = (char)i;
    return NULL;
}

/* Every thread writes its own slice: the process takes one fault a page. */
static void test_slices(void)
{
    size_t len = (size_t)NTHREADS * SLICE_PAGES * 4096;
    region = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    madvise(region, len, MADV_NOHUGEPAGE);
    pthread_t th[NTHREADS];
    pthread_barrier_init(&barrier, NULL, NTHREADS + 1);
    for (long i = 0; i < NTHREADS; i++)
        pthread_create(&th[i], NULL, touch_slice, (void *)i);
    struct rusage a, b;
    getrusage(RUSAGE_SELF, &a);
    pthread_barrier_wait(&barrier);
    for (int i = 0; i < NTHREADS; i++)
        pthread_join(th[i], NULL);
    getrusage(RUSAGE_SELF, &b);
    long sum = 0;
    for (long i = 0; i < NTHREADS * SLICE_PAGES; i++)
        sum += region[i * 4096];
    long faults = b.ru_minflt - a.ru_minflt;
    printf("slices: %d threads, sum %ld, at least one fault a page: %d\n", NTHREADS, sum,
           faults >= NTHREADS * SLICE_PAGES);
    munmap(region, len);
}

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static long counter;

static void *add(void *arg)
{
    (void)arg;
    for (int i = 0; i < 20000; i++) {
        pthread_mutex_lock(&lock);
        counter++;
        pthread_mutex_unlock(&lock);
    }
    return NULL;
}

static void test_mutex(void)
{
    pthread_t th[NTHREADS];
    for (int i = 0; i < NTHREADS; i++)
        pthread_create(&th[i], NULL, add, NULL);
    for (int i = 0; i < NTHREADS; i++)
        pthread_join(th[i], NULL);
    printf("mutex: counter %ld\n", counter);
}

static pthread_mutex_t pi_lock;
static long pi_counter;

static void *add_pi(void *arg)
{
    (void)arg;
    for (int i = 0; i < 5000; i++) {
        pthread_mutex_lock(&pi_lock);
        long v = pi_counter;
        if (i % 100 == 0)
            sched_yield(); /* let the others find the lock taken */
        pi_counter = v + 1;
        pthread_mutex_unlock(&pi_lock);
    }
    return NULL;
}

/* A priority-inheritance mutex (FUTEX_LOCK_PI / FUTEX_UNLOCK_PI with glibc). */
static void test_pi_mutex(void)
{
    pthread_mutexattr_t at;
    pthread_mutexattr_init(&at);
    pthread_mutexattr_setprotocol(&at, PTHREAD_PRIO_INHERIT);
    pthread_mutex_init(&pi_lock, &at);
    pthread_t th[NTHREADS];
    for (int i = 0; i < NTHREADS; i++)
        pthread_create(&th[i], NULL, add_pi, NULL);
    for (int i = 0; i < NTHREADS; i++)
        pthread_join(th[i], NULL);
    printf("pi mutex: counter %ld\n", pi_counter);
}

static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static int produced, consumed;

static void *consumer(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&lock);
    while (consumed < 100) {
        while (produced == consumed)
            pthread_cond_wait(&cond, &lock);
        consumed++;
        pthread_cond_broadcast(&cond);
    }
    pthread_mutex_unlock(&lock);
    return NULL;
}

static void test_condvar(void)
{
    pthread_t c;
    pthread_create(&c, NULL, consumer, NULL);
    pthread_mutex_lock(&lock);
    for (int i = 0; i < 100; i++) {
        while (produced != consumed)
            pthread_cond_wait(&cond, &lock);
        produced++;
        pthread_cond_broadcast(&cond);
    }
    pthread_mutex_unlock(&lock);
    pthread_join(c, NULL);
    printf("condvar: produced %d, consumed %d\n", produced, consumed);
}

static __thread int tls_value = 5;

static void *tls_worker(void *arg)
{
    tls_value += (int)(long)arg;
    return (void *)(long)tls_value;
}

static void test_tls(void)
{
    pthread_t a, b;
    void *ra, *rb;
    pthread_create(&a, NULL, tls_worker, (void *)10L);
    pthread_create(&b, NULL, tls_worker, (void *)20L);
    pthread_join(a, &ra);
    pthread_join(b, &rb);
    printf("tls: threads saw %ld and %ld, main still %d\n", (long)ra, (long)rb, tls_value);
}

static void *sleeper(void *arg)
{
    (void)arg;
    for (;;)
        pause(); /* a cancellation point */
    return NULL;
}

static void test_cancel(void)
{
    pthread_t t;
    pthread_create(&t, NULL, sleeper, NULL);
    pthread_cancel(t);
    void *r;
    pthread_join(t, &r);
    printf("cancel: joined a cancelled thread: %d\n", r == PTHREAD_CANCELED);
}

static volatile int go;

static void *release(void *arg)
{
    (void)arg;
    go = 1;
    return NULL;
}

/* Spin until *flag is set: no system call in the loop. */
static __attribute__((noinline)) void spin_until(volatile int *flag)
{
    while (!*flag)
        ;
}

/*
 * A waiter that spins without a system call is released by another
 * thread, even when its loop ran (and was translated) before the process
 * had a second thread, which is when an emulator starts counting blocks
 * to switch threads: code translated before must count too.
 */
static void test_spin(void)
{
    static volatile int already = 1;
    spin_until(&already);
    pthread_t t;
    pthread_create(&t, NULL, release, NULL);
    spin_until(&go);
    pthread_join(t, NULL);
    printf("spin: released\n");
}

/* The futex word's value decides: a changed value never sleeps (no lost wake-up). */
static void test_futex_value(void)
{
    static int word = 1;
    struct timespec ms = {0, 1000000};
    long changed = syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, 2, &ms, NULL, 0);
    int changed_errno = errno;
    long same = syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, 1, &ms, NULL, 0);
    int same_errno = errno;
    printf("futex: wait on a changed value %ld %s, on the same value %ld %s, wake of nobody %ld\n",
           changed, changed_errno == EAGAIN ? "EAGAIN" : "?", same,
           same_errno == ETIMEDOUT ? "ETIMEDOUT" : "?",
           (long)syscall(SYS_futex, &word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0));
}

static sigjmp_buf jump;
static volatile int segv_seen;
static char *volatile area;
static volatile int reading;

static void on_segv(int sig)
{
    (void)sig;
    segv_seen = 1;
    siglongjmp(jump, 1);
}

static void *unmapper(void *arg)
{
    (void)arg;
    while (!reading)
        ;
    munmap(area, 4096);
    return NULL;
}

/* One thread unmaps what another reads: the reader gets SIGSEGV. */
static void test_munmap_race(void)
{
    area = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    area[0] = 1;
    signal(SIGSEGV, on_segv);
    pthread_t t;
    pthread_create(&t, NULL, unmapper, NULL);
    long sum = 0;
    if (sigsetjmp(jump, 1) == 0) {
        reading = 1;
        for (;;)
            sum += ((volatile char *)area)[0];
    }
    pthread_join(t, NULL);
    signal(SIGSEGV, SIG_DFL);
    printf("munmap race: reader got SIGSEGV %d\n", segv_seen);
}

static pthread_mutex_t robust;

static void *die_holding(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&robust);
    return NULL; /* exits with the lock held */
}

static void test_robust(void)
{
    pthread_mutexattr_t at;
    pthread_mutexattr_init(&at);
    pthread_mutexattr_setrobust(&at, PTHREAD_MUTEX_ROBUST);
    pthread_mutex_init(&robust, &at);
    pthread_t t;
    pthread_create(&t, NULL, die_holding, NULL);
    pthread_join(t, NULL);
    int r = pthread_mutex_lock(&robust);
    printf("robust: lock after the owner died: %s\n", r == EOWNERDEAD ? "EOWNERDEAD" : strerror(r));
    if (r == EOWNERDEAD)
        pthread_mutex_consistent(&robust);
    pthread_mutex_unlock(&robust);
}

static void *report_tid(void *arg)
{
    (void)arg;
    return (void *)(long)(syscall(SYS_gettid) != getpid());
}

static void test_ids(void)
{
    pthread_t t;
    void *r;
    pthread_create(&t, NULL, report_tid, NULL);
    pthread_join(t, &r);
    printf("ids: a thread's tid differs from the pid: %ld\n", (long)r);
}

static const char *self;

static void *exec_from_thread(void *arg)
{
    char pid[16];
    snprintf(pid, sizeof(pid), "%ld", (long)arg);
    execl(self, self, "--after-exec", pid, (char *)NULL);
    return NULL;
}

/* execve from a thread that is not the leader: the process keeps its pid. */
static void test_exec_thread(void)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        pthread_t t;
        pthread_create(&t, NULL, exec_from_thread, (void *)(long)getpid());
        for (;;)
            pause(); /* the exec ends this thread */
    }
    int st;
    waitpid(pid, &st, 0);
    printf("exec from a thread: child exited %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
}

static const struct {
    const char *name;
    void (*fn)(void);
} tests[] = {
    {"slices", test_slices},
    {"mutex", test_mutex},
    {"pi_mutex", test_pi_mutex},
    {"condvar", test_condvar},
    {"tls", test_tls},
    {"cancel", test_cancel},
    {"spin", test_spin},
    {"futex_value", test_futex_value},
    {"munmap", test_munmap_race},
    {"robust", test_robust},
    {"ids", test_ids},
    {"exec_thread", test_exec_thread},
};

int main(int argc, char **argv)
{
    self = argv[0];
    if (argc == 3 && strcmp(argv[1], "--after-exec") == 0) {
        printf("after exec from a thread: pid kept %d, one thread %d\n", atol(argv[2]) == getpid(),
               (long)syscall(SYS_gettid) == (long)getpid());
        return 3;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
        if (argc < 2 || strcmp(argv[1], tests[i].name) == 0)
            tests[i].fn();
    return 0;
}
