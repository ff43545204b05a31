/*
 * Shell-style words (check_words.h). A word of safe characters is written
 * as it is; any other in single quotes, a quote inside as '\''. Splitting
 * takes what sh's quoting takes, so a line written here reads back as the
 * same words, and a manifest written by hand reads as sh would read it.
 */
#include "emu/trace/check_words.h"

#include <stdlib.h>
#include <string.h>

bool words_add(struct words *w, const char *s)
{
    char **v = realloc(w->v, (size_t)(w->n + 2) * sizeof(*v));
    if (!v)
        return false;
    w->v = v;
    if (!(v[w->n] = strdup(s)))
        return false;
    v[++w->n] = NULL;
    return true;
}

void words_free(struct words *w)
{
    for (int i = 0; i < w->n; i++)
        free(w->v[i]);
    free(w->v);
    w->v = NULL;
    w->n = 0;
}

/* Append c to the word being built; false when out of memory. */
static bool put(char **buf, size_t *len, size_t *cap, char c)
{
    if (*len + 1 >= *cap) {
        size_t ncap = *cap ? *cap * 2 : 32;
        char *b = realloc(*buf, ncap);
        if (!b)
            return false;
        *buf = b;
        *cap = ncap;
    }
    (*buf)[(*len)++] = c;
    (*buf)[*len] = '\0';
    return true;
}

/* One word from *p (at a non-space); false with *why. */
static bool one_word(const char **p, char **buf, size_t *len, size_t *cap, const char **why)
{
    const char *s = *p;
    char quote = 0;
    bool ok = put(buf, len, cap, 'x'); /* a buffer even for an empty word ('') */
    *len = 0;
    (*buf)[0] = '\0';
    for (; ok && *s && (quote || (*s != ' ' && *s != '\t')); s++) {
        if (quote == '\'' && *s == '\'')
            quote = 0;
        else if (quote == '"' && *s == '"')
            quote = 0;
        else if (!quote && (*s == '\'' || *s == '"'))
            quote = *s;
        else if (*s == '\\' && quote != '\'' && s[1] &&
                 (!quote || s[1] == '"' || s[1] == '\\' || s[1] == '$' || s[1] == '`'))
            ok = put(buf, len, cap, *++s);
        else
            ok = put(buf, len, cap, *s);
    }
    *p = s;
    if (quote)
        *why = quote == '\'' ? "an unterminated ' quote" : "an unterminated \" quote";
    else if (!ok)
        *why = "out of memory";
    return ok && !quote;
}

bool words_split(const char *text, struct words *w, const char **why)
{
    w->n = 0;
    w->v = calloc(1, sizeof(*w->v)); /* an empty list is still an argv: just its NULL */
    *why = w->v ? NULL : "out of memory";
    char *buf = NULL;
    size_t len = 0, cap = 0;
    const char *p = text;
    while (!*why) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (!*p)
            break;
        if (one_word(&p, &buf, &len, &cap, why) && !words_add(w, buf))
            *why = "out of memory";
    }
    free(buf);
    if (*why)
        words_free(w);
    return !*why;
}

static bool safe_word(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_@%+=:,./-", *s))
            return false;
    return true;
}

void words_write(FILE *out, char *const *v, int n)
{
    for (int i = 0; i < n; i++) {
        if (i)
            fputc(' ', out);
        if (safe_word(v[i])) {
            fputs(v[i], out);
            continue;
        }
        fputc('\'', out);
        for (const char *s = v[i]; *s; s++) {
            if (*s == '\'')
                fputs("'\\''", out); /* end the quote, an escaped quote, quote again */
            else
                fputc(*s, out);
        }
        fputc('\'', out);
    }
}

char *words_join(char *const *v, int n)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    if (!m)
        return NULL;
    words_write(m, v, n);
    if (fclose(m) != 0) {
        free(buf);
        return NULL;
    }
    return buf;
}
