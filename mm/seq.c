#include "seq.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void seq_init(struct seq *s)
{
    s->buf = NULL;
    s->len = s->cap = 0;
    s->overflow = 0;
}

static int seq_reserve(struct seq *s, size_t need)
{
    if (s->len + need + 1 <= s->cap)
        return 0;
    size_t cap = s->cap ? s->cap : 256;
    while (cap < s->len + need + 1)
        cap *= 2;
    char *b = realloc(s->buf, cap);
    if (!b)
        return -1;
    s->buf = b;
    s->cap = cap;
    return 0;
}

void seq_printf(struct seq *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || s->overflow || seq_reserve(s, (size_t)n)) {
        s->overflow = 1;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(s->buf + s->len, s->cap - s->len, fmt, ap);
    va_end(ap);
    s->len += (size_t)n;
}

void seq_write(struct seq *s, const void *data, size_t n)
{
    if (s->overflow || seq_reserve(s, n)) {
        s->overflow = 1;
        return;
    }
    memcpy(s->buf + s->len, data, n);
    s->len += n;
    s->buf[s->len] = '\0';
}

void seq_free(struct seq *s)
{
    free(s->buf);
    seq_init(s);
}
