/*
 * The clocks through the vDSO, as a C library reaches them: clock_gettime,
 * gettimeofday, time, clock_getres and getcpu, which glibc and musl call
 * in the vDSO at AT_SYSINFO_EHDR instead of making the system call. With
 * no argument it prints verdicts that are the same natively and under
 * vmemu (samples.sh compares them): the vDSO is an ELF image exporting
 * Linux's __vdso_* symbols under version LINUX_2.6, every clock moves
 * forward across vDSO and system-call reads alike, the coarse clocks lag
 * the precise ones, bad clock ids fail as the system call fails.
 *
 * With "raw" it prints the values themselves, one read per line, for a
 * test that knows vmemu's virtual clock (tests/integration/vdso.sh):
 *   vdso|syscall CLOCK NANOSECONDS
 */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static const char *yes(int b)
{
    return b ? "yes" : "no";
}

static uint64_t ns_of(struct timespec ts)
{
    return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static uint64_t libc_ns(clockid_t clk)
{
    struct timespec ts = {0, 0};
    clock_gettime(clk, &ts);
    return ns_of(ts);
}

static uint64_t syscall_ns(clockid_t clk)
{
    struct timespec ts = {0, 0};
    syscall(SYS_clock_gettime, clk, &ts);
    return ns_of(ts);
}

/* The vDSO's dynamic symbol name with version LINUX_2.6, looked up as a C library would. */
static int vdso_exports(const Elf64_Ehdr *eh, const char *name)
{
    const Elf64_Phdr *ph = (const void *)((const char *)eh + eh->e_phoff);
    uintptr_t base = 0;
    const Elf64_Dyn *dyn = NULL;
    for (int i = 0; i < eh->e_phnum; i++) {
        if (ph[i].p_type == PT_LOAD && !base)
            base = (uintptr_t)eh + ph[i].p_offset - ph[i].p_vaddr;
        else if (ph[i].p_type == PT_DYNAMIC)
            dyn = (const void *)((const char *)eh + ph[i].p_offset);
    }
    if (!dyn || !base)
        return 0;
    const Elf64_Sym *sym = NULL;
    const char *str = NULL;
    const uint32_t *hash = NULL;
    const Elf64_Verdef *def = NULL;
    const uint16_t *versym = NULL;
    for (; dyn->d_tag != DT_NULL; dyn++) {
        const void *p = (const void *)(base + dyn->d_un.d_ptr);
        if (dyn->d_tag == DT_SYMTAB)
            sym = p;
        else if (dyn->d_tag == DT_STRTAB)
            str = p;
        else if (dyn->d_tag == DT_HASH)
            hash = p;
        else if (dyn->d_tag == DT_VERDEF)
            def = p;
        else if (dyn->d_tag == DT_VERSYM)
            versym = p;
    }
    if (!sym || !str || !hash || !def || !versym)
        return 0;
    for (uint32_t i = 0; i < hash[1]; i++) {
        if (strcmp(str + sym[i].st_name, name) != 0 || sym[i].st_shndx == SHN_UNDEF)
            continue;
        for (const Elf64_Verdef *d = def;; d = (const void *)((const char *)d + d->vd_next)) {
            const Elf64_Verdaux *aux = (const void *)((const char *)d + d->vd_aux);
            if (d->vd_ndx == (versym[i] & 0x7fff))
                return strcmp(str + aux->vda_name, "LINUX_2.6") == 0;
            if (!d->vd_next)
                break;
        }
    }
    return 0;
}

static void raw(void)
{
    printf("vdso REALTIME %llu\n", (unsigned long long)libc_ns(CLOCK_REALTIME));
    printf("syscall REALTIME %llu\n", (unsigned long long)syscall_ns(CLOCK_REALTIME));
    printf("vdso REALTIME %llu\n", (unsigned long long)libc_ns(CLOCK_REALTIME));
    printf("vdso MONOTONIC %llu\n", (unsigned long long)libc_ns(CLOCK_MONOTONIC));
    printf("syscall MONOTONIC %llu\n", (unsigned long long)syscall_ns(CLOCK_MONOTONIC));
    printf("vdso BOOTTIME %llu\n", (unsigned long long)libc_ns(CLOCK_BOOTTIME));
    printf("vdso MONOTONIC_COARSE %llu\n", (unsigned long long)libc_ns(CLOCK_MONOTONIC_COARSE));
    struct timeval tv;
    gettimeofday(&tv, NULL);
    printf("vdso gettimeofday %llu\n",
           (unsigned long long)tv.tv_sec * 1000000000ULL + (unsigned long long)tv.tv_usec * 1000);
    printf("vdso time %llu\n", (unsigned long long)time(NULL) * 1000000000ULL);
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "raw") == 0) {
        raw();
        return 0;
    }
    const Elf64_Ehdr *eh = (const void *)getauxval(AT_SYSINFO_EHDR);
    printf("AT_SYSINFO_EHDR is an ELF image: %s\n",
           yes(eh && memcmp(eh->e_ident, ELFMAG, SELFMAG) == 0 && eh->e_type == ET_DYN));
    static const char *const names[] = {"__vdso_clock_gettime", "__vdso_gettimeofday",
                                        "__vdso_time", "__vdso_getcpu", "__vdso_clock_getres"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        printf("vDSO exports %s@LINUX_2.6: %s\n", names[i], yes(eh && vdso_exports(eh, names[i])));

    static const struct {
        clockid_t id;
        const char *name;
    } clocks[] = {{CLOCK_REALTIME, "REALTIME"},
                  {CLOCK_MONOTONIC, "MONOTONIC"},
                  {CLOCK_MONOTONIC_RAW, "MONOTONIC_RAW"},
                  {CLOCK_BOOTTIME, "BOOTTIME"},
                  {CLOCK_TAI, "TAI"},
                  {CLOCK_REALTIME_COARSE, "REALTIME_COARSE"},
                  {CLOCK_MONOTONIC_COARSE, "MONOTONIC_COARSE"}};
    for (size_t i = 0; i < sizeof(clocks) / sizeof(clocks[0]); i++) {
        uint64_t a = libc_ns(clocks[i].id), b = syscall_ns(clocks[i].id);
        uint64_t c = libc_ns(clocks[i].id);
        printf("%s: vDSO and system call move forward together: %s\n", clocks[i].name,
               yes(a <= b && b <= c));
    }
    uint64_t coarse = libc_ns(CLOCK_MONOTONIC_COARSE), precise = libc_ns(CLOCK_MONOTONIC);
    printf("MONOTONIC_COARSE is not ahead of MONOTONIC: %s\n", yes(coarse <= precise));
    struct timespec res = {-1, -1}, cres = {-1, -1};
    int r = clock_getres(CLOCK_MONOTONIC, &res);
    printf("clock_getres MONOTONIC: %d, at most 1 us: %s\n", r,
           yes(res.tv_sec == 0 && res.tv_nsec > 0 && res.tv_nsec <= 1000));
    clock_getres(CLOCK_MONOTONIC_COARSE, &cres);
    printf("clock_getres MONOTONIC_COARSE: coarser: %s\n",
           yes(cres.tv_sec == 0 && cres.tv_nsec > res.tv_nsec));
    struct timespec ts;
    errno = 0;
    r = clock_gettime((clockid_t)100, &ts);
    printf("clock_gettime of clock 100: %d %s\n", r, errno == EINVAL ? "EINVAL" : strerror(errno));
    uint64_t cpu0 = libc_ns(CLOCK_PROCESS_CPUTIME_ID), cpu1 = libc_ns(CLOCK_PROCESS_CPUTIME_ID);
    printf("CLOCK_PROCESS_CPUTIME_ID moves forward: %s\n", yes(cpu0 <= cpu1));

    struct timeval tv1, tv2;
    gettimeofday(&tv1, NULL);
    time_t t = time(NULL);
    gettimeofday(&tv2, NULL);
    /*
     * time() reads the coarse clock (Linux's xtime, updated each tick), so
     * natively it may lag gettimeofday by a tick, across a second boundary.
     */
    printf("time() lies between two gettimeofday() calls, give or take a tick: %s\n",
           yes(t >= tv1.tv_sec - 1 && t <= tv2.tv_sec));
    int cpu = sched_getcpu();
    printf("sched_getcpu: a valid CPU: %s\n", yes(cpu >= 0 && cpu < sysconf(_SC_NPROCESSORS_CONF)));
    return 0;
}
