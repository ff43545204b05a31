/*
 * The benchmark harness's launcher: runs one command and writes its user +
 * system CPU time, wall time, peak RSS and exit status to a file, from
 * wait4()'s rusage of that child. A small static program rather than
 * Python itself, because Linux keeps a process's RSS high-water mark across
 * execve: a child forked by the harness's Python would report Python's
 * 20 MiB as its peak.
 *
 *   runstat RESULT_FILE TIMEOUT_S CMD [ARGS...]
 *
 * RESULT_FILE gets "cpu_s wall_s maxrss_kib status" (status as a shell
 * gives it: 128 + the signal for a killed command). A command still running
 * after TIMEOUT_S seconds is killed with SIGKILL.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static pid_t child;

static void on_alarm(int sig)
{
    (void)sig;
    kill(child, SIGKILL);
}

static double seconds(struct timeval tv)
{
    return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

int main(int argc, char **argv)
{
    if (argc < 4 || atoi(argv[2]) <= 0) {
        fprintf(stderr, "usage: runstat RESULT_FILE TIMEOUT_S CMD [ARGS...]\n");
        return 2;
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    child = fork();
    if (child < 0) {
        perror("runstat: fork");
        return 2;
    }
    if (child == 0) {
        execvp(argv[3], argv + 3);
        perror(argv[3]);
        _exit(127);
    }
    signal(SIGALRM, on_alarm);
    alarm((unsigned)atoi(argv[2]));
    int status;
    struct rusage ru;
    while (wait4(child, &status, 0, &ru) < 0) {
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    FILE *out = fopen(argv[1], "w");
    if (!out) {
        perror(argv[1]);
        return 2;
    }
    int st = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    fprintf(out, "%.6f %.6f %ld %d\n", seconds(ru.ru_utime) + seconds(ru.ru_stime),
            (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9, ru.ru_maxrss,
            st);
    return fclose(out) == 0 ? 0 : 2;
}
