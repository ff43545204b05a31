/*
 * Every instruction-set feature the CPU advertises through CPUID must work.
 * For each feature this program knows, it asks CPUID; when advertised, it
 * runs instructions of that feature on fixed inputs and checks the results
 * against known answers (a feature the CPU lacks is not run: it would be
 * SIGILL). stdout is one line, the same on any CPU that keeps its promises;
 * stderr lists the advertised features, for tests/integration/cpu_state.sh.
 * AT_HWCAP must be CPUID.1:EDX, and AT_HWCAP2 must have FSGSBASE when
 * rdfsbase and friends are usable.
 */
#include <cpuid.h>
#include <immintrin.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <elf.h>

struct feature {
    const char *name;
    unsigned int leaf, reg, bit; /* reg: 0 eax 1 ebx 2 ecx 3 edx */
    int (*check)(void);          /* 0 when every known answer matched */
};

static unsigned int cpuid_reg(unsigned int leaf, unsigned int reg)
{
    unsigned int r[4] = {0}, max = __get_cpuid_max(leaf & 0x80000000u, NULL);
    if (leaf > max)
        return 0;
    __cpuid_count(leaf, 0, r[0], r[1], r[2], r[3]);
    return r[reg];
}

static int failures;
static const Elf64_auxv_t *auxv; /* the kernel's own vector (glibc rewrites getauxval's AT_HWCAP) */

static uint64_t aux(uint64_t type)
{
    for (const Elf64_auxv_t *a = auxv; a->a_type != AT_NULL; a++)
        if (a->a_type == type)
            return a->a_un.a_val;
    return 0;
}

static void expect(const char *what, uint64_t got, uint64_t want)
{
    if (got == want)
        return;
    fprintf(stderr, "FAIL %s: got %#llx, expected %#llx\n", what, (unsigned long long)got,
            (unsigned long long)want);
    failures++;
}

static uint64_t lo64(__m128i v)
{
    return (uint64_t)_mm_cvtsi128_si64(v);
}

__attribute__((target("sse3"))) static int check_sse3(void)
{
    __m128d s = _mm_hadd_pd(_mm_set_pd(2.0, 1.5), _mm_set_pd(8.0, 4.0));
    double out[2];
    _mm_storeu_pd(out, s);
    expect("haddpd", (uint64_t)(out[0] * 2 + out[1] * 100), 7 + 1200);
    return 0;
}

__attribute__((target("ssse3"))) static int check_ssse3(void)
{
    __m128i v = _mm_set_epi8(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
    __m128i rev = _mm_set_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    expect("pshufb", lo64(_mm_shuffle_epi8(v, rev)), 0x08090a0b0c0d0e0fULL);
    expect("pabsd", lo64(_mm_abs_epi32(_mm_set_epi32(0, 0, -7, -300))), 0x000000070000012cULL);
    return 0;
}

__attribute__((target("sse4.1"))) static int check_sse41(void)
{
    __m128i a = _mm_set_epi32(4, -3, 2, -1), b = _mm_set_epi32(1, 1, 1, 1);
    expect("pminsd", lo64(_mm_min_epi32(a, b)), 0x00000001ffffffffULL);
    expect("pmulld", lo64(_mm_mullo_epi32(a, _mm_set1_epi32(100000))),
           ((uint64_t)200000 << 32) | (uint32_t)-100000);
    expect("ptest", (uint64_t)_mm_testz_si128(a, _mm_setzero_si128()), 1);
    double r[2];
    _mm_storeu_pd(r, _mm_round_pd(_mm_set_pd(-2.5, 2.5), _MM_FROUND_TO_NEAREST_INT));
    expect("roundpd", (uint64_t)(int64_t)(r[0] * 10 + r[1]), 18);
    return 0;
}

__attribute__((target("sse4.2"))) static int check_sse42(void)
{
    uint32_t crc = 0xffffffffu;
    for (const char *p = "123456789"; *p; p++)
        crc = _mm_crc32_u8(crc, (unsigned char)*p);
    expect("crc32 (CRC-32C check value)", crc ^ 0xffffffffu, 0xe3069283u);
    __m128i hay = _mm_loadu_si128((const __m128i *)"find the needle!");
    __m128i set = _mm_loadu_si128((const __m128i *)"n\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0");
    expect("pcmpistri", (uint64_t)_mm_cmpistri(set, hay, _SIDD_CMP_EQUAL_ANY), 2);
    expect("pcmpgtq", lo64(_mm_cmpgt_epi64(_mm_set_epi64x(0, 5), _mm_set_epi64x(0, -5))), ~0ULL);
    return 0;
}

__attribute__((target("popcnt"))) static int check_popcnt(void)
{
    volatile uint64_t v = 0xf0f0f0f0f0f0f0f1ULL;
    expect("popcnt", (uint64_t)__builtin_popcountll(v), 33);
    return 0;
}

static int check_movbe(void)
{
    uint32_t v = 0x11223344, r;
    __asm__("movbe %1, %0" : "=r"(r) : "m"(v));
    expect("movbe", r, 0x44332211);
    return 0;
}

/* FIPS-197 appendix C.1: AES-128 of 00112233...ff under key 00010203...0f. */
__attribute__((target("aes,sse2"))) static int check_aes(void)
{
    static const uint8_t key[16] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
    static const uint8_t plain[16] = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
                                      0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff};
    static const uint8_t want[16] = {0x69, 0xc4, 0xe0, 0xd8, 0x6a, 0x7b, 0x04, 0x30,
                                     0xd8, 0xcd, 0xb7, 0x80, 0x70, 0xb4, 0xc5, 0x5a};
    __m128i k[11];
    k[0] = _mm_loadu_si128((const __m128i *)key);
#define EXPAND(i, rcon)                                                                            \
    do {                                                                                           \
        __m128i t = _mm_shuffle_epi32(_mm_aeskeygenassist_si128(k[i - 1], rcon), 0xff);            \
        __m128i p = k[i - 1];                                                                      \
        p = _mm_xor_si128(p, _mm_slli_si128(p, 4));                                                \
        p = _mm_xor_si128(p, _mm_slli_si128(p, 8));                                                \
        k[i] = _mm_xor_si128(p, t);                                                                \
    } while (0)
    EXPAND(1, 0x01);
    EXPAND(2, 0x02);
    EXPAND(3, 0x04);
    EXPAND(4, 0x08);
    EXPAND(5, 0x10);
    EXPAND(6, 0x20);
    EXPAND(7, 0x40);
    EXPAND(8, 0x80);
    EXPAND(9, 0x1b);
    EXPAND(10, 0x36);
#undef EXPAND
    __m128i s = _mm_xor_si128(_mm_loadu_si128((const __m128i *)plain), k[0]);
    for (int i = 1; i < 10; i++)
        s = _mm_aesenc_si128(s, k[i]);
    s = _mm_aesenclast_si128(s, k[10]);
    uint8_t out[16];
    _mm_storeu_si128((__m128i *)out, s);
    expect("aes-128 (FIPS-197 C.1)", (uint64_t)memcmp(out, want, 16), 0);
    __m128i back = _mm_aesdeclast_si128(
        _mm_aesdec_si128(_mm_aesenc_si128(s, k[0]), _mm_aesimc_si128(k[0])), k[0]);
    (void)back; /* aesdec/aesimc must run; their value is not a known answer */
    return 0;
}

__attribute__((target("pclmul"))) static int check_pclmul(void)
{
    /* (x + 1)^2 = x^2 + 1 and (x^3 + x + 1)(x^2 + 1) = x^5 + x^2 + x + 1 over GF(2). */
    expect("pclmulqdq", lo64(_mm_clmulepi64_si128(_mm_set_epi64x(0, 3), _mm_set_epi64x(0, 3), 0)),
           5);
    expect("pclmulqdq", lo64(_mm_clmulepi64_si128(_mm_set_epi64x(0, 0xb), _mm_set_epi64x(0, 5), 0)),
           0x27);
    return 0;
}

/* Without LZCNT the same bytes are BSR, which gives 0 for 1, not 63. */
static int check_lzcnt(void)
{
    uint64_t r, v = 1;
    __asm__("lzcnt %1, %0" : "=r"(r) : "r"(v));
    expect("lzcnt", r, 63);
    return 0;
}

static int check_bmi1(void)
{
    uint64_t r, v = 0x50;
    __asm__("tzcnt %1, %0" : "=r"(r) : "r"(v));
    expect("tzcnt", r, 4);
    __asm__("andn %2, %1, %0" : "=r"(r) : "r"(0xf0ULL), "r"(0xffULL));
    expect("andn", r, 0x0f);
    __asm__("blsr %1, %0" : "=r"(r) : "r"(v));
    expect("blsr", r, 0x40);
    return 0;
}

static int check_bmi2(void)
{
    uint64_t r, hi;
    __asm__("pdep %2, %1, %0" : "=r"(r) : "r"(0xabULL), "r"(0xf0f0ULL));
    expect("pdep", r, 0xa0b0);
    __asm__("pext %2, %1, %0" : "=r"(r) : "r"(0xa0b0ULL), "r"(0xf0f0ULL));
    expect("pext", r, 0xab);
    __asm__("shlx %2, %1, %0" : "=r"(r) : "r"(3ULL), "r"(62ULL));
    expect("shlx", r, 0xc000000000000000ULL);
    __asm__("rorx $8, %1, %0" : "=r"(r) : "r"(0x1122334455667788ULL));
    expect("rorx", r, 0x8811223344556677ULL);
    __asm__("mulx %3, %0, %1" : "=r"(r), "=r"(hi) : "d"(~0ULL), "r"(~0ULL));
    expect("mulx", r ^ hi, 1 ^ ~1ULL);
    return 0;
}

static int check_adx(void)
{
    uint64_t a = ~0ULL, b = 1, c = 5, d = ~0ULL;
    /* adcx uses and sets CF only, adox OF only: two carry chains at once. */
    __asm__("xor %%eax, %%eax\n\t"
            "adcx %2, %0\n\t"
            "adox %3, %1\n\t"
            "adcx %%rax, %1\n\t"
            : "+&r"(a), "+&r"(c)
            : "r"(b), "r"(d)
            : "rax", "cc");
    expect("adcx", a, 0);
    expect("adox then adcx", c, 5);
    return 0;
}

static int check_cx16(void)
{
    static __int128 slot __attribute__((aligned(16))) = 42;
    __int128 want = 42, repl = ((__int128)7 << 64) | 9;
    uint64_t lo = (uint64_t)want, hi = (uint64_t)(want >> 64);
    unsigned char ok;
    __asm__ volatile("lock cmpxchg16b %1; sete %0"
                     : "=q"(ok), "+m"(slot), "+a"(lo), "+d"(hi)
                     : "b"((uint64_t)repl), "c"((uint64_t)(repl >> 64))
                     : "memory", "cc");
    expect("cmpxchg16b", ok && slot == repl, 1);
    return 0;
}

static int check_rdtscp(void)
{
    unsigned int aux;
    uint64_t a = __builtin_ia32_rdtscp(&aux), b = __builtin_ia32_rdtscp(&aux);
    expect("rdtscp counts up", b >= a, 1);
    return 0;
}

__attribute__((target("fsgsbase"))) static int check_fsgsbase(void)
{
    expect("AT_HWCAP2 has FSGSBASE", aux(AT_HWCAP2) & 2, 2);
    uint64_t fs = _readfsbase_u64(), gs = _readgsbase_u64();
    uint64_t self;
    __asm__("mov %%fs:0, %0" : "=r"(self)); /* the thread pointer points at itself */
    expect("rdfsbase", fs, self);
    _writegsbase_u64(0x123456789000ULL);
    expect("wrgsbase/rdgsbase", _readgsbase_u64(), 0x123456789000ULL);
    _writegsbase_u64(gs);
    return 0;
}

static int check_lahf(void)
{
    uint64_t r;
    __asm__("stc; lahf; movzbl %%ah, %%eax" : "=a"(r) : : "cc");
    expect("lahf", r & 1, 1);
    return 0;
}

static const struct feature features[] = {
    {"sse3", 1, 2, 0, check_sse3},
    {"pclmulqdq", 1, 2, 1, check_pclmul},
    {"ssse3", 1, 2, 9, check_ssse3},
    {"cx16", 1, 2, 13, check_cx16},
    {"sse4.1", 1, 2, 19, check_sse41},
    {"sse4.2", 1, 2, 20, check_sse42},
    {"movbe", 1, 2, 22, check_movbe},
    {"popcnt", 1, 2, 23, check_popcnt},
    {"aes", 1, 2, 25, check_aes},
    {"avx", 1, 2, 28, NULL},
    {"f16c", 1, 2, 29, NULL},
    {"rdrand", 1, 2, 30, NULL},
    {"fma", 1, 2, 12, NULL},
    {"fsgsbase", 7, 1, 0, check_fsgsbase},
    {"bmi1", 7, 1, 3, check_bmi1},
    {"avx2", 7, 1, 5, NULL},
    {"bmi2", 7, 1, 8, check_bmi2},
    {"rdseed", 7, 1, 18, NULL},
    {"adx", 7, 1, 19, check_adx},
    {"avx512f", 7, 1, 16, NULL},
    {"sha", 7, 1, 29, NULL},
    {"lahf_lm", 0x80000001u, 2, 0, check_lahf},
    {"lzcnt", 0x80000001u, 2, 5, check_lzcnt},
    {"rdtscp", 0x80000001u, 3, 27, check_rdtscp},
};

int main(int argc, char **argv, char **envp)
{
    (void)argc, (void)argv;
    while (*envp)
        envp++;
    auxv = (const Elf64_auxv_t *)(envp + 1);
    unsigned int edx1 = cpuid_reg(1, 3);
    expect("AT_HWCAP is CPUID.1:EDX", aux(AT_HWCAP), edx1);
    fprintf(stderr, "advertised:");
    for (size_t i = 0; i < sizeof(features) / sizeof(features[0]); i++) {
        const struct feature *f = &features[i];
        if (!(cpuid_reg(f->leaf, f->reg) >> f->bit & 1))
            continue;
        fprintf(stderr, " %s", f->name);
        if (!f->check)
            continue; /* a feature vmemu's CPU must not offer: the test fails on it */
        f->check();
    }
    fprintf(stderr, "\n");
    if (failures) {
        printf("%d known answers differ\n", failures);
        return 1;
    }
    printf("every advertised feature gave the known answers\n");
    return 0;
}
