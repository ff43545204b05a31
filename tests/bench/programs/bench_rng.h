/*
 * The benchmark programs' random numbers: xorshift64, a fixed generator so
 * that their input, and so their output, is the same natively and under
 * every emulator. Each program seeds its own state.
 */
#ifndef BENCH_RNG_H
#define BENCH_RNG_H

#include <stdint.h>

static inline uint64_t bench_rng_next(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *state = x;
}

#endif
