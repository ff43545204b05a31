/*
 * The C library's allocator under load: malloc, calloc, realloc and free of
 * sizes from a few bytes to 1 MiB (past both glibc's and musl's threshold
 * for using mmap), every block filled with a pattern and checked before it
 * is resized or freed. The summary depends only on the fixed seed, never on
 * addresses, so it is the same natively and under vmemu.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SLOTS 512
#define ROUNDS 20000 /* default; the first argument may set another count */

struct block {
    unsigned char *p;
    size_t size;
    uint32_t tag; /* seeds the block's pattern */
};

struct stats {
    unsigned long mallocs, callocs, reallocs, frees, large, bad;
    uint64_t bytes, checksum;
};

static uint64_t rng = 0x243f6a8885a308d3ULL;

static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* Mostly small, some medium, a few large enough to be mmapped. */
static size_t pick_size(void)
{
    uint64_t r = next() % 100;
    if (r < 75)
        return 1 + next() % 256;
    if (r < 98)
        return 257 + next() % (16 << 10);
    return (256 << 10) + next() % (768 << 10);
}

static unsigned char byte_at(uint32_t tag, size_t i)
{
    return (unsigned char)(tag + i * 7 + (i >> 8));
}

static void fill(struct block *b, size_t from)
{
    for (size_t i = from; i < b->size; i++)
        b->p[i] = byte_at(b->tag, i);
}

/* Check the first n bytes and fold them into the checksum. */
static void verify(const struct block *b, size_t n, struct stats *st)
{
    for (size_t i = 0; i < n; i++) {
        if (b->p[i] != byte_at(b->tag, i)) {
            st->bad++;
            return;
        }
    }
    st->checksum = st->checksum * 1000003 + n + (n ? b->p[n - 1] : 0);
}

static int new_block(struct block *b, struct stats *st)
{
    b->size = pick_size();
    b->tag = (uint32_t)next();
    if (next() % 8 == 0) {
        b->p = calloc(1, b->size);
        st->callocs++;
        for (size_t i = 0; b->p && i < b->size; i++)
            st->bad += b->p[i] != 0;
    } else {
        b->p = malloc(b->size);
        st->mallocs++;
    }
    if (!b->p)
        return -1;
    st->large += b->size >= (256 << 10);
    st->bytes += b->size;
    fill(b, 0);
    return 0;
}

/* realloc keeps the common prefix; the new tail gets the pattern too. */
static int resize_block(struct block *b, struct stats *st)
{
    size_t size = pick_size();
    unsigned char *p = realloc(b->p, size);
    if (!p)
        return -1;
    b->p = p;
    size_t keep = size < b->size ? size : b->size;
    struct block kept = {p, keep, b->tag};
    verify(&kept, keep, st);
    b->size = size;
    st->reallocs++;
    st->bytes += size;
    fill(b, keep);
    return 0;
}

static int step(struct block *slots, struct stats *st)
{
    struct block *b = &slots[next() % SLOTS];
    if (!b->p)
        return new_block(b, st);
    verify(b, b->size, st);
    if (next() % 3 == 0)
        return resize_block(b, st);
    free(b->p);
    b->p = NULL;
    st->frees++;
    return 0;
}

int main(int argc, char **argv)
{
    static struct block slots[SLOTS];
    struct stats st = {0};
    int rounds = argc > 1 ? atoi(argv[1]) : ROUNDS;
    for (int i = 0; i < rounds; i++) {
        if (step(slots, &st) < 0) {
            fprintf(stderr, "malloc_heavy: out of memory at round %d\n", i);
            return 1;
        }
    }
    for (int i = 0; i < SLOTS; i++) {
        if (slots[i].p) {
            verify(&slots[i], slots[i].size, &st);
            free(slots[i].p);
            st.frees++;
        }
    }
    printf("malloc_heavy: %lu malloc, %lu calloc, %lu realloc, %lu free, %lu large, "
           "%llu bytes, checksum %016llx, %s\n",
           st.mallocs, st.callocs, st.reallocs, st.frees, st.large, (unsigned long long)st.bytes,
           (unsigned long long)st.checksum, st.bad ? "CORRUPTED" : "ok");
    return st.bad ? 1 : 0;
}
