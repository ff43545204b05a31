/* check_names.h: growing arrays and name sets for the normalized level's tables. */
#include "emu/trace/check_names.h"

#include <stdlib.h>
#include <string.h>

bool check_grow(void **v, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return true;
    size_t c = *cap ? *cap * 2 : 16;
    while (c < need)
        c *= 2;
    void *p = realloc(*v, c * size);
    if (!p)
        return false;
    *v = p;
    *cap = c;
    return true;
}

const char *name_set_intern(struct name_set *s, const char *name)
{
    for (size_t i = 0; i < s->n; i++) /* few names: a file's, a VMA's */
        if (!strcmp(s->v[i], name))
            return s->v[i];
    char *copy = strdup(name);
    if (!copy || !check_grow((void **)&s->v, &s->cap, s->n + 1, sizeof(char *))) {
        free(copy);
        return NULL;
    }
    return s->v[s->n++] = copy;
}

void name_set_free(struct name_set *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->v[i]);
    free(s->v);
    memset(s, 0, sizeof(*s));
}
