/*
 * Comparing summaries (check_summary.h). Both texts are read the same way:
 * "[section]" lines, then "KEY... VALUE" rows whose last word is an
 * integer. Rows are matched by section and key (a missing row counts 0:
 * summaries leave zero fault counts out); the "map" rows of a process are
 * a sequence, matched entry by entry when their shapes agree, and
 * otherwise reported as the entries that appeared or went.
 */
#define _GNU_SOURCE
#include "emu/trace/check_summary.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct srow {
    char *key;
    long value;
};

struct ssection {
    char *name;
    struct srow *rows;
    size_t n;
};

struct stext {
    struct ssection *s;
    size_t n;
};

struct difference {
    char what[160];
    long want, got;
    bool present_want, present_got; /* for map entries that appeared or went */
};

struct diffs {
    struct difference *d;
    size_t n, cap;
    bool oom;
};

static void stext_free(struct stext *t)
{
    for (size_t i = 0; i < t->n; i++) {
        for (size_t j = 0; j < t->s[i].n; j++)
            free(t->s[i].rows[j].key);
        free(t->s[i].rows);
        free(t->s[i].name);
    }
    free(t->s);
}

static bool push(void **v, size_t n, size_t size)
{
    if (n & (n - 1))
        return true; /* room is added at powers of two */
    void *p = realloc(*v, (n ? 2 * n : 1) * size);
    if (!p)
        return false;
    *v = p;
    return true;
}

/* One row "KEY... VALUE" of line (len bytes) into section sec. */
static bool parse_row(struct ssection *sec, const char *line, size_t len, char *why, size_t wl)
{
    while (len && line[len - 1] == ' ')
        len--;
    const char *sp = len ? memrchr(line, ' ', len) : NULL;
    char num[32], *end;
    size_t nl = sp ? len - (size_t)(sp + 1 - line) : 0;
    snprintf(num, sizeof(num), "%.*s", (int)(nl < sizeof(num) ? nl : 0), sp ? sp + 1 : "");
    errno = 0;
    long v = strtol(num, &end, 10);
    if (!sp || !num[0] || *end || errno) {
        snprintf(why, wl, "'%.*s' is not 'KEY VALUE'", (int)(len < 60 ? len : 60), line);
        return false;
    }
    if (!push((void **)&sec->rows, sec->n, sizeof(*sec->rows)) ||
        !(sec->rows[sec->n].key = strndup(line, (size_t)(sp - line)))) {
        snprintf(why, wl, "out of memory");
        return false;
    }
    sec->rows[sec->n++].value = v;
    return true;
}

static bool parse_summary(const char *text, size_t len, struct stext *t, char *why, size_t wl)
{
    memset(t, 0, sizeof(*t));
    const char *p = text, *end = text + len;
    bool ok = true;
    while (ok && p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        if (n && p[0] == '[' && p[n - 1] == ']') {
            ok = push((void **)&t->s, t->n, sizeof(*t->s)) &&
                 (t->s[t->n].name = strndup(p + 1, n - 2)) != NULL;
            if (ok) {
                t->s[t->n].rows = NULL;
                t->s[t->n++].n = 0;
            } else {
                snprintf(why, wl, "out of memory");
            }
        } else if (n && p[0] != '#') {
            if (!t->n) {
                snprintf(why, wl, "a row before any [section]");
                ok = false;
            } else {
                ok = parse_row(&t->s[t->n - 1], p, n, why, wl);
            }
        }
        p = nl ? nl + 1 : end;
    }
    if (ok && !t->n) {
        snprintf(why, wl, "an empty summary");
        ok = false;
    }
    if (!ok)
        stext_free(t);
    return ok;
}

static const struct ssection *section(const struct stext *t, const char *name)
{
    for (size_t i = 0; i < t->n; i++)
        if (!strcmp(t->s[i].name, name))
            return &t->s[i];
    return NULL;
}

static const struct srow *row(const struct ssection *s, const char *key)
{
    for (size_t i = 0; s && i < s->n; i++)
        if (!strcmp(s->rows[i].key, key))
            return &s->rows[i];
    return NULL;
}

static bool is_map(const struct srow *r)
{
    return !strncmp(r->key, "map ", 4);
}

static void add_diff(struct diffs *d, const char *what, long want, long got, bool pw, bool pg)
{
    if (!push((void **)&d->d, d->n, sizeof(*d->d))) {
        d->oom = true;
        return;
    }
    struct difference *x = &d->d[d->n++];
    snprintf(x->what, sizeof(x->what), "%s", what);
    x->want = want, x->got = got, x->present_want = pw, x->present_got = pg;
}

/* The class of a row, from its section and key. */
static enum tolerance_class class_of(const char *sec, const char *key)
{
    if (!strcmp(sec, "faults"))
        return TOL_FAULTS;
    if (!strcmp(sec, "meminfo delta"))
        return TOL_MEM;
    if (!strcmp(sec, "vmstat delta"))
        return TOL_VMSTAT;
    if (!strcmp(key, "minor") || !strcmp(key, "major"))
        return TOL_FAULTS;
    if (!strcmp(key, "peak-rss"))
        return TOL_RSS;
    return TOL_EXACT;
}

/* What a row is, in words: "anon-new faults in heap", "peak RSS of 1000 prog (pages)". */
static void describe(char *buf, size_t len, const char *sec, const char *key)
{
    const char *sp = strchr(key, ' ');
    if (!strcmp(sec, "faults") && !strcmp(key, "pages-around"))
        snprintf(buf, len, "pages mapped by fault-around");
    else if (!strcmp(sec, "faults") && !strcmp(key, "pages-readahead"))
        snprintf(buf, len, "pages read ahead");
    else if (!strcmp(sec, "faults") && sp)
        snprintf(buf, len, "%.*s faults in %s", (int)(sp - key), key, sp + 1);
    else if (!strncmp(sec, "process ", 8))
        snprintf(buf, len, "%s of %s%s",
                 !strcmp(key, "peak-rss") ? "peak RSS"
                 : !strcmp(key, "status") ? "exit status"
                 : !strcmp(key, "signal") ? "killing signal"
                 : !strcmp(key, "minor")  ? "minor faults"
                 : !strcmp(key, "major")  ? "major faults"
                                          : key,
                 sec + 8, !strcmp(key, "peak-rss") ? " (pages)" : "");
    else
        snprintf(buf, len, "%s %s", sec, key);
}

static void compare_rows(const struct ssection *w, const struct ssection *g, const char *sec,
                         const struct tolerance *tol, struct diffs *d)
{
    char what[160];
    for (int side = 0; side < 2; side++) {
        const struct ssection *a = side ? g : w, *b = side ? w : g;
        for (size_t i = 0; a && i < a->n; i++) {
            const struct srow *r = &a->rows[i];
            if (is_map(r) || (side && row(b, r->key)))
                continue; /* maps go as sequences; keys both have were seen from w */
            const struct srow *o = row(b, r->key);
            long want = side ? 0 : r->value, got = side ? r->value : (o ? o->value : 0);
            if (tolerance_allows(tol, class_of(sec, r->key), want, got))
                continue;
            describe(what, sizeof(what), sec, r->key);
            add_diff(d, what, want, got, true, true);
        }
    }
}

/* The map rows of s as an array of pointers, in order. */
static size_t map_rows(const struct ssection *s, const struct srow **out, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; s && i < s->n && n < max; i++)
        if (is_map(&s->rows[i]))
            out[n++] = &s->rows[i];
    return n;
}

#define MAX_MAP 4096
#define SHOWN 24 /* differences listed; the rest are counted */

static void compare_maps(const struct ssection *w, const struct ssection *g, const char *sec,
                         struct diffs *d)
{
    static const struct srow *a[MAX_MAP], *b[MAX_MAP];
    size_t na = map_rows(w, a, MAX_MAP), nb = map_rows(g, b, MAX_MAP);
    size_t pre = 0, post = 0;
    while (pre < na && pre < nb && !strcmp(a[pre]->key, b[pre]->key))
        pre++;
    while (post < na - pre && post < nb - pre &&
           !strcmp(a[na - 1 - post]->key, b[nb - 1 - post]->key))
        post++;
    char what[160];
    bool same_shape = na == nb && pre + post >= na;
    for (size_t i = 0; same_shape && i < na; i++)
        if (a[i]->value != b[i]->value) {
            snprintf(what, sizeof(what), "map of %s: %s, mapping %zu (pages)", sec + 8,
                     a[i]->key + 4, i + 1);
            add_diff(d, what, a[i]->value, b[i]->value, true, true);
        }
    if (same_shape)
        return;
    for (size_t i = pre; i < na - post; i++) {
        snprintf(what, sizeof(what), "map of %s: %s, mapping %zu (pages)", sec + 8, a[i]->key + 4,
                 i + 1);
        add_diff(d, what, a[i]->value, 0, true, false);
    }
    for (size_t i = pre; i < nb - post; i++) {
        snprintf(what, sizeof(what), "map of %s: %s, mapping %zu (pages)", sec + 8, b[i]->key + 4,
                 i + 1);
        add_diff(d, what, 0, b[i]->value, false, true);
    }
}

static void compare_sections(const struct stext *w, const struct stext *g,
                             const struct tolerance *tol, struct diffs *d)
{
    char what[160];
    for (int side = 0; side < 2; side++) {
        const struct stext *a = side ? g : w, *b = side ? w : g;
        for (size_t i = 0; i < a->n; i++) {
            const char *name = a->s[i].name;
            const struct ssection *o = section(b, name);
            bool process = !strncmp(name, "process ", 8);
            if (side && o)
                continue; /* compared from w's side */
            if (process && !o) {
                snprintf(what, sizeof(what), "process %s", name + 8);
                add_diff(d, what, 0, 0, !side, side);
                continue;
            }
            compare_rows(side ? o : &a->s[i], side ? &a->s[i] : o, name, tol, d);
            if (process)
                compare_maps(&a->s[i], o, name, d);
        }
    }
}

static void print_change(FILE *out, const struct difference *x)
{
    if (!x->present_want && !x->present_got) {
        fprintf(out, "  %s\n", x->what);
        return;
    }
    if (!x->present_want || !x->present_got) {
        fprintf(out, "  %s: %s\n", x->what,
                x->present_want ? "expected, not there" : "not expected, there");
        return;
    }
    long delta = x->got - x->want;
    fprintf(out, "  %s: expected %ld, got %ld (%+ld", x->what, x->want, x->got, delta);
    if (x->want)
        fprintf(out, ", %+.1f%%",
                100.0 * (double)delta / (double)(x->want < 0 ? -x->want : x->want));
    fputs(")\n", out);
}

long summary_compare(const char *want, size_t want_len, const char *got, size_t got_len,
                     const struct tolerance *tol, FILE *out, char *why, size_t why_len)
{
    struct stext w, g;
    char reason[160];
    if (!parse_summary(want, want_len, &w, reason, sizeof(reason))) {
        snprintf(why, why_len, "its summary cannot be read: %s", reason);
        return -1;
    }
    if (!parse_summary(got, got_len, &g, reason, sizeof(reason))) {
        stext_free(&w);
        snprintf(why, why_len, "the run's summary cannot be read: %s", reason);
        return -1;
    }
    struct diffs d = {0};
    compare_sections(&w, &g, tol, &d);
    for (size_t i = 0; i < d.n && i < SHOWN; i++)
        print_change(out, &d.d[i]);
    if (d.n > SHOWN)
        fprintf(out, "  ... and %zu more differences\n", d.n - SHOWN);
    long n = d.oom ? -1 : (long)d.n;
    if (d.oom)
        snprintf(why, why_len, "out of memory comparing summaries");
    free(d.d);
    stext_free(&w);
    stext_free(&g);
    return n;
}
