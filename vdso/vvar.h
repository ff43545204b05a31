/*
 * The [vvar] page: the time data vmemu keeps for the vDSO, shared by the
 * vDSO's code (vdso/vdso.c, which runs in the guest and reads it) and vmemu
 * (emu/kernel/vdso.c, which writes it). The layout is vmemu's own; only
 * the vDSO reads it.
 *
 * The vDSO's clock source is vmemu's paravirtual clock: cpuid of leaf
 * PVCLOCK_CPUID_LEAF answers the machine clock's monotonic nanoseconds in
 * edx:eax (emu/cpu.c; reading it is a clock query, as a system call is,
 * and it stays deterministic). The vDSO reckons a clock as Linux's does
 * from its TSC: the clock's value at the last update plus the cycles
 * since, times mult, shifted right by shift. vmemu rewrites the page at
 * every tick (every 4 ms of the machine clock), with seq odd while it
 * writes, as Linux's update_vsyscall does.
 */
#ifndef VMEMU_VDSO_VVAR_H
#define VMEMU_VDSO_VVAR_H

#include <stdint.h>

#define VVAR_CLOCKS 12             /* clock ids 0..11 (CLOCK_REALTIME..CLOCK_TAI) */
#define VVAR_TICK_NSEC 4000000u    /* a tick at HZ=250: the coarse clocks' resolution */
#define VVAR_CLOCK_MODE_PVCLOCK 1u /* read the paravirtual clock */
#define VVAR_CLOCK_MODE_NONE 0u    /* no usable clock source: the vDSO makes the system call */
/* A leaf in the hypervisor range (0x4000xxxx) that no hypervisor uses. */
#define PVCLOCK_CPUID_LEAF 0x40000f00u

struct vvar_data {
    uint32_t seq;         /* odd while vmemu rewrites the page: readers retry */
    uint32_t clock_mode;  /* VVAR_CLOCK_MODE_* */
    uint64_t cycle_last;  /* the clock source at the last update */
    uint32_t mult, shift; /* ns = (cycles - cycle_last) * mult >> shift */
    /*
     * Each clock's value at cycle_last, for the ids the vDSO reads; a
     * coarse clock is its precise one rounded down to the tick.
     */
    uint64_t base_ns[VVAR_CLOCKS];
    int32_t tz_minuteswest, tz_dsttime; /* what gettimeofday's timezone says */
    uint32_t hres_ns;                   /* clock_getres of the high-resolution clocks */
    uint32_t coarse_ns;                 /* clock_getres of the coarse ones */
    uint32_t cpu, node;                 /* what getcpu answers: the one CPU that runs every task */
};

#endif
