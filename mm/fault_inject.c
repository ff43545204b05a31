/*
 * The allocation-failure injector (see fault_inject.h). State is global,
 * as Linux's fault attributes are: one count of attempts over the whole
 * run, whatever mm_init/mm_exit cycles a test goes through, so that "the
 * Nth attempt" names the same allocation on every run of the same program.
 */
#include "fault_inject.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "array_size.h"

const char *alloc_site;

enum fail_mode { FAIL_OFF, FAIL_NTH, FAIL_EVERY, FAIL_RANDOM };

#define MAX_SITES 256

static struct {
    bool armed, env_read;
    enum fail_mode mode;
    unsigned long n;        /* nth: N; every: K */
    unsigned long permille; /* random: P percent, in tenths of a percent */
    unsigned long after, times;
    unsigned long failures_before; /* failures when this spec was armed: times counts from here */
    uint64_t rng;
    unsigned long attempts, failures;
    const char *sites[MAX_SITES];
    unsigned int nr_sites;
    bool sites_overflow;
} fi;

static void fail_alloc_report(void)
{
    fprintf(stderr, "vmemu: fail-alloc: %lu attempts, %lu failures at %u%s sites:", fi.attempts,
            fi.failures, fi.nr_sites, fi.sites_overflow ? "+" : "");
    for (unsigned int i = 0; i < fi.nr_sites; i++)
        fprintf(stderr, " %s", fi.sites[i]);
    fputc('\n', stderr);
}

/* "key=value" at *p, value a decimal (with one optional decimal place for random). */
static bool take_number(const char **p, const char *key, unsigned long *v, bool tenths)
{
    size_t n = strlen(key);
    if (strncmp(*p, key, n) != 0 || (*p)[n] != '=')
        return false;
    const char *s = *p + n + 1;
    char *end;
    errno = 0;
    unsigned long whole = strtoul(s, &end, 10);
    if (end == s || errno || *s == '-')
        return false;
    if (tenths) {
        whole *= 10;
        if (*end == '.' && end[1] >= '0' && end[1] <= '9') {
            whole += (unsigned long)(end[1] - '0');
            end += 2;
        }
    }
    *v = whole;
    *p = end;
    return true;
}

int fail_alloc_configure(const char *spec)
{
    const char *p = spec;
    enum fail_mode mode;
    unsigned long n = 0, permille = 0, seed = 1, after = 0, times = ~0UL;
    if (take_number(&p, "nth", &n, false))
        mode = n ? FAIL_NTH : FAIL_OFF;
    else if (take_number(&p, "every", &n, false) && n)
        mode = FAIL_EVERY;
    else if (take_number(&p, "random", &permille, true) && permille <= 1000)
        mode = FAIL_RANDOM;
    else
        return -EINVAL;
    while (*p == ',') {
        p++;
        if (!take_number(&p, "seed", &seed, false) && !take_number(&p, "after", &after, false) &&
            !take_number(&p, "times", &times, false))
            return -EINVAL;
    }
    if (*p)
        return -EINVAL;
    if (!fi.armed)
        atexit(fail_alloc_report);
    fi.armed = fi.env_read = true;
    fi.mode = mode;
    fi.n = n;
    fi.permille = permille;
    fi.after = after;
    fi.times = times;
    fi.failures_before = fi.failures;
    fi.rng = seed * 0x9e3779b97f4a7c15ULL + 1;
    return 0;
}

/* xorshift64*: the same sequence for the same seed, on every host. */
static unsigned long next_random(void)
{
    fi.rng ^= fi.rng >> 12;
    fi.rng ^= fi.rng << 25;
    fi.rng ^= fi.rng >> 27;
    return (unsigned long)((fi.rng * 0x2545f4914f6cdd1dULL) >> 11);
}

static bool chosen(unsigned long attempt)
{
    if (attempt <= fi.after || fi.failures - fi.failures_before >= fi.times)
        return false;
    switch (fi.mode) {
    case FAIL_NTH:
        return attempt == fi.n;
    case FAIL_EVERY:
        return attempt % fi.n == 0;
    case FAIL_RANDOM:
        return next_random() % 1000 < fi.permille;
    default:
        return false;
    }
}

static void record_site(const char *site)
{
    if (!site)
        site = "?";
    for (unsigned int i = 0; i < fi.nr_sites; i++)
        if (fi.sites[i] == site || strcmp(fi.sites[i], site) == 0)
            return;
    if (fi.nr_sites < ARRAY_SIZE(fi.sites))
        fi.sites[fi.nr_sites++] = site;
    else
        fi.sites_overflow = true;
}

bool should_fail_alloc(gfp_t gfp)
{
    if (!fi.env_read) {
        fi.env_read = true;
        const char *spec = getenv(FAIL_ALLOC_ENV);
        if (spec && *spec && fail_alloc_configure(spec) != 0)
            fprintf(stderr, "vmemu: %s=%s: not a failure spec, ignored\n", FAIL_ALLOC_ENV, spec);
    }
    if (!fi.armed || (gfp & __GFP_NOINJECT))
        return false;
    if (!chosen(++fi.attempts))
        return false;
    fi.failures++;
    record_site(alloc_site);
    return true;
}

void fail_alloc_get_stats(struct fail_alloc_stats *st)
{
    st->attempts = fi.attempts;
    st->failures = fi.failures;
    st->sites = fi.nr_sites;
}
