/*
 * User and group ids by Linux's rules: what getres*id report, what an
 * unprivileged set*id may and may not do, and, when the program runs as
 * root, a child that moves its ids around and drops root for good.
 * /proc/self/status shows the same ids. Run natively and under vmemu,
 * the output must be the same (as root or not).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/wait.h>
#include <unistd.h>

static void show(const char *when)
{
    uid_t r, e, s;
    gid_t gr, ge, gs;
    getresuid(&r, &e, &s);
    getresgid(&gr, &ge, &gs);
    printf("%s: uid %u %u %u gid %u %u %u", when, r, e, s, gr, ge, gs);
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    while (f && fgets(line, sizeof(line), f))
        if (!strncmp(line, "Uid:", 4) || !strncmp(line, "Gid:", 4))
            printf(" | %.*s", (int)strcspn(line, "\n"), line);
    if (f)
        fclose(f);
    printf("\n");
}

static void try(const char *what, int r)
{
    if (r)
        printf("%s = %d errno %d\n", what, r, errno);
    else
        printf("%s = 0\n", what);
}

int main(void)
{
    show("start");
    try("setresuid(-1, uid, -1)", setresuid(-1, getuid(), -1));
    if (geteuid() != 0) {
        try("setuid(12345)", setuid(12345));
        try("setgroups(0)", setgroups(0, NULL));
        return 0;
    }
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        gid_t groups[] = {7, 8};
        try("setgroups(7, 8)", setgroups(2, groups));
        printf("getgroups: %d\n", getgroups(0, NULL));
        try("setresgid(1, 2, 3)", setresgid(1, 2, 3));
        try("setresuid(4, 5, 6)", setresuid(4, 5, 6));
        show("after setres");
        try("setuid(7)", setuid(7));
        try("setuid(6)", setuid(6));
        show("after setuid(6)");
        try("setreuid(-1, 4)", setreuid(-1, 4));
        show("after setreuid");
        try("setresuid(0, 0, 0)", setresuid(0, 0, 0));
        printf("setfsuid(9) was %d, then %d\n", setfsuid(9), setfsuid(-1));
        fflush(stdout);
        _exit(0);
    }
    int st;
    waitpid(pid, &st, 0);
    show("parent after the child");
    return WEXITSTATUS(st);
}
