/*
 * Compression round trips with Debian's static zlib and zstd: MIB mebibytes
 * of generated text-like data (words from a fixed generator, so they
 * compress about as well as prose) compressed, decompressed and compared.
 * Prints the compressed size and a checksum, the same natively and under
 * vmemu.
 *
 *   compress_bench zlib|zstd [MIB]   (default 10)
 */
#include "bench_rng.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

static uint64_t rng = 0x243f6a8885a308d3ULL;

static uint64_t next(void)
{
    return bench_rng_next(&rng);
}

/* Fills buf with lines of words drawn from a small vocabulary and numbers. */
static void generate(unsigned char *buf, size_t len)
{
    static const char *words[] = {"the",    "page",  "fault", "frame",    "table", "kernel",
                                  "memory", "cache", "write", "read",     "swap",  "zone",
                                  "buddy",  "slab",  "vma",   "anon",     "file",  "dirty",
                                  "clean",  "map",   "unmap", "mprotect", "brk",   "stack"};
    size_t n = sizeof words / sizeof words[0], pos = 0;
    while (pos < len) {
        char tmp[64];
        uint64_t r = next();
        int k = (r % 5 == 0) ? snprintf(tmp, sizeof tmp, "%llu ", (unsigned long long)(r >> 40))
                             : snprintf(tmp, sizeof tmp, "%s%s", words[(r >> 8) % n],
                                        (r >> 16) % 11 == 0 ? ".\n" : " ");
        size_t take = (size_t)k < len - pos ? (size_t)k : len - pos;
        memcpy(buf + pos, tmp, take);
        pos += take;
    }
}

static size_t zlib_round(const unsigned char *in, size_t len, unsigned char *out)
{
    uLongf clen = compressBound(len);
    unsigned char *c = malloc(clen);
    if (!c || compress2(c, &clen, in, len, 6) != Z_OK) {
        fprintf(stderr, "compress_bench: zlib compress failed\n");
        exit(1);
    }
    uLongf dlen = len;
    if (uncompress(out, &dlen, c, clen) != Z_OK || dlen != len) {
        fprintf(stderr, "compress_bench: zlib uncompress failed\n");
        exit(1);
    }
    free(c);
    return clen;
}

static size_t zstd_round(const unsigned char *in, size_t len, unsigned char *out)
{
    size_t bound = ZSTD_compressBound(len);
    unsigned char *c = malloc(bound);
    size_t clen = c ? ZSTD_compress(c, bound, in, len, 3) : 0;
    if (!c || ZSTD_isError(clen)) {
        fprintf(stderr, "compress_bench: zstd compress failed\n");
        exit(1);
    }
    size_t dlen = ZSTD_decompress(out, len, c, clen);
    if (ZSTD_isError(dlen) || dlen != len) {
        fprintf(stderr, "compress_bench: zstd decompress failed\n");
        exit(1);
    }
    free(c);
    return clen;
}

int main(int argc, char **argv)
{
    long mib = argc > 2 ? atol(argv[2]) : 10;
    int use_zstd = argc > 1 && strcmp(argv[1], "zstd") == 0;
    if (argc < 2 || (!use_zstd && strcmp(argv[1], "zlib") != 0) || mib <= 0 || mib > 1024) {
        fprintf(stderr, "usage: compress_bench zlib|zstd [MIB]\n");
        return 2;
    }
    size_t len = (size_t)mib << 20;
    unsigned char *in = malloc(len), *out = malloc(len);
    if (!in || !out) {
        fprintf(stderr, "compress_bench: out of memory\n");
        return 1;
    }
    generate(in, len);
    size_t clen = use_zstd ? zstd_round(in, len, out) : zlib_round(in, len, out);
    if (memcmp(in, out, len) != 0) {
        fprintf(stderr, "compress_bench: round trip differs\n");
        return 1;
    }
    printf("%s: %zu bytes -> %zu bytes, crc32 %08lx\n", argv[1], len, clen,
           crc32(0L, in, (uInt)len));
    free(in);
    free(out);
    return 0;
}
