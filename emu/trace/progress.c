/*
 * The --progress status line (progress.h). The snapshot is the only thing
 * the two threads share, under a mutex; the printing thread never looks at
 * guest state.
 */
#define _GNU_SOURCE
#include "emu/trace/progress.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "emu/kernel/sched.h"
#include "emu/kernel/task.h"
#include "mm/vmstat.h"

#define PUBLISH_NS 100000000ULL /* a snapshot at most every 100 ms of host time */
#define REFRESH_US 250000       /* the line is redrawn every 250 ms */

bool progress_on;

struct snapshot {
    uint64_t vtime_ns, blocks;
    unsigned long faults, syscalls, rss_pages;
    int processes;
    bool valid;
};

static pthread_t printer;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static struct snapshot shared;
static bool stopping;
static unsigned long syscalls;
static uint64_t next_publish, started;

static uint64_t host_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* "12.3M", "45.6k", "789": short enough for one line. */
static void human(char *buf, size_t len, double v)
{
    if (v >= 1e9)
        snprintf(buf, len, "%.1fG", v / 1e9);
    else if (v >= 1e6)
        snprintf(buf, len, "%.1fM", v / 1e6);
    else if (v >= 1e4)
        snprintf(buf, len, "%.1fk", v / 1e3);
    else
        snprintf(buf, len, "%.0f", v);
}

static void draw(const struct snapshot *s)
{
    char blocks[32] = "", faults[16], calls[16];
    if (s->blocks) {
        human(blocks, sizeof(blocks) - 10, (double)s->blocks);
        strcat(blocks, " blocks, ");
    }
    human(faults, sizeof(faults), (double)s->faults);
    human(calls, sizeof(calls), (double)s->syscalls);
    fprintf(stderr,
            "\r\033[Kvmemu: %.3f s virtual, %s%s fault%s, %s syscall%s, RSS %.1f MiB, %d "
            "process%s, %.1f s",
            (double)s->vtime_ns / 1e9, blocks, faults, s->faults == 1 ? "" : "s", calls,
            s->syscalls == 1 ? "" : "s", (double)s->rss_pages * 4096 / (1 << 20), s->processes,
            s->processes == 1 ? "" : "es", (double)(host_now() - started) / 1e9);
    fflush(stderr);
}

static void *printer_main(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&lock);
    while (!stopping) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += REFRESH_US * 1000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&wake, &lock, &until);
        if (!stopping && shared.valid)
            draw(&shared);
    }
    pthread_mutex_unlock(&lock);
    return NULL;
}

void progress_start(void)
{
    if (!isatty(STDERR_FILENO))
        return;
    stopping = false;
    syscalls = 0;
    memset(&shared, 0, sizeof(shared));
    started = host_now();
    next_publish = 0;
    progress_on = pthread_create(&printer, NULL, printer_main, NULL) == 0;
}

void progress_stop(void)
{
    if (!progress_on)
        return;
    pthread_mutex_lock(&lock);
    stopping = true;
    pthread_cond_signal(&wake);
    pthread_mutex_unlock(&lock);
    pthread_join(printer, NULL);
    progress_on = false;
    fputs("\r\033[K", stderr);
    fflush(stderr);
}

void progress_publish(bool syscall)
{
    syscalls += syscall;
    uint64_t now = host_now();
    if (now < next_publish)
        return;
    next_publish = now + PUBLISH_NS;
    struct snapshot s = {.vtime_ns = ktime_get_ns(), .blocks = sched_blocks_run(), .valid = true};
    struct vm_counts c;
    vm_counts_collect(&c);
    s.faults = c.events[PGFAULT];
    s.syscalls = syscalls;
    for (struct task *t = next_task(NULL); t; t = next_task(t)) {
        if (!thread_group_leader(t) || t->state == TASK_DEAD)
            continue;
        if (t->state != TASK_ZOMBIE)
            s.processes++;
        if (t->mm)
            s.rss_pages += get_mm_rss(t->mm);
    }
    pthread_mutex_lock(&lock);
    shared = s;
    pthread_mutex_unlock(&lock);
}
