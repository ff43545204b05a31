/*
 * VMEMU_OPTIONS, as LESS and GREP_OPTIONS are for their tools: options
 * that run and check take before the command line's, so the command line
 * wins (a later --ram replaces an earlier one). The value is split into
 * words the way sh splits a command line, so a path with blanks can be
 * quoted: blanks separate words, '...' keeps everything, "..." keeps all
 * but a backslash before " \ $ or `, and a backslash elsewhere keeps the
 * next character. Nothing is expanded: $, ~ and * stay as they are.
 */
#include "emu/env_options.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXIT_USAGE 2

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\n';
}

/* Copy one word from *p to *out, unquoting it; false at an unterminated quote or escape. */
static bool take_word(const char **p, char **out, const char **why)
{
    const char *s = *p;
    char *o = *out;
    char quote = 0;
    for (; *s && (quote || !is_blank(*s)); s++) {
        if (quote == '\'' && *s != '\'') {
            *o++ = *s;
        } else if (*s == quote) {
            quote = 0;
        } else if (!quote && (*s == '\'' || *s == '"')) {
            quote = *s;
        } else if (*s == '\\' && (!quote || (s[1] && strchr("\"\\$`", s[1])))) {
            if (!*++s) {
                *why = "a backslash ends it";
                return false;
            }
            *o++ = *s;
        } else {
            *o++ = *s;
        }
    }
    if (quote) {
        *why = quote == '\'' ? "unterminated ' quote" : "unterminated \" quote";
        return false;
    }
    *o++ = '\0';
    *p = s;
    *out = o;
    return true;
}

int split_words(const char *s, char ***argv, int *argc, const char **why)
{
    size_t len = strlen(s);
    /* At most len/2 + 1 words; the text, unquoted, is never longer than s plus a NUL a word. */
    char **v = malloc((len / 2 + 2) * sizeof(*v) + len + 1);
    if (!v) {
        *why = "out of memory";
        return -1;
    }
    char *text = (char *)(v + len / 2 + 2);
    int n = 0;
    for (;;) {
        while (is_blank(*s))
            s++;
        if (!*s)
            break;
        v[n] = text;
        if (!take_word(&s, &text, why)) {
            free(v);
            return -1;
        }
        n++;
    }
    v[n] = NULL;
    *argv = v;
    *argc = n;
    return 0;
}

char **env_options(int *argc)
{
    static char **words;
    static int count;
    const char *value = getenv("VMEMU_OPTIONS");
    const char *why;
    if (!words && value && split_words(value, &words, &count, &why) != 0) {
        fprintf(stderr, "vmemu: VMEMU_OPTIONS cannot be read: %s\n", why);
        exit(EXIT_USAGE);
    }
    for (int i = 0; i < count; i++) {
        if (strcmp(words[i], "--") == 0) {
            fprintf(stderr, "vmemu: VMEMU_OPTIONS: '--' ends options on the command line only\n");
            exit(EXIT_USAGE);
        }
    }
    *argc = count;
    return words;
}
