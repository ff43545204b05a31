/*
 * Two processes passing one byte back and forth through two pipes: every
 * round trip is two sleeps, two wake-ups and two switches between address
 * spaces. A benchmark of the scheduler and a check that the byte survives.
 *
 *   pingpong [ROUNDS]     (default 1000)
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    long rounds = argc > 1 ? atol(argv[1]) : 1000;
    int ping[2], pong[2];
    if (pipe(ping) || pipe(pong))
        return 1;
    pid_t pid = fork();
    if (pid == 0) {
        close(ping[1]);
        close(pong[0]);
        unsigned char c;
        while (read(ping[0], &c, 1) == 1) {
            c++;
            if (write(pong[1], &c, 1) != 1)
                return 1;
        }
        return 0;
    }
    close(ping[0]);
    close(pong[1]);
    unsigned char c = 0;
    for (long i = 0; i < rounds; i++) {
        unsigned char sent = c;
        if (write(ping[1], &c, 1) != 1 || read(pong[0], &c, 1) != 1 ||
            c != (unsigned char)(sent + 1))
            return 1;
    }
    close(ping[1]);
    int st;
    waitpid(pid, &st, 0);
    printf("%ld round trips, last byte %u, child status %d\n", rounds, c, WEXITSTATUS(st));
    return 0;
}
