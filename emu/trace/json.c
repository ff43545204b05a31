/*
 * The JSON reader (json.h): recursive descent over one line, values in an
 * arena of blocks. Strings are unescaped into the arena (\uXXXX to UTF-8,
 * surrogate pairs joined); numbers keep an exact integer when they have no
 * fraction or exponent.
 */
#include "emu/trace/json.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 64
#define BLOCK_MIN (64 * 1024)

struct json_arena_block {
    struct json_arena_block *next;
    size_t cap, used;
    _Alignas(16) char data[];
};

void json_arena_init(struct json_arena *a)
{
    a->head = NULL;
    a->total = 0;
}

void json_arena_free(struct json_arena *a)
{
    while (a->head) {
        struct json_arena_block *b = a->head;
        a->head = b->next;
        free(b);
    }
    a->total = 0;
}

static struct json_arena_block *new_block(size_t cap)
{
    struct json_arena_block *b = malloc(sizeof(*b) + cap);
    if (b) {
        b->next = NULL;
        b->cap = cap;
        b->used = 0;
    }
    return b;
}

void json_arena_reset(struct json_arena *a)
{
    if (a->head && a->head->next) {
        /* One block as large as all of them: the next line of this size fits in it. */
        size_t total = a->total;
        json_arena_free(a);
        a->head = new_block(total);
        a->total = a->head ? total : 0;
    } else if (a->head) {
        a->head->used = 0;
    }
}

static void *arena_alloc(struct json_arena *a, size_t n)
{
    n = (n + 15) & ~(size_t)15;
    if (!a->head || a->head->cap - a->head->used < n) {
        size_t cap = n > BLOCK_MIN ? n : BLOCK_MIN;
        if (cap < a->total)
            cap = a->total;
        struct json_arena_block *b = new_block(cap);
        if (!b)
            return NULL;
        b->next = a->head;
        a->head = b;
        a->total += cap;
    }
    void *p = a->head->data + a->head->used;
    a->head->used += n;
    return p;
}

struct parser {
    struct json_arena *a;
    const char *p, *end;
    const char *err;
    int depth;
};

static void skip_ws(struct parser *ps)
{
    while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
        ps->p++;
}

static bool fail(struct parser *ps, const char *why)
{
    if (!ps->err)
        ps->err = why;
    return false;
}

static bool parse_value(struct parser *ps, struct json *out);

static bool literal(struct parser *ps, const char *word)
{
    size_t n = strlen(word);
    if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n) != 0)
        return fail(ps, "unknown literal");
    ps->p += n;
    return true;
}

static int hex4(const char *p)
{
    int v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        int d = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
        if (d < 0)
            return -1;
        v = v * 16 + d;
    }
    return v;
}

static size_t put_utf8(char *o, unsigned int cp)
{
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xc0 | (cp >> 6));
        o[1] = (char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xe0 | (cp >> 12));
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        o[2] = (char)(0x80 | (cp & 0x3f));
        return 3;
    }
    o[0] = (char)(0xf0 | (cp >> 18));
    o[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
    o[3] = (char)(0x80 | (cp & 0x3f));
    return 4;
}

/* A \uXXXX escape (and its low surrogate), at ps->p just past the 'u'. */
static bool unicode_escape(struct parser *ps, char *o, size_t *n)
{
    if (ps->end - ps->p < 4 || hex4(ps->p) < 0)
        return fail(ps, "bad \\u escape");
    unsigned int cp = (unsigned int)hex4(ps->p);
    ps->p += 4;
    if (cp >= 0xd800 && cp < 0xdc00 && ps->end - ps->p >= 6 && ps->p[0] == '\\' &&
        ps->p[1] == 'u' && hex4(ps->p + 2) >= 0xdc00 && hex4(ps->p + 2) < 0xe000) {
        cp = 0x10000 + ((cp - 0xd800) << 10) + ((unsigned int)hex4(ps->p + 2) - 0xdc00);
        ps->p += 6;
    }
    *n = put_utf8(o, cp);
    return true;
}

/* The character a one-letter escape stands for, or 0. */
static char simple_escape(char e)
{
    switch (e) {
    case '"':
    case '\\':
    case '/':
        return e;
    case 'b':
        return '\b';
    case 'f':
        return '\f';
    case 'n':
        return '\n';
    case 'r':
        return '\r';
    case 't':
        return '\t';
    default:
        return 0;
    }
}

static bool parse_string(struct parser *ps, const char **str, size_t *len)
{
    ps->p++; /* the opening quote */
    const char *q = ps->p;
    while (q < ps->end && *q != '"')
        q += (*q == '\\' && q + 1 < ps->end) ? 2 : 1;
    if (q >= ps->end)
        return fail(ps, "unterminated string");
    char *o = arena_alloc(ps->a, (size_t)(q - ps->p) + 1); /* unescaping never grows it */
    if (!o)
        return fail(ps, "out of memory");
    size_t n = 0;
    while (ps->p < q) {
        unsigned char c = (unsigned char)*ps->p++;
        if (c < 0x20)
            return fail(ps, "control character in string");
        if (c != '\\') {
            o[n++] = (char)c;
            continue;
        }
        char e = *ps->p++;
        if (e == 'u') {
            size_t k;
            if (!unicode_escape(ps, o + n, &k))
                return false;
            n += k;
            continue;
        }
        char c2 = simple_escape(e);
        if (!c2)
            return fail(ps, "bad escape");
        o[n++] = c2;
    }
    ps->p = q + 1;
    o[n] = '\0';
    *str = o;
    *len = n;
    return true;
}

static bool parse_number(struct parser *ps, struct json *out)
{
    const char *s = ps->p;
    bool integral = true;
    if (ps->p < ps->end && *ps->p == '-')
        ps->p++;
    if (ps->p >= ps->end || *ps->p < '0' || *ps->p > '9')
        return fail(ps, "bad number");
    while (ps->p < ps->end && ((*ps->p >= '0' && *ps->p <= '9') || strchr(".eE+-", *ps->p))) {
        if (strchr(".eE", *ps->p))
            integral = false;
        ps->p++;
    }
    char buf[64];
    size_t n = (size_t)(ps->p - s);
    if (n >= sizeof(buf))
        return fail(ps, "number too long");
    memcpy(buf, s, n);
    buf[n] = '\0';
    char *endp;
    errno = 0;
    out->type = JSON_NUMBER;
    out->num = strtod(buf, &endp);
    if (*endp)
        return fail(ps, "bad number");
    out->integral = integral;
    if (integral) {
        out->i = strtoll(buf, &endp, 10);
        if (errno == ERANGE)
            out->integral = false;
    } else {
        out->i = (int64_t)out->num;
    }
    return true;
}

/* Items of an array or members of an object, grown by doubling in the arena. */
static void *grow(struct parser *ps, void *old, size_t n, size_t size, size_t *cap)
{
    if (n < *cap)
        return old;
    size_t c = *cap ? *cap * 2 : 8;
    void *p = arena_alloc(ps->a, c * size);
    if (!p)
        return NULL;
    if (old)
        memcpy(p, old, n * size);
    *cap = c;
    return p;
}

/* After an item of a list: 1 if a comma says more follow, 0 at its closer, -1 on anything else. */
static int list_next(struct parser *ps, char closer)
{
    skip_ws(ps);
    if (ps->p < ps->end && (*ps->p == ',' || *ps->p == closer))
        return *ps->p++ == ',';
    fail(ps, closer == ']' ? "expected ',' or ']'" : "expected ',' or '}'");
    return -1;
}

/* At a list's opening character: true (past it) if the list is empty. */
static bool list_empty(struct parser *ps, char closer)
{
    ps->p++;
    skip_ws(ps);
    if (ps->p < ps->end && *ps->p == closer) {
        ps->p++;
        return true;
    }
    return false;
}

static bool parse_array(struct parser *ps, struct json *out)
{
    size_t cap = 0;
    int more = 1;
    out->type = JSON_ARRAY;
    if (list_empty(ps, ']'))
        return true;
    while (more > 0) {
        if (!(out->items = grow(ps, out->items, out->len, sizeof(*out->items), &cap)))
            return fail(ps, "out of memory");
        if (!parse_value(ps, &out->items[out->len]))
            return false;
        out->len++;
        more = list_next(ps, ']');
    }
    return more == 0;
}

static bool parse_object(struct parser *ps, struct json *out)
{
    size_t cap = 0, klen;
    int more = 1;
    out->type = JSON_OBJECT;
    if (list_empty(ps, '}'))
        return true;
    while (more > 0) {
        if (!(out->members = grow(ps, out->members, out->len, sizeof(*out->members), &cap)))
            return fail(ps, "out of memory");
        struct json_member *m = &out->members[out->len];
        skip_ws(ps);
        if (ps->p >= ps->end || *ps->p != '"' || !parse_string(ps, &m->key, &klen))
            return fail(ps, "expected a member name");
        skip_ws(ps);
        if (ps->p >= ps->end || *ps->p++ != ':')
            return fail(ps, "expected ':'");
        if (!parse_value(ps, &m->value))
            return false;
        out->len++;
        more = list_next(ps, '}');
    }
    return more == 0;
}

static bool parse_value(struct parser *ps, struct json *out)
{
    memset(out, 0, sizeof(*out));
    skip_ws(ps);
    if (ps->p >= ps->end)
        return fail(ps, "unexpected end");
    if (++ps->depth > MAX_DEPTH)
        return fail(ps, "nested too deeply");
    bool ok;
    switch (*ps->p) {
    case '{':
        ok = parse_object(ps, out);
        break;
    case '[':
        ok = parse_array(ps, out);
        break;
    case '"':
        out->type = JSON_STRING;
        ok = parse_string(ps, &out->str, &out->len);
        break;
    case 't':
        out->type = JSON_BOOL;
        out->boolean = true;
        ok = literal(ps, "true");
        break;
    case 'f':
        out->type = JSON_BOOL;
        ok = literal(ps, "false");
        break;
    case 'n':
        ok = literal(ps, "null");
        break;
    default:
        ok = parse_number(ps, out);
        break;
    }
    ps->depth--;
    return ok;
}

bool json_parse(struct json_arena *a, const char *text, size_t len, struct json **out,
                const char **err)
{
    struct parser ps = {a, text, text + len, NULL, 0};
    struct json *v = arena_alloc(a, sizeof(*v));
    if (!v) {
        *err = "out of memory";
        return false;
    }
    if (!parse_value(&ps, v)) {
        *err = ps.err;
        return false;
    }
    skip_ws(&ps);
    if (ps.p != ps.end) {
        *err = "text after the value";
        return false;
    }
    *out = v;
    return true;
}

const struct json *json_get(const struct json *obj, const char *key)
{
    if (!obj || obj->type != JSON_OBJECT)
        return NULL;
    for (size_t i = 0; i < obj->len; i++)
        if (strcmp(obj->members[i].key, key) == 0)
            return &obj->members[i].value;
    return NULL;
}

int64_t json_int(const struct json *v, int64_t def)
{
    if (v && v->type == JSON_NUMBER)
        return v->i;
    if (v && v->type == JSON_STRING) {
        char *end;
        bool neg = v->str[0] == '-';
        errno = 0;
        unsigned long long x = strtoull(v->str + neg, &end, 0);
        if (!*end && end != v->str + neg && !errno)
            return neg ? -(int64_t)x : (int64_t)x;
    }
    return def;
}

const char *json_string(const struct json *v, const char *def)
{
    return v && v->type == JSON_STRING ? v->str : def;
}

const struct json *json_at(const struct json *arr, size_t i)
{
    return arr && arr->type == JSON_ARRAY && i < arr->len ? &arr->items[i] : NULL;
}
