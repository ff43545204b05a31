/*
 * CPU-bound work with almost no page faults: a byte-mixing loop over a
 * 64 KiB buffer. The benchmark compares vmemu's speed on it with native and
 * qemu-x86_64; the checksum it prints is the same everywhere.
 * Usage: crunch [ROUNDS] (default 64).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define SIZE 65536

static unsigned char buf[SIZE];

int main(int argc, char **argv)
{
    long rounds = argc > 1 ? atol(argv[1]) : 64;
    uint32_t h = 2166136261u;
    for (int i = 0; i < SIZE; i++)
        buf[i] = (unsigned char)(i * 131 + 7);
    for (long r = 0; r < rounds; r++) {
        for (int i = 0; i < SIZE; i++) {
            h = (h ^ buf[i]) * 16777619u;
            buf[i] = (unsigned char)(h >> (r & 15));
        }
    }
    printf("crunch: %ld rounds, checksum %08x\n", rounds, h);
    return 0;
}
