/*
 * Small containers the normalized level's tables share: an array grown
 * by doubling, and a set of names kept one copy each, so that the many
 * events naming the same file or VMA point at one string.
 */
#ifndef VMEMU_EMU_TRACE_CHECK_NAMES_H
#define VMEMU_EMU_TRACE_CHECK_NAMES_H

#include <stdbool.h>
#include <stddef.h>

/* *v (of *cap elements of size bytes) holds at least need; false when out of memory. */
bool check_grow(void **v, size_t *cap, size_t need, size_t size);

struct name_set {
    char **v;
    size_t n, cap;
};

/* The set's copy of name, added if new; NULL when out of memory. */
const char *name_set_intern(struct name_set *s, const char *name);
void name_set_free(struct name_set *s);

#endif
