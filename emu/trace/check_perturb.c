/*
 * VMEMU_TEST_PERTURB (check_perturb.h). Everything is taken before the
 * leak check's first count, so --check-leaks sees none of it.
 */
#include "emu/trace/check_perturb.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mm/gfp.h"
#include "mm/mmzone.h"
#include "mm/slab.h"

#define PERTURB_MAX 65536 /* pages or scattered pairs: enough to move anything, bounded */

static void *object; /* kmalloc=B's */

bool check_perturb_held(void)
{
    return object != NULL;
}

void check_perturb_release(void)
{
    kfree(object);
    object = NULL;
}

static bool take_pages(unsigned long n)
{
    for (unsigned long i = 0; i < n; i++)
        if (!alloc_page(GFP_KERNEL | __GFP_NOINJECT))
            return false;
    return true;
}

/* 2n pages, then every other one back, from the last: the free list holds them in a new order. */
static bool scatter(unsigned long n)
{
    struct page **pages = calloc(2 * n, sizeof(*pages));
    if (!pages)
        return false;
    unsigned long got = 0;
    while (got < 2 * n && (pages[got] = alloc_page(GFP_KERNEL | __GFP_NOINJECT)))
        got++;
    for (unsigned long i = got; i-- > 0;)
        if (i % 2)
            __free_page(pages[i]);
    free(pages);
    return got == 2 * n;
}

/* One "name=N" item of len bytes; false when it is not one. */
static bool apply_item(const char *s, size_t len)
{
    static const char *const names[] = {"pages=", "kmalloc=", "scatter="};
    for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
        size_t nl = strlen(names[k]);
        if (len <= nl || strncmp(s, names[k], nl))
            continue;
        char num[24], *end;
        snprintf(num, sizeof(num), "%.*s", (int)(len - nl < 23 ? len - nl : 23), s + nl);
        errno = 0;
        unsigned long v = strtoul(num, &end, 10);
        if (errno || *end || num[0] < '0' || num[0] > '9' || len - nl > 23)
            return false;
        if (k == 1) {
            kfree(object);
            object = v && v <= KMALLOC_MAX_CACHE_SIZE * 8 ? kmalloc(v, GFP_KERNEL | __GFP_NOINJECT)
                                                          : NULL;
            return object != NULL;
        }
        return v <= PERTURB_MAX && (k == 0 ? take_pages(v) : scatter(v));
    }
    return false;
}

void check_perturb_apply(void)
{
    const char *spec = getenv(PERTURB_ENV);
    if (!spec || !*spec)
        return;
    for (const char *p = spec; *p;) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p);
        if (!apply_item(p, n)) {
            fprintf(stderr,
                    "vmemu: %s=%s: '%.*s' is not pages=N, kmalloc=BYTES or scatter=N (or could "
                    "not be had), ignored\n",
                    PERTURB_ENV, spec, (int)n, p);
            return;
        }
        p += n + (comma ? 1 : 0);
    }
}
