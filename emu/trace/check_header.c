/*
 * Expected-file headers (check_header.h). Every header line is "# key:
 * value"; the first is the magic line, the last is followed by an empty
 * line. Unknown keys are refused (a misspelt key would otherwise change
 * nothing, silently); so are missing ones.
 */
#include "emu/trace/check_header.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "emu/trace/check_words.h"
#include "emu/trace/trace.h"

static const char *base_name_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* Arguments hash as NUL-terminated strings one after the other. */
static void args_digest(char *const *args, int n, char out[SHA256_HEX_LEN + 1])
{
    struct sha256 s;
    sha256_init(&s);
    for (int i = 0; i < n; i++)
        sha256_update(&s, args[i], strlen(args[i]) + 1);
    sha256_hex(&s, out);
}

static bool is_hex_digest(const char *s)
{
    return strlen(s) == SHA256_HEX_LEN && strspn(s, "0123456789abcdef") == SHA256_HEX_LEN;
}

/* Take one "key: value" (value NUL-terminated) into h; false with why. */
static bool take_field(struct expected_header *h, const char *key, const char *value, char *why,
                       size_t len)
{
    char **text = !strcmp(key, "program")   ? &h->program
                  : !strcmp(key, "args")    ? &h->args
                  : !strcmp(key, "options") ? &h->options
                                            : NULL;
    char *digest = !strcmp(key, "program-sha256") ? h->program_sha256
                   : !strcmp(key, "args-sha256")  ? h->args_sha256
                                                  : NULL;
    if (text) {
        free(*text);
        if (!(*text = strdup(value)))
            snprintf(why, len, "out of memory");
        return *text != NULL;
    }
    if (digest) {
        if (!is_hex_digest(value)) {
            snprintf(why, len, "%s is not 64 hex digits", key);
            return false;
        }
        memcpy(digest, value, SHA256_HEX_LEN + 1);
        return true;
    }
    if (!strcmp(key, "level")) {
        if ((h->level = check_level_by_name(value)) == CHECK_LEVEL_NONE)
            snprintf(why, len, "level '%s' is not exact, normalized or summary", value);
        return h->level != CHECK_LEVEL_NONE;
    }
    if (!strcmp(key, "normalize")) {
        if (!normalize_parse(value, &h->normalize))
            snprintf(why, len, "normalize '%s' is not frames or frames,addresses", value);
        return h->normalize != 0;
    }
    if (!strcmp(key, "tolerance")) {
        char reason[160];
        h->has_tolerance = tolerance_parse(value, &h->tolerance, reason, sizeof(reason));
        if (!h->has_tolerance)
            snprintf(why, len, "tolerance: %s", reason);
        return h->has_tolerance;
    }
    if (!strcmp(key, "schema")) {
        char *end;
        errno = 0;
        long v = strtol(value, &end, 10);
        if (errno || end == value || *end || v <= 0 || v > 1000) {
            snprintf(why, len, "schema '%s' is not a version number", value);
            return false;
        }
        h->schema = (int)v;
        return true;
    }
    snprintf(why, len, "'%s' is not a header key", key);
    return false;
}

/* What every header must have, and what its level needs. */
static bool complete(const struct expected_header *h, char *why, size_t len)
{
    const char *missing = !h->level                                       ? "level"
                          : !h->schema                                    ? "schema"
                          : !h->program                                   ? "program"
                          : !h->program_sha256[0]                         ? "program-sha256"
                          : !h->args                                      ? "args"
                          : !h->args_sha256[0]                            ? "args-sha256"
                          : !h->options                                   ? "options"
                          : h->level == CHECK_NORMALIZED && !h->normalize ? "normalize"
                                                                          : NULL;
    if (missing)
        snprintf(why, len, "its header has no '%s' line", missing);
    else if (h->has_tolerance && h->level != CHECK_SUMMARY)
        snprintf(why, len, "a tolerance is only for the summary level");
    return !missing && !(h->has_tolerance && h->level != CHECK_SUMMARY);
}

bool expected_parse(const char *text, size_t len, struct expected_header *h, const char **body,
                    char *why, size_t why_len)
{
    memset(h, 0, sizeof(*h));
    size_t magic = strlen(EXPECTED_MAGIC);
    if (len < magic + 1 || memcmp(text, EXPECTED_MAGIC "\n", magic + 1) != 0) {
        snprintf(why, why_len, "no '%s' header (a trace from an older vmemu? --update remakes it)",
                 EXPECTED_MAGIC);
        return false;
    }
    const char *p = text + magic + 1, *end = text + len;
    bool ok = true;
    while (ok && p < end && *p != '\n') {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        char line[4096];
        const char *colon = memchr(p, ':', n);
        bool empty = colon && colon == p + n - 1; /* "# options:" with nothing after it */
        if (n < 3 || n >= sizeof(line) || memcmp(p, "# ", 2) || !colon ||
            (!empty && colon[1] != ' ')) {
            snprintf(why, why_len, "its header has a line that is not '# key: value': %.*s",
                     (int)(n < 60 ? n : 60), p);
            ok = false;
            break;
        }
        memcpy(line, p + 2, n - 2);
        line[n - 2] = '\0';
        line[colon - p - 2] = '\0';
        ok = take_field(h, line, empty ? "" : line + (colon - p - 2) + 2, why, why_len);
        p = nl ? nl + 1 : end;
    }
    if (ok && p >= end) {
        snprintf(why, why_len, "its header is not followed by an empty line");
        ok = false;
    }
    ok = ok && complete(h, why, why_len);
    if (!ok) {
        expected_header_free(h);
        return false;
    }
    *body = p + 1;
    return true;
}

bool expected_describe(struct expected_header *h, const char *label, const char *path,
                       char *const *args, int nargs, const char *options, char *why, size_t why_len)
{
    memset(h, 0, sizeof(*h));
    h->schema = TRACE_SCHEMA_VERSION;
    if (sha256_file(path, h->program_sha256) != 0) {
        snprintf(why, why_len, "cannot read %s: %s", path, strerror(errno));
        return false;
    }
    args_digest(args, nargs, h->args_sha256);
    h->program = strdup(label);
    h->args = words_join(args, nargs);
    h->options = strdup(options);
    if (!h->program || !h->args || !h->options) {
        snprintf(why, why_len, "out of memory");
        expected_header_free(h);
        return false;
    }
    return true;
}

void expected_write(FILE *out, const struct expected_header *h)
{
    fprintf(out, "%s\n# level: %s\n", EXPECTED_MAGIC, check_level_name(h->level));
    if (h->level == CHECK_NORMALIZED)
        fprintf(out, "# normalize: %s\n", normalize_name(h->normalize));
    if (h->has_tolerance) {
        fputs("# tolerance: ", out);
        tolerance_write(out, &h->tolerance);
        fputc('\n', out);
    }
    fprintf(out, "# schema: %d\n# program: %s\n# program-sha256: %s\n", h->schema, h->program,
            h->program_sha256);
    /* no space after an empty value's colon: editors strip trailing blanks */
    fprintf(out, "# args:%s%s\n# args-sha256: %s\n# options:%s%s\n\n", h->args[0] ? " " : "",
            h->args, h->args_sha256, h->options[0] ? " " : "", h->options);
}

void expected_header_free(struct expected_header *h)
{
    free(h->program);
    free(h->args);
    free(h->options);
    memset(h, 0, sizeof(*h));
}

bool expected_same_case(const struct expected_header *h, const struct expected_header *run,
                        bool *changed, char *why, size_t why_len)
{
    *changed = strcmp(h->program_sha256, run->program_sha256) != 0;
    if (strcmp(base_name_of(h->program), base_name_of(run->program)) != 0) {
        snprintf(why, why_len, "it was made for %s, not %s", base_name_of(h->program),
                 base_name_of(run->program));
        return false;
    }
    if (strcmp(h->args_sha256, run->args_sha256) != 0) {
        snprintf(why, why_len, "it was made for %s with the arguments '%s', not '%s'",
                 base_name_of(h->program), h->args, run->args);
        return false;
    }
    if (h->schema != run->schema) {
        snprintf(why, why_len,
                 "it was made with trace schema %d, and this vmemu writes schema %d "
                 "(--update remakes it)",
                 h->schema, run->schema);
        return false;
    }
    return true;
}
