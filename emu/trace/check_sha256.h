/*
 * SHA-256 (FIPS 180-4), for the identity an expected file records: the
 * program's content and its arguments. Written out here rather than
 * pulled from a crypto library: it is the only hash vmemu needs, and
 * `sha256sum PROGRAM` gives the same digest for a user to compare.
 */
#ifndef VMEMU_EMU_TRACE_CHECK_SHA256_H
#define VMEMU_EMU_TRACE_CHECK_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_HEX_LEN 64

struct sha256 {
    uint32_t h[8];
    uint8_t block[64];
    size_t used;    /* bytes waiting in block */
    uint64_t total; /* bytes hashed so far */
};

void sha256_init(struct sha256 *s);
void sha256_update(struct sha256 *s, const void *data, size_t len);
/* The digest as 64 lowercase hex digits and a NUL. */
void sha256_hex(struct sha256 *s, char out[SHA256_HEX_LEN + 1]);

/* The digest of a file's content into out; -1 with errno when it cannot be read. */
int sha256_file(const char *path, char out[SHA256_HEX_LEN + 1]);

#endif
