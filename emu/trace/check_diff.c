/*
 * Sequence differences (check_diff.h). A greedy walk: skip equal lines;
 * at a divergence, look for the nearest pair of positions (by the sum of
 * lines skipped on both sides, within a window) where RESYNC lines agree
 * in a row, or where both sides end; what lies between is one place that
 * differs. One event added early is one place of one event, not every
 * later line; what the window cannot bridge is one last place.
 */
#include "emu/trace/check_diff.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define RESYNC 3    /* lines in a row that must agree again */
#define WINDOW 1000 /* lines skipped on both sides together, at most, to find them */

struct lines {
    const char **s;
    size_t *len;
    size_t n;
};

size_t count_lines(const char *text, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        n += text[i] == '\n';
    return n + (len && text[len - 1] != '\n');
}

static bool split(const char *text, size_t len, struct lines *l)
{
    size_t n = count_lines(text, len);
    l->s = malloc((n ? n : 1) * sizeof(*l->s));
    l->len = malloc((n ? n : 1) * sizeof(*l->len));
    l->n = 0;
    if (!l->s || !l->len)
        return false;
    for (const char *p = text, *end = text + len; p < end;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        l->s[l->n] = p;
        l->len[l->n++] = nl ? (size_t)(nl - p) : (size_t)(end - p);
        p = nl ? nl + 1 : end;
    }
    return true;
}

static bool same(const struct lines *a, size_t i, const struct lines *b, size_t j)
{
    return a->len[i] == b->len[j] && memcmp(a->s[i], b->s[j], a->len[i]) == 0;
}

/* From i and j on, RESYNC lines agree, or both sides end together before that. */
static bool agree(const struct lines *a, size_t i, const struct lines *b, size_t j)
{
    for (size_t t = 0; t < RESYNC; t++) {
        if (i + t == a->n && j + t == b->n)
            return true;
        if (i + t >= a->n || j + t >= b->n || !same(a, i + t, b, j + t))
            return false;
    }
    return true;
}

/* At a divergence (i, j): how many lines of each side differ before they agree again. */
static void find_resync(const struct lines *a, size_t i, const struct lines *b, size_t j,
                        size_t *di, size_t *dj)
{
    for (size_t d = 1; d <= WINDOW; d++)
        for (size_t x = 0; x <= d; x++)
            if (i + x <= a->n && j + d - x <= b->n && agree(a, i + x, b, j + d - x)) {
                *di = x;
                *dj = d - x;
                return;
            }
    *di = a->n - i;
    *dj = b->n - j;
}

static void show(FILE *out, const char *mark, const struct lines *l, size_t from, size_t n)
{
    for (size_t k = 0; k < n; k++)
        fprintf(out, "  %s %.*s\n", mark, (int)l->len[from + k], l->s[from + k]);
}

#define PAIRS 4 /* differing lines shown of each side, as expected/got pairs */

/* The first place: context, then its lines pair by pair (expected, then got), then context. */
static void report_first(FILE *out, const struct lines *a, const struct lines *b, size_t i,
                         size_t j, size_t di, size_t dj, unsigned int context)
{
    size_t before = i < context ? i : context;
    fprintf(out, "  the first difference is at event %zu of %zu expected (%zu in this run):\n",
            i + 1, a->n, b->n);
    show(out, " ", a, i - before, before);
    size_t k = 0;
    for (; k < PAIRS && (k < di || k < dj); k++) {
        if (k < di)
            show(out, "-", a, i + k, 1);
        if (k < dj)
            show(out, "+", b, j + k, 1);
    }
    if (!di)
        fprintf(out, "  - (nothing: this run has more)\n");
    if (!dj)
        fprintf(out, "  + (nothing: this run has less)\n");
    if (di > k || dj > k)
        fprintf(out, "  ... and %zu more expected, %zu more in this run, before they agree again\n",
                di > k ? di - k : 0, dj > k ? dj - k : 0);
    size_t after = 0;
    while (after < context && i + di + after < a->n && j + dj + after < b->n &&
           same(a, i + di + after, b, j + dj + after))
        after++;
    show(out, " ", a, i + di, after);
}

size_t diff_sequences(const char *want, size_t want_len, const char *got, size_t got_len,
                      unsigned int context, FILE *out)
{
    struct lines a = {0}, b = {0};
    if (!split(want, want_len, &a) || !split(got, got_len, &b)) {
        free(a.s), free(a.len), free(b.s), free(b.len);
        fprintf(out, "  out of memory comparing the traces\n");
        return 1;
    }
    size_t i = 0, j = 0, differing = 0, places = 0, first_events = 0;
    while (i < a.n || j < b.n) {
        if (i < a.n && j < b.n && same(&a, i, &b, j)) {
            i++, j++;
            continue;
        }
        size_t di, dj;
        find_resync(&a, i, &b, j, &di, &dj);
        if (!places)
            report_first(out, &a, &b, i, j, di, dj, context);
        size_t n = di > dj ? di : dj;
        if (!places)
            first_events = n;
        differing += n;
        places++;
        i += di, j += dj;
    }
    if (places > 1)
        fprintf(out, "  then %zu more differing event%s in %zu more place%s\n",
                differing - first_events, differing - first_events == 1 ? "" : "s", places - 1,
                places == 2 ? "" : "s");
    free(a.s), free(a.len), free(b.s), free(b.len);
    return differing;
}
