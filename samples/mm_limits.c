/*
 * The resource limits mm/ enforces, as Linux 6.18 does, with CAP_IPC_LOCK
 * dropped from the effective set (capset) so that RLIMIT_MEMLOCK applies:
 * mlock and mlock2 past it ENOMEM, MAP_LOCKED EAGAIN, mlockall(MCL_FUTURE)
 * then makes any mapping count (EAGAIN), MCL_CURRENT past it ENOMEM, a
 * zero limit EPERM; with the capability back, no limit. RLIMIT_AS: mmap,
 * mremap growth and brk past it ENOMEM (brk leaves the break). RLIMIT_DATA:
 * private writable mappings and brk past it fail, shared or read-only ones
 * do not. Run natively and under vmemu, the output must be the same.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

/* linux/capability.h's, which musl's headers lack. */
#define CAP_VERSION_3 0x20080522
#define CAP_IPC_LOCK_ 14
struct cap_header {
    unsigned int version;
    int pid;
};
struct cap_data {
    unsigned int effective, permitted, inheritable;
};

#define KB 1024UL
#define PG 4096UL

static const char *errname(int e)
{
    switch (e) {
    case EINVAL:
        return "EINVAL";
    case ENOMEM:
        return "ENOMEM";
    case EPERM:
        return "EPERM";
    case EAGAIN:
        return "EAGAIN";
    default:
        return strerror(e);
    }
}

static void result(const char *what, long r)
{
    if (r < 0)
        printf("%s: -1 %s\n", what, errname(errno));
    else
        printf("%s: %ld\n", what, r);
}

static void mapped(const char *what, void *p)
{
    printf("%s: %s\n", what, p == MAP_FAILED ? errname(errno) : "mapped");
}

/* Raise or lower CAP_IPC_LOCK in the effective set (the permitted set keeps it). */
static int ipc_lock(int on)
{
    struct cap_header h = {CAP_VERSION_3, 0};
    struct cap_data d[2];
    if (syscall(SYS_capget, &h, d) != 0)
        return -1;
    if (on)
        d[0].effective |= 1U << CAP_IPC_LOCK_;
    else
        d[0].effective &= ~(1U << CAP_IPC_LOCK_);
    return (int)syscall(SYS_capset, &h, d);
}

static void set_limit(int which, rlim_t soft)
{
    struct rlimit r;
    getrlimit(which, &r);
    r.rlim_cur = soft;
    if (setrlimit(which, &r) != 0)
        printf("setrlimit: %s\n", errname(errno));
}

static long status_kb(const char *field)
{
    char line[256];
    long kb = -1;
    FILE *f = fopen("/proc/self/status", "r");
    while (f && fgets(line, sizeof(line), f))
        if (!strncmp(line, field, strlen(field)) && sscanf(line + strlen(field), "%ld", &kb) == 1)
            break;
    if (f)
        fclose(f);
    return kb;
}

static void memlock(void)
{
    result("drop CAP_IPC_LOCK", ipc_lock(0));
    set_limit(RLIMIT_MEMLOCK, 64 * KB);
    char *p = mmap(NULL, 64 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    result("mlock 32 KiB", mlock(p, 32 * KB));
    result("mlock 32 KiB more", mlock(p + 32 * KB, 32 * KB));
    result("mlock 4 KiB more", mlock(p + 64 * KB, 4 * KB));
    result("mlock2 ONFAULT 4 KiB more", syscall(SYS_mlock2, p + 64 * KB, 4 * KB, 1));
    result("mlock what is locked already", mlock(p, 64 * KB));
    printf("VmLck: %ld kB\n", status_kb("VmLck:"));
    mapped("MAP_LOCKED 8 KiB",
           mmap(NULL, 8 * KB, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_LOCKED, -1, 0));
    result("munlock all of it", munlock(p, 64 * PG));
    mapped("MAP_LOCKED 8 KiB now",
           mmap(NULL, 8 * KB, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_LOCKED, -1, 0));
    result("mlockall(MCL_CURRENT)", mlockall(MCL_CURRENT));
    result("mlockall(MCL_FUTURE)", mlockall(MCL_FUTURE));
    mapped("then mmap 128 KiB",
           mmap(NULL, 128 * KB, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    mapped("then mmap 8 KiB",
           mmap(NULL, 8 * KB, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0));
    result("munlockall", munlockall());
    set_limit(RLIMIT_MEMLOCK, 0);
    result("mlock with a zero limit", mlock(p, PG));
    result("raise CAP_IPC_LOCK", ipc_lock(1));
    result("mlock 128 KiB with it", mlock(p, 32 * PG));
    result("munlock", munlock(p, 32 * PG));
    munmap(p, 64 * PG);
}

static void address_space(void)
{
    struct rlimit saved;
    getrlimit(RLIMIT_AS, &saved);
    long vm = status_kb("VmSize:");
    set_limit(RLIMIT_AS, (rlim_t)(vm + 1024) * KB);
    mapped("RLIMIT_AS: mmap 512 KiB",
           mmap(NULL, 512 * KB, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    mapped("RLIMIT_AS: mmap 1 MiB more",
           mmap(NULL, 1024 * KB, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    char *q = mmap(NULL, 256 * KB, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    mapped("RLIMIT_AS: mmap 256 KiB", q);
    mapped("RLIMIT_AS: mremap it to 1 MiB", mremap(q, 256 * KB, 1024 * KB, MREMAP_MAYMOVE));
    void *brk0 = sbrk(0);
    printf("RLIMIT_AS: sbrk 2 MiB: %s\n", sbrk(2048 * KB) == (void *)-1 ? errname(errno) : "grew");
    printf("the break stayed: %s\n", sbrk(0) == brk0 ? "yes" : "no");
    setrlimit(RLIMIT_AS, &saved);
}

static void data(void)
{
    long data_kb = status_kb("VmData:");
    set_limit(RLIMIT_DATA, (rlim_t)(data_kb + 256) * KB);
    mapped("RLIMIT_DATA: private writable 512 KiB",
           mmap(NULL, 512 * KB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    mapped("RLIMIT_DATA: private read-only 512 KiB",
           mmap(NULL, 512 * KB, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    mapped("RLIMIT_DATA: shared writable 512 KiB",
           mmap(NULL, 512 * KB, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0));
    void *brk0 = sbrk(0);
    printf("RLIMIT_DATA: sbrk 512 KiB: %s\n",
           sbrk(512 * KB) == (void *)-1 ? errname(errno) : "grew");
    printf("the break stayed: %s\n", sbrk(0) == brk0 ? "yes" : "no");
}

int main(void)
{
    memlock();
    address_space();
    data();
    return 0;
}
