/*
 * vmemu's vDSO: the code every guest program finds at AT_SYSINFO_EHDR, as
 * Linux's x86-64 vDSO offers it: __vdso_clock_gettime, __vdso_gettimeofday,
 * __vdso_time, __vdso_clock_getres and __vdso_getcpu (version LINUX_2.6),
 * with the usual weak aliases. It runs in the guest: no libc, no data of
 * its own, no relocations. Time comes from the [vvar] page (vdso/vvar.h),
 * which lies 6 pages below the vDSO's first byte ([vvar] 4 pages, then
 * [vvar_vclock] 2), and from vmemu's paravirtual clock (a cpuid leaf that
 * answers the machine clock's nanoseconds); what the page cannot answer (the CPU-time
 * clocks, a bad clock id, a bad pointer) goes to the system call, as in
 * Linux.
 *
 * Built at vmemu's build time into an ELF shared object (vdso.lds,
 * vdso.map) and embedded in the vmemu binary: nothing is read from disk.
 */
#include <stddef.h>
#include <stdint.h>

#include "vvar.h"

#define CLOCK_REALTIME 0
#define CLOCK_MONOTONIC 1
#define CLOCK_MONOTONIC_RAW 4
#define CLOCK_REALTIME_COARSE 5
#define CLOCK_MONOTONIC_COARSE 6
#define CLOCK_BOOTTIME 7
#define CLOCK_TAI 11
#define NSEC_PER_SEC 1000000000ULL
#define NR_gettimeofday 96
#define NR_time 201
#define NR_clock_gettime 228
#define NR_clock_getres 229
#define NR_getcpu 309

struct vdso_timespec {
    int64_t tv_sec, tv_nsec;
};
struct vdso_timeval {
    int64_t tv_sec, tv_usec;
};
struct vdso_timezone {
    int32_t tz_minuteswest, tz_dsttime;
};

/* Defined by vdso.lds, 6 pages below the image: hidden, so it is reached RIP-relative. */
extern const volatile struct vvar_data vvar_page __attribute__((visibility("hidden")));

static long syscall2(long nr, long a, long b)
{
    long ret;
    __asm__ volatile("syscall" : "=a"(ret) : "a"(nr), "D"(a), "S"(b) : "rcx", "r11", "memory");
    return ret;
}

/* The clock source: vmemu's paravirtual clock, in place of a TSC. */
static uint64_t read_cycles(void)
{
    uint32_t lo, hi, b, c;
    __asm__ volatile("cpuid"
                     : "=a"(lo), "=b"(b), "=c"(c), "=d"(hi)
                     : "a"(PVCLOCK_CPUID_LEAF), "c"(0)
                     : "memory");
    return ((uint64_t)hi << 32) | lo;
}

static int is_coarse(int clk)
{
    return clk == CLOCK_REALTIME_COARSE || clk == CLOCK_MONOTONIC_COARSE;
}

/* The precise clock a coarse one follows. */
static int precise_of(int clk)
{
    return clk == CLOCK_REALTIME_COARSE    ? CLOCK_REALTIME
           : clk == CLOCK_MONOTONIC_COARSE ? CLOCK_MONOTONIC
                                           : clk;
}

/* The clocks the page answers for; the others go to the system call. */
static int from_page(int clk)
{
    return clk == CLOCK_REALTIME || clk == CLOCK_MONOTONIC || clk == CLOCK_MONOTONIC_RAW ||
           clk == CLOCK_BOOTTIME || clk == CLOCK_TAI || is_coarse(clk);
}

/*
 * A clock in nanoseconds, read as Linux's do_hres reads it: a consistent
 * snapshot (seq even and unchanged around the read) of the base, plus the
 * clock source's cycles since it. 0 when the page says there is no clock
 * source to read.
 */
static int read_clock(int clk, uint64_t *ns)
{
    const volatile struct vvar_data *vd = &vvar_page;
    int base = precise_of(clk);
    uint32_t seq;
    do {
        seq = vd->seq;
        __asm__ volatile("" ::: "memory");
        if (vd->clock_mode != VVAR_CLOCK_MODE_PVCLOCK)
            return 0;
        uint64_t cycles = read_cycles();
        *ns = vd->base_ns[base] + (((cycles - vd->cycle_last) * vd->mult) >> vd->shift);
        __asm__ volatile("" ::: "memory");
    } while ((seq & 1) || seq != vd->seq);
    if (is_coarse(clk))
        *ns -= *ns % VVAR_TICK_NSEC;
    return 1;
}

int __vdso_clock_gettime(int clk, struct vdso_timespec *ts)
{
    uint64_t ns;
    if (clk < 0 || clk >= VVAR_CLOCKS || !from_page(clk) || !read_clock(clk, &ns))
        return (int)syscall2(NR_clock_gettime, clk, (long)ts);
    ts->tv_sec = (int64_t)(ns / NSEC_PER_SEC);
    ts->tv_nsec = (int64_t)(ns % NSEC_PER_SEC);
    return 0;
}

int __vdso_gettimeofday(struct vdso_timeval *tv, struct vdso_timezone *tz)
{
    uint64_t ns;
    if (!read_clock(CLOCK_REALTIME, &ns))
        return (int)syscall2(NR_gettimeofday, (long)tv, (long)tz);
    if (tv) {
        tv->tv_sec = (int64_t)(ns / NSEC_PER_SEC);
        tv->tv_usec = (int64_t)(ns % NSEC_PER_SEC / 1000);
    }
    if (tz) {
        tz->tz_minuteswest = vvar_page.tz_minuteswest;
        tz->tz_dsttime = vvar_page.tz_dsttime;
    }
    return 0;
}

int64_t __vdso_time(int64_t *t)
{
    uint64_t ns;
    if (!read_clock(CLOCK_REALTIME, &ns))
        return syscall2(NR_time, (long)t, 0);
    int64_t s = (int64_t)(ns / NSEC_PER_SEC);
    if (t)
        *t = s;
    return s;
}

int __vdso_clock_getres(int clk, struct vdso_timespec *res)
{
    if (clk < 0 || clk >= VVAR_CLOCKS || !from_page(clk) ||
        vvar_page.clock_mode != VVAR_CLOCK_MODE_PVCLOCK)
        return (int)syscall2(NR_clock_getres, clk, (long)res);
    if (res) {
        res->tv_sec = 0;
        res->tv_nsec = is_coarse(clk) ? vvar_page.coarse_ns : vvar_page.hres_ns;
    }
    return 0;
}

long __vdso_getcpu(unsigned int *cpu, unsigned int *node, void *unused)
{
    (void)unused;
    if (cpu)
        *cpu = vvar_page.cpu;
    if (node)
        *node = vvar_page.node;
    return 0;
}

int clock_gettime(int, struct vdso_timespec *) __attribute__((weak, alias("__vdso_clock_gettime")));
int gettimeofday(struct vdso_timeval *, struct vdso_timezone *)
    __attribute__((weak, alias("__vdso_gettimeofday")));
int64_t time(int64_t *) __attribute__((weak, alias("__vdso_time")));
int clock_getres(int, struct vdso_timespec *) __attribute__((weak, alias("__vdso_clock_getres")));
long getcpu(unsigned int *, unsigned int *, void *) __attribute__((weak, alias("__vdso_getcpu")));
