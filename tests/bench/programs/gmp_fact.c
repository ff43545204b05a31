/*
 * GMP (Debian's libgmp.a, linked statically): N! computed and converted to
 * decimal, then a digest of its digits (count, sum, FNV-1a hash, the first
 * ones), the same natively and under vmemu. Big-number multiplication is
 * long runs of tight integer loops (mpn's assembly kernels).
 *
 *   gmp_fact [N]   (default 200000)
 */
#include <gmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 200000;
    if (n < 0) {
        fprintf(stderr, "usage: gmp_fact [N >= 0]\n");
        return 2;
    }
    mpz_t f;
    mpz_init(f);
    mpz_fac_ui(f, (unsigned long)n);
    char *digits = mpz_get_str(NULL, 10, f);
    size_t len = strlen(digits);
    uint64_t sum = 0;
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < len; i++) {
        sum += (uint64_t)(digits[i] - '0');
        h = (h ^ (unsigned char)digits[i]) * 16777619u;
    }
    printf("%ld!: %zu digits, digit sum %llu, fnv %08x, starts %.20s\n", n, len,
           (unsigned long long)sum, h, digits);
    free(digits);
    mpz_clear(f);
    return 0;
}
