/*
 * Code written, run, then written over and run again, as a JIT does:
 * functions packed 16 bytes apart in pages that are executable and
 * writable, rewritten with other constants in three rounds, called once
 * per round. Every call must return what was last written: a stale
 * translation of the old bytes would return the old constant. Then the
 * process forks: the child runs the code it inherited, writes over it (a
 * copy-on-write of executable pages) and runs its own; the parent, once
 * the child is gone, must still run its own code, then write over it
 * again (its pages are its alone now: reused, not copied) and run that.
 *
 *   jit [FUNCTIONS]     (default 600: a few pages)
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

static void emit(unsigned char *p, int v)
{
    p[0] = 0xb8; /* mov eax, imm32 */
    memcpy(p + 1, &v, 4);
    p[5] = 0xc3; /* ret */
}

/* Write round's constants into the n functions, then call each; count the right answers. */
static void run_round(unsigned char *buf, int n, int round, bool write, int *right, int *wrong)
{
    for (int i = 0; write && i < n; i++)
        emit(buf + i * 16, round * 100000 + i);
    for (int i = 0; i < n; i++) {
        int got = ((int (*)(void))(buf + i * 16))();
        if (got == round * 100000 + i)
            (*right)++;
        else
            (*wrong)++;
    }
}

/* Write each function and call it at once: the first write to a page copies it. */
static void write_and_call(unsigned char *buf, int n, int round, int *right, int *wrong)
{
    for (int i = 0; i < n; i++) {
        emit(buf + i * 16, round * 100000 + i);
        if (((int (*)(void))(buf + i * 16))() == round * 100000 + i)
            (*right)++;
        else
            (*wrong)++;
    }
}

/* After fork: each process runs its own code, whoever wrote last. */
static int fork_rounds(unsigned char *buf, int n)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0)
        return 1;
    int right = 0, wrong = 0;
    if (pid == 0) {
        run_round(buf, n, 2, false, &right, &wrong); /* inherited */
        write_and_call(buf, n, 7, &right, &wrong);   /* copied on write */
        printf("child after fork: %d right, %d stale\n", right, wrong);
        fflush(stdout);
        _exit(wrong != 0);
    }
    int st;
    waitpid(pid, &st, 0);
    run_round(buf, n, 2, false, &right, &wrong); /* untouched by the child's writes */
    write_and_call(buf, n, 8, &right, &wrong);   /* reused */
    printf("parent after fork: %d right, %d stale\n", right, wrong);
    return wrong != 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0;
}

/*
 * The smallest case: two functions in a fresh page, run by the parent and
 * by the child, which then rewrites one and runs it at once.
 */
static int fork_one_page(void)
{
    unsigned char *page =
        mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (page == MAP_FAILED)
        return 1;
    emit(page, 1);
    emit(page + 64, 2);
    int before = ((int (*)(void))page)() * 10 + ((int (*)(void))(page + 64))();
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        int inherited = ((int (*)(void))page)() * 10 + ((int (*)(void))(page + 64))();
        emit(page, 3);
        int own = ((int (*)(void))page)() * 10 + ((int (*)(void))(page + 64))();
        printf("one page: child ran %d, then %d after rewriting\n", inherited, own);
        fflush(stdout);
        _exit(0);
    }
    int st;
    waitpid(pid, &st, 0);
    int after = ((int (*)(void))page)() * 10 + ((int (*)(void))(page + 64))();
    printf("one page: parent ran %d before the fork, %d after\n", before, after);
    return before != 12 || after != 12 || !WIFEXITED(st) || WEXITSTATUS(st) != 0;
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 600;
    unsigned char *buf = mmap(NULL, (size_t)n * 16 + 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
                              MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (buf == MAP_FAILED)
        return 1;
    int right = 0, wrong = 0;
    for (int round = 0; round < 3; round++)
        run_round(buf, n, round, true, &right, &wrong);
    printf("%d calls returned what was last written, %d returned stale values\n", right, wrong);
    return (wrong != 0) | fork_rounds(buf, n) | fork_one_page();
}
