/*
 * A small JSON reader for vmemu's own JSON Lines traces (`vmemu report`):
 * one line at a time into a tree that lives in an arena, freed or reused
 * for the next line. Input is untrusted (a file the user names): every
 * malformed text is refused with a reason, never a crash; nesting is
 * bounded.
 */
#ifndef VMEMU_EMU_TRACE_JSON_H
#define VMEMU_EMU_TRACE_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum json_type { JSON_NULL, JSON_BOOL, JSON_NUMBER, JSON_STRING, JSON_ARRAY, JSON_OBJECT };

struct json_member;

struct json {
    enum json_type type;
    bool boolean;
    bool integral; /* a number written without fraction or exponent: i is exact */
    int64_t i;
    double num;
    const char *str; /* NUL-terminated (a string may hold \u0000: len says how long) */
    size_t len;      /* string bytes, array items or object members */
    struct json *items;
    struct json_member *members;
};

struct json_member {
    const char *key;
    struct json value;
};

struct json_arena_block;

struct json_arena {
    struct json_arena_block *head; /* the block being filled; older ones behind it */
    size_t total;                  /* bytes of every block */
};

void json_arena_init(struct json_arena *a);
/* Forget everything parsed so far (the memory is kept for the next line). */
void json_arena_reset(struct json_arena *a);
void json_arena_free(struct json_arena *a);

/* Parse text[0..len) as one JSON value; false with *err saying why. */
bool json_parse(struct json_arena *a, const char *text, size_t len, struct json **out,
                const char **err);

/* The member key of an object, or NULL. */
const struct json *json_get(const struct json *obj, const char *key);
/* The value as an integer (a number, or a "0x..." string); def if neither. */
int64_t json_int(const struct json *v, int64_t def);
/* The value as a string, or def if it is not one. */
const char *json_string(const struct json *v, const char *def);
/* Item i of an array, or NULL. */
const struct json *json_at(const struct json *arr, size_t i);

#endif
