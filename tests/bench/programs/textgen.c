/*
 * Writes LINES lines of generated text to stdout for tests/bench's busybox
 * awk, sort and grep runs: "word word number" from a fixed generator, so
 * the file, and what the tools print about it, is the same every time.
 *
 *   textgen [LINES]   (default 200000)
 */
#include "bench_rng.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static uint64_t rng = 0x452821e638d01377ULL;

static uint64_t next(void)
{
    return bench_rng_next(&rng);
}

int main(int argc, char **argv)
{
    long lines = argc > 1 ? atol(argv[1]) : 200000;
    static const char syll[][4] = {"ka", "lo", "mi", "ne", "pu", "ra", "si", "to",
                                   "ub", "ve", "xo", "ze", "ab", "cd", "ef", "qu"};
    for (long i = 0; i < lines; i++) {
        uint64_t r = next();
        char w1[16] = "", w2[16] = "";
        int n1 = 1 + (int)(r % 4), n2 = 2 + (int)((r >> 4) % 4);
        for (int k = 0; k < n1; k++)
            snprintf(w1 + 2 * k, sizeof w1 - 2 * k, "%s", syll[(r >> (8 + 4 * k)) % 16]);
        for (int k = 0; k < n2; k++)
            snprintf(w2 + 2 * k, sizeof w2 - 2 * k, "%s", syll[(r >> (24 + 4 * k)) % 16]);
        if (printf("%s %s %llu\n", w1, w2, (unsigned long long)((r >> 44) % 100000)) < 0)
            return 1;
    }
    return 0;
}
