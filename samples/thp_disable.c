/*
 * PR_SET_THP_DISABLE and PR_GET_THP_DISABLE (3.15; the EXCEPT_ADVISED
 * flag 6.18): the setting, its errors, the THP_enabled line of
 * /proc/self/status (0 only while huge pages are disabled completely),
 * and its inheritance by a forked child and across execve. No VmFlags
 * letter shows it (Linux 6.18 prints none). Run natively and under vmemu,
 * the output must be the same.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#define THP_EXCEPT_ADVISED (1UL << 1)

static void result(const char *what, int r)
{
    if (r < 0)
        printf("%s: %s\n", what, errno == EINVAL ? "EINVAL" : strerror(errno));
    else
        printf("%s: %d\n", what, r);
}

static int get(void)
{
    return prctl(PR_GET_THP_DISABLE, 0, 0, 0, 0);
}

/* The THP_enabled line of status, or "none". */
static void status_line(const char *what)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256], found[64] = "none";
    while (f && fgets(line, sizeof(line), f))
        if (strncmp(line, "THP_enabled:", 12) == 0)
            snprintf(found, sizeof(found), "%s", line + 12 + strspn(line + 12, " \t"));
    if (f)
        fclose(f);
    found[strcspn(found, "\n")] = 0;
    printf("%s: get %d, THP_enabled %s\n", what, get(), found);
}

int main(int argc, char **argv)
{
    if (argc > 1) { /* the program again, after execve */
        status_line("after execve");
        return 0;
    }
    status_line("at start");
    result("get with an argument", prctl(PR_GET_THP_DISABLE, 1, 0, 0, 0));
    result("get with arg5", prctl(PR_GET_THP_DISABLE, 0, 0, 0, 1));
    result("set 0 with a flag", prctl(PR_SET_THP_DISABLE, 0, THP_EXCEPT_ADVISED, 0, 0));
    result("set 1 with an unknown flag", prctl(PR_SET_THP_DISABLE, 1, 4, 0, 0));
    result("set 1 with arg4", prctl(PR_SET_THP_DISABLE, 1, 0, 1, 0));
    result("set 1 with arg5", prctl(PR_SET_THP_DISABLE, 1, 0, 0, 1));
    result("set 1 except advised", prctl(PR_SET_THP_DISABLE, 1, THP_EXCEPT_ADVISED, 0, 0));
    status_line("except advised");
    result("set 7", prctl(PR_SET_THP_DISABLE, 7, 0, 0, 0));
    status_line("disabled");
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        status_line("forked child");
        fflush(stdout);
        execl("/proc/self/exe", argv[0], "again", (char *)NULL);
        _exit(1);
    }
    waitpid(pid, NULL, 0);
    result("set 0", prctl(PR_SET_THP_DISABLE, 0, 0, 0, 0));
    status_line("cleared");
    return 0;
}
