/*
 * Tolerances (check_tolerance.h). A percentage is of the expected value,
 * so a count expected to be 0 must stay 0 unless an absolute amount is
 * given: a regression that makes something appear is never a rounding.
 */
#include "emu/trace/check_tolerance.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char *const class_names[NR_TOL_CLASSES] = {"faults", "rss", "mem", "vmstat"};

/* One "name=value" item of n bytes at s. */
static bool parse_item(const char *s, size_t n, struct tolerance *t, char *why, size_t len)
{
    const char *eq = memchr(s, '=', n);
    int c = -1;
    for (int i = 0; eq && i < NR_TOL_CLASSES; i++)
        if ((size_t)(eq - s) == strlen(class_names[i]) && !strncmp(s, class_names[i], eq - s))
            c = i;
    if (c < 0) {
        snprintf(why, len, "'%.*s' is not CLASS=AMOUNT with CLASS faults, rss, mem or vmstat",
                 (int)n, s);
        return false;
    }
    char value[32];
    size_t vn = n - (size_t)(eq + 1 - s);
    snprintf(value, sizeof(value), "%.*s", (int)(vn < sizeof(value) ? vn : sizeof(value) - 1),
             eq + 1);
    char *end;
    errno = 0;
    double v = strtod(value, &end);
    bool percent = *end == '%';
    if (errno || end == value || value[0] == '-' || end[percent] || vn >= sizeof(value) ||
        !(v <= 1e9)) {
        snprintf(why, len, "'%.*s': the amount must be a number, or a number and %%", (int)n, s);
        return false;
    }
    t->set[c] = true;
    t->percent[c] = percent;
    t->amount[c] = v;
    return true;
}

bool tolerance_parse(const char *spec, struct tolerance *t, char *why, size_t len)
{
    memset(t, 0, sizeof(*t));
    if (!*spec) {
        snprintf(why, len, "an empty tolerance");
        return false;
    }
    while (*spec) {
        const char *comma = strchr(spec, ',');
        size_t n = comma ? (size_t)(comma - spec) : strlen(spec);
        if (!parse_item(spec, n, t, why, len))
            return false;
        spec += n + (comma ? 1 : 0);
    }
    return true;
}

bool tolerance_any(const struct tolerance *t)
{
    for (int c = 0; c < NR_TOL_CLASSES; c++)
        if (t->set[c])
            return true;
    return false;
}

void tolerance_write(FILE *out, const struct tolerance *t)
{
    int n = 0;
    for (int c = 0; c < NR_TOL_CLASSES; c++)
        if (t->set[c])
            fprintf(out, "%s%s=%g%s", n++ ? "," : "", class_names[c], t->amount[c],
                    t->percent[c] ? "%" : "");
}

bool tolerance_allows(const struct tolerance *t, enum tolerance_class c, long want, long got)
{
    if (want == got)
        return true;
    if (c >= NR_TOL_CLASSES || !t->set[c])
        return false;
    double diff = got > want ? (double)got - (double)want : (double)want - (double)got;
    double limit = t->percent[c] ? t->amount[c] / 100.0 * (want < 0 ? -(double)want : (double)want)
                                 : t->amount[c];
    return diff <= limit;
}
