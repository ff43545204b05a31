/*
 * process_mrelease frees a killed process's anonymous memory before it
 * exits (Linux's mm/oom_kill.c: __oom_reap_task_mm on the victim's mm).
 * A child writes 64 pages and waits; the parent kills it with SIGKILL and
 * releases its memory at once, then reads the child's RssAnon. Under
 * vmemu the child cannot run between the kill and the read (the parent
 * does not block), so the read always sees the released mm: 0 kB, where
 * a native run races with the child's own exit (it may find no RssAnon
 * line at all). tests/integration/mrelease.sh runs it under vmemu only.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef SYS_process_mrelease
#define SYS_process_mrelease 448
#endif
#define PAGES 64

/* The child's RssAnon in kB, or -1 when status has no such line. */
static long rss_anon(pid_t pid)
{
    char path[64], line[256];
    long kb = -1;
    snprintf(path, sizeof(path), "/proc/%d/status", pid);
    FILE *f = fopen(path, "r");
    while (f && fgets(line, sizeof(line), f))
        if (strncmp(line, "RssAnon:", 8) == 0)
            kb = strtol(line + 8, NULL, 10);
    if (f)
        fclose(f);
    return kb;
}

int main(void)
{
    int ready[2];
    char c = 0;
    if (pipe(ready))
        return 1;
    pid_t pid = fork();
    if (pid == 0) {
        char *p =
            mmap(NULL, PAGES * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        for (int i = 0; i < PAGES; i++)
            p[i * 4096] = 1;
        if (write(ready[1], &c, 1) != 1)
            _exit(1);
        pause();
        _exit(0);
    }
    if (read(ready[0], &c, 1) != 1)
        return 1;
    int fd = (int)syscall(SYS_pidfd_open, pid, 0);
    printf("before the kill: RssAnon at least %d kB: %d\n", PAGES * 4, rss_anon(pid) >= PAGES * 4);
    kill(pid, SIGKILL);
    long r = syscall(SYS_process_mrelease, fd, 0);
    printf("process_mrelease: %ld\n", r);
    printf("after it: RssAnon %ld kB\n", rss_anon(pid));
    int status;
    waitpid(pid, &status, 0);
    printf("the child died of signal %d\n", WIFSIGNALED(status) ? WTERMSIG(status) : 0);
    return 0;
}
