/*
 * Lists of words as a shell writes them, for the lines of expected-file
 * headers and suite manifests that hold arguments and options: quoted so
 * that any argument survives the round trip (spaces, quotes, empty words),
 * and split back the way sh would (single quotes, double quotes with \"
 * and \\, backslashes outside quotes). No expansion of any kind.
 */
#ifndef VMEMU_EMU_TRACE_CHECK_WORDS_H
#define VMEMU_EMU_TRACE_CHECK_WORDS_H

#include <stdbool.h>
#include <stdio.h>

struct words {
    char **v; /* n words, then NULL (an argv) */
    int n;
};

/* Split text into w; false with *why for an unterminated quote (or no memory). */
bool words_split(const char *text, struct words *w, const char **why);
/* Append a copy of s; false when out of memory. */
bool words_add(struct words *w, const char *s);
void words_free(struct words *w);

/* Write the words separated by spaces, each quoted only when it must be. */
void words_write(FILE *out, char *const *v, int n);
/* The same as a malloc'd string (NULL when out of memory). */
char *words_join(char *const *v, int n);

#endif
