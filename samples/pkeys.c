/*
 * Memory protection keys on a CPU without PKU (vmemu's CPU model, and this
 * project's host): the calls exist and answer as x86 Linux does there
 * (mm/pkeys.c). Argument checks come first (EINVAL); the first valid
 * pkey_alloc is EINVAL and takes the only key for good, so later ones are
 * ENOSPC; no key may be freed or given to pkey_mprotect, whose -1 is plain
 * mprotect; a forked child inherits what its parent took, and a child
 * forked before any pkey_alloc starts with nothing taken. Each line is compared
 * with the native run (tests/integration/samples.sh).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define P 4096UL

static void show(const char *what, long r)
{
    printf("%-40s = %ld%s%s\n", what, r, r < 0 ? " " : "", r < 0 ? strerror(errno) : "");
}

static long pkey_alloc_(unsigned long flags, unsigned long rights)
{
    return syscall(SYS_pkey_alloc, flags, rights);
}

static long pkey_mprotect_(void *p, unsigned long len, unsigned long prot, long key)
{
    return syscall(SYS_pkey_mprotect, p, len, prot, key);
}

static sigjmp_buf jump;

static void on_segv(int sig)
{
    siglongjmp(jump, sig);
}

static const char *try_write(volatile char *p)
{
    if (sigsetjmp(jump, 1))
        return "SIGSEGV";
    *p = 1;
    return "ok";
}

/* smaps shows ProtectionKey only when the CPU has keys. */
static int protection_key_lines(void)
{
    FILE *f = fopen("/proc/self/smaps", "r");
    char line[256];
    int n = 0;
    while (f && fgets(line, sizeof(line), f))
        n += !strncmp(line, "ProtectionKey:", 14);
    if (f)
        fclose(f);
    return n;
}

/* A child forked now: its first pkey_alloc, and the next. */
static void child_allocs(const char *when)
{
    fflush(stdout);
    pid_t child = fork();
    if (child == 0) {
        char what[64];
        snprintf(what, sizeof(what), "child forked %s: pkey_alloc", when);
        show(what, pkey_alloc_(0, 0));
        show("child: pkey_alloc again", pkey_alloc_(0, 0));
        fflush(stdout);
        _exit(0);
    }
    int status;
    waitpid(child, &status, 0);
}

int main(void)
{
    signal(SIGSEGV, on_segv);
    char *p = mmap(NULL, 2 * P, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return 1;
    child_allocs("before any alloc");
    show("pkey_mprotect(key 0) before any alloc", pkey_mprotect_(p, P, PROT_READ, 0));
    show("pkey_free(0) before any alloc", syscall(SYS_pkey_free, 0));
    show("pkey_alloc(flags 1)", pkey_alloc_(1, 0));
    show("pkey_alloc(rights 4)", pkey_alloc_(0, 4));
    show("pkey_alloc(rights PKEY_DISABLE_WRITE)", pkey_alloc_(0, 2));
    show("pkey_alloc again", pkey_alloc_(0, 0));
    show("pkey_alloc once more", pkey_alloc_(0, 1));
    show("pkey_free(0)", syscall(SYS_pkey_free, 0));
    show("pkey_free(1)", syscall(SYS_pkey_free, 1));
    show("pkey_free(-1)", syscall(SYS_pkey_free, -1));
    show("pkey_mprotect(key 0)", pkey_mprotect_(p, P, PROT_READ, 0));
    show("pkey_mprotect(key 15)", pkey_mprotect_(p, P, PROT_READ, 15));
    show("pkey_mprotect(key -2)", pkey_mprotect_(p, P, PROT_READ, -2));
    show("pkey_mprotect(key 1, unaligned)", pkey_mprotect_(p + 1, P, PROT_READ, 1));
    show("pkey_mprotect(key 1, length 0)", pkey_mprotect_(p, 0, PROT_READ, 1));
    show("pkey_mprotect(key 1, bad prot)", pkey_mprotect_(p, P, 0x100, 1));
    show("pkey_mprotect(key 1, hole)", pkey_mprotect_((char *)0x10000, P, PROT_READ, 1));
    printf("write after a refused pkey_mprotect: %s\n", try_write(p));
    show("pkey_mprotect(key -1, PROT_READ)", pkey_mprotect_(p, P, PROT_READ, -1));
    printf("write after pkey_mprotect(-1, PROT_READ): %s\n", try_write(p));
    show("pkey_mprotect(key -1, hole)", pkey_mprotect_((char *)0x10000, P, PROT_READ, -1));
    printf("ProtectionKey lines in smaps: %d\n", protection_key_lines());
    child_allocs("after");
    show("parent: pkey_alloc after the child's", pkey_alloc_(0, 0));
    return 0;
}
